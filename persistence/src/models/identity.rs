use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use domain::organization::OrganizationKind;
use domain::role::Role;

use crate::schema::{api_clients, organizations, users};
use crate::stored::Stored;

/// The ministry or an implementing NGO.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = organizations)]
pub struct Organization {
    pub id: String,
    #[diesel(deserialize_as = Stored<OrganizationKind>, serialize_as = Stored<OrganizationKind>)]
    pub kind: OrganizationKind,
    pub name_ka: String,
    pub name_en: String,
    pub legal_form: String,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
    pub active: bool,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Carried in its users' and clients' tokens; a deactivation adds one, ending them all.
    #[serde(skip)]
    pub token_generation: i32,
}

/// The fields an administrator may change on an organisation.
#[derive(Debug, Clone, AsChangeset, Serialize)]
#[diesel(table_name = organizations, treat_none_as_null = true)]
pub struct OrganizationChanges {
    pub name_ka: String,
    pub name_en: String,
    pub legal_form: String,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
}

/// A person who logs in. The password hash never leaves this crate's callers' hands as JSON:
/// it is skipped when the row is serialised (for the audit trail, for instance).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = users)]
pub struct User {
    pub id: String,
    pub organization_id: String,
    pub username: String,
    pub full_name: String,
    #[diesel(deserialize_as = Stored<Role>, serialize_as = Stored<Role>)]
    pub role: Role,
    #[serde(skip)]
    pub password_hash: String,
    pub active: bool,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub must_change_password: bool,
    /// Carried in the user's tokens; a deactivation, password change or reset, or role change
    /// adds one, ending every token issued before.
    #[serde(skip)]
    pub token_generation: i32,
}

/// An NGO's own system, authenticating with client credentials. Secret hashes are never
/// serialised.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = api_clients)]
pub struct ApiClient {
    pub id: String,
    pub organization_id: String,
    pub client_id: String,
    pub name: String,
    #[diesel(deserialize_as = Stored<Role>, serialize_as = Stored<Role>)]
    pub role: Role,
    #[serde(skip)]
    pub secret_hash: String,
    #[serde(skip)]
    pub previous_secret_hash: Option<String>,
    pub previous_secret_valid_until: Option<NaiveDateTime>,
    pub active: bool,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Carried in the client's tokens; a revocation adds one, ending every token issued before.
    #[serde(skip)]
    pub token_generation: i32,
}
