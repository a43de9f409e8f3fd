//! Certifications (高企, 科技型中小企业, 专精特新 …): the register, the milestones that fall due
//! (expiry, renewal preparation, the 高企 annual report, the 科小 evaluation window, 专精特新
//! review), and the rewards of the policy (`reward`).

pub use crate::model::date::today;
pub mod kinds;
pub mod reward;

pub use crate::model::cert::{CertInput, Certification, Milestone, MilestoneKind, ReminderSettings};
use chrono::{Datelike, Duration, NaiveDate};

use crate::error::{Error, Result};
use crate::store::{cert as sql, import as isql, settings, Db};

pub fn kinds(db: &Db) -> Result<Vec<kinds::CertKind>> {
    sql::kinds(db.conn())
}

/// Add or change a certification kind (editable data).
pub fn save_kind(db: &mut Db, k: &kinds::CertKind) -> Result<kinds::CertKind> {
    let code = k.code.trim();
    if code.is_empty() || !code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
        return Err(Error::invalid(
            "bad_code",
            "类型代码只能用小写字母、数字和下划线，例如 green_factory。",
            "The code uses lower-case letters, digits and _.",
        ));
    }
    if crate::text::clean(&k.name_zh).is_empty() {
        return Err(Error::invalid("missing_required", "请填写中文名称。", "Enter the Chinese name."));
    }
    let sort = match sql::kind(db.conn(), code)? {
        Some(_) => sql::kinds(db.conn())?.iter().position(|x| x.code == code).map(|p| p as i64 + 1).unwrap_or(1),
        None => sql::max_kind_sort(db.conn())? + 1,
    };
    let k = kinds::CertKind { code: code.to_string(), name_zh: crate::text::clean(&k.name_zh), ..k.clone() };
    db.write(|tx| sql::put_kind(tx, &k, sort))?;
    Ok(k)
}

pub fn list(db: &Db, enterprise: Option<i64>, kind: Option<&str>, expiring_within: Option<i64>) -> Result<Vec<Certification>> {
    let from = today().to_string();
    let by = expiring_within.map(|d| (today() + Duration::days(d)).to_string());
    sql::certifications(db.conn(), enterprise, kind, by.as_deref().map(|b| (from.as_str(), b)))
}

pub fn get(db: &Db, id: i64) -> Result<Certification> {
    sql::certification(db.conn(), id)?.ok_or(Error::NotFound { entity: "certification", key: id.to_string() })
}

fn date(s: &str, field: &str) -> Result<NaiveDate> {
    crate::model::date::parse_date_text(s).ok_or_else(|| {
        Error::invalid("bad_date", format!("“{s}”不是有效日期。"), format!("“{s}” is not a date.")).with_details(serde_json::json!({"field": field}))
    })
}

/// Register a certification by hand (the import adds them from park files).
pub fn add(db: &mut Db, c: &CertInput) -> Result<Certification> {
    let e = crate::enterprise::find(db, &c.uscc)?;
    let all = kinds(db)?;
    if let (None, Some((k, level))) = (kinds::match_kind(&all, &c.kind), kinds::level_mismatch(&all, &c.kind)) {
        return Err(kinds::level_mismatch_error(c.kind.trim(), k, level));
    }
    let k = kinds::match_kind(&all, &c.kind).ok_or_else(|| {
        Error::invalid("unknown_kind", format!("不认识认定类型“{}”。", c.kind), format!("Unknown certification kind “{}”.", c.kind))
            .with_details(serde_json::json!({"field": "kind"}))
    })?;
    if let Some(w) = c.level.as_deref().and_then(|l| kinds::level_conflict(k, l)) {
        return Err(kinds::level_mismatch_error(&format!("{}（{}）", k.name_zh, c.level.as_deref().unwrap_or("").trim()), k, w)
            .with_details(serde_json::json!({"field": "level", "kind": k.code, "level": w})));
    }
    let issued = date(&c.issued_on, "issued_on")?;
    let given = c.expires_on.as_deref().filter(|s| !s.trim().is_empty()).map(|s| date(s, "expires_on")).transpose()?;
    if let Some(x) = given {
        if x < issued {
            return Err(Error::invalid("out_of_range", "有效期至早于发证日期。", "The expiry is before the issue date.")
                .with_details(serde_json::json!({"field": "expires_on"})));
        }
    }
    let derived = kinds::derived_expiry(k, issued);
    let rec = crate::model::import::CertRecord {
        uscc: e.uscc.clone(),
        name: e.name.clone(),
        kind: k.code.clone(),
        certificate_no: c.certificate_no.as_deref().map(crate::text::clean).filter(|s| !s.is_empty()),
        issued_on: Some(issued.to_string()),
        expires_on: given.or(derived).map(|d| d.to_string()),
        expiry_differs_from_rule: match (given, derived) {
            (Some(g), Some(d)) if g != d => Some(true),
            _ => None,
        },
        expiry_from_rule: given.is_none() && derived.is_some(),
        level: None,
    };
    if let Some(id) = isql::find_certification(db.conn(), e.id, &rec.kind, rec.certificate_no.as_deref().unwrap_or(""), &issued.to_string())? {
        return Err(Error::refused(
            "certification_exists",
            format!("“{}”已登记过这项认定（#{id}）。", e.name),
            format!("“{}” already has this certification (#{id}).", e.name),
        ));
    }
    let level = c.level.as_deref().map(crate::text::clean).unwrap_or_default();
    let id = db.write(|tx| isql::insert_certification(tx, e.id, &rec, &level, "manual"))?;
    get(db, id)
}

pub fn revoke(db: &mut Db, id: i64, reason: &str) -> Result<Certification> {
    let reason = crate::text::clean(reason);
    if reason.is_empty() {
        return Err(Error::invalid("reason_required", "请填写理由。", "A reason is required."));
    }
    get(db, id)?;
    db.write(|tx| sql::revoke_certification(tx, id, &reason))?;
    get(db, id)
}

// ---- milestones --------------------------------------------------------------------------------

const REMINDERS: &str = "reminders";

pub fn reminder_settings(db: &Db) -> Result<ReminderSettings> {
    Ok(settings::get(db.conn(), REMINDERS)?.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
}

pub fn save_reminder_settings(db: &mut Db, s: &ReminderSettings) -> Result<ReminderSettings> {
    if !(1..=730).contains(&s.window_days) || !(0..=730).contains(&s.renewal_lead_days) || !(0..=365).contains(&s.overdue_days) {
        return Err(Error::invalid("out_of_range", "天数超出范围（提醒范围1–730天）。", "Days out of range."));
    }
    let json = serde_json::to_string(s)?;
    db.write(|tx| settings::set(tx, REMINDERS, &json).map(|_| ()))?;
    Ok(s.clone())
}

/// Everything that falls due between `today − overdue_days` and `today + within` days, overdue
/// first, then by date.
pub fn reminders(db: &Db, on: NaiveDate, within: Option<i64>) -> Result<Vec<Milestone>> {
    let cfg = reminder_settings(db)?;
    let within = within.unwrap_or(cfg.window_days);
    let all_kinds = kinds(db)?;
    let certs = sql::certifications(db.conn(), None, None, None)?;
    let from = on - Duration::days(cfg.overdue_days);
    let to = on + Duration::days(within);
    // A newer certification of the same kind for the same enterprise means the old one was renewed.
    let renewed = |c: &Certification| certs.iter().any(|o| o.enterprise_id == c.enterprise_id && o.kind == c.kind && o.issued_on > c.issued_on);
    let mut out = Vec::new();
    for c in &certs {
        let Some(k) = all_kinds.iter().find(|k| k.code == c.kind) else { continue };
        let issued = NaiveDate::parse_from_str(&c.issued_on, "%Y-%m-%d").ok();
        let expires = c.expires_on.as_deref().and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
        let mut push = |d: NaiveDate, kind: MilestoneKind, text: String| {
            if d >= from && d <= to {
                let days = (d - on).num_days();
                out.push(Milestone {
                    date: d.to_string(),
                    kind,
                    days,
                    overdue: days < 0,
                    certification_id: c.id,
                    cert_kind: c.kind.clone(),
                    certificate_no: c.certificate_no.clone(),
                    enterprise_id: c.enterprise_id,
                    enterprise_name: c.enterprise_name.clone(),
                    uscc: c.uscc.clone(),
                    park: c.park.clone(),
                    text_zh: text,
                });
            }
        };
        if let Some(x) = expires {
            if !renewed(c) {
                push(x, MilestoneKind::Expiry, format!("{}资格（证书 {}）于 {} 到期。", k.name_zh, c.certificate_no, x));
                if k.review == Some(true) {
                    push(x, MilestoneKind::Review, format!("{}三年期满，需参加复核。", k.name_zh));
                }
                let prep = x - Duration::days(cfg.renewal_lead_days);
                if k.validity.as_ref().and_then(|v| v.years).is_some() {
                    push(prep, MilestoneKind::RenewalPrep, format!("{}将于 {} 到期，应开始准备重新认定。", k.name_zh, x));
                }
            }
        }
        // 高企 annual report: 31 May of every year after the issue year, while valid.
        if let (Some(ar), Some(i)) = (&k.annual_report, issued) {
            for y in (i.year() + 1)..=(on.year() + 1) {
                if let Some(d) = NaiveDate::from_ymd_opt(y, ar.month, ar.day) {
                    if expires.is_none_or(|x| d <= x) {
                        push(d, MilestoneKind::AnnualReport, format!("{}年度发展情况报表须在 {} 前填报。", k.name_zh, d));
                    }
                }
            }
        }
        // 科技型中小企业: the evaluation window of the next year opens.
        if let (Some(w), Some(x)) = (&k.evaluation_window, expires) {
            if !renewed(c) {
                for y in [x.year(), x.year() + 1] {
                    if let (Some(a), Some(b)) = (NaiveDate::from_ymd_opt(y, w.from.month, w.from.day), NaiveDate::from_ymd_opt(y, w.to.month, w.to.day)) {
                        if a > x - Duration::days(366) {
                            push(a, MilestoneKind::EvaluationWindow, format!("{}{}年度评价开始（{} 至 {}），请提醒企业申报。", k.name_zh, y, a, b));
                        }
                    }
                }
            }
        }
    }
    out.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(a.date.cmp(&b.date)).then(a.enterprise_name.cmp(&b.enterprise_name)));
    Ok(out)
}

/// The reminders as an xlsx (to send round).
pub fn export_reminders(db: &Db, within: Option<i64>, path: &std::path::Path) -> Result<u64> {
    use crate::export::{write_xlsx, Cell, Sheet};
    let list = reminders(db, today(), within)?;
    let kinds = kinds(db)?;
    let label = |m: MilestoneKind| match m {
        MilestoneKind::Expiry => "到期",
        MilestoneKind::RenewalPrep => "准备重新认定",
        MilestoneKind::AnnualReport => "年报",
        MilestoneKind::EvaluationWindow => "评价申报",
        MilestoneKind::Review => "复核",
    };
    write_xlsx(
        path,
        &Sheet {
            name: "提醒",
            headers: vec![
                ("日期", 12.0),
                ("事项", 14.0),
                ("状态", 10.0),
                ("企业名称", 36.0),
                ("统一社会信用代码", 22.0),
                ("所属园区", 22.0),
                ("认定类型", 24.0),
                ("证书编号", 20.0),
                ("说明", 60.0),
            ],
        },
        |sink| {
            for m in &list {
                sink(vec![
                    Cell::Date(Some(m.date.clone())),
                    Cell::Text(label(m.kind).into()),
                    Cell::Text(if m.overdue { format!("已逾期{}天", -m.days) } else { format!("还有{}天", m.days) }),
                    Cell::Text(m.enterprise_name.clone()),
                    Cell::Text(m.uscc.clone()),
                    Cell::Text(m.park.clone().unwrap_or_default()),
                    Cell::Text(kinds.iter().find(|k| k.code == m.cert_kind).map(|k| k.name_zh.clone()).unwrap_or_else(|| m.cert_kind.clone())),
                    Cell::Text(m.certificate_no.clone()),
                    Cell::Text(m.text_zh.clone()),
                ])?;
            }
            Ok(())
        },
    )
}
