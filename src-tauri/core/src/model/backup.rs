//! Backups: why one was made, where it is, what a backup run reports.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BackupKind {
    /// When the app closes.
    Exit,
    /// Every 15 minutes while something changed.
    Periodic,
    /// Before an import is committed.
    Import,
    /// Before the schema is migrated.
    Migration,
    /// The database as it was before a restore replaced it.
    Restore,
    /// Asked for by the user.
    Manual,
}

impl BackupKind {
    pub const ALL: [BackupKind; 6] =
        [BackupKind::Exit, BackupKind::Periodic, BackupKind::Import, BackupKind::Migration, BackupKind::Restore, BackupKind::Manual];
    pub fn as_str(self) -> &'static str {
        match self {
            BackupKind::Exit => "exit",
            BackupKind::Periodic => "periodic",
            BackupKind::Import => "import",
            BackupKind::Migration => "migration",
            BackupKind::Restore => "restore",
            BackupKind::Manual => "manual",
        }
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            BackupKind::Exit => "退出时",
            BackupKind::Periodic => "定时",
            BackupKind::Import => "导入前",
            BackupKind::Migration => "升级前",
            BackupKind::Restore => "恢复前",
            BackupKind::Manual => "手动",
        }
    }
    pub fn parse(s: &str) -> Option<BackupKind> {
        BackupKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum BackupFolder {
    /// `<db folder>/backups`
    Primary,
    /// The second folder from the settings (a USB drive).
    Second,
}

/// One backup file, as listed in 设置 → 备份与恢复.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct BackupInfo {
    pub file_name: String,
    pub path: String,
    pub folder: BackupFolder,
    pub kind: BackupKind,
    /// When it was made (UTC, RFC 3339, from the file name).
    pub created_at: String,
    pub size_bytes: u64,
    pub schema_version: i64,
    pub counts: RecordCounts,
    /// The newest audit event the backup holds (0: none). Changes after it are not in the backup.
    pub last_event_id: i64,
    pub last_event_at: Option<String>,
    /// Set when the file cannot be read (damaged, not a database): shown, never offered for restore.
    pub problem: Option<String>,
}

/// What [`create`] did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct BackupReport {
    pub backup: BackupInfo,
    /// The copy in the second folder, when one is set and the copy worked.
    pub second_copy: Option<String>,
    /// Why the second copy failed (drive not plugged in, full...). The backup itself is fine.
    pub second_copy_error: Option<String>,
    /// `foreign_key_check` findings in the copy (0 expected; the backup is kept either way).
    pub foreign_key_violations: i64,
    /// Old backups removed by the retention rule after this one was made.
    pub pruned: u64,
    pub millis: u64,
}

/// Records a database (or a backup) holds; `None` when the table does not exist in that schema.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct RecordCounts {
    pub enterprises: Option<i64>,
    pub certifications: Option<i64>,
    /// Rent-subsidy grants.
    pub grants: Option<i64>,
    /// Certification rewards.
    pub rewards: Option<i64>,
    pub notices: Option<i64>,
    pub audit_events: Option<i64>,
}
