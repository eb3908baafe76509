#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Recorded eligibility decisions on stored data (PROGRAM.md R1–R5; API.md "The eligibility
//! decision"): each rule fails when broken, decisions are never overwritten, a stored
//! decision replays to the same result, and deciding needs the case's current `ETag`.

use reqwest::Method;
use serde_json::{Value, json};
use tests::identity::text;
use tests::registration::{
    Registered, World, arrival, field_errors, minimal_person, pairs, personal_number, rule, rule_ids,
};
use tests::{TestApp, assert_problem, json};

/// A return on 2017-03-01 after 781 days of irregular stay.
const RETURN: &str = "2017-03-01";
const LONG_STAY: [(&str, &str); 1] = [("2015-01-10", "2017-03-01")];

/// Registers at NGO A (arrival recorded by the airport) and decides; returns the decision and
/// the case after it.
async fn decided(app: &TestApp, world: &World, arrival_body: &Value, person_body: &Value, on: &str) -> (Value, Value) {
    let registered = app.register(&world.airport, &world.ngo_a, arrival_body, person_body, on).await;
    let (result, _) = app.decide(&world.ngo_a.caseworker.token, &registered.case_id, &registered.case_etag).await;
    assert_eq!(rule_ids(&result["decision"]), ["R1", "R2", "R3", "R4", "R5"], "{result}");
    assert_eq!(result["decision"]["decided_on"], on);
    (result["decision"].clone(), result["case"].clone())
}

fn citizen_arrival(n: u64, date: &str, periods: &[(&str, &str)]) -> (String, Value) {
    let number = personal_number(n);
    let body = arrival(Some(&number), date, periods, false);
    (number, body)
}

/// Asserts the rule's outcome and code, and that the decision and the case follow from it.
fn assert_rule(decision: &Value, case: &Value, id: &str, outcome: &str, code: &str) {
    let r = rule(decision, id);
    assert_eq!((r["outcome"].as_str(), r["code"].as_str()), (Some(outcome), Some(code)), "{r}");
    let (overall, status) = if outcome == "fail" { ("not_eligible", "not_eligible") } else { ("eligible", "eligible") };
    assert_eq!(decision["outcome"], overall, "{decision}");
    assert_eq!(case["status"], status, "{case}");
}

#[tokio::test]
async fn r2_365_days_of_irregular_stay_is_not_more_than_a_year_and_fails() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let (number, body) = citizen_arrival(1, RETURN, &[("2016-03-01", RETURN)]);
    let (decision, case) = decided(&app, &world, &body, &minimal_person(&number, "GE-TB"), "2017-04-01").await;
    assert_rule(&decision, &case, "R2", "fail", "no_qualifying_migration_history");
    assert_eq!(rule(&decision, "R2")["facts"]["irregular_days"], 365);
    for other in ["R1", "R3", "R4", "R5"] {
        assert_eq!(rule(&decision, other)["outcome"], "pass", "{decision}");
    }
}

#[tokio::test]
async fn r2_366_days_of_irregular_stay_passes() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let (number, body) = citizen_arrival(2, RETURN, &[("2016-02-29", RETURN)]);
    let (decision, case) = decided(&app, &world, &body, &minimal_person(&number, "GE-TB"), "2017-04-01").await;
    assert_rule(&decision, &case, "R2", "pass", "irregular_stay_over_one_year");
    assert_eq!(rule(&decision, "R2")["facts"]["irregular_days"], 366);
}

#[tokio::test]
async fn r2_overlapping_periods_count_each_day_once() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    // [2016-01-01, 2016-09-01) and [2016-06-01, 2017-01-01) merge into 366 days.
    let periods = [("2016-01-01", "2016-09-01"), ("2016-06-01", "2017-01-01")];
    let (number, body) = citizen_arrival(3, RETURN, &periods);
    let (decision, case) = decided(&app, &world, &body, &minimal_person(&number, "GE-TB"), "2017-04-01").await;
    assert_rule(&decision, &case, "R2", "pass", "irregular_stay_over_one_year");
    assert_eq!(rule(&decision, "R2")["facts"]["irregular_days"], 366);
}

#[tokio::test]
async fn r3_registration_on_the_last_day_of_the_window_is_eligible() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let (number, body) = citizen_arrival(4, RETURN, &LONG_STAY);
    let (decision, case) = decided(&app, &world, &body, &minimal_person(&number, "GE-TB"), "2018-03-01").await;
    assert_rule(&decision, &case, "R3", "pass", "registered_within_one_year");
    let facts = &rule(&decision, "R3")["facts"];
    assert_eq!(facts["window_last_day"], "2018-03-01");
    assert_eq!(facts["return_date"], RETURN);
    assert_eq!(facts["registration_date"], "2018-03-01");
    assert_eq!(facts["days_since_return"], 365);
}

#[tokio::test]
async fn r3_registration_the_day_after_the_window_is_not_eligible() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let (number, body) = citizen_arrival(5, RETURN, &LONG_STAY);
    let (decision, case) = decided(&app, &world, &body, &minimal_person(&number, "GE-TB"), "2018-03-02").await;
    assert_rule(&decision, &case, "R3", "fail", "registered_after_one_year");
    assert_eq!(rule(&decision, "R3")["facts"]["window_last_day"], "2018-03-01");
}

#[tokio::test]
async fn r3_a_return_on_29_february_has_its_last_day_on_28_february() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let (number, body) = citizen_arrival(6, "2016-02-29", &[("2014-01-01", "2016-02-29")]);
    let (decision, case) = decided(&app, &world, &body, &minimal_person(&number, "GE-TB"), "2017-02-28").await;
    assert_rule(&decision, &case, "R3", "pass", "registered_within_one_year");
    assert_eq!(rule(&decision, "R3")["facts"]["window_last_day"], "2017-02-28");

    let (number, body) = citizen_arrival(7, "2016-02-29", &[("2014-01-01", "2016-02-29")]);
    let (decision, case) = decided(&app, &world, &body, &minimal_person(&number, "GE-TB"), "2017-03-01").await;
    assert_rule(&decision, &case, "R3", "fail", "registered_after_one_year");
}

#[tokio::test]
async fn r3_a_case_registered_before_the_return_or_in_the_future_is_refused() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let (number, body) = citizen_arrival(8, RETURN, &LONG_STAY);
    let recorded = app.create_arrival(&world.airport.token, &body).await;
    let person = app.create_person(&world.ngo_a.caseworker.token, &minimal_person(&number, "GE-TB")).await;
    let token = &world.ngo_a.caseworker.token;
    for (date, code) in [("2017-02-28", "registration_before_return"), ("2999-01-01", "registration_in_future")] {
        let case = json!({ "person_id": person["id"], "arrival_id": recorded["id"], "registration_date": date });
        let response = app.send(Method::POST, "/api/v1/cases", Some(token), Some(&case)).await;
        let problem = assert_problem(response, 422, "validation_failed").await;
        assert_eq!(field_errors(&problem), pairs(&[("registration_date", code)]), "{problem}");
    }
}

#[tokio::test]
async fn r1_a_stateless_person_without_a_permit_cannot_be_registered() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let body = json!({ "legal_status": "stateless_permanent_resident", "residence_region": "GE-TB" });
    let response = app.send(Method::POST, "/api/v1/persons", Some(&world.ngo_a.caseworker.token), Some(&body)).await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(field_errors(&problem), pairs(&[("residence_permit_number", "required")]), "{problem}");
}

#[tokio::test]
async fn r1_a_person_of_another_legal_status_is_not_eligible() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let body = arrival(None, RETURN, &LONG_STAY, false);
    let person = json!({ "legal_status": "other", "residence_region": "GE-TB" });
    let (decision, case) = decided(&app, &world, &body, &person, "2017-04-01").await;
    assert_rule(&decision, &case, "R1", "fail", "legal_status_not_covered");
    assert_eq!(rule(&decision, "R1")["facts"]["legal_status"], "other");
}

#[tokio::test]
async fn r1_a_stateless_person_with_a_permanent_residence_permit_passes() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let body = arrival(None, RETURN, &LONG_STAY, false);
    let person = json!({
        "legal_status": "stateless_permanent_resident",
        "residence_permit_number": "AB123456",
        "residence_region": "GE-TB",
    });
    let (decision, case) = decided(&app, &world, &body, &person, "2017-04-01").await;
    assert_rule(&decision, &case, "R1", "pass", "legal_status_stateless_permanent_resident");
}

#[tokio::test]
async fn r4_residence_in_abkhazia_is_not_eligible() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let (number, body) = citizen_arrival(9, RETURN, &LONG_STAY);
    let (decision, case) = decided(&app, &world, &body, &minimal_person(&number, "GE-AB"), "2017-04-01").await;
    assert_rule(&decision, &case, "R4", "fail", "residence_in_occupied_territory");
    assert_eq!(rule(&decision, "R4")["facts"]["residence_region"], "GE-AB");
}

#[tokio::test]
async fn r4_residence_in_the_tskhinvali_region_is_not_eligible() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let (number, body) = citizen_arrival(10, RETURN, &LONG_STAY);
    let (decision, case) = decided(&app, &world, &body, &minimal_person(&number, "GE-TSK"), "2017-04-01").await;
    assert_rule(&decision, &case, "R4", "fail", "residence_in_occupied_territory");
    assert_eq!(rule(&decision, "R4")["facts"]["residence_region"], "GE-TSK");
}

#[tokio::test]
async fn r4_an_unknown_residence_leaves_the_case_open_and_undetermined() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let (number, body) = citizen_arrival(11, RETURN, &LONG_STAY);
    let person = json!({ "legal_status": "citizen", "personal_number": number });
    let registered = app.register(&world.airport, &world.ngo_a, &body, &person, "2017-04-01").await;
    let (result, _) = app.decide(&world.ngo_a.caseworker.token, &registered.case_id, &registered.case_etag).await;
    assert_eq!(result["decision"]["outcome"], "undetermined", "{result}");
    assert_eq!(rule(&result["decision"], "R4")["outcome"], "unknown");
    assert_eq!(rule(&result["decision"], "R4")["code"], "residence_region_missing");
    assert_eq!(result["case"]["status"], "open");
}

#[tokio::test]
async fn r5_a_decision_finds_no_other_case_and_a_second_registration_is_refused() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let (number, body) = citizen_arrival(12, RETURN, &LONG_STAY);
    let registered =
        app.register(&world.airport, &world.ngo_a, &body, &minimal_person(&number, "GE-TB"), "2017-04-01").await;
    let token = &world.ngo_a.caseworker.token;
    let (result, _) = app.decide(token, &registered.case_id, &registered.case_etag).await;
    let r5 = rule(&result["decision"], "R5");
    assert_eq!((r5["outcome"].as_str(), r5["code"].as_str()), (Some("pass"), Some("no_other_case_for_return")), "{r5}");

    let second = json!({ "person_id": registered.person_id, "arrival_id": registered.arrival_id, "registration_date": "2017-04-02" });
    let response = app.send(Method::POST, "/api/v1/cases", Some(token), Some(&second)).await;
    let problem = assert_problem(response, 409, "duplicate_case").await;
    assert_eq!(problem["case_id"], registered.case_id.as_str(), "{problem}");
}

#[tokio::test]
async fn r5_after_the_case_is_closed_the_return_may_be_registered_again() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let (number, body) = citizen_arrival(13, RETURN, &LONG_STAY);
    let registered =
        app.register(&world.airport, &world.ngo_a, &body, &minimal_person(&number, "GE-TB"), "2017-04-01").await;
    let token = &world.ngo_a.caseworker.token;
    close(&app, token, &registered).await;
    let (case, tag) = app.create_case(token, &registered.person_id, &registered.arrival_id, "2017-04-02").await;
    let (result, _) = app.decide(token, &text(&case, "id"), &tag).await;
    assert_eq!(rule(&result["decision"], "R5")["outcome"], "pass", "a closed case is not a live one: {result}");
}

async fn close(app: &TestApp, token: &str, registered: &Registered) -> String {
    let path = format!("/api/v1/cases/{}/close", registered.case_id);
    let current = app.current_etag(&format!("/api/v1/cases/{}", registered.case_id), token).await;
    let response = app
        .send_with(
            Method::POST,
            &path,
            Some(token),
            Some(&json!({ "reason": "moved abroad" })),
            &[("If-Match", &current)],
        )
        .await;
    let status = response.status().as_u16();
    let tag = tests::identity::etag(&response);
    let closed = json(response).await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["status"], "closed");
    tag
}

#[tokio::test]
async fn decisions_are_never_overwritten_a_correction_makes_a_second_decision() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let token = &world.ngo_a.caseworker.token;
    let (number, body) = citizen_arrival(14, RETURN, &LONG_STAY);
    let registered =
        app.register(&world.airport, &world.ngo_a, &body, &minimal_person(&number, "GE-AB"), "2017-04-01").await;
    let (first, tag) = app.decide(token, &registered.case_id, &registered.case_etag).await;
    assert_eq!(first["case"]["status"], "not_eligible");
    assert_eq!(rule(&first["decision"], "R4")["outcome"], "fail");

    // The region is corrected.
    let person_path = format!("/api/v1/persons/{}", registered.person_id);
    let person_tag = app.current_etag(&person_path, token).await;
    let response = app
        .send_with(
            Method::PUT,
            &person_path,
            Some(token),
            Some(&minimal_person(&number, "GE-KK")),
            &[("If-Match", &person_tag)],
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(json(response).await["residence_region"], "GE-KK");

    // The old ETag of the case no longer decides; the new one does.
    let stale = app.decide_raw(token, &registered.case_id, Some(&registered.case_etag)).await;
    assert_problem(stale, 412, "version_conflict").await;
    let (second, _) = app.decide(token, &registered.case_id, &tag).await;
    assert_eq!(second["decision"]["outcome"], "eligible");
    assert_eq!(second["case"]["status"], "eligible");
    assert_ne!(second["decision"]["id"], first["decision"]["id"]);

    let (history, _) = app.read(&format!("/api/v1/cases/{}/eligibility", registered.case_id), token).await;
    let history = history["items"].as_array().unwrap();
    assert_eq!(history.len(), 2, "{history:?}");
    assert_eq!(history[0]["id"], first["decision"]["id"]);
    assert_eq!(history[0]["outcome"], "not_eligible", "the first decision is kept as it was");
    assert_eq!(history[0]["rules"], first["decision"]["rules"]);
    assert_eq!(history[0]["input"]["residence_region"], "GE-AB");
    assert_eq!(history[1]["id"], second["decision"]["id"]);
    assert_eq!(history[1]["outcome"], "eligible");
    assert_eq!(history[1]["input"]["residence_region"], "GE-KK");
}

#[tokio::test]
async fn a_stored_decision_replayed_through_the_dry_run_gives_the_same_result() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let token = &world.ngo_a.caseworker.token;
    let inputs = [
        (citizen_arrival(15, RETURN, &LONG_STAY), "GE-KK", "2017-05-10"),
        (citizen_arrival(16, RETURN, &[("2016-03-01", RETURN)]), "GE-AB", "2018-03-02"),
    ];
    for ((number, body), region, on) in inputs {
        let registered = app.register(&world.airport, &world.ngo_a, &body, &minimal_person(&number, region), on).await;
        app.decide(token, &registered.case_id, &registered.case_etag).await;
        let (history, _) = app.read(&format!("/api/v1/cases/{}/eligibility", registered.case_id), token).await;
        let stored = &history["items"][0];
        assert_eq!(stored["input"]["registration_date"], on, "{stored}");
        assert_eq!(stored["input"]["personal_number"], number.as_str(), "{stored}");

        let (replayed, _) = {
            let response =
                app.send(Method::POST, "/api/v1/eligibility/check", Some(token), Some(&stored["input"])).await;
            assert_eq!(response.status().as_u16(), 200);
            (json(response).await, ())
        };
        assert_eq!(replayed["outcome"], stored["outcome"], "{replayed} vs {stored}");
        assert_eq!(replayed["decided_on"], stored["decided_on"]);
        assert_eq!(replayed["rules_version"], stored["rules_version"]);
        assert_eq!(rule_ids(&replayed), ["R1", "R2", "R3", "R4"]);
        for id in ["R1", "R2", "R3", "R4"] {
            for key in ["rule", "outcome", "code", "facts", "message"] {
                assert_eq!(rule(&replayed, id)[key], rule(stored, id)[key], "{id}.{key}");
            }
        }
    }
}

#[tokio::test]
async fn a_closed_case_cannot_be_decided() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let token = &world.ngo_a.caseworker.token;
    let (number, body) = citizen_arrival(17, RETURN, &LONG_STAY);
    let registered =
        app.register(&world.airport, &world.ngo_a, &body, &minimal_person(&number, "GE-TB"), "2017-04-01").await;
    let tag = close(&app, token, &registered).await;
    let response = app.decide_raw(token, &registered.case_id, Some(&tag)).await;
    assert_problem(response, 409, "case_closed").await;
    let (history, _) = app.read(&format!("/api/v1/cases/{}/eligibility", registered.case_id), token).await;
    assert_eq!(history["items"].as_array().unwrap().len(), 0, "nothing recorded");
    let (case, _) = app.read(&format!("/api/v1/cases/{}", registered.case_id), token).await;
    assert_eq!(case["status"], "closed");
}

#[tokio::test]
async fn deciding_needs_the_current_etag_stale_412_missing_428() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let token = &world.ngo_a.caseworker.token;
    let (number, body) = citizen_arrival(18, RETURN, &LONG_STAY);
    let registered =
        app.register(&world.airport, &world.ngo_a, &body, &minimal_person(&number, "GE-TB"), "2017-04-01").await;

    let response = app.decide_raw(token, &registered.case_id, None).await;
    assert_problem(response, 428, "precondition_required").await;
    for stale in ["\"7\"", "\"0\""] {
        let response = app.decide_raw(token, &registered.case_id, Some(stale)).await;
        assert_problem(response, 412, "version_conflict").await;
    }
    let (history, _) = app.read(&format!("/api/v1/cases/{}/eligibility", registered.case_id), token).await;
    assert_eq!(history["items"].as_array().unwrap().len(), 0, "a refused decision is not recorded");
    let (case, tag) = app.read(&format!("/api/v1/cases/{}", registered.case_id), token).await;
    assert_eq!((case["status"].as_str(), tag.as_str()), (Some("open"), "\"1\""));

    let (result, _) = app.decide(token, &registered.case_id, &tag).await;
    assert_eq!(result["case"]["version"], 2);
}

#[tokio::test]
async fn r11_only_the_ngo_holding_the_case_decides_it() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let (number, body) = citizen_arrival(19, RETURN, &LONG_STAY);
    let registered =
        app.register(&world.airport, &world.ngo_a, &body, &minimal_person(&number, "GE-TB"), "2017-04-01").await;
    let response = app.decide_raw(&world.ngo_b.caseworker.token, &registered.case_id, Some("\"1\"")).await;
    assert_problem(response, 404, "not_found").await;
    for reader in [&world.airport, &world.auditor] {
        let response = app.decide_raw(&reader.token, &registered.case_id, Some("\"1\"")).await;
        assert_problem(response, 403, "forbidden").await;
    }
    let (result, _) = app.decide(&world.ngo_a.manager.token, &registered.case_id, "\"1\"").await;
    assert_eq!(result["decision"]["decided_by"], json!({ "type": "user", "id": world.ngo_a.manager.id }));
}

#[tokio::test]
async fn a_stored_decision_that_does_not_parse_is_an_opaque_500_not_a_null() {
    // #9.6: stored JSON that does not parse used to become `"rules": null`; now it is an error
    // the operator sees in the log, and the client an internal_error without internals.
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let (number, body) = citizen_arrival(40, RETURN, &LONG_STAY);
    let registered =
        app.register(&world.airport, &world.ngo_a, &body, &minimal_person(&number, "GE-TB"), "2017-04-01").await;
    let (result, _) = app.decide(&world.ngo_a.caseworker.token, &registered.case_id, &registered.case_etag).await;
    let path = format!("/api/v1/cases/{}/eligibility", registered.case_id);
    assert_eq!(app.send(reqwest::Method::GET, &path, Some(&world.ngo_a.caseworker.token), None).await.status(), 200);

    let mut conn = app.database.connect();
    let id = text(&result["decision"], "id");
    let sql = format!("UPDATE eligibility_decisions SET rules = '[{{\"rule\": \"R1\", truncated' WHERE id = '{id}'");
    assert_eq!(diesel::RunQueryDsl::execute(diesel::sql_query(sql), &mut conn).unwrap(), 1);

    let answer = app.send(reqwest::Method::GET, &path, Some(&world.ngo_a.caseworker.token), None).await;
    let problem = assert_problem(answer, 500, "internal_error").await;
    let shown = problem.to_string();
    assert!(!shown.contains("truncated") && !shown.contains("does not parse"), "{shown}");
}

#[tokio::test]
async fn a_decision_by_an_ngo_system_records_the_system_as_its_decider() {
    // #10: the decider is a principal, a person or a system; a system's decision used to name no one.
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let client = app.create_client(&world.admin, &world.ngo_a.id, "ngo_caseworker").await;
    let system = app.client_token(&text(&client, "client_id"), &text(&client, "client_secret")).await;
    let (number, body) = citizen_arrival(41, RETURN, &LONG_STAY);
    let registered =
        app.register(&world.airport, &world.ngo_a, &body, &minimal_person(&number, "GE-TB"), "2017-04-01").await;
    let (result, _) = app.decide(&system, &registered.case_id, "*").await;
    assert_eq!(result["decision"]["decided_by"], json!({ "type": "client", "id": text(&client, "id") }));
}

#[tokio::test]
async fn decisions_are_one_shape_paged_like_every_list_and_each_has_its_own_address() {
    // #10: POST answers the recorded decision (with Location), GET /{decision_id} the same
    // object, and GET the list `{items, next_cursor}` of the same objects.
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let token = &world.ngo_a.caseworker.token;
    let (number, body) = citizen_arrival(42, RETURN, &LONG_STAY);
    let registered =
        app.register(&world.airport, &world.ngo_a, &body, &minimal_person(&number, "GE-TB"), "2017-04-01").await;
    let (first, tag) = app.decide(token, &registered.case_id, &registered.case_etag).await;
    let (second, _) = app.decide(token, &registered.case_id, &tag).await;
    let path = format!("/api/v1/cases/{}/eligibility", registered.case_id);
    for decision in [&first["decision"], &second["decision"]] {
        let (alone, _) = app.read(&format!("{path}/{}", text(decision, "id")), token).await;
        assert_eq!(&alone, decision, "GET of one decision answers what POST answered");
    }
    let (page, _) = app.read(&format!("{path}?limit=1"), token).await;
    assert_eq!(page["items"], json!([first["decision"]]));
    let cursor = text(&page, "next_cursor");
    let (rest, _) = app.read(&format!("{path}?limit=1&cursor={cursor}"), token).await;
    assert_eq!(rest["items"], json!([second["decision"]]));
    assert_eq!(rest["next_cursor"], Value::Null);
    // Another case's decision is not this case's.
    let other = format!("/api/v1/cases/{}/eligibility/{}", uuid::Uuid::now_v7(), text(&first["decision"], "id"));
    assert_problem(app.send(Method::GET, &other, Some(token), None).await, 404, "not_found").await;
    let unknown = app.send(Method::GET, &format!("{path}?status=eligible"), Some(token), None).await;
    assert_problem(unknown, 422, "validation_failed").await;
}

#[tokio::test]
async fn a_retried_decision_with_its_idempotency_key_gets_the_first_answer_not_a_412() {
    // #10: deciding honours Idempotency-Key; a retry after a timeout used to meet a 412.
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let token = &world.ngo_a.caseworker.token;
    let (number, body) = citizen_arrival(43, RETURN, &LONG_STAY);
    let registered =
        app.register(&world.airport, &world.ngo_a, &body, &minimal_person(&number, "GE-TB"), "2017-04-01").await;
    let path = format!("/api/v1/cases/{}/eligibility", registered.case_id);
    let headers = [("If-Match", registered.case_etag.as_str()), ("Idempotency-Key", "decide-43")];
    let first = app.send_with(Method::POST, &path, Some(token), None, &headers).await;
    assert_eq!(first.status().as_u16(), 201);
    let first = json(first).await;
    let again = app.send_with(Method::POST, &path, Some(token), None, &headers).await;
    assert_eq!(again.status().as_u16(), 201, "the retry is replayed although If-Match is now stale");
    assert_eq!(tests::header(&again, "idempotent-replayed"), "true");
    assert_eq!(json(again).await, first);
    let (history, _) = app.read(&path, token).await;
    assert_eq!(history["items"].as_array().map(Vec::len), Some(1), "decided once");
}
