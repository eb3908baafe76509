//! NGO systems (API clients): registered by an administrator for an NGO; the secret is shown
//! once, can be rotated (the old one stays valid for an overlap) and revoked.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use application::ClientId;
use application::identity::create_client::{CreateClient, client_role, create_client};
use application::identity::revoke_client::revoke_client;
use application::identity::rotate_client_secret::{SecretOverlap, rotate_client_secret};
use chrono::NaiveDateTime;
use persistence::Pool;
use persistence::models::identity::ApiClient;
use persistence::repo::clients as repo;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::access::{Caller, request_id};
use crate::auth::password::HashingPool;
use crate::db;
use crate::error::ApiError;
use crate::http::{List, Listing, PageQuery, etag, if_match};
use crate::input::{Field, FieldErrors};
use crate::schema::ClientRoleSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Client {
    #[schema(format = Uuid)]
    pub id: String,
    /// The `client_id` of the client-credentials grant.
    #[schema(example = "ngo-3f9a1c2b7d4e8a60")]
    pub client_id: String,
    pub name: String,
    /// The NGO it acts for.
    #[schema(format = Uuid)]
    pub organization_id: String,
    /// The rights it acts with for its NGO.
    #[schema(value_type = ClientRoleSchema)]
    pub role: String,
    pub active: bool,
    /// Until when the previous secret still works after a rotation.
    #[serde(serialize_with = "crate::http::optional_instant")]
    #[schema(required = true, value_type = Option<String>, format = DateTime)]
    pub previous_secret_valid_until: Option<NaiveDateTime>,
    /// Send it back in `If-Match` to change the client.
    #[schema(minimum = 1)]
    pub version: i32,
    #[serde(serialize_with = "crate::http::instant")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::http::instant")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
}

impl From<ApiClient> for Client {
    fn from(c: ApiClient) -> Self {
        Self {
            id: c.id,
            client_id: c.client_id,
            name: c.name,
            organization_id: c.organization_id,
            role: c.role.as_str().to_owned(),
            active: c.active,
            previous_secret_valid_until: c.previous_secret_valid_until,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// A client with its secret: returned once, at registration and at each rotation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientWithSecret {
    #[serde(flatten)]
    pub client: Client,
    #[schema(format = Password)]
    pub client_secret: String,
}

/// An NGO's system (administrators only).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "organization_id": "0190a4e0-5b7c-7e21-a3d4-6f8e9c0b1d22",
    "name": "Tolerant case-management system",
    "role": "ngo_caseworker"
}))]
pub struct CreateClientRequest {
    /// An NGO (else 422 `unknown_organization`; the ministry has no systems).
    #[serde(default)]
    #[schema(value_type = String, format = Uuid, required = true)]
    pub organization_id: Field<String>,
    /// What the system is: 1–200 characters (surrounding whitespace is trimmed).
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 200)]
    pub name: Field<String>,
    /// `ngo_caseworker` when absent or `null`.
    #[serde(default)]
    #[schema(value_type = Option<ClientRoleSchema>, default = "ngo_caseworker")]
    pub role: Field<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, serde_json::Value>,
}

impl CreateClientRequest {
    /// The command, or every field error at once. Its `client_id` and `secret_hash` are empty
    /// until the handler has generated the credentials.
    pub(crate) fn parse(self) -> Result<CreateClient, ApiError> {
        let mut errors = FieldErrors::default();
        errors.unknown_fields("", &self.unknown);
        let organization_id = errors.text("organization_id", self.organization_id, 1, 64);
        let name = errors.text("name", self.name, 1, 200);
        let role = client_role(errors.optional("role", self.role, "a string").as_deref())
            .map_err(|error| errors.push(error))
            .ok();
        errors.finish()?;
        match (organization_id, name, role) {
            (Some(organization_id), Some(name), Some(role)) => Ok(CreateClient {
                organization_id: organization_id.into(),
                name,
                role,
                client_id: String::new(),
                secret_hash: String::new(),
            }),
            _ => Err(ApiError::internal("client fields missing after validation")),
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClientQuery {
    /// Only the systems of this NGO.
    #[param(value_type = Option<String>, format = Uuid)]
    pub organization_id: Option<String>,
}

fn with_secret(status: StatusCode, client: ApiClient, secret: String) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    if status == StatusCode::CREATED {
        response.insert_header(crate::http::location("/api/v1/clients", &client.id));
    }
    response
        .insert_header(etag(client.version))
        .insert_header(("Cache-Control", "no-store"))
        .json(ClientWithSecret { client: Client::from(client), client_secret: secret })
}

/// Lists NGO systems.
///
/// The API clients in creation order, filtered by organisation; secrets are never shown again.
#[utoipa::path(operation_id = "list_clients", get, path = "/api/v1/clients", tag = "administration", params(PageQuery, ClientQuery),
    responses((status = 200, body = List<Client>), (status = 403, body = crate::error::Problem)))]
pub async fn list(
    caller: Caller,
    pool: web::Data<Pool>,
    Listing { page, filter: query }: Listing<ClientQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::default();
    let page = page.parse(&mut errors);
    let organization_id = errors.uuid("organization_id", query.into_inner().organization_id);
    errors.finish()?;
    let visibility = caller.visibility();
    let found = db::read(&pool, move |conn| {
        Ok(repo::list(conn, &visibility, organization_id.as_deref(), page.after.as_deref(), page.limit)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(List::from_page(found, Client::from)))
}

/// Reads an NGO system.
///
/// One API client with its `ETag`; its secret is never shown again.
#[utoipa::path(operation_id = "get_client", get, path = "/api/v1/clients/{id}", tag = "administration",
    responses((status = 200, body = Client, headers(("ETag" = String))), (status = 404, body = crate::error::Problem)))]
pub async fn show(caller: Caller, pool: web::Data<Pool>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let visibility = caller.visibility();
    let client = db::read(&pool, move |conn| Ok(repo::get(conn, &visibility, &id)?)).await?;
    Ok(HttpResponse::Ok().insert_header(etag(client.version)).json(Client::from(client)))
}

/// Registers an NGO's system; the response carries `client_secret`, shown this once. Not
/// idempotent: the secret is never kept where a replay could read it back; after a timeout, list
/// the organisation's clients and rotate the new one's secret.
#[utoipa::path(operation_id = "create_client", post, path = "/api/v1/clients", tag = "administration", request_body = CreateClientRequest,
    responses((status = 201, body = ClientWithSecret), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    hashing: web::Data<HashingPool>,
    body: web::Json<CreateClientRequest>,
) -> Result<HttpResponse, ApiError> {
    let mut command = body.into_inner().parse()?;
    let secret = crate::secret::random_secret().map_err(ApiError::internal)?;
    command.client_id = crate::secret::random_id("ngo-").map_err(ApiError::internal)?;
    command.secret_hash = hashing.hash_limited(secret.clone()).await?;
    let client =
        db::write(&pool, caller.actor(), request_id(&request), move |tx| Ok(create_client(tx, command)?)).await?;
    Ok(with_secret(StatusCode::CREATED, client, secret))
}

/// A new secret, shown once; the previous one keeps working for the configured overlap.
#[utoipa::path(operation_id = "rotate_client_secret", post, path = "/api/v1/clients/{id}/rotate-secret", tag = "administration",
    params(("If-Match" = String, Header, description = "The ETag of the version being changed")),
    responses((status = 200, body = ClientWithSecret), (status = 412, body = crate::error::Problem), (status = 428, body = crate::error::Problem)))]
pub async fn rotate_secret(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    hashing: web::Data<HashingPool>,
    overlap: web::Data<SecretOverlap>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&request)?;
    let secret = crate::secret::random_secret().map_err(ApiError::internal)?;
    let secret_hash = hashing.hash_limited(secret.clone()).await?;
    let overlap = **overlap;
    let client = db::write(&pool, caller.actor(), request_id(&request), move |tx| {
        Ok(rotate_client_secret(tx, &ClientId::from(id.as_str()), version, secret_hash, overlap)?)
    })
    .await?;
    Ok(with_secret(StatusCode::OK, client, secret))
}

/// Revokes the client: no secret works any more and its live tokens stop.
#[utoipa::path(operation_id = "revoke_client", post, path = "/api/v1/clients/{id}/revoke", tag = "administration",
    params(("If-Match" = String, Header, description = "The ETag of the version being changed")),
    responses((status = 200, body = Client), (status = 412, body = crate::error::Problem), (status = 428, body = crate::error::Problem)))]
pub async fn revoke(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&request)?;
    let client = db::write(&pool, caller.actor(), request_id(&request), move |tx| {
        Ok(revoke_client(tx, &ClientId::from(id.as_str()), version)?)
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header(etag(client.version)).json(Client::from(client)))
}
