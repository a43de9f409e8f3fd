use proptest::prelude::*;

use super::calendar::{self, MONTH_UNITS};
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
        ..Default::default()
    }
}

fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).unwrap()
}

fn codes(r: &CalcResult) -> Vec<&str> {
    r.reasons.iter().map(|x| x.code.as_str()).collect()
}

fn cut_codes(r: &CalcResult) -> Vec<(&str, &str, &str)> {
    r.cuts.iter().map(|c| (c.start.as_str(), c.end.as_str(), c.reason.as_str())).collect()
}

#[test]
fn worked_example_from_the_issue() {
    // 250.5 ㎡ × 45 元 × 12 months × 100 % (growth 40 %) = 135,270.00 元
    let r = compute(&base(), &rules(), ART2).unwrap();
    assert!(r.eligible, "{:?}", r.reasons);
    assert_eq!(r.rate_bp, 10_000);
    assert_eq!(r.months, 12.0);
    assert_eq!(r.month_units, 12 * MONTH_UNITS);
    assert_eq!(r.unit_rent_fen, 4_500);
    assert_eq!(r.area_centi_m2, 25_050);
    assert_eq!(r.amount_fen, 13_527_000);
    assert_eq!(r.rent_fen, 13_527_000);
    assert_eq!(r.rule_version, 1);
    assert_eq!(r.clause, ART2);
    assert_eq!(r.method, 2);
    assert_eq!(r.subsidy_year, Some(2), "12 months before: the second year");
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    let codes: Vec<&str> = r.steps.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(codes, vec!["period", "company_age", "certification", "growth", "months", "subsidy_year", "unit_rent_cap", "area_cap", "amount"]);
    assert!(r.steps.iter().all(|s| !s.text_zh.is_empty() && !s.basis.reference.is_empty()));
    assert_eq!(r.steps.last().unwrap().basis.reference, "第二条（第1版）");
    let growth = r.steps.iter().find(|s| s.code == "growth").unwrap();
    assert!(growth.text_zh.contains("2025年") && growth.text_zh.contains("2026年"), "the revenue years are named: {}", growth.text_zh);
    assert_eq!(r.revenue_years, Some(RevenueYears { prev: 2025, curr: 2026 }));
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
    // 50 % × 2.99 元 × 0.01 ㎡ × 1 month = 1.495 fen → 1 fen. (A firm founded last year: no
    // previous revenue, the lowest tier.)
    let mut h = base();
    h.founded_on = Some("2025-02-01".into());
    h.revenue_prev_fen = None;
    h.area_centi_m2 = 1;
    h.unit_rent_fen = 300;
    h.period_end = "2026-01-31".into();
    let r = compute(&h, &rules(), ART2).unwrap();
    assert_eq!(r.rate_bp, 5_000, "no previous revenue, founded last year → the lowest tier");
    assert!(r.steps.iter().any(|s| s.code == "growth" && s.text_zh.contains("最低一档") && s.text_zh.contains("2025年")));
    assert_eq!(r.amount_fen, 2);
    h.unit_rent_fen = 299;
    assert_eq!(compute(&h, &rules(), ART2).unwrap().amount_fen, 1);
}

#[test]
fn a_lease_from_the_15th_is_twelve_months_not_thirteen() {
    let mut i = base();
    i.months_before = 0;
    i.subsidy_year = Some(1);
    i.period_start = "2025-03-15".into();
    i.period_end = "2026-03-14".into();
    i.revenue_prev_fen = Some(100_000_000); // 2024
    i.revenue_curr_fen = Some(140_000_000); // 2025
    let r = compute(&i, &rules(), ART2).unwrap();
    assert!(r.eligible, "{:?}", r.reasons);
    assert_eq!(r.month_units, 12 * MONTH_UNITS);
    assert_eq!(r.months, 12.0);
    assert_eq!(r.amount_fen, 13_527_000, "the same as twelve whole months");
    let period = r.steps.iter().find(|s| s.code == "period").unwrap();
    assert!(period.text_zh.contains("17/31 + 11 + 14/31 = 12 个月"), "{}", period.text_zh);
    // Half a month: 16 days of a 31-day month.
    i.period_start = "2025-03-16".into();
    i.period_end = "2025-03-31".into();
    let r = compute(&i, &rules(), ART2).unwrap();
    // 100 % × 45 × 250.5 × 16/31 = 5,818.0645… 元 → 5,818.06
    assert_eq!(r.amount_fen, 581_806);
    assert_eq!(r.month_units, 16 * (MONTH_UNITS / 31));
}

#[test]
fn the_sum_over_months_is_exact_and_rounded_once() {
    // Two partial months of different lengths: each part has a fraction of a fen; the parts are
    // added exactly and the total rounded once.
    let mut i = base();
    i.months_before = 0;
    i.area_centi_m2 = 333;
    i.unit_rent_fen = 3_333;
    i.period_start = "2026-02-15".into(); // 14/28 of February
    i.period_end = "2026-03-10".into(); // 10/31 of March
    let r = compute(&i, &rules(), ART2).unwrap();
    let exact_num: i128 = 10_000 * 3_333 * 333 * (14 * (MONTH_UNITS / 28) + 10 * (MONTH_UNITS / 31)) as i128;
    let den = 1_000_000i128 * MONTH_UNITS as i128;
    assert_eq!(r.amount_fen as i128, (exact_num + den / 2) / den);
    // 33.33 元 × 3.33 ㎡ = 110.9889 元 a month; × 14/28 = 55.494 45, × 10/31 = 35.802 87: together
    // 91.297 32 → 91.30 元. Rounding each month apart would give 55.49 + 35.80 = 91.29.
    assert_eq!(r.amount_fen, 9_130);
}

#[test]
fn whole_refusals_carry_reasons() {
    let mut i = base();
    i.revenue_curr_fen = Some(90_000_000);
    assert_eq!(codes(&compute(&i, &rules(), ART2).unwrap()), ["negative_growth"]);
    let mut i = base();
    i.founded_on = Some("2019-06-01".into());
    assert_eq!(codes(&compute(&i, &rules(), ART2).unwrap()), ["company_too_old"]);
    let mut i = base();
    i.certifications = vec!["green_factory".into()];
    assert_eq!(codes(&compute(&i, &rules(), ART2).unwrap()), ["not_certified"]);
    let mut i = base();
    i.months_before = 36;
    let r = compute(&i, &rules(), ART2).unwrap();
    assert_eq!(codes(&r), ["months_exhausted"]);
    assert_eq!(r.amount_fen, 0);
    // 30 months before, 12 asked → 6 counted, with a step saying so; the days past are cut.
    let mut i = base();
    i.months_before = 30;
    let r = compute(&i, &rules(), ART2).unwrap();
    assert!(r.eligible);
    assert_eq!(r.months, 6.0);
    assert!(r.steps.iter().any(|s| s.code == "months" && s.text_zh.contains("只计 6 个月")), "{:?}", r.steps);
    assert_eq!(cut_codes(&r), [("2026-07-01", "2026-12-31", "months_exhausted")]);
    assert_eq!(r.months_left, 0.0);
    // The founding date missing.
    let mut i = base();
    i.founded_on = None;
    assert_eq!(codes(&compute(&i, &rules(), ART2).unwrap()), ["founded_on_missing"]);
}

#[test]
fn a_typed_year_that_disagrees_is_a_warning_not_a_refusal() {
    let mut i = base();
    i.subsidy_year = Some(4);
    let r = compute(&i, &rules(), ART2).unwrap();
    assert!(r.eligible, "the typed year is not the truth: {:?}", r.reasons);
    assert_eq!(r.subsidy_year, Some(2));
    assert_eq!(r.warnings.len(), 1);
    assert_eq!(r.warnings[0].code, "subsidy_year_mismatch");
    assert!(r.warnings[0].message_zh.contains("第4年") && r.warnings[0].message_zh.contains("第2年"), "{}", r.warnings[0].message_zh);
    // 18 months before a 12-month period: the period runs over years 2 and 3.
    i.months_before = 18;
    i.subsidy_year = Some(2);
    let r = compute(&i, &rules(), ART2).unwrap();
    assert_eq!(r.subsidy_year, Some(2));
    assert!(r.warnings.is_empty());
    assert!(r.steps.iter().any(|s| s.code == "subsidy_year" && s.text_zh.contains("第2–3年")));
}

#[test]
fn age_is_checked_on_each_day_and_29_february_ends_on_28_february() {
    let mut i = base();
    i.months_before = 0;
    i.founded_on = Some("2020-02-29".into());
    i.period_start = "2025-01-01".into();
    i.period_end = "2025-12-31".into();
    let r = compute(&i, &rules(), ART2).unwrap();
    assert!(r.eligible, "young until 2025-02-28: {:?}", r.reasons);
    assert_eq!(cut_codes(&r), [("2025-03-01", "2025-12-31", "company_too_old")]);
    assert_eq!(r.month_units, 2 * MONTH_UNITS, "January and February");
    let age = r.steps.iter().find(|s| s.code == "company_age").unwrap();
    assert!(age.text_zh.contains("2025-02-28"), "{}", age.text_zh);
}

#[test]
fn certifications_are_checked_on_each_day() {
    let mut i = base();
    i.months_before = 0;
    i.certifications = vec![];
    // A 高企 certificate that expires in the second month.
    i.cert_spans = Some(vec![CertSpan { kind: "high_tech_enterprise".into(), from: "2023-02-10".into(), to: Some("2026-02-09".into()) }]);
    let r = compute(&i, &rules(), ART2).unwrap();
    assert!(r.eligible);
    assert_eq!(cut_codes(&r), [("2026-02-10", "2026-12-31", "not_certified")]);
    assert_eq!(r.month_units, MONTH_UNITS + 9 * (MONTH_UNITS / 28));
    // A 科技型中小企业 valid to 31 December does not carry into a period starting 1 January; the
    // next year's evaluation (入库 on 10 April) does from that day.
    i.cert_spans = Some(vec![CertSpan { kind: "tech_sme".into(), from: "2025-03-25".into(), to: Some("2025-12-31".into()) }]);
    let r = compute(&i, &rules(), ART2).unwrap();
    assert_eq!(codes(&r), ["not_certified"]);
    i.cert_spans.as_mut().unwrap().push(CertSpan { kind: "tech_sme".into(), from: "2026-04-10".into(), to: Some("2026-12-31".into()) });
    let r = compute(&i, &rules(), ART2).unwrap();
    assert!(r.eligible);
    assert_eq!(cut_codes(&r), [("2026-01-01", "2026-04-09", "not_certified")]);
    let cert = r.steps.iter().find(|s| s.code == "certification").unwrap();
    assert!(cert.text_zh.contains("2026-01-01 至 2026-04-09"), "{}", cert.text_zh);
    // A kind that does not qualify is not counted, whatever its dates.
    i.cert_spans = Some(vec![CertSpan { kind: "green_factory".into(), from: "2020-01-01".into(), to: None }]);
    assert_eq!(codes(&compute(&i, &rules(), ART2).unwrap()), ["not_certified"]);
}

#[test]
fn revenue_rules() {
    let mut i = base();
    i.revenue_curr_fen = None;
    let r = compute(&i, &rules(), ART2).unwrap();
    assert_eq!(codes(&r), ["missing_revenue"], "this year's revenue is required");
    assert!(r.reasons[0].message_zh.contains("2026年"));
    // Last year's missing or zero: only a firm founded on or after 1 January of last year.
    let mut i = base();
    i.revenue_prev_fen = None;
    assert_eq!(codes(&compute(&i, &rules(), ART2).unwrap()), ["missing_revenue"], "founded 2023: last year's revenue is needed");
    i.revenue_prev_fen = Some(0);
    assert_eq!(codes(&compute(&i, &rules(), ART2).unwrap()), ["missing_revenue"]);
    i.founded_on = Some("2025-01-01".into());
    let r = compute(&i, &rules(), ART2).unwrap();
    assert!(r.eligible);
    assert_eq!(r.rate_bp, 5_000);
    i.founded_on = Some("2024-12-31".into());
    assert_eq!(codes(&compute(&i, &rules(), ART2).unwrap()), ["missing_revenue"]);
}

#[test]
fn the_growth_shown_never_crosses_a_tier_edge() {
    // 29.996 % is not "30 %": 100,000.00 → 129,996.00.
    let mut i = base();
    i.revenue_prev_fen = Some(10_000_000);
    i.revenue_curr_fen = Some(12_999_600);
    let r = compute(&i, &rules(), ART2).unwrap();
    assert_eq!(r.rate_bp, 8_000);
    let g = r.steps.iter().find(|s| s.code == "growth").unwrap();
    assert!(g.text_zh.contains("增长 29.99%"), "{}", g.text_zh);
    assert!(!g.text_zh.contains("增长 30%"));
    // Exactly 30 % reads 30 %; 12.345 % reads 12.35 % (no edge near).
    i.revenue_curr_fen = Some(13_000_000);
    assert!(compute(&i, &rules(), ART2).unwrap().steps.iter().any(|s| s.code == "growth" && s.text_zh.contains("增长 30%")));
    i.revenue_curr_fen = Some(11_234_500);
    assert!(compute(&i, &rules(), ART2).unwrap().steps.iter().any(|s| s.code == "growth" && s.text_zh.contains("增长 12.35%")));
    // A fall of 0.004 % is not "0 %".
    i.revenue_curr_fen = Some(9_999_600);
    let r = compute(&i, &rules(), ART2).unwrap();
    assert_eq!(codes(&r), ["negative_growth"]);
    assert!(r.reasons[0].message_zh.contains("-0.01%"), "{}", r.reasons[0].message_zh);
    for (prev, curr) in [(3, 4), (7, 9), (1_000_000, 1_149_999), (999_999, 1_299_998)] {
        let edges = [3_000, 1_500, 0];
        let shown = engine::growth_display_bp(prev, curr, &edges);
        for e in edges {
            let exact_at_or_above = (curr - prev) as i128 * 10_000 >= e as i128 * prev as i128;
            assert_eq!(shown >= e, exact_at_or_above, "{prev}→{curr}: shown {shown} vs edge {e}");
        }
    }
}

#[test]
fn a_lease_before_founding_is_a_data_error() {
    let mut i = base();
    i.founded_on = Some("2026-03-01".into());
    i.months_before = 0;
    let r = compute(&i, &rules(), ART2).unwrap();
    assert!(codes(&r).contains(&"lease_before_founding"), "{:?}", r.reasons);
    assert_eq!(r.amount_fen, 0);
}

fn covered(grant_id: i64, start: &str, end: &str, area: i64, same: bool) -> Covered {
    Covered { grant_id, start: start.into(), end: end.into(), area_centi_m2: area, same_premises: same }
}

#[test]
fn no_day_of_the_same_premises_is_paid_twice() {
    // The issue's case: 2025 approved as year 1; the same months again, typed 第2年.
    let mut i = base();
    i.months_before = 0;
    i.period_start = "2025-01-01".into();
    i.period_end = "2025-12-31".into();
    i.ledger = vec![covered(7, "2025-01-01", "2025-12-31", 25_050, true)];
    let r = compute(&i, &rules(), ART2).unwrap();
    assert!(!r.eligible);
    assert_eq!(codes(&r), ["period_already_subsidised"]);
    assert!(r.reasons[0].message_zh.contains("#7"));
    assert_eq!(r.cuts.len(), 1);
    assert_eq!((r.cuts[0].reason.as_str(), r.cuts[0].grant_id), ("period_already_subsidised", Some(7)));
    assert_eq!(r.months_used_before, 12.0, "the 36-month count says 12, not 24");
    // A later period overlapping by three months is cut to the uncovered days, naming the grant.
    i.period_start = "2025-10-01".into();
    i.period_end = "2026-09-30".into();
    let r = compute(&i, &rules(), ART2).unwrap();
    assert!(r.eligible);
    assert_eq!(cut_codes(&r), [("2025-10-01", "2025-12-31", "period_already_subsidised")]);
    assert_eq!(r.cuts[0].grant_id, Some(7));
    assert_eq!(r.month_units, 9 * MONTH_UNITS);
    assert_eq!(r.subsidy_year, Some(2));
    assert!(r.steps.iter().any(|s| s.code == "ledger" && s.text_zh.contains("#7")));
}

#[test]
fn different_premises_share_the_area_cap_day_by_day() {
    let mut i = base();
    i.months_before = 0;
    i.area_centi_m2 = 60_000;
    // Other premises hold 700 ㎡ in the first half of the year, 1,000 ㎡ in March.
    i.ledger = vec![covered(3, "2026-01-01", "2026-06-30", 70_000, false), covered(4, "2026-03-01", "2026-03-31", 30_000, false)];
    let r = compute(&i, &rules(), ART2).unwrap();
    assert!(r.eligible);
    assert_eq!(cut_codes(&r), [("2026-03-01", "2026-03-31", "area_cap_reached")]);
    let areas: Vec<(&str, &str, i64)> = r.stretches.iter().map(|s| (s.start.as_str(), s.end.as_str(), s.area_centi_m2)).collect();
    assert_eq!(areas, [("2026-01-01", "2026-02-28", 30_000), ("2026-04-01", "2026-06-30", 30_000), ("2026-07-01", "2026-12-31", 60_000)]);
    // Days shared with other premises cost no month: the 36 months count days, not leases.
    assert_eq!(r.months_used_before, 6.0);
    assert_eq!(r.months_left, 36.0 - 12.0);
}

#[test]
fn thirty_six_months_across_everything() {
    let mut i = base();
    i.months_before = 0;
    i.subsidy_year = Some(3);
    // 30 months subsidised before, on other premises and parks (not overlapping this period).
    i.ledger = vec![covered(1, "2023-07-01", "2025-12-31", 10_000, false)];
    let r = compute(&i, &rules(), ART2).unwrap();
    assert_eq!(r.month_units, 6 * MONTH_UNITS);
    assert_eq!(cut_codes(&r), [("2026-07-01", "2026-12-31", "months_exhausted")]);
    assert_eq!(r.subsidy_year, Some(3));
    assert_eq!(r.months_left, 0.0);
}

// ---- properties over sequences of applications --------------------------------------------------

/// One application of a simulated enterprise: premises (0..3), period, area.
#[derive(Debug, Clone)]
struct App {
    premises: u8,
    start: NaiveDate,
    end: NaiveDate,
    area: i64,
}

fn arb_app() -> impl Strategy<Value = App> {
    (0u8..3, 0i64..1_400, 1i64..500, 1i64..140_000).prop_map(|(premises, off, len, area)| {
        let start = d(2022, 1, 1) + chrono::Duration::days(off);
        App { premises, start, end: start + chrono::Duration::days(len), area }
    })
}

/// One application against a ledger of (premises, days, grant id).
fn draft_one(a: &App, ledger: &[(u8, Stretch, i64)], founded: &str) -> CalcResult {
    let input = CalcInput {
        area_centi_m2: a.area,
        unit_rent_fen: 4_000,
        period_start: a.start.to_string(),
        period_end: a.end.to_string(),
        revenue_prev_fen: Some(100),
        revenue_curr_fen: Some(200),
        founded_on: Some(founded.into()),
        certifications: vec!["tech_sme".into()],
        ledger: ledger.iter().map(|(p, s, g)| covered(*g, &s.start, &s.end, s.area_centi_m2, *p == a.premises)).collect(),
        ..Default::default()
    };
    compute(&input, &rules(), ART2).unwrap()
}

/// Draft the applications in order, each against the grants drafted before it (all live); the
/// result of each, in order.
fn run(apps: &[App], founded: &str) -> Vec<CalcResult> {
    let mut ledger: Vec<(u8, Stretch, i64)> = Vec::new();
    let mut out = Vec::new();
    for (n, a) in apps.iter().enumerate() {
        let r = draft_one(a, &ledger, founded);
        for s in &r.stretches {
            ledger.push((a.premises, s.clone(), n as i64 + 1));
        }
        out.push(r);
    }
    out
}

fn days_of(r: &CalcResult) -> Vec<(NaiveDate, i64)> {
    let mut v = Vec::new();
    for s in &r.stretches {
        let (mut a, b) = (NaiveDate::parse_from_str(&s.start, "%Y-%m-%d").unwrap(), NaiveDate::parse_from_str(&s.end, "%Y-%m-%d").unwrap());
        while a <= b {
            v.push((a, s.area_centi_m2));
            a = a.succ_opt().unwrap();
        }
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// No enterprise-day above the area cap; no day of the same premises twice; never more than
    /// 36 months; the months counted are the union of the days.
    #[test]
    fn the_ledger_holds_over_any_sequence(apps in proptest::collection::vec(arb_app(), 1..8)) {
        let results = run(&apps, "2021-06-01");
        let mut by_day: std::collections::HashMap<NaiveDate, (i64, Vec<u8>)> = std::collections::HashMap::new();
        let mut union = calendar::DaySet::new();
        for (a, r) in apps.iter().zip(&results) {
            prop_assert!(r.amount_fen <= r.rent_fen);
            for (day, area) in days_of(r) {
                let e = by_day.entry(day).or_default();
                e.0 += area;
                prop_assert!(!e.1.contains(&a.premises), "{day} paid twice for premises {}", a.premises);
                e.1.push(a.premises);
                union.insert(day, day);
            }
        }
        prop_assert!(by_day.values().all(|(area, _)| *area <= 100_000));
        prop_assert!(union.units() <= 36 * MONTH_UNITS);
        prop_assert_eq!(union.units(), results.iter().map(|r| r.month_units).sum::<i64>() - overlap_units(&results));
    }

    /// Applications that do not overlap (in days) get the same amounts in any order, while the 36
    /// months are not reached.
    #[test]
    fn amounts_do_not_depend_on_the_order_of_non_overlapping_applications(
        lens in proptest::collection::vec((1i64..200, 0i64..60, 1i64..90_000), 1..6),
        seed in any::<u64>(),
    ) {
        let mut apps = Vec::new();
        let mut start = d(2022, 3, 9);
        for (n, (len, gap, area)) in lens.iter().enumerate() {
            let s = start + chrono::Duration::days(*gap);
            let e = s + chrono::Duration::days(*len);
            apps.push(App { premises: (n % 2) as u8, start: s, end: e, area: *area });
            start = e + chrono::Duration::days(1);
        }
        let forward = run(&apps, "2021-06-01");
        let mut order: Vec<usize> = (0..apps.len()).collect();
        let mut x = seed | 1;
        for i in (1..order.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            order.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let shuffled: Vec<App> = order.iter().map(|&i| apps[i].clone()).collect();
        let other = run(&shuffled, "2021-06-01");
        for (k, &i) in order.iter().enumerate() {
            prop_assert_eq!(other[k].amount_fen, forward[i].amount_fen, "application {} in another order", i);
            prop_assert_eq!(other[k].month_units, forward[i].month_units);
        }
    }

    /// Rejecting or revoking a grant frees its days: the last application drafted again without
    /// it is never cut for that grant, and (while the 36 months do not bind) keeps every day it
    /// kept before, and more.
    #[test]
    fn a_grant_taken_away_frees_its_days(apps in proptest::collection::vec(arb_app(), 2..7), drop in 0usize..6) {
        let last = apps.len() - 1;
        let drop = drop % last;
        let results = run(&apps, "2021-06-01");
        let ledger: Vec<(u8, Stretch, i64)> = results[..last]
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != drop)
            .flat_map(|(i, r)| {
                let p = apps[i].premises;
                r.stretches.iter().map(move |s| (p, s.clone(), i as i64 + 1))
            })
            .collect();
        let again = draft_one(&apps[last], &ledger, "2021-06-01");
        prop_assert!(again.cuts.iter().all(|c| c.grant_id != Some(drop as i64 + 1)));
        if !again.cuts.iter().any(|c| c.reason == "months_exhausted") {
            prop_assert!(again.month_units >= results[last].month_units);
            let before: std::collections::HashSet<NaiveDate> = days_of(&results[last]).into_iter().map(|x| x.0).collect();
            let after: std::collections::HashSet<NaiveDate> = days_of(&again).into_iter().map(|x| x.0).collect();
            prop_assert!(before.is_subset(&after));
        }
    }

    /// Never more than the rent over the days counted; exact in fen (one half-up rounding).
    #[test]
    fn one_application_is_exact((input, r) in arb_input()) {
        let rv = RuleVersion { rules: r.clone(), ..rules() };
        let res = compute(&input, &rv, ART2).unwrap();
        prop_assert!(res.amount_fen <= res.rent_fen, "{} > {}", res.amount_fen, res.rent_fen);
        prop_assert!(res.amount_fen >= 0);
        if res.eligible {
            prop_assert!(input.months_before * MONTH_UNITS + res.month_units <= 36 * MONTH_UNITS);
            let mut num: i128 = 0;
            for s in &res.stretches {
                let (a, b) = (NaiveDate::parse_from_str(&s.start, "%Y-%m-%d").unwrap(), NaiveDate::parse_from_str(&s.end, "%Y-%m-%d").unwrap());
                num += res.rate_bp as i128 * res.unit_rent_fen as i128 * s.area_centi_m2 as i128 * calendar::units(a, b) as i128;
                if let Some(c) = r.area_cap_centi_m2 { prop_assert!(s.area_centi_m2 <= c); }
            }
            let den = 1_000_000i128 * MONTH_UNITS as i128;
            prop_assert_eq!(res.amount_fen as i128, (num + den / 2) / den);
            if let Some(c) = r.unit_rent_cap_fen { prop_assert!(res.unit_rent_fen <= c); }
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
}

/// Units of the days two results both count (other premises, the same day): counted once.
fn overlap_units(results: &[CalcResult]) -> i64 {
    let mut seen: std::collections::HashMap<NaiveDate, u32> = std::collections::HashMap::new();
    for r in results {
        for (day, _) in days_of(r) {
            *seen.entry(day).or_default() += 1;
        }
    }
    seen.iter().map(|(day, n)| (*n as i64 - 1) * calendar::day_units(*day)).sum()
}

fn arb_input() -> impl Strategy<Value = (CalcInput, RentRules)> {
    (
        1i64..500_000, // area, hundredths of ㎡ (up to 5,000 ㎡)
        1i64..30_000,  // unit rent fen (up to 300 元)
        2018i32..2030, // start year
        1u32..=12,     // start month
        1u32..=28,     // start day
        1i64..1_100,   // days asked
        proptest::option::of(1i64..1_000_000_000),
        0i64..2_000_000_000,
        0i64..48, // months before
        proptest::option::of(1i64..2_000_000),
        proptest::option::of(1i64..200_000),
    )
        .prop_map(|(area, unit, y, m, dd, days, prev, curr, before, unit_cap, area_cap)| {
            let start = d(y, m, dd);
            let end = start + chrono::Duration::days(days - 1);
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
                ..Default::default()
            };
            let mut rules = default_rules();
            rules.unit_rent_cap_fen = unit_cap;
            rules.area_cap_centi_m2 = area_cap;
            (input, rules)
        })
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

#[test]
fn a_v1_explanation_still_reads() {
    // Stored before the ledger rules: no method, months an integer, none of the new fields.
    let v1 = r#"{"eligible":true,"rate_bp":10000,"months":12,"unit_rent_fen":4500,"area_centi_m2":25050,"amount_fen":13527000,"rent_fen":13527000,
        "requested_fen":null,"difference_fen":null,"rule_version":1,"clause":{"article":2,"version":1},
        "steps":[{"code":"period","title_zh":"补贴期间","title_en":"Period","inputs":{},"result":12,"text_zh":"补贴期间 2026-01-01 至 2026-12-31，共 12 个整月。","basis":{"kind":"input","reference":"申请"}}],
        "reasons":[]}"#;
    let r: CalcResult = serde_json::from_str(v1).unwrap();
    assert_eq!(r.method, 1);
    assert_eq!(r.months, 12.0);
    assert_eq!(r.steps[0].text_zh, "补贴期间 2026-01-01 至 2026-12-31，共 12 个整月。");
    assert!(r.cuts.is_empty() && r.stretches.is_empty());
}

#[test]
fn months_before_out_of_range_is_refused_not_overflowed() {
    for m in [-1, 1201, i64::MAX, i64::MIN] {
        let e = compute(&CalcInput { months_before: m, ..base() }, &rules(), ART2).unwrap_err();
        assert_eq!(e.code(), "out_of_range", "{m}");
    }
    assert!(compute(&CalcInput { months_before: 1200, ..base() }, &rules(), ART2).is_ok());
}

#[test]
fn rule_parameters_are_cited_by_their_chinese_names() {
    let r = compute(&base(), &rules(), ART2).unwrap();
    let refs: Vec<&str> = r.steps.iter().map(|s| s.basis.reference.as_str()).filter(|x| x.starts_with("补贴规则")).collect();
    assert!(!refs.is_empty());
    assert!(refs.iter().all(|x| !x.contains('_') && !x.ends_with("tiers")), "{refs:?}");
    assert!(refs.contains(&"补贴规则第1版 · 按营业收入增长确定补贴比例"), "{refs:?}");
}
