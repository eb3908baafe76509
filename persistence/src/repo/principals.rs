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
    /// Tokens issued before this instant are dead (the later of the principal's and the
    /// organisation's).
    pub tokens_valid_after: Option<chrono::NaiveDateTime>,
}

type Row = (String, String, String, bool, bool, Option<chrono::NaiveDateTime>, Option<chrono::NaiveDateTime>);

fn state(row: Row) -> PrincipalState {
    let (role, organization_id, organization_kind, active, org_active, own_after, org_after) = row;
    PrincipalState {
        role,
        organization_id,
        organization_kind,
        active: active && org_active,
        tokens_valid_after: own_after.max(org_after),
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
            users::tokens_valid_after,
            organizations::tokens_valid_after,
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
            api_clients::tokens_valid_after,
            organizations::tokens_valid_after,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(state))
}
