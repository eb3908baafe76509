#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Services S1–S4 on eligible cases: each type's lifecycle, R10 (charged to the NGO's grant for
//! the year of the approval and never beyond it, to the last tetri; a delivered cost above the
//! approval needs a supplementary approval; cancelling releases), R12 (the requester — person or
//! NGO system — never decides its own request), R11 (medical details for the NGO holding the case
//! only, each read recorded) and R13 (each step one audit event).

use diesel::prelude::*;
use persistence::schema::{audit_events, grants, services};
use reqwest::Method;
use serde_json::{Value, json};
use tests::identity::text;
use tests::registration::{World, field_errors, pairs};
use tests::services::{as_requested, medication, psychosocial, tbilisi_today};
use tests::{TestApp, assert_problem, json};

const BUDGET: i64 = 59_000_000;

async fn setup(grant: i64) -> (TestApp, World, String, String) {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let grant = app.grant_this_year(&world.admin, &world.ngo_a.id, BUDGET, grant).await;
    let case_id = app.eligible_case(&world.airport, &world.ngo_a, 1).await;
    (app, world, text(&grant, "id"), case_id)
}

fn today() -> String {
    tbilisi_today().to_string()
}

/// `(approved, delivered, cancelled, remaining)` of a grant's balance.
fn sums(balance: &Value) -> (i64, i64, i64, i64) {
    let n = |k: &str| balance[k].as_i64().unwrap_or_else(|| panic!("no {k} in {balance}"));
    (n("approved_tetri"), n("delivered_tetri"), n("cancelled_tetri"), n("remaining_tetri"))
}

/// R10: the grant's running total equals what its services hold, derived from the services.
fn assert_running_total_matches_services(app: &TestApp, grant_id: &str) {
    let mut conn = app.database.connect();
    let committed: i64 = grants::table.find(grant_id).select(grants::committed_tetri).first(&mut conn).unwrap();
    let rows: Vec<(String, Option<i64>, i64, Option<i64>)> = services::table
        .filter(services::grant_id.eq(grant_id))
        .select((
            services::status,
            services::approved_amount_tetri,
            services::supplementary_tetri,
            services::delivered_amount_tetri,
        ))
        .load(&mut conn)
        .unwrap();
    let derived: i64 = rows
        .iter()
        .map(|(status, approved, supplement, delivered)| match status.as_str() {
            "approved" => approved.unwrap_or(0) + supplement,
            "delivered" => delivered.unwrap_or(0),
            _ => 0,
        })
        .sum();
    assert_eq!(committed, derived, "grant {grant_id}: running total vs the sum of its services");
}

/// The audit trail's actions on one service, in order.
fn service_events(app: &TestApp, service_id: &str) -> Vec<String> {
    let mut conn = app.database.connect();
    audit_events::table
        .filter(audit_events::entity_type.eq("service"))
        .filter(audit_events::entity_id.eq(service_id))
        .order(audit_events::seq.asc())
        .select(audit_events::action)
        .load(&mut conn)
        .unwrap()
}

#[tokio::test]
async fn s1_medication_is_requested_approved_under_four_eyes_and_delivered_below_the_approval() {
    let (app, world, grant_id, case_id) = setup(1_000_000).await;
    let (requested, tag) = app.request_service(&world.ngo_a.caseworker.token, &case_id, &medication(45_000)).await;
    assert_eq!(requested["status"], "requested");
    assert_eq!(requested["category"], "S1");
    assert_eq!(requested["requested_by"], json!({ "type": "user", "id": world.ngo_a.caseworker.id }));
    assert_eq!(requested["medical"]["icd10_code"], "E11.9", "the holding NGO reads its own details");
    assert_eq!(requested["requested_on"], today());
    let id = text(&requested, "id");

    let (approved, tag) = app
        .service_step_ok(&world.ngo_a.manager.token, &id, "approve", &json!({ "approved_amount_tetri": 40_000 }), &tag)
        .await;
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["approved_amount_tetri"], 40_000);
    assert_eq!(approved["grant_id"], grant_id.as_str(), "R10: charged to the NGO's grant for this year");
    assert_eq!(approved["decided_by"]["id"], world.ngo_a.manager.id.as_str());
    assert_eq!(approved["decided_on"], today());
    assert_eq!(sums(&app.grant_balance(&world.ngo_a.manager.token, &grant_id).await), (40_000, 0, 0, 960_000));

    let delivery = json!({ "delivered_on": today(), "actual_amount_tetri": 39_500, "reference": "INV-0815" });
    let (delivered, _) = app.service_step_ok(&world.ngo_a.caseworker.token, &id, "deliver", &delivery, &tag).await;
    assert_eq!(
        (delivered["status"].as_str(), delivered["delivered_amount_tetri"].as_i64()),
        (Some("delivered"), Some(39_500))
    );
    assert_eq!(delivered["committed_tetri"], 39_500);
    assert_eq!(delivered["delivery_reference"], "INV-0815");
    // R10: the delivery cost 500 tetri less than approved; those go back to the grant.
    assert_eq!(sums(&app.grant_balance(&world.ngo_a.manager.token, &grant_id).await), (0, 39_500, 0, 960_500));
    assert_running_total_matches_services(&app, &grant_id);
    // R13: one event per step.
    assert_eq!(service_events(&app, &id), ["create", "approve", "deliver"]);
}

#[tokio::test]
async fn s2_s3_s4_each_go_through_their_lifecycle_and_s4_costs_nothing_unless_recorded() {
    let (app, world, grant_id, case_id) = setup(10_000_000).await;
    let (cw, mgr) = (&world.ngo_a.caseworker.token, &world.ngo_a.manager.token);

    let (s2, tag) = app.request_service(cw, &case_id, &psychosocial(120_000)).await;
    assert_eq!((s2["category"].as_str(), s2["psychosocial"]["planned_sessions"].as_i64()), (Some("S2"), Some(8)));
    let problem = assert_problem(
        app.service_step(mgr, &text(&s2, "id"), "approve", &json!({}), &tag).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        field_errors(&problem),
        pairs(&[("approved_amount_tetri", "required")]),
        "the approver states the amount"
    );
    let (s2, tag) = app.service_step_ok(mgr, &text(&s2, "id"), "approve", &as_requested(&s2), &tag).await;
    assert_eq!(s2["approved_amount_tetri"], 120_000);
    let delivery = json!({ "delivered_on": today(), "actual_amount_tetri": 120_000 });
    app.service_step_ok(cw, &text(&s2, "id"), "deliver", &delivery, &tag).await;

    let project = json!({
        "service_type": "social_project",
        "requested_amount_tetri": 300_000,
        "reference": "TOL/SP/7",
        "social_project": { "title": "საცხობი რუსთავში", "sector": "food", "business_description": "A small bakery selling shoti bread." },
    });
    let (s3, tag) = app.request_service(cw, &case_id, &project).await;
    assert_eq!(s3["social_project"]["title"], "საცხობი რუსთავში");
    assert_eq!(s3["reference"], "TOL/SP/7");
    let (s3, _) =
        app.service_step_ok(mgr, &text(&s3, "id"), "approve", &json!({ "approved_amount_tetri": 250_000 }), &tag).await;
    assert_eq!(s3["committed_tetri"], 250_000);

    let referral = json!({
        "service_type": "vocational_referral",
        "vocational": {
            "education": "Secondary school",
            "skills": "Driving, basic welding",
            "interests": "Construction",
            "proposed_directions": ["Welding", "Heavy vehicle driving"],
            "division_informed_on": today(),
        },
    });
    let (s4, tag) = app.request_service(cw, &case_id, &referral).await;
    assert_eq!((s4["category"].as_str(), s4["requested_amount_tetri"].as_i64()), (Some("S4"), Some(0)));
    assert_eq!(s4["vocational"]["proposed_directions"], json!(["Welding", "Heavy vehicle driving"]));
    let (s4, tag) = app.service_step_ok(mgr, &text(&s4, "id"), "approve", &as_requested(&s4), &tag).await;
    assert!(s4["grant_id"].is_null(), "S4: an approval of nothing charges no grant: {s4}");
    let delivery = json!({ "delivered_on": today(), "actual_amount_tetri": 0 });
    let (s4, _) = app.service_step_ok(cw, &text(&s4, "id"), "deliver", &delivery, &tag).await;
    assert_eq!(s4["status"], "delivered");

    assert_eq!(sums(&app.grant_balance(mgr, &grant_id).await), (250_000, 120_000, 0, 10_000_000 - 370_000));
    assert_running_total_matches_services(&app, &grant_id);
}

#[tokio::test]
async fn r12_the_requester_never_decides_its_own_request_person_or_ngo_system() {
    let (app, world, _, case_id) = setup(1_000_000).await;
    let mgr = &world.ngo_a.manager.token;
    // A manager requests: the same manager may neither approve nor reject it.
    let (own, tag) = app.request_service(mgr, &case_id, &medication(10_000)).await;
    let id = text(&own, "id");
    for step in ["approve", "reject"] {
        let body = if step == "reject" { json!({ "reason": "no" }) } else { as_requested(&own) };
        let problem = assert_problem(app.service_step(mgr, &id, step, &body, &tag).await, 409, "four_eyes").await;
        assert!(problem["detail"].as_str().unwrap().contains("request"), "{problem}");
    }
    // Another manager of the NGO may.
    let other = app.user(&world.admin, domain::role::Role::NgoManager, &world.ngo_a.id).await;
    app.service_step_ok(&other.token, &id, "approve", &as_requested(&own), &tag).await;

    // An NGO system with the manager's rights: its own request is refused too, a person's is not.
    let client = app.create_client(&world.admin, &world.ngo_a.id, "ngo_manager").await;
    let system = app.client_token(&text(&client, "client_id"), &text(&client, "client_secret")).await;
    let (by_system, tag) = app.request_service(&system, &case_id, &medication(10_000)).await;
    assert_eq!(by_system["requested_by"]["type"], "client");
    assert_problem(
        app.service_step(&system, &text(&by_system, "id"), "approve", &as_requested(&by_system), &tag).await,
        409,
        "four_eyes",
    )
    .await;
    let (approved, _) =
        app.service_step_ok(mgr, &text(&by_system, "id"), "approve", &as_requested(&by_system), &tag).await;
    assert_eq!(approved["decided_by"]["type"], "user");
    let (by_person, tag) = app.request_service(&world.ngo_a.caseworker.token, &case_id, &medication(10_000)).await;
    let (approved, _) =
        app.service_step_ok(&system, &text(&by_person, "id"), "approve", &as_requested(&by_person), &tag).await;
    assert_eq!(approved["decided_by"], json!({ "type": "client", "id": client["id"] }));
    // A caseworker may not approve at all.
    let (requested, tag) = app.request_service(mgr, &case_id, &medication(10_000)).await;
    let response = app
        .service_step(
            &world.ngo_a.caseworker.token,
            &text(&requested, "id"),
            "approve",
            &as_requested(&requested),
            &tag,
        )
        .await;
    assert_problem(response, 403, "forbidden").await;
}

#[tokio::test]
async fn r10_approvals_take_the_grant_to_its_last_tetri_and_not_one_beyond() {
    let (app, world, grant_id, case_id) = setup(100_000).await;
    let (cw, mgr) = (&world.ngo_a.caseworker.token, &world.ngo_a.manager.token);
    let (first, tag1) = app.request_service(cw, &case_id, &medication(60_000)).await;
    let (second, tag2) = app.request_service(cw, &case_id, &medication(40_001)).await;
    app.service_step_ok(mgr, &text(&first, "id"), "approve", &as_requested(&first), &tag1).await;
    // 40,001 is one tetri more than the 40,000 left.
    let response = app.service_step(mgr, &text(&second, "id"), "approve", &as_requested(&second), &tag2).await;
    let problem = assert_problem(response, 409, "grant_exceeded").await;
    assert_eq!(problem["remaining_tetri"], 40_000, "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("400.00 GEL"), "{problem}");
    // Nothing was written by the refusal.
    let (service, tag2) = app.read(&format!("/api/v1/services/{}", text(&second, "id")), mgr).await;
    assert_eq!(service["status"], "requested");
    // The last tetri: exactly what is left passes, and then nothing is.
    let (approved, _) = app
        .service_step_ok(mgr, &text(&second, "id"), "approve", &json!({ "approved_amount_tetri": 40_000 }), &tag2)
        .await;
    assert_eq!(approved["approved_amount_tetri"], 40_000);
    assert_eq!(sums(&app.grant_balance(mgr, &grant_id).await), (100_000, 0, 0, 0));
    let (third, tag3) = app.request_service(cw, &case_id, &medication(1)).await;
    let problem = assert_problem(
        app.service_step(mgr, &text(&third, "id"), "approve", &as_requested(&third), &tag3).await,
        409,
        "grant_exceeded",
    )
    .await;
    assert_eq!(problem["remaining_tetri"], 0);
    // More than requested is invalid input, not a charge.
    let response =
        app.service_step(mgr, &text(&third, "id"), "approve", &json!({ "approved_amount_tetri": 2 }), &tag3).await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(field_errors(&problem), pairs(&[("approved_amount_tetri", "exceeds_requested")]));
    assert_running_total_matches_services(&app, &grant_id);
    assert_eq!(service_events(&app, &text(&third, "id")), ["create"], "refusals leave no audit event");
}

#[tokio::test]
async fn r10_a_ceiling_caps_its_service_type_within_the_grant() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let year = tests::services::this_year();
    let opened = app
        .send(
            Method::POST,
            "/api/v1/program-years",
            Some(&world.admin.token),
            Some(&json!({ "year": year, "budget_tetri": BUDGET })),
        )
        .await;
    assert_eq!(opened.status().as_u16(), 201);
    let award = json!({
        "program_year": year, "organization_id": world.ngo_a.id, "amount_tetri": 1_000_000,
        "period_start": format!("{year}-01-01"), "period_end": format!("{year}-12-31"),
        "ceilings": [{ "service_type": "medication", "amount_tetri": 50_000 }],
    });
    let (grant, _) = app.create("/api/v1/grants", &world.admin.token, &award).await;
    let case_id = app.eligible_case(&world.airport, &world.ngo_a, 1).await;
    let (cw, mgr) = (&world.ngo_a.caseworker.token, &world.ngo_a.manager.token);
    let (a, tag_a) = app.request_service(cw, &case_id, &medication(30_000)).await;
    let (b, tag_b) = app.request_service(cw, &case_id, &medication(30_000)).await;
    let (c, tag_c) = app.request_service(cw, &case_id, &psychosocial(30_000)).await;
    app.service_step_ok(mgr, &text(&a, "id"), "approve", &as_requested(&a), &tag_a).await;
    let problem = assert_problem(
        app.service_step(mgr, &text(&b, "id"), "approve", &as_requested(&b), &tag_b).await,
        409,
        "grant_exceeded",
    )
    .await;
    assert_eq!(
        (problem["remaining_tetri"].as_i64(), problem["ceiling_service_type"].as_str()),
        (Some(20_000), Some("medication"))
    );
    // Other types are capped by the grant only.
    app.service_step_ok(mgr, &text(&c, "id"), "approve", &as_requested(&c), &tag_c).await;
    assert_running_total_matches_services(&app, &text(&grant, "id"));
}

#[tokio::test]
async fn r10_without_a_grant_running_today_nothing_is_approved() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    // NGO B has this year's grant; NGO A has none.
    app.grant_this_year(&world.admin, &world.ngo_b.id, BUDGET, 1_000_000).await;
    let case_id = app.eligible_case(&world.airport, &world.ngo_a, 1).await;
    let (service, tag) = app.request_service(&world.ngo_a.caseworker.token, &case_id, &medication(1_000)).await;
    let response = app
        .service_step(&world.ngo_a.manager.token, &text(&service, "id"), "approve", &as_requested(&service), &tag)
        .await;
    let problem = assert_problem(response, 409, "no_grant").await;
    assert!(problem["detail"].as_str().unwrap().contains(&today()), "{problem}");
}

#[tokio::test]
async fn r10_a_delivered_cost_above_the_approval_needs_a_supplement_under_four_eyes_and_the_grant_check() {
    let (app, world, grant_id, case_id) = setup(50_000).await;
    let (cw, mgr) = (&world.ngo_a.caseworker.token, &world.ngo_a.manager.token);
    let (service, tag) = app.request_service(cw, &case_id, &medication(40_000)).await;
    let id = text(&service, "id");
    let (_, tag) = app.service_step_ok(mgr, &id, "approve", &as_requested(&service), &tag).await;
    let delivery = json!({ "delivered_on": today(), "actual_amount_tetri": 42_500 });
    let problem = assert_problem(
        app.service_step(cw, &id, "deliver", &delivery, &tag).await,
        409,
        "supplementary_approval_required",
    )
    .await;
    assert_eq!(problem["excess_tetri"], 2_500, "{problem}");
    // The supplement: not by a caseworker, not beyond the grant, not by the requester.
    assert_problem(
        app.service_step(cw, &id, "supplement", &json!({ "amount_tetri": 2_500 }), &tag).await,
        403,
        "forbidden",
    )
    .await;
    let problem = assert_problem(
        app.service_step(mgr, &id, "supplement", &json!({ "amount_tetri": 10_001 }), &tag).await,
        409,
        "grant_exceeded",
    )
    .await;
    assert_eq!(problem["remaining_tetri"], 10_000);
    let (supplemented, tag) =
        app.service_step_ok(mgr, &id, "supplement", &json!({ "amount_tetri": 2_500 }), &tag).await;
    assert_eq!(
        (supplemented["supplementary_tetri"].as_i64(), supplemented["committed_tetri"].as_i64()),
        (Some(2_500), Some(42_500))
    );
    assert_eq!(supplemented["supplemented_by"]["id"], world.ngo_a.manager.id.as_str());
    let (delivered, _) = app.service_step_ok(cw, &id, "deliver", &delivery, &tag).await;
    assert_eq!(delivered["delivered_amount_tetri"], 42_500);
    assert_eq!(sums(&app.grant_balance(mgr, &grant_id).await), (0, 42_500, 0, 7_500));
    assert_running_total_matches_services(&app, &grant_id);

    // R12 for the supplement: a manager's own request takes no supplement from that manager.
    let (own, tag) = app.request_service(mgr, &case_id, &medication(1_000)).await;
    let other = app.user(&world.admin, domain::role::Role::NgoManager, &world.ngo_a.id).await;
    let (_, tag) = app.service_step_ok(&other.token, &text(&own, "id"), "approve", &as_requested(&own), &tag).await;
    let response = app.service_step(mgr, &text(&own, "id"), "supplement", &json!({ "amount_tetri": 1 }), &tag).await;
    assert_problem(response, 409, "four_eyes").await;
    assert_eq!(service_events(&app, &id), ["create", "approve", "approve_supplement", "deliver"]);
}

#[tokio::test]
async fn cancelling_an_approval_releases_it_and_a_caseworker_cancels_only_requests() {
    let (app, world, grant_id, case_id) = setup(100_000).await;
    let (cw, mgr) = (&world.ngo_a.caseworker.token, &world.ngo_a.manager.token);
    let (service, tag) = app.request_service(cw, &case_id, &medication(70_000)).await;
    let id = text(&service, "id");
    let (_, tag) = app.service_step_ok(mgr, &id, "approve", &as_requested(&service), &tag).await;
    assert_problem(app.service_step(cw, &id, "cancel", &json!({ "reason": "moved" }), &tag).await, 403, "forbidden")
        .await;
    let (cancelled, _) =
        app.service_step_ok(mgr, &id, "cancel", &json!({ "reason": "The beneficiary moved abroad" }), &tag).await;
    assert_eq!((cancelled["status"].as_str(), cancelled["committed_tetri"].as_i64()), (Some("cancelled"), Some(0)));
    assert_eq!(cancelled["reason"], "The beneficiary moved abroad");
    assert_eq!(sums(&app.grant_balance(mgr, &grant_id).await), (0, 0, 70_000, 100_000));
    assert_running_total_matches_services(&app, &grant_id);
    // The released amount can be approved again.
    let (again, tag) = app.request_service(cw, &case_id, &medication(100_000)).await;
    app.service_step_ok(mgr, &text(&again, "id"), "approve", &as_requested(&again), &tag).await;
    // A caseworker cancels a request.
    let (request, tag) = app.request_service(cw, &case_id, &psychosocial(1)).await;
    app.service_step_ok(cw, &text(&request, "id"), "cancel", &json!({ "reason": "not needed" }), &tag).await;
}

#[tokio::test]
async fn lifecycle_steps_from_the_wrong_status_are_invalid_transitions_and_need_the_current_etag() {
    let (app, world, _, case_id) = setup(100_000).await;
    let (cw, mgr) = (&world.ngo_a.caseworker.token, &world.ngo_a.manager.token);
    let (service, tag) = app.request_service(cw, &case_id, &medication(1_000)).await;
    let id = text(&service, "id");
    // Delivering what is not approved.
    let delivery = json!({ "delivered_on": today(), "actual_amount_tetri": 1_000 });
    let problem =
        assert_problem(app.service_step(cw, &id, "deliver", &delivery, &tag).await, 409, "invalid_transition").await;
    assert_eq!(problem["service_status"], "requested", "names the service's status: {problem}");
    // A stale ETag and a missing one.
    let (_, new_tag) =
        app.service_step_ok(mgr, &id, "reject", &json!({ "reason": "Covered by the state program" }), &tag).await;
    assert_problem(app.service_step(mgr, &id, "approve", &as_requested(&service), &tag).await, 412, "version_conflict")
        .await;
    let response = app.send(Method::POST, &format!("/api/v1/services/{id}/approve"), Some(mgr), Some(&json!({}))).await;
    assert_problem(response, 428, "precondition_required").await;
    // Rejected is final.
    for (step, body) in [
        ("approve", as_requested(&service)),
        ("cancel", json!({ "reason": "x" })),
        ("supplement", json!({ "amount_tetri": 1 })),
    ] {
        assert_problem(app.service_step(mgr, &id, step, &body, &new_tag).await, 409, "invalid_transition").await;
    }
}

#[tokio::test]
async fn services_are_for_eligible_open_cases_of_the_callers_ngo_and_not_for_shelter_or_information() {
    let (app, world, _, case_id) = setup(100_000).await;
    let cw = &world.ngo_a.caseworker.token;
    // Shelter hangs on the arrival (S5), information is published (S6).
    for service_type in ["temporary_shelter", "information"] {
        let body = json!({ "service_type": service_type, "requested_amount_tetri": 1_000 });
        let problem =
            assert_problem(app.request_service_raw(cw, &case_id, &body).await, 422, "service_type_not_allowed").await;
        assert_eq!(problem["service_type"], service_type);
    }
    // A case not (yet) decided eligible.
    let number = tests::registration::personal_number(2);
    let arrival = tests::registration::arrival(Some(&number), "2017-03-01", &[("2016-06-01", "2017-03-01")], false);
    let person = tests::registration::minimal_person(&number, "GE-TB");
    let undecided = app.register(&world.airport, &world.ngo_a, &arrival, &person, "2017-04-01").await;
    let problem =
        assert_problem(app.request_service_raw(cw, &undecided.case_id, &medication(1)).await, 409, "case_not_eligible")
            .await;
    assert_eq!(problem["case_status"], "open");
    // Decided not eligible (R2: 273 days).
    let (result, tag) = app.decide(cw, &undecided.case_id, &undecided.case_etag).await;
    assert_eq!(result["case"]["status"], "not_eligible");
    assert_problem(app.request_service_raw(cw, &undecided.case_id, &medication(1)).await, 409, "case_not_eligible")
        .await;
    // Closed.
    let close = json!({ "reason": "Moved abroad" });
    let path = format!("/api/v1/cases/{}/close", undecided.case_id);
    let response = app.send_if_match(Method::POST, &path, Some(cw), Some(&close), Some(&tag)).await;
    assert_eq!(response.status().as_u16(), 200);
    assert_problem(app.request_service_raw(cw, &undecided.case_id, &medication(1)).await, 409, "case_closed").await;
    // Another NGO's case does not exist for NGO B.
    let response = app.request_service_raw(&world.ngo_b.caseworker.token, &case_id, &medication(1)).await;
    assert_problem(response, 404, "not_found").await;
    // The ministry does not request services.
    let response = app.request_service_raw(&world.airport.token, &case_id, &medication(1)).await;
    assert_problem(response, 403, "forbidden").await;
}

#[tokio::test]
async fn a_request_reports_every_invalid_field_at_once_and_stores_nothing() {
    let (app, world, _, case_id) = setup(100_000).await;
    let cw = &world.ngo_a.caseworker.token;
    let body = json!({
        "service_type": "medication",
        "requested_amount_tetri": 0,
        "medical": { "condition_category": "mild", "icd10_code": "e11.9" },
        "social_project": { "title": "x" },
        "colour": "red",
    });
    let problem = assert_problem(app.request_service_raw(cw, &case_id, &body).await, 422, "validation_failed").await;
    let mut got = field_errors(&problem);
    got.sort();
    let mut expected = pairs(&[
        ("colour", "unknown_field"),
        ("requested_amount_tetri", "out_of_range"),
        ("social_project", "not_for_service_type"),
        ("medical.condition_category", "unknown_status"),
        ("medical.icd10_code", "invalid_icd10_code"),
    ]);
    expected.sort();
    assert_eq!(got, expected, "{problem}");
    let body = json!({
        "service_type": "vocational_referral",
        "vocational": { "skills": " ", "interests": "Cooking", "proposed_directions": [], "division_informed_on": "2999-01-01" },
    });
    let problem = assert_problem(app.request_service_raw(cw, &case_id, &body).await, 422, "validation_failed").await;
    let mut got = field_errors(&problem);
    got.sort();
    assert_eq!(
        got,
        pairs(&[("vocational.proposed_directions", "no_direction"), ("vocational.skills", "invalid_length")])
    );
    let problem = assert_problem(
        app.request_service_raw(
            cw,
            &case_id,
            &json!({ "service_type": "psychosocial_rehabilitation", "requested_amount_tetri": 5 }),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&problem), pairs(&[("psychosocial", "required")]));
    // A referral informing the division in the future is refused by the action.
    let body = json!({
        "service_type": "vocational_referral",
        "vocational": { "skills": "Sewing", "interests": "Tailoring", "proposed_directions": ["Tailoring"], "division_informed_on": "2999-01-01" },
    });
    let problem = assert_problem(app.request_service_raw(cw, &case_id, &body).await, 422, "validation_failed").await;
    assert_eq!(field_errors(&problem), pairs(&[("vocational.division_informed_on", "date_in_future")]));
    let mut conn = app.database.connect();
    let stored: i64 = services::table.count().get_result(&mut conn).unwrap();
    assert_eq!(stored, 0, "nothing stored");
}

#[tokio::test]
async fn r11_medical_details_only_for_the_holding_ngo_and_every_read_is_recorded() {
    let (app, world, _, case_id) = setup(100_000).await;
    let (service, _) = app.request_service(&world.ngo_a.caseworker.token, &case_id, &medication(5_000)).await;
    let id = text(&service, "id");
    let path = format!("/api/v1/services/{id}");
    let reads = |app: &TestApp| {
        let mut conn = app.database.connect();
        audit_events::table
            .filter(audit_events::entity_id.eq(&id))
            .filter(audit_events::action.eq("read_medical"))
            .order(audit_events::chain_seq.asc())
            .select(audit_events::actor_id)
            .load::<Option<String>>(&mut conn)
            .unwrap()
    };
    assert!(reads(&app).is_empty(), "creating is not reading");
    // The ministry and auditors: category, provider and amounts, not the code or the notes.
    for reader in [&world.auditor, &world.airport] {
        let (seen, _) = app.read(&path, &reader.token).await;
        assert_eq!(seen["medical"]["condition_category"], "chronic");
        assert_eq!(seen["medical"]["provider"], "Aversi pharmacy, Rustavi");
        assert!(seen["medical"]["icd10_code"].is_null() && seen["medical"]["notes"].is_null(), "{seen}");
        assert_eq!(seen["medical"]["details_withheld"], true);
        assert_eq!(seen["requested_amount_tetri"], 5_000);
        let listed = json(
            app.send(Method::GET, &format!("/api/v1/services?case_id={case_id}"), Some(&reader.token), None).await,
        )
        .await;
        assert!(listed["items"][0]["medical"]["icd10_code"].is_null(), "{listed}");
    }
    assert!(reads(&app).is_empty(), "withheld details were not read");
    // Another NGO does not see the service at all.
    assert_problem(app.send(Method::GET, &path, Some(&world.ngo_b.manager.token), None).await, 404, "not_found").await;
    // The holding NGO reads them, and each read is recorded with who read.
    let (seen, _) = app.read(&path, &world.ngo_a.manager.token).await;
    assert_eq!(
        (seen["medical"]["icd10_code"].as_str(), seen["medical"]["notes"].as_str()),
        (Some("E11.9"), Some("ინსულინი სამი თვით"))
    );
    assert_eq!(seen["medical"]["details_withheld"], false);
    let listed = json(
        app.send(Method::GET, &format!("/api/v1/cases/{case_id}/services"), Some(&world.ngo_a.caseworker.token), None)
            .await,
    )
    .await;
    assert_eq!(listed["items"][0]["medical"]["icd10_code"], "E11.9");
    assert_eq!(
        reads(&app),
        [Some(world.ngo_a.manager.id.clone()), Some(world.ngo_a.caseworker.id.clone())],
        "R11: one recorded read per reader"
    );
}

#[tokio::test]
async fn services_are_listed_by_case_ngo_type_status_grant_and_period_page_by_page() {
    let (app, world, grant_id, case_id) = setup(1_000_000).await;
    let (cw, mgr) = (&world.ngo_a.caseworker.token, &world.ngo_a.manager.token);
    let other_case = app.eligible_case(&world.airport, &world.ngo_a, 2).await;
    let (a, tag) = app.request_service(cw, &case_id, &medication(1_000)).await;
    app.service_step_ok(mgr, &text(&a, "id"), "approve", &as_requested(&a), &tag).await;
    let (b, _) = app.request_service(cw, &case_id, &psychosocial(2_000)).await;
    let (c, _) = app.request_service(cw, &other_case, &psychosocial(3_000)).await;
    app.grant_this_year(&world.admin, &world.ngo_b.id, BUDGET, 1_000).await;
    let b_case = app.eligible_case(&world.airport, &world.ngo_b, 3).await;
    let (d, _) = app.request_service(&world.ngo_b.caseworker.token, &b_case, &psychosocial(4_000)).await;
    let ids =
        |page: &Value| -> Vec<String> { page["items"].as_array().unwrap().iter().map(|s| text(s, "id")).collect() };
    let v = |items: &[&String]| -> Vec<String> { items.iter().map(|s| (*s).clone()).collect() };
    let list = |query: String, token: String| {
        let app = &app;
        async move {
            let response = app.send(Method::GET, &format!("/api/v1/services{query}"), Some(&token), None).await;
            assert_eq!(response.status().as_u16(), 200, "{query}");
            json(response).await
        }
    };
    let [a, b, c, d] = [&a, &b, &c, &d].map(|s| text(s, "id"));
    let auditor = world.auditor.token.clone();
    assert_eq!(ids(&list(String::new(), auditor.clone()).await), v(&[&a, &b, &c, &d]));
    assert_eq!(ids(&list(String::new(), cw.clone()).await), v(&[&a, &b, &c]), "R11: an NGO its own");
    assert_eq!(ids(&list(format!("?case_id={case_id}"), auditor.clone()).await), v(&[&a, &b]));
    assert_eq!(ids(&list(format!("?organization_id={}", world.ngo_b.id), auditor.clone()).await), v(&[&d]));
    assert_eq!(ids(&list("?service_type=psychosocial_rehabilitation".into(), auditor.clone()).await), v(&[&b, &c, &d]));
    assert_eq!(ids(&list("?status=approved".into(), auditor.clone()).await), v(&[&a]));
    assert_eq!(ids(&list(format!("?grant_id={grant_id}"), auditor.clone()).await), v(&[&a]));
    let t = today();
    assert_eq!(ids(&list(format!("?requested_from={t}&requested_to={t}"), auditor.clone()).await).len(), 4);
    assert!(ids(&list("?requested_to=2017-01-01".into(), auditor.clone()).await).is_empty());
    assert_eq!(ids(&list(format!("?case_id={b_case}"), cw.clone()).await), Vec::<String>::new(), "R11 in filters too");
    // Keyset pages of one.
    let mut seen = Vec::new();
    let mut query = "?limit=1".to_owned();
    loop {
        let page = list(query.clone(), auditor.clone()).await;
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => query = format!("?limit=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, v(&[&a, &b, &c, &d]));
    // A case's own list, and bad filters.
    let page = json(
        app.send(Method::GET, &format!("/api/v1/cases/{case_id}/services?status=requested"), Some(cw), None).await,
    )
    .await;
    assert_eq!(ids(&page), v(&[&b]));
    let response = app.send(Method::GET, "/api/v1/services?status=lost&service_type=x", Some(cw), None).await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(
        field_errors(&problem),
        pairs(&[("service_type", "unknown_service_type"), ("status", "unknown_status")])
    );
    let response = app.send(Method::GET, &format!("/api/v1/cases/{b_case}/services"), Some(cw), None).await;
    assert_problem(response, 404, "not_found").await;
}

#[tokio::test]
async fn every_service_refusal_is_explained_in_georgian_and_english() {
    let (app, world, _, case_id) = setup(1_000).await;
    let mgr = &world.ngo_a.manager.token;
    let (own, tag) = app.request_service(mgr, &case_id, &medication(2_000)).await;
    let approve = format!("/api/v1/services/{}/approve", text(&own, "id"));
    let other = app.user(&world.admin, domain::role::Role::NgoManager, &world.ngo_a.id).await;
    let shelter = json!({ "service_type": "temporary_shelter", "requested_amount_tetri": 1 });
    let refusals = [
        (mgr.as_str(), approve.clone(), as_requested(&own), "four_eyes"),
        (other.token.as_str(), approve.clone(), as_requested(&own), "grant_exceeded"),
        (
            world.ngo_a.caseworker.token.as_str(),
            format!("/api/v1/cases/{case_id}/services"),
            shelter,
            "service_type_not_allowed",
        ),
    ];
    for (token, path, body, code) in refusals {
        let mut details = Vec::new();
        for language in ["ka", "en"] {
            let headers = [("Accept-Language", language), ("If-Match", tag.as_str())];
            let response = app.send_with(Method::POST, &path, Some(token), Some(&body), &headers).await;
            let problem = json(response).await;
            assert_eq!(problem["code"], code, "{problem}");
            details.push(problem["detail"].as_str().unwrap().to_owned());
        }
        assert!(tests::has_mkhedruli(&details[0]), "{code} in Georgian: {}", details[0]);
        assert!(!tests::has_mkhedruli(&details[1]) && details[1] != details[0], "{code} in English: {}", details[1]);
    }
}
