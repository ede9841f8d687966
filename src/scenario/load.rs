//! Reading RON files (scenarios, test plans, rubrics, scripts) into typed values with precise diagnostics.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::diagnostics::{Code, Diagnostic, SourceFile};
use super::model::Scenario;

/// The largest file the loader reads; anything bigger is surely not a hand-written scenario.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// How deep RON values may nest before the loader gives up.
pub const MAX_NESTING: usize = 128;

/// File name endings of the RON files in a library that are not scenarios.
pub const NON_SCENARIO_SUFFIXES: [&str; 4] = [
    ".testplan.ron",
    ".rubric.ron",
    ".lexicon.ron",
    ".script.ron",
];

/// A scenario together with the file it came from.
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    pub scenario: Scenario,
    pub source: SourceFile,
    /// The content hash, computed once at load.
    hash: String,
}

impl LoadedScenario {
    /// The directory the scenario's relative paths are resolved against.
    pub fn dir(&self) -> &Path {
        self.source.path.parent().unwrap_or(Path::new("."))
    }

    /// Pairs a parsed scenario with its source, hashing the source once.
    pub fn new(scenario: Scenario, source: SourceFile) -> Self {
        let hash = content_hash(&source.text);
        LoadedScenario {
            scenario,
            source,
            hash,
        }
    }

    /// A stable hash of the file's content, recorded in transcripts.
    pub fn content_hash(&self) -> &str {
        &self.hash
    }
}

/// The SHA-256 of a text, in hex, shortened to 16 characters.
pub fn content_hash(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(text.as_bytes());
    hex::encode(&digest[..8])
}

/// Reads a file's text, refusing what cannot be a RON document: only a regular file of at most
/// [`MAX_FILE_BYTES`] is read (see [`crate::files::read_bounded`]).
pub fn read_source(path: &Path) -> Result<SourceFile, Box<Diagnostic>> {
    let unreadable = |message: String, help: &str| {
        Box::new(Diagnostic::new(Code::Unreadable, path, message).with_help(help))
    };
    let bytes = crate::files::read_bounded(path, MAX_FILE_BYTES).map_err(|error| {
        use crate::files::ReadError;
        match error {
            ReadError::Open { source, .. } => unreadable(
                format!("cannot read `{}`: {source}", path.display()),
                "check the path and the file's permissions; `rapport list` shows the shipped scenarios",
            ),
            ReadError::NotAFile {
                kind: "a directory",
                ..
            } => unreadable(
                format!("`{}` is a directory, not a file", path.display()),
                "name a `.ron` file, or use `rapport validate DIR` to check a whole directory",
            ),
            ReadError::NotAFile { kind, .. } => unreadable(
                format!("`{}` is {kind}, not a regular file", path.display()),
                "name a `.ron` file saved on disk; Rapport reads no pipes or devices",
            ),
            too_large @ ReadError::TooLarge { .. } => unreadable(
                too_large.to_string(),
                "a scenario is a hand-written file of a few kilobytes; check you named the right file",
            ),
        }
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
        let line = prefix.matches('\n').count() + 1;
        let col = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        unreadable(
            format!(
                "`{}:{line}:{col}` is not valid UTF-8 (byte {valid})",
                path.display()
            ),
            "save the file as UTF-8",
        )
    })?;
    if text.trim().is_empty() {
        return Err(unreadable(
            format!("`{}` is empty", path.display()),
            "run `rapport new NAME` to write a starter scenario",
        ));
    }
    Ok(SourceFile::new(path, text))
}

/// Parses a RON document of any Rapport type, turning errors into diagnostics.
pub fn parse_ron<T: DeserializeOwned>(source: &SourceFile) -> Result<T, Box<Diagnostic>> {
    let options = ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .with_recursion_limit(MAX_NESTING);
    options
        .from_str::<T>(&source.text)
        .map_err(|e| Box::new(super::ron_errors::diagnose_ron_error(source, &e)))
}

/// Reads and parses a RON file of any Rapport type.
pub fn load_ron<T: DeserializeOwned>(path: &Path) -> Result<(T, SourceFile), Box<Diagnostic>> {
    let source = read_source(path)?;
    let value = parse_ron(&source)?;
    Ok((value, source))
}

/// Reads and parses a scenario file (syntax and types only; see `validate` for the rest).
pub fn load_scenario(path: &Path) -> Result<LoadedScenario, Box<Diagnostic>> {
    let (scenario, source) = load_ron::<Scenario>(path)?;
    Ok(LoadedScenario::new(scenario, source))
}

/// Parses scenario text that has no file (tests, benchmarks, generated content).
pub fn parse_scenario(name: &str, text: &str) -> Result<LoadedScenario, Box<Diagnostic>> {
    let source = SourceFile::new(name, text);
    let scenario = parse_ron(&source)?;
    Ok(LoadedScenario::new(scenario, source))
}

/// Whether a path names a scenario file (a `.ron` that is not a test plan, rubric, lexicon or script).
pub fn is_scenario_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.ends_with(".ron") && !NON_SCENARIO_SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// Expands files and directories into the scenario files they hold, sorted by path.
pub fn collect_scenario_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Box<Diagnostic>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let found = crate::files::walk_files(path, is_scenario_file);
            if found.is_empty() {
                return Err(Box::new(
                    Diagnostic::new(
                        Code::NoScenarios,
                        path,
                        format!("`{}` holds no scenario files (`*.ron`)", path.display()),
                    )
                    .with_help(
                        "point at the directory that holds your scenarios, e.g. `scenarios/`",
                    ),
                ));
            }
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}
