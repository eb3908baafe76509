//! Deactivate or reactivate an organisation.

use persistence::WriteTx;
use persistence::repo::organizations::OrganizationRecord;

use super::organization_version;
use crate::ActionError;
use crate::ExpectedVersion;
use crate::OrganizationId;

/// Deactivates (`active = false`) or reactivates the organisation `id` at `expected_version`.
/// Its data stays; while it is inactive its users and clients cannot log in, and a deactivation
/// ends their live tokens for good, reactivated or not (#8.4). R13: audited.
pub fn set_organization_active(
    tx: &mut WriteTx<'_>,
    id: &OrganizationId,
    expected_version: impl Into<ExpectedVersion>,
    active: bool,
) -> Result<OrganizationRecord, ActionError> {
    let id = id.as_str();
    let expected_version = organization_version(tx.read(), id, expected_version.into())?;
    Ok(persistence::repo::organizations::set_active(tx, id, expected_version, active)?)
}
