//! Cases (`/api/v1/cases`): one program registration per person and return (R5), registered
//! by an NGO; explained eligibility decisions recorded on the stored data, never overwritten.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, web};
use application::CaseId;
use application::cases::close_case::close_case;
use application::cases::decide_eligibility::decide_eligibility;
use application::cases::open_case::{self, OpenCase, open_case};
use application::clock::today_in_tbilisi;
use chrono::{NaiveDate, NaiveDateTime};
use domain::case::CaseStatus;
use domain::codes;
use domain::message::Message;
use domain::region::RegionCode;
use persistence::Pool;
use persistence::models::registration::{Case as CaseRow, EligibilityDecision};
use persistence::repo::cases::{self as repo, CaseFilter, CaseListItem};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::access::{Caller, request_id};
use crate::db;
use crate::error::ApiError;
use crate::http::{List, Listing, NoFilter, PageQuery, etag, if_match};
use crate::idempotency::{self, Created};
use crate::input::{Field, FieldErrors};
use crate::routes::eligibility::{DecisionOutcome, EligibilityCheckRequest, RuleResult};
use crate::schema::{
    CaseStatusSchema, DecisionOutcomeSchema, GeorgianNameSchema, LatinNameSchema, PersonalNumberSchema,
    RegionCodeSchema,
};

#[derive(Debug, Serialize, ToSchema)]
pub struct Case {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub person_id: String,
    /// The return the case is for.
    #[schema(format = Uuid)]
    pub arrival_id: String,
    /// The NGO that registered the case.
    #[schema(format = Uuid)]
    pub organization_id: String,
    pub registration_date: NaiveDate,
    #[schema(value_type = CaseStatusSchema)]
    pub status: String,
    /// Why it was closed; set with `closed_on` when `status` is `closed`.
    #[schema(required = true)]
    pub close_reason: Option<String>,
    #[schema(required = true)]
    pub closed_on: Option<NaiveDate>,
    /// Send it back in `If-Match` to change the case.
    #[schema(minimum = 1)]
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
            status: c.status.as_str().to_owned(),
            close_reason: c.close_reason,
            closed_on: c.closed_on,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A row of the case list: the case, its person's number, names and region, and its arrival's
/// date and shelter need.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseSummary {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub person_id: String,
    #[schema(format = Uuid)]
    pub arrival_id: String,
    #[schema(format = Uuid)]
    pub organization_id: String,
    pub registration_date: NaiveDate,
    #[schema(value_type = CaseStatusSchema)]
    pub status: String,
    #[schema(minimum = 1)]
    pub version: i32,
    #[schema(required = true, value_type = Option<PersonalNumberSchema>)]
    pub personal_number: Option<String>,
    #[schema(required = true, value_type = Option<GeorgianNameSchema>)]
    pub first_name_ka: Option<String>,
    #[schema(required = true, value_type = Option<GeorgianNameSchema>)]
    pub last_name_ka: Option<String>,
    #[schema(required = true, value_type = Option<LatinNameSchema>)]
    pub first_name_lat: Option<String>,
    #[schema(required = true, value_type = Option<LatinNameSchema>)]
    pub last_name_lat: Option<String>,
    #[schema(required = true, value_type = Option<RegionCodeSchema>)]
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
            status: i.status.as_str().to_owned(),
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

/// A recorded decision: the dry run's decision (the same `outcome`, `rules_version`,
/// `decided_on` and `rules`), with what was recorded beside it: the case it is for, the status it
/// moved the case to, the data it was made on, who decided and when. `POST` answers with one, and
/// `GET` lists them (#10: one shape everywhere).
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordedDecision {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub case_id: String,
    #[schema(value_type = DecisionOutcomeSchema)]
    pub outcome: DecisionOutcome,
    /// The status the decision moved the case to (`undetermined` leaves it `open`).
    #[schema(value_type = CaseStatusSchema)]
    pub case_status: &'static str,
    #[schema(example = "2017.1")]
    pub rules_version: String,
    /// The registration date the rules were applied on.
    pub decided_on: NaiveDate,
    /// R1–R5 in that order, each with outcome, code, messages and facts.
    #[schema(value_type = Vec<RuleResult>)]
    pub rules: Value,
    /// The stored data the decision was made on, in the shape of the dry run's request.
    #[schema(value_type = EligibilityCheckRequest)]
    pub input: Value,
    /// Who decided: a person or an NGO system; `null` for decisions loaded by the seeder.
    pub decided_by: Option<Decider>,
    #[serde(serialize_with = "crate::http::instant")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
}

/// The principal who decided.
#[derive(Debug, Serialize, ToSchema)]
pub struct Decider {
    /// `user` (a person, by password) or `client` (an NGO system, by client credentials).
    #[serde(rename = "type")]
    pub kind: DeciderKind,
    /// The user's or the client's id.
    #[schema(format = Uuid)]
    pub id: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeciderKind {
    User,
    Client,
}

fn decision_outcome(outcome: domain::eligibility::Outcome) -> DecisionOutcome {
    match outcome {
        domain::eligibility::Outcome::Eligible => DecisionOutcome::Eligible,
        domain::eligibility::Outcome::NotEligible => DecisionOutcome::NotEligible,
        domain::eligibility::Outcome::Undetermined => DecisionOutcome::Undetermined,
    }
}

impl TryFrom<EligibilityDecision> for RecordedDecision {
    type Error = ApiError;

    /// Stored JSON that does not parse is an error (#9.6), never a silent `null`.
    fn try_from(d: EligibilityDecision) -> Result<Self, ApiError> {
        let stored = |what: &str, text: &str| {
            serde_json::from_str::<Value>(text)
                .map_err(|e| ApiError::internal(format!("decision {}: stored {what} does not parse: {e}", d.id)))
        };
        let decided_by = match (d.decided_by_user_id.clone(), d.decided_by_client_id.clone()) {
            (Some(id), _) => Some(Decider { kind: DeciderKind::User, id }),
            (None, Some(id)) => Some(Decider { kind: DeciderKind::Client, id }),
            (None, None) => None,
        };
        Ok(Self {
            rules: stored("rules", &d.rules)?,
            input: stored("input", &d.input)?,
            outcome: decision_outcome(d.outcome),
            case_status: CaseStatus::Open.after_decision(d.outcome).unwrap_or(CaseStatus::Open).as_str(),
            id: d.id,
            case_id: d.case_id,
            rules_version: d.rules_version,
            decided_on: d.decided_on,
            decided_by,
            created_at: d.created_at,
        })
    }
}

/// A registration of a person for one return. The ids must name a person and an arrival of that
/// person the caller may see (else 422 `unknown_reference`).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "person_id": "0190a4e2-7c1d-7b3e-9f45-2d8c6a1b3e70",
    "arrival_id": "0190a4e1-3f2a-7d10-8b6c-5e9f1a2b4c81",
    "registration_date": "2017-05-10"
}))]
pub struct CaseRequest {
    #[serde(default)]
    #[schema(value_type = String, format = Uuid, required = true)]
    pub person_id: Field<String>,
    /// The return this registration is for (R5: one live case per return).
    #[serde(default)]
    #[schema(value_type = String, format = Uuid, required = true)]
    pub arrival_id: Field<String>,
    /// Not before the return, not in the future (Tbilisi time).
    #[serde(default)]
    #[schema(value_type = NaiveDate, required = true)]
    pub registration_date: Field<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, Value>,
}

impl CaseRequest {
    /// The command, or every field error at once.
    pub(crate) fn parse(self, today: NaiveDate) -> Result<OpenCase, ApiError> {
        let mut errors = FieldErrors::default();
        errors.unknown_fields("", &self.unknown);
        let person_id = errors.text("person_id", self.person_id, 1, 64);
        let arrival_id = errors.text("arrival_id", self.arrival_id, 1, 64);
        let date = errors.required("registration_date", self.registration_date, "a date (YYYY-MM-DD)");
        let registration_date = errors.date("registration_date", date);
        if let Some(error) =
            registration_date.and_then(|d| domain::eligibility::input::registration_in_future(d, today))
        {
            errors.push(error);
        }
        errors.finish()?;
        match (person_id, arrival_id, registration_date) {
            (Some(person_id), Some(arrival_id), Some(registration_date)) => {
                Ok(OpenCase { person_id: person_id.into(), arrival_id: arrival_id.into(), registration_date })
            }
            _ => Err(ApiError::internal("case fields missing after validation")),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({ "reason": "services completed" }))]
pub struct CloseRequest {
    /// Why the case is closed: 1–500 characters (surrounding whitespace is trimmed).
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 500)]
    pub reason: Field<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, Value>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// Only cases of this NGO.
    #[param(value_type = Option<String>, format = Uuid)]
    pub organization_id: Option<String>,
    /// The person's region of residence.
    #[param(value_type = Option<RegionCodeSchema>)]
    pub region: Option<String>,
    #[param(value_type = Option<CaseStatusSchema>)]
    pub status: Option<String>,
    /// Registered on or after this day.
    #[param(value_type = Option<NaiveDate>)]
    pub registered_from: Option<String>,
    /// Registered on or before this day.
    #[param(value_type = Option<NaiveDate>)]
    pub registered_to: Option<String>,
    /// Arrived on or after this day.
    #[param(value_type = Option<NaiveDate>)]
    pub arrived_from: Option<String>,
    /// Arrived on or before this day.
    #[param(value_type = Option<NaiveDate>)]
    pub arrived_to: Option<String>,
    /// Only cases whose arrival recorded (or did not record) a shelter need.
    pub need_shelter: Option<bool>,
    /// The person's personal number, exactly.
    #[param(value_type = Option<PersonalNumberSchema>)]
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
                    codes::UNKNOWN_STATUS,
                    Message::new("open, eligible, not_eligible ან closed", "open, eligible, not_eligible or closed"),
                )
            },
        );
        CaseFilter {
            organization_id: errors.uuid("organization_id", self.organization_id),
            region: region.map(|r| r.code().to_owned()),
            status,
            registered_from: errors.date("registered_from", self.registered_from),
            registered_to: errors.date("registered_to", self.registered_to),
            arrived_from: errors.date("arrived_from", self.arrived_from),
            arrived_to: errors.date("arrived_to", self.arrived_to),
            need_shelter: self.need_shelter,
            personal_number: errors.personal_number("personal_number", self.personal_number),
            name: self.name.filter(|n| !n.trim().is_empty()).map(|n| n.trim().to_owned()),
        }
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
    let today = today_in_tbilisi();
    let command = parsed.parse(today)?;
    let (who, again) = (caller.clone(), command.clone());
    let created = idempotency::create(&pool, &caller, &request, &body, move |tx| {
        Created::new(Case::from(open_case(tx, &who, command, today)?))
    })
    .await;
    // #8.9: a registration that lost a race for the return names the NGO that won it.
    let who = caller.clone();
    db::explain_conflict(&pool, created, move |conn| Ok(open_case::explain_conflict(conn, &who, &again)?)).await
}

/// Cases sorted by registration date, keyset-paginated, filtered, scoped by R11.
#[utoipa::path(get, path = "/api/v1/cases", tag = "registration", operation_id = "list_cases", params(PageQuery, CaseQuery),
    responses((status = 200, body = List<CaseSummary>), (status = 422, body = crate::error::Problem)))]
pub async fn list(
    caller: Caller,
    pool: web::Data<Pool>,
    Listing { page, filter: query }: Listing<CaseQuery>,
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

/// Reads a case.
///
/// The case of the caller's NGO (R11; the ministry and auditors read every case), with its `ETag`.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "registration", operation_id = "get_case",
    responses((status = 200, body = Case, headers(("ETag" = String))), (status = 404, body = crate::error::Problem)))]
pub async fn show(caller: Caller, pool: web::Data<Pool>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let visibility = caller.visibility();
    let case = db::read(&pool, move |conn| Ok(repo::get(conn, &visibility, &id)?)).await?;
    Ok(HttpResponse::Ok().insert_header(etag(case.version)).json(Case::from(case)))
}

/// Decides and records the case's eligibility. The domain rules run on the stored data and the
/// registration date; the whole explained decision is recorded, never overwritten, and the case
/// moves to the decision's status (`If-Match` required: the case's ETag, or `*`). Honours
/// `Idempotency-Key`: a retry after a timeout gets the first answer, not a 412. The answer is
/// the recorded decision; `Location` names it. The case's new version is in `GET /cases/{id}`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/eligibility", tag = "registration", operation_id = "decide_case_eligibility",
    params(("id" = String, Path, format = Uuid, description = "The case"),
        ("If-Match" = String, Header, description = "The ETag of the case version being decided, or `*`")),
    responses((status = 201, body = RecordedDecision), (status = 409, body = crate::error::Problem)))]
pub async fn decide(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&request)?;
    let who = caller.clone();
    idempotency::create(&pool, &caller, &request, &Value::Null, move |tx| {
        let decided = decide_eligibility(tx, &who, &CaseId::from(id.as_str()), version, today_in_tbilisi())?;
        Created::new(RecordedDecision::try_from(decided.decision)?)
    })
    .await
}

/// The case's decisions, oldest first, paged like every list.
#[utoipa::path(get, path = "/api/v1/cases/{id}/eligibility", tag = "registration", operation_id = "list_case_decisions",
    params(("id" = String, Path, format = Uuid, description = "The case"), PageQuery),
    responses((status = 200, body = List<RecordedDecision>)))]
pub async fn decisions(
    caller: Caller,
    pool: web::Data<Pool>,
    id: web::Path<String>,
    Listing { page, .. }: Listing<NoFilter>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::default();
    let page = page.parse(&mut errors);
    errors.finish()?;
    let visibility = caller.visibility();
    let found = db::read(&pool, move |conn| {
        let case = repo::get(conn, &visibility, &id)?;
        Ok(repo::decisions(conn, &case.id, page.after.as_deref(), page.limit)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(List::try_from_page(found, RecordedDecision::try_from)?))
}

/// One recorded decision of the case.
#[utoipa::path(get, path = "/api/v1/cases/{id}/eligibility/{decision_id}", tag = "registration", operation_id = "get_case_decision",
    params(("id" = String, Path, format = Uuid, description = "The case"),
        ("decision_id" = String, Path, format = Uuid, description = "The decision")),
    responses((status = 200, body = RecordedDecision)))]
pub async fn decision(
    caller: Caller,
    pool: web::Data<Pool>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, decision_id) = path.into_inner();
    let visibility = caller.visibility();
    let found = db::read(&pool, move |conn| {
        let case = repo::get(conn, &visibility, &id)?;
        Ok(repo::decision(conn, &case.id, &decision_id)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(RecordedDecision::try_from(found)?))
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
    let who = caller.clone();
    let case = db::write(&pool, caller.actor(), request_id(&request), move |tx| {
        Ok(close_case(tx, &who, &CaseId::from(id.as_str()), version, reason, today_in_tbilisi())?)
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header(etag(case.version)).json(Case::from(case)))
}
