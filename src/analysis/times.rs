//! Stage 4, interpretation: the time frames of a reply ("within 2 days", "5 to 7 business
//! days", "by Saturday", "this afternoon"), in hours, or in minutes from the call when the
//! scenario says when the call takes place (see [`super::clock`]).

use super::lexicon::CompiledLexicon;
use super::matches::{Groups, Hits};

/// A time frame found in a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TimeMention {
    pub start: usize,
    pub end: usize,
    /// The hours it means; `None` for a date that cannot be turned into hours ("by Friday"
    /// when the call's time is not known).
    pub hours: Option<u32>,
    /// For a phrase naming a moment ("by Friday", "this afternoon"), the minutes from the call
    /// to it, when the call's time is known.
    pub minutes_from_call: Option<u32>,
}

/// Every time frame in a normalised text, in order, the longest where two overlap.
pub(crate) fn find_times(
    lex: &CompiledLexicon,
    hits: &Hits,
    text: &str,
    call_at: Option<crate::scenario::CallTime>,
) -> Vec<TimeMention> {
    let mut times = Vec::with_capacity(8);
    for gated in lex.ranges.iter().chain(&lex.counted) {
        if !hits.any(gated) {
            continue;
        }
        for groups in gated.captures_in(hits, text) {
            if let Some(time) = counted_time(lex, &groups) {
                times.push(time);
            }
        }
    }
    for (gated, hours) in lex.fixed.iter().filter(|(gated, _)| hits.any(gated)) {
        for (start, end) in gated.find_in(hits, text) {
            if names_a_thing(lex, &text[end..]) {
                continue;
            }
            // With the call's time known, a phrase naming a moment is counted to it.
            let minutes_from_call =
                call_at.and_then(|call| super::clock::minutes_until(&text[start..end], call));
            times.push(TimeMention {
                start,
                end,
                hours: minutes_from_call.map(super::clock::hours).or(*hours),
                minutes_from_call,
            });
        }
    }
    times.sort_by_key(|t| (t.start, std::cmp::Reverse(t.end)));
    let mut kept: Vec<TimeMention> = Vec::with_capacity(times.len());
    for time in times {
        match kept.last_mut() {
            Some(last) if time.start < last.end => {
                // Two readings of overlapping words: keep the wider, and a known number of hours.
                if time.end > last.end
                    || (last.hours.is_none() && time.hours.is_some() && time.end == last.end)
                {
                    *last = time;
                }
            }
            _ => kept.push(time),
        }
    }
    kept
}

/// Whether a time phrase is the possessive of a thing rather than a deadline ("tonight's stay",
/// "today's order"), from the text right after it.
fn names_a_thing(lex: &CompiledLexicon, after: &str) -> bool {
    after
        .strip_prefix("'s ")
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_alphabetic()).next())
        .is_some_and(|word| lex.possessed.contains(word))
}

/// The hours of a counted time frame ("within 2 days" = 48), or of a range's lower bound.
fn counted_time(lex: &CompiledLexicon, groups: &Groups<'_>) -> Option<TimeMention> {
    let (start, end) = groups.whole()?;
    let count = number(lex, groups.name("n")?.2)?;
    let unit = groups.name("unit")?.2;
    let per_unit = unit_hours(lex, unit)?;
    // Minutes and other units under an hour still take an hour in the ledger.
    let hours = count.saturating_mul(per_unit).max(1);
    Some(TimeMention {
        start,
        end,
        hours: Some(hours),
        minutes_from_call: None,
    })
}

/// A number in digits or words.
fn number(lex: &CompiledLexicon, words: &str) -> Option<u32> {
    let words = words.trim();
    words
        .parse::<u32>()
        .ok()
        .or_else(|| lex.numbers.get(words).copied())
}

/// The hours in one unit, singular or plural.
fn unit_hours(lex: &CompiledLexicon, unit: &str) -> Option<u32> {
    let unit = unit.trim();
    lex.units
        .get(unit)
        .or_else(|| lex.units.get(unit.strip_suffix('s').unwrap_or(unit)))
        .copied()
}
