//! The game: a Bevy front end over the core engine and scorer (feature `gui`).
//!
//! Laid out like the `bevy_new_2d` template: one plugin per file, a [`Screen`] state with
//! title, call and debrief screens (`screens/`), the palette and widgets as functions returning
//! `impl Bundle` (`theme/`), button actions as observers, and one chained [`AppSystems`] order;
//! how the window is drawn lives in `render/`. The core knows nothing of Bevy; the [`session`]
//! plugin turns its events into Bevy messages and the trainee's input into moves.

mod carry;
mod driver;
mod input;
mod layout_check;
mod library;
mod render;
mod screens;
mod session;
#[cfg(feature = "audio")]
mod sound;
mod theme;

use std::time::Instant;

use bevy::prelude::*;
use bevy::window::{WindowResizeConstraints, WindowResolution};

/// The window's starting size, in logical pixels; every layout is designed for it first.
const DESIGN_SIZE: (u32, u32) = (1280, 720);

/// The smallest window the layouts fit: the design size at the UI's smallest scale (80 %).
const MIN_WINDOW_SIZE: (f32, f32) = (1024.0, 576.0);

/// Opens the game window and runs until it is closed; every call starts from `seed` when given.
/// An error exit (a failed scripted check) ends the process with that exit code.
pub fn run(seed: Option<u64>) {
    let launched = Instant::now();
    let exit = App::new()
        .add_plugins(DefaultPlugins.set(WindowPlugin {
            primary_window: Some(Window {
                title: "Rapport — customer call practice".to_owned(),
                resolution: WindowResolution::new(DESIGN_SIZE.0, DESIGN_SIZE.1),
                resize_constraints: WindowResizeConstraints {
                    min_width: MIN_WINDOW_SIZE.0,
                    min_height: MIN_WINDOW_SIZE.1,
                    ..default()
                },
                ..default()
            }),
            ..default()
        }))
        .insert_resource(render::reactive::Launched(launched))
        .insert_resource(session::CallSeeds(seed))
        .add_plugins((
            plugin,
            render::reactive::SingleThreadedSchedules,
            render::reactive::RedrawWhileCompiling,
            render::damage::PartialRedraws,
        ))
        .run();
    if let AppExit::Error(code) = exit {
        std::process::exit(i32::from(code.get()));
    }
}

/// Everything of the game except Bevy's own plugins (so tests can run it on `MinimalPlugins`).
pub(crate) fn plugin(app: &mut App) {
    app.init_state::<Screen>();
    app.configure_sets(
        Update,
        (
            AppSystems::ReadInput,
            AppSystems::Drive,
            AppSystems::Present,
        )
            .chain(),
    );
    app.add_plugins((
        theme::plugin,
        library::plugin,
        session::plugin,
        input::plugin,
        screens::plugin,
        render::reactive::plugin,
        driver::plugin,
    ));
    #[cfg(feature = "audio")]
    app.add_plugins(sound::plugin);
}

/// The screens of the game.
#[derive(States, Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub(crate) enum Screen {
    /// The scenario library, the trainee's name and the settings.
    #[default]
    Title,
    /// A live call.
    Call,
    /// Scores, evidence and retry after a call.
    Debrief,
}

/// The order of the game's `Update` systems, set once here.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum AppSystems {
    /// Turn keys and scripted input into moves and edits.
    ReadInput,
    /// Apply moves to the engine and let its clock run.
    Drive,
    /// Update what is on screen from the engine's events.
    Present,
}

#[cfg(test)]
pub(crate) mod testing {
    //! A headless app with the game's plugins on `MinimalPlugins`, for view-system tests.

    use std::time::Duration;

    use bevy::input::InputPlugin;
    use bevy::prelude::*;
    use bevy::state::app::StatesPlugin;
    use bevy::time::TimeUpdateStrategy;

    /// The headless app, stepping time by `step` each update.
    pub(crate) fn headless_app(step: Duration) -> App {
        let mut app = App::new();
        app.add_plugins((
            MinimalPlugins,
            StatesPlugin,
            InputPlugin,
            AssetPlugin::default(),
        ));
        app.init_asset::<Font>();
        app.insert_resource(TimeUpdateStrategy::ManualDuration(step));
        // Messages the window plugins would register.
        app.add_message::<bevy::window::WindowResized>();
        app.add_message::<bevy::window::RequestRedraw>();
        app.add_plugins(super::plugin);
        app
    }

    /// Opens the call screen on `request` and runs one update.
    pub(in crate::app) fn open_call(app: &mut App, request: super::session::CallRequest) {
        app.insert_resource(request);
        app.world_mut()
            .resource_mut::<NextState<super::Screen>>()
            .set(super::Screen::Call);
        app.update();
    }

    /// The call's events sent since the last look, taken out of the queue.
    pub(in crate::app) fn collected(app: &mut App) -> Vec<super::session::CallEvent> {
        app.world_mut()
            .resource_mut::<Messages<super::session::CallEvent>>()
            .drain()
            .collect()
    }
}
