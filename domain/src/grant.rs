//! Money rules R9 (budgets) and R10 (grants). Checked arithmetic only.
//!
//! These functions decide on the numbers they are given; the persistence layer
//! must read `already_granted`/`committed` and write the new amount in one
//! transaction (with a lock) so that concurrent approvals cannot both pass (R10:
//! "also when many approvals arrive at the same moment").

use serde_json::{Map, Value, json};

use crate::message::Message;
use crate::money::Tetri;

/// An amount refused by R9 or R10, or a sum too large to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// R9.
    #[error("the grant of {requested} exceeds what is left of the budget ({available})")]
    BudgetExceeded {
        /// The new grant.
        requested: Tetri,
        /// What was left of the year's budget before it (zero if the grants already exceed it).
        available: Tetri,
    },
    /// R10.
    #[error("the amount of {requested} exceeds what is left of the grant ({available})")]
    GrantExceeded {
        /// The amount to approve.
        requested: Tetri,
        /// What was left of the NGO's grant before it (zero if the commitments already exceed it).
        available: Tetri,
    },
    /// A sum does not fit in 64 bits: no real amount comes near this.
    #[error("the amount is too large")]
    AmountOverflow,
}

impl MoneyError {
    /// The stable machine code: `budget_exceeded`, `grant_exceeded` or `amount_overflow`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BudgetExceeded { .. } => "budget_exceeded",
            Self::GrantExceeded { .. } => "grant_exceeded",
            Self::AmountOverflow => "amount_overflow",
        }
    }

    /// `requested` and `available` in tetri (empty for an overflow).
    pub fn facts(&self) -> Map<String, Value> {
        match self {
            Self::BudgetExceeded { requested, available } | Self::GrantExceeded { requested, available } => {
                let mut m = Map::new();
                m.insert("requested".into(), json!(requested.value()));
                m.insert("available".into(), json!(available.value()));
                m
            }
            Self::AmountOverflow => Map::new(),
        }
    }

    /// The refusal in Georgian and English, with the amounts in GEL.
    pub fn message(&self) -> Message {
        match self {
            Self::BudgetExceeded { requested, available } => Message::new(
                format!("გრანტი ({requested}) აღემატება პროგრამის წლის ბიუჯეტის ნაშთს ({available})."),
                format!("The grant ({requested}) exceeds what is left of the program year's budget ({available})."),
            ),
            Self::GrantExceeded { requested, available } => Message::new(
                format!("თანხა ({requested}) აღემატება ორგანიზაციის გრანტის ნაშთს ({available})."),
                format!("The amount ({requested}) exceeds what is left of the organisation's grant ({available})."),
            ),
            Self::AmountOverflow => Message::new("თანხა ძალიან დიდია.", "The amount is too large."),
        }
    }
}

/// R9: "Grants to NGOs for a year may not add up to more than that year's
/// budget." Returns the budget left after the new grant.
pub fn r9_grant_within_budget(budget: Tetri, already_granted: Tetri, new_grant: Tetri) -> Result<Tetri, MoneyError> {
    let total = already_granted.checked_add(new_grant).ok_or(MoneyError::AmountOverflow)?;
    budget.checked_sub(total).ok_or(MoneyError::BudgetExceeded {
        requested: new_grant,
        available: budget.checked_sub(already_granted).unwrap_or(Tetri::ZERO),
    })
}

/// R10: "approved-and-not-cancelled plus delivered amounts never exceed the
/// grant". `committed` is that sum before this approval. Returns the grant left
/// after approving `amount`.
pub fn r10_approve_within_grant(grant: Tetri, committed: Tetri, amount: Tetri) -> Result<Tetri, MoneyError> {
    let total = committed.checked_add(amount).ok_or(MoneyError::AmountOverflow)?;
    grant.checked_sub(total).ok_or(MoneyError::GrantExceeded {
        requested: amount,
        available: grant.checked_sub(committed).unwrap_or(Tetri::ZERO),
    })
}

/// R10: "A delivered cost above the approved amount needs a new approval for
/// the difference." Returns that difference, or `None` when the actual cost is
/// within the approval.
pub fn r10_delivery_excess(approved: Tetri, actual: Tetri) -> Option<Tetri> {
    actual.checked_sub(approved).filter(|excess| *excess > Tetri::ZERO)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn t(v: u64) -> Tetri {
        Tetri::new(v)
    }

    #[test]
    fn r9_budget_table() {
        let budget = Tetri::from_gel(590_000).unwrap();
        let b = budget.value();
        let cases: &[(&str, u64, u64, Result<u64, &str>)] = &[
            ("nothing granted yet, whole budget", 0, b, Ok(0)),
            ("the last tetri passes", b - 100, 100, Ok(0)),
            ("one tetri more fails", b - 100, 101, Err("budget_exceeded")),
            ("leaves a remainder", 10_000_000, 20_000_000, Ok(b - 30_000_000)),
            ("budget spent, one tetri fails", b, 1, Err("budget_exceeded")),
            ("zero grant on a spent budget", b, 0, Ok(0)),
            ("overflow", u64::MAX, 1, Err("amount_overflow")),
            ("overflow at u64::MAX both", u64::MAX, u64::MAX, Err("amount_overflow")),
        ];
        for (name, already, new, expected) in cases {
            let got = r9_grant_within_budget(budget, t(*already), t(*new)).map(Tetri::value).map_err(|e| e.code());
            assert_eq!(got, *expected, "{name}");
        }
    }

    #[test]
    fn r9_exceeded_reports_requested_and_available() {
        let err = r9_grant_within_budget(t(1_000), t(900), t(101)).unwrap_err();
        assert_eq!(err, MoneyError::BudgetExceeded { requested: t(101), available: t(100) });
        assert_eq!(err.facts()["requested"], 101);
        assert_eq!(err.facts()["available"], 100);
        // already over budget (inconsistent data): available is zero, not a panic.
        let err = r9_grant_within_budget(t(1_000), t(1_500), t(1)).unwrap_err();
        assert_eq!(err, MoneyError::BudgetExceeded { requested: t(1), available: t(0) });
    }

    #[test]
    fn r9_max_budget_takes_max_grant() {
        assert_eq!(r9_grant_within_budget(t(u64::MAX), t(0), t(u64::MAX)), Ok(t(0)));
        assert_eq!(r9_grant_within_budget(t(u64::MAX), t(1), t(u64::MAX - 1)), Ok(t(0)));
    }

    #[test]
    fn r10_grant_table() {
        let grant = 5_000_000;
        let cases: &[(&str, u64, u64, Result<u64, &str>)] = &[
            ("exactly the remainder passes", 4_999_000, 1_000, Ok(0)),
            ("remainder plus one tetri fails", 4_999_000, 1_001, Err("grant_exceeded")),
            ("the very last tetri passes", grant - 1, 1, Ok(0)),
            ("nothing left, one tetri fails", grant, 1, Err("grant_exceeded")),
            ("whole grant at once", 0, grant, Ok(0)),
            ("whole grant plus one fails", 0, grant + 1, Err("grant_exceeded")),
            ("ordinary approval", 1_000_000, 250_050, Ok(grant - 1_250_050)),
            ("overflow at u64::MAX", u64::MAX, 1, Err("amount_overflow")),
            ("overflow, amount u64::MAX", 1, u64::MAX, Err("amount_overflow")),
        ];
        for (name, committed, amount, expected) in cases {
            let got =
                r10_approve_within_grant(t(grant), t(*committed), t(*amount)).map(Tetri::value).map_err(|e| e.code());
            assert_eq!(got, *expected, "{name}");
        }
    }

    #[test]
    fn r10_exceeded_reports_requested_and_available() {
        let err = r10_approve_within_grant(t(5_000), t(4_000), t(1_001)).unwrap_err();
        assert_eq!(err, MoneyError::GrantExceeded { requested: t(1_001), available: t(1_000) });
        assert_eq!(err.facts()["available"], 1_000);
        assert!(err.message().en.contains("10.00 GEL"));
        assert!(MoneyError::AmountOverflow.facts().is_empty());
    }

    #[test]
    fn r10_delivery_excess_table() {
        let cases = [
            (1_000, 999, None),
            (1_000, 1_000, None),
            (1_000, 1_001, Some(1)),
            (0, 500, Some(500)),
            (0, 0, None),
            (u64::MAX, 0, None),
            (0, u64::MAX, Some(u64::MAX)),
        ];
        for (approved, actual, expected) in cases {
            assert_eq!(r10_delivery_excess(t(approved), t(actual)).map(Tetri::value), expected, "{approved} {actual}");
        }
    }
}
