//! Cancel a requested or approved service; an approval's amount goes back to the grant.

use domain::service::ServiceAction;
use persistence::WriteTx;
use persistence::repo::services::{self, ServiceChange, ServiceRecord};

use super::{next_status, visible};
use crate::{ActionError, ExpectedVersion, Principal, ServiceId};

/// Cancels the service at `expected_version`, with a reason: a caseworker while it is
/// requested, a manager also once approved (releasing the approval and its supplements, R10).
/// R13: audited.
pub fn cancel_service(
    tx: &mut WriteTx<'_>,
    principal: &Principal,
    id: &ServiceId,
    expected_version: impl Into<ExpectedVersion>,
    reason: String,
) -> Result<ServiceRecord, ActionError> {
    let (record, version) = visible(tx, principal, id.as_str(), expected_version.into())?;
    let status = next_status(&record, ServiceAction::Cancel, principal)?;
    let service = &record.service;
    if let Some(grant_id) = &service.grant_id {
        services::release(tx, grant_id, service.service_type, service.committed_tetri())?;
    }
    let change = ServiceChange { status: Some(status.into()), closed_reason: Some(reason), ..ServiceChange::default() };
    Ok(services::update(tx, &record, version, "cancel", change)?)
}
