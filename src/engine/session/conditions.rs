//! What the session's state makes true: scenario flags, the conditions of options and triggers,
//! and triggers firing when their condition comes to hold.

use std::sync::Arc;

use super::Session;
use crate::engine::events::{Event, TimedEvent};
use crate::scenario::Condition;

impl Session {
    /// Fires the first trigger whose condition holds; returns whether the conversation jumped.
    pub(super) fn run_triggers(&mut self, out: &mut Vec<TimedEvent>) -> bool {
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

    pub(super) fn set_flags(&mut self, names: &[String]) {
        for name in names {
            if let Some(index) = self.scenario.flags.iter().position(|f| f == name) {
                self.flags[index] = true;
            }
        }
    }

    /// Whether a condition holds now.
    pub(super) fn holds(&self, condition: &Condition) -> bool {
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
}
