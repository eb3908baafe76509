//! The OpenAPI document for everything served, built from the handlers' annotations.

use openapi::Frame;
use utoipa::OpenApi;

use crate::error::{ErrorCode, Problem, ProblemField};
use crate::routes::{Text, eligibility, health, program, regions};

#[derive(OpenApi)]
#[openapi(
    modifiers(&Frame),
    paths(
        health::live,
        health::ready,
        program::show,
        regions::list,
        eligibility::check,
    ),
    components(schemas(Problem, ProblemField, ErrorCode, Text))
)]
pub struct ApiDoc;

/// The document as served at `/openapi.json` and printed by `reintegration openapi`.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// Pretty JSON with a final newline, byte for byte what `openapi/openapi.json` holds.
pub fn document_json() -> String {
    let mut json = document().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}
