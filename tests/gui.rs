//! The game as a trainee sees it: a scripted trainee plays `late-delivery` in a real window under
//! Xvfb (Mesa software rendering), screenshotting every screen; a blank screenshot, a failed
//! check or a panic fails the test. Needs `xvfb-run`; set `RAPPORT_REQUIRE_GUI_TEST=1` (as CI does)
//! to fail rather than skip when it is missing.

#![cfg(feature = "gui")]

use std::path::Path;
use std::process::Command;

/// Every screenshot the script takes.
const SCREENSHOTS: [&str; 7] = [
    "title",
    "call",
    "call-1080",
    "debrief",
    "debrief-turn",
    "debrief-1080",
    "title-1080",
];

#[test]
fn a_scripted_trainee_plays_a_shipped_scenario_in_a_real_window() {
    if Command::new("xvfb-run").arg("--help").output().is_err() {
        assert!(
            std::env::var_os("RAPPORT_REQUIRE_GUI_TEST").is_none(),
            "xvfb-run is not installed"
        );
        eprintln!("skipping: xvfb-run is not installed");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("gui-screenshots");
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).expect("the screenshot directory is created");
    let home = tempfile::tempdir().expect("a temporary data directory");
    let output = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1920x1080x24"])
        .arg(env!("CARGO_BIN_EXE_rapport"))
        .arg("gui")
        .env("CI_TESTING_CONFIG", root.join("tests/gui/smoke.ron"))
        .env("RAPPORT_SCREENSHOT_DIR", &shots)
        .env("RAPPORT_HOME", home.path())
        .env("RAPPORT_SCENARIOS", root.join("scenarios"))
        .env("RAPPORT_TRAINEE", "CI trainee")
        .env("RUST_LOG", "warn,rapport=info")
        .output()
        .expect("the game starts under xvfb-run");
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the scripted run failed ({}):\n{log}",
        output.status
    );
    assert!(
        log.contains("scripted run passed"),
        "the script did not finish:\n{log}"
    );
    for name in SCREENSHOTS {
        let path = shots.join(format!("{name}.png"));
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        assert!(
            size > 10_000,
            "screenshot `{}` is missing or nearly empty ({size} bytes)",
            path.display()
        );
    }
    eprintln!("screenshots in {}", shots.display());
}
