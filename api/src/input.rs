//! Reading request bodies so that every failing field is reported at once (API.md "Errors").
//!
//! serde stops at the first error, so request types hold each field as a [`Field`]: whatever
//! JSON arrived is kept, and the handler's `parse` step turns the fields into domain types,
//! collecting every problem into one [`FieldErrors`]. Unknown fields are reported too, so a
//! misspelt optional field is never silently ignored.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use domain::codes;
use domain::message::{FieldError, Message};
use serde::de::{Deserialize, DeserializeOwned, Deserializer};
use serde_json::Value;
use validator::{ValidateEmail, ValidateLength};

/// One field of a request body as it arrived.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Field<T> {
    /// Absent from the body.
    #[default]
    Missing,
    /// Present as `null`.
    Null,
    Valid(T),
    /// Present with the wrong JSON type (e.g. a number where a string belongs).
    WrongType,
    /// Present with a NUL character in some text of it, which no text of the program holds (and
    /// PostgreSQL cannot store).
    NulCharacter,
}

/// A JSON number that is whole: `2259`, or `2259.0` (well within i64; the fields' bounds are far
/// smaller).
fn integer(value: &Value) -> Option<i64> {
    let number = value.as_number()?;
    number.as_i64().or_else(|| {
        let float = number.as_f64()?;
        (float.fract() == 0.0 && float.abs() < 9.0e18).then_some(float as i64)
    })
}

/// Whether any text in `value` holds a NUL character.
fn holds_nul(value: &Value) -> bool {
    match value {
        Value::String(text) => text.contains('\0'),
        Value::Array(items) => items.iter().any(holds_nul),
        Value::Object(fields) => fields.iter().any(|(key, value)| key.contains('\0') || holds_nul(value)),
        _ => false,
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        if value.is_null() {
            return Ok(Field::Null);
        }
        if holds_nul(&value) {
            return Ok(Field::NulCharacter);
        }
        Ok(serde_json::from_value(value).map_or(Field::WrongType, Field::Valid))
    }
}

/// Everything wrong with one request, gathered before answering.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    pub fn extend(&mut self, errors: impl IntoIterator<Item = FieldError>) {
        self.0.extend(errors);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }

    /// A field that must be present: records `required` when it is missing or null.
    pub fn required<T>(&mut self, name: &str, field: Field<T>, expected: &'static str) -> Option<T> {
        match self.optional(name, field, expected) {
            Some(value) => Some(value),
            None => {
                if !self.0.iter().any(|e| e.field == name) {
                    self.push(FieldError::new(
                        name,
                        codes::REQUIRED,
                        Message::new("ველი სავალდებულოა", "This field is required"),
                    ));
                }
                None
            }
        }
    }

    /// A field that may be absent or null; records `wrong_type` when its JSON type is wrong.
    pub fn optional<T>(&mut self, name: &str, field: Field<T>, expected: &'static str) -> Option<T> {
        match field {
            Field::Valid(value) => Some(value),
            Field::Missing | Field::Null => None,
            Field::NulCharacter => {
                self.push(FieldError::new(
                    name,
                    codes::NUL_CHARACTER,
                    Message::new("ტექსტი არ შეიძლება შეიცავდეს NUL სიმბოლოს", "Text cannot contain a NUL character"),
                ));
                None
            }
            Field::WrongType => {
                self.push(FieldError::new(
                    name,
                    codes::WRONG_TYPE,
                    Message::new(format!("მოსალოდნელია: {expected}"), format!("Expected {expected}")),
                ));
                None
            }
        }
    }

    /// Parses a present string with a domain parser; records the parser's code when it fails.
    pub fn parse<T, E>(
        &mut self,
        name: &str,
        value: Option<String>,
        parse: impl FnOnce(&str) -> Result<T, E>,
        on_error: impl FnOnce(E) -> (&'static str, Message),
    ) -> Option<T> {
        match parse(value?.as_str()) {
            Ok(parsed) => Some(parsed),
            Err(error) => {
                let (code, message) = on_error(error);
                self.push(FieldError::new(name, code, message));
                None
            }
        }
    }

    /// A whole number within `range`, as JSON Schema's `integer` takes it: `2259` and `2259.0`
    /// alike; `required` when absent, `wrong_type` when not whole, `out_of_range` outside.
    pub fn whole_number(
        &mut self,
        name: &str,
        field: Field<Value>,
        range: std::ops::RangeInclusive<i64>,
    ) -> Option<i64> {
        let value = self.required(name, field, "a whole number")?;
        let Some(value) = integer(&value) else {
            self.push(FieldError::new(
                name,
                codes::WRONG_TYPE,
                Message::new("მოსალოდნელია: მთელი რიცხვი", "Expected a whole number"),
            ));
            return None;
        };
        if range.contains(&value) {
            return Some(value);
        }
        self.push(FieldError::new(
            name,
            codes::OUT_OF_RANGE,
            Message::new(
                format!("{name}: {}-დან {}-მდე", range.start(), range.end()),
                format!("{name} must be from {} to {}", range.start(), range.end()),
            ),
        ));
        None
    }

    /// An id filter: a UUID (ids are server-generated UUIDs), normalised to the stored form.
    pub fn uuid(&mut self, name: &str, value: Option<String>) -> Option<String> {
        self.parse(
            name,
            value,
            |s| uuid::Uuid::parse_str(s).map(|id| id.hyphenated().to_string()),
            |_| (codes::INVALID_ID, Message::new("იდენტიფიკატორი უნდა იყოს UUID", "Expected an id (a UUID)")),
        )
    }

    /// A region filter: an ISO 3166-2:GE code (or `GE-TSK`), as everywhere else.
    pub fn region(&mut self, name: &str, value: Option<String>) -> Option<String> {
        self.parse(name, value, domain::region::RegionCode::parse, |e| (e.code(), e.message()))
            .map(|region| region.code().to_owned())
    }

    /// A personal-number filter: 11 digits (R1), as the person's field.
    pub fn personal_number(&mut self, name: &str, value: Option<String>) -> Option<String> {
        self.parse(name, value, domain::person_id::PersonalNumber::parse, |e| (e.code(), e.message()))
            .map(|number| number.as_str().to_owned())
    }

    /// A residence-permit-number filter (R1), as the person's field.
    pub fn permit_number(&mut self, name: &str, value: Option<String>) -> Option<String> {
        self.parse(name, value, domain::person_id::ResidencePermitNumber::parse, |e| (e.code(), e.message()))
            .map(|number| number.as_str().to_owned())
    }

    /// Parses a `YYYY-MM-DD` date.
    pub fn date(&mut self, name: &str, value: Option<String>) -> Option<NaiveDate> {
        self.parse(
            name,
            value,
            |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().filter(|_| s.len() == 10).ok_or(()),
            |()| {
                (
                    codes::INVALID_DATE,
                    Message::new("თარიღი უნდა იყოს ფორმატით YYYY-MM-DD", "Expected a date as YYYY-MM-DD"),
                )
            },
        )
    }

    /// A string of at most `max` characters as sent and at least `min` once trimmed of surrounding
    /// whitespace (what is kept); `required` when absent and `min > 0`. The OpenAPI document states
    /// the same: `maxLength`, and a pattern for the trimmed least length (`apidoc::forbid_nul`).
    pub fn text(&mut self, name: &str, field: Field<String>, min: u64, max: u64) -> Option<String> {
        let sent =
            if min > 0 { self.required(name, field, "a string")? } else { self.optional(name, field, "a string")? };
        let value = sent.trim().to_owned();
        let sent_fits = ValidateLength::validate_length(&sent, None, Some(max), None);
        if !sent_fits || !ValidateLength::validate_length(&value, Some(min), Some(max), None) {
            self.push(FieldError::new(
                name,
                codes::INVALID_LENGTH,
                Message::new(
                    format!("სიგრძე უნდა იყოს {min}-დან {max} სიმბოლომდე"),
                    format!("Must be {min} to {max} characters long"),
                ),
            ));
            return None;
        }
        Some(value)
    }

    /// An optional e-mail address.
    pub fn email(&mut self, name: &str, field: Field<String>) -> Option<String> {
        let value = self.text(name, field, 0, 254)?;
        if value.is_empty() {
            return None;
        }
        if !ValidateEmail::validate_email(&value) {
            self.push(FieldError::new(
                name,
                codes::INVALID_EMAIL,
                Message::new("ელ-ფოსტის მისამართი არასწორია", "Not a valid e-mail address"),
            ));
            return None;
        }
        Some(value)
    }

    /// Whether a field already has an error.
    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|e| e.field == name)
    }

    /// Reports every field the request type does not know.
    pub fn unknown_fields(&mut self, prefix: &str, extra: &BTreeMap<String, Value>) {
        for name in extra.keys() {
            self.push(FieldError::new(
                format!("{prefix}{name}"),
                codes::UNKNOWN_FIELD,
                Message::new("უცნობი ველი", "Unknown field"),
            ));
        }
    }

    pub fn finish(self) -> Result<(), crate::error::ApiError> {
        if self.is_empty() { Ok(()) } else { Err(crate::error::ApiError::validation(self.into_vec())) }
    }
}

/// A body that is JSON but not an object (or not of the request's shape at the top level).
pub fn not_an_object() -> crate::error::ApiError {
    crate::error::ApiError::validation(vec![FieldError::new(
        "",
        codes::WRONG_TYPE,
        Message::new("მოთხოვნის სხეული უნდა იყოს JSON ობიექტი", "The request body must be a JSON object"),
    )])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(default)]
        a: Field<String>,
        #[serde(default)]
        b: Field<bool>,
    }

    #[test]
    fn fields_keep_missing_null_valid_and_wrong_type_apart() {
        let probe: Probe = serde_json::from_str(r#"{"a": 5}"#).unwrap();
        assert_eq!((probe.a, probe.b), (Field::WrongType, Field::Missing));
        let probe: Probe = serde_json::from_str(r#"{"a": null, "b": true}"#).unwrap();
        assert_eq!((probe.a, probe.b), (Field::Null, Field::Valid(true)));
    }

    #[test]
    fn dates_must_be_exactly_yyyy_mm_dd() {
        let mut errors = FieldErrors::default();
        assert_eq!(errors.date("d", Some("2016-02-29".into())), NaiveDate::from_ymd_opt(2016, 2, 29));
        for bad in ["2017-02-29", "2017-3-1", "01.03.2017", "2017-03-01T00:00:00Z"] {
            assert_eq!(errors.date("d", Some(bad.into())), None, "{bad}");
        }
        assert_eq!(errors.into_vec().len(), 4);
    }
}
