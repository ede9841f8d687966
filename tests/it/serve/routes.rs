//! Every route × every role (and no login), each answer checked against one table; and no list or page reaches a session its viewer may not see.

use axum::http::{Method, StatusCode};

use rapport::team::Team;
use rapport::team::disputes::DisputeState;

use super::{ACCOUNTS, Browser, Site, shared_sqlite_site};

/// Which session a route is asked about.
#[derive(Debug, Clone, Copy)]
enum Subject {
    None,
    /// ana's session (a trainee's own for ana, another's for ben).
    Ana,
    /// Shared with the reviewer.
    Shared,
    /// An id nobody has.
    Missing,
}

/// What a request should answer: a status, or a redirect to the login page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Ok,
    /// 303 to the given place.
    Redirect(&'static str),
    /// 303 to a place under this path (a new calibration's number is not known beforehand).
    RedirectUnder(&'static str),
    Forbidden,
    NotFound,
}

use Expect::{Forbidden as F, NotFound as N, Ok as Y, Redirect as R, RedirectUnder as RU};

/// The role table of the routes: for each route, the answer to no login, then to admin, QA
/// lead, reviewer, trainer and the trainees ana and ben (in [`ACCOUNTS`] order). In a path,
/// `{id}` is the subject session, `{cal}` the site's blind calibration (rated by the reviewer
/// and the lead, not the admin), `{revealed}` its revealed twin, `{fresh}` a calibration
/// started just before the request, `{rule}` a sampling rule, `{item}` a queue item and
/// `{dispute}` an open dispute of ana's (raised just before when none is open). POSTs carry
/// the viewer's valid CSRF token; without a login there is none to carry, so they are refused.
/// A session the viewer does not see answers 404 whatever the role, exactly like a missing
/// one, so that no answer tells whether an id exists; a session they see but may not act on
/// answers 403.
const TABLE: &[(Method, &str, Subject, [Expect; 7])] = &[
    (
        Method::GET,
        "/",
        Subject::None,
        [
            R("/login"),
            R("/sessions"),
            R("/sessions"),
            R("/sessions"),
            R("/sessions"),
            R("/sessions"),
            R("/sessions"),
        ],
    ),
    (Method::GET, "/login", Subject::None, [Y, Y, Y, Y, Y, Y, Y]),
    (
        Method::GET,
        "/healthz",
        Subject::None,
        [Y, Y, Y, Y, Y, Y, Y],
    ),
    (
        Method::GET,
        "/sessions",
        Subject::None,
        [R("/login"), Y, Y, Y, Y, Y, Y],
    ),
    (
        Method::GET,
        "/sessions/{id}",
        Subject::Ana,
        [R("/login"), Y, Y, N, Y, Y, N],
    ),
    (
        Method::GET,
        "/sessions/{id}",
        Subject::Shared,
        [R("/login"), Y, Y, Y, Y, N, Y],
    ),
    (
        Method::GET,
        "/sessions/{id}",
        Subject::Missing,
        [R("/login"), N, N, N, N, N, N],
    ),
    (
        Method::GET,
        "/sessions/{id}/review",
        Subject::Ana,
        [R("/login"), Y, Y, N, F, F, N],
    ),
    (
        Method::GET,
        "/sessions/{id}/review",
        Subject::Shared,
        [R("/login"), Y, Y, Y, F, N, F],
    ),
    (
        Method::GET,
        "/sessions/{id}/review",
        Subject::Missing,
        [R("/login"), N, N, N, N, N, N],
    ),
    (
        Method::POST,
        "/sessions/{id}/review",
        Subject::Ana,
        [
            F,
            R("/sessions/{id}#scorecard"),
            R("/sessions/{id}#scorecard"),
            N,
            F,
            F,
            N,
        ],
    ),
    (
        Method::POST,
        "/sessions/{id}/review",
        Subject::Shared,
        [
            F,
            R("/sessions/{id}#scorecard"),
            R("/sessions/{id}#scorecard"),
            R("/sessions/{id}#scorecard"),
            F,
            N,
            F,
        ],
    ),
    (
        Method::GET,
        "/dashboard",
        Subject::None,
        [R("/login"), Y, Y, F, Y, Y, Y],
    ),
    (
        Method::GET,
        "/exports",
        Subject::None,
        [R("/login"), Y, Y, F, Y, Y, Y],
    ),
    (
        Method::GET,
        "/exports/sessions.csv",
        Subject::None,
        [R("/login"), Y, Y, F, Y, Y, Y],
    ),
    (
        Method::GET,
        "/exports/report.html",
        Subject::None,
        [R("/login"), Y, Y, F, Y, Y, Y],
    ),
    (
        Method::GET,
        "/exports/xapi.json",
        Subject::None,
        [R("/login"), Y, Y, F, Y, Y, Y],
    ),
    (
        Method::POST,
        "/exports/outbox/retry",
        Subject::None,
        [F, R("/exports#lrs"), R("/exports#lrs"), F, F, F, F],
    ),
    (
        Method::GET,
        "/exports/passwords.csv",
        Subject::None,
        [R("/login"), N, N, N, N, N, N],
    ),
    (
        Method::GET,
        "/scenarios",
        Subject::None,
        [R("/login"), Y, F, F, Y, F, F],
    ),
    (
        Method::GET,
        "/scenarios/late-delivery",
        Subject::None,
        [R("/login"), Y, F, F, Y, F, F],
    ),
    (
        Method::POST,
        "/scenarios",
        Subject::None,
        [
            F,
            R("/scenarios?saved=late-delivery"),
            F,
            F,
            R("/scenarios?saved=late-delivery"),
            F,
            F,
        ],
    ),
    (
        Method::GET,
        "/queue",
        Subject::None,
        [R("/login"), Y, Y, Y, F, F, F],
    ),
    (
        Method::POST,
        "/queue/sample",
        Subject::None,
        [F, R("/queue"), R("/queue"), F, F, F, F],
    ),
    (
        Method::POST,
        "/queue/{item}/assign",
        Subject::None,
        [F, R("/queue"), R("/queue"), F, F, F, F],
    ),
    (
        Method::GET,
        "/queue/rules",
        Subject::None,
        [R("/login"), Y, Y, F, F, F, F],
    ),
    (
        Method::POST,
        "/queue/rules",
        Subject::None,
        [F, R("/queue/rules"), R("/queue/rules"), F, F, F, F],
    ),
    (
        Method::POST,
        "/queue/rules/{rule}",
        Subject::None,
        [F, R("/queue/rules"), R("/queue/rules"), F, F, F, F],
    ),
    (
        Method::GET,
        "/disputes",
        Subject::None,
        [R("/login"), Y, Y, F, F, Y, Y],
    ),
    (
        Method::POST,
        "/sessions/{id}/disputes",
        Subject::Ana,
        [F, F, F, N, F, R("/sessions/{id}#disputes"), N],
    ),
    (
        Method::POST,
        "/disputes/{dispute}/decide",
        Subject::None,
        [F, R("/disputes"), R("/disputes"), F, F, F, F],
    ),
    (
        Method::GET,
        "/calibrations",
        Subject::None,
        [R("/login"), Y, Y, Y, F, F, F],
    ),
    (
        Method::POST,
        "/calibrations",
        Subject::Shared,
        [F, RU("/calibrations/"), RU("/calibrations/"), F, F, F, F],
    ),
    (
        Method::GET,
        "/calibrations/{cal}",
        Subject::None,
        [R("/login"), Y, Y, Y, F, F, F],
    ),
    (
        Method::GET,
        "/calibrations/{revealed}",
        Subject::None,
        [R("/login"), Y, Y, Y, F, F, F],
    ),
    (
        Method::GET,
        "/calibrations/999999",
        Subject::None,
        [R("/login"), N, N, N, F, F, F],
    ),
    (
        Method::GET,
        "/calibrations/{cal}/sessions/{id}",
        Subject::Shared,
        [R("/login"), F, Y, Y, F, F, F],
    ),
    (
        Method::GET,
        "/calibrations/{cal}/sessions/{id}",
        Subject::Ana,
        [R("/login"), F, N, N, F, F, F],
    ),
    (
        Method::POST,
        "/calibrations/{cal}/sessions/{id}",
        Subject::Shared,
        [
            F,
            F,
            R("/calibrations/{cal}#items"),
            R("/calibrations/{cal}#items"),
            F,
            F,
            F,
        ],
    ),
    (
        Method::POST,
        "/calibrations/{fresh}/reveal",
        Subject::None,
        [
            F,
            R("/calibrations/{fresh}#agreement"),
            R("/calibrations/{fresh}#agreement"),
            F,
            F,
            F,
            F,
        ],
    ),
    (
        Method::POST,
        "/logout",
        Subject::None,
        [
            F,
            R("/login"),
            R("/login"),
            R("/login"),
            R("/login"),
            R("/login"),
            R("/login"),
        ],
    ),
];

/// A calibration of the shared session started by the lead just now, for a request that
/// closes it (revealing).
fn fresh_calibration(site: &Site) -> i64 {
    let mut store = site.db.open();
    let mut team = Team::new(&mut store);
    let lead = team.user_by_login("lead").expect("read").expect("the lead");
    super::new_calibration(&mut team, &lead, &site.shared_session)
}

/// An open dispute of ana's first criterion: the one waiting, or one raised now.
fn open_dispute(site: &Site) -> i64 {
    let mut store = site.db.open();
    let mut team = Team::new(&mut store);
    let ana = team.user_by_login("ana").expect("read").expect("ana");
    let waiting = team
        .my_disputes(&ana)
        .expect("ana's disputes")
        .into_iter()
        .find(|d| d.state == DisputeState::Open);
    if let Some(dispute) = waiting {
        return dispute.id;
    }
    let criterion = site.first_criterion(&site.ana_session);
    team.raise_dispute(&ana, &site.ana_session, &criterion, "I did apologise")
        .expect("a dispute")
        .id
}

fn session_of(site: &Site, subject: Subject) -> String {
    match subject {
        Subject::None => String::new(),
        Subject::Ana => site.ana_session.clone(),
        Subject::Shared => site.shared_session.clone(),
        Subject::Missing => "0".repeat(site.ana_session.len()),
    }
}

/// A whole review of the session, every criterion at the machine's rating, for a POST.
fn review_form(site: &Site, session_id: &str) -> Vec<(String, String)> {
    let mut lead = site.log_in("lead");
    let page = site.get(&mut lead, &format!("/sessions/{session_id}/review"));
    assert_eq!(page.status, StatusCode::OK);
    let mut fields = Vec::new();
    let mut rest = page.body.as_str();
    while let Some(at) = rest.find("name=\"rating.") {
        rest = &rest[at + "name=\"".len()..];
        let name = &rest[..rest.find('"').expect("closed")];
        if !fields.iter().any(|(n, _): &(String, String)| n == name) {
            fields.push((name.to_owned(), "na".to_owned()));
        }
    }
    assert!(!fields.is_empty(), "the review form rates criteria");
    fields
}

fn check(
    site: &Site,
    browser: &mut Browser,
    who: &str,
    row: &(Method, &str, Subject, [Expect; 7]),
    expect: Expect,
) {
    let (method, template, subject, _) = row;
    let id = session_of(site, *subject);
    let fresh = if template.contains("{fresh}")
        || matches!(expect, Expect::Redirect(p) if p.contains("{fresh}"))
    {
        fresh_calibration(site)
    } else {
        0
    };
    let dispute = if template.contains("{dispute}") {
        open_dispute(site)
    } else {
        0
    };
    let fill = |text: &str| {
        text.replace("{id}", &id)
            .replace("{cal}", &site.calibration.to_string())
            .replace("{revealed}", &site.revealed_calibration.to_string())
            .replace("{fresh}", &fresh.to_string())
            .replace("{rule}", &site.rule.to_string())
            .replace("{item}", &site.queue_item.to_string())
            .replace("{dispute}", &dispute.to_string())
    };
    let path = fill(template);
    let answer = if *method == Method::POST {
        let mut fields: Vec<(String, String)> = if path.ends_with("/review") {
            review_form(site, &id)
        } else if path.starts_with("/calibrations/") && path.contains("/sessions/") {
            // The blind form rates the same criteria as the review form.
            review_form(site, &id)
        } else if path == "/calibrations" {
            vec![
                ("name".to_owned(), "routes".to_owned()),
                ("session".to_owned(), id.clone()),
                ("reviewer".to_owned(), "reviewer".to_owned()),
                ("reviewer".to_owned(), "lead".to_owned()),
            ]
        } else if path.ends_with("/assign") {
            vec![("reviewer".to_owned(), "admin".to_owned())]
        } else if path == "/queue/rules" {
            vec![
                ("kind".to_owned(), "random-percent".to_owned()),
                ("amount".to_owned(), "10".to_owned()),
            ]
        } else if path.starts_with("/queue/rules/") {
            vec![("active".to_owned(), "off".to_owned())]
        } else if path.ends_with("/decide") {
            vec![
                ("decision".to_owned(), "reject".to_owned()),
                ("reply".to_owned(), "The score stands".to_owned()),
            ]
        } else if path.ends_with("/disputes") {
            let criterion = site.first_criterion(&id);
            vec![
                ("criterion".to_owned(), criterion),
                ("reason".to_owned(), "I did apologise".to_owned()),
            ]
        } else if path == "/scenarios" {
            let text = std::fs::read_to_string(site.library.path().join("late-delivery.ron"))
                .expect("the shipped scenario");
            vec![
                ("file_name".to_owned(), "late-delivery.ron".to_owned()),
                ("text".to_owned(), text),
            ]
        } else {
            Vec::new()
        };
        // A page of the site gives the viewer's token; without a login there is none.
        if browser.cookie("rapport_session").is_some() {
            let token = site.get(browser, "/sessions").csrf();
            fields.push(("csrf".to_owned(), token));
        }
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        site.post(browser, &path, &pairs)
    } else {
        site.get(browser, &path)
    };
    let got = match answer.status {
        StatusCode::OK => Expect::Ok,
        StatusCode::FORBIDDEN => Expect::Forbidden,
        StatusCode::NOT_FOUND => Expect::NotFound,
        StatusCode::SEE_OTHER => {
            let location = answer.location();
            let same = match expect {
                Expect::Redirect(place) => {
                    let wanted = fill(place);
                    location == wanted || location.split('?').next() == Some(wanted.as_str())
                }
                Expect::RedirectUnder(prefix) => location.starts_with(prefix),
                _ => false,
            };
            if same {
                expect
            } else {
                Expect::Redirect("elsewhere")
            }
        }
        other => panic!("{who} {method} {path}: unexpected {other}"),
    };
    assert_eq!(
        got,
        expect,
        "{who} {method} {path} answered {} ({})",
        answer.status,
        answer.location()
    );
}

#[test]
fn every_route_answers_every_role_as_the_table_says() {
    for site in super::sites() {
        check_table(&site);
    }
}

fn check_table(site: &Site) {
    for row in TABLE {
        let expected = row.3;
        check(site, &mut Browser::default(), "no login", row, expected[0]);
        for (column, (login, _)) in ACCOUNTS.iter().enumerate() {
            let mut browser = site.log_in(login);
            check(site, &mut browser, login, row, expected[column + 1]);
        }
    }
}

#[test]
fn lists_hold_only_what_the_viewer_may_see() {
    let site = shared_sqlite_site();
    let mut ana = site.log_in("ana");
    let listed = site.linked_sessions(&site.get(&mut ana, "/sessions"));
    assert!(
        listed.contains(&site.ana_session),
        "ana sees her own session"
    );
    assert!(!listed.contains(&site.ben_session) && !listed.contains(&site.hostile_session));
    // Asking for another trainee by the filter does not widen the list.
    let asked = site.linked_sessions(&site.get(&mut ana, "/sessions?trainee=ben"));
    assert!(asked.is_empty(), "{asked:?}");
    let mut reviewer = site.log_in("reviewer");
    let listed = site.linked_sessions(&site.get(&mut reviewer, "/sessions"));
    assert_eq!(listed, vec![site.shared_session.clone()]);
    let mut lead = site.log_in("lead");
    let listed = site.linked_sessions(&site.get(&mut lead, "/sessions"));
    assert_eq!(listed.len(), 13, "the lead sees every session");
}

#[test]
fn a_session_id_cannot_be_guessed_by_its_start() {
    let site = shared_sqlite_site();
    let mut ben = site.log_in("ben");
    // ben's own session answers only under its whole id.
    let prefix = &site.ben_session[..8];
    assert_eq!(
        site.get(&mut ben, &format!("/sessions/{}", site.ben_session))
            .status,
        StatusCode::OK
    );
    assert_eq!(
        site.get(&mut ben, &format!("/sessions/{prefix}")).status,
        StatusCode::NOT_FOUND
    );
    // Another trainee's session answers like one that does not exist.
    let other = site.get(&mut ben, &format!("/sessions/{}", site.ana_session));
    let missing = site.get(&mut ben, &format!("/sessions/{}", "f".repeat(64)));
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert_eq!(other.body, missing.body);
}
