//! What a clerk, an auditor and a court check in a notice (DESIGN §3), each by its printed text
//! (pdftotext) and every template rendered to PNG for people to look at (pdftoppm; kept in
//! tests/.artifacts/notices): the official clause text or no quotation, the district's rule,
//! remedies on refusals and reductions, 版记, 信函格式, the area line, the reward wording, the
//! reminders' citations, 补差, and the 公示 list that holds payments.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{Datelike, NaiveDate};
use huiqi_core::cert::{self, reward, CertInput};
use huiqi_core::enterprise::{self, EnterpriseInput};
use huiqi_core::notice::publicity::{self, ObjectionStatus, PublicityInput};
use huiqi_core::notice::{self, NoticeKind, Target};
use huiqi_core::rent::{self, ApplicationInput, LeaseInput};
use huiqi_core::store::Db;

const USCC: &str = "914403001922038216";
const NAME: &str = "南京甲乙科技有限公司";
const USCC2: &str = "91440300708461136T";
const NAME2: &str = "南京丙丁科技有限公司";

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 5).unwrap()
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn artifacts() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/.artifacts/notices");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The text of a PDF as pdftotext reads it (white space removed), and a PNG of each page kept
/// for people to look at.
fn text_of(name: &str, pdf: &[u8]) -> String {
    let dir = artifacts();
    let f = dir.join(format!("{name}.pdf"));
    std::fs::write(&f, pdf).unwrap();
    let out = Command::new("pdftotext").args(["-enc", "UTF-8"]).arg(&f).arg("-").output().expect("pdftotext (poppler-utils)");
    assert!(out.status.success());
    let info = Command::new("pdfinfo").arg(&f).output().unwrap();
    assert!(String::from_utf8_lossy(&info.stdout).contains("595.276 x 841.89 pts (A4)"), "{name}: A4");
    let png = Command::new("pdftoppm").args(["-png", "-r", "60"]).arg(&f).arg(dir.join(name)).status().unwrap();
    assert!(png.success(), "{name}: pdftoppm renders it");
    // The running text, without what every page repeats (page numbers, the footer's code).
    let text = String::from_utf8_lossy(&out.stdout);
    let furniture = |l: &str| l.contains("校验码") || (l.trim().starts_with('—') && l.trim().ends_with('—'));
    squash(&text.lines().filter(|l| !furniture(l)).collect::<Vec<_>>().join("\n"))
}

fn setup() -> (tempfile::TempDir, Db) {
    let t = tempfile::tempdir().unwrap();
    let mut db = Db::open_rw(t.path().join("n.db")).unwrap();
    for (u, n) in [(USCC, NAME), (USCC2, NAME2)] {
        enterprise::create(&mut db, &EnterpriseInput { uscc: u.into(), name: n.into(), founded_on: Some("2023-03-01".into()), ..Default::default() }).unwrap();
    }
    cert::add(
        &mut db,
        &CertInput {
            uscc: USCC.into(),
            kind: "high_tech_enterprise".into(),
            certificate_no: Some("GR202432000001".into()),
            issued_on: "2024-12-20".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let office = huiqi_core::system::office(&db).unwrap();
    huiqi_core::system::save_office(
        &mut db,
        &huiqi_core::system::OfficeSettings {
            rule_name: "江宁区高新技术创业企业房租补贴实施细则".into(),
            rule_doc_number: "江宁科规〔2025〕1号".into(),
            review_body: "南京市江宁区人民政府".into(),
            court: "南京市江宁区人民法院".into(),
            cc: "区财政局，区审计局".into(),
            printer: "南京市江宁区科学技术局办公室".into(),
            publicity_contact: "区科技局产业科，电话025-52101234".into(),
            ..office
        },
    )
    .unwrap();
    (t, db)
}

/// A drafted grant for the first enterprise: 1,200 ㎡ at 45 元 for 2026 (capped to 1,000 ㎡).
fn grant(db: &mut Db, address: &str, area: i64) -> rent::Grant {
    grant_in(db, address, area, "2026-01-01", "2026-12-31")
}

fn grant_in(db: &mut Db, address: &str, area: i64, start: &str, end: &str) -> rent::Grant {
    let e = enterprise::find(db, USCC).unwrap();
    let lease = rent::add_lease(
        db,
        e.id,
        &LeaseInput {
            address: Some(address.into()),
            area_centi_m2: area,
            unit_rent_fen: 4_500,
            start_on: start.into(),
            end_on: end.into(),
            annual_rent_fen: None,
        },
    )
    .unwrap();
    let app = rent::add_application(
        db,
        &ApplicationInput {
            lease_id: lease.id,
            subsidy_year: 1,
            period_start: start.into(),
            period_end: end.into(),
            revenue_prev_fen: Some(100_000_000),
            revenue_curr_fen: Some(140_000_000),
            requested_fen: None,
        },
    )
    .unwrap();
    rent::draft(db, app.id).unwrap()
}

fn issue_text_t(db: &mut Db, target: impl FnOnce(&Db) -> Target, name: &str) -> (notice::Notice, String) {
    let t = target(db);
    issue_text(db, t, name)
}

fn issue_text(db: &mut Db, target: Target, name: &str) -> (notice::Notice, String) {
    let n = notice::issue(db, target, day()).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    let text = text_of(name, &notice::pdf(db, n.id).unwrap());
    (n, text)
}

const BASIS_NO_QUOTE: &str = "根据《关于深入推进引领性国家创新型城市建设的若干政策意见》（宁委发〔2022〕1号）第二条规定";

#[test]
fn every_kind_of_notice_as_a_clerk_reads_it() {
    let (_t, mut db) = setup();
    let mut texts: Vec<(String, String)> = Vec::new();

    // Approval of a capped lease: the leased area and the area subsidised.
    let g = grant(&mut db, "南京市江宁区秣周东路9号", 120_000);
    let g = rent::approve(&mut db, g.id, None, None, true).unwrap();
    let target = notice::target_for_grant(&db, g.id).unwrap();
    assert_eq!(target.kind, NoticeKind::RentApproval);
    let (_, t) = issue_text(&mut db, target, "01-rent-approval");
    for want in [
        BASIS_NO_QUOTE,
        "按照《江宁区高新技术创业企业房租补贴实施细则》（江宁科规〔2025〕1号）",
        "租赁面积1200.00平方米，补贴面积1000.00平方米",
        "抄送：区财政局，区审计局。",
        "2026年3月5日印发",
    ] {
        assert!(t.contains(want), "approval lacks {want}:\n{t}");
    }
    assert!(!t.contains("房屋（面积1000.00平方米）"), "the capped area is not stated as the leased one");
    assert!(!t.contains("本区高新技术创业企业房租补贴规则"), "no uncitable rule name");
    assert!(!t.contains("行政复议"), "an approval at the computed amount states no remedies");
    texts.push(("approval".into(), t));

    // Reduction: approved below the computed amount, with its reason and the remedies.
    let g2 = grant_in(&mut db, "南京市江宁区天元中路1号", 25_050, "2027-01-01", "2027-06-30");
    let g2 = rent::approve(&mut db, g2.id, Some(5_000_000), Some("部分面积用于转租，按自用面积核减"), true).unwrap();
    let target = notice::target_for_grant(&db, g2.id).unwrap();
    assert_eq!(target.kind, NoticeKind::RentReduction);
    let (_, t) = issue_text(&mut db, target, "02-rent-reduction");
    for want in [
        "测算补贴金额67,635.00元，核定补贴金额50,000.00元，核减17,635.00元",
        "核减原因：部分面积用于转租，按自用面积核减",
        "六十日内向南京市江宁区人民政府申请行政复议",
        "六个月内依法向南京市江宁区人民法院提起行政诉讼",
    ] {
        assert!(t.contains(want), "reduction lacks {want}:\n{t}");
    }
    texts.push(("reduction".into(), t));

    // Refusal: the reason, the rule, the remedies.
    let e2 = enterprise::find(&db, USCC2).unwrap();
    let lease = rent::add_lease(
        &mut db,
        e2.id,
        &LeaseInput {
            address: Some("南京市江宁区将军大道2号".into()),
            area_centi_m2: 10_000,
            unit_rent_fen: 5_000,
            start_on: "2026-01-01".into(),
            end_on: "2026-12-31".into(),
            annual_rent_fen: None,
        },
    )
    .unwrap();
    let app = rent::add_application(
        &mut db,
        &ApplicationInput { lease_id: lease.id, subsidy_year: 1, period_start: "2026-01-01".into(), period_end: "2026-12-31".into(), ..Default::default() },
    )
    .unwrap();
    let g3 = rent::draft(&mut db, app.id).unwrap();
    let g3 = rent::reject(&mut db, g3.id, "补贴期间没有有效的高新技术企业或科技型中小企业资格").unwrap();
    let (_, t) = issue_text_t(&mut db, |db| notice::target_for_grant(db, g3.id).unwrap(), "03-rent-rejection");
    for want in [
        "不予补贴",
        "原因：补贴期间没有有效的高新技术企业或科技型中小企业资格",
        "《江宁区高新技术创业企业房租补贴实施细则》（江宁科规〔2025〕1号）",
        "申请行政复议",
        "提起行政诉讼",
    ] {
        assert!(t.contains(want), "refusal lacks {want}:\n{t}");
    }
    texts.push(("rejection".into(), t));

    // Rewards: a title from a published list without a certificate number (入选, 支持资金 for
    // article 7); the software milestone (首次突破); a difference (补差).
    cert::add(&mut db, &CertInput { uscc: USCC.into(), kind: "国家级绿色工厂".into(), issued_on: "2026-01-20".into(), ..Default::default() }).unwrap();
    cert::add(
        &mut db,
        &CertInput {
            uscc: USCC2.into(),
            kind: "国家质量标杆企业".into(),
            certificate_no: Some("ZLBG-2025-07".into()),
            issued_on: "2025-06-01".into(),
            ..Default::default()
        },
    )
    .unwrap();
    huiqi_core::policy::set_program_amount(&mut db, "software_revenue_100m", Some(30_000_000)).unwrap();
    cert::add(&mut db, &CertInput { uscc: USCC2.into(), kind: "软件企业营业收入首次突破1亿元".into(), issued_on: "2026-02-10".into(), ..Default::default() })
        .unwrap();
    let s = reward::scan(&db).unwrap();
    let picks: Vec<reward::RewardPick> =
        s.proposals.iter().map(|p| reward::RewardPick { certification_id: p.certification_id, program_id: p.program_id }).collect();
    let rewards = reward::confirm(&mut db, &picks, true).unwrap();
    let by = |code: &str| {
        rewards
            .iter()
            .find(|r| r.program_code == code)
            .unwrap_or_else(|| panic!("{code} in {:?}", rewards.iter().map(|r| &r.program_code).collect::<Vec<_>>()))
            .id
    };
    let (_, t) = issue_text_t(&mut db, |db| notice::target_for_reward(db, by("green_factory")).unwrap(), "04-reward-listed");
    assert!(t.contains("入选国家级绿色工厂名单（2026年1月20日公布）"), "{t}");
    assert!(t.contains("给予你单位支持资金500,000.00元"), "article 7 is support, not a reward: {t}");
    assert!(!t.contains("证书编号："), "{t}");
    texts.push(("reward".into(), t));
    let (_, t) = issue_text_t(&mut db, |db| notice::target_for_reward(db, by("software_revenue_100m")).unwrap(), "05-reward-software");
    assert!(t.contains("作为软件企业，2025年度营业收入首次突破1亿元"), "{t}");
    assert!(!t.contains("获评软件企业"), "{t}");
    assert!(t.contains("奖励资金300,000.00元"), "{t}");
    texts.push(("software".into(), t));
    cert::add(
        &mut db,
        &CertInput {
            uscc: USCC2.into(),
            kind: "国家技术创新示范企业".into(),
            certificate_no: Some("JSCX-2026-3".into()),
            issued_on: "2026-02-01".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let s = reward::scan(&db).unwrap();
    let p = s.proposals.iter().find(|p| p.program_code == "tech_innovation_demo").expect("补差 proposed");
    let top = reward::confirm(&mut db, &[reward::RewardPick { certification_id: p.certification_id, program_id: p.program_id }], true).unwrap();
    let target = notice::target_for_reward(&db, top[0].id).unwrap();
    assert_eq!(target.kind, NoticeKind::RewardTopUp);
    let (_, t) = issue_text(&mut db, target, "06-reward-top-up");
    for want in
        ["补差资金的通知", "此前已获国家质量标杆企业奖励（500,000.00元）", "标准为2,000,000.00元", "补足差额", "奖励资金1,500,000.00元", "人民币壹佰伍拾万元整"]
    {
        assert!(t.contains(want), "补差 lacks {want}:\n{t}");
    }
    texts.push(("top_up".into(), t));
    // An "up to" reward approved lower: a reduction, with its reason and the remedies.
    cert::add(&mut db, &CertInput { uscc: USCC2.into(), kind: "绿色供应链管理企业".into(), issued_on: "2026-02-15".into(), ..Default::default() }).unwrap();
    let s = reward::scan(&db).unwrap();
    let p = s.proposals.iter().find(|p| p.program_code == "green_supply_chain").expect("green supply chain proposed");
    let gsc = reward::confirm(&mut db, &[reward::RewardPick { certification_id: p.certification_id, program_id: p.program_id }], true).unwrap().remove(0);
    assert_eq!(notice::target_for_reward(&db, gsc.id).unwrap().kind, NoticeKind::Reward);
    let gsc = reward::approve(&mut db, gsc.id, Some(30_000_000), Some("按项目实际投入核定"), true).unwrap();
    assert_eq!(gsc.approved_fen, Some(30_000_000));
    let target = notice::target_for_reward(&db, gsc.id).unwrap();
    assert_eq!(target.kind, NoticeKind::RewardReduction);
    let (_, t) = issue_text(&mut db, target, "13-reward-reduction");
    for want in [
        "入选国家级绿色供应链管理企业名单",
        "核定给予你单位支持资金300,000.00元，核减200,000.00元",
        "核减原因：按项目实际投入核定",
        "申请行政复议",
        "提起行政诉讼",
        "人民币叁拾万元整",
    ] {
        assert!(t.contains(want), "reward reduction lacks {want}:\n{t}");
    }
    texts.push(("reward_reduction".into(), t));

    // Reminders (函): 信函格式, the clause of the money that depends on the kind, or none.
    let hte = cert::list(&db, None, Some("high_tech_enterprise"), None).unwrap().remove(0);
    let (n, t) = issue_text(&mut db, Target { kind: NoticeKind::ExpiryReminder, id: hte.id }, "07-reminder-high-tech");
    assert_eq!(n.doc_number, "江宁科函〔2026〕1号");
    assert!(!t.contains("文件") && !t.contains("印发"), "a letter: no 文件, no 印发 line: {t}");
    assert!(t.contains("抄送：区财政局，区审计局。"), "{t}");
    assert!(t.contains("第二条规定") && t.contains("高新技术创业企业房租补贴") && t.contains("重新认定"), "{t}");
    assert!(t.contains("将于2027年12月19日到期") && t.contains("即将到期"), "{t}");
    texts.push(("reminder".into(), t));
    let zjtx = cert::add(
        &mut db,
        &CertInput {
            uscc: USCC2.into(),
            kind: "江苏省专精特新中小企业".into(),
            certificate_no: Some("ZJTX-2023-11".into()),
            issued_on: "2023-04-01".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let (_, t) = issue_text(&mut db, Target { kind: NoticeKind::ExpiryReminder, id: zjtx.id }, "08-reminder-specialised");
    assert!(!t.contains("第二条") && !t.contains("宁委发"), "no money depends on it: no clause cited: {t}");
    assert!(t.contains("复核"), "{t}");
    let sme = cert::add(
        &mut db,
        &CertInput {
            uscc: USCC2.into(),
            kind: "科技型中小企业".into(),
            certificate_no: Some("20263201002345".into()),
            issued_on: "2026-03-02".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let (_, t) = issue_text(&mut db, Target { kind: NoticeKind::ExpiryReminder, id: sme.id }, "09-reminder-tech-sme");
    assert!(t.contains("评价入库") && t.contains("2027年度评价") && !t.contains("重新认定"), "{t}");
    texts.push(("reminder_sme".into(), t));
    // A certificate already past its date is said to have expired; a title without expiry gets
    // no reminder.
    let old_sme = cert::add(
        &mut db,
        &CertInput {
            uscc: USCC.into(),
            kind: "科技型中小企业".into(),
            certificate_no: Some("20253201000001".into()),
            issued_on: "2025-04-01".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let (_, t) = issue_text(&mut db, Target { kind: NoticeKind::ExpiryReminder, id: old_sme.id }, "12-reminder-expired");
    assert!(t.contains("已于2025年12月31日到期") && t.contains("已到期") && !t.contains("将于"), "{t}");
    let green = cert::list(&db, None, Some("green_factory"), None).unwrap().remove(0);
    assert_eq!(notice::issue(&mut db, Target { kind: NoticeKind::ExpiryReminder, id: green.id }, day()).unwrap_err().code(), "no_expiry");

    // No issued notice presents a back-translated clause as its text.
    let clauses = huiqi_core::policy::clauses(&db).unwrap();
    for (what, t) in &texts {
        for c in &clauses {
            for sentence in c.text_zh.split(['。', '；', '，']).map(squash).filter(|s| s.chars().count() >= 8) {
                assert!(!t.contains(&sentence), "{what} quotes the translation of article {}: {sentence}", c.article);
            }
        }
        assert!(!t.contains("关于“"), "{what}: no quotation without the official text");
    }
    assert!(db.check().unwrap().ok);
}

#[test]
fn the_official_text_once_entered_is_quoted_with_who_and_when() {
    let (_t, mut db) = setup();
    assert!(huiqi_core::policy::clauses_without_official_text(&db).unwrap().iter().any(|c| c.article == 2));
    let official = "各区（园区）根据企业成长情况，给予高新技术创业企业最高100%的房租补贴，最长不超过三年。";
    assert_eq!(huiqi_core::policy::set_official_text(&mut db, 2, "   ").unwrap_err().code(), "missing_required");
    assert_eq!(huiqi_core::policy::set_official_text(&mut db, 2, "Each district will give a maximum subsidy of 100%.").unwrap_err().code(), "not_chinese");
    let c = huiqi_core::policy::set_official_text(&mut db, 2, official).unwrap();
    assert_eq!((c.version, c.official_zh.as_str()), (2, official));
    assert!(!c.created_by.is_empty() && !c.created_at.is_empty(), "who and when");
    assert_eq!(huiqi_core::policy::set_official_text(&mut db, 2, official).unwrap_err().code(), "nothing_changed");
    assert!(!huiqi_core::policy::clauses_without_official_text(&db).unwrap().iter().any(|c| c.article == 2));
    let listed = huiqi_core::policy::listing(&db).unwrap().into_iter().find(|c| c.article == 2).unwrap();
    assert_eq!(listed.official_by.as_deref(), Some(c.created_by.as_str()));
    // A grant drafted before (clause version 1) is cited with the official text: the quotation.
    let g = grant(&mut db, "南京市江宁区秣周东路9号", 25_050);
    let g = rent::approve(&mut db, g.id, None, None, true).unwrap();
    let (n, t) = issue_text_t(&mut db, |db| notice::target_for_grant(db, g.id).unwrap(), "10-rent-approval-official");
    assert!(n.clause.official);
    assert!(t.contains("第二条关于“各区（园区）根据企业成长情况，给予高新技术创业企业最高100%的房租补贴，最长不超过三年”的规定"), "{t}");
}

#[test]
fn notices_that_need_a_setting_are_refused_naming_it() {
    let (_t, mut db) = setup();
    let g = grant(&mut db, "南京市江宁区秣周东路9号", 25_050);
    let g = rent::approve(&mut db, g.id, None, None, true).unwrap();
    let office = huiqi_core::system::office(&db).unwrap();
    for (field, label) in [("rule_name", "区级补贴细则名称"), ("rule_doc_number", "区级补贴细则文号")] {
        let mut o = office.clone();
        if field == "rule_name" {
            o.rule_name.clear();
        } else {
            o.rule_doc_number.clear();
        }
        huiqi_core::system::save_office(&mut db, &o).unwrap();
        let target = notice::target_for_grant(&db, g.id).unwrap();
        let e = notice::issue(&mut db, target, day()).unwrap_err();
        assert_eq!((e.code(), e.details().unwrap()["field"].as_str()), ("missing_setting", Some(field)));
        assert!(e.message(huiqi_core::Lang::Zh).contains(label) && e.message(huiqi_core::Lang::Zh).contains("设置"), "{}", e.message(huiqi_core::Lang::Zh));
    }
    // The remedies' body and court are needed by refusals and reductions only.
    let mut o = office.clone();
    o.court.clear();
    huiqi_core::system::save_office(&mut db, &o).unwrap();
    assert!(notice::preview(&db, notice::target_for_grant(&db, g.id).unwrap(), day()).is_ok(), "an approval needs no court");
    let g2 = grant(&mut db, "南京市江宁区天元中路1号", 25_050);
    let g2 = rent::reject(&mut db, g2.id, "重复申报").unwrap();
    let e = notice::preview(&db, notice::target_for_grant(&db, g2.id).unwrap(), day()).unwrap_err();
    assert_eq!((e.code(), e.details().unwrap()["field"].as_str()), ("missing_setting", Some("court")));
    assert!(notice::register(&db).unwrap().is_empty(), "nothing numbered");
    // A template cannot drop the remedies of a refusal.
    let v = notice::templates(&db).unwrap().into_iter().find(|t| t.kind == NoticeKind::RentRejection).unwrap();
    let e = notice::save_template(&mut db, NoticeKind::RentRejection, &v.genre, &v.title, &v.body.replace("{remedies}\n", "")).unwrap_err();
    assert_eq!((e.code(), e.details().unwrap()["placeholder"].as_str()), ("missing_placeholder", Some("remedies")));
}

#[test]
fn publicity_holds_payments_until_it_ends_and_objections_are_resolved() {
    let (t, mut db) = setup();
    let ga = grant(&mut db, "南京市江宁区秣周东路9号", 25_050);
    let a = rent::approve(&mut db, ga.id, None, None, true).unwrap();
    let gb = grant(&mut db, "南京市江宁区天元中路1号", 30_000);
    let b = rent::approve(&mut db, gb.id, None, None, true).unwrap();
    cert::add(&mut db, &CertInput { uscc: USCC2.into(), kind: "国家级绿色工厂".into(), issued_on: "2026-01-20".into(), ..Default::default() }).unwrap();
    let s = reward::scan(&db).unwrap();
    let picks: Vec<reward::RewardPick> =
        s.proposals.iter().map(|p| reward::RewardPick { certification_id: p.certification_id, program_id: p.program_id }).collect();
    let r = reward::confirm(&mut db, &picks, true).unwrap().remove(0);
    assert_eq!(publicity::unpublished(&db).unwrap(), (vec![b.id, a.id], vec![r.id]));

    // Five working days, weekends skipped: Thursday 2026-03-05 runs to Wednesday 2026-03-11.
    assert_eq!(publicity::period(day(), 5), (day(), NaiveDate::from_ymd_opt(2026, 3, 11).unwrap()));
    assert_eq!(
        publicity::period(NaiveDate::from_ymd_opt(2026, 3, 7).unwrap(), 5).0,
        NaiveDate::from_ymd_opt(2026, 3, 9).unwrap(),
        "a Saturday starts on Monday"
    );
    // A list is published from its document's day on: it cannot be backdated. (The day the
    // clerk works is the real one here: payments check their hold against it.)
    let today = cert::today();
    let yesterday = (today - chrono::Duration::days(1)).to_string();
    let e = publicity::create(&mut db, &PublicityInput { starts_on: Some(yesterday), ..Default::default() }, today).unwrap_err();
    assert_eq!(e.code(), "publicity_backdated");
    let (p, pdf) = publicity::create(&mut db, &PublicityInput::default(), today).unwrap();
    let (start, end) = publicity::period(today, 5);
    assert_eq!((p.starts_on.clone(), p.ends_on.clone(), p.working_days, p.status.as_str()), (start.to_string(), end.to_string(), 5, "open"));
    assert_eq!(p.items.len(), 3);
    assert_eq!(p.doc_number, Some(format!("江宁科〔{}〕1号", today.year())), "numbered from the register");
    let text = text_of("11-publicity", &pdf);
    let period_text = format!("公示期为5个工作日，自{}至{}", notice::zh_date(start), notice::zh_date(end));
    let printed = format!("{}印发", notice::zh_date(today));
    for want in ["拟支持企业名单的公示", "公示如下", &period_text, "区科技局产业科，电话025-52101234", NAME, NAME2, "国家级绿色工厂支持", &printed]
    {
        assert!(text.contains(want), "公示 lacks {want}:\n{text}");
    }
    assert!(
        text.find("公示如下").unwrap() < text.find(NAME).unwrap() && text.find(NAME).unwrap() < text.find(&period_text).unwrap(),
        "the list comes before the period and the contact:\n{text}"
    );
    assert!(notice::verify_bytes(&db, &pdf).unwrap().found, "the list is an issued document of the register");
    // The xlsx for the website reads back with calamine.
    let x = t.path().join("公示.xlsx");
    publicity::export_xlsx(&db, p.id, &x).unwrap();
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&x).unwrap();
    let range = calamine::Reader::worksheet_range(&mut wb, "公示名单").unwrap();
    assert_eq!(range.height(), 4);
    assert_eq!(range.get((1, 1)).unwrap().to_string(), p.items[0].enterprise_name);
    // Nothing on it can be listed again, nor paid while the period runs, nor paid on a day to come.
    let on = today.to_string();
    assert_eq!(publicity::create(&mut db, &PublicityInput { grants: vec![a.id], ..Default::default() }, today).unwrap_err().code(), "already_published");
    assert_eq!(rent::pay(&mut db, a.id, 1_000, &on, "").unwrap_err().code(), "in_publicity");
    assert_eq!(reward::pay(&mut db, r.id, 1_000, &on, "").unwrap_err().code(), "in_publicity");
    assert_eq!(rent::pay(&mut db, a.id, 1_000, &(today + chrono::Duration::days(1)).to_string(), "").unwrap_err().code(), "out_of_range");
    // Nor approved lower outside the objection procedure.
    assert_eq!(reward::approve(&mut db, r.id, Some(100_000), Some("x"), true).unwrap_err().code(), "in_publicity");

    // Objections: against grant a (kept after inquiry), grant b (amended), the reward (dropped);
    // one received after the period, or on a day to come, is not a 公示 objection.
    let p = publicity::object(&mut db, p.id, Some(a.id), None, "该企业实际办公面积不足", "匿名", today).unwrap();
    assert_eq!(publicity::object(&mut db, p.id, Some(b.id), None, "x", "", today + chrono::Duration::days(1)).unwrap_err().code(), "out_of_range");
    assert_eq!(publicity::object(&mut db, p.id, Some(b.id), None, "x", "", start - chrono::Duration::days(1)).unwrap_err().code(), "outside_publicity");
    let p = publicity::object(&mut db, p.id, Some(b.id), None, "部分面积转租", "园区", today).unwrap();
    let p = publicity::object(&mut db, p.id, None, Some(r.id), "绿色工厂名单中无该企业", "市民来信", today).unwrap();
    // The list cannot be closed before the period ends; the day after, it can.
    assert_eq!(publicity::close(&mut db, p.id, end).unwrap_err().code(), "publicity_running");
    let p = publicity::close(&mut db, p.id, end + chrono::Duration::days(1)).unwrap();
    assert_eq!(p.status, "closed");
    assert!(p.items.iter().all(|i| i.outcome == publicity::Outcome::Listed), "every item is held by its objection");
    assert_eq!(rent::pay(&mut db, a.id, 1_000, &on, "").unwrap_err().code(), "objection_open");
    let obj = |p: &publicity::Publicity, grant: Option<i64>, reward: Option<i64>| {
        p.items.iter().find(|i| i.grant_id == grant && i.reward_id == reward).unwrap().objections[0].id
    };
    // Kept: the grant moves on and is paid.
    assert_eq!(publicity::resolve(&mut db, obj(&p, Some(a.id), None), ObjectionStatus::Kept, " ", None).unwrap_err().code(), "reason_required");
    let p2 = publicity::resolve(&mut db, obj(&p, Some(a.id), None), ObjectionStatus::Kept, "经现场核查，面积属实", None).unwrap();
    assert_eq!(p2.items.iter().find(|i| i.grant_id == Some(a.id)).unwrap().outcome, publicity::Outcome::Cleared);
    let paid = rent::pay(&mut db, a.id, a.approved_fen.unwrap(), &on, "拨付凭证").unwrap();
    assert_eq!(paid.status, rent::GrantStatus::Disbursed);
    // Amended: the grant is approved lower, with the reason; then paid at that amount.
    let p3 = publicity::resolve(&mut db, obj(&p, Some(b.id), None), ObjectionStatus::Amended, "扣除转租面积", Some(8_000_000)).unwrap();
    assert_eq!(p3.items.iter().find(|i| i.grant_id == Some(b.id)).unwrap().amount_fen, 8_000_000);
    let b2 = rent::grant(&db, b.id).unwrap();
    assert_eq!(b2.approved_fen, Some(8_000_000));
    assert!(b2.reason.contains("经公示异议核实，扣除转租面积"), "{}", b2.reason);
    assert_eq!(notice::target_for_grant(&db, b.id).unwrap().kind, NoticeKind::RentReduction, "its notice becomes a reduction");
    rent::pay(&mut db, b.id, 8_000_000, &on, "").unwrap();
    // Dropped: the reward is revoked with the reason.
    publicity::resolve(&mut db, obj(&p, None, Some(r.id)), ObjectionStatus::Dropped, "核实不在名单内", None).unwrap();
    let r2 = reward::get(&db, r.id).unwrap();
    assert_eq!(r2.status, reward::RewardStatus::Revoked);
    assert!(r2.reason.contains("核实不在名单内"));
    // Every step is in the journal.
    assert!(db.check().unwrap().ok);
}

#[test]
fn templates_shipped_before_are_upgraded_unless_edited() {
    let dump = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/schema/v8.sql")).unwrap();
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("old.db");
    rusqlite::Connection::open(&p).unwrap().execute_batch(&dump).unwrap();
    let db = Db::open_rw(&p).unwrap();
    for k in [NoticeKind::RentApproval, NoticeKind::RentRejection, NoticeKind::Reward, NoticeKind::ExpiryReminder] {
        let v = notice::template_versions(&db, k).unwrap();
        assert_eq!(v.len(), 2, "{}: version 1 kept, version 2 shipped", k.as_str());
        assert!(v[1].current && !v[0].current);
    }
    for k in [NoticeKind::RentReduction, NoticeKind::RewardTopUp, NoticeKind::Publicity] {
        assert_eq!(notice::template_versions(&db, k).unwrap().len(), 1, "{}", k.as_str());
    }
    // The notice issued under version 1 keeps its bytes.
    let n = notice::list(&db, None, None).unwrap().remove(0);
    assert_eq!(n.template_version, 1);
    assert!(notice::verify_bytes(&db, &notice::pdf(&db, n.id).unwrap()).unwrap().found);
}
