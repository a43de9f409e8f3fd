//! 首页: counts and amounts per program (budget, approved, paid), the reminders due soon, and
//! support by park and by sector.

use chrono::Datelike;
use serde::Serialize;
use ts_rs::TS;

use crate::cert::Milestone;
use crate::error::Result;
use crate::store::{cert as csql, Db};

#[derive(Debug, Clone, Serialize, TS)]
pub struct ProgramStat {
    pub code: String,
    pub name_zh: String,
    pub allocated_fen: i64,
    pub approved_fen: i64,
    pub disbursed_fen: i64,
    /// Grants or rewards approved or paid this year.
    pub approved_count: i64,
    /// Waiting for a decision (draft or submitted).
    pub pending_count: i64,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Slice {
    pub label: String,
    pub amount_fen: i64,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Dashboard {
    pub year: i32,
    pub enterprises: i64,
    pub programs: Vec<ProgramStat>,
    /// Due within the reminder window (overdue first).
    pub reminders: Vec<Milestone>,
    pub overdue_count: i64,
    pub by_park: Vec<Slice>,
    pub by_sector: Vec<Slice>,
    /// Articles notices cite whose official Chinese text is not entered yet (cited without a
    /// quotation until it is; entered in 设置 → 政策条款).
    pub clauses_without_official_text: Vec<i64>,
    /// Settings notices need that are empty (rule_name, review_body …): the notices that need
    /// them are refused until they are filled in.
    pub missing_settings: Vec<String>,
}

pub fn load(db: &Db) -> Result<Dashboard> {
    let year = crate::model::date::today().year();
    let budgets = crate::policy::budgets(db, year)?;
    let mut programs = Vec::new();
    for b in budgets {
        let (approved_count, pending_count) = crate::store::policy::program_counts(db.conn(), b.program_id, year)?;
        programs.push(ProgramStat {
            approved_count,
            pending_count,
            code: b.program_code,
            name_zh: b.program_name_zh,
            allocated_fen: b.allocated_fen,
            approved_fen: b.approved_fen,
            disbursed_fen: b.disbursed_fen,
        });
    }
    let reminders = crate::cert::reminders(db, crate::model::date::today(), None)?;
    let overdue_count = reminders.iter().filter(|m| m.overdue).count() as i64;
    let slices = |v: Vec<(String, i64)>| v.into_iter().map(|(label, amount_fen)| Slice { label, amount_fen }).collect();
    Ok(Dashboard {
        year,
        enterprises: crate::enterprise::count(db)?,
        programs,
        reminders,
        overdue_count,
        by_park: slices(csql::support_by(db.conn(), true, year)?),
        by_sector: slices(csql::support_by(db.conn(), false, year)?),
        clauses_without_official_text: crate::policy::clauses_without_official_text(db)?.iter().map(|c| c.article).collect(),
        missing_settings: {
            let o = crate::system::office(db)?;
            [
                ("rule_name", &o.rule_name),
                ("rule_doc_number", &o.rule_doc_number),
                ("review_body", &o.review_body),
                ("court", &o.court),
                ("publicity_contact", &o.publicity_contact),
            ]
            .iter()
            .filter(|(_, v)| v.trim().is_empty())
            .map(|(k, _)| k.to_string())
            .collect()
        },
    })
}
