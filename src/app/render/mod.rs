//! How the window is drawn: reactive updates with a clock tick in a call, one-threaded schedules,
//! redraws while pipelines compile, and partial redraws of the live regions on quiet frames.

pub(super) mod damage;
pub(super) mod reactive;
