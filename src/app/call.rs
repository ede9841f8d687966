//! The call screen: portrait and meters, the clock against the service level, the conversation
//! in the channel's own look, the options, the reply box, and hold / transfer / escalate / end.

use std::collections::VecDeque;
use std::time::Duration;

use bevy::input::ButtonState;
use bevy::input::keyboard::KeyboardInput;
use bevy::input_focus::{FocusCause, InputFocus};
use bevy::prelude::*;
use bevy::ui_widgets::{Activate, ScrollArea};
use bevy::window::RequestRedraw;

use super::damage::LiveRegion;
use super::input::{Modifiers, Submit, TextField, text_field, typing};
use super::layout_check::{CLOCK, METER, OPTION_BUTTON, REPLY_BOX};
use super::portrait::{Mood, portrait};
use super::session::{CallEvent, CallRequest, LiveCall, MoveRefused, TraineeMove, abandon_call};
use super::theme::{
    ButtonColors, ScrollCue, button, button_node, button_with, label, meter_bar, more_below,
    palette, panel, strong,
};
use super::{AppSystems, Screen};
use crate::engine::{Event, Move, TransferKind};
use crate::scenario::{Channel, Meter, Meters, Scenario};

/// Hold lengths the trainee can announce, in seconds.
const HOLD_CHOICES: [u32; 5] = [30, 60, 90, 120, 180];
/// The hold length selected when a call starts.
const DEFAULT_HOLD_INDEX: usize = 1;
/// The longest reply the box accepts (the engine's own limit is larger).
const REPLY_MAX_CHARS: usize = 600;
/// How fast the shown meters close the gap to the real ones (share of the gap per second).
const METER_EASING_PER_SEC: f32 = 5.0;
/// Below this gap a meter counts as settled and stops asking for frames.
const METER_SETTLED: f32 = 0.05;
/// The largest change drawn without easing (one point of patience drained while waiting).
const METER_DRIFT: f32 = 1.0;
/// Typing speed of a customer on chat and messaging channels, per character.
const TYPING_PER_CHAR: Duration = Duration::from_millis(28);
/// The shortest and longest a customer is shown typing.
const TYPING_RANGE: (Duration, Duration) =
    (Duration::from_millis(700), Duration::from_millis(2600));
/// How long a refused move's message stays up.
const NOTICE_FOR: Duration = Duration::from_secs(4);
/// The mark beside the customer's lines on the phone.
const CUSTOMER_MARK: Color = Color::srgb(0.95, 0.62, 0.40);
/// The typing indicator's dots step this often.
const TYPING_DOT_STEP: Duration = Duration::from_millis(350);

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Call), spawn_call_screen);
    app.add_systems(OnExit(Screen::Call), clear_call_state);
    app.add_systems(
        Update,
        read_call_keys
            .in_set(AppSystems::ReadInput)
            .after(super::input::edit_focused_field)
            .run_if(in_state(Screen::Call)),
    );
    app.add_systems(
        Update,
        (
            present_events,
            reveal_customer_lines,
            animate_typing_indicator,
            show_refusals,
            animate_meters,
            show_clock,
            show_controls,
            show_prompt,
            scroll_log_to_end,
        )
            .chain()
            .in_set(AppSystems::Present)
            .run_if(in_state(Screen::Call).and_then(resource_exists::<CallLook>)),
    );
}

/// The look of a channel: phone, chat, email and messaging differ.
#[derive(Resource, Debug, Clone, Copy)]
pub(super) struct CallLook {
    pub channel: Channel,
    backdrop: Color,
    log_background: Color,
    customer_fill: Color,
    customer_ink: Color,
    agent_fill: Color,
    agent_ink: Color,
    meta_ink: Color,
    badge: Color,
    bubble_radius: f32,
}

impl CallLook {
    /// The look of a channel.
    pub fn of(channel: Channel) -> CallLook {
        match channel {
            Channel::Phone => CallLook {
                channel,
                backdrop: Color::srgb(0.07, 0.09, 0.14),
                log_background: Color::srgb(0.10, 0.12, 0.19),
                customer_fill: Color::srgba(1.0, 1.0, 1.0, 0.0),
                customer_ink: palette::INK,
                agent_fill: Color::srgba(0.35, 0.62, 0.98, 0.10),
                agent_ink: Color::srgb(0.72, 0.84, 1.0),
                meta_ink: palette::INK_SOFT,
                badge: Color::srgb(0.30, 0.66, 0.45),
                bubble_radius: 6.0,
            },
            Channel::Chat => CallLook {
                channel,
                backdrop: Color::srgb(0.09, 0.10, 0.14),
                log_background: Color::srgb(0.95, 0.96, 0.98),
                customer_fill: Color::srgb(0.88, 0.90, 0.94),
                customer_ink: palette::INK_DARK,
                agent_fill: Color::srgb(0.27, 0.50, 0.93),
                agent_ink: Color::WHITE,
                meta_ink: palette::INK_DARK_SOFT,
                badge: Color::srgb(0.27, 0.50, 0.93),
                bubble_radius: 16.0,
            },
            Channel::Messaging => CallLook {
                channel,
                backdrop: Color::srgb(0.07, 0.11, 0.10),
                log_background: Color::srgb(0.90, 0.87, 0.81),
                customer_fill: Color::WHITE,
                customer_ink: palette::INK_DARK,
                agent_fill: Color::srgb(0.85, 0.97, 0.78),
                agent_ink: palette::INK_DARK,
                meta_ink: Color::srgb(0.45, 0.50, 0.45),
                badge: Color::srgb(0.15, 0.62, 0.42),
                bubble_radius: 10.0,
            },
            Channel::Email => CallLook {
                channel,
                backdrop: Color::srgb(0.10, 0.10, 0.12),
                log_background: Color::srgb(0.93, 0.93, 0.91),
                customer_fill: Color::WHITE,
                customer_ink: palette::INK_DARK,
                agent_fill: Color::srgb(0.98, 0.97, 0.92),
                agent_ink: palette::INK_DARK,
                meta_ink: palette::INK_DARK_SOFT,
                badge: Color::srgb(0.75, 0.50, 0.22),
                bubble_radius: 4.0,
            },
        }
    }

    /// Whether the customer is shown typing before a line appears.
    fn shows_typing(self) -> bool {
        matches!(self.channel, Channel::Chat | Channel::Messaging)
    }

    /// The channel's name in the header.
    fn title(self) -> &'static str {
        match self.channel {
            Channel::Phone => "☎  Phone call",
            Channel::Chat => "Live chat",
            Channel::Messaging => "Messaging",
            Channel::Email => "✉  Email",
        }
    }
}

/// The meters as drawn: they ease towards the engine's values.
#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub(super) struct ShownMeters {
    pub anger: f32,
    pub patience: f32,
    pub trust: f32,
}

impl ShownMeters {
    fn from_meters(meters: Meters) -> ShownMeters {
        ShownMeters {
            anger: meters.anger as f32,
            patience: meters.patience as f32,
            trust: meters.trust as f32,
        }
    }

    fn get(&self, meter: Meter) -> f32 {
        match meter {
            Meter::Anger => self.anger,
            Meter::Patience => self.patience,
            Meter::Trust => self.trust,
        }
    }

    fn get_mut(&mut self, meter: Meter) -> &mut f32 {
        match meter {
            Meter::Anger => &mut self.anger,
            Meter::Patience => &mut self.patience,
            Meter::Trust => &mut self.trust,
        }
    }
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

#[derive(Component)]
struct LogList;
#[derive(Component)]
struct OptionsList;
#[derive(Component)]
pub(super) struct ReplyBox;
#[derive(Component)]
struct ClockText;
#[derive(Component)]
struct ServiceLevelText;
#[derive(Component)]
struct ServiceLevelFill;
#[derive(Component)]
struct MeterFill(Meter);
#[derive(Component)]
struct MeterValue;
#[derive(Component)]
struct MoodText;
#[derive(Component)]
struct TypingIndicator;
#[derive(Component)]
struct NoticeText;
#[derive(Component)]
struct HoldButtonText;
#[derive(Component)]
struct PromptText;
#[derive(Component)]
struct HoldLengthText;

/// Builds the call screen for the requested scenario.
fn spawn_call_screen(
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

/// The left column: portrait, name, mood and meters.
fn customer_column(scenario: &Scenario) -> impl Bundle {
    let persona = &scenario.persona;
    (
        panel(
            Node {
                width: px(272),
                flex_shrink: 0.0,
                align_items: AlignItems::Center,
                row_gap: px(10),
                ..default()
            },
            palette::SURFACE,
        ),
        children![
            (
                // The face and mood follow anger, which can move while the customer waits.
                live_group(),
                children![
                    portrait(&persona.name),
                    strong(persona.name.clone(), 1.15, palette::INK),
                    (MoodText, label("calm", 0.85, palette::INK_SOFT)),
                ],
            ),
            (
                // Patience drains while the customer waits: redrawn alone on a quiet frame.
                live_group(),
                children![
                    (
                        METER,
                        meter_bar("Anger", palette::ANGER, MeterFill(Meter::Anger))
                    ),
                    (
                        METER,
                        meter_bar("Patience", palette::PATIENCE, MeterFill(Meter::Patience))
                    ),
                    (
                        METER,
                        meter_bar("Trust", palette::TRUST, MeterFill(Meter::Trust))
                    ),
                    (MeterValue, label("", 0.75, palette::INK_SOFT)),
                ],
            ),
        ],
    )
}

/// A group of the customer column that is redrawn alone when only it changed, laid out as the
/// column lays out its own children.
fn live_group() -> impl Bundle {
    (
        LiveRegion,
        Node {
            width: percent(100),
            flex_direction: FlexDirection::Column,
            align_items: AlignItems::Center,
            row_gap: px(10),
            ..default()
        },
    )
}

/// The middle column: the conversation, the typing indicator, options, reply box and controls.
fn conversation_column(scenario: &Scenario, look: CallLook) -> impl Bundle {
    let placeholder = match look.channel {
        Channel::Email => "Write your reply… (Enter sends)",
        Channel::Phone => "Say something… (Enter to speak)",
        Channel::Chat | Channel::Messaging => "Type a message… (Enter sends)",
    };
    let name = scenario.persona.name.clone();
    (
        Node {
            flex_grow: 1.0,
            min_width: px(0),
            flex_direction: FlexDirection::Column,
            row_gap: px(10),
            ..default()
        },
        children![
            (
                Node {
                    flex_grow: 1.0,
                    min_height: px(0),
                    flex_direction: FlexDirection::Column,
                    border_radius: BorderRadius::all(px(12)),
                    overflow: Overflow::clip(),
                    ..default()
                },
                BackgroundColor(look.log_background),
                children![
                    (
                        LogList,
                        ScrollArea,
                        Node {
                            flex_grow: 1.0,
                            min_height: px(0),
                            flex_direction: FlexDirection::Column,
                            row_gap: px(10),
                            padding: UiRect::all(px(14)),
                            overflow: Overflow::scroll_y(),
                            ..default()
                        },
                    ),
                    (
                        TypingIndicator,
                        Node {
                            display: Display::None,
                            padding: UiRect::new(px(16), px(16), px(0), px(10)),
                            ..default()
                        },
                        children![(label(format!("{name} is typing •"), 0.8, look.meta_ink))],
                    ),
                ],
            ),
            (
                NoticeText,
                label("", 0.85, palette::WARN),
                Node {
                    display: Display::None,
                    ..default()
                }
            ),
            (
                PromptText,
                label("", 0.8, palette::INK_SOFT),
                Node {
                    display: Display::None,
                    ..default()
                }
            ),
            (
                OptionsList,
                Node {
                    flex_direction: FlexDirection::Column,
                    row_gap: px(6),
                    ..default()
                },
            ),
            (
                Node {
                    column_gap: px(8),
                    align_items: AlignItems::Center,
                    ..default()
                },
                children![
                    (
                        ReplyBox,
                        REPLY_BOX,
                        text_field(
                            "",
                            placeholder,
                            REPLY_MAX_CHARS,
                            Node {
                                flex_grow: 1.0,
                                min_height: px(40),
                                ..default()
                            },
                            send_reply
                        ),
                    ),
                    button(
                        "Send ⏎",
                        ButtonColors::PRIMARY,
                        |_: On<Activate>,
                         mut boxes: Query<&mut TextField, With<ReplyBox>>,
                         mut moves: MessageWriter<TraineeMove>| {
                            for mut field in &mut boxes {
                                send(&mut field, &mut moves);
                            }
                        }
                    ),
                ],
            ),
            controls(),
        ],
    )
}

/// Hold (with its length), transfers, escalate and end, with their hotkeys.
fn controls() -> impl Bundle {
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

/// Sends the reply box's text as the trainee's reply.
/// Leaves the box afterwards, so the number keys pick options again.
fn send_reply(
    submit: On<Submit>,
    mut fields: Query<&mut TextField, With<ReplyBox>>,
    mut moves: MessageWriter<TraineeMove>,
    mut focus: ResMut<InputFocus>,
) {
    if let Ok(mut field) = fields.get_mut(submit.entity) {
        send(&mut field, &mut moves);
        focus.clear();
    }
}

fn send(field: &mut TextField, moves: &mut MessageWriter<TraineeMove>) {
    let text = field.value.trim().to_owned();
    if text.is_empty() {
        return;
    }
    field.value.clear();
    moves.write(TraineeMove(Move::Say(text)));
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
#[allow(clippy::too_many_arguments)]
fn read_call_keys(
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

/// Puts the engine's events on screen.
#[allow(clippy::too_many_arguments)]
fn present_events(
    mut events: MessageReader<CallEvent>,
    mut commands: Commands,
    look: Res<CallLook>,
    mut view: ResMut<CallView>,
    request: Res<CallRequest>,
    time: Res<Time<Real>>,
    log: Query<Entity, With<LogList>>,
    options: Query<Entity, With<OptionsList>>,
    mut redraw: MessageWriter<RequestRedraw>,
) {
    let Ok(log) = log.single() else {
        return;
    };
    let name = request.loaded.scenario.persona.name.clone();
    let now = time.elapsed();
    for CallEvent { timed, replayed } in events.read() {
        redraw.write(RequestRedraw);
        match &timed.event {
            Event::CustomerSaid { text, .. } => {
                view.waiting_since_ms = Some(timed.at_ms);
                let delay = if look.shows_typing() && !replayed {
                    typing_time(text)
                } else {
                    Duration::ZERO
                };
                let after = view.pending.back().map_or(now, |(at, _, _)| (*at).max(now));
                view.pending
                    .push_back((after + delay, text.to_string(), timed.at_ms));
            }
            Event::TraineeChose { text, .. } | Event::TraineeReplied { text, .. } => {
                view.waiting_since_ms = None;
                flush_pending(&mut commands, &mut view, log, *look, &name);
                commands
                    .entity(log)
                    .with_child(message(*look, false, "You", text, timed.at_ms));
                if let Ok(list) = options.single() {
                    commands.entity(list).despawn_children();
                }
            }
            Event::OptionsOffered { options: offered } => {
                view.reply_open = false;
                if let Ok(list) = options.single() {
                    commands.entity(list).despawn_children();
                    for option in offered {
                        let number = option.number;
                        commands.entity(list).with_child((
                            OPTION_BUTTON,
                            button_with(
                                format!("{number}   {}", option.text),
                                ButtonColors::QUIET,
                                Node {
                                    width: percent(100),
                                    justify_content: JustifyContent::Start,
                                    ..button_node()
                                },
                                move |_: On<Activate>, mut moves: MessageWriter<TraineeMove>| {
                                    moves.write(TraineeMove(Move::Choose(number)));
                                },
                            ),
                        ));
                    }
                }
            }
            Event::ReplyInvited { .. } => view.reply_open = true,
            Event::HoldStarted { announced_secs } => {
                commands.entity(log).with_child(system_line(
                    *look,
                    format!("On hold — you said {announced_secs} s"),
                ));
            }
            Event::HoldEnded { held_secs, .. } => {
                commands.entity(log).with_child(system_line(
                    *look,
                    format!("Back from hold after {held_secs} s"),
                ));
            }
            Event::Transferred { kind } => {
                let kind = if *kind == TransferKind::Warm {
                    "Warm"
                } else {
                    "Cold"
                };
                commands
                    .entity(log)
                    .with_child(system_line(*look, format!("{kind} transfer")));
            }
            Event::Escalated => {
                commands
                    .entity(log)
                    .with_child(system_line(*look, "Escalated to a supervisor".to_owned()));
            }
            Event::Ended { outcome, .. } => {
                view.ended = true;
                flush_pending(&mut commands, &mut view, log, *look, &name);
                commands.entity(log).with_child(system_line(
                    *look,
                    format!("The call ended: {}", outcome.label()),
                ));
                if let Ok(list) = options.single() {
                    commands.entity(list).despawn_children();
                }
            }
            _ => {}
        }
    }
}

/// How long a customer is shown typing a line.
fn typing_time(text: &str) -> Duration {
    (TYPING_PER_CHAR * text.chars().count() as u32).clamp(TYPING_RANGE.0, TYPING_RANGE.1)
}

/// Shows every waiting customer line at once (the trainee answered, or the call ended).
fn flush_pending(
    commands: &mut Commands,
    view: &mut CallView,
    log: Entity,
    look: CallLook,
    name: &str,
) {
    for (_, text, at_ms) in view.pending.drain(..) {
        commands
            .entity(log)
            .with_child(message(look, true, name, &text, at_ms));
    }
}

/// Shows customer lines whose typing time is over; shows the typing indicator meanwhile.
#[allow(clippy::too_many_arguments)]
fn reveal_customer_lines(
    mut commands: Commands,
    mut view: ResMut<CallView>,
    look: Res<CallLook>,
    request: Res<CallRequest>,
    time: Res<Time<Real>>,
    log: Query<Entity, With<LogList>>,
    mut indicator: Query<&mut Node, With<TypingIndicator>>,
    mut redraw: MessageWriter<RequestRedraw>,
) {
    let Ok(log) = log.single() else {
        return;
    };
    let now = time.elapsed();
    while view.pending.front().is_some_and(|(at, _, _)| *at <= now) {
        if let Some((_, text, at_ms)) = view.pending.pop_front() {
            commands.entity(log).with_child(message(
                *look,
                true,
                &request.loaded.scenario.persona.name,
                &text,
                at_ms,
            ));
        }
    }
    let waiting = !view.pending.is_empty();
    if waiting {
        redraw.write(RequestRedraw);
    }
    for mut node in &mut indicator {
        let display = if waiting {
            Display::Flex
        } else {
            Display::None
        };
        if node.display != display {
            node.display = display;
        }
    }
}

/// Steps the typing indicator's dots.
fn animate_typing_indicator(
    time: Res<Time<Real>>,
    request: Res<CallRequest>,
    indicator: Query<(&Node, &Children), With<TypingIndicator>>,
    mut texts: Query<&mut Text>,
) {
    for (node, children) in &indicator {
        if node.display == Display::None {
            continue;
        }
        let dots = 1 + (time.elapsed().as_millis() / TYPING_DOT_STEP.as_millis()) % 3;
        for child in children.iter() {
            if let Ok(mut text) = texts.get_mut(child) {
                text.0 = format!(
                    "{} is typing {}",
                    request.loaded.scenario.persona.name,
                    "•".repeat(dots as usize)
                );
            }
        }
    }
}

/// One message in the conversation, in the channel's look.
fn message(look: CallLook, from_customer: bool, who: &str, text: &str, at_ms: u64) -> impl Bundle {
    let (fill, ink) = if from_customer {
        (look.customer_fill, look.customer_ink)
    } else {
        (look.agent_fill, look.agent_ink)
    };
    let stamp = clock(at_ms);
    let meta = match (look.channel, from_customer) {
        (Channel::Email, true) => format!("From: {who}   ·   {stamp}"),
        (Channel::Email, false) => format!("From: you   ·   {stamp}"),
        (Channel::Messaging, false) => format!("{stamp}  ✓✓"),
        (Channel::Phone, _) => format!("{who}  ·  {stamp}"),
        _ => stamp,
    };
    let align = if from_customer || look.channel == Channel::Email || look.channel == Channel::Phone
    {
        AlignSelf::Start
    } else {
        AlignSelf::End
    };
    let width = if matches!(look.channel, Channel::Email | Channel::Phone) {
        percent(100)
    } else {
        Val::Auto
    };
    (
        Node {
            flex_direction: FlexDirection::Column,
            row_gap: px(4),
            padding: UiRect::axes(px(14), px(9)),
            max_width: if width == Val::Auto {
                percent(78)
            } else {
                percent(100)
            },
            width,
            align_self: align,
            flex_shrink: 0.0,
            border: if look.channel == Channel::Phone {
                UiRect::left(px(3))
            } else {
                UiRect::ZERO
            },
            border_radius: BorderRadius::all(px(look.bubble_radius)),
            ..default()
        },
        BorderColor::all(if from_customer {
            CUSTOMER_MARK
        } else {
            palette::ACCENT
        }),
        BackgroundColor(fill),
        children![
            label(
                meta,
                0.7,
                if look.channel == Channel::Phone
                    || (!from_customer && look.channel == Channel::Chat)
                {
                    ink.with_alpha(0.7)
                } else {
                    look.meta_ink
                }
            ),
            label(text.to_owned(), 0.95, ink),
        ],
    )
}

/// A line about the call itself (hold, transfer, ending).
fn system_line(look: CallLook, text: String) -> impl Bundle {
    (
        Node {
            align_self: AlignSelf::Center,
            padding: UiRect::axes(px(12), px(4)),
            border_radius: BorderRadius::MAX,
            flex_shrink: 0.0,
            ..default()
        },
        BackgroundColor(look.meta_ink.with_alpha(0.18)),
        children![label(text, 0.75, look.meta_ink)],
    )
}

/// Shows a refused move for a few seconds.
fn show_refusals(
    mut refused: MessageReader<MoveRefused>,
    mut view: ResMut<CallView>,
    time: Res<Time<Real>>,
    mut notice: Query<(&mut Text, &mut Node), With<NoticeText>>,
) {
    let now = time.elapsed();
    for MoveRefused(message) in refused.read() {
        view.notice = Some((message.clone(), now + NOTICE_FOR));
    }
    if view.notice.as_ref().is_some_and(|(_, until)| *until <= now) {
        view.notice = None;
    }
    for (mut text, mut node) in &mut notice {
        let (shown, display) = match &view.notice {
            Some((message, _)) => (format!("⚠ {message}"), Display::Flex),
            None => (String::new(), Display::None),
        };
        if text.0 != shown {
            text.0 = shown;
        }
        if node.display != display {
            node.display = display;
        }
    }
}

/// Eases the shown meters towards the engine's, and draws them.
#[allow(clippy::too_many_arguments)]
fn animate_meters(
    call: Option<Res<LiveCall>>,
    time: Res<Time<Real>>,
    mut shown: ResMut<ShownMeters>,
    mut fills: Query<(&MeterFill, &mut Node)>,
    mut mood_text: Query<&mut Text, (With<MoodText>, Without<MeterValue>)>,
    mut values: Query<&mut Text, (With<MeterValue>, Without<MoodText>)>,
    mut redraw: MessageWriter<RequestRedraw>,
) {
    let Some(session) = call.as_ref().and_then(|c| c.session()) else {
        return;
    };
    let now_ms = call.as_ref().map_or(0, |c| c.now_ms(&time));
    let mut target = session.meters();
    target.patience = session.patience_at(now_ms);
    let step = (METER_EASING_PER_SEC * time.delta_secs()).clamp(0.0, 1.0);
    let mut next = *shown;
    let mut moving = false;
    for meter in Meter::ALL {
        let goal = target.get(meter) as f32;
        let value = next.get_mut(meter);
        let gap = goal - *value;
        // A one-point drift (patience draining as the customer waits) is drawn at once: easing
        // it would redraw for half a second every few seconds while the trainee thinks.
        if gap.abs() > METER_SETTLED && gap.abs() > METER_DRIFT {
            *value += gap * step.max(0.02);
            moving = true;
        } else {
            *value = goal;
        }
    }
    if next != *shown {
        *shown = next;
    }
    if moving {
        redraw.write(RequestRedraw);
    }
    if !shown.is_changed() {
        return;
    }
    for (fill, mut node) in &mut fills {
        node.width = percent(shown.get(fill.0).clamp(0.0, 100.0));
    }
    let mood = Mood::from_anger(shown.anger);
    for mut text in &mut mood_text {
        text.0 = format!("feels {}", mood.label());
    }
    for mut text in &mut values {
        text.0 = format!(
            "anger {:.0} · patience {:.0} · trust {:.0}",
            shown.anger, shown.patience, shown.trust
        );
    }
}

/// The call clock, and how long the customer has waited against the service level.
fn show_clock(
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

/// Keeps the hold button and hold length labels true.
fn show_controls(
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

/// Says what the trainee may do now (pick an option, answer in their own words) once the
/// customer has finished, and outlines the reply box in the accent colour when a reply is wanted.
fn show_prompt(
    call: Option<Res<LiveCall>>,
    view: Res<CallView>,
    mut prompt: Query<(&mut Text, &mut Node), With<PromptText>>,
    mut reply_box: Query<&mut BorderColor, With<ReplyBox>>,
) {
    let session = call.as_ref().and_then(|c| c.session());
    let customer_done = view.pending.is_empty() && !view.ended;
    let (options, reply) = match session {
        Some(session) if customer_done && session.outcome().is_none() => {
            (session.offered().len(), session.reply_open())
        }
        _ => (0, false),
    };
    let line = prompt_line(options, reply);
    for (mut text, mut node) in &mut prompt {
        if text.0 != line {
            text.0 = line.clone();
        }
        let display = if line.is_empty() {
            Display::None
        } else {
            Display::Flex
        };
        if node.display != display {
            node.display = display;
        }
    }
    let outline = if reply {
        palette::ACCENT
    } else {
        palette::SURFACE_HOVER
    };
    for mut border in &mut reply_box {
        if border.top != outline {
            *border = BorderColor::all(outline);
        }
    }
}

/// What the trainee may do, in words: `options` open options and whether a typed reply is open.
fn prompt_line(options: usize, reply: bool) -> String {
    let keys = match options {
        0 => String::new(),
        1 => "press 1".to_owned(),
        n => format!("press 1–{n}"),
    };
    match (options, reply) {
        (0, false) => String::new(),
        (0, true) => {
            "Answer in your own words: press R (or click the box), type, then Enter.".to_owned()
        }
        (_, false) => format!("Pick an option: {keys} or click it."),
        (_, true) => {
            format!("Pick an option ({keys}) or answer in your own words (R, then Enter).")
        }
    }
}

/// Keeps the newest message in view.
fn scroll_log_to_end(mut logs: Query<&mut ScrollPosition, (With<LogList>, Changed<Children>)>) {
    for mut scroll in &mut logs {
        scroll.0.y = f32::MAX;
    }
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

    #[test]
    fn every_channel_looks_different() {
        let looks: Vec<_> = Channel::ALL
            .iter()
            .map(|c| CallLook::of(*c).log_background.to_srgba().to_hex())
            .collect();
        let mut unique = looks.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), looks.len(), "{looks:?}");
    }

    #[test]
    fn the_prompt_names_only_what_is_open() {
        assert_eq!(prompt_line(0, false), "");
        assert!(prompt_line(3, false).contains("press 1–3"));
        assert!(!prompt_line(3, false).contains("own words"));
        assert!(prompt_line(1, false).contains("press 1 "));
        assert!(prompt_line(0, true).starts_with("Answer in your own words"));
        let both = prompt_line(2, true);
        assert!(both.contains("1–2") && both.contains("own words"), "{both}");
    }

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

    #[test]
    fn customers_type_for_a_while_but_not_forever() {
        assert_eq!(typing_time("ok"), TYPING_RANGE.0);
        assert_eq!(typing_time(&"x".repeat(1000)), TYPING_RANGE.1);
    }
}
