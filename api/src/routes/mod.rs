//! Routing: every route is registered here, in one place.

use actix_web::web;

pub mod eligibility;
pub mod health;
pub mod program;
pub mod regions;

/// A bilingual text, as every message in the API carries it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Text {
    pub ka: String,
    pub en: String,
}

impl Text {
    pub fn new(ka: impl Into<String>, en: impl Into<String>) -> Self {
        Self { ka: ka.into(), en: en.into() }
    }
}

impl From<&domain::message::Message> for Text {
    fn from(message: &domain::message::Message) -> Self {
        Self::new(message.ka.clone(), message.en.clone())
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/health/live").route(web::get().to(health::live)))
        .service(web::resource("/health/ready").route(web::get().to(health::ready)))
        .service(
            web::scope("/api/v1")
                .service(web::resource("/program").route(web::get().to(program::show)))
                .service(web::resource("/regions").route(web::get().to(regions::list)))
                .service(web::resource("/eligibility/check").route(web::post().to(eligibility::check))),
        );
}
