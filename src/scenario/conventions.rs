//! Checks of the format's documented conventions that a scenario can break and still run: a
//! silence that interrupts a trainee who is within the service level, and an `end` action that
//! records the agent's hang-up as someone else's.

use super::diagnostics::{Code, Diagnostic, SourceFile, Span};
use super::locate::LazyLocator;
use super::model::{Outcome, Scenario, Silence};
use super::ranges::parse_number;

/// Outcomes an ending reached by the agent's own `end` may record: the agent ended the call,
/// or (in a closing beat) ending it is how the call is won.
const OUTCOMES_OF_ENDING_THE_CALL: [Outcome; 2] = [Outcome::AgentEnded, Outcome::Resolved];

/// Checks every silence against the reply limit and every `end` action's ending.
pub fn check_conventions(
    scenario: &Scenario,
    source: &SourceFile,
    locator: &LazyLocator<'_>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    check_silences(scenario, source, locator, &mut out);
    check_end_actions(scenario, source, locator, &mut out);
    out
}

/// docs/scenario-format.md, Silence: "Set `after_secs` no shorter than the channel's
/// `between_replies_secs`, so a trainee within the service level never hears it."
fn check_silences(
    scenario: &Scenario,
    source: &SourceFile,
    locator: &LazyLocator<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let limit = scenario.service_levels().between_replies_secs;
    let silences = scenario
        .silence
        .iter()
        .chain(scenario.beats.iter().filter_map(|b| b.silence.as_ref()));
    for silence in silences {
        // A zero is refused as out of range (RP0032); saying it is also early adds nothing.
        if silence.after_secs == 0 || silence.after_secs >= limit {
            continue;
        }
        out.push(
            Diagnostic::new(
                Code::EarlySilence,
                &source.path,
                format!(
                    "silence `{}` fires after {} s, before the {} s a {} trainee has to reply",
                    silence.line.id,
                    silence.after_secs,
                    limit,
                    scenario.channel.label()
                ),
            )
            .at(source, silence_span(silence, locator), "too early")
            .with_help(format!(
                "set `after_secs: {limit}` or more, so a trainee who answers within the service level never hears it; to give less time, lower `service_levels.between_replies_secs` too"
            )),
        );
    }
}

/// The place of a silence's `after_secs` value.
fn silence_span(silence: &Silence, locator: &LazyLocator<'_>) -> Option<Span> {
    let wanted = f64::from(silence.after_secs);
    let locator = locator.get();
    locator
        .field_value_where("after_secs", |text| parse_number(text) == Some(wanted))
        .or_else(|| locator.string(&silence.line.id))
}

/// docs/scenario-format.md, Actions: `end` is "the agent ending the call", by default the
/// `AgentEnded` ending; one that leads to an ending of another outcome records it falsely.
fn check_end_actions(
    scenario: &Scenario,
    source: &SourceFile,
    locator: &LazyLocator<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let ends = std::iter::once(("the scenario's", &scenario.actions)).chain(
        scenario
            .beats
            .iter()
            .map(|beat| ("a beat's", &beat.actions)),
    );
    for (whose, actions) in ends {
        let Some(target) = actions.end.as_deref() else {
            continue;
        };
        let Some(ending) = scenario.ending(target) else {
            continue;
        };
        if OUTCOMES_OF_ENDING_THE_CALL.contains(&ending.outcome) {
            continue;
        }
        let fitting = scenario
            .endings
            .iter()
            .find(|e| e.outcome == Outcome::AgentEnded)
            .map_or_else(
                || "add an ending with `outcome: AgentEnded` and lead `end` to it, or leave `end` out to use the engine's".to_owned(),
                |e| format!("lead `end` to `{}`, an ending with `outcome: AgentEnded`", e.id),
            );
        let span = locator
            .get()
            .field_string_where("end", |value| value == target);
        out.push(
            Diagnostic::new(
                Code::EndActionMisattributed,
                &source.path,
                format!(
                    "{whose} `end` action leads to `{target}`, an ending with `outcome: {:?}`: a trainee who ends the call would be recorded as if {}",
                    ending.outcome,
                    what_the_outcome_says(ending.outcome)
                ),
            )
            .at(source, span, "the agent's own hang-up")
            .with_help(fitting),
        );
    }
}

/// What an outcome tells a reader of the transcript happened.
fn what_the_outcome_says(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::HungUp => "the customer had hung up",
        Outcome::Escalated => "they had escalated the call",
        Outcome::Transferred => "they had transferred the call",
        Outcome::TimedOut => "the call had run out of time",
        Outcome::Abandoned => "the session had been interrupted",
        Outcome::Resolved | Outcome::AgentEnded => "they had ended it",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{ValidateOptions, parse_scenario, validate};

    fn codes_of(text: &str) -> Vec<Code> {
        let loaded = parse_scenario("conventions.ron", text).expect("the scenario loads");
        validate(&loaded, &ValidateOptions::default())
            .iter()
            .map(|d| d.code)
            .collect()
    }

    #[test]
    fn the_starter_keeps_the_documented_conventions() {
        let starter = crate::scenario::scaffold::starter_scenario("Conventions");
        let codes = codes_of(&starter);
        assert!(!codes.contains(&Code::EarlySilence), "{codes:?}");
        assert!(!codes.contains(&Code::EndActionMisattributed), "{codes:?}");
    }
}
