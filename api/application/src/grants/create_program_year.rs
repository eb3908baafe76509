//! Open a program year with its budget (R9).

use domain::message::Message;
use domain::money::Tetri;
use persistence::repo::program_years::{self, ProgramYear};
use persistence::{StoreError, WriteTx};

use crate::{ActionError, Refusal, RefusalCode};

/// Creates the year `year` with `budget` (R13: audited). A year that exists is a `NameTaken`
/// refusal (a plain conflict: change its budget instead).
pub fn create_program_year(tx: &mut WriteTx<'_>, year: i32, budget: Tetri) -> Result<ProgramYear, ActionError> {
    program_years::create(tx, year, budget).map_err(|error| match error {
        StoreError::Conflict(_) => Refusal::new(
            RefusalCode::NameTaken,
            Message::new(format!("{year} წელი უკვე არსებობს"), format!("The program year {year} exists already")),
        )
        .into(),
        other => other.into(),
    })
}
