//! People who log in: administrators manage them; a user reads and changes their own password.
//! No response ever carries a password hash.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use application::UserId;
use application::identity::change_own_password::{ChangeOwnPassword, change_own_password};
use application::identity::create_user::{CreateUser, create_user, username_error};
use application::identity::set_user_active::set_user_active;
use application::identity::update_user::{UpdateUser, update_user};
use chrono::NaiveDateTime;
use domain::codes;
use domain::message::{FieldError, Message};
use domain::role::Role;
use persistence::models::identity::User as UserRow;
use persistence::repo::users::{self as repo, UserFilter};
use persistence::{Pool, Visibility};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::access::{Caller, request_id};
use crate::auth::password::{self, HashingPool};
use crate::db;
use crate::error::ApiError;
use crate::http::{List, Listing, PageQuery, etag, if_match};
use crate::idempotency::{self, Created};
use crate::input::{Field, FieldErrors, not_an_object};
use crate::schema::RoleSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    #[schema(format = Uuid)]
    pub id: String,
    /// Lower case.
    pub username: String,
    pub full_name: String,
    #[schema(value_type = RoleSchema)]
    pub role: String,
    #[schema(format = Uuid)]
    pub organization_id: String,
    pub active: bool,
    /// Set by an administrator's reset until the user chooses a new password.
    pub must_change_password: bool,
    /// Send it back in `If-Match` to change the user.
    #[schema(minimum = 1)]
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
            role: u.role.as_str().to_owned(),
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
    let mut response = HttpResponse::build(status);
    if status == StatusCode::CREATED {
        response.insert_header(crate::http::location("/api/v1/users", &user.id));
    }
    response.insert_header(etag(user.version)).json(User::from(user))
}

/// A new user (administrators only). Text fields are trimmed of surrounding whitespace before
/// their lengths are checked.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "username": "nino.beridze",
    "full_name": "ნინო ბერიძე",
    "role": "ngo_caseworker",
    "organization_id": "0190a4e0-5b7c-7e21-a3d4-6f8e9c0b1d22",
    "password": "Mtatsminda-Funicular-1905"
}))]
pub struct CreateUserRequest {
    /// 3–64 characters of a–z, 0–9, `.`, `_`, `-`; upper-case letters are accepted and stored
    /// lower-case. A username taken in any case is a 409.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 3, max_length = 64, pattern = "^[A-Za-z0-9._-]{3,64}$")]
    pub username: Field<String>,
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 200)]
    pub full_name: Field<String>,
    /// NGO roles belong to an NGO, the others to the ministry (else 422
    /// `role_does_not_fit_organization`).
    #[serde(default)]
    #[schema(value_type = RoleSchema, required = true)]
    pub role: Field<String>,
    /// An organisation of the kind the role belongs to (else 422 `unknown_organization`).
    #[serde(default)]
    #[schema(value_type = String, format = Uuid, required = true)]
    pub organization_id: Field<String>,
    /// 12–128 characters, not one of the 10,000 most common passwords, not containing the
    /// username.
    #[serde(default)]
    #[schema(value_type = String, format = Password, required = true, min_length = 12, max_length = 128)]
    pub password: Field<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, serde_json::Value>,
}

/// A user's name and role (administrators only).
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({ "full_name": "ნინო ბერიძე", "role": "ngo_manager" }))]
pub struct UpdateUserRequest {
    /// 1–200 characters (surrounding whitespace is trimmed).
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 200)]
    pub full_name: Field<String>,
    /// Must fit the user's organisation (else 422 `role_does_not_fit_organization`).
    #[serde(default)]
    #[schema(value_type = RoleSchema, required = true)]
    pub role: Field<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, serde_json::Value>,
}

/// The calling user's new password, with the current one.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({ "current_password": "the-password-you-logged-in-with", "new_password": "Narikala-Sunrise-Over-Mtkvari" }))]
pub struct ChangePasswordRequest {
    /// The password the user logged in with (a wrong one is 422 `wrong_password`).
    #[serde(default)]
    #[schema(value_type = String, format = Password, required = true)]
    pub current_password: Field<String>,
    /// 12–128 characters, not one of the 10,000 most common passwords, not containing the
    /// username.
    #[serde(default)]
    #[schema(value_type = String, format = Password, required = true, min_length = 12, max_length = 128)]
    pub new_password: Field<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, serde_json::Value>,
}

/// An administrator's reset: a temporary password, shown once, that must be changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordReset {
    pub user: User,
    #[schema(format = Password)]
    pub temporary_password: String,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Only users of this organisation.
    #[param(value_type = Option<String>, format = Uuid)]
    pub organization_id: Option<String>,
    #[param(value_type = Option<RoleSchema>)]
    pub role: Option<String>,
    /// Only active (`true`) or deactivated (`false`) users.
    pub active: Option<bool>,
}

fn parse_role(errors: &mut FieldErrors, field: Field<String>) -> Option<Role> {
    let role = errors.required("role", field, "a string")?;
    let parsed = Role::parse(&role);
    if parsed.is_none() {
        errors.push(FieldError::new(
            "role",
            codes::UNKNOWN_ROLE,
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

impl CreateUserRequest {
    /// The command and the password in clear, or every field error at once. The command's
    /// `password_hash` is empty until the handler has hashed the password.
    pub(crate) fn parse(self) -> Result<(CreateUser, String), ApiError> {
        let mut errors = FieldErrors::default();
        errors.unknown_fields("", &self.unknown);
        let username = errors.text("username", self.username, 3, 64).map(|u| u.to_lowercase());
        if let Some(error) = username.as_deref().and_then(username_error) {
            errors.push(error);
        }
        let full_name = errors.text("full_name", self.full_name, 1, 200);
        let role = parse_role(&mut errors, self.role);
        let organization_id = errors.text("organization_id", self.organization_id, 1, 64);
        let password = errors.required("password", self.password, "a string");
        if let Some(password) = &password {
            check_password(&mut errors, "password", password, username.as_deref().unwrap_or_default());
        }
        errors.finish()?;
        let (Some(username), Some(full_name), Some(role), Some(organization_id), Some(password)) =
            (username, full_name, role, organization_id, password)
        else {
            return Err(ApiError::internal("user fields missing after validation"));
        };
        let command = CreateUser {
            username,
            full_name,
            role,
            organization_id: organization_id.into(),
            password_hash: String::new(),
        };
        Ok((command, password))
    }
}

impl UpdateUserRequest {
    pub(crate) fn parse(self) -> Result<UpdateUser, ApiError> {
        let mut errors = FieldErrors::default();
        errors.unknown_fields("", &self.unknown);
        let full_name = errors.text("full_name", self.full_name, 1, 200);
        let role = parse_role(&mut errors, self.role);
        errors.finish()?;
        let (Some(full_name), Some(role)) = (full_name, role) else {
            return Err(ApiError::internal("user fields missing after validation"));
        };
        Ok(UpdateUser { full_name, role })
    }
}

impl ChangePasswordRequest {
    /// The current and the new password, the new one checked against the policy for `username`.
    pub(crate) fn parse(self, username: &str) -> Result<(String, String), ApiError> {
        let mut errors = FieldErrors::default();
        errors.unknown_fields("", &self.unknown);
        let current = errors.required("current_password", self.current_password, "a string");
        let new = errors.required("new_password", self.new_password, "a string");
        if let Some(new) = &new {
            check_password(&mut errors, "new_password", new, username);
        }
        errors.finish()?;
        match (current, new) {
            (Some(current), Some(new)) => Ok((current, new)),
            _ => Err(ApiError::internal("password fields missing after validation")),
        }
    }
}

fn wrong_password() -> ApiError {
    ApiError::validation(vec![FieldError::new(
        "current_password",
        codes::WRONG_PASSWORD,
        Message::new("მიმდინარე პაროლი არასწორია", "The current password is wrong"),
    )])
}

/// Users the caller may see (an NGO manager: the NGO's own).
#[utoipa::path(operation_id = "list_users", get, path = "/api/v1/users", tag = "administration", params(PageQuery, UserQuery),
    responses((status = 200, body = List<User>), (status = 403, body = crate::error::Problem)))]
pub async fn list(
    caller: Caller,
    pool: web::Data<Pool>,
    Listing { page, filter: query }: Listing<UserQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::default();
    let page = page.parse(&mut errors);
    let query = query.into_inner();
    let role = query.role.map(Field::Valid).and_then(|role| parse_role(&mut errors, role));
    let organization_id = errors.uuid("organization_id", query.organization_id);
    errors.finish()?;
    let filter = UserFilter { organization_id, role: role.map(|r| r.as_str().to_owned()), active: query.active };
    let visibility = caller.visibility();
    let found =
        db::read(&pool, move |conn| Ok(repo::list(conn, &visibility, &filter, page.after.as_deref(), page.limit)?))
            .await?;
    Ok(HttpResponse::Ok().json(List::from_page(found, User::from)))
}

/// Reads a user.
///
/// One account with its `ETag`; an NGO manager reads the NGO's own users only.
#[utoipa::path(operation_id = "get_user", get, path = "/api/v1/users/{id}", tag = "administration",
    responses((status = 200, body = User, headers(("ETag" = String))), (status = 404, body = crate::error::Problem)))]
pub async fn show(caller: Caller, pool: web::Data<Pool>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let visibility = caller.visibility();
    let user = db::read(&pool, move |conn| Ok(repo::get(conn, &visibility, &id)?)).await?;
    Ok(respond(StatusCode::OK, user))
}

/// The calling user (404 for an NGO system, which is no user).
#[utoipa::path(operation_id = "get_current_user", get, path = "/api/v1/users/me", tag = "administration",
    responses((status = 200, body = User), (status = 404, body = crate::error::Problem, description = "The caller is an NGO system, not a person")))]
pub async fn me(caller: Caller, pool: web::Data<Pool>) -> Result<HttpResponse, ApiError> {
    let user_id = caller.user_id().ok_or_else(ApiError::not_found)?.to_owned();
    let user = db::read(&pool, move |conn| Ok(repo::get(conn, &Visibility::All, &user_id)?)).await?;
    Ok(respond(StatusCode::OK, user))
}

/// Creates a user.
///
/// A person's account in an organisation, with a role that fits the organisation's kind and a
/// password that meets the policy. Honours `Idempotency-Key` (the password is never part of the
/// retry check).
#[utoipa::path(operation_id = "create_user", post, path = "/api/v1/users", tag = "administration", request_body = CreateUserRequest,
    responses((status = 201, body = User), (status = 409, body = crate::error::Problem)))]
pub async fn create(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    hashing: web::Data<HashingPool>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let mut body = body.into_inner();
    let parsed: CreateUserRequest = serde_json::from_value(body.clone()).map_err(|_| not_an_object())?;
    let (mut command, password) = parsed.parse()?;
    command.password_hash = hashing.hash_limited(password).await?;
    // The retry check compares a hash of the body: never of the password.
    if let Some(fields) = body.as_object_mut() {
        fields.remove("password");
    }
    idempotency::create(&pool, &caller, &request, &body, move |tx| Created::new(User::from(create_user(tx, command)?)))
        .await
}

/// Changes a user's name and role (`If-Match` required).
#[utoipa::path(operation_id = "update_user", put, path = "/api/v1/users/{id}", tag = "administration", request_body = UpdateUserRequest,
    params(("If-Match" = String, Header, description = "The ETag of the version being changed")),
    responses((status = 200, body = User), (status = 409, body = crate::error::Problem, description = "It would lock the caller out (`self_lockout`)"), (status = 412, body = crate::error::Problem), (status = 428, body = crate::error::Problem)))]
pub async fn update(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: web::Path<String>,
    body: web::Json<UpdateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&request)?;
    let command = body.into_inner().parse()?;
    let user = db::write(&pool, caller.actor(), request_id(&request), move |tx| {
        Ok(update_user(tx, &caller, &UserId::from(id.as_str()), version, command)?)
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
        Ok(set_user_active(tx, &caller, &UserId::from(id.as_str()), version, active)?)
    })
    .await?;
    Ok(respond(StatusCode::OK, user))
}

/// Deactivates a user: no more logins, and live tokens stop working on their next request.
#[utoipa::path(operation_id = "deactivate_user", post, path = "/api/v1/users/{id}/deactivate", tag = "administration",
    params(("If-Match" = String, Header, description = "The ETag of the version being changed")),
    responses((status = 200, body = User), (status = 409, body = crate::error::Problem, description = "It would lock the caller out (`self_lockout`)"), (status = 412, body = crate::error::Problem), (status = 428, body = crate::error::Problem)))]
pub async fn deactivate(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    set_active(caller, request, pool, id.into_inner(), false).await
}

/// Reactivates a user.
///
/// The account may log in again; tokens ended by the deactivation stay ended. `If-Match` required.
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
    responses((status = 200, body = PasswordReset), (status = 409, body = crate::error::Problem, description = "It would lock the caller out (`self_lockout`)"), (status = 412, body = crate::error::Problem), (status = 428, body = crate::error::Problem)))]
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
        Ok(application::identity::reset_password::reset_password(
            tx,
            &caller,
            &UserId::from(id.as_str()),
            version,
            hash,
        )?)
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
    responses((status = 204, description = "Changed; every token of the user, this one too, has ended"),
        (status = 404, body = crate::error::Problem, description = "The caller is an NGO system, not a person"),
        (status = 412, body = crate::error::Problem, description = "The account changed meanwhile (`version_conflict`); try again")))]
pub async fn change_password(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    hashing: web::Data<HashingPool>,
    body: web::Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let user_id = caller.user_id().ok_or_else(ApiError::not_found)?.to_owned();
    let user = db::read(&pool, move |conn| Ok(repo::get(conn, &Visibility::All, &user_id)?)).await?;
    let (current, new) = body.into_inner().parse(&user.username)?;
    if !hashing.verify_limited(current, user.password_hash.clone()).await? {
        return Err(wrong_password());
    }
    let command = ChangeOwnPassword { expected_version: user.version, password_hash: hashing.hash_limited(new).await? };
    db::write(&pool, caller.actor(), request_id(&request), move |tx| Ok(change_own_password(tx, &caller, command)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
