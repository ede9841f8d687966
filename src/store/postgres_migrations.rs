//! The PostgreSQL store's schema migrations, in order: forward only, each run once, none losing stored data.

/// Schema migrations, applied in order; the index + 1 is the schema version.
pub(super) const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE sessions (
    id                 BIGSERIAL PRIMARY KEY,
    session_id         TEXT NOT NULL UNIQUE,
    trainee            TEXT NOT NULL,
    scenario_id        TEXT NOT NULL,
    scenario_version   BIGINT NOT NULL,
    scenario_hash      TEXT NOT NULL,
    seed               BIGINT NOT NULL,
    started_at         TEXT NOT NULL,
    started_epoch      BIGINT NOT NULL,
    outcome            TEXT NOT NULL,
    rubric_id          TEXT NOT NULL,
    rubric_version     BIGINT NOT NULL,
    overall            DOUBLE PRECISION NOT NULL,
    passed             BOOLEAN NOT NULL,
    band               TEXT NOT NULL,
    handle_secs        DOUBLE PRECISION NOT NULL,
    empathy            DOUBLE PRECISION,
    timeliness         DOUBLE PRECISION,
    expectations       DOUBLE PRECISION,
    ownership          DOUBLE PRECISION,
    reviewed           BOOLEAN NOT NULL DEFAULT FALSE,
    final_overall      DOUBLE PRECISION NOT NULL,
    final_passed       BOOLEAN NOT NULL,
    final_empathy      DOUBLE PRECISION,
    final_timeliness   DOUBLE PRECISION,
    final_expectations DOUBLE PRECISION,
    final_ownership    DOUBLE PRECISION,
    criteria           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_trainee ON sessions (trainee, started_epoch);
CREATE INDEX sessions_scenario ON sessions (scenario_id, started_epoch);
CREATE INDEX sessions_started ON sessions (started_epoch);
CREATE TABLE session_documents (
    session            BIGINT PRIMARY KEY REFERENCES sessions (id),
    transcript         TEXT NOT NULL,
    scorecard          TEXT NOT NULL,
    reviewed_scorecard TEXT
);
CREATE TABLE criterion_scores (
    session      BIGINT NOT NULL REFERENCES sessions (id),
    criterion    TEXT NOT NULL,
    dimension    TEXT NOT NULL,
    rating       INTEGER,
    score        DOUBLE PRECISION,
    final_rating INTEGER,
    final_score  DOUBLE PRECISION,
    reviewed     BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (session, criterion)
);
CREATE TABLE teams (
    trainee TEXT PRIMARY KEY,
    team    TEXT NOT NULL
);
CREATE INDEX teams_team ON teams (team);
CREATE TABLE reviews (
    id             BIGSERIAL PRIMARY KEY,
    session_id     TEXT NOT NULL REFERENCES sessions (session_id),
    criterion      TEXT NOT NULL,
    rating         INTEGER,
    machine_rating INTEGER,
    comment        TEXT NOT NULL,
    reviewer       TEXT NOT NULL,
    reviewed_at    TEXT NOT NULL
);
CREATE INDEX reviews_session ON reviews (session_id);
"#,
    MIGRATION_2,
    MIGRATION_3,
    MIGRATION_4,
    MIGRATION_5,
];

/// Version 2: reviews gain a kind and can be retracted with a trace, each change of a session's
/// reviewed scores is kept as a revision (for xAPI), and team membership has dates. Existing
/// reviews become plain ratings, existing teams memberships that cover all time, and each reviewed
/// session gets one revision with its current scores (the same as SQLite's version 3).
const MIGRATION_2: &str = r#"
ALTER TABLE reviews ADD COLUMN kind TEXT NOT NULL DEFAULT 'rating';
CREATE TABLE review_retractions (
    review_id    BIGINT PRIMARY KEY REFERENCES reviews (id),
    retracted_by TEXT NOT NULL,
    retracted_at TEXT NOT NULL,
    reason       TEXT NOT NULL
);
CREATE TABLE score_revisions (
    id                 BIGSERIAL PRIMARY KEY,
    session_id         TEXT NOT NULL REFERENCES sessions (session_id),
    revised_at         TEXT NOT NULL,
    revised_by         TEXT NOT NULL,
    reviewed           BOOLEAN NOT NULL,
    final_overall      DOUBLE PRECISION NOT NULL,
    final_passed       BOOLEAN NOT NULL,
    final_empathy      DOUBLE PRECISION,
    final_timeliness   DOUBLE PRECISION,
    final_expectations DOUBLE PRECISION,
    final_ownership    DOUBLE PRECISION
);
CREATE INDEX score_revisions_session ON score_revisions (session_id);
INSERT INTO score_revisions (session_id, revised_at, revised_by, reviewed, final_overall, final_passed,
    final_empathy, final_timeliness, final_expectations, final_ownership)
SELECT s.session_id,
    (SELECT r.reviewed_at FROM reviews r WHERE r.session_id = s.session_id ORDER BY r.id DESC LIMIT 1),
    (SELECT r.reviewer FROM reviews r WHERE r.session_id = s.session_id ORDER BY r.id DESC LIMIT 1),
    TRUE, s.final_overall, s.final_passed, s.final_empathy, s.final_timeliness, s.final_expectations, s.final_ownership
FROM sessions s WHERE s.reviewed AND EXISTS (SELECT 1 FROM reviews r WHERE r.session_id = s.session_id)
ORDER BY s.id;
CREATE TABLE team_memberships (
    id          BIGSERIAL PRIMARY KEY,
    trainee     TEXT NOT NULL,
    team        TEXT NOT NULL,
    since_epoch BIGINT,
    until_epoch BIGINT
);
INSERT INTO team_memberships (trainee, team) SELECT trainee, team FROM teams ORDER BY trainee;
DROP TABLE teams;
CREATE INDEX team_memberships_trainee ON team_memberships (trainee, since_epoch);
CREATE INDEX team_memberships_team ON team_memberships (team);
"#;

/// Version 3: the team server's people and their traces. Accounts with a role and an argon2id
/// password hash, web login sessions (only a SHA-256 of each token is kept), failed and
/// successful login attempts (throttling reads them, so it holds across server processes), the
/// audit log of every team change, and sessions shared with a reviewer. Only new tables: no
/// stored data is touched.
const MIGRATION_3: &str = r#"
CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    trainee       TEXT UNIQUE,
    active        BIGINT NOT NULL DEFAULT 1,
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    client     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);
CREATE TABLE login_attempts (
    id        BIGSERIAL PRIMARY KEY,
    login     TEXT NOT NULL,
    client    TEXT NOT NULL,
    at        BIGINT NOT NULL,
    succeeded BIGINT NOT NULL
);
CREATE INDEX login_attempts_login ON login_attempts (login, at);
CREATE INDEX login_attempts_client ON login_attempts (client, at);
CREATE INDEX login_attempts_at ON login_attempts (at);
CREATE TABLE audit_log (
    id           BIGSERIAL PRIMARY KEY,
    at           BIGINT NOT NULL,
    actor_id     BIGINT REFERENCES users (id),
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    before_json  TEXT,
    after_json   TEXT
);
CREATE INDEX audit_log_subject ON audit_log (subject_kind, subject_id);
CREATE INDEX audit_log_actor ON audit_log (actor_id);
CREATE TABLE session_shares (
    session_id TEXT NOT NULL REFERENCES sessions (session_id),
    user_id    BIGINT NOT NULL REFERENCES users (id),
    shared_by  BIGINT REFERENCES users (id),
    shared_at  BIGINT NOT NULL,
    PRIMARY KEY (session_id, user_id)
);
CREATE INDEX session_shares_user ON session_shares (user_id);
"#;

/// Version 4: the team workflow. Sampling rules a QA lead sets and the review queue they fill
/// (an item is done when its review is recorded); disputes of a criterion, with their decision;
/// calibration sessions with their sessions, reviewers and blind ratings, kept apart from the
/// reviews so that a calibration never changes a trainee's score. Only new tables.
const MIGRATION_4: &str = r#"
CREATE TABLE queue_rules (
    id          BIGSERIAL PRIMARY KEY,
    kind        TEXT NOT NULL,
    per_week    BIGINT,
    percent     DOUBLE PRECISION,
    seed        BIGINT NOT NULL DEFAULT 0,
    since_epoch BIGINT,
    active      BIGINT NOT NULL DEFAULT 1,
    created_by  BIGINT REFERENCES users (id),
    created_at  BIGINT NOT NULL
);
CREATE TABLE queue_items (
    id             BIGSERIAL PRIMARY KEY,
    session_id     TEXT NOT NULL REFERENCES sessions (session_id),
    rule_id        BIGINT REFERENCES queue_rules (id),
    reason         TEXT NOT NULL,
    reviewer_id    BIGINT REFERENCES users (id),
    assigned_by    BIGINT REFERENCES users (id),
    assigned_at    BIGINT,
    created_at     BIGINT NOT NULL,
    done_review_id BIGINT REFERENCES reviews (id),
    done_at        BIGINT
);
CREATE UNIQUE INDEX queue_items_unassigned ON queue_items (session_id) WHERE reviewer_id IS NULL;
CREATE UNIQUE INDEX queue_items_reviewer ON queue_items (session_id, reviewer_id) WHERE reviewer_id IS NOT NULL;
CREATE INDEX queue_items_queue ON queue_items (reviewer_id, done_at);
CREATE TABLE disputes (
    id         BIGSERIAL PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (session_id),
    criterion  TEXT NOT NULL,
    raised_by  BIGINT NOT NULL REFERENCES users (id),
    reason     TEXT NOT NULL,
    raised_at  BIGINT NOT NULL,
    state      TEXT NOT NULL,
    decided_by BIGINT REFERENCES users (id),
    decided_at BIGINT,
    reply      TEXT,
    rating     BIGINT,
    review_id  BIGINT REFERENCES reviews (id)
);
CREATE UNIQUE INDEX disputes_open ON disputes (session_id, criterion) WHERE state = 'open';
CREATE INDEX disputes_session ON disputes (session_id);
CREATE INDEX disputes_raised_by ON disputes (raised_by);
CREATE TABLE calibrations (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT NOT NULL,
    created_by  BIGINT NOT NULL REFERENCES users (id),
    created_at  BIGINT NOT NULL,
    revealed_by BIGINT REFERENCES users (id),
    revealed_at BIGINT
);
CREATE TABLE calibration_sessions (
    calibration_id BIGINT NOT NULL REFERENCES calibrations (id),
    session_id     TEXT NOT NULL REFERENCES sessions (session_id),
    PRIMARY KEY (calibration_id, session_id)
);
CREATE INDEX calibration_sessions_session ON calibration_sessions (session_id);
CREATE TABLE calibration_reviewers (
    calibration_id BIGINT NOT NULL REFERENCES calibrations (id),
    user_id        BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (calibration_id, user_id)
);
CREATE INDEX calibration_reviewers_user ON calibration_reviewers (user_id);
CREATE TABLE calibration_ratings (
    id             BIGSERIAL PRIMARY KEY,
    calibration_id BIGINT NOT NULL REFERENCES calibrations (id),
    session_id     TEXT NOT NULL REFERENCES sessions (session_id),
    criterion      TEXT NOT NULL,
    reviewer_id    BIGINT NOT NULL REFERENCES users (id),
    rating         BIGINT,
    comment        TEXT NOT NULL,
    rated_at       BIGINT NOT NULL
);
CREATE INDEX calibration_ratings_calibration ON calibration_ratings (calibration_id, reviewer_id);
"#;

/// Version 5: the xAPI outbox (the same as SQLite's version 6),
/// statements waiting for the learning record store, queued in the transaction that changes a
/// session's score (`store::outbox`). Times are Unix seconds; `kind` is `score` or `void`; `state`
/// is `pending`, `sent` or `failed`; a sender holds a row while `claimed_until` is in the future.
const MIGRATION_5: &str = r#"
CREATE TABLE xapi_outbox (
    id              BIGSERIAL PRIMARY KEY,
    session_id      TEXT NOT NULL REFERENCES sessions (session_id),
    statement_id    TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    voids           TEXT,
    statement       TEXT NOT NULL,
    queued_at       BIGINT NOT NULL,
    state           TEXT NOT NULL,
    attempts        BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    claimed_by      TEXT,
    claimed_until   BIGINT,
    last_answer     TEXT,
    sent_at         BIGINT
);
CREATE INDEX xapi_outbox_due ON xapi_outbox (state, next_attempt_at);
CREATE INDEX xapi_outbox_session ON xapi_outbox (session_id, id);
"#;
