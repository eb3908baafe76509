//! Deactivate or reactivate a user.

use persistence::WriteTx;
use persistence::models::identity::User;

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
    let expected_version = match expected_version.into() {
        ExpectedVersion::Exactly(version) => version,
        ExpectedVersion::Any => persistence::repo::users::get(tx.read(), &persistence::Visibility::All, id)?.version,
    };
    Ok(persistence::repo::users::set_active(tx, id, expected_version, active)?)
}
