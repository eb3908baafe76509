use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::audit_events;

#[derive(Debug, Insertable)]
#[diesel(table_name = audit_events)]
pub struct NewAuditEvent {
    pub id: String,
    pub occurred_at: NaiveDateTime,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub organization_id: Option<String>,
    pub request_id: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
    /// The client's own `X-Request-Id`, when it sent an acceptable one (#8.7); `request_id` is ours.
    pub client_request_id: Option<String>,
    /// #13: the event's place in the chain, its content's digest, canonical bytes and hash.
    pub chain_seq: Option<i64>,
    pub content_digest: Option<String>,
    pub canonical: Option<String>,
    pub hash: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
    pub seq: i64,
    pub id: String,
    pub occurred_at: NaiveDateTime,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub organization_id: Option<String>,
    pub request_id: Option<String>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
    /// The client's own `X-Request-Id`, when it sent an acceptable one (#8.7); `request_id` is ours.
    pub client_request_id: Option<String>,
    /// #13: the event's place in the chain (gapless, in commit order; `None` only before the
    /// server chained the events of an older version at start-up).
    pub chain_seq: Option<i64>,
    /// SHA-256 (hex) of the before/after content, kept when the content is redacted.
    pub content_digest: Option<String>,
    /// The RFC 8785 bytes the hash covers.
    pub canonical: Option<String>,
    /// SHA-256 (hex) of the previous event's hash and `canonical`.
    pub hash: Option<String>,
    /// When the content was redacted for a lawful erasure (R14).
    pub redacted_at: Option<NaiveDateTime>,
}
