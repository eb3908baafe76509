//! Decide a case's eligibility: R1–R4 on the stored person, arrival and registration date, R5 on
//! the other live cases of the return. The whole explained decision is recorded with the data it
//! was made on, never overwritten, and the case moves by [`CaseStatus::after_decision`].

use chrono::{NaiveDate, NaiveDateTime};
use domain::case::CaseStatus;
use domain::eligibility::{self, EligibilityInput, OtherCase};
use domain::period::DatePeriod;
use domain::person_id::{PersonalNumber, ResidencePermitNumber};
use domain::region::RegionCode;
use persistence::models::registration::{Case, EligibilityDecision, Person};
use persistence::repo::arrivals::ArrivalRecord;
use persistence::repo::cases::LiveCase;
use persistence::{DbConnection, Visibility, WriteTx};
use serde_json::{Value, json};

use crate::{ActionError, Principal, PrincipalKind, Refusal, RefusalCode};
use crate::{CaseId, ExpectedVersion};

/// A recorded decision and the case it moved.
#[derive(Debug, Clone)]
pub struct Decided {
    /// The decision as recorded.
    pub decision: EligibilityDecision,
    /// The case, at its new version.
    pub case: Case,
}

/// A decision made but not yet recorded: what a bulk loader stores as it is.
#[derive(Debug, Clone)]
pub struct Evaluation {
    /// The explained decision.
    pub decision: eligibility::Decision,
    /// The data it was made on, in the shape of the dry run's request (`POST /eligibility/check`).
    pub input: Value,
    /// The case status after it.
    pub next_status: CaseStatus,
}

impl Evaluation {
    /// The decision's record for `case_id`, made by `decider` (none for the seeder's).
    pub fn record(
        &self,
        case_id: &str,
        decider: Option<&Principal>,
        now: NaiveDateTime,
    ) -> Result<EligibilityDecision, ActionError> {
        let decided_by = |kind: PrincipalKind| decider.filter(|p| p.kind == kind).map(|p| p.id.clone());
        let rules = serde_json::to_string(&self.decision.rules)
            .map_err(|e| ActionError::Internal(format!("decision rules do not serialise: {e}")))?;
        Ok(EligibilityDecision {
            id: persistence::new_id(),
            case_id: case_id.to_owned(),
            decided_on: self.decision.decided_on,
            outcome: self.decision.outcome,
            rules_version: self.decision.rules_version.to_owned(),
            rules,
            input: self.input.to_string(),
            decided_by_user_id: decided_by(PrincipalKind::User),
            created_at: now,
            decided_by_client_id: decided_by(PrincipalKind::Client),
        })
    }
}

/// The domain's input from the stored records. Stored data that does not parse is corrupt (an
/// error, never a silently missing fact).
fn eligibility_input(person: &Person, arrival: &ArrivalRecord, case: &Case) -> Result<EligibilityInput, ActionError> {
    let corrupt = |what: &str, value: &str| ActionError::corrupt(format!("stored {what} {value:?}"));
    let personal_number = person
        .personal_number
        .as_deref()
        .map(|n| PersonalNumber::parse(n).map_err(|_| corrupt("personal number", n)))
        .transpose()?;
    let residence_permit_number = person
        .residence_permit_number
        .as_deref()
        .map(|n| ResidencePermitNumber::parse(n).map_err(|_| corrupt("permit number", n)))
        .transpose()?;
    let residence_region = person
        .residence_region
        .as_deref()
        .map(|r| RegionCode::parse(r).map_err(|_| corrupt("region", r)))
        .transpose()?;
    let irregular_periods = arrival
        .irregular_periods
        .iter()
        .map(|p| DatePeriod::new(p.start_date, p.end_date).map_err(|_| corrupt("irregular period", &p.id)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(EligibilityInput {
        legal_status: Some(person.legal_status),
        personal_number,
        residence_permit_number,
        return_date: Some(arrival.arrival.arrival_date),
        registration_date: case.registration_date,
        residence_region,
        irregular_periods,
        asylum_applied: arrival.arrival.asylum_applied,
        asylum_held: arrival.arrival.asylum_held,
    })
}

/// The data a decision is made on, in the shape of the dry run's request, as it is recorded.
fn input_record(person: &Person, arrival: &ArrivalRecord, case: &Case) -> Value {
    json!({
        "legal_status": person.legal_status.as_str(),
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

/// Decides on the stored records without storing anything: R1–R4 from the data, R5 from
/// `other` (the return's other live case, if any). Data that contradicts itself (e.g. a
/// registration before the return) is a validation error naming the fields, as in the dry run.
pub fn evaluate(
    person: &Person,
    arrival: &ArrivalRecord,
    case: &Case,
    other: Option<&LiveCase>,
    today: NaiveDate,
) -> Result<Evaluation, ActionError> {
    let input = eligibility_input(person, arrival, case)?;
    input.check_consistency(today).map_err(ActionError::Invalid)?;
    let other = other.map(|live| OtherCase {
        case_id: live.case_id.clone(),
        organization_name_ka: live.organization_name_ka.clone(),
        organization_name_en: live.organization_name_en.clone(),
    });
    let decision = eligibility::decide(&input, Some(other.as_ref()));
    let next_status =
        case.status.after_decision(decision.outcome).map_err(|e| Refusal::new(RefusalCode::CaseClosed, e.message()))?;
    Ok(Evaluation { decision, input: input_record(person, arrival, case), next_status })
}

fn load(
    conn: &mut DbConnection,
    visibility: &Visibility,
    case_id: &str,
) -> Result<(Case, Person, ArrivalRecord, Option<LiveCase>), ActionError> {
    let case = persistence::repo::cases::get(conn, visibility, case_id)?;
    let person = persistence::repo::persons::get(conn, &Visibility::All, &case.person_id)?;
    let arrival = persistence::repo::arrivals::get(conn, &Visibility::All, &case.arrival_id)?;
    let other = persistence::repo::cases::live_case_for_return(
        conn,
        &case.arrival_id,
        Some((&case.person_id, arrival.arrival.arrival_date)),
        Some(&case.id),
    )?;
    Ok((case, person, arrival, other))
}

/// Decides the case the principal may see, at `expected_version`, records the decision (R13)
/// and moves the case.
pub fn decide_eligibility(
    tx: &mut WriteTx<'_>,
    principal: &Principal,
    case_id: &CaseId,
    expected_version: impl Into<ExpectedVersion>,
    today: NaiveDate,
) -> Result<Decided, ActionError> {
    let (case, person, arrival, other) = load(tx.read(), &principal.visibility(), case_id.as_str())?;
    let expected_version = expected_version.into().or_current(case.version);
    let evaluation = evaluate(&person, &arrival, &case, other.as_ref(), today)?;
    let record = evaluation.record(&case.id, Some(principal), persistence::now_utc())?;
    let decision = persistence::repo::cases::record_decision(tx, record)?;
    let case = persistence::repo::cases::update_status(tx, &case.id, expected_version, evaluation.next_status, None)?;
    Ok(Decided { decision, case })
}
