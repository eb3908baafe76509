//! Read services as R11 lets the reader see them: the ICD-10 code and the notes of a medical
//! service only for the NGO holding the case, and each such read itself recorded.

use persistence::repo::services::{self, Details, ServiceRecord};
use persistence::{DbConnection, WriteTx};

use crate::{ActionError, Principal, ServiceId};

/// R11: whether the principal reads medical details — the NGO holding the case, nobody else
/// (ministry officers and auditors see the category, the provider and the amounts).
pub fn reads_medical_details(principal: &Principal, record: &ServiceRecord) -> bool {
    principal.role.belongs_to_ngo() && principal.organization_id == record.service.organization_id
}

/// One service the principal may see.
pub fn read_service(
    conn: &mut DbConnection,
    principal: &Principal,
    id: &ServiceId,
) -> Result<ServiceRecord, ActionError> {
    Ok(services::get(conn, &principal.visibility(), id.as_str())?)
}

/// R11: the services among `records` whose medical details (a code or notes) the reader is shown.
pub fn medical_details_shown(principal: &Principal, records: &[ServiceRecord]) -> Vec<String> {
    records
        .iter()
        .filter(|r| reads_medical_details(principal, r))
        .filter(|r| matches!(&r.details, Details::Medical(m) if m.icd10_code.is_some() || m.notes.is_some()))
        .map(|r| r.service.id.clone())
        .collect()
}

/// R11: records each read of medical details (who, when, which service) in the audit trail.
pub fn record_medical_reads(tx: &mut WriteTx<'_>, service_ids: &[String]) -> Result<(), ActionError> {
    Ok(services::record_medical_reads(tx, service_ids)?)
}
