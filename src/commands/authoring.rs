//! Trainers' commands: `list`, `validate`, `new` and `graph`.

use std::path::{Path, PathBuf};

use comfy_table::{Table, presets::UTF8_FULL_CONDENSED};

use super::{Status, report};
use crate::cli::{Format, GraphLanguage};
use rapport::library::{library_dir, load_library};
use rapport::scenario::diagnostics::JsonDiagnostic;
use rapport::scenario::graph::{GraphFormat, render_graph};
use rapport::scenario::load::{collect_scenario_files, load_scenario};
use rapport::scenario::scaffold::{slug, starter_scenario};
use rapport::scenario::{
    Code, Diagnostic, Severity, ValidateOptions, validate as validate_scenario,
};
use rapport::scoring::Rubric;

/// `rapport list`.
pub fn list(format: Format) -> anyhow::Result<Status> {
    let dir = library_dir();
    let (library, problems) = load_library(&dir);
    for problem in &problems {
        report(problem);
    }
    match format {
        Format::Json => {
            let rows: Vec<serde_json::Value> = library
                .iter()
                .map(|l| {
                    let s = &l.scenario;
                    serde_json::json!({
                        "id": s.id, "title": s.title, "channel": s.channel.label(),
                        "difficulty": s.difficulty.label(), "persona": s.persona.name,
                        "summary": s.summary, "file": l.source.path.display().to_string(),
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&rows)?);
        }
        Format::Human => {
            let mut table = Table::new();
            table.load_style(UTF8_FULL_CONDENSED);
            table.set_header(["id", "title", "channel", "difficulty", "customer"]);
            for l in &library {
                let s = &l.scenario;
                table.add_row([
                    s.id.as_str(),
                    s.title.as_str(),
                    s.channel.label(),
                    s.difficulty.label(),
                    s.persona.name.as_str(),
                ]);
            }
            println!("{table}");
            println!("{} scenarios in {}", library.len(), dir.display());
        }
    }
    Ok(if problems.is_empty() {
        Status::Ok
    } else {
        Status::Failed
    })
}

/// `rapport validate PATH...`.
pub fn validate(paths: &[PathBuf], format: Format, deny_warnings: bool) -> anyhow::Result<Status> {
    let (diagnostics, files, unreadable) = check_scenarios(paths, deny_warnings);
    Ok(emit(&diagnostics, format, files, unreadable))
}

/// `rapport validate --watch PATH...`: validates again on every save, printing what changed.
pub fn validate_watching(paths: &[PathBuf], deny_warnings: bool) -> anyhow::Result<Status> {
    super::watch::watch(paths, || {
        let (diagnostics, files, _) = check_scenarios(paths, deny_warnings);
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        super::watch::Results {
            lines: diagnostics
                .iter()
                .map(|d| {
                    let severity = if d.is_error() { "error" } else { "warning" };
                    format!("{severity}[{}] {}: {}", d.code, d.location(), d.message)
                })
                .collect(),
            summary: format!(
                "{files} file(s) checked: {errors} error(s), {} warning(s)",
                diagnostics.len() - errors
            ),
        }
    })?;
    Ok(Status::Ok)
}

/// Loads and validates every scenario under `paths`: the diagnostics, how many files were
/// checked, and whether one could not be read.
fn check_scenarios(paths: &[PathBuf], deny_warnings: bool) -> (Vec<Diagnostic>, usize, bool) {
    let files = match collect_scenario_files(paths) {
        Ok(files) => files,
        Err(diagnostic) => return (vec![*diagnostic], 0, true),
    };
    let options = ValidateOptions {
        assets_dir: None,
        criteria: Some(Rubric::shipped().criterion_ids()),
    };
    let mut all = Vec::new();
    let mut unreadable = false;
    // A library folder's changes to the shipped lexicon are checked with its scenarios.
    for dir in paths.iter().filter(|p| p.is_dir()) {
        if let Err(diagnostic) = rapport::analysis::Analyser::for_folder(dir) {
            all.push(*diagnostic);
        }
    }
    for file in &files {
        match load_scenario(file) {
            Ok(loaded) => all.extend(validate_scenario(&loaded, &options)),
            Err(diagnostic) => {
                unreadable |= diagnostic.code == Code::Unreadable;
                all.push(*diagnostic);
            }
        }
    }
    if deny_warnings {
        for diagnostic in &mut all {
            diagnostic.severity = Severity::Error;
        }
    }
    (all, files.len(), unreadable)
}

/// Prints diagnostics and a summary; returns the exit status.
fn emit(diagnostics: &[Diagnostic], format: Format, files: usize, unreadable: bool) -> Status {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    match format {
        Format::Json => {
            let json: Vec<JsonDiagnostic> = diagnostics.iter().map(JsonDiagnostic::from).collect();
            let out = serde_json::json!({"files": files, "errors": errors, "warnings": warnings, "diagnostics": json});
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
        Format::Human => {
            for diagnostic in diagnostics {
                report(diagnostic);
            }
            eprintln!("{files} file(s) checked: {errors} error(s), {warnings} warning(s)");
        }
    }
    if unreadable {
        Status::Usage
    } else if errors > 0 {
        Status::Failed
    } else {
        Status::Ok
    }
}

/// `rapport new NAME`.
pub fn new(name: &str, output: Option<PathBuf>, force: bool) -> anyhow::Result<Status> {
    let path = output.unwrap_or_else(|| PathBuf::from(format!("{}.ron", slug(name))));
    if path.exists() && !force {
        eprintln!(
            "error: `{}` already exists; choose another name with --output, or --force to overwrite it",
            path.display()
        );
        return Ok(Status::Usage);
    }
    if let Err(e) = std::fs::write(&path, starter_scenario(name)) {
        eprintln!("error: cannot write `{}`: {e}", path.display());
        return Ok(Status::Usage);
    }
    println!("{}", path.display());
    eprintln!(
        "Wrote a starter scenario. Edit it, then check it with `rapport validate {}`.",
        path.display()
    );
    Ok(Status::Ok)
}

/// `rapport graph FILE`.
pub fn graph(file: &Path, format: GraphLanguage) -> anyhow::Result<Status> {
    let loaded = match load_scenario(file) {
        Ok(loaded) => loaded,
        Err(diagnostic) => {
            report(&diagnostic);
            return Ok(Status::Usage);
        }
    };
    let format = match format {
        GraphLanguage::Mermaid => GraphFormat::Mermaid,
        GraphLanguage::Dot => GraphFormat::Dot,
    };
    print!("{}", render_graph(&loaded.scenario, format));
    Ok(Status::Ok)
}
