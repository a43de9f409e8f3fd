//! Numbered SQL migrations embedded in the binary. Each one runs in its own IMMEDIATE transaction
//! together with the `user_version` bump; a non-empty database is first copied with `VACUUM INTO`;
//! a database written by a newer program is refused.

use super::Conn;
use std::path::Path;

use super::OpenReport;
use crate::error::{Error, Result};

/// (version, name, sql). Never edit a shipped migration: add a new one.
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "foundation", include_str!("migrations/0001_foundation.sql")),
    (2, "import", include_str!("migrations/0002_import.sql")),
    (3, "search", include_str!("migrations/0003_search.sql")),
    (4, "policy_rent", include_str!("migrations/0004_policy_rent.sql")),
    (5, "cert_rewards", include_str!("migrations/0005_cert_rewards.sql")),
    (6, "notice", include_str!("migrations/0006_notice.sql")),
    (7, "import_speed", include_str!("migrations/0007_import_speed.sql")),
    (8, "import_writes", include_str!("migrations/0008_import_writes.sql")),
    (9, "ledger_notices", include_str!("migrations/0009_ledger_notices.sql")),
    (10, "search_single_chars", include_str!("migrations/0010_search_single_chars.sql")),
];

/// Work a migration does in Rust after its SQL, in the same transaction.
fn after_sql(version: i64, conn: Conn<'_>) -> Result<()> {
    match version {
        3 | 10 => Ok(super::enterprise::rebuild_search_index(conn)?),
        8 => rewrite_checks(conn, CHECKS_WITHOUT_IN_LISTS),
        9 => {
            rewrite_checks(conn, REWARD_WITHOUT_CERTIFICATE)?;
            rewrite_checks(conn, NOTICE_KINDS_AND_LISTS)?;
            spans_of_whole_month_grants(conn)
        }
        _ => Ok(()),
    }
}

/// Migration 8: the CHECK constraints of the two tables an import writes on every row, with the
/// same meaning and no `IN (…)` list. SQLite checks `x IN (a, b, c)` by building a temporary
/// B-tree of the list on every execution of the INSERT: 0.3 s of a 100,000-row import (2.9 s →
/// 2.6 s measured). (table, text as created, equivalent text.)
const CHECKS_WITHOUT_IN_LISTS: &[(&str, &str, &str)] = &[
    (
        "enterprise",
        "CHECK (status IN ('active', 'moved_out', 'deregistered', 'merged'))",
        "CHECK (status = 'active' OR status = 'moved_out' OR status = 'deregistered' OR status = 'merged')",
    ),
    ("import_batch_item", "CHECK (action IN ('new', 'updated', 'unchanged'))", "CHECK (action = 'new' OR action = 'updated' OR action = 'unchanged')"),
];

/// Migration 9: a performance-based reward has no certification (NOT NULL removed; every stored
/// row keeps meeting the constraints, so the table is not copied).
const REWARD_WITHOUT_CERTIFICATE: &[(&str, &str, &str)] =
    &[("reward", "certification_id INTEGER NOT NULL REFERENCES certification (id)", "certification_id INTEGER REFERENCES certification (id)")];

/// Migration 9: templates of the reduction (核减), difference (补差) and 公示 notices; a 公示
/// notice names no single enterprise. Both relax what the stored rows already meet.
const NOTICE_KINDS_AND_LISTS: &[(&str, &str, &str)] = &[
    (
        "notice_template",
        "CHECK (kind IN ('rent_approval', 'rent_rejection', 'reward', 'expiry_reminder'))",
        "CHECK (kind IN ('rent_approval', 'rent_reduction', 'rent_rejection', 'reward', 'reward_reduction', 'reward_top_up', 'expiry_reminder', 'publicity'))",
    ),
    ("notice", "enterprise_id    INTEGER NOT NULL REFERENCES enterprise (id)", "enterprise_id    INTEGER REFERENCES enterprise (id)"),
];

/// Migration 9: the days the grants made before it subsidise, in `rent_grant_span`. Those grants
/// counted whole calendar months from their period's first day, `months` of them (fewer than the
/// period when the 36 months ran out), on the area they record; a grant that was not eligible
/// subsidises no day. Their amounts, explanations and notices are not touched.
fn spans_of_whole_month_grants(conn: Conn<'_>) -> Result<()> {
    let grants: Vec<(i64, String, i64, i64, i64)> = conn
        .prepare("SELECT id, period_start, months, eligible_area_centi_m2, computed_fen FROM rent_grant WHERE method = 1 ORDER BY id")?
        .query_map([], |r| Ok((r.get("id")?, r.get("period_start")?, r.get("months")?, r.get("eligible_area_centi_m2")?, r.get("computed_fen")?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut insert = conn.prepare("INSERT INTO rent_grant_span (grant_id, start_on, end_on, area_centi_m2) VALUES (?1, ?2, ?3, ?4)")?;
    for (id, start, months, area, computed) in grants {
        let Ok(s) = chrono::NaiveDate::parse_from_str(&start, "%Y-%m-%d") else { continue };
        if months <= 0 || area <= 0 || computed <= 0 {
            continue;
        }
        let Some(end) = s.checked_add_months(chrono::Months::new(months as u32)).and_then(|d| d.pred_opt()) else { continue };
        insert.execute(rusqlite::params![id, s.to_string(), end.to_string(), area])?;
    }
    Ok(())
}

/// Replace CHECK constraints by equivalent ones in place: SQLite's documented procedure for schema
/// changes that leave the stored rows valid and unchanged (ALTER TABLE, "other kinds of table
/// schema changes": edit the table's text in sqlite_schema, bump schema_version), inside the
/// migration's transaction. Each text must be found in its table's definition, or the migration
/// fails (and its transaction is rolled back: nothing is changed).
fn rewrite_checks(conn: Conn<'_>, checks: &[(&str, &str, &str)]) -> Result<()> {
    let version: i64 = conn.query_row("PRAGMA schema_version", [], |r| r.get(0))?;
    conn.execute_batch("PRAGMA writable_schema = ON")?;
    let rewritten = checks.iter().try_for_each(|(table, from, to)| {
        let n = conn.execute(
            "UPDATE sqlite_schema SET sql = replace(sql, ?2, ?3) WHERE type = 'table' AND name = ?1 AND instr(sql, ?2) > 0",
            rusqlite::params![table, from, to],
        )?;
        if n == 1 {
            Ok(())
        } else {
            Err(Error::Internal(format!("table {table}: the constraint {from} was not found")))
        }
    });
    // Bumped even when a rewrite failed: the transaction is then rolled back as a whole.
    conn.execute_batch(&format!("PRAGMA schema_version = {}; PRAGMA writable_schema = OFF;", version + 1))?;
    rewritten?;
    // The edited schema must parse, and the stored rows must meet the new constraints.
    super::quick_check(conn)
}

pub fn latest() -> i64 {
    MIGRATIONS.last().map(|m| m.0).unwrap_or(0)
}

pub fn user_version(conn: Conn<'_>) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

fn is_empty(conn: Conn<'_>) -> Result<bool> {
    let n: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
    Ok(n == 0)
}

pub fn migrate(conn: Conn<'_>, path: &Path, backup_first: bool) -> Result<OpenReport> {
    let from = user_version(conn)?;
    let to = latest();
    if from > to {
        return Err(Error::TooNew { found: from, supported: to });
    }
    let mut report = OpenReport { created: false, from_version: from, to_version: to, pre_migration_copy: None };
    if from == to {
        return Ok(report);
    }
    if from == 0 && !is_empty(conn)? {
        return Err(Error::refused(
            "not_a_huiqi_database",
            format!("{} 不是惠企台账的数据库（里面已有其他表）。请选择正确的文件。", path.display()),
            format!("{} is not a Huiqi Ledger database (it holds other tables). Choose the right file.", path.display()),
        ));
    }
    if from > 0 && backup_first {
        // A checked backup in the backups folder, kind `migration` (see crate::backup).
        let copy = super::backup::create_from_conn(conn, path, crate::model::backup::BackupKind::Migration, &crate::progress::NoProgress)?;
        report.pre_migration_copy = Some(copy.backup.path);
    }
    for (version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > from) {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let applied = conn
            .execute_batch(sql)
            .map_err(Error::from)
            .and_then(|_| after_sql(*version, conn))
            .and_then(|_| Ok(conn.execute_batch(&format!("PRAGMA user_version = {version}"))?));
        match applied {
            Ok(()) => conn.execute_batch("COMMIT")?,
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(Error::Internal(format!("migration {version} ({name}) failed: {e}")));
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    #[test]
    fn versions_are_consecutive() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.0, i as i64 + 1);
        }
    }

    /// A ledger indexed before migration 10 finds one-character fragments after it, the last
    /// character of a name included (every demo name ends in 司, most have it nowhere else).
    #[test]
    fn one_character_search_works_on_a_migrated_ledger() {
        let fx = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/schema/v9.sql");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("v9.db");
        Connection::open(&p).unwrap().execute_batch(&std::fs::read_to_string(fx).unwrap()).unwrap();
        let db = crate::store::Db::open_rw(&p).unwrap();
        let all = crate::enterprise::count(&db).unwrap();
        let q = |s: &str| crate::enterprise::search(&db, &crate::enterprise::EnterpriseQuery { q: Some(s.into()), ..Default::default() }).unwrap();
        assert!(all > 10);
        assert_eq!(q("司").total, all, "every name ends in 公司");
        assert_eq!(q("公司").total, all);
        assert_eq!(q("Z").total, 0, "the field separator is not found");
    }

    #[test]
    fn newer_database_is_refused_and_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("new.db");
        {
            let c = Connection::open(&p).unwrap();
            c.execute_batch(&format!("CREATE TABLE future (x); PRAGMA user_version = {};", latest() + 1)).unwrap();
        }
        let before = std::fs::read(&p).unwrap();
        let e = crate::store::Db::open_rw(&p).unwrap_err();
        assert_eq!(e.code(), "database_too_new");
        assert!(e.message(crate::i18n::Lang::Zh).contains("升级"));
        assert_eq!(std::fs::read(&p).unwrap(), before, "a refused database is not modified");
    }

    /// Every earlier schema version, frozen as a SQL dump when the next migration was added
    /// (tests/fixtures/schema/vN.sql), migrates to the latest with its data and journal intact.
    #[test]
    fn every_earlier_schema_migrates_with_its_data() {
        let dir_fx = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/schema");
        let mut versions = Vec::new();
        for v in 1..latest() {
            let fx = dir_fx.join(format!("v{v}.sql"));
            assert!(fx.exists(), "keep a fixture of schema version {v}: {}", fx.display());
            versions.push((v, std::fs::read_to_string(fx).unwrap()));
        }
        for (v, dump) in versions {
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join("old.db");
            let (enterprises, events, grants, notices) = {
                let c = Connection::open(&p).unwrap();
                c.execute_batch(&dump).unwrap();
                assert_eq!(user_version(Conn(&c)).unwrap(), v);
                let e: i64 = c.query_row("SELECT count(*) FROM enterprise", [], |r| r.get(0)).unwrap();
                let a: i64 = c.query_row("SELECT count(*) FROM audit_event", [], |r| r.get(0)).unwrap();
                (e, a, grant_rows(Conn(&c)), notice_rows(Conn(&c)))
            };
            let db = crate::store::Db::open_rw(&p).unwrap_or_else(|e| panic!("v{v}: {e}"));
            assert_eq!(db.report.from_version, v);
            assert_eq!(user_version(db.conn()).unwrap(), latest());
            let copy = db.report.pre_migration_copy.clone().expect("a copy is taken before migrating");
            assert!(std::path::Path::new(&copy).exists());
            let e: i64 = db.conn().query_row("SELECT count(*) FROM enterprise", [], |r| r.get(0)).unwrap();
            assert_eq!(e, enterprises, "v{v}: enterprises kept");
            let check = db.check().unwrap();
            assert!(check.ok, "v{v}: {check:?}");
            assert!(check.audit.events >= events, "v{v}: the journal is kept whole (and continued by the seeding)");
            // Migration 8 copied the journal into a table without the UNIQUE index on the hash:
            // still append-only, still indexed by entity and batch.
            assert!(db.conn().execute("UPDATE audit_event SET actor = 'x' WHERE id = 1", []).is_err(), "v{v}: append-only");
            assert!(db.conn().execute("DELETE FROM audit_event WHERE id = 1", []).is_err(), "v{v}: append-only");
            let idx: Vec<String> = db
                .conn()
                .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'audit_event' ORDER BY name")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert_eq!(idx, ["audit_event_batch", "audit_event_entity"], "v{v}");
            assert_rewritten_checks_hold(db.conn());
            // Grants made before the ledger rules keep their amounts, status, rule version and
            // explanation as stored, and their notices their bytes.
            assert_eq!(grant_rows(db.conn()), grants, "v{v}: grants unchanged");
            assert_eq!(notice_rows(db.conn()), notices, "v{v}: notices unchanged");
            // Their days are on the ledger: an eligible one covers its period's whole months.
            if !grants.is_empty() {
                let method: i64 = db.conn().query_row("SELECT count(*) FROM rent_grant WHERE method != 1", [], |r| r.get(0)).unwrap();
                assert_eq!(method, 0, "v{v}: every old grant is a whole-month grant");
                let bad: i64 = db
                    .conn()
                    .query_row(
                        "SELECT count(*) FROM rent_grant g WHERE (g.computed_fen > 0) != EXISTS (SELECT 1 FROM rent_grant_span s WHERE s.grant_id = g.id AND s.start_on = g.period_start)
                            OR g.month_units != g.months * 377580",
                        [],
                        |r| r.get(0),
                    )
                    .unwrap();
                assert_eq!(bad, 0, "v{v}: spans and month units of the old grants");
            }
            // The copy is the old version, untouched.
            let old = Connection::open(&copy).unwrap();
            assert_eq!(user_version(Conn(&old)).unwrap(), v);
        }
    }

    /// Each grant's figures and explanation, as stored (empty before grants existed).
    fn grant_rows(c: Conn<'_>) -> Vec<(i64, String, i64, Option<i64>, i64, String)> {
        let exists: bool = c.query_row("SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'rent_grant')", [], |r| r.get(0)).unwrap();
        if !exists {
            return vec![];
        }
        c.prepare("SELECT id, status, computed_fen, approved_fen, rule_version, explanation_json FROM rent_grant ORDER BY id")
            .unwrap()
            .query_map([], |r| {
                Ok((r.get("id")?, r.get("status")?, r.get("computed_fen")?, r.get("approved_fen")?, r.get("rule_version")?, r.get("explanation_json")?))
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    fn notice_rows(c: Conn<'_>) -> Vec<(String, String)> {
        let exists: bool = c.query_row("SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'notice')", [], |r| r.get(0)).unwrap();
        if !exists {
            return vec![];
        }
        c.prepare("SELECT doc_number, sha256 FROM notice ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    /// The constraints migration 8 rewrote still refuse what they refused, and accept the rest.
    fn assert_rewritten_checks_hold(c: Conn<'_>) {
        for (table, _, to) in CHECKS_WITHOUT_IN_LISTS {
            let sql: String = c.query_row("SELECT sql FROM sqlite_schema WHERE name = ?1", [table], |r| r.get(0)).unwrap();
            assert!(sql.contains(to), "{table}: {sql}");
        }
        c.execute_batch("SAVEPOINT t").unwrap();
        c.execute("INSERT INTO enterprise (uscc, name, name_norm, created_at, updated_at) VALUES ('X1', 'n', 'n', 'a', 'a')", []).unwrap();
        for ok in ["active", "moved_out", "deregistered", "merged"] {
            c.execute("UPDATE enterprise SET status = ?1 WHERE uscc = 'X1'", [ok]).unwrap();
        }
        let e = c.execute("UPDATE enterprise SET status = 'closed' WHERE uscc = 'X1'", []).unwrap_err();
        assert!(e.to_string().contains("CHECK"), "{e}");
        c.execute(
            "INSERT INTO import_batch (file_name, file_sha256, kind, sheet, header_row, mapping_json, summary_json, created_at, created_by)
             VALUES ('f', 's', 'enterprises', 'S', 1, '{}', '{}', 'a', 'b')",
            [],
        )
        .unwrap();
        let b = c.last_insert_rowid();
        for (row, ok) in ["new", "updated", "unchanged"].iter().enumerate() {
            c.execute(
                "INSERT INTO import_batch_item (batch_id, row, uscc, name, action, entity) VALUES (?1, ?2, 'X1', 'n', ?3, 'enterprise')",
                rusqlite::params![b, row as i64, ok],
            )
            .unwrap();
        }
        let e = c
            .execute("INSERT INTO import_batch_item (batch_id, row, uscc, name, action, entity) VALUES (?1, 9, 'X1', 'n', 'kept', 'enterprise')", [b])
            .unwrap_err();
        assert!(e.to_string().contains("CHECK"), "{e}");
        c.execute_batch("ROLLBACK TO t; RELEASE t").unwrap();
    }

    #[test]
    fn a_constraint_not_found_is_an_error_and_changes_nothing() {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE t (a TEXT CHECK (a IN ('x', 'y')));").unwrap();
        let before: String = c.query_row("SELECT sql FROM sqlite_schema WHERE name = 't'", [], |r| r.get(0)).unwrap();
        c.execute_batch("BEGIN").unwrap();
        let e = rewrite_checks(Conn(&c), &[("t", "CHECK (a IN ('x', 'z'))", "CHECK (a = 'x' OR a = 'z')")]).unwrap_err();
        assert!(e.to_string().contains("not found"), "{e}");
        c.execute_batch("ROLLBACK").unwrap();
        let after: String = c.query_row("SELECT sql FROM sqlite_schema WHERE name = 't'", [], |r| r.get(0)).unwrap();
        assert_eq!(before, after);
        assert!(c.execute("INSERT INTO t VALUES ('z')", []).is_err(), "the old constraint still holds");
        // And a text that is found is rewritten, and the new constraint holds at once.
        c.execute_batch("BEGIN").unwrap();
        rewrite_checks(Conn(&c), &[("t", "CHECK (a IN ('x', 'y'))", "CHECK (a = 'x' OR a = 'y')")]).unwrap();
        c.execute_batch("COMMIT").unwrap();
        c.execute("INSERT INTO t VALUES ('y')", []).unwrap();
        assert!(c.execute("INSERT INTO t VALUES ('z')", []).is_err());
    }

    #[test]
    fn migrating_from_empty_creates_every_table() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::store::Db::open_rw(dir.path().join("new.db")).unwrap();
        assert_rewritten_checks_hold(db.conn());
        assert_eq!(db.report.from_version, 0);
        assert!(db.report.pre_migration_copy.is_none(), "nothing to copy when empty");
        for t in ["enterprise", "audit_event", "import_batch", "certification", "rent_application"] {
            let n: i64 = db.conn().query_row("SELECT count(*) FROM sqlite_schema WHERE name = ?1", [t], |r| r.get(0)).unwrap();
            assert_eq!(n, 1, "{t}");
        }
    }

    #[test]
    fn foreign_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("other.db");
        Connection::open(&p).unwrap().execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
        let e = crate::store::Db::open_rw(&p).unwrap_err();
        assert_eq!(e.code(), "not_a_huiqi_database");
    }
}
