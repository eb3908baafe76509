//! R13 at the storage layer: a change and its audit event commit or roll back together, and
//! concurrent writers on one database all succeed (SQLite takes its write lock up front).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use persistence::repo::audit;
use persistence::{Actor, AuditEntry, RequestIds, StoreError, in_write_transaction};
use tests::TestApp;

fn entry(id: &str) -> AuditEntry {
    AuditEntry {
        action: "test",
        entity_type: "probe",
        entity_id: id.to_owned(),
        before: None,
        after: Some(serde_json::json!({ "id": id })),
    }
}

fn request(id: &str) -> RequestIds {
    RequestIds { request_id: id.to_owned(), client_request_id: Some(format!("client-of-{id}")) }
}

#[tokio::test]
async fn r13_a_failed_request_leaves_neither_change_nor_audit_event() {
    let app = TestApp::spawn().await;
    let mut conn = app.database.connect();
    let before = audit::count(&mut conn).unwrap();

    let result: Result<(), StoreError> =
        in_write_transaction(&mut conn, &Actor::System, Some(&request("req-1")), |tx| {
            tx.audit(entry("rolled-back"))?;
            Err(StoreError::Conflict("the request failed after writing".into()))
        });
    assert!(matches!(result, Err(StoreError::Conflict(_))));
    assert_eq!(audit::count(&mut conn).unwrap(), before, "the audit event outlived its rolled-back change");

    in_write_transaction(&mut conn, &Actor::System, Some(&request("req-2")), |tx| tx.audit(entry("kept"))).unwrap();
    let events = audit::for_entity(&mut conn, "probe", "kept").unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].request_id.as_deref(), Some("req-2"));
    assert_eq!(events[0].client_request_id.as_deref(), Some("client-of-req-2"));
    assert_eq!(events[0].actor_kind, "system");
    assert!(audit::for_entity(&mut conn, "probe", "rolled-back").unwrap().is_empty());
}

#[tokio::test]
async fn concurrent_write_transactions_all_commit() {
    let app = TestApp::spawn().await;
    let url = app.database.url();
    let before = audit::count(&mut app.database.connect()).unwrap();
    const THREADS: usize = 6;
    const WRITES: usize = 15;

    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut conn = persistence::DatabaseUrl::parse(&url).unwrap().connect().unwrap();
                for w in 0..WRITES {
                    // Read first, then write: the pattern that fails with SQLITE_BUSY under a
                    // deferred transaction.
                    in_write_transaction(&mut conn, &Actor::System, None, |tx| {
                        audit::count(tx.read())?;
                        tx.audit(entry(&format!("{t}-{w}")))
                    })
                    .unwrap_or_else(|e| panic!("thread {t} write {w}: {e}"));
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(audit::count(&mut app.database.connect()).unwrap(), before + (THREADS * WRITES) as i64);
}
