//! The session state machine: a scenario, a seed and a clock, driven by the trainee's moves.

use std::sync::Arc;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use smol_str::{SmolStr, format_smolstr};

use super::events::{Cause, Event, Move, MoveError, Offered, TimedEvent, TransferKind};
use crate::analysis::{Analyser, Polarity, Reading, ReplyContext};
use crate::scenario::{
    Actions, Beat, Choice, Condition, Dimension, Effect, Intent, Line, Meter, Meters, Outcome,
    Scenario,
};

/// The longest reply the engine accepts, in characters.
pub const MAX_REPLY_CHARS: usize = 4000;

/// A call times out after this many times the scenario's target handle time.
pub const TIMEOUT_FACTOR: u64 = 3;

/// How many automatic `next` steps one move may take before the engine calls it a loop.
const MAX_AUTO_STEPS: usize = 64;

/// The most events one move or one stretch of waiting may give. A validated scenario stays far
/// below it (a move gives a dozen, a long wait a few hundred silences); past it the scenario is
/// looping, and the engine ends the call and reports [`MoveError::Runaway`] rather than grow
/// without end.
pub const MAX_EVENTS_PER_MOVE: usize = 10_000;

/// How deeply jumps may nest within one move (a trigger's jump that sets off another trigger's
/// jump, and so on). Triggers that fire every time can send each other back and forth; this
/// bound stops that before the stack runs out.
const MAX_NESTED_JUMPS: usize = 64;

/// What the customer says on coming back from hold when the scenario gives no line.
const DEFAULT_HOLD_RETURN: &str = "Yes, I'm still here.";

/// Room for the events of one move made up front: a move rarely gives more (a line or two, the
/// meters it moves, the next beat and its options), so the list seldom has to grow.
const EVENTS_PER_MOVE: usize = 12;

/// Anger added per started minute a hold runs past the time the trainee announced.
const OVERDUE_HOLD_ANGER_PER_MIN: i32 = 8;

/// Where the conversation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    /// In the beat with this index, waiting for the trainee.
    Beat(usize),
    /// Over.
    Ended(Outcome),
}

/// A hold in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Hold {
    started_ms: u64,
    announced_secs: u32,
}

/// One live session. Deterministic: the same scenario, seed and timed moves give the same events.
#[derive(Debug, Clone)]
pub struct Session {
    scenario: Arc<Scenario>,
    analyser: Arc<Analyser>,
    seed: u64,
    rng: ChaCha8Rng,
    now_ms: u64,
    meters: Meters,
    flags: Vec<bool>,
    visits: Vec<u32>,
    fired: Vec<bool>,
    position: Position,
    offered: Vec<usize>,
    /// When the customer last started waiting for the trainee (time drain and silence are measured from here).
    waiting_since_ms: u64,
    /// Up to when the waiting or hold drain has been applied.
    drained_to_ms: u64,
    drain_fraction: f64,
    silences: u32,
    hold: Option<Hold>,
    last_intents: Vec<Intent>,
    ending: Option<SmolStr>,
    /// How many jumps are nested now (see [`MAX_NESTED_JUMPS`]).
    nested_jumps: usize,
    /// Whether the session was stopped for looping (see [`MAX_EVENTS_PER_MOVE`]).
    runaway: bool,
}

impl Session {
    /// Starts a session: the customer speaks first. Returns the session and the opening events.
    pub fn start(
        scenario: Arc<Scenario>,
        analyser: Arc<Analyser>,
        seed: u64,
    ) -> (Session, Vec<TimedEvent>) {
        let flags = vec![false; scenario.flags.len()];
        let visits = vec![0; scenario.beats.len()];
        let fired = vec![false; scenario.triggers.len()];
        let meters = clamp_meters(scenario.persona.meters);
        let mut session = Session {
            scenario,
            analyser,
            seed,
            rng: ChaCha8Rng::seed_from_u64(seed),
            now_ms: 0,
            meters,
            flags,
            visits,
            fired,
            // Not ended yet: `goto(start)` below places the conversation in its first beat.
            position: Position::Beat(0),
            offered: Vec::new(),
            waiting_since_ms: 0,
            drained_to_ms: 0,
            drain_fraction: 0.0,
            silences: 0,
            hold: None,
            last_intents: Vec::new(),
            ending: None,
            nested_jumps: 0,
            runaway: false,
        };
        let mut out = Vec::with_capacity(EVENTS_PER_MOVE);
        let start = session.scenario.start.clone();
        session.goto(&start, &mut out);
        (session, out)
    }

    /// The scenario being played.
    pub fn scenario(&self) -> &Arc<Scenario> {
        &self.scenario
    }

    /// The seed of the session.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The session clock, in milliseconds since the call started.
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    /// The customer's meters as of the last move or timer.
    pub fn meters(&self) -> Meters {
        self.meters
    }

    /// The patience the customer would have at `at_ms` if nothing else happened (for live display).
    pub fn patience_at(&self, at_ms: u64) -> i32 {
        let (rate, from) = self.drain_rate_and_start();
        let minutes = at_ms.saturating_sub(from.max(self.drained_to_ms)) as f64 / 60_000.0;
        // `as` saturates a float to the integer's range, so a huge drain reads as no patience.
        let pending = (self.drain_fraction + rate * minutes).floor() as i32;
        self.meters.patience.saturating_sub(pending).clamp(0, 100)
    }

    /// Whether the call is over, and how.
    pub fn outcome(&self) -> Option<Outcome> {
        match self.position {
            Position::Ended(outcome) => Some(outcome),
            Position::Beat(_) => None,
        }
    }

    /// The id of the ending reached, once over.
    pub fn ending(&self) -> Option<&str> {
        self.ending.as_deref()
    }

    /// Whether the engine stopped the call because the scenario looped (more than
    /// [`MAX_EVENTS_PER_MOVE`] events in one move, or jumps nested too deep).
    pub fn runaway(&self) -> bool {
        self.runaway
    }

    /// The id of the current beat, while the call goes on.
    pub fn current_beat(&self) -> Option<&Beat> {
        match self.position {
            Position::Beat(index) => self.scenario.beats.get(index),
            Position::Ended(_) => None,
        }
    }

    /// Whether the customer is on hold.
    pub fn on_hold(&self) -> bool {
        self.hold.is_some()
    }

    /// The options open now, numbered from 1.
    pub fn offered(&self) -> Vec<Offered> {
        let Some(beat) = self.current_beat() else {
            return Vec::new();
        };
        self.offered
            .iter()
            .enumerate()
            .map(|(i, &index)| {
                let choice = &beat.options[index];
                Offered {
                    number: i as u32 + 1,
                    id: choice.id.clone(),
                    text: choice.text.clone(),
                }
            })
            .collect()
    }

    /// Whether the trainee may type a free reply now.
    pub fn reply_open(&self) -> bool {
        self.current_beat().is_some_and(|b| b.reply.is_some())
    }

    /// When the next timer fires, if one is pending (for a real-time front end to sleep until).
    pub fn next_deadline_ms(&self) -> Option<u64> {
        if self.outcome().is_some() {
            return None;
        }
        let timeout = self.timeout_ms();
        // A silence fires at most `limit` times in a beat; at the limit its `then` leads on, and
        // one without a `then` falls quiet (the call still times out).
        let silence = if self.hold.is_none() {
            self.silence()
                .filter(|s| s.then.is_some() || self.silences < s.limit)
                .map(|s| {
                    let after_ms = u64::from(s.after_secs).saturating_mul(1000);
                    self.waiting_since_ms
                        .saturating_add(after_ms.saturating_mul(u64::from(self.silences) + 1))
                })
        } else {
            None
        };
        Some(silence.map_or(timeout, |s| s.min(timeout)))
    }

    /// Lets time pass up to `at_ms`, firing any silence timers and the time-out on the way. A
    /// scenario that loops ends the call (see [`Session::runaway`]).
    pub fn advance(&mut self, at_ms: u64) -> Vec<TimedEvent> {
        let mut out = Vec::with_capacity(EVENTS_PER_MOVE);
        self.advance_into(at_ms, &mut out);
        out
    }

    /// Applies a move made at `at_ms`: time passes first, then the move. A refused move changes
    /// nothing, except [`MoveError::Runaway`]: the scenario looped, and the call has been ended.
    pub fn apply(&mut self, at_ms: u64, mv: &Move) -> Result<Vec<TimedEvent>, MoveError> {
        if at_ms < self.now_ms {
            return Err(MoveError::TimeWentBackwards {
                at_ms,
                now_ms: self.now_ms,
            });
        }
        self.check_move(mv)?;
        let mut out = Vec::with_capacity(EVENTS_PER_MOVE);
        self.advance_into(at_ms, &mut out);
        if self.outcome().is_some() {
            if self.runaway {
                return Err(MoveError::Runaway {
                    limit: MAX_EVENTS_PER_MOVE,
                });
            }
            // The customer hung up or the call timed out before the move landed.
            return Ok(out);
        }
        self.drain_to(at_ms, &mut out);
        match mv {
            Move::Choose(number) => self.choose(*number, &mut out),
            Move::Say(text) => self.say(text, &mut out),
            Move::Hold(secs) => {
                self.hold = Some(Hold {
                    started_ms: self.now_ms,
                    announced_secs: *secs,
                });
                self.push(
                    &mut out,
                    Event::HoldStarted {
                        announced_secs: *secs,
                    },
                );
            }
            Move::Unhold => self.end_hold(&mut out, true),
            Move::Transfer(kind) => self.transfer(*kind, &mut out),
            Move::Escalate => {
                self.end_hold(&mut out, false);
                self.push(&mut out, Event::Escalated);
                let target = self.action_target(|a| &a.escalate, Outcome::Escalated);
                self.goto(&target, &mut out);
            }
            Move::End => {
                self.end_hold(&mut out, false);
                let target = self.action_target(|a| &a.end, Outcome::AgentEnded);
                self.goto(&target, &mut out);
            }
            Move::Wait => {}
        }
        if self.runaway {
            return Err(MoveError::Runaway {
                limit: MAX_EVENTS_PER_MOVE,
            });
        }
        Ok(out)
    }

    /// Refuses a move that cannot be made now, before anything changes.
    fn check_move(&self, mv: &Move) -> Result<(), MoveError> {
        if self.outcome().is_some() {
            return Err(MoveError::SessionEnded);
        }
        match mv {
            Move::Choose(number) => {
                if self.offered.is_empty() {
                    return Err(MoveError::NoOptionsHere);
                }
                let offered = self.offered.len() as u32;
                if *number == 0 || *number > offered {
                    return Err(MoveError::NoSuchOption {
                        number: *number,
                        offered,
                    });
                }
            }
            Move::Say(text) => {
                if !self.reply_open() {
                    return Err(MoveError::NoReplyHere);
                }
                let chars = text.chars().count();
                if chars > MAX_REPLY_CHARS {
                    return Err(MoveError::ReplyTooLong {
                        chars,
                        max: MAX_REPLY_CHARS,
                    });
                }
                if is_blank_reply(text) {
                    return Err(MoveError::EmptyReply);
                }
            }
            Move::Hold(secs) => {
                if self.hold.is_some() {
                    return Err(MoveError::AlreadyOnHold);
                }
                if *secs == 0 {
                    return Err(MoveError::HoldWithoutDuration);
                }
            }
            Move::Unhold => {
                if self.hold.is_none() {
                    return Err(MoveError::NotOnHold);
                }
            }
            Move::Transfer(_) | Move::Escalate | Move::End | Move::Wait => {}
        }
        Ok(())
    }

    fn timeout_ms(&self) -> u64 {
        u64::from(self.scenario.target_handle_secs.max(1)) * 1000 * TIMEOUT_FACTOR
    }

    fn silence(&self) -> Option<&crate::scenario::Silence> {
        self.current_beat()
            .and_then(|b| b.silence.as_ref())
            .or(self.scenario.silence.as_ref())
    }

    fn push(&self, out: &mut Vec<TimedEvent>, event: Event) {
        out.push(TimedEvent {
            at_ms: self.now_ms,
            event,
        });
    }

    fn advance_into(&mut self, at_ms: u64, out: &mut Vec<TimedEvent>) {
        while self.outcome().is_none() {
            if self.stop_if_runaway(out) {
                break;
            }
            match self.next_deadline_ms() {
                Some(deadline) if deadline <= at_ms => {
                    self.drain_to(deadline, out);
                    if self.outcome().is_some() {
                        break;
                    }
                    if deadline >= self.timeout_ms() {
                        let target = self.ending_for(Outcome::TimedOut);
                        self.goto(&target, out);
                    } else {
                        self.fire_silence(out);
                    }
                }
                _ => break,
            }
        }
        self.now_ms = self.now_ms.max(at_ms);
    }

    /// Ends the call when this move has given too many events or nested too many jumps: the
    /// scenario is looping. Returns whether it did.
    fn stop_if_runaway(&mut self, out: &mut Vec<TimedEvent>) -> bool {
        if out.len() < MAX_EVENTS_PER_MOVE && self.nested_jumps <= MAX_NESTED_JUMPS {
            return false;
        }
        self.runaway = true;
        self.finish(
            format_smolstr!("sys.{}", Outcome::Abandoned.label()),
            Outcome::Abandoned,
            out,
        );
        true
    }

    fn drain_rate_and_start(&self) -> (f64, u64) {
        let dynamics = &self.scenario.dynamics;
        match self.hold {
            Some(hold) => (f64::from(dynamics.hold_patience_per_min), hold.started_ms),
            None => (
                f64::from(dynamics.waiting_patience_per_min),
                self.waiting_since_ms,
            ),
        }
    }

    /// Applies the patience drain from the last checkpoint up to `to_ms`.
    fn drain_to(&mut self, to_ms: u64, out: &mut Vec<TimedEvent>) {
        let (rate, start) = self.drain_rate_and_start();
        let from = self.drained_to_ms.max(start);
        self.now_ms = self.now_ms.max(to_ms);
        if to_ms <= from {
            return;
        }
        self.drained_to_ms = to_ms;
        self.drain_fraction += rate * (to_ms - from) as f64 / 60_000.0;
        let whole = self.drain_fraction.floor();
        if whole >= 1.0 {
            self.drain_fraction -= whole;
            let cause = if self.hold.is_some() {
                Cause::Hold
            } else {
                Cause::Waiting
            };
            // `as` saturates, and the negation of a saturated positive `i32` cannot overflow.
            self.change_raw(
                Meter::Patience,
                -(whole.min(f64::from(i32::MAX)) as i32),
                cause,
                out,
            );
            self.check_patience(out);
        }
    }

    fn fire_silence(&mut self, out: &mut Vec<TimedEvent>) {
        let Some(silence) = self.silence().cloned() else {
            return;
        };
        self.silences = self.silences.saturating_add(1);
        self.push(
            out,
            Event::SilenceFired {
                count: self.silences,
            },
        );
        self.say_line(&silence.line, out);
        for effect in &silence.effects {
            self.apply_effect(*effect, Cause::Silence, out);
        }
        if self.outcome().is_some() || self.check_patience(out) || self.run_triggers(out) {
            return;
        }
        if self.silences >= silence.limit
            && let Some(then) = &silence.then
        {
            self.goto(then, out);
        }
    }

    fn choose(&mut self, number: u32, out: &mut Vec<TimedEvent>) {
        self.end_hold(out, false);
        let Position::Beat(beat_index) = self.position else {
            return;
        };
        let scenario = Arc::clone(&self.scenario);
        let option = self.offered[number as usize - 1];
        let choice: &Choice = &scenario.beats[beat_index].options[option];
        let reading = Arc::clone(&self.analyser.option_readings(&scenario)[beat_index][option]);
        self.push(
            out,
            Event::TraineeChose {
                number,
                id: choice.id.clone(),
                text: choice.text.clone(),
                reading,
            },
        );
        self.last_intents.clear();
        for effect in &choice.effects {
            self.apply_effect(*effect, Cause::Choice(choice.id.clone()), out);
        }
        if choice.makes_repeat {
            self.change(
                Meter::Anger,
                scenario.dynamics.repeat_anger,
                Cause::Repeat,
                out,
            );
        }
        self.set_flags(&choice.set);
        if self.check_patience(out) || self.run_triggers(out) {
            return;
        }
        self.goto(&choice.next, out);
    }

    fn say(&mut self, text: &str, out: &mut Vec<TimedEvent>) {
        self.end_hold(out, false);
        let Position::Beat(beat_index) = self.position else {
            return;
        };
        let scenario = Arc::clone(&self.scenario);
        let clean = sanitize_reply(text);
        // The flags set so far, for commitments allowed only once one is (`only_if: [Flag(..)]`).
        let set: Vec<String> = scenario
            .flags
            .iter()
            .zip(&self.flags)
            .filter(|(_, on)| **on)
            .map(|(flag, _)| flag.clone())
            .collect();
        let context = ReplyContext {
            flags: &set,
            ..ReplyContext::for_scenario(&scenario)
        };
        let reading = self.analyser.read(&clean, &context);
        let reaction = reaction_to(&reading, &scenario);
        self.last_intents = reading.intents.clone();
        self.push(
            out,
            Event::TraineeReplied {
                text: clean,
                reading: Arc::new(reading),
            },
        );
        for (meter, delta, cause) in reaction {
            self.change(meter, delta, cause, out);
        }
        if self.check_patience(out) || self.run_triggers(out) {
            return;
        }
        let Some(reply) = scenario.beats[beat_index].reply.as_ref() else {
            return;
        };
        let next = reply
            .routes
            .iter()
            .find(|route| self.holds(&route.when))
            .map_or(&reply.next, |route| &route.next);
        self.goto(next, out);
    }

    fn transfer(&mut self, kind: TransferKind, out: &mut Vec<TimedEvent>) {
        self.end_hold(out, false);
        self.push(out, Event::Transferred { kind });
        let target = match kind {
            TransferKind::Warm => self.action_target(|a| &a.transfer_warm, Outcome::Transferred),
            TransferKind::Cold => {
                let repeat = self.scenario.dynamics.repeat_anger;
                self.change(Meter::Anger, repeat, Cause::ColdTransfer, out);
                self.action_target(|a| &a.transfer_cold, Outcome::Transferred)
            }
        };
        self.goto(&target, out);
    }

    /// Ends a hold: when `announce` the customer speaks on return; an overdue hold costs anger.
    fn end_hold(&mut self, out: &mut Vec<TimedEvent>, announce: bool) {
        let Some(hold) = self.hold else {
            return;
        };
        let held_ms = self.now_ms.saturating_sub(hold.started_ms);
        self.hold = None;
        self.waiting_since_ms = self.now_ms;
        self.drained_to_ms = self.now_ms;
        self.silences = 0;
        self.push(
            out,
            Event::HoldEnded {
                held_secs: u32::try_from(held_ms / 1000).unwrap_or(u32::MAX),
                announced_secs: hold.announced_secs,
            },
        );
        let overdue_ms = held_ms.saturating_sub(u64::from(hold.announced_secs) * 1000);
        if overdue_ms > 0 {
            let minutes = i32::try_from(overdue_ms.div_ceil(60_000)).unwrap_or(i32::MAX);
            self.change(
                Meter::Anger,
                OVERDUE_HOLD_ANGER_PER_MIN.saturating_mul(minutes),
                Cause::OverdueHold,
                out,
            );
        }
        if announce {
            let line = self.scenario.hold_return.clone().unwrap_or_else(|| Line {
                id: SmolStr::new_static("sys.hold-return"),
                variants: vec![SmolStr::new_static(DEFAULT_HOLD_RETURN)],
                when: None,
                audio: None,
            });
            self.say_line(&line, out);
            self.check_patience(out);
            self.run_triggers(out);
        }
    }

    /// The target of an action: the beat's override, the scenario's, or an ending with the outcome.
    fn action_target(
        &self,
        pick: impl Fn(&Actions) -> &Option<SmolStr>,
        outcome: Outcome,
    ) -> SmolStr {
        let from_beat = self.current_beat().and_then(|b| pick(&b.actions).clone());
        from_beat
            .or_else(|| pick(&self.scenario.actions).clone())
            .unwrap_or_else(|| self.ending_for(outcome))
    }

    /// The first ending with an outcome, or the engine's own ending of that outcome.
    fn ending_for(&self, outcome: Outcome) -> SmolStr {
        self.scenario
            .endings
            .iter()
            .find(|e| e.outcome == outcome)
            .map_or_else(
                || format_smolstr!("sys.{}", outcome.label()),
                |e| e.id.clone(),
            )
    }

    /// Moves to a beat or ending, following automatic `next` steps.
    fn goto(&mut self, target: &SmolStr, out: &mut Vec<TimedEvent>) {
        self.nested_jumps += 1;
        self.follow_steps(target, out);
        self.nested_jumps -= 1;
    }

    /// The body of [`Session::goto`]: enters nodes until one waits for the trainee or ends.
    fn follow_steps(&mut self, target: &SmolStr, out: &mut Vec<TimedEvent>) {
        let mut target = target.clone();
        for _ in 0..MAX_AUTO_STEPS {
            if self.outcome().is_some() || self.stop_if_runaway(out) {
                return;
            }
            match self.enter(&target, out) {
                Some(next) => target = next,
                None => return,
            }
        }
        // A loop of automatic steps: the validator reports it as a dead end; end rather than hang.
        self.finish(
            format_smolstr!("sys.{}", Outcome::Abandoned.label()),
            Outcome::Abandoned,
            out,
        );
    }

    /// Enters one node; returns the next node when the beat moves on by itself.
    fn enter(&mut self, target: &SmolStr, out: &mut Vec<TimedEvent>) -> Option<SmolStr> {
        let scenario = Arc::clone(&self.scenario);
        let Some(index) = scenario.beats.iter().position(|b| b.id == *target) else {
            let (lines, outcome) = match scenario.ending(target) {
                Some(ending) => (ending.lines.as_slice(), ending.outcome),
                None => (&[][..], outcome_of_system_ending(target)),
            };
            for line in lines {
                if line.when.as_ref().is_none_or(|c| self.holds(c)) {
                    self.say_line(line, out);
                }
            }
            self.finish(target.clone(), outcome, out);
            return None;
        };
        let beat = &scenario.beats[index];
        self.position = Position::Beat(index);
        self.visits[index] = self.visits[index].saturating_add(1);
        self.silences = 0;
        self.offered.clear();
        self.push(
            out,
            Event::BeatEntered {
                beat: beat.id.clone(),
            },
        );
        for effect in &beat.effects {
            self.apply_effect(*effect, Cause::Beat(beat.id.clone()), out);
        }
        self.set_flags(&beat.set);
        for line in &beat.lines {
            if line.when.as_ref().is_none_or(|c| self.holds(c)) {
                self.say_line(line, out);
            }
        }
        if self.check_patience(out) || self.run_triggers(out) {
            return None;
        }
        if beat.options.is_empty() && beat.reply.is_none() {
            return beat.next.clone();
        }
        self.offered = beat
            .options
            .iter()
            .enumerate()
            .filter(|(_, c)| c.when.as_ref().is_none_or(|w| self.holds(w)))
            .map(|(i, _)| i)
            .collect();
        let offered = self.offered();
        if !offered.is_empty() {
            self.push(out, Event::OptionsOffered { options: offered });
        }
        if let Some(reply) = &beat.reply {
            self.push(
                out,
                Event::ReplyInvited {
                    expects: reply.expects.clone(),
                },
            );
        }
        if self.offered.is_empty() && beat.reply.is_none() {
            // Every option is closed by its condition: follow `next` if there is one.
            return beat.next.clone();
        }
        self.waiting_since_ms = self.now_ms;
        self.drained_to_ms = self.now_ms;
        None
    }

    fn finish(&mut self, ending: SmolStr, outcome: Outcome, out: &mut Vec<TimedEvent>) {
        self.hold = None;
        self.offered.clear();
        self.position = Position::Ended(outcome);
        self.push(
            out,
            Event::Ended {
                ending: ending.clone(),
                outcome,
            },
        );
        self.ending = Some(ending);
    }

    fn say_line(&mut self, line: &Line, out: &mut Vec<TimedEvent>) {
        let text = match line.variants.len() {
            0 => return,
            1 => line.variants[0].clone(),
            n => line.variants[self.rng.random_range(0..n)].clone(),
        };
        self.push(
            out,
            Event::CustomerSaid {
                line: line.id.clone(),
                text,
                audio: line.audio.clone(),
            },
        );
    }

    /// Hangs up when patience has run out; returns whether the call ended.
    fn check_patience(&mut self, out: &mut Vec<TimedEvent>) -> bool {
        if self.outcome().is_some() {
            return true;
        }
        if self.meters.patience > 0 {
            return false;
        }
        let target = self.ending_for(Outcome::HungUp);
        self.goto(&target, out);
        true
    }

    /// Fires the first trigger whose condition holds; returns whether the conversation jumped.
    fn run_triggers(&mut self, out: &mut Vec<TimedEvent>) -> bool {
        if self.outcome().is_some() {
            return true;
        }
        let scenario = Arc::clone(&self.scenario);
        for (index, trigger) in scenario.triggers.iter().enumerate() {
            if trigger.once && self.fired[index] {
                continue;
            }
            if self.current_beat().is_some_and(|b| b.id == trigger.goto) {
                continue;
            }
            if self.holds(&trigger.when) {
                self.fired[index] = true;
                self.push(
                    out,
                    Event::TriggerFired {
                        trigger: trigger.id.clone(),
                    },
                );
                self.goto(&trigger.goto, out);
                return true;
            }
        }
        false
    }

    fn set_flags(&mut self, names: &[String]) {
        for name in names {
            if let Some(index) = self.scenario.flags.iter().position(|f| f == name) {
                self.flags[index] = true;
            }
        }
    }

    /// Whether a condition holds now.
    fn holds(&self, condition: &Condition) -> bool {
        match condition {
            Condition::Meter(meter, cmp, value) => cmp.holds(self.meters.get(*meter), *value),
            Condition::Flag(name) => self
                .scenario
                .flags
                .iter()
                .position(|f| f == name)
                .is_some_and(|i| self.flags[i]),
            Condition::Visits(beat, cmp, value) => {
                let visits = self
                    .scenario
                    .beats
                    .iter()
                    .position(|b| b.id == beat)
                    .map_or(0, |i| self.visits[i]);
                cmp.holds(visits, *value)
            }
            Condition::Elapsed(cmp, secs) => cmp.holds(self.now_ms / 1000, u64::from(*secs)),
            Condition::Said(intent) => self.last_intents.contains(intent),
            Condition::All(items) => items.iter().all(|c| self.holds(c)),
            Condition::Any(items) => items.iter().any(|c| self.holds(c)),
            Condition::Not(inner) => !self.holds(inner),
        }
    }

    /// Applies an authored effect, scaled by the persona's temperament.
    fn apply_effect(&mut self, effect: Effect, cause: Cause, out: &mut Vec<TimedEvent>) {
        let (meter, delta) = effect.parts();
        self.change(meter, delta, cause, out);
    }

    /// Changes a meter by a delta scaled by temperament: rises in anger and falls in trust or
    /// patience by `heat`, the reverse by `forgiveness`.
    fn change(&mut self, meter: Meter, delta: i32, cause: Cause, out: &mut Vec<TimedEvent>) {
        let temperament = self.scenario.persona.temperament;
        let worsens = match meter {
            Meter::Anger => delta > 0,
            Meter::Patience | Meter::Trust => delta < 0,
        };
        let factor = if worsens {
            temperament.heat
        } else {
            temperament.forgiveness
        };
        // `as` saturates a float to the integer's range (and takes NaN to 0).
        let scaled = (delta as f32 * factor).round() as i32;
        self.change_raw(meter, scaled, cause, out);
    }

    fn change_raw(&mut self, meter: Meter, delta: i32, cause: Cause, out: &mut Vec<TimedEvent>) {
        let from = self.meters.get(meter);
        let to = from.saturating_add(delta).clamp(0, 100);
        if to == from {
            return;
        }
        *self.meters.get_mut(meter) = to;
        self.push(
            out,
            Event::MeterChanged {
                meter,
                from,
                to,
                cause,
            },
        );
    }
}

/// How the customer takes a reply: one change per meter, summed over the findings.
fn reaction_to(reading: &Reading, scenario: &Scenario) -> Vec<(Meter, i32, Cause)> {
    let dynamics = &scenario.dynamics;
    let (mut anger, mut trust): (i32, i32) = (0, 0);
    for finding in &reading.findings {
        let weight = i32::try_from(finding.weight.max(1)).unwrap_or(i32::MAX);
        // Saturating: the validator bounds the dynamics, but the engine must not overflow on a
        // scenario that skipped it.
        let (meter, per_finding) = match (finding.dimension, finding.polarity) {
            (Dimension::Empathy, Polarity::Good) => (&mut anger, dynamics.good_reply_anger),
            (Dimension::Empathy, Polarity::Bad) => (&mut anger, dynamics.bad_reply_anger),
            (_, Polarity::Good) => (&mut trust, dynamics.good_reply_trust),
            (_, Polarity::Bad) => (&mut trust, dynamics.bad_reply_trust),
        };
        *meter = meter.saturating_add(per_finding.saturating_mul(weight));
    }
    // An over-promise pleases the customer now; the scorer, not the customer, catches it.
    let overpromises = reading
        .promises
        .iter()
        .filter(|p| p.verdict.is_overpromise())
        .count();
    let overpromises = i32::try_from(overpromises).unwrap_or(i32::MAX);
    let swing = dynamics
        .good_reply_trust
        .saturating_sub(dynamics.bad_reply_trust);
    trust = trust.saturating_add(overpromises.saturating_mul(swing));
    let repeats = reading
        .findings
        .iter()
        .filter(|f| f.criterion == "ownership.no-repeat" && f.polarity == Polarity::Bad)
        .count();
    let repeats = i32::try_from(repeats).unwrap_or(i32::MAX);
    let mut changes = Vec::new();
    if anger != 0 {
        changes.push((Meter::Anger, anger, Cause::Reply));
    }
    if trust != 0 {
        changes.push((Meter::Trust, trust, Cause::Reply));
    }
    if repeats > 0 {
        changes.push((
            Meter::Anger,
            dynamics.repeat_anger.saturating_mul(repeats),
            Cause::Repeat,
        ));
    }
    changes
}

/// The outcome of an engine-made ending (`sys.hung-up`).
fn outcome_of_system_ending(id: &str) -> Outcome {
    let label = id.strip_prefix("sys.").unwrap_or(id);
    [
        Outcome::Resolved,
        Outcome::Escalated,
        Outcome::Transferred,
        Outcome::HungUp,
        Outcome::TimedOut,
        Outcome::AgentEnded,
    ]
    .into_iter()
    .find(|o| o.label() == label)
    .unwrap_or(Outcome::Abandoned)
}

/// A reply as stored: control characters (other than newlines and tabs) become spaces.
pub fn sanitize_reply(text: &str) -> SmolStr {
    if !has_stray_controls(text) {
        return SmolStr::new(text);
    }
    text.chars()
        .map(|c| if is_stray_control(c) { ' ' } else { c })
        .collect::<String>()
        .into()
}

/// Whether a character is a control character a stored reply does not keep.
fn is_stray_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// Whether a reply holds a control character [`sanitize_reply`] replaces. Control characters are
/// ASCII or C1 (U+0080..U+009F, in UTF-8 0xC2 then 0x80..=0x9F): a byte scan finds them without
/// decoding the reply (a pound sign, 0xC2 0xA3, is not one).
fn has_stray_controls(text: &str) -> bool {
    let bytes = text.as_bytes();
    // A cheap pass first (no control byte and no lead byte of a C1 control: most replies), a
    // branch-free fold the compiler turns into vector code; then the exact check.
    let suspect = |b: u8| b < 0x20 || b == 0x7f || b == 0xc2;
    if !bytes
        .chunks(32)
        .any(|chunk| chunk.iter().fold(false, |any, &b| any | suspect(b)))
    {
        return false;
    }
    bytes.iter().enumerate().any(|(i, &b)| {
        (b < 0x20 && b != b'\n' && b != b'\t')
            || b == 0x7f
            || (b == 0xc2
                && bytes
                    .get(i + 1)
                    .is_some_and(|next| (0x80..=0x9f).contains(next)))
    })
}

/// Whether a reply says nothing once sanitised: only spaces and control characters.
fn is_blank_reply(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_whitespace() || is_stray_control(c))
}

fn clamp_meters(meters: Meters) -> Meters {
    Meters {
        anger: meters.anger.clamp(0, 100),
        patience: meters.patience.clamp(0, 100),
        trust: meters.trust.clamp(0, 100),
    }
}
