//! Trainees' and QA's commands: `play`, `gui`, `run`, `test`, `replay`, `analyse`, `score`, `rescore`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Status, report};
use crate::cli::Format;
use rapport::analysis::explain::render_reading;
use rapport::analysis::{Analyser, ReplyContext};
use rapport::library::{library_dir, resolve_recorded_scenario, resolve_scenario};
use rapport::runner::{Examiner, PlanReport, collect_plans, run_moves, run_plan, scripted_setup};
use rapport::scenario::load::load_ron;
use rapport::scenario::validate::has_errors;
use rapport::scenario::{LoadedScenario, Policy, ValidateOptions, validate};
use rapport::scoring::{Rubric, Scorecard, render_debrief, score as score_transcript};
use rapport::script::Script;
use rapport::store::Store;
use rapport::transcript::{
    Transcript, expected_session_id, read_transcript, replay as replay_transcript,
};
use rapport::verify::verify_transcript;

/// `rapport` and `rapport gui`.
pub fn gui(seed: Option<u64>) -> anyhow::Result<Status> {
    #[cfg(feature = "gui")]
    {
        rapport_gui_entry(seed);
        Ok(Status::Ok)
    }
    #[cfg(not(feature = "gui"))]
    {
        let _ = seed;
        eprintln!(
            "error: this build of rapport has no game window (built without the `gui` feature); play in the terminal with `rapport play late-delivery`"
        );
        Ok(Status::Usage)
    }
}

#[cfg(feature = "gui")]
fn rapport_gui_entry(seed: Option<u64>) {
    rapport::app::run(seed);
}

/// Where a finished session goes: nowhere (`--no-store`), or the store named by `--db`/`RAPPORT_DB`
/// (`None` there is the default store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Nowhere,
    Store(Option<String>),
}

impl Destination {
    /// The destination chosen on the command line.
    pub fn of(db: Option<String>, no_store: bool) -> Destination {
        if no_store {
            Destination::Nowhere
        } else {
            Destination::Store(db)
        }
    }
}

/// `rapport play`.
pub fn play(
    scenario: &str,
    options: rapport::play::PlayOptions,
    destination: Destination,
) -> anyhow::Result<Status> {
    let kit = Examiner::shipped();
    let loaded = match resolve_scenario(scenario) {
        Ok(loaded) => loaded,
        Err(diagnostic) => {
            report(&diagnostic);
            return Ok(Status::Usage);
        }
    };
    let rubric = match kit.rubric_for(&loaded) {
        Ok(rubric) => rubric,
        Err(diagnostic) => {
            report(&diagnostic);
            return Ok(Status::Usage);
        }
    };
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout();
    let finished =
        rapport::play::play_terminal(&loaded, &kit, &rubric, &options, stdin, &mut stdout)?;
    Ok(store(
        &destination,
        &finished.transcript,
        &finished.scorecard,
        finished.path.as_deref(),
    ))
}

/// Stores a finished session. A store failure is an error (exit 1) that says where the transcript
/// is, so it can be imported later; nothing is lost.
fn store(
    destination: &Destination,
    transcript: &Transcript,
    scorecard: &Scorecard,
    transcript_path: Option<&Path>,
) -> Status {
    let Destination::Store(db) = destination else {
        return Status::Ok;
    };
    match Store::open(db.as_deref()).and_then(|mut store| store.save_session(transcript, scorecard))
    {
        Ok(_) => Status::Ok,
        Err(error) => {
            let later = match transcript_path {
                Some(path) => format!(
                    "the transcript is kept in `{}`: import it later with `rapport import {}`",
                    path.display(),
                    path.display()
                ),
                None => "no transcript of it is on disk (--transcript FILE keeps one, for `rapport import FILE` later)".to_owned(),
            };
            eprintln!(
                "error: the session was not stored in the results database: {}; {later}",
                rapport::with_causes(&error)
            );
            Status::Failed
        }
    }
}

/// `rapport run SCENARIO --script FILE`.
pub fn run(
    scenario: &str,
    script: &Path,
    json: bool,
    transcript: Option<PathBuf>,
    destination: Destination,
) -> anyhow::Result<Status> {
    let kit = Examiner::shipped();
    let loaded = match resolve_scenario(scenario) {
        Ok(loaded) => loaded,
        Err(diagnostic) => {
            report(&diagnostic);
            return Ok(Status::Usage);
        }
    };
    if refuse_invalid(&loaded, &kit) {
        return Ok(Status::Failed);
    }
    let loaded_script = load_ron::<Script>(script).and_then(|(script, source)| {
        rapport::script::check_delays([(None, script.moves.as_slice())], &source).map(|()| script)
    });
    let (script, rubric) = match (loaded_script, kit.rubric_for(&loaded)) {
        (Ok(script), Ok(rubric)) => (script, rubric),
        (Err(diagnostic), _) | (_, Err(diagnostic)) => {
            report(&diagnostic);
            return Ok(Status::Usage);
        }
    };
    let setup = scripted_setup(script.seed, &script.trainee);
    let result = match run_moves(
        &loaded,
        kit.prepare(&loaded),
        &rubric,
        &setup,
        &script.moves,
        transcript.as_deref(),
    ) {
        Ok(result) => result,
        Err(error) => {
            eprintln!("error: {error}");
            return Ok(Status::Failed);
        }
    };
    let stored = store(
        &destination,
        &result.transcript,
        &result.scorecard,
        transcript.as_deref(),
    );
    // Stored: from here on only the debrief is printed, and a closed pipe may end it.
    super::end_quietly_on_closed_pipe();
    if json {
        let debrief = kit.debrief(&result.transcript, &loaded, &rubric);
        let out = serde_json::json!({
            "scenario": loaded.scenario.id,
            "outcome": result.scorecard.outcome.label(),
            "ending": result.transcript.ending().map(|(e, _)| e),
            "scorecard": result.scorecard,
            "debrief": debrief,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        let debrief = kit.debrief(&result.transcript, &loaded, &rubric);
        print!("{}", render_debrief(&debrief));
    }
    Ok(stored)
}

/// Validates a scenario before it runs, as `rapport validate` would; prints the diagnostics and
/// returns true when it has errors (a scenario that does not validate is not run).
fn refuse_invalid(loaded: &LoadedScenario, kit: &Examiner) -> bool {
    let options = ValidateOptions {
        assets_dir: None,
        criteria: Some(kit.rubric.criterion_ids()),
    };
    let diagnostics = validate(loaded, &options);
    if !has_errors(&diagnostics) {
        return false;
    }
    for diagnostic in &diagnostics {
        report(diagnostic);
    }
    eprintln!(
        "error: `{}` does not validate; fix the errors above (`rapport validate {}`) before running it",
        loaded.source.path.display(),
        loaded.source.path.display()
    );
    true
}

/// `rapport test [PATH...]`.
pub fn test(
    paths: Vec<PathBuf>,
    format: Format,
    coverage: Option<super::coverage::Goal>,
) -> anyhow::Result<Status> {
    let paths = if paths.is_empty() {
        vec![library_dir()]
    } else {
        paths
    };
    // With the coverage, the scenarios no plan plays are listed too; without a plan, only they are.
    let unplanned = coverage.map_or_else(Vec::new, |_| {
        super::coverage::scenarios_beside_plans(&paths)
    });
    if collect_plans(&paths).is_empty() {
        let places = paths
            .iter()
            .map(|p| format!("`{}`", p.display()))
            .collect::<Vec<_>>()
            .join(", ");
        if unplanned.is_empty() {
            eprintln!("error: no test plans (`*.testplan.ron`) under {places}");
            return Ok(Status::Usage);
        }
        eprintln!(
            "note: no test plans (`*.testplan.ron`) under {places}, so nothing is tested yet; docs/scenario-format.md, \"Test plans\", shows how to write one"
        );
    }
    let (reports, unreadable) = run_plans(&paths);
    for diagnostic in &unreadable {
        report(diagnostic);
    }
    let (passed, failed) = count_runs(&reports);
    let coverages = coverage.map(|_| rapport::coverage::of_plans(&reports, &unplanned));
    match format {
        Format::Json => {
            let mut out = serde_json::json!({"passed": passed, "failed": failed, "plans": reports});
            if let Some(coverages) = &coverages {
                out["coverage"] = serde_json::to_value(coverages)?;
            }
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        Format::Human => {
            for plan in &reports {
                println!("{} ({})", plan.plan.display(), plan.scenario);
                for run in &plan.runs {
                    let mark = if run.passed { "ok  " } else { "FAIL" };
                    let overall = run.overall.map_or(String::new(), |o| {
                        format!(
                            " — {} , overall {o:.0}",
                            run.outcome.clone().unwrap_or_default()
                        )
                    });
                    println!("  {mark} {}{overall}", run.name);
                    for failure in &run.failures {
                        println!("       {failure}");
                    }
                }
            }
            println!(
                "\n{passed} passed, {failed} failed, {} plan(s)",
                reports.len()
            );
            if let Some(coverages) = &coverages {
                print!("{}", super::coverage::render(coverages));
            }
        }
    }
    let short = match (coverage, &coverages) {
        (Some(goal), Some(coverages)) => goal.short(coverages),
        _ => Vec::new(),
    };
    for c in &short {
        eprintln!(
            "error: `{}` reaches {:.0}% of its beats, options and endings, below --min-coverage {}; add test-plan runs that reach what is listed",
            c.scenario,
            c.percent.floor(),
            coverage.and_then(|g| g.min_percent).unwrap_or(0)
        );
    }
    Ok(if !unreadable.is_empty() {
        Status::Usage
    } else if failed > 0 || !short.is_empty() {
        Status::Failed
    } else {
        Status::Ok
    })
}

/// `rapport test --watch`: runs the plans again on every save under `paths` (or the library),
/// printing the runs whose result changed.
pub fn test_watching(paths: Vec<PathBuf>) -> anyhow::Result<Status> {
    let paths = if paths.is_empty() {
        vec![library_dir()]
    } else {
        paths
    };
    super::watch::watch(&paths, || {
        let (reports, unreadable) = run_plans(&paths);
        let mut lines: std::collections::BTreeSet<String> = unreadable
            .iter()
            .map(|d| format!("error[{}] {}: {}", d.code, d.location(), d.message))
            .collect();
        for plan in &reports {
            for run in &plan.runs {
                let mark = if run.passed { "ok  " } else { "FAIL" };
                let why = if run.failures.is_empty() {
                    String::new()
                } else {
                    format!(": {}", run.failures.join("; "))
                };
                lines.insert(format!(
                    "{mark} {} › {}{why}",
                    plan.plan.display(),
                    run.name
                ));
            }
        }
        let (passed, failed) = count_runs(&reports);
        super::watch::Results {
            lines,
            summary: format!(
                "{passed} passed, {failed} failed, {} plan(s), {} unreadable",
                reports.len(),
                unreadable.len()
            ),
        }
    })?;
    Ok(Status::Ok)
}

/// Runs every test plan under `paths`: the reports, and the plans that could not be loaded.
fn run_plans(paths: &[PathBuf]) -> (Vec<PlanReport>, Vec<rapport::scenario::Diagnostic>) {
    let mut reports = Vec::new();
    let mut unreadable = Vec::new();
    // Each folder's plans are judged with its lexicon changes, made once per folder.
    let mut kits: BTreeMap<PathBuf, Option<Examiner>> = BTreeMap::new();
    for plan in &collect_plans(paths) {
        let folder = plan.parent().unwrap_or(Path::new(".")).to_path_buf();
        let kit =
            kits.entry(folder.clone())
                .or_insert_with(|| match Examiner::for_folder(&folder) {
                    Ok(kit) => Some(kit),
                    Err(diagnostic) => {
                        unreadable.push(*diagnostic);
                        None
                    }
                });
        let Some(kit) = kit else {
            continue;
        };
        match run_plan(plan, kit) {
            Ok(report) => reports.push(report),
            Err(diagnostic) => unreadable.push(*diagnostic),
        }
    }
    (reports, unreadable)
}

/// How many runs of the plans passed and failed.
fn count_runs(reports: &[PlanReport]) -> (usize, usize) {
    let runs = reports.iter().flat_map(|plan| &plan.runs);
    let passed = runs.clone().filter(|run| run.passed).count();
    (passed, runs.count() - passed)
}

/// Loads a transcript and the scenario it was played on.
fn transcript_and_scenario(
    path: &Path,
    scenario: Option<&str>,
) -> Result<(Transcript, LoadedScenario), Status> {
    let (transcript, read) = match read_transcript(path) {
        Ok(t) => t,
        Err(error) => {
            eprintln!("error: {error}");
            return Err(Status::Usage);
        }
    };
    if read.truncated_tail {
        eprintln!(
            "warning: the last line of `{}` was cut off mid-write and was left out; every complete turn is intact",
            path.display()
        );
    }
    let header = &transcript.header;
    let resolved = match scenario {
        Some(name) => resolve_scenario(name),
        None => resolve_recorded_scenario(header.scenario_path.as_deref(), &header.scenario_id),
    };
    match resolved {
        Ok(loaded) => {
            let hash = loaded.content_hash();
            if hash != transcript.header.scenario_hash
                || loaded.scenario.version != transcript.header.scenario_version
            {
                eprintln!(
                    "warning: the transcript was recorded on `{}` version {} ({}), but `{}` is now version {} ({})",
                    transcript.header.scenario_id,
                    transcript.header.scenario_version,
                    transcript.header.scenario_hash,
                    loaded.source.path.display(),
                    loaded.scenario.version,
                    hash
                );
            }
            Ok((transcript, loaded))
        }
        Err(diagnostic) => {
            report(&diagnostic);
            Err(Status::Usage)
        }
    }
}

/// `rapport replay TRANSCRIPT`.
pub fn replay(path: &Path, scenario: Option<&str>) -> anyhow::Result<Status> {
    let (transcript, loaded) = match transcript_and_scenario(path, scenario) {
        Ok(pair) => pair,
        Err(status) => return Ok(status),
    };
    let header = &transcript.header;
    let expected = expected_session_id(header);
    if expected != header.session_id {
        println!(
            "replay diverges: the header does not match its session id: it says `{}`, its fields give `{expected}`; its trainee, start time, seed, scenario or id was edited after it was recorded",
            header.session_id
        );
        return Ok(Status::Failed);
    }
    let kit = Examiner::shipped();
    match replay_transcript(&transcript, kit.prepare(&loaded)) {
        Ok(session) => {
            let state = session
                .outcome()
                .map_or("still open (interrupted)".to_owned(), |o| {
                    format!("ended {}", o.label())
                });
            println!(
                "replay matches: {} turns reproduced exactly; the session {state}",
                transcript.turns.len()
            );
            Ok(Status::Ok)
        }
        Err(error) => {
            println!("replay diverges: {error}");
            Ok(Status::Failed)
        }
    }
}

/// `rapport analyse "REPLY"`.
pub fn analyse(
    reply: &str,
    scenario: Option<&str>,
    json: bool,
    rules_only: bool,
) -> anyhow::Result<Status> {
    let analyser = if rules_only {
        Analyser::shipped().without_reader()
    } else {
        Analyser::shipped()
    };
    let loaded = match scenario.map(resolve_scenario).transpose() {
        Ok(loaded) => loaded,
        Err(diagnostic) => {
            report(&diagnostic);
            return Ok(Status::Usage);
        }
    };
    let empty_policy = Policy::default();
    let context = match &loaded {
        Some(loaded) => ReplyContext::for_scenario(&loaded.scenario),
        None => ReplyContext {
            customer_name: "",
            policy: &empty_policy,
            already_given: &[],
            call_at: None,
            flags: &[],
        },
    };
    let clean = rapport::engine::sanitize_reply(reply);
    let reading = analyser.read(&clean, &context);
    if json {
        println!("{}", serde_json::to_string_pretty(&reading)?);
    } else {
        if loaded.is_none() {
            eprintln!("note: no --scenario given, so promises are checked against an empty policy");
        }
        print!("{}", render_reading(&reading, &clean));
    }
    Ok(Status::Ok)
}

/// `rapport score TRANSCRIPT`.
pub fn score(
    path: &Path,
    rubric: Option<&Path>,
    scenario: Option<&str>,
    json: bool,
) -> anyhow::Result<Status> {
    let (transcript, loaded) = match transcript_and_scenario(path, scenario) {
        Ok(pair) => pair,
        Err(status) => return Ok(status),
    };
    let kit = Examiner::shipped();
    if let Err(error) = verify_transcript(&transcript, &loaded, &kit.prepare(&loaded)) {
        eprintln!(
            "error: `{}` was not scored: {}",
            path.display(),
            rapport::with_causes(&error)
        );
        return Ok(Status::Failed);
    }
    let rubric = match rubric.map(Rubric::load).transpose() {
        Ok(Some(r)) => Arc::new(r),
        Ok(None) => match kit.rubric_for(&loaded) {
            Ok(r) => r,
            Err(d) => {
                report(&d);
                return Ok(Status::Usage);
            }
        },
        Err(d) => {
            report(&d);
            return Ok(Status::Usage);
        }
    };
    if json {
        let card = score_transcript(&transcript, &loaded.scenario, &rubric);
        println!("{}", serde_json::to_string_pretty(&card)?);
    } else {
        print!(
            "{}",
            render_debrief(&kit.debrief(&transcript, &loaded, &rubric))
        );
    }
    Ok(Status::Ok)
}

/// `rapport rescore --old A --new B TRANSCRIPTS...`.
pub fn rescore(
    old: &Path,
    new: &Path,
    transcripts: &[PathBuf],
    json: bool,
) -> anyhow::Result<Status> {
    let (old_rubric, new_rubric) = match (Rubric::load(old), Rubric::load(new)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(d), _) | (_, Err(d)) => {
            report(&d);
            return Ok(Status::Usage);
        }
    };
    let comparison = rapport::scoring::rescore::compare(
        &old_rubric,
        &new_rubric,
        transcripts,
        &mut |path, error| {
            eprintln!("warning: skipped `{}`: {error}", path.display());
        },
    );
    if json {
        println!("{}", serde_json::to_string_pretty(&comparison)?);
    } else {
        print!("{}", comparison.render());
    }
    Ok(Status::Ok)
}
