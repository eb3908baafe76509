//! Services S1–S4 (`/api/v1/cases/{id}/services`, `/api/v1/services`): requested for an eligible,
//! open case, approved or rejected by a manager who did not request them (R12), paid from the
//! NGO's grant for the year of the approval and never beyond it (R10), delivered or cancelled.
//! Medical details are read only by the NGO holding the case, and each read is recorded (R11).

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, web};
use application::Principal;
use application::ServiceId;
use application::clock::today_in_tbilisi;
use application::services::approve_service::approve_service;
use application::services::approve_supplement::approve_supplement;
use application::services::cancel_service::cancel_service;
use application::services::deliver_service::{DeliverService, deliver_service};
use application::services::read_services::{self, medical_details_shown};
use application::services::reject_service::reject_service;
use application::services::request_service::request_service;
use chrono::NaiveDate;
use domain::codes;
use domain::message::{FieldError, Message};
use domain::money::Tetri;
use domain::service::{ServiceStatus, ServiceType};
use persistence::Pool;
use persistence::repo::services::{self as repo, ServiceFilter, ServiceRecord};
use serde::Deserialize;
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::access::{Caller, request_id};
use crate::db;
use crate::error::ApiError;
use crate::http::{List, Listing, PageQuery, etag, if_match};
use crate::idempotency::{self, Created};
use crate::input::{Field, FieldErrors, not_an_object};
use crate::schema::{ServiceStatusSchema, ServiceTypeSchema};

mod request;
mod view;

pub use request::{MedicalRequest, PsychosocialRequest, ServiceRequest, SocialProjectRequest, VocationalRequest};
pub use view::{CaseService, Medical, Psychosocial, SocialProject, Vocational};

/// The largest amount the API takes, in tetri (as for grants).
const MAX_TETRI: i64 = 1_000_000_000_000_000;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServiceQuery {
    /// Only the services of this case.
    #[param(format = Uuid)]
    pub case_id: Option<String>,
    /// Only the services of this NGO (R11: an NGO sees its own only).
    #[param(format = Uuid)]
    pub organization_id: Option<String>,
    /// Only services of this type.
    #[param(value_type = Option<ServiceTypeSchema>)]
    pub service_type: Option<String>,
    /// Only services in this status.
    #[param(value_type = Option<ServiceStatusSchema>)]
    pub status: Option<String>,
    /// Only the services charged to this grant.
    #[param(format = Uuid)]
    pub grant_id: Option<String>,
    /// Only services requested on or after this date.
    pub requested_from: Option<NaiveDate>,
    /// Only services requested on or before this date.
    pub requested_to: Option<NaiveDate>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseServiceQuery {
    /// Only services of this type.
    #[param(value_type = Option<ServiceTypeSchema>)]
    pub service_type: Option<String>,
    /// Only services in this status.
    #[param(value_type = Option<ServiceStatusSchema>)]
    pub status: Option<String>,
}

fn service_type_filter(errors: &mut FieldErrors, value: Option<String>) -> Option<ServiceType> {
    let value = value?;
    let found = ServiceType::parse(&value);
    if found.is_none() {
        errors.push(FieldError::new(
            "service_type",
            codes::UNKNOWN_SERVICE_TYPE,
            Message::new("ასეთი სერვისი არ არსებობს", "No such service type"),
        ));
    }
    found
}

fn status_filter(errors: &mut FieldErrors, value: Option<String>) -> Option<ServiceStatus> {
    let value = value?;
    let found = ServiceStatus::parse(&value);
    if found.is_none() {
        errors.push(FieldError::new(
            "status",
            codes::UNKNOWN_STATUS,
            Message::new("ასეთი სტატუსი არ არსებობს", "No such status"),
        ));
    }
    found
}

/// Answers a page of services as R11 lets the caller see them, recording each read of medical
/// details first (a read that cannot be recorded is not answered).
async fn answer_page(
    pool: &Pool,
    caller: &Caller,
    request: &HttpRequest,
    found: persistence::Page<ServiceRecord>,
) -> Result<HttpResponse, ApiError> {
    record_medical_reads(pool, caller, request, &found.items).await?;
    let reader: &Principal = caller;
    Ok(HttpResponse::Ok().json(List::try_from_page(found, |r| CaseService::seen_by(reader, r))?))
}

/// R11: records, in its own transaction before the answer, each medical detail the caller reads.
async fn record_medical_reads(
    pool: &Pool,
    caller: &Caller,
    request: &HttpRequest,
    records: &[ServiceRecord],
) -> Result<(), ApiError> {
    let read = medical_details_shown(caller, records);
    if read.is_empty() {
        return Ok(());
    }
    db::write(pool, caller.actor(), request_id(request), move |tx| Ok(read_services::record_medical_reads(tx, &read)?))
        .await
}

/// Lists services.
///
/// The services the caller may see (R11: an NGO its own), in request order, filtered. Medical
/// details (ICD-10 code, notes) only for the NGO holding the case, each read recorded.
#[utoipa::path(get, path = "/api/v1/services", tag = "services", operation_id = "list_services",
    params(PageQuery, ServiceQuery), responses((status = 200, body = List<CaseService>)))]
pub async fn list(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    Listing { page, filter }: Listing<ServiceQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::default();
    let page = page.parse(&mut errors);
    let query = filter.into_inner();
    let filter = ServiceFilter {
        case_id: errors.uuid("case_id", query.case_id),
        organization_id: errors.uuid("organization_id", query.organization_id),
        service_type: service_type_filter(&mut errors, query.service_type),
        status: status_filter(&mut errors, query.status),
        grant_id: errors.uuid("grant_id", query.grant_id),
        requested_from: query.requested_from,
        requested_to: query.requested_to,
    };
    errors.finish()?;
    let visibility = caller.visibility();
    let found =
        db::read(&pool, move |conn| Ok(repo::list(conn, &visibility, &filter, page.after.as_deref(), page.limit)?))
            .await?;
    answer_page(&pool, &caller, &request, found).await
}

/// Lists a case's services.
///
/// In request order, filtered by type and status; medical details as for `GET /api/v1/services`.
#[utoipa::path(get, path = "/api/v1/cases/{id}/services", tag = "services", operation_id = "list_case_services",
    params(("id" = String, Path, format = Uuid, description = "The case"), PageQuery, CaseServiceQuery),
    responses((status = 200, body = List<CaseService>)))]
pub async fn list_for_case(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: web::Path<String>,
    Listing { page, filter }: Listing<CaseServiceQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::default();
    let page = page.parse(&mut errors);
    let query = filter.into_inner();
    let filter = ServiceFilter {
        case_id: Some(id.into_inner()),
        service_type: service_type_filter(&mut errors, query.service_type),
        status: status_filter(&mut errors, query.status),
        ..ServiceFilter::default()
    };
    errors.finish()?;
    let visibility = caller.visibility();
    let found = db::read(&pool, move |conn| {
        let case_id = filter.case_id.clone().unwrap_or_default();
        persistence::repo::cases::get(conn, &visibility, &case_id)?;
        Ok(repo::list(conn, &visibility, &filter, page.after.as_deref(), page.limit)?)
    })
    .await?;
    answer_page(&pool, &caller, &request, found).await
}

/// Reads a service.
///
/// With its amounts and lifecycle; medical details (ICD-10 code, notes) only for the NGO holding
/// the case, and the read recorded in the audit trail (R11).
#[utoipa::path(get, path = "/api/v1/services/{id}", tag = "services", operation_id = "get_service",
    params(("id" = String, Path, format = Uuid, description = "The service")),
    responses((status = 200, body = CaseService)))]
pub async fn show(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let who = (*caller).clone();
    let found =
        db::read(&pool, move |conn| Ok(read_services::read_service(conn, &who, &ServiceId::from(id.as_str()))?))
            .await?;
    record_medical_reads(&pool, &caller, &request, std::slice::from_ref(&found)).await?;
    let version = found.service.version;
    Ok(HttpResponse::Ok().insert_header(etag(version)).json(CaseService::seen_by(&caller, found)?))
}

/// Requests a service.
///
/// For an eligible, open case of the caller's NGO (409 `case_not_eligible`, `case_closed`), with
/// the details of its type; shelter and information are refused (422 `service_type_not_allowed`).
/// The requester may not decide it (R12). Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/services", tag = "services", operation_id = "request_service",
    params(("id" = String, Path, format = Uuid, description = "The case")),
    request_body = ServiceRequest,
    responses((status = 201, body = CaseService),
        (status = 409, body = crate::error::Problem, description = "The case is not eligible (`case_not_eligible`) or closed (`case_closed`)")))]
pub async fn create(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: web::Path<String>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let parsed: ServiceRequest = serde_json::from_value(body.clone()).map_err(|_| not_an_object())?;
    let command = parsed.parse(id.into_inner())?;
    let who = (*caller).clone();
    idempotency::create_at(&pool, &caller, &request, &body, "/api/v1/services", move |tx| {
        let record = request_service(tx, &who, command, today_in_tbilisi())?;
        Created::new(CaseService::seen_by(&who, record)?)
    })
    .await
}

/// An approval (managers only).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({ "approved_amount_tetri": 40_000 }))]
pub struct ApproveRequest {
    /// The amount approved, stated by the approver: at most the requested amount (else 422
    /// `exceeds_requested`).
    #[serde(default)]
    #[schema(value_type = i64, required = true, minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub approved_amount_tetri: Field<Value>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, Value>,
}

/// A rejection or a cancellation: why.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({ "reason": "The beneficiary moved abroad again" }))]
pub struct ReasonRequest {
    /// 1–500 characters.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 500)]
    pub reason: Field<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, Value>,
}

/// A delivery, with its actual cost.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({ "actual_amount_tetri": 39_500, "reference": "INV-2026-0815" }))]
pub struct DeliverRequest {
    /// Not after today, not before the approval; absent: today (Tbilisi).
    #[serde(default)]
    #[schema(value_type = Option<NaiveDate>)]
    pub delivered_on: Field<String>,
    /// What it cost, at most the approval with its supplements (else 409
    /// `supplementary_approval_required` with `excess_tetri`).
    #[serde(default)]
    #[schema(value_type = i64, required = true, minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub actual_amount_tetri: Field<Value>,
    /// The delivery's document (an invoice, an act), 1–200 characters.
    #[serde(default)]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200)]
    pub reference: Field<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, Value>,
}

/// A supplementary approval of a delivered cost above the approval (managers only).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(example = json!({ "amount_tetri": 2_500 }))]
pub struct SupplementRequest {
    /// The difference to approve, at least 1 tetri.
    #[serde(default)]
    #[schema(value_type = i64, required = true, minimum = 1, maximum = 1_000_000_000_000_000_i64)]
    pub amount_tetri: Field<Value>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, Value>,
}

fn tetri(value: i64) -> Result<Tetri, ApiError> {
    Tetri::try_from(value).map_err(|_| ApiError::internal("negative amount after validation"))
}

/// Runs a lifecycle step in one transaction as the caller, and answers with the service as the
/// caller sees it and its new ETag.
async fn step<F>(caller: Caller, request: &HttpRequest, pool: &Pool, work: F) -> Result<HttpResponse, ApiError>
where
    F: FnOnce(&mut persistence::WriteTx<'_>, &Principal) -> Result<ServiceRecord, application::ActionError>
        + Send
        + 'static,
{
    let record = db::write_as(pool, &caller, request, work).await?;
    let version = record.service.version;
    Ok(HttpResponse::Ok().insert_header(etag(version)).json(CaseService::seen_by(&caller, record)?))
}

/// Approves a service.
///
/// By a manager who did not request it (R12: 409 `four_eyes`), charged to the NGO's grant for the
/// year of the approval and never beyond it (R10: 409 `grant_exceeded` with `remaining_tetri`,
/// also when approvals race; `no_grant` without a grant running today). `If-Match` required.
#[utoipa::path(post, path = "/api/v1/services/{id}/approve", tag = "services", operation_id = "approve_service",
    request_body = ApproveRequest,
    params(("id" = String, Path, format = Uuid, description = "The service"),
        ("If-Match" = String, Header, description = "The ETag of the service version being approved")),
    responses((status = 200, body = CaseService),
        (status = 409, body = crate::error::Problem, description = "`grant_exceeded` (with `remaining_tetri`), `no_grant`, `four_eyes`, `invalid_transition`, `case_not_eligible` or `case_closed`")))]
pub async fn approve(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: web::Path<String>,
    body: web::Json<ApproveRequest>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&request)?;
    let body = body.into_inner();
    let mut errors = FieldErrors::default();
    errors.unknown_fields("", &body.unknown);
    let amount = errors.whole_number("approved_amount_tetri", body.approved_amount_tetri, 0..=MAX_TETRI);
    errors.finish()?;
    let amount = Some(tetri(amount.ok_or_else(|| ApiError::internal("amount missing after validation"))?)?);
    step(caller, &request, &pool, move |tx, who| {
        approve_service(tx, who, &ServiceId::from(id.as_str()), version, amount, today_in_tbilisi())
    })
    .await
}

/// Rejects a service.
///
/// By a manager who did not request it (R12: 409 `four_eyes`), with a reason. `If-Match` required.
#[utoipa::path(post, path = "/api/v1/services/{id}/reject", tag = "services", operation_id = "reject_service",
    request_body = ReasonRequest,
    params(("id" = String, Path, format = Uuid, description = "The service"),
        ("If-Match" = String, Header, description = "The ETag of the service version being rejected")),
    responses((status = 200, body = CaseService),
        (status = 409, body = crate::error::Problem, description = "`four_eyes` or `invalid_transition`")))]
pub async fn reject(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: web::Path<String>,
    body: web::Json<ReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&request)?;
    let reason = reason(body.into_inner())?;
    step(caller, &request, &pool, move |tx, who| {
        reject_service(tx, who, &ServiceId::from(id.as_str()), version, reason, today_in_tbilisi())
    })
    .await
}

pub(crate) fn reason(body: ReasonRequest) -> Result<String, ApiError> {
    let mut errors = FieldErrors::default();
    errors.unknown_fields("", &body.unknown);
    let reason = errors.text("reason", body.reason, 1, 500);
    errors.finish()?;
    reason.ok_or_else(|| ApiError::internal("reason missing after validation"))
}

/// Approves a supplement.
///
/// A delivered cost above the approval needs a new approval of the difference (R10): by a manager
/// who did not request the service (R12), charged to its grant and never beyond it (409
/// `grant_exceeded`). Only for an approved service. `If-Match` required.
#[utoipa::path(post, path = "/api/v1/services/{id}/supplement", tag = "services", operation_id = "approve_supplement",
    request_body = SupplementRequest,
    params(("id" = String, Path, format = Uuid, description = "The service"),
        ("If-Match" = String, Header, description = "The ETag of the service version being supplemented")),
    responses((status = 200, body = CaseService),
        (status = 409, body = crate::error::Problem, description = "`grant_exceeded` (with `remaining_tetri`), `no_grant`, `four_eyes` or `invalid_transition`")))]
pub async fn supplement(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: web::Path<String>,
    body: web::Json<SupplementRequest>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&request)?;
    let body = body.into_inner();
    let mut errors = FieldErrors::default();
    errors.unknown_fields("", &body.unknown);
    let amount = errors.whole_number("amount_tetri", body.amount_tetri, 1..=MAX_TETRI);
    errors.finish()?;
    let amount = tetri(amount.ok_or_else(|| ApiError::internal("amount missing after validation"))?)?;
    step(caller, &request, &pool, move |tx, who| {
        approve_supplement(tx, who, &ServiceId::from(id.as_str()), version, amount, today_in_tbilisi())
    })
    .await
}

/// Records a delivery.
///
/// Of an approved service, with its actual cost: above the approval with its supplements is 409
/// `supplementary_approval_required` (with `excess_tetri`); below it gives the rest back to the
/// grant (R10). `If-Match` required.
#[utoipa::path(post, path = "/api/v1/services/{id}/deliver", tag = "services", operation_id = "deliver_service",
    request_body = DeliverRequest,
    params(("id" = String, Path, format = Uuid, description = "The service"),
        ("If-Match" = String, Header, description = "The ETag of the service version being delivered")),
    responses((status = 200, body = CaseService),
        (status = 409, body = crate::error::Problem, description = "`supplementary_approval_required` (with `excess_tetri`) or `invalid_transition`")))]
pub async fn deliver(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: web::Path<String>,
    body: web::Json<DeliverRequest>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&request)?;
    let body = body.into_inner();
    let mut errors = FieldErrors::default();
    errors.unknown_fields("", &body.unknown);
    let date = errors.optional("delivered_on", body.delivered_on, "a date (YYYY-MM-DD)");
    let sent_date = date.is_some();
    let delivered_on = errors.date("delivered_on", date);
    let actual = errors.whole_number("actual_amount_tetri", body.actual_amount_tetri, 0..=MAX_TETRI);
    let reference = errors.text("reference", body.reference, 0, 200).filter(|r| !r.is_empty());
    errors.finish()?;
    let today = today_in_tbilisi();
    let delivered_on = if sent_date { delivered_on } else { Some(today) };
    let (Some(delivered_on), Some(actual)) = (delivered_on, actual) else {
        return Err(ApiError::internal("delivery fields missing after validation"));
    };
    let command = DeliverService { delivered_on, actual_amount: tetri(actual)?, reference };
    step(caller, &request, &pool, move |tx, who| {
        deliver_service(tx, who, &ServiceId::from(id.as_str()), version, command, today)
    })
    .await
}

/// Cancels a service.
///
/// A requested one (caseworkers and managers) or an approved one (managers only: 403 for a
/// caseworker), with a reason; what was approved goes back to the grant (R10). `If-Match` required.
#[utoipa::path(post, path = "/api/v1/services/{id}/cancel", tag = "services", operation_id = "cancel_service",
    request_body = ReasonRequest,
    params(("id" = String, Path, format = Uuid, description = "The service"),
        ("If-Match" = String, Header, description = "The ETag of the service version being cancelled")),
    responses((status = 200, body = CaseService),
        (status = 409, body = crate::error::Problem, description = "`invalid_transition`: the service is rejected, delivered or cancelled")))]
pub async fn cancel(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: web::Path<String>,
    body: web::Json<ReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&request)?;
    let reason = reason(body.into_inner())?;
    step(caller, &request, &pool, move |tx, who| {
        cancel_service(tx, who, &ServiceId::from(id.as_str()), version, reason)
    })
    .await
}
