//! Running blocking diesel work off the async workers.

use actix_web::web;
use persistence::{Actor, DbConnection, Pool, WriteTx, in_write_transaction};

use crate::error::ApiError;

/// Runs a read on a pooled connection in the blocking thread pool.
pub async fn read<T, F>(pool: &Pool, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
{
    let pool = pool.clone();
    web::block(move || {
        let mut conn = pool.get()?;
        work(&mut conn)
    })
    .await?
}

/// Runs one request's writes in one transaction, with its audit events (R13), off the async
/// workers. An error anywhere rolls everything back.
pub async fn write<T, F>(pool: &Pool, actor: Actor, request_id: String, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut WriteTx<'_>) -> Result<T, ApiError> + Send + 'static,
{
    let pool = pool.clone();
    web::block(move || {
        let mut conn = pool.get()?;
        in_write_transaction(&mut conn, &actor, Some(&request_id), work)
    })
    .await?
}
