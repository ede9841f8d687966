//! The look of the game: the palette, the fonts and text sizes, the UI scale, how controls answer
//! the pointer and the keyboard, and the shared widgets.

mod interaction;
pub(crate) mod palette;
mod widgets;

use bevy::asset::uuid_handle;
use bevy::prelude::*;
use bevy::text::RemSize;
use bevy::window::{PrimaryWindow, WindowResized};

pub(crate) use interaction::ButtonColors;
pub(crate) use widgets::{
    ScrollCue, button, button_base, button_node, button_with, font, label, meter_bar, more_below,
    panel, scroll_panel, strong,
};

use super::{AppSystems, DESIGN_SIZE};

/// The regular face, shipped in `assets/fonts` and compiled in (replaces Bevy's default font).
const REGULAR_FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
/// The bold face.
const BOLD_FONT_DATA: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");
/// The handle the bold face is stored under.
const BOLD_FONT: Handle<Font> = uuid_handle!("5c0ffee0-7a11-4b0b-9d5e-b01dface0001");

/// Text size in logical pixels at 100 % (one `rem`).
pub(crate) const BASE_TEXT_PX: f32 = 16.0;

/// The UI never shrinks below this share of the design size, so text stays legible.
const MIN_UI_SCALE: f32 = 0.8;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<UiScale>();
    app.init_resource::<RemSize>();
    app.insert_resource(RemSize(BASE_TEXT_PX));
    app.add_systems(PreStartup, install_fonts);
    app.add_systems(Startup, spawn_camera);
    app.add_systems(Update, fit_ui_to_window.in_set(AppSystems::Present));
    app.add_plugins((interaction::plugin, widgets::plugin));
}

/// The camera every screen's UI renders through.
fn spawn_camera(mut commands: Commands) {
    // No multisampling: the UI antialiases its own edges and text, and 4× MSAA would quadruple
    // the pixel work of every frame (measured under Mesa's software renderer: see docs/gui.md).
    commands.spawn((Name::new("UI camera"), Camera2d, Msaa::Off));
}

/// Puts the shipped faces in place: regular as the default font, bold under [`BOLD_FONT`].
fn install_fonts(mut fonts: ResMut<Assets<Font>>) {
    let results = [
        fonts.insert(AssetId::default(), Font::from_bytes(REGULAR_FONT.to_vec())),
        fonts.insert(BOLD_FONT.id(), Font::from_bytes(BOLD_FONT_DATA.to_vec())),
    ];
    for result in results {
        if let Err(error) = result {
            warn!("cannot install the game's font: {error}");
        }
    }
}

/// Scales the whole UI with the window, so 1920×1080 shows the 1280×720 layout, larger.
fn fit_ui_to_window(
    mut resized: MessageReader<WindowResized>,
    windows: Query<&Window, With<PrimaryWindow>>,
    mut scale: ResMut<UiScale>,
    mut fitted: Local<bool>,
) {
    let changed = resized.read().count() > 0;
    if *fitted && !changed {
        return;
    }
    let Ok(window) = windows.single() else {
        return;
    };
    *fitted = true;
    let by_width = window.width() / DESIGN_SIZE.0 as f32;
    let by_height = window.height() / DESIGN_SIZE.1 as f32;
    let wanted = by_width.min(by_height).max(MIN_UI_SCALE);
    if (scale.0 - wanted).abs() > f32::EPSILON {
        scale.0 = wanted;
    }
}
