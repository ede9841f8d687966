//! The game's sound: the ring as a call connects, hold music, mood cues and scenario voice lines,
//! following the volume and mute settings. Plays through [`crate::audio`].

use std::path::{Path, PathBuf};

use bevy::prelude::*;

use super::library::Settings;
use super::screens::call::portrait::Mood;
use super::session::{CallEvent, CallRequest, LiveCall};
use super::{AppSystems, Screen};
use crate::audio::{Audio, Cue};
use crate::engine::Event;
use crate::scenario::Meter;

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Startup, open_audio);
    app.add_systems(OnEnter(Screen::Call), ring_on_connect);
    app.add_systems(OnExit(Screen::Call), stop_hold_music);
    app.add_systems(
        Update,
        (
            follow_settings.run_if(resource_changed::<Settings>),
            play_call_sounds,
        )
            .in_set(AppSystems::Present)
            .run_if(resource_exists::<Sound>),
    );
}

/// The handle to the sound thread.
#[derive(Resource, Debug, Clone)]
struct Sound(Audio);

fn open_audio(mut commands: Commands, settings: Res<Settings>) {
    let audio = if cfg!(test) {
        Audio::silent()
    } else {
        Audio::start(settings.volume, settings.muted)
    };
    commands.insert_resource(Sound(audio));
}

fn follow_settings(settings: Res<Settings>, sound: Res<Sound>) {
    sound.0.set_volume(settings.volume);
    sound.0.set_muted(settings.muted);
}

/// The ring, unless the call is a retry picking up mid-call.
fn ring_on_connect(sound: Option<Res<Sound>>, request: Option<Res<CallRequest>>) {
    if let Some(sound) = sound
        && request.is_none_or(|r| r.retry.is_none())
    {
        sound.0.play(Cue::Ring);
    }
}

fn stop_hold_music(sound: Option<Res<Sound>>) {
    if let Some(sound) = sound {
        sound.0.stop_hold_music();
    }
}

/// Hold music, mood cues when anger crosses a mood threshold, and voice lines.
fn play_call_sounds(
    mut events: MessageReader<CallEvent>,
    sound: Res<Sound>,
    call: Option<Res<LiveCall>>,
) {
    for CallEvent { timed, replayed } in events.read() {
        if *replayed {
            continue;
        }
        match &timed.event {
            Event::HoldStarted { .. } => sound.0.start_hold_music(),
            Event::HoldEnded { .. } | Event::Ended { .. } => sound.0.stop_hold_music(),
            Event::MeterChanged {
                meter: Meter::Anger,
                from,
                to,
                ..
            } => {
                let (before, after) =
                    (Mood::from_anger(*from as f32), Mood::from_anger(*to as f32));
                if after > before {
                    sound.0.play(Cue::MoodDown);
                } else if after < before {
                    sound.0.play(Cue::MoodUp);
                }
            }
            Event::CustomerSaid {
                audio: Some(file), ..
            } => {
                if let Some(path) = call.as_ref().and_then(|c| voice_path(c.loaded.dir(), file)) {
                    sound.0.play_voice(&path);
                }
            }
            _ => {}
        }
    }
}

/// Finds a voice file: in the `assets` directory beside the scenario library, beside the scenario,
/// or in `./assets`.
fn voice_path(scenario_dir: &Path, file: &str) -> Option<PathBuf> {
    let candidates = [
        scenario_dir.join("..").join("assets").join(file),
        scenario_dir.join(file),
        Path::new("assets").join(file),
    ];
    let found = candidates.into_iter().find(|p| p.is_file());
    if found.is_none() {
        warn!(
            "voice line `{file}` was not found beside `{}` or in `assets/`",
            scenario_dir.display()
        );
    }
    found
}
