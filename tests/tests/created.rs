#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every 201 carries `Location` (#10, RFC 9110 §15.3.2): the created resource's own URL, which
//! answers the same record to the same caller; a replayed create (same `Idempotency-Key`) names
//! the same place. And `If-Match: *` changes whatever version a record is at (RFC 9110).

use reqwest::Method;
use serde_json::{Value, json};
use tests::identity::text;
use tests::registration::{arrival, minimal_person, personal_number};
use tests::{TestApp, header, json};

/// Sends a create, checks 201 and its `Location`, and reads it back with the same token.
async fn created_at(app: &TestApp, token: &str, collection: &str, body: &Value, key: Option<&str>) -> Value {
    let headers: Vec<(&str, &str)> = key.map(|k| vec![("Idempotency-Key", k)]).unwrap_or_default();
    let answer = app.send_with(Method::POST, collection, Some(token), Some(body), &headers).await;
    assert_eq!(answer.status().as_u16(), 201, "POST {collection}");
    let location = header(&answer, "location");
    let created = json(answer).await;
    assert_eq!(location, format!("{collection}/{}", text(&created, "id")), "POST {collection}");
    let read = app.send(Method::GET, &location, Some(token), None).await;
    assert_eq!(read.status().as_u16(), 200, "GET {location}");
    assert_eq!(json(read).await["id"], created["id"], "GET {location}");
    created
}

#[tokio::test]
async fn every_create_answers_201_with_the_location_of_what_it_created() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let admin = &world.admin.token;

    let ngo = created_at(
        &app,
        admin,
        "/api/v1/organizations",
        &json!({ "name_ka": "ახალი", "name_en": "New NGO", "legal_form": "ngo", "regions": ["GE-TB"] }),
        None,
    )
    .await;
    let ngo_id = text(&ngo, "id");
    created_at(
        &app,
        admin,
        "/api/v1/users",
        &json!({ "username": "nino.new", "full_name": "Nino", "role": "ngo_caseworker", "organization_id": ngo_id, "password": tests::identity::PASSWORD }),
        None,
    )
    .await;
    created_at(
        &app,
        admin,
        "/api/v1/clients",
        &json!({ "organization_id": ngo_id, "name": "Case system", "role": "ngo_manager" }),
        None,
    )
    .await;

    let token = &world.ngo_a.caseworker.token;
    let number = personal_number(1);
    let body = arrival(Some(&number), "2017-03-01", &[("2015-01-10", "2017-03-01")], false);
    let first = created_at(&app, token, "/api/v1/arrivals", &body, Some("arrival-1")).await;
    // A retry of the same create is answered from the first one, with the same Location.
    let again = created_at(&app, token, "/api/v1/arrivals", &body, Some("arrival-1")).await;
    assert_eq!(again["id"], first["id"]);
    let person = created_at(&app, token, "/api/v1/persons", &minimal_person(&number, "GE-TB"), None).await;
    let case = json!({ "person_id": text(&person, "id"), "arrival_id": text(&first, "id"), "registration_date": "2017-04-01" });
    created_at(&app, token, "/api/v1/cases", &case, None).await;
}

#[tokio::test]
async fn if_match_star_changes_whatever_version_the_record_is_at() {
    // #10, RFC 9110 §13.1.1: `If-Match: *` matches any current version (it used to be a 412);
    // a record that does not exist (or is not the caller's) stays a 404; a stale version a 412.
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let token = &world.ngo_a.caseworker.token;
    let number = personal_number(7);
    let person = app.create_person(token, &minimal_person(&number, "GE-TB")).await;
    let path = format!("/api/v1/persons/{}", text(&person, "id"));
    let change = minimal_person(&number, "GE-KK");

    let star = app.send_with(Method::PUT, &path, Some(token), Some(&change), &[("If-Match", "*")]).await;
    assert_eq!(star.status().as_u16(), 200);
    assert_eq!(header(&star, "etag"), "\"2\"");
    let star = app.send_with(Method::PUT, &path, Some(token), Some(&change), &[("If-Match", "*")]).await;
    assert_eq!(header(&star, "etag"), "\"3\"");
    let stale = app.send_with(Method::PUT, &path, Some(token), Some(&change), &[("If-Match", "\"1\"")]).await;
    tests::assert_problem(stale, 412, "version_conflict").await;
    let theirs = app
        .send_with(Method::PUT, &path, Some(&world.ngo_b.caseworker.token), Some(&change), &[("If-Match", "*")])
        .await;
    tests::assert_problem(theirs, 404, "not_found").await;

    // The same for an administrator's action and a case's.
    let user_path = format!("/api/v1/users/{}", world.ngo_a.manager.id);
    let off = app
        .send_with(
            Method::POST,
            &format!("{user_path}/deactivate"),
            Some(&world.admin.token),
            None,
            &[("If-Match", "*")],
        )
        .await;
    assert_eq!(off.status().as_u16(), 200);
    assert_eq!(json(off).await["active"], false);
}

#[tokio::test]
async fn an_if_match_that_is_no_etag_of_ours_is_a_422_naming_the_header() {
    // #10: `If-Match: banana` used to be a 412, as if it named a version; it names none. A
    // well-formed ETag of a version that cannot exist is still a 412 (no version matches).
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let token = &world.ngo_a.caseworker.token;
    let number = personal_number(8);
    let person = app.create_person(token, &minimal_person(&number, "GE-TB")).await;
    let path = format!("/api/v1/persons/{}", text(&person, "id"));
    let change = minimal_person(&number, "GE-KK");
    for value in ["banana", "", "1", "W/\"1\"", "\"1\", \"2\"", "\"-1\"", "\"\""] {
        let answer = app.send_with(Method::PUT, &path, Some(token), Some(&change), &[("If-Match", value)]).await;
        let problem = tests::assert_problem(answer, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], "If-Match", "{value:?}: {problem}");
        assert_eq!(problem["errors"][0]["code"], "invalid_if_match", "{value:?}");
    }
    let never = app.send_with(Method::PUT, &path, Some(token), Some(&change), &[("If-Match", "\"9999999999\"")]).await;
    tests::assert_problem(never, 412, "version_conflict").await;
    let current = app.send_with(Method::PUT, &path, Some(token), Some(&change), &[("If-Match", " \"1\" ")]).await;
    assert_eq!(current.status().as_u16(), 200, "surrounding spaces are no part of the value");
}

#[tokio::test]
async fn organisation_and_user_creates_are_safe_to_retry_with_an_idempotency_key() {
    // #10: `Idempotency-Key` was honoured on 3 of the creates; now on every one that can be (an
    // NGO system's create answers its secret once, and is documented as not idempotent).
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let admin = &world.admin.token;
    let organization =
        json!({ "name_ka": "განმეორება", "name_en": "Retry NGO", "legal_form": "ngo", "regions": ["GE-TB"] });
    let first = created_at(&app, admin, "/api/v1/organizations", &organization, Some("org-1")).await;
    let headers = [("Idempotency-Key", "org-1")];
    let again = app.send_with(Method::POST, "/api/v1/organizations", Some(admin), Some(&organization), &headers).await;
    assert_eq!((again.status().as_u16(), header(&again, "idempotent-replayed")), (201, "true".to_owned()));
    assert_eq!(json(again).await["id"], first["id"], "one organisation, not two");

    let user = json!({ "username": "retry.user", "full_name": "Retry", "role": "ngo_caseworker",
        "organization_id": text(&first, "id"), "password": tests::identity::PASSWORD });
    let created = created_at(&app, admin, "/api/v1/users", &user, Some("user-1")).await;
    let headers = [("Idempotency-Key", "user-1")];
    let again = app.send_with(Method::POST, "/api/v1/users", Some(admin), Some(&user), &headers).await;
    assert_eq!(again.status().as_u16(), 201);
    assert_eq!(json(again).await["id"], created["id"], "one user, not two");
    let mut other = user.clone();
    other["username"] = json!("another.user");
    let reused = app.send_with(Method::POST, "/api/v1/users", Some(admin), Some(&other), &headers).await;
    let problem = tests::assert_problem(reused, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["code"], "idempotency_key_reused");
}
