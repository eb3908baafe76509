use std::time::Duration;

use actix_web::{HttpResponse, web};
use persistence::Pool;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::shutdown::Draining;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `live` or `ready`.
    pub status: &'static str,
    /// The backend in use when ready: `sqlite` or `postgres`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<&'static str>,
}

/// The process is up (it answers); says nothing about the database.
#[utoipa::path(operation_id = "health_live", get, path = "/health/live", tag = "health", responses((status = 200, body = Health)))]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "live", database: None })
}

/// Ready to serve: the database answers within two seconds. 503 with `Retry-After` otherwise.
///
/// From the moment the server is told to stop it answers 503 `shutting_down` (`Retry-After: 1`),
/// while it still serves for the drain period, so a load balancer moves traffic away.
#[utoipa::path(operation_id = "health_ready", 
    get, path = "/health/ready", tag = "health",
    responses(
        (status = 200, body = Health),
        (status = 503, description = "The database does not answer (`database_unavailable`), or the server is \
         shutting down (`shutting_down`)", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn ready(pool: web::Data<Pool>, draining: web::Data<Draining>) -> Result<HttpResponse, ApiError> {
    if draining.is_draining() {
        return Err(ApiError::shutting_down());
    }
    let pool = pool.get_ref().clone();
    let backend = pool.backend().as_str();
    web::block(move || {
        let mut conn = pool.get_timeout(Duration::from_secs(2))?;
        persistence::repo::health::ping(&mut conn)
    })
    .await?
    .map_err(ApiError::unavailable)?;
    Ok(HttpResponse::Ok().json(Health { status: "ready", database: Some(backend) }))
}
