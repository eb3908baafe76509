//! Change a user's name and role.

use domain::role::Role;
use persistence::models::identity::User;
use persistence::{Visibility, WriteTx};

use super::check_role_fits_organization;
use domain::message::Message;

use crate::ExpectedVersion;
use crate::UserId;
use crate::{ActionError, Principal};

/// The user's new details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateUser {
    /// The person's name.
    pub full_name: String,
    /// The new role; it must fit the user's organisation.
    pub role: Role,
}

/// Changes the user `id` at `expected_version`. A new role ends the user's tokens, which carry
/// the role they were issued for (#8.4); never the caller's own role (`SelfLockout`). R13: audited.
pub fn update_user(
    tx: &mut WriteTx<'_>,
    principal: &Principal,
    id: &UserId,
    expected_version: impl Into<ExpectedVersion>,
    command: UpdateUser,
) -> Result<User, ActionError> {
    let id = id.as_str();
    let current = persistence::repo::users::get(tx.read(), &Visibility::All, id)?;
    if principal.user_id() == Some(id) && command.role != current.role {
        return Err(super::self_lockout(Message::new(
            "საკუთარი როლის შეცვლა შეუძლებელია; ეს სხვა ადმინისტრატორმა უნდა გააკეთოს",
            "You cannot change your own role; another administrator can",
        )));
    }
    let expected_version = expected_version.into().or_current(current.version);
    check_role_fits_organization(tx.read(), command.role, &current.organization_id)?;
    Ok(persistence::repo::users::update(tx, id, expected_version, command.full_name, command.role)?)
}
