//! Register an NGO's system (an API client).

use domain::codes;
use domain::message::{FieldError, Message};
use domain::organization::OrganizationKind;
use domain::role::Role;
use persistence::models::identity::ApiClient;
use persistence::repo::clients::NewClient;
use persistence::{StoreError, Visibility, WriteTx};

use crate::ActionError;
use crate::OrganizationId;

/// The client to register: its credentials generated and the secret hashed by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateClient {
    /// The NGO it acts for.
    pub organization_id: OrganizationId,
    /// What the system is, e.g. "Tolerant case-management system".
    pub name: String,
    /// The rights it acts with: an NGO role.
    pub role: Role,
    /// The `client_id` of the client-credentials grant.
    pub client_id: String,
    /// The secret's hash.
    pub secret_hash: String,
}

/// The role a client asks for: `ngo_caseworker` when none (the least right), `ngo_manager`,
/// nothing else (PROGRAM.md "Roles": NGO systems act as their NGO).
pub fn client_role(requested: Option<&str>) -> Result<Role, FieldError> {
    match requested {
        None => Ok(Role::NgoCaseworker),
        Some(text) => Role::parse(text).filter(|r| r.belongs_to_ngo()).ok_or_else(|| {
            FieldError::new(
                "role",
                codes::UNKNOWN_ROLE,
                Message::new("როლი: ngo_caseworker ან ngo_manager", "role must be ngo_caseworker or ngo_manager"),
            )
        }),
    }
}

/// Registers an active client of an NGO (R13: audited; the hash is never recorded). The
/// ministry has no systems: an organisation that is not an NGO is unknown here.
pub fn create_client(tx: &mut WriteTx<'_>, command: CreateClient) -> Result<ApiClient, ActionError> {
    let role = client_role(Some(command.role.as_str())).map_err(|e| ActionError::Invalid(vec![e]))?;
    match persistence::repo::organizations::get(tx.read(), &Visibility::All, command.organization_id.as_str()) {
        Ok(organization) if organization.organization.kind == OrganizationKind::Ngo => {}
        Ok(_) | Err(StoreError::NotFound) => {
            return Err(ActionError::field(
                "organization_id",
                codes::UNKNOWN_ORGANIZATION,
                Message::new("NGO ვერ მოიძებნა", "No such NGO"),
            ));
        }
        Err(other) => return Err(other.into()),
    }
    Ok(persistence::repo::clients::create(
        tx,
        NewClient {
            organization_id: command.organization_id.into_string(),
            client_id: command.client_id,
            name: command.name,
            role,
            secret_hash: command.secret_hash,
        },
    )?)
}
