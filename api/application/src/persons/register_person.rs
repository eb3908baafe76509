//! Register a person with the acting NGO. R5: one person per personal or permit number across
//! all NGOs; a number already held is refused, naming the NGO that holds it.

use persistence::models::registration::Person;
use persistence::{DbConnection, WriteTx};

use super::{PersonDetails, refuse_held_number};
use crate::{ActionError, Principal};

/// Registers the person, held by the principal's organisation, and links the arrivals recorded
/// under their personal number before they were known (R8). Audited (R13).
pub fn register_person(
    tx: &mut WriteTx<'_>,
    principal: &Principal,
    details: PersonDetails,
) -> Result<Person, ActionError> {
    refuse_held_number(tx.read(), principal, &details, None)?;
    let row = details.row(persistence::new_id(), principal.organization_id.clone(), persistence::now_utc());
    let person = persistence::repo::persons::create(tx, row)?;
    persistence::repo::arrivals::link_unlinked(tx, person.personal_number.as_deref(), &person.id)?;
    Ok(person)
}

/// #8.9: a registration that lost a race for the number (the unique index refused it) names the
/// NGO that won it, as the sequential path would. `Ok` when there is nothing to explain.
pub fn explain_conflict(
    conn: &mut DbConnection,
    principal: &Principal,
    details: &PersonDetails,
) -> Result<(), ActionError> {
    refuse_held_number(conn, principal, details, None)
}
