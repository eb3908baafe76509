//! Program years and their budgets (R9), with the running total of the year's grants.

use diesel::prelude::*;
use domain::money::Tetri;
use serde::Serialize;

use crate::schema::program_years;
use crate::{AuditEntry, DbConnection, Page, StoreError, WriteTx, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = program_years)]
pub struct ProgramYear {
    pub year: i32,
    pub budget_tetri: i64,
    pub version: i32,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    /// R9: the sum of the year's grants, kept by every award in the same statement that checks it.
    pub granted_tetri: i64,
    /// S5, direction N0100: what the year sets aside for shelter, if anything (apart from R9's grants).
    pub shelter_allocation_tetri: Option<i64>,
    /// S5: the costs of the year's shelter stays (not cancelled), kept by every stay in the
    /// statement that checks it against the allocation.
    pub shelter_spent_tetri: i64,
}

fn column(amount: Tetri) -> Result<i64, StoreError> {
    amount.to_i64().ok_or_else(|| StoreError::Corrupt(format!("{amount} does not fit a BIGINT")))
}

pub fn create(tx: &mut WriteTx<'_>, year: i32, budget: Tetri) -> Result<ProgramYear, StoreError> {
    let now = now_utc();
    let row = ProgramYear {
        year,
        budget_tetri: column(budget)?,
        version: 1,
        created_at: now,
        updated_at: now,
        granted_tetri: 0,
        shelter_allocation_tetri: None,
        shelter_spent_tetri: 0,
    };
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

/// A page of years in order, after `after`.
pub fn list(conn: &mut DbConnection, after: Option<i32>, limit: usize) -> Result<Page<ProgramYear>, StoreError> {
    let mut query = program_years::table.select(ProgramYear::as_select()).order(program_years::year.asc()).into_boxed();
    if let Some(after) = after {
        query = query.filter(program_years::year.gt(after));
    }
    let rows = query.limit(i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1)).load(conn)?;
    Ok(Page::from_rows(rows, limit, |y| y.year.to_string()))
}

/// R9, atomically: adds `amount` to the year's granted total only if the total stays within the
/// budget — one conditional UPDATE, so two awards that race cannot both pass (on SQLite, whose
/// writers take turns, and on PostgreSQL, whose row lock makes the second UPDATE re-check the
/// first one's total). `Ok(None)` when the year does not exist; `Ok(Some(false))` when the
/// budget would be exceeded (nothing written).
pub fn reserve(tx: &mut WriteTx<'_>, year: i32, amount: Tetri) -> Result<Option<bool>, StoreError> {
    let amount = column(amount)?;
    let changed = diesel::update(
        program_years::table
            .filter(program_years::year.eq(year))
            .filter((program_years::granted_tetri + amount).le(program_years::budget_tetri)),
    )
    .set((
        program_years::granted_tetri.eq(program_years::granted_tetri + amount),
        // What the year answers changed: so do its version and its ETag.
        program_years::version.eq(program_years::version + 1),
        program_years::updated_at.eq(now_utc()),
    ))
    .execute(tx.conn())?;
    if changed == 1 {
        return Ok(Some(true));
    }
    let exists = program_years::table.find(year).select(program_years::year).first::<i32>(tx.conn()).optional()?;
    Ok(exists.map(|_| false))
}

/// What a budget change came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BudgetChange {
    /// Changed: the year as it is now.
    Changed(ProgramYear),
    /// Refused, nothing written: the year's grants add up to more than the new budget (R9).
    BelowGranted(ProgramYear),
    /// Refused, nothing written: the year's shelter stays cost more than the new allocation (S5).
    BelowShelterSpent(ProgramYear),
}

/// R9, atomically: sets the year's budget (and, when given, its shelter allocation: `Some(None)`
/// removes it) only if its grants (and its shelter costs) still fit and, when given, the version
/// is `expected_version` (`None`: `If-Match: *`) — one conditional UPDATE, so a racing award or
/// stay cannot slip past a lowered limit. A stale version is `StaleVersion`; a budget below the
/// grants is [`BudgetChange::BelowGranted`], an allocation below the costs
/// [`BudgetChange::BelowShelterSpent`].
pub fn set_budget(
    tx: &mut WriteTx<'_>,
    year: i32,
    expected_version: Option<i32>,
    budget: Tetri,
    shelter_allocation: Option<Option<Tetri>>,
) -> Result<BudgetChange, StoreError> {
    let budget = column(budget)?;
    let before = get(tx.conn(), year)?;
    if let Some(expected) = expected_version {
        crate::write::expect_version(before.version, expected)?;
    }
    let allocation = match shelter_allocation {
        Some(Some(amount)) => Some(column(amount)?),
        Some(None) => None,
        None => before.shelter_allocation_tetri,
    };
    let changes = (
        program_years::budget_tetri.eq(budget),
        program_years::shelter_allocation_tetri.eq(allocation),
        program_years::version.eq(program_years::version + 1),
        program_years::updated_at.eq(now_utc()),
    );
    let shelter_fits = program_years::shelter_spent_tetri.le(allocation.unwrap_or(i64::MAX));
    let fits = program_years::year.eq(year).and(program_years::granted_tetri.le(budget)).and(shelter_fits);
    let changed = match expected_version {
        Some(expected) => diesel::update(program_years::table.filter(fits.and(program_years::version.eq(expected))))
            .set(changes)
            .execute(tx.conn())?,
        None => diesel::update(program_years::table.filter(fits)).set(changes).execute(tx.conn())?,
    };
    let after = get(tx.conn(), year)?;
    if changed == 0 {
        return match expected_version {
            Some(expected) if after.version != expected => Err(StoreError::StaleVersion { current: after.version }),
            _ if after.granted_tetri > budget => Ok(BudgetChange::BelowGranted(after)),
            _ => Ok(BudgetChange::BelowShelterSpent(after)),
        };
    }
    tx.audit(AuditEntry {
        action: "update",
        entity_type: "program_year",
        entity_id: year.to_string(),
        before: Some(crate::write::snapshot(&before)?),
        after: Some(crate::write::snapshot(&after)?),
    })?;
    Ok(BudgetChange::Changed(after))
}
