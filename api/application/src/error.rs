//! Why an action did not happen. The HTTP layer maps each variant to a status and a problem code
//! in one place (`api::error`); the seeder and the demo loader report them as they are.

use domain::message::{FieldError, Message};
use persistence::StoreError;
use serde_json::{Map, Value};

/// A program rule or the state of the records refuses an action (each a 409 over HTTP, except
/// [`RefusalCode::RegisteredElsewhere`], a 404 that names only the NGO).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalCode {
    /// R5: the personal or permit number is held by a person already (named: its NGO).
    DuplicatePerson,
    /// R5: the return already has a live case (named: its NGO).
    DuplicateCase,
    /// R5: the person's return on that date is recorded already.
    DuplicateArrival,
    /// R11: the record belongs to a person another NGO holds; only that NGO is named.
    RegisteredElsewhere,
    /// An arrival linked to a person cannot change its personal number.
    ArrivalLinkedToPerson,
    /// An arrival correction would strand its case (e.g. a return after the registration).
    ArrivalHasCase,
    /// A closed case takes no decision and cannot be closed again.
    CaseClosed,
    /// An organisation's name or a username is taken already (a plain `conflict` over HTTP).
    NameTaken,
    /// The change would end the caller's own access: deactivating, resetting or demoting one's
    /// own account, or deactivating one's own organisation. Another administrator may.
    SelfLockout,
    /// R9: the grant would take the year's grants past its budget (`remaining_tetri` says what is left).
    BudgetExceeded,
    /// R10: the approval would take the grant (or its ceiling for the type) below zero
    /// (`remaining_tetri` says what is left).
    GrantExceeded,
    /// R10: the NGO has no grant running on the day of the approval.
    NoGrant,
    /// R12: the requester of a service — person or NGO system — cannot decide it.
    FourEyes,
    /// A service is requested, or approved, only for an eligible case.
    CaseNotEligible,
    /// The service's lifecycle has no such step from its status.
    InvalidTransition,
    /// Temporary shelter (S5) hangs on the arrival, and information (S6) is not requested.
    ServiceTypeNotAllowed,
    /// R10: a delivered cost above the approval needs a supplementary approval of the
    /// difference first (`excess_tetri`).
    SupplementRequired,
    /// R6: shelter only in Tbilisi, Kvemo Kartli and Mtskheta-Mtianeti (direction N0100).
    ShelterRegionNotCovered,
    /// R7: the return's stays would pass 4 nights (`nights_left`), or overlap a recorded stay.
    ShelterNightsExceeded,
    /// R8: no shelter need was recorded by ministry staff at the point of arrival.
    ShelterNeedNotRecorded,
    /// R8: the first night is neither the return date nor the day after (nor a continuation).
    ShelterStartOutOfWindow,
    /// S5: the stay's cost would pass the year's shelter allocation (`remaining_tetri`), or a new
    /// allocation is below what the year's stays cost.
    ShelterAllocationExceeded,
}

impl RefusalCode {
    /// Every code, for the tests that check each is produced and documented.
    pub const ALL: [RefusalCode; 22] = [
        RefusalCode::DuplicatePerson,
        RefusalCode::DuplicateCase,
        RefusalCode::DuplicateArrival,
        RefusalCode::RegisteredElsewhere,
        RefusalCode::ArrivalLinkedToPerson,
        RefusalCode::ArrivalHasCase,
        RefusalCode::CaseClosed,
        RefusalCode::NameTaken,
        RefusalCode::SelfLockout,
        RefusalCode::BudgetExceeded,
        RefusalCode::GrantExceeded,
        RefusalCode::NoGrant,
        RefusalCode::FourEyes,
        RefusalCode::CaseNotEligible,
        RefusalCode::InvalidTransition,
        RefusalCode::ServiceTypeNotAllowed,
        RefusalCode::SupplementRequired,
        RefusalCode::ShelterRegionNotCovered,
        RefusalCode::ShelterNightsExceeded,
        RefusalCode::ShelterNeedNotRecorded,
        RefusalCode::ShelterStartOutOfWindow,
        RefusalCode::ShelterAllocationExceeded,
    ];
}

/// A refusal: its code, an explanation in both languages, and what the caller may learn
/// (e.g. `registered_by`, the NGO holding a person).
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// The stable reason.
    pub code: RefusalCode,
    /// Why, in Georgian and English.
    pub detail: Message,
    /// Members safe to show the caller.
    pub extra: Map<String, Value>,
}

impl Refusal {
    /// A refusal without further members.
    pub fn new(code: RefusalCode, detail: Message) -> Self {
        Self { code, detail, extra: Map::new() }
    }

    /// Adds a member for the caller.
    pub fn with(mut self, key: &str, value: Value) -> Self {
        self.extra.insert(key.to_owned(), value);
        self
    }

    /// R5/R11: the person is held by another NGO, named in both languages under `registered_by`.
    pub fn registered_elsewhere(code: RefusalCode, name_ka: &str, name_en: &str) -> Self {
        Self::new(
            code,
            Message::new(
                format!("პირი უკვე რეგისტრირებულია: {name_ka}"),
                format!("The person is already registered by {name_en}"),
            ),
        )
        .with("registered_by", serde_json::json!({ "ka": name_ka, "en": name_en }))
    }
}

/// Why an action did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// The command is invalid: every failing field at once.
    #[error("{} invalid field(s)", .0.len())]
    Invalid(Vec<FieldError>),
    /// A program rule or the records' state refuses it.
    #[error("refused: {:?}", .0.code)]
    Refused(Refusal),
    /// The principal may see the record but not do this to it (e.g. change an arrival another
    /// organisation recorded).
    #[error("forbidden")]
    Forbidden,
    /// The store could not do it: not found (or not visible), a stale version, a conflict, an
    /// outage, or a failure.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A broken promise inside (e.g. stored data that does not parse): never silent.
    #[error("internal: {0}")]
    Internal(String),
}

impl From<Refusal> for ActionError {
    fn from(refusal: Refusal) -> Self {
        ActionError::Refused(refusal)
    }
}

impl ActionError {
    /// One invalid field.
    pub fn field(field: &str, code: &'static str, message: Message) -> Self {
        ActionError::Invalid(vec![FieldError::new(field, code, message)])
    }

    /// Stored data that does not say what the schema promises.
    pub fn corrupt(what: impl std::fmt::Display) -> Self {
        ActionError::Store(StoreError::Corrupt(what.to_string()))
    }
}

/// Collects field errors, to report every failing field at once.
#[derive(Debug, Default)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    /// Adds one.
    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    /// `Ok` when there are none, else every one of them.
    pub fn finish(self) -> Result<(), ActionError> {
        if self.0.is_empty() { Ok(()) } else { Err(ActionError::Invalid(self.0)) }
    }
}
