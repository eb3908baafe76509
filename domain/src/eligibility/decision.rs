//! The explained eligibility decision (PROGRAM.md, after R5): every rule with
//! pass / fail / not-yet-known, a stable machine code, a message in Georgian and
//! English, and the facts it computed; recorded with its date and rules version.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::message::Message;

/// One rule's verdict.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum RuleOutcome {
    /// The rule is met.
    Pass,
    /// The rule is not met: the person is not eligible.
    Fail,
    /// The data the rule needs is missing ("not yet known").
    Unknown,
}

impl RuleOutcome {
    /// Every verdict, in the order the API documents them.
    pub const ALL: [RuleOutcome; 3] = [Self::Pass, Self::Fail, Self::Unknown];

    /// The wire and database spelling: `pass`, `fail` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Unknown => "unknown",
        }
    }

    /// Reads the wire spelling; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// The eligibility rules, serialized as `"R1"` … `"R5"`.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuleId {
    /// R1 — legal status: a citizen of Georgia, or a stateless person with a Georgian permanent residence permit.
    R1,
    /// R2 — migration history: more than 365 days abroad irregularly, an asylum application, or a protection status.
    R2,
    /// R3 — registration window: registered within one year of the return, both ends inclusive.
    R3,
    /// R4 — territory: residence in a covered region, not in Abkhazia or the Tskhinvali region.
    R4,
    /// R5 — one case per return: no other open case for the same return at any NGO (a precondition).
    R5,
}

impl RuleId {
    /// Every rule, in display order (R1 … R5).
    pub const ALL: [RuleId; 5] = [Self::R1, Self::R2, Self::R3, Self::R4, Self::R5];

    /// The wire and database spelling, `"R1"` … `"R5"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::R1 => "R1",
            Self::R2 => "R2",
            Self::R3 => "R3",
            Self::R4 => "R4",
            Self::R5 => "R5",
        }
    }

    /// Reads the wire spelling; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A rule's explained verdict.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct RuleResult {
    /// The rule judged.
    pub rule: RuleId,
    /// Its verdict.
    pub outcome: RuleOutcome,
    /// Stable machine code, e.g. `irregular_stay_over_one_year`.
    pub code: &'static str,
    /// The verdict explained in Georgian and English.
    pub message: Message,
    /// The numbers and data the rule computed or looked at.
    pub facts: Map<String, Value>,
}

impl RuleResult {
    /// A verdict from its parts, in field order.
    pub fn new(
        rule: RuleId,
        outcome: RuleOutcome,
        code: &'static str,
        message: Message,
        facts: Map<String, Value>,
    ) -> Self {
        Self { rule, outcome, code, message, facts }
    }
}

/// Turns a `serde_json::json!({...})` object into a facts map (anything else: empty).
pub(crate) fn facts(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The decision's overall outcome.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every rule passes: the person is admitted.
    Eligible,
    /// At least one rule fails.
    NotEligible,
    /// No rule fails, but at least one is not yet known; a case stays `open`.
    Undetermined,
}

impl Outcome {
    /// Every outcome, in the order the API documents them.
    pub const ALL: [Outcome; 3] = [Self::Eligible, Self::NotEligible, Self::Undetermined];

    /// The wire and database spelling: `eligible`, `not_eligible` or `undetermined`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eligible => "eligible",
            Self::NotEligible => "not_eligible",
            Self::Undetermined => "undetermined",
        }
    }

    /// Reads the wire spelling; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// `not_eligible` when any rule fails, else `undetermined` when any is
    /// unknown, else `eligible` (also for an empty list).
    pub fn aggregate(rules: &[RuleResult]) -> Self {
        if rules.iter().any(|r| r.outcome == RuleOutcome::Fail) {
            Self::NotEligible
        } else if rules.iter().any(|r| r.outcome == RuleOutcome::Unknown) {
            Self::Undetermined
        } else {
            Self::Eligible
        }
    }
}

/// An explained eligibility decision.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Decision {
    /// The overall outcome, aggregated from `rules` ([`Outcome::aggregate`]).
    pub outcome: Outcome,
    /// The rules version it was made under ([`crate::RULES_VERSION`]).
    pub rules_version: &'static str,
    /// The date the decision is dated (given by the caller: [`crate::decide`] uses the registration date).
    pub decided_on: NaiveDate,
    /// Every rule checked, with its explained verdict, in the order checked.
    pub rules: Vec<RuleResult>,
}

impl Decision {
    /// Builds a decision, computing the outcome from the rules.
    pub fn from_rules(decided_on: NaiveDate, rules: Vec<RuleResult>) -> Self {
        Self { outcome: Outcome::aggregate(&rules), rules_version: crate::RULES_VERSION, decided_on, rules }
    }

    /// The first failing rule, if any (e.g. for a `not_eligible` error's detail).
    pub fn first_failure(&self) -> Option<&RuleResult> {
        self.rules.iter().find(|r| r.outcome == RuleOutcome::Fail)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use RuleOutcome::{Fail, Pass, Unknown};

    fn result(rule: RuleId, outcome: RuleOutcome) -> RuleResult {
        RuleResult::new(rule, outcome, "x", Message::new("ა", "a"), Map::new())
    }

    #[test]
    fn outcome_aggregation_fail_beats_unknown_beats_pass() {
        let cases: &[(&[RuleOutcome], Outcome)] = &[
            (&[Pass, Pass, Pass, Pass], Outcome::Eligible),
            (&[Pass, Unknown, Pass, Pass], Outcome::Undetermined),
            (&[Pass, Fail, Pass, Pass], Outcome::NotEligible),
            (&[Unknown, Fail, Unknown, Pass], Outcome::NotEligible),
            (&[Fail, Unknown], Outcome::NotEligible),
            (&[Unknown, Unknown, Unknown, Unknown], Outcome::Undetermined),
            (&[Pass, Pass, Pass, Pass, Fail], Outcome::NotEligible),
            (&[], Outcome::Eligible),
        ];
        for (outcomes, expected) in cases {
            let rules: Vec<_> = outcomes.iter().zip(RuleId::ALL).map(|(o, id)| result(id, *o)).collect();
            assert_eq!(Outcome::aggregate(&rules), *expected, "{outcomes:?}");
        }
    }

    #[test]
    fn serialization_matches_api_contract() {
        let d = Decision::from_rules(
            NaiveDate::from_ymd_opt(2017, 5, 10).unwrap(),
            vec![result(RuleId::R1, Pass), result(RuleId::R2, Unknown)],
        );
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["outcome"], "undetermined");
        assert_eq!(json["rules_version"], "2017.1");
        assert_eq!(json["decided_on"], "2017-05-10");
        assert_eq!(json["rules"][0]["rule"], "R1");
        assert_eq!(json["rules"][0]["outcome"], "pass");
        assert_eq!(json["rules"][1]["outcome"], "unknown");
        assert!(json["rules"][0]["facts"].is_object());
    }

    #[test]
    fn as_str_and_parse_agree_with_serde() {
        for o in RuleOutcome::ALL {
            assert_eq!(RuleOutcome::parse(o.as_str()), Some(o));
            assert_eq!(serde_json::to_value(o).unwrap(), o.as_str());
        }
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
            assert_eq!(serde_json::to_value(o).unwrap(), o.as_str());
        }
        for r in RuleId::ALL {
            assert_eq!(RuleId::parse(r.as_str()), Some(r));
            assert_eq!(serde_json::to_value(r).unwrap(), r.as_str());
        }
    }
}
