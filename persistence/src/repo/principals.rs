//! Who is behind a verified token, as the database says now: a user or client deactivated, or
//! whose organisation was deactivated, after the token was issued no longer gets in.

use diesel::prelude::*;

use crate::schema::{api_clients, organizations, users};
use crate::{DbConnection, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalState {
    pub role: String,
    pub organization_id: String,
    pub organization_kind: String,
    /// The user or client and its organisation are both active.
    pub active: bool,
}

pub fn user(conn: &mut DbConnection, id: &str) -> Result<Option<PrincipalState>, StoreError> {
    let row: Option<(String, String, String, bool, bool)> = users::table
        .inner_join(organizations::table)
        .filter(users::id.eq(id))
        .select((users::role, users::organization_id, organizations::kind, users::active, organizations::active))
        .first(conn)
        .optional()?;
    Ok(row.map(|(role, organization_id, organization_kind, active, org_active)| PrincipalState {
        role,
        organization_id,
        organization_kind,
        active: active && org_active,
    }))
}

pub fn client(conn: &mut DbConnection, id: &str) -> Result<Option<PrincipalState>, StoreError> {
    let row: Option<(String, String, String, bool, bool)> = api_clients::table
        .inner_join(organizations::table)
        .filter(api_clients::id.eq(id))
        .select((
            api_clients::role,
            api_clients::organization_id,
            organizations::kind,
            api_clients::active,
            organizations::active,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(role, organization_id, organization_kind, active, org_active)| PrincipalState {
        role,
        organization_id,
        organization_kind,
        active: active && org_active,
    }))
}
