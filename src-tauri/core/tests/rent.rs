//! Rent-subsidy grants from application to payment: computed from the registry, approved within
//! the budget (or past it with a recorded confirmation), paid in parts, never beyond the approved
//! amount; a 4th year and the 37th month are refused with their reasons.

use huiqi_core::enterprise::{self, EnterpriseInput};
use huiqi_core::rent::{self, ApplicationInput, GrantStatus, GrowthReport, LeaseInput};
use huiqi_core::store::Db;

fn setup() -> (tempfile::TempDir, Db, i64) {
    let t = tempfile::tempdir().unwrap();
    let mut db = Db::open_rw(t.path().join("r.db")).unwrap();
    let e = enterprise::create(
        &mut db,
        &EnterpriseInput { uscc: "914403001922038216".into(), name: "南京甲乙科技有限公司".into(), founded_on: Some("2023-03-01".into()), ..Default::default() },
    )
    .unwrap()
    .enterprise;
    // A valid high-tech certificate, through the import path.
    let csv = t.path().join("c.csv");
    std::fs::write(&csv, "企业名称,统一社会信用代码,认定类型,证书编号,发证日期\n南京甲乙科技有限公司,914403001922038216,高新技术企业,GR202532000001,2025-01-10\n").unwrap();
    huiqi_core::import::commit(&mut db, &csv, &Default::default(), &huiqi_core::progress::NoProgress).unwrap();
    (t, db, e.id)
}

fn apply(db: &mut Db, eid: i64, year: i64, start: &str, end: &str, requested: i64) -> rent::Application {
    let lease = rent::add_lease(db, eid, &LeaseInput { address: Some("南京市江宁区秣周东路9号".into()), area_centi_m2: 25_050, unit_rent_fen: 4_500, start_on: start.into(), end_on: end.into(), annual_rent_fen: None }).unwrap();
    rent::add_application(
        db,
        &ApplicationInput { lease_id: lease.id, subsidy_year: year, period_start: start.into(), period_end: end.into(), revenue_prev_fen: Some(100_000_000), revenue_curr_fen: Some(140_000_000), requested_fen: Some(requested) },
    )
    .unwrap()
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
    assert_eq!(g.explanation.difference_fen, Some(527_000), "computed vs requested is visible");
    assert_eq!(rent::draft(&mut db, app.id).unwrap_err().code(), "grant_exists");
    let g = rent::submit(&mut db, g.id).unwrap();
    assert_eq!(rent::approve(&mut db, g.id, Some(20_000_000), false).unwrap_err().code(), "out_of_range", "never more than computed");
    let g = rent::approve(&mut db, g.id, None, false).unwrap();
    assert_eq!(g.approved_fen, Some(13_527_000));
    // Budget moves.
    let year = chrono::Datelike::year(&chrono::Local::now().date_naive());
    let b = huiqi_core::policy::budgets(&db, year).unwrap().into_iter().find(|b| b.program_code == "rent_subsidy").unwrap();
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
    let b = huiqi_core::policy::budgets(&db, year).unwrap().into_iter().find(|b| b.program_code == "rent_subsidy").unwrap();
    assert_eq!(b.disbursed_fen, 13_527_000);
    // Revoke needs a reason.
    assert_eq!(rent::revoke(&mut db, g.id, "  ").unwrap_err().code(), "reason_required");
    let g = rent::revoke(&mut db, g.id, "企业迁出本区").unwrap();
    assert_eq!(g.status, GrantStatus::Revoked);
    assert!(db.check().unwrap().ok);
}

#[test]
fn fourth_year_and_37th_month_are_refused() {
    let (_t, mut db, eid) = setup();
    let app = apply(&mut db, eid, 4, "2026-01-01", "2026-12-31", 1_000_000);
    let g = rent::draft(&mut db, app.id).unwrap();
    assert!(!g.explanation.eligible);
    assert_eq!(g.explanation.reasons[0].code, "max_three_years");
    assert_eq!(rent::approve(&mut db, g.id, None, false).unwrap_err().code(), "not_eligible");
    let g = rent::reject(&mut db, g.id, "第4年，超过三年上限").unwrap();
    assert_eq!(g.status, GrantStatus::Rejected);
    // Three 12-month grants approved → a fourth period has no months left.
    let mut ids = Vec::new();
    for (y, s, e) in [(1, "2026-01-01", "2026-12-31"), (2, "2027-01-01", "2027-12-31")] {
        let a = apply(&mut db, eid, y, s, e, 1);
        ids.push(rent::draft(&mut db, a.id).unwrap().id);
    }
    let r = rent::approve_many(&mut db, &ids, false).unwrap();
    assert_eq!(r.approved, 2);
    assert_eq!(r.total_fen, 2 * 13_527_000);
    let a3 = apply(&mut db, eid, 3, "2026-01-01", "2026-12-31", 1);
    let g3 = rent::draft(&mut db, a3.id).unwrap();
    rent::approve(&mut db, g3.id, None, false).unwrap();
    let a4 = apply(&mut db, eid, 3, "2027-01-01", "2027-12-31", 1);
    let g4 = rent::draft(&mut db, a4.id).unwrap();
    assert_eq!(g4.explanation.reasons[0].code, "months_exhausted");
}

#[test]
fn over_budget_needs_a_recorded_confirmation() {
    let (_t, mut db, eid) = setup();
    let year = chrono::Datelike::year(&chrono::Local::now().date_naive());
    huiqi_core::policy::set_budget(&mut db, "rent_subsidy", year, 10_000_000).unwrap();
    let app = apply(&mut db, eid, 1, "2026-01-01", "2026-12-31", 1);
    let g = rent::draft(&mut db, app.id).unwrap();
    let e = rent::approve(&mut db, g.id, None, false).unwrap_err();
    assert_eq!(e.code(), "over_budget");
    assert!(e.message(huiqi_core::Lang::Zh).contains("超出"));
    let g = rent::approve(&mut db, g.id, None, true).unwrap();
    assert!(g.over_budget, "recorded");
    let b = huiqi_core::policy::budgets(&db, year).unwrap().into_iter().find(|b| b.program_code == "rent_subsidy").unwrap();
    assert!(b.remaining_fen < 0);
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
    let c = rent::calculate_for(&db, "914403001922038216", None, None).unwrap();
    assert_eq!(c.rule_version, 2);
}
