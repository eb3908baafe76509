//! Authorisation as one mechanism. Every route declares its [`Access`] where it is registered
//! (`routes::endpoints`); [`authorize`] enforces it before the handler runs: it verifies the
//! bearer token, asks the database whether the user or client and its organisation are still
//! active (both remembered briefly on this node: [`AuthCache`]), checks the role, applies the
//! per-client rate limit, and hands the handler a [`Caller`]. R11's NGO scoping then lives in
//! the queries, through [`Caller::visibility`].

use std::collections::HashMap;
use std::future::{Ready, ready};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::AUTHORIZATION;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use domain::role::Role;
use persistence::{Pool, RequestIds};

use crate::auth::cache::AuthCache;
use crate::auth::token::Tokens;
use crate::error::ApiError;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No token needed.
    Public,
    /// Any authenticated user or client, whatever the role.
    Authenticated,
    /// Only these roles.
    Roles(&'static [Role]),
}

impl Access {
    pub fn allows(self, role: Role) -> bool {
        match self {
            Access::Public | Access::Authenticated => true,
            Access::Roles(roles) => roles.contains(&role),
        }
    }

    /// The roles allowed, for the README table and the OpenAPI document.
    pub fn describe(self) -> String {
        match self {
            Access::Public => "public".to_owned(),
            Access::Authenticated => "any role".to_owned(),
            Access::Roles(roles) => roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "),
        }
    }
}

pub use application::{Principal, PrincipalKind};

/// The authenticated caller of a request: the acting [`Principal`] of the actions it runs.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl std::ops::Deref for Caller {
    type Target = Principal;

    fn deref(&self) -> &Principal {
        &self.0
    }
}

impl Caller {
    /// The token subject: `user:<id>` or `client:<id>`.
    pub fn subject(&self) -> String {
        subject(self.kind, &self.id)
    }
}

pub fn subject(kind: PrincipalKind, id: &str) -> String {
    match kind {
        PrincipalKind::User => format!("user:{id}"),
        PrincipalKind::Client => format!("client:{id}"),
    }
}

fn parse_subject(sub: &str) -> Option<(PrincipalKind, &str)> {
    if let Some(id) = sub.strip_prefix("user:") {
        Some((PrincipalKind::User, id))
    } else {
        sub.strip_prefix("client:").map(|id| (PrincipalKind::Client, id))
    }
}

/// A handler that declares `caller: Caller` runs only behind [`authorize`].
impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Caller, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        // A route registered as public cannot ask for a caller: that is a programming error,
        // answered as 401 rather than letting the handler run unauthenticated.
        ready(request.extensions().get::<Caller>().cloned().ok_or_else(ApiError::unauthorized))
    }
}

/// The ids of the request in flight, for the audit trail: ours and the client's (#8.7).
pub fn request_id(request: &HttpRequest) -> RequestIds {
    request.extensions().get::<RequestIds>().cloned().unwrap_or_default()
}

/// Requests per minute per client, counted on this node (a token bucket per subject).
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self { per_minute, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one request from the subject's bucket; `Err(seconds)` when it is empty.
    pub fn take(&self, subject: &str) -> Result<(), u32> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() > 100_000 {
            // Bounded memory: forget buckets that have refilled completely.
            buckets.retain(|_, (tokens, at)| *tokens + now.duration_since(*at).as_secs_f64() * per_second < capacity);
        }
        let (tokens, at) = buckets.entry(subject.to_owned()).or_insert((capacity, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * per_second).min(capacity);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / per_second).ceil() as u32)
        }
    }
}

/// The route middleware: authenticates, checks the role against the route's [`Access`], and
/// puts the [`Caller`] into the request.
pub async fn authorize<B: MessageBody + 'static>(
    access: Access,
    request: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    if access != Access::Public
        && let Err(error) = admit(access, &request).await
    {
        // A response, not an `Err`: the envelope then renders it as a problem with the request
        // id, like every other error.
        return Ok(request.error_response(error).map_into_right_body());
    }
    let changes_identity =
        !request.method().is_safe() && IDENTITY_PATHS.iter().any(|prefix| request.path().starts_with(prefix));
    let cache = if changes_identity { request.app_data::<web::Data<AuthCache>>().cloned() } else { None };
    let response = next.call(request).await?;
    if response.status().is_success()
        && let Some(cache) = cache
    {
        cache.forget_principals();
    }
    Ok(response.map_into_left_body())
}

/// Writes under these paths may deactivate, revoke or re-role a principal or change a password:
/// after one succeeds, this node reads every principal's state from the database again.
pub(crate) const IDENTITY_PATHS: [&str; 3] = ["/api/v1/users", "/api/v1/clients", "/api/v1/organizations"];

/// #8.5: what a token of a password an administrator set may do: read who it is and change it.
fn may_change_password_only(request: &ServiceRequest) -> bool {
    matches!(
        (request.method().as_str(), request.path()),
        ("GET", "/api/v1/users/me") | ("POST", "/api/v1/users/me/password")
    )
}

async fn admit(access: Access, request: &ServiceRequest) -> Result<(), ApiError> {
    let caller = authenticate(request).await?;
    if !access.allows(caller.role) {
        return Err(ApiError::forbidden());
    }
    if let Some(limiter) = request.app_data::<web::Data<RateLimiter>>()
        && let Err(seconds) = limiter.take(&caller.subject())
    {
        return Err(ApiError::rate_limited(seconds));
    }
    request.extensions_mut().insert(caller);
    Ok(())
}

async fn authenticate(request: &ServiceRequest) -> Result<Caller, ApiError> {
    let token = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_owned())
        .ok_or_else(ApiError::unauthorized)?;
    let tokens = request.app_data::<web::Data<Tokens>>().ok_or_else(|| ApiError::internal("no token keys"))?;
    let cache = request.app_data::<web::Data<AuthCache>>().ok_or_else(|| ApiError::internal("no auth cache"))?;
    let claims = match cache.verified(&token, chrono::Utc::now().timestamp()) {
        Some(claims) => claims,
        None => {
            let claims = Arc::new(tokens.verify(&token).map_err(|error| {
                tracing::info!(reason = %error, "token rejected");
                ApiError::unauthorized()
            })?);
            cache.remember_verified(&token, Arc::clone(&claims));
            claims
        }
    };
    let (kind, id) = parse_subject(&claims.sub).ok_or_else(ApiError::unauthorized)?;
    let id = id.to_owned();
    let state = match cache.principal(&claims.sub) {
        Some(state) => state,
        None => {
            let pool = request.app_data::<web::Data<Pool>>().ok_or_else(|| ApiError::internal("no pool"))?;
            let generation = cache.generation();
            let lookup_id = id.clone();
            let state = crate::db::read(pool, move |conn| {
                Ok(match kind {
                    PrincipalKind::User => persistence::repo::principals::user(conn, &lookup_id)?,
                    PrincipalKind::Client => persistence::repo::principals::client(conn, &lookup_id)?,
                })
            })
            .await?;
            cache.remember_principal(&claims.sub, state.clone(), generation);
            state
        }
    };
    // Deactivated, revoked, re-passworded or re-roled since the token was issued (even if
    // reactivated since, even within the same second: #8.4), or moved to another organisation:
    // the token is dead.
    let state = state
        .filter(|s| {
            s.active
                && s.role.as_str() == claims.role
                && s.organization_id == claims.org
                && i64::from(s.generation) == claims.generation
                && i64::from(s.organization_generation) == claims.organization_generation
        })
        .ok_or_else(|| {
            tracing::info!(sub = %claims.sub, "token of an inactive or changed principal");
            ApiError::unauthorized()
        })?;
    if state.must_change_password && !may_change_password_only(request) {
        return Err(ApiError::password_change_required());
    }
    let role = state.role;
    Ok(Caller(Principal { kind, id, role, organization_id: state.organization_id }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_refuses_once_empty_and_says_when_to_retry() {
        let limiter = RateLimiter::new(3);
        for _ in 0..3 {
            assert_eq!(limiter.take("client:a"), Ok(()));
        }
        let retry = limiter.take("client:a").unwrap_err();
        assert!((1..=20).contains(&retry), "{retry}");
        assert_eq!(limiter.take("client:b"), Ok(()), "buckets are per client");
    }

    #[test]
    fn access_checks_roles() {
        let admins = Access::Roles(&[Role::Admin]);
        assert!(admins.allows(Role::Admin) && !admins.allows(Role::Auditor));
        assert!(Access::Authenticated.allows(Role::NgoCaseworker));
        assert_eq!(Access::Roles(&[Role::Admin, Role::Auditor]).describe(), "admin, auditor");
    }
}
