//! The system's roles (PROGRAM.md "Roles").

use std::fmt;

use serde::{Deserialize, Serialize};

/// What a user may do (PROGRAM.md "Roles"); NGO roles act for one NGO only (R11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Ministry: organisations, users, API clients, program years, budgets, grants.
    Admin,
    /// Migration and Repatriation Division, airport staff.
    MinistryOfficer,
    /// Everything a caseworker can, for their NGO, plus approving/rejecting services.
    NgoManager,
    /// Registering people and cases, eligibility, service requests and deliveries.
    NgoCaseworker,
    /// Read-only, all organisations (R11 limits).
    Auditor,
}

impl Role {
    /// Every role, in display order.
    pub const ALL: [Role; 5] =
        [Self::Admin, Self::MinistryOfficer, Self::NgoManager, Self::NgoCaseworker, Self::Auditor];

    /// The wire and database spelling, e.g. `ngo_manager`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::MinistryOfficer => "ministry_officer",
            Self::NgoManager => "ngo_manager",
            Self::NgoCaseworker => "ngo_caseworker",
            Self::Auditor => "auditor",
        }
    }

    /// Reads the wire spelling; `None` for anything else.
    pub fn parse(s: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// R11: NGO staff see and change only their own NGO's cases.
    pub fn belongs_to_ngo(self) -> bool {
        matches!(self, Self::NgoManager | Self::NgoCaseworker)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn as_str_parse_and_serde_agree() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            assert_eq!(serde_json::to_string(&r).unwrap(), format!("\"{}\"", r.as_str()));
        }
        assert_eq!(Role::parse("Admin"), None);
        assert_eq!(Role::parse(""), None);
    }

    #[test]
    fn r11_ngo_roles() {
        let ngo: Vec<_> = Role::ALL.into_iter().filter(|r| r.belongs_to_ngo()).collect();
        assert_eq!(ngo, [Role::NgoManager, Role::NgoCaseworker]);
    }
}
