//! SQL of the rent subsidy: rule versions, leases, growth reports, applications, grants, payments.

use super::Conn;
use rusqlite::{params, OptionalExtension, Row};
use serde_json::json;

use super::Tx;
use crate::error::{Error, Result};
use crate::model::rent::{
    Application, ApplicationInput, CalcResult, CertSpan, ClauseRef, Grant, GrantStatus, GrowthReport, Lease, LeaseInput, Payment, RentRules, RuleVersion,
};

pub fn current_rule(conn: Conn<'_>) -> Result<Option<RuleVersion>> {
    Ok(conn.query_row("SELECT version, params_json, note, created_at, created_by FROM rent_rule ORDER BY version DESC LIMIT 1", [], to_rule).optional()?)
}

fn to_rule(r: &Row<'_>) -> rusqlite::Result<RuleVersion> {
    let json: String = r.get("params_json")?;
    let rules: RentRules = serde_json::from_str(&json).map_err(|e| rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e)))?;
    Ok(RuleVersion { version: r.get("version")?, rules, note: r.get("note")?, created_at: r.get("created_at")?, created_by: r.get("created_by")? })
}

pub fn rule_versions(conn: Conn<'_>) -> Result<Vec<RuleVersion>> {
    let mut st = conn.prepare("SELECT version, params_json, note, created_at, created_by FROM rent_rule ORDER BY version")?;
    let v = st.query_map([], to_rule)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

pub fn add_rule(tx: &mut Tx<'_>, params_json: &str, note: &str) -> Result<i64> {
    let before = current_rule(tx.conn())?;
    let version = before.as_ref().map(|r| r.version).unwrap_or(0) + 1;
    let at = tx.at().to_string();
    let by = tx.actor().to_string();
    tx.sql().execute(
        "INSERT INTO rent_rule (version, params_json, note, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![version, params_json, note, at, by],
    )?;
    let b = before.map(|r| serde_json::to_value(r.rules)).transpose()?;
    let a: serde_json::Value = serde_json::from_str(params_json)?;
    tx.audit("rent_rule", version, "new_version", b.as_ref(), Some(&a))?;
    Ok(version)
}

columns!(LEASE_COLS, lease_col {
    id = "id",
    enterprise_id = "enterprise_id",
    address = "address",
    area_centi_m2 = "area_centi_m2",
    unit_rent_fen = "unit_rent_fen",
    start_on = "start_on",
    end_on = "end_on",
    annual_rent_fen = "annual_rent_fen",
    source = "source",
});

fn to_lease(r: &Row<'_>) -> rusqlite::Result<Lease> {
    Ok(Lease {
        id: r.get(lease_col::id)?,
        enterprise_id: r.get(lease_col::enterprise_id)?,
        address: r.get(lease_col::address)?,
        area_centi_m2: r.get(lease_col::area_centi_m2)?,
        unit_rent_fen: r.get(lease_col::unit_rent_fen)?,
        start_on: r.get(lease_col::start_on)?,
        end_on: r.get(lease_col::end_on)?,
        annual_rent_fen: r.get(lease_col::annual_rent_fen)?,
        source: r.get(lease_col::source)?,
    })
}

pub fn lease(conn: Conn<'_>, id: i64) -> Result<Option<Lease>> {
    Ok(conn.prepare_cached(&format!("SELECT {LEASE_COLS} FROM lease WHERE id = ?1"))?.query_row([id], to_lease).optional()?)
}

pub fn leases(conn: Conn<'_>, enterprise_id: i64) -> Result<Vec<Lease>> {
    let mut st = conn.prepare(&format!("SELECT {LEASE_COLS} FROM lease WHERE enterprise_id = ?1 ORDER BY start_on, id"))?;
    let v = st.query_map([enterprise_id], to_lease)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

pub fn insert_lease(tx: &mut Tx<'_>, enterprise_id: i64, l: &LeaseInput) -> Result<Lease> {
    let at = tx.at().to_string();
    let park: Option<i64> = tx.sql().query_row("SELECT park_id FROM enterprise WHERE id = ?1", [enterprise_id], |r| r.get(0))?;
    tx.sql().execute(
        "INSERT INTO lease (enterprise_id, address, area_centi_m2, unit_rent_fen, start_on, end_on, annual_rent_fen, park_id, source, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'manual', ?9)",
        params![enterprise_id, l.address.clone().unwrap_or_default(), l.area_centi_m2, l.unit_rent_fen, l.start_on, l.end_on, l.annual_rent_fen, park, at],
    )?;
    let id = tx.sql().last_insert_rowid();
    let lease = lease(tx.conn(), id)?.ok_or_else(|| Error::Internal("lease vanished".into()))?;
    tx.audit("lease", id, "create", None, Some(&serde_json::to_value(&lease)?))?;
    Ok(lease)
}

pub fn upsert_growth(tx: &mut Tx<'_>, g: &GrowthReport) -> Result<()> {
    let before = growth(tx.conn(), g.enterprise_id)?.into_iter().find(|x| x.year == g.year);
    tx.sql().execute(
        "INSERT INTO growth_report (enterprise_id, year, revenue_fen, rd_fen, staff) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (enterprise_id, year) DO UPDATE SET revenue_fen = excluded.revenue_fen, rd_fen = excluded.rd_fen, staff = excluded.staff",
        params![g.enterprise_id, g.year, g.revenue_fen, g.rd_fen, g.staff],
    )?;
    tx.audit(
        "growth_report",
        format!("{}:{}", g.enterprise_id, g.year),
        if before.is_some() { "update" } else { "create" },
        before.map(serde_json::to_value).transpose()?.as_ref(),
        Some(&serde_json::to_value(g)?),
    )?;
    Ok(())
}

pub fn growth(conn: Conn<'_>, enterprise_id: i64) -> Result<Vec<GrowthReport>> {
    let mut st = conn.prepare("SELECT enterprise_id, year, revenue_fen, rd_fen, staff FROM growth_report WHERE enterprise_id = ?1 ORDER BY year")?;
    let v = st
        .query_map([enterprise_id], |r| {
            Ok(GrowthReport {
                enterprise_id: r.get("enterprise_id")?,
                year: r.get("year")?,
                revenue_fen: r.get("revenue_fen")?,
                rd_fen: r.get("rd_fen")?,
                staff: r.get("staff")?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

pub fn insert_application(tx: &mut Tx<'_>, enterprise_id: i64, a: &ApplicationInput) -> Result<i64> {
    let at = tx.at().to_string();
    tx.sql().execute(
        "INSERT INTO rent_application (enterprise_id, lease_id, subsidy_year, period_start, period_end, revenue_prev_fen, revenue_curr_fen, requested_fen, source, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'manual', ?9)",
        params![enterprise_id, a.lease_id, a.subsidy_year, a.period_start, a.period_end, a.revenue_prev_fen, a.revenue_curr_fen, a.requested_fen, at],
    )?;
    let id = tx.sql().last_insert_rowid();
    let after = super::import::rent_application_json(tx.conn(), id)?;
    tx.audit("rent_application", id, "create", None, Some(&after))?;
    Ok(id)
}

columns!(APP_SQL = "SELECT ", app_col {
    id = "a.id",
    enterprise_id = "a.enterprise_id",
    enterprise_name = "e.name",
    uscc = "e.uscc",
    subsidy_year = "a.subsidy_year",
    period_start = "a.period_start",
    period_end = "a.period_end",
    revenue_prev_fen = "a.revenue_prev_fen",
    revenue_curr_fen = "a.revenue_curr_fen",
    requested_fen = "a.requested_fen",
    source = "a.source",
    batch_id = "a.batch_id",
    lease_id = "a.lease_id",
    park = "(SELECT pk.name FROM park pk WHERE pk.id = e.park_id)",
    grant_id = "(SELECT g.id",
}, " FROM rent_grant g WHERE g.application_id = a.id ORDER BY g.id DESC LIMIT 1)  FROM rent_application a JOIN enterprise e ON e.id = a.enterprise_id");

fn to_app(conn: Conn<'_>, r: &Row<'_>) -> rusqlite::Result<Application> {
    let lease_id: i64 = r.get(app_col::lease_id)?;
    let lease = lease(conn, lease_id).ok().flatten().ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    Ok(Application {
        id: r.get(app_col::id)?,
        enterprise_id: r.get(app_col::enterprise_id)?,
        enterprise_name: r.get(app_col::enterprise_name)?,
        uscc: r.get(app_col::uscc)?,
        park: r.get(app_col::park)?,
        subsidy_year: r.get(app_col::subsidy_year)?,
        period_start: r.get(app_col::period_start)?,
        period_end: r.get(app_col::period_end)?,
        revenue_prev_fen: r.get(app_col::revenue_prev_fen)?,
        revenue_curr_fen: r.get(app_col::revenue_curr_fen)?,
        requested_fen: r.get(app_col::requested_fen)?,
        source: r.get(app_col::source)?,
        batch_id: r.get(app_col::batch_id)?,
        lease,
        grant_id: r.get(app_col::grant_id)?,
    })
}

pub fn application(conn: Conn<'_>, id: i64) -> Result<Option<Application>> {
    let mut st = conn.prepare(&format!("{APP_SQL} WHERE a.id = ?1"))?;
    Ok(st.query_row([id], |r| to_app(conn, r)).optional()?)
}

pub fn applications(conn: Conn<'_>, only_open: bool) -> Result<Vec<Application>> {
    // Open: never decided. An application whose grant was rejected or revoked stays decided (its
    // days are free for other applications; it is not queued again).
    let filter = if only_open { "WHERE NOT EXISTS (SELECT 1 FROM rent_grant g WHERE g.application_id = a.id)" } else { "" };
    let mut st = conn.prepare(&format!("{APP_SQL} {filter} ORDER BY a.id"))?;
    let v = st.query_map([], |r| to_app(conn, r))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

/// Certification kinds of an enterprise valid on `day` (issued on or before, not expired).
pub fn valid_cert_kinds(conn: Conn<'_>, enterprise_id: i64, day: &str) -> Result<Vec<String>> {
    let mut st = conn.prepare_cached(
        "SELECT DISTINCT kind FROM certification WHERE enterprise_id = ?1 AND revoked = 0 AND issued_on <= ?2 AND (expires_on IS NULL OR expires_on >= ?2) ORDER BY kind",
    )?;
    let v = st.query_map(params![enterprise_id, day], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(v)
}

/// Certification kinds valid on `day` (tests and diagnostics outside the crate).
pub fn valid_cert_kinds_of(db: &super::Db, enterprise_id: i64, day: &str) -> Vec<String> {
    valid_cert_kinds(db.conn(), enterprise_id, day).unwrap_or_default()
}

/// The enterprise's certifications with the days they are valid (revoked ones left out).
pub fn cert_spans(conn: Conn<'_>, enterprise_id: i64) -> Result<Vec<CertSpan>> {
    let mut st =
        conn.prepare_cached("SELECT kind, issued_on, expires_on FROM certification WHERE enterprise_id = ?1 AND revoked = 0 ORDER BY issued_on, id")?;
    let v = st.query_map([enterprise_id], |r| Ok(CertSpan { kind: r.get(0)?, from: r.get(1)?, to: r.get(2)? }))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

/// Days a live grant (draft, submitted, approved, disbursed) of an enterprise subsidises.
#[derive(Debug, Clone)]
pub struct LiveSpan {
    pub grant_id: i64,
    pub status: GrantStatus,
    pub lease_id: i64,
    pub address: String,
    pub start: String,
    pub end: String,
    pub area_centi_m2: i64,
}

const LIVE: &str = "g.status IN ('draft', 'submitted', 'approved', 'disbursed')";

pub fn live_spans(conn: Conn<'_>, enterprise_id: i64) -> Result<Vec<LiveSpan>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT s.grant_id, g.status, g.lease_id, l.address, s.start_on, s.end_on, s.area_centi_m2
         FROM rent_grant_span s JOIN rent_grant g ON g.id = s.grant_id JOIN lease l ON l.id = g.lease_id
         WHERE g.enterprise_id = ?1 AND {LIVE} ORDER BY g.id, s.start_on"
    ))?;
    let v = st
        .query_map([enterprise_id], |r| {
            let status: String = r.get("status")?;
            Ok(LiveSpan {
                grant_id: r.get("grant_id")?,
                status: GrantStatus::parse(&status).unwrap_or(GrantStatus::Draft),
                lease_id: r.get("lease_id")?,
                address: r.get("address")?,
                start: r.get("start_on")?,
                end: r.get("end_on")?,
                area_centi_m2: r.get("area_centi_m2")?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

/// The days one grant subsidises: (start, end, area).
pub fn spans_of(conn: Conn<'_>, grant_id: i64) -> Result<Vec<(String, String, i64)>> {
    let mut st = conn.prepare_cached("SELECT start_on, end_on, area_centi_m2 FROM rent_grant_span WHERE grant_id = ?1 ORDER BY start_on")?;
    let v = st.query_map([grant_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

fn put_spans(tx: &mut Tx<'_>, grant_id: i64, r: &CalcResult) -> Result<()> {
    tx.sql().execute("DELETE FROM rent_grant_span WHERE grant_id = ?1", [grant_id])?;
    if r.eligible {
        let mut st = tx.sql().prepare_cached("INSERT INTO rent_grant_span (grant_id, start_on, end_on, area_centi_m2) VALUES (?1, ?2, ?3, ?4)")?;
        for s in &r.stretches {
            st.execute(params![grant_id, s.start, s.end, s.area_centi_m2])?;
        }
    }
    Ok(())
}

pub fn insert_grant(tx: &mut Tx<'_>, app: &Application, program_id: i64, r: &CalcResult, clause_id: i64, budget_year: i32) -> Result<i64> {
    let at = tx.at().to_string();
    let explanation = serde_json::to_string(r)?;
    tx.sql().execute(
        "INSERT INTO rent_grant (enterprise_id, application_id, lease_id, program_id, subsidy_year, period_start, period_end, months, rate_bp,
             eligible_unit_rent_fen, eligible_area_centi_m2, computed_fen, requested_fen, status, budget_year, rule_version, clause_id,
             explanation_json, created_at, updated_at, method, month_units)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'draft', ?14, ?15, ?16, ?17, ?18, ?18, ?19, ?20)",
        params![
            app.enterprise_id,
            app.id,
            app.lease.id,
            program_id,
            r.subsidy_year.unwrap_or(app.subsidy_year),
            app.period_start,
            app.period_end,
            r.month_units / crate::model::calendar::MONTH_UNITS,
            r.rate_bp,
            r.unit_rent_fen,
            r.area_centi_m2,
            r.amount_fen,
            app.requested_fen,
            budget_year,
            r.rule_version,
            clause_id,
            explanation,
            at,
            r.method,
            r.month_units
        ],
    )?;
    let id = tx.sql().last_insert_rowid();
    put_spans(tx, id, r)?;
    tx.audit(
        "rent_grant",
        id,
        "draft",
        None,
        Some(&json!({"application_id": app.id, "computed_fen": r.amount_fen, "eligible": r.eligible, "rule_version": r.rule_version, "clause": r.clause, "stretches": r.stretches, "cuts": r.cuts})),
    )?;
    Ok(id)
}

/// A draft calculated again (the registry or the ledger changed since): the same grant, its new
/// figures and days, audited with the old and the new amount.
pub fn update_calc(tx: &mut Tx<'_>, id: i64, r: &CalcResult, clause_id: i64) -> Result<()> {
    let before = grant(tx.conn(), id)?.ok_or(Error::NotFound { entity: "grant", key: id.to_string() })?;
    let at = tx.at().to_string();
    tx.sql().execute(
        "UPDATE rent_grant SET subsidy_year = ?2, months = ?3, rate_bp = ?4, eligible_unit_rent_fen = ?5, eligible_area_centi_m2 = ?6, computed_fen = ?7,
             rule_version = ?8, clause_id = ?9, explanation_json = ?10, method = ?11, month_units = ?12, updated_at = ?13 WHERE id = ?1",
        params![
            id,
            r.subsidy_year.unwrap_or(before.subsidy_year),
            r.month_units / crate::model::calendar::MONTH_UNITS,
            r.rate_bp,
            r.unit_rent_fen,
            r.area_centi_m2,
            r.amount_fen,
            r.rule_version,
            clause_id,
            serde_json::to_string(r)?,
            r.method,
            r.month_units,
            at
        ],
    )?;
    put_spans(tx, id, r)?;
    tx.audit(
        "rent_grant",
        id,
        "recalculate",
        Some(&json!({"computed_fen": before.computed_fen, "eligible": before.explanation.eligible, "rule_version": before.rule_version, "month_units": before.month_units})),
        Some(&json!({"computed_fen": r.amount_fen, "eligible": r.eligible, "rule_version": r.rule_version, "month_units": r.month_units, "stretches": r.stretches, "cuts": r.cuts})),
    )?;
    Ok(())
}

columns!(GRANT_SQL = "SELECT ", grant_col {
    id = "g.id",
    enterprise_id = "g.enterprise_id",
    enterprise_name = "e.name",
    uscc = "e.uscc",
    application_id = "g.application_id",
    lease_id = "g.lease_id",
    program_code = "p.code",
    subsidy_year = "g.subsidy_year",
    period_start = "g.period_start",
    period_end = "g.period_end",
    months = "g.months",
    rate_bp = "g.rate_bp",
    eligible_unit_rent_fen = "g.eligible_unit_rent_fen",
    eligible_area_centi_m2 = "g.eligible_area_centi_m2",
    computed_fen = "g.computed_fen",
    requested_fen = "g.requested_fen",
    approved_fen = "g.approved_fen",
    paid_fen = "(SELECT coalesce(sum(amount_fen), 0) FROM disbursement d WHERE d.grant_id = g.id)",
    status = "g.status",
    reason = "g.reason",
    budget_year = "g.budget_year",
    over_budget = "g.over_budget",
    rule_version = "g.rule_version",
    clause = "c.article",
    version = "c.version",
    expl = "g.explanation_json",
    created_at = "g.created_at",
    updated_at = "g.updated_at",
    method = "g.method",
    month_units = "g.month_units",
    park = "pk.name",
}, "  FROM rent_grant g JOIN enterprise e ON e.id = g.enterprise_id JOIN program p ON p.id = g.program_id JOIN clause c ON c.id = g.clause_id LEFT JOIN park pk ON pk.id = e.park_id");

fn to_grant(r: &Row<'_>) -> rusqlite::Result<Grant> {
    let status: String = r.get(grant_col::status)?;
    let expl: String = r.get(grant_col::expl)?;
    let explanation: CalcResult =
        serde_json::from_str(&expl).map_err(|e| rusqlite::Error::FromSqlConversionFailure(25, rusqlite::types::Type::Text, Box::new(e)))?;
    let month_units: i64 = r.get(grant_col::month_units)?;
    Ok(Grant {
        id: r.get(grant_col::id)?,
        enterprise_id: r.get(grant_col::enterprise_id)?,
        enterprise_name: r.get(grant_col::enterprise_name)?,
        uscc: r.get(grant_col::uscc)?,
        park: r.get(grant_col::park)?,
        application_id: r.get(grant_col::application_id)?,
        lease_id: r.get(grant_col::lease_id)?,
        program_code: r.get(grant_col::program_code)?,
        subsidy_year: r.get(grant_col::subsidy_year)?,
        period_start: r.get(grant_col::period_start)?,
        period_end: r.get(grant_col::period_end)?,
        months: crate::model::calendar::months_f64(month_units),
        month_units,
        method: r.get(grant_col::method)?,
        cuts: explanation.cuts.clone(),
        months_used_before: explanation.months_used_before,
        rate_bp: r.get(grant_col::rate_bp)?,
        eligible_unit_rent_fen: r.get(grant_col::eligible_unit_rent_fen)?,
        eligible_area_centi_m2: r.get(grant_col::eligible_area_centi_m2)?,
        computed_fen: r.get(grant_col::computed_fen)?,
        requested_fen: r.get(grant_col::requested_fen)?,
        approved_fen: r.get(grant_col::approved_fen)?,
        paid_fen: r.get(grant_col::paid_fen)?,
        status: GrantStatus::parse(&status).unwrap_or(GrantStatus::Draft),
        reason: r.get(grant_col::reason)?,
        budget_year: r.get(grant_col::budget_year)?,
        over_budget: r.get(grant_col::over_budget)?,
        rule_version: r.get(grant_col::rule_version)?,
        clause: ClauseRef { article: r.get(grant_col::clause)?, version: r.get(grant_col::version)? },
        explanation,
        created_at: r.get(grant_col::created_at)?,
        updated_at: r.get(grant_col::updated_at)?,
    })
}

pub fn grant(conn: Conn<'_>, id: i64) -> Result<Option<Grant>> {
    Ok(conn.prepare_cached(&format!("{GRANT_SQL} WHERE g.id = ?1"))?.query_row([id], to_grant).optional()?)
}

pub fn grants(conn: Conn<'_>, status: Option<GrantStatus>) -> Result<Vec<Grant>> {
    let mut st = conn.prepare(&format!("{GRANT_SQL} WHERE (?1 IS NULL OR g.status = ?1) ORDER BY g.id DESC"))?;
    let v = st.query_map([status.map(|s| s.as_str())], to_grant)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

pub fn grants_of(conn: Conn<'_>, enterprise_id: i64) -> Result<Vec<Grant>> {
    let mut st = conn.prepare(&format!("{GRANT_SQL} WHERE g.enterprise_id = ?1 ORDER BY g.id DESC"))?;
    let v = st.query_map([enterprise_id], to_grant)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

/// Change a grant's status (and what goes with it), audited with before and after.
pub fn set_status(
    tx: &mut Tx<'_>,
    id: i64,
    status: GrantStatus,
    approved_fen: Option<i64>,
    reason: Option<&str>,
    budget: Option<(i32, bool)>,
    action: &str,
) -> Result<()> {
    let before = grant(tx.conn(), id)?.ok_or(Error::NotFound { entity: "grant", key: id.to_string() })?;
    let at = tx.at().to_string();
    tx.sql().execute(
        "UPDATE rent_grant SET status = ?2, approved_fen = coalesce(?3, approved_fen), reason = coalesce(?4, reason),
             budget_year = coalesce(?5, budget_year), over_budget = coalesce(?6, over_budget), updated_at = ?7 WHERE id = ?1",
        params![id, status.as_str(), approved_fen, reason, budget.map(|b| b.0), budget.map(|b| b.1), at],
    )?;
    let snap = |g: &Grant| json!({"status": g.status, "approved_fen": g.approved_fen, "reason": g.reason, "budget_year": g.budget_year, "over_budget": g.over_budget, "paid_fen": g.paid_fen});
    let after = grant(tx.conn(), id)?.ok_or_else(|| Error::Internal("grant vanished".into()))?;
    tx.audit("rent_grant", id, action, Some(&snap(&before)), Some(&snap(&after)))?;
    Ok(())
}

pub fn insert_payment(tx: &mut Tx<'_>, grant_id: i64, amount: i64, paid_on: &str, reference: &str) -> Result<i64> {
    let at = tx.at().to_string();
    tx.sql().execute(
        "INSERT INTO disbursement (grant_id, amount_fen, paid_on, reference, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![grant_id, amount, paid_on, reference, at],
    )?;
    let id = tx.sql().last_insert_rowid();
    tx.audit("disbursement", id, "pay", None, Some(&json!({"grant_id": grant_id, "amount_fen": amount, "paid_on": paid_on, "reference": reference})))?;
    Ok(id)
}

pub fn payments(conn: Conn<'_>, grant_id: i64) -> Result<Vec<Payment>> {
    let mut st = conn.prepare("SELECT id, amount_fen, paid_on, reference, created_at FROM disbursement WHERE grant_id = ?1 ORDER BY id")?;
    let v = st
        .query_map([grant_id], |r| {
            Ok(Payment {
                id: r.get("id")?,
                amount_fen: r.get("amount_fen")?,
                paid_on: r.get("paid_on")?,
                reference: r.get("reference")?,
                created_at: r.get("created_at")?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}
