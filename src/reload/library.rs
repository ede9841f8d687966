//! A scenario library kept live: the last good version of every scenario (loaded and validated
//! against its rubric), what is wrong with each file that fails now, and the analysers built from
//! the library's lexicon; reloaded from the files that changed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::analysis::{Analyser, LIBRARY_LEXICON_CHANGES};
use crate::runner::Examiner;
use crate::scenario::load::{collect_scenario_files, is_scenario_file, load_scenario};
use crate::scenario::{Diagnostic, LoadedScenario, ValidateOptions, validate};
use crate::scoring::Rubric;

/// The library's own whole lexicon, in the library's folder, read instead of the shipped one.
/// Without it the shipped lexicon is used, with the library's changes to it when it has some
/// ([`LIBRARY_LEXICON_CHANGES`]).
pub const LIBRARY_LEXICON: &str = "default.lexicon.ron";

/// The ending of rubric files' names.
const RUBRIC_SUFFIX: &str = ".rubric.ron";

/// A library whose scenarios and lexicon follow their files.
#[derive(Debug)]
pub struct LiveLibrary {
    dir: PathBuf,
    /// The last version of each scenario file that loaded and validated, by path.
    good: BTreeMap<PathBuf, LoadedScenario>,
    /// The errors of each file (scenario or lexicon) that does not load or validate as it is now.
    broken: BTreeMap<PathBuf, Vec<Diagnostic>>,
    /// The analysers (of the library's lexicon when it compiles, else the shipped one) and the
    /// shipped rubric.
    examiner: Examiner,
}

/// What a reload changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LibraryChange {
    /// The files that changed on disk.
    pub files: Vec<PathBuf>,
    /// Scenario files with a new good version (edited, added, or their rubric edited).
    pub reloaded: Vec<PathBuf>,
    /// Scenario files that are gone from disk.
    pub removed: Vec<PathBuf>,
    /// Files that changed and now fail to load or validate; their last good version stays.
    pub broken: Vec<PathBuf>,
    /// Whether the analysers were rebuilt (the lexicon changed, or went back to the shipped one).
    pub analysers_reloaded: bool,
}

impl LiveLibrary {
    /// Loads every scenario and the lexicon of the library in `dir`.
    pub fn load(dir: &Path) -> LiveLibrary {
        let mut broken = BTreeMap::new();
        let analyser = match read_lexicon(dir) {
            Ok(analyser) => analyser,
            Err((path, diagnostic)) => {
                broken.insert(path, vec![*diagnostic]);
                Analyser::shipped()
            }
        };
        let mut live = LiveLibrary {
            dir: dir.to_path_buf(),
            good: BTreeMap::new(),
            broken,
            examiner: Examiner {
                analyser: Arc::new(analyser),
                rubric: Arc::new(Rubric::shipped()),
            },
        };
        match collect_scenario_files(&[dir.to_path_buf()]) {
            Ok(files) => {
                for file in files {
                    live.check_scenario(&file);
                }
            }
            Err(diagnostic) => {
                live.broken.insert(dir.to_path_buf(), vec![*diagnostic]);
            }
        }
        live
    }

    /// The library's folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The good version of every scenario, sorted by id.
    pub fn scenarios(&self) -> Vec<&LoadedScenario> {
        let mut scenarios: Vec<&LoadedScenario> = self.good.values().collect();
        scenarios.sort_by(|a, b| a.scenario.id.cmp(&b.scenario.id));
        scenarios
    }

    /// The good version of the scenario file at `path`.
    pub fn scenario_at(&self, path: &Path) -> Option<&LoadedScenario> {
        self.good.get(path)
    }

    /// The errors of every file that fails now, by file.
    pub fn problems(&self) -> &BTreeMap<PathBuf, Vec<Diagnostic>> {
        &self.broken
    }

    /// The errors of the file at `path`, if it fails now.
    pub fn problems_with(&self, path: &Path) -> Option<&[Diagnostic]> {
        self.broken.get(path).map(Vec::as_slice)
    }

    /// The analysers and rubric calls are played and scored with.
    pub fn examiner(&self) -> &Examiner {
        &self.examiner
    }

    /// Reloads what the `changed` files affect: the lexicon, the scenarios edited, added or
    /// removed, and the scenarios whose rubric was edited.
    pub fn reload(&mut self, changed: &[PathBuf]) -> LibraryChange {
        let mut change = LibraryChange {
            files: changed.to_vec(),
            ..LibraryChange::default()
        };
        let lexicons = self.lexicon_paths();
        if lexicons.iter().any(|path| changed.contains(path)) {
            change.analysers_reloaded = self.reload_lexicon();
            for path in lexicons {
                if self.broken.contains_key(&path) {
                    change.broken.push(path);
                }
            }
        }
        let rubrics: BTreeSet<&PathBuf> = changed.iter().filter(|p| is_rubric_file(p)).collect();
        let mut to_check: BTreeSet<PathBuf> = changed
            .iter()
            .filter(|p| is_scenario_file(p) && p.starts_with(&self.dir))
            .cloned()
            .collect();
        if !rubrics.is_empty() {
            // A scenario's rubric is named inside it, and a broken scenario has no parsed name to
            // look at: every scenario is checked again (a library is tens of files).
            to_check.extend(self.good.keys().cloned());
            to_check.extend(self.broken.keys().filter(|p| is_scenario_file(p)).cloned());
        }
        for path in to_check {
            if !path.is_file() {
                let known = self.good.remove(&path).is_some() | self.broken.remove(&path).is_some();
                if known {
                    change.removed.push(path);
                }
                continue;
            }
            let before = self.good.get(&path).map(|l| l.content_hash().to_owned());
            self.check_scenario(&path);
            if self.broken.contains_key(&path) {
                if changed.contains(&path) {
                    change.broken.push(path);
                }
                continue;
            }
            let now = self.good.get(&path);
            let rubric_changed = now
                .and_then(rubric_path)
                .is_some_and(|rubric| rubrics.contains(&rubric));
            if before.as_deref() != now.map(LoadedScenario::content_hash) || rubric_changed {
                change.reloaded.push(path);
            }
        }
        change
    }

    /// Where the library's whole lexicon and its changes to the shipped one are (or would be).
    fn lexicon_paths(&self) -> [PathBuf; 2] {
        [
            self.dir.join(LIBRARY_LEXICON),
            self.dir.join(LIBRARY_LEXICON_CHANGES),
        ]
    }

    /// Builds the analysers again from the library's lexicon: the shipped one when the file is
    /// gone; the last good ones, with the file's error kept, when it does not compile. Whether
    /// the analysers changed.
    fn reload_lexicon(&mut self) -> bool {
        for path in self.lexicon_paths() {
            self.broken.remove(&path);
        }
        let analyser = match read_lexicon(&self.dir) {
            Ok(analyser) => analyser,
            Err((path, diagnostic)) => {
                self.broken.insert(path, vec![*diagnostic]);
                return false;
            }
        };
        self.examiner.analyser = Arc::new(analyser);
        true
    }

    /// Loads and validates one scenario file: a good version replaces the last, a failing one
    /// keeps the last and records the errors.
    fn check_scenario(&mut self, path: &Path) {
        match check_scenario_file(path, &self.examiner) {
            Ok(loaded) => {
                self.broken.remove(path);
                self.good.insert(path.to_path_buf(), loaded);
            }
            Err(errors) => {
                self.broken.insert(path.to_path_buf(), errors);
            }
        }
    }
}

/// A scenario file as `rapport validate` checks it: it loads, its rubric (its own, or the
/// shipped one) loads, and validation against that rubric's criteria finds no error.
fn check_scenario_file(
    path: &Path,
    examiner: &Examiner,
) -> Result<LoadedScenario, Vec<Diagnostic>> {
    let loaded = load_scenario(path).map_err(|d| vec![*d])?;
    let rubric = examiner.rubric_for(&loaded).map_err(|d| vec![*d])?;
    let options = ValidateOptions {
        assets_dir: None,
        criteria: Some(rubric.criterion_ids()),
    };
    let errors: Vec<Diagnostic> = validate(&loaded, &options)
        .into_iter()
        .filter(Diagnostic::is_error)
        .collect();
    if errors.is_empty() {
        Ok(loaded)
    } else {
        Err(errors)
    }
}

/// The analysers of a library folder: its whole lexicon when it has one, else the shipped lexicon
/// with the library's changes (see [`Analyser::for_folder`]). An error names the file at fault.
fn read_lexicon(dir: &Path) -> Result<Analyser, (PathBuf, Box<Diagnostic>)> {
    let whole = dir.join(LIBRARY_LEXICON);
    if whole.is_file() {
        return Analyser::load(&whole).map_err(|d| (whole, d));
    }
    Analyser::for_folder(dir).map_err(|d| (dir.join(LIBRARY_LEXICON_CHANGES), d))
}

/// The rubric file a scenario names, as a path in its folder.
fn rubric_path(loaded: &LoadedScenario) -> Option<PathBuf> {
    let relative = loaded.scenario.rubric.as_ref()?;
    Some(loaded.dir().join(relative))
}

fn is_rubric_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(RUBRIC_SUFFIX))
}
