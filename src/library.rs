//! The scenario library: where scenarios live, listing them, and resolving `ID` or a file name to a file.

use std::path::{Path, PathBuf};

use crate::scenario::load::{collect_scenario_files, is_scenario_file, load_scenario};
use crate::scenario::{Code, Diagnostic, LoadedScenario};

/// The environment variable that points at a scenario library.
pub const LIBRARY_ENV: &str = "RAPPORT_SCENARIOS";

/// The library directory: `$RAPPORT_SCENARIOS`, else `./scenarios`, else the one shipped in the source tree.
pub fn library_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(LIBRARY_ENV) {
        return PathBuf::from(dir);
    }
    let local = PathBuf::from("scenarios");
    if local.is_dir() {
        return local;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// Every scenario in the library that loads; files that fail are returned as diagnostics.
pub fn load_library(dir: &Path) -> (Vec<LoadedScenario>, Vec<Diagnostic>) {
    let mut loaded = Vec::new();
    let mut problems = Vec::new();
    match collect_scenario_files(&[dir.to_path_buf()]) {
        Ok(files) => {
            for file in files {
                match load_scenario(&file) {
                    Ok(scenario) => loaded.push(scenario),
                    Err(diagnostic) => problems.push(*diagnostic),
                }
            }
        }
        Err(diagnostic) => problems.push(*diagnostic),
    }
    loaded.sort_by(|a, b| a.scenario.id.cmp(&b.scenario.id));
    (loaded, problems)
}

/// The scenario a transcript was recorded on, from its header: the file it names when that is a
/// scenario file (`*.ron`, not a plan, rubric, lexicon or script), else its id looked up in the
/// library alone. A header is data read from a file, so unlike what a user types it is never
/// taken as any path to read (`/etc/passwd`, `/dev/zero`).
pub fn resolve_recorded_scenario(
    path: Option<&str>,
    id: &str,
) -> Result<LoadedScenario, Box<Diagnostic>> {
    if let Some(path) = path.map(Path::new)
        && is_scenario_file(path)
        && path.is_file()
    {
        return load_scenario(path);
    }
    let plain_id = !id.is_empty()
        && !id.starts_with('.')
        && !id.contains(['/', '\\'])
        && !Path::new(id).is_absolute();
    if !plain_id {
        return Err(Box::new(
            Diagnostic::new(
                Code::Unreadable,
                Path::new(id),
                format!("the transcript's scenario id `{id}` is not a scenario id"),
            )
            .with_help("pass the scenario with --scenario"),
        ));
    }
    let dir = library_dir();
    let file = dir.join(format!("{id}.ron"));
    if file.is_file() {
        return load_scenario(&file);
    }
    let (library, _) = load_library(&dir);
    library
        .into_iter()
        .find(|l| l.scenario.id == id)
        .ok_or_else(|| {
            Box::new(
                Diagnostic::new(
                    Code::Unreadable,
                    Path::new(id),
                    format!(
                        "no scenario with id `{id}` in the library `{}`",
                        dir.display()
                    ),
                )
                .with_help("set RAPPORT_SCENARIOS to the directory holding it, or pass --scenario"),
            )
        })
}

/// Resolves what a user typed: a path to a file, or a scenario id or file name in the library.
pub fn resolve_scenario(name: &str) -> Result<LoadedScenario, Box<Diagnostic>> {
    let path = Path::new(name);
    if path.exists() {
        return load_scenario(path);
    }
    let dir = library_dir();
    for candidate in [dir.join(name), dir.join(format!("{name}.ron"))] {
        if candidate.is_file() {
            return load_scenario(&candidate);
        }
    }
    let (library, _) = load_library(&dir);
    if let Some(found) = library.iter().find(|l| l.scenario.id == name) {
        return Ok(found.clone());
    }
    let ids: Vec<&str> = library.iter().map(|l| l.scenario.id.as_str()).collect();
    let help = match crate::scenario::suggest::nearest(name, ids.iter().copied()) {
        Some(id) => format!("did you mean `{id}`? `rapport list` shows the library"),
        None => "`rapport list` shows the library; or give the path of a `.ron` file".to_owned(),
    };
    Err(Box::new(
        Diagnostic::new(
            Code::Unreadable,
            path,
            format!(
                "no scenario file or id `{name}` (library: `{}`)",
                dir.display()
            ),
        )
        .with_help(help),
    ))
}
