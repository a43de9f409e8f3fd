//! The app as a whole: status for the start screen, office settings, language, first run, check.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::i18n::Lang;
use crate::store::{self, settings, Db};
use crate::text;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Debug, Clone, Serialize, TS)]
pub struct AppStatus {
    pub version: String,
    pub db_path: String,
    pub schema_version: i64,
    pub read_only: bool,
    /// True until the user chose "start empty" or "load demo data" on the first-run screen.
    pub first_run: bool,
    pub lang: Lang,
    pub user_name: String,
    pub enterprise_count: i64,
    /// Set when a pre-migration copy was taken at this start.
    pub pre_migration_copy: Option<String>,
    /// The day the ledger works on (YYYY-MM-DD): this computer's date, or HUIQI_TODAY.
    pub today: String,
}

/// The office that issues notices (editable in 设置).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct OfficeSettings {
    /// 区名, e.g. 江宁区
    pub district_name: String,
    /// GB/T 2260 code, e.g. 320115
    pub district_code: String,
    /// 发文机关, e.g. 南京市江宁区科学技术局
    pub authority: String,
    /// 发文字号前缀, e.g. 江宁科
    pub doc_prefix: String,
    /// 签发人 / 落款
    pub signer: String,
    /// Who is writing (audit "who"); empty → the OS user.
    pub user_name: String,
    /// The district's own rule for the rent subsidy, as it is cited: its name (without 《》) and
    /// document number, e.g. 江宁区高新技术创业企业房租补贴实施细则 · 江宁科规〔2025〕1号. Rent
    /// notices are refused while they are empty.
    #[serde(default)]
    pub rule_name: String,
    #[serde(default)]
    pub rule_doc_number: String,
    /// Where a refusal or a reduction can be challenged: the body that hears 行政复议 (60 days)
    /// and the court for 行政诉讼 (6 months). Such notices are refused while they are empty.
    #[serde(default)]
    pub review_body: String,
    #[serde(default)]
    pub court: String,
    /// 版记: 抄送机关 (optional) and 印发机关 (empty → the issuing authority).
    #[serde(default)]
    pub cc: String,
    #[serde(default)]
    pub printer: String,
    /// 公示: who takes objections (office, telephone) and how many working days (default 5).
    #[serde(default)]
    pub publicity_contact: String,
    #[serde(default = "default_publicity_days")]
    pub publicity_days: i64,
}

fn default_publicity_days() -> i64 {
    5
}

impl Default for OfficeSettings {
    fn default() -> Self {
        OfficeSettings {
            district_name: "江宁区".into(),
            district_code: "320115".into(),
            authority: "南京市江宁区科学技术局".into(),
            doc_prefix: "江宁科".into(),
            signer: "南京市江宁区科学技术局".into(),
            user_name: String::new(),
            rule_name: String::new(),
            rule_doc_number: String::new(),
            review_body: String::new(),
            court: String::new(),
            cc: String::new(),
            printer: String::new(),
            publicity_contact: String::new(),
            publicity_days: default_publicity_days(),
        }
    }
}

pub fn lang(db: &Db) -> Result<Lang> {
    Ok(settings::get(db.conn(), settings::UI_LANG)?.map(|s| Lang::parse(&s)).unwrap_or_default())
}

pub fn set_lang(db: &mut Db, lang: Lang) -> Result<()> {
    db.write(|tx| settings::set(tx, settings::UI_LANG, lang.as_str()).map(|_| ()))
}

pub fn status(db: &Db) -> Result<AppStatus> {
    Ok(AppStatus {
        version: VERSION.into(),
        db_path: db.path().display().to_string(),
        schema_version: store::migrations::user_version(db.conn())?,
        read_only: db.is_read_only(),
        first_run: settings::get(db.conn(), settings::FIRST_RUN_DONE)?.is_none(),
        lang: lang(db)?,
        user_name: db.actor().to_string(),
        enterprise_count: store::enterprise::count(db.conn())?,
        pre_migration_copy: db.report.pre_migration_copy.clone(),
        today: crate::model::date::today().to_string(),
    })
}

pub fn office(db: &Db) -> Result<OfficeSettings> {
    match settings::get(db.conn(), settings::OFFICE)? {
        Some(s) => Ok(serde_json::from_str(&s).unwrap_or_default()),
        None => Ok(OfficeSettings::default()),
    }
}

pub fn save_office(db: &mut Db, s: &OfficeSettings) -> Result<OfficeSettings> {
    let s = OfficeSettings {
        district_name: text::clean(&s.district_name),
        district_code: text::clean(&s.district_code),
        authority: text::clean(&s.authority),
        doc_prefix: text::clean(&s.doc_prefix),
        signer: text::clean(&s.signer),
        user_name: text::clean(&s.user_name),
        rule_name: text::clean(&s.rule_name).trim_start_matches('《').trim_end_matches('》').to_string(),
        rule_doc_number: text::clean(&s.rule_doc_number).trim_start_matches(['（', '(']).trim_end_matches(['）', ')']).to_string(),
        review_body: text::clean(&s.review_body),
        court: text::clean(&s.court),
        cc: text::clean(&s.cc),
        printer: text::clean(&s.printer),
        publicity_contact: text::clean(&s.publicity_contact),
        publicity_days: s.publicity_days,
    };
    if !(1..=30).contains(&s.publicity_days) {
        return Err(Error::invalid("out_of_range", "公示期应为1–30个工作日（通常为5个工作日）。", "The publicity period is 1–30 working days (usually 5).")
            .with_details(serde_json::json!({"field": "publicity_days"})));
    }
    if !s.district_code.is_empty() && (s.district_code.len() != 6 || !s.district_code.chars().all(|c| c.is_ascii_digit())) {
        return Err(Error::invalid(
            "bad_district_code",
            "行政区划代码应为6位数字（GB/T 2260），例如 320115。",
            "The district code is 6 digits (GB/T 2260), e.g. 320115.",
        )
        .with_details(serde_json::json!({"field": "district_code"})));
    }
    if s.doc_prefix.is_empty() || s.authority.is_empty() {
        let field = if s.doc_prefix.is_empty() { "doc_prefix" } else { "authority" };
        return Err(Error::invalid("missing_required", "请填写发文机关和发文字号前缀。", "Enter the issuing authority and the document-number prefix.")
            .with_details(serde_json::json!({"field": field})));
    }
    if s.doc_prefix.chars().any(|c| c.is_ascii_digit() || matches!(c, '〔' | '〕' | '[' | ']')) {
        return Err(Error::invalid(
            "bad_doc_prefix",
            "发文字号前缀只写机关代字，例如“江宁科”，不含年份和括号。",
            "The prefix is the office's short name only, e.g. 江宁科 (no year, no brackets).",
        )
        .with_details(serde_json::json!({"field": "doc_prefix"})));
    }
    let json = serde_json::to_string(&s)?;
    db.write(|tx| {
        settings::set(tx, settings::OFFICE, &json)?;
        settings::set(tx, settings::USER_NAME, &s.user_name)?;
        Ok(())
    })?;
    let actor = if s.user_name.is_empty() { store::os_user() } else { s.user_name.clone() };
    db.set_actor(actor);
    Ok(s)
}
