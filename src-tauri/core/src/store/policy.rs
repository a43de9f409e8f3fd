//! SQL of the policy catalog, programs and budgets; seeding a new database from assets/policy.

use super::Conn;
use rusqlite::{params, OptionalExtension, Row};

use super::Tx;
use crate::error::Result;
use crate::model::policy::{Budget, Clause, Policy, Program};

/// Seed the catalog, programs, this year's budgets and rule version 1 if the database has none.
pub fn ensure_seeded(db: &mut super::Db) -> Result<()> {
    let has: i64 = db.conn().query_row("SELECT count(*) FROM policy", [], |r| r.get(0))?;
    if has > 0 {
        return Ok(());
    }
    let cat = crate::model::policy::catalog();
    let progs = crate::model::policy::program_seeds();
    let year = chrono::Datelike::year(&crate::model::date::today());
    db.write(|tx| {
        let at = tx.at().to_string();
        let by = tx.actor().to_string();
        let p = &cat.policy;
        tx.sql().execute(
            "INSERT INTO policy (code, title_zh, title_en, doc_number, issuer_zh, issued_on) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![p.code, p.title_zh, p.title_en, p.doc_number, p.issuer_zh, p.issued_on],
        )?;
        let pid = tx.sql().last_insert_rowid();
        tx.audit("policy", pid, "seed", None, Some(&serde_json::json!({"code": p.code, "doc_number": p.doc_number, "articles": cat.articles.len()})))?;
        for a in &cat.articles {
            let note = if a.text_zh_is_translation { "中文为英文版的译文，请替换为正式文本" } else { "" };
            tx.sql().execute(
                "INSERT INTO clause (policy_id, article, version, chapter, title_zh, title_en, text_zh, text_en, note, current, created_at, created_by)
                 VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9, ?10)",
                params![pid, a.article, a.chapter, a.title_zh, a.title_en, a.text_zh, a.text_en, note, at, by],
            )?;
        }
        for s in &progs.programs {
            tx.sql().execute(
                "INSERT INTO program (code, name_zh, name_en, kind, policy_id, article, cap_fen, default_amount_fen, cert_kind, stacking_group, allow_stacking)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![s.code, s.name_zh, s.name_en, s.kind, pid, s.article, s.cap_fen, s.default_amount_fen, s.cert_kind, s.stacking_group, s.allow_stacking],
            )?;
            let prog = tx.sql().last_insert_rowid();
            tx.sql().execute("INSERT INTO program_budget (program_id, year, allocated_fen) VALUES (?1, ?2, ?3)", params![prog, year, s.budget_fen])?;
            tx.audit(
                "program",
                prog,
                "seed",
                None,
                Some(&serde_json::json!({"code": s.code, "article": s.article, "cap_fen": s.cap_fen, "budget": {"year": year, "allocated_fen": s.budget_fen}})),
            )?;
        }
        let rules = crate::model::rent::default_rules_json();
        tx.conn()
            .execute("INSERT INTO rent_rule (version, params_json, note, created_at, created_by) VALUES (1, ?1, '默认规则', ?2, ?3)", params![rules, at, by])?;
        let v: serde_json::Value = serde_json::from_str(&rules)?;
        tx.audit("rent_rule", 1, "seed", None, Some(&v))?;
        Ok(())
    })
}

pub fn policy(conn: Conn<'_>) -> Result<Option<Policy>> {
    Ok(conn
        .query_row("SELECT id, code, title_zh, title_en, doc_number, issuer_zh, issued_on FROM policy ORDER BY id LIMIT 1", [], |r| {
            Ok(Policy {
                id: r.get("id")?,
                code: r.get("code")?,
                title_zh: r.get("title_zh")?,
                title_en: r.get("title_en")?,
                doc_number: r.get("doc_number")?,
                issuer_zh: r.get("issuer_zh")?,
                issued_on: r.get("issued_on")?,
            })
        })
        .optional()?)
}

columns!(CLAUSE_COLS, clause_col {
    id = "id",
    article = "article",
    version = "version",
    chapter = "chapter",
    title_zh = "title_zh",
    title_en = "title_en",
    text_zh = "text_zh",
    text_en = "text_en",
    note = "note",
    current = "current",
    created_at = "created_at",
    created_by = "created_by",
    official_zh = "official_zh",
});

fn to_clause(r: &Row<'_>) -> rusqlite::Result<Clause> {
    Ok(Clause {
        id: r.get(clause_col::id)?,
        article: r.get(clause_col::article)?,
        version: r.get(clause_col::version)?,
        chapter: r.get(clause_col::chapter)?,
        title_zh: r.get(clause_col::title_zh)?,
        title_en: r.get(clause_col::title_en)?,
        text_zh: r.get(clause_col::text_zh)?,
        text_en: r.get(clause_col::text_en)?,
        note: r.get(clause_col::note)?,
        current: r.get(clause_col::current)?,
        created_at: r.get(clause_col::created_at)?,
        created_by: r.get(clause_col::created_by)?,
        official_zh: r.get(clause_col::official_zh)?,
    })
}

pub fn current_clauses(conn: Conn<'_>) -> Result<Vec<Clause>> {
    let mut st = conn.prepare(&format!("SELECT {CLAUSE_COLS} FROM clause WHERE current = 1 ORDER BY article"))?;
    let v = st.query_map([], to_clause)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

pub fn current_clause(conn: Conn<'_>, article: i64) -> Result<Option<Clause>> {
    Ok(conn.prepare_cached(&format!("SELECT {CLAUSE_COLS} FROM clause WHERE current = 1 AND article = ?1"))?.query_row([article], to_clause).optional()?)
}

pub fn clause_by_id(conn: Conn<'_>, id: i64) -> Result<Option<Clause>> {
    Ok(conn.prepare_cached(&format!("SELECT {CLAUSE_COLS} FROM clause WHERE id = ?1"))?.query_row([id], to_clause).optional()?)
}

pub fn clause_versions(conn: Conn<'_>, article: i64) -> Result<Vec<Clause>> {
    let mut st = conn.prepare(&format!("SELECT {CLAUSE_COLS} FROM clause WHERE article = ?1 ORDER BY version"))?;
    let v = st.query_map([article], to_clause)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

pub fn add_clause_version(tx: &mut Tx<'_>, cur: &Clause, next: &Clause) -> Result<Clause> {
    let at = tx.at().to_string();
    let by = tx.actor().to_string();
    tx.sql().execute("UPDATE clause SET current = 0 WHERE id = ?1", [cur.id])?;
    let pid: i64 = tx.sql().query_row("SELECT policy_id FROM clause WHERE id = ?1", [cur.id], |r| r.get(0))?;
    tx.sql().execute(
        "INSERT INTO clause (policy_id, article, version, chapter, title_zh, title_en, text_zh, text_en, note, current, created_at, created_by, official_zh)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1, ?10, ?11, ?12)",
        params![pid, cur.article, cur.version + 1, cur.chapter, next.title_zh, next.title_en, next.text_zh, next.text_en, next.note, at, by, next.official_zh],
    )?;
    let id = tx.sql().last_insert_rowid();
    let c = clause_by_id(tx.conn(), id)?.expect("just inserted");
    tx.audit("clause", format!("{}:{}", c.article, c.version), "new_version", Some(&serde_json::to_value(cur)?), Some(&serde_json::to_value(&c)?))?;
    Ok(c)
}

columns!(PROGRAM_COLS, program_col {
    id = "id",
    code = "code",
    name_zh = "name_zh",
    name_en = "name_en",
    kind = "kind",
    article = "article",
    cap_fen = "cap_fen",
    default_amount_fen = "default_amount_fen",
    cert_kind = "cert_kind",
    stacking_group = "stacking_group",
    allow_stacking = "allow_stacking",
    active = "active",
});

fn to_program(r: &Row<'_>) -> rusqlite::Result<Program> {
    Ok(Program {
        id: r.get(program_col::id)?,
        code: r.get(program_col::code)?,
        name_zh: r.get(program_col::name_zh)?,
        name_en: r.get(program_col::name_en)?,
        kind: r.get(program_col::kind)?,
        article: r.get(program_col::article)?,
        cap_fen: r.get(program_col::cap_fen)?,
        default_amount_fen: r.get(program_col::default_amount_fen)?,
        cert_kind: r.get(program_col::cert_kind)?,
        stacking_group: r.get(program_col::stacking_group)?,
        allow_stacking: r.get(program_col::allow_stacking)?,
        active: r.get(program_col::active)?,
    })
}

pub fn programs(conn: Conn<'_>) -> Result<Vec<Program>> {
    let mut st = conn.prepare(&format!("SELECT {PROGRAM_COLS} FROM program ORDER BY id"))?;
    let v = st.query_map([], to_program)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

pub fn program_by_code(conn: Conn<'_>, code: &str) -> Result<Option<Program>> {
    Ok(conn.prepare_cached(&format!("SELECT {PROGRAM_COLS} FROM program WHERE code = ?1"))?.query_row([code], to_program).optional()?)
}

pub fn program_by_id(conn: Conn<'_>, id: i64) -> Result<Option<Program>> {
    Ok(conn.prepare_cached(&format!("SELECT {PROGRAM_COLS} FROM program WHERE id = ?1"))?.query_row([id], to_program).optional()?)
}

/// What counts against a program's budget: grants and rewards approved (or paid) that year.
const COMMITTED: &str = "
    SELECT program_id, budget_year AS year, approved_fen AS amount, id AS grant_id, NULL AS reward_id
      FROM rent_grant WHERE status IN ('approved', 'disbursed')";

pub fn budgets(conn: Conn<'_>, year: i32) -> Result<Vec<Budget>> {
    let committed = committed_sql(conn)?;
    let mut st = conn.prepare(&format!(
        "SELECT p.id, p.code, p.name_zh, ?1 AS year, coalesce(b.allocated_fen, ({}), 0) AS allocated,
                coalesce((SELECT sum(c.amount) FROM ({committed}) c WHERE c.program_id = p.id AND c.year = ?1), 0) AS approved,
                coalesce((SELECT sum(d.amount_fen) FROM ({committed}) c JOIN disbursement d
                          ON (d.grant_id = c.grant_id OR d.reward_id = c.reward_id) WHERE c.program_id = p.id AND c.year = ?1), 0) AS disbursed,
                CASE WHEN b.allocated_fen IS NULL THEN (SELECT max(b2.year) FROM program_budget b2 WHERE b2.program_id = p.id AND b2.year < ?1) END
                  AS inherited_from
         FROM program p LEFT JOIN program_budget b ON b.program_id = p.id AND b.year = ?1
         WHERE p.active = 1 ORDER BY p.id",
        inherited("?1")
    ))?;
    let v = st
        .query_map([year], |r| {
            let allocated: i64 = r.get("allocated")?;
            let approved: i64 = r.get("approved")?;
            Ok(Budget {
                program_id: r.get("id")?,
                program_code: r.get("code")?,
                program_name_zh: r.get("name_zh")?,
                year: r.get("year")?,
                allocated_fen: allocated,
                approved_fen: approved,
                disbursed_fen: r.get("disbursed")?,
                remaining_fen: allocated - approved,
                inherited_from: r.get("inherited_from")?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

/// Approved amounts of a program/year (for the over-budget check).
pub fn committed_fen(conn: Conn<'_>, program_id: i64, year: i32) -> Result<(i64, i64)> {
    let committed = committed_sql(conn)?;
    let approved: i64 =
        conn.query_row(&format!("SELECT coalesce(sum(amount), 0) FROM ({committed}) WHERE program_id = ?1 AND year = ?2"), params![program_id, year], |r| {
            r.get(0)
        })?;
    let allocated: i64 = conn.query_row(
        &format!(
            "SELECT coalesce((SELECT allocated_fen FROM program_budget WHERE program_id = p.id AND year = ?2), ({}), 0) FROM program p WHERE p.id = ?1",
            inherited("?2")
        ),
        params![program_id, year],
        |r| r.get(0),
    )?;
    Ok((allocated, approved))
}

/// A program's budget for a year it has none: the latest earlier year's (`p` is the program).
fn inherited(year_param: &str) -> String {
    format!("SELECT b2.allocated_fen FROM program_budget b2 WHERE b2.program_id = p.id AND b2.year < {year_param} ORDER BY b2.year DESC LIMIT 1")
}

/// A new year starts from last year's budgets: on its first use (an approval), every program
/// without a budget for `year` gets a copy of its latest earlier one, recorded in the journal
/// (editable afterwards like any budget).
pub fn ensure_year_budgets(tx: &mut Tx<'_>, year: i32) -> Result<()> {
    let missing: Vec<(i64, i32, i64)> = tx
        .conn()
        .prepare(
            "SELECT p.id, b.year, b.allocated_fen FROM program p JOIN program_budget b ON b.program_id = p.id
             WHERE b.year = (SELECT max(year) FROM program_budget WHERE program_id = p.id AND year < ?1)
               AND NOT EXISTS (SELECT 1 FROM program_budget WHERE program_id = p.id AND year = ?1)",
        )?
        .query_map([year], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (program, from, allocated) in missing {
        tx.sql().execute("INSERT INTO program_budget (program_id, year, allocated_fen) VALUES (?1, ?2, ?3)", params![program, year, allocated])?;
        tx.audit(
            "program_budget",
            format!("{program}:{year}"),
            "copy_previous_year",
            None,
            Some(&serde_json::json!({"allocated_fen": allocated, "copied_from": from})),
        )?;
    }
    Ok(())
}

fn committed_sql(conn: Conn<'_>) -> Result<String> {
    let has_reward: bool = conn.query_row("SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'reward')", [], |r| r.get(0))?;
    Ok(if has_reward {
        format!("{COMMITTED} UNION ALL SELECT program_id, budget_year, approved_fen, NULL, id FROM reward WHERE status IN ('approved', 'disbursed')")
    } else {
        COMMITTED.to_string()
    })
}

pub fn set_program_amount(tx: &mut Tx<'_>, program_id: i64, amount: Option<i64>) -> Result<()> {
    let before: Option<i64> = tx.sql().query_row("SELECT default_amount_fen FROM program WHERE id = ?1", [program_id], |r| r.get(0))?;
    tx.sql().execute("UPDATE program SET default_amount_fen = ?2 WHERE id = ?1", params![program_id, amount])?;
    tx.audit(
        "program",
        program_id,
        "set_amount",
        Some(&serde_json::json!({"default_amount_fen": before})),
        Some(&serde_json::json!({"default_amount_fen": amount})),
    )?;
    Ok(())
}

pub fn set_budget(tx: &mut Tx<'_>, program_id: i64, year: i32, allocated: i64) -> Result<()> {
    let before: Option<i64> = tx
        .conn()
        .query_row("SELECT allocated_fen FROM program_budget WHERE program_id = ?1 AND year = ?2", params![program_id, year], |r| r.get(0))
        .optional()?;
    tx.sql().execute(
        "INSERT INTO program_budget (program_id, year, allocated_fen) VALUES (?1, ?2, ?3)
         ON CONFLICT (program_id, year) DO UPDATE SET allocated_fen = excluded.allocated_fen",
        params![program_id, year, allocated],
    )?;
    tx.audit(
        "program_budget",
        format!("{program_id}:{year}"),
        "set",
        before.map(|b| serde_json::json!({"allocated_fen": b})).as_ref(),
        Some(&serde_json::json!({"allocated_fen": allocated})),
    )?;
    Ok(())
}

/// How many grants and rewards of a program and budget year are approved (or paid), and how many
/// wait (draft, submitted).
pub fn program_counts(conn: Conn<'_>, program_id: i64, year: i32) -> Result<(i64, i64)> {
    Ok(conn.query_row(
        "SELECT count(*) FILTER (WHERE status IN ('approved', 'disbursed')), count(*) FILTER (WHERE status IN ('draft', 'submitted'))
           FROM (SELECT status FROM rent_grant WHERE program_id = ?1 AND budget_year = ?2
                 UNION ALL SELECT status FROM reward WHERE program_id = ?1 AND budget_year = ?2)",
        params![program_id, year],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}
