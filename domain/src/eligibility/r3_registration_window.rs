//! R3 — Registration window.

use chrono::NaiveDate;
use serde_json::json;

use super::decision::{RuleId, RuleOutcome, RuleResult, facts};
use crate::message::Message;
use crate::period::add_calendar_year;

/// R3: "The person registers in the program within one year of the return":
/// return date ≤ registration date ≤ return date + 1 calendar year, inclusive on
/// both ends (a return on 29 February has its deadline on 28 February).
///
/// A registration before the return is a consistency error
/// (`EligibilityInput::check_consistency`); if this is called anyway it fails
/// with `registration_before_return` rather than panicking.
pub fn r3_registration_window(return_date: Option<NaiveDate>, registration_date: NaiveDate) -> RuleResult {
    let Some(return_date) = return_date else {
        return RuleResult::new(
            RuleId::R3,
            RuleOutcome::Unknown,
            "return_date_missing",
            Message::new("დაბრუნების თარიღი მითითებული არ არის.", "The return date is not given."),
            facts(json!({
                "return_date": null,
                "registration_date": registration_date,
                "window_last_day": null,
                "days_since_return": null,
            })),
        );
    };
    let last_day = add_calendar_year(return_date);
    let days_since_return = (registration_date - return_date).num_days();
    let (outcome, code, message) = if registration_date < return_date {
        (
            RuleOutcome::Fail,
            "registration_before_return",
            Message::new(
                "რეგისტრაციის თარიღი დაბრუნების თარიღზე ადრეა.",
                "The registration date is before the return date.",
            ),
        )
    } else if registration_date <= last_day {
        (
            RuleOutcome::Pass,
            "registered_within_one_year",
            Message::new(
                format!("პირი დარეგისტრირდა დაბრუნებიდან ერთი წლის განმავლობაში (ბოლო დღე: {last_day})."),
                format!("The person registered within one year of the return (last day: {last_day})."),
            ),
        )
    } else {
        (
            RuleOutcome::Fail,
            "registered_after_one_year",
            Message::new(
                format!("რეგისტრაცია დაბრუნებიდან ერთ წელზე გვიან მოხდა (ბოლო დღე იყო {last_day})."),
                format!("The registration came more than one year after the return (the last day was {last_day})."),
            ),
        )
    };
    RuleResult::new(
        RuleId::R3,
        outcome,
        code,
        message,
        facts(json!({
            "return_date": return_date,
            "registration_date": registration_date,
            "window_last_day": last_day,
            "days_since_return": days_since_return,
        })),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use RuleOutcome::{Fail, Pass};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn check(ret: &str, reg: &str) -> (RuleOutcome, &'static str, String) {
        let r = r3_registration_window(Some(d(ret)), d(reg));
        assert_eq!(r.rule, RuleId::R3);
        assert_eq!(r.facts["return_date"], ret);
        assert_eq!(r.facts["registration_date"], reg);
        assert_eq!(r.facts["days_since_return"], (d(reg) - d(ret)).num_days());
        let last = r.facts["window_last_day"].as_str().unwrap().to_owned();
        (r.outcome, r.code, last)
    }

    #[test]
    fn r3_day_of_return_passes() {
        assert_eq!(check("2017-03-01", "2017-03-01"), (Pass, "registered_within_one_year", "2018-03-01".into()));
    }

    #[test]
    fn r3_last_day_of_window_passes() {
        assert_eq!(check("2017-03-01", "2018-03-01"), (Pass, "registered_within_one_year", "2018-03-01".into()));
    }

    #[test]
    fn r3_day_after_window_fails() {
        assert_eq!(check("2017-03-01", "2018-03-02"), (Fail, "registered_after_one_year", "2018-03-01".into()));
    }

    #[test]
    fn r3_return_on_29_february_deadline_is_28_february() {
        assert_eq!(check("2016-02-29", "2017-02-28"), (Pass, "registered_within_one_year", "2017-02-28".into()));
        assert_eq!(check("2016-02-29", "2017-03-01"), (Fail, "registered_after_one_year", "2017-02-28".into()));
    }

    #[test]
    fn r3_return_on_28_february_leap_year_deadline_is_28_february() {
        // 2016 is a leap year: 28 Feb 2016 + 1 year = 28 Feb 2017 (366 days later).
        assert_eq!(check("2016-02-28", "2017-02-28"), (Pass, "registered_within_one_year", "2017-02-28".into()));
        assert_eq!(check("2016-02-28", "2017-03-01"), (Fail, "registered_after_one_year", "2017-02-28".into()));
    }

    #[test]
    fn r3_return_on_28_february_before_leap_year_deadline_is_28_february() {
        // 28 Feb 2015 + 1 year = 28 Feb 2016, not 29 Feb 2016.
        assert_eq!(check("2015-02-28", "2016-02-28"), (Pass, "registered_within_one_year", "2016-02-28".into()));
        assert_eq!(check("2015-02-28", "2016-02-29"), (Fail, "registered_after_one_year", "2016-02-28".into()));
    }

    #[test]
    fn r3_return_on_1_march_before_leap_day_window_spans_366_days() {
        assert_eq!(check("2015-03-01", "2016-03-01"), (Pass, "registered_within_one_year", "2016-03-01".into()));
    }

    #[test]
    fn r3_registration_before_return_fails_without_panicking() {
        assert_eq!(check("2017-03-01", "2017-02-28"), (Fail, "registration_before_return", "2018-03-01".into()));
    }

    #[test]
    fn r3_return_date_missing_is_unknown() {
        let r = r3_registration_window(None, d("2017-05-10"));
        assert_eq!(r.outcome, RuleOutcome::Unknown);
        assert_eq!(r.code, "return_date_missing");
        assert!(r.facts["return_date"].is_null());
        assert_eq!(r.facts["registration_date"], "2017-05-10");
    }

    #[test]
    fn r3_extreme_dates_do_not_panic() {
        let r = r3_registration_window(Some(NaiveDate::MAX), NaiveDate::MAX);
        assert_eq!(r.outcome, RuleOutcome::Pass);
        let r = r3_registration_window(Some(NaiveDate::MIN), NaiveDate::MAX);
        assert_eq!(r.outcome, RuleOutcome::Fail);
    }
}
