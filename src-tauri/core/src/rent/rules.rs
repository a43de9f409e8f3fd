//! The district's rule scheme for the rent subsidy: versions, checked against the policy's fixed\n//! limits.

use super::*;

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
