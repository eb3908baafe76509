//! Correct an arrival: only its recorder (or the ministry) may. The personal number of an
//! arrival linked to a person follows the person; a number given to an unlinked arrival links it
//! as recording does. #8.10: a correction may not strand a case registered on the return.

use chrono::NaiveDate;
use domain::message::Message;
use persistence::repo::arrivals::ArrivalRecord;
use persistence::{StoreError, Visibility, WriteTx};
use serde_json::Value;

use super::{ArrivalDetails, as_read_by, person_by_number, refuse_second_record};
use crate::{ActionError, Principal, Refusal, RefusalCode};
use crate::{ArrivalId, ExpectedVersion};

/// What to correct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrectArrival {
    /// The arrival, visible to the principal (R11).
    pub arrival_id: ArrivalId,
    /// The version the correction was made on.
    pub expected_version: ExpectedVersion,
    /// The return's details as they should be.
    pub details: ArrivalDetails,
}

/// #8.10: a correction may not move the return after the registration of a live case on it
/// (R3 would make the case impossible to decide).
fn refuse_stranding_a_case(
    tx: &mut WriteTx<'_>,
    principal: &Principal,
    arrival_id: &str,
    date: NaiveDate,
) -> Result<(), ActionError> {
    let stranded = persistence::repo::cases::live_cases_registered_before(tx.read(), arrival_id, date)?;
    let Some(case) = stranded.first() else { return Ok(()) };
    let refusal = Refusal::new(
        RefusalCode::ArrivalHasCase,
        Message::new(
            format!(
                "საქმე რეგისტრირებულია {}-ში, ახალ დაბრუნების თარიღამდე; ჯერ დახურეთ საქმე",
                case.registration_date
            ),
            format!(
                "A case on this arrival was registered on {}, before the corrected return date; close it first",
                case.registration_date
            ),
        ),
    )
    .with("registration_date", Value::String(case.registration_date.to_string()));
    Err(if principal.visibility().allows(&case.organization_id) {
        refusal.with("case_id", Value::String(case.id.clone()))
    } else {
        refusal
    }
    .into())
}

/// The person the corrected arrival belongs to: a linked arrival keeps its person, and its
/// number may change only to the person's own; an unlinked one links as recording does.
fn person_of(
    tx: &mut WriteTx<'_>,
    principal: &Principal,
    current: &ArrivalRecord,
    details: &ArrivalDetails,
) -> Result<Option<String>, ActionError> {
    let Some(person_id) = &current.arrival.person_id else {
        return person_by_number(tx.read(), principal, details.personal_number());
    };
    let person = persistence::repo::persons::get(tx.read(), &Visibility::All, person_id)?;
    let number = details.personal_number();
    let unchanged = number == current.arrival.personal_number.as_deref()
        || (number.is_some() && number == person.personal_number.as_deref());
    if !unchanged {
        return Err(Refusal::new(
            RefusalCode::ArrivalLinkedToPerson,
            Message::new(
                "დაბრუნება პირთანაა დაკავშირებული: პირადი ნომერი პირის ჩანაწერში შეასწორეთ",
                "The arrival is linked to a person: correct the personal number on the person",
            ),
        )
        .with("person_id", Value::String(person_id.clone()))
        .into());
    }
    Ok(Some(person_id.clone()))
}

/// Replaces the details and periods of an arrival the principal recorded (or any, for the
/// ministry), at the expected version (R13: audited), as the principal will read it (R11).
pub fn correct_arrival(
    tx: &mut WriteTx<'_>,
    principal: &Principal,
    command: CorrectArrival,
) -> Result<ArrivalRecord, ActionError> {
    let visibility = principal.visibility();
    let current = persistence::repo::arrivals::get(tx.read(), &visibility, command.arrival_id.as_str())?;
    // Visible is not writable: an NGO reads the airport's arrivals but changes only its own.
    if !persistence::repo::arrivals::writable(&visibility, &current.arrival) {
        return Err(ActionError::Forbidden);
    }
    let expected_version = command.expected_version.or_current(current.arrival.version);
    if current.arrival.version != expected_version {
        return Err(StoreError::StaleVersion { current: current.arrival.version }.into());
    }
    let person_id = person_of(tx, principal, &current, &command.details)?;
    let id = current.arrival.id;
    refuse_stranding_a_case(tx, principal, &id, command.details.arrival_date)?;
    refuse_second_record(tx.read(), principal, &command.details, person_id.as_deref(), Some(&id))?;
    let record = command.details.record(id.clone(), person_id, principal, persistence::now_utc())?;
    let updated = persistence::repo::arrivals::update(tx, expected_version, record)?;
    as_read_by(tx.read(), principal, updated)
}
