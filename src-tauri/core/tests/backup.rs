//! Backups, retention, restore and recovery from a damaged database, end to end on real files.

use std::path::{Path, PathBuf};

use huiqi_core::backup::{self, BackupFolder, BackupKind};
use huiqi_core::enterprise::{self, EnterpriseInput};
use huiqi_core::import::{self, ImportOptions};
use huiqi_core::progress::NoProgress;
use huiqi_core::store::{self, Conn, Db};
use rusqlite::Connection;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/park-sheets")
}

/// A database with the demo data set (52 enterprises).
fn demo_db(dir: &Path) -> (PathBuf, Db) {
    let p = dir.join("huiqi.db");
    let mut db = Db::open_rw(&p).unwrap();
    huiqi_core::demo::load(&mut db).unwrap();
    (p, db)
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir).map(|rd| rd.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect()).unwrap_or_default();
    v.sort();
    v
}

fn add(db: &mut Db, uscc: &str, name: &str) {
    enterprise::create(db, &EnterpriseInput { uscc: uscc.into(), name: name.into(), ..Default::default() }).unwrap();
}

#[test]
fn a_backup_is_a_checked_single_file_named_by_time_and_kind() {
    let t = tempfile::tempdir().unwrap();
    let (p, db) = demo_db(t.path());
    let n = enterprise::count(&db).unwrap();
    let r = backup::create(&db, BackupKind::Manual).unwrap();
    let dir = t.path().join("backups");
    assert_eq!(names(&dir), vec![r.backup.file_name.clone()], "one file, no temporary or journal left");
    let (at, kind) = backup::parse_file_name(&r.backup.file_name).unwrap();
    assert_eq!(kind, BackupKind::Manual);
    assert!((chrono::Utc::now() - at).num_seconds().abs() < 60);
    assert_eq!(r.backup.counts.enterprises, Some(n));
    assert!(r.backup.counts.certifications.unwrap() > 0);
    assert_eq!(r.backup.counts.notices, Some(0), "no notice issued yet");
    assert_eq!(r.backup.schema_version, store::migrations::latest());
    assert_eq!(r.foreign_key_violations, 0);
    assert!(r.backup.problem.is_none());
    // A self-contained rollback-journal file: readable on its own, sound, journal intact.
    let c = Connection::open(&r.backup.path).unwrap();
    let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "delete");
    let ok: String = c.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(ok, "ok");
    assert!(store::audit::verify_chain(Conn::over(&c)).unwrap().ok);
    let last: i64 = c.query_row("SELECT max(id) FROM audit_event", [], |r| r.get(0)).unwrap();
    assert_eq!(last, r.backup.last_event_id);
    // Listed with the same facts.
    let l = backup::list(&p).unwrap();
    assert_eq!(l.len(), 1);
    assert_eq!(l[0], r.backup);
    assert_eq!(backup::latest(&p).unwrap().unwrap().file_name, r.backup.file_name);
}

#[test]
fn list_is_newest_first_and_shows_a_damaged_file_without_offering_it() {
    let t = tempfile::tempdir().unwrap();
    let (p, mut db) = demo_db(t.path());
    let a = backup::create(&db, BackupKind::Periodic).unwrap().backup;
    add(&mut db, "914403001922038216", "新增企业一");
    let b = backup::create(&db, BackupKind::Exit).unwrap().backup;
    assert_eq!(b.counts.enterprises.unwrap(), a.counts.enterprises.unwrap() + 1);
    assert!(b.last_event_id > a.last_event_id);
    // A file that only looks like a backup.
    let fake = t.path().join("backups").join("huiqi-20200101T000000.000Z-manual.db");
    std::fs::write(&fake, b"not a database at all, just some text that is long enough..........").unwrap();
    // Files that are not backups are ignored.
    std::fs::write(t.path().join("backups").join("notes.txt"), b"x").unwrap();
    std::fs::write(t.path().join("backups").join(format!(".{}.123.tmp", b.file_name)), b"half").unwrap();
    let l = backup::list(&p).unwrap();
    assert_eq!(
        l.iter().map(|x| x.file_name.as_str()).collect::<Vec<_>>(),
        vec![b.file_name.as_str(), a.file_name.as_str(), "huiqi-20200101T000000.000Z-manual.db"]
    );
    assert!(l[2].problem.is_some(), "{:?}", l[2]);
    let e = backup::verify(&fake).unwrap_err();
    assert_eq!(e.code(), "backup_unusable", "{e}");
    assert!(e.message(huiqi_core::Lang::Zh).contains("huiqi-20200101T000000.000Z-manual.db"));
}

#[test]
fn second_folder_gets_a_copy_and_a_missing_drive_does_not_stop_the_backup() {
    let t = tempfile::tempdir().unwrap();
    let usb = tempfile::tempdir().unwrap();
    let (p, mut db) = demo_db(t.path());
    // Refusals: relative, missing, the primary folder itself.
    for bad in [PathBuf::from("relative/dir"), t.path().join("nope"), t.path().to_path_buf()] {
        let e = backup::set_second_folder(&mut db, Some(&bad)).unwrap_err();
        assert_eq!(e.code(), "backup_folder_unusable", "{bad:?}");
    }
    let s = backup::set_second_folder(&mut db, Some(usb.path())).unwrap();
    assert_eq!(s.second_folder.as_deref(), Some(usb.path().to_str().unwrap()));
    let r = backup::create(&db, BackupKind::Manual).unwrap();
    let copy = r.second_copy.clone().expect("copied to the second folder");
    assert_eq!(std::fs::read(&copy).unwrap(), std::fs::read(&r.backup.path).unwrap());
    assert_eq!(names(usb.path()), vec![r.backup.file_name.clone()]);
    // Listed once (the primary copy); a file only on the drive is listed from there.
    std::fs::remove_file(&r.backup.path).unwrap();
    let l = backup::list(&p).unwrap();
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].folder, BackupFolder::Second);
    assert_eq!(backup::locate(&p, &l[0].file_name).unwrap(), Path::new(&copy));
    // The drive is unplugged: the backup still works, the report says why the copy failed.
    drop(usb);
    let r = backup::create(&db, BackupKind::Manual).unwrap();
    assert!(r.second_copy.is_none());
    assert!(r.second_copy_error.unwrap().contains("不存在或未连接"));
    assert!(Path::new(&r.backup.path).exists());
    let s = backup::set_second_folder(&mut db, None).unwrap();
    assert_eq!(s.second_folder, None);
    // The change of setting is in the audit journal.
    let events = store::audit::events_for(Conn::over(&Connection::open(&p).unwrap()), "setting", "backup.second_folder").unwrap();
    assert_eq!(events.len(), 2);
}

#[test]
fn locate_only_finds_backup_names_in_backup_folders() {
    let t = tempfile::tempdir().unwrap();
    let (p, db) = demo_db(t.path());
    let b = backup::create(&db, BackupKind::Manual).unwrap().backup;
    assert_eq!(backup::locate(&p, &b.file_name).unwrap(), PathBuf::from(&b.path));
    for bad in ["../huiqi.db", "huiqi.db", "/etc/passwd", "huiqi-20990101T000000.000Z-manual.db", &format!("../backups/{}", b.file_name)] {
        assert_eq!(backup::locate(&p, bad).unwrap_err().code(), "not_found", "{bad}");
    }
}

#[test]
fn import_backs_up_first_unless_the_registry_is_empty() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("huiqi.db");
    let mut db = Db::open_rw(&p).unwrap();
    let file = fixtures().join("enterprises-roster.xlsx");
    import::commit(&mut db, &file, &ImportOptions::default(), &NoProgress).unwrap();
    assert!(backup::list(&p).unwrap().is_empty(), "an empty registry has nothing to lose");
    let before = enterprise::count(&db).unwrap();
    // A dry run does not back up; nor does a commit that changes nothing (the same file again:
    // every row unchanged, nothing to lose).
    import::analyze(&mut db, &file, &ImportOptions::default(), &NoProgress).unwrap();
    assert!(backup::list(&p).unwrap().is_empty());
    let again = import::commit(&mut db, &file, &ImportOptions::default(), &NoProgress).unwrap();
    assert_eq!(again.summary.unchanged, again.summary.accepted);
    assert!(backup::list(&p).unwrap().is_empty(), "nothing changed, nothing backed up");
    // A commit that changes one row is backed up before that change: the copy holds the ledger as
    // it was before the import (not the batch the import had begun to write).
    let last = backup::current_event_id(&db).unwrap();
    let row = again.rows.iter().rev().find(|r| r.record.is_some()).unwrap().row;
    let edit = ImportOptions { edits: vec![import::CellEdit { row, field: "contact_phone".into(), value: "13912345678".into() }], ..Default::default() };
    let changed = import::commit(&mut db, &file, &edit, &NoProgress).unwrap();
    assert_eq!(changed.summary.updated, 1, "{:?}", changed.summary);
    let l = backup::list(&p).unwrap();
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].kind, BackupKind::Import);
    assert_eq!(l[0].counts.enterprises, Some(before));
    assert_eq!(l[0].last_event_id, last, "the state just before the import");
}

#[test]
fn an_import_whose_backup_fails_changes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("huiqi.db");
    let mut db = Db::open_rw(&p).unwrap();
    let file = fixtures().join("enterprises-roster.xlsx");
    let first = import::commit(&mut db, &file, &ImportOptions::default(), &NoProgress).unwrap();
    // The backup folder cannot be made (a file holds its name): the deferred backup fails at the
    // first change, and the import with it — nothing of it is kept.
    std::fs::write(t.path().join("backups"), b"not a folder").unwrap();
    let last = backup::current_event_id(&db).unwrap();
    let row = first.rows.iter().find(|r| r.record.is_some()).unwrap().row;
    let edit = ImportOptions { edits: vec![import::CellEdit { row, field: "contact_phone".into(), value: "13912345678".into() }], ..Default::default() };
    let err = import::commit(&mut db, &file, &edit, &NoProgress).unwrap_err();
    assert!(err.message(huiqi_core::Lang::Zh).contains("backups"), "{err:?}");
    assert_eq!(backup::current_event_id(&db).unwrap(), last, "the import was rolled back");
    let again = import::analyze(&mut db, &file, &edit, &NoProgress).unwrap();
    assert_eq!(again.summary.updated, 1, "the change is still to be made");
}

#[test]
fn migration_copy_goes_to_the_backups_folder() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("huiqi.db");
    let dump = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/schema/v1.sql")).unwrap();
    Connection::open(&p).unwrap().execute_batch(&dump).unwrap();
    let db = Db::open_rw(&p).unwrap();
    let copy = PathBuf::from(db.report.pre_migration_copy.clone().unwrap());
    assert_eq!(copy.parent().unwrap(), t.path().join("backups"));
    let l = backup::list(&p).unwrap();
    assert_eq!(l.len(), 1);
    assert_eq!(l[0].kind, BackupKind::Migration);
    assert_eq!(l[0].schema_version, 1);
    // An older backup can be restored (the app migrates it at the next open, backing it up again).
    drop(db);
    let r = backup::restore(&p, &copy).unwrap();
    assert_eq!(r.schema_version, 1);
    let db = Db::open_rw(&p).unwrap();
    assert_eq!(db.report.from_version, 1);
    assert!(db.check().unwrap().ok);
}

#[test]
fn periodic_backup_only_when_something_changed() {
    let t = tempfile::tempdir().unwrap();
    let (p, mut db) = demo_db(t.path());
    assert!(backup::due(&db, None).unwrap(), "never backed up, has data");
    let first = backup::create_if_changed(&db, BackupKind::Periodic).unwrap().expect("first backup");
    assert!(!backup::due(&db, Some(&first.backup)).unwrap());
    assert!(backup::create_if_changed(&db, BackupKind::Exit).unwrap().is_none(), "nothing changed");
    add(&mut db, "91440300708461136T", "新增企业二");
    assert!(!backup::due(&db, Some(&first.backup)).unwrap(), "changed, but not 15 minutes yet");
    let second = backup::create_if_changed(&db, BackupKind::Exit).unwrap().expect("changed since");
    assert_eq!(second.backup.kind, BackupKind::Exit);
    assert_eq!(backup::list(&p).unwrap().len(), 2);
}

/// Copy a real backup under names with made-up times.
fn fake_backups(dir: &Path, src: &Path, times: &[chrono::DateTime<chrono::Utc>]) {
    for at in times {
        std::fs::copy(src, dir.join(backup::file_name_for("huiqi", *at, BackupKind::Periodic))).unwrap();
    }
}

#[test]
fn prune_applies_the_retention_rule_and_clears_interrupted_leftovers() {
    let t = tempfile::tempdir().unwrap();
    let (p, db) = demo_db(t.path());
    let real = backup::create(&db, BackupKind::Manual).unwrap().backup;
    let dir = t.path().join("backups");
    let now = chrono::Utc::now();
    // 40 in the last 10 hours, one a day for 200 days, one every 10 days for 3 years.
    let mut times: Vec<_> = (1..=40).map(|i| now - chrono::Duration::minutes(15 * i)).collect();
    times.extend((1..=200).map(|d| now - chrono::Duration::days(d)));
    times.extend((21..=110).map(|d| now - chrono::Duration::days(10 * d)));
    fake_backups(&dir, Path::new(&real.path), &times);
    let stale = dir.join(format!(".{}.999.tmp", real.file_name));
    let fresh = dir.join(format!(".{}.998.tmp", real.file_name));
    std::fs::write(&stale, b"interrupted").unwrap();
    std::fs::write(&fresh, b"in progress").unwrap();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    std::fs::File::options().write(true).open(&stale).unwrap().set_modified(old).unwrap();

    let before = backup::list(&p).unwrap();
    let expected = {
        let local: Vec<chrono::NaiveDateTime> =
            before.iter().map(|b| backup::parse_file_name(&b.file_name).unwrap().0.with_timezone(&chrono::Local).naive_local()).collect();
        backup::retention(&local, chrono::Local::now().naive_local()).iter().filter(|k| **k).count() as u64
    };
    let r = backup::prune(&p).unwrap();
    assert_eq!(r.kept, expected);
    assert_eq!(r.removed.len() as u64 + r.kept, before.len() as u64);
    assert_eq!(r.stale_temp_files, 1);
    assert!(!stale.exists() && fresh.exists(), "only old leftovers are removed");
    let after = backup::list(&p).unwrap();
    assert_eq!(after.len() as u64, r.kept);
    assert!(after.iter().any(|b| b.file_name == real.file_name), "the newest stays");
    // About: 24 newest + ~90 days + ~one per month for 3 years.
    assert!((24 + 85..=24 + 91 + 40).contains(&after.len()), "{}", after.len());
    // Pruning again changes nothing.
    assert!(backup::prune(&p).unwrap().removed.is_empty());
}

#[test]
fn restore_saves_the_current_database_first_and_puts_the_backup_in_place() {
    let t = tempfile::tempdir().unwrap();
    let (p, mut db) = demo_db(t.path());
    let n0 = enterprise::count(&db).unwrap();
    let b = backup::create(&db, BackupKind::Manual).unwrap().backup;
    add(&mut db, "91110108551385082Q", "备份之后新增的企业");
    // The app holds the database: refused, nothing touched.
    let e = backup::restore(&p, Path::new(&b.path)).unwrap_err();
    assert_eq!(e.code(), "database_locked", "{e}");
    assert_eq!(enterprise::count(&db).unwrap(), n0 + 1);
    drop(db); // the app closes its connection first

    let r = backup::restore(&p, Path::new(&b.path)).unwrap();
    assert_eq!(r.integrity_check, "ok");
    assert_eq!(r.restored.file_name, b.file_name);
    let safety = r.safety_backup.expect("the current database is saved first");
    assert_eq!(safety.kind, BackupKind::Restore);
    assert_eq!(safety.counts.enterprises, Some(n0 + 1), "the safety copy holds the later change");
    assert!(!Path::new(&format!("{}-wal", p.display())).exists() || std::fs::metadata(format!("{}-wal", p.display())).unwrap().len() == 0);
    let mut db = Db::open_rw(&p).unwrap();
    assert_eq!(enterprise::count(&db).unwrap(), n0);
    assert!(enterprise::find(&db, "91110108551385082Q").is_err());
    assert!(db.check().unwrap().ok);
    // And back again: restoring the safety copy brings the change back.
    add(&mut db, "914403001922038216", "恢复后新增");
    drop(db);
    backup::restore(&p, Path::new(&safety.path)).unwrap();
    let db = Db::open_rw(&p).unwrap();
    assert!(enterprise::find(&db, "91110108551385082Q").is_ok());
    assert!(enterprise::find(&db, "914403001922038216").is_err());
}

#[test]
fn restore_refuses_newer_damaged_tampered_and_foreign_files_and_changes_nothing() {
    let t = tempfile::tempdir().unwrap();
    let (p, db) = demo_db(t.path());
    let b = backup::create(&db, BackupKind::Manual).unwrap().backup;
    drop(db);
    let dir = t.path().join("backups");
    let original = std::fs::read(&p).unwrap();

    let newer = dir.join("huiqi-20300101T000000.000Z-manual.db");
    std::fs::copy(&b.path, &newer).unwrap();
    Connection::open(&newer).unwrap().execute_batch(&format!("PRAGMA user_version = {}", store::migrations::latest() + 1)).unwrap();
    let e = backup::restore(&p, &newer).unwrap_err();
    assert_eq!(e.code(), "backup_too_new", "{e}");
    assert!(e.message(huiqi_core::Lang::Zh).contains("升级"));

    let damaged = dir.join("huiqi-20300102T000000.000Z-manual.db");
    let mut bytes = std::fs::read(&b.path).unwrap();
    let page = 4096;
    for i in (page * 3)..(page * 6).min(bytes.len()) {
        bytes[i] = (i % 251) as u8;
    }
    std::fs::write(&damaged, &bytes).unwrap();
    let e = backup::restore(&p, &damaged).unwrap_err();
    assert!(["backup_integrity_failed", "backup_unusable"].contains(&e.code()), "{e:?}");

    let tampered = dir.join("huiqi-20300103T000000.000Z-manual.db");
    std::fs::copy(&b.path, &tampered).unwrap();
    {
        let c = Connection::open(&tampered).unwrap();
        c.execute_batch("DROP TRIGGER audit_event_no_update; UPDATE audit_event SET actor = 'forger' WHERE id = 3;").unwrap();
    }
    let e = backup::restore(&p, &tampered).unwrap_err();
    assert_eq!(e.code(), "backup_unusable");
    assert!(e.message(huiqi_core::Lang::Zh).contains("第 3 条"), "{}", e.message(huiqi_core::Lang::Zh));

    let foreign = dir.join("huiqi-20300104T000000.000Z-manual.db");
    Connection::open(&foreign).unwrap().execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
    assert_eq!(backup::restore(&p, &foreign).unwrap_err().code(), "backup_unusable");

    assert_eq!(backup::restore(&p, &dir.join("missing.db")).unwrap_err().code(), "not_found");
    assert_eq!(std::fs::read(&p).unwrap(), original, "the database is untouched by refused restores");
    assert_eq!(backup::list(&p).unwrap().iter().filter(|b| b.kind == BackupKind::Restore).count(), 0, "no safety copy for a refused restore");
}

/// Overwrite a few pages in the middle of a closed database so that quick_check fails.
fn damage(p: &Path) {
    let mut bytes = std::fs::read(p).unwrap();
    let page = 4096;
    assert!(bytes.len() > page * 12, "{}", bytes.len());
    for (i, b) in bytes.iter_mut().enumerate().take(page * 10).skip(page * 4) {
        *b = (i * 7 % 253) as u8;
    }
    std::fs::write(p, &bytes).unwrap();
}

#[test]
fn a_damaged_database_opens_nothing_and_recovers_from_the_newest_good_backup() {
    let t = tempfile::tempdir().unwrap();
    let (p, mut db) = demo_db(t.path());
    let old = backup::create(&db, BackupKind::Periodic).unwrap().backup;
    add(&mut db, "91110108551385082Q", "第二个备份里才有");
    let good = backup::create(&db, BackupKind::Periodic).unwrap().backup;
    add(&mut db, "914403001922038216", "备份之后的改动");
    drop(db);
    // The newest backup is damaged too (a bad sector on the backup disk).
    let bad = t.path().join("backups").join(backup::file_name_for("huiqi", chrono::Utc::now() + chrono::Duration::seconds(1), BackupKind::Exit));
    let mut bytes = std::fs::read(&good.path).unwrap();
    bytes[4096 * 3..4096 * 8].fill(0x5a);
    std::fs::write(&bad, bytes).unwrap();

    damage(&p);
    let before = std::fs::read(&p).unwrap();
    let e = Db::open_rw(&p).unwrap_err();
    assert_eq!(e.code(), "database_corrupt", "{e:?}");
    assert!(e.message(huiqi_core::Lang::Zh).contains("备份"));
    assert_eq!(std::fs::read(&p).unwrap(), before, "nothing written to the damaged file");

    let plan = backup::recover(&p).unwrap();
    assert!(plan.damaged, "{plan:?}");
    assert!(plan.problem.is_some());
    assert_eq!(plan.rejected.len(), 1, "the damaged newest backup is skipped: {:?}", plan.rejected);
    let c = plan.candidate.clone().unwrap();
    assert_eq!(c.file_name, good.file_name);
    assert_ne!(c.file_name, old.file_name);
    assert_eq!(plan.loss.since.as_deref(), Some(good.created_at.as_str()));
    if plan.loss.known {
        assert_eq!(plan.loss.events_after_backup, Some(1), "{:?}", plan.loss);
        assert_eq!(plan.loss.changes[0].entity, "enterprise");
    }
    assert_eq!(std::fs::read(&p).unwrap(), before, "recover only plans");

    let r = backup::restore_for_recovery(&p, Path::new(&c.path)).unwrap();
    let aside = PathBuf::from(r.damaged_file.clone().unwrap());
    assert!(aside.file_name().unwrap().to_string_lossy().starts_with("huiqi.db.corrupt-"));
    assert_eq!(std::fs::read(&aside).unwrap(), before, "the damaged file is kept as it was");
    let db = Db::open_rw(&p).unwrap();
    assert!(enterprise::find(&db, "91110108551385082Q").is_ok());
    assert!(enterprise::find(&db, "914403001922038216").is_err(), "the change after the backup is lost, as the plan said");
    assert!(db.check().unwrap().ok);
    drop(db);
    // A healthy database is not "recovered".
    let e = backup::restore_for_recovery(&p, Path::new(&c.path)).unwrap_err();
    assert_eq!(e.code(), "database_not_damaged");
    assert!(!backup::recover(&p).unwrap().damaged);
}

/// A damaged file is set aside with everything SQLite keeps beside it: a rollback journal left
/// there (a bulk import cut off) would otherwise be played into the backup put in its place.
#[test]
fn a_damaged_file_is_set_aside_with_its_journal_and_wal() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("huiqi.db");
    let beside = |p: &Path, s: &str| PathBuf::from(format!("{}{s}", p.display()));
    std::fs::write(&p, b"damaged").unwrap();
    std::fs::write(beside(&p, "-journal"), b"journal").unwrap();
    std::fs::write(beside(&p, "-wal"), b"wal").unwrap();
    let aside = backup::set_aside(&p).unwrap().unwrap();
    for (suffix, bytes) in [("", &b"damaged"[..]), ("-journal", b"journal"), ("-wal", b"wal")] {
        assert!(!beside(&p, suffix).exists(), "{suffix} left in place");
        assert_eq!(std::fs::read(beside(&aside, suffix)).unwrap(), bytes, "{suffix} kept beside the damaged file");
    }
}

#[test]
fn a_missing_database_with_backups_can_be_recovered() {
    let t = tempfile::tempdir().unwrap();
    let (p, db) = demo_db(t.path());
    let b = backup::create(&db, BackupKind::Manual).unwrap().backup;
    drop(db);
    std::fs::remove_file(&p).unwrap();
    let plan = backup::recover(&p).unwrap();
    assert!(plan.damaged);
    assert_eq!(plan.candidate.unwrap().file_name, b.file_name);
    let r = backup::restore_for_recovery(&p, Path::new(&b.path)).unwrap();
    assert!(r.damaged_file.is_none());
    assert_eq!(enterprise::count(&Db::open_rw(&p).unwrap()).unwrap(), b.counts.enterprises.unwrap());
}

#[test]
fn weekly_full_check_runs_when_due_and_catches_what_quick_check_does_not() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("huiqi.db");
    drop(Db::open_rw(&p).unwrap());
    let last = |p: &Path| -> Option<String> {
        Connection::open(p).unwrap().query_row("SELECT value FROM setting WHERE key = 'check.last_full'", [], |r| r.get(0)).ok()
    };
    assert_eq!(last(&p), None, "a new database is not checked at creation");
    drop(Db::open_rw(&p).unwrap());
    let first = last(&p).expect("checked at the next open");
    drop(Db::open_rw(&p).unwrap());
    assert_eq!(last(&p).unwrap(), first, "not again within the week");

    // A foreign-key violation: quick_check does not see it, the full check does.
    {
        let c = Connection::open(&p).unwrap();
        c.execute_batch("PRAGMA foreign_keys = OFF; INSERT INTO import_batch_item (batch_id, row, uscc, name, action, entity) VALUES (999, 1, 'x', 'y', 'new', 'enterprise');").unwrap();
    }
    let db = Db::open_rw(&p).expect("not due: opens");
    assert!(!db.check().unwrap().ok);
    drop(db);
    {
        let c = Connection::open(&p).unwrap();
        let week_ago = (chrono::Utc::now() - chrono::Duration::days(8)).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
        c.execute("UPDATE setting SET value = ?1 WHERE key = 'check.last_full'", [week_ago]).unwrap();
    }
    let e = Db::open_rw(&p).unwrap_err();
    assert_eq!(e.code(), "database_corrupt");
    assert!(e.to_string().contains("foreign_key_check"), "{e}");
    // Readers still open (to look, export, back up).
    assert!(Db::open(&p, store::OpenOptions { mode: store::Mode::Read, ..Default::default() }).is_ok());
}

#[test]
fn a_disk_error_during_backup_leaves_no_file_and_the_database_unchanged() {
    // The backup folder is a file: creating the folder fails cleanly.
    let t = tempfile::tempdir().unwrap();
    let (p, db) = demo_db(t.path());
    std::fs::write(t.path().join("backups"), b"in the way").unwrap();
    let before = enterprise::count(&db).unwrap();
    let e = backup::create(&db, BackupKind::Manual).unwrap_err();
    assert_eq!(e.code(), "file_error", "{e:?}");
    assert!(e.message(huiqi_core::Lang::Zh).contains("backups"));
    assert_eq!(enterprise::count(&db).unwrap(), before);
    assert!(db.check().unwrap().ok);
    let _ = p;
}
