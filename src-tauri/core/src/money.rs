//! Money is integer fen (`i64`) from parsing to PDF. This module formats fen as 元 with thousands
//! separators, writes the capitals of a money line (大写金额) and parses what people type.

/// 123456789 → "1,234,567.89"
pub fn fmt_yuan(fen: i64) -> String {
    let neg = fen < 0;
    let a = fen.unsigned_abs();
    let yuan = a / 100;
    let cents = a % 100;
    let digits = yuan.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{}{}.{:02}", if neg { "-" } else { "" }, grouped, cents)
}

/// 123456789 → "1234567.89" (no separators; for CSV and inputs)
pub fn fmt_yuan_plain(fen: i64) -> String {
    let neg = fen < 0;
    let a = fen.unsigned_abs();
    format!("{}{}.{:02}", if neg { "-" } else { "" }, a / 100, a % 100)
}

/// Fen as 万元, exact, at least two decimals: 5_000_000_00 → "500.00", 1_234_567 → "1.234567"
/// (for CSV; the registry shows registered capital in 万元).
pub fn fmt_wan_plain(fen: i64) -> String {
    let neg = fen < 0;
    let a = fen.unsigned_abs();
    let frac = format!("{:06}", a % 1_000_000);
    let frac = frac.trim_end_matches('0');
    let frac = if frac.len() < 2 { &format!("{frac:0<2}") } else { frac };
    format!("{}{}.{}", if neg { "-" } else { "" }, a / 1_000_000, frac)
}

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
const UNITS: [&str; 4] = ["", "拾", "佰", "仟"];
const SECTIONS: [&str; 4] = ["", "万", "亿", "万亿"];

/// 大写金额 per the central bank's rules (《支付结算办法》): 1409.50 → 壹仟肆佰零玖元伍角,
/// 325.04 → 叁佰贰拾伍元零肆分, 100000 → 壹拾万元整. Negative amounts are refused (None).
pub fn capitals(fen: i64) -> Option<String> {
    if fen < 0 {
        return None;
    }
    let yuan = (fen / 100) as u64;
    let jiao = ((fen / 10) % 10) as usize;
    let fen_d = (fen % 10) as usize;
    let mut s = String::new();
    if yuan > 0 {
        s.push_str(&integer_capitals(yuan));
        s.push('元');
    }
    if jiao == 0 && fen_d == 0 {
        if yuan == 0 {
            return Some("零元整".into());
        }
        s.push('整');
        return Some(s);
    }
    if jiao > 0 {
        s.push(DIGITS[jiao]);
        s.push('角');
    } else if yuan > 0 {
        // 元 followed by 0 角 and a non-zero 分: write 零.
        s.push('零');
    }
    if fen_d > 0 {
        s.push(DIGITS[fen_d]);
        s.push('分');
    }
    Some(s)
}

fn integer_capitals(mut n: u64) -> String {
    // Split into 4-digit sections from the low end.
    let mut sections = Vec::new();
    while n > 0 {
        sections.push((n % 10000) as usize);
        n /= 10000;
    }
    let mut out = String::new();
    let mut pending_zero = false;
    for (i, &sec) in sections.iter().enumerate().rev() {
        if sec == 0 {
            pending_zero = !out.is_empty();
            continue;
        }
        if pending_zero || (!out.is_empty() && sec < 1000) {
            out.push('零');
        }
        pending_zero = false;
        out.push_str(&section_capitals(sec));
        out.push_str(SECTIONS[i.min(3)]);
    }
    out
}

fn section_capitals(sec: usize) -> String {
    let d = [sec / 1000, (sec / 100) % 10, (sec / 10) % 10, sec % 10];
    let mut out = String::new();
    let mut zero = false;
    let mut started = false;
    for (i, &x) in d.iter().enumerate() {
        if x == 0 {
            if started {
                zero = true;
            }
            continue;
        }
        if zero {
            out.push('零');
            zero = false;
        }
        out.push(DIGITS[x]);
        out.push_str(UNITS[3 - i]);
        started = true;
    }
    out
}

/// Round a rational `num / den` (den > 0) half-up to an integer: the one rounding of a calculation.
pub fn div_round_half_up(num: i128, den: i128) -> i128 {
    assert!(den > 0);
    if num >= 0 {
        (num + den / 2) / den
    } else {
        -((-num + den / 2) / den)
    }
}

/// Parse a decimal written by a person ("1,234.5", "12.5", "１２３") into an integer scaled by
/// 10^`scale`, exactly (no float). Returns None for anything else or for more decimals than `scale`
/// allows when `strict`; otherwise extra decimals are rounded half-up.
pub fn parse_decimal_scaled(s: &str, scale: u32) -> Option<i128> {
    let t: String = crate::text::clean(s)
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap(),
            '．' => '.',
            '，' | ',' => ',',
            '－' | '−' => '-',
            c => c,
        })
        .filter(|c| *c != ' ')
        .collect();
    // Commas only as thousands separators: "1,234,567.89", not "1234,50" (a decimal comma) or "12,34".
    if t.contains(',') {
        let int = t.split('.').next().unwrap_or("").trim_start_matches(['-', '+']);
        let groups: Vec<&str> = int.split(',').collect();
        let ok = t.split_once('.').is_none_or(|(_, f)| !f.contains(',')) && (1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3);
        if !ok {
            return None;
        }
    }
    let t: String = t.chars().filter(|c| *c != ',').collect();
    if t.is_empty() {
        return None;
    }
    let (neg, body) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(&t)),
    };
    let (int_part, frac_part) = match body.split_once('.') {
        Some((a, b)) => (a, b),
        None => (body, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part.chars().all(|c| c.is_ascii_digit()) || !frac_part.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if int_part.len() > 18 {
        return None;
    }
    let int: i128 = if int_part.is_empty() { 0 } else { int_part.parse().ok()? };
    let mut v = int * 10i128.pow(scale);
    let frac_digits: Vec<u32> = frac_part.chars().map(|c| c.to_digit(10).unwrap()).collect();
    for (i, d) in frac_digits.iter().enumerate().take(scale as usize) {
        v += (*d as i128) * 10i128.pow(scale - 1 - i as u32);
    }
    if frac_digits.len() > scale as usize && frac_digits[scale as usize] >= 5 {
        v += 1;
    }
    Some(if neg { -v } else { v })
}

/// "1,234.56" (yuan) → 123456 fen.
pub fn parse_yuan(s: &str) -> Option<i64> {
    parse_decimal_scaled(s, 2).and_then(|v| i64::try_from(v).ok())
}

#[cfg(test)]
mod tests {
    #[test]
    fn wan_is_exact_with_at_least_two_decimals() {
        assert_eq!(super::fmt_wan_plain(500_000_000), "500.00");
        assert_eq!(super::fmt_wan_plain(500_500_000), "500.50");
        assert_eq!(super::fmt_wan_plain(1_234_567), "1.234567");
        assert_eq!(super::fmt_wan_plain(100), "0.0001");
        assert_eq!(super::fmt_wan_plain(0), "0.00");
        assert_eq!(super::fmt_wan_plain(-1_500_000), "-1.50");
    }
    use super::*;

    #[test]
    fn capitals_test_vectors() {
        assert_eq!(capitals(140950).unwrap(), "壹仟肆佰零玖元伍角");
        assert_eq!(capitals(600714).unwrap(), "陆仟零柒元壹角肆分");
        assert_eq!(capitals(32504).unwrap(), "叁佰贰拾伍元零肆分");
        assert_eq!(capitals(1640902).unwrap(), "壹万陆仟肆佰零玖元零贰分");
        assert_eq!(capitals(123456789).unwrap(), "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分");
        assert_eq!(capitals(10000000).unwrap(), "壹拾万元整");
    }

    #[test]
    fn capitals_zeros() {
        assert_eq!(capitals(0).unwrap(), "零元整");
        assert_eq!(capitals(5).unwrap(), "伍分");
        assert_eq!(capitals(50).unwrap(), "伍角");
        assert_eq!(capitals(100).unwrap(), "壹元整");
        assert_eq!(capitals(1000000).unwrap(), "壹万元整");
        assert_eq!(capitals(100100).unwrap(), "壹仟零壹元整");
        assert_eq!(capitals(10010000).unwrap(), "壹拾万零壹佰元整");
        assert_eq!(capitals(10000100).unwrap(), "壹拾万零壹元整");
        assert_eq!(capitals(100000000000).unwrap(), "壹拾亿元整");
        assert_eq!(capitals(100000100000).unwrap(), "壹拾亿零壹仟元整");
        assert_eq!(capitals(200000000).unwrap(), "贰佰万元整");
        assert_eq!(capitals(500000000).unwrap(), "伍佰万元整");
        assert_eq!(capitals(10500000).unwrap(), "壹拾万伍仟元整");
        assert_eq!(capitals(-1), None);
    }

    #[test]
    fn yuan_formatting() {
        assert_eq!(fmt_yuan(123456789), "1,234,567.89");
        assert_eq!(fmt_yuan(5), "0.05");
        assert_eq!(fmt_yuan(-100000), "-1,000.00");
        assert_eq!(fmt_yuan_plain(123456789), "1234567.89");
    }

    #[test]
    fn parsing() {
        assert_eq!(parse_yuan("1,234.00"), Some(123400));
        assert_eq!(parse_yuan("１２３．４"), Some(12340));
        assert_eq!(parse_yuan("0.005"), Some(1));
        assert_eq!(parse_yuan("0.004"), Some(0));
        assert_eq!(parse_yuan("12a"), None);
        assert_eq!(parse_yuan(""), None);
        assert_eq!(parse_yuan("-5"), Some(-500));
        assert_eq!(div_round_half_up(5, 10), 1);
        assert_eq!(div_round_half_up(4, 10), 0);
        assert_eq!(div_round_half_up(-5, 10), -1);
    }
}
