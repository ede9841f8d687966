//! `rapport rescore`: how two rubric versions differ over the same transcripts, criterion by criterion.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::rubric::Rubric;
use super::scorecard::score;
use crate::library::resolve_recorded_scenario;
use crate::transcript::read_transcript;

/// How one criterion moved between the rubrics.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CriterionChange {
    pub criterion: String,
    /// Sessions where the criterion was rated under the old rubric, and its mean score.
    pub old_rated: usize,
    pub old_mean: Option<f64>,
    pub new_rated: usize,
    pub new_mean: Option<f64>,
    /// Sessions whose rating of this criterion changed.
    pub changed: usize,
}

/// The whole comparison.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Comparison {
    pub old: String,
    pub new: String,
    pub sessions: usize,
    pub old_overall: f64,
    pub new_overall: f64,
    pub old_pass_rate: f64,
    pub new_pass_rate: f64,
    /// Sessions that passed under one rubric and failed under the other.
    pub flipped: Vec<String>,
    pub criteria: Vec<CriterionChange>,
}

#[derive(Default)]
struct Tally {
    old: Vec<f64>,
    new: Vec<f64>,
    changed: usize,
}

/// Scores every transcript with both rubrics; unreadable files are passed to `skipped`.
pub fn compare(
    old: &Rubric,
    new: &Rubric,
    transcripts: &[PathBuf],
    skipped: &mut dyn FnMut(&Path, String),
) -> Comparison {
    let mut comparison = Comparison {
        old: format!("{} v{}", old.id, old.version),
        new: format!("{} v{}", new.id, new.version),
        ..Comparison::default()
    };
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let (mut old_sum, mut new_sum, mut old_pass, mut new_pass) = (0.0, 0.0, 0, 0);
    for path in transcripts {
        let transcript = match read_transcript(path) {
            Ok((t, _)) => t,
            Err(e) => {
                skipped(path, e.to_string());
                continue;
            }
        };
        let header = &transcript.header;
        let loaded =
            match resolve_recorded_scenario(header.scenario_path.as_deref(), &header.scenario_id) {
                Ok(l) => l,
                Err(d) => {
                    skipped(path, d.message);
                    continue;
                }
            };
        let a = score(&transcript, &loaded.scenario, old);
        let b = score(&transcript, &loaded.scenario, new);
        comparison.sessions += 1;
        old_sum += a.overall;
        new_sum += b.overall;
        old_pass += usize::from(a.passed);
        new_pass += usize::from(b.passed);
        if a.passed != b.passed {
            comparison.flipped.push(format!(
                "{} ({}: {:.0} → {:.0})",
                transcript.header.session_id, loaded.scenario.id, a.overall, b.overall
            ));
        }
        for criterion in &a.criteria {
            let tally = tallies.entry(criterion.id.to_string()).or_default();
            tally.old.extend(criterion.score);
            let other = b.criterion(&criterion.id);
            if other.map(|c| c.rating) != Some(criterion.rating) {
                tally.changed += 1;
            }
        }
        for criterion in &b.criteria {
            let tally = tallies.entry(criterion.id.to_string()).or_default();
            tally.new.extend(criterion.score);
            if a.criterion(&criterion.id).is_none() {
                tally.changed += 1;
            }
        }
    }
    let mean = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
    let sessions = comparison.sessions.max(1) as f64;
    comparison.old_overall = old_sum / sessions;
    comparison.new_overall = new_sum / sessions;
    comparison.old_pass_rate = old_pass as f64 / sessions * 100.0;
    comparison.new_pass_rate = new_pass as f64 / sessions * 100.0;
    comparison.criteria = tallies
        .into_iter()
        .map(|(criterion, t)| CriterionChange {
            criterion,
            old_rated: t.old.len(),
            old_mean: mean(&t.old),
            new_rated: t.new.len(),
            new_mean: mean(&t.new),
            changed: t.changed,
        })
        .collect();
    comparison
}

impl Comparison {
    /// The comparison as a table for the terminal.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "Rescoring {} session(s): {} → {}",
            self.sessions, self.old, self.new
        );
        let _ = writeln!(
            out,
            "Overall mean {:.1} → {:.1}; pass rate {:.0}% → {:.0}%",
            self.old_overall, self.new_overall, self.old_pass_rate, self.new_pass_rate
        );
        let _ = writeln!(
            out,
            "\n{:<32} {:>10} {:>10} {:>8}",
            "criterion", "old mean", "new mean", "changed"
        );
        let show = |m: Option<f64>| m.map_or("n/a".to_owned(), |m| format!("{m:.1}"));
        for c in &self.criteria {
            let _ = writeln!(
                out,
                "{:<32} {:>10} {:>10} {:>8}",
                c.criterion,
                show(c.old_mean),
                show(c.new_mean),
                c.changed
            );
        }
        if !self.flipped.is_empty() {
            let _ = writeln!(out, "\nPass/fail changed for:");
            for f in &self.flipped {
                let _ = writeln!(out, "  {f}");
            }
        }
        out
    }
}
