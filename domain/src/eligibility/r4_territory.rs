//! R4 — Territory.

use serde_json::json;

use super::decision::{RuleId, RuleOutcome, RuleResult, facts};
use crate::message::Message;
use crate::region::RegionCode;

/// R4: "The program covers all of Georgia except the occupied territories:
/// Abkhazia and the Tskhinvali region."
pub fn r4_territory(region: Option<RegionCode>) -> RuleResult {
    let (outcome, code, message) = match region {
        None => (
            RuleOutcome::Unknown,
            "residence_region_missing",
            Message::new(
                "პირის საცხოვრებელი რეგიონი მითითებული არ არის.",
                "The person's region of residence is not given.",
            ),
        ),
        Some(r) if r.is_occupied() => (
            RuleOutcome::Fail,
            "residence_in_occupied_territory",
            Message::new(
                format!("პირი ცხოვრობს ოკუპირებულ ტერიტორიაზე ({}), რომელსაც პროგრამა არ მოიცავს.", r.name_ka()),
                format!(
                    "The person lives in an occupied territory ({}), which the program does not cover.",
                    r.name_en()
                ),
            ),
        ),
        Some(r) => (
            RuleOutcome::Pass,
            "residence_in_covered_territory",
            Message::new(
                format!("პირი ცხოვრობს პროგრამით მოცულ რეგიონში ({}).", r.name_ka()),
                format!("The person lives in a region the program covers ({}).", r.name_en()),
            ),
        ),
    };
    RuleResult::new(
        RuleId::R4,
        outcome,
        code,
        message,
        facts(json!({ "residence_region": region.map(RegionCode::code) })),
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn r4_abkhazia_fails() {
        let r = r4_territory(Some(RegionCode::Abkhazia));
        assert_eq!((r.outcome, r.code), (RuleOutcome::Fail, "residence_in_occupied_territory"));
        assert_eq!(r.facts["residence_region"], "GE-AB");
    }

    #[test]
    fn r4_tskhinvali_fails() {
        let r = r4_territory(Some(RegionCode::Tskhinvali));
        assert_eq!((r.outcome, r.code), (RuleOutcome::Fail, "residence_in_occupied_territory"));
        assert_eq!(r.facts["residence_region"], "GE-TSK");
    }

    #[test]
    fn r4_every_other_region_passes() {
        for region in RegionCode::ALL.into_iter().filter(|r| !r.is_occupied()) {
            let r = r4_territory(Some(region));
            assert_eq!((r.outcome, r.code), (RuleOutcome::Pass, "residence_in_covered_territory"), "{region}");
            assert_eq!(r.facts["residence_region"], region.code());
        }
    }

    #[test]
    fn r4_missing_region_is_unknown() {
        let r = r4_territory(None);
        assert_eq!((r.outcome, r.code), (RuleOutcome::Unknown, "residence_region_missing"));
        assert!(r.facts["residence_region"].is_null());
    }
}
