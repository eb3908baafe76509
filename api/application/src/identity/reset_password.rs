//! An administrator's reset of a user's password.

use persistence::WriteTx;
use persistence::models::identity::User;

use super::user_version;
use crate::ActionError;
use crate::ExpectedVersion;
use crate::UserId;

/// Gives the user `id` (at `expected_version`) the temporary password of `temporary_hash`, which
/// they must change before anything else ("Temporary passwords"); their live tokens end (#8.4).
/// R13: the audit trail records the reset, never the hash.
pub fn reset_password(
    tx: &mut WriteTx<'_>,
    id: &UserId,
    expected_version: impl Into<ExpectedVersion>,
    temporary_hash: String,
) -> Result<User, ActionError> {
    let id = id.as_str();
    let expected_version = user_version(tx.read(), id, expected_version.into())?;
    Ok(persistence::repo::users::set_password(tx, id, expected_version, temporary_hash, true)?)
}
