//! `reintegration admin create`: the first administrator, in the ministry (created if missing).

use persistence::models::identity::{OrganizationChanges, User};
use persistence::repo::{organizations, users};
use persistence::{Actor, Pool, StoreError, Visibility, WriteTx, in_write_transaction};

use crate::auth::password;
use crate::demo::{MINISTRY_EN, MINISTRY_KA};

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

pub fn create_admin(pool: &Pool, username: &str, full_name: &str, password: &str) -> Result<User, BootstrapError> {
    let username = username.trim().to_lowercase();
    let valid_name = (3..=64).contains(&username.len())
        && username.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if !valid_name {
        return Err(BootstrapError::Invalid("the username must be 3-64 characters of a-z, 0-9, '.', '_', '-'".into()));
    }
    if full_name.trim().is_empty() {
        return Err(BootstrapError::Invalid("the full name is empty".into()));
    }
    if let Err(violations) = password::check_policy(password, &username) {
        let reasons: Vec<String> = violations.iter().map(|v| v.message().en).collect();
        return Err(BootstrapError::Invalid(format!("the password is refused: {}", reasons.join("; "))));
    }
    let hash = password::hash(password).map_err(|e| BootstrapError::Hashing(e.to_string()))?;
    let mut conn = pool.get()?;
    in_write_transaction(&mut conn, &Actor::System, None, |tx| {
        let ministry = ensure_ministry(tx)?;
        Ok(users::create(
            tx,
            users::NewUser {
                organization_id: ministry,
                username: username.clone(),
                full_name: full_name.trim().to_owned(),
                role: "admin".to_owned(),
                password_hash: hash,
                must_change_password: false,
            },
        )?)
    })
}

/// The ministry's organisation id, creating the organisation on a fresh database.
pub fn ensure_ministry(tx: &mut WriteTx<'_>) -> Result<String, StoreError> {
    let page = organizations::list(tx.read(), &Visibility::All, None, None, 10_000)?;
    if let Some(existing) = page.items.iter().find(|o| o.organization.kind == "ministry") {
        return Ok(existing.organization.id.clone());
    }
    let created = organizations::create(
        tx,
        organizations::NewOrganization {
            kind: "ministry",
            changes: OrganizationChanges {
                name_ka: MINISTRY_KA.to_owned(),
                name_en: MINISTRY_EN.to_owned(),
                legal_form: "ministry".to_owned(),
                contact_email: Some("reintegration@mra.gov.ge".to_owned()),
                contact_phone: Some("+995 32 243 11 00".to_owned()),
                address: Some("15a Tamarashvili St., 0177 Tbilisi".to_owned()),
            },
            regions: Vec::new(),
        },
    )?;
    Ok(created.organization.id)
}
