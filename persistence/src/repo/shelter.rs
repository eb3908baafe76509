//! Temporary shelter (S5): stays on an arrival, the arrival's running total of nights (R7) and the
//! year's running total of shelter costs (direction N0100), each changed in one conditional
//! statement so that stays booked at the same moment cannot together pass a limit.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::{arrivals, cases, program_years, shelter_stays};
use crate::{AuditEntry, DbConnection, Page, StoreError, Visibility, WriteTx, new_id, now_utc};

/// A stay as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = shelter_stays)]
pub struct ShelterStay {
    pub id: String,
    pub arrival_id: String,
    /// R6: GE-TB, GE-KK or GE-MM.
    pub region_code: String,
    pub shelter_name: String,
    /// The first night.
    pub check_in: NaiveDate,
    /// The morning the stay ends: the planned one, or the actual one after an early check-out.
    pub check_out: NaiveDate,
    /// The check-out booked.
    pub planned_check_out: NaiveDate,
    /// `booked`, `checked_out` or `cancelled`.
    pub status: String,
    /// Direction N0100: the cost, against `program_year`.
    pub cost_tetri: i64,
    pub program_year: i32,
    pub organization_id: String,
    pub recorded_by_user_id: Option<String>,
    /// Why it was cancelled.
    pub reason: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ShelterStay {
    /// The nights it holds of the return's four: none once cancelled.
    pub fn nights(&self) -> i32 {
        if self.status == "cancelled" {
            0
        } else {
            i32::try_from((self.check_out - self.check_in).num_days()).unwrap_or(i32::MAX)
        }
    }
}

/// A new stay.
#[derive(Debug, Clone)]
pub struct NewStay {
    pub arrival_id: String,
    pub region_code: String,
    pub shelter_name: String,
    pub check_in: NaiveDate,
    pub check_out: NaiveDate,
    pub cost_tetri: i64,
    pub organization_id: String,
    pub recorded_by_user_id: Option<String>,
}

/// What a reservation of nights or money came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    Reserved,
    /// Refused, nothing written: this many are left.
    Exceeded {
        left: i64,
    },
    /// The record does not exist.
    Missing,
}

/// R7, atomically: adds `nights` to the arrival's running total only if it stays at most
/// `max` — one conditional UPDATE, which also locks the arrival's row until the transaction ends,
/// so the caller's reads of the arrival's stays after it see every stay committed before.
pub fn reserve_nights(
    tx: &mut WriteTx<'_>,
    arrival_id: &str,
    nights: i32,
    max: i32,
) -> Result<Reservation, StoreError> {
    let changed = diesel::update(
        arrivals::table.filter(arrivals::id.eq(arrival_id)).filter((arrivals::shelter_nights + nights).le(max)),
    )
    .set(arrivals::shelter_nights.eq(arrivals::shelter_nights + nights))
    .execute(tx.conn())?;
    if changed == 1 {
        return Ok(Reservation::Reserved);
    }
    let used = arrivals::table.find(arrival_id).select(arrivals::shelter_nights).first::<i32>(tx.conn()).optional()?;
    Ok(used.map_or(Reservation::Missing, |used| Reservation::Exceeded { left: i64::from((max - used).max(0)) }))
}

/// Gives nights back to the arrival (an early check-out, a cancellation).
pub fn release_nights(tx: &mut WriteTx<'_>, arrival_id: &str, nights: i32) -> Result<(), StoreError> {
    if nights != 0 {
        diesel::update(arrivals::table.filter(arrivals::id.eq(arrival_id)))
            .set(arrivals::shelter_nights.eq(arrivals::shelter_nights - nights))
            .execute(tx.conn())?;
    }
    Ok(())
}

/// Direction N0100, atomically: adds `amount` to the year's shelter costs only if the year's
/// shelter allocation (when it has one) still covers them. `Missing` when there is no such year.
pub fn reserve_cost(tx: &mut WriteTx<'_>, year: i32, amount: i64) -> Result<Reservation, StoreError> {
    let fits =
        program_years::shelter_allocation_tetri
            .is_null()
            .or((program_years::shelter_spent_tetri + amount)
                .le(program_years::shelter_allocation_tetri.assume_not_null()));
    let changed = diesel::update(program_years::table.filter(program_years::year.eq(year)).filter(fits))
        .set(program_years::shelter_spent_tetri.eq(program_years::shelter_spent_tetri + amount))
        .execute(tx.conn())?;
    if changed == 1 {
        return Ok(Reservation::Reserved);
    }
    let found = program_years::table
        .find(year)
        .select((program_years::shelter_allocation_tetri, program_years::shelter_spent_tetri))
        .first::<(Option<i64>, i64)>(tx.conn())
        .optional()?;
    Ok(match found {
        None => Reservation::Missing,
        Some((allocation, spent)) => {
            Reservation::Exceeded { left: allocation.map_or(0, |a| a.saturating_sub(spent).max(0)) }
        }
    })
}

/// Gives a stay's cost back to its year (a cancellation, a lower cost at check-out).
pub fn release_cost(tx: &mut WriteTx<'_>, year: i32, amount: i64) -> Result<(), StoreError> {
    if amount != 0 {
        diesel::update(program_years::table.filter(program_years::year.eq(year)))
            .set(program_years::shelter_spent_tetri.eq(program_years::shelter_spent_tetri - amount))
            .execute(tx.conn())?;
    }
    Ok(())
}

/// The stays of an arrival that hold nights (booked or checked out), by first night.
pub fn live_stays_of(conn: &mut DbConnection, arrival_id: &str) -> Result<Vec<ShelterStay>, StoreError> {
    Ok(shelter_stays::table
        .filter(shelter_stays::arrival_id.eq(arrival_id))
        .filter(shelter_stays::status.ne("cancelled"))
        .order((shelter_stays::check_in.asc(), shelter_stays::id.asc()))
        .select(ShelterStay::as_select())
        .load(conn)?)
}

/// Inserts a booked stay (its nights and cost reserved by the caller in the same transaction).
pub fn create(tx: &mut WriteTx<'_>, new: NewStay) -> Result<ShelterStay, StoreError> {
    use chrono::Datelike;
    let now = now_utc();
    let stay = ShelterStay {
        id: new_id(),
        program_year: new.check_in.year(),
        arrival_id: new.arrival_id,
        region_code: new.region_code,
        shelter_name: new.shelter_name,
        check_in: new.check_in,
        check_out: new.check_out,
        planned_check_out: new.check_out,
        status: "booked".to_owned(),
        cost_tetri: new.cost_tetri,
        organization_id: new.organization_id,
        recorded_by_user_id: new.recorded_by_user_id,
        reason: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    diesel::insert_into(shelter_stays::table).values(&stay).execute(tx.conn())?;
    tx.audit(AuditEntry {
        action: "create",
        entity_type: "shelter_stay",
        entity_id: stay.id.clone(),
        before: None,
        after: Some(crate::write::snapshot(&stay)?),
    })?;
    Ok(stay)
}

/// R11 for stays: the ministry and auditors see all; an NGO the stays of returns it holds a case
/// for.
fn visible_to_ngo(own: &str) -> impl Fn(&ShelterStay, &mut DbConnection) -> Result<bool, StoreError> + '_ {
    move |stay, conn| {
        let held: i64 = cases::table
            .filter(cases::arrival_id.eq(&stay.arrival_id))
            .filter(cases::organization_id.eq(own))
            .count()
            .get_result(conn)?;
        Ok(held > 0)
    }
}

/// One stay, if the caller may see it.
pub fn get(conn: &mut DbConnection, visibility: &Visibility, id: &str) -> Result<ShelterStay, StoreError> {
    let stay = shelter_stays::table.find(id).select(ShelterStay::as_select()).first(conn)?;
    if let Visibility::Organization(own) = visibility
        && !visible_to_ngo(own)(&stay, conn)?
    {
        return Err(StoreError::NotFound);
    }
    Ok(stay)
}

/// The list's filter.
#[derive(Debug, Clone, Default)]
pub struct StayFilter {
    pub arrival_id: Option<String>,
    pub region_code: Option<String>,
    /// Stays with a night on or after this day.
    pub from: Option<NaiveDate>,
    /// Stays with a night on or before this day.
    pub to: Option<NaiveDate>,
    /// Only booked stays (not checked out, not cancelled).
    pub open: Option<bool>,
}

fn page_key(stay: &ShelterStay) -> String {
    format!("{}|{}", stay.check_in, stay.id)
}

/// Parses a list key (`check_in|id`).
pub fn parse_key(key: &str) -> Option<(NaiveDate, String)> {
    let (date, id) = key.split_once('|')?;
    Some((NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?, id.to_owned()))
}

/// A page of stays, by first night (then id), after `after`, filtered and scoped by R11.
pub fn list(
    conn: &mut DbConnection,
    visibility: &Visibility,
    filter: &StayFilter,
    after: Option<(NaiveDate, String)>,
    limit: usize,
) -> Result<Page<ShelterStay>, StoreError> {
    let mut query = shelter_stays::table
        .select(ShelterStay::as_select())
        .order((shelter_stays::check_in.asc(), shelter_stays::id.asc()))
        .into_boxed();
    if let Visibility::Organization(own) = visibility {
        let held = cases::table.filter(cases::organization_id.eq(own.clone())).select(cases::arrival_id);
        query = query.filter(shelter_stays::arrival_id.eq_any(held));
    }
    if let Some(arrival_id) = &filter.arrival_id {
        query = query.filter(shelter_stays::arrival_id.eq(arrival_id.clone()));
    }
    if let Some(region) = &filter.region_code {
        query = query.filter(shelter_stays::region_code.eq(region.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(shelter_stays::check_out.gt(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(shelter_stays::check_in.le(to));
    }
    match filter.open {
        Some(true) => query = query.filter(shelter_stays::status.eq("booked")),
        Some(false) => query = query.filter(shelter_stays::status.ne("booked")),
        None => {}
    }
    if let Some((date, id)) = after {
        query = query.filter(
            shelter_stays::check_in.gt(date).or(shelter_stays::check_in.eq(date).and(shelter_stays::id.gt(id))),
        );
    }
    let rows = query.limit(i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1)).load(conn)?;
    Ok(Page::from_rows(rows, limit, page_key))
}

/// A check-out or a cancellation.
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = shelter_stays)]
pub struct StayChange {
    pub status: Option<String>,
    pub check_out: Option<NaiveDate>,
    pub cost_tetri: Option<i64>,
    pub reason: Option<String>,
}

/// Applies a change to the stay at `expected_version` (a guarded UPDATE), recorded as `action`.
pub fn update(
    tx: &mut WriteTx<'_>,
    before: &ShelterStay,
    expected_version: i32,
    action: &'static str,
    change: StayChange,
) -> Result<ShelterStay, StoreError> {
    let id = before.id.clone();
    let updated = diesel::update(
        shelter_stays::table.filter(shelter_stays::id.eq(&id)).filter(shelter_stays::version.eq(expected_version)),
    )
    .set((change, shelter_stays::version.eq(shelter_stays::version + 1), shelter_stays::updated_at.eq(now_utc())))
    .execute(tx.conn())?;
    tx.record_versioned_update(updated, (action, "shelter_stay", &id), before, |conn| {
        Ok(shelter_stays::table.find(&id).select(ShelterStay::as_select()).first(conn)?)
    })
}
