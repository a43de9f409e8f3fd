//! Key/value settings (office details, UI language, user name). Writes are audited like any other.

use super::Conn;
use rusqlite::{params, OptionalExtension};

use super::Tx;
use crate::error::Result;

pub const USER_NAME: &str = "user.name";
pub const UI_LANG: &str = "ui.lang";
pub const FIRST_RUN_DONE: &str = "app.first_run_done";
pub const OFFICE: &str = "office";

pub fn get(conn: Conn<'_>, key: &str) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT value FROM setting WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

pub fn set(tx: &mut Tx<'_>, key: &str, value: &str) -> Result<bool> {
    let before = get(tx.conn(), key)?;
    if before.as_deref() == Some(value) {
        return Ok(false);
    }
    tx.sql().execute("INSERT INTO setting (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", params![key, value])?;
    let b = before.map(serde_json::Value::String);
    let a = serde_json::Value::String(value.to_string());
    tx.audit("setting", key, "set", b.as_ref(), Some(&a))?;
    Ok(true)
}
