//! Exports to xlsx (rust_xlsxwriter, constant memory) and CSV. Codes and phones are text cells,
//! dates are dates, money is 元 with two decimals; nothing a spreadsheet could run as a formula is
//! ever written as one. Files are written to a temporary name and renamed: never half a file.

use std::io::Write;
use std::path::Path;

use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, XlsxError};

use crate::error::{Error, Result};
use crate::text::is_formula_like;

/// A column of an export: header, width, and how to get the cell from a row.
pub enum Cell {
    Text(String),
    /// ISO date text; written as a real date.
    Date(Option<String>),
    /// Integer fen; written as 元 with two decimals.
    Money(Option<i64>),
    /// Integer fen; written as 万元 (as the screen shows registered capital), exact.
    Wan(Option<i64>),
    /// Hundredths; written with two decimals (areas).
    Centi(Option<i64>),
    Int(Option<i64>),
}

pub struct Sheet<'a> {
    pub name: &'a str,
    pub headers: Vec<(&'a str, f64)>,
}

fn xerr(path: &Path) -> impl Fn(XlsxError) -> Error + '_ {
    move |e| match e {
        XlsxError::IoError(io) => Error::io(path, io),
        other => Error::io(path, std::io::Error::other(other.to_string())),
    }
}

fn tmp_path(path: &Path) -> std::path::PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(format!(".part-{}", std::process::id()));
    s.into()
}

/// Rename `tmp` over `path` after syncing it to disk.
pub fn commit_file(tmp: &Path, path: &Path) -> Result<()> {
    if let Ok(f) = std::fs::File::open(tmp) {
        f.sync_all().map_err(|e| Error::io(tmp, e))?;
    }
    std::fs::rename(tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(tmp);
        Error::io(path, e)
    })
}

/// Write rows produced by `fill` (which calls the row sink for each row) to an xlsx at `path`.
pub fn write_xlsx(path: &Path, sheet: &Sheet<'_>, fill: impl FnOnce(&mut dyn FnMut(Vec<Cell>) -> Result<()>) -> Result<()>) -> Result<u64> {
    let tmp = tmp_path(path);
    let res = (|| {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet_with_constant_memory().map_err(xerr(path))?;
        ws.set_name(sheet.name).map_err(xerr(path))?;
        let head = Format::new().set_bold().set_align(FormatAlign::Center).set_background_color("#E8EEF7");
        let text = Format::new().set_num_format("@");
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let money = Format::new().set_num_format("#,##0.00");
        let centi = Format::new().set_num_format("0.00");
        let wan = Format::new().set_num_format("#,##0.00####");
        for (i, (h, w)) in sheet.headers.iter().enumerate() {
            ws.set_column_width(i as u16, *w).map_err(xerr(path))?;
            ws.write_string_with_format(0, i as u16, *h, &head).map_err(xerr(path))?;
        }
        ws.set_freeze_panes(1, 0).map_err(xerr(path))?;
        let mut row: u32 = 1;
        let mut sink = |cells: Vec<Cell>| -> Result<()> {
            if row >= MAX_EXCEL_ROWS {
                return Err(Error::refused(
                    "too_many_rows",
                    "行数超过 Excel 的上限（1,048,576 行），请缩小筛选范围后再导出。",
                    "More rows than Excel allows (1,048,576); narrow the filter.",
                ));
            }
            for (c, cell) in cells.into_iter().enumerate() {
                let c = c as u16;
                match cell {
                    // write_string never makes a formula: "=1+1" stays the text "=1+1".
                    Cell::Text(s) if !s.is_empty() => {
                        ws.write_string_with_format(row, c, &s, &text).map_err(xerr(path))?;
                    }
                    Cell::Date(Some(d)) => match chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
                        Ok(nd) => {
                            use chrono::Datelike;
                            let dt = ExcelDateTime::from_ymd(nd.year() as u16, nd.month() as u8, nd.day() as u8).map_err(xerr(path))?;
                            ws.write_date_with_format(row, c, &dt, &date).map_err(xerr(path))?;
                        }
                        Err(_) => {
                            ws.write_string_with_format(row, c, &d, &text).map_err(xerr(path))?;
                        }
                    },
                    Cell::Money(Some(f)) => {
                        ws.write_number_with_format(row, c, f as f64 / 100.0, &money).map_err(xerr(path))?;
                    }
                    Cell::Centi(Some(v)) => {
                        ws.write_number_with_format(row, c, v as f64 / 100.0, &centi).map_err(xerr(path))?;
                    }
                    Cell::Wan(Some(v)) => {
                        ws.write_number_with_format(row, c, v as f64 / 1_000_000.0, &wan).map_err(xerr(path))?;
                    }
                    Cell::Int(Some(v)) => {
                        ws.write_number(row, c, v as f64).map_err(xerr(path))?;
                    }
                    _ => {}
                }
            }
            row += 1;
            Ok(())
        };
        fill(&mut sink)?;
        wb.save(&tmp).map_err(xerr(path))?;
        Ok(row as u64 - 1)
    })();
    match res {
        Ok(n) => {
            commit_file(&tmp, path)?;
            Ok(n)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// CSV (UTF-8 with BOM so that Excel reads Chinese): formula-like text gets a leading '.
pub fn write_csv(path: &Path, headers: &[&str], fill: impl FnOnce(&mut dyn FnMut(Vec<Cell>) -> Result<()>) -> Result<()>) -> Result<u64> {
    let tmp = tmp_path(path);
    let res = (|| {
        let f = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        let mut buf = std::io::BufWriter::new(f);
        buf.write_all(b"\xEF\xBB\xBF").map_err(|e| Error::io(&tmp, e))?;
        let mut w = csv::Writer::from_writer(buf);
        let cerr = |e: csv::Error| Error::io(path, std::io::Error::other(e.to_string()));
        w.write_record(headers).map_err(cerr)?;
        let mut n = 0u64;
        let mut sink = |cells: Vec<Cell>| -> Result<()> {
            let rec: Vec<String> = cells
                .into_iter()
                .map(|c| match c {
                    Cell::Text(s) => guard_csv(&s),
                    Cell::Date(d) => d.unwrap_or_default(),
                    Cell::Money(m) => m.map(crate::money::fmt_yuan_plain).unwrap_or_default(),
                    Cell::Centi(m) => m.map(crate::money::fmt_yuan_plain).unwrap_or_default(),
                    Cell::Wan(m) => m.map(crate::money::fmt_wan_plain).unwrap_or_default(),
                    Cell::Int(v) => v.map(|v| v.to_string()).unwrap_or_default(),
                })
                .collect();
            w.write_record(&rec).map_err(cerr)?;
            n += 1;
            Ok(())
        };
        fill(&mut sink)?;
        let buf = w.into_inner().map_err(|e| Error::io(path, std::io::Error::other(e.to_string())))?;
        buf.into_inner().map_err(|e| Error::io(path, e.into_error()))?.sync_all().map_err(|e| Error::io(&tmp, e))?;
        Ok(n)
    })();
    match res {
        Ok(n) => {
            commit_file(&tmp, path)?;
            Ok(n)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// A CSV cell that a spreadsheet program would run as a formula gets a leading apostrophe.
/// Long digit strings (codes, phones) get one too, so that they stay text.
pub fn guard_csv(s: &str) -> String {
    if is_formula_like(s) || (s.len() >= 11 && s.chars().all(|c| c.is_ascii_digit())) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// Excel's limits, to refuse a sheet that claims more (and never to write one).
pub const MAX_EXCEL_ROWS: u32 = 1_048_576;
pub const MAX_EXCEL_COLS: u32 = 16_384;
