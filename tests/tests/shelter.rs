#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Temporary shelter (S5) on the arrival, at each boundary: R6 (each region covered or not), R7
//! (4 vs 5 nights, across two stays; an early check-out frees nights; a cancelled stay frees
//! all), R8 (a need recorded by ministry staff or not; the return date, the day after, two days
//! after), the year's shelter allocation (N0100), R11 (who sees stays) and R13 (one audit event
//! per change).

use diesel::prelude::*;
use persistence::schema::{arrivals, audit_events};
use reqwest::Method;
use serde_json::{Value, json};
use tests::identity::{etag, text};
use tests::registration::{World, arrival, minimal_person, personal_number};
use tests::{TestApp, assert_problem, json};

const RETURN: &str = "2017-03-01";

async fn setup() -> (TestApp, World) {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let year = json!({ "year": 2017, "budget_tetri": 59_000_000 });
    let opened = app.send(Method::POST, "/api/v1/program-years", Some(&world.admin.token), Some(&year)).await;
    assert_eq!(opened.status().as_u16(), 201);
    (app, world)
}

/// A return on `date` recorded at the airport (by ministry staff), with a shelter need or not.
async fn airport_return(app: &TestApp, world: &World, n: u64, date: &str, shelter: bool) -> String {
    let body = arrival(Some(&personal_number(n)), date, &[("2015-01-10", date)], shelter);
    text(&app.create_arrival(&world.airport.token, &body).await, "id")
}

fn stay(region: &str, check_in: &str, check_out: &str, cost: i64) -> Value {
    json!({ "region_code": region, "shelter_name": "Transit shelter", "check_in": check_in, "check_out": check_out, "cost_tetri": cost })
}

async fn book(app: &TestApp, token: &str, arrival_id: &str, body: &Value) -> reqwest::Response {
    app.send(Method::POST, &format!("/api/v1/arrivals/{arrival_id}/shelter-stays"), Some(token), Some(body)).await
}

/// Books a stay that must be accepted; returns it and its ETag.
async fn booked(app: &TestApp, world: &World, arrival_id: &str, body: &Value) -> (Value, String) {
    let response = book(app, &world.airport.token, arrival_id, body).await;
    let (status, location, tag) = (response.status().as_u16(), tests::header(&response, "location"), etag(&response));
    let created = json(response).await;
    assert_eq!(status, 201, "{body}: {created}");
    assert_eq!(location, format!("/api/v1/shelter-stays/{}", text(&created, "id")));
    (created, tag)
}

/// R7: the nights the arrival's running total holds, read from the database.
fn nights_held(app: &TestApp, arrival_id: &str) -> i32 {
    let mut conn = app.database.connect();
    arrivals::table.find(arrival_id).select(arrivals::shelter_nights).first(&mut conn).unwrap()
}

#[tokio::test]
async fn r7_four_nights_across_two_stays_pass_and_a_fifth_is_refused_with_the_nights_left() {
    let (app, world) = setup().await;
    let id = airport_return(&app, &world, 1, RETURN, true).await;
    let (first, _) = booked(&app, &world, &id, &stay("GE-TB", "2017-03-01", "2017-03-03", 12_000)).await;
    assert_eq!((first["nights"].as_i64(), first["status"].as_str()), (Some(2), Some("booked")));
    assert_eq!(first["program_year"], 2017);
    // A second stay continuing the first on its check-out day: 4 nights in all.
    booked(&app, &world, &id, &stay("GE-KK", "2017-03-03", "2017-03-05", 8_000)).await;
    assert_eq!(nights_held(&app, &id), 4);
    // A fifth night is one too many.
    let problem = assert_problem(
        book(&app, &world.airport.token, &id, &stay("GE-KK", "2017-03-05", "2017-03-06", 0)).await,
        409,
        "shelter_nights_exceeded",
    )
    .await;
    assert_eq!((problem["nights_left"].as_i64(), problem["rule"].as_str()), (Some(0), Some("R7")), "{problem}");
    // One stay of 5 nights on a fresh return: refused, with all 4 left; 4 nights pass.
    let fresh = airport_return(&app, &world, 2, RETURN, true).await;
    let problem = assert_problem(
        book(&app, &world.airport.token, &fresh, &stay("GE-TB", "2017-03-01", "2017-03-06", 0)).await,
        409,
        "shelter_nights_exceeded",
    )
    .await;
    assert_eq!(problem["nights_left"], 4);
    booked(&app, &world, &fresh, &stay("GE-TB", "2017-03-01", "2017-03-05", 0)).await;
    // An overlapping stay is refused too, naming the stay it overlaps.
    let third = airport_return(&app, &world, 3, RETURN, true).await;
    booked(&app, &world, &third, &stay("GE-TB", "2017-03-02", "2017-03-03", 0)).await;
    let problem = assert_problem(
        book(&app, &world.airport.token, &third, &stay("GE-TB", "2017-03-01", "2017-03-03", 0)).await,
        409,
        "shelter_nights_exceeded",
    )
    .await;
    assert_eq!(problem["overlaps"], json!({ "check_in": "2017-03-02", "check_out": "2017-03-03" }));
    assert_eq!(nights_held(&app, &third), 1, "a refusal writes nothing");
}

#[tokio::test]
async fn r8_the_first_night_is_the_return_date_or_the_day_after_not_two_days_after_nor_the_day_before() {
    let (app, world) = setup().await;
    // 29 February: the day after is 1 March.
    let leap = "2016-02-29";
    let year = json!({ "year": 2016, "budget_tetri": 1 });
    assert_eq!(
        app.send(Method::POST, "/api/v1/program-years", Some(&world.admin.token), Some(&year)).await.status(),
        201
    );
    for (n, first_night, accepted) in
        [(1, "2016-02-29", true), (2, "2016-03-01", true), (3, "2016-03-02", false), (4, "2016-02-28", false)]
    {
        let id = airport_return(&app, &world, n, leap, true).await;
        let next = chrono::NaiveDate::parse_from_str(first_night, "%Y-%m-%d").unwrap().succ_opt().unwrap().to_string();
        let response = book(&app, &world.airport.token, &id, &stay("GE-MM", first_night, &next, 0)).await;
        if accepted {
            assert_eq!(response.status().as_u16(), 201, "{first_night}: {}", json(response).await);
        } else {
            let problem = assert_problem(response, 409, "shelter_start_out_of_window").await;
            assert_eq!(problem["rule"], "R8", "{first_night}");
        }
    }
}

#[tokio::test]
async fn r8_a_need_not_recorded_or_not_seen_by_ministry_staff_is_refused() {
    let (app, world) = setup().await;
    let without = airport_return(&app, &world, 1, RETURN, false).await;
    let response = book(&app, &world.airport.token, &without, &stay("GE-TB", RETURN, "2017-03-02", 0)).await;
    assert_problem(response, 409, "shelter_need_not_recorded").await;
    // A shelter need an NGO recorded was not seen by ministry staff at the point of arrival.
    let body = arrival(Some(&personal_number(2)), RETURN, &[("2015-01-10", RETURN)], true);
    let by_ngo = text(&app.create_arrival(&world.ngo_a.caseworker.token, &body).await, "id");
    let response = book(&app, &world.airport.token, &by_ngo, &stay("GE-TB", RETURN, "2017-03-02", 0)).await;
    let problem = assert_problem(response, 409, "shelter_need_not_recorded").await;
    assert!(
        tests::has_mkhedruli(&problem["detail"].to_string()) || problem["detail"].as_str().unwrap().contains("need")
    );
    // Only ministry officers record stays.
    let response = book(&app, &world.ngo_a.caseworker.token, &without, &stay("GE-TB", RETURN, "2017-03-02", 0)).await;
    assert_problem(response, 403, "forbidden").await;
    let missing = "01a20000-0000-7000-8000-000000000000";
    assert_problem(
        book(&app, &world.airport.token, missing, &stay("GE-TB", RETURN, "2017-03-02", 0)).await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn r6_shelter_in_tbilisi_kvemo_kartli_and_mtskheta_mtianeti_only() {
    let (app, world) = setup().await;
    let regions = json(app.get("/api/v1/regions").await).await;
    let mut checked = 0;
    for (n, region) in regions["items"].as_array().unwrap().iter().enumerate() {
        let code = text(region, "code");
        let covered = ["GE-TB", "GE-KK", "GE-MM"].contains(&code.as_str());
        let id = airport_return(&app, &world, n as u64 + 1, RETURN, true).await;
        let response = book(&app, &world.airport.token, &id, &stay(&code, RETURN, "2017-03-02", 0)).await;
        if covered {
            assert_eq!(response.status().as_u16(), 201, "{code}");
        } else {
            let problem = assert_problem(response, 409, "shelter_region_not_covered").await;
            assert_eq!(problem["rule"], "R6", "{code}");
        }
        checked += 1;
    }
    assert_eq!(checked, 13, "every region of Georgia, the occupied ones included");
}

#[tokio::test]
async fn an_early_check_out_frees_nights_a_late_one_is_a_new_stay_and_a_cancellation_frees_all() {
    let (app, world) = setup().await;
    let id = airport_return(&app, &world, 1, RETURN, true).await;
    let (stay_a, tag) = booked(&app, &world, &id, &stay("GE-TB", "2017-03-01", "2017-03-05", 20_000)).await;
    let path = |s: &Value, step: &str| format!("/api/v1/shelter-stays/{}/{step}", text(s, "id"));
    let token = world.airport.token.as_str();
    // Past the planned check-out: a new stay is needed.
    let late = json!({ "check_out": "2017-03-06" });
    let response =
        app.send_if_match(Method::POST, &path(&stay_a, "check-out"), Some(token), Some(&late), Some(&tag)).await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["code"], "after_planned_check_out");
    // Out after two nights: two nights freed, the cost lowered.
    let early = json!({ "check_out": "2017-03-03", "cost_tetri": 10_000 });
    let response =
        app.send_if_match(Method::POST, &path(&stay_a, "check-out"), Some(token), Some(&early), Some(&tag)).await;
    assert_eq!(response.status().as_u16(), 200);
    let out = json(response).await;
    assert_eq!(
        (out["status"].as_str(), out["nights"].as_i64(), out["check_out"].as_str()),
        (Some("checked_out"), Some(2), Some("2017-03-03"))
    );
    assert_eq!(out["planned_check_out"], "2017-03-05");
    assert_eq!(nights_held(&app, &id), 2);
    // The freed nights can be used by a stay continuing from the check-out day.
    let (stay_b, tag_b) = booked(&app, &world, &id, &stay("GE-TB", "2017-03-03", "2017-03-05", 10_000)).await;
    assert_eq!(nights_held(&app, &id), 4);
    // A checked-out stay is not cancelled; a booked one is, freeing all its nights.
    let reason = json!({ "reason": "Went home to family" });
    let response =
        app.send_if_match(Method::POST, &path(&stay_a, "cancel"), Some(token), Some(&reason), Some("*")).await;
    let problem = assert_problem(response, 409, "invalid_transition").await;
    assert_eq!(problem["stay_status"], "checked_out");
    let response =
        app.send_if_match(Method::POST, &path(&stay_b, "cancel"), Some(token), Some(&reason), Some(&tag_b)).await;
    assert_eq!(response.status().as_u16(), 200);
    let cancelled = json(response).await;
    assert_eq!((cancelled["status"].as_str(), cancelled["nights"].as_i64()), (Some("cancelled"), Some(0)));
    assert_eq!(nights_held(&app, &id), 2);
    // R13: one event per change.
    let mut conn = app.database.connect();
    let events: Vec<String> = audit_events::table
        .filter(audit_events::entity_id.eq(text(&stay_a, "id")))
        .order(audit_events::seq.asc())
        .select(audit_events::action)
        .load(&mut conn)
        .unwrap();
    assert_eq!(events, ["create", "check_out"]);
}

#[tokio::test]
async fn the_cost_goes_to_the_program_year_and_never_past_its_shelter_allocation() {
    let (app, world) = setup().await;
    let admin = world.admin.token.as_str();
    let year_path = "/api/v1/program-years/2017";
    let set = |allocation: Value| json!({ "budget_tetri": 59_000_000, "shelter_allocation_tetri": allocation });
    let response = app.send_if_match(Method::PUT, year_path, Some(admin), Some(&set(json!(30_000))), Some("*")).await;
    assert_eq!(response.status().as_u16(), 200);
    let a = airport_return(&app, &world, 1, RETURN, true).await;
    let b = airport_return(&app, &world, 2, RETURN, true).await;
    let (first, tag) = booked(&app, &world, &a, &stay("GE-TB", RETURN, "2017-03-03", 24_000)).await;
    let problem = assert_problem(
        book(&app, &world.airport.token, &b, &stay("GE-TB", RETURN, "2017-03-02", 7_000)).await,
        409,
        "shelter_allocation_exceeded",
    )
    .await;
    assert_eq!(problem["remaining_tetri"], 6_000);
    // The last tetri of the allocation passes.
    booked(&app, &world, &b, &stay("GE-TB", RETURN, "2017-03-02", 6_000)).await;
    let (year, _) = app.read(year_path, admin).await;
    assert_eq!(
        (year["shelter_allocation_tetri"].as_i64(), year["shelter_spent_tetri"].as_i64()),
        (Some(30_000), Some(30_000))
    );
    // The allocation cannot drop below what was spent; cancelling gives the cost back.
    let response = app.send_if_match(Method::PUT, year_path, Some(admin), Some(&set(json!(29_999))), Some("*")).await;
    let problem = assert_problem(response, 409, "shelter_allocation_exceeded").await;
    assert_eq!(problem["shelter_spent_tetri"], 30_000);
    let cancel = format!("/api/v1/shelter-stays/{}/cancel", text(&first, "id"));
    let reason = json!({ "reason": "Booked twice" });
    let response =
        app.send_if_match(Method::POST, &cancel, Some(&world.airport.token), Some(&reason), Some(&tag)).await;
    assert_eq!(response.status().as_u16(), 200);
    let (year, _) = app.read(year_path, admin).await;
    assert_eq!(year["shelter_spent_tetri"], 6_000);
    // Without an allocation, stays are recorded uncapped; a year that does not exist takes none.
    let response = app.send_if_match(Method::PUT, year_path, Some(admin), Some(&set(Value::Null)), Some("*")).await;
    assert!(json(response).await["shelter_allocation_tetri"].is_null());
    let c = airport_return(&app, &world, 3, "2019-03-01", true).await;
    let response = book(&app, &world.airport.token, &c, &stay("GE-TB", "2019-03-01", "2019-03-02", 1)).await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["code"], "unknown_program_year");
}

#[tokio::test]
async fn r11_stays_are_read_by_the_ministry_auditors_and_the_ngo_that_holds_the_return() {
    let (app, world) = setup().await;
    let number = personal_number(1);
    let body = arrival(Some(&number), RETURN, &[("2015-01-10", RETURN)], true);
    let id = text(&app.create_arrival(&world.airport.token, &body).await, "id");
    let (created, _) = booked(&app, &world, &id, &stay("GE-KK", RETURN, "2017-03-03", 0)).await;
    let stay_path = format!("/api/v1/shelter-stays/{}", text(&created, "id"));
    let listed = |token: String, query: String| {
        let app = &app;
        async move {
            let response = app.send(Method::GET, &format!("/api/v1/shelter-stays{query}"), Some(&token), None).await;
            assert_eq!(response.status().as_u16(), 200, "{query}");
            json(response).await["items"].as_array().unwrap().len()
        }
    };
    for reader in [&world.airport, &world.auditor] {
        assert_eq!(app.read(&stay_path, &reader.token).await.0["region_code"], "GE-KK");
        assert_eq!(listed(reader.token.clone(), String::new()).await, 1);
    }
    // Before any NGO holds the return, NGOs see nothing of it.
    let ngo = world.ngo_a.caseworker.token.clone();
    assert_problem(app.send(Method::GET, &stay_path, Some(&ngo), None).await, 404, "not_found").await;
    assert_eq!(listed(ngo.clone(), String::new()).await, 0);
    // Once NGO A registers the person with a case on this return, it sees the stay; NGO B not.
    let person = app.create_person(&ngo, &minimal_person(&number, "GE-KK")).await;
    app.create_case(&ngo, &text(&person, "id"), &id, "2017-03-05").await;
    assert_eq!(app.read(&stay_path, &ngo).await.0["arrival_id"], id.as_str());
    assert_eq!(listed(ngo.clone(), format!("?arrival_id={id}")).await, 1);
    let ngo_b = world.ngo_b.caseworker.token.clone();
    assert_problem(app.send(Method::GET, &stay_path, Some(&ngo_b), None).await, 404, "not_found").await;
    // Filters: region, period, open.
    let auditor = world.auditor.token.clone();
    assert_eq!(listed(auditor.clone(), "?region_code=GE-KK&open=true".into()).await, 1);
    assert_eq!(listed(auditor.clone(), "?region_code=GE-TB".into()).await, 0);
    assert_eq!(listed(auditor.clone(), "?from=2017-03-02&to=2017-03-02".into()).await, 1);
    assert_eq!(listed(auditor.clone(), "?from=2017-03-03".into()).await, 0, "the check-out morning is no night");
    assert_eq!(listed(auditor.clone(), "?open=false".into()).await, 0);
    let response = app.send(Method::GET, &format!("/api/v1/arrivals/{id}/shelter-stays"), Some(&auditor), None).await;
    assert_eq!(json(response).await["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn every_shelter_refusal_is_explained_in_georgian_and_english() {
    let (app, world) = setup().await;
    let needless = airport_return(&app, &world, 1, RETURN, false).await;
    let needy = airport_return(&app, &world, 2, RETURN, true).await;
    let year = json!({ "budget_tetri": 59_000_000, "shelter_allocation_tetri": 10 });
    let response = app
        .send_if_match(Method::PUT, "/api/v1/program-years/2017", Some(&world.admin.token), Some(&year), Some("*"))
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let refusals = [
        (&needless, stay("GE-TB", RETURN, "2017-03-02", 0), "shelter_need_not_recorded"),
        (&needy, stay("GE-IM", RETURN, "2017-03-02", 0), "shelter_region_not_covered"),
        (&needy, stay("GE-TB", "2017-03-03", "2017-03-04", 0), "shelter_start_out_of_window"),
        (&needy, stay("GE-TB", RETURN, "2017-03-06", 0), "shelter_nights_exceeded"),
        (&needy, stay("GE-TB", RETURN, "2017-03-02", 11), "shelter_allocation_exceeded"),
    ];
    for (arrival_id, body, code) in refusals {
        let mut details = Vec::new();
        for language in ["ka", "en"] {
            let path = format!("/api/v1/arrivals/{arrival_id}/shelter-stays");
            let response = app
                .send_with(
                    Method::POST,
                    &path,
                    Some(&world.airport.token),
                    Some(&body),
                    &[("Accept-Language", language)],
                )
                .await;
            let problem = assert_problem(response, 409, code).await;
            details.push(problem["detail"].as_str().unwrap().to_owned());
        }
        assert!(tests::has_mkhedruli(&details[0]), "{code} in Georgian: {}", details[0]);
        assert!(!tests::has_mkhedruli(&details[1]), "{code} in English: {}", details[1]);
    }
}
