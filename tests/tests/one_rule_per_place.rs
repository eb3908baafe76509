#![allow(clippy::unwrap_used, clippy::expect_used)]
//! #9.5: a rule that the API applied in two places now lives in one, so every path that takes
//! the formerly disputed input answers it the same way.
//!
//! R1: "A citizen is identified by the 11-digit personal number; a stateless person by the
//! permit number"; anyone else (`legal_status: other`) by neither. Registering a person refused a
//! permit number for `other` while the dry run accepted it: now both, and correcting a person,
//! report the same field error. (Deciding a case takes its data from a stored person, which can
//! no longer hold the pair.)

use reqwest::Method;
use serde_json::{Value, json};
use tests::identity::text;
use tests::registration::{minimal_person, personal_number};
use tests::{TestApp, assert_problem};

/// The one field error of a 422, whole: field, code and message.
async fn the_field_error(response: reqwest::Response) -> Value {
    let problem = assert_problem(response, 422, "validation_failed").await;
    let errors = problem["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{problem}");
    errors[0].clone()
}

#[tokio::test]
async fn r1_a_permit_number_with_legal_status_other_is_the_same_invalid_input_on_every_path() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let token = &world.ngo_a.caseworker.token;
    let disputed = json!({
        "legal_status": "other",
        "residence_permit_number": "AB123456",
        "residence_region": "GE-TB",
    });

    let registered = app.send(Method::POST, "/api/v1/persons", Some(token), Some(&disputed)).await;
    let on_register = the_field_error(registered).await;

    let person = app.create_person(token, &minimal_person(&personal_number(1), "GE-TB")).await;
    let path = format!("/api/v1/persons/{}", text(&person, "id"));
    let corrected = app.send_with(Method::PUT, &path, Some(token), Some(&disputed), &[("If-Match", "\"1\"")]).await;
    let on_correct = the_field_error(corrected).await;

    let checked = app.send(Method::POST, "/api/v1/eligibility/check", Some(token), Some(&disputed)).await;
    let on_check = the_field_error(checked).await;

    assert_eq!(on_register["field"], "residence_permit_number", "{on_register}");
    assert_eq!(on_register["code"], "identifier_does_not_match_legal_status", "{on_register}");
    assert_eq!(on_correct, on_register, "PUT /persons/{{id}} answers as POST /persons");
    assert_eq!(on_check, on_register, "the dry run answers as registration");

    // The person was not changed by the refused correction.
    let (stored, tag) = app.read(&path, token).await;
    assert_eq!((stored["legal_status"].as_str(), tag.as_str()), (Some("citizen"), "\"1\""));
}

#[tokio::test]
async fn r1_an_unknown_legal_status_is_one_code_with_one_message_on_every_path() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let token = &world.ngo_a.caseworker.token;
    let unknown = json!({ "legal_status": "refugee", "residence_region": "GE-TB" });

    let registered =
        the_field_error(app.send(Method::POST, "/api/v1/persons", Some(token), Some(&unknown)).await).await;
    let checked =
        the_field_error(app.send(Method::POST, "/api/v1/eligibility/check", Some(token), Some(&unknown)).await).await;
    assert_eq!(
        (registered["field"].as_str(), registered["code"].as_str()),
        (Some("legal_status"), Some("unknown_legal_status"))
    );
    assert_eq!(checked, registered, "the dry run answers as registration");
}

#[tokio::test]
async fn r3_a_registration_before_the_return_is_one_code_with_one_message_in_the_dry_run_and_a_case() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let token = &world.ngo_a.caseworker.token;
    let number = personal_number(2);
    let check = json!({
        "legal_status": "citizen", "personal_number": number, "residence_region": "GE-TB",
        "return_date": "2017-03-01", "registration_date": "2017-02-28",
    });
    let checked =
        the_field_error(app.send(Method::POST, "/api/v1/eligibility/check", Some(token), Some(&check)).await).await;

    let arrival = app
        .create_arrival(
            token,
            &tests::registration::arrival(Some(&number), "2017-03-01", &[("2015-01-10", "2017-03-01")], false),
        )
        .await;
    let person = app.create_person(token, &minimal_person(&number, "GE-TB")).await;
    let case = json!({ "person_id": text(&person, "id"), "arrival_id": text(&arrival, "id"), "registration_date": "2017-02-28" });
    let opened = the_field_error(app.send(Method::POST, "/api/v1/cases", Some(token), Some(&case)).await).await;
    assert_eq!(
        (checked["field"].as_str(), checked["code"].as_str()),
        (Some("registration_date"), Some("registration_before_return"))
    );
    assert_eq!(opened, checked, "opening a case answers as the dry run");
}
