//! Persons (`/api/v1/persons`): one per personal or permit number across the system (R5),
//! registered by an NGO (R11), with only what eligibility needs unless consent is recorded (R14).

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, web};
use application::PersonId;
use application::clock::today_in_tbilisi;
use application::persons::correct_person::{CorrectPerson, correct_person};
use application::persons::register_person::{self, register_person};
use application::persons::{PersonDetails, PersonDraft};
use chrono::{NaiveDate, NaiveDateTime};
use domain::codes;
use domain::eligibility::LegalStatus;
use domain::message::Message;
use domain::person::{Consent, ConsentScope, GeorgianName, LatinName, PhoneNumber, Sex};
use domain::person_id::{PersonalNumber, ResidencePermitNumber};
use domain::region::RegionCode;
use persistence::Pool;
use persistence::models::registration::Person as PersonRow;
use persistence::repo::persons::{self as repo, PersonFilter};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::access::{Caller, request_id};
use crate::db;
use crate::error::ApiError;
use crate::http::{List, Listing, PageQuery, etag, if_match};
use crate::idempotency::{self, Created};
use crate::input::{Field, FieldErrors};
use crate::schema::{
    ConsentScopeSchema, GeorgianNameSchema, LatinNameSchema, LegalStatusSchema, PersonalNumberSchema,
    PhoneNumberSchema, RegionCodeSchema, ResidencePermitNumberInputSchema, ResidencePermitNumberSchema, SexSchema,
};

/// R14: the person's recorded consent. Both fields are required when it is sent.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({ "date": "2017-05-10", "scope": "program_services" }))]
pub struct ConsentBody {
    /// The day the person consented (not in the future, Tbilisi time).
    pub date: NaiveDate,
    #[schema(value_type = ConsentScopeSchema)]
    pub scope: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Person {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(value_type = LegalStatusSchema)]
    pub legal_status: String,
    /// A citizen's personal number.
    #[schema(required = true, value_type = Option<PersonalNumberSchema>)]
    pub personal_number: Option<String>,
    /// A stateless permanent resident's permit number.
    #[schema(required = true, value_type = Option<ResidencePermitNumberSchema>)]
    pub residence_permit_number: Option<String>,
    #[schema(required = true, value_type = Option<GeorgianNameSchema>)]
    pub first_name_ka: Option<String>,
    #[schema(required = true, value_type = Option<GeorgianNameSchema>)]
    pub last_name_ka: Option<String>,
    #[schema(required = true, value_type = Option<LatinNameSchema>)]
    pub first_name_lat: Option<String>,
    #[schema(required = true, value_type = Option<LatinNameSchema>)]
    pub last_name_lat: Option<String>,
    #[schema(required = true)]
    pub date_of_birth: Option<NaiveDate>,
    #[schema(required = true, value_type = Option<SexSchema>)]
    pub sex: Option<String>,
    #[schema(required = true, value_type = Option<PhoneNumberSchema>)]
    pub phone: Option<String>,
    #[schema(required = true, value_type = Option<RegionCodeSchema>)]
    pub residence_region: Option<String>,
    /// Municipality or settlement.
    #[schema(required = true, max_length = 200)]
    pub residence_locality: Option<String>,
    /// R14: without it only what eligibility needs is stored.
    #[schema(required = true)]
    pub consent: Option<ConsentBody>,
    /// The NGO that registered the person.
    #[schema(format = Uuid)]
    pub organization_id: String,
    /// Send it back in `If-Match` to change the person.
    #[schema(minimum = 1)]
    pub version: i32,
    #[serde(serialize_with = "crate::http::instant")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::http::instant")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: NaiveDateTime,
}

impl From<PersonRow> for Person {
    fn from(p: PersonRow) -> Self {
        let consent = match (p.consent_date, p.consent_scope) {
            (Some(date), Some(scope)) => Some(ConsentBody { date, scope }),
            _ => None,
        };
        Self {
            id: p.id,
            legal_status: p.legal_status.as_str().to_owned(),
            personal_number: p.personal_number,
            residence_permit_number: p.residence_permit_number,
            first_name_ka: p.first_name_ka,
            last_name_ka: p.last_name_ka,
            first_name_lat: p.first_name_lat,
            last_name_lat: p.last_name_lat,
            date_of_birth: p.date_of_birth,
            sex: p.sex,
            phone: p.phone_e164,
            residence_region: p.residence_region,
            residence_locality: p.residence_locality,
            consent,
            organization_id: p.organization_id,
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// A person's data as an NGO writes it (create and full update). R14: without `consent` only
/// `legal_status`, the identifying number and `residence_region` are accepted; every other
/// detail is a 422 `consent_required`.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({
    "legal_status": "citizen",
    "personal_number": "01001012345",
    "residence_permit_number": null,
    "first_name_ka": "ნინო",
    "last_name_ka": "ბერიძე",
    "first_name_lat": "Nino",
    "last_name_lat": "Beridze",
    "date_of_birth": "1986-04-17",
    "sex": "female",
    "phone": "+995 555 12 34 56",
    "residence_region": "GE-TB",
    "residence_locality": "Gldani, Tbilisi",
    "consent": { "date": "2017-05-10", "scope": "program_services" }
}))]
pub struct PersonRequest {
    /// R1. A citizen needs `personal_number`, a stateless permanent resident
    /// `residence_permit_number`, `other` neither (a number that does not fit is a 422).
    #[serde(default)]
    #[schema(value_type = LegalStatusSchema, required = true)]
    pub legal_status: Field<String>,
    /// Citizens: the 11-digit personal number (one person per number across the system, R5).
    #[serde(default)]
    #[schema(value_type = Option<PersonalNumberSchema>)]
    pub personal_number: Field<String>,
    /// Stateless permanent residents: the permit number (one person per number, R5).
    #[serde(default)]
    #[schema(value_type = Option<ResidencePermitNumberInputSchema>)]
    pub residence_permit_number: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<GeorgianNameSchema>)]
    pub first_name_ka: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<GeorgianNameSchema>)]
    pub last_name_ka: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<LatinNameSchema>)]
    pub first_name_lat: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<LatinNameSchema>)]
    pub last_name_lat: Field<String>,
    /// From 1900-01-01 to today.
    #[serde(default)]
    #[schema(value_type = Option<NaiveDate>)]
    pub date_of_birth: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<SexSchema>)]
    pub sex: Field<String>,
    /// A Georgian number (nine national digits starting with 3, 4, 5 or 7) in any common notation:
    /// `+995 555 12 34 56`, `995555123456`, `0555123456`, `555-12-34-56`, `(032) 2 43 11 00`;
    /// stored as E.164.
    #[serde(default)]
    #[schema(value_type = Option<String>, pattern = r"^\+?[0-9 ().-]+$")]
    pub phone: Field<String>,
    /// R4: the region of residence.
    #[serde(default)]
    #[schema(value_type = Option<RegionCodeSchema>)]
    pub residence_region: Field<String>,
    /// Municipality or settlement, up to 200 characters.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub residence_locality: Field<String>,
    /// R14: the person's consent; required for any detail beyond legal status, number and region.
    #[serde(default)]
    #[schema(value_type = Option<ConsentBody>)]
    pub consent: Field<ConsentRequest>,
    #[serde(flatten)]
    #[schema(ignore)]
    pub unknown: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ConsentRequest {
    #[serde(default)]
    pub date: Field<String>,
    #[serde(default)]
    pub scope: Field<String>,
    #[serde(flatten)]
    pub unknown: BTreeMap<String, Value>,
}

fn invalid(e: domain::person::InvalidValue) -> (&'static str, Message) {
    (e.code, e.message)
}

impl PersonRequest {
    /// The command: each field parsed into its domain type, then the rules across fields
    /// ([`PersonDetails::parse`]), every failing field at once.
    pub(crate) fn parse(self, today: NaiveDate) -> Result<PersonDetails, ApiError> {
        let mut errors = FieldErrors::default();
        errors.unknown_fields("", &self.unknown);
        let status = errors.required("legal_status", self.legal_status, "a string");
        let legal_status = errors.parse(
            "legal_status",
            status,
            |s| LegalStatus::parse(s).ok_or(()),
            |()| {
                let error = LegalStatus::unknown("legal_status");
                (error.code, error.message)
            },
        );
        let number = errors.optional("personal_number", self.personal_number, "a string");
        let personal_number =
            errors.parse("personal_number", number, PersonalNumber::parse, |e| (e.code(), e.message()));
        let permit = errors.optional("residence_permit_number", self.residence_permit_number, "a string");
        let residence_permit_number =
            errors.parse("residence_permit_number", permit, ResidencePermitNumber::parse, |e| (e.code(), e.message()));
        let text = |errors: &mut FieldErrors, name: &str, field: Field<String>| {
            errors.optional(name, field, "a string").filter(|s| !s.trim().is_empty())
        };
        let first_name_ka = text(&mut errors, "first_name_ka", self.first_name_ka);
        let first_name_ka = errors.parse("first_name_ka", first_name_ka, GeorgianName::parse, invalid);
        let last_name_ka = text(&mut errors, "last_name_ka", self.last_name_ka);
        let last_name_ka = errors.parse("last_name_ka", last_name_ka, GeorgianName::parse, invalid);
        let first_name_lat = text(&mut errors, "first_name_lat", self.first_name_lat);
        let first_name_lat = errors.parse("first_name_lat", first_name_lat, LatinName::parse, invalid);
        let last_name_lat = text(&mut errors, "last_name_lat", self.last_name_lat);
        let last_name_lat = errors.parse("last_name_lat", last_name_lat, LatinName::parse, invalid);
        let birth = errors.optional("date_of_birth", self.date_of_birth, "a date (YYYY-MM-DD)");
        let date_of_birth = errors.date("date_of_birth", birth);
        let sex = text(&mut errors, "sex", self.sex);
        let sex = errors.parse(
            "sex",
            sex,
            |s| Sex::parse(s).ok_or(()),
            |()| (codes::UNKNOWN_SEX, Message::new("female ან male", "female or male")),
        );
        let phone = text(&mut errors, "phone", self.phone);
        let phone = errors.parse("phone", phone, PhoneNumber::parse, invalid);
        let region = text(&mut errors, "residence_region", self.residence_region);
        let residence_region = errors.parse("residence_region", region, RegionCode::parse, |e| (e.code(), e.message()));
        let residence_locality =
            errors.text("residence_locality", self.residence_locality, 0, 200).filter(|s| !s.is_empty());
        let consent = errors
            .optional("consent", self.consent, "an object with date and scope")
            .and_then(|consent| consent.parse(&mut errors, today));
        let draft = PersonDraft {
            legal_status,
            personal_number,
            residence_permit_number,
            first_name_ka,
            last_name_ka,
            first_name_lat,
            last_name_lat,
            date_of_birth,
            sex,
            phone,
            residence_region,
            residence_locality,
            consent,
        };
        Ok(PersonDetails::parse(draft, errors.into_vec(), today)?)
    }
}

impl ConsentRequest {
    fn parse(self, errors: &mut FieldErrors, today: NaiveDate) -> Option<Consent> {
        errors.unknown_fields("consent.", &self.unknown);
        let date = errors.required("consent.date", self.date, "a date (YYYY-MM-DD)");
        let date = errors.date("consent.date", date);
        let scope = errors.required("consent.scope", self.scope, "a string");
        let scope = errors.parse(
            "consent.scope",
            scope,
            |s| ConsentScope::parse(s).ok_or(()),
            |()| {
                (
                    codes::UNKNOWN_CONSENT_SCOPE,
                    Message::new(
                        "program_services ან program_services_and_medical",
                        "program_services or program_services_and_medical",
                    ),
                )
            },
        );
        let (date, scope) = (date?, scope?);
        errors.parse("consent.date", Some(String::new()), |_| Consent::new(date, scope, today), invalid)
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PersonQuery {
    /// The personal number, exactly.
    #[param(value_type = Option<PersonalNumberSchema>)]
    pub personal_number: Option<String>,
    /// The permit number (in either case, as on the person).
    #[param(value_type = Option<ResidencePermitNumberInputSchema>)]
    pub residence_permit_number: Option<String>,
    /// Part of a name in either script (case-insensitive for Latin).
    pub name: Option<String>,
    #[param(value_type = Option<RegionCodeSchema>)]
    pub residence_region: Option<String>,
}

/// Registers a person. A number already known answers 409 `duplicate_person` naming the NGO
/// that holds it (R5, R11). Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/persons", tag = "registration", operation_id = "create_person", request_body = PersonRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retried create return the first response")),
    responses((status = 201, body = Person), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn create(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let parsed: PersonRequest = serde_json::from_value(body.clone()).map_err(|_| crate::input::not_an_object())?;
    let details = parsed.parse(today_in_tbilisi())?;
    let (who, again) = (caller.clone(), details.clone());
    let created = idempotency::create(&pool, &caller, &request, &body, move |tx| {
        Created::new(Person::from(register_person(tx, &who, details)?))
    })
    .await;
    // #8.9: a registration that lost a race for the number names the NGO that won it.
    let who = caller.clone();
    db::explain_conflict(&pool, created, move |conn| Ok(register_person::explain_conflict(conn, &who, &again)?)).await
}

/// Lists persons.
///
/// The persons the caller may see (R11), in registration order, filtered by number, name or region.
#[utoipa::path(get, path = "/api/v1/persons", tag = "registration", operation_id = "list_persons", params(PageQuery, PersonQuery),
    responses((status = 200, body = List<Person>)))]
pub async fn list(
    caller: Caller,
    pool: web::Data<Pool>,
    Listing { page, filter: query }: Listing<PersonQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::default();
    let page = page.parse(&mut errors);
    let q = query.into_inner();
    let filter = PersonFilter {
        personal_number: errors.personal_number("personal_number", q.personal_number),
        residence_permit_number: errors.permit_number("residence_permit_number", q.residence_permit_number),
        name: q.name.filter(|n| !n.trim().is_empty()).map(|n| n.trim().to_owned()),
        residence_region: errors.region("residence_region", q.residence_region),
    };
    errors.finish()?;
    let visibility = caller.visibility();
    let found =
        db::read(&pool, move |conn| Ok(repo::list(conn, &visibility, &filter, page.after.as_deref(), page.limit)?))
            .await?;
    Ok(HttpResponse::Ok().json(List::from_page(found, Person::from)))
}

/// Reads a person.
///
/// One person the caller may see (R11), with the `ETag` for a correction.
#[utoipa::path(get, path = "/api/v1/persons/{id}", tag = "registration", operation_id = "get_person",
    responses((status = 200, body = Person, headers(("ETag" = String))), (status = 404, body = crate::error::Problem)))]
pub async fn show(caller: Caller, pool: web::Data<Pool>, id: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let visibility = caller.visibility();
    let person = db::read(&pool, move |conn| Ok(repo::get(conn, &visibility, &id)?)).await?;
    Ok(HttpResponse::Ok().insert_header(etag(person.version)).json(Person::from(person)))
}

/// Replaces a person's data (`If-Match` required). Changing the number to one another person
/// holds is a 409 `duplicate_person`.
#[utoipa::path(put, path = "/api/v1/persons/{id}", tag = "registration", operation_id = "update_person", request_body = PersonRequest,
    params(("If-Match" = String, Header, description = "The ETag of the version being changed")),
    responses((status = 200, body = Person), (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem), (status = 428, body = crate::error::Problem)))]
pub async fn update(
    caller: Caller,
    request: HttpRequest,
    pool: web::Data<Pool>,
    id: web::Path<String>,
    body: web::Json<PersonRequest>,
) -> Result<HttpResponse, ApiError> {
    let expected_version = if_match(&request)?;
    let details = body.into_inner().parse(today_in_tbilisi())?;
    let command = CorrectPerson { person_id: PersonId::from(id.into_inner()), expected_version, details };
    let who = caller.clone();
    let person =
        db::write(&pool, caller.actor(), request_id(&request), move |tx| Ok(correct_person(tx, &who, command)?))
            .await?;
    Ok(HttpResponse::Ok().insert_header(etag(person.version)).json(Person::from(person)))
}
