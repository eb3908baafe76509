//! Cancel a booked stay: its nights go back to the return (R7) and its cost to the year (N0100).

use persistence::WriteTx;
use persistence::repo::shelter::{self, ShelterStay, StayChange};

use super::{booked, current};
use crate::{ActionError, ExpectedVersion, Principal};

/// Cancels the booked stay at `expected_version`, with a reason. R13: audited.
pub fn cancel_stay(
    tx: &mut WriteTx<'_>,
    principal: &Principal,
    id: &str,
    expected_version: impl Into<ExpectedVersion>,
    reason: String,
) -> Result<ShelterStay, ActionError> {
    let (stay, version) = current(tx, principal, id, expected_version.into())?;
    booked(&stay, "be cancelled")?;
    shelter::release_nights(tx, &stay.arrival_id, stay.nights())?;
    shelter::release_cost(tx, stay.program_year, stay.cost_tetri)?;
    let change = StayChange { status: Some("cancelled".to_owned()), reason: Some(reason), ..StayChange::default() };
    Ok(shelter::update(tx, &stay, version, "cancel", change)?)
}
