//! Scripted trainees and test plans: RON files of timed moves and the expectations a run must meet.

use serde::{Deserialize, Serialize};

use crate::engine::Move;
use crate::scenario::locate::Locator;
use crate::scenario::{Code, Diagnostic, Dimension, Meter, Outcome, SourceFile};

/// The longest pause a script may take before a move: thirty days, in seconds. Longer than any
/// call can last (a call times out at three times its handle time, at most a week), and small
/// enough that the clock of a whole script stays far inside a `u64` of milliseconds.
pub const MAX_DELAY_SECS: f64 = 30.0 * 24.0 * 3600.0;

/// Whether a script's delay can be used: a finite number of seconds from 0 to [`MAX_DELAY_SECS`].
pub fn is_valid_delay(after: f64) -> bool {
    after.is_finite() && (0.0..=MAX_DELAY_SECS).contains(&after)
}

/// Refuses a script or test plan whose delays cannot be used (negative, NaN, infinite, or
/// longer than [`MAX_DELAY_SECS`]), pointing at the first such `after:` in the file. `runs`
/// holds each run's name (none for a script) and moves in file order, as each move's `after`
/// is written once, in that order.
pub fn check_delays<'m>(
    runs: impl IntoIterator<Item = (Option<&'m str>, &'m [ScriptedMove])>,
    source: &SourceFile,
) -> Result<(), Box<Diagnostic>> {
    let mut nth_after = 0;
    let mut bad = None;
    for (run, moves) in runs {
        if let Some(index) = moves.iter().position(|m| !is_valid_delay(m.after)) {
            bad = Some((nth_after + index, run, index, moves[index].after));
            break;
        }
        nth_after += moves.len();
    }
    let Some((nth_after, run, index, after)) = bad else {
        return Ok(());
    };
    let span = Locator::new(&source.text)
        .field_values("after")
        .get(nth_after)
        .copied();
    let which = match run {
        Some(name) => format!("move {} of run `{name}`", index + 1),
        None => format!("move {}", index + 1),
    };
    let diagnostic = Diagnostic::new(
        Code::NumberOutOfRange,
        &source.path,
        format!(
            "{which} waits `{after}` seconds; a delay is a number of seconds from 0 to {MAX_DELAY_SECS}"
        ),
    )
    .at(source, span, "unusable delay")
    .with_help("give the seconds since the previous move, e.g. `after: 5.0`");
    Err(Box::new(diagnostic))
}

/// One scripted move and the seconds of thinking before it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedMove {
    /// Seconds since the previous move (or the start of the call).
    pub after: f64,
    /// What the trainee does.
    #[serde(rename = "do")]
    pub action: Move,
}

/// A scripted trainee for `rapport run --script`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    /// The seed of the session (line variants and any randomness).
    #[serde(default)]
    pub seed: u64,
    /// The trainee id recorded in the transcript.
    #[serde(default = "default_trainee")]
    pub trainee: String,
    /// The moves, in order.
    pub moves: Vec<ScriptedMove>,
}

fn default_trainee() -> String {
    "scripted".to_owned()
}

/// A test plan: scripted runs of one scenario, each with expectations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestPlan {
    /// The scenario file, relative to the plan.
    pub scenario: String,
    pub runs: Vec<PlanRun>,
}

/// One scripted run of a test plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanRun {
    /// What the run shows ("model trainee resolves the call").
    pub name: String,
    #[serde(default)]
    pub seed: u64,
    #[serde(default = "default_trainee")]
    pub trainee: String,
    pub moves: Vec<ScriptedMove>,
    pub expect: Expectations,
}

/// What a run must produce; every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectations {
    /// Customer line ids that must be said, in this order (others may come between).
    #[serde(default)]
    pub lines: Vec<String>,
    /// Customer line ids that must not be said.
    #[serde(default)]
    pub not_lines: Vec<String>,
    /// The ending's id.
    #[serde(default)]
    pub ending: Option<String>,
    /// The ending's outcome.
    #[serde(default)]
    pub outcome: Option<Outcome>,
    /// Final meter ranges, inclusive: `(Anger, 0, 40)`.
    #[serde(default)]
    pub meters: Vec<(Meter, i32, i32)>,
    /// Overall score range, inclusive.
    #[serde(default)]
    pub overall: Option<(f64, f64)>,
    /// Per-dimension score ranges, inclusive.
    #[serde(default)]
    pub dimensions: Vec<(Dimension, f64, f64)>,
    /// Whether the scorecard passes.
    #[serde(default)]
    pub passed: Option<bool>,
    /// Rubric criteria that must have a bad finding (evidence the poor trainee was caught).
    #[serde(default)]
    pub flagged: Vec<String>,
}
