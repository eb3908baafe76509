#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Program years, their budgets and the grants awarded from them: R9 (the grants of a year never
//! add up to more than its budget, also when awards race), R10 (a new grant's balance), R11 (an
//! NGO sees only its own grants; another's is a 404 like a missing one) and R13 (every award is
//! one audit event, a refused one none). Amounts are whole tetri (100 tetri = 1 GEL).

use std::collections::BTreeSet;

use diesel::prelude::*;
use persistence::schema::audit_events;
use reqwest::Method;
use serde_json::{Value, json};
use tests::identity::{Login, etag, text};
use tests::registration::{field_errors, pairs};
use tests::{RaceAnswer, RaceRequest, TestApp, assert_problem, header, json, race};

const YEARS: &str = "/api/v1/program-years";
const GRANTS: &str = "/api/v1/grants";

/// The body of a whole-year award of `amount` to `organization_id`.
fn award(year: i32, organization_id: &str, amount: i64) -> Value {
    json!({
        "program_year": year,
        "organization_id": organization_id,
        "amount_tetri": amount,
        "period_start": format!("{year}-01-01"),
        "period_end": format!("{year}-12-31"),
    })
}

async fn post(app: &TestApp, path: &str, token: &str, body: &Value) -> reqwest::Response {
    app.send(Method::POST, path, Some(token), Some(body)).await
}

async fn get(app: &TestApp, path: &str, token: &str) -> reqwest::Response {
    app.send(Method::GET, path, Some(token), None).await
}

/// Creates a program year (must answer 201 with its Location and ETag); returns its body.
async fn new_year(app: &TestApp, admin: &Login, year: i32, budget: i64) -> Value {
    let response = post(app, YEARS, &admin.token, &json!({ "year": year, "budget_tetri": budget })).await;
    let status = response.status().as_u16();
    let location = header(&response, "location");
    let tag = etag(&response);
    let body = json(response).await;
    assert_eq!(status, 201, "creating year {year} answered {body}");
    assert_eq!(location, format!("{YEARS}/{year}"), "{body}");
    assert_eq!(tag, format!("\"{}\"", body["version"]), "{body}");
    body
}

/// Awards a grant (must answer 201); returns its body.
async fn new_grant(app: &TestApp, admin: &Login, body: &Value) -> Value {
    let response = post(app, GRANTS, &admin.token, body).await;
    let status = response.status().as_u16();
    let location = header(&response, "location");
    let created = json(response).await;
    assert_eq!(status, 201, "awarding {body} answered {created}");
    assert_eq!(location, format!("{GRANTS}/{}", text(&created, "id")), "{created}");
    created
}

/// The year's `(budget, granted, remaining)`, read as `token`.
async fn totals(app: &TestApp, token: &str, year: i32) -> (i64, i64, i64) {
    let response = get(app, &format!("{YEARS}/{year}"), token).await;
    assert_eq!(response.status().as_u16(), 200, "GET year {year}");
    let body = json(response).await;
    let n = |key: &str| body[key].as_i64().unwrap_or_else(|| panic!("no integer {key} in {body}"));
    (n("budget_tetri"), n("granted_tetri"), n("remaining_tetri"))
}

/// The grants a list query gives `token` (one page), as `(id, organization_id, amount)`, sorted.
async fn listed(app: &TestApp, token: &str, query: &str) -> Vec<(String, String, i64)> {
    let path = format!("{GRANTS}{query}");
    let response = get(app, &path, token).await;
    assert_eq!(response.status().as_u16(), 200, "GET {path}");
    let page = json(response).await;
    assert!(page["next_cursor"].is_null(), "one page expected for {path}: {page}");
    let mut items: Vec<(String, String, i64)> = page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {page}"))
        .iter()
        .map(|g| (text(g, "id"), text(g, "organization_id"), g["amount_tetri"].as_i64().unwrap_or(-1)))
        .collect();
    items.sort();
    items
}

/// No grants.
fn none() -> Vec<(String, String, i64)> {
    Vec::new()
}

fn ids(items: &[(String, String, i64)]) -> Vec<String> {
    items.iter().map(|(id, _, _)| id.clone()).collect()
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

/// The names of the fields a 422 `validation_failed` names, sorted.
async fn failing_fields(response: reqwest::Response) -> Vec<String> {
    let problem = assert_problem(response, 422, "validation_failed").await;
    let mut fields: Vec<String> = field_errors(&problem).into_iter().map(|(field, _)| field).collect();
    fields.sort();
    fields.dedup();
    fields
}

/// R13: the audit trail's grant events, as `(entity_id, action)`, oldest first.
fn grant_audit_events(app: &TestApp) -> Vec<(String, String)> {
    let mut conn = app.database.connect();
    audit_events::table
        .filter(audit_events::entity_type.eq("grant"))
        .order(audit_events::seq.asc())
        .select((audit_events::entity_id, audit_events::action))
        .load::<(String, String)>(&mut conn)
        .unwrap()
}

/// R13: exactly one `create` event for each of `grant_ids`, and no other grant event.
fn assert_one_audit_event_per_award(app: &TestApp, grant_ids: &[String]) {
    let mut events = grant_audit_events(app);
    events.sort();
    let mut expected: Vec<(String, String)> = grant_ids.iter().map(|id| (id.clone(), "create".to_owned())).collect();
    expected.sort();
    assert_eq!(events, expected, "one audit event per award, none for a refused one");
}

/// A problem without its request id, to compare two answers.
async fn shape(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let mut body = json(response).await;
    if let Some(object) = body.as_object_mut() {
        object.remove("request_id");
    }
    (status, body)
}

#[tokio::test]
async fn r9_r10_a_year_and_its_grants_are_created_read_back_and_listed_with_their_totals() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let admin = &world.admin;

    // The year: 201, Location, ETag, totals of an empty year.
    let year = new_year(&app, admin, 2018, 100_000).await;
    assert_eq!(year["year"], 2018);
    assert_eq!(year["budget_tetri"], 100_000);
    assert_eq!(year["granted_tetri"], 0);
    assert_eq!(year["remaining_tetri"], 100_000);
    assert_eq!(year["version"], 1);
    for key in ["created_at", "updated_at"] {
        assert!(year[key].as_str().is_some_and(|t| !t.is_empty()), "{key} of {year}");
    }
    let read = get(&app, &format!("{YEARS}/2018"), &admin.token).await;
    assert_eq!(read.status().as_u16(), 200);
    assert_eq!(etag(&read), "\"1\"");
    assert_eq!(json(read).await, year, "the year reads back as created");

    // A grant: 201, Location, ETag, and the balance of a new grant (R10).
    let mut body = award(2018, &world.ngo_a.id, 40_000);
    body["reference"] = json!("GR-2018/001 ტოლერანტი");
    let response = post(&app, GRANTS, &admin.token, &body).await;
    assert_eq!(response.status().as_u16(), 201);
    let location = header(&response, "location");
    let tag = etag(&response);
    let grant_a = json(response).await;
    let id_a = text(&grant_a, "id");
    assert!(uuid::Uuid::parse_str(&id_a).is_ok(), "{grant_a}");
    assert_eq!(location, format!("{GRANTS}/{id_a}"));
    assert_eq!(tag, "\"1\"");
    assert_eq!(grant_a["program_year"], 2018);
    assert_eq!(grant_a["organization_id"], world.ngo_a.id.as_str());
    assert_eq!(grant_a["amount_tetri"], 40_000);
    assert_eq!(grant_a["period_start"], "2018-01-01");
    assert_eq!(grant_a["period_end"], "2018-12-31");
    assert_eq!(grant_a["reference"], "GR-2018/001 ტოლერანტი", "Georgian text round-trips");
    assert_eq!(
        grant_a["balance"],
        json!({ "granted_tetri": 40_000, "approved_tetri": 0, "delivered_tetri": 0, "cancelled_tetri": 0, "remaining_tetri": 40_000 })
    );
    assert_eq!(grant_a["version"], 1);
    for key in ["created_at", "updated_at"] {
        assert!(grant_a[key].as_str().is_some_and(|t| !t.is_empty()), "{key} of {grant_a}");
    }
    let read = get(&app, &location, &admin.token).await;
    assert_eq!(read.status().as_u16(), 200);
    assert_eq!(etag(&read), "\"1\"");
    assert_eq!(json(read).await, grant_a, "the grant reads back as created");

    // R9: the year's totals follow.
    assert_eq!(totals(&app, &admin.token, 2018).await, (100_000, 40_000, 60_000));

    // A second NGO, part of the year, without a reference.
    let grant_b = new_grant(
        &app,
        admin,
        &json!({
            "program_year": 2018, "organization_id": world.ngo_b.id, "amount_tetri": 25_050,
            "period_start": "2018-03-01", "period_end": "2018-09-30",
        }),
    )
    .await;
    let id_b = text(&grant_b, "id");
    assert_eq!(grant_b["reference"], Value::Null);
    assert_eq!(
        (grant_b["period_start"].clone(), grant_b["period_end"].clone()),
        (json!("2018-03-01"), json!("2018-09-30"))
    );
    assert_eq!(grant_b["balance"]["remaining_tetri"], 25_050);
    assert_eq!(totals(&app, &admin.token, 2018).await, (100_000, 65_050, 34_950));

    // Another year, untouched by 2018's grants.
    new_year(&app, admin, 2019, 50_000).await;
    assert_eq!(totals(&app, &admin.token, 2019).await, (50_000, 0, 50_000));

    // List filters.
    let a = (id_a.clone(), world.ngo_a.id.clone(), 40_000);
    let b = (id_b.clone(), world.ngo_b.id.clone(), 25_050);
    let mut both = vec![a.clone(), b.clone()];
    both.sort();
    assert_eq!(listed(&app, &admin.token, "").await, both);
    assert_eq!(listed(&app, &admin.token, "?program_year=2018").await, both);
    assert_eq!(listed(&app, &admin.token, "?program_year=2019").await, none());
    assert_eq!(listed(&app, &admin.token, &format!("?organization_id={}", world.ngo_a.id)).await, vec![a.clone()]);
    assert_eq!(
        listed(&app, &admin.token, &format!("?program_year=2018&organization_id={}", world.ngo_b.id)).await,
        vec![b.clone()]
    );
    assert_eq!(
        listed(&app, &admin.token, &format!("?program_year=2019&organization_id={}", world.ngo_b.id)).await,
        none()
    );

    // The years, in year order, with their totals.
    let response = get(&app, YEARS, &admin.token).await;
    assert_eq!(response.status().as_u16(), 200);
    let list = json(response).await;
    assert!(list["next_cursor"].is_null(), "{list}");
    let rows: Vec<(i64, i64, i64)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|y| {
            (y["year"].as_i64().unwrap(), y["granted_tetri"].as_i64().unwrap(), y["remaining_tetri"].as_i64().unwrap())
        })
        .collect();
    assert_eq!(rows, vec![(2018, 65_050, 34_950), (2019, 0, 50_000)]);

    // R13: one audit event per award, by the administrator.
    assert_one_audit_event_per_award(&app, &[id_a.clone(), id_b.clone()]);
    let mut conn = app.database.connect();
    let events = persistence::repo::audit::for_entity(&mut conn, "grant", &id_a).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].action, "create");
    assert_eq!(events[0].actor_id.as_deref(), Some(admin.id.as_str()));
    assert_eq!(events[0].organization_id.as_deref(), Some(admin.organization_id.as_str()));
    assert!(events[0].before.is_none());
    assert!(events[0].after.as_deref().is_some_and(|after| after.contains("40000")), "{:?}", events[0].after);
}

#[tokio::test]
async fn r9_years_are_listed_in_year_order_page_by_page_and_read_by_any_authenticated_caller() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    for year in [2021, 2015, 2100, 2018] {
        new_year(&app, &world.admin, year, i64::from(year) * 100).await;
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let path = match &cursor {
            Some(c) => format!("{YEARS}?limit=3&cursor={c}"),
            None => format!("{YEARS}?limit=3"),
        };
        let response = get(&app, &path, &world.ngo_a.caseworker.token).await;
        assert_eq!(response.status().as_u16(), 200, "{path}");
        let page = json(response).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 3, "{page}");
        seen.extend(items.iter().map(|y| y["year"].as_i64().unwrap()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, vec![2015, 2018, 2021, 2100], "in year order, each once");

    for who in [&world.admin, &world.airport, &world.auditor, &world.ngo_a.caseworker, &world.ngo_b.manager] {
        assert_eq!(totals(&app, &who.token, 2018).await, (201_800, 0, 201_800));
    }
    assert_problem(app.send(Method::GET, YEARS, None, None).await, 401, "unauthorized").await;
    assert_problem(get(&app, &format!("{YEARS}/2017"), &world.admin.token).await, 404, "not_found").await;
    assert_problem(get(&app, &format!("{YEARS}/twenty"), &world.admin.token).await, 404, "not_found").await;
    assert_problem(
        get(&app, &format!("{GRANTS}/{}", uuid::Uuid::now_v7()), &world.admin.token).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(get(&app, &format!("{GRANTS}/banana"), &world.admin.token).await, 404, "not_found").await;
}

#[tokio::test]
async fn r9_a_year_is_created_once_within_2015_to_2100_with_a_budget_that_is_not_negative() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let create = |body: Value| {
        let (app, token) = (&app, admin.token.clone());
        async move { post(app, YEARS, &token, &body).await }
    };
    // The boundaries are inside; a budget of zero is a budget.
    new_year(&app, &admin, 2015, 0).await;
    new_year(&app, &admin, 2100, 1_000_000_000_000_000).await;
    assert_problem(create(json!({ "year": 2015, "budget_tetri": 10 })).await, 409, "conflict").await;
    assert_eq!(totals(&app, &admin.token, 2015).await, (0, 0, 0), "the conflict changed nothing");

    assert_eq!(failing_fields(create(json!({ "year": 2014, "budget_tetri": 10 })).await).await, vec!["year"]);
    assert_eq!(failing_fields(create(json!({ "year": 2101, "budget_tetri": 10 })).await).await, vec!["year"]);
    assert_eq!(failing_fields(create(json!({ "year": 2020, "budget_tetri": -1 })).await).await, vec!["budget_tetri"]);
    // The largest budget is 10^15 tetri (as documented).
    assert_eq!(
        failing_fields(create(json!({ "year": 2020, "budget_tetri": 1_000_000_000_000_001_i64 })).await).await,
        vec!["budget_tetri"]
    );
    // No floating point (R9): 1.5 tetri is no amount.
    assert_eq!(failing_fields(create(json!({ "year": 2020, "budget_tetri": 1.5 })).await).await, vec!["budget_tetri"]);
    // Every failing field at once.
    assert_eq!(
        failing_fields(create(json!({ "year": 2014, "budget_tetri": -100 })).await).await,
        vec!["budget_tetri", "year"]
    );
    let missing = assert_problem(create(json!({})).await, 422, "validation_failed").await;
    assert_eq!(field_errors(&missing), pairs(&[("budget_tetri", "required"), ("year", "required")]));

    let response = get(&app, YEARS, &admin.token).await;
    let years: Vec<i64> =
        json(response).await["items"].as_array().unwrap().iter().map(|y| y["year"].as_i64().unwrap()).collect();
    assert_eq!(years, vec![2015, 2100], "nothing refused was written");
}

#[tokio::test]
async fn r9_the_last_tetri_of_a_budget_is_granted_and_one_more_is_budget_exceeded_with_what_is_left() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let admin = &world.admin;
    let third = text(&app.create_ngo(admin, "Kakheti Regional Development Foundation").await, "id");
    // The 2017 budget: 590,000.00 GEL.
    new_year(&app, admin, 2017, 59_000_000).await;

    let first = new_grant(&app, admin, &award(2017, &world.ngo_a.id, 58_999_999)).await;
    assert_eq!(totals(&app, &admin.token, 2017).await, (59_000_000, 58_999_999, 1));

    // One tetri more than is left: refused, naming what is left, and nothing written.
    let refused = post(&app, GRANTS, &admin.token, &award(2017, &world.ngo_b.id, 2)).await;
    let problem = assert_problem(refused, 409, "budget_exceeded").await;
    assert_eq!(problem["remaining_tetri"], 1, "{problem}");
    assert_eq!(totals(&app, &admin.token, 2017).await, (59_000_000, 58_999_999, 1));
    assert_eq!(ids(&listed(&app, &admin.token, "?program_year=2017").await), vec![text(&first, "id")]);

    // The last tetri fills the budget.
    let last = new_grant(&app, admin, &award(2017, &world.ngo_b.id, 1)).await;
    assert_eq!(last["balance"]["remaining_tetri"], 1);
    assert_eq!(totals(&app, &admin.token, 2017).await, (59_000_000, 59_000_000, 0));

    // A full budget takes nothing more.
    let problem =
        assert_problem(post(&app, GRANTS, &admin.token, &award(2017, &third, 1)).await, 409, "budget_exceeded").await;
    assert_eq!(problem["remaining_tetri"], 0, "{problem}");
    // Nor does a budget of zero.
    new_year(&app, admin, 2016, 0).await;
    let problem =
        assert_problem(post(&app, GRANTS, &admin.token, &award(2016, &third, 1)).await, 409, "budget_exceeded").await;
    assert_eq!(problem["remaining_tetri"], 0, "{problem}");
    assert_eq!(totals(&app, &admin.token, 2016).await, (0, 0, 0));
    // A whole budget at once, and the largest amount an award may name (10^15 tetri, as
    // documented; one more is no amount at all).
    new_year(&app, admin, 2019, 500).await;
    let problem = assert_problem(
        post(&app, GRANTS, &admin.token, &award(2019, &third, 1_000_000_000_000_000)).await,
        409,
        "budget_exceeded",
    )
    .await;
    assert_eq!(problem["remaining_tetri"], 500, "{problem}");
    let beyond = post(&app, GRANTS, &admin.token, &award(2019, &third, 1_000_000_000_000_001)).await;
    assert_eq!(failing_fields(beyond).await, vec!["amount_tetri"]);
    let whole = new_grant(&app, admin, &award(2019, &third, 500)).await;
    assert_eq!(totals(&app, &admin.token, 2019).await, (500, 500, 0));

    let granted = [text(&first, "id"), text(&last, "id"), text(&whole, "id")];
    assert_eq!(
        sorted(ids(&listed(&app, &admin.token, "").await)),
        sorted(granted.to_vec()),
        "no refused award was written"
    );
    // R13: one event per award, none for the four refusals.
    assert_one_audit_event_per_award(&app, &granted);
}

#[tokio::test]
async fn r9_a_second_grant_to_the_same_ngo_for_the_same_year_is_a_conflict() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let admin = &world.admin;
    new_year(&app, admin, 2018, 100_000).await;
    new_year(&app, admin, 2019, 100_000).await;
    let first = new_grant(&app, admin, &award(2018, &world.ngo_a.id, 10_000)).await;
    assert_problem(post(&app, GRANTS, &admin.token, &award(2018, &world.ngo_a.id, 5_000)).await, 409, "conflict").await;
    assert_eq!(totals(&app, &admin.token, 2018).await, (100_000, 10_000, 90_000));
    // The same NGO in another year is another grant.
    let next = new_grant(&app, admin, &award(2019, &world.ngo_a.id, 5_000)).await;
    assert_eq!(totals(&app, &admin.token, 2019).await, (100_000, 5_000, 95_000));
    assert_one_audit_event_per_award(&app, &[text(&first, "id"), text(&next, "id")]);
}

fn racer(token: &str, body: Value) -> RaceRequest {
    RaceRequest { token: token.to_owned(), path: GRANTS.to_owned(), body, headers: Vec::new() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn r9_two_racing_awards_that_together_exceed_the_budget_one_wins_twenty_times() {
    let app = TestApp::spawn_for_races().await;
    let world = app.world().await;
    let admin = world.admin.clone();
    let mut winners = Vec::new();
    for round in 0..20 {
        let year = 2030 + round;
        new_year(&app, &admin, year, 100).await;
        // Each fits alone (60 or 70 of 100), together they do not.
        let answers = race(
            &app,
            vec![
                racer(&admin.token, award(year, &world.ngo_a.id, 60)),
                racer(&admin.token, award(year, &world.ngo_b.id, 70)),
            ],
        )
        .await;
        let won: Vec<&RaceAnswer> = answers.iter().filter(|a| a.status == 201).collect();
        let lost: Vec<&RaceAnswer> = answers.iter().filter(|a| a.status != 201).collect();
        assert_eq!((won.len(), lost.len()), (1, 1), "round {round}: {answers:?}");
        let winner = &won[0].body;
        let amount = winner["amount_tetri"].as_i64().unwrap();
        assert!(amount == 60 || amount == 70, "round {round}: {winner}");
        assert_eq!(winner["balance"]["remaining_tetri"], amount, "round {round}: {winner}");
        let loser = &lost[0].body;
        assert_eq!((lost[0].status, loser["code"].as_str()), (409, Some("budget_exceeded")), "round {round}: {loser}");
        assert_eq!(loser["remaining_tetri"], 100 - amount, "round {round}: the loser is told what the winner left");
        assert_eq!(totals(&app, &admin.token, year).await, (100, amount, 100 - amount), "round {round}");
        let listed = listed(&app, &admin.token, &format!("?program_year={year}")).await;
        assert_eq!(listed, vec![(text(winner, "id"), text(winner, "organization_id"), amount)], "round {round}");
        winners.push(text(winner, "id"));
    }
    assert_one_audit_event_per_award(&app, &winners);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn r9_ten_racing_one_tetri_awards_against_a_budget_of_five_exactly_five_win() {
    let app = TestApp::spawn_for_races().await;
    let admin = app.admin().await;
    let mut ngos = Vec::new();
    for i in 0..10 {
        ngos.push(text(&app.create_ngo(&admin, &format!("Racing NGO {i}")).await, "id"));
    }
    let mut all_winners = Vec::new();
    for round in 0..5 {
        let year = 2030 + round;
        new_year(&app, &admin, year, 5).await;
        let answers = race(&app, ngos.iter().map(|ngo| racer(&admin.token, award(year, ngo, 1))).collect()).await;
        let won: Vec<&RaceAnswer> = answers.iter().filter(|a| a.status == 201).collect();
        assert_eq!(won.len(), 5, "round {round}: {answers:?}");
        for loser in answers.iter().filter(|a| a.status != 201) {
            let code = loser.body["code"].as_str();
            assert_eq!((loser.status, code), (409, Some("budget_exceeded")), "round {round}: {loser:?}");
            assert_eq!(loser.body["remaining_tetri"], 0, "round {round}: {loser:?}");
        }
        assert_eq!(totals(&app, &admin.token, year).await, (5, 5, 0), "round {round}");
        let winners: Vec<String> = won.iter().map(|a| text(&a.body, "id")).collect();
        let listed = listed(&app, &admin.token, &format!("?program_year={year}")).await;
        assert_eq!(sorted(ids(&listed)), sorted(winners.clone()), "round {round}");
        assert!(listed.iter().all(|(_, _, amount)| *amount == 1), "round {round}: {listed:?}");
        let organizations: BTreeSet<&String> = listed.iter().map(|(_, org, _)| org).collect();
        assert_eq!(organizations.len(), 5, "round {round}: five different NGOs: {listed:?}");
        all_winners.extend(winners);
    }
    assert_one_audit_event_per_award(&app, &all_winners);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn r9_racing_awards_to_one_ngo_for_one_year_make_one_grant_and_reserve_its_amount_once() {
    // Six awards to the same NGO, each fitting the budget and all six together too: one grant,
    // five `conflict`s, and the year's granted total is the one grant's amount (a refused award's
    // share of the budget is given back).
    let app = TestApp::spawn_for_races().await;
    let world = app.world().await;
    let admin = world.admin.clone();
    let mut winners = Vec::new();
    for round in 0..5 {
        let year = 2040 + round;
        new_year(&app, &admin, year, 1_000).await;
        let answers =
            race(&app, (0..6).map(|_| racer(&admin.token, award(year, &world.ngo_a.id, 100))).collect()).await;
        let won: Vec<&RaceAnswer> = answers.iter().filter(|a| a.status == 201).collect();
        assert_eq!(won.len(), 1, "round {round}: {answers:?}");
        for loser in answers.iter().filter(|a| a.status != 201) {
            assert_eq!(
                (loser.status, loser.body["code"].as_str()),
                (409, Some("conflict")),
                "round {round}: {loser:?}"
            );
        }
        assert_eq!(totals(&app, &admin.token, year).await, (1_000, 100, 900), "round {round}");
        assert_eq!(
            ids(&listed(&app, &admin.token, &format!("?program_year={year}")).await),
            vec![text(&won[0].body, "id")]
        );
        winners.push(text(&won[0].body, "id"));
    }
    assert_one_audit_event_per_award(&app, &winners);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn r9_identical_keyed_awards_at_the_same_moment_make_one_grant_and_replay_it() {
    let app = TestApp::spawn_for_races().await;
    let world = app.world().await;
    let admin = world.admin.clone();
    let mut grants = Vec::new();
    for round in 0..5 {
        let year = 2050 + round;
        new_year(&app, &admin, year, 1_000).await;
        let key = format!("award-{year}");
        let requests = (0..6)
            .map(|_| RaceRequest {
                token: admin.token.clone(),
                path: GRANTS.to_owned(),
                body: award(year, &world.ngo_b.id, 250),
                headers: vec![("Idempotency-Key".to_owned(), key.clone())],
            })
            .collect();
        let answers = race(&app, requests).await;
        assert!(answers.iter().all(|a| a.status == 201), "round {round}: {answers:?}");
        assert!(answers.iter().all(|a| a.body == answers[0].body), "round {round}: the same answer: {answers:?}");
        let fresh = answers.iter().filter(|a| a.replayed.is_empty()).count();
        assert_eq!(fresh, 1, "round {round}: exactly one answer is not a replay: {answers:?}");
        assert!(answers.iter().all(|a| a.replayed.is_empty() || a.replayed == "true"), "{answers:?}");
        assert_eq!(totals(&app, &admin.token, year).await, (1_000, 250, 750), "round {round}: granted once");
        grants.push(text(&answers[0].body, "id"));
    }
    assert_one_audit_event_per_award(&app, &grants);
}

#[tokio::test]
async fn r9_an_award_lists_every_field_error_at_once_and_names_an_unknown_year_or_organisation() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let admin = &world.admin;
    new_year(&app, admin, 2018, 100_000).await;
    let refuse = |body: Value| {
        let (app, token) = (&app, admin.token.clone());
        async move { post(app, GRANTS, &token, &body).await }
    };

    // Every failing field at once.
    let bad = json!({
        "program_year": "twenty-eighteen",
        "organization_id": "banana",
        "amount_tetri": 0,
        "period_start": "2018-02-30",
        "reference": 7,
    });
    assert_eq!(
        failing_fields(refuse(bad).await).await,
        vec!["amount_tetri", "organization_id", "period_end", "period_start", "program_year", "reference"]
    );
    let missing = assert_problem(refuse(json!({})).await, 422, "validation_failed").await;
    assert_eq!(
        field_errors(&missing),
        pairs(&[
            ("amount_tetri", "required"),
            ("organization_id", "required"),
            ("period_end", "required"),
            ("period_start", "required"),
            ("program_year", "required"),
        ])
    );

    // A year without a budget.
    let unknown_year = json!({
        "program_year": 2016, "organization_id": world.ngo_a.id, "amount_tetri": 100,
        "period_start": "2016-01-01", "period_end": "2016-12-31",
    });
    let problem = assert_problem(refuse(unknown_year).await, 422, "validation_failed").await;
    assert_eq!(field_errors(&problem), pairs(&[("program_year", "unknown_program_year")]));
    // The ministry is no grantee; an organisation that does not exist neither.
    let problem =
        assert_problem(refuse(award(2018, &admin.organization_id, 100)).await, 422, "validation_failed").await;
    assert_eq!(field_errors(&problem), pairs(&[("organization_id", "unknown_organization")]));
    let nobody = uuid::Uuid::now_v7().to_string();
    let problem = assert_problem(refuse(award(2018, &nobody, 100)).await, 422, "validation_failed").await;
    assert_eq!(field_errors(&problem), pairs(&[("organization_id", "unknown_organization")]));

    // Amounts: positive whole tetri only.
    for amount in [json!(0), json!(-1), json!(-100_000), json!(12.5)] {
        let mut body = award(2018, &world.ngo_a.id, 1);
        body["amount_tetri"] = amount.clone();
        assert_eq!(failing_fields(refuse(body).await).await, vec!["amount_tetri"], "{amount}");
    }

    // The period lies within the program year and does not end before it starts.
    let period = |start: &str, end: &str| {
        let mut body = award(2018, &world.ngo_a.id, 1_000);
        body["period_start"] = json!(start);
        body["period_end"] = json!(end);
        body
    };
    assert_eq!(failing_fields(refuse(period("2017-12-31", "2018-12-31")).await).await, vec!["period_start"]);
    assert_eq!(failing_fields(refuse(period("2018-01-01", "2019-01-01")).await).await, vec!["period_end"]);
    assert_eq!(
        failing_fields(refuse(period("2019-01-01", "2019-12-31")).await).await,
        vec!["period_end", "period_start"]
    );
    assert_eq!(failing_fields(refuse(period("2018-06-01", "2018-03-01")).await).await, vec!["period_end"]);
    let problem = assert_problem(refuse(period("2018-02-30", "2018-12-31")).await, 422, "validation_failed").await;
    assert_eq!(field_errors(&problem), pairs(&[("period_start", "invalid_date")]));

    // Nothing refused was written.
    assert_eq!(totals(&app, &admin.token, 2018).await, (100_000, 0, 100_000));
    assert_eq!(listed(&app, &admin.token, "").await, none());
    assert_one_audit_event_per_award(&app, &[]);
    // The same body, put right, is awarded.
    new_grant(&app, admin, &period("2018-03-01", "2018-03-01")).await;
}

#[tokio::test]
async fn r11_an_ngo_sees_only_its_own_grant_and_another_ngos_is_a_404_like_a_missing_one() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let admin = &world.admin;
    new_year(&app, admin, 2018, 1_000_000).await;
    let grant_a = new_grant(&app, admin, &award(2018, &world.ngo_a.id, 300_000)).await;
    let grant_b = new_grant(&app, admin, &award(2018, &world.ngo_b.id, 200_000)).await;
    let (id_a, id_b) = (text(&grant_a, "id"), text(&grant_b, "id"));
    let client = app.create_client(admin, &world.ngo_a.id, "ngo_manager").await;
    let system_a = app.client_token(&text(&client, "client_id"), &text(&client, "client_secret")).await;
    let missing = format!("{GRANTS}/{}", uuid::Uuid::now_v7());

    // The ministry's staff see every grant.
    for (who, token) in [("admin", &admin.token), ("officer", &world.airport.token), ("auditor", &world.auditor.token)]
    {
        assert_eq!(
            sorted(ids(&listed(&app, token, "?program_year=2018").await)),
            sorted(vec![id_a.clone(), id_b.clone()]),
            "{who}"
        );
        for (id, grant) in [(&id_a, &grant_a), (&id_b, &grant_b)] {
            let read = get(&app, &format!("{GRANTS}/{id}"), token).await;
            assert_eq!(read.status().as_u16(), 200, "{who}");
            assert_eq!(json(read).await["amount_tetri"], grant["amount_tetri"], "{who}");
        }
    }

    // Each NGO's users and systems see their own grant only.
    let a_side = [
        ("A caseworker", &world.ngo_a.caseworker.token),
        ("A manager", &world.ngo_a.manager.token),
        ("A system", &system_a),
    ];
    let b_side = [("B caseworker", &world.ngo_b.caseworker.token), ("B manager", &world.ngo_b.manager.token)];
    for (sides, own, own_org, other, other_org) in [
        (a_side.to_vec(), &grant_a, &world.ngo_a.id, &id_b, &world.ngo_b.id),
        (b_side.to_vec(), &grant_b, &world.ngo_b.id, &id_a, &world.ngo_a.id),
    ] {
        for (who, token) in sides {
            let own_id = text(own, "id");
            let expected = vec![(own_id.clone(), own_org.clone(), own["amount_tetri"].as_i64().unwrap())];
            assert_eq!(listed(&app, token, "").await, expected, "{who}");
            assert_eq!(listed(&app, token, "?program_year=2018").await, expected, "{who}");
            assert_eq!(
                listed(&app, token, &format!("?organization_id={other_org}")).await,
                none(),
                "{who} filtered to the other"
            );
            let read = get(&app, &format!("{GRANTS}/{own_id}"), token).await;
            assert_eq!(read.status().as_u16(), 200, "{who}");
            let read = json(read).await;
            assert_eq!(read["balance"]["remaining_tetri"], own["amount_tetri"], "{who}: {read}");

            let hidden = shape(get(&app, &format!("{GRANTS}/{other}"), token).await).await;
            let absent = shape(get(&app, &missing, token).await).await;
            assert_eq!((hidden.0, hidden.1["code"].clone()), (404, json!("not_found")), "{who}: {hidden:?}");
            assert_eq!(hidden, absent, "{who} can tell that the other NGO's grant exists");

            // Any authenticated caller reads the years.
            assert_eq!(totals(&app, token, 2018).await, (1_000_000, 500_000, 500_000), "{who}");
        }
    }

    // Only the administrator creates years and awards grants.
    let new_award = award(2018, &world.ngo_a.id, 1_000);
    for (who, token) in [
        ("A manager", &world.ngo_a.manager.token),
        ("A caseworker", &world.ngo_a.caseworker.token),
        ("A system", &system_a),
        ("officer", &world.airport.token),
        ("auditor", &world.auditor.token),
    ] {
        let response = post(&app, GRANTS, token, &new_award).await;
        assert_eq!(response.status().as_u16(), 403, "{who} awards a grant");
        assert_problem(response, 403, "forbidden").await;
        let response = post(&app, YEARS, token, &json!({ "year": 2019, "budget_tetri": 1 })).await;
        assert_eq!(response.status().as_u16(), 403, "{who} creates a year");
        assert_problem(response, 403, "forbidden").await;
    }
    assert_problem(app.send(Method::POST, GRANTS, None, Some(&new_award)).await, 401, "unauthorized").await;
    assert_problem(app.send(Method::GET, GRANTS, None, None).await, 401, "unauthorized").await;
    assert_eq!(totals(&app, &admin.token, 2018).await, (1_000_000, 500_000, 500_000), "no refused award was written");
    assert_problem(get(&app, &format!("{YEARS}/2019"), &admin.token).await, 404, "not_found").await;
    assert_one_audit_event_per_award(&app, &[id_a, id_b]);
}

#[tokio::test]
async fn r9_a_retried_award_with_the_same_idempotency_key_replays_the_first_answer_and_grants_once() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let admin = &world.admin;
    new_year(&app, admin, 2018, 100_000).await;
    let mut body = award(2018, &world.ngo_a.id, 40_000);
    body["reference"] = json!("GR-2018/007");
    let send = |body: Value, key: &'static str| {
        let (app, token) = (&app, admin.token.clone());
        async move {
            let response =
                app.send_with(Method::POST, GRANTS, Some(&token), Some(&body), &[("Idempotency-Key", key)]).await;
            let status = response.status().as_u16();
            let replayed = header(&response, "idempotent-replayed");
            let location = header(&response, "location");
            (status, replayed, location, json(response).await)
        }
    };

    let (status, replayed, location, first) = send(body.clone(), "award-2018-a").await;
    assert_eq!((status, replayed.as_str()), (201, ""), "{first}");
    assert_eq!(location, format!("{GRANTS}/{}", text(&first, "id")));
    let (status, replayed, again_location, again) = send(body.clone(), "award-2018-a").await;
    assert_eq!((status, replayed.as_str()), (201, "true"), "{again}");
    assert_eq!(again, first, "the first answer, as it was");
    assert_eq!(again_location, location);
    assert_eq!(totals(&app, &admin.token, 2018).await, (100_000, 40_000, 60_000), "granted once");
    assert_eq!(ids(&listed(&app, &admin.token, "?program_year=2018").await), vec![text(&first, "id")]);

    // A year's create is safe to retry too (API.md: every create).
    let year = json!({ "year": 2019, "budget_tetri": 5_000 });
    let headers = [("Idempotency-Key", "year-2019")];
    let first_year = app.send_with(Method::POST, YEARS, Some(&admin.token), Some(&year), &headers).await;
    assert_eq!((first_year.status().as_u16(), header(&first_year, "idempotent-replayed")), (201, String::new()));
    let first_year = json(first_year).await;
    let again_year = app.send_with(Method::POST, YEARS, Some(&admin.token), Some(&year), &headers).await;
    assert_eq!((again_year.status().as_u16(), header(&again_year, "idempotent-replayed")), (201, "true".to_owned()));
    assert_eq!(header(&again_year, "location"), format!("{YEARS}/2019"));
    assert_eq!(json(again_year).await, first_year);

    // The same key with another body is refused, and grants nothing.
    let mut other = body.clone();
    other["amount_tetri"] = json!(1);
    let (status, _, _, problem) = send(other, "award-2018-a").await;
    assert_eq!((status, problem["code"].as_str()), (422, Some("validation_failed")), "{problem}");
    assert_eq!(problem["errors"][0]["code"], "idempotency_key_reused", "{problem}");
    // Without the key, the same award is a second grant to the same NGO: a conflict.
    assert_problem(post(&app, GRANTS, &admin.token, &body).await, 409, "conflict").await;
    assert_eq!(totals(&app, &admin.token, 2018).await, (100_000, 40_000, 60_000));
    assert_one_audit_event_per_award(&app, &[text(&first, "id")]);
}

#[tokio::test]
async fn r9_an_award_changes_what_the_year_answers_and_so_its_version_and_etag() {
    // HTTP: an ETag changes whenever the representation does; an award changes the year's
    // `granted_tetri`, so a conditional write on the year must see that it changed.
    let app = TestApp::spawn().await;
    let world = app.world().await;
    new_year(&app, &world.admin, 2019, 1_000).await;
    let before = get(&app, "/api/v1/program-years/2019", &world.admin.token).await;
    assert_eq!(etag(&before), "\"1\"");
    new_grant(&app, &world.admin, &award(2019, &world.ngo_a.id, 400)).await;
    let after = get(&app, "/api/v1/program-years/2019", &world.admin.token).await;
    assert_eq!(etag(&after), "\"2\"");
    let after = json(after).await;
    assert_eq!((after["version"].clone(), after["granted_tetri"].clone()), (json!(2), json!(400)));
}

#[tokio::test]
async fn r9_a_budget_changes_under_if_match_and_never_below_what_the_years_grants_add_up_to() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let admin = &world.admin;
    new_year(&app, admin, 2020, 1_000).await;
    new_grant(&app, admin, &award(2020, &world.ngo_a.id, 600)).await;
    let path = format!("{YEARS}/2020");
    let put = |budget: i64, tag: &str| {
        let (path, token, tag) = (path.clone(), admin.token.clone(), tag.to_owned());
        let app = &app;
        async move {
            let body = json!({ "budget_tetri": budget });
            app.send_if_match(Method::PUT, &path, Some(&token), Some(&body), Some(&tag)).await
        }
    };
    // The award moved the year to version 2.
    let raised = put(1_500, "\"2\"").await;
    assert_eq!((raised.status().as_u16(), etag(&raised)), (200, "\"3\"".to_owned()));
    assert_eq!(totals(&app, &admin.token, 2020).await, (1_500, 600, 900));
    let stale = put(2_000, "\"2\"").await;
    assert_problem(stale, 412, "version_conflict").await;
    // The last tetri the grants need stays; one fewer is refused, and nothing changes.
    let below = put(599, "*").await;
    let problem = assert_problem(below, 409, "budget_exceeded").await;
    assert_eq!(problem["granted_tetri"], 600);
    assert_eq!(totals(&app, &admin.token, 2020).await, (1_500, 600, 900));
    let exact = put(600, "*").await;
    assert_eq!(exact.status().as_u16(), 200);
    assert_eq!(totals(&app, &admin.token, 2020).await, (600, 600, 0));
    // JSON Schema's integer: 700.0 is the whole number 700; 700.5 is not one.
    let body = json!({ "budget_tetri": 700.0 });
    let whole = app.send_if_match(Method::PUT, &path, Some(&admin.token), Some(&body), Some("*")).await;
    assert_eq!(whole.status().as_u16(), 200);
    assert_eq!(totals(&app, &admin.token, 2020).await, (700, 600, 100));
    let body = json!({ "budget_tetri": 700.5 });
    let fraction = app.send_if_match(Method::PUT, &path, Some(&admin.token), Some(&body), Some("*")).await;
    assert_problem(fraction, 422, "validation_failed").await;
    let by_ngo = app
        .send_if_match(
            Method::PUT,
            &path,
            Some(&world.ngo_a.manager.token),
            Some(&json!({ "budget_tetri": 9 })),
            Some("*"),
        )
        .await;
    assert_problem(by_ngo, 403, "forbidden").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn r9_a_budget_lowered_while_an_award_races_it_never_ends_below_the_grants_twenty_times() {
    let app = TestApp::spawn_for_races().await;
    let world = app.world().await;
    let admin = world.admin.clone();
    for round in 0..20 {
        let year = 2060 + round;
        new_year(&app, &admin, year, 100).await;
        // Either the award of 60 lands first (and the budget of 50 is refused) or the budget does
        // (and the award is refused): never both.
        let lower = RaceRequest {
            token: admin.token.clone(),
            path: format!("{YEARS}/{year}"),
            body: json!({ "budget_tetri": 50 }),
            headers: vec![("If-Match".to_owned(), "*".to_owned())],
        };
        let answers = tests::race_methods(
            &app,
            vec![(Method::POST, racer(&admin.token, award(year, &world.ngo_a.id, 60))), (Method::PUT, lower)],
        )
        .await;
        let won = answers.iter().filter(|a| a.status == 200 || a.status == 201).count();
        let refused: Vec<_> = answers.iter().filter(|a| a.status == 409).collect();
        assert_eq!((won, refused.len()), (1, 1), "round {round}: {answers:?}");
        assert_eq!(refused[0].body["code"], "budget_exceeded", "round {round}");
        let (budget, granted, _) = totals(&app, &admin.token, year).await;
        assert!(granted <= budget, "round {round}: granted {granted} over budget {budget}");
        assert!((budget, granted) == (100, 60) || (budget, granted) == (50, 0), "round {round}: {budget} {granted}");
    }
}

#[tokio::test]
async fn a_grant_caps_what_it_pays_per_service_type_each_ceiling_within_the_grant() {
    // #11: optional ceilings per service type, shown with the grant in the catalogue's order.
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let admin = &world.admin;
    new_year(&app, admin, 2021, 1_000_000).await;
    let mut body = award(2021, &world.ngo_a.id, 500_000);
    body["ceilings"] = json!([
        { "service_type": "social_project", "amount_tetri": 200_000 },
        { "service_type": "medication", "amount_tetri": 500_000 },
    ]);
    let created = new_grant(&app, admin, &body).await;
    let expected = json!([
        { "service_type": "medication", "amount_tetri": 500_000 },
        { "service_type": "social_project", "amount_tetri": 200_000 },
    ]);
    assert_eq!(created["ceilings"], expected, "in the catalogue's order");
    let read = json(get(&app, &format!("{GRANTS}/{}", text(&created, "id")), &admin.token).await).await;
    assert_eq!(read["ceilings"], expected);
    let plain = new_grant(&app, admin, &award(2021, &world.ngo_b.id, 100)).await;
    assert_eq!(plain["ceilings"], json!([]));

    // Every problem at once: over the grant, twice the same type, information (S6), unknown type.
    let mut bad = award(2021, &world.ngo_b.id, 100);
    bad["ceilings"] = json!([
        { "service_type": "medication", "amount_tetri": 101 },
        { "service_type": "medication", "amount_tetri": 50 },
        { "service_type": "information", "amount_tetri": 10 },
        { "service_type": "yoga", "amount_tetri": 0 },
    ]);
    let answer = post(&app, GRANTS, &admin.token, &bad).await;
    let problem = assert_problem(answer, 422, "validation_failed").await;
    let mut found = field_errors(&problem);
    found.sort();
    let mut wanted: Vec<(String, String)> = [
        ("ceilings[0].amount_tetri", "ceiling_exceeds_grant"),
        ("ceilings[1].service_type", "duplicate_ceiling"),
        ("ceilings[2].service_type", "service_type_not_allowed"),
        ("ceilings[3].service_type", "unknown_service_type"),
        ("ceilings[3].amount_tetri", "out_of_range"),
    ]
    .iter()
    .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
    .collect();
    wanted.sort();
    // The edge refuses the unknown type and the range before the action sees the rest.
    let edge: Vec<(String, String)> = wanted.iter().filter(|(f, _)| f.starts_with("ceilings[3]")).cloned().collect();
    assert_eq!(found, edge, "{problem}");
    bad["ceilings"].as_array_mut().unwrap().pop();
    let answer = post(&app, GRANTS, &admin.token, &bad).await;
    let problem = assert_problem(answer, 422, "validation_failed").await;
    let mut found = field_errors(&problem);
    found.sort();
    let action: Vec<(String, String)> = wanted.into_iter().filter(|(f, _)| !f.starts_with("ceilings[3]")).collect();
    assert_eq!(found, action, "{problem}");
    assert_eq!(totals(&app, &admin.token, 2021).await, (1_000_000, 500_100, 499_900), "nothing written");
}
