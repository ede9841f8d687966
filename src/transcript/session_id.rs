//! Session ids: a hash of a transcript's header with a random nonce, so no two sessions share one
//! and an edited header no longer matches its id.

use super::{ClockKind, Header};

/// Hex digits of a new session's nonce (128 random bits).
const NONCE_DIGITS: usize = 32;

/// A fresh nonce from the operating system's randomness.
pub(super) fn new_nonce() -> String {
    format!("{:0NONCE_DIGITS$x}", rand::random::<u128>())
}

/// The id a header's fields give. With a nonce (every transcript written now) it hashes every
/// field but the id itself and the scenario's path (a file may move), as 32 hex digits; without
/// one (transcripts written before nonces) it is the old 16-digit hash of the trainee, scenario,
/// start time, seed and scenario hash.
pub fn expected_session_id(header: &Header) -> String {
    use sha2::{Digest, Sha256};
    let Some(nonce) = &header.nonce else {
        return legacy_session_id(header);
    };
    let clock = match header.clock {
        ClockKind::Real => "real",
        ClockKind::Virtual => "virtual",
    };
    let fields = [
        header.format.as_str(),
        &header.scenario_id,
        &header.scenario_version.to_string(),
        &header.scenario_hash,
        &header.seed.to_string(),
        &header.trainee,
        &header.started_at,
        clock,
        nonce,
    ];
    // The unit separator cannot occur in the fields' JSON, so no two headers join alike.
    let digest = Sha256::digest(fields.join("\u{1f}").as_bytes());
    hex::encode(&digest[..NONCE_DIGITS / 2])
}

/// The id of a transcript written before nonces.
fn legacy_session_id(header: &Header) -> String {
    let key = [
        header.trainee.as_str(),
        &header.scenario_id,
        &header.started_at,
        &header.seed.to_string(),
        &header.scenario_hash,
    ]
    .join("\u{1f}");
    crate::scenario::load::content_hash(&key)
}

#[cfg(test)]
pub(super) mod tests {
    use super::{expected_session_id, new_nonce};
    use crate::scenario::load::content_hash;
    use crate::transcript::{ClockKind, FORMAT, Header};

    /// A header of `late-delivery` with every field set, and the given nonce.
    pub(in crate::transcript) fn header(nonce: Option<String>) -> Header {
        Header {
            format: FORMAT.to_owned(),
            session_id: String::new(),
            scenario_id: "late-delivery".to_owned(),
            scenario_version: 1,
            scenario_hash: "0123abcd".to_owned(),
            scenario_path: None,
            seed: 42,
            trainee: "ana".to_owned(),
            started_at: "2026-12-02T00:00:00Z".to_owned(),
            clock: ClockKind::Virtual,
            nonce,
        }
    }

    #[test]
    fn a_legacy_session_id_hashes_trainee_scenario_start_seed_and_hash() {
        let key = "ana\u{1f}late-delivery\u{1f}2026-12-02T00:00:00Z\u{1f}42\u{1f}0123abcd";
        assert_eq!(expected_session_id(&header(None)), content_hash(key));
    }

    #[test]
    fn sessions_alike_in_every_field_but_the_nonce_have_different_ids() {
        let a = expected_session_id(&header(Some(new_nonce())));
        let b = expected_session_id(&header(Some(new_nonce())));
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
    }

    #[test]
    fn every_header_field_but_the_path_changes_the_id() {
        let base = header(Some("00".repeat(16)));
        let id = expected_session_id(&base);
        let mut moved = base.clone();
        moved.scenario_path = Some("elsewhere.ron".to_owned());
        assert_eq!(expected_session_id(&moved), id, "a scenario file may move");
        let edits: [fn(&mut Header); 8] = [
            |h| h.scenario_id.push('x'),
            |h| h.scenario_version += 1,
            |h| h.scenario_hash.push('x'),
            |h| h.seed += 1,
            |h| h.trainee.push('x'),
            |h| h.started_at = "2026-12-02T00:00:01Z".to_owned(),
            |h| h.clock = ClockKind::Real,
            |h| h.nonce = Some("11".repeat(16)),
        ];
        for edit in edits {
            let mut edited = base.clone();
            edit(&mut edited);
            assert_ne!(expected_session_id(&edited), id, "{edited:?}");
        }
    }
}
