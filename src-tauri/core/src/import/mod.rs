//! Spreadsheet import from parks: find the table, map the columns, normalise and validate every
//! row, compare with the registry, and commit the accepted rows in ONE transaction as a batch
//! that can be undone. `analyze` is the dry run (the wizard's preview); `commit` writes.

pub mod normalize;
pub mod ods;
pub mod read;
pub mod schema;
pub mod validate;
pub mod xls;

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

fn sha256_file(path: &Path) -> Result<String> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let mut f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(audit::hex(&h.finalize()))
}

/// The table found in a file: sheet, header, kind, columns, the park named in a 填报单位 line.
struct Table {
    sheet: String,
    sheets: Vec<String>,
    header_row: u32,
    kind: Kind,
    columns: Vec<ColumnMap>,
    park_hint: Option<String>,
    /// Cells in the header row, blank ones included (a notes column without a name, a merged
    /// header cell written as "备注,").
    header_width: usize,
}

/// The first `upto` rows of a sheet (blank ones included).
fn head_rows(book: &mut Book, sheet: &str, upto: usize) -> Result<Vec<(u32, Vec<Cell>)>> {
    let mut rows = Vec::new();
    book.head_rows(sheet, |n, cells| {
        rows.push((n, cells.to_vec()));
        Ok(rows.len() < upto)
    })?;
    Ok(rows)
}

/// A header row the user names can be below the rows searched automatically, up to here.
pub const MAX_HEADER_ROW: u32 = 1000;

fn park_from_title(rows: &[(u32, Vec<Cell>)], header_row: u32) -> Option<String> {
    for (_, cells) in rows.iter().filter(|(n, _)| *n < header_row) {
        for c in cells {
            let t = text::clean(&c.display());
            for p in ["填报单位", "报送单位", "园区名称", "园区", "单位名称"] {
                let Some(rest) = t.strip_prefix(p) else { continue };
                // 填报单位（盖章）：  麒麟科创园    填报日期：…
                let rest = rest.trim_start_matches(['（', '(', '盖', '章', '公', '）', ')']);
                let Some(rest) = rest.strip_prefix(['：', ':']) else { continue };
                // The words after the colon up to the next field's label (填报日期：, 联系人：), without
                // a seal mark; none when the template was left blank or holds a placeholder.
                let label = |w: &str| w.contains(['：', ':']) || ["填报", "联系", "日期", "电话", "审核", "负责人"].iter().any(|l| w.starts_with(l));
                let words: Vec<&str> = rest.split_whitespace().take_while(|w| !label(w)).collect();
                let mut name = words.join(" ");
                for seal in ["（盖章）", "(盖章)", "（公章）", "(公章)", "（章）", "(章)", "盖章"] {
                    name = name.replace(seal, "");
                }
                let name = name.trim().to_string();
                let placeholder = name.is_empty()
                    || name.chars().all(|c| matches!(c, '×' | 'x' | 'X' | '_' | '＿' | '-' | '—' | '*' | '＊' | '.' | '…' | ' '))
                    || name.starts_with(['（', '('])
                    || ["请填写", "请填", "XX", "××", "xx"].iter().any(|w| name.contains(w));
                if !placeholder {
                    return Some(name);
                }
            }
        }
    }
    None
}

fn find_table(book: &mut Book, opts: &ImportOptions) -> Result<Table> {
    let sheets = book.sheet_names();
    let candidates: Vec<String> = match &opts.sheet {
        Some(s) => {
            if !sheets.contains(s) {
                return Err(Error::invalid(
                    "sheet_not_found",
                    format!("文件里没有名为“{s}”的工作表。现有工作表：{}。", sheets.join("、")),
                    format!("No sheet named “{s}”. Sheets: {}.", sheets.join(", ")),
                )
                .with_details(json!({"sheets": sheets})));
            }
            vec![s.clone()]
        }
        None => sheets.clone(),
    };
    if let Some(h) = opts.header_row.filter(|h| *h == 0 || *h > MAX_HEADER_ROW) {
        return Err(Error::invalid(
            "bad_header_row",
            format!("表头行号 {h} 无效：请填 1 到 {MAX_HEADER_ROW} 之间的行号。"),
            format!("Header row {h} is not valid: give a row number from 1 to {MAX_HEADER_ROW}."),
        ));
    }
    // (the row under a named header too: it may be the lower half of the header)
    let upto = opts.header_row.map_or(HEAD_ROWS, |h| (h as usize + 1).max(HEAD_ROWS));
    // Sheets that read equally well as the table: a visible one before a hidden one, a data
    // sheet before one named as instructions or an example, then the one with more rows under
    // its header.
    let hidden = book.hidden_sheets();
    let tiebreak = |s: &str, g: &schema::HeaderGuess, rows: &[(u32, Vec<Cell>)]| {
        // 填报说明, 填表示例: instructions, with an example row at most. (A 模板 sheet is what the
        // park fills in: it is the table.)
        let instructions = ["说明", "填表", "填报要求", "示例", "样表", "样例", "范例"].iter().any(|w| s.contains(w));
        let data = rows.iter().filter(|(n, c)| *n > g.header_row && c.iter().filter(|c| !c.is_empty()).count() >= 2).count();
        // A visible sheet that is not instructions first, even over a header that maps one more
        // column (an example sheet often shows every column); then the header; then a sheet with
        // rows. Two data sheets (2024年, 2023年): the first.
        (!hidden.iter().any(|h| h == s), !(instructions && data <= 1), g.score, data > 1)
    };
    let mut best: Option<(String, schema::HeaderGuess, Vec<(u32, Vec<Cell>)>)> = None;
    // A sheet that cannot be read (a chart sheet) is passed over when there are others; a limit
    // run over still refuses the file.
    let mut unreadable: Option<Error> = None;
    for s in &candidates {
        let rows = match head_rows(book, s, upto) {
            Ok(rows) => rows,
            Err(e) if candidates.len() > 1 && e.code() == "file_unreadable" => {
                unreadable.get_or_insert(e);
                continue;
            }
            Err(e) => return Err(e),
        };
        let guess = match opts.header_row {
            // The row the user named, on the sheet where it reads most like a header.
            Some(h) => rows.iter().find(|(n, _)| *n == h).map(|(_, row)| {
                let g = schema::find_header(&[(h, row.clone())], opts.kind);
                let kind = opts.kind.or(g.as_ref().map(|g| g.kind)).unwrap_or(Kind::Enterprises);
                schema::HeaderGuess { kind, header_row: h, score: g.map_or(0, |g| g.score) }
            }),
            None => schema::find_header(&rows, opts.kind),
        };
        if let Some(g) = guess {
            if best.as_ref().is_none_or(|b| tiebreak(s, &g, &rows) > tiebreak(&b.0, &b.1, &b.2)) {
                best = Some((s.clone(), g, rows));
            }
        }
    }
    let Some((sheet, guess, rows)) = best else {
        if let Some(e) = unreadable {
            return Err(e);
        }
        let name = book.path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        if let Some(h) = opts.header_row {
            return Err(Error::invalid(
                "header_row_out_of_range",
                format!("文件“{name}”的工作表没有第 {h} 行，无法作为表头。请重新选择表头所在行。"),
                format!("“{name}” has no row {h} to use as the header. Choose the header row again."),
            )
            .with_details(json!({"sheets": sheets, "file": book.path.display().to_string()})));
        }
        return Err(Error::invalid(
            "header_not_found",
            format!("在文件“{name}”的前40行里没有找到表头（需要有“企业名称”“统一社会信用代码”等列名）。请检查是否选对了文件，或在向导中手动指定表头所在行。"),
            format!(
                "No header row found in the first 40 rows of “{name}” (columns such as 企业名称, 统一社会信用代码). Check the file or choose the header row."
            ),
        )
        .with_details(json!({"sheets": sheets, "file": book.path.display().to_string()})));
    };
    let mut header = rows.iter().find(|(n, _)| *n == guess.header_row).map(|(_, c)| c.clone()).unwrap_or_default();
    let kind = opts.kind.unwrap_or(guess.kind);
    let mut header_row = guess.header_row;
    // A two-row header: group titles over sub-headers (租赁期限 over 起始日期 | 截止日期). Found
    // from its top row (as detected) or from its lower row (the header row the wizard sends back
    // is the one the data starts under).
    let row_at = |n: u32| rows.iter().find(|(m, _)| *m == n).map(|(_, c)| c.as_slice());
    if let Some(combined) = row_at(header_row + 1).and_then(|sub| schema::two_row_header(kind, &header, sub)) {
        header = combined;
        header_row += 1;
    } else if let Some(combined) = header_row.checked_sub(1).and_then(row_at).and_then(|top| schema::two_row_header(kind, top, &header)) {
        // Only when the row above adds fields (not a title line over an ordinary header).
        if schema::mapped_count(kind, &combined) > schema::mapped_count(kind, &header) {
            header = combined;
        }
    }
    let header_width = header.len();
    let mut columns = schema::map_columns(kind, &header);
    // "金额单位：万元" above the table: the unit of every amount whose header states none (a
    // rent per ㎡ is never in 万元).
    if let Some(u) = schema::table_money_unit(rows.iter().filter(|(n, _)| *n < guess.header_row).map(|(_, c)| c.as_slice())) {
        for c in columns.iter_mut().filter(|c| c.unit.is_none()) {
            let money = c.field.as_deref().and_then(|f| kind.field(f)).is_some_and(|f| f.ty == schema::FieldType::Money && f.name != "unit_rent_fen");
            if money {
                c.unit = Some(u.to_string());
            }
        }
    }
    Ok(Table { park_hint: park_from_title(&rows, guess.header_row), sheet, sheets, header_row, kind, columns, header_width })
}

/// Apply a remembered mapping (header text → field) and the user's choices.
fn apply_choices(kind: Kind, columns: &mut [ColumnMap], remembered: Option<&HashMap<String, Option<String>>>, choices: Option<&Vec<ColumnChoice>>) {
    if let Some(m) = remembered {
        for c in columns.iter_mut() {
            if let Some(f) = m.get(&c.column) {
                let f = f.clone().filter(|f| kind.field(f).is_some());
                c.remembered = f != c.field;
                c.field = f;
            }
        }
    }
    if let Some(ch) = choices {
        for choice in ch {
            if let Some(c) = columns.iter_mut().find(|c| c.index == choice.index) {
                c.field = choice.field.clone().filter(|f| kind.field(f).is_some());
                c.remembered = false;
            }
        }
    }
    // A field mapped twice: keep the first column.
    let mut seen: Vec<String> = Vec::new();
    for c in columns.iter_mut() {
        if let Some(f) = &c.field {
            if seen.contains(f) {
                c.field = None;
            } else {
                seen.push(f.clone());
            }
        }
    }
}

fn park_key(conn: crate::store::Conn<'_>, park: Option<&str>) -> Result<i64> {
    Ok(match park {
        Some(p) => esql::park_id_by_name(conn, p)?.unwrap_or(-1),
        None => 0,
    })
}

/// Compare one accepted record with the registry: what would happen, and which fields change.
struct Plan {
    action: Action,
    changes: Vec<FieldChange>,
    enterprise: Option<Enterprise>,
    /// rent: (application id, lease id); cert: certification id
    existing_id: Option<(i64, i64)>,
}

fn ch(field: &str, before: Value, after: Value) -> FieldChange {
    FieldChange { field: field.into(), before, after }
}

fn enterprise_changes(e: &Enterprise, r: &EnterpriseRecord, park: Option<&str>) -> Vec<FieldChange> {
    let mut v = Vec::new();
    let mut text_field = |name: &str, stored: &str, new: &Option<String>| {
        if let Some(n) = new {
            if n != stored {
                v.push(ch(name, json!(stored), json!(n)));
            }
        }
    };
    text_field("name", &e.name, &Some(r.name.clone()));
    text_field("sector", &e.sector, &r.sector);
    text_field("contact_name", &e.contact_name, &r.contact_name);
    text_field("contact_phone", &e.contact_phone, &r.contact_phone);
    text_field("address", &e.address, &r.address);
    // The file's park (--park, its title) only fills a blank (see enterprise_validated).
    let park_new = r.park.clone().or_else(|| park.filter(|_| e.park.is_none()).map(String::from));
    if let Some(p) = park_new {
        if e.park.as_deref() != Some(p.as_str()) {
            v.push(ch("park", json!(e.park), json!(p)));
        }
    }
    if let Some(d) = &r.founded_on {
        if e.founded_on.as_deref() != Some(d.as_str()) {
            v.push(ch("founded_on", json!(e.founded_on), json!(d)));
        }
    }
    if let Some(c) = r.registered_capital_fen {
        if e.registered_capital_fen != Some(c) {
            v.push(ch("registered_capital_fen", json!(e.registered_capital_fen), json!(c)));
        }
    }
    if let Some(h) = r.high_tech {
        if e.high_tech != h {
            v.push(ch("high_tech", json!(e.high_tech), json!(h)));
        }
    }
    v
}

fn plan(conn: crate::store::Conn<'_>, known: &std::collections::HashSet<String>, rec: &Record, park: Option<&str>) -> Result<Plan> {
    let e = if known.contains(rec.uscc()) { esql::get_by_uscc(conn, rec.uscc())? } else { None };
    match rec {
        Record::Enterprise(r) => Ok(match e {
            None => Plan { action: Action::New, changes: vec![], enterprise: None, existing_id: None },
            Some(e) => {
                let changes = enterprise_changes(&e, r, park);
                Plan { action: if changes.is_empty() { Action::Unchanged } else { Action::Updated }, changes, enterprise: Some(e), existing_id: None }
            }
        }),
        Record::Rent(r) => {
            let existing = match &e {
                Some(e) => isql::find_rent_application(conn, e.id, r.lease_start.as_deref().unwrap_or(""), r.subsidy_year.unwrap_or(0))?,
                None => None,
            };
            Ok(match existing {
                None => Plan { action: Action::New, changes: vec![], enterprise: e, existing_id: None },
                Some((app, lease)) => {
                    let stored = isql::rent_application_json(conn, app)?;
                    let mut changes = Vec::new();
                    for (k, v) in [
                        ("lease_address", r.lease_address.as_ref().map(|s| json!(s))),
                        ("area_centi_m2", r.area_centi_m2.map(|x| json!(x))),
                        ("unit_rent_fen", r.unit_rent_fen.map(|x| json!(x))),
                        ("lease_end", r.lease_end.as_ref().map(|s| json!(s))),
                        ("annual_rent_fen", r.annual_rent_fen.map(|x| json!(x))),
                        ("revenue_prev_fen", r.revenue_prev_fen.map(|x| json!(x))),
                        ("revenue_curr_fen", r.revenue_curr_fen.map(|x| json!(x))),
                        ("requested_fen", r.requested_fen.map(|x| json!(x))),
                    ] {
                        if let Some(v) = v {
                            if stored[k] != v {
                                changes.push(ch(k, stored[k].clone(), v));
                            }
                        }
                    }
                    Plan {
                        action: if changes.is_empty() { Action::Unchanged } else { Action::Updated },
                        changes,
                        enterprise: e,
                        existing_id: Some((app, lease)),
                    }
                }
            })
        }
        Record::Cert(c) => {
            let existing = match &e {
                Some(e) => isql::find_certification(conn, e.id, &c.kind, c.certificate_no.as_deref().unwrap_or(""), c.issued_on.as_deref().unwrap_or(""))?,
                None => None,
            };
            Ok(match existing {
                None => Plan { action: Action::New, changes: vec![], enterprise: e, existing_id: None },
                Some(id) => {
                    let stored = isql::certification_json(conn, id)?;
                    let mut changes = Vec::new();
                    if let Some(i) = &c.issued_on {
                        if stored["issued_on"] != json!(i) {
                            changes.push(ch("issued_on", stored["issued_on"].clone(), json!(i)));
                        }
                    }
                    // A blank expiry cell (filled from the kind's rule) leaves a stored one be.
                    if let Some(x) = c.expires_on.as_ref().filter(|_| !(c.expiry_from_rule && !stored["expires_on"].is_null())) {
                        if stored["expires_on"] != json!(x) {
                            changes.push(ch("expires_on", stored["expires_on"].clone(), json!(x)));
                        }
                    }
                    Plan { action: if changes.is_empty() { Action::Unchanged } else { Action::Updated }, changes, enterprise: e, existing_id: Some((id, 0)) }
                }
            })
        }
    }
}

/// What the ledger says of a rent row. A lease that starts before the registry's founding date of
/// the enterprise is refused (`lease_before_founding`: one of the two dates is wrong). A typed
/// subsidy year (第几年) other than the one the enterprise's subsidised months give at the lease
/// start is a warning (`subsidy_year_mismatch`): the ledger's year is the one the grant will use.
fn rent_checks(conn: crate::store::Conn<'_>, cols: &Columns, r: &validate::RentRecord, e: Option<&Enterprise>) -> Result<(Option<RowError>, Vec<RowError>)> {
    let field = |name: &str| cols.kind.field(name).expect("a rent field");
    let start = r.lease_start.as_deref().and_then(crate::model::date::parse_date_text);
    let founded = e.and_then(|e| e.founded_on.as_deref()).and_then(crate::model::date::parse_date_text);
    if let (Some(s), Some(f)) = (start, founded) {
        if s < f {
            let f_start = field("lease_start");
            return Ok((
                Some(RowError {
                    code: "lease_before_founding".into(),
                    field: f_start.name.into(),
                    column: cols.header(f_start),
                    value: s.to_string(),
                    message: format!("租期起 {s} 早于台账中该企业的成立日期 {f}：其中一个日期有误。请核对租赁合同或企业成立日期。"),
                    message_en: format!("The lease starts ({s}) before the registry's founding date ({f}): one of them is wrong."),
                    duplicate_of_row: None,
                }),
                vec![],
            ));
        }
    }
    let mut warnings = Vec::new();
    if let (Some(typed), Some(s)) = (r.subsidy_year, start) {
        let spans = match e {
            Some(e) => crate::store::rent::live_spans(conn, e.id)?,
            None => vec![],
        };
        let (year, used) = crate::rent::year_at(&spans, s);
        if typed != year {
            let f_year = field("subsidy_year");
            warnings.push(RowError {
                code: "subsidy_year_mismatch".into(),
                field: f_year.name.into(),
                column: cols.header(f_year),
                value: typed.to_string(),
                message: format!(
                    "填写第{typed}年；台账中该企业在 {s} 之前已补贴 {} 个月，应为第{year}年。测算以台账为准，请向园区核实。",
                    crate::rent::calendar::months_text(used)
                ),
                message_en: format!("Year {typed} typed; the ledger's months make it year {year}."),
                duplicate_of_row: None,
            });
        }
    }
    Ok((None, warnings))
}

/// A registry record for an enterprise a file brings: the file's values over the stored ones
/// (a blank cell never overwrites a stored value).
fn enterprise_validated(e: Option<&Enterprise>, uscc: &str, name: &str, r: Option<&EnterpriseRecord>, park: Option<&str>) -> ValidEnterprise {
    let u = crate::uscc::parse(uscc).ok();
    let pick = |new: Option<&String>, old: Option<&String>| new.cloned().or_else(|| old.cloned()).unwrap_or_default();
    let name = if name.is_empty() { e.map(|e| e.name.clone()).unwrap_or_default() } else { name.to_string() };
    ValidEnterprise {
        uscc: uscc.to_string(),
        uscc_org_code_warning: u.map(|u| u.org_code_warning).unwrap_or(false),
        name_key: text::name_key(&name),
        name,
        founded_on: r.and_then(|r| r.founded_on.clone()).or_else(|| e.and_then(|e| e.founded_on.clone())),
        registered_capital_fen: r.and_then(|r| r.registered_capital_fen).or_else(|| e.and_then(|e| e.registered_capital_fen)),
        // The file's own cell first; the park the file comes from (--park, its title) only fills
        // a blank: it never moves an enterprise the registry places in another park.
        park: r.and_then(|r| r.park.clone()).or_else(|| e.and_then(|e| e.park.clone())).or(park.map(String::from)),
        sector: pick(r.and_then(|r| r.sector.as_ref()), e.map(|e| &e.sector)),
        contact_name: pick(r.and_then(|r| r.contact_name.as_ref()), e.map(|e| &e.contact_name)),
        contact_phone: pick(r.and_then(|r| r.contact_phone.as_ref()), e.map(|e| &e.contact_phone)),
        address: pick(r.and_then(|r| r.address.as_ref()), e.map(|e| &e.address)),
        status: e.map(|e| e.status).unwrap_or_default(),
        notes: e.map(|e| e.notes.clone()).unwrap_or_default(),
        high_tech: r.and_then(|r| r.high_tech).or(e.map(|e| e.high_tech)).unwrap_or(false),
    }
}

/// Write one accepted record (inside the batch's transaction).
/// `fresh`: the record as a new enterprise, when the reading thread prepared it.
#[allow(clippy::too_many_arguments)]
fn apply(tx: &mut Tx<'_>, batch: i64, row: u32, rec: &Record, p: &Plan, park: Option<&str>, park_id: Option<i64>, fresh: Option<Fresh>) -> Result<()> {
    // The enterprise: created when missing (rent and certification files name enterprises too).
    let enterprise_id = match (rec, &p.enterprise) {
        (Record::Enterprise(r), None) => match fresh {
            Some(f) => esql::insert_indexed(tx, f.record, &f.search_body)?.id,
            None => esql::insert(tx, &enterprise_validated(None, &r.uscc, &r.name, Some(r), park))?.id,
        },
        (Record::Enterprise(r), Some(e)) => {
            if p.action == Action::Updated {
                esql::update(tx, e.id, &enterprise_validated(Some(e), &r.uscc, &r.name, Some(r), park), "import")?;
            }
            e.id
        }
        (_, Some(e)) => e.id,
        (other, None) => esql::insert(tx, &enterprise_validated(None, other.uscc(), other.name(), None, park))?.id,
    };
    let (entity, entity_id) = match rec {
        Record::Enterprise(_) => ("enterprise", Some(enterprise_id)),
        Record::Rent(r) => match (p.action, p.existing_id) {
            (Action::New, _) => ("rent_application", Some(isql::insert_rent(tx, enterprise_id, park_id, r, "import")?)),
            (Action::Updated, Some((app, lease))) => {
                isql::update_rent(tx, app, lease, r)?;
                ("rent_application", Some(app))
            }
            (_, e) => ("rent_application", e.map(|x| x.0)),
        },
        Record::Cert(c) => match (p.action, p.existing_id) {
            (Action::New, _) => ("certification", Some(isql::insert_certification(tx, enterprise_id, c, c.level.as_deref().unwrap_or(""), "import")?)),
            (Action::Updated, Some((id, _))) => {
                isql::update_certification_dates(tx, id, c)?;
                ("certification", Some(id))
            }
            (_, e) => ("certification", e.map(|x| x.0)),
        },
    };
    isql::insert_item(tx, batch, row, rec.uscc(), rec.name(), p.action.as_str(), entity, entity_id)
}

/// Read, validate and (when `commit` is given) write. One function for the dry run and the real
/// run, so that what the preview says is what the commit does.
///
/// The page cache is 16 MB during an import (32 MB otherwise): a file's rows are looked up and
/// written once each, so a larger cache only costs memory (32 MB and 400 MB measured no faster).
fn run(db: &mut Db, path: &Path, opts: &ImportOptions, commit: bool, progress: &dyn Progress) -> Result<ImportReport> {
    db.set_cache_kib(IMPORT_CACHE_KIB)?;
    let report = run_with(db, path, opts, commit, progress);
    db.set_cache_kib(crate::store::CACHE_KIB)?;
    report
}

fn run_with(db: &mut Db, path: &Path, opts: &ImportOptions, commit: bool, progress: &dyn Progress) -> Result<ImportReport> {
    progress.report("open", 0, 0);
    let mut book = read::open(path)?;
    let sha = sha256_file(path)?;
    let mut table = find_table(&mut book, opts)?;
    let park = opts.park.clone().map(|p| text::clean(&p)).filter(|p| !p.is_empty()).or(table.park_hint.clone());
    let remembered: Option<HashMap<String, Option<String>>> = if opts.auto_columns == Some(true) {
        None
    } else {
        let key = park_key(db.conn(), park.as_deref())?;
        isql::profile(db.conn(), key, table.kind.as_str())?.and_then(|s| serde_json::from_str(&s).ok())
    };
    apply_choices(table.kind, &mut table.columns, remembered.as_ref(), opts.columns.as_ref());
    let kind = table.kind;
    let cert_kinds = crate::store::cert::kinds(db.conn())?;
    let cols = Columns::new(kind, &table.columns, cert_kinds);
    // A rejected row is shown (and exported) as the table's columns: cells right of the last
    // header hold nothing of the table and are not kept (a CSV line longer than its header keeps
    // them, to show what moved).
    let width = table.columns.iter().map(|c| c.index as usize + 1).max().unwrap_or(0);
    let is_csv = book.format == read::Format::Csv;
    // A CSV line is longer than its header when it has cells past the header record's own.
    let csv_width = width.max(table.header_width);
    // Amount columns (a CSV line may have split one at its thousands comma).
    let money_cols: Vec<(usize, String)> = table
        .columns
        .iter()
        .filter(|c| c.field.as_deref().and_then(|f| kind.field(f)).is_some_and(|f| f.ty == schema::FieldType::Money))
        .map(|c| (c.index as usize, c.column.clone()))
        .collect();
    let mapping: Vec<MappingEntry> =
        table.columns.iter().filter_map(|c| c.field.clone().map(|f| MappingEntry { column: c.column.clone(), field: f, unit: c.unit.clone() })).collect();
    // Columns the import does not know; one set aside by choice (now or at the park's last file)
    // is known.
    let chosen = |i: u32| opts.columns.as_ref().is_some_and(|ch| ch.iter().any(|c| c.index == i));
    let unknown_columns: Vec<String> = table
        .columns
        .iter()
        .filter(|c| c.field.is_none() && !c.remembered && !chosen(c.index) && !schema::is_ignored_header(&c.column))
        .map(|c| c.column.clone())
        .collect();
    let missing_columns: Vec<String> =
        kind.fields().iter().filter(|f| f.required && !cols.by_field.contains_key(f.name)).map(|f| f.label_zh.to_string()).collect();
    let previous = isql::batch_by_sha(db.conn(), &sha)?.map(|b| PreviousImport { batch_id: b.id, at: b.created_at, by: b.created_by });

    let edits: HashMap<(u32, String), String> = opts.edits.iter().map(|e| ((e.row, e.field.clone()), e.value.clone())).collect();
    let edit_cols: HashMap<&str, usize> = cols.by_field.iter().map(|(f, c)| (*f, c.0)).collect();
    let header_row = table.header_row;
    let sheet = table.sheet.clone();
    let file_name = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();

    book.amounts_in(
        table
            .columns
            .iter()
            .filter(|c| c.field.as_deref().and_then(|f| kind.field(f)).is_some_and(|f| f.ty == schema::FieldType::Money && f.name != "unit_rent_fen"))
            .map(|c| c.index)
            .collect(),
    );
    book.merged_once(table.columns.iter().filter(|c| matches!(c.field.as_deref(), Some("requested_fen" | "annual_rent_fen"))).map(|c| c.index).collect());
    book.check_declared_cells(&sheet)?;
    let mut st = RunState { known: esql::all_usccs(db.conn())?, merged: esql::merged_away(db.conn())?, ..Default::default() };
    // A file that brings many enterprises relative to the registry: build the registry's indexes
    // once at the end instead of inserting into them row by row.
    let estimate = book.estimated_rows(&sheet);
    let bulk = commit && kind == Kind::Enterprises && estimate >= BULK_MIN_ROWS && estimate >= (st.known.len() as u64).saturating_mul(2);
    // The report holds a line per data row: sized once (growing it copies every line again). A
    // dimension may lie, so only up to a bound; past it the list grows as it needs.
    // The rows below the header, as the file declares them: the progress bar's total (a lying
    // dimension only makes the bar jump; it is capped at 100 %).
    let expected = estimate.saturating_sub(u64::from(header_row));
    st.rows.reserve(expected.min(REPORT_RESERVE_MAX) as usize);

    // Two threads: one reads and validates rows (the file), the other compares and writes them
    // (the database), in file order through a bounded channel.
    let mut body =
        |tx: Option<&mut Tx<'_>>, batch: Option<i64>, park_id: Option<i64>, conn_ro: Option<crate::store::Conn<'_>>, st: &mut RunState| -> Result<()> {
            let mut tx = tx;
            let RunState { summary, rows, first_of, processed, known, merged, new_enterprises } = st;
            let merged = &*merged;
            let park_ref = park.as_deref();
            let book = &mut book;
            let (cols, edits, edit_cols, sheet, money_cols) = (&cols, &edits, &edit_cols, &sheet, &money_cols);
            std::thread::scope(|scope| -> Result<()> {
                // Rows travel in chunks: a hand-over per row costs a thread wake-up per row.
                const CHUNK: usize = 256;
                let (send, recv) = std::sync::mpsc::sync_channel::<Vec<Validated>>(8);
                let reader = scope.spawn(move || -> Result<u64> {
                    let mut skipped = 0u64;
                    let mut chunk: Vec<Validated> = Vec::with_capacity(CHUNK);
                    book.for_each_row(sheet, |n, raw| {
                        if n <= header_row {
                            return Ok(true);
                        }
                        let mut owned;
                        let mut cells: &[Cell] = raw;
                        if edits.keys().any(|(r, _)| *r == n) {
                            owned = raw.to_vec();
                            for ((_, field), value) in edits.iter().filter(|((r, _), _)| *r == n) {
                                if let Some(&i) = edit_cols.get(field.as_str()) {
                                    if owned.len() <= i {
                                        owned.resize(i + 1, Cell::Empty);
                                    }
                                    owned[i] = Cell::Text(value.clone());
                                }
                            }
                            cells = &owned;
                        }
                        if validate::classify(cells) != RowClass::Data {
                            skipped += 1;
                            return Ok(true);
                        }
                        let (mut rec, mut errors) = validate::validate_row(cols, cells);
                        // A CSV line with more cells than its header: an amount or address with an
                        // unquoted comma, and every cell after it has moved one column right.
                        let beyond = if is_csv { cells.iter().skip(csv_width).filter(|c| !c.is_empty()).count() } else { 0 };
                        if beyond > 0 {
                            errors.insert(0, extra_cells_error(&cells[csv_width..], csv_width));
                            rec = None;
                        } else if is_csv && cells.iter().skip(width).any(|c| !c.is_empty()) {
                            // Past the named columns but under blank header cells: a note, unless an
                            // amount was split at an unquoted thousands comma (1,000 → "1" | "000").
                            if let Some((i, col)) = money_cols.iter().find(|(i, _)| thousands_split(cells.get(*i), cells.get(*i + 1))) {
                                errors.insert(0, split_amount_error(col, &cells[*i].display(), &cells[*i + 1].display()));
                                rec = None;
                            }
                        }
                        // A code the registry merged into another enterprise: its data belongs there.
                        if let Some((name, code)) = rec.as_ref().and_then(|r| merged.get(r.uscc())) {
                            errors.push(merged_error(cols, rec.as_ref().map(|r| r.uscc()).unwrap_or_default(), name, code));
                        }
                        // Duplicates are a matter of the file alone: found here, in file order.
                        if let Some(r) = &rec {
                            let key = validate::dedupe_key(r);
                            match first_of.get(&key) {
                                Some(&first) => errors.push(duplicate_error(cols, r, first, cells)),
                                None => {
                                    first_of.insert(key, n);
                                }
                            }
                        }
                        // The table's cells, as many in every format (and a CSV line's extra ones).
                        // (A rent row may still be refused by the ledger: its cells are kept too.)
                        let shown = if errors.is_empty() && kind != Kind::RentApplications {
                            Cells::default()
                        } else {
                            (0..width.max(if beyond > 0 { cells.len() } else { 0 })).map(|i| cells.get(i).map(|c| c.display()).unwrap_or_default()).collect()
                        };
                        // What a new enterprise would be stored as (the writer uses it when the
                        // registry does not know the USCC): built here, off the writing thread.
                        let fresh = match (&rec, errors.is_empty() && commit) {
                            (Some(Record::Enterprise(r)), true) => {
                                let record = enterprise_validated(None, &r.uscc, &r.name, Some(r), park_ref);
                                Some(Fresh { search_body: esql::search_body_of(&record), record })
                            }
                            _ => None,
                        };
                        chunk.push(Validated { row: n, rec, errors, cells: shown, fresh });
                        if chunk.len() < CHUNK {
                            return Ok(true);
                        }
                        // The writer stopped (an error or a cancel): stop reading.
                        Ok(send.send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK))).is_ok())
                    })?;
                    if !chunk.is_empty() {
                        let _ = send.send(chunk);
                    }
                    Ok(skipped)
                });
                let mut outcome: Result<()> = Ok(());
                for v in recv.iter().flatten() {
                    let Validated { row: n, rec, errors, cells, fresh } = v;
                    *processed += 1;
                    if processed.is_multiple_of(2000) {
                        if progress.cancelled() {
                            outcome = Err(Error::Cancelled);
                            break;
                        }
                        progress.report(if tx.is_some() { "commit" } else { "validate" }, *processed, expected);
                    }
                    summary.rows += 1;
                    if !errors.is_empty() {
                        summary.rejected += 1;
                        rows.push(RowReport {
                            row: n,
                            status: RowStatus::Rejected,
                            record: None,
                            errors,
                            action: None,
                            changes: vec![],
                            cells,
                            new_enterprise: false,
                            warnings: vec![],
                        });
                        continue;
                    }
                    let rec = rec.expect("no errors means a record");
                    let step = (|| -> Result<(Plan, Option<RowError>, Vec<RowError>)> {
                        let conn = match (&mut tx, conn_ro) {
                            (Some(tx), _) => tx.conn(),
                            (None, Some(c)) => c,
                            (None, None) => unreachable!("a connection is always given"),
                        };
                        let p = plan(conn, known, &rec, park.as_deref())?;
                        let (refused, warnings) = match &rec {
                            Record::Rent(r) => rent_checks(conn, cols, r, p.enterprise.as_ref())?,
                            _ => (None, vec![]),
                        };
                        if refused.is_some() {
                            return Ok((p, refused, warnings));
                        }
                        if let (Some(tx), Some(b)) = (&mut tx, batch) {
                            apply(tx, b, n, &rec, &p, park.as_deref(), park_id, fresh)?;
                            // A later row may name the same enterprise (rent, certifications); an
                            // enterprise file cannot (a second row with the USCC is a duplicate).
                            if kind != Kind::Enterprises {
                                known.insert(rec.uscc().to_string());
                            }
                        }
                        Ok((p, None, warnings))
                    })();
                    let (p, refused, warnings) = match step {
                        Ok(p) => p,
                        Err(e) => {
                            outcome = Err(e);
                            break;
                        }
                    };
                    if let Some(e) = refused {
                        summary.rejected += 1;
                        rows.push(RowReport {
                            row: n,
                            status: RowStatus::Rejected,
                            record: None,
                            errors: vec![e],
                            action: None,
                            changes: vec![],
                            cells,
                            new_enterprise: false,
                            warnings,
                        });
                        continue;
                    }
                    summary.accepted += 1;
                    match p.action {
                        Action::New => summary.new += 1,
                        Action::Updated => summary.updated += 1,
                        Action::Unchanged => summary.unchanged += 1,
                    }
                    let new_enterprise = kind != Kind::Enterprises && p.enterprise.is_none() && new_enterprises.insert(rec.uscc().to_string());
                    rows.push(RowReport {
                        row: n,
                        status: RowStatus::Accepted,
                        record: Some(Box::new(rec)),
                        errors: vec![],
                        action: Some(p.action),
                        changes: p.changes,
                        cells: Cells::default(),
                        new_enterprise,
                        warnings,
                    });
                }
                drop(recv);
                let read = reader.join().map_err(|_| Error::Internal("the reading thread failed".into()))?;
                outcome?;
                summary.skipped += read?;
                Ok(())
            })
        };

    let mapping_json = serde_json::to_string(&table.columns.iter().map(|c| (c.column.clone(), c.field.clone())).collect::<std::collections::BTreeMap<_, _>>())?;
    let mut batch_id = None;
    if commit {
        let kind_s = kind.as_str();
        let park_c = park.clone();
        let job = |tx: &mut Tx<'_>| -> Result<i64> {
            let park_id = match &park_c {
                Some(p) => Some(esql::park_id_for(tx, p)?),
                None => None,
            };
            let id = isql::insert_batch(tx, &file_name, &sha, kind_s, park_id, &sheet, header_row, &mapping_json)?;
            tx.set_batch(Some(id));
            let suspended = if bulk { esql::suspend_indexes(tx)? } else { vec![] };
            body(Some(tx), Some(id), park_id, None, &mut st)?;
            esql::rebuild_indexes(tx, &suspended)?;
            // 取消 pressed after the last progress check (a small file has none): nothing is kept.
            if progress.cancelled() {
                return Err(Error::Cancelled);
            }
            let s = serde_json::to_string(&json!({"file": file_name, "kind": kind_s, "summary": &st.summary}))?;
            isql::finish_batch(tx, id, &s)?;
            isql::save_profile(tx, park_id.unwrap_or(0), kind_s, &mapping_json)?;
            Ok(id)
        };
        // A bulk import writes most of the file anew: a rollback journal spares writing it twice.
        let id = if bulk { db.write_bulk(job)? } else { db.write(job)? };
        batch_id = Some(id);
    } else {
        let conn = db.conn();
        body(None, None, None, Some(conn), &mut st)?;
    }
    drop(body);
    let RunState { summary, rows, processed, new_enterprises, .. } = st;
    progress.report("done", processed, processed);

    // A park's resubmission of any kind: who was in its previous file of that kind and is not now.
    let disappeared = match &park {
        Some(p) => match esql::park_id_by_name(db.conn(), p)? {
            Some(pk) => match isql::previous_park_batch(db.conn(), pk, kind.as_str(), batch_id)? {
                Some((_, prev)) => {
                    // Still in the file: the accepted rows, and the rejected ones by the code in
                    // their cell (a row with a wrong date has not left the park).
                    let uscc_col = cols.by_field.get("uscc").map(|c| c.0);
                    let now: std::collections::HashSet<String> = rows
                        .iter()
                        .filter_map(|r| match &r.record {
                            Some(rec) => Some(rec.uscc().to_string()),
                            None => uscc_col.and_then(|i| r.cells.get(i)).map(crate::uscc::normalize),
                        })
                        .collect();
                    prev.into_iter().filter(|(u, _)| !now.contains(u.as_str())).map(|(uscc, name)| Disappeared { uscc, name }).collect()
                }
                None => vec![],
            },
            None => vec![],
        },
        None => vec![],
    };
    Ok(ImportReport {
        file: path.display().to_string(),
        file_sha256: sha,
        format: book.format.as_str().into(),
        encoding: book.encoding.map(String::from),
        sheet: table.sheet,
        sheets: table.sheets,
        kind,
        header_row,
        park,
        mapping,
        columns: table.columns,
        unknown_columns,
        missing_columns,
        summary,
        rows,
        disappeared,
        new_enterprises: new_enterprises.len() as u64,
        previous_import: previous,
        dry_run: !commit,
        batch_id,
    })
}

fn duplicate_error(cols: &Columns, r: &Record, first: u32, cells: &[Cell]) -> RowError {
    // The code as the file writes it (the message gives it normalised).
    let written = cols.by_field.get("uscc").and_then(|c| cells.get(c.0)).map(|c| c.display()).filter(|s| !s.is_empty());
    RowError {
        code: "duplicate_in_file".into(),
        field: "uscc".into(),
        column: cols.kind.field("uscc").map(|f| cols.header(f)).unwrap_or_default(),
        value: written.unwrap_or_else(|| r.uscc().to_string()),
        message: format!("与第{first}行重复（{}）。同一内容只需填一行，请删除本行或核对代码。", same_as(r)),
        message_en: format!("Duplicates row {first} (USCC {}). Keep one row.", r.uscc()),
        duplicate_of_row: Some(first),
    }
}

/// A CSV line longer than its header (see the reading thread).
fn extra_cells_error(extra: &[Cell], width: usize) -> RowError {
    let shown: Vec<String> = extra.iter().map(|c| c.display()).collect();
    let k = shown.len();
    let value = shown.join(",");
    RowError {
        code: "extra_cells".into(),
        field: String::new(),
        column: String::new(),
        message: format!("本行比表头多 {k} 格（第 {width} 列之后还有“{value}”）。多半是金额或地址中的逗号没有加引号，后面的内容都错位了。请在表格软件中改正本行（或给含逗号的内容加引号）后重新导出。"),
        message_en: format!("This line has {k} more cells than the header (after column {width}: “{value}”). An amount or address probably holds an unquoted comma, so the cells after it moved. Correct the line and export again."),
        value,
        duplicate_of_row: None,
    }
}

/// "1" | "000": an amount cut at its thousands comma (1-3 digits, then 3 digits).
fn thousands_split(a: Option<&Cell>, b: Option<&Cell>) -> bool {
    let (Some(a), Some(b)) = (a, b) else { return false };
    let (a, b) = (a.display(), b.display());
    let a = a.trim().trim_start_matches(['￥', '¥', '-']);
    let (int, frac) = b.trim().split_once('.').unwrap_or((b.trim(), "0"));
    (1..=3).contains(&a.len())
        && a.bytes().all(|c| c.is_ascii_digit())
        && int.len() == 3
        && int.bytes().all(|c| c.is_ascii_digit())
        && frac.bytes().all(|c| c.is_ascii_digit())
}

fn split_amount_error(column: &str, a: &str, b: &str) -> RowError {
    RowError {
        code: "extra_cells".into(),
        field: String::new(),
        column: column.to_string(),
        value: format!("{a},{b}"),
        message: format!("“{column}”的“{a}”和后一格的“{b}”像是一个带千分位逗号的金额（{a},{b}）没有加引号，本行后面的内容都错位了。请在表格软件中把这个金额改为不带逗号的数字（或加引号）后重新导出。"),
        message_en: format!("“{column}”: “{a}” and the next cell “{b}” look like one amount ({a},{b}) cut at an unquoted thousands comma, so the cells after it moved. Write the amount without the comma and export again."),
        duplicate_of_row: None,
    }
}

/// What makes two rows of a kind the same (validate::dedupe_key), in words.
fn same_as(r: &Record) -> String {
    match r {
        Record::Enterprise(e) => format!("统一社会信用代码 {}", e.uscc),
        Record::Rent(x) => format!(
            "统一社会信用代码 {}，租期起 {}，第{}年的补贴",
            x.uscc,
            x.lease_start.as_deref().unwrap_or("未填"),
            x.subsidy_year.map(|y| y.to_string()).unwrap_or_else(|| "?".into())
        ),
        Record::Cert(c) => match &c.certificate_no {
            Some(no) => format!("统一社会信用代码 {}，同一认定类型，证书编号 {no}", c.uscc),
            None => format!("统一社会信用代码 {}，同一认定类型，发证日期 {}", c.uscc, c.issued_on.as_deref().unwrap_or("未填")),
        },
    }
}

fn merged_error(cols: &Columns, uscc: &str, name: &str, code: &str) -> RowError {
    RowError {
        code: "merged_enterprise".into(),
        field: "uscc".into(),
        column: cols.kind.field("uscc").map(|f| cols.header(f)).unwrap_or_default(),
        value: uscc.to_string(),
        message: format!("代码 {uscc} 的企业已在台账中并入“{name}”（{code}）。请把本行的代码改为 {code}；若合并有误，先在企业台账中撤销合并。"),
        message_en: format!("The enterprise with code {uscc} was merged into “{name}” ({code}). Use {code}, or undo the merge first."),
        duplicate_of_row: None,
    }
}

/// A row as the reading thread hands it over.
struct Validated {
    row: u32,
    rec: Option<Record>,
    errors: Vec<RowError>,
    /// The row's cells as text, kept only for rejected rows.
    cells: Cells,
    /// An enterprise file's record as a new registry entry (commit only), prepared here.
    fresh: Option<Fresh>,
}

/// A new registry entry and its search-index body, both made on the reading thread (the writer
/// uses them when the registry does not know the USCC).
struct Fresh {
    record: ValidEnterprise,
    search_body: String,
}

#[derive(Default)]
struct RunState {
    summary: Summary,
    rows: Vec<RowReport>,
    first_of: HashMap<String, u32>,
    processed: u64,
    /// USCCs already in the registry (and those this run added, for rent and certification files:
    /// an enterprise file names each USCC once).
    known: std::collections::HashSet<String>,
    /// Codes of enterprises merged into another: a row naming one is refused (see merged_error).
    merged: HashMap<String, (String, String)>,
    /// Enterprises a rent or certification file brings that the registry does not have.
    new_enterprises: std::collections::HashSet<String>,
}

/// The dry run: what would happen, row by row. Writes nothing.
pub fn analyze(db: &mut Db, path: &Path, opts: &ImportOptions, progress: &dyn Progress) -> Result<ImportReport> {
    run(db, path, opts, false, progress)
}

/// Import: the accepted rows in ONE transaction, as a batch. Rejected rows are listed, not written.
pub fn commit(db: &mut Db, path: &Path, opts: &ImportOptions, progress: &dyn Progress) -> Result<ImportReport> {
    if db.is_read_only() {
        return Err(Error::ReadOnly);
    }
    crate::backup::before_import(db, progress)?;
    run(db, path, opts, true, progress)
}

pub fn batches(db: &Db, limit: i64) -> Result<Vec<BatchInfo>> {
    isql::batches(db.conn(), limit)
}

pub fn batch(db: &Db, id: i64) -> Result<(BatchInfo, Vec<BatchItem>)> {
    let b = isql::batch(db.conn(), id)?.ok_or(Error::NotFound { entity: "import_batch", key: id.to_string() })?;
    Ok((b, isql::items(db.conn(), id)?))
}

/// Later changes (outside the batch) to what the batch wrote.
pub fn dependents(db: &Db, id: i64) -> Result<Vec<Dependent>> {
    let events = audit::events_in_batch(db.conn(), id)?;
    let last = events.last().map(|e| e.id).unwrap_or(0);
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let created: std::collections::HashSet<(String, i64)> =
        events.iter().filter(|e| e.action == "create").filter_map(|e| Some((e.entity.clone(), e.entity_id.parse().ok()?))).collect();
    // Later changes that still count: not this batch's, nor what was undone since.
    let undone = audit::Undone::load(db.conn())?;
    for ev in &events {
        let Ok(eid) = ev.entity_id.parse::<i64>() else { continue };
        if !matches!(ev.entity.as_str(), "enterprise" | "rent_application" | "certification") || !seen.insert((ev.entity.clone(), eid)) {
            continue;
        }
        let later = audit::events_for(db.conn(), &ev.entity, &ev.entity_id)?
            .into_iter()
            .filter(|e| e.id > last && e.batch_id != Some(id) && !e.action.starts_with("undo") && !undone.covers(e));
        for e in later {
            let name = ev.after.as_ref().or(ev.before.as_ref()).and_then(|v| v.get("name")).and_then(|v| v.as_str()).unwrap_or("").to_string();
            out.push(Dependent { entity: ev.entity.clone(), entity_id: eid, name, event_id: e.id, action: e.action, at: e.at, actor: e.actor });
        }
        // Records from outside the batch linked to an enterprise the batch created (a later rent
        // or certification file, a grant, a merge into it).
        if ev.entity == "enterprise" && ev.action == "create" {
            let name = ev.after.as_ref().and_then(|v| v.get("name")).and_then(|v| v.as_str()).unwrap_or("").to_string();
            for (table, rid) in esql::links_outside_batch(db.conn(), eid, id)? {
                if created.contains(&(table.to_string(), rid)) || !seen.insert((table.to_string(), rid)) {
                    continue;
                }
                let (event_id, action, at, actor) = isql::first_event(db.conn(), table, rid)?.unwrap_or((0, "create".into(), String::new(), String::new()));
                out.push(Dependent { entity: table.into(), entity_id: rid, name: format!("{name} {} #{rid}", made_label(table)), event_id, action, at, actor });
            }
        }
        // Grants, rewards and notices made from a record the batch created or changed (undoing the
        // change would pull the record from under them).
        if matches!(ev.action.as_str(), "create" | "update") {
            for (table, rid, name) in isql::made_from(db.conn(), &ev.entity, eid)? {
                if !seen.insert((table.to_string(), rid)) {
                    continue;
                }
                let (event_id, action, at, actor) = isql::first_event(db.conn(), table, rid)?.unwrap_or((0, "create".into(), String::new(), String::new()));
                out.push(Dependent { entity: table.into(), entity_id: rid, name: format!("{name} {} #{rid}", made_label(table)), event_id, action, at, actor });
            }
        }
    }
    Ok(out)
}

fn made_label(table: &str) -> &'static str {
    match table {
        "rent_grant" => "房租补贴",
        "reward" => "认定奖励",
        "notice" => "公文",
        "rent_application" => "房租补贴申请",
        "certification" => "认定记录",
        "growth_report" => "成长数据",
        "lease" => "租赁合同",
        "enterprise" => "并入的企业",
        _ => "记录",
    }
}

/// A record the batch created that later grants, rewards or notices were made from: kept by
/// undo, with the reason. None when nothing holds it.
fn held_by(conn: crate::store::Conn<'_>, entity: &str, id: i64) -> Result<Option<String>> {
    let made = isql::made_from(conn, entity, id)?;
    let Some((_, _, name)) = made.first() else { return Ok(None) };
    let what: Vec<String> = made.iter().map(|(t, rid, _)| format!("{} #{rid}", made_label(t))).collect();
    let record = if entity == "rent_application" { "房租补贴申请" } else { "认定记录" };
    Ok(Some(format!("{name}：{record}已用于{}，保留", what.join("、"))))
}

/// Undo a whole batch with compensating changes (newest first). When later edits depend on it,
/// nothing happens unless `force`: then created rows are removed unless something links to them,
/// and updated fields are put back only where nobody changed them since.
pub fn undo(db: &mut Db, id: i64, force: bool) -> Result<UndoReport> {
    let (b, _) = batch(db, id)?;
    if b.undone_at.is_some() {
        return Err(Error::refused(
            "batch_already_undone",
            format!("导入批次 #{id} 已于 {} 撤销。", b.undone_at.unwrap_or_default()),
            format!("Batch #{id} was already undone."),
        ));
    }
    let deps = dependents(db, id)?;
    if !deps.is_empty() && !force {
        let action_zh = |a: &str| match a {
            "create" | "draft" => "生成",
            "update" | "import" => "修改",
            "merge" => "合并",
            "delete" | "remove" => "删除",
            "approve" => "审核通过",
            _ => "变更",
        };
        let action_en = |a: &str| match a {
            "create" | "draft" => "made",
            "update" | "import" => "changed",
            "merge" => "merged",
            "delete" | "remove" => "removed",
            "approve" => "approved",
            _ => "changed",
        };
        let label = |d: &Dependent| if d.name.is_empty() { format!("{} #{}", made_label(&d.entity), d.entity_id) } else { d.name.clone() };
        let when = |d: &Dependent| d.at.get(..16).unwrap_or(&d.at).replace('T', " ");
        let names: Vec<String> = deps.iter().take(5).map(|d| format!("{}（{} {}）", label(d), when(d), action_zh(&d.action))).collect();
        let names_en: Vec<String> = deps.iter().take(5).map(|d| format!("{} ({} {})", label(d), action_en(&d.action), when(d))).collect();
        return Err(Error::refused(
            "import_undo_conflict",
            format!(
                "本批次导入的数据之后又被修改或使用过 {} 处：{}{}。确定撤销吗？之后的修改会保留，其余恢复为导入前的状态。",
                deps.len(),
                names.join("、"),
                if deps.len() > 5 { "等" } else { "" }
            ),
            format!(
                "{} later changes depend on this batch: {}. Undo anyway? Later edits are kept; the rest returns to its state before the import.",
                deps.len(),
                names_en.join(", ")
            ),
        )
        .with_details(json!({"dependents": deps})));
    }
    let events = audit::events_in_batch(db.conn(), id)?;
    let dep_keys: std::collections::HashSet<(String, i64)> = deps.iter().map(|d| (d.entity.clone(), d.entity_id)).collect();
    let mut report = UndoReport { batch_id: id, removed: 0, restored: 0, kept: vec![], dependents: deps };
    db.write(|tx| {
        // The compensating events belong to the batch they undo.
        tx.set_batch(Some(id));
        // What was undone before this batch (nothing in this loop changes it).
        let undone = audit::Undone::load(tx.conn())?;
        for ev in events.iter().rev() {
            let Ok(eid) = ev.entity_id.parse::<i64>() else { continue };
            match (ev.entity.as_str(), ev.action.as_str()) {
                (entity @ ("rent_application" | "certification"), "create") => {
                    if !isql::exists(tx.conn(), entity, eid)? {
                        continue;
                    }
                    if let Some(why) = held_by(tx.conn(), entity, eid)? {
                        report.kept.push(why);
                        continue;
                    }
                    if dep_keys.contains(&(entity.to_string(), eid)) {
                        report.kept.push(format!("{} #{eid}：导入后又被修改过，保留", made_label(entity)));
                        continue;
                    }
                    isql::remove_record(tx, entity, eid, "undo_import")?;
                    report.removed += 1;
                }
                (entity @ ("rent_application" | "certification"), "update") => {
                    // Removed since (its creating batch undone first): nothing to put back.
                    if !isql::exists(tx.conn(), entity, eid)? {
                        continue;
                    }
                    if let Some(why) = held_by(tx.conn(), entity, eid)? {
                        report.kept.push(why);
                        continue;
                    }
                    let rent = entity == "rent_application";
                    let current = if rent { isql::rent_application_json(tx.conn(), eid)? } else { isql::certification_json(tx.conn(), eid)? };
                    let history = audit::events_for(tx.conn(), entity, &eid.to_string())?;
                    let r = undone.revert(&current, ev, &history, if rent { RENT_UPDATE_FIELDS } else { CERT_UPDATE_FIELDS });
                    if !r.kept.is_empty() {
                        report.kept.push(format!("{} #{eid}：{}之后又被修改，保留现值", made_label(entity), r.kept.join("、")));
                    }
                    if !r.reverted.is_empty() {
                        if rent {
                            isql::restore_rent(tx, &r.record, "undo_import")?;
                        } else {
                            isql::restore_certification(tx, &r.record, "undo_import")?;
                        }
                        report.restored += 1;
                    }
                }
                ("enterprise", "create") => {
                    let Some(e) = esql::get(tx.conn(), eid)? else { continue };
                    if esql::is_held(tx.conn(), eid)? {
                        report.kept.push(format!("{}：已有其他关联记录，保留", e.name));
                    } else if dep_keys.contains(&("enterprise".to_string(), eid)) {
                        report.kept.push(format!("{}：导入后又被修改过，保留", e.name));
                    } else {
                        esql::remove_created(tx, eid, "undo_import")?;
                        report.removed += 1;
                    }
                }
                ("enterprise", "import") => {
                    let Some(current) = esql::get(tx.conn(), eid)? else { continue };
                    let r = crate::enterprise::revert_fields(tx.conn(), &undone, &current, ev)?;
                    if !r.kept.is_empty() {
                        report.kept.push(format!("{}：{}之后又被修改，保留现值", current.name, crate::enterprise::labels_zh(&r.kept)));
                    }
                    if !r.reverted.is_empty() {
                        esql::update(tx, eid, &r.record, "undo_import")?;
                        report.restored += 1;
                    }
                }
                _ => {}
            }
        }
        isql::mark_undone(tx, id)?;
        // Records kept by an earlier undo because this batch had changed them since: with this
        // batch undone too, nothing that counts is left of them.
        report.removed += remove_left_by_undone(tx, &events)?;
        let summary = json!({"removed": report.removed, "restored": report.restored, "kept": report.kept});
        tx.audit("import_batch", id, "undo", None, Some(&summary))?;
        Ok(())
    })?;
    Ok(report)
}

/// Remove what an undone batch created and only undone work changed since, among the records
/// this batch's events touch (and the enterprises of its applications and certifications):
/// applications and certifications first, then enterprises nothing links to. Returns how many.
fn remove_left_by_undone(tx: &mut Tx<'_>, events: &[audit::AuditEvent]) -> Result<u64> {
    let undone = audit::Undone::load(tx.conn())?;
    let mut records: Vec<(String, i64)> = Vec::new();
    let mut enterprises: Vec<i64> = Vec::new();
    for ev in events {
        let Ok(id) = ev.entity_id.parse::<i64>() else { continue };
        match ev.entity.as_str() {
            "enterprise" => enterprises.push(id),
            "rent_application" | "certification" => {
                records.push((ev.entity.clone(), id));
                if let Some(e) = ev.after.as_ref().or(ev.before.as_ref()).and_then(|v| v.get("enterprise_id")).and_then(|v| v.as_i64()) {
                    enterprises.push(e);
                }
            }
            _ => {}
        }
    }
    records.sort();
    records.dedup();
    enterprises.sort_unstable();
    enterprises.dedup();
    let mut removed = 0;
    for (entity, id) in records {
        if !isql::exists(tx.conn(), &entity, id)? || held_by(tx.conn(), &entity, id)?.is_some() {
            continue;
        }
        if undone.created_and_changed_only_by_undone(&audit::events_for(tx.conn(), &entity, &id.to_string())?) {
            isql::remove_record(tx, &entity, id, "undo_import")?;
            removed += 1;
        }
    }
    for id in enterprises {
        removed += u64::from(crate::enterprise::remove_if_left_by_undone(tx, id, "undo_import")?);
    }
    Ok(removed)
}

const RENT_UPDATE_FIELDS: &[&str] =
    &["lease_address", "area_centi_m2", "unit_rent_fen", "lease_end", "period_end", "annual_rent_fen", "revenue_prev_fen", "revenue_curr_fen", "requested_fen"];
const CERT_UPDATE_FIELDS: &[&str] = &["issued_on", "expires_on", "expiry_flag"];

/// The rejected rows as an xlsx the park can fix and resend: the original columns plus 错误说明.
pub fn export_rejected(report: &ImportReport, path: &Path) -> Result<u64> {
    use crate::export::{write_xlsx, Cell as X, Sheet};
    let mut headers: Vec<(&str, f64)> = vec![("行号", 8.0)];
    let width = report.columns.iter().map(|c| c.index as usize + 1).max().unwrap_or(0);
    let mut names: Vec<String> = vec![String::new(); width];
    for c in &report.columns {
        names[c.index as usize] = c.column.clone();
    }
    for n in &names {
        headers.push((n.as_str(), 18.0));
    }
    headers.push(("错误说明", 60.0));
    write_xlsx(path, &Sheet { name: "错误行", headers }, |sink| {
        for r in report.rows.iter().filter(|r| r.status == RowStatus::Rejected) {
            let mut cells = vec![X::Int(Some(r.row as i64))];
            for i in 0..width {
                cells.push(X::Text(r.cells.get(i).unwrap_or_default().to_string()));
            }
            cells.push(X::Text(r.errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("；")));
            sink(cells)?;
        }
        Ok(())
    })
}

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
