//! One data row → a normalised record, or the errors that say what to fix (row, column header,
//! original cell text, a Chinese message). Pure: no database.

pub use crate::model::import::{CertRecord, EnterpriseRecord, Record, RentRecord, RowError};
use std::collections::HashMap;

use chrono::NaiveDate;

use super::normalize::{self as n, MoneyUnit};
use super::read::Cell;
use super::schema::{ColumnMap, Field, FieldType, Kind};
use crate::cert::kinds::{self as ck, CertKind};
use crate::{text, uscc};

/// Everything the validator needs about the sheet's columns.
pub struct Columns {
    pub kind: Kind,
    /// field name → (column index, header text, unit)
    pub by_field: HashMap<&'static str, (usize, String, Option<String>)>,
    pub cert_kinds: Vec<CertKind>,
    /// The column of each of `kind.fields()`, in that order (what every row looks up).
    slots: Vec<Option<usize>>,
}

impl Columns {
    pub fn new(kind: Kind, mapping: &[ColumnMap], cert_kinds: Vec<CertKind>) -> Columns {
        let mut by_field = HashMap::new();
        for m in mapping {
            if let Some(f) = m.field.as_deref().and_then(|f| kind.field(f)) {
                by_field.entry(f.name).or_insert((m.index as usize, m.column.clone(), m.unit.clone()));
            }
        }
        let slots = kind.fields().iter().map(|f| by_field.get(f.name).map(|c| c.0)).collect();
        Columns { kind, by_field, cert_kinds, slots }
    }
    /// The header of the column mapped to `f`, or the field's own label.
    pub(super) fn header(&self, f: &Field) -> String {
        self.by_field.get(f.name).map(|c| c.1.clone()).unwrap_or_else(|| f.label_zh.to_string())
    }
}

/// The parsed values of a row, in field order (a dozen at most: a list beats a map).
struct Vals(Vec<(&'static str, V)>);

impl Vals {
    fn get(&self, k: &str) -> Option<&V> {
        self.0.iter().find(|(n, _)| *n == k).map(|(_, v)| v)
    }
    /// A non-empty text value, moved out (each is used once).
    fn text(&mut self, k: &str) -> Option<String> {
        match self.0.iter_mut().find(|(n, _)| *n == k) {
            Some((_, V::Text(t))) if !t.is_empty() => Some(std::mem::take(t)),
            _ => None,
        }
    }
    fn date(&self, k: &str) -> Option<NaiveDate> {
        match self.get(k) {
            Some(V::Date(d)) => Some(*d),
            _ => None,
        }
    }
    fn int(&self, k: &str) -> Option<i64> {
        match self.get(k) {
            Some(V::Int(i)) => Some(*i),
            _ => None,
        }
    }
}

enum V {
    Text(String),
    Date(NaiveDate),
    Int(i64),
    Bool(bool),
}

struct Ctx<'a> {
    cols: &'a Columns,
    errors: Vec<RowError>,
}

/// The cell text an error quotes: whole, unless it is longer than anyone reads (the row's cells
/// keep it whole).
pub const ERROR_VALUE_MAX_CHARS: usize = 200;

fn shown_value(value: &str) -> String {
    if value.len() <= ERROR_VALUE_MAX_CHARS {
        return value.to_string();
    }
    match value.char_indices().nth(ERROR_VALUE_MAX_CHARS) {
        Some((i, _)) => format!("{}…", &value[..i]),
        None => value.to_string(),
    }
}

impl Ctx<'_> {
    fn err(&mut self, code: &str, f: &Field, value: &str, zh: String, en: String) {
        self.errors.push(RowError {
            code: code.into(),
            field: f.name.into(),
            column: self.cols.header(f),
            value: shown_value(value),
            message: zh,
            message_en: en,
            duplicate_of_row: None,
        });
    }
}

fn money_unit(unit: Option<&str>) -> MoneyUnit {
    match unit {
        Some(u) if u.contains("万") => MoneyUnit::Wan,
        _ => MoneyUnit::Yuan,
    }
}

/// A cell's text: borrowed when it is text, written out otherwise.
fn text_of(cell: &Cell) -> std::borrow::Cow<'_, str> {
    match cell {
        Cell::Text(s) => std::borrow::Cow::Borrowed(s),
        other => std::borrow::Cow::Owned(other.display()),
    }
}

/// The expiry of a certificate without an end (长期有效).
const LONG_TERM: NaiveDate = match NaiveDate::from_ymd_opt(9999, 12, 31) {
    Some(d) => d,
    None => panic!("9999-12-31 is a date"),
};

fn parse_field(ctx: &mut Ctx<'_>, f: &'static Field, cell: &Cell) -> Option<V> {
    // What a message needs (the cell as shown, the column's header, its unit) is looked up only
    // when there is something to say: most cells are fine, and a row is read 100,000 times.
    let unit = || ctx.cols.by_field.get(f.name).and_then(|c| c.2.as_deref());
    match f.ty {
        FieldType::Uscc => {
            let parsed = match cell {
                // A code that went through a numeric cell has already lost its last digits.
                Cell::Number(v) => Err(uscc::UsccProblem::LostDigits {
                    digits: n::float_text(*v).trim_end_matches(".0").replace('.', "").chars().filter(|c| c.is_ascii_digit()).count().min(15),
                }),
                other => uscc::parse(&text_of(other)),
            };
            match parsed {
                Ok(u) => Some(V::Text(u.code)),
                Err(p) => {
                    let (shown, col) = (cell.display(), ctx.cols.header(f));
                    let zh = if col.contains("信用代码") { p.message_zh() } else { format!("“{col}”：{}", p.message_zh()) };
                    ctx.err(p.code(), f, &shown, zh, format!("“{col}”: {}", p.message_en()));
                    None
                }
            }
        }
        FieldType::Text => {
            // The registry's limits hold for imported text too (a 10,000-character name must not
            // reach a notice through a spreadsheet).
            let t = text::clean(&text_of(cell));
            let max = if f.name == "name" { crate::enterprise::MAX_NAME } else { crate::enterprise::MAX_TEXT };
            // A character is at least one byte: only a long text needs counting.
            let n = if t.len() > max { t.chars().count() } else { 0 };
            if n > max {
                let col = ctx.cols.header(f);
                let head: String = t.chars().take(20).collect();
                ctx.err(
                    "too_long",
                    f,
                    &format!("{head}…"),
                    format!("“{col}”过长（{n}个字），最多{max}个字。请删减后再导入。"),
                    format!("“{col}” is too long ({n} characters; at most {max}). Shorten it and import again."),
                );
                None
            } else {
                Some(V::Text(t))
            }
        }
        FieldType::Date => parse_date_cell(ctx, f, cell),
        FieldType::Money => parse_money_cell(ctx, f, cell),
        FieldType::Area => {
            if let Some(u) = unit().filter(|u| *u != super::schema::UNIT_M2) {
                let (shown, col) = (cell.display(), ctx.cols.header(f));
                ctx.err(
                    "bad_number",
                    f,
                    &shown,
                    format!("“{col}”的单位是{u}，台账按平方米记面积。请换算成平方米，表头写明（㎡）后重新导入。"),
                    format!("“{col}” is in {u}; the ledger keeps square metres. Convert and state (㎡) in the header."),
                );
                return None;
            }
            let v = match cell {
                Cell::Number(x) => n::parse_area_number(*x),
                Cell::Text(s) => n::parse_area_text(s),
                _ => None,
            };
            match v {
                Some(v) => Some(V::Int(v)),
                None => {
                    let (shown, col) = (cell.display(), ctx.cols.header(f));
                    ctx.err(
                        "bad_number",
                        f,
                        &shown,
                        format!("“{col}”中的“{shown}”不是数字。请只填面积数字（平方米），例如 250.5。"),
                        format!("“{col}”: “{shown}” is not a number (square metres)."),
                    );
                    None
                }
            }
        }
        FieldType::YearIndex => {
            let v = match cell {
                Cell::Number(x) if x.fract() == 0.0 && x.abs() < 1e6 => Some(*x as i64),
                Cell::Text(s) => n::parse_year_index(s),
                _ => None,
            };
            match v {
                Some(v) => Some(V::Int(v)),
                None => {
                    let (shown, col) = (cell.display(), ctx.cols.header(f));
                    ctx.err(
                        "bad_number",
                        f,
                        &shown,
                        format!("“{col}”中的“{shown}”不是年度序号。请填 1、2 或 3（即第几年）。"),
                        format!("“{col}”: “{shown}” is not a year number; enter 1, 2 or 3."),
                    );
                    None
                }
            }
        }
        FieldType::Bool => match n::parse_bool(&text_of(cell)) {
            Some(b) => Some(V::Bool(b)),
            None => {
                let (shown, col) = (cell.display(), ctx.cols.header(f));
                ctx.err(
                    "bad_value",
                    f,
                    &shown,
                    format!("“{col}”只能填“是”或“否”（填写的是“{shown}”）。"),
                    format!("“{col}” takes 是 or 否 (yes/no), not “{shown}”."),
                );
                None
            }
        },
        FieldType::CertKind => match ck::match_kind(&ctx.cols.cert_kinds, &text_of(cell)) {
            Some(k) => Some(V::Text(k.code.clone())),
            None if ck::level_mismatch(&ctx.cols.cert_kinds, &text_of(cell)).is_some() => {
                let shown = cell.display();
                let (k, level) = ck::level_mismatch(&ctx.cols.cert_kinds, &text_of(cell)).expect("checked");
                let e = ck::level_mismatch_error(&shown, k, level);
                ctx.err("kind_level_mismatch", f, &shown, e.message(crate::Lang::Zh), e.message(crate::Lang::En));
                None
            }
            None => {
                let shown = cell.display();
                let names: Vec<&str> = ctx.cols.cert_kinds.iter().take(6).map(|k| k.name_zh.as_str()).collect();
                ctx.err(
                    "unknown_kind",
                    f,
                    &shown,
                    format!("不认识认定类型“{shown}”。请填写规范名称，例如：{}等。", names.join("、")),
                    format!("Unknown certification kind “{shown}”. Use a standard name."),
                );
                None
            }
        },
    }
}

/// A date cell: a date, an Excel serial number, or text in the forms parks write; 长期有效 under
/// an expiry. A refusal says whether the day, the year or the form is wrong.
fn parse_date_cell(ctx: &mut Ctx<'_>, f: &'static Field, cell: &Cell) -> Option<V> {
    // 长期有效: a certificate without an end, kept as 9999-12-31 (as registries export it).
    let d = match cell {
        Cell::Date(d) if f.name == "expires_on" && *d == LONG_TERM => Some(*d),
        Cell::Text(t)
            if f.name == "expires_on"
                && (matches!(t.trim(), "长期" | "长期有效" | "永久" | "永久有效" | "无固定期限" | "无期限") || n::parse_ymd_literal(t) == Some(LONG_TERM)) =>
        {
            Some(LONG_TERM)
        }
        Cell::Date(d) => n::plausible_date(*d),
        Cell::Number(v) => n::date_from_number(*v),
        Cell::Text(s) => n::parse_date_text(s),
        _ => None,
    };
    match d {
        Some(d) => Some(V::Date(d)),
        None => {
            let (shown, col) = (cell.display(), ctx.cols.header(f));
            let problem = match cell {
                Cell::Date(_) => Some(n::DateProblem::Year),
                Cell::Text(s) => n::date_problem(s),
                _ => None,
            };
            let (y0, y1) = (n::DATE_YEARS.start(), n::DATE_YEARS.end());
            let (zh, en) = match problem {
                Some(n::DateProblem::NoSuchDay) => (
                    format!("“{col}”中的“{shown}”不是日历上的日期（这个月没有这一天）。请核对月和日。"),
                    format!("“{col}”: “{shown}” is not a day of the calendar. Check the month and day."),
                ),
                Some(n::DateProblem::Year) => (
                    format!("“{col}”中的“{shown}”年份不合理（应在 {y0}–{y1} 年之间）。若是公式算出的，请检查它引用的单元格是否为空。"),
                    format!("“{col}”: the year of “{shown}” is implausible (expected {y0}–{y1}). If a formula made it, check the cells it uses."),
                ),
                None => (
                    format!("“{col}”中的“{shown}”不是有效日期。请写成 2023-05-01 或 2023年5月1日 这样的日期。"),
                    format!("“{col}”: “{shown}” is not a date. Write it as 2023-05-01."),
                ),
            };
            ctx.err("bad_date", f, &shown, zh, en);
            None
        }
    }
}

/// An amount in 元 or 万元 (a unit rent per ㎡ per month, day or year, kept per month); a unit the
/// import does not read, a negative amount, one over a trillion yuan or not a number is refused.
fn parse_money_cell(ctx: &mut Ctx<'_>, f: &'static Field, cell: &Cell) -> Option<V> {
    let cols = ctx.cols;
    let unit = || cols.by_field.get(f.name).and_then(|c| c.2.as_deref());
    // A unit the import does not read (万美元, 千元, 元/㎡/季度, ㎡): refused, never guessed.
    if let Some(u) = unit().filter(|u| !super::schema::is_money_unit(f.name, u)) {
        let (shown, col) = (cell.display(), ctx.cols.header(f));
        ctx.err(
                    "bad_amount",
                    f,
                    &shown,
                    format!("“{col}”的单位是{u}，台账只记人民币元或万元（租金单价按元/㎡/月、天或年）。请把金额换算后在表头写明单位再导入；或在“列对应”中把此列设为不导入。"),
                    format!("“{col}” is in {u}; the ledger keeps yuan (元 or 万元; a unit rent per ㎡ per month, day or year). Convert the amounts and state the unit in the header, or do not import this column."),
                );
        return None;
    }
    let u = money_unit(unit());
    let v = match cell {
        Cell::Number(x) => n::parse_amount_number(*x, u),
        Cell::Text(s) => n::parse_amount_text(s, u),
        _ => None,
    };
    if let Some(v @ 0..) = v {
        // A rent per day or per year is kept per month (a month is 365 ÷ 12 days).
        let (num, den) = match unit() {
            Some(super::schema::UNIT_RENT_DAY) => (365, 12),
            Some(super::schema::UNIT_RENT_YEAR) => (1, 12),
            _ => (1, 1),
        };
        return i64::try_from(crate::money::div_round_half_up(v as i128 * num, den)).ok().map(V::Int);
    }
    let unit_hint = unit().unwrap_or("元").to_string();
    let (shown, col) = (cell.display(), ctx.cols.header(f));
    match v {
        Some(_) => {
            ctx.err("out_of_range", f, &shown, format!("“{col}”不能是负数（填写的是“{shown}”）。"), format!("“{col}” cannot be negative (“{shown}”)."));
            None
        }
        None if amount_over_cap(cell, u) => {
            ctx.err(
                "bad_amount",
                f,
                &shown,
                format!("“{col}”中的“{shown}”（单位：{unit_hint}）超过一万亿元，不会是真实金额。请核对数字和单位（是否应为元而不是万元）。"),
                format!("“{col}”: “{shown}” ({unit_hint}) is over a trillion yuan. Check the number and the unit."),
            );
            None
        }
        None => {
            ctx.err(
                "bad_amount",
                f,
                &shown,
                format!("“{col}”中的“{shown}”不是金额。请只填数字（单位：{unit_hint}），例如 12.5 或 1,234.00。"),
                format!("“{col}”: “{shown}” is not an amount. Enter a number (unit: {unit_hint}), e.g. 12.5."),
            );
            None
        }
    }
}

/// A number too large for an amount (the reason a numeric cell was refused as one): what the
/// amount parser reads, before its cap.
fn amount_over_cap(cell: &Cell, unit: MoneyUnit) -> bool {
    let fen = match cell {
        Cell::Number(x) if x.is_finite() => n::amount_fen(&n::float_text(*x), unit),
        Cell::Text(s) => n::amount_fen(s, unit),
        _ => None,
    };
    fen.is_some_and(|f| f.abs() > n::MAX_FEN)
}

/// A cell that says "nothing here": a dash, a slash, 无 / 暂无 / 不适用, N/A.
pub fn is_blank_marker(cell: &Cell) -> bool {
    let Cell::Text(t) = cell else { return false };
    let t = t.trim();
    // (a marker is short: most cells are told apart by their length alone)
    if t.len() > 24 {
        return false;
    }
    // (dashes with spaces between, "— —", and an accounting zero written with its currency, "¥-")
    let dashes = t.chars().any(|c| matches!(c, '-' | '—' | '－' | '–' | '/' | '／' | '\\'))
        && t.chars().all(|c| matches!(c, '-' | '—' | '－' | '–' | '/' | '／' | '\\' | '¥' | '￥') || c.is_whitespace());
    dashes || matches!(t, "无" | "暂无" | "没有" | "不适用" | "N/A" | "n/a" | "NA" | "na" | "空")
}

/// The error values spreadsheet programs show for a formula that failed (Excel / WPS, and
/// LibreOffice's Err:502 style).
pub fn is_error_literal(t: &str) -> bool {
    matches!(t, "#N/A" | "#DIV/0!" | "#VALUE!" | "#REF!" | "#NAME?" | "#NUM!" | "#NULL!" | "#SPILL!" | "#CALC!")
        || t.strip_prefix("Err:").is_some_and(|n| n.len() == 3 && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Validate one data row. Returns the record when there is no error.
pub fn validate_row(cols: &Columns, cells: &[Cell]) -> (Option<Record>, Vec<RowError>) {
    let mut ctx = Ctx { cols, errors: Vec::new() };
    let mut vals = Vals(Vec::with_capacity(cols.slots.len()));
    for (f, slot) in cols.kind.fields().iter().zip(&cols.slots) {
        let cell = slot.and_then(|i| cells.get(i)).unwrap_or(&Cell::Empty);
        // #N/A and the like, or a formula saved without its result: no value to read. A .ods
        // error cell and a CSV saved from a sheet with errors carry them as text.
        let error = match cell {
            Cell::Error(e) => Some(e.as_str()),
            Cell::Text(t) if is_error_literal(t.trim()) => Some(t.trim()),
            _ => None,
        };
        if let Some(e) = error {
            let col = cols.header(f);
            let (zh, en) = if e.starts_with(super::read::UNCALCULATED_PREFIX) {
                (
                    format!("“{col}”是公式（{e}），文件里没有保存计算结果。请用 Excel 或 WPS 打开这个文件、保存后再导入。"),
                    format!("“{col}” is a formula ({e}) saved without its result. Open the file in Excel or WPS, save it, and import again."),
                )
            } else {
                (
                    format!("“{col}”是公式算出的错误值“{e}”，不是数据。请在表格中改正后再导入。"),
                    format!("“{col}” holds the error value “{e}”, not data. Correct it in the sheet."),
                )
            };
            ctx.err("formula_error", f, e, zh, en);
            continue;
        }
        // "—", "/", "无" under a text, date or yes/no: the park's way of writing "nothing" — a
        // blank cell (it never overwrites a stored value). A yes/no column reads 无 as 否. Under
        // an amount it is asked about: a dash is how an accounting format writes 0, and 0 and
        // "no figure" lead to different subsidies.
        let marker = is_blank_marker(cell) && !(f.ty == FieldType::Bool && n::parse_bool(&cell.display()).is_some());
        if marker && f.ty == FieldType::Money {
            let (shown, col) = (cell.display(), cols.header(f));
            let shown = shown.trim();
            ctx.err(
                "bad_amount",
                f,
                shown,
                format!(
                    "“{col}”填的是“{shown}”。金额为 0 请填 0，没有这项数据请留空{}。",
                    if cols.kind == Kind::RentApplications { "（两者的补贴结果不同）" } else { "" }
                ),
                format!("“{col}” holds “{shown}”. Enter 0 for zero, or leave it empty when there is no figure."),
            );
            continue;
        }
        if cell.is_empty() || marker {
            if f.required {
                let col = cols.header(f);
                // No column of the file is this field: the cells are not empty, the mapping is.
                let (zh, en) = if marker {
                    let shown = cell.display();
                    (
                        format!("“{col}”填的是“{}”（表示空）。这是必填项，请填写实际内容。", shown.trim()),
                        format!("“{col}” holds “{}” (nothing); it is required.", shown.trim()),
                    )
                } else if slot.is_none() {
                    (
                        format!("文件中没有对应到“{col}”的列（必填）。若文件有这一列但名称不同，请在“列对应”中把它设为“{col}”；否则请补上这一列。"),
                        format!("No column of the file maps to “{col}” (required). Choose it under column mapping, or add the column."),
                    )
                } else {
                    (format!("“{col}”为空。这是必填项，请补上。"), format!("“{col}” is empty; it is required."))
                };
                ctx.err("missing_required", f, if marker { cell.display() } else { String::new() }.trim(), zh, en);
            }
            continue;
        }
        if let Some(v) = parse_field(&mut ctx, f, cell) {
            if let V::Text(t) = &v {
                if t.is_empty() && f.required {
                    let col = cols.header(f);
                    ctx.err("missing_required", f, &cell.display(), format!("“{col}”为空。这是必填项，请补上。"), format!("“{col}” is empty; it is required."));
                    continue;
                }
            }
            vals.0.push((f.name, v));
        }
    }
    let x = Cross { cols, cells };
    match cols.kind {
        Kind::RentApplications => cross_check_rent(&mut ctx, &x, &vals),
        Kind::Certifications => cross_check_cert(&mut ctx, &x, &vals),
        Kind::Enterprises => cross_check_enterprise(&mut ctx, &x, &vals),
    }
    if !ctx.errors.is_empty() {
        return (None, ctx.errors);
    }
    (Some(record_of(cols.kind, cols, vals)), Vec::new())
}

/// What a cross-field error needs: the field by name, and the cell as the park wrote it.
struct Cross<'a> {
    cols: &'a Columns,
    cells: &'a [Cell],
}

impl Cross<'_> {
    fn f(&self, name: &str) -> &'static Field {
        self.cols.kind.field(name).expect("known field")
    }
    /// What a cross-field error quotes: the cell as the park wrote it ("第4年", "5"), the
    /// normalised value when there is no cell.
    fn orig(&self, name: &str, normalised: String) -> String {
        let slot = self.cols.kind.fields().iter().position(|x| x.name == name).and_then(|i| self.cols.slots[i]);
        slot.and_then(|i| self.cells.get(i)).filter(|c| !c.is_empty()).map(|c| c.display()).unwrap_or(normalised)
    }
}

/// A rent application's fields against each other: year 1–3, area and unit rent above 0, the
/// lease in order, and no more asked than the year's rent.
fn cross_check_rent(ctx: &mut Ctx<'_>, x: &Cross<'_>, vals: &Vals) {
    if let Some(y) = vals.int("subsidy_year") {
        if !(1..=3).contains(&y) {
            ctx.err(
                "out_of_range",
                x.f("subsidy_year"),
                &x.orig("subsidy_year", y.to_string()),
                format!("申请补贴年度为第{y}年，超出第1–3年的范围（政策规定补贴最长不超过三年）。"),
                format!("Subsidy year {y} is outside 1–3 (the policy allows three years at most)."),
            );
        }
    }
    if let Some(a) = vals.int("area_centi_m2") {
        if a <= 0 {
            ctx.err(
                "out_of_range",
                x.f("area_centi_m2"),
                &x.orig("area_centi_m2", crate::money::fmt_yuan_plain(a)),
                format!("“{}”为 {}，租赁面积必须大于 0。", x.cols.header(x.f("area_centi_m2")), x.orig("area_centi_m2", crate::money::fmt_yuan_plain(a))),
                "The area must be more than 0.".into(),
            );
        }
    }
    if let Some(u) = vals.int("unit_rent_fen") {
        if u <= 0 {
            ctx.err(
                "out_of_range",
                x.f("unit_rent_fen"),
                &x.orig("unit_rent_fen", crate::money::fmt_yuan_plain(u)),
                format!("“{}”为 {}，租金单价必须大于 0。", x.cols.header(x.f("unit_rent_fen")), x.orig("unit_rent_fen", crate::money::fmt_yuan_plain(u))),
                "The unit rent must be more than 0.".into(),
            );
        }
    }
    if let (Some(s), Some(e)) = (vals.date("lease_start"), vals.date("lease_end")) {
        if e < s {
            ctx.err(
                "out_of_range",
                x.f("lease_end"),
                &x.orig("lease_end", n::iso(e)),
                format!("租期止（{}）早于租期起（{}）。请核对租期。", n::iso(e), n::iso(s)),
                "The lease ends before it starts.".into(),
            );
        }
    }
    // The year's rent as the file states it, or else as area × unit rent × 12 months.
    // A unit rent per day or per year was kept per month to the fen: the year worked out
    // from it may be short by half a fen per ㎡ and month.
    let rounded =
        matches!(x.cols.by_field.get("unit_rent_fen").and_then(|c| c.2.as_deref()), Some(super::schema::UNIT_RENT_DAY | super::schema::UNIT_RENT_YEAR));
    let year_rent = vals.int("annual_rent_fen").map(|a| (a, "", 0)).or_else(|| {
        let (a, u) = (vals.int("area_centi_m2").filter(|a| *a > 0)?, vals.int("unit_rent_fen").filter(|u| *u > 0)?);
        let fen = crate::money::div_round_half_up(a as i128 * u as i128 * 12, 100);
        let slack = if rounded { (a as i128 * 6).div_euclid(100) + 1 } else { 0 };
        Some((i64::try_from(fen).ok()?, "（按面积 × 单价 × 12 个月计）", i64::try_from(slack).ok()?))
    });
    if let (Some(r), Some((a, how, slack))) = (vals.int("requested_fen"), year_rent) {
        if r > a.saturating_add(slack) {
            ctx.err(
                "out_of_range",
                x.f("requested_fen"),
                &x.orig("requested_fen", crate::money::fmt_yuan(r)),
                format!("申请补贴金额 {} 元大于年租金 {} 元{how}。补贴不能超过租金的100%。", crate::money::fmt_yuan(r), crate::money::fmt_yuan(a)),
                "The amount requested is larger than the year's rent.".into(),
            );
        }
    }
}

/// A certification's dates and level: issued by today, 长期有效 only for a kind without a term,
/// the level the kind's own, and no expiry before the issue.
fn cross_check_cert(ctx: &mut Ctx<'_>, x: &Cross<'_>, vals: &Vals) {
    // A certificate is issued on a day that has come.
    if let Some(i) = vals.date("issued_on") {
        if i > crate::model::date::today() {
            ctx.err(
                "out_of_range",
                x.f("issued_on"),
                &x.orig("issued_on", n::iso(i)),
                format!("发证日期（{}）晚于今天，请核对。", n::iso(i)),
                format!("The issue date ({}) is in the future.", n::iso(i)),
            );
        }
    }
    // 长期有效 for a kind the policy gives a term (高企: three years): its reminders (renewal,
    // review) would never come. The certificate's own date, or blank for the rule's.
    let code = match vals.get("kind") {
        Some(V::Text(t)) => Some(t.as_str()),
        _ => None,
    };
    if let (Some(i), Some(e), Some(code)) = (vals.date("issued_on"), vals.date("expires_on"), code) {
        let rule = x.cols.cert_kinds.iter().find(|k| k.code == code).and_then(|k| ck::derived_expiry(k, i).map(|d| (k, d)));
        if let (true, Some((k, d))) = (e == LONG_TERM, rule) {
            ctx.err(
                "out_of_range",
                x.f("expires_on"),
                &x.orig("expires_on", n::iso(e)),
                format!(
                    "“有效期至”填的是长期有效，但{}按规定有有效期（按发证日期推算到 {}）。请填写证书上的到期日期，或留空按规定推算。",
                    k.name_zh,
                    n::iso(d)
                ),
                format!(
                    "“有效期至” says long-term, but {} has a term (to {} by the rule). Enter the certificate's date, or leave it empty.",
                    k.name_zh,
                    n::iso(d)
                ),
            );
        }
    }
    // 级别 says another level than the kind's own: 省级 beside 国家级工业设计中心.
    if let (Some(V::Text(level)), Some(k)) = (vals.get("level"), code.and_then(|c| x.cols.cert_kinds.iter().find(|k| k.code == c))) {
        if let Some(w) = ck::level_conflict(k, level) {
            let e = ck::level_mismatch_error(&format!("{}（{level}）", k.name_zh), k, w);
            ctx.err("kind_level_mismatch", x.f("level"), &x.orig("level", level.clone()), e.message(crate::Lang::Zh), e.message(crate::Lang::En));
        }
    }
    if let (Some(i), Some(e)) = (vals.date("issued_on"), vals.date("expires_on")) {
        if e < i {
            ctx.err(
                "out_of_range",
                x.f("expires_on"),
                &x.orig("expires_on", n::iso(e)),
                format!("有效期至（{}）早于发证日期（{}）。请核对日期。", n::iso(e), n::iso(i)),
                "The expiry date is before the issue date.".into(),
            );
        }
    }
}

/// An enterprise founded by today.
fn cross_check_enterprise(ctx: &mut Ctx<'_>, x: &Cross<'_>, vals: &Vals) {
    if let Some(d) = vals.date("founded_on") {
        if d > crate::model::date::today() {
            ctx.err(
                "out_of_range",
                x.f("founded_on"),
                &x.orig("founded_on", n::iso(d)),
                format!("成立日期（{}）晚于今天，请核对。", n::iso(d)),
                format!("The founding date ({}) is in the future.", n::iso(d)),
            );
        }
    }
}

/// The record of a row whose fields all passed.
fn record_of(kind: Kind, cols: &Columns, mut vals: Vals) -> Record {
    let uscc = vals.text("uscc").unwrap_or_default();
    let name = vals.text("name").unwrap_or_default();
    match kind {
        Kind::Enterprises => Record::Enterprise(EnterpriseRecord {
            uscc,
            name,
            founded_on: vals.date("founded_on").map(n::iso),
            registered_capital_fen: vals.int("registered_capital_fen"),
            park: vals.text("park"),
            sector: vals.text("sector"),
            contact_name: vals.text("contact_name"),
            contact_phone: vals.text("contact_phone"),
            address: vals.text("address"),
            high_tech: match vals.get("high_tech") {
                Some(V::Bool(b)) => Some(*b),
                _ => None,
            },
        }),
        Kind::RentApplications => Record::Rent(RentRecord {
            uscc,
            name,
            lease_address: vals.text("lease_address"),
            area_centi_m2: vals.int("area_centi_m2"),
            unit_rent_fen: vals.int("unit_rent_fen"),
            lease_start: vals.date("lease_start").map(n::iso),
            lease_end: vals.date("lease_end").map(n::iso),
            annual_rent_fen: vals.int("annual_rent_fen"),
            revenue_prev_fen: vals.int("revenue_prev_fen"),
            revenue_curr_fen: vals.int("revenue_curr_fen"),
            subsidy_year: vals.int("subsidy_year"),
            requested_fen: vals.int("requested_fen"),
        }),
        Kind::Certifications => {
            let code = vals.text("kind").unwrap_or_default();
            let issued = vals.date("issued_on");
            let expires = vals.date("expires_on");
            let derived = cols.cert_kinds.iter().find(|k| k.code == code).and_then(|k| issued.and_then(|i| ck::derived_expiry(k, i)));
            Record::Cert(CertRecord {
                uscc,
                name,
                kind: code,
                certificate_no: vals.text("certificate_no"),
                issued_on: issued.map(n::iso),
                expires_on: expires.or(derived).map(n::iso),
                expiry_differs_from_rule: match (expires, derived) {
                    (Some(e), Some(d)) if e != d => Some(true),
                    _ => None,
                },
                expiry_from_rule: expires.is_none() && derived.is_some(),
                level: vals.text("level"),
            })
        }
    }
}

/// The key that makes two rows of a file "the same" (duplicate_in_file).
pub fn dedupe_key(r: &Record) -> String {
    match r {
        Record::Enterprise(e) => e.uscc.clone(),
        Record::Rent(x) => format!("{}|{}|{}", x.uscc, x.lease_start.as_deref().unwrap_or(""), x.subsidy_year.unwrap_or(0)),
        Record::Cert(c) => format!("{}|{}|{}", c.uscc, c.kind, c.certificate_no.as_deref().or(c.issued_on.as_deref()).unwrap_or("")),
    }
}

/// "一、麒麟园", "（二）江宁园", "3. 其他": a numbered heading over a part of the table.
fn is_section_title(t: &str) -> bool {
    let t = t.trim_start_matches(['（', '(']);
    let numeral_end = t.find(|c: char| !("一二三四五六七八九十".contains(c) || c.is_ascii_digit())).unwrap_or(t.len());
    numeral_end > 0 && t[numeral_end..].starts_with(['、', '）', ')', '.', '．']) && t.chars().count() <= 30
}

/// What a row is, before validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowClass {
    Data,
    Blank,
    /// 合计 / 小计 / 总计
    Total,
    /// 注 / 说明 / 填表人 / 审核人 / 联系电话 lines
    Note,
}

pub fn classify(cells: &[Cell]) -> RowClass {
    let Some(first) = cells.iter().find(|c| !c.is_empty()) else {
        return RowClass::Blank;
    };
    // A template's numbered empty line (a 序号 and nothing else, a number or, in a CSV, its
    // digits) is blank.
    let alone = cells.iter().filter(|c| !c.is_empty()).count() == 1;
    let first = match first {
        Cell::Number(_) if alone => return RowClass::Blank,
        Cell::Text(t) if alone && (1..=6).contains(&t.trim().len()) && t.trim().bytes().all(|b| b.is_ascii_digit()) => return RowClass::Blank,
        Cell::Text(t) => text::clean(t),
        // A number, a date or a truth value is data (a 序号 most often).
        _ => return RowClass::Data,
    };
    let first_compact: String = first.chars().filter(|c| !c.is_whitespace()).collect();
    // A line that carries a code, even one cut short or kept in a number cell, is an
    // enterprise's, whatever its name begins with (审核通科技…, 合计科技…): it is validated.
    let has_code = || {
        cells.iter().any(|c| match c {
            Cell::Text(t) => {
                let n = crate::uscc::normalize(t);
                (15..=18).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_alphanumeric()) && n.bytes().filter(u8::is_ascii_digit).count() >= 8
            }
            Cell::Number(v) => *v >= 1e14,
            _ => false,
        })
    };
    if ["合计", "小计", "总计", "共计"].iter().any(|p| first_compact.starts_with(p)) && !has_code() {
        return RowClass::Total;
    }
    // The lines under a table: notes, who filled it in and checked it, the seal, "nothing below".
    const NOTES: [&str; 32] = [
        "注：",
        "注:",
        "注1",
        "说明",
        "备注：",
        "备注:",
        "填表",
        "填报人",
        "填报说明",
        "填报日期",
        "报送日期",
        "审核",
        "制表",
        "负责人：",
        "负责人:",
        "联系电话",
        "联系人：",
        "联系人:",
        "单位负责人",
        "经办人",
        "单位（盖章）",
        "单位(盖章)",
        "以下空白",
        "以下无内容",
        "填报单位",
        "报送单位",
        "主管领导",
        "日期：",
        "日期:",
        "本表一式",
        "数据截至",
        "数据截止",
    ];
    // A lone 注 / 备注, or 注 and a space ("注 1. …"); not a name that begins with 注 (注意力科技有限公司).
    let note = NOTES.iter().any(|p| first_compact.starts_with(p)) || first_compact == "注" || first_compact == "备注" || first.starts_with("注 ");
    // A seal or a signature line (园区（盖章）, 主管领导签字：), or a section title alone on its
    // line (一、麒麟园).
    let seal = (["（盖章）", "(盖章)", "签字：", "签字:", "签名：", "签名:"].iter().any(|w| first_compact.contains(w))
        || ["签字", "签名", "签章"].iter().any(|w| first_compact.ends_with(w)))
        && first_compact.chars().count() <= 40;
    let section = alone && is_section_title(&first_compact);
    let note = note || seal || section;
    if note && !has_code() {
        return RowClass::Note;
    }
    RowClass::Data
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::schema::map_columns;

    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    fn cols(kind: Kind, headers: &[&str]) -> Columns {
        let row: Vec<Cell> = headers.iter().map(|h| t(h)).collect();
        Columns::new(kind, &map_columns(kind, &row), ck::defaults())
    }

    #[test]
    fn seal_signature_and_section_lines_are_not_data() {
        for line in [
            "园区（盖章）",
            "主管领导签字：",
            "填报单位（盖章）：麒麟科创园",
            "日期：2024年3月1日",
            "本表一式两份",
            "数据截至2024年3月1日",
            "一、麒麟园",
            "（二）江宁园",
        ] {
            assert_eq!(classify(&[t(line)]), RowClass::Note, "{line}");
        }
        // An enterprise's row stays data, with or without its code.
        assert_eq!(classify(&[t("南京签章科技有限公司"), Cell::Empty, t("2020-01-01")]), RowClass::Data);
        assert_eq!(classify(&[t("一、麒麟园"), t("91320114282331851X")]), RowClass::Data);
    }

    #[test]
    fn enterprise_row_normalised() {
        let c = cols(Kind::Enterprises, &["序号", "企业名称", "统一社会信用代码", "成立日期", "注册资本（万元）", "是否高新技术企业"]);
        let (r, e) =
            validate_row(&c, &[Cell::Number(1.0), t(" 南京某某（江苏）科技有限公司　"), t("91320114 282331851x"), t("2020.7.5"), Cell::Number(500.5), t("是")]);
        assert!(e.is_empty(), "{e:?}");
        let Some(Record::Enterprise(r)) = r else { panic!() };
        assert_eq!(r.uscc, "91320114282331851X");
        assert_eq!(r.name, "南京某某（江苏）科技有限公司");
        assert_eq!(r.founded_on.as_deref(), Some("2020-07-05"));
        assert_eq!(r.registered_capital_fen, Some(500_500_000));
        assert_eq!(r.high_tech, Some(true));
    }

    #[test]
    fn errors_name_row_column_value_and_what_to_do() {
        let c = cols(Kind::Enterprises, &["企业名称", "统一社会信用代码", "成立日期", "注册资本（万元）"]);
        let (_, e) = validate_row(&c, &[Cell::Empty, Cell::Number(9.13201e17), t("2023-02-30"), t("五百")]);
        let codes: Vec<&str> = e.iter().map(|x| x.code.as_str()).collect();
        assert_eq!(codes, vec!["uscc_format", "missing_required", "bad_date", "bad_amount"]);
        assert_eq!(e[0].column, "统一社会信用代码");
        assert!(e[0].message.contains("末尾数字已丢失"), "{}", e[0].message);
        assert_eq!(e[2].value, "2023-02-30");
        assert!(e[3].message.contains("万元"));
    }

    #[test]
    fn rent_ranges() {
        let c = cols(
            Kind::RentApplications,
            &[
                "企业名称",
                "统一社会信用代码",
                "租赁面积（㎡）",
                "租金单价（元/㎡/月）",
                "租期起",
                "租期止",
                "年租金（元）",
                "申请补贴年度（第几年）",
                "申请补贴金额（元）",
            ],
        );
        let row = |year: &str, req: &str| {
            vec![t("甲"), t("914403001922038216"), Cell::Number(100.0), Cell::Number(50.0), t("2025/1/1"), t("2025年12月31日"), t("60,000.00"), t(year), t(req)]
        };
        let (r, e) = validate_row(&c, &row("第2年", "30000"));
        assert!(e.is_empty(), "{e:?}");
        let Some(Record::Rent(r)) = r else { panic!() };
        assert_eq!(
            (r.area_centi_m2, r.unit_rent_fen, r.annual_rent_fen, r.subsidy_year, r.requested_fen),
            (Some(10000), Some(5000), Some(6_000_000), Some(2), Some(3_000_000))
        );
        let (_, e) = validate_row(&c, &row("4", "30000"));
        assert_eq!(e[0].code, "out_of_range");
        assert_eq!(e[0].field, "subsidy_year");
        let (_, e) = validate_row(&c, &row("1", "60000.01"));
        assert_eq!(e[0].code, "out_of_range");
        assert_eq!(e[0].field, "requested_fen");
        // The error quotes the cell as written.
        let (_, e) = validate_row(&c, &row("第4年", "30000"));
        assert_eq!((e[0].field.as_str(), e[0].value.as_str()), ("subsidy_year", "第4年"));
        let (_, e) = validate_row(&c, &row("1", "6.5万"));
        assert_eq!((e[0].field.as_str(), e[0].value.as_str()), ("requested_fen", "6.5万"));
        // Without a 年租金 column, the year's rent is area × unit rent × 12 (100 ㎡ × 50 元 × 12).
        let c = cols(Kind::RentApplications, &["企业名称", "统一社会信用代码", "租赁面积", "租金单价", "租期起", "租期止", "申请补贴年度", "申请补贴金额"]);
        let row =
            |req: &str| vec![t("甲"), t("914403001922038216"), Cell::Number(100.0), Cell::Number(50.0), t("2025/1/1"), t("2025年12月31日"), t("1"), t(req)];
        assert!(validate_row(&c, &row("60000")).1.is_empty());
        let (_, e) = validate_row(&c, &row("60000.01"));
        assert_eq!(e[0].field, "requested_fen");
        assert!(e[0].message.contains("60,000.00") && e[0].message.contains("面积 × 单价 × 12"), "{}", e[0].message);
    }

    #[test]
    fn row_classes() {
        assert_eq!(classify(&[]), RowClass::Blank);
        assert_eq!(classify(&[Cell::Empty, t("  ")]), RowClass::Blank);
        assert_eq!(classify(&[t("合计"), Cell::Number(3.0)]), RowClass::Total);
        assert_eq!(classify(&[t("注：1.本表由园区管委会汇总报送")]), RowClass::Note);
        assert_eq!(classify(&[t("填表人：陈娜    联系电话：025-82423145")]), RowClass::Note);
        assert_eq!(classify(&[Cell::Number(1.0), t("南京某某")]), RowClass::Data);
        assert_eq!(classify(&[t("注 1.金额单位为万元")]), RowClass::Note);
        assert_eq!(classify(&[t("注")]), RowClass::Note);
        // A company whose name begins with 注 is data, not a note line.
        assert_eq!(classify(&[t("注意力科技（南京）有限公司"), t("91320114282331851X")]), RowClass::Data);
        assert_eq!(classify(&[Cell::Empty, t("　"), t("小 计"), Cell::Number(9.0)]), RowClass::Total);
        // What parks write under a table.
        for line in [
            "填表说明：代码填18位",
            "制表：张三",
            "审核：李四",
            "联系人：王五 13800000000",
            "单位（盖章）：",
            "备注",
            "以下空白",
            "经办人：赵六",
            "填报日期：2024年3月1日",
        ] {
            assert_eq!(classify(&[t(line)]), RowClass::Note, "{line}");
        }
        // A template's numbered empty lines are blank; a number with data beside it is data.
        assert_eq!(classify(&[Cell::Number(31.0), Cell::Empty, t(" ")]), RowClass::Blank);
        assert_eq!(classify(&[t("31"), t(""), t("")]), RowClass::Blank, "as a CSV has it");
        assert_eq!(classify(&[Cell::Number(31.0), t("南京某某")]), RowClass::Data);
        // Names are still data.
        for name in ["审慎科技（南京）有限公司", "制造强国（南京）有限公司", "经纬科技有限公司", "审核通科技（南京）有限公司", "填表宝信息技术有限公司"]
        {
            assert_eq!(classify(&[t(name), t("91320114282331851X")]), RowClass::Data, "{name}");
        }
    }
}
