//! SQL of certification kinds, certifications and rewards.

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde_json::json;

use super::Tx;
use crate::error::{Error, Result};
use crate::model::cert::{CertKind, Certification, Reward, RewardBasis, RewardStatus};

pub fn ensure_kinds_seeded(db: &mut super::Db) -> Result<()> {
    let n: i64 = db.conn().query_row("SELECT count(*) FROM cert_kind", [], |r| r.get(0))?;
    if n > 0 {
        return Ok(());
    }
    let kinds = crate::model::cert::defaults();
    db.write(|tx| {
        for (i, k) in kinds.iter().enumerate() {
            put_kind(tx, k, i as i64 + 1)?;
        }
        Ok(())
    })
}

fn opt_json<T: serde::Serialize>(v: &Option<T>) -> Result<Option<String>> {
    Ok(v.as_ref().map(serde_json::to_string).transpose()?)
}

pub fn put_kind(tx: &mut Tx<'_>, k: &CertKind, sort: i64) -> Result<()> {
    let before = kind(tx.conn(), &k.code)?;
    tx.conn().execute(
        "INSERT INTO cert_kind (code, name_zh, name_en, synonyms_json, validity_json, annual_report_json, evaluation_json, review, sort_order, wording, list_name, level)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, synonyms_json = excluded.synonyms_json,
             validity_json = excluded.validity_json, annual_report_json = excluded.annual_report_json, evaluation_json = excluded.evaluation_json,
             review = excluded.review, wording = excluded.wording, list_name = excluded.list_name, level = excluded.level",
        params![
            k.code,
            k.name_zh,
            k.name_en,
            serde_json::to_string(&k.synonyms)?,
            opt_json(&k.validity)?,
            opt_json(&k.annual_report)?,
            opt_json(&k.evaluation_window)?,
            k.review.unwrap_or(false),
            sort,
            k.wording,
            k.list_name,
            k.level
        ],
    )?;
    tx.audit(
        "cert_kind",
        &k.code,
        if before.is_some() { "update" } else { "create" },
        before.map(serde_json::to_value).transpose()?.as_ref(),
        Some(&serde_json::to_value(k)?),
    )?;
    Ok(())
}

fn to_kind(r: &Row<'_>) -> rusqlite::Result<CertKind> {
    let parse = |i: usize, s: Option<String>| -> rusqlite::Result<Option<serde_json::Value>> {
        s.map(|s| serde_json::from_str(&s).map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))).transpose()
    };
    let syn: String = r.get(3)?;
    Ok(CertKind {
        code: r.get(0)?,
        name_zh: r.get(1)?,
        name_en: r.get(2)?,
        synonyms: serde_json::from_str(&syn).unwrap_or_default(),
        validity: parse(4, r.get(4)?)?.and_then(|v| serde_json::from_value(v).ok()),
        annual_report: parse(5, r.get(5)?)?.and_then(|v| serde_json::from_value(v).ok()),
        evaluation_window: parse(6, r.get(6)?)?.and_then(|v| serde_json::from_value(v).ok()),
        review: Some(r.get::<_, bool>(7)?),
        wording: r.get(8)?,
        list_name: r.get(9)?,
        level: r.get(10)?,
    })
}

const KIND_COLS: &str = "code, name_zh, name_en, synonyms_json, validity_json, annual_report_json, evaluation_json, review, wording, list_name, level";

pub fn kinds(conn: &Connection) -> Result<Vec<CertKind>> {
    let mut st = conn.prepare(&format!("SELECT {KIND_COLS} FROM cert_kind ORDER BY sort_order, code"))?;
    let v = st.query_map([], to_kind)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

pub fn kind(conn: &Connection, code: &str) -> Result<Option<CertKind>> {
    Ok(conn.prepare_cached(&format!("SELECT {KIND_COLS} FROM cert_kind WHERE code = ?1"))?.query_row([code], to_kind).optional()?)
}

pub fn max_kind_sort(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT coalesce(max(sort_order), 0) FROM cert_kind", [], |r| r.get(0))?)
}

const CERT_SQL: &str = "SELECT c.id, c.enterprise_id, e.name, e.uscc, p.name, e.sector, c.kind, c.certificate_no, c.issued_on, c.expires_on, c.expiry_flag,
        c.level, c.source, c.batch_id, c.revoked, c.created_at
    FROM certification c JOIN enterprise e ON e.id = c.enterprise_id LEFT JOIN park p ON p.id = e.park_id";

fn to_cert(r: &Row<'_>) -> rusqlite::Result<Certification> {
    Ok(Certification {
        id: r.get(0)?,
        enterprise_id: r.get(1)?,
        enterprise_name: r.get(2)?,
        uscc: r.get(3)?,
        park: r.get(4)?,
        sector: r.get(5)?,
        kind: r.get(6)?,
        certificate_no: r.get(7)?,
        issued_on: r.get(8)?,
        expires_on: r.get(9)?,
        expiry_differs_from_rule: r.get(10)?,
        level: r.get(11)?,
        source: r.get(12)?,
        batch_id: r.get(13)?,
        revoked: r.get(14)?,
        created_at: r.get(15)?,
    })
}

pub fn certification(conn: &Connection, id: i64) -> Result<Option<Certification>> {
    Ok(conn.prepare_cached(&format!("{CERT_SQL} WHERE c.id = ?1"))?.query_row([id], to_cert).optional()?)
}

/// Live certifications; filters: enterprise, kind, expiring on or before `expires_by`.
/// `expiring`: (from, to) — only those expiring in that span.
pub fn certifications(conn: &Connection, enterprise: Option<i64>, kind: Option<&str>, expiring: Option<(&str, &str)>) -> Result<Vec<Certification>> {
    let mut st = conn.prepare(&format!(
        "{CERT_SQL} WHERE c.revoked = 0 AND e.status != 'merged' AND (?1 IS NULL OR c.enterprise_id = ?1) AND (?2 IS NULL OR c.kind = ?2)
           AND (?3 IS NULL OR (c.expires_on IS NOT NULL AND c.expires_on >= ?3 AND c.expires_on <= ?4)) ORDER BY coalesce(c.expires_on, '9999'), c.id"
    ))?;
    let v = st.query_map(params![enterprise, kind, expiring.map(|e| e.0), expiring.map(|e| e.1)], to_cert)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

pub fn revoke_certification(tx: &mut Tx<'_>, id: i64, reason: &str) -> Result<()> {
    let before = super::import::certification_json(tx.conn(), id)?;
    tx.conn().execute("UPDATE certification SET revoked = 1 WHERE id = ?1", [id])?;
    let after = super::import::certification_json(tx.conn(), id)?;
    let mut a = after;
    a["reason"] = json!(reason);
    tx.audit("certification", id, "revoke", Some(&before), Some(&a))?;
    Ok(())
}

// ---- rewards -------------------------------------------------------------------------------------

pub fn insert_reward(tx: &mut Tx<'_>, r: &crate::model::cert::Proposal, clause_id: i64, budget_year: i32) -> Result<i64> {
    let at = tx.at().to_string();
    tx.conn().execute(
        "INSERT INTO reward (enterprise_id, certification_id, program_id, amount_fen, cap_fen, status, budget_year, clause_id, explanation_json, created_at, updated_at,
             basis, tops_up)
         VALUES (?1, ?2, ?3, ?4, ?5, 'draft', ?6, ?7, ?8, ?9, ?9, ?10, ?11)",
        params![
            r.enterprise_id,
            (r.certification_id > 0).then_some(r.certification_id),
            r.program_id,
            r.amount_fen,
            r.cap_fen,
            budget_year,
            clause_id,
            serde_json::to_string(&r.steps)?,
            at,
            r.basis.as_str(),
            r.tops_up
        ],
    )?;
    let id = tx.conn().last_insert_rowid();
    tx.audit(
        "reward",
        id,
        "draft",
        None,
        Some(&json!({"certification_id": (r.certification_id > 0).then_some(r.certification_id), "program": r.program_code, "amount_fen": r.amount_fen, "basis": r.basis, "tops_up": r.tops_up})),
    )?;
    Ok(id)
}

const REWARD_SQL: &str =
    "SELECT r.id, r.enterprise_id, e.name, e.uscc, r.certification_id, coalesce(c.kind, ''), coalesce(c.certificate_no, ''), coalesce(c.issued_on, ''),
        r.program_id, p.code, p.name_zh, p.article, r.amount_fen, r.cap_fen, r.approved_fen,
        (SELECT coalesce(sum(amount_fen), 0) FROM disbursement d WHERE d.reward_id = r.id), r.status, r.reason, r.budget_year, r.over_budget,
        cl.article, cl.version, r.explanation_json, r.created_at, r.updated_at, r.basis, r.tops_up, r.note
    FROM reward r JOIN enterprise e ON e.id = r.enterprise_id LEFT JOIN certification c ON c.id = r.certification_id
    JOIN program p ON p.id = r.program_id JOIN clause cl ON cl.id = r.clause_id";

fn to_reward(r: &Row<'_>) -> rusqlite::Result<Reward> {
    let status: String = r.get(16)?;
    let steps: String = r.get(22)?;
    Ok(Reward {
        id: r.get(0)?,
        enterprise_id: r.get(1)?,
        enterprise_name: r.get(2)?,
        uscc: r.get(3)?,
        certification_id: r.get(4)?,
        cert_kind: r.get(5)?,
        certificate_no: r.get(6)?,
        issued_on: r.get(7)?,
        program_id: r.get(8)?,
        program_code: r.get(9)?,
        program_name_zh: r.get(10)?,
        article: r.get(11)?,
        amount_fen: r.get(12)?,
        cap_fen: r.get(13)?,
        approved_fen: r.get(14)?,
        paid_fen: r.get(15)?,
        status: RewardStatus::parse(&status).unwrap_or(RewardStatus::Draft),
        reason: r.get(17)?,
        budget_year: r.get(18)?,
        over_budget: r.get(19)?,
        clause: crate::model::rent::ClauseRef { article: r.get(20)?, version: r.get(21)? },
        steps: serde_json::from_str(&steps).unwrap_or_default(),
        created_at: r.get(23)?,
        updated_at: r.get(24)?,
        basis: RewardBasis::parse(&r.get::<_, String>(25)?),
        tops_up: r.get(26)?,
        note: r.get(27)?,
    })
}

pub fn reward(conn: &Connection, id: i64) -> Result<Option<Reward>> {
    Ok(conn.prepare_cached(&format!("{REWARD_SQL} WHERE r.id = ?1"))?.query_row([id], to_reward).optional()?)
}

pub fn rewards(conn: &Connection, status: Option<RewardStatus>, enterprise: Option<i64>) -> Result<Vec<Reward>> {
    let mut st = conn.prepare(&format!("{REWARD_SQL} WHERE (?1 IS NULL OR r.status = ?1) AND (?2 IS NULL OR r.enterprise_id = ?2) ORDER BY r.id DESC"))?;
    let v = st.query_map(params![status.map(|s| s.as_str()), enterprise], to_reward)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

/// Live rewards (not rejected or revoked), looked up two ways.
#[derive(Debug, Default)]
pub struct Rewarded {
    /// (certification, program)
    pub by_certification: std::collections::HashSet<(i64, i64)>,
    /// (enterprise, program) → a reward: a title is rewarded once per enterprise.
    pub by_enterprise: std::collections::HashMap<(i64, i64), i64>,
}

pub fn rewarded(conn: &Connection) -> Result<Rewarded> {
    let mut st = conn.prepare(
        "SELECT id, certification_id, program_id, enterprise_id FROM reward WHERE status NOT IN ('rejected', 'revoked') AND basis != 'performance' ORDER BY id",
    )?;
    let mut out = Rewarded::default();
    let rows = st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?, r.get::<_, i64>(2)?, r.get::<_, i64>(3)?)))?;
    for row in rows {
        let (id, cert, program, enterprise) = row?;
        if let Some(c) = cert {
            out.by_certification.insert((c, program));
        }
        out.by_enterprise.entry((enterprise, program)).or_insert(id);
    }
    Ok(out)
}

/// A live reward of an enterprise in a 就高不重复 group.
#[derive(Debug, Clone)]
pub struct GroupReward {
    pub id: i64,
    pub program_code: String,
    pub program_name_zh: String,
    /// The approved amount (the proposed one while a draft).
    pub amount_fen: i64,
}

/// Live rewards of an enterprise in a stacking group, whatever the year.
pub fn group_rewards(conn: &Connection, enterprise: i64, group: &str) -> Result<Vec<GroupReward>> {
    let mut st = conn.prepare_cached(
        "SELECT r.id, p.code, p.name_zh, coalesce(r.approved_fen, r.amount_fen) FROM reward r JOIN program p ON p.id = r.program_id
         WHERE r.enterprise_id = ?1 AND p.stacking_group = ?2 AND r.status NOT IN ('rejected', 'revoked') ORDER BY r.id",
    )?;
    let v = st
        .query_map(params![enterprise, group], |r| {
            Ok(GroupReward { id: r.get(0)?, program_code: r.get(1)?, program_name_zh: r.get(2)?, amount_fen: r.get(3)? })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

/// Each enterprise's status (active, moved_out, deregistered, merged).
pub fn enterprise_statuses(conn: &Connection) -> Result<std::collections::HashMap<i64, String>> {
    let mut st = conn.prepare("SELECT id, status FROM enterprise WHERE status != 'active'")?;
    let v = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    Ok(v)
}

pub fn set_reward_note(tx: &mut Tx<'_>, id: i64, note: &str) -> Result<()> {
    let before: String = tx.conn().query_row("SELECT note FROM reward WHERE id = ?1", [id], |r| r.get(0))?;
    tx.conn().execute("UPDATE reward SET note = ?2 WHERE id = ?1", params![id, note])?;
    tx.audit("reward", id, "note", Some(&json!({"note": before})), Some(&json!({"note": note})))?;
    Ok(())
}

pub fn set_reward_status(
    tx: &mut Tx<'_>,
    id: i64,
    status: RewardStatus,
    approved: Option<i64>,
    reason: Option<&str>,
    budget: Option<(i32, bool)>,
    action: &str,
) -> Result<()> {
    let before = reward(tx.conn(), id)?.ok_or(Error::NotFound { entity: "reward", key: id.to_string() })?;
    let at = tx.at().to_string();
    tx.conn().execute(
        "UPDATE reward SET status = ?2, approved_fen = coalesce(?3, approved_fen), reason = coalesce(?4, reason), budget_year = coalesce(?5, budget_year),
             over_budget = coalesce(?6, over_budget), updated_at = ?7 WHERE id = ?1",
        params![id, status.as_str(), approved, reason, budget.map(|b| b.0), budget.map(|b| b.1), at],
    )?;
    let after = reward(tx.conn(), id)?.ok_or_else(|| Error::Internal("reward vanished".into()))?;
    let snap =
        |r: &Reward| json!({"status": r.status, "approved_fen": r.approved_fen, "reason": r.reason, "over_budget": r.over_budget, "paid_fen": r.paid_fen});
    tx.audit("reward", id, action, Some(&snap(&before)), Some(&snap(&after)))?;
    Ok(())
}

pub fn insert_reward_payment(tx: &mut Tx<'_>, reward_id: i64, amount: i64, paid_on: &str, reference: &str) -> Result<()> {
    let at = tx.at().to_string();
    tx.conn().execute(
        "INSERT INTO disbursement (reward_id, amount_fen, paid_on, reference, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![reward_id, amount, paid_on, reference, at],
    )?;
    let id = tx.conn().last_insert_rowid();
    tx.audit("disbursement", id, "pay", None, Some(&json!({"reward_id": reward_id, "amount_fen": amount, "paid_on": paid_on, "reference": reference})))?;
    Ok(())
}

/// Approved support (rent grants + rewards) grouped by park or by sector: (label, amount).
pub fn support_by(conn: &Connection, by_park: bool, year: i32) -> Result<Vec<(String, i64)>> {
    let label = if by_park { "coalesce(p.name, '（未填园区）')" } else { "coalesce(nullif(e.sector, ''), '（未填领域）')" };
    let sql = format!(
        "SELECT {label} AS k, sum(a) FROM (
             SELECT enterprise_id, approved_fen AS a FROM rent_grant WHERE status IN ('approved', 'disbursed') AND budget_year = ?1
             UNION ALL SELECT enterprise_id, approved_fen FROM reward WHERE status IN ('approved', 'disbursed') AND budget_year = ?1
         ) s JOIN enterprise e ON e.id = s.enterprise_id LEFT JOIN park p ON p.id = e.park_id GROUP BY k ORDER BY 2 DESC"
    );
    let mut st = conn.prepare(&sql)?;
    let v = st.query_map([year], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}
