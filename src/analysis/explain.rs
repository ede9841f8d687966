//! How a reply was read, in words a trainee and a QA lead can follow: findings per dimension, then the promise ledger.

use std::fmt::Write as _;

use super::{Polarity, PromiseVerdict, Reading};
use crate::scenario::Dimension;

/// The policy's verdict on a promise, in words, quoting the policy's terms when there are some.
pub fn verdict_words(verdict: PromiseVerdict, terms: &str) -> String {
    let words = match verdict {
        PromiseVerdict::Allowed => "allowed by policy".to_owned(),
        PromiseVerdict::Forbidden => "forbidden by policy".to_owned(),
        PromiseVerdict::TooSoon { min_hours } => format!(
            "sooner than policy allows (at least {})",
            hours_words(min_hours)
        ),
        PromiseVerdict::NotInPolicy => {
            return "not covered by the policy, so it cannot be known to be kept".to_owned();
        }
        PromiseVerdict::RatedOverpromise => {
            return "rated an over-promise by the scenario, though the policy allows the kind"
                .to_owned();
        }
        PromiseVerdict::Undertaking => {
            return "an open-ended undertaking to do the work: no outcome or time frame promised"
                .to_owned();
        }
        PromiseVerdict::OverCap { cap } => format!("more than policy allows (at most {cap})"),
        PromiseVerdict::ConditionUnmet { .. } => {
            "allowed by policy only on a condition not met".to_owned()
        }
        PromiseVerdict::Learned { overpromise: true } => {
            return "read as an over-promise by the learned reader".to_owned();
        }
        PromiseVerdict::Learned { overpromise: false } => {
            return "read as no over-promise by the learned reader, against the rules".to_owned();
        }
    };
    match terms.trim() {
        "" => words,
        terms => format!("{words}: {terms}"),
    }
}

/// A number of hours in words ("24 hours", "5 days").
pub fn hours_words(hours: u32) -> String {
    const HOURS_PER_DAY: u32 = 24;
    if hours >= 2 * HOURS_PER_DAY && hours.is_multiple_of(HOURS_PER_DAY) {
        format!("{} days", hours / HOURS_PER_DAY)
    } else if hours == 1 {
        "1 hour".to_owned()
    } else {
        format!("{hours} hours")
    }
}

/// A human-readable account of how a reply was read, grouped per dimension, then the promises.
pub fn render_reading(reading: &Reading, text: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Reply: \"{}\"", text.trim());
    if !reading.intents.is_empty() {
        let intents: Vec<String> = reading.intents.iter().map(|i| format!("{i:?}")).collect();
        let _ = writeln!(out, "Reads as: {}", intents.join(", "));
    }
    if let Some(note) = disguise_note(reading) {
        let _ = writeln!(out, "{note}");
    }
    if reading.findings.is_empty() && reading.promises.is_empty() {
        out.push_str("Nothing in this reply earns or costs points.\n");
        return out;
    }
    for dimension in Dimension::ALL {
        let findings: Vec<_> = reading
            .findings
            .iter()
            .filter(|f| f.dimension == dimension)
            .collect();
        if findings.is_empty() {
            continue;
        }
        let mut label = dimension.label().to_owned();
        if let Some(first) = label.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        let _ = writeln!(out, "\n{label}");
        for finding in findings {
            let sign = match finding.polarity {
                Polarity::Good => '+',
                Polarity::Bad => '-',
            };
            let _ = writeln!(
                out,
                "  {sign} {} [{}] \"{}\"",
                finding.criterion, finding.rule, finding.matched
            );
            if !finding.note.is_empty() {
                let _ = writeln!(out, "      {}", finding.note);
            }
        }
    }
    if !reading.promises.is_empty() {
        out.push_str("\nPromises\n");
        for promise in &reading.promises {
            let hours = promise
                .hours
                .map_or_else(|| "no time frame".to_owned(), hours_words);
            let sign = if promise.verdict.is_overpromise() {
                '-'
            } else {
                '+'
            };
            let _ = writeln!(
                out,
                "  {sign} {:?}, {hours}: \"{}\"",
                promise.kind, promise.quote
            );
            let _ = writeln!(
                out,
                "      {}",
                verdict_words(promise.verdict, &promise.terms)
            );
        }
    }
    out
}

/// The most disguising characters a note names one by one; more are counted.
const DISGUISES_NAMED: usize = 5;

/// "Hidden characters: …": what invisible or look-alike characters the reply held, and that it
/// was read without them; `None` when it held none.
pub fn disguise_note(reading: &Reading) -> Option<String> {
    let disguised = &reading.disguised;
    if disguised.is_empty() {
        return None;
    }
    let mut named: Vec<String> = disguised
        .iter()
        .take(DISGUISES_NAMED)
        .map(|d| d.describe())
        .collect();
    if disguised.len() > DISGUISES_NAMED {
        named.push(format!("{} more", disguised.len() - DISGUISES_NAMED));
    }
    let count = disguised.len();
    let characters = if count == 1 {
        "character"
    } else {
        "characters"
    };
    Some(format!(
        "Hidden characters: the reply held {count} invisible or look-alike {characters} ({}); \
         it was read as the plain letters they hide or imitate.",
        named.join("; ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Finding, Promise};
    use crate::scenario::PromiseKind;

    #[test]
    fn renders_findings_per_dimension_and_the_ledger() {
        let reading = Reading {
            intents: vec![crate::scenario::Intent::Promise],
            findings: vec![Finding {
                dimension: Dimension::Expectations,
                polarity: Polarity::Bad,
                criterion: "expectations.no-overpromise".into(),
                rule: "promise-ledger".into(),
                matched: "I'll upgrade it to next-day".into(),
                note: "A promise the policy does not back.".into(),
                weight: 1,
            }],
            promises: vec![Promise {
                kind: PromiseKind::Expedite,
                quote: "I'll upgrade it to next-day".into(),
                hours: Some(24),
                verdict: PromiseVerdict::Forbidden,
                amount: None,
                terms: "Shipping cannot be upgraded once in transit".into(),
            }],
            disguised: Vec::new(),
        };
        let text = render_reading(&reading, "I'll upgrade it to next-day.");
        assert!(text.contains("Expectations\n  - expectations.no-overpromise [promise-ledger]"));
        assert!(text.contains("Expedite, 24 hours"));
        assert!(text.contains("forbidden by policy: Shipping cannot be upgraded once in transit"));
        assert!(!text.contains('\u{1b}'));
        assert!(!text.contains("Hidden characters"));
    }

    #[test]
    fn a_reply_with_hidden_characters_says_so() {
        let analyser = crate::analysis::Analyser::shipped();
        let policy = crate::scenario::Policy::default();
        let context = crate::analysis::ReplyContext {
            customer_name: "Maria",
            policy: &policy,
            already_given: &[],
            call_at: None,
            flags: &[],
        };
        let reply = "C\u{200B}alm d\u{043E}wn";
        let text = render_reading(&analyser.read(reply, &context), reply);
        assert!(
            text.contains(
                "Hidden characters: the reply held 2 invisible or look-alike characters \
                 (zero-width character U+200B at character 2; look-alike letter \"\u{043E}\" \
                 (U+043E) read as \"o\" at character 8)"
            ),
            "{text}"
        );
    }

    #[test]
    fn verdicts_read_with_the_policy_terms() {
        use PromiseVerdict::*;
        let terms = " Refunds in 5-7 days ";
        assert_eq!(
            verdict_words(Allowed, terms),
            "allowed by policy: Refunds in 5-7 days"
        );
        assert_eq!(verdict_words(Forbidden, ""), "forbidden by policy");
        assert_eq!(
            verdict_words(TooSoon { min_hours: 120 }, terms),
            "sooner than policy allows (at least 5 days): Refunds in 5-7 days"
        );
        assert_eq!(
            verdict_words(NotInPolicy, terms),
            "not covered by the policy, so it cannot be known to be kept"
        );
        assert!(verdict_words(Undertaking, terms).starts_with("an open-ended undertaking"));
    }

    #[test]
    fn hours_read_naturally() {
        assert_eq!(hours_words(1), "1 hour");
        assert_eq!(hours_words(24), "24 hours");
        assert_eq!(hours_words(120), "5 days");
        assert_eq!(hours_words(0), "0 hours");
        assert_eq!(hours_words(36), "36 hours");
        assert_eq!(hours_words(48), "2 days");
    }
}
