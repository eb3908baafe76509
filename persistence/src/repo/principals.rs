//! Who is behind a verified token, as the database says now: a user or client deactivated, or
//! whose organisation was deactivated, after the token was issued no longer gets in.

use diesel::prelude::*;
use domain::organization::OrganizationKind;
use domain::role::Role;

use crate::schema::{api_clients, organizations, users};
use crate::stored::Stored;
use crate::{DbConnection, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalState {
    pub role: Role,
    pub organization_id: String,
    pub organization_kind: OrganizationKind,
    /// The user or client and its organisation are both active.
    pub active: bool,
    /// The principal's token generation: a token issued at another one is dead (#8.4).
    pub generation: i32,
    /// The organisation's token generation.
    pub organization_generation: i32,
    /// A user whose password an administrator reset: until it is changed, a token may only
    /// change it (#8.5). Always false for clients.
    pub must_change_password: bool,
}

type Row = (Stored<Role>, String, Stored<OrganizationKind>, bool, bool, i32, i32, bool);

fn state(row: Row) -> PrincipalState {
    let (
        role,
        organization_id,
        organization_kind,
        active,
        org_active,
        generation,
        organization_generation,
        must_change,
    ) = row;
    PrincipalState {
        role: role.0,
        organization_id,
        organization_kind: organization_kind.0,
        active: active && org_active,
        generation,
        organization_generation,
        must_change_password: must_change,
    }
}

pub fn user(conn: &mut DbConnection, id: &str) -> Result<Option<PrincipalState>, StoreError> {
    let row: Option<Row> = users::table
        .inner_join(organizations::table)
        .filter(users::id.eq(id))
        .select((
            users::role,
            users::organization_id,
            organizations::kind,
            users::active,
            organizations::active,
            users::token_generation,
            organizations::token_generation,
            users::must_change_password,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(state))
}

pub fn client(conn: &mut DbConnection, id: &str) -> Result<Option<PrincipalState>, StoreError> {
    let row: Option<Row> = api_clients::table
        .inner_join(organizations::table)
        .filter(api_clients::id.eq(id))
        .select((
            api_clients::role,
            api_clients::organization_id,
            organizations::kind,
            api_clients::active,
            organizations::active,
            api_clients::token_generation,
            organizations::token_generation,
            false.into_sql::<diesel::sql_types::Bool>(),
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(state))
}
