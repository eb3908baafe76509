//! Date arithmetic for the program's rules: half-open date periods (R2a),
//! shelter nights (R7) and the one-calendar-year window (R3).
//!
//! A period is `[start, end)`: the start day counts, the end day does not, so a
//! period lasts `end − start` days (PROGRAM.md R2a).

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::message::Message;

/// Why a period (an irregular stay, R2a, or a shelter stay, R7) was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// R2a: "A period may not … start after it ends"; an empty period is rejected too.
    #[error("the end of a period must be after its start")]
    EndNotAfterStart,
}

impl PeriodError {
    /// The stable machine code, `end_not_after_start`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::EndNotAfterStart => "end_not_after_start",
        }
    }

    /// The refusal in Georgian and English.
    pub fn message(&self) -> Message {
        match self {
            Self::EndNotAfterStart => Message::new(
                "პერიოდის დასასრული მის დასაწყისზე გვიან უნდა იყოს.",
                "The end of a period must be after its start.",
            ),
        }
    }
}

/// A non-empty half-open period of days `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "RawPeriod")]
pub struct DatePeriod {
    start: NaiveDate,
    end: NaiveDate,
}

#[derive(Deserialize)]
struct RawPeriod {
    start: NaiveDate,
    end: NaiveDate,
}

impl TryFrom<RawPeriod> for DatePeriod {
    type Error = PeriodError;
    fn try_from(raw: RawPeriod) -> Result<Self, Self::Error> {
        DatePeriod::new(raw.start, raw.end)
    }
}

impl DatePeriod {
    /// Requires `start < end`.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self, PeriodError> {
        if start < end { Ok(Self { start, end }) } else { Err(PeriodError::EndNotAfterStart) }
    }

    /// The first day in the period.
    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// The first day *not* in the period.
    pub fn end(&self) -> NaiveDate {
        self.end
    }

    /// `end − start`: always at least 1.
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days()
    }

    /// True when `day` is in the period: from `start` up to, not including, `end`.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start <= day && day < self.end
    }

    /// True when the periods share a day or one ends where the other starts.
    pub fn overlaps_or_touches(&self, other: &DatePeriod) -> bool {
        self.start <= other.end && other.start <= self.end
    }

    /// True when the periods share at least one day.
    pub fn overlaps(&self, other: &DatePeriod) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// R2a: "the irregular periods … are merged where they overlap or touch".
/// The result is sorted, pairwise disjoint and non-touching; it does not depend
/// on the order of the input.
pub fn merge(periods: &[DatePeriod]) -> Vec<DatePeriod> {
    let mut sorted = periods.to_vec();
    sorted.sort_unstable();
    let mut merged: Vec<DatePeriod> = Vec::with_capacity(sorted.len());
    for p in sorted {
        match merged.last_mut() {
            Some(last) if last.overlaps_or_touches(&p) => {
                last.end = last.end.max(p.end);
            }
            _ => merged.push(p),
        }
    }
    merged
}

/// R2a: the number of distinct days the periods cover (no day counted twice).
pub fn total_days(periods: &[DatePeriod]) -> i64 {
    merge(periods).iter().map(DatePeriod::days).sum()
}

/// A number of nights (R7): check-in to check-out, nights counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
pub struct Nights(u32);

impl Nights {
    /// A count of nights as given; any `u32` is accepted.
    pub const fn new(nights: u32) -> Self {
        Self(nights)
    }

    /// Nights from check-in to check-out; check-out must be after check-in.
    pub fn between(check_in: NaiveDate, check_out: NaiveDate) -> Result<Nights, PeriodError> {
        DatePeriod::new(check_in, check_out).map(Nights::of)
    }

    /// The nights of a stay `[check_in, check_out)`: one per day of the period.
    pub fn of(stay: DatePeriod) -> Nights {
        // The whole NaiveDate range is ~1.9e8 days, well inside u32; saturate anyway.
        Nights(u32::try_from(stay.days()).unwrap_or(u32::MAX))
    }

    /// The number of nights.
    pub const fn value(self) -> u32 {
        self.0
    }

    /// The sum of two counts; `None` when it overflows `u32`.
    pub fn checked_add(self, other: Nights) -> Option<Nights> {
        self.0.checked_add(other.0).map(Nights)
    }
}

/// R3: "return date + 1 calendar year (a return on 29 February has its deadline
/// on 28 February of the next year)". Saturates at `NaiveDate::MAX`.
pub fn add_calendar_year(date: NaiveDate) -> NaiveDate {
    date.checked_add_months(Months::new(12)).unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use chrono::Datelike;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn p(a: &str, b: &str) -> DatePeriod {
        DatePeriod::new(d(a), d(b)).unwrap()
    }

    #[test]
    fn new_requires_start_before_end() {
        assert_eq!(DatePeriod::new(d("2017-01-02"), d("2017-01-02")), Err(PeriodError::EndNotAfterStart));
        assert_eq!(DatePeriod::new(d("2017-01-03"), d("2017-01-02")), Err(PeriodError::EndNotAfterStart));
        assert_eq!(p("2017-01-02", "2017-01-03").days(), 1);
    }

    #[test]
    fn r2a_days_count_start_not_end() {
        assert_eq!(p("2016-01-01", "2017-01-01").days(), 366); // leap year 2016
        assert_eq!(p("2017-01-01", "2018-01-01").days(), 365);
    }

    #[test]
    fn overlap_and_touch_table() {
        // (a, b, overlaps_or_touches, overlaps)
        let cases = [
            (p("2017-01-01", "2017-01-10"), p("2017-01-10", "2017-01-20"), true, false),
            (p("2017-01-01", "2017-01-10"), p("2017-01-09", "2017-01-20"), true, true),
            (p("2017-01-01", "2017-01-10"), p("2017-01-11", "2017-01-20"), false, false),
            (p("2017-01-01", "2017-01-30"), p("2017-01-05", "2017-01-06"), true, true),
            (p("2017-01-01", "2017-01-10"), p("2017-01-01", "2017-01-10"), true, true),
        ];
        for (a, b, touch, overlap) in cases {
            assert_eq!(a.overlaps_or_touches(&b), touch, "{a:?} {b:?}");
            assert_eq!(b.overlaps_or_touches(&a), touch, "{b:?} {a:?}");
            assert_eq!(a.overlaps(&b), overlap, "{a:?} {b:?}");
            assert_eq!(b.overlaps(&a), overlap, "{b:?} {a:?}");
        }
    }

    #[test]
    fn r2a_overlapping_periods_merge() {
        let merged = merge(&[p("2016-06-01", "2017-01-01"), p("2016-01-01", "2016-07-01")]);
        assert_eq!(merged, [p("2016-01-01", "2017-01-01")]);
        assert_eq!(total_days(&[p("2016-06-01", "2017-01-01"), p("2016-01-01", "2016-07-01")]), 366);
    }

    #[test]
    fn r2a_touching_periods_merge() {
        let merged = merge(&[p("2016-07-01", "2017-01-01"), p("2016-01-01", "2016-07-01")]);
        assert_eq!(merged, [p("2016-01-01", "2017-01-01")]);
    }

    #[test]
    fn r2a_gap_of_one_day_does_not_merge() {
        let merged = merge(&[p("2016-07-02", "2017-01-01"), p("2016-01-01", "2016-07-01")]);
        assert_eq!(merged.len(), 2);
        assert_eq!(total_days(&merged), 365);
    }

    #[test]
    fn r2a_contained_and_duplicate_periods_count_once() {
        let a = p("2016-01-01", "2016-12-31");
        let merged = merge(&[a, a, p("2016-03-01", "2016-04-01")]);
        assert_eq!(merged, [a]);
        assert_eq!(total_days(&[]), 0);
    }

    #[test]
    fn r7_nights_between() {
        assert_eq!(Nights::between(d("2017-03-01"), d("2017-03-05")).map(Nights::value), Ok(4));
        assert_eq!(Nights::between(d("2017-03-01"), d("2017-03-01")), Err(PeriodError::EndNotAfterStart));
        assert_eq!(Nights::between(d("2017-03-02"), d("2017-03-01")), Err(PeriodError::EndNotAfterStart));
    }

    #[test]
    fn r3_add_calendar_year_table() {
        let cases = [
            ("2017-03-01", "2018-03-01"),
            ("2016-02-29", "2017-02-28"),
            ("2016-02-28", "2017-02-28"),
            ("2015-03-01", "2016-03-01"),
            ("2017-12-31", "2018-12-31"),
        ];
        for (from, to) in cases {
            assert_eq!(add_calendar_year(d(from)), d(to), "{from}");
        }
        assert_eq!(add_calendar_year(NaiveDate::MAX), NaiveDate::MAX);
    }

    #[test]
    fn serde_rejects_empty_period() {
        let ok: DatePeriod = serde_json::from_str(r#"{"start":"2017-01-01","end":"2017-01-02"}"#).unwrap();
        assert_eq!(ok, p("2017-01-01", "2017-01-02"));
        assert!(serde_json::from_str::<DatePeriod>(r#"{"start":"2017-01-02","end":"2017-01-02"}"#).is_err());
        assert_eq!(serde_json::to_value(ok).unwrap(), serde_json::json!({"start":"2017-01-01","end":"2017-01-02"}));
    }

    fn base() -> NaiveDate {
        d("2020-01-01")
    }

    fn periods_strategy() -> impl Strategy<Value = Vec<DatePeriod>> {
        prop::collection::vec((0u32..80, 1u32..20), 0..12).prop_map(|v| {
            v.into_iter()
                .map(|(off, len)| {
                    let s = base() + chrono::Days::new(u64::from(off));
                    let e = s + chrono::Days::new(u64::from(len));
                    DatePeriod::new(s, e).unwrap()
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn merge_is_order_independent(
            (orig, shuffled) in periods_strategy()
                .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))
        ) {
            let expected = merge(&orig);
            prop_assert_eq!(merge(&shuffled), expected.clone());
            let mut rev = orig.clone();
            rev.reverse();
            prop_assert_eq!(merge(&rev), expected);
        }

        #[test]
        fn merge_never_counts_a_day_twice(periods in periods_strategy()) {
            let mut days = BTreeSet::new();
            for period in &periods {
                let mut day = period.start();
                while day < period.end() {
                    days.insert(day);
                    day = day.succ_opt().unwrap();
                }
            }
            prop_assert_eq!(total_days(&periods), days.len() as i64);
            // every covered day is in exactly one merged period
            let merged = merge(&periods);
            for day in &days {
                prop_assert_eq!(merged.iter().filter(|m| m.contains(*day)).count(), 1);
            }
        }

        #[test]
        fn merged_periods_are_sorted_disjoint_and_non_touching(periods in periods_strategy()) {
            let merged = merge(&periods);
            for pair in merged.windows(2) {
                prop_assert!(pair[0].end() < pair[1].start());
                prop_assert!(!pair[0].overlaps_or_touches(&pair[1]));
            }
            prop_assert_eq!(merge(&merged), merged);
        }

        #[test]
        fn add_calendar_year_same_day_or_28_february(offset in 0i64..(400 * 366)) {
            let date = d("1900-01-01") + chrono::Duration::days(offset);
            let next = add_calendar_year(date);
            prop_assert_eq!(next.year(), date.year() + 1);
            prop_assert_eq!(next.month(), date.month());
            if date.month() == 2 && date.day() == 29 {
                prop_assert_eq!(next.day(), 28);
            } else {
                prop_assert_eq!(next.day(), date.day());
            }
            let span = (next - date).num_days();
            let mut crosses_29_february = false;
            let mut day = date.succ_opt().unwrap();
            while day <= next {
                crosses_29_february |= day.month() == 2 && day.day() == 29;
                day = day.succ_opt().unwrap();
            }
            prop_assert_eq!(span, if crosses_29_february { 366 } else { 365 });
        }
    }
}
