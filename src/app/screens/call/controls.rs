//! The call's controls: hold (with its length), warm and cold transfers, escalate and end, as
//! buttons and as keys, and the number keys that pick options.

use bevy::input::ButtonState;
use bevy::input::keyboard::KeyboardInput;
use bevy::input_focus::{FocusCause, InputFocus};
use bevy::prelude::*;
use bevy::ui_widgets::Activate;

use super::CallView;
use super::conversation::ReplyBox;
use crate::app::Screen;
use crate::app::input::{Modifiers, TextField, typing};
use crate::app::session::{LiveCall, TraineeMove};
use crate::app::theme::{ButtonColors, button, label, palette};
use crate::engine::{Move, TransferKind};

/// Hold lengths the trainee can announce, in seconds.
const HOLD_CHOICES: [u32; 5] = [30, 60, 90, 120, 180];
/// The hold length selected when a call starts.
pub(super) const DEFAULT_HOLD_INDEX: usize = 1;

#[derive(Component)]
pub(super) struct HoldButtonText;
#[derive(Component)]
pub(super) struct HoldLengthText;

/// Hold (with its length), transfers, escalate and end, with their hotkeys.
pub(super) fn controls() -> impl Bundle {
    (
        Node {
            column_gap: px(8),
            align_items: AlignItems::Center,
            flex_wrap: FlexWrap::Wrap,
            row_gap: px(6),
            ..default()
        },
        children![
            button(
                "−",
                ButtonColors::QUIET,
                |_: On<Activate>, mut view: ResMut<CallView>| nudge_hold(&mut view, -1)
            ),
            (
                Node {
                    width: px(48),
                    align_self: AlignSelf::Stretch,
                    align_items: AlignItems::Center,
                    justify_content: JustifyContent::Center,
                    ..default()
                },
                children![(HoldLengthText, label("60 s", 0.9, palette::INK))],
            ),
            button(
                "+",
                ButtonColors::QUIET,
                |_: On<Activate>, mut view: ResMut<CallView>| nudge_hold(&mut view, 1)
            ),
            (
                button(
                    "Hold [H]",
                    ButtonColors::QUIET,
                    |_: On<Activate>,
                     call: Res<LiveCall>,
                     view: Res<CallView>,
                     mut moves: MessageWriter<TraineeMove>| {
                        moves.write(TraineeMove(hold_move(&call, &view)));
                    }
                ),
                HoldButtonText,
            ),
            button(
                "Warm [W]",
                ButtonColors::QUIET,
                |_: On<Activate>, mut moves: MessageWriter<TraineeMove>| {
                    moves.write(TraineeMove(Move::Transfer(TransferKind::Warm)));
                }
            ),
            button(
                "Cold [C]",
                ButtonColors::QUIET,
                |_: On<Activate>, mut moves: MessageWriter<TraineeMove>| {
                    moves.write(TraineeMove(Move::Transfer(TransferKind::Cold)));
                }
            ),
            button(
                "Escalate [E]",
                ButtonColors::QUIET,
                |_: On<Activate>, mut moves: MessageWriter<TraineeMove>| {
                    moves.write(TraineeMove(Move::Escalate));
                }
            ),
            button(
                "End [X]",
                ButtonColors::DANGER,
                |_: On<Activate>, mut moves: MessageWriter<TraineeMove>| {
                    moves.write(TraineeMove(Move::End));
                }
            ),
        ],
    )
}

fn nudge_hold(view: &mut CallView, steps: i32) {
    view.hold_index =
        (view.hold_index as i32 + steps).clamp(0, HOLD_CHOICES.len() as i32 - 1) as usize;
}

/// Hold for the chosen length, or take off hold.
fn hold_move(call: &LiveCall, view: &CallView) -> Move {
    if call.session().is_some_and(|s| s.on_hold()) {
        Move::Unhold
    } else {
        Move::Hold(HOLD_CHOICES[view.hold_index])
    }
}

/// Keys on the call screen when the reply box is not focused.
pub(super) fn read_call_keys(
    mut keys: MessageReader<KeyboardInput>,
    mut focus: ResMut<InputFocus>,
    fields: Query<&TextField>,
    reply_box: Query<Entity, With<ReplyBox>>,
    modifiers: Res<Modifiers>,
    call: Option<Res<LiveCall>>,
    mut view: ResMut<CallView>,
    mut moves: MessageWriter<TraineeMove>,
    screen: Res<State<Screen>>,
) {
    // Keys pressed before the call screen opened (R on the debrief retries the call) are not
    // meant for it.
    if screen.is_changed() {
        keys.clear();
        return;
    }
    for key in keys.read() {
        if key.state != ButtonState::Pressed || key.repeat {
            continue;
        }
        // In the reply box keys type, except Ctrl+key hotkeys.
        if typing(&focus, &fields) && !modifiers.ctrl {
            continue;
        }
        let mv = match key.key_code {
            KeyCode::Digit1 | KeyCode::Numpad1 => Some(Move::Choose(1)),
            KeyCode::Digit2 | KeyCode::Numpad2 => Some(Move::Choose(2)),
            KeyCode::Digit3 | KeyCode::Numpad3 => Some(Move::Choose(3)),
            KeyCode::Digit4 | KeyCode::Numpad4 => Some(Move::Choose(4)),
            KeyCode::Digit5 | KeyCode::Numpad5 => Some(Move::Choose(5)),
            KeyCode::Digit6 | KeyCode::Numpad6 => Some(Move::Choose(6)),
            KeyCode::Digit7 | KeyCode::Numpad7 => Some(Move::Choose(7)),
            KeyCode::Digit8 | KeyCode::Numpad8 => Some(Move::Choose(8)),
            KeyCode::Digit9 | KeyCode::Numpad9 => Some(Move::Choose(9)),
            KeyCode::KeyH => call.as_ref().map(|c| hold_move(c, &view)),
            KeyCode::KeyW => Some(Move::Transfer(TransferKind::Warm)),
            KeyCode::KeyC => Some(Move::Transfer(TransferKind::Cold)),
            KeyCode::KeyE => Some(Move::Escalate),
            KeyCode::KeyX => Some(Move::End),
            KeyCode::BracketLeft => {
                nudge_hold(&mut view, -1);
                None
            }
            KeyCode::BracketRight => {
                nudge_hold(&mut view, 1);
                None
            }
            KeyCode::KeyR | KeyCode::Slash => {
                if let Ok(entity) = reply_box.single() {
                    focus.set(entity, FocusCause::Navigated);
                }
                None
            }
            _ => None,
        };
        if let Some(mv) = mv {
            moves.write(TraineeMove(mv));
        }
    }
}

/// Keeps the hold button and hold length labels true.
pub(super) fn show_controls(
    call: Option<Res<LiveCall>>,
    view: Res<CallView>,
    holds: Query<&Children, With<HoldButtonText>>,
    mut texts: Query<&mut Text, Without<HoldLengthText>>,
    mut length: Query<&mut Text, With<HoldLengthText>>,
) {
    let on_hold = call
        .as_ref()
        .and_then(|c| c.session())
        .is_some_and(|s| s.on_hold());
    let wanted = if on_hold { "Unhold [H]" } else { "Hold [H]" };
    for children in &holds {
        for child in children.iter() {
            if let Ok(mut text) = texts.get_mut(child)
                && text.0 != wanted
            {
                text.0 = wanted.to_owned();
            }
        }
    }
    let secs = format!("{} s", HOLD_CHOICES[view.hold_index]);
    for mut text in &mut length {
        if text.0 != secs {
            text.0 = secs.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::app::session::CallRequest;

    /// Regression: R on the debrief retried the call and also focused the new call's reply box,
    /// so the next hotkey (X to end) was typed into it.
    #[test]
    fn the_key_that_opens_a_call_does_not_act_in_it() {
        use bevy::input::keyboard::Key;

        use crate::app::input::tests::press;
        use crate::app::library::Library;

        let dir = tempfile::tempdir().expect("a temporary directory");
        unsafe { std::env::set_var(crate::paths::HOME_ENV, dir.path()) };
        let mut app = crate::app::testing::headless_app(Duration::from_millis(100));
        app.update();
        let loaded = app.world().resource::<Library>().scenarios[0].clone();
        let r = || press(KeyCode::KeyR, Key::Character("r".into()));
        app.world_mut().write_message(r());
        crate::app::testing::open_call(
            &mut app,
            CallRequest {
                loaded,
                seed: 7,
                retry: None,
            },
        );
        app.update();
        assert_eq!(app.world().resource::<InputFocus>().get(), None);

        // Pressed during the call, R opens the reply box.
        app.world_mut().write_message(r());
        app.update();
        let reply_box = app
            .world_mut()
            .query_filtered::<Entity, With<ReplyBox>>()
            .single(app.world())
            .expect("one reply box");
        assert_eq!(app.world().resource::<InputFocus>().get(), Some(reply_box));
    }
}
