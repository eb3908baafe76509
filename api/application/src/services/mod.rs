//! Services S1–S4 on a case (R10, R11, R12): requested for an eligible, open case, approved or
//! rejected by a manager who is not the requester, delivered or cancelled. An approval is charged
//! to the NGO's grant for the year of the approval in one conditional statement (never below
//! zero, also when approvals race); a delivered cost above the approval needs a supplementary
//! approval of the difference; a cancellation, or a delivery below the approval, gives the rest back.
//!
//! - [`request_service`]: request a service with its per-type details.
//! - [`approve_service`]: approve it (R10, R12).
//! - [`reject_service`]: reject it (R12).
//! - [`approve_supplement`]: approve a delivered cost above the approval (R10, R12).
//! - [`deliver_service`]: record its delivery and actual cost (R10).
//! - [`cancel_service`]: cancel it, releasing what was approved.
//! - [`read_services`]: R11 on medical details, and the record of their reads.

pub mod approve_service;
pub mod approve_supplement;
pub mod cancel_service;
pub mod deliver_service;
pub mod read_services;
pub mod reject_service;
pub mod request_service;

use chrono::NaiveDate;
use domain::case::CaseStatus;
use domain::grant::MoneyError;
use domain::message::Message;
use domain::money::Tetri;
use domain::service::{ServiceAction, ServiceStatus, ServiceType, TransitionError, r12_four_eyes, transition};
use persistence::repo::services::{self, Charge, ServiceRecord};
use persistence::{DbConnection, StoreError, Visibility, WriteTx};
use serde_json::json;

use crate::{ActionError, ExpectedVersion, Principal, PrincipalKind, Refusal, RefusalCode};

/// The principal as the requester and decider columns record it: `(user, client)`.
pub(crate) fn principal_columns(principal: &Principal) -> (Option<String>, Option<String>) {
    match principal.kind {
        PrincipalKind::User => (Some(principal.id.clone()), None),
        PrincipalKind::Client => (None, Some(principal.id.clone())),
    }
}

/// The next status for `action` on the service by `principal`, or why not: `invalid_transition`
/// (409) from the wrong status, forbidden (403) for a role the step is not for.
pub(crate) fn next_status(
    record: &ServiceRecord,
    action: ServiceAction,
    principal: &Principal,
) -> Result<ServiceStatus, ActionError> {
    transition(record.service.status, action, principal.role).map_err(|error| match error {
        TransitionError::NotAllowedFromState { from, .. } => ActionError::from(
            Refusal::new(RefusalCode::InvalidTransition, error.message()).with("service_status", json!(from.as_str())),
        ),
        TransitionError::RoleNotAllowed { .. } => ActionError::Forbidden,
    })
}

/// R12: the principal who requested the service — person or NGO system — never decides it.
pub(crate) fn four_eyes(record: &ServiceRecord, principal: &Principal) -> Result<(), ActionError> {
    let service = &record.service;
    let requester = (service.requested_by_user_id.clone(), service.requested_by_client_id.clone());
    r12_four_eyes(&requester, &principal_columns(principal))
        .map_err(|error| Refusal::new(RefusalCode::FourEyes, error.message()).into())
}

/// A service is requested, and approved, only for an eligible case that is not closed.
pub(crate) fn case_takes_services(
    conn: &mut DbConnection,
    visibility: &Visibility,
    case_id: &str,
) -> Result<(), ActionError> {
    let case = persistence::repo::cases::get(conn, visibility, case_id)?;
    match case.status {
        CaseStatus::Eligible => Ok(()),
        CaseStatus::Closed => Err(Refusal::new(
            RefusalCode::CaseClosed,
            Message::new("დახურულ საქმეზე სერვისი არ გაიცემა", "A closed case takes no services"),
        )
        .into()),
        other => Err(Refusal::new(
            RefusalCode::CaseNotEligible,
            Message::new(
                format!("სერვისი გაიცემა მხოლოდ უფლებამოსილ საქმეზე; საქმის სტატუსია „{}“", other.as_str()),
                format!("Services are for eligible cases only; the case is {}", other.as_str()),
            ),
        )
        .with("case_status", json!(other.as_str()))
        .into()),
    }
}

/// The grant an approval on `today` is charged to (R10: the NGO's grant for the year of the
/// approval, running that day); `no_grant` when there is none.
pub(crate) fn grant_of_the_day(
    conn: &mut DbConnection,
    organization_id: &str,
    today: NaiveDate,
) -> Result<String, ActionError> {
    services::grant_for(conn, organization_id, today)?.map(|grant| grant.id).ok_or_else(|| {
        Refusal::new(
            RefusalCode::NoGrant,
            Message::new(
                format!("ორგანიზაციას {today}-ისთვის მოქმედი გრანტი არ აქვს (R10)"),
                format!("The organisation has no grant running on {today} (R10)"),
            ),
        )
        .into()
    })
}

/// R10, atomically: charges `amount` to the grant (and its ceiling for the type), or refuses with
/// `grant_exceeded` and what is left, to the tetri.
pub(crate) fn charge(
    tx: &mut WriteTx<'_>,
    grant_id: &str,
    service_type: ServiceType,
    amount: i64,
) -> Result<(), ActionError> {
    let exceeded = |remaining: i64, ceiling: bool| {
        let tetri = |v: i64| Tetri::try_from(v).unwrap_or(Tetri::ZERO);
        let error = MoneyError::GrantExceeded { requested: tetri(amount), available: tetri(remaining) };
        let mut refusal = Refusal::new(RefusalCode::GrantExceeded, error.message())
            .with("remaining_tetri", json!(remaining))
            .with("requested_tetri", json!(amount));
        if ceiling {
            refusal = refusal.with("ceiling_service_type", json!(service_type.code()));
        }
        ActionError::from(refusal)
    };
    match services::charge(tx, grant_id, service_type, amount)? {
        Charge::Charged => Ok(()),
        Charge::GrantExceeded { remaining } => Err(exceeded(remaining, false)),
        Charge::CeilingExceeded { remaining } => Err(exceeded(remaining, true)),
    }
}

/// The service the principal may see, at the version `If-Match` names (a stale one is refused
/// before anything else: the caller acted on what it no longer is), and that version.
pub(crate) fn visible(
    tx: &mut WriteTx<'_>,
    principal: &Principal,
    id: &str,
    expected: ExpectedVersion,
) -> Result<(ServiceRecord, i32), ActionError> {
    let record = services::get(tx.read(), &principal.visibility(), id)?;
    let current = record.service.version;
    let version = expected.or_current(current);
    if version != current {
        return Err(StoreError::StaleVersion { current }.into());
    }
    Ok((record, version))
}
