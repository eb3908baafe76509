//! Every request schema's example passes the server's own validation (the request's `parse`), and
//! the schema's `required` and nullable declarations are what `parse` enforces: a field the
//! schema requires is refused as `required` when absent, and a field the schema does not mark
//! nullable is refused when `null`.

use chrono::NaiveDate;
use domain::message::FieldError;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use utoipa::PartialSchema;

use crate::error::ApiError;
use crate::input::FieldErrors;
use crate::routes::arrivals::ArrivalRequest;
use crate::routes::cases::{CaseRequest, CloseRequest};
use crate::routes::clients::CreateClientRequest;
use crate::routes::eligibility::EligibilityCheckRequest;
use crate::routes::organizations::OrganizationRequest;
use crate::routes::persons::PersonRequest;
use crate::routes::users::{ChangePasswordRequest, CreateUserRequest, UpdateUserRequest};

/// A day after every example date, like the server's "today".
fn today() -> NaiveDate {
    application::clock::today_in_tbilisi()
}

fn schema_of<S: PartialSchema>() -> Value {
    serde_json::to_value(S::schema()).unwrap_or_default()
}

fn example_of<S: PartialSchema>() -> Map<String, Value> {
    let schema = schema_of::<S>();
    schema["example"].as_object().cloned().unwrap_or_else(|| panic!("no object example in {schema}"))
}

/// The field errors `parse` reports for `body` (none when it passes).
fn errors<T: DeserializeOwned>(body: &Map<String, Value>, parse: fn(T) -> Result<(), ApiError>) -> Vec<FieldError> {
    let request: T = serde_json::from_value(Value::Object(body.clone())).unwrap_or_else(|e| panic!("{e}: {body:?}"));
    parse(request).err().map(|e| e.fields).unwrap_or_default()
}

fn nullable(property: &Value) -> bool {
    let in_type = property["type"].as_array().is_some_and(|types| types.contains(&json!("null")));
    let in_one_of = property["oneOf"].as_array().is_some_and(|items| items.iter().any(|i| i["type"] == "null"));
    in_type || in_one_of
}

/// Checks `S`'s example and its `required` and nullable declarations against `parse`. Fields in
/// `conditional` are required only together with others' values (R1: a citizen's number), so
/// their absence from the example may be refused although the schema cannot require them.
fn check<S: PartialSchema, T: DeserializeOwned>(
    name: &str,
    parse: fn(T) -> Result<(), ApiError>,
    example: Map<String, Value>,
    conditional: &[&str],
) {
    let found = errors::<T>(&example, parse);
    assert!(found.is_empty(), "{name}'s example is refused: {found:?}");
    let schema = schema_of::<S>();
    let required: Vec<&str> =
        schema["required"].as_array().map(|r| r.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    let properties = schema["properties"].as_object().cloned().unwrap_or_default();
    for (field, property) in &properties {
        let on_field = |e: &FieldError| {
            e.field == *field || e.field.starts_with(&format!("{field}.")) || e.field.starts_with(&format!("{field}["))
        };
        let mut without = example.clone();
        without.remove(field);
        let refused = errors::<T>(&without, parse).iter().any(|e| on_field(e) && e.code == domain::codes::REQUIRED);
        if !conditional.contains(&field.as_str()) {
            assert_eq!(refused, required.contains(&field.as_str()), "{name}.{field}: required when absent?");
        }
        let mut with_null = example.clone();
        with_null.insert(field.clone(), Value::Null);
        let refused = errors::<T>(&with_null, parse).iter().any(on_field);
        if !conditional.contains(&field.as_str()) {
            assert_eq!(!refused, nullable(property), "{name}.{field}: null accepted?");
        }
    }
}

fn case(request: CaseRequest) -> Result<(), ApiError> {
    request.parse(today()).map(drop)
}

/// `close`'s handler checks the reason with exactly these calls.
fn close(request: CloseRequest) -> Result<(), ApiError> {
    let mut errors = FieldErrors::default();
    errors.unknown_fields("", &request.unknown);
    errors.text("reason", request.reason, 1, 500);
    errors.finish()
}

fn person(request: PersonRequest) -> Result<(), ApiError> {
    request.parse(today()).map(drop)
}

fn arrival(request: ArrivalRequest) -> Result<(), ApiError> {
    request.parse(today()).map(drop)
}

fn eligibility(request: EligibilityCheckRequest) -> Result<(), ApiError> {
    request.parse(today()).map(drop)
}

fn organization(request: OrganizationRequest) -> Result<(), ApiError> {
    request.parse().map(drop)
}

fn create_user(request: CreateUserRequest) -> Result<(), ApiError> {
    request.parse().map(drop)
}

fn update_user(request: UpdateUserRequest) -> Result<(), ApiError> {
    request.parse().map(drop)
}

fn change_password(request: ChangePasswordRequest) -> Result<(), ApiError> {
    request.parse("demo-caseworker").map(drop)
}

fn create_client(request: CreateClientRequest) -> Result<(), ApiError> {
    request.parse().map(drop)
}

#[test]
fn every_request_example_passes_validation_and_required_and_null_are_as_documented() {
    check::<CaseRequest, _>("CaseRequest", case, example_of::<CaseRequest>(), &[]);
    check::<CloseRequest, _>("CloseRequest", close, example_of::<CloseRequest>(), &[]);
    // R1: a citizen's personal number is required with `legal_status: citizen` only.
    check::<PersonRequest, _>("PersonRequest", person, example_of::<PersonRequest>(), &["personal_number"]);
    check::<ArrivalRequest, _>("ArrivalRequest", arrival, example_of::<ArrivalRequest>(), &[]);
    check::<EligibilityCheckRequest, _>(
        "EligibilityCheckRequest",
        eligibility,
        example_of::<EligibilityCheckRequest>(),
        &[],
    );
    check::<OrganizationRequest, _>("OrganizationRequest", organization, example_of::<OrganizationRequest>(), &[]);
    check::<CreateUserRequest, _>("CreateUserRequest", create_user, example_of::<CreateUserRequest>(), &[]);
    check::<UpdateUserRequest, _>("UpdateUserRequest", update_user, example_of::<UpdateUserRequest>(), &[]);
    check::<ChangePasswordRequest, _>(
        "ChangePasswordRequest",
        change_password,
        example_of::<ChangePasswordRequest>(),
        &[],
    );
    check::<CreateClientRequest, _>("CreateClientRequest", create_client, example_of::<CreateClientRequest>(), &[]);
}

/// The nested components' examples pass too, inside their parents' examples.
#[test]
fn nested_examples_pass_validation_inside_their_parents() {
    use crate::routes::arrivals::NeedsSchema;
    use crate::routes::eligibility::PeriodSchema;
    use crate::routes::persons::ConsentBody;

    let mut arrival_example = example_of::<ArrivalRequest>();
    arrival_example.insert("needs".into(), Value::Object(example_of::<NeedsSchema>()));
    arrival_example.insert("irregular_periods".into(), json!([example_of::<PeriodSchema>()]));
    check::<ArrivalRequest, _>("ArrivalRequest with NeedsRequest's example", arrival, arrival_example, &[]);
    let mut person_example = example_of::<PersonRequest>();
    person_example.insert("consent".into(), Value::Object(example_of::<ConsentBody>()));
    check::<PersonRequest, _>("PersonRequest with ConsentBody's example", person, person_example, &["personal_number"]);
}
