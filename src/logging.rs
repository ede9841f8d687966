//! The command line's log: warnings (from the sound thread and elsewhere) written to standard
//! error, and held back while the terminal player's prompt waits for the trainee, so that a line
//! logged then is written before the next prompt instead of over what the trainee is typing.

use std::io::Write;
use std::sync::{Mutex, MutexGuard, PoisonError};

use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::MakeWriter;

/// What was logged while a prompt was showing, or `None` when lines go straight out.
static HELD: Mutex<Option<Vec<u8>>> = Mutex::new(None);

fn held() -> MutexGuard<'static, Option<Vec<u8>>> {
    // A panic while holding the lock leaves only log bytes behind: still fine to use.
    HELD.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Installs the log for the command line: warnings and errors, without colour, to standard
/// error. Does nothing when a log is installed already.
pub fn init() {
    let _ = tracing_subscriber::fmt()
        .with_max_level(LevelFilter::WARN)
        .with_writer(LogWriter)
        .with_ansi(false)
        .with_target(false)
        .without_time()
        .try_init();
}

/// Holds log lines back from now on: a prompt is showing.
pub fn hold() {
    held().get_or_insert_with(Vec::new);
}

/// Writes the lines held back, then lets lines go straight out again: call it on a fresh line,
/// before the next prompt.
pub fn release() {
    let Some(lines) = held().take() else {
        return;
    };
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(&lines);
    let _ = stderr.flush();
}

/// Standard error, or the held lines while a prompt shows.
#[derive(Debug, Clone, Copy)]
struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        match held().as_mut() {
            Some(lines) => {
                lines.extend_from_slice(bytes);
                Ok(bytes.len())
            }
            None => std::io::stderr().lock().write(bytes),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

impl<'a> MakeWriter<'a> for LogWriter {
    type Writer = LogWriter;

    fn make_writer(&'a self) -> LogWriter {
        LogWriter
    }
}

#[cfg(test)]
mod tests {
    use super::{HELD, LogWriter, hold, release};
    use std::io::Write;

    #[test]
    fn lines_logged_while_held_wait_for_the_release() {
        hold();
        let mut writer = LogWriter;
        writer.write_all(b"WARN no audio device\n").expect("held");
        assert_eq!(
            HELD.lock().expect("lock").as_deref(),
            Some(&b"WARN no audio device\n"[..]),
            "nothing reaches standard error while a prompt shows"
        );
        release();
        assert_eq!(HELD.lock().expect("lock").as_deref(), None);
    }
}
