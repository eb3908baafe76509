use diesel::connection::SimpleConnection;

use crate::{DbConnection, StoreError};

/// A round trip to the database, for `/health/ready`.
pub fn ping(conn: &mut DbConnection) -> Result<(), StoreError> {
    conn.batch_execute("SELECT 1").map_err(|e| StoreError::Unavailable(e.to_string()))
}
