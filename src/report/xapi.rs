//! xAPI (Experience API 1.0.3) statements of stored sessions, for a learning record store (LRS).
//!
//! Each finished session gives two statements, as cmi5 does: `completed` (with the duration) and
//! `passed` or `failed` (with the scaled score and, as result extensions, the four dimensions).
//! A session that never finished gives only `failed`, marked incomplete. Statement ids are
//! derived from the session id (and, for a revised score, from the revision and its content),
//! so sending the same statements twice is harmless.
//!
//! Statements are immutable in an LRS: when a review changes a session's score, the score goes
//! out as a new statement, and a `voided` statement (by the reviewer) retracts the one it
//! supersedes. Every revision is sent each time, so an LRS that missed one catches up.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use std::collections::BTreeMap;

use crate::scenario::Dimension;
use crate::store::{DimensionScores, ScoreRevision, SessionSummary, dimension_index};

/// The ADL verb IRIs.
pub const VERB_COMPLETED: &str = "http://adlnet.gov/expapi/verbs/completed";
pub const VERB_PASSED: &str = "http://adlnet.gov/expapi/verbs/passed";
pub const VERB_FAILED: &str = "http://adlnet.gov/expapi/verbs/failed";
pub const VERB_VOIDED: &str = "http://adlnet.gov/expapi/verbs/voided";

/// The ADL activity type of a simulation.
pub const ACTIVITY_SIMULATION: &str = "http://adlnet.gov/expapi/activities/simulation";

/// The base IRI used when none is configured (`--xapi-base` / `RAPPORT_XAPI_BASE`).
pub const DEFAULT_BASE: &str = "https://rapport.example.org";

/// The xAPI version the statements follow.
pub const XAPI_VERSION: &str = "1.0.3";

/// The outcome label of a session that never finished.
const ABANDONED: &str = "abandoned";

/// Every statement of the given sessions, as one JSON array (what an LRS accepts on
/// `POST /statements`); `revisions` are the sessions' score revisions, oldest first.
pub fn statements(sessions: &[SessionSummary], revisions: &[ScoreRevision], base: &str) -> Value {
    let base = base.trim_end_matches('/');
    let mut by_session: BTreeMap<&str, Vec<&ScoreRevision>> = BTreeMap::new();
    for revision in revisions {
        by_session
            .entry(revision.session_id.as_str())
            .or_default()
            .push(revision);
    }
    Value::Array(
        sessions
            .iter()
            .flat_map(|s| {
                let revisions = by_session
                    .get(s.session_id.as_str())
                    .map_or(&[][..], Vec::as_slice);
                session_statements(s, revisions, base)
            })
            .collect(),
    )
}

/// One version of a session's score as a statement carries it.
#[derive(Debug, Clone, PartialEq)]
struct ScoreVersion<'a> {
    overall: f64,
    passed: bool,
    dimensions: DimensionScores,
    reviewed: bool,
    /// Who made this version and when (`None` for the machine's).
    revised: Option<(&'a str, &'a str)>,
}

impl ScoreVersion<'_> {
    /// Whether two versions would send the same statement.
    fn same_content(&self, other: &ScoreVersion<'_>) -> bool {
        let rounded = |d: &DimensionScores| d.map(|v| v.map(|v| round(v / 100.0)));
        round(self.overall) == round(other.overall)
            && self.passed == other.passed
            && self.reviewed == other.reviewed
            && rounded(&self.dimensions) == rounded(&other.dimensions)
    }
}

/// The versions of a session's score: the machine's, then each revision that changed what a
/// statement carries.
fn score_versions<'a>(
    session: &'a SessionSummary,
    revisions: &[&'a ScoreRevision],
) -> Vec<ScoreVersion<'a>> {
    let mut versions = vec![ScoreVersion {
        overall: session.overall,
        passed: session.passed,
        dimensions: session.dimensions,
        reviewed: false,
        revised: None,
    }];
    for revision in revisions {
        let version = ScoreVersion {
            overall: revision.final_overall,
            passed: revision.final_passed,
            dimensions: revision.final_dimensions,
            reviewed: revision.reviewed,
            revised: Some((revision.revised_by.as_str(), revision.revised_at.as_str())),
        };
        if versions
            .last()
            .is_some_and(|last| !last.same_content(&version))
        {
            versions.push(version);
        }
    }
    versions
}

/// The statements of one session: `completed`, each version's `passed`/`failed`, and a
/// `voided` statement for each superseded version.
pub fn session_statements(
    session: &SessionSummary,
    revisions: &[&ScoreRevision],
    base: &str,
) -> Vec<Value> {
    let finished = session.outcome != ABANDONED;
    let mut out = Vec::new();
    if finished {
        out.push(statement(
            statement_id(&session.session_id, "completed"),
            session,
            base,
            "completed",
            VERB_COMPLETED,
            json!({
                "completion": true,
                "duration": duration(session.handle_secs),
            }),
        ));
    }
    let mut previous: Option<String> = None;
    for score in score_statements(session, revisions, base) {
        if let (Some(old), Some((by, at))) = (&previous, score.revised) {
            out.push(voiding_statement(old, by, at, base));
        }
        previous = Some(score.id);
        out.push(score.statement);
    }
    out
}

/// The `passed`/`failed` statement of one version of a session's score.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreStatement<'a> {
    /// The statement's id (also `statement["id"]`).
    pub id: String,
    pub statement: Value,
    /// Who made this version and when (`None` for the machine's).
    pub revised: Option<(&'a str, &'a str)>,
}

/// The `passed`/`failed` statement of each version of a session's score, oldest first: the
/// machine's, then each revision that changed what a statement carries.
pub fn score_statements<'a>(
    session: &'a SessionSummary,
    revisions: &[&'a ScoreRevision],
    base: &str,
) -> Vec<ScoreStatement<'a>> {
    let finished = session.outcome != ABANDONED;
    let mut out = Vec::new();
    for (number, version) in score_versions(session, revisions).into_iter().enumerate() {
        let (verb, iri) = if version.passed && finished {
            ("passed", VERB_PASSED)
        } else {
            ("failed", VERB_FAILED)
        };
        let result = result_of(session, &version, finished, base);
        // The machine's version keeps the id it always had; a revision's id names its number
        // and content, so a revised score is never sent under an id already used.
        let id = if number == 0 {
            statement_id(&session.session_id, verb)
        } else {
            statement_id(
                &session.session_id,
                &format!("{verb}\u{1f}revision {number}\u{1f}{result}"),
            )
        };
        out.push(ScoreStatement {
            statement: statement(id.clone(), session, base, verb, iri, result),
            id,
            revised: version.revised,
        });
    }
    out
}

/// The `result` of a version's `passed`/`failed` statement.
fn result_of(
    session: &SessionSummary,
    version: &ScoreVersion<'_>,
    finished: bool,
    base: &str,
) -> Value {
    let mut extensions = serde_json::Map::new();
    for dimension in Dimension::ALL {
        if let Some(score) = version.dimensions[dimension_index(dimension)] {
            extensions.insert(
                format!("{base}/xapi/extensions/dimension/{}", dimension.label()),
                json!(round(score / 100.0)),
            );
        }
    }
    extensions.insert(
        format!("{base}/xapi/extensions/machine-score"),
        json!(round(session.overall / 100.0)),
    );
    extensions.insert(
        format!("{base}/xapi/extensions/reviewed"),
        json!(version.reviewed),
    );
    extensions.insert(
        format!("{base}/xapi/extensions/outcome"),
        json!(session.outcome),
    );
    json!({
        "score": {
            "scaled": round(version.overall / 100.0),
            "raw": round(version.overall),
            "min": 0,
            "max": 100,
        },
        "success": version.passed && finished,
        "completion": finished,
        "duration": duration(session.handle_secs),
        "extensions": extensions,
    })
}

/// The statement voiding `old`, made by the reviewer whose change superseded it.
pub fn voiding_statement(old: &str, reviewer: &str, at: &str, base: &str) -> Value {
    json!({
        "id": statement_id(old, "voided"),
        "actor": {
            "objectType": "Agent",
            "name": reviewer,
            "account": { "homePage": base, "name": reviewer },
        },
        "verb": { "id": VERB_VOIDED, "display": { "en-US": "voided" } },
        "object": { "objectType": "StatementRef", "id": old },
        "timestamp": at,
        "version": XAPI_VERSION,
    })
}

fn statement(
    id: String,
    session: &SessionSummary,
    base: &str,
    verb: &str,
    iri: &str,
    result: Value,
) -> Value {
    json!({
        "id": id,
        "actor": {
            "objectType": "Agent",
            "name": session.trainee,
            "account": { "homePage": base, "name": session.trainee },
        },
        "verb": { "id": iri, "display": { "en-US": verb } },
        "object": {
            "objectType": "Activity",
            "id": format!("{base}/scenarios/{}", iri_segment(&session.scenario_id)),
            "definition": {
                "name": { "en-US": session.scenario_id },
                "type": ACTIVITY_SIMULATION,
            },
        },
        "result": result,
        "context": {
            "platform": "Rapport",
            "extensions": {
                format!("{base}/xapi/extensions/session-id"): session.session_id,
            },
        },
        "timestamp": session.started_at,
        "version": XAPI_VERSION,
    })
}

/// A score rounded to four decimals (scaled scores must stay within −1..=1).
fn round(value: f64) -> f64 {
    (value.clamp(-100.0, 100.0) * 10_000.0).round() / 10_000.0
}

/// An ISO 8601 duration (`PT3M12.5S`).
pub fn duration(secs: f64) -> String {
    let secs = secs.max(0.0);
    let whole = secs.trunc() as u64;
    let (hours, minutes, seconds) = (whole / 3600, (whole % 3600) / 60, whole % 60);
    let fraction = ((secs - secs.trunc()) * 100.0).round() as u64;
    let mut out = String::from("PT");
    if hours > 0 {
        out.push_str(&format!("{hours}H"));
    }
    if minutes > 0 {
        out.push_str(&format!("{minutes}M"));
    }
    if fraction > 0 && fraction < 100 {
        out.push_str(&format!("{seconds}.{fraction:02}S"));
    } else {
        out.push_str(&format!("{seconds}S"));
    }
    out
}

/// A deterministic UUID (version 5 layout, SHA-256 based) for a session's statement.
pub fn statement_id(session_id: &str, verb: &str) -> String {
    let digest = Sha256::digest(format!("rapport-xapi\u{1f}{session_id}\u{1f}{verb}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex::encode(bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// A scenario id made safe for an IRI path segment.
fn iri_segment(id: &str) -> String {
    id.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_iso_8601() {
        assert_eq!(duration(0.0), "PT0S");
        assert_eq!(duration(192.5), "PT3M12.50S");
        assert_eq!(duration(3725.0), "PT1H2M5S");
    }

    #[test]
    fn statement_ids_are_stable_uuids() {
        let id = statement_id("abc", "passed");
        assert_eq!(id, statement_id("abc", "passed"));
        assert_ne!(id, statement_id("abc", "completed"));
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "5");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
    }
}
