//! Deactivate or reactivate a user.

use persistence::WriteTx;
use persistence::models::identity::User;

use super::user_version;
use crate::ActionError;
use crate::ExpectedVersion;
use crate::UserId;

/// Deactivates (`active = false`) or reactivates the user `id` at `expected_version`. A
/// deactivated user cannot log in, and the deactivation ends their live tokens for good,
/// reactivated or not (#8.4). R13: audited.
pub fn set_user_active(
    tx: &mut WriteTx<'_>,
    id: &UserId,
    expected_version: impl Into<ExpectedVersion>,
    active: bool,
) -> Result<User, ActionError> {
    let id = id.as_str();
    let expected_version = user_version(tx.read(), id, expected_version.into())?;
    Ok(persistence::repo::users::set_active(tx, id, expected_version, active)?)
}
