//! Recovery of a damaged database: what is wrong, what the newest good backup would lose, and\n//! putting it back.

use super::*;

/// Is the database at `db_path` damaged? `Some(problem)` when it is (or is missing).
pub(super) fn damage(db_path: &Path) -> Result<Option<String>> {
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
pub(super) fn estimate_loss(db_path: &Path, backup: Option<&BackupInfo>) -> LossEstimate {
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
