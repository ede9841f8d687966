//! The scripted trainee for runs in a real window: Bevy's `bevy_ci_testing` sends `Custom`
//! events at given frames; this turns them into real keyboard input, checked screenshots and
//! screen expectations, and ends the run with a failing exit code if any check failed.
//!
//! Events: `key:Digit1` (any `KeyCode` name below), `type:some words`, `shot:NAME`
//! (saved to `$RAPPORT_SCREENSHOT_DIR/NAME.png`, failing if blank), `expect:title|call|debrief`,
//! `resize:1920x1080`, `select:SCENARIO-ID` (highlight it on the title screen), `layout` (the
//! screen's key elements are laid out inside the window; `layout:option` also requires the
//! numbered options), `expect-text:WORDS` and `expect-no-text:WORDS` (some text on screen holds
//! them, or none does), `await-edit` (the game waits until a file of the scenario library changes
//! on disk: the test changes it once the log says the game waits), `finish`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bevy::dev_tools::ci_testing::CiTestingCustomEvent;
use bevy::input::ButtonState;
use bevy::input::keyboard::{Key, KeyboardInput, NativeKeyCode};
use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy::window::PrimaryWindow;

use super::Screen;
use super::layout_check::{KeyElement, layout_problems, placed_elements};
use super::library::{Library, Selected};
use crate::reload::FileStamps;

/// Where screenshots go unless `RAPPORT_SCREENSHOT_DIR` says otherwise.
const SCREENSHOT_DIR_ENV: &str = "RAPPORT_SCREENSHOT_DIR";

/// A screenshot whose brightness varies less than this (standard deviation, 0–255) is blank.
pub(super) const BLANK_STDDEV: f64 = 4.0;

/// How long `await-edit` waits for a file of the library to change.
const EDIT_TIMEOUT: Duration = Duration::from_secs(60);

/// How often `await-edit` looks at the library's files.
const EDIT_POLL: Duration = Duration::from_millis(50);

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<ScriptChecks>();
    if !app
        .world()
        .contains_resource::<Messages<CiTestingCustomEvent>>()
    {
        app.add_message::<CiTestingCustomEvent>();
    }
    app.add_systems(PreUpdate, follow_script.after(bevy::input::InputSystems));
    app.add_systems(Update, finish_when_shots_saved);
}

/// What the script has checked so far.
#[derive(Resource, Debug, Default)]
pub(super) struct ScriptChecks {
    pub failures: Vec<String>,
    pub pending_shots: usize,
    pub finishing: bool,
}

/// Carries out the script's custom events.
fn follow_script(
    mut script: MessageReader<CiTestingCustomEvent>,
    mut keys: MessageWriter<KeyboardInput>,
    mut checks: ResMut<ScriptChecks>,
    screen: Res<State<Screen>>,
    mut windows: Query<(Entity, &mut Window), With<PrimaryWindow>>,
    mut commands: Commands,
    library: Res<Library>,
    mut selected: ResMut<Selected>,
    elements: Query<(
        &KeyElement,
        &ComputedNode,
        &UiGlobalTransform,
        &InheritedVisibility,
    )>,
    texts: Query<(&Text, &ComputedNode, &InheritedVisibility)>,
) {
    let window = windows
        .single()
        .map(|(e, _)| e)
        .unwrap_or(Entity::PLACEHOLDER);
    for CiTestingCustomEvent(line) in script.read() {
        let (verb, argument) = line.split_once(':').unwrap_or((line.as_str(), ""));
        match verb {
            "key" => match key_code(argument) {
                Some((code, logical)) => {
                    keys.write(key_event(
                        code,
                        logical.clone(),
                        ButtonState::Pressed,
                        window,
                    ));
                    keys.write(key_event(code, logical, ButtonState::Released, window));
                }
                None => checks
                    .failures
                    .push(format!("the script names an unknown key `{argument}`")),
            },
            "type" => {
                for ch in argument.chars() {
                    let (code, logical) = if ch == ' ' {
                        (KeyCode::Space, Key::Space)
                    } else {
                        (
                            KeyCode::Unidentified(NativeKeyCode::Unidentified),
                            Key::Character(ch.to_string().into()),
                        )
                    };
                    keys.write(key_event(
                        code,
                        logical.clone(),
                        ButtonState::Pressed,
                        window,
                    ));
                    keys.write(key_event(code, logical, ButtonState::Released, window));
                }
            }
            "shot" => {
                let path = screenshot_dir().join(format!("{argument}.png"));
                info!(
                    "screenshot `{}` of the {:?} screen",
                    path.display(),
                    screen.get()
                );
                checks.pending_shots += 1;
                let name = argument.to_owned();
                commands.spawn(Screenshot::primary_window()).observe(
                    move |captured: On<ScreenshotCaptured>, mut checks: ResMut<ScriptChecks>| {
                        checks.pending_shots = checks.pending_shots.saturating_sub(1);
                        if let Err(why) = save_png(&captured.image, &path) {
                            checks.failures.push(format!("screenshot `{name}` could not be saved as {}: {why}", path.display()));
                        }
                        let stddev = brightness_stddev(captured.image.data.as_deref().unwrap_or_default());
                        info!("screenshot `{name}`: brightness standard deviation {stddev:.1}");
                        if stddev < BLANK_STDDEV {
                            checks.failures.push(format!("screenshot `{name}` is blank (brightness varies by only {stddev:.1})"));
                        }
                    },
                );
            }
            "expect" => {
                let wanted = match argument {
                    "title" => Some(Screen::Title),
                    "call" => Some(Screen::Call),
                    "debrief" => Some(Screen::Debrief),
                    _ => None,
                };
                if wanted != Some(*screen.get()) {
                    checks.failures.push(format!(
                        "expected the `{argument}` screen, but the {:?} screen is showing",
                        screen.get()
                    ));
                }
            }
            "resize" => {
                let size = argument
                    .split_once('x')
                    .and_then(|(w, h)| Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?)));
                match (size, windows.single_mut()) {
                    (Some((w, h)), Ok((_, mut window))) => {
                        window.resolution.set(w as f32, h as f32)
                    }
                    _ => checks
                        .failures
                        .push(format!("cannot resize to `{argument}`")),
                }
            }
            "select" => match library
                .scenarios
                .iter()
                .position(|l| l.scenario.id == argument)
            {
                Some(index) => selected.0 = index,
                None => checks
                    .failures
                    .push(format!("the library has no scenario `{argument}`")),
            },
            "layout" => {
                let mut also = Vec::new();
                for name in argument.split(',').filter(|n| !n.is_empty()) {
                    match KeyElement::named(name) {
                        Some(key) => also.push(key),
                        None => checks
                            .failures
                            .push(format!("the script names an unknown key element `{name}`")),
                    }
                }
                let window_size = windows
                    .single()
                    .map_or(Vec2::ZERO, |(_, w)| w.physical_size().as_vec2());
                let placed = placed_elements(&elements);
                let problems = layout_problems(*screen.get(), &also, &placed, window_size);
                info!(
                    "layout of the {:?} screen at {window_size}: {} key element(s), {} problem(s)",
                    screen.get(),
                    placed.len(),
                    problems.len()
                );
                checks.failures.extend(problems);
            }
            "expect-text" | "expect-no-text" => {
                let shown = texts.iter().any(|(text, node, visible)| {
                    visible.get()
                        && node.size().cmpgt(Vec2::ZERO).all()
                        && text.0.contains(argument)
                });
                info!(
                    "text `{argument}` is {} on the {:?} screen",
                    if shown { "shown" } else { "not shown" },
                    screen.get()
                );
                if shown != (verb == "expect-text") {
                    checks.failures.push(format!(
                        "expected `{argument}` {} on the {:?} screen",
                        if shown {
                            "not to be shown"
                        } else {
                            "to be shown"
                        },
                        screen.get()
                    ));
                }
            }
            "await-edit" => {
                if let Err(why) = await_library_edit() {
                    checks.failures.push(why);
                }
            }
            "finish" => checks.finishing = true,
            _ => checks
                .failures
                .push(format!("the script has an unknown step `{line}`")),
        }
    }
}

/// Blocks until a file of the scenario library changes on disk (the test edits it on reading the
/// log line this writes), so the frames that follow see the edit whatever the machine's speed.
fn await_library_edit() -> Result<(), String> {
    let dirs = vec![crate::library::library_dir()];
    let before = FileStamps::of(&dirs);
    info!(
        "script: waiting for a file of the library `{}` to change",
        dirs[0].display()
    );
    let started = Instant::now();
    while started.elapsed() < EDIT_TIMEOUT {
        std::thread::sleep(EDIT_POLL);
        if FileStamps::of(&dirs) != before {
            return Ok(());
        }
    }
    Err(format!(
        "no file of the library changed within {} s",
        EDIT_TIMEOUT.as_secs()
    ))
}

/// Ends a scripted run once its screenshots are on disk: success, or exit code 1 with the failures.
fn finish_when_shots_saved(checks: Res<ScriptChecks>, mut exit: MessageWriter<AppExit>) {
    if !checks.finishing || checks.pending_shots > 0 {
        return;
    }
    if checks.failures.is_empty() {
        info!("scripted run passed");
        exit.write(AppExit::Success);
    } else {
        for failure in &checks.failures {
            error!("scripted run: {failure}");
        }
        exit.write(AppExit::error());
    }
}

/// Saves a screenshot as an RGB PNG, making its directory if need be.
fn save_png(image: &Image, path: &Path) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot make {}: {e}", dir.display()))?;
    }
    let picture = image
        .clone()
        .try_into_dynamic()
        .map_err(|e| format!("not an image: {e}"))?;
    picture.to_rgb8().save(path).map_err(|e| e.to_string())
}

fn screenshot_dir() -> PathBuf {
    std::env::var_os(SCREENSHOT_DIR_ENV).map_or_else(|| PathBuf::from("."), PathBuf::from)
}

fn key_event(
    key_code: KeyCode,
    logical_key: Key,
    state: ButtonState,
    window: Entity,
) -> KeyboardInput {
    KeyboardInput {
        key_code,
        logical_key,
        state,
        text: None,
        repeat: false,
        window,
    }
}

/// The keys a script may press, by their `KeyCode` names.
fn key_code(name: &str) -> Option<(KeyCode, Key)> {
    let digit = |d: char, code: KeyCode| Some((code, Key::Character(d.to_string().into())));
    let letter = |code: KeyCode, c: &str| Some((code, Key::Character(c.into())));
    match name {
        "Digit1" => digit('1', KeyCode::Digit1),
        "Digit2" => digit('2', KeyCode::Digit2),
        "Digit3" => digit('3', KeyCode::Digit3),
        "Digit4" => digit('4', KeyCode::Digit4),
        "Digit5" => digit('5', KeyCode::Digit5),
        "Enter" => Some((KeyCode::Enter, Key::Enter)),
        "Tab" => Some((KeyCode::Tab, Key::Tab)),
        "Escape" => Some((KeyCode::Escape, Key::Escape)),
        "Backspace" => Some((KeyCode::Backspace, Key::Backspace)),
        "ArrowUp" => Some((KeyCode::ArrowUp, Key::ArrowUp)),
        "ArrowDown" => Some((KeyCode::ArrowDown, Key::ArrowDown)),
        "ArrowLeft" => Some((KeyCode::ArrowLeft, Key::ArrowLeft)),
        "ArrowRight" => Some((KeyCode::ArrowRight, Key::ArrowRight)),
        "KeyH" => letter(KeyCode::KeyH, "h"),
        "KeyR" => letter(KeyCode::KeyR, "r"),
        "KeyE" => letter(KeyCode::KeyE, "e"),
        "KeyW" => letter(KeyCode::KeyW, "w"),
        "KeyC" => letter(KeyCode::KeyC, "c"),
        "KeyX" => letter(KeyCode::KeyX, "x"),
        "KeyL" => letter(KeyCode::KeyL, "l"),
        "KeyP" => letter(KeyCode::KeyP, "p"),
        "KeyM" => letter(KeyCode::KeyM, "m"),
        _ => None,
    }
}

/// The standard deviation of the brightness of RGBA or BGRA pixels, 0–255.
pub(super) fn brightness_stddev(pixels: &[u8]) -> f64 {
    let brightness: Vec<f64> = pixels
        .chunks_exact(4)
        .map(|p| (f64::from(p[0]) + f64::from(p[1]) + f64::from(p[2])) / 3.0)
        .collect();
    if brightness.is_empty() {
        return 0.0;
    }
    let mean = brightness.iter().sum::<f64>() / brightness.len() as f64;
    let variance =
        brightness.iter().map(|b| (b - mean).powi(2)).sum::<f64>() / brightness.len() as f64;
    variance.sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_colour_screenshot_counts_as_blank() {
        let flat = [40u8, 40, 40, 255].repeat(1000);
        assert!(brightness_stddev(&flat) < BLANK_STDDEV);
        let mut varied = flat.clone();
        for pixel in varied.chunks_exact_mut(4).step_by(3) {
            pixel[..3].copy_from_slice(&[230, 230, 230]);
        }
        assert!(brightness_stddev(&varied) > BLANK_STDDEV);
    }

    #[test]
    fn every_scripted_key_is_known() {
        for name in ["Digit1", "Enter", "Tab", "KeyH", "ArrowDown"] {
            assert!(key_code(name).is_some(), "{name}");
        }
    }
}
