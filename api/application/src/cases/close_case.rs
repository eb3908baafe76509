//! Close a case with a reason: a closed case takes no further decision.

use chrono::NaiveDate;
use persistence::WriteTx;
use persistence::models::registration::Case;

use crate::{ActionError, Principal, Refusal, RefusalCode};
use crate::{CaseId, ExpectedVersion};

/// Closes the case the principal may see, at `expected_version`, on `today` (R13: audited).
pub fn close_case(
    tx: &mut WriteTx<'_>,
    principal: &Principal,
    case_id: &CaseId,
    expected_version: impl Into<ExpectedVersion>,
    reason: String,
    today: NaiveDate,
) -> Result<Case, ActionError> {
    let case = persistence::repo::cases::get(tx.read(), &principal.visibility(), case_id.as_str())?;
    let closed = case.status.close().map_err(|e| Refusal::new(RefusalCode::CaseClosed, e.message()))?;
    Ok(persistence::repo::cases::update_status(
        tx,
        &case.id,
        expected_version.into().or_current(case.version),
        closed,
        Some((today, reason)),
    )?)
}
