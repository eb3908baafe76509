//! Record a stay's check-out: an early one shortens the stay and frees its nights (R7).

use chrono::NaiveDate;
use domain::codes;
use domain::message::{FieldError, Message};
use domain::money::Tetri;
use persistence::WriteTx;
use persistence::repo::shelter::{self, Reservation, ShelterStay, StayChange};
use serde_json::json;

use super::{booked, current};
use crate::error::FieldErrors;
use crate::{ActionError, ExpectedVersion, Principal, Refusal, RefusalCode};

/// A check-out to record.
#[derive(Debug, Clone)]
pub struct CheckOut {
    /// The morning the person left: after the first night, not after the planned check-out (a
    /// longer stay is a new one, under R7).
    pub on: NaiveDate,
    /// The actual cost, if it differs from the booked one.
    pub cost: Option<Tetri>,
}

/// Checks the booked stay out at `expected_version`. Nights not used go back to the return (R7);
/// a changed cost is charged or released against the year's allocation (N0100). R13: audited.
pub fn check_out_stay(
    tx: &mut WriteTx<'_>,
    principal: &Principal,
    id: &str,
    expected_version: impl Into<ExpectedVersion>,
    command: CheckOut,
) -> Result<ShelterStay, ActionError> {
    let (stay, version) = current(tx, principal, id, expected_version.into())?;
    booked(&stay, "check out")?;
    let mut errors = FieldErrors::default();
    if command.on <= stay.check_in {
        errors.push(FieldError::new(
            "check_out",
            codes::PERIOD_END_NOT_AFTER_START,
            Message::new("გასვლა პირველი ღამის შემდეგ უნდა იყოს", "The check-out must be after the first night"),
        ));
    }
    if command.on > stay.planned_check_out {
        errors.push(FieldError::new(
            "check_out",
            codes::AFTER_PLANNED_CHECK_OUT,
            Message::new(
                "დაგეგმილ გასვლაზე გვიან დარჩენა ახალი განთავსებაა (R7)",
                "Staying past the planned check-out is a new stay (R7): record it from this check-out day",
            ),
        ));
    }
    errors.finish()?;
    let freed = i32::try_from((stay.check_out - command.on).num_days()).unwrap_or(0);
    shelter::release_nights(tx, &stay.arrival_id, freed)?;
    let cost = match command.cost {
        Some(cost) => cost.to_i64().ok_or_else(|| ActionError::corrupt("cost beyond a BIGINT"))?,
        None => stay.cost_tetri,
    };
    let more = cost - stay.cost_tetri;
    if more > 0 {
        if let Reservation::Exceeded { left } = shelter::reserve_cost(tx, stay.program_year, more)? {
            return Err(Refusal::new(
                RefusalCode::ShelterAllocationExceeded,
                Message::new(
                    format!("ღირებულება აღემატება წლის თავშესაფრის ლიმიტის ნაშთს ({left} თეთრი)"),
                    format!("The cost exceeds what is left of the year's shelter allocation ({left} tetri)"),
                ),
            )
            .with("remaining_tetri", json!(left))
            .into());
        }
    } else {
        shelter::release_cost(tx, stay.program_year, -more)?;
    }
    let change = StayChange {
        status: Some("checked_out".to_owned()),
        check_out: Some(command.on),
        cost_tetri: Some(cost),
        reason: None,
    };
    Ok(shelter::update(tx, &stay, version, "check_out", change)?)
}
