//! The rent ledger through the store, over random sequences of what an office does: applications
//! on a few premises and periods, drafted, approved, rejected or revoked in any order. After every
//! step the live grants never pay a day of the same premises twice, never pass the area cap on a
//! day, never pass 36 months in all; a rejected or revoked grant's days are free again.

use std::collections::HashMap;

use chrono::NaiveDate;
use huiqi_core::cert::{self, CertInput};
use huiqi_core::enterprise::{self, EnterpriseInput};
use huiqi_core::rent::{self, calendar, ApplicationInput, GrantStatus, LeaseInput};
use huiqi_core::store::Db;
use proptest::prelude::*;

const USCC: &str = "914403001922038216";
const PREMISES: [&str; 3] = ["南京市江宁区甲路1号", "南京市江宁区乙路2号", ""];

#[derive(Debug, Clone)]
enum Step {
    Apply { premises: usize, offset: i64, days: i64, area: i64 },
    Approve(usize),
    Reject(usize),
    Revoke(usize),
}

fn arb_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0usize..3, 0i64..1_300, 20i64..500, 1_000i64..90_000).prop_map(|(premises, offset, days, area)| Step::Apply { premises, offset, days, area }),
        2 => (0usize..8).prop_map(Step::Approve),
        1 => (0usize..8).prop_map(Step::Reject),
        1 => (0usize..8).prop_map(Step::Revoke),
    ]
}

fn setup() -> (tempfile::TempDir, Db, i64) {
    let t = tempfile::tempdir().unwrap();
    let mut db = Db::open_rw(t.path().join("l.db")).unwrap();
    let e = enterprise::create(
        &mut db,
        &EnterpriseInput { uscc: USCC.into(), name: "南京甲乙科技有限公司".into(), founded_on: Some("2022-01-01".into()), ..Default::default() },
    )
    .unwrap()
    .enterprise;
    cert::add(
        &mut db,
        &CertInput {
            uscc: USCC.into(), kind: "高新技术企业".into(), certificate_no: Some("GR1".into()), issued_on: "2022-02-01".into(), ..Default::default()
        },
    )
    .unwrap();
    cert::add(
        &mut db,
        &CertInput {
            uscc: USCC.into(), kind: "高新技术企业".into(), certificate_no: Some("GR2".into()), issued_on: "2025-02-01".into(), ..Default::default()
        },
    )
    .unwrap();
    (t, db, e.id)
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The invariants of the ledger, read back from the store.
fn check(db: &Db, eid: i64) -> Result<(), TestCaseError> {
    let t = rent::timeline(db, eid).unwrap();
    let mut area: HashMap<NaiveDate, i64> = HashMap::new();
    let mut premises: HashMap<NaiveDate, Vec<(i64, String)>> = HashMap::new();
    let mut union = calendar::DaySet::new();
    for s in &t.stretches {
        prop_assert!(s.status.is_live());
        let (a, b) = (day(&s.start), day(&s.end));
        union.insert(a, b);
        let mut d = a;
        while d <= b {
            *area.entry(d).or_default() += s.area_centi_m2;
            let here = premises.entry(d).or_default();
            for (lease, address) in here.iter() {
                prop_assert!(!rent::same_premises(*lease, address, s.lease_id, &s.address), "{d} paid twice for the same premises (grant {})", s.grant_id);
            }
            here.push((s.lease_id, s.address.clone()));
            d = d.succ_opt().unwrap();
        }
    }
    prop_assert!(area.values().all(|a| *a <= 100_000), "the area cap holds on every day");
    prop_assert!(union.units() <= 36 * calendar::MONTH_UNITS);
    prop_assert_eq!(union.units(), t.month_units_used);
    prop_assert!(db.check().unwrap().ok);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn the_ledger_holds_through_the_store(steps in proptest::collection::vec(arb_step(), 4..18)) {
        let (_t, mut db, eid) = setup();
        let mut grants: Vec<i64> = Vec::new();
        for step in steps {
            match step {
                Step::Apply { premises, offset, days, area } => {
                    let start = day("2022-03-01") + chrono::Duration::days(offset);
                    let end = start + chrono::Duration::days(days);
                    let lease = rent::add_lease(&mut db, eid, &LeaseInput { address: Some(PREMISES[premises].into()), area_centi_m2: area, unit_rent_fen: 5_000, start_on: start.to_string(), end_on: end.to_string(), annual_rent_fen: None }).unwrap();
                    let app = rent::add_application(&mut db, &ApplicationInput { lease_id: lease.id, subsidy_year: 1, period_start: start.to_string(), period_end: end.to_string(), revenue_prev_fen: Some(100), revenue_curr_fen: Some(150), requested_fen: None }).unwrap();
                    let g = rent::draft(&mut db, app.id).unwrap();
                    grants.push(g.id);
                }
                Step::Approve(i) if !grants.is_empty() => {
                    let id = grants[i % grants.len()];
                    let g = rent::grant(&db, id).unwrap();
                    let r = rent::approve(&mut db, id, None, None, true);
                    // A live, eligible draft always approves: drafts are made against the ledger.
                    if matches!(g.status, GrantStatus::Draft | GrantStatus::Submitted) && g.explanation.eligible {
                        prop_assert!(r.is_ok(), "{:?}", r.err());
                    } else {
                        prop_assert!(r.is_err());
                    }
                }
                Step::Reject(i) if !grants.is_empty() => {
                    let _ = rent::reject(&mut db, grants[i % grants.len()], "不符合条件");
                }
                Step::Revoke(i) if !grants.is_empty() => {
                    let _ = rent::revoke(&mut db, grants[i % grants.len()], "撤销");
                }
                _ => {}
            }
            check(&db, eid)?;
        }
        // A grant taken away frees its days: the same lease and period applied for again is
        // never cut for it.
        for id in grants.clone() {
            let g = rent::grant(&db, id).unwrap();
            if g.status.is_live() || g.explanation.stretches.is_empty() {
                continue;
            }
            let app = rent::add_application(&mut db, &ApplicationInput { lease_id: g.lease_id, subsidy_year: 1, period_start: g.period_start.clone(), period_end: g.period_end.clone(), revenue_prev_fen: Some(100), revenue_curr_fen: Some(150), requested_fen: None }).unwrap();
            let again = rent::draft(&mut db, app.id).unwrap();
            prop_assert!(again.cuts.iter().all(|c| c.grant_id != Some(id)), "grant {id} was taken away: {:?}", again.cuts);
            check(&db, eid)?;
            break;
        }
    }
}
