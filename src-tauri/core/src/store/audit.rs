//! The audit journal: append-only (triggers refuse UPDATE and DELETE), each event chained to the
//! previous one by SHA-256, so that `huiqi check` can name the first event that was altered.

use super::Conn;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};
use ts_rs::TS;

use super::Tx;
use crate::error::Result;

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, Serialize, TS)]
pub struct AuditEvent {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    #[ts(type = "unknown")]
    pub before: Option<serde_json::Value>,
    #[ts(type = "unknown")]
    pub after: Option<serde_json::Value>,
    pub batch_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ChainReport {
    pub ok: bool,
    pub events: i64,
    /// The first event whose hash does not match its content or its predecessor.
    pub first_broken: Option<i64>,
    pub reason: Option<String>,
}

#[allow(clippy::too_many_arguments)]
fn event_hash(
    prev: &str,
    id: i64,
    at: &str,
    actor: &str,
    entity: &str,
    entity_id: &str,
    action: &str,
    before: Option<&str>,
    after: Option<&str>,
    batch: Option<i64>,
) -> String {
    // The canonical form is the compact JSON array of these fields (a tuple serialises as that
    // array, byte for byte). It is written into one buffer and hashed in one call: the row's JSON
    // is escaped inside it, and feeding the hash each short run between two escapes cost more
    // than the copy.
    let mut canonical = Vec::with_capacity(256 + before.map_or(0, str::len) + after.map_or(0, str::len));
    serde_json::to_writer(&mut canonical, &(id, at, actor, entity, entity_id, action, before, after, batch)).expect("writing into memory cannot fail");
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(&canonical);
    hex(&h.finalize())
}

pub fn hex(bytes: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(D[(b >> 4) as usize] as char);
        s.push(D[(b & 15) as usize] as char);
    }
    s
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub(super) fn append(
    tx: &mut Tx<'_>,
    entity: &str,
    entity_id: &str,
    action: &str,
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
) -> Result<(i64, String)> {
    let before_s = before.map(|v| v.to_string());
    let after_s = after.map(|v| v.to_string());
    append_raw(tx, entity, entity_id, action, before_s.as_deref(), after_s.as_deref())
}

pub(super) fn append_raw(tx: &mut Tx<'_>, entity: &str, entity_id: &str, action: &str, before_s: Option<&str>, after_s: Option<&str>) -> Result<(i64, String)> {
    let conn = tx.conn();
    let (last_id, prev): (i64, String) = match tx.last_event_cached() {
        Some((i, h)) => (i, h.to_string()),
        None => conn
            .prepare_cached("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1")?
            .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .unwrap_or((0, GENESIS.to_string())),
    };
    let id = last_id + 1;
    let at = tx.at().to_string();
    let actor = tx.actor().to_string();
    let batch = tx.batch();
    let hash = event_hash(&prev, id, &at, &actor, entity, entity_id, action, before_s, after_s, batch);
    tx.conn()
        .prepare_cached(
            "INSERT INTO audit_event (id, at, actor, entity, entity_id, action, before_json, after_json, batch_id, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute(params![id, at, actor, entity, entity_id, action, before_s, after_s, batch, prev, hash])?;
    Ok((id, hash))
}

columns!(CHAIN_SQL = "SELECT ", chain_col {
    id = "id",
    at = "at",
    actor = "actor",
    entity = "entity",
    entity_id = "entity_id",
    action = "action",
    before_json = "before_json",
    after_json = "after_json",
    batch_id = "batch_id",
    prev_hash = "prev_hash",
    hash = "hash",
}, " FROM audit_event ORDER BY id");

/// Recompute the chain from the first event; report the first one that does not verify.
pub fn verify_chain(conn: Conn<'_>) -> Result<ChainReport> {
    let mut st = conn.prepare(CHAIN_SQL)?;
    let mut rows = st.query([])?;
    let mut prev = GENESIS.to_string();
    let mut n = 0i64;
    let mut expected_id = 1i64;
    while let Some(r) = rows.next()? {
        n += 1;
        let id: i64 = r.get(chain_col::id)?;
        let stored_prev: String = r.get(chain_col::prev_hash)?;
        let stored_hash: String = r.get(chain_col::hash)?;
        let fail = |reason: &str| ChainReport { ok: false, events: n, first_broken: Some(id), reason: Some(reason.to_string()) };
        if id != expected_id {
            return Ok(fail("an event is missing before this one (ids are not consecutive)"));
        }
        if stored_prev != prev {
            return Ok(fail("prev_hash does not match the previous event"));
        }
        let h = event_hash(
            &prev,
            id,
            &r.get::<_, String>(chain_col::at)?,
            &r.get::<_, String>(chain_col::actor)?,
            &r.get::<_, String>(chain_col::entity)?,
            &r.get::<_, String>(chain_col::entity_id)?,
            &r.get::<_, String>(chain_col::action)?,
            r.get::<_, Option<String>>(chain_col::before_json)?.as_deref(),
            r.get::<_, Option<String>>(chain_col::after_json)?.as_deref(),
            r.get(chain_col::batch_id)?,
        );
        if h != stored_hash {
            return Ok(fail("the event's content does not match its hash (it was altered)"));
        }
        prev = stored_hash;
        expected_id += 1;
    }
    Ok(ChainReport { ok: true, events: n, first_broken: None, reason: None })
}

fn row_to_event(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEvent> {
    let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    Ok(AuditEvent {
        id: r.get(event_col::id)?,
        at: r.get(event_col::at)?,
        actor: r.get(event_col::actor)?,
        entity: r.get(event_col::entity)?,
        entity_id: r.get(event_col::entity_id)?,
        action: r.get(event_col::action)?,
        before: parse(r.get(event_col::before)?),
        after: parse(r.get(event_col::after)?),
        batch_id: r.get(event_col::batch_id)?,
    })
}

columns!(EVENT_COLS, event_col {
    id = "id",
    at = "at",
    actor = "actor",
    entity = "entity",
    entity_id = "entity_id",
    action = "action",
    before = "before_json",
    after = "after_json",
    batch_id = "batch_id",
});

/// The history of one entity, oldest first.
pub fn events_for(conn: Conn<'_>, entity: &str, entity_id: &str) -> Result<Vec<AuditEvent>> {
    let mut st = conn.prepare(&format!("SELECT {EVENT_COLS} FROM audit_event WHERE entity = ?1 AND entity_id = ?2 ORDER BY id"))?;
    let v = st.query_map(params![entity, entity_id], row_to_event)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

pub fn event(conn: Conn<'_>, id: i64) -> Result<Option<AuditEvent>> {
    Ok(conn.query_row(&format!("SELECT {EVENT_COLS} FROM audit_event WHERE id = ?1"), [id], row_to_event).optional()?)
}

pub fn events_in_batch(conn: Conn<'_>, batch: i64) -> Result<Vec<AuditEvent>> {
    let mut st = conn.prepare(&format!("SELECT {EVENT_COLS} FROM audit_event WHERE batch_id = ?1 ORDER BY id"))?;
    let v = st.query_map([batch], row_to_event)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

/// The most recent events of one kind of entity (for "undo the last change").
pub fn last_events(conn: Conn<'_>, entity: &str, limit: i64) -> Result<Vec<AuditEvent>> {
    let mut st = conn.prepare(&format!("SELECT {EVENT_COLS} FROM audit_event WHERE entity = ?1 ORDER BY id DESC LIMIT ?2"))?;
    let v = st.query_map(params![entity, limit], row_to_event)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

/// The newest changes of `entity` made outside import batches and not undone, compensations and
/// the demo data set's left out (the candidates of Ctrl+Z), newest first.
pub fn last_hand_events(conn: Conn<'_>, entity: &str, demo_actor: &str, limit: i64) -> Result<Vec<AuditEvent>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {EVENT_COLS} FROM audit_event WHERE entity = ?1 AND batch_id IS NULL AND action NOT LIKE 'undo%' AND actor <> ?2
           AND id NOT IN (SELECT event_id FROM undo_log) ORDER BY id DESC LIMIT ?3"
    ))?;
    let v = st.query_map(params![entity, demo_actor, limit], row_to_event)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

/// How many records of `entity` one transaction (its time, `at`) created outside a batch.
pub fn creates_in_transaction(conn: Conn<'_>, entity: &str, at: &str) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM audit_event WHERE entity = ?1 AND action = 'create' AND at = ?2 AND batch_id IS NULL",
        params![entity, at],
        |r| r.get(0),
    )?)
}

/// The newest Ctrl+Z undo (entity `undo`, naming the change it undid) that is not redone yet.
pub fn last_undo_to_redo(conn: Conn<'_>) -> Result<Option<AuditEvent>> {
    Ok(conn
        .query_row(
            &format!("SELECT {EVENT_COLS} FROM audit_event WHERE entity = 'undo' AND id NOT IN (SELECT event_id FROM undo_log) ORDER BY id DESC LIMIT 1"),
            [],
            row_to_event,
        )
        .optional()?)
}

/// Whether a change of `entity` was made by hand after event `after`: outside a batch, not an
/// undo's or a redo's compensation, not the demo data set's (undone since or not).
pub fn hand_change_after(conn: Conn<'_>, entity: &str, demo_actor: &str, after: i64) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM audit_event WHERE entity = ?1 AND id > ?2 AND batch_id IS NULL
           AND action NOT LIKE 'undo%' AND action NOT LIKE 'redo%' AND actor <> ?3)",
        params![entity, after, demo_actor],
        |r| r.get(0),
    )?)
}

/// Number of events (tests outside the crate).
pub fn count_for_test(db: &super::Db) -> i64 {
    count(db.conn()).unwrap_or(-1)
}

pub fn count(conn: Conn<'_>) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM audit_event", [], |r| r.get(0))?)
}

/// The first event of `entity` after event `after` (a merge's summary after its sides' events).
pub fn next_event_of(conn: Conn<'_>, entity: &str, after: i64) -> Result<Option<i64>> {
    Ok(conn.query_row("SELECT id FROM audit_event WHERE entity = ?1 AND id > ?2 ORDER BY id LIMIT 1", params![entity, after], |r| r.get(0)).optional()?)
}

/// A record with the fields of one change put back ([`Undone::revert`]).
pub struct Reverted {
    pub record: serde_json::Value,
    /// Fields put back.
    pub reverted: Vec<&'static str>,
    /// Fields the change made that were changed again since: left as they are.
    pub kept: Vec<&'static str>,
}

/// What has been undone: import batches, and single changes undone by Ctrl+Z (`undo_log`).
pub struct Undone {
    pub batches: std::collections::HashSet<i64>,
    pub events: std::collections::HashSet<i64>,
}

impl Undone {
    pub fn load(conn: Conn<'_>) -> Result<Undone> {
        let batches = conn.prepare("SELECT id FROM import_batch WHERE undone_at IS NOT NULL")?.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        let events = conn.prepare("SELECT event_id FROM undo_log")?.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        Ok(Undone { batches, events })
    }

    /// A change that no longer counts: one of an undone batch (its own or its undo's), one undone
    /// by Ctrl+Z, or the compensation that undid it. Never a record's creation.
    pub fn covers(&self, ev: &AuditEvent) -> bool {
        if ev.action == "create" {
            return false;
        }
        ev.batch_id.is_some_and(|b| self.batches.contains(&b))
            || self.events.contains(&ev.id)
            || matches!(ev.action.as_str(), "undo_import" | "undo_update" | "undo_merge")
    }

    /// The value to put back for `field` whose value before event `event` was `value`: while an
    /// earlier change that no longer counts wrote that value, what was there before it — so that
    /// undoing in any order ends where none of the undone changes had happened. `history` is the
    /// record's events, oldest first.
    pub fn value_before(&self, history: &[AuditEvent], event: i64, field: &str, value: serde_json::Value) -> serde_json::Value {
        let mut value = value;
        for ev in history.iter().rev().filter(|e| e.id < event) {
            let b = ev.before.as_ref().and_then(|v| v.get(field)).cloned().unwrap_or_default();
            let a = ev.after.as_ref().and_then(|v| v.get(field)).cloned().unwrap_or_default();
            if b == a {
                continue;
            }
            if !self.covers(ev) || a != value {
                break;
            }
            value = b;
        }
        value
    }

    /// The fields that changes after event `event` which still count wrote (not `batch`'s own):
    /// such a field keeps its value on undo, even when it equals what the undone change wrote.
    pub fn changed_since(&self, history: &[AuditEvent], event: i64, batch: Option<i64>) -> std::collections::HashSet<String> {
        let mut out = std::collections::HashSet::new();
        for e in history.iter().filter(|e| e.id > event && !self.covers(e) && !e.action.starts_with("undo") && (batch.is_none() || e.batch_id != batch)) {
            let (Some(b), Some(a)) = (e.before.as_ref().and_then(|v| v.as_object()), e.after.as_ref().and_then(|v| v.as_object())) else { continue };
            for (k, v) in a {
                if b.get(k) != Some(v) {
                    out.insert(k.clone());
                }
            }
        }
        out
    }

    /// Put back, on a record's current JSON, the `fields` change `ev` made — only where they still
    /// hold what it wrote and no later change that counts wrote them — to what was there before it
    /// (looking past what was undone since). `history` is the record's events, oldest first.
    pub fn revert(&self, current: &serde_json::Value, ev: &AuditEvent, history: &[AuditEvent], fields: &[&'static str]) -> Reverted {
        let mut out = Reverted { record: current.clone(), reverted: vec![], kept: vec![] };
        let (Some(before), Some(after)) = (&ev.before, &ev.after) else { return out };
        let since = self.changed_since(history, ev.id, ev.batch_id);
        for &f in fields {
            let (b, a) = (before.get(f).cloned().unwrap_or_default(), after.get(f).cloned().unwrap_or_default());
            if b == a {
                continue;
            }
            if current.get(f) != Some(&a) || since.contains(f) {
                out.kept.push(f);
                continue;
            }
            out.record[f] = self.value_before(history, ev.id, f, b);
            out.reverted.push(f);
        }
        out
    }

    /// Whether every change to a record since its creation no longer counts, its creation
    /// included (made by an undone batch): what is left of it is what undone work made.
    pub fn created_and_changed_only_by_undone(&self, history: &[AuditEvent]) -> bool {
        let Some((first, rest)) = history.split_first() else { return false };
        first.action == "create" && first.batch_id.is_some_and(|b| self.batches.contains(&b)) && rest.iter().all(|e| self.covers(e))
    }
}

#[cfg(test)]
mod tests {
    use super::{event_hash, hex};
    use crate::store::Db;
    use serde_json::json;
    use sha2::{Digest, Sha256};

    #[test]
    fn the_canonical_form_is_the_json_array_of_the_event() {
        // Databases written before keep verifying: the bytes hashed are those of this array.
        let after = r#"{"name":"甲\"乙","n":1}"#;
        let canonical = serde_json::json!([7, "2026-11-27T10:00:00Z", "王", "enterprise", "42", "create", null, after, 3]).to_string();
        let mut h = Sha256::new();
        h.update(b"abc\n");
        h.update(canonical.as_bytes());
        assert_eq!(event_hash("abc", 7, "2026-11-27T10:00:00Z", "王", "enterprise", "42", "create", None, Some(after), Some(3)), hex(&h.finalize()));
    }

    #[test]
    fn chain_verifies_and_names_the_first_altered_event() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.db");
        let mut db = Db::open_rw(&p).unwrap();
        let seeded = super::count(db.conn()).unwrap();
        for i in 0..5 {
            db.write(|tx| {
                tx.audit("thing", i, "create", None, Some(&json!({"n": i})))?;
                tx.audit("thing", i, "update", Some(&json!({"n": i})), Some(&json!({"n": i + 1})))?;
                Ok(())
            })
            .unwrap();
        }
        let r = super::verify_chain(db.conn()).unwrap();
        assert!(r.ok);
        assert_eq!(r.events, seeded + 10);
        let target = seeded + 4;

        // The table refuses UPDATE and DELETE...
        assert!(db.conn().execute("UPDATE audit_event SET actor = 'x' WHERE id = ?1", [target]).is_err());
        assert!(db.conn().execute("DELETE FROM audit_event WHERE id = ?1", [target]).is_err());
        // ...so a forger must drop the trigger first; the chain still catches it.
        db.conn().execute_batch("DROP TRIGGER audit_event_no_update;").unwrap();
        db.conn().execute("UPDATE audit_event SET after_json = '{\"n\":99}' WHERE id = ?1", [target]).unwrap();
        let r = super::verify_chain(db.conn()).unwrap();
        assert!(!r.ok);
        assert_eq!(r.first_broken, Some(target));
    }

    #[test]
    fn a_failed_write_leaves_no_event() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Db::open_rw(dir.path().join("a.db")).unwrap();
        let n0 = super::count(db.conn()).unwrap();
        let r: crate::error::Result<()> = db.write(|tx| {
            tx.audit("thing", 1, "create", None, None)?;
            Err(crate::error::Error::invalid("nope", "不行", "no"))
        });
        assert!(r.is_err());
        assert_eq!(super::count(db.conn()).unwrap(), n0);
    }
}
