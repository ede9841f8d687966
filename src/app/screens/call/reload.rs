//! The reload notice of the call screen: what became of the call when its scenario's files
//! changed (carried over, the errors of a file that no longer validates, or why it cannot be
//! carried over, with a restart on the new version).

use bevy::prelude::*;
use bevy::ui_widgets::Activate;

use crate::app::Screen;
use crate::app::carry::ReloadStatus;
use crate::app::library::LibraryWatch;
use crate::app::session::{CallRequest, CallSeeds, LiveCall};
use crate::app::theme::{ButtonColors, button, label, palette, strong};

/// The most errors listed; the rest are counted.
const MAX_PROBLEMS_SHOWN: usize = 4;

/// The notice as a whole (hidden while there is nothing to say).
#[derive(Component)]
pub(super) struct ReloadNotice;
#[derive(Component)]
pub(super) struct ReloadHeadline;
#[derive(Component)]
pub(super) struct ReloadProblems;
#[derive(Component)]
pub(super) struct RestartButton;

/// The notice, hidden until a reload has something to say.
pub(super) fn reload_notice() -> impl Bundle {
    (
        ReloadNotice,
        Node {
            display: Display::None,
            flex_direction: FlexDirection::Column,
            flex_shrink: 0.0,
            row_gap: px(6),
            padding: UiRect::axes(px(12), px(8)),
            border: UiRect::left(px(3)),
            border_radius: BorderRadius::all(px(8)),
            ..default()
        },
        BorderColor::all(palette::WARN),
        BackgroundColor(palette::SURFACE_RAISED),
        children![
            (ReloadHeadline, strong("", 0.85, palette::WARN)),
            (ReloadProblems, label("", 0.75, palette::INK)),
            (
                RestartButton,
                Node {
                    display: Display::None,
                    ..default()
                },
                children![button(
                    "Restart with the new version",
                    ButtonColors::PRIMARY,
                    restart_with_new_version
                )],
            ),
        ],
    )
}

/// Shows the reload status: the headline in its colour, the errors, the restart button.
pub(super) fn show_reload_status(
    status: Res<ReloadStatus>,
    mut notice: Query<(&mut Node, &mut BorderColor), With<ReloadNotice>>,
    new_notice: Query<(), Added<ReloadNotice>>,
    mut headline: Query<(&mut Text, &mut TextColor), With<ReloadHeadline>>,
    mut problems: Query<
        (&mut Text, &mut Node),
        (
            With<ReloadProblems>,
            Without<ReloadHeadline>,
            Without<ReloadNotice>,
        ),
    >,
    mut restart: Query<
        &mut Node,
        (
            With<RestartButton>,
            Without<ReloadProblems>,
            Without<ReloadNotice>,
        ),
    >,
) {
    if !status.is_changed() && new_notice.is_empty() {
        return;
    }
    let (line, color, details, can_restart) = describe(&status);
    let shown = |on: bool| if on { Display::Flex } else { Display::None };
    for (mut node, mut border) in &mut notice {
        node.display = shown(!line.is_empty());
        *border = BorderColor::all(color);
    }
    for (mut text, mut ink) in &mut headline {
        text.0 = line.clone();
        ink.0 = color;
    }
    for (mut text, mut node) in &mut problems {
        node.display = shown(!details.is_empty());
        text.0 = details.clone();
    }
    for mut node in &mut restart {
        node.display = shown(can_restart);
    }
}

/// The headline, its colour, the details and whether a restart is offered.
fn describe(status: &ReloadStatus) -> (String, Color, String, bool) {
    match status {
        ReloadStatus::Quiet => (String::new(), palette::INK_SOFT, String::new(), false),
        ReloadStatus::Carried { file, moves } => (
            format!(
                "✓ Reloaded `{file}`: {} replayed on the new version, to where you were.",
                match moves {
                    0 => "the opening".to_owned(),
                    1 => "your move".to_owned(),
                    n => format!("your {n} moves"),
                }
            ),
            palette::GOOD,
            String::new(),
            false,
        ),
        ReloadStatus::Broken { files, problems } => {
            let mut details: Vec<String> =
                problems.iter().take(MAX_PROBLEMS_SHOWN).cloned().collect();
            if problems.len() > MAX_PROBLEMS_SHOWN {
                details.push(format!(
                    "… and {} more",
                    problems.len() - MAX_PROBLEMS_SHOWN
                ));
            }
            (
                format!(
                    "⚠ `{files}` no longer validates; the last good version keeps running. Fix it and save:"
                ),
                palette::WARN,
                details.join("\n"),
                false,
            )
        }
        ReloadStatus::CannotCarry { file, reason } => (
            format!(
                "⚠ `{file}` changed, but this call cannot be carried over to it: {reason}. The call goes on with the version it had."
            ),
            palette::WARN,
            String::new(),
            true,
        ),
        ReloadStatus::Removed { file } => (
            format!("⚠ `{file}` was removed; the call goes on with the version it had."),
            palette::WARN,
            String::new(),
            false,
        ),
    }
}

/// Leaves this call and starts the scenario's new version from the beginning.
fn restart_with_new_version(
    _: On<Activate>,
    call: Res<LiveCall>,
    watch: Res<LibraryWatch>,
    seeds: Res<CallSeeds>,
    mut commands: Commands,
    mut next: ResMut<NextState<Screen>>,
) {
    let Some(loaded) = watch.live.scenario_at(&call.loaded.source.path) else {
        return;
    };
    commands.insert_resource(CallRequest {
        loaded: loaded.clone(),
        seed: seeds.next(),
        retry: None,
    });
    next.set(Screen::Call);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_file_lists_its_errors_and_counts_the_rest() {
        let problems: Vec<String> = (1..=6)
            .map(|n| format!("RP0011 a.ron:{n}:1  wrong"))
            .collect();
        let (line, _, details, restart) = describe(&ReloadStatus::Broken {
            files: "a.ron".to_owned(),
            problems,
        });
        assert!(line.contains("no longer validates") && line.contains("last good version"));
        assert_eq!(details.lines().count(), MAX_PROBLEMS_SHOWN + 1, "{details}");
        assert!(details.ends_with("… and 2 more"), "{details}");
        assert!(!restart);
    }

    #[test]
    fn only_a_call_that_cannot_be_carried_over_offers_a_restart() {
        let (line, _, _, restart) = describe(&ReloadStatus::CannotCarry {
            file: "a.ron".to_owned(),
            reason: "the beat `where` the call stood on is no longer in the scenario".to_owned(),
        });
        assert!(
            restart && line.contains("no longer in the scenario"),
            "{line}"
        );
        assert_eq!(describe(&ReloadStatus::Quiet).0, "");
    }
}
