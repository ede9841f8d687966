//! Human review: QA leads rate criteria (one or a whole scorecard at a time), adjudicate, and retract; every review is kept and the effective scorecard is stored beside the machine's.

use serde::Serialize;

use crate::analysis::Polarity;
use crate::scoring::{Rubric, Scorecard};
use crate::store::sql::ReviewsRecorded;
use crate::store::{
    Retraction, Review, ReviewKind, ReviewState, ScoreRevision, Store, StoreError, StoredSession,
    apply_reviews, effective_reviews,
};

/// How many times a review is computed again when another reviewer stored a change of the same
/// session meanwhile.
const ATTEMPTS: usize = 10;

/// Runs `change` again while another reviewer's change of the session got in first.
fn retrying<T>(mut change: impl FnMut() -> Result<T, ReviewError>) -> Result<T, ReviewError> {
    let mut attempt = 1;
    loop {
        match change() {
            Err(ReviewError::Store(StoreError::ReviewedMeanwhile { .. })) if attempt < ATTEMPTS => {
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// One criterion's rating in a review.
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionRating {
    pub criterion: String,
    /// `None` marks the criterion not applicable.
    pub rating: Option<i32>,
    pub comment: String,
}

/// What a reviewer decided about one session: one criterion or many, stored together.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewRequest {
    /// The session id, or enough of its start to be unique.
    pub session: String,
    pub ratings: Vec<CriterionRating>,
    pub reviewer: String,
    pub kind: ReviewKind,
}

impl ReviewRequest {
    /// A plain rating of one criterion.
    pub fn one(
        session: &str,
        criterion: &str,
        rating: Option<i32>,
        comment: &str,
        reviewer: &str,
    ) -> ReviewRequest {
        ReviewRequest {
            session: session.to_owned(),
            ratings: vec![CriterionRating {
                criterion: criterion.to_owned(),
                rating,
                comment: comment.to_owned(),
            }],
            reviewer: reviewer.to_owned(),
            kind: ReviewKind::Rating,
        }
    }
}

/// Why a review or a retraction was refused; nothing was stored.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("session `{session_id}` has no criterion `{criterion}`; {known}")]
    UnknownCriterion {
        session_id: String,
        criterion: String,
        /// "did you mean …?", or the session's criteria.
        known: String,
    },
    #[error("cannot rate `{criterion}` of session `{session_id}`: {message}")]
    Rating {
        session_id: String,
        criterion: String,
        message: String,
    },
    #[error(
        "`{criterion}` is rated twice in one review of session `{session_id}`; rate each criterion once"
    )]
    RatedTwice {
        session_id: String,
        criterion: String,
    },
    #[error("nothing to review: give at least one criterion and rating")]
    Empty,
    #[error(
        "review {review_id} belongs to session `{belongs_to}`, not `{session_id}`; check the number with `rapport review {session_id}`"
    )]
    OtherSession {
        review_id: i64,
        session_id: String,
        belongs_to: String,
    },
    #[error("say why review {review_id} is retracted with --reason")]
    NoReason { review_id: i64 },
    #[error("cannot rescore session `{session_id}`: {message}")]
    Rubric { session_id: String, message: String },
}

/// One criterion's result of a stored review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatedCriterion {
    pub criterion: String,
    pub machine_rating: Option<i32>,
    pub rating: Option<i32>,
    /// The rating that now counts (an adjudication can outrank this review).
    pub effective_rating: Option<i32>,
}

/// The result of a stored review or retraction: machine versus reviewed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewOutcome {
    pub session_id: String,
    pub reviewer: String,
    pub kind: ReviewKind,
    pub ratings: Vec<RatedCriterion>,
    pub machine_overall: f64,
    pub reviewed_overall: f64,
    pub machine_passed: bool,
    pub reviewed_passed: bool,
}

/// Loads one session named by an id or a unique start of one.
fn load_session(store: &mut Store, prefix: &str) -> Result<StoredSession, ReviewError> {
    let session_id = store.resolve_session(prefix)?;
    let session = store
        .load_sessions(std::slice::from_ref(&session_id))?
        .pop()
        .ok_or(StoreError::NoSuchSession { prefix: session_id })?;
    Ok(session)
}

/// Stores a review of one or more criteria and the rescored scorecard, all or nothing;
/// `rubric_for` finds the rubric that scored the session.
pub fn review_session(
    store: &mut Store,
    request: &ReviewRequest,
    reviewed_at: &str,
    rubric_for: &dyn Fn(&StoredSession) -> Result<Rubric, String>,
) -> Result<ReviewOutcome, ReviewError> {
    review_session_then(store, request, reviewed_at, rubric_for, &mut |_, _| Ok(()))
}

/// [`review_session`], running `then` with the new reviews' numbers in the transaction that
/// stores them (the team workflow's queue and audit): if it fails, nothing is stored.
pub fn review_session_then(
    store: &mut Store,
    request: &ReviewRequest,
    reviewed_at: &str,
    rubric_for: &dyn Fn(&StoredSession) -> Result<Rubric, String>,
    then: &mut ReviewsRecorded<'_>,
) -> Result<ReviewOutcome, ReviewError> {
    retrying(|| review_once(store, request, reviewed_at, rubric_for, &mut *then))
}

/// One attempt of [`review_session`], from the session's reviews as they are now.
fn review_once(
    store: &mut Store,
    request: &ReviewRequest,
    reviewed_at: &str,
    rubric_for: &dyn Fn(&StoredSession) -> Result<Rubric, String>,
    then: &mut ReviewsRecorded<'_>,
) -> Result<ReviewOutcome, ReviewError> {
    if request.ratings.is_empty() {
        return Err(ReviewError::Empty);
    }
    let session = load_session(store, &request.session)?;
    let session_id = session.summary.session_id.clone();
    let mut seen = std::collections::BTreeSet::new();
    let mut new_reviews = Vec::with_capacity(request.ratings.len());
    for rated in &request.ratings {
        let Some(criterion) = session.scorecard.criterion(&rated.criterion) else {
            let ids: Vec<String> = session
                .scorecard
                .criteria
                .iter()
                .map(|c| c.id.to_string())
                .collect();
            let known = match super::hints::nearest(&rated.criterion, &ids) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!(
                    "its criteria are: {}",
                    ids.iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            return Err(ReviewError::UnknownCriterion {
                session_id,
                criterion: rated.criterion.clone(),
                known,
            });
        };
        if !seen.insert(rated.criterion.as_str()) {
            return Err(ReviewError::RatedTwice {
                session_id,
                criterion: rated.criterion.clone(),
            });
        }
        new_reviews.push(Review {
            id: 0,
            session_id: session_id.clone(),
            criterion: rated.criterion.clone(),
            rating: rated.rating,
            machine_rating: criterion.rating,
            comment: rated.comment.clone(),
            reviewer: request.reviewer.clone(),
            reviewed_at: reviewed_at.to_owned(),
            kind: request.kind,
            retraction: None,
        });
    }
    let rubric = rubric_for(&session).map_err(|message| ReviewError::Rubric {
        session_id: session_id.clone(),
        message,
    })?;
    let mut reviews = session.reviews.clone();
    reviews.extend(new_reviews.iter().cloned());
    // Each new rating is checked on its own first, so an error names the criterion at fault.
    for review in &new_reviews {
        let mut card = session.scorecard.clone();
        card.override_rating(&review.criterion, review.rating, &rubric)
            .map_err(|message| ReviewError::Rating {
                session_id: session_id.clone(),
                criterion: review.criterion.clone(),
                message,
            })?;
    }
    let reviewed = apply_reviews(&session.scorecard, &reviews, &rubric).map_err(|message| {
        ReviewError::Rubric {
            session_id: session_id.clone(),
            message,
        }
    })?;
    let revision = ScoreRevision::of(&session_id, &reviewed, true, reviewed_at, &request.reviewer);
    store.record_reviews_then(
        &new_reviews,
        &reviewed,
        &revision,
        ReviewState::of(&session.reviews),
        then,
    )?;
    Ok(ReviewOutcome {
        session_id,
        reviewer: request.reviewer.clone(),
        kind: request.kind,
        ratings: new_reviews
            .iter()
            .map(|r| RatedCriterion {
                criterion: r.criterion.clone(),
                machine_rating: r.machine_rating,
                rating: r.rating,
                effective_rating: reviewed.criterion(&r.criterion).and_then(|c| c.rating),
            })
            .collect(),
        machine_overall: session.scorecard.overall,
        reviewed_overall: reviewed.overall,
        machine_passed: session.scorecard.passed,
        reviewed_passed: reviewed.passed,
    })
}

/// A review to take back, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct RetractRequest {
    /// The session the review must belong to (an id or a unique start of one).
    pub session: String,
    pub review_id: i64,
    pub by: String,
    pub reason: String,
}

/// The scores after a retraction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RetractOutcome {
    pub session_id: String,
    pub review_id: i64,
    pub criterion: String,
    pub retraction: Retraction,
    /// The criterion's rating that counts now (another review's, or the machine's).
    pub effective_rating: Option<i32>,
    pub machine_overall: f64,
    pub reviewed_overall: f64,
    /// Whether any review still counts.
    pub still_reviewed: bool,
}

/// Retracts a review (it stays stored, marked with who, when and why) and stores the scores
/// that remain: the other reviews', or the machine's when none is left.
pub fn retract_review(
    store: &mut Store,
    request: &RetractRequest,
    retracted_at: &str,
    rubric_for: &dyn Fn(&StoredSession) -> Result<Rubric, String>,
) -> Result<RetractOutcome, ReviewError> {
    retrying(|| retract_once(store, request, retracted_at, rubric_for))
}

/// One attempt of [`retract_review`].
fn retract_once(
    store: &mut Store,
    request: &RetractRequest,
    retracted_at: &str,
    rubric_for: &dyn Fn(&StoredSession) -> Result<Rubric, String>,
) -> Result<RetractOutcome, ReviewError> {
    let review_id = request.review_id;
    if request.reason.trim().is_empty() {
        return Err(ReviewError::NoReason { review_id });
    }
    let session = load_session(store, &request.session)?;
    let session_id = session.summary.session_id.clone();
    let belongs_to = store.session_of_review(review_id)?;
    if belongs_to != session_id {
        return Err(ReviewError::OtherSession {
            review_id,
            session_id,
            belongs_to,
        });
    }
    let retraction = Retraction {
        by: request.by.clone(),
        at: retracted_at.to_owned(),
        reason: request.reason.clone(),
    };
    let seen = ReviewState::of(&session.reviews);
    let mut reviews = session.reviews.clone();
    let Some(review) = reviews.iter_mut().find(|r| r.id == review_id) else {
        return Err(StoreError::NoSuchReview { review_id }.into());
    };
    if let Some(earlier) = &review.retraction {
        return Err(StoreError::AlreadyRetracted {
            review_id,
            by: earlier.by.clone(),
            at: earlier.at.clone(),
        }
        .into());
    }
    review.retraction = Some(retraction.clone());
    let criterion = review.criterion.clone();
    let still_reviewed = reviews.iter().any(Review::is_active);
    let final_card: Scorecard = if still_reviewed {
        let rubric = rubric_for(&session).map_err(|message| ReviewError::Rubric {
            session_id: session_id.clone(),
            message,
        })?;
        apply_reviews(&session.scorecard, &reviews, &rubric).map_err(|message| {
            ReviewError::Rubric {
                session_id: session_id.clone(),
                message,
            }
        })?
    } else {
        session.scorecard.clone()
    };
    let revision = ScoreRevision::of(
        &session_id,
        &final_card,
        still_reviewed,
        retracted_at,
        &request.by,
    );
    store.retract_review(review_id, &retraction, &final_card, &revision, seen)?;
    Ok(RetractOutcome {
        effective_rating: final_card.criterion(&criterion).and_then(|c| c.rating),
        session_id,
        review_id,
        criterion,
        retraction,
        machine_overall: session.scorecard.overall,
        reviewed_overall: final_card.overall,
        still_reviewed,
    })
}

/// The rubric that scored a stored session: `explicit` (`--rubric`), the scenario's, or the shipped
/// one, whichever matches the scorecard's rubric id and version.
pub fn recorded_rubric(
    session: &StoredSession,
    explicit: Option<&std::path::Path>,
) -> Result<Rubric, String> {
    let card = &session.scorecard;
    if let Some(path) = explicit {
        return Rubric::load(path).map_err(|d| d.message.clone());
    }
    // Building the shipped analysers compiles the whole lexicon; only the rubric is needed
    // here, so the kit is made once per process (a server rescoring every saved review).
    static SHIPPED: std::sync::OnceLock<crate::runner::Examiner> = std::sync::OnceLock::new();
    let kit = SHIPPED.get_or_init(crate::runner::Examiner::shipped);
    let header = &session.transcript.header;
    let mut candidates = Vec::new();
    if let Ok(loaded) = crate::library::resolve_recorded_scenario(
        header.scenario_path.as_deref(),
        &header.scenario_id,
    ) && let Ok(rubric) = kit.rubric_for(&loaded)
    {
        candidates.push((*rubric).clone());
    }
    candidates.push((*kit.rubric).clone());
    candidates
        .into_iter()
        .find(|r| r.id == card.rubric_id && r.version == card.rubric_version)
        .ok_or_else(|| {
            format!(
                "the rubric `{}` version {} that scored it is not available; pass its file with --rubric",
                card.rubric_id, card.rubric_version
            )
        })
}

/// One piece of evidence behind a criterion, as a QA lead reads it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceView {
    /// Index of the turn in the transcript.
    pub turn: usize,
    /// Session time, in milliseconds.
    pub at_ms: u64,
    pub polarity: Polarity,
    /// The lexicon rule (or measure) that found it.
    pub rule: String,
    /// The trainee's words, verbatim (empty for measured evidence such as a reply's delay).
    pub quote: String,
    pub note: String,
}

/// One criterion of a stored session: the machine's rating and why, the effective rating, the
/// evidence behind it and every review of it (shared by `rapport review ID` and its `--json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionView {
    pub criterion: String,
    pub dimension: &'static str,
    pub title: String,
    pub min: i32,
    pub max: i32,
    pub machine_rating: Option<i32>,
    /// The rating that counts (docs/qa.md, "The effective score").
    pub effective_rating: Option<i32>,
    /// Whether an adjudication or a dispute override decided it.
    pub adjudicated: bool,
    /// Whether the reviewers' latest plain ratings differ.
    pub reviewers_disagree: bool,
    /// The machine's reason.
    pub reason: String,
    pub evidence: Vec<EvidenceView>,
    /// Every review of the criterion, oldest first, retracted ones included.
    pub reviews: Vec<Review>,
}

/// The criteria of a stored session, in the scorecard's order.
pub fn criterion_views(session: &StoredSession) -> Vec<CriterionView> {
    let effective = effective_reviews(&session.reviews);
    session
        .scorecard
        .criteria
        .iter()
        .map(|criterion| {
            let decided = effective.get(criterion.id.as_str());
            CriterionView {
                criterion: criterion.id.to_string(),
                dimension: criterion.dimension.label(),
                title: criterion.title.to_string(),
                min: criterion.min,
                max: criterion.max,
                machine_rating: criterion.rating,
                effective_rating: decided.map_or(criterion.rating, |d| d.review.rating),
                adjudicated: decided.is_some_and(|d| d.adjudicated),
                reviewers_disagree: decided.is_some_and(|d| d.reviewers_disagree),
                reason: criterion.reason.to_string(),
                evidence: criterion
                    .evidence
                    .iter()
                    .map(|e| EvidenceView {
                        turn: e.turn,
                        at_ms: e.at_ms,
                        polarity: e.finding.polarity,
                        rule: e.finding.rule.to_string(),
                        quote: e.finding.matched.to_string(),
                        note: e.finding.note.to_string(),
                    })
                    .collect(),
                reviews: session
                    .reviews
                    .iter()
                    .filter(|r| r.criterion == criterion.id)
                    .cloned()
                    .collect(),
            }
        })
        .collect()
}
