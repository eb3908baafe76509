//! Approve a supplement: a delivered cost above the approval needs a new approval of the
//! difference (R10), under the same four eyes (R12) and the same grant check.

use chrono::NaiveDate;
use domain::message::Message;
use domain::money::Tetri;
use domain::service::ServiceStatus;
use persistence::WriteTx;
use persistence::repo::services::{self, ServiceChange, ServiceRecord};
use serde_json::json;

use super::{charge, four_eyes, grant_of_the_day, principal_columns, visible};
use crate::{ActionError, ExpectedVersion, Principal, Refusal, RefusalCode, ServiceId};

/// Adds `amount` to what the approved service may cost, charged to the grant it was approved
/// against (for an approval of nothing, the NGO's grant running `today`) in one conditional
/// statement (R10: `grant_exceeded`). Only an approved service (`invalid_transition`), not by
/// its requester (R12: `four_eyes`). R13: audited as `approve_supplement`.
pub fn approve_supplement(
    tx: &mut WriteTx<'_>,
    principal: &Principal,
    id: &ServiceId,
    expected_version: impl Into<ExpectedVersion>,
    amount: Tetri,
    today: NaiveDate,
) -> Result<ServiceRecord, ActionError> {
    let (record, version) = visible(tx, principal, id.as_str(), expected_version.into())?;
    let service = &record.service;
    if service.status != ServiceStatus::Approved {
        return Err(Refusal::new(
            RefusalCode::InvalidTransition,
            Message::new(
                format!(
                    "დამატებითი დამტკიცება მხოლოდ დამტკიცებულ სერვისზეა შესაძლებელი; სტატუსია „{}“",
                    service.status.as_str()
                ),
                format!("Only an approved service takes a supplement; it is {}", service.status.as_str()),
            ),
        )
        .with("service_status", json!(service.status.as_str()))
        .into());
    }
    four_eyes(&record, principal)?;
    let amount = amount.to_i64().ok_or_else(|| ActionError::corrupt("amount beyond a BIGINT"))?;
    let grant_id = match &service.grant_id {
        Some(grant_id) => grant_id.clone(),
        None => grant_of_the_day(tx.read(), &service.organization_id, today)?,
    };
    charge(tx, &grant_id, service.service_type, amount)?;
    let (user, client) = principal_columns(principal);
    let change = ServiceChange {
        grant_id: Some(Some(grant_id)),
        supplementary_tetri: Some(service.supplementary_tetri.saturating_add(amount)),
        supplemented_by_user_id: Some(user),
        supplemented_by_client_id: Some(client),
        ..ServiceChange::default()
    };
    Ok(services::update(tx, &record, version, "approve_supplement", change)?)
}
