#![allow(clippy::unwrap_used, clippy::expect_used)]
//! R7 under load: stays for one return booked at the same moment never add up to more than 4
//! nights. The arrival's running total is raised in one conditional statement that also locks
//! its row, so the second booking re-checks against the first (also across API nodes): two stays
//! that together need 5 nights — exactly one passes; ten stays — the nights granted never pass 4
//! and equal the stays recorded. 20 rounds per database, split between two API nodes.

use diesel::prelude::*;
use persistence::schema::{arrivals, shelter_stays};
use reqwest::Method;
use serde_json::json;
use tests::identity::text;
use tests::registration::{arrival, personal_number};
use tests::{RaceRequest, TestApp, race, serve_args, start_server};

const ROUNDS: u64 = 20;

/// `(check_in, check_out)` of each racer: all valid alone (R8's window), together too many.
const PAIR: [(&str, &str); 2] = [("2017-03-01", "2017-03-02"), ("2017-03-02", "2017-03-06")];
const TEN: [(&str, &str); 10] = [
    ("2017-03-01", "2017-03-02"),
    ("2017-03-02", "2017-03-04"),
    ("2017-03-01", "2017-03-04"),
    ("2017-03-02", "2017-03-06"),
    ("2017-03-01", "2017-03-03"),
    ("2017-03-02", "2017-03-03"),
    ("2017-03-01", "2017-03-05"),
    ("2017-03-02", "2017-03-05"),
    ("2017-03-01", "2017-03-02"),
    ("2017-03-02", "2017-03-04"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn r7_stays_booked_at_the_same_moment_never_pass_four_nights() {
    let app = TestApp::spawn_for_races().await;
    let mut args = serve_args(app.database.url());
    args.workers = Some(4);
    args.database.db_pool_size = 8;
    let (second_node, second) = start_server(&args).await;
    let admin = app.admin().await;
    let airport = app.user(&admin, domain::role::Role::MinistryOfficer, &admin.organization_id).await;
    let year = json!({ "year": 2017, "budget_tetri": 59_000_000 });
    assert_eq!(app.send(Method::POST, "/api/v1/program-years", Some(&admin.token), Some(&year)).await.status(), 201);
    for round in 0..ROUNDS {
        for (size, stays) in [("two", &PAIR[..]), ("ten", &TEN[..])] {
            let n = round * 100 + stays.len() as u64;
            let body = arrival(Some(&personal_number(n)), "2017-03-01", &[("2015-01-10", "2017-03-01")], true);
            let arrival_id = text(&app.create_arrival(&airport.token, &body).await, "id");
            let requests = stays
                .iter()
                .enumerate()
                .map(|(i, (check_in, check_out))| RaceRequest {
                    token: airport.token.clone(),
                    path: format!(
                        "{}/api/v1/arrivals/{arrival_id}/shelter-stays",
                        if i % 2 == 0 { "" } else { second_node.as_str() }
                    ),
                    body: json!({ "region_code": "GE-TB", "shelter_name": "Transit", "check_in": check_in, "check_out": check_out }),
                    headers: Vec::new(),
                })
                .collect();
            let answers = race(&app, requests).await;
            let granted: i64 =
                answers.iter().filter(|a| a.status == 201).map(|a| a.body["nights"].as_i64().unwrap()).sum();
            for refused in answers.iter().filter(|a| a.status != 201) {
                assert_eq!(
                    (refused.status, refused.body["code"].as_str()),
                    (409, Some("shelter_nights_exceeded")),
                    "round {round}, {size}: {}",
                    refused.body
                );
            }
            let passed = answers.iter().filter(|a| a.status == 201).count();
            assert!(passed >= 1 && granted <= 4, "round {round}, {size}: {passed} stays, {granted} nights");
            if size == "two" {
                assert_eq!(passed, 1, "round {round}: exactly one of two stays needing 5 nights");
            }
            let mut conn = app.database.connect();
            let held: i32 =
                arrivals::table.find(&arrival_id).select(arrivals::shelter_nights).first(&mut conn).unwrap();
            let stored: Vec<(chrono::NaiveDate, chrono::NaiveDate)> = shelter_stays::table
                .filter(shelter_stays::arrival_id.eq(&arrival_id))
                .select((shelter_stays::check_in, shelter_stays::check_out))
                .load(&mut conn)
                .unwrap();
            let stored_nights: i64 = stored.iter().map(|(a, b)| (*b - *a).num_days()).sum();
            assert_eq!(
                (i64::from(held), stored_nights),
                (granted, granted),
                "round {round}, {size}: running total vs stays"
            );
        }
    }
    second.stop(true).await;
}
