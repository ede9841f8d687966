//! The rubric: dimensions, weighted criteria with rating scales, N/A, critical criteria, pass mark and bands.

use std::path::Path;

use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use crate::scenario::load::{load_ron, parse_ron};
use crate::scenario::{Code, Diagnostic, Dimension, SourceFile};

/// The rubric shipped with Rapport, used unless a scenario or `--rubric` names another.
pub const SHIPPED_RUBRIC: &str = include_str!("../../scenarios/default.rubric.ron");

/// A scoring rubric, as QA leads know them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rubric {
    pub id: String,
    /// Bumped on every change; each scorecard records the version that scored it.
    pub version: u32,
    #[serde(default)]
    pub title: String,
    /// The overall score needed to pass.
    #[serde(default = "default_pass_mark")]
    pub pass_mark: f64,
    /// Named bands, each from its `min` up to the next band.
    #[serde(default)]
    pub bands: Vec<Band>,
    pub dimensions: Vec<DimensionSpec>,
}

fn default_pass_mark() -> f64 {
    80.0
}

/// A named band of overall scores ("Proficient" from 80).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub name: SmolStr,
    pub min: f64,
}

/// One dimension of the rubric with its weight and criteria.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DimensionSpec {
    pub dimension: Dimension,
    pub weight: f64,
    /// The criterion that authored annotations without a `criterion` count under.
    pub authored: SmolStr,
    pub criteria: Vec<Criterion>,
}

/// One criterion: what is rated, on which scale, and how it is measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// Stable id (`empathy.acknowledge`).
    pub id: SmolStr,
    pub title: SmolStr,
    #[serde(default)]
    pub description: String,
    pub scale: Scale,
    #[serde(default = "unit")]
    pub weight: f64,
    /// A failed critical criterion sets the overall score to 0.
    #[serde(default)]
    pub critical: bool,
    /// What the rating is when nothing was observed.
    pub unobserved: Unobserved,
    #[serde(default)]
    pub measure: Measure,
}

fn unit() -> f64 {
    1.0
}

/// A rating scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scale {
    /// 0 (fail) or 1 (pass).
    Binary,
    /// 1 to 3.
    ThreePoint,
    /// 1 to 5.
    FivePoint,
}

impl Scale {
    /// The lowest and highest rating.
    pub fn bounds(self) -> (i32, i32) {
        match self {
            Scale::Binary => (0, 1),
            Scale::ThreePoint => (1, 3),
            Scale::FivePoint => (1, 5),
        }
    }
}

/// The rating of a criterion nobody observed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unobserved {
    /// Left out of the score (N/A).
    NotApplicable,
    /// Rated at the bottom: the behaviour was expected and missing.
    Min,
    /// Rated at the top: a penalty criterion nobody broke.
    Max,
}

/// How a criterion is measured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Measure {
    /// From the analysers' findings and authored annotations under this criterion's id.
    #[default]
    Findings,
    /// Time to the first reply against the channel's first-response target.
    FirstResponse,
    /// Each reply's latency against the between-replies target.
    ReplyLatency,
    /// Each hold against the time announced and the maximum hold.
    HoldDiscipline,
    /// Whether long waits were broken by status updates.
    StatusUpdates,
    /// Total handle time against the scenario's target.
    HandleTime,
    /// How the call ended: resolved, handed on, the customer giving up, or the trainee ending it
    /// with the problem still open (the lowest rating).
    FollowThrough,
}

impl Rubric {
    /// The shipped default rubric.
    pub fn shipped() -> Rubric {
        match Rubric::from_text("scenarios/default.rubric.ron", SHIPPED_RUBRIC) {
            Ok(rubric) => rubric,
            Err(diagnostic) => panic!("the shipped rubric is invalid: {}", diagnostic.message),
        }
    }

    /// Parses and checks a rubric held in memory.
    pub fn from_text(name: &str, text: &str) -> Result<Rubric, Box<Diagnostic>> {
        let source = SourceFile::new(name, text);
        let rubric: Rubric = parse_ron(&source)?;
        rubric.check(&source)?;
        Ok(rubric)
    }

    /// Loads and checks a rubric file.
    pub fn load(path: &Path) -> Result<Rubric, Box<Diagnostic>> {
        let (rubric, source): (Rubric, SourceFile) = load_ron(path)?;
        rubric.check(&source)?;
        Ok(rubric)
    }

    /// The criterion with this id, and its dimension.
    pub fn criterion(&self, id: &str) -> Option<(&DimensionSpec, &Criterion)> {
        self.dimensions
            .iter()
            .find_map(|d| d.criteria.iter().find(|c| c.id == id).map(|c| (d, c)))
    }

    /// Every criterion id.
    pub fn criterion_ids(&self) -> std::collections::BTreeSet<String> {
        self.dimensions
            .iter()
            .flat_map(|d| d.criteria.iter().map(|c| c.id.to_string()))
            .collect()
    }

    /// The band an overall score falls in.
    pub fn band(&self, overall: f64) -> SmolStr {
        // The highest minimum reached; of equal minimums, the first listed.
        self.bands
            .iter()
            .filter(|b| overall >= b.min)
            .fold(None, |best: Option<&Band>, b| match best {
                Some(best) if best.min >= b.min => Some(best),
                _ => Some(b),
            })
            .map_or_else(SmolStr::default, |b| b.name.clone())
    }

    /// Checks what serde cannot: weights, the authored criterion, duplicate ids.
    fn check(&self, source: &SourceFile) -> Result<(), Box<Diagnostic>> {
        let fail = |message: String, needle: &str| {
            let span = source.find(needle, 0);
            Err(Box::new(
                Diagnostic::new(Code::WrongType, &source.path, message)
                    .at(source, span, "here")
                    .with_help("see docs/scoring.md for the rubric format"),
            ))
        };
        let mut seen = std::collections::BTreeSet::new();
        for spec in &self.dimensions {
            if !(spec.weight.is_finite() && spec.weight >= 0.0) {
                return fail(
                    format!(
                        "dimension `{}` has weight `{}`",
                        spec.dimension.label(),
                        spec.weight
                    ),
                    "weight",
                );
            }
            if !spec.criteria.iter().any(|c| c.id == spec.authored) {
                return fail(
                    format!(
                        "`authored: \"{}\"` names no criterion of `{}`",
                        spec.authored,
                        spec.dimension.label()
                    ),
                    &spec.authored,
                );
            }
            for criterion in &spec.criteria {
                if !seen.insert(criterion.id.clone()) {
                    return fail(
                        format!("criterion `{}` is defined twice", criterion.id),
                        &criterion.id,
                    );
                }
                if !(criterion.weight.is_finite() && criterion.weight >= 0.0) {
                    return fail(
                        format!(
                            "criterion `{}` has weight `{}`",
                            criterion.id, criterion.weight
                        ),
                        &criterion.id,
                    );
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Band, Rubric};

    #[test]
    fn a_score_falls_in_the_highest_band_it_reaches_and_the_first_of_equals() {
        let mut rubric = Rubric::shipped();
        let band = |name: &str, min| Band {
            name: name.into(),
            min,
        };
        rubric.bands = vec![
            band("Proficient", 70.0),
            band("Excellent", 90.0),
            band("Needs coaching", 0.0),
            band("Also proficient", 70.0),
            band("Unreachable", f64::NAN),
        ];
        assert_eq!(rubric.band(95.0), "Excellent");
        assert_eq!(rubric.band(90.0), "Excellent");
        assert_eq!(rubric.band(75.0), "Proficient");
        assert_eq!(rubric.band(10.0), "Needs coaching");
        assert_eq!(rubric.band(-1.0), "");
        rubric.bands.clear();
        assert_eq!(rubric.band(50.0), "");
    }
}
