//! The labelled sets: precision and recall of the shipped analyser against replies a QA lead marked.
//!
//! Run `cargo test --no-default-features --test it labelled -- --nocapture` to see the tables. The
//! tuned set (`tests/data/labelled-replies.ron`) has floors that are asserted; any other labelled
//! files named in `RAPPORT_LABELLED_SETS` (paths separated by `:`, relative to the crate root, in
//! the same format) are measured and printed, never asserted, so a blind set stays honest:
//!
//! ```sh
//! RAPPORT_LABELLED_SETS=blind/a.ron:blind/b.ron \
//!   cargo test --no-default-features --test it labelled -- --nocapture
//! ```
//!
//! `RAPPORT_READER=off` measures the tuned contexts and the named sets with the rules alone,
//! without the learned reader (`src/analysis/model/`), to compare.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rapport::analysis::model::corpus::{LabelledReply, LabelledSet, SetContext};
use rapport::analysis::{Analyser, Polarity, Reading, ReplyContext, render_reading};
use rapport::engine::sanitize_reply;
use rapport::scenario::load::load_ron;
use rapport::scenario::load_scenario;

use super::util::{crate_path, rapport};

/// The file of labelled replies the lexicon is tuned on.
const LABELLED_SET: &str = "tests/data/labelled-replies.ron";

/// The folder of tuned replies read in scenario contexts (a call time, amounts, conditions),
/// labelled with issue 17's five labels only.
const TUNED_CONTEXTS: &str = "tests/data/tuned";

/// Issue 17's floors: macro-F1 over its five labels, and over-promise recall at a precision.
const ISSUE_MACRO_F1: f64 = 0.85;
const ISSUE_OVERPROMISE_RECALL: f64 = 0.90;

/// The environment variable naming further labelled files to measure (`a.ron:b.ron`).
const EXTRA_SETS_VARIABLE: &str = "RAPPORT_LABELLED_SETS";

/// The least number of gold examples a label needs before its floors apply.
const MIN_EXAMPLES: usize = 10;

/// The precision floor of over-promise detection.
const OVERPROMISE_PRECISION: f64 = 0.85;

/// The precision and recall floors of every other label.
const LABEL_PRECISION: f64 = 0.80;
const LABEL_RECALL: f64 = 0.80;

/// The name of the over-promise label in the table.
const OVERPROMISE: &str = "overpromise";

/// The call a set's replies are read in: its own fields over those of the shipped scenario it
/// names (see [`LabelledSet::context`], shared with the learned reader's trainer).
fn context_in(set: &LabelledSet, path: &Path) -> SetContext {
    set.context(Path::new(env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|d| {
            panic!(
                "{}: its `scenario` names no loadable shipped scenario:\n{}",
                path.display(),
                d.render(false)
            )
        })
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

    /// The harmonic mean of precision and recall (0 when both are 0).
    fn f1(self) -> f64 {
        let (precision, recall) = (self.precision(), self.recall());
        if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        }
    }

    /// Counts one reply: whether the label was expected and whether it was read.
    fn count(&mut self, gold: bool, found: bool) {
        match (gold, found) {
            (true, true) => self.true_positive += 1,
            (false, true) => self.false_positive += 1,
            (true, false) => self.false_negative += 1,
            (false, false) => {}
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

fn label_name(criterion: &str, polarity: Polarity) -> String {
    let sign = match polarity {
        Polarity::Good => '+',
        Polarity::Bad => '-',
    };
    format!("{criterion} {sign}")
}

/// The five labels the principal issue (17) measures, each a union of criterion labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum IssueLabel {
    Empathic,
    Disrespect,
    Overpromise,
    Ownership,
    Deflection,
}

impl IssueLabel {
    const ALL: [IssueLabel; 5] = [
        IssueLabel::Empathic,
        IssueLabel::Disrespect,
        IssueLabel::Overpromise,
        IssueLabel::Ownership,
        IssueLabel::Deflection,
    ];

    fn name(self) -> &'static str {
        match self {
            IssueLabel::Empathic => "empathic",
            IssueLabel::Disrespect => "disrespect",
            IssueLabel::Overpromise => "over-promise",
            IssueLabel::Ownership => "ownership",
            IssueLabel::Deflection => "deflection",
        }
    }

    /// The criterion labels (as [`label_name`] spells them) that make up this label; the
    /// over-promise label is the ledger's verdict instead.
    fn members(self) -> &'static [&'static str] {
        match self {
            IssueLabel::Empathic => &["empathy.acknowledge +", "empathy.apology +"],
            IssueLabel::Disrespect => &["empathy.respect -"],
            IssueLabel::Overpromise => &[OVERPROMISE],
            IssueLabel::Ownership => &["ownership.commitment +"],
            IssueLabel::Deflection => &["ownership.no-deflection -", "ownership.no-repeat -"],
        }
    }

    fn holds(self, labels: &BTreeSet<String>) -> bool {
        self.members().iter().any(|m| labels.contains(*m))
    }
}

/// What one labelled set measured.
#[derive(Debug, Default)]
struct Measurement {
    replies: usize,
    /// Per criterion label (`empathy.respect -`) and `overpromise`.
    labels: BTreeMap<String, Tally>,
    /// Per label of the issue.
    issue_labels: BTreeMap<IssueLabel, Tally>,
    /// The replies read differently from their labels, with what was missed and what was extra.
    misses: Vec<String>,
    /// The same on the issue's five labels only.
    issue_misses: Vec<String>,
}

/// The labels a QA lead gave a reply, as [`label_name`] spells them.
fn gold_labels(reply: &LabelledReply) -> BTreeSet<String> {
    let mut gold: BTreeSet<String> = reply
        .labels
        .iter()
        .map(|(criterion, polarity)| label_name(criterion, *polarity))
        .collect();
    if reply.overpromise {
        gold.insert(OVERPROMISE.to_owned());
    }
    gold
}

/// The labels the analyser read in a reply, as [`label_name`] spells them.
fn found_labels(reading: &Reading) -> BTreeSet<String> {
    let mut found: BTreeSet<String> = reading
        .findings
        .iter()
        // The over-promise finding is scored as the `overpromise` label.
        .filter(|f| f.criterion != "expectations.no-overpromise")
        .map(|f| label_name(&f.criterion, f.polarity))
        .collect();
    if reading.overpromised() {
        found.insert(OVERPROMISE.to_owned());
    }
    found
}

/// Reads every reply of a set with the shipped analyser and counts agreement with its labels.
fn measure(set: &LabelledSet, path: &Path, analyser: &Analyser) -> Measurement {
    let context = context_in(set, path);
    let ctx = context.reply_context();
    let mut measurement = Measurement {
        replies: set.replies.len(),
        ..Measurement::default()
    };
    for reply in &set.replies {
        let reading = analyser.read(&reply.text, &ctx);
        let gold = gold_labels(reply);
        let found = found_labels(&reading);
        for label in gold.union(&found) {
            let tally = measurement.labels.entry(label.clone()).or_default();
            tally.count(gold.contains(label), found.contains(label));
        }
        let (mut issue_missed, mut issue_extra) = (Vec::new(), Vec::new());
        for label in IssueLabel::ALL {
            let tally = measurement.issue_labels.entry(label).or_default();
            let (gold, found) = (label.holds(&gold), label.holds(&found));
            tally.count(gold, found);
            match (gold, found) {
                (true, false) => issue_missed.push(label.name()),
                (false, true) => issue_extra.push(label.name()),
                _ => {}
            }
        }
        if !issue_missed.is_empty() || !issue_extra.is_empty() {
            measurement.issue_misses.push(format!(
                "{:?}\n    missed {issue_missed:?}\n    extra  {issue_extra:?}",
                reply.text
            ));
        }
        let missed: Vec<&String> = gold.difference(&found).collect();
        let extra: Vec<&String> = found.difference(&gold).collect();
        if !missed.is_empty() || !extra.is_empty() {
            measurement.misses.push(format!(
                "{:?}\n    missed {missed:?}\n    extra  {extra:?}",
                reply.text
            ));
        }
    }
    measurement
}

impl Measurement {
    /// Adds another set's counts to these, for figures pooled over several files.
    fn absorb(&mut self, other: Measurement) {
        self.replies += other.replies;
        for (label, tally) in other.labels {
            let mine = self.labels.entry(label).or_default();
            mine.true_positive += tally.true_positive;
            mine.false_positive += tally.false_positive;
            mine.false_negative += tally.false_negative;
        }
        for (label, tally) in other.issue_labels {
            let mine = self.issue_labels.entry(label).or_default();
            mine.true_positive += tally.true_positive;
            mine.false_positive += tally.false_positive;
            mine.false_negative += tally.false_negative;
        }
        self.misses.extend(other.misses);
        self.issue_misses.extend(other.issue_misses);
    }

    /// Issue 17's floors on the five labels, in words where they are not met.
    fn issue_failures(&self) -> Vec<String> {
        let mut failures = Vec::new();
        if self.macro_f1() < ISSUE_MACRO_F1 {
            failures.push(format!(
                "macro-F1 {:.3} < {ISSUE_MACRO_F1}",
                self.macro_f1()
            ));
        }
        let overpromise = self
            .issue_labels
            .get(&IssueLabel::Overpromise)
            .copied()
            .unwrap_or_default();
        if overpromise.recall() < ISSUE_OVERPROMISE_RECALL {
            failures.push(format!(
                "over-promise recall {:.3} < {ISSUE_OVERPROMISE_RECALL}",
                overpromise.recall()
            ));
        }
        if overpromise.precision() < OVERPROMISE_PRECISION {
            failures.push(format!(
                "over-promise precision {:.3} < {OVERPROMISE_PRECISION}",
                overpromise.precision()
            ));
        }
        failures
    }

    /// The mean F1 over the issue's five labels.
    fn macro_f1(&self) -> f64 {
        let sum: f64 = self.issue_labels.values().map(|t| t.f1()).sum();
        sum / IssueLabel::ALL.len() as f64
    }

    /// Prints the per-label table and the issue's five labels with F1 and macro-F1.
    fn print_tables(&self, name: &str) {
        println!(
            "\n{name}: {} labelled replies, {} read differently from the labels",
            self.replies,
            self.misses.len()
        );
        println!(
            "{:<34} {:>5} {:>5} {:>5} {:>5} {:>9} {:>7}",
            "label", "gold", "tp", "fp", "fn", "precision", "recall"
        );
        for (label, tally) in &self.labels {
            println!(
                "{label:<34} {:>5} {:>5} {:>5} {:>5} {:>9.3} {:>7.3}",
                tally.gold(),
                tally.true_positive,
                tally.false_positive,
                tally.false_negative,
                tally.precision(),
                tally.recall()
            );
        }
        println!(
            "\n{:<34} {:>5} {:>5} {:>5} {:>5} {:>9} {:>7} {:>6}",
            "issue 17 label", "gold", "tp", "fp", "fn", "precision", "recall", "F1"
        );
        for (label, tally) in &self.issue_labels {
            println!(
                "{:<34} {:>5} {:>5} {:>5} {:>5} {:>9.3} {:>7.3} {:>6.3}",
                label.name(),
                tally.gold(),
                tally.true_positive,
                tally.false_positive,
                tally.false_negative,
                tally.precision(),
                tally.recall(),
                tally.f1()
            );
        }
        println!("{:<34} {:>54.3}", "macro-F1", self.macro_f1());
    }

    /// The labels of the tuned set below their floors, in words.
    fn failures(&self) -> Vec<String> {
        let mut failures = Vec::new();
        for (label, tally) in &self.labels {
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
        failures
    }
}

/// Loads a labelled set, or fails the test with the file's diagnostic.
fn load_set(path: &Path) -> LabelledSet {
    let (set, _) = load_ron::<LabelledSet>(path).unwrap_or_else(|d| panic!("{}", d.render(false)));
    set
}

#[test]
fn labelled_replies_meet_the_precision_and_recall_floors() {
    let path = crate_path(LABELLED_SET);
    let set = load_set(&path);
    assert!(
        set.replies.len() >= 320,
        "the labelled set must hold at least 320 replies"
    );
    let measurement = measure(&set, &path, &Analyser::shipped());
    println!("\nReplies of {LABELLED_SET} read differently from their labels:");
    for miss in &measurement.misses {
        println!("  {miss}");
    }
    measurement.print_tables(LABELLED_SET);
    let failures = measurement.failures();
    assert!(
        failures.is_empty(),
        "labels below their floors:\n{}",
        failures.join("\n")
    );
}

/// The labelled set's own call: its customer, what was already given and its policy.
fn context_of(set: &LabelledSet) -> ReplyContext<'_> {
    ReplyContext {
        customer_name: &set.customer_name,
        policy: &set.policy,
        already_given: &set.already_given,
        call_at: set.call_at,
        flags: &[],
    }
}

/// How a trainer sees a reply read (`rapport analyse`): sanitised as the engine stores it, then
/// explained.
fn explained(analyser: &Analyser, reply: &str, context: &ReplyContext) -> String {
    let clean = sanitize_reply(reply);
    render_reading(&analyser.read(&clean, context), &clean)
}

#[test]
fn every_labelled_reply_is_read_as_pinned() {
    let set = load_set(&crate_path(LABELLED_SET));
    let analyser = Analyser::shipped();
    let context = context_of(&set);
    let pinned: Vec<String> = set
        .replies
        .iter()
        .map(|reply| explained(&analyser, &reply.text, &context))
        .collect();
    insta::assert_snapshot!("labelled_replies_read", pinned.join("\n"));
}

/// The command prints what [`explained`] gives, so the pinned readings are what trainers see.
#[test]
fn rapport_analyse_prints_the_reading_of_labelled_replies() {
    let set = load_set(&crate_path(LABELLED_SET));
    let analyser = Analyser::shipped();
    let loaded = load_scenario(&crate_path("scenarios/late-delivery.ron")).expect("scenario");
    let context = ReplyContext::for_scenario(&loaded.scenario);
    let dir = crate_path(".");
    let mut printed = Vec::new();
    for reply in set.replies.iter().step_by(40) {
        let (code, out, err) = rapport(
            &dir,
            &["analyse", &reply.text, "--scenario", "late-delivery"],
        );
        assert_eq!(code, 0, "{err}");
        assert_eq!(out, explained(&analyser, &reply.text, &context));
        printed.push(out);
    }
    insta::assert_snapshot!("rapport_analyse_labelled_replies", printed.join("\n"));
}

/// The tuned replies in scenario contexts, pooled, meet issue 17's floors on its five labels.
#[test]
fn tuned_replies_in_scenario_contexts_meet_the_issue_floors() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join(TUNED_CONTEXTS);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&folder)
        .expect("the tuned folder")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "ron"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 4,
        "the tuned folder holds the scenario contexts"
    );
    let analyser = measured_analyser();
    let mut pooled = Measurement::default();
    for path in &paths {
        let set = load_set(path);
        pooled.absorb(measure(&set, path, &analyser));
    }
    println!("\nReplies of {TUNED_CONTEXTS} read differently from their labels:");
    for miss in &pooled.issue_misses {
        println!("  {miss}");
    }
    pooled.print_tables(TUNED_CONTEXTS);
    let failures = pooled.issue_failures();
    assert!(
        failures.is_empty(),
        "issue 17's floors not met on {TUNED_CONTEXTS}:\n{}",
        failures.join("\n")
    );
}

/// The environment variable that, set to `off`, measures the rules without the learned reader.
const READER_VARIABLE: &str = "RAPPORT_READER";

/// The shipped analysers, or their rules alone when [`READER_VARIABLE`] is `off` (to compare).
fn measured_analyser() -> Analyser {
    if std::env::var(READER_VARIABLE).is_ok_and(|v| v == "off") {
        println!("\n{READER_VARIABLE}=off: the rules alone, without the learned reader.");
        Analyser::shipped().without_reader()
    } else {
        Analyser::shipped()
    }
}

/// The files named in [`EXTRA_SETS_VARIABLE`], relative to the crate root unless absolute.
fn extra_set_paths() -> Vec<PathBuf> {
    let Some(value) = std::env::var_os(EXTRA_SETS_VARIABLE) else {
        return Vec::new();
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::split_paths(&value)
        .filter(|path| !path.as_os_str().is_empty())
        .map(|path| root.join(path))
        .collect()
}

/// Measures the sets named in the environment. Only the tables are printed, not the replies,
/// so that a blind set's text does not end up in logs someone tunes from; nothing is asserted
/// but that each file can be read.
#[test]
fn labelled_sets_named_in_the_environment_are_measured_not_asserted() {
    let paths = extra_set_paths();
    if paths.is_empty() {
        println!("\n{EXTRA_SETS_VARIABLE} is not set: no further labelled sets measured.");
        return;
    }
    let analyser = measured_analyser();
    for path in paths {
        assert!(
            path.is_file(),
            "{EXTRA_SETS_VARIABLE} names `{}`, which is not a readable file",
            path.display()
        );
        let set = load_set(&path);
        measure(&set, &path, &analyser).print_tables(&path.display().to_string());
    }
}

/// A set that names a shipped scenario reads its replies with that scenario's customer, what
/// they gave and policy; `call_at` and a non-empty `policy` written in the set override it.
#[test]
fn a_set_naming_a_scenario_reads_in_its_context() {
    let parse = |text: &str| -> LabelledSet {
        let source = rapport::scenario::SourceFile::new("set.ron", text);
        rapport::scenario::load::parse_ron(&source)
            .unwrap_or_else(|d| panic!("{}", d.render(false)))
    };
    let path = Path::new("set.ron");
    let set = parse(r#"(scenario: "double-charge", call_at: "Friday 16:30", replies: [])"#);
    let context = context_in(&set, path);
    assert_eq!(context.customer_name, "Kwame Mensah");
    assert!(context.already_given.iter().any(|g| g == "order number"));
    assert!(!context.policy.commitments.is_empty());
    assert_eq!(
        context.call_at.map(|t| t.to_string()).as_deref(),
        Some("Friday 16:30")
    );

    let set = parse(
        r#"(scenario: "double-charge", customer_name: "Ama", policy: (commitments: [(kind: Refund, allowed: false, terms: "No refunds.")]), replies: [])"#,
    );
    let context = context_in(&set, path);
    assert_eq!(context.customer_name, "Ama");
    assert_eq!(context.policy.commitments.len(), 1);

    // The old form, with no scenario, reads as written.
    let set = parse(r#"(customer_name: "Jo", already_given: [], policy: (), replies: [])"#);
    let context = context_in(&set, path);
    assert_eq!(context.customer_name, "Jo");
    assert!(context.policy.commitments.is_empty() && context.call_at.is_none());
}

#[test]
fn issue_labels_count_a_reply_once_whichever_member_matched() {
    let mut labels = BTreeSet::new();
    labels.insert("empathy.apology +".to_owned());
    labels.insert("empathy.acknowledge +".to_owned());
    assert!(IssueLabel::Empathic.holds(&labels));
    assert!(!IssueLabel::Deflection.holds(&labels));
    let mut tally = Tally::default();
    tally.count(true, true);
    tally.count(false, true);
    tally.count(true, false);
    tally.count(true, true);
    assert_eq!(
        (
            tally.true_positive,
            tally.false_positive,
            tally.false_negative
        ),
        (2, 1, 1)
    );
    assert!((tally.f1() - 2.0 / 3.0).abs() < 1e-9);
}

/// A reply with a zero-width space after the first letter of every word of two letters or more.
fn with_zero_width_spaces(reply: &str) -> String {
    reply
        .split(' ')
        .map(|word| {
            let mut chars = word.chars();
            match (chars.next(), chars.as_str()) {
                (Some(first), rest) if rest.chars().any(char::is_alphabetic) => {
                    format!("{first}\u{200B}{rest}")
                }
                _ => word.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A reply with the first letter of every word of two letters or more that has a Cyrillic
/// look-alike swapped for it (Latin c, a, e, o, p, x and their capitals).
fn with_cyrillic_look_alikes(reply: &str) -> String {
    const LOOK_ALIKES: [(char, char); 12] = [
        ('C', '\u{0421}'),
        ('c', '\u{0441}'),
        ('A', '\u{0410}'),
        ('a', '\u{0430}'),
        ('E', '\u{0415}'),
        ('e', '\u{0435}'),
        ('O', '\u{041E}'),
        ('o', '\u{043E}'),
        ('P', '\u{0420}'),
        ('p', '\u{0440}'),
        ('X', '\u{0425}'),
        ('x', '\u{0445}'),
    ];
    reply
        .split(' ')
        .map(|word| {
            if word.chars().filter(char::is_ascii_alphabetic).count() < 2 {
                return word.to_owned();
            }
            let mut swapped = false;
            word.chars()
                .map(
                    |c| match LOOK_ALIKES.iter().find(|(latin, _)| *latin == c) {
                        Some((_, cyrillic)) if !swapped => {
                            swapped = true;
                            *cyrillic
                        }
                        _ => c,
                    },
                )
                .collect()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every shipped test plan's runs, played as written and again with every free-text reply
/// disguised, score the same: the poor trainees' "calm down", guarantees and jargon are not
/// hidden by invisible characters or look-alike letters (issue 17).
#[test]
fn disguised_replies_score_exactly_as_the_clean_ones() {
    use rapport::engine::Move;
    use rapport::runner::{Examiner, collect_plans, run_moves, scripted_setup};
    use rapport::script::TestPlan;

    let kit = Examiner::shipped();
    let scenarios = crate_path("scenarios");
    let plans = collect_plans(std::slice::from_ref(&scenarios));
    assert!(!plans.is_empty());
    let mut disguised_replies = 0;
    for plan_path in plans {
        let (plan, _): (TestPlan, _) = load_ron(&plan_path).expect("plan");
        let scenario_path = plan_path
            .parent()
            .expect("a plan's folder")
            .join(&plan.scenario);
        let loaded = rapport::scenario::load_scenario(&scenario_path).expect("scenario");
        for run in &plan.runs {
            let play = |disguise: &dyn Fn(&str) -> String| {
                let moves: Vec<_> = run
                    .moves
                    .iter()
                    .cloned()
                    .map(|mut scripted| {
                        if let Move::Say(text) = &scripted.action {
                            scripted.action = Move::Say(disguise(text));
                        }
                        scripted
                    })
                    .collect();
                run_moves(
                    &loaded,
                    kit.prepare(&loaded),
                    &kit.rubric,
                    &scripted_setup(run.seed, "t"),
                    &moves,
                    None,
                )
                .expect("runs")
            };
            let clean = play(&|text| text.to_owned());
            disguised_replies += run
                .moves
                .iter()
                .filter(|m| matches!(m.action, Move::Say(_)))
                .count();
            for (how, disguise) in [
                (
                    "zero-width spaces",
                    &with_zero_width_spaces as &dyn Fn(&str) -> String,
                ),
                ("Cyrillic look-alikes", &with_cyrillic_look_alikes),
            ] {
                let hidden = play(disguise);
                assert_eq!(
                    (hidden.scorecard.overall, hidden.scorecard.passed),
                    (clean.scorecard.overall, clean.scorecard.passed),
                    "{}: {} with {how}",
                    plan_path.display(),
                    run.name
                );
                // The debrief says the replies held them; the clean run's does not.
                let says = |result: &rapport::runner::RunResult| {
                    let debrief = kit.debrief(&result.transcript, &loaded, &kit.rubric);
                    rapport::scoring::render_debrief(&debrief).contains("Hidden characters:")
                };
                let replied = run.moves.iter().any(|m| matches!(m.action, Move::Say(_)));
                assert_eq!(says(&hidden), replied, "{}: {how}", run.name);
                assert!(!says(&clean), "{}", run.name);
            }
        }
    }
    assert!(
        disguised_replies > 0,
        "the shipped plans hold free-text replies"
    );
}
