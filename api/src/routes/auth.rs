//! `POST /api/v1/auth/token`: OAuth 2.0 (RFC 6749) with two grants. NGO systems use
//! `client_credentials` (client authentication by HTTP Basic or form fields); people use
//! `password`. Errors are RFC 6749 §5.2 JSON (`{"error": "invalid_client"}`), except 429.
//! Throttling is checked before any hash is computed.

use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use persistence::Pool;
use persistence::repo::throttle::{self, ThrottlePolicy};
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::{PrincipalKind, subject};
use crate::auth::password::{self, HashingPool};
use crate::auth::token::Tokens;
use crate::db;
use crate::error::ApiError;

/// The form fields of a token request (`application/x-www-form-urlencoded`).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct TokenRequest {
    /// `password` (people) or `client_credentials` (NGO systems).
    #[schema(example = "client_credentials")]
    grant_type: String,
    /// Password grant.
    username: Option<String>,
    /// Password grant.
    #[schema(format = Password)]
    password: Option<String>,
    /// Client credentials, when not sent by HTTP Basic.
    client_id: Option<String>,
    #[schema(format = Password)]
    client_secret: Option<String>,
    /// Ignored: the role decides what a token may do.
    scope: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// A signed JWT (EdDSA) to send as `Authorization: Bearer …`.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until it expires.
    pub expires_in: u64,
}

/// RFC 6749 §5.2.
#[derive(Debug, Serialize, ToSchema)]
pub struct OAuthError {
    /// `invalid_request`, `invalid_client`, `invalid_grant` or `unsupported_grant_type`.
    pub error: &'static str,
    pub error_description: &'static str,
}

fn oauth_error(status: StatusCode, error: &'static str, description: &'static str) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Pragma", "no-cache"))
        .json(OAuthError { error, error_description: description })
}

fn invalid_request(description: &'static str) -> HttpResponse {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_request", description)
}

fn invalid_client(used_basic: bool) -> HttpResponse {
    let mut response = oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", "client authentication failed");
    if used_basic {
        response.headers_mut().insert(
            actix_web::http::header::WWW_AUTHENTICATE,
            actix_web::http::header::HeaderValue::from_static("Basic realm=\"reintegration\""),
        );
    }
    response
}

fn invalid_grant() -> HttpResponse {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "wrong username or password")
}

/// The form, with every parameter at most once (RFC 6749 §3.2).
fn parse_form(body: &[u8]) -> Option<Vec<(String, String)>> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    let mut names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    (names.len() == before).then_some(pairs)
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
}

/// HTTP Basic client authentication; id and secret are form-urlencoded inside (RFC 6749 §2.3.1).
fn basic_credentials(request: &HttpRequest) -> Option<Option<(String, String)>> {
    let value = request.headers().get(AUTHORIZATION)?.to_str().ok();
    let decoded = value
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .and_then(|(_, encoded)| STANDARD.decode(encoded.trim()).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|pair| {
            let (id, secret) = pair.split_once(':')?;
            let decode = |s: &str| {
                serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("v={s}")).ok()?.pop().map(|(_, v)| v)
            };
            Some((decode(id)?, decode(secret)?))
        });
    Some(decoded)
}

/// The throttle keys of an attempt: the account and the address it comes from.
fn throttle_keys(account: &str, request: &HttpRequest) -> Vec<String> {
    let address = request.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default();
    vec![account.to_owned(), format!("address:{address}")]
}

/// Refuses with 429 while any key is locked; checked before any hash is computed.
async fn check_throttle(pool: &Pool, keys: Vec<String>) -> Result<(), ApiError> {
    let now = persistence::now_utc();
    let locked = db::read(pool, move |conn| Ok(throttle::locked_until(conn, &keys, now)?)).await?;
    match locked {
        Some(until) => {
            let seconds = u32::try_from((until - now).num_seconds().max(1)).unwrap_or(u32::MAX);
            Err(ApiError::rate_limited(seconds))
        }
        None => Ok(()),
    }
}

async fn record_failure(pool: &Pool, policy: ThrottlePolicy, keys: Vec<String>) -> Result<(), ApiError> {
    let now = persistence::now_utc();
    db::read(pool, move |conn| {
        for key in &keys {
            if let Some(until) = throttle::record_failure(conn, key, now, &policy)? {
                tracing::warn!(key = %key, until = %until, "login throttled");
            }
        }
        Ok(())
    })
    .await
}

fn issued(tokens: &Tokens, sub: &str, role: &str, org: &str) -> Result<HttpResponse, ApiError> {
    let token = tokens.issue(sub, role, org, chrono::Utc::now()).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Pragma", "no-cache"))
        .json(TokenResponse { access_token: token.access_token, token_type: "Bearer", expires_in: token.expires_in }))
}

/// Issues a bearer token: `grant_type=password` for people, `client_credentials` for NGO
/// systems (HTTP Basic or `client_id`/`client_secret` fields). Repeated failures for an
/// account or from an address are refused with 429 and `Retry-After`.
#[utoipa::path(operation_id = "issue_token", post, path = "/api/v1/auth/token", tag = "auth", security(()),
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, description = "RFC 6749 error: invalid_request, invalid_grant, unsupported_grant_type", body = OAuthError),
        (status = 401, description = "RFC 6749 error: invalid_client", body = OAuthError),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn token(
    request: HttpRequest,
    body: web::Bytes,
    pool: web::Data<Pool>,
    tokens: web::Data<Tokens>,
    hashing: web::Data<HashingPool>,
    policy: web::Data<ThrottlePolicy>,
) -> Result<HttpResponse, ApiError> {
    let form_type = request.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
        v.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"))
    });
    if !form_type {
        return Ok(invalid_request("send the request as application/x-www-form-urlencoded"));
    }
    let Some(form) = parse_form(&body) else {
        return Ok(invalid_request("the form is malformed or repeats a parameter"));
    };
    match field(&form, "grant_type") {
        Some("client_credentials") => client_credentials(&request, &form, &pool, &tokens, &hashing, **policy).await,
        Some("password") => password_grant(&request, &form, &pool, &tokens, &hashing, **policy).await,
        Some(_) => {
            Ok(oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "use password or client_credentials"))
        }
        None => Ok(invalid_request("grant_type is required")),
    }
}

async fn client_credentials(
    request: &HttpRequest,
    form: &[(String, String)],
    pool: &Pool,
    tokens: &Tokens,
    hashing: &HashingPool,
    policy: ThrottlePolicy,
) -> Result<HttpResponse, ApiError> {
    let basic = basic_credentials(request);
    let used_basic = basic.is_some();
    let (client_id, secret) = match (basic, field(form, "client_id"), field(form, "client_secret")) {
        (Some(Some(_)), _, Some(_)) => return Ok(invalid_request("use one client authentication method")),
        (Some(Some(credentials)), _, None) => credentials,
        (Some(None), _, _) => return Ok(invalid_client(true)),
        (None, Some(id), Some(secret)) => (id.to_owned(), secret.to_owned()),
        (None, _, _) => return Ok(invalid_client(false)),
    };
    let keys = throttle_keys(&format!("client:{client_id}"), request);
    check_throttle(pool, keys.clone()).await?;
    let lookup = client_id.clone();
    let found = db::read(pool, move |conn| Ok(persistence::repo::clients::find_by_client_id(conn, &lookup)?)).await?;
    let Some((client, organization_active)) = found else {
        hashing.dummy_verify_limited(secret).await?;
        record_failure(pool, policy, keys).await?;
        return Ok(invalid_client(used_basic));
    };
    let mut verified = hashing.verify_limited(secret.clone(), client.secret_hash.clone()).await?;
    if !verified
        && let (Some(previous), Some(until)) = (&client.previous_secret_hash, client.previous_secret_valid_until)
        && until > persistence::now_utc()
    {
        verified = hashing.verify_limited(secret, previous.clone()).await?;
    }
    if !verified || !client.active || !organization_active {
        record_failure(pool, policy, keys).await?;
        tracing::info!(client_id = %client_id, "client authentication failed");
        return Ok(invalid_client(used_basic));
    }
    issued(tokens, &subject(PrincipalKind::Client, &client.id), &client.role, &client.organization_id)
}

async fn password_grant(
    request: &HttpRequest,
    form: &[(String, String)],
    pool: &Pool,
    tokens: &Tokens,
    hashing: &HashingPool,
    policy: ThrottlePolicy,
) -> Result<HttpResponse, ApiError> {
    let (Some(username), Some(password)) = (field(form, "username"), field(form, "password")) else {
        return Ok(invalid_request("username and password are required"));
    };
    if password.len() > password::MAX_LENGTH * 4 {
        return Ok(invalid_grant());
    }
    let username = username.to_lowercase();
    let keys = throttle_keys(&format!("username:{username}"), request);
    check_throttle(pool, keys.clone()).await?;
    let lookup = username.clone();
    let found = db::read(pool, move |conn| Ok(persistence::repo::users::find_for_login(conn, &lookup)?)).await?;
    let Some((user, organization_active)) = found else {
        // The same work as for a real user: timing does not tell which usernames exist.
        hashing.dummy_verify_limited(password.to_owned()).await?;
        record_failure(pool, policy, keys).await?;
        return Ok(invalid_grant());
    };
    let verified = hashing.verify_limited(password.to_owned(), user.password_hash.clone()).await?;
    if !verified || !user.active || !organization_active {
        record_failure(pool, policy, keys).await?;
        tracing::info!(username = %username, "login failed");
        return Ok(invalid_grant());
    }
    let account = keys[0].clone();
    db::read(pool, move |conn| Ok(throttle::clear(conn, &account)?)).await?;
    issued(tokens, &subject(PrincipalKind::User, &user.id), &user.role, &user.organization_id)
}
