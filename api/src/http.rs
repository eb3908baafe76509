//! Shared HTTP conventions of API.md: keyset pagination with opaque cursors, `ETag` and
//! `If-Match` on versioned resources.

use actix_web::HttpRequest;
use actix_web::http::header::{ETAG, HeaderValue, IF_MATCH};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::codes;
use domain::message::{FieldError, Message};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ErrorCode};

pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 500;

/// `?limit=` (default 50, at most 500) and `?cursor=` (opaque, from `next_cursor`).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1–500 (default 50).
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A validated page request: how many items, and the key after which the page starts.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub limit: usize,
    pub after: Option<String>,
}

impl PageQuery {
    /// Validates the paging parameters, adding any problem to `errors`.
    pub fn parse(&self, errors: &mut crate::input::FieldErrors) -> PageRequest {
        let limit = match self.limit.as_deref() {
            None => DEFAULT_LIMIT,
            Some(raw) => match raw.parse::<usize>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
                _ => {
                    errors.push(FieldError::new(
                        "limit",
                        codes::INVALID_LIMIT,
                        Message::new(
                            format!("limit უნდა იყოს 1-დან {MAX_LIMIT}-მდე"),
                            format!("limit must be a whole number from 1 to {MAX_LIMIT}"),
                        ),
                    ));
                    DEFAULT_LIMIT
                }
            },
        };
        let after = self.cursor.as_deref().and_then(|cursor| match decode_cursor(cursor) {
            Some(key) => Some(key),
            None => {
                errors.push(FieldError::new(
                    "cursor",
                    codes::INVALID_CURSOR,
                    Message::new("cursor არასწორია", "cursor is not one this API returned"),
                ));
                None
            }
        });
        PageRequest { limit, after }
    }
}

pub fn encode_cursor(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("k1:{key}"))
}

fn decode_cursor(cursor: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    String::from_utf8(bytes).ok()?.strip_prefix("k1:").map(str::to_owned)
}

/// `{ "items": [...], "next_cursor": "..." | null }`.
#[derive(Debug, Serialize, ToSchema)]
pub struct List<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> List<T> {
    pub fn from_page<R>(page: persistence::Page<R>, map: impl FnMut(R) -> T) -> Self {
        Self {
            items: page.items.into_iter().map(map).collect(),
            next_cursor: page.next_after.as_deref().map(encode_cursor),
        }
    }
}

/// The strong entity tag of a version: `"3"`.
pub fn etag(version: i32) -> (actix_web::http::header::HeaderName, HeaderValue) {
    (ETAG, HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\"")))
}

/// `Location` of a created resource (#10: every 201 carries one): `collection/id`.
pub fn location(collection: &str, id: &str) -> (actix_web::http::header::HeaderName, String) {
    (actix_web::http::header::LOCATION, format!("{}/{id}", collection.trim_end_matches('/')))
}

/// The version an update is based on, from `If-Match`. Missing: 428 (a lost update must be
/// impossible). Unparseable: 412 (it matches no version).
pub fn if_match(request: &HttpRequest) -> Result<i32, ApiError> {
    let Some(value) = request.headers().get(IF_MATCH) else {
        return Err(ApiError::new(
            ErrorCode::PreconditionRequired,
            Message::new(
                "ცვლილებას სჭირდება If-Match სათაური ჩანაწერის ETag-ით",
                "Send If-Match with the record's ETag to change it",
            ),
        ));
    };
    value
        .to_str()
        .ok()
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|v| v.parse::<i32>().ok())
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::VersionConflict,
                Message::new("If-Match არ ემთხვევა ჩანაწერის ვერსიას", "If-Match matches no version of the record"),
            )
        })
}

/// Serialises a stored UTC instant as RFC 3339 with `Z` (API.md: `2017-03-01T10:15:00Z`).
pub fn instant<S: serde::Serializer>(value: &chrono::NaiveDateTime, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&value.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
}

/// [`instant`] for an optional instant.
pub fn optional_instant<S: serde::Serializer>(
    value: &Option<chrono::NaiveDateTime>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => instant(value, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::FieldErrors;

    #[test]
    fn cursors_round_trip_and_foreign_ones_are_refused() {
        let query = PageQuery { limit: Some("500".into()), cursor: Some(encode_cursor("01a2-x")) };
        let mut errors = FieldErrors::default();
        let page = query.parse(&mut errors);
        assert!(errors.is_empty());
        assert_eq!((page.limit, page.after.as_deref()), (500, Some("01a2-x")));
        for (limit, cursor) in [("0", "abc"), ("501", "!!"), ("x", "a2V5")] {
            let mut errors = FieldErrors::default();
            PageQuery { limit: Some(limit.into()), cursor: Some(cursor.into()) }.parse(&mut errors);
            assert_eq!(errors.into_vec().len(), 2, "{limit} {cursor}");
        }
    }
}
