//! Persons: one per personal or permit number across the system (R5), held by the NGO that
//! registered them (R11), with only what eligibility needs unless consent is recorded (R14).
//!
//! - [`register_person`]: the acting NGO registers a person.
//! - [`correct_person`]: the holding NGO replaces a person's details.
//!
//! Both take [`PersonDetails`], which exists only when the rules across its fields hold.

pub mod correct_person;
pub mod register_person;

use chrono::{NaiveDate, NaiveDateTime};
use domain::codes;
use domain::eligibility::LegalStatus;
use domain::eligibility::r1_legal_status::{identifier_errors, missing_identifier};
use domain::message::{FieldError, Message};
use domain::person::{Consent, GeorgianName, LatinName, PhoneNumber, Sex, consent_errors, implausible_date_of_birth};
use domain::person_id::{PersonalNumber, ResidencePermitNumber};
use domain::region::RegionCode;
use persistence::DbConnection;
use persistence::models::registration::Person;
use persistence::repo::persons::Holder;
use serde_json::Value;

use crate::{ActionError, Principal, Refusal, RefusalCode};

/// What was said about a person, field by field, each parsed into its domain type: `None` when
/// it was not given (or did not parse, which the caller reports with it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonDraft {
    /// R1.
    pub legal_status: Option<LegalStatus>,
    /// R1: a citizen's number.
    pub personal_number: Option<PersonalNumber>,
    /// R1: a stateless permanent resident's number.
    pub residence_permit_number: Option<ResidencePermitNumber>,
    /// Given name in Georgian script (R14: needs consent).
    pub first_name_ka: Option<GeorgianName>,
    /// Family name in Georgian script (R14).
    pub last_name_ka: Option<GeorgianName>,
    /// Given name in Latin letters (R14).
    pub first_name_lat: Option<LatinName>,
    /// Family name in Latin letters (R14).
    pub last_name_lat: Option<LatinName>,
    /// R14; from 1900 to today.
    pub date_of_birth: Option<NaiveDate>,
    /// R14.
    pub sex: Option<Sex>,
    /// R14.
    pub phone: Option<PhoneNumber>,
    /// R4: where the person lives now.
    pub residence_region: Option<RegionCode>,
    /// Municipality or settlement (R14).
    pub residence_locality: Option<String>,
    /// R14: recorded consent.
    pub consent: Option<Consent>,
}

impl PersonDraft {
    /// Whether the field named `field` (as in [`domain::person::FIELDS_NEEDING_CONSENT`]) is given.
    fn given(&self, field: &str) -> bool {
        match field {
            "first_name_ka" => self.first_name_ka.is_some(),
            "last_name_ka" => self.last_name_ka.is_some(),
            "first_name_lat" => self.first_name_lat.is_some(),
            "last_name_lat" => self.last_name_lat.is_some(),
            "date_of_birth" => self.date_of_birth.is_some(),
            "sex" => self.sex.is_some(),
            "phone" => self.phone.is_some(),
            "residence_locality" => self.residence_locality.is_some(),
            _ => false,
        }
    }
}

/// A person's details that hold together: R1's number fits the legal status and is given (R5
/// tells persons apart by it), the date of birth is plausible, and without consent nothing beyond
/// what eligibility needs (R14). Made only by [`PersonDetails::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonDetails {
    legal_status: LegalStatus,
    draft: PersonDraft,
}

fn has(errors: &[FieldError], field: &str) -> bool {
    errors.iter().any(|e| e.field == field)
}

impl PersonDetails {
    /// Checks the rules across the fields of `draft`, on top of `invalid`, the fields the caller
    /// could not parse: every failing field at once. `today` bounds the date of birth.
    pub fn parse(draft: PersonDraft, invalid: Vec<FieldError>, today: NaiveDate) -> Result<Self, ActionError> {
        let mut errors = invalid;
        let (number, permit) = (draft.personal_number.as_ref(), draft.residence_permit_number.as_ref());
        match draft.legal_status {
            Some(status) => {
                if let Some(missing) = missing_identifier(status, number, permit)
                    && !has(&errors, &missing.field)
                {
                    errors.push(missing);
                }
                errors.extend(identifier_errors(status, number, permit));
            }
            None if !has(&errors, "legal_status") => errors.push(FieldError::new(
                "legal_status",
                codes::REQUIRED,
                Message::new("ველი სავალდებულოა", "This field is required"),
            )),
            None => {}
        }
        if let Some(born) = draft.date_of_birth {
            errors.extend(implausible_date_of_birth(born, today));
        }
        // R14: an invalid consent is reported as such, not as missing.
        let consent_given =
            draft.consent.is_some() || errors.iter().any(|e| e.field == "consent" || e.field.starts_with("consent."));
        errors.extend(consent_errors(consent_given, |field| draft.given(field)));
        match draft.legal_status {
            Some(legal_status) if errors.is_empty() => Ok(Self { legal_status, draft }),
            _ => Err(ActionError::Invalid(errors)),
        }
    }

    /// The row to store as `id`, held by `organization_id`.
    fn row(&self, id: String, organization_id: String, now: NaiveDateTime) -> Person {
        let d = &self.draft;
        let names: [Option<String>; 4] = [
            d.first_name_ka.as_ref().map(|n| n.as_str().to_owned()),
            d.last_name_ka.as_ref().map(|n| n.as_str().to_owned()),
            d.first_name_lat.as_ref().map(|n| n.as_str().to_owned()),
            d.last_name_lat.as_ref().map(|n| n.as_str().to_owned()),
        ];
        let [first_name_ka, last_name_ka, first_name_lat, last_name_lat] = names;
        Person {
            id,
            legal_status: self.legal_status,
            personal_number: d.personal_number.as_ref().map(|n| n.as_str().to_owned()),
            residence_permit_number: d.residence_permit_number.as_ref().map(|p| p.as_str().to_owned()),
            search_name: Person::search_name_of(&[&first_name_ka, &last_name_ka, &first_name_lat, &last_name_lat]),
            first_name_ka,
            last_name_ka,
            first_name_lat,
            last_name_lat,
            date_of_birth: d.date_of_birth,
            sex: d.sex.map(|s| s.as_str().to_owned()),
            phone_e164: d.phone.as_ref().map(|p| p.as_str().to_owned()),
            residence_region: d.residence_region.map(|r| r.code().to_owned()),
            residence_locality: d.residence_locality.clone(),
            consent_date: d.consent.map(|c| c.given_on),
            consent_scope: d.consent.map(|c| c.scope.as_str().to_owned()),
            organization_id,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }
}

/// R5: the number is held by a person already; name the holding NGO, and the person's id only to
/// those who may see the person (R11).
pub fn duplicate_person(holder: &Holder, principal: &Principal) -> Refusal {
    let refusal = Refusal::registered_elsewhere(
        RefusalCode::DuplicatePerson,
        &holder.organization_name_ka,
        &holder.organization_name_en,
    );
    if principal.visibility().allows(&holder.person.organization_id) {
        refusal.with("person_id", Value::String(holder.person.id.clone()))
    } else {
        refusal
    }
}

/// R5: refuses a number another person (not `except`) holds.
fn refuse_held_number(
    conn: &mut DbConnection,
    principal: &Principal,
    details: &PersonDetails,
    except: Option<&str>,
) -> Result<(), ActionError> {
    let number = details.draft.personal_number.as_ref().map(PersonalNumber::as_str);
    let permit = details.draft.residence_permit_number.as_ref().map(ResidencePermitNumber::as_str);
    match persistence::repo::persons::find_holder(conn, number, permit)? {
        Some(holder) if Some(holder.person.id.as_str()) != except => Err(duplicate_person(&holder, principal).into()),
        _ => Ok(()),
    }
}
