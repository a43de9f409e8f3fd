//! What each import kind holds, the header synonyms parks use, and how the header row, the kind
//! and the column mapping are found.

pub use crate::model::import::{Field, FieldType, Kind, CERT_FIELDS, ENTERPRISE_FIELDS, RENT_FIELDS};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::read::Cell;
use crate::text::halfwidth;

/// Headers we know and deliberately ignore (not reported as unknown), written in the form `norm`
/// gives (a test holds them to it).
const IGNORED: &[&str] = &["序号", "编号序号", "备注", "说明", "NO"];

/// A header cell split into its name and its unit: "注册资本（万元）" → ("注册资本", Some("万元")).
pub fn split_header(raw: &str) -> (String, Option<String>) {
    let s = halfwidth(raw).replace(['\n', '\r', ' ', '\u{3000}'], "");
    let mut base = String::new();
    let mut unit: Option<String> = None;
    let mut depth = 0;
    let mut inner = String::new();
    for c in s.chars() {
        match c {
            '（' | '(' | '[' | '【' => {
                depth += 1;
                if depth == 1 {
                    inner.clear();
                } else {
                    inner.push('(');
                }
            }
            '）' | ')' | ']' | '】' if depth > 1 => {
                depth -= 1;
                inner.push(')');
            }
            '）' | ')' | ']' | '】' if depth > 0 => {
                depth -= 1;
                let u = inner.trim().to_string();
                // A unit with a note after it: "万元，外币折算人民币".
                let first = u.split([',', '，', ';', '；']).next().unwrap_or("");
                if let Some(c) = canonical_unit(&u).or_else(|| canonical_unit(first)) {
                    // 年租金单价（元/㎡）: a rent per ㎡ that names no period takes the column's.
                    let c = match c {
                        UNIT_RENT_MONTH if !u.contains('月') && base.contains('年') => UNIT_RENT_YEAR,
                        UNIT_RENT_MONTH if !u.contains('月') && (base.contains('日') || base.contains('天')) => UNIT_RENT_DAY,
                        c => c,
                    };
                    unit = Some(c.to_string());
                } else if unit.is_none() && (is_unsupported_money_unit(&u) || looks_like_rent_unit(&u) || UNREAD_AREA_UNITS.contains(&u.as_str())) {
                    unit = Some(u);
                }
                // Other parentheticals ("全称", "18位", "第几年") are folded into the base for matching.
                else if !u.is_empty() {
                    base.push_str(&u);
                }
            }
            _ if depth > 0 => inner.push(c),
            _ => base.push(c),
        }
    }
    // "金额/元", "面积：㎡", "注册资本万元" (unit glued on)
    for sep in ['/', '：', ':'] {
        if let Some((a, b)) = base.clone().split_once(sep) {
            if let Some(c) = canonical_unit(b) {
                base = a.to_string();
                unit = Some(c.to_string());
            }
        }
    }
    // 万美元, 千元 glued on: kept as written (the amounts are refused, see validate), never
    // taken for 元 below.
    if unit.is_none() {
        if let Some(u) = UNSUPPORTED_MONEY.iter().find(|u| base.ends_with(*u) && base.chars().count() > u.chars().count() + 1) {
            let mut from = base.len() - u.len();
            if base[..from].ends_with('万') {
                from -= '万'.len_utf8();
            }
            unit = Some(base[from..].to_string());
            base.truncate(from);
        }
    }
    for u in ["万元", "元/㎡/月", "元/平方米/月", "元/㎡/天", "元/平方米/天", "元", "㎡", "平方米"] {
        if unit.is_none() && base.ends_with(u) && base.chars().count() > u.chars().count() + 1 {
            base.truncate(base.len() - u.len());
            unit = canonical_unit(u).map(String::from);
        }
    }
    (base, unit)
}

/// Money units the ledger does not keep: other currencies, and 千元/亿元 (rare enough that a
/// park converts them rather than the import guessing). A column in one is refused, never read
/// as 元.
const UNSUPPORTED_MONEY: &[&str] = &["美元", "美金", "港元", "港币", "欧元", "日元", "英镑", "千元", "百万元", "亿元", "USD", "HKD", "EUR", "JPY", "GBP"];

/// Whether an amount field reads its header's unit: a unit rent in 元 per ㎡ per month, day or
/// year (or 元); any other amount in 元 or 万元 (an annual rent “per ㎡” is no annual rent).
pub fn is_money_unit(field: &str, u: &str) -> bool {
    if field == "unit_rent_fen" {
        matches!(u, UNIT_YUAN | UNIT_RENT_MONTH | UNIT_RENT_DAY | UNIT_RENT_YEAR)
    } else {
        matches!(u, UNIT_WAN | UNIT_YUAN)
    }
}

/// Area units the import does not convert: refused, never read as ㎡.
const UNREAD_AREA_UNITS: &[&str] = &["亩", "万㎡", "万平方米", "万平米", "公顷", "平方公里", "k㎡"];

/// A rent per area the import cannot read (元/㎡/季度): refused, never taken for per month.
fn looks_like_rent_unit(u: &str) -> bool {
    let u = halfwidth(u);
    u.contains('元') && ["㎡", "平方米", "平米", "m2", "M2", "m²"].iter().any(|a| u.contains(a)) && canonical_unit(&u).is_none()
}

/// Whether a header's unit is a money unit the import does not read (万美元, 千元, USD/年): the
/// whole text is the unit, not a note that mentions a currency (（美元企业请折算）).
pub fn is_unsupported_money_unit(raw: &str) -> bool {
    let u = halfwidth(raw).replace([' ', '\u{3000}'], "").to_uppercase();
    let u = u.trim_end_matches("/年");
    let bare = ["万", "千", "百万", "亿"].iter().find_map(|p| u.strip_prefix(p)).unwrap_or(u);
    UNSUPPORTED_MONEY.iter().any(|m| u == *m || bare == *m)
}

/// The money unit a line above the header states for the whole table ("金额单位：万元",
/// "（单位：万元）"); "填报单位：某园区" states none.
pub fn table_money_unit<'a>(lines: impl IntoIterator<Item = &'a [Cell]>) -> Option<&'static str> {
    for line in lines {
        for c in line {
            let Cell::Text(t) = c else { continue };
            let t = halfwidth(t).replace('\u{3000}', " ");
            let mut rest = t.as_str();
            while let Some(i) = rest.find("单位") {
                rest = &rest[i + "单位".len()..];
                let after = rest.trim_start_matches([':', '：', '为', '是', ' ']);
                // "金额单位：万元  面积单位：平方米": a space ends the unit too.
                let end = after.find([')', '）', ',', '，', ';', '；', '、', '。', ' ']).unwrap_or(after.len());
                let unit = &after[..end];
                // "单位：万元/平方米": money in 万元, areas in ㎡.
                let money = canonical_unit(unit).or_else(|| canonical_unit(unit.split('/').next().unwrap_or("")));
                if let Some(u @ (UNIT_WAN | UNIT_YUAN)) = money {
                    return Some(u);
                }
            }
        }
    }
    None
}

/// The units a header can state, as the import uses them.
pub const UNIT_WAN: &str = "万元";
pub const UNIT_YUAN: &str = "元";
pub const UNIT_M2: &str = "㎡";
pub const UNIT_RENT_MONTH: &str = "元/㎡/月";
/// Rent per ㎡ per day: a month is 365 ÷ 12 days.
pub const UNIT_RENT_DAY: &str = "元/㎡/天";
pub const UNIT_RENT_YEAR: &str = "元/㎡/年";

/// A unit as written in a header, in the import's terms: "万元/年", "万", "万元人民币" → 万元;
/// "元/平方米/月", "元/月·㎡" → 元/㎡/月; "元/㎡/日" → 元/㎡/天. None when the text is no unit
/// ("全称", "18位", "第几年").
pub fn canonical_unit(raw: &str) -> Option<&'static str> {
    let mut u = halfwidth(raw).replace([' ', '\u{3000}'], "");
    for (from, to) in [
        ("人民币", ""),
        ("RMB", ""),
        ("平方米", "㎡"),
        ("平米", "㎡"),
        ("m²", "㎡"),
        ("M²", "㎡"),
        ("m2", "㎡"),
        ("M2", "㎡"),
        ("·", "/"),
        ("•", "/"),
        ("・", "/"),
        (".", "/"),
        ("．", "/"),
        ("*", "/"),
        ("×", "/"),
        ("(", "/"),
        (")", "/"),
        ("（", "/"),
        ("）", "/"),
        ("每", "/"),
        ("日", "天"),
    ] {
        u = u.replace(from, to);
    }
    let u = u.trim_matches('/');
    let parts: Vec<&str> = u.split('/').filter(|p| !p.is_empty()).collect();
    let has = |p: &str| parts.contains(&p);
    let only = |allowed: &[&str]| parts.iter().all(|p| allowed.contains(p));
    if parts.is_empty() {
        return None;
    }
    if has("㎡") && has("元") && only(&["元", "㎡", "月", "天", "年"]) {
        return Some(if has("天") {
            UNIT_RENT_DAY
        } else if has("年") {
            UNIT_RENT_YEAR
        } else {
            UNIT_RENT_MONTH
        });
    }
    if parts == ["㎡"] {
        return Some(UNIT_M2);
    }
    if only(&["万元", "万", "年"]) && (has("万元") || has("万")) {
        return Some(UNIT_WAN);
    }
    if only(&["元", "年"]) && has("元") {
        return Some(UNIT_YUAN);
    }
    None
}

/// A header as compared with the synonyms: no marks of required fields or colons, upper case.
/// The synonyms and [`IGNORED`] are written in this form already (a test holds them to it).
fn norm(s: &str) -> String {
    s.chars().filter(|c| !matches!(c, '*' | '＊' | '△' | '▲' | '：' | ':' | '"' | '“' | '”')).collect::<String>().to_uppercase()
}

/// The field of `kind` a header names, if any.
/// No header is longer than this (bytes): a longer cell is data, and is not worked over as one.
pub const MAX_HEADER_BYTES: usize = 300;

pub fn match_field(kind: Kind, header: &str) -> Option<&'static Field> {
    match_strength(kind, header).map(|(f, _)| f)
}

/// Two-character synonyms a longer header may start with and still mean the field (电话号码,
/// 地址详细). Others (企业, 名称, 编号, 类型) begin too many other headers: 企业类型, 名称简称.
const SAFE_SHORT_PREFIXES: &[&str] = &["电话", "手机", "地址", "面积", "住所"];

/// The field a header names and how surely: an exact synonym weighs its length plus 1000, a
/// synonym the header starts with (企业名称全称) its length. A column that names a field exactly
/// takes it before one that only starts with a synonym; 证书编号 before 编号.
fn match_strength(kind: Kind, header: &str) -> Option<(&'static Field, usize)> {
    if header.len() > MAX_HEADER_BYTES {
        return None;
    }
    let (base, _) = split_header(header);
    let b = norm(&base);
    if b.is_empty() {
        return None;
    }
    for f in kind.fields() {
        if f.synonyms.contains(&b.as_str()) {
            return Some((f, 1000 + b.chars().count()));
        }
    }
    // The name before a note in brackets: 名称（全称）, 园区（载体）, 高企（是/否）.
    let head = norm(&halfwidth(header).replace(['\n', '\r', ' ', '\u{3000}'], ""));
    let head = head.split(['（', '(', '[', '【']).next().unwrap_or("");
    if head.len() < b.len() {
        for f in kind.fields() {
            if f.synonyms.contains(&head) {
                return fits(f, &b[head.len()..]).then_some((f, 900 + head.chars().count()));
            }
        }
    }
    let mut best: Option<(&'static Field, usize)> = None;
    for f in kind.fields() {
        for s in f.synonyms {
            let n = s.chars().count();
            let allowed = n >= 3 || SAFE_SHORT_PREFIXES.contains(s);
            if allowed && b.starts_with(s) && best.is_none_or(|(_, l)| n > l) {
                best = Some((f, n));
            }
        }
    }
    let (f, n) = best?;
    let rest = &b[f.synonyms.iter().find(|s| b.starts_with(**s) && s.chars().count() == n).map_or(0, |s| s.len())..];
    // 联系人手机: what follows names another field (手机), which it is.
    if let Some(other) = kind.fields().iter().find(|o| o.name != f.name && o.synonyms.contains(&rest)) {
        return Some((other, n));
    }
    fits(f, rest).then_some((f, n))
}

/// Whether what follows a field's name in a header (a note, the rest of a longer name) leaves it
/// that field: not 企业名称（英文）/（曾用名）, not 有效期（起） for an end date, not 申请补贴月数 for
/// an amount.
fn fits(f: &Field, rest: &str) -> bool {
    let has = |ws: &[&str]| ws.iter().any(|w| rest.contains(w));
    if has(&["英文", "外文", "曾用名", "原名", "简称", "拼音"]) {
        return false;
    }
    match f.name {
        "expires_on" | "lease_end" => !has(&["起", "开始", "始", "自", "从"]),
        "lease_start" | "issued_on" => !has(&["止", "结束", "截止", "至", "到期", "终"]),
        _ if f.ty == FieldType::Money => !has(&["月数", "期限", "面积", "年度", "比例", "年限", "天数", "次数", "人数", "年份", "月份"]),
        _ => true,
    }
}

pub fn is_ignored_header(header: &str) -> bool {
    if header.len() > MAX_HEADER_BYTES {
        return false;
    }
    let (base, _) = split_header(header);
    IGNORED.contains(&norm(&base).as_str())
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ColumnMap {
    /// 0-based column index in the sheet.
    pub index: u32,
    /// The header text as in the file.
    pub column: String,
    /// The field it maps to, or null for an unknown / ignored column.
    pub field: Option<String>,
    /// The unit read from the header (万元, 元, ㎡, 元/㎡/月).
    pub unit: Option<String>,
    /// The field is the one chosen at this park's last import of this kind (not the one the
    /// header alone gives).
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    #[ts(as = "Option<bool>", optional)]
    pub remembered: bool,
}

/// Fields only a table of this kind has, all of them: what marks a rent or certification table
/// that also carries roster columns (成立日期, 注册资本).
fn signature(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Enterprises => &[],
        Kind::RentApplications => &["area_centi_m2", "unit_rent_fen", "lease_start", "lease_end"],
        Kind::Certifications => &["kind", "issued_on"],
    }
}

/// The fields of `kind` a row's cells name.
fn score_fields(kind: Kind, row: &[Cell]) -> Vec<&'static str> {
    row.iter().filter_map(|c| if let Cell::Text(t) = c { match_field(kind, t) } else { None }).map(|f| f.name).collect()
}

/// Kind-specific fields that tell the kinds apart.
fn distinctive(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Enterprises => &["founded_on", "registered_capital_fen", "sector", "high_tech", "contact_name"],
        Kind::RentApplications => &["area_centi_m2", "unit_rent_fen", "lease_start", "lease_end", "subsidy_year", "requested_fen", "annual_rent_fen"],
        Kind::Certifications => &["kind", "certificate_no", "issued_on", "expires_on"],
    }
}

#[derive(Debug, Clone)]
pub struct HeaderGuess {
    pub kind: Kind,
    /// 1-based row number of the header.
    pub header_row: u32,
    pub score: usize,
}

/// Find the header row (and the kind unless given) among the first rows of a sheet.
pub fn find_header(rows: &[(u32, Vec<Cell>)], kind: Option<Kind>) -> Option<HeaderGuess> {
    let mut best: Option<HeaderGuess> = None;
    for (n, row) in rows {
        let non_empty = row.iter().filter(|c| !c.is_empty()).count();
        if non_empty < 2 {
            continue; // a title or a 填报单位 line, or blank
        }
        let kinds: Vec<Kind> = match kind {
            Some(k) => vec![k],
            None => Kind::ALL.to_vec(),
        };
        // The fields each kind finds in the row, read once.
        let named: Vec<(Kind, Vec<&str>)> = Kind::ALL.iter().map(|&k| (k, score_fields(k, row))).collect();
        let named_for = |k: Kind| named.iter().find(|(x, _)| *x == k).map(|(_, v)| v.as_slice()).unwrap_or(&[]);
        let signed_other = [Kind::RentApplications, Kind::Certifications].iter().any(|&k| signature(k).iter().all(|s| named_for(k).contains(s)));
        for k in kinds {
            let fields = named_for(k);
            let mut distinct: Vec<&str> = fields.to_vec();
            distinct.sort_unstable();
            distinct.dedup();
            let (score, key) = (distinct.len(), distinct.contains(&"uscc"));
            if score < 2 {
                continue;
            }
            let dist = fields.iter().filter(|f| distinctive(k).contains(f)).count();
            // Rank: distinctive fields weigh most, then all matched fields, then having the key.
            // A rent or certification table often carries roster columns (成立日期, 注册资本):
            // when a row has all of such a table's own fields, roster fields weigh half.
            let weight = if k == Kind::Enterprises && signed_other { 50 } else { 100 };
            let rank = dist * weight + score * 10 + key as usize;
            if best.as_ref().is_none_or(|b| rank > b.score) {
                best = Some(HeaderGuess { kind: k, header_row: *n, score: rank });
            }
        }
    }
    best
}

/// A header over two rows, as one row: where the row under the header holds sub-headers (no
/// data: text only, no code), each sub-header takes its column, read alone or with its group
/// title ("起始日期" under "租赁期限", "上年" under "营业收入" → "上年营业收入"); the other
/// columns keep the top row's text. None when the row under is data, or when reading it maps no
/// more fields than the top row alone.
pub fn two_row_header(kind: Kind, top: &[Cell], sub: &[Cell]) -> Option<Vec<Cell>> {
    let texts: Vec<Option<String>> = sub
        .iter()
        .map(|c| match c {
            Cell::Empty => Some(None),
            Cell::Text(t) if t.trim().is_empty() => Some(None),
            Cell::Text(t) => {
                let t = crate::text::clean(t);
                (!crate::uscc::looks_like_code(&t)).then_some(Some(t))
            }
            _ => None, // a number or a date: data
        })
        .collect::<Option<_>>()?;
    if texts.iter().all(Option::is_none) {
        return None;
    }
    let width = top.len().max(texts.len());
    let mut out = Vec::with_capacity(width);
    let mut group = String::new();
    for i in 0..width {
        let top_text = top.get(i).filter(|c| !c.is_empty()).map(|c| crate::text::clean(&c.display()));
        if let Some(t) = &top_text {
            group = t.clone();
        }
        match texts.get(i).cloned().flatten() {
            Some(sub) => {
                let group = top_text.as_deref().unwrap_or(&group);
                let candidates = [sub.clone(), format!("{sub}{group}"), format!("{group}{sub}")];
                let pick = candidates.iter().find(|c| match_field(kind, c).is_some()).cloned().unwrap_or(candidates[2].clone());
                out.push(Cell::Text(pick));
            }
            None => out.push(top_text.map(Cell::Text).unwrap_or(Cell::Empty)),
        }
    }
    (mapped_count(kind, &out) > mapped_count(kind, top)).then_some(out)
}

/// How many fields of `kind` a header row maps.
pub fn mapped_count(kind: Kind, row: &[Cell]) -> usize {
    map_columns(kind, row).iter().filter(|c| c.field.is_some()).count()
}

/// Map the header row's columns to the fields of `kind`. Each field goes to the column that
/// names it most surely (an exact name before a prefix, the longer name first), then to the
/// leftmost: 企业名称 takes the name over 企业类型, 证书编号 the number over 编号.
pub fn map_columns(kind: Kind, header: &[Cell]) -> Vec<ColumnMap> {
    let mut out = Vec::new();
    let mut claims: Vec<(usize, &'static Field, usize)> = Vec::new();
    for (i, c) in header.iter().enumerate() {
        let text = match c {
            Cell::Empty => continue,
            other => other.display(),
        };
        let text = crate::text::clean(&text);
        if text.is_empty() {
            continue;
        }
        let (base, unit) = if text.len() > MAX_HEADER_BYTES { (String::new(), None) } else { split_header(&text) };
        if let Some((f, strength)) = match_strength(kind, &text) {
            claims.push((out.len(), f, strength));
        } else if kind == Kind::RentApplications
            && matches!(base.as_str(), "租金" | "月租金")
            && matches!(unit.as_deref(), Some(UNIT_RENT_MONTH | UNIT_RENT_DAY | UNIT_RENT_YEAR))
        {
            // 租金（元/㎡/月）: a rent per ㎡ is the unit rent, whatever the column is called.
            claims.push((out.len(), kind.field("unit_rent_fen").expect("a rent field"), 1000));
        }
        out.push(ColumnMap { index: i as u32, column: text, field: None, unit, remembered: false });
    }
    // Strongest first; equal strength keeps column order (a stable sort).
    claims.sort_by_key(|c| std::cmp::Reverse(c.2));
    let mut taken: Vec<&str> = Vec::new();
    for (at, f, _) in claims {
        if !taken.contains(&f.name) {
            taken.push(f.name);
            out[at].field = Some(f.name.to_string());
        }
    }
    // Revenue by year (2022年营业收入 | 2023年营业收入, or 营业收入 over 2022年 | 2023年): the later
    // year is this year's, the one before it last year's, whatever the column order.
    if kind == Kind::RentApplications && !taken.contains(&"revenue_prev_fen") && !taken.contains(&"revenue_curr_fen") {
        let mut years: Vec<(u32, usize)> =
            out.iter().enumerate().filter(|(_, c)| c.field.is_none()).filter_map(|(i, c)| revenue_year(&c.column).map(|y| (y, i))).collect();
        years.sort_unstable();
        years.dedup_by_key(|(y, _)| *y);
        if let [.., (prev_y, prev), (curr_y, curr)] = years[..] {
            if curr_y == prev_y + 1 {
                out[prev].field = Some("revenue_prev_fen".into());
                out[curr].field = Some("revenue_curr_fen".into());
            }
        }
    }
    out
}

/// The year of a revenue column named by its year: 2023年营业收入, 2023年度主营业务收入（万元）,
/// 营业收入2023年.
fn revenue_year(header: &str) -> Option<u32> {
    let (base, _) = split_header(header);
    let b = norm(&base);
    let rest = ["营业收入", "主营业务收入", "销售收入", "营收"].iter().find_map(|w| b.strip_suffix(w).or_else(|| b.strip_prefix(w)))?;
    let digits: String = rest.chars().filter(|c| c.is_ascii_digit()).collect();
    let words = rest.replace(|c: char| c.is_ascii_digit(), "");
    (digits.len() == 4 && ["年", "年度", ""].contains(&words.as_str())).then(|| digits.parse().ok()).flatten().filter(|y| (1990..=2100).contains(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_as_parks_write_them() {
        for (raw, unit) in [
            ("万元", Some(UNIT_WAN)),
            ("万", Some(UNIT_WAN)),
            ("万元/年", Some(UNIT_WAN)),
            ("万元人民币", Some(UNIT_WAN)),
            ("元", Some(UNIT_YUAN)),
            ("元/年", Some(UNIT_YUAN)),
            ("人民币元", Some(UNIT_YUAN)),
            ("㎡", Some(UNIT_M2)),
            ("平方米", Some(UNIT_M2)),
            ("m2", Some(UNIT_M2)),
            ("元/㎡/月", Some(UNIT_RENT_MONTH)),
            ("元/平方米/月", Some(UNIT_RENT_MONTH)),
            ("元/月·㎡", Some(UNIT_RENT_MONTH)),
            ("元/㎡·天", Some(UNIT_RENT_DAY)),
            ("元/平米/日", Some(UNIT_RENT_DAY)),
            ("元/㎡/年", Some(UNIT_RENT_YEAR)),
            ("全称", None),
            ("18位", None),
            ("第几年", None),
            ("万人", None),
            ("", None),
        ] {
            assert_eq!(canonical_unit(raw), unit, "{raw}");
        }
        assert_eq!(split_header("注册资本（万）"), ("注册资本".to_string(), Some(UNIT_WAN.to_string())));
        assert_eq!(split_header("年租金（万元/年）"), ("年租金".to_string(), Some(UNIT_WAN.to_string())));
        assert_eq!(split_header("租金单价（元/㎡/天）"), ("租金单价".to_string(), Some(UNIT_RENT_DAY.to_string())));
        assert_eq!(split_header("统一社会信用代码（18位）").1, None);
        // Units the ledger does not keep stay as written (and are refused), never taken for 元.
        for (h, u) in [("注册资本（万美元）", "万美元"), ("年租金(千元)", "千元"), ("营业收入亿元", "亿元"), ("注册资本万美元", "万美元")]
        {
            assert_eq!(split_header(h).1.as_deref(), Some(u), "{h}");
            assert!(is_unsupported_money_unit(u));
        }
    }

    #[test]
    fn wordings_parks_use_for_lease_dates_codes_and_names() {
        let t = |s: &str| Cell::Text(s.into());
        let fields = |kind: Kind, row: &[Cell]| map_columns(kind, row).into_iter().map(|c| c.field).collect::<Vec<_>>();
        let f = |s: &str| Some(s.to_string());
        assert_eq!(
            fields(
                Kind::RentApplications,
                &[t("纳税人识别号（统一社会信用代码）"), t("申报企业名称"), t("租赁起始时间"), t("租赁到期时间"), t("实际租赁面积（㎡）")]
            ),
            [f("uscc"), f("name"), f("lease_start"), f("lease_end"), f("area_centi_m2")]
        );
        let top = [t("企业名称"), t("统一社会信用代码"), t("租赁期限"), Cell::Empty, t("租赁面积"), t("租金单价"), t("申请补贴年度")];
        for (a, b) in [("自", "至"), ("开始", "结束"), ("起始时间", "截止时间"), ("起租日", "到期日")] {
            let sub = [Cell::Empty, Cell::Empty, t(a), t(b), Cell::Empty, Cell::Empty, Cell::Empty];
            let row = two_row_header(Kind::RentApplications, &top, &sub).unwrap_or_else(|| panic!("{a}/{b}"));
            assert_eq!(fields(Kind::RentApplications, &row)[2..4], [f("lease_start"), f("lease_end")], "{a}/{b}");
        }
        assert_eq!(fields(Kind::RentApplications, &[t("租金（元/㎡/月）"), t("租金")]), [f("unit_rent_fen"), None]);
        // Revenue by year, in either order, and under a group title.
        assert_eq!(fields(Kind::RentApplications, &[t("2023年营业收入（万元）"), t("2022年营业收入（万元）")]), [f("revenue_curr_fen"), f("revenue_prev_fen")]);
        let top = [t("企业名称"), t("统一社会信用代码"), t("营业收入（万元）"), Cell::Empty];
        let sub = [Cell::Empty, Cell::Empty, t("2022年"), t("2023年")];
        let row = two_row_header(Kind::RentApplications, &top, &sub).expect("a two-row header");
        assert_eq!(fields(Kind::RentApplications, &row)[2..], [f("revenue_prev_fen"), f("revenue_curr_fen")]);
        assert_eq!(split_header(&row[2].display()).1.as_deref(), Some(UNIT_WAN));
        // 年租金单价（元/㎡） is per year; an area in 亩 keeps its unit (and is refused).
        assert_eq!(split_header("年租金单价（元/㎡）").1.as_deref(), Some(UNIT_RENT_YEAR));
        assert_eq!(split_header("租赁面积（亩）").1.as_deref(), Some("亩"));
        assert_eq!(fields(Kind::RentApplications, &[t("租赁起始日"), t("租赁截止日")]), [f("lease_start"), f("lease_end")]);
        // A name with a note in brackets is still the name.
        assert_eq!(
            fields(Kind::Enterprises, &[t("名称（全称）"), t("园区（载体）"), t("高企（是/否）"), t("行业类别")]),
            [f("name"), f("park"), f("high_tech"), f("sector")]
        );
        assert_eq!(fields(Kind::Enterprises, &[t("企业名"), t("名称（全称）")]), [f("name"), None], "an exact name before a bracketed one");
        assert_eq!(fields(Kind::RentApplications, &[t("单价（元/㎡.月）"), t("单价（元/平米•月）")])[0], f("unit_rent_fen"));
        assert_eq!(split_header("单价（元/平米•月）").1.as_deref(), Some(UNIT_RENT_MONTH));
        // A unit with a note; a note that names a currency is no unit.
        assert_eq!(split_header("注册资本（万元，外币折算人民币）").1.as_deref(), Some(UNIT_WAN));
        assert_eq!(split_header("注册资本（万元）（美元企业请折算）").1.as_deref(), Some(UNIT_WAN));
        assert_eq!(split_header("注册资本（万元）（不含港元）").1.as_deref(), Some(UNIT_WAN));
        // 企业类型 and 企业负责人 begin like 企业 but name no field.
        assert_eq!(fields(Kind::Enterprises, &[t("企业类型"), t("企业负责人")]), [None, None]);
    }

    #[test]
    fn a_header_over_two_rows_is_read_as_one() {
        let t = |s: &str| Cell::Text(s.into());
        let top = [t("企业名称"), t("统一社会信用代码"), t("租赁期限"), Cell::Empty, t("营业收入（万元）"), Cell::Empty, t("申请补贴年度")];
        let sub = [Cell::Empty, Cell::Empty, t("起始日期"), t("截止日期"), t("上年"), t("本年"), Cell::Empty];
        let row = two_row_header(Kind::RentApplications, &top, &sub).unwrap();
        let fields: Vec<Option<String>> = map_columns(Kind::RentApplications, &row).into_iter().map(|c| c.field).collect();
        let want = ["name", "uscc", "lease_start", "lease_end", "revenue_prev_fen", "revenue_curr_fen", "subsidy_year"];
        assert_eq!(fields, want.iter().map(|f| Some(f.to_string())).collect::<Vec<_>>());
        // The group's unit goes with it.
        assert_eq!(map_columns(Kind::RentApplications, &row)[4].unit.as_deref(), Some(UNIT_WAN));
        // A data row under the header is not a header.
        let data = [t("南京甲乙科技有限公司"), t("914403001922038216"), Cell::Number(45292.0)];
        assert_eq!(two_row_header(Kind::RentApplications, &top, &data), None);
        let data = [t("南京甲乙科技有限公司"), t("914403001922038216"), t("2024-01-01")];
        assert_eq!(two_row_header(Kind::RentApplications, &top, &data), None, "maps nothing more");
        assert_eq!(two_row_header(Kind::RentApplications, &top, &[Cell::Empty]), None);
    }

    #[test]
    fn a_unit_line_above_the_table_is_read() {
        let t = |s: &str| vec![Cell::Text(s.into())];
        assert_eq!(table_money_unit([t("2024年企业名单").as_slice(), t("填报单位：麒麟园  金额单位：万元").as_slice()]), Some(UNIT_WAN));
        assert_eq!(table_money_unit([t("（单位：元）").as_slice()]), Some(UNIT_YUAN));
        assert_eq!(table_money_unit([t("填报单位：江宁开发区管委会").as_slice(), t("填报日期：2024年3月1日").as_slice()]), None);
    }

    #[test]
    fn synonyms_are_written_as_norm_gives_them() {
        for kind in [Kind::Enterprises, Kind::RentApplications, Kind::Certifications] {
            for f in kind.fields() {
                for s in f.synonyms {
                    assert_eq!(&norm(s), s, "{}: {s}", f.name);
                }
            }
        }
        for s in IGNORED {
            assert_eq!(&norm(s), s);
        }
        assert!(is_ignored_header("No") && is_ignored_header("序号*") && !is_ignored_header("企业名称"));
    }

    #[test]
    fn headers_with_units_and_synonyms() {
        assert_eq!(split_header("注册资本（万元）"), ("注册资本".into(), Some("万元".into())));
        assert_eq!(split_header("租金单价（元/㎡/月）"), ("租金单价".into(), Some("元/㎡/月".into())));
        assert_eq!(split_header("统一社会信用代码（18位）").0, "统一社会信用代码18位");
        assert_eq!(match_field(Kind::Enterprises, "统一社会信用代码（18位）").unwrap().name, "uscc");
        assert_eq!(match_field(Kind::Enterprises, "企业名称（全称）").unwrap().name, "name");
        assert_eq!(match_field(Kind::Enterprises, "单位名称").unwrap().name, "name");
        assert_eq!(match_field(Kind::Enterprises, "社会信用代码").unwrap().name, "uscc");
        assert_eq!(match_field(Kind::RentApplications, "申请补贴年度（第几年）").unwrap().name, "subsidy_year");
        assert_eq!(match_field(Kind::RentApplications, "年租金（元）").unwrap().name, "annual_rent_fen");
        assert_eq!(match_field(Kind::RentApplications, "租赁面积（㎡）").unwrap().name, "area_centi_m2");
        assert_eq!(match_field(Kind::RentApplications, "地址").unwrap().name, "lease_address");
        assert_eq!(match_field(Kind::Enterprises, "地址").unwrap().name, "address");
        assert_eq!(split_header("注册资本万元"), ("注册资本".into(), Some("万元".into())));
        assert!(match_field(Kind::Enterprises, "序号").is_none());
        assert!(is_ignored_header("序号"));
    }

    #[test]
    fn header_row_and_kind_found_under_title_lines() {
        let t = |s: &str| Cell::Text(s.into());
        let rows = vec![
            (1, vec![t("2026年度园区科技型企业名录")]),
            (2, vec![t("填报单位：中国（南京）软件谷"), Cell::Empty, Cell::Empty, t("填报日期：2026年7月8日")]),
            (3, vec![t("序号"), t("企业名称"), t("统一社会信用代码"), t("成立日期"), t("注册资本（万元）")]),
            (4, vec![Cell::Number(1.0), t("南京某某科技有限公司"), t("91320114282331851X"), t("2020.7.5"), Cell::Number(500.5)]),
        ];
        let g = find_header(&rows, None).unwrap();
        assert_eq!(g.header_row, 3);
        assert_eq!(g.kind, Kind::Enterprises);
        let rent = vec![(3, vec![t("企业名称"), t("统一社会信用代码"), t("租赁面积（㎡）"), t("租金单价（元/㎡/月）"), t("租期起"), t("租期止")])];
        assert_eq!(find_header(&rent, None).unwrap().kind, Kind::RentApplications);
        let cert = vec![(3, vec![t("企业名称"), t("统一社会信用代码"), t("认定类型"), t("证书编号"), t("发证日期"), t("有效期至")])];
        assert_eq!(find_header(&cert, None).unwrap().kind, Kind::Certifications);
    }
}
