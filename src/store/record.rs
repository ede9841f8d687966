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
        let started_epoch =
            parse_epoch(&header.started_at).ok_or_else(|| StoreError::BadStartTime {
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
                criterion: c.id.to_string(),
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
            band: card.band.to_string(),
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

    /// Whether `stored` (a stored session's transcript) is this record's transcript: the same
    /// text, or the same turns once read (a row written by an older version may differ in
    /// spelling only).
    pub(crate) fn same_transcript_as(&self, stored: &str) -> bool {
        if stored == self.transcript_jsonl {
            return true;
        }
        let name = std::path::Path::new(&self.session_id);
        match (
            crate::transcript::parse_transcript(name, stored),
            crate::transcript::parse_transcript(name, &self.transcript_jsonl),
        ) {
            (Ok((stored, _)), Ok((new, _))) => stored == new,
            _ => false,
        }
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
                    criterion: c.id.to_string(),
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
    let (transcript, _) =
        crate::transcript::parse_transcript(name, transcript).map_err(|e| decode(e.to_string()))?;
    let scorecard: Scorecard =
        serde_json::from_str(scorecard).map_err(|e| decode(format!("scorecard: {e}")))?;
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

/// Separates criteria in the packed `criteria` column.
const PACK_ENTRY: char = ';';
/// Separates the fields of one criterion in the packed column.
const PACK_FIELD: char = ',';

/// Packs each criterion's id, dimension, machine and final score into one column, so reports read
/// criterion scores with the session row instead of joining millions of rows.
pub(crate) fn pack_criteria(
    entries: impl Iterator<Item = (String, String, Option<f64>, Option<f64>)>,
) -> String {
    let mut out = String::new();
    for (criterion, dimension, machine, reviewed) in entries {
        if !out.is_empty() {
            out.push(PACK_ENTRY);
        }
        let number = |v: Option<f64>| v.map_or_else(String::new, |v| v.to_string());
        out.push_str(&format!(
            "{}{PACK_FIELD}{}{PACK_FIELD}{}{PACK_FIELD}{}",
            pack_text(&criterion),
            pack_text(&dimension),
            number(machine),
            number(reviewed)
        ));
    }
    out
}

/// Escapes the separators (and `%`) in a packed id.
fn pack_text(text: &str) -> String {
    text.replace('%', "%25")
        .replace(PACK_FIELD, "%2C")
        .replace(PACK_ENTRY, "%3B")
}

fn unpack_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('%') {
        text.replace("%2C", ",")
            .replace("%3B", ";")
            .replace("%25", "%")
            .into()
    } else {
        text.into()
    }
}

/// The packed column of a new session: final scores are the machine's.
pub(crate) fn pack_record(criteria: &[CriterionRow]) -> String {
    pack_criteria(criteria.iter().map(|c| {
        (
            c.criterion.clone(),
            c.dimension.to_owned(),
            c.score,
            c.score,
        )
    }))
}

/// Running sums of one trainee's criterion.
#[derive(Debug, Default)]
struct CriterionSums {
    dimension: String,
    machine: (f64, usize),
    reviewed: (f64, usize),
}

/// Each trainee's criterion means from `(trainee, packed criteria)` rows.
#[derive(Debug, Default)]
pub(crate) struct CriterionAggregator {
    sums: std::collections::HashMap<String, std::collections::HashMap<String, CriterionSums>>,
}

impl CriterionAggregator {
    /// Adds one session's packed criteria.
    pub fn add(&mut self, trainee: &str, packed: &str) {
        if !self.sums.contains_key(trainee) {
            self.sums
                .insert(trainee.to_owned(), std::collections::HashMap::new());
        }
        let Some(criteria) = self.sums.get_mut(trainee) else {
            return;
        };
        for entry in packed.split(PACK_ENTRY).filter(|e| !e.is_empty()) {
            let mut fields = entry.split(PACK_FIELD);
            let (Some(criterion), Some(dimension), Some(machine), Some(reviewed)) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            let criterion = unpack_text(criterion);
            if !criteria.contains_key(criterion.as_ref()) {
                criteria.insert(
                    criterion.clone().into_owned(),
                    CriterionSums {
                        dimension: unpack_text(dimension).into_owned(),
                        ..CriterionSums::default()
                    },
                );
            }
            let Some(sums) = criteria.get_mut(criterion.as_ref()) else {
                continue;
            };
            if let Ok(value) = machine.parse::<f64>() {
                sums.machine.0 += value;
                sums.machine.1 += 1;
            }
            if let Ok(value) = reviewed.parse::<f64>() {
                sums.reviewed.0 += value;
                sums.reviewed.1 += 1;
            }
        }
    }

    /// The means, by trainee then criterion.
    pub fn finish(self) -> Vec<super::CriterionMean> {
        let mut means = Vec::new();
        for (trainee, criteria) in self.sums {
            for (criterion, sums) in criteria {
                let mean = |(sum, count): (f64, usize)| (count > 0).then(|| sum / count as f64);
                means.push(super::CriterionMean {
                    trainee: trainee.clone(),
                    criterion,
                    dimension: sums.dimension,
                    machine_mean: mean(sums.machine),
                    final_mean: mean(sums.reviewed),
                    rated: sums.reviewed.1 as i64,
                });
            }
        }
        means.sort_by(|a, b| (&a.trainee, &a.criterion).cmp(&(&b.trainee, &b.criterion)));
        means
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_criteria_survive_separators_in_ids() {
        let packed = pack_criteria(
            [
                (
                    "odd,id;100%".to_owned(),
                    "empathy".to_owned(),
                    Some(50.0),
                    Some(75.0),
                ),
                (
                    "plain".to_owned(),
                    "ownership".to_owned(),
                    None,
                    Some(100.0),
                ),
            ]
            .into_iter(),
        );
        let mut aggregator = CriterionAggregator::default();
        aggregator.add("ana", &packed);
        aggregator.add("ana", &packed);
        let means = aggregator.finish();
        assert_eq!(means.len(), 2);
        assert_eq!(means[0].criterion, "odd,id;100%");
        assert_eq!(
            (means[0].machine_mean, means[0].final_mean, means[0].rated),
            (Some(50.0), Some(75.0), 2)
        );
        assert_eq!(
            (means[1].machine_mean, means[1].final_mean),
            (None, Some(100.0))
        );
    }
}
