//! Organisations: the ministry and the implementing NGOs. Administrators manage them; everyone
//! else reads what R11 lets them see (an NGO only itself).

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, web};
use application::OrganizationId;
use application::identity::create_organization::create_organization;
use application::identity::set_organization_active::set_organization_active;
use application::identity::update_organization::update_organization;
use application::identity::{OrganizationDetails, region_error};
use chrono::NaiveDateTime;
use domain::message::FieldError;
use domain::region::RegionCode;
use persistence::Pool;
use persistence::repo::organizations::{self as repo, OrganizationRecord};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::access::{Caller, request_id};
use crate::db;
use crate::error::ApiError;
use crate::http::{List, Listing, PageQuery, etag, if_match};
use crate::idempotency::{self, Created};
use crate::input::{Field, FieldErrors, not_an_object};
use crate::schema::{CoveredRegionCodeSchema, OrganizationKindSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct Organization {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(value_type = OrganizationKindSchema)]
    pub kind: String,
    pub name_ka: String,
    pub name_en: String,
    pub legal_form: String,
    #[schema(required = true)]
    pub contact_email: Option<String>,
    #[schema(required = true)]
    pub contact_phone: Option<String>,
    #[schema(required = true)]
    pub address: Option<String>,
    /// The regions it works in, each once, sorted (none for the ministry).
    #[schema(value_type = Vec<CoveredRegionCodeSchema>)]
    pub regions: Vec<String>,
    /// A deactivated organisation's users and clients cannot log in; its data stays.
    pub active: bool,
    /// Send it back in `If-Match` to change the organisation.
    #[schema(minimum = 1)]
    pub version: i32,
    #[serde(serialize_with = "crate::http::instant")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::http::instant")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
}

impl From<OrganizationRecord> for Organization {
    fn from(record: OrganizationRecord) -> Self {
        let o = record.organization;
        Self {
            id: o.id,
            kind: o.kind.as_str().to_owned(),
            name_ka: o.name_ka,
            name_en: o.name_en,
            legal_form: o.legal_form,
            contact_email: o.contact_email,
            contact_phone: o.contact_phone,
            address: o.address,
            regions: record.regions,
            active: o.active,
            version: o.version,
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

/// The fields of an organisation an administrator writes (create and full update). Text fields
/// are trimmed of surrounding whitespace before their lengths are checked; an empty optional
/// field is none.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "name_ka": "ფონდი „ტოლერანტი“",
    "name_en": "Foundation \"Tolerant\"",
    "legal_form": "non-entrepreneurial non-commercial legal entity",
    "contact_email": "office@tolerant.example.ge",
    "contact_phone": "+995 32 2 43 11 00",
    "address": "12 Chavchavadze Ave., 0179 Tbilisi",
    "regions": ["GE-TB", "GE-KK"]
}))]
pub struct OrganizationRequest {
    /// The name in Georgian script.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 2, max_length = 200)]
    pub name_ka: Field<String>,
    /// The name in English.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 2, max_length = 200)]
    pub name_en: Field<String>,
    /// E.g. "non-entrepreneurial non-commercial legal entity".
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 2, max_length = 200)]
    pub legal_form: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Email, max_length = 254)]
    pub contact_email: Field<String>,
    /// Free text (not normalised).
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 40)]
    pub contact_phone: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 300)]
    pub address: Field<String>,
    /// Regions it works in (may be empty; repeats count once); occupied territories are not
    /// covered (R4: 422 `region_not_covered`).
    #[serde(default)]
    #[schema(value_type = Vec<CoveredRegionCodeSchema>, required = true)]
    pub regions: Field<Vec<String>>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, serde_json::Value>,
}

impl OrganizationRequest {
    /// The command, or every field error at once.
    pub(crate) fn parse(self) -> Result<OrganizationDetails, ApiError> {
        let mut errors = FieldErrors::default();
        errors.unknown_fields("", &self.unknown);
        let name_ka = errors.text("name_ka", self.name_ka, 2, 200);
        let name_en = errors.text("name_en", self.name_en, 2, 200);
        let legal_form = errors.text("legal_form", self.legal_form, 2, 200);
        let contact_email = errors.email("contact_email", self.contact_email);
        let contact_phone = errors.text("contact_phone", self.contact_phone, 0, 40).filter(|p| !p.is_empty());
        let address = errors.text("address", self.address, 0, 300).filter(|a| !a.is_empty());
        let mut regions = Vec::new();
        for (i, code) in
            errors.required("regions", self.regions, "an array of region codes").unwrap_or_default().iter().enumerate()
        {
            let name = format!("regions[{i}]");
            match RegionCode::parse(code) {
                Ok(region) => match region_error(name, region) {
                    Some(error) => errors.push(error),
                    None => regions.push(region),
                },
                Err(error) => errors.push(FieldError::new(name, error.code(), error.message())),
            }
        }
        errors.finish()?;
        let (Some(name_ka), Some(name_en), Some(legal_form)) = (name_ka, name_en, legal_form) else {
            return Err(ApiError::internal("organisation fields missing after validation"));
        };
        Ok(OrganizationDetails { name_ka, name_en, legal_form, contact_email, contact_phone, address, regions })
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganizationFilter {
    /// Only active (`true`) or deactivated (`false`) organisations.
    pub active: Option<bool>,
}

fn respond(status: actix_web::http::StatusCode, record: OrganizationRecord) -> HttpResponse {
    let version = record.organization.version;
    let mut response = HttpResponse::build(status);
    if status == actix_web::http::StatusCode::CREATED {
        response.insert_header(crate::http::location("/api/v1/organizations", &record.organization.id));
    }
    response.insert_header(etag(version)).json(Organization::from(record))
}

/// Organisations the caller may see, in creation order (an NGO sees only itself).
#[utoipa::path(operation_id = "list_organizations", get, path = "/api/v1/organizations", tag = "administration",
    params(PageQuery, OrganizationFilter),
    responses((status = 200, body = List<Organization>), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub async fn list(
    caller: Caller,
    pool: web::Data<Pool>,
    Listing { page, filter }: Listing<OrganizationFilter>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::default();
    let page = page.parse(&mut errors);
    errors.finish()?;
    let visibility = caller.visibility();
    let active = filter.active;
    let found =
        db::read(&pool, move |conn| Ok(repo::list(conn, &visibility, active, page.after.as_deref(), page.limit)?))
            .await?;
    Ok(HttpResponse::Ok().json(List::from_page(found, Organization::from)))
}

/// One organisation (404 when the caller may not see it).
#[utoipa::path(operation_id = "get_organization", get, path = "/api/v1/organizations/{id}", tag = "administration",
    responses((status = 200, body = Organization, headers(("ETag" = String))), (status = 404, body = crate::error::Problem)))]
pub async fn show(caller: Caller, pool: web::Data<Pool>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let visibility = caller.visibility();
    let record = db::read(&pool, move |conn| Ok(repo::get(conn, &visibility, &id)?)).await?;
    Ok(respond(actix_web::http::StatusCode::OK, record))
}

/// Registers an implementing NGO. Honours `Idempotency-Key`.
#[utoipa::path(operation_id = "create_organization", post, path = "/api/v1/organizations", tag = "administration", request_body = OrganizationRequest,
    responses((status = 201, body = Organization), (status = 409, body = crate::error::Problem)))]
pub async fn create(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let parsed: OrganizationRequest = serde_json::from_value(body.clone()).map_err(|_| not_an_object())?;
    let details = parsed.parse()?;
    idempotency::create(&pool, &caller, &request, &body, move |tx| {
        Created::new(Organization::from(create_organization(tx, details)?))
    })
    .await
}

/// Replaces an organisation's details (`If-Match` required).
#[utoipa::path(operation_id = "update_organization", put, path = "/api/v1/organizations/{id}", tag = "administration", request_body = OrganizationRequest,
    params(("If-Match" = String, Header, description = "The ETag of the version being changed")),
    responses((status = 200, body = Organization), (status = 409, body = crate::error::Problem, description = "The name is another organisation's (`conflict`)"), (status = 412, body = crate::error::Problem), (status = 428, body = crate::error::Problem)))]
pub async fn update(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: web::Path<String>,
    body: web::Json<OrganizationRequest>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&request)?;
    let details = body.into_inner().parse()?;
    let record = db::write(&pool, caller.actor(), request_id(&request), move |tx| {
        Ok(update_organization(tx, &OrganizationId::from(id.as_str()), version, details)?)
    })
    .await?;
    Ok(respond(actix_web::http::StatusCode::OK, record))
}

async fn set_active(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: String,
    active: bool,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&request)?;
    let record = db::write(&pool, caller.actor(), request_id(&request), move |tx| {
        Ok(set_organization_active(tx, &caller, &OrganizationId::from(id.as_str()), version, active)?)
    })
    .await?;
    Ok(respond(actix_web::http::StatusCode::OK, record))
}

/// Deactivates an organisation.
///
/// Its users and clients can no longer log in and their live
/// tokens stop working; its data stays. `If-Match` required.
#[utoipa::path(operation_id = "deactivate_organization", post, path = "/api/v1/organizations/{id}/deactivate", tag = "administration",
    params(("If-Match" = String, Header, description = "The ETag of the version being changed")),
    responses((status = 200, body = Organization), (status = 409, body = crate::error::Problem, description = "It would lock the caller out (`self_lockout`)"), (status = 412, body = crate::error::Problem), (status = 428, body = crate::error::Problem)))]
pub async fn deactivate(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    set_active(caller, request, pool, id.into_inner(), false).await
}

/// Reactivates an organisation. `If-Match` required.
#[utoipa::path(operation_id = "activate_organization", post, path = "/api/v1/organizations/{id}/activate", tag = "administration",
    params(("If-Match" = String, Header, description = "The ETag of the version being changed")),
    responses((status = 200, body = Organization), (status = 412, body = crate::error::Problem), (status = 428, body = crate::error::Problem)))]
pub async fn activate(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    set_active(caller, request, pool, id.into_inner(), true).await
}
