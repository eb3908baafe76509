//! Arrivals (`/api/v1/arrivals`): a return recorded at the point of arrival, with the stay
//! abroad (countries, irregular periods, asylum) and the needs seen there (S5, R8). It may exist
//! before its person is known by number; it is linked when the person is registered.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, web};
use application::ArrivalId;
use application::arrivals::correct_arrival::{CorrectArrival, correct_arrival};
use application::arrivals::read_arrival::{self, medical_notes_shown, read_arrival};
use application::arrivals::record_arrival::{self, record_arrival};
use application::arrivals::{ArrivalDetails, ArrivalDraft};
use application::clock::today_in_tbilisi;
use chrono::{NaiveDate, NaiveDateTime};
use domain::case::{CountryCode, PointOfArrival};
use domain::codes;
use domain::message::{FieldError, Message};
use domain::person_id::PersonalNumber;
use persistence::Pool;
use persistence::repo::arrivals::{self as repo, ArrivalFilter, ArrivalRecord};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::access::{Caller, request_id};
use crate::db;
use crate::error::ApiError;
use crate::http::{List, Listing, PageQuery, etag, if_match};
use crate::idempotency::{self, Created};
use crate::input::{Field, FieldErrors};
use crate::routes::eligibility::{PeriodRequest, PeriodSchema, parse_periods};
use crate::schema::{CountryCodeSchema, PersonalNumberSchema, PointOfArrivalSchema};

/// The needs seen at the point of arrival.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Needs {
    /// Temporary shelter (S5); R8 counts it only when ministry staff recorded it here.
    pub shelter: bool,
    /// A medical need was seen. Everyone who sees the arrival sees this flag.
    pub medical: bool,
    /// R11: the medical need in words (medical detail). Only the NGO holding the person (or,
    /// before anyone is linked, the NGO that recorded it) reads it, and each read is recorded in
    /// the audit trail; everyone else gets `null` with `medical_notes_withheld: true`.
    #[schema(required = true, max_length = 1000)]
    pub medical_notes: Option<String>,
    /// Medical notes exist but R11 withholds them from this reader.
    #[serde(default)]
    #[schema(required = true)]
    pub medical_notes_withheld: bool,
    /// Other, **non-medical** notes (language, documents, family waiting…). Medical details
    /// belong in `medical_notes`, which R11 protects; this field is visible to every reader of
    /// the arrival.
    #[schema(required = true, max_length = 500)]
    pub other: Option<String>,
}

/// Documented as [`PeriodSchema`] (the component `Period`), the shape requests send.
#[derive(Debug, Serialize)]
pub struct Period {
    pub start: NaiveDate,
    /// Exclusive: days = end − start.
    pub end: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Arrival {
    #[schema(format = Uuid)]
    pub id: String,
    /// The person it is linked to, once one is registered under its number.
    #[schema(required = true, value_type = Option<String>, format = Uuid)]
    pub person_id: Option<String>,
    #[schema(required = true, value_type = Option<PersonalNumberSchema>)]
    pub personal_number: Option<String>,
    /// The return date (R2, R3).
    pub arrival_date: NaiveDate,
    #[schema(value_type = PointOfArrivalSchema)]
    pub point_of_arrival: String,
    /// The countries of the stay abroad.
    #[schema(value_type = Vec<CountryCodeSchema>)]
    pub countries: Vec<String>,
    /// R2a: end-exclusive, not after the arrival date.
    #[schema(value_type = Vec<PeriodSchema>)]
    pub irregular_periods: Vec<Period>,
    #[schema(required = true)]
    pub asylum_applied: Option<bool>,
    #[schema(required = true)]
    pub asylum_held: Option<bool>,
    pub needs: Needs,
    /// The organisation that recorded it (the ministry at the airport, or an NGO).
    #[schema(format = Uuid)]
    pub organization_id: String,
    /// Send it back in `If-Match` to change the arrival.
    #[schema(minimum = 1)]
    pub version: i32,
    #[serde(serialize_with = "crate::http::instant")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::http::instant")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
}

impl TryFrom<ArrivalRecord> for Arrival {
    type Error = ApiError;

    /// The arrival as R11 lets its reader see it (`record.medical_notes_visible`).
    fn try_from(record: ArrivalRecord) -> Result<Self, ApiError> {
        let a = record.arrival;
        let withheld = a.need_medical_notes.is_some() && !record.medical_notes_visible;
        let medical_notes = a.need_medical_notes.filter(|_| record.medical_notes_visible);
        let countries = serde_json::from_str(&a.countries)
            .map_err(|e| ApiError::internal(format!("stored countries of arrival {}: {e}", a.id)))?;
        Ok(Self {
            id: a.id,
            person_id: a.person_id,
            personal_number: a.personal_number,
            arrival_date: a.arrival_date,
            point_of_arrival: a.point_of_arrival,
            countries,
            irregular_periods: record
                .irregular_periods
                .into_iter()
                .map(|p| Period { start: p.start_date, end: p.end_date })
                .collect(),
            asylum_applied: a.asylum_applied,
            asylum_held: a.asylum_held,
            needs: Needs {
                shelter: a.need_shelter,
                medical: a.need_medical,
                medical_notes,
                medical_notes_withheld: withheld,
                other: a.need_other,
            },
            organization_id: a.organization_id,
            version: a.version,
            created_at: a.created_at,
            updated_at: a.updated_at,
        })
    }
}

/// The needs as a request sends them; every field may be absent or `null`.
#[derive(Debug, ToSchema)]
#[schema(as = NeedsRequest, example = json!({
    "shelter": true,
    "medical": true,
    "medical_notes": "Insulin-dependent diabetes; needs insulin within two days",
    "other": "Speaks Georgian and Italian; family waiting in Gldani"
}))]
#[allow(dead_code)]
pub struct NeedsSchema {
    /// Temporary shelter (S5); absent or `null` is `false`.
    shelter: Option<bool>,
    /// A medical need; absent or `null`: implied by `medical_notes`. `false` with
    /// `medical_notes` is a 422 `contradicts_medical_notes`.
    medical: Option<bool>,
    /// R11: medical detail, up to 1,000 characters (surrounding whitespace is trimmed; empty is
    /// none).
    #[schema(max_length = 1000)]
    medical_notes: Option<String>,
    /// Non-medical notes only, up to 500 characters (surrounding whitespace is trimmed; empty is
    /// none).
    #[schema(max_length = 500)]
    other: Option<String>,
}

/// A return as recorded at the point of arrival (create and full update).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "personal_number": "01001012345",
    "arrival_date": "2017-03-01",
    "point_of_arrival": "tbilisi_airport",
    "countries": ["IT", "DE"],
    "irregular_periods": [{ "start": "2015-01-10", "end": "2017-03-01" }],
    "asylum_applied": false,
    "asylum_held": false,
    "needs": { "shelter": true, "medical": false, "medical_notes": null, "other": "Speaks Georgian and Italian" }
}))]
pub struct ArrivalRequest {
    /// The person's personal number, when known at the point of arrival.
    #[serde(default)]
    #[schema(value_type = Option<PersonalNumberSchema>)]
    pub personal_number: Field<String>,
    /// The return date (R2, R3); not in the future (Tbilisi time).
    #[serde(default)]
    #[schema(value_type = NaiveDate, required = true)]
    pub arrival_date: Field<String>,
    #[serde(default)]
    #[schema(value_type = PointOfArrivalSchema, required = true)]
    pub point_of_arrival: Field<String>,
    /// The countries of the stay abroad; absent or `null` is none.
    #[serde(default)]
    #[schema(value_type = Option<Vec<CountryCodeSchema>>)]
    pub countries: Field<Vec<String>>,
    /// R2a: end-exclusive, after `start` and not after the arrival date.
    #[serde(default)]
    #[schema(value_type = Option<Vec<PeriodSchema>>, max_items = 50)]
    pub irregular_periods: Field<Vec<PeriodRequest>>,
    /// R2b: asylum was applied for abroad.
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub asylum_applied: Field<bool>,
    /// R2c: asylum or another international protection status was held abroad.
    #[serde(default)]
    #[schema(value_type = Option<bool>)]
    pub asylum_held: Field<bool>,
    /// The needs seen at the point of arrival; absent or `null` is none.
    #[serde(default)]
    #[schema(value_type = Option<NeedsSchema>)]
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
    pub medical_notes: Field<String>,
    #[serde(default)]
    pub other: Field<String>,
    #[serde(flatten)]
    pub unknown: BTreeMap<String, Value>,
}

impl ArrivalRequest {
    /// The command: each field parsed into its domain type, then the rules across fields
    /// ([`ArrivalDetails::parse`]), every failing field at once.
    pub(crate) fn parse(self, today: NaiveDate) -> Result<ArrivalDetails, ApiError> {
        let mut errors = FieldErrors::default();
        errors.unknown_fields("", &self.unknown);
        let number = errors.optional("personal_number", self.personal_number, "a string");
        let personal_number =
            errors.parse("personal_number", number, PersonalNumber::parse, |e| (e.code(), e.message()));
        let date = errors.required("arrival_date", self.arrival_date, "a date (YYYY-MM-DD)");
        let arrival_date = errors.date("arrival_date", date);
        let point = errors.required("point_of_arrival", self.point_of_arrival, "a string");
        let point_of_arrival = errors.parse(
            "point_of_arrival",
            point,
            |s| PointOfArrival::parse(s).ok_or(()),
            |()| {
                (
                    codes::UNKNOWN_POINT_OF_ARRIVAL,
                    Message::new(
                        "tbilisi_airport, kutaisi_airport, batumi_airport, land_border ან sea_port",
                        "tbilisi_airport, kutaisi_airport, batumi_airport, land_border or sea_port",
                    ),
                )
            },
        );
        let countries = errors.optional("countries", self.countries, "an array of country codes").unwrap_or_default();
        let countries = parse_countries(&mut errors, &countries);
        let periods = errors.optional("irregular_periods", self.irregular_periods, "an array of periods");
        let irregular_periods = parse_periods(&mut errors, periods.unwrap_or_default());
        let asylum_applied = errors.optional("asylum_applied", self.asylum_applied, "true or false");
        let asylum_held = errors.optional("asylum_held", self.asylum_held, "true or false");
        let needs = errors.optional("needs", self.needs, "an object").unwrap_or_default();
        errors.unknown_fields("needs.", &needs.unknown);
        let draft = ArrivalDraft {
            personal_number,
            arrival_date,
            point_of_arrival,
            countries,
            irregular_periods,
            asylum_applied,
            asylum_held,
            need_shelter: errors.optional("needs.shelter", needs.shelter, "true or false").unwrap_or(false),
            need_medical: errors.optional("needs.medical", needs.medical, "true or false"),
            medical_notes: errors.text("needs.medical_notes", needs.medical_notes, 0, 1000).filter(|s| !s.is_empty()),
            other_needs: errors.text("needs.other", needs.other, 0, 500).filter(|s| !s.is_empty()),
        };
        Ok(ArrivalDetails::parse(draft, errors.into_vec(), today)?)
    }
}

fn parse_countries(errors: &mut FieldErrors, codes: &[String]) -> Vec<CountryCode> {
    let mut countries = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        match CountryCode::parse(code) {
            Some(country) => countries.push(country),
            None => errors.push(FieldError::new(
                format!("countries[{i}]"),
                codes::INVALID_COUNTRY,
                Message::new("ქვეყნის კოდი ISO 3166-1 alpha-2 (არა GE)", "An ISO 3166-1 alpha-2 country code (not GE)"),
            )),
        }
    }
    countries
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArrivalQuery {
    /// The personal number recorded on the arrival, exactly.
    #[param(value_type = Option<PersonalNumberSchema>)]
    pub personal_number: Option<String>,
    /// Only arrivals linked to this person.
    #[param(value_type = Option<String>, format = Uuid)]
    pub person_id: Option<String>,
    /// Only arrivals with (or without) a shelter need.
    pub need_shelter: Option<bool>,
}

/// Records a return. A personal number that a person holds links it to them (the ministry, or
/// the NGO holding the person); under another NGO's person it is a 409 `duplicate_person`; a
/// second record of the same return is a 409 `duplicate_arrival`. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/arrivals", tag = "registration", operation_id = "create_arrival", request_body = ArrivalRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried create return the first response")),
    responses((status = 201, body = Arrival), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let parsed: ArrivalRequest = serde_json::from_value(body.clone()).map_err(|_| crate::input::not_an_object())?;
    let details = parsed.parse(today_in_tbilisi())?;
    let (who, again) = (caller.clone(), details.clone());
    let created = idempotency::create(&pool, &caller, &request, &body, move |tx| {
        Created::new(Arrival::try_from(record_arrival(tx, &who, details)?)?)
    })
    .await;
    // #8.9: a create that lost a race to the same return answers as the sequential path does.
    let who = caller.clone();
    db::explain_conflict(&pool, created, move |conn| Ok(record_arrival::explain_conflict(conn, &who, &again)?)).await
}

/// R11: each read of medical details is recorded (who, when, which arrival), after the read.
async fn record_medical_reads(
    pool: &Pool,
    caller: &Caller,
    request: &HttpRequest,
    records: &[ArrivalRecord],
) -> Result<(), ApiError> {
    let read = medical_notes_shown(records);
    if read.is_empty() {
        return Ok(());
    }
    db::write(pool, caller.actor(), request_id(request), move |tx| Ok(read_arrival::record_medical_reads(tx, &read)?))
        .await
}

/// Lists arrivals.
///
/// Arrivals the caller may see (R11): the ministry and auditors all; an NGO those linked to a
/// person it holds and, while linked to no one, its own and the airport's.
#[utoipa::path(get, path = "/api/v1/arrivals", tag = "registration", operation_id = "list_arrivals", params(PageQuery, ArrivalQuery),
    responses((status = 200, body = List<Arrival>)))]
pub async fn list(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    Listing { page, filter: query }: Listing<ArrivalQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::default();
    let page = page.parse(&mut errors);
    let q = query.into_inner();
    let filter = ArrivalFilter {
        personal_number: errors.personal_number("personal_number", q.personal_number),
        person_id: errors.uuid("person_id", q.person_id),
        need_shelter: q.need_shelter,
    };
    errors.finish()?;
    let visibility = caller.visibility();
    let found =
        db::read(&pool, move |conn| Ok(repo::list(conn, &visibility, &filter, page.after.as_deref(), page.limit)?))
            .await?;
    record_medical_reads(&pool, &caller, &request, &found.items).await?;
    let items = found.items.into_iter().map(Arrival::try_from).collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(List::from_page(persistence::Page { items, next_after: found.next_after }, |a| a)))
}

/// One arrival. An airport arrival whose person another NGO holds is a 404
/// `registered_elsewhere` naming that NGO (R11).
#[utoipa::path(get, path = "/api/v1/arrivals/{id}", tag = "registration", operation_id = "get_arrival",
    responses((status = 200, body = Arrival, headers(("ETag" = String))), (status = 404, body = crate::error::Problem)))]
pub async fn show(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let who = caller.clone();
    let found = db::read(&pool, move |conn| Ok(read_arrival(conn, &who, &ArrivalId::from(id.as_str()))?)).await?;
    record_medical_reads(&pool, &caller, &request, std::slice::from_ref(&found)).await?;
    Ok(HttpResponse::Ok().insert_header(etag(found.arrival.version)).json(Arrival::try_from(found)?))
}

/// Corrects an arrival (`If-Match` required); only its recorder (or the ministry) may. The
/// personal number of an arrival linked to a person follows the person (409
/// `arrival_linked_to_person`); a number given to an unlinked arrival links it as a create does.
#[utoipa::path(put, path = "/api/v1/arrivals/{id}", tag = "registration", operation_id = "update_arrival", request_body = ArrivalRequest,
    params(("If-Match" = String, Header, description = "The ETag of the version being changed")),
    responses((status = 200, body = Arrival), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem), (status = 428, body = crate::error::Problem)))]
pub async fn update(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: web::Path<String>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let expected_version = if_match(&request)?;
    let parsed: ArrivalRequest =
        serde_json::from_value(body.into_inner()).map_err(|_| crate::input::not_an_object())?;
    let details = parsed.parse(today_in_tbilisi())?;
    let command = CorrectArrival { arrival_id: ArrivalId::from(id.into_inner()), expected_version, details };
    let who = caller.clone();
    let updated =
        db::write(&pool, caller.actor(), request_id(&request), move |tx| Ok(correct_arrival(tx, &who, command)?))
            .await?;
    Ok(HttpResponse::Ok().insert_header(etag(updated.arrival.version)).json(Arrival::try_from(updated)?))
}
