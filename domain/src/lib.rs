#![warn(missing_docs)]
//! The Reintegration Assistance Program's rules (PROGRAM.md R1–R14, S1–S6) as
//! pure types and functions: no clock, no IO. Dates come in as arguments.
//!
//! A newcomer finds a rule by searching for its number (`R7` → `shelter.rs`).

pub mod case;
pub mod codes;
pub mod eligibility;
pub mod grant;
pub mod message;
pub mod money;
pub mod organization;
pub mod period;
pub mod person;
pub mod person_id;
pub mod program;
pub mod region;
pub mod role;
pub mod service;
pub mod shelter;

/// The version of the eligibility rules a decision was made under.
pub const RULES_VERSION: &str = "2017.1";

pub use eligibility::{
    Decision, EligibilityInput, LegalStatus, OtherCase, Outcome, RuleId, RuleOutcome, RuleResult, decide,
};
pub use grant::MoneyError;
pub use message::{FieldError, Message};
pub use money::Tetri;
pub use organization::OrganizationKind;
pub use period::{DatePeriod, Nights, PeriodError};
pub use person_id::{PersonIdError, PersonalNumber, ResidencePermitNumber};
pub use region::{RegionCode, UnknownRegion};
pub use role::Role;
pub use service::{ConditionCategory, FourEyesError, ServiceAction, ServiceStatus, ServiceType, TransitionError};
pub use shelter::ShelterError;
