//! The `rapport` binary as trainers meet it: validate, new, graph, list, completions, and bad input.

use std::path::Path;

use rapport::scenario::scaffold::starter_scenario;

use super::util::{crate_path, rapport, temp, write};

#[test]
fn the_shipped_library_validates_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (code, _, err) = rapport(root, &["validate", "--deny-warnings", "scenarios"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("0 error(s), 0 warning(s)"), "{err}");
}

#[test]
fn malformed_ron_points_at_file_line_col_with_the_source_line() {
    let dir = temp();
    let broken =
        starter_scenario("Broken").replace("    difficulty: Easy, ", "    difficulty: Easy ");
    let file = write(dir.path(), "broken.ron", &broken);
    let (code, _, err) = rapport(dir.path(), &["validate", &file]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("RP0002"), "{err}");
    assert!(
        err.contains("broken.ron:8:"),
        "file:line:col is shown: {err}"
    );
    assert!(
        err.contains("channel: Phone"),
        "the source line is shown: {err}"
    );
    assert!(
        err.contains("separate fields"),
        "help says what to do: {err}"
    );
}

#[test]
fn an_unknown_field_suggests_the_nearest_name() {
    let dir = temp();
    let text = starter_scenario("Typo").replace("target_handle_secs:", "target_handel_secs:");
    let file = write(dir.path(), "typo.ron", &text);
    let (code, _, err) = rapport(dir.path(), &["validate", &file]);
    assert_eq!(code, 1);
    assert!(
        err.contains("RP0004") && err.contains("unknown field `target_handel_secs`"),
        "{err}"
    );
    assert!(err.contains("did you mean `target_handle_secs`?"), "{err}");
    insta::assert_snapshot!("unknown_field", err);
}

#[test]
fn an_unknown_enum_value_suggests_the_nearest_variant() {
    let dir = temp();
    let text = starter_scenario("Typo").replace("channel: Phone,", "channel: Phnoe,");
    let file = write(dir.path(), "typo.ron", &text);
    let (code, _, err) = rapport(dir.path(), &["validate", &file]);
    assert_eq!(code, 1);
    assert!(
        err.contains("RP0005") && err.contains("did you mean `Phone`?"),
        "{err}"
    );
}

#[test]
fn a_wrong_type_is_reported_with_its_place() {
    let dir = temp();
    let text = starter_scenario("Types").replace(
        "target_handle_secs: 300,",
        "target_handle_secs: \"five minutes\",",
    );
    let file = write(dir.path(), "types.ron", &text);
    let (code, _, err) = rapport(dir.path(), &["validate", &file]);
    assert_eq!(code, 1);
    assert!(
        err.contains("RP0003") && err.contains("types.ron:13:24"),
        "{err}"
    );
}

#[test]
fn bad_files_get_clear_messages_and_exit_status_2() {
    let dir = temp();
    write(dir.path(), "empty.ron", "  \n");
    std::fs::write(dir.path().join("latin1.ron"), b"Scenario(id: \"caf\xe9\")").expect("write");
    let (code, _, err) = rapport(dir.path(), &["validate", "empty.ron"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("RP0001") && err.contains("is empty") && err.contains("rapport new"),
        "{err}"
    );
    let (code, _, err) = rapport(dir.path(), &["validate", "latin1.ron"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("not valid UTF-8") && err.contains("latin1.ron:1:18"),
        "{err}"
    );
    let (code, _, err) = rapport(dir.path(), &["validate", "missing.ron"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot read `missing.ron`"), "{err}");
    std::fs::create_dir(dir.path().join("nothing-here")).expect("mkdir");
    let (code, _, err) = rapport(dir.path(), &["validate", "nothing-here"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("RP0007") && err.contains("holds no scenario files"),
        "{err}"
    );
}

#[test]
fn a_50_mb_file_is_refused_without_reading_it_all() {
    let dir = temp();
    let file = std::fs::File::create(dir.path().join("huge.ron")).expect("create");
    file.set_len(50 * 1024 * 1024).expect("grow");
    let (code, _, err) = rapport(dir.path(), &["validate", "huge.ron"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("52428800 bytes") && err.contains("limit"),
        "{err}"
    );
}

#[test]
fn a_file_nested_10000_levels_deep_is_refused_without_a_crash() {
    let dir = temp();
    let condition = format!(
        "{}Flag(\"explained_delay\"){}",
        "Not(".repeat(10_000),
        ")".repeat(10_000)
    );
    let deep = starter_scenario("Deep").replace("Flag(\"explained_delay\")", &condition);
    write(dir.path(), "deep.ron", &deep);
    let (code, _, err) = rapport(dir.path(), &["validate", "deep.ron"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("RP0006") && err.contains("deeper than 128"),
        "{err}"
    );
    let brackets = format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000));
    write(dir.path(), "brackets.ron", &brackets);
    let (code, _, err) = rapport(dir.path(), &["validate", "brackets.ron"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("brackets.ron:1:1"), "{err}");
}

#[test]
fn semantic_problems_have_stable_codes_in_json() {
    let dir = temp();
    let text = starter_scenario("Semantics")
        .replace(
            "next: \"explain\",\n                    better",
            "next: \"explian\",\n                    better",
        )
        .replace(
            "when: Flag(\"explained_delay\")",
            "when: Flag(\"explaned\")",
        )
        .replace("promises: [Callback],", "promises: [Refund],")
        .replace("meters: (anger: 55,", "meters: (anger: 155,");
    let file = write(dir.path(), "semantics.ron", &text);
    let (code, out, _) = rapport(dir.path(), &["validate", "--format", "json", &file]);
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_str(&out).expect("json");
    let codes: Vec<&str> = json["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    for expected in ["RP0011", "RP0016", "RP0020", "RP0018"] {
        assert!(codes.contains(&expected), "{expected} in {codes:?}");
    }
    let undefined = json["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .find(|d| d["code"] == "RP0011")
        .expect("RP0011");
    assert!(
        undefined["line"].as_u64().is_some()
            && undefined["help"]
                .as_str()
                .unwrap_or("")
                .contains("did you mean `explain`?"),
        "{undefined}"
    );
}

#[test]
fn unreachable_beats_and_dead_ends_are_found() {
    let dir = temp();
    let orphans = "        (id: \"orphan\", lines: [(id: \"orphan.1\", variants: [\"...\"])], next: \"loop\"),\n        (id: \"loop\", lines: [(id: \"loop.1\", variants: [\"again\"])], next: \"orphan\"),\n    ],\n\n    endings: [";
    let text = starter_scenario("Graph").replace("    ],\n\n    endings: [", orphans);
    assert!(text.contains("\"orphan\""), "the test inserted its beats");
    let file = write(dir.path(), "graph.ron", &text);
    let (code, out, err) = rapport(dir.path(), &["validate", "--format", "json", &file]);
    let codes: Vec<String> = serde_json::from_str::<serde_json::Value>(&out)
        .map(|j| {
            j["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .filter_map(|d| d["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert!(
        codes.contains(&"RP0012".to_owned()),
        "unreachable: {codes:?} {err}"
    );
    assert_eq!(code, 0, "unreachable beats are warnings; {codes:?}");
    let (_, graph, _) = rapport(dir.path(), &["graph", &file, "--format", "dot"]);
    assert!(
        graph.contains("\"orphan\" [shape=box, style=dashed") && graph.contains("doubleoctagon"),
        "{graph}"
    );
}

#[test]
fn new_writes_a_starter_that_validates_clean_and_graphs() {
    let dir = temp();
    let (code, out, err) = rapport(dir.path(), &["new", "Broken Kettle"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "broken-kettle.ron");
    let (code, _, err) = rapport(
        dir.path(),
        &["validate", "--deny-warnings", "broken-kettle.ron"],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = rapport(dir.path(), &["new", "Broken Kettle"]);
    assert_eq!(code, 2, "refuses to overwrite: {err}");
    let (code, mermaid, _) = rapport(
        dir.path(),
        &["graph", "broken-kettle.ron", "--format", "mermaid"],
    );
    assert_eq!(code, 0);
    assert!(
        mermaid.starts_with("flowchart TD")
            && mermaid.contains("n_resolved([\"resolved (resolved)\"]):::resolved"),
        "{mermaid}"
    );
}

#[test]
fn list_shows_the_library_and_completions_are_generated() {
    let dir = temp();
    let (code, out, _) = rapport(dir.path(), &["list", "--format", "json"]);
    assert_eq!(code, 0);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).expect("json");
    assert!(rows.len() >= 8);
    let channels: std::collections::BTreeSet<&str> =
        rows.iter().filter_map(|r| r["channel"].as_str()).collect();
    assert_eq!(channels.len(), 4, "all four channels: {channels:?}");
    for shell in ["bash", "zsh", "fish"] {
        let (code, out, _) = rapport(dir.path(), &["completions", shell]);
        assert_eq!(code, 0);
        assert!(out.contains("validate") && out.contains("rapport"));
    }
}

#[test]
fn every_subcommand_help_shows_an_example() {
    let dir = temp();
    for sub in [
        "play",
        "list",
        "validate",
        "new",
        "graph",
        "test",
        "run",
        "replay",
        "analyse",
        "score",
        "rescore",
        "completions",
        "gui",
    ] {
        let (code, out, _) = rapport(dir.path(), &[sub, "--help"]);
        assert_eq!(code, 0, "{sub}");
        assert!(
            out.contains("Example"),
            "`rapport {sub} --help` shows an example:\n{out}"
        );
    }
}

#[test]
fn a_missing_asset_is_an_error_that_names_where_it_looked() {
    let dir = temp();
    std::fs::create_dir(dir.path().join("assets")).expect("mkdir");
    let text = starter_scenario("Assets").replace(
        "        already_given: [\"order number\"],",
        "        already_given: [\"order number\"],\n        portrait: \"portraits/sam.png\",",
    );
    let file = write(dir.path(), "assets.ron", &text);
    let (code, _, err) = rapport(dir.path(), &["validate", &file]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("RP0015") && err.contains("portraits/sam.png") && err.contains("looked in"),
        "{err}"
    );
    std::fs::create_dir_all(dir.path().join("assets/portraits")).expect("mkdir");
    std::fs::write(dir.path().join("assets/portraits/sam.png"), b"png").expect("write");
    let (code, _, err) = rapport(dir.path(), &["validate", &file]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn run_plays_a_script_headlessly_and_prints_json_for_machines() {
    let dir = temp();
    write(
        dir.path(),
        "poor.script.ron",
        "Script(seed: 1, trainee: \"bot\", moves: [(after: 40.0, do: Choose(2)), (after: 50.0, do: End)])",
    );
    let (code, out, err) = rapport(
        dir.path(),
        &[
            "run",
            "double-charge",
            "--script",
            "poor.script.ron",
            "--json",
            "--no-store",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(json["scenario"], "double-charge");
    assert_eq!(json["scorecard"]["passed"], false);
    assert!(
        json["debrief"]["costly"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
    );
    write(
        dir.path(),
        "bad.script.ron",
        "Script(moves: [(after: 1.0, do: Choose(9))])",
    );
    let (code, _, err) = rapport(
        dir.path(),
        &[
            "run",
            "double-charge",
            "--script",
            "bad.script.ron",
            "--no-store",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("move 1 of the script") && err.contains("there is no option `9` here"),
        "{err}"
    );
    let (code, _, err) = rapport(
        dir.path(),
        &["run", "double-charg", "--script", "bad.script.ron"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `double-charge`?"), "{err}");
}

#[test]
fn every_diagnostic_code_is_documented_with_an_example() {
    let doc =
        std::fs::read_to_string(crate_path("docs/diagnostics.md")).expect("docs/diagnostics.md");
    for code in rapport::scenario::Code::ALL {
        let info = code.info();
        let heading = format!("### {} {}", info.code, info.name);
        let section = doc
            .split(&heading)
            .nth(1)
            .unwrap_or_else(|| panic!("`{heading}` is missing from docs/diagnostics.md"));
        let section = section.split("\n### ").next().unwrap_or("");
        assert!(section.contains("```"), "{} has an example", info.code);
    }
}

/// `rapport analyse --rules-only` reads a reply without the learned reader, so an author sees
/// what the lexicon's rules read and what the reader adds (its findings are named `learned-…`).
#[test]
fn analyse_rules_only_leaves_out_the_learned_reader() {
    let dir = temp();
    let reply = "I'll add unlimited mobile data until it's fixed.";
    let args = ["analyse", reply, "--scenario", "service-outage", "--json"];
    let (code, with_reader, err) = rapport(dir.path(), &args);
    assert_eq!(code, 0, "{err}");
    assert!(
        with_reader.contains("\"learned-over-promise\""),
        "{with_reader}"
    );
    let rules_only: Vec<&str> = args.iter().copied().chain(["--rules-only"]).collect();
    let (code, by_rules, err) = rapport(dir.path(), &rules_only);
    assert_eq!(code, 0, "{err}");
    assert!(!by_rules.contains("learned-"), "{by_rules}");
    assert!(by_rules.contains("\"first-person-promise\""), "{by_rules}");
}
