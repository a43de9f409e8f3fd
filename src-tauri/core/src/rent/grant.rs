//! Grants from draft to disbursed: drafting from an application, recalculating, the payout steps\n//! (decided by `payout`) with the ledger and budget checks.

use super::*;

pub fn grant(db: &Db, id: i64) -> Result<Grant> {
    sql::grant(db.conn(), id)?.ok_or(Error::NotFound { entity: "grant", key: id.to_string() })
}

pub fn grants(db: &Db, status: Option<GrantStatus>) -> Result<Vec<Grant>> {
    sql::grants(db.conn(), status)
}

pub fn payments(db: &Db, grant_id: i64) -> Result<Vec<Payment>> {
    sql::payments(db.conn(), grant_id)
}

pub(super) fn this_year() -> i32 {
    crate::model::date::today().year()
}

/// A draft grant computed from an application (the registry and the ledger supply the rest).
pub fn draft(db: &mut Db, application_id: i64) -> Result<Grant> {
    let app = application(db, application_id)?;
    if let Some(g) = app.grant_id {
        let st = grant(db, g)?.status;
        return Err(Error::refused(
            "grant_exists",
            format!(
                "这份申请已经生成过补贴（#{g}，{}）。{}",
                st.label_zh(),
                if st.is_live() { "" } else { "已作出的决定不再重新测算；如企业重新申请，请登记新的申请。" }
            ),
            format!("This application already has a grant (#{g}, {}).", st.as_str()),
        ));
    }
    let input = registry_input(db, &app, None)?;
    let rules = current_rules(db)?;
    let (clause, clause_id) = clause_ref(db)?;
    let result = compute(&input, &rules, clause)?;
    let program = crate::policy::program(db, "rent_subsidy")?;
    let id = db.write(|tx| sql::insert_grant(tx, &app, program.id, &result, clause_id, this_year()))?;
    grant(db, id)
}

/// Drafts for every application that has none yet, in the order they were entered.
pub fn draft_all(db: &mut Db) -> Result<Vec<Grant>> {
    let open: Vec<i64> = applications(db, true)?.into_iter().map(|a| a.id).collect();
    let mut out = Vec::new();
    for id in open {
        out.push(draft(db, id)?);
    }
    Ok(out)
}

/// A draft (or submitted) grant calculated again from today's registry and ledger, with the
/// current rule: after a certification or founding date was corrected, or a grant that covered its
/// days was rejected or revoked. An approved grant keeps what was approved.
pub fn recalculate(db: &mut Db, id: i64) -> Result<Grant> {
    let g = grant(db, id)?;
    if !matches!(g.status, GrantStatus::Draft | GrantStatus::Submitted) {
        return Err(wrong_state(&g, "重新测算", "recalculated"));
    }
    let app_id = g
        .application_id
        .ok_or_else(|| Error::refused("no_application", "这笔补贴没有对应的申请，不能重新测算。", "This grant has no application to calculate from."))?;
    let app = application(db, app_id)?;
    let input = registry_input(db, &app, Some(id))?;
    let rules = current_rules(db)?;
    let (clause, clause_id) = clause_ref(db)?;
    let result = compute(&input, &rules, clause)?;
    db.write(|tx| sql::update_calc(tx, id, &result, clause_id))?;
    grant(db, id)
}

/// A grant as the payout lifecycle sees it.
pub(super) fn payout_of(g: &Grant) -> Payout<'_> {
    let stage = match g.status {
        GrantStatus::Draft => Stage::Draft,
        GrantStatus::Submitted => Stage::Submitted,
        GrantStatus::Approved => Stage::Approved,
        GrantStatus::Disbursed => Stage::Disbursed,
        GrantStatus::Rejected => Stage::Rejected,
        GrantStatus::Revoked => Stage::Revoked,
    };
    Payout {
        noun: ("补贴", "grant"),
        id: g.id,
        stage,
        status_zh: g.status.label_zh(),
        status_en: g.status.as_str(),
        ceiling_fen: g.computed_fen,
        ceiling_zh: "测算金额",
        approved_fen: g.approved_fen,
        paid_fen: g.paid_fen,
    }
}

pub(super) fn wrong_state(g: &Grant, action_zh: &str, action_en: &str) -> Error {
    payout_of(g).wrong(action_zh, action_en)
}

pub fn submit(db: &mut Db, id: i64) -> Result<Grant> {
    let g = grant(db, id)?;
    if g.status != GrantStatus::Draft {
        return Err(wrong_state(&g, "提交", "submitted"));
    }
    db.write(|tx| sql::set_status(tx, id, GrantStatus::Submitted, None, None, None, "submit"))?;
    grant(db, id)
}

/// Approve (a draft or submitted grant). The amount defaults to the computed amount and never
/// exceeds it; a lower amount (核减) needs its reason. Approving past the program's yearly budget
/// needs `confirm_over_budget`.
pub fn approve(db: &mut Db, id: i64, amount_fen: Option<i64>, reason: Option<&str>, confirm_over_budget: bool) -> Result<Grant> {
    let g = grant(db, id)?;
    check_approvable(db, &g)?;
    let (amount, reason) = payout::approve(&payout_of(&g), amount_fen, reason)?;
    let over = over_budget(db, &[(g.id, amount)])?;
    let flag = over.is_some();
    if let (Some(e), false) = (over, confirm_over_budget) {
        return Err(e);
    }
    let year = this_year();
    db.write(|tx| {
        crate::store::policy::ensure_year_budgets(tx, year)?;
        sql::set_status(tx, id, GrantStatus::Approved, Some(amount), reason.as_deref(), Some((year, flag)), "approve")
    })?;
    grant(db, id)
}

pub(super) fn check_approvable(db: &Db, g: &Grant) -> Result<()> {
    payout::can_approve(&payout_of(g))?;
    if !g.explanation.eligible {
        let why = g.explanation.reasons.iter().map(|r| r.message_zh.clone()).collect::<Vec<_>>().join("；");
        return Err(Error::refused("not_eligible", format!("补贴 #{} 不符合条件，不能批准：{why}", g.id), format!("Grant #{} is not eligible.", g.id)));
    }
    check_ledger(db, g)
}

/// The grant's days against the other live grants of the enterprise: no day of the same premises
/// twice, the area cap on every day, 36 months in all. Drafts made with the ledger rules pass by
/// construction; grants made before them (or drafts of a ledger changed since) may not.
pub(super) fn check_ledger(db: &Db, g: &Grant) -> Result<()> {
    let mine = sql::spans_of(db.conn(), g.id)?;
    let lease = sql::lease(db.conn(), g.lease_id)?.ok_or(Error::NotFound { entity: "lease", key: g.lease_id.to_string() })?;
    let others: Vec<Covered> = ledger_for(db, g.enterprise_id, &lease, Some(g.id))?;
    let rules = current_rules(db)?.rules;
    let parsed: Vec<(NaiveDate, NaiveDate, &Covered)> =
        others.iter().map(|c| Ok((date(&c.start, "start")?, date(&c.end, "end")?, c))).collect::<Result<_>>()?;
    let mut union = calendar::DaySet::new();
    for (a, b, _) in &parsed {
        union.insert(*a, *b);
    }
    let again = |code: &'static str, zh: String, en: String, other: Option<i64>| {
        Error::refused(code, format!("{zh}请先“重新测算”这笔补贴，再批准。"), format!("{en} Recalculate the grant first."))
            .with_details(json!({"grant_id": g.id, "other_grant_id": other}))
    };
    for (s, e, area) in &mine {
        let (s, e) = (date(s, "start")?, date(e, "end")?);
        union.insert(s, e);
        let mut d = s;
        while d <= e {
            if let Some((_, _, c)) = parsed.iter().find(|(a, b, c)| c.same_premises && *a <= d && d <= *b) {
                return Err(again(
                    "period_already_subsidised",
                    format!("补贴 #{} 的 {d} 已由补贴 #{}（同一房屋）补贴，同一天不重复补贴。", g.id, c.grant_id),
                    format!("Grant #{} pays {d}, which grant #{} already pays for the same premises.", g.id, c.grant_id),
                    Some(c.grant_id),
                ));
            }
            if let Some(cap) = rules.area_cap_centi_m2 {
                let total: i64 = area + parsed.iter().filter(|(a, b, _)| *a <= d && d <= *b).map(|(_, _, c)| c.area_centi_m2).sum::<i64>();
                if total > cap {
                    return Err(again(
                        "area_cap_reached",
                        format!("{d} 该企业各处房屋合计补贴面积 {}，超过上限 {}。", area_text(total), area_text(cap)),
                        format!("On {d} the subsidised area would be {}, over the cap.", area_text(total)),
                        None,
                    ));
                }
            }
            d = match d.succ_opt() {
                Some(n) => n,
                None => break,
            };
        }
    }
    if union.units() > MAX_MONTHS * calendar::MONTH_UNITS {
        return Err(again(
            "months_exhausted",
            format!("批准后该企业累计补贴将达 {} 个月，超过三年（36个月）上限。", calendar::months_text(union.units())),
            format!("Approving would make {} months, over the 36-month limit.", calendar::months_text(union.units())),
            None,
        ));
    }
    Ok(())
}

/// The over-budget error if approving these amounts passes the budget.
pub(super) fn over_budget(db: &Db, items: &[(i64, i64)]) -> Result<Option<Error>> {
    let program = crate::policy::program(db, "rent_subsidy")?;
    let year = this_year();
    let (allocated, approved) = crate::store::policy::committed_fen(db.conn(), program.id, year)?;
    let adding: i64 = items.iter().map(|x| x.1).sum();
    if approved + adding > allocated {
        return Ok(Some(
            Error::refused(
                "over_budget",
                format!(
                    "{}年“{}”预算 {} 元，已批准 {} 元，本次 {} 元，将超出 {} 元。确认超预算批准吗？此操作会被记录。",
                    year,
                    program.name_zh,
                    fmt_yuan(allocated),
                    fmt_yuan(approved),
                    fmt_yuan(adding),
                    fmt_yuan(approved + adding - allocated)
                ),
                format!(
                    "This passes the {year} budget of {} by {}. Confirm to approve over budget (recorded).",
                    program.name_en,
                    fmt_yuan(approved + adding - allocated)
                ),
            )
            .with_details(json!({"allocated_fen": allocated, "approved_fen": approved, "adding_fen": adding})),
        ));
    }
    Ok(None)
}

/// Approve many drafts at once (one confirmation states the count and the total).
pub fn approve_many(db: &mut Db, ids: &[i64], confirm_over_budget: bool) -> Result<BatchApproval> {
    let mut items = Vec::new();
    for id in ids {
        let g = grant(db, *id)?;
        check_approvable(db, &g)?;
        items.push((g.id, g.computed_fen));
    }
    let over = over_budget(db, &items)?;
    let flag = over.is_some();
    if let (Some(e), false) = (over, confirm_over_budget) {
        return Err(e);
    }
    let year = this_year();
    db.write(|tx| {
        crate::store::policy::ensure_year_budgets(tx, year)?;
        for (id, amount) in &items {
            sql::set_status(tx, *id, GrantStatus::Approved, Some(*amount), None, Some((year, flag)), "approve")?;
        }
        Ok(())
    })?;
    Ok(BatchApproval { approved: items.len() as i64, total_fen: items.iter().map(|x| x.1).sum(), over_budget: flag })
}

pub fn reject(db: &mut Db, id: i64, reason: &str) -> Result<Grant> {
    let g = grant(db, id)?;
    let reason = payout::reject(&payout_of(&g), reason)?;
    db.write(|tx| sql::set_status(tx, id, GrantStatus::Rejected, None, Some(&reason), None, "reject"))?;
    grant(db, id)
}

pub fn revoke(db: &mut Db, id: i64, reason: &str) -> Result<Grant> {
    let g = grant(db, id)?;
    let reason = payout::revoke(&payout_of(&g), reason)?;
    db.write(|tx| sql::set_status(tx, id, GrantStatus::Revoked, None, Some(&reason), None, "revoke"))?;
    grant(db, id)
}

/// Lower an approved grant's amount (an objection to its 公示 partly upheld), with the reason.
pub fn amend(db: &mut Db, id: i64, amount_fen: i64, reason: &str) -> Result<Grant> {
    let g = grant(db, id)?;
    let reason = payout::amend(&payout_of(&g), amount_fen, reason)?;
    db.write(|tx| sql::set_status(tx, id, GrantStatus::Approved, Some(amount_fen), Some(&reason), None, "amend"))?;
    grant(db, id)
}

/// Record a payment; partial payments add up, never beyond the approved amount, never while a
/// 公示 holds the grant.
pub fn pay(db: &mut Db, id: i64, amount_fen: i64, paid_on: &str, reference: &str) -> Result<Grant> {
    let g = grant(db, id)?;
    let today = crate::model::date::today();
    let hold = payout::hold(db, Some(id), None, today)?;
    let d = payout::pay(&payout_of(&g), amount_fen, paid_on, reference, today, hold)?;
    db.write(|tx| {
        sql::insert_payment(tx, id, amount_fen, &d.paid_on.to_string(), &d.reference)?;
        if d.completes {
            sql::set_status(tx, id, GrantStatus::Disbursed, None, None, None, "disburse")?;
        }
        Ok(())
    })?;
    grant(db, id)
}
