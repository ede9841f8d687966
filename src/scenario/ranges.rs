//! The ranges every number of a scenario must lie in, so that what validates cannot overflow or stall the engine.
//!
//! The engine saturates its arithmetic whatever it is given; these checks make sure a trainer
//! hears about a number that would only ever saturate (an effect of a million points) or stall
//! the clock (a silence after zero seconds), at the place it is written.

use std::ops::RangeInclusive;

use super::diagnostics::{Code, Diagnostic, SourceFile, Span};
use super::locate::LazyLocator;
use super::{Effect, Scenario, Silence};

/// A meter moves by at most its whole scale in one effect or reaction.
pub const EFFECT_RANGE: RangeInclusive<i32> = -100..=100;

/// Patience drained per minute: none up to the whole meter in a minute.
pub const DRAIN_RANGE: RangeInclusive<f32> = 0.0..=100.0;

/// The largest temperament multiplier (ten times as hot or as forgiving as authored).
pub const MAX_TEMPERAMENT: f32 = 10.0;

/// The longest timer, service level or handle time a scenario may set: a week, in seconds.
pub const MAX_TIMER_SECS: u32 = 7 * 24 * 3600;

/// The most times a silence may fire in one beat before its `then` applies.
pub const MAX_SILENCE_LIMIT: u32 = 1000;

/// The latest a policy's commitment may be, in hours: ten years.
pub const MAX_COMMITMENT_HOURS: u32 = 10 * 365 * 24;

/// Checks every number of a scenario against its range; the diagnostics point at the value,
/// found with `locator` (the tokens of `source`).
pub fn check_numbers(
    scenario: &Scenario,
    source: &SourceFile,
    locator: &LazyLocator<'_>,
) -> Vec<Diagnostic> {
    let mut checker = NumberChecker {
        source,
        locator,
        out: Vec::new(),
    };
    checker.check_effects(scenario);
    checker.check_dynamics(scenario);
    checker.check_timers(scenario);
    checker.check_policy_hours(scenario);
    checker.out
}

struct NumberChecker<'a, 't> {
    source: &'a SourceFile,
    locator: &'a LazyLocator<'t>,
    out: Vec<Diagnostic>,
}

impl NumberChecker<'_, '_> {
    fn report(&mut self, span: Option<Span>, message: String, help: &str) {
        self.out.push(
            Diagnostic::new(Code::NumberOutOfRange, &self.source.path, message)
                .at(self.source, span, "out of range")
                .with_help(help),
        );
    }

    /// The place of the first `field: N` whose number is `value`, else of the first `field:`.
    fn field_span(&self, field: &str, value: f64) -> Option<Span> {
        self.locator
            .get()
            .field_value_where(field, |text| {
                // An `f32` field holds its literal rounded, so compare at that precision too.
                parse_number(text).is_some_and(|n| n == value || n as f32 == value as f32)
            })
            .or_else(|| self.locator.get().field_values(field).into_iter().next())
    }

    fn check_effects(&mut self, scenario: &Scenario) {
        let mut effects: Vec<Effect> = Vec::new();
        let silences = scenario
            .beats
            .iter()
            .filter_map(|b| b.silence.as_ref())
            .chain(scenario.silence.as_ref());
        for silence in silences {
            effects.extend(&silence.effects);
        }
        for beat in &scenario.beats {
            effects.extend(&beat.effects);
            for choice in &beat.options {
                effects.extend(&choice.effects);
            }
        }
        for effect in effects {
            let (meter, delta) = effect.parts();
            if EFFECT_RANGE.contains(&delta) {
                continue;
            }
            let name = format!("{meter:?}");
            let span = self
                .locator
                .get()
                .calls(&name)
                .into_iter()
                .find(|(_, args)| {
                    args.len() == 1 && parse_number(args[0]) == Some(f64::from(delta))
                })
                .map(|(span, _)| span);
            self.report(
                span,
                format!(
                    "effect `{name}({delta})` moves a meter by more than its whole 0–100 scale"
                ),
                "an effect lies between -100 and 100; 5 to 20 is a usual step",
            );
        }
    }

    fn check_dynamics(&mut self, scenario: &Scenario) {
        let d = &scenario.dynamics;
        for (name, value) in [
            ("repeat_anger", d.repeat_anger),
            ("good_reply_anger", d.good_reply_anger),
            ("bad_reply_anger", d.bad_reply_anger),
            ("good_reply_trust", d.good_reply_trust),
            ("bad_reply_trust", d.bad_reply_trust),
        ] {
            if !EFFECT_RANGE.contains(&value) {
                let span = self.field_span(name, f64::from(value));
                self.report(
                    span,
                    format!("dynamics `{name}` is `{value}`, outside -100..=100"),
                    "a reaction moves a meter by at most its whole scale; the defaults are 5 to 12",
                );
            }
        }
        for (name, value) in [
            ("waiting_patience_per_min", d.waiting_patience_per_min),
            ("hold_patience_per_min", d.hold_patience_per_min),
        ] {
            if !DRAIN_RANGE.contains(&value) {
                let span = self.field_span(name, f64::from(value));
                self.report(
                    span,
                    format!("dynamics `{name}` is `{value}`, outside 0–100 points a minute"),
                    "give a number from 0 (no drain) to 100 (the whole meter in a minute); the defaults are 6 and 12",
                );
            }
        }
        let t = scenario.persona.temperament;
        for (name, value) in [("heat", t.heat), ("forgiveness", t.forgiveness)] {
            // Non-positive and non-finite values are RP0024's; this is the upper bound.
            if value.is_finite() && value > MAX_TEMPERAMENT {
                let span = self.field_span(name, f64::from(value));
                self.report(
                    span,
                    format!("temperament `{name}` is `{value}`, above {MAX_TEMPERAMENT}"),
                    "use a multiplier such as 0.5, 1.0 or 1.5",
                );
            }
        }
    }

    fn check_timers(&mut self, scenario: &Scenario) {
        let handle = scenario.target_handle_secs;
        if !(1..=MAX_TIMER_SECS).contains(&handle) {
            let span = self.field_span("target_handle_secs", f64::from(handle));
            self.report(
                span,
                format!(
                    "`target_handle_secs` is `{handle}`, outside 1..={MAX_TIMER_SECS} (a week)"
                ),
                "give the handle time a good agent needs, in seconds (300 is five minutes)",
            );
        }
        let o = scenario.service_levels;
        for (name, value) in [
            ("first_response_secs", o.first_response_secs),
            ("between_replies_secs", o.between_replies_secs),
            ("max_hold_secs", o.max_hold_secs),
            ("status_update_secs", o.status_update_secs),
        ] {
            if let Some(value) = value.filter(|v| *v > MAX_TIMER_SECS) {
                let span = self.field_span(name, f64::from(value));
                self.report(
                    span,
                    format!("service level `{name}` is `{value}` seconds, more than a week"),
                    "give a number of seconds up to 604800, or leave it out to use the channel's default",
                );
            }
        }
        let silences: Vec<&Silence> = scenario
            .silence
            .iter()
            .chain(scenario.beats.iter().filter_map(|b| b.silence.as_ref()))
            .collect();
        for silence in silences {
            self.check_silence(silence);
        }
    }

    /// A silence fires after at least a second (a zero delay would fire again and again at the
    /// same instant), at most a week, and a bounded number of times.
    fn check_silence(&mut self, silence: &Silence) {
        let after = silence.after_secs;
        if !(1..=MAX_TIMER_SECS).contains(&after) {
            let span = self.field_span("after_secs", f64::from(after));
            self.report(
                span,
                format!(
                    "silence `{}` fires after `{after}` seconds, outside 1..={MAX_TIMER_SECS}",
                    silence.line.id
                ),
                "a silence needs at least one second, or it would fire again and again at the same moment",
            );
        }
        if silence.limit > MAX_SILENCE_LIMIT {
            let span = self.field_span("limit", f64::from(silence.limit));
            self.report(
                span,
                format!(
                    "silence `{}` has `limit` {}, more than {MAX_SILENCE_LIMIT}",
                    silence.line.id, silence.limit
                ),
                "a customer speaks up a few times before giving up; 2 or 3 is usual",
            );
        }
    }

    fn check_policy_hours(&mut self, scenario: &Scenario) {
        for rule in &scenario.policy.commitments {
            for (name, value) in [("min_hours", rule.min_hours), ("max_hours", rule.max_hours)] {
                if let Some(value) = value.filter(|v| *v > MAX_COMMITMENT_HOURS) {
                    let span = self.field_span(name, f64::from(value));
                    self.report(
                        span,
                        format!(
                            "commitment `{:?}` has `{name}` {value}, more than ten years",
                            rule.kind
                        ),
                        "give the time in hours (72 is three days)",
                    );
                }
            }
        }
    }
}

/// A RON number literal's value (`-12`, `1.5e3`, `0x1F`, `1_000`), if it is one.
pub fn parse_number(text: &str) -> Option<f64> {
    let clean: String = text.chars().filter(|c| *c != '_').collect();
    let (negative, digits) = match clean.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, clean.strip_prefix('+').unwrap_or(&clean)),
    };
    let radix = [("0x", 16), ("0o", 8), ("0b", 2)]
        .into_iter()
        .find_map(|(prefix, radix)| digits.strip_prefix(prefix).map(|d| (d, radix)));
    let value = match radix {
        Some((d, radix)) => i128::from_str_radix(d, radix).ok()? as f64,
        None => digits.parse::<f64>().ok()?,
    };
    Some(if negative { -value } else { value })
}
