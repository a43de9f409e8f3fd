//! SQL of notices: templates, the number register, issued notices.

use super::Conn;
use rusqlite::{params, OptionalExtension, Row};

use super::Tx;
use crate::error::{Error, Result};
use crate::model::notice::{Notice, NoticeKind, Target, Template};

/// Seed the templates of a new database; in an older one, add the shipped template as the next
/// version of each kind whose current template is still one shipped before (never over an edit).
pub fn ensure_templates_seeded(db: &mut super::Db) -> Result<()> {
    let (seeds, superseded) = crate::model::notice::template_seeds();
    let mut todo = Vec::new();
    for t in &seeds {
        match template(db.conn(), t.kind, None)? {
            None => todo.push((t, template_versions(db.conn(), t.kind)?.iter().map(|v| v.version).max().unwrap_or(0) + 1)),
            Some(cur) if superseded.iter().any(|o| o.kind == t.kind && o.genre == cur.genre && o.title == cur.title && o.body == cur.body) => {
                todo.push((t, cur.version + 1))
            }
            Some(_) => {}
        }
    }
    if todo.is_empty() || db.is_read_only() {
        return Ok(());
    }
    db.write(|tx| {
        for (t, version) in &todo {
            insert_template(tx, t.kind, *version, &t.genre, &t.title, &t.body)?;
        }
        Ok(())
    })
}

fn to_template(r: &Row<'_>) -> rusqlite::Result<Template> {
    let kind: String = r.get(tpl_col::kind)?;
    Ok(Template {
        kind: NoticeKind::parse(&kind).unwrap_or(NoticeKind::RentApproval),
        version: r.get(tpl_col::version)?,
        genre: r.get(tpl_col::genre)?,
        title: r.get(tpl_col::title)?,
        body: r.get(tpl_col::body)?,
        current: r.get(tpl_col::current)?,
        created_at: r.get(tpl_col::created_at)?,
        created_by: r.get(tpl_col::created_by)?,
    })
}

columns!(T_COLS, tpl_col {
    kind = "kind",
    version = "version",
    genre = "genre",
    title = "title",
    body = "body",
    current = "current",
    created_at = "created_at",
    created_by = "created_by",
});

pub fn templates(conn: Conn<'_>) -> Result<Vec<Template>> {
    let mut st = conn.prepare(&format!("SELECT {T_COLS} FROM notice_template WHERE current = 1 ORDER BY kind"))?;
    let v = st.query_map([], to_template)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

pub fn template(conn: Conn<'_>, kind: NoticeKind, version: Option<i64>) -> Result<Option<Template>> {
    Ok(match version {
        Some(v) => conn
            .prepare_cached(&format!("SELECT {T_COLS} FROM notice_template WHERE kind = ?1 AND version = ?2"))?
            .query_row(params![kind.as_str(), v], to_template),
        None => conn.prepare_cached(&format!("SELECT {T_COLS} FROM notice_template WHERE kind = ?1 AND current = 1"))?.query_row([kind.as_str()], to_template),
    }
    .optional()?)
}

pub fn template_versions(conn: Conn<'_>, kind: NoticeKind) -> Result<Vec<Template>> {
    let mut st = conn.prepare(&format!("SELECT {T_COLS} FROM notice_template WHERE kind = ?1 ORDER BY version"))?;
    let v = st.query_map([kind.as_str()], to_template)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

pub fn insert_template(tx: &mut Tx<'_>, kind: NoticeKind, version: i64, genre: &str, title: &str, body: &str) -> Result<()> {
    let at = tx.at().to_string();
    let by = tx.actor().to_string();
    let before = template(tx.conn(), kind, None)?;
    tx.sql().execute("UPDATE notice_template SET current = 0 WHERE kind = ?1", [kind.as_str()])?;
    tx.sql().execute(
        "INSERT INTO notice_template (kind, version, genre, title, body, current, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7)",
        params![kind.as_str(), version, genre, title, body, at, by],
    )?;
    tx.audit(
        "notice_template",
        format!("{}:{version}", kind.as_str()),
        if version == 1 { "seed" } else { "new_version" },
        before.map(|b| serde_json::json!({"version": b.version, "genre": b.genre, "title": b.title, "body": b.body})).as_ref(),
        Some(&serde_json::json!({"version": version, "genre": genre, "title": title, "body": body})),
    )?;
    Ok(())
}

/// Take the next number of a prefix and year, in the caller's transaction.
pub fn next_number(tx: &Tx<'_>, prefix: &str, year: i32) -> Result<i64> {
    tx.sql().execute("INSERT INTO doc_register (prefix, year, last_no) VALUES (?1, ?2, 0) ON CONFLICT (prefix, year) DO NOTHING", params![prefix, year])?;
    let n: i64 =
        tx.sql().query_row("UPDATE doc_register SET last_no = last_no + 1 WHERE prefix = ?1 AND year = ?2 RETURNING last_no", params![prefix, year], |r| {
            r.get(0)
        })?;
    Ok(n)
}

pub struct NewNotice<'a> {
    pub doc_number: &'a str,
    pub prefix: &'a str,
    pub year: i32,
    pub seq: i64,
    pub kind: NoticeKind,
    pub subject: &'a str,
    /// None for a 公示 list (it names many).
    pub enterprise_id: Option<i64>,
    pub grant_id: Option<i64>,
    pub reward_id: Option<i64>,
    pub certification_id: Option<i64>,
    pub template_version: i64,
    pub clause_json: &'a str,
    pub fields_json: &'a str,
    pub verification: &'a str,
    pub pdf: &'a [u8],
    pub sha256: &'a str,
    pub supersedes: Option<i64>,
}

pub fn insert_notice(tx: &mut Tx<'_>, n: &NewNotice<'_>) -> Result<i64> {
    let at = tx.at().to_string();
    let by = tx.actor().to_string();
    tx.conn()
        .prepare_cached(
            "INSERT INTO notice (doc_number, prefix, year, seq, kind, subject, enterprise_id, grant_id, reward_id, certification_id, template_version,
             clause_json, fields_json, verification, pdf, sha256, supersedes, issued_at, issued_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
        )?
        .execute(params![
            n.doc_number,
            n.prefix,
            n.year,
            n.seq,
            n.kind.as_str(),
            n.subject,
            n.enterprise_id,
            n.grant_id,
            n.reward_id,
            n.certification_id,
            n.template_version,
            n.clause_json,
            n.fields_json,
            n.verification,
            n.pdf,
            n.sha256,
            n.supersedes,
            at,
            by
        ])?;
    let id = tx.sql().last_insert_rowid();
    tx.audit(
        "notice",
        id,
        "issue",
        None,
        Some(&serde_json::json!({"doc_number": n.doc_number, "kind": n.kind.as_str(), "subject": n.subject, "sha256": n.sha256, "verification": n.verification, "supersedes": n.supersedes, "template_version": n.template_version})),
    )?;
    Ok(id)
}

columns!(N_SQL = "SELECT ", notice_col {
    id = "n.id",
    doc_number = "n.doc_number",
    kind = "n.kind",
    subject = "n.subject",
    enterprise_id = "n.enterprise_id",
    enterprise_name = "coalesce(e.name, '')",
    uscc = "coalesce(e.uscc, '')",
    grant_id = "n.grant_id",
    reward_id = "n.reward_id",
    certification_id = "n.certification_id",
    template_version = "n.template_version",
    clause = "n.clause_json",
    verification = "n.verification",
    sha256 = "n.sha256",
    status = "n.status",
    void_reason = "n.void_reason",
    voided_at = "n.voided_at",
    supersedes = "n.supersedes",
    superseded_by = "(SELECT s.id FROM notice s WHERE s.supersedes = n.id ORDER BY s.id DESC LIMIT 1)",
    issued_at = "n.issued_at",
    issued_by = "n.issued_by",
    size = "length(n.pdf)",
    publicity_id = "(SELECT p.id FROM publicity p WHERE p.notice_id = n.id)",
}, "  FROM notice n LEFT JOIN enterprise e ON e.id = n.enterprise_id");

fn to_notice(r: &Row<'_>) -> rusqlite::Result<Notice> {
    let kind: String = r.get(notice_col::kind)?;
    let clause: String = r.get(notice_col::clause)?;
    Ok(Notice {
        id: r.get(notice_col::id)?,
        doc_number: r.get(notice_col::doc_number)?,
        kind: NoticeKind::parse(&kind).unwrap_or(NoticeKind::RentApproval),
        subject: r.get(notice_col::subject)?,
        enterprise_id: r.get(notice_col::enterprise_id)?,
        enterprise_name: r.get(notice_col::enterprise_name)?,
        uscc: r.get(notice_col::uscc)?,
        grant_id: r.get(notice_col::grant_id)?,
        reward_id: r.get(notice_col::reward_id)?,
        certification_id: r.get(notice_col::certification_id)?,
        template_version: r.get(notice_col::template_version)?,
        clause: serde_json::from_str(&clause).unwrap_or_default(),
        verification: r.get(notice_col::verification)?,
        sha256: r.get(notice_col::sha256)?,
        status: r.get(notice_col::status)?,
        void_reason: r.get(notice_col::void_reason)?,
        voided_at: r.get(notice_col::voided_at)?,
        supersedes: r.get(notice_col::supersedes)?,
        superseded_by: r.get(notice_col::superseded_by)?,
        issued_at: r.get(notice_col::issued_at)?,
        issued_by: r.get(notice_col::issued_by)?,
        size: r.get(notice_col::size)?,
        publicity_id: r.get(notice_col::publicity_id)?,
    })
}

pub fn notice(conn: Conn<'_>, id: i64) -> Result<Option<Notice>> {
    Ok(conn.prepare_cached(&format!("{N_SQL} WHERE n.id = ?1"))?.query_row([id], to_notice).optional()?)
}

pub fn by_sha(conn: Conn<'_>, sha: &str) -> Result<Option<Notice>> {
    Ok(conn.prepare_cached(&format!("{N_SQL} WHERE n.sha256 = ?1"))?.query_row([sha], to_notice).optional()?)
}

pub fn by_number(conn: Conn<'_>, number: &str) -> Result<Option<Notice>> {
    Ok(conn.prepare_cached(&format!("{N_SQL} WHERE n.doc_number = ?1"))?.query_row([number], to_notice).optional()?)
}

pub fn notices(conn: Conn<'_>, enterprise: Option<i64>, q: Option<&str>) -> Result<Vec<Notice>> {
    let like = q.map(|q| format!("%{}%", q.replace('%', "")));
    let mut st = conn.prepare(&format!(
        "{N_SQL} WHERE (?1 IS NULL OR n.enterprise_id = ?1) AND (?2 IS NULL OR n.doc_number LIKE ?2 OR n.subject LIKE ?2 OR e.name LIKE ?2) ORDER BY n.id DESC"
    ))?;
    let v = st.query_map(params![enterprise, like], to_notice)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

pub fn pdf(conn: Conn<'_>, id: i64) -> Result<Vec<u8>> {
    conn.query_row("SELECT pdf FROM notice WHERE id = ?1", [id], |r| r.get(0)).optional()?.ok_or(Error::NotFound { entity: "notice", key: id.to_string() })
}

/// The live (not voided) notice of a grant, reward or certification, if any.
pub fn live_for(conn: Conn<'_>, column: &str, id: i64) -> Result<Option<i64>> {
    debug_assert!(matches!(column, "grant_id" | "reward_id" | "certification_id"));
    Ok(conn.query_row(&format!("SELECT id FROM notice WHERE {column} = ?1 AND status = 'issued' ORDER BY id DESC LIMIT 1"), [id], |r| r.get(0)).optional()?)
}

pub fn void(tx: &mut Tx<'_>, id: i64, reason: &str) -> Result<()> {
    let at = tx.at().to_string();
    tx.sql().execute("UPDATE notice SET status = 'voided', void_reason = ?2, voided_at = ?3 WHERE id = ?1", params![id, reason, at])?;
    tx.audit("notice", id, "void", Some(&serde_json::json!({"status": "issued"})), Some(&serde_json::json!({"status": "voided", "reason": reason})))?;
    Ok(())
}

pub fn register(conn: Conn<'_>) -> Result<Vec<(String, i32, i64)>> {
    let mut st = conn.prepare("SELECT prefix, year, last_no FROM doc_register ORDER BY year DESC, prefix")?;
    let v = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

pub fn by_verification(conn: Conn<'_>, code: &str) -> Result<Option<Notice>> {
    Ok(conn.prepare_cached(&format!("{N_SQL} WHERE n.verification = ?1 ORDER BY n.id DESC LIMIT 1"))?.query_row([code], to_notice).optional()?)
}

/// (seq, status) of every notice of a prefix and year.
pub fn seqs(conn: Conn<'_>, prefix: &str, year: i32) -> Result<Vec<(i64, String)>> {
    let mut st = conn.prepare_cached("SELECT seq, status FROM notice WHERE prefix = ?1 AND year = ?2 ORDER BY seq")?;
    let v = st.query_map(params![prefix, year], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(v)
}

pub fn fields_json(conn: Conn<'_>, id: i64) -> Result<String> {
    conn.query_row("SELECT fields_json FROM notice WHERE id = ?1", [id], |r| r.get(0))
        .optional()?
        .ok_or(Error::NotFound { entity: "notice", key: id.to_string() })
}

/// Approved or paid grants and rewards with no live notice, oldest first.
pub fn without_notice(conn: Conn<'_>) -> Result<Vec<Target>> {
    let mut out = Vec::new();
    let mut st = conn.prepare(
        "SELECT g.id, coalesce(g.approved_fen, g.computed_fen) < g.computed_fen FROM rent_grant g WHERE g.status IN ('approved', 'disbursed')
           AND NOT EXISTS (SELECT 1 FROM notice n WHERE n.grant_id = g.id AND n.kind IN ('rent_approval', 'rent_reduction') AND n.status = 'issued') ORDER BY g.id",
    )?;
    for row in st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, bool>(1)?)))? {
        let (id, reduced) = row?;
        out.push(Target { kind: if reduced { NoticeKind::RentReduction } else { NoticeKind::RentApproval }, id });
    }
    let mut st = conn.prepare(
        "SELECT r.id, r.basis = 'top_up', coalesce(r.approved_fen, r.amount_fen) < r.amount_fen FROM reward r WHERE r.status IN ('approved', 'disbursed')
           AND NOT EXISTS (SELECT 1 FROM notice n WHERE n.reward_id = r.id AND n.status = 'issued') ORDER BY r.id",
    )?;
    for row in st.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, bool>(1)?, r.get::<_, bool>(2)?)))? {
        let (id, top_up, reduced) = row?;
        let kind = if top_up {
            NoticeKind::RewardTopUp
        } else if reduced {
            NoticeKind::RewardReduction
        } else {
            NoticeKind::Reward
        };
        out.push(Target { kind, id });
    }
    Ok(out)
}

/// Enterprise name and USCC behind a target.
pub fn target_enterprise(conn: Conn<'_>, t: Target) -> Result<(String, String)> {
    let table = match t.kind {
        NoticeKind::RentApproval | NoticeKind::RentReduction | NoticeKind::RentRejection => "rent_grant",
        NoticeKind::Reward | NoticeKind::RewardReduction | NoticeKind::RewardTopUp => "reward",
        NoticeKind::ExpiryReminder => "certification",
        NoticeKind::Publicity => return Ok((String::new(), String::new())),
    };
    Ok(conn
        .query_row(&format!("SELECT e.name, e.uscc FROM {table} x JOIN enterprise e ON e.id = x.enterprise_id WHERE x.id = ?1"), [t.id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?
        .unwrap_or_default())
}
