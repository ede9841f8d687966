//! The labelled set: precision and recall of the shipped analyser against replies a QA lead marked.
//!
//! Run `cargo test --no-default-features --test it labelled -- --nocapture` to see the table.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rapport::analysis::{Analyser, Polarity, ReplyContext};
use rapport::scenario::Policy;
use rapport::scenario::load::load_ron;
use serde::Deserialize;

/// The file of labelled replies.
const LABELLED_SET: &str = "tests/data/labelled-replies.ron";

/// The least number of gold examples a label needs before its floors apply.
const MIN_EXAMPLES: usize = 10;

/// The precision floor of over-promise detection.
const OVERPROMISE_PRECISION: f64 = 0.85;

/// The precision and recall floors of every other label.
const LABEL_PRECISION: f64 = 0.80;
const LABEL_RECALL: f64 = 0.80;

/// The name of the over-promise label in the table.
const OVERPROMISE: &str = "overpromise";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelledSet {
    customer_name: String,
    already_given: Vec<String>,
    policy: Policy,
    replies: Vec<LabelledReply>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelledReply {
    text: String,
    labels: Vec<(String, Polarity)>,
    overpromise: bool,
}

/// Counts for one label.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    true_positive: usize,
    false_positive: usize,
    false_negative: usize,
}

impl Tally {
    fn gold(self) -> usize {
        self.true_positive + self.false_negative
    }

    fn precision(self) -> f64 {
        ratio(self.true_positive, self.true_positive + self.false_positive)
    }

    fn recall(self) -> f64 {
        ratio(self.true_positive, self.gold())
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

fn label_name(criterion: &str, polarity: Polarity) -> String {
    let sign = match polarity {
        Polarity::Good => '+',
        Polarity::Bad => '-',
    };
    format!("{criterion} {sign}")
}

#[test]
fn labelled_replies_meet_the_precision_and_recall_floors() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(LABELLED_SET);
    let (set, _) = load_ron::<LabelledSet>(&path).unwrap_or_else(|d| panic!("{}", d.render(false)));
    assert!(
        set.replies.len() >= 320,
        "the labelled set must hold at least 320 replies"
    );
    let analyser = Analyser::shipped();
    let ctx = ReplyContext {
        customer_name: &set.customer_name,
        policy: &set.policy,
        already_given: &set.already_given,
    };
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut misses: Vec<String> = Vec::new();
    for reply in &set.replies {
        let reading = analyser.read(&reply.text, &ctx);
        let mut gold: BTreeSet<String> = reply
            .labels
            .iter()
            .map(|(criterion, polarity)| label_name(criterion, *polarity))
            .collect();
        let mut found: BTreeSet<String> = reading
            .findings
            .iter()
            // The over-promise finding is scored as the `overpromise` label below.
            .filter(|f| f.criterion != "expectations.no-overpromise")
            .map(|f| label_name(&f.criterion, f.polarity))
            .collect();
        if reply.overpromise {
            gold.insert(OVERPROMISE.to_owned());
        }
        if reading.overpromised() {
            found.insert(OVERPROMISE.to_owned());
        }
        for label in gold.union(&found) {
            let tally = tallies.entry(label.clone()).or_default();
            match (gold.contains(label), found.contains(label)) {
                (true, true) => tally.true_positive += 1,
                (false, true) => tally.false_positive += 1,
                (true, false) => tally.false_negative += 1,
                (false, false) => {}
            }
        }
        let missed: Vec<&String> = gold.difference(&found).collect();
        let extra: Vec<&String> = found.difference(&gold).collect();
        if !missed.is_empty() || !extra.is_empty() {
            misses.push(format!(
                "{:?}\n    missed {missed:?}\n    extra  {extra:?}",
                reply.text
            ));
        }
    }
    println!(
        "\n{} labelled replies; {} read differently from the labels:",
        set.replies.len(),
        misses.len()
    );
    for miss in &misses {
        println!("  {miss}");
    }
    println!(
        "\n{:<34} {:>5} {:>5} {:>5} {:>5} {:>9} {:>7}",
        "label", "gold", "tp", "fp", "fn", "precision", "recall"
    );
    let mut failures = Vec::new();
    for (label, tally) in &tallies {
        println!(
            "{label:<34} {:>5} {:>5} {:>5} {:>5} {:>9.3} {:>7.3}",
            tally.gold(),
            tally.true_positive,
            tally.false_positive,
            tally.false_negative,
            tally.precision(),
            tally.recall()
        );
        if tally.gold() < MIN_EXAMPLES {
            continue;
        }
        if label == OVERPROMISE {
            if tally.precision() < OVERPROMISE_PRECISION {
                failures.push(format!(
                    "{label}: precision {:.3} < {OVERPROMISE_PRECISION}",
                    tally.precision()
                ));
            }
            continue;
        }
        if tally.precision() < LABEL_PRECISION {
            failures.push(format!(
                "{label}: precision {:.3} < {LABEL_PRECISION}",
                tally.precision()
            ));
        }
        if tally.recall() < LABEL_RECALL {
            failures.push(format!(
                "{label}: recall {:.3} < {LABEL_RECALL}",
                tally.recall()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "labels below their floors:\n{}",
        failures.join("\n")
    );
}
