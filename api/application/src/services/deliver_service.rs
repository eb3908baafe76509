//! Record an approved service as delivered, with its actual cost (R10).

use chrono::NaiveDate;
use domain::codes;
use domain::grant::r10_delivery_excess;
use domain::message::{FieldError, Message};
use domain::money::Tetri;
use domain::service::ServiceAction;
use persistence::WriteTx;
use persistence::repo::services::{self, ServiceChange, ServiceRecord};
use serde_json::json;

use super::{next_status, visible};
use crate::error::FieldErrors;
use crate::{ActionError, ExpectedVersion, Principal, Refusal, RefusalCode, ServiceId};

/// A delivery to record.
#[derive(Debug, Clone)]
pub struct DeliverService {
    /// When it was delivered: not after today, not before the approval.
    pub delivered_on: NaiveDate,
    /// What it cost: at most the approval with its supplements (else `supplementary_approval_required`).
    pub actual_amount: Tetri,
    /// The delivery's document (an invoice, an act), if any.
    pub reference: Option<String>,
}

/// Delivers the service at `expected_version`. A cost above the approval is refused with
/// `supplementary_approval_required` and the `excess_tetri` to approve first (R10); a cost below
/// it gives the rest back to the grant. R13: audited.
pub fn deliver_service(
    tx: &mut WriteTx<'_>,
    principal: &Principal,
    id: &ServiceId,
    expected_version: impl Into<ExpectedVersion>,
    command: DeliverService,
    today: NaiveDate,
) -> Result<ServiceRecord, ActionError> {
    let (record, version) = visible(tx, principal, id.as_str(), expected_version.into())?;
    let status = next_status(&record, ServiceAction::Deliver, principal)?;
    let service = &record.service;
    let mut errors = FieldErrors::default();
    if command.delivered_on > today {
        errors.push(FieldError::new(
            "delivered_on",
            codes::DATE_IN_FUTURE,
            Message::new("მიწოდების თარიღი მომავალშია", "The delivery date is in the future"),
        ));
    }
    if service.decided_on.is_some_and(|approved| command.delivered_on < approved) {
        errors.push(FieldError::new(
            "delivered_on",
            codes::DELIVERED_BEFORE_APPROVAL,
            Message::new("მიწოდების თარიღი დამტკიცებამდეა", "The delivery date is before the approval"),
        ));
    }
    errors.finish()?;
    let approved = service.approved_amount_tetri.unwrap_or(0).saturating_add(service.supplementary_tetri);
    let actual = command.actual_amount.to_i64().ok_or_else(|| ActionError::corrupt("amount beyond a BIGINT"))?;
    let tetri = |v: i64| Tetri::try_from(v).unwrap_or(Tetri::ZERO);
    if let Some(excess) = r10_delivery_excess(tetri(approved), command.actual_amount) {
        return Err(Refusal::new(
            RefusalCode::SupplementRequired,
            Message::new(
                format!("ფაქტობრივი ხარჯი დამტკიცებულს {excess}-ით აღემატება: სხვაობას დამატებითი დამტკიცება სჭირდება (R10)"),
                format!("The actual cost exceeds the approval by {excess}: the difference needs a supplementary approval first (R10)"),
            ),
        )
        .with("excess_tetri", json!(excess.value()))
        .with("approved_tetri", json!(approved))
        .into());
    }
    if let Some(grant_id) = &service.grant_id {
        services::release(tx, grant_id, service.service_type, approved - actual)?;
    }
    let change = ServiceChange {
        status: Some(status.into()),
        delivered_amount_tetri: Some(actual),
        delivered_on: Some(command.delivered_on),
        delivery_reference: Some(command.reference),
        ..ServiceChange::default()
    };
    Ok(services::update(tx, &record, version, "deliver", change)?)
}
