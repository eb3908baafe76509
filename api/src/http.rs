//! Shared HTTP conventions of API.md: keyset pagination with opaque cursors, `ETag` and
//! `If-Match` on versioned resources.

use actix_web::HttpRequest;
use actix_web::http::header::{ETAG, HeaderValue, IF_MATCH};
use application::ExpectedVersion;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::codes;
use domain::message::{FieldError, Message};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ErrorCode};

pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 500;

/// `?limit=` (default 50, at most 500) and `?cursor=` (opaque, from `next_cursor`).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page (a whole number; anything else is a 422 `invalid_limit`).
    #[param(value_type = Option<i32>, minimum = 1, maximum = 500, default = 50)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page (a cursor this API did not return is a 422
    /// `invalid_cursor`).
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
                errors.push(invalid_cursor());
                None
            }
        });
        PageRequest { limit, after }
    }
}

pub(crate) fn invalid_cursor() -> FieldError {
    FieldError::new(
        "cursor",
        codes::INVALID_CURSOR,
        Message::new("cursor არასწორია", "cursor is not one this API returned"),
    )
}

impl PageRequest {
    /// The key after which the page starts, as the list's key type (a program year's is a
    /// number); a cursor whose key is not one is `invalid_cursor`, reported with the rest.
    pub fn after_key<T: std::str::FromStr>(&self, errors: &mut crate::input::FieldErrors) -> Option<T> {
        let key = self.after.as_deref()?;
        key.parse().map_err(|_| errors.push(invalid_cursor())).ok()
    }
}

pub fn encode_cursor(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("k1:{key}"))
}

pub(crate) fn decode_cursor(cursor: &str) -> Option<String> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    String::from_utf8(bytes).ok()?.strip_prefix("k1:").map(str::to_owned)
}

/// `{ "items": [...], "next_cursor": "..." | null }`.
///
/// Documented by hand: utoipa inlines a generic argument's whole schema into `List_X`, and a
/// list's items should be the component `X` itself (one type for generated clients, not two).
#[derive(Debug, Serialize)]
pub struct List<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T: ToSchema> utoipa::__dev::ComposeSchema for List<T> {
    fn compose(_: Vec<RefOr<Schema>>) -> RefOr<Schema> {
        let next_cursor = ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .description(Some("Pass it as `cursor` for the next page; `null` on the last page."));
        ObjectBuilder::new()
            .description(Some("One page of the list, in the list's order."))
            .property("items", ArrayBuilder::new().items(Ref::from_schema_name(T::name())))
            .required("items")
            .property("next_cursor", next_cursor)
            .required("next_cursor")
            .into()
    }
}

impl<T: ToSchema> ToSchema for List<T> {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("List")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((T::name().into_owned(), T::schema()));
        T::schemas(schemas);
    }
}

impl<T> List<T> {
    pub fn from_page<R>(page: persistence::Page<R>, map: impl FnMut(R) -> T) -> Self {
        Self {
            items: page.items.into_iter().map(map).collect(),
            next_cursor: page.next_after.as_deref().map(encode_cursor),
        }
    }

    /// [`Self::from_page`] for a mapping that can fail (stored data that does not parse).
    pub fn try_from_page<R, E>(page: persistence::Page<R>, map: impl FnMut(R) -> Result<T, E>) -> Result<Self, E> {
        Ok(Self {
            items: page.items.into_iter().map(map).collect::<Result<_, _>>()?,
            next_cursor: page.next_after.as_deref().map(encode_cursor),
        })
    }
}

/// The filter of a list that has none but the page: any other parameter is unknown.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoFilter {}

/// The strong entity tag of a version: `"3"`.
pub fn etag(version: i32) -> (actix_web::http::header::HeaderName, HeaderValue) {
    (ETAG, HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\"")))
}

/// `Location` of a created resource (#10: every 201 carries one): `collection/id`.
pub fn location(collection: &str, id: &str) -> (actix_web::http::header::HeaderName, String) {
    (actix_web::http::header::LOCATION, format!("{}/{id}", collection.trim_end_matches('/')))
}

/// What `If-Match` accepts: `*`, or one of our ETags (a quoted version number).
pub const IF_MATCH_PATTERN: &str = r#"^(\*|"[0-9]{1,10}")$"#;

/// The version an update is based on, from `If-Match`. Missing: 428 (a lost update must be
/// impossible). `*`: whatever version the record is at (RFC 9110 §13.1.1, #10). One of our ETags
/// (`"3"`): that version, or 412 when the record is at another (also when no version can have
/// that number). Anything else is not an ETag this API gives out: 422 naming the header.
pub fn if_match(request: &HttpRequest) -> Result<ExpectedVersion, ApiError> {
    let Some(value) = request.headers().get(IF_MATCH) else {
        return Err(ApiError::new(
            ErrorCode::PreconditionRequired,
            Message::new(
                "ცვლილებას სჭირდება If-Match სათაური ჩანაწერის ETag-ით",
                "Send If-Match with the record's ETag to change it",
            ),
        ));
    };
    let value = value.to_str().map(str::trim).unwrap_or_default();
    if value == "*" {
        return Ok(ExpectedVersion::Any);
    }
    let digits = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .filter(|v| (1..=10).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()));
    let Some(digits) = digits else {
        return Err(ApiError::validation(vec![FieldError::new(
            "If-Match",
            codes::INVALID_IF_MATCH,
            Message::new("If-Match: * ან ჩანაწერის ETag, მაგ. \"3\"", "If-Match: * or the record's ETag, e.g. \"3\""),
        )]));
    };
    digits.parse::<i32>().map(ExpectedVersion::Exactly).map_err(|_| {
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

/// A list's query: the page (`limit`, `cursor`) and the list's filter `F` (#10). A parameter
/// neither declares is a 422 `unknown_field` naming it (a misspelt filter must not silently
/// return everything), and a value of the wrong type a 422 `wrong_type` naming its parameter;
/// every problem at once, like a body's. The names come from the same `IntoParams` declarations
/// that document the parameters.
pub struct Listing<F> {
    pub page: PageQuery,
    pub filter: Filter<F>,
}

/// A list's parsed filter.
pub struct Filter<F>(F);

impl<F> Filter<F> {
    pub fn into_inner(self) -> F {
        self.0
    }
}

impl<F> std::ops::Deref for Filter<F> {
    type Target = F;

    fn deref(&self) -> &F {
        &self.0
    }
}

fn parameter_names<P: IntoParams>() -> Vec<String> {
    P::into_params(|| Some(utoipa::openapi::path::ParameterIn::Query)).into_iter().map(|p| p.name).collect()
}

impl<F: serde::de::DeserializeOwned + IntoParams> Listing<F> {
    fn parse(query: &str) -> Result<Self, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).map_err(|_| {
            ApiError::new(
                ErrorCode::MalformedRequest,
                Message::new("მოთხოვნის პარამეტრები არასწორადაა ჩაწერილი", "The query string is malformed"),
            )
        })?;
        let page_names = parameter_names::<PageQuery>();
        let filter_names = parameter_names::<F>();
        let mut errors = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for (name, value) in &pairs {
            if value.contains('\0') {
                errors.push(FieldError::new(
                    name.clone(),
                    codes::NUL_CHARACTER,
                    Message::new("ტექსტი არ შეიძლება შეიცავდეს NUL სიმბოლოს", "Text cannot contain a NUL character"),
                ));
            }
            // `?status=open&status=closed` is not an "or": each parameter takes one value, and a
            // second one is refused rather than silently winning or losing.
            if !seen.insert(name.as_str()) {
                if !errors.iter().any(|e: &FieldError| e.field == *name && e.code == codes::REPEATED_PARAMETER) {
                    errors.push(FieldError::new(
                        name.clone(),
                        codes::REPEATED_PARAMETER,
                        Message::new("პარამეტრი ერთხელ უნდა იყოს მოცემული", "Give this parameter once"),
                    ));
                }
                continue;
            }
            if !page_names.contains(name) && !filter_names.contains(name) {
                errors.push(FieldError::new(
                    name.clone(),
                    codes::UNKNOWN_FIELD,
                    Message::new("ასეთი პარამეტრი არ არსებობს", "This list has no such query parameter"),
                ));
            }
        }
        let page = serde_urlencoded::from_str::<PageQuery>(query).unwrap_or_default();
        let filter = match serde_urlencoded::from_str::<F>(query) {
            Ok(filter) => Some(filter),
            // Repeated parameters are named already; the filter cannot parse with them.
            Err(_) if errors.iter().any(|e| e.code == codes::REPEATED_PARAMETER) => None,
            Err(_) => {
                // Name the parameter: the one that does not parse on its own.
                for (name, value) in pairs.iter().filter(|(name, _)| filter_names.contains(name)) {
                    let alone = serde_urlencoded::to_string([(name, value)]).unwrap_or_default();
                    if serde_urlencoded::from_str::<F>(&alone).is_err() {
                        errors.push(FieldError::new(
                            name.clone(),
                            codes::WRONG_TYPE,
                            Message::new("მნიშვნელობის ტიპი არასწორია", "This value has the wrong type"),
                        ));
                    }
                }
                None
            }
        };
        match filter {
            Some(filter) if errors.is_empty() => Ok(Self { page, filter: Filter(filter) }),
            _ if errors.is_empty() => Err(ApiError::validation(vec![FieldError::new(
                "query",
                codes::WRONG_TYPE,
                Message::new("მოთხოვნის პარამეტრები არასწორია", "The query parameters are invalid"),
            )])),
            _ => Err(ApiError::validation(errors)),
        }
    }
}

impl<F: serde::de::DeserializeOwned + IntoParams + 'static> actix_web::FromRequest for Listing<F> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(Self::parse(request.query_string()))
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
