//! The policy's verdict on one commitment: its kind, the amount and the time it promises, and
//! the conditions the policy puts on it, checked in that order.

use crate::scenario::{Amount, CallTime, Commitment, Policy, PromiseKind, Requirement};

use super::amounts::MoneyWords;
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
    money: &MoneyWords,
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
    if let Some(amount) = promised.amount
        && let Some(cap) = cap(commitment, policy, money)
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
/// allows in its own words. `terms` are the policy's terms normalised, by commitment (see
/// [`super::prepared::ScenarioWords`]).
pub(crate) fn covering<'p>(
    policy: &'p Policy,
    terms: &[String],
    words: &str,
) -> Option<&'p Commitment> {
    let words = words.trim();
    if words.len() < 4 {
        return None;
    }
    policy
        .commitments
        .iter()
        .zip(terms)
        .find(|(c, terms)| c.allowed && super::normalise::find_word(terms, words).is_some())
        .map(|(c, _)| c)
}

/// The most that may be promised: the commitment's `amount` (times its `per`), or else the
/// first amount of money its terms name ("A £15 voucher for a late order").
pub(crate) fn cap(commitment: &Commitment, policy: &Policy, money: &MoneyWords) -> Option<Amount> {
    commitment
        .cap(policy)
        .or_else(|| money.amounts_in(&commitment.terms.to_lowercase()).next())
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
        Requirement::AnyOf(alternatives) => alternatives
            .iter()
            .any(|alternative| holds(alternative, policy, flags, with)),
    }
}
