//! The trainer: the same labelled replies always give the same model. Logistic regression per
//! label by AdaGrad with L2, a fixed seed and a fixed order; the thresholds at which the model adds
//! to or overrules the rules are chosen on predictions for replies held out by context
//! (leave-one-context-out), never on replies a model was trained on.

use std::collections::{BTreeMap, BTreeSet};

use smol_str::SmolStr;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::combine::RulesRead;
use super::corpus::LoadedSet;
use super::features;
use super::linear::{LABEL_COUNT, Label, LinearModel, Thresholds, Weights, rounded};
use crate::analysis::Analyser;

/// How the trainer learns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Passes over the replies.
    pub epochs: usize,
    /// AdaGrad's step.
    pub rate: f64,
    /// L2 penalty per step on the weights a reply uses.
    pub l2: f64,
    /// A word feature must be seen in this many replies to be learned.
    pub min_count: usize,
    /// The seed of the order replies are visited in.
    pub seed: u64,
}

/// The settings the shipped model is trained with.
pub const SHIPPED_SETTINGS: Settings = Settings {
    epochs: 10,
    rate: 0.1,
    l2: 0.001,
    min_count: 2,
    seed: 17,
};

/// A labelled reply as the trainer sees it.
#[derive(Debug, Clone)]
pub struct Example {
    pub features: Vec<SmolStr>,
    /// The value of its word features (see [`features::word_value`]).
    pub word_value: f64,
    /// The QA lead's five labels.
    pub gold: [bool; LABEL_COUNT],
    /// What the rules alone read.
    pub rules: [bool; LABEL_COUNT],
    /// Where the rules' reading is firm: the model cannot change it (see [`super::combine::firm`]),
    /// or a finding of a firm rule holds it (see [`Examples::firm_rules`]).
    pub firm: [bool; LABEL_COUNT],
    /// What the rules read that the model's decision on each label depends on.
    pub read: [RulesRead; LABEL_COUNT],
    /// The rules whose findings hold each label in the rules' reading.
    pub label_rules: [Vec<String>; LABEL_COUNT],
    /// The context it is held out with (index into [`Examples::groups`]).
    pub group: usize,
    /// The file it came from (index into [`Examples::files`]).
    pub file: usize,
}

impl Example {
    /// What the reader decides for a label (by index) at these thresholds and this probability,
    /// as [`super::combine::apply`] decides it for a reply read live.
    fn decide(&self, label: usize, thresholds: Thresholds, probability: f32) -> bool {
        if self.firm[label] {
            self.rules[label]
        } else {
            self.read[label].decide(thresholds, probability)
        }
    }
}

/// The labelled replies with their features.
#[derive(Debug, Clone, Default)]
pub struct Examples {
    pub examples: Vec<Example>,
    /// The rules whose findings the labels seldom contradict (see [`FIRM_RULE_PRECISION`]).
    pub firm_rules: BTreeSet<String>,
    pub groups: Vec<String>,
    pub files: Vec<String>,
}

/// Reads every labelled reply with the rules alone (`rules` must have no learned reader).
pub fn examples(rules: &Analyser, sets: &[LoadedSet]) -> Examples {
    let mut out = Examples::default();
    for loaded in sets {
        let group = match out.groups.iter().position(|g| *g == loaded.group) {
            Some(at) => at,
            None => {
                out.groups.push(loaded.group.clone());
                out.groups.len() - 1
            }
        };
        out.files.push(loaded.path.display().to_string());
        let file = out.files.len() - 1;
        let ctx = loaded.context.reply_context();
        for reply in &loaded.set.replies {
            let (text, reading) = rules.read_for_model(&reply.text, &ctx);
            let found = features::extract(&text, &reading);
            out.examples.push(Example {
                word_value: f64::from(found.word_value),
                features: found.names(),
                gold: reply.gold(),
                rules: Label::ALL.map(|l| super::combine::holds(&reading, l)),
                firm: Label::ALL.map(|l| super::combine::firm(&reading, &loaded.context.policy, l)),
                read: Label::ALL.map(|l| RulesRead::of(&reading, &loaded.context.policy, l)),
                label_rules: Label::ALL.map(|l| super::combine::rules_holding(&reading, l)),
                group,
                file,
            });
        }
    }
    out.firm_rules = firm_rules(&out.examples);
    for example in &mut out.examples {
        for label in Label::ALL {
            let index = label.index();
            if example.label_rules[index]
                .iter()
                .any(|rule| out.firm_rules.contains(rule))
            {
                example.firm[index] = true;
            }
        }
    }
    out
}

/// A rule whose findings are right this often on the labelled replies (and that fired at least
/// [`FIRM_RULE_MIN_FIRED`] times) is firm: the model never drops its findings. Dropping is for
/// the rules the labels often contradict; "calm down" is disrespect however the rest of a long
/// reply reads.
pub const FIRM_RULE_PRECISION: f64 = 0.9;

/// How often a rule must have fired on the labelled replies to be judged firm.
pub const FIRM_RULE_MIN_FIRED: usize = 10;

/// The firm rules of the labelled replies. They are chosen on every reply, so the held-out
/// figures are slightly optimistic about them (a rule's precision is measured on its own context
/// too). The ledger is never one: how firm its over-promises are depends on their verdicts.
fn firm_rules(examples: &[Example]) -> BTreeSet<String> {
    let mut tallies: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for example in examples {
        for label in Label::ALL {
            let index = label.index();
            for rule in &example.label_rules[index] {
                let tally = tallies.entry(rule.as_str()).or_default();
                tally.0 += 1;
                tally.1 += usize::from(example.gold[index]);
            }
        }
    }
    tallies
        .into_iter()
        .filter(|(rule, (fired, right))| {
            *rule != crate::analysis::promises::LEDGER_RULE
                && *fired >= FIRM_RULE_MIN_FIRED
                && *right as f64 >= FIRM_RULE_PRECISION * *fired as f64
        })
        .map(|(rule, _)| rule.to_owned())
        .collect()
}

/// Weights being learned, by feature index.
struct Learner {
    vocabulary: BTreeMap<String, usize>,
    weights: Vec<[f64; LABEL_COUNT]>,
    bias: [f64; LABEL_COUNT],
}

impl Learner {
    /// The example's features the learner knows, by index, with their values.
    fn indices(&self, example: &Example) -> Vec<(usize, f64)> {
        example
            .features
            .iter()
            .filter_map(|f| {
                let value = if features::is_word(f) {
                    example.word_value
                } else {
                    1.0
                };
                self.vocabulary.get(f.as_str()).map(|&i| (i, value))
            })
            .collect()
    }

    fn probabilities(&self, indices: &[(usize, f64)]) -> [f64; LABEL_COUNT] {
        let mut sums = self.bias;
        for &(i, value) in indices {
            for (sum, w) in sums.iter_mut().zip(&self.weights[i]) {
                *sum += w * value;
            }
        }
        sums.map(|z| 1.0 / (1.0 + (-z).exp()))
    }
}

/// Trains on the chosen examples (in order of their indices, shuffled by the seed per pass).
fn learn(examples: &[Example], chosen: &[usize], settings: Settings) -> Learner {
    // Word features seen in too few replies say more about one writer than about replies.
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for &i in chosen {
        for f in &examples[i].features {
            *counts.entry(f.as_str()).or_default() += 1;
        }
    }
    let vocabulary: BTreeMap<String, usize> = counts
        .into_iter()
        .filter(|(name, count)| *count >= settings.min_count || !features::is_word(name))
        .enumerate()
        .map(|(index, (name, _))| (name.to_owned(), index))
        .collect();
    let mut learner = Learner {
        weights: vec![[0.0; LABEL_COUNT]; vocabulary.len()],
        vocabulary,
        bias: [0.0; LABEL_COUNT],
    };
    let encoded: Vec<(Vec<(usize, f64)>, [bool; LABEL_COUNT])> = chosen
        .iter()
        .map(|&i| (learner.indices(&examples[i]), examples[i].gold))
        .collect();
    let mut squares = vec![[1e-8; LABEL_COUNT]; learner.weights.len()];
    let mut bias_squares = [1e-8; LABEL_COUNT];
    let mut order: Vec<usize> = (0..encoded.len()).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
    for _ in 0..settings.epochs {
        order.shuffle(&mut rng);
        for &at in &order {
            let (indices, gold) = &encoded[at];
            let probabilities = learner.probabilities(indices);
            for label in 0..LABEL_COUNT {
                let error = probabilities[label] - f64::from(u8::from(gold[label]));
                bias_squares[label] += error * error;
                learner.bias[label] -= settings.rate * error / bias_squares[label].sqrt();
                for &(i, value) in indices {
                    let w = &mut learner.weights[i][label];
                    let gradient = error * value + settings.l2 * *w;
                    squares[i][label] += gradient * gradient;
                    *w -= settings.rate * gradient / squares[i][label].sqrt();
                }
            }
        }
    }
    learner
}

/// The predictions of models trained without each context for that context's replies.
pub fn held_out_probabilities(data: &Examples, settings: Settings) -> Vec<[f64; LABEL_COUNT]> {
    let mut out = vec![[0.0; LABEL_COUNT]; data.examples.len()];
    for group in 0..data.groups.len() {
        let (held, kept): (Vec<usize>, Vec<usize>) =
            (0..data.examples.len()).partition(|&i| data.examples[i].group == group);
        if held.is_empty() {
            continue;
        }
        let learner = learn(&data.examples, &kept, settings);
        for i in held {
            out[i] = learner.probabilities(&learner.indices(&data.examples[i]));
        }
    }
    out
}

/// True and false positives and false negatives of one label.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub true_positive: usize,
    pub false_positive: usize,
    pub false_negative: usize,
}

impl Tally {
    pub fn count(&mut self, gold: bool, found: bool) {
        match (gold, found) {
            (true, true) => self.true_positive += 1,
            (false, true) => self.false_positive += 1,
            (true, false) => self.false_negative += 1,
            (false, false) => {}
        }
    }

    pub fn precision(self) -> f64 {
        ratio(self.true_positive, self.true_positive + self.false_positive)
    }

    pub fn recall(self) -> f64 {
        ratio(self.true_positive, self.true_positive + self.false_negative)
    }

    pub fn f1(self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

/// The thresholds a label may use: adding at 0.50 to 0.95 (only where the model is more sure than
/// not), over-promises from 0.30 (a missed over-promise costs the trainee most, see
/// [`choose_thresholds`]); dropping below never, or 0.05 to 0.20 (only where the model is at
/// least four times surer it is not than that it is). Over a reply whose commitments the policy
/// all allows, an over-promise is added only where the model is more sure than not (0.50 up to
/// never, 1.05): overruling the policy's own allowance takes more than a hunch.
fn candidate_thresholds(label: Label) -> Vec<Thresholds> {
    let lowest_add = if label == Label::Overpromise { 6 } else { 10 };
    let mut out = Vec::new();
    for add in (lowest_add..=19).rev() {
        let over_allowed = if label == Label::Overpromise {
            add.max(10)..=21
        } else {
            add..=add
        };
        for add_over_allowed in over_allowed.rev() {
            for drop in 0..=4 {
                out.push(Thresholds {
                    add: add as f32 * 0.05,
                    drop: drop as f32 * 0.05,
                    add_over_allowed: add_over_allowed as f32 * 0.05,
                });
            }
        }
    }
    out
}

/// The precision over-promise thresholds must keep on held-out predictions: issue 17's floor
/// (0.85) with a margin.
const OVERPROMISE_PRECISION: f64 = 0.88;

/// How good a label's decisions are: F1, except for over-promises, where issue 17 asks for
/// recall at a precision: the recall while precision holds (then F1 among equals).
fn merit(label: Label, tally: Tally) -> (f64, f64) {
    if label == Label::Overpromise {
        let recall = if tally.precision() >= OVERPROMISE_PRECISION {
            tally.recall()
        } else {
            -1.0
        };
        (recall, tally.f1())
    } else {
        (tally.f1(), 0.0)
    }
}

/// Per label, the thresholds with the best [`merit`] on held-out predictions of the chosen
/// examples; among equals, the one that changes the rules least (added late, dropped rarely).
pub fn choose_thresholds(
    data: &Examples,
    probabilities: &[[f64; LABEL_COUNT]],
    chosen: &[usize],
) -> [Thresholds; LABEL_COUNT] {
    Label::ALL.map(|label| {
        let index = label.index();
        let mut best: Option<((f64, f64), Thresholds)> = None;
        for candidate in candidate_thresholds(label) {
            let mut tally = Tally::default();
            for &i in chosen {
                let e = &data.examples[i];
                let found = e.decide(index, candidate, probabilities[i][index] as f32);
                tally.count(e.gold[index], found);
            }
            let score = merit(label, tally);
            let better = best.is_none_or(|(b, _)| {
                score.0 > b.0 + 1e-9 || (score.0 > b.0 - 1e-9 && score.1 > b.1 + 1e-9)
            });
            if better {
                best = Some((score, candidate));
            }
        }
        best.map_or(
            Thresholds {
                add: 2.0,
                drop: 0.0,
                add_over_allowed: 2.0,
            },
            |(_, t)| t,
        )
    })
}

/// The shipped model: trained on every example, with thresholds chosen on held-out predictions.
pub fn train(data: &Examples, settings: Settings, language: &str) -> LinearModel {
    let everything: Vec<usize> = (0..data.examples.len()).collect();
    let held_out = held_out_probabilities(data, settings);
    let thresholds = choose_thresholds(data, &held_out, &everything);
    let learner = learn(&data.examples, &everything, settings);
    let mut weights = Weights::default();
    for (name, &index) in &learner.vocabulary {
        let row = learner.weights[index].map(rounded);
        if row.iter().any(|w| *w != 0.0) {
            // The vocabulary names each feature once; two sharing a fingerprint is a one in
            // 10^15 chance the trainer reports rather than hides.
            weights
                .insert(name, row)
                .unwrap_or_else(|clash| panic!("cannot train this vocabulary: {clash}"));
        }
    }
    LinearModel {
        language: language.to_owned(),
        bias: learner.bias.map(rounded),
        thresholds: thresholds.map(|t| Thresholds {
            add: rounded(f64::from(t.add)),
            drop: rounded(f64::from(t.drop)),
            add_over_allowed: rounded(f64::from(t.add_over_allowed)),
        }),
        weights,
        firm_rules: data.firm_rules.clone(),
    }
}

/// Cross-validated figures per label: the rules alone and the rules with the model, on the
/// examples of the chosen files, each context's replies scored by a model trained without it
/// and with thresholds chosen without it.
#[derive(Debug, Default, Clone)]
pub struct Comparison {
    pub replies: usize,
    pub rules: [Tally; LABEL_COUNT],
    pub combined: [Tally; LABEL_COUNT],
}

impl Comparison {
    /// The mean F1 over the five labels.
    pub fn macro_f1(tallies: &[Tally; LABEL_COUNT]) -> f64 {
        tallies.iter().map(|t| t.f1()).sum::<f64>() / LABEL_COUNT as f64
    }
}

/// Compares the rules alone with the rules and held-out model on the examples `within` picks.
pub fn compare(
    data: &Examples,
    probabilities: &[[f64; LABEL_COUNT]],
    within: impl Fn(&Example) -> bool,
) -> Comparison {
    let mut comparison = Comparison::default();
    for group in 0..data.groups.len() {
        let others: Vec<usize> = (0..data.examples.len())
            .filter(|&i| data.examples[i].group != group)
            .collect();
        let held: Vec<usize> = (0..data.examples.len())
            .filter(|&i| data.examples[i].group == group && within(&data.examples[i]))
            .collect();
        if held.is_empty() {
            continue;
        }
        let thresholds = choose_thresholds(data, probabilities, &others);
        for i in held {
            let e = &data.examples[i];
            comparison.replies += 1;
            for label in 0..LABEL_COUNT {
                comparison.rules[label].count(e.gold[label], e.rules[label]);
                let found = e.decide(label, thresholds[label], probabilities[i][label] as f32);
                comparison.combined[label].count(e.gold[label], found);
            }
        }
    }
    comparison
}

/// The shipped model file's text for the labelled replies: the model and how it was made.
pub fn model_file(data: &Examples, settings: Settings, language: &str) -> String {
    let model = train(data, settings, language);
    let comments = vec![
        "The learned reader (src/analysis/model/): written by the trainer, never by hand."
            .to_owned(),
        "Retrain: cargo run --release --no-default-features --example train_reader".to_owned(),
        format!(
            "Trained on {} labelled replies in {} files, {} contexts; {settings:?}.",
            data.examples.len(),
            data.files.len(),
            data.groups.len()
        ),
        "Thresholds chosen on leave-one-context-out predictions.".to_owned(),
    ];
    model.write(&comments)
}
