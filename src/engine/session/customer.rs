//! The customer's meters as the session moves them: patience draining while the customer waits,
//! authored effects scaled by temperament, and hanging up when patience runs out.

use super::Session;
use crate::engine::events::{Cause, Event, TimedEvent};
use crate::scenario::{Effect, Meter, Meters, Outcome};

impl Session {
    pub(super) fn drain_rate_and_start(&self) -> (f64, u64) {
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
    pub(super) fn drain_to(&mut self, to_ms: u64, out: &mut Vec<TimedEvent>) {
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

    /// Hangs up when patience has run out; returns whether the call ended.
    pub(super) fn check_patience(&mut self, out: &mut Vec<TimedEvent>) -> bool {
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

    /// Applies an authored effect, scaled by the persona's temperament.
    pub(super) fn apply_effect(&mut self, effect: Effect, cause: Cause, out: &mut Vec<TimedEvent>) {
        let (meter, delta) = effect.parts();
        self.change(meter, delta, cause, out);
    }

    /// Changes a meter by a delta scaled by temperament: rises in anger and falls in trust or
    /// patience by `heat`, the reverse by `forgiveness`.
    pub(super) fn change(
        &mut self,
        meter: Meter,
        delta: i32,
        cause: Cause,
        out: &mut Vec<TimedEvent>,
    ) {
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

    pub(super) fn change_raw(
        &mut self,
        meter: Meter,
        delta: i32,
        cause: Cause,
        out: &mut Vec<TimedEvent>,
    ) {
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

/// The starting meters, each held to 0–100.
pub(super) fn clamp_meters(meters: Meters) -> Meters {
    Meters {
        anger: meters.anger.clamp(0, 100),
        patience: meters.patience.clamp(0, 100),
        trust: meters.trust.clamp(0, 100),
    }
}
