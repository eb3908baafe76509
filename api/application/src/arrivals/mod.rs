//! Arrivals: a return recorded at the point of arrival, with the stay abroad (countries,
//! irregular periods, asylum) and the needs seen there (S5, R8). It may exist before its person
//! is known by number; it is linked when the person is registered.
//!
//! - [`record_arrival`]: record a return (R5, R11: linked to the person its number names).
//! - [`correct_arrival`]: its recorder (or the ministry) corrects it (#8.10).
//! - [`read_arrival`]: one arrival as R11 lets the reader see it, and the record of each read of
//!   medical details.
//!
//! Both writes take [`ArrivalDetails`], which exists only when its fields hold together.

pub mod correct_arrival;
pub mod read_arrival;
pub mod record_arrival;

use chrono::{NaiveDate, NaiveDateTime};
use domain::case::{CountryCode, PointOfArrival};
use domain::codes;
use domain::eligibility::input::return_in_future;
use domain::eligibility::r2_migration_history::periods_ending_after_return;
use domain::message::{FieldError, Message};
use domain::period::DatePeriod;
use domain::person_id::PersonalNumber;
use persistence::models::registration::{Arrival, IrregularPeriod};
use persistence::repo::arrivals::ArrivalRecord;
use persistence::{DbConnection, StoreError};
use serde_json::Value;

use crate::{ActionError, Principal, Refusal, RefusalCode};

/// What was said about a return, field by field, each parsed into its domain type: `None` (or
/// empty) when it was not given or did not parse, which the caller reports with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArrivalDraft {
    /// The person's personal number, when known at the point of arrival.
    pub personal_number: Option<PersonalNumber>,
    /// The return date (R2, R3): not in the future.
    pub arrival_date: Option<NaiveDate>,
    /// Where the person arrived.
    pub point_of_arrival: Option<PointOfArrival>,
    /// The countries of the stay abroad.
    pub countries: Vec<CountryCode>,
    /// R2a: the irregular periods of the stay abroad, none ending after the return.
    pub irregular_periods: Vec<DatePeriod>,
    /// R2b.
    pub asylum_applied: Option<bool>,
    /// R2c.
    pub asylum_held: Option<bool>,
    /// S5, R8: ministry staff saw the need for temporary shelter.
    pub need_shelter: bool,
    /// A medical need was seen (implied by `medical_notes` when not said).
    pub need_medical: Option<bool>,
    /// R11: the medical need in words (medical detail).
    pub medical_notes: Option<String>,
    /// Other, non-medical notes.
    pub other_needs: Option<String>,
}

/// A return's details that hold together: a return not in the future, irregular periods that
/// end by it (R2a), medical notes only with a medical need. Made only by
/// [`ArrivalDetails::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrivalDetails {
    arrival_date: NaiveDate,
    point_of_arrival: PointOfArrival,
    need_medical: bool,
    draft: ArrivalDraft,
}

fn required(errors: &mut Vec<FieldError>, field: &str) {
    if !errors.iter().any(|e| e.field == field) {
        errors.push(FieldError::new(
            field,
            codes::REQUIRED,
            Message::new("ველი სავალდებულოა", "This field is required"),
        ));
    }
}

impl ArrivalDetails {
    /// Checks the rules across the fields of `draft`, on top of `invalid`, the fields the caller
    /// could not parse: every failing field at once. `today` bounds the return date.
    pub fn parse(draft: ArrivalDraft, invalid: Vec<FieldError>, today: NaiveDate) -> Result<Self, ActionError> {
        let mut errors = invalid;
        match draft.arrival_date {
            Some(date) => {
                errors.extend(return_in_future("arrival_date", date, today));
                errors.extend(periods_ending_after_return(date, &draft.irregular_periods));
            }
            None => required(&mut errors, "arrival_date"),
        }
        if draft.point_of_arrival.is_none() {
            required(&mut errors, "point_of_arrival");
        }
        if draft.need_medical == Some(false) && draft.medical_notes.is_some() {
            errors.push(FieldError::new(
                "needs.medical",
                codes::CONTRADICTS_MEDICAL_NOTES,
                Message::new(
                    "სამედიცინო შენიშვნა არის, საჭიროება კი — არა",
                    "Medical notes are given, but no medical need",
                ),
            ));
        }
        match (draft.arrival_date, draft.point_of_arrival) {
            (Some(arrival_date), Some(point_of_arrival)) if errors.is_empty() => {
                let need_medical = draft.need_medical.unwrap_or(draft.medical_notes.is_some());
                Ok(Self { arrival_date, point_of_arrival, need_medical, draft })
            }
            _ => Err(ActionError::Invalid(errors)),
        }
    }

    fn personal_number(&self) -> Option<&str> {
        self.draft.personal_number.as_ref().map(PersonalNumber::as_str)
    }

    /// The record to store as `id`, linked to `person_id`, recorded by the principal.
    fn record(
        &self,
        id: String,
        person_id: Option<String>,
        principal: &Principal,
        now: NaiveDateTime,
    ) -> Result<ArrivalRecord, ActionError> {
        let d = &self.draft;
        let countries: Vec<&str> = d.countries.iter().map(CountryCode::as_str).collect();
        let countries = serde_json::to_string(&countries)
            .map_err(|e| ActionError::Internal(format!("countries do not serialise: {e}")))?;
        let irregular_periods = d
            .irregular_periods
            .iter()
            .map(|p| IrregularPeriod {
                id: persistence::new_id(),
                arrival_id: id.clone(),
                start_date: p.start(),
                end_date: p.end(),
            })
            .collect();
        let arrival = Arrival {
            id,
            person_id,
            personal_number: self.personal_number().map(str::to_owned),
            arrival_date: self.arrival_date,
            point_of_arrival: self.point_of_arrival.as_str().to_owned(),
            countries,
            asylum_applied: d.asylum_applied,
            asylum_held: d.asylum_held,
            need_shelter: d.need_shelter,
            need_medical: self.need_medical,
            need_other: d.other_needs.clone(),
            need_medical_notes: d.medical_notes.clone(),
            recorded_by_user_id: principal.user_id().map(str::to_owned),
            organization_id: principal.organization_id.clone(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        Ok(ArrivalRecord::new(arrival, irregular_periods))
    }
}

/// The person a personal number belongs to, for linking an arrival recorded under it: the
/// ministry links any return to its person; an NGO only to a person it holds (R5, R11: a number
/// another NGO holds is a `duplicate_person` naming that NGO, never a silent link).
fn person_by_number(
    conn: &mut DbConnection,
    principal: &Principal,
    number: Option<&str>,
) -> Result<Option<String>, ActionError> {
    match persistence::repo::persons::find_holder(conn, number, None)? {
        None => Ok(None),
        Some(holder) if principal.visibility().allows(&holder.person.organization_id) => Ok(Some(holder.person.id)),
        Some(holder) => Err(crate::persons::duplicate_person(&holder, principal).into()),
    }
}

/// #8.11: one arrival record per return (person or personal number, and date); the existing
/// record's id only to those who may see it.
fn refuse_second_record(
    conn: &mut DbConnection,
    principal: &Principal,
    details: &ArrivalDetails,
    person_id: Option<&str>,
    except: Option<&str>,
) -> Result<(), ActionError> {
    let date = details.arrival_date;
    let Some(existing) =
        persistence::repo::arrivals::same_return(conn, details.personal_number(), person_id, date, except)?
    else {
        return Ok(());
    };
    let refusal = Refusal::new(
        RefusalCode::DuplicateArrival,
        Message::new(
            format!("დაბრუნება {date} უკვე აღრიცხულია; გამოიყენეთ არსებული ჩანაწერი"),
            format!("The return of {date} is already recorded; use the existing arrival"),
        ),
    );
    match persistence::repo::arrivals::get(conn, &principal.visibility(), &existing.id) {
        Ok(_) => Err(refusal.with("arrival_id", Value::String(existing.id)).into()),
        Err(StoreError::NotFound) => Err(refusal.into()),
        Err(other) => Err(other.into()),
    }
}

/// R11 as a later read by the principal would apply it (the ministry does not read back
/// medical notes).
fn as_read_by(
    conn: &mut DbConnection,
    principal: &Principal,
    mut record: ArrivalRecord,
) -> Result<ArrivalRecord, ActionError> {
    record.medical_notes_visible =
        persistence::repo::arrivals::get(conn, &principal.visibility(), &record.arrival.id)?.medical_notes_visible;
    Ok(record)
}
