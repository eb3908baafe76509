#![allow(clippy::unwrap_used, clippy::expect_used)]
//! When PostgreSQL restarts (#8.16): the very first request afterwards succeeds, because a pooled
//! connection is checked before it is handed out and a dead one replaced.
//!
//! Each test runs its own PostgreSQL ([`PrivatePostgres`]) so stopping it disturbs no other test;
//! they run only under `TEST_DATABASE=postgres` (SQLite has no server to stop).

use tests::private_postgres::PrivatePostgres;
use tests::{TestApp, TestDatabase, serve_args};

const USERS: &str = "/api/v1/users";

/// An application on a database of its own PostgreSQL server, or `None` on SQLite.
async fn app_on_private_postgres() -> Option<(PrivatePostgres, TestApp)> {
    if !TestDatabase::postgres_selected() {
        eprintln!("skipped: needs TEST_DATABASE=postgres (a PostgreSQL server to stop and start)");
        return None;
    }
    let postgres = tokio::task::spawn_blocking(PrivatePostgres::start).await.unwrap();
    let database = TestDatabase::create_on_postgres(&postgres.admin_url());
    let args = serve_args(database.url());
    let app = TestApp::start(database, &args).await;
    Some((postgres, app))
}

/// Several requests at once, so the pool holds more than one connection when the server stops.
async fn fill_the_pool(app: &TestApp, token: &str) {
    let request = || async { app.client.get(app.url(USERS)).bearer_auth(token).send().await.unwrap().status() };
    let statuses = tokio::join!(request(), request(), request(), request());
    assert_eq!([statuses.0, statuses.1, statuses.2, statuses.3].map(|s| s.as_u16()), [200; 4]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_postgresql_restart_the_first_request_succeeds() {
    let Some((postgres, app)) = app_on_private_postgres().await else { return };
    let token = app.token().await;
    fill_the_pool(&app, &token).await;

    let postgres = tokio::task::spawn_blocking(move || {
        postgres.stop();
        postgres.start_again(); // waits only until it accepts TCP; no API request in between
        postgres
    })
    .await
    .unwrap();

    let response = app.client.get(app.url(USERS)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), 200, "the first request after the restart: {}", response.text().await.unwrap());
    let response = app.client.get(app.url("/api/v1/users/me")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(app.get("/health/ready").await.status(), 200);
    drop(app);
    drop(postgres);
}
