//! Notices end to end in core: compose from an approved grant or reward, preview (样稿, no
//! number), issue (number, PDF, SHA-256), checked with poppler (pdftotext, pdffonts, pdfinfo) and
//! qpdf; reprint equals; verify; void; correction supersedes; the register has no gaps; batches
//! are one transaction (cancel takes no number); templates are versioned.

use std::path::Path;
use std::process::Command;

use chrono::NaiveDate;
use huiqi_core::cert::{self, reward, CertInput};
use huiqi_core::enterprise::{self, EnterpriseInput};
use huiqi_core::notice::{self, NoticeKind, Target};
use huiqi_core::progress::{CancelFlag, FnProgress, NoProgress};
use huiqi_core::rent::{self, ApplicationInput, GrowthReport, LeaseInput};
use huiqi_core::store::Db;

const USCC: &str = "914403001922038216";
const NAME: &str = "南京甲乙科技有限公司";

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 5).unwrap()
}

fn setup() -> (tempfile::TempDir, Db, i64) {
    let t = tempfile::tempdir().unwrap();
    let mut db = Db::open_rw(t.path().join("n.db")).unwrap();
    let e = enterprise::create(&mut db, &EnterpriseInput { uscc: USCC.into(), name: NAME.into(), founded_on: Some("2023-03-01".into()), ..Default::default() })
        .unwrap()
        .enterprise;
    cert::add(
        &mut db,
        &CertInput {
            uscc: USCC.into(),
            kind: "high_tech_enterprise".into(),
            certificate_no: Some("GR202532000001".into()),
            issued_on: "2025-01-10".into(),
            ..Default::default()
        },
    )
    .unwrap();
    rent::set_growth(&mut db, &GrowthReport { enterprise_id: e.id, year: 2025, revenue_fen: Some(140_000_000), rd_fen: None, staff: Some(30) }).unwrap();
    settings(&mut db);
    (t, db, e.id)
}

/// The settings notices need: the district's rule, where to challenge a decision, the 版记.
fn settings(db: &mut Db) {
    let office = huiqi_core::system::office(db).unwrap();
    huiqi_core::system::save_office(
        db,
        &huiqi_core::system::OfficeSettings {
            rule_name: "江宁区高新技术创业企业房租补贴实施细则".into(),
            rule_doc_number: "江宁科规〔2025〕1号".into(),
            review_body: "南京市江宁区人民政府".into(),
            court: "南京市江宁区人民法院".into(),
            cc: "区财政局".into(),
            printer: "南京市江宁区科学技术局办公室".into(),
            publicity_contact: "区科技局产业科，电话025-52101234".into(),
            ..office
        },
    )
    .unwrap();
}

/// An approved grant of 135,270.00 元 (250.5 ㎡ × 45 元 × 12 months × 100%).
fn approved_grant(db: &mut Db, eid: i64, address: &str, year: i64, start: &str, end: &str) -> rent::Grant {
    let lease = rent::add_lease(
        db,
        eid,
        &LeaseInput {
            address: Some(address.into()),
            area_centi_m2: 25_050,
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
            subsidy_year: year,
            period_start: start.into(),
            period_end: end.into(),
            revenue_prev_fen: Some(100_000_000),
            revenue_curr_fen: Some(140_000_000),
            requested_fen: None,
        },
    )
    .unwrap();
    let g = rent::draft(db, app.id).unwrap();
    let g = rent::submit(db, g.id).unwrap();
    rent::approve(db, g.id, None, None, true).unwrap()
}

fn tool(name: &str, args: &[&str], file: &Path) -> String {
    let out = Command::new(name)
        .args(args)
        .arg(file)
        .args(if name == "pdftotext" { &["-"][..] } else { &[][..] })
        .output()
        .unwrap_or_else(|e| panic!("{name} is needed (poppler-utils, qpdf): {e}"));
    assert!(out.status.success(), "{name} failed on {}: {}", file.display(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn pages_of(pdfinfo: &str) -> usize {
    pdfinfo.lines().find_map(|l| l.strip_prefix("Pages:")).and_then(|n| n.trim().parse().ok()).expect("pdfinfo prints Pages")
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn issue_check_reprint_verify_void_and_correct() {
    let (t, mut db, eid) = setup();
    let g = approved_grant(&mut db, eid, "南京市江宁区秣周东路9号", 1, "2026-01-01", "2026-12-31");
    assert_eq!(g.approved_fen, Some(13_527_000));
    let target = notice::target_for_grant(&db, g.id).unwrap();
    assert_eq!(target.kind, NoticeKind::RentApproval);

    // Preview: watermark, no number, nothing taken.
    let (draft, preview) = notice::preview(&db, target, day()).unwrap();
    assert_eq!(draft.amount_fen, Some(13_527_000));
    let pp = t.path().join("preview.pdf");
    std::fs::write(&pp, &preview).unwrap();
    let ptext = squash(&tool("pdftotext", &["-enc", "UTF-8"], &pp));
    assert!(ptext.contains("样稿"), "{ptext}");
    assert!(!ptext.contains("〔2026〕"), "a preview has no number: {ptext}");
    assert!(notice::register(&db).unwrap().is_empty(), "a preview takes no number");

    // Issue.
    let n = notice::issue(&mut db, target, day()).unwrap();
    assert_eq!(n.doc_number, "江宁科〔2026〕1号");
    assert_eq!(n.kind, NoticeKind::RentApproval);
    assert_eq!((n.clause.article, n.clause.version), (2, 1));
    assert!(n.clause.quote.is_empty() && !n.clause.official, "no official text entered: no quotation");
    let bytes = notice::pdf(&db, n.id).unwrap();
    let file = t.path().join("n.pdf");
    std::fs::write(&file, &bytes).unwrap();

    let text = tool("pdftotext", &["-enc", "UTF-8"], &file);
    let flat = squash(&text);
    for want in [
        NAME,
        USCC,
        "根据《关于深入推进引领性国家创新型城市建设的若干政策意见》（宁委发〔2022〕1号）第二条规定",
        "按照《江宁区高新技术创业企业房租补贴实施细则》（江宁科规〔2025〕1号）",
        "抄送：区财政局。",
        "南京市江宁区科学技术局办公室",
        "2026年3月5日印发",
        "135,270.00元",
        "人民币壹拾叁万伍仟贰佰柒拾元整",
        "江宁科〔2026〕1号",
        "2026年3月5日",
        "南京市江宁区秣周东路9号",
        "南京市江宁区科学技术局",
        "—1—",
    ] {
        assert!(flat.contains(want), "pdftotext lacks {want}:\n{text}");
    }
    assert!(flat.contains(&format!("校验码{}", n.verification)), "footer code: {text}");
    assert_eq!(n.verification.len(), 12);
    assert!(!text.contains('\u{FFFD}') && !text.contains('□'), "no boxes");

    let fonts = tool("pdffonts", &[], &file);
    let rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{fonts}");
    for r in &rows {
        let name = r.split_whitespace().next().unwrap();
        assert!(name.len() > 7 && name.as_bytes()[6] == b'+', "subset tag: {r}");
        let cols: Vec<&str> = r.split_whitespace().collect();
        let n = cols.len();
        assert_eq!(&cols[n - 5..n - 2], &["yes", "yes", "yes"], "emb sub uni: {r}");
    }
    let info = tool("pdfinfo", &[], &file);
    assert!(info.contains("595.276 x 841.89 pts (A4)"), "{info}");
    let check = tool("qpdf", &["--check"], &file);
    assert!(check.contains("No syntax or stream encoding errors"), "{check}");

    // Reprint = the stored bytes, whose SHA-256 is the register's.
    assert_eq!(notice::pdf(&db, n.id).unwrap(), bytes);
    let v = notice::verify_bytes(&db, &bytes).unwrap();
    assert!(v.found && !v.voided, "{v:?}");
    assert_eq!(v.notice.as_ref().unwrap().doc_number, n.doc_number);
    assert_eq!(v.sha256, n.sha256);
    let mut tampered = bytes.clone();
    let last = tampered.len() - 10;
    tampered[last] ^= 1;
    assert!(!notice::verify_bytes(&db, &tampered).unwrap().found);
    assert!(notice::verify_code(&db, &n.verification.to_uppercase()).unwrap().found, "the footer code is found");

    // One live notice per grant.
    assert_eq!(notice::issue(&mut db, target, day()).unwrap_err().code(), "already_issued");

    // Void: reason needed; the number stays; verify says voided.
    assert_eq!(notice::void(&mut db, n.id, " ").unwrap_err().code(), "reason_required");
    let voided = notice::void(&mut db, n.id, "租赁地址填写错误").unwrap();
    assert_eq!(voided.status, "voided");
    assert_eq!(notice::void(&mut db, n.id, "再次").unwrap_err().code(), "already_voided");
    let v = notice::verify_bytes(&db, &bytes).unwrap();
    assert!(v.found && v.voided && v.message_zh.contains("作废"), "{v:?}");

    // A new notice for the same grant after voiding takes the next number; a correction
    // supersedes it and voids it in one step.
    let n2 = notice::issue(&mut db, target, day()).unwrap();
    assert_eq!(n2.doc_number, "江宁科〔2026〕2号");
    let n3 = notice::correct(&mut db, n2.id, "补贴期间更正", day()).unwrap();
    assert_eq!(n3.doc_number, "江宁科〔2026〕3号");
    assert_eq!(n3.supersedes, Some(n2.id));
    let n2 = notice::get(&db, n2.id).unwrap();
    assert_eq!(n2.status, "voided");
    assert_eq!(n2.superseded_by, Some(n3.id));
    assert!(n2.void_reason.contains("江宁科〔2026〕3号"), "{}", n2.void_reason);

    let reg = notice::register(&db).unwrap();
    assert_eq!(reg.len(), 1);
    assert_eq!((reg[0].prefix.as_str(), reg[0].year, reg[0].last_no, reg[0].issued, reg[0].voided), ("江宁科", 2026, 3, 1, 2));
    assert!(reg[0].gaps.is_empty());
    assert_eq!(notice::list(&db, Some(eid), None).unwrap().len(), 3);
    assert_eq!(notice::list(&db, None, Some("〔2026〕2号")).unwrap().len(), 1);
    assert!(db.check().unwrap().ok, "audit chain intact");
}

#[test]
fn missing_fields_and_glyphs_block_issuing_and_name_what_is_missing() {
    let (_t, mut db, eid) = setup();
    let g = approved_grant(&mut db, eid, "", 1, "2026-01-01", "2026-12-31");
    let target = Target { kind: NoticeKind::RentApproval, id: g.id };
    let e = notice::issue(&mut db, target, day()).unwrap_err();
    assert_eq!(e.code(), "missing_field");
    assert_eq!(e.details().unwrap()["field"], "lease_address");
    assert!(e.message(huiqi_core::Lang::Zh).contains("租赁地址"), "{}", e.message(huiqi_core::Lang::Zh));
    assert!(notice::register(&db).unwrap().is_empty(), "a refused notice takes no number");

    // A character no shipped font has (CJK Extension B) refuses the notice, naming it.
    let g2 = approved_grant(&mut db, eid, "南京市江宁区𠀾路1号", 2, "2027-01-01", "2027-12-31");
    let e = notice::preview(&db, Target { kind: NoticeKind::RentApproval, id: g2.id }, day()).unwrap_err();
    assert_eq!(e.code(), "missing_glyph");
    assert_eq!(e.details().unwrap()["char"], "𠀾");
    assert!(e.message(huiqi_core::Lang::Zh).contains("U+2003E"), "{}", e.message(huiqi_core::Lang::Zh));

    // A draft grant is not ready; a rejected one gets the rejection notice with its reason.
    let office = huiqi_core::system::office(&db).unwrap();
    let mut no_signer = office.clone();
    no_signer.signer = String::new();
    huiqi_core::system::save_office(&mut db, &no_signer).unwrap();
    let g3 = approved_grant(&mut db, eid, "南京市江宁区秣周东路9号", 3, "2028-01-01", "2028-12-31");
    let e = notice::preview(&db, Target { kind: NoticeKind::RentApproval, id: g3.id }, day()).unwrap_err();
    assert_eq!((e.code(), e.details().unwrap()["field"].as_str()), ("missing_field", Some("signer")));
    huiqi_core::system::save_office(&mut db, &office).unwrap();
    let e = notice::preview(&db, Target { kind: NoticeKind::RentRejection, id: g3.id }, day()).unwrap_err();
    assert_eq!(e.code(), "not_ready_for_notice");
}

#[test]
fn a_rejection_states_the_reason_and_cites_the_rule() {
    let (t, mut db, eid) = setup();
    let lease = rent::add_lease(
        &mut db,
        eid,
        &LeaseInput {
            address: Some("南京市江宁区天元中路1号".into()),
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
        &ApplicationInput {
            lease_id: lease.id,
            subsidy_year: 1,
            period_start: "2026-01-01".into(),
            period_end: "2026-12-31".into(),
            revenue_prev_fen: None,
            revenue_curr_fen: None,
            requested_fen: None,
        },
    )
    .unwrap();
    let g = rent::draft(&mut db, app.id).unwrap();
    let g = rent::reject(&mut db, g.id, "租赁合同未在区内备案").unwrap();
    let target = notice::target_for_grant(&db, g.id).unwrap();
    assert_eq!(target.kind, NoticeKind::RentRejection);
    let n = notice::issue(&mut db, target, day()).unwrap();
    let f = t.path().join("r.pdf");
    std::fs::write(&f, notice::pdf(&db, n.id).unwrap()).unwrap();
    let text = squash(&tool("pdftotext", &["-enc", "UTF-8"], &f));
    assert!(text.contains("租赁合同未在区内备案"), "{text}");
    assert!(text.contains("不予补贴") && text.contains("第二条"), "{text}");
    assert!(text.contains("六十日内向南京市江宁区人民政府申请行政复议") && text.contains("六个月内依法向南京市江宁区人民法院提起行政诉讼"), "{text}");
    assert!(text.contains("《江宁区高新技术创业企业房租补贴实施细则》（江宁科规〔2025〕1号）"), "{text}");
}

fn reward_ready(db: &mut Db) -> i64 {
    cert::add(
        db,
        &CertInput {
            uscc: USCC.into(),
            kind: "green_factory".into(),
            certificate_no: Some("LSGC-2026-018".into()),
            issued_on: "2026-01-20".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let scan = reward::scan(db).unwrap();
    let picks: Vec<reward::RewardPick> =
        scan.proposals.iter().map(|p| reward::RewardPick { certification_id: p.certification_id, program_id: p.program_id }).collect();
    let rewards = reward::confirm(db, &picks, true).unwrap();
    assert!(!rewards.is_empty());
    rewards[0].id
}

#[test]
fn batches_preview_then_issue_in_one_transaction_and_cancel_takes_no_number() {
    let (t, mut db, eid) = setup();
    let g1 = approved_grant(&mut db, eid, "南京市江宁区秣周东路9号", 1, "2026-01-01", "2026-12-31");
    let g2 = approved_grant(&mut db, eid, "南京市江宁区秣周东路9号", 2, "2027-01-01", "2027-12-31");
    let rid = reward_ready(&mut db);
    let c = notice::candidates(&db, day()).unwrap();
    let ready: Vec<Target> = c.iter().filter(|c| c.problem.is_none()).map(|c| c.target).collect();
    assert!(ready.contains(&Target { kind: NoticeKind::RentApproval, id: g1.id }));
    assert!(ready.contains(&Target { kind: NoticeKind::RentApproval, id: g2.id }));
    assert!(ready.contains(&Target { kind: NoticeKind::Reward, id: rid }));

    // Preview: one PDF, a page per notice, nothing numbered.
    let p = notice::batch_preview(&db, &ready, day(), &NoProgress).unwrap();
    let pf = t.path().join("batch-preview.pdf");
    std::fs::write(&pf, &p).unwrap();
    let fonts = notice::fonts().unwrap();
    let want_pages: usize = ready.iter().map(|t| notice::layout::page_count(&notice::preview(&db, *t, day()).unwrap().0.doc, fonts).unwrap()).sum();
    assert!(want_pages >= ready.len());
    let info = tool("pdfinfo", &[], &pf);
    assert_eq!(pages_of(&info), want_pages, "{info}");
    let ptext = squash(&tool("pdftotext", &["-enc", "UTF-8"], &pf));
    assert_eq!(ptext.matches("样稿·未编号").count(), want_pages, "every page of a preview is marked");
    assert!(notice::register(&db).unwrap().is_empty());

    // Cancel half-way: nothing stored, no number taken.
    let cancel = CancelFlag::new();
    let flag = cancel.clone();
    let prog = FnProgress {
        f: move |r: huiqi_core::progress::ProgressReport| {
            if r.stage == "issue" && r.done == 1 {
                flag.cancel()
            }
        },
        cancel,
    };
    assert_eq!(notice::batch_issue(&mut db, &ready, day(), &prog).unwrap_err().code(), "cancelled");
    assert!(notice::register(&db).unwrap().is_empty(), "cancel leaves nothing half-numbered");
    assert!(notice::list(&db, None, None).unwrap().is_empty());

    // Issue: consecutive numbers, each stored, one combined PDF.
    let (b, combined) = notice::batch_issue(&mut db, &ready, day(), &NoProgress).unwrap();
    assert_eq!(b.count as usize, ready.len());
    let numbers: Vec<&str> = b.notices.iter().map(|n| n.doc_number.as_str()).collect();
    let want: Vec<String> = (1..=ready.len()).map(|i| format!("江宁科〔2026〕{i}号")).collect();
    assert_eq!(numbers, want.iter().map(String::as_str).collect::<Vec<_>>());
    let cf = t.path().join("batch.pdf");
    std::fs::write(&cf, &combined).unwrap();
    let text = squash(&tool("pdftotext", &["-enc", "UTF-8"], &cf));
    for w in &want {
        assert!(text.contains(w.as_str()), "combined lacks {w}");
    }
    assert!(text.contains("大写金额：人民币") && text.contains("国家级绿色工厂"), "{text}");
    assert!(tool("qpdf", &["--check"], &cf).contains("No syntax or stream encoding errors"));
    // Each stored notice is its own PDF; the batch left no candidates.
    for n in &b.notices {
        assert!(notice::verify_bytes(&db, &notice::pdf(&db, n.id).unwrap()).unwrap().found);
    }
    assert!(notice::candidates(&db, day()).unwrap().is_empty());
    assert_eq!(notice::batch_issue(&mut db, &ready, day(), &NoProgress).unwrap_err().code(), "already_issued");
    // Reprinting the batch gives the same text again.
    let again = notice::combined_reprint(&db, &b.notices.iter().map(|n| n.id).collect::<Vec<_>>()).unwrap();
    assert_eq!(again, combined, "deterministic output");
}

#[test]
fn templates_are_versioned_and_an_issued_notice_keeps_its_version() {
    let (t, mut db, eid) = setup();
    let g = approved_grant(&mut db, eid, "南京市江宁区秣周东路9号", 1, "2026-01-01", "2026-12-31");
    let n1 = notice::issue(&mut db, Target { kind: NoticeKind::RentApproval, id: g.id }, day()).unwrap();
    assert_eq!(n1.template_version, 1);
    let v1 = notice::template_versions(&db, NoticeKind::RentApproval).unwrap().remove(0);

    let bad = notice::save_template(&mut db, NoticeKind::RentApproval, "通知", &v1.title, &format!("{}\n{{签发人}}", v1.body)).unwrap_err();
    assert_eq!(bad.code(), "unknown_placeholder");
    let bad = notice::save_template(&mut db, NoticeKind::RentApproval, "通知", &v1.title, &v1.body.replace("{amount_line}", "")).unwrap_err();
    assert_eq!((bad.code(), bad.details().unwrap()["placeholder"].as_str()), ("missing_placeholder", Some("amount_line")));
    assert_eq!(notice::save_template(&mut db, NoticeKind::RentApproval, "批复", &v1.title, &v1.body).unwrap_err().code(), "bad_genre");

    let body = v1.body.replace("特此通知。", "联系电话：025-12345678。\n特此通知。");
    let v2 = notice::save_template(&mut db, NoticeKind::RentApproval, "函", &v1.title, &body).unwrap();
    assert_eq!((v2.version, v2.genre.as_str(), v2.current), (2, "函", true));
    assert_eq!(notice::templates(&db).unwrap().iter().find(|t| t.kind == NoticeKind::RentApproval).unwrap().version, 2);

    let n2 = notice::correct(&mut db, n1.id, "改用函", day()).unwrap();
    assert_eq!(n2.template_version, 2);
    assert_eq!(n2.doc_number, "江宁科函〔2026〕1号", "函 has its own register line");
    let f = t.path().join("v2.pdf");
    std::fs::write(&f, notice::pdf(&db, n2.id).unwrap()).unwrap();
    assert!(squash(&tool("pdftotext", &["-enc", "UTF-8"], &f)).contains("025-12345678"));
    // The first notice is unchanged: same bytes, version 1.
    let n1 = notice::get(&db, n1.id).unwrap();
    assert_eq!(n1.template_version, 1);
    assert!(notice::verify_bytes(&db, &notice::pdf(&db, n1.id).unwrap()).unwrap().found);
    assert_eq!(notice::register(&db).unwrap().len(), 2);
}
