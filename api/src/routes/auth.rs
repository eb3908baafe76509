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
use crate::auth::address::TrustedProxies;
use crate::auth::password::{self, HashingPool};
use crate::auth::token::{Generations, Tokens};
use crate::db;
use crate::error::ApiError;

/// The form fields of a token request (`application/x-www-form-urlencoded`), each at most once;
/// an empty field counts as absent.
#[derive(Debug, ToSchema)]
#[schema(example = json!({
    "grant_type": "client_credentials",
    "client_id": "ngo-3f9a1c2b7d4e8a60",
    "client_secret": "the-secret-shown-when-the-client-was-registered"
}))]
#[allow(dead_code)]
pub struct TokenRequest {
    #[schema(value_type = GrantType)]
    grant_type: String,
    /// Password grant: required (any case; usernames are lower case).
    #[schema(required = false)]
    username: String,
    /// Password grant: required.
    #[schema(format = Password, required = false)]
    password: String,
    /// Client credentials, when not sent by HTTP Basic (then required with `client_secret`).
    #[schema(required = false)]
    client_id: String,
    /// Client credentials, when not sent by HTTP Basic.
    #[schema(format = Password, required = false)]
    client_secret: String,
    /// Ignored: the role decides what a token may do.
    #[schema(required = false)]
    scope: String,
}

/// `password` (people) or `client_credentials` (NGO systems); any other is
/// `unsupported_grant_type`.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum GrantType {
    Password,
    ClientCredentials,
}

/// RFC 6749 §5.2 error codes this server answers with.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum OAuthErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnsupportedGrantType,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// A signed JWT (EdDSA) to send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer", pattern = "^Bearer$")]
    pub token_type: &'static str,
    /// Seconds until it expires.
    pub expires_in: u64,
}

/// RFC 6749 §5.2.
#[derive(Debug, Serialize, ToSchema)]
pub struct OAuthError {
    #[schema(value_type = OAuthErrorCode)]
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

/// One login attempt as throttling sees it (#8.6): the account and the client's address
/// (behind trusted proxies, see [`TrustedProxies`]).
///
/// - The pair (account, address) is locked after `max_failures`: the guesser's own address.
/// - An address is locked after 10× `max_failures` (spraying many accounts), and a person's
///   account after 4× (guessing from many addresses), but both only for pairs that never
///   logged in: a stranger's failures do not lock a user or system out of an address it uses.
/// - Clients have no account-wide lock: their secrets are 256 random bits, not guessable.
struct Attempt {
    account: String,
    address: String,
    person: bool,
}

impl Attempt {
    fn new(request: &HttpRequest, account: String, person: bool) -> Self {
        let proxies = request.app_data::<web::Data<TrustedProxies>>().map(|p| p.get_ref().clone()).unwrap_or_default();
        let address = proxies.client_address(request);
        Self { account, address, person }
    }

    fn pair(&self) -> String {
        format!("{}@{}", self.account, self.address)
    }

    /// The keys a failure counts against, each with its limit.
    fn counters(&self, policy: &ThrottlePolicy) -> Vec<(String, i32)> {
        let max = policy.max_failures.max(1);
        let mut counters = vec![(self.pair(), max), (format!("address:{}", self.address), max.saturating_mul(10))];
        if self.person {
            counters.push((format!("account:{}", self.account), max.saturating_mul(4)));
        }
        counters
    }

    /// Refuses with 429 while a key that applies to this attempt is locked: only the pair's when
    /// the account has logged in from this address before, else every counter's. Checked before
    /// any hash is computed, in one trip to the database.
    async fn check(&self, pool: &Pool, policy: &ThrottlePolicy) -> Result<(), ApiError> {
        let (account, address, pair) = (self.account.clone(), self.address.clone(), self.pair());
        let counters: Vec<String> = self.counters(policy).into_iter().map(|(key, _)| key).collect();
        let now = persistence::now_utc();
        let locked = db::read(pool, move |conn| {
            let keys = if throttle::is_known_address(conn, &account, &address)? { vec![pair] } else { counters };
            Ok(throttle::locked_until(conn, &keys, now)?)
        })
        .await?;
        match locked {
            Some(until) => {
                let seconds = u32::try_from((until - now).num_seconds().max(1)).unwrap_or(u32::MAX);
                Err(ApiError::rate_limited(seconds))
            }
            None => Ok(()),
        }
    }

    async fn failed(&self, pool: &Pool, policy: ThrottlePolicy) -> Result<(), ApiError> {
        let counters = self.counters(&policy);
        let now = persistence::now_utc();
        db::read(pool, move |conn| {
            for (key, limit) in &counters {
                if let Some(until) = throttle::record_failure(conn, key, *limit, now, &policy)? {
                    tracing::warn!(key = %key, until = %until, "login throttled");
                }
            }
            Ok(())
        })
        .await
    }

    /// Forgets this pair's and this address's failures and remembers the address. The
    /// account-wide count stays: the owner logging in does not give a guesser elsewhere a fresh
    /// allowance.
    async fn succeeded(self, pool: &Pool) -> Result<(), ApiError> {
        let keys = vec![self.pair(), format!("address:{}", self.address)];
        let now = persistence::now_utc();
        db::read(pool, move |conn| {
            throttle::clear(conn, &keys)?;
            Ok(throttle::remember_address(conn, &self.account, &self.address, now)?)
        })
        .await
    }
}

fn issued(
    tokens: &Tokens,
    sub: &str,
    role: &str,
    org: &str,
    generations: Generations,
) -> Result<HttpResponse, ApiError> {
    let token = tokens.issue(sub, role, org, generations, chrono::Utc::now()).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Pragma", "no-cache"))
        .json(TokenResponse { access_token: token.access_token, token_type: "Bearer", expires_in: token.expires_in }))
}

/// Issues a bearer token.
///
/// `grant_type=password` for people, `client_credentials` for NGO
/// systems (HTTP Basic or `client_id`/`client_secret` fields). Repeated failures for an
/// account from an address, from an address, or (for people) for an account from addresses it
/// never logged in from are refused with 429 and `Retry-After`.
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
    let attempt = Attempt::new(request, format!("client:{client_id}"), false);
    attempt.check(pool, &policy).await?;
    let lookup = client_id.clone();
    let found = db::read(pool, move |conn| Ok(persistence::repo::clients::find_by_client_id(conn, &lookup)?)).await?;
    let Some((client, organization_active, organization_generation)) = found else {
        hashing.dummy_verify_limited(secret).await?;
        attempt.failed(pool, policy).await?;
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
        attempt.failed(pool, policy).await?;
        tracing::info!(client_id = %client_id, "client authentication failed");
        return Ok(invalid_client(used_basic));
    }
    attempt.succeeded(pool).await?;
    let generations = Generations { principal: client.token_generation, organization: organization_generation };
    issued(
        tokens,
        &subject(PrincipalKind::Client, &client.id),
        client.role.as_str(),
        &client.organization_id,
        generations,
    )
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
    let attempt = Attempt::new(request, format!("username:{username}"), true);
    attempt.check(pool, &policy).await?;
    let lookup = username.clone();
    let found = db::read(pool, move |conn| Ok(persistence::repo::users::find_for_login(conn, &lookup)?)).await?;
    let Some((user, organization_active, organization_generation)) = found else {
        // The same work as for a real user: timing does not tell which usernames exist.
        hashing.dummy_verify_limited(password.to_owned()).await?;
        attempt.failed(pool, policy).await?;
        return Ok(invalid_grant());
    };
    let verified = hashing.verify_limited(password.to_owned(), user.password_hash.clone()).await?;
    if !verified || !user.active || !organization_active {
        attempt.failed(pool, policy).await?;
        tracing::info!(username = %username, "login failed");
        return Ok(invalid_grant());
    }
    attempt.succeeded(pool).await?;
    let generations = Generations { principal: user.token_generation, organization: organization_generation };
    issued(tokens, &subject(PrincipalKind::User, &user.id), user.role.as_str(), &user.organization_id, generations)
}
