//! Hot reload of a scenario library: which files changed on disk, reloading and validating what
//! they affect while keeping the last good version of each scenario, and carrying a call in
//! progress over to a scenario's new version (or saying why it cannot be). Front ends only show
//! the results: the game watches its library with it, `validate --watch` its files.

mod carry;
mod library;
mod stamps;
#[cfg(test)]
mod tests;

pub use carry::{CarriedCall, CarryError, carry_over};
pub use library::{LIBRARY_LEXICON, LibraryChange, LiveLibrary};
pub use stamps::{FileStamps, StampWatch, watch_in_background};
