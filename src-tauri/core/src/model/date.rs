//! Days: the business day (`today`, which HUIQI_TODAY moves for tests), dates as parks type them
//! (ISO, 2023年5月1日, 2023/5/1, 20230501, Excel serials), dates as notices print them, and
//! Chinese numerals (第二条).

use chrono::{Datelike, NaiveDate};

use crate::text::halfwidth;

/// Excel's serial day (1900 date system, epoch 1899-12-30) to a date; plausible range only.
pub fn excel_serial_to_date(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || !(1.0..=2_958_465.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_signed(chrono::Duration::days(days))
}

/// Serials that are plausibly dates for this app (1950 … 2100).
fn plausible_serial(v: f64) -> bool {
    (18_264.0..=73_051.0).contains(&v)
}

/// The years a date in a park's table can have (text dates and date cells alike).
pub const DATE_YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

fn ymd(y: i64, m: i64, d: i64) -> Option<NaiveDate> {
    if !(i64::from(*DATE_YEARS.start())..=i64::from(*DATE_YEARS.end())).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y as i32, u32::try_from(m).ok()?, u32::try_from(d).ok()?)
}

/// A date cell (a real date in the sheet) within the years a table can mean: 0 shown as a date
/// (1899-12-31) or a formula on a blank cell (有效期至 − 1095 → 1896) is no date.
pub fn plausible_date(d: NaiveDate) -> Option<NaiveDate> {
    DATE_YEARS.contains(&d.year()).then_some(d)
}

/// A date written as four-digit year, month and day (2023-05-01, 9999/12/31, 2023年5月1日), any
/// year; a time after it is passed over. The numbers as written, before any calendar check.
fn ymd_written(raw: &str) -> Option<(i32, u32, u32)> {
    let s = halfwidth(raw);
    let s = s.split([' ', 'T']).next().unwrap_or("").trim().trim_end_matches(['日', '号']);
    let parts: Vec<&str> = s.split(['-', '/', '.', '年', '月']).collect();
    if parts.len() != 3 || parts[0].len() != 4 || parts.iter().any(|p| p.is_empty() || p.len() > 4 || !p.chars().all(|c| c.is_ascii_digit())) {
        return None;
    }
    Some((parts[0].parse().ok()?, parts[1].parse().ok()?, parts[2].parse().ok()?))
}

/// [`ymd_written`] as a calendar date, any year (9999-12-31 included).
pub fn parse_ymd_literal(raw: &str) -> Option<NaiveDate> {
    let (y, m, d) = ymd_written(raw)?;
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Why a text written like a date (four-digit year, month, day) is none: the day does not
/// exist in that month (2023-02-29, 2023-04-31, 2023.13.01), or the year is out of range.
pub enum DateProblem {
    NoSuchDay,
    Year,
}

pub fn date_problem(raw: &str) -> Option<DateProblem> {
    let (y, m, d) = ymd_written(raw)?;
    if !DATE_YEARS.contains(&y) {
        Some(DateProblem::Year)
    } else if NaiveDate::from_ymd_opt(y, m, d).is_none() {
        Some(DateProblem::NoSuchDay)
    } else {
        None
    }
}

/// A date typed as text: 2023-05-01, 2023.5.1, 2023/5/1, 2023年5月1日, 20230501,
/// 2023-05-01 00:00:00, 2023-05-01T00:00:00, or an Excel serial typed as text (45047).
pub fn parse_date_text(raw: &str) -> Option<NaiveDate> {
    let mut s = halfwidth(raw);
    if s.is_empty() || s.len() > 40 {
        return None;
    }
    // "2023 年 5 月 1 日": spaces around 年 and 月 (and before 日) are no time part; a time after
    // 日 ("2023年5月1日 10:30") stays apart.
    if s.contains('年') {
        for (from, to) in [(" 年", "年"), ("年 ", "年"), (" 月", "月"), ("月 ", "月"), (" 日", "日")] {
            while s.contains(from) {
                s = s.replace(from, to);
            }
        }
    }
    // Drop a time part, or a weekday; anything else after the date ("至 2026-11-05") is no date.
    let (s, rest) = s.split_once(['T', ' ']).unwrap_or((s.as_str(), ""));
    let rest = rest.trim();
    let time = rest.chars().all(|c| c.is_ascii_digit() || matches!(c, ':' | '.' | ' ' | 'Z')) || rest.starts_with("星期") || rest.starts_with('周');
    if !time {
        return None;
    }
    let s = s.trim();
    let s = s.trim_end_matches('日').trim_end_matches('号').trim_end_matches('.');
    if s.chars().all(|c| c.is_ascii_digit()) {
        return match s.len() {
            8 => ymd(s[0..4].parse().ok()?, s[4..6].parse().ok()?, s[6..8].parse().ok()?),
            5 => {
                let v: f64 = s.parse().ok()?;
                if plausible_serial(v) {
                    excel_serial_to_date(v)
                } else {
                    None
                }
            }
            _ => None,
        };
    }
    // A serial with decimals typed as text: "45047.0", "45047.5"
    if let Some((a, b)) = s.split_once('.') {
        // (a time of day after the point is dropped: "45047.5" is noon of that day)
        if a.len() == 5 && a.chars().all(|c| c.is_ascii_digit()) && b.chars().all(|c| c.is_ascii_digit()) && !b.is_empty() {
            let v: f64 = a.parse().ok()?;
            return if plausible_serial(v) { excel_serial_to_date(v) } else { None };
        }
    }
    let parts: Vec<&str> = s.split(['-', '/', '.', '年', '月']).collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || p.len() > 4 || !p.chars().all(|c| c.is_ascii_digit())) {
        return None;
    }
    if parts[0].len() != 4 {
        return None;
    }
    ymd(parts[0].parse().ok()?, parts[1].parse().ok()?, parts[2].parse().ok()?)
}

/// A date from a numeric cell that carries no date format: a serial, or 20230501 typed as a number.
pub fn date_from_number(v: f64) -> Option<NaiveDate> {
    if v.fract() == 0.0 && (19_000_101.0..=22_001_231.0).contains(&v) {
        let n = v as i64;
        return ymd(n / 10000, (n / 100) % 100, n % 100);
    }
    if plausible_serial(v) {
        return excel_serial_to_date(v);
    }
    None
}

pub fn iso(d: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

/// Today: the system's date, or `HUIQI_TODAY` (YYYY-MM-DD) when it is set — what the end-to-end
/// tests use to run a 公示 period to its end by starting the app again on a later day. Everything
/// that depends on the day (a 公示 running, a payment held, reminders, the budget year) reads it
/// here.
pub fn today() -> NaiveDate {
    std::env::var("HUIQI_TODAY").ok().and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()).unwrap_or_else(|| chrono::Local::now().date_naive())
}

/// 1 → 一, 12 → 十二, 20 → 二十 (article numbers).
pub fn chinese_number(n: i64) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n as usize].to_string(),
        10 => "十".into(),
        11..=19 => format!("十{}", D[(n % 10) as usize]),
        20..=99 => format!("{}十{}", D[(n / 10) as usize], if n % 10 == 0 { "" } else { D[(n % 10) as usize] }),
        _ => n.to_string(),
    }
}

/// 2026年3月5日 (no padding).
pub fn zh_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// An ISO date as 2026年3月5日; any other text as it is.
pub fn zh_date_text(s: &str) -> String {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map(zh_date).unwrap_or_else(|_| s.to_string())
}
