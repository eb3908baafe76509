//! R2 — Migration history.

use chrono::NaiveDate;
use serde_json::json;

use super::decision::{RuleId, RuleOutcome, RuleResult, facts};
use super::input::CODE_PERIOD_ENDS_AFTER_RETURN;
use crate::message::{FieldError, Message};
use crate::period::{DatePeriod, total_days};

/// R2a: "the total must be more than 365 days".
pub const IRREGULAR_STAY_THRESHOLD_DAYS: i64 = 365;

/// R2a: "A period may not end after the return date" (invalid input, not ineligibility). The
/// end is exclusive, so a period ending on the return date is fine. One check for every path
/// that takes periods: recording or correcting an arrival, the dry run, deciding a case (#9.5).
pub fn periods_ending_after_return(return_date: NaiveDate, periods: &[DatePeriod]) -> Vec<FieldError> {
    periods
        .iter()
        .enumerate()
        .filter(|(_, period)| period.end() > return_date)
        .map(|(i, _)| {
            FieldError::new(
                format!("irregular_periods[{i}].end"),
                CODE_PERIOD_ENDS_AFTER_RETURN,
                Message::new(
                    "არალეგალური ყოფნის პერიოდი დაბრუნების თარიღის შემდეგ ვერ დასრულდება.",
                    "An irregular stay period cannot end after the return date.",
                ),
            )
        })
        .collect()
}

/// R2: "At least one of: R2a irregular stay abroad for more than one year;
/// R2b applied for asylum abroad; R2c held asylum or other international protection abroad."
///
/// Irregular periods are merged where they overlap or touch and counted
/// `end − start` days each, so no day counts twice; exactly 365 days fails.
pub fn r2_migration_history(
    periods: &[DatePeriod],
    asylum_applied: Option<bool>,
    asylum_held: Option<bool>,
) -> RuleResult {
    let days = total_days(periods);
    let (outcome, code, message) = if days > IRREGULAR_STAY_THRESHOLD_DAYS {
        (
            RuleOutcome::Pass,
            "irregular_stay_over_one_year",
            Message::new(
                format!("პირი საზღვარგარეთ არალეგალურად იმყოფებოდა ერთ წელზე მეტი ვადით ({days} დღე)."),
                format!("The person stayed abroad irregularly for more than one year ({days} days)."),
            ),
        )
    } else if asylum_held == Some(true) {
        (
            RuleOutcome::Pass,
            "asylum_held_abroad",
            Message::new(
                "პირი საზღვარგარეთ სარგებლობდა თავშესაფრით ან საერთაშორისო დაცვის სხვა სტატუსით.",
                "The person held asylum or another international protection status abroad.",
            ),
        )
    } else if asylum_applied == Some(true) {
        (
            RuleOutcome::Pass,
            "asylum_applied_abroad",
            Message::new(
                "პირს საზღვარგარეთ ჰქონდა განაცხადი თავშესაფრის მიღებაზე.",
                "The person applied for asylum abroad.",
            ),
        )
    } else if asylum_applied.is_none() || asylum_held.is_none() {
        (
            RuleOutcome::Unknown,
            "migration_history_incomplete",
            Message::new(
                format!(
                    "მიგრაციის ისტორია არასრულია: არალეგალური ყოფნა ერთ წელს არ აღემატება ({days} დღე), თავშესაფრის შესახებ კი ინფორმაცია მითითებული არ არის."
                ),
                format!(
                    "The migration history is incomplete: the irregular stay does not exceed one year ({days} days) and the asylum information is not given."
                ),
            ),
        )
    } else {
        (
            RuleOutcome::Fail,
            "no_qualifying_migration_history",
            Message::new(
                format!(
                    "არალეგალური ყოფნა საზღვარგარეთ ერთ წელს არ აღემატება ({days} დღე) და პირს არც თავშესაფარზე ჰქონია განაცხადი და არც თავშესაფრით უსარგებლია."
                ),
                format!(
                    "The irregular stay abroad does not exceed one year ({days} days) and the person neither applied for nor held asylum abroad."
                ),
            ),
        )
    };
    RuleResult::new(
        RuleId::R2,
        outcome,
        code,
        message,
        facts(json!({
            "irregular_days": days,
            "threshold_days": IRREGULAR_STAY_THRESHOLD_DAYS,
            "asylum_applied": asylum_applied,
            "asylum_held": asylum_held,
        })),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use RuleOutcome::{Fail, Pass, Unknown};
    use chrono::{Days, NaiveDate};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn p(a: &str, b: &str) -> DatePeriod {
        DatePeriod::new(d(a), d(b)).unwrap()
    }

    /// A period of `days` days ending on `end` (exclusive).
    fn ending(end: &str, days: u64) -> DatePeriod {
        DatePeriod::new(d(end) - Days::new(days), d(end)).unwrap()
    }

    fn check(periods: &[DatePeriod], applied: Option<bool>, held: Option<bool>) -> (RuleOutcome, &'static str, i64) {
        let r = r2_migration_history(periods, applied, held);
        assert_eq!(r.rule, RuleId::R2);
        assert_eq!(r.facts["threshold_days"], 365);
        assert_eq!(r.facts["asylum_applied"], json!(applied));
        assert_eq!(r.facts["asylum_held"], json!(held));
        (r.outcome, r.code, r.facts["irregular_days"].as_i64().unwrap())
    }

    #[test]
    fn r2_365_days_fails() {
        assert_eq!(
            check(&[ending("2017-03-01", 365)], Some(false), Some(false)),
            (Fail, "no_qualifying_migration_history", 365)
        );
    }

    #[test]
    fn r2_366_days_passes() {
        assert_eq!(
            check(&[ending("2017-03-01", 366)], Some(false), Some(false)),
            (Pass, "irregular_stay_over_one_year", 366)
        );
    }

    #[test]
    fn r2_366_days_passes_even_with_asylum_unknown() {
        assert_eq!(check(&[ending("2017-03-01", 366)], None, None), (Pass, "irregular_stay_over_one_year", 366));
    }

    #[test]
    fn r2_overlapping_periods_count_each_day_once() {
        // 200 + 200 days with 35 days of overlap = 365 days: fails.
        let a = p("2016-01-01", "2016-07-19"); // 200 days
        let b = DatePeriod::new(a.end() - Days::new(35), a.end() - Days::new(35) + Days::new(200)).unwrap();
        assert_eq!(a.days() + b.days(), 400);
        assert_eq!(check(&[a, b], Some(false), Some(false)), (Fail, "no_qualifying_migration_history", 365));
        // one more day of b pushes it over.
        let b2 = DatePeriod::new(b.start(), b.end() + Days::new(1)).unwrap();
        assert_eq!(check(&[a, b2], Some(false), Some(false)), (Pass, "irregular_stay_over_one_year", 366));
    }

    #[test]
    fn r2_touching_periods_merge_to_366_days() {
        let a = p("2016-01-01", "2016-07-01"); // 182 days (2016 is a leap year)
        let b = DatePeriod::new(a.end(), a.end() + Days::new(184)).unwrap();
        assert_eq!(check(&[b, a], Some(false), Some(false)), (Pass, "irregular_stay_over_one_year", 366));
    }

    #[test]
    fn r2_period_touching_the_return_date_counts_up_to_the_day_before() {
        // Return on 2017-03-01; period [2016-03-01, 2017-03-01) = 365 days: not more than a year.
        assert_eq!(
            check(&[p("2016-03-01", "2017-03-01")], Some(false), Some(false)),
            (Fail, "no_qualifying_migration_history", 365)
        );
        assert_eq!(
            check(&[p("2016-02-29", "2017-03-01")], Some(false), Some(false)),
            (Pass, "irregular_stay_over_one_year", 366)
        );
    }

    #[test]
    fn r2_asylum_and_unknown_table() {
        let short = [ending("2017-03-01", 30)];
        let cases = [
            (Some(false), Some(true), Pass, "asylum_held_abroad"),
            (Some(true), Some(true), Pass, "asylum_held_abroad"),
            (None, Some(true), Pass, "asylum_held_abroad"),
            (Some(true), Some(false), Pass, "asylum_applied_abroad"),
            (Some(true), None, Pass, "asylum_applied_abroad"),
            (None, None, Unknown, "migration_history_incomplete"),
            (Some(false), None, Unknown, "migration_history_incomplete"),
            (None, Some(false), Unknown, "migration_history_incomplete"),
            (Some(false), Some(false), Fail, "no_qualifying_migration_history"),
        ];
        for (applied, held, outcome, code) in cases {
            assert_eq!(check(&short, applied, held), (outcome, code, 30), "{applied:?} {held:?}");
        }
    }

    #[test]
    fn r2_no_periods_counts_zero_days() {
        assert_eq!(check(&[], Some(true), Some(false)), (Pass, "asylum_applied_abroad", 0));
        assert_eq!(check(&[], None, Some(false)), (Unknown, "migration_history_incomplete", 0));
    }
}
