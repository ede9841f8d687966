//! A session flattened into the rows the store writes, built once and written by either backend.

use super::{DimensionScores, StoreError, dimension_index};
use crate::scoring::Scorecard;
use crate::transcript::Transcript;

/// One criterion's row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CriterionRow {
    pub criterion: String,
    pub dimension: &'static str,
    pub rating: Option<i32>,
    pub score: Option<f64>,
    /// Whether a reviewer set this rating.
    pub reviewed: bool,
}

/// Everything stored for one session, ready to insert.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRecord {
    pub(crate) session_id: String,
    pub(crate) trainee: String,
    pub(crate) scenario_id: String,
    pub(crate) scenario_version: i64,
    pub(crate) scenario_hash: String,
    pub(crate) seed: i64,
    pub(crate) started_at: String,
    pub(crate) started_epoch: i64,
    pub(crate) outcome: &'static str,
    pub(crate) rubric_id: String,
    pub(crate) rubric_version: i64,
    pub(crate) overall: f64,
    pub(crate) passed: bool,
    pub(crate) band: String,
    pub(crate) handle_secs: f64,
    pub(crate) dimensions: DimensionScores,
    pub(crate) criteria: Vec<CriterionRow>,
    pub(crate) transcript_jsonl: String,
    pub(crate) scorecard_json: String,
}

impl SessionRecord {
    /// Flattens a transcript and its scorecard; fails only on a start time that is not RFC 3339.
    pub fn new(transcript: &Transcript, card: &Scorecard) -> Result<SessionRecord, StoreError> {
        let header = &transcript.header;
        let started_epoch = parse_epoch(&header.started_at).ok_or_else(|| StoreError::BadStartTime {
            session_id: header.session_id.clone(),
            started_at: header.started_at.clone(),
        })?;
        let mut dimensions: DimensionScores = [None; 4];
        for dimension in &card.dimensions {
            dimensions[dimension_index(dimension.dimension)] = dimension.score;
        }
        let criteria = card
            .criteria
            .iter()
            .map(|c| CriterionRow {
                criterion: c.id.clone(),
                dimension: c.dimension.label(),
                rating: c.rating,
                score: c.score,
                reviewed: c.reviewed,
            })
            .collect();
        Ok(SessionRecord {
            session_id: header.session_id.clone(),
            trainee: header.trainee.clone(),
            scenario_id: header.scenario_id.clone(),
            scenario_version: i64::from(header.scenario_version),
            scenario_hash: header.scenario_hash.clone(),
            // Seeds are u64; the database keeps the same 64 bits as a signed integer.
            seed: header.seed as i64,
            started_at: header.started_at.clone(),
            started_epoch,
            outcome: card.outcome.label(),
            rubric_id: card.rubric_id.clone(),
            rubric_version: i64::from(card.rubric_version),
            overall: card.overall,
            passed: card.passed,
            band: card.band.clone(),
            handle_secs: card.handle_secs,
            dimensions,
            criteria,
            transcript_jsonl: transcript.to_jsonl(),
            scorecard_json: serde_json::to_string(card).unwrap_or_default(),
        })
    }

    /// The session's id.
    pub fn session_id(&self) -> &str {
        &self.session_id
    }
}

/// Unix seconds of an RFC 3339 timestamp.
pub(crate) fn parse_epoch(text: &str) -> Option<i64> {
    text.parse::<jiff::Timestamp>().ok().map(|t| t.as_second())
}

/// The final (reviewed) columns of a scorecard: overall, passed, dimensions, and each criterion's rating and score.
pub(crate) struct FinalScores {
    pub overall: f64,
    pub passed: bool,
    pub dimensions: DimensionScores,
    pub criteria: Vec<CriterionRow>,
}

impl FinalScores {
    /// The final columns of a reviewed scorecard.
    pub fn of(card: &Scorecard) -> FinalScores {
        let mut dimensions: DimensionScores = [None; 4];
        for dimension in &card.dimensions {
            dimensions[dimension_index(dimension.dimension)] = dimension.score;
        }
        FinalScores {
            overall: card.overall,
            passed: card.passed,
            dimensions,
            criteria: card
                .criteria
                .iter()
                .map(|c| CriterionRow {
                    criterion: c.id.clone(),
                    dimension: c.dimension.label(),
                    rating: c.rating,
                    score: c.score,
                    reviewed: c.reviewed,
                })
                .collect(),
        }
    }
}

/// A stored session from its summary and documents.
pub(crate) fn decode_session(
    summary: super::SessionSummary,
    transcript: &str,
    scorecard: &str,
    reviewed: Option<&str>,
    reviews: Vec<super::Review>,
) -> Result<super::StoredSession, StoreError> {
    let decode = |message: String| StoreError::Decode {
        session_id: summary.session_id.clone(),
        message,
    };
    let name = std::path::Path::new(&summary.session_id);
    let (transcript, _) = crate::transcript::parse_transcript(name, transcript).map_err(|e| decode(e.to_string()))?;
    let scorecard: Scorecard = serde_json::from_str(scorecard).map_err(|e| decode(format!("scorecard: {e}")))?;
    let reviewed = reviewed
        .map(serde_json::from_str::<Scorecard>)
        .transpose()
        .map_err(|e| decode(format!("reviewed scorecard: {e}")))?;
    Ok(super::StoredSession {
        summary,
        transcript,
        scorecard,
        reviewed,
        reviews,
    })
}
