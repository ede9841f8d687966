//! Keyboard input shared by every screen: text fields typed into with Bevy's keyboard events,
//! modifier keys, and Tab navigation between focusable widgets.

use bevy::input::ButtonState;
use bevy::input::keyboard::{Key, KeyboardInput};
use bevy::input_focus::tab_navigation::{TabIndex, TabNavigationPlugin};
use bevy::input_focus::{FocusCause, InputFocus};
use bevy::prelude::*;
use bevy::ui_widgets::observe;

use super::AppSystems;
use super::theme::{font, palette};

/// The caret drawn after the text of a focused field.
const CARET: char = '▏';

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<InputFocus>();
    app.init_resource::<Modifiers>();
    if !app.is_plugin_added::<TabNavigationPlugin>() {
        app.add_plugins(TabNavigationPlugin);
    }
    app.add_systems(
        Update,
        (track_modifiers, edit_focused_field)
            .chain()
            .in_set(AppSystems::ReadInput),
    );
    app.add_systems(Update, show_field_text.in_set(AppSystems::Present));
}

/// Which modifier keys are held.
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Modifiers {
    pub ctrl: bool,
    pub shift: bool,
}

/// A single-line (wrapping) text box the trainee types into.
#[derive(Component, Debug, Default, Clone, PartialEq)]
pub(super) struct TextField {
    pub value: String,
    pub placeholder: String,
    pub max_chars: usize,
}

/// The text child of a [`TextField`] that shows its value.
#[derive(Component, Debug)]
struct TextFieldDisplay;

/// Enter was pressed in a text field.
#[derive(EntityEvent, Debug, Clone, Copy)]
pub(super) struct Submit {
    pub entity: Entity,
}

/// A text field widget; `on_submit` runs when Enter is pressed in it.
pub(super) fn text_field<
    B: Bundle,
    M: Send + Sync + 'static,
    I: bevy::ecs::system::IntoObserverSystem<Submit, B, M> + Send + Sync,
>(
    value: &str,
    placeholder: &str,
    max_chars: usize,
    node: Node,
    on_submit: I,
) -> impl Bundle {
    (
        Name::new("Text field"),
        TextField {
            value: value.to_owned(),
            placeholder: placeholder.to_owned(),
            max_chars,
        },
        TabIndex(0),
        Interaction::default(),
        Node {
            padding: UiRect::axes(px(12), px(8)),
            border: UiRect::all(px(1)),
            border_radius: BorderRadius::all(px(8)),
            align_items: AlignItems::Center,
            ..node
        },
        BorderColor::all(palette::SURFACE_HOVER),
        BackgroundColor(palette::INK_DARK),
        observe(focus_on_click),
        observe(on_submit),
        children![(
            TextFieldDisplay,
            Text::new(value),
            font(1.0, false),
            TextColor(palette::INK),
            Pickable::IGNORE
        )],
    )
}

/// Clicking a text field focuses it.
fn focus_on_click(click: On<Pointer<Click>>, mut focus: ResMut<InputFocus>) {
    focus.set(click.entity, FocusCause::Pressed);
}

/// Keeps [`Modifiers`] in step with the keyboard.
fn track_modifiers(mut keys: MessageReader<KeyboardInput>, mut modifiers: ResMut<Modifiers>) {
    for key in keys.read() {
        let down = key.state == ButtonState::Pressed;
        match key.key_code {
            KeyCode::ControlLeft
            | KeyCode::ControlRight
            | KeyCode::SuperLeft
            | KeyCode::SuperRight => modifiers.ctrl = down,
            KeyCode::ShiftLeft | KeyCode::ShiftRight => modifiers.shift = down,
            _ => {}
        }
    }
}

/// Whether the focused entity is a text field (then keys type rather than act).
pub(super) fn typing(focus: &InputFocus, fields: &Query<&TextField>) -> bool {
    focus.get().is_some_and(|entity| fields.contains(entity))
}

/// Types into the focused text field: characters, Space, Backspace; Enter submits, Escape leaves.
pub(super) fn edit_focused_field(
    mut keys: MessageReader<KeyboardInput>,
    mut focus: ResMut<InputFocus>,
    mut fields: Query<&mut TextField>,
    modifiers: Res<Modifiers>,
    mut commands: Commands,
) {
    for key in keys.read() {
        if key.state != ButtonState::Pressed {
            continue;
        }
        let Some(entity) = focus.get() else {
            continue;
        };
        let Ok(mut field) = fields.get_mut(entity) else {
            continue;
        };
        match &key.logical_key {
            Key::Enter => commands.trigger(Submit { entity }),
            Key::Escape => focus.clear(),
            Key::Backspace => {
                field.value.pop();
            }
            Key::Space => push_text(&mut field, " "),
            Key::Character(text) if !modifiers.ctrl => push_text(&mut field, text),
            _ => {}
        }
    }
}

/// Appends typed text, dropping control characters and anything past the field's limit.
fn push_text(field: &mut TextField, text: &str) {
    for ch in text.chars().filter(|c| !c.is_control()) {
        if field.value.chars().count() >= field.max_chars {
            return;
        }
        field.value.push(ch);
    }
}

/// Shows each field's value (with a caret when focused) or its placeholder.
fn show_field_text(
    fields: Query<(Entity, Ref<TextField>, &Children)>,
    focus: Res<InputFocus>,
    mut displays: Query<(&mut Text, &mut TextColor), With<TextFieldDisplay>>,
    mut last_focus: Local<Option<Entity>>,
) {
    let focus_moved = *last_focus != focus.get();
    *last_focus = focus.get();
    for (entity, field, children) in &fields {
        if !field.is_changed() && !focus_moved {
            continue;
        }
        let focused = focus.get() == Some(entity);
        for child in children.iter() {
            let Ok((mut text, mut color)) = displays.get_mut(child) else {
                continue;
            };
            let (shown, tint) = match (field.value.is_empty(), focused) {
                (true, false) => (field.placeholder.clone(), palette::INK_SOFT),
                (_, true) => (format!("{}{CARET}", field.value), palette::INK),
                (false, false) => (field.value.clone(), palette::INK),
            };
            text.0 = shown;
            color.0 = tint;
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::time::Duration;

    use bevy::input::keyboard::NativeKeyCode;

    use super::*;
    use crate::app::testing::headless_app;

    /// A key press as winit would report it.
    pub(crate) fn press(key_code: KeyCode, logical_key: Key) -> KeyboardInput {
        KeyboardInput {
            key_code,
            logical_key,
            state: ButtonState::Pressed,
            text: None,
            repeat: false,
            window: Entity::PLACEHOLDER,
        }
    }

    /// Key presses that type `text`.
    pub(crate) fn typed(text: &str) -> Vec<KeyboardInput> {
        text.chars()
            .map(|c| match c {
                ' ' => press(KeyCode::Space, Key::Space),
                c => press(
                    KeyCode::Unidentified(NativeKeyCode::Unidentified),
                    Key::Character(c.to_string().into()),
                ),
            })
            .collect()
    }

    #[derive(Resource, Default)]
    struct Submitted(Vec<String>);

    #[test]
    fn typing_into_a_focused_field_and_pressing_enter_submits_it() {
        let mut app = headless_app(Duration::from_millis(16));
        app.init_resource::<Submitted>();
        let field = app
            .world_mut()
            .spawn(text_field(
                "",
                "Type here",
                20,
                Node::default(),
                |submit: On<Submit>, fields: Query<&TextField>, mut out: ResMut<Submitted>| {
                    out.0.push(
                        fields
                            .get(submit.entity)
                            .map(|f| f.value.clone())
                            .unwrap_or_default(),
                    );
                },
            ))
            .id();
        app.world_mut()
            .resource_mut::<InputFocus>()
            .set(field, FocusCause::Navigated);
        app.update();
        app.world_mut().write_message_batch(typed("I'm sorry x"));
        app.world_mut()
            .write_message(press(KeyCode::Backspace, Key::Backspace));
        app.world_mut()
            .write_message(press(KeyCode::Enter, Key::Enter));
        app.update();
        assert_eq!(
            app.world().resource::<Submitted>().0,
            vec!["I'm sorry ".to_owned()]
        );
    }

    #[test]
    fn a_field_stops_at_its_limit() {
        let mut field = TextField {
            max_chars: 3,
            ..default()
        };
        push_text(&mut field, "abcdef\u{7}");
        assert_eq!(field.value, "abc");
    }
}
