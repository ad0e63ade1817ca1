use actix_web::{HttpResponse, get, web};
use sea_orm::DatabaseConnection;

/// The process is up.
#[utoipa::path(tag = "health", responses((status = 200, description = "alive")))]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// The database answers.
#[utoipa::path(tag = "health", responses((status = 200, description = "ready"), (status = 503, description = "database unreachable")))]
#[get("/health/ready")]
pub async fn ready(db: web::Data<DatabaseConnection>) -> HttpResponse {
    match crate::app::store_ready(&db).await {
        Ok(()) => HttpResponse::Ok().json(serde_json::json!({"status": "ready"})),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            HttpResponse::ServiceUnavailable().json(serde_json::json!({"status": "unavailable"}))
        }
    }
}
