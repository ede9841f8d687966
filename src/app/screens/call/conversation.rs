//! The conversation column: the messages in the channel's look, the customer typing, the
//! refused-move notice, the prompt, the options and the reply box.

use std::time::Duration;

use bevy::input_focus::InputFocus;
use bevy::prelude::*;
use bevy::ui_widgets::{Activate, ScrollArea};
use bevy::window::RequestRedraw;

use super::controls::controls;
use super::look::CallLook;
use super::reload::reload_notice;
use super::{CallView, clock};
use crate::app::input::{Submit, TextField, text_field};
use crate::app::layout_check::{OPTION_BUTTON, REPLY_BOX};
use crate::app::session::{CallEvent, CallRequest, LiveCall, MoveRefused, TraineeMove};
use crate::app::theme::{ButtonColors, button, button_node, button_with, label, palette};
use crate::engine::{Event, Move, TransferKind};
use crate::scenario::{Channel, Scenario};

/// The longest reply the box accepts (the engine's own limit is larger).
const REPLY_MAX_CHARS: usize = 600;
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

#[derive(Component)]
pub(super) struct LogList;
#[derive(Component)]
pub(super) struct OptionsList;
#[derive(Component)]
pub(super) struct ReplyBox;
#[derive(Component)]
pub(super) struct TypingIndicator;
#[derive(Component)]
pub(super) struct NoticeText;
#[derive(Component)]
pub(super) struct PromptText;

/// The middle column: the conversation, the typing indicator, options, reply box and controls.
pub(super) fn conversation_column(scenario: &Scenario, look: CallLook) -> impl Bundle {
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
            reload_notice(),
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

/// Puts the engine's events on screen.
pub(super) fn present_events(
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
pub(super) fn reveal_customer_lines(
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
pub(super) fn animate_typing_indicator(
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
pub(super) fn show_refusals(
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

/// Says what the trainee may do now (pick an option, answer in their own words) once the
/// customer has finished, and outlines the reply box in the accent colour when a reply is wanted.
pub(super) fn show_prompt(
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
pub(super) fn scroll_log_to_end(
    mut logs: Query<&mut ScrollPosition, (With<LogList>, Changed<Children>)>,
) {
    for mut scroll in &mut logs {
        scroll.0.y = f32::MAX;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn customers_type_for_a_while_but_not_forever() {
        assert_eq!(typing_time("ok"), TYPING_RANGE.0);
        assert_eq!(typing_time(&"x".repeat(1000)), TYPING_RANGE.1);
    }
}
