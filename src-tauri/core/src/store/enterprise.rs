//! SQL of the enterprise registry: parks, sectors, enterprises, their search index.

use super::Conn;
use rusqlite::{params, params_from_iter, OptionalExtension, Row};

use super::Tx;
use crate::error::{Error, Result};
use crate::model::enterprise::{Enterprise, EnterpriseQuery, EnterpriseRow, EnterpriseStatus, Park, SortKey, Validated};

columns!(COLS, ent_col {
    id = "e.id",
    uscc = "e.uscc",
    name = "e.name",
    founded_on = "e.founded_on",
    registered_capital_fen = "e.registered_capital_fen",
    park_id = "e.park_id",
    park = "p.name",
    sector = "e.sector",
    contact_name = "e.contact_name",
    contact_phone = "e.contact_phone",
    address = "e.address",
    status = "e.status",
    notes = "e.notes",
    high_tech = "e.high_tech",
    uscc_org_code_warning = "e.uscc_org_code_warning",
    merged_into = "e.merged_into",
    created_at = "e.created_at",
    updated_at = "e.updated_at",
    revision = "e.revision",
});

fn row_to_enterprise(r: &Row<'_>) -> rusqlite::Result<Enterprise> {
    Ok(Enterprise {
        id: r.get(ent_col::id)?,
        uscc: r.get(ent_col::uscc)?,
        name: r.get(ent_col::name)?,
        founded_on: r.get(ent_col::founded_on)?,
        registered_capital_fen: r.get(ent_col::registered_capital_fen)?,
        park_id: r.get(ent_col::park_id)?,
        park: r.get(ent_col::park)?,
        sector: r.get(ent_col::sector)?,
        contact_name: r.get(ent_col::contact_name)?,
        contact_phone: r.get(ent_col::contact_phone)?,
        address: r.get(ent_col::address)?,
        status: EnterpriseStatus::parse(&r.get::<_, String>(ent_col::status)?),
        notes: r.get(ent_col::notes)?,
        high_tech: r.get(ent_col::high_tech)?,
        uscc_org_code_warning: r.get(ent_col::uscc_org_code_warning)?,
        merged_into: r.get(ent_col::merged_into)?,
        created_at: r.get(ent_col::created_at)?,
        updated_at: r.get(ent_col::updated_at)?,
        revision: r.get(ent_col::revision)?,
    })
}

pub fn get(conn: Conn<'_>, id: i64) -> Result<Option<Enterprise>> {
    let mut st = conn.prepare_cached(&format!("SELECT {COLS} FROM enterprise e LEFT JOIN park p ON p.id = e.park_id WHERE e.id = ?1"))?;
    Ok(st.query_row([id], row_to_enterprise).optional()?)
}

pub fn get_by_uscc(conn: Conn<'_>, uscc: &str) -> Result<Option<Enterprise>> {
    let mut st = conn.prepare_cached(&format!("SELECT {COLS} FROM enterprise e LEFT JOIN park p ON p.id = e.park_id WHERE e.uscc = ?1"))?;
    Ok(st.query_row([uscc], row_to_enterprise).optional()?)
}

/// Enterprises whose normalised name equals `key` (duplicate warnings).
pub fn find_by_name_key(conn: Conn<'_>, key: &str) -> Result<Vec<Enterprise>> {
    let mut st = conn.prepare(&format!(
        "SELECT {COLS} FROM enterprise e LEFT JOIN park p ON p.id = e.park_id WHERE e.name_norm = ?1 AND e.status != 'merged' ORDER BY e.id"
    ))?;
    let v = st.query_map([key], row_to_enterprise)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

/// What search-as-you-type indexes for one enterprise: the character pairs of each field (name,
/// contact, phone, park, sector) and its last character, fields kept apart so that no pair spans
/// two of them.
pub fn search_body(name: &str, contact: &str, phone: &str, park: Option<&str>, sector: &str) -> String {
    let mut out = String::with_capacity(name.len() * 4);
    for field in [name, contact, phone, park.unwrap_or(""), sector] {
        let chars = search_chars(field);
        if chars.is_empty() {
            continue;
        }
        if !out.is_empty() {
            // Between fields, a token no query has (queries are letters and digits): no phrase
            // spans two fields, and no one-character prefix matches it.
            out.push_str("· ");
        }
        for w in chars.windows(2) {
            out.push(w[0]);
            out.push(w[1]);
            out.push(' ');
        }
        // The last character alone: a one-character search is the prefix of the pairs, and
        // the last character starts none.
        out.push(chars[chars.len() - 1]);
        out.push(' ');
    }
    out
}

/// Letters and digits only, NFKC, upper case: "（江苏）" and "(江苏)" index the same.
pub fn search_chars(s: &str) -> Vec<char> {
    // Chinese characters and ASCII: NFKC keeps them, and only ASCII has an upper case.
    if crate::text::is_plain_nfkc(s) {
        return s.chars().filter(|c| c.is_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect();
    }
    search_chars_general(s)
}

fn search_chars_general(s: &str) -> Vec<char> {
    use unicode_normalization::UnicodeNormalization;
    s.nfkc().filter(|c| c.is_alphanumeric()).flat_map(|c| c.to_uppercase()).collect()
}

/// The FTS5 query for a fragment: two or more characters are the phrase of their pairs, in
/// order; one character is the prefix of every pair it starts (`"江"*`), and — so that a field's
/// last character is found too — of the field's last character, which the index holds alone.
pub fn search_phrase(chars: &[char]) -> String {
    if let [c] = chars {
        return format!("\"{c}\"*");
    }
    let pairs: Vec<String> = chars.windows(2).map(|w| w.iter().collect()).collect();
    format!("\"{}\"", pairs.join(" "))
}

fn body_of(e: &Enterprise) -> String {
    search_body(&e.name, &e.contact_name, &e.contact_phone, e.park.as_deref(), &e.sector)
}

fn fts_put(conn: Conn<'_>, id: i64, body: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM enterprise_fts WHERE rowid = ?1")?.execute([id])?;
    conn.prepare_cached("INSERT INTO enterprise_fts (rowid, body) VALUES (?1, ?2)")?.execute(params![id, body])?;
    Ok(())
}

fn fts_remove(conn: Conn<'_>, id: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM enterprise_fts WHERE rowid = ?1")?.execute([id])?;
    Ok(())
}

/// Index every enterprise again (migration 3; also usable after a repair).
pub fn rebuild_search_index(conn: Conn<'_>) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM enterprise_fts", [])?;
    let mut st = conn.prepare(
        "SELECT e.id, e.name, e.contact_name, e.contact_phone, p.name AS park, e.sector FROM enterprise e LEFT JOIN park p ON p.id = e.park_id WHERE e.status != 'merged'",
    )?;
    let mut ins = conn.prepare("INSERT INTO enterprise_fts (rowid, body) VALUES (?1, ?2)")?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let body = search_body(
            &r.get::<_, String>("name")?,
            &r.get::<_, String>("contact_name")?,
            &r.get::<_, String>("contact_phone")?,
            r.get::<_, Option<String>>("park")?.as_deref(),
            &r.get::<_, String>("sector")?,
        );
        ins.execute(params![r.get::<_, i64>("id")?, body])?;
    }
    Ok(())
}

/// Bulk loading: drop the registry's secondary indexes inside the transaction and return the
/// statements that build them again ([`rebuild_indexes`] before the transaction ends). Building
/// an index from sorted rows once is much cheaper than 100,000 inserts at random places in it.
/// The uniqueness of the USCC (which the import looks rows up by) stays in force throughout.
pub fn suspend_indexes(tx: &mut Tx<'_>) -> Result<Vec<String>> {
    let defs: Vec<(String, String)> = tx
        .conn()
        .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'enterprise' AND sql IS NOT NULL ORDER BY name")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (name, _) in &defs {
        // The name comes from sqlite_schema (a DDL statement takes no parameters).
        tx.sql().execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
    }
    Ok(defs.into_iter().map(|(_, sql)| sql).collect())
}

/// The page cache (and so the sorter's memory) while [`rebuild_indexes`] runs, in KiB.
const INDEX_BUILD_CACHE_KIB: i64 = 1024;

/// Build again the indexes [`suspend_indexes`] dropped (same statements, same transaction).
pub fn rebuild_indexes(tx: &mut Tx<'_>, sql: &[String]) -> Result<()> {
    if sql.is_empty() {
        return Ok(());
    }
    // The import's reading thread has finished: SQLite's sorter may use the other core. It hands
    // a sorted run to its helper thread each time its memory (bounded by the page cache) fills, so
    // a small cache while the indexes are built puts more of the sorting on that core (100,000
    // rows: 2.00 → 1.94 s, 8 MB less at the peak; 256 KB and 2 MB measured no better).
    tx.sql().execute_batch("PRAGMA threads = 1")?;
    let cache: i64 = tx.sql().query_row("PRAGMA cache_size", [], |r| r.get(0))?;
    tx.sql().execute_batch(&format!("PRAGMA cache_size=-{INDEX_BUILD_CACHE_KIB}"))?;
    let built = sql.iter().try_for_each(|s| tx.sql().execute_batch(s));
    tx.sql().execute_batch(&format!("PRAGMA cache_size={cache}; PRAGMA threads = 0"))?;
    Ok(built?)
}

/// The park of that name, created (and journalled) when missing.
pub fn park_id_for(tx: &mut Tx<'_>, name: &str) -> Result<i64> {
    if let Some(&id) = tx.park_ids.get(name) {
        return Ok(id);
    }
    let id = match park_id_by_name(tx.conn(), name)? {
        Some(id) => id,
        None => {
            let at = tx.at().to_string();
            tx.sql().execute("INSERT INTO park (name, created_at) VALUES (?1, ?2)", params![name, at])?;
            let id = tx.sql().last_insert_rowid();
            let after = serde_json::json!({"id": id, "name": name});
            tx.audit("park", id, "create", None, Some(&after))?;
            id
        }
    };
    tx.park_ids.insert(name.to_string(), id);
    Ok(id)
}

pub fn insert(tx: &mut Tx<'_>, v: &Validated) -> Result<Enterprise> {
    insert_indexed(tx, v.clone(), &search_body_of(v))
}

/// What the search index holds for a record about to be written (a pure function: an import
/// computes it on its reading thread, off the thread that writes).
pub fn search_body_of(v: &Validated) -> String {
    search_body(&v.name, &v.contact_name, &v.contact_phone, v.park.as_deref(), &v.sector)
}

/// [`insert`] with the record's search body already made by [`search_body_of`]; the record's
/// text moves into the returned row (no copy).
pub fn insert_indexed(tx: &mut Tx<'_>, v: Validated, search_body: &str) -> Result<Enterprise> {
    let park_id = match &v.park {
        Some(p) => Some(park_id_for(tx, p)?),
        None => None,
    };
    let at = tx.at().to_string();
    tx.conn()
        .prepare_cached(
            "INSERT INTO enterprise (uscc, name, name_norm, founded_on, registered_capital_fen, park_id, sector, contact_name,
             contact_phone, address, status, notes, high_tech, uscc_org_code_warning, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15)",
        )?
        .execute(params![
            v.uscc,
            v.name,
            v.name_key,
            v.founded_on,
            v.registered_capital_fen,
            park_id,
            v.sector,
            v.contact_name,
            v.contact_phone,
            v.address,
            v.status.as_str(),
            v.notes,
            v.high_tech,
            v.uscc_org_code_warning,
            at
        ])?;
    let id = tx.sql().last_insert_rowid();
    tx.sql().prepare_cached("INSERT INTO enterprise_fts (rowid, body) VALUES (?1, ?2)")?.execute(params![id, search_body])?;
    // The row as stored, built from what was just written (no read back).
    let e = Enterprise {
        id,
        uscc: v.uscc,
        name: v.name,
        founded_on: v.founded_on,
        registered_capital_fen: v.registered_capital_fen,
        park_id,
        park: v.park,
        sector: v.sector,
        contact_name: v.contact_name,
        contact_phone: v.contact_phone,
        address: v.address,
        status: v.status,
        notes: v.notes,
        high_tech: v.high_tech,
        uscc_org_code_warning: v.uscc_org_code_warning,
        merged_into: None,
        created_at: at.clone(),
        updated_at: at,
        revision: 1,
    };
    let after = serde_json::to_string(&e)?;
    tx.audit_json("enterprise", id, "create", None, Some(&after))?;
    Ok(e)
}

/// Every USCC in the registry (an import checks "new or not" without a query per row).
pub fn all_usccs(conn: Conn<'_>) -> Result<std::collections::HashSet<String>> {
    let mut st = conn.prepare("SELECT uscc FROM enterprise")?;
    let v = st.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<std::collections::HashSet<_>>>()?;
    Ok(v)
}

/// The codes of enterprises merged into another: code → (the survivor's name, its code).
pub fn merged_away(conn: Conn<'_>) -> Result<std::collections::HashMap<String, (String, String)>> {
    let mut st = conn.prepare("SELECT l.uscc, s.name, s.uscc FROM enterprise l JOIN enterprise s ON s.id = l.merged_into")?;
    let v = st.query_map([], |r| Ok((r.get::<_, String>(0)?, (r.get(1)?, r.get(2)?))))?.collect::<rusqlite::Result<_>>()?;
    Ok(v)
}

/// Write `v` over enterprise `id`. Returns None when nothing changed (no event is written).
pub fn update(tx: &mut Tx<'_>, id: i64, v: &Validated, action: &str) -> Result<Option<Enterprise>> {
    let before = get(tx.conn(), id)?.ok_or(Error::NotFound { entity: "enterprise", key: id.to_string() })?;
    let park_id = match &v.park {
        Some(p) => Some(park_id_for(tx, p)?),
        None => None,
    };
    let changed = before.uscc != v.uscc
        || before.name != v.name
        || before.founded_on != v.founded_on
        || before.registered_capital_fen != v.registered_capital_fen
        || before.park_id != park_id
        || before.sector != v.sector
        || before.contact_name != v.contact_name
        || before.contact_phone != v.contact_phone
        || before.address != v.address
        || before.status != v.status
        || before.notes != v.notes
        || before.high_tech != v.high_tech;
    if !changed {
        return Ok(None);
    }
    let at = tx.at().to_string();
    tx.conn()
        .prepare_cached(
            "UPDATE enterprise SET uscc = ?2, name = ?3, name_norm = ?4, founded_on = ?5, registered_capital_fen = ?6, park_id = ?7,
             sector = ?8, contact_name = ?9, contact_phone = ?10, address = ?11, status = ?12, notes = ?13, high_tech = ?14,
             uscc_org_code_warning = ?15, updated_at = ?16, revision = revision + 1
         WHERE id = ?1",
        )?
        .execute(params![
            id,
            v.uscc,
            v.name,
            v.name_key,
            v.founded_on,
            v.registered_capital_fen,
            park_id,
            v.sector,
            v.contact_name,
            v.contact_phone,
            v.address,
            v.status.as_str(),
            v.notes,
            v.high_tech,
            v.uscc_org_code_warning,
            at
        ])?;
    let after = get(tx.conn(), id)?.ok_or_else(|| Error::Internal("updated enterprise vanished".into()))?;
    if after.status == EnterpriseStatus::Merged {
        fts_remove(tx.conn(), id)?;
    } else {
        fts_put(tx.conn(), id, &body_of(&after))?;
    }
    tx.audit("enterprise", id, action, Some(&serde_json::to_value(&before)?), Some(&serde_json::to_value(&after)?))?;
    Ok(Some(after))
}

/// Remove a row that an undo says never should have existed (undo of a create). Refused when
/// anything links to it. The create and this removal both stay in the journal.
pub fn remove_created(tx: &mut Tx<'_>, id: i64, action: &str) -> Result<()> {
    let before = get(tx.conn(), id)?.ok_or(Error::NotFound { entity: "enterprise", key: id.to_string() })?;
    let links = link_counts(tx.conn(), id)?;
    if let Some((table, n)) = links.into_iter().find(|(_, n)| *n > 0) {
        return Err(Error::refused(
            "enterprise_has_links",
            format!("企业“{}”已有{}条关联记录（{}），不能撤销其创建。", before.name, n, table),
            format!("“{}” already has {} linked records ({}); its creation cannot be undone.", before.name, n, table),
        ));
    }
    fts_remove(tx.conn(), id)?;
    tx.sql().execute("DELETE FROM enterprise WHERE id = ?1", [id])?;
    tx.audit("enterprise", id, action, Some(&serde_json::to_value(&before)?), None)?;
    Ok(())
}

/// Put back a row exactly as it was (undo of a removal), keeping its id.
pub fn restore(tx: &mut Tx<'_>, e: &Enterprise, action: &str) -> Result<()> {
    let park_id = match &e.park {
        Some(p) => Some(park_id_for(tx, p)?),
        None => None,
    };
    let key = crate::text::name_key(&e.name);
    tx.sql().execute(
        "INSERT INTO enterprise (id, uscc, name, name_norm, founded_on, registered_capital_fen, park_id, sector, contact_name,
             contact_phone, address, status, notes, high_tech, uscc_org_code_warning, merged_into, created_at, updated_at, revision)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
        params![
            e.id,
            e.uscc,
            e.name,
            key,
            e.founded_on,
            e.registered_capital_fen,
            park_id,
            e.sector,
            e.contact_name,
            e.contact_phone,
            e.address,
            e.status.as_str(),
            e.notes,
            e.high_tech,
            e.uscc_org_code_warning,
            e.merged_into,
            e.created_at,
            e.updated_at,
            e.revision
        ],
    )?;
    let _ = key;
    if e.status != EnterpriseStatus::Merged {
        fts_put(tx.conn(), e.id, &body_of(e))?;
    }
    tx.audit("enterprise", e.id, action, None, Some(&serde_json::to_value(e)?))?;
    Ok(())
}

/// Mark `loser` as merged into `survivor` (it stays, status `merged`).
/// When the survivor takes the loser's USCC, `free_uscc` renames the loser's to `<code>#merged<id>`.
pub fn mark_merged(tx: &mut Tx<'_>, loser: i64, survivor: i64, free_uscc: bool) -> Result<()> {
    let before = get(tx.conn(), loser)?.ok_or(Error::NotFound { entity: "enterprise", key: loser.to_string() })?;
    let at = tx.at().to_string();
    tx.sql().execute(
        "UPDATE enterprise SET status = 'merged', merged_into = ?2, updated_at = ?3, revision = revision + 1,
             uscc = CASE WHEN ?4 THEN uscc || '#merged' || id ELSE uscc END
         WHERE id = ?1",
        params![loser, survivor, at, free_uscc],
    )?;
    let after = get(tx.conn(), loser)?.ok_or_else(|| Error::Internal("merged enterprise vanished".into()))?;
    fts_remove(tx.conn(), loser)?;
    tx.audit("enterprise", loser, "merged_into", Some(&serde_json::to_value(&before)?), Some(&serde_json::to_value(&after)?))?;
    Ok(())
}

/// Tables that reference an enterprise: merge moves these links, undo of a create checks them.
/// Each later migration that adds an `enterprise_id` column adds its table here.
pub const LINK_TABLES: &[&str] = &["lease", "growth_report", "rent_application", "certification", "rent_grant", "reward", "notice"];

pub fn link_counts(conn: Conn<'_>, id: i64) -> Result<Vec<(&'static str, i64)>> {
    let mut v = Vec::new();
    for t in LINK_TABLES {
        let n: i64 = conn.query_row(&format!("SELECT count(*) FROM {t} WHERE enterprise_id = ?1"), [id], |r| r.get(0))?;
        v.push((*t, n));
    }
    Ok(v)
}

/// Every record linked to the enterprise, as (table, id), except the leases batch `batch` wrote
/// and the leases a rent application stands for (the application is listed instead).
pub fn links_outside_batch(conn: Conn<'_>, id: i64, batch: i64) -> Result<Vec<(&'static str, i64)>> {
    let mut v = Vec::new();
    for t in LINK_TABLES {
        let ids: Vec<i64> = if *t == "lease" {
            conn.prepare(
                "SELECT id FROM lease l WHERE enterprise_id = ?1 AND (batch_id IS NULL OR batch_id != ?2)
                   AND NOT EXISTS (SELECT 1 FROM rent_application a WHERE a.lease_id = l.id) ORDER BY id",
            )?
            .query_map(params![id, batch], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
        } else {
            conn.prepare(&format!("SELECT id FROM {t} WHERE enterprise_id = ?1 ORDER BY id"))?
                .query_map([id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        };
        v.extend(ids.into_iter().map(|i| (*t, i)));
    }
    for r in conn.prepare("SELECT id FROM enterprise WHERE merged_into = ?1 ORDER BY id")?.query_map([id], |r| r.get::<_, i64>(0))? {
        v.push(("enterprise", r?));
    }
    Ok(v)
}

/// Whether anything stands on the enterprise: a linked record, or an enterprise merged into it.
pub fn is_held(conn: Conn<'_>, id: i64) -> Result<bool> {
    let links: i64 = link_counts(conn, id)?.iter().map(|(_, n)| n).sum();
    let merged: i64 = conn.query_row("SELECT count(*) FROM enterprise WHERE merged_into = ?1", [id], |r| r.get(0))?;
    Ok(links + merged > 0)
}

/// Move every link of `from` to `to`; returns (table, moved ids) for the journal.
pub fn move_links(tx: &mut Tx<'_>, from: i64, to: i64) -> Result<Vec<(String, Vec<i64>)>> {
    let mut moved = Vec::new();
    for t in LINK_TABLES {
        let ids: Vec<i64> = {
            let mut st = tx.sql().prepare(&format!("SELECT id FROM {t} WHERE enterprise_id = ?1 ORDER BY id"))?;
            let v = st.query_map([from], |r| r.get(0))?.collect::<rusqlite::Result<Vec<i64>>>()?;
            v
        };
        if !ids.is_empty() {
            tx.sql().execute(&format!("UPDATE {t} SET enterprise_id = ?2 WHERE enterprise_id = ?1"), params![from, to])?;
            moved.push((t.to_string(), ids));
        }
    }
    Ok(moved)
}

/// Move the links a merge moved from `to` to `from` back, those still at `from` (a record removed
/// since may have left its id to another enterprise's).
pub fn move_links_back(tx: &mut Tx<'_>, moved: &[(String, Vec<i64>)], from: i64, to: i64) -> Result<()> {
    for (t, ids) in moved {
        if !LINK_TABLES.contains(&t.as_str()) {
            continue;
        }
        for id in ids {
            tx.sql().execute(&format!("UPDATE {t} SET enterprise_id = ?2 WHERE id = ?1 AND enterprise_id = ?3"), params![id, to, from])?;
        }
    }
    Ok(())
}

// ---- search -------------------------------------------------------------------------------------

struct Where {
    sql: String,
    args: Vec<rusqlite::types::Value>,
}

fn like_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// The WHERE clause of a registry query. `needs_park`: whether the park table must be joined.
fn build_where(q: &EnterpriseQuery) -> (Where, bool) {
    use rusqlite::types::Value as V;
    let mut conds: Vec<String> = Vec::new();
    let mut args: Vec<V> = Vec::new();
    let mut needs_park = false;
    match q.status {
        Some(s) => {
            conds.push(format!("e.status = ?{}", args.len() + 1));
            args.push(V::Text(s.as_str().into()));
        }
        None => conds.push("e.status != 'merged'".into()),
    }
    if let Some(p) = q.park.as_deref().filter(|p| !p.is_empty()) {
        conds.push(format!("e.park_id = (SELECT id FROM park WHERE name = ?{})", args.len() + 1));
        args.push(V::Text(p.into()));
    }
    if let Some(s) = q.sector.as_deref().filter(|p| !p.is_empty()) {
        conds.push(format!("e.sector = ?{}", args.len() + 1));
        args.push(V::Text(s.into()));
    }
    if let Some(k) = q.cert_kind.as_deref().filter(|p| !p.is_empty()) {
        conds.push(format!("EXISTS (SELECT 1 FROM certification c WHERE c.enterprise_id = e.id AND c.kind = ?{} AND c.revoked = 0)", args.len() + 1));
        args.push(V::Text(k.into()));
    }
    let text = q.q.as_deref().map(crate::model::enterprise::normalize_query).unwrap_or_default();
    if !text.is_empty() {
        let mut alts: Vec<String> = Vec::new();
        let code_like = text.len() >= 2 && text.len() <= 18 && text.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase());
        if code_like {
            // A USCC (or phone number) prefix: ranges on their indexes.
            alts.push(format!("(e.uscc >= ?{} AND e.uscc < ?{})", args.len() + 1, args.len() + 2));
            args.push(V::Text(text.clone()));
            args.push(V::Text(format!("{text}\u{10FFFF}")));
            if text.bytes().all(|b| b.is_ascii_digit()) && (text.starts_with('0') || text.starts_with('1')) {
                alts.push(format!("(e.contact_phone >= ?{} AND e.contact_phone < ?{})", args.len() + 1, args.len() + 2));
                args.push(V::Text(text.clone()));
                args.push(V::Text(format!("{text}\u{10FFFF}")));
            }
        }
        let chars = search_chars(&text);
        if !chars.is_empty() && !code_like {
            alts.push(format!("e.id IN (SELECT rowid FROM enterprise_fts WHERE enterprise_fts MATCH ?{})", args.len() + 1));
            args.push(V::Text(search_phrase(&chars)));
        } else if !code_like {
            let n = args.len() + 1;
            needs_park = true;
            alts.push(format!(
                "(e.name LIKE ?{n} ESCAPE '\\' OR e.contact_name LIKE ?{n} ESCAPE '\\' OR p.name LIKE ?{n} ESCAPE '\\' OR e.sector LIKE ?{n} ESCAPE '\\')"
            ));
            args.push(V::Text(format!("%{}%", like_escape(&text))));
        }
        if alts.is_empty() {
            alts.push("0".into());
        }
        conds.push(format!("({})", alts.join(" OR ")));
    }
    (Where { sql: if conds.is_empty() { String::new() } else { format!("WHERE {}", conds.join(" AND ")) }, args }, needs_park)
}

fn order_by(q: &EnterpriseQuery) -> String {
    let dir = if q.desc { "DESC" } else { "ASC" };
    let col = match q.sort.unwrap_or(SortKey::Id) {
        SortKey::Id => "e.id",
        SortKey::Name => "e.name_norm",
        SortKey::Uscc => "e.uscc",
        SortKey::FoundedOn => "e.founded_on",
        SortKey::RegisteredCapital => "e.registered_capital_fen",
        SortKey::Park => "p.name",
        SortKey::Sector => "e.sector",
        SortKey::Status => "e.status",
        SortKey::UpdatedAt => "e.updated_at",
    };
    format!("ORDER BY {col} {dir}, e.id {dir}")
}

columns!(ROW_COLS, row_col {
    id = "e.id",
    uscc = "e.uscc",
    name = "e.name",
    park = "p.name",
    sector = "e.sector",
    status = "e.status",
    contact_name = "e.contact_name",
    contact_phone = "e.contact_phone",
    founded_on = "e.founded_on",
    registered_capital_fen = "e.registered_capital_fen",
    high_tech = "e.high_tech",
    uscc_org_code_warning = "e.uscc_org_code_warning",
    updated_at = "e.updated_at",
});

fn to_row(r: &Row<'_>) -> rusqlite::Result<EnterpriseRow> {
    Ok(EnterpriseRow {
        id: r.get(row_col::id)?,
        uscc: r.get(row_col::uscc)?,
        name: r.get(row_col::name)?,
        park: r.get(row_col::park)?,
        sector: r.get(row_col::sector)?,
        status: EnterpriseStatus::parse(&r.get::<_, String>(row_col::status)?),
        contact_name: r.get(row_col::contact_name)?,
        contact_phone: r.get(row_col::contact_phone)?,
        founded_on: r.get(row_col::founded_on)?,
        registered_capital_fen: r.get(row_col::registered_capital_fen)?,
        high_tech: r.get(row_col::high_tech)?,
        uscc_org_code_warning: r.get(row_col::uscc_org_code_warning)?,
        updated_at: r.get(row_col::updated_at)?,
    })
}

/// When the query is only a text fragment, its count comes from the index alone (merged records
/// are not indexed), without visiting the table.
fn fts_only_count(conn: Conn<'_>, q: &EnterpriseQuery) -> Result<Option<i64>> {
    if q.status.is_some()
        || q.park.as_deref().is_some_and(|p| !p.is_empty())
        || q.sector.as_deref().is_some_and(|p| !p.is_empty())
        || q.cert_kind.as_deref().is_some_and(|p| !p.is_empty())
    {
        return Ok(None);
    }
    let text = q.q.as_deref().map(crate::model::enterprise::normalize_query).unwrap_or_default();
    let code_like = text.len() >= 2 && text.len() <= 18 && text.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase());
    let chars = search_chars(&text);
    if code_like || chars.is_empty() {
        return Ok(None);
    }
    let n: i64 = conn
        .prepare_cached("SELECT count(*) FROM (SELECT rowid FROM enterprise_fts WHERE enterprise_fts MATCH ?1 LIMIT ?2)")?
        .query_row(params![search_phrase(&chars), TEXT_COUNT_CAP + 1], |r| r.get(0))?;
    Ok(Some(n))
}

/// A text search counts its matches up to this many; beyond, the UI says "1,000+" and asks for a
/// longer fragment (nobody scrolls through more while typing). Counting stops there, so that a
/// fragment every name has ("有限") shows its first page at once (`huiqi bench search`).
pub const TEXT_COUNT_CAP: i64 = 1_000;

/// Returns (total, rows, total_is_capped).
pub fn search(conn: Conn<'_>, q: &EnterpriseQuery) -> Result<(i64, Vec<EnterpriseRow>, bool)> {
    let (w, needs_park) = build_where(q);
    let join = if needs_park { "LEFT JOIN park p ON p.id = e.park_id" } else { "" };
    let has_text = q.q.as_deref().is_some_and(|t| !crate::model::enterprise::normalize_query(t).is_empty());
    let fts_count = fts_only_count(conn, q)?;
    let total: i64 = match fts_count {
        Some(n) => n,
        None if has_text => conn
            .prepare_cached(&format!("SELECT count(*) FROM (SELECT 1 FROM enterprise e {join} {} LIMIT {})", w.sql, TEXT_COUNT_CAP + 1))?
            .query_row(params_from_iter(w.args.iter()), |r| r.get(0))?,
        None => {
            conn.prepare_cached(&format!("SELECT count(*) FROM enterprise e {join} {}", w.sql))?.query_row(params_from_iter(w.args.iter()), |r| r.get(0))?
        }
    };
    let capped = has_text && total > TEXT_COUNT_CAP;
    let total = if capped { TEXT_COUNT_CAP } else { total };
    let limit = q.limit.clamp(0, 100_000);
    let offset = q.offset.max(0);
    let by_id = q.sort.unwrap_or(SortKey::Id) == SortKey::Id;
    let dir = if q.desc { "DESC" } else { "ASC" };
    // Typing a fragment: the index gives the matching ids in order, so the first page is read
    // from it directly instead of collecting every match first.
    if by_id && fts_count.is_some() {
        let text = q.q.as_deref().map(crate::model::enterprise::normalize_query).unwrap_or_default();
        let ids: Vec<i64> = conn
            .prepare_cached(&format!("SELECT rowid FROM enterprise_fts WHERE enterprise_fts MATCH ?1 ORDER BY rowid {dir} LIMIT ?2 OFFSET ?3"))?
            .query_map(params![search_phrase(&search_chars(&text)), limit, offset], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        return Ok((total, rows_by_ids(conn, &ids)?, capped));
    }
    // Many matches sorted by id: walking the table in id order stops after one page.
    let dense = by_id && (capped || total * 4 >= max_id(conn)?);
    let not_indexed = if dense { "NOT INDEXED" } else { "" };
    let sql = format!(
        "SELECT {ROW_COLS} FROM enterprise e {not_indexed} LEFT JOIN park p ON p.id = e.park_id {} {} LIMIT {limit} OFFSET {offset}",
        w.sql,
        order_by(q)
    );
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map(params_from_iter(w.args.iter()), to_row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((total, rows, capped))
}

fn max_id(conn: Conn<'_>) -> Result<i64> {
    Ok(conn.prepare_cached("SELECT coalesce(max(id), 0) FROM enterprise")?.query_row([], |r| r.get(0))?)
}

/// Rows for these ids, in the given order.
fn rows_by_ids(conn: Conn<'_>, ids: &[i64]) -> Result<Vec<EnterpriseRow>> {
    let mut st = conn.prepare_cached(&format!("SELECT {ROW_COLS} FROM enterprise e LEFT JOIN park p ON p.id = e.park_id WHERE e.id = ?1"))?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(r) = st.query_row([id], to_row).optional()? {
            out.push(r);
        }
    }
    Ok(out)
}

/// Every row matching `q` (export), streamed to `f` in order.
pub fn for_each_match(conn: Conn<'_>, q: &EnterpriseQuery, mut f: impl FnMut(Enterprise) -> Result<()>) -> Result<()> {
    let (w, _) = build_where(q);
    let sql = format!("SELECT {COLS} FROM enterprise e LEFT JOIN park p ON p.id = e.park_id {} {}", w.sql, order_by(q));
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query(params_from_iter(w.args.iter()))?;
    while let Some(r) = rows.next()? {
        f(row_to_enterprise(r)?)?;
    }
    Ok(())
}

pub fn parks(conn: Conn<'_>) -> Result<Vec<Park>> {
    let mut st = conn.prepare(
        "SELECT p.id, p.name, p.district, p.contact_name, p.contact_phone,
                (SELECT count(*) FROM enterprise e WHERE e.park_id = p.id AND e.status != 'merged') AS enterprise_count
         FROM park p ORDER BY p.name",
    )?;
    let v = st
        .query_map([], |r| {
            Ok(Park {
                id: r.get("id")?,
                name: r.get("name")?,
                district: r.get("district")?,
                contact_name: r.get("contact_name")?,
                contact_phone: r.get("contact_phone")?,
                enterprise_count: r.get("enterprise_count")?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

/// The id of the park of that name (without counting its enterprises, as [`parks`] does).
pub fn park_id_by_name(conn: Conn<'_>, name: &str) -> Result<Option<i64>> {
    Ok(conn.prepare_cached("SELECT id FROM park WHERE name = ?1")?.query_row([name], |r| r.get(0)).optional()?)
}

pub fn upsert_park(tx: &mut Tx<'_>, p: &Park) -> Result<Park> {
    let id = park_id_for(tx, &p.name)?;
    let before: (String, String, String) =
        tx.sql().query_row("SELECT district, contact_name, contact_phone FROM park WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    if before != (p.district.clone(), p.contact_name.clone(), p.contact_phone.clone()) {
        tx.sql().execute(
            "UPDATE park SET district = ?2, contact_name = ?3, contact_phone = ?4 WHERE id = ?1",
            params![id, p.district, p.contact_name, p.contact_phone],
        )?;
        let b = serde_json::json!({"district": before.0, "contact_name": before.1, "contact_phone": before.2});
        let a = serde_json::json!({"district": p.district, "contact_name": p.contact_name, "contact_phone": p.contact_phone});
        tx.audit("park", id, "update", Some(&b), Some(&a))?;
    }
    Ok(parks(tx.conn())?.into_iter().find(|x| x.id == id).expect("park just written"))
}

pub fn sectors(conn: Conn<'_>) -> Result<Vec<String>> {
    let mut st = conn.prepare("SELECT name FROM sector ORDER BY sort_order, name")?;
    let v = st.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(v)
}

pub fn set_sectors(tx: &mut Tx<'_>, names: &[String]) -> Result<()> {
    let before = sectors(tx.conn())?;
    if before == names {
        return Ok(());
    }
    tx.sql().execute("DELETE FROM sector", [])?;
    for (i, n) in names.iter().enumerate() {
        tx.sql().execute("INSERT INTO sector (name, sort_order) VALUES (?1, ?2)", params![n, i as i64 + 1])?;
    }
    tx.audit("sector", "list", "set", Some(&serde_json::to_value(&before)?), Some(&serde_json::to_value(names)?))?;
    Ok(())
}

pub fn count(conn: Conn<'_>) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM enterprise WHERE status != 'merged'", [], |r| r.get(0))?)
}

// ---- undo bookkeeping --------------------------------------------------------------------------

pub fn mark_undone(tx: &mut Tx<'_>, event_id: i64, by_event: i64) -> Result<()> {
    tx.sql().execute("INSERT INTO undo_log (event_id, undone_by) VALUES (?1, ?2)", params![event_id, by_event])?;
    Ok(())
}

/// The record is no longer merged into another (an undone merge; the audit event is the undo's).
pub fn clear_merged_into(tx: &mut Tx<'_>, id: i64) -> Result<()> {
    tx.sql().execute("UPDATE enterprise SET merged_into = NULL WHERE id = ?1", [id])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The search index's text: the quick path for Chinese characters and ASCII gives what
        /// NFKC and the full upper case give.
        #[test]
        fn search_chars_quick_path_is_the_general_one(s in crate::text::tests::names()) {
            proptest::prop_assert_eq!(search_chars(&s), search_chars_general(&s));
        }
    }
}
