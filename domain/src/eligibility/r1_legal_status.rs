//! R1 — Legal status.

use serde_json::json;

use super::decision::{RuleId, RuleOutcome, RuleResult, facts};
use super::input::{CODE_IDENTIFIER_DOES_NOT_MATCH_LEGAL_STATUS, LegalStatus};
use crate::message::{FieldError, Message};
use crate::person_id::{PersonalNumber, ResidencePermitNumber};

/// R1: "The person is a citizen of Georgia, or a stateless person holding a
/// Georgian permanent residence permit."
pub fn r1_legal_status(
    status: Option<LegalStatus>,
    personal_number: Option<&PersonalNumber>,
    permit: Option<&ResidencePermitNumber>,
) -> RuleResult {
    let (outcome, code, message) = match status {
        None => (
            RuleOutcome::Unknown,
            "legal_status_missing",
            Message::new("პირის სამართლებრივი სტატუსი მითითებული არ არის.", "The person's legal status is not given."),
        ),
        Some(LegalStatus::Citizen) if personal_number.is_some() => (
            RuleOutcome::Pass,
            "legal_status_citizen",
            Message::new("პირი საქართველოს მოქალაქეა.", "The person is a citizen of Georgia."),
        ),
        Some(LegalStatus::Citizen) => (
            RuleOutcome::Unknown,
            "personal_number_missing",
            Message::new("მოქალაქის პირადი ნომერი მითითებული არ არის.", "The citizen's personal number is not given."),
        ),
        Some(LegalStatus::StatelessPermanentResident) if permit.is_some() => (
            RuleOutcome::Pass,
            "legal_status_stateless_permanent_resident",
            Message::new(
                "პირი მოქალაქეობის არმქონეა და აქვს საქართველოში მუდმივად ცხოვრების ნებართვა.",
                "The person is stateless and holds a Georgian permanent residence permit.",
            ),
        ),
        Some(LegalStatus::StatelessPermanentResident) => (
            RuleOutcome::Fail,
            "stateless_without_permanent_residence_permit",
            Message::new(
                "მოქალაქეობის არმქონე პირს არ აქვს საქართველოში მუდმივად ცხოვრების ნებართვა.",
                "The stateless person holds no Georgian permanent residence permit.",
            ),
        ),
        Some(LegalStatus::Other) => (
            RuleOutcome::Fail,
            "legal_status_not_covered",
            Message::new(
                "პროგრამა მოიცავს მხოლოდ საქართველოს მოქალაქეებს და მოქალაქეობის არმქონე პირებს საქართველოში მუდმივად ცხოვრების ნებართვით.",
                "The program covers only citizens of Georgia and stateless persons with a Georgian permanent residence permit.",
            ),
        ),
    };
    RuleResult::new(
        RuleId::R1,
        outcome,
        code,
        message,
        facts(json!({ "legal_status": status.map(LegalStatus::as_str) })),
    )
}

/// R1: "A citizen is identified by the 11-digit personal number; a stateless person by the
/// permit number"; anyone else (`other`) by neither. A number that does not fit the legal status
/// is invalid input, whichever path takes it: registering or correcting a person, the dry run
/// (`POST /eligibility/check`) and deciding a case all call this one check (#9.5).
pub fn identifier_errors(
    status: LegalStatus,
    personal_number: Option<&PersonalNumber>,
    permit: Option<&ResidencePermitNumber>,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if personal_number.is_some() && status != LegalStatus::Citizen {
        errors.push(FieldError::new(
            "personal_number",
            CODE_IDENTIFIER_DOES_NOT_MATCH_LEGAL_STATUS,
            Message::new(
                "პირადი ნომერი მიეთითება მხოლოდ საქართველოს მოქალაქისთვის.",
                "A personal number is given only for a citizen of Georgia.",
            ),
        ));
    }
    if permit.is_some() && status != LegalStatus::StatelessPermanentResident {
        errors.push(FieldError::new(
            "residence_permit_number",
            CODE_IDENTIFIER_DOES_NOT_MATCH_LEGAL_STATUS,
            Message::new(
                "ბინადრობის ნებართვის ნომერი მიეთითება მხოლოდ მუდმივად ცხოვრების ნებართვის მქონე მოქალაქეობის არმქონე პირისთვის.",
                "A residence permit number is given only for a stateless person with a Georgian permanent residence permit.",
            ),
        ));
    }
    errors
}

/// R1, R5: a registered person is identified by the number R1 names for their legal status (R5
/// tells persons apart by it): a citizen without a personal number, or a stateless resident
/// without a permit number, cannot be registered. The dry run accepts either missing (R1 is then
/// `unknown` or fails).
pub fn missing_identifier(
    status: LegalStatus,
    personal_number: Option<&PersonalNumber>,
    permit: Option<&ResidencePermitNumber>,
) -> Option<FieldError> {
    match status {
        LegalStatus::Citizen if personal_number.is_none() => Some(FieldError::new(
            "personal_number",
            "required",
            Message::new("მოქალაქის პირადი ნომერი სავალდებულოა", "A citizen's personal number is required"),
        )),
        LegalStatus::StatelessPermanentResident if permit.is_none() => Some(FieldError::new(
            "residence_permit_number",
            "required",
            Message::new("ბინადრობის ნებართვის ნომერი სავალდებულოა", "The residence permit number is required"),
        )),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use LegalStatus::{Citizen, Other, StatelessPermanentResident};
    use RuleOutcome::{Fail, Pass, Unknown};

    #[test]
    fn r1_each_status_table() {
        let pn = PersonalNumber::parse("01001012345").unwrap();
        let permit = ResidencePermitNumber::parse("AB123456").unwrap();
        // (name, status, personal number, permit, outcome, code)
        type Case<'a> = (
            &'static str,
            Option<LegalStatus>,
            Option<&'a PersonalNumber>,
            Option<&'a ResidencePermitNumber>,
            RuleOutcome,
            &'static str,
        );
        let cases: Vec<Case> = vec![
            ("missing status", None, None, None, Unknown, "legal_status_missing"),
            ("missing status with number", None, Some(&pn), None, Unknown, "legal_status_missing"),
            ("citizen with number", Some(Citizen), Some(&pn), None, Pass, "legal_status_citizen"),
            ("citizen without number", Some(Citizen), None, None, Unknown, "personal_number_missing"),
            ("citizen with permit only", Some(Citizen), None, Some(&permit), Unknown, "personal_number_missing"),
            (
                "stateless with permit",
                Some(StatelessPermanentResident),
                None,
                Some(&permit),
                Pass,
                "legal_status_stateless_permanent_resident",
            ),
            (
                "stateless without permit",
                Some(StatelessPermanentResident),
                None,
                None,
                Fail,
                "stateless_without_permanent_residence_permit",
            ),
            ("other", Some(Other), None, None, Fail, "legal_status_not_covered"),
            ("other with permit", Some(Other), None, Some(&permit), Fail, "legal_status_not_covered"),
        ];
        for (name, status, number, permit, outcome, code) in cases {
            let r = r1_legal_status(status, number, permit);
            assert_eq!(r.rule, RuleId::R1, "{name}");
            assert_eq!(r.outcome, outcome, "{name}");
            assert_eq!(r.code, code, "{name}");
            assert_eq!(r.facts["legal_status"], json!(status.map(LegalStatus::as_str)), "{name}");
        }
    }

    #[test]
    fn r1_identifiers_each_status_table() {
        let pn = PersonalNumber::parse("01001012345").unwrap();
        let permit = ResidencePermitNumber::parse("AB123456").unwrap();
        let fields = |status, pn: Option<&PersonalNumber>, permit: Option<&ResidencePermitNumber>| {
            identifier_errors(status, pn, permit).into_iter().map(|e| (e.field, e.code)).collect::<Vec<_>>()
        };
        let mismatch = |field: &str| (field.to_owned(), CODE_IDENTIFIER_DOES_NOT_MATCH_LEGAL_STATUS);
        assert_eq!(fields(Citizen, Some(&pn), None), []);
        assert_eq!(fields(Citizen, Some(&pn), Some(&permit)), [mismatch("residence_permit_number")]);
        assert_eq!(fields(StatelessPermanentResident, None, Some(&permit)), []);
        assert_eq!(fields(StatelessPermanentResident, Some(&pn), Some(&permit)), [mismatch("personal_number")]);
        // R1: anyone else is identified by neither number.
        assert_eq!(fields(Other, None, None), []);
        assert_eq!(fields(Other, None, Some(&permit)), [mismatch("residence_permit_number")]);
        assert_eq!(fields(Other, Some(&pn), None), [mismatch("personal_number")]);
    }

    #[test]
    fn r1_a_registered_person_needs_the_number_of_their_status() {
        let pn = PersonalNumber::parse("01001012345").unwrap();
        let permit = ResidencePermitNumber::parse("AB123456").unwrap();
        let field = |status, pn, permit| missing_identifier(status, pn, permit).map(|e| e.field);
        assert_eq!(field(Citizen, None, None).as_deref(), Some("personal_number"));
        assert_eq!(field(Citizen, Some(&pn), None), None);
        assert_eq!(field(StatelessPermanentResident, None, None).as_deref(), Some("residence_permit_number"));
        assert_eq!(field(StatelessPermanentResident, None, Some(&permit)), None);
        assert_eq!(field(Other, None, None), None);
    }
}
