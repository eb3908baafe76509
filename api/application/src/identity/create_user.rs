//! Create a person who logs in, in an organisation that fits the role.

use domain::codes;
use domain::message::{FieldError, Message};
use domain::role::Role;
use persistence::WriteTx;
use persistence::models::identity::User;
use persistence::repo::users::NewUser;

use super::{check_role_fits_organization, name_taken};
use crate::ActionError;
use crate::OrganizationId;

/// Who to create: the password already hashed by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateUser {
    /// 3–64 characters of a–z, 0–9, `.`, `_`, `-`; stored lower-case.
    pub username: String,
    /// The person's name.
    pub full_name: String,
    /// What the user may do.
    pub role: Role,
    /// An NGO for the NGO roles, the ministry for the others.
    pub organization_id: OrganizationId,
    /// The password's hash (the caller checked the password policy and hashed it).
    pub password_hash: String,
}

/// A username of other characters than a–z, 0–9, `.`, `_` and `-` (its length is checked with
/// the request's other text fields).
pub fn username_error(username: &str) -> Option<FieldError> {
    let valid = username.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    (!valid).then(|| {
        FieldError::new(
            "username",
            codes::INVALID_USERNAME,
            Message::new("მხოლოდ a-z, 0-9, '.', '_' და '-'", "Only a-z, 0-9, '.', '_' and '-'"),
        )
    })
}

/// Creates an active user who need not change the password (R13: audited). A taken username
/// (whatever its case) is refused with [`crate::RefusalCode::NameTaken`].
pub fn create_user(tx: &mut WriteTx<'_>, command: CreateUser) -> Result<User, ActionError> {
    let username = command.username.to_lowercase();
    if let Some(error) = username_error(&username) {
        return Err(ActionError::Invalid(vec![error]));
    }
    check_role_fits_organization(tx.read(), command.role, command.organization_id.as_str())?;
    persistence::repo::users::create(
        tx,
        NewUser {
            organization_id: command.organization_id.into_string(),
            username,
            full_name: command.full_name,
            role: command.role,
            password_hash: command.password_hash,
            must_change_password: false,
        },
    )
    .map_err(|e| name_taken(e, Message::new("ეს მომხმარებლის სახელი დაკავებულია", "This username is taken")))
}
