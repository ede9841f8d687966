//! Test-plan coverage: which beats, options and endings of a scenario the plans' runs reached,
//! recorded from the events of each run (what the engine did, not what the graph allows).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;
use smol_str::SmolStr;

use crate::engine::Event;
use crate::runner::PlanReport;
use crate::scenario::graph::option_number;
use crate::scenario::validate::{graph_edges, reachable_from};
use crate::scenario::{LoadedScenario, Outcome, Scenario};
use crate::transcript::Transcript;

/// What runs reached in one scenario: the ids of the beats entered, the options chosen and the
/// endings the calls ended at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reached {
    /// How many runs were recorded.
    pub runs: usize,
    pub beats: BTreeSet<SmolStr>,
    pub options: BTreeSet<SmolStr>,
    pub endings: BTreeSet<SmolStr>,
}

impl Reached {
    /// Adds what one run's transcript shows it reached.
    pub fn record(&mut self, transcript: &Transcript) {
        self.runs += 1;
        for timed in transcript.events() {
            match &timed.event {
                Event::BeatEntered { beat } => {
                    self.beats.insert(beat.clone());
                }
                Event::TraineeChose { id, .. } => {
                    self.options.insert(id.clone());
                }
                Event::Ended { ending, .. } => {
                    self.endings.insert(ending.clone());
                }
                _ => {}
            }
        }
    }

    /// Adds what other runs reached.
    pub fn merge(&mut self, other: &Reached) {
        self.runs += other.runs;
        self.beats.extend(other.beats.iter().cloned());
        self.options.extend(other.options.iter().cloned());
        self.endings.extend(other.endings.iter().cloned());
    }
}

/// How many of a kind of thing the runs reached, of how many the scenario has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub reached: usize,
    pub total: usize,
}

/// What kind of thing a run did not reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UnreachedKind {
    Beat,
    Option,
    Ending,
}

impl UnreachedKind {
    /// The word for it in a table.
    pub fn label(self) -> &'static str {
        match self {
            UnreachedKind::Beat => "beat",
            UnreachedKind::Option => "option",
            UnreachedKind::Ending => "ending",
        }
    }
}

/// A beat, option or ending no run reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unreached {
    pub kind: UnreachedKind,
    pub id: SmolStr,
    /// For an option: the beat that offers it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beat: Option<SmolStr>,
    /// For an option: the number play gives it (`2.`, or `2–3.` after a conditional option).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    /// For an option: what the trainee says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<SmolStr>,
    /// For an ending: its outcome.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// No path from the start leads here (RP0012): no plan can reach it.
    pub unreachable: bool,
}

/// One scenario's coverage by the test plans that play it.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub scenario: String,
    pub file: PathBuf,
    /// The plans that play the scenario.
    pub plans: Vec<PathBuf>,
    /// How many runs of those plans finished and were counted (a refused run counts nothing).
    pub runs: usize,
    pub beats: Tally,
    pub options: Tally,
    pub endings: Tally,
    /// The share of beats, options and endings reached, from 0 to 100.
    pub percent: f64,
    /// Everything no run reached, in file order: beats with their options, then endings.
    pub unreached: Vec<Unreached>,
}

/// Compares what the runs reached with everything the scenario has.
pub fn measure(
    scenario: &Scenario,
    file: PathBuf,
    plans: Vec<PathBuf>,
    reached: &Reached,
) -> Coverage {
    let reachable = reachable_from(&graph_edges(scenario), &scenario.start);
    let mut unreached = Vec::new();
    let (mut beats, mut options) = (Tally::default(), Tally::default());
    for beat in &scenario.beats {
        beats.total += 1;
        if reached.beats.contains(&beat.id) {
            beats.reached += 1;
        } else {
            unreached.push(Unreached {
                kind: UnreachedKind::Beat,
                id: beat.id.clone(),
                beat: None,
                number: None,
                text: None,
                outcome: None,
                unreachable: !reachable.contains(beat.id.as_str()),
            });
        }
        for (index, choice) in beat.options.iter().enumerate() {
            options.total += 1;
            if reached.options.contains(&choice.id) {
                options.reached += 1;
                continue;
            }
            unreached.push(Unreached {
                kind: UnreachedKind::Option,
                id: choice.id.clone(),
                beat: Some(beat.id.clone()),
                number: Some(option_number(&beat.options, index)),
                text: Some(choice.text.clone()),
                outcome: None,
                unreachable: !reachable.contains(beat.id.as_str()),
            });
        }
    }
    let mut endings = Tally::default();
    for ending in &scenario.endings {
        endings.total += 1;
        if reached.endings.contains(&ending.id) {
            endings.reached += 1;
        } else {
            unreached.push(Unreached {
                kind: UnreachedKind::Ending,
                id: ending.id.clone(),
                beat: None,
                number: None,
                text: None,
                outcome: Some(ending.outcome),
                unreachable: !reachable.contains(ending.id.as_str()),
            });
        }
    }
    let total = beats.total + options.total + endings.total;
    let hit = beats.reached + options.reached + endings.reached;
    let percent = if total == 0 {
        100.0
    } else {
        100.0 * hit as f64 / total as f64
    };
    Coverage {
        scenario: scenario.id.clone(),
        file,
        plans,
        runs: reached.runs,
        beats,
        options,
        endings,
        percent,
        unreached,
    }
}

/// The coverage of every scenario the plans play, one row per scenario file however many plans
/// play it, followed by each of `unplanned` that no plan plays (nothing of it reached); sorted by
/// file.
pub fn of_plans(reports: &[PlanReport], unplanned: &[LoadedScenario]) -> Vec<Coverage> {
    struct Played<'r> {
        file: &'r Path,
        scenario: &'r Scenario,
        plans: Vec<PathBuf>,
        reached: Reached,
    }
    let mut played: BTreeMap<PathBuf, Played<'_>> = BTreeMap::new();
    for report in reports {
        let entry = played
            .entry(same_file_key(&report.scenario_file))
            .or_insert_with(|| Played {
                file: &report.scenario_file,
                scenario: &report.played,
                plans: Vec::new(),
                reached: Reached::default(),
            });
        entry.plans.push(report.plan.clone());
        entry.reached.merge(&report.reached);
    }
    let mut coverages: Vec<Coverage> = played
        .into_values()
        .map(|p| measure(p.scenario, p.file.to_path_buf(), p.plans, &p.reached))
        .collect();
    let planned: BTreeSet<PathBuf> = reports
        .iter()
        .map(|r| same_file_key(&r.scenario_file))
        .collect();
    for loaded in unplanned {
        if !planned.contains(&same_file_key(&loaded.source.path)) {
            coverages.push(measure(
                &loaded.scenario,
                loaded.source.path.clone(),
                Vec::new(),
                &Reached::default(),
            ));
        }
    }
    coverages.sort_by(|a, b| a.file.cmp(&b.file));
    coverages
}

/// One key for every path to the same file (`scenarios/x.ron`, `./scenarios/x.ron`, a link).
fn same_file_key(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}
