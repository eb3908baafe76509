#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Issue #8, registration holes: R11 for arrivals and their medical notes, nested unknown
//! fields, R5 by return, arrival and person corrections, cross-NGO writes, R13 for corrections.

use reqwest::Method;
use serde_json::{Value, json};
use tests::identity::text;
use tests::registration::{World, arrival, full_person, minimal_person, personal_number};
use tests::{TestApp, assert_problem, json};

const DIAGNOSIS: &str = "insulin-dependent diabetic";

fn audit(app: &TestApp, entity_type: &str, id: &str) -> Vec<persistence::models::audit::AuditEvent> {
    let mut conn = app.database.connect();
    persistence::repo::audit::for_entity(&mut conn, entity_type, id).unwrap()
}

fn audit_count(app: &TestApp) -> i64 {
    let mut conn = app.database.connect();
    persistence::repo::audit::count(&mut conn).unwrap()
}

/// An airport arrival with a medical need described in words.
fn arrival_with_diagnosis(number: Option<&str>, date: &str) -> Value {
    let mut body = arrival(number, date, &[("2015-01-10", date)], false);
    body["needs"] = json!({ "shelter": false, "medical": true, "medical_notes": DIAGNOSIS, "other": "speaks Italian" });
    body
}

async fn list_ids(app: &TestApp, path: &str, token: &str) -> Vec<String> {
    let (page, _) = app.read(path, token).await;
    page["items"].as_array().unwrap().iter().map(|a| text(a, "id")).collect()
}

#[tokio::test]
async fn r11_an_ngo_sees_the_airport_intake_until_another_ngo_registers_the_person() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let number = personal_number(801);
    let recorded = app.create_arrival(&world.airport.token, &arrival_with_diagnosis(Some(&number), "2017-03-01")).await;
    let id = text(&recorded, "id");
    let b = &world.ngo_b.caseworker.token;

    // Before anyone registers the person, every NGO sees the intake, and that a medical need was
    // recorded, but not its text (#8.1, #8.2).
    let (seen, _) = app.read(&format!("/api/v1/arrivals/{id}"), b).await;
    assert_eq!(
        (seen["needs"]["medical"].clone(), seen["needs"]["medical_notes_withheld"].clone()),
        (json!(true), json!(true))
    );
    assert!(seen["needs"]["medical_notes"].is_null(), "{seen}");
    assert_eq!(seen["needs"]["other"], "speaks Italian", "non-medical notes stay visible: {seen}");
    assert!(list_ids(&app, "/api/v1/arrivals", b).await.contains(&id));

    // NGO A registers the person: the arrival is theirs now.
    let person = app.create_person(&world.ngo_a.caseworker.token, &full_person(&number, "GE-TB")).await;
    let person_id = text(&person, "id");
    for path in [
        "/api/v1/arrivals".to_owned(),
        format!("/api/v1/arrivals?personal_number={number}"),
        format!("/api/v1/arrivals?person_id={person_id}"),
    ] {
        assert!(!list_ids(&app, &path, b).await.contains(&id), "{path} still shows another NGO's return");
    }
    let response = app.send(Method::GET, &format!("/api/v1/arrivals/{id}"), Some(b), None).await;
    let body = response.text().await.unwrap();
    assert!(!body.contains(DIAGNOSIS) && !body.contains(&person_id), "{body}");
    let problem: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (problem["code"].clone(), problem["registered_by"]["en"].clone()),
        (json!("registered_elsewhere"), json!(world.ngo_a.name_en))
    );

    // The NGO holding the person reads the text, and the read is recorded (R11).
    let reads_before = audit(&app, "arrival", &id).iter().filter(|e| e.action == "read_medical").count();
    let (held, _) = app.read(&format!("/api/v1/arrivals/{id}"), &world.ngo_a.caseworker.token).await;
    assert_eq!(held["needs"]["medical_notes"], DIAGNOSIS, "{held}");
    assert_eq!(held["person_id"], person_id.as_str());
    let reads: Vec<_> = audit(&app, "arrival", &id).into_iter().filter(|e| e.action == "read_medical").collect();
    assert_eq!(reads.len(), reads_before + 1, "one read, one audit event");
    assert_eq!(reads.last().unwrap().organization_id.as_deref(), Some(world.ngo_a.id.as_str()));

    // Auditors and ministry officers see the arrival, never the text (#8.2).
    for token in [&world.auditor.token, &world.airport.token] {
        for path in [format!("/api/v1/arrivals/{id}"), format!("/api/v1/arrivals?personal_number={number}")] {
            let (answer, _) = app.read(&path, token).await;
            let text = answer.to_string();
            assert!(!text.contains(DIAGNOSIS), "{path}: {text}");
            assert!(text.contains("\"medical_notes_withheld\":true"), "{path}: {text}");
        }
    }
}

#[tokio::test]
async fn r5_r11_an_arrival_an_ngo_records_under_another_ngos_number_is_duplicate_person_never_a_link() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let number = personal_number(802);
    app.create_person(&world.ngo_a.caseworker.token, &minimal_person(&number, "GE-KK")).await;
    let response = app
        .send(
            Method::POST,
            "/api/v1/arrivals",
            Some(&world.ngo_b.caseworker.token),
            Some(&arrival(Some(&number), "2017-04-01", &[], false)),
        )
        .await;
    let problem = assert_problem(response, 409, "duplicate_person").await;
    assert_eq!(problem["registered_by"]["en"], world.ngo_a.name_en.as_str());
    assert!(problem.get("person_id").is_none(), "{problem}");
    assert!(
        list_ids(&app, &format!("/api/v1/arrivals?personal_number={number}"), &world.airport.token).await.is_empty()
    );

    // The ministry's airport record of that person's return is linked to them.
    let airport = app.create_arrival(&world.airport.token, &arrival(Some(&number), "2017-04-01", &[], false)).await;
    assert!(airport["person_id"].is_string(), "{airport}");
    // The NGO holding the person records a return under the number: linked too.
    let own =
        app.create_arrival(&world.ngo_a.caseworker.token, &arrival(Some(&number), "2018-04-01", &[], false)).await;
    assert_eq!(own["person_id"], airport["person_id"]);
}

#[tokio::test]
async fn unknown_fields_nested_in_needs_or_consent_are_refused_not_dropped() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let token = &world.ngo_a.caseworker.token;
    let mut body = arrival(None, "2017-03-01", &[("2015-01-01", "2016-03-01")], false);
    body["needs"]["medicl"] = json!(true);
    body["irregular_periods"][0]["note"] = json!("x");
    let response = app.send(Method::POST, "/api/v1/arrivals", Some(token), Some(&body)).await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    let fields: Vec<String> = problem["errors"].as_array().unwrap().iter().map(|e| text(e, "field")).collect();
    assert!(
        fields.contains(&"needs.medicl".to_owned()) && fields.contains(&"irregular_periods[0].note".to_owned()),
        "{problem}"
    );

    let mut person = full_person(&personal_number(803), "GE-TB");
    person["consent"]["scopee"] = json!("program_services");
    let response = app.send(Method::POST, "/api/v1/persons", Some(token), Some(&person)).await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert!(
        problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["field"] == "consent.scopee" && e["code"] == "unknown_field"),
        "{problem}"
    );
}

#[tokio::test]
async fn r5_the_same_return_recorded_twice_is_duplicate_arrival_naming_it() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let number = personal_number(804);
    let first = app.create_arrival(&world.airport.token, &arrival(Some(&number), "2017-03-01", &[], true)).await;
    for token in [&world.airport.token, &world.ngo_a.caseworker.token] {
        let response = app
            .send(
                Method::POST,
                "/api/v1/arrivals",
                Some(token),
                Some(&arrival(Some(&number), "2017-03-01", &[], false)),
            )
            .await;
        let problem = assert_problem(response, 409, "duplicate_arrival").await;
        assert_eq!(problem["arrival_id"], first["id"], "{problem}");
    }
    // Another date is another return.
    app.create_arrival(&world.airport.token, &arrival(Some(&number), "2017-03-02", &[], false)).await;
}

#[tokio::test]
async fn r5_one_live_case_per_return_whichever_arrival_record_it_names() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let a = &world.ngo_a.caseworker.token;
    let number = personal_number(805);
    let person = app.create_person(a, &minimal_person(&number, "GE-TB")).await;
    let person_id = text(&person, "id");
    let own = app.create_arrival(a, &arrival(Some(&number), "2017-03-01", &[], false)).await;
    let (case, case_tag) = app.create_case(a, &person_id, &text(&own, "id"), "2017-03-05").await;
    // The airport recorded the same return without the number.
    let airport = app.create_arrival(&world.airport.token, &arrival(None, "2017-03-01", &[], false)).await;
    let body = json!({ "person_id": person_id, "arrival_id": text(&airport, "id"), "registration_date": "2017-03-06" });
    let problem =
        assert_problem(app.send(Method::POST, "/api/v1/cases", Some(a), Some(&body)).await, 409, "duplicate_case")
            .await;
    assert_eq!(problem["case_id"], case["id"], "{problem}");
    // With that case closed, the return still has its record: a case belongs on it.
    let path = format!("/api/v1/cases/{}/close", text(&case, "id"));
    let closed = app
        .send_if_match(Method::POST, &path, Some(a), Some(&json!({ "reason": "moved abroad" })), Some(&case_tag))
        .await;
    assert_eq!(closed.status().as_u16(), 200);
    let problem =
        assert_problem(app.send(Method::POST, "/api/v1/cases", Some(a), Some(&body)).await, 409, "duplicate_arrival")
            .await;
    assert_eq!(problem["arrival_id"], own["id"], "{problem}");
}

async fn registered_case(app: &TestApp, world: &World, n: u64) -> (String, String, String, String) {
    let number = personal_number(n);
    let recorded = app
        .create_arrival(
            &world.ngo_a.caseworker.token,
            &arrival(Some(&number), "2017-03-01", &[("2015-01-10", "2017-03-01")], false),
        )
        .await;
    let person = app.create_person(&world.ngo_a.caseworker.token, &full_person(&number, "GE-KK")).await;
    let (case, _) = app
        .create_case(&world.ngo_a.caseworker.token, &text(&person, "id"), &text(&recorded, "id"), "2017-05-10")
        .await;
    (text(&person, "id"), text(&recorded, "id"), text(&case, "id"), number)
}

#[tokio::test]
async fn an_arrival_correction_that_would_strand_a_case_or_move_a_linked_number_is_refused() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let a = &world.ngo_a.caseworker.token;
    let (_, arrival_id, case_id, number) = registered_case(&app, &world, 806).await;
    let path = format!("/api/v1/arrivals/{arrival_id}");
    let tag = app.current_etag(&path, a).await;

    // #8.10: moving the return after the case's registration would make R3 refuse every decision.
    let later = arrival(Some(&number), "2017-06-01", &[("2015-01-10", "2017-03-01")], false);
    let problem = assert_problem(
        app.send_if_match(Method::PUT, &path, Some(a), Some(&later), Some(&tag)).await,
        409,
        "arrival_has_case",
    )
    .await;
    assert_eq!(problem["case_id"], case_id.as_str(), "{problem}");
    let other_number = arrival(Some(&personal_number(807)), "2017-03-01", &[("2015-01-10", "2017-03-01")], false);
    let response = app.send_if_match(Method::PUT, &path, Some(a), Some(&other_number), Some(&tag)).await;
    assert_problem(response, 409, "arrival_linked_to_person").await;
    assert_eq!(app.current_etag(&path, a).await, tag, "nothing changed");

    // A correction that keeps the registration on or after the return is fine, and the case can
    // still be decided.
    let earlier = arrival(Some(&number), "2017-02-20", &[("2015-01-10", "2017-02-20")], false);
    let response = app.send_if_match(Method::PUT, &path, Some(a), Some(&earlier), Some(&tag)).await;
    assert_eq!(response.status().as_u16(), 200);
    let case_tag = app.current_etag(&format!("/api/v1/cases/{case_id}"), a).await;
    let (decided, _) = app.decide(a, &case_id, &case_tag).await;
    assert_eq!(decided["decision"]["input"]["return_date"], "2017-02-20");
}

#[tokio::test]
async fn a_corrected_personal_number_links_the_arrivals_recorded_under_it() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let a = &world.ngo_a.caseworker.token;
    let (typo, right) = (personal_number(808), personal_number(809));
    let airport = app.create_arrival(&world.airport.token, &arrival(Some(&right), "2017-03-01", &[], false)).await;
    let person = app.create_person(a, &minimal_person(&typo, "GE-TB")).await;
    let person_path = format!("/api/v1/persons/{}", text(&person, "id"));
    let tag = app.current_etag(&person_path, a).await;
    let response =
        app.send_if_match(Method::PUT, &person_path, Some(a), Some(&minimal_person(&right, "GE-TB")), Some(&tag)).await;
    assert_eq!(response.status().as_u16(), 200);
    let (linked, _) = app.read(&format!("/api/v1/arrivals/{}", text(&airport, "id")), a).await;
    assert_eq!(linked["person_id"], person["id"], "{linked}");

    // An airport record without a number, corrected to the person's number, is linked too.
    let unnamed = app.create_arrival(&world.airport.token, &arrival(None, "2018-05-01", &[], false)).await;
    let path = format!("/api/v1/arrivals/{}", text(&unnamed, "id"));
    let tag = app.current_etag(&path, &world.airport.token).await;
    let response = app
        .send_if_match(
            Method::PUT,
            &path,
            Some(&world.airport.token),
            Some(&arrival(Some(&right), "2018-05-01", &[], false)),
            Some(&tag),
        )
        .await;
    let corrected = json(response).await;
    assert_eq!(corrected["person_id"], person["id"], "{corrected}");
}

#[tokio::test]
async fn r11_cross_ngo_writes_are_404_with_no_version_bump_and_no_audit_event() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let (person_id, arrival_id, case_id, number) = registered_case(&app, &world, 810).await;
    let a = &world.ngo_a.caseworker.token;
    let b = &world.ngo_b.manager.token;
    let paths = [
        format!("/api/v1/persons/{person_id}"),
        format!("/api/v1/arrivals/{arrival_id}"),
        format!("/api/v1/cases/{case_id}"),
    ];
    let mut tags = Vec::new();
    for path in &paths {
        tags.push(app.current_etag(path, a).await);
    }
    let events = audit_count(&app);
    let attempts = [
        (Method::PUT, paths[0].clone(), Some(minimal_person(&number, "GE-AJ")), &tags[0]),
        (Method::PUT, paths[1].clone(), Some(arrival(Some(&number), "2017-03-01", &[], true)), &tags[1]),
        (Method::POST, format!("{}/close", paths[2]), Some(json!({ "reason": "taken over" })), &tags[2]),
        (Method::POST, format!("{}/eligibility", paths[2]), None, &tags[2]),
    ];
    for (method, path, body, tag) in attempts {
        let response = app.send_if_match(method.clone(), &path, Some(b), body.as_ref(), Some(tag)).await;
        assert_problem(response, 404, "not_found").await;
    }
    for (path, tag) in paths.iter().zip(&tags) {
        assert_eq!(&app.current_etag(path, a).await, tag, "{path} changed");
    }
    assert_eq!(audit_count(&app), events, "a refused write records nothing");
}

#[tokio::test]
async fn r13_corrections_and_closing_are_audited_with_before_and_after() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let (person_id, arrival_id, case_id, number) = registered_case(&app, &world, 811).await;
    let a = &world.ngo_a.caseworker.token;
    let changes = [
        (
            "person",
            person_id.clone(),
            format!("/api/v1/persons/{person_id}"),
            Method::PUT,
            minimal_person(&number, "GE-AJ"),
            "update",
        ),
        (
            "arrival",
            arrival_id.clone(),
            format!("/api/v1/arrivals/{arrival_id}"),
            Method::PUT,
            arrival(Some(&number), "2017-03-01", &[], true),
            "update",
        ),
        (
            "case",
            case_id.clone(),
            format!("/api/v1/cases/{case_id}"),
            Method::POST,
            json!({ "reason": "moved" }),
            "close",
        ),
    ];
    for (entity, id, path, method, body, action) in changes {
        let tag = app.current_etag(&path, a).await;
        let target = if action == "close" { format!("{path}/close") } else { path.clone() };
        let response = app.send_if_match(method, &target, Some(a), Some(&body), Some(&tag)).await;
        assert_eq!(response.status().as_u16(), 200, "{target}");
        let event = audit(&app, entity, &id)
            .into_iter()
            .rev()
            .find(|e| e.action == action)
            .unwrap_or_else(|| panic!("no {action} of {entity}"));
        let (before, after): (Value, Value) = (
            serde_json::from_str(event.before.as_deref().unwrap()).unwrap(),
            serde_json::from_str(event.after.as_deref().unwrap()).unwrap(),
        );
        assert_ne!(before, after, "{entity}");
        assert_eq!(after["version"].as_i64(), before["version"].as_i64().map(|v| v + 1), "{entity}");
        assert_eq!(event.organization_id.as_deref(), Some(world.ngo_a.id.as_str()));
    }
}

#[tokio::test]
async fn r13_the_database_refuses_to_empty_the_audit_trail() {
    let app = TestApp::spawn().await;
    app.world().await;
    let before = audit_count(&app);
    assert!(before > 0);
    let mut conn = app.database.connect();
    let statements: &[&str] = if app.database.is_postgres() {
        &["TRUNCATE audit_events", "DELETE FROM audit_events"]
    } else {
        &["DELETE FROM audit_events"]
    };
    for statement in statements {
        let refused = diesel::RunQueryDsl::execute(diesel::sql_query(*statement), &mut conn);
        assert!(refused.is_err(), "{statement} was accepted");
    }
    assert_eq!(audit_count(&app), before);
}
