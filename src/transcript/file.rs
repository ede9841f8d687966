//! A transcript on disk: JSON Lines written turn by turn and synced, read back with a cut-off
//! last line told apart from a corrupt one.

use std::fs::{File, OpenOptions};
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};

use super::{FORMAT, Header, Transcript, TranscriptError, Turn};

/// Writes a transcript as the session goes: one JSON line per turn, synced to disk.
#[derive(Debug)]
pub struct TranscriptWriter {
    file: File,
    path: PathBuf,
}

impl TranscriptWriter {
    /// Creates the file (and its directory) and writes the header.
    pub fn create(path: &Path, header: &Header) -> Result<Self, TranscriptError> {
        let fail = |source| TranscriptError::Write {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .open(path)
            .map_err(fail)?;
        let mut writer = TranscriptWriter {
            file,
            path: path.to_path_buf(),
        };
        writer.write_line(&serde_json::to_string(header).unwrap_or_default())?;
        Ok(writer)
    }

    /// Opens an existing transcript to append to (resuming a session).
    pub fn append_to(path: &Path) -> Result<Self, TranscriptError> {
        let file = OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|source| TranscriptError::Write {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(TranscriptWriter {
            file,
            path: path.to_path_buf(),
        })
    }

    /// Appends one turn and syncs it, so a killed process loses no completed turn.
    pub fn append(&mut self, turn: &Turn) -> Result<(), TranscriptError> {
        self.write_line(&serde_json::to_string(turn).unwrap_or_default())
    }

    /// Where the transcript is written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn write_line(&mut self, line: &str) -> Result<(), TranscriptError> {
        let fail = |source| TranscriptError::Write {
            path: self.path.clone(),
            source,
        };
        let mut buffer = Vec::with_capacity(line.len() + 1);
        buffer.extend_from_slice(line.as_bytes());
        buffer.push(b'\n');
        self.file.write_all(&buffer).map_err(fail)?;
        self.file.sync_data().map_err(fail)
    }
}

/// Makes a transcript ready to append to (resuming a session): a last line cut off mid-write is
/// cut away, since it holds no complete turn and new turns written after it would make the file
/// unreadable; a last line that lacks only its newline gets one. Returns how many bytes of a
/// partial line were cut (0 when the file ended cleanly).
pub fn prepare_to_append(path: &Path) -> Result<usize, TranscriptError> {
    let fail = |source| TranscriptError::Write {
        path: path.to_path_buf(),
        source,
    };
    let bytes = std::fs::read(path).map_err(|source| TranscriptError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if bytes.is_empty() || bytes.ends_with(b"\n") {
        return Ok(0);
    }
    let tail_start = bytes
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |newline| newline + 1);
    let tail = &bytes[tail_start..];
    let mut file = OpenOptions::new().write(true).open(path).map_err(fail)?;
    let complete = if tail_start == 0 {
        serde_json::from_slice::<Header>(tail).is_ok()
    } else {
        serde_json::from_slice::<Turn>(tail).is_ok()
    };
    if complete {
        file.seek(std::io::SeekFrom::End(0)).map_err(fail)?;
        file.write_all(b"\n").map_err(fail)?;
        file.sync_data().map_err(fail)?;
        return Ok(0);
    }
    file.set_len(tail_start as u64).map_err(fail)?;
    file.sync_data().map_err(fail)?;
    Ok(tail.len())
}

/// What reading a transcript found besides the turns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadReport {
    /// The last line was cut off mid-write (a killed process) and was left out.
    pub truncated_tail: bool,
}

/// The largest transcript read: far above any session (a turn is a few kilobytes, a reply at
/// most 4,000 characters), and a bound on what a file named as a transcript can make us hold.
pub const MAX_TRANSCRIPT_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a transcript; a final line cut off mid-write is dropped and reported, not an error.
/// Only a regular file of at most [`MAX_TRANSCRIPT_BYTES`] is read.
pub fn read_transcript(path: &Path) -> Result<(Transcript, ReadReport), TranscriptError> {
    let bytes = crate::files::read_bounded(path, MAX_TRANSCRIPT_BYTES)?;
    let ended_cleanly = bytes.is_empty() || bytes.ends_with(b"\n");
    let body = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
    let lines: Vec<Vec<u8>> = if bytes.is_empty() {
        Vec::new()
    } else {
        body.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect()
    };
    parse_lines(path, &lines, ended_cleanly)
}

/// Parses a transcript held in memory (imports, tests).
pub fn parse_transcript(
    name: &Path,
    text: &str,
) -> Result<(Transcript, ReadReport), TranscriptError> {
    let lines: Vec<Vec<u8>> = text.split('\n').map(|l| l.as_bytes().to_vec()).collect();
    let lines = if text.ends_with('\n') {
        &lines[..lines.len() - 1]
    } else {
        &lines[..]
    };
    parse_lines(name, lines, text.ends_with('\n'))
}

fn parse_lines(
    path: &Path,
    lines: &[Vec<u8>],
    ended_cleanly: bool,
) -> Result<(Transcript, ReadReport), TranscriptError> {
    let Some(first) = lines
        .first()
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
    else {
        return Err(TranscriptError::Empty {
            path: path.to_path_buf(),
        });
    };
    let header: Header =
        serde_json::from_slice(first).map_err(|e| TranscriptError::NotATranscript {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
    if header.format != FORMAT {
        return Err(TranscriptError::NotATranscript {
            path: path.to_path_buf(),
            message: format!("format `{}`", header.format),
        });
    }
    let mut report = ReadReport::default();
    let mut turns = Vec::new();
    for (index, line) in lines.iter().enumerate().skip(1) {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Turn>(line) {
            Ok(turn) => turns.push(turn),
            Err(_) if index + 1 == lines.len() && !ended_cleanly => report.truncated_tail = true,
            Err(e) => {
                return Err(TranscriptError::Corrupt {
                    path: path.to_path_buf(),
                    line: index + 1,
                    message: e.to_string(),
                });
            }
        }
    }
    Ok((Transcript { header, turns }, report))
}

#[cfg(test)]
mod tests {
    use super::prepare_to_append;
    use crate::transcript::session_id::tests::header as nonced_header;

    #[test]
    fn a_resume_cuts_a_partial_last_line_and_ends_a_complete_one() {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("t.jsonl");
        let header = serde_json::to_string(&nonced_header(Some("00".repeat(16)))).expect("json");
        let turn = r#"{"at_ms":0,"move":null,"events":[]}"#;
        std::fs::write(&path, format!("{header}\n{turn}\n{{\"at_ms\":12")).expect("write");
        assert_eq!(
            prepare_to_append(&path).expect("cut"),
            r#"{"at_ms":12"#.len()
        );
        let cut = std::fs::read_to_string(&path).expect("read");
        assert_eq!(cut, format!("{header}\n{turn}\n"));
        assert_eq!(
            prepare_to_append(&path).expect("clean"),
            0,
            "nothing more to cut"
        );
        std::fs::write(&path, format!("{header}\n{turn}")).expect("write");
        assert_eq!(prepare_to_append(&path).expect("newline"), 0);
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            format!("{header}\n{turn}\n"),
            "a complete line only lacking its newline is kept and ended"
        );
    }
}
