//! SQL of certification kinds, certifications and rewards.

use super::Conn;
use rusqlite::{params, OptionalExtension, Row};
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
    tx.sql().execute(
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
    let syn: String = r.get(kind_col::synonyms_json)?;
    Ok(CertKind {
        code: r.get(kind_col::code)?,
        name_zh: r.get(kind_col::name_zh)?,
        name_en: r.get(kind_col::name_en)?,
        synonyms: serde_json::from_str(&syn).unwrap_or_default(),
        validity: parse(kind_col::validity_json, r.get(kind_col::validity_json)?)?.and_then(|v| serde_json::from_value(v).ok()),
        annual_report: parse(kind_col::annual_report_json, r.get(kind_col::annual_report_json)?)?.and_then(|v| serde_json::from_value(v).ok()),
        evaluation_window: parse(kind_col::evaluation_json, r.get(kind_col::evaluation_json)?)?.and_then(|v| serde_json::from_value(v).ok()),
        review: Some(r.get::<_, bool>(kind_col::review)?),
        wording: r.get(kind_col::wording)?,
        list_name: r.get(kind_col::list_name)?,
        level: r.get(kind_col::level)?,
    })
}

columns!(KIND_COLS, kind_col {
    code = "code",
    name_zh = "name_zh",
    name_en = "name_en",
    synonyms_json = "synonyms_json",
    validity_json = "validity_json",
    annual_report_json = "annual_report_json",
    evaluation_json = "evaluation_json",
    review = "review",
    wording = "wording",
    list_name = "list_name",
    level = "level",
});

pub fn kinds(conn: Conn<'_>) -> Result<Vec<CertKind>> {
    let mut st = conn.prepare(&format!("SELECT {KIND_COLS} FROM cert_kind ORDER BY sort_order, code"))?;
    let v = st.query_map([], to_kind)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

pub fn kind(conn: Conn<'_>, code: &str) -> Result<Option<CertKind>> {
    Ok(conn.prepare_cached(&format!("SELECT {KIND_COLS} FROM cert_kind WHERE code = ?1"))?.query_row([code], to_kind).optional()?)
}

pub fn max_kind_sort(conn: Conn<'_>) -> Result<i64> {
    Ok(conn.query_row("SELECT coalesce(max(sort_order), 0) FROM cert_kind", [], |r| r.get(0))?)
}

columns!(CERT_SQL = "SELECT ", cert_col {
    id = "c.id",
    enterprise_id = "c.enterprise_id",
    enterprise_name = "e.name",
    uscc = "e.uscc",
    park = "p.name",
    sector = "e.sector",
    kind = "c.kind",
    certificate_no = "c.certificate_no",
    issued_on = "c.issued_on",
    expires_on = "c.expires_on",
    expiry_differs_from_rule = "c.expiry_flag",
    level = "c.level",
    source = "c.source",
    batch_id = "c.batch_id",
    revoked = "c.revoked",
    created_at = "c.created_at",
}, "  FROM certification c JOIN enterprise e ON e.id = c.enterprise_id LEFT JOIN park p ON p.id = e.park_id");

fn to_cert(r: &Row<'_>) -> rusqlite::Result<Certification> {
    Ok(Certification {
        id: r.get(cert_col::id)?,
        enterprise_id: r.get(cert_col::enterprise_id)?,
        enterprise_name: r.get(cert_col::enterprise_name)?,
        uscc: r.get(cert_col::uscc)?,
        park: r.get(cert_col::park)?,
        sector: r.get(cert_col::sector)?,
        kind: r.get(cert_col::kind)?,
        certificate_no: r.get(cert_col::certificate_no)?,
        issued_on: r.get(cert_col::issued_on)?,
        expires_on: r.get(cert_col::expires_on)?,
        expiry_differs_from_rule: r.get(cert_col::expiry_differs_from_rule)?,
        level: r.get(cert_col::level)?,
        source: r.get(cert_col::source)?,
        batch_id: r.get(cert_col::batch_id)?,
        revoked: r.get(cert_col::revoked)?,
        created_at: r.get(cert_col::created_at)?,
    })
}

pub fn certification(conn: Conn<'_>, id: i64) -> Result<Option<Certification>> {
    Ok(conn.prepare_cached(&format!("{CERT_SQL} WHERE c.id = ?1"))?.query_row([id], to_cert).optional()?)
}

/// Live certifications; filters: enterprise, kind, expiring on or before `expires_by`.
/// `expiring`: (from, to) — only those expiring in that span.
pub fn certifications(conn: Conn<'_>, enterprise: Option<i64>, kind: Option<&str>, expiring: Option<(&str, &str)>) -> Result<Vec<Certification>> {
    let mut st = conn.prepare(&format!(
        "{CERT_SQL} WHERE c.revoked = 0 AND e.status != 'merged' AND (?1 IS NULL OR c.enterprise_id = ?1) AND (?2 IS NULL OR c.kind = ?2)
           AND (?3 IS NULL OR (c.expires_on IS NOT NULL AND c.expires_on >= ?3 AND c.expires_on <= ?4)) ORDER BY coalesce(c.expires_on, '9999'), c.id"
    ))?;
    let v = st.query_map(params![enterprise, kind, expiring.map(|e| e.0), expiring.map(|e| e.1)], to_cert)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

pub fn revoke_certification(tx: &mut Tx<'_>, id: i64, reason: &str) -> Result<()> {
    let before = super::import::certification_json(tx.conn(), id)?;
    tx.sql().execute("UPDATE certification SET revoked = 1 WHERE id = ?1", [id])?;
    let after = super::import::certification_json(tx.conn(), id)?;
    let mut a = after;
    a["reason"] = json!(reason);
    tx.audit("certification", id, "revoke", Some(&before), Some(&a))?;
    Ok(())
}

// ---- rewards -------------------------------------------------------------------------------------

pub fn insert_reward(tx: &mut Tx<'_>, r: &crate::model::cert::Proposal, clause_id: i64, budget_year: i32) -> Result<i64> {
    let at = tx.at().to_string();
    tx.sql().execute(
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
    let id = tx.sql().last_insert_rowid();
    tx.audit(
        "reward",
        id,
        "draft",
        None,
        Some(&json!({"certification_id": (r.certification_id > 0).then_some(r.certification_id), "program": r.program_code, "amount_fen": r.amount_fen, "basis": r.basis, "tops_up": r.tops_up})),
    )?;
    Ok(id)
}

columns!(REWARD_SQL = "SELECT ", reward_col {
    id = "r.id",
    enterprise_id = "r.enterprise_id",
    enterprise_name = "e.name",
    uscc = "e.uscc",
    certification_id = "r.certification_id",
    cert_kind = "coalesce(c.kind, '')",
    certificate_no = "coalesce(c.certificate_no, '')",
    issued_on = "coalesce(c.issued_on, '')",
    program_id = "r.program_id",
    program_code = "p.code",
    program_name_zh = "p.name_zh",
    article = "p.article",
    amount_fen = "r.amount_fen",
    cap_fen = "r.cap_fen",
    approved_fen = "r.approved_fen",
    paid_fen = "(SELECT coalesce(sum(amount_fen), 0) FROM disbursement d WHERE d.reward_id = r.id)",
    status = "r.status",
    reason = "r.reason",
    budget_year = "r.budget_year",
    over_budget = "r.over_budget",
    clause = "cl.article",
    version = "cl.version",
    steps = "r.explanation_json",
    created_at = "r.created_at",
    updated_at = "r.updated_at",
    basis = "r.basis",
    tops_up = "r.tops_up",
    note = "r.note",
}, "  FROM reward r JOIN enterprise e ON e.id = r.enterprise_id LEFT JOIN certification c ON c.id = r.certification_id  JOIN program p ON p.id = r.program_id JOIN clause cl ON cl.id = r.clause_id");

fn to_reward(r: &Row<'_>) -> rusqlite::Result<Reward> {
    let status: String = r.get(reward_col::status)?;
    let steps: String = r.get(reward_col::steps)?;
    Ok(Reward {
        id: r.get(reward_col::id)?,
        enterprise_id: r.get(reward_col::enterprise_id)?,
        enterprise_name: r.get(reward_col::enterprise_name)?,
        uscc: r.get(reward_col::uscc)?,
        certification_id: r.get(reward_col::certification_id)?,
        cert_kind: r.get(reward_col::cert_kind)?,
        certificate_no: r.get(reward_col::certificate_no)?,
        issued_on: r.get(reward_col::issued_on)?,
        program_id: r.get(reward_col::program_id)?,
        program_code: r.get(reward_col::program_code)?,
        program_name_zh: r.get(reward_col::program_name_zh)?,
        article: r.get(reward_col::article)?,
        amount_fen: r.get(reward_col::amount_fen)?,
        cap_fen: r.get(reward_col::cap_fen)?,
        approved_fen: r.get(reward_col::approved_fen)?,
        paid_fen: r.get(reward_col::paid_fen)?,
        status: RewardStatus::parse(&status).unwrap_or(RewardStatus::Draft),
        reason: r.get(reward_col::reason)?,
        budget_year: r.get(reward_col::budget_year)?,
        over_budget: r.get(reward_col::over_budget)?,
        clause: crate::model::rent::ClauseRef { article: r.get(reward_col::clause)?, version: r.get(reward_col::version)? },
        steps: serde_json::from_str(&steps).unwrap_or_default(),
        created_at: r.get(reward_col::created_at)?,
        updated_at: r.get(reward_col::updated_at)?,
        basis: RewardBasis::parse(&r.get::<_, String>(reward_col::basis)?),
        tops_up: r.get(reward_col::tops_up)?,
        note: r.get(reward_col::note)?,
    })
}

pub fn reward(conn: Conn<'_>, id: i64) -> Result<Option<Reward>> {
    Ok(conn.prepare_cached(&format!("{REWARD_SQL} WHERE r.id = ?1"))?.query_row([id], to_reward).optional()?)
}

pub fn rewards(conn: Conn<'_>, status: Option<RewardStatus>, enterprise: Option<i64>) -> Result<Vec<Reward>> {
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

pub fn rewarded(conn: Conn<'_>) -> Result<Rewarded> {
    let mut st = conn.prepare(
        "SELECT id, certification_id, program_id, enterprise_id FROM reward WHERE status NOT IN ('rejected', 'revoked') AND basis != 'performance' ORDER BY id",
    )?;
    let mut out = Rewarded::default();
    let rows = st.query_map([], |r| {
        Ok((r.get::<_, i64>("id")?, r.get::<_, Option<i64>>("certification_id")?, r.get::<_, i64>("program_id")?, r.get::<_, i64>("enterprise_id")?))
    })?;
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
pub fn group_rewards(conn: Conn<'_>, enterprise: i64, group: &str) -> Result<Vec<GroupReward>> {
    let mut st = conn.prepare_cached(
        "SELECT r.id, p.code, p.name_zh, coalesce(r.approved_fen, r.amount_fen) AS amount_fen FROM reward r JOIN program p ON p.id = r.program_id
         WHERE r.enterprise_id = ?1 AND p.stacking_group = ?2 AND r.status NOT IN ('rejected', 'revoked') ORDER BY r.id",
    )?;
    let v = st
        .query_map(params![enterprise, group], |r| {
            Ok(GroupReward { id: r.get("id")?, program_code: r.get("code")?, program_name_zh: r.get("name_zh")?, amount_fen: r.get("amount_fen")? })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

/// Each enterprise's status (active, moved_out, deregistered, merged).
pub fn enterprise_statuses(conn: Conn<'_>) -> Result<std::collections::HashMap<i64, String>> {
    let mut st = conn.prepare("SELECT id, status FROM enterprise WHERE status != 'active'")?;
    let v = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    Ok(v)
}

pub fn set_reward_note(tx: &mut Tx<'_>, id: i64, note: &str) -> Result<()> {
    let before: String = tx.sql().query_row("SELECT note FROM reward WHERE id = ?1", [id], |r| r.get(0))?;
    tx.sql().execute("UPDATE reward SET note = ?2 WHERE id = ?1", params![id, note])?;
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
    tx.sql().execute(
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
    tx.sql().execute(
        "INSERT INTO disbursement (reward_id, amount_fen, paid_on, reference, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![reward_id, amount, paid_on, reference, at],
    )?;
    let id = tx.sql().last_insert_rowid();
    tx.audit("disbursement", id, "pay", None, Some(&json!({"reward_id": reward_id, "amount_fen": amount, "paid_on": paid_on, "reference": reference})))?;
    Ok(())
}

/// Approved support (rent grants + rewards) grouped by park or by sector: (label, amount).
pub fn support_by(conn: Conn<'_>, by_park: bool, year: i32) -> Result<Vec<(String, i64)>> {
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
