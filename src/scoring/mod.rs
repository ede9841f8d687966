//! Scoring: the rubric, the evidence in a transcript, the scorecard and the debrief.

pub mod debrief;
pub mod evidence;
pub mod rescore;
pub mod rubric;
pub mod scorecard;
mod timing;

pub use debrief::{CostlyMoment, Debrief, DisguisedTurn, build_debrief, render_debrief};
pub use evidence::{Evidence, LedgerEntry, MeterPoint, Observations, observe};
pub use rubric::Rubric;
pub use scorecard::{CriterionScore, DimensionScore, Scorecard, score, score_observations};
