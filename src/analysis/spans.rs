//! Exact matches from the gate's match ends: each lexicon regex is found where the gate saw it end.
//!
//! The gate's one pass over a reply says where a match of each pattern ends. From there a match
//! is found in two short steps, each over the match's own bytes rather than the reply: a reverse
//! search anchored at an end finds the leftmost start of a match ending there, and a forward
//! search anchored at the leftmost of those starts finds where the regex's preferred match from
//! it ends. That is exactly the match a leftmost-first search of the whole reply finds (see
//! [`Spans::next_match`]), at a fraction of its cost. Every regex of the lexicon is one pattern
//! of two multi-pattern lazy DFAs (forward and reversed), each searched for one pattern at a time.

use regex_automata::hybrid::BuildError;
use regex_automata::hybrid::dfa::{Cache, DFA};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input, MatchError, MatchKind, PatternID};

/// The most memory each of the two DFAs may cache per thread; they only grow as far as the
/// replies read need (a few hundred KiB for the shipped lexicon).
const SPANS_DFA_LIMIT: usize = 16 * 1024 * 1024;

/// The lexicon's regexes as two lazy DFAs that find one pattern's match at a known place.
#[derive(Debug)]
pub(crate) struct Spans {
    /// Leftmost-first, one anchored start per pattern: where a match starting here ends.
    forward: DFA,
    /// Reversed, every match: where the leftmost match ending here starts.
    reverse: DFA,
}

/// The per-thread search state of [`Spans`].
#[derive(Debug, Clone)]
pub(crate) struct SpanCaches {
    forward: Cache,
    reverse: Cache,
}

impl Spans {
    /// Builds both DFAs over the regexes (one pattern each, in order).
    pub(crate) fn new(patterns: &[String], nfa_limit: usize) -> Result<Spans, Box<BuildError>> {
        let build = |reverse: bool, kind: MatchKind| {
            DFA::builder()
                .configure(
                    DFA::config()
                        .match_kind(kind)
                        .starts_for_each_pattern(true)
                        .cache_capacity(SPANS_DFA_LIMIT),
                )
                .syntax(syntax::Config::new().unicode(false))
                .thompson(
                    thompson::Config::new()
                        .reverse(reverse)
                        .nfa_size_limit(Some(nfa_limit))
                        .which_captures(WhichCaptures::None),
                )
                .build_many(patterns)
                .map_err(Box::new)
        };
        Ok(Spans {
            forward: build(false, MatchKind::LeftmostFirst)?,
            reverse: build(true, MatchKind::All)?,
        })
    }

    /// Fresh search state for one thread.
    pub(crate) fn create_caches(&self) -> SpanCaches {
        SpanCaches {
            forward: self.forward.create_cache(),
            reverse: self.reverse.create_cache(),
        }
    }

    /// The leftmost start at or after `from` of a match of `pattern` that ends at `end`.
    fn leftmost_start(
        &self,
        caches: &mut SpanCaches,
        pattern: PatternID,
        text: &str,
        from: usize,
        end: usize,
    ) -> Result<Option<usize>, MatchError> {
        let input = Input::new(text)
            .range(from..end)
            .anchored(Anchored::Pattern(pattern));
        Ok(self
            .reverse
            .try_search_rev(&mut caches.reverse, &input)?
            .map(|half| half.offset()))
    }

    /// Where the preferred match of `pattern` that starts at `start` ends.
    fn preferred_end(
        &self,
        caches: &mut SpanCaches,
        pattern: PatternID,
        text: &str,
        start: usize,
    ) -> Result<Option<usize>, MatchError> {
        let input = Input::new(text)
            .range(start..)
            .anchored(Anchored::Pattern(pattern));
        Ok(self
            .forward
            .try_search_fwd(&mut caches.forward, &input)?
            .map(|half| half.offset()))
    }

    /// The first match of `pattern` at or after `from`, as a leftmost-first search of the text
    /// from `from` finds it, given every position where a match of it ends (`ends`, ascending)
    /// and its longest match (`max_len`; `None`: unbounded). The pattern must not match the
    /// empty string.
    ///
    /// Why it is exact: that search reports the match whose start is leftmost, and from that
    /// start the one the regex prefers. Every match at or after `from` ends at one of `ends`,
    /// so its start is no further left than the leftmost start found back from its end; the
    /// leftmost of those starts is the search's, and the forward search anchored there prefers
    /// as the search does. Ends are visited in order, and once an end lies more than the longest
    /// match past the best start so far no later end can begin further left. The preferred match
    /// from the start ends at one of `ends` no further than the longest match away, so when only
    /// one end lies there the forward search is not needed.
    pub(crate) fn next_match(
        &self,
        caches: &mut SpanCaches,
        pattern: PatternID,
        text: &str,
        from: usize,
        ends: &[u32],
        max_len: Option<usize>,
    ) -> Result<Option<(usize, usize)>, MatchError> {
        let mut best: Option<usize> = None;
        // A match at or after `from` ends after it (it is not empty).
        let after = ends.partition_point(|&end| end as usize <= from);
        for &end in &ends[after..] {
            let end = end as usize;
            if let (Some(best), Some(len)) = (best, max_len)
                && end >= best + len
            {
                break;
            }
            let lowest = max_len.map_or(from, |len| from.max(end.saturating_sub(len)));
            if let Some(start) = self.leftmost_start(caches, pattern, text, lowest, end)? {
                best = Some(best.map_or(start, |b| b.min(start)));
            }
        }
        let Some(start) = best else {
            return Ok(None);
        };
        // A match starting there exists, so the preferred one does, and it ends at one of the
        // ends within the longest match of the start: when only one end lies there, that is it.
        let beyond = max_len.map_or(usize::MAX, |len| start.saturating_add(len));
        let after_start = &ends[ends.partition_point(|&end| end as usize <= start)..];
        if let [only, rest @ ..] = after_start
            && (*only as usize) <= beyond
            && rest.first().is_none_or(|&next| next as usize > beyond)
        {
            return Ok(Some((start, *only as usize)));
        }
        Ok(self
            .preferred_end(caches, pattern, text, start)?
            .map(|end| (start, end)))
    }
}
