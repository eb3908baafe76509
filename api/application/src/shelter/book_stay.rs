//! Record a shelter stay on an arrival (S5): R6, R7, R8, and the year's allocation (N0100).

use chrono::{Datelike, NaiveDate};
use domain::codes;
use domain::message::{FieldError, Message};
use domain::money::Tetri;
use domain::organization::OrganizationKind;
use domain::period::DatePeriod;
use domain::region::RegionCode;
use domain::shelter::{MAX_SHELTER_NIGHTS, ShelterError, r6_shelter_region, r7_total_nights, r8_first_night};
use persistence::repo::shelter::{self, NewStay, Reservation, ShelterStay};
use persistence::{StoreError, Visibility, WriteTx};
use serde_json::json;

use super::refused;
use crate::error::FieldErrors;
use crate::{ActionError, ArrivalId, Principal, Refusal, RefusalCode};

/// A stay to record.
#[derive(Debug, Clone)]
pub struct BookStay {
    /// The return it is for.
    pub arrival_id: ArrivalId,
    /// R6: GE-TB, GE-KK or GE-MM.
    pub region: RegionCode,
    /// The shelter's name.
    pub shelter_name: String,
    /// The first night.
    pub check_in: NaiveDate,
    /// The morning it ends (after `check_in`).
    pub check_out: NaiveDate,
    /// Its cost under direction N0100, against the program year of the first night.
    pub cost: Tetri,
}

/// Records the stay. R8: the arrival records a shelter need seen by ministry staff at the point
/// of arrival, and the first night is the return date or the day after (or the check-out day of
/// a stay already recorded: a longer stay is a new one); R6: a covered region; R7: with the
/// return's other stays at most 4 nights — the arrival's running total is raised in the same
/// conditional statement that checks it, so stays booked at the same moment cannot together pass
/// it (also across API nodes); the cost is added to the year's shelter costs in the same kind of
/// statement, within the year's allocation when it has one. R13: audited.
pub fn book_stay(tx: &mut WriteTx<'_>, principal: &Principal, command: BookStay) -> Result<ShelterStay, ActionError> {
    let arrival = persistence::repo::arrivals::get(tx.read(), &Visibility::All, command.arrival_id.as_str())?.arrival;
    let recorder = persistence::repo::organizations::get(tx.read(), &Visibility::All, &arrival.organization_id)?;
    let seen_by_ministry = arrival.need_shelter && recorder.organization.kind == OrganizationKind::Ministry;
    if !seen_by_ministry {
        return Err(refused(ShelterError::NeedNotRecorded));
    }
    r6_shelter_region(command.region).map_err(refused)?;
    let stay = DatePeriod::new(command.check_in, command.check_out).map_err(|_| {
        ActionError::field(
            "check_out",
            codes::PERIOD_END_NOT_AFTER_START,
            Message::new("გასვლა შესვლის შემდეგ უნდა იყოს", "The check-out must be after the check-in"),
        )
    })?;
    // R8's window before anything is reserved (a continuation is checked again under the lock).
    let continues_a_stay = |stays: &[ShelterStay]| stays.iter().any(|s| s.check_out == command.check_in);
    let seen = shelter::live_stays_of(tx.read(), &arrival.id)?;
    r8_first_night(arrival.arrival_date, command.check_in, true, continues_a_stay(&seen)).map_err(refused)?;
    let nights = i32::try_from(stay.days()).unwrap_or(i32::MAX);
    let max = i32::try_from(MAX_SHELTER_NIGHTS).unwrap_or(4);
    // R7: the running total first (it locks the arrival's row), then the stays recorded before.
    match shelter::reserve_nights(tx, &arrival.id, nights.min(max + 1), max)? {
        Reservation::Reserved => {}
        Reservation::Missing => return Err(StoreError::NotFound.into()),
        Reservation::Exceeded { left } => {
            let existing = u32::try_from(i64::from(max) - left).unwrap_or(0);
            return Err(refused(ShelterError::NightsExceeded {
                existing,
                requested: u32::try_from(nights).unwrap_or(u32::MAX),
                total: u64::from(existing) + u64::try_from(nights).unwrap_or(0),
                max: MAX_SHELTER_NIGHTS,
            }));
        }
    }
    let live = shelter::live_stays_of(tx.read(), &arrival.id)?;
    let recorded: Vec<DatePeriod> = live.iter().filter_map(|s| DatePeriod::new(s.check_in, s.check_out).ok()).collect();
    r7_total_nights(&recorded, stay).map_err(refused)?;
    r8_first_night(arrival.arrival_date, command.check_in, true, continues_a_stay(&live)).map_err(refused)?;
    let cost = command.cost.to_i64().ok_or_else(|| ActionError::corrupt("cost beyond a BIGINT"))?;
    match shelter::reserve_cost(tx, command.check_in.year(), cost)? {
        Reservation::Reserved => {}
        Reservation::Missing => {
            let mut errors = FieldErrors::default();
            errors.push(FieldError::new(
                "check_in",
                codes::UNKNOWN_PROGRAM_YEAR,
                Message::new(
                    "ამ წლის პროგრამა არ არსებობს: ხარჯი მას ეკუთვნის (N0100)",
                    "No program year for the first night: the cost belongs to it (N0100)",
                ),
            ));
            errors.finish()?;
        }
        Reservation::Exceeded { left } => {
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
    }
    let (user, _) = super::super::services::principal_columns(principal);
    Ok(shelter::create(
        tx,
        NewStay {
            arrival_id: arrival.id,
            region_code: command.region.code().to_owned(),
            shelter_name: command.shelter_name,
            check_in: command.check_in,
            check_out: command.check_out,
            cost_tetri: cost,
            organization_id: principal.organization_id.clone(),
            recorded_by_user_id: user,
        },
    )?)
}
