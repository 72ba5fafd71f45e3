//! The offline plan, run as a user runs it: the real binary on the shipped example files.

use std::process::Command;

#[allow(dead_code)]
#[path = "common/workflow_commands.rs"]
mod workflow_commands;

fn plan(args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_priority-sync"))
        .arg("plan")
        .args([
            "--snapshot",
            "examples/snapshot.json",
            "--config",
            "examples/priority-sync.yml",
        ])
        .args(args)
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("run priority-sync");
    // Off the runner priority-sync prints no workflow command: no line may read as one.
    for bytes in [&out.stdout, &out.stderr] {
        workflow_commands::assert_no_outside_commands(
            &format!("plan {args:?}"),
            &String::from_utf8_lossy(bytes),
            false,
        );
    }
    out
}

/// Finding 6 (issue 13): a name the user typed, quoted in the error, is neutralised where the
/// runner would read a workflow command (here the legacy `##[cmd]` form, read anywhere in a
/// line, and `::cmd::` at the start of a line): `plan` asserts it on every output.
#[test]
fn a_hostile_forced_name_is_quoted_inert() {
    let out = plan(&["--force", "##[set-output name=mode;]all"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("set-output name=mode;]all` is not in the inventory"),
        "{err}"
    );
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = plan(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("plan JSON")
}

fn phase_names(v: &serde_json::Value) -> Vec<String> {
    v["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn example_plan_json_for_each_mode() {
    let top12 = json(&["--mode", "top12", "--format", "json"]);
    assert_eq!(phase_names(&top12), ["top", "critical"]);
    let top: Vec<&str> = top12["phases"][0]["repos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["repo"].as_str().unwrap())
        .collect();
    assert_eq!(top.len(), 12);
    assert_eq!(top[0], "heyns1000/omnigrid");
    assert_eq!(top[4], "Fruitful-Global-Planet/FruitfulPlanetChange");
    assert_eq!(top[11], "heyns1000/data-warehouse");
    // The source's worked example is in the critical phase with its real score.
    let celestial = &top12["phases"][1]["repos"][0];
    assert_eq!(celestial["repo"], "heyns1000/celestial-payroll");
    assert_eq!(celestial["score"], 661);

    let urgent = json(&["--mode", "urgent", "--format", "json"]);
    assert_eq!(phase_names(&urgent), ["top", "critical", "urgent"]);
    assert_eq!(urgent["phases"][2]["repos"].as_array().unwrap().len(), 10);

    let all = json(&["--mode", "all", "--format", "json"]);
    assert_eq!(phase_names(&all), ["top", "critical", "urgent", "rest"]);
    let total: usize = all["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["repos"].as_array().unwrap().len())
        .sum();
    assert_eq!(total, 42, "mode all covers the whole inventory");
    insta::assert_json_snapshot!("example_plan_urgent", urgent);
}

#[test]
fn force_resolves_short_names() {
    let v = json(&["--force", "zoho,codenest", "--format", "json"]);
    assert_eq!(v["mode"], "force");
    assert_eq!(phase_names(&v), ["force"]);
    assert_eq!(v["phases"][0]["repos"][0]["repo"], "heyns1000/zoho");
    assert_eq!(v["phases"][0]["repos"][1]["repo"], "heyns1000/codenest");
}

#[test]
fn unknown_force_names_fail_before_anything_happens() {
    let out = plan(&["--force", "zoho,not-a-repo", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`not-a-repo` is not in the inventory"),
        "{err}"
    );
}

#[test]
fn bad_mode_is_a_usage_error() {
    let out = plan(&["--mode", "fast"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown mode `fast`"));
}

#[test]
fn text_format_is_a_table() {
    let out = plan(&["--mode", "urgent"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("TOP (12)"));
    assert!(text.contains("URGENT (10)"));
    assert!(text.contains("heyns1000/celestial-payroll"));
}

#[test]
fn a_broken_inventory_lists_every_problem_and_plans_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("inv.yml");
    std::fs::write(
        &inv,
        "top:\n  - omnigrid\nrepositores: []\nweights:\n  open_prs: -1\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_priority-sync"))
        .args(["plan", "--snapshot", "examples/snapshot.json", "--config"])
        .arg(&inv)
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("has 3 problems"), "{err}");
    assert!(err.contains("inv.yml:2: top[0]"), "{err}");
    assert!(err.contains("did you mean `repositories`?"), "{err}");
    assert!(err.contains("inv.yml:5: weights.open_prs"), "{err}");
}

#[test]
fn a_malformed_snapshot_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let snap = dir.path().join("snap.json");
    std::fs::write(
        &snap,
        "{\"taken_at\": \"2026-01-01T00:00:00Z\", \"repos\": [{\"repo\": \"a/b\", \"behind\": 3}]}",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_priority-sync"))
        .args([
            "plan",
            "--config",
            "examples/priority-sync.yml",
            "--snapshot",
        ])
        .arg(&snap)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown field `behind`"), "{err}");
    assert!(err.contains(":1:"), "{err}");
}
