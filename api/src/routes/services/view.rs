//! A service as its reader sees it (R11: medical details only for the NGO holding the case).

use application::Principal;
use application::services::read_services::reads_medical_details;
use chrono::{NaiveDate, NaiveDateTime};
use persistence::repo::services::{Details, ServiceRecord};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::routes::cases::{Decider, DeciderKind};
use crate::schema::{ConditionCategorySchema, Icd10CodeSchema, ServiceStatusSchema, ServiceTypeSchema};

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
    pub(crate) fn seen_by(reader: &Principal, record: ServiceRecord) -> Result<Self, ApiError> {
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
