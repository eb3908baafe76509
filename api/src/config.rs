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

    /// Seconds that in-flight requests get to finish after SIGTERM.
    #[arg(long, env = "REINTEGRATION_SHUTDOWN_TIMEOUT", default_value_t = 30)]
    pub shutdown_timeout: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum LogFormat {
    /// One JSON object per line (for log collectors).
    #[default]
    Json,
    /// Human-readable lines.
    Pretty,
}
