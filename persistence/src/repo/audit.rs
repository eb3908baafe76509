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

/// The audit trail's list filter (#13).
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub actor_id: Option<String>,
    pub organization_id: Option<String>,
    pub action: Option<String>,
    /// Occurred at or after.
    pub from: Option<chrono::NaiveDateTime>,
    /// Occurred before.
    pub to: Option<chrono::NaiveDateTime>,
    /// Newest first (by place in the chain); else oldest first.
    pub newest_first: bool,
}

/// A page of chained events in chain order (or its reverse), after the place `after`; an NGO
/// sees its own organisation's events only (R11).
pub fn list(
    conn: &mut DbConnection,
    visibility: &crate::Visibility,
    filter: &AuditFilter,
    after: Option<i64>,
    limit: usize,
) -> Result<crate::Page<AuditEvent>, StoreError> {
    let mut query =
        audit_events::table.select(AuditEvent::as_select()).filter(audit_events::chain_seq.is_not_null()).into_boxed();
    if let crate::Visibility::Organization(own) = visibility {
        query = query.filter(audit_events::organization_id.eq(own.clone()));
    }
    if let Some(v) = &filter.entity_type {
        query = query.filter(audit_events::entity_type.eq(v.clone()));
    }
    if let Some(v) = &filter.entity_id {
        query = query.filter(audit_events::entity_id.eq(v.clone()));
    }
    if let Some(v) = &filter.actor_id {
        query = query.filter(audit_events::actor_id.eq(v.clone()));
    }
    if let Some(v) = &filter.organization_id {
        query = query.filter(audit_events::organization_id.eq(v.clone()));
    }
    if let Some(v) = &filter.action {
        query = query.filter(audit_events::action.eq(v.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_events::occurred_at.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_events::occurred_at.lt(to));
    }
    if filter.newest_first {
        if let Some(after) = after {
            query = query.filter(audit_events::chain_seq.lt(after));
        }
        query = query.order(audit_events::chain_seq.desc());
    } else {
        if let Some(after) = after {
            query = query.filter(audit_events::chain_seq.gt(after));
        }
        query = query.order(audit_events::chain_seq.asc());
    }
    let rows = query.limit(i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1)).load(conn)?;
    Ok(crate::Page::from_rows(rows, limit, |e: &AuditEvent| e.chain_seq.unwrap_or_default().to_string()))
}

/// R14, a lawful erasure: clears an event's before/after content, keeping its digest and its
/// place in the chain, so verification reports it as redacted rather than broken. The erasure is
/// itself an event. `NotFound` for no such event; `Conflict` when it is redacted already.
pub fn redact(tx: &mut crate::WriteTx<'_>, event_id: &str, reason: &str) -> Result<(), StoreError> {
    let event: AuditEvent =
        audit_events::table.filter(audit_events::id.eq(event_id)).select(AuditEvent::as_select()).first(tx.conn())?;
    if event.redacted_at.is_some() {
        return Err(StoreError::Conflict("the event is redacted already".to_owned()));
    }
    diesel::update(audit_events::table.filter(audit_events::id.eq(event_id)))
        .set((
            audit_events::before.eq(None::<String>),
            audit_events::after.eq(None::<String>),
            audit_events::redacted_at.eq(Some(crate::now_utc())),
        ))
        .execute(tx.conn())?;
    tx.audit(crate::AuditEntry {
        action: "redact",
        entity_type: "audit_event",
        entity_id: event_id.to_owned(),
        before: None,
        after: Some(serde_json::json!({ "chain_seq": event.chain_seq, "reason": reason })),
    })
}
