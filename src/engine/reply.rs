//! A free-text reply as the engine takes it: cleaned for storage, checked for being blank, and
//! the customer's reaction to how the analysers read it.

use smol_str::SmolStr;

use super::events::Cause;
use crate::analysis::{Polarity, Reading};
use crate::scenario::{Dimension, Meter, Scenario};

/// How the customer takes a reply: one change per meter, summed over the findings.
pub(super) fn reaction_to(reading: &Reading, scenario: &Scenario) -> Vec<(Meter, i32, Cause)> {
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

/// A reply as stored: control characters (other than newlines and tabs) become spaces.
pub fn sanitize_reply(text: &str) -> SmolStr {
    if !text.chars().any(is_stray_control) {
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

/// Whether a reply says nothing once sanitised: only spaces and control characters.
pub(super) fn is_blank_reply(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_whitespace() || is_stray_control(c))
}
