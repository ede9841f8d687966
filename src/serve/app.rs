//! The application: shared state (the store pool and the configuration) and the router that maps every route to its page group, with the security headers around them all.

use std::sync::Arc;

use axum::Router;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::response::Redirect;
use axum::routing::{get, post};

use super::auth::{Viewer, attach_session};
use super::config::ServeConfig;
use super::headers::add_security_headers;
use super::layout::{REVIEW_SCRIPT, REVIEW_SCRIPT_PATH, STYLESHEET, STYLESHEET_PATH};
use super::pages::{
    calibration_rating, calibrations, dashboard, disputes, exports, login, lrs_outbox, queue,
    queue_rules, review, scenarios, sessions,
};
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
        .route("/", get(home))
        .route(
            login::LOGIN_PATH,
            get(login::show_login).post(login::log_in),
        )
        .route("/logout", post(login::log_out))
        .route("/sessions", get(sessions::list_sessions))
        .route("/sessions/{id}", get(sessions::show_session))
        .route(
            "/sessions/{id}/review",
            get(review::show_review).post(review::submit_review),
        )
        .route("/sessions/{id}/disputes", post(disputes::raise))
        .route("/disputes", get(disputes::show_disputes))
        .route("/disputes/{id}/decide", post(disputes::decide))
        .route("/queue", get(queue::show_queue))
        .route("/queue/sample", post(queue::apply_sampling))
        .route("/queue/{item}/assign", post(queue::assign))
        .route(
            "/queue/rules",
            get(queue_rules::show_rules).post(queue_rules::add_rule),
        )
        .route("/queue/rules/{id}", post(queue_rules::switch_rule))
        .route(
            "/calibrations",
            get(calibrations::show_calibrations).post(calibrations::create_calibration),
        )
        .route("/calibrations/{id}", get(calibrations::show_calibration))
        .route("/calibrations/{id}/reveal", post(calibrations::reveal))
        .route(
            "/calibrations/{id}/sessions/{session}",
            get(calibration_rating::show_rating).post(calibration_rating::submit_rating),
        )
        .route("/dashboard", get(dashboard::show_dashboard))
        .route("/exports", get(exports::show_exports))
        .route("/exports/{file}", get(exports::download))
        .route("/exports/outbox/retry", post(lrs_outbox::retry))
        .route(
            "/scenarios",
            get(scenarios::list_scenarios).post(scenarios::upload_scenario),
        )
        .route("/scenarios/{id}", get(scenarios::edit_scenario))
        .layer(from_fn_with_state(state.clone(), attach_session))
        .route(STYLESHEET_PATH, get(stylesheet))
        .route(REVIEW_SCRIPT_PATH, get(review_script))
        .route("/healthz", get(health))
        .layer(from_fn_with_state(state.clone(), add_security_headers))
        .with_state(state)
}

/// `/`: the sessions for a signed-in person, the login page for anyone else.
async fn home(viewer: Option<Viewer>) -> Redirect {
    match viewer {
        Some(_) => Redirect::to("/sessions"),
        None => Redirect::to(login::LOGIN_PATH),
    }
}

async fn stylesheet() -> impl IntoResponse {
    ([(CONTENT_TYPE, "text/css; charset=utf-8")], STYLESHEET)
}

async fn review_script() -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "text/javascript; charset=utf-8")],
        REVIEW_SCRIPT,
    )
}

/// For load balancers and the start-up check: the process answers.
async fn health() -> &'static str {
    "ok"
}
