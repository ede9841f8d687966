//! How controls answer the trainee: buttons recolour as the pointer hovers and presses, and a ring
//! marks whatever has keyboard focus.

use bevy::input_focus::InputFocus;
use bevy::input_focus::tab_navigation::TabIndex;
use bevy::prelude::*;

use super::palette;
use crate::app::AppSystems;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        (
            tint_buttons,
            show_focus_ring.run_if(resource_exists::<InputFocus>),
        )
            .in_set(AppSystems::Present),
    );
}

/// The colours of a button in its three states.
#[derive(Component, Debug, Clone, Copy)]
pub(crate) struct ButtonColors {
    pub normal: Color,
    pub hovered: Color,
    pub pressed: Color,
}

impl ButtonColors {
    /// The main call to action.
    pub const PRIMARY: ButtonColors = ButtonColors {
        normal: palette::ACCENT,
        hovered: palette::ACCENT_HOVER,
        pressed: palette::ACCENT_PRESSED,
    };
    /// Everything else.
    pub const QUIET: ButtonColors = ButtonColors {
        normal: palette::SURFACE_RAISED,
        hovered: palette::SURFACE_HOVER,
        pressed: palette::SURFACE,
    };
    /// Ending or leaving the call.
    pub const DANGER: ButtonColors = ButtonColors {
        normal: Color::srgb(0.55, 0.20, 0.22),
        hovered: Color::srgb(0.68, 0.26, 0.28),
        pressed: Color::srgb(0.45, 0.16, 0.18),
    };
}

/// Recolours buttons as the pointer moves over and presses them.
fn tint_buttons(
    mut buttons: Query<(&Interaction, &ButtonColors, &mut BackgroundColor), Changed<Interaction>>,
) {
    for (interaction, colors, mut background) in &mut buttons {
        background.0 = match interaction {
            Interaction::Pressed => colors.pressed,
            Interaction::Hovered => colors.hovered,
            Interaction::None => colors.normal,
        };
    }
}

/// Draws a ring around whatever has keyboard focus (buttons, text boxes).
fn show_focus_ring(
    focus: Res<InputFocus>,
    mut commands: Commands,
    focusable: Query<Entity, With<TabIndex>>,
    mut last: Local<Option<Entity>>,
) {
    let current = focus.get();
    if *last == current {
        return;
    }
    if let Some(old) = last.take()
        && focusable.contains(old)
    {
        commands.entity(old).remove::<Outline>();
    }
    if let Some(new) = current
        && focusable.contains(new)
    {
        commands
            .entity(new)
            .insert(Outline::new(px(2), px(2), palette::FOCUS_RING));
    }
    *last = current;
}
