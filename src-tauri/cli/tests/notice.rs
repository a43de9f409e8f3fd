//! `huiqi notice …` as a user runs it: on the demo data, approve grants, preview, issue, verify,
//! reprint, void, batch; `--format json` gives the document number, kind, subject, sha256 and the
//! output path.

mod common;

use common::run;

#[test]
fn notice_commands_on_the_demo_data() {
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("d.db");
    let db = db.to_str().unwrap();
    let p = |name: &str| t.path().join(name).to_str().unwrap().to_string();
    assert_eq!(run(&["--db", db, "init", "--demo"]).code, 0);
    assert_eq!(run(&["--db", db, "rent", "grants", "draft"]).code, 0);
    let a = run(&["--db", db, "--format", "json", "rent", "grants", "approve", "--all-drafts", "--over-budget"]);
    assert_eq!(a.code, 0, "{}{}", a.stdout, a.stderr);
    let grants = run(&["--db", db, "--format", "json", "rent", "grants", "list"]).json();
    let g = grants.as_array().unwrap().iter().find(|g| g["status"] == "approved").expect("an approved grant");
    let gid = g["id"].as_i64().unwrap().to_string();

    // Preview: a file, no number.
    let pv = run(&["--db", db, "--format", "json", "notice", "preview", "--grant", &gid, "--date", "2026-03-05", "--out", &p("preview.pdf")]);
    assert_eq!(pv.code, 0, "{}{}", pv.stdout, pv.stderr);
    assert_eq!(pv.json()["path"], p("preview.pdf"));
    assert!(std::fs::metadata(p("preview.pdf")).unwrap().len() > 10_000);
    assert_eq!(run(&["--db", db, "--format", "json", "notice", "register"]).json(), serde_json::json!([]));

    // Issue.
    let is = run(&["--db", db, "--format", "json", "notice", "issue", "--grant", &gid, "--date", "2026-03-05", "--out", &p("n.pdf")]);
    assert_eq!(is.code, 0, "{}{}", is.stdout, is.stderr);
    let j = is.json();
    assert_eq!(j["doc_number"], "江宁科〔2026〕1号");
    assert_eq!(j["kind"], "rent_approval");
    assert!(j["subject"].as_str().unwrap().contains(g["enterprise_name"].as_str().unwrap()));
    assert_eq!(j["path"], p("n.pdf"));
    let bytes = std::fs::read(p("n.pdf")).unwrap();
    let sha = j["sha256"].as_str().unwrap().to_string();
    assert_eq!(sha.len(), 64);

    // Verify: exit 0 for an issued notice, 1 for anything else.
    let v = run(&["--db", db, "--format", "json", "notice", "verify", &p("n.pdf")]);
    assert_eq!((v.code, v.json()["found"].as_bool(), v.json()["notice"]["doc_number"].as_str()), (0, Some(true), Some("江宁科〔2026〕1号")));
    assert_eq!(run(&["--db", db, "notice", "verify", &p("preview.pdf")]).code, 1, "a preview is not an issued notice");
    let code = j["verification"].as_str().unwrap();
    assert_eq!(run(&["--db", db, "notice", "verify", "--code", code]).code, 0);

    // Reprint by number: the same bytes.
    let r = run(&["--db", db, "--format", "json", "notice", "reprint", "江宁科〔2026〕1号", "--out", &p("again.pdf")]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(std::fs::read(p("again.pdf")).unwrap(), bytes);
    assert_eq!(r.json()["sha256"], sha.as_str());

    // Void needs a reason; then verify says voided (exit 1).
    assert_eq!(run(&["--db", db, "notice", "void", "1", "--reason", ""]).code, 1);
    let vd = run(&["--db", db, "--format", "json", "notice", "void", "1", "--reason", "金额有误"]);
    assert_eq!(vd.json()["status"], "voided");
    let v = run(&["--db", db, "--format", "json", "notice", "verify", &p("n.pdf")]);
    assert_eq!((v.code, v.json()["voided"].as_bool()), (1, Some(true)));

    // Batch: preview then issue every approved grant and reward left; numbers continue at 2.
    let bp = run(&["--db", db, "--format", "json", "notice", "batch", "--preview", "--out", &p("bp.pdf")]);
    assert_eq!(bp.code, 0, "{}{}", bp.stdout, bp.stderr);
    let count = bp.json()["count"].as_i64().unwrap();
    assert!(count >= 2);
    let b = run(&["--db", db, "--format", "json", "notice", "batch", "--date", "2026-03-05", "--out", &p("batch.pdf"), "--dir", &p("each")]);
    assert_eq!(b.code, 0, "{}{}", b.stdout, b.stderr);
    let bj = b.json();
    assert_eq!(bj["count"].as_i64(), Some(count));
    assert_eq!(bj["notices"][0]["doc_number"], "江宁科〔2026〕2号");
    for n in bj["notices"].as_array().unwrap() {
        let f = n["path"].as_str().unwrap();
        assert_eq!(run(&["--db", db, "notice", "verify", f]).code, 0, "{f}");
    }
    assert!(std::path::Path::new(&p("batch.pdf")).exists());
    let reg = run(&["--db", db, "--format", "json", "notice", "register"]).json();
    assert_eq!(reg[0]["last_no"].as_i64(), Some(count + 1));
    assert_eq!(reg[0]["gaps"], serde_json::json!([]));
    let list = run(&["--db", db, "--format", "json", "notice", "list"]).json();
    assert_eq!(list.as_array().unwrap().len() as i64, count + 1);
    // Nothing left: the batch says so.
    let again = run(&["--db", db, "--format", "json", "notice", "batch"]);
    assert_eq!((again.code, again.error_code().as_str()), (1, "nothing_to_issue"));

    // Templates: a bad placeholder is refused, naming it.
    std::fs::write(p("body.txt"), "根据{citation}，{enterprise}{签发人}").unwrap();
    let ts = run(&[
        "--db",
        db,
        "--format",
        "json",
        "notice",
        "template-save",
        "expiry_reminder",
        "--genre",
        "函",
        "--title",
        "提醒函",
        "--body-file",
        &p("body.txt"),
    ]);
    assert_eq!((ts.code, ts.error_code().as_str()), (1, "unknown_placeholder"));
    assert!(ts.error_message().contains("{签发人}"), "{}", ts.error_message());
    assert_eq!(run(&["--db", db, "check"]).code, 0);
}
