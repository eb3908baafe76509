use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// What the store can tell its callers. The HTTP layer maps these in one place.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("record not found")]
    NotFound,
    /// The record changed since the caller read it (`If-Match` names an older version).
    #[error("the record has version {current}, not the expected one")]
    StaleVersion { current: i32 },
    /// A uniqueness or check constraint refused the write; the message names the constraint.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database cannot be reached (pool timeout, connection refused, broken connection).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Query(DieselError),
    #[error("stored data is not what the schema promises: {0}")]
    Corrupt(String),
}

impl From<DieselError> for StoreError {
    fn from(error: DieselError) -> Self {
        match error {
            DieselError::NotFound => StoreError::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                StoreError::Conflict(info.constraint_name().unwrap_or(info.message()).to_owned())
            }
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                StoreError::Unavailable(info.message().to_owned())
            }
            other => StoreError::Query(other),
        }
    }
}

impl From<diesel::r2d2::PoolError> for StoreError {
    fn from(error: diesel::r2d2::PoolError) -> Self {
        StoreError::Unavailable(error.to_string())
    }
}
