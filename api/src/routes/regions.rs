use actix_web::{HttpResponse, web};
use persistence::Pool;
use serde::Serialize;
use utoipa::ToSchema;

use super::Text;
use crate::db;
use crate::error::ApiError;
use crate::schema::RegionCodeSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct Region {
    #[schema(value_type = RegionCodeSchema)]
    pub code: String,
    pub name: Text,
    /// R4: an occupied territory (Abkhazia, Tskhinvali region) is not covered by the program.
    pub occupied: bool,
    /// R6: temporary shelter (S5) is delivered only in Tbilisi, Kvemo Kartli and Mtskheta-Mtianeti.
    pub shelter_covered: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegionList {
    pub items: Vec<Region>,
}

impl From<persistence::models::reference::Region> for Region {
    fn from(row: persistence::models::reference::Region) -> Self {
        Self {
            code: row.code,
            name: Text::new(row.name_ka, row.name_en),
            occupied: row.occupied,
            shelter_covered: row.shelter_covered,
        }
    }
}

/// Lists the regions.
///
/// The first-level regions of Georgia, in Georgian and English, with R4's occupied flag and R6's
/// shelter coverage. Public.
#[utoipa::path(operation_id = "list_regions", 
    get, path = "/api/v1/regions", tag = "program", security(()),
    responses((status = 200, body = RegionList), (status = 503, body = crate::error::Problem, content_type = "application/problem+json"))
)]
pub async fn list(pool: web::Data<Pool>) -> Result<HttpResponse, ApiError> {
    let rows = db::read(&pool, |conn| Ok(persistence::repo::reference::regions(conn)?)).await?;
    Ok(HttpResponse::Ok().json(RegionList { items: rows.into_iter().map(Region::from).collect() }))
}
