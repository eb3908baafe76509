#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The tamper-evident audit trail (#13, R13): each event chained by
//! `SHA-256(previous hash ‖ canonical bytes)`; verification names the first event that was
//! altered, deleted, inserted or reordered — and, against a signed checkpoint, a chain recomputed
//! after an edit; a redacted event (R14) verifies as redacted; auditors read the trail without
//! medical content, NGO managers their own organisation's events, caseworkers nothing (R11).

use diesel::RunQueryDsl;
use persistence::DbConnection;
use reqwest::Method;
use serde_json::{Value, json};
use tests::identity::text;
use tests::registration::{World, arrival, personal_number};
use tests::{RaceRequest, TestApp, assert_problem, json, race, serve_args, start_server};

/// A world with some history: identities, an arrival with a medical note, a service with a code.
async fn history() -> (TestApp, World) {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    app.grant_this_year(&world.admin, &world.ngo_a.id, 59_000_000, 1_000_000).await;
    let case_id = app.eligible_case(&world.airport, &world.ngo_a, 1).await;
    app.request_service(&world.ngo_a.caseworker.token, &case_id, &tests::services::medication(5_000)).await;
    (app, world)
}

async fn verify(app: &TestApp, token: &str, query: &str) -> Value {
    let response = app.send(Method::GET, &format!("/api/v1/audit-events/verify{query}"), Some(token), None).await;
    assert_eq!(response.status().as_u16(), 200, "verify{query}");
    json(response).await
}

async fn head(app: &TestApp, token: &str) -> Value {
    let response = app.send(Method::GET, "/api/v1/audit-events/head", Some(token), None).await;
    assert_eq!(response.status().as_u16(), 200);
    json(response).await
}

fn sql(conn: &mut DbConnection, statement: &str) {
    diesel::sql_query(statement).execute(conn).unwrap_or_else(|e| panic!("{statement}: {e}"));
}

/// What someone with full database access does first: switch the append-only guards off.
fn with_full_access(app: &TestApp) -> DbConnection {
    let mut conn = app.database.connect();
    if app.database.is_postgres() {
        sql(&mut conn, "ALTER TABLE audit_events DISABLE TRIGGER USER");
        sql(&mut conn, "ALTER TABLE audit_chain_head DISABLE TRIGGER USER");
    } else {
        sql(&mut conn, "DROP TRIGGER audit_events_no_update");
        sql(&mut conn, "DROP TRIGGER audit_events_no_delete");
        sql(&mut conn, "DROP TRIGGER audit_chain_head_backward");
    }
    conn
}

/// Asserts the verification found its first break at `seq`, of `kind`.
fn assert_break(found: &Value, seq: i64, kind: &str) {
    assert_eq!(found["intact"], false, "{found}");
    assert_eq!(
        (found["first_break"]["seq"].as_i64(), found["first_break"]["kind"].as_str()),
        (Some(seq), Some(kind)),
        "{found}"
    );
    assert_eq!(found["intact_to"], seq - 1, "{found}");
}

#[tokio::test]
async fn r13_an_untouched_chain_verifies_to_its_head_through_the_api_and_the_command() {
    let (app, world) = history().await;
    let token = world.auditor.token.as_str();
    let head = head(&app, token).await;
    let found = verify(&app, token, "").await;
    assert_eq!(found["intact"], true, "{found}");
    assert_eq!((found["intact_to"].clone(), found["head_hash"].clone()), (head["seq"].clone(), head["hash"].clone()));
    assert!(head["seq"].as_i64().unwrap() > 30, "{head}");
    assert_eq!(found["checked"], head["seq"]);
    // A range, and the checkpoint just taken.
    let found = verify(&app, token, "?from=10&to=20").await;
    assert_eq!(
        (found["intact"].as_bool(), found["intact_to"].as_i64(), found["checked"].as_i64()),
        (Some(true), Some(20), Some(11))
    );
    let found = verify(&app, token, &format!("?checkpoint={}", text(&head, "checkpoint"))).await;
    assert_eq!((found["intact"].as_bool(), found["checkpoint_seq"].clone()), (Some(true), head["seq"].clone()));
    // Places start at 1, and a range ends after it starts.
    for query in ["?from=0", "?to=0", "?from=5&to=4"] {
        let response = app.send(Method::GET, &format!("/api/v1/audit-events/verify{query}"), Some(token), None).await;
        let problem = assert_problem(response, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["code"], "out_of_range", "{query}");
    }
    // A checkpoint whose signature does not hold is refused.
    let forged = format!("{}x", text(&head, "checkpoint"));
    let response =
        app.send(Method::GET, &format!("/api/v1/audit-events/verify?checkpoint={forged}"), Some(token), None).await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["code"], "invalid_checkpoint");
    // The command's walk says the same (`reintegration audit verify`; its CLI is tested in api/tests/cli.rs).
    let mut conn = app.database.connect();
    assert!(api::routes::audit::verify_from_command(&mut conn).unwrap());
}

#[tokio::test]
async fn r13_an_edited_event_is_reported_as_altered() {
    let (app, world) = history().await;
    let mut conn = with_full_access(&app);
    sql(&mut conn, "UPDATE audit_events SET after = '{\"name_en\":\"Someone else\"}' WHERE chain_seq = 7");
    assert_break(&verify(&app, &world.auditor.token, "").await, 7, "altered");
    // An edited field the chain covers (who acted), not only the content.
    let (app, world) = history().await;
    let mut conn = with_full_access(&app);
    sql(&mut conn, "UPDATE audit_events SET action = 'read' WHERE chain_seq = 9");
    assert_break(&verify(&app, &world.auditor.token, "").await, 9, "altered");
}

#[tokio::test]
async fn r13_a_deleted_event_is_reported_as_deleted() {
    let (app, world) = history().await;
    let mut conn = with_full_access(&app);
    sql(&mut conn, "DELETE FROM audit_events WHERE chain_seq = 12");
    assert_break(&verify(&app, &world.auditor.token, "").await, 12, "deleted");
    // The last one too: the head still counts it.
    let (app, world) = history().await;
    let last = head(&app, &world.auditor.token).await["seq"].as_i64().unwrap();
    let mut conn = with_full_access(&app);
    sql(&mut conn, &format!("DELETE FROM audit_events WHERE chain_seq = {last}"));
    assert_break(&verify(&app, &world.auditor.token, "").await, last, "deleted");
}

#[tokio::test]
async fn r13_two_swapped_events_are_reported_as_reordered() {
    let (app, world) = history().await;
    let mut conn = with_full_access(&app);
    sql(&mut conn, "UPDATE audit_events SET chain_seq = -15 WHERE chain_seq = 15");
    sql(&mut conn, "UPDATE audit_events SET chain_seq = 15 WHERE chain_seq = 16");
    sql(&mut conn, "UPDATE audit_events SET chain_seq = 16 WHERE chain_seq = -15");
    assert_break(&verify(&app, &world.auditor.token, "").await, 15, "reordered");
}

#[tokio::test]
async fn r13_an_inserted_event_is_reported_as_inserted() {
    let (app, world) = history().await;
    let last = head(&app, &world.auditor.token).await["seq"].as_i64().unwrap();
    let mut conn = with_full_access(&app);
    // A forged event with a place after the head, and one with no place at all.
    sql(
        &mut conn,
        &format!(
            "INSERT INTO audit_events (id, occurred_at, actor_kind, action, entity_type, entity_id, chain_seq, content_digest, canonical, hash) \
             VALUES ('forged-1', '2017-01-01 00:00:00', 'system', 'create', 'grant', 'x', {}, 'd', '{{}}', 'h')",
            last + 1
        ),
    );
    assert_break(&verify(&app, &world.auditor.token, "").await, last + 1, "inserted");
    let (app, world) = history().await;
    let last = head(&app, &world.auditor.token).await["seq"].as_i64().unwrap();
    let mut conn = with_full_access(&app);
    sql(
        &mut conn,
        "INSERT INTO audit_events (id, occurred_at, actor_kind, action, entity_type, entity_id) \
         VALUES ('forged-2', '2017-01-01 00:00:00', 'system', 'create', 'grant', 'x')",
    );
    assert_break(&verify(&app, &world.auditor.token, "").await, last + 1, "inserted");
}

/// Recomputes, as an attacker with the code would, every event's digest, canonical bytes and hash
/// from `from` on, and the head.
fn recompute_chain(conn: &mut DbConnection, from: i64) {
    use diesel::prelude::*;
    use persistence::chain::{Covered, canonical, content_digest, link};
    use persistence::models::audit::AuditEvent;
    use persistence::schema::{audit_chain_head, audit_events};
    let events: Vec<AuditEvent> = audit_events::table
        .filter(audit_events::chain_seq.ge(from))
        .order(audit_events::chain_seq.asc())
        .select(AuditEvent::as_select())
        .load(conn)
        .unwrap();
    let mut previous: String = audit_events::table
        .filter(audit_events::chain_seq.eq(from - 1))
        .select(audit_events::hash.assume_not_null())
        .first(conn)
        .unwrap();
    for event in &events {
        let digest = content_digest(event.before.as_deref(), event.after.as_deref());
        let seq = event.chain_seq.unwrap();
        let bytes = canonical(&Covered {
            chain_seq: seq,
            id: &event.id,
            occurred_at: event.occurred_at,
            actor_kind: &event.actor_kind,
            actor_id: event.actor_id.as_deref(),
            organization_id: event.organization_id.as_deref(),
            request_id: event.request_id.as_deref(),
            client_request_id: event.client_request_id.as_deref(),
            action: &event.action,
            entity_type: &event.entity_type,
            entity_id: &event.entity_id,
            content_digest: &digest,
        });
        let hash = link(&previous, &bytes);
        diesel::update(audit_events::table.filter(audit_events::chain_seq.eq(seq)))
            .set((
                audit_events::content_digest.eq(&digest),
                audit_events::canonical.eq(&bytes),
                audit_events::hash.eq(&hash),
            ))
            .execute(conn)
            .unwrap();
        previous = hash;
    }
    diesel::update(audit_chain_head::table).set(audit_chain_head::hash.eq(&previous)).execute(conn).unwrap();
}

#[tokio::test]
async fn r13_a_chain_recomputed_after_an_edit_is_caught_by_a_kept_checkpoint() {
    let (app, world) = history().await;
    let token = world.auditor.token.as_str();
    let checkpoint = head(&app, token).await;
    let at = checkpoint["seq"].as_i64().unwrap();
    // More history after the checkpoint, then the edit and the recomputation.
    app.create_ngo(&world.admin, "Later NGO").await;
    let mut conn = with_full_access(&app);
    sql(&mut conn, "UPDATE audit_events SET after = '{\"name_en\":\"Someone else\"}' WHERE chain_seq = 5");
    recompute_chain(&mut conn, 5);
    let found = verify(&app, token, "").await;
    assert_eq!(found["intact"], true, "recomputed, the chain holds together by itself: {found}");
    let found = verify(&app, token, &format!("?checkpoint={}", text(&checkpoint, "checkpoint"))).await;
    assert_break(&found, at, "rewritten");
    assert!(found["first_break"]["detail"].as_str().unwrap().contains("checkpoint"), "{found}");
}

#[tokio::test]
async fn r14_a_redacted_event_verifies_as_redacted_and_reads_without_its_content() {
    let (app, world) = history().await;
    let token = world.auditor.token.as_str();
    let events = json(
        app.send(Method::GET, "/api/v1/audit-events?order=oldest&limit=10&entity_type=user", Some(token), None).await,
    )
    .await;
    let event = events["items"][0].clone();
    assert!(event["after"].is_object(), "{event}");
    // What `reintegration audit redact` does (its CLI is tested in api/tests/cli.rs).
    let mut conn = app.database.connect();
    persistence::in_write_transaction(&mut conn, &persistence::Actor::System, None, |tx| {
        persistence::repo::audit::redact(tx, &text(&event, "id"), "Erasure request 2026/17")
    })
    .unwrap();
    let found = verify(&app, token, "").await;
    assert_eq!(found["intact"], true, "{found}");
    assert_eq!(found["redacted"], json!([event["seq"]]), "{found}");
    let path = format!("/api/v1/audit-events?entity_id={}&entity_type=user&order=oldest", text(&event, "entity_id"));
    let read = json(app.send(Method::GET, &path, Some(token), None).await).await;
    let redacted = &read["items"][0];
    assert_eq!((redacted["content_redacted"].as_bool(), redacted["after"].is_null()), (Some(true), true), "{redacted}");
    assert_eq!(redacted["content_digest"], event["content_digest"], "the digest stays");
    // The erasure is itself in the trail.
    let erasures = json(app.send(Method::GET, "/api/v1/audit-events?action=redact", Some(token), None).await).await;
    assert_eq!(erasures["items"][0]["entity_id"], event["id"]);
}

#[tokio::test]
async fn r11_auditors_read_the_trail_without_medical_content_ngo_managers_their_own_caseworkers_none() {
    let (app, world) = history().await;
    let page = |token: String, query: &'static str| {
        let app = &app;
        async move {
            let response = app.send(Method::GET, &format!("/api/v1/audit-events{query}"), Some(&token), None).await;
            assert_eq!(response.status().as_u16(), 200, "{query}");
            json(response).await["items"].as_array().unwrap().clone()
        }
    };
    let auditor = world.auditor.token.clone();
    let services = page(auditor.clone(), "?entity_type=service&action=create").await;
    assert_eq!(services.len(), 1);
    let medical = &services[0]["after"]["details"]["medical"];
    assert_eq!(medical["condition_category"], "chronic", "{medical}");
    assert_eq!(medical["icd10_code"], "[withheld: medical detail, R11]");
    assert_eq!(medical["notes"], "[withheld: medical detail, R11]");
    // The NGO holding the case reads its own events in full, and no other organisation's.
    let manager = page(world.ngo_a.manager.token.clone(), "?entity_type=service&action=create").await;
    assert_eq!(manager[0]["after"]["details"]["medical"]["icd10_code"], "E11.9");
    let own = page(world.ngo_a.manager.token.clone(), "?limit=500").await;
    assert!(!own.is_empty());
    assert!(own.iter().all(|e| e["organization_id"] == world.ngo_a.id.as_str()), "R11: only NGO A's events");
    assert!(page(world.ngo_b.manager.token.clone(), "?entity_type=service").await.is_empty());
    // Newest first by default; filters by actor and time.
    let all = page(auditor.clone(), "?limit=500").await;
    let seqs: Vec<i64> = all.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] > w[1]), "newest first");
    let by_caseworker = format!("?actor_id={}", world.ngo_a.caseworker.id);
    let response = app.send(Method::GET, &format!("/api/v1/audit-events{by_caseworker}"), Some(&auditor), None).await;
    let items = json(response).await["items"].as_array().unwrap().clone();
    assert!(!items.is_empty() && items.iter().all(|e| e["actor"]["id"] == world.ngo_a.caseworker.id.as_str()));
    assert!(page(auditor.clone(), "?to=2000-01-01T00:00:00Z").await.is_empty());
    // Caseworkers read none of it, and nobody changes it.
    for path in ["/api/v1/audit-events", "/api/v1/audit-events/verify", "/api/v1/audit-events/head"] {
        assert_problem(app.send(Method::GET, path, Some(&world.ngo_a.caseworker.token), None).await, 403, "forbidden")
            .await;
    }
    let response = app.send(Method::DELETE, "/api/v1/audit-events", Some(&world.admin.token), None).await;
    assert_eq!(response.status().as_u16(), 405);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn r13_fifty_concurrent_writes_through_two_api_nodes_keep_the_chain_whole_and_gapless() {
    let app = TestApp::spawn_for_races().await;
    let mut args = serve_args(app.database.url());
    args.workers = Some(4);
    args.database.db_pool_size = 8;
    let (second_node, second) = start_server(&args).await;
    let admin = app.admin().await;
    let airport = app.user(&admin, domain::role::Role::MinistryOfficer, &admin.organization_id).await;
    let auditor = app.user(&admin, domain::role::Role::Auditor, &admin.organization_id).await;
    let before = head(&app, &auditor.token).await["seq"].as_i64().unwrap();
    let requests = (0..50)
        .map(|i| RaceRequest {
            token: airport.token.clone(),
            path: format!("{}/api/v1/arrivals", if i % 2 == 0 { "" } else { second_node.as_str() }),
            body: arrival(Some(&personal_number(i)), "2017-03-01", &[("2015-01-10", "2017-03-01")], false),
            headers: Vec::new(),
        })
        .collect();
    let answers = race(&app, requests).await;
    assert!(answers.iter().all(|a| a.status == 201), "{:?}", answers.iter().find(|a| a.status != 201));
    let found = verify(&app, &auditor.token, "").await;
    assert_eq!(found["intact"], true, "{found}");
    let after = head(&app, &auditor.token).await["seq"].as_i64().unwrap();
    assert!(after >= before + 50, "{before} → {after}");
    assert_eq!(found["checked"], after, "gapless: every place from 1 to the head holds one event");
    second.stop(true).await;
}
