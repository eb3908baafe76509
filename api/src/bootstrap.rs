//! `reintegration admin create`: the first administrator, in the ministry (created if missing),
//! through the same actions an administrator's requests run.

use application::ActionError;
use application::identity::create_user::{CreateUser, create_user, username_error};
use application::identity::ensure_ministry::ensure_ministry;
use domain::role::Role;
use persistence::models::identity::User;
use persistence::{Actor, Pool, StoreError, in_write_transaction};

use crate::auth::password;

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error("{0}")]
    Internal(String),
}

impl From<ActionError> for BootstrapError {
    fn from(error: ActionError) -> Self {
        match error {
            ActionError::Invalid(fields) => {
                BootstrapError::Invalid(fields.iter().map(|f| f.message.en.clone()).collect::<Vec<_>>().join("; "))
            }
            ActionError::Refused(refusal) => BootstrapError::Invalid(refusal.detail.en),
            ActionError::Store(store) => BootstrapError::Store(store),
            ActionError::Internal(what) => BootstrapError::Internal(what),
            ActionError::Forbidden => BootstrapError::Internal("the system may not do this".to_owned()),
        }
    }
}

pub fn create_admin(pool: &Pool, username: &str, full_name: &str, password: &str) -> Result<User, BootstrapError> {
    let username = username.trim().to_lowercase();
    if !(3..=64).contains(&username.len()) || username_error(&username).is_some() {
        return Err(BootstrapError::Invalid("the username must be 3-64 characters of a-z, 0-9, '.', '_', '-'".into()));
    }
    if full_name.trim().is_empty() {
        return Err(BootstrapError::Invalid("the full name is empty".into()));
    }
    if let Err(violations) = password::check_policy(password, &username) {
        let reasons: Vec<String> = violations.iter().map(|v| v.message().en).collect();
        return Err(BootstrapError::Invalid(format!("the password is refused: {}", reasons.join("; "))));
    }
    let password_hash = password::hash(password).map_err(|e| BootstrapError::Hashing(e.to_string()))?;
    let mut conn = pool.get()?;
    in_write_transaction(&mut conn, &Actor::System, None, |tx| {
        let organization_id = ensure_ministry(tx)?;
        let full_name = full_name.trim().to_owned();
        Ok(create_user(tx, CreateUser { username, full_name, role: Role::Admin, organization_id, password_hash })?)
    })
}
