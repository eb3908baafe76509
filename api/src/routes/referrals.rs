//! The vocational referral feed (`/api/v1/referrals/vocational`): every S4 referral for the
//! ministry's Migration and Repatriation Division, exactly once and in a stable order for a
//! poller that follows the cursor, as JSON or, with `Accept: text/csv`, as a UTF-8 CSV with a
//! byte-order mark for the division's spreadsheets.

use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use domain::codes;
use domain::message::{FieldError, Message};
use persistence::Pool;
use persistence::repo::services::{self as repo, FeedItem};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db;
use crate::error::ApiError;
use crate::export::{self, Format};
use crate::http::{decode_cursor, encode_cursor};
use crate::input::FieldErrors;
use crate::schema::{RegionCodeSchema, ServiceStatusSchema};

/// The most referrals one page holds, and the default.
const MAX_LIMIT: usize = 500;
const DEFAULT_LIMIT: usize = 100;

/// The person of a referral, as far as their consent let the NGO record them (R14).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralPerson {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(required = true)]
    pub first_name_ka: Option<String>,
    #[schema(required = true)]
    pub last_name_ka: Option<String>,
    #[schema(required = true)]
    pub first_name_lat: Option<String>,
    #[schema(required = true)]
    pub last_name_lat: Option<String>,
    /// E.164.
    #[schema(required = true)]
    pub phone: Option<String>,
    #[schema(value_type = Option<RegionCodeSchema>, required = true)]
    pub residence_region: Option<String>,
}

/// The NGO that referred, and how to reach it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralOrganization {
    #[schema(format = Uuid)]
    pub id: String,
    pub name_ka: String,
    pub name_en: String,
    #[schema(required = true)]
    pub contact_email: Option<String>,
    #[schema(required = true)]
    pub contact_phone: Option<String>,
}

/// One S4 referral in the division's feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct Referral {
    /// Its place in the feed: positions are gapless and handed out in commit order.
    #[schema(minimum = 1)]
    pub position: i64,
    /// The vocational referral service (`GET /api/v1/services/{id}`).
    #[schema(format = Uuid)]
    pub service_id: String,
    #[schema(format = Uuid)]
    pub case_id: String,
    /// The referral's status now.
    #[schema(value_type = ServiceStatusSchema)]
    pub status: &'static str,
    pub requested_on: NaiveDate,
    /// When the NGO informed the division, if it said.
    #[schema(required = true)]
    pub division_informed_on: Option<NaiveDate>,
    #[schema(required = true)]
    pub education: Option<String>,
    pub skills: String,
    pub interests: String,
    #[schema(min_items = 1)]
    pub proposed_directions: Vec<String>,
    pub person: ReferralPerson,
    pub organization: ReferralOrganization,
}

impl From<FeedItem> for Referral {
    fn from(item: FeedItem) -> Self {
        let FeedItem { position, service, details, person, organization } = item;
        Self {
            position,
            status: service.status.as_str(),
            service_id: service.id,
            case_id: service.case_id,
            requested_on: service.requested_on,
            division_informed_on: details.division_informed_on,
            education: details.education,
            skills: details.skills,
            interests: details.interests,
            proposed_directions: details.proposed_directions,
            person: ReferralPerson {
                id: person.id,
                first_name_ka: person.first_name_ka,
                last_name_ka: person.last_name_ka,
                first_name_lat: person.first_name_lat,
                last_name_lat: person.last_name_lat,
                phone: person.phone_e164,
                residence_region: person.residence_region,
            },
            organization: ReferralOrganization {
                id: organization.id,
                name_ka: organization.name_ka,
                name_en: organization.name_en,
                contact_email: organization.contact_email,
                contact_phone: organization.contact_phone,
            },
        }
    }
}

/// A page of the feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralFeed {
    pub items: Vec<Referral>,
    /// Where to continue: always set (after the last referral seen; the same cursor when none
    /// came), so a poller keeps it and asks again later.
    pub next_cursor: String,
    /// More referrals wait beyond this page now.
    pub more: bool,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// The `next_cursor` of the last page read; absent: from the first referral.
    pub after: Option<String>,
    /// Referrals per page (a whole number, 1–500; default 100).
    #[param(value_type = Option<i32>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
}

const CSV_HEADER: [&str; 20] = [
    "position",
    "service_id",
    "case_id",
    "status",
    "requested_on",
    "division_informed_on",
    "first_name_ka",
    "last_name_ka",
    "first_name_lat",
    "last_name_lat",
    "phone",
    "residence_region",
    "education",
    "skills",
    "interests",
    "proposed_directions",
    "organization_ka",
    "organization_en",
    "organization_email",
    "organization_phone",
];

/// The page as UTF-8 CSV with a byte-order mark (Excel reads Georgian then), CRLF line ends.
fn csv(items: &[Referral]) -> String {
    let mut out = export::document(&CSV_HEADER);
    for r in items {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let date = |d: &Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        export::text_row(
            &mut out,
            &[
                &r.position.to_string(),
                &r.service_id,
                &r.case_id,
                r.status,
                &r.requested_on.to_string(),
                &date(&r.division_informed_on),
                &text(&r.person.first_name_ka),
                &text(&r.person.last_name_ka),
                &text(&r.person.first_name_lat),
                &text(&r.person.last_name_lat),
                &text(&r.person.phone),
                &text(&r.person.residence_region),
                &text(&r.education),
                &r.skills,
                &r.interests,
                &r.proposed_directions.join("; "),
                &r.organization.name_ka,
                &r.organization.name_en,
                &text(&r.organization.contact_email),
                &text(&r.organization.contact_phone),
            ],
        );
    }
    out
}

/// The vocational referral feed.
///
/// Every S4 referral, in the order their transactions committed, each exactly once for a poller
/// that passes back the `next_cursor` it got (positions are gapless and handed out in commit
/// order, so a referral committed late cannot fall behind a cursor). Each item: the person's name
/// and contact as far as consent allows (R14), education, skills, interests, the proposed
/// directions, the NGO and its contact, and dates. With `Accept: text/csv`: the same page as UTF-8
/// CSV with a byte-order mark (the cursor in `X-Next-Cursor`).
#[utoipa::path(get, path = "/api/v1/referrals/vocational", tag = "referrals", operation_id = "vocational_referral_feed",
    params(FeedQuery),
    responses((status = 200, description = "A page of the feed",
        content((ReferralFeed = "application/json"), (String = "text/csv")),
        headers(("X-Next-Cursor" = String, description = "With CSV: where to continue (as `next_cursor`)")))))]
pub async fn feed(
    request: HttpRequest,
    pool: web::Data<Pool>,
    query: web::Query<FeedQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let mut errors = FieldErrors::default();
    let after = match query.after.as_deref() {
        None => Some(0),
        Some(cursor) => {
            let position = decode_cursor(cursor).and_then(|key| key.parse::<i64>().ok()).filter(|p| *p >= 0);
            if position.is_none() {
                errors.push(FieldError::new(
                    "after",
                    codes::INVALID_CURSOR,
                    Message::new("after არასწორია", "after is not a cursor this feed returned"),
                ));
            }
            position
        }
    };
    let limit = match query.limit.as_deref() {
        None => Some(DEFAULT_LIMIT),
        Some(raw) => {
            let limit = raw.parse::<usize>().ok().filter(|n| (1..=MAX_LIMIT).contains(n));
            if limit.is_none() {
                errors.push(FieldError::new(
                    "limit",
                    codes::INVALID_LIMIT,
                    Message::new(
                        format!("limit უნდა იყოს 1-დან {MAX_LIMIT}-მდე"),
                        format!("limit must be a whole number from 1 to {MAX_LIMIT}"),
                    ),
                ));
            }
            limit
        }
    };
    errors.finish()?;
    let (after, limit) = after.zip(limit).ok_or_else(|| ApiError::internal("feed query after validation"))?;
    let found = db::read(&pool, move |conn| Ok(repo::vocational_feed(conn, after, limit)?)).await?;
    let more = found.next_after.is_some();
    let last = found.items.last().map_or(after, |item| item.position);
    let next_cursor = encode_cursor(&last.to_string());
    let items: Vec<Referral> = found.items.into_iter().map(Referral::from).collect();
    if export::negotiate(&request, &[Format::Csv]) == Format::Csv {
        return Ok(HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, export::CSV))
            .insert_header(("X-Next-Cursor", next_cursor))
            .body(csv(&items)));
    }
    Ok(HttpResponse::Ok().json(ReferralFeed { items, next_cursor, more }))
}
