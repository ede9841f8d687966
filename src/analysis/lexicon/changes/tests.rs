//! Tests of a library's changes to the shipped lexicon: what they change in a reading, and the
//! diagnostics a bad changes file gets.

use crate::analysis::{Analyser, LexiconChanges, Reading, ReplyContext};
use crate::scenario::load::parse_ron;
use crate::scenario::{Code, Commitment, Diagnostic, Policy, PromiseKind, SourceFile};

/// The analysers of the shipped lexicon with the changes written in `text`.
fn with_changes(text: &str) -> Result<Analyser, Box<Diagnostic>> {
    let source = SourceFile::new("airline/library.lexicon.ron", text);
    let changes: LexiconChanges = parse_ron(&source)?;
    Analyser::with_changes(&changes, &source)
}

/// A reply read against a policy that allows no compensation.
fn read(analyser: &Analyser, text: &str) -> Reading {
    let policy = Policy {
        commitments: vec![Commitment::new(
            PromiseKind::Compensation,
            false,
            "No compensation for weather delays",
        )],
        ..Policy::default()
    };
    let context = ReplyContext {
        customer_name: "Ana Silva",
        policy: &policy,
        already_given: &[],
        call_at: None,
        flags: &[],
    };
    analyser.read(text, &context)
}

fn kinds(reading: &Reading) -> Vec<PromiseKind> {
    reading.promises.iter().map(|p| p.kind).collect()
}

fn jargon(reading: &Reading) -> Vec<&str> {
    reading
        .findings
        .iter()
        .filter(|f| f.criterion == "expectations.plain-language")
        .map(|f| f.matched.as_str())
        .collect()
}

#[test]
fn a_library_that_adds_a_word_of_its_trade_reads_it_as_that_kind() {
    let reply = "I can offer you a travel certificate.";
    let shipped = read(&Analyser::shipped(), reply);
    assert!(
        !kinds(&shipped).contains(&PromiseKind::Compensation),
        "{shipped:?}"
    );
    let airline = with_changes(
        r#"LexiconChanges(language: "en", extend: (kinds: {Compensation: [r"travel certificates?"]}))"#,
    )
    .expect("the changes apply");
    let changed = read(&airline, reply);
    assert!(
        kinds(&changed).contains(&PromiseKind::Compensation),
        "{changed:?}"
    );
    assert!(changed.overpromised(), "the policy allows no compensation");
}

#[test]
fn a_library_that_removes_a_jargon_word_no_longer_counts_it() {
    let reply = "I've opened a ticket for you.";
    assert_eq!(jargon(&read(&Analyser::shipped(), reply)), ["ticket"]);
    let changed = with_changes(r#"LexiconChanges(language: "en", remove: (jargon: [r"ticket"]))"#)
        .expect("the changes apply");
    assert!(jargon(&read(&changed, reply)).is_empty());
}

#[test]
fn a_library_adds_rule_patterns_and_spellings() {
    let changed = with_changes(
        r#"LexiconChanges(
            language: "en",
            extend: (
                rules: {"acknowledge-feeling": [r"that sounds exhausting"]},
                spellings: {"flite": "flight"},
                jargon: [r"pnr"],
            ),
        )"#,
    )
    .expect("the changes apply");
    let reading = read(&changed, "That sounds exhausting. Your flite PNR is here.");
    assert!(
        reading
            .findings
            .iter()
            .any(|f| f.rule == "acknowledge-feeling"),
        "{reading:?}"
    );
    assert_eq!(jargon(&reading), ["PNR"]);
}

/// The diagnostic of a changes file that does not apply.
fn refused(text: &str) -> Box<Diagnostic> {
    with_changes(text).expect_err("the changes are refused")
}

#[test]
fn a_misspelt_rule_id_is_refused_with_the_nearest_one_and_where_it_is() {
    let diagnostic = refused(
        "LexiconChanges(\n    language: \"en\",\n    extend: (rules: {\"acknowledge-feelings\": [r\"oof\"]}),\n)",
    );
    assert_eq!(diagnostic.code, Code::BadLexiconChange);
    assert!(
        diagnostic
            .message
            .contains("no rule `acknowledge-feelings`"),
        "{}",
        diagnostic.message
    );
    assert_eq!(
        diagnostic.help.as_deref(),
        Some("did you mean `acknowledge-feeling`?")
    );
    assert_eq!(diagnostic.location(), "airline/library.lexicon.ron:3:22");
}

#[test]
fn a_pattern_to_remove_must_be_in_the_list_as_written() {
    let diagnostic = refused(r#"LexiconChanges(language: "en", remove: (jargon: [r"tickets"]))"#);
    assert_eq!(diagnostic.code, Code::BadLexiconChange);
    assert!(
        diagnostic.message.contains("no pattern `tickets`"),
        "{}",
        diagnostic.message
    );
    assert_eq!(diagnostic.help.as_deref(), Some("did you mean `ticket`?"));
}

#[test]
fn a_language_with_no_shipped_lexicon_is_refused() {
    let diagnostic = refused(r#"LexiconChanges(language: "lt", extend: (jargon: [r"pnr"]))"#);
    assert_eq!(diagnostic.code, Code::BadLexiconChange);
    assert!(
        diagnostic.message.contains("`lt`"),
        "{}",
        diagnostic.message
    );
}

#[test]
fn an_added_pattern_that_is_no_regex_points_into_the_changes_file() {
    let diagnostic = refused(r#"LexiconChanges(language: "en", extend: (jargon: [r"pnr("]))"#);
    assert_eq!(diagnostic.code, Code::WrongType);
    assert!(
        diagnostic
            .location()
            .starts_with("airline/library.lexicon.ron:1:"),
        "{}",
        diagnostic.location()
    );
}

#[test]
fn an_unknown_section_or_kind_is_refused_by_the_loader() {
    let diagnostic = refused(r#"LexiconChanges(language: "en", extnd: (jargon: [r"pnr"]))"#);
    assert_eq!(diagnostic.code, Code::UnknownField);
    let diagnostic = refused(
        r#"LexiconChanges(language: "en", extend: (kinds: {Compensaton: [r"travel credit"]}))"#,
    );
    assert_eq!(diagnostic.code, Code::UnknownVariant);
}
