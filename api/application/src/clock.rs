//! "Today" for the program: its dates are Tbilisi dates. Actions take today as an argument (the
//! domain never reads a clock); the callers read it here.

use chrono::NaiveDate;

/// Today in Tbilisi, which keeps UTC+4 all year (no daylight saving since 2005).
pub fn today_in_tbilisi() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(4)).date_naive()
}
