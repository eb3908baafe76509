//! Approve a requested service: by a manager who did not request it (R12), charged to the NGO's
//! grant for the year of the approval, never below zero (R10).

use chrono::NaiveDate;
use domain::codes;
use domain::message::Message;
use domain::money::Tetri;
use domain::service::ServiceAction;
use persistence::WriteTx;
use persistence::repo::services::{self, ServiceChange, ServiceRecord};

use super::{case_takes_services, charge, four_eyes, grant_of_the_day, next_status, principal_columns, visible};
use crate::{ActionError, ExpectedVersion, Principal, ServiceId};

/// Approves the service at `expected_version` on `today`, for `amount` (at most the requested
/// amount; `None`: the requested amount). The charge to the grant and its check are one
/// conditional statement, the transaction's last (R10: `grant_exceeded` with `remaining_tetri`;
/// `no_grant` when the NGO has no grant running today). R13: audited.
pub fn approve_service(
    tx: &mut WriteTx<'_>,
    principal: &Principal,
    id: &ServiceId,
    expected_version: impl Into<ExpectedVersion>,
    amount: Option<Tetri>,
    today: NaiveDate,
) -> Result<ServiceRecord, ActionError> {
    let (record, version) = visible(tx, principal, id.as_str(), expected_version.into())?;
    let status = next_status(&record, ServiceAction::Approve, principal)?;
    four_eyes(&record, principal)?;
    let service = &record.service;
    let approved = match amount {
        Some(amount) => amount.to_i64().ok_or_else(|| ActionError::corrupt("amount beyond a BIGINT"))?,
        None => service.requested_amount_tetri,
    };
    if approved > service.requested_amount_tetri {
        return Err(ActionError::field(
            "approved_amount_tetri",
            codes::EXCEEDS_REQUESTED,
            Message::new(
                format!("დასამტკიცებელი თანხა მოთხოვნილს ({}) აღემატება", service.requested_amount_tetri),
                format!("The approved amount exceeds the requested {} tetri", service.requested_amount_tetri),
            ),
        ));
    }
    case_takes_services(tx.read(), &principal.visibility(), &service.case_id)?;
    let grant_id = match approved {
        0 => None,
        _ => Some(grant_of_the_day(tx.read(), &service.organization_id, today)?),
    };
    let (user, client) = principal_columns(principal);
    let change = ServiceChange {
        status: Some(status.into()),
        grant_id: Some(grant_id.clone()),
        approved_amount_tetri: Some(approved),
        decided_by_user_id: Some(user),
        decided_by_client_id: Some(client),
        decided_at: Some(persistence::now_utc()),
        decided_on: Some(today),
        ..ServiceChange::default()
    };
    let approved_record = services::update(tx, &record, version, "approve", change)?;
    // The charge comes last: its UPDATE locks the grant's row (on PostgreSQL, until the commit),
    // and every approval on the grant queues on that lock, so it is held only for the charge and
    // the commit. A refusal rolls the whole transaction back, the change above included.
    if let Some(grant_id) = grant_id {
        charge(tx, &grant_id, record.service.service_type, approved)?;
    }
    Ok(approved_record)
}
