//! Program years and their budgets (R9).

use diesel::prelude::*;
use domain::money::Tetri;
use serde::Serialize;

use crate::schema::program_years;
use crate::{AuditEntry, DbConnection, StoreError, WriteTx, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = program_years)]
pub struct ProgramYear {
    pub year: i32,
    pub budget_tetri: i64,
    pub version: i32,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

pub fn create(tx: &mut WriteTx<'_>, year: i32, budget: Tetri) -> Result<ProgramYear, StoreError> {
    let budget_tetri =
        budget.to_i64().ok_or_else(|| StoreError::Corrupt(format!("budget {budget} does not fit a BIGINT")))?;
    let now = now_utc();
    let row = ProgramYear { year, budget_tetri, version: 1, created_at: now, updated_at: now };
    diesel::insert_into(program_years::table).values(&row).execute(tx.conn())?;
    tx.audit(AuditEntry {
        action: "create",
        entity_type: "program_year",
        entity_id: year.to_string(),
        before: None,
        after: Some(crate::write::snapshot(&row)?),
    })?;
    Ok(row)
}

pub fn get(conn: &mut DbConnection, year: i32) -> Result<ProgramYear, StoreError> {
    Ok(program_years::table.find(year).select(ProgramYear::as_select()).first(conn)?)
}
