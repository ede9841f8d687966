//! Unit tests of the analysers as a whole: negation, hedging, time frames, odd input.

use super::*;
use crate::scenario::{Commitment, Policy, PromiseKind};

/// The test policy of the labelled set, in code.
fn policy() -> Policy {
    let allow = |kind, terms: &str, min_hours, max_hours| Commitment {
        min_hours,
        max_hours,
        ..Commitment::new(kind, true, terms)
    };
    Policy {
        facts: Vec::new(),
        commitments: vec![
            allow(
                PromiseKind::Refund,
                "Refunds reach the card in 5 to 7 days",
                Some(120),
                Some(168),
            ),
            allow(
                PromiseKind::Callback,
                "Call back within a day",
                None,
                Some(24),
            ),
            allow(
                PromiseKind::Escalation,
                "A supervisor calls back within 24 hours",
                None,
                Some(24),
            ),
            Commitment::new(
                PromiseKind::Expedite,
                false,
                "Shipping cannot be upgraded once in transit",
            ),
            allow(
                PromiseKind::Compensation,
                "A £10 goodwill credit",
                None,
                None,
            ),
            allow(
                PromiseKind::Replacement,
                "Replacements arrive in 3 to 5 days",
                Some(72),
                Some(120),
            ),
            allow(
                PromiseKind::Delivery,
                "Deliveries take 2 to 5 days",
                Some(48),
                Some(120),
            ),
            allow(
                PromiseKind::Fix,
                "Faults are fixed in 4 to 48 hours",
                Some(4),
                Some(48),
            ),
        ],
        jargon: vec!["RMA".to_owned(), "SLA".to_owned()],
        ..Policy::default()
    }
}

/// The shipped analyser, compiled once for all tests.
fn analyser() -> &'static Analyser {
    static ANALYSER: std::sync::OnceLock<Analyser> = std::sync::OnceLock::new();
    ANALYSER.get_or_init(Analyser::shipped)
}

fn read(text: &str) -> Reading {
    let policy = policy();
    let given = ["order number".to_owned(), "postcode".to_owned()];
    let ctx = ReplyContext {
        customer_name: "Maria Lopez",
        policy: &policy,
        already_given: &given,
        call_at: None,
        flags: &[],
    };
    analyser().read(text, &ctx)
}

/// A reply read for a customer of another name, who has given nothing yet.
fn read_for(customer_name: &str, text: &str) -> Reading {
    let policy = policy();
    let ctx = ReplyContext {
        customer_name,
        policy: &policy,
        already_given: &[],
        call_at: None,
        flags: &[],
    };
    analyser().read(text, &ctx)
}

fn kinds(reading: &Reading) -> Vec<PromiseKind> {
    reading.promises.iter().map(|p| p.kind).collect()
}

#[test]
fn shipped_lexicon_compiles() {
    let analyser = analyser();
    assert!(analyser.model_reply("empathy.respect").is_some());
    assert!(analyser.criteria().contains(&"ownership.no-shift-talk"));
}

#[test]
fn analyser_is_send_and_sync() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Analyser>();
}

#[test]
fn negated_calm_down_is_not_a_calm_down() {
    let reading = read("I'm not going to tell you to calm down.");
    assert!(!reading.has("empathy.respect", Polarity::Bad));
    assert!(!reading.intents.contains(&Intent::CalmDown));
    assert!(read("Calm down.").intents.contains(&Intent::CalmDown));
}

#[test]
fn negated_blame_is_not_blame() {
    assert!(!read("I won't blame you for being fed up.").has("empathy.respect", Polarity::Bad));
    assert!(!read("It's not your fault at all.").has("empathy.respect", Polarity::Bad));
    assert!(read("That's your fault.").has("empathy.respect", Polarity::Bad));
}

#[test]
fn a_phrase_with_its_own_negation_still_fires() {
    let reading = read("It is not my department's fault, but I'll handle it.");
    assert!(reading.has("ownership.no-deflection", Polarity::Bad));
    assert!(reading.has("ownership.commitment", Polarity::Good));
}

#[test]
fn a_non_apology_cancels_the_apology() {
    let reading = read("I'm sorry you feel that way.");
    assert!(reading.has("empathy.apology", Polarity::Bad));
    assert!(!reading.has("empathy.apology", Polarity::Good));
}

#[test]
fn negated_promises_are_not_promises() {
    let reading = read("I can't promise a refund today.");
    assert!(reading.promises.is_empty(), "{:?}", reading.promises);
    assert!(reading.has("expectations.explain", Polarity::Good));
    assert!(read("I won't be able to expedite it.").promises.is_empty());
    assert!(read("I will not refund you today.").promises.is_empty());
}

#[test]
fn hedged_promises_are_not_firm() {
    for text in [
        "I'll try to get you a refund today.",
        "I'll ask whether we can refund you today.",
        "I can check if we can expedite it.",
        "Hopefully we can get it to you by tomorrow.",
    ] {
        let reading = read(text);
        assert!(!reading.overpromised(), "{text}: {:?}", reading.promises);
    }
}

#[test]
fn a_hedge_does_not_reach_the_next_action() {
    let reading = read("I can't guarantee it, but I'll check today and call you back by 5.");
    assert_eq!(kinds(&reading), [PromiseKind::Callback]);
    assert!(!reading.overpromised());
    assert!(reading.has("expectations.timeframe", Polarity::Good));
}

#[test]
fn promises_get_verdicts_from_the_policy() {
    let forbidden = read("I'll upgrade you to next-day delivery.");
    assert_eq!(forbidden.promises[0].verdict, PromiseVerdict::Forbidden);
    let too_soon = read("I'll refund you today.");
    assert_eq!(
        too_soon.promises[0].verdict,
        PromiseVerdict::TooSoon { min_hours: 120 }
    );
    let guarantee = read("I promise it will never happen again.");
    assert!(
        guarantee
            .promises
            .iter()
            .any(|p| p.kind == PromiseKind::Guarantee && p.verdict == PromiseVerdict::NotInPolicy)
    );
    let allowed = read("I'll escalate this to my supervisor and call you back within 24 hours.");
    assert_eq!(
        kinds(&allowed),
        [PromiseKind::Escalation, PromiseKind::Callback]
    );
    assert!(
        allowed
            .promises
            .iter()
            .all(|p| p.verdict == PromiseVerdict::Allowed)
    );
    assert!(allowed.intents.contains(&Intent::Escalation));
}

#[test]
fn time_frames_are_read_in_hours() {
    let hours = |text: &str| {
        let reading = read(text);
        reading.promises.first().and_then(|p| p.hours)
    };
    assert_eq!(hours("I'll call you back today."), Some(8));
    assert_eq!(hours("I'll call you back tomorrow."), Some(24));
    assert_eq!(hours("We'll deliver it within 2 days."), Some(48));
    assert_eq!(hours("We'll deliver it in 3 business days."), Some(72));
    assert_eq!(hours("I'll call you back within 24 hours."), Some(24));
    assert_eq!(hours("I'll call you back in an hour."), Some(1));
    assert_eq!(hours("We'll deliver it next week."), Some(168));
    assert_eq!(hours("We'll deliver it in 3 to 5 working days."), Some(72));
    assert_eq!(hours("We'll deliver it by Friday."), None);
}

#[test]
fn an_amount_after_a_refund_is_the_refund() {
    let reading = read("you're entitled to a full refund: I've issued the £119 now");
    assert_eq!(kinds(&reading), [PromiseKind::Refund]);
    assert_eq!(reading.promises[0].quote, "I've issued the £119 now");
    // The refund is timed by the amount's time frame, and the credit is still compensation.
    let reading = read("I'll refund the £45 today and add a £10 credit.");
    assert_eq!(
        kinds(&reading),
        [PromiseKind::Refund, PromiseKind::Compensation]
    );
    assert_eq!(
        reading.promises[0].verdict,
        PromiseVerdict::TooSoon { min_hours: 120 }
    );
    // Without a refund before it, an amount is compensation.
    assert_eq!(
        kinds(&read("I'll send you £10 for the trouble.")),
        [PromiseKind::Compensation]
    );
    assert_eq!(
        kinds(&read("I'll refund you and send £10 for the trouble.")),
        [PromiseKind::Refund, PromiseKind::Compensation]
    );
}

#[test]
fn an_amount_before_a_refund_in_its_sentence_is_the_refund() {
    let reading =
        read("The unused £687 will be returned to your original card in 5 to 7 working days.");
    assert_eq!(
        kinds(&reading),
        [PromiseKind::Refund],
        "{:?}",
        reading.promises
    );
    assert!(!reading.overpromised(), "{:?}", reading.promises);
    // An amount naming a kind next is that kind's, whatever came before it.
    let reading = read("I can't refund the £45, but I can do a £10 gift card.");
    assert_eq!(
        kinds(&reading),
        [PromiseKind::Compensation],
        "{:?}",
        reading.promises
    );
    // A refund in the next sentence does not claim it.
    assert_eq!(
        kinds(&read(
            "I'll send you £10. Your refund is on its way back to your card."
        )),
        [PromiseKind::Compensation, PromiseKind::Refund]
    );
}

#[test]
fn arrival_times_a_replacement_sent_today() {
    let reading = read("I'll send a replacement today and it'll reach you in three to five days.");
    assert!(!reading.overpromised(), "{:?}", reading.promises);
}

#[test]
fn an_arrival_after_money_is_the_money_arriving_not_a_delivery() {
    // The credit is allowed with no window: landing within a day is no parcel promised sooner
    // than deliveries take.
    let reading =
        read("I've sent the £10 credit through, it'll land in your inbox within 24 hours.");
    assert_eq!(
        kinds(&reading),
        [PromiseKind::Compensation],
        "{:?}",
        reading.promises
    );
    assert_eq!(reading.promises[0].hours, Some(24));
    assert!(!reading.overpromised(), "{:?}", reading.promises);
    // A refund reaching the customer sooner than refunds take is still too soon, as a refund.
    let reading = read("I've refunded you and it'll reach you within 24 hours.");
    assert_eq!(
        kinds(&reading),
        [PromiseKind::Refund],
        "{:?}",
        reading.promises
    );
    assert!(reading.overpromised(), "{:?}", reading.promises);
    // A replacement's arrival is still a delivery of goods.
    let reading = read("I'll send a replacement today and it'll arrive tomorrow.");
    assert!(
        kinds(&reading).contains(&PromiseKind::Delivery),
        "{:?}",
        reading.promises
    );
}

#[test]
fn vague_soon_names_no_time() {
    for text in [
        "The refund will be with you as soon as possible.",
        "Your refund will be processed shortly.",
        "I'll get the refund to you asap.",
    ] {
        let reading = read(text);
        assert_eq!(kinds(&reading), [PromiseKind::Refund], "{text}");
        assert_eq!(reading.promises[0].hours, None, "{text}");
        assert!(!reading.overpromised(), "{text}: {:?}", reading.promises);
    }
    // "Right away" is a time: a refund that takes days promised right away is too soon.
    assert!(read("I'll refund you right away.").overpromised());
}

#[test]
fn asking_again_for_what_was_given_is_a_repeat() {
    assert!(read("What's your order number?").has("ownership.no-repeat", Polarity::Bad));
    assert!(read("Can I take your post code, please?").has("ownership.no-repeat", Polarity::Bad));
    assert!(!read("What's your email address?").has("ownership.no-repeat", Polarity::Bad));
}

#[test]
fn the_name_is_found_whole_and_case_insensitive() {
    assert!(read("thanks MARIA").has("empathy.personal", Polarity::Good));
    assert!(read("Thank you, Ms Lopez.").has("empathy.personal", Polarity::Good));
    assert!(!read("Thanks, Mariana.").has("empathy.personal", Polarity::Good));
}

#[test]
fn each_customer_is_found_by_name_however_many_are_read_for_in_turn() {
    let names: Vec<String> = (0..40).map(|i| format!("Cust{i} Omer{i}")).collect();
    // Forty customers, more than a thread keeps searchers for, asked about in turn, twice.
    for round in 0..2 {
        for (i, name) in names.iter().enumerate() {
            let other = &names[(i + 1) % names.len()];
            let mine = read_for(name, &format!("Thanks, Mr Omer{i}."));
            assert!(
                mine.has("empathy.personal", Polarity::Good),
                "{round} {name}"
            );
            let theirs = read_for(other, &format!("Thanks, Mr Omer{i}."));
            assert!(
                !theirs.has("empathy.personal", Polarity::Good),
                "{round} {other}"
            );
        }
    }
}

#[test]
fn non_ascii_names_are_folded() {
    let reading = read_for("Zoë Öztürk", "Thank you, ZOË, I'll sort it.");
    let finding = reading
        .findings
        .iter()
        .find(|f| f.criterion == "empathy.personal")
        .unwrap();
    assert_eq!(finding.matched, "ZOË");
}

#[test]
fn smart_quotes_are_straightened() {
    let reading = read("I\u{2019}m sorry, I\u{2019}ll handle this.");
    assert!(reading.has("empathy.apology", Polarity::Good));
    assert!(reading.has("ownership.commitment", Polarity::Good));
    assert_eq!(reading.findings[0].matched, "I\u{2019}m sorry");
}

#[test]
fn odd_input_never_panics() {
    let huge = "I'm so sorry 😡 ".repeat(70_000);
    assert!(huge.len() > 1_000_000);
    let samples = [
        String::new(),
        " \n\t ".to_owned(),
        "\u{0}\u{1}\u{7f} calm\u{0}down".to_owned(),
        "مرحبا، أنا آسف جدا".to_owned(),
        "e\u{301}\u{301}\u{301} I understand".to_owned(),
        "İ'll refund you today 👍🏽👩‍👩‍👧".to_owned(),
        "\u{202e}I'll refund you today\u{202c}".to_owned(),
        "?".repeat(1000),
        huge,
    ];
    for text in &samples {
        let reading = read(text);
        let _ = render_reading(&reading, text);
    }
}

/// The diagnostic for the shipped lexicon read from `file` with its "calm down" pattern replaced by
/// `pattern`; it must point into that file.
fn diagnostic_with_calm_down_as(file: &str, pattern: &str) -> crate::scenario::Diagnostic {
    let shipped = include_str!("../../scenarios/default.lexicon.ron");
    let broken = shipped.replacen(
        r#"r"calm (?:yourself )?down""#,
        &format!("r\"{pattern}\""),
        1,
    );
    assert_ne!(shipped, broken);
    let diagnostic = *Analyser::from_text(file, &broken).unwrap_err();
    assert!(
        diagnostic.location().starts_with(&format!("{file}:")),
        "{}",
        diagnostic.location()
    );
    diagnostic
}

#[test]
fn an_invalid_pattern_is_a_diagnostic() {
    let diagnostic = diagnostic_with_calm_down_as("broken.lexicon.ron", "calm (down");
    assert!(
        diagnostic.message.contains("invalid pattern `calm (down`"),
        "{}",
        diagnostic.message
    );
}

#[test]
fn a_pattern_too_big_to_build_is_named_in_its_diagnostic() {
    // It parses, so only building its list finds the fault; the diagnostic still names it.
    let huge = "calm (?:[a-z]{2000}){2000}";
    let diagnostic = diagnostic_with_calm_down_as("huge.lexicon.ron", huge);
    let named = format!("invalid pattern `{huge}`");
    assert!(
        diagnostic.message.contains(&named),
        "{}",
        diagnostic.message
    );
    assert!(
        diagnostic.message.contains("size limit"),
        "{}",
        diagnostic.message
    );
}

#[test]
fn a_ron_error_in_the_lexicon_is_a_diagnostic() {
    let diagnostic =
        Analyser::from_text("bad.lexicon.ron", "(negation: (negators: [1]))").unwrap_err();
    assert!(
        diagnostic.location().starts_with("bad.lexicon.ron:1:"),
        "{}",
        diagnostic.location()
    );
}

/// The replies of the labelled set, each also joined to another and shouted after a lead-in, so
/// that patterns meet each other across sentences and in other cases.
fn labelled_corpus() -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Set {
        replies: Vec<Labelled>,
    }
    #[derive(serde::Deserialize)]
    struct Labelled {
        text: String,
    }
    let set: Set = ron::from_str(include_str!("../../tests/data/labelled-replies.ron"))
        .expect("the labelled set parses");
    let texts: Vec<String> = set.replies.into_iter().map(|r| r.text).collect();
    let n = texts.len();
    let mut corpus = texts.clone();
    for (i, text) in texts.iter().enumerate() {
        corpus.push(format!("{text} {}", texts[(i * 7 + 3) % n]));
        corpus.push(format!("Well, {}", text.to_uppercase()));
    }
    corpus
}

#[test]
fn the_pattern_set_says_which_lists_match_and_they_are_found_as_a_search_of_the_whole_reply_finds()
{
    let lexicon = &analyser().lexicon;
    let lists = lexicon.every_list();
    let mut compared = 0;
    for text in labelled_corpus() {
        let norm = Normalised::new(&text);
        let hits = lexicon.hits(&norm.text);
        for list in &lists {
            let source = list.regex.as_str();
            let whole: Vec<(usize, usize)> = list.regex.find_iter(&norm.text).collect();
            let found: Vec<(usize, usize)> = list.find_in(&hits, &norm.text).collect();
            assert_eq!(found, whole, "`{source}` in {:?}", norm.text);
            assert_eq!(hits.any(list), !whole.is_empty(), "`{source}`");
            compared += whole.len();
        }
    }
    assert!(compared > 1000, "only {compared} matches compared");
}

#[test]
fn a_criterion_counts_under_the_dimension_its_prefix_names() {
    for dimension in Dimension::ALL {
        let criterion = format!("{}.anything", dimension.label());
        assert_eq!(dimension_of(&criterion), Some(dimension));
        assert_eq!(dimension_of(dimension.label()), Some(dimension));
    }
    assert_eq!(dimension_of("empathetic.x"), None);
    assert_eq!(dimension_of(""), None);
}

/// What a reading scores on: its findings and promises without the words they quote (which keep
/// the reply's own characters, hidden ones too).
fn scored_part(reading: &Reading) -> Vec<String> {
    let findings = reading
        .findings
        .iter()
        .map(|f| format!("{} {:?} {} x{}", f.criterion, f.polarity, f.rule, f.weight));
    let promises = reading
        .promises
        .iter()
        .map(|p| format!("{:?} {:?} {:?}", p.kind, p.hours, p.verdict));
    findings.chain(promises).collect()
}

#[test]
fn calm_down_hidden_by_zero_width_spaces_reads_as_calm_down() {
    let hidden = read("C\u{200B}alm d\u{200B}own, it's only a parcel.");
    assert!(hidden.has("empathy.respect", Polarity::Bad), "{hidden:?}");
    assert_eq!(
        scored_part(&hidden),
        scored_part(&read("Calm down, it's only a parcel."))
    );
}

#[test]
fn calm_down_with_cyrillic_look_alikes_reads_as_calm_down() {
    // A Cyrillic capital Es and small a in "Calm".
    let hidden = read("\u{0421}\u{0430}lm down, it's only a parcel.");
    assert!(hidden.has("empathy.respect", Polarity::Bad), "{hidden:?}");
    assert_eq!(
        scored_part(&hidden),
        scored_part(&read("Calm down, it's only a parcel."))
    );
}

#[test]
fn a_forbidden_promise_hidden_by_invisible_or_look_alike_letters_is_still_forbidden() {
    let clean = read("I guarantee I'll upgrade it to express today.");
    assert!(clean.overpromised(), "{clean:?}");
    for hidden in [
        "I g\u{200B}uarantee I'll u\u{00AD}pgrade it to ex\u{200D}press today.",
        // Cyrillic a, e and o; a fullwidth p; a bidi mark and a variation selector.
        "I gu\u{0430}rantee I'll upgr\u{0430}de it to \u{0435}x\u{FF50}ress t\u{043E}day\u{200E}\u{FE0F}.",
    ] {
        let reading = read(hidden);
        assert!(reading.overpromised(), "{hidden:?}: {reading:?}");
        assert_eq!(scored_part(&reading), scored_part(&clean), "{hidden:?}");
    }
}

#[test]
fn jargon_hidden_by_invisible_or_look_alike_letters_is_still_jargon() {
    let clean = read("Once the RMA is raised we follow the SLA.");
    assert!(clean.has("expectations.plain-language", Polarity::Bad));
    for hidden in [
        "Once the R\u{200B}MA is raised we follow the S\u{2060}LA.",
        // A Cyrillic capital A in both; a Greek capital Rho in RMA.
        "Once the \u{03A1}M\u{0410} is raised we follow the SL\u{0410}.",
    ] {
        let reading = read(hidden);
        assert_eq!(scored_part(&reading), scored_part(&clean), "{hidden:?}");
    }
}

#[test]
fn words_wholly_in_another_script_are_not_read_as_latin() {
    // "сор" is Cyrillic throughout: a Russian word, not a disguised "cop".
    let norm = Normalised::new("\u{0441}\u{043E}\u{0440} cop");
    assert_eq!(norm.text, "___ cop");
}

#[test]
fn chat_spellings_read_as_the_words_they_stand_for() {
    let chat = read("dont worry maria ill get it back in ur account today");
    assert!(chat.overpromised(), "{chat:?}");
    assert!(chat.has("ownership.commitment", Polarity::Good));
    // The quote is the reply's own words, as typed.
    assert!(
        chat.promises[0]
            .quote
            .contains("ill get it back in ur account")
    );
    // Words a respelling would spoil are not in the table: an order id is still an order id.
    assert!(read("What's your order id?").has("ownership.no-repeat", Polarity::Bad));
}

/// An airline's policy: a $50 certificate per passenger, only once the booking is changed (a
/// flag) or alongside a change in the same reply; a call on Friday afternoon.
fn airline_read(text: &str, flags: &[String]) -> Reading {
    let mut policy = Policy::default();
    policy.customer.insert("passengers".into(), "2".into());
    policy.commitments = vec![
        Commitment {
            amount: Some(crate::scenario::Amount::parse("$50").unwrap()),
            per: Some("passengers".into()),
            words: vec!["travel certificate".into()],
            only_if: vec![crate::scenario::Requirement::Flag("booking_changed".into())],
            ..Commitment::new(
                PromiseKind::Compensation,
                true,
                "A $50 certificate per passenger",
            )
        },
        Commitment {
            min_hours: Some(120),
            working_days: true,
            ..Commitment::new(PromiseKind::Refund, true, "Refunds take 5 working days")
        },
    ];
    let ctx = ReplyContext {
        customer_name: "Daniel Okafor",
        policy: &policy,
        already_given: &[],
        call_at: Some(crate::scenario::CallTime::parse("Friday 16:40").unwrap()),
        flags,
    };
    analyser().read(text, &ctx)
}

#[test]
fn a_commitment_allowed_only_once_a_flag_is_set_waits_for_it() {
    let reply = "As a goodwill gesture, I can offer you a travel certificate.";
    let before = airline_read(reply, &[]);
    assert!(
        before
            .promises
            .iter()
            .any(|p| matches!(p.verdict, PromiseVerdict::ConditionUnmet { requirement: 0 })),
        "{before:#?}"
    );
    let after = airline_read(reply, &["booking_changed".to_owned()]);
    assert!(!after.overpromised(), "{after:#?}");
    // Over the cap of $50 for each of two passengers.
    let over = airline_read(
        "I'll add a $150 travel certificate.",
        &["booking_changed".to_owned()],
    );
    assert!(
        over.promises
            .iter()
            .any(|p| matches!(p.verdict, PromiseVerdict::OverCap { .. })),
        "{over:#?}"
    );
}

#[test]
fn a_day_named_counts_working_hours_from_the_call() {
    // From Friday 16:40, Monday is one working day and a bit: too soon for five working days.
    let monday = airline_read("Your refund will be on your card by Monday.", &[]);
    assert!(
        monday
            .promises
            .iter()
            .any(|p| matches!(p.verdict, PromiseVerdict::TooSoon { min_hours: 120 })),
        "{monday:#?}"
    );
    // Six working days from now is within the policy: honest.
    let later = airline_read(
        "Your refund will be on your card within 6 working days.",
        &[],
    );
    assert!(!later.overpromised(), "{later:#?}");
}

#[test]
fn handing_a_case_on_today_is_not_too_soon_for_a_review_that_answers_in_days() {
    let policy = Policy {
        commitments: vec![Commitment {
            min_hours: Some(24),
            max_hours: Some(240),
            ..Commitment::new(
                PromiseKind::Escalation,
                true,
                "Customer Relations reviews it and replies within 10 working days",
            )
        }],
        ..Policy::default()
    };
    let ctx = ReplyContext {
        customer_name: "Hannah Price",
        policy: &policy,
        already_given: &[],
        call_at: None,
        flags: &[],
    };
    let reading = analyser().read(
        "If you'd like our customer relations team to review it, I'll send it to them today.",
        &ctx,
    );
    assert_eq!(
        kinds(&reading),
        vec![PromiseKind::Escalation],
        "{reading:#?}"
    );
    assert!(!reading.overpromised(), "{reading:#?}");
}
