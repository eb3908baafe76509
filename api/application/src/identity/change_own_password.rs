//! A user chooses their own password.

use persistence::StoreError;
use persistence::WriteTx;
use persistence::models::identity::User;

use crate::{ActionError, Principal};

/// The new password, hashed by the caller after it checked the current one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeOwnPassword {
    /// The version of the user the current password was checked against.
    pub expected_version: i32,
    /// The new password's hash.
    pub password_hash: String,
}

/// Stores the acting user's new password; it no longer needs changing, and the tokens of the old
/// one end (#8.4). An NGO system is no user: not found. R13: audited, never the hash.
pub fn change_own_password(
    tx: &mut WriteTx<'_>,
    principal: &Principal,
    command: ChangeOwnPassword,
) -> Result<User, ActionError> {
    let user_id = principal.user_id().ok_or(StoreError::NotFound)?;
    Ok(persistence::repo::users::set_password(tx, user_id, command.expected_version, command.password_hash, false)?)
}
