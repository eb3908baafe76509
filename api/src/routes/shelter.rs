//! Temporary shelter (`/api/v1/arrivals/{id}/shelter-stays`, `/api/v1/shelter-stays`): stays right
//! after the return, recorded by ministry staff on the arrival (S5: R6, R7, R8), paid under state
//! program direction N0100 against the program year.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, web};
use application::ArrivalId;
use application::shelter::book_stay::{BookStay, book_stay};
use application::shelter::cancel_stay::cancel_stay;
use application::shelter::check_out_stay::{CheckOut, check_out_stay};
use chrono::{NaiveDate, NaiveDateTime};
use domain::money::Tetri;
use domain::region::RegionCode;
use persistence::repo::shelter::{self as repo, ShelterStay as StayRow, StayFilter};
use persistence::{Pool, Visibility};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::access::Caller;
use crate::db;
use crate::error::ApiError;
use crate::http::{List, Listing, PageQuery, etag, if_match};
use crate::idempotency::{self, Created};
use crate::input::{Field, FieldErrors, not_an_object};
use crate::routes::services::ReasonRequest;
use crate::schema::{RegionCodeSchema, ShelterRegionCodeSchema};

const MAX_TETRI: i64 = 1_000_000_000_000_000;

/// A shelter stay on a return (S5).
#[derive(Debug, Serialize, ToSchema)]
pub struct ShelterStay {
    #[schema(format = Uuid)]
    pub id: String,
    /// The return it is for (R8: shelter hangs on the arrival, not on a case).
    #[schema(format = Uuid)]
    pub arrival_id: String,
    /// R6: GE-TB, GE-KK or GE-MM.
    #[schema(value_type = ShelterRegionCodeSchema)]
    pub region_code: String,
    pub shelter_name: String,
    /// The first night.
    pub check_in: NaiveDate,
    /// The morning it ends: as booked, or the actual one after an early check-out.
    pub check_out: NaiveDate,
    /// The check-out booked.
    pub planned_check_out: NaiveDate,
    /// The nights it holds of the return's four (R7): none once cancelled.
    #[schema(minimum = 0, maximum = 4)]
    pub nights: i32,
    /// `booked`, `checked_out` or `cancelled`.
    #[schema(example = "booked")]
    pub status: String,
    /// Direction N0100, against `program_year`.
    #[schema(minimum = 0)]
    pub cost_tetri: i64,
    #[schema(minimum = 2015, maximum = 2100)]
    pub program_year: i32,
    /// The ministry officer who recorded it.
    #[schema(format = Uuid, required = true)]
    pub recorded_by_user_id: Option<String>,
    /// Why it was cancelled.
    #[schema(required = true)]
    pub reason: Option<String>,
    #[schema(minimum = 1)]
    pub version: i32,
    #[serde(serialize_with = "crate::http::instant")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::http::instant")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
}

impl From<StayRow> for ShelterStay {
    fn from(s: StayRow) -> Self {
        Self {
            nights: s.nights(),
            id: s.id,
            arrival_id: s.arrival_id,
            region_code: s.region_code,
            shelter_name: s.shelter_name,
            check_in: s.check_in,
            check_out: s.check_out,
            planned_check_out: s.planned_check_out,
            status: s.status,
            cost_tetri: s.cost_tetri,
            program_year: s.program_year,
            recorded_by_user_id: s.recorded_by_user_id,
            reason: s.reason,
            version: s.version,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// A stay to record (ministry officers).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "region_code": "GE-TB",
    "shelter_name": "Tbilisi transit shelter, Gldani",
    "check_in": "2017-03-01",
    "check_out": "2017-03-04",
    "cost_tetri": 24_000
}))]
pub struct StayRequest {
    /// R6: GE-TB, GE-KK or GE-MM (else 409 `shelter_region_not_covered`).
    #[serde(default)]
    #[schema(value_type = RegionCodeSchema, required = true)]
    pub region_code: Field<String>,
    /// 1–200 characters.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 200)]
    pub shelter_name: Field<String>,
    /// The first night: the return date or the day after (R8), or the check-out day of a stay
    /// already recorded for the return (a longer stay is a new one).
    #[serde(default)]
    #[schema(value_type = NaiveDate, required = true)]
    pub check_in: Field<String>,
    /// After the check-in; with the return's other stays at most 4 nights (R7).
    #[serde(default)]
    #[schema(value_type = NaiveDate, required = true)]
    pub check_out: Field<String>,
    /// Its cost under direction N0100 (absent: 0), against the program year of the first night.
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub cost_tetri: Field<Value>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, Value>,
}

impl StayRequest {
    fn parse(self, arrival_id: String) -> Result<BookStay, ApiError> {
        let mut errors = FieldErrors::default();
        errors.unknown_fields("", &self.unknown);
        let region = errors.required("region_code", self.region_code, "a region code");
        let region = errors.region("region_code", region);
        let shelter_name = errors.text("shelter_name", self.shelter_name, 1, 200);
        let check_in = errors.required("check_in", self.check_in, "a date (YYYY-MM-DD)");
        let check_in = errors.date("check_in", check_in);
        let check_out = errors.required("check_out", self.check_out, "a date (YYYY-MM-DD)");
        let check_out = errors.date("check_out", check_out);
        let cost = match errors.optional("cost_tetri", self.cost_tetri.clone(), "an integer") {
            Some(_) => errors.whole_number("cost_tetri", self.cost_tetri, 0..=MAX_TETRI),
            None => Some(0),
        };
        errors.finish()?;
        match (region.and_then(|r| RegionCode::parse(&r).ok()), shelter_name, check_in, check_out, cost) {
            (Some(region), Some(shelter_name), Some(check_in), Some(check_out), Some(cost)) => Ok(BookStay {
                arrival_id: ArrivalId::from(arrival_id),
                region,
                shelter_name,
                check_in,
                check_out,
                cost: Tetri::try_from(cost).map_err(|_| ApiError::internal("negative cost after validation"))?,
            }),
            _ => Err(ApiError::internal("stay fields missing after validation")),
        }
    }
}

/// A check-out (ministry officers).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({ "check_out": "2017-03-03", "cost_tetri": 16_000 }))]
pub struct CheckOutRequest {
    /// The morning the person left: after the first night, not after the planned check-out
    /// (staying longer is a new stay, R7). Nights not used are freed.
    #[serde(default)]
    #[schema(value_type = NaiveDate, required = true)]
    pub check_out: Field<String>,
    /// The actual cost, if it differs from the booked one.
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub cost_tetri: Field<Value>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, Value>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StayQuery {
    /// Only the stays of this return.
    #[param(format = Uuid)]
    pub arrival_id: Option<String>,
    /// Only stays in this region.
    #[param(value_type = Option<ShelterRegionCodeSchema>)]
    pub region_code: Option<String>,
    /// Only stays with a night on or after this day.
    pub from: Option<NaiveDate>,
    /// Only stays with a night on or before this day.
    pub to: Option<NaiveDate>,
    /// `true`: only booked stays (not checked out or cancelled); `false`: only those that ended.
    pub open: Option<bool>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArrivalStayQuery {
    /// `true`: only booked stays; `false`: only those that ended.
    pub open: Option<bool>,
}

async fn page(
    caller: &Caller,
    pool: &Pool,
    page: PageQuery,
    filter: StayFilter,
    arrival: Option<String>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::default();
    let page = page.parse(&mut errors);
    let after = page.after.as_deref().map(|key| repo::parse_key(key).ok_or_else(crate::http::invalid_cursor));
    let after = match after.transpose() {
        Ok(after) => after,
        Err(error) => {
            errors.push(error);
            None
        }
    };
    errors.finish()?;
    let visibility = caller.visibility();
    let found = db::read(pool, move |conn| {
        if let Some(arrival_id) = &arrival {
            // The return must exist; whose stays the caller sees is R11's, below.
            persistence::repo::arrivals::get(conn, &Visibility::All, arrival_id)?;
        }
        Ok(repo::list(conn, &visibility, &filter, after, page.limit)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(List::from_page(found, ShelterStay::from)))
}

/// Lists shelter stays.
///
/// By first night, filtered by region, period, return and whether open. The ministry and
/// auditors see every stay; an NGO the stays of returns it holds a case for (R11).
#[utoipa::path(get, path = "/api/v1/shelter-stays", tag = "shelter", operation_id = "list_shelter_stays",
    params(PageQuery, StayQuery), responses((status = 200, body = List<ShelterStay>)))]
pub async fn list(
    caller: Caller,
    pool: web::Data<Pool>,
    Listing { page: paging, filter }: Listing<StayQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = filter.into_inner();
    let mut errors = FieldErrors::default();
    let filter = StayFilter {
        arrival_id: errors.uuid("arrival_id", query.arrival_id),
        region_code: errors.region("region_code", query.region_code),
        from: query.from,
        to: query.to,
        open: query.open,
    };
    errors.finish()?;
    page(&caller, &pool, paging, filter, None).await
}

/// Lists a return's shelter stays.
///
/// By first night; as for `GET /api/v1/shelter-stays`, an NGO sees them once it holds a case for
/// the return.
#[utoipa::path(get, path = "/api/v1/arrivals/{id}/shelter-stays", tag = "shelter", operation_id = "list_arrival_shelter_stays",
    params(("id" = String, Path, format = Uuid, description = "The arrival"), PageQuery, ArrivalStayQuery),
    responses((status = 200, body = List<ShelterStay>)))]
pub async fn list_for_arrival(
    caller: Caller,
    pool: web::Data<Pool>,
    id: web::Path<String>,
    Listing { page: paging, filter }: Listing<ArrivalStayQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let filter = StayFilter { arrival_id: Some(id.clone()), open: filter.into_inner().open, ..StayFilter::default() };
    page(&caller, &pool, paging, filter, Some(id)).await
}

/// Reads a shelter stay.
#[utoipa::path(get, path = "/api/v1/shelter-stays/{id}", tag = "shelter", operation_id = "get_shelter_stay",
    params(("id" = String, Path, format = Uuid, description = "The stay")),
    responses((status = 200, body = ShelterStay)))]
pub async fn show(caller: Caller, pool: web::Data<Pool>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let visibility = caller.visibility();
    let found = db::read(&pool, move |conn| Ok(repo::get(conn, &visibility, &id)?)).await?;
    Ok(HttpResponse::Ok().insert_header(etag(found.version)).json(ShelterStay::from(found)))
}

/// Records a shelter stay.
///
/// On the return, by ministry staff: the arrival records a shelter need seen at the point of
/// arrival (R8: 409 `shelter_need_not_recorded`), the first night is the return date or the day
/// after (`shelter_start_out_of_window`), the region is covered (R6: `shelter_region_not_covered`),
/// and the return's stays add up to at most 4 nights, also when booked at the same moment (R7:
/// `shelter_nights_exceeded` with `nights_left`). The cost goes to the program year of the first
/// night, within its shelter allocation (`shelter_allocation_exceeded`). Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/arrivals/{id}/shelter-stays", tag = "shelter", operation_id = "record_shelter_stay",
    params(("id" = String, Path, format = Uuid, description = "The arrival")),
    request_body = StayRequest,
    responses((status = 201, body = ShelterStay),
        (status = 409, body = crate::error::Problem, description = "R6–R8 or the allocation: `shelter_region_not_covered`, `shelter_nights_exceeded` (with `nights_left`), `shelter_need_not_recorded`, `shelter_start_out_of_window`, `shelter_allocation_exceeded` (with `remaining_tetri`)")))]
pub async fn create(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: web::Path<String>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let parsed: StayRequest = serde_json::from_value(body.clone()).map_err(|_| not_an_object())?;
    let command = parsed.parse(id.into_inner())?;
    let who = (*caller).clone();
    idempotency::create_at(&pool, &caller, &request, &body, "/api/v1/shelter-stays", move |tx| {
        Created::new(ShelterStay::from(book_stay(tx, &who, command)?))
    })
    .await
}

/// Records a check-out.
///
/// Of a booked stay: an early one shortens the stay and frees its nights (R7); staying past the
/// planned check-out is a new stay (422 `after_planned_check_out`). `If-Match` required.
#[utoipa::path(post, path = "/api/v1/shelter-stays/{id}/check-out", tag = "shelter", operation_id = "check_out_shelter_stay",
    request_body = CheckOutRequest,
    params(("id" = String, Path, format = Uuid, description = "The stay"),
        ("If-Match" = String, Header, description = "The ETag of the stay version being checked out")),
    responses((status = 200, body = ShelterStay),
        (status = 409, body = crate::error::Problem, description = "`invalid_transition` (the stay ended), or `shelter_allocation_exceeded`")))]
pub async fn check_out(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: web::Path<String>,
    body: web::Json<CheckOutRequest>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&request)?;
    let body = body.into_inner();
    let mut errors = FieldErrors::default();
    errors.unknown_fields("", &body.unknown);
    let day = errors.required("check_out", body.check_out, "a date (YYYY-MM-DD)");
    let day = errors.date("check_out", day);
    let cost = match errors.optional("cost_tetri", body.cost_tetri.clone(), "an integer") {
        Some(_) => errors.whole_number("cost_tetri", body.cost_tetri, 0..=MAX_TETRI),
        None => None,
    };
    errors.finish()?;
    let on = day.ok_or_else(|| ApiError::internal("check-out date after validation"))?;
    let cost = cost.map(|c| Tetri::try_from(c).map_err(|_| ApiError::internal("negative cost"))).transpose()?;
    let stay = db::write_as(&pool, &caller, &request, move |tx, who| {
        check_out_stay(tx, who, &id, version, CheckOut { on, cost })
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header(etag(stay.version)).json(ShelterStay::from(stay)))
}

/// Cancels a shelter stay.
///
/// A booked stay, with a reason: its nights go back to the return (R7) and its cost to the year.
/// `If-Match` required.
#[utoipa::path(post, path = "/api/v1/shelter-stays/{id}/cancel", tag = "shelter", operation_id = "cancel_shelter_stay",
    request_body = ReasonRequest,
    params(("id" = String, Path, format = Uuid, description = "The stay"),
        ("If-Match" = String, Header, description = "The ETag of the stay version being cancelled")),
    responses((status = 200, body = ShelterStay),
        (status = 409, body = crate::error::Problem, description = "`invalid_transition`: the stay ended")))]
pub async fn cancel(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: web::Path<String>,
    body: web::Json<ReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&request)?;
    let reason = crate::routes::services::reason(body.into_inner())?;
    let stay =
        db::write_as(&pool, &caller, &request, move |tx, who| cancel_stay(tx, who, &id, version, reason)).await?;
    Ok(HttpResponse::Ok().insert_header(etag(stay.version)).json(ShelterStay::from(stay)))
}
