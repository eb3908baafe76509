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
            // #8.17: the connection was lost: the database is unavailable, not our bug. diesel
            // reports a PostgreSQL connection that went bad (or SQLSTATE class 08) as
            // ClosedConnection, and a command it could not even send on a dead connection (e.g.
            // the BEGIN of the next transaction) as UnableToSendCommand.
            DieselError::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                info,
            ) => StoreError::Unavailable(info.message().to_owned()),
            // A transaction whose rollback failed (its connection is gone) leaves this state.
            DieselError::BrokenTransactionManager => StoreError::Unavailable(error.to_string()),
            DieselError::RollbackErrorOnCommit { commit_error, rollback_error } => {
                match StoreError::from(*commit_error) {
                    StoreError::Unavailable(message) => {
                        StoreError::Unavailable(format!("{message}; rollback: {rollback_error}"))
                    }
                    other => other,
                }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn closed() -> DieselError {
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection,
            Box::new("server closed the connection".to_owned()),
        )
    }

    #[test]
    fn a_lost_connection_is_unavailable_not_a_failed_query() {
        assert!(matches!(StoreError::from(closed()), StoreError::Unavailable(_)));
        assert!(matches!(StoreError::from(DieselError::BrokenTransactionManager), StoreError::Unavailable(_)));
        let unsent = DieselError::DatabaseError(
            DatabaseErrorKind::UnableToSendCommand,
            Box::new("no connection to the server".to_owned()),
        );
        assert!(matches!(StoreError::from(unsent), StoreError::Unavailable(_)));
        let commit = DieselError::RollbackErrorOnCommit {
            commit_error: Box::new(closed()),
            rollback_error: Box::new(DieselError::BrokenTransactionManager),
        };
        assert!(matches!(StoreError::from(commit), StoreError::Unavailable(_)));
        let unknown = DieselError::DatabaseError(DatabaseErrorKind::Unknown, Box::new("syntax error".to_owned()));
        assert!(matches!(StoreError::from(unknown), StoreError::Query(_)));
    }
}
