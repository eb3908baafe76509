//! Organisations: the ministry and the implementing NGOs, with the regions they work in.

use diesel::prelude::*;
use domain::organization::OrganizationKind;
use serde::Serialize;

use crate::models::identity::{Organization, OrganizationChanges};
use crate::schema::{organization_regions, organizations};
use crate::write::expect_version;
use crate::{AuditEntry, DbConnection, Page, StoreError, Visibility, WriteTx, new_id, now_utc};

/// An organisation with the regions it works in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrganizationRecord {
    #[serde(flatten)]
    pub organization: Organization,
    pub regions: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct NewOrganization {
    pub kind: OrganizationKind,
    pub changes: OrganizationChanges,
    pub regions: Vec<String>,
}

fn regions_of(conn: &mut DbConnection, ids: &[String]) -> Result<Vec<(String, String)>, StoreError> {
    Ok(organization_regions::table
        .filter(organization_regions::organization_id.eq_any(ids))
        .order((organization_regions::organization_id, organization_regions::region_code))
        .select((organization_regions::organization_id, organization_regions::region_code))
        .load(conn)?)
}

fn with_regions(conn: &mut DbConnection, rows: Vec<Organization>) -> Result<Vec<OrganizationRecord>, StoreError> {
    let ids: Vec<String> = rows.iter().map(|o| o.id.clone()).collect();
    let pairs = regions_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|organization| {
            let regions = pairs.iter().filter(|(id, _)| *id == organization.id).map(|(_, r)| r.clone()).collect();
            OrganizationRecord { organization, regions }
        })
        .collect())
}

fn replace_regions(tx: &mut WriteTx<'_>, id: &str, regions: &[String]) -> Result<(), StoreError> {
    diesel::delete(organization_regions::table.filter(organization_regions::organization_id.eq(id)))
        .execute(tx.conn())?;
    for region in regions {
        diesel::insert_into(organization_regions::table)
            .values((organization_regions::organization_id.eq(id), organization_regions::region_code.eq(region)))
            .execute(tx.conn())?;
    }
    Ok(())
}

/// One organisation, if the caller may see it (R11: an NGO sees only itself).
pub fn get(conn: &mut DbConnection, visibility: &Visibility, id: &str) -> Result<OrganizationRecord, StoreError> {
    if !visibility.allows(id) {
        return Err(StoreError::NotFound);
    }
    let row = organizations::table.find(id).select(Organization::as_select()).first(conn)?;
    with_regions(conn, vec![row])?.pop().ok_or(StoreError::NotFound)
}

pub fn find_by_name_en(conn: &mut DbConnection, name_en: &str) -> Result<Option<Organization>, StoreError> {
    Ok(organizations::table
        .filter(organizations::name_en.eq(name_en))
        .select(Organization::as_select())
        .first(conn)
        .optional()?)
}

/// A page of organisations in creation order, after the given id.
pub fn list(
    conn: &mut DbConnection,
    visibility: &Visibility,
    active: Option<bool>,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<OrganizationRecord>, StoreError> {
    let mut query = organizations::table.select(Organization::as_select()).order(organizations::id.asc()).into_boxed();
    if let Visibility::Organization(own) = visibility {
        query = query.filter(organizations::id.eq(own.clone()));
    }
    if let Some(active) = active {
        query = query.filter(organizations::active.eq(active));
    }
    if let Some(after) = after {
        query = query.filter(organizations::id.gt(after.to_owned()));
    }
    let rows = query.limit(i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1)).load(conn)?;
    let page = Page::from_rows(rows, limit, |o| o.id.clone());
    Ok(Page { items: with_regions(conn, page.items)?, next_after: page.next_after })
}

pub fn create(tx: &mut WriteTx<'_>, new: NewOrganization) -> Result<OrganizationRecord, StoreError> {
    let now = now_utc();
    let changes = new.changes;
    let organization = Organization {
        id: new_id(),
        kind: new.kind,
        name_ka: changes.name_ka,
        name_en: changes.name_en,
        legal_form: changes.legal_form,
        contact_email: changes.contact_email,
        contact_phone: changes.contact_phone,
        address: changes.address,
        active: true,
        version: 1,
        created_at: now,
        updated_at: now,
        token_generation: 0,
    };
    diesel::insert_into(organizations::table).values(organization.clone()).execute(tx.conn())?;
    replace_regions(tx, &organization.id, &new.regions)?;
    let record = OrganizationRecord { organization, regions: new.regions };
    tx.audit(AuditEntry {
        action: "create",
        entity_type: "organization",
        entity_id: record.organization.id.clone(),
        before: None,
        after: Some(crate::write::snapshot(&record)?),
    })?;
    Ok(record)
}

/// Fails with `StaleVersion` when the stored version is not `expected_version` (a lost update
/// is impossible), `NotFound` when there is no such organisation.
fn check_version(tx: &mut WriteTx<'_>, id: &str, expected_version: i32) -> Result<OrganizationRecord, StoreError> {
    let before = get(tx.conn(), &Visibility::All, id)?;
    expect_version(before.organization.version, expected_version)?;
    Ok(before)
}

/// Moves the version on, guarded by the expected one; returns the rows updated (0: another
/// transaction got there first).
fn bump(tx: &mut WriteTx<'_>, id: &str, expected_version: i32) -> Result<usize, StoreError> {
    Ok(diesel::update(
        organizations::table.filter(organizations::id.eq(id)).filter(organizations::version.eq(expected_version)),
    )
    .set((organizations::version.eq(expected_version + 1), organizations::updated_at.eq(now_utc())))
    .execute(tx.conn())?)
}

pub fn update(
    tx: &mut WriteTx<'_>,
    id: &str,
    expected_version: i32,
    changes: OrganizationChanges,
    regions: Vec<String>,
) -> Result<OrganizationRecord, StoreError> {
    let before = check_version(tx, id, expected_version)?;
    let updated = bump(tx, id, expected_version)?;
    diesel::update(organizations::table.find(id)).set(&changes).execute(tx.conn())?;
    replace_regions(tx, id, &regions)?;
    tx.record_versioned_update(updated, ("update", "organization", id), &before, |conn| get(conn, &Visibility::All, id))
}

/// Deactivates (or reactivates) an organisation. Its data stays; its users and clients can no
/// longer log in, and their live tokens stop working on their next request.
pub fn set_active(
    tx: &mut WriteTx<'_>,
    id: &str,
    expected_version: i32,
    active: bool,
) -> Result<OrganizationRecord, StoreError> {
    let before = check_version(tx, id, expected_version)?;
    let updated = bump(tx, id, expected_version)?;
    diesel::update(organizations::table.find(id)).set(organizations::active.eq(active)).execute(tx.conn())?;
    if !active {
        // Reactivating later must not revive its users' and clients' tokens of before.
        diesel::update(organizations::table.find(id))
            .set(organizations::token_generation.eq(organizations::token_generation + 1))
            .execute(tx.conn())?;
    }
    let action = if active { "activate" } else { "deactivate" };
    tx.record_versioned_update(updated, (action, "organization", id), &before, |conn| get(conn, &Visibility::All, id))
}
