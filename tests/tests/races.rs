#![allow(clippy::unwrap_used, clippy::expect_used)]
//! #8.9, #8.12: races that really race. Requests are sent from several OS threads (a
//! multi-threaded runtime), released together by a barrier, to a server with several workers and
//! connections. Every loser must get the answer the sequential path gives: the R5 conflict
//! naming the NGO that won, never a bare `conflict`.

use serde_json::{Value, json};
use tests::identity::text;
use tests::registration::{arrival, minimal_person, personal_number};
use tests::{RaceAnswer, RaceRequest, TestApp, race};

const RACERS: usize = 12;

fn post(token: &str, path: &str, body: Value) -> RaceRequest {
    RaceRequest { token: token.to_owned(), path: path.to_owned(), body, headers: Vec::new() }
}

/// Exactly one 201; every other answer is a 409 with `code`, naming `holder` under `registered_by`.
fn one_winner(answers: &[RaceAnswer], code: &str, holder: &str) -> Value {
    let winners: Vec<&Value> = answers.iter().filter(|a| a.status == 201).map(|a| &a.body).collect();
    assert_eq!(winners.len(), 1, "one winner: {answers:?}");
    for loser in answers.iter().filter(|a| a.status != 201) {
        assert_eq!((loser.status, loser.body["code"].as_str()), (409, Some(code)), "every loser: {loser:?}");
        assert_eq!(loser.body["registered_by"]["en"], holder, "the loser is told who won: {loser:?}");
    }
    winners[0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn r5_racing_registrations_of_one_person_by_two_ngos_all_lose_with_duplicate_person() {
    let app = TestApp::spawn_for_races().await;
    let world = app.world().await;
    for round in 0..3 {
        let number = personal_number(900 + round);
        let requests = (0..RACERS)
            .map(|i| {
                let ngo = if i % 2 == 0 { &world.ngo_a } else { &world.ngo_b };
                post(&ngo.caseworker.token, "/api/v1/persons", minimal_person(&number, "GE-TB"))
            })
            .collect();
        let answers = race(&app, requests).await;
        let winner = answers.iter().find(|a| a.status == 201).map(|a| text(&a.body, "organization_id"));
        let holder = if winner.as_deref() == Some(world.ngo_a.id.as_str()) { &world.ngo_a } else { &world.ngo_b };
        one_winner(&answers, "duplicate_person", &holder.name_en);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn r5_racing_cases_for_one_return_all_lose_with_duplicate_case() {
    let app = TestApp::spawn_for_races().await;
    let world = app.world().await;
    let a = world.ngo_a.caseworker.token.clone();
    for round in 0..3 {
        let number = personal_number(910 + round);
        let recorded =
            app.create_arrival(&world.airport.token, &arrival(Some(&number), "2017-03-01", &[], false)).await;
        let person = app.create_person(&a, &minimal_person(&number, "GE-TB")).await;
        let body = json!({ "person_id": text(&person, "id"), "arrival_id": text(&recorded, "id"), "registration_date": "2017-03-10" });
        let requests = (0..RACERS).map(|_| post(&a, "/api/v1/cases", body.clone())).collect();
        let answers = race(&app, requests).await;
        let winner = one_winner(&answers, "duplicate_case", &world.ngo_a.name_en);
        for loser in answers.iter().filter(|a| a.status == 409) {
            assert_eq!(
                loser.body["case_id"], winner["id"],
                "the holder's own caseworker is told which case: {loser:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn r5_racing_records_of_one_return_all_lose_with_duplicate_arrival() {
    let app = TestApp::spawn_for_races().await;
    let world = app.world().await;
    let number = personal_number(920);
    let requests = (0..RACERS)
        .map(|_| post(&world.airport.token, "/api/v1/arrivals", arrival(Some(&number), "2017-03-01", &[], false)))
        .collect();
    let answers = race(&app, requests).await;
    let winners: Vec<&Value> = answers.iter().filter(|a| a.status == 201).map(|a| &a.body).collect();
    assert_eq!(winners.len(), 1, "{answers:?}");
    for loser in answers.iter().filter(|a| a.status != 201) {
        assert_eq!((loser.status, loser.body["code"].as_str()), (409, Some("duplicate_arrival")), "{loser:?}");
        assert_eq!(loser.body["arrival_id"], winners[0]["id"], "{loser:?}");
    }
}
