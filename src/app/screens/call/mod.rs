//! The call screen: one live call, laid out in three columns (the customer, the conversation,
//! the briefing) under a header with the clock; each part lives in its own file.

mod controls;
mod conversation;
mod customer;
mod layout;
mod look;
pub(in crate::app) mod portrait;
mod reload;

use std::collections::VecDeque;
use std::time::Duration;

use bevy::prelude::*;

use customer::ShownMeters;
use look::CallLook;

use crate::app::session::abandon_call;
use crate::app::{AppSystems, Screen};

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Call), layout::spawn_call_screen);
    app.add_systems(OnExit(Screen::Call), clear_call_state);
    app.add_systems(
        Update,
        controls::read_call_keys
            .in_set(AppSystems::ReadInput)
            .after(crate::app::input::edit_focused_field)
            .run_if(in_state(Screen::Call)),
    );
    app.add_systems(
        Update,
        (
            conversation::present_events,
            conversation::reveal_customer_lines,
            conversation::animate_typing_indicator,
            conversation::show_refusals,
            reload::show_reload_status,
            customer::animate_meters,
            layout::show_clock,
            controls::show_controls,
            conversation::show_prompt,
            conversation::scroll_log_to_end,
        )
            .chain()
            .in_set(AppSystems::Present)
            .run_if(in_state(Screen::Call).and_then(resource_exists::<CallLook>)),
    );
    app.add_plugins(portrait::plugin);
}

/// The per-call view state that is not an entity.
#[derive(Resource, Debug, Default)]
struct CallView {
    /// Customer lines waiting to appear (after the typing indicator), with when they appear.
    pending: VecDeque<(Duration, String, u64)>,
    /// Session time the customer started waiting for the trainee, if they are.
    waiting_since_ms: Option<u64>,
    /// The refused-move notice and when it goes.
    notice: Option<(String, Duration)>,
    hold_index: usize,
    /// Whether the options or the reply box are open, for the controls' labels.
    reply_open: bool,
    ended: bool,
}

/// Drops the per-call view state when leaving the call screen.
fn clear_call_state(mut commands: Commands) {
    commands.remove_resource::<CallView>();
    commands.remove_resource::<CallLook>();
    commands.remove_resource::<ShownMeters>();
    abandon_call(&mut commands);
}

/// `mm:ss` from milliseconds.
pub(super) fn clock(ms: u64) -> String {
    let secs = ms / 1000;
    if secs >= 3600 {
        format!("{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
    } else {
        format!("{:02}:{:02}", secs / 60, secs % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_read_as_minutes_and_seconds() {
        assert_eq!(clock(0), "00:00");
        assert_eq!(clock(61_500), "01:01");
        assert_eq!(clock(4 * 3600 * 1000), "4:00:00");
    }
}
