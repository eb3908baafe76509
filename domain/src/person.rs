//! A person's details as the program records them: names in Georgian script and in Latin,
//! a Georgian phone number normalised to E.164, sex, and consent (R14).

use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

use crate::message::{FieldError, Message};

/// A field that could not be parsed: a stable code and a message in both languages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}")]
pub struct InvalidValue {
    /// Stable machine code, e.g. `invalid_phone`.
    pub code: &'static str,
    /// Why the value was refused, in Georgian and English.
    pub message: Message,
}

impl InvalidValue {
    fn new(code: &'static str, ka: &str, en: &str) -> Self {
        Self { code, message: Message::new(ka, en) }
    }
}

/// A Georgian mobile or landline number: nine national digits, stored as `+995XXXXXXXXX`.
/// Accepts `+995 555 12 34 56`, `995555123456`, `555-12-34-56`, `(032) 2 43 11 00` and the like.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// What a stored and sent number looks like (E.164, a Georgian number): the pattern the API
    /// documents for it. Input is freer; see [`PhoneNumber::parse`].
    pub const PATTERN: &'static str = r"^\+995[3457][0-9]{8}$";

    /// Ignores spaces, dashes, dots and brackets; takes the nine national digits from `+995…`,
    /// `995…`, `0…` or nine digits alone, and requires them to start with 3, 4, 5 or 7.
    /// Anything else, foreign numbers included, is `invalid_phone`.
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let invalid = || {
            InvalidValue::new(
                "invalid_phone",
                "ტელეფონის ნომერი უნდა იყოს ქართული: +995 და 9 ციფრი",
                "Expected a Georgian phone number: +995 and 9 digits",
            )
        };
        let trimmed = input.trim();
        if trimmed.is_empty() || !trimmed.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) {
            return Err(invalid());
        }
        if trimmed.chars().skip(1).any(|c| c == '+') {
            return Err(invalid());
        }
        let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
        let national = match digits.len() {
            12 if digits.starts_with("995") => &digits[3..],
            10 if digits.starts_with('0') && !trimmed.starts_with('+') => &digits[1..],
            9 if !trimmed.starts_with('+') => &digits[..],
            _ => return Err(invalid()),
        };
        // Mobile numbers start with 5, landlines with an area code of 3 or 4; 0 is not a start.
        if !matches!(national.as_bytes().first(), Some(b'3' | b'4' | b'5' | b'7')) {
            return Err(invalid());
        }
        Ok(Self(format!("+995{national}")))
    }

    /// The E.164 form, `+995XXXXXXXXX`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn is_mkhedruli(c: char) -> bool {
    ('\u{10D0}'..='\u{10FA}').contains(&c)
}

fn check_name(input: &str, letter: fn(char) -> bool, code: &'static str, script: &str) -> Result<String, InvalidValue> {
    let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
    let ok = (1..=100).contains(&name.chars().count())
        && name.chars().all(|c| letter(c) || c == ' ' || c == '-' || c == '\'')
        && name.chars().next().is_some_and(letter);
    if ok {
        Ok(name)
    } else {
        Err(InvalidValue {
            code,
            message: Message::new(
                format!("სახელი უნდა შედგებოდეს {script} ასოებისგან (1-100 სიმბოლო)"),
                format!("A name of 1-100 characters, in {script} letters, spaces, hyphens or apostrophes"),
            ),
        })
    }
}

/// A name in Georgian script (Mkhedruli). Georgian has no letter case: stored as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct GeorgianName(String);

impl GeorgianName {
    /// What [`GeorgianName::parse`] accepts once surrounding whitespace is trimmed: a Mkhedruli
    /// letter, then up to 99 letters, spaces, hyphens or apostrophes (the pattern the API
    /// documents; runs of spaces are then collapsed to one).
    pub const PATTERN: &'static str = "^[\u{10D0}-\u{10FA}][\u{10D0}-\u{10FA} '-]{0,99}$";

    /// Collapses runs of whitespace to one space and trims; then 1 to 100 characters of Mkhedruli
    /// letters, spaces, hyphens or apostrophes, starting with a letter. Otherwise
    /// `invalid_georgian_name`.
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        check_name(input, is_mkhedruli, "invalid_georgian_name", "Georgian (Mkhedruli)").map(Self)
    }

    /// The name as stored and sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A name in Latin letters (as in a passport), with ASCII letters only.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct LatinName(String);

impl LatinName {
    /// What [`LatinName::parse`] accepts once surrounding whitespace is trimmed: an ASCII letter,
    /// then up to 99 ASCII letters, spaces, hyphens or apostrophes (the pattern the API documents;
    /// runs of spaces are then collapsed to one).
    pub const PATTERN: &'static str = "^[A-Za-z][A-Za-z '-]{0,99}$";

    /// Collapses runs of whitespace to one space and trims; then 1 to 100 characters of ASCII
    /// letters, spaces, hyphens or apostrophes, starting with a letter. Letter case is kept.
    /// Otherwise `invalid_latin_name`.
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        check_name(input, |c| c.is_ascii_alphabetic(), "invalid_latin_name", "Latin").map(Self)
    }

    /// The name as stored and sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's sex as recorded; a detail that needs consent (R14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Female (`female`).
    Female,
    /// Male (`male`).
    Male,
}

impl Sex {
    /// Every value, in the order the API documents them.
    pub const ALL: [Sex; 2] = [Sex::Female, Sex::Male];

    /// Reads the wire spelling; `None` for anything else.
    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == input)
    }

    /// The wire and database spelling, `female` or `male`.
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
        }
    }
}

/// What a person agreed to (R14). Without consent only what eligibility needs is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentScope {
    /// Registration, eligibility and the program's services, shared with the ministry.
    ProgramServices,
    /// As above, and medical details for S1 services (R11 limits who reads them).
    ProgramServicesAndMedical,
}

impl ConsentScope {
    /// Every scope, in the order the API documents them.
    pub const ALL: [ConsentScope; 2] = [Self::ProgramServices, Self::ProgramServicesAndMedical];

    /// Reads the wire spelling; `None` for anything else.
    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == input)
    }

    /// The wire and database spelling, e.g. `program_services_and_medical`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProgramServices => "program_services",
            Self::ProgramServicesAndMedical => "program_services_and_medical",
        }
    }
}

/// R14: recorded consent, dated no later than `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Consent {
    /// The day the person gave consent.
    pub given_on: NaiveDate,
    /// What the person agreed to.
    pub scope: ConsentScope,
}

impl Consent {
    /// Refuses a consent dated after `today` (`consent_in_future`); a consent given today is accepted.
    pub fn new(given_on: NaiveDate, scope: ConsentScope, today: NaiveDate) -> Result<Self, InvalidValue> {
        if given_on > today {
            return Err(InvalidValue::new(
                "consent_in_future",
                "თანხმობის თარიღი მომავალშია",
                "The consent date is in the future",
            ));
        }
        Ok(Self { given_on, scope })
    }
}

/// The personal details that need consent (R14): everything beyond what eligibility needs
/// (legal status, the identifying number and the region of residence).
pub const FIELDS_NEEDING_CONSENT: [&str; 8] = [
    "first_name_ka",
    "last_name_ka",
    "first_name_lat",
    "last_name_lat",
    "date_of_birth",
    "sex",
    "phone",
    "residence_locality",
];

/// R14: "without it, only the minimum needed for eligibility is stored". When no consent is
/// recorded, each of [`FIELDS_NEEDING_CONSENT`] that `given` reports as given is refused, all at
/// once, in the order of that list.
pub fn consent_errors(consent_recorded: bool, given: impl Fn(&str) -> bool) -> Vec<FieldError> {
    if consent_recorded {
        return Vec::new();
    }
    FIELDS_NEEDING_CONSENT
        .into_iter()
        .filter(|field| given(field))
        .map(|field| {
            FieldError::new(
                field,
                "consent_required",
                Message::new(
                    "თანხმობის გარეშე ინახება მხოლოდ შესაბამისობისთვის საჭირო მონაცემები (R14)",
                    "Without recorded consent only what eligibility needs is stored (R14)",
                ),
            )
        })
        .collect()
}

/// A date of birth from 1900 to `today` is plausible; anything else is a typing error.
pub fn implausible_date_of_birth(born: NaiveDate, today: NaiveDate) -> Option<FieldError> {
    let too_early = NaiveDate::from_ymd_opt(1900, 1, 1).is_some_and(|earliest| born < earliest);
    (born > today || too_early).then(|| {
        FieldError::new(
            "date_of_birth",
            "implausible_date_of_birth",
            Message::new("დაბადების თარიღი დაუჯერებელია", "The date of birth is not plausible"),
        )
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn georgian_phone_numbers_normalise_to_e164() {
        for (input, expected) in [
            ("+995 555 12 34 56", "+995555123456"),
            ("995555123456", "+995555123456"),
            ("555-12-34-56", "+995555123456"),
            ("0555123456", "+995555123456"),
            ("(032) 2 43 11 00", "+995322431100"),
            ("+995322431100", "+995322431100"),
        ] {
            assert_eq!(PhoneNumber::parse(input).unwrap().as_str(), expected, "{input}");
        }
    }

    #[test]
    fn foreign_or_malformed_phone_numbers_are_refused() {
        for input in [
            "",
            "+1 202 555 0100",
            "55512345",
            "5551234567",
            "+995 055 123 456",
            "555 12 34 5a",
            "++995555123456",
            "+0555123456",
        ] {
            assert_eq!(PhoneNumber::parse(input).map_err(|e| e.code), Err("invalid_phone"), "{input}");
        }
    }

    #[test]
    fn names_keep_to_their_script() {
        assert_eq!(GeorgianName::parse("  ნინო   ბერიძე ").unwrap().as_str(), "ნინო ბერიძე");
        assert_eq!(LatinName::parse("Nino Beridze-O'Neil").unwrap().as_str(), "Nino Beridze-O'Neil");
        assert!(GeorgianName::parse("Nino").is_err());
        assert!(GeorgianName::parse("ნინო1").is_err());
        assert!(LatinName::parse("ნინო").is_err());
        assert!(LatinName::parse("-Nino").is_err());
        assert!(LatinName::parse("").is_err());
        assert!(LatinName::parse(&"a".repeat(101)).is_err());
    }

    #[test]
    fn r14_consent_cannot_be_dated_in_the_future() {
        let today = NaiveDate::from_ymd_opt(2017, 5, 10).unwrap();
        assert!(Consent::new(today, ConsentScope::ProgramServices, today).is_ok());
        let tomorrow = today.succ_opt().unwrap();
        assert_eq!(
            Consent::new(tomorrow, ConsentScope::ProgramServices, today).map_err(|e| e.code),
            Err("consent_in_future")
        );
    }

    #[test]
    fn enumerations_round_trip() {
        for sex in Sex::ALL {
            assert_eq!(Sex::parse(sex.as_str()), Some(sex));
        }
        for scope in ConsentScope::ALL {
            assert_eq!(ConsentScope::parse(scope.as_str()), Some(scope));
        }
        assert_eq!(Sex::parse("other"), None);
    }

    #[test]
    fn r14_without_consent_every_detail_beyond_eligibility_is_refused() {
        let given = |field: &str| field != "sex";
        let refused: Vec<String> = consent_errors(false, given).into_iter().map(|e| e.field).collect();
        let expected: Vec<&str> = FIELDS_NEEDING_CONSENT.into_iter().filter(|f| *f != "sex").collect();
        assert_eq!(refused, expected);
        assert!(consent_errors(true, given).is_empty());
        assert!(consent_errors(false, |_| false).is_empty());
    }

    #[test]
    fn a_date_of_birth_from_1900_to_today_is_plausible() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(implausible_date_of_birth(d("1900-01-01"), d("2017-05-10")).is_none());
        assert!(implausible_date_of_birth(d("2017-05-10"), d("2017-05-10")).is_none());
        assert!(implausible_date_of_birth(d("1899-12-31"), d("2017-05-10")).is_some());
        assert!(implausible_date_of_birth(d("2017-05-11"), d("2017-05-10")).is_some());
    }
}
