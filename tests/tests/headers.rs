#![allow(clippy::unwrap_used, clippy::expect_used)]
//! #8.8: responses that may carry personal data are not stored by caches (`Cache-Control:
//! no-store`): every `/api/v1` answer but the public reference data, the token answer, and every
//! error. The interactive docs get a Content-Security-Policy that lets only their own assets run,
//! and may not be framed.

use serde_json::json;
use tests::{TestApp, header};

fn assert_no_store(response: &reqwest::Response, what: &str) {
    assert_eq!(header(response, "cache-control"), "no-store", "{what} ({})", response.status());
}

#[tokio::test]
async fn api_answers_are_no_store_except_the_public_reference_data() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    for path in ["/api/v1/users/me", "/api/v1/users", "/api/v1/organizations", "/api/v1/clients"] {
        let response = app.client.get(app.url(path)).bearer_auth(&token).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        assert_no_store(&response, path);
    }
    let response = app
        .client
        .post(app.url("/api/v1/eligibility/check"))
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_no_store(&response, "the eligibility check");
    let response = app.password_grant(tests::identity::ADMIN_USERNAME, tests::identity::PASSWORD).await;
    assert_eq!(response.status(), 200);
    assert_no_store(&response, "the token answer");

    for path in ["/api/v1/program", "/api/v1/regions"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(header(&response, "cache-control"), "", "{path} is public reference data");
    }
}

#[tokio::test]
async fn every_error_is_no_store_wherever_it_comes_from() {
    let app = TestApp::spawn().await;
    let token = app.token().await;
    let errors = [
        app.get("/api/v1/persons").await,                   // 401
        app.get("/api/v1/programs").await,                  // 404: a prefix of no public path
        app.get("/api/v1/program/x").await,                 // 404 under a public path
        app.post_json("/api/v1/regions", &json!({})).await, // 405 on a public path
        app.get("/nope").await,                             // 404 outside /api/v1
        app.client
            .get(app.url("/api/v1/persons/00000000-0000-7000-8000-000000000000"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
        app.password_grant("nobody", "wrong password 2017").await, // RFC 6749 error
    ];
    for response in &errors {
        assert!(response.status().is_client_error(), "{} {}", response.url(), response.status());
        assert_no_store(response, response.url().as_str());
    }
}

#[tokio::test]
async fn health_and_the_document_are_not_marked_no_store() {
    let app = TestApp::spawn().await;
    for path in ["/health/live", "/health/ready", "/openapi.json"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(header(&response, "cache-control"), "", "{path}");
    }
}

#[tokio::test]
async fn the_docs_have_a_content_security_policy_and_may_not_be_framed() {
    let app = TestApp::spawn().await;
    let response = app.get("/docs/").await;
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "x-frame-options"), "DENY");
    let policy = header(&response, "content-security-policy");
    let directives: Vec<&str> = policy.split(';').map(str::trim).collect();
    for expected in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(directives.contains(&expected), "{expected:?} not in {policy:?}");
    }
    assert!(!policy.contains("unsafe-eval") && !policy.contains("http"), "{policy}");

    // Under `script-src 'self'` no inline script runs: the page must load every script from us.
    let page = response.text().await.unwrap();
    let scripts: Vec<&str> = page.split("<script").skip(1).map(|s| &s[..s.find('>').unwrap()]).collect();
    assert!(!scripts.is_empty(), "{page}");
    assert!(scripts.iter().all(|attributes| attributes.contains("src=")), "an inline script: {page}");
    assert!(!page.contains(" onload=") && !page.contains("javascript:"), "{page}");
    for asset in ["swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-initializer.js", "swagger-ui.css"]
    {
        assert!(page.contains(asset), "{asset} not referenced by {page}");
        let response = app.get(&format!("/docs/{asset}")).await;
        assert_eq!(response.status(), 200, "{asset} is served from the binary");
        assert_eq!(header(&response, "x-frame-options"), "DENY", "{asset}");
    }
    // The initializer is the only script we configure; it points at our own document.
    let initializer = app.get("/docs/swagger-initializer.js").await.text().await.unwrap();
    assert!(initializer.contains("/openapi.json"), "{initializer}");

    let redirect = app.get("/docs").await;
    assert_eq!(redirect.status(), 308);
    assert_eq!(header(&redirect, "x-frame-options"), "DENY");
}
