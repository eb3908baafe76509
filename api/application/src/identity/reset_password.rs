//! An administrator's reset of a user's password.

use persistence::WriteTx;
use persistence::models::identity::User;

use crate::ActionError;
use crate::UserId;

/// Gives the user `id` (at `expected_version`) the temporary password of `temporary_hash`, which
/// they must change before anything else ("Temporary passwords"); their live tokens end (#8.4).
/// R13: the audit trail records the reset, never the hash.
pub fn reset_password(
    tx: &mut WriteTx<'_>,
    id: &UserId,
    expected_version: i32,
    temporary_hash: String,
) -> Result<User, ActionError> {
    let id = id.as_str();
    Ok(persistence::repo::users::set_password(tx, id, expected_version, temporary_hash, true)?)
}
