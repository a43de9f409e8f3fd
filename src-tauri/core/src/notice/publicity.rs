//! 公示: before money goes out, approved grants and rewards are published as a list (拟支持企业
//! 名单公示) for some working days — a numbered document like every notice, and the list as an
//! xlsx for the website. While the period runs nothing on the list is paid; an objection against
//! an item holds it until it is resolved (the grant kept, dropped — revoked — or amended to a
//! lower amount, each with its reason in the journal). When the period has ended the list is
//! closed: every item without an open objection is cleared for payment.
//!
//! Working days are Monday to Friday (public holidays are not known offline: an office that
//! publishes over a holiday gives more days).

pub use crate::model::publicity::*;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde_json::json;

use super::{fill_template, fonts, layout, layout_error, legal_basis, sql as nsql, zh_date, Draft, NoticeKind, Target};
use crate::error::{Error, Result};
use crate::money::fmt_yuan;
use crate::store::{publicity as sql, Db};

/// The approved grants and rewards that have not been published yet (what `create` takes by
/// default): (grants, rewards).
pub fn unpublished(db: &Db) -> Result<(Vec<i64>, Vec<i64>)> {
    let grants = crate::rent::grants(db, Some(crate::rent::GrantStatus::Approved))?
        .into_iter()
        .filter(|g| g.paid_fen == 0)
        .map(|g| g.id)
        .filter(|id| sql::items_of(db.conn(), Some(*id), None).map(|v| v.is_empty()).unwrap_or(false))
        .collect();
    let rewards = crate::cert::reward::list(db, Some(crate::cert::reward::RewardStatus::Approved), None)?
        .into_iter()
        .filter(|r| r.paid_fen == 0)
        .map(|r| r.id)
        .filter(|id| sql::items_of(db.conn(), None, Some(*id)).map(|v| v.is_empty()).unwrap_or(false))
        .collect();
    Ok((grants, rewards))
}

fn is_working(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The first working day on or after `d`, and the `n`-th working day counting it as the first.
pub fn period(d: NaiveDate, n: i64) -> (NaiveDate, NaiveDate) {
    let mut start = d;
    while !is_working(start) {
        start += Duration::days(1);
    }
    let mut end = start;
    let mut left = n - 1;
    while left > 0 {
        end += Duration::days(1);
        if is_working(end) {
            left -= 1;
        }
    }
    (start, end)
}

fn date(s: &str, field: &str) -> Result<NaiveDate> {
    crate::model::date::parse_date_text(s)
        .ok_or_else(|| Error::invalid("bad_date", format!("“{s}”不是有效日期。"), format!("“{s}” is not a date.")).with_details(json!({"field": field})))
}

pub fn get(db: &Db, id: i64) -> Result<Publicity> {
    sql::publicity(db.conn(), id)?.ok_or(Error::NotFound { entity: "publicity", key: id.to_string() })
}

pub fn list(db: &Db) -> Result<Vec<Publicity>> {
    sql::publicities(db.conn())
}

/// Publish a list: the items, the document (numbered from the register) — one transaction.
/// Returns the list and the PDF.
pub fn create(db: &mut Db, input: &PublicityInput, today: NaiveDate) -> Result<(Publicity, Vec<u8>)> {
    let office = crate::system::office(db)?;
    let days = input.days.unwrap_or(office.publicity_days);
    if !(1..=30).contains(&days) {
        return Err(Error::invalid("out_of_range", "公示期应为1–30个工作日（通常为5个工作日）。", "The period is 1–30 working days.")
            .with_details(json!({"field": "days"})));
    }
    let contact = input.contact.as_deref().map(crate::text::clean).filter(|c| !c.is_empty()).unwrap_or_else(|| office.publicity_contact.clone());
    let office = crate::system::OfficeSettings { publicity_contact: contact.clone(), ..office };
    super::check_settings(&office, NoticeKind::Publicity)?;
    let (grants, rewards) = if input.grants.is_empty() && input.rewards.is_empty() { unpublished(db)? } else { (input.grants.clone(), input.rewards.clone()) };
    if grants.is_empty() && rewards.is_empty() {
        return Err(Error::invalid(
            "nothing_selected",
            "没有可公示的事项：已批准、尚未拨付、未公示过的补贴和奖励才能列入公示名单。",
            "Nothing to publish: approved, unpaid grants and rewards not published before.",
        ));
    }
    let start = input.starts_on.as_deref().map(|s| date(s, "starts_on")).transpose()?.unwrap_or(today);
    if start < today {
        return Err(Error::invalid(
            "publicity_backdated",
            format!("公示期不能早于公示文件的日期（{}）：公示从发布之日起算。", zh_date(today)),
            format!("The period cannot start before the document's date ({today})."),
        )
        .with_details(json!({"field": "starts_on"})));
    }
    let (starts_on, ends_on) = period(start, days);
    let Listed { items, lines, programs: uniq, articles } = listed(db, &grants, &rewards)?;
    let what = if uniq.len() <= 3 { uniq.join("、") } else { format!("{}等{}个项目", uniq[..2].join("、"), uniq.len()) };
    let subject = format!("关于{}年度{}拟支持企业名单的公示", today.year(), what);
    let policy = crate::policy::policy(db)?;
    let basis = list_basis(db, &policy, &articles, &what)?;
    let list: Vec<String> =
        lines.iter().enumerate().map(|(i, (n, u, p, a))| format!("{}．{}（统一社会信用代码：{}），{}，{}元。", i + 1, n, u, p, fmt_yuan(*a))).collect();
    let tpl = nsql::template(db.conn(), NoticeKind::Publicity, None)?.ok_or_else(|| Error::Internal("no publicity template".into()))?;
    let mut f = std::collections::BTreeMap::new();
    for (k, v) in [
        ("subject", subject.clone()),
        ("what", what.clone()),
        ("days", days.to_string()),
        ("starts_on", zh_date(starts_on)),
        ("ends_on", zh_date(ends_on)),
        ("contact", contact.clone()),
        ("list", list.join("\n")),
        ("legal_basis", basis),
        ("authority", office.authority.clone()),
        ("citation", crate::policy::citation(&policy, articles[0])),
    ] {
        f.insert(k.to_string(), v);
    }
    let target = Target { kind: NoticeKind::Publicity, id: 0 };
    let (title, body) = fill_template(&tpl, &f, target)?;
    let doc = layout::NoticeDoc {
        authority: if tpl.genre == "函" { office.authority.clone() } else { format!("{}文件", office.authority) },
        doc_number: None,
        title: title.clone(),
        recipient: String::new(),
        paragraphs: body.lines().map(|l| layout::Paragraph { text: l.to_string(), indent: true, bold: false }).collect(),
        signer: office.signer.clone(),
        date: zh_date(today),
        footer: None,
        watermark: None,
        letter: tpl.genre == "函",
        imprint: super::imprint(&office, today, tpl.genre == "函"),
        layout: layout::LAYOUT_VERSION,
    };
    layout::check_glyphs(&doc, fonts()?).map_err(layout_error)?;
    let mut draft = Draft {
        target,
        subject: title.lines().collect(),
        enterprise_id: 0,
        enterprise_name: String::new(),
        uscc: String::new(),
        amount_fen: Some(items.iter().map(|i| i.3).sum()),
        genre: tpl.genre.clone(),
        template_version: tpl.version,
        clause: super::clause_snapshot(db, articles[0], None, &what)?,
        fields: f,
        doc,
        prefix: if tpl.genre == "函" { format!("{}函", office.doc_prefix) } else { office.doc_prefix.clone() },
        year: today.year(),
    };
    let fonts = fonts()?;
    let (id, notice_id) = db.write(|tx| {
        let id = sql::insert(
            tx,
            &sql::NewPublicity { subject: &subject, working_days: days, starts_on: &starts_on.to_string(), ends_on: &ends_on.to_string(), contact: &contact },
            &items,
        )?;
        draft.target.id = id;
        let (notice_id, _, _) = super::issue_in(tx, &draft, fonts, None)?;
        sql::set_notice(tx, id, notice_id)?;
        Ok((id, notice_id))
    })?;
    let pdf = super::pdf(db, notice_id)?;
    Ok((get(db, id)?, pdf))
}

/// What a list holds: one item per grant or reward (approved, nothing paid, not on a list
/// already), its line in the document, the programs (in order, once) and the articles behind them.
struct Listed {
    items: Vec<sql::NewItem>,
    lines: Vec<(String, String, String, i64)>,
    programs: Vec<String>,
    articles: Vec<i64>,
}

fn listed(db: &Db, grants: &[i64], rewards: &[i64]) -> Result<Listed> {
    let mut items: Vec<sql::NewItem> = Vec::new();
    let mut lines: Vec<(String, String, String, i64)> = Vec::new();
    let mut programs: Vec<String> = Vec::new();
    let mut articles: Vec<i64> = Vec::new();
    for id in grants {
        let g = crate::rent::grant(db, *id)?;
        if g.status != crate::rent::GrantStatus::Approved || g.paid_fen > 0 {
            return Err(Error::refused(
                "not_publishable",
                format!("补贴 #{} 当前为“{}”{}，不能列入公示。", g.id, g.status.label_zh(), if g.paid_fen > 0 { "且已拨付" } else { "" }),
                format!("Grant #{} cannot be published ({}).", g.id, g.status.as_str()),
            )
            .with_details(json!({"grant_id": g.id})));
        }
        if let Some((_, p)) = sql::items_of(db.conn(), Some(*id), None)?.into_iter().next() {
            return Err(already_listed(&format!("补贴 #{id}"), &p));
        }
        let amount = g.approved_fen.unwrap_or(g.computed_fen);
        let name = crate::policy::program(db, &g.program_code)?.name_zh;
        items.push((Some(g.id), None, g.enterprise_id, amount));
        lines.push((g.enterprise_name.clone(), g.uscc.clone(), name.clone(), amount));
        programs.push(name);
        articles.push(g.clause.article);
    }
    for id in rewards {
        let r = crate::cert::reward::get(db, *id)?;
        if r.status != crate::cert::reward::RewardStatus::Approved || r.paid_fen > 0 {
            return Err(Error::refused(
                "not_publishable",
                format!("奖励 #{} 当前为“{}”，不能列入公示。", r.id, r.status.label_zh()),
                format!("Reward #{} cannot be published.", r.id),
            )
            .with_details(json!({"reward_id": r.id})));
        }
        if let Some((_, p)) = sql::items_of(db.conn(), None, Some(*id))?.into_iter().next() {
            return Err(already_listed(&format!("奖励 #{id}"), &p));
        }
        let amount = r.approved_fen.unwrap_or(r.amount_fen);
        items.push((None, Some(r.id), r.enterprise_id, amount));
        lines.push((r.enterprise_name.clone(), r.uscc.clone(), r.program_name_zh.clone(), amount));
        programs.push(r.program_name_zh.clone());
        articles.push(r.article);
    }
    programs.dedup();
    let mut uniq: Vec<String> = Vec::new();
    for p in programs {
        if !uniq.contains(&p) {
            uniq.push(p);
        }
    }
    articles.sort();
    articles.dedup();
    Ok(Listed { items, lines, programs: uniq, articles })
}

/// The legal basis of a list: its one clause as a notice cites it, or every article behind it
/// (each quoted only where the office entered the official text).
fn list_basis(db: &Db, policy: &crate::policy::Policy, articles: &[i64], what: &str) -> Result<String> {
    // The clauses behind the list: each cited (without quotation unless the office entered the
    // official text).
    let citations: Vec<String> = articles
        .iter()
        .map(|a| super::clause_snapshot(db, *a, None, what))
        .collect::<Result<Vec<_>>>()?
        .iter()
        .map(|c| {
            if c.quote.is_empty() {
                format!("第{}条", crate::policy::chinese_number(c.article))
            } else {
                format!("第{}条关于“{}”的规定", crate::policy::chinese_number(c.article), c.quote)
            }
        })
        .collect();
    Ok(match articles.len() {
        1 => legal_basis(&super::clause_snapshot(db, articles[0], None, what)?),
        _ => {
            format!("根据《{}》（{}）{}", policy.title_zh, policy.doc_number, citations.join("、")).replace("条、第", "条、第")
                + if citations.iter().any(|c| c.ends_with("规定")) { "" } else { "规定" }
        }
    })
}

fn already_listed(what: &str, p: &Publicity) -> Error {
    Error::refused(
        "already_published",
        format!("{what} 已列入公示（{}，{} 至 {}），不重复公示。", p.doc_number.clone().unwrap_or_else(|| format!("公示 #{}", p.id)), p.starts_on, p.ends_on),
        format!("{what} was already published (list #{}).", p.id),
    )
    .with_details(json!({"publicity_id": p.id}))
}

/// The list as an xlsx for the website.
pub fn export_xlsx(db: &Db, id: i64, path: &std::path::Path) -> Result<u64> {
    use crate::export::{write_xlsx, Cell, Sheet};
    let p = get(db, id)?;
    write_xlsx(
        path,
        &Sheet {
            name: "公示名单", headers: vec![("序号", 8.0), ("企业名称", 40.0), ("统一社会信用代码", 22.0), ("支持项目", 36.0), ("金额（元）", 16.0)]
        },
        |sink| {
            for (i, it) in p.items.iter().enumerate() {
                sink(vec![
                    Cell::Int(Some(i as i64 + 1)),
                    Cell::Text(it.enterprise_name.clone()),
                    Cell::Text(it.uscc.clone()),
                    Cell::Text(it.program_name_zh.clone()),
                    Cell::Money(Some(it.amount_fen)),
                ])?;
            }
            Ok(())
        },
    )
}

/// The item of a list for a grant or a reward.
fn item_in(p: &Publicity, grant: Option<i64>, reward: Option<i64>) -> Result<Item> {
    p.items.iter().find(|i| (grant.is_some() && i.grant_id == grant) || (reward.is_some() && i.reward_id == reward)).cloned().ok_or_else(|| {
        Error::invalid("not_in_publicity", format!("该事项不在公示名单 #{} 中。", p.id), format!("Not on list #{}.", p.id))
            .with_details(json!({"publicity_id": p.id}))
    })
}

/// Record an objection against an item, received during the period.
pub fn object(db: &mut Db, id: i64, grant: Option<i64>, reward: Option<i64>, text: &str, objector: &str, received_on: NaiveDate) -> Result<Publicity> {
    let p = get(db, id)?;
    let it = item_in(&p, grant, reward)?;
    let text = crate::text::clean(text);
    if text.is_empty() {
        return Err(Error::invalid("reason_required", "请填写异议内容。", "Enter what the objection says.").with_details(json!({"field": "text"})));
    }
    if received_on > crate::model::date::today() {
        return Err(Error::invalid("out_of_range", format!("异议收到日期 {received_on} 晚于今天，请核对。"), format!("{received_on} is in the future."))
            .with_details(json!({"field": "received_on"})));
    }
    let (s, e) = (date(&p.starts_on, "starts_on")?, date(&p.ends_on, "ends_on")?);
    if received_on < s || received_on > e {
        return Err(Error::refused(
            "outside_publicity",
            format!("异议收到日期 {received_on} 不在公示期（{} 至 {}）内，不作为公示异议登记。", p.starts_on, p.ends_on),
            format!("{received_on} is outside the period ({} to {}).", p.starts_on, p.ends_on),
        )
        .with_details(json!({"field": "received_on"})));
    }
    if it.outcome == Outcome::Dropped {
        return Err(Error::refused("already_dropped", "该事项已取消支持。", "This item was dropped already."));
    }
    let objector = crate::text::clean(objector);
    db.write(|tx| {
        sql::insert_objection(tx, it.id, &received_on.to_string(), &objector, &text)?;
        // An objection holds a cleared item again until it is resolved.
        if it.outcome == Outcome::Cleared {
            sql::set_outcome(tx, it.id, Outcome::Listed, None)?;
        }
        Ok(())
    })?;
    get(db, id)
}

/// Resolve an objection: keep the grant, drop it (revoked with `reason`), or amend its amount
/// (lowered to `amended_fen`, with `reason`). When the list is closed and no objection is left
/// open on the item, it is cleared (or dropped).
pub fn resolve(db: &mut Db, objection_id: i64, status: ObjectionStatus, reason: &str, amended_fen: Option<i64>) -> Result<Publicity> {
    let o = sql::objection(db.conn(), objection_id)?.ok_or(Error::NotFound { entity: "objection", key: objection_id.to_string() })?;
    if o.status != ObjectionStatus::Open {
        return Err(Error::refused(
            "already_resolved",
            format!("该异议已于 {} 处理（{}）。", o.resolved_at.clone().unwrap_or_default(), o.status.label_zh()),
            "The objection is resolved already.",
        ));
    }
    let reason = crate::text::clean(reason);
    if reason.is_empty() {
        return Err(Error::invalid("reason_required", "请填写处理理由（记入变更记录）。", "Give the reason (it is kept in the journal).")
            .with_details(json!({"field": "reason"})));
    }
    let pid = sql::publicity_of_item(db.conn(), o.item_id)?;
    let p = get(db, pid)?;
    let it = p.items.iter().find(|i| i.id == o.item_id).cloned().ok_or_else(|| Error::Internal("item vanished".into()))?;
    let why = format!("经公示异议核实，{reason}");
    match status {
        ObjectionStatus::Open => return Err(Error::invalid("bad_status", "处理结果应为维持、取消支持或调整金额。", "Keep, drop or amend.")),
        ObjectionStatus::Dropped => {
            if let Some(g) = it.grant_id {
                crate::rent::revoke(db, g, &why)?;
            }
            if let Some(r) = it.reward_id {
                crate::cert::reward::revoke(db, r, &why)?;
            }
        }
        ObjectionStatus::Amended => {
            let a = amended_fen.filter(|a| *a > 0 && *a < it.amount_fen).ok_or_else(|| {
                Error::invalid(
                    "out_of_range",
                    format!("调整后的金额应大于0且低于公示金额 {} 元。", fmt_yuan(it.amount_fen)),
                    "The amended amount must be above 0 and below the published one.",
                )
                .with_details(json!({"field": "amended_fen"}))
            })?;
            if let Some(g) = it.grant_id {
                crate::rent::amend(db, g, a, &why)?;
            }
            if let Some(r) = it.reward_id {
                crate::cert::reward::amend(db, r, a, &why)?;
            }
        }
        ObjectionStatus::Kept => {}
    }
    let others_open = it.objections.iter().filter(|x| x.id != o.id && x.status == ObjectionStatus::Open).count();
    let closed = p.status == "closed";
    db.write(|tx| {
        sql::resolve_objection(tx, o.id, status, &reason, amended_fen.filter(|_| status == ObjectionStatus::Amended))?;
        match status {
            ObjectionStatus::Dropped => sql::set_outcome(tx, it.id, Outcome::Dropped, None)?,
            ObjectionStatus::Amended => sql::set_outcome(tx, it.id, if closed && others_open == 0 { Outcome::Cleared } else { Outcome::Listed }, amended_fen)?,
            _ if closed && others_open == 0 => sql::set_outcome(tx, it.id, Outcome::Cleared, None)?,
            _ => {}
        }
        Ok(())
    })?;
    get(db, pid)
}

/// Close a list whose period has ended: every item without an open objection is cleared.
pub fn close(db: &mut Db, id: i64, today: NaiveDate) -> Result<Publicity> {
    let p = get(db, id)?;
    if p.status == "closed" {
        return Err(Error::refused(
            "already_closed",
            format!("公示 #{} 已于 {} 结束。", p.id, p.closed_at.clone().unwrap_or_default()),
            "The list is closed already.",
        ));
    }
    let ends = date(&p.ends_on, "ends_on")?;
    if today <= ends {
        return Err(Error::refused(
            "publicity_running",
            format!("公示期到 {} 为止，期满后才能结束公示。", p.ends_on),
            format!("The period runs until {}; close it after that.", p.ends_on),
        )
        .with_details(json!({"ends_on": p.ends_on})));
    }
    db.write(|tx| {
        for it in p.items.iter().filter(|i| i.outcome == Outcome::Listed && i.open_objections() == 0) {
            sql::set_outcome(tx, it.id, Outcome::Cleared, None)?;
        }
        sql::close(tx, id)
    })?;
    get(db, id)
}
