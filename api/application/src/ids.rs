//! The ids actions take (#9.4): one type per kind of record, so that a case's id cannot be
//! passed where a person's is meant. An id is only a name: whether the record exists, and
//! whether the principal may see it, is the action's to find out.

use std::fmt;

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)+) => {
        $(
            $(#[$doc])*
            #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
            pub struct $name(String);

            impl $name {
                /// The id as stored and sent.
                pub fn as_str(&self) -> &str {
                    &self.0
                }

                /// The id, owned.
                pub fn into_string(self) -> String {
                    self.0
                }
            }

            impl From<String> for $name {
                fn from(id: String) -> Self {
                    Self(id)
                }
            }

            impl From<&str> for $name {
                fn from(id: &str) -> Self {
                    Self(id.to_owned())
                }
            }

            impl fmt::Display for $name {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str(&self.0)
                }
            }
        )+
    };
}

ids! {
    /// A person known to the program (R5: one per personal or permit number).
    PersonId;
    /// A recorded return (an arrival).
    ArrivalId;
    /// A program registration (a case).
    CaseId;
    /// A user who logs in.
    UserId;
    /// An API client (an NGO's system): the record's id, not its public `client_id`.
    ClientId;
    /// An organisation: the ministry or an NGO.
    OrganizationId;
    /// A service requested on a case (S1–S4).
    ServiceId;
}
