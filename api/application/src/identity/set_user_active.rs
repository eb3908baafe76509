//! Deactivate or reactivate a user.

use persistence::WriteTx;
use persistence::models::identity::User;

use super::user_version;
use domain::message::Message;

use crate::ExpectedVersion;
use crate::UserId;
use crate::{ActionError, Principal};

/// Deactivates (`active = false`) or reactivates the user `id` at `expected_version`; never the
/// caller's own account (`SelfLockout`). A
/// deactivated user cannot log in, and the deactivation ends their live tokens for good,
/// reactivated or not (#8.4). R13: audited.
pub fn set_user_active(
    tx: &mut WriteTx<'_>,
    principal: &Principal,
    id: &UserId,
    expected_version: impl Into<ExpectedVersion>,
    active: bool,
) -> Result<User, ActionError> {
    let id = id.as_str();
    if !active && principal.user_id() == Some(id) {
        return Err(super::self_lockout(Message::new(
            "საკუთარი ანგარიშის გათიშვა შეუძლებელია; ეს სხვა ადმინისტრატორმა უნდა გააკეთოს",
            "You cannot deactivate your own account; another administrator can",
        )));
    }
    let expected_version = user_version(tx.read(), id, expected_version.into())?;
    Ok(persistence::repo::users::set_active(tx, id, expected_version, active)?)
}
