//! The server's defences, checked as an attacker would probe them: forged forms, hostile text in replies, names and comments, cookie flags, session fixation, and password guessing.

use axum::http::StatusCode;

use super::{Browser, FORMULA_PAYLOAD, ONERROR_PAYLOAD, PASSWORD, SCRIPT_PAYLOAD, Site, sites};

/// Whether a page holds any of the payloads as live markup (a tag, or an event attribute
/// inside a real tag, outside its quoted values) rather than as escaped text.
fn live_markup(body: &str) -> Option<String> {
    if let Some(tag) = ["<script>alert", "<img src=x"]
        .into_iter()
        .find(|needle| body.contains(needle))
    {
        return Some(tag.to_owned());
    }
    let mut rest = body;
    while let Some(open) = rest.find('<') {
        let close = rest[open..].find('>').map_or(rest.len(), |c| open + c);
        let tag = &rest[open..close];
        // Attribute values are quoted and escaped: only what lies outside quotes is markup.
        let outside_quotes: String = tag.split('"').step_by(2).collect();
        if outside_quotes.to_lowercase().contains("onerror") {
            return Some(tag.to_owned());
        }
        rest = &rest[close.min(rest.len())..];
        if rest.is_empty() {
            break;
        }
        rest = &rest[1..];
    }
    None
}

#[test]
fn the_inertness_check_finds_a_live_payload() {
    assert!(live_markup("<p>&lt;img src=x onerror=alert(1)&gt;</p>").is_none());
    assert!(live_markup("<p title=\"x onerror=y\">").is_none());
    assert!(live_markup("<p><img src=x onerror=alert(1)></p>").is_some());
    assert!(live_markup("<p><b onerror=alert(1)>").is_some());
    assert!(live_markup("<script>alert(1)</script>").is_some());
}

#[test]
fn a_post_without_or_with_a_wrong_csrf_token_is_refused_and_changes_nothing() {
    for site in sites() {
        let mut lead = site.log_in("lead");
        let path = format!("/sessions/{}/review", site.ana_session);
        let form = site.get(&mut lead, &path);
        let token = form.csrf();
        let rating = form
            .body
            .split("name=\"rating.")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a rated criterion")
            .to_owned();
        let field = format!("rating.{rating}");
        let wrong = "0".repeat(token.len());
        for fields in [
            vec![(field.as_str(), "na")],
            vec![("csrf", wrong.as_str()), (field.as_str(), "na")],
            vec![("csrf", ""), (field.as_str(), "na")],
        ] {
            let answer = site.post(&mut lead, &path, &fields);
            assert_eq!(
                answer.status,
                StatusCode::FORBIDDEN,
                "{}: {fields:?}",
                site.db.name
            );
        }
        // Another person's token does not do either.
        let mut ana = site.log_in("ana");
        let anas = site.get(&mut ana, "/sessions").csrf();
        let answer = site.post(&mut lead, &path, &[("csrf", &anas), (&field, "na")]);
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
        // Logging out is a form too.
        assert_eq!(
            site.post(&mut lead, "/logout", &[]).status,
            StatusCode::FORBIDDEN
        );
        let page = site.get(&mut lead, &format!("/sessions/{}", site.ana_session));
        assert!(!page.body.contains("lead</b>"), "no review was stored");
        // The login form needs the token of its own cookie.
        let mut stranger = Browser::default();
        let answer = site.post(
            &mut stranger,
            "/login",
            &[("csrf", "x"), ("login", "lead"), ("password", PASSWORD)],
        );
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
    }
}

#[test]
fn hostile_replies_names_and_comments_render_inert_on_every_page() {
    for site in sites() {
        let mut lead = site.log_in("lead");
        let path = format!("/sessions/{}/review", site.hostile_session);
        let form = site.get(&mut lead, &path);
        assert_eq!(form.status, StatusCode::OK);
        assert_eq!(live_markup(&form.body), None, "{}", form.body);
        // A comment carrying every payload, stored through the form.
        let mut fields: Vec<(String, String)> = Vec::new();
        for name in form.body.split("name=\"rating.").skip(1) {
            let criterion = name.split('"').next().expect("closed").to_owned();
            if fields
                .iter()
                .any(|(n, _)| *n == format!("rating.{criterion}"))
            {
                continue;
            }
            fields.push((format!("rating.{criterion}"), "na".to_owned()));
            fields.push((
                format!("comment.{criterion}"),
                format!("{SCRIPT_PAYLOAD}{ONERROR_PAYLOAD}{FORMULA_PAYLOAD}"),
            ));
        }
        fields.push(("csrf".to_owned(), form.csrf()));
        let pairs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let stored = site.post(&mut lead, &path, &pairs);
        assert_eq!(stored.status, StatusCode::SEE_OTHER, "{}", stored.body);
        for page in [
            format!("/sessions/{}", site.hostile_session),
            path.clone(),
            "/sessions".to_owned(),
            format!("/sessions?trainee={}", urlencode(ONERROR_PAYLOAD)),
            "/dashboard".to_owned(),
            format!(
                "/dashboard?trainee={}",
                urlencode(&super::hostile_trainee())
            ),
            "/exports".to_owned(),
            "/exports/report.html".to_owned(),
        ] {
            let answer = site.get(&mut lead, &page);
            assert_eq!(answer.status, StatusCode::OK, "{page}");
            assert_eq!(live_markup(&answer.body), None, "{page}: {}", answer.body);
        }
        calibrate_the_hostile_session(&site, &mut lead, &pairs);
        let shown = site.get(&mut lead, &format!("/sessions/{}", site.hostile_session));
        assert!(
            shown.body.contains("&lt;script&gt;alert("),
            "the reply is shown, escaped"
        );
        assert!(shown.body.contains("&lt;img src=x onerror=alert(1)&gt;"));
    }
}

/// A calibration with a hostile name over the hostile session, rated blind by the lead with
/// hostile comments (`card`: the whole card just sent as a review) and revealed: every
/// calibration page, and the queue pages, render it inert.
fn calibrate_the_hostile_session(site: &Site, lead: &mut Browser, card: &[(&str, &str)]) {
    let csrf = site.get(lead, "/calibrations").csrf();
    let name = format!("{SCRIPT_PAYLOAD}{ONERROR_PAYLOAD}");
    let created = site.post(
        lead,
        "/calibrations",
        &[
            ("csrf", &csrf),
            ("name", &name),
            ("session", &site.hostile_session),
            ("reviewer", "lead"),
            ("reviewer", "reviewer"),
        ],
    );
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let calibration = created.location().to_owned();
    let rating = format!("{calibration}/sessions/{}", site.hostile_session);
    let blind_form = site.get(lead, &rating);
    assert_eq!(blind_form.status, StatusCode::OK);
    assert_eq!(live_markup(&blind_form.body), None, "{}", blind_form.body);
    let rated = site.post(lead, &rating, card);
    assert_eq!(rated.status, StatusCode::SEE_OTHER, "{}", rated.body);
    let mut reviewer = site.log_in("reviewer");
    let csrf = site.get(&mut reviewer, &rating).csrf();
    let mut theirs: Vec<(&str, &str)> =
        card.iter().filter(|(n, _)| *n != "csrf").copied().collect();
    theirs.push(("csrf", &csrf));
    assert_eq!(
        site.post(&mut reviewer, &rating, &theirs).status,
        StatusCode::SEE_OTHER
    );
    for page in [calibration.as_str(), "/calibrations"] {
        let answer = site.get(&mut reviewer, page);
        assert_eq!(answer.status, StatusCode::OK, "{page}");
        assert_eq!(live_markup(&answer.body), None, "{page}: {}", answer.body);
    }
    let csrf = site.get(lead, &calibration).csrf();
    let revealed = site.post(lead, &format!("{calibration}/reveal"), &[("csrf", &csrf)]);
    assert_eq!(revealed.status, StatusCode::SEE_OTHER, "{}", revealed.body);
    for page in [
        calibration.as_str(),
        "/calibrations",
        "/queue",
        "/queue/rules",
    ] {
        let answer = site.get(lead, page);
        assert_eq!(answer.status, StatusCode::OK, "{page}");
        assert_eq!(live_markup(&answer.body), None, "{page}: {}", answer.body);
    }
    let results = site.get(lead, &calibration);
    assert!(
        results.body.contains("&lt;script&gt;alert("),
        "the name is shown, escaped"
    );
    assert!(
        results.body.contains("Agreement per criterion"),
        "the results are shown"
    );
}

fn urlencode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[test]
fn the_session_cookie_is_http_only_same_site_and_secure_behind_https() {
    let site = Site::new(crate::util::sqlite_db());
    let mut browser = Browser::default();
    let answer = site.try_log_in(&mut browser, "lead", PASSWORD);
    let cookie = answer
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("rapport_session="))
        .expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP on loopback: {cookie}"
    );
    let https = Site::with_config(crate::util::sqlite_db(), Some("https://qa.example.com"));
    let mut browser = Browser::default();
    let answer = https.try_log_in(&mut browser, "lead", PASSWORD);
    let cookie = answer
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("__Host-rapport_session="))
        .expect("a __Host- session cookie over HTTPS");
    assert!(
        cookie.contains("Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    assert!(
        answer.headers.contains_key("strict-transport-security"),
        "HSTS over HTTPS"
    );
}

#[test]
fn a_planted_session_token_is_replaced_at_login_and_dies_at_logout() {
    let site = Site::new(crate::util::sqlite_db());
    let mut attacker = site.log_in("ben");
    let planted = attacker
        .cookie("rapport_session")
        .expect("a token")
        .to_owned();
    // The victim's browser carries the attacker's token, then logs in as the lead.
    let mut victim = Browser::default();
    victim.set_cookie("rapport_session", &planted);
    let answer = site.try_log_in(&mut victim, "lead", PASSWORD);
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    let issued = victim
        .cookie("rapport_session")
        .expect("a new token")
        .to_owned();
    assert_ne!(issued, planted, "login issues a new token");
    // The planted token was revoked: it reaches nothing, as the lead or as ben.
    let stale = site.get(&mut attacker, "/sessions");
    assert_eq!(stale.status, StatusCode::SEE_OTHER);
    // Logging out ends the session in the store, not only in the browser.
    let mut copy = victim.clone();
    let token = site.get(&mut victim, "/sessions").csrf();
    site.post(&mut victim, "/logout", &[("csrf", &token)]);
    assert_eq!(
        site.get(&mut copy, "/sessions").status,
        StatusCode::SEE_OTHER
    );
}

#[test]
fn password_guessing_is_slowed_then_refused_even_with_the_right_password() {
    let site = Site::new(crate::util::sqlite_db());
    let mut guesser = Browser::default();
    let mut statuses = Vec::new();
    for guess in 0..8 {
        let answer = site.try_log_in(&mut guesser, "lead", &format!("wrong guess {guess}!"));
        statuses.push(answer.status);
    }
    assert_eq!(statuses[0], StatusCode::UNAUTHORIZED);
    let throttled = site.try_log_in(&mut guesser, "lead", PASSWORD);
    assert_eq!(
        throttled.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{statuses:?}"
    );
    let wait: i64 = throttled
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After header");
    assert!(wait > 0);
    assert!(guesser.cookie("rapport_session").is_none());
}

#[test]
fn every_page_sends_the_security_headers() {
    let site = super::shared_sqlite_site();
    let mut lead = site.log_in("lead");
    for path in ["/login", "/sessions", "/healthz", "/static/app.css"] {
        let answer = site.get(&mut lead, path);
        let csp = answer
            .headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert_eq!(
            answer.headers.get("x-frame-options").map(|v| v.as_bytes()),
            Some(&b"DENY"[..])
        );
        assert_eq!(
            answer
                .headers
                .get("x-content-type-options")
                .map(|v| v.as_bytes()),
            Some(&b"nosniff"[..])
        );
    }
}

#[test]
fn two_server_processes_over_one_database_share_logins_and_logouts() {
    for site in sites() {
        let other = site.second_process();
        let mut lead = site.log_in("lead");
        let page = site.send_to(
            &other,
            &mut lead,
            &format!("/sessions/{}", site.ana_session),
        );
        assert_eq!(
            page.status,
            StatusCode::OK,
            "{}: a login on one is good on the other",
            site.db.name
        );
        let token = site.get(&mut lead, "/sessions").csrf();
        let mut copy = lead.clone();
        site.post(&mut lead, "/logout", &[("csrf", &token)]);
        let after = site.send_to(&other, &mut copy, "/sessions");
        assert_eq!(
            after.status,
            StatusCode::SEE_OTHER,
            "a logout on one ends it on the other"
        );
    }
}

/// Regression: the server's state dropped inside the runtime (as `rapport serve` stops) closed
/// its PostgreSQL connections there, and the synchronous client's close panicked ("Cannot start
/// a runtime from within a runtime").
#[test]
fn a_server_over_postgresql_stops_without_panicking() {
    let Some(db) = crate::util::postgres_db() else {
        return;
    };
    let site = Site::new(db);
    let mut lead = site.log_in("lead");
    assert_eq!(site.get(&mut lead, "/sessions").status, StatusCode::OK);
    let state = site.state_for_tests();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        tokio::spawn(async move { drop(state) })
            .await
            .expect("dropped on a worker");
    });
}
