//! The labelled replies the learned reader is trained and cross-validated on: the files, their
//! format (as `tests/it/labelled.rs` measures them) and the context each set is read in.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::linear::{LABEL_COUNT, Label};
use crate::analysis::{Polarity, ReplyContext};
use crate::scenario::{CallTime, Diagnostic, Policy, load_scenario};

/// The files and folders of labelled replies the shipped model is trained on, relative to the
/// crate root. Folders are read for `*.ron` files, recursively, in name order. The held-out and
/// blind sets (`tests/data/holdout`, `tests/data/blind`) are never among them: they measure the
/// reader, and a set it was trained on could no longer say how it reads replies nobody wrote
/// for it.
pub const TRAINING_SETS: [&str; 3] = [
    "tests/data/labelled-replies.ron",
    "tests/data/tuned",
    "tests/data/train",
];

/// A labelled file: replies read in one context, written out or taken from a shipped scenario
/// (`scenario: "double-charge"`), whose fields the set's own non-empty ones override.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledSet {
    #[serde(default)]
    pub scenario: Option<String>,
    #[serde(default)]
    pub call_at: Option<CallTime>,
    #[serde(default)]
    pub customer_name: String,
    #[serde(default)]
    pub already_given: Vec<String>,
    #[serde(default)]
    pub policy: Policy,
    pub replies: Vec<LabelledReply>,
}

/// A reply and what a QA lead marked in it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledReply {
    pub text: String,
    pub labels: Vec<(String, Polarity)>,
    pub overpromise: bool,
}

impl LabelledReply {
    /// The five labels the QA lead's marks add up to.
    pub fn gold(&self) -> [bool; LABEL_COUNT] {
        Label::ALL.map(|label| {
            if label == Label::Overpromise {
                return self.overpromise;
            }
            let (_, polarity, members) = super::combine::criteria(label);
            self.labels
                .iter()
                .any(|(c, p)| *p == polarity && members.contains(&c.as_str()))
        })
    }
}

/// The call a set's replies are read in.
#[derive(Debug, Clone)]
pub struct SetContext {
    pub customer_name: String,
    pub already_given: Vec<String>,
    pub policy: Policy,
    pub call_at: Option<CallTime>,
}

impl SetContext {
    /// The analysers' view of it.
    pub fn reply_context(&self) -> ReplyContext<'_> {
        ReplyContext {
            customer_name: &self.customer_name,
            policy: &self.policy,
            already_given: &self.already_given,
            call_at: self.call_at,
            flags: &[],
        }
    }
}

impl LabelledSet {
    /// The set's context: its own fields, over those of the shipped scenario it names (read from
    /// `root/scenarios`).
    pub fn context(&self, root: &Path) -> Result<SetContext, Box<Diagnostic>> {
        let mut context = SetContext {
            customer_name: self.customer_name.clone(),
            already_given: self.already_given.clone(),
            policy: self.policy.clone(),
            call_at: self.call_at,
        };
        let Some(id) = &self.scenario else {
            return Ok(context);
        };
        let scenario = load_scenario(&root.join("scenarios").join(format!("{id}.ron")))?.scenario;
        if context.customer_name.is_empty() {
            context.customer_name = scenario.persona.name.clone();
        }
        if context.already_given.is_empty() {
            context.already_given = scenario.persona.already_given.clone();
        }
        let policy = &context.policy;
        if policy.facts.is_empty()
            && policy.commitments.is_empty()
            && policy.jargon.is_empty()
            && policy.customer.is_empty()
        {
            context.policy = scenario.policy.clone();
        }
        if context.call_at.is_none() {
            context.call_at = scenario.call_at;
        }
        Ok(context)
    }

    /// The context it is grouped by in cross-validation: its scenario, or its file's name without
    /// a trailing number (`late-delivery-2` → `late-delivery`), so sets of one call are held out
    /// together.
    pub fn group(&self, path: &Path) -> String {
        if let Some(id) = &self.scenario {
            return id.clone();
        }
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        match stem.rsplit_once('-') {
            Some((head, tail)) if tail.bytes().all(|b| b.is_ascii_digit()) => head.to_owned(),
            _ => stem.to_owned(),
        }
    }
}

/// A labelled file, loaded, with its context.
#[derive(Debug)]
pub struct LoadedSet {
    /// Relative to the root it was found under.
    pub path: PathBuf,
    pub group: String,
    pub set: LabelledSet,
    pub context: SetContext,
}

/// Every labelled file under the training sets of `root`, in a fixed order.
pub fn training_paths(root: &Path) -> Vec<PathBuf> {
    let mut paths = Vec::new();
    for entry in TRAINING_SETS {
        collect_ron(&root.join(entry), &mut paths);
    }
    paths
        .into_iter()
        .map(|p| p.strip_prefix(root).map(Path::to_path_buf).unwrap_or(p))
        .collect()
}

fn collect_ron(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_file() {
        if path.extension().is_some_and(|e| e == "ron") {
            out.push(path.to_path_buf());
        }
        return;
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return;
    };
    let mut children: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    children.sort();
    for child in children {
        collect_ron(&child, out);
    }
}

/// Loads labelled files (paths relative to `root`).
pub fn load(root: &Path, paths: &[PathBuf]) -> Result<Vec<LoadedSet>, Box<Diagnostic>> {
    paths
        .iter()
        .map(|path| {
            let (set, _) = crate::scenario::load::load_ron::<LabelledSet>(&root.join(path))?;
            let context = set.context(root)?;
            Ok(LoadedSet {
                path: path.clone(),
                group: set.group(path),
                set,
                context,
            })
        })
        .collect()
}
