//! The promise ledger: every commitment in a reply, its time frame, and the policy's verdict.
//!
//! A commitment needs a frame ("I'll", "we will", "you'll receive", "it will arrive") and a kind
//! ("refund", "call you back"). Each sentence is cut into parts at commas and words such as "and";
//! a part without its own subject inherits the frame before it ("I'll check today *and call you
//! back by 5*"). A frame is cancelled by a negator before it ("I can't say we'll…") or right
//! after it ("I will not…"); a hedge makes its part tentative ("I'll ask whether we can refund
//! you"), and a carried hedge the rest of the sentence ("I'll try to get a refund and a voucher").
//! Tentative and negated commitments are not promises. Time frames attach to the nearest kind
//! mentioned before them in the sentence (or the first after), and a promise takes the longest of
//! its time frames ("I'll process the refund today and it'll reach your card in 5–7 days").

use smol_str::SmolStr;

use super::findings::{push_finding, push_finding_as};
use super::lexicon::CompiledLexicon;
use super::matches::{Hits, overlapped_by, overlaps};
use super::normalise::{Normalised, is_word_byte};
use super::prepared::ScenarioWords;
use super::sentences::{clauses, is_sentence_end};
use super::times::{TimeMention, find_times};
use super::verdict::{self, Promised};
use super::{Polarity, Promise, PromiseVerdict, Reading, ReplyContext};
use crate::scenario::{Commitment, Intent, Policy, PromiseKind};

/// A kind of commitment named in a reply.
#[derive(Debug, Clone, Copy)]
struct KindMention {
    start: usize,
    end: usize,
    kind: PromiseKind,
}

/// A frame found in a reply.
#[derive(Debug, Clone, Copy)]
struct Frame {
    start: usize,
    end: usize,
    singular: bool,
}

/// A commitment frame in force over a part of a sentence.
#[derive(Debug, Clone, Copy)]
struct ActiveFrame {
    start: usize,
    singular: bool,
    /// Whether later parts that inherit the frame may be firm.
    carries: bool,
}

/// A firm commitment found, before its time frame and verdict.
#[derive(Debug, Clone, Copy)]
struct Found {
    kind: PromiseKind,
    quote: (usize, usize),
    /// The words that named the kind ("at no charge", "travel certificate").
    mention: (usize, usize),
    singular: bool,
}

/// The rule an over-promise the ledger reads is filed under. Its verdicts, not the rule, say how
/// firm it is (see `model::combine::firm`): the trainer never makes it a firm rule.
pub const LEDGER_RULE: &str = "promise-ledger";

/// Reads the promise ledger and its findings into the reading.
pub(crate) fn read_promises(
    lex: &CompiledLexicon,
    norm: &Normalised<'_>,
    hits: &Hits,
    ctx: &ReplyContext<'_>,
    words: &ScenarioWords,
    reading: &mut Reading,
) {
    let policy = ctx.policy;
    let text = norm.text.as_str();
    let mut kinds = find_kinds(lex, hits, text, words);
    let times = find_times(lex, hits, text, ctx.call_at);
    infer_outcomes(lex, hits, norm, policy, &times, &mut kinds);
    if kinds.is_empty() && times.is_empty() {
        return;
    }
    // Without a kind there is no promise to frame.
    let frames = if kinds.is_empty() {
        Vec::new()
    } else {
        find_frames(lex, hits, text)
    };
    // A cue can only match in a sentence when it matches somewhere in the reply (sentences
    // start and end at punctuation, so their edges cut no word).
    let cues = lex.cues.as_ref().filter(|cues| hits.any(cues));
    let mut stated_timeframe: Option<(usize, usize)> = None;
    for (s0, s1) in norm.sentences() {
        let sentence_kinds = within(&kinds, s0, s1, |k| k.start);
        let sentence_times = within(&times, s0, s1, |t| t.start);
        let sentence_frames = within(&frames, s0, s1, |f| f.start);
        // A question commits to nothing ("when will it arrive?", "shall I call you back?").
        let question = text.as_bytes().get(s1) == Some(&b'?');
        let mut found = if question {
            Vec::new()
        } else {
            firm_commitments(lex, hits, text, (s0, s1), sentence_frames, sentence_kinds)
        };
        // Money's arrival is the money's ("I've sent the voucher, it'll land in your inbox
        // within 24 hours"), timed as it (see `arrives_later`), not a delivery of its own.
        found.retain(|f| !(f.kind == PromiseKind::Delivery && money_arrives(f, sentence_kinds)));
        let attached: Vec<Option<PromiseKind>> = sentence_times
            .iter()
            .map(|t| attach(lex, text, (s0, s1), t, sentence_kinds, sentence_frames))
            .collect();
        // A guarantee taints the sentence: its time frames earn nothing.
        let guaranteed = found.iter().any(|f| f.kind == PromiseKind::Guarantee);
        // An assurance that vouches only for the agent's own acts is as honest as they are
        // ("I'll call you by 4, I promise"); vouching for an outcome others deliver ("it'll be
        // fixed within 2 days, rest assured"), for nothing else, or beside a guarantee in other
        // words ("rest assured, she'll approve it"), it is a guarantee.
        let vouches = found.iter().any(|f| f.kind != PromiseKind::Guarantee)
            && found
                .iter()
                .all(|f| OWN_ACTS.contains(&f.kind) || f.kind == PromiseKind::Guarantee)
            && sentence_kinds
                .iter()
                .filter(|k| k.kind == PromiseKind::Guarantee)
                .all(|k| overlapped_by(lex.assurances.as_ref(), hits, text, (k.start, k.end)));
        if vouches {
            found.retain(|f| f.kind != PromiseKind::Guarantee);
        }
        // A condition on another kind holds when the sentence names it, promised or as the
        // customer's choice ("a $50 certificate if you move to the later flight").
        let with: Vec<PromiseKind> = sentence_kinds.iter().map(|k| k.kind).collect();
        for commitment in &found {
            let mut timed: Option<&TimeMention> = None;
            let arrives_later = arrives_later(commitment.kind, sentence_kinds);
            for (time, kind) in sentence_times.iter().zip(&attached) {
                let arrival = arrives_later && *kind == Some(PromiseKind::Delivery);
                if (*kind == Some(commitment.kind) || arrival)
                    && timed.is_none_or(|t| time.hours > t.hours)
                {
                    timed = Some(time);
                }
            }
            let sentence = (commitment.quote.0, s1);
            record_promise(
                lex, norm, ctx, words, commitment, timed, sentence, guaranteed, &with, reading,
            );
        }
        // A time frame outside any promise is a statement of process when it is realistic.
        for (time, kind) in sentence_times.iter().zip(&attached) {
            let Some(hours) = time.hours else {
                continue;
            };
            let promised = kind.is_some_and(|k| found.iter().any(|f| f.kind == k));
            if promised || stated_timeframe.is_some() {
                continue;
            }
            // A stated time frame needs a word of process ("takes", "within") and, for a kind
            // the policy covers, must not be sooner than the policy's soonest.
            let cued = cues.is_some_and(|cues| cues.regex.is_match(&text[s0..s1]));
            // A kind the policy does not name says nothing of whether the time is realistic.
            let kind = kind.filter(|k| policy.commitment(*k).is_some());
            let realistic = cued
                && kind.is_none_or(|kind| {
                    policy
                        .commitments
                        .iter()
                        .find(|c| c.kind == kind)
                        .is_some_and(|c| c.allowed && c.min_hours.is_none_or(|min| hours >= min))
                });
            if realistic {
                stated_timeframe = Some((time.start, time.end));
            }
        }
    }
    if let Some((start, end)) = stated_timeframe {
        reading.add_intent(Intent::Timeframe);
        push_finding(
            reading,
            &SmolStr::new_static("expectations.timeframe"),
            Polarity::Good,
            &SmolStr::new_static("stated-timeframe"),
            norm.original(start, end),
            &lex.notes.stated_timeframe,
        );
    }
}

/// The kinds whose time frame is when they reach the customer, so a later arrival in the same
/// sentence times them ("I'll send a replacement today and it'll arrive in 3 days").
const ARRIVING_KINDS: [PromiseKind; 3] = [
    PromiseKind::Replacement,
    PromiseKind::Refund,
    PromiseKind::Compensation,
];

/// The kinds that are the agent's own acts, which an assurance can vouch for honestly.
const OWN_ACTS: [PromiseKind; 2] = [PromiseKind::Callback, PromiseKind::Escalation];

/// The kinds that are money reaching the customer: an arrival after one of them in a sentence
/// is the money's, where a replacement's is still a delivery of goods.
const MONEY_KINDS: [PromiseKind; 2] = [PromiseKind::Refund, PromiseKind::Compensation];

/// Whether a delivery found is the arrival of money named before it in its sentence.
fn money_arrives(delivery: &Found, kinds: &[KindMention]) -> bool {
    kinds
        .iter()
        .any(|k| MONEY_KINDS.contains(&k.kind) && k.start < delivery.mention.0)
}

/// Whether a kind is followed by a delivery in the same sentence, which then times it.
fn arrives_later(kind: PromiseKind, kinds: &[KindMention]) -> bool {
    let Some(first) = kinds.iter().find(|k| k.kind == kind) else {
        return false;
    };
    ARRIVING_KINDS.contains(&kind)
        && kinds
            .iter()
            .any(|k| k.kind == PromiseKind::Delivery && k.start > first.start)
}

/// The items of a list sorted by start that start within `s0..s1`.
fn within<T>(items: &[T], s0: usize, s1: usize, start: impl Fn(&T) -> usize) -> &[T] {
    let from = items.partition_point(|item| start(item) < s0);
    let to = items.partition_point(|item| start(item) < s1);
    &items[from..to.max(from)]
}

/// The kind a time frame belongs to: the nearest kind before it, or else the first after it.
/// A time in a part with a frame of its own times that part's act, not a kind in a later part
/// ("I'm getting it released from the depot today, and it'll reach you Monday"); a time fronted
/// on its own ("By Friday, you'll have the refund") still times what follows.
fn attach(
    lex: &CompiledLexicon,
    text: &str,
    sentence: (usize, usize),
    time: &TimeMention,
    kinds: &[KindMention],
    frames: &[Frame],
) -> Option<PromiseKind> {
    if let Some(before) = kinds.iter().rev().find(|k| k.start < time.start) {
        return Some(before.kind);
    }
    let after = kinds.iter().find(|k| k.start >= time.start)?;
    let part = clauses(&lex.part_breaks, text, sentence)
        .into_iter()
        .find(|&(p0, p1)| time.start >= p0 && time.start < p1);
    let acts_of_its_own = part.is_some_and(|(p0, p1)| {
        after.start >= p1 && frames.iter().any(|f| f.start >= p0 && f.start < p1)
    });
    (!acts_of_its_own).then_some(after.kind)
}

/// Whether a time frame falls inside a commitment's window of hours.
fn fits_window(
    time: &TimeMention,
    commitment: Option<&Commitment>,
    ctx: &ReplyContext<'_>,
) -> bool {
    let promised = Promised {
        hours: time.hours,
        minutes_from_call: time.minutes_from_call,
        amount: None,
        undertaking: false,
    };
    let hours = verdict::counted_hours(&promised, commitment, ctx.call_at);
    match (commitment, hours) {
        (Some(c), Some(h)) => {
            c.min_hours.is_none_or(|min| h >= min) && c.max_hours.is_none_or(|max| h <= max)
        }
        _ => false,
    }
}

/// Adds one promise to the ledger with its verdict and findings. `rest` is the promise's
/// words to the end of its sentence, where the amount it promises is read.
#[allow(clippy::too_many_arguments)]
fn record_promise(
    lex: &CompiledLexicon,
    norm: &Normalised<'_>,
    ctx: &ReplyContext<'_>,
    words: &ScenarioWords,
    found: &Found,
    timed: Option<&TimeMention>,
    rest: (usize, usize),
    guaranteed: bool,
    with: &[PromiseKind],
    reading: &mut Reading,
) {
    let policy = ctx.policy;
    // A kind the policy has no rule for may still be one of its commitments in other words
    // ("at no charge" where a change is allowed "at no charge").
    let commitment = policy.commitment(found.kind).or_else(|| {
        let mention = &norm.text[found.mention.0..found.mention.1];
        verdict::covering(policy, &words.terms, mention)
    });
    // Handing the case on ("I'll send it to them today") is the agent's own act. A time that
    // fits the policy's window is the other team's answer ("they reply within 10 working
    // days"); one sooner is when the case is handed on, which promises nothing about the answer.
    let mention = &norm.text[found.mention.0..found.mention.1];
    let quote = &norm.text[found.quote.0..found.quote.1];
    let handed_on = found.kind == PromiseKind::Escalation
        && (mention
            .split_once(' ')
            .is_some_and(|(verb, _)| lex.hand_on.contains(verb))
            || quote
                .split(|c: char| !is_word_byte(c as u8))
                .any(|word| lex.hand_on.contains(word)));
    let timed = timed.filter(|time| !handed_on || fits_window(time, commitment, ctx));
    // Work the agent undertakes without naming an outcome or a time ("I'll sort this out") is
    // ownership, not an over-promise, even where the policy is silent on that kind.
    let undertaking = matches!(
        found.kind,
        PromiseKind::Fix | PromiseKind::Callback | PromiseKind::Escalation
    ) && timed.is_none_or(|t| t.hours.is_none())
        && !guaranteed;
    // Amounts are read as written: normalising spells every currency `$`.
    let amount = if rest.0 < rest.1 {
        lex.money
            .amounts_in(&norm.original(rest.0, rest.1).to_lowercase())
            .next()
    } else {
        None
    };
    let promised = Promised {
        hours: timed.and_then(|t| t.hours),
        minutes_from_call: timed.and_then(|t| t.minutes_from_call),
        amount,
        undertaking,
    };
    let hours = verdict::counted_hours(&promised, commitment, ctx.call_at);
    let mut earlier: Vec<PromiseKind> = reading.promises.iter().map(|p| p.kind).collect();
    earlier.extend_from_slice(with);
    let mut verdict = verdict::judge(&promised, commitment, hours, ctx, &earlier, &lex.money);
    let mut terms = commitment.map(|c| c.terms.clone()).unwrap_or_default();
    // A firm day or hour for an outcome others deliver is a guarantee where the policy forbids
    // them ("it will be with you on Friday" when no day can be guaranteed).
    if !verdict.is_overpromise()
        && timed.is_some_and(|t| t.minutes_from_call.is_some() || t.hours.is_none())
        && verdict::OUTCOMES_OTHERS_DELIVER.contains(&found.kind)
        && let Some(guarantee) = policy
            .commitment(PromiseKind::Guarantee)
            .filter(|g| !g.allowed)
    {
        verdict = PromiseVerdict::Forbidden;
        terms = guarantee.terms.clone();
    }
    let quote = SmolStr::new(norm.original(found.quote.0, found.quote.1));
    if reading
        .promises
        .iter()
        .any(|p| p.kind == found.kind && p.quote == quote)
    {
        return;
    }
    reading.add_intent(Intent::Promise);
    match found.kind {
        PromiseKind::Callback => reading.add_intent(Intent::Ownership),
        PromiseKind::Escalation => reading.add_intent(Intent::Escalation),
        _ => {}
    }
    if verdict.is_overpromise() {
        push_finding_as(
            reading,
            &SmolStr::new_static("expectations.no-overpromise"),
            Polarity::Bad,
            &SmolStr::new_static(LEDGER_RULE),
            || quote.clone(),
            &overpromise_note(&lex.notes.overpromise, verdict, &terms),
        );
    } else if let (Some(c), Some(h), false) = (commitment, hours, guaranteed) {
        let in_range =
            c.min_hours.is_none_or(|min| h >= min) && c.max_hours.is_none_or(|max| h <= max);
        if in_range {
            reading.add_intent(Intent::Timeframe);
            push_finding_as(
                reading,
                &SmolStr::new_static("expectations.timeframe"),
                Polarity::Good,
                &SmolStr::new_static("promised-timeframe"),
                || quote.clone(),
                &lex.notes.promised_timeframe,
            );
        }
    }
    if found.singular {
        reading.add_intent(Intent::Ownership);
        push_finding_as(
            reading,
            &SmolStr::new_static("ownership.commitment"),
            Polarity::Good,
            &SmolStr::new_static("first-person-promise"),
            || quote.clone(),
            &lex.notes.own_promise,
        );
    }
    reading.promises.push(Promise {
        kind: found.kind,
        quote,
        hours,
        verdict,
        amount,
        terms,
    });
}

/// "Over-promised (forbidden by policy: …)": the lexicon's note with the policy's verdict.
fn overpromise_note(note: &str, verdict: PromiseVerdict, terms: &str) -> SmolStr {
    SmolStr::from(format!(
        "{note} ({})",
        super::explain::verdict_words(verdict, terms)
    ))
}

/// The firm commitments of one sentence.
fn firm_commitments(
    lex: &CompiledLexicon,
    hits: &Hits,
    text: &str,
    sentence: (usize, usize),
    frames: &[Frame],
    kinds: &[KindMention],
) -> Vec<Found> {
    if frames.is_empty() || kinds.is_empty() {
        return Vec::new();
    }
    // At most one commitment per kind mentioned.
    let mut found: Vec<Found> = Vec::with_capacity(kinds.len());
    let mut active: Option<ActiveFrame> = None;
    // A hedged condition before a part is that part's condition: "If the team lead approves it,
    // you'll get a refund" promises no refund, "If possible, I'll call today" no call.
    let mut conditioned = false;
    for (p0, p1) in clauses(&lex.part_breaks, text, sentence) {
        let condition = std::mem::take(&mut conditioned);
        let part = &text[p0..p1];
        // Whether a hedge, or a hedge carried to the end of the sentence, stands in the part:
        // asked only when the answer counts (a part with no frame in force commits to nothing).
        let hedged = || overlapped_by(lex.hedges.as_ref(), hits, text, (p0, p1));
        let carried = || overlapped_by(lex.carried_hedges.as_ref(), hits, text, (p0, p1));
        let frame = frames.iter().find(|f| f.start >= p0 && f.start < p1);
        let first_word = part
            .split(|c: char| !is_word_byte(c as u8))
            .find(|w| !w.is_empty())
            .unwrap_or("");
        conditioned = lex.conditions.contains(first_word) && hedged();
        let firm = if let Some(frame) = frame {
            let negated = lex.negation.negated_before(text, frame.start)
                || super::negation::words_after(text, frame.end, 1)
                    .any(|w| lex.negated_by_next.contains(w));
            let carried = carried();
            active = Some(ActiveFrame {
                start: frame.start,
                singular: frame.singular,
                carries: !negated && !carried,
            });
            !negated && !carried && !condition && !hedged()
        } else {
            if lex.subjects.contains(first_word) {
                active = None;
            }
            match active.as_mut() {
                Some(frame) => {
                    if carried() {
                        frame.carries = false;
                    }
                    frame.carries && !condition && !hedged()
                }
                None => false,
            }
        };
        let Some(frame) = active else {
            continue;
        };
        if !firm {
            continue;
        }
        let quote_start = frame.start.max(p0).min(p1);
        let quote_start = if frame.start >= p0 {
            frame.start
        } else {
            quote_start
        };
        let inherited = frame.start < p0;
        for mention in kinds.iter().filter(|k| k.start >= p0 && k.start < p1) {
            if found.iter().any(|f| f.kind == mention.kind) {
                continue;
            }
            // A part that inherits its frame can still deny its kind: "I'll raise it now, can't
            // make it faster" promises no faster refund.
            if inherited && lex.negation.negated_before(text, mention.start) {
                continue;
            }
            found.push(Found {
                kind: mention.kind,
                quote: (quote_start, p1.max(mention.end).min(sentence.1)),
                mention: (mention.start, mention.end),
                singular: frame.singular,
            });
        }
    }
    found
}

/// Every commitment frame, first person and company, not cancelled by an exception.
fn find_frames(lex: &CompiledLexicon, hits: &Hits, text: &str) -> Vec<Frame> {
    let mut frames: Vec<Frame> = Vec::with_capacity(8);
    for (gated, singular) in [(&lex.first_person, true), (&lex.company, false)] {
        if !hits.any(gated) {
            continue;
        }
        for (start, end) in gated.find_in(hits, text) {
            if !overlapped_by(lex.frame_except.as_ref(), hits, text, (start, end)) {
                frames.push(Frame {
                    start,
                    end,
                    singular,
                });
            }
        }
    }
    frames.sort_by_key(|f| (f.start, !f.singular));
    frames
}

/// Outcome words in a sentence with a time frame and no kind ("it'll be back tmrw") named as
/// the policy's principal outcome, so the time frame is checked against it.
fn infer_outcomes(
    lex: &CompiledLexicon,
    hits: &Hits,
    norm: &Normalised<'_>,
    policy: &Policy,
    times: &[TimeMention],
    kinds: &mut Vec<KindMention>,
) {
    let Some(outcomes) = lex.outcomes.as_ref().filter(|o| hits.any(o)) else {
        return;
    };
    let Some(kind) = verdict::principal_outcome(policy) else {
        return;
    };
    let text = norm.text.as_str();
    let mut inferred = Vec::new();
    // What arrives in the sentence before is what "it" is: "I've added 50 GB of data to your
    // SIM; it'll be there within 2 hours" times the data, not the repair.
    let mut arriving_before: Option<PromiseKind> = None;
    for (s0, s1) in norm.sentences() {
        let timed = !within(times, s0, s1, |t| t.start).is_empty();
        let sentence_kinds = within(kinds, s0, s1, |k| k.start);
        let arriving = arriving_before.take();
        arriving_before = sentence_kinds
            .iter()
            .rev()
            .map(|k| k.kind)
            .find(|k| ARRIVING_KINDS.contains(k) || *k == PromiseKind::Delivery);
        if !timed || !sentence_kinds.is_empty() {
            continue;
        }
        if let Some((start, end)) = outcomes
            .find_in(hits, text)
            .find(|(start, _)| *start >= s0 && *start < s1)
        {
            let kind = arriving.unwrap_or(kind);
            inferred.push(KindMention { start, end, kind });
        }
    }
    if !inferred.is_empty() {
        kinds.append(&mut inferred);
        kinds.sort_by_key(|m| (m.start, m.end));
    }
}

/// Every mention of a kind of commitment, in order: the lexicon's words for each kind, the
/// policy's own words for its commitments ("travel certificate"), and amounts of money.
fn find_kinds(
    lex: &CompiledLexicon,
    hits: &Hits,
    text: &str,
    words: &ScenarioWords,
) -> Vec<KindMention> {
    let mut mentions = Vec::with_capacity(8);
    for (kind, finder) in &words.trade_words {
        for start in finder.find_iter(text.as_bytes()) {
            let end = start + finder.needle().len();
            let bytes = text.as_bytes();
            let starts_word = start == 0 || !is_word_byte(bytes[start - 1]);
            let ends_word = end == bytes.len() || !is_word_byte(bytes[end]);
            if starts_word && ends_word {
                mentions.push(KindMention {
                    start,
                    end,
                    kind: *kind,
                });
            }
        }
    }
    let mut amounts_found = Vec::new();
    for kind in lex.kinds.iter().filter(|kind| hits.any(&kind.regex)) {
        for (start, end) in kind.regex.find_in(hits, text) {
            if !overlapped_by(kind.except.as_ref(), hits, text, (start, end)) {
                mentions.push(KindMention {
                    start,
                    end,
                    kind: kind.kind,
                });
            }
        }
    }
    mentions.sort_by_key(|m| (m.start, m.end));
    if let Some((amounts, follows, otherwise)) = &lex.amounts
        && hits.any(amounts)
    {
        let named = mentions.len();
        let longest = mentions.iter().map(|k| k.end - k.start).max().unwrap_or(0);
        let bytes = text.as_bytes();
        // One sweep: amounts come in order, so the sentence start and the nearest kind they
        // follow only move forward (long replies stay linear).
        let mut scanned = 0;
        let mut sentence_start = 0;
        let mut next_named = 0;
        let mut followed: Option<&KindMention> = None;
        for range in amounts.find_in(hits, text) {
            while scanned < range.0 {
                if is_sentence_end(bytes, scanned) {
                    sentence_start = scanned + 1;
                }
                scanned += 1;
            }
            while next_named < named && mentions[next_named].start < range.0 {
                if follows.contains(&mentions[next_named].kind) {
                    followed = Some(&mentions[next_named]);
                }
                next_named += 1;
            }
            // An amount inside a kind's own words ("a £10 credit") is that kind's.
            let before_end = mentions[..named].partition_point(|k| k.start < range.1);
            let inside = mentions[..before_end]
                .iter()
                .rev()
                .take_while(|k| k.start + longest > range.0)
                .any(|k| overlaps((k.start, k.end), range));
            // So is one naming them next ("a $75 travel certificate").
            let names_next = || {
                mentions[before_end..named]
                    .first()
                    .is_some_and(|k| text[range.1..k.start].trim().is_empty())
            };
            if inside || names_next() {
                continue;
            }
            // Else the kind it comes before in its sentence ("the $687 will be returned to your
            // card").
            let before = || {
                mentions[before_end..named]
                    .iter()
                    .find(|k| follows.contains(&k.kind))
                    .filter(|k| !(range.1..k.start).any(|at| is_sentence_end(bytes, at)))
            };
            let kind = followed
                .filter(|k| k.start >= sentence_start)
                .or_else(before)
                .map_or(*otherwise, |k| k.kind);
            let except = lex
                .kinds
                .iter()
                .find(|k| k.kind == kind)
                .and_then(|k| k.except.as_ref());
            if !overlapped_by(except, hits, text, range) {
                amounts_found.push(KindMention {
                    start: range.0,
                    end: range.1,
                    kind,
                });
            }
        }
        if !amounts_found.is_empty() {
            mentions.append(&mut amounts_found);
            mentions.sort_by_key(|m| (m.start, m.end));
        }
    }
    mentions
}
