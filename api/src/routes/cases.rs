//! Cases (`/api/v1/cases`): one program registration per person and return (R5), registered
//! by an NGO; explained eligibility decisions recorded on the stored data, never overwritten.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime};
use domain::case::CaseStatus;
use domain::eligibility::{self, OtherCase};
use domain::message::{FieldError, Message};
use domain::region::RegionCode;
use persistence::models::registration::{Case as CaseRow, CaseCopies, EligibilityDecision};
use persistence::repo::arrivals::ArrivalRecord;
use persistence::repo::cases::{self as repo, CaseFilter, CaseListItem, LiveCase};
use persistence::{DbConnection, Pool, StoreError, Visibility};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

use crate::access::{Caller, PrincipalKind, request_id};
use crate::db;
use crate::error::{ApiError, ErrorCode};
use crate::http::{List, PageQuery, etag, if_match};
use crate::idempotency::{self, Created};
use crate::input::{Field, FieldErrors};
use crate::routes::eligibility::{Decision, EligibilityCheckRequest, today_in_tbilisi};

#[derive(Debug, Serialize, ToSchema)]
pub struct Case {
    pub id: String,
    pub person_id: String,
    pub arrival_id: String,
    /// The NGO that registered the case.
    pub organization_id: String,
    pub registration_date: NaiveDate,
    /// `open`, `eligible`, `not_eligible` or `closed`.
    pub status: String,
    pub close_reason: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub version: i32,
    #[serde(serialize_with = "crate::http::instant")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::http::instant")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
}

impl From<CaseRow> for Case {
    fn from(c: CaseRow) -> Self {
        Self {
            id: c.id,
            person_id: c.person_id,
            arrival_id: c.arrival_id,
            organization_id: c.organization_id,
            registration_date: c.registration_date,
            status: c.status,
            close_reason: c.close_reason,
            closed_on: c.closed_on,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A row of the case list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseSummary {
    pub id: String,
    pub person_id: String,
    pub arrival_id: String,
    pub organization_id: String,
    pub registration_date: NaiveDate,
    pub status: String,
    pub version: i32,
    pub personal_number: Option<String>,
    pub first_name_ka: Option<String>,
    pub last_name_ka: Option<String>,
    pub first_name_lat: Option<String>,
    pub last_name_lat: Option<String>,
    pub residence_region: Option<String>,
    pub arrival_date: NaiveDate,
    pub need_shelter: bool,
}

impl From<CaseListItem> for CaseSummary {
    fn from(i: CaseListItem) -> Self {
        Self {
            id: i.id,
            person_id: i.person_id,
            arrival_id: i.arrival_id,
            organization_id: i.organization_id,
            registration_date: i.registration_date,
            status: i.status,
            version: i.version,
            personal_number: i.personal_number,
            first_name_ka: i.first_name_ka,
            last_name_ka: i.last_name_ka,
            first_name_lat: i.first_name_lat,
            last_name_lat: i.last_name_lat,
            residence_region: i.residence_region,
            arrival_date: i.arrival_date,
            need_shelter: i.need_shelter,
        }
    }
}

/// A recorded decision: the explained decision, the data it was made on, who and when.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordedDecision {
    pub id: String,
    pub case_id: String,
    /// `eligible`, `not_eligible` or `undetermined`.
    pub outcome: String,
    pub rules_version: String,
    /// The registration date the rules were applied on.
    pub decided_on: NaiveDate,
    /// R1–R5, each with outcome, code, messages and facts.
    #[schema(value_type = Vec<Object>)]
    pub rules: Value,
    /// The stored data the decision was made on, in the shape of the dry run's request.
    #[schema(value_type = Object)]
    pub input: Value,
    pub decided_by_user_id: Option<String>,
    #[serde(serialize_with = "crate::http::instant")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
}

impl From<EligibilityDecision> for RecordedDecision {
    fn from(d: EligibilityDecision) -> Self {
        Self {
            id: d.id,
            case_id: d.case_id,
            outcome: d.outcome,
            rules_version: d.rules_version,
            decided_on: d.decided_on,
            rules: serde_json::from_str(&d.rules).unwrap_or(Value::Null),
            input: serde_json::from_str(&d.input).unwrap_or(Value::Null),
            decided_by_user_id: d.decided_by_user_id,
            created_at: d.created_at,
        }
    }
}

/// A decision and the case it moved.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionResult {
    pub decision: RecordedDecision,
    pub case: Case,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CaseRequest {
    #[serde(default)]
    #[schema(value_type = String)]
    pub person_id: Field<String>,
    /// The return this registration is for (R5: one live case per return).
    #[serde(default)]
    #[schema(value_type = String)]
    pub arrival_id: Field<String>,
    /// Not before the return, not in the future (Tbilisi time).
    #[serde(default)]
    #[schema(value_type = NaiveDate, example = "2017-05-10")]
    pub registration_date: Field<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, Value>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CloseRequest {
    #[serde(default)]
    #[schema(value_type = String, example = "services completed")]
    pub reason: Field<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, Value>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    pub organization_id: Option<String>,
    /// The person's region of residence.
    pub region: Option<String>,
    pub status: Option<String>,
    pub registered_from: Option<String>,
    pub registered_to: Option<String>,
    pub arrived_from: Option<String>,
    pub arrived_to: Option<String>,
    /// Only cases whose arrival recorded (or did not record) a shelter need.
    pub need_shelter: Option<bool>,
    pub personal_number: Option<String>,
    /// Part of a name in either script (case-insensitive for Latin).
    pub name: Option<String>,
}

impl CaseQuery {
    fn parse(self, errors: &mut FieldErrors) -> CaseFilter {
        let region = errors.parse("region", self.region, RegionCode::parse, |e| (e.code(), e.message()));
        let status = errors.parse(
            "status",
            self.status,
            |s| CaseStatus::parse(s).ok_or(()),
            |()| {
                (
                    "unknown_status",
                    Message::new("open, eligible, not_eligible ან closed", "open, eligible, not_eligible or closed"),
                )
            },
        );
        CaseFilter {
            organization_id: self.organization_id,
            region: region.map(|r| r.code().to_owned()),
            status: status.map(|s| s.as_str().to_owned()),
            registered_from: errors.date("registered_from", self.registered_from),
            registered_to: errors.date("registered_to", self.registered_to),
            arrived_from: errors.date("arrived_from", self.arrived_from),
            arrived_to: errors.date("arrived_to", self.arrived_to),
            need_shelter: self.need_shelter,
            personal_number: self.personal_number,
            name: self.name.filter(|n| !n.trim().is_empty()).map(|n| n.trim().to_owned()),
        }
    }
}

fn unknown(field: &str, what: &str) -> FieldError {
    FieldError::new(field, "unknown_reference", Message::new(format!("{what} ვერ მოიძებნა"), format!("No such {what}")))
}

/// R5: this return already has a live case; name the NGO, and the case only to those who may see it.
fn duplicate_case(live: &LiveCase, caller: &Caller) -> ApiError {
    let error = ApiError::new(
        ErrorCode::DuplicateCase,
        Message::new(
            format!("ამ დაბრუნებაზე საქმე უკვე აქვს: {} (R5)", live.organization_name_ka),
            format!("This return already has a case with {} (R5)", live.organization_name_en),
        ),
    )
    .with("registered_by", json!({ "ka": live.organization_name_ka, "en": live.organization_name_en }));
    if caller.visibility().allows(&live.organization_id) {
        error.with("case_id", Value::String(live.case_id.clone()))
    } else {
        error
    }
}

/// Registers a case for a person and a return. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/cases", tag = "registration", operation_id = "create_case", request_body = CaseRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried create return the first response")),
    responses((status = 201, body = Case), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let parsed: CaseRequest = serde_json::from_value(body.clone()).map_err(|_| crate::input::not_an_object())?;
    let mut errors = FieldErrors::default();
    errors.unknown_fields("", &parsed.unknown);
    let person_id = errors.text("person_id", parsed.person_id, 1, 64);
    let arrival_id = errors.text("arrival_id", parsed.arrival_id, 1, 64);
    let date = errors.required("registration_date", parsed.registration_date, "a date (YYYY-MM-DD)");
    let registration_date = errors.date("registration_date", date);
    let today = today_in_tbilisi();
    if registration_date.is_some_and(|d| d > today) {
        errors.push(FieldError::new(
            "registration_date",
            "registration_in_future",
            Message::new("რეგისტრაციის თარიღი მომავალშია", "The registration date is in the future"),
        ));
    }
    errors.finish()?;
    let (Some(person_id), Some(arrival_id), Some(registration_date)) = (person_id, arrival_id, registration_date)
    else {
        return Err(ApiError::internal("case fields missing after validation"));
    };
    let who = caller.clone();
    let (again_arrival, again_person) = (arrival_id.clone(), person_id.clone());
    let created = idempotency::create(&pool, &caller, &request, &body, move |tx| {
        let visibility = who.visibility();
        let mut errors = FieldErrors::default();
        let person = match persistence::repo::persons::get(tx.read(), &visibility, &person_id) {
            Err(StoreError::NotFound) => {
                errors.push(unknown("person_id", "person"));
                None
            }
            other => Some(other?),
        };
        let arrival = match persistence::repo::arrivals::get(tx.read(), &visibility, &arrival_id) {
            Err(StoreError::NotFound) => {
                refuse_return_held_elsewhere(tx.read(), &who, &arrival_id)?;
                errors.push(unknown("arrival_id", "arrival"));
                None
            }
            other => Some(other?),
        };
        // R5 first: a return that already has a live case is a conflict naming its NGO, whichever
        // arrival record of the return the case names.
        if let Some(arrival) = &arrival {
            refuse_second_live_case(tx.read(), &who, &arrival.arrival, person.as_ref().map(|p| p.id.as_str()))?;
        }
        if let (Some(person), Some(arrival)) = (&person, &arrival) {
            let a = &arrival.arrival;
            let other_person = a.person_id.as_ref().is_some_and(|p| *p != person.id)
                || (a.personal_number.is_some() && a.personal_number != person.personal_number);
            if other_person {
                errors.push(FieldError::new(
                    "arrival_id",
                    "arrival_of_another_person",
                    Message::new("ეს დაბრუნება სხვა პირისაა", "This arrival is another person's"),
                ));
            }
            if registration_date < a.arrival_date {
                errors.push(FieldError::new(
                    "registration_date",
                    "registration_before_return",
                    Message::new("რეგისტრაცია დაბრუნებამდეა", "The registration is before the return"),
                ));
            }
        }
        errors.finish()?;
        let (Some(person), Some(arrival)) = (person, arrival) else {
            return Err(ApiError::internal("references missing"));
        };
        if arrival.arrival.person_id.is_none()
            && let Some(existing) = persistence::repo::arrivals::same_return(
                tx.read(),
                None,
                Some(&person.id),
                arrival.arrival.arrival_date,
                Some(&arrival.arrival.id),
            )?
        {
            // #8.11: the person's return is recorded already; the case belongs on that record.
            return Err(ApiError::new(
                ErrorCode::DuplicateArrival,
                Message::new(
                    "ამ პირის ეს დაბრუნება სხვა ჩანაწერითაა აღრიცხული; საქმე მასზე დაარეგისტრირეთ",
                    "This return of the person is recorded as another arrival; register the case on it",
                ),
            )
            .with("arrival_id", Value::String(existing.id)));
        }
        persistence::repo::arrivals::link_person(tx, &arrival.arrival.id, &person.id)?;
        let now = persistence::now_utc();
        let copies = CaseCopies::of(&person, &arrival.arrival);
        let case = repo::create(
            tx,
            CaseRow {
                id: persistence::new_id(),
                person_id: person.id,
                arrival_id: arrival.arrival.id,
                organization_id: who.organization_id.clone(),
                registration_date,
                status: CaseStatus::Open.as_str().to_owned(),
                close_reason: None,
                closed_on: None,
                version: 1,
                created_at: now,
                updated_at: now,
                copies,
            },
        )?;
        Created::new(Case::from(case))
    })
    .await;
    // #8.9: a registration that lost a race for the return names the NGO that won it.
    let who = caller.clone();
    db::explain_conflict(&pool, created, move |conn| {
        let arrival = persistence::repo::arrivals::get(conn, &Visibility::All, &again_arrival)?;
        refuse_second_live_case(conn, &who, &arrival.arrival, Some(&again_person))
    })
    .await
}

/// R5: one live case per return (the person and the return date), across all NGOs.
fn refuse_second_live_case(
    conn: &mut DbConnection,
    who: &Caller,
    arrival: &persistence::models::registration::Arrival,
    person_id: Option<&str>,
) -> Result<(), ApiError> {
    let person = arrival.person_id.as_deref().or(person_id);
    match repo::live_case_for_return(conn, &arrival.id, person.map(|p| (p, arrival.arrival_date)), None)? {
        Some(live) => Err(duplicate_case(&live, who)),
        None => Ok(()),
    }
}

/// R5/R11: an airport arrival this NGO no longer sees because another NGO registered its
/// person: a live case is `duplicate_case`, otherwise `duplicate_person`, each naming the NGO.
fn refuse_return_held_elsewhere(conn: &mut DbConnection, who: &Caller, arrival_id: &str) -> Result<(), ApiError> {
    let Visibility::Organization(own) = who.visibility() else { return Ok(()) };
    let Some((name_ka, name_en)) = persistence::repo::arrivals::registered_elsewhere(conn, &own, arrival_id)? else {
        return Ok(());
    };
    let arrival = persistence::repo::arrivals::get(conn, &Visibility::All, arrival_id)?;
    refuse_second_live_case(conn, who, &arrival.arrival, None)?;
    Err(super::persons::registered_elsewhere(ErrorCode::DuplicatePerson, &name_ka, &name_en))
}

/// Cases sorted by registration date, keyset-paginated, filtered, scoped by R11.
#[utoipa::path(get, path = "/api/v1/cases", tag = "registration", operation_id = "list_cases", params(PageQuery, CaseQuery),
    responses((status = 200, body = List<CaseSummary>), (status = 422, body = crate::error::Problem)))]
pub async fn list(
    caller: Caller,
    pool: web::Data<Pool>,
    page: web::Query<PageQuery>,
    query: web::Query<CaseQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::default();
    let page = page.parse(&mut errors);
    let filter = query.into_inner().parse(&mut errors);
    errors.finish()?;
    let visibility = caller.visibility();
    let found =
        db::read(&pool, move |conn| Ok(repo::list(conn, &visibility, &filter, page.after.as_deref(), page.limit)?))
            .await?;
    Ok(HttpResponse::Ok().json(List::from_page(found, CaseSummary::from)))
}

#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "registration", operation_id = "get_case",
    responses((status = 200, body = Case, headers(("ETag" = String))), (status = 404, body = crate::error::Problem)))]
pub async fn show(caller: Caller, pool: web::Data<Pool>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let visibility = caller.visibility();
    let case = db::read(&pool, move |conn| Ok(repo::get(conn, &visibility, &id)?)).await?;
    Ok(HttpResponse::Ok().insert_header(etag(case.version)).json(Case::from(case)))
}

/// The data a decision is made on, from the stored person, arrival and case, in the shape of
/// the dry run's request (so a stored decision can be replayed through the same parser).
pub fn decision_input(
    person: &persistence::models::registration::Person,
    arrival: &ArrivalRecord,
    case: &CaseRow,
) -> Value {
    json!({
        "legal_status": person.legal_status,
        "personal_number": person.personal_number,
        "residence_permit_number": person.residence_permit_number,
        "return_date": arrival.arrival.arrival_date,
        "registration_date": case.registration_date,
        "residence_region": person.residence_region,
        "irregular_periods": arrival.irregular_periods.iter().map(|p| json!({ "start": p.start_date, "end": p.end_date })).collect::<Vec<_>>(),
        "asylum_applied": arrival.arrival.asylum_applied,
        "asylum_held": arrival.arrival.asylum_held,
    })
}

/// Decides on stored input: R1–R4 from the data, R5 from the other live cases of the return.
pub fn decide_on(input: &Value, other: Option<&LiveCase>, today: NaiveDate) -> Result<eligibility::Decision, ApiError> {
    let request: EligibilityCheckRequest = serde_json::from_value(input.clone()).map_err(ApiError::internal)?;
    let parsed = request.parse(today)?;
    let other = other.map(|live| OtherCase {
        case_id: live.case_id.clone(),
        organization_name_ka: live.organization_name_ka.clone(),
        organization_name_en: live.organization_name_en.clone(),
    });
    Ok(eligibility::decide(&parsed, Some(other.as_ref())))
}

fn load_for_decision(
    conn: &mut DbConnection,
    visibility: &Visibility,
    id: &str,
) -> Result<(CaseRow, Value, Option<LiveCase>), ApiError> {
    let case = repo::get(conn, visibility, id)?;
    let person = persistence::repo::persons::get(conn, &Visibility::All, &case.person_id)?;
    let arrival = persistence::repo::arrivals::get(conn, &Visibility::All, &case.arrival_id)?;
    let other = repo::live_case_for_return(
        conn,
        &case.arrival_id,
        Some((&case.person_id, arrival.arrival.arrival_date)),
        Some(&case.id),
    )?;
    Ok((case.clone(), decision_input(&person, &arrival, &case), other))
}

/// Decides eligibility with the domain rules on the stored data and the registration date,
/// records the whole explained decision, and moves the case (`If-Match` required).
#[utoipa::path(post, path = "/api/v1/cases/{id}/eligibility", tag = "registration", operation_id = "decide_case_eligibility",
    params(("If-Match" = String, Header, description = "The ETag of the case version being decided")),
    responses((status = 201, body = DecisionResult), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem), (status = 428, body = crate::error::Problem)))]
pub async fn decide(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&request)?;
    let visibility = caller.visibility();
    let decided_by = (caller.kind == PrincipalKind::User).then(|| caller.id.clone());
    let result = db::write(&pool, caller.actor(), request_id(&request), move |tx| {
        let (case, input, other) = load_for_decision(tx.read(), &visibility, &id)?;
        let status = CaseStatus::parse(&case.status).ok_or_else(|| ApiError::internal("stored case status"))?;
        let decision = decide_on(&input, other.as_ref(), today_in_tbilisi())?;
        let next =
            status.after_decision(decision.outcome).map_err(|e| ApiError::new(ErrorCode::CaseClosed, e.message()))?;
        let explained = Decision::from(decision);
        let recorded = repo::record_decision(
            tx,
            EligibilityDecision {
                id: persistence::new_id(),
                case_id: case.id.clone(),
                decided_on: explained.decided_on,
                outcome: serde_json::to_value(&explained.outcome)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                rules_version: explained.rules_version.to_owned(),
                rules: serde_json::to_string(&explained.rules).map_err(ApiError::internal)?,
                input: input.to_string(),
                decided_by_user_id: decided_by,
                created_at: persistence::now_utc(),
            },
        )?;
        let case = repo::update_status(tx, &case.id, version, next.as_str(), None)?;
        Ok(DecisionResult { decision: RecordedDecision::from(recorded), case: Case::from(case) })
    })
    .await?;
    Ok(HttpResponse::Created().insert_header(etag(result.case.version)).json(result))
}

/// Every decision of the case, oldest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/eligibility", tag = "registration", operation_id = "list_case_decisions",
    responses((status = 200, body = Vec<RecordedDecision>), (status = 404, body = crate::error::Problem)))]
pub async fn decisions(caller: Caller, pool: web::Data<Pool>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let visibility = caller.visibility();
    let found = db::read(&pool, move |conn| {
        let case = repo::get(conn, &visibility, &id)?;
        Ok(repo::decisions(conn, &case.id)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(found.into_iter().map(RecordedDecision::from).collect::<Vec<_>>()))
}

/// Closes the case with a reason (`If-Match` required).
#[utoipa::path(post, path = "/api/v1/cases/{id}/close", tag = "registration", operation_id = "close_case", request_body = CloseRequest,
    params(("If-Match" = String, Header, description = "The ETag of the case version being closed")),
    responses((status = 200, body = Case), (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem), (status = 428, body = crate::error::Problem)))]
pub async fn close(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: web::Path<String>,
    body: web::Json<CloseRequest>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&request)?;
    let body = body.into_inner();
    let mut errors = FieldErrors::default();
    errors.unknown_fields("", &body.unknown);
    let reason = errors.text("reason", body.reason, 1, 500);
    errors.finish()?;
    let reason = reason.unwrap_or_default();
    let visibility = caller.visibility();
    let case = db::write(&pool, caller.actor(), request_id(&request), move |tx| {
        let case = repo::get(tx.read(), &visibility, &id)?;
        let status = CaseStatus::parse(&case.status).ok_or_else(|| ApiError::internal("stored case status"))?;
        let closed = status.close().map_err(|e| ApiError::new(ErrorCode::CaseClosed, e.message()))?;
        Ok(repo::update_status(tx, &case.id, version, closed.as_str(), Some((today_in_tbilisi(), reason)))?)
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header(etag(case.version)).json(Case::from(case)))
}
