//! The high-tech start-up rent subsidy (article 2): the district's rule scheme (versioned, within
//! the policy's two fixed limits), the calculation engine with its step-by-step explanation,
//! leases and growth reports, grants from draft to disbursed, and the budget check.

use chrono::{Datelike, NaiveDate};
use serde_json::json;

use crate::error::{Error, Result};
pub use crate::model::calendar;
pub use crate::model::rent::*;
use crate::money::fmt_yuan;
use crate::payout::{self, Payout, Stage};
use crate::store::{rent as sql, Db};

/// Check a rule scheme; the policy's limits (rate ≤ 100 %, 36 months) cannot be relaxed.
pub fn check_rules(r: &RentRules) -> Vec<RuleProblem> {
    let mut v = Vec::new();
    let mut p = |f: &str, zh: String, en: String| v.push(RuleProblem { field: f.into(), message_zh: zh, message_en: en });
    if !(1..=30).contains(&r.max_company_age_years) {
        p("max_company_age_years", "成立年限应在1–30年之间。".into(), "The company age limit must be 1–30 years.".into());
    }
    if r.tiers.is_empty() {
        p("tiers", "至少需要一档补贴比例。".into(), "At least one tier is needed.".into());
    }
    for (i, t) in r.tiers.iter().enumerate() {
        if t.rate_bp > MAX_RATE_BP {
            p(
                "tiers",
                format!("第{}档补贴比例 {}% 超过政策上限 100%（政策规定最高补贴100%，不能放宽）。", i + 1, t.rate_bp as f64 / 100.0),
                format!("Tier {}: {}% exceeds the policy's 100% limit (fixed).", i + 1, t.rate_bp as f64 / 100.0),
            );
        }
        if t.rate_bp <= 0 {
            p("tiers", format!("第{}档补贴比例必须大于0。", i + 1), format!("Tier {}: the rate must be above 0.", i + 1));
        }
        if t.min_growth_bp < 0 {
            p("tiers", format!("第{}档的增长率门槛不能为负（负增长不予补贴）。", i + 1), format!("Tier {}: the growth threshold cannot be negative.", i + 1));
        }
        if i > 0 && (t.min_growth_bp >= r.tiers[i - 1].min_growth_bp || t.rate_bp > r.tiers[i - 1].rate_bp) {
            p(
                "tiers",
                "各档应按增长率从高到低排列，增长率越高比例不低。".into(),
                "Tiers go from the highest growth down, and a higher growth never gets a lower rate.".into(),
            );
        }
    }
    for (f, val) in [("unit_rent_cap_fen", r.unit_rent_cap_fen), ("area_cap_centi_m2", r.area_cap_centi_m2), ("yearly_cap_fen", r.yearly_cap_fen)] {
        if val.is_some_and(|x| x <= 0) {
            p(f, "上限必须大于0，或留空表示不设上限。".into(), "A cap must be above 0, or empty for none.".into());
        }
    }
    if r.eligible_certifications.is_empty() {
        p("eligible_certifications", "至少选择一种认定（如高新技术企业、科技型中小企业）。".into(), "Choose at least one certification.".into());
    }
    v
}

// ---- the engine ---------------------------------------------------------------------------------

mod engine;
pub use engine::*;

// ---- rules in the database ---------------------------------------------------------------------

pub fn current_rules(db: &Db) -> Result<RuleVersion> {
    sql::current_rule(db.conn())?.ok_or(Error::NotFound { entity: "rent_rule", key: "current".into() })
}

pub fn rule_versions(db: &Db) -> Result<Vec<RuleVersion>> {
    sql::rule_versions(db.conn())
}

pub fn save_rules(db: &mut Db, rules: &RentRules, note: &str) -> Result<RuleVersion> {
    let problems = check_rules(rules);
    if let Some(first) = problems.first() {
        return Err(Error::invalid("invalid_rules", first.message_zh.clone(), first.message_en.clone()).with_details(json!({"problems": problems})));
    }
    if current_rules(db)?.rules == *rules {
        return Err(Error::invalid("nothing_changed", "规则没有变化。", "The rule did not change."));
    }
    let json = serde_json::to_string(rules)?;
    let note = crate::text::clean(note);
    db.write(|tx| sql::add_rule(tx, &json, &note))?;
    current_rules(db)
}

fn clause_ref(db: &Db) -> Result<(ClauseRef, i64)> {
    let c = crate::policy::current_clause(db, RENT_ARTICLE)?;
    Ok((ClauseRef { article: c.article, version: c.version }, c.id))
}

/// The calculator's what-if: explicit inputs, the current rule and clause.
pub fn calculate(db: &Db, input: &CalcInput) -> Result<CalcResult> {
    let rules = current_rules(db)?;
    let (clause, _) = clause_ref(db)?;
    compute(input, &rules, clause)
}

// ---- leases, growth, applications ------------------------------------------------------------

fn date(s: &str, field: &str) -> Result<NaiveDate> {
    crate::model::date::parse_date_text(s).ok_or_else(|| {
        Error::invalid("bad_date", format!("“{s}”不是有效日期（{field}）。"), format!("“{s}” is not a date ({field}).")).with_details(json!({"field": field}))
    })
}

fn founded_on(e: &crate::enterprise::Enterprise) -> Option<NaiveDate> {
    e.founded_on.as_deref().and_then(crate::model::date::parse_date_text)
}

/// A lease cannot start before the firm existed: a data error (`lease_before_founding`).
fn check_lease_start(e: &crate::enterprise::Enterprise, start: NaiveDate) -> Result<()> {
    match founded_on(e) {
        Some(f) if start < f => Err(Error::invalid(
            "lease_before_founding",
            format!("租期起 {start} 早于“{}”的成立日期 {f}：数据有误。请核对企业成立日期或租赁合同日期。", e.name),
            format!("The lease starts ({start}) before “{}” was founded ({f}): check the founding date or the lease.", e.name),
        )
        .with_details(json!({"field": "start_on", "founded_on": f.to_string()}))),
        _ => Ok(()),
    }
}

pub fn add_lease(db: &mut Db, enterprise_id: i64, l: &LeaseInput) -> Result<Lease> {
    let ent = crate::enterprise::get(db, enterprise_id)?;
    let s = date(&l.start_on, "start_on")?;
    let e = date(&l.end_on, "end_on")?;
    if e < s {
        return Err(Error::invalid("out_of_range", "租期止早于租期起。", "The lease ends before it starts.").with_details(json!({"field": "end_on"})));
    }
    if l.area_centi_m2 <= 0 || l.unit_rent_fen <= 0 {
        return Err(Error::invalid("out_of_range", "租赁面积和租金单价必须大于0。", "Area and unit rent must be above 0.")
            .with_details(json!({"field": if l.area_centi_m2 <= 0 { "area_centi_m2" } else { "unit_rent_fen" }})));
    }
    check_lease_start(&ent, s)?;
    let l = LeaseInput { start_on: s.to_string(), end_on: e.to_string(), address: l.address.as_deref().map(crate::text::clean), ..l.clone() };
    db.write(|tx| sql::insert_lease(tx, enterprise_id, &l))
}

pub fn leases(db: &Db, enterprise_id: i64) -> Result<Vec<Lease>> {
    sql::leases(db.conn(), enterprise_id)
}

pub fn set_growth(db: &mut Db, g: &GrowthReport) -> Result<()> {
    crate::enterprise::get(db, g.enterprise_id)?;
    if !(1990..=2100).contains(&g.year) {
        return Err(Error::invalid("out_of_range", "年度不正确。", "Wrong year."));
    }
    if g.revenue_fen.is_some_and(|v| v < 0) || g.rd_fen.is_some_and(|v| v < 0) || g.staff.is_some_and(|v| v < 0) {
        return Err(Error::invalid("out_of_range", "营业收入、研发投入和人数不能为负。", "Revenue, R&D and staff cannot be negative."));
    }
    db.write(|tx| sql::upsert_growth(tx, g))
}

pub fn growth(db: &Db, enterprise_id: i64) -> Result<Vec<GrowthReport>> {
    sql::growth(db.conn(), enterprise_id)
}

/// An application for days of a lease: any days within it (not only whole months).
pub fn add_application(db: &mut Db, a: &ApplicationInput) -> Result<Application> {
    let lease = sql::lease(db.conn(), a.lease_id)?.ok_or(Error::NotFound { entity: "lease", key: a.lease_id.to_string() })?;
    let s = date(&a.period_start, "period_start")?;
    let e = date(&a.period_end, "period_end")?;
    if e < s {
        return Err(Error::invalid("out_of_range", format!("补贴期间止（{e}）早于补贴期间起（{s}）。"), "The period ends before it starts.")
            .with_details(json!({"field": "period_end"})));
    }
    let ls = date(&lease.start_on, "start_on")?;
    let le = date(&lease.end_on, "end_on")?;
    if s < ls || e > le {
        return Err(Error::invalid(
            "out_of_range",
            format!("补贴期间须在租期（{} 至 {}）之内。", lease.start_on, lease.end_on),
            "The period must lie within the lease.",
        )
        .with_details(json!({"field": if s < ls { "period_start" } else { "period_end" }})));
    }
    if !(1..=MAX_YEARS).contains(&a.subsidy_year) {
        return Err(Error::invalid(
            "out_of_range",
            format!("申请补贴年度为第{}年，超出第1–3年的范围（政策规定补贴最长不超过三年）。", a.subsidy_year),
            "The subsidy year must be 1, 2 or 3.",
        )
        .with_details(json!({"field": "subsidy_year"})));
    }
    for (v, f) in [(a.revenue_prev_fen, "revenue_prev_fen"), (a.revenue_curr_fen, "revenue_curr_fen"), (a.requested_fen, "requested_fen")] {
        if v.is_some_and(|x| x < 0) {
            return Err(Error::invalid("out_of_range", "营业收入和申请金额不能为负。", "Revenues and the requested amount cannot be negative.")
                .with_details(json!({"field": f})));
        }
    }
    check_lease_start(&crate::enterprise::get(db, lease.enterprise_id)?, ls)?;
    let a = ApplicationInput { period_start: s.to_string(), period_end: e.to_string(), ..a.clone() };
    let id = db.write(|tx| sql::insert_application(tx, lease.enterprise_id, &a))?;
    application(db, id)
}

pub fn application(db: &Db, id: i64) -> Result<Application> {
    sql::application(db.conn(), id)?.ok_or(Error::NotFound { entity: "rent_application", key: id.to_string() })
}

pub fn applications(db: &Db, only_open: bool) -> Result<Vec<Application>> {
    sql::applications(db.conn(), only_open)
}

/// The premises a lease is for, compared across leases: its address without spaces, half-width,
/// lower case. Empty when the lease has no address.
pub fn premises_key(address: &str) -> String {
    crate::text::halfwidth(address).chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect()
}

/// Two leases are the same premises when they are the same lease or have the same address. A
/// lease without an address cannot be told apart from any other of the enterprise: it is taken as
/// the same premises, so that no day is paid twice (the explanation names the grant; entering the
/// address and calculating again lifts the cut when the premises differ).
pub fn same_premises(a_lease: i64, a_address: &str, b_lease: i64, b_address: &str) -> bool {
    let (a, b) = (premises_key(a_address), premises_key(b_address));
    a_lease == b_lease || a.is_empty() || b.is_empty() || a == b
}

/// The days the enterprise's live grants subsidise, as the engine reads them for `lease`.
fn ledger_for(db: &Db, enterprise_id: i64, lease: &Lease, exclude_grant: Option<i64>) -> Result<Vec<Covered>> {
    Ok(sql::live_spans(db.conn(), enterprise_id)?
        .into_iter()
        .filter(|s| Some(s.grant_id) != exclude_grant)
        .map(|s| Covered {
            grant_id: s.grant_id,
            same_premises: same_premises(lease.id, &lease.address, s.lease_id, &s.address),
            start: s.start,
            end: s.end,
            area_centi_m2: s.area_centi_m2,
        })
        .collect())
}

/// The registry's inputs for an application: founding date, certifications with their validity,
/// the days other live grants of the enterprise already subsidise.
fn registry_input(db: &Db, app: &Application, exclude_grant: Option<i64>) -> Result<CalcInput> {
    let e = crate::enterprise::get(db, app.enterprise_id)?;
    Ok(CalcInput {
        area_centi_m2: app.lease.area_centi_m2,
        unit_rent_fen: app.lease.unit_rent_fen,
        period_start: app.period_start.clone(),
        period_end: app.period_end.clone(),
        lease_start: Some(app.lease.start_on.clone()),
        lease_end: Some(app.lease.end_on.clone()),
        revenue_prev_fen: app.revenue_prev_fen,
        revenue_curr_fen: app.revenue_curr_fen,
        founded_on: e.founded_on,
        certifications: Vec::new(),
        cert_spans: Some(sql::cert_spans(db.conn(), app.enterprise_id)?),
        months_before: 0,
        ledger: ledger_for(db, app.enterprise_id, &app.lease, exclude_grant)?,
        subsidy_year: Some(app.subsidy_year),
        requested_fen: app.requested_fen,
    })
}

/// The calculator for a registered enterprise: its latest application (or lease), its growth
/// reports, certifications and the days already subsidised.
pub fn calculate_for(db: &Db, uscc: &str, from: Option<&str>, to: Option<&str>) -> Result<CalcResult> {
    let e = crate::enterprise::find(db, uscc)?;
    let apps: Vec<Application> = applications(db, false)?.into_iter().filter(|a| a.enterprise_id == e.id).collect();
    let mut input = if let Some(app) = apps.last() {
        registry_input(db, app, app.grant_id)?
    } else {
        let lease = leases(db, e.id)?
            .pop()
            .ok_or_else(|| Error::refused("no_lease", format!("“{}”还没有租赁记录。请先登记租赁。", e.name), format!("“{}” has no lease yet.", e.name)))?;
        let start = from.unwrap_or(&lease.start_on).to_string();
        let y = date(&start, "period_start")?.year();
        let g = growth(db, e.id)?;
        let rev = |yr: i32| g.iter().find(|r| r.year == yr).and_then(|r| r.revenue_fen);
        CalcInput {
            area_centi_m2: lease.area_centi_m2,
            unit_rent_fen: lease.unit_rent_fen,
            period_start: start.clone(),
            period_end: to.unwrap_or(&lease.end_on).to_string(),
            lease_start: Some(lease.start_on.clone()),
            lease_end: Some(lease.end_on.clone()),
            revenue_prev_fen: rev(y - 1),
            revenue_curr_fen: rev(y),
            founded_on: e.founded_on.clone(),
            certifications: Vec::new(),
            cert_spans: Some(sql::cert_spans(db.conn(), e.id)?),
            months_before: 0,
            ledger: ledger_for(db, e.id, &lease, None)?,
            subsidy_year: None,
            requested_fen: None,
        }
    };
    if let Some(f) = from {
        input.period_start = f.to_string();
    }
    if let Some(t) = to {
        input.period_end = t.to_string();
    }
    calculate(db, &input)
}

/// The subsidy year (第几年) a period starting on `start` has, from the days the enterprise's live
/// grants subsidise before it, and those months (units).
pub fn year_at(spans: &[sql::LiveSpan], start: NaiveDate) -> (i64, i64) {
    let mut union = calendar::DaySet::new();
    for s in spans {
        if let (Ok(a), Ok(b)) = (NaiveDate::parse_from_str(&s.start, "%Y-%m-%d"), NaiveDate::parse_from_str(&s.end, "%Y-%m-%d")) {
            union.insert(a, b);
        }
    }
    let used = union.units_before(start);
    (used / (12 * calendar::MONTH_UNITS) + 1, used)
}

// ---- the enterprise's timeline -------------------------------------------------------------------

pub fn timeline(db: &Db, enterprise_id: i64) -> Result<Timeline> {
    let e = crate::enterprise::get(db, enterprise_id)?;
    let rules = current_rules(db)?.rules;
    let spans = sql::live_spans(db.conn(), enterprise_id)?;
    let mut union = calendar::DaySet::new();
    let mut stretches = Vec::new();
    for s in spans {
        let (a, b) = (date(&s.start, "start")?, date(&s.end, "end")?);
        union.insert(a, b);
        let u = calendar::units(a, b);
        stretches.push(TimelineStretch {
            grant_id: s.grant_id,
            status: s.status,
            lease_id: s.lease_id,
            address: s.address,
            start: s.start,
            end: s.end,
            area_centi_m2: s.area_centi_m2,
            month_units: u,
            months: calendar::months_f64(u),
            fractions: calendar::fraction_sum(a, b),
        });
    }
    stretches.sort_by(|a, b| a.start.cmp(&b.start).then(a.grant_id.cmp(&b.grant_id)));
    let mut cuts = Vec::new();
    for g in sql::grants_of(db.conn(), enterprise_id)?.into_iter().filter(|g| g.status.is_live()) {
        for c in g.explanation.cuts {
            cuts.push(TimelineCut {
                grant_id: g.id,
                start: c.start,
                end: c.end,
                reason: c.reason,
                covered_by: c.grant_id,
                months: c.months,
                message_zh: c.message_zh,
                message_en: c.message_en,
            });
        }
    }
    cuts.sort_by(|a, b| a.start.cmp(&b.start));
    let used = union.units();
    let left = (MAX_MONTHS * calendar::MONTH_UNITS - used).max(0);
    let certifications = sql::cert_spans(db.conn(), enterprise_id)?.into_iter().filter(|c| rules.eligible_certifications.contains(&c.kind)).collect();
    Ok(Timeline {
        enterprise_id,
        uscc: e.uscc.clone(),
        name: e.name.clone(),
        founded_on: e.founded_on.clone(),
        young_until: founded_on(&e).map(|f| calendar::last_day_younger_than(f, rules.max_company_age_years).to_string()),
        leases: leases(db, enterprise_id)?,
        certifications,
        stretches,
        cuts,
        month_units_used: used,
        months_used: calendar::months_f64(used),
        month_units_left: left,
        months_left: calendar::months_f64(left),
    })
}

// ---- grants ------------------------------------------------------------------------------------

pub fn grant(db: &Db, id: i64) -> Result<Grant> {
    sql::grant(db.conn(), id)?.ok_or(Error::NotFound { entity: "grant", key: id.to_string() })
}

pub fn grants(db: &Db, status: Option<GrantStatus>) -> Result<Vec<Grant>> {
    sql::grants(db.conn(), status)
}

pub fn payments(db: &Db, grant_id: i64) -> Result<Vec<Payment>> {
    sql::payments(db.conn(), grant_id)
}

fn this_year() -> i32 {
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
fn payout_of(g: &Grant) -> Payout<'_> {
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

fn wrong_state(g: &Grant, action_zh: &str, action_en: &str) -> Error {
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

fn check_approvable(db: &Db, g: &Grant) -> Result<()> {
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
fn check_ledger(db: &Db, g: &Grant) -> Result<()> {
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
fn over_budget(db: &Db, items: &[(i64, i64)]) -> Result<Option<Error>> {
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

#[cfg(test)]
mod tests;
