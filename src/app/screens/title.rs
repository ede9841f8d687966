//! The title screen: the scenario library with each scenario's channel, difficulty, customer and
//! the trainee's best score; the trainee's name; volume, mute and text size.

use bevy::input::ButtonState;
use bevy::input::keyboard::KeyboardInput;
use bevy::input_focus::InputFocus;
use bevy::input_focus::tab_navigation::TabIndex;
use bevy::prelude::*;
use bevy::text::RemSize;
use bevy::ui_widgets::Activate;

use crate::app::input::{Submit, TextField, text_field, typing};
use crate::app::layout_check::{LIBRARY_ROW, NAME_FIELD, SCENARIO_DETAILS, START_BUTTON};
use crate::app::library::{Library, Selected, Settings, Trainee, best_scores};
use crate::app::session::{CallRequest, CallSeeds};
use crate::app::theme::{
    BASE_TEXT_PX, ButtonColors, button, button_base, button_node, button_with, label, palette,
    panel, scroll_panel, strong,
};
use crate::app::{AppSystems, Screen};
use crate::scenario::{LoadedScenario, Scenario};

/// The longest trainee name.
const NAME_MAX_CHARS: usize = 40;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Title), spawn_title_screen);
    app.add_systems(Startup, open_call_named_in_env);
    app.add_systems(
        Update,
        read_title_keys
            .in_set(AppSystems::ReadInput)
            .after(crate::app::input::edit_focused_field)
            .run_if(in_state(Screen::Title)),
    );
    app.add_systems(
        Update,
        ((fill_library_list, show_selection).chain(), show_settings)
            .in_set(AppSystems::Present)
            .run_if(in_state(Screen::Title)),
    );
    app.add_systems(Update, apply_text_size.in_set(AppSystems::Present));
}

/// The rows of the library list, filled from [`Library`] whenever it changes.
#[derive(Component)]
struct LibraryList;

/// A row of the library list, for the scenario at this index.
#[derive(Component, Debug, Clone, Copy)]
struct ScenarioRow(usize);

/// The details panel of the selected scenario.
#[derive(Component)]
struct Details;

/// The trainee name field.
#[derive(Component)]
struct NameField;

/// The settings line (volume, mute, text size).
#[derive(Component)]
struct SettingsText;

fn spawn_title_screen(mut commands: Commands, trainee: Res<Trainee>) {
    let screen = commands
        .spawn((
            Name::new("Title screen"),
            DespawnOnExit(Screen::Title),
            Node {
                width: percent(100),
                height: percent(100),
                flex_direction: FlexDirection::Column,
                padding: UiRect::axes(px(28), px(20)),
                row_gap: px(14),
                ..default()
            },
            BackgroundColor(palette::BACKDROP),
        ))
        .id();
    commands.entity(screen).with_children(|screen| {
        screen.spawn((
            Node {
                align_items: AlignItems::End,
                column_gap: px(16),
                ..default()
            },
            children![
                strong("Rapport", 2.4, palette::INK),
                (
                    label(
                        "Practice calls with upset customers, then see what worked.",
                        1.0,
                        palette::INK_SOFT
                    ),
                    Node {
                        margin: UiRect::bottom(px(8)),
                        ..default()
                    }
                ),
            ],
        ));
        let mut body = screen.spawn(Node {
            flex_grow: 1.0,
            min_height: px(0),
            column_gap: px(18),
            ..default()
        });
        body.with_children(|body| {
            let mut list = body.spawn(scroll_panel(
                Node {
                    flex_grow: 1.0,
                    min_width: px(0),
                    ..default()
                },
                palette::SURFACE,
            ));
            list.with_children(|list| {
                list.spawn(strong("Scenarios", 1.05, palette::INK));
                list.spawn((
                    LibraryList,
                    Node {
                        flex_direction: FlexDirection::Column,
                        flex_shrink: 0.0,
                        row_gap: px(8),
                        ..default()
                    },
                ));
            });
            body.spawn((
                panel(
                    Node {
                        width: px(440),
                        flex_shrink: 0.0,
                        row_gap: px(10),
                        ..default()
                    },
                    palette::SURFACE,
                ),
                children![
                    (
                        Details,
                        SCENARIO_DETAILS,
                        Node {
                            flex_direction: FlexDirection::Column,
                            row_gap: px(6),
                            flex_grow: 1.0,
                            ..default()
                        }
                    ),
                    strong("Your name", 0.9, palette::INK),
                    (
                        NameField,
                        NAME_FIELD,
                        text_field(
                            &trainee.0,
                            "Your name",
                            NAME_MAX_CHARS,
                            Node {
                                width: percent(100),
                                ..default()
                            },
                            commit_name
                        )
                    ),
                    strong("Settings", 0.9, palette::INK),
                    (SettingsText, label("", 0.85, palette::INK_SOFT)),
                    (
                        Node {
                            column_gap: px(6),
                            flex_wrap: FlexWrap::Wrap,
                            row_gap: px(6),
                            ..default()
                        },
                        children![
                            button(
                                "Volume −",
                                ButtonColors::QUIET,
                                |_: On<Activate>, mut s: ResMut<Settings>| s.nudge_volume(-1.0)
                            ),
                            button(
                                "Volume +",
                                ButtonColors::QUIET,
                                |_: On<Activate>, mut s: ResMut<Settings>| s.nudge_volume(1.0)
                            ),
                            button(
                                "Mute [M]",
                                ButtonColors::QUIET,
                                |_: On<Activate>, mut s: ResMut<Settings>| s.muted = !s.muted
                            ),
                            button(
                                "A−",
                                ButtonColors::QUIET,
                                |_: On<Activate>, mut s: ResMut<Settings>| s.nudge_text(-1.0)
                            ),
                            button(
                                "A+",
                                ButtonColors::QUIET,
                                |_: On<Activate>, mut s: ResMut<Settings>| s.nudge_text(1.0)
                            ),
                        ],
                    ),
                    (
                        START_BUTTON,
                        button_with(
                            "Start call  ▶",
                            ButtonColors::PRIMARY,
                            Node {
                                width: percent(100),
                                padding: UiRect::all(px(12)),
                                ..button_node()
                            },
                            start_selected
                        )
                    ),
                    label(
                        "↑ ↓ choose · Enter start · Tab moves between controls",
                        0.75,
                        palette::INK_SOFT
                    ),
                ],
            ));
        });
    });
}

/// Puts a row in the list for every scenario of the library, and a line for the files that did
/// not load. The title screen is first entered before the library is loaded (Bevy runs the first
/// state transition ahead of the startup systems), and a reload changes it, so the rows follow
/// the resource rather than being built once with the screen.
fn fill_library_list(
    library: Res<Library>,
    lists: Query<Entity, With<LibraryList>>,
    new_lists: Query<(), Added<LibraryList>>,
    mut commands: Commands,
) {
    if !library.is_changed() && new_lists.is_empty() {
        return;
    }
    for list in &lists {
        commands.entity(list).despawn_children();
        commands.entity(list).with_children(|list| {
            for (index, loaded) in library.scenarios.iter().enumerate() {
                let best = library.best.get(&loaded.scenario.id).copied();
                list.spawn(scenario_row(index, &loaded.scenario, best));
            }
            if !library.problems.is_empty() {
                let problems = format!(
                    "{} error(s) in the library's files (a scenario that fails keeps its last good version): {}",
                    library.problems.len(),
                    library.problems.join("; ")
                );
                list.spawn(label(problems, 0.75, palette::WARN));
            }
        });
    }
}

/// One scenario in the library list.
fn scenario_row(index: usize, scenario: &Scenario, best: Option<f64>) -> impl Bundle {
    let best = best.map_or("no score yet".to_owned(), |b| format!("best {b:.0}"));
    (
        ScenarioRow(index),
        LIBRARY_ROW,
        button_base(
            ButtonColors::QUIET,
            Node {
                width: percent(100),
                justify_content: JustifyContent::SpaceBetween,
                padding: UiRect::axes(px(14), px(10)),
                flex_shrink: 0.0,
                ..button_node()
            },
            move |_: On<Activate>,
                  mut selected: ResMut<Selected>,
                  library: Res<Library>,
                  mut commands: Commands,
                  mut next: ResMut<NextState<Screen>>| {
                if selected.0 == index {
                    request_call(&mut commands, &library, index);
                    next.set(Screen::Call);
                } else {
                    selected.0 = index;
                }
            },
        ),
        children![
            (
                Node {
                    flex_direction: FlexDirection::Column,
                    row_gap: px(2),
                    ..default()
                },
                Pickable::IGNORE,
                children![
                    (
                        strong(scenario.title.clone(), 1.0, palette::INK),
                        Pickable::IGNORE
                    ),
                    (
                        label(
                            format!(
                                "{} · {} · {}",
                                scenario.channel.label(),
                                scenario.difficulty.label(),
                                scenario.persona.name
                            ),
                            0.8,
                            palette::INK_SOFT
                        ),
                        Pickable::IGNORE
                    ),
                ],
            ),
            (label(best, 0.85, palette::INK_SOFT), Pickable::IGNORE),
        ],
    )
}

/// Asks for a call of the scenario at `index`, with the next seed.
fn request_call(commands: &mut Commands, library: &Library, index: usize) {
    if let Some(loaded) = library.scenarios.get(index) {
        let loaded = loaded.clone();
        commands.queue(move |world: &mut World| {
            let seed = world
                .get_resource::<CallSeeds>()
                .copied()
                .unwrap_or_default()
                .next();
            world.insert_resource(CallRequest {
                loaded,
                seed,
                retry: None,
            });
        });
    }
}

fn start_selected(
    _: On<Activate>,
    selected: Res<Selected>,
    library: Res<Library>,
    mut commands: Commands,
    mut next: ResMut<NextState<Screen>>,
) {
    request_call(&mut commands, &library, selected.0);
    next.set(Screen::Call);
}

/// Names a scenario to open straight into a call (`RAPPORT_GUI_OPEN=late-delivery`), for demos
/// and for measuring the call screen's idle CPU.
const OPEN_ENV: &str = "RAPPORT_GUI_OPEN";

fn open_call_named_in_env(
    library: Res<Library>,
    mut selected: ResMut<Selected>,
    mut commands: Commands,
    mut next: ResMut<NextState<Screen>>,
) {
    let Ok(id) = std::env::var(OPEN_ENV) else {
        return;
    };
    match library.scenarios.iter().position(|l| l.scenario.id == id) {
        Some(index) => {
            selected.0 = index;
            request_call(&mut commands, &library, index);
            next.set(Screen::Call);
        }
        None => warn!("`{OPEN_ENV}` names `{id}`, which is not in the library"),
    }
}

/// Enter in the name field: keep the name and reload the best scores for it.
fn commit_name(
    submit: On<Submit>,
    fields: Query<&TextField>,
    mut trainee: ResMut<Trainee>,
    mut library: ResMut<Library>,
    mut focus: ResMut<InputFocus>,
) {
    if let Ok(field) = fields.get(submit.entity) {
        let name = field.value.trim();
        if !name.is_empty() && name != trainee.0 {
            trainee.0 = name.to_owned();
            library.best = best_scores(name);
        }
    }
    focus.clear();
}

/// Arrow keys move the selection; Enter (with nothing focused) starts; M mutes.
fn read_title_keys(
    mut keys: MessageReader<KeyboardInput>,
    focus: Res<InputFocus>,
    fields: Query<&TextField>,
    name_field: Query<&TextField, With<NameField>>,
    widgets: Query<(), With<TabIndex>>,
    mut selected: ResMut<Selected>,
    mut settings: ResMut<Settings>,
    mut trainee: ResMut<Trainee>,
    library: Res<Library>,
    mut commands: Commands,
    mut next: ResMut<NextState<Screen>>,
) {
    for key in keys.read() {
        if key.state != ButtonState::Pressed || typing(&focus, &fields) {
            continue;
        }
        let count = library.scenarios.len().max(1);
        match key.key_code {
            KeyCode::ArrowDown => selected.0 = (selected.0 + 1) % count,
            KeyCode::ArrowUp => selected.0 = (selected.0 + count - 1) % count,
            KeyCode::KeyM => settings.muted = !settings.muted,
            // A focused widget handles Enter itself; otherwise Enter starts the selected call.
            KeyCode::Enter | KeyCode::NumpadEnter
                if !focus.get().is_some_and(|e| widgets.contains(e)) =>
            {
                // A name typed but never confirmed still counts.
                if let Ok(field) = name_field.single()
                    && !field.value.trim().is_empty()
                {
                    trainee.0 = field.value.trim().to_owned();
                }
                request_call(&mut commands, &library, selected.0);
                next.set(Screen::Call);
            }
            _ => {}
        }
    }
}

/// Highlights the selected row and shows its details.
fn show_selection(
    selected: Res<Selected>,
    library: Res<Library>,
    mut rows: Query<(&ScenarioRow, &mut BorderColor, &mut Node)>,
    new_rows: Query<(), Added<ScenarioRow>>,
    details: Query<Entity, With<Details>>,
    mut commands: Commands,
    mut shown: Local<Option<(Entity, usize)>>,
) {
    let Ok(details) = details.single() else {
        return;
    };
    if *shown == Some((details, selected.0)) && new_rows.is_empty() {
        return;
    }
    *shown = Some((details, selected.0));
    for (row, mut border, mut node) in &mut rows {
        node.border = UiRect::all(px(2));
        *border = BorderColor::all(if row.0 == selected.0 {
            palette::ACCENT
        } else {
            Color::NONE
        });
    }
    commands.entity(details).despawn_children();
    if let Some(loaded) = library.scenarios.get(selected.0) {
        commands
            .entity(details)
            .with_children(|panel| spawn_details(panel, loaded));
    }
}

fn spawn_details(panel: &mut ChildSpawnerCommands, loaded: &LoadedScenario) {
    let scenario = &loaded.scenario;
    let levels = scenario.service_levels();
    panel.spawn(strong(scenario.title.clone(), 1.2, palette::INK));
    panel.spawn(label(
        format!(
            "{} · {} · target {} min",
            scenario.channel.label(),
            scenario.difficulty.label(),
            scenario.target_handle_secs.div_ceil(60)
        ),
        0.8,
        palette::ACCENT_HOVER,
    ));
    panel.spawn(label(scenario.summary.clone(), 0.9, palette::INK));
    panel.spawn(label(
        format!("Customer: {}", scenario.persona.name),
        0.85,
        palette::INK_SOFT,
    ));
    panel.spawn(label(
        format!(
            "Reply within {} s at first, then within {} s.",
            levels.first_response_secs, levels.between_replies_secs
        ),
        0.8,
        palette::INK_SOFT,
    ));
}

/// The settings line.
fn show_settings(
    settings: Res<Settings>,
    mut texts: Query<&mut Text, With<SettingsText>>,
    mut entered: Local<bool>,
) {
    if !settings.is_changed() && *entered && !texts.is_empty() {
        return;
    }
    *entered = !texts.is_empty();
    let line = format!(
        "Volume {:.0} %{}   ·   Text size {:.0} %",
        settings.volume * 100.0,
        if settings.muted { " (muted)" } else { "" },
        settings.text_scale * 100.0
    );
    for mut text in &mut texts {
        text.0 = line.clone();
    }
}

/// Scales every `rem`-sized text with the text-size setting.
fn apply_text_size(settings: Res<Settings>, mut rem: ResMut<RemSize>) {
    if settings.is_changed() {
        let wanted = BASE_TEXT_PX * settings.text_scale;
        if (rem.0 - wanted).abs() > f32::EPSILON {
            rem.0 = wanted;
        }
    }
}
