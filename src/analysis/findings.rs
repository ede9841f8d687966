//! Stage 5, findings: the evidence a reply gives, each with the words it rests on and the rule
//! and note that say why: the phrase rules, the customer's name, jargon, questions that ask again
//! for what the customer gave, and targeted questions. The promise ledger adds its own (see
//! [`super::promises`]).

use smol_str::SmolStr;

use super::lexicon::CompiledLexicon;
use super::matches::{Hits, overlapped_by, overlaps};
use super::normalise::{Normalised, WordSet, find_word};
use super::prepared::ScenarioWords;
use super::{Finding, Polarity, Reading, dimension_of};
use crate::scenario::Intent;

/// Applies the phrase rules.
pub(crate) fn read_rules(
    lex: &CompiledLexicon,
    norm: &Normalised<'_>,
    hits: &Hits,
    reading: &mut Reading,
) {
    let text = norm.text.as_str();
    // Each rule reports its first match that survives negation, its exceptions and the
    // rules that suppress it; later matches are never looked at, so long replies stay linear.
    let mut firsts: Vec<(usize, usize, usize)> = Vec::new();
    let mut previous = usize::MAX;
    for pattern in hits.matching() {
        let Some(&index) = lex.rule_of_pattern.get(pattern) else {
            // The rules' patterns come first in the set, in order.
            break;
        };
        if index == previous {
            continue;
        }
        previous = index;
        let rule = &lex.rules[index];
        // Written as three conditions, cheapest first, rather than the one clippy would fold.
        #[allow(clippy::nonminimal_bool)]
        let first = rule.regex.find_in(hits, text).find(|&range| {
            !(rule.negatable && lex.negation.negated_before(text, range.0))
                && !overlapped_by(rule.except.as_ref(), hits, text, range)
                && !rule
                    .suppressed_by
                    .iter()
                    .any(|&other| overlapped_by(Some(&lex.rules[other].regex), hits, text, range))
        });
        if let Some((start, end)) = first {
            firsts.push((index, start, end));
        }
    }
    firsts.sort_by_key(|&(index, start, _)| (start, index));
    for (index, start, end) in firsts {
        let rule = &lex.rules[index];
        for &intent in &rule.intents {
            reading.add_intent(intent);
        }
        if let Some(criterion) = &rule.criterion {
            push_finding(
                reading,
                criterion,
                rule.polarity,
                &rule.id,
                norm.original(start, end),
                &rule.note,
            );
        }
    }
}

/// Finds the customer's name: full name, first name, or title and surname.
pub(crate) fn read_name(
    lex: &CompiledLexicon,
    norm: &Normalised<'_>,
    words: &ScenarioWords,
    reading: &mut Reading,
) {
    if let Some(words) = words.find_name(norm) {
        reading.add_intent(Intent::UseName);
        push_finding(
            reading,
            &SmolStr::new_static("empathy.personal"),
            Polarity::Good,
            &SmolStr::new_static("customer-name"),
            words,
            &lex.notes.customer_name,
        );
    }
}

/// Finds business jargon and the policy's own jargon.
pub(crate) fn read_jargon(
    lex: &CompiledLexicon,
    norm: &Normalised<'_>,
    hits: &Hits,
    words: &ScenarioWords,
    reading: &mut Reading,
) {
    let text = norm.text.as_str();
    let mut found: Vec<(usize, usize, &str, &SmolStr)> = Vec::new();
    if let Some(jargon) = &lex.jargon
        && hits.any(jargon)
    {
        for (start, end) in jargon.find_in(hits, text) {
            found.push((start, end, "business-jargon", &lex.jargon_note));
        }
    }
    for (start, end) in words.jargon_in(text) {
        if !found.iter().any(|f| overlaps((f.0, f.1), (start, end))) {
            found.push((start, end, "policy-jargon", &lex.notes.policy_jargon));
        }
    }
    found.sort_by_key(|f| f.0);
    for (start, end, rule, note) in found {
        push_finding(
            reading,
            &SmolStr::new_static("expectations.plain-language"),
            Polarity::Bad,
            &SmolStr::new_static(rule),
            norm.original(start, end),
            note,
        );
    }
}

/// Finds questions that ask again for what the customer already gave.
pub(crate) fn read_repeats(
    lex: &CompiledLexicon,
    norm: &Normalised<'_>,
    hits: &Hits,
    words: &ScenarioWords,
    reading: &mut Reading,
) {
    let Some(asks) = &lex.asks else {
        return;
    };
    if words.given.is_empty() || !hits.any(asks) {
        return;
    }
    let text = norm.text.as_str();
    for groups in asks.captures_in(hits, text) {
        let (Some(whole), Some(item)) = (groups.whole(), groups.name("item")) else {
            continue;
        };
        if lex.negation.negated_before(text, whole.0) {
            continue;
        }
        let asked = item.2;
        let repeats = words.given.iter().flatten().any(|name| {
            find_word(asked, name).is_some_and(|(start, _)| start == 0)
                || asks_for(&lex.small_words, asked, name)
        });
        if repeats {
            push_finding(
                reading,
                &SmolStr::new_static("ownership.no-repeat"),
                Polarity::Bad,
                &SmolStr::new_static("ask-again"),
                norm.original(whole.0, item.1),
                &lex.repeat_note,
            );
            return;
        }
    }
}

/// Marks targeted questions: a sentence that ends with `?` and opens with an interrogative.
pub(crate) fn read_questions(lex: &CompiledLexicon, norm: &Normalised<'_>, reading: &mut Reading) {
    let bytes = norm.text.as_bytes();
    if memchr::memchr(b'?', bytes).is_none() {
        return;
    }
    for (start, end) in norm.sentences() {
        if bytes.get(end) != Some(&b'?') {
            continue;
        }
        let first = norm.text[start..end]
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '\'')
            .find(|w| !w.is_empty())
            .unwrap_or("");
        if lex.interrogatives.contains(first) {
            reading.add_intent(Intent::Question);
            return;
        }
    }
}

/// Adds a finding unless the same rule already reported one.
pub(crate) fn push_finding(
    reading: &mut Reading,
    criterion: &SmolStr,
    polarity: Polarity,
    rule: &SmolStr,
    matched: &str,
    note: &SmolStr,
) {
    push_finding_as(
        reading,
        criterion,
        polarity,
        rule,
        || SmolStr::new(matched),
        note,
    );
}

/// Like [`push_finding`], with the matched words made only when the finding is added (a quote
/// already held as a `SmolStr` is then shared rather than copied).
pub(crate) fn push_finding_as(
    reading: &mut Reading,
    criterion: &SmolStr,
    polarity: Polarity,
    rule: &SmolStr,
    matched: impl FnOnce() -> SmolStr,
    note: &SmolStr,
) {
    if reading
        .findings
        .iter()
        .any(|f| f.rule == *rule && f.criterion == *criterion)
    {
        return;
    }
    let Some(dimension) = dimension_of(criterion) else {
        return;
    };
    reading.findings.push(Finding {
        dimension,
        polarity,
        criterion: criterion.clone(),
        rule: rule.clone(),
        matched: matched(),
        note: note.clone(),
        weight: 1,
    });
}

/// Whether the words asked for open with the words of an item, the small words aside ("the
/// reason for the return" asks for the "reason for return").
fn asks_for(small_words: &WordSet, asked: &str, item: &str) -> bool {
    let content = |text: &str| {
        text.split(' ')
            .filter(|w| !w.is_empty() && !small_words.contains(*w))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let (asked, item) = (content(asked), content(item));
    !item.is_empty() && asked.len() >= item.len() && asked[..item.len()] == item[..]
}
