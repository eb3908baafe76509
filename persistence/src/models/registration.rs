use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use domain::case::CaseStatus;
use domain::eligibility::{LegalStatus, Outcome};

use crate::schema::{arrival_irregular_periods, arrivals, cases, eligibility_decisions, persons};
use crate::stored::Stored;

/// A person known to the program (R5: one per personal or permit number).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = persons)]
pub struct Person {
    pub id: String,
    #[diesel(deserialize_as = Stored<LegalStatus>, serialize_as = Stored<LegalStatus>)]
    pub legal_status: LegalStatus,
    pub personal_number: Option<String>,
    pub residence_permit_number: Option<String>,
    pub first_name_ka: Option<String>,
    pub last_name_ka: Option<String>,
    pub first_name_lat: Option<String>,
    pub last_name_lat: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub sex: Option<String>,
    pub phone_e164: Option<String>,
    pub residence_region: Option<String>,
    pub residence_locality: Option<String>,
    pub consent_date: Option<NaiveDate>,
    pub consent_scope: Option<String>,
    /// The NGO that registered the person.
    pub organization_id: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    #[serde(skip)]
    pub search_name: String,
}

impl Person {
    /// Every name part, lower-cased, for search (Georgian has no case and is kept as written).
    pub fn search_name_of(parts: &[&Option<String>]) -> String {
        parts.iter().filter_map(|p| p.as_deref()).collect::<Vec<_>>().join(" ").to_lowercase()
    }
}

/// A return recorded at the point of arrival.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = arrivals)]
pub struct Arrival {
    pub id: String,
    pub person_id: Option<String>,
    pub personal_number: Option<String>,
    pub arrival_date: NaiveDate,
    pub point_of_arrival: String,
    /// JSON array of ISO 3166-1 alpha-2 codes.
    pub countries: String,
    pub asylum_applied: Option<bool>,
    pub asylum_held: Option<bool>,
    pub need_shelter: bool,
    pub need_medical: bool,
    /// Non-medical notes.
    pub need_other: Option<String>,
    /// R11: the medical need's text, read only by the NGO holding the person.
    pub need_medical_notes: Option<String>,
    pub recorded_by_user_id: Option<String>,
    pub organization_id: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = arrival_irregular_periods)]
pub struct IrregularPeriod {
    pub id: String,
    pub arrival_id: String,
    pub start_date: NaiveDate,
    /// Exclusive (R2a).
    pub end_date: NaiveDate,
}

/// A program registration (R5: one live case per return).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = cases)]
pub struct Case {
    pub id: String,
    pub person_id: String,
    pub arrival_id: String,
    pub organization_id: String,
    pub registration_date: NaiveDate,
    #[diesel(deserialize_as = Stored<CaseStatus>, serialize_as = Stored<CaseStatus>)]
    pub status: CaseStatus,
    pub close_reason: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Derived columns, not part of the audited record.
    #[diesel(embed)]
    #[serde(skip)]
    pub copies: CaseCopies,
}

/// What the case list filters on from the person and the arrival, copied onto the case so that
/// each filter has an index in the list's order; the database keeps the copies current when the
/// person or the arrival changes (migration 000005).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = cases)]
pub struct CaseCopies {
    pub residence_region: Option<String>,
    pub personal_number: Option<String>,
    pub search_name: String,
    pub arrival_date: NaiveDate,
    pub need_shelter: bool,
}

impl CaseCopies {
    pub fn of(person: &Person, arrival: &Arrival) -> Self {
        Self {
            residence_region: person.residence_region.clone(),
            personal_number: person.personal_number.clone(),
            search_name: person.search_name.clone(),
            arrival_date: arrival.arrival_date,
            need_shelter: arrival.need_shelter,
        }
    }
}

/// A recorded, explained eligibility decision; never overwritten.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = eligibility_decisions)]
pub struct EligibilityDecision {
    pub id: String,
    pub case_id: String,
    pub decided_on: NaiveDate,
    #[diesel(deserialize_as = Stored<Outcome>, serialize_as = Stored<Outcome>)]
    pub outcome: Outcome,
    pub rules_version: String,
    /// JSON: every rule with outcome, code, messages and facts.
    pub rules: String,
    /// JSON: the data the decision was made on, in the shape of the dry run's request.
    pub input: String,
    /// The person who decided, or
    pub decided_by_user_id: Option<String>,
    pub created_at: NaiveDateTime,
    /// the NGO system that decided (#10); neither for the seeder's decisions.
    pub decided_by_client_id: Option<String>,
}
