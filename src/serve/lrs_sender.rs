//! The server's background sender: a thread of its own that drains the xAPI outbox to the learning record store every few seconds, until the server stops.
//!
//! The sender blocks (the store and the HTTP client are synchronous), so it runs on its own
//! thread with its own store rather than on the pages' pool. Every process started with
//! `--lrs-url` runs one; their claims keep them from sending the same statement at once.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use crate::lrs::{LrsConfig, LrsSender, RetryPolicy};
use crate::store::Store;

/// How often the outbox is looked at when `--lrs-url` is given.
pub const DEFAULT_POLL: Duration = Duration::from_secs(2);

/// What the server's sender needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LrsSettings {
    pub config: LrsConfig,
    /// The wait between two passes over the outbox.
    pub poll: Duration,
    pub retry: RetryPolicy,
}

/// The running sender; dropping it asks the thread to stop after its current pass.
#[derive(Debug)]
pub struct SenderHandle {
    stop: mpsc::Sender<()>,
}

impl Drop for SenderHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(());
    }
}

/// Starts the sender over the store at `db` (`None`: the default SQLite store).
pub fn spawn(db: Option<String>, xapi_base: String, settings: LrsSettings) -> SenderHandle {
    let (stop, stopped) = mpsc::channel();
    let run = move || {
        let sender = LrsSender::new(settings.config.clone(), settings.retry);
        let mut store: Option<Store> = None;
        loop {
            if store.is_none() {
                match Store::open(db.as_deref()) {
                    Ok(mut opened) => {
                        opened.set_xapi_base(&xapi_base);
                        store = Some(opened);
                    }
                    Err(error) => tracing::warn!("the LRS sender cannot open the store: {error}"),
                }
            }
            if let Some(open) = store.as_mut()
                && let Err(error) = sender.drain(open, &|| jiff::Timestamp::now().as_second())
            {
                // A broken connection is not reused: the next pass opens the store afresh.
                tracing::warn!("the LRS sender could not use the store: {error}");
                store = None;
            }
            match stopped.recv_timeout(settings.poll) {
                Err(RecvTimeoutError::Timeout) => {}
                Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    };
    if let Err(error) = std::thread::Builder::new()
        .name("rapport-lrs-sender".to_owned())
        .spawn(run)
    {
        tracing::error!("cannot start the LRS sender: {error}");
    }
    SenderHandle { stop }
}
