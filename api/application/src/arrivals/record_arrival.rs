//! Record a return. A personal number that a person holds links it to them (the ministry, or
//! the NGO holding the person); under another NGO's person it is refused as `duplicate_person`
//! (R5, R11); a second record of the same return as `duplicate_arrival` (#8.11).

use persistence::repo::arrivals::ArrivalRecord;
use persistence::{DbConnection, WriteTx};

use super::{ArrivalDetails, as_read_by, person_by_number, refuse_second_record};
use crate::{ActionError, Principal};

/// Records the return for the principal's organisation (R13: audited), as the principal will
/// read it (R11).
pub fn record_arrival(
    tx: &mut WriteTx<'_>,
    principal: &Principal,
    details: ArrivalDetails,
) -> Result<ArrivalRecord, ActionError> {
    let person_id = person_by_number(tx.read(), principal, details.personal_number())?;
    refuse_second_record(tx.read(), principal, &details, person_id.as_deref(), None)?;
    let record = details.record(persistence::new_id(), person_id, principal, persistence::now_utc())?;
    let created = persistence::repo::arrivals::create(tx, record)?;
    as_read_by(tx.read(), principal, created)
}

/// #8.9: a record that lost a race to the same return (the unique index refused it) answers as
/// the sequential path would. `Ok` when there is nothing to explain.
pub fn explain_conflict(
    conn: &mut DbConnection,
    principal: &Principal,
    details: &ArrivalDetails,
) -> Result<(), ActionError> {
    let person_id = person_by_number(conn, principal, details.personal_number())?;
    refuse_second_record(conn, principal, details, person_id.as_deref(), None)
}
