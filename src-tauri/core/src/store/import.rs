//! SQL of imports: batches, their items, remembered mappings; and the rows the import kinds
//! create (leases, rent applications, certifications).

use super::Conn;
use rusqlite::{params, OptionalExtension};

use super::Tx;
use crate::error::Result;
use crate::model::import::{BatchInfo, BatchItem, CertRecord, RentRecord};

#[allow(clippy::too_many_arguments)] // one row of import_batch, column by column
pub fn insert_batch(
    tx: &mut Tx<'_>,
    file_name: &str,
    sha: &str,
    kind: &str,
    park_id: Option<i64>,
    sheet: &str,
    header_row: u32,
    mapping_json: &str,
) -> Result<i64> {
    let at = tx.at().to_string();
    let by = tx.actor().to_string();
    tx.sql().execute(
        "INSERT INTO import_batch (file_name, file_sha256, kind, park_id, sheet, header_row, mapping_json, summary_json, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, '{}', ?8, ?9)",
        params![file_name, sha, kind, park_id, sheet, header_row, mapping_json, at, by],
    )?;
    Ok(tx.sql().last_insert_rowid())
}

/// The batch's summary, and its file's SHA-256 (hashed beside the import: `insert_batch` may
/// have had none yet).
pub fn finish_batch(tx: &mut Tx<'_>, id: i64, sha: &str, summary_json: &str) -> Result<()> {
    tx.sql().execute("UPDATE import_batch SET summary_json = ?2, file_sha256 = ?3 WHERE id = ?1", params![id, summary_json, sha])?;
    let after: serde_json::Value = serde_json::from_str(summary_json)?;
    tx.audit("import_batch", id, "import", None, Some(&after))?;
    Ok(())
}

#[allow(clippy::too_many_arguments)] // one row of import_batch_item, column by column
pub fn insert_item(tx: &Tx<'_>, batch: i64, row: u32, uscc: &str, name: &str, action: &str, entity: &str, entity_id: Option<i64>) -> Result<()> {
    let mut st =
        tx.sql().prepare_cached("INSERT INTO import_batch_item (batch_id, row, uscc, name, action, entity, entity_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?;
    st.execute(params![batch, row, uscc, name, action, entity, entity_id])?;
    Ok(())
}

columns!(BATCH_COLS, batch_col {
    id = "b.id",
    file_name = "b.file_name",
    file_sha256 = "b.file_sha256",
    kind = "b.kind",
    park = "p.name",
    sheet = "b.sheet",
    header_row = "b.header_row",
    summary = "b.summary_json",
    created_at = "b.created_at",
    created_by = "b.created_by",
    undone_at = "b.undone_at",
    undone_by = "b.undone_by",
});

fn to_batch(r: &rusqlite::Row<'_>) -> rusqlite::Result<BatchInfo> {
    Ok(BatchInfo {
        id: r.get(batch_col::id)?,
        file_name: r.get(batch_col::file_name)?,
        file_sha256: r.get(batch_col::file_sha256)?,
        kind: r.get(batch_col::kind)?,
        park: r.get(batch_col::park)?,
        sheet: r.get(batch_col::sheet)?,
        header_row: r.get(batch_col::header_row)?,
        summary: serde_json::from_str(&r.get::<_, String>(batch_col::summary)?).unwrap_or(serde_json::Value::Null),
        created_at: r.get(batch_col::created_at)?,
        created_by: r.get(batch_col::created_by)?,
        undone_at: r.get(batch_col::undone_at)?,
        undone_by: r.get(batch_col::undone_by)?,
    })
}

pub fn batch(conn: Conn<'_>, id: i64) -> Result<Option<BatchInfo>> {
    Ok(conn.query_row(&format!("SELECT {BATCH_COLS} FROM import_batch b LEFT JOIN park p ON p.id = b.park_id WHERE b.id = ?1"), [id], to_batch).optional()?)
}

pub fn batches(conn: Conn<'_>, limit: i64) -> Result<Vec<BatchInfo>> {
    let mut st = conn.prepare(&format!("SELECT {BATCH_COLS} FROM import_batch b LEFT JOIN park p ON p.id = b.park_id ORDER BY b.id DESC LIMIT ?1"))?;
    let v = st.query_map([limit], to_batch)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

/// The most recent batch of this file that was not undone.
pub fn batch_by_sha(conn: Conn<'_>, sha: &str) -> Result<Option<BatchInfo>> {
    Ok(conn
        .query_row(
            &format!("SELECT {BATCH_COLS} FROM import_batch b LEFT JOIN park p ON p.id = b.park_id WHERE b.file_sha256 = ?1 AND b.undone_at IS NULL ORDER BY b.id DESC LIMIT 1"),
            [sha],
            to_batch,
        )
        .optional()?)
}

/// The park's previous batch of this kind (not undone): its enterprises (uscc, name).
/// A batch and its enterprises (uscc, name).
pub type ParkBatch = (i64, Vec<(String, String)>);

pub fn previous_park_batch(conn: Conn<'_>, park_id: i64, kind: &str, before: Option<i64>) -> Result<Option<ParkBatch>> {
    let id: Option<i64> = conn
        .query_row(
            "SELECT id FROM import_batch b WHERE park_id = ?1 AND kind = ?2 AND undone_at IS NULL AND (?3 IS NULL OR id < ?3)
               AND EXISTS (SELECT 1 FROM import_batch_item i WHERE i.batch_id = b.id) ORDER BY id DESC LIMIT 1",
            params![park_id, kind, before],
            |r| r.get(0),
        )
        .optional()?;
    let Some(id) = id else { return Ok(None) };
    // In file order, each (code, name) once: deduplicated here, as the rows come in key order
    // (SQL's DISTINCT built a temporary B-tree of the whole batch).
    let mut st = conn.prepare("SELECT uscc, name FROM import_batch_item WHERE batch_id = ?1 ORDER BY row")?;
    let mut seen = std::collections::HashSet::new();
    let mut v = Vec::new();
    for pair in st.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        let pair = pair?;
        if seen.insert(pair.clone()) {
            v.push(pair);
        }
    }
    Ok(Some((id, v)))
}

pub fn items(conn: Conn<'_>, batch: i64) -> Result<Vec<BatchItem>> {
    let mut st = conn.prepare("SELECT row, uscc, name, action, entity, entity_id FROM import_batch_item WHERE batch_id = ?1 ORDER BY row")?;
    let v = st
        .query_map([batch], |r| {
            Ok(BatchItem {
                row: r.get("row")?,
                uscc: r.get("uscc")?,
                name: r.get("name")?,
                action: r.get("action")?,
                entity: r.get("entity")?,
                entity_id: r.get("entity_id")?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

/// Whether a rent application or certification (by table name) still exists.
pub fn exists(conn: Conn<'_>, table: &str, id: i64) -> Result<bool> {
    let sql = match table {
        "rent_application" => "SELECT count(*) FROM rent_application WHERE id = ?1",
        "certification" => "SELECT count(*) FROM certification WHERE id = ?1",
        _ => return Ok(false),
    };
    Ok(conn.query_row(sql, [id], |r| r.get::<_, i64>(0))? > 0)
}

pub fn mark_undone(tx: &mut Tx<'_>, id: i64) -> Result<()> {
    let at = tx.at().to_string();
    let by = tx.actor().to_string();
    tx.sql().execute("UPDATE import_batch SET undone_at = ?2, undone_by = ?3 WHERE id = ?1", params![id, at, by])?;
    Ok(())
}

pub fn profile(conn: Conn<'_>, park_id: i64, kind: &str) -> Result<Option<String>> {
    Ok(conn.query_row("SELECT mapping_json FROM import_profile WHERE park_id = ?1 AND kind = ?2", params![park_id, kind], |r| r.get(0)).optional()?)
}

pub fn save_profile(tx: &mut Tx<'_>, park_id: i64, kind: &str, mapping_json: &str) -> Result<()> {
    let before = profile(tx.conn(), park_id, kind)?;
    if before.as_deref() == Some(mapping_json) {
        return Ok(());
    }
    let at = tx.at().to_string();
    tx.sql().execute(
        "INSERT INTO import_profile (park_id, kind, mapping_json, updated_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (park_id, kind) DO UPDATE SET mapping_json = excluded.mapping_json, updated_at = excluded.updated_at",
        params![park_id, kind, mapping_json, at],
    )?;
    let b = before.and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok());
    let a: serde_json::Value = serde_json::from_str(mapping_json)?;
    tx.audit("import_profile", format!("{park_id}:{kind}"), "set", b.as_ref(), Some(&a))?;
    Ok(())
}

// ---- rent applications ------------------------------------------------------------------------

/// An application already stored for this enterprise, lease start and subsidy year.
pub fn find_rent_application(conn: Conn<'_>, enterprise_id: i64, start: &str, year: i64) -> Result<Option<(i64, i64)>> {
    let mut st = conn.prepare_cached(
        "SELECT a.id, a.lease_id FROM rent_application a JOIN lease l ON l.id = a.lease_id
         WHERE a.enterprise_id = ?1 AND l.start_on = ?2 AND a.subsidy_year = ?3",
    )?;
    Ok(st.query_row(params![enterprise_id, start, year], |r| Ok((r.get(0)?, r.get(1)?))).optional()?)
}

columns!(APP_JSON_SQL = "SELECT ", app_json {
    id = "a.id",
    enterprise_id = "a.enterprise_id",
    lease_id = "a.lease_id",
    subsidy_year = "a.subsidy_year",
    period_start = "a.period_start",
    period_end = "a.period_end",
    revenue_prev_fen = "a.revenue_prev_fen",
    revenue_curr_fen = "a.revenue_curr_fen",
    requested_fen = "a.requested_fen",
    lease_address = "l.address",
    area_centi_m2 = "l.area_centi_m2",
    unit_rent_fen = "l.unit_rent_fen",
    lease_start = "l.start_on",
    lease_end = "l.end_on",
    annual_rent_fen = "l.annual_rent_fen",
}, " FROM rent_application a JOIN lease l ON l.id = a.lease_id WHERE a.id = ?1");

pub fn rent_application_json(conn: Conn<'_>, id: i64) -> Result<serde_json::Value> {
    use app_json as c;
    let mut st = conn.prepare_cached(APP_JSON_SQL)?;
    Ok(st.query_row([id], |r| {
        Ok(serde_json::json!({
            "id": r.get::<_, i64>(c::id)?, "enterprise_id": r.get::<_, i64>(c::enterprise_id)?, "lease_id": r.get::<_, i64>(c::lease_id)?,
            "subsidy_year": r.get::<_, i64>(c::subsidy_year)?, "period_start": r.get::<_, String>(c::period_start)?,
            "period_end": r.get::<_, String>(c::period_end)?, "revenue_prev_fen": r.get::<_, Option<i64>>(c::revenue_prev_fen)?,
            "revenue_curr_fen": r.get::<_, Option<i64>>(c::revenue_curr_fen)?, "requested_fen": r.get::<_, Option<i64>>(c::requested_fen)?,
            "lease_address": r.get::<_, String>(c::lease_address)?, "area_centi_m2": r.get::<_, i64>(c::area_centi_m2)?,
            "unit_rent_fen": r.get::<_, i64>(c::unit_rent_fen)?, "lease_start": r.get::<_, String>(c::lease_start)?,
            "lease_end": r.get::<_, String>(c::lease_end)?, "annual_rent_fen": r.get::<_, Option<i64>>(c::annual_rent_fen)?,
        }))
    })?)
}

pub fn insert_rent(tx: &mut Tx<'_>, enterprise_id: i64, park_id: Option<i64>, r: &RentRecord, source: &str) -> Result<i64> {
    let at = tx.at().to_string();
    let batch = tx.batch();
    let start = r.lease_start.clone().unwrap_or_default();
    let end = r.lease_end.clone().unwrap_or_default();
    tx.conn()
        .prepare_cached(
            "INSERT INTO lease (enterprise_id, address, area_centi_m2, unit_rent_fen, start_on, end_on, annual_rent_fen, park_id, source, batch_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute(params![
            enterprise_id,
            r.lease_address.clone().unwrap_or_default(),
            r.area_centi_m2.unwrap_or(0),
            r.unit_rent_fen.unwrap_or(0),
            start,
            end,
            r.annual_rent_fen,
            park_id,
            source,
            batch,
            at
        ])?;
    let lease_id = tx.sql().last_insert_rowid();
    tx.sql().prepare_cached(
        "INSERT INTO rent_application (enterprise_id, lease_id, subsidy_year, period_start, period_end, revenue_prev_fen, revenue_curr_fen, requested_fen, source, batch_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![enterprise_id, lease_id, r.subsidy_year.unwrap_or(1), start, end, r.revenue_prev_fen, r.revenue_curr_fen, r.requested_fen, source, batch, at])?;
    let id = tx.sql().last_insert_rowid();
    let after = rent_application_json(tx.conn(), id)?;
    tx.audit("rent_application", id, "create", None, Some(&after))?;
    Ok(id)
}

pub fn update_rent(tx: &mut Tx<'_>, id: i64, lease_id: i64, r: &RentRecord) -> Result<()> {
    let before = rent_application_json(tx.conn(), id)?;
    tx.sql().execute(
        "UPDATE lease SET address = COALESCE(?2, address), area_centi_m2 = COALESCE(?3, area_centi_m2), unit_rent_fen = COALESCE(?4, unit_rent_fen),
             end_on = COALESCE(?5, end_on), annual_rent_fen = COALESCE(?6, annual_rent_fen) WHERE id = ?1",
        params![lease_id, r.lease_address, r.area_centi_m2, r.unit_rent_fen, r.lease_end, r.annual_rent_fen],
    )?;
    tx.sql().execute(
        "UPDATE rent_application SET period_end = COALESCE(?2, period_end), revenue_prev_fen = COALESCE(?3, revenue_prev_fen),
             revenue_curr_fen = COALESCE(?4, revenue_curr_fen), requested_fen = COALESCE(?5, requested_fen) WHERE id = ?1",
        params![id, r.lease_end, r.revenue_prev_fen, r.revenue_curr_fen, r.requested_fen],
    )?;
    let after = rent_application_json(tx.conn(), id)?;
    tx.audit("rent_application", id, "update", Some(&before), Some(&after))?;
    Ok(())
}

/// Put a rent application (and its lease) back as `before` says (undo of an update).
pub fn restore_rent(tx: &mut Tx<'_>, before: &serde_json::Value, action: &str) -> Result<()> {
    let id = before["id"].as_i64().unwrap_or(0);
    let current = rent_application_json(tx.conn(), id)?;
    tx.sql().execute(
        "UPDATE lease SET address = ?2, area_centi_m2 = ?3, unit_rent_fen = ?4, end_on = ?5, annual_rent_fen = ?6 WHERE id = ?1",
        params![
            before["lease_id"].as_i64(),
            before["lease_address"].as_str(),
            before["area_centi_m2"].as_i64(),
            before["unit_rent_fen"].as_i64(),
            before["lease_end"].as_str(),
            before["annual_rent_fen"].as_i64()
        ],
    )?;
    tx.sql().execute(
        "UPDATE rent_application SET period_end = ?2, revenue_prev_fen = ?3, revenue_curr_fen = ?4, requested_fen = ?5 WHERE id = ?1",
        params![id, before["period_end"].as_str(), before["revenue_prev_fen"].as_i64(), before["revenue_curr_fen"].as_i64(), before["requested_fen"].as_i64()],
    )?;
    tx.audit("rent_application", id, action, Some(&current), Some(before))?;
    Ok(())
}

/// Remove a rent application or a certification (by table name) an import created.
pub fn remove_record(tx: &mut Tx<'_>, table: &str, id: i64, action: &str) -> Result<()> {
    if table == "rent_application" {
        remove_rent(tx, id, action)
    } else {
        remove_certification(tx, id, action)
    }
}

/// Remove a rent application the batch created, and its lease (undo of an import).
pub fn remove_rent(tx: &mut Tx<'_>, id: i64, action: &str) -> Result<()> {
    let before = rent_application_json(tx.conn(), id)?;
    tx.sql().execute("DELETE FROM rent_application WHERE id = ?1", [id])?;
    let lease = before["lease_id"].as_i64().unwrap_or(0);
    let others: i64 = tx.sql().query_row("SELECT count(*) FROM rent_application WHERE lease_id = ?1", [lease], |r| r.get(0))?;
    if others == 0 {
        tx.sql().execute("DELETE FROM lease WHERE id = ?1", [lease])?;
    }
    tx.audit("rent_application", id, action, Some(&before), None)?;
    Ok(())
}

// ---- certifications ---------------------------------------------------------------------------

pub fn find_certification(conn: Conn<'_>, enterprise_id: i64, kind: &str, number: &str, issued: &str) -> Result<Option<i64>> {
    let mut st = conn.prepare_cached(
        "SELECT id FROM certification WHERE enterprise_id = ?1 AND kind = ?2 AND revoked = 0
           AND ((?3 != '' AND certificate_no = ?3) OR (?3 = '' AND issued_on = ?4)) ORDER BY id LIMIT 1",
    )?;
    Ok(st.query_row(params![enterprise_id, kind, number, issued], |r| r.get(0)).optional()?)
}

columns!(CERT_JSON_SQL = "SELECT ", cert_json {
    id = "id",
    enterprise_id = "enterprise_id",
    kind = "kind",
    certificate_no = "certificate_no",
    issued_on = "issued_on",
    expires_on = "expires_on",
    expiry_flag = "expiry_flag",
    level = "level",
    source = "source",
    batch_id = "batch_id",
    revoked = "revoked",
}, " FROM certification WHERE id = ?1");

pub fn certification_json(conn: Conn<'_>, id: i64) -> Result<serde_json::Value> {
    use cert_json as c;
    let mut st = conn.prepare_cached(CERT_JSON_SQL)?;
    Ok(st.query_row([id], |r| {
        Ok(serde_json::json!({
            "id": r.get::<_, i64>(c::id)?, "enterprise_id": r.get::<_, i64>(c::enterprise_id)?, "kind": r.get::<_, String>(c::kind)?,
            "certificate_no": r.get::<_, String>(c::certificate_no)?, "issued_on": r.get::<_, String>(c::issued_on)?,
            "expires_on": r.get::<_, Option<String>>(c::expires_on)?, "expiry_flag": r.get::<_, bool>(c::expiry_flag)?,
            "level": r.get::<_, String>(c::level)?, "source": r.get::<_, String>(c::source)?,
            "batch_id": r.get::<_, Option<i64>>(c::batch_id)?, "revoked": r.get::<_, bool>(c::revoked)?,
        }))
    })?)
}

pub fn insert_certification(tx: &mut Tx<'_>, enterprise_id: i64, c: &CertRecord, level: &str, source: &str) -> Result<i64> {
    let at = tx.at().to_string();
    let batch = tx.batch();
    tx.conn()
        .prepare_cached(
            "INSERT INTO certification (enterprise_id, kind, certificate_no, issued_on, expires_on, expiry_flag, level, source, batch_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            enterprise_id,
            c.kind,
            c.certificate_no.clone().unwrap_or_default(),
            c.issued_on.clone().unwrap_or_default(),
            c.expires_on,
            c.expiry_differs_from_rule.unwrap_or(false),
            level,
            source,
            batch,
            at
        ])?;
    let id = tx.sql().last_insert_rowid();
    let after = certification_json(tx.conn(), id)?;
    tx.audit("certification", id, "create", None, Some(&after))?;
    Ok(id)
}

pub fn update_certification_dates(tx: &mut Tx<'_>, id: i64, c: &CertRecord) -> Result<bool> {
    let before = certification_json(tx.conn(), id)?;
    // An expiry worked out from the rule (blank cell) never replaces a stored one.
    let keep = c.expiry_from_rule && !before["expires_on"].is_null();
    let new_exp = if keep { before["expires_on"].as_str().map(String::from) } else { c.expires_on.clone() };
    if before["expires_on"].as_str().map(String::from) == new_exp && before["issued_on"].as_str() == c.issued_on.as_deref() {
        return Ok(false);
    }
    let flag = if keep { None } else { Some(c.expiry_differs_from_rule.unwrap_or(false)) };
    tx.sql().execute(
        "UPDATE certification SET issued_on = COALESCE(?2, issued_on), expires_on = COALESCE(?3, expires_on), expiry_flag = COALESCE(?4, expiry_flag) WHERE id = ?1",
        params![id, c.issued_on, new_exp, flag],
    )?;
    let after = certification_json(tx.conn(), id)?;
    tx.audit("certification", id, "update", Some(&before), Some(&after))?;
    Ok(true)
}

pub fn restore_certification(tx: &mut Tx<'_>, before: &serde_json::Value, action: &str) -> Result<()> {
    let id = before["id"].as_i64().unwrap_or(0);
    let current = certification_json(tx.conn(), id)?;
    tx.sql().execute(
        "UPDATE certification SET issued_on = ?2, expires_on = ?3, expiry_flag = ?4 WHERE id = ?1",
        params![id, before["issued_on"].as_str(), before["expires_on"].as_str(), before["expiry_flag"].as_bool().unwrap_or(false)],
    )?;
    tx.audit("certification", id, action, Some(&current), Some(before))?;
    Ok(())
}

pub fn remove_certification(tx: &mut Tx<'_>, id: i64, action: &str) -> Result<()> {
    let before = certification_json(tx.conn(), id)?;
    tx.sql().execute("DELETE FROM certification WHERE id = ?1", [id])?;
    tx.audit("certification", id, action, Some(&before), None)?;
    Ok(())
}

/// What was made later from a record an import created, and so holds it in place: a rent
/// application's subsidy grants (also through its lease, when the lease is the application's
/// alone), a certification's rewards and notices. (table, id, enterprise name), oldest first.
pub fn made_from(conn: Conn<'_>, entity: &str, id: i64) -> Result<Vec<(&'static str, i64, String)>> {
    let queries: &[(&'static str, &str)] = match entity {
        "rent_application" => &[(
            "rent_grant",
            "SELECT g.id, e.name FROM rent_grant g JOIN enterprise e ON e.id = g.enterprise_id
              WHERE g.application_id = ?1
                 OR (g.lease_id = (SELECT lease_id FROM rent_application WHERE id = ?1)
                     AND NOT EXISTS (SELECT 1 FROM rent_application o WHERE o.lease_id = g.lease_id AND o.id != ?1))
              ORDER BY g.id",
        )],
        "certification" => &[
            ("reward", "SELECT r.id, e.name FROM reward r JOIN enterprise e ON e.id = r.enterprise_id WHERE r.certification_id = ?1 ORDER BY r.id"),
            ("notice", "SELECT n.id, e.name FROM notice n JOIN enterprise e ON e.id = n.enterprise_id WHERE n.certification_id = ?1 ORDER BY n.id"),
        ],
        _ => &[],
    };
    let mut out = Vec::new();
    for (table, sql) in queries {
        let mut st = conn.prepare_cached(sql)?;
        let rows = st.query_map([id], |r| Ok((*table, r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            out.push(row?);
        }
    }
    Ok(out)
}

/// The first event of a record (when and by whom it was made).
pub fn first_event(conn: Conn<'_>, entity: &str, entity_id: i64) -> Result<Option<(i64, String, String, String)>> {
    let mut st = conn.prepare_cached("SELECT id, action, at, actor FROM audit_event WHERE entity = ?1 AND entity_id = ?2 ORDER BY id LIMIT 1")?;
    Ok(st.query_row(params![entity, entity_id.to_string()], |r| Ok((r.get("id")?, r.get("action")?, r.get("at")?, r.get("actor")?))).optional()?)
}
