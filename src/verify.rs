//! Checking a transcript before it is trusted: its header against its id and its scenario, and its
//! turns by replaying them, so a score that is printed or stored is one the engine reproduces.
//!
//! `score` and `import` refuse a transcript that fails (exit 1, with the reason) rather than store
//! it marked unverified: the store has no place for a score nobody can reproduce, and a refused
//! file is still on disk to be looked at.

use std::sync::Arc;

use crate::analysis::PreparedScenario;
use crate::scenario::LoadedScenario;
use crate::transcript::{ReplayError, Transcript, expected_session_id};

/// Why a transcript is not trusted.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(
        "its header does not match its session id: it says `{session_id}`, its fields give `{expected}`; its trainee, start time, seed, scenario or id was edited after it was recorded"
    )]
    HeaderEdited {
        session_id: String,
        expected: String,
    },
    #[error(
        "it is a transcript of scenario `{transcript}`, not `{scenario}`; score it against its own scenario (--scenario)"
    )]
    OtherScenario {
        transcript: String,
        scenario: String,
    },
    #[error(
        "its turns do not replay on `{scenario}`{}, so its score cannot be reproduced",
        if *scenario_changed { " (the scenario file has changed since it was played)" } else { "" }
    )]
    Replay {
        scenario: String,
        scenario_changed: bool,
        #[source]
        source: ReplayError,
    },
}

/// A change to the scenario since the transcript was recorded; its turns still replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioChange {
    pub scenario_id: String,
    pub recorded_version: u32,
    pub current_version: u32,
    /// Whether the file's content changed (its hash); a version bump alone is a change too.
    pub content_changed: bool,
}

impl std::fmt::Display for ScenarioChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let versions = if self.recorded_version == self.current_version {
            format!(
                "still version {}, but its content changed",
                self.current_version
            )
        } else {
            format!(
                "recorded on version {}, now version {}",
                self.recorded_version, self.current_version
            )
        };
        write!(
            f,
            "scenario `{}` has changed since some of its sessions were recorded ({versions}); their turns still replay, and they were scored against the current file",
            self.scenario_id
        )
    }
}

/// Checks a transcript against the scenario it is to be scored on: the header's id, the scenario's
/// id, and a replay of every turn. `prepared` is the analysers prepared for `loaded`'s scenario,
/// shared (imports replay many transcripts of one scenario). Returns how the scenario changed since, if it did.
pub fn verify_transcript(
    transcript: &Transcript,
    loaded: &LoadedScenario,
    prepared: &Arc<PreparedScenario>,
) -> Result<Option<ScenarioChange>, VerifyError> {
    let header = &transcript.header;
    let expected = expected_session_id(header);
    if expected != header.session_id {
        return Err(VerifyError::HeaderEdited {
            session_id: header.session_id.clone(),
            expected,
        });
    }
    if header.scenario_id != loaded.scenario.id {
        return Err(VerifyError::OtherScenario {
            transcript: header.scenario_id.clone(),
            scenario: loaded.scenario.id.clone(),
        });
    }
    let content_changed = header.scenario_hash != loaded.content_hash();
    crate::transcript::replay(transcript, Arc::clone(prepared)).map_err(|source| {
        VerifyError::Replay {
            scenario: loaded.scenario.id.clone(),
            scenario_changed: content_changed || header.scenario_version != loaded.scenario.version,
            source,
        }
    })?;
    let changed = content_changed || header.scenario_version != loaded.scenario.version;
    Ok(changed.then(|| ScenarioChange {
        scenario_id: header.scenario_id.clone(),
        recorded_version: header.scenario_version,
        current_version: loaded.scenario.version,
        content_changed,
    }))
}
