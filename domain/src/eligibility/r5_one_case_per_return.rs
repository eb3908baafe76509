//! R5 — One case per return.

use serde::Serialize;
use serde_json::json;

use super::decision::{RuleId, RuleOutcome, RuleResult, facts};
use crate::message::Message;

/// Another open case of the same person for the same return, at any NGO.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OtherCase {
    /// The other case's id.
    pub case_id: String,
    /// The name of the NGO that holds it, in Georgian.
    pub organization_name_ka: String,
    /// The name of the NGO that holds it, in English.
    pub organization_name_en: String,
}

/// R5: "A person has at most one open program case per return, across all NGOs."
/// The caller looks the other case up (by personal or permit number); a
/// conflict names the NGO that holds it.
pub fn r5_one_case_per_return(other_open_case: Option<&OtherCase>) -> RuleResult {
    match other_open_case {
        None => RuleResult::new(
            RuleId::R5,
            RuleOutcome::Pass,
            "no_other_case_for_return",
            Message::new(
                "ამ დაბრუნებაზე პირს სხვა ღია საქმე არ აქვს.",
                "The person has no other open case for this return.",
            ),
            facts(json!({})),
        ),
        Some(other) => RuleResult::new(
            RuleId::R5,
            RuleOutcome::Fail,
            "another_case_for_return",
            Message::new(
                format!("ამ დაბრუნებაზე პირს უკვე აქვს ღია საქმე ორგანიზაციაში „{}“.", other.organization_name_ka),
                format!("The person already has an open case for this return with {}.", other.organization_name_en),
            ),
            facts(json!({
                "case_id": other.case_id,
                "organization_name_ka": other.organization_name_ka,
                "organization_name_en": other.organization_name_en,
            })),
        ),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn r5_no_other_case_passes() {
        let r = r5_one_case_per_return(None);
        assert_eq!((r.rule, r.outcome, r.code), (RuleId::R5, RuleOutcome::Pass, "no_other_case_for_return"));
    }

    #[test]
    fn r5_other_case_fails_and_names_the_ngo() {
        let other = OtherCase {
            case_id: "case-1".into(),
            organization_name_ka: "კახეთის რეგიონალური განვითარების ფონდი".into(),
            organization_name_en: "Kakheti Regional Development Foundation".into(),
        };
        let r = r5_one_case_per_return(Some(&other));
        assert_eq!((r.outcome, r.code), (RuleOutcome::Fail, "another_case_for_return"));
        assert!(r.message.ka.contains("კახეთის რეგიონალური განვითარების ფონდი"));
        assert!(r.message.en.contains("Kakheti Regional Development Foundation"));
        assert_eq!(r.facts["case_id"], "case-1");
        assert_eq!(r.facts["organization_name_en"], "Kakheti Regional Development Foundation");
        assert_eq!(r.facts["organization_name_ka"], "კახეთის რეგიონალური განვითარების ფონდი");
    }
}
