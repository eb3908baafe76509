//! Cases: one program registration per person and return (R5), held by the NGO that opened it,
//! with explained eligibility decisions recorded on the stored data.
//!
//! - [`open_case`]: register a person's return with the acting NGO.
//! - [`decide_eligibility`]: decide R1–R5 on the stored data and move the case.
//! - [`close_case`]: close a case with a reason.

pub mod close_case;
pub mod decide_eligibility;
pub mod open_case;

use domain::message::Message;
use persistence::repo::cases::LiveCase;
use persistence::{DbConnection, Visibility};
use serde_json::{Value, json};

use crate::{ActionError, Principal, Refusal, RefusalCode};

/// R5: this return already has a live case; name the NGO, and the case only to those who may
/// see it.
pub fn duplicate_case(live: &LiveCase, principal: &Principal) -> Refusal {
    let refusal = Refusal::new(
        RefusalCode::DuplicateCase,
        Message::new(
            format!("ამ დაბრუნებაზე საქმე უკვე აქვს: {} (R5)", live.organization_name_ka),
            format!("This return already has a case with {} (R5)", live.organization_name_en),
        ),
    )
    .with("registered_by", json!({ "ka": live.organization_name_ka, "en": live.organization_name_en }));
    if principal.visibility().allows(&live.organization_id) {
        refusal.with("case_id", Value::String(live.case_id.clone()))
    } else {
        refusal
    }
}

/// R5: one live case per return (the person and the return date), across all NGOs.
pub(crate) fn refuse_second_live_case(
    conn: &mut DbConnection,
    principal: &Principal,
    arrival: &persistence::models::registration::Arrival,
    person_id: Option<&str>,
) -> Result<(), ActionError> {
    let person = arrival.person_id.as_deref().or(person_id);
    let live = persistence::repo::cases::live_case_for_return(
        conn,
        &arrival.id,
        person.map(|p| (p, arrival.arrival_date)),
        None,
    )?;
    match live {
        Some(live) => Err(duplicate_case(&live, principal).into()),
        None => Ok(()),
    }
}

/// R5/R11: an airport arrival this NGO no longer sees because another NGO registered its
/// person: a live case is `duplicate_case`, otherwise `duplicate_person`, each naming the NGO.
pub(crate) fn refuse_return_held_elsewhere(
    conn: &mut DbConnection,
    principal: &Principal,
    arrival_id: &str,
) -> Result<(), ActionError> {
    let Visibility::Organization(own) = principal.visibility() else { return Ok(()) };
    let Some((name_ka, name_en)) = persistence::repo::arrivals::registered_elsewhere(conn, &own, arrival_id)? else {
        return Ok(());
    };
    let arrival = persistence::repo::arrivals::get(conn, &Visibility::All, arrival_id)?;
    refuse_second_live_case(conn, principal, &arrival.arrival, None)?;
    Err(Refusal::registered_elsewhere(RefusalCode::DuplicatePerson, &name_ka, &name_en).into())
}
