//! The learned reader: a model trained on the project's labelled replies that reads the five
//! judgements the rules find hardest (empathic, disrespect, over-promise, ownership, deflection)
//! from a reply's words and the rules' own reading, and revises that reading where it is sure.
//!
//! The model is language data like the lexicon: one file per language
//! (`scenarios/models/en.reader.txt`), written by the trainer (`examples/train_reader.rs`, see
//! [`train`]) from the labelled sets and built into the binary, so nothing is downloaded or
//! loaded at run time and the same reply always reads the same. Every finding it adds names the
//! words it rests on ("learned: …").

pub mod combine;
pub mod corpus;
pub mod features;
pub mod linear;
pub mod train;

use std::sync::{Arc, OnceLock};

use super::normalise::Normalised;
use super::{Reading, ReplyContext};
use linear::{Label, LinearModel, ModelError, Score};

/// The shipped models, by language.
const SHIPPED_MODELS: [(&str, &str, &str); 1] = [(
    "en",
    "scenarios/models/en.reader.txt",
    include_str!("../../../scenarios/models/en.reader.txt"),
)];

/// A trained model and how it revises a reading.
#[derive(Debug, Clone, PartialEq)]
pub struct LearnedReader {
    pub model: LinearModel,
}

impl LearnedReader {
    /// The shipped reader of a language, parsed once per process; `None` for a language that has
    /// no model yet (its replies are read by the rules alone).
    pub fn shipped(language: &str) -> Option<Arc<LearnedReader>> {
        static ENGLISH: OnceLock<Arc<LearnedReader>> = OnceLock::new();
        let (_, name, text) = SHIPPED_MODELS.iter().find(|(l, _, _)| *l == language)?;
        let reader = ENGLISH.get_or_init(|| {
            // The shipped model is tested (`the_shipped_model_is_the_trained_one`).
            let model = LinearModel::parse(name, text)
                .unwrap_or_else(|e| panic!("the shipped reader model is invalid: {e}"));
            Arc::new(LearnedReader { model })
        });
        Some(Arc::clone(reader))
    }

    /// A reader from a model file's text.
    pub fn from_text(name: &str, text: &str) -> Result<LearnedReader, ModelError> {
        Ok(LearnedReader {
            model: LinearModel::parse(name, text)?,
        })
    }

    /// The model's probabilities for a reply, from its normalised text and the rules' reading.
    pub fn score(&self, text: &str, rules: &Reading) -> [Score; linear::LABEL_COUNT] {
        let features = features::extract(text, rules);
        self.model.score(features.values())
    }

    /// Revises the rules' reading of a reply where the model is confident it is wrong.
    pub fn revise(&self, norm: &Normalised<'_>, ctx: &ReplyContext<'_>, reading: &mut Reading) {
        let scores = self
            .model
            .score(features::extract(&norm.text, reading).values());
        // Where the model agrees with the rules on every label (most replies), nothing changes.
        let disagrees = Label::ALL.into_iter().any(|label| {
            let thresholds = self.model.thresholds[label.index()];
            let score = &scores[label.index()];
            let read = combine::RulesRead::of(reading, ctx.policy, label);
            read.decide(thresholds, score.probability) != read.holds
        });
        if !disagrees {
            return;
        }
        let rules = reading.clone();
        // The same features as scored, now borrowed from the copy while `reading` changes.
        let features = features::extract(&norm.text, &rules);
        let seen = combine::Seen {
            model: &self.model,
            features: &features,
            norm,
            rules: &rules,
            policy: ctx.policy,
        };
        for label in Label::ALL {
            let thresholds = self.model.thresholds[label.index()];
            combine::apply(label, &scores[label.index()], thresholds, &seen, reading);
        }
    }
}

#[cfg(test)]
mod tests;
