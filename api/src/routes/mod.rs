//! Routing: every endpoint is declared once, in [`endpoints`], with who may call it. The same
//! declarations register the routes, fill the OpenAPI document's per-operation roles, and are
//! checked against the README's table by a test.

use std::collections::BTreeMap;

use actix_web::middleware::from_fn;
use actix_web::{Route, web};
use domain::role::Role;

use crate::access::{Access, authorize};

pub mod arrivals;
pub mod audit;
pub mod auth;
pub mod cases;
pub mod clients;
pub mod eligibility;
pub mod grants;
pub mod health;
pub mod organizations;
pub mod persons;
pub mod program;
pub mod referrals;
pub mod regions;
pub mod services;
pub mod shelter;
pub mod users;

/// A bilingual text, as every message in the API carries it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Text {
    pub ka: String,
    pub en: String,
}

impl Text {
    pub fn new(ka: impl Into<String>, en: impl Into<String>) -> Self {
        Self { ka: ka.into(), en: en.into() }
    }
}

impl From<&domain::message::Message> for Text {
    fn from(message: &domain::message::Message) -> Self {
        Self::new(message.ka.clone(), message.en.clone())
    }
}

/// One endpoint: its method, path, who may call it, and how to build its route.
pub struct Endpoint {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
    route: fn() -> Route,
}

/// The OAuth 2.0 token endpoint, whose errors follow RFC 6749 rather than problem+json.
pub const TOKEN_PATH: &str = "/api/v1/auth/token";

const ADMIN: &[Role] = &[Role::Admin];
const ADMIN_READERS: &[Role] = &[Role::Admin, Role::Auditor];
/// Organisations: the ministry's staff read all, NGO staff their own (R11, in the query).
const ORGANIZATION_READERS: &[Role] =
    &[Role::Admin, Role::MinistryOfficer, Role::Auditor, Role::NgoManager, Role::NgoCaseworker];
/// Registration: NGO staff write; the ministry's staff and auditors read (R11 in the queries).
const REGISTRARS: &[Role] = &[Role::NgoManager, Role::NgoCaseworker];
const CASE_READERS: &[Role] = &[Role::MinistryOfficer, Role::Auditor, Role::NgoManager, Role::NgoCaseworker];
/// Arrivals are recorded at the airport by ministry officers, and by NGOs for people who arrived unmet.
/// Approving, rejecting and supplementing a service is for an NGO's managers (and its systems
/// with the manager's rights), never the requester (R12, in the action).
const SERVICE_DECIDERS: &[Role] = &[Role::NgoManager];
/// Shelter (S5) is arranged by ministry staff at the airport.
const SHELTER_RECORDERS: &[Role] = &[Role::MinistryOfficer];
/// The vocational referral feed (S4) is the Migration and Repatriation Division's.
const REFERRAL_READERS: &[Role] = &[Role::MinistryOfficer];
/// The audit trail (R13): auditors and administrators read and verify all of it; an NGO manager
/// reads its own organisation's events (R11, in the query).
const AUDIT_READERS: &[Role] = &[Role::Admin, Role::Auditor, Role::NgoManager];
const AUDIT_VERIFIERS: &[Role] = &[Role::Admin, Role::Auditor];
const ARRIVAL_RECORDERS: &[Role] = &[Role::MinistryOfficer, Role::NgoManager, Role::NgoCaseworker];

/// Grants: the ministry's staff read all, an NGO's staff and systems their own (R11, in the query).
const GRANT_READERS: &[Role] =
    &[Role::Admin, Role::MinistryOfficer, Role::Auditor, Role::NgoManager, Role::NgoCaseworker];

/// Users: administrators and auditors read all, an NGO manager the NGO's own.
const USER_READERS: &[Role] = &[Role::Admin, Role::Auditor, Role::NgoManager];

macro_rules! endpoint {
    ($method:ident $path:literal, $access:expr, $handler:path) => {
        Endpoint {
            method: const_str_upper(stringify!($method)),
            path: $path,
            access: $access,
            route: || web::$method().to($handler),
        }
    };
}

const fn const_str_upper(method: &'static str) -> &'static str {
    match method.as_bytes() {
        b"get" => "GET",
        b"post" => "POST",
        b"put" => "PUT",
        b"patch" => "PATCH",
        b"delete" => "DELETE",
        _ => method,
    }
}

/// Every endpoint the server serves, with who may call it. The only place routes are declared.
pub fn endpoints() -> Vec<Endpoint> {
    use Access::{Authenticated, Public, Roles};
    vec![
        endpoint!(get "/health/live", Public, health::live),
        endpoint!(get "/health/ready", Public, health::ready),
        endpoint!(get "/api/v1/program", Public, program::show),
        endpoint!(get "/api/v1/regions", Public, regions::list),
        endpoint!(post "/api/v1/auth/token", Public, auth::token),
        endpoint!(post "/api/v1/eligibility/check", Authenticated, eligibility::check),
        endpoint!(get "/api/v1/organizations", Roles(ORGANIZATION_READERS), organizations::list),
        endpoint!(post "/api/v1/organizations", Roles(ADMIN), organizations::create),
        endpoint!(get "/api/v1/organizations/{id}", Roles(ORGANIZATION_READERS), organizations::show),
        endpoint!(put "/api/v1/organizations/{id}", Roles(ADMIN), organizations::update),
        endpoint!(post "/api/v1/organizations/{id}/deactivate", Roles(ADMIN), organizations::deactivate),
        endpoint!(post "/api/v1/organizations/{id}/activate", Roles(ADMIN), organizations::activate),
        endpoint!(get "/api/v1/users", Roles(USER_READERS), users::list),
        endpoint!(post "/api/v1/users", Roles(ADMIN), users::create),
        endpoint!(get "/api/v1/users/me", Authenticated, users::me),
        endpoint!(post "/api/v1/users/me/password", Authenticated, users::change_password),
        endpoint!(get "/api/v1/users/{id}", Roles(USER_READERS), users::show),
        endpoint!(put "/api/v1/users/{id}", Roles(ADMIN), users::update),
        endpoint!(post "/api/v1/users/{id}/deactivate", Roles(ADMIN), users::deactivate),
        endpoint!(post "/api/v1/users/{id}/activate", Roles(ADMIN), users::activate),
        endpoint!(post "/api/v1/users/{id}/password-reset", Roles(ADMIN), users::reset_password),
        endpoint!(get "/api/v1/arrivals", Roles(CASE_READERS), arrivals::list),
        endpoint!(post "/api/v1/arrivals", Roles(ARRIVAL_RECORDERS), arrivals::create),
        endpoint!(get "/api/v1/arrivals/{id}", Roles(CASE_READERS), arrivals::show),
        endpoint!(put "/api/v1/arrivals/{id}", Roles(ARRIVAL_RECORDERS), arrivals::update),
        endpoint!(get "/api/v1/arrivals/{id}/shelter-stays", Roles(CASE_READERS), shelter::list_for_arrival),
        endpoint!(post "/api/v1/arrivals/{id}/shelter-stays", Roles(SHELTER_RECORDERS), shelter::create),
        endpoint!(get "/api/v1/shelter-stays", Roles(CASE_READERS), shelter::list),
        endpoint!(get "/api/v1/shelter-stays/{id}", Roles(CASE_READERS), shelter::show),
        endpoint!(post "/api/v1/shelter-stays/{id}/check-out", Roles(SHELTER_RECORDERS), shelter::check_out),
        endpoint!(post "/api/v1/shelter-stays/{id}/cancel", Roles(SHELTER_RECORDERS), shelter::cancel),
        endpoint!(get "/api/v1/persons", Roles(CASE_READERS), persons::list),
        endpoint!(post "/api/v1/persons", Roles(REGISTRARS), persons::create),
        endpoint!(get "/api/v1/persons/{id}", Roles(CASE_READERS), persons::show),
        endpoint!(put "/api/v1/persons/{id}", Roles(REGISTRARS), persons::update),
        endpoint!(get "/api/v1/cases", Roles(CASE_READERS), cases::list),
        endpoint!(post "/api/v1/cases", Roles(REGISTRARS), cases::create),
        endpoint!(get "/api/v1/cases/{id}", Roles(CASE_READERS), cases::show),
        endpoint!(post "/api/v1/cases/{id}/eligibility", Roles(REGISTRARS), cases::decide),
        endpoint!(get "/api/v1/cases/{id}/eligibility", Roles(CASE_READERS), cases::decisions),
        endpoint!(get "/api/v1/cases/{id}/eligibility/{decision_id}", Roles(CASE_READERS), cases::decision),
        endpoint!(post "/api/v1/cases/{id}/close", Roles(REGISTRARS), cases::close),
        endpoint!(get "/api/v1/cases/{id}/services", Roles(CASE_READERS), services::list_for_case),
        endpoint!(post "/api/v1/cases/{id}/services", Roles(REGISTRARS), services::create),
        endpoint!(get "/api/v1/services", Roles(CASE_READERS), services::list),
        endpoint!(get "/api/v1/services/{id}", Roles(CASE_READERS), services::show),
        endpoint!(post "/api/v1/services/{id}/approve", Roles(SERVICE_DECIDERS), services::approve),
        endpoint!(post "/api/v1/services/{id}/reject", Roles(SERVICE_DECIDERS), services::reject),
        endpoint!(post "/api/v1/services/{id}/supplement", Roles(SERVICE_DECIDERS), services::supplement),
        endpoint!(post "/api/v1/services/{id}/deliver", Roles(REGISTRARS), services::deliver),
        endpoint!(post "/api/v1/services/{id}/cancel", Roles(REGISTRARS), services::cancel),
        endpoint!(get "/api/v1/referrals/vocational", Roles(REFERRAL_READERS), referrals::feed),
        endpoint!(get "/api/v1/program-years", Authenticated, grants::list_years),
        endpoint!(post "/api/v1/program-years", Roles(ADMIN), grants::create_year),
        endpoint!(get "/api/v1/program-years/{year}", Authenticated, grants::show_year),
        endpoint!(put "/api/v1/program-years/{year}", Roles(ADMIN), grants::update_year),
        endpoint!(get "/api/v1/grants", Roles(GRANT_READERS), grants::list),
        endpoint!(post "/api/v1/grants", Roles(ADMIN), grants::create),
        endpoint!(get "/api/v1/grants/{id}", Roles(GRANT_READERS), grants::show),
        endpoint!(get "/api/v1/audit-events", Roles(AUDIT_READERS), audit::list),
        endpoint!(get "/api/v1/audit-events/head", Roles(AUDIT_VERIFIERS), audit::head),
        endpoint!(get "/api/v1/audit-events/verify", Roles(AUDIT_VERIFIERS), audit::verify),
        endpoint!(get "/api/v1/clients", Roles(ADMIN_READERS), clients::list),
        endpoint!(post "/api/v1/clients", Roles(ADMIN), clients::create),
        endpoint!(get "/api/v1/clients/{id}", Roles(ADMIN_READERS), clients::show),
        endpoint!(post "/api/v1/clients/{id}/rotate-secret", Roles(ADMIN), clients::rotate_secret),
        endpoint!(post "/api/v1/clients/{id}/revoke", Roles(ADMIN), clients::revoke),
    ]
}

/// Registers every endpoint, one resource per path (so a wrong method on a known path is a
/// 405), each route behind [`authorize`] with its declared access.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let mut by_path: BTreeMap<&'static str, Vec<Endpoint>> = BTreeMap::new();
    let mut order = Vec::new();
    for endpoint in endpoints() {
        if !by_path.contains_key(endpoint.path) {
            order.push(endpoint.path);
        }
        by_path.entry(endpoint.path).or_default().push(endpoint);
    }
    // Literal segments before parameters (`/users/me` before `/users/{id}`): keep declaration order.
    for path in order {
        let mut resource = web::resource(path);
        for endpoint in by_path.remove(path).unwrap_or_default() {
            let access = endpoint.access;
            let mut route = (endpoint.route)();
            if path.contains('{') {
                route = route.wrap(from_fn(ids_are_uuids));
            }
            resource = resource.route(route.wrap(from_fn(move |request, next| authorize(access, request, next))));
        }
        cfg.service(resource);
    }
}

/// Every id in a path (`{id}`, `{…_id}`) is a UUID (the server makes them): a path naming anything else names no
/// record, a 404 before any handler or database runs (after the access check, so a stranger still
/// gets a 401).
async fn ids_are_uuids<B: actix_web::body::MessageBody + 'static>(
    request: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<B>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::EitherBody<B>>, actix_web::Error> {
    let is_id = |name: &str| name == "id" || name.ends_with("_id");
    if request.match_info().iter().any(|(name, value)| is_id(name) && uuid::Uuid::try_parse(value).is_err()) {
        // A response, not an `Err`: the envelope renders it as a problem, like every error.
        return Ok(request.error_response(crate::error::ApiError::not_found()).map_into_right_body());
    }
    Ok(next.call(request).await?.map_into_left_body())
}

/// The README's endpoint table, rendered from [`endpoints`] (a test keeps the README in step).
pub fn markdown_table() -> String {
    let mut table = String::from("| method | path | who may call it |\n|---|---|---|\n");
    for endpoint in endpoints() {
        table.push_str(&format!("| `{}` | `{}` | {} |\n", endpoint.method, endpoint.path, endpoint.access.describe()));
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_lists_every_endpoint_with_the_roles_declared_here() {
        let readme = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"));
        let table = markdown_table();
        assert!(
            readme.contains(&table),
            "README.md's endpoint table is out of date; replace it with:\n\n{table}\n(cargo run --bin reintegration -- endpoints prints it)"
        );
    }

    /// A write by the administrator (or a password change) may end someone's tokens: it must sit
    /// under a path after which the node forgets the principals it remembered.
    #[test]
    fn every_identity_write_forgets_the_remembered_principals() {
        for e in endpoints() {
            // The administrator's money writes (years, grants) change no one's access.
            let money = ["/api/v1/program-years", "/api/v1/grants"].iter().any(|p| e.path.starts_with(p));
            let identity_write =
                e.method != "GET" && !money && (e.access == Access::Roles(ADMIN) || e.path.contains("password"));
            if identity_write {
                assert!(
                    crate::access::IDENTITY_PATHS.iter().any(|prefix| e.path.starts_with(prefix)),
                    "{} {} changes identities but is not under access::IDENTITY_PATHS",
                    e.method,
                    e.path
                );
            }
        }
    }

    #[test]
    fn every_path_and_method_is_declared_once() {
        let mut seen = std::collections::HashSet::new();
        for endpoint in endpoints() {
            assert!(seen.insert((endpoint.method, endpoint.path)), "{} {} twice", endpoint.method, endpoint.path);
        }
    }
}
