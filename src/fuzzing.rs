//! What the fuzz targets (`fuzz/`) and their corpus replay test run: arbitrary bytes through each
//! reader Rapport has for outside input, and on through what follows it, checking the promises
//! the validator and the engine make.
//!
//! Each entry point takes any bytes and returns normally, whatever they hold: input that is
//! refused is refused with a diagnostic (rendered here, so its rendering is exercised too). It
//! panics only when a promise is broken: a scenario that validates makes a run give more events
//! per step than [`MAX_EVENTS_PER_STEP`], or a call that never ends. The prepared parts (the
//! analysers, the rubric, the shipped scenarios) are built once in a [`Harness`] and reused, so
//! each input costs only its own reading.

use std::path::Path;
use std::sync::Arc;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::analysis::{PreparedScenario, ReplyContext};
use crate::engine::{MAX_EVENTS_PER_MOVE, Move, MoveError, TimedEvent, TransferKind};
use crate::runner::{Examiner, check_expectations, run_moves, run_plan_runs, scripted_setup};
use crate::scenario::load::{collect_scenario_files, parse_ron};
use crate::scenario::validate::has_errors;
use crate::scenario::{
    Diagnostic, LoadedScenario, Outcome, Policy, SourceFile, ValidateOptions, load_scenario,
    parse_scenario, validate,
};
use crate::script::{Script, TestPlan, check_delays};
use crate::transcript::{ClockKind, Recorder, SessionSetup, parse_transcript, replay};
use crate::verify::verify_transcript;

/// The most events one step of a driven run (the opening, one move, or letting time pass) may
/// give. The engine stops a move at [`MAX_EVENTS_PER_MOVE`]; the events of the step that crosses
/// it (a beat's lines, meters and options, then the ending) come on top, far fewer than this.
pub const MAX_EVENTS_PER_STEP: usize = MAX_EVENTS_PER_MOVE + 1_000;

/// The most moves a driven run makes; the bytes after them are ignored.
pub const MAX_DRIVEN_MOVES: usize = 200;

/// Session time by which every call has ended: the longest a call can last is three times the
/// longest handle time that validates (a week), so four weeks, in milliseconds, is past it.
pub const END_OF_TIME_MS: u64 = 4 * 7 * 24 * 3600 * 1000;

/// The most runs of one test plan a fuzz input may make (a script's moves are cut at
/// [`MAX_DRIVEN_MOVES`]): enough to reach every path, few enough that one input stays cheap.
const MAX_FUZZED_RUNS: usize = 16;

/// Replies a driven run types, from good to poor, so the analysers and scoring see both.
const REPLIES: [&str; 8] = [
    "I'm so sorry, I understand how frustrating this is. I'll look into it right now.",
    "Calm down, that's not my problem, read the policy.",
    "I guarantee it will be with you tomorrow, 100%.",
    "Could you give me your order number again?",
    "It may take 2 to 3 working days; I can't promise before then, but I'll email you updates.",
    "The SLA on the RMA is per the T&Cs, sorry.",
    "I'll personally make sure it's fixed today and call you back by 5pm.",
    "ok",
];

/// What a driven run did.
#[derive(Debug, Clone, PartialEq)]
pub struct DrivenRun {
    /// Every event, the opening's included.
    pub events: usize,
    /// Moves the engine took (refused moves are skipped, as a player would try again).
    pub moves: usize,
    /// How the call ended (every driven call ends).
    pub outcome: Outcome,
    /// Whether the engine stopped the call for looping.
    pub runaway: bool,
}

/// The parts every input shares, prepared once.
#[derive(Debug, Clone)]
pub struct Harness {
    kit: Examiner,
    validate_options: ValidateOptions,
    empty_policy: Policy,
    scenarios: Vec<ShippedScenario>,
}

#[derive(Debug, Clone)]
struct ShippedScenario {
    file_name: String,
    loaded: LoadedScenario,
    /// The analysers prepared for it, shared by every run.
    prepared: Arc<PreparedScenario>,
}

impl Harness {
    /// The shipped analysers and rubric, and every scenario in `dir` (the shipped `scenarios/`)
    /// for transcripts, test plans and scripts to run on.
    pub fn load(dir: &Path) -> Result<Harness, Box<Diagnostic>> {
        let kit = Examiner::shipped();
        let mut scenarios = Vec::new();
        for path in collect_scenario_files(&[dir.to_path_buf()])? {
            let loaded = load_scenario(&path)?;
            let file_name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let prepared = kit.prepare(&loaded);
            scenarios.push(ShippedScenario {
                file_name,
                loaded,
                prepared,
            });
        }
        let validate_options = ValidateOptions {
            assets_dir: None,
            criteria: Some(kit.rubric.criterion_ids()),
        };
        Ok(Harness {
            kit,
            validate_options,
            empty_policy: Policy::default(),
            scenarios,
        })
    }

    /// The shared analysers and rubric.
    pub fn kit(&self) -> &Examiner {
        &self.kit
    }

    /// Scenario text, then (after the last NUL byte, if any) the bytes that choose the moves:
    /// parsed, validated as `rapport validate` would, and when it validates, run to its end by
    /// [`drive`] and scored. Returns the run, or `None` when the scenario was refused.
    pub fn scenario_run(&self, data: &[u8]) -> Option<DrivenRun> {
        let (text, moves) = match memchr::memrchr(0, data) {
            Some(nul) => (&data[..nul], &data[nul + 1..]),
            None => (data, &data[data.len()..]),
        };
        let text = std::str::from_utf8(text).ok()?;
        let loaded = match parse_scenario("fuzz.ron", text) {
            Ok(loaded) => loaded,
            Err(diagnostic) => {
                diagnostic.render(false);
                return None;
            }
        };
        if !self.validates(&loaded) {
            return None;
        }
        let prepared = self.kit.prepare(&loaded);
        let run = drive(&loaded, prepared, &self.kit, seed_of(moves), moves);
        Some(run)
    }

    /// Whether a scenario validates; every diagnostic is rendered on the way.
    pub fn validates(&self, loaded: &LoadedScenario) -> bool {
        let diagnostics = validate(loaded, &self.validate_options);
        for diagnostic in &diagnostics {
            diagnostic.render(false);
        }
        !has_errors(&diagnostics)
    }

    /// A reply as `rapport analyse` reads it: cleaned as the engine stores a typed reply, then
    /// read against an empty policy and against each shipped scenario's.
    pub fn analyse(&self, data: &[u8]) {
        let text = String::from_utf8_lossy(data);
        let clean = crate::engine::sanitize_reply(&text);
        let bare = ReplyContext {
            customer_name: "",
            policy: &self.empty_policy,
            already_given: &[],
            call_at: None,
            flags: &[],
        };
        let reading = self.kit.analyser.read(&clean, &bare);
        crate::analysis::render_reading(&reading, &clean);
        // One scenario per input (chosen by its length) keeps each input cheap.
        if let Some(shipped) = self.pick(data.len() as u64) {
            shipped.prepared.read(&clean, &[]);
        }
    }

    /// A transcript as `score` and `import` take it: read, replayed on its shipped scenario, and
    /// scored when the replay reproduces it; then verified as they verify it.
    pub fn transcript(&self, data: &[u8]) {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        let Ok((transcript, _)) = parse_transcript(Path::new("fuzz.jsonl"), text) else {
            return;
        };
        let Some(shipped) = self
            .scenarios
            .iter()
            .find(|s| s.prepared.scenario().id == transcript.header.scenario_id)
        else {
            return;
        };
        if replay(&transcript, Arc::clone(&shipped.prepared)).is_ok() {
            let card =
                crate::scoring::score(&transcript, shipped.prepared.scenario(), &self.kit.rubric);
            assert!(card.overall.is_finite(), "a finite overall score");
            self.kit
                .debrief(&transcript, &shipped.loaded, &self.kit.rubric);
        }
        // The header check and the scenario check come before the replay, so this also runs
        // on transcripts whose turns do not replay.
        let _ = verify_transcript(&transcript, &shipped.loaded, &shipped.prepared);
    }

    /// A test plan as `rapport test` takes it: parsed, its delays checked, and its runs made on
    /// the shipped scenario it names (any shipped scenario when it names none of them) and
    /// checked against their expectations.
    pub fn test_plan(&self, data: &[u8]) {
        let Some(source) = source_of("fuzz.testplan.ron", data) else {
            return;
        };
        let mut plan: TestPlan = match parse_ron(&source) {
            Ok(plan) => plan,
            Err(diagnostic) => {
                diagnostic.render(false);
                return;
            }
        };
        plan.runs.truncate(MAX_FUZZED_RUNS);
        let runs = plan
            .runs
            .iter()
            .map(|run| (Some(run.name.as_str()), run.moves.as_slice()));
        if let Err(diagnostic) = check_delays(runs, &source) {
            diagnostic.render(false);
            return;
        }
        let shipped = self
            .scenarios
            .iter()
            .find(|s| s.file_name == plan.scenario)
            .or_else(|| self.pick(plan.scenario.len() as u64));
        if let Some(shipped) = shipped {
            let prepared = Arc::clone(&shipped.prepared);
            run_plan_runs(&plan, &shipped.loaded, prepared, &self.kit.rubric);
        }
    }

    /// A script as `rapport run --script` takes it: parsed, its delays checked, and run on the
    /// shipped scenario its seed picks, then checked against empty expectations.
    pub fn script(&self, data: &[u8]) {
        let Some(source) = source_of("fuzz.script.ron", data) else {
            return;
        };
        let mut script: Script = match parse_ron(&source) {
            Ok(script) => script,
            Err(diagnostic) => {
                diagnostic.render(false);
                return;
            }
        };
        script.moves.truncate(MAX_DRIVEN_MOVES);
        if let Err(diagnostic) = check_delays([(None, script.moves.as_slice())], &source) {
            diagnostic.render(false);
            return;
        }
        let Some(shipped) = self.pick(script.seed) else {
            return;
        };
        let setup = scripted_setup(script.seed, &script.trainee);
        let prepared = Arc::clone(&shipped.prepared);
        let rubric = &self.kit.rubric;
        match run_moves(
            &shipped.loaded,
            prepared,
            rubric,
            &setup,
            &script.moves,
            None,
        ) {
            Ok(result) => {
                check_expectations(&Default::default(), &result);
            }
            Err(error) => {
                let _ = error.to_string();
            }
        }
    }

    fn pick(&self, key: u64) -> Option<&ShippedScenario> {
        let count = self.scenarios.len() as u64;
        (count > 0).then(|| &self.scenarios[(key % count) as usize])
    }
}

/// Text of a RON file, or `None` when the bytes are not UTF-8 (the reader refuses those first).
fn source_of(name: &str, data: &[u8]) -> Option<SourceFile> {
    std::str::from_utf8(data)
        .ok()
        .map(|text| SourceFile::new(name, text))
}

/// A session seed from the move bytes, so the same input always gives the same run.
fn seed_of(moves: &[u8]) -> u64 {
    moves.iter().fold(moves.len() as u64, |seed, b| {
        seed.rotate_left(5) ^ u64::from(*b)
    })
}

/// Runs a scenario on a virtual clock with moves chosen by `moves` (three bytes a move: what,
/// with what, and the seconds before it), skipping the moves the engine refuses, then lets time
/// pass to [`END_OF_TIME_MS`] and scores the transcript.
///
/// # Panics
/// When a step gives more than [`MAX_EVENTS_PER_STEP`] events or the call has not ended by
/// [`END_OF_TIME_MS`]: the bounds the engine promises for any scenario that validates.
pub fn drive(
    loaded: &LoadedScenario,
    prepared: Arc<PreparedScenario>,
    kit: &Examiner,
    seed: u64,
    moves: &[u8],
) -> DrivenRun {
    let setup = SessionSetup {
        seed,
        trainee: "fuzz".to_owned(),
        clock: ClockKind::Virtual,
        started_at: Some("2026-01-01T00:00:00Z".to_owned()),
    };
    let (mut recorder, opening) = Recorder::start(loaded, prepared, &setup, None)
        .expect("a recorder without a file cannot fail to write");
    let mut events = check_step(&opening, "the opening");
    let mut at_ms: u64 = 0;
    let mut made = 0;
    for chunk in moves.chunks_exact(3).take(MAX_DRIVEN_MOVES) {
        if recorder.session().outcome().is_some() {
            break;
        }
        let [what, with, secs] = [chunk[0], chunk[1], chunk[2]];
        at_ms += u64::from(secs) * 1000;
        let Some(mv) = choose_move(&recorder, what, with) else {
            let recorded = recorder.advance(at_ms);
            events += check_step(recorded.events, "letting time pass");
            continue;
        };
        let described = mv.describe();
        match recorder.apply(at_ms, mv) {
            Ok(recorded) => {
                events += check_step(recorded.events, &described);
                made += 1;
            }
            Err(MoveError::Runaway { .. }) => break,
            Err(_) => {}
        }
    }
    let last = recorder.advance(END_OF_TIME_MS.max(at_ms));
    events += check_step(last.events, "letting time pass to the end");
    let session = recorder.session();
    let outcome = session.outcome().unwrap_or_else(|| {
        panic!("the call has not ended {END_OF_TIME_MS} ms in, past any time-out that validates")
    });
    let runaway = session.runaway();
    let transcript = recorder.finish();
    let card = crate::scoring::score(&transcript, &loaded.scenario, &kit.rubric);
    assert!(card.overall.is_finite(), "a finite overall score");
    DrivenRun {
        events,
        moves: made,
        outcome,
        runaway,
    }
}

/// A move from two bytes, or `None` for letting time pass without a move. Picks are made among
/// the options on offer, so most are taken.
fn choose_move(recorder: &Recorder, what: u8, with: u8) -> Option<Move> {
    let session = recorder.session();
    let mv = match what % 16 {
        0..=5 => {
            let offered = session.offered().len().max(1) as u32;
            Move::Choose(1 + u32::from(with) % offered)
        }
        6..=8 => Move::Say(REPLIES[usize::from(with) % REPLIES.len()].to_owned()),
        9 if session.on_hold() => Move::Unhold,
        9 => Move::Hold(u32::from(with) * 5),
        10 => Move::Wait,
        11 => return None,
        12 if with.is_multiple_of(2) => Move::Transfer(TransferKind::Warm),
        12 => Move::Transfer(TransferKind::Cold),
        13 => Move::Escalate,
        14 => Move::End,
        _ => Move::Choose(u32::from(with)),
    };
    Some(mv)
}

/// The number of events of one step, checked against [`MAX_EVENTS_PER_STEP`].
fn check_step(events: &[TimedEvent], step: &str) -> usize {
    assert!(
        events.len() <= MAX_EVENTS_PER_STEP,
        "{step} gave {} events, more than the {MAX_EVENTS_PER_STEP} a step may give",
        events.len()
    );
    events.len()
}

/// Move bytes for [`drive`] from a seed: a random script, the same for the same seed.
pub fn random_moves(seed: u64, count: usize) -> Vec<u8> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..count * 3)
        .map(|i| {
            if i % 3 == 2 {
                // Mostly the seconds a person thinks; now and then a long wait.
                if rng.random_bool(0.1) {
                    rng.random::<u8>()
                } else {
                    rng.random_range(0..60)
                }
            } else {
                rng.random::<u8>()
            }
        })
        .collect()
}
