//! S5 — Temporary shelter, rules R6–R8.
//!
//! Shelter hangs on the arrival (the return), not on a case: it can be given
//! before the person registers in the program.

use chrono::NaiveDate;

use crate::message::Message;
use crate::period::{DatePeriod, Nights};
use crate::region::RegionCode;

/// S5: "accommodation for no more than 4 nights".
pub const MAX_SHELTER_NIGHTS: u32 = 4;

/// A shelter stay refused by R6, R7 or R8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ShelterError {
    /// R6.
    #[error("shelter is provided only in Tbilisi, Kvemo Kartli and Mtskheta-Mtianeti, not in {0}")]
    RegionNotCovered(RegionCode),
    /// R7.
    #[error("shelter stays for one return would add up to {total} nights; at most {max} are allowed")]
    NightsExceeded {
        /// Nights already recorded for the return.
        existing: u32,
        /// Nights of the new stay.
        requested: u32,
        /// `existing + requested`.
        total: u64,
        /// The limit, [`MAX_SHELTER_NIGHTS`].
        max: u32,
    },
    /// R7: a night can be paid for only once.
    #[error("the stay overlaps an existing stay {0:?}")]
    OverlappingStay(DatePeriod),
    /// R8.
    #[error("the shelter need was not recorded at the point of arrival")]
    NeedNotRecorded,
    /// R8.
    #[error("the first night {first_night} is neither the return date {return_date} nor the day after")]
    FirstNightOutOfRange {
        /// The date of the return (the arrival).
        return_date: NaiveDate,
        /// The check-in date of the new stay.
        first_night: NaiveDate,
    },
}

impl ShelterError {
    /// The stable machine code, e.g. `shelter_nights_exceeded`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::RegionNotCovered(_) => "shelter_region_not_covered",
            Self::NightsExceeded { .. } => "shelter_nights_exceeded",
            Self::OverlappingStay(_) => "shelter_stay_overlaps",
            Self::NeedNotRecorded => "shelter_need_not_recorded",
            Self::FirstNightOutOfRange { .. } => "shelter_start_out_of_window",
        }
    }

    /// R7: the nights the return has left (for `shelter_nights_exceeded`).
    pub fn nights_left(&self) -> Option<u32> {
        match self {
            Self::NightsExceeded { existing, max, .. } => Some(max.saturating_sub(*existing)),
            _ => None,
        }
    }

    /// The rule the error comes from: "R6", "R7" or "R8".
    pub fn rule(&self) -> &'static str {
        match self {
            Self::RegionNotCovered(_) => "R6",
            Self::NightsExceeded { .. } | Self::OverlappingStay(_) => "R7",
            Self::NeedNotRecorded | Self::FirstNightOutOfRange { .. } => "R8",
        }
    }

    /// The refusal in Georgian and English.
    pub fn message(&self) -> Message {
        match self {
            Self::RegionNotCovered(region) => Message::new(
                format!(
                    "დროებითი საცხოვრისი გაიცემა მხოლოდ თბილისში, ქვემო ქართლსა და მცხეთა-მთიანეთში (სახელმწიფო პროგრამის N0100 მიმართულება), და არა რეგიონში: {}.",
                    region.name_ka()
                ),
                format!(
                    "Temporary shelter is provided only in Tbilisi, Kvemo Kartli and Mtskheta-Mtianeti (state program direction N0100), not in {}.",
                    region.name_en()
                ),
            ),
            Self::NightsExceeded { existing, requested, max, .. } => Message::new(
                format!(
                    "ერთ დაბრუნებაზე დროებითი საცხოვრისი არაუმეტეს {max} ღამით გაიცემა: უკვე გამოყენებულია {existing}, მოთხოვნილია {requested}."
                ),
                format!(
                    "Shelter for one return is limited to {max} nights: {existing} already used, {requested} requested."
                ),
            ),
            Self::OverlappingStay(existing) => Message::new(
                format!("ახალი განთავსება ემთხვევა არსებულ განთავსებას ({} – {}).", existing.start(), existing.end()),
                format!("The new stay overlaps an existing stay ({} to {}).", existing.start(), existing.end()),
            ),
            Self::NeedNotRecorded => Message::new(
                "საცხოვრისის საჭიროება აეროპორტში სამინისტროს წარმომადგენლის მიერ არ არის დაფიქსირებული.",
                "The shelter need was not recorded by ministry staff at the point of arrival.",
            ),
            Self::FirstNightOutOfRange { return_date, first_night } => Message::new(
                format!(
                    "პირველი ღამე ({first_night}) უნდა იყოს დაბრუნების დღე ({return_date}), მომდევნო დღე, ან უკვე აღრიცხული განთავსების გასვლის დღე."
                ),
                format!(
                    "The first night ({first_night}) must be the return date ({return_date}) or the day after, or continue a recorded stay on its check-out day."
                ),
            ),
        }
    }
}

/// R6: "the shelter is in GE-TB, GE-KK or GE-MM".
pub fn r6_shelter_region(region: RegionCode) -> Result<(), ShelterError> {
    if region.shelter_covered() { Ok(()) } else { Err(ShelterError::RegionNotCovered(region)) }
}

/// R7: "all shelter stays for one return add up to at most 4 nights
/// (check-in to check-out, nights counted)". `existing` are the stays already
/// recorded for the return; a new stay may touch but not overlap one of them.
/// Returns the total nights including the new stay.
pub fn r7_total_nights(existing: &[DatePeriod], new_stay: DatePeriod) -> Result<Nights, ShelterError> {
    if let Some(clash) = existing.iter().find(|s| s.overlaps(&new_stay)) {
        return Err(ShelterError::OverlappingStay(*clash));
    }
    let existing_nights: u64 = existing.iter().map(|s| u64::from(Nights::of(*s).value())).sum();
    let requested = Nights::of(new_stay).value();
    let total = existing_nights.saturating_add(u64::from(requested));
    if total > u64::from(MAX_SHELTER_NIGHTS) {
        return Err(ShelterError::NightsExceeded {
            existing: u32::try_from(existing_nights).unwrap_or(u32::MAX),
            requested,
            total,
            max: MAX_SHELTER_NIGHTS,
        });
    }
    // total ≤ MAX_SHELTER_NIGHTS, so it fits in u32.
    Ok(Nights::new(u32::try_from(total).unwrap_or(MAX_SHELTER_NIGHTS)))
}

/// R8: "the need was recorded by ministry staff at the point of arrival …, and
/// the first night is the return date or the day after it." A later stay of the same return
/// (R7: "a check-out after the planned end is a new stay") begins on the check-out day of a stay
/// already recorded: `continues_a_stay`.
pub fn r8_first_night(
    return_date: NaiveDate,
    first_night: NaiveDate,
    need_recorded_at_arrival: bool,
    continues_a_stay: bool,
) -> Result<(), ShelterError> {
    if !need_recorded_at_arrival {
        return Err(ShelterError::NeedNotRecorded);
    }
    let day_after = return_date.succ_opt();
    if first_night == return_date || Some(first_night) == day_after || continues_a_stay {
        Ok(())
    } else {
        Err(ShelterError::FirstNightOutOfRange { return_date, first_night })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn stay(a: &str, b: &str) -> DatePeriod {
        DatePeriod::new(d(a), d(b)).unwrap()
    }

    #[test]
    fn r6_region_table() {
        for region in RegionCode::ALL {
            let expected_ok =
                matches!(region, RegionCode::Tbilisi | RegionCode::KvemoKartli | RegionCode::MtskhetaMtianeti);
            let got = r6_shelter_region(region);
            assert_eq!(got.is_ok(), expected_ok, "{region}");
            if let Err(e) = got {
                assert_eq!(e.code(), "shelter_region_not_covered");
                assert_eq!(e.rule(), "R6");
            }
        }
    }

    #[test]
    fn r7_nights_table() {
        // (name, existing stays, new stay, expected total nights or error code)
        type Case = (&'static str, Vec<DatePeriod>, DatePeriod, Result<u32, &'static str>);
        let cases: Vec<Case> = vec![
            ("4 nights pass", vec![], stay("2017-03-01", "2017-03-05"), Ok(4)),
            ("5 nights fail", vec![], stay("2017-03-01", "2017-03-06"), Err("shelter_nights_exceeded")),
            ("1 night", vec![], stay("2017-03-01", "2017-03-02"), Ok(1)),
            (
                "two stays adding to 4 pass",
                vec![stay("2017-03-01", "2017-03-03")],
                stay("2017-03-03", "2017-03-05"),
                Ok(4),
            ),
            (
                "two stays adding to 5 fail",
                vec![stay("2017-03-01", "2017-03-03")],
                stay("2017-03-03", "2017-03-06"),
                Err("shelter_nights_exceeded"),
            ),
            (
                "three stays adding to 4 with gaps pass",
                vec![stay("2017-03-01", "2017-03-02"), stay("2017-03-05", "2017-03-07")],
                stay("2017-03-10", "2017-03-11"),
                Ok(4),
            ),
            (
                "overlapping stay",
                vec![stay("2017-03-01", "2017-03-03")],
                stay("2017-03-02", "2017-03-03"),
                Err("shelter_stay_overlaps"),
            ),
            (
                "same stay twice",
                vec![stay("2017-03-01", "2017-03-03")],
                stay("2017-03-01", "2017-03-03"),
                Err("shelter_stay_overlaps"),
            ),
            (
                "stay containing an existing one",
                vec![stay("2017-03-02", "2017-03-03")],
                stay("2017-03-01", "2017-03-04"),
                Err("shelter_stay_overlaps"),
            ),
            (
                "existing 4 nights, any more fails",
                vec![stay("2017-03-01", "2017-03-05")],
                stay("2017-03-05", "2017-03-06"),
                Err("shelter_nights_exceeded"),
            ),
        ];
        for (name, existing, new_stay, expected) in cases {
            let got = r7_total_nights(&existing, new_stay).map(Nights::value).map_err(|e| {
                assert_eq!(e.rule(), "R7", "{name}");
                e.code()
            });
            assert_eq!(got, expected, "{name}");
        }
    }

    #[test]
    fn r7_exceeded_reports_the_numbers() {
        let err = r7_total_nights(&[stay("2017-03-01", "2017-03-03")], stay("2017-03-03", "2017-03-06")).unwrap_err();
        assert_eq!(err, ShelterError::NightsExceeded { existing: 2, requested: 3, total: 5, max: 4 });
        assert!(err.message().en.contains("2 already used"));
        assert_eq!(err.nights_left(), Some(2));
        assert_eq!(ShelterError::NeedNotRecorded.nights_left(), None);
    }

    #[test]
    fn r7_huge_stay_does_not_overflow() {
        let huge = DatePeriod::new(NaiveDate::MIN, NaiveDate::MAX).unwrap();
        let err = r7_total_nights(&[huge], huge).unwrap_err();
        assert_eq!(err.code(), "shelter_stay_overlaps");
        let err = r7_total_nights(&[], huge).unwrap_err();
        assert_eq!(err.code(), "shelter_nights_exceeded");
    }

    #[test]
    fn r8_first_night_table() {
        let ret = "2017-03-01";
        let cases = [
            ("the return date", "2017-03-01", true, Ok(())),
            ("the day after", "2017-03-02", true, Ok(())),
            ("two days after", "2017-03-03", true, Err("shelter_start_out_of_window")),
            ("the day before", "2017-02-28", true, Err("shelter_start_out_of_window")),
            ("need not recorded", "2017-03-01", false, Err("shelter_need_not_recorded")),
            ("need not recorded, late", "2017-03-05", false, Err("shelter_need_not_recorded")),
        ];
        for (name, first, recorded, expected) in cases {
            let got = r8_first_night(d(ret), d(first), recorded, false).map_err(|e| {
                assert_eq!(e.rule(), "R8", "{name}");
                e.code()
            });
            assert_eq!(got, expected, "{name}");
        }
        // across a month and year end
        assert_eq!(r8_first_night(d("2016-12-31"), d("2017-01-01"), true, false), Ok(()));
        assert_eq!(r8_first_night(NaiveDate::MAX, NaiveDate::MAX, true, false), Ok(()));
        // A stay continuing a recorded one may begin later; without the need, still not.
        assert_eq!(r8_first_night(d(ret), d("2017-03-04"), true, true), Ok(()));
        assert_eq!(r8_first_night(d(ret), d("2017-03-04"), false, true), Err(ShelterError::NeedNotRecorded));
    }

    #[test]
    fn every_error_has_both_languages() {
        let errors = [
            ShelterError::RegionNotCovered(RegionCode::Imereti),
            ShelterError::NightsExceeded { existing: 2, requested: 3, total: 5, max: 4 },
            ShelterError::OverlappingStay(stay("2017-03-01", "2017-03-03")),
            ShelterError::NeedNotRecorded,
            ShelterError::FirstNightOutOfRange { return_date: d("2017-03-01"), first_night: d("2017-03-03") },
        ];
        for e in errors {
            let m = e.message();
            assert!(!m.ka.is_empty() && !m.en.is_empty(), "{e}");
        }
    }
}
