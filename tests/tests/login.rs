#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `POST /api/v1/auth/token` as stock OAuth 2.0 clients use it (RFC 6749): the password grant
//! for people, client credentials (HTTP Basic or form fields) for NGO systems, RFC 6749 errors,
//! throttling of failed attempts (API.md "Security": "Repeated failed logins are throttled")
//! that a stranger cannot turn against a real user or system (#8.6), and client secrets rotated
//! with an overlap and revoked.

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
    status(from.post(app.url(TOKEN)).form(&[
        ("grant_type", "password"),
        ("username", username),
        ("password", password),
    ]))
    .await
}

async fn status(request: reqwest::RequestBuilder) -> u16 {
    request.send().await.unwrap().status().as_u16()
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

/// A password grant from `from`, as relayed by a proxy that says the client is `forwarded`.
async fn password_grant_via(
    app: &TestApp,
    from: &reqwest::Client,
    forwarded: &str,
    username: &str,
    password: &str,
) -> u16 {
    let form = [("grant_type", "password"), ("username", username), ("password", password)];
    status(from.post(app.url(TOKEN)).header("X-Forwarded-For", forwarded).form(&form)).await
}

async fn client_grant_from(app: &TestApp, from: &reqwest::Client, client_id: &str, secret: &str) -> u16 {
    status(from.post(app.url(TOKEN)).basic_auth(client_id, Some(secret)).form(&[("grant_type", "client_credentials")]))
        .await
}

// #8.6, with `--login-max-failures 3`: an (account, address) pair is locked after 3 failures,
// an account for addresses it never logged in from after 12, an address for accounts that never
// logged in from it after 30.

#[tokio::test]
async fn after_the_configured_failures_the_right_password_is_429_from_that_address_only() {
    let app = TestApp::spawn_with(|args| args.auth.login_max_failures = 3).await;
    let admin = app.admin().await;
    let ngo = text(&app.create_ngo(&admin, "NGO A").await, "id");
    new_user(&app, &admin, "nino", Role::NgoCaseworker, &ngo).await;

    let guesser = client_from(2);
    for attempt in 1..=3 {
        assert_eq!(password_grant_from(&app, &guesser, "nino", "wrong password number one").await, 400, "{attempt}");
    }
    let locked = guesser
        .post(app.url(TOKEN))
        .form(&[("grant_type", "password"), ("username", "nino"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let retry_after: u64 = header(&locked, "retry-after").parse().unwrap_or(0);
    assert_problem(locked, 429, "rate_limited").await;
    assert!((1..=60).contains(&retry_after), "Retry-After: {retry_after}");
    // The guesser's failures do not lock nino out elsewhere, nor other accounts there.
    assert_eq!(password_grant_from(&app, &client_from(3), "nino", PASSWORD).await, 200);
    assert_eq!(password_grant_from(&app, &guesser, "root-admin", PASSWORD).await, 200);
}

#[tokio::test]
async fn guessing_from_many_addresses_locks_an_account_only_for_addresses_it_never_logged_in_from() {
    let app = TestApp::spawn_with(|args| args.auth.login_max_failures = 3).await;
    let admin = app.admin().await;
    let ngo = text(&app.create_ngo(&admin, "NGO A").await, "id");
    new_user(&app, &admin, "nino", Role::NgoCaseworker, &ngo).await;
    let office = client_from(10);
    assert_eq!(password_grant_from(&app, &office, "nino", PASSWORD).await, 200);

    // 12 failures, 2 from each of six addresses: no pair reaches 3, the account reaches 12.
    for address in 11..=16 {
        for _ in 0..2 {
            assert_eq!(password_grant_from(&app, &client_from(address), "nino", "guess guess").await, 400);
        }
    }
    assert_eq!(password_grant_from(&app, &client_from(17), "nino", PASSWORD).await, 429, "a new address");
    assert_eq!(password_grant_from(&app, &office, "nino", PASSWORD).await, 200, "nino's own address");
    // nino's success does not give the guessers a fresh allowance.
    assert_eq!(password_grant_from(&app, &client_from(18), "nino", PASSWORD).await, 429);
}

#[tokio::test]
async fn an_address_spraying_many_accounts_is_locked_only_for_accounts_that_never_logged_in_from_it() {
    let app = TestApp::spawn_with(|args| args.auth.login_max_failures = 3).await;
    let admin = app.admin().await;
    let ngo = text(&app.create_ngo(&admin, "NGO A").await, "id");
    new_user(&app, &admin, "nino", Role::NgoCaseworker, &ngo).await;
    new_user(&app, &admin, "giorgi", Role::NgoCaseworker, &ngo).await;
    // A shared address (an office behind NAT): giorgi has logged in from it.
    let shared = client_from(20);
    assert_eq!(password_grant_from(&app, &shared, "giorgi", PASSWORD).await, 200);

    for n in 0..30 {
        assert_eq!(password_grant_from(&app, &shared, &format!("user{n}"), "spray spray").await, 400, "{n}");
    }
    assert_eq!(password_grant_from(&app, &shared, "nino", PASSWORD).await, 429, "never logged in from here");
    assert_eq!(password_grant_from(&app, &shared, "giorgi", PASSWORD).await, 200, "a known pair is not locked");
    assert_eq!(password_grant_from(&app, &client_from(21), "nino", PASSWORD).await, 200, "another address");
}

#[tokio::test]
async fn a_successful_login_forgets_the_failures_of_its_account_and_address() {
    let app = TestApp::spawn_with(|args| args.auth.login_max_failures = 3).await;
    let admin = app.admin().await;
    let ngo = text(&app.create_ngo(&admin, "NGO A").await, "id");
    new_user(&app, &admin, "nino", Role::NgoCaseworker, &ngo).await;

    // Two typos and a success, twice, from one address: never three failures in a row.
    let from = client_from(7);
    for round in 1..=2 {
        for _ in 0..2 {
            assert_eq!(password_grant_from(&app, &from, "nino", "wrong wrong wrong").await, 400, "round {round}");
        }
        assert_eq!(password_grant_from(&app, &from, "nino", PASSWORD).await, 200, "round {round}");
    }
}

#[tokio::test]
async fn a_stranger_who_knows_a_client_id_cannot_lock_the_ngo_system_out() {
    let app = TestApp::spawn_with(|args| args.auth.login_max_failures = 3).await;
    let admin = app.admin().await;
    let ngo = text(&app.create_ngo(&admin, "NGO A").await, "id");
    let client = app.create_client(&admin, &ngo, "ngo_manager").await;
    let (client_id, secret) = (text(&client, "client_id"), text(&client, "client_secret"));
    let system = client_from(30);
    assert_eq!(client_grant_from(&app, &system, &client_id, &secret).await, 200);

    // Failures from many addresses: each is locked after 3, the client is not.
    for address in 31..=35 {
        for _ in 0..3 {
            assert_eq!(client_grant_from(&app, &client_from(address), &client_id, "not-the-secret").await, 401);
        }
        assert_eq!(client_grant_from(&app, &client_from(address), &client_id, &secret).await, 429, "{address}");
    }
    assert_eq!(client_grant_from(&app, &system, &client_id, &secret).await, 200, "the NGO's system");
    assert_eq!(client_grant_from(&app, &client_from(36), &client_id, &secret).await, 200, "a new address");
}

#[tokio::test]
async fn x_forwarded_for_names_the_client_only_when_a_trusted_proxy_sends_it() {
    let proxied = TestApp::spawn_with(|args| {
        args.auth.login_max_failures = 3;
        args.auth.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    let admin = proxied.admin().await;
    let ngo = text(&proxied.create_ngo(&admin, "NGO A").await, "id");
    new_user(&proxied, &admin, "nino", Role::NgoCaseworker, &ngo).await;
    let balancer = client_from(1);
    for _ in 0..3 {
        assert_eq!(password_grant_via(&proxied, &balancer, "203.0.113.5", "nino", "guess guess").await, 400);
    }
    // Behind the balancer, the guesser is locked and nino, from elsewhere, is not.
    assert_eq!(password_grant_via(&proxied, &balancer, "203.0.113.5", "nino", PASSWORD).await, 429);
    assert_eq!(password_grant_via(&proxied, &balancer, "198.51.100.7", "nino", PASSWORD).await, 200);
    // A client that is not a trusted proxy cannot pick its address by sending the header.
    let direct = client_from(2);
    for n in 0..3 {
        assert_eq!(password_grant_via(&proxied, &direct, &format!("192.0.2.{n}"), "nino", "guess").await, 400);
    }
    assert_eq!(password_grant_via(&proxied, &direct, "192.0.2.99", "nino", PASSWORD).await, 429);

    // Without --trusted-proxies the header counts for nothing.
    let plain = TestApp::spawn_with(|args| args.auth.login_max_failures = 3).await;
    let admin = plain.admin().await;
    let ngo = text(&plain.create_ngo(&admin, "NGO A").await, "id");
    new_user(&plain, &admin, "nino", Role::NgoCaseworker, &ngo).await;
    for n in 0..3 {
        assert_eq!(password_grant_via(&plain, &balancer, &format!("203.0.113.{n}"), "nino", "guess").await, 400);
    }
    assert_eq!(password_grant_via(&plain, &balancer, "198.51.100.7", "nino", PASSWORD).await, 429);
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
