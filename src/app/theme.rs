//! The look of the game: palette, fonts, text sizes, the UI scale, and the shared widgets.

use bevy::asset::uuid_handle;
use bevy::ecs::system::IntoObserverSystem;
use bevy::input_focus::InputFocus;
use bevy::input_focus::tab_navigation::TabIndex;
use bevy::prelude::*;
use bevy::text::{FontSource, RemSize};
use bevy::ui_widgets::{Activate, Button as WidgetButton, ScrollArea, observe};
use bevy::window::{PrimaryWindow, WindowResized};

use super::{AppSystems, DESIGN_SIZE};

/// The regular face, shipped in `assets/fonts` and compiled in (replaces Bevy's default font).
const REGULAR_FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// The bold face.
const BOLD_FONT_DATA: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");
/// The handle the bold face is stored under.
pub(super) const BOLD_FONT: Handle<Font> = uuid_handle!("5c0ffee0-7a11-4b0b-9d5e-b01dface0001");

/// Text size in logical pixels at 100 % (one `rem`).
pub(super) const BASE_TEXT_PX: f32 = 16.0;

/// The UI never shrinks below this share of the design size, so text stays legible.
const MIN_UI_SCALE: f32 = 0.8;

/// Named colours of the game.
pub(super) mod palette {
    use bevy::prelude::Color;

    pub const INK: Color = Color::srgb(0.93, 0.94, 0.96);
    pub const INK_SOFT: Color = Color::srgb(0.70, 0.73, 0.80);
    pub const INK_DARK: Color = Color::srgb(0.12, 0.13, 0.17);
    pub const INK_DARK_SOFT: Color = Color::srgb(0.38, 0.40, 0.46);
    pub const BACKDROP: Color = Color::srgb(0.086, 0.098, 0.133);
    pub const SURFACE: Color = Color::srgb(0.125, 0.141, 0.188);
    pub const SURFACE_RAISED: Color = Color::srgb(0.165, 0.184, 0.243);
    pub const SURFACE_HOVER: Color = Color::srgb(0.215, 0.239, 0.310);
    pub const ACCENT: Color = Color::srgb(0.35, 0.62, 0.98);
    pub const ACCENT_HOVER: Color = Color::srgb(0.45, 0.70, 1.0);
    pub const ACCENT_PRESSED: Color = Color::srgb(0.25, 0.50, 0.85);
    pub const GOOD: Color = Color::srgb(0.36, 0.78, 0.55);
    pub const BAD: Color = Color::srgb(0.93, 0.40, 0.40);
    pub const WARN: Color = Color::srgb(0.96, 0.70, 0.30);
    pub const ANGER: Color = Color::srgb(0.92, 0.36, 0.33);
    pub const PATIENCE: Color = Color::srgb(0.96, 0.72, 0.28);
    pub const TRUST: Color = Color::srgb(0.30, 0.76, 0.72);
    pub const FOCUS_RING: Color = Color::srgb(1.0, 0.85, 0.35);
    pub const TRACK: Color = Color::srgba(1.0, 1.0, 1.0, 0.08);
}

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<UiScale>();
    app.init_resource::<RemSize>();
    app.insert_resource(RemSize(BASE_TEXT_PX));
    app.add_systems(PreStartup, install_fonts);
    app.add_systems(Startup, spawn_camera);
    app.add_systems(
        Update,
        (
            fit_ui_to_window,
            tint_buttons,
            show_focus_ring.run_if(resource_exists::<InputFocus>),
            show_more_below,
        )
            .in_set(AppSystems::Present),
    );
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

/// The colours of a button in its three states.
#[derive(Component, Debug, Clone, Copy)]
pub(super) struct ButtonColors {
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

/// A text font of `rem` times the base size, regular or bold.
pub(super) fn font(rem: f32, bold: bool) -> TextFont {
    TextFont {
        font: if bold {
            FontSource::Handle(BOLD_FONT)
        } else {
            FontSource::default()
        },
        font_size: FontSize::Rem(rem),
        ..default()
    }
}

/// A run of text.
pub(super) fn label(text: impl Into<String>, rem: f32, color: Color) -> impl Bundle {
    (Text::new(text), font(rem, false), TextColor(color))
}

/// A run of bold text.
pub(super) fn strong(text: impl Into<String>, rem: f32, color: Color) -> impl Bundle {
    (Text::new(text), font(rem, true), TextColor(color))
}

/// A focusable button; `action` runs when it is clicked, or on Enter/Space while focused.
pub(super) fn button<
    B: Bundle,
    M: Send + Sync + 'static,
    I: IntoObserverSystem<Activate, B, M> + Send + Sync,
>(
    text: impl Into<String>,
    colors: ButtonColors,
    action: I,
) -> impl Bundle {
    button_with(text, colors, button_node(), action)
}

/// A button with its own layout (width, padding…).
pub(super) fn button_with<
    B: Bundle,
    M: Send + Sync + 'static,
    I: IntoObserverSystem<Activate, B, M> + Send + Sync,
>(
    text: impl Into<String>,
    colors: ButtonColors,
    node: Node,
    action: I,
) -> impl Bundle {
    (
        button_base(colors, node, action),
        children![(label(text, 0.95, palette::INK), Pickable::IGNORE)],
    )
}

/// A button without content, for callers that lay out their own children.
pub(super) fn button_base<
    B: Bundle,
    M: Send + Sync + 'static,
    I: IntoObserverSystem<Activate, B, M> + Send + Sync,
>(
    colors: ButtonColors,
    node: Node,
    action: I,
) -> impl Bundle {
    (
        Name::new("Button"),
        WidgetButton,
        Interaction::default(),
        TabIndex(0),
        colors,
        BackgroundColor(colors.normal),
        node,
        observe(action),
    )
}

/// A button's default layout; callers override fields with `Node { width: …, ..button_node() }`.
pub(super) fn button_node() -> Node {
    Node {
        padding: UiRect::axes(px(14), px(8)),
        justify_content: JustifyContent::Center,
        align_items: AlignItems::Center,
        border_radius: BorderRadius::all(px(8)),
        ..default()
    }
}

/// A rounded panel.
pub(super) fn panel(node: Node, color: Color) -> impl Bundle {
    (
        Node {
            border_radius: BorderRadius::all(px(12)),
            padding: UiRect::all(px(14)),
            flex_direction: FlexDirection::Column,
            row_gap: px(8),
            ..node
        },
        BackgroundColor(color),
    )
}

/// A [`panel`] whose content scrolls vertically (mouse wheel or trackpad).
pub(super) fn scroll_panel(node: Node, color: Color) -> impl Bundle {
    (
        panel(
            Node {
                overflow: Overflow::scroll_y(),
                ..node
            },
            color,
        ),
        ScrollArea,
    )
}

/// A scroll area (mouse wheel or trackpad) whose [`more_below`] sibling says when it holds more
/// than it shows.
#[derive(Component, Debug, Default)]
#[require(ScrollArea)]
pub(super) struct ScrollCue;

/// The "more below" line for the [`ScrollCue`] area beside it (same parent); hidden until needed.
#[derive(Component, Debug)]
pub(super) struct MoreBelow;

/// A hint, placed after a [`ScrollCue`] area under the same parent, shown while it hides more text.
pub(super) fn more_below(color: Color) -> impl Bundle {
    (
        MoreBelow,
        label("more below — scroll ↓", 0.7, color),
        Node {
            display: Display::None,
            align_self: AlignSelf::End,
            ..default()
        },
    )
}

/// Shows each [`MoreBelow`] hint while its area has text past the bottom edge.
fn show_more_below(
    areas: Query<(&ChildOf, &ComputedNode, &ScrollPosition), With<ScrollCue>>,
    mut hints: Query<(&ChildOf, &mut Node), With<MoreBelow>>,
) {
    for (hint_parent, mut node) in &mut hints {
        let hidden_below = areas
            .iter()
            .filter(|(parent, _, _)| parent.parent() == hint_parent.parent())
            .any(|(_, computed, scroll)| {
                let scale = computed.inverse_scale_factor;
                let overflow = (computed.content_size().y - computed.size().y) * scale;
                overflow - scroll.y > OVERFLOW_SLACK_PX
            });
        let display = if hidden_below {
            Display::Flex
        } else {
            Display::None
        };
        if node.display != display {
            node.display = display;
        }
    }
}

/// Content that overflows by less than this many logical pixels counts as fitting.
const OVERFLOW_SLACK_PX: f32 = 2.0;

/// A horizontal meter: label, track and fill. The fill's width is set by whoever owns `marker`.
pub(super) fn meter_bar(title: &str, color: Color, marker: impl Component) -> impl Bundle {
    (
        Node {
            flex_direction: FlexDirection::Column,
            row_gap: px(3),
            width: percent(100),
            ..default()
        },
        children![
            (label(title.to_owned(), 0.8, palette::INK_SOFT)),
            (
                Node {
                    width: percent(100),
                    height: px(10),
                    border_radius: BorderRadius::all(px(5)),
                    ..default()
                },
                BackgroundColor(palette::TRACK),
                children![(
                    marker,
                    Node {
                        width: percent(50),
                        height: percent(100),
                        border_radius: BorderRadius::all(px(5)),
                        ..default()
                    },
                    BackgroundColor(color),
                )],
            ),
        ],
    )
}
