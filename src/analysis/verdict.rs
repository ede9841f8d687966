//! The policy's verdict on one commitment: its kind, the amount and the time it promises, and
//! the conditions the policy puts on it, checked in that order.

use crate::scenario::{Amount, AmountUnit, CallTime, Commitment, Policy, PromiseKind, Requirement};

use super::clock;
use super::{PromiseVerdict, ReplyContext};

/// What a reply promised of one kind, before the policy's verdict.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Promised {
    /// The time frame in calendar hours from now, when one was given.
    pub hours: Option<u32>,
    /// For a time frame naming a moment ("by Saturday"), the minutes from the call to it.
    pub minutes_from_call: Option<u32>,
    /// The amount of money or share promised, when one was named.
    pub amount: Option<Amount>,
    /// An open-ended undertaking to do work, with no outcome or time promised.
    pub undertaking: bool,
}

/// The hours a promise counts against its commitment: working hours where the policy counts
/// working days and the reply named a moment the call's clock can place.
pub(crate) fn counted_hours(
    promised: &Promised,
    commitment: Option<&Commitment>,
    call_at: Option<CallTime>,
) -> Option<u32> {
    match (promised.minutes_from_call, call_at) {
        (Some(minutes), Some(call)) if commitment.is_some_and(|c| c.working_days) => {
            Some(clock::working_hours(call, minutes))
        }
        (Some(minutes), _) => Some(clock::hours(minutes)),
        (None, _) => promised.hours,
    }
}

/// The policy's verdict on a promise; `with` holds the other kinds promised in the reply, for
/// commitments allowed only alongside another.
pub(crate) fn judge(
    promised: &Promised,
    commitment: Option<&Commitment>,
    hours: Option<u32>,
    ctx: &ReplyContext<'_>,
    with: &[PromiseKind],
) -> PromiseVerdict {
    let policy = ctx.policy;
    let Some(commitment) = commitment else {
        return if promised.undertaking {
            PromiseVerdict::Undertaking
        } else {
            PromiseVerdict::NotInPolicy
        };
    };
    if !commitment.allowed {
        return PromiseVerdict::Forbidden;
    }
    if let Some(unmet) = commitment
        .only_if
        .iter()
        .position(|requirement| !holds(requirement, policy, ctx.flags, with))
    {
        return PromiseVerdict::ConditionUnmet {
            requirement: unmet as u32,
        };
    }
    if let (Some(amount), Some(cap)) = (promised.amount, cap(commitment, policy))
        && amount.exceeds(&cap)
    {
        return PromiseVerdict::OverCap { cap };
    }
    match (commitment.min_hours, hours) {
        (Some(min), Some(h)) if h < min => PromiseVerdict::TooSoon { min_hours: min },
        _ => PromiseVerdict::Allowed,
    }
}

/// The kinds whose outcome others deliver (a courier, engineers, a bank), so a firm day or hour
/// for them is a guarantee.
pub(crate) const OUTCOMES_OTHERS_DELIVER: [PromiseKind; 4] = [
    PromiseKind::Delivery,
    PromiseKind::Fix,
    PromiseKind::Refund,
    PromiseKind::Replacement,
];

/// The policy's principal outcome: its first commitment of a kind whose outcome others deliver.
pub(crate) fn principal_outcome(policy: &Policy) -> Option<PromiseKind> {
    policy
        .commitments
        .iter()
        .map(|c| c.kind)
        .find(|kind| OUTCOMES_OTHERS_DELIVER.contains(kind) || *kind == PromiseKind::Modification)
}

/// The allowed commitment whose terms use these words (normalised, whole words), if any: a
/// promise the lexicon files under a kind the policy does not name can still be what the policy
/// allows in its own words.
pub(crate) fn covering<'p>(policy: &'p Policy, words: &str) -> Option<&'p Commitment> {
    let words = words.trim();
    if words.len() < 4 {
        return None;
    }
    policy.commitments.iter().filter(|c| c.allowed).find(|c| {
        let terms = super::normalise::normalise_phrase(&c.terms);
        super::normalise::find_word(&terms, words).is_some()
    })
}

/// The most that may be promised: the commitment's `amount` (times its `per`), or else the
/// first amount of money its terms name ("A £15 voucher for a late order").
pub(crate) fn cap(commitment: &Commitment, policy: &Policy) -> Option<Amount> {
    commitment
        .cap(policy)
        .or_else(|| amounts_in(&commitment.terms.to_ascii_lowercase()).next())
}

/// Whether a condition of a commitment holds.
fn holds(
    requirement: &Requirement,
    policy: &Policy,
    flags: &[String],
    with: &[PromiseKind],
) -> bool {
    match requirement {
        Requirement::Flag(flag) => flags.iter().any(|f| f == flag),
        Requirement::Customer(fact, value) => policy
            .customer
            .get(fact)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case(value.trim())),
        Requirement::With(kind) => with.contains(kind),
    }
}

/// The amounts of money and shares in a text, in order: `£20`, `$50.00`, `20 pounds`, `40
/// quid`, `10%`, `10 per cent`. The text may be normalised (where `£` and `€` read `$`) or not.
pub(crate) fn amounts_in(text: &str) -> impl Iterator<Item = Amount> + '_ {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let start = i;
            // A currency symbol before the number.
            let mut symbol = None;
            let rest = &text[i..];
            if let Some(c) = rest.chars().next()
                && let Some(s) = crate::scenario::currency_symbol(c)
            {
                symbol = Some(s);
                i += c.len_utf8();
                while i < bytes.len() && bytes[i] == b' ' {
                    i += 1;
                }
            }
            let digits_start = i;
            let at_word_start = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
            while i < bytes.len()
                && (bytes[i].is_ascii_digit()
                    || ((bytes[i] == b',' || bytes[i] == b'.')
                        && i + 1 < bytes.len()
                        && bytes[i + 1].is_ascii_digit()
                        && i > digits_start))
            {
                i += 1;
            }
            if i == digits_start || !at_word_start {
                i = if i == digits_start { start + 1 } else { i };
                while i < bytes.len() && !text.is_char_boundary(i) {
                    i += 1;
                }
                continue;
            }
            let Some(hundredths) = crate::scenario::parse_hundredths(&text[digits_start..i]) else {
                continue;
            };
            let after = text[i..].trim_start();
            let unit = if let Some(s) = symbol {
                AmountUnit::Currency(s)
            } else if after.starts_with('%')
                || after.starts_with("per cent")
                || after.starts_with("percent")
            {
                AmountUnit::Percent
            } else if let Some(word) = after.split(|c: char| !c.is_ascii_alphabetic()).next()
                && let Some(s) = currency_word(word)
            {
                AmountUnit::Currency(s)
            } else {
                continue;
            };
            return Some(Amount { hundredths, unit });
        }
        None
    })
}

/// The currency a word after a number names (`pounds`, `quid`, `dollars`, `usd`).
fn currency_word(word: &str) -> Option<char> {
    match word {
        "pounds" | "pound" | "quid" | "gbp" => Some('£'),
        "dollars" | "dollar" | "bucks" | "usd" => Some('$'),
        "euros" | "euro" | "eur" => Some('€'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(text: &str) -> Vec<String> {
        amounts_in(text).map(|a| a.to_string()).collect()
    }

    #[test]
    fn amounts_are_read_in_their_forms() {
        assert_eq!(all("i can pop a £20 credit on"), ["£20"]);
        assert_eq!(all("a $50.00 voucher and 10% off"), ["$50", "10%"]);
        assert_eq!(all("40 quid, 3 days, 15 per cent"), ["£40", "15%"]);
        assert_eq!(all("order wm55812 for 2 items"), Vec::<String>::new());
        assert_eq!(all("£1,250.50"), ["£1250.50"]);
    }
}
