//! The OpenAPI document for everything served, built from the handlers' annotations, with each
//! operation's roles and security taken from the same declarations that register the routes.

use openapi::Frame;
use utoipa::OpenApi;
use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{Content, Ref, RefOr};

use crate::access::Access;
use crate::error::{ErrorCode, Problem, ProblemField};
use crate::routes::{
    Text, arrivals, auth, cases, clients, eligibility, endpoints, health, organizations, persons, program, regions,
    users,
};

#[derive(OpenApi)]
#[openapi(
    modifiers(&Frame),
    paths(
        health::live,
        health::ready,
        program::show,
        regions::list,
        auth::token,
        eligibility::check,
        organizations::list,
        organizations::create,
        organizations::show,
        organizations::update,
        organizations::deactivate,
        organizations::activate,
        users::list,
        users::create,
        users::me,
        users::change_password,
        users::show,
        users::update,
        users::deactivate,
        users::activate,
        users::reset_password,
        arrivals::list,
        arrivals::create,
        arrivals::show,
        arrivals::update,
        persons::list,
        persons::create,
        persons::show,
        persons::update,
        cases::list,
        cases::create,
        cases::show,
        cases::decide,
        cases::decisions,
        cases::close,
        clients::list,
        clients::create,
        clients::show,
        clients::rotate_secret,
        clients::revoke,
    ),
    components(schemas(Problem, ProblemField, ErrorCode, Text))
)]
pub struct ApiDoc;

fn operation_mut<'a>(doc: &'a mut utoipa::openapi::OpenApi, method: &str, path: &str) -> Option<&'a mut Operation> {
    let item = doc.paths.paths.get_mut(path)?;
    match method {
        "GET" => item.get.as_mut(),
        "POST" => item.post.as_mut(),
        "PUT" => item.put.as_mut(),
        "PATCH" => item.patch.as_mut(),
        "DELETE" => item.delete.as_mut(),
        _ => None,
    }
}

/// The document as served at `/openapi.json` and printed by `reintegration openapi`.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    for endpoint in endpoints() {
        let Some(operation) = operation_mut(&mut doc, endpoint.method, endpoint.path) else { continue };
        let roles: Vec<&str> = match endpoint.access {
            Access::Public => Vec::new(),
            Access::Authenticated => domain::role::Role::ALL.iter().map(|r| r.as_str()).collect(),
            Access::Roles(roles) => roles.iter().map(|r| r.as_str()).collect(),
        };
        operation.extensions = Some(ExtensionsBuilder::new().add("x-roles", roles).build());
        let who = format!("**Who may call it:** {}.", endpoint.access.describe());
        operation.description = Some(match operation.description.take() {
            Some(text) if !text.is_empty() => format!("{text}\n\n{who}"),
            _ => who,
        });
        document_errors(operation, endpoint.access, endpoint.path);
        operation.security = Some(match endpoint.access {
            // No requirement at all: `[{}]` would make generated clients demand a token (#10).
            Access::Public => Vec::new(),
            _ => [openapi::BEARER_SCHEME, openapi::PEOPLE_SCHEME, openapi::SYSTEMS_SCHEME]
                .into_iter()
                .map(|scheme| SecurityRequirement::new(scheme, Vec::<String>::new()))
                .collect(),
        });
    }
    doc
}

const PROBLEM_JSON: &str = "application/problem+json";

fn problem_response(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(PROBLEM_JSON, Content::new(Some(Ref::from_schema_name("Problem"))))
            .build(),
    )
}

/// Every error is problem+json (API.md), whatever the annotation said; the token endpoint's
/// 400 and 401 are RFC 6749 §5.2 JSON. Protected operations document 401, 403 and 429, and
/// every operation 500 and 503, from the same access declaration.
fn document_errors(operation: &mut Operation, access: Access, path: &str) {
    let takes_query = operation.parameters.as_ref().is_some_and(|parameters| {
        parameters.iter().any(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query))
    });
    let responses = &mut operation.responses.responses;
    for (status, response) in responses.iter_mut() {
        let is_error = status.starts_with('4') || status.starts_with('5');
        let oauth = path == crate::routes::TOKEN_PATH && (status == "400" || status == "401");
        if let (true, false, RefOr::T(response)) = (is_error, oauth, response)
            && let Some(content) = response.content.shift_remove("application/json")
        {
            response.content.insert(PROBLEM_JSON.to_owned(), content);
        }
    }
    let mut add = |status: &str, description: &str| {
        responses.entry(status.to_owned()).or_insert_with(|| problem_response(description));
    };
    if access != Access::Public {
        add("401", "No valid bearer token");
        add("429", "Too many requests from this client; see Retry-After");
    }
    if let Access::Roles(_) = access {
        add("403", "The caller's role may not do this");
    }
    if takes_query {
        add("422", "A query parameter is unknown or has an invalid value; every one is listed");
    }
    add("500", "Internal error; the body names only the request id");
    add("503", "The database is unavailable; see Retry-After");
}

/// Pretty JSON with a final newline, byte for byte what `openapi/openapi.json` holds.
pub fn document_json() -> String {
    let mut json = document().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declared_endpoint_is_documented_with_its_roles() {
        let doc = document();
        for endpoint in endpoints() {
            let mut doc = doc.clone();
            let operation = operation_mut(&mut doc, endpoint.method, endpoint.path)
                .unwrap_or_else(|| panic!("{} {} is not in the OpenAPI document", endpoint.method, endpoint.path));
            assert!(operation.extensions.as_ref().is_some_and(|e| e.get("x-roles").is_some()));
        }
    }
}
