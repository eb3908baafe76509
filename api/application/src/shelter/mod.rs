//! Temporary shelter (S5) right after the return: stays hang on the arrival, not on a case (R8),
//! are recorded by ministry staff, are in a covered region (R6), add up to at most 4 nights per
//! return also when booked at the same moment (R7), and cost the program year under direction
//! N0100, within the year's shelter allocation when it has one.
//!
//! - [`book_stay`]: record a stay on an arrival (R6, R7, R8, N0100).
//! - [`check_out_stay`]: record the check-out; an early one frees nights.
//! - [`cancel_stay`]: cancel a booked stay, freeing its nights and its cost.

pub mod book_stay;
pub mod cancel_stay;
pub mod check_out_stay;

use domain::shelter::ShelterError;
use persistence::repo::shelter::{self, ShelterStay};
use persistence::{StoreError, WriteTx};
use serde_json::json;

use crate::{ActionError, ExpectedVersion, Principal, Refusal, RefusalCode};

/// A rule of R6–R8 refusing a stay, with its code.
pub(crate) fn refused(error: ShelterError) -> ActionError {
    let code = match error {
        ShelterError::RegionNotCovered(_) => RefusalCode::ShelterRegionNotCovered,
        ShelterError::NightsExceeded { .. } | ShelterError::OverlappingStay(_) => RefusalCode::ShelterNightsExceeded,
        ShelterError::NeedNotRecorded => RefusalCode::ShelterNeedNotRecorded,
        ShelterError::FirstNightOutOfRange { .. } => RefusalCode::ShelterStartOutOfWindow,
    };
    let mut refusal = Refusal::new(code, error.message()).with("rule", json!(error.rule()));
    if let Some(left) = error.nights_left() {
        refusal = refusal.with("nights_left", json!(left));
    }
    if let ShelterError::OverlappingStay(stay) = error {
        refusal = refusal.with("overlaps", json!({ "check_in": stay.start(), "check_out": stay.end() }));
    }
    refusal.into()
}

/// The stay, at the version `If-Match` names (a stale one refused first), and that version.
pub(crate) fn current(
    tx: &mut WriteTx<'_>,
    principal: &Principal,
    id: &str,
    expected: ExpectedVersion,
) -> Result<(ShelterStay, i32), ActionError> {
    let stay = shelter::get(tx.read(), &principal.visibility(), id)?;
    let version = expected.or_current(stay.version);
    if version != stay.version {
        return Err(StoreError::StaleVersion { current: stay.version }.into());
    }
    Ok((stay, version))
}

/// Only a booked stay is checked out or cancelled.
pub(crate) fn booked(stay: &ShelterStay, action: &str) -> Result<(), ActionError> {
    if stay.status == "booked" {
        return Ok(());
    }
    Err(Refusal::new(
        RefusalCode::InvalidTransition,
        domain::message::Message::new(
            format!("განთავსება სტატუსით „{}“ ვეღარ შეიცვლება ({action})", stay.status),
            format!("A stay that is {} cannot {action}", stay.status.replace('_', " ")),
        ),
    )
    .with("stay_status", json!(stay.status))
    .into())
}
