//! Revoke a client.

use persistence::WriteTx;
use persistence::models::identity::ApiClient;

use super::client_version;
use crate::ActionError;
use crate::ClientId;
use crate::ExpectedVersion;

/// Revokes the client `id` at `expected_version`: no secret works any more and its live tokens
/// end (#8.4). R13: audited.
pub fn revoke_client(
    tx: &mut WriteTx<'_>,
    id: &ClientId,
    expected_version: impl Into<ExpectedVersion>,
) -> Result<ApiClient, ActionError> {
    let id = id.as_str();
    let expected_version = client_version(tx.read(), id, expected_version.into())?;
    Ok(persistence::repo::clients::revoke(tx, id, expected_version)?)
}
