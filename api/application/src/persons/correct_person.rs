//! Correct a person: the holding NGO replaces the details (not the holder). R5 still holds: a
//! number another person holds is refused, naming that person's NGO.

use persistence::WriteTx;
use persistence::models::registration::Person;

use super::{PersonDetails, refuse_held_number};
use crate::{ActionError, Principal};
use crate::{ExpectedVersion, PersonId};

/// What to correct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrectPerson {
    /// The person, visible to the principal (R11).
    pub person_id: PersonId,
    /// The version the correction was made on.
    pub expected_version: ExpectedVersion,
    /// The person's details as they should be.
    pub details: PersonDetails,
}

/// Replaces the details of a person the principal may see, at the expected version (R13:
/// audited). #8.10: arrivals the airport recorded under a corrected number link to the person.
pub fn correct_person(
    tx: &mut WriteTx<'_>,
    principal: &Principal,
    command: CorrectPerson,
) -> Result<Person, ActionError> {
    let current = persistence::repo::persons::get(tx.read(), &principal.visibility(), command.person_id.as_str())?;
    refuse_held_number(tx.read(), principal, &command.details, Some(&current.id))?;
    let row = command.details.row(current.id, current.organization_id, persistence::now_utc());
    let person = persistence::repo::persons::update(tx, command.expected_version.or_current(current.version), row)?;
    persistence::repo::arrivals::link_unlinked(tx, person.personal_number.as_deref(), &person.id)?;
    Ok(person)
}
