//! Time by calendar day (DESIGN §2, ledger rules): a calendar month counts as covered days / days
//! in that month. Month fractions are kept exact as integer *month units*: 377,580 is the least
//! common multiple of 28, 29, 30 and 31, so one day of any month is a whole number of units
//! (a day of March is 12,180, a day of February 2024 is 13,020) and 36 months are 13,592,880.
//! Sums of fractions are then plain integer sums, with no rounding anywhere.

use chrono::{Datelike, NaiveDate};

/// One month, in units: lcm(28, 29, 30, 31).
pub const MONTH_UNITS: i64 = 377_580;

pub fn days_in_month(y: i32, m: u32) -> i64 {
    let first = NaiveDate::from_ymd_opt(y, m, 1).expect("a valid month");
    let next = if m == 12 { NaiveDate::from_ymd_opt(y + 1, 1, 1) } else { NaiveDate::from_ymd_opt(y, m + 1, 1) }.expect("a valid month");
    (next - first).num_days()
}

pub fn last_of_month(y: i32, m: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, days_in_month(y, m) as u32).expect("a valid day")
}

/// The units one day of `d`'s month is worth.
pub fn day_units(d: NaiveDate) -> i64 {
    MONTH_UNITS / days_in_month(d.year(), d.month())
}

/// Units of the days from `start` to `end`, both included (0 when `end` is before `start`).
pub fn units(start: NaiveDate, end: NaiveDate) -> i64 {
    month_pieces(start, end).iter().map(|p| p.units()).sum()
}

/// The days of one calendar month a span covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthPiece {
    pub year: i32,
    pub month: u32,
    pub days: i64,
    pub of: i64,
}

impl MonthPiece {
    pub fn units(&self) -> i64 {
        self.days * (MONTH_UNITS / self.of)
    }
    pub fn whole(&self) -> bool {
        self.days == self.of
    }
}

/// A span cut into calendar months.
pub fn month_pieces(start: NaiveDate, end: NaiveDate) -> Vec<MonthPiece> {
    let mut out = Vec::new();
    let mut d = start;
    while d <= end {
        let last = last_of_month(d.year(), d.month()).min(end);
        out.push(MonthPiece { year: d.year(), month: d.month(), days: (last - d).num_days() + 1, of: days_in_month(d.year(), d.month()) });
        match last.succ_opt() {
            Some(n) => d = n,
            None => break,
        }
    }
    out
}

/// "17/31 + 11 + 14/31": the month fractions of a span, whole months added together.
pub fn fraction_sum(start: NaiveDate, end: NaiveDate) -> String {
    let mut terms: Vec<String> = Vec::new();
    let mut whole = 0;
    for p in month_pieces(start, end) {
        if p.whole() {
            whole += 1;
            continue;
        }
        if whole > 0 {
            terms.push(whole.to_string());
            whole = 0;
        }
        terms.push(format!("{}/{}", p.days, p.of));
    }
    if whole > 0 {
        terms.push(whole.to_string());
    }
    terms.join(" + ")
}

/// Months as a number (exact when whole: 4,530,960 units are 12.0).
pub fn months_f64(units: i64) -> f64 {
    let v = units as f64 / MONTH_UNITS as f64;
    (v * 10_000.0).round() / 10_000.0
}

/// Months as a person reads them: "12" when whole, else two decimals ("11.55").
pub fn months_text(units: i64) -> String {
    if units % MONTH_UNITS == 0 {
        (units / MONTH_UNITS).to_string()
    } else {
        let hundredths = crate::money::div_round_half_up(units as i128 * 100, MONTH_UNITS as i128) as i64;
        let s = format!("{}.{:02}", hundredths / 100, hundredths % 100);
        if hundredths % 100 == 0 {
            format!("约{s}")
        } else {
            s
        }
    }
}

/// The same day `years` later (29 February → 1 March when that year has none).
pub fn anniversary(d: NaiveDate, years: i64) -> NaiveDate {
    let y = d.year() + years as i32;
    d.with_year(y).or_else(|| NaiveDate::from_ymd_opt(y, 3, 1)).unwrap_or(NaiveDate::MAX)
}

/// The last day a firm founded on `founded` is younger than `years` years: the day before the
/// anniversary (founded 2020-02-29 → 2025-02-28; founded 2020-03-01 → 2025-02-28).
pub fn last_day_younger_than(founded: NaiveDate, years: i64) -> NaiveDate {
    anniversary(founded, years).pred_opt().unwrap_or(NaiveDate::MIN)
}

/// A set of days as sorted, disjoint spans (both ends included).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DaySet(Vec<(NaiveDate, NaiveDate)>);

impl DaySet {
    pub fn new() -> Self {
        DaySet(Vec::new())
    }
    pub fn spans(&self) -> &[(NaiveDate, NaiveDate)] {
        &self.0
    }
    pub fn insert(&mut self, start: NaiveDate, end: NaiveDate) {
        if end < start {
            return;
        }
        let (mut s, mut e) = (start, end);
        let mut kept = Vec::with_capacity(self.0.len() + 1);
        for &(a, b) in &self.0 {
            // Merge what overlaps or touches.
            if b.succ_opt().is_some_and(|n| n < s) || e.succ_opt().is_some_and(|n| n < a) {
                kept.push((a, b));
            } else {
                s = s.min(a);
                e = e.max(b);
            }
        }
        kept.push((s, e));
        kept.sort();
        self.0 = kept;
    }
    pub fn contains(&self, d: NaiveDate) -> bool {
        let i = self.0.partition_point(|&(_, b)| b < d);
        self.0.get(i).is_some_and(|&(a, _)| a <= d)
    }
    pub fn units(&self) -> i64 {
        self.0.iter().map(|&(a, b)| units(a, b)).sum()
    }
    /// Units of the days strictly before `d`.
    pub fn units_before(&self, d: NaiveDate) -> i64 {
        self.0.iter().filter(|&&(a, _)| a < d).map(|&(a, b)| units(a, b.min(d.pred_opt().unwrap_or(a)))).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn a_lease_from_the_15th_is_exactly_twelve_months() {
        assert_eq!(units(d(2025, 3, 15), d(2026, 3, 14)), 12 * MONTH_UNITS);
        assert_eq!(fraction_sum(d(2025, 3, 15), d(2026, 3, 14)), "17/31 + 11 + 14/31");
        assert_eq!(months_text(units(d(2025, 3, 15), d(2026, 3, 14))), "12");
        assert_eq!(months_f64(12 * MONTH_UNITS), 12.0);
        // Whole calendar months, and across a leap February.
        assert_eq!(units(d(2024, 1, 1), d(2024, 12, 31)), 12 * MONTH_UNITS);
        assert_eq!(units(d(2024, 2, 1), d(2024, 2, 29)), MONTH_UNITS);
        assert_eq!(units(d(2024, 2, 15), d(2024, 3, 14)), 15 * MONTH_UNITS / 29 + 14 * MONTH_UNITS / 31);
        assert_eq!(fraction_sum(d(2024, 2, 15), d(2024, 3, 14)), "15/29 + 14/31");
        assert_eq!(units(d(2025, 1, 2), d(2025, 1, 1)), 0);
        for n in [28, 29, 30, 31] {
            assert_eq!(MONTH_UNITS % n, 0, "a day of a {n}-day month is whole units");
        }
    }

    #[test]
    fn months_read_as_a_person_reads_them() {
        assert_eq!(months_text(36 * MONTH_UNITS), "36");
        assert_eq!(months_text(MONTH_UNITS / 2), "0.50");
        assert_eq!(months_text(17 * MONTH_UNITS / 31), "0.55");
        // Within half a hundredth of a whole number but not whole: never shown as if exact.
        assert_eq!(months_text(12 * MONTH_UNITS - 1), "约12.00");
    }

    #[test]
    fn the_fifth_year_ends_the_day_before_the_anniversary() {
        assert_eq!(last_day_younger_than(d(2020, 2, 29), 5), d(2025, 2, 28));
        assert_eq!(last_day_younger_than(d(2020, 3, 1), 5), d(2025, 2, 28));
        assert_eq!(last_day_younger_than(d(2021, 6, 10), 5), d(2026, 6, 9));
        assert_eq!(last_day_younger_than(d(2020, 2, 29), 4), d(2024, 2, 28));
    }

    #[test]
    fn day_sets_merge_and_count() {
        let mut s = DaySet::new();
        s.insert(d(2025, 1, 1), d(2025, 1, 31));
        s.insert(d(2025, 3, 1), d(2025, 3, 31));
        s.insert(d(2025, 2, 1), d(2025, 2, 10));
        assert_eq!(s.spans(), &[(d(2025, 1, 1), d(2025, 2, 10)), (d(2025, 3, 1), d(2025, 3, 31))]);
        s.insert(d(2025, 2, 5), d(2025, 3, 5));
        assert_eq!(s.spans(), &[(d(2025, 1, 1), d(2025, 3, 31))]);
        assert!(s.contains(d(2025, 2, 20)) && !s.contains(d(2025, 4, 1)));
        assert_eq!(s.units(), 3 * MONTH_UNITS);
        assert_eq!(s.units_before(d(2025, 2, 1)), MONTH_UNITS);
        assert_eq!(s.units_before(d(2025, 1, 1)), 0);
    }
}
