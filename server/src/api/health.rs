//! `/health`: whether the server is up, its version, and whether its database answers, as
//! Dioptra's `/health` answers. Outside `/api/v1`, but in the API's route list and document.

use app::ssr::AppState;
use axum::{Json, extract::State, http::StatusCode};

use super::shapes::HealthBody;

/// Whether the server is up, and its version (as Dioptra's `/health` answers), and whether its
/// database answers.
#[utoipa::path(get, path = "/health", operation_id = "health", tag = "health", responses(
    (status = 200, description = "Serving", body = HealthBody),
    (status = 503, description = "The database does not answer", body = HealthBody),
))]
pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<HealthBody>) {
    let database = state.accounts.database();
    let reachable = database.ping().await;
    let (status, word) =
        if reachable { (StatusCode::OK, "healthy") } else { (StatusCode::SERVICE_UNAVAILABLE, "unhealthy") };
    let body = HealthBody {
        status: word.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        database: database.backend_name().into(),
        database_reachable: reachable,
    };
    (status, Json(body))
}
