//! `rapport show SESSION`: one stored session in full, as text or JSON, or its transcript written back out.

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;

use super::Status;
use crate::cli::ShowArgs;
use rapport::report::show::{render_session, session_json};
use rapport::store::{Store, StoreError};

/// `rapport show`.
pub fn show(args: ShowArgs) -> anyhow::Result<Status> {
    let mut store = Store::open(args.db.db.as_deref())?;
    let id = match store.resolve_session(&args.session) {
        Ok(id) => id,
        Err(error @ (StoreError::NoSuchSession { .. } | StoreError::AmbiguousSession { .. })) => {
            eprintln!("error: {error}");
            return Ok(Status::Usage);
        }
        Err(error) => return Err(error.into()),
    };
    let Some(session) = store.load_sessions(std::slice::from_ref(&id))?.pop() else {
        eprintln!("error: the session `{id}` was removed while it was being read; try again");
        return Ok(Status::Failed);
    };
    if let Some(path) = &args.transcript {
        let jsonl = session.transcript.to_jsonl();
        if path == Path::new("-") {
            print_out(&jsonl)?;
        } else {
            write_file(path, &jsonl)?;
            eprintln!(
                "wrote the transcript of `{id}` to {} (`rapport import` takes it back under the same id)",
                path.display()
            );
        }
        return Ok(Status::Ok);
    }
    if args.json {
        print_out(&(serde_json::to_string_pretty(&session_json(&session))? + "\n"))?;
    } else {
        print_out(&render_session(&session))?;
    }
    Ok(Status::Ok)
}

/// Writes to stdout; a reader that went away (`| head`) is not an error.
fn print_out(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(error).context("cannot write to stdout")
        }
        _ => Ok(()),
    }
}

/// Writes a file via a temporary one beside it, so a failure never leaves half a transcript.
fn write_file(path: &Path, text: &str) -> anyhow::Result<()> {
    let partial = path.with_extension("partial");
    std::fs::write(&partial, text)
        .and_then(|()| std::fs::rename(&partial, path))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&partial);
        })
        .with_context(|| {
            format!(
                "cannot write `{}`; free some space or choose another path with --transcript",
                path.display()
            )
        })
}
