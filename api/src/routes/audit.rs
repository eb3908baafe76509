//! The audit trail (`/api/v1/audit-events`): auditors read it and verify its hash chain
//! themselves (#13, R13), against signed checkpoints the server hands out.

use actix_web::{HttpResponse, web};
use chrono::NaiveDateTime;
use persistence::Pool;
use persistence::chain::{self, Checkpoint};
use persistence::models::audit::AuditEvent as EventRow;
use persistence::repo::audit::{self as repo, AuditFilter};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::access::Caller;
use crate::auth::token::Tokens;
use crate::db;
use crate::error::{ApiError, ErrorCode};
use crate::http::{List, Listing, PageQuery};
use crate::input::FieldErrors;
use crate::routes::cases::{Decider, DeciderKind};

/// R11: the keys of medical detail in an event's content, masked for everyone but the NGO that
/// holds the record.
const MEDICAL_KEYS: [&str; 4] = ["icd10_code", "notes", "need_medical_notes", "medical_notes"];

fn mask(value: &mut Value) {
    match value {
        Value::Object(fields) => {
            for (key, field) in fields.iter_mut() {
                if MEDICAL_KEYS.contains(&key.as_str()) && !field.is_null() {
                    *field = Value::String("[withheld: medical detail, R11]".to_owned());
                } else {
                    mask(field);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask),
        _ => {}
    }
}

/// One event of the audit trail.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEvent {
    /// Its place in the chain: gapless, in commit order.
    #[schema(minimum = 1)]
    pub seq: i64,
    #[schema(format = Uuid)]
    pub id: String,
    #[serde(serialize_with = "crate::http::instant")]
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: NaiveDateTime,
    /// Who acted; `null` for the system itself.
    #[schema(required = true)]
    pub actor: Option<Decider>,
    /// The organisation the actor acted for.
    #[schema(format = Uuid, required = true)]
    pub organization_id: Option<String>,
    #[schema(required = true)]
    pub request_id: Option<String>,
    #[schema(required = true)]
    pub client_request_id: Option<String>,
    #[schema(example = "approve")]
    pub action: String,
    #[schema(example = "service")]
    pub entity_type: String,
    pub entity_id: String,
    /// The record before the change (medical detail masked for all but the holding NGO, R11);
    /// `null` when there was none or the content was redacted.
    #[schema(value_type = Option<Object>, required = true)]
    pub before: Option<Value>,
    /// The record after the change, likewise.
    #[schema(value_type = Option<Object>, required = true)]
    pub after: Option<Value>,
    /// The content was redacted for a lawful erasure (R14); its digest stays in the chain.
    pub content_redacted: bool,
    /// SHA-256 of the before/after content, as chained.
    pub content_digest: String,
    /// SHA-256 of the previous event's hash and this event's canonical bytes.
    pub hash: String,
}

impl AuditEvent {
    fn seen_by(reader: &Caller, row: EventRow) -> Result<Self, ApiError> {
        let unmasked = reader.role.belongs_to_ngo();
        let content = |text: Option<String>| -> Result<Option<Value>, ApiError> {
            let Some(text) = text else { return Ok(None) };
            let mut value: Value = serde_json::from_str(&text)
                .map_err(|e| ApiError::internal(format!("audit event {}: content does not parse: {e}", row.id)))?;
            if !unmasked {
                mask(&mut value);
            }
            Ok(Some(value))
        };
        let actor = match row.actor_kind.as_str() {
            "user" => row.actor_id.clone().map(|id| Decider { kind: DeciderKind::User, id }),
            "client" => row.actor_id.clone().map(|id| Decider { kind: DeciderKind::Client, id }),
            _ => None,
        };
        Ok(Self {
            before: content(row.before.clone())?,
            after: content(row.after.clone())?,
            seq: row.chain_seq.ok_or_else(|| ApiError::internal("an unchained event listed"))?,
            content_redacted: row.redacted_at.is_some(),
            content_digest: row.content_digest.unwrap_or_default(),
            hash: row.hash.unwrap_or_default(),
            id: row.id,
            occurred_at: row.occurred_at,
            actor,
            organization_id: row.organization_id,
            request_id: row.request_id,
            client_request_id: row.client_request_id,
            action: row.action,
            entity_type: row.entity_type,
            entity_id: row.entity_id,
        })
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only events on records of this type (e.g. `service`, `case`, `grant`).
    pub entity_type: Option<String>,
    /// Only events on this record.
    pub entity_id: Option<String>,
    /// Only events by this user or NGO system.
    #[param(format = Uuid)]
    pub actor_id: Option<String>,
    /// Only events by principals of this organisation.
    #[param(format = Uuid)]
    pub organization_id: Option<String>,
    /// Only events of this action (e.g. `create`, `approve`, `read_medical`).
    pub action: Option<String>,
    /// Only events that occurred at or after this instant.
    #[param(value_type = Option<String>, format = DateTime)]
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    /// Only events that occurred before this instant.
    #[param(value_type = Option<String>, format = DateTime)]
    pub to: Option<chrono::DateTime<chrono::Utc>>,
    /// `newest` (the default) or `oldest` first.
    #[param(pattern = "^(newest|oldest)$")]
    pub order: Option<String>,
}

/// Lists the audit trail.
///
/// Every change and every read of medical detail, who made it, when, for which organisation,
/// and the record before and after (R13). Auditors and administrators read all of it; an NGO
/// manager the events of their own organisation (R11). Medical detail is masked for everyone but
/// the NGO. No endpoint changes or deletes an event.
#[utoipa::path(get, path = "/api/v1/audit-events", tag = "audit", operation_id = "list_audit_events",
    params(PageQuery, AuditQuery), responses((status = 200, body = List<AuditEvent>)))]
pub async fn list(
    caller: Caller,
    pool: web::Data<Pool>,
    Listing { page, filter }: Listing<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::default();
    let page = page.parse(&mut errors);
    let after = page.after_key::<i64>(&mut errors);
    let query = filter.into_inner();
    let newest_first = match query.order.as_deref() {
        None | Some("newest") => true,
        Some("oldest") => false,
        Some(_) => {
            errors.push(domain::message::FieldError::new(
                "order",
                domain::codes::UNKNOWN_STATUS,
                domain::message::Message::new("newest ან oldest", "newest or oldest"),
            ));
            true
        }
    };
    let filter = AuditFilter {
        entity_type: query.entity_type,
        entity_id: query.entity_id,
        actor_id: errors.uuid("actor_id", query.actor_id),
        organization_id: errors.uuid("organization_id", query.organization_id),
        action: query.action,
        from: query.from.map(|t| t.naive_utc()),
        to: query.to.map(|t| t.naive_utc()),
        newest_first,
    };
    errors.finish()?;
    let visibility = caller.visibility();
    let found = db::read(&pool, move |conn| Ok(repo::list(conn, &visibility, &filter, after, page.limit)?)).await?;
    Ok(HttpResponse::Ok().json(List::try_from_page(found, |row| AuditEvent::seen_by(&caller, row))?))
}

/// A checkpoint of the chain, signed by the server.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChainHead {
    /// The chain's length: the last event's place.
    #[schema(minimum = 0)]
    pub seq: i64,
    /// The last event's hash (64 zeros for an empty chain).
    pub hash: String,
    /// When the server signed it.
    #[serde(serialize_with = "crate::http::instant")]
    #[schema(value_type = String, format = DateTime)]
    pub signed_at: NaiveDateTime,
    /// The signing key's id, as in the access tokens.
    pub kid: String,
    /// A compact JWS (EdDSA, `typ: audit-checkpoint+jwt`) of `{iss, chain_seq, chain_hash, iat}`:
    /// keep it, and pass it to `GET /api/v1/audit-events/verify?checkpoint=…` later to prove that
    /// nothing up to `seq` changed since.
    pub checkpoint: String,
}

/// Reads the chain's head, signed.
///
/// The current length and head hash, signed with the server's Ed25519 key (kid as for tokens).
/// An auditor who keeps it can prove later that nothing before it changed — even against someone
/// with full database access who recomputed the chain.
#[utoipa::path(get, path = "/api/v1/audit-events/head", tag = "audit", operation_id = "get_audit_head",
    responses((status = 200, body = ChainHead)))]
pub async fn head(pool: web::Data<Pool>, tokens: web::Data<Tokens>) -> Result<HttpResponse, ApiError> {
    let (seq, hash) = db::read(&pool, |conn| Ok(chain::head(conn)?)).await?;
    let now = chrono::Utc::now();
    let checkpoint = tokens.sign_checkpoint(seq, &hash, now.timestamp()).map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(ChainHead {
        seq,
        hash,
        signed_at: persistence::now_utc(),
        kid: tokens.keys().signing_kid().to_owned(),
        checkpoint,
    }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VerifyQuery {
    /// The first place to check (default 1).
    #[param(minimum = 1)]
    pub from: Option<i64>,
    /// The last place to check (default: the head).
    #[param(minimum = 1)]
    pub to: Option<i64>,
    /// A checkpoint from `GET /api/v1/audit-events/head`: its signature is checked, and the chain
    /// must still hold its hash at its place.
    pub checkpoint: Option<String>,
}

/// Where the chain first broke.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChainBreak {
    /// The first bad place.
    pub seq: i64,
    /// `altered`, `deleted`, `inserted`, `reordered`, `broken_link` or `rewritten`.
    #[schema(example = "altered")]
    pub kind: &'static str,
    pub detail: String,
}

/// What verifying the chain found.
#[derive(Debug, Serialize, ToSchema)]
pub struct Verification {
    /// No break from `from` to the end of the range (and the checkpoint held, if one was given).
    pub intact: bool,
    pub from: i64,
    /// The last place found intact.
    pub intact_to: i64,
    /// The hash at `intact_to`.
    pub head_hash: String,
    /// Events checked.
    pub checked: i64,
    /// Places whose content was redacted for a lawful erasure (R14): reported, not broken.
    pub redacted: Vec<i64>,
    /// The first break, if any.
    #[schema(required = true)]
    pub first_break: Option<ChainBreak>,
    /// The checkpoint's place and hash, when one was given and its signature held.
    #[schema(required = true)]
    pub checkpoint_seq: Option<i64>,
}

/// Verifies the audit trail.
///
/// Walks the hash chain (optionally a range of places), recomputing every event's canonical
/// bytes, content digest and hash: either intact up to a place with its head hash, or the first
/// place that was altered, deleted, inserted or reordered, and why. With a signed `checkpoint`,
/// also proves nothing up to it was rewritten. The same as `reintegration audit verify`.
#[utoipa::path(get, path = "/api/v1/audit-events/verify", tag = "audit", operation_id = "verify_audit_trail",
    params(VerifyQuery), responses((status = 200, body = Verification)))]
pub async fn verify(
    pool: web::Data<Pool>,
    tokens: web::Data<Tokens>,
    query: web::Query<VerifyQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let mut errors = FieldErrors::default();
    for (name, place) in [("from", query.from), ("to", query.to)] {
        if place.is_some_and(|p| p < 1) {
            errors.push(domain::message::FieldError::new(
                name,
                domain::codes::OUT_OF_RANGE,
                domain::message::Message::new("ადგილი ჯაჭვში 1-დან იწყება", "Places in the chain start at 1"),
            ));
        }
    }
    if let (Some(from), Some(to)) = (query.from, query.to)
        && to < from
    {
        errors.push(domain::message::FieldError::new(
            "to",
            domain::codes::OUT_OF_RANGE,
            domain::message::Message::new("to არ შეიძლება from-ზე ნაკლები იყოს", "to cannot be before from"),
        ));
    }
    errors.finish()?;
    let checkpoint = match query.checkpoint.as_deref() {
        None => None,
        Some(jws) => {
            let claims = tokens.verify_checkpoint(jws).map_err(|_| {
                ApiError::validation(vec![domain::message::FieldError::new(
                    "checkpoint",
                    domain::codes::INVALID_CHECKPOINT,
                    domain::message::Message::new(
                        "საკონტროლო წერტილის ხელმოწერა არ დასტურდება",
                        "The checkpoint's signature does not verify with any key this server accepts",
                    ),
                )])
            })?;
            Some(Checkpoint { seq: claims.chain_seq, hash: claims.chain_hash })
        }
    };
    let (from, to) = (query.from.unwrap_or(1), query.to);
    let point = checkpoint.clone();
    let found = db::read(&pool, move |conn| Ok(chain::verify(conn, from, to, point.as_ref())?)).await?;
    Ok(HttpResponse::Ok().json(answer(found, checkpoint.map(|c| c.seq))))
}

fn answer(found: chain::Verification, checkpoint_seq: Option<i64>) -> Verification {
    Verification {
        intact: found.first_break.is_none(),
        from: found.from,
        intact_to: found.intact_to,
        head_hash: found.head_hash,
        checked: found.checked,
        redacted: found.redacted,
        first_break: found.first_break.map(|(seq, why)| ChainBreak { seq, kind: why.code(), detail: why.explain(seq) }),
        checkpoint_seq,
    }
}

/// `reintegration audit verify`: the same walk, printed; false when the chain is broken.
pub fn verify_from_command(conn: &mut persistence::DbConnection) -> Result<bool, ApiError> {
    let found = chain::verify(conn, 1, None, None).map_err(|e| {
        ApiError::new(ErrorCode::InternalError, domain::message::Message::new(e.to_string(), e.to_string()))
    })?;
    let answer = answer(found, None);
    println!("{}", serde_json::to_string_pretty(&answer).unwrap_or_default());
    Ok(answer.intact)
}
