//! How a reply was read, in words a trainee and a QA lead can follow: findings per dimension, then the promise ledger.

use std::fmt::Write as _;

use super::{Polarity, PromiseVerdict, Reading};
use crate::scenario::Dimension;

/// The policy's verdict on a promise, in words, quoting the policy's terms when there are some.
pub fn verdict_words(verdict: PromiseVerdict, terms: &str) -> String {
    let terms = terms.trim();
    let quoted = |prefix: &str| {
        if terms.is_empty() {
            prefix.to_owned()
        } else {
            format!("{prefix}: {terms}")
        }
    };
    match verdict {
        PromiseVerdict::Allowed => quoted("allowed by policy"),
        PromiseVerdict::Forbidden => quoted("forbidden by policy"),
        PromiseVerdict::TooSoon { min_hours } => quoted(&format!(
            "sooner than policy allows (at least {})",
            hours_words(min_hours)
        )),
        PromiseVerdict::NotInPolicy => {
            "not covered by the policy, so it cannot be known to be kept".to_owned()
        }
        PromiseVerdict::Undertaking => {
            "an open-ended undertaking to do the work: no outcome or time frame promised".to_owned()
        }
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
                terms: "Shipping cannot be upgraded once in transit".into(),
            }],
        };
        let text = render_reading(&reading, "I'll upgrade it to next-day.");
        assert!(text.contains("Expectations\n  - expectations.no-overpromise [promise-ledger]"));
        assert!(text.contains("Expedite, 24 hours"));
        assert!(text.contains("forbidden by policy: Shipping cannot be upgraded once in transit"));
        assert!(!text.contains('\u{1b}'));
    }

    #[test]
    fn hours_read_naturally() {
        assert_eq!(hours_words(1), "1 hour");
        assert_eq!(hours_words(24), "24 hours");
        assert_eq!(hours_words(120), "5 days");
    }
}
