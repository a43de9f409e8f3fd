//! Reading what parks send: xlsx (streamed cell by cell), xls and ods (calamine), csv (UTF-8 with or
//! without BOM, GBK / GB18030 detected). Everything hostile is refused here, before anything large
//! is allocated: file size, zip bombs, DTDs in sheet XML, lying dimensions, too many cells.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use calamine::{Data, DataRef, Dimensions, Reader, Xls, Xlsx};
use chrono::NaiveDate;

pub use super::limits::*;
use super::normalize::shows_wan;
use crate::error::{Error, Result};

/// A cell as the import sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    Date(NaiveDate),
    /// A spreadsheet error value (#N/A, #DIV/0!...), kept as its text.
    Error(String),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => crate::text::is_blank(s),
            _ => false,
        }
    }
    /// The text a person would see in the cell (for error messages and the preview).
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(v) => crate::import::normalize::float_text(*v),
            Cell::Bool(b) => {
                if *b {
                    "TRUE".into()
                } else {
                    "FALSE".into()
                }
            }
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
            Cell::Error(e) => e.clone(),
        }
    }
}

/// A formula cell saved without its result, as the error value a spreadsheet would show until
/// it calculates: "=G2*2".
pub const UNCALCULATED_PREFIX: char = '=';

fn uncalculated(f: &calamine::XlsxFormulaMetadata) -> Cell {
    let text = match f {
        calamine::XlsxFormulaMetadata::Normal { formula } | calamine::XlsxFormulaMetadata::Shared { formula, .. } => formula.chars().take(200).collect(),
        _ => "…".to_string(),
    };
    Cell::Error(format!("{UNCALCULATED_PREFIX}{text}"))
}

fn from_data_ref(d: &DataRef<'_>) -> Cell {
    match d {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) => Cell::Text(s.clone()),
        DataRef::SharedString(s) => Cell::Text((*s).to_string()),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(dt) => match dt.as_datetime() {
            Some(t) if dt.is_datetime() => Cell::Date(t.date()),
            _ => Cell::Number(dt.as_f64()),
        },
        DataRef::DateTimeIso(s) => match crate::model::date::parse_date_text(s) {
            Some(d) => Cell::Date(d),
            None => Cell::Text(s.clone()),
        },
        DataRef::DurationIso(s) => Cell::Text(s.clone()),
        DataRef::Error(e) => Cell::Error(format!("{e}")),
    }
}

fn from_data(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Float(f) => Cell::Number(*f),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) if dt.is_datetime() => Cell::Date(t.date()),
            _ => Cell::Number(dt.as_f64()),
        },
        Data::DateTimeIso(s) => match crate::model::date::parse_date_text(s) {
            Some(d) => Cell::Date(d),
            None => Cell::Text(s.clone()),
        },
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(format!("{e}")),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Xls,
    Ods,
    Csv,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::Csv => "csv",
        }
    }
}

/// Decide the format from the bytes (an extension can lie), checking the size limit first.
pub fn sniff(path: &Path) -> Result<Format> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    let name = file_name(path);
    if meta.len() > MAX_FILE_BYTES {
        return Err(refuse(
            "file_too_large",
            format!("文件“{name}”有 {:.1} MB，超过 50 MB 的上限。请拆分后分别导入。", meta.len() as f64 / 1048576.0),
            format!("“{name}” is {:.1} MB, over the 50 MB limit. Split it and import the parts.", meta.len() as f64 / 1048576.0),
            path,
        ));
    }
    if meta.len() == 0 {
        return Err(refuse("file_empty", format!("文件“{name}”是空的。"), format!("“{name}” is empty."), path));
    }
    let mut head = [0u8; 8];
    let n = File::open(path).and_then(|mut f| f.read(&mut head)).map_err(|e| Error::io(path, e))?;
    let head = &head[..n];
    let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    if head.starts_with(b"PK\x03\x04") {
        return Ok(if ext == "ods" || zip_has(path, "content.xml")? { Format::Ods } else { Format::Xlsx });
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Ok(Format::Xls);
    }
    if head.starts_with(b"PK") {
        return Err(not_readable(path, "damaged zip"));
    }
    // Anything else must be text to be a CSV.
    if ["xlsx", "xls", "ods", "xlsm"].contains(&ext.as_str()) {
        return Err(refuse(
            "not_a_spreadsheet",
            format!("文件“{name}”的扩展名是 .{ext}，但内容不是电子表格（可能是改了扩展名的其他文件，或文件已损坏）。请用 Excel 或 WPS 打开确认后另存为 .xlsx 再导入。"),
            format!("“{name}” is named .{ext} but is not a spreadsheet (renamed or damaged). Open it in Excel or WPS, save as .xlsx and import again."),
            path,
        ));
    }
    Ok(Format::Csv)
}

fn zip_has(path: &Path, entry: &str) -> Result<bool> {
    let f = File::open(path).map_err(|e| Error::io(path, e))?;
    match zip::ZipArchive::new(BufReader::new(f)) {
        Ok(z) => Ok(z.file_names().any(|n| n.is_ok_and(|n| n == entry))),
        Err(_) => Err(not_readable(path, "damaged zip")),
    }
}

/// Zip-level checks for xlsx / ods: declared sizes and ratios, and no DTD in any XML part.
fn check_zip(path: &Path) -> Result<()> {
    let name = file_name(path);
    let f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut z = zip::ZipArchive::new(BufReader::new(f)).map_err(|e| not_readable(path, &e.to_string()))?;
    let mut total: u64 = 0;
    for i in 0..z.len() {
        let (size, compressed, xml, entry) = {
            let e = z.by_index_raw(i).map_err(|e| not_readable(path, &e.to_string()))?;
            let n = e.name().map(|n| n.to_string()).unwrap_or_default();
            (e.size(), e.compressed_size(), n.ends_with(".xml") || n.ends_with(".rels"), n)
        };
        total = total.saturating_add(size);
        let ratio = size.checked_div(compressed).unwrap_or(if size == 0 { 0 } else { u64::MAX });
        if total > MAX_UNCOMPRESSED || (size > 1024 * 1024 && ratio > MAX_RATIO) {
            return Err(refuse(
                "zip_bomb",
                format!("文件“{name}”解压后过大（{entry} 声明 {} MB，压缩比 {}），可能是恶意文件，已拒绝。", size / 1048576, ratio.min(99999)),
                format!("“{name}” would unpack to too much ({entry}: {} MB, ratio {}): refused as hostile.", size / 1048576, ratio.min(99999)),
                path,
            ));
        }
        if xml {
            // A DTD has no business in a spreadsheet: entity expansion (billion laughs) and external
            // entities start there. It can only stand in the prolog, before the root element, and
            // comments can push it past any fixed-size look at the start: scan the whole prolog.
            let mut e = z.by_index(i).map_err(|e| not_readable(path, &e.to_string()))?;
            let dtd = prolog_has_dtd(&mut e).map_err(|err| not_readable(path, &err.to_string()))?;
            if dtd {
                return Err(refuse(
                    "hostile_xml",
                    format!("文件“{name}”的 {entry} 含有 DTD/实体定义，正常的电子表格不会有，已拒绝。"),
                    format!("“{name}”: {entry} contains a DTD or entity declarations, which no normal spreadsheet has; refused."),
                    path,
                ));
            }
        }
    }
    Ok(())
}

/// Read an XML part's prolog (declaration, comments, processing instructions, white space) up to
/// its root element with quick-xml. True when it holds a DTD (`<!DOCTYPE`: entity expansion and
/// external entities start there) or when the prolog runs past 1 MB without reaching an element
/// (no spreadsheet does that). XML quick-xml cannot read is left to the sheet parser to refuse.
fn prolog_has_dtd(r: &mut impl Read) -> std::io::Result<bool> {
    use quick_xml::events::Event;
    const MAX: u64 = 1 << 20;
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(r.take(MAX + 1)));
    let mut buf = Vec::new();
    loop {
        let event = reader.read_event_into(&mut buf);
        let past = reader.buffer_position() > MAX;
        match event {
            Ok(Event::DocType(_)) => return Ok(true),
            Ok(Event::Start(_) | Event::Empty(_)) => return Ok(false),
            Ok(Event::Eof) | Err(_) => return Ok(past),
            Ok(_) if past => return Ok(true),
            Ok(_) => buf.clear(),
        }
    }
}

/// A password-protected xlsx/docx is an OLE compound file holding `EncryptedPackage` and
/// `EncryptionInfo` streams (not a workbook stream): calamine calls it unreadable, the user needs
/// to hear "password".
fn ole_is_encrypted_package(path: &Path) -> bool {
    let Ok(bytes) = std::fs::read(path) else { return false };
    let name: Vec<u8> = "EncryptedPackage".encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    bytes.windows(name.len()).any(|w| w == name.as_slice())
}

fn check_dimensions(path: &Path, d: &Dimensions) -> Result<()> {
    use crate::import::normalize::{MAX_EXCEL_COLS, MAX_EXCEL_ROWS};
    if d.end.0 >= MAX_EXCEL_ROWS || d.end.1 >= MAX_EXCEL_COLS {
        return Err(too_many_cells(path, format!("表格范围声明到第 {} 行、第 {} 列", d.end.0 + 1, d.end.1 + 1)));
    }
    Ok(())
}

/// A workbook opened for import.
pub struct Book {
    pub path: std::path::PathBuf,
    pub format: Format,
    pub encoding: Option<&'static str>,
    inner: Inner,
    /// Columns whose merged cells keep their value on the first row only (see [`Book::merged_once`]).
    once: Vec<u32>,
    /// Amount columns whose header states no unit: a number formatted as 万 is read in 万 (see
    /// [`Book::amounts_in`]).
    amounts: Vec<u32>,
}

enum Inner {
    Xlsx(Box<Xlsx<BufReader<File>>>),
    /// An .xls or .ods workbook: calamine builds these whole when it opens them. Their sheets are
    /// taken out once and the workbook is dropped, so a sheet is not held twice (calamine copies a
    /// sheet each time it is asked for it).
    Whole(Box<Whole>),
    Csv(String),
}

pub fn open(path: &Path) -> Result<Book> {
    let format = sniff(path)?;
    let cal_err = |e: calamine::Error| -> Error {
        let s = e.to_string();
        let ole_encrypted = matches!(format, Format::Xls) && ole_is_encrypted_package(path);
        if ole_encrypted || s.to_lowercase().contains("password") || s.to_lowercase().contains("encrypt") {
            refuse(
                "file_encrypted",
                format!("文件“{}”设置了密码保护，无法读取。请让园区取消密码后重新发送。", file_name(path)),
                format!("“{}” is password-protected. Ask the park to remove the password.", file_name(path)),
                path,
            )
        } else {
            not_readable(path, &s)
        }
    };
    let inner = match format {
        Format::Xlsx => {
            check_zip(path)?;
            let f = File::open(path).map_err(|e| Error::io(path, e))?;
            Inner::Xlsx(Box::new(Xlsx::new(BufReader::new(f)).map_err(|e| cal_err(calamine::Error::Xlsx(e)))?))
        }
        Format::Ods => {
            check_zip(path)?;
            // calamine builds every sheet whole when it opens the file: what it would build is
            // counted first.
            let scan = super::ods::scan(path)?;
            let f = File::open(path).map_err(|e| Error::io(path, e))?;
            let mut ods = calamine::Ods::new(BufReader::new(f)).map_err(|e| cal_err(calamine::Error::Ods(e)))?;
            Inner::Whole(Box::new(Whole::take(&mut ods, scan.merges, scan.wan)))
        }
        Format::Xls => {
            // calamine reads every sheet whole when it opens the file: what it would build is
            // counted first.
            let wan = super::xls::check(path, MERGE_SCAN_MAX_ROWS)?;
            let f = File::open(path).map_err(|e| Error::io(path, e))?;
            let mut xls = Xls::new(BufReader::new(f)).map_err(|e| cal_err(calamine::Error::Xls(e)))?;
            let merges = xls
                .sheet_names()
                .into_iter()
                .map(|n| {
                    let m = xls.merge_cells_by_sheet_name(&n).unwrap_or_default();
                    (n, m)
                })
                .collect();
            Inner::Whole(Box::new(Whole::take(&mut xls, merges, wan)))
        }
        Format::Csv => {
            let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
            // Plain UTF-8 (the common case) becomes the text without a copy.
            let (text, enc) = if let Some(enc) = utf16_without_bom(&bytes) {
                // Text saved as "Unicode" without its mark: a zero byte beside every ASCII one.
                let (t, _) = enc.decode_without_bom_handling(&bytes);
                (t.into_owned(), enc.name())
            } else {
                match String::from_utf8(bytes) {
                    Ok(s) if !s.starts_with('\u{feff}') => (s, "utf-8"),
                    Ok(s) => decode_text(s.as_bytes()),
                    Err(e) => {
                        // UTF-8 but for a byte or two (a file cut off mid-character, a stray byte):
                        // guessing another encoding would turn all of it into mojibake, and a
                        // replacement character would slip into a name. Say where it is.
                        if let Some(at) = utf8_damage(e.as_bytes()) {
                            return Err(bad_bytes(path, e.as_bytes(), at, "UTF-8"));
                        }
                        decode_text(e.as_bytes())
                    }
                }
            };
            // A GBK file with a damaged byte: the decoder put a replacement character there. A
            // name must not be stored with it: say which line (UTF-8 damage is caught above).
            if enc != "utf-8" {
                if let Some(at) = text.find('\u{FFFD}') {
                    return Err(bad_bytes(path, text.as_bytes(), at, &enc.to_uppercase()));
                }
            }
            check_csv_records(&text, guess_delimiter(&text), path)?;
            if text.contains('\0') && text.chars().filter(|c| *c == '\0').count() > text.len() / 100 + 1 {
                return Err(refuse(
                    "not_a_spreadsheet",
                    format!("文件“{}”不是文本表格（含大量二进制内容）。请导出为 .xlsx 或 .csv 后再导入。", file_name(path)),
                    format!("“{}” is not a text table (binary content). Export it as .xlsx or .csv.", file_name(path)),
                    path,
                ));
            }
            return Ok(Book { path: path.to_path_buf(), format, encoding: Some(enc), inner: Inner::Csv(text), once: vec![], amounts: vec![] });
        }
    };
    Ok(Book { path: path.to_path_buf(), format, encoding: None, inner, once: vec![], amounts: vec![] })
}

/// Where UTF-8 text goes wrong, when it is UTF-8 text: a file with a UTF-8 BOM, or one whose
/// multi-byte characters are nearly all valid UTF-8 (GBK text decoded as UTF-8 is invalid almost
/// everywhere). None for valid UTF-8 and for text in another encoding.
pub fn utf8_damage(bytes: &[u8]) -> Option<usize> {
    let bom = bytes.starts_with(b"\xEF\xBB\xBF");
    let (mut multi, mut bad, mut first) = (0usize, 0usize, None);
    let mut at = 0usize;
    while at < bytes.len() {
        match std::str::from_utf8(&bytes[at..]) {
            Ok(_) => {
                multi += bytes[at..].iter().filter(|b| **b >= 0xC0).count();
                break;
            }
            Err(e) => {
                let good = e.valid_up_to();
                multi += bytes[at..at + good].iter().filter(|b| **b >= 0xC0).count();
                first.get_or_insert(at + good);
                bad += 1;
                if bad > 16 && !bom {
                    return None;
                }
                match e.error_len() {
                    Some(n) => at += good + n,
                    None => break,
                }
            }
        }
    }
    let first = first?;
    (bom || multi >= 20 * bad).then_some(first)
}

/// The line ends in `bytes[from..to]`: LF, CRLF or a lone CR (old Mac files; the csv reader ends
/// records there too), each counted once — a CRLF by its CR, even when `from` falls between them.
fn line_ends(bytes: &[u8], from: usize, to: usize) -> usize {
    (from..to).filter(|&i| bytes[i] == b'\r' || (bytes[i] == b'\n' && (i == 0 || bytes[i - 1] != b'\r'))).count()
}

/// Text in `encoding` that is not valid at `at` (a byte offset of `bytes`: the file's, or the
/// decoded text's where the decoder put a replacement character).
fn bad_bytes(path: &Path, bytes: &[u8], at: usize, encoding: &str) -> Error {
    let line = line_ends(bytes, 0, at) + 1;
    let name = file_name(path);
    refuse(
        "bad_encoding",
        format!("文件“{name}”第 {line} 行有无法识别的字节（文件是 {encoding} 编码，但这里不是有效的文字，可能文件不完整或被改动过）。请让园区用 Excel/WPS 重新“另存为 CSV UTF-8”后发送。"),
        format!("“{name}”, line {line}: bytes that are not valid {encoding} text (cut off or altered?). Ask the park to save it again as CSV UTF-8."),
        path,
    )
    .with_details(serde_json::json!({"file": path.display().to_string(), "line": line, "encoding": encoding}))
}

/// UTF-16 text without a byte-order mark (some programs' "Unicode text"): in its first 4 KB,
/// nearly every second byte is zero (the high byte of ASCII characters: digits, commas, line
/// ends). None for anything else.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    if encoding_rs::Encoding::for_bom(bytes).is_some() {
        return None;
    }
    let head = &bytes[..bytes.len().min(4096) & !1];
    if head.len() < 8 {
        return None;
    }
    let pairs = head.len() / 2;
    let zero_at = |odd: usize| head.chunks_exact(2).filter(|p| p[odd] == 0 && p[1 - odd] != 0).count();
    let (even, odd) = (zero_at(0), zero_at(1));
    // Its digits, commas and line ends have a zero high byte: a third of the pairs is plenty. A
    // few Chinese characters (一 U+4E00) have a zero low byte: the other side has far fewer.
    if odd * 3 >= pairs && even * 8 <= odd {
        Some(encoding_rs::UTF_16LE)
    } else if even * 3 >= pairs && odd * 8 <= even {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// BOM first, then valid UTF-8, then a detector (GBK / GB18030 in practice).
pub fn decode_text(bytes: &[u8]) -> (String, &'static str) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return (String::from_utf8_lossy(rest).into_owned(), "utf-8");
    }
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (t, _, _) = enc.decode(&bytes[bom_len..]);
        return (t.into_owned(), enc.name());
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return (s.to_string(), "utf-8");
    }
    // The detector is the slowest step of reading a large GBK file: give it the start (from the
    // first non-ASCII byte on, 256 KB is plenty), not all of it.
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    let mut fed = 0usize;
    let mut since_non_ascii = 0usize;
    for chunk in bytes.chunks(64 * 1024) {
        fed += chunk.len();
        let last = fed == bytes.len();
        if det.feed(chunk, last) {
            since_non_ascii += chunk.len();
        }
        if last || since_non_ascii >= 256 * 1024 {
            break;
        }
    }
    let mut enc = det.guess(Some(b"cn"), chardetng::Utf8Detection::Allow);
    // GBK files are decoded as GB18030 (a superset): no character of a GBK file is lost.
    if enc == encoding_rs::GBK {
        enc = encoding_rs::GB18030;
    }
    let (t, _, _) = enc.decode(bytes);
    // The decoder reserves for the worst case (2.4 times the text of a 16 MB GBK file): give
    // back what the text does not use.
    let mut t = t.into_owned();
    t.shrink_to_fit();
    (t, if enc == encoding_rs::GB18030 { "gbk" } else { enc.name() })
}

/// The sheets of a workbook calamine reads whole, taken out of it (see [`Inner::Whole`]).
struct Whole {
    /// In workbook order; a sheet calamine could not build keeps its reason.
    sheets: Vec<(String, std::result::Result<calamine::Range<Data>, String>)>,
    meta: Vec<calamine::Sheet>,
    /// Merged regions of each sheet.
    merges: HashMap<String, Vec<Dimensions>>,
    /// Number cells of each sheet shown in 万 (a format `0"万元"`, or an .ods cell whose shown
    /// text is its value with 万): read in 万 in an amount column whose header has no unit.
    wan: HashMap<String, HashSet<(u32, u32)>>,
}

impl Whole {
    fn take<R: Reader<BufReader<File>>>(book: &mut R, merges: HashMap<String, Vec<Dimensions>>, wan: HashMap<String, HashSet<(u32, u32)>>) -> Whole
    where
        R::Error: std::fmt::Display,
    {
        let meta = book.sheets_metadata().to_vec();
        let sheets = meta.iter().map(|m| (m.name.clone(), book.worksheet_range(&m.name).map_err(|e| e.to_string()))).collect();
        Whole { sheets, meta, merges, wan }
    }
    fn sheet(&self, name: &str) -> Option<&std::result::Result<calamine::Range<Data>, String>> {
        self.sheets.iter().find(|s| s.0 == name).map(|s| &s.1)
    }
}

impl Book {
    pub fn sheet_names(&self) -> Vec<String> {
        match &self.inner {
            Inner::Xlsx(x) => x.sheet_names(),
            Inner::Whole(w) => w.sheets.iter().map(|s| s.0.clone()).collect(),
            Inner::Csv(_) => vec![file_name(&self.path)],
        }
    }

    /// The sheets the workbook hides (a park's old data, lookup lists).
    pub fn hidden_sheets(&self) -> Vec<String> {
        let meta = match &self.inner {
            Inner::Xlsx(x) => x.sheets_metadata(),
            Inner::Whole(w) => &w.meta[..],
            Inner::Csv(_) => return vec![],
        };
        meta.iter().filter(|m| m.visible != calamine::SheetVisible::Visible).map(|m| m.name.clone()).collect()
    }

    /// Amounts that add up (an application's 申请补贴金额) merged over several rows belong to the
    /// first row only: carried down, one enterprise's two leases would ask twice.
    pub fn merged_once(&mut self, columns: Vec<u32>) {
        self.once = columns;
    }

    /// Amount columns (a rent per ㎡ excepted). A park may put the unit in the cells' number format
    /// (500 shown as “500万元” by `0"万元"`): such a number is read as the text the sheet shows, so
    /// that its 万 counts — over a header that says 元 too, as a cell typed “500万元” is. (A format
    /// that only shows 元 in 万, `0!.0000"万"`, leaves the value as stored: it is in 元.)
    pub fn amounts_in(&mut self, columns: Vec<u32>) {
        self.amounts = columns;
    }

    /// Visit the rows of a sheet in order: `f(row_number_1_based, cells)`. Return false to stop.
    /// Merged regions (xlsx, xls) give their value to every cell they cover. `f` may keep the
    /// cells (`std::mem::take`): the next row is built afresh, so a row is never copied.
    pub fn for_each_row(&mut self, sheet: &str, f: impl FnMut(u32, &mut Vec<Cell>) -> Result<bool>) -> Result<()> {
        self.rows(sheet, true, f)
    }

    /// About how many rows the sheet has, without reading it: the declared dimension of an xlsx
    /// sheet (it may lie: use it for planning only), the line count of a CSV; 0 when unknown.
    pub fn estimated_rows(&mut self, sheet: &str) -> u64 {
        match &mut self.inner {
            Inner::Xlsx(x) => {
                x.worksheet_cells_reader(sheet).map(|r| r.dimensions()).map(|d| (d.end.0 as u64 + 1).saturating_sub(d.start.0 as u64)).unwrap_or(0)
            }
            Inner::Csv(text) => text.as_bytes().iter().filter(|b| **b == b'\n').count() as u64,
            Inner::Whole(w) => w.sheet(sheet).and_then(|r| r.as_ref().ok()).map(|r| r.height() as u64).unwrap_or(0),
        }
    }

    /// A sheet that declares more than the cell limit is counted before it is read (the rows'
    /// report grows with the rows read): refused at once if it holds that many, read as usual if
    /// the dimension only lied (A1:XFD1048576 around three cells). The count streams: nothing is
    /// built. Only xlsx declares without building; CSV and the whole formats are counted at open.
    pub fn check_declared_cells(&mut self, sheet: &str) -> Result<()> {
        let path = self.path.clone();
        let Inner::Xlsx(x) = &mut self.inner else { return Ok(()) };
        let mut reader = x.worksheet_cells_reader(sheet).map_err(|e| not_readable(&path, &e.to_string()))?;
        let d = reader.dimensions();
        let declared =
            (u64::from(d.end.0) + 1).saturating_sub(u64::from(d.start.0)).saturating_mul((u64::from(d.end.1) + 1).saturating_sub(u64::from(d.start.1)));
        if declared <= MAX_CELLS {
            return Ok(());
        }
        let mut cells = 0u64;
        while reader.next_cell().map_err(|e| not_readable(&path, &e.to_string()))?.is_some() {
            cells += 1;
            if cells > MAX_CELLS {
                return Err(too_many_cells(&path, "超过 500 万个单元格".into()));
            }
        }
        Ok(())
    }

    /// The first rows only (finding the header): merged regions are not needed there.
    pub fn head_rows(&mut self, sheet: &str, f: impl FnMut(u32, &mut Vec<Cell>) -> Result<bool>) -> Result<()> {
        self.rows(sheet, false, f)
    }

    fn rows(&mut self, sheet: &str, with_merges: bool, mut f: impl FnMut(u32, &mut Vec<Cell>) -> Result<bool>) -> Result<()> {
        let path = self.path.clone();
        let once = self.once.clone();
        let fill = |m: &[Dimensions]| -> Vec<Dimensions> { m.iter().filter(|d| !once.contains(&d.start.1)).cloned().collect() };
        match &mut self.inner {
            Inner::Xlsx(x) => {
                // Merged regions sit at the end of the sheet's XML: finding them costs a full
                // extra pass. Tables parks fill by hand (where vertical merges occur) are small;
                // a large machine-made table has none worth the pass.
                let dims = x.worksheet_cells_reader(sheet).map_err(|e| not_readable(&path, &e.to_string()))?.dimensions();
                check_dimensions(&path, &dims)?;
                let merges = if with_merges && dims.end.0 < MERGE_SCAN_MAX_ROWS { x.merge_cells_by_sheet_name(sheet).unwrap_or_default() } else { Vec::new() };
                // Number formats: one more pass, for a park's small table with amount columns.
                let styles = if with_merges && !self.amounts.is_empty() && dims.end.0 < MERGE_SCAN_MAX_ROWS { x.worksheet_style(sheet).ok() } else { None };
                let amounts = &self.amounts;
                let mut reader = x.worksheet_cells_reader(sheet).map_err(|e| not_readable(&path, &e.to_string()))?;
                let mut merge = MergeFill::new(&fill(&merges));
                let mut row: Vec<Cell> = Vec::new();
                let mut current: Option<u32> = None;
                let mut cells: u64 = 0;
                let mut text_bytes: u64 = 0;
                loop {
                    // With the formula beside the value: a formula saved without its result
                    // (files written by programs that do not calculate) is not a blank cell.
                    let next = reader.next_cell_with_formula_metadata().map_err(|e| not_readable(&path, &e.to_string()))?;
                    let Some(c) = next else { break };
                    let (r, col) = c.pos;
                    if col >= crate::import::normalize::MAX_EXCEL_COLS || r >= crate::import::normalize::MAX_EXCEL_ROWS {
                        return Err(too_many_cells(&path, format!("单元格位于第 {} 行第 {} 列", r + 1, col + 1)));
                    }
                    cells += 1;
                    if cells > MAX_CELLS {
                        return Err(too_many_cells(&path, "超过 500 万个单元格".into()));
                    }
                    if current != Some(r) {
                        if let Some(prev) = current {
                            merge.apply(prev, &mut row);
                            if !f(prev + 1, &mut row)? {
                                return Ok(());
                            }
                            // Rows with no cell at all between prev and r: blank rows.
                            for blank in prev + 1..r {
                                row.clear();
                                merge.apply(blank, &mut row);
                                if !f(blank + 1, &mut row)? {
                                    return Ok(());
                                }
                            }
                        }
                        row.clear();
                        current = Some(r);
                    }
                    let col = col as usize;
                    if col > 512 && c.value == DataRef::Empty {
                        continue;
                    }
                    if row.len() <= col {
                        if col > 4096 {
                            continue; // far-right styling debris; a park table is narrow
                        }
                        row.resize(col + 1, Cell::Empty);
                    }
                    let mut v = match (&c.value, &c.formula) {
                        (DataRef::Empty, Some(f)) => uncalculated(f),
                        (v, _) => limit_text(from_data_ref(v)),
                    };
                    if let (Cell::Number(n), Some(st)) = (&v, &styles) {
                        if amounts.contains(&(col as u32))
                            && st.get((r, col as u32)).and_then(|s| s.number_format.as_ref()).is_some_and(|f| shows_wan(&f.format_code))
                        {
                            v = Cell::Text(format!("{}万", crate::import::normalize::float_text(*n)));
                        }
                    }
                    // A shared string is stored once but copied into every cell that uses it.
                    if let Cell::Text(t) = &v {
                        text_bytes += t.len() as u64;
                        if text_bytes > MAX_TEXT_BYTES {
                            return Err(too_much_text(&path, text_bytes));
                        }
                    }
                    row[col] = v;
                }
                if let Some(prev) = current {
                    merge.apply(prev, &mut row);
                    f(prev + 1, &mut row)?;
                }
                Ok(())
            }
            Inner::Whole(w) => {
                let range = match w.sheet(sheet) {
                    Some(Ok(r)) => r,
                    Some(Err(why)) => return Err(not_readable(&path, why)),
                    None => return Err(not_readable(&path, &format!("worksheet {sheet} not found"))),
                };
                let merges = if with_merges { fill(w.merges.get(sheet).map(Vec::as_slice).unwrap_or(&[])) } else { vec![] };
                // As for xlsx: a sheet ending past the first rows is not looked at (all or none).
                let small = range.end().is_some_and(|e| e.0 < MERGE_SCAN_MAX_ROWS);
                let wan = w.wan.get(sheet).filter(|_| with_merges && small && !self.amounts.is_empty());
                let amounts = &self.amounts;
                let in_wan = |r: u32, c: u32| wan.is_some_and(|w| amounts.contains(&c) && w.contains(&(r, c)));
                Self::range_rows(&path, range, &merges, in_wan, f)
            }
            Inner::Csv(text) => {
                let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
                let delim_guess = guess_delimiter(text);
                if delim_guess != b',' {
                    rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delim_guess).from_reader(text.as_bytes());
                }
                let mut rec = csv::StringRecord::new();
                let mut cells: u64 = 0;
                let mut row: Vec<Cell> = Vec::new();
                // Row numbers are record numbers, as a spreadsheet program opening the file
                // shows them: a blank line is a (blank) row, a quoted field running over several
                // lines is still one row. The reader skips blank lines without a word: they are
                // counted here, between the end of one record and the start of the next.
                let bytes = text.as_bytes();
                let mut prev_end = 0usize;
                let mut line = 0u64;
                loop {
                    match rdr.read_record(&mut rec) {
                        Ok(false) => break,
                        Ok(true) => {}
                        Err(e) => {
                            let line = line + 1;
                            return Err(refuse(
                                "file_unreadable",
                                format!("CSV 文件第 {line} 行附近无法解析（{e}）。请检查引号是否成对。"),
                                format!("CSV near row {line} cannot be parsed ({e}). Check the quotes."),
                                &path,
                            ));
                        }
                    }
                    let mut start = rec.position().map(|p| p.byte() as usize).unwrap_or(prev_end).min(bytes.len());
                    while start < bytes.len() && (bytes[start] == b'\n' || bytes[start] == b'\r') {
                        start += 1;
                    }
                    let from = prev_end.min(start);
                    // (also when the record before ended between the CR and the LF of a CRLF)
                    let blanks = line_ends(bytes, from, start) as u64;
                    // The line end of the record before is in the gap too, unless the reader
                    // took it with the record.
                    let own_end_taken = from > 0 && matches!(bytes[from - 1], b'\n' | b'\r');
                    let blanks = if line == 0 || own_end_taken { blanks } else { blanks.saturating_sub(1) };
                    for _ in 0..blanks {
                        line += 1;
                        if !f(line as u32, &mut Vec::new())? {
                            return Ok(());
                        }
                    }
                    line += 1;
                    prev_end = rdr.position().byte() as usize;
                    cells += rec.len() as u64;
                    if cells > MAX_CELLS || rec.len() as u32 > crate::import::normalize::MAX_EXCEL_COLS {
                        return Err(too_many_cells(&path, format!("第 {line} 行之前已超过 500 万个单元格")));
                    }
                    // A quote left open and closed lines later: whole records fell into one cell
                    // (a later line of it holds a USCC among its delimited cells).
                    if rec.iter().any(|f| f.contains('\n') && swallows_record(f, delim_guess)) {
                        let name = file_name(&path);
                        return Err(refuse(
                            "file_unreadable",
                            format!("文件“{name}”第 {line} 行有一个引号没有在本格结束：后面几行整行（含统一社会信用代码）被并进了同一个格子。请在表格软件中检查这一行的引号（或让园区重新导出）后再导入。"),
                            format!("“{name}”, line {line}: a quote is not closed in its cell, so the next records fell into one cell. Check the quotes on that line, or ask the park to export again."),
                            &path,
                        )
                        .with_details(serde_json::json!({"file": path.display().to_string(), "line": line})));
                    }
                    row.clear();
                    for field in rec.iter() {
                        // A line break inside a quoted field is one break, as in a spreadsheet cell.
                        let text = if field.contains('\r') { field.replace("\r\n", "\n").replace('\r', "\n") } else { field.to_string() };
                        row.push(limit_text(if field.is_empty() { Cell::Empty } else { Cell::Text(text) }));
                    }
                    if !f(line as u32, &mut row)? {
                        return Ok(());
                    }
                }
                Ok(())
            }
        }
    }

    /// `in_wan(row, column)`: a number there is in 万 (see [`Whole::wan`]).
    fn range_rows(
        path: &Path,
        range: &calamine::Range<Data>,
        merges: &[Dimensions],
        in_wan: impl Fn(u32, u32) -> bool,
        mut f: impl FnMut(u32, &mut Vec<Cell>) -> Result<bool>,
    ) -> Result<()> {
        let (h, w) = range.get_size();
        if (h as u64).saturating_mul(w as u64) > MAX_CELLS {
            return Err(too_many_cells(path, format!("{h} 行 × {w} 列")));
        }
        let Some(start) = range.start() else { return Ok(()) };
        if let Some(end) = range.end() {
            check_dimensions(path, &Dimensions::new(start, end))?;
        }
        let mut merge = MergeFill::new(merges);
        // Rows above the range are blank.
        for r in 0..start.0 {
            if !f(r + 1, &mut Vec::new())? {
                return Ok(());
            }
        }
        let mut row: Vec<Cell> = Vec::with_capacity(w + start.1 as usize);
        for (i, cells) in range.rows().enumerate() {
            let r = start.0 + i as u32;
            row.clear();
            row.resize(start.1 as usize, Cell::Empty);
            row.extend(cells.iter().enumerate().map(|(j, c)| match limit_text(from_data(c)) {
                Cell::Number(n) if in_wan(r, start.1 + j as u32) => Cell::Text(format!("{}万", crate::import::normalize::float_text(n))),
                other => other,
            }));
            merge.apply(r, &mut row);
            if !f(r + 1, &mut row)? {
                return Ok(());
            }
        }
        Ok(())
    }
}

/// A cell running over lines, one of which is a record of its own: cells split by the
/// delimiter, one of them a valid USCC (a note rarely holds a code as a cell of its own).
fn swallows_record(field: &str, delimiter: u8) -> bool {
    field
        .lines()
        .skip(1)
        .any(|l| l.bytes().filter(|b| *b == delimiter).count() >= 2 && l.split(delimiter as char).any(|c| crate::uscc::parse(c.trim()).is_ok()))
}

fn check_csv_records(text: &str, delimiter: u8, path: &Path) -> Result<()> {
    let max_fields = crate::import::normalize::MAX_EXCEL_COLS as usize;
    let (mut quoted, mut fields, mut start, mut line) = (false, 1usize, 0usize, 1u64);
    // All the file's cells, counted before any row is read (the rows' report grows with them).
    let mut cells = 0u64;
    // Where the quote that is open began.
    let mut quote_line = 0u64;
    // As the csv reader does: a quote opens a quoted field only at the field's start (a stray
    // quote inside `5"号楼` is a character), and `""` inside a quoted field is one quote.
    let mut at_field_start = true;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        let was_start = at_field_start;
        at_field_start = false;
        if b == b'"' {
            if quoted || was_start {
                quoted = !quoted;
                if quoted {
                    quote_line = line;
                }
            }
        } else if !quoted && b == delimiter {
            at_field_start = true;
            fields += 1;
            if fields > max_fields {
                return Err(too_many_cells(path, format!("第 {line} 行超过 {max_fields} 列（Excel 的列数上限）")));
            }
        } else if b == b'\n' || b == b'\r' {
            // A CRLF ends one line (counted at its LF).
            let line_end = b == b'\n' || text.as_bytes().get(i + 1) != Some(&b'\n');
            if !quoted && line_end {
                cells += fields as u64;
                if cells > MAX_CELLS {
                    return Err(too_many_cells(path, format!("第 {line} 行之前已超过 500 万个单元格")));
                }
                fields = 1;
                start = i + 1;
                at_field_start = true;
            }
            if b == b'\n' || text.as_bytes().get(i + 1) != Some(&b'\n') {
                line += 1;
            }
        }
        if i.saturating_sub(start) > MAX_RECORD_BYTES {
            return Err(too_many_cells(path, format!("第 {line} 行超过 {} MB", MAX_RECORD_BYTES >> 20)));
        }
    }
    // A quote opened and never closed: every line after it would be one cell.
    if quoted {
        let swallowed = line.saturating_sub(quote_line);
        let rest = if swallowed > 0 {
            format!("从这里到文件末尾的 {swallowed} 行会被并进同一个格子")
        } else {
            "文件在这个格子里结束（可能没有复制完整）".into()
        };
        return Err(refuse(
            "file_unreadable",
            format!("CSV 文件第 {quote_line} 行有一个引号没有成对：{rest}。请在表格软件中检查这一行的引号（或让园区重新导出）后再导入。"),
            format!("CSV line {quote_line} opens a quote that is never closed: the {swallowed} lines after it would fall into one cell. Check the quotes on that line, or ask the park to export again."),
            path,
        )
        .with_details(serde_json::json!({"file": path.display().to_string(), "line": quote_line})));
    }
    Ok(())
}

fn limit_text(c: Cell) -> Cell {
    match c {
        // A character is at least one byte: only a long text needs counting.
        Cell::Text(s) if s.len() > MAX_CELL_CHARS && s.chars().count() > MAX_CELL_CHARS => Cell::Text(s.chars().take(MAX_CELL_CHARS).collect()),
        other => other,
    }
}

/// The delimiter the table's lines agree on, over the first 20 non-blank lines: for each
/// candidate, how many lines share the same (non-zero) count of it outside quotes, then that
/// count. A title line above the header has none; a cell may hold a few (软件;人工智能) but not
/// the same number on every line. Ties go to the comma.
fn guess_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(20).collect();
    let outside_quotes = |l: &str, d: char| {
        let mut quoted = false;
        l.chars()
            .filter(|&c| {
                if c == '"' {
                    quoted = !quoted;
                }
                c == d && !quoted
            })
            .count()
    };
    let score = |d: char| -> (usize, usize) {
        let mut seen: HashMap<usize, usize> = HashMap::new();
        for l in &lines {
            let n = outside_quotes(l, d);
            if n > 0 {
                *seen.entry(n).or_default() += 1;
            }
        }
        seen.into_iter().map(|(n, lines)| (lines, n)).max().unwrap_or((0, 0))
    };
    let (commas, tabs, semis) = (score(','), score('\t'), score(';'));
    if tabs > commas && tabs >= semis {
        b'\t'
    } else if semis > commas {
        b';'
    } else {
        b','
    }
}

/// Fills the cells a merged region covers with the region's top-left value, row by row.
struct MergeFill {
    /// region → its top-left value once seen
    regions: Vec<Dimensions>,
    values: HashMap<usize, Cell>,
}

impl MergeFill {
    fn new(regions: &[Dimensions]) -> Self {
        // Each region is looked at for every row: a sheet with more than a park's table could
        // have keeps the first ones only.
        let regions = regions.iter().filter(|d| d.start.0 != d.end.0 || d.start.1 != d.end.1).take(MAX_MERGES).cloned().collect();
        MergeFill { regions, values: HashMap::new() }
    }
    fn apply(&mut self, r: u32, row: &mut Vec<Cell>) {
        for (i, d) in self.regions.iter().enumerate() {
            if r < d.start.0 || r > d.end.0 {
                continue;
            }
            // Only vertical merges inside the table body carry a value down (a park name merged
            // over several enterprises). Horizontal merges (titles) keep their single value.
            if d.start.0 == d.end.0 {
                continue;
            }
            let c0 = d.start.1 as usize;
            if r == d.start.0 {
                if let Some(v) = row.get(c0) {
                    self.values.insert(i, v.clone());
                }
            } else if let Some(v) = self.values.get(&i) {
                if row.len() <= c0 {
                    row.resize(c0 + 1, Cell::Empty);
                }
                if row[c0].is_empty() {
                    row[c0] = v.clone();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_dtd_anywhere_in_the_prolog_is_found() {
        let has = |x: &[u8]| super::prolog_has_dtd(&mut std::io::Cursor::new(x.to_vec())).unwrap();
        assert!(!has(br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet><sheetData/></worksheet>"#));
        assert!(!has(b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- a comment --><sst/>"));
        assert!(has(br#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><sst/>"#));
        assert!(has(b"\xEF\xBB\xBF<?xml version=\"1.0\"?><!DOCTYPE sst SYSTEM \"x.dtd\"><sst/>"));
        // Comments push it past any fixed look at the start; a DTD after an element is no prolog.
        let padded = format!("<?xml version=\"1.0\"?>{}<!DOCTYPE x [<!ENTITY a \"b\">]><r/>", "<!-- padding -->".repeat(4_000));
        assert!(has(padded.as_bytes()));
        assert!(!has(b"<r/><!DOCTYPE x>"));
        // A prolog of more than 1 MB is no spreadsheet's.
        let long = format!("<?xml version=\"1.0\"?><!--{}--><r/>", "x".repeat(1 << 20));
        assert!(has(long.as_bytes()));
        // What quick-xml cannot read is the sheet parser's to refuse.
        assert!(!has(b"not xml at all"));
    }

    use super::shows_wan;

    #[test]
    fn a_format_shows_wan_when_it_prints_the_number_as_stored_with_wan() {
        for code in ["0\"万元\"", "#,##0.00\"万\"", "0.00\\万", "#,##0\"万元\";-#,##0\"万元\""] {
            assert!(shows_wan(code), "{code}");
        }
        // Scaled for display (the value is in 元), or no 万 at all.
        for code in
            ["0!.0000\"万\"", "0\\!.0000\\万", "0\\.0000\"万元\"", "0\".\"0000\"万\"", "0.0,,\"万\"", "#,##0.00", "General", "0\"元\"", "yyyy\"年\"m\"月\""]
        {
            assert!(!shows_wan(code), "{code}");
        }
    }
}
