//! Finding the table in a workbook: the sheet, the header row (one row or two), the park a title
//! line names, and the choices the user made in the wizard.

use super::*;

pub(super) fn sha256_file(path: &Path) -> Result<String> {
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
pub(super) struct Table {
    pub(super) sheet: String,
    pub(super) sheets: Vec<String>,
    pub(super) header_row: u32,
    pub(super) kind: Kind,
    pub(super) columns: Vec<ColumnMap>,
    pub(super) park_hint: Option<String>,
    /// Cells in the header row, blank ones included (a notes column without a name, a merged
    /// header cell written as "备注,").
    pub(super) header_width: usize,
}

/// The first `upto` rows of a sheet (blank ones included).
pub(super) fn head_rows(book: &mut Book, sheet: &str, upto: usize) -> Result<Vec<(u32, Vec<Cell>)>> {
    let mut rows = Vec::new();
    book.head_rows(sheet, |n, cells| {
        rows.push((n, std::mem::take(cells)));
        Ok(rows.len() < upto)
    })?;
    Ok(rows)
}

/// A header row the user names can be below the rows searched automatically, up to here.
pub const MAX_HEADER_ROW: u32 = 1000;

pub(super) fn park_from_title(rows: &[(u32, Vec<Cell>)], header_row: u32) -> Option<String> {
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

pub(super) fn find_table(book: &mut Book, opts: &ImportOptions) -> Result<Table> {
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
    // The best sheet so far: its name, its header guess and its first rows.
    type Candidate = (String, schema::HeaderGuess, Vec<(u32, Vec<Cell>)>);
    let mut best: Option<Candidate> = None;
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
pub(super) fn apply_choices(kind: Kind, columns: &mut [ColumnMap], remembered: Option<&HashMap<String, Option<String>>>, choices: Option<&Vec<ColumnChoice>>) {
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
