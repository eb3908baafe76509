#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A list's query parameters are checked like a body (#10): one the list does not declare is a
//! 422 `unknown_field` naming it (a misspelt filter such as `?regoin=GE-KK` used to return
//! everything), a value of the wrong type a 422 `wrong_type` naming its parameter (it used to be
//! a bare 400 naming nothing), every problem at once; declared parameters still work.

use reqwest::Method;
use tests::registration::field_errors;
use tests::{TestApp, assert_problem, json};

#[tokio::test]
async fn an_unknown_or_ill_typed_query_parameter_is_a_422_naming_it() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let token = &world.ngo_a.caseworker.token;

    let misspelt = app.send(Method::GET, "/api/v1/cases?regoin=GE-KK", Some(token), None).await;
    let problem = assert_problem(misspelt, 422, "validation_failed").await;
    assert_eq!(field_errors(&problem), [("regoin".to_owned(), "unknown_field".to_owned())]);

    let both = app.send(Method::GET, "/api/v1/cases?need_shelter=maybe&limit=10&colour=red", Some(token), None).await;
    let problem = assert_problem(both, 422, "validation_failed").await;
    let mut found = field_errors(&problem);
    found.sort();
    assert_eq!(
        found,
        [("colour".to_owned(), "unknown_field".to_owned()), ("need_shelter".to_owned(), "wrong_type".to_owned())]
    );

    let admin = &world.admin.token;
    for path in ["/api/v1/organizations?active=yes", "/api/v1/users?active=1", "/api/v1/arrivals?need_shelter=x"] {
        let answer =
            app.send(Method::GET, path, Some(if path.contains("arrivals") { token } else { admin }), None).await;
        let problem = assert_problem(answer, 422, "validation_failed").await;
        assert_eq!(
            field_errors(&problem).first().map(|(_, code)| code.as_str()),
            Some("wrong_type"),
            "{path}: {problem}"
        );
    }
    for (path, caller) in
        [("/api/v1/persons?nmae=nino", token), ("/api/v1/clients?org=1", admin), ("/api/v1/users?page=2", admin)]
    {
        let answer = app.send(Method::GET, path, Some(caller), None).await;
        let problem = assert_problem(answer, 422, "validation_failed").await;
        assert_eq!(field_errors(&problem).first().map(|(_, code)| code.as_str()), Some("unknown_field"), "{path}");
    }

    // Declared parameters, the page's and the filter's, still work together.
    let fine = app
        .send(Method::GET, "/api/v1/cases?region=GE-KK&need_shelter=true&status=open&limit=5", Some(token), None)
        .await;
    assert_eq!(fine.status().as_u16(), 200);
    assert!(json(fine).await["items"].is_array());
    let fine = app.send(Method::GET, "/api/v1/organizations?active=true&limit=2", Some(admin), None).await;
    assert_eq!(fine.status().as_u16(), 200);
}

#[tokio::test]
async fn a_repeated_query_parameter_is_a_422_naming_it_not_a_silent_choice() {
    // #10: `?status=open&status=closed` is neither an "or" nor the last value winning.
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let token = &world.ngo_a.caseworker.token;
    for path in ["/api/v1/cases?status=open&status=closed", "/api/v1/cases?limit=5&region=GE-KK&limit=6"] {
        let answer = app.send(Method::GET, path, Some(token), None).await;
        let problem = assert_problem(answer, 422, "validation_failed").await;
        let name = if path.contains("status=") { "status" } else { "limit" };
        assert_eq!(field_errors(&problem), [(name.to_owned(), "repeated_parameter".to_owned())], "{path}");
    }
}

#[tokio::test]
async fn a_nul_character_in_a_query_or_a_body_is_a_422_naming_the_field_never_a_500() {
    // #10, found by fuzzing on PostgreSQL: text cannot hold U+0000 there, and the database's
    // refusal was a 500. It is invalid input, refused at the edge on both databases.
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let token = &world.ngo_a.caseworker.token;
    let answer = app.send(Method::GET, "/api/v1/cases?name=ni%00no", Some(token), None).await;
    let problem = assert_problem(answer, 422, "validation_failed").await;
    assert_eq!(field_errors(&problem), [("name".to_owned(), "nul_character".to_owned())]);

    let organization = serde_json::json!({
        "name_ka": "ფონდი", "name_en": "Fund", "legal_form": "foundation", "regions": ["GE-TB"], "address": "A\u{0}B"
    });
    let answer = app.send(Method::POST, "/api/v1/organizations", Some(&world.admin.token), Some(&organization)).await;
    let problem = assert_problem(answer, 422, "validation_failed").await;
    assert_eq!(field_errors(&problem), [("address".to_owned(), "nul_character".to_owned())]);
}
