//! People who log in: administrators manage them; a user reads and changes their own password.
//! No response ever carries a password hash.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDateTime;
use domain::message::{FieldError, Message};
use domain::role::Role;
use persistence::Pool;
use persistence::models::identity::User as UserRow;
use persistence::repo::users::{self as repo, NewUser, UserFilter};
use persistence::{DbConnection, StoreError, Visibility};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::access::{Caller, PrincipalKind, request_id};
use crate::auth::password::{self, HashingPool};
use crate::db;
use crate::error::{ApiError, ErrorCode};
use crate::http::{List, PageQuery, etag, if_match};
use crate::input::{Field, FieldErrors};

#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    pub id: String,
    pub username: String,
    pub full_name: String,
    /// `admin`, `ministry_officer`, `ngo_manager`, `ngo_caseworker` or `auditor`.
    pub role: String,
    pub organization_id: String,
    pub active: bool,
    /// Set by an administrator's reset until the user chooses a new password.
    pub must_change_password: bool,
    pub version: i32,
    #[serde(serialize_with = "crate::http::instant")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::http::instant")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
}

impl From<UserRow> for User {
    fn from(u: UserRow) -> Self {
        Self {
            id: u.id,
            username: u.username,
            full_name: u.full_name,
            role: u.role,
            organization_id: u.organization_id,
            active: u.active,
            must_change_password: u.must_change_password,
            version: u.version,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

fn respond(status: StatusCode, user: UserRow) -> HttpResponse {
    HttpResponse::build(status).insert_header(etag(user.version)).json(User::from(user))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateUserRequest {
    /// 3–64 characters of a–z, 0–9, `.`, `_`, `-` (stored lower-case).
    #[serde(default)]
    #[schema(value_type = String, example = "nino.beridze")]
    pub username: Field<String>,
    #[serde(default)]
    #[schema(value_type = String, example = "ნინო ბერიძე")]
    pub full_name: Field<String>,
    #[serde(default)]
    #[schema(value_type = String, example = "ngo_caseworker")]
    pub role: Field<String>,
    /// NGO roles belong to an NGO, the others to the ministry.
    #[serde(default)]
    #[schema(value_type = String)]
    pub organization_id: Field<String>,
    /// At least 12 characters, not a common password, not containing the username.
    #[serde(default)]
    #[schema(value_type = String, format = Password)]
    pub password: Field<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateUserRequest {
    #[serde(default)]
    #[schema(value_type = String)]
    pub full_name: Field<String>,
    #[serde(default)]
    #[schema(value_type = String)]
    pub role: Field<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ChangePasswordRequest {
    #[serde(default)]
    #[schema(value_type = String, format = Password)]
    pub current_password: Field<String>,
    #[serde(default)]
    #[schema(value_type = String, format = Password)]
    pub new_password: Field<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, serde_json::Value>,
}

/// An administrator's reset: a temporary password, shown once, that must be changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordReset {
    pub user: User,
    pub temporary_password: String,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    pub organization_id: Option<String>,
    pub role: Option<String>,
    pub active: Option<bool>,
}

fn parse_role(errors: &mut FieldErrors, field: Field<String>) -> Option<Role> {
    let role = errors.required("role", field, "a string")?;
    let parsed = Role::parse(&role);
    if parsed.is_none() {
        errors.push(FieldError::new(
            "role",
            "unknown_role",
            Message::new(
                "როლი: admin, ministry_officer, ngo_manager, ngo_caseworker ან auditor",
                "role must be admin, ministry_officer, ngo_manager, ngo_caseworker or auditor",
            ),
        ));
    }
    parsed
}

fn check_password(errors: &mut FieldErrors, name: &str, password: &str, username: &str) {
    if let Err(violations) = password::check_policy(password, username) {
        errors.extend(violations.iter().map(|v| FieldError::new(name, v.code(), v.message())));
    }
}

/// NGO roles belong to an NGO, the others to the ministry (PROGRAM.md "Roles").
fn check_role_fits_organization(conn: &mut DbConnection, role: Role, organization_id: &str) -> Result<(), ApiError> {
    let organization = match persistence::repo::organizations::get(conn, &Visibility::All, organization_id) {
        Err(StoreError::NotFound) => {
            return Err(ApiError::validation(vec![FieldError::new(
                "organization_id",
                "unknown_organization",
                Message::new("ორგანიზაცია ვერ მოიძებნა", "No such organisation"),
            )]));
        }
        other => other?,
    };
    let fits = if role.belongs_to_ngo() {
        organization.organization.kind == "ngo"
    } else {
        organization.organization.kind == "ministry"
    };
    if fits {
        Ok(())
    } else {
        Err(ApiError::validation(vec![FieldError::new(
            "role",
            "role_does_not_fit_organization",
            Message::new(
                "NGO-ს როლები ეკუთვნის NGO-ს, დანარჩენი - სამინისტროს",
                "NGO roles belong to an NGO, the other roles to the ministry",
            ),
        )]))
    }
}

fn duplicate_username(error: ApiError) -> ApiError {
    if error.code == ErrorCode::Conflict {
        ApiError::new(ErrorCode::Conflict, Message::new("ეს მომხმარებლის სახელი დაკავებულია", "This username is taken"))
    } else {
        error
    }
}

/// Users the caller may see (an NGO manager: the NGO's own).
#[utoipa::path(operation_id = "list_users", get, path = "/api/v1/users", tag = "administration", params(PageQuery, UserQuery),
    responses((status = 200, body = List<User>), (status = 403, body = crate::error::Problem)))]
pub async fn list(
    caller: Caller,
    pool: web::Data<Pool>,
    page: web::Query<PageQuery>,
    query: web::Query<UserQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::default();
    let page = page.parse(&mut errors);
    errors.finish()?;
    let query = query.into_inner();
    let filter = UserFilter { organization_id: query.organization_id, role: query.role, active: query.active };
    let visibility = caller.visibility();
    let found =
        db::read(&pool, move |conn| Ok(repo::list(conn, &visibility, &filter, page.after.as_deref(), page.limit)?))
            .await?;
    Ok(HttpResponse::Ok().json(List::from_page(found, User::from)))
}

#[utoipa::path(operation_id = "get_user", get, path = "/api/v1/users/{id}", tag = "administration",
    responses((status = 200, body = User, headers(("ETag" = String))), (status = 404, body = crate::error::Problem)))]
pub async fn show(caller: Caller, pool: web::Data<Pool>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let visibility = caller.visibility();
    let user = db::read(&pool, move |conn| Ok(repo::get(conn, &visibility, &id)?)).await?;
    Ok(respond(StatusCode::OK, user))
}

/// The calling user (404 for an NGO system, which is no user).
#[utoipa::path(operation_id = "get_current_user", get, path = "/api/v1/users/me", tag = "administration",
    responses((status = 200, body = User), (status = 401, body = crate::error::Problem)))]
pub async fn me(caller: Caller, pool: web::Data<Pool>) -> Result<HttpResponse, ApiError> {
    if caller.kind != PrincipalKind::User {
        return Err(ApiError::not_found());
    }
    let user = db::read(&pool, move |conn| Ok(repo::get(conn, &Visibility::All, &caller.id)?)).await?;
    Ok(respond(StatusCode::OK, user))
}

#[utoipa::path(operation_id = "create_user", post, path = "/api/v1/users", tag = "administration", request_body = CreateUserRequest,
    responses((status = 201, body = User), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    hashing: web::Data<HashingPool>,
    body: web::Json<CreateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut errors = FieldErrors::default();
    errors.unknown_fields("", &body.unknown);
    let username = errors.text("username", body.username, 3, 64).map(|u| u.to_lowercase());
    if let Some(name) = &username
        && !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
    {
        errors.push(FieldError::new(
            "username",
            "invalid_username",
            Message::new("მხოლოდ a-z, 0-9, '.', '_' და '-'", "Only a-z, 0-9, '.', '_' and '-'"),
        ));
    }
    let full_name = errors.text("full_name", body.full_name, 1, 200);
    let role = parse_role(&mut errors, body.role);
    let organization_id = errors.text("organization_id", body.organization_id, 1, 64);
    let password = errors.required("password", body.password, "a string");
    if let Some(password) = &password {
        check_password(&mut errors, "password", password, username.as_deref().unwrap_or_default());
    }
    errors.finish()?;
    let (Some(username), Some(full_name), Some(role), Some(organization_id), Some(password)) =
        (username, full_name, role, organization_id, password)
    else {
        return Err(ApiError::internal("user fields missing after validation"));
    };
    let password_hash = hashing.hash_limited(password).await?;
    let user = db::write(&pool, caller.actor(), request_id(&request), move |tx| {
        check_role_fits_organization(tx.read(), role, &organization_id)?;
        Ok(repo::create(
            tx,
            NewUser {
                organization_id,
                username,
                full_name,
                role: role.as_str().to_owned(),
                password_hash,
                must_change_password: false,
            },
        )?)
    })
    .await
    .map_err(duplicate_username)?;
    Ok(respond(StatusCode::CREATED, user))
}

/// Changes a user's name and role (`If-Match` required).
#[utoipa::path(operation_id = "update_user", put, path = "/api/v1/users/{id}", tag = "administration", request_body = UpdateUserRequest,
    params(("If-Match" = String, Header, description = "The ETag of the version being changed")),
    responses((status = 200, body = User), (status = 412, body = crate::error::Problem), (status = 428, body = crate::error::Problem)))]
pub async fn update(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: web::Path<String>,
    body: web::Json<UpdateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&request)?;
    let body = body.into_inner();
    let mut errors = FieldErrors::default();
    errors.unknown_fields("", &body.unknown);
    let full_name = errors.text("full_name", body.full_name, 1, 200);
    let role = parse_role(&mut errors, body.role);
    errors.finish()?;
    let (Some(full_name), Some(role)) = (full_name, role) else {
        return Err(ApiError::internal("user fields missing after validation"));
    };
    let user = db::write(&pool, caller.actor(), request_id(&request), move |tx| {
        let current = repo::get(tx.read(), &Visibility::All, &id)?;
        check_role_fits_organization(tx.read(), role, &current.organization_id)?;
        Ok(repo::update(tx, &id, version, full_name, role.as_str().to_owned())?)
    })
    .await?;
    Ok(respond(StatusCode::OK, user))
}

async fn set_active(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: String,
    active: bool,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&request)?;
    let user = db::write(&pool, caller.actor(), request_id(&request), move |tx| {
        Ok(repo::set_active(tx, &id, version, active)?)
    })
    .await?;
    Ok(respond(StatusCode::OK, user))
}

/// Deactivates a user: no more logins, and live tokens stop working on their next request.
#[utoipa::path(operation_id = "deactivate_user", post, path = "/api/v1/users/{id}/deactivate", tag = "administration",
    params(("If-Match" = String, Header, description = "The ETag of the version being changed")),
    responses((status = 200, body = User), (status = 412, body = crate::error::Problem), (status = 428, body = crate::error::Problem)))]
pub async fn deactivate(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    set_active(caller, request, pool, id.into_inner(), false).await
}

#[utoipa::path(operation_id = "activate_user", post, path = "/api/v1/users/{id}/activate", tag = "administration",
    params(("If-Match" = String, Header, description = "The ETag of the version being changed")),
    responses((status = 200, body = User), (status = 412, body = crate::error::Problem), (status = 428, body = crate::error::Problem)))]
pub async fn activate(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    set_active(caller, request, pool, id.into_inner(), true).await
}

/// An administrator's reset: a temporary password, returned once, that the user must change.
#[utoipa::path(operation_id = "reset_user_password", post, path = "/api/v1/users/{id}/password-reset", tag = "administration",
    params(("If-Match" = String, Header, description = "The ETag of the version being changed")),
    responses((status = 200, body = PasswordReset), (status = 412, body = crate::error::Problem), (status = 428, body = crate::error::Problem)))]
pub async fn reset_password(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    hashing: web::Data<HashingPool>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&request)?;
    let temporary = crate::secret::random_secret().map_err(ApiError::internal)?;
    let hash = hashing.hash_limited(temporary.clone()).await?;
    let user = db::write(&pool, caller.actor(), request_id(&request), move |tx| {
        Ok(repo::set_password(tx, &id, version, hash, true)?)
    })
    .await?;
    let tag = etag(user.version);
    Ok(HttpResponse::Ok()
        .insert_header(tag)
        .insert_header(("Cache-Control", "no-store"))
        .json(PasswordReset { user: User::from(user), temporary_password: temporary }))
}

/// The calling user changes their own password (the current one is required).
#[utoipa::path(operation_id = "change_own_password", post, path = "/api/v1/users/me/password", tag = "administration", request_body = ChangePasswordRequest,
    responses((status = 204), (status = 422, body = crate::error::Problem)))]
pub async fn change_password(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    hashing: web::Data<HashingPool>,
    body: web::Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    if caller.kind != PrincipalKind::User {
        return Err(ApiError::not_found());
    }
    let body = body.into_inner();
    let user_id = caller.id.clone();
    let user = db::read(&pool, move |conn| Ok(repo::get(conn, &Visibility::All, &user_id)?)).await?;
    let mut errors = FieldErrors::default();
    errors.unknown_fields("", &body.unknown);
    let current = errors.required("current_password", body.current_password, "a string");
    let new = errors.required("new_password", body.new_password, "a string");
    if let Some(new) = &new {
        check_password(&mut errors, "new_password", new, &user.username);
    }
    errors.finish()?;
    let (Some(current), Some(new)) = (current, new) else {
        return Err(ApiError::internal("password fields missing after validation"));
    };
    let verified = hashing.verify_limited(current, user.password_hash.clone()).await?;
    if !verified {
        return Err(ApiError::validation(vec![FieldError::new(
            "current_password",
            "wrong_password",
            Message::new("მიმდინარე პაროლი არასწორია", "The current password is wrong"),
        )]));
    }
    let hash = hashing.hash_limited(new).await?;
    let version = user.version;
    db::write(&pool, caller.actor(), request_id(&request), move |tx| {
        Ok(repo::set_password(tx, &caller.id, version, hash, false)?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
