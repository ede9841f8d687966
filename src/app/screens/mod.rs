//! The game's screens, one state each: the title (the library), the call, and the debrief.

pub(super) mod call;
mod debrief;
mod title;

use bevy::prelude::*;

pub(super) fn plugin(app: &mut App) {
    app.add_plugins((title::plugin, call::plugin, debrief::plugin));
}
