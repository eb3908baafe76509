//! The data an eligibility decision is made on, and its consistency check.
//!
//! Missing data makes a rule `unknown`; data that is present but contradictory
//! is invalid input (a 422 listing every field), never ineligibility
//! (PROGRAM.md R2a, R3).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::r1_legal_status::identifier_errors;
use super::r2_migration_history::periods_ending_after_return;
use crate::message::{FieldError, Message};
use crate::period::DatePeriod;
use crate::person_id::{PersonalNumber, ResidencePermitNumber};
use crate::region::RegionCode;

/// R1: the person's legal status in Georgia.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum LegalStatus {
    /// A citizen of Georgia, identified by the 11-digit personal number (R1).
    Citizen,
    /// A stateless person holding a Georgian permanent residence permit, identified by the
    /// permit number (R1).
    StatelessPermanentResident,
    /// Anyone else: not covered by the program (R1 fails), identified by neither number.
    Other,
}

impl LegalStatus {
    /// Every legal status, in the order the API documents them.
    pub const ALL: [LegalStatus; 3] = [Self::Citizen, Self::StatelessPermanentResident, Self::Other];

    /// The wire and database spelling, e.g. `stateless_permanent_resident`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Citizen => "citizen",
            Self::StatelessPermanentResident => "stateless_permanent_resident",
            Self::Other => "other",
        }
    }

    /// Reads the wire spelling; `None` for anything else (case matters).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == s)
    }

    /// The field error for a legal status that is none of these, wherever one is sent (#9.5:
    /// one code, one message).
    pub fn unknown(field: &str) -> FieldError {
        FieldError::new(
            field,
            CODE_UNKNOWN_LEGAL_STATUS,
            Message::new(
                "სამართლებრივი სტატუსი: citizen, stateless_permanent_resident ან other",
                "Legal status must be citizen, stateless_permanent_resident or other",
            ),
        )
    }
}

/// Everything R1–R4 look at. `None` means "not known yet".
#[derive(Debug, Clone, PartialEq)]
pub struct EligibilityInput {
    /// R1: citizen, stateless permanent resident or other; `None` leaves R1 `unknown`.
    pub legal_status: Option<LegalStatus>,
    /// R1: a citizen's 11-digit personal number; given only for a citizen.
    pub personal_number: Option<PersonalNumber>,
    /// R1: a stateless person's permanent residence permit number; given only for a stateless
    /// permanent resident.
    pub residence_permit_number: Option<ResidencePermitNumber>,
    /// The day of the return that ended the stay abroad; R2a and R3 count from it. `None` leaves
    /// R3 `unknown`.
    pub return_date: Option<NaiveDate>,
    /// R3: the day the person registers in the program; neither before the return nor after
    /// `today`.
    pub registration_date: NaiveDate,
    /// R4: the region of current residence; `None` leaves R4 `unknown`.
    pub residence_region: Option<RegionCode>,
    /// R2a: irregular periods of the stay abroad that ended with this return.
    /// Each is `[start, end)` (the end day does not count) and may not end after the return date;
    /// periods may overlap or touch.
    pub irregular_periods: Vec<DatePeriod>,
    /// R2b: whether the person applied for asylum abroad, whatever the outcome.
    pub asylum_applied: Option<bool>,
    /// R2c: whether the person held asylum or another international protection status abroad.
    pub asylum_held: Option<bool>,
}

/// R1: a legal status that is none of the three (field `legal_status`).
pub const CODE_UNKNOWN_LEGAL_STATUS: &str = "unknown_legal_status";
/// R3: the registration date is after `today` (field `registration_date`).
pub const CODE_REGISTRATION_IN_FUTURE: &str = "registration_in_future";
/// R3: the registration date is before the return date (field `registration_date`).
pub const CODE_REGISTRATION_BEFORE_RETURN: &str = "registration_before_return";
/// R2, R3: the return date is after `today` (see [`return_in_future`]).
pub const CODE_RETURN_IN_FUTURE: &str = "return_in_future";
/// R2a: an irregular period ends after the return date (field `irregular_periods[i].end`).
pub const CODE_PERIOD_ENDS_AFTER_RETURN: &str = "period_ends_after_return";
/// R1: a personal number given for anyone but a citizen, or a permit number for anyone but a
/// stateless permanent resident (field `personal_number` or `residence_permit_number`).
pub const CODE_IDENTIFIER_DOES_NOT_MATCH_LEGAL_STATUS: &str = "identifier_does_not_match_legal_status";

/// R3: a registration dated after `today` is invalid input, wherever a registration date is
/// sent (the dry run, a case), under one code and message.
pub fn registration_in_future(registration_date: NaiveDate, today: NaiveDate) -> Option<FieldError> {
    (registration_date > today).then(|| {
        FieldError::new(
            "registration_date",
            CODE_REGISTRATION_IN_FUTURE,
            Message::new("რეგისტრაციის თარიღი მომავალში ვერ იქნება.", "The registration date cannot be in the future."),
        )
    })
}

/// R3: "A registration dated before the return … is invalid input", wherever it is sent.
pub fn registration_before_return(registration_date: NaiveDate, return_date: NaiveDate) -> Option<FieldError> {
    (registration_date < return_date).then(|| {
        FieldError::new(
            "registration_date",
            CODE_REGISTRATION_BEFORE_RETURN,
            Message::new(
                "რეგისტრაციის თარიღი დაბრუნების თარიღზე ადრე ვერ იქნება.",
                "The registration date cannot be before the return date.",
            ),
        )
    })
}

/// A return dated after `today` is invalid input (R2, R3 count from it), under the name the
/// caller's input gives it (`return_date` in the dry run, `arrival_date` for an arrival).
pub fn return_in_future(field: &str, return_date: NaiveDate, today: NaiveDate) -> Option<FieldError> {
    (return_date > today).then(|| {
        FieldError::new(
            field,
            CODE_RETURN_IN_FUTURE,
            Message::new("დაბრუნების თარიღი მომავალში ვერ იქნება.", "The return date cannot be in the future."),
        )
    })
}

impl EligibilityInput {
    /// Reports every contradiction at once (R2a, R3, R1). `today` is the
    /// caller's date (the crate has no clock). The R1 and R2a checks are the ones persons and
    /// arrivals are recorded under ([`identifier_errors`], [`periods_ending_after_return`]).
    pub fn check_consistency(&self, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();

        // R3: "A registration dated … in the future, is invalid input".
        errors.extend(registration_in_future(self.registration_date, today));

        if let Some(return_date) = self.return_date {
            errors.extend(registration_before_return(self.registration_date, return_date));
            errors.extend(return_in_future("return_date", return_date, today));
            errors.extend(periods_ending_after_return(return_date, &self.irregular_periods));
        }

        // R1: a citizen is identified by the personal number, a stateless person by the
        // permit number, anyone else by neither.
        if let Some(status) = self.legal_status {
            errors.extend(identifier_errors(
                status,
                self.personal_number.as_ref(),
                self.residence_permit_number.as_ref(),
            ));
        }

        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

/// The API.md example input, shared by the eligibility tests.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) fn api_example() -> EligibilityInput {
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    EligibilityInput {
        legal_status: Some(LegalStatus::Citizen),
        personal_number: Some(PersonalNumber::parse("01001012345").unwrap()),
        residence_permit_number: None,
        return_date: Some(d("2017-03-01")),
        registration_date: d("2017-05-10"),
        residence_region: Some(RegionCode::KvemoKartli),
        irregular_periods: vec![DatePeriod::new(d("2015-01-10"), d("2017-03-01")).unwrap()],
        asylum_applied: Some(false),
        asylum_held: Some(false),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn valid() -> EligibilityInput {
        api_example()
    }

    fn codes(input: &EligibilityInput, today: &str) -> Vec<(String, &'static str)> {
        match input.check_consistency(d(today)) {
            Ok(()) => vec![],
            Err(errs) => errs.into_iter().map(|e| (e.field, e.code)).collect(),
        }
    }

    #[test]
    fn consistent_input_passes() {
        assert_eq!(valid().check_consistency(d("2017-05-10")), Ok(()));
    }

    #[test]
    fn period_touching_the_return_date_is_consistent() {
        // end is exclusive: a period ending on the return date ends the day before.
        let input = valid();
        assert_eq!(input.irregular_periods[0].end(), input.return_date.unwrap());
        assert!(codes(&input, "2017-05-10").is_empty());
    }

    #[test]
    fn missing_data_is_not_a_contradiction() {
        let input = EligibilityInput {
            legal_status: None,
            personal_number: Some(PersonalNumber::parse("01001012345").unwrap()),
            residence_permit_number: Some(ResidencePermitNumber::parse("AB123456").unwrap()),
            return_date: None,
            irregular_periods: vec![DatePeriod::new(d("2017-01-01"), d("2017-06-01")).unwrap()],
            ..valid()
        };
        assert!(codes(&input, "2017-05-10").is_empty());
    }

    #[test]
    fn each_contradiction_table() {
        // (input, today, expected (field, code) pairs)
        type Case = (EligibilityInput, &'static str, Vec<(&'static str, &'static str)>);
        let cases: Vec<Case> = vec![
            (valid(), "2017-05-09", vec![("registration_date", "registration_in_future")]),
            (
                EligibilityInput { registration_date: d("2017-02-28"), ..valid() },
                "2017-05-10",
                vec![("registration_date", "registration_before_return")],
            ),
            (
                EligibilityInput {
                    return_date: Some(d("2017-05-11")),
                    registration_date: d("2017-05-11"),
                    irregular_periods: vec![],
                    ..valid()
                },
                "2017-05-10",
                vec![("registration_date", "registration_in_future"), ("return_date", "return_in_future")],
            ),
            (
                EligibilityInput {
                    irregular_periods: vec![
                        DatePeriod::new(d("2015-01-01"), d("2016-01-01")).unwrap(),
                        DatePeriod::new(d("2016-01-01"), d("2017-03-02")).unwrap(),
                    ],
                    ..valid()
                },
                "2017-05-10",
                vec![("irregular_periods[1].end", "period_ends_after_return")],
            ),
            (
                EligibilityInput { legal_status: Some(LegalStatus::StatelessPermanentResident), ..valid() },
                "2017-05-10",
                vec![("personal_number", "identifier_does_not_match_legal_status")],
            ),
            (
                EligibilityInput { legal_status: Some(LegalStatus::Other), ..valid() },
                "2017-05-10",
                vec![("personal_number", "identifier_does_not_match_legal_status")],
            ),
            (
                EligibilityInput {
                    residence_permit_number: Some(ResidencePermitNumber::parse("AB123456").unwrap()),
                    ..valid()
                },
                "2017-05-10",
                vec![("residence_permit_number", "identifier_does_not_match_legal_status")],
            ),
            // R1: `other` is identified by neither number (#9.5: the dry run accepted a permit).
            (
                EligibilityInput {
                    legal_status: Some(LegalStatus::Other),
                    personal_number: None,
                    residence_permit_number: Some(ResidencePermitNumber::parse("AB123456").unwrap()),
                    ..valid()
                },
                "2017-05-10",
                vec![("residence_permit_number", "identifier_does_not_match_legal_status")],
            ),
        ];
        for (input, today, expected) in cases {
            let expected: Vec<(String, &str)> = expected.into_iter().map(|(f, c)| (f.to_owned(), c)).collect();
            assert_eq!(codes(&input, today), expected, "{input:?}");
        }
    }

    #[test]
    fn reports_all_contradictions_at_once() {
        let input = EligibilityInput {
            legal_status: Some(LegalStatus::Citizen),
            residence_permit_number: Some(ResidencePermitNumber::parse("AB123456").unwrap()),
            return_date: Some(d("2017-06-01")),
            registration_date: d("2017-05-20"),
            irregular_periods: vec![
                DatePeriod::new(d("2017-05-01"), d("2017-06-02")).unwrap(),
                DatePeriod::new(d("2015-01-01"), d("2017-06-01")).unwrap(),
                DatePeriod::new(d("2017-06-01"), d("2017-07-01")).unwrap(),
            ],
            ..valid()
        };
        let errs = input.check_consistency(d("2017-05-10")).unwrap_err();
        let got: Vec<_> = errs.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            got,
            [
                ("registration_date", "registration_in_future"),
                ("registration_date", "registration_before_return"),
                ("return_date", "return_in_future"),
                ("irregular_periods[0].end", "period_ends_after_return"),
                ("irregular_periods[2].end", "period_ends_after_return"),
                ("residence_permit_number", "identifier_does_not_match_legal_status"),
            ]
        );
        assert!(errs.iter().all(|e| !e.message.ka.is_empty() && !e.message.en.is_empty()));
    }

    #[test]
    fn legal_status_as_str_parse_serde() {
        for s in LegalStatus::ALL {
            assert_eq!(LegalStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert_eq!(LegalStatus::parse("Citizen"), None);
    }
}
