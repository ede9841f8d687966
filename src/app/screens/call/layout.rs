//! The call screen's frame: the header with the clock against the service level, the three
//! columns, and the briefing of what the trainee knows.

use bevy::input_focus::InputFocus;
use bevy::prelude::*;

use super::controls::DEFAULT_HOLD_INDEX;
use super::conversation::conversation_column;
use super::customer::{ShownMeters, customer_column};
use super::look::CallLook;
use super::{CallView, clock};
use crate::app::Screen;
use crate::app::layout_check::CLOCK;
use crate::app::render::damage::LiveRegion;
use crate::app::session::{CallRequest, LiveCall};
use crate::app::theme::{ScrollCue, label, more_below, palette, panel, strong};
use crate::scenario::Scenario;

#[derive(Component)]
pub(super) struct ClockText;
#[derive(Component)]
pub(super) struct ServiceLevelText;
#[derive(Component)]
pub(super) struct ServiceLevelFill;

/// Builds the call screen for the requested scenario.
pub(super) fn spawn_call_screen(
    mut commands: Commands,
    request: Option<Res<CallRequest>>,
    mut focus: ResMut<InputFocus>,
) {
    let Some(request) = request else {
        return;
    };
    let scenario = &request.loaded.scenario;
    let look = CallLook::of(scenario.channel);
    commands.insert_resource(look);
    commands.insert_resource(ShownMeters::from_meters(scenario.persona.meters));
    commands.insert_resource(CallView {
        hold_index: DEFAULT_HOLD_INDEX,
        ..default()
    });
    focus.clear();
    commands.insert_resource(ClearColor(look.backdrop));
    commands.spawn((
        Name::new("Call screen"),
        DespawnOnExit(Screen::Call),
        Node {
            width: percent(100),
            height: percent(100),
            flex_direction: FlexDirection::Column,
            padding: UiRect::all(px(14)),
            row_gap: px(12),
            ..default()
        },
        children![
            header(scenario, look),
            (
                Node {
                    flex_grow: 1.0,
                    min_height: px(0),
                    column_gap: px(14),
                    ..default()
                },
                children![
                    customer_column(scenario),
                    conversation_column(scenario, look),
                    briefing_column(scenario)
                ],
            ),
        ],
    ));
}

/// The top bar: channel, title, clock and the reply service level.
fn header(scenario: &Scenario, look: CallLook) -> impl Bundle {
    let levels = scenario.service_levels();
    (
        Node {
            align_items: AlignItems::Center,
            column_gap: px(14),
            ..default()
        },
        children![
            (
                Node {
                    padding: UiRect::axes(px(12), px(5)),
                    border_radius: BorderRadius::MAX,
                    ..default()
                },
                BackgroundColor(look.badge),
                children![strong(look.title(), 0.85, Color::WHITE)],
            ),
            (
                Node {
                    flex_grow: 1.0,
                    flex_direction: FlexDirection::Column,
                    ..default()
                },
                children![
                    strong(scenario.title.clone(), 1.25, palette::INK),
                    label(
                        format!(
                            "{} · target handle time {}",
                            scenario.difficulty.label(),
                            clock(u64::from(scenario.target_handle_secs) * 1000)
                        ),
                        0.8,
                        palette::INK_SOFT
                    ),
                ],
            ),
            (
                // Redrawn alone each second while the trainee thinks, over its own backdrop.
                LiveRegion,
                Node {
                    flex_direction: FlexDirection::Column,
                    align_items: AlignItems::End,
                    row_gap: px(4),
                    width: px(260),
                    ..default()
                },
                BackgroundColor(look.backdrop),
                children![
                    (ClockText, CLOCK, strong("00:00", 1.6, palette::INK)),
                    (
                        ServiceLevelText,
                        label(
                            format!("first reply within {} s", levels.first_response_secs),
                            0.8,
                            palette::INK_SOFT
                        )
                    ),
                    (
                        Node {
                            width: percent(100),
                            height: px(6),
                            border_radius: BorderRadius::MAX,
                            ..default()
                        },
                        BackgroundColor(palette::TRACK),
                        children![(
                            ServiceLevelFill,
                            Node {
                                width: percent(0),
                                height: percent(100),
                                border_radius: BorderRadius::MAX,
                                ..default()
                            },
                            BackgroundColor(palette::GOOD),
                        )],
                    ),
                ],
            ),
        ],
    )
}

/// The right column: what the trainee knows (facts and policy, scrolling when long) and the keys
/// the buttons do not show.
fn briefing_column(scenario: &Scenario) -> impl Bundle {
    let mut lines: Vec<String> = scenario
        .policy
        .facts
        .iter()
        .map(|f| format!("• {f}"))
        .collect();
    lines.extend(
        scenario
            .policy
            .commitments
            .iter()
            .map(|c| format!("{} {}", if c.allowed { "✓" } else { "✗" }, c.terms)),
    );
    (
        panel(
            Node {
                width: px(250),
                flex_shrink: 0.0,
                ..default()
            },
            palette::SURFACE,
        ),
        children![
            strong("What you know", 0.95, palette::INK),
            (
                ScrollCue,
                Node {
                    flex_grow: 1.0,
                    flex_shrink: 1.0,
                    min_height: px(0),
                    flex_direction: FlexDirection::Column,
                    overflow: Overflow::scroll_y(),
                    ..default()
                },
                children![label(lines.join("\n"), 0.75, palette::INK_SOFT)],
            ),
            more_below(palette::ACCENT_HOVER),
            (
                Node {
                    flex_direction: FlexDirection::Column,
                    flex_shrink: 0.0,
                    row_gap: px(4),
                    padding: UiRect::top(px(6)),
                    border: UiRect::top(px(1)),
                    ..default()
                },
                BorderColor::all(palette::TRACK),
                children![
                    strong("Keys", 0.85, palette::INK),
                    label(
                        "1–9 option · R or / reply · Esc leaves it\n[ ] hold length · Tab, Enter buttons",
                        0.7,
                        palette::INK_SOFT
                    ),
                ],
            ),
        ],
    )
}

/// The call clock, and how long the customer has waited against the service level.
pub(super) fn show_clock(
    call: Option<Res<LiveCall>>,
    time: Res<Time<Real>>,
    view: Res<CallView>,
    mut clock_text: Query<&mut Text, (With<ClockText>, Without<ServiceLevelText>)>,
    mut level_text: Query<&mut Text, (With<ServiceLevelText>, Without<ClockText>)>,
    mut fill: Query<(&mut Node, &mut BackgroundColor), With<ServiceLevelFill>>,
    mut answered_once: Local<bool>,
) {
    let Some(call) = call else {
        return;
    };
    let now_ms = call.now_ms(&time);
    let levels = call.scenario.service_levels();
    if view.waiting_since_ms.is_none() && now_ms > 0 {
        *answered_once = true;
    }
    let shown_clock = clock(now_ms);
    for mut text in &mut clock_text {
        if text.0 != shown_clock {
            text.0 = shown_clock.clone();
        }
    }
    let (waited_ms, target_secs, what) = match view.waiting_since_ms {
        _ if view.ended => (0, levels.between_replies_secs, "call over"),
        Some(since) => {
            let target = if *answered_once {
                levels.between_replies_secs
            } else {
                levels.first_response_secs
            };
            (now_ms.saturating_sub(since), target, "waiting for you")
        }
        None => (0, levels.between_replies_secs, "customer's turn"),
    };
    let share = (waited_ms as f32 / (target_secs as f32 * 1000.0)).clamp(0.0, 1.0);
    let line = if view.waiting_since_ms.is_some() && !view.ended {
        format!(
            "{what} {} / {}",
            clock(waited_ms),
            clock(u64::from(target_secs) * 1000)
        )
    } else {
        what.to_owned()
    };
    for mut text in &mut level_text {
        if text.0 != line {
            text.0 = line.clone();
        }
    }
    // Written only when they change, so an idle frame does not lay the bar out again.
    let width = percent(share * 100.0);
    let shade = if share < 0.6 {
        palette::GOOD
    } else if share < 1.0 {
        palette::WARN
    } else {
        palette::BAD
    };
    for (mut node, mut color) in &mut fill {
        if node.width != width {
            node.width = width;
        }
        color.set_if_neq(BackgroundColor(shade));
    }
}
