//! Creates that are safe to retry (API.md): `Idempotency-Key` with the same body returns the
//! first response; with another body, 422. The key is claimed in the create's transaction.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use domain::codes;
use domain::message::{FieldError, Message};
use persistence::repo::idempotency::{self, Claim};
use persistence::{Pool, WriteTx};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::access::{Caller, request_id};
use crate::db;
use crate::error::{ApiError, ErrorCode};
use crate::http::etag;

pub const HEADER: &str = "Idempotency-Key";

/// The client's key, if it sent one: 1–255 printable ASCII characters.
pub fn key(request: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = request.headers().get(HEADER) else { return Ok(None) };
    match value.to_str() {
        Ok(key) if (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(Some(key.to_owned()))
        }
        _ => Err(ApiError::validation(vec![FieldError::new(
            HEADER,
            codes::INVALID_IDEMPOTENCY_KEY,
            Message::new(
                "Idempotency-Key: 1-255 ხილული ASCII სიმბოლო",
                "Idempotency-Key: 1-255 visible ASCII characters",
            ),
        )])),
    }
}

/// JSON with object keys sorted, so the same body hashes the same whatever its key order.
fn canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                canonical(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

pub fn request_hash(method: &str, path: &str, body: &Value) -> String {
    let mut text = format!("{method} {path}\n");
    canonical(body, &mut text);
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A created resource: its status and JSON body (with `version`, for the ETag).
pub struct Created {
    pub status: StatusCode,
    pub body: Value,
}

impl Created {
    /// `201 Created` with `resource` as the body.
    pub fn new(resource: impl serde::Serialize) -> Result<Self, ApiError> {
        Ok(Self { status: StatusCode::CREATED, body: serde_json::to_value(resource).map_err(ApiError::internal)? })
    }
}

/// The answer to a create, first or replayed: its ETag and, for a 201, the `Location` of the
/// created resource (#10: the collection's path and the new id).
fn respond(collection: &str, status: u16, body: &Value, replayed: bool) -> HttpResponse {
    let mut response = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK));
    if let Some(version) = body.get("version").and_then(Value::as_i64).and_then(|v| i32::try_from(v).ok()) {
        response.insert_header(etag(version));
    }
    // A resource's key is its `id`; a program year's is its `year`.
    let key =
        body.get("id").and_then(Value::as_str).map(str::to_owned).or_else(|| body.get("year").map(Value::to_string));
    if status == 201
        && let Some(key) = key
    {
        response.insert_header(crate::http::location(collection, &key));
    }
    if replayed {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    response.json(body)
}

fn mismatch() -> ApiError {
    ApiError::validation(vec![FieldError::new(
        HEADER,
        codes::IDEMPOTENCY_KEY_REUSED,
        Message::new(
            "ეს Idempotency-Key უკვე გამოყენებულია სხვა მოთხოვნისთვის",
            "This Idempotency-Key was used for a different request",
        ),
    )])
}

fn replay(collection: &str, claim: Claim) -> Result<HttpResponse, ApiError> {
    match claim {
        Claim::Replay { status, body } => {
            let body: Value = serde_json::from_str(&body).map_err(ApiError::internal)?;
            Ok(respond(collection, u16::try_from(status).unwrap_or(200), &body, true))
        }
        Claim::Mismatch => Err(mismatch()),
        Claim::New => Err(ApiError::internal("a new claim cannot be replayed")),
    }
}

/// Runs a create in one transaction, with its audit events, honouring `Idempotency-Key`; the
/// created resource lives under the request's path.
pub async fn create<F>(
    pool: &Pool,
    caller: &Caller,
    request: &HttpRequest,
    body: &Value,
    work: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut WriteTx<'_>) -> Result<Created, ApiError> + Send + 'static,
{
    create_at(pool, caller, request, body, request.path(), work).await
}

/// [`create`] for a resource that lives under `collection` rather than the request's path (a
/// service requested under its case lives at `/api/v1/services/{id}`).
pub async fn create_at<F>(
    pool: &Pool,
    caller: &Caller,
    request: &HttpRequest,
    body: &Value,
    collection: &str,
    work: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut WriteTx<'_>) -> Result<Created, ApiError> + Send + 'static,
{
    let key = key(request)?;
    let principal = caller.subject();
    let hash = request_hash(request.method().as_str(), request.path(), body);
    let method = request.method().to_string();
    let path = request.path().to_owned();
    let (claim_key, claim_principal, claim_hash) = (key.clone(), principal.clone(), hash.clone());
    let outcome = db::write(pool, caller.actor(), request_id(request), move |tx| {
        if let Some(key) = &claim_key {
            let claim = idempotency::claim(tx, &claim_principal, key, (&method, &path, &claim_hash))?;
            if claim != Claim::New {
                return Ok(Err(claim));
            }
        }
        let created = work(tx)?;
        if let Some(key) = &claim_key {
            idempotency::store_response(
                tx,
                &claim_principal,
                key,
                i32::from(created.status.as_u16()),
                &created.body.to_string(),
            )?;
        }
        Ok(Ok(created))
    })
    .await;
    match outcome {
        Ok(Ok(created)) => Ok(respond(collection, created.status.as_u16(), &created.body, false)),
        Ok(Err(claim)) => replay(collection, claim),
        // Two copies at the same moment: the other one committed the key first; replay it.
        Err(error) if error.code == ErrorCode::Conflict && key.is_some() => {
            let key = key.unwrap_or_default();
            let found = db::read(pool, move |conn| Ok(idempotency::stored(conn, &principal, &key, &hash)?)).await?;
            match found {
                Some(claim) => replay(collection, claim),
                None => Err(error),
            }
        }
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_body_in_another_key_order_hashes_the_same() {
        let a = serde_json::json!({"b": 1, "a": {"y": [1, 2], "x": "ქ"}});
        let b = serde_json::json!({"a": {"x": "ქ", "y": [1, 2]}, "b": 1});
        assert_eq!(request_hash("POST", "/p", &a), request_hash("POST", "/p", &b));
        assert_ne!(request_hash("POST", "/p", &a), request_hash("POST", "/q", &a));
        let c = serde_json::json!({"a": {"x": "ქ", "y": [2, 1]}, "b": 1});
        assert_ne!(request_hash("POST", "/p", &a), request_hash("POST", "/p", &c));
    }
}
