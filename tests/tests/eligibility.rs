#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `POST /api/v1/eligibility/check`: the explained decision (R1–R4) and its boundaries
//! (PROGRAM.md R1–R4, API.md "The eligibility decision", "Errors").

use serde_json::{Value, json};
use tests::{TestApp, assert_problem, has_mkhedruli, json, utc_date_from_today};

const CHECK: &str = "/api/v1/eligibility/check";

/// Every request to the check is built here: when the identity issue puts the check behind a
/// bearer token (API.md "Security"), the token is added in this one place.
/// A request to the check with a valid token (any role may call it).
async fn check_request(app: &TestApp) -> reqwest::RequestBuilder {
    app.client.post(app.url(CHECK)).bearer_auth(app.token().await)
}

/// The example request of API.md "The eligibility decision".
fn example() -> Value {
    json!({
        "legal_status": "citizen",
        "personal_number": "01001012345",
        "residence_permit_number": null,
        "return_date": "2017-03-01",
        "registration_date": "2017-05-10",
        "residence_region": "GE-KK",
        "irregular_periods": [{ "start": "2015-01-10", "end": "2017-03-01" }],
        "asylum_applied": false,
        "asylum_held": false
    })
}

/// The example with some fields replaced (`null` removes a field).
fn example_with(changes: Value) -> Value {
    let mut body = example();
    let object = body.as_object_mut().unwrap();
    for (key, value) in changes.as_object().unwrap() {
        if value.is_null() {
            object.remove(key);
        } else {
            object.insert(key.clone(), value.clone());
        }
    }
    body
}

/// Posts a check that must be answered with a decision, and returns the decision.
async fn decide(app: &TestApp, body: &Value) -> Value {
    let response = check_request(app).await.json(body).send().await.unwrap();
    let status = response.status();
    let decision = json(response).await;
    assert_eq!(status, 200, "{body} was answered with {decision}");
    let rules: Vec<&str> = decision["rules"].as_array().unwrap().iter().map(|r| r["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["R1", "R2", "R3", "R4"], "every rule, in order: {decision}");
    decision
}

fn rule<'a>(decision: &'a Value, id: &str) -> &'a Value {
    decision["rules"].as_array().unwrap().iter().find(|r| r["rule"] == id).unwrap()
}

/// Asserts one rule's outcome and code, and returns the rule.
fn assert_rule<'a>(decision: &'a Value, id: &str, outcome: &str, code: &str) -> &'a Value {
    let result = rule(decision, id);
    assert_eq!((result["outcome"].as_str().unwrap(), result["code"].as_str().unwrap()), (outcome, code), "{result}");
    result
}

/// Posts a body that must be refused with a 422, and returns the (field, code) pairs.
async fn refuse(app: &TestApp, body: &Value) -> Vec<(String, String)> {
    let problem =
        assert_problem(check_request(app).await.json(body).send().await.unwrap(), 422, "validation_failed").await;
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{e}");
            (e["field"].as_str().unwrap().to_owned(), e["code"].as_str().unwrap().to_owned())
        })
        .collect()
}

fn pair(field: &str, code: &str) -> (String, String) {
    (field.to_owned(), code.to_owned())
}

/// A period of irregular stay, `end` exclusive.
fn period(start: &str, end: &str) -> Value {
    json!({ "start": start, "end": end })
}

// The example --------------------------------------------------------------------------------

#[tokio::test]
async fn r1_to_r4_the_api_example_is_eligible_and_explained() {
    let app = TestApp::spawn().await;
    let decision = decide(&app, &example()).await;
    assert_eq!(decision["outcome"], "eligible");
    assert_eq!(decision["rules_version"], "2017.1");
    assert_eq!(decision["decided_on"], "2017-05-10", "decided on the registration date");

    let expected = [
        ("R1", "legal_status_citizen"),
        ("R2", "irregular_stay_over_one_year"),
        ("R3", "registered_within_one_year"),
        ("R4", "residence_in_covered_territory"),
    ];
    for (id, code) in expected {
        let result = assert_rule(&decision, id, "pass", code);
        let (ka, en) = (result["message"]["ka"].as_str().unwrap(), result["message"]["en"].as_str().unwrap());
        assert!(has_mkhedruli(ka), "{id}: Georgian message {ka:?}");
        assert!(!en.is_empty() && !has_mkhedruli(en), "{id}: English message {en:?}");
        assert!(result["facts"].is_object(), "{id}: {result}");
    }
    // 2015-01-10 .. 2017-03-01, end exclusive: 365 + 366 + 50 days.
    assert_eq!(rule(&decision, "R2")["facts"]["irregular_days"], 781);
    assert_eq!(rule(&decision, "R3")["facts"]["window_last_day"], "2018-03-01");
    assert_eq!(rule(&decision, "R4")["facts"]["residence_region"], "GE-KK");
}

#[tokio::test]
async fn r1_to_r4_the_check_needs_a_token_and_stores_nothing() {
    let app = TestApp::spawn().await;
    let anonymous = app.client.post(app.url(CHECK)).json(&example()).send().await.unwrap();
    assert_problem(anonymous, 401, "unauthorized").await;

    let request = check_request(&app).await.json(&example());
    let before = persistence::repo::audit::count(&mut app.database.connect()).unwrap();
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(json(response).await["outcome"], "eligible");
    let after = persistence::repo::audit::count(&mut app.database.connect()).unwrap();
    assert_eq!(before, after, "a dry run is stored nowhere");
}

// R1 -----------------------------------------------------------------------------------------

#[tokio::test]
async fn r1_citizen_with_personal_number_passes() {
    let app = TestApp::spawn().await;
    let decision = decide(&app, &example()).await;
    let r1 = assert_rule(&decision, "R1", "pass", "legal_status_citizen");
    assert_eq!(r1["facts"]["legal_status"], "citizen");
}

#[tokio::test]
async fn r1_stateless_with_permanent_residence_permit_passes() {
    let app = TestApp::spawn().await;
    let body = example_with(json!({
        "legal_status": "stateless_permanent_resident",
        "personal_number": null,
        "residence_permit_number": "AB123456"
    }));
    let decision = decide(&app, &body).await;
    assert_rule(&decision, "R1", "pass", "legal_status_stateless_permanent_resident");
    assert_eq!(decision["outcome"], "eligible");
}

#[tokio::test]
async fn r1_stateless_without_permanent_residence_permit_fails() {
    let app = TestApp::spawn().await;
    let body = example_with(json!({ "legal_status": "stateless_permanent_resident", "personal_number": null }));
    let decision = decide(&app, &body).await;
    assert_rule(&decision, "R1", "fail", "stateless_without_permanent_residence_permit");
    assert_eq!(decision["outcome"], "not_eligible");
}

#[tokio::test]
async fn r1_other_legal_status_fails() {
    let app = TestApp::spawn().await;
    let body = example_with(json!({ "legal_status": "other", "personal_number": null }));
    let decision = decide(&app, &body).await;
    assert_eq!(rule(&decision, "R1")["outcome"], "fail", "{decision}");
    assert_eq!(decision["outcome"], "not_eligible");
}

#[tokio::test]
async fn r1_missing_legal_status_is_unknown_and_the_outcome_undetermined() {
    let app = TestApp::spawn().await;
    let body = example_with(json!({ "legal_status": null }));
    let decision = decide(&app, &body).await;
    let r1 = rule(&decision, "R1");
    assert_eq!(r1["outcome"], "unknown", "{r1}");
    assert!(r1["facts"]["legal_status"].is_null(), "{r1}");
    assert_eq!(decision["outcome"], "undetermined");
}

#[tokio::test]
async fn r1_an_unknown_legal_status_is_a_422() {
    let app = TestApp::spawn().await;
    let errors = refuse(&app, &example_with(json!({ "legal_status": "tourist" }))).await;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "legal_status");
}

// R2 -----------------------------------------------------------------------------------------

/// A body whose R2 rests on the irregular periods alone (no asylum).
fn r2_periods(periods: Value) -> Value {
    example_with(json!({ "irregular_periods": periods, "asylum_applied": false, "asylum_held": false }))
}

#[tokio::test]
async fn r2_365_days_of_irregular_stay_fails() {
    let app = TestApp::spawn().await;
    // [2016-03-01, 2017-03-01): 29 Feb 2016 is outside, so 365 days, ending on the return date.
    let decision = decide(&app, &r2_periods(json!([period("2016-03-01", "2017-03-01")]))).await;
    let r2 = assert_rule(&decision, "R2", "fail", "no_qualifying_migration_history");
    assert_eq!(r2["facts"]["irregular_days"], 365);
    assert_eq!(decision["outcome"], "not_eligible");
}

#[tokio::test]
async fn r2_366_days_of_irregular_stay_passes() {
    let app = TestApp::spawn().await;
    let decision = decide(&app, &r2_periods(json!([period("2016-02-29", "2017-03-01")]))).await;
    let r2 = assert_rule(&decision, "R2", "pass", "irregular_stay_over_one_year");
    assert_eq!(r2["facts"]["irregular_days"], 366);
    assert_eq!(decision["outcome"], "eligible");
}

#[tokio::test]
async fn r2_a_period_may_end_on_the_return_date_but_not_after_it() {
    let app = TestApp::spawn().await;
    // The end is exclusive, so ending on the return date (2017-03-01) is fine ...
    decide(&app, &r2_periods(json!([period("2016-01-01", "2017-03-01")]))).await;
    // ... and one day later is invalid input, not ineligibility.
    let errors = refuse(&app, &r2_periods(json!([period("2016-01-01", "2017-03-02")]))).await;
    assert_eq!(errors, [pair("irregular_periods[0].end", "period_ends_after_return")]);
}

#[tokio::test]
async fn r2_overlapping_periods_are_merged_not_double_counted() {
    let app = TestApp::spawn().await;
    // [2016-01-01, 2016-10-01) is 274 days and [2016-06-01, 2016-12-01) 183: 457 if added,
    // but together they cover [2016-01-01, 2016-12-01), 335 days.
    let body = r2_periods(json!([period("2016-01-01", "2016-10-01"), period("2016-06-01", "2016-12-01")]));
    let decision = decide(&app, &body).await;
    let r2 = assert_rule(&decision, "R2", "fail", "no_qualifying_migration_history");
    assert_eq!(r2["facts"]["irregular_days"], 335);

    // The same period twice counts once.
    let body = r2_periods(json!([period("2015-01-01", "2015-12-01"), period("2015-01-01", "2015-12-01")]));
    let r2 = rule(&decide(&app, &body).await, "R2").clone();
    assert_eq!((r2["outcome"].as_str(), r2["facts"]["irregular_days"].as_i64()), (Some("fail"), Some(334)));

    // A period inside another adds nothing; order does not matter.
    let body = r2_periods(json!([period("2016-03-01", "2016-04-01"), period("2016-02-29", "2017-03-01")]));
    let r2 = rule(&decide(&app, &body).await, "R2").clone();
    assert_eq!((r2["outcome"].as_str(), r2["facts"]["irregular_days"].as_i64()), (Some("pass"), Some(366)));
}

#[tokio::test]
async fn r2_touching_periods_are_merged_and_the_shared_day_counted_once() {
    let app = TestApp::spawn().await;
    // [2015-01-01, 2015-07-01) 181 days + [2015-07-01, 2016-01-01) 184 days = 365: not more
    // than a year. Counting the shared boundary day twice (or the end day) would make it pass.
    let body = r2_periods(json!([period("2015-07-01", "2016-01-01"), period("2015-01-01", "2015-07-01")]));
    let decision = decide(&app, &body).await;
    let r2 = assert_rule(&decision, "R2", "fail", "no_qualifying_migration_history");
    assert_eq!(r2["facts"]["irregular_days"], 365);

    // One more day at the end makes 366: passes.
    let body = r2_periods(json!([period("2015-01-01", "2015-07-01"), period("2015-07-01", "2016-01-02")]));
    let decision = decide(&app, &body).await;
    let r2 = assert_rule(&decision, "R2", "pass", "irregular_stay_over_one_year");
    assert_eq!(r2["facts"]["irregular_days"], 366);
}

#[tokio::test]
async fn r2b_asylum_applied_alone_passes() {
    let app = TestApp::spawn().await;
    let body = example_with(json!({ "irregular_periods": null, "asylum_held": null, "asylum_applied": true }));
    let decision = decide(&app, &body).await;
    let r2 = assert_rule(&decision, "R2", "pass", "asylum_applied_abroad");
    assert_eq!(r2["facts"]["irregular_days"], 0);
    assert_eq!(decision["outcome"], "eligible");
}

#[tokio::test]
async fn r2c_asylum_held_alone_passes() {
    let app = TestApp::spawn().await;
    let body = example_with(json!({ "irregular_periods": null, "asylum_applied": null, "asylum_held": true }));
    let decision = decide(&app, &body).await;
    assert_rule(&decision, "R2", "pass", "asylum_held_abroad");
    assert_eq!(decision["outcome"], "eligible");
}

#[tokio::test]
async fn r2_no_periods_and_no_asylum_information_is_unknown() {
    let app = TestApp::spawn().await;
    let body = example_with(json!({ "irregular_periods": null, "asylum_applied": null, "asylum_held": null }));
    let decision = decide(&app, &body).await;
    let r2 = rule(&decision, "R2");
    assert_eq!(r2["outcome"], "unknown", "{r2}");
    assert_eq!(decision["outcome"], "undetermined");

    // With the asylum answers given as "no", the same history is a fail, not unknown.
    let body = example_with(json!({ "irregular_periods": [], "asylum_applied": false, "asylum_held": false }));
    assert_eq!(rule(&decide(&app, &body).await, "R2")["outcome"], "fail");
}

#[tokio::test]
async fn r2_a_period_that_ends_before_it_starts_is_a_422() {
    let app = TestApp::spawn().await;
    for (start, end) in [("2016-05-01", "2016-04-30"), ("2016-05-01", "2016-05-01")] {
        let errors = refuse(&app, &r2_periods(json!([period("2015-01-01", "2015-02-01"), period(start, end)]))).await;
        assert_eq!(errors, [pair("irregular_periods[1].end", "period_end_not_after_start")], "{start}..{end}");
    }
}

// R3 -----------------------------------------------------------------------------------------

fn r3_dates(return_date: &str, registration_date: &str) -> Value {
    // No periods that could end after an early return; R2 rests on asylum.
    example_with(json!({
        "return_date": return_date,
        "registration_date": registration_date,
        "irregular_periods": [],
        "asylum_applied": true
    }))
}

#[tokio::test]
async fn r3_registration_on_the_return_date_passes() {
    let app = TestApp::spawn().await;
    let decision = decide(&app, &r3_dates("2017-03-01", "2017-03-01")).await;
    let r3 = assert_rule(&decision, "R3", "pass", "registered_within_one_year");
    assert_eq!(r3["facts"]["window_last_day"], "2018-03-01");
    assert_eq!(decision["outcome"], "eligible");
    assert_eq!(decision["decided_on"], "2017-03-01");
}

#[tokio::test]
async fn r3_registration_on_the_last_day_of_the_window_passes() {
    let app = TestApp::spawn().await;
    let decision = decide(&app, &r3_dates("2017-03-01", "2018-03-01")).await;
    let r3 = assert_rule(&decision, "R3", "pass", "registered_within_one_year");
    assert_eq!(r3["facts"]["window_last_day"], "2018-03-01");
    assert_eq!(decision["outcome"], "eligible");
}

#[tokio::test]
async fn r3_registration_the_day_after_the_window_fails() {
    let app = TestApp::spawn().await;
    let decision = decide(&app, &r3_dates("2017-03-01", "2018-03-02")).await;
    let r3 = assert_rule(&decision, "R3", "fail", "registered_after_one_year");
    assert_eq!(r3["facts"]["window_last_day"], "2018-03-01");
    assert_eq!(decision["outcome"], "not_eligible");
}

#[tokio::test]
async fn r3_a_return_on_29_february_has_its_window_end_on_28_february() {
    let app = TestApp::spawn().await;
    let decision = decide(&app, &r3_dates("2016-02-29", "2017-02-28")).await;
    let r3 = assert_rule(&decision, "R3", "pass", "registered_within_one_year");
    assert_eq!(r3["facts"]["window_last_day"], "2017-02-28");

    let decision = decide(&app, &r3_dates("2016-02-29", "2017-03-01")).await;
    let r3 = assert_rule(&decision, "R3", "fail", "registered_after_one_year");
    assert_eq!(r3["facts"]["window_last_day"], "2017-02-28");
}

#[tokio::test]
async fn r3_registration_before_the_return_is_a_422_not_a_decision() {
    let app = TestApp::spawn().await;
    let errors = refuse(&app, &r3_dates("2017-03-01", "2017-02-28")).await;
    assert_eq!(errors, [pair("registration_date", "registration_before_return")]);
}

#[tokio::test]
async fn r3_registration_in_the_future_is_a_422_not_a_decision() {
    let app = TestApp::spawn().await;
    // Two days after today in UTC is after today in Tbilisi (UTC+4) too, whatever the hour.
    let future = utc_date_from_today(2);
    let errors = refuse(&app, &r3_dates("2017-03-01", &future)).await;
    assert_eq!(errors, [pair("registration_date", "registration_in_future")]);

    let errors = refuse(&app, &r3_dates("2017-03-01", "2999-01-01")).await;
    assert!(errors.iter().any(|(field, _)| field == "registration_date"), "{errors:?}");
}

#[tokio::test]
async fn r3_without_a_registration_date_the_decision_is_made_today_in_tbilisi() {
    let app = TestApp::spawn().await;
    // Tbilisi is UTC+4: its date is today's or tomorrow's UTC date. Reading the clock before and
    // after the request keeps this true across midnight.
    let before = utc_date_from_today(0);
    let body = example_with(json!({ "registration_date": null }));
    let decision = decide(&app, &body).await;
    let after = utc_date_from_today(1);
    let decided_on = decision["decided_on"].as_str().unwrap();
    assert!(
        (before.as_str()..=after.as_str()).contains(&decided_on),
        "decided_on {decided_on} is not between {before} and {after}"
    );
    let r3 = rule(&decision, "R3");
    assert_eq!(r3["facts"]["registration_date"], decided_on, "{r3}");
    // Returned 2017-03-01 and registering today: long past the window.
    assert_eq!(r3["code"], "registered_after_one_year");
}

#[tokio::test]
async fn r3_missing_return_date_is_unknown() {
    let app = TestApp::spawn().await;
    let body = example_with(json!({ "return_date": null }));
    let decision = decide(&app, &body).await;
    assert_eq!(rule(&decision, "R3")["outcome"], "unknown");
    assert_eq!(decision["outcome"], "undetermined");
}

// R4 -----------------------------------------------------------------------------------------

#[tokio::test]
async fn r4_residence_in_abkhazia_fails() {
    let app = TestApp::spawn().await;
    let decision = decide(&app, &example_with(json!({ "residence_region": "GE-AB" }))).await;
    let r4 = assert_rule(&decision, "R4", "fail", "residence_in_occupied_territory");
    assert_eq!(r4["facts"]["residence_region"], "GE-AB");
    assert_eq!(decision["outcome"], "not_eligible");
}

#[tokio::test]
async fn r4_residence_in_the_tskhinvali_region_fails() {
    let app = TestApp::spawn().await;
    let decision = decide(&app, &example_with(json!({ "residence_region": "GE-TSK" }))).await;
    assert_rule(&decision, "R4", "fail", "residence_in_occupied_territory");
    assert_eq!(decision["outcome"], "not_eligible");
}

#[tokio::test]
async fn r4_residence_in_every_covered_region_passes() {
    let app = TestApp::spawn().await;
    let covered = ["GE-TB", "GE-AJ", "GE-GU", "GE-IM", "GE-KA", "GE-KK", "GE-MM", "GE-RL", "GE-SZ", "GE-SJ", "GE-SK"];
    for code in covered {
        let decision = decide(&app, &example_with(json!({ "residence_region": code }))).await;
        let r4 = rule(&decision, "R4");
        assert_eq!(r4["outcome"], "pass", "{code}: {r4}");
        assert_eq!(r4["facts"]["residence_region"], code);
    }
}

#[tokio::test]
async fn r4_missing_residence_region_is_unknown() {
    let app = TestApp::spawn().await;
    let decision = decide(&app, &example_with(json!({ "residence_region": null }))).await;
    assert_eq!(rule(&decision, "R4")["outcome"], "unknown");
    assert_eq!(decision["outcome"], "undetermined");
}

#[tokio::test]
async fn r4_an_unknown_region_code_is_a_422() {
    let app = TestApp::spawn().await;
    for code in ["GE-XX", "ge-kk", "GE-SO", ""] {
        let errors = refuse(&app, &example_with(json!({ "residence_region": code }))).await;
        assert_eq!(errors, [pair("residence_region", "unknown_region")], "{code:?}");
    }
}

// The outcome --------------------------------------------------------------------------------

#[tokio::test]
async fn r1_to_r4_a_fail_and_an_unknown_give_not_eligible() {
    let app = TestApp::spawn().await;
    let body = example_with(json!({ "residence_region": "GE-AB", "return_date": null }));
    let decision = decide(&app, &body).await;
    assert_eq!(rule(&decision, "R4")["outcome"], "fail");
    assert_eq!(rule(&decision, "R3")["outcome"], "unknown");
    assert_eq!(decision["outcome"], "not_eligible");
}

#[tokio::test]
async fn r1_to_r4_an_empty_body_is_undetermined_with_every_rule_listed() {
    let app = TestApp::spawn().await;
    let decision = decide(&app, &json!({})).await;
    assert_eq!(decision["outcome"], "undetermined");
    for id in ["R1", "R2", "R4"] {
        assert_eq!(rule(&decision, id)["outcome"], "unknown", "{id}");
    }
}

// 422: every failing field at once ------------------------------------------------------------

fn everything_wrong() -> Value {
    json!({
        "legal_status": "citizen",
        "personal_number": "123",
        "return_date": "2017-03-01",
        "residence_region": "GE-XX",
        "irregular_periods": [{ "start": "2016-05-01", "end": "2016-01-01" }],
        "asylum_applied": "yes",
        "asylum_held": false,
        "registraton_date": "2017-05-10"
    })
}

#[tokio::test]
async fn r1_to_r4_a_422_lists_every_failing_field_at_once() {
    let app = TestApp::spawn().await;
    let mut errors = refuse(&app, &everything_wrong()).await;
    errors.sort();
    let mut expected = vec![
        pair("personal_number", "invalid_checksum_or_format"),
        pair("residence_region", "unknown_region"),
        pair("irregular_periods[0].end", "period_end_not_after_start"),
        pair("asylum_applied", "wrong_type"),
        pair("registraton_date", "unknown_field"),
    ];
    expected.sort();
    assert_eq!(errors, expected);
}

#[tokio::test]
async fn r1_to_r4_field_messages_are_georgian_with_accept_language_ka() {
    let app = TestApp::spawn().await;
    let response =
        check_request(&app).await.header("accept-language", "ka").json(&everything_wrong()).send().await.unwrap();
    let problem = assert_problem(response, 422, "validation_failed").await;
    let errors = problem["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 5, "{problem}");
    for error in errors {
        assert!(has_mkhedruli(error["message"].as_str().unwrap()), "{error}");
    }
    assert!(has_mkhedruli(problem["detail"].as_str().unwrap()), "{problem}");

    let problem = assert_problem(
        check_request(&app).await.json(&everything_wrong()).send().await.unwrap(),
        422,
        "validation_failed",
    )
    .await;
    for error in problem["errors"].as_array().unwrap() {
        assert!(!has_mkhedruli(error["message"].as_str().unwrap()), "English by default: {error}");
    }
}

#[tokio::test]
async fn r2_a_period_ending_after_the_return_is_a_422_naming_the_period() {
    let app = TestApp::spawn().await;
    let body = r2_periods(json!([period("2015-01-01", "2016-01-01"), period("2016-02-01", "2017-03-15")]));
    let errors = refuse(&app, &body).await;
    assert_eq!(errors, [pair("irregular_periods[1].end", "period_ends_after_return")]);

    let body = r2_periods(json!([period("2016-01-01", "2017-04-01")]));
    let errors = refuse(&app, &body).await;
    assert_eq!(errors, [pair("irregular_periods[0].end", "period_ends_after_return")]);
}

#[tokio::test]
async fn r1_to_r4_malformed_dates_and_wrong_types_are_422_fields() {
    let app = TestApp::spawn().await;
    let body = example_with(json!({
        "return_date": "01.03.2017",
        "registration_date": "2017-02-30",
        "asylum_held": 1,
        "irregular_periods": [{ "start": "2015-01-01" }]
    }));
    let errors = refuse(&app, &body).await;
    let fields: std::collections::BTreeSet<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
    let expected: std::collections::BTreeSet<&str> =
        ["return_date", "registration_date", "asylum_held", "irregular_periods[0].end"].into_iter().collect();
    assert_eq!(fields, expected, "{errors:?}");
    assert!(errors.contains(&pair("asylum_held", "wrong_type")), "{errors:?}");
}
