//! The shared widgets, as functions returning `impl Bundle`: text runs, buttons, panels, scroll
//! areas with their "more below" hint, and meters.

use bevy::ecs::system::IntoObserverSystem;
use bevy::input_focus::tab_navigation::TabIndex;
use bevy::prelude::*;
use bevy::text::FontSource;
use bevy::ui_widgets::{Activate, Button as WidgetButton, ScrollArea, observe};

use super::interaction::ButtonColors;
use super::{BOLD_FONT, palette};
use crate::app::AppSystems;

/// Content that overflows by less than this many logical pixels counts as fitting.
const OVERFLOW_SLACK_PX: f32 = 2.0;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Update, show_more_below.in_set(AppSystems::Present));
}

/// A text font of `rem` times the base size, regular or bold.
pub(crate) fn font(rem: f32, bold: bool) -> TextFont {
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
pub(crate) fn label(text: impl Into<String>, rem: f32, color: Color) -> impl Bundle {
    (Text::new(text), font(rem, false), TextColor(color))
}

/// A run of bold text.
pub(crate) fn strong(text: impl Into<String>, rem: f32, color: Color) -> impl Bundle {
    (Text::new(text), font(rem, true), TextColor(color))
}

/// A focusable button; `action` runs when it is clicked, or on Enter/Space while focused.
pub(crate) fn button<
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
pub(crate) fn button_with<
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
pub(crate) fn button_base<
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
pub(crate) fn button_node() -> Node {
    Node {
        padding: UiRect::axes(px(14), px(8)),
        justify_content: JustifyContent::Center,
        align_items: AlignItems::Center,
        border_radius: BorderRadius::all(px(8)),
        ..default()
    }
}

/// A rounded panel.
pub(crate) fn panel(node: Node, color: Color) -> impl Bundle {
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
pub(crate) fn scroll_panel(node: Node, color: Color) -> impl Bundle {
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
pub(crate) struct ScrollCue;

/// The "more below" line for the [`ScrollCue`] area beside it (same parent); hidden until needed.
#[derive(Component, Debug)]
pub(crate) struct MoreBelow;

/// A hint, placed after a [`ScrollCue`] area under the same parent, shown while it hides more text.
pub(crate) fn more_below(color: Color) -> impl Bundle {
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

/// A horizontal meter: label, track and fill. The fill's width is set by whoever owns `marker`.
pub(crate) fn meter_bar(title: &str, color: Color, marker: impl Component) -> impl Bundle {
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
