//! `POST /api/v1/eligibility/check`: the explained decision (R1–R4) for posted data, stored
//! nowhere (API.md "The eligibility decision").

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use domain::codes;
use domain::eligibility::{self, EligibilityInput, LegalStatus};
use domain::message::Message;
use domain::period::DatePeriod;
use domain::person_id::{PersonalNumber, ResidencePermitNumber};
use domain::region::RegionCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::ValidateLength;

use super::Text;
use crate::error::ApiError;
use crate::input::{Field, FieldErrors};
use crate::schema::{
    DecisionOutcomeSchema, LegalStatusSchema, PersonalNumberSchema, RegionCodeSchema, ResidencePermitNumberInputSchema,
    RuleIdSchema, RuleOutcomeSchema,
};

/// At most this many irregular periods in one request.
pub const MAX_PERIODS: u64 = 50;

/// The data of a pre-screening. Every field may be absent (or `null`): a rule whose data is
/// missing is `unknown`. Present data must be well-formed and consistent, or the answer is a 422
/// listing every failing field.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "legal_status": "citizen",
    "personal_number": "01001012345",
    "residence_permit_number": null,
    "return_date": "2017-03-01",
    "registration_date": "2017-05-10",
    "residence_region": "GE-TB",
    "irregular_periods": [{ "start": "2015-01-10", "end": "2017-03-01" }],
    "asylum_applied": false,
    "asylum_held": false
}))]
pub struct EligibilityCheckRequest {
    /// R1. A citizen needs `personal_number`, a stateless permanent resident
    /// `residence_permit_number`, `other` neither (a number that does not fit is a 422).
    #[serde(default)]
    #[schema(value_type = Option<LegalStatusSchema>)]
    pub legal_status: Field<String>,
    /// R1: a citizen's 11-digit personal number (only with `legal_status: citizen`).
    #[serde(default)]
    #[schema(value_type = Option<PersonalNumberSchema>)]
    pub personal_number: Field<String>,
    /// R1: a stateless person's Georgian permanent residence permit number (only with
    /// `legal_status: stateless_permanent_resident`).
    #[serde(default)]
    #[schema(value_type = Option<ResidencePermitNumberInputSchema>)]
    pub residence_permit_number: Field<String>,
    /// R2, R3: the date of the return to Georgia; not in the future (Tbilisi time).
    #[serde(default)]
    #[schema(value_type = Option<NaiveDate>)]
    pub return_date: Field<String>,
    /// R3: the registration date; today in Tbilisi (UTC+4) when absent or `null`. Not before
    /// `return_date`, not in the future.
    #[serde(default)]
    #[schema(value_type = Option<NaiveDate>)]
    pub registration_date: Field<String>,
    /// R4: the region of current residence.
    #[serde(default)]
    #[schema(value_type = Option<RegionCodeSchema>)]
    pub residence_region: Field<String>,
    /// R2a: the irregular periods of the stay abroad that ended with this return; `end` is
    /// exclusive (days = end − start), after `start` and not after `return_date`.
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
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PeriodRequest {
    #[serde(default)]
    pub start: Field<String>,
    #[serde(default)]
    pub end: Field<String>,
    #[serde(flatten)]
    pub unknown: BTreeMap<String, serde_json::Value>,
}

/// A period abroad without a legal basis: `start` counts, `end` does not (days = end − start),
/// so `end` is after `start`.
#[derive(Debug, ToSchema)]
#[schema(as = Period, example = json!({ "start": "2015-01-10", "end": "2017-03-01" }))]
#[allow(dead_code)]
pub struct PeriodSchema {
    start: NaiveDate,
    /// Exclusive.
    end: NaiveDate,
}

impl EligibilityCheckRequest {
    /// Turns the request into the domain's input, or every field error at once.
    pub fn parse(self, today: NaiveDate) -> Result<EligibilityInput, ApiError> {
        let mut errors = FieldErrors::default();
        errors.unknown_fields("", &self.unknown);

        let legal_status = errors.optional("legal_status", self.legal_status, "a string");
        let legal_status = errors.parse(
            "legal_status",
            legal_status,
            |s| LegalStatus::parse(s).ok_or(()),
            |()| {
                let error = LegalStatus::unknown("legal_status");
                (error.code, error.message)
            },
        );
        let personal_number = errors.optional("personal_number", self.personal_number, "a string");
        let personal_number =
            errors.parse("personal_number", personal_number, PersonalNumber::parse, |e| (e.code(), e.message()));
        let permit = errors.optional("residence_permit_number", self.residence_permit_number, "a string");
        let permit =
            errors.parse("residence_permit_number", permit, ResidencePermitNumber::parse, |e| (e.code(), e.message()));
        let return_date = errors.optional("return_date", self.return_date, "a date (YYYY-MM-DD)");
        let return_date = errors.date("return_date", return_date);
        let registration_date = errors.optional("registration_date", self.registration_date, "a date (YYYY-MM-DD)");
        let registration_date = match registration_date {
            Some(value) => errors.date("registration_date", Some(value)),
            None => Some(today),
        };
        let region = errors.optional("residence_region", self.residence_region, "a string");
        let residence_region = errors.parse("residence_region", region, RegionCode::parse, |e| (e.code(), e.message()));
        let periods = errors.optional("irregular_periods", self.irregular_periods, "an array of periods");
        let irregular_periods = parse_periods(&mut errors, periods.unwrap_or_default());
        let asylum_applied = errors.optional("asylum_applied", self.asylum_applied, "true or false");
        let asylum_held = errors.optional("asylum_held", self.asylum_held, "true or false");

        errors.finish()?;
        let Some(registration_date) = registration_date else {
            return Err(ApiError::internal("registration date missing after validation"));
        };
        let input = EligibilityInput {
            legal_status,
            personal_number,
            residence_permit_number: permit,
            return_date,
            registration_date,
            residence_region,
            irregular_periods,
            asylum_applied,
            asylum_held,
        };
        input.check_consistency(today).map_err(ApiError::validation)?;
        Ok(input)
    }
}

pub fn parse_periods(errors: &mut FieldErrors, periods: Vec<PeriodRequest>) -> Vec<DatePeriod> {
    if !periods.validate_length(None, Some(MAX_PERIODS), None) {
        errors.push(domain::message::FieldError::new(
            "irregular_periods",
            codes::TOO_MANY_PERIODS,
            Message::new(
                format!("არაუმეტეს {MAX_PERIODS} პერიოდისა"),
                format!("At most {MAX_PERIODS} periods are accepted"),
            ),
        ));
        return Vec::new();
    }
    let mut parsed = Vec::with_capacity(periods.len());
    for (i, period) in periods.into_iter().enumerate() {
        let name = |part: &str| format!("irregular_periods[{i}].{part}");
        errors.unknown_fields(&format!("irregular_periods[{i}]."), &period.unknown);
        let start = errors.required(&name("start"), period.start, "a date (YYYY-MM-DD)");
        let start = errors.date(&name("start"), start);
        let end = errors.required(&name("end"), period.end, "a date (YYYY-MM-DD)");
        let end = errors.date(&name("end"), end);
        if let (Some(start), Some(end)) = (start, end) {
            match DatePeriod::new(start, end) {
                Ok(period) => parsed.push(period),
                Err(_) => errors.push(domain::message::FieldError::new(
                    name("end"),
                    codes::PERIOD_END_NOT_AFTER_START,
                    Message::new(
                        "პერიოდის დასასრული უნდა იყოს დაწყების შემდეგ",
                        "The period must end after it starts (the end day is not counted)",
                    ),
                )),
            }
        }
    }
    parsed
}

/// Serialised as [`DecisionOutcomeSchema`] documents it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionOutcome {
    Eligible,
    NotEligible,
    Undetermined,
}

/// Serialised as [`RuleOutcomeSchema`] documents it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleOutcome {
    Pass,
    Fail,
    Unknown,
}

/// One rule's explained result.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleResult {
    #[schema(value_type = RuleIdSchema)]
    pub rule: &'static str,
    #[schema(value_type = RuleOutcomeSchema)]
    pub outcome: RuleOutcome,
    /// A stable machine code, e.g. `irregular_stay_over_one_year`.
    #[schema(example = "irregular_stay_over_one_year")]
    pub code: &'static str,
    pub message: Text,
    /// What the rule computed, so that the decision explains itself.
    #[schema(value_type = RuleFacts)]
    pub facts: serde_json::Map<String, serde_json::Value>,
}

/// What a rule computed or looked at. Each rule sends its own properties, always all of them
/// (`null` where the data is missing): R1 `legal_status`; R2 `irregular_days`, `threshold_days`,
/// `asylum_applied`, `asylum_held`; R3 `return_date`, `registration_date`, `window_last_day`,
/// `days_since_return`; R4 `residence_region`; R5 nothing when it passes, and `case_id`,
/// `organization_name_ka`, `organization_name_en` of the other open case when it fails.
#[derive(Debug, ToSchema)]
#[schema(example = json!({ "irregular_days": 781, "threshold_days": 365, "asylum_applied": false, "asylum_held": false }))]
#[allow(dead_code)]
pub struct RuleFacts {
    /// R1: the legal status judged.
    #[schema(value_type = Option<LegalStatusSchema>, required = false)]
    legal_status: Option<String>,
    /// R2a: the days of irregular stay, overlapping periods counted once.
    #[schema(required = false, minimum = 0)]
    irregular_days: i64,
    /// R2a: the stay must be longer than this many days (365).
    #[schema(required = false, minimum = 0)]
    threshold_days: i64,
    /// R2b, as given.
    #[schema(required = false)]
    asylum_applied: Option<bool>,
    /// R2c, as given.
    #[schema(required = false)]
    asylum_held: Option<bool>,
    /// R3: the return date, when known.
    #[schema(required = false)]
    return_date: Option<NaiveDate>,
    /// R3: the registration date judged (the decision's date).
    #[schema(required = false)]
    registration_date: NaiveDate,
    /// R3: the last day of the registration window (the return plus one calendar year).
    #[schema(required = false)]
    window_last_day: Option<NaiveDate>,
    /// R3: days from the return to the registration.
    #[schema(required = false)]
    days_since_return: Option<i64>,
    /// R4: the region of residence judged.
    #[schema(value_type = Option<RegionCodeSchema>, required = false)]
    residence_region: Option<String>,
    /// R5: the other open case for the same return.
    #[schema(required = false, format = Uuid)]
    case_id: String,
    /// R5: the NGO that holds the other case, in Georgian.
    #[schema(required = false)]
    organization_name_ka: String,
    /// R5: the NGO that holds the other case, in English.
    #[schema(required = false)]
    organization_name_en: String,
}

/// The explained eligibility decision: `not_eligible` when any rule fails, else `undetermined`
/// when any is unknown, else `eligible`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Decision {
    #[schema(value_type = DecisionOutcomeSchema)]
    pub outcome: DecisionOutcome,
    #[schema(example = "2017.1")]
    pub rules_version: &'static str,
    /// The registration date the rules were applied on.
    pub decided_on: NaiveDate,
    /// R1–R4 in that order (R5 too when a case is decided).
    #[schema(min_items = 4, max_items = 5)]
    pub rules: Vec<RuleResult>,
}

impl From<eligibility::Decision> for Decision {
    fn from(decision: eligibility::Decision) -> Self {
        Self {
            outcome: match decision.outcome {
                eligibility::Outcome::Eligible => DecisionOutcome::Eligible,
                eligibility::Outcome::NotEligible => DecisionOutcome::NotEligible,
                eligibility::Outcome::Undetermined => DecisionOutcome::Undetermined,
            },
            rules_version: decision.rules_version,
            decided_on: decision.decided_on,
            rules: decision
                .rules
                .into_iter()
                .map(|rule| RuleResult {
                    rule: rule.rule.as_str(),
                    outcome: match rule.outcome {
                        eligibility::RuleOutcome::Pass => RuleOutcome::Pass,
                        eligibility::RuleOutcome::Fail => RuleOutcome::Fail,
                        eligibility::RuleOutcome::Unknown => RuleOutcome::Unknown,
                    },
                    code: rule.code,
                    message: Text::from(&rule.message),
                    facts: rule.facts,
                })
                .collect(),
        }
    }
}

pub use application::clock::today_in_tbilisi;

/// A dry run of the eligibility decision (R1–R4) on the posted data; nothing is stored.
#[utoipa::path(operation_id = "check_eligibility", 
    post, path = "/api/v1/eligibility/check", tag = "eligibility", security(()),
    request_body = EligibilityCheckRequest,
    responses(
        (status = 200, description = "The explained decision", body = Decision),
        (status = 400, description = "Malformed JSON", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid or contradictory data: every failing field is listed", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn check(body: web::Json<EligibilityCheckRequest>) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner().parse(today_in_tbilisi())?;
    let decision = eligibility::decide(&input, None);
    Ok(HttpResponse::Ok().json(Decision::from(decision)))
}
