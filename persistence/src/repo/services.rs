//! Services S1–S4 on a case: requested, approved or rejected, delivered or cancelled; the per-type
//! details; and the grant's running total that approvals charge and cancellations release (R10),
//! each change in one conditional statement so that racing approvals cannot overspend a grant.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};
use domain::service::{ConditionCategory, ServiceStatus, ServiceType};
use serde::Serialize;

use crate::schema::{
    feed_counters, grant_ceilings, grants, service_medical_details, service_psychosocial_details,
    service_social_project_details, service_vocational_details, services,
};
use crate::stored::Stored;
use crate::{AuditEntry, DbConnection, Page, StoreError, Visibility, WriteTx, new_id, now_utc};

/// A service as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = services, treat_none_as_default_value = false)]
pub struct Service {
    pub id: String,
    pub case_id: String,
    /// The NGO holding the case (cases never move).
    pub organization_id: String,
    #[diesel(deserialize_as = Stored<ServiceType>, serialize_as = Stored<ServiceType>)]
    pub service_type: ServiceType,
    /// R10: the grant the approval was charged to (none while requested, or for an approval of nothing).
    pub grant_id: Option<String>,
    #[diesel(deserialize_as = Stored<ServiceStatus>, serialize_as = Stored<ServiceStatus>)]
    pub status: ServiceStatus,
    pub requested_amount_tetri: i64,
    /// At most the requested amount.
    pub approved_amount_tetri: Option<i64>,
    /// Supplementary approvals of a delivered cost above the approval (R10).
    pub supplementary_tetri: i64,
    pub delivered_amount_tetri: Option<i64>,
    pub requested_by_user_id: Option<String>,
    pub requested_by_client_id: Option<String>,
    pub requested_at: NaiveDateTime,
    pub requested_on: NaiveDate,
    /// The request's document reference.
    pub reference: Option<String>,
    pub decided_by_user_id: Option<String>,
    pub decided_by_client_id: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decided_on: Option<NaiveDate>,
    pub supplemented_by_user_id: Option<String>,
    pub supplemented_by_client_id: Option<String>,
    pub delivered_on: Option<NaiveDate>,
    pub delivery_reference: Option<String>,
    /// Why it was rejected or cancelled.
    pub closed_reason: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Service {
    /// R10: what the service holds of its grant now — the approval with its supplements while
    /// approved, the delivered cost once delivered, nothing otherwise.
    pub fn committed_tetri(&self) -> i64 {
        match self.status {
            ServiceStatus::Approved => self.approved_amount_tetri.unwrap_or(0).saturating_add(self.supplementary_tetri),
            ServiceStatus::Delivered => self.delivered_amount_tetri.unwrap_or(0),
            _ => 0,
        }
    }
}

/// S1: the condition's category, and the sensitive details (R11: ICD-10 code and notes).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = service_medical_details, treat_none_as_default_value = false)]
pub struct MedicalDetails {
    #[serde(skip)]
    pub service_id: String,
    #[diesel(deserialize_as = Stored<ConditionCategory>, serialize_as = Stored<ConditionCategory>)]
    pub condition_category: ConditionCategory,
    pub icd10_code: Option<String>,
    pub notes: Option<String>,
    pub provider: Option<String>,
}

/// S2: the planned sessions.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = service_psychosocial_details, treat_none_as_default_value = false)]
pub struct PsychosocialDetails {
    #[serde(skip)]
    pub service_id: String,
    pub planned_sessions: i32,
}

/// S3: the project.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = service_social_project_details, treat_none_as_default_value = false)]
pub struct SocialProjectDetails {
    #[serde(skip)]
    pub service_id: String,
    pub title: String,
    pub sector: String,
    pub business_description: String,
}

/// S4 as stored: the proposed directions are a JSON array of text.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = service_vocational_details, treat_none_as_default_value = false)]
pub(crate) struct VocationalRow {
    service_id: String,
    skills: String,
    interests: String,
    proposed_directions: String,
    education: Option<String>,
    division_informed_on: Option<NaiveDate>,
    feed_position: i64,
}

impl VocationalRow {
    /// The row of service `id`'s S4 details (the directions as a JSON array), at the feed
    /// position `d` holds.
    pub(crate) fn of(id: &str, d: &VocationalDetails) -> Result<Self, StoreError> {
        let directions = serde_json::to_string(&d.proposed_directions)
            .map_err(|e| StoreError::Corrupt(format!("directions do not serialise: {e}")))?;
        Ok(VocationalRow {
            service_id: id.to_owned(),
            skills: d.skills.clone(),
            interests: d.interests.clone(),
            proposed_directions: directions,
            education: d.education.clone(),
            division_informed_on: d.division_informed_on,
            feed_position: d.feed_position,
        })
    }
}

/// S4: what the referral rests on, and when the ministry's division was informed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VocationalDetails {
    pub education: Option<String>,
    pub skills: String,
    pub interests: String,
    /// At least one.
    pub proposed_directions: Vec<String>,
    pub division_informed_on: Option<NaiveDate>,
    /// Its place in the division's feed (set when stored; 0 before).
    #[serde(skip)]
    pub feed_position: i64,
}

/// The details of a service, by its type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Details {
    Medical(MedicalDetails),
    Psychosocial(PsychosocialDetails),
    SocialProject(SocialProjectDetails),
    Vocational(VocationalDetails),
}

/// A service with its details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceRecord {
    #[serde(flatten)]
    pub service: Service,
    pub details: Details,
}

/// Inserts a requested service with its details (R13: audited).
pub fn create(tx: &mut WriteTx<'_>, service: Service, details: Details) -> Result<ServiceRecord, StoreError> {
    diesel::insert_into(services::table).values(service.clone()).execute(tx.conn())?;
    let id = service.id.clone();
    let details = match details {
        Details::Medical(d) => {
            let d = MedicalDetails { service_id: id, ..d };
            diesel::insert_into(service_medical_details::table).values(d.clone()).execute(tx.conn())?;
            Details::Medical(d)
        }
        Details::Psychosocial(d) => {
            let d = PsychosocialDetails { service_id: id, ..d };
            diesel::insert_into(service_psychosocial_details::table).values(&d).execute(tx.conn())?;
            Details::Psychosocial(d)
        }
        Details::SocialProject(d) => {
            let d = SocialProjectDetails { service_id: id, ..d };
            diesel::insert_into(service_social_project_details::table).values(&d).execute(tx.conn())?;
            Details::SocialProject(d)
        }
        Details::Vocational(d) => {
            let d = VocationalDetails { feed_position: next_feed_positions(tx, 1)?, ..d };
            let row = VocationalRow::of(&id, &d)?;
            diesel::insert_into(service_vocational_details::table).values(&row).execute(tx.conn())?;
            Details::Vocational(d)
        }
    };
    let record = ServiceRecord { service, details };
    tx.audit(AuditEntry {
        action: "create",
        entity_type: "service",
        entity_id: record.service.id.clone(),
        before: None,
        after: Some(crate::write::snapshot(&record)?),
    })?;
    Ok(record)
}

/// The feed of vocational referrals the ministry's division reads (S4).
pub const VOCATIONAL_FEED: &str = "vocational_referrals";

/// Takes the next `count` positions of the division's feed and returns the first. The counter
/// row stays locked until the transaction ends (PostgreSQL's row lock; SQLite's write lock), so
/// positions are handed out in commit order and without gaps: a poller reading
/// `feed_position > cursor` never skips a referral whose transaction commits late.
pub fn next_feed_positions(tx: &mut WriteTx<'_>, count: i64) -> Result<i64, StoreError> {
    diesel::update(feed_counters::table.find(VOCATIONAL_FEED))
        .set(feed_counters::last_position.eq(feed_counters::last_position + count))
        .execute(tx.conn())?;
    let last: i64 = feed_counters::table.find(VOCATIONAL_FEED).select(feed_counters::last_position).first(tx.conn())?;
    Ok(last - count + 1)
}

/// A new service's id and timestamps.
pub fn new_service_id() -> (String, NaiveDateTime) {
    (new_id(), now_utc())
}

/// The details of the services `rows`, in their order. Four queries, whatever the number.
fn with_details(conn: &mut DbConnection, rows: Vec<Service>) -> Result<Vec<ServiceRecord>, StoreError> {
    let ids: Vec<&str> = rows.iter().map(|s| s.id.as_str()).collect();
    let medical: Vec<MedicalDetails> = service_medical_details::table
        .filter(service_medical_details::service_id.eq_any(&ids))
        .select(MedicalDetails::as_select())
        .load(conn)?;
    let psychosocial: Vec<PsychosocialDetails> = service_psychosocial_details::table
        .filter(service_psychosocial_details::service_id.eq_any(&ids))
        .select(PsychosocialDetails::as_select())
        .load(conn)?;
    let projects: Vec<SocialProjectDetails> = service_social_project_details::table
        .filter(service_social_project_details::service_id.eq_any(&ids))
        .select(SocialProjectDetails::as_select())
        .load(conn)?;
    let vocational: Vec<VocationalRow> = service_vocational_details::table
        .filter(service_vocational_details::service_id.eq_any(&ids))
        .select(VocationalRow::as_select())
        .load(conn)?;
    let mut records = Vec::with_capacity(rows.len());
    for service in rows {
        let id = service.id.as_str();
        let details = if let Some(d) = medical.iter().find(|d| d.service_id == id) {
            Details::Medical(d.clone())
        } else if let Some(d) = psychosocial.iter().find(|d| d.service_id == id) {
            Details::Psychosocial(d.clone())
        } else if let Some(d) = projects.iter().find(|d| d.service_id == id) {
            Details::SocialProject(d.clone())
        } else if let Some(row) = vocational.iter().find(|d| d.service_id == id) {
            let proposed_directions = serde_json::from_str(&row.proposed_directions)
                .map_err(|e| StoreError::Corrupt(format!("service {id}: directions are not a JSON array: {e}")))?;
            Details::Vocational(VocationalDetails {
                education: row.education.clone(),
                skills: row.skills.clone(),
                interests: row.interests.clone(),
                proposed_directions,
                division_informed_on: row.division_informed_on,
                feed_position: row.feed_position,
            })
        } else {
            return Err(StoreError::Corrupt(format!("service {id} has no details")));
        };
        records.push(ServiceRecord { service, details });
    }
    Ok(records)
}

/// One service, if the caller may see it (R11: an NGO its own cases' services).
pub fn get(conn: &mut DbConnection, visibility: &Visibility, id: &str) -> Result<ServiceRecord, StoreError> {
    let service = services::table.find(id).select(Service::as_select()).first(conn)?;
    if !visibility.allows(&service.organization_id) {
        return Err(StoreError::NotFound);
    }
    with_details(conn, vec![service])?.pop().ok_or(StoreError::NotFound)
}

/// The list's filter.
#[derive(Debug, Clone, Default)]
pub struct ServiceFilter {
    pub case_id: Option<String>,
    pub organization_id: Option<String>,
    pub service_type: Option<ServiceType>,
    pub status: Option<ServiceStatus>,
    pub grant_id: Option<String>,
    /// Requested on or after.
    pub requested_from: Option<NaiveDate>,
    /// Requested on or before.
    pub requested_to: Option<NaiveDate>,
}

/// A page of the services the caller may see, in request order (ids are UUIDv7), after `after`.
pub fn list(
    conn: &mut DbConnection,
    visibility: &Visibility,
    filter: &ServiceFilter,
    after: Option<&str>,
    limit: usize,
) -> Result<Page<ServiceRecord>, StoreError> {
    let mut query = services::table.select(Service::as_select()).order(services::id.asc()).into_boxed();
    if let Visibility::Organization(own) = visibility {
        query = query.filter(services::organization_id.eq(own.clone()));
    }
    if let Some(case_id) = &filter.case_id {
        query = query.filter(services::case_id.eq(case_id.clone()));
    }
    if let Some(organization_id) = &filter.organization_id {
        query = query.filter(services::organization_id.eq(organization_id.clone()));
    }
    if let Some(service_type) = filter.service_type {
        query = query.filter(services::service_type.eq(service_type.code()));
    }
    if let Some(status) = filter.status {
        query = query.filter(services::status.eq(status.as_str()));
    }
    if let Some(grant_id) = &filter.grant_id {
        query = query.filter(services::grant_id.eq(grant_id.clone()));
    }
    if let Some(from) = filter.requested_from {
        query = query.filter(services::requested_on.ge(from));
    }
    if let Some(to) = filter.requested_to {
        query = query.filter(services::requested_on.le(to));
    }
    if let Some(after) = after {
        query = query.filter(services::id.gt(after.to_owned()));
    }
    let rows = query.limit(i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1)).load(conn)?;
    let page = Page::from_rows(rows, limit, |s: &Service| s.id.clone());
    Ok(Page { items: with_details(conn, page.items)?, next_after: page.next_after })
}

/// The grant an NGO's approval on `on` is charged to (R10: its grant for the year of the
/// approval, running on that day), if any.
pub fn grant_for(
    conn: &mut DbConnection,
    organization_id: &str,
    on: NaiveDate,
) -> Result<Option<super::grants::Grant>, StoreError> {
    use chrono::Datelike;
    Ok(grants::table
        .filter(grants::organization_id.eq(organization_id))
        .filter(grants::program_year.eq(on.year()))
        .filter(grants::period_start.le(on))
        .filter(grants::period_end.ge(on))
        .select(super::grants::Grant::as_select())
        .first(conn)
        .optional()?)
}

/// What a charge to a grant came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charge {
    /// Charged: the grant's committed total was raised (and its ceiling's, if it has one).
    Charged,
    /// Refused, nothing written: the grant has `remaining` left (R10).
    GrantExceeded { remaining: i64 },
    /// Refused, nothing written: the grant's ceiling for the type has `remaining` left.
    CeilingExceeded { remaining: i64 },
}

/// R10, atomically: raises the grant's committed total by `amount` only if it stays within the
/// grant, and the type's ceiling (if the grant has one) likewise — each one conditional UPDATE,
/// so approvals that race cannot both pass (SQLite's writers take turns; on PostgreSQL the row
/// lock makes the second UPDATE re-check the first one's total, also across API nodes). On a
/// refusal the caller's transaction must roll back (the action returns an error, which does).
pub fn charge(
    tx: &mut WriteTx<'_>,
    grant_id: &str,
    service_type: ServiceType,
    amount: i64,
) -> Result<Charge, StoreError> {
    let ceiling = grant_ceilings::table
        .filter(grant_ceilings::grant_id.eq(grant_id))
        .filter(grant_ceilings::service_type.eq(service_type.code()));
    // A grant's ceilings are set when it is awarded and never change, so whether the type has
    // one is read before the grant's row is locked: an approval of an uncapped type then holds
    // the lock, which every approval on the grant queues on, for one statement and the commit.
    let capped = ceiling.select(grant_ceilings::service_type).first::<String>(tx.conn()).optional()?.is_some();
    let changed = diesel::update(
        grants::table
            .filter(grants::id.eq(grant_id))
            .filter((grants::committed_tetri + amount).le(grants::amount_tetri)),
    )
    .set(grants::committed_tetri.eq(grants::committed_tetri + amount))
    .execute(tx.conn())?;
    if changed != 1 {
        let (amount_tetri, committed): (i64, i64) =
            grants::table.find(grant_id).select((grants::amount_tetri, grants::committed_tetri)).first(tx.conn())?;
        return Ok(Charge::GrantExceeded { remaining: amount_tetri.saturating_sub(committed).max(0) });
    }
    if capped {
        let changed =
            diesel::update(ceiling.filter((grant_ceilings::committed_tetri + amount).le(grant_ceilings::amount_tetri)))
                .set(grant_ceilings::committed_tetri.eq(grant_ceilings::committed_tetri + amount))
                .execute(tx.conn())?;
        if changed == 0 {
            let (cap, committed): (i64, i64) =
                ceiling.select((grant_ceilings::amount_tetri, grant_ceilings::committed_tetri)).first(tx.conn())?;
            return Ok(Charge::CeilingExceeded { remaining: cap.saturating_sub(committed).max(0) });
        }
    }
    Ok(Charge::Charged)
}

/// Gives `amount` back to the grant (and its ceiling for the type): a cancelled approval, or a
/// delivery that cost less than approved. The CHECKs refuse a release below zero.
pub fn release(tx: &mut WriteTx<'_>, grant_id: &str, service_type: ServiceType, amount: i64) -> Result<(), StoreError> {
    if amount == 0 {
        return Ok(());
    }
    diesel::update(grants::table.filter(grants::id.eq(grant_id)))
        .set(grants::committed_tetri.eq(grants::committed_tetri - amount))
        .execute(tx.conn())?;
    diesel::update(
        grant_ceilings::table
            .filter(grant_ceilings::grant_id.eq(grant_id))
            .filter(grant_ceilings::service_type.eq(service_type.code())),
    )
    .set(grant_ceilings::committed_tetri.eq(grant_ceilings::committed_tetri - amount))
    .execute(tx.conn())?;
    Ok(())
}

/// A lifecycle step's changes (unset fields stay as they are; `Some(None)` clears one).
#[derive(Debug, Clone, Default, AsChangeset)]
#[diesel(table_name = services)]
pub struct ServiceChange {
    pub status: Option<Stored<ServiceStatus>>,
    pub grant_id: Option<Option<String>>,
    pub approved_amount_tetri: Option<i64>,
    pub supplementary_tetri: Option<i64>,
    pub delivered_amount_tetri: Option<i64>,
    pub decided_by_user_id: Option<Option<String>>,
    pub decided_by_client_id: Option<Option<String>>,
    pub decided_at: Option<NaiveDateTime>,
    pub decided_on: Option<NaiveDate>,
    pub supplemented_by_user_id: Option<Option<String>>,
    pub supplemented_by_client_id: Option<Option<String>>,
    pub delivered_on: Option<NaiveDate>,
    pub delivery_reference: Option<Option<String>>,
    pub closed_reason: Option<String>,
}

/// Applies a lifecycle step to the service at `expected_version` (a guarded UPDATE: a racing
/// change makes it a `StaleVersion`), and records it as `action` in the audit trail (R13).
pub fn update(
    tx: &mut WriteTx<'_>,
    before: &ServiceRecord,
    expected_version: i32,
    action: &'static str,
    change: ServiceChange,
) -> Result<ServiceRecord, StoreError> {
    let id = before.service.id.clone();
    let updated =
        diesel::update(services::table.filter(services::id.eq(&id)).filter(services::version.eq(expected_version)))
            .set((change, services::version.eq(services::version + 1), services::updated_at.eq(now_utc())))
            .execute(tx.conn())?;
    tx.record_versioned_update(updated, (action, "service", &id), before, |conn| {
        let service = services::table.find(&id).select(Service::as_select()).first(conn)?;
        with_details(conn, vec![service])?.pop().ok_or(StoreError::NotFound)
    })
}

/// R11: each read of medical details (ICD-10 code, notes) is itself recorded.
pub fn record_medical_reads(tx: &mut WriteTx<'_>, service_ids: &[String]) -> Result<(), StoreError> {
    for id in service_ids {
        tx.audit(AuditEntry {
            action: "read_medical",
            entity_type: "service",
            entity_id: id.clone(),
            before: None,
            after: None,
        })?;
    }
    Ok(())
}

/// What a grant's services hold, derived from the services (R10): approved and not delivered,
/// delivered, and cancelled after approval. One query.
pub fn sums_for_grant(conn: &mut DbConnection, grant_id: &str) -> Result<(i64, i64, i64), StoreError> {
    let sums: (Option<i64>, Option<i64>, Option<i64>) = services::table
        .filter(services::grant_id.eq(grant_id))
        .select((
            sql::<Nullable<BigInt>>(
                "CAST(SUM(CASE WHEN status = 'approved' THEN approved_amount_tetri + supplementary_tetri ELSE 0 END) AS BIGINT)",
            ),
            sql::<Nullable<BigInt>>(
                "CAST(SUM(CASE WHEN status = 'delivered' THEN delivered_amount_tetri ELSE 0 END) AS BIGINT)",
            ),
            sql::<Nullable<BigInt>>(
                "CAST(SUM(CASE WHEN status = 'cancelled' THEN COALESCE(approved_amount_tetri, 0) + supplementary_tetri ELSE 0 END) AS BIGINT)",
            ),
        ))
        .first(conn)?;
    Ok((sums.0.unwrap_or(0), sums.1.unwrap_or(0), sums.2.unwrap_or(0)))
}

/// One S4 referral as the Migration and Repatriation Division's feed gives it: the referral, the
/// person as far as their consent let the NGO record them (R14), and the NGO with its contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedItem {
    pub position: i64,
    pub service: Service,
    pub details: VocationalDetails,
    pub person: FeedPerson,
    pub organization: FeedOrganization,
}

/// The person of a referral: what was recorded (nothing beyond the minimum without consent).
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct FeedPerson {
    pub id: String,
    pub first_name_ka: Option<String>,
    pub last_name_ka: Option<String>,
    pub first_name_lat: Option<String>,
    pub last_name_lat: Option<String>,
    pub phone_e164: Option<String>,
    pub residence_region: Option<String>,
    pub consent_scope: Option<String>,
}

/// The NGO of a referral and how to reach it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct FeedOrganization {
    pub id: String,
    pub name_ka: String,
    pub name_en: String,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
}

/// The feed's page after position `after`, in position order (see [`next_feed_positions`]: a
/// position is visible only once every lower one has committed or rolled back).
pub fn vocational_feed(conn: &mut DbConnection, after: i64, limit: usize) -> Result<Page<FeedItem>, StoreError> {
    use crate::schema::{cases, organizations, persons};
    let rows: Vec<(VocationalRow, Service)> = service_vocational_details::table
        .inner_join(services::table)
        .filter(service_vocational_details::feed_position.gt(after))
        .order(service_vocational_details::feed_position.asc())
        .limit(i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1))
        .select((VocationalRow::as_select(), Service::as_select()))
        .load(conn)?;
    let page = Page::from_rows(rows, limit, |(row, _)| row.feed_position.to_string());
    let case_ids: Vec<&str> = page.items.iter().map(|(_, s)| s.case_id.as_str()).collect();
    let people: Vec<(String, FeedPerson)> = cases::table
        .inner_join(persons::table)
        .filter(cases::id.eq_any(&case_ids))
        .select((
            cases::id,
            (
                persons::id,
                persons::first_name_ka,
                persons::last_name_ka,
                persons::first_name_lat,
                persons::last_name_lat,
                persons::phone_e164,
                persons::residence_region,
                persons::consent_scope,
            ),
        ))
        .load(conn)?;
    let organization_ids: Vec<&str> = page.items.iter().map(|(_, s)| s.organization_id.as_str()).collect();
    let ngos: Vec<FeedOrganization> = organizations::table
        .filter(organizations::id.eq_any(&organization_ids))
        .select((
            organizations::id,
            organizations::name_ka,
            organizations::name_en,
            organizations::contact_email,
            organizations::contact_phone,
        ))
        .load(conn)?;
    let mut items = Vec::with_capacity(page.items.len());
    for (row, service) in page.items {
        let person = people
            .iter()
            .find(|(case_id, _)| *case_id == service.case_id)
            .map(|(_, p)| p.clone())
            .ok_or_else(|| StoreError::Corrupt(format!("referral {}: no person", service.id)))?;
        let organization = ngos
            .iter()
            .find(|o| o.id == service.organization_id)
            .cloned()
            .ok_or_else(|| StoreError::Corrupt(format!("referral {}: no organisation", service.id)))?;
        let proposed_directions = serde_json::from_str(&row.proposed_directions).map_err(|e| {
            StoreError::Corrupt(format!("service {}: directions are not a JSON array: {e}", service.id))
        })?;
        items.push(FeedItem {
            position: row.feed_position,
            details: VocationalDetails {
                education: row.education,
                skills: row.skills,
                interests: row.interests,
                proposed_directions,
                division_informed_on: row.division_informed_on,
                feed_position: row.feed_position,
            },
            service,
            person,
            organization,
        });
    }
    Ok(Page { items, next_after: page.next_after })
}
