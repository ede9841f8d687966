//! The engine: runs a scenario with a trainee, deterministically, and reports plain events.

mod events;
mod reply;
mod session;

pub use events::{Cause, Event, Move, MoveError, Offered, TimedEvent, TransferKind};
pub use reply::sanitize_reply;
pub use session::{MAX_EVENTS_PER_MOVE, MAX_REPLY_CHARS, Session, TIMEOUT_FACTOR};
