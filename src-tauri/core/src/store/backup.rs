//! The SQL side of backups (see `crate::backup` for files, names, retention and restore): copying
//! a live database with SQLite's online backup API, checking a copy, reading what a backup holds,
//! and the weekly full check at open.

use super::Conn;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::{pragma_lines, settings, Db};
use crate::error::{Error, Result};
pub use crate::model::backup::RecordCounts;
use crate::model::backup::{BackupFolder, BackupInfo, BackupKind, BackupReport};
use crate::progress::Progress;

/// Settings key: an optional second backup folder (a USB drive); every backup is copied there too.
pub const SECOND_FOLDER: &str = "backup.second_folder";
/// Settings key: when the last full `integrity_check` + `foreign_key_check` passed (UTC, RFC 3339).
pub const LAST_FULL_CHECK: &str = "check.last_full";
/// How often the full check runs at open (quick_check runs at every open).
pub const FULL_CHECK_EVERY: chrono::Duration = chrono::Duration::days(7);

/// Pages copied per step of the online backup (4 MB a step with 16 KB pages; 1 MB with the 4 KB
/// pages of a database created before version 8).
const PAGES_PER_STEP: i32 = 256;

/// What a database file holds, read without changing it.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub schema_version: i64,
    pub counts: RecordCounts,
    pub last_event_id: i64,
    pub last_event_at: Option<String>,
    /// Has the tables of a Huiqi Ledger database.
    pub is_huiqi: bool,
}

/// A `file:` URI for `path` (percent-encoding what a URI cannot hold).
fn uri(path: &Path, params: &str) -> String {
    let s = path.to_string_lossy();
    let mut out = String::from("file:");
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' | b':' => out.push(b as char),
            b'\\' if cfg!(windows) => out.push('/'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out.push('?');
    out.push_str(params);
    out
}

/// Open a backup file read-only and immutable: no lock, no -wal/-shm created, works on a
/// read-only USB drive. Only for files nobody writes (backups, set-aside copies).
pub fn open_frozen(path: &Path) -> Result<super::Handle> {
    let c = Connection::open_with_flags(
        uri(path, "mode=ro&immutable=1"),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| super::classify(Error::Sqlite(e)))?;
    Ok(super::Handle(c))
}

/// SQLite could not open (or create the -shm of) a file.
pub(crate) fn cannot_open(e: &Error) -> bool {
    matches!(e, Error::Sqlite(rusqlite::Error::SqliteFailure(f, _)) if f.code == rusqlite::ErrorCode::CannotOpen || f.code == rusqlite::ErrorCode::ReadOnly)
}

/// A non-empty `-wal` beside the database: committed changes may live only there.
pub(crate) fn has_wal_data(db: &Path) -> bool {
    beside_has_data(db, "-wal")
}

/// A non-empty `-journal` beside the database: a write in rollback-journal mode is under way, or
/// was cut off and waits to be rolled back.
pub(crate) fn has_journal_data(db: &Path) -> bool {
    beside_has_data(db, "-journal")
}

/// The file named like the database plus `suffix` exists and is not empty.
fn beside_has_data(db: &Path, suffix: &str) -> bool {
    std::fs::metadata(sidecar(db, suffix)).map(|m| m.len() > 0).unwrap_or(false)
}

/// Open a live database file read-only (its WAL included), for recovery and restore.
pub fn open_live_ro(path: &Path) -> Result<super::Handle> {
    let c =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX).map_err(|e| super::classify(Error::Sqlite(e)))?;
    c.busy_timeout(Duration::from_secs(5))?;
    Ok(super::Handle(c))
}

/// Open a live database file read-write without the app's checks (restore's safety backup
/// needs to checkpoint its WAL). The caller holds the writer lock.
pub fn open_live_rw(path: &Path) -> Result<super::Handle> {
    let c = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| super::classify(Error::Sqlite(e)))?;
    c.busy_timeout(Duration::from_secs(5))?;
    Ok(super::Handle(c))
}

/// Copy the database behind `src` into the new file `dst` with the online backup API (a
/// consistent snapshot, even while the app keeps working), switch the copy to a rollback journal
/// (a single self-contained file), then check it. Returns the copy's foreign-key violations; an
/// integrity failure is an error. Does not fsync or rename: the caller does.
pub fn copy_and_check(src: Conn<'_>, dst: &Path, progress: &dyn Progress) -> Result<i64> {
    {
        let mut out = Connection::open_with_flags(dst, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        {
            let b = rusqlite::backup::Backup::new(&src, &mut out)?;
            loop {
                if progress.cancelled() {
                    return Err(Error::Cancelled);
                }
                let step = b.step(PAGES_PER_STEP)?;
                let p = b.progress();
                let total = p.pagecount.max(0) as u64;
                progress.report("backup", total.saturating_sub(p.remaining.max(0) as u64), total);
                match step {
                    rusqlite::backup::StepResult::Done => break,
                    rusqlite::backup::StepResult::More => {}
                    // Another connection writes or holds a lock: wait a little, the step restarts.
                    _ => std::thread::sleep(Duration::from_millis(50)),
                }
            }
        }
        let mode: String = out.query_row("PRAGMA journal_mode=DELETE", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("delete") {
            return Err(Error::Internal(format!("backup copy journal_mode is {mode}")));
        }
    }
    progress.report("verify", 0, 0);
    let c = open_frozen(dst)?;
    let integrity = pragma_lines(c.conn(), "PRAGMA integrity_check")?;
    if integrity != ["ok"] {
        return Err(integrity_failed(dst, &integrity));
    }
    fk_violations(c.conn())
}

pub fn integrity_failed(path: &Path, lines: &[String]) -> Error {
    let what = lines.iter().take(3).cloned().collect::<Vec<_>>().join("; ");
    let name = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    Error::refused(
        "backup_integrity_failed",
        format!("备份“{name}”未通过完整性检查（{what}）。数据库本身可能已损坏：请运行 huiqi check，并从较早的备份恢复。"),
        format!(
            "The backup “{name}” failed its integrity check ({what}). The database itself may be damaged: run `huiqi check` and restore an earlier backup."
        ),
    )
    .with_details(serde_json::json!({"file": path.display().to_string(), "integrity_check": what}))
}

/// `PRAGMA integrity_check` lines ("ok" when sound).
pub fn integrity(conn: Conn<'_>) -> Result<Vec<String>> {
    pragma_lines(conn, "PRAGMA integrity_check").map_err(super::classify)
}

pub fn quick(conn: Conn<'_>) -> Result<Vec<String>> {
    pragma_lines(conn, "PRAGMA quick_check").map_err(super::classify)
}

pub fn fk_violations(conn: Conn<'_>) -> Result<i64> {
    let mut st = conn.prepare("PRAGMA foreign_key_check")?;
    let mut rows = st.query([])?;
    let mut n = 0;
    while rows.next()?.is_some() {
        n += 1;
    }
    Ok(n)
}

fn table_exists(conn: Conn<'_>, name: &str) -> Result<bool> {
    let n: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1", [name], |r| r.get(0))?;
    Ok(n > 0)
}

fn count_if(conn: Conn<'_>, table: &str) -> Result<Option<i64>> {
    if !table_exists(conn, table)? {
        return Ok(None);
    }
    // `table` is one of the fixed names below, never user input.
    Ok(Some(conn.query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |r| r.get(0))?))
}

/// What a database holds: schema version, record counts, the last audit event.
pub fn facts(conn: Conn<'_>) -> Result<Facts> {
    let schema_version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(|e| super::classify(Error::Sqlite(e)))?;
    let is_huiqi = table_exists(conn, "audit_event")? && table_exists(conn, "enterprise")?;
    let counts = RecordCounts {
        enterprises: count_if(conn, "enterprise")?,
        certifications: count_if(conn, "certification")?,
        grants: count_if(conn, "rent_grant")?,
        rewards: count_if(conn, "reward")?,
        notices: count_if(conn, "notice")?,
        audit_events: count_if(conn, "audit_event")?,
    };
    let (last_event_id, last_event_at) = if is_huiqi { last_event(conn)? } else { (0, None) };
    Ok(Facts { schema_version, counts, last_event_id, last_event_at, is_huiqi })
}

/// The newest audit event: (id, at); (0, None) for an empty journal.
pub fn last_event(conn: Conn<'_>) -> Result<(i64, Option<String>)> {
    Ok(conn
        .query_row("SELECT id, at FROM audit_event ORDER BY id DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .map(|(i, a): (i64, String)| (i, Some(a)))
        .unwrap_or((0, None)))
}

/// Audit events after `after_id`, grouped: what a restore of an older copy would lose.
pub fn changes_after(conn: Conn<'_>, after_id: i64) -> Result<Vec<(String, String, i64)>> {
    let mut st = conn.prepare("SELECT entity, action, count(*) FROM audit_event WHERE id > ?1 GROUP BY entity, action ORDER BY 3 DESC, 1, 2")?;
    let v = st.query_map([after_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

pub fn second_folder(conn: Conn<'_>) -> Option<String> {
    settings::get(conn, SECOND_FOLDER).ok().flatten().filter(|s| !s.trim().is_empty())
}

/// Run the full `integrity_check` and `foreign_key_check` when the last one passed more than a
/// week ago (or never), and record when it passed. A failure is [`Error::Corrupt`]: the caller
/// drops the connection and opens nothing for writing.
pub(crate) fn full_check_if_due(db: &mut Db) -> Result<bool> {
    let now = chrono::Utc::now();
    let last = settings::get(db.conn(), LAST_FULL_CHECK)?.and_then(|s| chrono::DateTime::parse_from_rfc3339(&s).ok()).map(|t| t.with_timezone(&chrono::Utc));
    let due = match last {
        None => true,
        // A clock set back or forward: check again.
        Some(t) => now - t >= FULL_CHECK_EVERY || t > now + chrono::Duration::days(1),
    };
    if !due {
        return Ok(false);
    }
    let lines = integrity(db.conn())?;
    if lines != ["ok"] {
        return Err(Error::Corrupt(lines.into_iter().take(5).collect::<Vec<_>>().join("; ")));
    }
    let fk = fk_violations(db.conn())?;
    if fk > 0 {
        return Err(Error::Corrupt(format!("foreign_key_check: {fk} violations")));
    }
    let at = super::now_utc();
    db.write(|tx| settings::set(tx, LAST_FULL_CHECK, &at).map(|_| ()))?;
    Ok(true)
}

// ---- backup files: names, the folder, a checked copy put in place ---------------------------

/// The folder of the primary backups: `<db folder>/backups`.
pub const FOLDER_NAME: &str = "backups";

pub fn backup_dir(db_path: &Path) -> PathBuf {
    db_path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).join(FOLDER_NAME)
}

pub(crate) fn stem(db_path: &Path) -> String {
    db_path.file_stem().map(|s| s.to_string_lossy().into_owned()).filter(|s| !s.is_empty()).unwrap_or_else(|| "huiqi".into())
}

pub(crate) const STAMP: &str = "%Y%m%dT%H%M%S%.3fZ";

/// `<stem>-<UTC time>-<kind>.db`
pub fn file_name_for(stem: &str, at: DateTime<Utc>, kind: BackupKind) -> String {
    format!("{stem}-{}-{}.db", at.format(STAMP), kind.as_str())
}

/// Time and kind from a backup's file name; `None` for any other file.
pub fn parse_file_name(name: &str) -> Option<(DateTime<Utc>, BackupKind)> {
    let rest = name.strip_suffix(".db")?;
    let (rest, kind) = rest.rsplit_once('-')?;
    let kind = BackupKind::parse(kind)?;
    if rest.len() < 21 || name.starts_with('.') {
        return None;
    }
    let (head, stamp) = rest.split_at(rest.len() - 20);
    if !head.ends_with('-') {
        return None;
    }
    let t = NaiveDateTime::parse_from_str(stamp, STAMP).ok()?;
    Some((t.and_utc(), kind))
}

pub(crate) fn tmp_name(final_name: &str) -> String {
    format!(".{final_name}.{}.tmp", std::process::id())
}

#[cfg(unix)]
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(not(unix))]
pub(crate) fn sync_dir(_dir: &Path) {}

pub(crate) fn fsync(path: &Path) -> Result<()> {
    std::fs::OpenOptions::new().read(true).write(true).open(path).and_then(|f| f.sync_all()).map_err(|e| Error::io(path, e))
}

/// A free final name in `dir` for `kind` at about `now` (a clash moves it by a millisecond).
pub(crate) fn free_name(dir: &Path, stem: &str, kind: BackupKind) -> (String, DateTime<Utc>) {
    let mut at = Utc::now();
    loop {
        let n = file_name_for(stem, at, kind);
        if !dir.join(&n).exists() {
            return (n, at);
        }
        at += chrono::Duration::milliseconds(1);
    }
}

/// The backup itself, from any connection to the database at `db_path` (also used by migration
/// and restore, which have no [`Db`]). Does not prune.
pub(crate) fn create_from_conn(conn: Conn<'_>, db_path: &Path, kind: BackupKind, progress: &dyn Progress) -> Result<BackupReport> {
    let started = std::time::Instant::now();
    let dir = backup_dir(db_path);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    let (name, _) = free_name(&dir, &stem(db_path), kind);
    let tmp = dir.join(tmp_name(&name));
    let fin = dir.join(&name);
    let _ = std::fs::remove_file(&tmp);
    let made = (|| -> Result<i64> {
        let fk = copy_and_check(conn, &tmp, progress)?;
        fsync(&tmp)?;
        std::fs::rename(&tmp, &fin).map_err(|e| Error::io(&fin, e))?;
        sync_dir(&dir);
        Ok(fk)
    })();
    let fk = match made {
        Ok(fk) => fk,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            for suffix in SIDECARS {
                let _ = std::fs::remove_file(sidecar(&tmp, suffix));
            }
            return Err(e);
        }
    };
    let backup = info(&fin, BackupFolder::Primary)?;
    let (second_copy, second_copy_error) = match second_folder(conn) {
        None => (None, None),
        Some(second) => match copy_to_second(&fin, Path::new(&second)) {
            Ok(p) => (Some(p.display().to_string()), None),
            Err(e) => (None, Some(e.message(crate::Lang::Zh))),
        },
    };
    Ok(BackupReport { backup, second_copy, second_copy_error, foreign_key_violations: fk, pruned: 0, millis: started.elapsed().as_millis() as u64 })
}

pub(crate) fn copy_to_second(file: &Path, second: &Path) -> Result<PathBuf> {
    if !second.is_dir() {
        return Err(folder_unusable(second, "文件夹不存在或未连接", "the folder does not exist or is not connected"));
    }
    let name = file.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = second.join(tmp_name(&name));
    let fin = second.join(&name);
    let r = (|| -> Result<()> {
        std::fs::copy(file, &tmp).map_err(|e| Error::io(&tmp, e))?;
        fsync(&tmp)?;
        std::fs::rename(&tmp, &fin).map_err(|e| Error::io(&fin, e))?;
        sync_dir(second);
        Ok(())
    })();
    if r.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    r.map(|_| fin)
}

pub(crate) fn folder_unusable(folder: &Path, zh: &str, en: &str) -> Error {
    Error::refused(
        "backup_folder_unusable",
        format!("备份文件夹 {} 不可用：{zh}。请插入U盘或重新选择文件夹。", folder.display()),
        format!("The backup folder {} cannot be used: {en}. Plug in the drive or choose another folder.", folder.display()),
    )
    .with_details(serde_json::json!({"folder": folder.display().to_string()}))
}

/// Read one backup file's facts (never fails for a damaged file: `problem` says why).
pub fn info(path: &Path, folder: BackupFolder) -> Result<BackupInfo> {
    let file_name = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let (at, kind) = parse_file_name(&file_name).unwrap_or((DateTime::<Utc>::UNIX_EPOCH, BackupKind::Manual));
    let size_bytes = std::fs::metadata(path).map_err(|e| Error::io(path, e))?.len();
    let mut b = BackupInfo {
        file_name,
        path: path.display().to_string(),
        folder,
        kind,
        created_at: at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        size_bytes,
        schema_version: 0,
        counts: RecordCounts::default(),
        last_event_id: 0,
        last_event_at: None,
        problem: None,
    };
    match open_frozen(path).and_then(|c| facts(c.conn())) {
        Ok(f) if f.is_huiqi => {
            b.schema_version = f.schema_version;
            b.counts = f.counts;
            b.last_event_id = f.last_event_id;
            b.last_event_at = f.last_event_at;
        }
        Ok(_) => b.problem = Some("不是惠企台账的数据库".into()),
        Err(e) => b.problem = Some(e.message(crate::Lang::Zh)),
    }
    Ok(b)
}

/// The files SQLite keeps beside a database: the rollback journal (`Db::write_bulk`), the WAL
/// and its index.
pub(crate) const SIDECARS: [&str; 3] = ["-journal", "-wal", "-shm"];
pub(crate) fn sidecar(db_path: &Path, suffix: &str) -> PathBuf {
    let mut s = db_path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Move everything in the WAL into the database file and empty the WAL (before the file is
/// copied or replaced).
pub fn checkpoint(conn: Conn<'_>) -> Result<()> {
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
    Ok(())
}
