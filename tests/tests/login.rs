#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `POST /api/v1/auth/token` as stock OAuth 2.0 clients use it (RFC 6749): the password grant
//! for people, client credentials (HTTP Basic or form fields) for NGO systems, RFC 6749 errors,
//! throttling of failed attempts per account and per address (API.md "Security": "Repeated
//! failed logins are throttled"), and client secrets rotated with an overlap and revoked.

use std::net::{IpAddr, Ipv4Addr};

use domain::role::Role;
use reqwest::Method;
use serde_json::{Value, json};
use tests::identity::{Login, PASSWORD, etag, text};
use tests::{TestApp, assert_problem, header, json};

const TOKEN: &str = "/api/v1/auth/token";

/// A user created through the API, with their username (not logged in).
async fn new_user(app: &TestApp, admin: &Login, username: &str, role: Role, organization_id: &str) -> String {
    let response = app
        .send(
            Method::POST,
            "/api/v1/users",
            Some(&admin.token),
            Some(&json!({
                "username": username, "full_name": "Test User", "role": role.as_str(),
                "organization_id": organization_id, "password": PASSWORD,
            })),
        )
        .await;
    assert_eq!(response.status().as_u16(), 201, "create {username}");
    text(&json(response).await, "id")
}

/// An HTTP client whose connections come from `127.0.0.<last>`: the throttle counts addresses.
fn client_from(last: u8) -> reqwest::Client {
    reqwest::Client::builder().local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))).build().unwrap()
}

async fn password_grant_from(app: &TestApp, from: &reqwest::Client, username: &str, password: &str) -> u16 {
    from.post(app.url(TOKEN))
        .form(&[("grant_type", "password"), ("username", username), ("password", password)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn the_password_grant_issues_a_bearer_token_that_is_never_cached() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let response = app.password_grant("ROOT-ADMIN", PASSWORD).await;
    assert_eq!(response.status().as_u16(), 200, "usernames are case-insensitive");
    assert_eq!(header(&response, "cache-control"), "no-store");
    assert_eq!(header(&response, "pragma"), "no-cache");
    let body = json(response).await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    let token = text(&body, "access_token");
    assert_eq!(token.split('.').count(), 3, "a JWS in compact form: {token}");
    let me = app.send(Method::GET, "/api/v1/users/me", Some(&token), None).await;
    assert_eq!(me.status().as_u16(), 200);
    assert_eq!(json(me).await["id"], admin.id.as_str());
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_invalid_grant() {
    let app = TestApp::spawn().await;
    app.admin().await;
    let mut answers = Vec::new();
    for (username, password) in [("root-admin", "not the right password at all"), ("nobody-here", PASSWORD)] {
        let response = app.password_grant(username, password).await;
        assert_eq!(response.status().as_u16(), 400, "{username}");
        assert_eq!(header(&response, "cache-control"), "no-store");
        let body = json(response).await;
        assert_eq!(body["error"], "invalid_grant", "{body}");
        answers.push(body);
    }
    assert_eq!(answers[0], answers[1], "the answer tells whether the username exists");
}

#[tokio::test]
async fn malformed_token_requests_get_rfc_6749_errors() {
    let app = TestApp::spawn().await;
    app.admin().await;
    let error_of = |response: reqwest::Response| async move {
        let status = response.status().as_u16();
        (status, json(response).await["error"].as_str().unwrap_or_default().to_owned())
    };
    // JSON instead of a form.
    let response = app
        .post_json(TOKEN, &json!({ "grant_type": "password", "username": "root-admin", "password": PASSWORD }))
        .await;
    assert_eq!(error_of(response).await, (400, "invalid_request".to_owned()));
    let form = |pairs: &'static [(&'static str, &'static str)]| app.client.post(app.url(TOKEN)).form(pairs).send();
    let cases: [(&[(&str, &str)], &str); 5] = [
        (&[("username", "root-admin"), ("password", PASSWORD)], "invalid_request"),
        (&[("grant_type", "authorization_code"), ("code", "x")], "unsupported_grant_type"),
        (&[("grant_type", "password"), ("username", "root-admin")], "invalid_request"),
        (
            &[("grant_type", "password"), ("username", "root-admin"), ("username", "other"), ("password", PASSWORD)],
            "invalid_request",
        ),
        (&[("grant_type", "client_credentials")], "invalid_client"),
    ];
    for (pairs, expected) in cases {
        let (status, error) = error_of(form(pairs).await.unwrap()).await;
        assert_eq!(error, expected, "{pairs:?}");
        assert_eq!(status, if expected == "invalid_client" { 401 } else { 400 }, "{pairs:?}");
    }
}

#[tokio::test]
async fn an_ngo_system_gets_a_token_with_client_credentials_by_http_basic_or_form_fields() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ngo_a = text(&app.create_ngo(&admin, "NGO A").await, "id");
    app.create_ngo(&admin, "NGO B").await;
    let client = app.create_client(&admin, &ngo_a, "ngo_caseworker").await;
    assert_eq!(client["role"], "ngo_caseworker");
    let (client_id, secret) = (text(&client, "client_id"), text(&client, "client_secret"));
    assert!(secret.len() >= 32, "{secret}");

    for (how, response) in [
        ("basic", app.client_grant_basic(&client_id, &secret).await),
        ("form", app.client_grant_form(&client_id, &secret).await),
    ] {
        assert_eq!(response.status().as_u16(), 200, "{how}");
        assert_eq!(header(&response, "cache-control"), "no-store", "{how}");
        let body = json(response).await;
        assert_eq!(body["token_type"], "Bearer", "{how}");
        assert!(body["expires_in"].as_u64().is_some_and(|s| s > 0), "{how}: {body}");
        // The system acts as its NGO (R11): it sees its own organisation only.
        let token = text(&body, "access_token");
        let list = app.send(Method::GET, "/api/v1/organizations", Some(&token), None).await;
        assert_eq!(list.status().as_u16(), 200, "{how}");
        let ids: Vec<Value> = json(list).await["items"].as_array().unwrap().iter().map(|o| o["id"].clone()).collect();
        assert_eq!(ids, vec![Value::from(ngo_a.clone())], "{how}");
    }
    // A stock client with `scope` (ignored) works too; both methods at once is refused.
    let scoped = app
        .client
        .post(app.url(TOKEN))
        .basic_auth(&client_id, Some(&secret))
        .form(&[("grant_type", "client_credentials"), ("scope", "api")])
        .send()
        .await
        .unwrap();
    assert_eq!(scoped.status().as_u16(), 200);
    let both = app
        .client
        .post(app.url(TOKEN))
        .basic_auth(&client_id, Some(&secret))
        .form(&[("grant_type", "client_credentials"), ("client_id", &client_id), ("client_secret", &secret)])
        .send()
        .await
        .unwrap();
    assert_eq!(both.status().as_u16(), 400);
    assert_eq!(json(both).await["error"], "invalid_request");
}

#[tokio::test]
async fn a_wrong_client_secret_is_invalid_client_with_a_basic_challenge_when_basic_was_used() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ngo = text(&app.create_ngo(&admin, "NGO A").await, "id");
    let client = app.create_client(&admin, &ngo, "ngo_manager").await;
    let client_id = text(&client, "client_id");

    let basic = app.client_grant_basic(&client_id, "not-the-secret").await;
    assert_eq!(basic.status().as_u16(), 401);
    assert!(header(&basic, "www-authenticate").starts_with("Basic"), "{:?}", basic.headers());
    assert_eq!(json(basic).await["error"], "invalid_client");

    let form = app.client_grant_form(&client_id, "not-the-secret").await;
    assert_eq!(form.status().as_u16(), 401);
    assert_eq!(json(form).await["error"], "invalid_client");

    let unknown = app.client_grant_basic("ngo-0000000000000000", &text(&client, "client_secret")).await;
    assert_eq!(unknown.status().as_u16(), 401);
    assert_eq!(json(unknown).await["error"], "invalid_client");
}

#[tokio::test]
async fn after_the_configured_failures_even_the_right_password_is_429_with_retry_after() {
    let app = TestApp::spawn_with(|args| args.auth.login_max_failures = 3).await;
    let admin = app.admin().await;
    let ngo = text(&app.create_ngo(&admin, "NGO A").await, "id");
    new_user(&app, &admin, "nino", Role::NgoCaseworker, &ngo).await;

    let from = client_from(2);
    for attempt in 1..=3 {
        assert_eq!(password_grant_from(&app, &from, "nino", "wrong password number one").await, 400, "{attempt}");
    }
    let locked = app.password_grant("nino", PASSWORD).await;
    let retry_after: u64 = header(&locked, "retry-after").parse().unwrap_or(0);
    assert_problem(locked, 429, "rate_limited").await;
    assert!((1..=60).contains(&retry_after), "Retry-After: {retry_after}");
    // The account is locked whatever address the next attempt comes from.
    assert_eq!(password_grant_from(&app, &client_from(3), "nino", PASSWORD).await, 429);
    // Another account from another address is not affected.
    assert_eq!(password_grant_from(&app, &client_from(4), "root-admin", PASSWORD).await, 200);
}

#[tokio::test]
async fn an_address_that_fails_across_usernames_is_locked_for_every_username() {
    let app = TestApp::spawn_with(|args| args.auth.login_max_failures = 3).await;
    let admin = app.admin().await;
    let ngo = text(&app.create_ngo(&admin, "NGO A").await, "id");
    new_user(&app, &admin, "nino", Role::NgoCaseworker, &ngo).await;

    let guesser = client_from(5);
    for username in ["alice", "bob", "carol"] {
        assert_eq!(password_grant_from(&app, &guesser, username, "guess guess guess").await, 400, "{username}");
    }
    // No username failed three times, but the address did.
    assert_eq!(password_grant_from(&app, &guesser, "nino", PASSWORD).await, 429);
    assert_eq!(password_grant_from(&app, &client_from(6), "nino", PASSWORD).await, 200, "nino is not locked");
}

#[tokio::test]
async fn a_successful_login_before_the_limit_forgets_the_usernames_failures() {
    let app = TestApp::spawn_with(|args| args.auth.login_max_failures = 3).await;
    let admin = app.admin().await;
    let ngo = text(&app.create_ngo(&admin, "NGO A").await, "id");
    new_user(&app, &admin, "nino", Role::NgoCaseworker, &ngo).await;

    // Each step from its own address, so that only the username's count is in play.
    for (round, address) in [(1, 7), (2, 9)] {
        let from = client_from(address);
        for _ in 0..2 {
            assert_eq!(password_grant_from(&app, &from, "nino", "wrong wrong wrong").await, 400, "round {round}");
        }
        assert_eq!(password_grant_from(&app, &client_from(address + 1), "nino", PASSWORD).await, 200, "round {round}");
    }
}

#[tokio::test]
async fn client_credentials_are_throttled_like_passwords() {
    let app = TestApp::spawn_with(|args| args.auth.login_max_failures = 3).await;
    let admin = app.admin().await;
    let ngo = text(&app.create_ngo(&admin, "NGO A").await, "id");
    let client = app.create_client(&admin, &ngo, "ngo_manager").await;
    let client_id = text(&client, "client_id");
    for _ in 0..3 {
        assert_eq!(app.client_grant_basic(&client_id, "not-the-secret").await.status().as_u16(), 401);
    }
    let locked = app.client_grant_basic(&client_id, &text(&client, "client_secret")).await;
    assert!(header(&locked, "retry-after").parse::<u64>().is_ok_and(|s| s >= 1));
    assert_problem(locked, 429, "rate_limited").await;
}

async fn rotate(app: &TestApp, admin: &Login, client: &Value, tag: &str) -> reqwest::Response {
    let path = format!("/api/v1/clients/{}/rotate-secret", text(client, "id"));
    app.send_if_match(Method::POST, &path, Some(&admin.token), None, Some(tag)).await
}

#[tokio::test]
async fn a_rotated_secret_overlaps_with_the_old_one_and_a_revoked_client_has_no_secret_that_works() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ngo = text(&app.create_ngo(&admin, "NGO A").await, "id");
    let client = app.create_client(&admin, &ngo, "ngo_manager").await;
    let (client_id, old) = (text(&client, "client_id"), text(&client, "client_secret"));
    let path = format!("/api/v1/clients/{}", text(&client, "id"));

    // If-Match is required (API.md "Writes that are safe to retry").
    let unconditional = app.send(Method::POST, &format!("{path}/rotate-secret"), Some(&admin.token), None).await;
    assert_problem(unconditional, 428, "precondition_required").await;

    let tag = app.current_etag(&path, &admin.token).await;
    let rotated = rotate(&app, &admin, &client, &tag).await;
    assert_eq!(rotated.status().as_u16(), 200);
    assert_eq!(header(&rotated, "cache-control"), "no-store");
    let new_tag = etag(&rotated);
    let rotated = json(rotated).await;
    let new = text(&rotated, "client_secret");
    assert!(!new.is_empty() && new != old);
    assert_eq!(rotated["client_id"], client_id.as_str(), "the client id stays");
    assert!(rotated["previous_secret_valid_until"].is_string(), "{rotated}");

    // During the overlap both work.
    assert_eq!(app.client_grant_basic(&client_id, &old).await.status().as_u16(), 200, "old secret");
    assert_eq!(app.client_grant_form(&client_id, &new).await.status().as_u16(), 200, "new secret");
    // A second rotation on the stale version is refused.
    assert_problem(rotate(&app, &admin, &client, &tag).await, 412, "version_conflict").await;

    let revoked =
        app.send_if_match(Method::POST, &format!("{path}/revoke"), Some(&admin.token), None, Some(&new_tag)).await;
    assert_eq!(revoked.status().as_u16(), 200);
    for secret in [&old, &new] {
        let response = app.client_grant_basic(&client_id, secret).await;
        assert_eq!(response.status().as_u16(), 401);
        assert_eq!(json(response).await["error"], "invalid_client");
    }
}

#[tokio::test]
async fn without_an_overlap_the_old_secret_stops_at_once() {
    let app = TestApp::spawn_with(|args| args.auth.client_secret_overlap_hours = 0).await;
    let admin = app.admin().await;
    let ngo = text(&app.create_ngo(&admin, "NGO A").await, "id");
    let client = app.create_client(&admin, &ngo, "ngo_caseworker").await;
    let (client_id, old) = (text(&client, "client_id"), text(&client, "client_secret"));
    let tag = app.current_etag(&format!("/api/v1/clients/{}", text(&client, "id")), &admin.token).await;
    let rotated = rotate(&app, &admin, &client, &tag).await;
    assert_eq!(rotated.status().as_u16(), 200);
    let new = text(&json(rotated).await, "client_secret");

    let response = app.client_grant_basic(&client_id, &old).await;
    assert_eq!(response.status().as_u16(), 401);
    assert_eq!(json(response).await["error"], "invalid_client");
    assert_eq!(app.client_grant_basic(&client_id, &new).await.status().as_u16(), 200);
}

#[tokio::test]
async fn a_deactivated_user_or_organisation_cannot_log_in() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ngo = text(&app.create_ngo(&admin, "NGO A").await, "id");
    let user_id = new_user(&app, &admin, "nino", Role::NgoManager, &ngo).await;
    new_user(&app, &admin, "giorgi", Role::NgoCaseworker, &ngo).await;
    let client = app.create_client(&admin, &ngo, "ngo_manager").await;

    let path = format!("/api/v1/users/{user_id}");
    let tag = app.current_etag(&path, &admin.token).await;
    let off =
        app.send_if_match(Method::POST, &format!("{path}/deactivate"), Some(&admin.token), None, Some(&tag)).await;
    assert_eq!(off.status().as_u16(), 200);
    let refused = app.password_grant("nino", PASSWORD).await;
    assert_eq!(refused.status().as_u16(), 400);
    assert_eq!(json(refused).await["error"], "invalid_grant", "the same answer as a wrong password");
    app.login("giorgi", PASSWORD).await;

    let organization = format!("/api/v1/organizations/{ngo}");
    let tag = app.current_etag(&organization, &admin.token).await;
    let off = app
        .send_if_match(Method::POST, &format!("{organization}/deactivate"), Some(&admin.token), None, Some(&tag))
        .await;
    assert_eq!(off.status().as_u16(), 200);
    let refused = app.password_grant("giorgi", PASSWORD).await;
    assert_eq!(refused.status().as_u16(), 400);
    assert_eq!(json(refused).await["error"], "invalid_grant");
    let refused = app.client_grant_basic(&text(&client, "client_id"), &text(&client, "client_secret")).await;
    assert_eq!(refused.status().as_u16(), 401);
    assert_eq!(json(refused).await["error"], "invalid_client");

    // Reactivated, the organisation's people log in again.
    let tag = app.current_etag(&organization, &admin.token).await;
    let on = app
        .send_if_match(Method::POST, &format!("{organization}/activate"), Some(&admin.token), None, Some(&tag))
        .await;
    assert_eq!(on.status().as_u16(), 200);
    app.login("giorgi", PASSWORD).await;
}
