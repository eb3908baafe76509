#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The envelope around every response (API.md "Errors"): problem+json for every error, whatever
//! produced it, the `X-Request-Id`, and the caller's language.

use serde_json::json;
use tests::{TestApp, assert_problem, has_mkhedruli, header, json};

const CHECK: &str = "/api/v1/eligibility/check";

/// Every request to the check is built here: when the identity issue puts the check behind a
/// bearer token (API.md "Security"), the token is added in this one place.
/// A request to the check with a valid token (any role may call it).
async fn check_request(app: &TestApp) -> reqwest::RequestBuilder {
    app.client.post(app.url(CHECK)).bearer_auth(app.token().await)
}

#[tokio::test]
async fn unknown_route_is_a_404_problem() {
    let app = TestApp::spawn().await;
    for path in ["/no-such-thing", "/api/v1/no-such-resource", "/api/v2/program"] {
        let problem = assert_problem(app.get(path).await, 404, "not_found").await;
        assert!(!problem["detail"].as_str().unwrap().contains("actix"), "{problem}");
    }
}

#[tokio::test]
async fn wrong_method_is_a_405_problem_with_an_allow_header() {
    let app = TestApp::spawn().await;
    let response = app.post_json("/api/v1/regions", &json!({})).await;
    let allow = header(&response, "allow");
    assert_problem(response, 405, "method_not_allowed").await;
    assert!(allow.split(',').any(|m| m.trim() == "GET"), "Allow: {allow:?}");
    assert!(!allow.contains("POST"), "Allow: {allow:?}");

    let response = app.get(CHECK).await;
    let allow = header(&response, "allow");
    assert_problem(response, 405, "method_not_allowed").await;
    assert!(allow.split(',').any(|m| m.trim() == "POST"), "Allow: {allow:?}");
}

#[tokio::test]
async fn malformed_json_is_a_400_problem() {
    let app = TestApp::spawn().await;
    let response = check_request(&app)
        .await
        .header("content-type", "application/json")
        .body(r#"{"legal_status": "citizen","#)
        .send()
        .await
        .unwrap();
    assert_problem(response, 400, "malformed_request").await;
}

#[tokio::test]
async fn a_text_plain_body_is_a_415_problem() {
    let app = TestApp::spawn().await;
    let response = check_request(&app)
        .await
        .header("content-type", "text/plain")
        .body(r#"{"legal_status": "citizen"}"#)
        .send()
        .await
        .unwrap();
    assert_problem(response, 415, "unsupported_media_type").await;
}

#[tokio::test]
async fn a_body_without_content_type_is_a_415_problem() {
    let app = TestApp::spawn().await;
    let request = check_request(&app).await.body(r#"{"legal_status": "citizen"}"#).build().unwrap();
    assert!(request.headers().get("content-type").is_none(), "the test must send no content type");
    let response = app.client.execute(request).await.unwrap();
    assert_problem(response, 415, "unsupported_media_type").await;
}

/// A syntactically valid JSON object of `size` bytes that would otherwise be a fine request.
fn json_body_of_size(size: usize) -> String {
    let head = r#"{"legal_status": "citizen", "padding": ""#;
    let tail = r#""}"#;
    let body = format!("{head}{}{tail}", "x".repeat(size - head.len() - tail.len()));
    assert_eq!(body.len(), size);
    body
}

#[tokio::test]
async fn a_body_over_the_default_test_limit_is_a_413_problem() {
    let app = TestApp::spawn().await;
    let limit = tests::serve_args(String::new()).body_limit;
    let response = check_request(&app)
        .await
        .header("content-type", "application/json")
        .body(json_body_of_size(limit + 1024))
        .send()
        .await
        .unwrap();
    assert_problem(response, 413, "payload_too_large").await;
}

#[tokio::test]
async fn the_configured_body_limit_is_the_one_enforced() {
    let app = TestApp::spawn_with(|args| args.body_limit = 1024).await;
    let response = check_request(&app)
        .await
        .header("content-type", "application/json")
        .body(json_body_of_size(2048))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, 413, "payload_too_large").await;
    assert!(problem["detail"].as_str().unwrap().contains("1024"), "the detail names the limit: {problem}");

    // Under the limit, the same kind of body gets past the size check (to the field check).
    let response = check_request(&app)
        .await
        .header("content-type", "application/json")
        .body(json_body_of_size(512))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "padding", "{problem}");
}

#[tokio::test]
async fn a_json_array_body_is_a_422_problem() {
    let app = TestApp::spawn().await;
    let response = check_request(&app).await.json(&json!([{"legal_status": "citizen"}])).send().await.unwrap();
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert!(problem["errors"].as_array().is_some_and(|e| !e.is_empty()), "{problem}");
}

#[tokio::test]
async fn an_unsafe_request_id_is_replaced_by_a_generated_one() {
    let app = TestApp::spawn().await;
    let too_long = "a".repeat(129);
    for unsafe_id in ["ngo 7 abc", too_long.as_str(), "<script>"] {
        let response =
            app.client.get(app.url("/no-such-thing")).header("x-request-id", unsafe_id).send().await.unwrap();
        let echoed = header(&response, "x-request-id");
        assert!(!echoed.is_empty(), "a replacement id is sent for {unsafe_id:?}");
        assert_ne!(echoed, unsafe_id);
        assert!(!echoed.contains(unsafe_id) && echoed.len() <= 128, "{echoed:?}");
        let problem = assert_problem(response, 404, "not_found").await;
        assert_eq!(problem["request_id"], echoed.as_str());
    }
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_ids_are_unique() {
    let app = TestApp::spawn().await;
    let mut seen = std::collections::HashSet::new();
    for path in ["/health/live", "/health/ready", "/api/v1/program", "/api/v1/regions", "/openapi.json", "/nope"] {
        let response = app.get(path).await;
        let id = header(&response, "x-request-id");
        assert!(!id.is_empty(), "{path} ({}) has no X-Request-Id", response.status());
        assert!(seen.insert(id.clone()), "{path} reused the id {id}");
    }
    let response = check_request(&app).await.json(&json!({})).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let id = header(&response, "x-request-id");
    assert!(!id.is_empty() && seen.insert(id), "POST {CHECK}");
}

#[tokio::test]
async fn accept_language_ka_gives_georgian_problems_and_anything_else_english() {
    let app = TestApp::spawn().await;
    let body = json!({"residence_region": "GE-XX"});

    for language in ["ka", "ka-GE,en;q=0.5"] {
        let response = app.client.get(app.url("/nope")).header("accept-language", language).send().await.unwrap();
        let problem = assert_problem(response, 404, "not_found").await;
        for key in ["title", "detail"] {
            assert!(has_mkhedruli(problem[key].as_str().unwrap()), "{language}: {key} of {problem}");
        }
        let response = check_request(&app).await.header("accept-language", language).json(&body).send().await.unwrap();
        let problem = assert_problem(response, 422, "validation_failed").await;
        assert!(has_mkhedruli(problem["title"].as_str().unwrap()), "{problem}");
        assert!(has_mkhedruli(problem["errors"][0]["message"].as_str().unwrap()), "{problem}");
    }

    for language in [None, Some("en"), Some("de"), Some("en,ka;q=0.5")] {
        let mut request = app.client.get(app.url("/nope"));
        if let Some(language) = language {
            request = request.header("accept-language", language);
        }
        let problem = assert_problem(request.send().await.unwrap(), 404, "not_found").await;
        for key in ["title", "detail"] {
            let text = problem[key].as_str().unwrap();
            assert!(!has_mkhedruli(text) && text.is_ascii(), "{language:?}: {key} of {problem}");
        }
    }
}

#[tokio::test]
async fn an_error_response_is_problem_json_also_for_a_valid_route() {
    // The 200 of the same route is plain JSON, so the problem content type is not a blanket header.
    let app = TestApp::spawn().await;
    let response = check_request(&app).await.json(&json!({})).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(header(&response, "content-type").starts_with("application/json"));
    let body = json(response).await;
    assert!(body.get("code").is_none(), "{body}");
}
