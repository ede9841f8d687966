//! The team server's accounts, login sessions, throttling, audit log and visibility, on SQLite and (with `RAPPORT_TEST_POSTGRES`) PostgreSQL.

use rapport::store::Store;
use rapport::store::sql::TxMode;
use rapport::team::{
    Action, Actor, AuditFilter, Clock, LoginRequest, NewUser, Role, SESSION_LIFETIME_SECS, Target,
    Team, TeamError, User, Visibility,
};

use super::util::{backends, rapport, run_with_db, sample, temp};

/// A fixed "now" for tests of expiry and throttling.
const T0: i64 = 1_800_000_000;

const PASSWORD: &str = "a long enough secret";

fn add(team: &mut Team<'_>, login: &str, role: Role) -> User {
    team.create_user(
        &Actor::command_line(),
        &NewUser {
            login,
            display_name: None,
            role,
            trainee: None,
            password: PASSWORD,
        },
    )
    .expect("create user")
}

fn attempt<'a>(login: &'a str, password: &'a str, client: &'a str) -> LoginRequest<'a> {
    LoginRequest {
        login,
        password,
        client,
        previous_token: None,
    }
}

/// Saves the sample sessions; returns them as (session id, trainee).
fn save_sample(store: &mut Store) -> Vec<(String, String)> {
    sample()
        .iter()
        .map(|run| {
            store
                .save_session(&run.transcript, &run.scorecard)
                .expect("save");
            (
                run.transcript.header.session_id.to_string(),
                run.transcript.header.trainee.to_string(),
            )
        })
        .collect()
}

#[test]
fn accounts_are_created_changed_and_audited() {
    for db in backends() {
        let mut store = db.open();
        let mut team = Team::new(&mut store);
        let admin = add(&mut team, "Root", Role::Admin);
        assert_eq!(admin.login, "root", "{}", db.name);
        let ana = add(&mut team, "ana", Role::Trainee);
        assert_eq!(ana.trainee.as_deref(), Some("ana"), "{}", db.name);
        assert!(matches!(
            team.create_user(
                &Actor::user(&admin),
                &NewUser {
                    login: "ANA",
                    display_name: None,
                    role: Role::Reviewer,
                    trainee: None,
                    password: PASSWORD,
                }
            ),
            Err(TeamError::LoginTaken { .. })
        ));
        assert!(matches!(
            team.create_user(
                &Actor::user(&admin),
                &NewUser {
                    login: "ana2",
                    display_name: None,
                    role: Role::Trainee,
                    trainee: Some("ana"),
                    password: PASSWORD,
                }
            ),
            Err(TeamError::TraineeTaken { .. })
        ));
        assert!(matches!(
            team.create_user(
                &Actor::user(&admin),
                &NewUser {
                    login: "bo",
                    display_name: None,
                    role: Role::Reviewer,
                    trainee: None,
                    password: "short",
                }
            ),
            Err(TeamError::PasswordTooShort { .. })
        ));
        // The last admin can neither be demoted nor deactivated.
        assert!(matches!(
            team.set_role(&Actor::user(&admin), "root", Role::QaLead, None),
            Err(TeamError::LastAdmin { .. })
        ));
        assert!(matches!(
            team.set_active(&Actor::user(&admin), "root", false),
            Err(TeamError::LastAdmin { .. })
        ));
        let bo = add(&mut team, "bo", Role::Reviewer);
        let lead = team
            .set_role(&Actor::user(&admin), "bo", Role::QaLead, None)
            .expect("set role");
        assert_eq!(lead.role, Role::QaLead);
        team.set_active(&Actor::user(&admin), "bo", false)
            .expect("deactivate");
        let listed = team.users().expect("users");
        let logins: Vec<&str> = listed.iter().map(|u| u.login.as_str()).collect();
        assert_eq!(logins, ["ana", "bo", "root"], "{}", db.name);
        assert!(!listed[1].active);
        team.set_password(&Actor::user(&admin), "ana", "another long secret")
            .expect("password");

        let log = team.audit_log(&AuditFilter::default()).expect("audit");
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "user.set-password",
                "user.deactivate",
                "user.set-role",
                "user.create",
                "user.create",
                "user.create"
            ],
            "{}",
            db.name
        );
        let role_change = &log[2];
        assert_eq!(role_change.actor, "root");
        assert_eq!(role_change.actor_id, Some(admin.id));
        assert_eq!(role_change.subject_id, "bo");
        assert_eq!(
            role_change.before.as_ref().expect("before")["role"],
            "reviewer"
        );
        assert_eq!(
            role_change.after.as_ref().expect("after")["role"],
            "qa-lead"
        );
        // The password never reaches the log, hashed or not.
        let text =
            serde_json::to_string(&log.iter().map(|e| &e.after).collect::<Vec<_>>()).expect("json");
        assert!(!text.contains("argon2") && !text.contains("another long"));
        let about_bo = team
            .audit_log(&AuditFilter {
                subject_kind: Some("user".into()),
                subject_id: Some("bo".into()),
                ..AuditFilter::default()
            })
            .expect("audit");
        assert_eq!(about_bo.len(), 3, "{}", db.name);
        assert_eq!(bo.role, Role::Reviewer);
    }
}

#[test]
fn login_opens_a_session_that_rotates_expires_and_ends() {
    for db in backends() {
        let mut store = db.open();
        let mut team = Team::new(&mut store);
        team.set_clock(Clock::Fixed(T0));
        let ana = add(&mut team, "ana", Role::Trainee);
        let opened = team
            .login(&attempt("ANA", PASSWORD, "10.0.0.1"))
            .expect("login");
        assert_eq!(opened.token.len(), 64);
        let found = team
            .web_session(&opened.token)
            .expect("lookup")
            .expect("open");
        assert_eq!(found.user.id, ana.id, "{}", db.name);
        assert!(found.csrf_matches(&opened.session.csrf_token));
        assert!(!found.csrf_matches(""));
        assert!(!found.csrf_matches(&opened.token));

        // Only the token's hash is stored.
        let stored: Vec<String> = team
            .store()
            .in_transaction(TxMode::Read, |tx| {
                tx.query("SELECT token_hash FROM web_sessions", &[])?
                    .iter()
                    .map(|row| row.text(0))
                    .collect::<Result<Vec<_>, _>>()
            })
            .expect("query");
        assert_eq!(stored.len(), 1);
        assert_ne!(stored[0], opened.token);

        // Logging in again with the old cookie revokes it: a planted token never logs in.
        let second = team
            .login(&LoginRequest {
                previous_token: Some(&opened.token),
                ..attempt("ana", PASSWORD, "10.0.0.1")
            })
            .expect("login");
        assert_ne!(second.token, opened.token);
        assert_ne!(second.session.csrf_token, opened.session.csrf_token);
        assert_eq!(team.web_session(&opened.token).expect("lookup"), None);
        assert!(team.web_session(&second.token).expect("lookup").is_some());

        // Malformed and unknown tokens find nothing.
        assert_eq!(team.web_session("").expect("lookup"), None);
        assert_eq!(team.web_session("' OR 1=1 --").expect("lookup"), None);
        assert_eq!(team.web_session(&"0".repeat(64)).expect("lookup"), None);

        // Expiry.
        team.set_clock(Clock::Fixed(T0 + SESSION_LIFETIME_SECS - 1));
        assert!(team.web_session(&second.token).expect("lookup").is_some());
        team.set_clock(Clock::Fixed(T0 + SESSION_LIFETIME_SECS));
        assert_eq!(team.web_session(&second.token).expect("lookup"), None);

        // Logout ends a session at once.
        let third = team
            .login(&attempt("ana", PASSWORD, "10.0.0.1"))
            .expect("login");
        assert!(team.logout(&third.token).expect("logout"));
        assert_eq!(team.web_session(&third.token).expect("lookup"), None);
        assert!(!team.logout(&third.token).expect("logout"));

        // A password change and a deactivation end every session of the account.
        let fourth = team
            .login(&attempt("ana", PASSWORD, "10.0.0.1"))
            .expect("login");
        team.set_password(&Actor::command_line(), "ana", "a new long secret")
            .expect("password");
        assert_eq!(team.web_session(&fourth.token).expect("lookup"), None);
        let fifth = team
            .login(&attempt("ana", "a new long secret", "10.0.0.1"))
            .expect("login");
        add(&mut team, "root", Role::Admin);
        team.set_active(&Actor::command_line(), "ana", false)
            .expect("deactivate");
        assert_eq!(team.web_session(&fifth.token).expect("lookup"), None);
        assert!(matches!(
            team.login(&attempt("ana", "a new long secret", "10.0.0.1")),
            Err(TeamError::BadCredentials)
        ));
        let logins = team
            .audit_log(&AuditFilter {
                action: Some("session.login".into()),
                ..AuditFilter::default()
            })
            .expect("audit");
        assert_eq!(logins.len(), 5, "{}", db.name);
        team.set_clock(Clock::Fixed(T0 + 3 * SESSION_LIFETIME_SECS));
        assert_eq!(team.purge_web_sessions().expect("purge"), 5, "{}", db.name);
    }
}

#[test]
fn failed_logins_are_throttled_across_processes() {
    for db in backends() {
        let mut first_process = db.open();
        let mut second_process = db.open();
        let mut one = Team::new(&mut first_process);
        let mut two = Team::new(&mut second_process);
        one.set_clock(Clock::Fixed(T0));
        two.set_clock(Clock::Fixed(T0));
        add(&mut one, "ana", Role::Trainee);
        for n in 0..5 {
            let team = if n % 2 == 0 { &mut one } else { &mut two };
            assert!(
                matches!(
                    team.login(&attempt("ana", "wrong password!", "10.0.0.9")),
                    Err(TeamError::BadCredentials)
                ),
                "{} attempt {n}",
                db.name
            );
        }
        // The sixth attempt waits, even with the right password, in either process.
        for team in [&mut one, &mut two] {
            match team.login(&attempt("ana", PASSWORD, "10.0.0.9")) {
                Err(TeamError::Throttled { retry_after_secs }) => {
                    assert_eq!(retry_after_secs, 1, "{}", db.name)
                }
                other => panic!("{}: expected a wait, got {other:?}", db.name),
            }
        }
        // Each failure after the wait doubles it.
        one.set_clock(Clock::Fixed(T0 + 1));
        two.set_clock(Clock::Fixed(T0 + 1));
        assert!(matches!(
            two.login(&attempt("ana", "wrong password!", "10.0.0.9")),
            Err(TeamError::BadCredentials)
        ));
        assert!(matches!(
            one.login(&attempt("ana", PASSWORD, "10.0.0.9")),
            Err(TeamError::Throttled {
                retry_after_secs: 2
            })
        ));
        // After the wait the right password gets in, and a success clears the login's count.
        one.set_clock(Clock::Fixed(T0 + 3));
        one.login(&attempt("ana", PASSWORD, "10.0.0.9"))
            .expect("login after the wait");
        assert!(matches!(
            one.login(&attempt("ana", "wrong password!", "10.0.0.9")),
            Err(TeamError::BadCredentials)
        ));

        // One client trying many logins is slowed too, whatever the logins.
        for n in 0..20 {
            let login = format!("nobody-{n}");
            assert!(matches!(
                one.login(&attempt(&login, "wrong password!", "10.0.0.66")),
                Err(TeamError::BadCredentials)
            ));
        }
        assert!(matches!(
            two.login(&attempt("ana", PASSWORD, "10.0.0.66")),
            Err(TeamError::Throttled { .. })
        ));
        // Another client is not held back by it.
        two.login(&attempt("ana", PASSWORD, "10.0.0.7"))
            .expect("another client logs in");
        // A window later, the failures no longer count.
        two.set_clock(Clock::Fixed(
            T0 + rapport::team::throttle::THROTTLE_WINDOW_SECS + 1,
        ));
        two.login(&attempt("ana", PASSWORD, "10.0.0.66"))
            .expect("the window passed");
    }
}

#[test]
fn each_role_sees_the_sessions_the_role_table_gives_it() {
    for db in backends() {
        let mut store = db.open();
        let sessions = save_sample(&mut store);
        let mut team = Team::new(&mut store);
        let admin = add(&mut team, "root", Role::Admin);
        let lead = add(&mut team, "lead", Role::QaLead);
        let reviewer = add(&mut team, "rev", Role::Reviewer);
        let trainer = add(&mut team, "coach", Role::Trainer);
        let (own_id, own_trainee) = sessions[0].clone();
        let trainee = team
            .create_user(
                &Actor::command_line(),
                &NewUser {
                    login: "t1",
                    display_name: Some("Trainee One"),
                    role: Role::Trainee,
                    trainee: Some(&own_trainee),
                    password: PASSWORD,
                },
            )
            .expect("trainee");
        let (other_id, _) = sessions
            .iter()
            .find(|(_, t)| *t != own_trainee)
            .cloned()
            .expect("another trainee's session");
        let filter = rapport::store::Filter::default();

        for user in [&admin, &lead, &trainer] {
            assert_eq!(team.visibility(user).expect("vis"), Visibility::All);
            assert_eq!(
                team.visible_summaries(user, &filter).expect("list").len(),
                sessions.len()
            );
        }
        let own = team.visible_summaries(&trainee, &filter).expect("list");
        assert!(!own.is_empty());
        assert!(own.iter().all(|s| s.trainee == own_trainee), "{}", db.name);
        assert!(
            team.can(&trainee, Action::ViewSession, Target::Session(&own_id))
                .expect("can")
        );
        assert!(
            !team
                .can(&trainee, Action::ViewSession, Target::Session(&other_id))
                .expect("can")
        );
        assert!(
            team.can(&trainee, Action::RaiseDispute, Target::Session(&own_id))
                .expect("can")
        );
        // Another trainee's session is refused as if it did not exist.
        assert!(matches!(
            team.authorize(&trainee, Action::ViewSession, Target::Session(&other_id)),
            Err(TeamError::NoSuchSession { .. })
        ));
        assert!(matches!(
            team.authorize(&trainee, Action::ViewSession, Target::Session("no-such-id")),
            Err(TeamError::NoSuchSession { .. })
        ));
        assert_eq!(
            team.visible_session(&trainee, &own_id)
                .expect("own session")
                .summary
                .session_id,
            own_id
        );
        assert!(matches!(
            team.visible_session(&trainee, &other_id),
            Err(TeamError::NoSuchSession { .. })
        ));
        // A trainee asking for another trainee's sessions by filter gets none.
        let asked = rapport::store::Filter {
            trainees: vec![
                sessions
                    .iter()
                    .find(|(_, t)| *t != own_trainee)
                    .expect("other")
                    .1
                    .clone(),
            ],
            ..rapport::store::Filter::default()
        };
        assert!(
            team.visible_summaries(&trainee, &asked)
                .expect("list")
                .is_empty()
        );

        // A reviewer sees nothing until a session is shared with them.
        assert!(
            team.visible_summaries(&reviewer, &filter)
                .expect("list")
                .is_empty()
        );
        assert!(
            !team
                .can(&reviewer, Action::ReviewSession, Target::Session(&other_id))
                .expect("can")
        );
        assert!(matches!(
            team.share_session(&trainee, &other_id, "rev"),
            Err(TeamError::NoSuchSession { .. })
        ));
        team.share_session(&lead, &other_id, "rev").expect("share");
        let shared = team.visible_summaries(&reviewer, &filter).expect("list");
        assert_eq!(shared.len(), 1, "{}", db.name);
        assert_eq!(shared[0].session_id, other_id);
        assert!(
            team.can(&reviewer, Action::ReviewSession, Target::Session(&other_id))
                .expect("can")
        );
        // The role table still decides: a reviewer may not adjudicate even a shared session,
        // and a trainer may see every session but review none.
        assert!(matches!(
            team.authorize(&reviewer, Action::Adjudicate, Target::Session(&other_id)),
            Err(TeamError::Forbidden { .. })
        ));
        assert!(
            !team
                .can(&trainer, Action::ReviewSession, Target::Session(&own_id))
                .expect("can")
        );
        // A deactivated account sees nothing.
        let gone = team
            .set_active(&Actor::user(&admin), "rev", false)
            .expect("deactivate");
        assert!(
            team.visible_summaries(&gone, &filter)
                .expect("list")
                .is_empty()
        );
        assert!(
            !team
                .can(&gone, Action::ViewSession, Target::Session(&other_id))
                .expect("can")
        );
        assert!(
            team.can(&admin, Action::ManageUsers, Target::Nothing)
                .expect("can")
        );
        assert!(
            !team
                .can(&lead, Action::ManageUsers, Target::Nothing)
                .expect("can")
        );
        assert!(
            team.can(&lead, Action::ChangeOwnPassword, Target::User(lead.id))
                .expect("can")
        );
        assert!(
            !team
                .can(&lead, Action::ChangeOwnPassword, Target::User(admin.id))
                .expect("can")
        );
    }
}

#[test]
fn the_user_command_manages_accounts() {
    for db in backends() {
        let dir = temp();
        let piped = |args: &[&str], input: &str| {
            use std::io::Write as _;
            let mut command = super::util::rapport_command(dir.path());
            let mut all: Vec<&str> = args.to_vec();
            all.extend(["--db", db.url.as_str()]);
            let mut child = command
                .args(&all)
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn");
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(input.as_bytes())
                .expect("write");
            let output = child.wait_with_output().expect("wait");
            (
                output.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&output.stderr).into_owned(),
            )
        };
        let (code, err) = piped(
            &["user", "add", "Root", "--role", "admin", "--password-stdin"],
            "a long enough secret\n",
        );
        assert_eq!(code, 0, "{}: {err}", db.name);
        assert!(err.contains("created `root` (admin)"), "{err}");
        let (code, err) = piped(
            &[
                "user",
                "add",
                "ana",
                "--role",
                "trainee",
                "--display",
                "Ana López",
                "--password-stdin",
            ],
            "another long secret\n",
        );
        assert_eq!(code, 0, "{}: {err}", db.name);
        assert!(err.contains("sessions stored as `ana`"), "{err}");
        let (code, err) = piped(
            &[
                "user",
                "add",
                "bo",
                "--role",
                "reviewer",
                "--password-stdin",
            ],
            "short\n",
        );
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains("too short: 5 characters, at least 12"),
            "{err}"
        );
        // Without a terminal and without --password-stdin, it says what to do.
        let (code, _, err) = run_with_db(
            dir.path(),
            &db,
            &["user", "add", "bo", "--role", "reviewer"],
        );
        assert_eq!(code, 2);
        assert!(err.contains("--password-stdin"), "{err}");
        let (code, _, err) = run_with_db(
            dir.path(),
            &db,
            &[
                "user",
                "add",
                "bo",
                "--role",
                "reviewer",
                "--trainee",
                "bo",
                "--password-stdin",
            ],
        );
        assert_eq!(code, 2, "{err}");

        let (code, _, err) = run_with_db(dir.path(), &db, &["user", "set-role", "ana", "reviewer"]);
        assert_eq!(code, 0, "{err}");
        let (code, _, err) = run_with_db(dir.path(), &db, &["user", "deactivate", "root"]);
        assert_eq!(code, 2);
        assert!(err.contains("last active admin"), "{err}");
        let (code, _, err) = run_with_db(dir.path(), &db, &["user", "deactivate", "nobody"]);
        assert_eq!(code, 2);
        assert!(err.contains("no account has the login `nobody`"), "{err}");
        let (code, _, err) = run_with_db(dir.path(), &db, &["user", "deactivate", "ana"]);
        assert_eq!(code, 0, "{err}");
        let (code, err) = piped(
            &["user", "password", "ana", "--password-stdin"],
            "a third long secret\n",
        );
        assert_eq!(code, 0, "{err}");

        let (code, out, _) = run_with_db(dir.path(), &db, &["user", "list"]);
        assert_eq!(code, 0);
        assert_eq!(
            out, "ana\treviewer\tana\tinactive\tAna López\nroot\tadmin\t-\tactive\troot\n",
            "{}",
            db.name
        );
        let (_, json, _) = run_with_db(dir.path(), &db, &["user", "list", "--json"]);
        assert!(!json.contains("argon2"), "{json}");
        let listed: serde_json::Value = serde_json::from_str(&json).expect("json");
        assert_eq!(listed[1]["role"], "admin");

        // The new password works; the audit names the command line as the actor.
        let mut store = db.open();
        let mut team = Team::new(&mut store);
        team.set_active(&Actor::command_line(), "ana", true)
            .expect("activate");
        team.login(&attempt("ana", "a third long secret", "127.0.0.1"))
            .expect("login");
        let log = team.audit_log(&AuditFilter::default()).expect("audit");
        assert!(
            log.iter()
                .any(|e| e.action == "user.set-password" && e.actor.starts_with("cli:"))
        );
    }
    let (code, _, err) = rapport(temp().path(), &["user", "add", "x", "--role", "boss"]);
    assert_eq!(code, 2);
    assert!(err.contains("qa-lead"), "{err}");
}
