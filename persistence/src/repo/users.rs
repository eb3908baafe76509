//! People who log in. Usernames are stored lower-case; hashes are written here and read only
//! for login, never serialised.

use diesel::prelude::*;
use domain::role::Role;

use crate::models::identity::User;
use crate::schema::{organizations, users};
use crate::write::expect_version;
use crate::{AuditEntry, DbConnection, Page, StoreError, Visibility, WriteTx, new_id, now_utc};

#[derive(Debug, Clone)]
pub struct NewUser {
    pub organization_id: String,
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub password_hash: String,
    pub must_change_password: bool,
}

pub fn create(tx: &mut WriteTx<'_>, new: NewUser) -> Result<User, StoreError> {
    let now = now_utc();
    let user = User {
        id: new_id(),
        organization_id: new.organization_id,
        username: new.username.to_lowercase(),
        full_name: new.full_name,
        role: new.role,
        password_hash: new.password_hash,
        active: true,
        version: 1,
        created_at: now,
        updated_at: now,
        must_change_password: new.must_change_password,
        token_generation: 0,
    };
    diesel::insert_into(users::table).values(user.clone()).execute(tx.conn())?;
    tx.audit(AuditEntry {
        action: "create",
        entity_type: "user",
        entity_id: user.id.clone(),
        before: None,
        after: Some(crate::write::snapshot(&user)?),
    })?;
    Ok(user)
}

/// One user, if the caller may see the user's organisation (R11).
pub fn get(conn: &mut DbConnection, visibility: &Visibility, id: &str) -> Result<User, StoreError> {
    let user = users::table.find(id).select(User::as_select()).first(conn)?;
    if visibility.allows(&user.organization_id) { Ok(user) } else { Err(StoreError::NotFound) }
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub organization_id: Option<String>,
    pub role: Option<String>,
    pub active: Option<bool>,
}

pub fn list(
    conn: &mut DbConnection,
    visibility: &Visibility,
    filter: &UserFilter,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<User>, StoreError> {
    let mut query = users::table.select(User::as_select()).order(users::id.asc()).into_boxed();
    if let Visibility::Organization(own) = visibility {
        query = query.filter(users::organization_id.eq(own.clone()));
    }
    if let Some(organization_id) = &filter.organization_id {
        query = query.filter(users::organization_id.eq(organization_id.clone()));
    }
    if let Some(role) = &filter.role {
        query = query.filter(users::role.eq(role.clone()));
    }
    if let Some(active) = filter.active {
        query = query.filter(users::active.eq(active));
    }
    if let Some(after) = after {
        query = query.filter(users::id.gt(after.to_owned()));
    }
    let rows = query.limit(i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1)).load(conn)?;
    Ok(Page::from_rows(rows, limit, |u| u.id.clone()))
}

/// The user of `username`, whether its organisation is active, and the organisation's token
/// generation (one read, so a token carries generations that belong together).
pub fn find_for_login(conn: &mut DbConnection, username: &str) -> Result<Option<(User, bool, i32)>, StoreError> {
    Ok(users::table
        .inner_join(organizations::table)
        .filter(users::username.eq(username.to_lowercase()))
        .select((User::as_select(), organizations::active, organizations::token_generation))
        .first(conn)
        .optional()?)
}

/// Applies `change` to the user at `expected_version`, bumps the version and records the
/// change (with `action`) in the audit trail.
fn change(
    tx: &mut WriteTx<'_>,
    id: &str,
    expected_version: i32,
    action: &'static str,
    change: impl FnOnce(&mut User),
) -> Result<User, StoreError> {
    let before = get(tx.conn(), &Visibility::All, id)?;
    expect_version(before.version, expected_version)?;
    let mut after = before.clone();
    change(&mut after);
    after.version = expected_version + 1;
    after.updated_at = now_utc();
    let updated = diesel::update(users::table.filter(users::id.eq(id)).filter(users::version.eq(expected_version)))
        .set((
            users::full_name.eq(&after.full_name),
            users::role.eq(after.role.as_str()),
            users::password_hash.eq(&after.password_hash),
            users::active.eq(after.active),
            users::must_change_password.eq(after.must_change_password),
            users::version.eq(after.version),
            users::updated_at.eq(after.updated_at),
            users::token_generation.eq(after.token_generation),
        ))
        .execute(tx.conn())?;
    tx.record_versioned_update(updated, (action, "user", id), &before, |conn| get(conn, &Visibility::All, id))
}

pub fn update(
    tx: &mut WriteTx<'_>,
    id: &str,
    expected_version: i32,
    full_name: String,
    role: Role,
) -> Result<User, StoreError> {
    change(tx, id, expected_version, "update", |user| {
        user.full_name = full_name;
        if user.role != role {
            // A token carries the role it was issued for: a new role needs a new login.
            user.token_generation += 1;
        }
        user.role = role;
    })
}

pub fn set_active(tx: &mut WriteTx<'_>, id: &str, expected_version: i32, active: bool) -> Result<User, StoreError> {
    change(tx, id, expected_version, if active { "activate" } else { "deactivate" }, |user| {
        if !active {
            // Reactivating later must not revive the tokens of before.
            user.token_generation += 1;
        }
        user.active = active;
    })
}

/// Stores a new password hash: the user's own change (`must_change = false`) or an
/// administrator's reset (`true`). The audit trail records that it happened, never the hash.
pub fn set_password(
    tx: &mut WriteTx<'_>,
    id: &str,
    expected_version: i32,
    password_hash: String,
    must_change: bool,
) -> Result<User, StoreError> {
    let action = if must_change { "password_reset" } else { "password_change" };
    change(tx, id, expected_version, action, |user| {
        user.password_hash = password_hash;
        user.must_change_password = must_change;
        // Sessions of the old password end.
        user.token_generation += 1;
    })
}

/// Whether any user exists (the demo refuses a database that holds real data).
pub fn any(conn: &mut DbConnection) -> Result<bool, StoreError> {
    Ok(users::table.count().get_result::<i64>(conn)? > 0)
}
