//! Program years and grants (`/api/v1/program-years`, `/api/v1/grants`): the ministry's budget
//! for a year and what it awards the NGOs from it (R9), with what each grant has paid for (R10).

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, web};
use application::grants::award_grant::{AwardGrant, award_grant};
use application::grants::change_budget::change_budget;
use application::grants::create_program_year::create_program_year;
use chrono::{NaiveDate, NaiveDateTime};
use domain::codes;
use domain::message::{FieldError, Message};
use domain::money::Tetri;
use domain::service::ServiceType;
use persistence::Pool;
use persistence::repo::grants::{self as repo, GrantFilter, GrantRecord};
use persistence::repo::program_years::{self, ProgramYear as YearRow};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::access::{Caller, request_id};
use crate::db;
use crate::error::ApiError;
use crate::http::{List, Listing, NoFilter, PageQuery, etag, if_match};
use crate::idempotency::{self, Created};
use crate::input::{Field, FieldErrors, not_an_object};
use crate::schema::ServiceTypeSchema;

/// The first and last program year the system takes.
const YEARS: std::ops::RangeInclusive<i64> = 2015..=2100;
/// The largest amount the API takes, in tetri (10 trillion GEL): sums of them never overflow.
const MAX_TETRI: i64 = 1_000_000_000_000_000;

/// A program year: its budget and what its grants have taken of it (R9).
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramYear {
    #[schema(minimum = 2015, maximum = 2100, example = 2017)]
    pub year: i32,
    /// The year's budget, in tetri.
    #[schema(minimum = 0, example = 59_000_000)]
    pub budget_tetri: i64,
    /// The sum of the year's grants.
    #[schema(minimum = 0)]
    pub granted_tetri: i64,
    /// What is left to award: budget minus granted.
    #[schema(minimum = 0)]
    pub remaining_tetri: i64,
    /// S5, direction N0100: what the year sets aside for shelter stays, apart from the grants
    /// (`null`: no allocation, stays are recorded without a cap).
    #[schema(minimum = 0, required = true)]
    pub shelter_allocation_tetri: Option<i64>,
    /// What the year's shelter stays cost (not cancelled).
    #[schema(minimum = 0)]
    pub shelter_spent_tetri: i64,
    #[schema(minimum = 1)]
    pub version: i32,
    #[serde(serialize_with = "crate::http::instant")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::http::instant")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
}

impl From<YearRow> for ProgramYear {
    fn from(y: YearRow) -> Self {
        Self {
            year: y.year,
            budget_tetri: y.budget_tetri,
            granted_tetri: y.granted_tetri,
            remaining_tetri: y.budget_tetri.saturating_sub(y.granted_tetri).max(0),
            shelter_allocation_tetri: y.shelter_allocation_tetri,
            shelter_spent_tetri: y.shelter_spent_tetri,
            version: y.version,
            created_at: y.created_at,
            updated_at: y.updated_at,
        }
    }
}

/// A new program year (administrators only).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({ "year": 2018, "budget_tetri": 59_000_000 }))]
pub struct ProgramYearRequest {
    #[serde(default)]
    #[schema(value_type = i64, required = true, minimum = 2015, maximum = 2100)]
    pub year: Field<Value>,
    /// In tetri (100 tetri = 1 GEL).
    #[serde(default)]
    #[schema(value_type = i64, required = true, minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub budget_tetri: Field<Value>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, Value>,
}

impl ProgramYearRequest {
    fn parse(self) -> Result<(i32, Tetri), ApiError> {
        let mut errors = FieldErrors::default();
        errors.unknown_fields("", &self.unknown);
        let year = errors.whole_number("year", self.year, YEARS);
        let budget = errors.whole_number("budget_tetri", self.budget_tetri, 0..=MAX_TETRI);
        errors.finish()?;
        match (year.and_then(|y| i32::try_from(y).ok()), budget.and_then(|b| Tetri::try_from(b).ok())) {
            (Some(year), Some(budget)) => Ok((year, budget)),
            _ => Err(ApiError::internal("program year fields missing after validation")),
        }
    }
}

/// What a grant has paid for, derived from its services (R10).
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantBalance {
    /// The grant's amount.
    #[schema(minimum = 1)]
    pub granted_tetri: i64,
    /// Approved for services not yet delivered (nor cancelled).
    #[schema(minimum = 0)]
    pub approved_tetri: i64,
    /// Delivered, at the delivered cost.
    #[schema(minimum = 0)]
    pub delivered_tetri: i64,
    /// Approved, then cancelled: released back to the grant (not part of `remaining_tetri`'s deduction).
    #[schema(minimum = 0)]
    pub cancelled_tetri: i64,
    /// What is left to approve: granted minus approved minus delivered.
    #[schema(minimum = 0)]
    pub remaining_tetri: i64,
}

/// A grant's cap on what it pays for one service type.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrantCeiling {
    #[schema(value_type = ServiceTypeSchema)]
    pub service_type: String,
    #[schema(minimum = 1)]
    pub amount_tetri: i64,
}

/// A grant to an NGO for a program year (R9, R10).
#[derive(Debug, Serialize, ToSchema)]
pub struct Grant {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(minimum = 2015, maximum = 2100, example = 2017)]
    pub program_year: i32,
    /// The NGO it was awarded to.
    #[schema(format = Uuid)]
    pub organization_id: String,
    #[schema(minimum = 1)]
    pub amount_tetri: i64,
    /// The first day it pays for.
    pub period_start: NaiveDate,
    /// The last day it pays for.
    pub period_end: NaiveDate,
    /// The ministry's reference (e.g. the contract number).
    #[schema(required = true)]
    pub reference: Option<String>,
    /// Caps on what the grant pays per service type (none: only the grant caps it).
    pub ceilings: Vec<GrantCeiling>,
    pub balance: GrantBalance,
    #[schema(minimum = 1)]
    pub version: i32,
    #[serde(serialize_with = "crate::http::instant")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::http::instant")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
}

impl From<GrantRecord> for Grant {
    fn from(GrantRecord { grant: g, balance: b, ceilings }: GrantRecord) -> Self {
        let used = b.approved_tetri.saturating_add(b.delivered_tetri);
        Self {
            balance: GrantBalance {
                granted_tetri: g.amount_tetri,
                approved_tetri: b.approved_tetri,
                delivered_tetri: b.delivered_tetri,
                cancelled_tetri: b.cancelled_tetri,
                remaining_tetri: g.amount_tetri.saturating_sub(used).max(0),
            },
            id: g.id,
            program_year: g.program_year,
            organization_id: g.organization_id,
            amount_tetri: g.amount_tetri,
            period_start: g.period_start,
            period_end: g.period_end,
            reference: g.reference,
            ceilings: ceilings
                .into_iter()
                .map(|c| GrantCeiling { service_type: c.service_type, amount_tetri: c.amount_tetri })
                .collect(),
            version: g.version,
            created_at: g.created_at,
            updated_at: g.updated_at,
        }
    }
}

/// A grant to award (administrators only).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "program_year": 2017,
    "organization_id": "0190a4e0-5b7c-7e21-a3d4-6f8e9c0b1d22",
    "amount_tetri": 11_800_000,
    "period_start": "2017-03-01",
    "period_end": "2017-12-31",
    "reference": "MRA/2017/RG-03",
    "ceilings": [{ "service_type": "social_project", "amount_tetri": 4_000_000 }]
}))]
pub struct GrantRequest {
    /// A program year (else 422 `unknown_program_year`).
    #[serde(default)]
    #[schema(value_type = i64, required = true, minimum = 2015, maximum = 2100)]
    pub program_year: Field<Value>,
    /// An NGO (else 422 `unknown_organization`; the ministry takes no grants).
    #[serde(default)]
    #[schema(value_type = String, format = Uuid, required = true)]
    pub organization_id: Field<String>,
    /// In tetri, more than zero; with the year's other grants at most its budget (R9).
    #[serde(default)]
    #[schema(value_type = i64, required = true, minimum = 1, maximum = 1_000_000_000_000_000_i64)]
    pub amount_tetri: Field<Value>,
    /// Within the program year.
    #[serde(default)]
    #[schema(value_type = NaiveDate, required = true)]
    pub period_start: Field<String>,
    /// Within the program year, not before the start.
    #[serde(default)]
    #[schema(value_type = NaiveDate, required = true)]
    pub period_end: Field<String>,
    /// 1–200 characters.
    #[serde(default)]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200)]
    pub reference: Field<String>,
    /// Caps per service type: each paid type at most once, each within the grant.
    #[serde(default)]
    #[schema(value_type = Option<Vec<CeilingRequest>>, max_items = 8)]
    pub ceilings: Field<Vec<CeilingRequest>>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, Value>,
}

/// A cap on what a grant pays for one service type.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CeilingRequest {
    /// A service type the grant pays for (not `information`, S6).
    #[serde(default)]
    #[schema(value_type = ServiceTypeSchema, required = true)]
    pub service_type: Field<String>,
    /// In tetri: more than zero, at most the grant.
    #[serde(default)]
    #[schema(value_type = i64, required = true, minimum = 1, maximum = 1_000_000_000_000_000_i64)]
    pub amount_tetri: Field<Value>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, Value>,
}

fn ceilings(errors: &mut FieldErrors, field: Field<Vec<CeilingRequest>>) -> Vec<(ServiceType, Tetri)> {
    let requested = errors.optional("ceilings", field, "an array of ceilings").unwrap_or_default();
    let mut parsed = Vec::new();
    for (i, ceiling) in requested.into_iter().enumerate() {
        errors.unknown_fields(&format!("ceilings[{i}]."), &ceiling.unknown);
        let name = format!("ceilings[{i}].service_type");
        let service_type = errors.required(&name, ceiling.service_type, "a service type").and_then(|code| {
            let found = ServiceType::parse(&code);
            if found.is_none() {
                errors.push(FieldError::new(
                    name.as_str(),
                    codes::UNKNOWN_SERVICE_TYPE,
                    Message::new("ასეთი სერვისი არ არსებობს", "No such service type"),
                ));
            }
            found
        });
        let amount = errors.whole_number(&format!("ceilings[{i}].amount_tetri"), ceiling.amount_tetri, 1..=MAX_TETRI);
        if let (Some(service_type), Some(amount)) = (service_type, amount.and_then(|a| Tetri::try_from(a).ok())) {
            parsed.push((service_type, amount));
        }
    }
    parsed
}

impl GrantRequest {
    fn parse(self) -> Result<AwardGrant, ApiError> {
        let mut errors = FieldErrors::default();
        errors.unknown_fields("", &self.unknown);
        let program_year = errors.whole_number("program_year", self.program_year, YEARS);
        let organization_id = errors.required("organization_id", self.organization_id, "an id");
        let organization_id = errors.uuid("organization_id", organization_id);
        let amount = errors.whole_number("amount_tetri", self.amount_tetri, 1..=MAX_TETRI);
        let start = errors.required("period_start", self.period_start, "a date (YYYY-MM-DD)");
        let period_start = errors.date("period_start", start);
        let end = errors.required("period_end", self.period_end, "a date (YYYY-MM-DD)");
        let period_end = errors.date("period_end", end);
        let reference = errors.text("reference", self.reference, 0, 200).filter(|r| !r.is_empty());
        let ceilings = ceilings(&mut errors, self.ceilings);
        errors.finish()?;
        match (program_year, organization_id, amount, period_start, period_end) {
            (Some(year), Some(organization_id), Some(amount), Some(period_start), Some(period_end)) => Ok(AwardGrant {
                program_year: i32::try_from(year).map_err(ApiError::internal)?,
                organization_id,
                amount: Tetri::try_from(amount).map_err(|_| ApiError::internal("negative amount after validation"))?,
                period_start,
                period_end,
                reference,
                ceilings,
            }),
            _ => Err(ApiError::internal("grant fields missing after validation")),
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GrantQuery {
    /// Only the grants of this program year.
    #[param(minimum = 2015, maximum = 2100)]
    pub program_year: Option<i32>,
    /// Only the grants of this NGO.
    #[param(format = Uuid)]
    pub organization_id: Option<String>,
}

/// Lists the program years.
///
/// Every program year in order, with its budget and what its grants have taken of it (R9).
#[utoipa::path(get, path = "/api/v1/program-years", tag = "grants", operation_id = "list_program_years",
    params(PageQuery), responses((status = 200, body = List<ProgramYear>)))]
pub async fn list_years(
    pool: web::Data<Pool>,
    Listing { page, .. }: Listing<NoFilter>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::default();
    let page = page.parse(&mut errors);
    let after = page.after_key::<i32>(&mut errors);
    errors.finish()?;
    let found = db::read(&pool, move |conn| Ok(program_years::list(conn, after, page.limit)?)).await?;
    Ok(HttpResponse::Ok().json(List::from_page(found, ProgramYear::from)))
}

/// Reads a program year.
///
/// Its budget and what its grants have taken of it (R9).
#[utoipa::path(get, path = "/api/v1/program-years/{year}", tag = "grants", operation_id = "get_program_year",
    params(("year" = i32, Path, minimum = 2015, maximum = 2100, description = "The year")),
    responses((status = 200, body = ProgramYear)))]
pub async fn show_year(pool: web::Data<Pool>, year: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let year = year.parse::<i32>().map_err(|_| ApiError::not_found())?;
    let found = db::read(&pool, move |conn| Ok(program_years::get(conn, year)?)).await?;
    Ok(HttpResponse::Ok().insert_header(etag(found.version)).json(ProgramYear::from(found)))
}

/// Opens a program year.
///
/// A year with its budget (R9). Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/program-years", tag = "grants", operation_id = "create_program_year",
    request_body = ProgramYearRequest,
    responses((status = 201, body = ProgramYear), (status = 409, body = crate::error::Problem, description = "The year exists (`conflict`)")))]
pub async fn create_year(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let parsed: ProgramYearRequest = serde_json::from_value(body.clone()).map_err(|_| not_an_object())?;
    let (year, budget) = parsed.parse()?;
    idempotency::create(&pool, &caller, &request, &body, move |tx| {
        Created::new(ProgramYear::from(create_program_year(tx, year, budget)?))
    })
    .await
}

/// A program year's new budget (administrators only).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({ "budget_tetri": 60_000_000, "shelter_allocation_tetri": 1_500_000 }))]
pub struct BudgetRequest {
    /// In tetri; not below what the year's grants add up to (R9).
    #[serde(default)]
    #[schema(value_type = i64, required = true, minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub budget_tetri: Field<Value>,
    /// S5: the year's shelter allocation (direction N0100), not below what its stays cost
    /// (`shelter_allocation_exceeded` with `shelter_spent_tetri`); `null` removes it; absent:
    /// unchanged.
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub shelter_allocation_tetri: Field<Value>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, Value>,
}

/// Changes a program year's budget.
///
/// Never below what the year's grants add up to (R9: 409 `budget_exceeded` with `granted_tetri`,
/// also when an award races the change); with its shelter allocation (S5), never below what the
/// year's stays cost (409 `shelter_allocation_exceeded`). `If-Match` required.
#[utoipa::path(put, path = "/api/v1/program-years/{year}", tag = "grants", operation_id = "update_program_year",
    request_body = BudgetRequest,
    params(("year" = i32, Path, minimum = 2015, maximum = 2100, description = "The year"),
        ("If-Match" = String, Header, description = "The ETag of the year's version being changed")),
    responses((status = 200, body = ProgramYear),
        (status = 409, body = crate::error::Problem, description = "R9: the year's grants exceed the new budget (`budget_exceeded`, with `granted_tetri`); S5: its shelter stays exceed the new allocation (`shelter_allocation_exceeded`, with `shelter_spent_tetri`)")))]
pub async fn update_year(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    year: web::Path<String>,
    body: web::Json<BudgetRequest>,
) -> Result<HttpResponse, ApiError> {
    let year = year.parse::<i32>().map_err(|_| ApiError::not_found())?;
    let version = if_match(&request)?;
    let body = body.into_inner();
    let mut errors = FieldErrors::default();
    errors.unknown_fields("", &body.unknown);
    let budget = errors.whole_number("budget_tetri", body.budget_tetri, 0..=MAX_TETRI);
    let allocation = match body.shelter_allocation_tetri {
        Field::Missing => None,
        Field::Null => Some(None),
        sent => errors.whole_number("shelter_allocation_tetri", sent, 0..=MAX_TETRI).map(Some),
    };
    errors.finish()?;
    let budget =
        budget.and_then(|b| Tetri::try_from(b).ok()).ok_or_else(|| ApiError::internal("budget after validation"))?;
    let allocation = allocation
        .map(|a| {
            a.map(|a| Tetri::try_from(a).map_err(|_| ApiError::internal("allocation after validation"))).transpose()
        })
        .transpose()?;
    let changed = db::write(&pool, caller.actor(), request_id(&request), move |tx| {
        Ok(change_budget(tx, year, version, budget, allocation)?)
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header(etag(changed.version)).json(ProgramYear::from(changed)))
}

/// Lists grants.
///
/// The grants the caller may see (R11: an NGO its own), in award order, with their balances.
#[utoipa::path(get, path = "/api/v1/grants", tag = "grants", operation_id = "list_grants",
    params(PageQuery, GrantQuery), responses((status = 200, body = List<Grant>)))]
pub async fn list(
    caller: Caller,
    pool: web::Data<Pool>,
    Listing { page, filter }: Listing<GrantQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::default();
    let page = page.parse(&mut errors);
    let query = filter.into_inner();
    let filter = GrantFilter {
        program_year: query.program_year,
        organization_id: errors.uuid("organization_id", query.organization_id),
    };
    errors.finish()?;
    let visibility = caller.visibility();
    let found =
        db::read(&pool, move |conn| Ok(repo::list(conn, &visibility, &filter, page.after.as_deref(), page.limit)?))
            .await?;
    Ok(HttpResponse::Ok().json(List::from_page(found, Grant::from)))
}

/// Reads a grant.
///
/// With its balance: granted, approved, delivered and remaining, derived from its services (R10).
#[utoipa::path(get, path = "/api/v1/grants/{id}", tag = "grants", operation_id = "get_grant",
    params(("id" = String, Path, format = Uuid, description = "The grant")),
    responses((status = 200, body = Grant)))]
pub async fn show(caller: Caller, pool: web::Data<Pool>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let visibility = caller.visibility();
    let found = db::read(&pool, move |conn| Ok(repo::get(conn, &visibility, &id)?)).await?;
    Ok(HttpResponse::Ok().insert_header(etag(found.grant.version)).json(Grant::from(found)))
}

/// Awards a grant.
///
/// To an NGO for a program year, never beyond what is left of the year's budget (R9: 409
/// `budget_exceeded` with `remaining_tetri`, also when awards race). One grant per NGO and year.
/// Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/grants", tag = "grants", operation_id = "award_grant",
    request_body = GrantRequest,
    responses((status = 201, body = Grant),
        (status = 409, body = crate::error::Problem, description = "R9: `budget_exceeded` (with `remaining_tetri`), or the NGO has a grant for the year (`conflict`)")))]
pub async fn create(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let parsed: GrantRequest = serde_json::from_value(body.clone()).map_err(|_| not_an_object())?;
    let command = parsed.parse()?;
    idempotency::create(&pool, &caller, &request, &body, move |tx| Created::new(Grant::from(award_grant(tx, command)?)))
        .await
}
