//! Services S1–S4 (`/api/v1/cases/{id}/services`, `/api/v1/services`): requested for an eligible,
//! open case, approved or rejected by a manager who did not request them (R12), paid from the
//! NGO's grant for the year of the approval and never beyond it (R10), delivered or cancelled.
//! Medical details are read only by the NGO holding the case, and each read is recorded (R11).

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, web};
use application::ServiceId;
use application::clock::today_in_tbilisi;
use application::services::approve_service::approve_service;
use application::services::approve_supplement::approve_supplement;
use application::services::cancel_service::cancel_service;
use application::services::deliver_service::{DeliverService, deliver_service};
use application::services::read_services::{self, medical_details_shown, reads_medical_details};
use application::services::reject_service::reject_service;
use application::services::request_service::{RequestService, request_service};
use application::{CaseId, Principal};
use chrono::{NaiveDate, NaiveDateTime};
use domain::codes;
use domain::message::{FieldError, Message};
use domain::money::Tetri;
use domain::service::{ConditionCategory, ServiceStatus, ServiceType, is_icd10_code};
use persistence::Pool;
use persistence::repo::services::{
    self as repo, Details, MedicalDetails, PsychosocialDetails, ServiceFilter, ServiceRecord, SocialProjectDetails,
    VocationalDetails,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::access::{Caller, request_id};
use crate::db;
use crate::error::ApiError;
use crate::http::{List, Listing, PageQuery, etag, if_match};
use crate::idempotency::{self, Created};
use crate::input::{Field, FieldErrors, not_an_object};
use crate::routes::cases::{Decider, DeciderKind};
use crate::schema::{ConditionCategorySchema, Icd10CodeSchema, ServiceStatusSchema, ServiceTypeSchema};

/// The largest amount the API takes, in tetri (as for grants).
const MAX_TETRI: i64 = 1_000_000_000_000_000;
/// The most proposed training directions a referral names.
const MAX_DIRECTIONS: usize = 20;

/// S1: the condition and, for the NGO holding the case only, its details (R11).
#[derive(Debug, Serialize, ToSchema)]
pub struct Medical {
    #[schema(value_type = ConditionCategorySchema)]
    pub condition_category: &'static str,
    /// R11: the diagnosis (ICD-10), for the NGO holding the case only; `null` for everyone else
    /// (`details_withheld` says whether there was one).
    #[schema(value_type = Option<Icd10CodeSchema>, required = true)]
    pub icd10_code: Option<String>,
    /// R11: free-text medical notes, for the NGO holding the case only.
    #[schema(required = true)]
    pub notes: Option<String>,
    /// Who provides it (a clinic, a pharmacy): where the money goes, seen by every reader.
    #[schema(required = true)]
    pub provider: Option<String>,
    /// R11: a code or notes exist and were withheld from this reader.
    pub details_withheld: bool,
}

/// S2: psycho-social rehabilitation.
#[derive(Debug, Serialize, ToSchema)]
pub struct Psychosocial {
    #[schema(minimum = 1, maximum = 200)]
    pub planned_sessions: i32,
}

/// S3: a small project that creates a source of income.
#[derive(Debug, Serialize, ToSchema)]
pub struct SocialProject {
    pub title: String,
    pub sector: String,
    pub business_description: String,
}

/// S4: a vocational training referral.
#[derive(Debug, Serialize, ToSchema)]
pub struct Vocational {
    #[schema(required = true)]
    pub education: Option<String>,
    pub skills: String,
    pub interests: String,
    /// At least one.
    #[schema(min_items = 1)]
    pub proposed_directions: Vec<String>,
    /// When the ministry's Migration and Repatriation Division was informed (`null`: not yet).
    #[schema(required = true)]
    pub division_informed_on: Option<NaiveDate>,
}

/// A service on a case, with its amounts in tetri and its lifecycle (R10, R12).
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseService {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub case_id: String,
    /// The NGO holding the case.
    #[schema(format = Uuid)]
    pub organization_id: String,
    #[schema(value_type = ServiceTypeSchema)]
    pub service_type: &'static str,
    /// S1–S4.
    #[schema(example = "S1")]
    pub category: &'static str,
    #[schema(value_type = ServiceStatusSchema)]
    pub status: &'static str,
    #[schema(minimum = 0)]
    pub requested_amount_tetri: i64,
    /// Set by the approval: at most the requested amount.
    #[schema(minimum = 0, required = true)]
    pub approved_amount_tetri: Option<i64>,
    /// Supplementary approvals of a delivered cost above the approval (R10).
    #[schema(minimum = 0)]
    pub supplementary_tetri: i64,
    /// The actual cost, once delivered.
    #[schema(minimum = 0, required = true)]
    pub delivered_amount_tetri: Option<i64>,
    /// What the service holds of its grant now: the approval with its supplements while
    /// approved, the actual cost once delivered, nothing otherwise (R10).
    #[schema(minimum = 0)]
    pub committed_tetri: i64,
    /// R10: the grant the approval was charged to.
    #[schema(format = Uuid, required = true)]
    pub grant_id: Option<String>,
    /// The request's document reference.
    #[schema(required = true)]
    pub reference: Option<String>,
    pub requested_on: NaiveDate,
    pub requested_by: Decider,
    /// Who approved or rejected it (never the requester, R12).
    #[schema(required = true)]
    pub decided_by: Option<Decider>,
    #[schema(required = true)]
    pub decided_on: Option<NaiveDate>,
    /// Who approved the last supplement (never the requester, R12).
    #[schema(required = true)]
    pub supplemented_by: Option<Decider>,
    #[schema(required = true)]
    pub delivered_on: Option<NaiveDate>,
    /// The delivery's document (an invoice, an act).
    #[schema(required = true)]
    pub delivery_reference: Option<String>,
    /// Why it was rejected or cancelled.
    #[schema(required = true)]
    pub reason: Option<String>,
    /// S1 only.
    #[schema(required = true)]
    pub medical: Option<Medical>,
    /// S2 only.
    #[schema(required = true)]
    pub psychosocial: Option<Psychosocial>,
    /// S3 only.
    #[schema(required = true)]
    pub social_project: Option<SocialProject>,
    /// S4 only.
    #[schema(required = true)]
    pub vocational: Option<Vocational>,
    #[schema(minimum = 1)]
    pub version: i32,
    #[serde(serialize_with = "crate::http::instant")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::http::instant")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
}

fn principal(user: Option<String>, client: Option<String>) -> Option<Decider> {
    match (user, client) {
        (Some(id), _) => Some(Decider { kind: DeciderKind::User, id }),
        (None, Some(id)) => Some(Decider { kind: DeciderKind::Client, id }),
        (None, None) => None,
    }
}

impl CaseService {
    /// The service as R11 lets `reader` see it.
    fn seen_by(reader: &Principal, record: ServiceRecord) -> Result<Self, ApiError> {
        let shown = reads_medical_details(reader, &record);
        let committed_tetri = record.service.committed_tetri();
        let ServiceRecord { service: s, details } = record;
        let (mut medical, mut psychosocial, mut social_project, mut vocational) = (None, None, None, None);
        match details {
            Details::Medical(m) => {
                let held = m.icd10_code.is_some() || m.notes.is_some();
                medical = Some(Medical {
                    condition_category: m.condition_category.as_str(),
                    icd10_code: m.icd10_code.filter(|_| shown),
                    notes: m.notes.filter(|_| shown),
                    provider: m.provider,
                    details_withheld: held && !shown,
                });
            }
            Details::Psychosocial(p) => psychosocial = Some(Psychosocial { planned_sessions: p.planned_sessions }),
            Details::SocialProject(p) => {
                social_project = Some(SocialProject {
                    title: p.title,
                    sector: p.sector,
                    business_description: p.business_description,
                });
            }
            Details::Vocational(v) => {
                vocational = Some(Vocational {
                    education: v.education,
                    skills: v.skills,
                    interests: v.interests,
                    proposed_directions: v.proposed_directions,
                    division_informed_on: v.division_informed_on,
                });
            }
        }
        let requested_by = principal(s.requested_by_user_id, s.requested_by_client_id)
            .ok_or_else(|| ApiError::internal(format!("service {} has no requester", s.id)))?;
        Ok(Self {
            category: s.service_type.category(),
            service_type: s.service_type.code(),
            status: s.status.as_str(),
            committed_tetri,
            id: s.id,
            case_id: s.case_id,
            organization_id: s.organization_id,
            requested_amount_tetri: s.requested_amount_tetri,
            approved_amount_tetri: s.approved_amount_tetri,
            supplementary_tetri: s.supplementary_tetri,
            delivered_amount_tetri: s.delivered_amount_tetri,
            grant_id: s.grant_id,
            reference: s.reference,
            requested_on: s.requested_on,
            requested_by,
            decided_by: principal(s.decided_by_user_id, s.decided_by_client_id),
            decided_on: s.decided_on,
            supplemented_by: principal(s.supplemented_by_user_id, s.supplemented_by_client_id),
            delivered_on: s.delivered_on,
            delivery_reference: s.delivery_reference,
            reason: s.closed_reason,
            medical,
            psychosocial,
            social_project,
            vocational,
            version: s.version,
            created_at: s.created_at,
            updated_at: s.updated_at,
        })
    }
}

/// S1's details in a request.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct MedicalRequest {
    /// Acute, chronic or life-threatening.
    #[serde(default)]
    #[schema(value_type = ConditionCategorySchema, required = true)]
    pub condition_category: Field<String>,
    /// Optional; sensitive (R11): only the NGO holding the case reads it.
    #[serde(default)]
    #[schema(value_type = Option<Icd10CodeSchema>)]
    pub icd10_code: Field<String>,
    /// Optional; sensitive (R11). At most 2000 characters.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub notes: Field<String>,
    /// Who provides it, 1–200 characters.
    #[serde(default)]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200)]
    pub provider: Field<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, Value>,
}

/// S2's details in a request.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PsychosocialRequest {
    #[serde(default)]
    #[schema(value_type = i64, required = true, minimum = 1, maximum = 200)]
    pub planned_sessions: Field<Value>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, Value>,
}

/// S3's details in a request (the requested amount is `requested_amount_tetri`).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct SocialProjectRequest {
    /// 1–200 characters.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 200)]
    pub title: Field<String>,
    /// 1–100 characters (e.g. agriculture, retail, services).
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 100)]
    pub sector: Field<String>,
    /// A short business description, 1–4000 characters.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 4000)]
    pub business_description: Field<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, Value>,
}

/// S4's details in a request.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct VocationalRequest {
    /// 1–500 characters.
    #[serde(default)]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 500)]
    pub education: Field<String>,
    /// 1–2000 characters.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 2000)]
    pub skills: Field<String>,
    /// 1–2000 characters.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 2000)]
    pub interests: Field<String>,
    /// At least one direction of training, each 1–200 characters.
    #[serde(default)]
    #[schema(value_type = Vec<String>, required = true, min_items = 1, max_items = 20)]
    pub proposed_directions: Field<Vec<Field<String>>>,
    /// When the ministry's Migration and Repatriation Division was informed; not in the future.
    #[serde(default)]
    #[schema(value_type = Option<NaiveDate>)]
    pub division_informed_on: Field<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, Value>,
}

/// A service to request for an eligible, open case (S1–S4), with the details of its type: `medical`
/// for S1, `psychosocial` for S2, `social_project` for S3, `vocational` for S4 — and no other.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "service_type": "medication",
    "requested_amount_tetri": 45_000,
    "reference": "TOL/2026/MED-0042",
    "medical": { "condition_category": "chronic", "icd10_code": "E11.9", "notes": "Insulin for three months", "provider": "Aversi pharmacy, Rustavi" }
}))]
pub struct ServiceRequest {
    /// S1–S4; `temporary_shelter` and `information` are refused (`service_type_not_allowed`).
    #[serde(default)]
    #[schema(value_type = ServiceTypeSchema, required = true)]
    pub service_type: Field<String>,
    /// In tetri: at least 1 for S1–S3; S4 costs nothing unless a cost is recorded (absent: 0).
    #[serde(default)]
    #[schema(value_type = i64, minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub requested_amount_tetri: Field<Value>,
    /// The request's document reference, 1–200 characters.
    #[serde(default)]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200)]
    pub reference: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<MedicalRequest>)]
    pub medical: Field<MedicalRequest>,
    #[serde(default)]
    #[schema(value_type = Option<PsychosocialRequest>)]
    pub psychosocial: Field<PsychosocialRequest>,
    #[serde(default)]
    #[schema(value_type = Option<SocialProjectRequest>)]
    pub social_project: Field<SocialProjectRequest>,
    #[serde(default)]
    #[schema(value_type = Option<VocationalRequest>)]
    pub vocational: Field<VocationalRequest>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, Value>,
}

fn medical(errors: &mut FieldErrors, m: MedicalRequest) -> Option<Details> {
    errors.unknown_fields("medical.", &m.unknown);
    let category = errors.required("medical.condition_category", m.condition_category, "a condition category");
    let category = category.and_then(|c| {
        let parsed = ConditionCategory::parse(&c);
        if parsed.is_none() {
            errors.push(FieldError::new(
                "medical.condition_category",
                codes::UNKNOWN_STATUS,
                Message::new("მწვავე, ქრონიკული ან სიცოცხლისთვის საშიში", "acute, chronic or life_threatening"),
            ));
        }
        parsed
    });
    let code = errors.text("medical.icd10_code", m.icd10_code, 0, 10).filter(|c| !c.is_empty());
    if code.as_deref().is_some_and(|c| !is_icd10_code(c)) {
        errors.push(FieldError::new(
            "medical.icd10_code",
            codes::INVALID_ICD10_CODE,
            Message::new("ICD-10 კოდი, მაგ. E11.9", "An ICD-10 code, e.g. E11.9"),
        ));
    }
    let notes = errors.text("medical.notes", m.notes, 0, 2000).filter(|n| !n.is_empty());
    let provider = errors.text("medical.provider", m.provider, 0, 200).filter(|p| !p.is_empty());
    Some(Details::Medical(MedicalDetails {
        service_id: String::new(),
        condition_category: category?,
        icd10_code: code,
        notes,
        provider,
    }))
}

fn psychosocial(errors: &mut FieldErrors, p: PsychosocialRequest) -> Option<Details> {
    errors.unknown_fields("psychosocial.", &p.unknown);
    let sessions = errors.whole_number("psychosocial.planned_sessions", p.planned_sessions, 1..=200)?;
    Some(Details::Psychosocial(PsychosocialDetails {
        service_id: String::new(),
        planned_sessions: i32::try_from(sessions).ok()?,
    }))
}

fn social_project(errors: &mut FieldErrors, p: SocialProjectRequest) -> Option<Details> {
    errors.unknown_fields("social_project.", &p.unknown);
    let title = errors.text("social_project.title", p.title, 1, 200);
    let sector = errors.text("social_project.sector", p.sector, 1, 100);
    let description = errors.text("social_project.business_description", p.business_description, 1, 4000);
    Some(Details::SocialProject(SocialProjectDetails {
        service_id: String::new(),
        title: title?,
        sector: sector?,
        business_description: description?,
    }))
}

fn vocational(errors: &mut FieldErrors, v: VocationalRequest) -> Option<Details> {
    errors.unknown_fields("vocational.", &v.unknown);
    let education = errors.text("vocational.education", v.education, 0, 500).filter(|e| !e.is_empty());
    let skills = errors.text("vocational.skills", v.skills, 1, 2000);
    let interests = errors.text("vocational.interests", v.interests, 1, 2000);
    let sent = errors.required("vocational.proposed_directions", v.proposed_directions, "an array of directions");
    let mut directions = Vec::new();
    if let Some(sent) = sent {
        if sent.is_empty() || sent.len() > MAX_DIRECTIONS {
            errors.push(FieldError::new(
                "vocational.proposed_directions",
                codes::NO_DIRECTION,
                Message::new(
                    format!("მიუთითეთ 1-დან {MAX_DIRECTIONS} მიმართულებამდე (S4)"),
                    format!("Name 1 to {MAX_DIRECTIONS} proposed training directions (S4)"),
                ),
            ));
        }
        for (i, direction) in sent.into_iter().enumerate() {
            if let Some(d) = errors.text(&format!("vocational.proposed_directions[{i}]"), direction, 1, 200) {
                directions.push(d);
            }
        }
    }
    let informed = errors.optional("vocational.division_informed_on", v.division_informed_on, "a date (YYYY-MM-DD)");
    let informed = errors.date("vocational.division_informed_on", informed);
    Some(Details::Vocational(VocationalDetails {
        education,
        skills: skills?,
        interests: interests?,
        proposed_directions: directions,
        division_informed_on: informed,
        feed_position: 0,
    }))
}

impl ServiceRequest {
    fn parse(self, case_id: String) -> Result<RequestService, ApiError> {
        let mut errors = FieldErrors::default();
        errors.unknown_fields("", &self.unknown);
        let service_type = errors.required("service_type", self.service_type, "a service type").and_then(|code| {
            let found = ServiceType::parse(&code);
            if found.is_none() {
                errors.push(FieldError::new(
                    "service_type",
                    codes::UNKNOWN_SERVICE_TYPE,
                    Message::new("ასეთი სერვისი არ არსებობს", "No such service type"),
                ));
            }
            found
        });
        let costs = service_type.is_none_or(ServiceType::costs_grant_by_default);
        let amount = if costs {
            errors.whole_number("requested_amount_tetri", self.requested_amount_tetri, 1..=MAX_TETRI)
        } else {
            let sent = errors.optional("requested_amount_tetri", self.requested_amount_tetri.clone(), "an integer");
            match sent {
                Some(_) => errors.whole_number("requested_amount_tetri", self.requested_amount_tetri, 0..=MAX_TETRI),
                None => Some(0),
            }
        };
        let reference = errors.text("reference", self.reference, 0, 200).filter(|r| !r.is_empty());
        let category = service_type.map(ServiceType::category);
        let mut details = None;
        let sections: [(&str, &str, bool); 4] = [
            ("medical", "S1", !matches!(self.medical, Field::Missing | Field::Null)),
            ("psychosocial", "S2", !matches!(self.psychosocial, Field::Missing | Field::Null)),
            ("social_project", "S3", !matches!(self.social_project, Field::Missing | Field::Null)),
            ("vocational", "S4", !matches!(self.vocational, Field::Missing | Field::Null)),
        ];
        for (name, section_category, present) in sections {
            let belongs = category == Some(section_category);
            if present && !belongs && category.is_some() {
                errors.push(FieldError::new(
                    name,
                    codes::NOT_FOR_SERVICE_TYPE,
                    Message::new(
                        "ეს დეტალები ამ სერვისს არ ეკუთვნის",
                        "These details do not belong to the service type",
                    ),
                ));
            }
        }
        match category {
            Some("S1") => {
                details = errors.required("medical", self.medical, "an object").and_then(|m| medical(&mut errors, m));
            }
            Some("S2") => {
                details = errors
                    .required("psychosocial", self.psychosocial, "an object")
                    .and_then(|p| psychosocial(&mut errors, p));
            }
            Some("S3") => {
                details = errors
                    .required("social_project", self.social_project, "an object")
                    .and_then(|p| social_project(&mut errors, p));
            }
            Some("S4") => {
                details = errors
                    .required("vocational", self.vocational, "an object")
                    .and_then(|v| vocational(&mut errors, v));
            }
            _ => {}
        }
        errors.finish()?;
        let (Some(service_type), Some(amount)) = (service_type, amount) else {
            return Err(ApiError::internal("service fields missing after validation"));
        };
        let requested_amount =
            Tetri::try_from(amount).map_err(|_| ApiError::internal("negative amount after validation"))?;
        // Shelter and information have no details here: the action refuses them by rule.
        Ok(RequestService { case_id: CaseId::from(case_id), service_type, requested_amount, reference, details })
    }
}

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

/// Answers a lifecycle step: the service as the caller sees it, with its new ETag.
fn changed(caller: &Caller, record: ServiceRecord) -> Result<HttpResponse, ApiError> {
    let version = record.service.version;
    Ok(HttpResponse::Ok().insert_header(etag(version)).json(CaseService::seen_by(caller, record)?))
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
    let who = (*caller).clone();
    let record = db::write(&pool, caller.actor(), request_id(&request), move |tx| {
        Ok(approve_service(tx, &who, &ServiceId::from(id.as_str()), version, amount, today_in_tbilisi())?)
    })
    .await?;
    changed(&caller, record)
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
    let who = (*caller).clone();
    let record = db::write(&pool, caller.actor(), request_id(&request), move |tx| {
        Ok(reject_service(tx, &who, &ServiceId::from(id.as_str()), version, reason, today_in_tbilisi())?)
    })
    .await?;
    changed(&caller, record)
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
    let who = (*caller).clone();
    let record = db::write(&pool, caller.actor(), request_id(&request), move |tx| {
        Ok(approve_supplement(tx, &who, &ServiceId::from(id.as_str()), version, amount, today_in_tbilisi())?)
    })
    .await?;
    changed(&caller, record)
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
    let who = (*caller).clone();
    let record = db::write(&pool, caller.actor(), request_id(&request), move |tx| {
        Ok(deliver_service(tx, &who, &ServiceId::from(id.as_str()), version, command, today)?)
    })
    .await?;
    changed(&caller, record)
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
    let who = (*caller).clone();
    let record = db::write(&pool, caller.actor(), request_id(&request), move |tx| {
        Ok(cancel_service(tx, &who, &ServiceId::from(id.as_str()), version, reason)?)
    })
    .await?;
    changed(&caller, record)
}
