//! Reject a requested service: by a manager who did not request it (R12).

use chrono::NaiveDate;
use domain::service::ServiceAction;
use persistence::WriteTx;
use persistence::repo::services::{self, ServiceChange, ServiceRecord};

use super::{four_eyes, next_status, principal_columns, visible};
use crate::{ActionError, ExpectedVersion, Principal, ServiceId};

/// Rejects the service at `expected_version` on `today`, with a reason. R13: audited.
pub fn reject_service(
    tx: &mut WriteTx<'_>,
    principal: &Principal,
    id: &ServiceId,
    expected_version: impl Into<ExpectedVersion>,
    reason: String,
    today: NaiveDate,
) -> Result<ServiceRecord, ActionError> {
    let (record, version) = visible(tx, principal, id.as_str(), expected_version.into())?;
    let status = next_status(&record, ServiceAction::Reject, principal)?;
    four_eyes(&record, principal)?;
    let (user, client) = principal_columns(principal);
    let change = ServiceChange {
        status: Some(status.into()),
        decided_by_user_id: Some(user),
        decided_by_client_id: Some(client),
        decided_at: Some(persistence::now_utc()),
        decided_on: Some(today),
        closed_reason: Some(reason),
        ..ServiceChange::default()
    };
    Ok(services::update(tx, &record, version, "reject", change)?)
}
