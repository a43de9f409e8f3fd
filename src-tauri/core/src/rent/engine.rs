//! The calculation of one rent-subsidy application against the enterprise's ledger (DESIGN §2):
//! pure — every number comes from the input, the rule version and the clause reference.
//!
//! Day by day over the application's period (within its lease), a day is *kept* when the firm is
//! younger than the rule's age limit that day, holds a qualifying certification valid that day, the
//! same premises are not already subsidised that day by a live grant, some of the area cap is left
//! after the other premises subsidised that day, and the 36 months of the policy are not used up.
//! Every other day is *cut*, with its reason (and the grant that covered it). The amount is the
//! exact sum over the kept days of rate × unit rent × area × (1 / days in that month), rounded
//! half-up to the fen once. Month fractions are integers (`calendar::MONTH_UNITS`).

use chrono::{Datelike, NaiveDate};
use serde_json::{json, Value};

use super::calendar::{self, DaySet, MONTH_UNITS};
use super::*;
use crate::error::{Error, Result};
use crate::money::{div_round_half_up, fmt_yuan};

pub(crate) fn pct(bp: i64) -> String {
    if bp % 100 == 0 {
        format!("{}%", bp / 100)
    } else {
        let sign = if bp < 0 { "-" } else { "" };
        format!("{sign}{}.{:02}%", bp.abs() / 100, bp.abs() % 100)
    }
}

pub fn area_text(c: i64) -> String {
    format!("{}.{:02}㎡", c / 100, c % 100)
}

fn parse(s: &str, field: &str) -> Result<NaiveDate> {
    crate::model::date::parse_date_text(s).ok_or_else(|| {
        Error::invalid("bad_date", format!("“{s}”不是有效日期（{field}）。"), format!("“{s}” is not a date ({field}).")).with_details(json!({"field": field}))
    })
}

/// Growth g = (curr − prev) / prev in basis points for display: two decimals of a percent, never
/// rounded across a tier edge (29.996 % reads 29.99 %, not 30 %; −0.004 % reads −0.01 %).
pub(crate) fn growth_display_bp(prev: i64, curr: i64, edges: &[i64]) -> i64 {
    let num = (curr - prev) as i128 * 10_000;
    let rounded = div_round_half_up(num, prev as i128) as i64;
    let floor = num.div_euclid(prev as i128) as i64;
    let exact_below = |edge: i64| num < edge as i128 * prev as i128;
    if edges.iter().any(|&e| exact_below(e) && rounded >= e) {
        floor
    } else {
        rounded
    }
}

struct Ctx {
    steps: Vec<Step>,
    reasons: Vec<Reason>,
    warnings: Vec<Reason>,
    rv: i64,
    art: String,
}

impl Ctx {
    // A step is its code, two titles, its inputs and result, the sentence and its basis: one
    // argument each reads better at the call sites than a struct literal.
    #[allow(clippy::too_many_arguments)]
    fn step(&mut self, code: &str, zh: &str, en: &str, inputs: Value, result: Value, text: String, basis: Basis) {
        self.steps.push(Step { code: code.into(), title_zh: zh.into(), title_en: en.into(), inputs, result, text_zh: text, basis });
    }
    fn refuse(&mut self, code: &str, zh: String, en: String) {
        if !self.reasons.iter().any(|r| r.code == code) {
            self.reasons.push(Reason { code: code.into(), message_zh: zh, message_en: en });
        }
    }
    fn limit(&self, p: &str) -> Basis {
        Basis { kind: "policy_limit".into(), reference: format!("{} · {p}", self.art) }
    }
    fn clause(&self) -> Basis {
        Basis { kind: "clause".into(), reference: self.art.clone() }
    }
    /// A parameter of the rule version, as the rules page names it.
    fn rule(&self, p: &str) -> Basis {
        Basis { kind: "rule".into(), reference: format!("补贴规则第{}版 · {}", self.rv, rule_label(p)) }
    }
}

fn input_basis() -> Basis {
    Basis { kind: "input".into(), reference: "申请".into() }
}

/// What happens to one day.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Day {
    Kept(i64),
    Cut(&'static str, Option<i64>),
}

fn cut_message(code: &str, grant: Option<i64>, r: &RentRules) -> (String, String) {
    let g = grant.map(|g| format!("补贴 #{g} ")).unwrap_or_default();
    match code {
        "company_too_old" => {
            (format!("企业成立已满{}年，不再属于创业企业", r.max_company_age_years), format!("the firm is {} years old or more", r.max_company_age_years))
        }
        "not_certified" => ("当日没有有效的高新技术企业或科技型中小企业资格".into(), "no valid high-tech or tech-SME status that day".into()),
        "period_already_subsidised" => (
            format!("同一房屋的这些日子已由{g}补贴，同一天不重复补贴"),
            format!("the same premises are already subsidised by grant #{} on these days", grant.unwrap_or(0)),
        ),
        "area_cap_reached" => (
            format!("当日其他房屋（{}）已用满补贴面积上限", g.trim_end()),
            format!("other premises (grant #{}) use the whole area cap on these days", grant.unwrap_or(0)),
        ),
        "months_exhausted" => ("累计补贴已满三年（36个月）".into(), "the 36 months are used up".into()),
        _ => (code.to_string(), code.to_string()),
    }
}

/// A rule parameter as the rules page names it (the explanation cites it so).
pub fn rule_label(param: &str) -> &str {
    match param {
        "max_company_age_years" => "成立年限上限",
        "eligible_certifications" => "需持有的认定",
        "tiers" => "按营业收入增长确定补贴比例",
        "unit_rent_cap_fen" => "租金单价上限",
        "area_cap_centi_m2" => "面积上限",
        "yearly_cap_fen" => "每年补贴上限",
        p => p,
    }
}

/// The calculation. Pure: every number comes from `input`, `rules` and the clause reference.
///
/// It runs in the order the explanation reads: the period within the lease, the ledger already
/// granted, the firm's age, its certifications, then the days one by one; from the days the
/// stretches kept and the cuts, the refusals, the months and the derived year, the caps and the
/// amount. Each phase is a function below that adds its steps to `Ctx`.
pub fn compute(input: &CalcInput, rules: &RuleVersion, clause: super::ClauseRef) -> Result<CalcResult> {
    check_input(input)?;
    let p = Period::of(input)?;
    let r = &rules.rules;
    let rv = rules.version;
    let mut cx = Ctx {
        steps: Vec::new(),
        reasons: Vec::new(),
        warnings: Vec::new(),
        rv,
        art: format!("第{}条（第{}版）", crate::policy::chinese_number(clause.article), clause.version),
    };
    let asked_units = calendar::units(p.first, p.last);
    period_step(&mut cx, &p, asked_units);

    let led = Ledger::of(input)?;
    let max_units = MAX_MONTHS * MONTH_UNITS;
    let founded = input.founded_on.as_deref().filter(|s| !s.trim().is_empty()).map(|f| parse(f, "founded_on")).transpose()?;
    let young_until = founded.map(|f| calendar::last_day_younger_than(f, r.max_company_age_years));
    age_step(&mut cx, r, &p, founded, young_until);
    let spans = cert_spans(input, r)?;

    let unit = r.unit_rent_cap_fen.map_or(input.unit_rent_fen, |c| input.unit_rent_fen.min(c));
    let (days, used) = walk_days(input, r, &p, &led, young_until, &spans);
    let (stretches, cuts) = stretches_and_cuts(&days, r);
    let kept_units: i64 = stretches.iter().map(|s| s.month_units).sum();
    cert_step(&mut cx, r, &spans, &cuts);

    // ---- revenue → rate ----
    let years = RevenueYears { prev: p.start.year() - 1, curr: p.start.year() };
    let rate_bp = revenue_rate(input, r, founded, years, &mut cx).min(MAX_RATE_BP);

    day_refusals(&mut cx, r, &p, founded, kept_units, &cuts, led.before_units);
    ledger_step(&mut cx, input, r, &led, &stretches, &cuts);
    months_step(&mut cx, led.before_units, used, &cuts);
    let derived = year_step(&mut cx, input, &led.union, &stretches);
    cap_steps(&mut cx, input, r);
    let area_max =
        stretches.iter().map(|s| s.area_centi_m2).max().unwrap_or_else(|| r.area_cap_centi_m2.map_or(input.area_centi_m2, |c| input.area_centi_m2.min(c)));

    // ---- the amount: exact sum over the kept days, rounded once ----
    let eligible = cx.reasons.is_empty() && kept_units > 0;
    let (amount, rent_fen) = amount_steps(&mut cx, input, r, &days, &stretches, Rate { rate_bp, unit, eligible });
    let difference_fen = input.requested_fen.map(|q| amount - q);
    if let Some(req) = input.requested_fen {
        cx.step(
            "requested",
            "与申请金额比较",
            "Compared with the request",
            json!({"requested_fen": req, "computed_fen": amount}),
            json!(amount - req),
            if amount == req {
                format!("测算金额与申请金额 {} 元一致。", fmt_yuan(req))
            } else {
                format!("申请 {} 元，测算 {} 元，相差 {} 元。", fmt_yuan(req), fmt_yuan(amount), fmt_yuan(amount - req))
            },
            input_basis(),
        );
    }
    let left_units = (max_units - used).max(0);
    let Ctx { steps, reasons, warnings, .. } = cx;
    Ok(CalcResult {
        eligible,
        rate_bp: if eligible { rate_bp } else { 0 },
        months: if eligible { calendar::months_f64(kept_units) } else { 0.0 },
        unit_rent_fen: unit,
        area_centi_m2: area_max,
        amount_fen: amount,
        rent_fen,
        requested_fen: input.requested_fen,
        difference_fen,
        rule_version: rv,
        clause,
        steps,
        reasons,
        method: METHOD_CALENDAR_DAYS,
        month_units: if eligible { kept_units } else { 0 },
        months_used_before: calendar::months_f64(led.before_units),
        months_left: calendar::months_f64(if eligible { left_units } else { (max_units - led.before_units).max(0) }),
        subsidy_year: derived,
        revenue_years: Some(years),
        stretches: if eligible { stretches } else { Vec::new() },
        cuts,
        warnings,
    })
}

fn check_input(input: &CalcInput) -> Result<()> {
    if input.area_centi_m2 <= 0 || input.unit_rent_fen <= 0 {
        return Err(Error::invalid("out_of_range", "租赁面积和租金单价必须大于0。", "Area and unit rent must be above 0.")
            .with_details(json!({"field": if input.area_centi_m2 <= 0 { "area_centi_m2" } else { "unit_rent_fen" }})));
    }
    if !(0..=1200).contains(&input.months_before) {
        return Err(Error::invalid(
            "out_of_range",
            format!("已补贴月数应在0到1200之间，填写的是{}。", input.months_before),
            "Months already subsidised must be between 0 and 1200.",
        )
        .with_details(json!({"field": "months_before"})));
    }
    Ok(())
}

/// The period asked for and the lease; `first..=last` is the part within the lease (empty when
/// `last < first`).
struct Period {
    start: NaiveDate,
    end: NaiveDate,
    lease_start: NaiveDate,
    lease_end: NaiveDate,
    first: NaiveDate,
    last: NaiveDate,
}

impl Period {
    fn of(input: &CalcInput) -> Result<Period> {
        let start = parse(&input.period_start, "period_start")?;
        let end = parse(&input.period_end, "period_end")?;
        if end < start {
            return Err(Error::invalid(
                "out_of_range",
                format!("补贴期间止（{end}）早于补贴期间起（{start}）。"),
                format!("The period ends ({end}) before it starts ({start})."),
            )
            .with_details(json!({"field": "period_end"})));
        }
        let lease_start = input.lease_start.as_deref().map(|s| parse(s, "lease_start")).transpose()?.unwrap_or(start);
        let lease_end = input.lease_end.as_deref().map(|s| parse(s, "lease_end")).transpose()?.unwrap_or(end);
        Ok(Period { start, end, lease_start, lease_end, first: start.max(lease_start), last: end.min(lease_end) })
    }
}

fn period_step(cx: &mut Ctx, p: &Period, asked_units: i64) {
    let Period { start, end, lease_start, lease_end, first, last } = *p;
    let clipped = first != start || last != end;
    let text = if last < first {
        format!("补贴期间 {start} 至 {end} 不在租期（{lease_start} 至 {lease_end}）之内，没有可补贴的日子。")
    } else {
        let sum = calendar::fraction_sum(first, last);
        format!(
            "补贴期间 {first} 至 {last}{}，{}。",
            if clipped { format!("（申请 {start} 至 {end}，只计租期 {lease_start} 至 {lease_end} 之内）") } else { String::new() },
            if sum.contains('/') { format!("按日历日计：{sum} = {} 个月", calendar::months_text(asked_units)) } else { format!("共 {sum} 个月") }
        )
    };
    cx.step(
        "period",
        "补贴期间",
        "Period",
        json!({"period_start": start.to_string(), "period_end": end.to_string(), "lease_start": lease_start.to_string(), "lease_end": lease_end.to_string()}),
        json!(calendar::months_f64(asked_units)),
        text,
        input_basis(),
    );
}

/// A live grant of the enterprise as the engine reads it.
struct Granted {
    id: i64,
    start: NaiveDate,
    end: NaiveDate,
    area: i64,
    same_premises: bool,
}

impl Granted {
    fn covers(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }
}

/// The enterprise's ledger: its live grants, the union of their days, and the months used before
/// this application (those days plus months the office entered by hand).
struct Ledger {
    union: DaySet,
    grants: Vec<Granted>,
    before_units: i64,
}

impl Ledger {
    fn of(input: &CalcInput) -> Result<Ledger> {
        let mut union = DaySet::new();
        let mut grants = Vec::new();
        for c in &input.ledger {
            let (s, e) = (parse(&c.start, "ledger")?, parse(&c.end, "ledger")?);
            union.insert(s, e);
            grants.push(Granted { id: c.grant_id, start: s, end: e, area: c.area_centi_m2, same_premises: c.same_premises });
        }
        let before_units = union.units() + input.months_before * MONTH_UNITS;
        Ok(Ledger { union, grants, before_units })
    }
}

fn age_step(cx: &mut Ctx, r: &RentRules, p: &Period, founded: Option<NaiveDate>, young_until: Option<NaiveDate>) {
    let (Some(f), Some(until)) = (founded, young_until) else {
        cx.refuse(
            "founded_on_missing",
            "缺少企业成立日期，无法判断是否为创业企业。请在企业台账中补充。".into(),
            "The founding date is missing; add it in the registry.".into(),
        );
        cx.step("company_age", "成立年限", "Company age", json!({"founded_on": null}), json!(false), "缺少成立日期。".into(), cx.rule("max_company_age_years"));
        return;
    };
    let Period { lease_start, first, last, .. } = *p;
    if lease_start < f {
        cx.refuse(
            "lease_before_founding",
            format!("租赁起始日 {lease_start} 早于企业成立日期 {f}：数据有误，请核对企业成立日期或租赁合同日期。"),
            format!("The lease starts ({lease_start}) before the firm was founded ({f}): check the founding date or the lease."),
        );
    }
    let text = if last <= until {
        format!("成立于 {f}，成立未满 {} 年的最后一天是 {until}，补贴期间内都在此之前。", r.max_company_age_years)
    } else if first > until {
        format!("成立于 {f}，{until} 之后已满 {} 年，补贴期间开始时已不属于创业企业。", r.max_company_age_years)
    } else {
        format!("成立于 {f}，{until} 之后已满 {} 年：{} 至 {last} 不予补贴。", r.max_company_age_years, until.succ_opt().unwrap_or(until))
    };
    cx.step(
        "company_age",
        "成立年限",
        "Company age",
        json!({"founded_on": f.to_string(), "max_years": r.max_company_age_years, "young_until": until.to_string()}),
        json!(last <= until),
        text,
        cx.rule("max_company_age_years"),
    );
}

/// A qualifying certification and the days it is valid (`NaiveDate::MIN`, no end: an application
/// that only names kinds).
type Span = (String, NaiveDate, Option<NaiveDate>);

fn cert_spans(input: &CalcInput, r: &RentRules) -> Result<Vec<Span>> {
    Ok(match &input.cert_spans {
        Some(v) => v
            .iter()
            .filter(|c| r.eligible_certifications.contains(&c.kind))
            .map(|c| Ok((c.kind.clone(), parse(&c.from, "certification")?, c.to.as_deref().map(|t| parse(t, "certification")).transpose()?)))
            .collect::<Result<_>>()?,
        None => input.certifications.iter().filter(|k| r.eligible_certifications.contains(k)).map(|k| (k.clone(), NaiveDate::MIN, None)).collect(),
    })
}

/// Every day of the period within the lease, kept (with its area) or cut (with its reason), and
/// the month units used after the last kept day.
fn walk_days(input: &CalcInput, r: &RentRules, p: &Period, led: &Ledger, young_until: Option<NaiveDate>, spans: &[Span]) -> (Vec<(NaiveDate, Day)>, i64) {
    let certified = |d: NaiveDate| spans.iter().any(|(_, a, b)| *a <= d && b.is_none_or(|b| d <= b));
    let max_units = MAX_MONTHS * MONTH_UNITS;
    let mut used = led.before_units;
    let mut days: Vec<(NaiveDate, Day)> = Vec::new();
    let mut d = p.first;
    while d <= p.last {
        let outcome = if young_until.is_some_and(|u| d > u) {
            Day::Cut("company_too_old", None)
        } else if !certified(d) {
            Day::Cut("not_certified", None)
        } else if let Some(g) = led.grants.iter().find(|g| g.same_premises && g.covers(d)) {
            Day::Cut("period_already_subsidised", Some(g.id))
        } else {
            let others: i64 = led.grants.iter().filter(|g| !g.same_premises && g.covers(d)).map(|g| g.area).sum();
            let avail = r.area_cap_centi_m2.map_or(input.area_centi_m2, |cap| input.area_centi_m2.min(cap - others));
            let cost = if led.union.contains(d) { 0 } else { calendar::day_units(d) };
            if avail <= 0 {
                Day::Cut("area_cap_reached", led.grants.iter().find(|g| !g.same_premises && g.covers(d)).map(|g| g.id))
            } else if used + cost > max_units {
                Day::Cut("months_exhausted", None)
            } else {
                used += cost;
                Day::Kept(avail)
            }
        };
        days.push((d, outcome));
        match d.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    (days, used)
}

/// Runs of equal outcome: the stretches kept and the cuts.
fn stretches_and_cuts(days: &[(NaiveDate, Day)], r: &RentRules) -> (Vec<Stretch>, Vec<Cut>) {
    let mut runs: Vec<(NaiveDate, NaiveDate, Day)> = Vec::new();
    for (d, o) in days {
        match runs.last_mut() {
            Some(run) if run.2 == *o && run.1.succ_opt() == Some(*d) => run.1 = *d,
            _ => runs.push((*d, *d, *o)),
        }
    }
    let mut stretches = Vec::new();
    let mut cuts = Vec::new();
    for &(a, b, o) in &runs {
        let u = calendar::units(a, b);
        match o {
            Day::Kept(area) => stretches.push(Stretch {
                start: a.to_string(),
                end: b.to_string(),
                area_centi_m2: area,
                month_units: u,
                months: calendar::months_f64(u),
                fractions: calendar::fraction_sum(a, b),
            }),
            Day::Cut(code, g) => {
                let (zh, en) = cut_message(code, g, r);
                cuts.push(Cut {
                    start: a.to_string(),
                    end: b.to_string(),
                    reason: code.into(),
                    grant_id: g,
                    month_units: u,
                    months: calendar::months_f64(u),
                    message_zh: zh,
                    message_en: en,
                });
            }
        }
    }
    (stretches, cuts)
}

/// The certification step (after the day loop: it names the days cut).
fn cert_step(cx: &mut Ctx, r: &RentRules, spans: &[Span], cuts: &[Cut]) {
    let held: Vec<String> = spans
        .iter()
        .map(|(k, a, b)| {
            if *a == NaiveDate::MIN {
                kind_label(k)
            } else {
                format!("{}（{} 至 {}）", kind_label(k), a, b.map(|b| b.to_string()).unwrap_or_else(|| "长期".into()))
            }
        })
        .collect();
    let not_cert: Vec<String> = cuts.iter().filter(|c| c.reason == "not_certified").map(|c| format!("{} 至 {}", c.start, c.end)).collect();
    let ok = !spans.is_empty() && not_cert.is_empty();
    let text = if spans.is_empty() {
        "没有有效的高新技术企业或科技型中小企业资格。".to_string()
    } else if not_cert.is_empty() {
        format!("持有有效认定：{}，补贴期间每天都有效。", held.join("、"))
    } else {
        format!("持有认定：{}；{} 没有有效资格，不予补贴。", held.join("、"), not_cert.join("，"))
    };
    cx.step(
        "certification",
        "资格认定",
        "Certification",
        json!({"held": spans.iter().map(|s| &s.0).collect::<Vec<_>>(), "eligible": r.eligible_certifications}),
        json!(ok),
        text,
        cx.rule("eligible_certifications"),
    );
}

/// Whole-application refusals from the days: outside the lease, or no day kept (named by the
/// first reason, in the order the days are checked).
fn day_refusals(cx: &mut Ctx, r: &RentRules, p: &Period, founded: Option<NaiveDate>, kept_units: i64, cuts: &[Cut], before_units: i64) {
    let Period { start, end, lease_start, lease_end, first, last } = *p;
    if last < first {
        cx.refuse(
            "out_of_lease",
            format!("补贴期间 {start} 至 {end} 不在租期（{lease_start} 至 {lease_end}）之内。"),
            "The period lies outside the lease.".into(),
        );
    }
    if kept_units != 0 || !cx.reasons.is_empty() {
        return;
    }
    let founded = founded.map(|f| f.to_string()).unwrap_or_default();
    for code in ["company_too_old", "not_certified", "period_already_subsidised", "area_cap_reached", "months_exhausted"] {
        if !cuts.iter().any(|c| c.reason == code) {
            continue;
        }
        let (zh, en) = match code {
            "company_too_old" => (
                format!("企业成立于 {founded}，到补贴期间（{first} 起）已满 {} 年，不属于创业企业。", r.max_company_age_years),
                format!("Founded {founded}: {} years old or more over the whole period.", r.max_company_age_years),
            ),
            "not_certified" => (
                "补贴期间没有有效的高新技术企业或科技型中小企业资格。".to_string(),
                "No valid high-tech enterprise or tech SME status in the period.".to_string(),
            ),
            "period_already_subsidised" => {
                let ids = grant_list(cuts, code);
                (format!("同一房屋的这段期间已由{ids} 补贴，同一天不重复补贴。"), format!("These days of the same premises are already subsidised ({ids})."))
            }
            "area_cap_reached" => {
                let ids = grant_list(cuts, code);
                (format!("该企业其他房屋（{ids}）在这段期间已用满补贴面积上限。"), format!("Other premises ({ids}) use the whole area cap in this period."))
            }
            _ => (
                format!("该企业已享受房租补贴 {} 个月，达到三年（36个月）上限。", calendar::months_text(before_units)),
                format!("Already subsidised for {} months: the 36-month limit is reached.", calendar::months_text(before_units)),
            ),
        };
        cx.refuse(code, zh, en);
    }
}

/// The grants already made: days of the same premises cut, days where other premises use the
/// area cap, stretches that share it.
fn ledger_step(cx: &mut Ctx, input: &CalcInput, r: &RentRules, led: &Ledger, stretches: &[Stretch], cuts: &[Cut]) {
    if input.ledger.is_empty() {
        return;
    }
    let same: Vec<&Cut> = cuts.iter().filter(|c| c.reason == "period_already_subsidised").collect();
    let area_cuts: Vec<&Cut> = cuts.iter().filter(|c| c.reason == "area_cap_reached").collect();
    let full_area = input.area_centi_m2.min(r.area_cap_centi_m2.unwrap_or(i64::MAX));
    let shared = led.grants.iter().any(|g| !g.same_premises) && stretches.iter().any(|s| s.area_centi_m2 < full_area);
    let mut parts = Vec::new();
    for c in &same {
        parts.push(format!("{} 至 {} 同一房屋已由补贴 #{} 补贴，不重复补贴", c.start, c.end, c.grant_id.unwrap_or(0)));
    }
    for c in &area_cuts {
        parts.push(format!("{} 至 {} 其他房屋（补贴 #{}）已用满面积上限", c.start, c.end, c.grant_id.unwrap_or(0)));
    }
    if shared {
        for s in stretches.iter().filter(|s| s.area_centi_m2 < full_area) {
            parts.push(format!("{} 至 {} 与同期其他房屋共用面积上限，只计 {}", s.start, s.end, area_text(s.area_centi_m2)));
        }
    }
    let text = if parts.is_empty() { "该企业已有的补贴与本期不重叠。".to_string() } else { format!("{}。", parts.join("；")) };
    cx.step(
        "ledger",
        "已有补贴",
        "Grants already made",
        json!({"ledger": input.ledger}),
        json!(same.is_empty() && area_cuts.is_empty()),
        text,
        Basis { kind: "rule".into(), reference: format!("补贴规则第{}版 · 同一天不重复补贴", cx.rv) },
    );
}

/// The 36 months: used before, counted now, and where they ran out.
fn months_step(cx: &mut Ctx, before_units: i64, used: i64, cuts: &[Cut]) {
    let max_units = MAX_MONTHS * MONTH_UNITS;
    let months_cut = cuts.iter().find(|c| c.reason == "months_exhausted");
    let counted_units = used - before_units;
    let text = if before_units >= max_units {
        format!("已补贴 {} 个月，没有剩余月数。", calendar::months_text(before_units))
    } else if let Some(c) = months_cut {
        format!(
            "已补贴 {} 个月，累计不得超过36个月，本期只计 {} 个月（{} 起不予补贴）。",
            calendar::months_text(before_units),
            calendar::months_text(counted_units),
            c.start
        )
    } else {
        format!(
            "已补贴 {} 个月，加上本期 {} 个月共 {} 个月，未超过36个月。",
            calendar::months_text(before_units),
            calendar::months_text(counted_units),
            calendar::months_text(used)
        )
    };
    cx.step(
        "months",
        "累计补贴月数",
        "Months so far",
        json!({"months_before": calendar::months_f64(before_units), "limit": MAX_MONTHS, "month_units_before": before_units, "month_units_counted": counted_units}),
        json!(calendar::months_f64(counted_units)),
        text,
        cx.limit("最长不超过三年（36个月）"),
    );
}

/// The subsidy year, derived: year k holds months 12(k−1)..12k of the days subsidised. A typed
/// year outside the derived ones is a warning.
fn year_step(cx: &mut Ctx, input: &CalcInput, union: &DaySet, stretches: &[Stretch]) -> Option<i64> {
    let mut all = union.clone();
    for st in stretches {
        all.insert(day(&st.start), day(&st.end));
    }
    let first_kept = stretches.first().map(|s| day(&s.start));
    let last_kept = stretches.last().map(|s| day(&s.end));
    let year_of = |d: NaiveDate| (all.units_before(d) + input.months_before * MONTH_UNITS) / (12 * MONTH_UNITS) + 1;
    let derived = first_kept.map(year_of);
    let derived_last = last_kept.map(year_of);
    let ytext = match (derived, derived_last) {
        (Some(a), Some(b)) if b > a => format!("第{a}–{b}年"),
        (Some(a), _) => format!("第{a}年"),
        _ => "—".into(),
    };
    let months_before_first = calendar::months_text(first_kept.map(|f| all.units_before(f)).unwrap_or(0) + input.months_before * MONTH_UNITS);
    let text = match (derived, input.subsidy_year) {
        (None, _) => "没有可补贴的日子。".into(),
        (Some(a), Some(t)) if t < a || t > derived_last.unwrap_or(a) => {
            cx.warnings.push(Reason {
                code: "subsidy_year_mismatch".into(),
                message_zh: format!("申请填写第{t}年，按台账已补贴月数应为{ytext}（以台账为准）。"),
                message_en: format!("The application says year {t}; the ledger's months make it year {a}."),
            });
            format!("此前已补贴 {months_before_first} 个月，本期为{ytext}；申请填写第{t}年，与台账不符，以台账为准。")
        }
        (Some(_), _) => format!("此前已补贴 {months_before_first} 个月，本期为{ytext}（最长三年）。"),
    };
    let basis = cx.limit("最长不超过三年");
    cx.step("subsidy_year", "补贴年度", "Subsidy year", json!({"typed": input.subsidy_year, "derived": derived}), json!(derived), text, basis);
    derived
}

/// The unit-rent and area caps, applied or not.
fn cap_steps(cx: &mut Ctx, input: &CalcInput, r: &RentRules) {
    match r.unit_rent_cap_fen {
        Some(cap) if input.unit_rent_fen > cap => cx.step(
            "unit_rent_cap",
            "租金单价上限",
            "Unit rent cap",
            json!({"unit_rent_fen": input.unit_rent_fen, "cap_fen": cap}),
            json!(cap),
            format!("租金单价 {} 元/㎡/月，超过上限 {} 元，按 {} 元计。", fmt_yuan(input.unit_rent_fen), fmt_yuan(cap), fmt_yuan(cap)),
            cx.rule("unit_rent_cap_fen"),
        ),
        cap => cx.step(
            "unit_rent_cap",
            "租金单价上限",
            "Unit rent cap",
            json!({"unit_rent_fen": input.unit_rent_fen, "cap_fen": cap}),
            json!(input.unit_rent_fen),
            format!("租金单价 {} 元/㎡/月{}。", fmt_yuan(input.unit_rent_fen), cap.map(|c| format!("，未超过上限 {} 元", fmt_yuan(c))).unwrap_or_default()),
            cx.rule("unit_rent_cap_fen"),
        ),
    }
    match r.area_cap_centi_m2 {
        Some(cap) if input.area_centi_m2 > cap => cx.step(
            "area_cap",
            "面积上限",
            "Area cap",
            json!({"area_centi_m2": input.area_centi_m2, "cap_centi_m2": cap}),
            json!(cap),
            format!("租赁面积 {}，超过上限 {}，按 {} 计。", area_text(input.area_centi_m2), area_text(cap), area_text(cap)),
            cx.rule("area_cap_centi_m2"),
        ),
        cap => cx.step(
            "area_cap",
            "面积上限",
            "Area cap",
            json!({"area_centi_m2": input.area_centi_m2, "cap_centi_m2": cap}),
            json!(input.area_centi_m2),
            format!("租赁面积 {}{}。", area_text(input.area_centi_m2), cap.map(|c| format!("，未超过上限 {}", area_text(c))).unwrap_or_default()),
            cx.rule("area_cap_centi_m2"),
        ),
    }
}

/// What the amount multiplies: the rate, the unit rent after its cap, and whether anything is paid.
struct Rate {
    rate_bp: i64,
    unit: i64,
    eligible: bool,
}

/// The amount (exact sum over the kept days, rounded half-up once) and the yearly cap; returns the
/// amount and the rent of the days kept.
fn amount_steps(cx: &mut Ctx, input: &CalcInput, r: &RentRules, days: &[(NaiveDate, Day)], stretches: &[Stretch], rate: Rate) -> (i64, i64) {
    let Rate { rate_bp, unit, eligible } = rate;
    let kept_units: i64 = stretches.iter().map(|s| s.month_units).sum();
    let mut num: i128 = 0;
    let mut rent_num: i128 = 0;
    for (d, o) in days {
        if let Day::Kept(area) = o {
            let du = calendar::day_units(*d) as i128;
            num += rate_bp as i128 * unit as i128 * *area as i128 * du;
            rent_num += input.unit_rent_fen as i128 * input.area_centi_m2 as i128 * du;
        }
    }
    let den = 1_000_000i128 * MONTH_UNITS as i128;
    let rent_fen = div_round_half_up(rent_num, 100 * MONTH_UNITS as i128) as i64;
    let mut amount = if eligible { div_round_half_up(num, den) as i64 } else { 0 };
    let text = if !eligible {
        "不符合条件，补贴金额为0。".to_string()
    } else if let [s] = stretches {
        format!(
            "{} × {} 元/㎡/月 × {} × {} 个月 = {} 元（四舍五入到分）。",
            pct(rate_bp),
            fmt_yuan(unit),
            area_text(s.area_centi_m2),
            calendar::months_text(s.month_units),
            fmt_yuan(amount)
        )
    } else {
        let parts: Vec<String> = stretches
            .iter()
            .map(|s| {
                format!(
                    "{} 至 {}：{} × {} 元 × {} × {} 个月",
                    s.start,
                    s.end,
                    pct(rate_bp),
                    fmt_yuan(unit),
                    area_text(s.area_centi_m2),
                    calendar::months_text(s.month_units)
                )
            })
            .collect();
        format!("{}；合计 {} 元（各段精确相加后四舍五入到分，只舍入一次）。", parts.join("；"), fmt_yuan(amount))
    };
    cx.step(
        "amount",
        "补贴金额",
        "Amount",
        json!({"rate_bp": rate_bp, "unit_rent_fen": unit, "stretches": stretches, "month_units": kept_units}),
        json!(amount),
        text,
        cx.clause(),
    );
    if let (Some(cap), true) = (r.yearly_cap_fen, eligible) {
        let period_cap = div_round_half_up(cap as i128 * kept_units as i128, 12 * MONTH_UNITS as i128) as i64;
        if amount > period_cap {
            cx.step(
                "yearly_cap",
                "年度补贴上限",
                "Yearly cap",
                json!({"amount_fen": amount, "yearly_cap_fen": cap, "month_units": kept_units}),
                json!(period_cap),
                format!(
                    "每家企业每年补贴上限 {} 元，本期 {} 个月上限 {} 元，按上限计。",
                    fmt_yuan(cap),
                    calendar::months_text(kept_units),
                    fmt_yuan(period_cap)
                ),
                cx.rule("yearly_cap_fen"),
            );
            amount = period_cap;
        }
    }
    (amount, rent_fen)
}

/// A date this module wrote itself (ISO).
fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or(NaiveDate::MIN)
}

fn grant_list(cuts: &[Cut], code: &str) -> String {
    let mut ids: Vec<i64> = cuts.iter().filter(|c| c.reason == code).filter_map(|c| c.grant_id).collect();
    ids.dedup();
    ids.iter().map(|g| format!("补贴 #{g}")).collect::<Vec<_>>().join("、")
}

/// The rate from revenue growth (DESIGN §2): this year's revenue is required; last year's may be
/// missing or zero only for a firm founded on or after 1 January of last year (then the lowest tier).
fn revenue_rate(input: &CalcInput, r: &RentRules, founded: Option<NaiveDate>, years: RevenueYears, cx: &mut Ctx) -> i64 {
    let rule = cx.rule("tiers");
    let lowest = r.tiers.last().map(|t| t.rate_bp).unwrap_or(0);
    let RevenueYears { prev: py, curr: cy } = years;
    let inputs =
        json!({"revenue_prev_fen": input.revenue_prev_fen, "revenue_curr_fen": input.revenue_curr_fen, "revenue_prev_year": py, "revenue_curr_year": cy});
    let Some(curr) = input.revenue_curr_fen else {
        cx.refuse(
            "missing_revenue",
            format!("缺少{cy}年（本年）营业收入，无法按成长情况确定补贴比例。请补充后重新测算。"),
            format!("The revenue of {cy} (this year) is missing."),
        );
        cx.step("growth", "营业收入增长", "Revenue growth", inputs, json!(0), format!("缺少{cy}年营业收入。"), rule);
        return 0;
    };
    match input.revenue_prev_fen {
        Some(prev) if prev > 0 => {
            let edges: Vec<i64> = r.tiers.iter().map(|t| t.min_growth_bp).collect();
            let shown = growth_display_bp(prev, curr, &edges);
            // g ≥ threshold  ⇔  (curr − prev) × 10000 ≥ threshold × prev  (exact, no division)
            let tier = r.tiers.iter().find(|t| ((curr - prev) as i128) * 10_000 >= (t.min_growth_bp as i128) * (prev as i128));
            let mut inputs = inputs;
            inputs["growth_bp"] = json!(shown);
            match tier {
                Some(t) => {
                    cx.step(
                        "growth",
                        "营业收入增长",
                        "Revenue growth",
                        inputs,
                        json!(t.rate_bp),
                        format!(
                            "营业收入由{py}年 {} 元增至{cy}年 {} 元，增长 {}，达到“增长不低于 {}”一档，补贴比例 {}。",
                            fmt_yuan(prev),
                            fmt_yuan(curr),
                            pct(shown),
                            pct(t.min_growth_bp),
                            pct(t.rate_bp)
                        ),
                        rule,
                    );
                    t.rate_bp
                }
                None => {
                    cx.refuse(
                        "negative_growth",
                        format!("营业收入下降（{py}年 {} 元 → {cy}年 {} 元，增长 {}），不予补贴。", fmt_yuan(prev), fmt_yuan(curr), pct(shown)),
                        format!("Revenue fell ({py} → {cy}: {}), not eligible.", pct(shown)),
                    );
                    cx.step(
                        "growth",
                        "营业收入增长",
                        "Revenue growth",
                        inputs,
                        json!(0),
                        format!("{py}年至{cy}年营业收入增长 {}，低于最低一档，不予补贴。", pct(shown)),
                        rule,
                    );
                    0
                }
            }
        }
        prev => {
            let new_firm = founded.is_some_and(|f| f >= NaiveDate::from_ymd_opt(py, 1, 1).unwrap_or(NaiveDate::MIN));
            if new_firm {
                cx.step(
                    "growth",
                    "营业收入增长",
                    "Revenue growth",
                    inputs,
                    json!(lowest),
                    format!(
                        "企业成立于 {}（{py}年1月1日以后），{py}年营业收入{}，无法计算增长，按最低一档补贴比例 {}。",
                        founded.map(|f| f.to_string()).unwrap_or_default(),
                        if prev == Some(0) { "为0" } else { "没有" },
                        pct(lowest)
                    ),
                    rule,
                );
                lowest
            } else {
                cx.refuse(
                    "missing_revenue",
                    format!(
                        "缺少{py}年（上年）营业收入{}：企业成立于{py}年以前，须按两年营业收入计算增长。请补充后重新测算。",
                        if prev == Some(0) { "（填为0）" } else { "" }
                    ),
                    format!("The revenue of {py} (last year) is missing or zero; the firm was founded before {py}."),
                );
                cx.step("growth", "营业收入增长", "Revenue growth", inputs, json!(0), format!("缺少{py}年营业收入。"), rule);
                0
            }
        }
    }
}

pub(crate) fn kind_label(code: &str) -> String {
    crate::cert::kinds::defaults().into_iter().find(|k| k.code == code).map(|k| k.name_zh).unwrap_or_else(|| code.to_string())
}
