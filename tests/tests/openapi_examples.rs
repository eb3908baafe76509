#![allow(clippy::unwrap_used, clippy::expect_used)]
//! #10: every request example of the served OpenAPI document (what `/docs` pre-fills) is accepted
//! by the live server. The examples are sent in a workflow — the references they hold (a person,
//! an arrival, an organisation, the caller's password) replaced by the records the workflow made
//! before — and each must succeed. A new operation with a JSON body fails this test until its
//! example is sent here.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};
use tests::identity::{PASSWORD, text};
use tests::{TestApp, json};

/// The example of each JSON request body, by method and path.
fn request_examples(document: &Value) -> Vec<(String, String, Value)> {
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Some(content) = operation["requestBody"]["content"]["application/json"].as_object() else { continue };
            let schema = content["schema"]["$ref"].as_str().unwrap().trim_start_matches("#/components/schemas/");
            let example = content
                .get("example")
                .cloned()
                .unwrap_or_else(|| document["components"]["schemas"][schema]["example"].clone());
            assert!(example.is_object(), "{method} {path}: the request body {schema} has no example");
            found.push((method.to_uppercase(), path.clone(), example));
        }
    }
    found
}

fn with(example: &Value, replacements: &[(&str, &str)]) -> Value {
    let mut body = example.clone();
    for (field, value) in replacements {
        assert!(body.get(*field).is_some(), "the example has no {field}: {body}");
        body[*field] = json!(value);
    }
    body
}

#[tokio::test]
async fn every_request_example_in_the_document_is_accepted_by_the_live_server() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let document = json(app.get("/openapi.json").await).await;
    let examples = request_examples(&document);
    let example = |method: &str, path: &str| {
        examples.iter().find(|(m, p, _)| m == method && p == path).map(|(_, _, e)| e.clone()).unwrap()
    };
    let caseworker = world.ngo_a.caseworker.token.as_str();
    let admin = world.admin.token.as_str();
    let mut sent = BTreeSet::new();
    let mut send = async |method: &str, path: &str, filled: &str, token: &str, body: Value, status: u16| -> Value {
        sent.insert((method.to_owned(), path.to_owned()));
        let method_ = Method::from_bytes(method.as_bytes()).unwrap();
        let response = app.send_if_match(method_, filled, Some(token), Some(&body), Some("*")).await;
        let got = response.status().as_u16();
        let answer = if got == 204 { Value::Null } else { json(response).await };
        assert_eq!(got, status, "{method} {path} with its example {body}: {answer}");
        answer
    };

    send(
        "POST",
        "/api/v1/eligibility/check",
        "/api/v1/eligibility/check",
        caseworker,
        example("POST", "/api/v1/eligibility/check"),
        200,
    )
    .await;
    let arrival =
        send("POST", "/api/v1/arrivals", "/api/v1/arrivals", caseworker, example("POST", "/api/v1/arrivals"), 201)
            .await;
    let person =
        send("POST", "/api/v1/persons", "/api/v1/persons", caseworker, example("POST", "/api/v1/persons"), 201).await;
    let (person_id, arrival_id) = (text(&person, "id"), text(&arrival, "id"));
    let case_body = with(&example("POST", "/api/v1/cases"), &[("person_id", &person_id), ("arrival_id", &arrival_id)]);
    let case = send("POST", "/api/v1/cases", "/api/v1/cases", caseworker, case_body, 201).await;
    send(
        "PUT",
        "/api/v1/arrivals/{id}",
        &format!("/api/v1/arrivals/{arrival_id}"),
        caseworker,
        example("PUT", "/api/v1/arrivals/{id}"),
        200,
    )
    .await;
    send(
        "PUT",
        "/api/v1/persons/{id}",
        &format!("/api/v1/persons/{person_id}"),
        caseworker,
        example("PUT", "/api/v1/persons/{id}"),
        200,
    )
    .await;
    send(
        "POST",
        "/api/v1/cases/{id}/close",
        &format!("/api/v1/cases/{}/close", text(&case, "id")),
        caseworker,
        example("POST", "/api/v1/cases/{id}/close"),
        200,
    )
    .await;

    let organization = send(
        "POST",
        "/api/v1/organizations",
        "/api/v1/organizations",
        admin,
        example("POST", "/api/v1/organizations"),
        201,
    )
    .await;
    let organization_id = text(&organization, "id");
    send(
        "PUT",
        "/api/v1/organizations/{id}",
        &format!("/api/v1/organizations/{organization_id}"),
        admin,
        example("PUT", "/api/v1/organizations/{id}"),
        200,
    )
    .await;
    let user_body = with(&example("POST", "/api/v1/users"), &[("organization_id", &organization_id)]);
    let user = send("POST", "/api/v1/users", "/api/v1/users", admin, user_body, 201).await;
    send(
        "PUT",
        "/api/v1/users/{id}",
        &format!("/api/v1/users/{}", text(&user, "id")),
        admin,
        example("PUT", "/api/v1/users/{id}"),
        200,
    )
    .await;
    let client_body = with(&example("POST", "/api/v1/clients"), &[("organization_id", &organization_id)]);
    send("POST", "/api/v1/clients", "/api/v1/clients", admin, client_body, 201).await;
    send(
        "POST",
        "/api/v1/program-years",
        "/api/v1/program-years",
        admin,
        example("POST", "/api/v1/program-years"),
        201,
    )
    .await;
    send(
        "PUT",
        "/api/v1/program-years/{year}",
        "/api/v1/program-years/2018",
        admin,
        example("PUT", "/api/v1/program-years/{year}"),
        200,
    )
    .await;
    // The grant's example is of the demo's year, 2017.
    let year = json!({ "year": 2017, "budget_tetri": 59_000_000 });
    let opened = app.send(Method::POST, "/api/v1/program-years", Some(admin), Some(&year)).await;
    assert_eq!(opened.status().as_u16(), 201);
    let grant_body = with(&example("POST", "/api/v1/grants"), &[("organization_id", &organization_id)]);
    send("POST", "/api/v1/grants", "/api/v1/grants", admin, grant_body, 201).await;
    // Services on an eligible case of NGO A, paid from its grant for this year: requested by the
    // caseworker, approved and supplemented by the manager (R12), delivered; two more rejected and
    // cancelled.
    app.grant_this_year(&world.admin, &world.ngo_a.id, 59_000_000, 1_000_000).await;
    let eligible = app.eligible_case(&world.airport, &world.ngo_a, 77).await;
    let manager = world.ngo_a.manager.token.as_str();
    let services = format!("/api/v1/cases/{eligible}/services");
    let mut requested = Vec::new();
    for _ in 0..3 {
        let service = send(
            "POST",
            "/api/v1/cases/{id}/services",
            &services,
            caseworker,
            example("POST", "/api/v1/cases/{id}/services"),
            201,
        )
        .await;
        requested.push(text(&service, "id"));
    }
    for (path, id, token, status) in [
        ("/api/v1/services/{id}/approve", &requested[0], manager, 200),
        ("/api/v1/services/{id}/supplement", &requested[0], manager, 200),
        ("/api/v1/services/{id}/deliver", &requested[0], caseworker, 200),
        ("/api/v1/services/{id}/reject", &requested[1], manager, 200),
        ("/api/v1/services/{id}/cancel", &requested[2], caseworker, 200),
    ] {
        let filled = path.replace("{id}", id);
        send("POST", path, &filled, token, example("POST", path), status).await;
    }
    // Shelter on two returns of 2017-03-01 seen at the airport with a shelter need: one stay
    // checked out early, one cancelled.
    for (n, step) in [(91, "check-out"), (92, "cancel")] {
        let number = tests::registration::personal_number(n);
        let body = tests::registration::arrival(Some(&number), "2017-03-01", &[("2015-01-10", "2017-03-01")], true);
        let arrival_id = text(&app.create_arrival(&world.airport.token, &body).await, "id");
        let stay = send(
            "POST",
            "/api/v1/arrivals/{id}/shelter-stays",
            &format!("/api/v1/arrivals/{arrival_id}/shelter-stays"),
            &world.airport.token,
            example("POST", "/api/v1/arrivals/{id}/shelter-stays"),
            201,
        )
        .await;
        let path = format!("/api/v1/shelter-stays/{{id}}/{step}");
        let filled = format!("/api/v1/shelter-stays/{}/{step}", text(&stay, "id"));
        send("POST", &path, &filled, &world.airport.token, example("POST", &path), 200).await;
    }
    let password_body = with(&example("POST", "/api/v1/users/me/password"), &[("current_password", PASSWORD)]);
    send("POST", "/api/v1/users/me/password", "/api/v1/users/me/password", caseworker, password_body, 204).await;

    let documented: BTreeSet<(String, String)> = examples.iter().map(|(m, p, _)| (m.clone(), p.clone())).collect();
    assert_eq!(sent, documented, "every operation with a JSON body has its example sent here");
}
