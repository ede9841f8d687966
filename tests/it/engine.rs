//! Engine tests: determinism, timers, the customer's reactions, refused moves, replay, and
//! retrying a session from one of its moves.

use std::sync::Arc;

use rapport::analysis::{Analyser, PreparedScenario};
use rapport::engine::{Cause, Event, Move, MoveError, Session, TransferKind};
use rapport::scenario::scaffold::starter_scenario;
use rapport::scenario::{LoadedScenario, Meter, Outcome, Scenario, parse_scenario};
use rapport::transcript::{
    ClockKind, Recorder, Retry, RetryError, SessionSetup, Transcript, read_transcript, replay,
};

fn starter() -> LoadedScenario {
    match parse_scenario("starter.ron", &starter_scenario("Test Call")) {
        Ok(loaded) => loaded,
        Err(d) => panic!("starter scenario does not parse: {}", d.message),
    }
}

fn analyser() -> Arc<Analyser> {
    Arc::new(Analyser::shipped())
}

/// The shipped analysers prepared for a scenario.
fn prepared(scenario: Scenario) -> Arc<PreparedScenario> {
    Arc::new(PreparedScenario::new(analyser(), Arc::new(scenario)))
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
        prepared(loaded.scenario.clone()),
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
            Event::CustomerSaid { line, .. } => Some(line.to_string()),
            _ => None,
        })
        .collect()
}

#[test]
fn same_scenario_seed_and_moves_give_the_same_transcript_bit_for_bit() {
    let loaded = starter();
    let a = play(&loaded, 42, &good_moves());
    let b = play(&loaded, 42, &good_moves());
    let turns = |t: &rapport::transcript::Transcript| {
        t.to_jsonl()
            .lines()
            .skip(1)
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(turns(&a), turns(&b), "every turn, bit for bit");
    // Two plays are two sessions: the same header but for the nonce drawn at the start, and so
    // the id.
    assert_ne!(a.header.session_id, b.header.session_id);
    let mut same_header = b.header.clone();
    same_header.session_id = a.header.session_id.clone();
    same_header.nonce = a.header.nonce.clone();
    assert_eq!(a.header, same_header);
    assert!(
        a.to_jsonl().contains("\"seed\":42"),
        "the seed is in the transcript"
    );
}

#[test]
fn seeds_pick_line_variants() {
    let loaded = starter();
    let texts: std::collections::BTreeSet<String> = (0..16)
        .map(|seed| {
            let (_, events) = Session::start(prepared(loaded.scenario.clone()), seed);
            events
                .iter()
                .find_map(|e| match &e.event {
                    Event::CustomerSaid { text, .. } => Some(text.to_string()),
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
    let silence = loaded
        .scenario
        .silence
        .clone()
        .expect("the starter has a silence");
    let after_ms = u64::from(silence.after_secs) * 1000;
    let (mut session, _) = Session::start(prepared(loaded.scenario.clone()), 3);
    let events = session.advance(after_ms - 1);
    assert!(
        events.is_empty(),
        "nothing before {} s: {events:?}",
        silence.after_secs
    );
    let events = session.advance(after_ms);
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
    // At the silence's limit the customer hangs up (`then`).
    let events = session.advance(after_ms * u64::from(silence.limit));
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
    let (mut session, _) = Session::start(prepared(loaded.scenario.clone()), 5);
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
    let (mut session, _) = Session::start(prepared(loaded.scenario.clone()), 5);
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
    let (mut session, _) = Session::start(prepared(loaded.scenario.clone()), 5);
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
    replay(&transcript, prepared(loaded.scenario.clone())).expect("exact replay");

    let mut changed = loaded.scenario.clone();
    changed.beats[1].lines[0].variants = vec!["Well? What is going on?".into()];
    let error = replay(&transcript, prepared(changed))
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

/// The starter played with a silence between the first and second moves, so a timer turn sits
/// between two move turns.
fn play_with_a_silence(loaded: &LoadedScenario) -> Transcript {
    let (mut recorder, _) =
        Recorder::start(loaded, prepared(loaded.scenario.clone()), &setup(9), None).expect("start");
    let moves = good_moves();
    recorder
        .apply(moves[0].0, moves[0].1.clone())
        .expect("first move");
    // The opening's move enters `explain`; the customer speaks up a silence later.
    let silence_secs = loaded
        .scenario
        .silence
        .as_ref()
        .expect("a silence")
        .after_secs;
    let spoke_up = written(recorder.advance(moves[0].0 + u64::from(silence_secs) * 1000));
    assert!(
        !spoke_up.is_empty(),
        "the customer speaks up in the silence"
    );
    let delay_ms = u64::from(silence_secs) * 1000 + 10_000;
    for (at_ms, mv) in &moves[1..] {
        recorder
            .apply(at_ms + delay_ms, mv.clone())
            .expect("move accepted");
    }
    recorder.finish()
}

fn retry(
    loaded: &LoadedScenario,
    original: &Transcript,
    moves: usize,
    path: Option<&std::path::Path>,
) -> Result<(Recorder, Retry), RetryError> {
    Recorder::start_from(
        loaded,
        prepared(loaded.scenario.clone()),
        original,
        moves,
        ClockKind::Virtual,
        path,
    )
}

#[test]
fn retrying_from_a_move_replays_the_turns_before_it_exactly_then_play_goes_on() {
    let loaded = starter();
    let original = play_with_a_silence(&loaded);
    let kinds: Vec<bool> = original.turns.iter().map(|t| t.mv.is_some()).collect();
    assert_eq!(
        kinds,
        [false, true, false, true, true],
        "opening, move, silence, move, move"
    );

    // Retry after the first move: the opening and that move are replayed, not the silence.
    let (mut recorder, replayed) = retry(&loaded, &original, 1, None).expect("retry");
    assert_eq!(replayed.turns_replayed, 2);
    assert_eq!(replayed.resume_at_ms, original.turns[1].at_ms);
    assert_eq!(recorder.transcript().turns, original.turns[..2]);
    let shown: Vec<_> = original.turns[..2]
        .iter()
        .flat_map(|t| t.events.clone())
        .collect();
    assert_eq!(replayed.events, shown);
    let header = &recorder.transcript().header;
    assert_eq!(
        (&header.scenario_id, header.seed, &header.trainee),
        (
            &original.header.scenario_id,
            original.header.seed,
            &original.header.trainee
        )
    );
    assert_ne!(
        header.session_id, original.header.session_id,
        "a new session"
    );

    // Play goes on from there: waiting as long as before, the customer speaks up as before;
    // the same moves then give the same call, turn for turn.
    for turn in &original.turns[2..] {
        let events = match &turn.mv {
            Some(mv) => written(
                recorder
                    .apply(turn.at_ms, mv.clone())
                    .expect("move accepted"),
            ),
            None => written(recorder.advance(turn.at_ms)),
        };
        assert_eq!(events, turn.events, "turn at {} ms", turn.at_ms);
    }
    assert_eq!(recorder.finish().turns, original.turns);

    // Retry after the second move: the silence before it is replayed too, and another move
    // can be played instead of the original third.
    let (mut recorder, replayed) = retry(&loaded, &original, 2, None).expect("retry");
    assert_eq!(replayed.turns_replayed, 4);
    assert_eq!(recorder.transcript().turns, original.turns[..4]);
    let offered = recorder.session().offered().len();
    assert!(offered > 1, "the third beat offers options");
    let other = Move::Choose(offered as u32);
    assert_ne!(original.turns[4].mv.as_ref(), Some(&other));
    recorder
        .apply(original.turns[4].at_ms, other.clone())
        .expect("another move is accepted");
    assert_eq!(recorder.transcript().turns[4].mv, Some(other));
}

#[test]
fn a_retried_session_is_written_to_disk_only_once_its_replay_has_matched() {
    let loaded = starter();
    let original = play_with_a_silence(&loaded);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("retry.jsonl");
    let (mut recorder, _) = retry(&loaded, &original, 2, Some(&path)).expect("retry");
    recorder
        .apply(original.turns[4].at_ms, Move::Choose(1))
        .expect("move accepted");
    let (written, _) = read_transcript(&path).expect("the transcript reads back");
    assert_eq!(&written, recorder.transcript());
    assert_eq!(written.turns[..4], original.turns[..4]);

    let mut changed = loaded.scenario.clone();
    changed.beats[1].lines[0].variants = vec!["Well? What is going on?".into()];
    let changed_path = dir.path().join("diverged.jsonl");
    let error = Recorder::start_from(
        &loaded,
        prepared(changed),
        &original,
        2,
        ClockKind::Virtual,
        Some(&changed_path),
    )
    .map(|_| ())
    .expect_err("the replay diverges");
    assert!(
        matches!(error, RetryError::Diverged { moves: 2, .. }),
        "{error:?}"
    );
    let cause = std::error::Error::source(&error)
        .map(ToString::to_string)
        .unwrap_or_default();
    assert!(
        cause.contains("turn 1") && cause.contains("Well? What is going on?"),
        "{cause}"
    );
    assert!(
        !changed_path.exists(),
        "nothing is written for a failed retry"
    );
}

#[test]
fn a_retry_the_transcript_cannot_support_is_refused_clearly() {
    let loaded = starter();
    let original = play_with_a_silence(&loaded);
    assert!(original.ending().is_some(), "the original call ended");
    let recorded = original.turns.iter().filter(|t| t.mv.is_some()).count();

    let error = retry(&loaded, &original, recorded + 1, None)
        .map(|_| ())
        .expect_err("too many moves");
    assert!(
        matches!(error, RetryError::TooFewMoves { asked, recorded: r } if asked == recorded + 1 && r == recorded),
        "{error:?}"
    );
    let error = retry(&loaded, &original, recorded, None)
        .map(|_| ())
        .expect_err("the call ended in the replay");
    assert!(
        error.to_string().contains("retry from an earlier move"),
        "{error}"
    );

    let mut other = loaded.scenario.clone();
    other.id = "another-scenario".to_owned();
    let error = Recorder::start_from(
        &loaded,
        prepared(other),
        &original,
        1,
        ClockKind::Virtual,
        None,
    )
    .map(|_| ())
    .expect_err("another scenario");
    assert!(error.to_string().contains("`another-scenario`"), "{error}");

    // No moves: only the opening, as a fresh start with the original's seed.
    let (recorder, replayed) = retry(&loaded, &original, 0, None).expect("retry");
    assert_eq!(replayed.turns_replayed, 1);
    assert_eq!(replayed.resume_at_ms, 0);
    assert_eq!(recorder.transcript().turns, original.turns[..1]);
}

/// The events of a recorded turn, which must have been written.
fn written(recorded: rapport::transcript::Recorded<'_>) -> &[rapport::engine::TimedEvent] {
    assert!(recorded.unsaved.is_none(), "{:?}", recorded.unsaved);
    recorded.events
}

#[test]
fn replies_keep_pound_signs_and_lose_c1_controls() {
    use rapport::engine::sanitize_reply;
    assert_eq!(sanitize_reply("a £119 refund"), "a £119 refund");
    assert_eq!(sanitize_reply("a\u{85}b\u{9b}c £"), "a b c £");
    assert_eq!(sanitize_reply("tab\tand\nline"), "tab\tand\nline");
}

/// A move made once time has moved the call on (found by the `transcript` fuzz target): the
/// second option of the opening, picked 5 s after the silence has moved the call to a beat with
/// no options. It must not land (nor panic), and the time's events are kept and replay.
#[test]
fn a_move_that_the_time_before_it_made_impossible_does_not_land() {
    let text = starter_scenario("Moved On").replacen(
        "limit: 3,\n        then: \"hung-up\",",
        "limit: 1,\n        then: \"explain\",",
        1,
    );
    let loaded = parse_scenario("moved-on.ron", &text).expect("parses");
    let diagnostics = rapport::scenario::validate(&loaded, &Default::default());
    assert!(
        !rapport::scenario::validate::has_errors(&diagnostics),
        "it validates: {diagnostics:?}"
    );
    let (mut recorder, _) =
        Recorder::start(&loaded, prepared(loaded.scenario.clone()), &setup(1), None)
            .expect("start");
    assert_eq!(recorder.session().offered().len(), 2);
    let silence_ms = 1000
        * u64::from(
            loaded
                .scenario
                .silence
                .as_ref()
                .expect("silence")
                .after_secs,
        );
    let at_ms = silence_ms + 5_000;
    let events = written(recorder.apply(at_ms, Move::Choose(2)).expect("no refusal")).to_vec();
    assert!(
        events
            .iter()
            .any(|e| matches!(e.event, Event::SilenceFired { .. })),
        "the silence fired first: {events:?}"
    );
    assert!(
        !events
            .iter()
            .any(|e| matches!(e.event, Event::TraineeChose { .. })),
        "the option was gone when the move landed: {events:?}"
    );
    assert!(
        recorder.session().reply_open(),
        "the call went on to `explain`"
    );
    let transcript = recorder.finish();
    replay(&transcript, prepared(loaded.scenario.clone())).expect("it replays");
}
