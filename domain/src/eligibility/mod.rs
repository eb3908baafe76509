//! Who is eligible (PROGRAM.md R1–R5): one file per rule, and `decide`, which
//! runs them in order and explains the result.

pub mod decision;
pub mod input;
pub mod r1_legal_status;
pub mod r2_migration_history;
pub mod r3_registration_window;
pub mod r4_territory;
pub mod r5_one_case_per_return;

pub use decision::{Decision, Outcome, RuleId, RuleOutcome, RuleResult};
pub use input::{EligibilityInput, LegalStatus};
pub use r1_legal_status::r1_legal_status;
pub use r2_migration_history::{IRREGULAR_STAY_THRESHOLD_DAYS, r2_migration_history};
pub use r3_registration_window::r3_registration_window;
pub use r4_territory::r4_territory;
pub use r5_one_case_per_return::{OtherCase, r5_one_case_per_return};

/// Runs R1, R2, R3, R4 in that order, then R5 when `r5` is `Some` (a case is
/// being decided: `Some(None)` = no other open case, `Some(Some(c))` = case `c`
/// exists). A dry run passes `None` and gets no R5 row.
///
/// The decision is dated `input.registration_date`. Call
/// [`EligibilityInput::check_consistency`] first: contradictory input is a
/// validation error, not a decision.
pub fn decide(input: &EligibilityInput, r5: Option<Option<&OtherCase>>) -> Decision {
    let mut rules = vec![
        r1_legal_status(input.legal_status, input.personal_number.as_ref(), input.residence_permit_number.as_ref()),
        r2_migration_history(&input.irregular_periods, input.asylum_applied, input.asylum_held),
        r3_registration_window(input.return_date, input.registration_date),
        r4_territory(input.residence_region),
    ];
    if let Some(other) = r5 {
        rules.push(r5_one_case_per_return(other));
    }
    Decision::from_rules(input.registration_date, rules)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::region::RegionCode;
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// The API.md example.
    fn example() -> EligibilityInput {
        super::input::api_example()
    }

    fn rule_ids(d: &Decision) -> Vec<RuleId> {
        d.rules.iter().map(|r| r.rule).collect()
    }

    #[test]
    fn decide_api_example_is_eligible() {
        let decision = decide(&example(), None);
        assert_eq!(decision.outcome, Outcome::Eligible);
        assert_eq!(decision.rules_version, crate::RULES_VERSION);
        assert_eq!(decision.decided_on, d("2017-05-10"));
        assert_eq!(rule_ids(&decision), [RuleId::R1, RuleId::R2, RuleId::R3, RuleId::R4]);
        let json = serde_json::to_value(&decision).unwrap();
        assert_eq!(json["rules"][1]["facts"]["irregular_days"], 781);
        assert_eq!(json["rules"][1]["code"], "irregular_stay_over_one_year");
    }

    #[test]
    fn decide_appends_r5_only_for_a_case() {
        let decision = decide(&example(), Some(None));
        assert_eq!(rule_ids(&decision), [RuleId::R1, RuleId::R2, RuleId::R3, RuleId::R4, RuleId::R5]);
        assert_eq!(decision.outcome, Outcome::Eligible);

        let other = OtherCase {
            case_id: "c1".into(),
            organization_name_ka: "საზოგადოებრივი დამცველი".into(),
            organization_name_en: "Public Defender".into(),
        };
        let decision = decide(&example(), Some(Some(&other)));
        assert_eq!(decision.outcome, Outcome::NotEligible);
        assert_eq!(decision.first_failure().map(|r| r.code), Some("another_case_for_return"));
    }

    #[test]
    fn decide_missing_data_is_undetermined() {
        let input = EligibilityInput { residence_region: None, ..example() };
        assert_eq!(decide(&input, None).outcome, Outcome::Undetermined);
    }

    #[test]
    fn decide_fail_beats_unknown() {
        let input = EligibilityInput { residence_region: Some(RegionCode::Abkhazia), return_date: None, ..example() };
        let decision = decide(&input, None);
        assert_eq!(decision.outcome, Outcome::NotEligible);
        assert_eq!(decision.rules[2].outcome, RuleOutcome::Unknown);
        assert_eq!(decision.rules[3].outcome, RuleOutcome::Fail);
    }

    #[test]
    fn every_rule_result_has_both_languages() {
        let decision = decide(&example(), Some(None));
        for r in &decision.rules {
            assert!(!r.message.ka.is_empty() && !r.message.en.is_empty());
            assert!(r.message.ka.chars().any(|c| ('\u{10D0}'..='\u{10FF}').contains(&c)));
        }
    }
}
