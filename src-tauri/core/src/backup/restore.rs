//! Putting a backup back: verified first, the current file kept aside, never while another process\n//! writes.

use super::*;

pub(super) fn newer_refused(path: &Path, found: i64) -> Error {
    let name = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let supported = store::migrations::latest();
    Error::refused(
        "backup_too_new",
        format!("备份“{name}”由更新版本的惠企台账写入（结构版本 {found}，本程序支持到 {supported}），不能用本程序恢复。请先升级惠企台账。"),
        format!("The backup “{name}” was written by a newer Huiqi Ledger (schema {found}; this program supports {supported}). Upgrade first."),
    )
    .with_details(serde_json::json!({"file": path.display().to_string(), "found": found, "supported": supported}))
}

pub(super) fn unusable_backup(path: &Path, zh: &str, en: &str) -> Error {
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
pub(super) fn folder_of(db_path: &Path, backup: &Path) -> BackupFolder {
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

pub(super) fn set_aside_locked(db_path: &Path) -> Result<Option<PathBuf>> {
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
pub(super) fn put_in_place(db_path: &Path, backup: &Path) -> Result<(String, i64)> {
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
