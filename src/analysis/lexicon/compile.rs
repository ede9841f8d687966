//! Compiling a lexicon: every pattern list checked and built, with diagnostics that point into
//! the lexicon file, and the pattern set built over all of them.

use regex_automata::util::syntax;

use super::*;

/// Compiles patterns with the source at hand for diagnostics.
pub(crate) struct Compiler<'s> {
    pub(crate) source: &'s SourceFile,
}

impl Compiler<'_> {
    /// A diagnostic pointing at `needle` in the file (a pattern as written, or an id).
    pub(crate) fn error(&self, needle: &str, message: String, help: &str) -> Box<Diagnostic> {
        let span = self
            .source
            .find(&format!("{needle:?}"), 0)
            .or_else(|| self.source.find(needle, 0));
        Box::new(
            Diagnostic::new(Code::WrongType, &self.source.path, message)
                .at(self.source, span, "here")
                .with_help(help),
        )
    }

    /// One pattern, with word boundaries added where it starts or ends with a word character.
    pub(crate) fn bounded(pattern: &str) -> String {
        let starts_word = pattern
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        let ends_word = pattern
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        format!(
            "{}(?:{pattern}){}",
            if starts_word { ASCII_BOUNDARY } else { "" },
            if ends_word { ASCII_BOUNDARY } else { "" }
        )
    }

    /// Checks one pattern parses, for a precise diagnostic; what only building it can find (a
    /// pattern too big) is found when its list is built (see [`Compiler::build_failure`]).
    pub(crate) fn check(&self, owner: &str, pattern: &str) -> Result<String, Box<Diagnostic>> {
        if pattern.trim().is_empty() {
            return Err(self.error(
                owner,
                format!("an empty pattern in `{owner}`"),
                "remove the empty string, or write the phrase it should match",
            ));
        }
        let bounded = Self::bounded(pattern);
        match syntax::parse_with(&bounded, &syntax::Config::new().unicode(false)) {
            Ok(_) => Ok(bounded),
            Err(e) => Err(self.invalid(owner, pattern, &e.to_string())),
        }
    }

    /// The diagnostic for a pattern that is not a valid regular expression.
    pub(crate) fn invalid(&self, owner: &str, pattern: &str, error: &str) -> Box<Diagnostic> {
        self.error(
            pattern,
            format!("invalid pattern `{pattern}` in `{owner}`: {}", first_line(error)),
            "patterns are regular expressions (https://docs.rs/regex); escape `( ) [ ] ? * + . \\` with `\\\\`",
        )
    }

    /// Why a list of patterns that each parse could not be built: the first pattern that cannot
    /// be built by itself (one too big, say), or else the list as a whole.
    pub(crate) fn build_failure(
        &self,
        owner: &str,
        patterns: &[String],
        error: &dyn std::fmt::Display,
    ) -> Box<Diagnostic> {
        for pattern in patterns {
            if let Err(e) = RegexBuilder::new(&Self::bounded(pattern))
                .unicode(false)
                .size_limit(REGEX_SIZE_LIMIT)
                .build()
            {
                return self.invalid(owner, pattern, &e.to_string());
            }
        }
        self.uncombinable(owner, error)
    }

    /// Several patterns as one alternation, or `None` for an empty list.
    pub(crate) fn alternation(
        &self,
        owner: &str,
        patterns: &[String],
    ) -> Result<Option<Pattern>, Box<Diagnostic>> {
        if patterns.is_empty() {
            return Ok(None);
        }
        let mut parts = Vec::with_capacity(patterns.len());
        for pattern in patterns {
            parts.push(self.check(owner, pattern)?);
        }
        let joined = parts.join("|");
        Pattern::new(&joined)
            .map(Some)
            .map_err(|e| self.build_failure(owner, patterns, &e))
    }

    /// The diagnostic for patterns that each compile but not together.
    pub(crate) fn uncombinable(
        &self,
        owner: &str,
        error: &dyn std::fmt::Display,
    ) -> Box<Diagnostic> {
        self.error(
            owner,
            format!(
                "the patterns of `{owner}` cannot be combined: {}",
                first_line(&error.to_string())
            ),
            "split the list or simplify its patterns",
        )
    }

    /// Each pattern of a list compiled on its own (lists whose patterns reuse group names).
    pub(crate) fn each(
        &self,
        owner: &str,
        patterns: &[String],
    ) -> Result<Vec<Pattern>, Box<Diagnostic>> {
        let mut compiled = Vec::with_capacity(patterns.len());
        for pattern in patterns {
            compiled.push(self.required(owner, std::slice::from_ref(pattern))?);
        }
        Ok(compiled)
    }

    /// Like [`Compiler::alternation`] for a list that must not be empty.
    pub(crate) fn required(
        &self,
        owner: &str,
        patterns: &[String],
    ) -> Result<Pattern, Box<Diagnostic>> {
        self.alternation(owner, patterns)?.ok_or_else(|| {
            self.error(
                owner,
                format!("`{owner}` has no patterns"),
                "add at least one pattern",
            )
        })
    }

    /// The set of every pattern registered.
    pub(crate) fn pattern_set(
        &self,
        builder: PatternSetBuilder,
    ) -> Result<PatternSet, Box<Diagnostic>> {
        builder
            .build()
            .map_err(|e| self.uncombinable("the lexicon", &e))
    }
}

/// The gist of a regex error: its `error:` line, without the pattern echoed above it.
pub(crate) fn first_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("error: "))
        .unwrap_or_else(|| text.lines().next().unwrap_or(text))
        .trim()
        .to_owned()
}

impl Lexicon {
    /// Compiles the lexicon, or says precisely what is wrong with it.
    pub fn compile(self, source: &SourceFile) -> Result<CompiledLexicon, Box<Diagnostic>> {
        let compiler = Compiler { source };
        let mut set = PatternSetBuilder::default();
        let (rules, rule_of_pattern) = compile_rules(&compiler, &mut set, &self.rules)?;
        check_criteria(&compiler, &self)?;
        let promises = &self.promises;
        let mut kinds = Vec::new();
        for spec in &promises.kinds {
            let owner = format!("{:?}", spec.kind);
            let regex = compiler.required(&owner, &spec.patterns)?;
            let except = compiler.alternation(&owner, &spec.except)?;
            kinds.push(Kind {
                kind: spec.kind,
                regex: set.list(regex),
                except: set.list_option(except),
            });
        }
        let amounts = match &promises.amounts {
            Some(spec) => Some((
                set.list(compiler.required("amounts", &spec.patterns)?),
                spec.follows.clone(),
                spec.otherwise,
            )),
            None => None,
        };
        let times = &self.timeframes;
        let counted = compiler.each("counted", &times.counted)?;
        let ranges = compiler.each("ranges", &times.ranges)?;
        for regex in &counted {
            check_groups(&compiler, "counted", Some(regex), &["n", "unit"])?;
        }
        for regex in &ranges {
            check_groups(&compiler, "ranges", Some(regex), &["n", "unit"])?;
        }
        let counted = counted.into_iter().map(|r| set.list(r)).collect();
        let ranges = ranges.into_iter().map(|r| set.list(r)).collect();
        let mut fixed = Vec::new();
        for time in &times.fixed {
            let regex = compiler.required("fixed", std::slice::from_ref(&time.pattern))?;
            fixed.push((set.list(regex), time.hours));
        }
        for (word, code) in &self.money.currencies {
            if crate::scenario::currency_code(code).is_none() {
                return Err(compiler.error(
                    code,
                    format!(
                        "the currency word `{word}` names `{code}`, which is not a currency code"
                    ),
                    "write a code such as `GBP`, `USD` or `EUR`",
                ));
            }
        }
        let asks = compiler.alternation("asks", &self.repeats.asks)?;
        check_groups(&compiler, "asks", asks.as_ref(), &["item"])?;
        let words = |list: &[String]| word_set(list.iter().map(String::as_str));
        let first_person = set.list(compiler.required("first_person", &promises.first_person)?);
        let company = set.list(compiler.required("company", &promises.company)?);
        let frame_except =
            set.list_option(compiler.alternation("frame_except", &promises.frame_except)?);
        let hedges = set.list_option(compiler.alternation("hedges", &promises.hedges)?);
        let assurances = set.list_option(compiler.alternation("assurances", &promises.assurances)?);
        let outcomes = set.list_option(compiler.alternation("outcomes", &promises.outcomes)?);
        let carried_hedges =
            set.list_option(compiler.alternation("carried_hedges", &promises.carried_hedges)?);
        let cues = set.list_option(compiler.alternation("cues", &times.cues)?);
        let jargon = set.list_option(compiler.alternation("jargon", &self.jargon.patterns)?);
        let asks = set.list_option(asks);
        let patterns = compiler.pattern_set(set)?;
        Ok(CompiledLexicon {
            negation: Negation::new(
                &self.negation.negators,
                self.negation.window,
                &self.negation.clause_breaks,
            ),
            rules,
            patterns,
            rule_of_pattern,
            first_person,
            company,
            frame_except,
            outcomes,
            negated_by_next: words(&promises.negated_by_next),
            hedges,
            assurances,
            carried_hedges,
            part_breaks: words(&promises.part_breaks),
            hand_on: words(&promises.hand_on),
            money: MoneyWords::new(&self.money.currencies, &self.money.percent),
            subjects: words(&promises.subjects),
            conditions: words(&promises.conditions),
            kinds,
            amounts,
            numbers: times
                .numbers
                .iter()
                .map(|(k, v)| (normalise_phrase(k), *v))
                .collect(),
            units: times
                .units
                .iter()
                .map(|(k, v)| (normalise_phrase(k), *v))
                .collect(),
            counted,
            ranges,
            fixed,
            cues,
            possessed: words(&times.possessed),
            jargon,
            jargon_note: self.jargon.note.into(),
            asks,
            repeat_note: self.repeats.note.into(),
            aliases: self
                .repeats
                .aliases
                .iter()
                .map(|(k, v)| {
                    (
                        normalise_phrase(k),
                        v.iter().map(|a| normalise_phrase(a)).collect(),
                    )
                })
                .collect(),
            interrogatives: words(&self.interrogatives),
            small_words: words(&self.repeats.small_words),
            titles: self.titles.iter().map(|t| normalise_phrase(t)).collect(),
            notes: self.notes,
            model_replies: self.model_replies,
            respellings: Respellings::new(&self.spellings),
            language: self.language,
        })
    }
}

/// Compiles the phrase rules: one regex per rule, and each pattern on its own in the set.
pub(crate) fn compile_rules(
    compiler: &Compiler<'_>,
    set: &mut PatternSetBuilder,
    specs: &[RuleSpec],
) -> Result<(Vec<Rule>, Vec<usize>), Box<Diagnostic>> {
    let mut rules = Vec::with_capacity(specs.len());
    let mut rule_of_pattern = Vec::new();
    let mut excepts = Vec::with_capacity(specs.len());
    for (index, spec) in specs.iter().enumerate() {
        if specs[..index].iter().any(|other| other.id == spec.id) {
            return Err(compiler.error(
                &spec.id,
                format!("two rules have the id `{}`", spec.id),
                "give each rule its own id",
            ));
        }
        let first = set.patterns.len();
        for pattern in &spec.patterns {
            set.push(compiler.check(&spec.id, pattern)?);
            rule_of_pattern.push(index);
        }
        let patterns = first..set.patterns.len();
        let mut suppresses = Vec::new();
        for id in &spec.suppresses {
            let target = specs
                .iter()
                .position(|other| &other.id == id)
                .ok_or_else(|| {
                    compiler.error(
                        id,
                        format!(
                            "rule `{}` suppresses `{id}`, which no rule defines",
                            spec.id
                        ),
                        "name the id of another rule in this file",
                    )
                })?;
            suppresses.push(target);
        }
        rules.push(Rule {
            id: SmolStr::new(&spec.id),
            criterion: spec.criterion.as_deref().map(SmolStr::new),
            polarity: spec.polarity,
            intents: spec.intents.clone(),
            note: SmolStr::new(&spec.note),
            regex: set.listed(compiler.required(&spec.id, &spec.patterns)?, patterns),
            negatable: spec.negatable,
            except: None,
            suppresses,
            suppressed_by: Vec::new(),
        });
        excepts.push(compiler.alternation(&spec.id, &spec.except)?);
    }
    // Exceptions go into the set after every rule pattern, which `rule_of_pattern` indexes.
    for (rule, except) in rules.iter_mut().zip(excepts) {
        rule.except = set.list_option(except);
    }
    for index in 0..rules.len() {
        let suppressed_by = (0..rules.len())
            .filter(|&other| rules[other].suppresses.contains(&index))
            .collect();
        rules[index].suppressed_by = suppressed_by;
    }
    Ok((rules, rule_of_pattern))
}

/// Every criterion named must belong to a dimension, and every model reply to a known criterion.
pub(crate) fn check_criteria(
    compiler: &Compiler<'_>,
    lexicon: &Lexicon,
) -> Result<(), Box<Diagnostic>> {
    for criterion in lexicon
        .rules
        .iter()
        .filter_map(|r| r.criterion.as_deref())
        .chain(lexicon.model_replies.keys().map(String::as_str))
    {
        if dimension_of(criterion).is_none() {
            return Err(compiler.error(
                criterion,
                format!("criterion `{criterion}` names no dimension"),
                "start criteria with `empathy.`, `timeliness.`, `expectations.` or `ownership.`",
            ));
        }
    }
    Ok(())
}

/// A pattern list that must define named groups.
pub(crate) fn check_groups(
    compiler: &Compiler<'_>,
    owner: &str,
    regex: Option<&Pattern>,
    groups: &[&str],
) -> Result<(), Box<Diagnostic>> {
    let Some(regex) = regex else {
        return Ok(());
    };
    let names: Vec<&str> = regex.group_names().collect();
    for group in groups {
        if !names.contains(group) {
            return Err(compiler.error(
                owner,
                format!("the patterns of `{owner}` have no group `{group}`"),
                &format!("name the part with `(?P<{group}>...)`"),
            ));
        }
    }
    Ok(())
}
