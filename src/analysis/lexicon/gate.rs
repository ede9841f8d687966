//! The gate: every pattern of the lexicon in one lazy DFA, so one pass over a reply says which
//! patterns can match and where their matches end; and the compiled patterns found back from there.

use super::*;

/// A compiled pattern list: the regex and the pattern text it was built from.
///
/// Built without a literal prefilter: the gate already says where the regex matches, so it is
/// only ever searched in short stretches of a reply, where starting up a prefilter costs more
/// than the plain lazy-DFA scan it would save.
#[derive(Debug)]
pub(crate) struct Pattern {
    pub(crate) regex: meta::Regex,
    pub(crate) source: String,
    /// Whether it can match the empty string (then a search may find one more, empty, match
    /// right where the last one ended).
    pub(crate) may_be_empty: bool,
    /// Its longest match in bytes (`None`: unbounded).
    pub(crate) max_len: Option<usize>,
}

impl Pattern {
    /// Compiles a pattern as the lexicon's patterns are: bytes of ASCII, no Unicode classes.
    pub(crate) fn new(source: &str) -> Result<Pattern, Box<meta::BuildError>> {
        let syntax = syntax::Config::new().unicode(false);
        let (may_be_empty, max_len) = match syntax::parse_with(source, &syntax) {
            Ok(hir) => (
                hir.properties().minimum_len() == Some(0),
                hir.properties().maximum_len(),
            ),
            Err(_) => (true, None),
        };
        let regex = meta::Regex::builder()
            .syntax(syntax)
            .configure(
                meta::Config::new()
                    .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
                    .auto_prefilter(false),
            )
            .build(source)
            .map_err(Box::new)?;
        Ok(Pattern {
            regex,
            source: source.to_owned(),
            may_be_empty,
            max_len,
        })
    }

    /// Where iterating its matches may stop: after one that ends at `last_end`, the end of the
    /// last match the gate saw, unless it can match the empty string there too.
    pub(crate) fn stop_after(&self, last_end: Option<usize>) -> Option<usize> {
        last_end.filter(|_| !self.may_be_empty)
    }

    /// The pattern text.
    pub(crate) fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether it matches anywhere in the text.
    pub(crate) fn is_match(&self, text: &str) -> bool {
        self.regex.is_match(text)
    }

    /// The successive non-overlapping matches, leftmost first, as `(start, end)`.
    pub(crate) fn find_iter<'a>(
        &'a self,
        text: &'a str,
    ) -> impl Iterator<Item = (usize, usize)> + 'a {
        self.regex.find_iter(text).map(|m| (m.start(), m.end()))
    }

    /// Every group of every successive match over the whole text, for tests of the gate.
    #[cfg(test)]
    pub(crate) fn every_group(&self, text: &str) -> Vec<Vec<Option<(usize, usize)>>> {
        self.regex
            .captures_iter(text)
            .map(|captures| {
                let groups = captures.group_len();
                (0..groups)
                    .map(|g| captures.get_group(g).map(|span| (span.start, span.end)))
                    .collect()
            })
            .collect()
    }

    /// How many groups it has, the whole match first.
    pub(crate) fn group_len(&self) -> usize {
        self.regex.group_info().group_len(PatternID::ZERO)
    }

    /// The names of its groups.
    pub(crate) fn group_names(&self) -> impl Iterator<Item = &str> {
        self.regex
            .group_info()
            .pattern_names(PatternID::ZERO)
            .flatten()
    }
}

/// A lexicon pattern that parses, with the word boundaries the lexicon adds, and its longest
/// match in bytes (`None`: unbounded), read off the same parse.
pub(crate) struct Checked {
    pub(crate) source: String,
    pub(crate) max_len: Option<usize>,
}

/// One match with its groups, in positions of the whole text.
pub(crate) struct Groups<'t> {
    pub(crate) text: &'t str,
    pub(crate) captures: Captures,
}

impl<'t> Groups<'t> {
    /// The whole match.
    pub(crate) fn whole(&self) -> Option<(usize, usize)> {
        let span = self.captures.get_match()?.span();
        Some((span.start, span.end))
    }

    /// Every group's range, the whole match first, for tests of the gate.
    #[cfg(test)]
    pub(crate) fn every_group(&self) -> Vec<Option<(usize, usize)>> {
        (0..self.captures.group_len())
            .map(|g| {
                let span = self.captures.get_group(g)?;
                Some((span.start, span.end))
            })
            .collect()
    }

    /// A named group: its range and its words.
    pub(crate) fn name(&self, name: &str) -> Option<(usize, usize, &'t str)> {
        // The regexes have a handful of groups: looking along their names is cheaper than
        // hashing the name.
        let index = self
            .captures
            .group_info()
            .pattern_names(PatternID::ZERO)
            .position(|group| group == Some(name))?;
        let span = self.captures.get_group(index)?;
        Some((span.start, span.end, &self.text[span.range()]))
    }
}

/// A compiled phrase rule.
#[derive(Debug)]
pub(crate) struct Rule {
    pub id: SmolStr,
    pub criterion: Option<SmolStr>,
    pub polarity: Polarity,
    pub intents: Vec<Intent>,
    pub note: SmolStr,
    pub regex: Gated,
    pub negatable: bool,
    pub except: Option<Gated>,
    pub suppresses: Vec<usize>,
    /// The rules whose matches cancel this rule's (the inverse of `suppresses`).
    pub suppressed_by: Vec<usize>,
}

/// A compiled pattern list and where its patterns sit in the lexicon's gate.
#[derive(Debug)]
pub(crate) struct Gated {
    pub regex: Pattern,
    /// Its patterns in the gate: any of them matching means the regex matches somewhere.
    pub(crate) gate: Range<usize>,
    /// Its pattern in the gate's [`Spans`], which finds its matches where the gate saw them end.
    pub(crate) span: PatternID,
    /// Its backtracker in the gate, when it has groups to read (see [`Gated::captures_in`]).
    pub(crate) capture: Option<usize>,
    /// Whether it may hold a text anchor (`^`, `$`, `\A`, `\z`), which a search of part of the
    /// text cannot be gated for. Conservative: any `^` or `$`, even escaped or in a class.
    pub(crate) anchored: bool,
}

/// Where the lexicon's patterns match in one reply: the result of the gate's pass.
///
/// Every position at which some match of each gate pattern ends, sorted by pattern and then by
/// position: the `i`th is where pattern `patterns[i]` matched, ending at `ends[i]`. A reply
/// touches a handful of patterns, so nothing here grows with the size of the lexicon. When the
/// gate could not run (its DFA gave up) `ran` is false, and every pattern may match anywhere.
pub(crate) struct Hits<'g> {
    pub(crate) ran: bool,
    pub(crate) patterns: Vec<u32>,
    pub(crate) ends: Vec<u32>,
    pub(crate) gate: &'g Gate,
    /// This thread's search state, held for the whole reply.
    pub(crate) caches: RefCell<PoolGuard<'g, Caches, CacheMaker>>,
    /// For each pattern of the gate, its hits' place in `patterns` and `ends` (see
    /// [`Caches::slots`], lent to the reply while it is read); empty when the gate did not run.
    pub(crate) slot_table: Vec<(u32, u32)>,
    /// The matches over the whole reply of the short regexes asked about so far, by their first
    /// pattern in the gate.
    pub(crate) matches: RefCell<Vec<(usize, Matches)>>,
}

impl Drop for Hits<'_> {
    /// Hands the slot table and the hit lists back to the thread's caches for the next reply
    /// (a gate that did not run borrowed none of them).
    fn drop(&mut self) {
        if !self.ran {
            return;
        }
        let caches = self.caches.get_mut();
        caches.slots = std::mem::take(&mut self.slot_table);
        caches.hit_lists = (
            std::mem::take(&mut self.patterns),
            std::mem::take(&mut self.ends),
        );
    }
}

/// A regex's matches in a reply, as `(start, end)`, in order.
pub(crate) type Matches = Vec<(usize, usize)>;

impl Hits<'_> {
    /// Where the hits of the gate's patterns `range` are in `patterns` and `ends`.
    pub(crate) fn slots(&self, range: &Range<usize>) -> Range<usize> {
        // Most regexes are one pattern of the gate: their slots are read off the table.
        if range.len() == 1
            && let Some(&(from, to)) = self.slot_table.get(range.start)
        {
            return from as usize..to as usize;
        }
        let from = self
            .patterns
            .partition_point(|&p| (p as usize) < range.start);
        let to = from + self.patterns[from..].partition_point(|&p| (p as usize) < range.end);
        from..to
    }

    /// The match ends of the gate's patterns `range`, each with its pattern's longest match;
    /// `None` when the gate could not run.
    pub(crate) fn ends_in(
        &self,
        range: &Range<usize>,
    ) -> Option<impl Iterator<Item = (usize, Option<usize>)>> {
        if !self.ran {
            return None;
        }
        let max_len = &self.gate.max_len;
        let slots = self.slots(range);
        Some(
            self.patterns[slots.clone()]
                .iter()
                .zip(&self.ends[slots])
                .map(move |(&p, &end)| (end as usize, max_len[p as usize])),
        )
    }

    /// Whether every match of the gated regex is at most [`NEARBY`] bytes long (and the gate ran,
    /// and it has no text anchors): then what overlaps a range is read off its matches over the
    /// whole reply.
    pub(crate) fn is_short(&self, gated: &Gated) -> bool {
        self.ran
            && !gated.anchored
            && self.gate.max_len[gated.gate.clone()]
                .iter()
                .all(|len| len.is_some_and(|len| len <= NEARBY))
    }

    /// Calls `f` with the gated regex's matches over the whole reply, found once per reply.
    pub(crate) fn with_matches<R>(
        &self,
        gated: &Gated,
        text: &str,
        f: impl FnOnce(&[(usize, usize)]) -> R,
    ) -> R {
        let key = gated.gate.start;
        if let Some((_, found)) = self.matches.borrow().iter().find(|(k, _)| *k == key) {
            return f(found);
        }
        let found: Matches = gated.find_in(self, text).collect();
        let result = f(&found);
        self.matches.borrow_mut().push((key, found));
        result
    }

    /// The most match ends an unbounded regex is found back from; past that it is searched for
    /// (each match would otherwise look back from every later end).
    const UNBOUNDED_ENDS: usize = 32;

    /// Every position where the gate saw a match of the gated regex end, in order, when its
    /// matches can be found back from there: the gate ran, the regex has no text anchors and
    /// cannot match the empty string, and an unbounded one has few ends.
    pub(crate) fn exact_ends(&self, gated: &Gated) -> Option<Cow<'_, [u32]>> {
        if !self.ran || gated.anchored || gated.regex.may_be_empty {
            return None;
        }
        let slots = self.slots(&gated.gate);
        let one_pattern =
            self.patterns[slots.clone()].first() == self.patterns[slots.clone()].last();
        let ends = &self.ends[slots];
        let ends = if one_pattern {
            Cow::Borrowed(ends)
        } else {
            let mut all = ends.to_vec();
            all.sort_unstable();
            all.dedup();
            Cow::Owned(all)
        };
        (gated.regex.max_len.is_some() || ends.len() <= Self::UNBOUNDED_ENDS).then_some(ends)
    }

    /// The gated regex's first match at or after `from`, found back from its `ends`.
    pub(crate) fn next_exact(
        &self,
        gated: &Gated,
        text: &str,
        from: usize,
        ends: &[u32],
    ) -> Result<Option<(usize, usize)>, MatchError> {
        let caches = &mut self.caches.borrow_mut().spans;
        self.gate
            .spans
            .next_match(caches, gated.span, text, from, ends, gated.regex.max_len)
    }

    /// Whether the gated regex matches anywhere in the reply.
    pub fn any(&self, gated: &Gated) -> bool {
        !self.ran || !self.slots(&gated.gate).is_empty()
    }

    /// The gate's patterns that match somewhere, in order.
    pub(crate) fn matching(&self) -> impl Iterator<Item = usize> + '_ {
        let every = if self.ran {
            0..0
        } else {
            0..self.gate.max_len.len()
        };
        let mut previous = None;
        every.chain(self.patterns.iter().filter_map(move |&p| {
            let new = previous != Some(p);
            previous = Some(p);
            new.then_some(p as usize)
        }))
    }

    /// Whether some match of the gated regex may overlap `range`: a match ends after its start
    /// and starts (at the latest, its pattern's longest match before its end) before its end.
    pub(crate) fn may_overlap(&self, gated: &Gated, range: (usize, usize)) -> bool {
        let Some(mut ends) = self.ends_in(&gated.gate) else {
            return true;
        };
        ends.any(|(end, max_len)| end > range.0 && max_len.is_none_or(|len| end < range.1 + len))
    }

    /// The part of `text` where every match of the gated regex lies, widened to word edges so that
    /// searching it sees what searching the whole text sees; `None` when it matches nowhere.
    ///
    /// A match ends where the gate saw one of its patterns end, and starts at most that pattern's
    /// longest match before: from the earliest such start to the latest end.
    pub(crate) fn window(&self, gated: &Gated, text: &str) -> Option<Window> {
        let everywhere = Window {
            from: 0,
            to: text.len(),
            last_end: None,
        };
        let Some(ends) = self.ends_in(&gated.gate) else {
            return Some(everywhere);
        };
        let mut window: Option<(usize, usize)> = None;
        for (end, max_len) in ends {
            let start = max_len.map_or(0, |len| end.saturating_sub(len));
            window = Some(window.map_or((start, end), |(s, e)| (s.min(start), e.max(end))));
        }
        let (from, last_end) = window?;
        if gated.anchored {
            return Some(everywhere);
        }
        let bytes = text.as_bytes();
        let mut from = from.min(bytes.len());
        while from > 0 && is_regex_word_byte(bytes[from - 1]) {
            from -= 1;
        }
        let mut to = last_end.min(bytes.len());
        while to < bytes.len() && is_regex_word_byte(bytes[to]) {
            to += 1;
        }
        Some(Window {
            from: floor(text, from),
            to: ceil(text, to),
            last_end: Some(last_end),
        })
    }
}

/// Where a gated regex's matches lie in a reply (see [`Hits::window`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
    pub(crate) from: usize,
    pub(crate) to: usize,
    /// Where its last match ends, when the gate knows: a search past a match that ends there
    /// finds nothing more.
    pub(crate) last_end: Option<usize>,
}

impl Gated {
    /// The matches of the regex in the text, as [`Pattern::find_iter`] finds them over the whole
    /// text: found back from where the gate saw them end (see [`Spans::next_match`]), or, where
    /// that cannot be done, searched for only where the gate saw them.
    pub(crate) fn find_in<'a>(
        &'a self,
        hits: &'a Hits<'_>,
        text: &'a str,
    ) -> impl Iterator<Item = (usize, usize)> + 'a {
        let mut exact = hits.exact_ends(self);
        let mut searched: Option<Box<dyn Iterator<Item = (usize, usize)> + 'a>> = match exact {
            Some(_) => None,
            None => Some(Box::new(self.search_window(hits, text))),
        };
        let mut from = 0;
        std::iter::from_fn(move || {
            if let Some(ends) = &exact {
                match hits.next_exact(self, text, from, ends) {
                    Ok(found) => {
                        let (start, end) = found?;
                        from = end;
                        return Some((start, end));
                    }
                    // The DFAs gave up (they do not on the lexicon's ASCII patterns): search the
                    // rest of the text as the regex always could.
                    Err(_) => {
                        exact = None;
                        let rest = Input::new(text).range(from..);
                        searched = Some(Box::new(
                            self.regex
                                .regex
                                .find_iter(rest)
                                .map(|m| (m.start(), m.end())),
                        ));
                    }
                }
            }
            searched.as_mut()?.next()
        })
    }

    /// Whether its groups are read by a backtracker of the gate.
    #[cfg(test)]
    pub(crate) fn has_backtracker(&self) -> bool {
        self.capture.is_some()
    }

    /// The matches with their groups, successive and leftmost first over the whole text: each
    /// match [`Gated::find_in`] finds, with its groups read within it.
    pub(crate) fn captures_in<'a>(
        &'a self,
        hits: &'a Hits<'_>,
        text: &'a str,
    ) -> impl Iterator<Item = Groups<'a>> + 'a {
        self.find_in(hits, text).filter_map(move |(start, end)| {
            let input = Input::new(text).range(start..end).anchored(Anchored::Yes);
            // The match is known, so its groups are read straight off it by the backtracker
            // (the regex would first search for the match again).
            if let Some(index) = self.capture {
                let backtracker = &hits.gate.captures[index];
                let mut captures = backtracker.create_captures();
                let cache = &mut hits.caches.borrow_mut().captures[index];
                if backtracker.try_search(cache, &input, &mut captures).is_ok() {
                    return captures.is_match().then_some(Groups { text, captures });
                }
            }
            let mut captures = self.regex.regex.create_captures();
            self.regex.regex.search_captures(&input, &mut captures);
            captures.is_match().then_some(Groups { text, captures })
        })
    }

    /// The matches of the regex in the stretch of `text` where the gate saw it match, placed in
    /// the whole text, stopping after the one that ends where the gate's last match does.
    pub(crate) fn search_window<'a>(
        &'a self,
        hits: &Hits<'_>,
        text: &'a str,
    ) -> impl Iterator<Item = (usize, usize)> + 'a {
        let window = hits.window(self, text);
        let from = window.map_or(0, |w| w.from);
        let mut found = window.map(|w| self.regex.find_iter(&text[w.from..w.to]));
        let stop = window.and_then(|w| self.regex.stop_after(w.last_end));
        std::iter::from_fn(move || {
            let (start, end) = found.as_mut()?.next()?;
            if stop.is_some_and(|last| from + end >= last) {
                found = None;
            }
            Some((from + start, from + end))
        })
    }
}

/// The gate: every pattern of the lexicon in one lazy DFA that reports, in one overlapping pass,
/// each position where a match of each pattern ends.
pub(crate) struct Gate {
    pub(crate) dfa: std::sync::Arc<DFA>,
    /// Every gated regex, one pattern each: finds a match where the gate saw it end.
    pub(crate) spans: std::sync::Arc<Spans>,
    /// The gated regexes that have groups, each as a backtracker that reads them off a match.
    pub(crate) captures: std::sync::Arc<Vec<BoundedBacktracker>>,
    /// One set of search caches per thread that reads replies.
    pub(crate) caches: Pool<Caches, CacheMaker>,
    /// Each pattern's longest match in bytes (`None`: unbounded).
    pub(crate) max_len: Vec<Option<usize>>,
}

/// The search state of one thread: the gate's and the spans'.
#[derive(Debug, Clone)]
pub(crate) struct Caches {
    pub(crate) gate: Cache,
    pub(crate) spans: SpanCaches,
    /// One per backtracker of the gate.
    pub(crate) captures: Vec<backtrack::Cache>,
    /// For each pattern of the gate, where its hits are in the last reply's [`Hits`]
    /// (`patterns` and `ends`); empty for a pattern that did not match.
    pub(crate) slots: Vec<(u32, u32)>,
    /// The patterns whose `slots` are set, to be cleared before the next reply.
    pub(crate) touched: Vec<u32>,
    /// The gate's pass gathers its `(pattern, end)` pairs here.
    pub(crate) found: Vec<(u32, u32)>,
    /// The `patterns` and `ends` of [`Hits`], lent to each reply and handed back.
    pub(crate) hit_lists: (Vec<u32>, Vec<u32>),
}

pub(crate) type CacheMaker =
    Box<dyn Fn() -> Caches + Send + Sync + std::panic::UnwindSafe + std::panic::RefUnwindSafe>;

impl Caches {
    /// Records where each pattern's hits are in `patterns` (sorted by pattern), clearing what
    /// the previous reply left: the cost follows the hits, not the size of the lexicon.
    pub(crate) fn mark_slots(&mut self, patterns: &[u32], pattern_count: usize) {
        if self.slots.len() == pattern_count {
            for pattern in self.touched.drain(..) {
                self.slots[pattern as usize] = (0, 0);
            }
        } else {
            // A reply read before never handed the table back (it unwound): start afresh.
            self.slots = vec![(0, 0); pattern_count];
            self.touched.clear();
        }
        let mut from = 0;
        while from < patterns.len() {
            let pattern = patterns[from];
            let to = from + patterns[from..].partition_point(|&p| p == pattern);
            self.slots[pattern as usize] = (from as u32, to as u32);
            self.touched.push(pattern);
            from = to;
        }
    }
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gate")
            .field("patterns", &self.max_len.len())
            .finish_non_exhaustive()
    }
}

impl Gate {
    /// One pass over a normalised reply.
    pub(crate) fn hits(&self, text: &str) -> Hits<'_> {
        let mut caches = self.caches.get();
        let gave_up = |caches| Hits {
            ran: false,
            patterns: Vec::new(),
            ends: Vec::new(),
            gate: self,
            caches: RefCell::new(caches),
            slot_table: Vec::new(),
            matches: RefCell::default(),
        };
        // Replies are far shorter than 4 GiB (the engine caps them).
        if u32::try_from(text.len()).is_err() {
            return gave_up(caches);
        }
        // The thread's buffer, grown once to what its replies need.
        let mut found = std::mem::take(&mut caches.found);
        found.clear();
        if self.pass(&mut caches.gate, text, &mut found).is_err() {
            caches.found = found;
            return gave_up(caches);
        }
        // Found left to right, so a stable sort by pattern leaves each pattern's ends in order;
        // each (pattern, end) is found once.
        found.sort_by_key(|&(pattern, _)| pattern);
        let (mut patterns, mut ends) = std::mem::take(&mut caches.hit_lists);
        patterns.clear();
        ends.clear();
        patterns.extend(found.iter().map(|&(pattern, _)| pattern));
        ends.extend(found.iter().map(|&(_, end)| end));
        caches.found = found;
        caches.mark_slots(&patterns, self.max_len.len());
        let slot_table = std::mem::take(&mut caches.slots);
        Hits {
            ran: true,
            patterns,
            ends,
            gate: self,
            caches: RefCell::new(caches),
            slot_table,
            matches: RefCell::default(),
        }
    }

    /// The gate's pass: every `(pattern, end)` of a match in the text, left to right, as an
    /// overlapping search reports them one call at a time, here gathered in one walk of the DFA.
    ///
    /// The lazy DFA reports a match one byte late: entering a match state on the byte at `at`
    /// means its patterns' matches end at `at`, and the end-of-text transition reports those
    /// that end with the text. A match state lists each of its patterns once.
    pub(crate) fn pass(
        &self,
        cache: &mut Cache,
        text: &str,
        found: &mut Vec<(u32, u32)>,
    ) -> Result<(), MatchError> {
        let dfa = &*self.dfa;
        let bytes = text.as_bytes();
        let record = |cache: &Cache, sid: LazyStateID, at: usize, found: &mut Vec<(u32, u32)>| {
            for index in 0..dfa.match_len(cache, sid) {
                found.push((dfa.match_pattern(cache, sid, index).as_u32(), at as u32));
            }
        };
        let mut sid = dfa.start_state_forward(cache, &Input::new(text))?;
        for (at, &byte) in bytes.iter().enumerate() {
            sid = dfa
                .next_state(cache, sid, byte)
                .map_err(|_| MatchError::gave_up(at))?;
            if sid.is_tagged() {
                if sid.is_match() {
                    record(cache, sid, at, found);
                } else if sid.is_dead() {
                    return Ok(());
                } else if sid.is_quit() {
                    return Err(MatchError::quit(byte, at));
                }
            }
        }
        sid = dfa
            .next_eoi_state(cache, sid)
            .map_err(|_| MatchError::gave_up(bytes.len()))?;
        if sid.is_match() {
            record(cache, sid, bytes.len(), found);
        }
        Ok(())
    }

    /// The gate's pass as the library's overlapping search makes it, for the tests to hold
    /// [`Gate::pass`] to.
    #[cfg(test)]
    pub(crate) fn overlapping_search(
        &self,
        cache: &mut Cache,
        text: &str,
    ) -> Option<Vec<(u32, u32)>> {
        let input = Input::new(text);
        let mut state = regex_automata::hybrid::dfa::OverlappingState::start();
        let mut found = Vec::new();
        loop {
            self.dfa
                .try_search_overlapping_fwd(cache, &input, &mut state)
                .ok()?;
            let Some(half) = state.get_match() else {
                return Some(found);
            };
            found.push((half.pattern().as_u32(), half.offset() as u32));
        }
    }
}

/// Collects the patterns of the gate while the lexicon compiles.
#[derive(Default)]
pub(crate) struct GateBuilder {
    pub(crate) patterns: Vec<String>,
    /// Each pattern's longest match in bytes (`None`: unbounded).
    pub(crate) max_len: Vec<Option<usize>>,
    /// The gated regexes, for the gate's [`Spans`].
    pub(crate) regexes: Vec<String>,
    /// The gated regexes that have groups, for the gate's backtrackers.
    pub(crate) captured: Vec<String>,
}

impl GateBuilder {
    /// Registers a regex as one pattern of the gate.
    pub(crate) fn gate(&mut self, regex: Pattern) -> Gated {
        let at = self.patterns.len();
        self.patterns.push(regex.as_str().to_owned());
        self.max_len.push(regex.max_len);
        self.gated(regex, at..at + 1)
    }

    /// A regex whose patterns are `gate` in the gate.
    pub(crate) fn gated(&mut self, regex: Pattern, gate: Range<usize>) -> Gated {
        let span = PatternID::new_unchecked(self.regexes.len());
        self.regexes.push(regex.as_str().to_owned());
        let capture = (regex.group_len() > 1).then(|| {
            self.captured.push(regex.as_str().to_owned());
            self.captured.len() - 1
        });
        Gated::new(regex, gate, span, capture)
    }

    /// Registers one checked pattern of a phrase rule.
    pub(crate) fn push(&mut self, checked: Checked) {
        self.patterns.push(checked.source);
        self.max_len.push(checked.max_len);
    }

    pub(crate) fn gate_option(&mut self, regex: Option<Pattern>) -> Option<Gated> {
        regex.map(|regex| self.gate(regex))
    }
}

impl Gated {
    pub(crate) fn new(
        regex: Pattern,
        gate: Range<usize>,
        span: PatternID,
        capture: Option<usize>,
    ) -> Self {
        let source = regex.as_str();
        let anchored = source.contains('^')
            || source.contains('$')
            || source.contains(r"\A")
            || source.contains(r"\z");
        Gated {
            regex,
            gate,
            span,
            capture,
            anchored,
        }
    }
}
