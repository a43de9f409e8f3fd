use proptest::prelude::*;

use super::*;

fn rules() -> RuleVersion {
    RuleVersion { version: 1, rules: default_rules(), note: String::new(), created_at: String::new(), created_by: String::new() }
}
const ART2: ClauseRef = ClauseRef { article: 2, version: 1 };

fn base() -> CalcInput {
    CalcInput {
        area_centi_m2: 25_050,
        unit_rent_fen: 4_500,
        period_start: "2026-01-01".into(),
        period_end: "2026-12-31".into(),
        revenue_prev_fen: Some(100_000_000),
        revenue_curr_fen: Some(140_000_000),
        founded_on: Some("2023-03-01".into()),
        certifications: vec!["high_tech_enterprise".into()],
        months_before: 12,
        subsidy_year: Some(2),
        requested_fen: None,
    }
}

#[test]
fn worked_example_from_the_issue() {
    // 250.5 ㎡ × 45 元 × 12 months × 100 % (growth 40 %) = 135,270.00 元
    let r = compute(&base(), &rules(), ART2).unwrap();
    assert!(r.eligible, "{:?}", r.reasons);
    assert_eq!(r.rate_bp, 10_000);
    assert_eq!(r.months, 12);
    assert_eq!(r.unit_rent_fen, 4_500);
    assert_eq!(r.area_centi_m2, 25_050);
    assert_eq!(r.amount_fen, 13_527_000);
    assert_eq!(r.rent_fen, 13_527_000);
    assert_eq!(r.rule_version, 1);
    assert_eq!(r.clause, ART2);
    let codes: Vec<&str> = r.steps.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(codes, vec!["period", "subsidy_year", "company_age", "certification", "growth", "months", "unit_rent_cap", "area_cap", "amount"]);
    assert!(r.steps.iter().all(|s| !s.text_zh.is_empty() && !s.basis.reference.is_empty()));
    assert_eq!(r.steps.last().unwrap().basis.reference, "第二条（第1版）");
}

#[test]
fn tiers_caps_and_rounding() {
    let mut i = base();
    i.revenue_curr_fen = Some(120_000_000); // 20 % → 80 %
    let r = compute(&i, &rules(), ART2).unwrap();
    assert_eq!(r.rate_bp, 8_000);
    i.revenue_curr_fen = Some(105_000_000); // 5 % → 50 %
    assert_eq!(compute(&i, &rules(), ART2).unwrap().rate_bp, 5_000);
    i.revenue_curr_fen = Some(130_000_000); // exactly 30 % → 100 %
    assert_eq!(compute(&i, &rules(), ART2).unwrap().rate_bp, 10_000);
    i.revenue_curr_fen = Some(114_999_999); // just under 15 % → 50 %
    assert_eq!(compute(&i, &rules(), ART2).unwrap().rate_bp, 5_000);
    // Caps: 95 元 > 80, 1,200 ㎡ > 1,000.
    let mut c = base();
    c.unit_rent_fen = 9_500;
    c.area_centi_m2 = 120_000;
    let r = compute(&c, &rules(), ART2).unwrap();
    assert_eq!((r.unit_rent_fen, r.area_centi_m2), (8_000, 100_000));
    assert_eq!(r.amount_fen, 8_000 * 1_000 * 12); // 100 % × 80 × 1000 ㎡ × 12
    assert!(r.steps.iter().any(|s| s.code == "unit_rent_cap" && s.text_zh.contains("超过上限")));
    // Half-up once, at the end: 50 % × 3.00 元 × 0.01 ㎡ × 1 month = 1.5 fen → 2 fen;
    // 50 % × 2.99 元 × 0.01 ㎡ × 1 month = 1.495 fen → 1 fen.
    let mut h = base();
    h.revenue_prev_fen = None;
    h.area_centi_m2 = 1;
    h.unit_rent_fen = 300;
    h.period_end = "2026-01-31".into();
    let r = compute(&h, &rules(), ART2).unwrap();
    assert_eq!(r.rate_bp, 5_000, "no previous revenue → the lowest tier");
    assert!(r.steps.iter().any(|s| s.code == "growth" && s.text_zh.contains("最低一档")));
    assert_eq!(r.amount_fen, 2);
    h.unit_rent_fen = 299;
    assert_eq!(compute(&h, &rules(), ART2).unwrap().amount_fen, 1);
}

#[test]
fn refusals_carry_reasons() {
    let mut i = base();
    i.subsidy_year = Some(4);
    let r = compute(&i, &rules(), ART2).unwrap();
    assert!(!r.eligible);
    assert_eq!(r.amount_fen, 0);
    assert_eq!(r.reasons[0].code, "max_three_years");
    assert!(r.reasons[0].message_zh.contains("最长不超过三年"));
    let mut i = base();
    i.revenue_curr_fen = Some(90_000_000);
    assert_eq!(compute(&i, &rules(), ART2).unwrap().reasons[0].code, "negative_growth");
    let mut i = base();
    i.founded_on = Some("2019-06-01".into());
    assert_eq!(compute(&i, &rules(), ART2).unwrap().reasons[0].code, "company_too_old");
    let mut i = base();
    i.certifications = vec!["green_factory".into()];
    assert_eq!(compute(&i, &rules(), ART2).unwrap().reasons[0].code, "not_certified");
    let mut i = base();
    i.months_before = 36;
    assert_eq!(compute(&i, &rules(), ART2).unwrap().reasons[0].code, "months_exhausted");
    // 30 months before, 12 asked → 6 counted, with a step saying so.
    let mut i = base();
    i.months_before = 30;
    let r = compute(&i, &rules(), ART2).unwrap();
    assert!(r.eligible);
    assert_eq!(r.months, 6);
    assert!(r.steps.iter().any(|s| s.code == "months" && s.text_zh.contains("只计 6 个月")));
}

#[test]
fn periods_must_be_whole_months() {
    let mut i = base();
    i.period_start = "2026-01-02".into();
    assert_eq!(compute(&i, &rules(), ART2).unwrap_err().code(), "period_not_whole_months");
    let mut i = base();
    i.period_end = "2026-12-30".into();
    assert_eq!(compute(&i, &rules(), ART2).unwrap_err().code(), "period_not_whole_months");
    let mut i = base();
    i.period_start = "2024-02-01".into();
    i.period_end = "2024-02-29".into();
    assert_eq!(compute(&i, &rules(), ART2).unwrap().months, 1);
    assert_eq!(whole_months(NaiveDate::from_ymd_opt(2025, 8, 1).unwrap(), NaiveDate::from_ymd_opt(2026, 7, 31).unwrap()).unwrap(), 12);
}

#[test]
fn a_rule_may_not_pass_the_policy_limits() {
    let mut r = default_rules();
    r.tiers[0].rate_bp = 12_000;
    let p = check_rules(&r);
    assert_eq!(p[0].field, "tiers");
    assert!(p[0].message_zh.contains("100%"));
    let mut r = default_rules();
    r.tiers.swap(0, 2);
    assert!(!check_rules(&r).is_empty(), "tiers out of order");
    assert!(check_rules(&default_rules()).is_empty());
}

fn arb_input() -> impl Strategy<Value = (CalcInput, RentRules)> {
    (
        1i64..500_000,           // area, hundredths of ㎡ (up to 5,000 ㎡)
        1i64..30_000,            // unit rent fen (up to 300 元)
        2018i32..2030,           // start year
        1u32..=12,               // start month
        1i64..=36,               // months asked
        proptest::option::of(0i64..1_000_000_000),
        0i64..2_000_000_000,
        0i64..48,                // months before
        proptest::option::of(1i64..2_000_000),
        proptest::option::of(1i64..200_000),
    )
        .prop_map(|(area, unit, y, m, months, prev, curr, before, unit_cap, area_cap)| {
            let start = NaiveDate::from_ymd_opt(y, m, 1).unwrap();
            let end_month0 = (m as i64 - 1) + months - 1;
            let ey = y + (end_month0 / 12) as i32;
            let em = (end_month0 % 12) as u32 + 1;
            let end = last_day(ey, em);
            let input = CalcInput {
                area_centi_m2: area,
                unit_rent_fen: unit,
                period_start: start.to_string(),
                period_end: end.to_string(),
                revenue_prev_fen: prev,
                revenue_curr_fen: Some(curr),
                founded_on: Some((start - chrono::Duration::days(400)).to_string()),
                certifications: vec!["tech_sme".into()],
                months_before: before,
                subsidy_year: Some(1),
                requested_fen: None,
            };
            let mut rules = default_rules();
            rules.unit_rent_cap_fen = unit_cap;
            rules.area_cap_centi_m2 = area_cap;
            (input, rules)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Never more than the rent over the period counted.
    #[test]
    fn amount_never_exceeds_the_rent((input, r) in arb_input()) {
        let rv = RuleVersion { rules: r, ..rules() };
        let res = compute(&input, &rv, ART2).unwrap();
        prop_assert!(res.amount_fen <= res.rent_fen, "{} > {}", res.amount_fen, res.rent_fen);
        prop_assert!(res.amount_fen >= 0);
    }

    /// Months before plus months counted never pass 36.
    #[test]
    fn total_months_never_pass_36((input, r) in arb_input()) {
        let rv = RuleVersion { rules: r, ..rules() };
        let res = compute(&input, &rv, ART2).unwrap();
        if res.eligible {
            prop_assert!(input.months_before + res.months <= MAX_MONTHS);
            prop_assert!(res.months >= 1);
        } else {
            prop_assert_eq!(res.amount_fen, 0);
        }
    }

    /// More growth never means a lower rate.
    #[test]
    fn rate_never_falls_when_growth_rises(prev in 1i64..1_000_000_000, a in 0i64..3_000_000_000, b in 0i64..3_000_000_000) {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let mut i = base();
        i.revenue_prev_fen = Some(prev);
        i.revenue_curr_fen = Some(lo);
        let r_lo = compute(&i, &rules(), ART2).unwrap().rate_bp;
        i.revenue_curr_fen = Some(hi);
        let r_hi = compute(&i, &rules(), ART2).unwrap().rate_bp;
        prop_assert!(r_hi >= r_lo, "growth {lo}→{hi}: rate {r_lo}→{r_hi}");
        prop_assert!(r_hi <= MAX_RATE_BP);
    }

    /// Exact in fen: one half-up rounding of the exact product, nothing else.
    #[test]
    fn amounts_are_exact_in_fen((input, r) in arb_input()) {
        let rv = RuleVersion { rules: r.clone(), ..rules() };
        let res = compute(&input, &rv, ART2).unwrap();
        if res.eligible {
            let num = res.rate_bp as u128 * res.unit_rent_fen as u128 * res.area_centi_m2 as u128 * res.months as u128;
            let expected = (num + 500_000) / 1_000_000;
            prop_assert_eq!(res.amount_fen as u128, expected);
            prop_assert!(res.unit_rent_fen <= input.unit_rent_fen && res.area_centi_m2 <= input.area_centi_m2);
            if let Some(c) = r.unit_rent_cap_fen { prop_assert!(res.unit_rent_fen <= c); }
            if let Some(c) = r.area_cap_centi_m2 { prop_assert!(res.area_centi_m2 <= c); }
        }
    }
}
