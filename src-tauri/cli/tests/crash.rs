//! Crash tests: start a large import (or a backup) in a real `huiqi` process and SIGKILL it at a
//! random moment, CRASH_RUNS times (default 10; tests/crash/run.sh runs 200). After every kill:
//! `huiqi check` passes (integrity, foreign keys, audit chain), the batch is all there or absent,
//! the import bookkeeping agrees with the registry, every listed backup is whole, and the next
//! writer takes the stale lock over at once.
//!
//! Env: CRASH_RUNS (default 10), CRASH_ROWS (rows of the generated roster, default 20000),
//! CRASH_SEED (default: from the clock; printed so a failure can be replayed).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use huiqi_core::store::{query_one_i64, Db, Mode, OpenOptions};

fn env_num(k: &str, default: u64) -> u64 {
    std::env::var(k).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// xorshift64*: enough randomness for kill times, replayable from the printed seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn seed() -> u64 {
    let clock = || std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    std::env::var("CRASH_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or_else(clock) | 1
}

fn copy_db(from: &Path, to_dir: &Path) -> PathBuf {
    std::fs::create_dir_all(to_dir).unwrap();
    let to = to_dir.join("huiqi.db");
    std::fs::copy(from, &to).unwrap();
    to
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct State {
    enterprises: i64,
    batches: i64,
    events: i64,
}

fn state(db: &Path) -> State {
    let d = Db::open(db, OpenOptions { mode: Mode::Read, ..Default::default() }).unwrap();
    State {
        enterprises: query_one_i64(&d, "SELECT count(*) FROM enterprise").unwrap(),
        batches: query_one_i64(&d, "SELECT count(*) FROM import_batch").unwrap(),
        events: query_one_i64(&d, "SELECT count(*) FROM audit_event").unwrap(),
    }
}

/// A template database: initialised, optionally with a first small batch so that every later
/// import takes a backup first.
fn template(dir: &Path, with_data: bool) -> PathBuf {
    let db = init_db(dir);
    if with_data {
        let f = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/park-sheets/enterprises-roster.xlsx");
        let r = run(&["--db", db.to_str().unwrap(), "--format", "json", "import", f.to_str().unwrap()]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    // The first writer records the weekly full check: done here, not in the killed runs.
    drop(Db::open_rw(&db).unwrap());
    // Closed cleanly: one file, no WAL.
    db
}

fn check_ok(db: &Path) {
    let r = run(&["--db", db.to_str().unwrap(), "--format", "json", "check"]);
    assert_eq!(r.code, 0, "huiqi check failed after a kill: {}", r.stdout);
    let j = r.json();
    assert_eq!(j["ok"], true);
    assert_eq!(j["integrity_check"], "ok");
    assert_eq!(j["audit"]["ok"], true);
}

/// Every backup under a final name is whole (each verified once); returns leftover temporary files.
fn check_backups(db: &Path, verified: &mut std::collections::HashSet<String>) -> usize {
    let r = run(&["--db", db.to_str().unwrap(), "--format", "json", "backup", "list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for b in r.json().as_array().unwrap() {
        assert!(b["problem"].is_null(), "a listed backup is damaged: {b}");
        if !verified.insert(b["path"].as_str().unwrap().to_string()) {
            continue;
        }
        let v = huiqi_core::backup::verify(Path::new(b["path"].as_str().unwrap()));
        assert!(v.is_ok(), "backup {} fails verification: {:?}", b["file_name"], v.err());
    }
    let dir = db.parent().unwrap().join("backups");
    std::fs::read_dir(&dir).map(|rd| rd.flatten().filter(|e| e.file_name().to_string_lossy().starts_with('.')).count()).unwrap_or(0)
}

#[test]
fn kill_9_during_import_leaves_the_batch_all_there_or_absent() {
    let runs = env_num("CRASH_RUNS", 10);
    let rows = env_num("CRASH_ROWS", 20_000);
    let seed = seed();
    let mut rng = Rng(seed);
    let t = tempfile::tempdir().unwrap();
    let files = t.path().join("files");
    let r = run(&["--format", "json", "bench", "gen-import", "--rows", &rows.to_string(), files.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let inputs = [PathBuf::from(r.json()["xlsx"].as_str().unwrap()), PathBuf::from(r.json()["csv_gbk"].as_str().unwrap())];

    let templates = [template(&t.path().join("tpl-empty"), false), template(&t.path().join("tpl-data"), true)];
    // Reference runs: what a complete import adds, and how long it takes.
    let mut full = Vec::new();
    let mut longest = Duration::ZERO;
    for (ti, tpl) in templates.iter().enumerate() {
        for (fi, input) in inputs.iter().enumerate() {
            let db = copy_db(tpl, &t.path().join(format!("ref-{ti}-{fi}")));
            let before = state(&db);
            let r = run(&["--db", db.to_str().unwrap(), "--format", "json", "import", input.to_str().unwrap()]);
            assert_eq!(r.code, 0, "{}", r.stderr);
            let j = r.json();
            let accepted = j["summary"]["accepted"].as_i64().unwrap();
            let new = j["summary"]["new"].as_i64().unwrap();
            assert!(accepted > 0 && new > 0);
            let after = state(&db);
            assert_eq!(after.enterprises, before.enterprises + new);
            assert_eq!(after.batches, before.batches + 1);
            longest = longest.max(r.elapsed);
            full.push((before, after, accepted));
        }
    }
    println!("crash test: seed {seed}, {runs} runs, {rows} rows, a complete import takes up to {:.2} s", longest.as_secs_f64());

    let (mut absent, mut present, mut leftovers, mut hot) = (0, 0, 0, 0);
    for i in 0..runs {
        let ti = (i % 2) as usize;
        let fi = ((i / 2) % 2) as usize;
        let (before, after, accepted) = full[ti * 2 + fi];
        let dir = t.path().join(format!("run-{i}"));
        let db = copy_db(&templates[ti], &dir);
        // Kill anywhere from the start to a little past the usual end.
        let at = Duration::from_millis(rng.below(longest.as_millis() as u64 * 11 / 10 + 1));
        let mut child = Command::new(huiqi())
            .args(["--db", db.to_str().unwrap(), "--format", "json", "import", inputs[fi].to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(at);
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        // A bulk import writes with a rollback journal: killed then, it leaves the journal for the
        // next writer to roll back (`huiqi check` below is a reader that opens as a writer for it).
        if std::fs::metadata(dir.join("huiqi.db-journal")).is_ok_and(|m| m.len() > 0) {
            hot += 1;
        }

        check_ok(&db);
        let s = state(&db);
        if s.enterprises == before.enterprises {
            assert_eq!(s.batches, before.batches, "run {i} (seed {seed}): no enterprise added but a batch recorded");
            assert_eq!(s.events, before.events, "run {i}: journal changed without the batch");
            absent += 1;
        } else {
            assert_eq!(s, after, "run {i} (seed {seed}, kill at {at:?}): a partial batch: {s:?}, expected {before:?} or {after:?}");
            let d = Db::open(&db, OpenOptions { mode: Mode::Read, ..Default::default() }).unwrap();
            let items = query_one_i64(&d, "SELECT count(*) FROM import_batch_item WHERE batch_id = (SELECT max(id) FROM import_batch)").unwrap();
            assert_eq!(items, accepted, "run {i}: the batch lists every accepted row");
            let finished = query_one_i64(&d, "SELECT count(*) FROM import_batch WHERE summary_json LIKE '%accepted%'").unwrap();
            assert_eq!(finished, s.batches, "run {i}: every batch has its summary");
            present += 1;
        }
        leftovers += check_backups(&db, &mut Default::default());
        // The killed writer's lock is taken over at once.
        let t0 = Instant::now();
        drop(Db::open_rw(&db).unwrap_or_else(|e| panic!("run {i}: cannot reopen for writing: {e}")));
        assert!(t0.elapsed() < Duration::from_secs(2));
        let _ = status;
        let _ = std::fs::remove_dir_all(&dir);
    }
    println!("crash test: {runs} kills → {absent} batches absent ({hot} left a rollback journal), {present} complete, 0 partial; {leftovers} interrupted backup temp files (never listed)");
    assert_eq!(absent + present, runs);
}

#[test]
fn kill_9_during_backup_never_leaves_half_a_backup() {
    let runs = env_num("CRASH_RUNS", 10).div_ceil(2);
    let rows = env_num("CRASH_ROWS", 20_000);
    let seed = seed();
    let mut rng = Rng(seed ^ 0x9E37_79B9_7F4A_7C15);
    let t = tempfile::tempdir().unwrap();
    let files = t.path().join("files");
    let r = run(&["--format", "json", "bench", "gen-import", "--rows", &rows.to_string(), files.to_str().unwrap()]);
    assert_eq!(r.code, 0);
    let db = init_db(&t.path().join("db"));
    let r = run(&["--db", db.to_str().unwrap(), "--format", "json", "import", r.json()["csv_gbk"].as_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["--db", db.to_str().unwrap(), "--format", "json", "backup", "create"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let took = r.elapsed;
    let before = state(&db);
    let mut whole = 0;
    let mut verified = std::collections::HashSet::new();
    for i in 0..runs {
        let at = Duration::from_millis(rng.below(took.as_millis() as u64 + 1));
        let mut child =
            Command::new(huiqi()).args(["--db", db.to_str().unwrap(), "backup", "create"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(at);
        let _ = child.kill();
        let _ = child.wait();
        check_backups(&db, &mut verified);
        assert_eq!(state(&db), before, "run {i}: a backup changed the database");
        whole += 1;
    }
    check_ok(&db);
    println!("backup crash test: seed {seed}, {runs} kills during backups of {:.2} s: every listed backup whole ({whole})", took.as_secs_f64());
}

/// Notices: `huiqi notice batch` issues every approved reward in one transaction, taking one
/// document number each. Killed at a random moment: the register holds all the numbers, each with
/// its notice, or none — never a number without its notice, never a gap.
#[test]
fn kill_9_during_notice_batch_assigns_every_number_or_none() {
    let runs = env_num("CRASH_RUNS", 10);
    let seed = seed();
    let mut rng = Rng(seed ^ 0x5555);
    let t = tempfile::tempdir().unwrap();
    let tpl = t.path().join("tpl");
    std::fs::create_dir_all(&tpl).unwrap();
    let db = tpl.join("huiqi.db");
    assert_eq!(run(&["--db", db.to_str().unwrap(), "init", "--demo"]).code, 0);
    let r = run(&["--db", db.to_str().unwrap(), "--format", "json", "reward", "confirm", "--all"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    drop(Db::open_rw(&db).unwrap());
    let register = |db: &Path| -> (i64, i64, usize) {
        let r = run(&["--db", db.to_str().unwrap(), "--format", "json", "notice", "register"]);
        assert_eq!(r.code, 0, "{}", r.stderr);
        let j = r.json();
        let (last, issued) = j.as_array().unwrap().iter().fold((0, 0), |(l, i), p| {
            assert!(p["gaps"].as_array().unwrap().is_empty(), "a gap in the register: {p}");
            (l + p["last_no"].as_i64().unwrap(), i + p["issued"].as_i64().unwrap())
        });
        let list = run(&["--db", db.to_str().unwrap(), "--format", "json", "notice", "list"]);
        assert_eq!(list.code, 0, "{}", list.stderr);
        (last, issued, list.json().as_array().map(|a| a.len()).unwrap_or(0))
    };
    // Reference: a complete run.
    let full_db = copy_db(&db, &t.path().join("full"));
    let r = run(&["--db", full_db.to_str().unwrap(), "--format", "json", "notice", "batch", "--out", t.path().join("full.pdf").to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let took = r.elapsed;
    let full = register(&full_db);
    assert!(full.0 > 0 && full.0 == full.1 && full.1 as usize == full.2, "{full:?}");
    let (mut none, mut all) = (0, 0);
    for i in 0..runs {
        let dir = t.path().join(format!("n-{i}"));
        let d = copy_db(&db, &dir);
        let at = Duration::from_millis(rng.below(took.as_millis() as u64 * 11 / 10 + 1));
        let mut child = Command::new(huiqi())
            .args(["--db", d.to_str().unwrap(), "notice", "batch", "--out", dir.join("all.pdf").to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(at);
        let _ = child.kill();
        let _ = child.wait();
        check_ok(&d);
        let got = register(&d);
        if got == (0, 0, 0) {
            none += 1;
        } else {
            assert_eq!(got, full, "run {i} (seed {seed}, kill at {at:?}): numbers half-assigned");
            all += 1;
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    println!(
        "notice crash test: seed {seed}, {runs} kills during a batch of {} notices ({:.2} s) → {none} none, {all} all, 0 partial",
        full.1,
        took.as_secs_f64()
    );
}
