//! Who acts: an authenticated user or NGO system, with its role and organisation.

use domain::role::Role;
use persistence::{Actor, Visibility};

/// Whether a principal is a person or an NGO system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    /// A person who logged in with a password.
    User,
    /// An NGO's system, authenticated by client credentials.
    Client,
}

/// The acting principal of an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// A person or a system.
    pub kind: PrincipalKind,
    /// The user's or client's id.
    pub id: String,
    /// What the principal may do.
    pub role: Role,
    /// The organisation it acts for.
    pub organization_id: String,
}

impl Principal {
    /// R11: NGO staff and systems see their own organisation's records; everyone else all.
    pub fn visibility(&self) -> Visibility {
        if self.role.belongs_to_ngo() {
            Visibility::Organization(self.organization_id.clone())
        } else {
            Visibility::All
        }
    }

    /// Who the audit trail (R13) records as having acted.
    pub fn actor(&self) -> Actor {
        match self.kind {
            PrincipalKind::User => {
                Actor::User { user_id: self.id.clone(), organization_id: self.organization_id.clone() }
            }
            PrincipalKind::Client => {
                Actor::Client { client_id: self.id.clone(), organization_id: self.organization_id.clone() }
            }
        }
    }

    /// The user's id when a person acts (decisions record the deciding user).
    pub fn user_id(&self) -> Option<&str> {
        (self.kind == PrincipalKind::User).then_some(self.id.as_str())
    }
}
