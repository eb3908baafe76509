//! The program's actions: one file per action, grouped by area. An action is a plain function
//! of a transaction ([`persistence::WriteTx`]) or a read connection, the acting [`Principal`], a
//! command already parsed into domain types, and "today"; it returns records or an
//! [`ActionError`]. HTTP handlers, the seeder and the demo loader all run the same actions, so a
//! workflow lives in one place.
//!
//! No HTTP here: this crate does not depend on actix-web, and CI fails if an HTTP type appears
//! (`.ci/run`, "the action layer stays free of HTTP"). Idempotency keys, `If-Match` and the
//! mapping of [`ActionError`] to a status are the HTTP layer's, wrapped around an action.
//!
//! - [`persons`]: register a person (R5, R14), correct a person.
//! - [`arrivals`]: record a return (R5, R11), correct it (#8.10), read it (R11).
//! - [`cases`]: open a case (R5), decide its eligibility (R1–R5), close it.
//! - [`grants`]: program years and their budgets, grants to NGOs (R9).
//! - [`services`]: services S1–S4 on a case, paid from grants (R10, R11, R12).
//! - [`shelter`]: temporary shelter stays on an arrival (S5: R6, R7, R8).
//! - [`identity`]: organisations, users and their passwords, NGO systems (the administrator's
//!   work, and a user's own password).

#![warn(missing_docs)]

pub mod arrivals;
pub mod cases;
pub mod clock;
pub mod error;
pub mod grants;
pub mod identity;
pub mod ids;
pub mod persons;
pub mod principal;
pub mod services;
pub mod shelter;
pub mod version;

pub use error::{ActionError, Refusal, RefusalCode};
pub use ids::{ArrivalId, CaseId, ClientId, OrganizationId, PersonId, ServiceId, UserId};
pub use principal::{Principal, PrincipalKind};
pub use version::ExpectedVersion;
