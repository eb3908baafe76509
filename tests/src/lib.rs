//! The black-box harness: each test starts the real application on port 0 against its own
//! fresh database and talks HTTP to it.
//!
//! The backend is chosen by `TEST_DATABASE`: `sqlite` (default; a new file per test) or
//! `postgres` (a new database per test on `TEST_POSTGRES_URL`, default
//! `postgres://postgres@127.0.0.1:5432/postgres`, dropped when the test ends).

use std::path::PathBuf;

use api::config::{AuthArgs, DatabaseArgs, ServeArgs};
use api::startup::Application;
use diesel::RunQueryDsl;
use persistence::{DatabaseUrl, DbConnection};

pub mod identity;
pub mod private_postgres;
pub mod records;
pub mod registration;
pub mod services;

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The database behind one test; removed when dropped.
pub enum TestDatabase {
    Sqlite { dir: PathBuf },
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    /// Creates an empty database on the backend `TEST_DATABASE` names.
    pub fn create() -> Self {
        match std::env::var("TEST_DATABASE").as_deref() {
            Ok("postgres") => Self::create_on_postgres(
                &std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned()),
            ),
            Ok("sqlite") | Err(_) => {
                let dir = std::env::temp_dir().join(format!("reintegration-test-{}", uuid::Uuid::now_v7().simple()));
                std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
                TestDatabase::Sqlite { dir }
            }
            Ok(other) => panic!("TEST_DATABASE must be sqlite or postgres, not {other}"),
        }
    }

    /// Creates an empty database on the PostgreSQL server of `admin_url` (e.g. a
    /// [`private_postgres::PrivatePostgres`]), whatever `TEST_DATABASE` says.
    pub fn create_on_postgres(admin_url: &str) -> Self {
        let admin_url = without_tls_by_default(admin_url);
        let name = format!("reintegration_test_{}", uuid::Uuid::now_v7().simple());
        let mut admin = connect(&admin_url);
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .unwrap_or_else(|e| panic!("cannot create test database on {admin_url}: {e}"));
        TestDatabase::Postgres { admin_url, name }
    }

    /// Whether this run's tests are on PostgreSQL (`TEST_DATABASE=postgres`).
    pub fn postgres_selected() -> bool {
        std::env::var("TEST_DATABASE").as_deref() == Ok("postgres")
    }

    pub fn url(&self) -> String {
        match self {
            TestDatabase::Sqlite { dir } => format!("sqlite://{}", dir.join("test.db").display()),
            TestDatabase::Postgres { admin_url, name } => {
                let (path, query) = admin_url.split_once('?').map_or((admin_url.as_str(), ""), |(p, q)| (p, q));
                let base = path.rsplit_once('/').map_or(path, |(base, _)| base);
                if query.is_empty() { format!("{base}/{name}") } else { format!("{base}/{name}?{query}") }
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, TestDatabase::Postgres { .. })
    }

    /// A direct connection, for checking what the server stored.
    pub fn connect(&self) -> DbConnection {
        connect(&self.url())
    }

    /// Makes the database unreachable while the server runs (PostgreSQL: drop it, closing every
    /// connection; SQLite: there is no server to stop, so this returns false).
    pub fn take_down(&self) -> bool {
        match self {
            TestDatabase::Postgres { admin_url, name } => {
                let mut admin = connect(admin_url);
                diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .unwrap_or_else(|e| panic!("cannot drop {name}: {e}"));
                true
            }
            TestDatabase::Sqlite { .. } => false,
        }
    }
}

/// Test servers talk to PostgreSQL on loopback without TLS unless the URL asks for it: libpq
/// otherwise initialises OpenSSL, whose exit-time clean-up can crash a test process whose
/// server threads are still running (seen as SIGSEGV after all tests passed).
fn without_tls_by_default(url: &str) -> String {
    if url.contains("sslmode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&sslmode=disable")
    } else {
        format!("{url}?sslmode=disable")
    }
}

fn connect(url: &str) -> DbConnection {
    let url = DatabaseUrl::parse(url).unwrap_or_else(|e| panic!("bad test database URL {url}: {e}"));
    url.connect().unwrap_or_else(|e| panic!("cannot connect to {}: {e}", url.redacted()))
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match self {
            TestDatabase::Sqlite { dir } => {
                let _ = std::fs::remove_dir_all(dir);
            }
            TestDatabase::Postgres { admin_url, name } => {
                if let Ok(url) = DatabaseUrl::parse(admin_url)
                    && let Ok(mut admin) = url.connect()
                {
                    let _ =
                        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin);
                }
            }
        }
    }
}

/// A running application and a client for it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub database: TestDatabase,
    handle: actix_web::dev::ServerHandle,
    admin_token: tokio::sync::OnceCell<String>,
}

/// Options a test may change before the server starts.
pub fn serve_args(database_url: String) -> ServeArgs {
    ServeArgs {
        listen: "127.0.0.1:0".parse().unwrap_or_else(|e| panic!("{e}")),
        database: DatabaseArgs { database_url, db_pool_size: 4, db_pool_timeout_ms: 2000 },
        body_limit: 64 * 1024,
        workers: Some(1),
        shutdown_timeout: 5,
        drain_seconds: 0,
        demo: false,
        // #10: every answer of every black-box test is checked against the OpenAPI document.
        check_contract: true,
        auth: AuthArgs {
            jwt_signing_key_file: Some(identity::signing_key_file()),
            jwt_signing_kid: identity::SIGNING_KID.to_owned(),
            jwt_verify_keys: Vec::new(),
            jwt_issuer: "reintegration".to_owned(),
            jwt_audience: "reintegration-api".to_owned(),
            token_ttl: 900,
            login_max_failures: 5,
            trusted_proxies: Vec::new(),
            login_lockout_seconds: 60,
            rate_limit_per_minute: 0,
            principal_cache_seconds: 1,
            client_secret_overlap_hours: 24,
        },
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(configure: impl FnOnce(&mut ServeArgs)) -> Self {
        let database = TestDatabase::create();
        let mut args = serve_args(database.url());
        configure(&mut args);
        Self::start(database, &args).await
    }

    /// Starts a server on an existing database (e.g. a second start on the same file).
    pub async fn start(database: TestDatabase, args: &ServeArgs) -> Self {
        let (address, handle) = start_server(args).await;
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        Self { address, client, database, handle, admin_token: tokio::sync::OnceCell::new() }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client.post(self.url(path)).json(body).send().await.unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    /// Stops the server, letting in-flight requests finish, and hands back the database.
    pub async fn stop(self) -> TestDatabase {
        self.handle.stop(true).await;
        self.database
    }
}

/// Starts a server with `args` (another API node, when its database is already served) and
/// returns its base address and handle.
pub async fn start_server(args: &ServeArgs) -> (String, actix_web::dev::ServerHandle) {
    let app = Application::build(args).await.unwrap_or_else(|e| panic!("the application did not start: {e}"));
    let address = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    (address, handle)
}

/// Reads a body as JSON, failing the test with the body when it is not.
pub async fn json(response: reqwest::Response) -> serde_json::Value {
    let text = response.text().await.unwrap_or_else(|e| panic!("no body: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Asserts the response is a problem+json with this status and code, and returns it.
pub async fn assert_problem(response: reqwest::Response, status: u16, code: &str) -> serde_json::Value {
    assert_eq!(response.status().as_u16(), status, "status");
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let request_id =
        response.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let body = json(response).await;
    assert_eq!(content_type, "application/problem+json", "content type of {body}");
    assert_eq!(body["code"], code, "code of {body}");
    assert_eq!(body["status"], status, "status field of {body}");
    assert!(!request_id.is_empty(), "X-Request-Id header missing");
    assert_eq!(body["request_id"], request_id.as_str(), "request_id of {body}");
    assert!(body["type"].as_str().is_some_and(|t| t.ends_with(code)), "type of {body}");
    for key in ["title", "detail"] {
        assert!(body[key].as_str().is_some_and(|t| !t.is_empty()), "{key} of {body}");
    }
    body
}

/// Whether the text contains Georgian Mkhedruli letters (U+10D0–U+10FF).
pub fn has_mkhedruli(text: &str) -> bool {
    text.chars().any(|c| ('\u{10D0}'..='\u{10FF}').contains(&c))
}

/// A response header as text ("" when absent or not visible ASCII).
pub fn header(response: &reqwest::Response, name: &str) -> String {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

/// The UTC calendar date `offset_days` from now, as `YYYY-MM-DD`, from the system clock alone.
pub fn utc_date_from_today(offset_days: i64) -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_else(|e| panic!("clock before 1970: {e}"))
        .as_secs();
    let days = i64::try_from(seconds / 86_400).unwrap_or_else(|e| panic!("{e}")) + offset_days;
    civil_date(days)
}

/// `YYYY-MM-DD` of the day `days` after 1970-01-01 (proleptic Gregorian; H. Hinnant's algorithm).
pub fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(16_860), "2016-02-29");
        assert_eq!(civil_date(17_226), "2017-03-01");
        assert_eq!(civil_date(-1), "1969-12-31");
    }
}

/// One request of a [`race`].
pub struct RaceRequest {
    pub token: String,
    /// A path on the test's server, or a whole URL (another API node).
    pub path: String,
    pub body: serde_json::Value,
    pub headers: Vec<(String, String)>,
}

/// What a racer got back.
#[derive(Debug)]
pub struct RaceAnswer {
    pub status: u16,
    /// `Idempotent-Replayed`, "" when absent.
    pub replayed: String,
    pub body: serde_json::Value,
}

impl TestApp {
    /// A server for races: several workers and connections, so requests really overlap (#8.12).
    /// Race tests run on a multi-threaded runtime: `#[tokio::test(flavor = "multi_thread")]`.
    pub async fn spawn_for_races() -> std::sync::Arc<Self> {
        std::sync::Arc::new(
            Self::spawn_with(|args| {
                args.workers = Some(4);
                args.database.db_pool_size = 8;
            })
            .await,
        )
    }
}

/// Posts every request at the same moment: each from its own task (spread over the runtime's OS
/// threads) on its own, already open connection, released together by a barrier.
pub async fn race(app: &std::sync::Arc<TestApp>, requests: Vec<RaceRequest>) -> Vec<RaceAnswer> {
    race_methods(app, requests.into_iter().map(|r| (reqwest::Method::POST, r)).collect()).await
}

/// [`race`] with each request's own method.
pub async fn race_methods(
    app: &std::sync::Arc<TestApp>,
    requests: Vec<(reqwest::Method, RaceRequest)>,
) -> Vec<RaceAnswer> {
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(requests.len()));
    let mut tasks = Vec::new();
    for (method, request) in requests {
        let (app, barrier) = (std::sync::Arc::clone(app), std::sync::Arc::clone(&barrier));
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let _ = client.get(app.url("/health/live")).send().await;
            // A path goes to `app`; a whole URL to the node it names (several API nodes, one database).
            let url = if request.path.starts_with("http") { request.path.clone() } else { app.url(&request.path) };
            let mut builder = client.request(method, url).bearer_auth(&request.token).json(&request.body);
            for (name, value) in &request.headers {
                builder = builder.header(name, value);
            }
            barrier.wait().await;
            let response = builder.send().await.unwrap_or_else(|e| panic!("POST {}: {e}", request.path));
            let status = response.status().as_u16();
            let replayed = header(&response, "idempotent-replayed");
            RaceAnswer { status, replayed, body: json(response).await }
        }));
    }
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap_or_else(|e| panic!("a racer failed: {e}")));
    }
    answers
}
