//! The CLI while the app (another process) holds the writer lock: a clear message naming the
//! holder, exit code 3, nothing written; readers and `huiqi backup create` still work.

mod common;

use common::*;
use huiqi_core::store::Db;

#[test]
fn the_cli_says_clearly_that_the_app_holds_the_database() {
    let t = tempfile::tempdir().unwrap();
    let db_path = init_db(t.path());
    let db = db_path.to_str().unwrap();
    // This test process plays the app: it holds the writer lock.
    let app = Db::open_rw(&db_path).unwrap();

    let r = run(&["--db", db, "--wait", "0", "enterprise", "add", "--uscc", "914403001922038216", "--name", "某某科技有限公司"]);
    assert_eq!(r.code, 3, "{} {}", r.stdout, r.stderr);
    assert!(r.stderr.contains("数据库正被另一个惠企台账程序使用"), "{}", r.stderr);
    assert!(r.stderr.contains(&format!("pid {}", std::process::id())), "the holder is named: {}", r.stderr);
    assert!(r.stderr.contains("请先关闭它"), "{}", r.stderr);
    assert!(r.stderr.contains("(database_locked)"), "{}", r.stderr);

    let r = run(&["--db", db, "--wait", "0", "--format", "json", "--lang", "en", "enterprise", "add", "--uscc", "914403001922038216", "--name", "x"]);
    assert_eq!(r.code, 3);
    assert_eq!(r.error_code(), "database_locked");
    assert!(r.error_message().contains("in use by another Huiqi Ledger process"), "{}", r.error_message());
    assert!(r.json()["error"]["details"]["holder"].as_str().unwrap().contains("pid"));

    // Readers are not blocked; a backup can be taken while the app works.
    let r = run(&["--db", db, "--format", "json", "enterprise", "list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["--db", db, "--format", "json", "backup", "create"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Restore replaces the file: refused while the app has it open.
    let name = r.json()["backup"]["file_name"].as_str().unwrap().to_string();
    let r = run(&["--db", db, "--format", "json", "backup", "restore", &name]);
    assert_eq!(r.code, 3);
    assert_eq!(r.error_code(), "database_locked");

    // --wait: the CLI waits for the app to let go.
    let t0 = std::time::Instant::now();
    let h = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(700));
        drop(app);
    });
    let r = run(&["--db", db, "--wait", "10", "enterprise", "add", "--uscc", "914403001922038216", "--name", "某某科技有限公司"]);
    h.join().unwrap();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(t0.elapsed() >= std::time::Duration::from_millis(700));
}

#[test]
fn an_unknown_import_kind_is_a_usage_error_that_lists_the_kinds() {
    let t = tempfile::tempdir().unwrap();
    let db = init_db(t.path());
    let file = t.path().join("a.csv");
    std::fs::write(&file, "企业名称,统一社会信用代码\n甲公司,914403001922038216\n").unwrap();
    let r = run(&["--db", db.to_str().unwrap(), "import", file.to_str().unwrap(), "--kind", "bogus", "--dry-run", "--format", "json"]);
    assert_eq!(r.code, 2, "{} {}", r.stdout, r.stderr);
    assert!(r.stderr.contains("rent_applications"), "{}", r.stderr);
}
