//! `Idempotency-Key` on creates (API.md): the same key and body replay the first response; the
//! same key with another body is refused. The key is claimed in the create's own transaction,
//! so a retried create makes one record, also when two copies arrive at the same moment (the
//! primary key makes the second wait for the first and then fail, and it replays instead).

use diesel::prelude::*;

use crate::schema::idempotency_keys;
use crate::{DbConnection, StoreError, WriteTx, now_utc};

/// What a claimed key says about the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// First use: go ahead, then store the response.
    New,
    /// Seen with the same request: answer with the stored response.
    Replay { status: i32, body: String },
    /// Seen with a different request.
    Mismatch,
}

/// A stored first response, looked up outside the create's transaction.
pub fn stored(
    conn: &mut DbConnection,
    principal: &str,
    key: &str,
    request_hash: &str,
) -> Result<Option<Claim>, StoreError> {
    let row: Option<(String, Option<i32>, Option<String>)> = idempotency_keys::table
        .find((principal, key))
        .select((idempotency_keys::request_hash, idempotency_keys::response_status, idempotency_keys::response_body))
        .first(conn)
        .optional()?;
    Ok(row.map(|(hash, status, body)| match (hash == request_hash, status, body) {
        (false, _, _) => Claim::Mismatch,
        (true, Some(status), Some(body)) => Claim::Replay { status, body },
        // Claimed by a transaction that has not stored its response: it cannot be seen committed.
        (true, _, _) => Claim::Mismatch,
    }))
}

/// Claims `key` for this request inside the create's transaction.
pub fn claim(
    tx: &mut WriteTx<'_>,
    principal: &str,
    key: &str,
    request: (&str, &str, &str),
) -> Result<Claim, StoreError> {
    let (method, path, request_hash) = request;
    if let Some(existing) = stored(tx.conn(), principal, key, request_hash)? {
        return Ok(existing);
    }
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::principal.eq(principal),
            idempotency_keys::idempotency_key.eq(key),
            idempotency_keys::request_method.eq(method),
            idempotency_keys::request_path.eq(path),
            idempotency_keys::request_hash.eq(request_hash),
            idempotency_keys::created_at.eq(now_utc()),
        ))
        .execute(tx.conn())?;
    Ok(Claim::New)
}

/// Stores the first response with its claimed key, in the same transaction.
pub fn store_response(
    tx: &mut WriteTx<'_>,
    principal: &str,
    key: &str,
    status: i32,
    body: &str,
) -> Result<(), StoreError> {
    diesel::update(idempotency_keys::table.find((principal, key)))
        .set((idempotency_keys::response_status.eq(status), idempotency_keys::response_body.eq(body)))
        .execute(tx.conn())?;
    Ok(())
}
