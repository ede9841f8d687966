//! What the core benchmarks share: the scripted runs of every shipped test plan, timed and scored
//! as the benchmarks drive them.

// Each benchmark binary includes this module and uses only part of it.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use rapport::analysis::PreparedScenario;
use rapport::engine::{Event, Move, Session, TimedEvent};
use rapport::runner::{Examiner, collect_plans};
use rapport::scenario::LoadedScenario;
use rapport::scenario::load::load_ron;
use rapport::scoring::{Scorecard, score};
use rapport::script::{ScriptedMove, TestPlan};
use rapport::transcript::{ClockKind, Recorder, SessionSetup};

/// The free-text replies the analysers' benchmark reads, in the first shipped scenario: short,
/// varied replies, 65 characters on average.
pub const BENCH_REPLIES: [&str; 8] = [
    "I'm so sorry, I understand how frustrating this is. I'll sort it out for you right now.",
    "Please calm down, that's not my department, you'll have to call billing.",
    "Refunds take 5 to 7 business days to reach your card; I'll email you when it's issued.",
    "I can't promise it'll arrive tomorrow, but I'll check with the depot and call you back by 5.",
    "I guarantee it'll be there tomorrow, I'll upgrade it to express for free.",
    "What's your order number?",
    "Hi, thanks for waiting. Let me have a look.",
    "As per our SLA the ticket has been actioned.",
];

/// The scripted runs of every shipped test plan, with their scenarios.
pub fn scripted_runs() -> Vec<(LoadedScenario, Vec<ScriptedMove>, u64)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut runs = Vec::new();
    for plan_path in collect_plans(&[dir]) {
        let Ok((plan, _)) = load_ron::<TestPlan>(&plan_path) else {
            continue;
        };
        let Ok(loaded) = rapport::scenario::load_scenario(
            &plan_path
                .parent()
                .unwrap_or(Path::new("."))
                .join(&plan.scenario),
        ) else {
            continue;
        };
        for run in plan.runs {
            runs.push((loaded.clone(), run.moves, run.seed));
        }
    }
    runs
}

/// A scripted run with each move at its absolute time (ms), and its seed.
pub type TimedRun = (Arc<PreparedScenario>, Vec<(u64, Move)>, u64);

/// Every scripted run with its moves at absolute times, each with its scenario prepared.
pub fn timed_runs(
    runs: &[(LoadedScenario, Vec<ScriptedMove>, u64)],
    kit: &Examiner,
) -> Vec<TimedRun> {
    runs.iter()
        .map(|(loaded, moves, seed)| {
            let mut at = 0u64;
            let timed = moves
                .iter()
                .map(|m| {
                    at += (m.after * 1000.0) as u64;
                    (at, m.action.clone())
                })
                .collect();
            (kit.prepare(loaded), timed, *seed)
        })
        .collect()
}

/// Plays one scripted run with its transcript recorded in memory, and scores it.
pub fn scored_session(
    loaded: &LoadedScenario,
    prepared: &Arc<PreparedScenario>,
    moves: &[(u64, Move)],
    seed: u64,
    kit: &Examiner,
) -> Scorecard {
    let setup = SessionSetup {
        seed,
        trainee: "bench".to_owned(),
        clock: ClockKind::Virtual,
        started_at: Some("1970-01-01T00:00:00Z".to_owned()),
    };
    let (mut recorder, _) =
        Recorder::start(loaded, Arc::clone(prepared), &setup, None).expect("start");
    for (at, mv) in moves {
        let _ = recorder.apply(*at, mv.clone());
    }
    let transcript = recorder.finish();
    score(&transcript, &loaded.scenario, &kit.rubric)
}

/// Plays every timed run through the engine alone (no transcript, no scoring); returns how many
/// customer lines were said.
pub fn play_runs(runs: &[TimedRun]) -> u64 {
    let said = |events: &[TimedEvent]| {
        events
            .iter()
            .filter(|e| matches!(e.event, Event::CustomerSaid { .. }))
            .count() as u64
    };
    let mut lines = 0;
    for (prepared, moves, seed) in runs {
        let (mut session, opening) = Session::start(Arc::clone(prepared), *seed);
        lines += said(&opening);
        for (at, mv) in moves {
            if let Ok(events) = session.apply(*at, mv) {
                lines += said(&events);
            }
        }
    }
    lines
}
