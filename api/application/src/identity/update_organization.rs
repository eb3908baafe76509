//! Replace an organisation's details.

use persistence::WriteTx;
use persistence::repo::organizations::OrganizationRecord;

use super::create_organization::organization_name_taken;
use super::organization_version;
use super::{OrganizationDetails, name_taken};
use crate::ActionError;
use crate::ExpectedVersion;
use crate::OrganizationId;

/// Replaces the details of the organisation `id` at `expected_version` (R13: audited).
pub fn update_organization(
    tx: &mut WriteTx<'_>,
    id: &OrganizationId,
    expected_version: impl Into<ExpectedVersion>,
    details: OrganizationDetails,
) -> Result<OrganizationRecord, ActionError> {
    let id = id.as_str();
    let expected_version = organization_version(tx.read(), id, expected_version.into())?;
    let (changes, regions) = details.into_changes()?;
    persistence::repo::organizations::update(tx, id, expected_version, changes, regions)
        .map_err(|e| name_taken(e, organization_name_taken()))
}
