//! `huiqi enterprise undo|redo`: only changes made by hand, named before they are undone; a
//! demo ledger has nothing to undo and stays as it is.

mod common;

use common::run;
use serde_json::Value;

fn huiqi(db: &str, args: &[&str]) -> common::Run {
    let mut a = vec!["--db", db];
    a.extend_from_slice(args);
    run(&a)
}

fn total(db: &str) -> i64 {
    let r = huiqi(db, &["--format", "json", "enterprise", "list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = r.json();
    v["total"].as_i64().unwrap_or_else(|| panic!("a total: {v}"))
}

#[test]
fn undo_on_a_demo_ledger_says_there_is_nothing_and_changes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("d.db").to_str().unwrap().to_string();
    assert_eq!(huiqi(&db, &["init", "--demo"]).code, 0);
    let before = total(&db);
    assert!(before > 0);
    for args in [&["enterprise", "undo"][..], &["enterprise", "undo", "--dry-run"]] {
        let r = huiqi(&db, args);
        assert_eq!(r.code, 1, "refused: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains("没有可以撤销的手工修改"), "{}", r.stderr);
    }
    assert_eq!(total(&db), before, "no enterprise removed");
    assert_eq!(huiqi(&db, &["check"]).code, 0);
}

#[test]
fn undo_names_the_hand_change_and_redo_puts_it_back() {
    let t = tempfile::tempdir().unwrap();
    let db = t.path().join("e.db").to_str().unwrap().to_string();
    assert_eq!(huiqi(&db, &["init", "--demo"]).code, 0);
    let v: Value = huiqi(&db, &["--format", "json", "enterprise", "list"]).json();
    let uscc = v["rows"][0]["uscc"].as_str().unwrap().to_string();
    let name = v["rows"][0]["name"].as_str().unwrap().to_string();
    let r = huiqi(&db, &["enterprise", "update", &uscc, "--phone", "025-87654321"]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    let r = huiqi(&db, &["enterprise", "undo", "--dry-run"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(&format!("撤销对“{name}”的修改：")) && r.stdout.contains("→ 025-87654321"), "{}", r.stdout);
    let phone = |db: &str| -> String {
        let v: Value = huiqi(db, &["--format", "json", "enterprise", "show", &uscc]).json();
        v["enterprise"]["contact_phone"].as_str().unwrap_or_default().to_string()
    };
    assert_eq!(phone(&db), "025-87654321", "a dry run changes nothing");

    let r = huiqi(&db, &["enterprise", "undo"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("已撤销对"), "{}", r.stdout);
    assert_ne!(phone(&db), "025-87654321");
    let r = huiqi(&db, &["enterprise", "undo"]);
    assert_eq!(r.code, 1, "the demo load is not undone: {}", r.stdout);

    let r = huiqi(&db, &["enterprise", "redo"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("重做对"), "{}", r.stdout);
    assert_eq!(phone(&db), "025-87654321");
    let r = huiqi(&db, &["enterprise", "redo"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("没有可以重做的撤销"), "{}", r.stderr);
}
