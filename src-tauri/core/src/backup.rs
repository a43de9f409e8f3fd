//! Backups, restore and recovery. Nothing lost: a backup is a consistent copy made with SQLite's
//! online backup API into a temporary file of the backup folder, checked (`integrity_check`,
//! `foreign_key_check`), fsynced and renamed into place, so a crash or a full disk never leaves
//! half a backup under a final name. Names sort by time and say why the backup was made:
//! `huiqi-20260305T143012.123Z-import.db` (UTC).
//!
//! When: on exit and every 15 minutes when something changed ([`create_if_changed`], [`due`]),
//! before every import ([`before_import`], called by `import::commit`), before every migration
//! (`store::migrations`) and before every restore ([`restore`]). Retention: the last 24, one a day
//! for 90 days, one a month after that ([`retention`]). An optional second folder (a USB drive)
//! gets a copy of every backup.
//!
//! Restore and recovery replace the database file: the app closes its own [`Db`] first, and they
//! refuse while any other process holds the writer lock.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, NaiveDateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::progress::{NoProgress, Progress};
use crate::store::backup as sql;
use crate::store::{self, Db, WriterLock};

pub use crate::model::backup::{BackupFolder, BackupInfo, BackupKind, BackupReport};
pub use crate::store::backup::RecordCounts;
pub use crate::store::backup::{backup_dir, file_name_for, info, parse_file_name, FOLDER_NAME};
use crate::store::backup::{create_from_conn, folder_unusable, fsync, sidecar, sync_dir, SIDECARS};

/// Something changed and the last backup is this old: time for a periodic backup.
pub const PERIOD: chrono::Duration = chrono::Duration::minutes(15);
pub const KEEP_LAST: usize = 24;
pub const KEEP_DAILY_DAYS: i64 = 90;
/// Temporary files of an interrupted backup older than this are removed by [`prune`].
const STALE_TMP: std::time::Duration = std::time::Duration::from_secs(3600);

#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct PruneReport {
    pub kept: u64,
    pub removed: Vec<String>,
    pub freed_bytes: u64,
    /// Leftovers of interrupted backups that were removed.
    pub stale_temp_files: u64,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct RestoreReport {
    pub restored: BackupInfo,
    /// The database as it was just before, saved as a `restore` backup (none when it was missing
    /// or damaged).
    pub safety_backup: Option<BackupInfo>,
    /// Where the damaged database was moved (recovery).
    pub damaged_file: Option<String>,
    /// `integrity_check` of the restored database ("ok").
    pub integrity_check: String,
    pub schema_version: i64,
}

/// A group of changes that a restore would lose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct LostChange {
    pub entity: String,
    pub action: String,
    pub count: i64,
}

#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct LossEstimate {
    /// Everything after this moment (the backup's time) is not in the backup.
    pub since: Option<String>,
    /// False when the damaged file could not tell what it held after the backup.
    pub known: bool,
    pub damaged_last_event_id: Option<i64>,
    pub damaged_last_event_at: Option<String>,
    /// Audit events newer than the backup's newest (the changes that would be lost).
    pub events_after_backup: Option<i64>,
    pub changes: Vec<LostChange>,
    pub damaged_counts: Option<RecordCounts>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct RejectedBackup {
    pub file_name: String,
    pub reason: String,
}

/// What recovery from a damaged database would do; shown to the user before anything happens.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RecoveryPlan {
    pub db_path: String,
    /// The database failed its check (or is missing). False: nothing to recover.
    pub damaged: bool,
    pub problem: Option<String>,
    /// The newest backup that passes `integrity_check` (and is not from a newer program).
    pub candidate: Option<BackupInfo>,
    /// Newer backups that failed their check.
    pub rejected: Vec<RejectedBackup>,
    pub loss: LossEstimate,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct BackupSettings {
    pub folder: String,
    pub second_folder: Option<String>,
    /// When the last full integrity + foreign-key check passed (weekly at open).
    pub last_full_check: Option<String>,
}

// --- names and folders ------------------------------------------------------------------------

// --- create -----------------------------------------------------------------------------------

/// Make a backup of the open database now.
pub fn create(db: &Db, kind: BackupKind) -> Result<BackupReport> {
    create_with(db, kind, &NoProgress)
}

/// [`create`] with progress (stage `backup`, then `verify`) and cancel.
pub fn create_with(db: &Db, kind: BackupKind, progress: &dyn Progress) -> Result<BackupReport> {
    let mut r = create_from_conn(db.conn(), db.path(), kind, progress)?;
    if let Ok(p) = prune(db.path()) {
        r.pruned = p.removed.len() as u64;
    }
    Ok(r)
}

/// Before an import: a backup, unless the registry is still empty (nothing to lose).
pub fn before_import(db: &Db, progress: &dyn Progress) -> Result<Option<BackupReport>> {
    if db.is_read_only() || crate::store::enterprise::count(db.conn())? == 0 {
        return Ok(None);
    }
    create_with(db, BackupKind::Import, progress).map(Some)
}

/// The newest audit event id of the open database (what "something changed" is measured by).
pub fn current_event_id(db: &Db) -> Result<i64> {
    Ok(sql::last_event(db.conn())?.0)
}

/// Pure rule of the periodic backup: something changed since the last backup (the journal has
/// events the backup does not) and the last backup is at least [`PERIOD`] old.
pub fn is_due(last_backup_at: Option<DateTime<Utc>>, last_event_in_backup: i64, current_event: i64, now: DateTime<Utc>) -> bool {
    if current_event <= last_event_in_backup {
        return false;
    }
    match last_backup_at {
        None => true,
        Some(t) => now - t >= PERIOD || t > now,
    }
}

/// Is a periodic backup due? `last` is the newest backup (from [`latest`]); the app calls this
/// from a timer (every minute is fine: it reads one row).
pub fn due(db: &Db, last: Option<&BackupInfo>) -> Result<bool> {
    let current = current_event_id(db)?;
    let at = last.and_then(|b| DateTime::parse_from_rfc3339(&b.created_at).ok()).map(|t| t.with_timezone(&Utc));
    Ok(is_due(at, last.map(|b| b.last_event_id).unwrap_or(0), current, Utc::now()))
}

/// A backup of `kind` only when the journal has events the newest backup lacks (exit, periodic).
pub fn create_if_changed(db: &Db, kind: BackupKind) -> Result<Option<BackupReport>> {
    let current = current_event_id(db)?;
    let newest = latest(db.path())?;
    if newest.as_ref().is_some_and(|b| b.last_event_id >= current && b.problem.is_none()) {
        return Ok(None);
    }
    create(db, kind).map(Some)
}

// --- list -------------------------------------------------------------------------------------

fn backups_in(dir: &Path, folder: BackupFolder) -> Result<Vec<BackupInfo>> {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(Error::io(dir, e)),
    };
    let mut out = Vec::new();
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if parse_file_name(&name).is_some() && e.file_type().map(|t| t.is_file()).unwrap_or(false) {
            out.push(info(&e.path(), folder)?);
        }
    }
    out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.file_name.cmp(&a.file_name)));
    Ok(out)
}

/// The second folder from the settings of the database at `db_path` (best effort: a damaged or
/// missing database has none).
fn second_folder_of(db_path: &Path) -> Option<PathBuf> {
    if !db_path.exists() {
        return None;
    }
    let c = sql::open_live_ro(db_path).ok()?;
    sql::second_folder(c.conn()).map(PathBuf::from)
}

/// Every backup, newest first: the primary folder, then the second folder when it is set and
/// connected (a file present in both is listed once, from the primary folder).
pub fn list(db_path: &Path) -> Result<Vec<BackupInfo>> {
    let mut v = backups_in(&backup_dir(db_path), BackupFolder::Primary)?;
    if let Some(second) = second_folder_of(db_path) {
        if second.is_dir() {
            let names: std::collections::HashSet<String> = v.iter().map(|b| b.file_name.clone()).collect();
            v.extend(backups_in(&second, BackupFolder::Second).unwrap_or_default().into_iter().filter(|b| !names.contains(&b.file_name)));
            v.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.file_name.cmp(&a.file_name)));
        }
    }
    Ok(v)
}

/// The newest readable backup in the primary folder.
pub fn latest(db_path: &Path) -> Result<Option<BackupInfo>> {
    Ok(backups_in(&backup_dir(db_path), BackupFolder::Primary)?.into_iter().find(|b| b.problem.is_none()))
}

/// A backup chosen by its file name (as the UI sends it): looked up in the backup folders only,
/// so the UI never hands a path to core.
pub fn locate(db_path: &Path, file_name: &str) -> Result<PathBuf> {
    let bad = file_name.contains(['/', '\\']) || file_name.starts_with('.') || parse_file_name(file_name).is_none();
    if !bad {
        let mut dirs = vec![backup_dir(db_path)];
        dirs.extend(second_folder_of(db_path));
        for d in dirs {
            let p = d.join(file_name);
            if p.is_file() {
                return Ok(p);
            }
        }
    }
    Err(Error::NotFound { entity: "backup", key: file_name.to_string() })
}

// --- retention --------------------------------------------------------------------------------

/// The retention rule, as a pure function over local times: keep the newest [`KEEP_LAST`]; of the
/// rest, the newest of each day for [`KEEP_DAILY_DAYS`] days, and the newest of each month before
/// that. Returns one flag per input (true: keep). Times in the future count as new.
pub fn retention(times: &[NaiveDateTime], now: NaiveDateTime) -> Vec<bool> {
    let mut order: Vec<usize> = (0..times.len()).collect();
    order.sort_by(|a, b| times[*b].cmp(&times[*a]).then(b.cmp(a)));
    let mut keep = vec![false; times.len()];
    let mut days = std::collections::HashSet::new();
    let mut months = std::collections::HashSet::new();
    for (rank, &i) in order.iter().enumerate() {
        let t = times[i];
        let age = now - t;
        if rank < KEEP_LAST {
            keep[i] = true;
            // The newest of its day/month is this one: older ones of the same day are extra.
            days.insert(t.date());
            if age > chrono::Duration::days(KEEP_DAILY_DAYS) {
                months.insert((t.year(), t.month()));
            }
            continue;
        }
        if age <= chrono::Duration::days(KEEP_DAILY_DAYS) {
            keep[i] = days.insert(t.date());
        } else {
            keep[i] = months.insert((t.year(), t.month()));
        }
    }
    keep
}

fn prune_dir(dir: &Path, report: &mut PruneReport) -> Result<()> {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(dir, e)),
    };
    let mut found: Vec<(PathBuf, String, NaiveDateTime, u64)> = Vec::new();
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Ok(meta) = e.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        if name.starts_with('.') && name.contains(".tmp") {
            let old = meta.modified().ok().and_then(|m| m.elapsed().ok()).is_some_and(|a| a > STALE_TMP);
            if old && std::fs::remove_file(e.path()).is_ok() {
                report.stale_temp_files += 1;
            }
            continue;
        }
        if let Some((at, _)) = parse_file_name(&name) {
            found.push((e.path(), name, at.with_timezone(&chrono::Local).naive_local(), meta.len()));
        }
    }
    let times: Vec<NaiveDateTime> = found.iter().map(|f| f.2).collect();
    let keep = retention(&times, chrono::Local::now().naive_local());
    for ((path, name, _, size), k) in found.into_iter().zip(keep) {
        if k {
            report.kept += 1;
        } else if std::fs::remove_file(&path).is_ok() {
            report.removed.push(name);
            report.freed_bytes += size;
        }
    }
    Ok(())
}

/// Apply [`retention`] to the primary and the second folder; remove leftovers of interrupted
/// backups older than an hour.
pub fn prune(db_path: &Path) -> Result<PruneReport> {
    let mut r = PruneReport::default();
    prune_dir(&backup_dir(db_path), &mut r)?;
    if let Some(second) = second_folder_of(db_path) {
        if second.is_dir() {
            let _ = prune_dir(&second, &mut r);
        }
    }
    Ok(r)
}

// --- settings ---------------------------------------------------------------------------------

pub fn settings(db: &Db) -> Result<BackupSettings> {
    Ok(BackupSettings {
        folder: backup_dir(db.path()).display().to_string(),
        second_folder: sql::second_folder(db.conn()),
        last_full_check: store::settings::get(db.conn(), sql::LAST_FULL_CHECK)?,
    })
}

/// Set (or clear with `None`) the second backup folder. It must exist, be writable, and not be the
/// primary folder. An audited change.
pub fn set_second_folder(db: &mut Db, folder: Option<&Path>) -> Result<BackupSettings> {
    let value = match folder {
        None => String::new(),
        Some(f) => {
            if !f.is_absolute() {
                return Err(folder_unusable(f, "请选择完整路径的文件夹", "choose a folder by its full path"));
            }
            if !f.is_dir() {
                return Err(folder_unusable(f, "文件夹不存在或未连接", "the folder does not exist or is not connected"));
            }
            let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
            if canon(f) == canon(&backup_dir(db.path())) || canon(f) == canon(db.path().parent().unwrap_or(Path::new("."))) {
                return Err(folder_unusable(f, "它就是数据库所在的位置，起不到异地备份的作用", "it is where the database already is"));
            }
            let probe = f.join(format!(".huiqi-probe-{}", std::process::id()));
            std::fs::write(&probe, b"probe").map_err(|e| folder_unusable(f, &format!("无法写入（{e}）"), &format!("cannot write there ({e})")))?;
            let _ = std::fs::remove_file(&probe);
            f.display().to_string()
        }
    };
    db.write(|tx| store::settings::set(tx, sql::SECOND_FOLDER, &value).map(|_| ()))?;
    settings(db)
}

// --- restore and recovery ---------------------------------------------------------------------

fn newer_refused(path: &Path, found: i64) -> Error {
    let name = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let supported = store::migrations::latest();
    Error::refused(
        "backup_too_new",
        format!("备份“{name}”由更新版本的惠企台账写入（结构版本 {found}，本程序支持到 {supported}），不能用本程序恢复。请先升级惠企台账。"),
        format!("The backup “{name}” was written by a newer Huiqi Ledger (schema {found}; this program supports {supported}). Upgrade first."),
    )
    .with_details(serde_json::json!({"file": path.display().to_string(), "found": found, "supported": supported}))
}

fn unusable_backup(path: &Path, zh: &str, en: &str) -> Error {
    let name = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    Error::refused(
        "backup_unusable",
        format!("不能用“{name}”恢复：{zh}。请选择另一个备份。"),
        format!("“{name}” cannot be restored: {en}. Choose another backup."),
    )
    .with_details(serde_json::json!({"file": path.display().to_string()}))
}

/// Everything a backup must pass before it replaces the database: readable, a Huiqi database,
/// not from a newer program, `integrity_check` ok, audit chain intact.
pub fn verify(path: &Path) -> Result<BackupInfo> {
    if !path.is_file() {
        return Err(Error::NotFound { entity: "backup", key: path.display().to_string() });
    }
    let conn = sql::open_frozen(path).map_err(|e| unusable_backup(path, &e.message(crate::Lang::Zh), &e.message(crate::Lang::En)))?;
    let facts = sql::facts(conn.conn()).map_err(|e| unusable_backup(path, &e.message(crate::Lang::Zh), &e.message(crate::Lang::En)))?;
    if !facts.is_huiqi || facts.schema_version < 1 {
        return Err(unusable_backup(path, "它不是惠企台账的数据库", "it is not a Huiqi Ledger database"));
    }
    if facts.schema_version > store::migrations::latest() {
        return Err(newer_refused(path, facts.schema_version));
    }
    let lines = sql::integrity(conn.conn())?;
    if lines != ["ok"] {
        return Err(sql::integrity_failed(path, &lines));
    }
    let chain = store::audit::verify_chain(conn.conn())?;
    if !chain.ok {
        return Err(unusable_backup(
            path,
            &format!("其中的操作日志从第 {} 条起被改动过", chain.first_broken.unwrap_or(0)),
            &format!("its audit journal was altered from event {}", chain.first_broken.unwrap_or(0)),
        ));
    }
    info(path, BackupFolder::Primary)
}

/// Which folder of the database at `db_path` a backup file is in.
fn folder_of(db_path: &Path, backup: &Path) -> BackupFolder {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    match backup.parent() {
        Some(d) if canon(d) == canon(&backup_dir(db_path)) => BackupFolder::Primary,
        _ => BackupFolder::Second,
    }
}

/// Move the database and its -journal/-wal/-shm aside as `<name>.corrupt-<time>` (+ the same
/// suffixes): kept for later rescue, never opened by the app again. Returns the new path of the
/// main file.
pub fn set_aside(db_path: &Path) -> Result<Option<PathBuf>> {
    let _lock = WriterLock::acquire(db_path, std::time::Duration::ZERO)?;
    set_aside_locked(db_path)
}

fn set_aside_locked(db_path: &Path) -> Result<Option<PathBuf>> {
    if !db_path.exists() {
        return Ok(None);
    }
    let stamp = Utc::now().format("%Y%m%dT%H%M%SZ");
    let mut base = sidecar(db_path, &format!(".corrupt-{stamp}"));
    let mut n = 1;
    while base.exists() {
        base = sidecar(db_path, &format!(".corrupt-{stamp}-{n}"));
        n += 1;
    }
    for suffix in SIDECARS {
        let from = sidecar(db_path, suffix);
        if from.exists() {
            let to = sidecar(&base, suffix);
            std::fs::rename(&from, &to).map_err(|e| Error::io(&from, e))?;
        }
    }
    std::fs::rename(db_path, &base).map_err(|e| Error::io(db_path, e))?;
    if let Some(d) = db_path.parent() {
        sync_dir(d);
    }
    Ok(Some(base))
}

/// Put a verified backup in place of the (closed, checkpointed or absent) database at `db_path`:
/// copy to a temporary file beside it, fsync, remove stale -wal/-shm, atomic rename, check.
fn put_in_place(db_path: &Path, backup: &Path) -> Result<(String, i64)> {
    let dir = db_path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf();
    let tmp = sidecar(db_path, &format!(".restore-{}.tmp", std::process::id()));
    let r = (|| -> Result<()> {
        std::fs::copy(backup, &tmp).map_err(|e| Error::io(&tmp, e))?;
        fsync(&tmp)?;
        let c = sql::open_frozen(&tmp)?;
        let lines = sql::integrity(c.conn())?;
        if lines != ["ok"] {
            return Err(sql::integrity_failed(backup, &lines));
        }
        drop(c);
        // A -wal (or the rollback journal of a cut-off bulk import) left beside the file would be
        // replayed into the restored database.
        for suffix in SIDECARS {
            let p = sidecar(db_path, suffix);
            if p.exists() {
                std::fs::remove_file(&p).map_err(|e| Error::io(&p, e))?;
            }
        }
        std::fs::rename(&tmp, db_path).map_err(|e| Error::io(db_path, e))?;
        sync_dir(&dir);
        Ok(())
    })();
    if let Err(e) = r {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    let c = sql::open_live_ro(db_path)?;
    let lines = sql::integrity(c.conn())?;
    if lines != ["ok"] {
        return Err(Error::Corrupt(lines.join("; ")));
    }
    let v: i64 = sql::facts(c.conn())?.schema_version;
    Ok(("ok".into(), v))
}

/// Restore a backup over a healthy database. The current database is saved first as a `restore`
/// backup. The caller (the app) has closed its own [`Db`]; refused while any other process holds
/// the writer lock. A damaged database is refused here: use [`recover`] / [`restore_for_recovery`].
pub fn restore(db_path: &Path, backup_path: &Path) -> Result<RestoreReport> {
    let mut restored = verify(backup_path)?;
    restored.folder = folder_of(db_path, backup_path);
    let _lock = WriterLock::acquire(db_path, std::time::Duration::ZERO)?;
    let mut safety_backup = None;
    if db_path.exists() {
        let conn = sql::open_live_rw(db_path)?;
        let q = sql::quick(conn.conn())?;
        if q != ["ok"] {
            return Err(Error::Corrupt(q.join("; ")));
        }
        // Everything of the WAL into the main file, so that nothing lives only in the -wal.
        sql::checkpoint(conn.conn())?;
        let r = create_from_conn(conn.conn(), db_path, BackupKind::Restore, &NoProgress)?;
        safety_backup = Some(r.backup);
        drop(conn);
    }
    let (integrity_check, schema_version) = put_in_place(db_path, backup_path)?;
    Ok(RestoreReport { restored, safety_backup, damaged_file: None, integrity_check, schema_version })
}

/// Is the database at `db_path` damaged? `Some(problem)` when it is (or is missing).
fn damage(db_path: &Path) -> Result<Option<String>> {
    if !db_path.exists() {
        return Ok(Some("数据库文件不存在".into()));
    }
    let conn = match sql::open_live_ro(db_path) {
        Ok(c) => c,
        Err(e @ Error::Corrupt(_)) => return Ok(Some(e.to_string())),
        Err(e) => return Err(e),
    };
    match sql::integrity(conn.conn()) {
        Ok(lines) if lines == ["ok"] => {}
        Ok(lines) => return Ok(Some(lines.into_iter().take(5).collect::<Vec<_>>().join("; "))),
        Err(Error::Corrupt(m)) => return Ok(Some(m)),
        Err(e) => return Err(e),
    }
    match sql::fk_violations(conn.conn()) {
        Ok(0) => Ok(None),
        Ok(n) => Ok(Some(format!("foreign_key_check: {n} violations"))),
        Err(e) => Ok(Some(e.to_string())),
    }
}

/// What the damaged file still tells about the changes after `backup` (best effort).
fn estimate_loss(db_path: &Path, backup: Option<&BackupInfo>) -> LossEstimate {
    let mut l = LossEstimate { since: backup.map(|b| b.created_at.clone()), ..Default::default() };
    let Ok(conn) = sql::open_live_ro(db_path) else { return l };
    if let Ok((id, at)) = sql::last_event(conn.conn()) {
        l.damaged_last_event_id = Some(id);
        l.damaged_last_event_at = at;
        if let Some(b) = backup {
            l.events_after_backup = Some((id - b.last_event_id).max(0));
            if let Ok(ch) = sql::changes_after(conn.conn(), b.last_event_id) {
                l.changes = ch.into_iter().map(|(entity, action, count)| LostChange { entity, action, count }).collect();
                l.known = true;
            }
        }
    }
    if let Ok(f) = sql::facts(conn.conn()) {
        l.damaged_counts = Some(f.counts);
    }
    l
}

/// The recovery plan for a database that failed its check at open ([`Error::Corrupt`]): is it
/// damaged, the newest backup that passes `integrity_check`, and what would be lost. Changes
/// nothing: [`restore_for_recovery`] moves the damaged file aside and puts the backup in place
/// (so a cancelled recovery leaves the app on this screen, not on an empty new database).
pub fn recover(db_path: &Path) -> Result<RecoveryPlan> {
    let problem = damage(db_path)?;
    let mut plan = RecoveryPlan {
        db_path: db_path.display().to_string(),
        damaged: problem.is_some(),
        problem,
        candidate: None,
        rejected: vec![],
        loss: LossEstimate::default(),
    };
    for b in list(db_path)? {
        match verify(Path::new(&b.path)) {
            Ok(_) => {
                plan.candidate = Some(b);
                break;
            }
            Err(e) => plan.rejected.push(RejectedBackup { file_name: b.file_name.clone(), reason: e.message(crate::Lang::Zh) }),
        }
    }
    plan.loss = estimate_loss(db_path, plan.candidate.as_ref());
    Ok(plan)
}

/// Recovery: move the damaged database (and -wal/-shm) aside as `*.corrupt-<time>`, then put the
/// chosen backup in place. Refused when the database is healthy (use [`restore`], which keeps a
/// copy of it) or while another process holds the writer lock.
pub fn restore_for_recovery(db_path: &Path, backup_path: &Path) -> Result<RestoreReport> {
    let mut restored = verify(backup_path)?;
    restored.folder = folder_of(db_path, backup_path);
    let _lock = WriterLock::acquire(db_path, std::time::Duration::ZERO)?;
    if damage(db_path)?.is_none() {
        return Err(Error::refused(
            "database_not_damaged",
            "数据库完整性检查通过，不需要修复。如要回到某个备份，请使用“恢复”，它会先保存当前数据库。",
            "The database passes its integrity check: nothing to repair. To go back to a backup use restore, which saves the current database first.",
        ));
    }
    let damaged_file = set_aside_locked(db_path)?.map(|p| p.display().to_string());
    let (integrity_check, schema_version) = put_in_place(db_path, backup_path)?;
    Ok(RestoreReport { restored, safety_backup: None, damaged_file, integrity_check, schema_version })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, 0, 0).unwrap()
    }

    #[test]
    fn names_sort_by_time_and_parse_back() {
        let a = DateTime::parse_from_rfc3339("2026-03-05T14:30:12.123Z").unwrap().with_timezone(&Utc);
        let n = file_name_for("huiqi", a, BackupKind::Import);
        assert_eq!(n, "huiqi-20260305T143012.123Z-import.db");
        assert_eq!(parse_file_name(&n), Some((a, BackupKind::Import)));
        let b = a + chrono::Duration::milliseconds(5);
        assert!(file_name_for("huiqi", b, BackupKind::Exit) > n, "later sorts after");
        assert_eq!(parse_file_name("my-db-20260305T143012.123Z-manual.db").map(|x| x.1), Some(BackupKind::Manual));
        for bad in [
            "huiqi.db",
            ".huiqi-20260305T143012.123Z-import.db.1.tmp",
            "huiqi-2026-import.db",
            "huiqi-20260305T143012.123Z-other.db",
            "x20260305T143012.123Z-import.db",
        ] {
            assert_eq!(parse_file_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn retention_keeps_last_24_then_daily_then_monthly() {
        let now = t(2026, 6, 30, 12);
        // Every 15 minutes for the last 2 days: 192 backups.
        let mut times: Vec<NaiveDateTime> = (0..192).map(|i| now - chrono::Duration::minutes(15 * i)).collect();
        // One every 6 hours for 200 days before that.
        let start = now - chrono::Duration::days(2);
        times.extend((0..800).map(|i| start - chrono::Duration::hours(6 * i)));
        let keep = retention(&times, now);
        let kept: Vec<NaiveDateTime> = times.iter().zip(&keep).filter(|(_, k)| **k).map(|(t, _)| *t).collect();
        // The 24 newest are all kept.
        let mut sorted = times.clone();
        sorted.sort();
        sorted.reverse();
        for t in &sorted[..24] {
            assert!(kept.contains(t));
        }
        // At most one per day within 90 days beyond the newest 24, exactly one per day present.
        let recent: Vec<&NaiveDateTime> = kept.iter().filter(|t| now - **t <= chrono::Duration::days(90) && !sorted[..24].contains(t)).collect();
        let mut days: Vec<NaiveDate> = recent.iter().map(|t| t.date()).collect();
        let n = days.len();
        days.dedup();
        assert_eq!(days.len(), n, "one per day");
        let days_present: std::collections::BTreeSet<NaiveDate> = times.iter().filter(|t| now - **t <= chrono::Duration::days(90)).map(|t| t.date()).collect();
        let days_kept: std::collections::BTreeSet<NaiveDate> = kept.iter().filter(|t| now - **t <= chrono::Duration::days(90)).map(|t| t.date()).collect();
        assert_eq!(days_present, days_kept, "every day within 90 days keeps one");
        // Older: one per month, the newest of the month.
        let old: Vec<&NaiveDateTime> = kept.iter().filter(|t| now - **t > chrono::Duration::days(90)).collect();
        let months: std::collections::BTreeSet<(i32, u32)> = old.iter().map(|t| (t.year(), t.month())).collect();
        assert_eq!(months.len(), old.len(), "one per month");
        for m in &months {
            let newest_old = times.iter().filter(|t| now - **t > chrono::Duration::days(90) && (t.year(), t.month()) == *m).max().unwrap();
            assert!(old.contains(&newest_old), "the newest of {m:?} is kept");
        }
        assert!(kept.len() < 24 + 91 + 8, "{}", kept.len());
        // Stable: applying the rule to what is kept keeps all of it.
        assert!(retention(&kept, now).iter().all(|k| *k));
    }

    #[test]
    fn retention_small_sets_and_future_times() {
        assert!(retention(&[], t(2026, 1, 1, 0)).is_empty());
        let now = t(2026, 1, 1, 0);
        let times: Vec<NaiveDateTime> = (0..10).map(|i| now - chrono::Duration::days(400 * i)).collect();
        assert!(retention(&times, now).iter().all(|k| *k), "fewer than 24: all kept");
        // A clock set forward once: those backups count as new, the rest is still pruned by rule.
        let now = t(2026, 1, 1, 12);
        let mut times: Vec<NaiveDateTime> = (0..30).map(|i| now - chrono::Duration::minutes(i)).collect();
        times.push(now + chrono::Duration::days(365));
        let keep = retention(&times, now);
        assert!(keep[30], "future backup kept");
        assert_eq!(keep.iter().filter(|k| **k).count(), 24, "the 24 newest (incl. the future one); today already has its one");
        assert!(!keep[29], "the oldest of today goes");
    }

    #[test]
    fn periodic_backup_is_due_only_after_changes_and_15_minutes() {
        let now = Utc::now();
        assert!(!is_due(None, 0, 0, now), "nothing in the journal");
        assert!(is_due(None, 0, 5, now), "never backed up");
        assert!(!is_due(Some(now - chrono::Duration::minutes(20)), 5, 5, now), "no change");
        assert!(!is_due(Some(now - chrono::Duration::minutes(10)), 5, 9, now), "too soon");
        assert!(is_due(Some(now - chrono::Duration::minutes(15)), 5, 9, now));
        assert!(is_due(Some(now + chrono::Duration::hours(2)), 5, 9, now), "clock went back");
    }
}
