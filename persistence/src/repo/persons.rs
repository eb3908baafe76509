//! Persons: one per personal or permit number across the whole system (R5), owned by the NGO
//! that registered them (R11).

use diesel::prelude::*;

use crate::models::registration::Person;
use crate::schema::{organizations, persons};
use crate::write::expect_version;
use crate::{AuditEntry, DbConnection, Page, StoreError, Visibility, WriteTx};

/// Who already holds a personal or permit number: the person and the registering NGO's names.
#[derive(Debug, Clone)]
pub struct Holder {
    pub person: Person,
    pub organization_name_ka: String,
    pub organization_name_en: String,
}

pub fn find_holder(
    conn: &mut DbConnection,
    personal_number: Option<&str>,
    permit_number: Option<&str>,
) -> Result<Option<Holder>, StoreError> {
    let mut query = persons::table
        .inner_join(organizations::table)
        .select((Person::as_select(), organizations::name_ka, organizations::name_en))
        .into_boxed();
    query = match (personal_number, permit_number) {
        (Some(number), _) => query.filter(persons::personal_number.eq(number.to_owned())),
        (None, Some(permit)) => query.filter(persons::residence_permit_number.eq(permit.to_owned())),
        (None, None) => return Ok(None),
    };
    let found: Option<(Person, String, String)> = query.first(conn).optional()?;
    Ok(found.map(|(person, organization_name_ka, organization_name_en)| Holder {
        person,
        organization_name_ka,
        organization_name_en,
    }))
}

pub fn create(tx: &mut WriteTx<'_>, person: Person) -> Result<Person, StoreError> {
    diesel::insert_into(persons::table).values(person.clone()).execute(tx.conn())?;
    tx.audit(AuditEntry {
        action: "create",
        entity_type: "person",
        entity_id: person.id.clone(),
        before: None,
        after: Some(crate::write::snapshot(&person)?),
    })?;
    Ok(person)
}

/// One person, if the caller may see them (R11: an NGO sees the persons it registered).
pub fn get(conn: &mut DbConnection, visibility: &Visibility, id: &str) -> Result<Person, StoreError> {
    let person = persons::table.find(id).select(Person::as_select()).first(conn)?;
    if visibility.allows(&person.organization_id) { Ok(person) } else { Err(StoreError::NotFound) }
}

#[derive(Debug, Clone, Default)]
pub struct PersonFilter {
    pub personal_number: Option<String>,
    pub residence_permit_number: Option<String>,
    /// Part of a name, in either script (case-insensitive for Latin).
    pub name: Option<String>,
    pub residence_region: Option<String>,
}

/// Escapes `%`, `_` and `\` for a LIKE pattern (with `ESCAPE '\'`).
pub(crate) fn like_pattern(fragment: &str) -> String {
    let mut pattern = String::from("%");
    for c in fragment.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

pub fn list(
    conn: &mut DbConnection,
    visibility: &Visibility,
    filter: &PersonFilter,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<Person>, StoreError> {
    let mut query = persons::table.select(Person::as_select()).order(persons::id.asc()).into_boxed();
    if let Visibility::Organization(own) = visibility {
        query = query.filter(persons::organization_id.eq(own.clone()));
    }
    if let Some(number) = &filter.personal_number {
        query = query.filter(persons::personal_number.eq(number.clone()));
    }
    if let Some(permit) = &filter.residence_permit_number {
        query = query.filter(persons::residence_permit_number.eq(permit.clone()));
    }
    if let Some(region) = &filter.residence_region {
        query = query.filter(persons::residence_region.eq(region.clone()));
    }
    if let Some(name) = &filter.name {
        query = query.filter(persons::search_name.like(like_pattern(name)).escape('\\'));
    }
    if let Some(after) = after {
        query = query.filter(persons::id.gt(after.to_owned()));
    }
    let rows = query.limit(i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1)).load(conn)?;
    Ok(Page::from_rows(rows, limit, |p| p.id.clone()))
}

/// Replaces a person's details (not the identifying number, nor the owner).
pub fn update(tx: &mut WriteTx<'_>, expected_version: i32, changed: Person) -> Result<Person, StoreError> {
    let before = get(tx.conn(), &Visibility::All, &changed.id)?;
    expect_version(before.version, expected_version)?;
    let after = Person {
        id: before.id.clone(),
        organization_id: before.organization_id.clone(),
        created_at: before.created_at,
        version: expected_version + 1,
        updated_at: crate::now_utc(),
        ..changed
    };
    let updated =
        diesel::update(persons::table.filter(persons::id.eq(&after.id)).filter(persons::version.eq(expected_version)))
            .set((
                persons::legal_status.eq(after.legal_status.as_str()),
                persons::personal_number.eq(&after.personal_number),
                persons::residence_permit_number.eq(&after.residence_permit_number),
                persons::first_name_ka.eq(&after.first_name_ka),
                persons::last_name_ka.eq(&after.last_name_ka),
                persons::first_name_lat.eq(&after.first_name_lat),
                persons::last_name_lat.eq(&after.last_name_lat),
                persons::date_of_birth.eq(after.date_of_birth),
                persons::sex.eq(&after.sex),
                persons::phone_e164.eq(&after.phone_e164),
                persons::residence_region.eq(&after.residence_region),
                persons::residence_locality.eq(&after.residence_locality),
                persons::consent_date.eq(after.consent_date),
                persons::consent_scope.eq(&after.consent_scope),
                persons::search_name.eq(&after.search_name),
                persons::version.eq(after.version),
                persons::updated_at.eq(after.updated_at),
            ))
            .execute(tx.conn())?;
    tx.record_versioned_update(updated, ("update", "person", &after.id), &before, |conn| {
        get(conn, &Visibility::All, &after.id)
    })
}

pub fn count(conn: &mut DbConnection) -> Result<u64, StoreError> {
    let n: i64 = persons::table.count().get_result(conn)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_patterns_escape_wildcards_and_fold_latin_case() {
        assert_eq!(super::like_pattern("Beri_dze%"), "%beri\\_dze\\%%");
        assert_eq!(super::like_pattern("ბერიძე"), "%ბერიძე%");
    }
}
