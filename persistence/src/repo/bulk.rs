//! Bulk loading for the seeder: multi-row inserts on the concrete connection (MultiConnection
//! does not compile batch inserts), in chunks under each backend's bind-parameter limit. One
//! audit event records each batch (R13), not each row.

use diesel::prelude::*;

use crate::models::registration::{Arrival, Case, EligibilityDecision, IrregularPeriod, Person};
use crate::schema::{arrival_irregular_periods, arrivals, cases, eligibility_decisions, persons};
use crate::{AuditEntry, DbConnection, StoreError, WriteTx};

/// Rows per INSERT statement: 20 columns × 1,000 rows stays under SQLite's 32,766 and
/// PostgreSQL's 65,535 bind parameters.
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
}

pub fn insert(tx: &mut WriteTx<'_>, batch: &Batch) -> Result<(), StoreError> {
    let conn = tx.conn();
    insert_chunks!(&mut *conn, persons::table, batch.persons, |chunk| chunk.to_vec());
    insert_chunks!(&mut *conn, arrivals::table, batch.arrivals);
    insert_chunks!(&mut *conn, arrival_irregular_periods::table, batch.periods);
    // Rows with typed enumerations insert owned (`serialize_as` converts by value).
    insert_chunks!(&mut *conn, cases::table, batch.cases, |chunk| chunk.to_vec());
    insert_chunks!(&mut *conn, eligibility_decisions::table, batch.decisions, |chunk| chunk.to_vec());
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
        })),
    })
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

/// After a bulk load, what autovacuum would do in time: refresh the planner's statistics (on
/// SQLite from a sample of each index) so the new rows are planned on their real distribution,
/// and on PostgreSQL also mark the new pages all-visible, so index-only scans (the case list's
/// name search) need not visit the table.
pub fn analyze(conn: &mut DbConnection) -> Result<(), StoreError> {
    match conn {
        DbConnection::Postgresql(c) => diesel::sql_query(
            "VACUUM (ANALYZE) persons, arrivals, arrival_irregular_periods, cases, eligibility_decisions",
        )
        .execute(c)?,
        DbConnection::Sqlite(c) => {
            diesel::sql_query("PRAGMA analysis_limit = 1000").execute(c)?;
            diesel::sql_query("ANALYZE").execute(c)?
        }
    };
    Ok(())
}
