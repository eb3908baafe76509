//! One error type for the HTTP layer, rendered as problem+json (RFC 9457, API.md "Errors").
//! A 4xx carries a safe `detail`; a 500 is opaque to the client and fully logged.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use application::{ActionError, RefusalCode};
use domain::message::{FieldError, Message};
use persistence::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::language::Language;

/// Defines [`ErrorCode`] from one table, so that the list of every code, its wire string, its
/// status and its title cannot drift apart (#9.4: `ALL` is no longer kept by hand).
macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = $code:literal, $status:ident, $ka:literal, $en:literal, $remedy:literal;)+) => {
        /// The stable machine codes clients branch on (API.md). snake_case on the wire.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)+
        }

        impl ErrorCode {
            /// Every code, in the order of the table.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)+
                }
            }

            pub fn status(self) -> StatusCode {
                match self {
                    $(ErrorCode::$variant => StatusCode::$status,)+
                }
            }

            /// The problem's title, in the caller's language.
            pub fn title(self) -> Message {
                match self {
                    $(ErrorCode::$variant => Message::new($ka, $en),)+
                }
            }

            /// What a client should do about it (the README's error catalogue).
            pub fn remedy(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $remedy,)+
                }
            }
        }
    };
}

error_codes! {
    MalformedRequest = "malformed_request", BAD_REQUEST,
        "მოთხოვნა არასწორადაა ფორმირებული", "The request is malformed",
        "Send well-formed JSON (or a query string that decodes); nothing was stored.";
    UnsupportedMediaType = "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE,
        "შინაარსის ტიპი მიუღებელია", "Unsupported content type",
        "Send the body with `Content-Type: application/json`.";
    PayloadTooLarge = "payload_too_large", PAYLOAD_TOO_LARGE,
        "მოთხოვნა ძალიან დიდია", "The request body is too large",
        "Send a smaller body (the limit is in `detail`; 256 KiB by default).";
    ValidationFailed = "validation_failed", UNPROCESSABLE_ENTITY,
        "მონაცემები არასწორია", "The request data is invalid",
        "Fix every field listed in `errors` (each has a `field`, a stable `code` and a message) and send again; nothing was stored.";
    Unauthorized = "unauthorized", UNAUTHORIZED,
        "საჭიროა ავტორიზაცია", "Authentication required",
        "Get a token at `POST /api/v1/auth/token` and send it as `Authorization: Bearer …`; an expired or revoked token needs a new one.";
    Forbidden = "forbidden", FORBIDDEN,
        "წვდომა აკრძალულია", "Not allowed",
        "The caller's role or organisation may not do this (see the endpoint table); use an account that may.";
    PasswordChangeRequired = "password_change_required", FORBIDDEN,
        "საჭიროა პაროლის შეცვლა", "The password must be changed first",
        "An administrator set this password: change it at `POST /api/v1/users/me/password`, then log in again.";
    NotFound = "not_found", NOT_FOUND,
        "ვერ მოიძებნა", "Not found",
        "No such record that the caller may see (R11: another NGO's records look absent); check the id.";
    MethodNotAllowed = "method_not_allowed", METHOD_NOT_ALLOWED,
        "მეთოდი დაუშვებელია", "Method not allowed",
        "The path exists with other methods (see `Allow`).";
    Conflict = "conflict", CONFLICT,
        "კონფლიქტი არსებულ მონაცემებთან", "Conflict with existing data",
        "The data conflicts with what is stored (e.g. a name already taken); change it.";
    DuplicatePerson = "duplicate_person", CONFLICT,
        "პირი უკვე რეგისტრირებულია", "The person is already registered",
        "The person is already registered (`registered_by` names the NGO): use that record, or ask that NGO.";
    DuplicateCase = "duplicate_case", CONFLICT,
        "ამ დაბრუნებაზე საქმე უკვე არსებობს", "This return already has a case",
        "This return already has a live case (R5; `registered_by` names the NGO): work on that case.";
    DuplicateArrival = "duplicate_arrival", CONFLICT,
        "ეს დაბრუნება უკვე აღრიცხულია", "This return is already recorded",
        "This return is already recorded: use the existing arrival.";
    /// R11: not visible to the caller, who may learn only who holds the person (a 404).
    RegisteredElsewhere = "registered_elsewhere", NOT_FOUND,
        "პირი სხვა ორგანიზაციაშია რეგისტრირებული", "The person is registered with another organisation",
        "Another NGO holds this person (R11): only that NGO may see and change the record.";
    ArrivalLinkedToPerson = "arrival_linked_to_person", CONFLICT,
        "დაბრუნება პირთანაა დაკავშირებული", "The arrival is linked to a person",
        "The arrival already belongs to a person: use it through that person.";
    ArrivalHasCase = "arrival_has_case", CONFLICT,
        "დაბრუნებაზე საქმეა რეგისტრირებული", "A case is registered on this arrival",
        "A case is registered on this arrival: change the case, not the arrival.";
    /// The change would end the caller's own access.
    SelfLockout = "self_lockout", CONFLICT,
        "ეს თქვენს წვდომას დაასრულებდა", "This would lock you out",
        "Deactivating, resetting or demoting your own account, or deactivating your own organisation, is for another administrator.";
    /// R9: `remaining_tetri` says what is left of the year's budget.
    BudgetExceeded = "budget_exceeded", CONFLICT,
        "წლის ბიუჯეტი ამოწურულია", "The program year's budget would be exceeded",
        "Award at most `remaining_tetri`, or raise the year's budget first (R9).";
    /// R10: `remaining_tetri` says what is left of the grant (or of its ceiling for the type,
    /// named in `ceiling_service_type`).
    GrantExceeded = "grant_exceeded", CONFLICT,
        "გრანტის ნაშთი არ კმარა", "The grant would be overspent",
        "Approve at most `remaining_tetri` (R10), or release approvals first (cancel what will not be delivered).";
    /// R10: the NGO has no grant running on the day of the approval.
    NoGrant = "no_grant", CONFLICT,
        "მოქმედი გრანტი არ არის", "No grant is running today",
        "An approval is charged to the NGO's grant for the year of the approval (R10): the ministry must award one that runs today.";
    /// R12: the requester of a service cannot decide it.
    FourEyes = "four_eyes", CONFLICT,
        "ოთხი თვალის პრინციპი", "The requester cannot decide this",
        "Another manager (or another NGO system) must approve or reject what you requested (R12).";
    CaseNotEligible = "case_not_eligible", CONFLICT,
        "საქმე არ არის უფლებამოსილი", "The case is not eligible",
        "Services are for eligible cases (`case_status` says what it is): decide its eligibility first (`POST /api/v1/cases/{id}/eligibility`).";
    InvalidTransition = "invalid_transition", CONFLICT,
        "ეს ნაბიჯი ამ სტატუსიდან დაუშვებელია", "Not possible in the service's status",
        "The record's status (`service_status`, `stay_status`) does not allow this step (requested → approved | rejected; approved → delivered | cancelled; requested → cancelled): read it again.";
    ServiceTypeNotAllowed = "service_type_not_allowed", UNPROCESSABLE_ENTITY,
        "ეს სერვისი საქმეზე არ მოითხოვება", "This service is not requested on a case",
        "Request S1–S4 on a case; temporary shelter (S5) hangs on the arrival, information (S6) is published.";
    /// R10: `excess_tetri` is the difference to approve first.
    SupplementaryApprovalRequired = "supplementary_approval_required", CONFLICT,
        "საჭიროა დამატებითი დამტკიცება", "The cost exceeds the approval",
        "A manager other than the requester approves the `excess_tetri` first (`POST /api/v1/services/{id}/supplement`), then record the delivery again (R10).";
    /// R6.
    ShelterRegionNotCovered = "shelter_region_not_covered", CONFLICT,
        "რეგიონი არ არის დაფარული", "Shelter is not provided in this region",
        "Temporary shelter is provided only in GE-TB, GE-KK and GE-MM (R6, direction N0100): choose a shelter there.";
    /// R7: `nights_left` says how many nights the return has left.
    ShelterNightsExceeded = "shelter_nights_exceeded", CONFLICT,
        "ღამეების ლიმიტი ამოწურულია", "The return's shelter nights would exceed 4",
        "A return has at most 4 nights of shelter across its stays (R7): book at most `nights_left`, not overlapping a recorded stay (`overlaps`).";
    /// R8.
    ShelterNeedNotRecorded = "shelter_need_not_recorded", CONFLICT,
        "საჭიროება არ არის დაფიქსირებული", "No shelter need was recorded at arrival",
        "Shelter needs the need recorded by ministry staff at the point of arrival (R8): the arrival must say `needs.shelter: true`, recorded by the ministry.";
    /// R8.
    ShelterStartOutOfWindow = "shelter_start_out_of_window", CONFLICT,
        "პირველი ღამე ფანჯარას სცდება", "The first night is outside the window",
        "The first night is the return date or the day after (R8), or the check-out day of a recorded stay (a longer stay).";
    /// S5: `remaining_tetri` (or `shelter_spent_tetri` for a new allocation) says what fits.
    ShelterAllocationExceeded = "shelter_allocation_exceeded", CONFLICT,
        "თავშესაფრის ლიმიტი ამოწურულია", "The year's shelter allocation would be exceeded",
        "Record a cost within `remaining_tetri`, or raise the year's `shelter_allocation_tetri` (`PUT /api/v1/program-years/{year}`).";
    CaseClosed = "case_closed", CONFLICT,
        "საქმე დახურულია", "The case is closed",
        "A closed case cannot change; open a new case for a new return.";
    VersionConflict = "version_conflict", PRECONDITION_FAILED,
        "ჩანაწერი შეიცვალა", "The record has changed",
        "The record changed since it was read: `GET` it again and retry with the new `ETag` in `If-Match` (or send `If-Match: *`).";
    PreconditionRequired = "precondition_required", PRECONDITION_REQUIRED,
        "საჭიროა If-Match", "If-Match required",
        "Send `If-Match` with the record's `ETag` (from the last read or write), or `*`.";
    RateLimited = "rate_limited", TOO_MANY_REQUESTS,
        "ძალიან ბევრი მოთხოვნა", "Too many requests",
        "Wait the `Retry-After` seconds, then retry.";
    Overloaded = "overloaded", SERVICE_UNAVAILABLE,
        "სერვერი გადატვირთულია", "The server is busy",
        "The node is busy: wait the `Retry-After` seconds, then retry (creates with the same `Idempotency-Key`).";
    DatabaseUnavailable = "database_unavailable", SERVICE_UNAVAILABLE,
        "მონაცემთა ბაზა მიუწვდომელია", "The database is unavailable",
        "Wait the `Retry-After` seconds, then retry (creates with the same `Idempotency-Key`: a retry never doubles a record).";
    InternalError = "internal_error", INTERNAL_SERVER_ERROR,
        "სერვერის შიდა შეცდომა", "Internal server error",
        "A fault on our side: report the `request_id`; retry creates with the same `Idempotency-Key`.";
    ShuttingDown = "shutting_down", SERVICE_UNAVAILABLE,
        "სერვერი ჩერდება", "The server is shutting down",
        "This node is stopping: retry; the load balancer sends the retry to another node.";
}

/// The README's catalogue of error codes, rendered from the table above (a test keeps the README
/// in step; `reintegration error-codes` prints it).
pub fn markdown_catalogue() -> String {
    let mut table = String::from("| code | status | meaning | what to do |\n|---|---|---|---|\n");
    for code in ErrorCode::ALL {
        table.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            code.as_str(),
            code.status().as_u16(),
            code.title().en,
            code.remedy()
        ));
    }
    table
}

/// One failing field of a request body or query.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemField {
    /// The field's path in the request, e.g. `irregular_periods[1].end`.
    pub field: String,
    /// A stable machine code, e.g. `invalid_checksum_or_format`.
    pub code: String,
    pub message: String,
}

/// `application/problem+json` (RFC 9457) with the stable `code` and the `request_id`. Some
/// problems carry further members, named in their code's documentation (e.g. `registered_by` of
/// a `duplicate_person`); clients ignore members they do not know.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:reintegration:problem:validation_failed",
    "title": "The request data is invalid",
    "status": 422,
    "detail": "1 field(s) of the request are invalid",
    "code": "validation_failed",
    "request_id": "01938f5e-7c1a-7d3e-9b2a-4f6c8d0e1a2b",
    "errors": [{ "field": "personal_number", "code": "invalid_checksum_or_format", "message": "A personal number consists of exactly 11 digits." }]
}))]
pub struct Problem {
    #[serde(rename = "type")]
    #[schema(example = "urn:reintegration:problem:validation_failed")]
    pub problem_type: String,
    pub title: String,
    /// The HTTP status, repeated.
    #[schema(minimum = 400, maximum = 599, example = 422)]
    pub status: u16,
    pub detail: String,
    pub code: ErrorCode,
    /// The `X-Request-Id` of the request, to quote when reporting a problem.
    pub request_id: String,
    /// Every failing field of a `validation_failed`, at once.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    /// Problem-specific members, e.g. `registered_by` of a `duplicate_person`.
    #[serde(flatten)]
    #[schema(ignore)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// An error on its way to becoming a problem+json response. The request id and the language
/// are filled in by the middleware, which knows the request.
#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub detail: Message,
    pub fields: Vec<FieldError>,
    /// For a 503: how many seconds the client should wait.
    pub retry_after: Option<u32>,
    /// What went wrong inside; logged, never sent.
    pub internal: Option<String>,
    /// Problem-specific members for the client (safe to show); boxed, as most errors have none.
    pub extra: Option<Box<serde_json::Map<String, serde_json::Value>>>,
}

impl ApiError {
    pub fn new(code: ErrorCode, detail: Message) -> Self {
        Self { code, detail, fields: Vec::new(), retry_after: None, internal: None, extra: None }
    }

    pub fn validation(fields: Vec<FieldError>) -> Self {
        let detail = Message::new(
            format!("მოთხოვნაში {} ველი არასწორია", fields.len()),
            format!("{} field(s) of the request are invalid", fields.len()),
        );
        Self { fields, ..Self::new(ErrorCode::ValidationFailed, detail) }
    }

    pub fn not_found() -> Self {
        Self::new(
            ErrorCode::NotFound,
            Message::new("მოთხოვნილი რესურსი ვერ მოიძებნა", "The requested resource does not exist"),
        )
    }

    pub fn unauthorized() -> Self {
        Self::new(
            ErrorCode::Unauthorized,
            Message::new("საჭიროა მოქმედი Bearer ტოკენი", "A valid bearer token is required (POST /api/v1/auth/token)"),
        )
    }

    pub fn forbidden() -> Self {
        Self::new(
            ErrorCode::Forbidden,
            Message::new("თქვენს როლს ეს მოქმედება არ ეკუთვნის", "Your role may not do this"),
        )
    }

    /// #8.5: the caller logged in with a password an administrator set; until they choose their
    /// own, the token may only read `/users/me` and change the password.
    pub fn password_change_required() -> Self {
        Self::new(
            ErrorCode::PasswordChangeRequired,
            Message::new(
                "ადმინისტრატორის მიცემული პაროლი ჯერ უნდა შეცვალოთ: POST /api/v1/users/me/password",
                "Change the password an administrator set first: POST /api/v1/users/me/password",
            ),
        )
    }

    pub fn rate_limited(retry_after_seconds: u32) -> Self {
        Self {
            retry_after: Some(retry_after_seconds.max(1)),
            ..Self::new(
                ErrorCode::RateLimited,
                Message::new(
                    format!("ძალიან ბევრი მოთხოვნა; სცადეთ {retry_after_seconds} წამში"),
                    format!("Too many requests; retry in {retry_after_seconds} s"),
                ),
            )
        }
    }

    pub fn internal(error: impl std::fmt::Display) -> Self {
        Self {
            internal: Some(error.to_string()),
            ..Self::new(
                ErrorCode::InternalError,
                Message::new(
                    "მოულოდნელი შეცდომა; მიუთითეთ request_id",
                    "An unexpected error occurred; quote the request_id when reporting it",
                ),
            )
        }
    }

    /// 503 `database_unavailable` with `Retry-After: 2` (#8.17): the database is down, or was lost
    /// mid-request; a retry soon may find it back (a pooled connection is checked on checkout).
    pub fn unavailable(error: impl std::fmt::Display) -> Self {
        Self {
            internal: Some(error.to_string()),
            retry_after: Some(2),
            ..Self::new(
                ErrorCode::DatabaseUnavailable,
                Message::new(
                    "მონაცემთა ბაზა დროებით მიუწვდომელია; სცადეთ მოგვიანებით",
                    "The database is temporarily unavailable; retry later",
                ),
            )
        }
    }

    /// 503 `shutting_down` with `Retry-After: 1` (#8.18): this node is draining; another takes
    /// the next request.
    pub fn shutting_down() -> Self {
        Self {
            retry_after: Some(1),
            ..Self::new(
                ErrorCode::ShuttingDown,
                Message::new(
                    "სერვერი ჩერდება და ახალ მოთხოვნებს აღარ იღებს; სცადეთ ხელახლა",
                    "This server is shutting down and takes no new work; retry",
                ),
            )
        }
    }

    /// Renders the problem in the caller's language.
    pub fn to_problem(&self, request_id: &str, language: Language) -> Problem {
        Problem {
            problem_type: format!("urn:reintegration:problem:{}", self.code.as_str()),
            title: language.pick(&self.code.title()).to_owned(),
            status: self.code.status().as_u16(),
            detail: language.pick(&self.detail).to_owned(),
            code: self.code,
            request_id: request_id.to_owned(),
            errors: self
                .fields
                .iter()
                .map(|f| ProblemField {
                    field: f.field.clone(),
                    code: f.code.to_owned(),
                    message: language.pick(&f.message).to_owned(),
                })
                .collect(),
            extra: self.extra.as_deref().cloned().unwrap_or_default(),
        }
    }

    /// Adds a problem-specific member.
    pub fn with(mut self, name: &str, value: serde_json::Value) -> Self {
        self.extra.get_or_insert_with(Default::default).insert(name.to_owned(), value);
        self
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.detail.en)?;
        if let Some(internal) = &self.internal {
            write!(f, " ({internal})")?;
        }
        Ok(())
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ApiError::not_found(),
            StoreError::StaleVersion { current } => ApiError::new(
                ErrorCode::VersionConflict,
                Message::new(
                    format!("ჩანაწერი შეიცვალა; მიმდინარე ვერსიაა {current}. წაიკითხეთ თავიდან და გაიმეორეთ"),
                    format!("The record is now at version {current}; read it again and retry"),
                ),
            ),
            StoreError::Unavailable(_) => ApiError::unavailable(error),
            StoreError::Conflict(_) => ApiError {
                internal: Some(error.to_string()),
                ..ApiError::new(
                    ErrorCode::Conflict,
                    Message::new("ჩანაწერი უკვე არსებობს", "The record conflicts with an existing one"),
                )
            },
            StoreError::Query(_) | StoreError::Corrupt(_) => ApiError::internal(error),
        }
    }
}

/// The one place where an action's refusal becomes a problem code (and so a status).
impl From<RefusalCode> for ErrorCode {
    fn from(code: RefusalCode) -> Self {
        match code {
            RefusalCode::DuplicatePerson => ErrorCode::DuplicatePerson,
            RefusalCode::DuplicateCase => ErrorCode::DuplicateCase,
            RefusalCode::DuplicateArrival => ErrorCode::DuplicateArrival,
            RefusalCode::RegisteredElsewhere => ErrorCode::RegisteredElsewhere,
            RefusalCode::ArrivalLinkedToPerson => ErrorCode::ArrivalLinkedToPerson,
            RefusalCode::ArrivalHasCase => ErrorCode::ArrivalHasCase,
            RefusalCode::CaseClosed => ErrorCode::CaseClosed,
            RefusalCode::NameTaken => ErrorCode::Conflict,
            RefusalCode::SelfLockout => ErrorCode::SelfLockout,
            RefusalCode::BudgetExceeded => ErrorCode::BudgetExceeded,
            RefusalCode::GrantExceeded => ErrorCode::GrantExceeded,
            RefusalCode::NoGrant => ErrorCode::NoGrant,
            RefusalCode::FourEyes => ErrorCode::FourEyes,
            RefusalCode::CaseNotEligible => ErrorCode::CaseNotEligible,
            RefusalCode::InvalidTransition => ErrorCode::InvalidTransition,
            RefusalCode::ServiceTypeNotAllowed => ErrorCode::ServiceTypeNotAllowed,
            RefusalCode::SupplementRequired => ErrorCode::SupplementaryApprovalRequired,
            RefusalCode::ShelterRegionNotCovered => ErrorCode::ShelterRegionNotCovered,
            RefusalCode::ShelterNightsExceeded => ErrorCode::ShelterNightsExceeded,
            RefusalCode::ShelterNeedNotRecorded => ErrorCode::ShelterNeedNotRecorded,
            RefusalCode::ShelterStartOutOfWindow => ErrorCode::ShelterStartOutOfWindow,
            RefusalCode::ShelterAllocationExceeded => ErrorCode::ShelterAllocationExceeded,
        }
    }
}

impl From<ActionError> for ApiError {
    fn from(error: ActionError) -> Self {
        match error {
            ActionError::Invalid(fields) => ApiError::validation(fields),
            ActionError::Refused(refusal) => {
                let mut error = ApiError::new(refusal.code.into(), refusal.detail);
                if !refusal.extra.is_empty() {
                    error.extra = Some(Box::new(refusal.extra));
                }
                error
            }
            ActionError::Forbidden => ApiError::forbidden(),
            ActionError::Store(store) => store.into(),
            ActionError::Internal(what) => ApiError::internal(what),
        }
    }
}

impl From<crate::auth::password::PasswordError> for ApiError {
    fn from(error: crate::auth::password::PasswordError) -> Self {
        match error {
            // Too many hashes in flight: the server sheds load instead of starving other requests.
            crate::auth::password::PasswordError::Busy => Self {
                internal: Some(error.to_string()),
                retry_after: Some(2),
                ..ApiError::new(
                    ErrorCode::Overloaded,
                    Message::new("სერვერი გადატვირთულია; სცადეთ მოგვიანებით", "The server is busy; retry shortly"),
                )
            },
            other => ApiError::internal(other),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        ApiError::internal(error)
    }
}

/// The response only carries the status (and `Retry-After`): the problem middleware
/// (`crate::middleware`) finds this error on the response and renders the body with the request
/// id and the caller's language.
impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status_code());
        if let Some(seconds) = self.retry_after {
            response.insert_header((header::RETRY_AFTER, HeaderValue::from(seconds)));
        }
        if self.code == ErrorCode::Unauthorized {
            response
                .insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"reintegration\"")));
        }
        response.finish()
    }
}

impl ApiError {
    /// The problem for a response that left actix-web with an error status and no `ApiError`
    /// behind it (unknown route, wrong method, an error of a middleware).
    pub fn for_status(status: StatusCode) -> Self {
        let code = match status {
            StatusCode::NOT_FOUND => ErrorCode::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
            StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
            StatusCode::SERVICE_UNAVAILABLE => ErrorCode::DatabaseUnavailable,
            StatusCode::UNAUTHORIZED => ErrorCode::Unauthorized,
            StatusCode::FORBIDDEN => ErrorCode::Forbidden,
            StatusCode::TOO_MANY_REQUESTS => ErrorCode::RateLimited,
            s if s.is_client_error() => ErrorCode::MalformedRequest,
            _ => ErrorCode::InternalError,
        };
        let detail = match code {
            ErrorCode::NotFound => Message::new("ასეთი მისამართი არ არსებობს", "No resource exists at this path"),
            ErrorCode::MethodNotAllowed => {
                Message::new("ეს მეთოდი ამ მისამართზე დაუშვებელია", "This method is not allowed on this path")
            }
            other => other.title(),
        };
        Self::new(code, detail)
    }
}
#[cfg(test)]
mod catalogue_tests {
    #[test]
    fn the_readme_catalogues_every_error_code() {
        let readme = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"));
        let table = super::markdown_catalogue();
        assert!(
            readme.contains(&table),
            "README.md's error catalogue is out of date; replace it with:\n\n{table}\n(cargo run --bin reintegration -- error-codes prints it)"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_maps_to_its_own_snake_case_string_and_an_error_status() {
        let mut seen = std::collections::HashSet::new();
        for &code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "duplicate code {}", code.as_str());
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
            assert!(code.status().is_client_error() || code.status().is_server_error());
            assert!(!code.title().ka.is_empty() && !code.title().en.is_empty());
        }
    }

    #[test]
    fn a_hashing_pool_with_no_free_slot_is_a_503_overloaded_with_retry_after() {
        let error = ApiError::from(crate::auth::password::PasswordError::Busy);
        assert_eq!((error.code.as_str(), error.code.status().as_u16()), ("overloaded", 503));
        assert_eq!(error.retry_after, Some(2));
    }

    #[test]
    fn a_500_shows_no_internals() {
        let error = ApiError::internal("connection to 10.0.0.7 refused: password authentication failed");
        let problem = serde_json::to_string(&error.to_problem("rid", Language::English)).unwrap();
        assert!(!problem.contains("10.0.0.7") && !problem.contains("password"), "{problem}");
        assert!(error.to_string().contains("10.0.0.7"), "the log keeps the cause");
    }
}
