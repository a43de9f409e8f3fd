//! A full disk and a read-only database, on real (small) file systems mounted by the test.
//! Needs root (CI and the dev machine run as root): tmpfs mounts and `chattr +i`. When mounting is
//! impossible the test prints why and skips — only then.
//!
//! Root ignores file permissions, so "read-only" is made by the file system itself: a tmpfs
//! remounted read-only (folder) and an immutable file (`chattr +i`, file).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use huiqi_core::store::{query_one_i64, Db, Mode, OpenOptions};

/// A tmpfs mounted on `dir` for the life of the value.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Result<Tmpfs, String> {
        std::fs::create_dir_all(dir).unwrap();
        let o = Command::new("mount").args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"]).arg(dir).output().map_err(|e| e.to_string())?;
        if !o.status.success() {
            return Err(String::from_utf8_lossy(&o.stderr).trim().to_string());
        }
        Ok(Tmpfs(dir.to_path_buf()))
    }
    fn remount(&self, opts: &str) {
        let o = Command::new("mount").args(["-o", &format!("remount,{opts}")]).arg(&self.0).output().unwrap();
        assert!(o.status.success(), "remount {opts}: {}", String::from_utf8_lossy(&o.stderr));
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

macro_rules! mount_or_skip {
    ($dir:expr, $size:expr) => {
        match Tmpfs::mount($dir, $size) {
            Ok(m) => m,
            Err(why) => {
                println!("SKIP: cannot mount a tmpfs here ({why}); the disk-full and read-only cases need one (run as root)");
                return;
            }
        }
    };
}

fn count(db: &Path) -> (i64, i64) {
    let d = Db::open(db, OpenOptions { mode: Mode::Read, ..Default::default() }).unwrap();
    (query_one_i64(&d, "SELECT count(*) FROM enterprise").unwrap(), query_one_i64(&d, "SELECT count(*) FROM audit_event").unwrap())
}

fn check_ok(db: &Path) {
    let r = run(&["--db", db.to_str().unwrap(), "--format", "json", "check"]);
    assert_eq!(r.code, 0, "check: {} {}", r.stdout, r.stderr);
}

fn roster(dir: &Path, rows: u32) -> PathBuf {
    let r = run(&["--format", "json", "bench", "gen-import", "--rows", &rows.to_string(), dir.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    PathBuf::from(r.json()["csv_gbk"].as_str().unwrap())
}

#[test]
fn disk_full_during_import_says_so_and_leaves_the_database_unchanged() {
    let t = tempfile::tempdir().unwrap();
    let file = roster(&t.path().join("files"), 20_000);
    let small = t.path().join("small");
    let fs = mount_or_skip!(&small, "4m");
    let db = init_db(&small);
    drop(Db::open_rw(&db).unwrap()); // the first writer's weekly full check, out of the way
    let before = count(&db);
    let r = run(&["--db", db.to_str().unwrap(), "--format", "json", "import", file.to_str().unwrap()]);
    assert_ne!(r.code, 0, "the import cannot fit in 3 MB");
    assert_eq!(r.error_code(), "disk_full", "{} {}", r.stdout, r.stderr);
    assert!(r.error_message().contains("磁盘已满"), "{}", r.error_message());
    assert_eq!(count(&db), before, "nothing of the batch, nothing in the journal");
    check_ok(&db);
    // Room again: the same import goes through on the same database.
    fs.remount("size=256m");
    let r = run(&["--db", db.to_str().unwrap(), "--format", "json", "import", file.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(count(&db).0, 20_000);
    check_ok(&db);
}

#[test]
fn disk_full_during_backup_leaves_no_file_and_blocks_the_import_cleanly() {
    let t = tempfile::tempdir().unwrap();
    let file = roster(&t.path().join("files"), 3_000);
    let dbdir = t.path().join("db");
    let db = init_db(&dbdir);
    let r = run(&["--db", db.to_str().unwrap(), "--format", "json", "import", file.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let before = count(&db);
    let size = std::fs::metadata(&db).unwrap().len();
    assert!(size > 512 * 1024, "{size}");
    // The backup folder is a file system smaller than the database.
    let _fs = mount_or_skip!(&dbdir.join("backups"), "256k");
    let r = run(&["--db", db.to_str().unwrap(), "--format", "json", "backup", "create"]);
    assert_ne!(r.code, 0);
    assert_eq!(r.error_code(), "disk_full", "{} {}", r.stdout, r.stderr);
    assert!(r.error_message().contains("磁盘已满"));
    let left: Vec<_> = std::fs::read_dir(dbdir.join("backups")).unwrap().flatten().map(|e| e.file_name()).collect();
    assert!(left.is_empty(), "no half backup, no temporary file: {left:?}");
    // An import that changes nothing needs no backup: the same rows sent again go through.
    let same = roster(&t.path().join("files2"), 10);
    let r = run(&["--db", db.to_str().unwrap(), "--format", "json", "import", same.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{} {}", r.stdout, r.stderr);
    assert_eq!(r.json()["summary"]["unchanged"], 10, "{}", r.stdout);
    assert_eq!(count(&db).0, before.0);
    let before = count(&db); // (the batch's own bookkeeping event was added)
                             // One that changes the ledger needs its backup before the first change: refused with the same
                             // clear message, nothing written.
    let new = t.path().join("files2").join("roster-realistic-10.xlsx");
    let r = run(&["--db", db.to_str().unwrap(), "--format", "json", "import", new.to_str().unwrap()]);
    assert_eq!(r.error_code(), "disk_full", "{} {}", r.stdout, r.stderr);
    assert_eq!(count(&db), before);
    check_ok(&db);
}

#[test]
fn read_only_folder_refuses_writes_clearly_and_still_reads() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("ro");
    let fs = mount_or_skip!(&dir, "16m");
    let db = init_db(&dir);
    let file = roster(&t.path().join("files"), 20);
    let r = run(&["--db", db.to_str().unwrap(), "--format", "json", "import", file.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let before = std::fs::read(&db).unwrap();
    fs.remount("ro");

    let r = run(&["--db", db.to_str().unwrap(), "--format", "json", "enterprise", "add", "--uscc", "914403001922038216", "--name", "只读测试"]);
    assert_eq!(r.code, 3, "{} {}", r.stdout, r.stderr);
    assert_eq!(r.error_code(), "database_read_only", "{}", r.stdout);
    assert!(r.error_message().contains("只读"), "{}", r.error_message());
    // Read-only mode: lists, exports elsewhere, checks and backups to another disk still work.
    let r = run(&["--db", db.to_str().unwrap(), "--format", "json", "enterprise", "list"]);
    assert_eq!(r.code, 0, "{} {}", r.stdout, r.stderr);
    assert_eq!(r.json()["total"].as_i64().or_else(|| r.json()["rows"].as_array().map(|a| a.len() as i64)), Some(20), "{}", r.stdout);
    check_ok(&db);
    fs.remount("rw");
    assert_eq!(std::fs::read(&db).unwrap(), before, "the file was not touched");
}

#[test]
fn read_only_database_file_refuses_writes_clearly_and_still_reads() {
    let t = tempfile::tempdir().unwrap();
    let db = init_db(t.path());
    let file = roster(&t.path().join("files"), 20);
    let r = run(&["--db", db.to_str().unwrap(), "import", file.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let o = Command::new("chattr").arg("+i").arg(&db).output();
    match o {
        Ok(o) if o.status.success() => {}
        other => {
            println!("SKIP: cannot make the file immutable here (chattr +i: {other:?})");
            return;
        }
    }
    struct Unfreeze(PathBuf);
    impl Drop for Unfreeze {
        fn drop(&mut self) {
            let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
        }
    }
    let _guard = Unfreeze(db.clone());
    let before = std::fs::read(&db).unwrap();
    let r = run(&["--db", db.to_str().unwrap(), "--format", "json", "enterprise", "add", "--uscc", "914403001922038216", "--name", "只读测试"]);
    assert_eq!(r.code, 3, "{} {}", r.stdout, r.stderr);
    assert_eq!(r.error_code(), "database_read_only", "{}", r.stdout);
    let r = run(&["--db", db.to_str().unwrap(), "--format", "json", "enterprise", "list"]);
    assert_eq!(r.code, 0, "{} {}", r.stdout, r.stderr);
    check_ok(&db);
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

fn notice_ready_db(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let db = dir.join("huiqi.db");
    assert_eq!(run(&["--db", db.to_str().unwrap(), "init", "--demo"]).code, 0);
    let r = run(&["--db", db.to_str().unwrap(), "--format", "json", "reward", "confirm", "--all"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    drop(Db::open_rw(&db).unwrap()); // the weekly full check, out of the way; closed: one file
    db
}

fn issued(db: &Path) -> i64 {
    let r = run(&["--db", db.to_str().unwrap(), "--format", "json", "notice", "register"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            assert!(p["gaps"].as_array().unwrap().is_empty(), "a gap in the register: {p}");
            p["issued"].as_i64().unwrap()
        })
        .sum()
}

#[test]
fn disk_full_while_issuing_notices_takes_no_number_and_a_full_output_folder_loses_no_notice() {
    let t = tempfile::tempdir().unwrap();
    let tpl = notice_ready_db(&t.path().join("tpl"));

    // 1. The database's own disk is full: the PDFs (stored in the database) cannot be written.
    let small = t.path().join("small");
    let kb = std::fs::metadata(&tpl).unwrap().len() / 1024 + 160;
    let _fs = mount_or_skip!(&small, &format!("{kb}k"));
    let db = small.join("huiqi.db");
    std::fs::copy(&tpl, &db).unwrap();
    let before = count(&db);
    let r = run(&["--db", db.to_str().unwrap(), "--format", "json", "notice", "batch", "--out", t.path().join("all.pdf").to_str().unwrap()]);
    assert_ne!(r.code, 0, "seven notices of ≈57 KB cannot fit in {kb} KB");
    assert_eq!(r.error_code(), "disk_full", "{} {}", r.stdout, r.stderr);
    assert!(r.error_message().contains("磁盘已满"), "{}", r.error_message());
    assert_eq!(issued(&db), 0, "no number taken");
    assert_eq!(count(&db), before, "nothing in the journal");
    assert!(!t.path().join("all.pdf").exists());
    check_ok(&db);

    // 2. Only the folder of the combined PDF is full: the notices are issued and stored; the
    //    message says so and how to reprint; no half file is left; a reprint works once there is room.
    let db = t.path().join("ok").join("huiqi.db");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    std::fs::copy(&tpl, &db).unwrap();
    let out = t.path().join("usb");
    let usb = mount_or_skip!(&out, "64k");
    let r = run(&["--db", db.to_str().unwrap(), "--format", "json", "notice", "batch", "--out", out.join("all.pdf").to_str().unwrap()]);
    assert_eq!(r.code, 1, "{} {}", r.stdout, r.stderr);
    assert_eq!(r.error_code(), "disk_full", "{} {}", r.stdout, r.stderr);
    let msg = r.error_message();
    assert!(msg.contains("已发文") && msg.contains("未能写入") && msg.contains("重印"), "{msg}");
    let numbers: Vec<String> = r.json()["error"]["details"]["issued"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    assert_eq!(numbers.len() as i64, issued(&db));
    assert!(!numbers.is_empty());
    let left: Vec<_> = std::fs::read_dir(&out).unwrap().flatten().map(|e| e.file_name()).collect();
    assert!(left.is_empty(), "no half PDF: {left:?}");
    usb.remount("size=8m");
    let p = out.join("first.pdf");
    let r = run(&["--db", db.to_str().unwrap(), "--format", "json", "notice", "reprint", &numbers[0], "--out", p.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(std::fs::read(&p).unwrap().starts_with(b"%PDF-"));
    check_ok(&db);
}
