//! Bilingual messages (Georgian and English) and field-level validation errors.
//!
//! Every rule and every validation error explains itself in both languages
//! (PROGRAM.md: "a message in Georgian and English"); the API picks one from
//! `Accept-Language`.

use serde::Serialize;

/// A message in Georgian (`ka`, Mkhedruli script) and English (`en`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    /// The Georgian text, in Mkhedruli.
    pub ka: String,
    /// The English text.
    pub en: String,
}

impl Message {
    /// A message from its Georgian and English texts.
    pub fn new(ka: impl Into<String>, en: impl Into<String>) -> Self {
        Self { ka: ka.into(), en: en.into() }
    }

    /// The text for a language tag: Georgian for `ka…`, English for anything else.
    pub fn in_language(&self, lang: &str) -> &str {
        if lang.trim().to_ascii_lowercase().starts_with("ka") { &self.ka } else { &self.en }
    }
}

/// One invalid field of an input: which field, a stable machine code, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's name as in the input, e.g. `return_date`.
    pub field: String,
    /// Stable machine code, e.g. `invalid_permit_number`.
    pub code: &'static str,
    /// Why the field is invalid, in Georgian and English.
    pub message: Message,
}

impl FieldError {
    /// A field error from its parts, in field order.
    pub fn new(field: impl Into<String>, code: &'static str, message: Message) -> Self {
        Self { field: field.into(), code, message }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn message_serializes_both_languages() {
        let m = Message::new("გამარჯობა", "Hello");
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json, serde_json::json!({"ka": "გამარჯობა", "en": "Hello"}));
    }

    #[test]
    fn message_picks_language() {
        let m = Message::new("გამარჯობა", "Hello");
        assert_eq!(m.in_language("ka"), "გამარჯობა");
        assert_eq!(m.in_language("ka-GE"), "გამარჯობა");
        assert_eq!(m.in_language("en-US"), "Hello");
        assert_eq!(m.in_language(""), "Hello");
    }

    #[test]
    fn field_error_serializes() {
        let e = FieldError::new("x", "bad", Message::new("ცუდი", "bad"));
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["field"], "x");
        assert_eq!(json["code"], "bad");
        assert_eq!(json["message"]["en"], "bad");
    }
}
