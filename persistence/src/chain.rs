//! The audit trail's hash chain (#13, R13): every event has a gapless place in one chain, its
//! canonical bytes (RFC 8785 JSON of its ids, codes and the digest of its content, not the
//! personal data itself) and `hash = SHA-256(previous hash ‖ canonical bytes)`. Appends lock the
//! chain's head row until their transaction commits, so the order is strict across writers and
//! API nodes; [`verify`] walks the chain and names the first event that was altered, deleted,
//! inserted or reordered.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::models::audit::{AuditEvent, NewAuditEvent};
use crate::schema::{audit_chain_head, audit_events};
use crate::{DbConnection, StoreError};

/// The hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

/// A JSON value of the canonical form: what the chain's objects hold.
enum Canon<'a> {
    Text(&'a str),
    Number(i64),
    Null,
}

/// RFC 8785 (JCS) for an object of strings, integers and nulls: keys sorted (all ASCII here, so
/// by bytes as by UTF-16 units), no whitespace, strings escaped as ECMAScript's `JSON.stringify`.
fn jcs(fields: &mut [(&str, Canon<'_>)]) -> String {
    fields.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = String::from("{");
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        string(&mut out, key);
        out.push(':');
        match value {
            Canon::Text(text) => string(&mut out, text),
            Canon::Number(n) => out.push_str(&n.to_string()),
            Canon::Null => out.push_str("null"),
        }
    }
    out.push('}');
    out
}

fn string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn text_or_null(value: Option<&str>) -> Canon<'_> {
    value.map_or(Canon::Null, Canon::Text)
}

/// SHA-256 (hex) of an event's before/after content, as stored: what the chain carries instead of
/// the content, so a lawful erasure of the content keeps the chain whole.
pub fn content_digest(before: Option<&str>, after: Option<&str>) -> String {
    let canonical = jcs(&mut [("after", text_or_null(after)), ("before", text_or_null(before))]);
    hex(&Sha256::digest(canonical.as_bytes()))
}

/// An instant as the chain writes it: RFC 3339 in UTC, to the microsecond.
fn instant(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// The fields of an event the chain covers, wherever the event comes from.
pub struct Covered<'a> {
    pub chain_seq: i64,
    pub id: &'a str,
    pub occurred_at: NaiveDateTime,
    pub actor_kind: &'a str,
    pub actor_id: Option<&'a str>,
    pub organization_id: Option<&'a str>,
    pub request_id: Option<&'a str>,
    pub client_request_id: Option<&'a str>,
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: &'a str,
    pub content_digest: &'a str,
}

/// The canonical bytes of an event (RFC 8785).
pub fn canonical(event: &Covered<'_>) -> String {
    let at = instant(event.occurred_at);
    jcs(&mut [
        ("chain_seq", Canon::Number(event.chain_seq)),
        ("id", Canon::Text(event.id)),
        ("occurred_at", Canon::Text(&at)),
        ("actor_kind", Canon::Text(event.actor_kind)),
        ("actor_id", text_or_null(event.actor_id)),
        ("organization_id", text_or_null(event.organization_id)),
        ("request_id", text_or_null(event.request_id)),
        ("client_request_id", text_or_null(event.client_request_id)),
        ("action", Canon::Text(event.action)),
        ("entity_type", Canon::Text(event.entity_type)),
        ("entity_id", Canon::Text(event.entity_id)),
        ("content_digest", Canon::Text(event.content_digest)),
    ])
}

/// `SHA-256(previous hash ‖ canonical bytes)`, hex; the previous hash as its 32 bytes.
pub fn link(previous: &str, canonical: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(unhex(previous).unwrap_or_default());
    hasher.update(canonical.as_bytes());
    hex(&hasher.finalize())
}

fn covered_new(event: &NewAuditEvent, chain_seq: i64, digest: &str) -> String {
    canonical(&Covered {
        chain_seq,
        id: &event.id,
        occurred_at: event.occurred_at,
        actor_kind: &event.actor_kind,
        actor_id: event.actor_id.as_deref(),
        organization_id: event.organization_id.as_deref(),
        request_id: event.request_id.as_deref(),
        client_request_id: event.client_request_id.as_deref(),
        action: &event.action,
        entity_type: &event.entity_type,
        entity_id: &event.entity_id,
        content_digest: digest,
    })
}

/// Appends `events` to the chain, in order: takes the head's row (held until the transaction
/// ends), gives each the next place, its canonical bytes and hash, inserts them, and moves the
/// head. Called once per write transaction, last, so the head is held only to the commit.
pub(crate) fn append(conn: &mut DbConnection, mut events: Vec<NewAuditEvent>) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let count = i64::try_from(events.len()).unwrap_or(i64::MAX);
    diesel::update(audit_chain_head::table.find(1))
        .set(audit_chain_head::seq.eq(audit_chain_head::seq + count))
        .execute(conn)?;
    let (last, mut previous): (i64, String) =
        audit_chain_head::table.find(1).select((audit_chain_head::seq, audit_chain_head::hash)).first(conn)?;
    let first = last - count + 1;
    for (i, event) in events.iter_mut().enumerate() {
        let chain_seq = first + i64::try_from(i).unwrap_or(0);
        let digest = content_digest(event.before.as_deref(), event.after.as_deref());
        let canonical = covered_new(event, chain_seq, &digest);
        let hash = link(&previous, &canonical);
        previous.clone_from(&hash);
        event.chain_seq = Some(chain_seq);
        event.content_digest = Some(digest);
        event.canonical = Some(canonical);
        event.hash = Some(hash);
    }
    for event in &events {
        diesel::insert_into(audit_events::table).values(event).execute(conn)?;
    }
    diesel::update(audit_chain_head::table.find(1)).set(audit_chain_head::hash.eq(&previous)).execute(conn)?;
    Ok(())
}

/// Chains the events an older version wrote without a place in the chain, oldest first (by their
/// serial number), under the head's lock. Run at start-up, after the migrations; returns how many.
pub fn chain_unchained(conn: &mut DbConnection) -> Result<usize, StoreError> {
    let mut chained = 0;
    loop {
        let done = conn.transaction::<usize, StoreError, _>(|conn| {
            let batch: Vec<AuditEvent> = audit_events::table
                .filter(audit_events::chain_seq.is_null())
                .order(audit_events::seq.asc())
                .limit(1_000)
                .select(AuditEvent::as_select())
                .load(conn)?;
            if batch.is_empty() {
                return Ok(0);
            }
            let count = i64::try_from(batch.len()).unwrap_or(i64::MAX);
            diesel::update(audit_chain_head::table.find(1))
                .set(audit_chain_head::seq.eq(audit_chain_head::seq + count))
                .execute(conn)?;
            let (last, mut previous): (i64, String) =
                audit_chain_head::table.find(1).select((audit_chain_head::seq, audit_chain_head::hash)).first(conn)?;
            let first = last - count + 1;
            for (i, event) in batch.iter().enumerate() {
                let chain_seq = first + i64::try_from(i).unwrap_or(0);
                let digest = content_digest(event.before.as_deref(), event.after.as_deref());
                let canonical = canonical(&covered(event, chain_seq, &digest));
                let hash = link(&previous, &canonical);
                diesel::update(audit_events::table.filter(audit_events::seq.eq(event.seq)))
                    .set((
                        audit_events::chain_seq.eq(chain_seq),
                        audit_events::content_digest.eq(&digest),
                        audit_events::canonical.eq(&canonical),
                        audit_events::hash.eq(&hash),
                    ))
                    .execute(conn)?;
                previous = hash;
            }
            diesel::update(audit_chain_head::table.find(1)).set(audit_chain_head::hash.eq(&previous)).execute(conn)?;
            Ok(batch.len())
        })?;
        if done == 0 {
            return Ok(chained);
        }
        chained += done;
    }
}

fn covered<'a>(event: &'a AuditEvent, chain_seq: i64, digest: &'a str) -> Covered<'a> {
    Covered {
        chain_seq,
        id: &event.id,
        occurred_at: event.occurred_at,
        actor_kind: &event.actor_kind,
        actor_id: event.actor_id.as_deref(),
        organization_id: event.organization_id.as_deref(),
        request_id: event.request_id.as_deref(),
        client_request_id: event.client_request_id.as_deref(),
        action: &event.action,
        entity_type: &event.entity_type,
        entity_id: &event.entity_id,
        content_digest: digest,
    }
}

/// The chain's head: how many events it holds and the last one's hash.
pub fn head(conn: &mut DbConnection) -> Result<(i64, String), StoreError> {
    Ok(audit_chain_head::table.find(1).select((audit_chain_head::seq, audit_chain_head::hash)).first(conn)?)
}

/// Why the chain is broken at an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// The event's fields, or its content, are not what was chained.
    Altered(String),
    /// No event holds this place: one was deleted.
    Deleted,
    /// An event that was never chained (no place, or beyond the head).
    Inserted(String),
    /// The event was chained at another place.
    Reordered { written_at: i64 },
    /// The hash does not follow from the previous event's: something before it was changed and
    /// the chain recomputed from there, or the hash itself was rewritten.
    BrokenLink,
    /// The chain differs from a signed checkpoint: it was rewritten at or before this place.
    Rewritten,
}

impl Break {
    pub fn code(&self) -> &'static str {
        match self {
            Break::Altered(_) => "altered",
            Break::Deleted => "deleted",
            Break::Inserted(_) => "inserted",
            Break::Reordered { .. } => "reordered",
            Break::BrokenLink => "broken_link",
            Break::Rewritten => "rewritten",
        }
    }

    pub fn explain(&self, seq: i64) -> String {
        match self {
            Break::Altered(what) => format!("event {seq} was altered: {what}"),
            Break::Deleted => format!("event {seq} is missing: it was deleted"),
            Break::Inserted(what) => format!("an event was inserted at {seq}: {what}"),
            Break::Reordered { written_at } => format!("the event at {seq} was chained at {written_at}: reordered"),
            Break::BrokenLink => format!("the hash of event {seq} does not follow from the event before it"),
            Break::Rewritten => {
                format!("the chain differs from the signed checkpoint at {seq}: rewritten at or before it")
            }
        }
    }
}

/// What a walk of the chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The first place checked and the last one found intact.
    pub from: i64,
    pub intact_to: i64,
    /// The hash of `intact_to`'s event (the head's, when the whole chain is intact).
    pub head_hash: String,
    /// Events checked.
    pub checked: i64,
    /// Places whose content was redacted (R14): the digest still chained, the content gone.
    pub redacted: Vec<i64>,
    /// The first break, if any.
    pub first_break: Option<(i64, Break)>,
}

/// A checkpoint to hold the chain to: the hash the event at `seq` had when it was signed.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
}

/// Walks the chain from `from` (1: the start) to `to` (`None`: the head), recomputing each event's
/// canonical bytes, content digest and hash, and checks `checkpoint` too. Stops at the first break.
pub fn verify(
    conn: &mut DbConnection,
    from: i64,
    to: Option<i64>,
    checkpoint: Option<&Checkpoint>,
) -> Result<Verification, StoreError> {
    let (head_seq, head_hash) = head(conn)?;
    let from = from.max(1);
    let to = to.unwrap_or(head_seq).min(head_seq.max(0));
    let mut previous = if from == 1 {
        GENESIS.to_owned()
    } else {
        audit_events::table
            .filter(audit_events::chain_seq.eq(from - 1))
            .select(audit_events::hash)
            .first::<Option<String>>(conn)
            .optional()?
            .flatten()
            .unwrap_or_default()
    };
    let mut result = Verification {
        from,
        intact_to: from - 1,
        head_hash: previous.clone(),
        checked: 0,
        redacted: Vec::new(),
        first_break: None,
    };
    let fail = |mut result: Verification, seq: i64, why: Break| {
        result.first_break = Some((seq, why));
        Ok(result)
    };
    // Events outside the chain: written past the head, or with no place at all.
    let unplaced: Option<i64> = audit_events::table
        .filter(audit_events::chain_seq.is_null())
        .select(audit_events::seq)
        .first(conn)
        .optional()?;
    let mut expected = from;
    while expected <= to {
        let batch: Vec<AuditEvent> = audit_events::table
            .filter(audit_events::chain_seq.ge(expected))
            .filter(audit_events::chain_seq.le(to))
            .order(audit_events::chain_seq.asc())
            .limit(10_000)
            .select(AuditEvent::as_select())
            .load(conn)?;
        if batch.is_empty() {
            return fail(result, expected, Break::Deleted);
        }
        for event in &batch {
            let seq = event.chain_seq.unwrap_or_default();
            if seq != expected {
                return fail(result, expected, Break::Deleted);
            }
            let stored_canonical = event.canonical.clone().unwrap_or_default();
            let written_at =
                serde_json::from_str::<serde_json::Value>(&stored_canonical).ok().and_then(|c| c["chain_seq"].as_i64());
            if written_at.is_some_and(|at| at != seq) {
                return fail(result, seq, Break::Reordered { written_at: written_at.unwrap_or_default() });
            }
            let digest = event.content_digest.clone().unwrap_or_default();
            let redacted = event.redacted_at.is_some() && event.before.is_none() && event.after.is_none();
            if redacted {
                result.redacted.push(seq);
            } else if content_digest(event.before.as_deref(), event.after.as_deref()) != digest {
                return fail(result, seq, Break::Altered("its before/after content does not match its digest".into()));
            }
            if canonical(&covered(event, seq, &digest)) != stored_canonical {
                return fail(result, seq, Break::Altered("its fields do not match its canonical bytes".into()));
            }
            let hash = event.hash.clone().unwrap_or_default();
            if link(&previous, &stored_canonical) != hash {
                return fail(result, seq, Break::BrokenLink);
            }
            if let Some(point) = checkpoint
                && point.seq == seq
                && point.hash != hash
            {
                return fail(result, seq, Break::Rewritten);
            }
            previous = hash;
            result.intact_to = seq;
            result.head_hash.clone_from(&previous);
            result.checked += 1;
            expected = seq + 1;
        }
    }
    if to == head_seq && result.first_break.is_none() {
        if head_hash != previous && head_seq > 0 && from <= head_seq {
            return fail(result, head_seq, Break::BrokenLink);
        }
        let beyond: Option<i64> = audit_events::table
            .filter(audit_events::chain_seq.gt(head_seq))
            .select(audit_events::chain_seq.assume_not_null())
            .first(conn)
            .optional()?;
        if let Some(seq) = beyond {
            return fail(result, seq, Break::Inserted("past the chain's head".into()));
        }
        if let Some(serial) = unplaced {
            return fail(result, head_seq + 1, Break::Inserted(format!("event #{serial} has no place in the chain")));
        }
    }
    if let Some(point) = checkpoint
        && point.seq > result.intact_to
    {
        return fail(result, point.seq, Break::Deleted);
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jcs_sorts_keys_and_escapes_as_json_stringify() {
        let text = jcs(&mut [("b", Canon::Number(-2)), ("a", Canon::Text("ქ \"x\"\n\u{1}/")), ("c", Canon::Null)]);
        assert_eq!(text, "{\"a\":\"ქ \\\"x\\\"\\n\\u0001/\",\"b\":-2,\"c\":null}");
    }

    #[test]
    fn a_link_depends_on_the_previous_hash_and_the_bytes() {
        let one = link(GENESIS, "{}");
        assert_eq!(one.len(), 64);
        assert_ne!(one, link(&one, "{}"));
        assert_ne!(one, link(GENESIS, "{ }"));
        assert_eq!(content_digest(None, None), content_digest(None, None));
        assert_ne!(content_digest(Some("{}"), None), content_digest(None, Some("{}")));
    }
}
