//! The SQLite store's schema migrations, in order: forward only, each run once, none losing stored data.

/// Schema migrations, applied in order; the index + 1 is the schema version.
///
/// Version 1 was the first store; version 2 moves the documents out of the session rows (so
/// reports scan small rows), keeps per-dimension and reviewed ("final") scores as columns, and
/// adds teams and reviews. A migration never loses stored sessions.
pub(super) const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE sessions (
    session_id       TEXT PRIMARY KEY,
    trainee          TEXT NOT NULL,
    scenario_id      TEXT NOT NULL,
    scenario_version INTEGER NOT NULL,
    scenario_hash    TEXT NOT NULL,
    seed             INTEGER NOT NULL,
    started_at       TEXT NOT NULL,
    outcome          TEXT NOT NULL,
    rubric_id        TEXT NOT NULL,
    rubric_version   INTEGER NOT NULL,
    overall          REAL NOT NULL,
    passed           INTEGER NOT NULL,
    band             TEXT NOT NULL,
    handle_secs      REAL NOT NULL,
    transcript       TEXT NOT NULL,
    scorecard        TEXT NOT NULL
);
CREATE INDEX sessions_trainee ON sessions (trainee, started_at);
CREATE INDEX sessions_scenario ON sessions (scenario_id, started_at);
CREATE TABLE criterion_scores (
    session_id TEXT NOT NULL REFERENCES sessions (session_id),
    criterion  TEXT NOT NULL,
    dimension  TEXT NOT NULL,
    rating     INTEGER,
    score      REAL,
    PRIMARY KEY (session_id, criterion)
);
CREATE TABLE dimension_scores (
    session_id TEXT NOT NULL REFERENCES sessions (session_id),
    dimension  TEXT NOT NULL,
    score      REAL,
    PRIMARY KEY (session_id, dimension)
);
"#,
    r#"
CREATE TABLE sessions_v2 (
    id                 INTEGER PRIMARY KEY,
    session_id         TEXT NOT NULL UNIQUE,
    trainee            TEXT NOT NULL,
    scenario_id        TEXT NOT NULL,
    scenario_version   INTEGER NOT NULL,
    scenario_hash      TEXT NOT NULL,
    seed               INTEGER NOT NULL,
    started_at         TEXT NOT NULL,
    started_epoch      INTEGER NOT NULL,
    outcome            TEXT NOT NULL,
    rubric_id          TEXT NOT NULL,
    rubric_version     INTEGER NOT NULL,
    overall            REAL NOT NULL,
    passed             INTEGER NOT NULL,
    band               TEXT NOT NULL,
    handle_secs        REAL NOT NULL,
    empathy            REAL,
    timeliness         REAL,
    expectations       REAL,
    ownership          REAL,
    reviewed           INTEGER NOT NULL DEFAULT 0,
    final_overall      REAL NOT NULL,
    final_passed       INTEGER NOT NULL,
    final_empathy      REAL,
    final_timeliness   REAL,
    final_expectations REAL,
    final_ownership    REAL,
    criteria           TEXT NOT NULL DEFAULT ''
);
INSERT INTO sessions_v2 (session_id, trainee, scenario_id, scenario_version, scenario_hash, seed, started_at, started_epoch,
    outcome, rubric_id, rubric_version, overall, passed, band, handle_secs, empathy, timeliness, expectations, ownership,
    final_overall, final_passed, final_empathy, final_timeliness, final_expectations, final_ownership)
SELECT o.session_id, o.trainee, o.scenario_id, o.scenario_version, o.scenario_hash, o.seed, o.started_at,
    COALESCE(unixepoch(o.started_at), 0), o.outcome, o.rubric_id, o.rubric_version, o.overall, o.passed, o.band, o.handle_secs,
    e.score, t.score, x.score, w.score, o.overall, o.passed, e.score, t.score, x.score, w.score
FROM sessions o
LEFT JOIN dimension_scores e ON e.session_id = o.session_id AND e.dimension = 'empathy'
LEFT JOIN dimension_scores t ON t.session_id = o.session_id AND t.dimension = 'timeliness'
LEFT JOIN dimension_scores x ON x.session_id = o.session_id AND x.dimension = 'expectations'
LEFT JOIN dimension_scores w ON w.session_id = o.session_id AND w.dimension = 'ownership';
CREATE TABLE session_documents (
    session            INTEGER PRIMARY KEY REFERENCES sessions_v2 (id),
    transcript         TEXT NOT NULL,
    scorecard          TEXT NOT NULL,
    reviewed_scorecard TEXT
);
INSERT INTO session_documents (session, transcript, scorecard)
SELECT n.id, o.transcript, o.scorecard FROM sessions o JOIN sessions_v2 n ON n.session_id = o.session_id;
CREATE TABLE criterion_scores_v2 (
    session      INTEGER NOT NULL REFERENCES sessions_v2 (id),
    criterion    TEXT NOT NULL,
    dimension    TEXT NOT NULL,
    rating       INTEGER,
    score        REAL,
    final_rating INTEGER,
    final_score  REAL,
    reviewed     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (session, criterion)
) WITHOUT ROWID;
INSERT INTO criterion_scores_v2 (session, criterion, dimension, rating, score, final_rating, final_score)
SELECT n.id, c.criterion, c.dimension, c.rating, c.score, c.rating, c.score
FROM criterion_scores c JOIN sessions_v2 n ON n.session_id = c.session_id;
UPDATE sessions_v2 SET criteria = COALESCE((
    SELECT group_concat(replace(replace(replace(c.criterion, '%', '%25'), ',', '%2C'), ';', '%3B') || ',' || c.dimension || ','
        || COALESCE(c.score, '') || ',' || COALESCE(c.score, ''), ';')
    FROM criterion_scores c WHERE c.session_id = sessions_v2.session_id), '');
DROP TABLE criterion_scores;
DROP TABLE dimension_scores;
DROP TABLE sessions;
ALTER TABLE sessions_v2 RENAME TO sessions;
ALTER TABLE criterion_scores_v2 RENAME TO criterion_scores;
CREATE INDEX sessions_trainee ON sessions (trainee, started_epoch);
CREATE INDEX sessions_scenario ON sessions (scenario_id, started_epoch);
CREATE INDEX sessions_started ON sessions (started_epoch);
CREATE TABLE teams (
    trainee TEXT PRIMARY KEY,
    team    TEXT NOT NULL
);
CREATE INDEX teams_team ON teams (team);
CREATE TABLE reviews (
    id             INTEGER PRIMARY KEY,
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
    MIGRATION_3,
    MIGRATION_4,
    MIGRATION_5,
    MIGRATION_6,
];

/// Version 3: reviews gain a kind (rating, adjudication, dispute) and can be retracted with a
/// trace; every change of a session's reviewed scores is kept as a revision (xAPI voids the
/// statements of superseded ones); team membership has dates, so a move keeps past sessions in the
/// old team. Existing reviews become plain ratings, existing teams memberships that cover all
/// time, and each reviewed session gets one revision with its current scores.
const MIGRATION_3: &str = r#"
ALTER TABLE reviews ADD COLUMN kind TEXT NOT NULL DEFAULT 'rating';
CREATE TABLE review_retractions (
    review_id    INTEGER PRIMARY KEY REFERENCES reviews (id),
    retracted_by TEXT NOT NULL,
    retracted_at TEXT NOT NULL,
    reason       TEXT NOT NULL
);
CREATE TABLE score_revisions (
    id                 INTEGER PRIMARY KEY,
    session_id         TEXT NOT NULL REFERENCES sessions (session_id),
    revised_at         TEXT NOT NULL,
    revised_by         TEXT NOT NULL,
    reviewed           INTEGER NOT NULL,
    final_overall      REAL NOT NULL,
    final_passed       INTEGER NOT NULL,
    final_empathy      REAL,
    final_timeliness   REAL,
    final_expectations REAL,
    final_ownership    REAL
);
CREATE INDEX score_revisions_session ON score_revisions (session_id);
INSERT INTO score_revisions (session_id, revised_at, revised_by, reviewed, final_overall, final_passed,
    final_empathy, final_timeliness, final_expectations, final_ownership)
SELECT s.session_id,
    (SELECT r.reviewed_at FROM reviews r WHERE r.session_id = s.session_id ORDER BY r.id DESC LIMIT 1),
    (SELECT r.reviewer FROM reviews r WHERE r.session_id = s.session_id ORDER BY r.id DESC LIMIT 1),
    1, s.final_overall, s.final_passed, s.final_empathy, s.final_timeliness, s.final_expectations, s.final_ownership
FROM sessions s WHERE s.reviewed = 1 AND EXISTS (SELECT 1 FROM reviews r WHERE r.session_id = s.session_id)
ORDER BY s.id;
CREATE TABLE team_memberships (
    id          INTEGER PRIMARY KEY,
    trainee     TEXT NOT NULL,
    team        TEXT NOT NULL,
    since_epoch INTEGER,
    until_epoch INTEGER
);
INSERT INTO team_memberships (trainee, team) SELECT trainee, team FROM teams ORDER BY trainee;
DROP TABLE teams;
CREATE INDEX team_memberships_trainee ON team_memberships (trainee, since_epoch);
CREATE INDEX team_memberships_team ON team_memberships (team);
"#;

/// Version 4: the team server's people and their traces. Accounts with a role and an argon2id
/// password hash, web login sessions (only a SHA-256 of each token is kept), failed and
/// successful login attempts (throttling reads them, so it holds across server processes), the
/// audit log of every team change, and sessions shared with a reviewer. Only new tables: no
/// stored data is touched.
const MIGRATION_4: &str = r#"
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    login         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    trainee       TEXT UNIQUE,
    active        INTEGER NOT NULL DEFAULT 1,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    client     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);
CREATE TABLE login_attempts (
    id        INTEGER PRIMARY KEY,
    login     TEXT NOT NULL,
    client    TEXT NOT NULL,
    at        INTEGER NOT NULL,
    succeeded INTEGER NOT NULL
);
CREATE INDEX login_attempts_login ON login_attempts (login, at);
CREATE INDEX login_attempts_client ON login_attempts (client, at);
CREATE INDEX login_attempts_at ON login_attempts (at);
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    actor_id     INTEGER REFERENCES users (id),
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
    user_id    INTEGER NOT NULL REFERENCES users (id),
    shared_by  INTEGER REFERENCES users (id),
    shared_at  INTEGER NOT NULL,
    PRIMARY KEY (session_id, user_id)
);
CREATE INDEX session_shares_user ON session_shares (user_id);
"#;

/// Version 5: the team workflow. Sampling rules a QA lead sets and the review queue they fill
/// (an item is done when its review is recorded); disputes of a criterion, with their decision;
/// calibration sessions with their sessions, reviewers and blind ratings, kept apart from the
/// reviews so that a calibration never changes a trainee's score. Only new tables.
const MIGRATION_5: &str = r#"
CREATE TABLE queue_rules (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    per_week    INTEGER,
    percent     REAL,
    seed        INTEGER NOT NULL DEFAULT 0,
    since_epoch INTEGER,
    active      INTEGER NOT NULL DEFAULT 1,
    created_by  INTEGER REFERENCES users (id),
    created_at  INTEGER NOT NULL
);
CREATE TABLE queue_items (
    id             INTEGER PRIMARY KEY,
    session_id     TEXT NOT NULL REFERENCES sessions (session_id),
    rule_id        INTEGER REFERENCES queue_rules (id),
    reason         TEXT NOT NULL,
    reviewer_id    INTEGER REFERENCES users (id),
    assigned_by    INTEGER REFERENCES users (id),
    assigned_at    INTEGER,
    created_at     INTEGER NOT NULL,
    done_review_id INTEGER REFERENCES reviews (id),
    done_at        INTEGER
);
CREATE UNIQUE INDEX queue_items_unassigned ON queue_items (session_id) WHERE reviewer_id IS NULL;
CREATE UNIQUE INDEX queue_items_reviewer ON queue_items (session_id, reviewer_id) WHERE reviewer_id IS NOT NULL;
CREATE INDEX queue_items_queue ON queue_items (reviewer_id, done_at);
CREATE TABLE disputes (
    id         INTEGER PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (session_id),
    criterion  TEXT NOT NULL,
    raised_by  INTEGER NOT NULL REFERENCES users (id),
    reason     TEXT NOT NULL,
    raised_at  INTEGER NOT NULL,
    state      TEXT NOT NULL,
    decided_by INTEGER REFERENCES users (id),
    decided_at INTEGER,
    reply      TEXT,
    rating     INTEGER,
    review_id  INTEGER REFERENCES reviews (id)
);
CREATE UNIQUE INDEX disputes_open ON disputes (session_id, criterion) WHERE state = 'open';
CREATE INDEX disputes_session ON disputes (session_id);
CREATE INDEX disputes_raised_by ON disputes (raised_by);
CREATE TABLE calibrations (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    created_by  INTEGER NOT NULL REFERENCES users (id),
    created_at  INTEGER NOT NULL,
    revealed_by INTEGER REFERENCES users (id),
    revealed_at INTEGER
);
CREATE TABLE calibration_sessions (
    calibration_id INTEGER NOT NULL REFERENCES calibrations (id),
    session_id     TEXT NOT NULL REFERENCES sessions (session_id),
    PRIMARY KEY (calibration_id, session_id)
);
CREATE INDEX calibration_sessions_session ON calibration_sessions (session_id);
CREATE TABLE calibration_reviewers (
    calibration_id INTEGER NOT NULL REFERENCES calibrations (id),
    user_id        INTEGER NOT NULL REFERENCES users (id),
    PRIMARY KEY (calibration_id, user_id)
);
CREATE INDEX calibration_reviewers_user ON calibration_reviewers (user_id);
CREATE TABLE calibration_ratings (
    id             INTEGER PRIMARY KEY,
    calibration_id INTEGER NOT NULL REFERENCES calibrations (id),
    session_id     TEXT NOT NULL REFERENCES sessions (session_id),
    criterion      TEXT NOT NULL,
    reviewer_id    INTEGER NOT NULL REFERENCES users (id),
    rating         INTEGER,
    comment        TEXT NOT NULL,
    rated_at       INTEGER NOT NULL
);
CREATE INDEX calibration_ratings_calibration ON calibration_ratings (calibration_id, reviewer_id);
"#;

/// Version 6: the xAPI outbox,
/// statements waiting for the learning record store, queued in the transaction that changes a
/// session's score (`store::outbox`). Times are Unix seconds; `kind` is `score` or `void`; `state`
/// is `pending`, `sent` or `failed`; a sender holds a row while `claimed_until` is in the future.
const MIGRATION_6: &str = r#"
CREATE TABLE xapi_outbox (
    id              INTEGER PRIMARY KEY,
    session_id      TEXT NOT NULL REFERENCES sessions (session_id),
    statement_id    TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    voids           TEXT,
    statement       TEXT NOT NULL,
    queued_at       INTEGER NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    claimed_by      TEXT,
    claimed_until   INTEGER,
    last_answer     TEXT,
    sent_at         INTEGER
);
CREATE INDEX xapi_outbox_due ON xapi_outbox (state, next_attempt_at);
CREATE INDEX xapi_outbox_session ON xapi_outbox (session_id, id);
"#;
