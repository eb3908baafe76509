#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Bearer tokens under attack (API.md "Security": `alg` is pinned; 401 for no or bad token):
//! expired, not yet valid, wrong signature, `alg: none`, HS256 keyed with the public key, unknown
//! or missing kid, wrong `aud`/`iss`, claims of the wrong type, malformed text, and tokens of a
//! user, client or organisation deactivated after issue. Every one is a 401 `unauthorized` with
//! the same detail as no token at all: nothing that tells an attacker which check failed.
//!
//! Tokens are forged with the server's own key and `api::auth::token::Tokens` under wrong
//! settings, or built by hand (base64url of header and claims). The test crate has no Ed25519
//! signer, so hand-built tokens carry the signature of a genuine token: they are refused whatever
//! else is wrong, which is the point (the unit tests in `api/src/auth/token.rs` cover each reason
//! with correctly signed tokens).

use std::time::Duration;

use api::auth::keys::{KeySet, generate_private_pem};
use api::auth::token::{Generations, TokenSettings, Tokens};
use domain::role::Role;
use reqwest::Method;
use serde_json::{Value, json};
use tests::identity::{self, Login, SIGNING_KID, etag, text};
use tests::{TestApp, assert_problem, json};

const ME: &str = "/api/v1/users/me";

/// What the test server's tokens carry (tests/src/lib.rs `serve_args`).
fn settings() -> TokenSettings {
    TokenSettings {
        issuer: "reintegration".to_owned(),
        audience: "reintegration-api".to_owned(),
        ttl: Duration::from_secs(900),
        leeway_seconds: 30,
    }
}

fn server_pem() -> String {
    std::fs::read_to_string(identity::signing_key_file()).unwrap()
}

/// Tokens signed with `pem` under `kid` and `settings`.
fn signer(kid: &str, pem: &str, settings: TokenSettings) -> Tokens {
    Tokens::new(KeySet::from_pem(kid, pem, &[]).unwrap(), settings)
}

/// Unpadded base64url (RFC 4648 §5), as JWS uses it.
fn b64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0_u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// A JWT built by hand: `base64url(header).base64url(claims).signature`.
fn hand_built(header: &Value, claims: &Value, signature: &str) -> String {
    format!("{}.{}.{signature}", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()))
}

/// The three segments of a genuine token.
fn segments(token: &str) -> (String, String, String) {
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    (parts[0].to_owned(), parts[1].to_owned(), parts[2].to_owned())
}

// The test crate does not depend on chrono: `persistence::now_utc()` gives a `NaiveDateTime`,
// `.and_utc()` the `DateTime<Utc>` that `Tokens::issue` takes, and std `Duration`s move it.

async fn status_and_problem(app: &TestApp, token: &str) -> (u16, Value) {
    let response = app.send(Method::GET, ME, Some(token), None).await;
    let status = response.status().as_u16();
    let content_type = tests::header(&response, "content-type");
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert!(status != 401 || content_type == "application/problem+json", "{content_type}");
    (status, body)
}

#[tokio::test]
async fn a_genuine_token_works_and_every_forged_stale_or_malformed_one_is_a_401_that_reveals_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ngo_a = text(&app.create_ngo(&admin, "NGO A").await, "id");
    let ngo_b = text(&app.create_ngo(&admin, "NGO B").await, "id");
    let user = app.user(&admin, Role::NgoCaseworker, &ngo_a).await;

    let sub = format!("user:{}", user.id);
    let role = "ngo_caseworker";
    let pem = server_pem();
    let real = signer(SIGNING_KID, &pem, settings());
    let current = || persistence::now_utc().and_utc();
    let issue = |tokens: &Tokens, sub: &str, role: &str, org: &str| {
        tokens.issue(sub, role, org, Generations::default(), current()).unwrap().access_token
    };

    // The baseline: the login token and a token forged with the server's key and settings work,
    // so every refusal below is about the one thing changed.
    let (status, me) = status_and_problem(&app, &user.token).await;
    assert_eq!((status, text(&me, "id")), (200, user.id.clone()));
    let forged_but_right = issue(&real, &sub, role, &ngo_a);
    assert_eq!(status_and_problem(&app, &forged_but_right).await.0, 200, "the forging is not faithful");

    let no_token = assert_problem(app.send(Method::GET, ME, None, None).await, 401, "unauthorized").await;
    let detail = no_token["detail"].clone();

    let genuine = user.token.clone();
    let (header, payload, signature) = segments(&genuine);
    let claims = |changes: Value| {
        let now = current().timestamp();
        let mut claims = json!({
            "sub": sub, "role": role, "org": ngo_a, "iss": "reintegration", "aud": "reintegration-api",
            "iat": now, "nbf": now, "exp": now + 900, "jti": uuid::Uuid::now_v7().to_string(),
            "gen": 0, "ogen": 0,
        });
        for (key, value) in changes.as_object().unwrap() {
            if value.is_null() {
                claims.as_object_mut().unwrap().remove(key);
            } else {
                claims[key] = value.clone();
            }
        }
        claims
    };
    let eddsa = json!({ "alg": "EdDSA", "typ": "JWT", "kid": SIGNING_KID });
    let other_pem = generate_private_pem().unwrap();
    let hour = Duration::from_secs(3600);

    let cases: Vec<(&str, String)> = vec![
        (
            "expired an hour ago",
            real.issue(&sub, role, &ngo_a, Generations::default(), current() - hour).unwrap().access_token,
        ),
        (
            "expired just beyond the leeway",
            real.issue(&sub, role, &ngo_a, Generations::default(), current() - Duration::from_secs(900 + 90))
                .unwrap()
                .access_token,
        ),
        (
            "not valid for another hour",
            real.issue(&sub, role, &ngo_a, Generations::default(), current() + hour).unwrap().access_token,
        ),
        (
            "wrong audience",
            issue(
                &signer(SIGNING_KID, &pem, TokenSettings { audience: "other-api".into(), ..settings() }),
                &sub,
                role,
                &ngo_a,
            ),
        ),
        (
            "wrong issuer",
            issue(
                &signer(SIGNING_KID, &pem, TokenSettings { issuer: "someone-else".into(), ..settings() }),
                &sub,
                role,
                &ngo_a,
            ),
        ),
        (
            "wrong signature (another key, same kid)",
            issue(&signer(SIGNING_KID, &other_pem, settings()), &sub, role, &ngo_a),
        ),
        ("unknown kid (right key)", issue(&signer("another-kid", &pem, settings()), &sub, role, &ngo_a)),
        ("unknown kid (another key)", issue(&signer("another-kid", &other_pem, settings()), &sub, role, &ngo_a)),
        ("role claim raised to admin", issue(&real, &sub, "admin", &ngo_a)),
        ("organisation claim of another NGO", issue(&real, &sub, role, &ngo_b)),
        ("subject that does not exist", issue(&real, &format!("user:{}", uuid::Uuid::now_v7()), role, &ngo_a)),
        ("a user's id as a client subject", issue(&real, &format!("client:{}", user.id), role, &ngo_a)),
        (
            "alg none, no signature",
            hand_built(&json!({ "alg": "none", "typ": "JWT", "kid": SIGNING_KID }), &claims(json!({})), ""),
        ),
        (
            "alg None, genuine signature",
            format!(
                "{}.{payload}.{signature}",
                b64(json!({ "alg": "None", "kid": SIGNING_KID }).to_string().as_bytes())
            ),
        ),
        (
            "no alg",
            format!(
                "{}.{payload}.{signature}",
                b64(json!({ "typ": "JWT", "kid": SIGNING_KID }).to_string().as_bytes())
            ),
        ),
        (
            "HS256 (keyed with the public key), genuine claims",
            format!(
                "{}.{payload}.{signature}",
                b64(json!({ "alg": "HS256", "typ": "JWT", "kid": SIGNING_KID }).to_string().as_bytes())
            ),
        ),
        (
            "RS256, genuine claims",
            format!(
                "{}.{payload}.{signature}",
                b64(json!({ "alg": "RS256", "typ": "JWT", "kid": SIGNING_KID }).to_string().as_bytes())
            ),
        ),
        (
            "missing kid",
            format!("{}.{payload}.{signature}", b64(json!({ "alg": "EdDSA", "typ": "JWT" }).to_string().as_bytes())),
        ),
        (
            "kid of the wrong type",
            format!("{}.{payload}.{signature}", b64(json!({ "alg": "EdDSA", "kid": 1 }).to_string().as_bytes())),
        ),
        (
            "jku pointing elsewhere",
            format!(
                "{}.{payload}.{signature}",
                b64(json!({ "alg": "EdDSA", "kid": SIGNING_KID, "jku": "https://attacker.example/jwks.json" })
                    .to_string()
                    .as_bytes())
            ),
        ),
        (
            "embedded jwk",
            format!(
                "{}.{payload}.{signature}",
                b64(json!({ "alg": "EdDSA", "kid": SIGNING_KID, "jwk": { "kty": "OKP" } }).to_string().as_bytes())
            ),
        ),
        ("exp as a string", hand_built(&eddsa, &claims(json!({ "exp": "9999999999" })), &signature)),
        ("role as a number", hand_built(&eddsa, &claims(json!({ "role": 4 })), &signature)),
        ("sub as an array", hand_built(&eddsa, &claims(json!({ "sub": [sub] })), &signature)),
        ("no exp", hand_built(&eddsa, &claims(json!({ "exp": null })), &signature)),
        (
            "claims changed, signature kept",
            format!("{header}.{}.{signature}", b64(claims(json!({ "role": "admin" })).to_string().as_bytes())),
        ),
        ("signature removed", format!("{header}.{payload}.")),
        ("signature truncated", format!("{header}.{payload}.{}", &signature[..signature.len() / 2])),
        ("empty", String::new()),
        ("one segment", "abc".to_owned()),
        ("two segments", format!("{header}.{payload}")),
        ("four segments", format!("{genuine}.extra")),
        ("not base64", "!!!.@@@.###".to_owned()),
        ("header not JSON", format!("{}.{payload}.{signature}", b64(b"not json"))),
        ("claims not base64", format!("{header}.%%%.{signature}")),
        ("oversized", format!("{genuine}{}", "A".repeat(10_000))),
    ];

    let mut failures = Vec::new();
    for (name, token) in &cases {
        let (status, problem) = status_and_problem(&app, token).await;
        if status != 401 || problem["code"] != "unauthorized" || problem["detail"] != detail {
            failures.push(format!("{name}: {status} {problem}"));
        }
    }
    // Other ways to present a token: another scheme, the word Bearer twice, no space.
    for value in [
        format!("Basic {genuine}"),
        format!("Token {genuine}"),
        format!("Bearer Bearer {genuine}"),
        format!("Bearer{genuine}"),
        genuine.clone(),
    ] {
        let response = app.client.get(app.url(ME)).header("Authorization", &value).send().await.unwrap();
        let status = response.status().as_u16();
        let problem: Value = response.json().await.unwrap_or(Value::Null);
        if status != 401 || problem["detail"] != detail {
            failures.push(format!("Authorization: {}…: {status} {problem}", &value[..12]));
        }
    }
    assert!(failures.is_empty(), "tokens not refused with the common 401:\n{}", failures.join("\n"));
    // Nothing was learnt from all that: the genuine token still works.
    assert_eq!(status_and_problem(&app, &genuine).await.0, 200);
}

async fn deactivate(app: &TestApp, admin: &Login, path: &str) {
    let tag = app.current_etag(path, &admin.token).await;
    let action = format!("{path}/deactivate");
    let response = app.send_if_match(Method::POST, &action, Some(&admin.token), None, Some(&tag)).await;
    assert_eq!(response.status().as_u16(), 200, "POST {action}");
}

#[tokio::test]
async fn a_users_token_stops_working_on_the_next_request_after_deactivation() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ngo = text(&app.create_ngo(&admin, "NGO A").await, "id");
    let user = app.user(&admin, Role::NgoManager, &ngo).await;
    let other = app.user(&admin, Role::NgoCaseworker, &ngo).await;
    assert_eq!(app.send(Method::GET, ME, Some(&user.token), None).await.status().as_u16(), 200);

    deactivate(&app, &admin, &format!("/api/v1/users/{}", user.id)).await;

    assert_problem(app.send(Method::GET, ME, Some(&user.token), None).await, 401, "unauthorized").await;
    assert_problem(app.send(Method::GET, "/api/v1/organizations", Some(&user.token), None).await, 401, "unauthorized")
        .await;
    // Only that user: a colleague's token is untouched.
    assert_eq!(app.send(Method::GET, ME, Some(&other.token), None).await.status().as_u16(), 200);
}

async fn activate(app: &TestApp, admin: &Login, path: &str) {
    let tag = app.current_etag(path, &admin.token).await;
    let action = format!("{path}/activate");
    let response = app.send_if_match(Method::POST, &action, Some(&admin.token), None, Some(&tag)).await;
    assert_eq!(response.status().as_u16(), 200, "POST {action}");
}

/// #8.4: `iat` has whole seconds, so a revocation compared by time would spare a token issued in
/// the same second. Start just after a second begins, so that the login and the revocation
/// that follow it (a few milliseconds) share that second.
async fn start_of_a_second() {
    let into = persistence::now_utc().and_utc().timestamp_subsec_millis();
    tokio::time::sleep(std::time::Duration::from_millis(u64::from(1005 - into.min(1000)))).await;
}

/// A revocation of `user` by the administrator; returns the password to log in with afterwards.
async fn revoke(app: &TestApp, admin: &Login, user_id: &str, how: &str) -> String {
    let path = format!("/api/v1/users/{user_id}");
    match how {
        "password reset" => {
            let tag = app.current_etag(&path, &admin.token).await;
            let reset = app
                .send_if_match(Method::POST, &format!("{path}/password-reset"), Some(&admin.token), None, Some(&tag))
                .await;
            assert_eq!(reset.status().as_u16(), 200);
            return text(&json(reset).await, "temporary_password");
        }
        "deactivation and reactivation" => {
            deactivate(app, admin, &path).await;
            activate(app, admin, &path).await;
        }
        "role change" => {
            let tag = app.current_etag(&path, &admin.token).await;
            let current = json(app.send(Method::GET, &path, Some(&admin.token), None).await).await;
            let role = if current["role"] == "ngo_manager" { "ngo_caseworker" } else { "ngo_manager" };
            let body = json!({ "full_name": "Moved", "role": role });
            let changed = app.send_if_match(Method::PUT, &path, Some(&admin.token), Some(&body), Some(&tag)).await;
            assert_eq!(changed.status().as_u16(), 200);
        }
        other => panic!("no such revocation: {other}"),
    }
    tests::identity::PASSWORD.to_owned()
}

#[tokio::test]
async fn a_token_issued_in_the_same_second_as_its_revocation_dies_with_it() {
    // #8.4: revocation compared whole seconds, so a token issued in the second of a password
    // reset, deactivation or role change survived it (and after reactivation worked again).
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ngo = text(&app.create_ngo(&admin, "NGO A").await, "id");
    for how in ["password reset", "deactivation and reactivation", "role change"] {
        let user = app.user(&admin, Role::NgoManager, &ngo).await;
        let username = app_username(&app, &admin, &user.id).await;
        let mut same_second = false;
        let mut password = tests::identity::PASSWORD.to_owned();
        for _ in 0..5 {
            start_of_a_second().await;
            let second = persistence::now_utc().and_utc().timestamp();
            let token = app.login(&username, &password).await;
            password = revoke(&app, &admin, &user.id, how).await;
            same_second = persistence::now_utc().and_utc().timestamp() == second;
            let answer = app.send(Method::GET, "/api/v1/organizations", Some(&token), None).await;
            assert_problem(answer, 401, "unauthorized").await;
            if same_second {
                break;
            }
        }
        assert!(same_second, "{how}: never managed to log in and revoke within one second");
    }
}

#[tokio::test]
async fn reactivating_a_user_or_an_organisation_does_not_revive_tokens_issued_before_the_deactivation() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ngo = text(&app.create_ngo(&admin, "NGO A").await, "id");
    let user = app.user(&admin, Role::NgoManager, &ngo).await;
    let colleague = app.user(&admin, Role::NgoCaseworker, &ngo).await;

    let user_path = format!("/api/v1/users/{}", user.id);
    deactivate(&app, &admin, &user_path).await;
    activate(&app, &admin, &user_path).await;
    assert_problem(app.send(Method::GET, ME, Some(&user.token), None).await, 401, "unauthorized").await;
    let fresh = app.login(&app_username(&app, &admin, &user.id).await, tests::identity::PASSWORD).await;
    assert_eq!(app.send(Method::GET, ME, Some(&fresh), None).await.status().as_u16(), 200, "a new login works");

    let ngo_path = format!("/api/v1/organizations/{ngo}");
    deactivate(&app, &admin, &ngo_path).await;
    activate(&app, &admin, &ngo_path).await;
    assert_problem(app.send(Method::GET, ME, Some(&colleague.token), None).await, 401, "unauthorized").await;
}

#[tokio::test]
async fn changing_or_resetting_a_password_ends_the_sessions_of_the_old_one() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ngo = text(&app.create_ngo(&admin, "NGO A").await, "id");
    let user = app.user(&admin, Role::NgoCaseworker, &ngo).await;
    let username = app_username(&app, &admin, &user.id).await;
    start_of_a_second().await;
    let second_session = app.login(&username, tests::identity::PASSWORD).await;

    let body = serde_json::json!({
        "current_password": tests::identity::PASSWORD,
        "new_password": "a brand new passphrase for 2018",
    });
    let changed = app.send(Method::POST, "/api/v1/users/me/password", Some(&user.token), Some(&body)).await;
    assert_eq!(changed.status().as_u16(), 204);
    for token in [&user.token, &second_session] {
        assert_problem(app.send(Method::GET, ME, Some(token), None).await, 401, "unauthorized").await;
    }
    let fresh = app.login(&app_username(&app, &admin, &user.id).await, "a brand new passphrase for 2018").await;
    assert_eq!(app.send(Method::GET, ME, Some(&fresh), None).await.status().as_u16(), 200);
}

async fn app_username(app: &TestApp, admin: &Login, user_id: &str) -> String {
    let response = app.send(Method::GET, &format!("/api/v1/users/{user_id}"), Some(&admin.token), None).await;
    text(&json(response).await, "username")
}

#[tokio::test]
async fn a_token_stops_working_once_its_users_role_is_changed() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ngo = text(&app.create_ngo(&admin, "NGO A").await, "id");
    let user = app.user(&admin, Role::NgoManager, &ngo).await;
    let path = format!("/api/v1/users/{}", user.id);
    let tag = app.current_etag(&path, &admin.token).await;
    let demoted = app
        .send_if_match(
            Method::PUT,
            &path,
            Some(&admin.token),
            Some(&json!({ "full_name": "Demoted", "role": "ngo_caseworker" })),
            Some(&tag),
        )
        .await;
    assert_eq!(demoted.status().as_u16(), 200);
    // The token still says ngo_manager: it must not keep a manager's rights.
    assert_problem(app.send(Method::GET, "/api/v1/users", Some(&user.token), None).await, 401, "unauthorized").await;
}

#[tokio::test]
async fn tokens_of_an_organisations_users_and_clients_stop_working_when_it_is_deactivated() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ngo_a = text(&app.create_ngo(&admin, "NGO A").await, "id");
    let ngo_b = text(&app.create_ngo(&admin, "NGO B").await, "id");
    let user_a = app.user(&admin, Role::NgoCaseworker, &ngo_a).await;
    let user_b = app.user(&admin, Role::NgoCaseworker, &ngo_b).await;
    let client = app.create_client(&admin, &ngo_a, "ngo_manager").await;
    let client_token = app.client_token(&text(&client, "client_id"), &text(&client, "client_secret")).await;
    assert_eq!(app.send(Method::GET, "/api/v1/organizations", Some(&client_token), None).await.status().as_u16(), 200);

    deactivate(&app, &admin, &format!("/api/v1/organizations/{ngo_a}")).await;

    assert_problem(app.send(Method::GET, ME, Some(&user_a.token), None).await, 401, "unauthorized").await;
    assert_problem(
        app.send(Method::GET, "/api/v1/organizations", Some(&client_token), None).await,
        401,
        "unauthorized",
    )
    .await;
    assert_eq!(app.send(Method::GET, ME, Some(&user_b.token), None).await.status().as_u16(), 200, "NGO B is active");
}

#[tokio::test]
async fn a_revoked_clients_token_stops_working_on_the_next_request() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ngo = text(&app.create_ngo(&admin, "NGO A").await, "id");
    let create = app
        .send(
            Method::POST,
            "/api/v1/clients",
            Some(&admin.token),
            Some(&json!({ "organization_id": ngo, "name": "Case system", "role": "ngo_manager" })),
        )
        .await;
    assert_eq!(create.status().as_u16(), 201);
    let tag = etag(&create);
    let client = json(create).await;
    let token = app.client_token(&text(&client, "client_id"), &text(&client, "client_secret")).await;
    assert_eq!(app.send(Method::GET, "/api/v1/organizations", Some(&token), None).await.status().as_u16(), 200);

    let revoke = format!("/api/v1/clients/{}/revoke", text(&client, "id"));
    let revoked = app.send_if_match(Method::POST, &revoke, Some(&admin.token), None, Some(&tag)).await;
    assert_eq!(revoked.status().as_u16(), 200);
    assert_eq!(json(revoked).await["active"], false);

    assert_problem(app.send(Method::GET, "/api/v1/organizations", Some(&token), None).await, 401, "unauthorized").await;
}

#[test]
fn the_hand_built_tokens_use_real_base64url() {
    assert_eq!(b64(b""), "");
    assert_eq!(b64(b"f"), "Zg");
    assert_eq!(b64(b"fo"), "Zm8");
    assert_eq!(b64(b"foo"), "Zm9v");
    assert_eq!(b64(b"hello"), "aGVsbG8");
    assert_eq!(b64(&[0xfb, 0xff, 0xfe]), "-__-");
    // The header of a token the server issued is what this encoder makes of its JSON.
    let pem = server_pem();
    let token = signer(SIGNING_KID, &pem, settings())
        .issue(
            &format!("user:{}", uuid::Uuid::now_v7()),
            "admin",
            "o",
            Generations::default(),
            persistence::now_utc().and_utc(),
        )
        .unwrap()
        .access_token;
    let header = segments(&token).0;
    assert_eq!(header, b64(format!(r#"{{"typ":"JWT","alg":"EdDSA","kid":"{SIGNING_KID}"}}"#).as_bytes()));
}

/// Two API nodes on one database. A deactivation through node A stops the token at A at once
/// (A forgets what it remembered); node B trusts what it last read for at most its
/// `--principal-cache-seconds`, and with 0 reads the database on every request.
#[tokio::test]
async fn a_deactivation_reaches_the_other_nodes_within_their_principal_cache_time() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ngo = text(&app.create_ngo(&admin, "NGO A").await, "id");
    let user = app.user(&admin, Role::NgoManager, &ngo).await;
    let mut uncached = tests::serve_args(app.database.url());
    uncached.auth.principal_cache_seconds = 0;
    let mut cached = tests::serve_args(app.database.url());
    cached.auth.principal_cache_seconds = 1;
    let (node_b, node_c) = (tests::start_server(&uncached).await, tests::start_server(&cached).await);
    let me = |node: &str| app.client.get(format!("{node}{ME}")).bearer_auth(&user.token).send();
    for node in [&app.address, &node_b.0, &node_c.0] {
        assert_eq!(me(node).await.unwrap().status().as_u16(), 200, "{node} remembers the user as active");
    }

    deactivate(&app, &admin, &format!("/api/v1/users/{}", user.id)).await;

    assert_problem(app.send(Method::GET, ME, Some(&user.token), None).await, 401, "unauthorized").await;
    assert_problem(me(&node_b.0).await.unwrap(), 401, "unauthorized").await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_problem(me(&node_c.0).await.unwrap(), 401, "unauthorized").await;
    node_b.1.stop(true).await;
    node_c.1.stop(true).await;
}

#[tokio::test]
async fn a_temporary_password_lets_its_user_do_nothing_but_change_it() {
    // #8.5: a token of a password an administrator set may read who it is and change the
    // password; everything else is a 403 password_change_required until then.
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ngo = text(&app.create_ngo(&admin, "NGO A").await, "id");
    let user = app.user(&admin, Role::NgoManager, &ngo).await;
    let username = app_username(&app, &admin, &user.id).await;
    let temporary = revoke(&app, &admin, &user.id, "password reset").await;
    let token = app.login(&username, &temporary).await;

    let person = json!({ "personal_number": "01001012345", "first_name": "ნინო", "last_name": "ბერიძე" });
    for (method, path, body) in [
        (Method::GET, "/api/v1/persons", None),
        (Method::POST, "/api/v1/persons", Some(&person)),
        (Method::GET, "/api/v1/organizations", None),
        (Method::GET, &format!("/api/v1/users/{}", user.id) as &str, None),
    ] {
        let answer = app.send(method.clone(), path, Some(&token), body).await;
        let problem = assert_problem(answer, 403, "password_change_required").await;
        assert!(problem["detail"].as_str().is_some_and(|d| !d.is_empty()), "{method} {path}: {problem}");
    }
    let me = app.send(Method::GET, ME, Some(&token), None).await;
    assert_eq!(me.status().as_u16(), 200);
    assert_eq!(json(me).await["must_change_password"], true);

    let new_password = "a passphrase only I know 2031";
    let body = json!({ "current_password": temporary, "new_password": new_password });
    let changed = app.send(Method::POST, "/api/v1/users/me/password", Some(&token), Some(&body)).await;
    assert_eq!(changed.status().as_u16(), 204);
    // The temporary password's session ends with it; the new password's session works.
    assert_problem(app.send(Method::GET, ME, Some(&token), None).await, 401, "unauthorized").await;
    let fresh = app.login(&username, new_password).await;
    assert_eq!(app.send(Method::GET, "/api/v1/persons", Some(&fresh), None).await.status().as_u16(), 200);
    let me = json(app.send(Method::GET, ME, Some(&fresh), None).await).await;
    assert_eq!(me["must_change_password"], false);
}
