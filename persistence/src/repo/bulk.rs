//! Bulk loading for the seeder: multi-row inserts on the concrete connection (MultiConnection
//! does not compile batch inserts), in chunks under each backend's bind-parameter limit. One
//! audit event records each batch (R13), not each row.

use std::collections::BTreeMap;

use diesel::prelude::*;
use domain::service::ServiceType;

use super::services::{self, Charge, Details, MedicalDetails, ServiceRecord, VocationalDetails, VocationalRow};
use crate::models::registration::{Arrival, Case, EligibilityDecision, IrregularPeriod, Person};
use crate::schema::{
    arrival_irregular_periods, arrivals, cases, eligibility_decisions, persons, service_medical_details,
    service_psychosocial_details, service_social_project_details, service_vocational_details,
};
use crate::{Actor, AuditEntry, DbConnection, StoreError, WriteTx, in_write_transaction};

/// Rows per INSERT statement: 27 columns (a service) × 1,000 rows stays under SQLite's 32,766
/// and PostgreSQL's 65,535 bind parameters.
const CHUNK: usize = 1_000;

macro_rules! insert_chunks {
    ($conn:expr, $table:expr, $rows:expr) => {
        insert_chunks!($conn, $table, $rows, |chunk| chunk)
    };
    ($conn:expr, $table:expr, $rows:expr, |$chunk:ident| $values:expr) => {
        for $chunk in $rows.chunks(CHUNK) {
            match $conn {
                DbConnection::Postgresql(c) => diesel::insert_into($table).values($values).execute(c)?,
                DbConnection::Sqlite(c) => diesel::insert_into($table).values($values).execute(c)?,
            };
        }
    };
}

/// One batch of synthetic registrations.
#[derive(Debug, Default)]
pub struct Batch {
    pub persons: Vec<Person>,
    pub arrivals: Vec<Arrival>,
    pub periods: Vec<IrregularPeriod>,
    pub cases: Vec<Case>,
    pub decisions: Vec<EligibilityDecision>,
    /// Services S1–S4 on these cases, in any state, with their details. Those that hold money
    /// name their grant, which must have room for them (see [`insert`]).
    pub services: Vec<ServiceRecord>,
}

/// Inserts the batch, and charges each grant (and its ceiling for the type) with what the
/// batch's services hold of it, `Service::committed_tetri` summed, in the conditional UPDATE the
/// approvals use (R10): a batch that would take a grant or a ceiling past its amount is refused
/// whole (`Conflict`). One audit event records the batch, with the charges (R13).
pub fn insert(tx: &mut WriteTx<'_>, batch: &Batch) -> Result<(), StoreError> {
    // S4: the batch's referrals take the next positions of the division's feed, in their order.
    let referrals = batch.services.iter().filter(|r| matches!(r.details, Details::Vocational(_))).count();
    let first_position = match referrals {
        0 => 0,
        n => services::next_feed_positions(tx, i64::try_from(n).unwrap_or(i64::MAX))?,
    };
    let conn = tx.conn();
    insert_chunks!(&mut *conn, persons::table, batch.persons, |chunk| chunk.to_vec());
    insert_chunks!(&mut *conn, arrivals::table, batch.arrivals);
    insert_chunks!(&mut *conn, arrival_irregular_periods::table, batch.periods);
    // Rows with typed enumerations insert owned (`serialize_as` converts by value).
    insert_chunks!(&mut *conn, cases::table, batch.cases, |chunk| chunk.to_vec());
    insert_chunks!(&mut *conn, eligibility_decisions::table, batch.decisions, |chunk| chunk.to_vec());
    insert_services(conn, &batch.services, first_position)?;
    // By grant and type code, in order (the same lock order in every batch).
    let mut charges = BTreeMap::<(&str, &str), (ServiceType, i64)>::new();
    for record in &batch.services {
        let service = &record.service;
        if let (Some(grant_id), committed @ 1..) = (&service.grant_id, service.committed_tetri()) {
            let key = (grant_id.as_str(), service.service_type.code());
            charges.entry(key).or_insert((service.service_type, 0)).1 += committed;
        }
    }
    for (&(grant_id, _), &(service_type, amount)) in &charges {
        if services::charge(tx, grant_id, service_type, amount)? != Charge::Charged {
            return Err(StoreError::Conflict(format!(
                "the batch's {service_type} services hold {amount} tetri more than grant {grant_id} has left"
            )));
        }
    }
    let mut charged = serde_json::Map::new();
    for (&(grant_id, code), &(_, amount)) in &charges {
        let per_type = charged.entry(grant_id).or_insert_with(|| serde_json::json!({}));
        per_type[code] = serde_json::json!(amount);
    }
    tx.audit(AuditEntry {
        action: "bulk_load",
        entity_type: "synthetic_registrations",
        entity_id: batch.cases.first().map(|c| c.id.clone()).unwrap_or_default(),
        before: None,
        after: Some(serde_json::json!({
            "persons": batch.persons.len(),
            "arrivals": batch.arrivals.len(),
            "irregular_periods": batch.periods.len(),
            "cases": batch.cases.len(),
            "decisions": batch.decisions.len(),
            "services": batch.services.len(),
            "grant_charges_tetri": charged,
        })),
    })
}

/// The services and, per type, their detail rows (the referrals at the feed positions from
/// `first_position` on): on PostgreSQL with COPY (binary), which takes the rows as a stream
/// rather than 27,000 parameters a statement to bind.
fn insert_services(conn: &mut DbConnection, records: &[ServiceRecord], first_position: i64) -> Result<(), StoreError> {
    use crate::schema::services as table;
    let rows: Vec<_> = records.iter().map(|r| r.service.clone()).collect();
    let (mut medical, mut psychosocial, mut projects, mut vocational) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for record in records {
        let id = &record.service.id;
        match &record.details {
            Details::Medical(d) => medical.push(MedicalDetails { service_id: id.clone(), ..d.clone() }),
            Details::Psychosocial(d) => {
                psychosocial.push(services::PsychosocialDetails { service_id: id.clone(), ..d.clone() })
            }
            Details::SocialProject(d) => {
                projects.push(services::SocialProjectDetails { service_id: id.clone(), ..d.clone() })
            }
            Details::Vocational(d) => {
                let feed_position = first_position + i64::try_from(vocational.len()).unwrap_or(i64::MAX);
                vocational.push(VocationalRow::of(id, &VocationalDetails { feed_position, ..d.clone() })?)
            }
        }
    }
    match conn {
        DbConnection::Postgresql(c) => {
            diesel::copy_from(table::table).from_insertable(rows).execute(c)?;
            diesel::copy_from(service_medical_details::table).from_insertable(medical).execute(c)?;
            diesel::copy_from(service_psychosocial_details::table).from_insertable(psychosocial).execute(c)?;
            diesel::copy_from(service_social_project_details::table).from_insertable(projects).execute(c)?;
            diesel::copy_from(service_vocational_details::table).from_insertable(vocational).execute(c)?;
        }
        DbConnection::Sqlite(_) => {
            insert_chunks!(&mut *conn, table::table, rows, |chunk| chunk.to_vec());
            insert_chunks!(&mut *conn, service_medical_details::table, medical, |chunk| chunk.to_vec());
            insert_chunks!(&mut *conn, service_psychosocial_details::table, psychosocial);
            insert_chunks!(&mut *conn, service_social_project_details::table, projects);
            insert_chunks!(&mut *conn, service_vocational_details::table, vocational);
        }
    }
    Ok(())
}

/// Runs `statements` in one write transaction (`BEGIN IMMEDIATE` on SQLite), each as its own
/// round trip: the raw-SQL baseline of the registration benchmark. Not for input: the
/// statements are run as given.
pub fn raw_transaction(conn: &mut DbConnection, statements: &[String]) -> Result<(), StoreError> {
    fn each<C: Connection>(c: &mut C, statements: &[String]) -> QueryResult<()>
    where
        diesel::query_builder::SqlQuery: diesel::query_dsl::methods::ExecuteDsl<C>,
    {
        for statement in statements {
            diesel::sql_query(statement).execute(c)?;
        }
        Ok(())
    }
    match conn {
        DbConnection::Postgresql(c) => c.transaction(|c| each(c, statements))?,
        DbConnection::Sqlite(c) => c.immediate_transaction(|c| each(c, statements))?,
    }
    Ok(())
}

/// The raw-SQL baseline of the approval benchmark: `statements` run as given, in one write
/// transaction as `actor`, the one at `guarded` (R10's conditional charge of the grant) changing
/// exactly one row or the transaction rolls back (`Ok(false)`); then `event` is recorded and
/// appended to the audit chain as every write transaction's events are (#13). Not for input: the
/// statements are run as given.
pub fn raw_audited_transaction(
    conn: &mut DbConnection,
    actor: &Actor,
    statements: &[String],
    guarded: usize,
    event: AuditEntry,
) -> Result<bool, StoreError> {
    enum Raw {
        Refused,
        Store(StoreError),
    }
    impl From<StoreError> for Raw {
        fn from(error: StoreError) -> Self {
            Raw::Store(error)
        }
    }
    let outcome = in_write_transaction(conn, actor, None, |tx| {
        for (i, statement) in statements.iter().enumerate() {
            let changed = match tx.conn() {
                DbConnection::Postgresql(c) => diesel::sql_query(statement).execute(c).map_err(StoreError::from)?,
                DbConnection::Sqlite(c) => diesel::sql_query(statement).execute(c).map_err(StoreError::from)?,
            };
            if changed != 1 && i == guarded {
                return Err(Raw::Refused);
            }
        }
        tx.audit(event)?;
        Ok(())
    });
    match outcome {
        Ok(()) => Ok(true),
        Err(Raw::Refused) => Ok(false),
        Err(Raw::Store(error)) => Err(error),
    }
}

/// After a bulk load, what autovacuum would do in time: refresh the planner's statistics (on
/// SQLite from a sample of each index) so the new rows are planned on their real distribution,
/// and on PostgreSQL also mark the new pages all-visible, so index-only scans (the case list's
/// name search) need not visit the table.
pub fn analyze(conn: &mut DbConnection) -> Result<(), StoreError> {
    match conn {
        DbConnection::Postgresql(c) => diesel::sql_query(
            "VACUUM (ANALYZE) persons, arrivals, arrival_irregular_periods, cases, eligibility_decisions, services, \
             service_medical_details, service_psychosocial_details, service_social_project_details, \
             service_vocational_details, grants, grant_ceilings",
        )
        .execute(c)?,
        DbConnection::Sqlite(c) => {
            diesel::sql_query("PRAGMA analysis_limit = 1000").execute(c)?;
            diesel::sql_query("ANALYZE").execute(c)?
        }
    };
    Ok(())
}
