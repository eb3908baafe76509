#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The published contract: `/openapi.json` is the committed `openapi/openapi.json`, it documents
//! every served path and its problem responses, and `/docs` works with no internet access
//! (API.md "Resource map", "Errors").

use serde_json::Value;
use tests::{TestApp, header, json};

const COMMITTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
const REGENERATE: &str = "cargo run -p api --bin reintegration -- openapi > openapi/openapi.json";

/// The paths of this stage that API.md lists and the server registers.
const STAGE_PATHS: [(&str, &str); 5] = [
    ("/health/live", "get"),
    ("/health/ready", "get"),
    ("/api/v1/program", "get"),
    ("/api/v1/regions", "get"),
    ("/api/v1/eligibility/check", "post"),
];

async fn served_document(app: &TestApp) -> Value {
    let response = app.get("/openapi.json").await;
    assert_eq!(response.status(), 200);
    assert!(header(&response, "content-type").starts_with("application/json"));
    json(response).await
}

#[tokio::test]
async fn the_served_document_is_the_committed_openapi_json() {
    let app = TestApp::spawn().await;
    let served = served_document(&app).await;
    let text = std::fs::read_to_string(COMMITTED).unwrap_or_else(|e| panic!("{COMMITTED}: {e}; run `{REGENERATE}`"));
    let committed: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("openapi/openapi.json is not JSON ({e}); run `{REGENERATE}`"));
    assert!(
        served == committed,
        "the served /openapi.json differs from the committed openapi/openapi.json; \
         if the change is intended, run `{REGENERATE}` and commit the file"
    );
    assert!(committed["openapi"].as_str().is_some_and(|v| v.starts_with("3.")), "{}", committed["openapi"]);
    assert_eq!(committed["openapi"], served["openapi"]);
}

#[tokio::test]
async fn every_path_of_this_stage_is_documented_with_its_method() {
    let app = TestApp::spawn().await;
    let document = served_document(&app).await;
    for (path, method) in STAGE_PATHS {
        assert!(document["paths"][path][method].is_object(), "{} {path} is not in the document", method.to_uppercase());
    }
}

/// A request for a documented operation, with every `{parameter}` filled by a fresh UUID.
fn request_for(app: &TestApp, method: &str, path: &str) -> reqwest::RequestBuilder {
    let concrete: String = path
        .split('/')
        .map(|segment| if segment.starts_with('{') { uuid::Uuid::now_v7().to_string() } else { segment.to_owned() })
        .collect::<Vec<_>>()
        .join("/");
    let method = reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
    let request = app.client.request(method.clone(), app.url(&concrete));
    if method == reqwest::Method::GET { request } else { request.json(&serde_json::json!({})) }
}

#[tokio::test]
async fn every_documented_operation_is_served() {
    let app = TestApp::spawn().await;
    let document = served_document(&app).await;
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys().filter(|m| *m != "parameters") {
            let response = request_for(&app, method, path).send().await.unwrap();
            let status = response.status().as_u16();
            // A made-up id may be a 404 of the record; a literal path may not be a 404 at all.
            let missing = status == 405 || (status == 404 && !path.contains('{'));
            assert!(!missing, "{method} {path} is documented but answers {status}");
        }
    }
}

#[tokio::test]
async fn the_documented_security_is_what_the_server_enforces() {
    // #10: a public operation declares `security: []` (no requirement at all; `[{}]` made
    // generated clients demand a token), and answers without one; any other operation answers
    // 401 without a token.
    let app = TestApp::spawn().await;
    let document = served_document(&app).await;
    for (path, method) in STAGE_PATHS {
        let operation = &document["paths"][path][method];
        let public = operation["security"].as_array().is_some_and(Vec::is_empty);
        assert!(
            !operation["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r.as_object().is_some_and(serde_json::Map::is_empty))),
            "{method} {path} declares an empty requirement `{{}}`"
        );
        let status = request_for(&app, method, path).send().await.unwrap().status().as_u16();
        if public {
            assert_ne!(status, 401, "{method} {path} is documented as public but wants a token");
        } else {
            assert_eq!(status, 401, "{method} {path} is documented as protected but answers {status} without a token");
        }
    }
    // S6: the program information and the regions are public whatever else changes, and so is
    // the token endpoint.
    for (path, method) in [("/api/v1/program", "get"), ("/api/v1/regions", "get"), ("/api/v1/auth/token", "post")] {
        assert_eq!(document["paths"][path][method]["security"], serde_json::json!([]), "{path}");
    }
}

#[tokio::test]
async fn people_and_ngo_systems_have_security_schemes_of_their_own() {
    // #10: one scheme per OAuth 2.0 flow, so `/docs` does not show the client-credentials box
    // as authorised after a password login; a protected operation accepts any of them.
    let app = TestApp::spawn().await;
    let document = served_document(&app).await;
    let schemes = &document["components"]["securitySchemes"];
    assert_eq!(
        schemes["people"]["flows"].as_object().map(|f| f.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["password".to_owned()])
    );
    assert_eq!(
        schemes["ngo_systems"]["flows"].as_object().map(|f| f.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["clientCredentials".to_owned()])
    );
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    let required = &document["paths"]["/api/v1/cases"]["get"]["security"];
    assert_eq!(required, &serde_json::json!([{ "bearer": [] }, { "people": [] }, { "ngo_systems": [] }]));
}

#[tokio::test]
async fn error_responses_are_documented_as_problem_json() {
    let app = TestApp::spawn().await;
    let document = served_document(&app).await;
    let schemas = &document["components"]["schemas"];
    assert!(schemas["Problem"].is_object(), "the Problem schema is missing");
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            for (status, response) in operation["responses"].as_object().unwrap() {
                if !status.starts_with('4') && !status.starts_with('5') {
                    continue;
                }
                if path == "/api/v1/auth/token" && (status == "400" || status == "401") {
                    // RFC 6749 §5.2: the token endpoint's errors are {"error": "invalid_client"}.
                    assert_eq!(
                        response["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/OAuthError",
                        "{method} {path} {status}"
                    );
                    continue;
                }
                let content = response["content"].as_object();
                let problem = content.and_then(|c| c.get("application/problem+json"));
                assert!(problem.is_some(), "{method} {path} {status} is not documented as application/problem+json");
                assert_eq!(
                    problem.unwrap()["schema"]["$ref"],
                    "#/components/schemas/Problem",
                    "{method} {path} {status}"
                );
                assert_eq!(content.unwrap().len(), 1, "{method} {path} {status}: only problem+json");
            }
        }
    }

    let check = &document["paths"]["/api/v1/eligibility/check"]["post"]["responses"];
    for status in ["400", "413", "415", "422"] {
        assert!(check[status]["content"]["application/problem+json"].is_object(), "eligibility check {status}");
    }
    assert!(
        document["paths"]["/health/ready"]["get"]["responses"]["503"]["content"]["application/problem+json"]
            .is_object(),
        "/health/ready 503"
    );
}

/// Every `href="…"` and `src="…"` of an HTML page.
fn asset_references(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(at) = rest.find(attribute) {
            rest = &rest[at + attribute.len()..];
            let end = rest.find('"').unwrap();
            found.push(rest[..end].to_owned());
            rest = &rest[end..];
        }
    }
    found
}

#[tokio::test]
async fn the_docs_work_offline() {
    let app = TestApp::spawn().await;

    // /docs leads to the page at /docs/.
    let response = app.get("/docs").await;
    let status = response.status().as_u16();
    if (300..400).contains(&status) {
        assert_eq!(header(&response, "location"), "/docs/", "redirect target");
    } else {
        assert_eq!(status, 200, "/docs answers neither the page nor a redirect");
    }

    let response = app.get("/docs/").await;
    assert_eq!(response.status(), 200);
    assert!(header(&response, "content-type").starts_with("text/html"), "{}", header(&response, "content-type"));
    let html = response.text().await.unwrap();
    let references = asset_references(&html);
    for wanted in ["swagger-ui.css", "swagger-ui-bundle.js"] {
        assert!(references.iter().any(|r| r.ends_with(wanted)), "the page does not load {wanted}: {references:?}");
    }
    for reference in &references {
        let lower = reference.to_ascii_lowercase();
        assert!(
            !lower.starts_with("http://") && !lower.starts_with("https://") && !lower.starts_with("//"),
            "the docs load {reference} from the internet"
        );
        // Every asset resolves relative to /docs/ and is served.
        let path = match reference.strip_prefix('/') {
            Some(_) => reference.clone(),
            None => format!("/docs/{}", reference.trim_start_matches("./")),
        };
        let asset = app.get(&path).await;
        assert_eq!(asset.status(), 200, "{path}");
        assert!(!asset.bytes().await.unwrap().is_empty(), "{path} is empty");
    }
    let html_lower = html.to_ascii_lowercase();
    assert!(!html_lower.contains("src=\"http") && !html_lower.contains("href=\"http"), "{html}");

    // The page's initializer points at the served document.
    let initializer = app.get("/docs/swagger-initializer.js").await;
    assert_eq!(initializer.status(), 200);
    let initializer = initializer.text().await.unwrap();
    assert!(initializer.contains("\"/openapi.json\""), "{initializer}");
}

#[tokio::test]
async fn the_docs_do_not_call_the_online_validator() {
    let app = TestApp::spawn().await;
    let initializer = app.get("/docs/swagger-initializer.js").await.text().await.unwrap();
    let compact: String = initializer.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(
        compact.contains("\"validatorUrl\":\"none\"") || compact.contains("\"validatorUrl\":null"),
        "the initializer leaves Swagger UI's online validator on: {initializer}"
    );
}

#[tokio::test]
async fn the_problem_schema_is_one_object_with_an_error_status_and_a_real_example() {
    // #10: `Problem` was an allOf starting with an empty object (generated TypeScript:
    // `Record<string, never> & …`), its status `minimum: 0`, its example status 1073741824.
    let app = TestApp::spawn().await;
    let document = served_document(&app).await;
    let problem = &document["components"]["schemas"]["Problem"];
    assert!(problem.get("allOf").is_none(), "{problem}");
    assert_eq!(problem["type"], "object");
    assert_eq!(
        (problem["properties"]["status"]["minimum"].as_u64(), problem["properties"]["status"]["maximum"].as_u64()),
        (Some(400), Some(599))
    );
    let example = &problem["example"];
    let status = example["status"].as_u64().unwrap_or(0);
    assert!((400..=599).contains(&status), "{example}");
    let codes = document["components"]["schemas"]["ErrorCode"]["enum"].as_array().unwrap();
    assert!(codes.contains(&example["code"]), "{example}");
    for required in problem["required"].as_array().unwrap() {
        assert!(example.get(required.as_str().unwrap()).is_some(), "the example lacks {required}");
    }
}
