//! Certifications, reminders and rewards: expiry derived or flagged, milestones grouped in time,
//! the 免申即享 scan with 就高不重复, one-batch confirmation counted in the budget, payments.

use chrono::{Datelike, Duration};
use huiqi_core::cert::{self, reward, CertInput, MilestoneKind};
use huiqi_core::enterprise::{self, EnterpriseInput};
use huiqi_core::store::Db;

fn setup() -> (tempfile::TempDir, Db) {
    let t = tempfile::tempdir().unwrap();
    let mut db = Db::open_rw(t.path().join("c.db")).unwrap();
    for (u, n) in [("914403001922038216", "南京甲乙科技有限公司"), ("91440300708461136T", "南京丙丁科技有限公司")] {
        enterprise::create(&mut db, &EnterpriseInput { uscc: u.into(), name: n.into(), ..Default::default() }).unwrap();
    }
    (t, db)
}

#[test]
fn expiry_is_derived_or_kept_and_flagged() {
    let (_t, mut db) = setup();
    let c = cert::add(&mut db, &CertInput { uscc: "914403001922038216".into(), kind: "高企".into(), issued_on: "2024-08-05".into(), ..Default::default() })
        .unwrap();
    assert_eq!(c.kind, "high_tech_enterprise");
    assert_eq!(c.expires_on.as_deref(), Some("2027-08-04"));
    assert!(!c.expiry_differs_from_rule);
    let c2 = cert::add(
        &mut db,
        &CertInput {
            uscc: "914403001922038216".into(),
            kind: "科技型中小企业".into(),
            issued_on: "2026-03-01".into(),
            expires_on: Some("2027-02-28".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(c2.expires_on.as_deref(), Some("2027-02-28"), "a given date is kept");
    assert!(c2.expiry_differs_from_rule, "and flagged");
    assert_eq!(
        cert::add(&mut db, &CertInput { uscc: "914403001922038216".into(), kind: "先进单位".into(), issued_on: "2026-03-01".into(), ..Default::default() })
            .unwrap_err()
            .code(),
        "unknown_kind"
    );
    assert_eq!(cert::list(&db, None, None, None).unwrap().len(), 2);
    // Kinds are editable data.
    let mut k = cert::kinds(&db).unwrap().into_iter().find(|k| k.code == "green_factory").unwrap();
    k.synonyms.push("绿色工厂示范".into());
    cert::save_kind(&mut db, &k).unwrap();
    let c3 =
        cert::add(&mut db, &CertInput { uscc: "91440300708461136T".into(), kind: "绿色工厂示范".into(), issued_on: "2026-01-20".into(), ..Default::default() })
            .unwrap();
    assert_eq!(c3.kind, "green_factory");
}

#[test]
fn reminders_cover_expiry_renewal_annual_report_and_evaluation() {
    let (_t, mut db) = setup();
    let today = cert::today();
    // A 高企 certificate expiring in 20 days; another expired 10 days ago (overdue).
    let issued = today + Duration::days(20) - Duration::days(365 * 3) + Duration::days(1);
    let issued = issued.with_year(today.year() - 3).unwrap_or(issued);
    cert::add(
        &mut db,
        &CertInput {
            uscc: "914403001922038216".into(),
            kind: "high_tech_enterprise".into(),
            issued_on: issued.to_string(),
            expires_on: Some((today + Duration::days(20)).to_string()),
            ..Default::default()
        },
    )
    .unwrap();
    cert::add(
        &mut db,
        &CertInput {
            uscc: "91440300708461136T".into(),
            kind: "国家级专精特新“小巨人”企业".into(),
            issued_on: (today - Duration::days(1000)).to_string(),
            expires_on: Some((today - Duration::days(10)).to_string()),
            ..Default::default()
        },
    )
    .unwrap();
    let r = cert::reminders(&db, today, Some(90)).unwrap();
    assert!(r[0].overdue, "overdue first");
    assert_eq!(r[0].kind, MilestoneKind::Expiry);
    assert_eq!(r[0].days, -10);
    assert!(r.iter().any(|m| m.kind == MilestoneKind::Review && m.overdue));
    assert!(r.iter().any(|m| m.kind == MilestoneKind::Expiry && m.days == 20));
    assert!(r.iter().all(|m| m.days <= 90 && m.days >= -60));
    // A 高企 certificate issued last year: its annual report of 31 May falls in a 400-day window.
    cert::add(
        &mut db,
        &CertInput {
            uscc: "91440300708461136T".into(),
            kind: "high_tech_enterprise".into(),
            issued_on: format!("{}-09-01", today.year() - 1),
            ..Default::default()
        },
    )
    .unwrap();
    let wide = cert::reminders(&db, today, Some(400)).unwrap();
    assert!(wide.iter().any(|m| m.kind == MilestoneKind::AnnualReport && m.date.ends_with("-05-31")));
    // An xlsx export of the list.
    let t = tempfile::tempdir().unwrap();
    let n = cert::export_reminders(&db, Some(90), &t.path().join("r.xlsx")).unwrap();
    assert_eq!(n as usize, r.len());
}

#[test]
fn scan_proposes_highest_only_and_confirm_counts_in_the_budget() {
    let (_t, mut db) = setup();
    let y = cert::today().year();
    // Enterprise A: a green factory (50万) and a green supply chain (50万) the same year → one;
    // and a technology innovation demonstration (200万) and a quality benchmark (50万) → the 200万.
    for (k, d) in [("green_factory", "-03-01"), ("green_supply_chain", "-04-01"), ("tech_innovation_demo", "-02-01"), ("quality_benchmark", "-05-01")] {
        cert::add(
            &mut db,
            &CertInput {
                uscc: "914403001922038216".into(),
                kind: k.into(),
                issued_on: format!("{y}{d}"),
                certificate_no: Some(format!("N-{k}")),
                ..Default::default()
            },
        )
        .unwrap();
    }
    // Enterprise B: a software revenue milestone (amount set by the district: not yet set).
    cert::add(
        &mut db,
        &CertInput { uscc: "91440300708461136T".into(), kind: "software_revenue_100m".into(), issued_on: format!("{y}-06-01"), ..Default::default() },
    )
    .unwrap();
    let s = reward::scan(&db).unwrap();
    let codes: Vec<&str> = s.proposals.iter().map(|p| p.program_code.as_str()).collect();
    assert_eq!(codes.len(), 2, "{codes:?}");
    assert!(codes.contains(&"tech_innovation_demo"));
    assert!(codes.iter().any(|c| *c == "green_factory" || *c == "green_supply_chain"));
    assert_eq!(s.total_fen, 200_000_000 + 50_000_000);
    let not_stacked: Vec<_> = s.excluded.iter().filter(|e| e.code == "not_stacked").collect();
    assert_eq!(not_stacked.len(), 2);
    assert!(not_stacked.iter().all(|e| e.reason_zh.contains("就高不重复")));
    assert!(s.excluded.iter().any(|e| e.code == "amount_not_set"));
    let tid = s.proposals.iter().find(|p| p.program_code == "tech_innovation_demo").unwrap();
    assert!(tid.steps.iter().any(|st| st.code == "stacking" && st.text_zh.contains("国家质量标杆企业奖励")));
    assert!(tid.steps.iter().any(|st| st.basis.reference.starts_with("第一条")));
    // The explanation speaks the office's words: no program or kind code in its sentences or bases.
    let code = |t: &str| t.split(|c: char| !(c.is_ascii_lowercase() || c == '_')).any(|w| w.contains('_') && w.len() > 2);
    for p in &s.proposals {
        for st in &p.steps {
            // (the certification step quotes the certificate number, which this test made from a code)
            let text = if st.code == "certification" { "" } else { st.text_zh.as_str() };
            assert!(!code(text) && !code(&st.basis.reference), "a code in {}: {} [{}]", st.code, st.text_zh, st.basis.reference);
        }
    }
    for e in &s.excluded {
        assert!(!code(&e.reason_zh), "a code in {}", e.reason_zh);
    }
    // Confirm both in one batch: approved, counted in the budget; a second scan proposes nothing.
    let picks: Vec<reward::RewardPick> =
        s.proposals.iter().map(|p| reward::RewardPick { certification_id: p.certification_id, program_id: p.program_id }).collect();
    let done = reward::confirm(&mut db, &picks, false).unwrap();
    assert_eq!(done.len(), 2);
    assert!(done.iter().all(|r| r.status == reward::RewardStatus::Approved));
    let b = huiqi_core::policy::budgets(&db, y).unwrap();
    assert_eq!(b.iter().find(|b| b.program_code == "tech_innovation_demo").unwrap().approved_fen, 200_000_000);
    assert!(reward::scan(&db).unwrap().proposals.is_empty());
    // Pay, never beyond.
    let r = reward::pay(&mut db, done[0].id, done[0].amount_fen, &format!("{y}-11-01"), "凭证").unwrap();
    assert_eq!(r.status, reward::RewardStatus::Disbursed);
    assert_eq!(reward::pay(&mut db, done[0].id, 1, &format!("{y}-11-01"), "").unwrap_err().code(), "wrong_status");
    let d = huiqi_core::dashboard::load(&db).unwrap();
    assert_eq!(d.by_sector.iter().map(|s| s.amount_fen).sum::<i64>(), 250_000_000);
    assert!(db.check().unwrap().ok);
}

fn add(db: &mut Db, uscc: &str, kind: &str, issued: &str) -> cert::Certification {
    cert::add(
        db,
        &CertInput { uscc: uscc.into(), kind: kind.into(), issued_on: issued.into(), certificate_no: Some(format!("N-{kind}-{issued}")), ..Default::default() },
    )
    .unwrap()
}

fn confirm_all(db: &mut Db) -> Vec<reward::Reward> {
    let s = reward::scan(db).unwrap();
    let picks: Vec<reward::RewardPick> =
        s.proposals.iter().map(|p| reward::RewardPick { certification_id: p.certification_id, program_id: p.program_id }).collect();
    if picks.is_empty() {
        return vec![];
    }
    reward::confirm(db, &picks, true).unwrap()
}

#[test]
fn a_higher_title_after_a_lower_one_pays_the_difference() {
    let (_t, mut db) = setup();
    let y = cert::today().year();
    // 国家质量标杆企业 (50万) rewarded last year; 国家技术创新示范企业 (200万) this year → 补差 150万.
    add(&mut db, "914403001922038216", "quality_benchmark", &format!("{}-05-01", y - 1));
    let first = confirm_all(&mut db);
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].approved_fen, Some(50_000_000));
    add(&mut db, "914403001922038216", "tech_innovation_demo", &format!("{y}-02-01"));
    let s = reward::scan(&db).unwrap();
    assert_eq!(s.proposals.len(), 1, "{:?}", s.excluded);
    let p = &s.proposals[0];
    assert_eq!((p.basis, p.full_amount_fen, p.already_fen, p.amount_fen), (reward::RewardBasis::TopUp, 200_000_000, 50_000_000, 150_000_000));
    assert_eq!(p.tops_up, Some(first[0].id));
    let step = p.steps.iter().find(|s| s.code == "top_up").expect("the difference is explained");
    assert!(step.text_zh.contains("补足差额") && step.text_zh.contains("1,500,000.00"), "{}", step.text_zh);
    let done = confirm_all(&mut db);
    assert_eq!((done[0].basis, done[0].approved_fen, done[0].tops_up), (reward::RewardBasis::TopUp, Some(150_000_000), Some(first[0].id)));
    // A third title of the group worth less than what was given: nothing more.
    add(&mut db, "914403001922038216", "知识产权运用标杆企业", &format!("{y}-06-01"));
    let s = reward::scan(&db).unwrap();
    assert!(s.proposals.is_empty());
    assert!(s.excluded.iter().any(|e| e.code == "not_stacked" && e.reason_zh.contains("不低于")), "{:?}", s.excluded);
    assert!(db.check().unwrap().ok);
}

#[test]
fn a_title_is_rewarded_once_and_not_for_firms_that_left() {
    let (t, mut db) = setup();
    let y = cert::today().year();
    // Green factory rewarded; its renewal (a new certificate of the same title) is not a new title.
    add(&mut db, "914403001922038216", "国家级绿色工厂", &format!("{}-03-01", y - 1));
    assert_eq!(confirm_all(&mut db).len(), 1);
    add(&mut db, "914403001922038216", "国家级绿色工厂", &format!("{y}-03-01"));
    let s = reward::scan(&db).unwrap();
    assert!(s.proposals.is_empty());
    assert!(s.excluded.iter().any(|e| e.code == "already_rewarded"), "{:?}", s.excluded);
    // A moved-out or deregistered enterprise is not rewarded.
    add(&mut db, "91440300708461136T", "国家服务型制造示范企业", &format!("{y}-04-01"));
    let b = enterprise::find(&db, "91440300708461136T").unwrap();
    enterprise::set_status(&mut db, b.id, enterprise::EnterpriseStatus::MovedOut).unwrap();
    let s = reward::scan(&db).unwrap();
    assert!(s.proposals.is_empty());
    assert!(s.excluded.iter().any(|e| e.code == "enterprise_inactive" && e.reason_zh.contains("迁出")));
    // A title of another level is refused where it is entered, naming both.
    let e = cert::add(
        &mut db,
        &CertInput { uscc: "914403001922038216".into(), kind: "省级工业设计中心".into(), issued_on: format!("{y}-01-05"), ..Default::default() },
    )
    .unwrap_err();
    assert_eq!(e.code(), "kind_level_mismatch");
    let m = e.message(huiqi_core::Lang::Zh);
    assert!(m.contains("省级工业设计中心") && m.contains("国家级工业设计中心"), "{m}");
    // The national green supply-chain list is not its provincial namesake, though its name says no level.
    let e = cert::add(
        &mut db,
        &CertInput {
            uscc: "914403001922038216".into(), kind: "省级绿色供应链管理企业".into(), issued_on: format!("{y}-01-05"), ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.code(), "kind_level_mismatch");
    // A level entered beside the kind that contradicts it is refused too; a matching one is kept.
    let input = |kind: &str, level: &str| CertInput {
        uscc: "914403001922038216".into(),
        kind: kind.into(),
        issued_on: format!("{y}-01-06"),
        level: Some(level.into()),
        ..Default::default()
    };
    let e = cert::add(&mut db, &input("国家级工业设计中心", "省级")).unwrap_err();
    assert_eq!((e.code(), e.details().unwrap()["field"].as_str()), ("kind_level_mismatch", Some("level")));
    assert_eq!(cert::add(&mut db, &input("江苏省专精特新中小企业", "国家级")).unwrap_err().code(), "kind_level_mismatch");
    assert_eq!(cert::add(&mut db, &input("江苏省专精特新中小企业", "省级")).unwrap().level, "省级");
    // A recorded level that contradicts the kind keeps the scan from proposing a reward.
    let c = cert::add(&mut db, &input("国家级工业设计中心", "国家级")).unwrap();
    // (as a level typed before levels were checked: written past the app)
    rusqlite::Connection::open(t.path().join("c.db")).unwrap().execute("UPDATE certification SET level = '市级' WHERE id = ?1", [c.id]).unwrap();
    let s = reward::scan(&db).unwrap();
    assert!(s.excluded.iter().any(|x| x.certification_id == c.id && x.code == "kind_level_mismatch"), "{:?}", s.excluded);
}

#[test]
fn up_to_amounts_performance_programs_and_the_districts_amount() {
    let (_t, mut db) = setup();
    let y = cert::today().year();
    // The software milestone has no amount until the district sets one (within no cap).
    add(&mut db, "91440300708461136T", "软件企业营业收入首次突破1亿元", &format!("{y}-06-01"));
    assert!(reward::scan(&db).unwrap().excluded.iter().any(|e| e.code == "amount_not_set"));
    let p = huiqi_core::policy::set_program_amount(&mut db, "software_revenue_100m", Some(30_000_000)).unwrap();
    assert_eq!(p.default_amount_fen, Some(30_000_000));
    assert_eq!(huiqi_core::policy::set_program_amount(&mut db, "green_factory", Some(60_000_000)).unwrap_err().code(), "over_cap");
    let s = reward::scan(&db).unwrap();
    let sw = s.proposals.iter().find(|p| p.program_code == "software_revenue_100m").unwrap();
    assert_eq!(sw.amount_fen, 30_000_000);
    // Proposed rewards are approved at confirm; a draft (performance-based) can be approved lower,
    // with its reason.
    let r = reward::add_performance(&mut db, "innovation_consortium", "914403001922038216", 320_000_000, "年度绩效评审 86 分，按评审办法第5条折算").unwrap();
    assert_eq!((r.status, r.basis, r.certification_id), (reward::RewardStatus::Draft, reward::RewardBasis::Performance, None));
    assert!(r.note.contains("86 分"));
    assert!(r.steps.iter().any(|s| s.text_zh.contains("86 分")));
    assert_eq!(reward::add_performance(&mut db, "innovation_consortium", "914403001922038216", 600_000_000, "x").unwrap_err().code(), "over_cap");
    assert_eq!(reward::add_performance(&mut db, "innovation_consortium", "914403001922038216", 1_000, " ").unwrap_err().code(), "reason_required");
    assert_eq!(reward::add_performance(&mut db, "green_factory", "914403001922038216", 1_000, "x").unwrap_err().code(), "not_performance_based");
    assert_eq!(reward::approve(&mut db, r.id, Some(300_000_000), None, true).unwrap_err().code(), "reason_required");
    let r = reward::approve(&mut db, r.id, Some(300_000_000), Some("预算调整，按九折核定"), true).unwrap();
    assert_eq!((r.status, r.approved_fen), (reward::RewardStatus::Approved, Some(300_000_000)));
    assert!(r.reason.contains("九折"), "why less was approved");
    assert!(r.note.contains("86 分"), "the scoring note is kept");
    // Several performance rewards of the same program are allowed (each year's performance).
    assert!(reward::add_performance(&mut db, "innovation_consortium", "914403001922038216", 100_000_000, "次年绩效评审 70 分").is_ok());
    assert!(db.check().unwrap().ok);
}
