use diesel::prelude::*;
use serde::Serialize;

use crate::schema::{regions, service_types};

/// A first-level region (R4 occupied flag, R6 shelter coverage).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset, Serialize)]
#[diesel(table_name = regions)]
pub struct Region {
    pub code: String,
    pub name_ka: String,
    pub name_en: String,
    pub occupied: bool,
    pub shelter_covered: bool,
    pub sort_order: i32,
}

/// An entry of the service catalogue (S1–S6).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset, Serialize)]
#[diesel(table_name = service_types)]
pub struct ServiceType {
    pub code: String,
    pub category: String,
    pub name_ka: String,
    pub name_en: String,
    pub description_ka: String,
    pub description_en: String,
    pub requestable_on_case: bool,
    pub costs_grant_by_default: bool,
    pub sort_order: i32,
}
