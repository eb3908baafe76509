//! NGO systems: API clients authenticating with client credentials (OAuth 2.0).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use domain::role::Role;

use crate::models::identity::ApiClient;
use crate::schema::{api_clients, organizations};
use crate::write::expect_version;
use crate::{AuditEntry, DbConnection, Page, StoreError, Visibility, WriteTx, new_id, now_utc};

#[derive(Debug, Clone)]
pub struct NewClient {
    pub organization_id: String,
    pub client_id: String,
    pub name: String,
    pub role: Role,
    pub secret_hash: String,
}

pub fn create(tx: &mut WriteTx<'_>, new: NewClient) -> Result<ApiClient, StoreError> {
    let now = now_utc();
    let client = ApiClient {
        id: new_id(),
        organization_id: new.organization_id,
        client_id: new.client_id,
        name: new.name,
        role: new.role,
        secret_hash: new.secret_hash,
        previous_secret_hash: None,
        previous_secret_valid_until: None,
        active: true,
        version: 1,
        created_at: now,
        updated_at: now,
        token_generation: 0,
    };
    diesel::insert_into(api_clients::table).values(client.clone()).execute(tx.conn())?;
    tx.audit(AuditEntry {
        action: "create",
        entity_type: "api_client",
        entity_id: client.id.clone(),
        before: None,
        after: Some(crate::write::snapshot(&client)?),
    })?;
    Ok(client)
}

pub fn get(conn: &mut DbConnection, visibility: &Visibility, id: &str) -> Result<ApiClient, StoreError> {
    let client = api_clients::table.find(id).select(ApiClient::as_select()).first(conn)?;
    if visibility.allows(&client.organization_id) { Ok(client) } else { Err(StoreError::NotFound) }
}

pub fn list(
    conn: &mut DbConnection,
    visibility: &Visibility,
    organization_id: Option<&str>,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<ApiClient>, StoreError> {
    let mut query = api_clients::table.select(ApiClient::as_select()).order(api_clients::id.asc()).into_boxed();
    if let Visibility::Organization(own) = visibility {
        query = query.filter(api_clients::organization_id.eq(own.clone()));
    }
    if let Some(organization_id) = organization_id {
        query = query.filter(api_clients::organization_id.eq(organization_id.to_owned()));
    }
    if let Some(after) = after {
        query = query.filter(api_clients::id.gt(after.to_owned()));
    }
    let rows = query.limit(i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1)).load(conn)?;
    Ok(Page::from_rows(rows, limit, |c| c.id.clone()))
}

/// The client behind a token request, with whether its organisation is active.
/// The client of `client_id`, whether its organisation is active, and the organisation's token
/// generation.
pub fn find_by_client_id(
    conn: &mut DbConnection,
    client_id: &str,
) -> Result<Option<(ApiClient, bool, i32)>, StoreError> {
    Ok(api_clients::table
        .inner_join(organizations::table)
        .filter(api_clients::client_id.eq(client_id))
        .select((ApiClient::as_select(), organizations::active, organizations::token_generation))
        .first(conn)
        .optional()?)
}

fn change(
    tx: &mut WriteTx<'_>,
    id: &str,
    expected_version: i32,
    action: &'static str,
    change: impl FnOnce(&mut ApiClient),
) -> Result<ApiClient, StoreError> {
    let before = get(tx.conn(), &Visibility::All, id)?;
    expect_version(before.version, expected_version)?;
    let mut after = before.clone();
    change(&mut after);
    after.version = expected_version + 1;
    after.updated_at = now_utc();
    let updated = diesel::update(
        api_clients::table.filter(api_clients::id.eq(id)).filter(api_clients::version.eq(expected_version)),
    )
    .set((
        api_clients::secret_hash.eq(&after.secret_hash),
        api_clients::previous_secret_hash.eq(&after.previous_secret_hash),
        api_clients::previous_secret_valid_until.eq(after.previous_secret_valid_until),
        api_clients::active.eq(after.active),
        api_clients::version.eq(after.version),
        api_clients::updated_at.eq(after.updated_at),
        api_clients::token_generation.eq(after.token_generation),
    ))
    .execute(tx.conn())?;
    tx.record_versioned_update(updated, (action, "api_client", id), &before, |conn| get(conn, &Visibility::All, id))
}

/// A new secret; the old one stays valid until `overlap_until`, so the NGO can roll it out.
pub fn rotate_secret(
    tx: &mut WriteTx<'_>,
    id: &str,
    expected_version: i32,
    new_secret_hash: String,
    overlap_until: NaiveDateTime,
) -> Result<ApiClient, StoreError> {
    change(tx, id, expected_version, "rotate_secret", |client| {
        client.previous_secret_hash = Some(std::mem::replace(&mut client.secret_hash, new_secret_hash));
        client.previous_secret_valid_until = Some(overlap_until);
    })
}

/// Revokes the client: no secret works any more, and its live tokens stop on their next request.
pub fn revoke(tx: &mut WriteTx<'_>, id: &str, expected_version: i32) -> Result<ApiClient, StoreError> {
    change(tx, id, expected_version, "revoke", |client| {
        client.active = false;
        client.token_generation += 1;
        client.previous_secret_hash = None;
        client.previous_secret_valid_until = None;
    })
}
