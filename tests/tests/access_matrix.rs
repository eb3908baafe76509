#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The access matrix (API.md "Security": "enforced on the server for every endpoint … and tested
//! for every role"), driven by `api::routes::endpoints()` so that a new endpoint is covered the
//! day it is declared: without a token every non-public endpoint is 401; every role (and an NGO
//! system) gets 403 where its access does not allow it and something else where it does.

use api::access::Access;
use domain::role::Role;
use reqwest::Method;
use serde_json::{Value, json};
use tests::identity::{Login, PASSWORD, text};
use tests::{TestApp, json};

/// One caller of the matrix.
struct Principal {
    name: String,
    role: Role,
    token: String,
}

/// Records the endpoints act on: readable ones for reads, throwaway ones for changes, so that
/// an allowed call that succeeds does not spoil the checks after it.
struct Targets {
    /// NGO A: every NGO principal belongs to it, so a read of it by an allowed role is a 200.
    org_read: String,
    org_write: String,
    user_read: String,
    user_write: String,
    client_read: String,
    client_write: String,
    /// #8.13: real registration records of NGO A (a person, the arrival it recorded for them and
    /// their case), so that an allowed read must find them: a 404 no longer passes.
    person: String,
    arrival: String,
    case: String,
    /// A decision of that case.
    decision: String,
    /// A token that reads the registration records (for their current `ETag`).
    registration_reader: String,
}

fn method(name: &str) -> Method {
    Method::from_bytes(name.as_bytes()).unwrap()
}

fn is_write(method: &str) -> bool {
    method != "GET"
}

/// The path with its first `{…}` segment filled in, and the record it names when the matrix
/// knows its kind (whose current `ETag` a write then sends).
fn fill(path: &str, targets: &Targets, write: bool) -> (String, Option<String>) {
    let Some(start) = path.find('{') else {
        return (path.to_owned(), None);
    };
    let end = path[start..].find('}').map_or(path.len(), |i| start + i + 1);
    let prefix = &path[..start];
    let known = if prefix.ends_with("/organizations/") {
        Some(if write { &targets.org_write } else { &targets.org_read })
    } else if prefix.ends_with("/users/") {
        Some(if write { &targets.user_write } else { &targets.user_read })
    } else if prefix.ends_with("/clients/") {
        Some(if write { &targets.client_write } else { &targets.client_read })
    } else if prefix.ends_with("/persons/") {
        Some(&targets.person)
    } else if prefix.ends_with("/arrivals/") {
        Some(&targets.arrival)
    } else if prefix.ends_with("/cases/") {
        Some(&targets.case)
    } else {
        None
    };
    match known {
        Some(id) => {
            let record = format!("{prefix}{id}");
            let rest = path[end..].replace("{decision_id}", &targets.decision);
            (format!("{record}{rest}"), Some(record))
        }
        // A resource the matrix has no record of yet: a well-formed id that names nothing still
        // shows 401/403 against anything else.
        None => (format!("{prefix}{}{}", uuid::Uuid::now_v7(), &path[end..]), None),
    }
}

/// A plausible body for a write (what matters is 401/403 against anything else).
fn body(method: &str, path: &str, organization_id: &str) -> Option<Value> {
    let unique = uuid::Uuid::now_v7().simple().to_string();
    match (method, path) {
        ("POST", "/api/v1/organizations") | ("PUT", "/api/v1/organizations/{id}") => Some(json!({
            "name_ka": format!("ორგანიზაცია {unique}"),
            "name_en": format!("Organisation {unique}"),
            "legal_form": "non-entrepreneurial non-commercial legal entity",
            "regions": ["GE-TB"],
        })),
        ("POST", "/api/v1/users") => Some(json!({
            "username": format!("matrix-{}", &unique[20..]),
            "full_name": "Matrix User",
            "role": "ngo_caseworker",
            "organization_id": organization_id,
            "password": PASSWORD,
        })),
        ("PUT", "/api/v1/users/{id}") => Some(json!({ "full_name": "Renamed", "role": "ngo_caseworker" })),
        ("POST", "/api/v1/users/me/password") => {
            // A wrong current password: an allowed caller gets 422 and nothing changes.
            Some(json!({ "current_password": "not the current password", "new_password": format!("new {PASSWORD}") }))
        }
        ("POST", "/api/v1/clients") => {
            Some(json!({ "organization_id": organization_id, "name": "Matrix system", "role": "ngo_caseworker" }))
        }
        ("POST", "/api/v1/eligibility/check") => Some(json!({})),
        ("POST", _) | ("PUT", _) | ("PATCH", _) => Some(json!({})),
        _ => None,
    }
}

async fn principals(app: &TestApp, admin: &Login, ngo_a: &str) -> Vec<Principal> {
    let mut principals = Vec::new();
    for role in Role::ALL {
        let token = if role == Role::Admin {
            admin.token.clone()
        } else {
            let organization = if role.belongs_to_ngo() { ngo_a.to_owned() } else { admin.organization_id.clone() };
            app.user(admin, role, &organization).await.token
        };
        principals.push(Principal { name: format!("user {}", role.as_str()), role, token });
    }
    let client = app.create_client(admin, ngo_a, "ngo_manager").await;
    let token = app.client_token(&text(&client, "client_id"), &text(&client, "client_secret")).await;
    principals.push(Principal { name: "client ngo_manager".to_owned(), role: Role::NgoManager, token });
    principals
}

#[tokio::test]
async fn every_endpoint_refuses_a_missing_token_and_every_role_it_does_not_allow() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ngo_a = text(&app.create_ngo(&admin, "NGO A").await, "id");
    let ngo_b = text(&app.create_ngo(&admin, "NGO B").await, "id");
    let throwaway_org = text(&app.create_ngo(&admin, "Throwaway NGO").await, "id");
    let principals = principals(&app, &admin, &ngo_a).await;

    // Records to read (of NGO A) and to change (throwaway ones).
    let manager_of_a = app
        .send(Method::GET, "/api/v1/users?role=ngo_manager", Some(&admin.token), None)
        .await
        .json::<Value>()
        .await
        .unwrap()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let throwaway_user = app
        .send(
            Method::POST,
            "/api/v1/users",
            Some(&admin.token),
            Some(&json!({
                "username": "throwaway-user", "full_name": "Throwaway", "role": "ngo_caseworker",
                "organization_id": ngo_b, "password": PASSWORD,
            })),
        )
        .await;
    assert_eq!(throwaway_user.status().as_u16(), 201);
    let throwaway_user = text(&json(throwaway_user).await, "id");
    let client_of_a = app
        .send(Method::GET, &format!("/api/v1/clients?organization_id={ngo_a}"), Some(&admin.token), None)
        .await
        .json::<Value>()
        .await
        .unwrap()["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let throwaway_client = text(&app.create_client(&admin, &ngo_b, "ngo_caseworker").await, "id");
    let caseworker = principals.iter().find(|p| p.role == Role::NgoCaseworker).map(|p| p.token.clone()).unwrap();
    let number = tests::registration::personal_number(4242);
    let recorded =
        app.create_arrival(&caseworker, &tests::registration::arrival(Some(&number), "2017-03-01", &[], false)).await;
    let person = app.create_person(&caseworker, &tests::registration::minimal_person(&number, "GE-TB")).await;
    let (case, _) = app.create_case(&caseworker, &text(&person, "id"), &text(&recorded, "id"), "2017-03-02").await;
    let (decided, _) = app.decide(&caseworker, &text(&case, "id"), "*").await;
    let targets = Targets {
        decision: text(&decided["decision"], "id"),
        person: text(&person, "id"),
        arrival: text(&recorded, "id"),
        case: text(&case, "id"),
        registration_reader: caseworker,
        org_read: ngo_a.clone(),
        org_write: throwaway_org,
        user_read: manager_of_a,
        user_write: throwaway_user,
        client_read: client_of_a,
        client_write: throwaway_client,
    };

    let mut rows = Vec::new();
    let mut failures = 0;
    let mut checked = 0;
    for endpoint in api::routes::endpoints() {
        let write = is_write(endpoint.method);
        let (path, record) = fill(endpoint.path, &targets, write);
        let body = body(endpoint.method, endpoint.path, &ngo_b);

        // No token, and a token that is not one: 401 unless the endpoint is public.
        for (caller, token) in [("no token", None), ("garbage token", Some("not-a-token"))] {
            let response = app.send(method(endpoint.method), &path, token, body.as_ref()).await;
            let status = response.status().as_u16();
            let content_type = tests::header(&response, "content-type");
            let code = response.json::<Value>().await.map(|b| b["code"].clone()).unwrap_or(Value::Null);
            let ok = if endpoint.access == Access::Public {
                status != 401 && status != 403 && status < 500
            } else {
                status == 401 && code == "unauthorized" && content_type == "application/problem+json"
            };
            checked += 1;
            failures += usize::from(!ok);
            let expected = if endpoint.access == Access::Public { "not 401/403" } else { "401 unauthorized" };
            rows.push(format!(
                "{} {:<6} {:<45} {:<20} expected {:<16} got {status} {code}",
                if ok { "  " } else { "✗ " },
                endpoint.method,
                endpoint.path,
                caller,
                expected
            ));
        }
        if endpoint.access == Access::Public {
            continue;
        }

        for principal in &principals {
            let allowed = endpoint.access.allows(principal.role);
            // A write to a record carries its current version, so an allowed call can succeed.
            let etag_reader = if record.as_ref().is_some_and(|r| {
                r.starts_with("/api/v1/organizations")
                    || r.starts_with("/api/v1/users")
                    || r.starts_with("/api/v1/clients")
            }) {
                &admin.token
            } else {
                &targets.registration_reader
            };
            let if_match = match &record {
                Some(record) if write => Some(app.current_etag(record, etag_reader).await),
                None if write => Some("\"1\"".to_owned()),
                _ => None,
            };
            let response = app
                .send_if_match(
                    method(endpoint.method),
                    &path,
                    Some(&principal.token),
                    body.as_ref(),
                    if_match.as_deref(),
                )
                .await;
            let status = response.status().as_u16();
            let content_type = tests::header(&response, "content-type");
            let code = response.json::<Value>().await.map(|b| b["code"].clone()).unwrap_or(Value::Null);
            // A real record that the caller may read must be found (R11 allows every role that
            // may read these: NGO A's own staff and systems, the ministry and auditors).
            let must_find = allowed && !write && record.is_some();
            let ok = if must_find {
                status == 200
            } else if allowed {
                status != 401 && status != 403 && status < 500
            } else {
                status == 403 && code == "forbidden" && content_type == "application/problem+json"
            };
            checked += 1;
            failures += usize::from(!ok);
            rows.push(format!(
                "{} {:<6} {:<45} {:<20} expected {:<16} got {status} {code}",
                if ok { "  " } else { "✗ " },
                endpoint.method,
                endpoint.path,
                principal.name,
                if must_find {
                    "200"
                } else if allowed {
                    "not 401/403"
                } else {
                    "403 forbidden"
                }
            ));
        }
    }
    // ACCESS_MATRIX=print shows the whole table even when it passes.
    if failures > 0 || std::env::var_os("ACCESS_MATRIX").is_some() {
        eprintln!("access matrix ({failures} of {checked} wrong):\n{}", rows.join("\n"));
    }
    assert_eq!(failures, 0, "{failures} of {checked} access checks failed; the table is on stderr");
    assert!(checked > 100, "only {checked} checks ran");
}

#[test]
fn only_the_intended_endpoints_are_public_and_identity_records_change_only_by_admin() {
    // The matrix above trusts the declarations; this pins the security-relevant ones. A new
    // public endpoint must be added here deliberately (API.md "Security": a bearer token on
    // everything but the public program information, health and docs).
    let public: Vec<(&str, &str)> =
        api::routes::endpoints().iter().filter(|e| e.access == Access::Public).map(|e| (e.method, e.path)).collect();
    assert_eq!(
        public,
        vec![
            ("GET", "/health/live"),
            ("GET", "/health/ready"),
            ("GET", "/api/v1/program"),
            ("GET", "/api/v1/regions"),
            ("POST", "/api/v1/auth/token"),
        ]
    );
    // PROGRAM.md "Roles": organisations, users and API clients are the administrator's.
    let mut identity_writes = 0;
    for endpoint in api::routes::endpoints() {
        let identity = ["/api/v1/organizations", "/api/v1/users", "/api/v1/clients"]
            .iter()
            .any(|prefix| endpoint.path.starts_with(prefix) && !endpoint.path.starts_with("/api/v1/users/me"));
        if identity && endpoint.method != "GET" {
            identity_writes += 1;
            assert_eq!(
                endpoint.access,
                Access::Roles(&[Role::Admin]),
                "{} {}: a change of identity records is the administrator's alone",
                endpoint.method,
                endpoint.path
            );
        }
    }
    assert!(identity_writes >= 12, "{identity_writes}");
}
