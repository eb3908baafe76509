//! Cases (program registrations, R5) and arrivals (returns recorded at the point of arrival, R8).

use serde::Serialize;

use crate::eligibility::Outcome;
use crate::message::Message;

/// Where a return was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PointOfArrival {
    /// Tbilisi International Airport.
    TbilisiAirport,
    /// Kutaisi International Airport.
    KutaisiAirport,
    /// Batumi International Airport.
    BatumiAirport,
    /// A land border crossing.
    LandBorder,
    /// A sea port.
    SeaPort,
}

impl PointOfArrival {
    /// Every point of arrival, in display order.
    pub const ALL: [PointOfArrival; 5] = [
        PointOfArrival::TbilisiAirport,
        PointOfArrival::KutaisiAirport,
        PointOfArrival::BatumiAirport,
        PointOfArrival::LandBorder,
        PointOfArrival::SeaPort,
    ];

    /// The wire and database spelling, e.g. `tbilisi_airport`.
    pub fn as_str(self) -> &'static str {
        match self {
            PointOfArrival::TbilisiAirport => "tbilisi_airport",
            PointOfArrival::KutaisiAirport => "kutaisi_airport",
            PointOfArrival::BatumiAirport => "batumi_airport",
            PointOfArrival::LandBorder => "land_border",
            PointOfArrival::SeaPort => "sea_port",
        }
    }

    /// Reads the wire spelling; `None` for anything else.
    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == input)
    }
}

/// An ISO 3166-1 alpha-2 country code of the stay abroad (two upper-case letters, not `GE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// What [`CountryCode::parse`] accepts once surrounding whitespace is trimmed: two upper-case
    /// letters other than `GE` (the pattern the API documents; no look-ahead, so that every
    /// regular-expression engine reads it).
    pub const PATTERN: &'static str = "^(G[A-DF-Z]|[A-FH-Z][A-Z])$";

    /// Accepts two upper-case ASCII letters other than `GE`, ignoring surrounding whitespace;
    /// `None` for anything else (lower case included).
    pub fn parse(input: &str) -> Option<Self> {
        let bytes = input.trim().as_bytes();
        match bytes {
            [a, b] if a.is_ascii_uppercase() && b.is_ascii_uppercase() && bytes != b"GE" => Some(Self([*a, *b])),
            _ => None,
        }
    }

    /// The two letters, e.g. `IT`.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

/// A case's status: `open` → `eligible` | `not_eligible` (by a decision, again on corrected
/// data) → `closed` (with a reason).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Registered, and not yet decided or last decided `undetermined` (a rule not yet known).
    Open,
    /// The last decision admitted the person: every rule passed.
    Eligible,
    /// The last decision found a rule failing; a new decision on corrected data may change it.
    NotEligible,
    /// Closed with a reason; nothing changes its status any more.
    Closed,
}

impl CaseStatus {
    /// Every case status, in display order.
    pub const ALL: [CaseStatus; 4] =
        [CaseStatus::Open, CaseStatus::Eligible, CaseStatus::NotEligible, CaseStatus::Closed];

    /// The wire and database spelling, e.g. `not_eligible`.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::Eligible => "eligible",
            CaseStatus::NotEligible => "not_eligible",
            CaseStatus::Closed => "closed",
        }
    }

    /// Reads the wire spelling; `None` for anything else.
    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == input)
    }

    /// The status after a decision: an undetermined decision leaves the case open.
    pub fn after_decision(self, outcome: Outcome) -> Result<CaseStatus, CaseError> {
        if self == CaseStatus::Closed {
            return Err(CaseError::Closed);
        }
        Ok(match outcome {
            Outcome::Eligible => CaseStatus::Eligible,
            Outcome::NotEligible => CaseStatus::NotEligible,
            Outcome::Undetermined => CaseStatus::Open,
        })
    }

    /// Closing: from any status but `closed`.
    pub fn close(self) -> Result<CaseStatus, CaseError> {
        if self == CaseStatus::Closed { Err(CaseError::Closed) } else { Ok(CaseStatus::Closed) }
    }
}

/// A change the case's status does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// The case is closed: it can be neither decided nor closed again.
    #[error("the case is closed")]
    Closed,
}

impl CaseError {
    /// The stable machine code, `case_closed`.
    pub fn code(self) -> &'static str {
        "case_closed"
    }

    /// The refusal in Georgian and English.
    pub fn message(self) -> Message {
        Message::new("საქმე დახურულია", "The case is closed")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_decision_moves_an_open_case_and_a_new_decision_moves_it_again() {
        use CaseStatus::*;
        assert_eq!(Open.after_decision(Outcome::Eligible), Ok(Eligible));
        assert_eq!(Open.after_decision(Outcome::NotEligible), Ok(NotEligible));
        assert_eq!(Open.after_decision(Outcome::Undetermined), Ok(Open));
        assert_eq!(NotEligible.after_decision(Outcome::Eligible), Ok(Eligible), "corrected data, new decision");
        assert_eq!(Eligible.after_decision(Outcome::Undetermined), Ok(Open));
        assert_eq!(Closed.after_decision(Outcome::Eligible), Err(CaseError::Closed));
    }

    #[test]
    fn a_case_closes_once() {
        for status in [CaseStatus::Open, CaseStatus::Eligible, CaseStatus::NotEligible] {
            assert_eq!(status.close(), Ok(CaseStatus::Closed));
        }
        assert_eq!(CaseStatus::Closed.close(), Err(CaseError::Closed));
    }

    #[test]
    fn codes_round_trip() {
        for point in PointOfArrival::ALL {
            assert_eq!(PointOfArrival::parse(point.as_str()), Some(point));
        }
        for status in CaseStatus::ALL {
            assert_eq!(CaseStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(CountryCode::parse("IT").map(|c| c.as_str().to_owned()), Some("IT".to_owned()));
        for bad in ["GE", "it", "ITA", "", "I1"] {
            assert_eq!(CountryCode::parse(bad), None, "{bad}");
        }
    }
}
