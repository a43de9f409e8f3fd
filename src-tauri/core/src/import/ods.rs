//! A look at an .ods file's `content.xml` before calamine opens it.
//!
//! calamine builds every sheet of an .ods whole as soon as the file is opened, expanding "this row
//! N times", "this cell N times" and "N spaces" as it goes: a file of a few hundred bytes can ask
//! for gigabytes that way. This pass streams the XML once, adds up what calamine would build (the
//! cells of each row as written, the table once rows are repeated, the text of every cell), and
//! refuses the file before any of it is built. It also collects the merged regions, which calamine
//! does not report for .ods.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;

use calamine::Dimensions;
use quick_xml::events::{BytesStart, Event};

use super::limits::{MAX_MERGES, MAX_TEXT_BYTES};
use crate::error::{Error, Result};

use super::limits::MAX_WHOLE_CELLS as MAX_ODS_CELLS;
/// calamine's own cap on the cells of one row.
const MAX_ROW_CELLS: u64 = 16_384;

/// What calamine would build, in cells and bytes of text.
#[derive(Debug, Default, PartialEq)]
pub struct Totals {
    /// Cells as written (each row once): what parsing holds.
    pub parsed_cells: u64,
    /// Cells of the tables once repeated rows are expanded, from each table's first non-empty row
    /// to its last, as wide as its widest row.
    pub table_cells: u64,
    /// Bytes of cell text once every repeat is expanded.
    pub text_bytes: u64,
}

/// Why a file is refused: what ran over.
#[derive(Debug, PartialEq)]
pub enum Over {
    Cells(u64),
    Text(u64),
}

#[derive(Debug, Default)]
pub struct Scan {
    pub totals: Totals,
    /// Sheet name → merged regions (0-based, inclusive), as calamine's xlsx reader gives them.
    pub merges: HashMap<String, Vec<Dimensions>>,
    /// Sheet name → number cells (row, column; 0-based) that show their value as stored with 万
    /// after it ("500万元" for 500): amounts in 万. The first rows of a sheet only.
    pub wan: HashMap<String, HashSet<(u32, u32)>>,
}

/// Read `content.xml` of the .ods at `path`. Errors: the file's own (damaged zip or XML) as
/// `file_unreadable`, a limit as `too_many_cells` / `too_much_text`.
pub fn scan(path: &Path) -> Result<Scan> {
    let f = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut zip = zip::ZipArchive::new(BufReader::new(f)).map_err(|e| super::limits::not_readable(path, &e.to_string()))?;
    let entry = zip.by_name("content.xml").map_err(|e| super::limits::not_readable(path, &e.to_string()))?;
    scan_xml(BufReader::new(entry)).map_err(|e| match e {
        ScanError::Over(Over::Cells(n)) => super::limits::too_many_whole_cells(path, n),
        ScanError::Over(Over::Text(n)) => super::limits::too_much_text(path, n),
        ScanError::Xml(why) => super::limits::not_readable(path, &why),
    })
}

#[derive(Debug, PartialEq)]
pub enum ScanError {
    Over(Over),
    Xml(String),
}

#[derive(Default)]
struct Table {
    name: String,
    /// Rows so far (with repeats): the next row's index.
    row: u64,
    /// Rows from the first non-empty one to the last, with repeats.
    used_rows: u64,
    /// Empty rows seen since the last non-empty one (counted only if another non-empty follows).
    pending_rows: u64,
    seen_data: bool,
    width: u64,
    merges: Vec<Dimensions>,
}

#[derive(Default)]
struct Row {
    repeat: u64,
    col: u64,
    /// Cells calamine keeps for this row: empty ones only when a non-empty one follows.
    kept: u64,
    pending_empty: u64,
    text: u64,
}

#[derive(Default)]
struct CellAcc {
    repeat: u64,
    has_value: bool,
    text: u64,
    paragraphs: u64,
    /// Depth inside an `office:annotation` (a comment: calamine skips it).
    annotation: u32,
    /// A number cell's value, and the text it shows (the start of it).
    number: Option<f64>,
    shown: String,
}

/// Whether a number cell shows its value in 万: its text is a plain number (digits, grouping
/// commas, a point, a sign, a currency mark) then 万 (元), and that number is the value as far as
/// the shown decimals go ("1201万元" for 1200.5, "1234.57万" for 1234.5678). A number scaled to
/// show 万 ("500万" for 5,000,000) is in 元, and so is anything else written around it.
fn shows_value_in_wan(shown: &str, value: f64) -> bool {
    let t = shown.trim();
    let Some(head) = t.strip_suffix("万元").or_else(|| t.strip_suffix('万')) else { return false };
    let head = head.trim().trim_start_matches(['¥', '￥']).trim();
    if head.is_empty() || !head.chars().all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | '-')) {
        return false;
    }
    let Ok(n) = head.replace(',', "").parse::<f64>() else { return false };
    let decimals = head.split_once('.').map_or(0, |(_, d)| d.len()) as i32;
    (n - value).abs() <= 0.5 * 10f64.powi(-decimals) + 1e-9 * value.abs().max(1.0)
}

fn attr_u64(e: &BytesStart<'_>, name: &str) -> Option<u64> {
    e.attributes().flatten().find(|a| a.key.as_ref() == name).and_then(|a| a.value.trim().parse::<u64>().ok())
}

/// An attribute's text, unescaped (a sheet named “A&B园” is written `A&amp;B园`).
fn attr_string(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .map(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).map(|v| v.into_owned()).unwrap_or_else(|_| a.value.into_owned()))
}

/// The pass itself, on any reader of the XML (tests give it a string).
pub fn scan_xml<R: BufRead>(src: R) -> std::result::Result<Scan, ScanError> {
    let mut reader = quick_xml::Reader::from_reader(src);
    // As calamine reads it: what it accepts is measured, not refused here.
    reader.config_mut().expand_empty_elements = true;
    reader.config_mut().check_end_names = false;
    let mut buf = Vec::with_capacity(4096);
    let mut out = Scan::default();
    let mut table: Option<Table> = None;
    let mut row: Option<Row> = None;
    let mut cell: Option<CellAcc> = None;
    let check = |t: &Totals| -> std::result::Result<(), ScanError> {
        if t.parsed_cells > MAX_ODS_CELLS || t.table_cells > MAX_ODS_CELLS {
            return Err(ScanError::Over(Over::Cells(t.parsed_cells.max(t.table_cells))));
        }
        if t.text_bytes > MAX_TEXT_BYTES {
            return Err(ScanError::Over(Over::Text(t.text_bytes)));
        }
        Ok(())
    };
    loop {
        buf.clear();
        let ev = reader.read_event_into(&mut buf).map_err(|e| ScanError::Xml(e.to_string()))?;
        match ev {
            Event::Eof => break,
            Event::Start(e) => {
                let name = e.name();
                let name = name.as_ref();
                if let Some(c) = cell.as_mut() {
                    if c.annotation > 0 || name == "office:annotation" {
                        c.annotation += 1;
                        continue;
                    }
                    match name {
                        "text:s" => c.text = c.text.saturating_add(attr_u64(&e, "text:c").unwrap_or(1)),
                        "text:tab" | "text:line-break" => c.text = c.text.saturating_add(1),
                        "text:p" => c.paragraphs += 1,
                        _ => {}
                    }
                    // One cell alone can be over the limit (N spaces).
                    if c.text > MAX_TEXT_BYTES {
                        return Err(ScanError::Over(Over::Text(c.text)));
                    }
                    continue;
                }
                match name {
                    // A table inside a table is read as part of it, as calamine does.
                    "table:table" if table.is_none() => {
                        table = Some(Table { name: attr_string(&e, "table:name").unwrap_or_default(), ..Table::default() });
                    }
                    "table:table-row" if table.is_some() => {
                        row = Some(Row { repeat: attr_u64(&e, "table:number-rows-repeated").unwrap_or(1).max(1), ..Row::default() });
                    }
                    "table:table-cell" | "table:covered-table-cell" if row.is_some() => {
                        // (XML out of order, read leniently: a cell outside a row or table is passed over)
                        let (Some(r), Some(t)) = (row.as_ref(), table.as_mut()) else { continue };
                        let rows_spanned = attr_u64(&e, "table:number-rows-spanned").unwrap_or(1);
                        let cols_spanned = attr_u64(&e, "table:number-columns-spanned").unwrap_or(1);
                        if (rows_spanned > 1 || cols_spanned > 1) && t.merges.len() < MAX_MERGES {
                            let (r0, c0) = (t.row, r.col);
                            let (r1, c1) = (r0.saturating_add(rows_spanned - 1), c0.saturating_add(cols_spanned - 1));
                            if r1 < u32::MAX as u64 && c1 < u32::MAX as u64 {
                                t.merges.push(Dimensions::new((r0 as u32, c0 as u32), (r1 as u32, c1 as u32)));
                            }
                        }
                        let mut c = CellAcc { repeat: attr_u64(&e, "table:number-columns-repeated").unwrap_or(1).max(1), ..CellAcc::default() };
                        if matches!(attr_string(&e, "office:value-type").as_deref(), Some("float" | "currency")) {
                            c.number = attr_string(&e, "office:value").and_then(|v| v.trim().parse::<f64>().ok());
                        }
                        for a in e.attributes().flatten() {
                            match a.key.as_ref() {
                                "office:value" | "office:date-value" | "office:time-value" | "office:boolean-value" | "office:value-type" => c.has_value = true,
                                // calamine keeps each cell's formula text too (repeated with the cell).
                                "table:formula" => {
                                    c.has_value = true;
                                    c.text = c.text.saturating_add(a.value.len() as u64);
                                }
                                "office:string-value" => {
                                    c.has_value = true;
                                    c.text = c.text.saturating_add(a.value.len() as u64);
                                }
                                _ => {}
                            }
                        }
                        cell = Some(c);
                    }
                    _ => {}
                }
            }
            Event::Text(t) => {
                if let Some(c) = cell.as_mut().filter(|c| c.annotation == 0) {
                    c.text = c.text.saturating_add(t.len() as u64);
                    if c.number.is_some() && c.shown.len() < 64 {
                        c.shown.push_str(&t[..]);
                    }
                }
            }
            Event::GeneralRef(_) => {
                if let Some(c) = cell.as_mut().filter(|c| c.annotation == 0) {
                    c.text = c.text.saturating_add(4);
                }
            }
            Event::End(e) => {
                let name = e.name();
                let name = name.as_ref();
                if let Some(c) = cell.as_mut() {
                    if c.annotation > 0 {
                        c.annotation -= 1;
                        continue;
                    }
                    if name != "table:table-cell" && name != "table:covered-table-cell" {
                        continue;
                    }
                    let Some(c) = cell.take() else { continue };
                    let Some(r) = row.as_mut() else { continue };
                    let text = c.text.saturating_add(c.paragraphs.saturating_sub(1));
                    // A number shown as itself with 万 after it: the amount is in 万.
                    if let (Some(v), Some(t)) = (c.number, table.as_ref()) {
                        let wan = shows_value_in_wan(&c.shown, v);
                        if wan && t.row < u64::from(super::limits::MERGE_SCAN_MAX_ROWS) {
                            let set = out.wan.entry(t.name.clone()).or_default();
                            for rr in t.row..t.row + r.repeat.min(1_000) {
                                for cc in r.col..r.col + c.repeat.min(1_000) {
                                    set.insert((rr as u32, cc as u32));
                                }
                            }
                        }
                    }
                    r.col = r.col.saturating_add(c.repeat);
                    if c.has_value || text > 0 {
                        let room = MAX_ROW_CELLS.saturating_sub(r.kept);
                        let empties = r.pending_empty.min(room);
                        let here = c.repeat.min(room - empties);
                        r.kept += empties + here;
                        r.pending_empty = 0;
                        r.text = r.text.saturating_add(text.saturating_mul(here));
                    } else {
                        r.pending_empty = r.pending_empty.saturating_add(c.repeat);
                    }
                    continue;
                }
                match name {
                    "table:table-row" => {
                        let Some(r) = row.take() else { continue };
                        let Some(t) = table.as_mut() else { continue };
                        out.totals.parsed_cells = out.totals.parsed_cells.saturating_add(r.kept);
                        if r.kept > 0 {
                            if t.seen_data {
                                t.used_rows = t.used_rows.saturating_add(t.pending_rows);
                            }
                            t.seen_data = true;
                            t.pending_rows = 0;
                            t.used_rows = t.used_rows.saturating_add(r.repeat);
                            t.width = t.width.max(r.kept);
                            out.totals.text_bytes = out.totals.text_bytes.saturating_add(r.text.saturating_mul(r.repeat));
                        } else {
                            t.pending_rows = t.pending_rows.saturating_add(r.repeat);
                        }
                        t.row = t.row.saturating_add(r.repeat);
                        let so_far = out.totals.table_cells.saturating_add(t.used_rows.saturating_mul(t.width));
                        check(&Totals { table_cells: so_far, ..out.totals })?;
                    }
                    "table:table" => {
                        row = None;
                        if let Some(t) = table.take() {
                            out.totals.table_cells = out.totals.table_cells.saturating_add(t.used_rows.saturating_mul(t.width));
                            if !t.merges.is_empty() {
                                out.merges.entry(t.name).or_default().extend(t.merges);
                            }
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    check(&out.totals)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(tables: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
             xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\">\
             <office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"
        )
    }

    fn scan_str(s: &str) -> std::result::Result<Scan, ScanError> {
        scan_xml(s.as_bytes())
    }

    #[test]
    fn an_ordinary_sheet_counts_what_is_there_and_ignores_trailing_blank_repeats() {
        // What LibreOffice writes: each row padded with an empty cell repeated to column 1024,
        // the sheet padded with empty rows repeated to row 1,048,576.
        let x = doc("<table:table table:name=\"名单\">\
             <table:table-row><table:table-cell office:value-type=\"string\"><text:p>企业名称</text:p></table:table-cell>\
             <table:table-cell office:value-type=\"string\"><text:p>统一社会信用代码</text:p></table:table-cell>\
             <table:table-cell table:number-columns-repeated=\"1022\"/></table:table-row>\
             <table:table-row><table:table-cell office:value-type=\"string\"><text:p>甲</text:p></table:table-cell>\
             <table:table-cell/><table:table-cell office:value-type=\"float\" office:value=\"3\"/>\
             <table:table-cell table:number-columns-repeated=\"1021\"/></table:table-row>\
             <table:table-row table:number-rows-repeated=\"1048574\"><table:table-cell table:number-columns-repeated=\"1024\"/></table:table-row>\
             </table:table>");
        let s = scan_str(&x).unwrap();
        assert_eq!(s.totals, Totals { parsed_cells: 5, table_cells: 6, text_bytes: ("企业名称".len() + "统一社会信用代码".len() + "甲".len()) as u64 });
        assert!(s.merges.is_empty());
    }

    #[test]
    fn repeated_rows_and_cells_are_counted_expanded() {
        let x = doc(&format!(
            "<table:table table:name=\"a\"><table:table-row table:number-rows-repeated=\"12000\">\
             <table:table-cell table:number-columns-repeated=\"200\" office:value-type=\"string\"><text:p>{}</text:p></table:table-cell>\
             </table:table-row></table:table>",
            "x".repeat(300)
        ));
        // 2.4 million cells (under the cell limit) of 300 bytes: 720 MB of text.
        assert_eq!(scan_str(&x).unwrap_err(), ScanError::Over(Over::Text(12_000 * 200 * 300)));
        let x = doc("<table:table table:name=\"a\"><table:table-row table:number-rows-repeated=\"1000000\">\
             <table:table-cell table:number-columns-repeated=\"6\" office:value-type=\"float\" office:value=\"1\"/>\
             </table:table-row></table:table>");
        assert_eq!(scan_str(&x).unwrap_err(), ScanError::Over(Over::Cells(6_000_000)));
        // Just under and just over the limit.
        let rows = |n: u64| {
            doc(&format!("<table:table table:name=\"a\"><table:table-row table:number-rows-repeated=\"{n}\"><table:table-cell office:value=\"1\"/></table:table-row></table:table>"))
        };
        assert_eq!(scan_str(&rows(MAX_ODS_CELLS)).unwrap().totals.table_cells, MAX_ODS_CELLS);
        assert_eq!(scan_str(&rows(MAX_ODS_CELLS + 1)).unwrap_err(), ScanError::Over(Over::Cells(MAX_ODS_CELLS + 1)));
        // Blank rows between data rows count (calamine fills them in); blank rows after do not.
        let x = doc("<table:table table:name=\"a\"><table:table-row><table:table-cell office:value=\"1\"/></table:table-row>\
             <table:table-row table:number-rows-repeated=\"2500000\"><table:table-cell/></table:table-row>\
             <table:table-row><table:table-cell office:value=\"1\"/></table:table-row>\
             <table:table-row table:number-rows-repeated=\"9000000\"><table:table-cell/></table:table-row></table:table>");
        assert_eq!(scan_str(&x).unwrap_err(), ScanError::Over(Over::Cells(2_500_002)));
    }

    #[test]
    fn spaces_repeated_in_one_cell_are_text_too() {
        let x = doc("<table:table table:name=\"a\"><table:table-row><table:table-cell office:value-type=\"string\">\
             <text:p>a<text:s text:c=\"999999999999\"/>b</text:p></table:table-cell></table:table-row></table:table>");
        assert!(matches!(scan_str(&x).unwrap_err(), ScanError::Over(Over::Text(_))));
        // A comment's text is not the cell's (calamine skips it).
        let x = doc("<table:table table:name=\"a\"><table:table-row><table:table-cell office:value-type=\"string\">\
             <office:annotation><text:p>备注<text:s text:c=\"999999999999\"/></text:p></office:annotation><text:p>ab</text:p>\
             </table:table-cell></table:table-row></table:table>");
        assert_eq!(scan_str(&x).unwrap().totals.text_bytes, 2);
    }

    #[test]
    fn formula_text_repeats_with_its_cell() {
        let x = doc(&format!(
            "<table:table table:name=\"a\"><table:table-row table:number-rows-repeated=\"2000\">\
             <table:table-cell table:number-columns-repeated=\"500\" table:formula=\"of:={}\" office:value-type=\"float\" office:value=\"1\"/>\
             </table:table-row></table:table>",
            "1+".repeat(20_000)
        ));
        assert!(matches!(scan_str(&x).unwrap_err(), ScanError::Over(Over::Text(_))));
    }

    /// A number cell is in 万 when it shows its own value with 万 after it; one whose shown
    /// number is scaled (display-factor: 5000000 shown as 500万) is in 元, and text is not a number.
    #[test]
    fn cells_showing_their_value_with_wan_are_found() {
        let cell =
            |v: &str, shown: &str| format!("<table:table-cell office:value-type=\"float\" office:value=\"{v}\"><text:p>{shown}</text:p></table:table-cell>");
        let x = doc(&format!(
            "<table:table table:name=\"名单\"><table:table-row>{}{}{}<table:table-cell office:value-type=\"string\"><text:p>500万</text:p></table:table-cell></table:table-row>\
             <table:table-row table:number-rows-repeated=\"2\">{}</table:table-row></table:table>",
            cell("500", "500万元"),
            cell("5000000", "500万"),
            cell("1200.5", "1,200.50万"),
            cell("7", "7")
        ));
        let s = scan_str(&x).unwrap();
        let mut got: Vec<(u32, u32)> = s.wan["名单"].iter().copied().collect();
        got.sort();
        assert_eq!(got, [(0, 0), (0, 2)]);
        // Rounded to what is shown, in 万; scaled or written around, in 元.
        assert!(shows_value_in_wan("1201万元", 1200.5) && shows_value_in_wan("1234.57万", 1234.5678) && shows_value_in_wan("1万元", 0.5));
        assert!(!shows_value_in_wan("500万", 5_000_000.0) && !shows_value_in_wan("5000000!.0000万", 5_000_000.0) && !shows_value_in_wan("九百万元", 900.0));
    }

    #[test]
    fn merged_regions_are_found_where_they_start() {
        let x = doc("<table:table table:name=\"名单\">\
             <table:table-row><table:table-cell table:number-columns-spanned=\"3\" office:value-type=\"string\"><text:p>标题</text:p></table:table-cell>\
             <table:covered-table-cell table:number-columns-repeated=\"2\"/></table:table-row>\
             <table:table-row table:number-rows-repeated=\"2\"><table:table-cell/></table:table-row>\
             <table:table-row><table:table-cell table:number-columns-repeated=\"2\"/>\
             <table:table-cell table:number-rows-spanned=\"2\" office:value-type=\"string\"><text:p>甲</text:p></table:table-cell></table:table-row>\
             <table:table-row><table:table-cell table:number-columns-repeated=\"2\"/><table:covered-table-cell/></table:table-row>\
             </table:table><table:table table:name=\"说明\"><table:table-row><table:table-cell/></table:table-row></table:table>");
        let s = scan_str(&x).unwrap();
        assert_eq!(s.merges.len(), 1);
        assert_eq!(s.merges["名单"], vec![Dimensions::new((0, 0), (0, 2)), Dimensions::new((3, 2), (4, 2))]);
    }

    #[test]
    fn xml_out_of_order_is_passed_over_without_a_panic() {
        // Found by the ods_scan fuzz target: a table closed inside a row, a cell after it.
        let x = "<table:table table:name=\"a\"><table:table-row></table:table><table:table-cell office:value=\"1\"/></table:table-row>";
        assert!(scan_str(x).is_ok());
        // A table inside a table counts into it.
        let x = doc("<table:table table:name=\"a\"><table:table table:name=\"b\"><table:table-row><table:table-cell office:value=\"1\"/></table:table-row></table:table></table:table>");
        assert_eq!(scan_str(&x).unwrap().totals.table_cells, 1);
    }

    #[test]
    fn broken_xml_is_an_xml_error() {
        assert!(matches!(scan_str("<a><!-- a comment that never ends").unwrap_err(), ScanError::Xml(_)));
    }
}
