//! Synthetic sessions: seeded random trainees played through the scenario library, for tests, benchmarks and demos.

use std::sync::Arc;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::analysis::PreparedScenario;
use crate::engine::Move;
use crate::library::{library_dir, load_library};
use crate::runner::{Examiner, RunResult};
use crate::scenario::LoadedScenario;
use crate::scoring::{Rubric, score};
use crate::transcript::{ClockKind, Recorder, SessionSetup};

/// Replies a synthetic trainee types, from model answers to poor ones.
pub const SAMPLE_REPLIES: &[&str] = &[
    "I'm so sorry about this. I understand how frustrating it is, and I'll sort it out for you now.",
    "I completely understand. Let me check your order right away; I will call you back by 5 pm today.",
    "That's not my department, you'll have to call someone else.",
    "Calm down, there's nothing I can do about it.",
    "I'm sorry for the wait. Your replacement ships today and arrives within 3 working days.",
    "I'll take care of this personally and email you the tracking number within the hour.",
    "We'll refund you everything today, guaranteed.",
    "Can you give me your order number again?",
];

/// The longest synthetic session, in moves.
const MAX_MOVES: usize = 40;

/// How the synthetic sessions are spread.
#[derive(Debug, Clone)]
pub struct SampleOptions {
    pub sessions: usize,
    /// Trainees are named `trainee-01`, `trainee-02`, ….
    pub trainees: usize,
    pub seed: u64,
    /// The first session's start, RFC 3339.
    pub start: jiff::Timestamp,
    /// Seconds between consecutive sessions' starts.
    pub spacing_secs: i64,
}

impl Default for SampleOptions {
    fn default() -> SampleOptions {
        SampleOptions {
            sessions: 100,
            trainees: 8,
            seed: 1,
            start: jiff::Timestamp::from_second(1_767_600_000)
                .unwrap_or(jiff::Timestamp::UNIX_EPOCH),
            spacing_secs: 3 * 3600,
        }
    }
}

/// The scenarios synthetic sessions are played on: the library, or the starter scenario when it is empty.
pub fn sample_scenarios() -> Vec<LoadedScenario> {
    let (library, _) = load_library(&library_dir());
    if !library.is_empty() {
        return library;
    }
    let text = crate::scenario::scaffold::starter_scenario("sample");
    crate::scenario::parse_scenario("sample.ron", &text)
        .into_iter()
        .collect()
}

/// Plays `options.sessions` seeded random trainees through the library and scores them.
pub fn sample_sessions(options: &SampleOptions) -> Vec<RunResult> {
    let kit = Examiner::shipped();
    let scenarios: Vec<(LoadedScenario, Arc<PreparedScenario>, Arc<Rubric>)> = sample_scenarios()
        .into_iter()
        .map(|loaded| {
            let rubric = kit
                .rubric_for(&loaded)
                .unwrap_or_else(|_| Arc::clone(&kit.rubric));
            let prepared = kit.prepare(&loaded);
            (loaded, prepared, rubric)
        })
        .collect();
    let mut results = Vec::with_capacity(options.sessions);
    if scenarios.is_empty() {
        return results;
    }
    for index in 0..options.sessions {
        let (loaded, prepared, rubric) = &scenarios[index % scenarios.len()];
        let trainee = format!("trainee-{:02}", index % options.trainees.max(1) + 1);
        let started_at = options.start.as_second() + index as i64 * options.spacing_secs;
        let started_at = jiff::Timestamp::from_second(started_at).unwrap_or(options.start);
        let setup = SessionSetup {
            seed: options.seed.wrapping_add(index as u64),
            trainee,
            clock: ClockKind::Virtual,
            started_at: Some(started_at.to_string()),
        };
        if let Some(result) = play_randomly(loaded, prepared, rubric, &setup) {
            results.push(result);
        }
    }
    results
}

/// One seeded random walk through a scenario: options picked and replies typed at random.
pub fn play_randomly(
    loaded: &LoadedScenario,
    prepared: &Arc<PreparedScenario>,
    rubric: &Rubric,
    setup: &SessionSetup,
) -> Option<RunResult> {
    let (mut recorder, _) = Recorder::start(loaded, Arc::clone(prepared), setup, None).ok()?;
    let mut rng = ChaCha8Rng::seed_from_u64(setup.seed);
    let mut at_ms = 0;
    for _ in 0..MAX_MOVES {
        if recorder.session().outcome().is_some() {
            break;
        }
        at_ms += rng.random_range(3_000..25_000);
        let offered = recorder.session().offered();
        let mv = if recorder.session().reply_open()
            && (offered.is_empty() || rng.random_range(0..2) == 0)
        {
            Move::Say(SAMPLE_REPLIES[rng.random_range(0..SAMPLE_REPLIES.len())].to_owned())
        } else if !offered.is_empty() {
            Move::Choose(rng.random_range(1..=offered.len() as u32))
        } else {
            Move::End
        };
        if recorder.apply(at_ms, mv).is_err() {
            break;
        }
    }
    let transcript = recorder.finish();
    let scorecard = score(&transcript, &loaded.scenario, rubric);
    Some(RunResult {
        transcript,
        scorecard,
    })
}
