//! Reviews as an append-only history: their kinds, retractions, the score revisions they make, and which review decides a criterion (the effective score).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{DimensionScores, dimension_index, serialize_dimension_scores};
use crate::scoring::Scorecard;

/// What a review is for, which decides how it counts (docs/qa.md, "Human review").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewKind {
    /// A reviewer's own rating: it counts in calibration, and is the effective rating when no
    /// adjudication was made.
    #[default]
    Rating,
    /// A lead's final word on a criterion reviewers disagree on: it wins over every rating.
    Adjudication,
    /// An override after a trainee disputed the score: it wins like an adjudication and is kept
    /// out of calibration, since it was made to settle a case rather than to rate blind.
    Dispute,
}

impl ReviewKind {
    /// Every kind, in the order they are offered.
    pub const ALL: [ReviewKind; 3] = [
        ReviewKind::Rating,
        ReviewKind::Adjudication,
        ReviewKind::Dispute,
    ];

    /// The kind's name in the store, the CLI and JSON.
    pub fn label(self) -> &'static str {
        match self {
            ReviewKind::Rating => "rating",
            ReviewKind::Adjudication => "adjudication",
            ReviewKind::Dispute => "dispute",
        }
    }

    /// The kind with this name.
    pub fn from_label(label: &str) -> Option<ReviewKind> {
        ReviewKind::ALL.into_iter().find(|k| k.label() == label)
    }

    /// Whether it settles the criterion, over any plain rating.
    pub fn is_final_word(self) -> bool {
        matches!(self, ReviewKind::Adjudication | ReviewKind::Dispute)
    }
}

/// Who took a review back, when and why; the review stays stored beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retraction {
    pub by: String,
    /// RFC 3339.
    pub at: String,
    pub reason: String,
}

/// A QA lead's rating of one criterion of one session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Review {
    /// The store's number for the review (for `--retract`); 0 before it is stored.
    pub id: i64,
    pub session_id: String,
    pub criterion: String,
    /// `None` marks the criterion not applicable.
    pub rating: Option<i32>,
    /// What the machine rated when the review was made.
    pub machine_rating: Option<i32>,
    pub comment: String,
    pub reviewer: String,
    /// RFC 3339.
    pub reviewed_at: String,
    pub kind: ReviewKind,
    /// Set when the review was taken back: it no longer counts anywhere.
    pub retraction: Option<Retraction>,
}

impl Review {
    /// Whether it still counts (it was not retracted).
    pub fn is_active(&self) -> bool {
        self.retraction.is_none()
    }
}

/// What a session's reviews were when a change was computed from them: the change is stored only
/// if they are still so, so that two reviewers at once never store a scorecard missing the
/// other's review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReviewState {
    /// The highest review number of the session (0 for none).
    pub last_review_id: i64,
    /// How many of its reviews are retracted.
    pub retractions: i64,
}

impl ReviewState {
    /// The state of a session's reviews as loaded.
    pub fn of(reviews: &[Review]) -> ReviewState {
        ReviewState {
            last_review_id: reviews.iter().map(|r| r.id).max().unwrap_or(0),
            retractions: reviews.iter().filter(|r| !r.is_active()).count() as i64,
        }
    }
}

/// The scores of a session after one change of its reviews, kept in order so that xAPI can void
/// the statement of each superseded score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreRevision {
    pub session_id: String,
    /// RFC 3339.
    pub revised_at: String,
    /// The reviewer whose review (or retraction) made the change.
    pub revised_by: String,
    /// Whether any review still counts after the change.
    pub reviewed: bool,
    pub final_overall: f64,
    pub final_passed: bool,
    #[serde(serialize_with = "serialize_dimension_scores")]
    pub final_dimensions: DimensionScores,
}

impl ScoreRevision {
    /// The revision a scorecard makes.
    pub fn of(
        session_id: &str,
        card: &Scorecard,
        reviewed: bool,
        revised_at: &str,
        revised_by: &str,
    ) -> ScoreRevision {
        let mut final_dimensions: DimensionScores = [None; 4];
        for dimension in &card.dimensions {
            final_dimensions[dimension_index(dimension.dimension)] = dimension.score;
        }
        ScoreRevision {
            session_id: session_id.to_owned(),
            revised_at: revised_at.to_owned(),
            revised_by: revised_by.to_owned(),
            reviewed,
            final_overall: card.overall,
            final_passed: card.passed,
            final_dimensions,
        }
    }
}

/// The review that decides a criterion's score, and how it was reached.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EffectiveReview<'a> {
    pub review: &'a Review,
    /// Whether an adjudication (or a dispute override) decided it.
    pub adjudicated: bool,
    /// Whether the reviewers' latest plain ratings differ (an adjudication settles it).
    pub reviewers_disagree: bool,
}

/// The review that decides each criterion (docs/qa.md, "The effective score"): retracted reviews
/// never count; the latest adjudication or dispute override wins; without one, the latest rating
/// of any reviewer. `reviews` are oldest first.
pub fn effective_reviews(reviews: &[Review]) -> BTreeMap<&str, EffectiveReview<'_>> {
    let mut final_word: BTreeMap<&str, &Review> = BTreeMap::new();
    let mut latest_rating: BTreeMap<&str, &Review> = BTreeMap::new();
    let mut by_reviewer: BTreeMap<(&str, &str), Option<i32>> = BTreeMap::new();
    for review in reviews.iter().filter(|r| r.is_active()) {
        let criterion = review.criterion.as_str();
        if review.kind.is_final_word() {
            final_word.insert(criterion, review);
        } else {
            latest_rating.insert(criterion, review);
            by_reviewer.insert((criterion, review.reviewer.as_str()), review.rating);
        }
    }
    let disagree = |criterion: &str| {
        let ratings: std::collections::BTreeSet<Option<i32>> = by_reviewer
            .iter()
            .filter(|((c, _), _)| *c == criterion)
            .map(|(_, rating)| *rating)
            .collect();
        ratings.len() > 1
    };
    let mut effective = BTreeMap::new();
    for (criterion, review) in &latest_rating {
        effective.insert(
            *criterion,
            EffectiveReview {
                review,
                adjudicated: false,
                reviewers_disagree: disagree(criterion),
            },
        );
    }
    for (criterion, review) in final_word {
        effective.insert(
            criterion,
            EffectiveReview {
                review,
                adjudicated: true,
                reviewers_disagree: disagree(criterion),
            },
        );
    }
    effective
}

/// The scorecard after applying each criterion's effective review to the machine's; the
/// machine's own when no review counts.
pub fn apply_reviews(
    machine: &Scorecard,
    reviews: &[Review],
    rubric: &crate::scoring::Rubric,
) -> Result<Scorecard, String> {
    let mut card = machine.clone();
    for (criterion, effective) in effective_reviews(reviews) {
        card.override_rating(criterion, effective.review.rating, rubric)?;
    }
    Ok(card)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review(id: i64, reviewer: &str, rating: i32, kind: ReviewKind) -> Review {
        Review {
            id,
            session_id: "s".to_owned(),
            criterion: "empathy.apology".to_owned(),
            rating: Some(rating),
            machine_rating: Some(3),
            comment: String::new(),
            reviewer: reviewer.to_owned(),
            reviewed_at: format!("2026-02-0{id}T10:00:00Z"),
            kind,
            retraction: None,
        }
    }

    fn decided(reviews: &[Review]) -> Option<(i64, bool, bool)> {
        effective_reviews(reviews)
            .get("empathy.apology")
            .map(|e| (e.review.id, e.adjudicated, e.reviewers_disagree))
    }

    #[test]
    fn the_latest_rating_counts_until_an_adjudication_settles_it() {
        let mut reviews = vec![
            review(1, "dana", 1, ReviewKind::Rating),
            review(2, "eli", 4, ReviewKind::Rating),
        ];
        assert_eq!(decided(&reviews), Some((2, false, true)));
        reviews.push(review(3, "lead", 2, ReviewKind::Adjudication));
        reviews.push(review(4, "fay", 4, ReviewKind::Rating));
        assert_eq!(decided(&reviews), Some((3, true, true)));
    }

    #[test]
    fn retracted_reviews_never_count() {
        let mut reviews = vec![
            review(1, "dana", 1, ReviewKind::Rating),
            review(2, "lead", 2, ReviewKind::Dispute),
        ];
        reviews[1].retraction = Some(Retraction {
            by: "lead".to_owned(),
            at: "2026-02-03T10:00:00Z".to_owned(),
            reason: "wrong session".to_owned(),
        });
        assert_eq!(decided(&reviews), Some((1, false, false)));
        reviews[0].retraction = reviews[1].retraction.clone();
        assert_eq!(decided(&reviews), None);
    }

    #[test]
    fn one_reviewer_changing_their_mind_is_no_disagreement() {
        let reviews = vec![
            review(1, "dana", 1, ReviewKind::Rating),
            review(2, "dana", 4, ReviewKind::Rating),
        ];
        assert_eq!(decided(&reviews), Some((2, false, false)));
    }
}
