//! A service request as it arrives: the type's details, validated at the edge, every field error
//! at once.

use std::collections::BTreeMap;

use application::CaseId;
use application::services::request_service::RequestService;
use domain::codes;
use domain::message::{FieldError, Message};
use domain::money::Tetri;
use domain::service::{ConditionCategory, ServiceType, is_icd10_code};
use persistence::repo::services::{
    Details, MedicalDetails, PsychosocialDetails, SocialProjectDetails, VocationalDetails,
};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::MAX_TETRI;
use crate::error::ApiError;
use crate::input::{Field, FieldErrors};
use crate::schema::{ConditionCategorySchema, Icd10CodeSchema, ServiceTypeSchema};

/// The most proposed training directions a referral names.
const MAX_DIRECTIONS: usize = 20;

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
    pub(crate) fn parse(self, case_id: String) -> Result<RequestService, ApiError> {
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
