//! Revoke a client.

use persistence::WriteTx;
use persistence::models::identity::ApiClient;

use crate::ActionError;
use crate::ClientId;

/// Revokes the client `id` at `expected_version`: no secret works any more and its live tokens
/// end (#8.4). R13: audited.
pub fn revoke_client(tx: &mut WriteTx<'_>, id: &ClientId, expected_version: i32) -> Result<ApiClient, ActionError> {
    let id = id.as_str();
    Ok(persistence::repo::clients::revoke(tx, id, expected_version)?)
}
