//! A library's changes to the shipped lexicon of its language: patterns added to or removed from
//! its lists (`library.lexicon.ron` in the library's folder; see docs/scenario-format.md).
//!
//! A trainer adds the words of their trade ("travel certificate" under `Compensation`) or stops a
//! word counting (`ticket` as jargon) without copying the whole lexicon. Every name and pattern
//! the changes mention is checked against the shipped lexicon, and every pattern they add is
//! checked as a regular expression, with diagnostics that point into the changes file.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::compile::Compiler;
use super::{KindSpec, Lexicon};
use crate::scenario::suggest::nearest;
use crate::scenario::{Code, Diagnostic, PromiseKind, SourceFile};

/// The file in a library's folder that holds its changes to the shipped lexicon.
pub const LIBRARY_LEXICON_CHANGES: &str = "library.lexicon.ron";

/// A library's changes to the shipped lexicon, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LexiconChanges {
    /// The language of the lexicon changed (`"en"`): the scenarios' `language`.
    pub language: String,
    /// Patterns added to the lexicon's lists.
    #[serde(default)]
    pub extend: PatternChanges,
    /// Patterns taken out of the lexicon's lists, each written exactly as the lexicon has it.
    #[serde(default)]
    pub remove: Removals,
}

/// Patterns by the list they belong to, added or taken out; `Spellings` is what a change says of
/// chat spellings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListChanges<Spellings> {
    /// The words of a kind of commitment (`Compensation: ["travel certificates?"]`).
    #[serde(default)]
    pub kinds: BTreeMap<PromiseKind, Vec<String>>,
    /// Business jargon.
    #[serde(default)]
    pub jargon: Vec<String>,
    /// The patterns of a phrase rule, by its id (`"acknowledge-frustration": [...]`).
    #[serde(default)]
    pub rules: BTreeMap<String, Vec<String>>,
    /// Chat spellings.
    #[serde(default)]
    pub spellings: Spellings,
}

/// Patterns added to the lexicon's lists; chat spellings each with the word it stands for
/// (`{"tmrw": "tomorrow"}`).
pub type PatternChanges = ListChanges<BTreeMap<String, String>>;

/// Patterns taken out of the lexicon's lists, each written exactly as the lexicon has it; chat
/// spellings by the spelling (`["tmrw"]`).
pub type Removals = ListChanges<Vec<String>>;

impl Lexicon {
    /// The lexicon with a library's changes made, or a diagnostic pointing into the changes file.
    pub fn with_changes(
        mut self,
        changes: &LexiconChanges,
        source: &SourceFile,
    ) -> Result<Lexicon, Box<Diagnostic>> {
        let language = self.language.clone();
        let error = |needle: &str, message: String, help: String| {
            let span = source
                .find(&format!("{needle:?}"), 0)
                .or_else(|| source.find(needle, 0));
            Box::new(
                Diagnostic::new(Code::BadLexiconChange, &source.path, message)
                    .at(source, span, "here")
                    .with_help(help),
            )
        };
        if changes.language.trim() != language.as_str() {
            return Err(error(
                &changes.language,
                format!(
                    "the changes are to the `{}` lexicon, but the shipped lexicon is `{language}`",
                    changes.language
                ),
                format!(
                    "write `language: \"{language}\"`, the language of the library's scenarios"
                ),
            ));
        }
        // Every added pattern must be a regular expression, checked here so its diagnostic
        // points into the changes file rather than the shipped lexicon.
        let compiler = Compiler { source };
        for (owner, patterns) in changes.extend.lists() {
            for pattern in patterns {
                compiler.check(&owner, pattern)?;
            }
        }
        let rule_ids: Vec<String> = self.rules.iter().map(|r| r.id.clone()).collect();
        let unknown_rule = |id: &str| {
            let help = match nearest(id, rule_ids.iter().map(String::as_str)) {
                Some(near) => format!("did you mean `{near}`?"),
                None => "name a rule `id` of the shipped lexicon".to_owned(),
            };
            error(id, format!("the lexicon has no rule `{id}`"), help)
        };
        for (id, patterns) in &changes.extend.rules {
            let rule = self
                .rules
                .iter_mut()
                .find(|r| &r.id == id)
                .ok_or_else(|| unknown_rule(id))?;
            rule.patterns.extend(patterns.iter().cloned());
        }
        for (id, patterns) in &changes.remove.rules {
            let rule = self
                .rules
                .iter_mut()
                .find(|r| &r.id == id)
                .ok_or_else(|| unknown_rule(id))?;
            remove_patterns(
                &mut rule.patterns,
                patterns,
                &format!("rule `{id}`"),
                &error,
            )?;
        }
        for (kind, patterns) in &changes.extend.kinds {
            match self.promises.kinds.iter_mut().find(|k| k.kind == *kind) {
                Some(spec) => spec.patterns.extend(patterns.iter().cloned()),
                None => self.promises.kinds.push(KindSpec {
                    kind: *kind,
                    patterns: patterns.clone(),
                    except: Vec::new(),
                }),
            }
        }
        for (kind, patterns) in &changes.remove.kinds {
            let owner = format!("the kind `{kind:?}`");
            let Some(spec) = self.promises.kinds.iter_mut().find(|k| k.kind == *kind) else {
                return Err(error(
                    &format!("{kind:?}"),
                    format!("the lexicon has no words for {owner} to remove"),
                    "remove only patterns the shipped lexicon lists".to_owned(),
                ));
            };
            remove_patterns(&mut spec.patterns, patterns, &owner, &error)?;
        }
        self.jargon
            .patterns
            .extend(changes.extend.jargon.iter().cloned());
        remove_patterns(
            &mut self.jargon.patterns,
            &changes.remove.jargon,
            "the jargon",
            &error,
        )?;
        for (written, meant) in &changes.extend.spellings {
            self.spellings.insert(written.clone(), meant.clone());
        }
        for written in &changes.remove.spellings {
            if self.spellings.remove(written).is_none() {
                let known = self.spellings.keys().map(String::as_str);
                return Err(error(
                    written,
                    format!("the lexicon has no spelling `{written}` to remove"),
                    did_you_mean(
                        written,
                        known,
                        "remove only spellings the shipped lexicon lists",
                    ),
                ));
            }
        }
        Ok(self)
    }
}

impl<Spellings> ListChanges<Spellings> {
    /// Each list of patterns with the name its diagnostics give it.
    fn lists(&self) -> Vec<(String, &[String])> {
        let mut lists: Vec<(String, &[String])> = Vec::new();
        for (kind, patterns) in &self.kinds {
            lists.push((format!("{kind:?}"), patterns));
        }
        lists.push(("jargon".to_owned(), &self.jargon));
        for (id, patterns) in &self.rules {
            lists.push((id.clone(), patterns));
        }
        lists
    }
}

/// Takes each of `removed` out of `patterns`, where it must be written exactly as listed.
fn remove_patterns(
    patterns: &mut Vec<String>,
    removed: &[String],
    owner: &str,
    error: &impl Fn(&str, String, String) -> Box<Diagnostic>,
) -> Result<(), Box<Diagnostic>> {
    for pattern in removed {
        match patterns.iter().position(|p| p == pattern) {
            Some(at) => {
                patterns.remove(at);
            }
            None => {
                let help = did_you_mean(
                    pattern,
                    patterns.iter().map(String::as_str),
                    "write the pattern exactly as the shipped lexicon has it",
                );
                return Err(error(
                    pattern,
                    format!("{owner} has no pattern `{pattern}` to remove"),
                    help,
                ));
            }
        }
    }
    Ok(())
}

/// "did you mean `x`?" when a listed name is close, else the general advice.
fn did_you_mean<'c>(
    found: &str,
    candidates: impl IntoIterator<Item = &'c str>,
    otherwise: &str,
) -> String {
    match nearest(found, candidates) {
        Some(near) => format!("did you mean `{near}`?"),
        None => otherwise.to_owned(),
    }
}

#[cfg(test)]
mod tests;
