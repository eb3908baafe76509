//! Read arrivals as R11 lets the reader see them: an airport arrival whose person another NGO
//! holds names only that NGO; medical notes are read only by the NGO holding the person (the
//! store decides per record), and each such read is itself recorded.

use persistence::repo::arrivals::ArrivalRecord;
use persistence::{DbConnection, StoreError, Visibility, WriteTx};

use crate::ArrivalId;
use crate::{ActionError, Principal, Refusal, RefusalCode};

/// One arrival the principal may see. An airport arrival whose person another NGO holds is
/// refused as `registered_elsewhere`, naming that NGO (R11); anything else unseen is not found.
pub fn read_arrival(
    conn: &mut DbConnection,
    principal: &Principal,
    id: &ArrivalId,
) -> Result<ArrivalRecord, ActionError> {
    let id = id.as_str();
    let visibility = principal.visibility();
    match persistence::repo::arrivals::get(conn, &visibility, id) {
        Err(StoreError::NotFound) => {
            if let Visibility::Organization(own) = &visibility
                && let Some((ka, en)) = persistence::repo::arrivals::registered_elsewhere(conn, own, id)?
            {
                return Err(Refusal::registered_elsewhere(RefusalCode::RegisteredElsewhere, &ka, &en).into());
            }
            Err(StoreError::NotFound.into())
        }
        other => Ok(other?),
    }
}

/// R11: the arrivals among `records` whose medical notes the reader is shown.
pub fn medical_notes_shown(records: &[ArrivalRecord]) -> Vec<String> {
    records
        .iter()
        .filter(|r| r.medical_notes_visible && r.arrival.need_medical_notes.is_some())
        .map(|r| r.arrival.id.clone())
        .collect()
}

/// R11: records each read of medical details (who, when, which arrival) in the audit trail.
pub fn record_medical_reads(tx: &mut WriteTx<'_>, arrival_ids: &[String]) -> Result<(), ActionError> {
    Ok(persistence::repo::arrivals::record_medical_reads(tx, arrival_ids)?)
}
