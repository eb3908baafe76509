//! Reference data owned by the program rules (`domain`): regions (R4, R6) and the service
//! catalogue (S1–S6). Loaded at start-up; a change to the rules' tables shows in the audit trail.

use diesel::prelude::*;
use domain::region::RegionCode;
use domain::service::ServiceType as DomainServiceType;

use crate::models::reference::{Region, ServiceType};
use crate::schema::{regions, service_types};
use crate::{AuditEntry, DbConnection, StoreError, WriteTx};

fn region_rows() -> Vec<Region> {
    RegionCode::ALL
        .iter()
        .zip(1..)
        .map(|(region, order)| Region {
            code: region.code().to_owned(),
            name_ka: region.name_ka().to_owned(),
            name_en: region.name_en().to_owned(),
            occupied: region.is_occupied(),
            shelter_covered: region.shelter_covered(),
            sort_order: order,
        })
        .collect()
}

fn service_type_rows() -> Vec<ServiceType> {
    DomainServiceType::ALL
        .iter()
        .zip(1..)
        .map(|(service, order)| ServiceType {
            code: service.code().to_owned(),
            category: service.category().to_owned(),
            name_ka: service.name_ka().to_owned(),
            name_en: service.name_en().to_owned(),
            description_ka: service.description_ka().to_owned(),
            description_en: service.description_en().to_owned(),
            requestable_on_case: service.requestable_on_case(),
            costs_grant_by_default: service.costs_grant_by_default(),
            sort_order: order,
        })
        .collect()
}

/// Brings the reference tables in line with the rules, recording each insert and change.
/// Returns how many rows changed (0 on every start but the first, or after a rules change).
pub fn sync(tx: &mut WriteTx<'_>) -> Result<usize, StoreError> {
    let mut changed = 0;
    for row in region_rows() {
        let existing = regions::table.find(&row.code).select(Region::as_select()).first(tx.conn()).optional()?;
        if existing.as_ref() == Some(&row) {
            continue;
        }
        match &existing {
            None => diesel::insert_into(regions::table).values(&row).execute(tx.conn())?,
            Some(_) => diesel::update(regions::table.find(&row.code)).set(&row).execute(tx.conn())?,
        };
        tx.audit(AuditEntry {
            action: if existing.is_some() { "update" } else { "create" },
            entity_type: "region",
            entity_id: row.code.clone(),
            before: existing.as_ref().map(crate::write::snapshot).transpose()?,
            after: Some(crate::write::snapshot(&row)?),
        })?;
        changed += 1;
    }
    for row in service_type_rows() {
        let existing =
            service_types::table.find(&row.code).select(ServiceType::as_select()).first(tx.conn()).optional()?;
        if existing.as_ref() == Some(&row) {
            continue;
        }
        match &existing {
            None => diesel::insert_into(service_types::table).values(&row).execute(tx.conn())?,
            Some(_) => diesel::update(service_types::table.find(&row.code)).set(&row).execute(tx.conn())?,
        };
        tx.audit(AuditEntry {
            action: if existing.is_some() { "update" } else { "create" },
            entity_type: "service_type",
            entity_id: row.code.clone(),
            before: existing.as_ref().map(crate::write::snapshot).transpose()?,
            after: Some(crate::write::snapshot(&row)?),
        })?;
        changed += 1;
    }
    Ok(changed)
}

pub fn regions(conn: &mut DbConnection) -> Result<Vec<Region>, StoreError> {
    Ok(regions::table.order(regions::sort_order.asc()).select(Region::as_select()).load(conn)?)
}

pub fn service_types(conn: &mut DbConnection) -> Result<Vec<ServiceType>, StoreError> {
    Ok(service_types::table.order(service_types::sort_order.asc()).select(ServiceType::as_select()).load(conn)?)
}
