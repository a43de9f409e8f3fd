//! Cell normalisers: what parks type into spreadsheets, turned into ISO dates, integer fen,
//! hundredths of a square metre, years and booleans. Pure functions, fuzzed and unit-tested.

pub use crate::export::{MAX_EXCEL_COLS, MAX_EXCEL_ROWS};
pub use crate::model::date::*;
use crate::money::parse_decimal_scaled;
pub use crate::text::halfwidth;

/// The unit a money column's header names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyUnit {
    Yuan,
    Wan,
}

impl MoneyUnit {
    pub fn from_header(h: &str) -> Option<MoneyUnit> {
        if h.contains("万元") || h.contains("万") {
            Some(MoneyUnit::Wan)
        } else if h.contains('元') {
            Some(MoneyUnit::Yuan)
        } else {
            None
        }
    }
    fn scale_fen(self) -> i128 {
        match self {
            MoneyUnit::Yuan => 100,
            MoneyUnit::Wan => 1_000_000,
        }
    }
}

/// Shortest decimal text of a float cell (500.5, 270400.2), parsed exactly afterwards.
pub fn float_text(v: f64) -> String {
    let s = format!("{v}");
    if s.contains('e') || s.contains('E') {
        format!("{v:.6}")
    } else {
        s
    }
}

pub const MAX_FEN: i128 = 100_000_000_000_000; // one trillion yuan: more is a typo, not a rent

/// An amount in fen from text: 12.5万, ￥1,234.00, 1234.00元, ¥ 1 234, full-width digits, or a plain
/// number in the header's unit (`unit`, default 元). Units in the text win over the header's.
pub fn parse_amount_text(raw: &str, unit: MoneyUnit) -> Option<i64> {
    amount_fen(raw, unit).filter(|fen| fen.abs() <= MAX_FEN).and_then(|fen| i64::try_from(fen).ok())
}

/// [`parse_amount_text`] without the cap: the amount a text spells, however large.
pub fn amount_fen(raw: &str, unit: MoneyUnit) -> Option<i128> {
    let mut s = halfwidth(raw);
    s.retain(|c| !matches!(c, '￥' | '¥' | ' ' | '\''));
    if s.starts_with("RMB") || s.starts_with("rmb") {
        s = s[3..].to_string();
    }
    // As a cheque or a contract writes it: "人民币1234元", "12.5万元整".
    if let Some(r) = s.strip_prefix("人民币") {
        s = r.to_string();
    }
    // "500万元人民币"
    if let Some(r) = s.strip_suffix("人民币") {
        s = r.to_string();
    }
    if let Some(r) = s.strip_suffix('整').or_else(|| s.strip_suffix('正')) {
        s = r.to_string();
    }
    let mut unit = unit;
    if let Some(r) = s.strip_suffix("万元").or_else(|| s.strip_suffix('万')) {
        s = r.to_string();
        unit = MoneyUnit::Wan;
    } else if let Some(r) = s.strip_suffix('元') {
        s = r.to_string();
        unit = MoneyUnit::Yuan;
    }
    // Decimal digits beyond the fen are rounded half-up once.
    let scaled = parse_decimal_scaled(&s, 8)?;
    Some(crate::money::div_round_half_up(scaled * unit.scale_fen(), 100_000_000))
}

pub fn parse_amount_number(v: f64, unit: MoneyUnit) -> Option<i64> {
    if !v.is_finite() {
        return None;
    }
    parse_amount_text(&float_text(v), unit)
}

/// An area in hundredths of a square metre: 643.81, "643.81㎡", "643.81平方米".
pub fn parse_area_text(raw: &str) -> Option<i64> {
    let mut s = halfwidth(raw);
    for suffix in ["平方米", "平米", "㎡", "m²", "m2", "M2"] {
        if let Some(r) = s.strip_suffix(suffix) {
            s = r.trim().to_string();
            break;
        }
    }
    let v = parse_decimal_scaled(&s, 2)?;
    if v.abs() > 10_000_000_000 {
        return None;
    }
    i64::try_from(v).ok()
}

pub fn parse_area_number(v: f64) -> Option<i64> {
    if !v.is_finite() {
        return None;
    }
    parse_area_text(&float_text(v))
}

/// A small whole number: 2, 2.0, "第2年", "第二年", "二".
pub fn parse_year_index(raw: &str) -> Option<i64> {
    let s = halfwidth(raw);
    let s = s.trim_start_matches('第').trim_end_matches('度').trim_end_matches('年').trim();
    let cn = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    if let Some(i) = cn.iter().position(|c| *c == s) {
        return Some(i as i64);
    }
    if s == "两" {
        return Some(2);
    }
    if s == "首" {
        return Some(1);
    }
    let v = parse_decimal_scaled(s, 4)?;
    if v % 10_000 != 0 {
        return None;
    }
    i64::try_from(v / 10_000).ok()
}

pub fn parse_bool(raw: &str) -> Option<bool> {
    let s = halfwidth(raw).trim().to_lowercase();
    match s.as_str() {
        "是" | "y" | "yes" | "true" | "1" | "√" | "✓" | "✔" | "有" | "高企" | "已认定" => Some(true),
        "否" | "n" | "no" | "false" | "0" | "×" | "✗" | "✘" | "无" | "" | "非高企" | "未认定" | "不是" => Some(false),
        // 是（2023年认定）: the answer, with a note after it — unless the note takes it back
        // (是（已过期）): then it is asked about.
        _ => match s.split(['(', '（']).next().map(str::trim) {
            Some(head) if head != s && !["过期", "失效", "取消", "撤销", "到期", "未通过", "不再"].iter().any(|w| s.contains(w)) => {
                parse_bool(head)
            }
            _ => None,
        },
    }
}

/// Whether a number format shows its number in 万 as stored (`0"万元"`, `#,##0.00"万"`), not
/// a value in 元 scaled for display (`0!.0000"万"`, `0.0,,"万"`: the point or the commas move
/// the digits).
pub(crate) fn shows_wan(code: &str) -> bool {
    // The part for positive numbers, without quoted text.
    let section = code.split(';').next().unwrap_or("");
    let mut plain = String::new();
    let mut quoted = false;
    let mut wan = false;
    // A point written as text (\. or "."): the digits are cut to show 万, as with !.
    let mut literal_point = false;
    let mut chars = section.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '\\' | '!' => match chars.next() {
                Some('万') => wan = true,
                Some('.') => literal_point = true,
                // `\!.` (LibreOffice's rewrite of Excel's `!.`): a "!" shown before the point,
                // which is no plain number with 万 after it.
                Some('!') if chars.peek() == Some(&'.') => literal_point = true,
                _ => {}
            },
            '万' => wan = true,
            '.' if quoted => literal_point = true,
            _ if quoted => {}
            _ => plain.push(c),
        }
    }
    if !wan {
        return false;
    }
    let scaled = literal_point || {
        let b = plain.as_bytes();
        // A comma after the last digit placeholder scales by 1,000.
        b.iter().enumerate().any(|(i, &c)| c == b',' && !b[i + 1..].iter().any(|c| matches!(c, b'0' | b'#' | b'?')))
    };
    !scaled
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<String> {
        parse_date_text(s).map(iso)
    }

    #[test]
    fn dates_in_every_form() {
        for s in [
            "2023-05-01",
            "2023.5.1",
            "2023/5/1",
            "2023年5月1日",
            "20230501",
            "2023-05-01 00:00:00",
            "２０２３年５月１日",
            "45047",
            "2023-5-1",
            "45047.0",
            "45047.5",
            "2023-05-01T00:00:00",
        ] {
            assert_eq!(d(s).as_deref(), Some("2023-05-01"), "{s}");
        }
        for s in ["2023-02-30", "2023", "abc", "5/1/2023", "", "2023-13-01", "20231301", "12345678901"] {
            assert_eq!(d(s), None, "{s}");
        }
        assert_eq!(date_from_number(45047.0).map(iso).as_deref(), Some("2023-05-01"));
        assert_eq!(date_from_number(20230501.0).map(iso).as_deref(), Some("2023-05-01"));
        assert_eq!(date_from_number(3.5), None);
    }

    #[test]
    fn amounts() {
        assert_eq!(parse_amount_text("12.5万", MoneyUnit::Yuan), Some(12_500_000));
        assert_eq!(parse_amount_text("￥1,234.00", MoneyUnit::Yuan), Some(123_400));
        assert_eq!(parse_amount_text("1234.00元", MoneyUnit::Wan), Some(123_400));
        assert_eq!(parse_amount_text("１２３４", MoneyUnit::Yuan), Some(123_400));
        assert_eq!(parse_amount_text("500.5", MoneyUnit::Wan), Some(500_500_000));
        assert_eq!(parse_amount_text("371,028.00", MoneyUnit::Yuan), Some(37_102_800));
        assert_eq!(parse_amount_number(270400.2, MoneyUnit::Yuan), Some(27_040_020));
        assert_eq!(parse_amount_number(921.22, MoneyUnit::Wan), Some(921_220_000));
        assert_eq!(parse_amount_number(0.1 + 0.2, MoneyUnit::Yuan), Some(30));
        assert_eq!(parse_amount_text("1.005", MoneyUnit::Yuan), Some(101));
        assert_eq!(parse_amount_text("十万", MoneyUnit::Yuan), None);
        // As contracts write them.
        assert_eq!(parse_amount_text("12.5万元整", MoneyUnit::Yuan), Some(12_500_000));
        assert_eq!(parse_amount_text("1234元整", MoneyUnit::Wan), Some(123_400));
        assert_eq!(parse_amount_text("人民币1234元", MoneyUnit::Yuan), Some(123_400));
        // A comma is a thousands separator or nothing.
        assert_eq!(parse_amount_text("1,234,567.5", MoneyUnit::Yuan), Some(123_456_750));
        assert_eq!(parse_amount_text("1 234,50", MoneyUnit::Yuan), None);
        assert_eq!(parse_amount_text("12,34", MoneyUnit::Yuan), None);
        assert_eq!(parse_amount_text("1,234.5,6", MoneyUnit::Yuan), None);
        assert_eq!(parse_amount_text("1e5", MoneyUnit::Yuan), None);
        assert_eq!(parse_amount_text("99999999999999999999", MoneyUnit::Yuan), None);
    }

    #[test]
    fn areas_years_bools() {
        assert_eq!(parse_area_text("643.81"), Some(64381));
        assert_eq!(parse_area_text("250.5㎡"), Some(25050));
        assert_eq!(parse_area_number(232.79), Some(23279));
        assert_eq!(parse_year_index("第2年"), Some(2));
        assert_eq!(parse_year_index("第三年"), Some(3));
        assert_eq!(parse_year_index("第2年度"), Some(2));
        assert_eq!(parse_year_index("首年"), Some(1));
        assert_eq!(parse_date_text("2023 年 5 月 1 日").map(iso).as_deref(), Some("2023-05-01"));
        assert_eq!(parse_date_text("2023.5.1.").map(iso).as_deref(), Some("2023-05-01"));
        for t in ["2023-11-06 至 2026-11-05", "2023.11.06 - 2026.11.05", "2023-11-06 ~ 2026-11-05", "2023年11月6日 至 2026年11月5日"] {
            assert_eq!(parse_date_text(t), None, "{t}: a range is no date");
        }
        for t in ["2023年05月01日 00:00:00", "2023年5月1日 10:30", "2023年5月1日 星期一", "2023 年  5 月 1 日", "2023-05-01 00:00:00", "2023-05-01T08:00:00"]
        {
            assert_eq!(parse_date_text(t).map(iso).as_deref(), Some("2023-05-01"), "{t}");
        }
        assert_eq!(parse_amount_text("500万元人民币", MoneyUnit::Yuan), Some(500_000_000));
        assert_eq!(parse_year_index("2.0"), Some(2));
        assert_eq!(parse_year_index("2.5"), None);
        assert_eq!(parse_bool("是"), Some(true));
        assert_eq!(parse_bool("否"), Some(false));
        assert_eq!(parse_bool("maybe"), None);
        for (t, b) in [("✔", true), ("已认定", true), ("是（2023年认定）", true), ("非高企", false), ("否(未申报)", false), (" 是 ", true)] {
            assert_eq!(parse_bool(t), Some(b), "{t}");
        }
        assert_eq!(parse_bool("是（已过期）"), None);
        assert_eq!(parse_bool("高企（2019年认定，已失效）"), None);
        // An x could mean either: asked about, not guessed.
        assert_eq!(parse_bool("x"), None);
    }
}
