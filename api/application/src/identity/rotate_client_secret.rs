//! Give a client a new secret, keeping the previous one valid for an overlap.

use chrono::Duration;
use persistence::WriteTx;
use persistence::models::identity::ApiClient;

use super::client_version;
use crate::ActionError;
use crate::ClientId;
use crate::ExpectedVersion;

/// How long a rotated-out secret keeps working, so the NGO can roll the new one out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretOverlap(pub Duration);

/// Stores the new secret's hash for the client `id` at `expected_version`; the previous secret
/// stays valid until now + `overlap`. R13: audited, never a hash.
pub fn rotate_client_secret(
    tx: &mut WriteTx<'_>,
    id: &ClientId,
    expected_version: impl Into<ExpectedVersion>,
    secret_hash: String,
    overlap: SecretOverlap,
) -> Result<ApiClient, ActionError> {
    let id = id.as_str();
    let expected_version = client_version(tx.read(), id, expected_version.into())?;
    let until = persistence::now_utc() + overlap.0;
    Ok(persistence::repo::clients::rotate_secret(tx, id, expected_version, secret_hash, until)?)
}
