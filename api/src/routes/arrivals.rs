//! Arrivals (`/api/v1/arrivals`): a return recorded at the point of arrival, with the stay
//! abroad (countries, irregular periods, asylum) and the needs seen there (S5, R8). It may exist
//! before its person is known by number; it is linked when the person is registered.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime};
use domain::case::{CountryCode, PointOfArrival};
use domain::message::{FieldError, Message};
use domain::period::DatePeriod;
use domain::person_id::PersonalNumber;
use persistence::Pool;
use persistence::models::registration::{Arrival as ArrivalRow, IrregularPeriod};
use persistence::repo::arrivals::{self as repo, ArrivalFilter, ArrivalRecord};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::access::{Caller, request_id};
use crate::db;
use crate::error::ApiError;
use crate::http::{List, PageQuery, etag, if_match};
use crate::idempotency::{self, Created};
use crate::input::{Field, FieldErrors};
use crate::routes::eligibility::{PeriodRequest, PeriodSchema, parse_periods, today_in_tbilisi};

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Needs {
    /// Temporary shelter (S5); R8 counts it only when ministry staff recorded it here.
    pub shelter: bool,
    pub medical: bool,
    pub other: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Period {
    pub start: NaiveDate,
    /// Exclusive: days = end − start.
    pub end: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Arrival {
    pub id: String,
    pub person_id: Option<String>,
    pub personal_number: Option<String>,
    /// The return date (R2, R3).
    pub arrival_date: NaiveDate,
    /// `tbilisi_airport`, `kutaisi_airport`, `batumi_airport`, `land_border` or `sea_port`.
    pub point_of_arrival: String,
    /// ISO 3166-1 alpha-2 codes of the stay abroad.
    pub countries: Vec<String>,
    pub irregular_periods: Vec<Period>,
    pub asylum_applied: Option<bool>,
    pub asylum_held: Option<bool>,
    pub needs: Needs,
    /// The organisation that recorded it (the ministry at the airport, or an NGO).
    pub organization_id: String,
    pub version: i32,
    #[serde(serialize_with = "crate::http::instant")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::http::instant")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
}

impl From<ArrivalRecord> for Arrival {
    fn from(record: ArrivalRecord) -> Self {
        let a = record.arrival;
        Self {
            id: a.id,
            person_id: a.person_id,
            personal_number: a.personal_number,
            arrival_date: a.arrival_date,
            point_of_arrival: a.point_of_arrival,
            countries: serde_json::from_str(&a.countries).unwrap_or_default(),
            irregular_periods: record
                .irregular_periods
                .into_iter()
                .map(|p| Period { start: p.start_date, end: p.end_date })
                .collect(),
            asylum_applied: a.asylum_applied,
            asylum_held: a.asylum_held,
            needs: Needs { shelter: a.need_shelter, medical: a.need_medical, other: a.need_other },
            organization_id: a.organization_id,
            version: a.version,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ArrivalRequest {
    /// The person's personal number, when known at the point of arrival.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "01001012345")]
    pub personal_number: Field<String>,
    #[serde(default)]
    #[schema(value_type = NaiveDate, example = "2017-03-01")]
    pub arrival_date: Field<String>,
    #[serde(default)]
    #[schema(value_type = String, example = "tbilisi_airport")]
    pub point_of_arrival: Field<String>,
    #[serde(default)]
    #[schema(value_type = Vec<String>, example = json!(["IT", "DE"]))]
    pub countries: Field<Vec<String>>,
    /// R2a: end-exclusive, not after the arrival date.
    #[serde(default)]
    #[schema(value_type = Option<Vec<PeriodSchema>>)]
    pub irregular_periods: Field<Vec<PeriodRequest>>,
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub asylum_applied: Field<bool>,
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub asylum_held: Field<bool>,
    #[serde(default)]
    #[schema(value_type = Option<Needs>)]
    pub needs: Field<NeedsRequest>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct NeedsRequest {
    #[serde(default)]
    pub shelter: Field<bool>,
    #[serde(default)]
    pub medical: Field<bool>,
    #[serde(default)]
    pub other: Field<String>,
}

impl ArrivalRequest {
    fn parse(self, today: NaiveDate) -> Result<(ArrivalRow, Vec<DatePeriod>), ApiError> {
        let mut errors = FieldErrors::default();
        errors.unknown_fields("", &self.unknown);
        let number = errors.optional("personal_number", self.personal_number, "a string");
        let personal_number =
            errors.parse("personal_number", number, PersonalNumber::parse, |e| (e.code(), e.message()));
        let date = errors.required("arrival_date", self.arrival_date, "a date (YYYY-MM-DD)");
        let arrival_date = errors.date("arrival_date", date);
        if arrival_date.is_some_and(|d| d > today) {
            errors.push(FieldError::new(
                "arrival_date",
                "return_in_future",
                Message::new("დაბრუნების თარიღი მომავალშია", "The arrival date is in the future"),
            ));
        }
        let point = errors.required("point_of_arrival", self.point_of_arrival, "a string");
        let point = errors.parse(
            "point_of_arrival",
            point,
            |s| PointOfArrival::parse(s).ok_or(()),
            |()| {
                (
                    "unknown_point_of_arrival",
                    Message::new(
                        "tbilisi_airport, kutaisi_airport, batumi_airport, land_border ან sea_port",
                        "tbilisi_airport, kutaisi_airport, batumi_airport, land_border or sea_port",
                    ),
                )
            },
        );
        let mut countries = Vec::new();
        for (i, code) in errors
            .optional("countries", self.countries, "an array of country codes")
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            match CountryCode::parse(code) {
                Some(country) => countries.push(country.as_str().to_owned()),
                None => errors.push(FieldError::new(
                    format!("countries[{i}]"),
                    "invalid_country",
                    Message::new(
                        "ქვეყნის კოდი ISO 3166-1 alpha-2 (არა GE)",
                        "An ISO 3166-1 alpha-2 country code (not GE)",
                    ),
                )),
            }
        }
        let periods = errors.optional("irregular_periods", self.irregular_periods, "an array of periods");
        let periods = parse_periods(&mut errors, periods.unwrap_or_default());
        if let Some(arrival) = arrival_date {
            for (i, period) in periods.iter().enumerate() {
                if period.end() > arrival {
                    errors.push(FieldError::new(
                        format!("irregular_periods[{i}].end"),
                        "period_ends_after_return",
                        Message::new("პერიოდი დაბრუნების შემდეგ მთავრდება", "The period ends after the arrival date"),
                    ));
                }
            }
        }
        let asylum_applied = errors.optional("asylum_applied", self.asylum_applied, "true or false");
        let asylum_held = errors.optional("asylum_held", self.asylum_held, "true or false");
        let needs = errors.optional("needs", self.needs, "an object").unwrap_or_default();
        let need_shelter = errors.optional("needs.shelter", needs.shelter, "true or false").unwrap_or(false);
        let need_medical = errors.optional("needs.medical", needs.medical, "true or false").unwrap_or(false);
        let need_other = errors.text("needs.other", needs.other, 0, 500).filter(|s| !s.is_empty());
        errors.finish()?;
        let (Some(arrival_date), Some(point)) = (arrival_date, point) else {
            return Err(ApiError::internal("arrival fields missing after validation"));
        };
        let now = persistence::now_utc();
        let row = ArrivalRow {
            id: String::new(),
            person_id: None,
            personal_number: personal_number.map(|n| n.as_str().to_owned()),
            arrival_date,
            point_of_arrival: point.as_str().to_owned(),
            countries: serde_json::to_string(&countries).unwrap_or_else(|_| "[]".to_owned()),
            asylum_applied,
            asylum_held,
            need_shelter,
            need_medical,
            need_other,
            recorded_by_user_id: None,
            organization_id: String::new(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        Ok((row, periods))
    }
}

fn record(arrival: ArrivalRow, periods: &[DatePeriod]) -> ArrivalRecord {
    let irregular_periods = periods
        .iter()
        .map(|p| IrregularPeriod {
            id: persistence::new_id(),
            arrival_id: arrival.id.clone(),
            start_date: p.start(),
            end_date: p.end(),
        })
        .collect();
    ArrivalRecord { arrival, irregular_periods }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArrivalQuery {
    pub personal_number: Option<String>,
    pub person_id: Option<String>,
    /// Only arrivals with (or without) a shelter need.
    pub need_shelter: Option<bool>,
}

/// Records a return. A known personal number links it to its person at once. Honours
/// `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/arrivals", tag = "registration", operation_id = "create_arrival", request_body = ArrivalRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried create return the first response")),
    responses((status = 201, body = Arrival), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let parsed: ArrivalRequest = serde_json::from_value(body.clone()).map_err(|_| crate::input::not_an_object())?;
    let (mut row, periods) = parsed.parse(today_in_tbilisi())?;
    row.id = persistence::new_id();
    row.organization_id = caller.organization_id.clone();
    if caller.kind == crate::access::PrincipalKind::User {
        row.recorded_by_user_id = Some(caller.id.clone());
    }
    idempotency::create(&pool, &caller, &request, &body, move |tx| {
        if let Some(holder) = persistence::repo::persons::find_holder(tx.read(), row.personal_number.as_deref(), None)?
        {
            row.person_id = Some(holder.person.id);
        }
        let created = repo::create(tx, record(row, &periods))?;
        Created::new(Arrival::from(created))
    })
    .await
}

/// Arrivals the caller may see: the ministry all; an NGO its own and the airport's.
#[utoipa::path(get, path = "/api/v1/arrivals", tag = "registration", operation_id = "list_arrivals", params(PageQuery, ArrivalQuery),
    responses((status = 200, body = List<Arrival>)))]
pub async fn list(
    caller: Caller,
    pool: web::Data<Pool>,
    page: web::Query<PageQuery>,
    query: web::Query<ArrivalQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::default();
    let page = page.parse(&mut errors);
    errors.finish()?;
    let q = query.into_inner();
    let filter =
        ArrivalFilter { personal_number: q.personal_number, person_id: q.person_id, need_shelter: q.need_shelter };
    let visibility = caller.visibility();
    let found =
        db::read(&pool, move |conn| Ok(repo::list(conn, &visibility, &filter, page.after.as_deref(), page.limit)?))
            .await?;
    Ok(HttpResponse::Ok().json(List::from_page(found, Arrival::from)))
}

#[utoipa::path(get, path = "/api/v1/arrivals/{id}", tag = "registration", operation_id = "get_arrival",
    responses((status = 200, body = Arrival, headers(("ETag" = String))), (status = 404, body = crate::error::Problem)))]
pub async fn show(caller: Caller, pool: web::Data<Pool>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let visibility = caller.visibility();
    let found = db::read(&pool, move |conn| Ok(repo::get(conn, &visibility, &id)?)).await?;
    Ok(HttpResponse::Ok().insert_header(etag(found.arrival.version)).json(Arrival::from(found)))
}

/// Corrects an arrival (`If-Match` required); only its recorder (or the ministry) may.
#[utoipa::path(put, path = "/api/v1/arrivals/{id}", tag = "registration", operation_id = "update_arrival", request_body = ArrivalRequest,
    params(("If-Match" = String, Header, description = "The ETag of the version being changed")),
    responses((status = 200, body = Arrival), (status = 412, body = crate::error::Problem), (status = 428, body = crate::error::Problem)))]
pub async fn update(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: web::Path<String>,
    body: web::Json<ArrivalRequest>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&request)?;
    let (mut row, periods) = body.into_inner().parse(today_in_tbilisi())?;
    let visibility = caller.visibility();
    let updated = db::write(&pool, caller.actor(), request_id(&request), move |tx| {
        let current = repo::get(tx.read(), &visibility, &id)?;
        // Visible is not writable: an NGO reads the airport's arrivals but changes only its own.
        if !visibility.allows(&current.arrival.organization_id) {
            return Err(ApiError::forbidden());
        }
        row.id = current.arrival.id.clone();
        row.person_id = current.arrival.person_id.clone();
        Ok(repo::update(tx, version, record(row, &periods))?)
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header(etag(updated.arrival.version)).json(Arrival::from(updated)))
}
