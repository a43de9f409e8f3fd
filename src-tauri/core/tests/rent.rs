//! Rent-subsidy grants from application to payment, and the ledger rules across applications
//! (DESIGN §2): computed from the registry by calendar day, no day of the same premises twice, the
//! area cap shared day by day, 36 months across everything, eligibility on each day; approved
//! within the budget (or past it with a recorded confirmation), paid in parts, never beyond the
//! approved amount.

use huiqi_core::cert::{self, CertInput};
use huiqi_core::enterprise::{self, EnterpriseInput};
use huiqi_core::rent::{self, calendar::MONTH_UNITS, ApplicationInput, GrantStatus, GrowthReport, LeaseInput};
use huiqi_core::store::Db;

const USCC: &str = "914403001922038216";
const ADDR: &str = "南京市江宁区秣周东路9号";

fn setup() -> (tempfile::TempDir, Db, i64) {
    let t = tempfile::tempdir().unwrap();
    let mut db = Db::open_rw(t.path().join("r.db")).unwrap();
    let e = enterprise::create(
        &mut db,
        &EnterpriseInput { uscc: USCC.into(), name: "南京甲乙科技有限公司".into(), founded_on: Some("2023-03-01".into()), ..Default::default() },
    )
    .unwrap()
    .enterprise;
    // A valid high-tech certificate (2024-12-20 to 2027-12-19), through the import path.
    let csv = t.path().join("c.csv");
    std::fs::write(&csv, format!("企业名称,统一社会信用代码,认定类型,证书编号,发证日期\n南京甲乙科技有限公司,{USCC},高新技术企业,GR202432000001,2024-12-20\n"))
        .unwrap();
    huiqi_core::import::commit(&mut db, &csv, &Default::default(), &huiqi_core::progress::NoProgress).unwrap();
    (t, db, e.id)
}

fn lease(db: &mut Db, eid: i64, address: &str, area: i64, start: &str, end: &str) -> rent::Lease {
    rent::add_lease(
        db,
        eid,
        &LeaseInput {
            address: Some(address.into()),
            area_centi_m2: area,
            unit_rent_fen: 4_500,
            start_on: start.into(),
            end_on: end.into(),
            annual_rent_fen: None,
        },
    )
    .unwrap()
}

fn apply_on(db: &mut Db, lease_id: i64, year: i64, start: &str, end: &str, requested: i64) -> rent::Application {
    rent::add_application(
        db,
        &ApplicationInput {
            lease_id,
            subsidy_year: year,
            period_start: start.into(),
            period_end: end.into(),
            revenue_prev_fen: Some(100_000_000),
            revenue_curr_fen: Some(140_000_000),
            requested_fen: Some(requested),
        },
    )
    .unwrap()
}

fn draft_on(db: &mut Db, lease_id: i64, year: i64, start: &str, end: &str, requested: i64) -> huiqi_core::Result<rent::Grant> {
    let a = apply_on(db, lease_id, year, start, end, requested);
    rent::draft(db, a.id)
}

fn apply(db: &mut Db, eid: i64, year: i64, start: &str, end: &str, requested: i64) -> rent::Application {
    let l = lease(db, eid, ADDR, 25_050, start, end);
    apply_on(db, l.id, year, start, end, requested)
}

fn year_now() -> i32 {
    chrono::Datelike::year(&chrono::Local::now().date_naive())
}

#[test]
fn draft_approve_pay_in_parts() {
    let (_t, mut db, eid) = setup();
    rent::set_growth(&mut db, &GrowthReport { enterprise_id: eid, year: 2025, revenue_fen: Some(140_000_000), rd_fen: None, staff: Some(30) }).unwrap();
    let app = apply(&mut db, eid, 1, "2026-01-01", "2026-12-31", 13_000_000);
    let g = rent::draft(&mut db, app.id).unwrap();
    assert_eq!(g.status, GrantStatus::Draft);
    assert!(g.explanation.eligible, "{:?}", g.explanation.reasons);
    assert_eq!(g.computed_fen, 13_527_000);
    assert_eq!((g.months, g.month_units, g.method), (12.0, 12 * MONTH_UNITS, 2));
    assert_eq!(g.explanation.difference_fen, Some(527_000), "computed vs requested is visible");
    assert_eq!(rent::draft(&mut db, app.id).unwrap_err().code(), "grant_exists");
    let g = rent::submit(&mut db, g.id).unwrap();
    assert_eq!(rent::approve(&mut db, g.id, Some(20_000_000), None, false).unwrap_err().code(), "out_of_range", "never more than computed");
    let e = rent::approve(&mut db, g.id, Some(13_000_000), None, false).unwrap_err();
    assert_eq!(e.code(), "reason_required", "a lower amount (核减) needs its reason");
    let g = rent::approve(&mut db, g.id, None, None, false).unwrap();
    assert_eq!(g.approved_fen, Some(13_527_000));
    // Budget moves.
    let b = huiqi_core::policy::budgets(&db, year_now()).unwrap().into_iter().find(|b| b.program_code == "rent_subsidy").unwrap();
    assert_eq!(b.approved_fen, 13_527_000);
    assert_eq!(b.remaining_fen, b.allocated_fen - 13_527_000);
    // Pay in two parts; a third that would exceed is refused.
    let g = rent::pay(&mut db, g.id, 10_000_000, "2026-11-01", "拨付凭证001").unwrap();
    assert_eq!((g.paid_fen, g.status), (10_000_000, GrantStatus::Approved));
    let e = rent::pay(&mut db, g.id, 4_000_000, "2026-11-02", "").unwrap_err();
    assert_eq!(e.code(), "over_approved");
    assert!(e.message(huiqi_core::Lang::Zh).contains("35,270.00"), "{}", e.message(huiqi_core::Lang::Zh));
    let g = rent::pay(&mut db, g.id, 3_527_000, "2026-11-02", "拨付凭证002").unwrap();
    assert_eq!(g.status, GrantStatus::Disbursed);
    assert_eq!(rent::payments(&db, g.id).unwrap().len(), 2);
    let b = huiqi_core::policy::budgets(&db, year_now()).unwrap().into_iter().find(|b| b.program_code == "rent_subsidy").unwrap();
    assert_eq!(b.disbursed_fen, 13_527_000);
    // Revoke needs a reason.
    assert_eq!(rent::revoke(&mut db, g.id, "  ").unwrap_err().code(), "reason_required");
    let g = rent::revoke(&mut db, g.id, "企业迁出本区").unwrap();
    assert_eq!(g.status, GrantStatus::Revoked);
    assert!(db.check().unwrap().ok);
}

#[test]
fn a_lower_amount_is_approved_with_its_reason() {
    let (_t, mut db, eid) = setup();
    let app = apply(&mut db, eid, 1, "2026-01-01", "2026-12-31", 1);
    let g = rent::draft(&mut db, app.id).unwrap();
    let g = rent::approve(&mut db, g.id, Some(12_000_000), Some("部分面积转租，按实际自用面积核减"), false).unwrap();
    assert_eq!(g.approved_fen, Some(12_000_000));
    assert_eq!(g.reason, "部分面积转租，按实际自用面积核减");
}

#[test]
fn the_same_months_again_are_not_paid_twice() {
    // The case: 2025-01-01 to 2025-12-31 approved as year 1; a second application for the
    // same months, typed 第2年 — on the same lease, and on a new lease of the same premises.
    let (_t, mut db, eid) = setup();
    let l = lease(&mut db, eid, ADDR, 25_050, "2025-01-01", "2025-12-31");
    let a1 = apply_on(&mut db, l.id, 1, "2025-01-01", "2025-12-31", 1);
    let g1 = rent::draft(&mut db, a1.id).unwrap();
    assert!(g1.explanation.eligible, "{:?}", g1.explanation.reasons);
    let g1 = rent::approve(&mut db, g1.id, None, None, true).unwrap();
    for l2 in [l.id, lease(&mut db, eid, " 南京市江宁区秣周东路 9号 ", 25_050, "2025-01-01", "2025-12-31").id] {
        let a2 = apply_on(&mut db, l2, 2, "2025-01-01", "2025-12-31", 1);
        let g2 = rent::draft(&mut db, a2.id).unwrap();
        assert!(!g2.explanation.eligible);
        assert_eq!(g2.explanation.reasons[0].code, "period_already_subsidised");
        assert_eq!(g2.cuts.len(), 1);
        assert_eq!((g2.cuts[0].reason.as_str(), g2.cuts[0].grant_id), ("period_already_subsidised", Some(g1.id)));
        assert_eq!(g2.months_used_before, 12.0, "12 months used, not 24");
        assert_eq!(rent::approve(&mut db, g2.id, None, None, true).unwrap_err().code(), "not_eligible");
        rent::reject(&mut db, g2.id, "该期间已补贴").unwrap();
    }
    let t = rent::timeline(&db, eid).unwrap();
    assert_eq!(t.months_used, 12.0);
    assert_eq!(t.months_left, 24.0);
    assert_eq!(t.stretches.len(), 1);
    assert_eq!((t.stretches[0].grant_id, t.stretches[0].start.as_str(), t.stretches[0].end.as_str()), (g1.id, "2025-01-01", "2025-12-31"));
    // An overlapping later period is cut to the uncovered days, naming the grant.
    let a3 = apply(&mut db, eid, 2, "2025-10-01", "2026-09-30", 1);
    let g3 = rent::draft(&mut db, a3.id).unwrap();
    assert!(g3.explanation.eligible);
    assert_eq!(g3.month_units, 9 * MONTH_UNITS);
    assert_eq!(g3.subsidy_year, 2, "the year comes from the months used");
    assert_eq!((g3.cuts[0].start.as_str(), g3.cuts[0].end.as_str(), g3.cuts[0].grant_id), ("2025-10-01", "2025-12-31", Some(g1.id)));
    // Revoking the first grant frees its days: the draft calculated again gets all twelve months.
    rent::revoke(&mut db, g1.id, "重复申报，撤销后重新核定").unwrap();
    let g3 = rent::recalculate(&mut db, g3.id).unwrap();
    assert_eq!(g3.month_units, 12 * MONTH_UNITS);
    assert!(g3.cuts.is_empty());
    assert_eq!(g3.subsidy_year, 1);
    assert!(db.check().unwrap().ok);
}

#[test]
fn a_mid_month_lease_is_twelve_months() {
    let (_t, mut db, eid) = setup();
    let app = apply(&mut db, eid, 1, "2025-03-15", "2026-03-14", 1);
    let g = rent::draft(&mut db, app.id).unwrap();
    assert!(g.explanation.eligible, "{:?}", g.explanation.reasons);
    assert_eq!(g.months, 12.0);
    assert_eq!(g.computed_fen, 13_527_000, "12 months of 250.5 ㎡ at 45 元, not 13");
    // The period may be any days within the lease; not outside it.
    let l = lease(&mut db, eid, "另一处", 10_000, "2026-04-10", "2026-08-20");
    let e = rent::add_application(
        &mut db,
        &ApplicationInput { lease_id: l.id, subsidy_year: 1, period_start: "2026-04-01".into(), period_end: "2026-08-20".into(), ..Default::default() },
    )
    .unwrap_err();
    assert_eq!(e.code(), "out_of_range");
    apply_on(&mut db, l.id, 2, "2026-04-10", "2026-08-20", 1);
}

#[test]
fn concurrent_premises_share_the_area_cap() {
    let (_t, mut db, eid) = setup();
    // 700 ㎡ at one address all year, then 600 ㎡ at another from July: 300 ㎡ is left for it.
    let l1 = lease(&mut db, eid, "南京市江宁区甲路1号", 70_000, "2026-01-01", "2026-12-31");
    let g1 = draft_on(&mut db, l1.id, 1, "2026-01-01", "2026-12-31", 1).unwrap();
    let l2 = lease(&mut db, eid, "南京市江宁区乙路2号", 60_000, "2026-07-01", "2026-12-31");
    let g2 = draft_on(&mut db, l2.id, 1, "2026-07-01", "2026-12-31", 1).unwrap();
    assert!(g2.explanation.eligible);
    assert_eq!(g2.explanation.stretches.len(), 1);
    assert_eq!(g2.explanation.stretches[0].area_centi_m2, 30_000, "the first keeps its area, the later one gets what is left");
    assert_eq!(g2.computed_fen, 4_500 * 300 * 6);
    // Those days cost no month: the enterprise has used 12 months, not 18.
    let t = rent::timeline(&db, eid).unwrap();
    assert_eq!(t.months_used, 12.0);
    assert_eq!(t.stretches.iter().map(|s| s.grant_id).collect::<Vec<_>>(), [g1.id, g2.id]);
    // Both approve (the ledger check holds), and rejecting the first frees the area.
    rent::approve(&mut db, g2.id, None, None, true).unwrap();
    rent::reject(&mut db, g1.id, "申报材料不全").unwrap();
    let l3 = lease(&mut db, eid, "南京市江宁区丙路3号", 90_000, "2026-01-01", "2026-06-30");
    let g3 = draft_on(&mut db, l3.id, 1, "2026-01-01", "2026-06-30", 1).unwrap();
    assert_eq!(g3.explanation.stretches[0].area_centi_m2, 90_000);
}

#[test]
fn thirty_six_months_across_leases_and_parks() {
    let (_t, mut db, eid) = setup();
    // Founded 2023-03-01: young until 2028-02-29. Certified 2024-12-20 to 2027-12-19, renewed.
    cert::add(
        &mut db,
        &CertInput {
            uscc: USCC.into(),
            kind: "高新技术企业".into(),
            certificate_no: Some("GR202732000009".into()),
            issued_on: "2027-12-20".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let mut ids = Vec::new();
    for (y, s, e, addr) in [(1, "2025-01-10", "2026-01-09", "甲园区1号"), (2, "2026-01-10", "2027-01-09", "乙园区2号")] {
        let l = lease(&mut db, eid, addr, 25_050, s, e);
        ids.push(draft_on(&mut db, l.id, y, s, e, 1).unwrap().id);
    }
    let r = rent::approve_many(&mut db, &ids, true).unwrap();
    assert_eq!(r.approved, 2);
    assert_eq!(r.total_fen, 2 * 13_527_000);
    let l = lease(&mut db, eid, "丙园区3号", 25_050, "2027-01-10", "2028-06-30");
    let g3 = draft_on(&mut db, l.id, 3, "2027-01-10", "2028-06-30", 1).unwrap();
    assert!(g3.explanation.eligible);
    assert_eq!(g3.month_units, 12 * MONTH_UNITS, "36 in all");
    assert_eq!(g3.subsidy_year, 3);
    let cuts: Vec<(&str, &str, &str)> = g3.cuts.iter().map(|c| (c.start.as_str(), c.end.as_str(), c.reason.as_str())).collect();
    assert_eq!(cuts, [("2028-01-10", "2028-02-29", "months_exhausted"), ("2028-03-01", "2028-06-30", "company_too_old")]);
    rent::approve(&mut db, g3.id, None, None, true).unwrap();
    let l = lease(&mut db, eid, "丁园区", 25_050, "2028-01-10", "2028-02-20");
    let g4 = draft_on(&mut db, l.id, 3, "2028-01-10", "2028-02-20", 1).unwrap();
    assert_eq!(g4.explanation.reasons[0].code, "months_exhausted");
    assert_eq!(rent::timeline(&db, eid).unwrap().months_left, 0.0);
}

#[test]
fn eligibility_on_each_day_from_the_registry() {
    let (_t, mut db, eid) = setup();
    // The 高企 certificate runs 2024-12-20 to 2027-12-19: a 2024 period is cut until it was issued.
    let app = apply(&mut db, eid, 1, "2024-07-01", "2025-06-30", 1);
    let g = rent::draft(&mut db, app.id).unwrap();
    assert!(g.explanation.eligible);
    assert_eq!(
        g.cuts.iter().map(|c| (c.start.as_str(), c.end.as_str(), c.reason.as_str())).collect::<Vec<_>>(),
        [("2024-07-01", "2024-12-19", "not_certified")]
    );
    // A lease that starts before the firm was founded is refused where it is entered.
    let e = rent::add_lease(
        &mut db,
        eid,
        &LeaseInput {
            address: None,
            area_centi_m2: 100,
            unit_rent_fen: 100,
            start_on: "2023-01-01".into(),
            end_on: "2023-12-31".into(),
            annual_rent_fen: None,
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "lease_before_founding");
    // A 科技型中小企业 entered later counts for the days it is valid, after the draft is calculated again.
    let app = apply(&mut db, eid, 1, "2024-01-01", "2024-06-30", 1);
    let g = rent::draft(&mut db, app.id).unwrap();
    assert_eq!(g.explanation.reasons[0].code, "not_certified");
    cert::add(&mut db, &CertInput { uscc: USCC.into(), kind: "科技型中小企业".into(), issued_on: "2024-04-01".into(), ..Default::default() }).unwrap();
    let g = rent::recalculate(&mut db, g.id).unwrap();
    assert!(g.explanation.eligible);
    assert_eq!(g.explanation.stretches[0].start, "2024-04-01");
}

#[test]
fn over_budget_needs_a_recorded_confirmation() {
    let (_t, mut db, eid) = setup();
    huiqi_core::policy::set_budget(&mut db, "rent_subsidy", year_now(), 10_000_000).unwrap();
    let app = apply(&mut db, eid, 1, "2026-01-01", "2026-12-31", 1);
    let g = rent::draft(&mut db, app.id).unwrap();
    let e = rent::approve(&mut db, g.id, None, None, false).unwrap_err();
    assert_eq!(e.code(), "over_budget");
    assert!(e.message(huiqi_core::Lang::Zh).contains("超出"));
    let g = rent::approve(&mut db, g.id, None, None, true).unwrap();
    assert!(g.over_budget, "recorded");
    let b = huiqi_core::policy::budgets(&db, year_now()).unwrap().into_iter().find(|b| b.program_code == "rent_subsidy").unwrap();
    assert!(b.remaining_fen < 0);
}

#[test]
fn a_new_year_starts_from_last_years_budgets() {
    let (_t, mut db, _eid) = setup();
    let y = year_now();
    huiqi_core::policy::set_budget(&mut db, "rent_subsidy", y - 1, 77_000_000).unwrap();
    // Next year has no budget yet: it reads as this year's, marked as such, never as 0.
    let next = huiqi_core::policy::budgets(&db, y + 1).unwrap();
    let rent_next = next.iter().find(|b| b.program_code == "rent_subsidy").unwrap();
    assert_eq!((rent_next.allocated_fen, rent_next.inherited_from), (500_000_000, Some(y)));
    let this = huiqi_core::policy::budgets(&db, y).unwrap();
    assert!(this.iter().all(|b| b.inherited_from.is_none()));
}

#[test]
fn a_new_rule_version_applies_to_new_calculations_only() {
    let (_t, mut db, eid) = setup();
    let app = apply(&mut db, eid, 1, "2026-01-01", "2026-12-31", 1);
    let g1 = rent::draft(&mut db, app.id).unwrap();
    let mut r = rent::current_rules(&db).unwrap().rules;
    r.unit_rent_cap_fen = Some(4_000);
    let v2 = rent::save_rules(&mut db, &r, "单价上限调为40元").unwrap();
    assert_eq!(v2.version, 2);
    let mut bad = r.clone();
    bad.tiers[0].rate_bp = 10_001;
    assert_eq!(rent::save_rules(&mut db, &bad, "").unwrap_err().code(), "invalid_rules");
    let app2 = apply(&mut db, eid, 2, "2027-01-01", "2027-12-31", 1);
    let g2 = rent::draft(&mut db, app2.id).unwrap();
    assert_eq!(g2.rule_version, 2);
    assert_eq!(g2.eligible_unit_rent_fen, 4_000);
    let g1 = rent::grant(&db, g1.id).unwrap();
    assert_eq!((g1.rule_version, g1.eligible_unit_rent_fen), (1, 4_500), "the earlier grant keeps its version");
    // The calculator by USCC reads the registry.
    let c = rent::calculate_for(&db, USCC, None, None).unwrap();
    assert_eq!(c.rule_version, 2);
}

/// A ledger from before the ledger rules (schema v8: the same months granted twice, both
/// approved) moves to the new counting without changing what was issued.
#[test]
fn grants_made_before_the_ledger_rules_keep_their_amounts_and_count_once() {
    let dump = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/schema/v8.sql")).unwrap();
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("old.db");
    rusqlite::Connection::open(&p).unwrap().execute_batch(&dump).unwrap();
    let mut db = Db::open_rw(&p).unwrap();
    let g1 = rent::grant(&db, 1).unwrap();
    let g11 = rent::grant(&db, 11).unwrap();
    assert_eq!((g1.status, g11.status), (GrantStatus::Approved, GrantStatus::Approved));
    assert_eq!((g1.method, g11.method), (1, 1));
    assert_eq!(g11.computed_fen, 35_739_648);
    assert!(g11.explanation.steps.iter().any(|s| s.text_zh.contains("个整月")), "the v1 explanation reads as it did");
    // The enterprise's 36 months count those days once.
    let t = rent::timeline(&db, g1.enterprise_id).unwrap();
    assert_eq!(t.months_used, 12.0);
    // A new application on the same premises is checked against both: the 2025 days are cut
    // (paid already), the rest is the second year.
    let l = rent::add_lease(
        &mut db,
        g1.enterprise_id,
        &LeaseInput {
            address: Some("南京市江宁区徐庄路99号1号楼".into()),
            area_centi_m2: 62_048,
            unit_rent_fen: 4_800,
            start_on: "2025-07-01".into(),
            end_on: "2026-06-30".into(),
            annual_rent_fen: None,
        },
    )
    .unwrap();
    let app = apply_on(&mut db, l.id, 2, "2025-07-01", "2026-06-30", 1);
    let g = rent::draft(&mut db, app.id).unwrap();
    let first = &g.cuts[0];
    assert_eq!((first.start.as_str(), first.end.as_str(), first.reason.as_str()), ("2025-07-01", "2025-12-31", "period_already_subsidised"), "{:?}", g.cuts);
    assert!(first.grant_id == Some(1) || first.grant_id == Some(11));
    assert_eq!(g.months_used_before, 12.0);
    // The two old grants overlap each other: approving a draft of either kind against them is
    // checked, and the old ones stay as issued.
    assert_eq!(rent::grant(&db, 11).unwrap().computed_fen, 35_739_648);
    assert!(db.check().unwrap().ok);
}
