//! Arrivals: returns recorded at the point of arrival, with the needs seen there (S5, R8).
//! Ministry staff record them at the airport; NGOs when they register someone who arrived
//! unmet.
//!
//! R11 as PROGRAM.md decides it ("Arrivals and NGOs"): the ministry and auditors see every
//! arrival; an NGO sees the arrivals linked to a person it holds, and, while an arrival is linked
//! to no one, the ones it recorded and the ministry's (the airport intake it registers people
//! from). The medical need's text is read only by the NGO holding the person (or, before anyone
//! is linked, by the NGO that recorded it); everyone else learns only that one was recorded.

use diesel::prelude::*;
use domain::organization::OrganizationKind;

use crate::models::registration::{Arrival, IrregularPeriod};
use crate::schema::{arrival_irregular_periods, arrivals, organizations, persons};
use crate::write::expect_version;
use crate::{AuditEntry, DbConnection, Page, StoreError, Visibility, WriteTx};

/// An arrival with its irregular periods, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ArrivalRecord {
    #[serde(flatten)]
    pub arrival: Arrival,
    pub irregular_periods: Vec<IrregularPeriod>,
    /// R11: whether the reader may see `need_medical_notes`.
    #[serde(skip)]
    pub medical_notes_visible: bool,
}

impl ArrivalRecord {
    pub fn new(arrival: Arrival, irregular_periods: Vec<IrregularPeriod>) -> Self {
        Self { arrival, irregular_periods, medical_notes_visible: false }
    }
}

/// What R11 lets a reader see of an arrival: nothing (`None`), or the arrival with or without
/// its medical notes. `holder` is the organisation holding the linked person, if any.
fn access(visibility: &Visibility, arrival: &Arrival, holder: Option<&str>, ministry: &[String]) -> Option<bool> {
    let Visibility::Organization(own) = visibility else { return Some(false) };
    match (&arrival.person_id, holder) {
        (Some(_), Some(holder)) => (holder == own).then_some(true),
        (Some(_), None) => None,
        (None, _) if arrival.organization_id == *own => Some(true),
        (None, _) => ministry.contains(&arrival.organization_id).then_some(false),
    }
}

fn periods_of(conn: &mut DbConnection, ids: &[String]) -> Result<Vec<IrregularPeriod>, StoreError> {
    Ok(arrival_irregular_periods::table
        .filter(arrival_irregular_periods::arrival_id.eq_any(ids))
        .order((arrival_irregular_periods::arrival_id, arrival_irregular_periods::start_date))
        .select(IrregularPeriod::as_select())
        .load(conn)?)
}

fn with_periods(conn: &mut DbConnection, rows: Vec<(Arrival, bool)>) -> Result<Vec<ArrivalRecord>, StoreError> {
    let ids: Vec<String> = rows.iter().map(|(a, _)| a.id.clone()).collect();
    let periods = periods_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|(arrival, medical_notes_visible)| {
            let irregular_periods = periods.iter().filter(|p| p.arrival_id == arrival.id).cloned().collect();
            ArrivalRecord { arrival, irregular_periods, medical_notes_visible }
        })
        .collect())
}

fn ministry_ids(conn: &mut DbConnection) -> Result<Vec<String>, StoreError> {
    Ok(organizations::table
        .filter(organizations::kind.eq(OrganizationKind::Ministry.as_str()))
        .select(organizations::id)
        .load(conn)?)
}

/// The arrival and the organisation holding its linked person.
fn with_holder(conn: &mut DbConnection, id: &str) -> Result<(Arrival, Option<String>), StoreError> {
    Ok(arrivals::table
        .left_join(persons::table)
        .filter(arrivals::id.eq(id))
        .select((Arrival::as_select(), persons::organization_id.nullable()))
        .first(conn)?)
}

pub fn get(conn: &mut DbConnection, visibility: &Visibility, id: &str) -> Result<ArrivalRecord, StoreError> {
    let (arrival, holder) = with_holder(conn, id)?;
    let ministry = if matches!(visibility, Visibility::All) { Vec::new() } else { ministry_ids(conn)? };
    let notes = access(visibility, &arrival, holder.as_deref(), &ministry).ok_or(StoreError::NotFound)?;
    with_periods(conn, vec![(arrival, notes)])?.pop().ok_or(StoreError::NotFound)
}

/// Whether the caller may change the arrival: its recorder, or the ministry any arrival.
pub fn writable(visibility: &Visibility, arrival: &Arrival) -> bool {
    visibility.allows(&arrival.organization_id)
}

/// The organisation holding the person an airport (ministry) arrival is linked to, when that is
/// not `own`: such an arrival was the NGOs' shared intake, so an NGO that no longer sees it is
/// told that the person is registered elsewhere, and by whom (R11), instead of a bare 404.
pub fn registered_elsewhere(
    conn: &mut DbConnection,
    own: &str,
    id: &str,
) -> Result<Option<(String, String)>, StoreError> {
    let (arrival, holder) = match with_holder(conn, id) {
        Ok(found) => found,
        Err(StoreError::NotFound) => return Ok(None),
        Err(other) => return Err(other),
    };
    let Some(holder) = holder.filter(|h| h != own) else { return Ok(None) };
    if !ministry_ids(conn)?.contains(&arrival.organization_id) {
        return Ok(None);
    }
    Ok(organizations::table
        .find(holder)
        .select((organizations::name_ka, organizations::name_en))
        .first(conn)
        .optional()?)
}

/// Another arrival record of the same return: the same personal number or person, and date.
pub fn same_return(
    conn: &mut DbConnection,
    personal_number: Option<&str>,
    person_id: Option<&str>,
    arrival_date: chrono::NaiveDate,
    except: Option<&str>,
) -> Result<Option<Arrival>, StoreError> {
    let mut found = None;
    for (number, person) in [(personal_number, None), (None, person_id)] {
        if found.is_some() || (number.is_none() && person.is_none()) {
            continue;
        }
        let mut query =
            arrivals::table.filter(arrivals::arrival_date.eq(arrival_date)).select(Arrival::as_select()).into_boxed();
        if let Some(number) = number {
            query = query.filter(arrivals::personal_number.eq(number.to_owned()));
        }
        if let Some(person) = person {
            query = query.filter(arrivals::person_id.eq(person.to_owned()));
        }
        if let Some(except) = except {
            query = query.filter(arrivals::id.ne(except.to_owned()));
        }
        found = query.first(conn).optional()?;
    }
    Ok(found)
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
    let mut query = arrivals::table
        .left_join(persons::table)
        .select((Arrival::as_select(), persons::organization_id.nullable()))
        .order(arrivals::id.asc())
        .into_boxed();
    let ministry = if let Visibility::Organization(own) = visibility {
        // R11, the same as `access`: linked to a person the NGO holds; or linked to no one and
        // recorded by the NGO or the ministry.
        let ministry = ministry_ids(conn)?;
        let mut intake = ministry.clone();
        intake.push(own.clone());
        query = query.filter(
            persons::organization_id
                .nullable()
                .eq(own.clone())
                .or(arrivals::person_id.is_null().and(arrivals::organization_id.eq_any(intake))),
        );
        ministry
    } else {
        Vec::new()
    };
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
    let rows: Vec<(Arrival, Option<String>)> =
        query.limit(i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1)).load(conn)?;
    let page = Page::from_rows(rows, limit, |(a, _)| a.id.clone());
    let items = page
        .items
        .into_iter()
        .filter_map(|(arrival, holder)| {
            let notes = access(visibility, &arrival, holder.as_deref(), &ministry)?;
            Some((arrival, notes))
        })
        .collect();
    Ok(Page { items: with_periods(conn, items)?, next_after: page.next_after })
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
        after: Some(crate::write::snapshot(&record)?),
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
                arrivals::need_medical_notes.eq(&arrival.need_medical_notes),
                arrivals::version.eq(arrival.version),
                arrivals::updated_at.eq(arrival.updated_at),
            ))
            .execute(tx.conn())?;
    if updated > 0 {
        diesel::delete(arrival_irregular_periods::table.filter(arrival_irregular_periods::arrival_id.eq(&id)))
            .execute(tx.conn())?;
        insert_periods(tx, &changed.irregular_periods)?;
    }
    tx.record_versioned_update(updated, ("update", "arrival", &id), &before, |conn| get(conn, &Visibility::All, &id))
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

/// R11: each read of medical details is itself recorded, in the audit trail like a change.
pub fn record_medical_reads(tx: &mut WriteTx<'_>, arrival_ids: &[String]) -> Result<(), StoreError> {
    for id in arrival_ids {
        tx.audit(AuditEntry {
            action: "read_medical",
            entity_type: "arrival",
            entity_id: id.clone(),
            before: None,
            after: None,
        })?;
    }
    Ok(())
}
