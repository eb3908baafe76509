use actix_web::{HttpResponse, web};
use persistence::Pool;
use serde::Serialize;
use utoipa::ToSchema;

use super::Text;
use crate::db;
use crate::error::ApiError;
use crate::schema::{RuleIdSchema, ServiceCategorySchema, ServiceTypeSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct Program {
    pub name: Text,
    /// The version of the eligibility rules decisions are made with.
    #[schema(example = "2017.1")]
    pub rules_version: &'static str,
    pub contact: Contact,
    /// R1–R5, in Georgian and English.
    pub eligibility_criteria: Vec<Criterion>,
    /// The service catalogue (S1–S6).
    pub services: Vec<Service>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Contact {
    #[schema(format = Email)]
    pub email: &'static str,
    pub phone: &'static str,
    pub address: Text,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Criterion {
    #[schema(value_type = RuleIdSchema)]
    pub rule: &'static str,
    pub title: Text,
    pub text: Text,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Service {
    /// Stable service type code.
    #[schema(value_type = ServiceTypeSchema)]
    pub code: String,
    /// The program's service line.
    #[schema(value_type = ServiceCategorySchema)]
    pub category: String,
    pub name: Text,
    pub description: Text,
    /// Whether an NGO requests it on a case (shelter hangs on the arrival, information is published).
    pub requestable_on_case: bool,
    /// Whether it is paid from the NGO's grant unless stated otherwise (a vocational referral is not).
    pub costs_grant_by_default: bool,
}

/// Describes the program.
///
/// S6: the program, its eligibility criteria and its service catalogue, in Georgian and English.
/// Public.
#[utoipa::path(operation_id = "get_program", 
    get, path = "/api/v1/program", tag = "program", security(()),
    responses((status = 200, body = Program), (status = 503, body = crate::error::Problem, content_type = "application/problem+json"))
)]
pub async fn show(pool: web::Data<Pool>) -> Result<HttpResponse, ApiError> {
    let rows = db::read(&pool, |conn| Ok(persistence::repo::reference::service_types(conn)?)).await?;
    let contact = domain::program::contact();
    Ok(HttpResponse::Ok().json(Program {
        name: Text::from(&domain::program::program_name()),
        rules_version: domain::RULES_VERSION,
        contact: Contact { email: contact.email, phone: contact.phone, address: Text::from(&contact.address) },
        eligibility_criteria: domain::program::eligibility_criteria()
            .iter()
            .map(|c| Criterion { rule: c.rule, title: Text::from(&c.title), text: Text::from(&c.text) })
            .collect(),
        services: rows
            .into_iter()
            .map(|row| Service {
                code: row.code,
                category: row.category,
                name: Text::new(row.name_ka, row.name_en),
                description: Text::new(row.description_ka, row.description_en),
                requestable_on_case: row.requestable_on_case,
                costs_grant_by_default: row.costs_grant_by_default,
            })
            .collect(),
    }))
}
