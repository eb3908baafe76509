//! Persons (`/api/v1/persons`): one per personal or permit number across the system (R5),
//! registered by an NGO (R11), with only what eligibility needs unless consent is recorded (R14).

use std::collections::BTreeMap;

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime};
use domain::eligibility::LegalStatus;
use domain::message::{FieldError, Message};
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
use crate::error::{ApiError, ErrorCode};
use crate::http::{List, PageQuery, etag, if_match};
use crate::idempotency::{self, Created};
use crate::input::{Field, FieldErrors};
use crate::routes::eligibility::today_in_tbilisi;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ConsentBody {
    /// The day the person consented (not in the future).
    pub date: NaiveDate,
    /// `program_services` or `program_services_and_medical`.
    pub scope: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Person {
    pub id: String,
    /// `citizen`, `stateless_permanent_resident` or `other`.
    pub legal_status: String,
    pub personal_number: Option<String>,
    pub residence_permit_number: Option<String>,
    pub first_name_ka: Option<String>,
    pub last_name_ka: Option<String>,
    pub first_name_lat: Option<String>,
    pub last_name_lat: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub sex: Option<String>,
    /// E.164, e.g. `+995555123456`.
    pub phone: Option<String>,
    pub residence_region: Option<String>,
    /// Municipality or settlement.
    pub residence_locality: Option<String>,
    /// R14: without it only what eligibility needs is stored.
    pub consent: Option<ConsentBody>,
    /// The NGO that registered the person.
    pub organization_id: String,
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
            legal_status: p.legal_status,
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

/// A person's data as an NGO writes it (create and full update).
#[derive(Debug, Deserialize, ToSchema)]
pub struct PersonRequest {
    #[serde(default)]
    #[schema(value_type = String, example = "citizen")]
    pub legal_status: Field<String>,
    /// Citizens: the 11-digit personal number.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "01001012345")]
    pub personal_number: Field<String>,
    /// Stateless persons: the permanent residence permit number.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub residence_permit_number: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "ნინო")]
    pub first_name_ka: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "ბერიძე")]
    pub last_name_ka: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "Nino")]
    pub first_name_lat: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "Beridze")]
    pub last_name_lat: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<NaiveDate>)]
    pub date_of_birth: Field<String>,
    /// `female` or `male`.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub sex: Field<String>,
    /// A Georgian number in any common notation; stored as E.164.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "555 12 34 56")]
    pub phone: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "GE-KK")]
    pub residence_region: Field<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "Rustavi")]
    pub residence_locality: Field<String>,
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
    /// The row to store (without id, owner and timestamps), or every field error at once.
    fn parse(self, today: NaiveDate) -> Result<PersonRow, ApiError> {
        let mut errors = FieldErrors::default();
        errors.unknown_fields("", &self.unknown);
        let status = errors.required("legal_status", self.legal_status, "a string");
        let legal_status = errors.parse(
            "legal_status",
            status,
            |s| LegalStatus::parse(s).ok_or(()),
            |()| {
                (
                    "unknown_legal_status",
                    Message::new(
                        "citizen, stateless_permanent_resident ან other",
                        "citizen, stateless_permanent_resident or other",
                    ),
                )
            },
        );
        let number = errors.optional("personal_number", self.personal_number, "a string");
        let personal_number =
            errors.parse("personal_number", number, PersonalNumber::parse, |e| (e.code(), e.message()));
        let permit = errors.optional("residence_permit_number", self.residence_permit_number, "a string");
        let permit =
            errors.parse("residence_permit_number", permit, ResidencePermitNumber::parse, |e| (e.code(), e.message()));
        match legal_status {
            Some(LegalStatus::Citizen) if personal_number.is_none() && !errors.has("personal_number") => {
                errors.push(FieldError::new(
                    "personal_number",
                    "required",
                    Message::new("მოქალაქის პირადი ნომერი სავალდებულოა", "A citizen's personal number is required"),
                ))
            }
            Some(LegalStatus::StatelessPermanentResident)
                if permit.is_none() && !errors.has("residence_permit_number") =>
            {
                errors.push(FieldError::new(
                    "residence_permit_number",
                    "required",
                    Message::new("ბინადრობის ნებართვის ნომერი სავალდებულოა", "The residence permit number is required"),
                ))
            }
            _ => {}
        }
        let mismatch =
            Message::new("ნომერი არ შეესაბამება სამართლებრივ სტატუსს", "The number does not match the legal status");
        if personal_number.is_some() && legal_status != Some(LegalStatus::Citizen) {
            errors.push(FieldError::new("personal_number", "identifier_does_not_match_legal_status", mismatch.clone()));
        }
        if permit.is_some() && legal_status != Some(LegalStatus::StatelessPermanentResident) {
            errors.push(FieldError::new("residence_permit_number", "identifier_does_not_match_legal_status", mismatch));
        }

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
        if let Some(born) = date_of_birth
            && (born > today || born < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(born))
        {
            errors.push(FieldError::new(
                "date_of_birth",
                "implausible_date_of_birth",
                Message::new("დაბადების თარიღი დაუჯერებელია", "The date of birth is not plausible"),
            ));
        }
        let sex = text(&mut errors, "sex", self.sex);
        let sex = errors.parse(
            "sex",
            sex,
            |s| Sex::parse(s).ok_or(()),
            |()| ("unknown_sex", Message::new("female ან male", "female or male")),
        );
        let phone = text(&mut errors, "phone", self.phone);
        let phone = errors.parse("phone", phone, PhoneNumber::parse, invalid);
        let region = text(&mut errors, "residence_region", self.residence_region);
        let residence_region = errors.parse("residence_region", region, RegionCode::parse, |e| (e.code(), e.message()));
        let residence_locality =
            errors.text("residence_locality", self.residence_locality, 0, 200).filter(|s| !s.is_empty());

        let consent_sent = matches!(self.consent, Field::Valid(_) | Field::WrongType);
        let consent = match errors.optional("consent", self.consent, "an object with date and scope") {
            None => None,
            Some(consent) => {
                errors.unknown_fields("consent.", &consent.unknown);
                let date = errors.required("consent.date", consent.date, "a date (YYYY-MM-DD)");
                let date = errors.date("consent.date", date);
                let scope = errors.required("consent.scope", consent.scope, "a string");
                let scope = errors.parse(
                    "consent.scope",
                    scope,
                    |s| ConsentScope::parse(s).ok_or(()),
                    |()| {
                        (
                            "unknown_consent_scope",
                            Message::new(
                                "program_services ან program_services_and_medical",
                                "program_services or program_services_and_medical",
                            ),
                        )
                    },
                );
                match (date, scope) {
                    (Some(date), Some(scope)) => {
                        errors.parse("consent.date", Some(String::new()), |_| Consent::new(date, scope, today), invalid)
                    }
                    _ => None,
                }
            }
        };
        // R14: without consent, only what eligibility needs (an invalid consent is reported as such).
        if !consent_sent {
            let present = [
                ("first_name_ka", first_name_ka.is_some()),
                ("last_name_ka", last_name_ka.is_some()),
                ("first_name_lat", first_name_lat.is_some()),
                ("last_name_lat", last_name_lat.is_some()),
                ("date_of_birth", date_of_birth.is_some()),
                ("sex", sex.is_some()),
                ("phone", phone.is_some()),
                ("residence_locality", residence_locality.is_some()),
            ];
            for (name, _) in present.iter().filter(|(_, present)| *present) {
                errors.push(FieldError::new(
                    *name,
                    "consent_required",
                    Message::new(
                        "თანხმობის გარეშე ინახება მხოლოდ შესაბამისობისთვის საჭირო მონაცემები (R14)",
                        "Without recorded consent only what eligibility needs is stored (R14)",
                    ),
                ));
            }
        }
        errors.finish()?;
        let Some(legal_status) = legal_status else {
            return Err(ApiError::internal("legal status missing after validation"));
        };
        let names: [Option<String>; 4] = [
            first_name_ka.map(|n| n.as_str().to_owned()),
            last_name_ka.map(|n| n.as_str().to_owned()),
            first_name_lat.map(|n| n.as_str().to_owned()),
            last_name_lat.map(|n| n.as_str().to_owned()),
        ];
        let now = persistence::now_utc();
        Ok(PersonRow {
            id: String::new(),
            legal_status: legal_status.as_str().to_owned(),
            personal_number: personal_number.map(|n| n.as_str().to_owned()),
            residence_permit_number: permit.map(|p| p.as_str().to_owned()),
            search_name: PersonRow::search_name_of(&[&names[0], &names[1], &names[2], &names[3]]),
            first_name_ka: names[0].clone(),
            last_name_ka: names[1].clone(),
            first_name_lat: names[2].clone(),
            last_name_lat: names[3].clone(),
            date_of_birth,
            sex: sex.map(|s| s.as_str().to_owned()),
            phone_e164: phone.map(|p| p.as_str().to_owned()),
            residence_region: residence_region.map(|r| r.code().to_owned()),
            residence_locality,
            consent_date: consent.map(|c| c.given_on),
            consent_scope: consent.map(|c| c.scope.as_str().to_owned()),
            organization_id: String::new(),
            version: 1,
            created_at: now,
            updated_at: now,
        })
    }
}

/// R5: the number is taken; name the holding NGO, and the record only to those who may see it.
/// R5/R11: the person is held by another NGO, named in both languages under `registered_by`.
pub(crate) fn registered_elsewhere(code: ErrorCode, name_ka: &str, name_en: &str) -> ApiError {
    ApiError::new(
        code,
        Message::new(
            format!("პირი უკვე რეგისტრირებულია: {name_ka}"),
            format!("The person is already registered by {name_en}"),
        ),
    )
    .with("registered_by", serde_json::json!({ "ka": name_ka, "en": name_en }))
}

/// R5: the number is held; the person's id only to those who may see the person.
pub(crate) fn duplicate(holder: &persistence::repo::persons::Holder, caller: &Caller) -> ApiError {
    let error =
        registered_elsewhere(ErrorCode::DuplicatePerson, &holder.organization_name_ka, &holder.organization_name_en);
    if caller.visibility().allows(&holder.person.organization_id) {
        error.with("person_id", Value::String(holder.person.id.clone()))
    } else {
        error
    }
}

/// R5: refuses a number another person holds.
fn refuse_held_number(
    conn: &mut persistence::DbConnection,
    who: &Caller,
    row: &PersonRow,
    except: Option<&str>,
) -> Result<(), ApiError> {
    match repo::find_holder(conn, row.personal_number.as_deref(), row.residence_permit_number.as_deref())? {
        Some(holder) if Some(holder.person.id.as_str()) != except => Err(duplicate(&holder, who)),
        _ => Ok(()),
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PersonQuery {
    pub personal_number: Option<String>,
    pub residence_permit_number: Option<String>,
    /// Part of a name in either script (case-insensitive for Latin).
    pub name: Option<String>,
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
    let mut row = parsed.parse(today_in_tbilisi())?;
    row.organization_id = caller.organization_id.clone();
    let (who, again) = (caller.clone(), row.clone());
    let created = idempotency::create(&pool, &caller, &request, &body, move |tx| {
        refuse_held_number(tx.read(), &who, &row, None)?;
        row.id = persistence::new_id();
        let person = repo::create(tx, row)?;
        persistence::repo::arrivals::link_unlinked(tx, person.personal_number.as_deref(), &person.id)?;
        Created::new(Person::from(person))
    })
    .await;
    // #8.9: a registration that lost a race for the number names the NGO that won it.
    let who = caller.clone();
    db::explain_conflict(&pool, created, move |conn| refuse_held_number(conn, &who, &again, None)).await
}

#[utoipa::path(get, path = "/api/v1/persons", tag = "registration", operation_id = "list_persons", params(PageQuery, PersonQuery),
    responses((status = 200, body = List<Person>)))]
pub async fn list(
    caller: Caller,
    pool: web::Data<Pool>,
    page: web::Query<PageQuery>,
    query: web::Query<PersonQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::default();
    let page = page.parse(&mut errors);
    errors.finish()?;
    let q = query.into_inner();
    let filter = PersonFilter {
        personal_number: q.personal_number,
        residence_permit_number: q.residence_permit_number,
        name: q.name.filter(|n| !n.trim().is_empty()).map(|n| n.trim().to_owned()),
        residence_region: q.residence_region,
    };
    let visibility = caller.visibility();
    let found =
        db::read(&pool, move |conn| Ok(repo::list(conn, &visibility, &filter, page.after.as_deref(), page.limit)?))
            .await?;
    Ok(HttpResponse::Ok().json(List::from_page(found, Person::from)))
}

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
    let version = if_match(&request)?;
    let mut row = body.into_inner().parse(today_in_tbilisi())?;
    let visibility = caller.visibility();
    let who = caller.clone();
    let person = db::write(&pool, caller.actor(), request_id(&request), move |tx| {
        let current = repo::get(tx.read(), &visibility, &id)?;
        refuse_held_number(tx.read(), &who, &row, Some(&current.id))?;
        row.id = current.id;
        let person = repo::update(tx, version, row)?;
        // #8.10: the airport's arrivals under a corrected number belong to this person now.
        persistence::repo::arrivals::link_unlinked(tx, person.personal_number.as_deref(), &person.id)?;
        Ok(person)
    })
    .await?;
    Ok(HttpResponse::Ok().insert_header(etag(person.version)).json(Person::from(person)))
}
