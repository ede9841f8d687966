//! Reactive rendering: the window redraws on input, on the call clock's tick and while something
//! animates, so the game idles cheaply; schedules run their systems on one thread; and the
//! launch-to-first-frame measurement.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use bevy::ecs::schedule::{ScheduleLabel, Schedules, SingleThreadedExecutor};
use bevy::prelude::*;
use bevy::render::render_resource::PipelineCache;
use bevy::render::{ExtractSchedule, Render, RenderApp, RenderSystems};
use bevy::window::RequestRedraw;
use bevy::winit::{UpdateMode, WinitSettings};

use crate::app::Screen;

/// How often the call screen wakes with no input: the clock shows whole seconds.
const CALL_TICK: Duration = Duration::from_secs(1);

/// The environment variable Bevy's scripted-run plugin reads; when set, frames run continuously
/// so the script's frame numbers advance.
const CI_CONFIG_ENV: &str = "CI_TESTING_CONFIG";

/// How many frames after the title screen is built it counts as interactive (laid out and drawn).
const FRAMES_TO_INTERACTIVE: u32 = 2;

pub(in crate::app) fn plugin(app: &mut App) {
    app.add_systems(OnEnter(Screen::Title), use_update_mode(false));
    app.add_systems(OnEnter(Screen::Debrief), use_update_mode(false));
    app.add_systems(OnEnter(Screen::Call), use_update_mode(true));
    app.add_systems(Last, report_first_frame.run_if(resource_exists::<Launched>));
}

/// Runs every schedule of the game and of the renderer on a single-threaded executor.
///
/// The game's frames are small (a few hundred cheap systems), and handing each system to another
/// thread costs more than it saves: with the multi-threaded executor an idle call frame woke the
/// threads about 900 times a second between them (perf, `sched:sched_switch`). Rendering still
/// runs on its own thread beside the game (Bevy's pipelined rendering). Added by the windowed
/// game only, after Bevy's plugins, so their schedules exist when it is finished.
pub(in crate::app) struct SingleThreadedSchedules;

impl Plugin for SingleThreadedSchedules {
    fn build(&self, _app: &mut App) {}

    fn finish(&self, app: &mut App) {
        run_on_one_thread(app.world_mut());
        if let Some(render_app) = app.get_sub_app_mut(RenderApp) {
            run_on_one_thread(render_app.world_mut());
        }
    }
}

/// Gives each schedule in `world` a single-threaded executor.
fn run_on_one_thread(world: &mut World) {
    let Some(mut schedules) = world.get_resource_mut::<Schedules>() else {
        return;
    };
    for (_, schedule) in schedules.iter_mut() {
        schedule.set_executor(SingleThreadedExecutor::new());
        // Extraction applies its commands in the render world itself, not at the end.
        if schedule.label() == ExtractSchedule.intern() {
            schedule.set_apply_final_deferred(false);
        }
    }
}

/// When the process started the game (for the launch-to-first-frame figure).
#[derive(Resource, Debug, Clone, Copy)]
pub(in crate::app) struct Launched(pub Instant);

/// Set to keep reactive rendering in a scripted run (to measure idle CPU with a script that only
/// opens a call).
const KEEP_REACTIVE_ENV: &str = "RAPPORT_KEEP_REACTIVE";

/// Whether this run is scripted (then every frame runs).
pub(in crate::app) fn scripted() -> bool {
    std::env::var_os(CI_CONFIG_ENV).is_some() && std::env::var_os(KEEP_REACTIVE_ENV).is_none()
}

/// A system that sets how often the window updates: reactive, with a clock tick during a call.
fn use_update_mode(in_call: bool) -> impl Fn(Option<ResMut<WinitSettings>>) {
    move |settings| {
        let Some(mut settings) = settings else {
            return;
        };
        *settings = if scripted() {
            WinitSettings {
                focused_mode: UpdateMode::Continuous,
                unfocused_mode: UpdateMode::Continuous,
            }
        } else if in_call {
            WinitSettings {
                focused_mode: UpdateMode::reactive_low_power(CALL_TICK),
                unfocused_mode: UpdateMode::reactive_low_power(CALL_TICK),
            }
        } else {
            WinitSettings::desktop_app()
        };
    }
}

/// Whether the renderer still has pipelines compiling, as of its last frame. Until every one is
/// ready, items that need them are left out of frames; so while any is pending the window keeps
/// redrawing (a reactive screen would otherwise stay on a frame drawn before its pipelines were
/// ready, blank on a slow machine until the mouse moved), the launch figure waits for them, and
/// partial redraws draw the frame after one with a pipeline pending whole. The render world holds
/// it too.
#[derive(Resource, Debug, Clone)]
pub(in crate::app) struct PipelinesPending(Arc<AtomicBool>);

impl PipelinesPending {
    /// Whether any pipeline was still compiling at the end of the renderer's last frame.
    pub(in crate::app) fn get(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Keeps the window redrawing while the renderer compiles pipelines (windowed game only).
pub(in crate::app) struct RedrawWhileCompiling;

impl Plugin for RedrawWhileCompiling {
    fn build(&self, _app: &mut App) {}

    fn finish(&self, app: &mut App) {
        let pending = PipelinesPending(Arc::new(AtomicBool::new(true)));
        let Some(render_app) = app.get_sub_app_mut(RenderApp) else {
            return;
        };
        render_app.insert_resource(pending.clone()).add_systems(
            Render,
            note_pending_pipelines.in_set(RenderSystems::Cleanup),
        );
        app.insert_resource(pending)
            .add_systems(Last, redraw_while_compiling);
    }
}

/// In the render world, after a frame: whether any pipeline is still waiting to be ready.
fn note_pending_pipelines(pending: Res<PipelinesPending>, pipelines: Res<PipelineCache>) {
    let waiting = pipelines.waiting_pipelines().next().is_some();
    pending.0.store(waiting, Ordering::Relaxed);
}

fn redraw_while_compiling(
    pending: Res<PipelinesPending>,
    mut redraw: MessageWriter<RequestRedraw>,
) {
    if pending.get() {
        redraw.write(RequestRedraw);
    }
}

/// Logs how long after launch the title screen was first drawn with everything it shows.
fn report_first_frame(
    launched: Res<Launched>,
    screen: Option<Res<State<Screen>>>,
    pending: Option<Res<PipelinesPending>>,
    mut frames: Local<u32>,
    mut done: Local<bool>,
) {
    if *done || screen.is_none_or(|s| *s.get() != Screen::Title) || pending.is_some_and(|p| p.get())
    {
        return;
    }
    *frames += 1;
    if *frames >= FRAMES_TO_INTERACTIVE {
        *done = true;
        info!(
            "first interactive frame {} ms after launch",
            launched.0.elapsed().as_millis()
        );
    }
}
