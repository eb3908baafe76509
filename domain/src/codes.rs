//! The stable machine codes of field errors ([`crate::message::FieldError::code`]) that no single
//! rule owns: malformed input, unknown references and values, and the checks of the
//! administration. A rule's own codes sit with the rule (`eligibility::input::CODE_*`,
//! [`crate::person_id::PersonIdError`], [`crate::person::InvalidValue`], [`crate::region`],
//! [`crate::period`]). Clients branch on these; one constant each, so that no path spells one
//! differently (#9.4).

/// A required field is missing or `null`.
pub const REQUIRED: &str = "required";
/// A field has the wrong JSON type (e.g. a number for a string).
pub const WRONG_TYPE: &str = "wrong_type";
/// A field the request type does not have (refused at every depth, never dropped).
pub const UNKNOWN_FIELD: &str = "unknown_field";
/// Text holding a NUL character (U+0000).
pub const NUL_CHARACTER: &str = "nul_character";
/// An id that is not a UUID (every id this API hands out is one).
pub const INVALID_ID: &str = "invalid_id";
/// A query parameter given more than once, where the list takes one value.
pub const REPEATED_PARAMETER: &str = "repeated_parameter";
/// A text shorter or longer than the field allows.
pub const INVALID_LENGTH: &str = "invalid_length";
/// A date that is not `YYYY-MM-DD`, or not a day of the calendar.
pub const INVALID_DATE: &str = "invalid_date";
/// An e-mail address that is not one.
pub const INVALID_EMAIL: &str = "invalid_email";
/// A page size outside 1–500.
pub const INVALID_LIMIT: &str = "invalid_limit";
/// A page cursor this server did not hand out.
pub const INVALID_CURSOR: &str = "invalid_cursor";
/// An `If-Match` that is neither `*` nor one of our ETags.
pub const INVALID_IF_MATCH: &str = "invalid_if_match";
/// An `Idempotency-Key` that is not 1–255 visible ASCII characters.
pub const INVALID_IDEMPOTENCY_KEY: &str = "invalid_idempotency_key";
/// An `Idempotency-Key` sent again with another request.
pub const IDEMPOTENCY_KEY_REUSED: &str = "idempotency_key_reused";
/// An id that names no record the caller may see (R11).
pub const UNKNOWN_REFERENCE: &str = "unknown_reference";
/// A case status that is none of `open`, `eligible`, `not_eligible`, `closed`.
pub const UNKNOWN_STATUS: &str = "unknown_status";
/// A sex that is neither `female` nor `male`.
pub const UNKNOWN_SEX: &str = "unknown_sex";
/// A consent scope that is not one of the program's (R14).
pub const UNKNOWN_CONSENT_SCOPE: &str = "unknown_consent_scope";
/// A point of arrival that is not one of the program's (airports, land border, sea port).
pub const UNKNOWN_POINT_OF_ARRIVAL: &str = "unknown_point_of_arrival";
/// A country that is not an ISO 3166-1 alpha-2 code other than Georgia's.
pub const INVALID_COUNTRY: &str = "invalid_country";
/// More irregular periods than one request may carry.
pub const TOO_MANY_PERIODS: &str = "too_many_periods";
/// A period whose end is not after its start (R2a: the end day does not count).
pub const PERIOD_END_NOT_AFTER_START: &str = "period_end_not_after_start";
/// Medical notes sent with `medical: false` (R11: the notes are the medical need's text).
pub const CONTRADICTS_MEDICAL_NOTES: &str = "contradicts_medical_notes";
/// A case for an arrival that is another person's return (R5).
pub const ARRIVAL_OF_ANOTHER_PERSON: &str = "arrival_of_another_person";
/// A role that is none of the system's.
pub const UNKNOWN_ROLE: &str = "unknown_role";
/// A role that does not belong to the organisation's kind ("Roles": NGO roles to an NGO).
pub const ROLE_DOES_NOT_FIT_ORGANIZATION: &str = "role_does_not_fit_organization";
/// An organisation id that names no organisation (of the kind needed).
pub const UNKNOWN_ORGANIZATION: &str = "unknown_organization";
/// An NGO may not cover a region the program does not serve (R4).
pub const REGION_NOT_COVERED: &str = "region_not_covered";
/// A username that is not 3–64 characters of `a-z`, `0-9`, `.`, `_`, `-`.
pub const INVALID_USERNAME: &str = "invalid_username";
/// The current password given to change it is not the current one.
pub const WRONG_PASSWORD: &str = "wrong_password";
/// A program year that does not exist.
pub const UNKNOWN_PROGRAM_YEAR: &str = "unknown_program_year";
/// A grant's period outside its program year, or ending before it starts.
pub const PERIOD_OUTSIDE_YEAR: &str = "period_outside_year";
/// A number outside the range the field takes.
pub const OUT_OF_RANGE: &str = "out_of_range";
/// A service type where it does not belong (e.g. a grant ceiling for information, S6).
pub const SERVICE_TYPE_NOT_ALLOWED: &str = "service_type_not_allowed";
/// A second ceiling for a service type in one grant.
pub const DUPLICATE_CEILING: &str = "duplicate_ceiling";
/// A grant's ceiling for a service type above the grant itself.
pub const CEILING_EXCEEDS_GRANT: &str = "ceiling_exceeds_grant";
/// A service type the catalogue does not have.
pub const UNKNOWN_SERVICE_TYPE: &str = "unknown_service_type";
/// An approved amount above the requested one (R10).
pub const EXCEEDS_REQUESTED: &str = "exceeds_requested";
/// A service's details that do not belong to its type (e.g. `medical` on a social project).
pub const NOT_FOR_SERVICE_TYPE: &str = "not_for_service_type";
/// An ICD-10 code not in the WHO's format (S1).
pub const INVALID_ICD10_CODE: &str = "invalid_icd10_code";
/// A date after today where only the past or today makes sense.
pub const DATE_IN_FUTURE: &str = "date_in_future";
/// A delivery dated before its approval.
pub const DELIVERED_BEFORE_APPROVAL: &str = "delivered_before_approval";
/// A vocational referral without a proposed training direction (S4), or an empty one.
pub const NO_DIRECTION: &str = "no_direction";
/// A shelter check-out after the planned one: staying longer is a new stay (R7).
pub const AFTER_PLANNED_CHECK_OUT: &str = "after_planned_check_out";
/// A checkpoint of the audit chain whose signature does not verify (#13).
pub const INVALID_CHECKPOINT: &str = "invalid_checkpoint";
