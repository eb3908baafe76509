//! The request envelope: our request id on every response, one structured log line per request,
//! every error rendered as problem+json, whatever produced it (a handler, an extractor, the
//! router's 404 and 405), and the headers that keep personal data out of caches and the docs
//! out of frames.

use std::time::Instant;

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::ConnectionType;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderName, HeaderValue, X_FRAME_OPTIONS};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};
use persistence::RequestIds;

use crate::contract::Contract;
use crate::error::ApiError;
use crate::language::Language;
use crate::shutdown::Draining;

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");
pub const PROBLEM_JSON: &str = "application/problem+json";

/// #8.8: what the interactive docs (Swagger UI, served from the binary) need and nothing more:
/// their own scripts (the page has no inline script), their own styles plus the inline styles
/// the UI sets, `data:` images from its stylesheet, and requests to this server (the document,
/// the token endpoint, "Try it out").
pub const DOCS_CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
     frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// #8.8: whether an answer at `path` may carry personal data, so no cache may keep it: every
/// `/api/v1` path but the public reference data. Matched by whole path segments, so
/// `/api/v1/program-years/…` is not `/api/v1/program`.
fn may_carry_personal_data(path: &str) -> bool {
    let mut segments = path.split('/').skip(1);
    if (segments.next(), segments.next()) != (Some("api"), Some("v1")) {
        return false;
    }
    let rest: Vec<&str> = segments.collect();
    !matches!(rest.as_slice(), ["program"] | ["regions"])
}

/// The interactive docs: `/docs` and everything under `/docs/`.
fn is_docs(path: &str) -> bool {
    path.split('/').nth(1) == Some("docs")
}

/// #8.7: a client's `X-Request-Id` is recorded (as `client_request_id`, beside ours) when it is
/// 1–200 printable ASCII characters; anything else is ignored. It never becomes our request id.
fn accept_client_request_id(value: &HeaderValue) -> Option<String> {
    let bytes = value.as_bytes();
    let acceptable = (1..=200).contains(&bytes.len()) && bytes.iter().all(|b| (b' '..=b'~').contains(b));
    acceptable.then(|| String::from_utf8_lossy(bytes).into_owned())
}

pub async fn envelope(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<BoxBody>>, actix_web::Error> {
    let started = Instant::now();
    // Ours, always: a client's id could collide with another's or be chosen to confuse the trail.
    let request_id = uuid::Uuid::now_v7().to_string();
    let client_request_id = request.headers().get(&REQUEST_ID_HEADER).and_then(accept_client_request_id);
    request
        .extensions_mut()
        .insert(RequestIds { request_id: request_id.clone(), client_request_id: client_request_id.clone() });
    let method = request.method().to_string();
    let path = request.path().to_owned();
    let language = Language::of(request.request());
    let draining = request.app_data::<web::Data<Draining>>().cloned();
    let contract = request.app_data::<web::Data<Contract>>().cloned();
    let pattern = request.match_pattern();

    // Handlers' and extractors' errors arrive as responses; only a failing inner middleware
    // returns `Err` (there is none inside this one), and actix renders that itself.
    let mut response = next.call(request).await?.map_into_boxed_body();
    if let Some(violation) = contract.and_then(|c| c.violation(&method, pattern.as_deref(), response.status().as_u16()))
    {
        let (request, _) = response.into_parts();
        let mut answer = HttpResponse::from_error(ApiError::internal(violation.clone()));
        if let Ok(value) = HeaderValue::from_str(&violation) {
            answer.headers_mut().insert(HeaderName::from_static(crate::contract::VIOLATION_HEADER), value);
        }
        response = ServiceResponse::new(request, answer);
    }
    let status = response.status();
    // The internal cause of an error, for the log line only; the client never sees it.
    let cause = response.response().error().map(ToString::to_string);
    // A handler that wrote its own JSON error body (the OAuth 2.0 token endpoint's RFC 6749
    // errors) keeps it; every other error becomes a problem.
    let has_json_body = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with(PROBLEM_JSON));
    let mut response = if (status.is_client_error() || status.is_server_error()) && !has_json_body {
        render_problem(response, &request_id, language)
    } else {
        response.map_into_left_body()
    };
    // API.md: JSON is `application/json; charset=utf-8`, so Georgian text is never misread.
    if response.headers().get(CONTENT_TYPE).is_some_and(|v| v == "application/json") {
        response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json; charset=utf-8"));
    }
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    // An error may quote what was sent (a personal number in a duplicate, a field's value).
    if response.status().is_client_error() || response.status().is_server_error() || may_carry_personal_data(&path) {
        response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    // #8.18: while draining, every answer closes its connection, so the client's next request
    // opens a new one, which the load balancer sends elsewhere.
    if draining.is_some_and(|d| d.is_draining()) {
        response.response_mut().head_mut().set_connection_type(ConnectionType::Close);
    }
    if is_docs(&path) {
        let headers = response.headers_mut();
        headers.insert(
            actix_web::http::header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DOCS_CONTENT_SECURITY_POLICY),
        );
        headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }

    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    let status = response.status().as_u16();
    if status >= 500 {
        let cause = cause.unwrap_or_default();
        tracing::error!(request_id, client_request_id, method, path, status, elapsed_ms, cause, "request failed");
    } else {
        tracing::info!(request_id, client_request_id, method, path, status, elapsed_ms, "request");
    }
    Ok(response)
}

/// Replaces an error response's body with the problem document; keeps its status and headers.
fn render_problem(
    response: ServiceResponse<BoxBody>,
    request_id: &str,
    language: Language,
) -> ServiceResponse<EitherBody<BoxBody>> {
    let status = response.status();
    let problem = match response.response().error().and_then(|e| e.as_error::<ApiError>()) {
        Some(error) => error.to_problem(request_id, language),
        None => ApiError::for_status(status).to_problem(request_id, language),
    };
    let (request, old) = response.into_parts();
    let mut new = HttpResponse::build(status);
    for (name, value) in old.headers() {
        if name != CONTENT_TYPE && name != actix_web::http::header::CONTENT_LENGTH {
            new.append_header((name.clone(), value.clone()));
        }
    }
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    let new = new.content_type(PROBLEM_JSON).body(body);
    ServiceResponse::new(request, new).map_into_right_body()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_data_paths_are_matched_by_whole_segments() {
        for public in
            ["/api/v1/program", "/api/v1/regions", "/health/ready", "/openapi.json", "/docs/", "/api/v2/persons"]
        {
            assert!(!may_carry_personal_data(public), "{public}");
        }
        for personal in [
            "/api/v1/persons",
            "/api/v1/program-years/2017",
            "/api/v1/programs",
            "/api/v1/regions/GE-KK/persons",
            "/api/v1/regions/",
            "/api/v1",
            "/api/v1/auth/token",
        ] {
            assert!(may_carry_personal_data(personal), "{personal}");
        }
        assert!(is_docs("/docs") && is_docs("/docs/index.css") && !is_docs("/docsx") && !is_docs("/api/v1/docs"));
    }

    #[test]
    fn a_client_request_id_is_kept_when_1_to_200_printable_ascii_characters() {
        for ok in ["n", "ngo-7:abc_123.x", "batch 42/item <3>", &"x".repeat(200)] {
            assert_eq!(accept_client_request_id(&HeaderValue::from_str(ok).unwrap()).as_deref(), Some(ok));
        }
        for bad in ["", "tab\there", &"x".repeat(201)] {
            assert_eq!(accept_client_request_id(&HeaderValue::from_str(bad).unwrap()), None, "{bad:?}");
        }
        let georgian = HeaderValue::from_bytes("ნინო".as_bytes()).unwrap();
        assert_eq!(accept_client_request_id(&georgian), None);
    }
}
