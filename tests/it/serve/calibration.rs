//! Calibration and the queue's sampling rules through the pages: a lead starts a calibration, reviewers rate blind (nobody sees another's ratings, the lead only counts), the lead reveals agreement, κ, the ratings, drift and the small-sample warning; a lead sets, applies and turns off sampling rules.

use axum::http::StatusCode;

use super::{Browser, Site, sites};

/// Every rating field of a form, each set by `choose` from the field's offered values.
fn whole_card(page: &str, choose: impl Fn(&[String]) -> String) -> Vec<(String, String)> {
    let mut offered: Vec<(String, Vec<String>)> = Vec::new();
    for chunk in page.split("name=\"rating.").skip(1) {
        let name = format!("rating.{}", chunk.split('"').next().expect("closed"));
        let value = chunk
            .split("value=\"")
            .nth(1)
            .and_then(|v| v.split('"').next())
            .expect("a value")
            .to_owned();
        match offered.iter_mut().find(|(n, _)| *n == name) {
            Some((_, values)) => values.push(value),
            None => offered.push((name, vec![value])),
        }
    }
    offered
        .into_iter()
        .map(|(name, values)| {
            let value = choose(&values);
            (name, value)
        })
        .collect()
}

fn send(
    site: &Site,
    browser: &mut Browser,
    path: &str,
    mut fields: Vec<(String, String)>,
) -> super::Answer {
    let csrf = site.get(browser, path).csrf();
    fields.push(("csrf".to_owned(), csrf));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    site.post(browser, path, &pairs)
}

/// How many criteria of a blind form are preset to N/A.
fn preset_na(page: &str) -> usize {
    page.matches("value=\"na\" checked").count()
}

#[test]
fn a_calibration_is_blind_until_the_lead_reveals_agreement_kappa_and_drift() {
    for site in sites() {
        let mut lead = site.log_in("lead");
        let started = send(
            &site,
            &mut lead,
            "/calibrations",
            vec![
                ("name".into(), "Week 49".into()),
                ("session".into(), site.shared_session.clone()),
                ("session".into(), site.ben_session.clone()),
                ("reviewer".into(), "reviewer".into()),
                ("reviewer".into(), "lead".into()),
            ],
        );
        assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.body);
        let calibration = started.location().to_owned();
        // One reviewer is too few: refused with the reason, on the form.
        let refused = send(
            &site,
            &mut lead,
            "/calibrations",
            vec![
                ("name".into(), "alone".into()),
                ("session".into(), site.shared_session.clone()),
                ("reviewer".into(), "reviewer".into()),
            ],
        );
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused.body.contains("at least 2 reviewers"),
            "{}",
            refused.body
        );

        // The reviewer rates both sessions at the bottom of each scale; the lead rates only the
        // first, N/A throughout: one session's pairs, too few to mean much.
        let mut reviewer = site.log_in("reviewer");
        let listed = site.get(&mut reviewer, "/calibrations");
        assert!(listed.body.contains("Week 49"));
        for session in [&site.shared_session, &site.ben_session] {
            let path = format!("{calibration}/sessions/{session}");
            let form = site.get(&mut reviewer, &path);
            assert_eq!(form.status, StatusCode::OK);
            let card = whole_card(&form.body, |values| values[0].clone());
            let saved = send(&site, &mut reviewer, &path, card);
            assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
            if *session != site.shared_session {
                continue;
            }
            let form = site.get(&mut lead, &path);
            let card = whole_card(&form.body, |_| "na".to_owned());
            let criteria = card.len();
            assert_eq!(
                send(&site, &mut lead, &path, card).status,
                StatusCode::SEE_OTHER
            );
            // Each sees their own ratings preset, never the other's.
            let theirs = site.get(&mut reviewer, &path);
            let mine = site.get(&mut lead, &path);
            assert_eq!(preset_na(&theirs.body), 0, "the reviewer's own ratings");
            assert_eq!(preset_na(&mine.body), criteria, "the lead's own ratings");
        }
        // After the first session the form moved on to the next one not rated.
        let before = site.get(&mut reviewer, &calibration);
        assert!(!before.body.contains("Agreement per criterion"));
        assert!(!before.body.contains("Reveal the ratings"));
        let progress = site.get(&mut lead, &calibration);
        assert!(progress.body.contains("Reveal the ratings"));
        assert_eq!(
            progress.body.matches("span class=\"pass\">done").count(),
            1,
            "the reviewer finished, the lead did not"
        );
        assert!(!progress.body.contains("Agreement per criterion"));
        // Only the lead reveals.
        let reveal = format!("{calibration}/reveal");
        let csrf = site.get(&mut reviewer, &calibration).csrf();
        assert_eq!(
            site.post(&mut reviewer, &reveal, &[("csrf", &csrf)]).status,
            StatusCode::FORBIDDEN
        );
        let csrf = progress.csrf();
        let revealed = site.post(&mut lead, &reveal, &[("csrf", &csrf)]);
        assert_eq!(revealed.status, StatusCode::SEE_OTHER);
        let results = site.get(&mut lead, &calibration);
        for shown in [
            "Agreement per criterion",
            "Agreement per reviewer",
            "The ratings",
            "Drift",
            "paired ratings between reviewers",
            "κ",
        ] {
            assert!(results.body.contains(shown), "{shown}: {}", results.body);
        }
        // Every pair disagrees (the bottom of the scale against N/A): 0% agreement.
        assert!(results.body.contains(">0%"), "{}", results.body);
        let theirs = site.get(&mut reviewer, &calibration);
        assert!(theirs.body.contains("Agreement per reviewer"));
        assert!(!theirs.body.contains("Drift"), "drift is for the lead");
        // Rating is closed once revealed.
        let path = format!("{calibration}/sessions/{}", site.shared_session);
        let form = site.get(&mut reviewer, &path);
        assert!(form.body.contains("revealed"));
        assert!(!form.body.contains("name=\"rating."));
    }
}

#[test]
fn a_lead_sets_applies_and_turns_off_sampling_rules() {
    for site in sites() {
        let mut lead = site.log_in("lead");
        let bad = send(
            &site,
            &mut lead,
            "/queue/rules",
            vec![
                ("kind".into(), "per-trainee-per-week".into()),
                ("amount".into(), "lots".into()),
            ],
        );
        assert_eq!(bad.status, StatusCode::BAD_REQUEST);
        assert!(
            bad.body
                .contains("`lots` is not a number of sessions per week")
        );
        let added = send(
            &site,
            &mut lead,
            "/queue/rules",
            vec![
                ("kind".into(), "per-trainee-per-week".into()),
                ("amount".into(), "1".into()),
                ("seed".into(), "42".into()),
            ],
        );
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
        let rules = site.get(&mut lead, added.location());
        assert!(
            rules
                .body
                .contains("1 session(s) of each trainee each week")
        );
        assert!(rules.body.contains("added"));
        let before = site
            .get(&mut lead, "/queue")
            .body
            .matches("/assign\"")
            .count();
        let csrf = rules.csrf();
        assert_eq!(
            site.post(&mut lead, "/queue/sample", &[("csrf", &csrf)])
                .status,
            StatusCode::SEE_OTHER
        );
        let after = site
            .get(&mut lead, "/queue")
            .body
            .matches("/assign\"")
            .count();
        assert!(
            after > before,
            "the rules queued sessions: {before} → {after}"
        );
        let rule_form = rules
            .body
            .split("action=\"/queue/rules/")
            .nth(2)
            .and_then(|rest| rest.split('"').next())
            .expect("the new rule's switch")
            .to_owned();
        let switched = site.post(
            &mut lead,
            &format!("/queue/rules/{rule_form}"),
            &[("csrf", &csrf), ("active", "off")],
        );
        assert_eq!(switched.status, StatusCode::SEE_OTHER);
        let rules = site.get(&mut lead, "/queue/rules");
        assert!(rules.body.contains("Turn on"), "{}", rules.body);
    }
}
