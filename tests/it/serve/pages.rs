//! What each page does for the role that uses it: a whole-card review kept beside earlier ones, a trainer's scenario refused with its diagnostics then published, exports that hold only what the viewer may see, with formulas defused.

use axum::http::StatusCode;

use super::{FORMULA_PAYLOAD, Site, shared_sqlite_site, sites};

/// Every rating field of a review form, each set to `value`.
fn whole_card(page: &str, value: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    for chunk in page.split("name=\"rating.").skip(1) {
        let name = format!("rating.{}", chunk.split('"').next().expect("closed"));
        if !fields.iter().any(|(n, _)| *n == name) {
            fields.push((name, value.to_owned()));
        }
    }
    fields
}

fn send_review(site: &Site, login: &str, session: &str, value: &str, comment: &str) -> StatusCode {
    let mut browser = site.log_in(login);
    let path = format!("/sessions/{session}/review");
    let page = site.get(&mut browser, &path);
    let mut fields = whole_card(&page.body, value);
    let first = fields[0].0.replace("rating.", "comment.");
    fields.push((first, comment.to_owned()));
    fields.push(("csrf".to_owned(), page.csrf()));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    site.post(&mut browser, &path, &pairs).status
}

#[test]
fn a_whole_scorecard_review_is_one_form_and_never_overwrites_the_last() {
    for site in sites() {
        let session = site.shared_session.clone();
        assert_eq!(
            send_review(&site, "reviewer", &session, "na", "first look"),
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            send_review(&site, "lead", &session, "na", "second look"),
            StatusCode::SEE_OTHER
        );
        let mut store = site.db.open();
        let stored = store
            .load_sessions(std::slice::from_ref(&session))
            .expect("load");
        let reviews = &stored[0].reviews;
        let criteria = stored[0].scorecard.criteria.len();
        assert_eq!(
            reviews.len(),
            2 * criteria,
            "both whole cards are kept: {}",
            site.db.name
        );
        assert!(
            reviews
                .iter()
                .any(|r| r.reviewer == "reviewer" && r.comment == "first look")
        );
        assert!(
            reviews
                .iter()
                .any(|r| r.reviewer == "lead" && r.comment == "second look")
        );
        assert!(reviews.iter().all(|r| r.rating.is_none()));
        let audit = rapport::team::Team::new(&mut store)
            .audit_log(&rapport::team::AuditFilter::default())
            .expect("the audit log");
        let stored_reviews: Vec<_> = audit
            .iter()
            .filter(|e| e.action == "review.record")
            .collect();
        assert_eq!(
            stored_reviews.len(),
            2,
            "each whole card is audited: {audit:?}"
        );
        // A card missing a criterion is refused whole, with what is missing.
        let mut lead = site.log_in("lead");
        let path = format!("/sessions/{session}/review");
        let page = site.get(&mut lead, &path);
        let fields = whole_card(&page.body, "na");
        let token = page.csrf();
        let mut partial: Vec<(&str, &str)> = fields[1..]
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        partial.push(("csrf", &token));
        let refused = site.post(&mut lead, &path, &partial);
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("has no rating"), "{}", refused.body);
        let again = store
            .load_sessions(std::slice::from_ref(&session))
            .expect("load");
        assert_eq!(
            again[0].reviews.len(),
            2 * criteria,
            "nothing of the refused card was kept"
        );
    }
}

#[test]
fn a_broken_scenario_is_refused_with_its_diagnostics_and_a_fixed_one_goes_live() {
    let site = Site::new(crate::util::sqlite_db());
    let mut trainer = site.log_in("trainer");
    let good = std::fs::read_to_string(site.library.path().join("late-delivery.ron"))
        .expect("a shipped scenario")
        .replace("id: \"late-delivery\"", "id: \"late-delivery-copy\"");
    assert!(good.contains("late-delivery-copy"), "the id was renamed");
    let broken = good.replacen("beats:", "beatz:", 1);
    let token = site.get(&mut trainer, "/scenarios").csrf();
    let refused = site.post(
        &mut trainer,
        "/scenarios",
        &[
            ("csrf", &token),
            ("file_name", "late-delivery-copy.ron"),
            ("text", &broken),
        ],
    );
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("did not validate"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("beatz"),
        "the diagnostic names the problem: {}",
        refused.body
    );
    assert!(
        !site.library.path().join("late-delivery-copy.ron").exists(),
        "nothing went live"
    );
    let published = site.post(
        &mut trainer,
        "/scenarios",
        &[
            ("csrf", &token),
            ("file_name", "late-delivery-copy.ron"),
            ("text", &good),
        ],
    );
    assert_eq!(
        published.status,
        StatusCode::SEE_OTHER,
        "{}",
        published.body
    );
    assert!(site.library.path().join("late-delivery-copy.ron").exists());
    let listed = site.get(&mut trainer, published.location());
    assert!(listed.body.contains("validated and is live"));
    assert!(listed.body.contains("/scenarios/late-delivery-copy"));
    // A name that would leave the library is refused before anything is read.
    let escaping = site.post(
        &mut trainer,
        "/scenarios",
        &[
            ("csrf", &token),
            ("file_name", "../outside.ron"),
            ("text", &good),
        ],
    );
    assert_eq!(escaping.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[test]
fn exports_hold_only_the_viewers_sessions_and_defuse_formulas() {
    let site = shared_sqlite_site();
    let mut lead = site.log_in("lead");
    let csv = site.get(&mut lead, "/exports/sessions.csv");
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment"),
        "a download"
    );
    assert!(
        csv.body.contains(&site.hostile_session[..12]) || csv.body.contains(&site.hostile_session)
    );
    for line in csv.body.lines() {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('\u{feff}').trim_start_matches('"');
            assert!(!cell.starts_with('='), "a live formula: {line}");
        }
    }
    assert!(
        csv.body
            .contains(&format!("'{}", FORMULA_PAYLOAD.replace('"', "\"\""))),
        "{}",
        csv.body
    );
    let mut ana = site.log_in("ana");
    for file in ["sessions.csv", "report.json", "xapi.json", "report.html"] {
        let export = site.get(&mut ana, &format!("/exports/{file}"));
        assert_eq!(export.status, StatusCode::OK, "{file}");
        assert!(
            !export.body.contains(&site.ben_session),
            "{file} leaks ben's session"
        );
        assert!(
            !export.body.contains("onerror"),
            "{file} holds the hostile session"
        );
        // Asking for ben by the filter gives nothing, never his sessions.
        let asked = site.get(&mut ana, &format!("/exports/{file}?trainee=ben"));
        assert!(
            !asked.body.contains(&site.ben_session),
            "{file}?trainee=ben"
        );
    }
    let json = site.get(&mut ana, "/exports/report.json");
    assert!(json.body.contains("\"ana\""));
    let dashboard = site.get(&mut ana, "/dashboard?trainee=ben");
    assert_eq!(dashboard.status, StatusCode::OK);
    assert!(
        dashboard.body.contains("No session you may see"),
        "{}",
        dashboard.body
    );
}

#[test]
fn a_trainee_disputes_a_criterion_and_sees_the_leads_decision() {
    let site = Site::new(crate::util::sqlite_db());
    let session = site.ana_session.clone();
    let criterion = site.first_criterion(&session);
    let mut ana = site.log_in("ana");
    let page = site.get(&mut ana, &format!("/sessions/{session}"));
    assert!(
        page.body.contains("Dispute a score"),
        "the trainee may dispute her own session"
    );
    let raised = site.post(
        &mut ana,
        &format!("/sessions/{session}/disputes"),
        &[
            ("csrf", &page.csrf()),
            ("criterion", &criterion),
            ("reason", "I did apologise <b>twice</b>"),
        ],
    );
    assert_eq!(raised.status, StatusCode::SEE_OTHER, "{}", raised.body);
    let mut lead = site.log_in("lead");
    let open = site.accept_first_dispute(&mut lead, "Agreed, well spotted");
    assert!(
        open.body
            .contains("I did apologise &lt;b&gt;twice&lt;/b&gt;"),
        "{}",
        open.body
    );
    let outcome = site.get(&mut ana, "/disputes");
    assert!(
        outcome.body.contains("accepted") && outcome.body.contains("Agreed, well spotted"),
        "{}",
        outcome.body
    );
    let shown = site.get(&mut ana, &format!("/sessions/{session}"));
    assert!(
        shown.body.contains("(dispute)"),
        "the dispute-kind review is on the scorecard"
    );
}
