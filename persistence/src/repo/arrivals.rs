//! Arrivals: returns recorded at the point of arrival, with the needs seen there (S5, R8).
//! Ministry staff record them at the airport; NGOs when they register someone who arrived
//! unmet. NGO staff see their own and the ministry's (the airport's intake, which they register
//! people from); the ministry sees all.

use diesel::prelude::*;

use crate::models::registration::{Arrival, IrregularPeriod};
use crate::schema::{arrival_irregular_periods, arrivals, organizations};
use crate::write::expect_version;
use crate::{AuditEntry, DbConnection, Page, StoreError, Visibility, WriteTx};

/// An arrival with its irregular periods, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ArrivalRecord {
    #[serde(flatten)]
    pub arrival: Arrival,
    pub irregular_periods: Vec<IrregularPeriod>,
}

fn periods_of(conn: &mut DbConnection, ids: &[String]) -> Result<Vec<IrregularPeriod>, StoreError> {
    Ok(arrival_irregular_periods::table
        .filter(arrival_irregular_periods::arrival_id.eq_any(ids))
        .order((arrival_irregular_periods::arrival_id, arrival_irregular_periods::start_date))
        .select(IrregularPeriod::as_select())
        .load(conn)?)
}

fn with_periods(conn: &mut DbConnection, rows: Vec<Arrival>) -> Result<Vec<ArrivalRecord>, StoreError> {
    let ids: Vec<String> = rows.iter().map(|a| a.id.clone()).collect();
    let periods = periods_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|arrival| {
            let irregular_periods = periods.iter().filter(|p| p.arrival_id == arrival.id).cloned().collect();
            ArrivalRecord { arrival, irregular_periods }
        })
        .collect())
}

fn ministry_ids(conn: &mut DbConnection) -> Result<Vec<String>, StoreError> {
    Ok(organizations::table.filter(organizations::kind.eq("ministry")).select(organizations::id).load(conn)?)
}

/// Whether an arrival recorded by `organization_id` is visible.
fn visible(conn: &mut DbConnection, visibility: &Visibility, organization_id: &str) -> Result<bool, StoreError> {
    Ok(visibility.allows(organization_id) || ministry_ids(conn)?.iter().any(|id| id == organization_id))
}

pub fn get(conn: &mut DbConnection, visibility: &Visibility, id: &str) -> Result<ArrivalRecord, StoreError> {
    let arrival = arrivals::table.find(id).select(Arrival::as_select()).first(conn)?;
    if !visible(conn, visibility, &arrival.organization_id)? {
        return Err(StoreError::NotFound);
    }
    with_periods(conn, vec![arrival])?.pop().ok_or(StoreError::NotFound)
}

#[derive(Debug, Clone, Default)]
pub struct ArrivalFilter {
    pub personal_number: Option<String>,
    pub person_id: Option<String>,
    pub need_shelter: Option<bool>,
}

pub fn list(
    conn: &mut DbConnection,
    visibility: &Visibility,
    filter: &ArrivalFilter,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<ArrivalRecord>, StoreError> {
    let mut query = arrivals::table.select(Arrival::as_select()).order(arrivals::id.asc()).into_boxed();
    if let Visibility::Organization(own) = visibility {
        let mut allowed = ministry_ids(conn)?;
        allowed.push(own.clone());
        query = query.filter(arrivals::organization_id.eq_any(allowed));
    }
    if let Some(number) = &filter.personal_number {
        query = query.filter(arrivals::personal_number.eq(number.clone()));
    }
    if let Some(person_id) = &filter.person_id {
        query = query.filter(arrivals::person_id.eq(person_id.clone()));
    }
    if let Some(need_shelter) = filter.need_shelter {
        query = query.filter(arrivals::need_shelter.eq(need_shelter));
    }
    if let Some(after) = after {
        query = query.filter(arrivals::id.gt(after.to_owned()));
    }
    let rows = query.limit(i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1)).load(conn)?;
    let page = Page::from_rows(rows, limit, |a| a.id.clone());
    Ok(Page { items: with_periods(conn, page.items)?, next_after: page.next_after })
}

fn insert_periods(tx: &mut WriteTx<'_>, periods: &[IrregularPeriod]) -> Result<(), StoreError> {
    // One row at a time: batch inserts do not compile over both backends' MultiConnection.
    for period in periods {
        diesel::insert_into(arrival_irregular_periods::table).values(period).execute(tx.conn())?;
    }
    Ok(())
}

pub fn create(tx: &mut WriteTx<'_>, record: ArrivalRecord) -> Result<ArrivalRecord, StoreError> {
    diesel::insert_into(arrivals::table).values(&record.arrival).execute(tx.conn())?;
    insert_periods(tx, &record.irregular_periods)?;
    tx.audit(AuditEntry {
        action: "create",
        entity_type: "arrival",
        entity_id: record.arrival.id.clone(),
        before: None,
        after: serde_json::to_value(&record).ok(),
    })?;
    Ok(record)
}

/// Replaces an arrival's details and periods (not its recorder).
pub fn update(
    tx: &mut WriteTx<'_>,
    expected_version: i32,
    changed: ArrivalRecord,
) -> Result<ArrivalRecord, StoreError> {
    let id = changed.arrival.id.clone();
    let before = get(tx.conn(), &Visibility::All, &id)?;
    expect_version(before.arrival.version, expected_version)?;
    let arrival = Arrival {
        organization_id: before.arrival.organization_id.clone(),
        recorded_by_user_id: before.arrival.recorded_by_user_id.clone(),
        created_at: before.arrival.created_at,
        version: expected_version + 1,
        updated_at: crate::now_utc(),
        ..changed.arrival
    };
    let updated =
        diesel::update(arrivals::table.filter(arrivals::id.eq(&id)).filter(arrivals::version.eq(expected_version)))
            .set((
                arrivals::person_id.eq(&arrival.person_id),
                arrivals::personal_number.eq(&arrival.personal_number),
                arrivals::arrival_date.eq(arrival.arrival_date),
                arrivals::point_of_arrival.eq(&arrival.point_of_arrival),
                arrivals::countries.eq(&arrival.countries),
                arrivals::asylum_applied.eq(arrival.asylum_applied),
                arrivals::asylum_held.eq(arrival.asylum_held),
                arrivals::need_shelter.eq(arrival.need_shelter),
                arrivals::need_medical.eq(arrival.need_medical),
                arrivals::need_other.eq(&arrival.need_other),
                arrivals::version.eq(arrival.version),
                arrivals::updated_at.eq(arrival.updated_at),
            ))
            .execute(tx.conn())?;
    if updated > 0 {
        diesel::delete(arrival_irregular_periods::table.filter(arrival_irregular_periods::arrival_id.eq(&id)))
            .execute(tx.conn())?;
        insert_periods(tx, &changed.irregular_periods)?;
    }
    let after = ArrivalRecord { arrival, irregular_periods: changed.irregular_periods };
    tx.record_versioned_update(updated, expected_version, ("update", "arrival", &id), &before, &after)?;
    Ok(after)
}

/// Links an arrival recorded before its person was known (R8: by personal number).
pub fn link_person(tx: &mut WriteTx<'_>, arrival_id: &str, person_id: &str) -> Result<(), StoreError> {
    let before = get(tx.conn(), &Visibility::All, arrival_id)?;
    if before.arrival.person_id.as_deref() == Some(person_id) {
        return Ok(());
    }
    diesel::update(arrivals::table.find(arrival_id))
        .set((
            arrivals::person_id.eq(person_id),
            arrivals::version.eq(before.arrival.version + 1),
            arrivals::updated_at.eq(crate::now_utc()),
        ))
        .execute(tx.conn())?;
    tx.audit(AuditEntry {
        action: "link_person",
        entity_type: "arrival",
        entity_id: arrival_id.to_owned(),
        before: serde_json::json!({ "person_id": before.arrival.person_id }).into(),
        after: serde_json::json!({ "person_id": person_id }).into(),
    })
}

/// Links every arrival recorded under `personal_number` and not yet linked to `person_id`.
pub fn link_unlinked(
    tx: &mut WriteTx<'_>,
    personal_number: Option<&str>,
    person_id: &str,
) -> Result<usize, StoreError> {
    let Some(number) = personal_number else { return Ok(0) };
    let unlinked: Vec<String> = arrivals::table
        .filter(arrivals::personal_number.eq(number))
        .filter(arrivals::person_id.is_null())
        .select(arrivals::id)
        .load(tx.conn())?;
    for id in &unlinked {
        link_person(tx, id, person_id)?;
    }
    Ok(unlinked.len())
}
