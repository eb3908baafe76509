//! Configuration: flags over environment over defaults.

use std::net::SocketAddr;

use clap::{Args, ValueEnum};

pub const DEFAULT_DATABASE_URL: &str = "sqlite://reintegration.db";

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// `sqlite://FILE` (the default, zero setup) or `postgres://…` (production). Any other
    /// scheme is refused.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    pub database_url: String,

    /// Maximum connections in the pool (SQLite uses at most 4).
    #[arg(long, env = "REINTEGRATION_DB_POOL_SIZE", default_value_t = 10)]
    pub db_pool_size: u32,

    /// Milliseconds a request waits for a database connection before it is answered 503
    /// `database_unavailable` (#8.17): bounds the answer while the database is down.
    #[arg(long, env = "REINTEGRATION_DB_POOL_TIMEOUT_MS", default_value_t = 2000)]
    pub db_pool_timeout_ms: u64,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "REINTEGRATION_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    #[command(flatten)]
    pub database: DatabaseArgs,

    /// Largest accepted request body, in bytes; a larger one gets 413.
    #[arg(long, env = "REINTEGRATION_BODY_LIMIT", default_value_t = 256 * 1024)]
    pub body_limit: usize,

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "REINTEGRATION_WORKERS")]
    pub workers: Option<usize>,

    /// Seconds that in-flight requests get to finish once the server stops accepting (after the
    /// drain).
    #[arg(long, env = "REINTEGRATION_SHUTDOWN_TIMEOUT", default_value_t = 30)]
    pub shutdown_timeout: u64,

    /// Seconds the server keeps serving after SIGTERM or SIGINT while `/health/ready` answers
    /// 503 `shutting_down`, so a load balancer moves traffic away before the listener closes
    /// (#8.18). A second signal ends the drain at once.
    #[arg(long, env = "REINTEGRATION_DRAIN_SECONDS", default_value_t = 5)]
    pub drain_seconds: u64,

    /// Load the 2017 demo program (organisations, users, clients) into an empty database and
    /// print their credentials; refused against a database with real data.
    #[arg(long, env = "REINTEGRATION_DEMO")]
    pub demo: bool,

    /// Answer 500 instead of any status the OpenAPI document does not declare for the operation
    /// (for tests and fuzzing: a contract violation then fails loudly).
    #[arg(long, env = "REINTEGRATION_CHECK_CONTRACT", hide = true)]
    pub check_contract: bool,

    #[command(flatten)]
    pub auth: AuthArgs,
}

#[derive(Debug, Clone, Args)]
pub struct AuthArgs {
    /// PKCS#8 PEM file of the Ed25519 key that signs tokens. Without it a key is generated, which
    /// is allowed only on SQLite (a local demo) and logged as such.
    #[arg(long, env = "REINTEGRATION_JWT_SIGNING_KEY_FILE")]
    pub jwt_signing_key_file: Option<std::path::PathBuf>,

    /// The key id (`kid`) of the signing key.
    #[arg(long, env = "REINTEGRATION_JWT_SIGNING_KID", default_value = "primary")]
    pub jwt_signing_kid: String,

    /// Further keys whose tokens are accepted (rotation), as `kid=path/to/public.pem`,
    /// comma-separated in the environment.
    #[arg(long = "jwt-verify-key", env = "REINTEGRATION_JWT_VERIFY_KEYS", value_delimiter = ',')]
    pub jwt_verify_keys: Vec<String>,

    #[arg(long, env = "REINTEGRATION_JWT_ISSUER", default_value = "reintegration")]
    pub jwt_issuer: String,

    #[arg(long, env = "REINTEGRATION_JWT_AUDIENCE", default_value = "reintegration-api")]
    pub jwt_audience: String,

    /// Token lifetime in seconds.
    #[arg(long, env = "REINTEGRATION_TOKEN_TTL", default_value_t = 900)]
    pub token_ttl: u64,

    /// Failed logins for one account from one address before that pair is locked (429). An
    /// account is locked for addresses it never logged in from after 4× as many, an address
    /// for every account after 10× as many.
    #[arg(long, env = "REINTEGRATION_LOGIN_MAX_FAILURES", default_value_t = 5)]
    pub login_max_failures: i32,

    /// Proxies or load balancers in front of the API (addresses or CIDR blocks,
    /// comma-separated). From them, the client's address for login throttling is taken from
    /// `X-Forwarded-For`; from anyone else the header is ignored.
    #[arg(long, env = "REINTEGRATION_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<crate::auth::address::TrustedProxy>,

    /// The first lock's length in seconds; it doubles with each further failure, up to an hour.
    #[arg(long, env = "REINTEGRATION_LOGIN_LOCKOUT_SECONDS", default_value_t = 60)]
    pub login_lockout_seconds: i64,

    /// Requests per minute per user or client, counted on each API node (0: no limit).
    #[arg(long, env = "REINTEGRATION_RATE_LIMIT_PER_MINUTE", default_value_t = 600)]
    pub rate_limit_per_minute: u32,

    /// Seconds this node trusts what it last read of a user's or client's state (active, role,
    /// organisation). A change made through this node applies at once; one made through another
    /// node applies here within this time. 0: read it on every request.
    #[arg(long, env = "REINTEGRATION_PRINCIPAL_CACHE_SECONDS", default_value_t = 1)]
    pub principal_cache_seconds: u64,

    /// Hours a rotated-out client secret keeps working.
    #[arg(long, env = "REINTEGRATION_CLIENT_SECRET_OVERLAP_HOURS", default_value_t = 24)]
    pub client_secret_overlap_hours: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum LogFormat {
    /// One JSON object per line (for log collectors).
    #[default]
    Json,
    /// Human-readable lines.
    Pretty,
}
