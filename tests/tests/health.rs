#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `/health/live` and `/health/ready` (API.md "Resource map", "Errors": 503 with `Retry-After`).

use tests::{TestApp, assert_problem, header, json};

#[tokio::test]
async fn live_answers_200_without_a_token() {
    let app = TestApp::spawn().await;
    let response = app.get("/health/live").await;
    assert_eq!(response.status(), 200);
    assert!(header(&response, "content-type").starts_with("application/json"));
    assert_eq!(json(response).await["status"], "live");
}

#[tokio::test]
async fn ready_answers_200_and_names_the_backend_in_use() {
    let app = TestApp::spawn().await;
    let response = app.get("/health/ready").await;
    assert_eq!(response.status(), 200);
    let body = json(response).await;
    assert_eq!(body["status"], "ready");
    let expected = if app.database.is_postgres() { "postgres" } else { "sqlite" };
    assert_eq!(body["database"], expected, "{body}");
}

#[tokio::test]
async fn ready_is_a_503_with_retry_after_and_no_internals_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/health/ready").await.status(), 200, "ready before the database goes away");

    if !app.database.take_down() {
        assert!(!app.database.is_postgres(), "take_down refuses only on SQLite");
        eprintln!("skipped: SQLite has no database server to take down");
        return;
    }
    let database_name = app.database.url().rsplit('/').next().unwrap().to_owned();

    let response = app.client.get(app.url("/health/ready")).header("x-request-id", "probe-1").send().await.unwrap();
    let retry_after = header(&response, "retry-after");
    let problem = assert_problem(response, 503, "database_unavailable").await;
    assert!(retry_after.parse::<u32>().is_ok_and(|s| s > 0), "Retry-After: {retry_after:?}");
    // #8.7: the problem quotes our request id, never the client's.
    assert_ne!(problem["request_id"], "probe-1");
    let text = problem.to_string().to_lowercase();
    for secret in ["postgres", "connection", "database \"", "127.0.0.1", "5432", &database_name.to_lowercase()] {
        assert!(!text.contains(secret), "the problem shows {secret:?}: {problem}");
    }

    // Liveness says nothing about the database: the process still answers.
    assert_eq!(app.get("/health/live").await.status(), 200);
}
