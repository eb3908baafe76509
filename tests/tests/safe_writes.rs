#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Writes that are safe to retry (API.md): `Idempotency-Key` on creates, `If-Match` on
//! changes, and every field error at once, in Georgian on request (API.md "Errors").

use reqwest::Method;
use serde_json::{Value, json};
use tests::identity::{etag, text};
use tests::registration::{arrival, field_errors, full_person, minimal_person, pairs, personal_number};
use tests::{RaceAnswer, RaceRequest, TestApp, assert_problem, has_mkhedruli, header, json, race};

const PERSONS: &str = "/api/v1/persons";

/// A create with an `Idempotency-Key`: status, `Idempotent-Replayed`, body.
async fn post_with_key(app: &TestApp, path: &str, token: &str, key: &str, body: &Value) -> (u16, String, Value) {
    let response = app.send_with(Method::POST, path, Some(token), Some(body), &[("Idempotency-Key", key)]).await;
    let status = response.status().as_u16();
    let replayed = header(&response, "idempotent-replayed");
    (status, replayed, json(response).await)
}

/// How many persons with this number the token sees.
async fn persons_with(app: &TestApp, token: &str, number: &str) -> usize {
    let (found, _) = app.read(&format!("{PERSONS}?personal_number={number}"), token).await;
    found["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn the_same_key_and_body_twice_creates_one_person_and_replays_the_first_answer() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let token = &world.ngo_a.caseworker.token;
    let number = personal_number(1);
    let body = full_person(&number, "GE-TB");
    let (first_status, first_replayed, first) = post_with_key(&app, PERSONS, token, "retry-1", &body).await;
    assert_eq!(first_status, 201, "{first}");
    assert_eq!(first_replayed, "", "a first answer is not a replay");
    let (second_status, second_replayed, second) = post_with_key(&app, PERSONS, token, "retry-1", &body).await;
    assert_eq!(second_status, 201, "{second}");
    assert_eq!(second_replayed, "true");
    assert_eq!(second, first, "the first answer, as it was");
    assert_eq!(persons_with(&app, token, &number).await, 1);
}

#[tokio::test]
async fn the_same_body_with_keys_in_another_order_is_the_same_request() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let token = &world.ngo_a.caseworker.token;
    let number = personal_number(2);
    let (status, _, first) = post_with_key(&app, PERSONS, token, "retry-2", &minimal_person(&number, "GE-TB")).await;
    assert_eq!(status, 201);
    // The same fields, written in another order.
    let reordered: Value = serde_json::from_str(&format!(
        r#"{{"residence_region":"GE-TB","personal_number":"{number}","legal_status":"citizen"}}"#
    ))
    .unwrap();
    let (status, replayed, second) = post_with_key(&app, PERSONS, token, "retry-2", &reordered).await;
    assert_eq!((status, replayed.as_str()), (201, "true"), "{second}");
    assert_eq!(second["id"], first["id"]);
}

#[tokio::test]
async fn the_same_key_with_another_body_is_refused() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let token = &world.ngo_a.caseworker.token;
    let (status, _, _) =
        post_with_key(&app, PERSONS, token, "retry-3", &minimal_person(&personal_number(3), "GE-TB")).await;
    assert_eq!(status, 201);
    let other = minimal_person(&personal_number(4), "GE-TB");
    let response =
        app.send_with(Method::POST, PERSONS, Some(token), Some(&other), &[("Idempotency-Key", "retry-3")]).await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(field_errors(&problem), pairs(&[("Idempotency-Key", "idempotency_key_reused")]), "{problem}");
    assert_eq!(persons_with(&app, token, &personal_number(4)).await, 0, "nothing created");
}

#[tokio::test]
async fn the_same_key_from_another_principal_is_independent() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let (a, b) = (&world.ngo_a.caseworker.token, &world.ngo_b.caseworker.token);
    let (status, _, first) =
        post_with_key(&app, PERSONS, a, "shared-key", &minimal_person(&personal_number(5), "GE-TB")).await;
    assert_eq!(status, 201);
    // Another principal's key space: another body is no reuse…
    let (status, replayed, other) =
        post_with_key(&app, PERSONS, b, "shared-key", &minimal_person(&personal_number(6), "GE-KK")).await;
    assert_eq!((status, replayed.as_str()), (201, ""), "{other}");
    assert_ne!(other["id"], first["id"]);
    // …and the same body is not a replay of A's answer (it is A's person: a conflict).
    let (status, replayed, conflict) =
        post_with_key(&app, PERSONS, b, "shared-key-2", &minimal_person(&personal_number(5), "GE-TB")).await;
    assert_eq!((status, replayed.as_str()), (409, ""), "{conflict}");
    let (status, replayed, again) = post_with_key(
        &app,
        PERSONS,
        &world.ngo_a.manager.token,
        "shared-key",
        &minimal_person(&personal_number(5), "GE-TB"),
    )
    .await;
    assert_eq!((status, replayed.as_str()), (409, ""), "another user of the same NGO has its own keys: {again}");
    assert_eq!(again["code"], "duplicate_person");
}

/// Identical creates with one key, released together from several threads (#8.12).
fn keyed(token: &str, path: &str, key: &str, body: &Value, copies: usize) -> Vec<RaceRequest> {
    (0..copies)
        .map(|_| RaceRequest {
            token: token.to_owned(),
            path: path.to_owned(),
            body: body.clone(),
            headers: vec![("Idempotency-Key".to_owned(), key.to_owned())],
        })
        .collect()
}

/// Every answer is the same 201 body; all but one are replays.
fn one_create_and_replays(answers: &[RaceAnswer]) {
    assert!(answers.iter().all(|a| a.status == 201), "{answers:?}");
    assert!(answers.iter().all(|a| a.body == answers[0].body), "the same answer: {answers:?}");
    let fresh = answers.iter().filter(|a| a.replayed.is_empty()).count();
    assert_eq!(fresh, 1, "exactly one answer is not a replay: {answers:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn identical_person_creates_at_the_same_moment_make_one_person() {
    let app = TestApp::spawn_for_races().await;
    let world = app.world().await;
    let token = &world.ngo_a.caseworker.token;
    for round in 0..5_u64 {
        let number = personal_number(100 + round);
        let answers =
            race(&app, keyed(token, PERSONS, &format!("concurrent-{round}"), &full_person(&number, "GE-TB"), 6)).await;
        one_create_and_replays(&answers);
        assert_eq!(persons_with(&app, token, &number).await, 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn identical_case_creates_at_the_same_moment_make_one_case() {
    let app = TestApp::spawn_for_races().await;
    let world = app.world().await;
    let token = &world.ngo_a.caseworker.token;
    for round in 0..5_u64 {
        let number = personal_number(200 + round);
        let recorded = app
            .create_arrival(
                &world.airport.token,
                &arrival(Some(&number), "2017-03-01", &[("2015-01-10", "2017-03-01")], true),
            )
            .await;
        let person = app.create_person(token, &minimal_person(&number, "GE-TB")).await;
        let body =
            json!({ "person_id": person["id"], "arrival_id": recorded["id"], "registration_date": "2017-04-01" });
        let answers = race(&app, keyed(token, "/api/v1/cases", &format!("case-{round}"), &body, 6)).await;
        one_create_and_replays(&answers);
        let cases = app.all_cases(token, &format!("personal_number={number}"), 50).await;
        assert_eq!(cases.len(), 1, "{cases:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn r5_different_case_creates_for_one_return_at_the_same_moment_make_one_case() {
    let app = TestApp::spawn_for_races().await;
    let world = app.world().await;
    let token = &world.ngo_a.caseworker.token;
    for round in 0..5_u64 {
        let number = personal_number(300 + round);
        let recorded = app.create_arrival(&world.airport.token, &arrival(Some(&number), "2017-03-01", &[], true)).await;
        let person = app.create_person(token, &minimal_person(&number, "GE-TB")).await;
        let requests = (0..6)
            .map(|i| RaceRequest {
                token: if i % 2 == 0 { token.clone() } else { world.ngo_a.manager.token.clone() },
                path: "/api/v1/cases".to_owned(),
                body: json!({ "person_id": person["id"], "arrival_id": recorded["id"], "registration_date": format!("2017-04-0{}", i + 1) }),
                headers: Vec::new(),
            })
            .collect();
        let answers = race(&app, requests).await;
        let winner =
            answers.iter().find(|a| a.status == 201).map(|a| a.body.clone()).unwrap_or_else(|| panic!("{answers:?}"));
        for loser in answers.iter().filter(|a| a.status != 201) {
            assert_eq!((loser.status, loser.body["code"].as_str()), (409, Some("duplicate_case")), "{loser:?}");
            assert_eq!(loser.body["case_id"], winner["id"], "{loser:?}");
            assert_eq!(loser.body["registered_by"]["en"], world.ngo_a.name_en.as_str(), "{loser:?}");
        }
        let cases = app.all_cases(token, &format!("personal_number={number}"), 50).await;
        assert_eq!(cases.len(), 1, "{cases:?}");
    }
}

#[tokio::test]
async fn a_person_changes_only_with_if_match_and_a_stale_version_changes_nothing() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let token = &world.ngo_a.caseworker.token;
    let number = personal_number(7);
    let created = app.create_person(token, &full_person(&number, "GE-TB")).await;
    let path = format!("{PERSONS}/{}", text(&created, "id"));

    let mut changed = full_person(&number, "GE-KK");
    changed["last_name_lat"] = json!("Beridze-Kapanadze");
    let response = app.send(Method::PUT, &path, Some(token), Some(&changed)).await;
    assert_problem(response, 428, "precondition_required").await;

    let response = app.send_with(Method::PUT, &path, Some(token), Some(&changed), &[("If-Match", "\"1\"")]).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(etag(&response), "\"2\"");
    let updated = json(response).await;
    assert_eq!((updated["version"].as_i64(), updated["residence_region"].as_str()), (Some(2), Some("GE-KK")));

    // A second writer still holding version 1 loses, and changes nothing.
    let mut lost = full_person(&number, "GE-IM");
    lost["phone"] = json!("+995 599 00 00 00");
    let response = app.send_with(Method::PUT, &path, Some(token), Some(&lost), &[("If-Match", "\"1\"")]).await;
    assert_problem(response, 412, "version_conflict").await;
    let (stored, tag) = app.read(&path, token).await;
    assert_eq!(tag, "\"2\"");
    assert_eq!(stored["residence_region"], "GE-KK");
    assert_eq!(stored["last_name_lat"], "Beridze-Kapanadze");
    assert_eq!(stored["phone"], "+995555123456");
}

#[tokio::test]
async fn every_field_error_of_a_person_is_listed_at_once() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let body = json!({
        "legal_status": "citizen",
        "personal_number": "123",
        "first_name_ka": "Nino",
        "last_name_lat": "ბერიძე",
        "date_of_birth": "1800-01-01",
        "sex": "x",
        "phone": "+1 202 555 0100",
        "residence_region": "GE-XX",
        "consent": { "date": "2017-03-02", "scope": "everything" },
        "nickname": "Nini",
    });
    let response = app.send(Method::POST, PERSONS, Some(&world.ngo_a.caseworker.token), Some(&body)).await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    let mut fields: Vec<String> = field_errors(&problem).into_iter().map(|(field, _)| field).collect();
    // date_of_birth is both implausible and, the consent being invalid, not allowed (R14).
    fields.dedup();
    let mut expected = vec![
        "personal_number",
        "first_name_ka",
        "last_name_lat",
        "date_of_birth",
        "sex",
        "phone",
        "residence_region",
        "consent.scope",
        "nickname",
    ];
    expected.sort_unstable();
    assert_eq!(fields, expected, "{problem}");
    let codes = field_errors(&problem);
    for pair in [
        ("personal_number", "invalid_checksum_or_format"),
        ("phone", "invalid_phone"),
        ("residence_region", "unknown_region"),
        ("first_name_ka", "invalid_georgian_name"),
        ("last_name_lat", "invalid_latin_name"),
        ("date_of_birth", "implausible_date_of_birth"),
        ("consent.scope", "unknown_consent_scope"),
    ] {
        assert!(codes.contains(&(pair.0.to_owned(), pair.1.to_owned())), "{pair:?} in {problem}");
    }
}

#[tokio::test]
async fn every_field_error_of_an_arrival_is_listed_at_once() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let body = json!({
        "personal_number": "12",
        "arrival_date": "2017-02-30",
        "point_of_arrival": "moon",
        "countries": ["GE", "it", "DE"],
        "irregular_periods": [{ "start": "2017-01-10", "end": "2017-01-01" }, { "start": "2016-01-01" }],
        "needs": { "shelter": "yes" },
    });
    let response = app.send(Method::POST, "/api/v1/arrivals", Some(&world.airport.token), Some(&body)).await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    let fields: Vec<String> = field_errors(&problem).into_iter().map(|(field, _)| field).collect();
    let mut expected = vec![
        "personal_number",
        "arrival_date",
        "point_of_arrival",
        "countries[0]",
        "countries[1]",
        "irregular_periods[0].end",
        "irregular_periods[1].end",
        "needs.shelter",
    ];
    expected.sort_unstable();
    assert_eq!(fields, expected, "{problem}");

    // A period that ends after the return is named too, with the other errors.
    let body = json!({
        "arrival_date": "2017-03-01",
        "point_of_arrival": "tbilisi_airport",
        "irregular_periods": [{ "start": "2016-01-01", "end": "2017-03-02" }],
        "countries": ["XX1"],
    });
    let response = app.send(Method::POST, "/api/v1/arrivals", Some(&world.airport.token), Some(&body)).await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(
        field_errors(&problem),
        pairs(&[("irregular_periods[0].end", "period_ends_after_return"), ("countries[0]", "invalid_country")]),
        "{problem}"
    );
}

#[tokio::test]
async fn field_errors_are_in_georgian_with_accept_language_ka() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let body = json!({ "legal_status": "citizen", "personal_number": "123", "residence_region": "GE-XX" });
    let token = &world.ngo_a.caseworker.token;
    let georgian = app.send_with(Method::POST, PERSONS, Some(token), Some(&body), &[("Accept-Language", "ka")]).await;
    let problem = assert_problem(georgian, 422, "validation_failed").await;
    let errors = problem["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{problem}");
    for error in errors {
        assert!(has_mkhedruli(error["message"].as_str().unwrap()), "{error}");
    }
    assert!(has_mkhedruli(problem["title"].as_str().unwrap()), "{problem}");
    assert!(has_mkhedruli(problem["detail"].as_str().unwrap()), "{problem}");

    let english = app.send_with(Method::POST, PERSONS, Some(token), Some(&body), &[("Accept-Language", "en-US")]).await;
    let problem = assert_problem(english, 422, "validation_failed").await;
    for error in problem["errors"].as_array().unwrap() {
        assert!(!has_mkhedruli(error["message"].as_str().unwrap()), "{error}");
    }
    let arrival_body = json!({ "arrival_date": "2017-03-01", "point_of_arrival": "moon" });
    let response = app
        .send_with(
            Method::POST,
            "/api/v1/arrivals",
            Some(&world.airport.token),
            Some(&arrival_body),
            &[("Accept-Language", "ka")],
        )
        .await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert!(has_mkhedruli(problem["errors"][0]["message"].as_str().unwrap()), "{problem}");
}
