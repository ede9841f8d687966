//! Importing transcripts made elsewhere: read, score and store them, in parallel, in batched transactions.
//!
//! A bad file is reported and skipped; a store failure stops the import with every committed batch
//! kept, so running the same import again finishes it (stored sessions are skipped).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Saved, SessionRecord, Store, StoreError};
use crate::analysis::PreparedScenario;
use crate::library::resolve_recorded_scenario;
use crate::runner::Examiner;
use crate::scenario::LoadedScenario;
use crate::scoring::{Rubric, score};
use crate::transcript::read_transcript;
use crate::verify::verify_transcript;

/// Sessions written per transaction.
pub const IMPORT_BATCH: usize = 500;

/// The file extension of transcripts.
pub const TRANSCRIPT_EXTENSION: &str = "jsonl";

/// What an import reports as it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportEvent<'a> {
    /// This many more files are done (stored, skipped or failed).
    Done(usize),
    /// A file could not be imported (the message names it).
    Failed(&'a str),
    /// Something worth knowing; the file was imported.
    Warning(&'a str),
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub added: usize,
    pub already_stored: usize,
    pub failed: usize,
    /// Every trainee of the imported files.
    pub trainees: BTreeSet<String>,
}

/// An import stopped by the store; `summary` counts what was committed before.
#[derive(Debug, thiserror::Error)]
#[error("the import stopped after {} new session(s)", summary.added)]
pub struct ImportError {
    pub summary: ImportSummary,
    #[source]
    pub source: StoreError,
}

/// Every transcript under the given paths: files as given, directories searched for `*.jsonl`.
pub fn collect_transcripts(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            // Readable at all? (The walk itself skips what it cannot read.)
            std::fs::read_dir(path)?;
            files.extend(crate::files::walk_files(path, |p| {
                p.extension().is_some_and(|e| e == TRANSCRIPT_EXTENSION)
            }));
        } else {
            files.push(path.clone());
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

/// A scenario (and the analysers prepared for it, to replay on) and its rubric, loaded once per
/// worker.
type Scoring = (LoadedScenario, Arc<PreparedScenario>, Arc<Rubric>);

/// What a worker sends for one file: its record, trainee and path.
enum Message {
    Record(Box<SessionRecord>, String, PathBuf),
    Failed(String),
    Warning(String),
}

/// Reads one transcript, checks it (header and replay, see [`crate::verify`]) and scores it.
fn read_and_score(
    path: &Path,
    kit: &Examiner,
    cache: &mut HashMap<String, Option<Scoring>>,
    warnings: &mut Vec<String>,
) -> Result<(SessionRecord, String), String> {
    let (transcript, read) = read_transcript(path).map_err(|e| e.to_string())?;
    if read.truncated_tail {
        warnings.push(format!(
            "the last line of `{}` was cut off mid-write; its complete turns were imported",
            path.display()
        ));
    }
    let header = &transcript.header;
    let name = header
        .scenario_path
        .clone()
        .unwrap_or_else(|| header.scenario_id.clone());
    let scoring = cache.entry(name).or_insert_with(|| {
        let loaded =
            resolve_recorded_scenario(header.scenario_path.as_deref(), &header.scenario_id).ok()?;
        let rubric = kit.rubric_for(&loaded).ok()?;
        let prepared = kit.prepare(&loaded);
        Some((loaded, prepared, rubric))
    });
    let Some((loaded, prepared, rubric)) = scoring else {
        return Err(format!(
            "`{}`: cannot score it: no scenario `{}` in the library; set RAPPORT_SCENARIOS to the directory holding it",
            path.display(),
            header.scenario_id
        ));
    };
    match verify_transcript(&transcript, loaded, prepared) {
        Ok(Some(change)) => warnings.push(change.to_string()),
        Ok(None) => {}
        Err(error) => {
            return Err(format!(
                "`{}` was not imported: {}",
                path.display(),
                crate::with_causes(&error)
            ));
        }
    }
    let card = score(&transcript, &loaded.scenario, rubric);
    let record =
        SessionRecord::new(&transcript, &card).map_err(|e| format!("`{}`: {e}", path.display()))?;
    Ok((record, header.trainee.clone()))
}

/// Imports transcript files: workers read and score them, this thread stores them in batches.
pub fn import_transcripts(
    store: &mut Store,
    files: &[PathBuf],
    kit: &Examiner,
    on_event: &mut dyn FnMut(ImportEvent<'_>),
) -> Result<ImportSummary, Box<ImportError>> {
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(files.len())
        .max(1);
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Message>(IMPORT_BATCH * 2);
    let mut summary = ImportSummary::default();
    let outcome = std::thread::scope(|scope| {
        for _ in 0..workers {
            let sender = sender.clone();
            let next = &next;
            scope.spawn(move || {
                let mut cache = HashMap::new();
                while let Some(path) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let mut warnings = Vec::new();
                    let result = read_and_score(path, kit, &mut cache, &mut warnings);
                    let messages =
                        warnings
                            .into_iter()
                            .map(Message::Warning)
                            .chain(std::iter::once(match result {
                                Ok((record, trainee)) => {
                                    Message::Record(Box::new(record), trainee, path.clone())
                                }
                                Err(error) => Message::Failed(error),
                            }));
                    for message in messages {
                        if sender.send(message).is_err() {
                            // The storing side stopped on a store error.
                            return;
                        }
                    }
                }
            });
        }
        drop(sender);
        let mut batch = Vec::with_capacity(IMPORT_BATCH);
        for message in receiver {
            match message {
                Message::Record(record, trainee, path) => {
                    summary.trainees.insert(trainee);
                    batch.push((*record, path));
                    if batch.len() >= IMPORT_BATCH {
                        store_batch(store, &mut batch, &mut summary, on_event)?;
                    }
                }
                Message::Failed(error) => {
                    summary.failed += 1;
                    on_event(ImportEvent::Failed(&error));
                    on_event(ImportEvent::Done(1));
                }
                Message::Warning(warning) => on_event(ImportEvent::Warning(&warning)),
            }
        }
        store_batch(store, &mut batch, &mut summary, on_event)
    });
    match outcome {
        Ok(()) => Ok(summary),
        Err(source) => Err(Box::new(ImportError { summary, source })),
    }
}

/// How a record differs from the session stored under its id, in words: a transcript that
/// continues the stored one (imported before the session ended, then resumed) is told apart from
/// a different one.
fn how_it_differs(store: &mut Store, record: &SessionRecord) -> Result<String, StoreError> {
    let stored = store.load_sessions(&[record.session_id().to_owned()])?;
    let name = Path::new(record.session_id());
    let new = crate::transcript::parse_transcript(name, &record.transcript_jsonl).ok();
    Ok(match (stored.first(), new) {
        (Some(stored), Some((new, _)))
            if new.turns.len() > stored.transcript.turns.len()
                && new.turns.starts_with(&stored.transcript.turns) =>
        {
            format!(
                "this transcript continues it with {} more turn(s): the stored one was imported before the session ended",
                new.turns.len() - stored.transcript.turns.len()
            )
        }
        _ => "the same header, different turns".to_owned(),
    })
}

/// Stores a batch of records (each with the file it came from) in one transaction. A record whose
/// id is stored with a different transcript is not written and counts as failed, named.
fn store_batch(
    store: &mut Store,
    batch: &mut Vec<(SessionRecord, PathBuf)>,
    summary: &mut ImportSummary,
    on_event: &mut dyn FnMut(ImportEvent<'_>),
) -> Result<(), StoreError> {
    if batch.is_empty() {
        return Ok(());
    }
    let (records, paths): (Vec<SessionRecord>, Vec<PathBuf>) = batch.drain(..).unzip();
    let saved = store.save_records(&records)?;
    for ((record, path), saved) in records.iter().zip(&paths).zip(&saved) {
        match saved {
            Saved::Added => summary.added += 1,
            Saved::AlreadyStored => summary.already_stored += 1,
            Saved::Different => {
                summary.failed += 1;
                let how = how_it_differs(store, record)?;
                let error = format!(
                    "`{}` was not imported: another session is stored under its id `{}` ({how}); the stored one is kept — compare them with `rapport show {} --transcript -`",
                    path.display(),
                    record.session_id(),
                    record.session_id()
                );
                on_event(ImportEvent::Failed(&error));
            }
        }
    }
    on_event(ImportEvent::Done(records.len()));
    Ok(())
}
