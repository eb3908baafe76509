#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The registration workflow: the airport records a return, an NGO registers the person and the
//! case and decides eligibility (PROGRAM.md R1–R5, R8, R11, R13, R14; API.md "The eligibility
//! decision").

use reqwest::Method;
use serde_json::{Value, json};
use tests::identity::text;
use tests::registration::{arrival, field_errors, full_person, minimal_person, pairs, personal_number, rule, rule_ids};
use tests::{TestApp, assert_problem, has_mkhedruli};

/// The actions of the audit trail of one record, oldest first.
fn audit_actions(app: &TestApp, entity_type: &str, id: &str) -> Vec<(String, Option<String>)> {
    let mut conn = app.database.connect();
    persistence::repo::audit::for_entity(&mut conn, entity_type, id)
        .unwrap()
        .into_iter()
        .map(|e| (e.action, e.organization_id))
        .collect()
}

#[tokio::test]
async fn r8_r13_the_airport_records_a_return_and_an_ngo_registers_decides_and_is_audited() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let worker = &world.ngo_a.caseworker;
    let number = personal_number(1);

    // The airport: a return with a shelter need and the personal number.
    let periods = [("2015-01-10", "2017-03-01")];
    let recorded =
        app.create_arrival(&world.airport.token, &arrival(Some(&number), "2017-03-01", &periods, true)).await;
    let arrival_id = text(&recorded, "id");
    assert_eq!(recorded["needs"]["shelter"], true, "{recorded}");
    assert_eq!(recorded["organization_id"], world.admin.organization_id.as_str(), "recorded by the ministry");
    assert!(recorded["person_id"].is_null(), "the person is not known yet: {recorded}");

    // The NGO sees the airport's arrival (R11: NGO staff see the ministry's arrivals).
    let (seen, _) = app.read(&format!("/api/v1/arrivals/{arrival_id}"), &worker.token).await;
    assert_eq!(seen["personal_number"], number.as_str());

    // The NGO registers the person, with consent: the arrival is linked to them.
    let person = app.create_person(&worker.token, &full_person(&number, "GE-KK")).await;
    let person_id = text(&person, "id");
    assert_eq!(person["phone"], "+995555123456", "stored in E.164: {person}");
    assert_eq!(person["first_name_ka"], "ნინო");
    assert_eq!(person["last_name_ka"], "ბერიძე");
    assert_eq!(person["first_name_lat"], "Nino");
    assert_eq!(person["last_name_lat"], "Beridze");
    assert_eq!(person["consent"], json!({ "date": "2017-03-02", "scope": "program_services" }));
    assert_eq!(person["organization_id"], world.ngo_a.id.as_str());
    let (linked, _) = app.read(&format!("/api/v1/arrivals/{arrival_id}"), &world.airport.token).await;
    assert_eq!(linked["person_id"], person_id.as_str(), "the arrival is linked to the person: {linked}");

    // The case.
    let (case, case_etag) = app.create_case(&worker.token, &person_id, &arrival_id, "2017-05-10").await;
    let case_id = text(&case, "id");
    assert_eq!(case["status"], "open");
    assert_eq!(case["organization_id"], world.ngo_a.id.as_str());
    assert_eq!(case_etag, "\"1\"");

    // The decision: R1–R5 in order, each with outcome, code, both languages and facts.
    let (result, new_etag) = app.decide(&worker.token, &case_id, &case_etag).await;
    let decision = &result["decision"];
    assert_eq!(decision["outcome"], "eligible", "{decision}");
    assert_eq!(decision["decided_on"], "2017-05-10");
    assert_eq!(decision["rules_version"], "2017.1");
    assert_eq!(rule_ids(decision), ["R1", "R2", "R3", "R4", "R5"]);
    let expected = [
        ("R1", "legal_status_citizen"),
        ("R2", "irregular_stay_over_one_year"),
        ("R3", "registered_within_one_year"),
        ("R4", "residence_in_covered_territory"),
        ("R5", "no_other_case_for_return"),
    ];
    for (id, code) in expected {
        let r = rule(decision, id);
        assert_eq!(r["outcome"], "pass", "{r}");
        assert_eq!(r["code"], code, "{r}");
        assert!(has_mkhedruli(r["message"]["ka"].as_str().unwrap()), "{r}");
        assert!(!r["message"]["en"].as_str().unwrap().is_empty(), "{r}");
        assert!(r["facts"].is_object(), "{r}");
    }
    assert_eq!(rule(decision, "R2")["facts"]["irregular_days"], 781);
    assert_eq!(rule(decision, "R3")["facts"]["window_last_day"], "2018-03-01");
    assert_eq!(rule(decision, "R4")["facts"]["residence_region"], "GE-KK");
    assert_eq!(decision["decided_by"], json!({ "type": "user", "id": worker.id }));
    assert_eq!(result["case"]["status"], "eligible");
    assert_eq!(new_etag, "\"2\"");

    let (stored, _) = app.read(&format!("/api/v1/cases/{case_id}"), &worker.token).await;
    assert_eq!(stored["status"], "eligible");
    let (history, _) = app.read(&format!("/api/v1/cases/{case_id}/eligibility"), &worker.token).await;
    let history = history["items"].as_array().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["id"], decision["id"]);
    assert_eq!(history[0]["rules"], decision["rules"]);

    // The ministry and the auditor read the case and its decisions.
    for reader in [&world.airport, &world.auditor] {
        let (seen, _) = app.read(&format!("/api/v1/cases/{case_id}/eligibility"), &reader.token).await;
        assert_eq!(seen["items"].as_array().unwrap().len(), 1);
    }

    // R13: every change is in the audit trail, with the organisation that made it.
    let ngo = Some(world.ngo_a.id.clone());
    let ministry = Some(world.admin.organization_id.clone());
    assert_eq!(audit_actions(&app, "person", &person_id), [("create".to_owned(), ngo.clone())]);
    assert_eq!(
        audit_actions(&app, "arrival", &arrival_id),
        [("create".to_owned(), ministry), ("link_person".to_owned(), ngo.clone())]
    );
    assert_eq!(
        audit_actions(&app, "case", &case_id),
        [("create".to_owned(), ngo.clone()), ("decide".to_owned(), ngo.clone())]
    );
    assert_eq!(audit_actions(&app, "eligibility_decision", &text(decision, "id")), [("create".to_owned(), ngo)]);
}

#[tokio::test]
async fn r14_without_consent_every_personal_detail_is_refused_at_once() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let mut body = full_person(&personal_number(2), "GE-TB");
    body.as_object_mut().unwrap().remove("consent");
    let response = app.send(Method::POST, "/api/v1/persons", Some(&world.ngo_a.caseworker.token), Some(&body)).await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    let expected: Vec<(&str, &str)> = [
        "first_name_ka",
        "last_name_ka",
        "first_name_lat",
        "last_name_lat",
        "date_of_birth",
        "sex",
        "phone",
        "residence_locality",
    ]
    .into_iter()
    .map(|field| (field, "consent_required"))
    .collect();
    assert_eq!(field_errors(&problem), pairs(&expected), "{problem}");
    let (found, _) = app
        .read(&format!("/api/v1/persons?personal_number={}", personal_number(2)), &world.ngo_a.caseworker.token)
        .await;
    assert_eq!(found["items"].as_array().unwrap().len(), 0, "nothing was stored");
}

#[tokio::test]
async fn r14_without_consent_the_minimum_for_eligibility_is_accepted() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let number = personal_number(3);
    let person = app.create_person(&world.ngo_a.caseworker.token, &minimal_person(&number, "GE-IM")).await;
    assert_eq!(person["personal_number"], number.as_str());
    assert_eq!(person["residence_region"], "GE-IM");
    assert_eq!(person["legal_status"], "citizen");
    for field in ["first_name_ka", "last_name_lat", "phone", "date_of_birth", "consent"] {
        assert!(person[field].is_null(), "{field} of {person}");
    }
}

#[tokio::test]
async fn r5_r11_a_second_registration_of_a_number_by_another_ngo_names_the_holder_but_not_the_record() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let number = personal_number(4);
    app.create_person(&world.ngo_a.caseworker.token, &minimal_person(&number, "GE-TB")).await;

    let response = app
        .send(
            Method::POST,
            "/api/v1/persons",
            Some(&world.ngo_b.caseworker.token),
            Some(&minimal_person(&number, "GE-KK")),
        )
        .await;
    let problem = assert_problem(response, 409, "duplicate_person").await;
    assert_eq!(problem["registered_by"]["en"], world.ngo_a.name_en.as_str(), "{problem}");
    assert_eq!(problem["registered_by"]["ka"], world.ngo_a.name_ka.as_str(), "{problem}");
    assert!(problem.get("person_id").is_none(), "R11: another NGO's record is not revealed: {problem}");
    let (seen, _) = app.read(&format!("/api/v1/persons?personal_number={number}"), &world.ngo_b.caseworker.token).await;
    assert_eq!(seen["items"].as_array().unwrap().len(), 0, "and no second person was made");
}

#[tokio::test]
async fn r5_a_second_registration_of_a_number_by_the_same_ngo_points_to_the_record() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let number = personal_number(5);
    let person = app.create_person(&world.ngo_a.caseworker.token, &minimal_person(&number, "GE-TB")).await;
    let response = app
        .send(
            Method::POST,
            "/api/v1/persons",
            Some(&world.ngo_a.manager.token),
            Some(&minimal_person(&number, "GE-TB")),
        )
        .await;
    let problem = assert_problem(response, 409, "duplicate_person").await;
    assert_eq!(problem["person_id"], person["id"], "{problem}");
    assert_eq!(problem["registered_by"]["en"], world.ngo_a.name_en.as_str(), "{problem}");
}

/// Registers a person with an airport arrival and a case at NGO A; returns (person, arrival, case) ids.
async fn first_case(app: &TestApp, world: &tests::registration::World, n: u64) -> (String, String, String) {
    let number = personal_number(n);
    let registered = app
        .register(
            &world.airport,
            &world.ngo_a,
            &arrival(Some(&number), "2017-03-01", &[("2015-01-10", "2017-03-01")], false),
            &minimal_person(&number, "GE-TB"),
            "2017-04-01",
        )
        .await;
    (registered.person_id, registered.arrival_id, registered.case_id)
}

#[tokio::test]
async fn r5_a_second_case_for_the_same_return_at_the_same_ngo_is_a_conflict_naming_the_case() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let (person_id, arrival_id, case_id) = first_case(&app, &world, 6).await;
    let body = json!({ "person_id": person_id, "arrival_id": arrival_id, "registration_date": "2017-04-02" });
    let response = app.send(Method::POST, "/api/v1/cases", Some(&world.ngo_a.manager.token), Some(&body)).await;
    let problem = assert_problem(response, 409, "duplicate_case").await;
    assert_eq!(problem["registered_by"]["en"], world.ngo_a.name_en.as_str(), "{problem}");
    assert_eq!(problem["case_id"], case_id.as_str(), "{problem}");
    let all = app.all_cases(&world.airport.token, "", 50).await;
    assert_eq!(all.len(), 1, "one case: {all:?}");
}

#[tokio::test]
async fn r5_a_second_case_for_the_same_return_by_another_ngo_is_a_conflict_naming_the_first_ngo() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let (person_id, arrival_id, _) = first_case(&app, &world, 7).await;
    let body = json!({ "person_id": person_id, "arrival_id": arrival_id, "registration_date": "2017-04-02" });
    let response = app.send(Method::POST, "/api/v1/cases", Some(&world.ngo_b.caseworker.token), Some(&body)).await;
    let problem = assert_problem(response, 409, "duplicate_case").await;
    assert_eq!(problem["registered_by"]["en"], world.ngo_a.name_en.as_str(), "{problem}");
    assert!(problem.get("case_id").is_none(), "R11: another NGO's case is not revealed: {problem}");
}

#[tokio::test]
async fn r5_another_ngo_cannot_register_a_second_case_for_a_return_that_has_one() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let (person_id, arrival_id, _) = first_case(&app, &world, 8).await;
    let body = json!({ "person_id": person_id, "arrival_id": arrival_id, "registration_date": "2017-04-02" });
    let response = app.send(Method::POST, "/api/v1/cases", Some(&world.ngo_b.caseworker.token), Some(&body)).await;
    let problem = assert_problem(response, 409, "duplicate_case").await;
    assert!(problem.get("case_id").is_none(), "R11: {problem}");
    assert!(problem.get("person_id").is_none(), "R11: {problem}");
    let all = app.all_cases(&world.airport.token, "", 50).await;
    assert_eq!(all.len(), 1, "still one case: {all:?}");
    let (mine, _) = app.read("/api/v1/cases", &world.ngo_b.caseworker.token).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 0, "{mine}");
}

#[tokio::test]
async fn r11_another_ngo_does_not_see_the_person_or_the_case() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let (person_id, arrival_id, case_id) = first_case(&app, &world, 9).await;
    let other = &world.ngo_b.caseworker.token;
    for path in [
        format!("/api/v1/persons/{person_id}"),
        format!("/api/v1/cases/{case_id}"),
        format!("/api/v1/cases/{case_id}/eligibility"),
    ] {
        let response = app.send(Method::GET, &path, Some(other), None).await;
        assert_problem(response, 404, "not_found").await;
    }
    // #8.15 (PROGRAM.md "Arrivals and NGOs"): once the person is registered, the airport's
    // arrival is no longer another NGO's intake; it learns only who holds the person.
    let response = app.send(Method::GET, &format!("/api/v1/arrivals/{arrival_id}"), Some(other), None).await;
    let problem = assert_problem(response, 404, "registered_elsewhere").await;
    assert_eq!(problem["registered_by"]["en"], world.ngo_a.name_en.as_str(), "{problem}");
    assert!(problem.get("person_id").is_none() && problem.get("arrival_id").is_none(), "{problem}");
    let (listed, _) = app.read("/api/v1/arrivals", other).await;
    assert!(listed["items"].as_array().unwrap().iter().all(|a| a["id"] != arrival_id.as_str()), "{listed}");
}

#[tokio::test]
async fn georgian_names_round_trip_byte_for_byte() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let token = &world.ngo_a.caseworker.token;
    let mut body = full_person(&personal_number(10), "GE-TB");
    let names = [
        ("first_name_ka", "ქეთევან-მარიამ"),
        ("last_name_ka", "ჯაფარიძე"),
        ("first_name_lat", "Ketevan-Mariam"),
        ("last_name_lat", "Japaridze"),
    ];
    for (field, value) in names {
        body[field] = json!(value);
    }
    let created = app.create_person(token, &body).await;
    let (stored, _) = app.read(&format!("/api/v1/persons/{}", text(&created, "id")), token).await;
    for (field, value) in names {
        assert_eq!(created[field].as_str().unwrap().as_bytes(), value.as_bytes(), "{field}");
        assert_eq!(stored[field].as_str().unwrap().as_bytes(), value.as_bytes(), "{field}");
    }
    // And straight from the database, as written.
    let mut conn = app.database.connect();
    let visibility = persistence::Visibility::All;
    let row = persistence::repo::persons::get(&mut conn, &visibility, &text(&created, "id")).unwrap();
    assert_eq!(row.last_name_ka.as_deref(), Some("ჯაფარიძე"));
}

/// Registers a person with names and a case at NGO A.
async fn named_case(app: &TestApp, world: &tests::registration::World, n: u64, names: [&str; 4]) -> String {
    let number = personal_number(n);
    let mut person = full_person(&number, "GE-TB");
    for (field, value) in ["first_name_ka", "last_name_ka", "first_name_lat", "last_name_lat"].into_iter().zip(names) {
        person[field] = json!(value);
    }
    app.register(
        &world.airport,
        &world.ngo_a,
        &arrival(Some(&number), "2017-03-01", &[("2015-01-10", "2017-03-01")], false),
        &person,
        "2017-04-01",
    )
    .await
    .case_id
}

fn ids(items: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = items.iter().map(|i| text(i, "id")).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn cases_are_found_by_part_of_a_name_in_either_script() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let beridze = named_case(&app, &world, 11, ["ნინო", "ბერიძე", "Nino", "Beridze"]).await;
    let kapanadze = named_case(&app, &world, 12, ["გიორგი", "კაპანაძე", "Giorgi", "Kapanadze"]).await;
    let token = &world.ngo_a.caseworker.token;

    for query in ["beri", "BERI", "Beridze", "nino%20ber"] {
        let found = app.all_cases(token, &format!("name={query}"), 50).await;
        assert_eq!(ids(&found), std::slice::from_ref(&beridze), "?name={query}");
    }
    for query in ["ბერი", "ბერიძე"] {
        let found = app.all_cases(token, &format!("name={query}"), 50).await;
        assert_eq!(ids(&found), std::slice::from_ref(&beridze), "?name={query}");
        assert_eq!(found[0]["last_name_ka"], "ბერიძე");
    }
    let both = app.all_cases(token, "name=dze", 50).await;
    let mut expected = vec![beridze.clone(), kapanadze.clone()];
    expected.sort();
    assert_eq!(ids(&both), expected);
    let both = app.all_cases(token, "name=ძე", 50).await;
    assert_eq!(ids(&both), expected);
    assert!(app.all_cases(token, "name=xyz", 50).await.is_empty());
    // The other NGO finds nothing of NGO A's (R11).
    assert!(app.all_cases(&world.ngo_b.caseworker.token, "name=beri", 50).await.is_empty());
}

#[tokio::test]
async fn r11_a_ministry_officer_records_arrivals_but_cannot_register_persons_or_cases() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let number = personal_number(13);
    let response = app
        .send(Method::POST, "/api/v1/persons", Some(&world.airport.token), Some(&minimal_person(&number, "GE-TB")))
        .await;
    assert_problem(response, 403, "forbidden").await;
    let response = app
        .send(
            Method::POST,
            "/api/v1/arrivals",
            Some(&world.auditor.token),
            Some(&arrival(Some(&number), "2017-03-01", &[], true)),
        )
        .await;
    assert_problem(response, 403, "forbidden").await;
    let recorded = app.create_arrival(&world.airport.token, &arrival(Some(&number), "2017-03-01", &[], true)).await;
    assert_eq!(recorded["organization_id"], world.admin.organization_id.as_str());
}

#[tokio::test]
async fn r8_an_ngo_sees_the_airports_arrivals_and_its_own_but_not_another_ngos() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let airport = app.create_arrival(&world.airport.token, &arrival(None, "2017-03-01", &[], true)).await;
    let own = app.create_arrival(&world.ngo_a.caseworker.token, &arrival(None, "2017-03-02", &[], false)).await;
    let other = app.create_arrival(&world.ngo_b.caseworker.token, &arrival(None, "2017-03-03", &[], false)).await;
    let (listed, _) = app.read("/api/v1/arrivals?limit=50", &world.ngo_a.caseworker.token).await;
    let mut seen: Vec<String> = listed["items"].as_array().unwrap().iter().map(|a| text(a, "id")).collect();
    seen.sort();
    let mut expected = vec![text(&airport, "id"), text(&own, "id")];
    expected.sort();
    assert_eq!(seen, expected);
    let response = app
        .send(
            Method::GET,
            &format!("/api/v1/arrivals/{}", text(&other, "id")),
            Some(&world.ngo_a.caseworker.token),
            None,
        )
        .await;
    assert_problem(response, 404, "not_found").await;
    let (shelter, _) = app.read("/api/v1/arrivals?need_shelter=true", &world.airport.token).await;
    let shelter: Vec<String> = shelter["items"].as_array().unwrap().iter().map(|a| text(a, "id")).collect();
    assert_eq!(shelter, [text(&airport, "id")]);
}
