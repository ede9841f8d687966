//! Sound for the game and the terminal player: generated cues (ring, hold music, mood), voice lines.
//!
//! The generators are plain functions returning mono `f32` samples, so they can be rendered to a
//! WAV file and measured without a sound card. [`Audio`] plays them on a thread of its own; with no
//! audio device it warns once and every call becomes a no-op.

use std::f32::consts::TAU;
use std::io::Write;
use std::num::NonZero;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

/// The sample rate of every generated sound.
pub const SAMPLE_RATE: u32 = 44_100;

/// How long one bar of hold music lasts, in seconds (four bars make the loop).
const HOLD_BAR_SECS: f32 = 2.4;

/// Loudness of the ring, the hold music and the mood cues (peak amplitude, 0–1).
const RING_LEVEL: f32 = 0.32;
const HOLD_LEVEL: f32 = 0.22;
const CUE_LEVEL: f32 = 0.28;

/// A generated sound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cue {
    /// A soft two-tone phone ring, played as the call connects.
    Ring,
    /// A rising chime: the customer calmed past a threshold.
    MoodUp,
    /// A falling chime: the customer crossed into a angrier mood.
    MoodDown,
    /// One loop of the hold music.
    HoldMusic,
}

/// Renders a cue to mono samples at [`SAMPLE_RATE`].
pub fn render(cue: Cue) -> Vec<f32> {
    match cue {
        Cue::Ring => ring(),
        Cue::MoodUp => chime(&[659.25, 987.77]),
        Cue::MoodDown => chime(&[440.0, 329.63]),
        Cue::HoldMusic => hold_music(),
    }
}

/// The frequency of a MIDI note number.
fn midi(note: i32) -> f32 {
    440.0 * 2f32.powf((note - 69) as f32 / 12.0)
}

/// A plucked, bell-like tone: a sine with a soft second partial and an exponential decay.
fn add_pluck(
    out: &mut [f32],
    start_secs: f32,
    freq: f32,
    length_secs: f32,
    level: f32,
    decay: f32,
) {
    let start = (start_secs * SAMPLE_RATE as f32) as usize;
    // A note running past the end is shortened, so its release still reaches silence.
    let length = ((length_secs * SAMPLE_RATE as f32) as usize).min(out.len().saturating_sub(start));
    let attack = (0.008 * SAMPLE_RATE as f32) as usize;
    let release = (0.04 * SAMPLE_RATE as f32) as usize;
    for i in 0..length {
        let Some(sample) = out.get_mut(start + i) else {
            break;
        };
        let t = i as f32 / SAMPLE_RATE as f32;
        let attack_gain = (i as f32 / attack as f32).min(1.0);
        let release_gain = ((length - i) as f32 / release as f32).min(1.0);
        let envelope = attack_gain * release_gain * (-t * decay).exp();
        let tone = (TAU * freq * t).sin()
            + 0.25 * (TAU * 2.0 * freq * t).sin()
            + 0.08 * (TAU * 3.0 * freq * t).sin();
        *sample += level * envelope * tone / 1.33;
    }
}

/// A gentle ring: two bursts of alternating notes (a trill), a pause, repeated twice.
fn ring() -> Vec<f32> {
    const TRILL_NOTE_SECS: f32 = 0.09;
    const NOTES_PER_BURST: usize = 8;
    const BURST_GAP_SECS: f32 = 0.25;
    const RING_PAUSE_SECS: f32 = 1.1;
    let burst = TRILL_NOTE_SECS * NOTES_PER_BURST as f32;
    let ring_length = 2.0 * burst + BURST_GAP_SECS + RING_PAUSE_SECS;
    let mut out = vec![0.0; (2.0 * ring_length * SAMPLE_RATE as f32) as usize];
    let (low, high) = (midi(81), midi(85));
    for ring_index in 0..2 {
        for burst_index in 0..2 {
            let burst_start =
                ring_index as f32 * ring_length + burst_index as f32 * (burst + BURST_GAP_SECS);
            for note in 0..NOTES_PER_BURST {
                let freq = if note % 2 == 0 { low } else { high };
                add_pluck(
                    &mut out,
                    burst_start + note as f32 * TRILL_NOTE_SECS,
                    freq,
                    0.16,
                    RING_LEVEL * 0.7,
                    14.0,
                );
            }
        }
    }
    normalise(&mut out, RING_LEVEL);
    out
}

/// A short two-note chime.
fn chime(freqs: &[f32]) -> Vec<f32> {
    const NOTE_GAP_SECS: f32 = 0.13;
    const NOTE_SECS: f32 = 0.6;
    let total = NOTE_GAP_SECS * freqs.len() as f32 + NOTE_SECS;
    let mut out = vec![0.0; (total * SAMPLE_RATE as f32) as usize];
    for (index, freq) in freqs.iter().enumerate() {
        add_pluck(
            &mut out,
            index as f32 * NOTE_GAP_SECS,
            *freq,
            NOTE_SECS,
            CUE_LEVEL,
            6.0,
        );
    }
    normalise(&mut out, CUE_LEVEL);
    out
}

/// Soft hold music: I–vi–IV–V in C, a warm pad under an arpeggio, one seamless loop.
fn hold_music() -> Vec<f32> {
    // Chords as MIDI notes: C major, A minor, F major, G major.
    const CHORDS: [[i32; 3]; 4] = [[60, 64, 67], [57, 60, 64], [53, 57, 60], [55, 59, 62]];
    const ARPEGGIO: [usize; 8] = [0, 1, 2, 1, 0, 1, 2, 1];
    let bar = HOLD_BAR_SECS;
    let total = bar * CHORDS.len() as f32;
    let length = (total * SAMPLE_RATE as f32) as usize;
    let mut out = vec![0.0; length];
    for (index, chord) in CHORDS.iter().enumerate() {
        let start = index as f32 * bar;
        add_pad(&mut out, start, bar, chord, 0.09);
        add_pluck(&mut out, start, midi(chord[0] - 12), bar * 0.9, 0.12, 1.4);
        let step = bar / ARPEGGIO.len() as f32;
        for (beat, &voice) in ARPEGGIO.iter().enumerate() {
            add_pluck(
                &mut out,
                start + beat as f32 * step,
                midi(chord[voice] + 12),
                step * 1.8,
                0.07,
                4.0,
            );
        }
    }
    normalise(&mut out, HOLD_LEVEL);
    out
}

/// A sustained chord with slow attack and release, so bars join without clicks.
fn add_pad(out: &mut [f32], start_secs: f32, length_secs: f32, notes: &[i32], level: f32) {
    let start = (start_secs * SAMPLE_RATE as f32) as usize;
    let length = (length_secs * SAMPLE_RATE as f32) as usize;
    let fade = (0.25 * SAMPLE_RATE as f32) as usize;
    for i in 0..length {
        let Some(sample) = out.get_mut(start + i) else {
            break;
        };
        let t = (start + i) as f32 / SAMPLE_RATE as f32;
        let gain = (i as f32 / fade as f32).min(1.0) * ((length - i) as f32 / fade as f32).min(1.0);
        let mut tone = 0.0;
        for &note in notes {
            let f = midi(note);
            // A slight detune between two sines gives the pad its warmth.
            tone += (TAU * f * t).sin() + (TAU * f * 1.003 * t).sin();
        }
        *sample += level * gain * tone / (2.0 * notes.len() as f32);
    }
}

/// Scales samples so the loudest is exactly `peak`.
fn normalise(samples: &mut [f32], peak: f32) {
    let loudest = samples.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    if loudest > 0.0 {
        let gain = peak / loudest;
        for sample in samples.iter_mut() {
            *sample *= gain;
        }
    }
}

/// Writes mono samples as a 16-bit PCM WAV file (for listening to and measuring the generators).
pub fn write_wav(path: &Path, samples: &[f32]) -> std::io::Result<()> {
    let data_len = (samples.len() * 2) as u32;
    let mut bytes = Vec::with_capacity(44 + data_len as usize);
    bytes.extend_from_slice(b"RIFF");
    bytes.extend_from_slice(&(36 + data_len).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt ");
    bytes.extend_from_slice(&16u32.to_le_bytes());
    // PCM, one channel.
    bytes.extend_from_slice(&1u16.to_le_bytes());
    bytes.extend_from_slice(&1u16.to_le_bytes());
    bytes.extend_from_slice(&SAMPLE_RATE.to_le_bytes());
    bytes.extend_from_slice(&(SAMPLE_RATE * 2).to_le_bytes());
    bytes.extend_from_slice(&2u16.to_le_bytes());
    bytes.extend_from_slice(&16u16.to_le_bytes());
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&data_len.to_le_bytes());
    for sample in samples {
        let value = (sample.clamp(-1.0, 1.0) * f32::from(i16::MAX)).round() as i16;
        bytes.extend_from_slice(&value.to_le_bytes());
    }
    std::fs::File::create(path)?.write_all(&bytes)
}

/// What the sound thread is asked to do.
#[derive(Debug, Clone)]
enum Command {
    Play(Cue),
    StartHold,
    StopHold,
    Voice(PathBuf),
    Volume(f32),
    Muted(bool),
}

/// A handle to the sound thread. Cheap to clone; every method is a no-op once the device is gone.
#[derive(Debug, Clone)]
pub struct Audio {
    commands: Sender<Command>,
}

impl Audio {
    /// Starts the sound thread. Without an audio device it logs one warning and plays nothing.
    pub fn start(volume: f32, muted: bool) -> Audio {
        Audio::start_waiting(volume, muted, Duration::ZERO)
    }

    /// Starts the sound thread and waits, at most `wait`, until it has opened the device or
    /// given up: the terminal player waits so that a warning about the device is logged before
    /// its first prompt rather than over it.
    pub fn start_waiting(volume: f32, muted: bool, wait: Duration) -> Audio {
        let (commands, receive) = mpsc::channel();
        let (opened, tried) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("rapport-audio".to_owned())
            .spawn(move || run_device(receive, volume, muted, opened));
        match spawned {
            Ok(_) => {
                let _ = tried.recv_timeout(wait);
            }
            Err(error) => tracing::warn!("sound is off: cannot start the sound thread: {error}"),
        }
        Audio { commands }
    }

    /// A handle that never plays anything (tests, `--mute`).
    pub fn silent() -> Audio {
        let (commands, _) = mpsc::channel();
        Audio { commands }
    }

    /// Plays a generated cue once.
    pub fn play(&self, cue: Cue) {
        self.send(Command::Play(cue));
    }

    /// Starts looping the hold music.
    pub fn start_hold_music(&self) {
        self.send(Command::StartHold);
    }

    /// Stops the hold music.
    pub fn stop_hold_music(&self) {
        self.send(Command::StopHold);
    }

    /// Plays a recorded voice line (any format rodio decodes: WAV, Ogg Vorbis, MP3, FLAC).
    pub fn play_voice(&self, path: &Path) {
        self.send(Command::Voice(path.to_path_buf()));
    }

    /// Sets the master volume, 0–1.
    pub fn set_volume(&self, volume: f32) {
        self.send(Command::Volume(volume));
    }

    /// Mutes or unmutes everything.
    pub fn set_muted(&self, muted: bool) {
        self.send(Command::Muted(muted));
    }

    fn send(&self, command: Command) {
        // A closed channel means there is no device: the one warning has been given already.
        let _ = self.commands.send(command);
    }
}

/// The sound thread: owns the device and three players (cues, hold music, voice).
/// `tried` hears once the device has been opened or given up on.
fn run_device(commands: Receiver<Command>, mut volume: f32, mut muted: bool, tried: Sender<()>) {
    use rodio::Source;
    // alsa-lib writes what it fails to open straight to stderr, over the terminal player's
    // prompt; on this thread it goes to a buffer instead, logged only when asked for.
    #[cfg(target_os = "linux")]
    let alsa_messages = alsa::Output::local_error_handler().ok();
    let sink = match rodio::DeviceSinkBuilder::open_default_sink() {
        Ok(mut sink) => {
            sink.log_on_drop(false);
            sink
        }
        Err(error) => {
            tracing::warn!("no audio device ({error}); the game runs silently");
            #[cfg(target_os = "linux")]
            if let Some(messages) = &alsa_messages {
                tracing::debug!("ALSA said: {}", messages.borrow());
            }
            let _ = tried.send(());
            return;
        }
    };
    let _ = tried.send(());
    let cues = rodio::Player::connect_new(sink.mixer());
    let hold = rodio::Player::connect_new(sink.mixer());
    let voice = rodio::Player::connect_new(sink.mixer());
    let apply_volume = |volume: f32, muted: bool| {
        let level = if muted { 0.0 } else { volume.clamp(0.0, 1.0) };
        for player in [&cues, &hold, &voice] {
            player.set_volume(level);
        }
    };
    apply_volume(volume, muted);
    for command in commands {
        match command {
            Command::Play(cue) => cues.append(buffer(render(cue))),
            Command::StartHold => {
                hold.clear();
                hold.append(buffer(render(Cue::HoldMusic)).repeat_infinite());
                hold.play();
            }
            Command::StopHold => hold.clear(),
            Command::Voice(path) => match std::fs::File::open(&path)
                .map_err(|e| e.to_string())
                .and_then(|f| rodio::Decoder::try_from(f).map_err(|e| e.to_string()))
            {
                Ok(decoder) => voice.append(decoder),
                Err(error) => {
                    tracing::warn!("cannot play voice line `{}`: {error}", path.display())
                }
            },
            Command::Volume(level) => {
                volume = level;
                apply_volume(volume, muted);
            }
            Command::Muted(state) => {
                muted = state;
                apply_volume(volume, muted);
            }
        }
    }
}

/// Wraps mono samples as a rodio source.
fn buffer(samples: Vec<rodio::Sample>) -> rodio::buffer::SamplesBuffer {
    rodio::buffer::SamplesBuffer::new(
        NonZero::<u16>::MIN,
        NonZero::new(SAMPLE_RATE).unwrap_or(NonZero::<u32>::MIN),
        samples,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peak(samples: &[f32]) -> f32 {
        samples.iter().fold(0.0f32, |m, s| m.max(s.abs()))
    }

    fn rms(samples: &[f32]) -> f32 {
        (samples.iter().map(|s| s * s).sum::<f32>() / samples.len() as f32).sqrt()
    }

    #[test]
    fn every_cue_is_audible_and_never_clips() {
        for cue in [Cue::Ring, Cue::MoodUp, Cue::MoodDown, Cue::HoldMusic] {
            let samples = render(cue);
            let (peak, rms) = (peak(&samples), rms(&samples));
            assert!(peak > 0.1 && peak < 0.5, "{cue:?}: peak {peak}");
            assert!(rms > 0.01 && rms < 0.3, "{cue:?}: rms {rms}");
            assert!(
                samples.iter().all(|s| s.is_finite()),
                "{cue:?} has a non-finite sample"
            );
        }
    }

    #[test]
    fn hold_music_loops_without_a_click() {
        let samples = render(Cue::HoldMusic);
        let (first, last) = (samples[0], samples[samples.len() - 1]);
        assert!(
            (first - last).abs() < 0.02,
            "loop seam jumps from {last} to {first}"
        );
    }

    #[test]
    fn sox_measures_the_rendered_cues_as_sane() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        for (name, cue) in [
            ("ring", Cue::Ring),
            ("hold", Cue::HoldMusic),
            ("up", Cue::MoodUp),
            ("down", Cue::MoodDown),
        ] {
            let path = dir.path().join(format!("{name}.wav"));
            write_wav(&path, &render(cue)).expect("the WAV is written");
            let Ok(output) = std::process::Command::new("sox")
                .arg(&path)
                .args(["-n", "stat"])
                .output()
            else {
                eprintln!("sox is not installed; skipping the sox measurement");
                return;
            };
            let report = String::from_utf8_lossy(&output.stderr);
            let value = |label: &str| -> f32 {
                report
                    .lines()
                    .find(|l| l.starts_with(label))
                    .and_then(|l| l.rsplit(':').next())
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or_else(|| panic!("sox gave no `{label}` for {name}:\n{report}"))
            };
            let (maximum, rms) = (value("Maximum amplitude"), value("RMS     amplitude"));
            assert!(
                maximum < 0.5 && maximum > 0.1,
                "{name}: sox maximum {maximum}"
            );
            assert!(rms > 0.01 && rms < 0.3, "{name}: sox RMS {rms}");
        }
    }

    #[test]
    fn a_missing_device_is_silent_not_a_crash() {
        let audio = Audio::start(0.8, false);
        audio.play(Cue::Ring);
        audio.start_hold_music();
        audio.stop_hold_music();
        audio.set_muted(true);
        Audio::silent().play(Cue::MoodDown);
    }
}
