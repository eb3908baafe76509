//! Identifiers of a person (R1, R5): the citizen's personal number and the
//! stateless person's permanent residence permit number.
//!
//! R5: "The same personal number (or permit number) is the same person, whichever
//! NGO types it in." Both types therefore normalise their input, so that two
//! spellings of one identifier compare equal.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::message::Message;

/// Why an identifier was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PersonIdError {
    /// Not exactly 11 ASCII digits after trimming (code `invalid_checksum_or_format`).
    #[error("a personal number is exactly 11 digits")]
    InvalidPersonalNumber,
    /// Not 6 to 20 Latin letters and digits after trimming and upper-casing (code `invalid_permit_number`).
    #[error("a residence permit number is 6 to 20 Latin letters and digits")]
    InvalidPermitNumber,
}

impl PersonIdError {
    /// Stable machine code, used as the `code` of a field error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidPersonalNumber => "invalid_checksum_or_format",
            Self::InvalidPermitNumber => "invalid_permit_number",
        }
    }

    /// The refusal in Georgian and English.
    pub fn message(&self) -> Message {
        match self {
            Self::InvalidPersonalNumber => Message::new(
                "პირადი ნომერი უნდა შედგებოდეს ზუსტად 11 ციფრისგან.",
                "A personal number consists of exactly 11 digits.",
            ),
            Self::InvalidPermitNumber => Message::new(
                "ბინადრობის ნებართვის ნომერი უნდა შედგებოდეს 6-დან 20-მდე ლათინური ასოსა და ციფრისგან.",
                "A residence permit number consists of 6 to 20 Latin letters and digits.",
            ),
        }
    }
}

/// R1: "A citizen is identified by the 11-digit personal number."
///
/// Exactly 11 ASCII digits (surrounding whitespace is trimmed). Georgian
/// personal numbers carry no publicly documented check digit, so only the
/// format is checked; the error code keeps the API's name
/// `invalid_checksum_or_format` for symmetry with other identifier checks.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonalNumber(String);

impl PersonalNumber {
    /// The number of digits, 11.
    pub const LENGTH: usize = 11;
    /// What [`PersonalNumber::parse`] accepts once surrounding whitespace is trimmed, and what is
    /// stored and sent: the pattern the API documents.
    pub const PATTERN: &'static str = "^[0-9]{11}$";

    /// Trims surrounding whitespace and checks for exactly 11 ASCII digits; leading zeros are kept.
    pub fn parse(input: &str) -> Result<Self, PersonIdError> {
        let s = input.trim();
        if s.len() == Self::LENGTH && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(PersonIdError::InvalidPersonalNumber)
        }
    }

    /// The 11 digits, as stored and sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// R1: "a stateless person [is identified] by the permit number."
///
/// Neither the program page nor PROGRAM.md gives the permit number's format,
/// so this system decides: surrounding whitespace is trimmed, Latin letters are
/// upper-cased (so `ab123456` and `AB123456` are the same person under R5), and
/// the result must be 6 to 20 characters, each an ASCII uppercase letter or digit.
/// No inner spaces or dashes: one canonical spelling per permit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResidencePermitNumber(String);

impl ResidencePermitNumber {
    /// The fewest characters a permit number has, 6.
    pub const MIN_LENGTH: usize = 6;
    /// The most characters a permit number has, 20.
    pub const MAX_LENGTH: usize = 20;
    /// What [`ResidencePermitNumber::parse`] accepts once surrounding whitespace is trimmed (the
    /// pattern the API documents for input; lower case is upper-cased).
    pub const INPUT_PATTERN: &'static str = "^[A-Za-z0-9]{6,20}$";
    /// The canonical spelling, as stored and sent (the pattern the API documents for output).
    pub const PATTERN: &'static str = "^[A-Z0-9]{6,20}$";

    /// Trims surrounding whitespace, upper-cases Latin letters, then checks 6 to 20 ASCII
    /// uppercase letters or digits.
    pub fn parse(input: &str) -> Result<Self, PersonIdError> {
        let s = input.trim().to_ascii_uppercase();
        let len_ok = (Self::MIN_LENGTH..=Self::MAX_LENGTH).contains(&s.len());
        if len_ok && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
            Ok(Self(s))
        } else {
            Err(PersonIdError::InvalidPermitNumber)
        }
    }

    /// The canonical spelling (upper case, no spaces), as stored and sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! string_newtype_impls {
    ($t:ty) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<&str> for $t {
            type Error = PersonIdError;
            fn try_from(value: &str) -> Result<Self, Self::Error> {
                Self::parse(value)
            }
        }

        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = String::deserialize(deserializer)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_newtype_impls!(PersonalNumber);
string_newtype_impls!(ResidencePermitNumber);

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn r1_personal_number_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("01001012345", Some("01001012345")),
            (" 01001012345\n", Some("01001012345")),
            ("00000000000", Some("00000000000")),
            ("0100101234", None),   // 10 digits
            ("010010123456", None), // 12 digits
            ("0100101234a", None),
            ("01001 12345", None),
            ("", None),
            ("٠١٠٠١٠١٢٣٤٥", None), // Arabic-Indic digits are not ASCII digits
            ("+1001012345", None),
        ];
        for (input, expected) in cases {
            let got = PersonalNumber::parse(input).ok();
            assert_eq!(got.as_ref().map(PersonalNumber::as_str), *expected, "input {input:?}");
        }
    }

    #[test]
    fn r1_permit_number_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("AB1234", Some("AB1234")),
            ("ab123456", Some("AB123456")),
            ("  PR0000000001  ", Some("PR0000000001")),
            ("12345678901234567890", Some("12345678901234567890")),
            ("AB123", None),                 // 5 chars
            ("123456789012345678901", None), // 21 chars
            ("AB-123456", None),
            ("AB 123456", None),
            ("ÄB123456", None),
            ("", None),
        ];
        for (input, expected) in cases {
            let got = ResidencePermitNumber::parse(input).ok();
            assert_eq!(got.as_ref().map(ResidencePermitNumber::as_str), *expected, "input {input:?}");
        }
    }

    #[test]
    fn error_codes() {
        assert_eq!(PersonalNumber::parse("x").unwrap_err().code(), "invalid_checksum_or_format");
        assert_eq!(ResidencePermitNumber::parse("x").unwrap_err().code(), "invalid_permit_number");
    }

    #[test]
    fn serializes_and_deserializes_as_string() {
        let n = PersonalNumber::parse("01001012345").unwrap();
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"01001012345\"");
        assert_eq!(n.to_string(), "01001012345");
        let back: PersonalNumber = serde_json::from_str("\"01001012345\"").unwrap();
        assert_eq!(back, n);
        assert!(serde_json::from_str::<PersonalNumber>("\"123\"").is_err());
        let p: ResidencePermitNumber = serde_json::from_str("\"ab123456\"").unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), "\"AB123456\"");
    }
}
