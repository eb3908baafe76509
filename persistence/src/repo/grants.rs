//! Grants: what the ministry awards an NGO for a program year (R9), and what is left of it (R10).

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::{grant_ceilings, grants, service_types};
use crate::{AuditEntry, DbConnection, Page, StoreError, Visibility, WriteTx, new_id, now_utc};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = grants)]
pub struct Grant {
    pub id: String,
    pub program_year: i32,
    pub organization_id: String,
    pub amount_tetri: i64,
    pub reference: Option<String>,
    pub version: i32,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// R10: what the grant's services hold now (approved with supplements, plus delivered), kept
    /// by every approval, delivery and cancellation in the statement that checks it.
    pub committed_tetri: i64,
}

/// What a new grant holds.
#[derive(Debug, Clone)]
pub struct NewGrant {
    pub program_year: i32,
    pub organization_id: String,
    pub amount_tetri: i64,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub reference: Option<String>,
    /// Caps per service type, each within the grant (at most one per type).
    pub ceilings: Vec<Ceiling>,
}

/// A grant's cap on what it pays for one service type.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize)]
#[diesel(table_name = grant_ceilings)]
pub struct Ceiling {
    pub service_type: String,
    pub amount_tetri: i64,
}

/// A ceiling with what the approvals of its type hold of it (R10), as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = grant_ceilings)]
pub struct CeilingCommitment {
    pub grant_id: String,
    pub service_type: String,
    pub amount_tetri: i64,
    pub committed_tetri: i64,
}

/// Every grant of the organisations, with their ceilings' commitments (the seeder's ledger).
/// Two queries.
pub fn of_organizations(
    conn: &mut DbConnection,
    organization_ids: &[String],
) -> Result<(Vec<Grant>, Vec<CeilingCommitment>), StoreError> {
    let grants: Vec<Grant> = grants::table
        .filter(grants::organization_id.eq_any(organization_ids))
        .order(grants::id.asc())
        .select(Grant::as_select())
        .load(conn)?;
    let ids: Vec<&str> = grants.iter().map(|g| g.id.as_str()).collect();
    let ceilings = grant_ceilings::table
        .filter(grant_ceilings::grant_id.eq_any(ids))
        .select(CeilingCommitment::as_select())
        .load(conn)?;
    Ok((grants, ceilings))
}

/// What a grant has paid for, derived from its services (R10: every tetri traceable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Balance {
    /// Approved and not yet delivered (nor cancelled).
    pub approved_tetri: i64,
    /// Delivered, at the delivered cost.
    pub delivered_tetri: i64,
    /// Approved, then cancelled (released back to the grant).
    pub cancelled_tetri: i64,
}

/// A grant with its ceilings and its balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GrantRecord {
    #[serde(flatten)]
    pub grant: Grant,
    pub ceilings: Vec<Ceiling>,
    #[serde(skip)]
    pub balance: Balance,
}

/// Inserts the grant (its year's total must have been reserved in the same transaction, see
/// `program_years::reserve`). A second grant to the organisation for the year is a `Conflict`.
pub fn create(tx: &mut WriteTx<'_>, new: NewGrant) -> Result<GrantRecord, StoreError> {
    let NewGrant { program_year, organization_id, amount_tetri, period_start, period_end, reference, ceilings } = new;
    let now = now_utc();
    let grant = Grant {
        id: new_id(),
        program_year,
        organization_id,
        amount_tetri,
        reference,
        version: 1,
        created_at: now,
        updated_at: now,
        period_start,
        period_end,
        committed_tetri: 0,
    };
    diesel::insert_into(grants::table).values(&grant).execute(tx.conn())?;
    for ceiling in &ceilings {
        diesel::insert_into(grant_ceilings::table)
            .values((
                grant_ceilings::grant_id.eq(&grant.id),
                grant_ceilings::service_type.eq(&ceiling.service_type),
                grant_ceilings::amount_tetri.eq(ceiling.amount_tetri),
            ))
            .execute(tx.conn())?;
    }
    let record = GrantRecord { ceilings: ceilings_of(tx.conn(), &grant.id)?, grant, balance: Balance::default() };
    tx.audit(AuditEntry {
        action: "create",
        entity_type: "grant",
        entity_id: record.grant.id.clone(),
        before: None,
        after: Some(crate::write::snapshot(&record)?),
    })?;
    Ok(record)
}

/// A grant's ceilings, in the order of the service catalogue.
fn ceilings_of(conn: &mut DbConnection, grant_id: &str) -> Result<Vec<Ceiling>, StoreError> {
    Ok(grant_ceilings::table
        .inner_join(service_types::table)
        .filter(grant_ceilings::grant_id.eq(grant_id))
        .order(service_types::sort_order.asc())
        .select(Ceiling::as_select())
        .load(conn)?)
}

/// What a grant's services hold (R10), derived from the services themselves.
fn balance(conn: &mut DbConnection, grant_id: &str) -> Result<Balance, StoreError> {
    let (approved_tetri, delivered_tetri, cancelled_tetri) = super::services::sums_for_grant(conn, grant_id)?;
    Ok(Balance { approved_tetri, delivered_tetri, cancelled_tetri })
}

/// Grants with their ceilings and balances: two queries per grant (a year has one grant per NGO,
/// a page few).
fn with_balances(conn: &mut DbConnection, rows: Vec<Grant>) -> Result<Vec<GrantRecord>, StoreError> {
    rows.into_iter()
        .map(|grant| {
            Ok(GrantRecord { balance: balance(conn, &grant.id)?, ceilings: ceilings_of(conn, &grant.id)?, grant })
        })
        .collect()
}

/// One grant, if the caller may see it (R11: an NGO sees its own grants only).
pub fn get(conn: &mut DbConnection, visibility: &Visibility, id: &str) -> Result<GrantRecord, StoreError> {
    let grant = grants::table.find(id).select(Grant::as_select()).first(conn)?;
    if !visibility.allows(&grant.organization_id) {
        return Err(StoreError::NotFound);
    }
    with_balances(conn, vec![grant])?.pop().ok_or(StoreError::NotFound)
}

/// The list's filter.
#[derive(Debug, Clone, Default)]
pub struct GrantFilter {
    pub program_year: Option<i32>,
    pub organization_id: Option<String>,
}

/// A page of the grants the caller may see, in creation order (ids are UUIDv7), after `after`.
pub fn list(
    conn: &mut DbConnection,
    visibility: &Visibility,
    filter: &GrantFilter,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<GrantRecord>, StoreError> {
    let mut query = grants::table.select(Grant::as_select()).order(grants::id.asc()).into_boxed();
    if let Visibility::Organization(own) = visibility {
        query = query.filter(grants::organization_id.eq(own.clone()));
    }
    if let Some(year) = filter.program_year {
        query = query.filter(grants::program_year.eq(year));
    }
    if let Some(organization_id) = &filter.organization_id {
        query = query.filter(grants::organization_id.eq(organization_id.clone()));
    }
    if let Some(after) = after {
        query = query.filter(grants::id.gt(after.to_owned()));
    }
    let rows = query.limit(i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1)).load(conn)?;
    let page = Page::from_rows(rows, limit, |g: &Grant| g.id.clone());
    Ok(Page { items: with_balances(conn, page.items)?, next_after: page.next_after })
}
