//! Running blocking diesel work off the async workers.

use actix_web::web;
use persistence::{Actor, DbConnection, Pool, RequestIds, WriteTx, in_write_transaction};

use crate::error::{ApiError, ErrorCode};

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
pub async fn write<T, F>(pool: &Pool, actor: Actor, request: RequestIds, work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut WriteTx<'_>) -> Result<T, ApiError> + Send + 'static,
{
    let pool = pool.clone();
    web::block(move || {
        let mut conn = pool.get()?;
        in_write_transaction(&mut conn, &actor, Some(&request), work)
    })
    .await?
}

/// [`write`] of one action as the caller: its principal acts, its request is audited.
pub async fn write_as<T, F>(
    pool: &Pool,
    caller: &crate::access::Caller,
    request: &actix_web::HttpRequest,
    work: F,
) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut WriteTx<'_>, &application::Principal) -> Result<T, application::ActionError> + Send + 'static,
{
    let who = (**caller).clone();
    write(pool, caller.actor(), crate::access::request_id(request), move |tx| Ok(work(tx, &who)?)).await
}

/// #8.9: a write that lost a race on a unique index answers as the sequential path would. Two
/// transactions can both pass a check such as R5's before either commits; the database then
/// refuses the second one's insert with a bare conflict. `explain` re-runs the checks on a fresh
/// connection, where the winner is visible now, and its error (e.g. `duplicate_person` naming
/// the NGO) replaces the bare conflict.
pub async fn explain_conflict<T, F>(pool: &Pool, result: Result<T, ApiError>, explain: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection) -> Result<(), ApiError> + Send + 'static,
{
    match result {
        Err(error) if error.code == ErrorCode::Conflict => match read(pool, explain).await {
            Err(explained) => Err(explained),
            Ok(()) => Err(error),
        },
        other => other,
    }
}
