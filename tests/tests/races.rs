#![allow(clippy::unwrap_used, clippy::expect_used)]
//! #8.9, #8.12: races that really race. Requests are sent from several OS threads (a
//! multi-threaded runtime), released together by a barrier, to a server with several workers and
//! connections. Every loser must get the answer the sequential path gives: the R5 conflict
//! naming the NGO that won, never a bare `conflict`.

use std::sync::Arc;

use serde_json::{Value, json};
use tests::identity::text;
use tests::registration::{arrival, minimal_person, personal_number};
use tests::{TestApp, json};
use tokio::sync::Barrier;

const RACERS: usize = 12;

async fn racing_server() -> TestApp {
    TestApp::spawn_with(|args| {
        args.workers = Some(4);
        args.database.db_pool_size = 8;
    })
    .await
}

/// Sends every `(token, path, body)` at the same moment; returns each `(status, body)`.
async fn race(app: &Arc<TestApp>, requests: Vec<(String, String, Value)>) -> Vec<(u16, Value)> {
    let barrier = Arc::new(Barrier::new(requests.len()));
    let mut tasks = Vec::new();
    for (token, path, body) in requests {
        let (app, barrier) = (Arc::clone(app), Arc::clone(&barrier));
        tasks.push(tokio::spawn(async move {
            // A connection of its own, opened before the barrier, so the requests leave together.
            let client = reqwest::Client::new();
            let _ = client.get(app.url("/health/live")).send().await;
            barrier.wait().await;
            let response = client
                .post(app.url(&path))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let status = response.status().as_u16();
            (status, json(response).await)
        }));
    }
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap_or_else(|e| panic!("{e}")));
    }
    answers
}

/// Exactly one 201; every other answer is a 409 with `code`, naming `holder` under `registered_by`.
fn one_winner(answers: &[(u16, Value)], code: &str, holder: &str) -> Value {
    let winners: Vec<&Value> = answers.iter().filter(|(s, _)| *s == 201).map(|(_, b)| b).collect();
    assert_eq!(winners.len(), 1, "one winner: {answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != 201) {
        assert_eq!((*status, body["code"].as_str()), (409, Some(code)), "every loser: {body}");
        assert_eq!(body["registered_by"]["en"], holder, "the loser is told who won: {body}");
    }
    winners[0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn r5_racing_registrations_of_one_person_by_two_ngos_all_lose_with_duplicate_person() {
    let app = Arc::new(racing_server().await);
    let world = app.world().await;
    for round in 0..3 {
        let number = personal_number(900 + round);
        let requests = (0..RACERS)
            .map(|i| {
                let ngo = if i % 2 == 0 { &world.ngo_a } else { &world.ngo_b };
                (ngo.caseworker.token.clone(), "/api/v1/persons".to_owned(), minimal_person(&number, "GE-TB"))
            })
            .collect();
        let answers = race(&app, requests).await;
        let winner = answers.iter().find(|(s, _)| *s == 201).map(|(_, b)| text(b, "organization_id"));
        let holder = if winner.as_deref() == Some(world.ngo_a.id.as_str()) { &world.ngo_a } else { &world.ngo_b };
        one_winner(&answers, "duplicate_person", &holder.name_en);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn r5_racing_cases_for_one_return_all_lose_with_duplicate_case() {
    let app = Arc::new(racing_server().await);
    let world = app.world().await;
    let a = world.ngo_a.caseworker.token.clone();
    for round in 0..3 {
        let number = personal_number(910 + round);
        let recorded =
            app.create_arrival(&world.airport.token, &arrival(Some(&number), "2017-03-01", &[], false)).await;
        let person = app.create_person(&a, &minimal_person(&number, "GE-TB")).await;
        let body = json!({ "person_id": text(&person, "id"), "arrival_id": text(&recorded, "id"), "registration_date": "2017-03-10" });
        let requests = (0..RACERS).map(|_| (a.clone(), "/api/v1/cases".to_owned(), body.clone())).collect();
        let answers = race(&app, requests).await;
        let winner = one_winner(&answers, "duplicate_case", &world.ngo_a.name_en);
        for (_, loser) in answers.iter().filter(|(s, _)| *s == 409) {
            assert_eq!(loser["case_id"], winner["id"], "the holder's own caseworker is told which case: {loser}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn r5_racing_records_of_one_return_all_lose_with_duplicate_arrival() {
    let app = Arc::new(racing_server().await);
    let world = app.world().await;
    let number = personal_number(920);
    let requests = (0..RACERS)
        .map(|_| {
            (
                world.airport.token.clone(),
                "/api/v1/arrivals".to_owned(),
                arrival(Some(&number), "2017-03-01", &[], false),
            )
        })
        .collect();
    let answers = race(&app, requests).await;
    let winners: Vec<&Value> = answers.iter().filter(|(s, _)| *s == 201).map(|(_, b)| b).collect();
    assert_eq!(winners.len(), 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(s, _)| *s != 201) {
        assert_eq!((*status, body["code"].as_str()), (409, Some("duplicate_arrival")), "{body}");
        assert_eq!(body["arrival_id"], winners[0]["id"], "{body}");
    }
}
