//! What an imported file may make us allocate, and the refusals when it asks for more: file size,
//! zip expansion, cells, text, merged regions, CSV records. The readers (`read`, `ods`, `xls`)
//! all count against these; a file over one is refused naming the file, before anything large
//! is allocated.

use std::path::Path;

use crate::error::Error;

/// The largest file read at all.
pub const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;
/// What the parts of an xlsx/ods zip may declare in all, uncompressed.
pub const MAX_UNCOMPRESSED: u64 = 500 * 1024 * 1024;
/// The most one zip part may expand (a zip bomb expands far more).
pub const MAX_RATIO: u64 = 100;
/// The most cells a sheet may declare.
pub const MAX_CELLS: u64 = 5_000_000;

/// One CSV field (or one text cell) larger than this is not a park's data.
pub const MAX_CELL_CHARS: usize = 32_767;

/// All the text of a sheet, as read (a cell that repeats a shared string counts each time).
pub const MAX_TEXT_BYTES: u64 = 128 * 1024 * 1024;

/// More merged regions than this in one sheet is not a park's table (and each one costs a look
/// per row): the rest are ignored.
pub const MAX_MERGES: usize = 10_000;

/// Sheets with more rows are read without looking for merged regions (see `rows`).
pub(crate) const MERGE_SCAN_MAX_ROWS: u32 = 20_000;

pub(crate) fn refuse(code: &'static str, zh: String, en: String, file: &Path) -> Error {
    Error::refused(code, zh, en).with_details(serde_json::json!({"file": file.display().to_string()}))
}

pub(crate) fn file_name(p: &Path) -> String {
    p.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_else(|| p.display().to_string())
}

pub fn not_readable(path: &Path, why: &str) -> Error {
    let name = file_name(path);
    refuse(
        "file_unreadable",
        format!("无法读取文件“{name}”：文件已损坏或不完整。请让园区重新导出后再发送。（技术信息，供技术支持参考：{why}）"),
        format!("“{name}” cannot be read: it is damaged or incomplete ({why}). Ask the park to export it again."),
        path,
    )
}

/// calamine builds .ods and .xls workbooks whole in memory, at about 56 bytes a cell (value and
/// formula) before any text: half the streamed formats' 5 million cells keeps that near 150 MB.
pub const MAX_WHOLE_CELLS: u64 = 2_500_000;

pub(crate) fn too_many_whole_cells(path: &Path, n: u64) -> Error {
    let name = file_name(path);
    let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    refuse(
        "too_many_cells",
        format!("文件“{name}”展开后约 {n} 个单元格，超过 .{ext} 文件的导入上限（{} 万个：这种格式要整个读入内存）。请用表格软件另存为 .xlsx 后导入，或拆分文件。", MAX_WHOLE_CELLS / 10_000),
        format!("“{name}” expands to about {n} cells, over the limit for .{ext} files ({} million: the format is read whole into memory). Save it as .xlsx and import that, or split it.", MAX_WHOLE_CELLS as f64 / 1e6),
        path,
    )
}

pub(crate) fn too_much_text(path: &Path, bytes: u64) -> Error {
    let name = file_name(path);
    refuse(
        "too_much_text",
        format!(
            "文件“{name}”中的文字展开后约 {} MB，超过导入上限（{} MB）。正常的园区报表远小于此，请检查文件或拆分后导入。",
            bytes >> 20,
            MAX_TEXT_BYTES >> 20
        ),
        format!(
            "“{name}” holds about {} MB of text once expanded, over the import limit ({} MB). A park's table is far smaller: check the file or split it.",
            bytes >> 20,
            MAX_TEXT_BYTES >> 20
        ),
        path,
    )
}

pub(crate) fn too_many_cells(path: &Path, what: String) -> Error {
    let name = file_name(path);
    refuse(
        "too_many_cells",
        format!("文件“{name}”过大：{what}，超过导入上限（500 万个单元格，Excel 的行列范围）。请删去无关的行列或拆分后导入。"),
        format!("“{name}” is too large: {what}, over the import limit (5 million cells, Excel's row/column range). Remove unrelated rows/columns or split it."),
        path,
    )
}

/// The CSV reader holds a whole record in memory (and a bound per field): before it runs, refuse
/// a record wider than Excel or larger than [`MAX_RECORD_BYTES`] — a one-line 49 MB file would
/// otherwise cost about a gigabyte. One pass over the bytes, honouring quotes.
pub const MAX_RECORD_BYTES: usize = 4 * 1024 * 1024;
