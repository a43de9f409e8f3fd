//! The high-tech start-up rent subsidy (article 2): the district's rule scheme (versioned, within
//! the policy's two fixed limits), the calculation engine with its step-by-step explanation,
//! leases and growth reports, grants from draft to disbursed, and the budget check.
//!
//! `rules` (the scheme), `engine` (the pure calculation), `ledger` (leases, applications, covered
//! days, timeline), `grant` (draft → disbursed, through `payout`).

use chrono::{Datelike, NaiveDate};
use serde_json::json;

use crate::error::{Error, Result};
pub use crate::model::calendar;
pub use crate::model::rent::*;
use crate::money::fmt_yuan;
use crate::payout::{self, Payout, Stage};
use crate::store::{rent as sql, Db};

mod engine;
mod grant;
mod ledger;
mod rules;
pub use engine::*;
pub use grant::*;
pub use ledger::*;
pub use rules::*;

// ---- the calculator -----------------------------------------------------------------------------

fn clause_ref(db: &Db) -> Result<(ClauseRef, i64)> {
    let c = crate::policy::current_clause(db, RENT_ARTICLE)?;
    Ok((ClauseRef { article: c.article, version: c.version }, c.id))
}

/// The calculator's what-if: explicit inputs, the current rule and clause.
pub fn calculate(db: &Db, input: &CalcInput) -> Result<CalcResult> {
    let rules = current_rules(db)?;
    let (clause, _) = clause_ref(db)?;
    compute(input, &rules, clause)
}

#[cfg(test)]
mod tests;
