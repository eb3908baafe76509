//! An administrator's reset of a user's password.

use persistence::WriteTx;
use persistence::models::identity::User;

use super::user_version;
use domain::message::Message;

use crate::ExpectedVersion;
use crate::UserId;
use crate::{ActionError, Principal};

/// Gives the user `id` (at `expected_version`) the temporary password of `temporary_hash`, which
/// they must change before anything else ("Temporary passwords"); their live tokens end (#8.4).
/// R13: the audit trail records the reset, never the hash. Not the caller's own password, which
/// the caller changes knowing the current one (`SelfLockout`).
pub fn reset_password(
    tx: &mut WriteTx<'_>,
    principal: &Principal,
    id: &UserId,
    expected_version: impl Into<ExpectedVersion>,
    temporary_hash: String,
) -> Result<User, ActionError> {
    let id = id.as_str();
    if principal.user_id() == Some(id) {
        return Err(super::self_lockout(Message::new(
            "საკუთარი პაროლი შეცვალეთ POST /api/v1/users/me/password-ით",
            "Change your own password with POST /api/v1/users/me/password, not a reset",
        )));
    }
    let expected_version = user_version(tx.read(), id, expected_version.into())?;
    Ok(persistence::repo::users::set_password(tx, id, expected_version, temporary_hash, true)?)
}
