//! The debrief screen: per-dimension scores and the overall, pass/fail and band, the evidence
//! (selecting an item shows its turn), the customer's meters as a chart, and retry from a turn.

use bevy::input::ButtonState;
use bevy::input::keyboard::KeyboardInput;
use bevy::prelude::*;
use bevy::ui_widgets::Activate;

use super::call::clock;
use crate::analysis::Polarity;
use crate::app::layout_check::DIMENSION_SCORE;
use crate::app::session::{CallRequest, FinishedCall, RetryFrom};
use crate::app::theme::{
    ButtonColors, button, button_base, button_node, label, palette, panel, scroll_panel, strong,
};
use crate::app::{AppSystems, Screen};
use crate::engine::Event;
use crate::scenario::{Dimension, Meter};
use crate::scoring::MeterPoint;
use crate::transcript::Transcript;

/// The chart's drawing area, in logical pixels.
const CHART_SIZE: (f32, f32) = (400.0, 150.0);
/// Thickness of the chart's lines.
const CHART_LINE: f32 = 2.5;
/// The longest quote shown in an evidence row.
const QUOTE_CHARS: usize = 90;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<SelectedTurn>();
    app.add_systems(OnEnter(Screen::Debrief), spawn_debrief_screen);
    app.add_systems(
        Update,
        read_debrief_keys
            .in_set(AppSystems::ReadInput)
            .run_if(in_state(Screen::Debrief)),
    );
    app.add_systems(
        Update,
        show_selected_turn
            .in_set(AppSystems::Present)
            .run_if(in_state(Screen::Debrief).and_then(resource_exists::<FinishedCall>)),
    );
}

/// The transcript turn the trainee is looking at.
#[derive(Resource, Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct SelectedTurn(pub Option<usize>);

/// The panel that shows the selected turn.
#[derive(Component)]
struct TurnDetail;

/// The chart's marker for the selected turn.
#[derive(Component)]
struct TurnMarker;

/// An evidence row, for the turn it came from.
#[derive(Component, Debug, Clone, Copy)]
struct EvidenceRow(usize);

fn spawn_debrief_screen(
    mut commands: Commands,
    finished: Option<Res<FinishedCall>>,
    mut selected: ResMut<SelectedTurn>,
) {
    let Some(finished) = finished else {
        return;
    };
    let debrief = &finished.debrief;
    let card = &debrief.scorecard;
    selected.0 = debrief
        .costly
        .first()
        .map(|c| c.turn)
        .or_else(|| first_move_turn(&finished));
    let verdict_color = if card.passed {
        palette::GOOD
    } else {
        palette::BAD
    };
    let verdict = if card.passed { "PASSED" } else { "NOT PASSED" };
    let screen = commands
        .spawn((
            Name::new("Debrief screen"),
            DespawnOnExit(Screen::Debrief),
            Node {
                width: percent(100),
                height: percent(100),
                flex_direction: FlexDirection::Column,
                padding: UiRect::axes(px(22), px(16)),
                row_gap: px(12),
                ..default()
            },
            BackgroundColor(palette::BACKDROP),
        ))
        .id();
    let critical = if card.critical_failures.is_empty() {
        String::new()
    } else {
        format!(
            "Critical failure: {} — the overall is set to 0 (it would have been {:.0}).",
            card.critical_failures.join(", "),
            card.weighted
        )
    };
    commands.entity(screen).with_children(|screen| {
        screen.spawn((
            Node {
                align_items: AlignItems::Center,
                column_gap: px(18),
                ..default()
            },
            children![
                (
                    Node {
                        flex_direction: FlexDirection::Column,
                        flex_grow: 1.0,
                        row_gap: px(2),
                        ..default()
                    },
                    children![
                        strong(
                            format!("Debrief — {}", debrief.scenario_title),
                            1.5,
                            palette::INK
                        ),
                        label(
                            format!(
                                "{} · outcome: {} · handled in {}",
                                debrief.trainee,
                                card.outcome.label(),
                                clock((card.handle_secs * 1000.0) as u64)
                            ),
                            0.85,
                            palette::INK_SOFT
                        ),
                        label(critical, 0.85, palette::BAD),
                    ],
                ),
                (
                    Node {
                        width: px(92),
                        height: px(92),
                        border: UiRect::all(px(5)),
                        border_radius: BorderRadius::MAX,
                        justify_content: JustifyContent::Center,
                        align_items: AlignItems::Center,
                        ..default()
                    },
                    BorderColor::all(verdict_color),
                    children![strong(format!("{:.0}", card.overall), 2.0, palette::INK)],
                ),
                (
                    Node {
                        flex_direction: FlexDirection::Column,
                        row_gap: px(2),
                        width: px(230),
                        ..default()
                    },
                    children![
                        strong(verdict, 1.2, verdict_color),
                        label(
                            format!("{} · pass mark {:.0}", card.band, card.pass_mark),
                            0.85,
                            palette::INK_SOFT
                        ),
                    ],
                ),
            ],
        ));
        screen
            .spawn(Node {
                flex_grow: 1.0,
                min_height: px(0),
                column_gap: px(14),
                ..default()
            })
            .with_children(|body| {
                body.spawn(scroll_panel(
                    Node {
                        width: px(380),
                        flex_shrink: 0.0,
                        ..default()
                    },
                    palette::SURFACE,
                ))
                .with_children(|column| spawn_scores(column, &finished));
                body.spawn(scroll_panel(
                    Node {
                        flex_grow: 1.0,
                        min_width: px(0),
                        ..default()
                    },
                    palette::SURFACE,
                ))
                .with_children(|column| spawn_evidence(column, &finished));
                body.spawn(panel(
                    Node {
                        width: px(430),
                        flex_shrink: 0.0,
                        ..default()
                    },
                    palette::SURFACE,
                ))
                .with_children(|column| {
                    column.spawn(strong("The customer, turn by turn", 0.95, palette::INK));
                    column.spawn(chart(&debrief.meters));
                    column.spawn((
                        Node {
                            column_gap: px(12),
                            ..default()
                        },
                        children![
                            label("— anger", 0.75, palette::ANGER),
                            label("— patience", 0.75, palette::PATIENCE),
                            label("— trust", 0.75, palette::TRUST),
                        ],
                    ));
                    column.spawn((
                        TurnDetail,
                        Node {
                            flex_direction: FlexDirection::Column,
                            row_gap: px(4),
                            flex_grow: 1.0,
                            min_height: px(0),
                            overflow: Overflow::clip(),
                            ..default()
                        },
                    ));
                    column.spawn((
                        Node {
                            column_gap: px(8),
                            flex_wrap: FlexWrap::Wrap,
                            row_gap: px(6),
                            ..default()
                        },
                        children![
                            button(
                                "Retry from this turn [R]",
                                ButtonColors::PRIMARY,
                                retry_from_selected
                            ),
                            button("Play again [P]", ButtonColors::QUIET, play_again),
                            button("Library [L]", ButtonColors::QUIET, back_to_library),
                        ],
                    ));
                });
            });
    });
}

/// The first turn with a trainee move.
fn first_move_turn(finished: &FinishedCall) -> Option<usize> {
    finished
        .transcript
        .turns
        .iter()
        .position(|t| t.mv.is_some())
}

/// Dimension bars, strengths and the costliest moments.
fn spawn_scores(column: &mut ChildSpawnerCommands, finished: &FinishedCall) {
    let debrief = &finished.debrief;
    column.spawn(strong("Scores", 0.95, palette::INK));
    for dimension in Dimension::ALL {
        let score = debrief.scorecard.dimension(dimension);
        let shown = score.map_or("n/a".to_owned(), |s| format!("{s:.0}"));
        let color = match score {
            Some(s) if s >= debrief.scorecard.pass_mark => palette::GOOD,
            Some(_) => palette::WARN,
            None => palette::INK_SOFT,
        };
        column.spawn((
            DIMENSION_SCORE,
            Node {
                column_gap: px(10),
                align_items: AlignItems::Center,
                ..default()
            },
            children![
                (
                    label(capitalised(dimension.label()), 0.85, palette::INK),
                    Node {
                        width: px(110),
                        ..default()
                    }
                ),
                (
                    Node {
                        flex_grow: 1.0,
                        height: px(10),
                        border_radius: BorderRadius::MAX,
                        ..default()
                    },
                    BackgroundColor(palette::TRACK),
                    children![(
                        Node {
                            width: percent(score.unwrap_or(0.0) as f32),
                            height: percent(100),
                            border_radius: BorderRadius::MAX,
                            ..default()
                        },
                        BackgroundColor(color),
                    )],
                ),
                (
                    strong(shown, 0.85, palette::INK),
                    Node {
                        width: px(34),
                        ..default()
                    }
                ),
            ],
        ));
    }
    if !debrief.strengths.is_empty() {
        column.spawn(strong("What went well", 0.95, palette::INK));
        for evidence in &debrief.strengths {
            column.spawn(evidence_row(
                evidence.turn,
                true,
                &evidence.finding.note,
                &evidence.finding.matched,
            ));
        }
    }
    if !debrief.costly.is_empty() {
        column.spawn(strong("What cost the most", 0.95, palette::INK));
        for moment in &debrief.costly {
            let better = moment.better.as_ref().map_or(String::new(), |b| {
                format!("Better: “{}”", shorten(b, QUOTE_CHARS * 2))
            });
            column.spawn(evidence_row(
                moment.turn,
                false,
                &format!(
                    "−{:.1} points: {}",
                    moment.points,
                    moment.problems.join("; ")
                ),
                &moment.said,
            ));
            if !better.is_empty() {
                column.spawn(label(better, 0.75, palette::GOOD));
            }
        }
    }
}

/// Every piece of evidence, criterion by criterion.
fn spawn_evidence(column: &mut ChildSpawnerCommands, finished: &FinishedCall) {
    column.spawn(strong(
        "Evidence (select one to see its turn)",
        0.95,
        palette::INK,
    ));
    let mut any = false;
    for criterion in &finished.debrief.scorecard.criteria {
        if criterion.evidence.is_empty() {
            continue;
        }
        any = true;
        let rating = criterion
            .rating
            .map_or("n/a".to_owned(), |r| format!("{r}/{}", criterion.max));
        column.spawn(label(
            format!("{} — {rating}", criterion.title),
            0.8,
            palette::INK_SOFT,
        ));
        for evidence in &criterion.evidence {
            column.spawn(evidence_row(
                evidence.turn,
                evidence.finding.polarity == Polarity::Good,
                &evidence.finding.note,
                &evidence.finding.matched,
            ));
        }
    }
    if !any {
        column.spawn(label(
            "No evidence was recorded for this call.",
            0.85,
            palette::INK_SOFT,
        ));
    }
}

/// A selectable evidence line: good or poor, what, and the words that matched.
fn evidence_row(turn: usize, good: bool, note: &str, quote: &str) -> impl Bundle {
    let mark = if good { "✓" } else { "✗" };
    let quote = if quote.is_empty() {
        String::new()
    } else {
        format!("  “{}”", shorten(quote, QUOTE_CHARS))
    };
    (
        EvidenceRow(turn),
        button_base(
            ButtonColors::QUIET,
            Node {
                width: percent(100),
                justify_content: JustifyContent::Start,
                padding: UiRect::axes(px(10), px(6)),
                flex_shrink: 0.0,
                ..button_node()
            },
            move |_: On<Activate>, mut selected: ResMut<SelectedTurn>| selected.0 = Some(turn),
        ),
        children![(
            Text::new(format!("{mark} turn {turn}: {note}{quote}")),
            crate::app::theme::font(0.78, false),
            TextColor(if good { palette::GOOD } else { palette::BAD }),
            Pickable::IGNORE,
        )],
    )
}

/// The meters over the turns, as three lines with a marker at the selected turn.
fn chart(points: &[MeterPoint]) -> impl Bundle {
    let (width, height) = CHART_SIZE;
    let steps = points.len().saturating_sub(1).max(1) as f32;
    let x_of = |index: usize| index as f32 / steps * width;
    let y_of = |value: i32| height - value.clamp(0, 100) as f32 / 100.0 * height;
    let mut pieces: Vec<(Node, BackgroundColor, UiTransform)> = Vec::new();
    for meter in Meter::ALL {
        let color = match meter {
            Meter::Anger => palette::ANGER,
            Meter::Patience => palette::PATIENCE,
            Meter::Trust => palette::TRUST,
        };
        let value = |p: &MeterPoint| match meter {
            Meter::Anger => p.anger,
            Meter::Patience => p.patience,
            Meter::Trust => p.trust,
        };
        for (index, pair) in points.windows(2).enumerate() {
            let (x1, y1, x2, y2) = (
                x_of(index),
                y_of(value(&pair[0])),
                x_of(index + 1),
                y_of(value(&pair[1])),
            );
            let length = ((x2 - x1).powi(2) + (y2 - y1).powi(2)).sqrt();
            let angle = (y2 - y1).atan2(x2 - x1);
            pieces.push((
                Node {
                    position_type: PositionType::Absolute,
                    left: px((x1 + x2) / 2.0 - length / 2.0),
                    top: px((y1 + y2) / 2.0 - CHART_LINE / 2.0),
                    width: px(length),
                    height: px(CHART_LINE),
                    border_radius: BorderRadius::MAX,
                    ..default()
                },
                BackgroundColor(color),
                UiTransform {
                    rotation: Rot2::radians(angle),
                    ..default()
                },
            ));
        }
        for (index, point) in points.iter().enumerate() {
            pieces.push((
                Node {
                    position_type: PositionType::Absolute,
                    left: px(x_of(index) - 3.5),
                    top: px(y_of(value(point)) - 3.5),
                    width: px(7),
                    height: px(7),
                    border_radius: BorderRadius::MAX,
                    ..default()
                },
                BackgroundColor(color),
                UiTransform::default(),
            ));
        }
    }
    let gridlines: Vec<(Node, BackgroundColor)> = [0.25f32, 0.5, 0.75]
        .iter()
        .map(|share| {
            (
                Node {
                    position_type: PositionType::Absolute,
                    left: px(0),
                    top: px(height * share),
                    width: px(width),
                    height: px(1),
                    ..default()
                },
                BackgroundColor(palette::TRACK),
            )
        })
        .collect();
    (
        Node {
            width: px(width),
            height: px(height),
            margin: UiRect::axes(px(4), px(8)),
            flex_shrink: 0.0,
            ..default()
        },
        Children::spawn((
            SpawnIter(gridlines.into_iter()),
            SpawnIter(pieces.into_iter()),
            Spawn((
                TurnMarker,
                Node {
                    position_type: PositionType::Absolute,
                    left: px(0),
                    top: px(-4),
                    width: px(2),
                    height: px(height + 8.0),
                    display: Display::None,
                    ..default()
                },
                BackgroundColor(palette::FOCUS_RING.with_alpha(0.7)),
            )),
        )),
    )
}

/// Shows the selected turn: what the trainee did, what the customer said, and the chart marker.
fn show_selected_turn(
    selected: Res<SelectedTurn>,
    finished: Res<FinishedCall>,
    detail: Query<Entity, With<TurnDetail>>,
    mut marker: Query<&mut Node, With<TurnMarker>>,
    mut rows: Query<(&EvidenceRow, &mut BorderColor, &mut Node), Without<TurnMarker>>,
    mut commands: Commands,
    mut drawn: Local<Option<Option<usize>>>,
) {
    let Ok(detail) = detail.single() else {
        *drawn = None;
        return;
    };
    if *drawn == Some(selected.0) {
        return;
    }
    *drawn = Some(selected.0);
    commands.entity(detail).despawn_children();
    let Some(turn) = selected.0 else {
        return;
    };
    let points = &finished.debrief.meters;
    let steps = points.len().saturating_sub(1).max(1) as f32;
    for mut node in &mut marker {
        match points.iter().position(|p| p.turn >= turn) {
            Some(index) => {
                node.display = Display::Flex;
                node.left = px(index as f32 / steps * CHART_SIZE.0 - 1.0);
            }
            None => node.display = Display::None,
        }
    }
    for (row, mut border, mut node) in &mut rows {
        node.border = UiRect::all(px(1));
        *border = BorderColor::all(if row.0 == turn {
            palette::FOCUS_RING
        } else {
            Color::NONE
        });
    }
    let Some(record) = finished.transcript.turns.get(turn) else {
        return;
    };
    let name = &finished.loaded.scenario.persona.name;
    commands.entity(detail).with_children(|panel| {
        panel.spawn(strong(
            format!("Turn {turn} at {}", clock(record.at_ms)),
            0.95,
            palette::INK,
        ));
        let mut said = None;
        for timed in &record.events {
            match &timed.event {
                Event::TraineeChose { text, .. } | Event::TraineeReplied { text, .. } => {
                    said = Some(text.to_string())
                }
                Event::CustomerSaid { text, .. } => {
                    panel.spawn(label(
                        format!("{name}: {}", shorten(text, 220)),
                        0.8,
                        palette::INK_SOFT,
                    ));
                }
                Event::MeterChanged {
                    meter, from, to, ..
                } => {
                    panel.spawn(label(
                        format!("{} {from} → {to}", meter.label()),
                        0.72,
                        palette::INK_SOFT,
                    ));
                }
                _ => {}
            }
        }
        let you = said
            .or_else(|| record.mv.as_ref().map(|m| m.describe()))
            .unwrap_or_else(|| "(time passed)".to_owned());
        panel.spawn(label(
            format!("You: {}", shorten(&you, 220)),
            0.85,
            palette::ACCENT_HOVER,
        ));
    });
}

/// Starts a call replayed up to the selected turn; the trainee plays that turn again.
fn retry_from_selected(
    _: On<Activate>,
    selected: Res<SelectedTurn>,
    finished: Res<FinishedCall>,
    mut commands: Commands,
    mut next: ResMut<NextState<Screen>>,
) {
    retry(&mut commands, &finished, selected.0);
    next.set(Screen::Call);
}

/// Asks for a call of the same scenario and seed; with a turn, the trainee's moves before it are
/// replayed and the trainee plays that turn again.
fn retry(commands: &mut Commands, finished: &FinishedCall, turn: Option<usize>) {
    let moves = turn.map_or(0, |turn| moves_before(&finished.transcript, turn));
    commands.insert_resource(CallRequest {
        loaded: finished.loaded.clone(),
        seed: finished.seed,
        retry: (moves > 0).then(|| RetryFrom {
            transcript: finished.transcript.clone(),
            moves,
        }),
    });
}

/// How many trainee moves a transcript has before its turn `turn`.
fn moves_before(transcript: &Transcript, turn: usize) -> usize {
    transcript
        .turns
        .iter()
        .take(turn)
        .filter(|t| t.mv.is_some())
        .count()
}

fn play_again(
    _: On<Activate>,
    finished: Res<FinishedCall>,
    mut commands: Commands,
    mut next: ResMut<NextState<Screen>>,
) {
    retry(&mut commands, &finished, None);
    next.set(Screen::Call);
}

fn back_to_library(_: On<Activate>, mut next: ResMut<NextState<Screen>>) {
    next.set(Screen::Title);
}

/// ← → choose a turn; R retries from it, P plays again, L or Esc goes back to the library.
fn read_debrief_keys(
    mut keys: MessageReader<KeyboardInput>,
    mut selected: ResMut<SelectedTurn>,
    finished: Option<Res<FinishedCall>>,
    mut commands: Commands,
    mut next: ResMut<NextState<Screen>>,
) {
    let Some(finished) = finished else {
        return;
    };
    let move_turns: Vec<usize> = finished
        .transcript
        .turns
        .iter()
        .enumerate()
        .filter(|(_, t)| t.mv.is_some())
        .map(|(i, _)| i)
        .collect();
    for key in keys.read() {
        if key.state != ButtonState::Pressed {
            continue;
        }
        let position = selected
            .0
            .and_then(|t| move_turns.iter().position(|m| *m >= t))
            .unwrap_or(0);
        match key.key_code {
            KeyCode::ArrowRight => {
                selected.0 = move_turns
                    .get((position + 1).min(move_turns.len().saturating_sub(1)))
                    .copied()
            }
            KeyCode::ArrowLeft => selected.0 = move_turns.get(position.saturating_sub(1)).copied(),
            KeyCode::KeyR => {
                retry(&mut commands, &finished, selected.0);
                next.set(Screen::Call);
            }
            KeyCode::KeyP => {
                retry(&mut commands, &finished, None);
                next.set(Screen::Call);
            }
            KeyCode::KeyL | KeyCode::Escape => next.set(Screen::Title),
            _ => {}
        }
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or(String::new(), |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

fn shorten(text: &str, max: usize) -> String {
    let mut out: String = text.chars().take(max).collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}
