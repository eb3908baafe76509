//! Identities for tests: a signing key shared by the test process, a bootstrapped administrator,
//! and helpers that create organisations, users and clients over HTTP and log them in.

use std::path::PathBuf;
use std::sync::LazyLock;

use api::auth::password;
use domain::role::Role;
use persistence::models::identity::OrganizationChanges;
use persistence::repo::{organizations, users};
use persistence::{Actor, in_write_transaction};
use serde_json::{Value, json};

use crate::{TestApp, json};

pub const SIGNING_KID: &str = "test-key-1";
pub const ADMIN_USERNAME: &str = "root-admin";
/// Strong enough for the password policy; used for every test user.
pub const PASSWORD: &str = "correct horse battery staple 2017";

static SIGNING_KEY: LazyLock<PathBuf> = LazyLock::new(|| {
    let dir = std::env::temp_dir().join(format!("reintegration-test-keys-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join("signing.pem");
    let pem = api::auth::keys::generate_private_pem().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&path, pem).unwrap_or_else(|e| panic!("{e}"));
    path
});

/// The PKCS#8 PEM file every test server signs with (one per test process).
pub fn signing_key_file() -> PathBuf {
    SIGNING_KEY.clone()
}

static PASSWORD_HASH: LazyLock<String> =
    LazyLock::new(|| password::hash(PASSWORD).unwrap_or_else(|e| panic!("cannot hash: {e}")));

/// A logged-in principal.
#[derive(Debug, Clone)]
pub struct Login {
    pub id: String,
    pub organization_id: String,
    pub token: String,
}

impl TestApp {
    /// Creates the ministry and an administrator directly in the database (what
    /// `reintegration admin create` does) and logs the administrator in.
    pub async fn admin(&self) -> Login {
        let mut conn = self.database.connect();
        let (organization_id, user_id) = in_write_transaction(&mut conn, &Actor::System, None, |tx| {
            let ministry = match organizations::find_by_name_en(tx.read(), "Ministry (test)")? {
                Some(existing) => existing.id,
                None => {
                    organizations::create(
                        tx,
                        organizations::NewOrganization {
                            kind: domain::organization::OrganizationKind::Ministry,
                            changes: OrganizationChanges {
                                name_ka: "სამინისტრო (ტესტი)".to_owned(),
                                name_en: "Ministry (test)".to_owned(),
                                legal_form: "ministry".to_owned(),
                                contact_email: None,
                                contact_phone: None,
                                address: None,
                            },
                            regions: Vec::new(),
                        },
                    )?
                    .organization
                    .id
                }
            };
            let user = match users::find_for_login(tx.read(), ADMIN_USERNAME)? {
                Some((user, _, _)) => user,
                None => users::create(
                    tx,
                    users::NewUser {
                        organization_id: ministry.clone(),
                        username: ADMIN_USERNAME.to_owned(),
                        full_name: "Test Administrator".to_owned(),
                        role: domain::role::Role::Admin,
                        password_hash: PASSWORD_HASH.clone(),
                        must_change_password: false,
                    },
                )?,
            };
            Ok::<_, persistence::StoreError>((ministry, user.id))
        })
        .unwrap_or_else(|e| panic!("bootstrap: {e}"));
        let token = self.login(ADMIN_USERNAME, PASSWORD).await;
        Login { id: user_id, organization_id, token }
    }

    /// A token of the bootstrapped administrator, obtained once per test app.
    pub async fn token(&self) -> String {
        self.admin_token.get_or_init(|| async { self.admin().await.token }).await.clone()
    }

    /// `POST /api/v1/auth/token` with the password grant; panics unless it succeeds.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let response = self.password_grant(username, password).await;
        assert_eq!(response.status().as_u16(), 200, "login of {username}");
        json(response).await["access_token"].as_str().unwrap_or_default().to_owned()
    }

    pub async fn password_grant(&self, username: &str, password: &str) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/auth/token"))
            .form(&[("grant_type", "password"), ("username", username), ("password", password)])
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Creates an NGO through the API as `admin`; returns its JSON.
    pub async fn create_ngo(&self, admin: &Login, name_en: &str) -> Value {
        let body = json!({
            "name_ka": format!("ორგანიზაცია {name_en}"),
            "name_en": name_en,
            "legal_form": "non-entrepreneurial non-commercial legal entity",
            "regions": ["GE-TB", "GE-KK"],
        });
        let response = self.send(reqwest::Method::POST, "/api/v1/organizations", Some(&admin.token), Some(&body)).await;
        assert_eq!(response.status().as_u16(), 201, "create NGO {name_en}");
        json(response).await
    }

    /// Creates a user with `role` in `organization_id` through the API and logs them in.
    pub async fn user(&self, admin: &Login, role: Role, organization_id: &str) -> Login {
        let username =
            format!("{}-{}", role.as_str().replace('_', "-"), &uuid::Uuid::now_v7().simple().to_string()[20..]);
        let body = json!({
            "username": username,
            "full_name": format!("Test {}", role.as_str()),
            "role": role.as_str(),
            "organization_id": organization_id,
            "password": PASSWORD,
        });
        let response = self.send(reqwest::Method::POST, "/api/v1/users", Some(&admin.token), Some(&body)).await;
        assert_eq!(response.status().as_u16(), 201, "create {username}");
        let created = json(response).await;
        let token = self.login(&username, PASSWORD).await;
        Login {
            id: created["id"].as_str().unwrap_or_default().to_owned(),
            organization_id: organization_id.to_owned(),
            token,
        }
    }

    /// Any request, with an optional bearer token and JSON body.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> reqwest::Response {
        let mut request = self.client.request(method.clone(), self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }
}

/// Every role, for matrix tests.
pub const ROLES: [Role; 5] = Role::ALL;

/// The `ETag` of a response ("" when absent).
pub fn etag(response: &reqwest::Response) -> String {
    crate::header(response, "etag")
}

/// The text of a `String`/`&str` field of a JSON object ("" when absent).
pub fn text(value: &Value, key: &str) -> String {
    value[key].as_str().unwrap_or_default().to_owned()
}

impl TestApp {
    /// Any request, with an optional bearer token, JSON body and `If-Match`.
    pub async fn send_if_match(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        if_match: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self.client.request(method.clone(), self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Some(tag) = if_match {
            request = request.header("If-Match", tag);
        }
        request.send().await.unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// The current `ETag` of a record, read with `token` (panics unless the read succeeds).
    pub async fn current_etag(&self, path: &str, token: &str) -> String {
        let response = self.send(reqwest::Method::GET, path, Some(token), None).await;
        assert_eq!(response.status().as_u16(), 200, "GET {path}");
        let tag = etag(&response);
        assert!(!tag.is_empty(), "GET {path} has no ETag");
        tag
    }

    /// Registers an API client of `organization_id` with `role` (`ngo_manager` or
    /// `ngo_caseworker`) as `admin`; returns its JSON, which carries `client_secret`.
    pub async fn create_client(&self, admin: &Login, organization_id: &str, role: &str) -> Value {
        let body = json!({ "organization_id": organization_id, "name": format!("System {role}"), "role": role });
        let response = self.send(reqwest::Method::POST, "/api/v1/clients", Some(&admin.token), Some(&body)).await;
        assert_eq!(response.status().as_u16(), 201, "create client");
        json(response).await
    }

    /// `grant_type=client_credentials` with `client_id` and `client_secret` as form fields.
    pub async fn client_grant_form(&self, client_id: &str, secret: &str) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/auth/token"))
            .form(&[("grant_type", "client_credentials"), ("client_id", client_id), ("client_secret", secret)])
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// `grant_type=client_credentials` with HTTP Basic client authentication.
    pub async fn client_grant_basic(&self, client_id: &str, secret: &str) -> reqwest::Response {
        self.client
            .post(self.url("/api/v1/auth/token"))
            .basic_auth(client_id, Some(secret))
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// A token of an API client (panics unless the grant succeeds).
    pub async fn client_token(&self, client_id: &str, secret: &str) -> String {
        let response = self.client_grant_basic(client_id, secret).await;
        assert_eq!(response.status().as_u16(), 200, "client credentials of {client_id}");
        json(response).await["access_token"].as_str().unwrap_or_default().to_owned()
    }
}
