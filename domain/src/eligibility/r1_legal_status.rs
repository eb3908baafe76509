//! R1 — Legal status.

use serde_json::json;

use super::decision::{RuleId, RuleOutcome, RuleResult, facts};
use super::input::LegalStatus;
use crate::message::Message;
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
}
