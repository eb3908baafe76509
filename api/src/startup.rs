//! Building and running the server: the same code path for the binary and the black-box tests.

use std::net::TcpListener;

use actix_web::dev::Server;
use actix_web::error::JsonPayloadError;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpRequest, HttpServer, web};
use application::identity::rotate_client_secret::SecretOverlap;
use domain::codes;
use domain::message::Message;
use persistence::{Actor, DatabaseUrl, Pool, PoolConfig, StoreError, in_write_transaction};
use utoipa_swagger_ui::SwaggerUi;

use crate::access::RateLimiter;
use crate::auth::address::TrustedProxies;
use crate::auth::cache::AuthCache;
use crate::auth::password::HashingPool;
use crate::config::{DatabaseArgs, ServeArgs};
use crate::contract::Contract;
use crate::error::{ApiError, ErrorCode};
use crate::shutdown::Draining;
use crate::{apidoc, middleware, routes};
use persistence::repo::throttle::ThrottlePolicy;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    DatabaseUrl(#[from] persistence::connection::DatabaseUrlError),
    #[error("database: {0}")]
    Database(#[from] StoreError),
    #[error("cannot listen: {0}")]
    Io(#[from] std::io::Error),
    #[error("start-up task failed: {0}")]
    Join(String),
    #[error("signing keys: {0}")]
    Keys(String),
    #[error("demo: {0}")]
    Demo(String),
}

/// Migrates the database and brings the reference data (regions, service catalogue) in line
/// with the rules. Safe to run on every start and from several nodes at once.
pub fn prepare_database(pool: &Pool) -> Result<(), StoreError> {
    let mut conn = pool.get()?;
    let applied = persistence::migrations::run_pending(&mut conn)?;
    if !applied.is_empty() {
        tracing::info!(migrations = ?applied, "applied migrations");
    }
    // #13: the events an older version wrote take their places in the hash chain, oldest first.
    let chained = persistence::chain::chain_unchained(&mut conn)?;
    if chained > 0 {
        tracing::info!(events = chained, "chained the audit events written before the hash chain");
    }
    let changed = in_write_transaction(&mut conn, &Actor::System, None, persistence::repo::reference::sync)?;
    if changed > 0 {
        tracing::info!(rows = changed, "loaded reference data");
    }
    Ok(())
}

/// The pool for `database`, with at most `pool_size` connections.
pub fn build_pool(database: &DatabaseArgs, pool_size: u32) -> Result<Pool, StartupError> {
    let url = DatabaseUrl::parse(&database.database_url)?;
    tracing::info!(database = %url.redacted(), backend = url.backend().as_str(), "database");
    let connection_timeout = std::time::Duration::from_millis(database.db_pool_timeout_ms.max(1));
    Ok(Pool::new(&url, &PoolConfig { max_size: pool_size, connection_timeout }))
}

pub struct Application {
    port: u16,
    server: Server,
    draining: Draining,
    drain: std::time::Duration,
}

impl Application {
    /// Connects, migrates, loads the reference data and binds the listener; the server runs
    /// when [`Application::run_until_stopped`] is awaited.
    pub async fn build(args: &ServeArgs) -> Result<Self, StartupError> {
        let pool = build_pool(&args.database, args.database.db_pool_size)?;
        let prepared = pool.clone();
        tokio::task::spawn_blocking(move || prepare_database(&prepared))
            .await
            .map_err(|e| StartupError::Join(e.to_string()))??;

        if args.demo {
            let demo_pool = pool.clone();
            tokio::task::spawn_blocking(move || crate::demo::load(&demo_pool))
                .await
                .map_err(|e| StartupError::Join(e.to_string()))??;
        }
        let tokens = web::Data::new(crate::auth_setup::tokens(&args.auth, pool.backend(), args.listen)?);
        let hashing = web::Data::new(HashingPool::default());
        let limiter = web::Data::new(RateLimiter::new(args.auth.rate_limit_per_minute));
        let auth_cache =
            web::Data::new(AuthCache::new(std::time::Duration::from_secs(args.auth.principal_cache_seconds)));
        let throttle = web::Data::new(ThrottlePolicy {
            max_failures: args.auth.login_max_failures.max(1),
            base_lock: chrono::Duration::seconds(args.auth.login_lockout_seconds.max(1)),
            ..ThrottlePolicy::default()
        });
        let proxies = web::Data::new(TrustedProxies(args.auth.trusted_proxies.clone()));
        let overlap =
            web::Data::new(SecretOverlap(chrono::Duration::hours(args.auth.client_secret_overlap_hours.max(0))));

        let blocking_threads = usize::try_from(pool.max_size()).unwrap_or(1) + HashingPool::default_limit();
        let listener = TcpListener::bind(args.listen)?;
        let port = listener.local_addr()?.port();
        let body_limit = args.body_limit;
        let draining = Draining::default();
        let draining_data = web::Data::new(draining.clone());
        // Without `--check-contract` the contract is empty and checks nothing.
        let contract = web::Data::new(if args.check_contract {
            Contract::from_document(&apidoc::document())
        } else {
            Contract::default()
        });
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(pool.clone()))
                .app_data(tokens.clone())
                .app_data(hashing.clone())
                .app_data(limiter.clone())
                .app_data(auth_cache.clone())
                .app_data(throttle.clone())
                .app_data(overlap.clone())
                .app_data(proxies.clone())
                .app_data(draining_data.clone())
                .app_data(contract.clone())
                .app_data(
                    web::JsonConfig::default().limit(body_limit).content_type_required(true).error_handler(json_error),
                )
                .app_data(web::PayloadConfig::new(body_limit))
                .wrap(from_fn(middleware::envelope))
                .configure(routes::configure)
                .service(web::resource("/openapi.json").route(web::get().to(openapi_json)))
                .service(
                    SwaggerUi::new("/docs/{_:.*}")
                        // No call to the online validator: the docs work with no internet.
                        .config(utoipa_swagger_ui::Config::new(["/openapi.json"]).validator_url("none")),
                )
                .service(web::resource("/docs").route(web::get().to(docs_redirect)))
                .default_service(web::to(not_found))
        })
        .listen(listener)?
        // A blocking thread waits for a connection or hashes a password: more threads than
        // connections and hashing slots would only wait, and each keeps memory.
        .worker_max_blocking_threads(blocking_threads)
        // #8.18: our own handler drains first (`crate::shutdown`); actix's would stop accepting
        // on the first signal.
        .disable_signals()
        .shutdown_timeout(args.shutdown_timeout);
        if let Some(workers) = args.workers {
            server = server.workers(workers.max(1));
        }
        tracing::info!(address = %args.listen, port, "listening");
        let drain = std::time::Duration::from_secs(args.drain_seconds);
        Ok(Self { port, server: server.run(), draining, drain })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGTERM or SIGINT and the drain after it (`crate::shutdown`); in-flight
    /// requests then get the shutdown timeout to finish. Also stops through [`Self::handle`].
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let signals = tokio::spawn(crate::shutdown::on_signal(self.server.handle(), self.draining, self.drain));
        let result = self.server.await;
        signals.abort();
        result
    }

    /// A handle to stop the server from a test.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }
}

/// The document, as committed in `openapi/openapi.json` (built once).
async fn openapi_json() -> actix_web::HttpResponse {
    static DOCUMENT: std::sync::LazyLock<String> = std::sync::LazyLock::new(apidoc::document_json);
    actix_web::HttpResponse::Ok().content_type("application/json").body(DOCUMENT.as_str())
}

async fn docs_redirect() -> actix_web::HttpResponse {
    actix_web::HttpResponse::PermanentRedirect().insert_header(("Location", "/docs/")).finish()
}

async fn not_found() -> Result<actix_web::HttpResponse, ApiError> {
    Err(ApiError::for_status(actix_web::http::StatusCode::NOT_FOUND))
}

/// Body errors as problems: 413 too large, 415 not JSON, 400 malformed JSON, 422 well-formed
/// JSON of the wrong shape.
fn json_error(error: JsonPayloadError, _request: &HttpRequest) -> actix_web::Error {
    let api_error = match &error {
        JsonPayloadError::Overflow { limit } | JsonPayloadError::OverflowKnownLength { limit, .. } => ApiError::new(
            ErrorCode::PayloadTooLarge,
            Message::new(
                format!("მოთხოვნის ზომის ზღვარია {limit} ბაიტი"),
                format!("The request body exceeds the limit of {limit} bytes"),
            ),
        ),
        JsonPayloadError::ContentType => ApiError::new(
            ErrorCode::UnsupportedMediaType,
            Message::new(
                "გამოიყენეთ Content-Type: application/json",
                "Send the body as Content-Type: application/json",
            ),
        ),
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            ApiError::validation(vec![domain::message::FieldError::new(
                "",
                codes::WRONG_TYPE,
                Message::new("მოთხოვნის სხეული უნდა იყოს JSON ობიექტი", "The request body must be a JSON object"),
            )])
        }
        JsonPayloadError::Deserialize(e) => ApiError::new(
            ErrorCode::MalformedRequest,
            Message::new(
                format!("JSON არასწორია (სტრიქონი {}, სვეტი {})", e.line(), e.column()),
                format!("The body is not valid JSON (line {}, column {})", e.line(), e.column()),
            ),
        ),
        _ => ApiError::new(
            ErrorCode::MalformedRequest,
            Message::new("მოთხოვნის სხეული ვერ წავიკითხეთ", "The request body could not be read"),
        ),
    };
    api_error.into()
}
