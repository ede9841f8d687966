//! The application: shared state (the store pool and the configuration) and the router that maps every route to its page group, with the security headers around them all.

use std::sync::Arc;

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::get;

use super::config::ServeConfig;
use super::headers::add_security_headers;
use super::layout::{STYLESHEET, STYLESHEET_PATH};
use super::pool::StorePool;

/// What every request handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub pool: StorePool,
    pub config: Arc<ServeConfig>,
}

/// Every route of the application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(STYLESHEET_PATH, get(stylesheet))
        .route("/healthz", get(health))
        .layer(from_fn_with_state(state.clone(), add_security_headers))
        .with_state(state)
}

async fn stylesheet() -> impl IntoResponse {
    ([(CONTENT_TYPE, "text/css; charset=utf-8")], STYLESHEET)
}

/// For load balancers and the start-up check: the process answers.
async fn health() -> &'static str {
    "ok"
}
