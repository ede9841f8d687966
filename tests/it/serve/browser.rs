//! The team server in a real browser: headless Chromium over WebDriver (chromedriver), logging in as a reviewer who reviews a shared session with the keyboard, a trainee who sees only their own sessions, and a trainer whose broken scenario is refused and fixed one published; a screenshot of each page, at laptop and phone widths.
//!
//! Needs `chromium` and `chromium-driver` (scripts/setup.sh installs them). Without chromedriver
//! the test says so and passes, unless `CI` is set, where it fails.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use super::{PASSWORD, Site};

/// Laptop and phone viewports, in CSS pixels.
const LAPTOP: (u32, u32) = (1280, 900);
const PHONE: (u32, u32) = (390, 844);

/// How long a page may take to appear.
const PAGE_WAIT: Duration = Duration::from_secs(20);

/// chromedriver, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_driver() -> Option<Driver> {
    let binary = [
        "chromedriver",
        "/usr/bin/chromedriver",
        "/usr/lib/chromium/chromedriver",
    ]
    .into_iter()
    .find(|b| {
        Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })?;
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new(binary)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let deadline = Instant::now() + PAGE_WAIT;
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not listen");
        std::thread::sleep(Duration::from_millis(100));
    }
    Some(Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    })
}

/// Where the screenshots go: `target/tmp/serve-browser/`.
fn shots_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("serve-browser");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

async fn open_browser(driver: &Driver, (width, height): (u32, u32)) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".to_owned(),
        json!({"args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", format!("--window-size={width},{height}")]}),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a WebDriver session")
}

/// Saves the whole page (the window stretched to its height) as `name.png`.
async fn shot(client: &Client, name: &str, width: u32) {
    let height = client
        .execute("return document.documentElement.scrollHeight", Vec::new())
        .await
        .ok()
        .and_then(|v| v.as_u64())
        .unwrap_or(900)
        .clamp(600, 8000) as u32;
    client
        .set_window_size(width, height + 140)
        .await
        .expect("resize");
    let png = client.screenshot().await.expect("a screenshot");
    std::fs::write(shots_dir().join(format!("{name}.png")), png).expect("write a screenshot");
}

async fn wait_for_path(client: &Client, path: &str) {
    let deadline = Instant::now() + PAGE_WAIT;
    loop {
        let url = client.current_url().await.expect("url");
        if url.path() == path {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "still at {url}, waiting for {path}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn log_in(client: &Client, base: &str, login: &str) {
    client
        .goto(&format!("{base}/login"))
        .await
        .expect("login page");
    client
        .find(Locator::Id("login"))
        .await
        .expect("login field")
        .send_keys(login)
        .await
        .expect("type");
    let password = client
        .find(Locator::Id("password"))
        .await
        .expect("password field");
    password.send_keys(PASSWORD).await.expect("type");
    // Enter sends the form, as a person would.
    password
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .expect("enter");
    wait_for_path(client, "/sessions").await;
}

async fn body_text(client: &Client) -> String {
    client
        .find(Locator::Css("main"))
        .await
        .expect("main")
        .text()
        .await
        .expect("text")
}

#[test]
fn a_reviewer_a_trainee_and_a_trainer_do_their_jobs_in_a_real_browser() {
    let Some(driver) = start_driver() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromedriver is missing; run scripts/setup.sh"
        );
        eprintln!("skipped: no chromedriver (scripts/setup.sh installs chromium-driver)");
        return;
    };
    let site = Site::new(crate::util::sqlite_db());
    let base = site.listen();
    site.block_on(async {
        // The reviewer: the shared session from the list, its evidence, then the whole card
        // reviewed with the keyboard.
        let client = open_browser(&driver, LAPTOP).await;
        client
            .goto(&format!("{base}/login"))
            .await
            .expect("login page");
        shot(&client, "login-laptop", LAPTOP.0).await;
        log_in(&client, &base, "reviewer").await;
        shot(&client, "reviewer-sessions-laptop", LAPTOP.0).await;
        let link = format!("/sessions/{}", site.shared_session);
        client
            .find(Locator::Css(&format!("a[href='{link}']")))
            .await
            .expect("the shared session is listed")
            .click()
            .await
            .expect("open it");
        wait_for_path(&client, &link).await;
        let page = client.source().await.expect("source");
        assert!(
            page.contains("<mark class=\"good\"") || page.contains("<mark class=\"bad\""),
            "evidence is marked in the reply"
        );
        shot(&client, "reviewer-session-laptop", LAPTOP.0).await;
        client
            .find(Locator::LinkText("Review this session"))
            .await
            .expect("a review link")
            .click()
            .await
            .expect("open the form");
        wait_for_path(&client, &format!("{link}/review")).await;
        shot(&client, "reviewer-review-form-laptop", LAPTOP.0).await;
        // The first criterion has the focus: the arrow key moves its rating, Tab reaches its comment.
        let focused = client.active_element().await.expect("focus");
        let before = focused.attr("value").await.expect("value");
        let name = focused
            .attr("name")
            .await
            .expect("name")
            .expect("a rating field");
        assert!(
            name.starts_with("rating."),
            "the first rating has the focus: {name}"
        );
        focused
            .send_keys(&char::from(Key::Left).to_string())
            .await
            .expect("arrow");
        let moved = client
            .active_element()
            .await
            .expect("focus")
            .attr("value")
            .await
            .expect("value");
        assert_ne!(moved, before, "the arrow key changed the rating");
        // A digit rates the focused criterion and moves on to the next (the vendored script).
        client
            .active_element()
            .await
            .expect("focus")
            .send_keys("n")
            .await
            .expect("key");
        let next = client
            .active_element()
            .await
            .expect("focus")
            .attr("name")
            .await
            .expect("name")
            .expect("a field");
        assert_ne!(next, name, "the focus moved to the next criterion");
        let first_na = client
            .find(Locator::Css(&format!("input[name='{name}'][value='na']")))
            .await
            .expect("the N/A choice");
        assert_eq!(
            first_na.prop("checked").await.expect("checked").as_deref(),
            Some("true")
        );
        let comment = client
            .find(Locator::Css(&format!(
                "textarea[name='{}']",
                name.replace("rating.", "comment.")
            )))
            .await
            .expect("its comment box");
        comment
            .send_keys("Rated with the keyboard <script>alert(1)</script>")
            .await
            .expect("type");
        client
            .find(Locator::Css("form.stack button[type=submit]"))
            .await
            .expect("save")
            .click()
            .await
            .expect("save");
        wait_for_path(&client, &link).await;
        let text = body_text(&client).await;
        assert!(
            text.contains("Rated with the keyboard <script>alert(1)</script>"),
            "the review is shown as text"
        );
        shot(&client, "reviewer-session-reviewed-laptop", LAPTOP.0).await;
        client.close().await.expect("close");

        // The trainee on a phone: only their own sessions.
        let client = open_browser(&driver, PHONE).await;
        log_in(&client, &base, "ana").await;
        shot(&client, "trainee-sessions-phone", PHONE.0).await;
        let source = client.source().await.expect("source");
        assert!(source.contains(&site.ana_session) && !source.contains(&site.ben_session));
        client
            .goto(&format!("{base}/sessions/{}", site.ana_session))
            .await
            .expect("own session");
        shot(&client, "trainee-session-phone", PHONE.0).await;
        client
            .goto(&format!("{base}/sessions/{}", site.ben_session))
            .await
            .expect("another's");
        assert!(body_text(&client).await.contains("not yours to see"));
        client.close().await.expect("close");

        // The trainer: a broken scenario refused with its diagnostics, the fixed one published.
        let client = open_browser(&driver, LAPTOP).await;
        log_in(&client, &base, "trainer").await;
        client
            .goto(&format!("{base}/scenarios"))
            .await
            .expect("scenarios");
        let good = std::fs::read_to_string(site.library.path().join("late-delivery.ron"))
            .expect("a scenario")
            .replace("id: \"late-delivery\"", "id: \"late-delivery-browser\"");
        let broken = good.replacen("beats:", "beatz:", 1);
        for (text, expect_path) in [(&broken, "/scenarios"), (&good, "/scenarios")] {
            client
                .find(Locator::Id("file_name"))
                .await
                .expect("name")
                .clear()
                .await
                .expect("clear");
            client
                .find(Locator::Id("file_name"))
                .await
                .expect("name")
                .send_keys("late-delivery-browser.ron")
                .await
                .expect("type");
            // A scenario is long: it is pasted in, as a person would paste it.
            client
                .execute(
                    "document.getElementById('text').value = arguments[0]",
                    vec![json!(text)],
                )
                .await
                .expect("paste");
            client
                .find(Locator::Css("form.stack button[type=submit]"))
                .await
                .expect("send")
                .click()
                .await
                .expect("send");
            wait_for_path(&client, expect_path).await;
            if std::ptr::eq(text, &broken) {
                let shown = body_text(&client).await;
                assert!(
                    shown.contains("did not validate") && shown.contains("beatz"),
                    "{shown}"
                );
                shot(&client, "trainer-scenario-refused-laptop", LAPTOP.0).await;
            }
        }
        assert!(body_text(&client).await.contains("validated and is live"));
        shot(&client, "trainer-scenario-published-laptop", LAPTOP.0).await;
        client.close().await.expect("close");
    });
}
