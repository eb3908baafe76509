//! Change a program year's budget (R9: never below what its grants add up to).

use domain::message::Message;
use domain::money::Tetri;
use persistence::WriteTx;
use persistence::repo::program_years::{self, BudgetChange, ProgramYear};

use crate::{ActionError, ExpectedVersion, Refusal, RefusalCode};

/// Sets the budget of `year` at `expected_version` (`*`: whatever version it is at), and its
/// shelter allocation when given (`Some(None)` removes it). A budget below the year's grants is
/// refused with `BudgetExceeded` naming `granted_tetri`, an allocation below the year's shelter
/// costs with `ShelterAllocationExceeded` naming `shelter_spent_tetri`; nothing is written then.
/// R13: audited.
pub fn change_budget(
    tx: &mut WriteTx<'_>,
    year: i32,
    expected_version: impl Into<ExpectedVersion>,
    budget: Tetri,
    shelter_allocation: Option<Option<Tetri>>,
) -> Result<ProgramYear, ActionError> {
    let expected_version = match expected_version.into() {
        ExpectedVersion::Exactly(version) => Some(version),
        ExpectedVersion::Any => None,
    };
    match program_years::set_budget(tx, year, expected_version, budget, shelter_allocation)? {
        BudgetChange::Changed(year) => Ok(year),
        BudgetChange::BelowGranted(current) => Err(Refusal::new(
            RefusalCode::BudgetExceeded,
            Message::new(
                format!("წლის გრანტები ({} თეთრი) ახალ ბიუჯეტს აღემატება", current.granted_tetri),
                format!("The year's grants ({} tetri) exceed the new budget", current.granted_tetri),
            ),
        )
        .with("granted_tetri", serde_json::json!(current.granted_tetri))
        .into()),
        BudgetChange::BelowShelterSpent(current) => Err(Refusal::new(
            RefusalCode::ShelterAllocationExceeded,
            Message::new(
                format!("წლის თავშესაფრის ხარჯები ({} თეთრი) ახალ ლიმიტს აღემატება", current.shelter_spent_tetri),
                format!("The year's shelter costs ({} tetri) exceed the new allocation", current.shelter_spent_tetri),
            ),
        )
        .with("shelter_spent_tetri", serde_json::json!(current.shelter_spent_tetri))
        .into()),
    }
}
