//! NGO systems (API clients): registered by an administrator for an NGO; the secret is shown
//! once, can be rotated (the old one stays valid for an overlap) and revoked.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDateTime;
use domain::message::{FieldError, Message};
use domain::role::Role;
use persistence::models::identity::ApiClient;
use persistence::repo::clients::{self as repo, NewClient};
use persistence::{Pool, StoreError, Visibility};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::access::{Caller, request_id};
use crate::auth::password::HashingPool;
use crate::db;
use crate::error::ApiError;
use crate::http::{List, PageQuery, etag, if_match};
use crate::input::{Field, FieldErrors};

/// How long a rotated-out secret keeps working.
#[derive(Debug, Clone, Copy)]
pub struct SecretOverlap(pub chrono::Duration);

#[derive(Debug, Serialize, ToSchema)]
pub struct Client {
    pub id: String,
    /// The `client_id` of the client-credentials grant.
    pub client_id: String,
    pub name: String,
    pub organization_id: String,
    /// The rights it acts with for its NGO: `ngo_manager` or `ngo_caseworker`.
    pub role: String,
    pub active: bool,
    /// Until when the previous secret still works after a rotation.
    #[serde(serialize_with = "crate::http::optional_instant")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub previous_secret_valid_until: Option<NaiveDateTime>,
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
            role: c.role,
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
    pub client_secret: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateClientRequest {
    #[serde(default)]
    #[schema(value_type = String)]
    pub organization_id: Field<String>,
    /// What the system is, e.g. "Tolerant case-management system".
    #[serde(default)]
    #[schema(value_type = String)]
    pub name: Field<String>,
    /// `ngo_caseworker` (default) or `ngo_manager`.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub role: Field<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClientQuery {
    pub organization_id: Option<String>,
}

fn with_secret(status: StatusCode, client: ApiClient, secret: String) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(etag(client.version))
        .insert_header(("Cache-Control", "no-store"))
        .json(ClientWithSecret { client: Client::from(client), client_secret: secret })
}

#[utoipa::path(operation_id = "list_clients", get, path = "/api/v1/clients", tag = "administration", params(PageQuery, ClientQuery),
    responses((status = 200, body = List<Client>), (status = 403, body = crate::error::Problem)))]
pub async fn list(
    caller: Caller,
    pool: web::Data<Pool>,
    page: web::Query<PageQuery>,
    query: web::Query<ClientQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::default();
    let page = page.parse(&mut errors);
    errors.finish()?;
    let visibility = caller.visibility();
    let organization_id = query.into_inner().organization_id;
    let found = db::read(&pool, move |conn| {
        Ok(repo::list(conn, &visibility, organization_id.as_deref(), page.after.as_deref(), page.limit)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(List::from_page(found, Client::from)))
}

#[utoipa::path(operation_id = "get_client", get, path = "/api/v1/clients/{id}", tag = "administration",
    responses((status = 200, body = Client, headers(("ETag" = String))), (status = 404, body = crate::error::Problem)))]
pub async fn show(caller: Caller, pool: web::Data<Pool>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let visibility = caller.visibility();
    let client = db::read(&pool, move |conn| Ok(repo::get(conn, &visibility, &id)?)).await?;
    Ok(HttpResponse::Ok().insert_header(etag(client.version)).json(Client::from(client)))
}

/// Registers an NGO's system; the response carries `client_secret`, shown this once.
#[utoipa::path(operation_id = "create_client", post, path = "/api/v1/clients", tag = "administration", request_body = CreateClientRequest,
    responses((status = 201, body = ClientWithSecret), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    hashing: web::Data<HashingPool>,
    body: web::Json<CreateClientRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut errors = FieldErrors::default();
    errors.unknown_fields("", &body.unknown);
    let organization_id = errors.text("organization_id", body.organization_id, 1, 64);
    let name = errors.text("name", body.name, 1, 200);
    let role = match errors.optional("role", body.role, "a string").as_deref() {
        None | Some("ngo_caseworker") => Some(Role::NgoCaseworker),
        Some("ngo_manager") => Some(Role::NgoManager),
        Some(_) => {
            errors.push(FieldError::new(
                "role",
                "unknown_role",
                Message::new("როლი: ngo_caseworker ან ngo_manager", "role must be ngo_caseworker or ngo_manager"),
            ));
            None
        }
    };
    errors.finish()?;
    let (Some(organization_id), Some(name), Some(role)) = (organization_id, name, role) else {
        return Err(ApiError::internal("client fields missing after validation"));
    };
    let secret = crate::secret::random_secret().map_err(ApiError::internal)?;
    let client_id = crate::secret::random_id("ngo-").map_err(ApiError::internal)?;
    let secret_hash = hashing.hash_limited(secret.clone()).await?;
    let client = db::write(&pool, caller.actor(), request_id(&request), move |tx| {
        match persistence::repo::organizations::get(tx.read(), &Visibility::All, &organization_id) {
            Ok(org) if org.organization.kind == "ngo" => {}
            Ok(_) | Err(StoreError::NotFound) => {
                return Err(ApiError::validation(vec![FieldError::new(
                    "organization_id",
                    "unknown_organization",
                    Message::new("NGO ვერ მოიძებნა", "No such NGO"),
                )]));
            }
            Err(other) => return Err(other.into()),
        }
        Ok(repo::create(
            tx,
            NewClient { organization_id, client_id, name, role: role.as_str().to_owned(), secret_hash },
        )?)
    })
    .await?;
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
    let until = persistence::now_utc() + overlap.0;
    let client = db::write(&pool, caller.actor(), request_id(&request), move |tx| {
        Ok(repo::rotate_secret(tx, &id, version, secret_hash, until)?)
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
    let client =
        db::write(&pool, caller.actor(), request_id(&request), move |tx| Ok(repo::revoke(tx, &id, version)?)).await?;
    Ok(HttpResponse::Ok().insert_header(etag(client.version)).json(Client::from(client)))
}
