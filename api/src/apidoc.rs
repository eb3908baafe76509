//! The OpenAPI document for everything served, built from the handlers' annotations, with each
//! operation's roles and security taken from the same declarations that register the routes.

use openapi::Frame;
use std::collections::BTreeSet;
use utoipa::OpenApi;
use utoipa::openapi::extensions::ExtensionsBuilder;

use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{AdditionalProperties, ArrayItems, KnownFormat, SchemaFormat, SchemaType, Type};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{Content, ObjectBuilder, Ref, RefOr, Required, Schema};

use crate::access::Access;
use crate::error::{ErrorCode, Problem, ProblemField};
use crate::routes::{
    Text, arrivals, audit, auth, cases, clients, eligibility, endpoints, grants, health, organizations, persons,
    program, referrals, regions, services, shelter, users,
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
        cases::decision,
        cases::close,
        grants::list_years,
        grants::create_year,
        grants::show_year,
        grants::update_year,
        grants::list,
        grants::create,
        grants::show,
        services::list_for_case,
        services::create,
        services::list,
        services::show,
        services::approve,
        services::reject,
        services::supplement,
        services::deliver,
        services::cancel,
        shelter::list_for_arrival,
        shelter::create,
        shelter::list,
        shelter::show,
        shelter::check_out,
        shelter::cancel,
        referrals::feed,
        audit::list,
        audit::head,
        audit::verify,
        clients::list,
        clients::create,
        clients::show,
        clients::rotate_secret,
        clients::revoke,
    ),
    components(schemas(Problem, ProblemField, ErrorCode, Text))
)]
pub struct ApiDoc;

pub(crate) fn operation_mut<'a>(
    doc: &'a mut utoipa::openapi::OpenApi,
    method: &str,
    path: &str,
) -> Option<&'a mut Operation> {
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
///
/// What every operation shares is derived here from the route table ([`endpoints`]) and from
/// each operation's own shape — the statuses its access, body, path, query and headers can
/// produce through the error mapping, and the headers it reads and writes — so no handler can
/// forget them (#10). `crate::contract` checks the served answers against the result.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    let versioned = versioned_schemas(&doc);
    for endpoint in endpoints() {
        let Some(operation) = operation_mut(&mut doc, endpoint.method, endpoint.path) else { continue };
        let roles: Vec<&str> = match endpoint.access {
            Access::Public => Vec::new(),
            Access::Authenticated => domain::role::Role::ALL.iter().map(|r| r.as_str()).collect(),
            Access::Roles(roles) => roles.iter().map(|r| r.as_str()).collect(),
        };
        operation.extensions = Some(ExtensionsBuilder::new().add("x-roles", roles).build());
        describe(operation, endpoint.access);
        document_request_headers(operation, endpoint.method);
        document_errors(operation, endpoint.access, endpoint.path);
        document_response_headers(operation, &versioned);
        operation.security = Some(match endpoint.access {
            // No requirement at all: `[{}]` would make generated clients demand a token (#10).
            Access::Public => Vec::new(),
            _ => [openapi::BEARER_SCHEME, openapi::PEOPLE_SCHEME, openapi::SYSTEMS_SCHEME]
                .into_iter()
                .map(|scheme| SecurityRequirement::new(scheme, Vec::<String>::new()))
                .collect(),
        });
    }
    close_request_schemas(&mut doc);
    forbid_nul_in_queries(&mut doc);
    link_created_resources(&mut doc);
    doc
}

/// Free-text query parameters say they hold no NUL, as the bodies' do (422 `nul_character`).
fn forbid_nul_in_queries(doc: &mut utoipa::openapi::OpenApi) {
    for item in doc.paths.paths.values_mut() {
        let operations = [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete];
        for parameter in operations.into_iter().flatten().flat_map(|o| o.parameters.iter_mut().flatten()) {
            if let (ParameterIn::Query, Some(RefOr::T(Schema::Object(object)))) =
                (&parameter.parameter_in, parameter.schema.as_mut())
            {
                forbid_nul(object);
            }
        }
    }
}

/// A path's parameters, in order: `/api/v1/cases/{id}/eligibility/{decision_id}` → `id`, `decision_id`.
fn path_parameters(path: &str) -> Vec<&str> {
    path.split('/').filter_map(|s| s.strip_prefix('{')?.strip_suffix('}')).collect()
}

/// OpenAPI links from each create to what can be done with what it created (read, change,
/// change state), so generated clients and the fuzzer's stateful phase can follow them: the new
/// id from the answer's body, the other path parameters from the request, and `If-Match` from
/// the answer's `ETag`.
fn link_created_resources(doc: &mut utoipa::openapi::OpenApi) {
    let operations: Vec<(String, String, String, bool)> = doc
        .paths
        .paths
        .iter()
        .flat_map(|(path, item)| {
            [("GET", &item.get), ("POST", &item.post), ("PUT", &item.put), ("DELETE", &item.delete)]
                .into_iter()
                .filter_map(move |(method, operation)| {
                    let operation = operation.as_ref()?;
                    Some((
                        method.to_owned(),
                        path.clone(),
                        operation.operation_id.clone()?,
                        has_header(operation, "If-Match"),
                    ))
                })
        })
        .collect();
    for (method, path, _, _) in operations.iter().filter(|(method, ..)| method == "POST") {
        let Some(operation) = operation_mut(doc, method, path) else { continue };
        let Some(RefOr::T(created)) = operation.responses.responses.get_mut("201") else { continue };
        let parent = path_parameters(path);
        for (_, target_path, target_id, if_match) in &operations {
            let Some(rest) = target_path.strip_prefix(path.as_str()).and_then(|r| r.strip_prefix("/{")) else {
                continue;
            };
            let Some(new_parameter) = rest.split('}').next() else { continue };
            // The target names what the create made and nothing more than its request did.
            let target_parameters = path_parameters(target_path);
            if new_parameter.contains('/')
                || target_parameters.len() != parent.len() + 1
                || !target_parameters.starts_with(&parent)
            {
                continue;
            }
            let mut link = LinkBuilder::new()
                .operation_id(target_id.clone())
                .description(format!("The created resource, by `{target_id}`"));
            for name in path_parameters(target_path) {
                let value = if name == new_parameter {
                    "$response.body#/id".to_owned()
                } else {
                    format!("$request.path.{name}")
                };
                link = link.parameter(format!("path.{name}"), value);
            }
            if *if_match {
                link = link.parameter("header.If-Match", "$response.header.ETag");
            }
            created.links.insert(target_id.clone(), RefOr::T(link.build()));
        }
    }
}

/// A short summary (the doc comment's first sentence) and a description that ends with who may
/// call the operation.
fn describe(operation: &mut Operation, access: Access) {
    let text = [operation.summary.take(), operation.description.take()]
        .into_iter()
        .flatten()
        .filter(|t| !t.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    let flat = text.replace('\n', " ");
    let (summary, rest) = match flat.find(". ") {
        Some(end) => (flat[..=end].trim().to_owned(), text[end + 2..].trim().to_owned()),
        None => (flat.trim().to_owned(), String::new()),
    };
    let summary = summary.trim_end_matches('.').to_owned();
    let fallback = operation.operation_id.clone().unwrap_or_default().replace('_', " ");
    operation.summary = Some(if summary.is_empty() { fallback } else { summary });
    let who = format!("**Who may call it:** {}.", access.describe());
    operation.description = Some(if rest.is_empty() { who } else { format!("{rest}\n\n{who}") });
}

fn string_schema() -> ObjectBuilder {
    ObjectBuilder::new().schema_type(Type::String)
}

fn header_parameter(name: &str, required: bool, schema: ObjectBuilder, description: &str) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .required(if required { Required::True } else { Required::False })
        .schema(Some(schema.build()))
        .description(Some(description))
        .build()
}

/// Creates that do not take `Idempotency-Key`: registering an NGO system answers its secret once,
/// and a replay would have to keep that secret where it could be read back. After a timeout, list
/// the organisation's clients and rotate the secret of the one that was made.
const NOT_IDEMPOTENT: &[&str] = &["create_client"];

/// Whether the operation creates something and takes `Idempotency-Key`: a POST whose success is
/// a 201, but for [`NOT_IDEMPOTENT`].
fn creates(operation: &Operation, method: &str) -> bool {
    method == "POST"
        && operation.responses.responses.contains_key("201")
        && !operation.operation_id.as_deref().is_some_and(|id| NOT_IDEMPOTENT.contains(&id))
}

fn has_header(operation: &Operation, name: &str) -> bool {
    operation
        .parameters
        .iter()
        .flatten()
        .any(|p| matches!(p.parameter_in, ParameterIn::Header) && p.name.eq_ignore_ascii_case(name))
}

/// The request headers every operation reads (`Accept-Language`, `X-Request-Id`), and
/// `Idempotency-Key` on every create.
fn document_request_headers(operation: &mut Operation, method: &str) {
    let idempotent = creates(operation, method);
    let parameters = operation.parameters.get_or_insert_with(Vec::new);
    for parameter in parameters.iter_mut().filter(|p| p.name == "If-Match") {
        parameter.schema = Some(string_schema().pattern(Some(crate::http::IF_MATCH_PATTERN)).build().into());
        parameter.description = Some(
            "The ETag of the version being changed (e.g. `\"3\"`, from the last read or write), or `*` for \
             whatever version is current. A stale one is a 412; anything else a 422."
                .to_owned(),
        );
    }
    parameters.retain(|p| !p.name.eq_ignore_ascii_case(crate::idempotency::HEADER));
    if idempotent {
        parameters.push(header_parameter(
            crate::idempotency::HEADER,
            false,
            string_schema().min_length(Some(1)).max_length(Some(255)).pattern(Some("^[!-~]{1,255}$")),
            "Makes a retry safe: the same key with the same body returns the first answer \
             (`Idempotent-Replayed: true`); with another body, 422 `idempotency_key_reused`. \
             Keys are kept per caller.",
        ));
    }
    parameters.push(header_parameter(
        "Accept-Language",
        false,
        string_schema(),
        "`ka` for Georgian messages; anything else gives English. Every message carries both.",
    ));
    parameters.push(header_parameter(
        "X-Request-Id",
        false,
        string_schema(),
        "The client's own request id (1–200 printable ASCII characters), recorded beside the \
         server's; anything else is ignored. The response's `X-Request-Id` is always the server's.",
    ));
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

/// An example problem of a status: its most common code, as the server renders it (English).
fn problem_example(status: &str) -> Option<serde_json::Value> {
    let status: u16 = status.parse().ok()?;
    let code = ErrorCode::ALL.iter().copied().find(|code| code.status().as_u16() == status)?;
    let mut error = crate::error::ApiError::new(code, code.title());
    if code == ErrorCode::ValidationFailed {
        error = crate::error::ApiError::validation(vec![domain::message::FieldError::new(
            "personal_number",
            "invalid_checksum_or_format",
            domain::message::Message::new(
                "პირადი ნომერი შედგება ზუსტად 11 ციფრისგან.",
                "A personal number consists of exactly 11 digits.",
            ),
        )]);
    }
    let problem = error.to_problem("01938f5e-7c1a-7d3e-9b2a-4f6c8d0e1a2b", crate::language::Language::English);
    serde_json::to_value(problem).ok()
}

/// What each status means, for responses whose annotation gave no description.
fn status_description(status: &str) -> &'static str {
    match status {
        "200" => "OK",
        "201" => "Created; `Location` names the new resource",
        "204" => "Done; no body",
        "400" => "The body is not well-formed JSON, or the query string does not decode (`malformed_request`)",
        "401" => "No valid bearer token (`unauthorized`)",
        "403" => {
            "The caller may not do this (`forbidden`), or must first change the password an \
             administrator set (`password_change_required`)"
        }
        "404" => "No such record that the caller may see (`not_found`); `code` says when it is held elsewhere",
        "409" => "The request conflicts with what is stored; `code` names the rule",
        "412" => "`If-Match` names a version that is not the current one (`version_conflict`): read the record again",
        "413" => "The body is larger than the server accepts (`payload_too_large`)",
        "415" => "The body is not `Content-Type: application/json` (`unsupported_media_type`)",
        "422" => "Invalid input (`validation_failed`): every failing field is listed in `errors`",
        "428" => "`If-Match` is required to change this record (`precondition_required`)",
        "429" => "Too many requests from this client (`rate_limited`); see `Retry-After`",
        "500" => "Internal error (`internal_error`); the body names only the request id",
        "503" => {
            "The database is unavailable or the node is busy or shutting down \
             (`database_unavailable`, `overloaded`, `shutting_down`); see `Retry-After`"
        }
        _ => "See the problem's `code`",
    }
}

/// Every error is problem+json (API.md), whatever the annotation said; the token endpoint's
/// 400 and 401 are RFC 6749 §5.2 JSON. The statuses an operation can answer with follow from
/// its shape: who may call it (401, 403, 429), a JSON body (400, 413, 415, 422), a query or a
/// header it validates (422), an `{id}` (404), `If-Match` (412, 428); every operation may
/// answer 500 and 503.
fn document_errors(operation: &mut Operation, access: Access, path: &str) {
    let json_body = operation
        .request_body
        .as_ref()
        .is_some_and(|body| body.content.keys().any(|content_type| content_type == "application/json"));
    let takes_query = operation.parameters.iter().flatten().any(|p| matches!(p.parameter_in, ParameterIn::Query));
    let validates_header = has_header(operation, crate::idempotency::HEADER);
    let if_match = has_header(operation, "If-Match");
    let oauth = path == crate::routes::TOKEN_PATH;
    let responses = &mut operation.responses.responses;
    for (status, response) in responses.iter_mut() {
        let is_error = status.starts_with('4') || status.starts_with('5');
        let oauth_error = oauth && (status == "400" || status == "401");
        if let RefOr::T(response) = response {
            if is_error
                && !oauth_error
                && let Some(content) = response.content.shift_remove("application/json")
            {
                response.content.insert(PROBLEM_JSON.to_owned(), content);
            }
            if response.description.is_empty() {
                response.description = status_description(status).to_owned();
            }
        }
    }
    let mut statuses = vec!["500", "503"];
    if access != Access::Public {
        statuses.extend(["401", "403", "429"]);
    }
    if json_body {
        statuses.extend(["400", "413", "415", "422"]);
    }
    if takes_query {
        // A query string that does not decode (`malformed_request`), or a parameter that is
        // unknown, repeated or invalid.
        statuses.extend(["400", "422"]);
    }
    if validates_header {
        statuses.push("422");
    }
    if path.contains('{') {
        statuses.push("404");
    }
    if if_match {
        // A stale version (412), none (428), or a value that is no ETag of ours (422).
        statuses.extend(["412", "422", "428"]);
    }
    for status in statuses {
        responses.entry(status.to_owned()).or_insert_with(|| problem_response(status_description(status)));
    }
    for (status, response) in responses.iter_mut() {
        if let RefOr::T(response) = response
            && let Some(content) = response.content.get_mut(PROBLEM_JSON)
            && let Some(example) = problem_example(status)
        {
            content.example = Some(example);
        }
    }
}

/// The component schemas whose objects carry a `version`: answers holding one carry its `ETag`.
fn versioned_schemas(doc: &utoipa::openapi::OpenApi) -> BTreeSet<String> {
    let Some(components) = &doc.components else { return BTreeSet::new() };
    components
        .schemas
        .iter()
        .filter(|(_, schema)| matches!(schema, RefOr::T(Schema::Object(o)) if o.properties.contains_key("version")))
        .map(|(name, _)| format!("#/components/schemas/{name}"))
        .collect()
}

fn response_header(schema: ObjectBuilder, description: &str) -> Header {
    HeaderBuilder::new().schema(schema.build()).description(Some(description)).build()
}

/// The headers every answer carries (`X-Request-Id`), and `ETag` on answers that hold a
/// versioned record, `Location` on a 201 (and `Idempotent-Replayed` on a replayed one),
/// `Retry-After` on 429 and 503.
fn document_response_headers(operation: &mut Operation, versioned: &BTreeSet<String>) {
    let idempotent = has_header(operation, crate::idempotency::HEADER);
    for (status, response) in operation.responses.responses.iter_mut() {
        let RefOr::T(response) = response else { continue };
        response.headers.insert(
            "X-Request-Id".to_owned(),
            response_header(
                string_schema().format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid))),
                "The server's id of this request (UUIDv7), also in every problem's `request_id`.",
            ),
        );
        let holds_version = response.content.get("application/json").is_some_and(
            |content| matches!(&content.schema, Some(RefOr::Ref(r)) if versioned.contains(&r.ref_location)),
        );
        if holds_version && (status == "200" || status == "201") {
            response.headers.insert(
                "ETag".to_owned(),
                response_header(
                    string_schema().pattern(Some("^\"[0-9]+\"$")),
                    "The record's version, for `If-Match` on the next change.",
                ),
            );
        }
        if status == "201" && idempotent {
            response.headers.insert(
                "Idempotent-Replayed".to_owned(),
                response_header(
                    string_schema().enum_values(Some(["true"])),
                    "`true` when this is the first answer again, replayed for a retried `Idempotency-Key`.",
                ),
            );
        }
        if status == "201" {
            response.headers.insert(
                "Location".to_owned(),
                response_header(
                    string_schema().format(Some(SchemaFormat::Custom("uri-reference".to_owned()))),
                    "The new resource's path.",
                ),
            );
        }
        if status == "429" || status == "503" {
            response.headers.insert(
                "Retry-After".to_owned(),
                response_header(
                    ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)),
                    "Seconds to wait before trying again.",
                ),
            );
        }
    }
}

/// Request bodies sent as JSON are refused with a 422 when they hold a property the schema does
/// not name: every object schema they reach says `additionalProperties: false`. (The token
/// endpoint's form ignores unknown parameters, as RFC 6749 §3.2 requires, and is left open.)
fn close_request_schemas(doc: &mut utoipa::openapi::OpenApi) {
    let mut pending: Vec<String> = doc
        .paths
        .paths
        .values()
        .flat_map(|item| [&item.get, &item.post, &item.put, &item.patch, &item.delete])
        .flatten()
        .filter_map(|operation| operation.request_body.as_ref()?.content.get("application/json"))
        .filter_map(|content| match &content.schema {
            Some(RefOr::Ref(r)) => Some(r.ref_location.clone()),
            _ => None,
        })
        .collect();
    let Some(components) = doc.components.as_mut() else { return };
    let mut closed = BTreeSet::new();
    while let Some(location) = pending.pop() {
        let name = location.trim_start_matches("#/components/schemas/").to_owned();
        if !closed.insert(name.clone()) {
            continue;
        }
        if let Some(schema) = components.schemas.get_mut(&name) {
            close_schema(schema, &mut pending);
        }
    }
}

/// Pattern of a free text: anything but NUL, which no text of the program holds (422 `nul_character`).
const NO_NUL: &str = "^[^\\u0000]*$";

/// What Rust's `str::trim` removes (Unicode White_Space), as a regex character class body.
const WHITESPACE: &str = "\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/// A free-text string (no pattern, enumeration or format of its own) says it holds no NUL, and
/// (when it must not be empty) that trimmed it is at least its least length.
fn forbid_nul(object: &mut utoipa::openapi::schema::Object) {
    let is_string = match &object.schema_type {
        SchemaType::Type(Type::String) => true,
        SchemaType::Array(types) => types.contains(&Type::String),
        _ => false,
    };
    if is_string && object.pattern.is_none() && object.enum_values.is_none() && object.format.is_none() {
        object.pattern = Some(match object.min_length {
            // The server trims surrounding whitespace before it counts (`input::FieldErrors::text`),
            // so the least length is of what lies between the first and the last other character.
            Some(1) => format!("^[{WHITESPACE}]*[^{WHITESPACE}\\u0000][^\\u0000]*$"),
            Some(least) if least >= 2 => format!(
                "^[{WHITESPACE}]*[^{WHITESPACE}\\u0000][^\\u0000]{{{}}}[^{WHITESPACE}\\u0000][{WHITESPACE}]*$",
                format_args!("{},", least - 2)
            ),
            _ => NO_NUL.to_owned(),
        });
    }
}

fn close_schema(schema: &mut RefOr<Schema>, pending: &mut Vec<String>) {
    match schema {
        RefOr::Ref(r) => pending.push(r.ref_location.clone()),
        RefOr::T(Schema::Object(object)) => {
            if matches!(object.schema_type, SchemaType::Type(Type::Object)) || !object.properties.is_empty() {
                object.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
            }
            forbid_nul(object);
            for property in object.properties.values_mut() {
                close_schema(property, pending);
            }
        }
        RefOr::T(Schema::Array(array)) => {
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                close_schema(items, pending);
            }
        }
        RefOr::T(Schema::OneOf(one)) => one.items.iter_mut().for_each(|s| close_schema(s, pending)),
        RefOr::T(Schema::AllOf(all)) => all.items.iter_mut().for_each(|s| close_schema(s, pending)),
        RefOr::T(Schema::AnyOf(any)) => any.items.iter_mut().for_each(|s| close_schema(s, pending)),
        _ => {}
    }
}

/// Pretty JSON with a final newline, byte for byte what `openapi/openapi.json` holds and
/// `/openapi.json` serves.
pub fn document_json() -> String {
    let mut value = serde_json::to_value(document()).unwrap_or_default();
    fix_links(&mut value);
    let mut json = serde_json::to_string_pretty(&value).unwrap_or_default();
    json.push('\n');
    json
}

/// utoipa 5.5 writes a Link object's fields in snake_case (`operation_id`); OpenAPI spells them
/// `operationId`, `operationRef` and `requestBody`, and tools ignore a link without them.
fn fix_links(document: &mut serde_json::Value) {
    let responses = document
        .get_mut("paths")
        .and_then(serde_json::Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(serde_json::Value::as_object_mut)
        .flat_map(|item| item.values_mut())
        .filter_map(|operation| operation.get_mut("responses")?.as_object_mut())
        .flat_map(|responses| responses.values_mut());
    for response in responses {
        let Some(links) = response.get_mut("links").and_then(serde_json::Value::as_object_mut) else { continue };
        for link in links.values_mut().filter_map(serde_json::Value::as_object_mut) {
            for (from, to) in
                [("operation_id", "operationId"), ("operation_ref", "operationRef"), ("request_body", "requestBody")]
            {
                if let Some(value) = link.remove(from) {
                    link.insert(to.to_owned(), value);
                }
            }
        }
    }
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
