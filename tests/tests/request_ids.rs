#![allow(clippy::unwrap_used, clippy::expect_used)]
//! #8.7: the request id is ours. The server generates one for every request (UUIDv7) and returns
//! it in `X-Request-Id`; a client's own `X-Request-Id` (1–200 printable ASCII characters) is kept
//! apart, as `client_request_id` in the audit trail, and never answered or recorded as ours.

use persistence::models::audit::AuditEvent;
use persistence::repo::audit;
use serde_json::json;
use tests::{TestApp, assert_problem, header, json};

/// Creates an NGO as the administrator, sending `client_id` as `X-Request-Id` (when given);
/// returns our request id from the answer and the organisation's audit events.
async fn create_ngo_with(app: &TestApp, client_id: Option<&str>) -> (String, Vec<AuditEvent>) {
    let unique = uuid::Uuid::now_v7().simple();
    let body = json!({
        "name_ka": format!("ორგანიზაცია {unique}"), "name_en": format!("NGO {unique}"),
        "legal_form": "non-entrepreneurial non-commercial legal entity", "regions": ["GE-TB"],
    });
    let mut request = app.client.post(app.url("/api/v1/organizations")).bearer_auth(app.token().await).json(&body);
    if let Some(client_id) = client_id {
        request = request.header("x-request-id", client_id);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 201);
    let ours = header(&response, "x-request-id");
    let created = json(response).await;
    let events =
        audit::for_entity(&mut app.database.connect(), "organization", created["id"].as_str().unwrap()).unwrap();
    assert_eq!(events.len(), 1, "one create, one event: {events:?}");
    (ours, events)
}

fn assert_ours(id: &str) {
    let parsed = uuid::Uuid::parse_str(id).unwrap_or_else(|e| panic!("{id:?} is not a UUID: {e}"));
    assert_eq!(parsed.get_version_num(), 7, "{id}");
}

#[tokio::test]
async fn the_answer_carries_our_request_id_never_the_clients() {
    let app = TestApp::spawn().await;
    for path in ["/api/v1/regions", "/no-such-thing", "/health/live"] {
        let response = app.client.get(app.url(path)).header("x-request-id", "ngo-7-abc").send().await.unwrap();
        let ours = header(&response, "x-request-id");
        assert_ne!(ours, "ngo-7-abc", "{path}");
        assert_ours(&ours);
        if response.status() == 404 {
            let problem = assert_problem(response, 404, "not_found").await;
            assert_eq!(problem["request_id"], ours.as_str(), "the problem quotes our id");
        }
    }
}

#[tokio::test]
async fn the_audit_event_records_our_request_id_and_the_clients_apart() {
    let app = TestApp::spawn().await;
    let (ours, events) = create_ngo_with(&app, Some("ngo-7:batch 42/item 3")).await;
    assert_ours(&ours);
    assert_eq!(events[0].request_id.as_deref(), Some(ours.as_str()));
    assert_eq!(events[0].client_request_id.as_deref(), Some("ngo-7:batch 42/item 3"));

    let (ours, events) = create_ngo_with(&app, None).await;
    assert_eq!(events[0].request_id.as_deref(), Some(ours.as_str()));
    assert_eq!(events[0].client_request_id, None);
}

#[tokio::test]
async fn a_client_request_id_of_200_printable_characters_is_kept_and_anything_else_ignored() {
    let app = TestApp::spawn().await;
    let longest = "x".repeat(200);
    let (_, events) = create_ngo_with(&app, Some(&longest)).await;
    assert_eq!(events[0].client_request_id.as_deref(), Some(longest.as_str()));

    for ignored in ["y".repeat(201), "z".repeat(500), "tab\there".to_owned()] {
        let (ours, events) = create_ngo_with(&app, Some(&ignored)).await;
        assert_ours(&ours);
        assert_eq!(events[0].request_id.as_deref(), Some(ours.as_str()));
        assert_eq!(events[0].client_request_id, None, "{ignored:?} was recorded");
    }
    // Not visible ASCII at all (reqwest sends the bytes as they are).
    let value = reqwest::header::HeaderValue::from_bytes("ნინო".as_bytes()).unwrap();
    let response = app.client.get(app.url("/api/v1/regions")).header("x-request-id", value).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_ours(&header(&response, "x-request-id"));
}
