use diesel::prelude::*;

use crate::models::audit::AuditEvent;
use crate::schema::audit_events;
use crate::{DbConnection, StoreError};

/// The audit trail of one record, oldest first.
pub fn for_entity(conn: &mut DbConnection, entity_type: &str, entity_id: &str) -> Result<Vec<AuditEvent>, StoreError> {
    Ok(audit_events::table
        .filter(audit_events::entity_type.eq(entity_type))
        .filter(audit_events::entity_id.eq(entity_id))
        .order(audit_events::seq.asc())
        .select(AuditEvent::as_select())
        .load(conn)?)
}

pub fn count(conn: &mut DbConnection) -> Result<i64, StoreError> {
    Ok(audit_events::table.count().get_result(conn)?)
}
