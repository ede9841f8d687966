//! The learned reader's model: one logistic regression per label over named features, with the
//! thresholds at which it adds to or overrules the rules, read from and written to its text file.
//!
//! The file (`scenarios/models/en.reader.txt`) is written by the trainer and never edited by hand:
//!
//! ```text
//! # comments
//! language en
//! labels empathic disrespect over-promise ownership deflection
//! bias -1.2 -3.0 -2.1 -0.4 -2.6
//! add 0.70 0.65 0.60 0.75 0.60
//! drop 0.10 0.05 0.00 0.15 0.05
//! add-over-allowed 0.70 0.65 0.90 0.75 0.60
//! firm-rules apology-sincere calm-down
//! w:sorry<TAB>1.2031 0 0 0 -0.1100
//! ```
//!
//! Each weight line is a feature's name, a tab (`<TAB>` above), and its weight for each label in
//! order.

use std::collections::BTreeSet;
use std::collections::hash_map::Entry;
use std::fmt::Write as _;
use std::sync::Arc;

use foldhash::HashMap;

use super::features;

use thiserror::Error;

/// The labels the reader decides, in the order of the weights in the model file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Label {
    /// Acknowledges the customer's feeling or situation, or sincerely apologises.
    Empathic,
    /// Calm down, blame, sarcasm, arguing, dismissing.
    Disrespect,
    /// A commitment the policy forbids, does not cover, or sooner or bigger than it allows.
    Overpromise,
    /// The agent personally takes a concrete next action on.
    Ownership,
    /// Pushes the work elsewhere or back on the customer, or asks again for what was given.
    Deflection,
}

/// How many labels there are.
pub const LABEL_COUNT: usize = 5;

impl Label {
    /// Every label, in file order.
    pub const ALL: [Label; LABEL_COUNT] = [
        Label::Empathic,
        Label::Disrespect,
        Label::Overpromise,
        Label::Ownership,
        Label::Deflection,
    ];

    /// The label's name in the model file and in explanations.
    pub fn name(self) -> &'static str {
        match self {
            Label::Empathic => "empathic",
            Label::Disrespect => "disrespect",
            Label::Overpromise => "over-promise",
            Label::Ownership => "ownership",
            Label::Deflection => "deflection",
        }
    }

    /// The label's position in a row of weights.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// When the model's probability changes what the rules read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// The rules did not read the label: the model adds it at this probability or more.
    pub add: f32,
    /// The rules read the label: the model drops it below this probability (0 never drops).
    pub drop: f32,
    /// The rules read commitments and the policy allows every one: the model adds an
    /// over-promise only at this probability or more (words cannot tell "move you onto the 3:10"
    /// where the policy allows it from where it forbids it; above 1, never).
    pub add_over_allowed: f32,
}

impl Thresholds {
    /// Whether the label holds, given what the rules read, whether the policy allows every
    /// commitment they read ([`super::combine::allowed_only`]), and the model's probability.
    pub fn decide(self, rules: bool, allowed_only: bool, probability: f32) -> bool {
        if rules {
            probability >= self.drop
        } else if allowed_only {
            probability >= self.add_over_allowed
        } else {
            probability >= self.add
        }
    }
}

/// A bad model file: where and what.
#[derive(Debug, Error, PartialEq)]
#[error("{name}:{line}: {message}")]
pub struct ModelError {
    /// The file's name.
    pub name: String,
    /// The 1-based line.
    pub line: usize,
    /// What is wrong, and what to do.
    pub message: String,
}

/// The weights of the features a model knows, found by the fingerprints of their names (see
/// [`features::Fingerprint`]), so a reply's features are weighed without spelling their names.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Weights {
    by_fingerprint: HashMap<u64, (Box<str>, [f32; LABEL_COUNT])>,
}

impl Weights {
    /// Adds a feature's weights, or says why not: the name is there already, or (so unlikely it
    /// has never happened) another name has the same fingerprint.
    pub fn insert(&mut self, name: &str, row: [f32; LABEL_COUNT]) -> Result<(), String> {
        match self.by_fingerprint.entry(features::fingerprint(name)) {
            Entry::Occupied(other) if *other.get().0 == *name => {
                Err(format!("feature `{name}` is listed twice"))
            }
            Entry::Occupied(other) => Err(format!(
                "features `{name}` and `{}` share a fingerprint: rename one",
                other.get().0
            )),
            Entry::Vacant(slot) => {
                slot.insert((Box::from(name), row));
                Ok(())
            }
        }
    }

    /// The weights of the feature with this fingerprint ([`features::Feature::fingerprint`]), if
    /// the model knows it.
    pub fn get(&self, fingerprint: u64) -> Option<&[f32; LABEL_COUNT]> {
        self.by_fingerprint.get(&fingerprint).map(|(_, row)| row)
    }

    /// Every feature's name and weights, in no order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[f32; LABEL_COUNT])> {
        self.by_fingerprint
            .values()
            .map(|(name, row)| (&**name, row))
    }
}

/// One logistic regression per label over named features.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearModel {
    /// The language the model reads (`en`).
    pub language: String,
    /// The intercept per label.
    pub bias: [f32; LABEL_COUNT],
    /// When to add and when to drop, per label.
    pub thresholds: [Thresholds; LABEL_COUNT],
    /// The weights of each feature the model knows, one per label.
    pub weights: Weights,
    /// The rules the labelled replies seldom contradict: a finding of one of them is never
    /// dropped (see [`super::train::FIRM_RULE_PRECISION`]).
    pub firm_rules: BTreeSet<String>,
}

/// The probability of a label, and what each feature the model knows added to it, from which
/// the features that pushed it most are found when an explanation asks ([`Score::top`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    pub probability: f32,
    label: usize,
    /// Each known feature's index among the features scored and its weighted row, shared by the
    /// scores of every label.
    contributions: Arc<[(usize, [f32; LABEL_COUNT])]>,
}

impl Score {
    /// The features that carried the decision, by index into the features scored, with their
    /// contribution, largest first: for a yes, the largest positive weights; for a no, the most
    /// negative.
    pub fn top(&self) -> Vec<(usize, f32)> {
        let sign = if self.probability >= 0.5 { 1.0 } else { -1.0 };
        let mut top: Vec<(usize, f32)> = self
            .contributions
            .iter()
            .map(|(index, row)| (*index, row[self.label]))
            .filter(|(_, weight)| weight * sign > 0.0)
            .collect();
        top.sort_by(|a, b| (b.1 * sign).total_cmp(&(a.1 * sign)).then(a.0.cmp(&b.0)));
        top.truncate(TOP_FEATURES);
        top
    }
}

/// How many contributing features an explanation keeps.
const TOP_FEATURES: usize = 3;

/// The number of decimals weights and thresholds are written with.
const DECIMALS: usize = 4;

impl LinearModel {
    /// The probability of each label for a reply's features (each once, by fingerprint, with its
    /// value), with what each feature added to it.
    pub fn score(&self, features: impl Iterator<Item = (u64, f32)>) -> [Score; LABEL_COUNT] {
        let mut sums = self.bias;
        let mut hit: Vec<(usize, [f32; LABEL_COUNT])> = Vec::new();
        for (index, (fingerprint, value)) in features.enumerate() {
            if let Some(row) = self.weights.get(fingerprint) {
                let row = row.map(|w| w * value);
                for (sum, weight) in sums.iter_mut().zip(&row) {
                    *sum += weight;
                }
                hit.push((index, row));
            }
        }
        let contributions: Arc<[_]> = hit.into();
        std::array::from_fn(|label| Score {
            probability: sigmoid(sums[label]),
            label,
            contributions: Arc::clone(&contributions),
        })
    }

    /// Reads a model file's text.
    pub fn parse(name: &str, text: &str) -> Result<LinearModel, ModelError> {
        let error = |line: usize, message: String| ModelError {
            name: name.to_owned(),
            line,
            message,
        };
        let mut language = None;
        let mut bias = None;
        let mut add = None;
        let mut drop = None;
        let mut add_over_allowed = None;
        let mut labels_seen = false;
        let mut firm_rules = BTreeSet::new();
        let mut weights = Weights::default();
        for (at, raw) in text.lines().enumerate() {
            let line = at + 1;
            if raw.trim().is_empty() || raw.starts_with('#') {
                continue;
            }
            if let Some((feature, row)) = raw.split_once('\t') {
                let row = parse_row(row).map_err(|m| error(line, m))?;
                weights
                    .insert(feature, row)
                    .map_err(|message| error(line, message))?;
                continue;
            }
            let (key, rest) = raw.split_once(' ').unwrap_or((raw, ""));
            match key {
                "language" => language = Some(rest.trim().to_owned()),
                "labels" => {
                    let names: Vec<&str> = rest.split_whitespace().collect();
                    let expected: Vec<&str> = Label::ALL.iter().map(|l| l.name()).collect();
                    if names != expected {
                        return Err(error(
                            line,
                            format!("the labels must be `{}`", expected.join(" ")),
                        ));
                    }
                    labels_seen = true;
                }
                "bias" => bias = Some(parse_row(rest).map_err(|m| error(line, m))?),
                "add" => add = Some(parse_row(rest).map_err(|m| error(line, m))?),
                "drop" => drop = Some(parse_row(rest).map_err(|m| error(line, m))?),
                "add-over-allowed" => {
                    add_over_allowed = Some(parse_row(rest).map_err(|m| error(line, m))?);
                }
                "firm-rules" => firm_rules.extend(rest.split_whitespace().map(str::to_owned)),
                _ => {
                    return Err(error(
                        line,
                        format!(
                            "`{key}` is not a model line: expected language, labels, bias, add, \
                             drop, add-over-allowed, firm-rules, or a feature and its weights separated by a tab"
                        ),
                    ));
                }
            }
        }
        let end = text.lines().count().max(1);
        let missing = |what: &str| error(end, format!("the model has no `{what}` line"));
        if !labels_seen {
            return Err(missing("labels"));
        }
        let (add, drop) = (
            add.ok_or_else(|| missing("add"))?,
            drop.ok_or_else(|| missing("drop"))?,
        );
        let add_over_allowed = add_over_allowed.unwrap_or(add);
        Ok(LinearModel {
            language: language.ok_or_else(|| missing("language"))?,
            bias: bias.ok_or_else(|| missing("bias"))?,
            thresholds: std::array::from_fn(|i| Thresholds {
                add: add[i],
                drop: drop[i],
                add_over_allowed: add_over_allowed[i],
            }),
            weights,
            firm_rules,
        })
    }

    /// The model file's text: header lines, then the features sorted by name.
    pub fn write(&self, comments: &[String]) -> String {
        let mut out = String::new();
        for comment in comments {
            let _ = writeln!(out, "# {comment}");
        }
        let _ = writeln!(out, "language {}", self.language);
        let names: Vec<&str> = Label::ALL.iter().map(|l| l.name()).collect();
        let _ = writeln!(out, "labels {}", names.join(" "));
        let _ = writeln!(out, "bias {}", row_text(&self.bias));
        let add: Vec<f32> = self.thresholds.iter().map(|t| t.add).collect();
        let drop: Vec<f32> = self.thresholds.iter().map(|t| t.drop).collect();
        let _ = writeln!(out, "add {}", row_text(&add));
        let _ = writeln!(out, "drop {}", row_text(&drop));
        let over_allowed: Vec<f32> = self.thresholds.iter().map(|t| t.add_over_allowed).collect();
        let _ = writeln!(out, "add-over-allowed {}", row_text(&over_allowed));
        let firm: Vec<&str> = self.firm_rules.iter().map(String::as_str).collect();
        let _ = writeln!(out, "firm-rules {}", firm.join(" "));
        let mut features: Vec<(&str, &[f32; LABEL_COUNT])> = self.weights.iter().collect();
        features.sort_by(|a, b| a.0.cmp(b.0));
        for (name, row) in features {
            let _ = writeln!(out, "{name}\t{}", row_text(row));
        }
        out
    }
}

/// A weight rounded as the model file writes it.
pub fn rounded(value: f64) -> f32 {
    let scale = 10f64.powi(DECIMALS as i32);
    ((value * scale).round() / scale) as f32
}

fn row_text(row: &[f32]) -> String {
    row.iter()
        .map(|w| {
            if *w == 0.0 {
                "0".to_owned()
            } else {
                format!("{w:.DECIMALS$}")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn parse_row(text: &str) -> Result<[f32; LABEL_COUNT], String> {
    let values: Vec<&str> = text.split_whitespace().collect();
    if values.len() != LABEL_COUNT {
        return Err(format!(
            "expected {LABEL_COUNT} numbers, one per label, found {}",
            values.len()
        ));
    }
    let mut row = [0.0; LABEL_COUNT];
    for (slot, value) in row.iter_mut().zip(values) {
        *slot = value
            .parse::<f32>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("`{value}` is not a number"))?;
    }
    Ok(row)
}

/// The logistic function.
pub fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> LinearModel {
        let mut weights = Weights::default();
        weights
            .insert("w:sorry", [2.0, 0.0, 0.0, 0.0, -1.0])
            .unwrap();
        weights
            .insert("w:calm", [-0.5, 3.0, 0.0, 0.0, 0.0])
            .unwrap();
        LinearModel {
            language: "en".to_owned(),
            bias: [-1.0, -2.0, -2.0, -1.0, -1.0],
            thresholds: [Thresholds {
                add: 0.75,
                drop: 0.1,
                add_over_allowed: 0.9,
            }; LABEL_COUNT],
            weights,
            firm_rules: BTreeSet::from(["calm-down".to_owned()]),
        }
    }

    #[test]
    fn a_written_model_reads_back_the_same() {
        let model = model();
        let text = model.write(&["a test".to_owned()]);
        assert!(text.starts_with("# a test\nlanguage en\n"));
        assert_eq!(LinearModel::parse("m.txt", &text), Ok(model));
    }

    #[test]
    fn scores_name_the_features_that_carried_them() {
        let model = model();
        let word = |word| {
            let term = features::Term {
                word,
                negated: false,
            };
            (features::Feature::Word(term).fingerprint(), 1.0)
        };
        let scores = model.score(["we", "sorry", "calm"].into_iter().map(word));
        assert!(scores[0].probability > 0.6);
        assert_eq!(scores[0].top(), vec![(1, 2.0)]);
        assert!(scores[1].probability > 0.7);
        assert_eq!(scores[1].top(), vec![(2, 3.0)]);
        // A no is explained by the weights that pushed it down.
        assert!(scores[4].probability < 0.5);
        assert_eq!(scores[4].top(), vec![(1, -1.0)]);
    }

    #[test]
    fn bad_model_lines_say_where_and_what() {
        let error = LinearModel::parse("m.txt", "language en\nbias 1 2\n").unwrap_err();
        assert_eq!(error.line, 2);
        assert!(error.message.contains("expected 5 numbers"), "{error}");
        let error = LinearModel::parse("m.txt", "language en\nweights\n").unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("m.txt:2: `weights` is not a model line")
        );
        let error = LinearModel::parse("m.txt", "language en\n").unwrap_err();
        assert!(error.message.contains("no `labels` line"), "{error}");
        let error = LinearModel::parse(
            "m.txt",
            "labels empathic disrespect over-promise ownership deflection\nw:a\t1 0 0 0 x\n",
        )
        .unwrap_err();
        assert!(error.message.contains("`x` is not a number"), "{error}");
    }

    #[test]
    fn thresholds_add_and_drop() {
        let t = Thresholds {
            add: 0.7,
            drop: 0.2,
            add_over_allowed: 0.9,
        };
        assert!(t.decide(false, false, 0.7) && !t.decide(false, false, 0.69));
        assert!(t.decide(true, false, 0.2) && !t.decide(true, false, 0.19));
        assert!(t.decide(false, true, 0.9) && !t.decide(false, true, 0.89));
    }
}
