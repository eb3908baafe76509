//! Request a service (S1–S4) for an eligible, open case of the principal's NGO.

use chrono::NaiveDate;
use domain::codes;
use domain::message::{FieldError, Message};
use domain::money::Tetri;
use domain::service::{ServiceStatus, ServiceType};
use persistence::WriteTx;
use persistence::repo::services::{self, Details, Service, ServiceRecord};
use serde_json::json;

use super::{case_takes_services, principal_columns};
use crate::error::FieldErrors;
use crate::{ActionError, CaseId, Principal, Refusal, RefusalCode};

/// A service to request.
#[derive(Debug, Clone)]
pub struct RequestService {
    /// The case it is for.
    pub case_id: CaseId,
    /// S1–S4 (shelter and information are refused: `service_type_not_allowed`).
    pub service_type: ServiceType,
    /// What it is expected to cost (S4: nothing unless a cost is recorded).
    pub requested_amount: Tetri,
    /// The request's document reference, if any.
    pub reference: Option<String>,
    /// The details of its type (validated at the edge to match the type); none for a type that
    /// is not requested on a case (refused as `service_type_not_allowed`).
    pub details: Option<Details>,
}

/// Requests the service on `today`, by the principal (who may then not decide it, R12). The case
/// must be visible (else not found), eligible (`case_not_eligible`) and not closed
/// (`case_closed`). R13: audited.
pub fn request_service(
    tx: &mut WriteTx<'_>,
    principal: &Principal,
    command: RequestService,
    today: NaiveDate,
) -> Result<ServiceRecord, ActionError> {
    let case = persistence::repo::cases::get(tx.read(), &principal.visibility(), command.case_id.as_str())?;
    if !command.service_type.requestable_on_case() {
        return Err(Refusal::new(
            RefusalCode::ServiceTypeNotAllowed,
            Message::new(
                format!(
                    "სერვისი „{}“ საქმეზე არ მოითხოვება (თავშესაფარი ეკუთვნის დაბრუნებას, ინფორმაცია ქვეყნდება)",
                    command.service_type.name_ka()
                ),
                format!(
                    "{} is not requested on a case (shelter hangs on the arrival, information is published)",
                    command.service_type.name_en()
                ),
            ),
        )
        .with("service_type", json!(command.service_type.code()))
        .into());
    }
    let details = command.details.ok_or_else(|| ActionError::Internal("a service without its details".to_owned()))?;
    let mut errors = FieldErrors::default();
    if let Details::Vocational(details) = &details
        && details.division_informed_on.is_some_and(|informed| informed > today)
    {
        errors.push(FieldError::new(
            "vocational.division_informed_on",
            codes::DATE_IN_FUTURE,
            Message::new("თარიღი მომავალშია", "The date is in the future"),
        ));
    }
    errors.finish()?;
    case_takes_services(tx.read(), &principal.visibility(), &case.id)?;
    let requested_amount_tetri =
        command.requested_amount.to_i64().ok_or_else(|| ActionError::corrupt("amount beyond a BIGINT"))?;
    let (id, now) = services::new_service_id();
    let (requested_by_user_id, requested_by_client_id) = principal_columns(principal);
    let service = Service {
        id,
        case_id: case.id,
        organization_id: case.organization_id,
        service_type: command.service_type,
        grant_id: None,
        status: ServiceStatus::Requested,
        requested_amount_tetri,
        approved_amount_tetri: None,
        supplementary_tetri: 0,
        delivered_amount_tetri: None,
        requested_by_user_id,
        requested_by_client_id,
        requested_at: now,
        requested_on: today,
        reference: command.reference,
        decided_by_user_id: None,
        decided_by_client_id: None,
        decided_at: None,
        decided_on: None,
        supplemented_by_user_id: None,
        supplemented_by_client_id: None,
        delivered_on: None,
        delivery_reference: None,
        closed_reason: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    Ok(services::create(tx, service, details)?)
}
