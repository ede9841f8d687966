//! What a page answers when it cannot show what was asked: the status and a short page saying why and what to do.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;

use super::layout::page;
use super::pool::PoolError;
use crate::store::StoreError;

/// Why a request was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// Nothing here, or nothing this person may see: the two answer the same, so an id cannot be
    /// probed for existence.
    #[error("there is no such page, or it is not yours to see")]
    NotFound,
    /// Signed in, but the role may not do this.
    #[error("your role may not do this")]
    Forbidden,
    /// The form's anti-forgery token was missing or wrong.
    #[error(
        "this form expired or did not come from Rapport (its security token is missing or wrong); go back, reload the page and send it again"
    )]
    Csrf,
    #[error("{0}")]
    BadRequest(String),
    #[error("the results store failed: {0}")]
    Store(String),
}

impl From<StoreError> for PageError {
    fn from(error: StoreError) -> PageError {
        match error {
            StoreError::NoSuchSession { .. } | StoreError::AmbiguousSession { .. } => {
                PageError::NotFound
            }
            other => PageError::Store(crate::with_causes(&other)),
        }
    }
}

impl From<PoolError> for PageError {
    fn from(error: PoolError) -> PageError {
        match error {
            PoolError::Store(store) => store.into(),
            PoolError::Worker(message) => PageError::Store(message),
        }
    }
}

impl PageError {
    /// The HTTP status of the answer.
    pub fn status(&self) -> StatusCode {
        match self {
            PageError::NotFound => StatusCode::NOT_FOUND,
            PageError::Forbidden | PageError::Csrf => StatusCode::FORBIDDEN,
            PageError::BadRequest(_) => StatusCode::BAD_REQUEST,
            PageError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!("{self}");
        }
        let title = match status {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::FORBIDDEN => "Not allowed",
            StatusCode::BAD_REQUEST => "Cannot do that",
            _ => "Something went wrong",
        };
        let body = page(
            title,
            None,
            html! { p { (self.to_string()) } p { a href="/" { "Back to the start" } } },
        );
        (status, body).into_response()
    }
}
