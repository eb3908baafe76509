//! The kinds of organisation in the program (PROGRAM.md "What the program is", "Roles"): the
//! ministry, which awards the grants, and the implementing NGOs, which deliver the services.

use std::fmt;

use serde::Serialize;

use crate::role::Role;

/// Whether an organisation is the ministry or an implementing NGO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganizationKind {
    /// The Ministry of IDPs, Accommodation and Refugees: administrators, officers, auditors.
    Ministry,
    /// A non-governmental organisation implementing the program under a grant.
    Ngo,
}

impl OrganizationKind {
    /// Every kind, in the order the API documents them.
    pub const ALL: [OrganizationKind; 2] = [Self::Ministry, Self::Ngo];

    /// The stable name stored and shown (`ministry`, `ngo`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ministry => "ministry",
            Self::Ngo => "ngo",
        }
    }

    /// The kind of a stored or sent name; `None` for anything else.
    pub fn parse(s: &str) -> Option<OrganizationKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The kind of organisation a role belongs to: NGO roles to an NGO, the others to the
    /// ministry ("Roles").
    pub fn of_role(role: Role) -> OrganizationKind {
        if role.belongs_to_ngo() { Self::Ngo } else { Self::Ministry }
    }

    /// Whether a user (or an NGO system) with `role` may belong to an organisation of this kind.
    pub fn holds(self, role: Role) -> bool {
        Self::of_role(role) == self
    }
}

impl fmt::Display for OrganizationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_str_and_parse_agree() {
        for kind in OrganizationKind::ALL {
            assert_eq!(OrganizationKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(OrganizationKind::parse("NGO"), None);
        assert_eq!(OrganizationKind::parse(""), None);
    }

    #[test]
    fn ngo_roles_belong_to_an_ngo_the_others_to_the_ministry() {
        for role in Role::ALL {
            let kind = OrganizationKind::of_role(role);
            assert_eq!(kind == OrganizationKind::Ngo, role.belongs_to_ngo(), "{role}");
            assert!(kind.holds(role));
        }
        assert!(!OrganizationKind::Ministry.holds(Role::NgoManager));
        assert!(!OrganizationKind::Ngo.holds(Role::Admin));
    }
}
