//! Engine tests: determinism, timers, the customer's reactions, refused moves and replay.

use std::sync::Arc;

use rapport::analysis::Analyser;
use rapport::engine::{Cause, Event, Move, MoveError, Session, TransferKind};
use rapport::scenario::scaffold::starter_scenario;
use rapport::scenario::{LoadedScenario, Meter, Outcome, parse_scenario};
use rapport::transcript::{ClockKind, Recorder, SessionSetup, Transcript, replay};

fn starter() -> LoadedScenario {
    match parse_scenario("starter.ron", &starter_scenario("Test Call")) {
        Ok(loaded) => loaded,
        Err(d) => panic!("starter scenario does not parse: {}", d.message),
    }
}

fn analyser() -> Arc<Analyser> {
    Arc::new(Analyser::shipped())
}

fn setup(seed: u64) -> SessionSetup {
    SessionSetup {
        seed,
        trainee: "tester".to_owned(),
        clock: ClockKind::Virtual,
        started_at: Some("2026-01-01T00:00:00Z".to_owned()),
    }
}

/// Plays timed moves and returns the transcript.
fn play(loaded: &LoadedScenario, seed: u64, moves: &[(u64, Move)]) -> Transcript {
    let (mut recorder, _) = Recorder::start(
        loaded,
        Arc::new(loaded.scenario.clone()),
        analyser(),
        &setup(seed),
        None,
    )
    .expect("start");
    for (at_ms, mv) in moves {
        recorder.apply(*at_ms, mv.clone()).expect("move accepted");
    }
    recorder.finish()
}

fn good_moves() -> Vec<(u64, Move)> {
    vec![
        (4_000, Move::Choose(1)),
        (15_000, Move::Say("I'm so sorry, Sam. It's held at our regional depot after a sorting fault; it will reach you within 2 to 3 working days, and I'll call you tomorrow to confirm.".to_owned())),
        (25_000, Move::Choose(1)),
    ]
}

fn said_lines(transcript: &Transcript) -> Vec<String> {
    transcript
        .events()
        .filter_map(|e| match &e.event {
            Event::CustomerSaid { line, .. } => Some(line.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn same_scenario_seed_and_moves_give_the_same_transcript_bit_for_bit() {
    let loaded = starter();
    let a = play(&loaded, 42, &good_moves()).to_jsonl();
    let b = play(&loaded, 42, &good_moves()).to_jsonl();
    assert_eq!(a, b);
    assert!(a.contains("\"seed\":42"), "the seed is in the transcript");
}

#[test]
fn seeds_pick_line_variants() {
    let loaded = starter();
    let texts: std::collections::BTreeSet<String> = (0..16)
        .map(|seed| {
            let (_, events) = Session::start(Arc::new(loaded.scenario.clone()), analyser(), seed);
            events
                .iter()
                .find_map(|e| match &e.event {
                    Event::CustomerSaid { text, .. } => Some(text.clone()),
                    _ => None,
                })
                .expect("opening line")
        })
        .collect();
    assert_eq!(
        texts.len(),
        2,
        "both variants of the opening line appear across seeds"
    );
}

#[test]
fn a_model_call_resolves_and_calms_the_customer() {
    let loaded = starter();
    let transcript = play(&loaded, 1, &good_moves());
    assert_eq!(transcript.outcome(), Outcome::Resolved);
    assert_eq!(
        said_lines(&transcript),
        ["opening.1", "explain.1", "close.thanks", "resolved.bye"]
    );
    let anger_changes: Vec<i32> = transcript
        .events()
        .filter_map(|e| match &e.event {
            Event::MeterChanged {
                meter: Meter::Anger,
                from,
                to,
                ..
            } => Some(to - from),
            _ => None,
        })
        .collect();
    assert!(
        anger_changes.iter().sum::<i32>() < 0,
        "anger fell overall: {anger_changes:?}"
    );
}

#[test]
fn silence_makes_the_customer_speak_up_and_lose_patience_then_hang_up() {
    let loaded = starter();
    let (mut session, _) = Session::start(Arc::new(loaded.scenario.clone()), analyser(), 3);
    let events = session.advance(19_999);
    assert!(events.is_empty(), "nothing before 20 s: {events:?}");
    let events = session.advance(20_000);
    assert!(
        events.iter().any(
            |e| matches!(&e.event, Event::CustomerSaid { line, .. } if line == "silence.hello")
        )
    );
    assert!(events.iter().any(|e| matches!(
        &e.event,
        Event::MeterChanged {
            meter: Meter::Patience,
            cause: Cause::Silence,
            ..
        }
    )));
    let events = session.advance(60_000);
    assert!(
        events.iter().any(|e| matches!(
            &e.event,
            Event::Ended {
                outcome: Outcome::HungUp,
                ..
            }
        )),
        "{events:?}"
    );
}

#[test]
fn refused_moves_change_nothing() {
    let loaded = starter();
    let (mut session, _) = Session::start(Arc::new(loaded.scenario.clone()), analyser(), 5);
    let before = format!("{session:?}");
    assert_eq!(
        session.apply(1_000, &Move::Choose(9)),
        Err(MoveError::NoSuchOption {
            number: 9,
            offered: 2
        })
    );
    assert_eq!(
        session.apply(1_000, &Move::Choose(0)),
        Err(MoveError::NoSuchOption {
            number: 0,
            offered: 2
        })
    );
    assert_eq!(
        session.apply(1_000, &Move::Say("hello".to_owned())),
        Err(MoveError::NoReplyHere)
    );
    assert_eq!(
        session.apply(1_000, &Move::Unhold),
        Err(MoveError::NotOnHold)
    );
    assert_eq!(
        session.apply(1_000, &Move::Hold(0)),
        Err(MoveError::HoldWithoutDuration)
    );
    assert_eq!(format!("{session:?}"), before);
    session
        .apply(2_000, &Move::Choose(1))
        .expect("a valid move");
    assert_eq!(
        session.apply(1_000, &Move::Wait),
        Err(MoveError::TimeWentBackwards {
            at_ms: 1_000,
            now_ms: 2_000
        })
    );
    assert_eq!(
        session.apply(3_000, &Move::Say("   \u{7}\u{1b} ".to_owned())),
        Err(MoveError::EmptyReply)
    );
    let huge = "a".repeat(1024 * 1024);
    assert!(matches!(
        session.apply(3_000, &Move::Say(huge)),
        Err(MoveError::ReplyTooLong { .. })
    ));
    let events = session
        .apply(
            4_000,
            &Move::Say("I'm sorry\u{1b}[31m, it's held\u{0} at the depot".to_owned()),
        )
        .expect("control characters are cleaned");
    let stored = events.iter().find_map(|e| match &e.event {
        Event::TraineeReplied { text, .. } => Some(text.clone()),
        _ => None,
    });
    assert_eq!(
        stored.as_deref(),
        Some("I'm sorry [31m, it's held  at the depot")
    );
}

#[test]
fn hold_drains_patience_faster_and_an_overdue_hold_costs_anger() {
    let loaded = starter();
    let (mut session, _) = Session::start(Arc::new(loaded.scenario.clone()), analyser(), 5);
    session.apply(2_000, &Move::Hold(30)).expect("hold");
    let events = session.apply(122_000, &Move::Unhold).expect("unhold");
    assert!(events.iter().any(|e| matches!(
        e.event,
        Event::HoldEnded {
            held_secs: 120,
            announced_secs: 30
        }
    )));
    assert!(events.iter().any(|e| matches!(
        e.event,
        Event::MeterChanged {
            meter: Meter::Patience,
            cause: Cause::Hold,
            ..
        }
    )));
    assert!(events.iter().any(|e| matches!(
        e.event,
        Event::MeterChanged {
            meter: Meter::Anger,
            cause: Cause::OverdueHold,
            ..
        }
    )));
    assert!(events.iter().any(
        |e| matches!(&e.event, Event::CustomerSaid { line, .. } if line == "sys.hold-return")
    ));
}

#[test]
fn a_cold_transfer_angers_and_ends_the_call() {
    let loaded = starter();
    let (mut session, _) = Session::start(Arc::new(loaded.scenario.clone()), analyser(), 5);
    let events = session
        .apply(3_000, &Move::Transfer(TransferKind::Cold))
        .expect("transfer");
    assert!(events.iter().any(|e| matches!(
        e.event,
        Event::MeterChanged {
            meter: Meter::Anger,
            cause: Cause::ColdTransfer,
            ..
        }
    )));
    assert_eq!(session.outcome(), Some(Outcome::Transferred));
    assert_eq!(
        session.apply(4_000, &Move::Choose(1)),
        Err(MoveError::SessionEnded)
    );
}

#[test]
fn replay_reproduces_a_transcript_and_names_the_turn_where_a_changed_scenario_diverges() {
    let loaded = starter();
    let transcript = play(&loaded, 9, &good_moves());
    replay(&transcript, Arc::new(loaded.scenario.clone()), analyser()).expect("exact replay");

    let mut changed = loaded.scenario.clone();
    changed.beats[1].lines[0].variants = vec!["Well? What is going on?".to_owned()];
    let error = replay(&transcript, Arc::new(changed), analyser())
        .expect_err("diverges")
        .to_string();
    assert!(
        error.contains("turn 1") && error.contains("Well? What is going on?"),
        "{error}"
    );
}

#[test]
fn sessions_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Session>();
    assert_send_sync::<Analyser>();
}
