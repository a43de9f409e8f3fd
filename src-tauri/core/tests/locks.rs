//! One writer: the OS file lock is held by a live process only. A writer killed with SIGKILL
//! leaves its lock file (and its text) behind, and the next writer takes over at once.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use huiqi_core::enterprise::{self, EnterpriseInput};
use huiqi_core::store::Db;

const CHILD_ENV: &str = "HUIQI_LOCK_TEST_CHILD_DB";

/// Run in a child process (this same test binary): open for writing, write, say so, then hang.
#[test]
fn child_holds_the_writer_lock() {
    let Some(path) = std::env::var_os(CHILD_ENV) else { return };
    let mut db = Db::open_rw(Path::new(&path)).unwrap();
    let _ = enterprise::create(&mut db, &EnterpriseInput { uscc: "914403001922038216".into(), name: "子进程写入".into(), ..Default::default() });
    println!("HOLDING pid={}", std::process::id());
    std::thread::sleep(Duration::from_secs(120));
}

/// The child is the caller's: it kills and reaps it (the test is about what that leaves behind).
#[allow(clippy::zombie_processes)]
fn spawn_holder(db: &Path) -> (std::process::Child, u32) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_holds_the_writer_lock", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let start = Instant::now();
    loop {
        let line = lines.next().expect("child output").unwrap();
        // libtest may print its own text on the same line.
        if let Some(i) = line.find("HOLDING pid=") {
            let pid: String = line[i + 12..].chars().take_while(|c| c.is_ascii_digit()).collect();
            return (child, pid.parse().unwrap());
        }
        assert!(start.elapsed() < Duration::from_secs(60), "child did not start");
    }
}

#[test]
fn a_writer_killed_with_sigkill_leaves_a_stale_lock_that_is_taken_over() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("huiqi.db");
    drop(Db::open_rw(&p).unwrap());
    let (mut child, pid) = spawn_holder(&p);

    // While it lives: refused, and the message names the holder.
    let e = Db::open_rw(&p).unwrap_err();
    assert_eq!(e.code(), "database_locked");
    let msg = e.message(huiqi_core::Lang::Zh);
    assert!(msg.contains(&format!("pid {pid}")), "{msg}");
    assert!(msg.contains("请先关闭它"), "{msg}");
    assert_eq!(e.exit_code(), 3);
    // Readers are not blocked by the writer.
    let r = Db::open(&p, huiqi_core::store::OpenOptions { mode: huiqi_core::store::Mode::Read, ..Default::default() }).unwrap();
    assert_eq!(enterprise::count(&r).unwrap(), 1);
    drop(r);

    // SIGKILL: no destructor runs, the lock file keeps the dead holder's text.
    child.kill().unwrap();
    child.wait().unwrap();
    let lock_text = std::fs::read_to_string(t.path().join("huiqi.db.lock")).unwrap();
    assert!(lock_text.contains(&format!("pid {pid}")), "stale text left behind: {lock_text:?}");

    // The OS released the lock with the process: the next writer opens at once.
    let start = Instant::now();
    let mut db = Db::open_rw(&p).expect("stale lock taken over");
    assert!(start.elapsed() < Duration::from_secs(2));
    assert_eq!(enterprise::count(&db).unwrap(), 1, "the killed writer's committed change is there");
    assert!(db.check().unwrap().ok);
    enterprise::create(&mut db, &EnterpriseInput { uscc: "91440300708461136T".into(), name: "接管后写入".into(), ..Default::default() }).unwrap();
    let now_text = std::fs::read_to_string(t.path().join("huiqi.db.lock")).unwrap();
    assert!(now_text.contains(&format!("pid {}", std::process::id())), "{now_text:?}");
}

#[test]
fn waiting_for_the_lock_gives_up_after_the_wait() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("huiqi.db");
    let _holder = Db::open_rw(&p).unwrap();
    let start = Instant::now();
    let e = Db::open(&p, huiqi_core::store::OpenOptions { lock_wait: Duration::from_millis(400), ..Default::default() }).unwrap_err();
    assert_eq!(e.code(), "database_locked");
    assert!(start.elapsed() >= Duration::from_millis(400) && start.elapsed() < Duration::from_secs(3));
}

#[test]
fn restore_and_recovery_refuse_while_another_process_writes() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("huiqi.db");
    let mut db = Db::open_rw(&p).unwrap();
    huiqi_core::demo::load(&mut db).unwrap();
    let b = huiqi_core::backup::create(&db, huiqi_core::backup::BackupKind::Manual).unwrap().backup;
    drop(db);
    let (mut child, _) = spawn_holder(&p);
    let e = huiqi_core::backup::restore(&p, Path::new(&b.path)).unwrap_err();
    assert_eq!(e.code(), "database_locked");
    assert_eq!(huiqi_core::backup::set_aside(&p).unwrap_err().code(), "database_locked");
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(huiqi_core::backup::restore(&p, Path::new(&b.path)).is_ok());
}
