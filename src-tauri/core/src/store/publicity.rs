//! SQL of 公示 lists: the list, its items (a grant or a reward each), objections.

use super::Conn;
use rusqlite::{params, OptionalExtension, Row};
use serde_json::json;

use super::Tx;
use crate::error::{Error, Result};
use crate::model::publicity::{Item, Objection, ObjectionStatus, Outcome, Publicity};

columns!(P_COLS, pub_col {
    id = "p.id",
    notice_id = "p.notice_id",
    doc_number = "n.doc_number",
    subject = "p.subject",
    working_days = "p.working_days",
    starts_on = "p.starts_on",
    ends_on = "p.ends_on",
    contact = "p.contact",
    status = "p.status",
    created_at = "p.created_at",
    created_by = "p.created_by",
    closed_at = "p.closed_at",
    closed_by = "p.closed_by",
});

fn to_publicity(r: &Row<'_>) -> rusqlite::Result<Publicity> {
    Ok(Publicity {
        id: r.get(pub_col::id)?,
        notice_id: r.get(pub_col::notice_id)?,
        doc_number: r.get(pub_col::doc_number)?,
        subject: r.get(pub_col::subject)?,
        working_days: r.get(pub_col::working_days)?,
        starts_on: r.get(pub_col::starts_on)?,
        ends_on: r.get(pub_col::ends_on)?,
        contact: r.get(pub_col::contact)?,
        status: r.get(pub_col::status)?,
        created_at: r.get(pub_col::created_at)?,
        created_by: r.get(pub_col::created_by)?,
        closed_at: r.get(pub_col::closed_at)?,
        closed_by: r.get(pub_col::closed_by)?,
        items: Vec::new(),
    })
}

pub fn publicity(conn: Conn<'_>, id: i64) -> Result<Option<Publicity>> {
    let p = conn
        .prepare_cached(&format!("SELECT {P_COLS} FROM publicity p LEFT JOIN notice n ON n.id = p.notice_id WHERE p.id = ?1"))?
        .query_row([id], to_publicity)
        .optional()?;
    match p {
        Some(mut p) => {
            p.items = items(conn, id)?;
            Ok(Some(p))
        }
        None => Ok(None),
    }
}

pub fn publicities(conn: Conn<'_>) -> Result<Vec<Publicity>> {
    let mut st = conn.prepare(&format!("SELECT {P_COLS} FROM publicity p LEFT JOIN notice n ON n.id = p.notice_id ORDER BY p.id DESC"))?;
    let mut v = st.query_map([], to_publicity)?.collect::<rusqlite::Result<Vec<_>>>()?;
    for p in &mut v {
        p.items = items(conn, p.id)?;
    }
    Ok(v)
}

columns!(I_SQL = "SELECT ", item_col {
    id = "i.id",
    publicity_id = "i.publicity_id",
    grant_id = "i.grant_id",
    reward_id = "i.reward_id",
    enterprise_id = "i.enterprise_id",
    enterprise_name = "e.name",
    uscc = "e.uscc",
    program_name_zh = "coalesce((SELECT pg.name_zh FROM rent_grant g JOIN program pg ON pg.id = g.program_id WHERE g.id = i.grant_id), (SELECT pr.name_zh FROM reward r JOIN program pr ON pr.id = r.program_id WHERE r.id = i.reward_id), '')",
    amount_fen = "i.amount_fen",
    outcome = "i.outcome",
}, "  FROM publicity_item i JOIN enterprise e ON e.id = i.enterprise_id");

fn to_item(r: &Row<'_>) -> rusqlite::Result<Item> {
    let outcome: String = r.get(item_col::outcome)?;
    Ok(Item {
        id: r.get(item_col::id)?,
        publicity_id: r.get(item_col::publicity_id)?,
        grant_id: r.get(item_col::grant_id)?,
        reward_id: r.get(item_col::reward_id)?,
        enterprise_id: r.get(item_col::enterprise_id)?,
        enterprise_name: r.get(item_col::enterprise_name)?,
        uscc: r.get(item_col::uscc)?,
        program_name_zh: r.get(item_col::program_name_zh)?,
        amount_fen: r.get(item_col::amount_fen)?,
        outcome: Outcome::parse(&outcome),
        objections: Vec::new(),
    })
}

fn items(conn: Conn<'_>, publicity_id: i64) -> Result<Vec<Item>> {
    let mut st = conn.prepare_cached(&format!("{I_SQL} WHERE i.publicity_id = ?1 ORDER BY i.id"))?;
    let mut v = st.query_map([publicity_id], to_item)?.collect::<rusqlite::Result<Vec<_>>>()?;
    for i in &mut v {
        i.objections = objections(conn, i.id)?;
    }
    Ok(v)
}

/// The items a grant or a reward has been listed as (newest first).
pub fn items_of(conn: Conn<'_>, grant_id: Option<i64>, reward_id: Option<i64>) -> Result<Vec<(Item, Publicity)>> {
    let mut st =
        conn.prepare_cached(&format!("{I_SQL} WHERE (?1 IS NOT NULL AND i.grant_id = ?1) OR (?2 IS NOT NULL AND i.reward_id = ?2) ORDER BY i.id DESC"))?;
    let found = st.query_map(params![grant_id, reward_id], to_item)?.collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::new();
    for mut i in found {
        i.objections = objections(conn, i.id)?;
        let p = conn
            .prepare_cached(&format!("SELECT {P_COLS} FROM publicity p LEFT JOIN notice n ON n.id = p.notice_id WHERE p.id = ?1"))?
            .query_row([i.publicity_id], to_publicity)?;
        out.push((i, p));
    }
    Ok(out)
}

columns!(O_COLS, obj_col {
    id = "id",
    item_id = "item_id",
    received_on = "received_on",
    objector = "objector",
    text = "text",
    status = "status",
    resolution = "resolution",
    amended_fen = "amended_fen",
    created_at = "created_at",
    created_by = "created_by",
    resolved_at = "resolved_at",
    resolved_by = "resolved_by",
});

fn to_objection(r: &Row<'_>) -> rusqlite::Result<Objection> {
    let status: String = r.get(obj_col::status)?;
    Ok(Objection {
        id: r.get(obj_col::id)?,
        item_id: r.get(obj_col::item_id)?,
        received_on: r.get(obj_col::received_on)?,
        objector: r.get(obj_col::objector)?,
        text: r.get(obj_col::text)?,
        status: ObjectionStatus::parse(&status),
        resolution: r.get(obj_col::resolution)?,
        amended_fen: r.get(obj_col::amended_fen)?,
        created_at: r.get(obj_col::created_at)?,
        created_by: r.get(obj_col::created_by)?,
        resolved_at: r.get(obj_col::resolved_at)?,
        resolved_by: r.get(obj_col::resolved_by)?,
    })
}

fn objections(conn: Conn<'_>, item_id: i64) -> Result<Vec<Objection>> {
    let mut st = conn.prepare_cached(&format!("SELECT {O_COLS} FROM publicity_objection WHERE item_id = ?1 ORDER BY id"))?;
    let v = st.query_map([item_id], to_objection)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

pub fn objection(conn: Conn<'_>, id: i64) -> Result<Option<Objection>> {
    Ok(conn.prepare_cached(&format!("SELECT {O_COLS} FROM publicity_objection WHERE id = ?1"))?.query_row([id], to_objection).optional()?)
}

pub struct NewPublicity<'a> {
    pub subject: &'a str,
    pub working_days: i64,
    pub starts_on: &'a str,
    pub ends_on: &'a str,
    pub contact: &'a str,
}

/// (grant, reward, enterprise, amount)
pub type NewItem = (Option<i64>, Option<i64>, i64, i64);

pub fn insert(tx: &mut Tx<'_>, p: &NewPublicity<'_>, items: &[NewItem]) -> Result<i64> {
    let at = tx.at().to_string();
    let by = tx.actor().to_string();
    tx.sql().execute(
        "INSERT INTO publicity (subject, working_days, starts_on, ends_on, contact, status, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, 'open', ?6, ?7)",
        params![p.subject, p.working_days, p.starts_on, p.ends_on, p.contact, at, by],
    )?;
    let id = tx.sql().last_insert_rowid();
    for (g, r, e, a) in items {
        tx.sql().execute(
            "INSERT INTO publicity_item (publicity_id, grant_id, reward_id, enterprise_id, amount_fen) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, g, r, e, a],
        )?;
    }
    tx.audit(
        "publicity",
        id,
        "create",
        None,
        Some(&json!({"subject": p.subject, "working_days": p.working_days, "starts_on": p.starts_on, "ends_on": p.ends_on, "contact": p.contact,
            "items": items.iter().map(|(g, r, e, a)| json!({"grant_id": g, "reward_id": r, "enterprise_id": e, "amount_fen": a})).collect::<Vec<_>>()})),
    )?;
    Ok(id)
}

pub fn set_notice(tx: &mut Tx<'_>, id: i64, notice_id: i64) -> Result<()> {
    tx.sql().execute("UPDATE publicity SET notice_id = ?2 WHERE id = ?1", params![id, notice_id])?;
    Ok(())
}

pub fn insert_objection(tx: &mut Tx<'_>, item_id: i64, received_on: &str, objector: &str, text: &str) -> Result<i64> {
    let at = tx.at().to_string();
    let by = tx.actor().to_string();
    tx.sql().execute(
        "INSERT INTO publicity_objection (item_id, received_on, objector, text, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![item_id, received_on, objector, text, at, by],
    )?;
    let id = tx.sql().last_insert_rowid();
    tx.audit("publicity_objection", id, "record", None, Some(&json!({"item_id": item_id, "received_on": received_on, "objector": objector, "text": text})))?;
    Ok(id)
}

pub fn resolve_objection(tx: &mut Tx<'_>, id: i64, status: ObjectionStatus, resolution: &str, amended_fen: Option<i64>) -> Result<()> {
    let before = objection(tx.conn(), id)?.ok_or(Error::NotFound { entity: "objection", key: id.to_string() })?;
    let at = tx.at().to_string();
    let by = tx.actor().to_string();
    tx.sql().execute(
        "UPDATE publicity_objection SET status = ?2, resolution = ?3, amended_fen = ?4, resolved_at = ?5, resolved_by = ?6 WHERE id = ?1",
        params![id, status.as_str(), resolution, amended_fen, at, by],
    )?;
    tx.audit(
        "publicity_objection",
        id,
        "resolve",
        Some(&json!({"status": before.status.as_str()})),
        Some(&json!({"status": status.as_str(), "resolution": resolution, "amended_fen": amended_fen})),
    )?;
    Ok(())
}

pub fn set_outcome(tx: &mut Tx<'_>, item_id: i64, outcome: Outcome, amount_fen: Option<i64>) -> Result<()> {
    let before: (String, i64) =
        tx.sql().query_row("SELECT outcome, amount_fen FROM publicity_item WHERE id = ?1", [item_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    tx.sql().execute(
        "UPDATE publicity_item SET outcome = ?2, amount_fen = coalesce(?3, amount_fen) WHERE id = ?1",
        params![item_id, outcome.as_str(), amount_fen],
    )?;
    tx.audit(
        "publicity_item",
        item_id,
        "outcome",
        Some(&json!({"outcome": before.0, "amount_fen": before.1})),
        Some(&json!({"outcome": outcome.as_str(), "amount_fen": amount_fen.unwrap_or(before.1)})),
    )?;
    Ok(())
}

pub fn close(tx: &mut Tx<'_>, id: i64) -> Result<()> {
    let at = tx.at().to_string();
    let by = tx.actor().to_string();
    tx.sql().execute("UPDATE publicity SET status = 'closed', closed_at = ?2, closed_by = ?3 WHERE id = ?1", params![id, at, by])?;
    tx.audit("publicity", id, "close", Some(&json!({"status": "open"})), Some(&json!({"status": "closed"})))?;
    Ok(())
}

/// The list an item is on.
pub fn publicity_of_item(conn: Conn<'_>, item_id: i64) -> Result<i64> {
    Ok(conn.query_row("SELECT publicity_id FROM publicity_item WHERE id = ?1", [item_id], |r| r.get(0))?)
}
