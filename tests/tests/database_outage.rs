#![allow(clippy::unwrap_used, clippy::expect_used)]
//! When PostgreSQL goes away and comes back (#8.16, #8.17): while it is down every request is a
//! `503 database_unavailable` with `Retry-After: 2` within the pool wait (`--db-pool-timeout-ms`),
//! never a 500 or a hang; after a restart the very first request succeeds, because a pooled
//! connection is checked before it is handed out and a dead one replaced.
//!
//! Each test runs its own PostgreSQL ([`PrivatePostgres`]) so stopping it disturbs no other test;
//! they run only under `TEST_DATABASE=postgres` (SQLite has no server to stop).

use std::time::{Duration, Instant};

use diesel::RunQueryDsl;
use persistence::StoreError;
use tests::private_postgres::PrivatePostgres;
use tests::{TestApp, TestDatabase, assert_problem, header, serve_args};

const USERS: &str = "/api/v1/users";

/// An application on a database of its own PostgreSQL server, or `None` on SQLite.
async fn app_on_private_postgres(pool_timeout_ms: u64) -> Option<(PrivatePostgres, TestApp)> {
    if !TestDatabase::postgres_selected() {
        eprintln!("skipped: needs TEST_DATABASE=postgres (a PostgreSQL server to stop and start)");
        return None;
    }
    let postgres = tokio::task::spawn_blocking(PrivatePostgres::start).await.unwrap();
    let database = TestDatabase::create_on_postgres(&postgres.admin_url());
    let mut args = serve_args(database.url());
    args.database.db_pool_timeout_ms = pool_timeout_ms;
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
    let Some((postgres, app)) = app_on_private_postgres(2000).await else { return };
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_postgresql_is_down_requests_are_503_with_retry_after_within_the_pool_wait() {
    let Some((postgres, app)) = app_on_private_postgres(1000).await else { return };
    let token = app.token().await;
    fill_the_pool(&app, &token).await;
    let postgres = tokio::task::spawn_blocking(move || {
        postgres.stop();
        postgres
    })
    .await
    .unwrap();

    for path in [USERS, "/api/v1/users/me", "/health/ready"] {
        let started = Instant::now();
        let response = app.client.get(app.url(path)).bearer_auth(&token).send().await.unwrap();
        let elapsed = started.elapsed();
        let retry_after = header(&response, "retry-after");
        let problem = assert_problem(response, 503, "database_unavailable").await;
        assert_eq!(retry_after, "2", "{path}: {problem}");
        // The pool waits 1 s for a connection; the margin is for a slow machine, not a hang.
        assert!(elapsed < Duration::from_secs(6), "{path} took {elapsed:?}");
        assert!(!problem.to_string().contains("connect"), "no internals: {problem}");
    }
    // A write fails the same way.
    let body = serde_json::json!({
        "name_ka": "ორგანიზაცია", "name_en": "Written while down", "legal_form": "ngo", "regions": ["GE-TB"],
    });
    let response =
        app.client.post(app.url("/api/v1/organizations")).bearer_auth(&token).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 503);

    let postgres = tokio::task::spawn_blocking(move || {
        postgres.start_again();
        postgres
    })
    .await
    .unwrap();
    assert_eq!(app.client.get(app.url(USERS)).bearer_auth(&token).send().await.unwrap().status(), 200);
    drop(app);
    drop(postgres);
}

/// #8.17: a connection the server closes under us (here `pg_terminate_backend`, as in a restart
/// or a failover) is reported as unavailable (503), not as a failed query (500).
#[tokio::test]
async fn a_connection_lost_mid_use_is_unavailable_not_a_failed_query() {
    if !TestDatabase::postgres_selected() {
        eprintln!("skipped: needs TEST_DATABASE=postgres (a server that can close a connection)");
        return;
    }
    let database = TestDatabase::create();
    let mut victim = database.connect();
    let pid: i32 = diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>("pg_backend_pid()"))
        .get_result(&mut victim)
        .unwrap();
    let mut other = database.connect();
    let terminated: bool =
        diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!("pg_terminate_backend({pid})")))
            .get_result(&mut other)
            .unwrap();
    assert!(terminated);
    std::thread::sleep(Duration::from_millis(200));

    let error = persistence::repo::audit::count(&mut victim).unwrap_err();
    assert!(matches!(error, StoreError::Unavailable(_)), "{error:?}");
    let error = persistence::in_write_transaction(&mut victim, &persistence::Actor::System, None, |tx| {
        persistence::repo::audit::count(tx.read()).map(|_| ())
    })
    .unwrap_err();
    assert!(matches!(error, StoreError::Unavailable(_)), "in a transaction: {error:?}");
}
