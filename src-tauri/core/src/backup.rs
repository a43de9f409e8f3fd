//! Backups, restore and recovery. Nothing lost: a backup is a consistent copy made with SQLite's
//! online backup API into a temporary file of the backup folder, checked (`integrity_check`,
//! `foreign_key_check`), fsynced and renamed into place, so a crash or a full disk never leaves
//! half a backup under a final name. Names sort by time and say why the backup was made:
//! `huiqi-20260305T143012.123Z-import.db` (UTC).
//!
//! When: on exit and every 15 minutes when something changed ([`create_if_changed`], [`due`]),
//! before every import's first change ([`BeforeFirstChange`], taken by `import::commit`), before every migration
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

mod recover;
mod restore;
pub use recover::*;
pub use restore::*;

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
    match BeforeFirstChange::new(db)? {
        Some(b) => b.take(progress).map(Some),
        None => Ok(None),
    }
}

/// The import's backup, deferred to its first change of the ledger (`import::commit`): an import
/// that changes nothing (a park's file sent again) copies nothing, one that does is backed up
/// before that change. It is taken through a second, read-only connection: in WAL mode that
/// connection sees the database as last committed, so the copy holds the ledger exactly as it
/// was before the import, whatever the import's open transaction has written so far (its
/// batch record, rows it left unchanged). The import commits only after the copy was made and
/// checked; a failed or cancelled copy rolls the import back.
pub struct BeforeFirstChange {
    path: PathBuf,
}

impl BeforeFirstChange {
    /// None when no backup is needed: a read-only database, or an empty registry.
    pub fn new(db: &Db) -> Result<Option<BeforeFirstChange>> {
        if db.is_read_only() || crate::store::enterprise::count(db.conn())? == 0 {
            return Ok(None);
        }
        Ok(Some(BeforeFirstChange { path: db.path().to_path_buf() }))
    }

    /// Make the backup now (and prune, as every backup does).
    pub fn take(self, progress: &dyn Progress) -> Result<BackupReport> {
        let reader = Db::open(&self.path, store::OpenOptions { mode: store::Mode::Read, ..Default::default() })?;
        create_with(&reader, BackupKind::Import, progress)
    }
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
