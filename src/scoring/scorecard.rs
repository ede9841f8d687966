//! The scorecard: criterion ratings, dimension and overall scores with the evidence behind each.

use serde::{Deserialize, Serialize};
use smol_str::{SmolStr, format_smolstr};

use super::evidence::{Evidence, LedgerEntry, MeterPoint, Observations, observe};
use super::rubric::{Criterion, Measure, Rubric, Unobserved};
use super::timing::{
    rate_first_response, rate_handle_time, rate_holds, rate_reply_latency, rate_status_updates,
};
use crate::analysis::{Finding, Polarity};
use crate::scenario::{Dimension, Outcome, Scenario, ServiceLevels};
use crate::transcript::Transcript;

/// One criterion's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionScore {
    pub id: SmolStr,
    pub dimension: Dimension,
    pub title: SmolStr,
    /// `None` when not applicable.
    pub rating: Option<i32>,
    pub min: i32,
    pub max: i32,
    /// (rating − min) / (max − min) × 100, when rated.
    pub score: Option<f64>,
    pub weight: f64,
    pub critical: bool,
    /// Whether a human reviewer set this rating.
    #[serde(default)]
    pub reviewed: bool,
    /// Why the rating is what it is.
    pub reason: SmolStr,
    pub evidence: Vec<Evidence>,
}

impl CriterionScore {
    /// Whether a critical criterion failed (rated at its minimum).
    pub fn failed_critical(&self) -> bool {
        self.critical && self.rating == Some(self.min)
    }
}

/// One dimension's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DimensionScore {
    pub dimension: Dimension,
    pub weight: f64,
    /// `None` when every criterion was N/A.
    pub score: Option<f64>,
}

/// The complete, explainable result of scoring one session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    pub rubric_id: String,
    pub rubric_version: u32,
    pub scenario_id: String,
    pub outcome: Outcome,
    /// The overall score after critical failures (0 when one failed).
    pub overall: f64,
    /// The weighted overall before critical failures are applied.
    pub weighted: f64,
    pub passed: bool,
    pub band: SmolStr,
    pub pass_mark: f64,
    /// Ids of failed critical criteria.
    pub critical_failures: Vec<String>,
    pub dimensions: Vec<DimensionScore>,
    pub criteria: Vec<CriterionScore>,
    pub ledger: Vec<LedgerEntry>,
    pub meters: Vec<MeterPoint>,
    pub handle_secs: f64,
}

impl Scorecard {
    /// The score of one dimension.
    pub fn dimension(&self, dimension: Dimension) -> Option<f64> {
        self.dimensions
            .iter()
            .find(|d| d.dimension == dimension)
            .and_then(|d| d.score)
    }

    /// The criterion with this id.
    pub fn criterion(&self, id: &str) -> Option<&CriterionScore> {
        self.criteria.iter().find(|c| c.id == id)
    }

    /// Sets a criterion's rating by hand (QA review) and recomputes the totals.
    pub fn override_rating(
        &mut self,
        id: &str,
        rating: Option<i32>,
        rubric: &Rubric,
    ) -> Result<(), String> {
        let criterion = self
            .criteria
            .iter_mut()
            .find(|c| c.id == id)
            .ok_or_else(|| format!("this scorecard has no criterion `{id}`"))?;
        if let Some(r) = rating
            && (r < criterion.min || r > criterion.max)
        {
            return Err(format!(
                "`{r}` is outside {}..={} for `{id}`",
                criterion.min, criterion.max
            ));
        }
        criterion.rating = rating;
        criterion.score = rating.map(|r| scale_score(r, criterion.min, criterion.max));
        criterion.reviewed = true;
        self.total(rubric);
        Ok(())
    }

    /// Recomputes dimension scores, the overall, pass/fail and the band from the criteria.
    fn total(&mut self, rubric: &Rubric) {
        self.dimensions = rubric
            .dimensions
            .iter()
            .map(|spec| DimensionScore {
                dimension: spec.dimension,
                weight: spec.weight,
                score: weighted_mean(
                    self.criteria
                        .iter()
                        .filter(|c| c.dimension == spec.dimension)
                        .filter_map(|c| c.score.map(|s| (c.weight, s))),
                ),
            })
            .collect();
        self.weighted = weighted_mean(
            self.dimensions
                .iter()
                .filter_map(|d| d.score.map(|s| (d.weight, s))),
        )
        .unwrap_or(0.0);
        self.critical_failures = self
            .criteria
            .iter()
            .filter(|c| c.failed_critical())
            .map(|c| c.id.to_string())
            .collect();
        self.overall = if self.critical_failures.is_empty() {
            self.weighted
        } else {
            0.0
        };
        // An unfinished call cannot pass, whatever its scores so far.
        self.passed = self.overall >= rubric.pass_mark && self.outcome != Outcome::Abandoned;
        self.band = rubric.band(self.overall);
    }
}

/// Σ weight × score / Σ weight, or `None` when nothing is rated.
fn weighted_mean(items: impl Iterator<Item = (f64, f64)>) -> Option<f64> {
    let (mut sum, mut weights) = (0.0, 0.0);
    for (weight, score) in items {
        sum += weight * score;
        weights += weight;
    }
    (weights > 0.0).then(|| sum / weights)
}

fn scale_score(rating: i32, min: i32, max: i32) -> f64 {
    f64::from(rating - min) / f64::from((max - min).max(1)) * 100.0
}

/// Scores a transcript with a rubric. Live sessions and stored transcripts go through the same path.
pub fn score(transcript: &Transcript, scenario: &Scenario, rubric: &Rubric) -> Scorecard {
    let observations = observe(transcript, scenario, rubric);
    score_observations(observations, transcript.outcome(), scenario, rubric)
}

/// Scores gathered observations (the debrief re-scores with a turn's mistakes left out).
/// The observations are consumed: their evidence, ledger and meters move into the scorecard.
pub fn score_observations(
    mut obs: Observations,
    outcome: Outcome,
    scenario: &Scenario,
    rubric: &Rubric,
) -> Scorecard {
    let levels = scenario.service_levels();
    let mut findings = std::mem::take(&mut obs.evidence);
    let mut criteria = Vec::with_capacity(rubric.dimensions.iter().map(|d| d.criteria.len()).sum());
    for spec in &rubric.dimensions {
        for criterion in &spec.criteria {
            let evidence: Vec<Evidence> = match criterion.measure {
                Measure::Findings => findings
                    .extract_if(.., |e| e.finding.criterion == criterion.id)
                    .collect(),
                _ => Vec::new(),
            };
            criteria.push(rate(
                criterion,
                spec.dimension,
                &obs,
                evidence,
                (scenario, outcome),
                &levels,
            ));
        }
    }
    let mut card = Scorecard {
        rubric_id: rubric.id.clone(),
        rubric_version: rubric.version,
        scenario_id: scenario.id.clone(),
        outcome,
        overall: 0.0,
        weighted: 0.0,
        passed: false,
        band: SmolStr::default(),
        pass_mark: rubric.pass_mark,
        critical_failures: Vec::new(),
        dimensions: Vec::new(),
        criteria,
        handle_secs: obs.handle_ms as f64 / 1000.0,
        ledger: obs.ledger,
        meters: obs.meters,
    };
    card.total(rubric);
    card
}

/// Rates one criterion; `findings` is the evidence gathered under it (for a findings measure).
fn rate(
    criterion: &Criterion,
    dimension: Dimension,
    obs: &Observations,
    findings: Vec<Evidence>,
    (scenario, outcome): (&Scenario, Outcome),
    levels: &ServiceLevels,
) -> CriterionScore {
    let (min, max) = criterion.scale.bounds();
    let Rated {
        rating,
        reason,
        evidence,
    } = match criterion.measure {
        Measure::Findings => rate_findings(criterion, obs, findings, min, max),
        Measure::FirstResponse => rate_first_response(obs, levels, min, max),
        Measure::ReplyLatency => rate_reply_latency(obs, levels, min, max),
        Measure::HoldDiscipline => rate_holds(obs, levels, min, max),
        Measure::StatusUpdates => rate_status_updates(obs, levels, min, max),
        Measure::HandleTime => rate_handle_time(obs, scenario, outcome, min, max),
        Measure::FollowThrough => rate_follow_through(&criterion.id, outcome, obs, min, max),
    };
    CriterionScore {
        id: criterion.id.clone(),
        dimension,
        title: criterion.title.clone(),
        rating,
        min,
        max,
        score: rating.map(|r| scale_score(r, min, max)),
        weight: criterion.weight,
        critical: criterion.critical,
        reviewed: false,
        reason,
        evidence,
    }
}

/// A criterion as rated: its rating (none when not applicable), the reason for it, and the
/// evidence behind it.
pub(super) struct Rated {
    pub(super) rating: Option<i32>,
    pub(super) reason: SmolStr,
    pub(super) evidence: Vec<Evidence>,
}

impl Rated {
    /// Rated `rating`, for `reason`, on `evidence`.
    pub(super) fn at(rating: i32, reason: SmolStr, evidence: Vec<Evidence>) -> Rated {
        Rated {
            rating: Some(rating),
            reason,
            evidence,
        }
    }

    /// Not rated: the call gave the criterion nothing to judge, for `reason`.
    pub(super) fn unrated(reason: SmolStr) -> Rated {
        Rated {
            rating: None,
            reason,
            evidence: Vec::new(),
        }
    }
}

fn rate_findings(
    criterion: &Criterion,
    obs: &Observations,
    evidence: Vec<Evidence>,
    min: i32,
    max: i32,
) -> Rated {
    let weight_of = |polarity: Polarity| -> u32 {
        evidence
            .iter()
            .filter(|e| e.finding.polarity == polarity)
            .map(|e| e.finding.weight.max(1))
            .sum()
    };
    let (good, bad) = (weight_of(Polarity::Good), weight_of(Polarity::Bad));
    if good + bad == 0 {
        let (rating, reason) = match criterion.unobserved {
            Unobserved::NotApplicable => {
                (None, SmolStr::new_static("not observed: not applicable"))
            }
            Unobserved::Min => (
                Some(min),
                SmolStr::new_static("expected and never observed"),
            ),
            Unobserved::Max if obs.spoke => (Some(max), SmolStr::new_static("no lapse observed")),
            Unobserved::Max => (
                None,
                SmolStr::new_static("the trainee never spoke: no opportunity to observe"),
            ),
        };
        return Rated {
            rating,
            reason,
            evidence,
        };
    }
    let rating = if max - min == 1 {
        // Binary: any lapse fails.
        if bad > 0 { min } else { max }
    } else {
        let share = f64::from(good) / f64::from(good + bad);
        min + (share * f64::from(max - min)).round() as i32
    };
    Rated::at(rating, observations_note(good, bad), evidence)
}

/// "3 good and 1 poor observation(s)": the reason of most criteria.
fn observations_note(good: u32, bad: u32) -> SmolStr {
    format_smolstr!("{good} good and {bad} poor observation(s)")
}

/// Evidence for a criterion measured from the whole call rather than read from a reply.
pub(super) fn measured_evidence(
    (turn, at_ms): (usize, u64),
    dimension: Dimension,
    criterion: SmolStr,
    polarity: Polarity,
    rule: SmolStr,
    note: SmolStr,
) -> Evidence {
    Evidence {
        turn,
        at_ms,
        finding: Finding {
            dimension,
            polarity,
            criterion,
            rule,
            matched: SmolStr::default(),
            note,
            weight: 1,
        },
    }
}

/// How the call ended. Resolved is best; handed on to someone who can finish it is good (the
/// handoff criterion judges how); the customer giving up is poor; the trainee ending the call with
/// the problem open is the floor, so a critical criterion fails the whole call.
fn rate_follow_through(
    criterion: &SmolStr,
    outcome: Outcome,
    obs: &Observations,
    min: i32,
    max: i32,
) -> Rated {
    if !obs.spoke {
        return Rated::unrated(SmolStr::new_static(
            "the trainee never spoke: nothing was taken on",
        ));
    }
    let quarter = (max - min) / 4;
    let (rating, polarity, note) = match outcome {
        Outcome::Resolved => (
            max,
            Polarity::Good,
            "the call ended with the problem resolved",
        ),
        Outcome::Escalated | Outcome::Transferred => (
            max - quarter,
            Polarity::Good,
            "the problem was handed on to someone who can finish it",
        ),
        Outcome::HungUp | Outcome::TimedOut => (
            min + quarter,
            Polarity::Bad,
            "the customer gave up before the problem was resolved",
        ),
        Outcome::AgentEnded => (
            min,
            Polarity::Bad,
            "the trainee ended the call with the problem still open",
        ),
        Outcome::Abandoned => {
            return Rated::unrated(SmolStr::new_static("the call never ended"));
        }
    };
    let turn = obs.meters.last().map_or(0, |m| m.turn);
    let evidence = measured_evidence(
        (turn, obs.handle_ms),
        Dimension::Ownership,
        criterion.clone(),
        polarity,
        format_smolstr!("ended-{}", outcome.label()),
        SmolStr::new_static(note),
    );
    Rated::at(rating, SmolStr::new_static(note), vec![evidence])
}

#[cfg(test)]
mod tests {
    use super::observations_note;

    #[test]
    fn the_observations_note_counts_both_ways() {
        assert_eq!(observations_note(0, 1), "0 good and 1 poor observation(s)");
        assert_eq!(observations_note(7, 3), "7 good and 3 poor observation(s)");
        assert_eq!(observations_note(3, 7), "3 good and 7 poor observation(s)");
        assert_eq!(observations_note(8, 0), "8 good and 0 poor observation(s)");
        assert_eq!(
            observations_note(12, u32::MAX),
            format!("12 good and {} poor observation(s)", u32::MAX)
        );
    }
}
