//! Official notices (公文): templates, composing a notice from a grant, reward or certification,
//! the document-number register, issuing, batch issuing, reprint, void, correction, verification.
//!
//! ```text
//! Target (grant | reward | certification) ──compose──▶ Draft: fields + clause snapshot + NoticeDoc
//!     (a missing field or a character no font has refuses the notice, naming it)
//! Draft ──preview──▶ PDF with the 样稿 watermark, no number
//! Draft ──issue (one transaction)──▶ number from doc_register ─▶ footer (number · 校验码) ─▶ PDF
//!     ─▶ notice row (PDF bytes + SHA-256, never changed) + audit event
//! ```
//!
//! The verification code in the footer is the first 12 hex digits of the SHA-256 of the notice's
//! content (the laid-out document with its number), not of the PDF file: a file cannot contain its
//! own hash. `verify` finds a file by the SHA-256 of its bytes (exact copies) and a code read from
//! a paper copy by the code.

pub mod layout;
pub mod publicity;

mod batch;
mod register;
mod template;
pub use batch::*;
pub use register::*;
pub use template::*;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::cert::reward::RewardStatus;
use crate::error::{Error, Result};
pub use crate::model::date::zh_date;
use crate::model::date::zh_date_text;
pub use crate::model::notice::*;
use crate::progress::Progress;
use crate::rent::GrantStatus;
use crate::store::notice as sql;
use crate::store::{Db, Tx};
use crate::system::OfficeSettings;
use layout::{Fonts, LayoutError, NoticeDoc, Paragraph};

// ---- fonts ------------------------------------------------------------------------------------

static FONTS: OnceLock<std::result::Result<Fonts, String>> = OnceLock::new();
static FONTS_DIR: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Where the app ships its fonts (its resource folder); call before the first notice.
pub fn set_fonts_dir(dir: PathBuf) {
    if let Ok(mut d) = FONTS_DIR.lock() {
        *d = Some(dir);
    }
}

/// FandolFang (仿宋) is read at run time: `$HUIQI_FONTS_DIR`, the folder the app set, next to the
/// executable (`fonts/`, `../lib/huiqi-ledger/fonts/` for the .deb), or the source tree's assets.
fn fang_path() -> Option<PathBuf> {
    const FILE: &str = "FandolFang-Regular.otf";
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(d) = std::env::var_os("HUIQI_FONTS_DIR").filter(|d| !d.is_empty()) {
        dirs.push(d.into());
    }
    if let Some(d) = FONTS_DIR.lock().ok().and_then(|d| d.clone()) {
        dirs.push(d);
    }
    if let Some(exe_dir) = std::env::current_exe().ok().and_then(|e| e.parent().map(Path::to_path_buf)) {
        dirs.push(exe_dir.join("fonts"));
        dirs.push(exe_dir.join("../lib/huiqi-ledger/fonts"));
        dirs.push(exe_dir.join("../lib/惠企台账/fonts"));
    }
    dirs.push(PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/fonts")));
    dirs.into_iter().map(|d| d.join(FILE)).find(|p| p.is_file())
}

/// The fonts, parsed once per process.
pub fn fonts() -> Result<&'static Fonts> {
    FONTS.get_or_init(|| Fonts::load(fang_path().as_deref()).map_err(|e| e.to_string())).as_ref().map_err(|e| Error::Internal(format!("notice fonts: {e}")))
}

fn layout_error(e: LayoutError) -> Error {
    match e {
        LayoutError::MissingGlyph { ch, field } => {
            let (fzh, fen) = match field {
                "authority" => ("发文机关", "issuing authority"),
                "title" => ("标题", "title"),
                "recipient" => ("主送单位", "recipient"),
                "signer" => ("落款", "signer"),
                "body" => ("正文", "body"),
                _ => ("文中", "text"),
            };
            let code = ch as u32;
            Error::invalid(
                "missing_glyph",
                format!("{fzh}中的“{ch}”（U+{code:04X}）在公文字体中没有字形，不能发文。请核对该字（如生僻字可改用通用写法），或修改模板。"),
                format!("The {fen} contains “{ch}” (U+{code:04X}), which the notice fonts cannot draw. Check the character or change the template."),
            )
            .with_details(json!({"field": field, "char": ch.to_string(), "codepoint": format!("U+{code:04X}")}))
        }
        LayoutError::TooLong { field } => Error::invalid(
            "too_long",
            match field {
                "imprint" => "版记（抄送机关）太长，一页放不下。请缩短抄送机关。".to_string(),
                _ => format!("{}太长，首页放不下正文。请缩短。", if field == "title" { "标题" } else { "发文机关" }),
            },
            format!("The {field} is too long to leave room for the body. Shorten it."),
        )
        .with_details(json!({"field": field})),
        other => Error::Internal(other.to_string()),
    }
}

// ---- composing --------------------------------------------------------------------------------

impl Target {
    fn link(&self) -> (&'static str, &'static str) {
        match self.kind {
            NoticeKind::RentApproval | NoticeKind::RentReduction | NoticeKind::RentRejection => ("grant_id", "grant"),
            NoticeKind::Reward | NoticeKind::RewardReduction | NoticeKind::RewardTopUp => ("reward_id", "reward"),
            NoticeKind::ExpiryReminder => ("certification_id", "certification"),
            NoticeKind::Publicity => ("publicity_id", "publicity"),
        }
    }
}

/// The notice for a grant: approval when approved or paid (a reduction, 核减, when less than the
/// computed amount was approved), refusal when rejected.
pub fn target_for_grant(db: &Db, grant_id: i64) -> Result<Target> {
    let g = crate::rent::grant(db, grant_id)?;
    let kind = match g.status {
        GrantStatus::Rejected => NoticeKind::RentRejection,
        _ if g.approved_fen.is_some_and(|a| a < g.computed_fen) => NoticeKind::RentReduction,
        _ => NoticeKind::RentApproval,
    };
    Ok(Target { kind, id: grant_id })
}

/// The notice for a reward: the difference (补差) for a reward that tops up an earlier one.
pub fn target_for_reward(db: &Db, reward_id: i64) -> Result<Target> {
    let r = crate::cert::reward::get(db, reward_id)?;
    let kind = if r.basis == crate::cert::reward::RewardBasis::TopUp {
        NoticeKind::RewardTopUp
    } else if r.approved_fen.is_some_and(|a| a < r.amount_fen) {
        NoticeKind::RewardReduction
    } else {
        NoticeKind::Reward
    };
    Ok(Target { kind, id: reward_id })
}

/// A composed notice, before it has a number.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Draft {
    pub target: Target,
    pub subject: String,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub uscc: String,
    pub amount_fen: Option<i64>,
    pub genre: String,
    pub template_version: i64,
    pub clause: ClauseSnapshot,
    pub fields: BTreeMap<String, String>,
    #[ts(skip)]
    #[serde(skip)]
    pub doc: NoticeDoc,
    #[ts(skip)]
    #[serde(skip)]
    prefix: String,
    #[ts(skip)]
    #[serde(skip)]
    year: i32,
}

fn amount_line(fen: i64) -> String {
    format!("大写金额：人民币{}。", crate::money::capitals(fen).unwrap_or_default())
}

/// The sentence of a clause that best matches `about` (shared character pairs), else the first.
fn quote_of(text: &str, about: &str) -> String {
    let pairs = |s: &str| -> Vec<(char, char)> {
        let c: Vec<char> = s.chars().collect();
        c.windows(2).map(|w| (w[0], w[1])).collect()
    };
    let want = pairs(about);
    let sentences: Vec<&str> = text.split_inclusive(['。', '；']).map(str::trim).filter(|s| !s.is_empty()).collect();
    let best = sentences
        .iter()
        .enumerate()
        .max_by_key(|(i, s)| (pairs(s).iter().filter(|p| want.contains(p)).count(), std::cmp::Reverse(*i)))
        .map(|(_, s)| *s)
        .unwrap_or("");
    crate::text::nested(best.trim_end_matches(['。', '；']))
}

/// The clause a notice cites, in the version given (the one in force when None). Only the
/// official text the office entered is quoted.
fn clause_snapshot(db: &Db, article: i64, version: Option<i64>, about: &str) -> Result<ClauseSnapshot> {
    let policy = crate::policy::policy(db)?;
    let clause = match version {
        Some(v) => crate::policy::clause_versions(db, article)?.into_iter().find(|c| c.version == v),
        None => None,
    };
    let mut clause = match clause {
        Some(c) => c,
        None => crate::policy::current_clause(db, article)?,
    };
    // A grant made before the official text was entered is cited with it once it is: the text
    // of the article did not change, only its entry (the version in force carries it).
    if clause.official_zh.is_empty() {
        let current = crate::policy::current_clause(db, article)?;
        if !current.official_zh.is_empty() {
            clause = current;
        }
    }
    let quote = if clause.official_zh.is_empty() { String::new() } else { quote_of(&clause.official_zh, about) };
    Ok(ClauseSnapshot {
        policy_title: policy.title_zh.clone(),
        policy_doc_number: policy.doc_number.clone(),
        article,
        version: clause.version,
        title_zh: clause.title_zh.clone(),
        official: !quote.is_empty(),
        quote,
        citation: crate::policy::citation(&policy, article),
    })
}

/// 根据《…》（…）第二条关于“…”的规定 — or, without the official text, 根据《…》（…）第二条规定.
fn legal_basis(c: &ClauseSnapshot) -> String {
    if c.quote.is_empty() {
        format!("根据{}规定", c.citation)
    } else {
        format!("根据{}关于“{}”的规定", c.citation, c.quote)
    }
}

fn refuse_status(what_zh: &str, status_zh: &str, need_zh: &str, kind: NoticeKind) -> Error {
    Error::refused(
        "not_ready_for_notice",
        format!("{what_zh}当前为“{status_zh}”，只有{need_zh}的才能出具{}。", kind.label_zh()),
        format!("This {} is not in a state for this notice ({status_zh}).", if what_zh.contains("补贴") { "grant" } else { "record" }),
    )
}

/// A setting a notice needs, not filled in: refused, naming it and where to fill it.
fn missing_setting(field: &str, zh: &str, en: &str, kind: NoticeKind) -> Error {
    Error::invalid(
        "missing_setting",
        format!("缺少“{zh}”，不能出具{}。请在 设置 → 单位信息 中填写。", kind.label_zh()),
        format!("The {en} is not set: fill it in Settings → Office before issuing a {}.", kind.label_en().to_lowercase()),
    )
    .with_details(json!({"field": field, "kind": kind.as_str()}))
}

/// The settings a kind needs, checked before anything is composed.
fn check_settings(office: &OfficeSettings, kind: NoticeKind) -> Result<()> {
    let mut need: Vec<(&str, &str, &str, &String)> = vec![
        ("authority", "发文机关", "issuing authority", &office.authority),
        ("signer", "落款（签发机关）", "signer", &office.signer),
        ("doc_prefix", "发文字号前缀", "document-number prefix", &office.doc_prefix),
    ];
    if kind.is_rent() {
        need.push(("rule_name", "区级补贴细则名称", "name of the district's rule", &office.rule_name));
        need.push(("rule_doc_number", "区级补贴细则文号", "document number of the district's rule", &office.rule_doc_number));
    }
    if kind.needs_remedies() {
        need.push(("review_body", "行政复议机关", "body hearing administrative review", &office.review_body));
        need.push(("court", "行政诉讼管辖法院", "court for administrative litigation", &office.court));
    }
    if kind == NoticeKind::Publicity {
        need.push(("publicity_contact", "公示异议受理联系方式", "contact for objections", &office.publicity_contact));
    }
    match need.into_iter().find(|n| n.3.trim().is_empty()) {
        Some((field, zh, en, _)) if matches!(field, "authority" | "signer" | "doc_prefix") => Err(Error::invalid(
            "missing_field",
            format!("缺少“{zh}”，不能发文。请在 设置 → 单位信息 中填写。"),
            format!("The {en} is missing: fill it in Settings → Office."),
        )
        .with_details(json!({"field": field}))),
        Some((field, zh, en, _)) => Err(missing_setting(field, zh, en, kind)),
        None => Ok(()),
    }
}

/// Months as a notice states them: "12", "9.55"; never "约…" (three decimals when two would
/// read as a whole number).
fn notice_months(units: i64) -> String {
    let u = crate::rent::calendar::MONTH_UNITS;
    if units % u == 0 {
        return (units / u).to_string();
    }
    let two = crate::money::div_round_half_up(units as i128 * 100, u as i128) as i64;
    if two % 100 != 0 {
        format!("{}.{:02}", two / 100, two % 100)
    } else {
        let three = crate::money::div_round_half_up(units as i128 * 1000, u as i128) as i64;
        format!("{}.{:03}", three / 1000, three % 1000)
    }
}

/// What a rent notice states of the days: the days subsidised (the period when all of it was),
/// the leased area and, where less was subsidised, the area subsidised; and the days of the
/// application not subsidised, with the reason in a clerk's words (grants made before the ledger
/// rules state their period and area as they were).
fn rent_days_text(g: &crate::rent::Grant, leased: i64) -> (String, String, String) {
    let plain = |c: i64| crate::rent::area_text(c).trim_end_matches('㎡').to_string();
    let span = |a: &str, b: &str| format!("{}至{}", zh_date_text(a), zh_date_text(b));
    let stretches = &g.explanation.stretches;
    let period = if stretches.is_empty() || g.cuts.is_empty() {
        span(&g.period_start, &g.period_end)
    } else {
        // Consecutive stretches (the area changed) read as one span.
        let mut spans: Vec<(String, String)> = Vec::new();
        for s in stretches {
            match spans.last_mut() {
                Some(last)
                    if chrono::NaiveDate::parse_from_str(&last.1, "%Y-%m-%d").ok().and_then(|d| d.succ_opt()).map(|d| d.to_string())
                        == Some(s.start.clone()) =>
                {
                    last.1 = s.end.clone()
                }
                _ => spans.push((s.start.clone(), s.end.clone())),
            }
        }
        spans.iter().map(|(a, b)| span(a, b)).collect::<Vec<_>>().join("、")
    };
    let mut areas: Vec<i64> = stretches.iter().map(|s| s.area_centi_m2).collect();
    if areas.is_empty() {
        areas.push(g.eligible_area_centi_m2);
    }
    areas.sort();
    areas.dedup();
    let area_text = match areas.as_slice() {
        [a] if *a > 0 && *a < leased => format!("租赁面积{}平方米，补贴面积{}平方米", plain(leased), plain(*a)),
        [lo, .., hi] => format!("租赁面积{}平方米，补贴面积按日核定为{}至{}平方米", plain(leased), plain(*lo), plain(*hi)),
        _ => format!("租赁面积{}平方米", plain(leased)),
    };
    let why = |code: &str| match code {
        "company_too_old" => "企业成立已满规定年限",
        "not_certified" => "无有效的高新技术企业或科技型中小企业资格",
        "period_already_subsidised" => "同一房屋已享受补贴",
        "area_cap_reached" => "补贴面积已达上限",
        "months_exhausted" => "累计补贴已满36个月",
        _ => "不符合条件",
    };
    let cut_note = if g.cuts.is_empty() {
        String::new()
    } else {
        let parts: Vec<String> = g.cuts.iter().map(|c| format!("{}{}", span(&c.start, &c.end), why(&c.reason))).collect();
        format!("申请期间中，{}，不予补贴。", parts.join("；"))
    };
    (period, area_text, cut_note)
}

/// The remedies of a refusal or a reduction (行政复议 within 60 days, 行政诉讼 within 6 months).
pub fn remedies_text(office: &OfficeSettings) -> String {
    format!(
        "如对本决定不服，可以自收到本通知之日起六十日内向{}申请行政复议，也可以自收到本通知之日起六个月内依法向{}提起行政诉讼。",
        office.review_body, office.court
    )
}

/// 版记 of a notice issued on `date` (a letter's has no 印发机关 and 印发日期).
fn imprint(office: &OfficeSettings, date: NaiveDate, letter: bool) -> Option<layout::Imprint> {
    let printer = if office.printer.trim().is_empty() { office.authority.clone() } else { office.printer.clone() };
    if letter && office.cc.trim().is_empty() {
        return None;
    }
    Some(layout::Imprint {
        cc: office.cc.clone(),
        printer: if letter { String::new() } else { printer },
        printed_on: if letter { String::new() } else { zh_date(date) },
    })
}

/// Compose the notice of `target` (nothing is written). Missing data refuses it, naming the field.
pub fn compose(db: &Db, target: Target, office: &OfficeSettings, date: NaiveDate) -> Result<Draft> {
    if target.kind == NoticeKind::Publicity {
        return Err(Error::invalid(
            "not_a_single_notice",
            "公示名单由“公示”功能生成（huiqi notice publicity create）。",
            "A publicity list is made by `notice publicity create`.",
        ));
    }
    check_settings(office, target.kind)?;
    let tpl = sql::template(db.conn(), target.kind, None)?.ok_or_else(|| Error::Internal(format!("no template for {}", target.kind.as_str())))?;
    let mut f: Fields = BTreeMap::new();
    let Subject { enterprise_id, name, uscc, amount_fen, clause } = match target.kind {
        NoticeKind::RentApproval | NoticeKind::RentReduction | NoticeKind::RentRejection => grant_fields(db, target, office, &mut f)?,
        NoticeKind::Reward | NoticeKind::RewardReduction | NoticeKind::RewardTopUp => reward_fields(db, target, office, &mut f)?,
        NoticeKind::ExpiryReminder => reminder_fields(db, target, date, &mut f)?,
        NoticeKind::Publicity => unreachable!("returned above"),
    };
    let clause = clause.unwrap_or_default();
    f.insert("enterprise".into(), name.clone());
    f.insert("uscc".into(), uscc.clone());
    f.insert("citation".into(), clause.citation.clone());
    f.insert("clause_quote".into(), clause.quote.clone());
    f.insert("legal_basis".into(), if clause.citation.is_empty() { String::new() } else { legal_basis(&clause) });
    f.insert("authority".into(), office.authority.clone());

    let (title, body) = fill_template(&tpl, &f, target)?;
    let letter = tpl.genre == "函";
    let head = if letter { office.authority.clone() } else { format!("{}文件", office.authority) };
    let doc = NoticeDoc {
        authority: head,
        doc_number: None,
        title: title.clone(),
        recipient: name.clone(),
        paragraphs: body.lines().map(Paragraph::new).collect(),
        signer: office.signer.clone(),
        date: zh_date(date),
        footer: None,
        watermark: None,
        letter,
        imprint: imprint(office, date, letter),
        layout: layout::LAYOUT_VERSION,
    };
    layout::check_glyphs(&doc, fonts()?).map_err(layout_error)?;
    let prefix = if letter { format!("{}函", office.doc_prefix) } else { office.doc_prefix.clone() };
    Ok(Draft {
        target,
        subject: title.lines().collect(),
        enterprise_id: enterprise_id.unwrap_or(0),
        enterprise_name: name,
        uscc,
        amount_fen,
        genre: tpl.genre.clone(),
        template_version: tpl.version,
        clause,
        fields: f,
        doc,
        prefix,
        year: date.year(),
    })
}

/// A notice's template fields by placeholder name.
type Fields = BTreeMap<String, String>;

/// Whom and what a notice is about: the enterprise, the amount, the clause cited.
struct Subject {
    enterprise_id: Option<i64>,
    name: String,
    uscc: String,
    amount_fen: Option<i64>,
    clause: Option<ClauseSnapshot>,
}

/// A rent grant's fields: its decision must match the kind (approved in full, reduced, refused).
fn grant_fields(db: &Db, target: Target, office: &OfficeSettings, f: &mut Fields) -> Result<Subject> {
    let g = crate::rent::grant(db, target.id)?;
    let reduced = g.approved_fen.is_some_and(|a| a < g.computed_fen);
    let ok = match target.kind {
        NoticeKind::RentRejection => g.status == GrantStatus::Rejected,
        NoticeKind::RentReduction => matches!(g.status, GrantStatus::Approved | GrantStatus::Disbursed) && reduced,
        _ => matches!(g.status, GrantStatus::Approved | GrantStatus::Disbursed) && !reduced,
    };
    if !ok {
        let need = match target.kind {
            NoticeKind::RentRejection => "未通过",
            NoticeKind::RentReduction => "已批准且批准金额低于测算金额",
            _ => "已批准（按测算金额）或已拨付",
        };
        return Err(refuse_status("该笔房租补贴", g.status.label_zh(), need, target.kind).with_details(json!({"grant_id": g.id, "status": g.status.as_str()})));
    }
    let lease = crate::store::rent::lease(db.conn(), g.lease_id)?;
    let leased = lease.as_ref().map(|l| l.area_centi_m2).unwrap_or(g.eligible_area_centi_m2);
    let area_plain = |c: i64| crate::rent::area_text(c).trim_end_matches('㎡').to_string();
    f.insert("lease_address".into(), lease.map(|l| l.address).unwrap_or_default());
    f.insert("area".into(), area_plain(leased));
    let (period, area_text, cut_note) = rent_days_text(&g, leased);
    f.insert("area_text".into(), area_text);
    f.insert("period".into(), period);
    f.insert("cut_note".into(), cut_note);
    f.insert("rule_version".into(), g.rule_version.to_string());
    f.insert("rule_citation".into(), format!("《{}》（{}）", office.rule_name, office.rule_doc_number));
    f.insert("rate".into(), crate::rent::pct(g.rate_bp));
    f.insert("months".into(), notice_months(g.month_units));
    f.insert("reason".into(), g.reason.clone());
    f.insert("remedies".into(), remedies_text(office));
    let amount = g.approved_fen.unwrap_or(g.computed_fen);
    if target.kind != NoticeKind::RentRejection {
        f.insert("amount".into(), crate::money::fmt_yuan(amount));
        f.insert("amount_line".into(), amount_line(amount));
        f.insert("computed".into(), crate::money::fmt_yuan(g.computed_fen));
        f.insert("reduced".into(), crate::money::fmt_yuan(g.computed_fen - amount));
    }
    let clause = clause_snapshot(db, g.clause.article, Some(g.clause.version), "房租补贴高新技术创业企业")?;
    Ok(Subject {
        enterprise_id: Some(g.enterprise_id),
        name: g.enterprise_name,
        uscc: g.uscc,
        amount_fen: (target.kind != NoticeKind::RentRejection).then_some(amount),
        clause: Some(clause),
    })
}

/// A reward's fields: the kind its decision calls for, the achievement as the title's wording
/// says (a title from a published list needs its certificate number), a top-up names the earlier reward.
fn reward_fields(db: &Db, target: Target, office: &OfficeSettings, f: &mut Fields) -> Result<Subject> {
    let r = crate::cert::reward::get(db, target.id)?;
    if !matches!(r.status, RewardStatus::Approved | RewardStatus::Disbursed) {
        return Err(
            refuse_status("该笔奖励", r.status.label_zh(), "已批准或已拨付", target.kind).with_details(json!({"reward_id": r.id, "status": r.status.as_str()}))
        );
    }
    let right = target_for_reward(db, r.id)?.kind;
    if right != target.kind {
        return Err(
            refuse_status("该笔奖励", right.label_zh(), target.kind.label_zh(), target.kind).with_details(json!({"reward_id": r.id, "kind": right.as_str()}))
        );
    }
    let top_up = r.basis == crate::cert::reward::RewardBasis::TopUp;
    let kinds = crate::cert::kinds(db)?;
    let kind = kinds.iter().find(|k| k.code == r.cert_kind);
    let cert_name = kind.map(|k| k.name_zh.clone()).unwrap_or_else(|| r.cert_kind.clone());
    let amount = r.approved_fen.unwrap_or(r.amount_fen);
    f.insert("program".into(), r.program_name_zh.clone());
    f.insert("cert_name".into(), cert_name.clone());
    f.insert("certificate_no".into(), r.certificate_no.clone());
    f.insert("issued_on".into(), zh_date_text(&r.issued_on));
    f.insert("funds".into(), if r.article == 7 { "支持资金" } else { "奖励资金" }.into());
    f.insert("amount".into(), crate::money::fmt_yuan(amount));
    f.insert("amount_line".into(), amount_line(amount));
    if target.kind == NoticeKind::RewardReduction {
        f.insert("full_amount".into(), crate::money::fmt_yuan(r.amount_fen));
        f.insert("reduced".into(), crate::money::fmt_yuan(r.amount_fen - amount));
        f.insert("reason".into(), r.reason.clone());
        f.insert("remedies".into(), remedies_text(office));
    }
    match kind {
        // A performance-based reward has no certification: it states the program and note.
        None if r.basis == crate::cert::reward::RewardBasis::Performance => {
            f.insert("achievement".into(), format!("经绩效评审（{}），", r.note).trim_end_matches('，').to_string());
        }
        None => {}
        Some(k) => {
            let wording = k.wording.as_deref().unwrap_or("获评");
            if wording == "获评" && r.certificate_no.trim().is_empty() {
                return Err(missing("certificate_no", "证书编号", "certificate number", target));
            }
            f.insert("achievement".into(), crate::cert::kinds::achievement(k, &r.certificate_no, &r.issued_on));
        }
    }
    if top_up {
        let earlier = r.tops_up.map(|id| crate::cert::reward::get(db, id)).transpose()?;
        let (text, earlier_amount) = match &earlier {
            Some(e) => {
                let a = e.approved_fen.unwrap_or(e.amount_fen);
                (format!("{}（{}元）", e.program_name_zh, crate::money::fmt_yuan(a)), a)
            }
            None => (String::new(), 0),
        };
        f.insert("earlier".into(), text);
        f.insert("full_amount".into(), crate::money::fmt_yuan(amount + earlier_amount));
    }
    let clause = clause_snapshot(db, r.clause.article, Some(r.clause.version), &format!("{cert_name}{}", r.program_name_zh))?;
    Ok(Subject { enterprise_id: Some(r.enterprise_id), name: r.enterprise_name, uscc: r.uscc, amount_fen: Some(amount), clause: Some(clause) })
}

/// An expiry reminder's fields: the phrase for the kind (评价入库, 复核 or 重新认定) and the
/// clause of the money that depends on the title, if any.
fn reminder_fields(db: &Db, target: Target, date: NaiveDate, f: &mut Fields) -> Result<Subject> {
    let c = crate::cert::get(db, target.id)?;
    if c.revoked {
        return Err(Error::refused("not_ready_for_notice", "该认定已撤销，不出具到期提醒。", "This certification was revoked: no reminder.")
            .with_details(json!({"certification_id": c.id})));
    }
    let kinds = crate::cert::kinds(db)?;
    let kind = kinds.iter().find(|k| k.code == c.kind);
    let cert_name = kind.map(|k| k.name_zh.clone()).unwrap_or_else(|| c.kind.clone());
    let calendar_year = kind.and_then(|k| k.validity.as_ref()).and_then(|v| v.calendar_year) == Some(true);
    f.insert("cert_name".into(), cert_name.clone());
    f.insert("certificate_no".into(), c.certificate_no.clone());
    f.insert("issued_on".into(), zh_date_text(&c.issued_on));
    let Some(expires) = c.expires_on.as_deref().and_then(|x| NaiveDate::parse_from_str(x, "%Y-%m-%d").ok()) else {
        return Err(Error::refused(
            "no_expiry",
            format!("{cert_name}（{}）长期有效，没有到期日，不需要到期提醒。", c.enterprise_name),
            "This title does not expire: no reminder is needed.",
        )
        .with_details(json!({"certification_id": c.id})));
    };
    f.insert("expires_on".into(), zh_date(expires));
    let past = expires < date;
    f.insert("due".into(), if past { "已到期" } else { "即将到期" }.into());
    f.insert("expiry_phrase".into(), format!("{}{}到期", if past { "已于" } else { "将于" }, zh_date(expires)));
    f.insert(
        "cert_ref".into(),
        match (calendar_year, c.certificate_no.trim().is_empty()) {
            (true, true) => format!("{}入库", zh_date_text(&c.issued_on)),
            (true, false) => format!("入库编号：{}", c.certificate_no),
            (false, true) => format!("{}认定", zh_date_text(&c.issued_on)),
            (false, false) => format!("证书编号：{}", c.certificate_no),
        },
    );
    let next_year = c.expires_on.as_deref().and_then(|x| x.get(..4)).and_then(|y| y.parse::<i32>().ok()).map(|y| y + 1).unwrap_or(date.year() + 1);
    f.insert(
                "renewal".into(),
                if calendar_year {
                    format!("{cert_name}资格按年度评价入库，有效期至当年12月31日。请在{next_year}年度评价工作开始后，及时登录全国科技型中小企业信息服务平台填报，完成评价入库。")
                } else if kind.and_then(|k| k.review) == Some(true) {
                    format!("{cert_name}有效期满前须参加复核。请及时做好复核准备工作，按期提交复核材料。")
                } else {
                    "请及时做好重新认定的准备工作，按期提交申报材料。".to_string()
                },
            );
    // The clause of the money that depends on this kind: the program rewarding it, or the
    // rent subsidy for the kinds that make a firm eligible for it; none otherwise.
    let program = crate::policy::programs(db)?.into_iter().find(|p| p.cert_kind.as_deref() == Some(c.kind.as_str()));
    let rent_kind = crate::rent::current_rules(db)?.rules.eligible_certifications.contains(&c.kind);
    let (article, what) = match (program, rent_kind) {
        (Some(p), _) => (Some(p.article), p.name_zh),
        (None, true) => (Some(crate::rent::RENT_ARTICLE), "高新技术创业企业房租补贴".to_string()),
        (None, false) => (None, String::new()),
    };
    let clause = article.map(|a| clause_snapshot(db, a, None, &cert_name)).transpose()?;
    f.insert(
        "support_note".into(),
        clause
            .as_ref()
            .map(|cl| format!("{}，{cert_name}资格是享受{what}的条件之一。为保持相关支持政策的连续性，请按期办理。", legal_basis(cl)))
            .unwrap_or_default(),
    );
    Ok(Subject { enterprise_id: Some(c.enterprise_id), name: c.enterprise_name, uscc: c.uscc, amount_fen: None, clause })
}

/// Fill a template's title and body. A template written before official texts were kept (it
/// quotes {clause_quote}) reads "规定" without a quotation while there is none; a paragraph with
/// only an optional placeholder that has nothing to say is left out; a refusal or reduction whose
/// template lacks {remedies} gets them before its closing line. Any other empty placeholder refuses
/// the notice, naming the field.
fn fill_template(tpl: &Template, f: &BTreeMap<String, String>, target: Target) -> Result<(String, String)> {
    let no_quote = f.get("clause_quote").is_none_or(|q| q.is_empty());
    let adapt = |t: &str| -> String {
        if no_quote {
            t.replace("关于“{clause_quote}”的规定", "规定")
                .replace("关于\"{clause_quote}\"的规定", "规定")
                .replace("“{clause_quote}”", "")
                .replace("{clause_quote}", "")
        } else {
            t.to_string()
        }
    };
    let fill = |text: &str| -> Result<String> {
        let mut out = String::with_capacity(text.len() + 64);
        let mut rest = text;
        while let Some(i) = rest.find('{') {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            let j = after.find('}').ok_or_else(|| Error::Internal("template has an unclosed brace".into()))?;
            let name = &after[..j];
            let value = f.get(name).map(String::as_str).unwrap_or("");
            if value.trim().is_empty() && !OPTIONAL_FIELDS.contains(&name) {
                let (zh, en) = field_label(name);
                return Err(missing(name, zh, en, target));
            }
            out.push_str(value);
            rest = &after[j + 1..];
        }
        out.push_str(rest);
        Ok(out)
    };
    let title = fill(&adapt(&tpl.title))?;
    let mut lines: Vec<String> = Vec::new();
    for line in adapt(&tpl.body).lines() {
        let filled = fill(line)?;
        if !filled.trim().is_empty() {
            lines.push(filled);
        }
    }
    if target.kind.needs_remedies() && !tpl.body.contains("{remedies}") {
        let at = lines.iter().rposition(|l| l.starts_with("特此")).unwrap_or(lines.len());
        lines.insert(at, f.get("remedies").cloned().unwrap_or_default());
    }
    Ok((title, lines.join("\n")))
}

fn missing(name: &str, zh: &str, en: &str, target: Target) -> Error {
    let (next_zh, next_en) = match name {
        "lease_address" | "area" => ("请先在企业的“房租补贴”页补全租赁合同信息", "complete the lease first"),
        "reason" => ("请先填写不予补贴的原因", "enter the reason first"),
        "certificate_no" | "issued_on" | "expires_on" => ("请先在“认定与奖励”中补全证书信息", "complete the certification first"),
        "enterprise" | "uscc" => ("请先在企业台账中补全企业信息", "complete the enterprise first"),
        _ => ("请补全后再发文", "complete it and try again"),
    };
    Error::invalid("missing_field", format!("缺少“{zh}”，不能发文：{next_zh}。"), format!("The {en} is missing: {next_en}."))
        .with_details(json!({"field": name, "kind": target.kind.as_str(), "id": target.id}))
}

// ---- preview (issue: register.rs) -------------------------------------------------------------

pub const WATERMARK: &str = "样稿";

/// A preview: the 样稿 watermark, no number; nothing is written.
pub fn preview(db: &Db, target: Target, date: NaiveDate) -> Result<(Draft, Vec<u8>)> {
    let office = crate::system::office(db)?;
    let draft = compose(db, target, &office, date)?;
    let pdf = render_preview(&draft)?;
    Ok((draft, pdf))
}

fn preview_doc(d: &Draft) -> NoticeDoc {
    NoticeDoc { watermark: Some(WATERMARK.into()), footer: Some("样稿 · 未编号，不作为正式公文".into()), ..d.doc.clone() }
}

fn render_preview(d: &Draft) -> Result<Vec<u8>> {
    layout::render(&preview_doc(d), fonts()?).map_err(layout_error)
}

#[cfg(test)]
mod tests;
