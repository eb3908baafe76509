//! The OpenAPI document for everything served, built from the handlers' annotations, with each
//! operation's roles and security taken from the same declarations that register the routes.

use openapi::Frame;
use utoipa::OpenApi;
use utoipa::openapi::extensions::ExtensionsBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::SecurityRequirement;

use crate::access::Access;
use crate::error::{ErrorCode, Problem, ProblemField};
use crate::routes::{Text, auth, clients, eligibility, endpoints, health, organizations, program, regions, users};

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
        operation.security = Some(match endpoint.access {
            Access::Public => vec![SecurityRequirement::default()],
            _ => vec![
                SecurityRequirement::new(openapi::BEARER_SCHEME, Vec::<String>::new()),
                SecurityRequirement::new(openapi::OAUTH2_SCHEME, Vec::<String>::new()),
            ],
        });
    }
    doc
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
