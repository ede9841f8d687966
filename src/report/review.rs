//! Human review: a QA lead overrides a criterion's rating with a comment; the reviewed scorecard is stored beside the machine's.

use serde::Serialize;

use crate::scoring::{Rubric, Scorecard};
use crate::store::{Review, Store, StoreError, StoredSession, apply_reviews};

/// What a reviewer decided.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewRequest {
    /// The session id, or enough of its start to be unique.
    pub session: String,
    pub criterion: String,
    /// `None` marks the criterion not applicable.
    pub rating: Option<i32>,
    pub comment: String,
    pub reviewer: String,
}

/// Why a review was refused; nothing was stored.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("session `{session_id}` has no criterion `{criterion}`; its criteria are: {known}")]
    UnknownCriterion {
        session_id: String,
        criterion: String,
        known: String,
    },
    #[error("cannot rate `{criterion}` of session `{session_id}`: {message}")]
    Rating {
        session_id: String,
        criterion: String,
        message: String,
    },
    #[error("cannot rescore session `{session_id}`: {message}")]
    Rubric { session_id: String, message: String },
}

/// The result of a stored review: machine versus reviewed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewOutcome {
    pub session_id: String,
    pub criterion: String,
    pub machine_rating: Option<i32>,
    pub rating: Option<i32>,
    pub machine_overall: f64,
    pub reviewed_overall: f64,
    pub machine_passed: bool,
    pub reviewed_passed: bool,
}

/// Stores a review and the rescored scorecard; `rubric_for` finds the rubric that scored the session.
pub fn review_session(
    store: &mut Store,
    request: &ReviewRequest,
    reviewed_at: &str,
    rubric_for: &dyn Fn(&StoredSession) -> Result<Rubric, String>,
) -> Result<ReviewOutcome, ReviewError> {
    let session_id = store.resolve_session(&request.session)?;
    let session = store
        .load_sessions(std::slice::from_ref(&session_id))?
        .pop()
        .ok_or_else(|| StoreError::NoSuchSession {
            prefix: session_id.clone(),
        })?;
    let Some(criterion) = session.scorecard.criterion(&request.criterion) else {
        return Err(ReviewError::UnknownCriterion {
            session_id,
            criterion: request.criterion.clone(),
            known: session
                .scorecard
                .criteria
                .iter()
                .map(|c| format!("`{}`", c.id))
                .collect::<Vec<_>>()
                .join(", "),
        });
    };
    let machine_rating = criterion.rating;
    let rubric = rubric_for(&session).map_err(|message| ReviewError::Rubric {
        session_id: session_id.clone(),
        message,
    })?;
    let review = Review {
        session_id: session_id.clone(),
        criterion: request.criterion.clone(),
        rating: request.rating,
        machine_rating,
        comment: request.comment.clone(),
        reviewer: request.reviewer.clone(),
        reviewed_at: reviewed_at.to_owned(),
    };
    let mut reviews = session.reviews.clone();
    reviews.push(review.clone());
    let reviewed: Scorecard =
        apply_reviews(&session.scorecard, &reviews, &rubric).map_err(|message| {
            ReviewError::Rating {
                session_id: session_id.clone(),
                criterion: request.criterion.clone(),
                message,
            }
        })?;
    store.record_review(&review, &reviewed)?;
    Ok(ReviewOutcome {
        session_id,
        criterion: request.criterion.clone(),
        machine_rating,
        rating: request.rating,
        machine_overall: session.scorecard.overall,
        reviewed_overall: reviewed.overall,
        machine_passed: session.scorecard.passed,
        reviewed_passed: reviewed.passed,
    })
}
