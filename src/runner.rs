//! Headless runs: a scripted trainee through a scenario, and test plans with their expectations.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::analysis::{Analyser, Polarity, PreparedScenario};
use crate::coverage::Reached;
use crate::engine::Event;
use crate::scenario::assets::resolve_inside;
use crate::scenario::load::{MAX_FILE_BYTES, load_ron};
use crate::scenario::locate::Locator;
use crate::scenario::{Code, Diagnostic, LoadedScenario, Meter, load_scenario};
use crate::scoring::{Debrief, Rubric, Scorecard, build_debrief, score};
use crate::script::{Expectations, ScriptedMove, TestPlan, check_delays, is_valid_delay};
use crate::transcript::{ClockKind, Recorder, SessionSetup, Transcript};

/// Everything a scripted run produces.
#[derive(Debug, Clone, Serialize)]
pub struct RunResult {
    pub transcript: Transcript,
    pub scorecard: Scorecard,
}

/// Why a scripted run stopped.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("move {index} of the script (`{mv}` at {at_secs:.1} s) was refused: {source}")]
    Refused {
        index: usize,
        mv: String,
        at_secs: f64,
        #[source]
        source: crate::engine::MoveError,
    },
    #[error(
        "move {index} of the script has an unusable delay `{after}`; use seconds from 0 to {max}",
        max = crate::script::MAX_DELAY_SECS
    )]
    BadDelay { index: usize, after: f64 },
    #[error(
        "the scenario looped as the call opened: more than {limit} events (or jumps within jumps), so the engine ended the call; check its triggers"
    )]
    Runaway { limit: usize },
    #[error(transparent)]
    Transcript(#[from] crate::transcript::TranscriptError),
}

/// What judges every run, shared and read-only: the analysers that read replies and the rubric
/// that scores (a scenario may name its own rubric: see [`Examiner::rubric_for`]).
#[derive(Debug, Clone)]
pub struct Examiner {
    pub analyser: Arc<Analyser>,
    pub rubric: Arc<Rubric>,
}

impl Examiner {
    /// The analysers of a library folder (the shipped lexicon with the folder's changes, see
    /// [`Analyser::for_folder`]) and the shipped rubric.
    pub fn for_folder(dir: &Path) -> Result<Examiner, Box<Diagnostic>> {
        Ok(Examiner {
            analyser: Arc::new(Analyser::for_folder(dir)?),
            rubric: Arc::new(Rubric::shipped()),
        })
    }

    /// The analysers prepared for a scenario, in its language: build it once per scenario and
    /// share it with every session that plays it.
    pub fn prepare(&self, loaded: &LoadedScenario) -> Arc<PreparedScenario> {
        let scenario = Arc::new(loaded.scenario.clone());
        let analyser = self.analyser_for(&scenario.language);
        Arc::new(PreparedScenario::new(analyser, scenario))
    }

    /// The analysers for a language: these when they read it, else the lexicon shipped for it,
    /// else these (a language with no lexicon is read with the library's).
    fn analyser_for(&self, language: &str) -> Arc<Analyser> {
        if self.analyser.language() != language
            && let Some(Ok(shipped)) = Analyser::shipped_for(language)
        {
            return Arc::new(shipped);
        }
        Arc::clone(&self.analyser)
    }

    /// The shipped analysers and rubric.
    pub fn shipped() -> Examiner {
        Examiner {
            analyser: Arc::new(Analyser::shipped()),
            rubric: Arc::new(Rubric::shipped()),
        }
    }

    /// The rubric for a scenario: its own `rubric` file when it names one, else this examiner's.
    /// The file must be a regular file inside the scenario's folder (as the validator checks):
    /// a scenario cannot make Rapport read, or show in an error, a file from anywhere else.
    pub fn rubric_for(&self, loaded: &LoadedScenario) -> Result<Arc<Rubric>, Box<Diagnostic>> {
        let Some(relative) = &loaded.scenario.rubric else {
            return Ok(Arc::clone(&self.rubric));
        };
        match resolve_inside(loaded.dir(), relative, MAX_FILE_BYTES) {
            // Read by the path as written, so its diagnostics name it as the scenario does.
            Ok(_) => Ok(Arc::new(Rubric::load(&loaded.dir().join(relative))?)),
            Err(problem) => {
                let code = if problem.is_missing() {
                    Code::MissingAsset
                } else {
                    Code::UnsafePath
                };
                let span = Locator::new(&loaded.source.text).string(relative);
                let diagnostic =
                    Diagnostic::new(code, &loaded.source.path, format!("rubric {problem}"))
                        .at(&loaded.source, span, "this rubric")
                        .with_help("name a `.rubric.ron` file in the scenario's folder");
                Err(Box::new(diagnostic))
            }
        }
    }

    /// The debrief of a transcript, with the lexicon's model replies as fallbacks.
    pub fn debrief(
        &self,
        transcript: &Transcript,
        loaded: &LoadedScenario,
        rubric: &Rubric,
    ) -> Debrief {
        let analyser = Arc::clone(&self.analyser);
        let model_reply = move |criterion: &str| analyser.model_reply(criterion).map(str::to_owned);
        build_debrief(transcript, &loaded.scenario, rubric, &model_reply)
    }
}

/// Plays scripted moves through a scenario on a virtual clock and scores the result.
pub fn run_moves(
    loaded: &LoadedScenario,
    prepared: Arc<PreparedScenario>,
    rubric: &Rubric,
    setup: &SessionSetup,
    moves: &[ScriptedMove],
    transcript_path: Option<&Path>,
) -> Result<RunResult, RunError> {
    let (mut recorder, _) = Recorder::start(loaded, prepared, setup, transcript_path)?;
    if recorder.session().runaway() {
        // The opening itself looped (triggers sending each other back and forth).
        return Err(RunError::Runaway {
            limit: crate::engine::MAX_EVENTS_PER_MOVE,
        });
    }
    let mut at_ms: u64 = 0;
    for (index, scripted) in moves.iter().enumerate() {
        let bad_delay = || RunError::BadDelay {
            index: index + 1,
            after: scripted.after,
        };
        if !is_valid_delay(scripted.after) {
            return Err(bad_delay());
        }
        // In range, the delay fits a `u64` of milliseconds; the sum of many is checked.
        let delay_ms = (scripted.after * 1000.0).round() as u64;
        at_ms = at_ms.checked_add(delay_ms).ok_or_else(bad_delay)?;
        if recorder.session().outcome().is_some() {
            break;
        }
        match recorder.apply(at_ms, scripted.action.clone()) {
            Ok(recorded) => {
                if let Some(e) = recorded.unsaved {
                    return Err(RunError::Transcript(e));
                }
            }
            Err(source) => {
                return Err(RunError::Refused {
                    index: index + 1,
                    mv: scripted.action.describe(),
                    at_secs: at_ms as f64 / 1000.0,
                    source,
                });
            }
        }
    }
    let transcript = recorder.finish();
    let scorecard = score(&transcript, &loaded.scenario, rubric);
    Ok(RunResult {
        transcript,
        scorecard,
    })
}

/// The virtual-clock setup of a scripted run, stamped with the time it starts (the moves' delays
/// are virtual, the start is not: reports and `--since` filters place the session by it).
pub fn scripted_setup(seed: u64, trainee: &str) -> SessionSetup {
    SessionSetup {
        seed,
        trainee: trainee.to_owned(),
        clock: ClockKind::Virtual,
        started_at: None,
    }
}

/// The result of one run of a test plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlanRunReport {
    pub name: String,
    pub passed: bool,
    pub failures: Vec<String>,
    pub overall: Option<f64>,
    pub outcome: Option<String>,
}

/// The result of a whole test plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlanReport {
    pub plan: PathBuf,
    pub scenario: String,
    pub runs: Vec<PlanRunReport>,
    /// The scenario's file, as the plan names it (joined to the plan's folder).
    #[serde(skip)]
    pub scenario_file: PathBuf,
    /// The scenario the runs played, for measuring their coverage.
    #[serde(skip)]
    pub played: Arc<crate::scenario::Scenario>,
    /// The beats, options and endings reached by the runs that finished.
    #[serde(skip)]
    pub reached: Reached,
}

impl PlanReport {
    /// Whether every run passed.
    pub fn passed(&self) -> bool {
        self.runs.iter().all(|r| r.passed)
    }
}

/// Runs a test plan file. Load errors come back as a diagnostic.
pub fn run_plan(path: &Path, kit: &Examiner) -> Result<PlanReport, Box<Diagnostic>> {
    let (plan, source): (TestPlan, _) = load_ron(path)?;
    let runs = plan
        .runs
        .iter()
        .map(|run| (Some(run.name.as_str()), run.moves.as_slice()));
    check_delays(runs, &source)?;
    let plan_dir = path.parent().unwrap_or(Path::new("."));
    // Like a scenario's rubric, a plan's scenario lies in the plan's folder or below it.
    resolve_inside(plan_dir, &plan.scenario, MAX_FILE_BYTES).map_err(|problem| {
        let code = if problem.is_missing() {
            Code::Unreadable
        } else {
            Code::UnsafePath
        };
        let span = Locator::new(&source.text).string(&plan.scenario);
        Box::new(
            Diagnostic::new(code, path, format!("the plan's scenario {problem}"))
                .at(&source, span, "this scenario")
                .with_help("name a scenario file in the plan's folder, by a relative path"),
        )
    })?;
    // Read by the path as written, so diagnostics and transcripts name it as the plan does.
    let scenario_file = plan_dir.join(&plan.scenario);
    let loaded = load_scenario(&scenario_file)?;
    let rubric = kit.rubric_for(&loaded)?;
    let prepared = kit.prepare(&loaded);
    let scenario = Arc::clone(prepared.scenario());
    let (runs, reached) = run_plan_runs(&plan, &loaded, prepared, &rubric);
    Ok(PlanReport {
        plan: path.to_path_buf(),
        scenario: loaded.scenario.id.clone(),
        runs,
        scenario_file,
        played: scenario,
        reached,
    })
}

/// Runs every run of a parsed test plan on its scenario (already loaded, with its rubric) and
/// checks each against its expectations; a run the engine stops is a failed run, not an error.
/// Returns the runs' reports and what the runs that finished reached.
pub fn run_plan_runs(
    plan: &TestPlan,
    loaded: &LoadedScenario,
    prepared: Arc<PreparedScenario>,
    rubric: &Rubric,
) -> (Vec<PlanRunReport>, Reached) {
    let mut runs = Vec::new();
    let mut reached = Reached::default();
    for run in &plan.runs {
        let setup = scripted_setup(run.seed, &run.trainee);
        let report = match run_moves(
            loaded,
            Arc::clone(&prepared),
            rubric,
            &setup,
            &run.moves,
            None,
        ) {
            Ok(result) => {
                reached.record(&result.transcript);
                let failures = check_expectations(&run.expect, &result);
                PlanRunReport {
                    name: run.name.clone(),
                    passed: failures.is_empty(),
                    failures,
                    overall: Some(result.scorecard.overall),
                    outcome: Some(result.scorecard.outcome.label().to_owned()),
                }
            }
            Err(error) => PlanRunReport {
                name: run.name.clone(),
                passed: false,
                failures: vec![error.to_string()],
                overall: None,
                outcome: None,
            },
        };
        runs.push(report);
    }
    (runs, reached)
}

/// Every way a run misses its expectations, in words.
pub fn check_expectations(expect: &Expectations, result: &RunResult) -> Vec<String> {
    let mut failures = Vec::new();
    let said: Vec<&str> = result
        .transcript
        .events()
        .filter_map(|e| match &e.event {
            Event::CustomerSaid { line, .. } => Some(line.as_str()),
            _ => None,
        })
        .collect();
    let mut position = 0;
    for wanted in &expect.lines {
        match said[position..].iter().position(|l| l == wanted) {
            Some(offset) => position += offset + 1,
            None => failures.push(format!(
                "line `{wanted}` was not said (in order); said: {}",
                said.join(", ")
            )),
        }
    }
    for unwanted in &expect.not_lines {
        if said.contains(&unwanted.as_str()) {
            failures.push(format!("line `{unwanted}` was said"));
        }
    }
    let ending = result.transcript.ending();
    if let Some(wanted) = &expect.ending {
        let got = ending.map_or("no ending", |(e, _)| e);
        if got != wanted {
            failures.push(format!("ending was `{got}`, expected `{wanted}`"));
        }
    }
    if let Some(wanted) = expect.outcome {
        let got = result.transcript.outcome();
        if got != wanted {
            failures.push(format!(
                "outcome was `{}`, expected `{}`",
                got.label(),
                wanted.label()
            ));
        }
    }
    let last = result.scorecard.meters.last();
    for (meter, low, high) in &expect.meters {
        let value = last.map_or(0, |m| match meter {
            Meter::Anger => m.anger,
            Meter::Patience => m.patience,
            Meter::Trust => m.trust,
        });
        if value < *low || value > *high {
            failures.push(format!(
                "{} ended at {value}, expected {low}..={high}",
                meter.label()
            ));
        }
    }
    let card = &result.scorecard;
    if let Some((low, high)) = expect.overall
        && (card.overall < low || card.overall > high)
    {
        failures.push(format!(
            "overall was {:.1}, expected {low}..={high}",
            card.overall
        ));
    }
    for (dimension, low, high) in &expect.dimensions {
        match card.dimension(*dimension) {
            Some(score) if score >= *low && score <= *high => {}
            Some(score) => failures.push(format!(
                "{} was {score:.1}, expected {low}..={high}",
                dimension.label()
            )),
            None => failures.push(format!(
                "{} was not rated, expected {low}..={high}",
                dimension.label()
            )),
        }
    }
    if let Some(wanted) = expect.passed
        && card.passed != wanted
    {
        failures.push(format!(
            "the scorecard {} (overall {:.1}), expected it to {}",
            if card.passed { "passed" } else { "failed" },
            card.overall,
            if wanted { "pass" } else { "fail" }
        ));
    }
    for criterion in &expect.flagged {
        let flagged = card.criterion(criterion).is_some_and(|c| {
            c.evidence
                .iter()
                .any(|e| e.finding.polarity == Polarity::Bad)
        });
        if !flagged {
            failures.push(format!("criterion `{criterion}` has no poor evidence"));
        }
    }
    failures
}

/// Every test plan under the given paths (files or directories), sorted; each once, however
/// many links lead to it.
pub fn collect_plans(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut plans = Vec::new();
    for path in paths {
        if path.is_dir() {
            plans.extend(crate::files::walk_files(path, |p| {
                p.to_string_lossy().ends_with(".testplan.ron")
            }));
        } else {
            plans.push(path.clone());
        }
    }
    plans.sort();
    plans.dedup();
    plans
}
