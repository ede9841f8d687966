//! The session state machine: a scenario, a seed and a clock, driven by the trainee's moves.

use std::sync::Arc;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use smol_str::{SmolStr, format_smolstr};

use super::events::{Cause, Event, Move, MoveError, Offered, TimedEvent, TransferKind};
use super::reply::{is_blank_reply, reaction_to, sanitize_reply};
use crate::analysis::PreparedScenario;
use crate::scenario::{Actions, Beat, Choice, Intent, Line, Meter, Meters, Outcome, Scenario};

mod conditions;
mod customer;

use customer::clamp_meters;

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
    /// The analysers prepared for the scenario, shared by every session that plays it.
    prepared: Arc<PreparedScenario>,
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
    pub fn start(prepared: Arc<PreparedScenario>, seed: u64) -> (Session, Vec<TimedEvent>) {
        let scenario = Arc::clone(prepared.scenario());
        let flags = vec![false; scenario.flags.len()];
        let visits = vec![0; scenario.beats.len()];
        let fired = vec![false; scenario.triggers.len()];
        let meters = clamp_meters(scenario.persona.meters);
        let mut session = Session {
            scenario,
            prepared,
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
        let mut out = Vec::new();
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
        let mut out = Vec::new();
        self.advance_into(at_ms, &mut out);
        out
    }

    /// Applies a move made at `at_ms`: time passes first, then the move. A refused move changes
    /// nothing, except [`MoveError::Runaway`]: the scenario looped, and the call has been ended.
    /// An option that the time before it took away (a silence or a trigger moved the call to a
    /// beat with fewer options) is not picked, as nothing is after the customer hung up: the
    /// events of the time that passed are returned alone. (A reply typed meanwhile is still
    /// heard, as it always was, so recorded sessions replay as they were played.)
    pub fn apply(&mut self, at_ms: u64, mv: &Move) -> Result<Vec<TimedEvent>, MoveError> {
        if at_ms < self.now_ms {
            return Err(MoveError::TimeWentBackwards {
                at_ms,
                now_ms: self.now_ms,
            });
        }
        self.check_move(mv)?;
        let mut out = Vec::new();
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
        if let Move::Choose(number) = mv
            && *number as usize > self.offered.len()
        {
            // The call moved on while the trainee thought, to a beat without that option.
            return Ok(out);
        }
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
        let reading = self
            .prepared
            .option_reading(beat_index, option)
            .map(Arc::clone)
            .unwrap_or_default();
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
        let reading = self.prepared.read(&clean, &set);
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
