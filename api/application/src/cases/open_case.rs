//! Open a case: the acting NGO registers a person's return to the program. R5: one live case
//! per return (the person and the return date) across all NGOs, whichever arrival record of the
//! return it names; the loser of a race is told as the sequential path would tell it.

use chrono::NaiveDate;
use domain::case::CaseStatus;
use domain::codes;
use domain::eligibility::input::registration_in_future;
use domain::message::{FieldError, Message};
use persistence::models::registration::{Case, CaseCopies};
use persistence::{DbConnection, StoreError, Visibility, WriteTx};
use serde_json::Value;

use super::{refuse_return_held_elsewhere, refuse_second_live_case};
use crate::error::FieldErrors;
use crate::{ActionError, Principal, Refusal, RefusalCode};
use crate::{ArrivalId, PersonId};

/// What to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCase {
    /// The person, registered already (by the acting NGO).
    pub person_id: PersonId,
    /// The return this registration is for.
    pub arrival_id: ArrivalId,
    /// Not before the return, not after today.
    pub registration_date: NaiveDate,
}

fn unknown(field: &str, what: &str) -> FieldError {
    FieldError::new(
        field,
        codes::UNKNOWN_REFERENCE,
        Message::new(format!("{what} ვერ მოიძებნა"), format!("No such {what}")),
    )
}

/// Opens the case, links the arrival to the person, and records both (R13).
pub fn open_case(
    tx: &mut WriteTx<'_>,
    principal: &Principal,
    command: OpenCase,
    today: NaiveDate,
) -> Result<Case, ActionError> {
    let visibility = principal.visibility();
    let mut errors = FieldErrors::default();
    if let Some(error) = registration_in_future(command.registration_date, today) {
        errors.push(error);
    }
    let person = match persistence::repo::persons::get(tx.read(), &visibility, command.person_id.as_str()) {
        Err(StoreError::NotFound) => {
            errors.push(unknown("person_id", "person"));
            None
        }
        other => Some(other?),
    };
    let arrival = match persistence::repo::arrivals::get(tx.read(), &visibility, command.arrival_id.as_str()) {
        Err(StoreError::NotFound) => {
            refuse_return_held_elsewhere(tx.read(), principal, command.arrival_id.as_str())?;
            errors.push(unknown("arrival_id", "arrival"));
            None
        }
        other => Some(other?),
    };
    // R5 first: a return that already has a live case is a conflict naming its NGO, whichever
    // arrival record of the return the case names.
    if let Some(arrival) = &arrival {
        refuse_second_live_case(tx.read(), principal, &arrival.arrival, person.as_ref().map(|p| p.id.as_str()))?;
    }
    if let (Some(person), Some(arrival)) = (&person, &arrival) {
        let a = &arrival.arrival;
        let other_person = a.person_id.as_ref().is_some_and(|p| *p != person.id)
            || (a.personal_number.is_some() && a.personal_number != person.personal_number);
        if other_person {
            errors.push(FieldError::new(
                "arrival_id",
                codes::ARRIVAL_OF_ANOTHER_PERSON,
                Message::new("ეს დაბრუნება სხვა პირისაა", "This arrival is another person's"),
            ));
        }
        if let Some(error) =
            domain::eligibility::input::registration_before_return(command.registration_date, a.arrival_date)
        {
            errors.push(error);
        }
    }
    errors.finish()?;
    let (Some(person), Some(arrival)) = (person, arrival) else {
        return Err(ActionError::Internal("references missing after validation".to_owned()));
    };
    if arrival.arrival.person_id.is_none()
        && let Some(existing) = persistence::repo::arrivals::same_return(
            tx.read(),
            None,
            Some(&person.id),
            arrival.arrival.arrival_date,
            Some(&arrival.arrival.id),
        )?
    {
        // #8.11: the person's return is recorded already; the case belongs on that record.
        return Err(Refusal::new(
            RefusalCode::DuplicateArrival,
            Message::new(
                "ამ პირის ეს დაბრუნება სხვა ჩანაწერითაა აღრიცხული; საქმე მასზე დაარეგისტრირეთ",
                "This return of the person is recorded as another arrival; register the case on it",
            ),
        )
        .with("arrival_id", Value::String(existing.id))
        .into());
    }
    persistence::repo::arrivals::link_person(tx, &arrival.arrival.id, &person.id)?;
    let now = persistence::now_utc();
    let copies = CaseCopies::of(&person, &arrival.arrival);
    Ok(persistence::repo::cases::create(
        tx,
        Case {
            id: persistence::new_id(),
            person_id: person.id,
            arrival_id: arrival.arrival.id,
            organization_id: principal.organization_id.clone(),
            registration_date: command.registration_date,
            status: CaseStatus::Open,
            close_reason: None,
            closed_on: None,
            version: 1,
            created_at: now,
            updated_at: now,
            copies,
        },
    )?)
}

/// #8.9: a registration that lost a race for the return (the unique index refused it) is told
/// what the sequential path would have said: the winner is visible now, so R5 names its NGO.
/// `Ok` when there is nothing to explain (the caller keeps the bare conflict).
pub fn explain_conflict(conn: &mut DbConnection, principal: &Principal, command: &OpenCase) -> Result<(), ActionError> {
    let arrival = persistence::repo::arrivals::get(conn, &Visibility::All, command.arrival_id.as_str())?;
    refuse_second_live_case(conn, principal, &arrival.arrival, Some(command.person_id.as_str()))
}
