//! The one error type of the core. Every variant has a stable snake_case `code` (the IPC and CLI
//! contract), a message in the user's language and, where useful, structured `details`.

use serde_json::{json, Value};

use crate::i18n::Lang;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The user's input was refused: `code` is a stable machine-readable reason (e.g. `uscc_checksum`),
    /// `zh` / `en` say what to do next, `details` names the field, row or column.
    #[error("{en}")]
    Invalid { code: &'static str, zh: String, en: String, details: Option<Value> },
    /// The operation is refused by a business rule (state, budget, limit).
    #[error("{en}")]
    Refused { code: &'static str, zh: String, en: String, details: Option<Value> },
    #[error("not found: {entity} {key}")]
    NotFound { entity: &'static str, key: String },
    /// Another process (the app) holds the database's writer lock.
    #[error("the database is in use by another Huiqi Ledger process ({holder})")]
    Locked { holder: String },
    /// The database file was written by a newer version of the app.
    #[error("database schema version {found} is newer than this program's {supported}")]
    TooNew { found: i64, supported: i64 },
    /// quick_check / integrity_check failed: nothing is opened for writing.
    #[error("database integrity check failed: {0}")]
    Corrupt(String),
    #[error("the database is open read-only")]
    ReadOnly,
    #[error("cancelled")]
    Cancelled,
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("file error ({path}): {source}")]
    Io { path: String, source: std::io::Error },
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn invalid(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Error::Invalid { code, zh: zh.into(), en: en.into(), details: None }
    }
    pub fn refused(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Error::Refused { code, zh: zh.into(), en: en.into(), details: None }
    }
    pub fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        Error::Io { path: path.as_ref().display().to_string(), source }
    }
    /// Attach structured details (field, row, column...) to an Invalid or Refused error.
    pub fn with_details(mut self, d: Value) -> Self {
        match &mut self {
            Error::Invalid { details, .. } | Error::Refused { details, .. } => *details = Some(d),
            _ => {}
        }
        self
    }

    /// Stable snake_case code: part of the IPC and CLI contract.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid { code, .. } | Error::Refused { code, .. } => code,
            Error::NotFound { .. } => "not_found",
            Error::Locked { .. } => "database_locked",
            Error::TooNew { .. } => "database_too_new",
            Error::Corrupt(_) => "database_corrupt",
            Error::ReadOnly => "database_read_only",
            Error::Cancelled => "cancelled",
            Error::Sqlite(e) if is_disk_full(e) => "disk_full",
            Error::Sqlite(e) if is_busy(e) => "database_busy",
            Error::Sqlite(_) => "database_error",
            Error::Io { source, .. } if source.raw_os_error() == Some(28) => "disk_full",
            Error::Io { .. } => "file_error",
            Error::Internal(_) => "internal",
        }
    }

    /// CLI exit code: 1 input or operation refused, 3 database problem.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Invalid { .. } | Error::Refused { .. } | Error::NotFound { .. } | Error::Cancelled => 1,
            Error::Io { .. } => 1,
            _ => 3,
        }
    }

    pub fn details(&self) -> Option<Value> {
        match self {
            Error::Invalid { details, .. } | Error::Refused { details, .. } => details.clone(),
            Error::NotFound { entity, key } => Some(json!({"entity": entity, "key": key})),
            Error::Locked { holder } => Some(json!({"holder": holder})),
            Error::TooNew { found, supported } => Some(json!({"found": found, "supported": supported})),
            Error::Io { path, .. } => Some(json!({"path": path})),
            _ => None,
        }
    }

    /// The message in the user's language, saying what happened and what to do next.
    pub fn message(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        match self {
            Error::Invalid { zh: z, en, .. } | Error::Refused { zh: z, en, .. } => {
                if zh {
                    z.clone()
                } else {
                    en.clone()
                }
            }
            Error::NotFound { entity, key } => {
                if zh {
                    format!("没有找到{}：{}。请检查输入是否正确。", entity_zh(entity), key)
                } else {
                    format!("No {} found for {}. Check what you typed.", entity.replace('_', " "), key)
                }
            }
            Error::Locked { holder } => {
                if zh {
                    format!("数据库正被另一个惠企台账程序使用（{holder}）。请先关闭它，或稍后再试。")
                } else {
                    format!("The database is in use by another Huiqi Ledger process ({holder}). Close it or try again later.")
                }
            }
            Error::TooNew { found, supported } => {
                if zh {
                    format!(
                        "这个数据库由更新版本的惠企台账写入（结构版本 {found}，本程序支持到 {supported}）。为避免损坏数据，本程序不会打开它，请升级惠企台账。"
                    )
                } else {
                    format!("This database was written by a newer Huiqi Ledger (schema {found}; this program supports up to {supported}). It was not opened, to keep it safe: please upgrade.")
                }
            }
            Error::Corrupt(what) => {
                if zh {
                    format!("数据库完整性检查未通过（{what}）。为保护数据，没有以可写方式打开。请从备份恢复，或联系技术支持。")
                } else {
                    format!("The database failed its integrity check ({what}). Nothing was opened for writing. Restore a backup or contact support.")
                }
            }
            Error::ReadOnly => {
                if zh {
                    "数据库以只读方式打开，不能修改。请检查文件和文件夹的写入权限。".into()
                } else {
                    "The database is open read-only; nothing can be changed. Check the file and folder permissions.".into()
                }
            }
            Error::Cancelled => {
                if zh {
                    "操作已取消，数据未改变。".into()
                } else {
                    "Cancelled; nothing was changed.".into()
                }
            }
            Error::Sqlite(e) if is_disk_full(e) => {
                if zh {
                    "磁盘已满，操作未完成，数据保持原样。请清理磁盘空间后重试。".into()
                } else {
                    "The disk is full. Nothing was changed. Free some space and try again.".into()
                }
            }
            Error::Sqlite(e) if is_busy(e) => {
                if zh {
                    "数据库正忙（另一个程序正在写入）。请稍后再试。".into()
                } else {
                    "The database is busy (another program is writing). Try again shortly.".into()
                }
            }
            Error::Sqlite(e) => {
                if zh {
                    format!("数据库错误：{e}。数据未改变。")
                } else {
                    format!("Database error: {e}. Nothing was changed.")
                }
            }
            Error::Io { path, source } if source.raw_os_error() == Some(28) => {
                if zh {
                    format!("磁盘已满，无法写入 {path}。数据未改变，请清理磁盘空间后重试。")
                } else {
                    format!("The disk is full: could not write {path}. Nothing was changed; free some space and retry.")
                }
            }
            Error::Io { path, source } => {
                if zh {
                    format!("无法读写文件 {path}：{}", io_reason_zh(source))
                } else {
                    format!("Could not read or write {path}: {source}.")
                }
            }
            Error::Internal(m) => {
                if zh {
                    format!("程序内部错误：{m}。数据未改变，请联系技术支持。")
                } else {
                    format!("Internal error: {m}. Nothing was changed; please report it.")
                }
            }
        }
    }
}

/// What a file error means, in words a program manager can act on (the system's own text, in
/// English, only for the rare rest).
fn io_reason_zh(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "找不到这个文件（可能已被移动、改名或删除，或 U 盘已拔出）。请重新选择文件。".into(),
        K::PermissionDenied => "没有读写这个文件的权限（可能被其他程序占用或设为只读）。请关闭占用它的程序，或把它复制到“文档”文件夹后再试。".into(),
        K::IsADirectory => "这是一个文件夹，不是文件。请选择文件夹里的表格文件。".into(),
        K::ReadOnlyFilesystem => "所在的磁盘是只读的。请选择其他位置。".into(),
        K::StorageFull => "磁盘已满。请清理磁盘空间后重试。".into(),
        K::UnexpectedEof => "文件不完整（可能没有复制完）。请重新复制或让对方重新发送。".into(),
        _ => format!("系统报告错误（{e}）。请重试；如仍不行，请联系技术支持。"),
    }
}

fn entity_zh(entity: &str) -> &'static str {
    match entity {
        "enterprise" => "企业",
        "park" => "园区",
        "import_batch" => "导入批次",
        "grant" => "补贴",
        "reward" => "奖励",
        "certification" => "认定",
        "notice" => "公文",
        "program" => "支持项目",
        "clause" => "政策条款",
        "lease" => "租赁",
        "backup" => "备份",
        "template" => "公文模板",
        _ => "记录",
    }
}

fn is_disk_full(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DiskFull)
}
fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.code == rusqlite::ErrorCode::DatabaseBusy || f.code == rusqlite::ErrorCode::DatabaseLocked)
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Internal(format!("json: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_snake_case() {
        let e = Error::invalid("uscc_checksum", "校验位错误", "bad check character");
        assert_eq!(e.code(), "uscc_checksum");
        assert_eq!(e.exit_code(), 1);
        assert_eq!(Error::TooNew { found: 9, supported: 2 }.code(), "database_too_new");
        assert_eq!(Error::TooNew { found: 9, supported: 2 }.exit_code(), 3);
        assert!(Error::TooNew { found: 9, supported: 2 }.message(Lang::Zh).contains("更新版本"));
        assert_eq!(Error::Locked { holder: "pid 1".into() }.code(), "database_locked");
    }

    #[test]
    fn messages_follow_language() {
        let e = Error::invalid("x", "中文", "english");
        assert_eq!(e.message(Lang::Zh), "中文");
        assert_eq!(e.message(Lang::En), "english");
        let nf = Error::NotFound { entity: "enterprise", key: "91".into() };
        assert!(nf.message(Lang::Zh).starts_with("没有找到企业"));
        assert!(nf.message(Lang::En).starts_with("No enterprise"));
    }
}

/// What the UI and `--format json` receive for an error: `{code, message, details?}`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct ErrorPayload {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[ts(optional, type = "unknown")]
    pub details: Option<Value>,
}

impl Error {
    pub fn payload(&self, lang: Lang) -> ErrorPayload {
        ErrorPayload { code: self.code().to_string(), message: self.message(lang), details: self.details() }
    }
}
