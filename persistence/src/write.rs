//! The one door for writes: a transaction that records who changed what (R13).
//!
//! Every repository function that changes data takes `&mut WriteTx`, and a `WriteTx` exists only
//! inside [`in_write_transaction`], so a change and its audit event commit or roll back together.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::Value;

use crate::models::audit::NewAuditEvent;
use crate::schema::audit_events;
use crate::{DbConnection, StoreError, new_id, now_utc};

/// Who is acting, as recorded in the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The system itself: start-up reference data, migrations of data, the demo loader.
    System,
    User {
        user_id: String,
        organization_id: String,
    },
    Client {
        client_id: String,
        organization_id: String,
    },
}

impl Actor {
    fn kind(&self) -> &'static str {
        match self {
            Actor::System => "system",
            Actor::User { .. } => "user",
            Actor::Client { .. } => "client",
        }
    }

    fn id(&self) -> Option<&str> {
        match self {
            Actor::System => None,
            Actor::User { user_id: id, .. } | Actor::Client { client_id: id, .. } => Some(id),
        }
    }

    fn organization_id(&self) -> Option<&str> {
        match self {
            Actor::System => None,
            Actor::User { organization_id, .. } | Actor::Client { organization_id, .. } => Some(organization_id),
        }
    }
}

/// One change: what, which record, and its state before and after (JSON).
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub action: &'static str,
    pub entity_type: &'static str,
    pub entity_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// A write transaction in progress. Repository write functions take it, never a bare connection.
pub struct WriteTx<'a> {
    conn: &'a mut DbConnection,
    actor: &'a Actor,
    request_id: Option<&'a str>,
    events: usize,
}

impl WriteTx<'_> {
    /// The connection, for repository code in this crate only: the HTTP layer cannot write
    /// around the audit trail.
    pub(crate) fn conn(&mut self) -> &mut DbConnection {
        self.conn
    }

    /// Reads inside the transaction (for example to check a rule before writing) may use the
    /// connection from other crates' read functions.
    pub fn read(&mut self) -> &mut DbConnection {
        self.conn
    }

    pub fn actor(&self) -> &Actor {
        self.actor
    }

    /// Records one change in the same transaction (R13).
    pub fn audit(&mut self, entry: AuditEntry) -> Result<(), StoreError> {
        let event = NewAuditEvent {
            id: new_id(),
            occurred_at: now_utc(),
            actor_kind: self.actor.kind().to_owned(),
            actor_id: self.actor.id().map(str::to_owned),
            organization_id: self.actor.organization_id().map(str::to_owned),
            request_id: self.request_id.map(str::to_owned),
            action: entry.action.to_owned(),
            entity_type: entry.entity_type.to_owned(),
            entity_id: entry.entity_id,
            before: entry.before.map(|v| v.to_string()),
            after: entry.after.map(|v| v.to_string()),
        };
        diesel::insert_into(audit_events::table).values(&event).execute(self.conn)?;
        self.events += 1;
        Ok(())
    }

    /// Finishes a guarded `UPDATE … WHERE id = ? AND version = ?` of a versioned record: no row
    /// updated means another transaction changed it first (a lost update is impossible);
    /// otherwise the change is recorded with its state before and after (R13).
    pub(crate) fn record_versioned_update<T: serde::Serialize>(
        &mut self,
        updated_rows: usize,
        expected_version: i32,
        change: (&'static str, &'static str, &str),
        before: &T,
        after: &T,
    ) -> Result<(), StoreError> {
        if updated_rows == 0 {
            return Err(StoreError::StaleVersion { current: expected_version + 1 });
        }
        let (action, entity_type, entity_id) = change;
        self.audit(AuditEntry {
            action,
            entity_type,
            entity_id: entity_id.to_owned(),
            before: serde_json::to_value(before).ok(),
            after: serde_json::to_value(after).ok(),
        })
    }

    /// How many audit events this transaction has recorded so far.
    pub fn audited_events(&self) -> usize {
        self.events
    }
}

/// `If-Match` named `expected`, the record is at `current`.
pub(crate) fn expect_version(current: i32, expected: i32) -> Result<(), StoreError> {
    if current == expected { Ok(()) } else { Err(StoreError::StaleVersion { current }) }
}

enum TxError<E> {
    Inner(E),
    Database(diesel::result::Error),
}

impl<E> From<diesel::result::Error> for TxError<E> {
    fn from(error: diesel::result::Error) -> Self {
        TxError::Database(error)
    }
}

/// Runs `work` in one transaction: everything it writes, and every audit event it records,
/// commits together or not at all. One request, one transaction.
pub fn in_write_transaction<T, E>(
    conn: &mut DbConnection,
    actor: &Actor,
    request_id: Option<&str>,
    work: impl FnOnce(&mut WriteTx<'_>) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<StoreError>,
{
    let result = conn.transaction::<T, TxError<E>, _>(|conn| {
        if let DbConnection::Sqlite(sqlite) = conn {
            // Take SQLite's write lock first (what BEGIN IMMEDIATE does): a transaction that
            // read first and wrote later could fail with SQLITE_BUSY instead of waiting.
            sqlite.batch_execute("UPDATE program_years SET version = version WHERE 0")?;
        }
        let mut tx = WriteTx { conn, actor, request_id, events: 0 };
        work(&mut tx).map_err(TxError::Inner)
    });
    result.map_err(|error| match error {
        TxError::Inner(inner) => inner,
        TxError::Database(db) => E::from(StoreError::from(db)),
    })
}
