//! The high-tech start-up rent subsidy (article 2): the district's rule scheme (versioned, within
//! the policy's two fixed limits), the calculation engine with its step-by-step explanation,
//! leases and growth reports, grants from draft to disbursed, and the budget check.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::money::{div_round_half_up, fmt_yuan};
use crate::store::{rent as sql, Db};

/// Fixed by the policy (article 2): no version of the district's rule may relax these.
pub const MAX_RATE_BP: i64 = 10_000;
pub const MAX_MONTHS: i64 = 36;
pub const MAX_YEARS: i64 = 3;
pub const RENT_ARTICLE: i64 = 2;

pub const DEFAULT_RULES_JSON: &str = include_str!("../../../assets/policy/rent-rules.json");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Tier {
    /// Revenue growth at least this (basis points: 3000 = 30%).
    pub min_growth_bp: i64,
    /// Subsidy rate (basis points: 10000 = 100%).
    pub rate_bp: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RentRules {
    pub max_company_age_years: i64,
    /// Certification kinds that make an enterprise eligible (any one, valid at the period start).
    pub eligible_certifications: Vec<String>,
    /// Highest first.
    pub tiers: Vec<Tier>,
    pub unit_rent_cap_fen: Option<i64>,
    pub area_cap_centi_m2: Option<i64>,
    pub yearly_cap_fen: Option<i64>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct RuleVersion {
    pub version: i64,
    pub rules: RentRules,
    pub note: String,
    pub created_at: String,
    pub created_by: String,
}

pub fn default_rules() -> RentRules {
    serde_json::from_str(DEFAULT_RULES_JSON).expect("assets/policy/rent-rules.json is valid")
}

pub fn default_rules_json() -> String {
    serde_json::to_string(&default_rules()).expect("serialisable")
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RuleProblem {
    pub field: String,
    pub message_zh: String,
    pub message_en: String,
}

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
            p("tiers", format!("第{}档补贴比例 {}% 超过政策上限 100%（政策规定最高补贴100%，不能放宽）。", i + 1, t.rate_bp as f64 / 100.0), format!("Tier {}: {}% exceeds the policy's 100% limit (fixed).", i + 1, t.rate_bp as f64 / 100.0));
        }
        if t.rate_bp <= 0 {
            p("tiers", format!("第{}档补贴比例必须大于0。", i + 1), format!("Tier {}: the rate must be above 0.", i + 1));
        }
        if t.min_growth_bp < 0 {
            p("tiers", format!("第{}档的增长率门槛不能为负（负增长不予补贴）。", i + 1), format!("Tier {}: the growth threshold cannot be negative.", i + 1));
        }
        if i > 0 && (t.min_growth_bp >= r.tiers[i - 1].min_growth_bp || t.rate_bp > r.tiers[i - 1].rate_bp) {
            p("tiers", "各档应按增长率从高到低排列，增长率越高比例不低。".into(), "Tiers go from the highest growth down, and a higher growth never gets a lower rate.".into());
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

// ---- the engine ------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct CalcInput {
    pub area_centi_m2: i64,
    /// per ㎡ per month
    pub unit_rent_fen: i64,
    pub period_start: String,
    pub period_end: String,
    pub revenue_prev_fen: Option<i64>,
    pub revenue_curr_fen: Option<i64>,
    pub founded_on: Option<String>,
    /// Certification kinds valid at the period start.
    #[serde(default)]
    pub certifications: Vec<String>,
    /// Months of this enterprise already subsidised (all leases and parks).
    #[serde(default)]
    pub months_before: i64,
    pub subsidy_year: Option<i64>,
    pub requested_fen: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Basis {
    /// clause | rule | policy_limit | input
    pub kind: String,
    /// e.g. "第二条（第1版）" or "补贴规则第1版 · unit_rent_cap_fen"
    pub reference: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Step {
    pub code: String,
    pub title_zh: String,
    pub title_en: String,
    #[ts(type = "Record<string, unknown>")]
    pub inputs: Value,
    #[ts(type = "unknown")]
    pub result: Value,
    /// One line a program manager reads: what was done, with the numbers.
    pub text_zh: String,
    pub basis: Basis,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Reason {
    pub code: String,
    pub message_zh: String,
    pub message_en: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct ClauseRef {
    pub article: i64,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CalcResult {
    pub eligible: bool,
    pub rate_bp: i64,
    pub months: i64,
    /// The unit rent counted (after the cap).
    pub unit_rent_fen: i64,
    /// The area counted (after the cap).
    pub area_centi_m2: i64,
    pub amount_fen: i64,
    /// The rent over the months counted, at the actual unit rent and area.
    pub rent_fen: i64,
    pub requested_fen: Option<i64>,
    /// amount − requested
    pub difference_fen: Option<i64>,
    pub rule_version: i64,
    pub clause: ClauseRef,
    pub steps: Vec<Step>,
    pub reasons: Vec<Reason>,
}

fn date(s: &str, field: &str) -> Result<NaiveDate> {
    crate::import::normalize::parse_date_text(s).ok_or_else(|| {
        Error::invalid("bad_date", format!("“{s}”不是有效日期（{field}）。"), format!("“{s}” is not a date ({field}).")).with_details(json!({"field": field}))
    })
}

fn last_day(y: i32, m: u32) -> NaiveDate {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1).expect("valid").pred_opt().expect("valid")
}

/// Whole calendar months from the first day of a month to the last day of a month.
pub fn whole_months(start: NaiveDate, end: NaiveDate) -> Result<i64> {
    if start.day() != 1 || end != last_day(end.year(), end.month()) || end < start {
        return Err(Error::invalid(
            "period_not_whole_months",
            format!("补贴期间须为整月：从某月1日到某月最后一天（填写的是 {start} 至 {end}）。"),
            format!("The period must be whole months: from a 1st to a month's last day (given {start} to {end})."),
        )
        .with_details(json!({"period_start": start.to_string(), "period_end": end.to_string()})));
    }
    Ok((end.year() - start.year()) as i64 * 12 + end.month() as i64 - start.month() as i64 + 1)
}

pub(crate) fn pct(bp: i64) -> String {
    if bp % 100 == 0 {
        format!("{}%", bp / 100)
    } else {
        format!("{:.2}%", bp as f64 / 100.0)
    }
}

pub(crate) fn area_text(c: i64) -> String {
    format!("{}.{:02}㎡", c / 100, c % 100)
}

/// The calculation. Pure: every number comes from `input`, `rules` and the clause reference.
pub fn compute(input: &CalcInput, rules: &RuleVersion, clause: ClauseRef) -> Result<CalcResult> {
    if input.area_centi_m2 <= 0 || input.unit_rent_fen <= 0 {
        return Err(Error::invalid("out_of_range", "租赁面积和租金单价必须大于0。", "Area and unit rent must be above 0.").with_details(json!({"field": if input.area_centi_m2 <= 0 { "area_centi_m2" } else { "unit_rent_fen" }})));
    }
    if input.months_before < 0 {
        return Err(Error::invalid("out_of_range", "已补贴月数不能为负。", "Months already subsidised cannot be negative."));
    }
    let start = date(&input.period_start, "period_start")?;
    let end = date(&input.period_end, "period_end")?;
    let months_asked = whole_months(start, end)?;
    let r = &rules.rules;
    let rv = rules.version;
    let art = format!("第{}条（第{}版）", crate::policy::chinese_number(clause.article), clause.version);
    let rule = |p: &str| Basis { kind: "rule".into(), reference: format!("补贴规则第{rv}版 · {p}") };
    let clause_basis = || Basis { kind: "clause".into(), reference: art.clone() };
    let limit = |p: &str| Basis { kind: "policy_limit".into(), reference: format!("{art} · {p}") };
    let mut steps: Vec<Step> = Vec::new();
    let mut reasons: Vec<Reason> = Vec::new();
    let mut step = |code: &str, zh: &str, en: &str, inputs: Value, result: Value, text: String, basis: Basis| {
        steps.push(Step { code: code.into(), title_zh: zh.into(), title_en: en.into(), inputs, result, text_zh: text, basis });
    };
    let mut refuse = |code: &str, zh: String, en: String| reasons.push(Reason { code: code.into(), message_zh: zh, message_en: en });

    step(
        "period",
        "补贴期间",
        "Period",
        json!({"period_start": start.to_string(), "period_end": end.to_string()}),
        json!(months_asked),
        format!("补贴期间 {start} 至 {end}，共 {months_asked} 个整月。"),
        Basis { kind: "input".into(), reference: "申请".into() },
    );
    if let Some(y) = input.subsidy_year {
        if !(1..=MAX_YEARS).contains(&y) {
            refuse("max_three_years", format!("申请的是第{y}年补贴。政策规定房租补贴最长不超过三年，第{y}年不予补贴。"), format!("Year {y} requested: the policy allows three years at most."));
            step("subsidy_year", "补贴年度", "Subsidy year", json!({"subsidy_year": y}), json!(false), format!("第{y}年超过三年上限，不予补贴。"), limit("最长不超过三年"));
        } else {
            step("subsidy_year", "补贴年度", "Subsidy year", json!({"subsidy_year": y}), json!(true), format!("第{y}年，在三年以内。"), limit("最长不超过三年"));
        }
    }
    // Company age at the period start.
    match input.founded_on.as_deref().filter(|s| !s.trim().is_empty()) {
        None => {
            refuse("founded_on_missing", "缺少企业成立日期，无法判断是否为创业企业。请在企业台账中补充。".into(), "The founding date is missing; add it in the registry.".into());
            step("company_age", "成立年限", "Company age", json!({"founded_on": null}), json!(false), "缺少成立日期。".into(), rule("max_company_age_years"));
        }
        Some(f) => {
            let founded = date(f, "founded_on")?;
            let limit_date = founded.with_year(founded.year() + r.max_company_age_years as i32).unwrap_or(founded);
            let ok = start <= limit_date;
            let text = if ok {
                format!("成立于 {founded}，补贴期间开始时成立未满 {} 年。", r.max_company_age_years)
            } else {
                format!("成立于 {founded}，补贴期间开始时已超过 {} 年。", r.max_company_age_years)
            };
            if !ok {
                refuse("company_too_old", format!("企业成立于 {founded}，到补贴期间开始（{start}）已超过 {} 年，不属于创业企业。", r.max_company_age_years), format!("Founded {founded}: more than {} years before the period starts.", r.max_company_age_years));
            }
            step("company_age", "成立年限", "Company age", json!({"founded_on": founded.to_string(), "max_years": r.max_company_age_years, "period_start": start.to_string()}), json!(ok), text, rule("max_company_age_years"));
        }
    }
    // Certification.
    let held: Vec<&String> = input.certifications.iter().filter(|c| r.eligible_certifications.contains(c)).collect();
    let certified = !held.is_empty();
    if !certified {
        refuse("not_certified", "补贴期间开始时没有有效的高新技术企业或科技型中小企业资格。".into(), "No valid high-tech enterprise or tech SME status at the period start.".into());
    }
    step(
        "certification",
        "资格认定",
        "Certification",
        json!({"held": input.certifications, "eligible": r.eligible_certifications}),
        json!(certified),
        if certified { format!("持有有效认定：{}。", held.iter().map(|s| kind_label(s)).collect::<Vec<_>>().join("、")) } else { "没有有效的高新技术企业或科技型中小企业资格。".into() },
        rule("eligible_certifications"),
    );
    // Growth → rate.
    let lowest = r.tiers.last().map(|t| t.rate_bp).unwrap_or(0);
    let rate_bp = match (input.revenue_prev_fen, input.revenue_curr_fen) {
        (Some(prev), Some(curr)) if prev > 0 => {
            // g ≥ threshold  ⇔  (curr − prev) × 10000 ≥ threshold × prev  (exact, no division)
            let growth_bp = div_round_half_up(((curr - prev) as i128) * 10_000, prev as i128) as i64;
            let tier = r.tiers.iter().find(|t| ((curr - prev) as i128) * 10_000 >= (t.min_growth_bp as i128) * (prev as i128));
            match tier {
                Some(t) => {
                    step(
                        "growth",
                        "营业收入增长",
                        "Revenue growth",
                        json!({"revenue_prev_fen": prev, "revenue_curr_fen": curr, "growth_bp": growth_bp}),
                        json!(t.rate_bp),
                        format!("营业收入由 {} 元增至 {} 元，增长 {}，达到“增长不低于 {}”一档，补贴比例 {}。", fmt_yuan(prev), fmt_yuan(curr), pct(growth_bp), pct(t.min_growth_bp), pct(t.rate_bp)),
                        rule("tiers"),
                    );
                    t.rate_bp
                }
                None => {
                    refuse("negative_growth", format!("营业收入下降（{} 元 → {} 元，增长 {}），不予补贴。", fmt_yuan(prev), fmt_yuan(curr), pct(growth_bp)), format!("Revenue fell ({}), not eligible.", pct(growth_bp)));
                    step("growth", "营业收入增长", "Revenue growth", json!({"revenue_prev_fen": prev, "revenue_curr_fen": curr, "growth_bp": growth_bp}), json!(0), format!("营业收入增长 {}，低于最低一档，不予补贴。", pct(growth_bp)), rule("tiers"));
                    0
                }
            }
        }
        (prev, curr) => {
            step(
                "growth",
                "营业收入增长",
                "Revenue growth",
                json!({"revenue_prev_fen": prev, "revenue_curr_fen": curr}),
                json!(lowest),
                format!("没有上一年度营业收入（新成立企业），按最低一档补贴比例 {}。", pct(lowest)),
                rule("tiers"),
            );
            lowest
        }
    };
    debug_assert!(rate_bp <= MAX_RATE_BP);
    let rate_bp = rate_bp.min(MAX_RATE_BP);
    // 36 months across all leases and parks.
    let left = (MAX_MONTHS - input.months_before).max(0);
    let months = months_asked.min(left);
    if left == 0 {
        refuse("months_exhausted", format!("该企业已享受房租补贴 {} 个月，达到三年（36个月）上限。", input.months_before), format!("Already subsidised for {} months: the 36-month limit is reached.", input.months_before));
        step("months", "累计补贴月数", "Months so far", json!({"months_before": input.months_before, "limit": MAX_MONTHS}), json!(0), format!("已补贴 {} 个月，没有剩余月数。", input.months_before), limit("最长不超过三年（36个月）"));
    } else if months < months_asked {
        step("months", "累计补贴月数", "Months so far", json!({"months_before": input.months_before, "limit": MAX_MONTHS, "months_asked": months_asked}), json!(months), format!("已补贴 {} 个月，累计不得超过36个月，本期只计 {} 个月（申请 {} 个月）。", input.months_before, months, months_asked), limit("最长不超过三年（36个月）"));
    } else {
        step("months", "累计补贴月数", "Months so far", json!({"months_before": input.months_before, "limit": MAX_MONTHS, "months_asked": months_asked}), json!(months), format!("已补贴 {} 个月，加上本期 {} 个月共 {} 个月，未超过36个月。", input.months_before, months, input.months_before + months), limit("最长不超过三年（36个月）"));
    }
    // Caps.
    let unit = match r.unit_rent_cap_fen {
        Some(cap) if input.unit_rent_fen > cap => {
            step("unit_rent_cap", "租金单价上限", "Unit rent cap", json!({"unit_rent_fen": input.unit_rent_fen, "cap_fen": cap}), json!(cap), format!("租金单价 {} 元/㎡/月，超过上限 {} 元，按 {} 元计。", fmt_yuan(input.unit_rent_fen), fmt_yuan(cap), fmt_yuan(cap)), rule("unit_rent_cap_fen"));
            cap
        }
        cap => {
            step("unit_rent_cap", "租金单价上限", "Unit rent cap", json!({"unit_rent_fen": input.unit_rent_fen, "cap_fen": cap}), json!(input.unit_rent_fen), format!("租金单价 {} 元/㎡/月{}。", fmt_yuan(input.unit_rent_fen), cap.map(|c| format!("，未超过上限 {} 元", fmt_yuan(c))).unwrap_or_default()), rule("unit_rent_cap_fen"));
            input.unit_rent_fen
        }
    };
    let area = match r.area_cap_centi_m2 {
        Some(cap) if input.area_centi_m2 > cap => {
            step("area_cap", "面积上限", "Area cap", json!({"area_centi_m2": input.area_centi_m2, "cap_centi_m2": cap}), json!(cap), format!("租赁面积 {}，超过上限 {}，按 {} 计。", area_text(input.area_centi_m2), area_text(cap), area_text(cap)), rule("area_cap_centi_m2"));
            cap
        }
        cap => {
            step("area_cap", "面积上限", "Area cap", json!({"area_centi_m2": input.area_centi_m2, "cap_centi_m2": cap}), json!(input.area_centi_m2), format!("租赁面积 {}{}。", area_text(input.area_centi_m2), cap.map(|c| format!("，未超过上限 {}", area_text(c))).unwrap_or_default()), rule("area_cap_centi_m2"));
            input.area_centi_m2
        }
    };
    let eligible = reasons.is_empty();
    let rent_fen = div_round_half_up(input.unit_rent_fen as i128 * input.area_centi_m2 as i128 * months as i128, 100) as i64;
    // rate (bp) × unit rent (fen/㎡/month) × area (㎡/100) × months, rounded half-up once.
    let exact_num = rate_bp as i128 * unit as i128 * area as i128 * months as i128;
    let mut amount = if eligible { div_round_half_up(exact_num, 1_000_000) as i64 } else { 0 };
    step(
        "amount",
        "补贴金额",
        "Amount",
        json!({"rate_bp": rate_bp, "unit_rent_fen": unit, "area_centi_m2": area, "months": months}),
        json!(amount),
        if eligible {
            format!("{} × {} 元/㎡/月 × {} × {} 个月 = {} 元（四舍五入到分）。", pct(rate_bp), fmt_yuan(unit), area_text(area), months, fmt_yuan(amount))
        } else {
            "不符合条件，补贴金额为0。".into()
        },
        clause_basis(),
    );
    if let (Some(cap), true) = (r.yearly_cap_fen, eligible) {
        let period_cap = div_round_half_up(cap as i128 * months as i128, 12) as i64;
        if amount > period_cap {
            step("yearly_cap", "年度补贴上限", "Yearly cap", json!({"amount_fen": amount, "yearly_cap_fen": cap, "months": months}), json!(period_cap), format!("每家企业每年补贴上限 {} 元，本期 {} 个月上限 {} 元，按上限计。", fmt_yuan(cap), months, fmt_yuan(period_cap)), rule("yearly_cap_fen"));
            amount = period_cap;
        }
    }
    let difference_fen = input.requested_fen.map(|r| amount - r);
    if let Some(req) = input.requested_fen {
        step(
            "requested",
            "与申请金额比较",
            "Compared with the request",
            json!({"requested_fen": req, "computed_fen": amount}),
            json!(amount - req),
            if amount == req { format!("测算金额与申请金额 {} 元一致。", fmt_yuan(req)) } else { format!("申请 {} 元，测算 {} 元，相差 {} 元。", fmt_yuan(req), fmt_yuan(amount), fmt_yuan(amount - req)) },
            Basis { kind: "input".into(), reference: "申请".into() },
        );
    }
    Ok(CalcResult {
        eligible,
        rate_bp: if eligible { rate_bp } else { 0 },
        months: if eligible { months } else { 0 },
        unit_rent_fen: unit,
        area_centi_m2: area,
        amount_fen: amount,
        rent_fen,
        requested_fen: input.requested_fen,
        difference_fen,
        rule_version: rv,
        clause,
        steps,
        reasons,
    })
}

fn kind_label(code: &str) -> String {
    crate::cert::kinds::defaults().into_iter().find(|k| k.code == code).map(|k| k.name_zh).unwrap_or_else(|| code.to_string())
}

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

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Lease {
    pub id: i64,
    pub enterprise_id: i64,
    pub address: String,
    pub area_centi_m2: i64,
    pub unit_rent_fen: i64,
    pub start_on: String,
    pub end_on: String,
    pub annual_rent_fen: Option<i64>,
    pub source: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct LeaseInput {
    pub address: Option<String>,
    pub area_centi_m2: i64,
    pub unit_rent_fen: i64,
    pub start_on: String,
    pub end_on: String,
    pub annual_rent_fen: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct GrowthReport {
    pub enterprise_id: i64,
    pub year: i32,
    pub revenue_fen: Option<i64>,
    pub rd_fen: Option<i64>,
    pub staff: Option<i64>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Application {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub uscc: String,
    pub lease: Lease,
    pub subsidy_year: i64,
    pub period_start: String,
    pub period_end: String,
    pub revenue_prev_fen: Option<i64>,
    pub revenue_curr_fen: Option<i64>,
    pub requested_fen: Option<i64>,
    pub source: String,
    pub batch_id: Option<i64>,
    /// The grant made from it, if any.
    pub grant_id: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct ApplicationInput {
    pub lease_id: i64,
    pub subsidy_year: i64,
    pub period_start: String,
    pub period_end: String,
    pub revenue_prev_fen: Option<i64>,
    pub revenue_curr_fen: Option<i64>,
    pub requested_fen: Option<i64>,
}

pub fn add_lease(db: &mut Db, enterprise_id: i64, l: &LeaseInput) -> Result<Lease> {
    crate::enterprise::get(db, enterprise_id)?;
    let s = date(&l.start_on, "start_on")?;
    let e = date(&l.end_on, "end_on")?;
    if e < s {
        return Err(Error::invalid("out_of_range", "租期止早于租期起。", "The lease ends before it starts.").with_details(json!({"field": "end_on"})));
    }
    if l.area_centi_m2 <= 0 || l.unit_rent_fen <= 0 {
        return Err(Error::invalid("out_of_range", "租赁面积和租金单价必须大于0。", "Area and unit rent must be above 0.").with_details(json!({"field": if l.area_centi_m2 <= 0 { "area_centi_m2" } else { "unit_rent_fen" }})));
    }
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

pub fn add_application(db: &mut Db, a: &ApplicationInput) -> Result<Application> {
    let lease = sql::lease(db.conn(), a.lease_id)?.ok_or(Error::NotFound { entity: "lease", key: a.lease_id.to_string() })?;
    let s = date(&a.period_start, "period_start")?;
    let e = date(&a.period_end, "period_end")?;
    whole_months(s, e)?;
    let ls = date(&lease.start_on, "start_on")?;
    let le = date(&lease.end_on, "end_on")?;
    if s < ls.with_day(1).unwrap_or(ls) || e > last_day(le.year(), le.month()) {
        return Err(Error::invalid("out_of_range", format!("补贴期间须在租期（{} 至 {}）之内。", lease.start_on, lease.end_on), "The period must lie within the lease.").with_details(json!({"field": "period_start"})));
    }
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

/// The registry's inputs for an application: founding date, certifications valid at the start,
/// months already subsidised (other grants submitted, approved or paid).
fn registry_input(db: &Db, app: &Application, exclude_grant: Option<i64>) -> Result<CalcInput> {
    let e = crate::enterprise::get(db, app.enterprise_id)?;
    let certs = sql::valid_cert_kinds(db.conn(), app.enterprise_id, &app.period_start)?;
    let months_before = sql::months_subsidised(db.conn(), app.enterprise_id, exclude_grant)?;
    Ok(CalcInput {
        area_centi_m2: app.lease.area_centi_m2,
        unit_rent_fen: app.lease.unit_rent_fen,
        period_start: app.period_start.clone(),
        period_end: app.period_end.clone(),
        revenue_prev_fen: app.revenue_prev_fen,
        revenue_curr_fen: app.revenue_curr_fen,
        founded_on: e.founded_on,
        certifications: certs,
        months_before,
        subsidy_year: Some(app.subsidy_year),
        requested_fen: app.requested_fen,
    })
}

/// The calculator for a registered enterprise: its latest application (or lease), its growth
/// reports, certifications and months already subsidised.
pub fn calculate_for(db: &Db, uscc: &str, from: Option<&str>, to: Option<&str>) -> Result<CalcResult> {
    let e = crate::enterprise::find(db, uscc)?;
    let apps: Vec<Application> = applications(db, false)?.into_iter().filter(|a| a.enterprise_id == e.id).collect();
    let mut input = if let Some(app) = apps.last() {
        registry_input(db, app, app.grant_id)?
    } else {
        let lease = leases(db, e.id)?.pop().ok_or_else(|| {
            Error::refused("no_lease", format!("“{}”还没有租赁记录。请先登记租赁。", e.name), format!("“{}” has no lease yet.", e.name))
        })?;
        let start = from.unwrap_or(&lease.start_on).to_string();
        let y = date(&start, "period_start")?.year();
        let g = growth(db, e.id)?;
        let rev = |yr: i32| g.iter().find(|r| r.year == yr).and_then(|r| r.revenue_fen);
        CalcInput {
            area_centi_m2: lease.area_centi_m2,
            unit_rent_fen: lease.unit_rent_fen,
            period_start: start.clone(),
            period_end: to.unwrap_or(&lease.end_on).to_string(),
            revenue_prev_fen: rev(y - 2),
            revenue_curr_fen: rev(y - 1),
            founded_on: e.founded_on.clone(),
            certifications: sql::valid_cert_kinds(db.conn(), e.id, &start)?,
            months_before: sql::months_subsidised(db.conn(), e.id, None)?,
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

// ---- grants ------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum GrantStatus {
    Draft,
    Submitted,
    Approved,
    Rejected,
    Disbursed,
    Revoked,
}

impl GrantStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            GrantStatus::Draft => "draft",
            GrantStatus::Submitted => "submitted",
            GrantStatus::Approved => "approved",
            GrantStatus::Rejected => "rejected",
            GrantStatus::Disbursed => "disbursed",
            GrantStatus::Revoked => "revoked",
        }
    }
    pub fn parse(s: &str) -> Option<GrantStatus> {
        Some(match s {
            "draft" => GrantStatus::Draft,
            "submitted" => GrantStatus::Submitted,
            "approved" => GrantStatus::Approved,
            "rejected" => GrantStatus::Rejected,
            "disbursed" => GrantStatus::Disbursed,
            "revoked" => GrantStatus::Revoked,
            _ => return None,
        })
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            GrantStatus::Draft => "草稿",
            GrantStatus::Submitted => "已提交",
            GrantStatus::Approved => "已批准",
            GrantStatus::Rejected => "未通过",
            GrantStatus::Disbursed => "已拨付",
            GrantStatus::Revoked => "已撤销",
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Grant {
    pub id: i64,
    pub enterprise_id: i64,
    pub enterprise_name: String,
    pub uscc: String,
    pub application_id: Option<i64>,
    pub lease_id: i64,
    pub program_code: String,
    pub subsidy_year: i64,
    pub period_start: String,
    pub period_end: String,
    pub months: i64,
    pub rate_bp: i64,
    pub eligible_unit_rent_fen: i64,
    pub eligible_area_centi_m2: i64,
    pub computed_fen: i64,
    pub requested_fen: Option<i64>,
    pub approved_fen: Option<i64>,
    pub paid_fen: i64,
    pub status: GrantStatus,
    pub reason: String,
    pub budget_year: i32,
    pub over_budget: bool,
    pub rule_version: i64,
    pub clause: ClauseRef,
    pub explanation: CalcResult,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Payment {
    pub id: i64,
    pub amount_fen: i64,
    pub paid_on: String,
    pub reference: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct BatchApproval {
    pub approved: i64,
    pub total_fen: i64,
    pub over_budget: bool,
}

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
    chrono::Local::now().date_naive().year()
}

/// A draft grant computed from an application (the registry supplies the rest).
pub fn draft(db: &mut Db, application_id: i64) -> Result<Grant> {
    let app = application(db, application_id)?;
    if let Some(g) = app.grant_id {
        return Err(Error::refused("grant_exists", format!("这份申请已经生成过补贴（#{g}）。"), format!("This application already has a grant (#{g}).")));
    }
    let input = registry_input(db, &app, None)?;
    let rules = current_rules(db)?;
    let (clause, clause_id) = clause_ref(db)?;
    let result = compute(&input, &rules, clause)?;
    let program = crate::policy::program(db, "rent_subsidy")?;
    let id = db.write(|tx| sql::insert_grant(tx, &app, program.id, &result, clause_id, this_year()))?;
    grant(db, id)
}

/// Drafts for every application that has none yet.
pub fn draft_all(db: &mut Db) -> Result<Vec<Grant>> {
    let open: Vec<i64> = applications(db, true)?.into_iter().map(|a| a.id).collect();
    let mut out = Vec::new();
    for id in open {
        out.push(draft(db, id)?);
    }
    Ok(out)
}

fn wrong_state(g: &Grant, action_zh: &str, action_en: &str) -> Error {
    Error::refused(
        "wrong_status",
        format!("补贴 #{} 当前状态为“{}”，不能{}。", g.id, g.status.label_zh(), action_zh),
        format!("Grant #{} is {}: it cannot be {}.", g.id, g.status.as_str(), action_en),
    )
}

pub fn submit(db: &mut Db, id: i64) -> Result<Grant> {
    let g = grant(db, id)?;
    if g.status != GrantStatus::Draft {
        return Err(wrong_state(&g, "提交", "submitted"));
    }
    db.write(|tx| sql::set_status(tx, id, GrantStatus::Submitted, None, None, None, "submit"))?;
    grant(db, id)
}

/// Approve (a draft or submitted grant). The amount defaults to the computed amount, and never
/// exceeds it; approving past the program's yearly budget needs `confirm_over_budget`.
pub fn approve(db: &mut Db, id: i64, amount_fen: Option<i64>, confirm_over_budget: bool) -> Result<Grant> {
    let g = grant(db, id)?;
    check_approvable(db, &g)?;
    let amount = amount_fen.unwrap_or(g.computed_fen);
    if amount < 0 || amount > g.computed_fen {
        return Err(Error::invalid(
            "out_of_range",
            format!("批准金额 {} 元不能超过测算金额 {} 元。", fmt_yuan(amount), fmt_yuan(g.computed_fen)),
            format!("The approved amount ({}) cannot exceed the computed {}.", fmt_yuan(amount), fmt_yuan(g.computed_fen)),
        ));
    }
    let over = over_budget(db, &[(g.id, amount)])?;
    if over.is_some() && !confirm_over_budget {
        return Err(over.unwrap());
    }
    db.write(|tx| sql::set_status(tx, id, GrantStatus::Approved, Some(amount), None, Some((this_year(), over.is_some())), "approve"))?;
    grant(db, id)
}

fn check_approvable(db: &Db, g: &Grant) -> Result<()> {
    if !matches!(g.status, GrantStatus::Draft | GrantStatus::Submitted) {
        return Err(wrong_state(g, "批准", "approved"));
    }
    if !g.explanation.eligible {
        let why = g.explanation.reasons.iter().map(|r| r.message_zh.clone()).collect::<Vec<_>>().join("；");
        return Err(Error::refused("not_eligible", format!("补贴 #{} 不符合条件，不能批准：{why}", g.id), format!("Grant #{} is not eligible.", g.id)));
    }
    // The 36 months hold across everything approved meanwhile.
    let before = sql::months_subsidised(db.conn(), g.enterprise_id, Some(g.id))?;
    if before + g.months > MAX_MONTHS {
        return Err(Error::refused(
            "months_exhausted",
            format!("批准后累计补贴将达 {} 个月，超过三年（36个月）上限。请重新测算。", before + g.months),
            format!("Approving would make {} months, over the 36-month limit. Recalculate.", before + g.months),
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
                format!("This passes the {year} budget of {} by {}. Confirm to approve over budget (recorded).", program.name_en, fmt_yuan(approved + adding - allocated)),
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
    if over.is_some() && !confirm_over_budget {
        return Err(over.unwrap());
    }
    let flag = over.is_some();
    let year = this_year();
    db.write(|tx| {
        for (id, amount) in &items {
            sql::set_status(tx, *id, GrantStatus::Approved, Some(*amount), None, Some((year, flag)), "approve")?;
        }
        Ok(())
    })?;
    Ok(BatchApproval { approved: items.len() as i64, total_fen: items.iter().map(|x| x.1).sum(), over_budget: flag })
}

fn need_reason(reason: &str) -> Result<String> {
    let r = crate::text::clean(reason);
    if r.is_empty() {
        return Err(Error::invalid("reason_required", "请填写理由。", "A reason is required.").with_details(json!({"field": "reason"})));
    }
    Ok(r)
}

pub fn reject(db: &mut Db, id: i64, reason: &str) -> Result<Grant> {
    let reason = need_reason(reason)?;
    let g = grant(db, id)?;
    if !matches!(g.status, GrantStatus::Draft | GrantStatus::Submitted) {
        return Err(wrong_state(&g, "驳回", "rejected"));
    }
    db.write(|tx| sql::set_status(tx, id, GrantStatus::Rejected, None, Some(&reason), None, "reject"))?;
    grant(db, id)
}

pub fn revoke(db: &mut Db, id: i64, reason: &str) -> Result<Grant> {
    let reason = need_reason(reason)?;
    let g = grant(db, id)?;
    if matches!(g.status, GrantStatus::Rejected | GrantStatus::Revoked) {
        return Err(wrong_state(&g, "撤销", "revoked"));
    }
    db.write(|tx| sql::set_status(tx, id, GrantStatus::Revoked, None, Some(&reason), None, "revoke"))?;
    grant(db, id)
}

/// Record a payment; partial payments add up, never beyond the approved amount.
pub fn pay(db: &mut Db, id: i64, amount_fen: i64, paid_on: &str, reference: &str) -> Result<Grant> {
    let g = grant(db, id)?;
    if !matches!(g.status, GrantStatus::Approved | GrantStatus::Disbursed) {
        return Err(wrong_state(&g, "拨付", "paid"));
    }
    let approved = g.approved_fen.unwrap_or(0);
    if amount_fen <= 0 {
        return Err(Error::invalid("out_of_range", "拨付金额必须大于0。", "The payment must be above 0.").with_details(json!({"field": "amount_fen"})));
    }
    if g.paid_fen + amount_fen > approved {
        return Err(Error::refused(
            "over_approved",
            format!("已拨付 {} 元，再拨 {} 元将超过批准金额 {} 元。最多还能拨付 {} 元。", fmt_yuan(g.paid_fen), fmt_yuan(amount_fen), fmt_yuan(approved), fmt_yuan(approved - g.paid_fen)),
            format!("Paying {} would exceed the approved {} ({} already paid).", fmt_yuan(amount_fen), fmt_yuan(approved), fmt_yuan(g.paid_fen)),
        )
        .with_details(json!({"field": "amount_fen", "left_fen": approved - g.paid_fen})));
    }
    let d = date(paid_on, "paid_on")?;
    let reference = crate::text::clean(reference);
    let done = g.paid_fen + amount_fen == approved;
    db.write(|tx| {
        sql::insert_payment(tx, id, amount_fen, &d.to_string(), &reference)?;
        if done {
            sql::set_status(tx, id, GrantStatus::Disbursed, None, None, None, "disburse")?;
        }
        Ok(())
    })?;
    grant(db, id)
}

#[cfg(test)]
mod tests;
