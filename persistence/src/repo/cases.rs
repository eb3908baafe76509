//! Cases (program registrations) and their recorded eligibility decisions.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use domain::case::CaseStatus;
use serde::Serialize;

use crate::models::registration::{Case, EligibilityDecision};
use crate::schema::{cases, eligibility_decisions, organizations, persons};
use crate::stored::Stored;
use crate::write::expect_version;
use crate::{AuditEntry, DbConnection, Page, StoreError, Visibility, WriteTx};

/// The live case of a return and the NGO holding it (R5).
#[derive(Debug, Clone)]
pub struct LiveCase {
    pub case_id: String,
    pub organization_id: String,
    pub organization_name_ka: String,
    pub organization_name_en: String,
}

/// The live (not closed) case of a return other than `except`, if any. R5 counts by return, not
/// by record: a return is the person and the return date, so the case may name this arrival
/// record or another record of the same return.
pub fn live_case_for_return(
    conn: &mut DbConnection,
    arrival_id: &str,
    return_of: Option<(&str, NaiveDate)>,
    except: Option<&str>,
) -> Result<Option<LiveCase>, StoreError> {
    let mut query = cases::table
        .inner_join(organizations::table)
        .filter(cases::status.ne(CaseStatus::Closed.as_str()))
        .select((cases::id, cases::organization_id, organizations::name_ka, organizations::name_en))
        .into_boxed();
    query = match return_of {
        Some((person_id, date)) => query.filter(
            cases::arrival_id
                .eq(arrival_id.to_owned())
                .or(cases::person_id.eq(person_id.to_owned()).and(cases::arrival_date.eq(date))),
        ),
        None => query.filter(cases::arrival_id.eq(arrival_id.to_owned())),
    };
    if let Some(except) = except {
        query = query.filter(cases::id.ne(except.to_owned()));
    }
    let found: Option<(String, String, String, String)> = query.first(conn).optional()?;
    Ok(found.map(|(case_id, organization_id, organization_name_ka, organization_name_en)| LiveCase {
        case_id,
        organization_id,
        organization_name_ka,
        organization_name_en,
    }))
}

/// The live cases registered on an arrival record with a registration date before `date`: an
/// arrival correction that moves the return after them would leave cases that cannot be decided
/// (R3: registration on or after the return).
pub fn live_cases_registered_before(
    conn: &mut DbConnection,
    arrival_id: &str,
    date: NaiveDate,
) -> Result<Vec<Case>, StoreError> {
    Ok(cases::table
        .filter(cases::arrival_id.eq(arrival_id))
        .filter(cases::status.ne(CaseStatus::Closed.as_str()))
        .filter(cases::registration_date.lt(date))
        .select(Case::as_select())
        .load(conn)?)
}

pub fn create(tx: &mut WriteTx<'_>, case: Case) -> Result<Case, StoreError> {
    diesel::insert_into(cases::table).values(case.clone()).execute(tx.conn())?;
    tx.audit(AuditEntry {
        action: "create",
        entity_type: "case",
        entity_id: case.id.clone(),
        before: None,
        after: Some(crate::write::snapshot(&case)?),
    })?;
    Ok(case)
}

pub fn get(conn: &mut DbConnection, visibility: &Visibility, id: &str) -> Result<Case, StoreError> {
    let case = cases::table.find(id).select(Case::as_select()).first(conn)?;
    if visibility.allows(&case.organization_id) { Ok(case) } else { Err(StoreError::NotFound) }
}

/// A row of the case list: the case with what the list shows and filters on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseListItem {
    pub id: String,
    pub person_id: String,
    pub arrival_id: String,
    pub organization_id: String,
    pub registration_date: NaiveDate,
    pub status: CaseStatus,
    pub version: i32,
    pub personal_number: Option<String>,
    pub first_name_ka: Option<String>,
    pub last_name_ka: Option<String>,
    pub first_name_lat: Option<String>,
    pub last_name_lat: Option<String>,
    pub residence_region: Option<String>,
    pub arrival_date: NaiveDate,
    pub need_shelter: bool,
}

#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub organization_id: Option<String>,
    pub region: Option<String>,
    pub status: Option<CaseStatus>,
    pub registered_from: Option<NaiveDate>,
    pub registered_to: Option<NaiveDate>,
    pub arrived_from: Option<NaiveDate>,
    pub arrived_to: Option<NaiveDate>,
    pub need_shelter: Option<bool>,
    pub personal_number: Option<String>,
    pub name: Option<String>,
}

/// The list's sort key: registration date, then id.
pub fn list_key(item: &CaseListItem) -> String {
    format!("{}|{}", item.registration_date, item.id)
}

fn parse_key(key: &str) -> Option<(NaiveDate, String)> {
    let (date, id) = key.split_once('|')?;
    Some((NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?, id.to_owned()))
}

/// Cases sorted by registration date (then id), keyset-paginated after `after` (a
/// [`list_key`]), filtered, and scoped by R11.
///
/// Every filter is on a column of `cases` (the copies of migration 000005), so each has an index
/// that starts with its column and continues in the list's order: the database walks it and
/// stops after `limit + 1` entries. The page's rows and their persons' names are then read by
/// primary key.
pub fn list(
    conn: &mut DbConnection,
    visibility: &Visibility,
    filter: &CaseFilter,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<CaseListItem>, StoreError> {
    let mut query =
        cases::table.select(cases::id).order((cases::registration_date.asc(), cases::id.asc())).into_boxed();
    if let Visibility::Organization(own) = visibility {
        query = query.filter(cases::organization_id.eq(own.clone()));
    }
    if let Some(organization_id) = &filter.organization_id {
        query = query.filter(cases::organization_id.eq(organization_id.clone()));
    }
    if let Some(region) = &filter.region {
        query = query.filter(cases::residence_region.eq(region.clone()));
    }
    if let Some(status) = &filter.status {
        query = query.filter(cases::status.eq(status.as_str()));
    }
    if let Some(from) = filter.registered_from {
        query = query.filter(cases::registration_date.ge(from));
    }
    if let Some(to) = filter.registered_to {
        query = query.filter(cases::registration_date.le(to));
    }
    if let Some(from) = filter.arrived_from {
        query = query.filter(cases::arrival_date.ge(from));
    }
    if let Some(to) = filter.arrived_to {
        query = query.filter(cases::arrival_date.le(to));
    }
    if let Some(need_shelter) = filter.need_shelter {
        query = query.filter(cases::need_shelter.eq(need_shelter));
    }
    if let Some(number) = &filter.personal_number {
        query = query.filter(cases::personal_number.eq(number.clone()));
    }
    if let Some(name) = &filter.name {
        query = query.filter(cases::search_name.like(super::persons::like_pattern(name)).escape('\\'));
    }
    if let Some((date, id)) = after.and_then(parse_key) {
        // `>= date` bounds the index range; the rest skips the rows of `date` up to `id`.
        query = query
            .filter(cases::registration_date.ge(date))
            .filter(cases::registration_date.gt(date).or(cases::id.gt(id)));
    }
    // First the page's ids, from the indexes alone where they hold every filtered column; then
    // the page's rows by primary key.
    let ids: Vec<String> = query.limit(i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1)).load(conn)?;
    let rows: Vec<ListedCase> = cases::table
        .filter(cases::id.eq_any(&ids))
        .select((
            cases::id,
            cases::person_id,
            cases::arrival_id,
            cases::organization_id,
            cases::registration_date,
            cases::status,
            cases::version,
            cases::personal_number,
            cases::residence_region,
            cases::arrival_date,
            cases::need_shelter,
        ))
        .order((cases::registration_date.asc(), cases::id.asc()))
        .load(conn)?;
    // The names of this page's persons, by primary key: a join would let the database join
    // every matching case before it sorts and limits.
    let person_ids: Vec<&str> = rows.iter().map(|r| r.person_id.as_str()).collect();
    let names: HashMap<String, [Option<String>; 4]> = persons::table
        .filter(persons::id.eq_any(&person_ids))
        .select((
            persons::id,
            persons::first_name_ka,
            persons::last_name_ka,
            persons::first_name_lat,
            persons::last_name_lat,
        ))
        .load::<(String, Option<String>, Option<String>, Option<String>, Option<String>)>(conn)?
        .into_iter()
        .map(|(id, first_ka, last_ka, first_lat, last_lat)| (id, [first_ka, last_ka, first_lat, last_lat]))
        .collect();
    let items = rows
        .into_iter()
        .map(|row| {
            let [first_name_ka, last_name_ka, first_name_lat, last_name_lat] =
                names.get(&row.person_id).cloned().unwrap_or_default();
            CaseListItem {
                id: row.id,
                person_id: row.person_id,
                arrival_id: row.arrival_id,
                organization_id: row.organization_id,
                registration_date: row.registration_date,
                status: row.status,
                version: row.version,
                personal_number: row.personal_number,
                first_name_ka,
                last_name_ka,
                first_name_lat,
                last_name_lat,
                residence_region: row.residence_region,
                arrival_date: row.arrival_date,
                need_shelter: row.need_shelter,
            }
        })
        .collect();
    Ok(Page::from_rows(items, limit, list_key))
}

/// A case list row before the person's names are added.
#[derive(Queryable)]
struct ListedCase {
    id: String,
    person_id: String,
    arrival_id: String,
    organization_id: String,
    registration_date: NaiveDate,
    #[diesel(deserialize_as = Stored<CaseStatus>)]
    status: CaseStatus,
    version: i32,
    personal_number: Option<String>,
    residence_region: Option<String>,
    arrival_date: NaiveDate,
    need_shelter: bool,
}

/// Moves a case to `status` (after a decision) or closes it, guarded by the expected version.
pub fn update_status(
    tx: &mut WriteTx<'_>,
    id: &str,
    expected_version: i32,
    status: CaseStatus,
    closing: Option<(NaiveDate, String)>,
) -> Result<Case, StoreError> {
    let before = get(tx.conn(), &Visibility::All, id)?;
    expect_version(before.version, expected_version)?;
    let (closed_on, close_reason) = match closing {
        Some((on, reason)) => (Some(on), Some(reason)),
        None => (before.closed_on, before.close_reason.clone()),
    };
    let after = Case {
        status,
        closed_on,
        close_reason,
        version: expected_version + 1,
        updated_at: crate::now_utc(),
        ..before.clone()
    };
    let updated = diesel::update(cases::table.filter(cases::id.eq(id)).filter(cases::version.eq(expected_version)))
        .set((
            cases::status.eq(after.status.as_str()),
            cases::closed_on.eq(after.closed_on),
            cases::close_reason.eq(&after.close_reason),
            cases::version.eq(after.version),
            cases::updated_at.eq(after.updated_at),
        ))
        .execute(tx.conn())?;
    let action = if after.closed_on.is_some() && before.closed_on.is_none() { "close" } else { "decide" };
    tx.record_versioned_update(updated, (action, "case", id), &before, |conn| get(conn, &Visibility::All, id))
}

pub fn record_decision(tx: &mut WriteTx<'_>, decision: EligibilityDecision) -> Result<EligibilityDecision, StoreError> {
    diesel::insert_into(eligibility_decisions::table).values(decision.clone()).execute(tx.conn())?;
    tx.audit(AuditEntry {
        action: "create",
        entity_type: "eligibility_decision",
        entity_id: decision.id.clone(),
        before: None,
        after: Some(crate::write::snapshot(&decision)?),
    })?;
    Ok(decision)
}

/// A page of a case's decisions, oldest first (ids are UUIDv7: their order is the order they
/// were made in), after the decision `after`.
pub fn decisions(
    conn: &mut DbConnection,
    case_id: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<EligibilityDecision>, StoreError> {
    let mut query = eligibility_decisions::table
        .filter(eligibility_decisions::case_id.eq(case_id))
        .order(eligibility_decisions::id.asc())
        .select(EligibilityDecision::as_select())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(eligibility_decisions::id.gt(after.to_owned()));
    }
    let rows = query.limit(i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1)).load(conn)?;
    Ok(Page::from_rows(rows, limit, |d| d.id.clone()))
}

/// One decision of a case; `NotFound` when the case has no such decision.
pub fn decision(conn: &mut DbConnection, case_id: &str, decision_id: &str) -> Result<EligibilityDecision, StoreError> {
    eligibility_decisions::table
        .filter(eligibility_decisions::case_id.eq(case_id))
        .filter(eligibility_decisions::id.eq(decision_id))
        .select(EligibilityDecision::as_select())
        .first(conn)
        .optional()?
        .ok_or(StoreError::NotFound)
}
