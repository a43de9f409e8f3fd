//! Spreadsheet import from parks: find the table, map the columns, normalise and validate every
//! row, compare with the registry, and commit the accepted rows in ONE transaction as a batch
//! that can be undone. `analyze` is the dry run (the wizard's preview); `commit` writes.

pub mod limits;
pub mod normalize;
pub mod ods;
pub mod read;
pub mod schema;
pub mod validate;
pub mod xls;

mod pipeline;
mod plan;
mod table;
mod undo;

use pipeline::*;
pub use pipeline::{analyze, commit, export_rejected};
use plan::*;
use table::*;
pub use undo::{batch, batches, dependents, undo};

pub use crate::model::import::{BatchInfo, BatchItem};
use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

use self::read::{Book, Cell};
use self::schema::{ColumnMap, Kind};
use self::validate::{Columns, EnterpriseRecord, Record, RowClass, RowError};
use crate::enterprise::{Enterprise, FieldChange, Validated as ValidEnterprise};
use crate::error::{Error, Result};
use crate::progress::Progress;
use crate::store::{audit, enterprise as esql, import as isql, Db, Tx};
use crate::text;

/// How many rows are read to find the header.
const HEAD_ROWS: usize = 40;
/// The most report lines reserved up front from the sheet's declared size.
const REPORT_RESERVE_MAX: u64 = 200_000;
/// From this many rows (and twice the registry's size) an enterprise import rebuilds
/// the registry's indexes once instead of updating them row by row.
const BULK_MIN_ROWS: u64 = if cfg!(test) { 1_000 } else { 10_000 };
/// The page cache while an import runs, in KiB (see `run`).
const IMPORT_CACHE_KIB: i64 = 16 * 1024;

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct ImportOptions {
    pub kind: Option<Kind>,
    pub sheet: Option<String>,
    /// 1-based row number of the header (auto when absent).
    pub header_row: Option<u32>,
    /// The park that sent the file (auto from a 填报单位 line when absent).
    pub park: Option<String>,
    /// Column → field choices made by the user (override the automatic mapping).
    pub columns: Option<Vec<ColumnChoice>>,
    /// Cells fixed in place in the preview.
    #[serde(default)]
    pub edits: Vec<CellEdit>,
    /// Map the columns from their headers alone, not as at the park's last import.
    pub auto_columns: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ColumnChoice {
    pub index: u32,
    /// null: ignore the column
    pub field: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CellEdit {
    pub row: u32,
    pub field: String,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RowStatus {
    Accepted,
    Rejected,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    New,
    Updated,
    Unchanged,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::New => "new",
            Action::Updated => "updated",
            Action::Unchanged => "unchanged",
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct RowReport {
    pub row: u32,
    pub status: RowStatus,
    // Boxed: a row is kept per data row, and most rows with errors have no record.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(as = "Option<Record>", optional)]
    pub record: Option<Box<Record>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<RowError>>", optional)]
    pub errors: Vec<RowError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub action: Option<Action>,
    /// new / changed values against the registry (updated rows).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<FieldChange>>", optional)]
    pub changes: Vec<FieldChange>,
    /// The row's cells as shown in the file (for fixing in place and the error export).
    #[serde(skip_serializing_if = "Cells::is_empty", default)]
    #[ts(as = "Option<Vec<String>>", optional)]
    pub cells: Cells,
    /// A rent or certification row whose enterprise the registry does not have: the import
    /// creates it (marked on the first row that names it).
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    #[ts(as = "Option<bool>", optional)]
    pub new_enterprise: bool,
    /// What the office should look at, not reasons to refuse the row (a rent row's typed subsidy
    /// year that the ledger's months contradict: `subsidy_year_mismatch`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    #[ts(as = "Option<Vec<RowError>>", optional)]
    pub warnings: Vec<RowError>,
}

/// A rejected row's cells as text, in one piece: a report may hold 100,000 of them, and a list
/// of strings costs an allocation per cell. Serialized as that list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cells {
    text: String,
    /// Where each cell ends in `text`.
    ends: Box<[u32]>,
}

impl Cells {
    pub fn len(&self) -> usize {
        self.ends.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)? as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        self.text.get(start..end)
    }
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
    pub fn last(&self) -> Option<&str> {
        self.len().checked_sub(1).and_then(|i| self.get(i))
    }
}

impl<S: AsRef<str>> FromIterator<S> for Cells {
    fn from_iter<I: IntoIterator<Item = S>>(it: I) -> Self {
        let (mut text, mut ends) = (String::new(), Vec::new());
        for c in it {
            text.push_str(c.as_ref());
            // A cell's text is capped far below 4 GB (read::limit_text).
            ends.push(u32::try_from(text.len()).unwrap_or(u32::MAX));
        }
        text.shrink_to_fit();
        Cells { text, ends: ends.into_boxed_slice() }
    }
}

impl Serialize for Cells {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Cells {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Ok(Vec::<String>::deserialize(d)?.into_iter().collect())
    }
}

#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct Summary {
    pub rows: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub skipped: u64,
    pub new: u64,
    pub updated: u64,
    pub unchanged: u64,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct MappingEntry {
    pub column: String,
    pub field: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub unit: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct Disappeared {
    pub uscc: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct PreviousImport {
    pub batch_id: i64,
    pub at: String,
    pub by: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportReport {
    pub file: String,
    pub file_sha256: String,
    pub format: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub encoding: Option<String>,
    pub sheet: String,
    pub sheets: Vec<String>,
    pub kind: Kind,
    pub header_row: u32,
    pub park: Option<String>,
    pub mapping: Vec<MappingEntry>,
    /// Every column of the header row with its field (null: unknown or ignored).
    pub columns: Vec<ColumnMap>,
    pub unknown_columns: Vec<String>,
    /// Required fields no column maps to.
    pub missing_columns: Vec<String>,
    pub summary: Summary,
    pub rows: Vec<RowReport>,
    /// Enterprises of the park's previous batch that this file no longer lists.
    pub disappeared: Vec<Disappeared>,
    /// Enterprises a rent or certification file adds to the registry (its rows name codes the
    /// registry does not have).
    pub new_enterprises: u64,
    pub previous_import: Option<PreviousImport>,
    pub dry_run: bool,
    pub batch_id: Option<i64>,
}

/// A file the user chose, by the token the app keeps its path under (a path never crosses to the
/// UI): what the wizard shows of it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct FileChoice {
    pub token: String,
    pub file_name: String,
}

/// The report without its rows (`rows` is empty; the wizard pages them with [`RowPage`]), and the
/// counts it shows.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ReportHead {
    #[serde(flatten)]
    #[ts(flatten)]
    pub report: ImportReport,
    pub row_count: u64,
    pub error_count: u64,
    /// Accepted rows with a warning (a typed subsidy year the ledger does not support).
    pub warning_count: u64,
}

impl ReportHead {
    /// The head of `r` (whose rows stay where they are).
    pub fn of(r: &mut ImportReport) -> ReportHead {
        let rows = std::mem::take(&mut r.rows);
        let head = ReportHead {
            report: r.clone(),
            row_count: rows.len() as u64,
            error_count: rows.iter().filter(|x| x.status == RowStatus::Rejected).count() as u64,
            warning_count: rows.iter().filter(|x| !x.warnings.is_empty()).count() as u64,
        };
        r.rows = rows;
        head
    }
}

/// Which rows a page of the report shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RowFilter {
    All,
    Errors,
    Accepted,
    /// Accepted rows that add or change something.
    Changed,
}

impl RowFilter {
    pub fn keeps(self, r: &RowReport) -> bool {
        match self {
            RowFilter::All => true,
            RowFilter::Errors => r.status == RowStatus::Rejected,
            RowFilter::Accepted => r.status == RowStatus::Accepted,
            RowFilter::Changed => r.status == RowStatus::Accepted && r.action != Some(Action::Unchanged),
        }
    }
}

/// A page of a report's rows: `limit` (at most 1,000) from `offset` of those `filter` keeps.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RowPage {
    pub total: u64,
    pub rows: Vec<RowReport>,
}

impl RowPage {
    pub fn of(r: &ImportReport, filter: RowFilter, offset: usize, limit: usize) -> RowPage {
        let total = r.rows.iter().filter(|x| filter.keeps(x)).count() as u64;
        let rows = r.rows.iter().filter(|x| filter.keeps(x)).skip(offset).take(limit.min(1000)).cloned().collect();
        RowPage { total, rows }
    }
}

/// A later change that depends on what a batch wrote.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Dependent {
    pub entity: String,
    pub entity_id: i64,
    pub name: String,
    pub event_id: i64,
    pub action: String,
    pub at: String,
    pub actor: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct UndoReport {
    pub batch_id: i64,
    pub removed: u64,
    pub restored: u64,
    /// Kept because something else links to them, or later edits were kept (force).
    pub kept: Vec<String>,
    pub dependents: Vec<Dependent>,
}

// ---------------------------------------------------------------------------------------------

/// The import kinds and their fields, for the wizard's mapping step.
#[derive(Debug, Clone, Serialize, TS)]
pub struct KindInfo {
    pub kind: Kind,
    pub label_zh: String,
    pub label_en: String,
    pub fields: Vec<FieldInfo>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct FieldInfo {
    pub name: String,
    pub label_zh: String,
    pub label_en: String,
    pub required: bool,
}

pub fn kinds() -> Vec<KindInfo> {
    Kind::ALL
        .iter()
        .map(|k| KindInfo {
            kind: *k,
            label_zh: k.label_zh().into(),
            label_en: k.label_en().into(),
            fields: k
                .fields()
                .iter()
                .map(|f| FieldInfo { name: f.name.into(), label_zh: f.label_zh.into(), label_en: f.label_en.into(), required: f.required })
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row's cells in one piece read back cell by cell, empty ones and multi-byte ones too, and
    /// travel as the list of strings the contract gives.
    #[test]
    fn cells_keep_each_cell_and_serialize_as_a_list() {
        let c: Cells = ["", "南京甲", "", "91320114282331851X", ""].into_iter().collect();
        assert_eq!(c.len(), 5);
        assert_eq!(
            (c.get(0), c.get(1), c.get(2), c.get(3), c.get(4), c.get(5)),
            (Some(""), Some("南京甲"), Some(""), Some("91320114282331851X"), Some(""), None)
        );
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(json, r#"["","南京甲","","91320114282331851X",""]"#);
        assert_eq!(serde_json::from_str::<Cells>(&json).unwrap(), c);
        assert!(Cells::default().is_empty() && Cells::default().last().is_none());
    }

    /// The registry's index definitions, as SQLite stores them.
    fn enterprise_indexes(db: &Db) -> Vec<(String, String)> {
        let conn = db.conn();
        let mut st =
            conn.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'enterprise' AND sql IS NOT NULL ORDER BY name").unwrap();
        st.query_map([], |r| Ok((r.get(0).unwrap(), r.get(1).unwrap()))).unwrap().map(|r| r.unwrap()).collect()
    }

    /// A large first import builds the registry's indexes once at the end (bulk): afterwards they are
    /// all there, the same definitions, and used; a cancelled bulk import leaves them as they were.
    #[test]
    fn a_large_import_rebuilds_the_indexes_it_set_aside() {
        let t = tempfile::tempdir().unwrap();
        let mut db = Db::open_rw(t.path().join("i.db")).unwrap();
        let before = enterprise_indexes(&db);
        assert!(before.len() >= 6, "{before:?}");
        let (xlsx, _) = crate::bench::gen_import(4_500, &t.path().join("gen")).unwrap();

        // Cancelled at the first check (2,000 rows in): nothing written, the indexes untouched.
        struct Cancel;
        impl crate::progress::Progress for Cancel {
            fn report(&self, _: &str, _: u64, _: u64) {}
            fn cancelled(&self) -> bool {
                true
            }
        }
        let e = commit(&mut db, Path::new(&xlsx), &ImportOptions::default(), &Cancel).unwrap_err();
        assert_eq!(e.code(), "cancelled");
        assert_eq!(crate::enterprise::count(&db).unwrap(), 0);
        assert_eq!(enterprise_indexes(&db), before);
        assert_eq!(db.journal_mode().unwrap(), "wal");

        // The commit runs with a rollback journal beside the file (Store::write_bulk), and the
        // database is in WAL again afterwards.
        struct Journal(std::path::PathBuf, std::sync::atomic::AtomicBool);
        impl crate::progress::Progress for Journal {
            fn report(&self, phase: &str, _: u64, _: u64) {
                if phase == "commit" && crate::store::backup::has_journal_data(&self.0) {
                    self.1.store(true, std::sync::atomic::Ordering::Relaxed);
                }
            }
        }
        let journal = Journal(t.path().join("i.db"), std::sync::atomic::AtomicBool::new(false));
        let r = commit(&mut db, Path::new(&xlsx), &ImportOptions::default(), &journal).unwrap();
        assert!(journal.1.into_inner(), "a rollback journal while the rows were written");
        assert_eq!(db.journal_mode().unwrap(), "wal");
        assert_eq!((r.summary.accepted, r.summary.new), (4_500, 4_500));
        assert_eq!(enterprise_indexes(&db), before, "every index is back, as defined");
        let plan: String = db.conn().query_row("EXPLAIN QUERY PLAN SELECT id FROM enterprise WHERE name_norm = 'X'", [], |r| r.get(3)).unwrap();
        assert!(plan.contains("enterprise_name_norm"), "{plan}");
        // The search index took every row (bulk or not).
        let any = &r.rows[4_499];
        let name = any.record.as_ref().unwrap().name().to_string();
        let page = crate::enterprise::search(&db, &crate::enterprise::EnterpriseQuery { q: Some(name.clone()), ..Default::default() }).unwrap();
        assert!(page.rows.iter().any(|x| x.name == name), "{name} found by search");
        assert!(db.check().unwrap().ok);

        // Undo takes the whole batch back out.
        let u = undo(&mut db, r.batch_id.unwrap(), false).unwrap();
        assert_eq!(u.removed, 4_500);
        assert_eq!(crate::enterprise::count(&db).unwrap(), 0);
    }
}
