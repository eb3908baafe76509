//! The only crate that knows SQL: the portable schema, row models, queries and the embedded
//! migrations for SQLite (the zero-setup default) and PostgreSQL (production).
//!
//! Functions here take `&mut DbConnection` (reads) or `&mut WriteTx` (writes, which record their
//! audit event in the same transaction, R13) and return [`StoreError`], never an HTTP type.

pub mod chain;
pub mod connection;
pub mod error;
pub mod migrations;
pub mod models;
pub mod repo;
pub mod schema;
pub mod stored;
pub mod visibility;
pub mod write;

pub use connection::{Backend, DatabaseUrl, DbConnection, Pool, PoolConfig, PooledConnection};
pub use error::StoreError;
pub use visibility::{Page, Visibility};
pub use write::{Actor, AuditEntry, RequestIds, WriteTx, in_write_transaction};

/// Generates a new server-side identifier (UUIDv7: time-ordered, API.md "Shape").
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The current instant in UTC, as stored in `TIMESTAMP` columns: to the microsecond, which
/// both backends keep exactly, so a record reads back as it was written.
pub fn now_utc() -> chrono::NaiveDateTime {
    use chrono::{DurationRound, TimeDelta};
    let now = chrono::Utc::now().naive_utc();
    now.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(now)
}
