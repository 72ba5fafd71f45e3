//! Sharding on an Actions matrix, end to end: a plan run emits the shard matrix with no API
//! call; several shard processes sync their slices in parallel, each leaving a result file and
//! committing nothing; one report run merges them into one state, one set of artifacts and
//! one commit — and the fleet's git state is what a single `all` run would leave.

mod common;

use std::process::Command;

use common::{assert_fleet_after_all_mode, heads, progress_in, Harness};

#[test]
fn shards_in_parallel_then_one_report_commit() {
    let h = Harness::start(104, 1);
    let before = heads(&h.sb);
    let audit_before = h.audit_head();
    let inv = h.inventory();
    let n = 3;

    // The shards run at the same time, as matrix jobs do.
    let children: Vec<_> = (1..=n)
        .map(|i| {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_priority-sync"));
            cmd.args(["run", "--mode", "all", "--config", inv.to_str().unwrap()])
                .args(["--shard", &format!("{i}/{n}")])
                .args(["--results-dir", &format!("results/job-{i}")])
                .args(["--artifacts-dir", &format!("shard-{i}")])
                .current_dir(h.dir.path())
                .env_clear()
                .env("PATH", std::env::var("PATH").unwrap_or_default());
            for (k, v) in h.env(&h.token) {
                cmd.env(k, v);
            }
            cmd.stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut covered = 0;
    for (i, c) in children.into_iter().enumerate() {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "shard {}: {}",
            i + 1,
            String::from_utf8_lossy(&out.stderr)
        );
        let file = h.path(&format!(
            "results/job-{}/shard-{}-of-{n}.json",
            i + 1,
            i + 1
        ));
        let result = common::read_json(&file);
        covered += result["report"]["repos"].as_array().unwrap().len();
    }
    assert_eq!(covered, 104, "the shards partition the fleet");
    assert_eq!(h.audit_head(), audit_before, "shards never commit");

    let out = h.run(
        &[
            "report",
            "--config",
            inv.to_str().unwrap(),
            "--results-dir",
            "results",
            "--artifacts-dir",
            "audit-out",
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let progress = progress_in(&h.path("audit-out"));
    assert_fleet_after_all_mode(&h, &before, &progress);

    // Exactly one audit commit, whose state knows the whole fleet and one run.
    let audit_after = h.audit_head();
    assert_eq!(
        h.sb.count_between(&h.sb.repository(), &audit_before, &audit_after),
        1
    );
    let state: serde_json::Value = serde_json::from_str(
        &h.sb
            .file_text(&h.sb.repository(), &audit_after, "audit/sync-state.json")
            .unwrap(),
    )
    .unwrap();
    let existing = h.sb.fleet().repos.len();
    assert_eq!(state["repos"].as_object().unwrap().len(), existing);
    assert_eq!(state["runs"].as_array().unwrap().len(), 1);
}

#[test]
fn a_plan_run_emits_the_shard_matrix_without_api_calls() {
    let h = Harness::start(20, 2);
    h.sb.clear_log();
    let outputs = h.path("out.txt");
    let inv = h.inventory();
    let out = h.run(
        &[],
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_TOKEN", ""),
            ("INPUT_MODE", "plan"),
            ("INPUT_SHARDS", "4"),
            ("INPUT_CONFIG", inv.to_str().unwrap()),
            ("GITHUB_OUTPUT", outputs.to_str().unwrap()),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = std::fs::read_to_string(&outputs).unwrap();
    assert!(
        text.contains(
            r#"{"include":[{"shard":"1/4"},{"shard":"2/4"},{"shard":"3/4"},{"shard":"4/4"}]}"#
        ),
        "{text}"
    );
    assert!(h.sb.log_entries().is_empty(), "plan made API calls");

    // Without `shards`, the matrix is the Top 12, one job each.
    std::fs::remove_file(&outputs).unwrap();
    let out = h.run(
        &[],
        &[
            ("GITHUB_ACTIONS", "true"),
            ("INPUT_MODE", "plan"),
            ("INPUT_CONFIG", inv.to_str().unwrap()),
            ("GITHUB_OUTPUT", outputs.to_str().unwrap()),
        ],
    );
    assert!(out.status.success());
    let text = std::fs::read_to_string(&outputs).unwrap();
    let json_line = text
        .lines()
        .find(|l| l.starts_with("{\"include\""))
        .unwrap();
    let m: serde_json::Value = serde_json::from_str(json_line).unwrap();
    assert_eq!(m["include"].as_array().unwrap().len(), 12);
    assert_eq!(m["include"][0]["repo"], "heyns1000/omnigrid");
}

#[test]
fn a_shard_job_via_the_action_leaves_its_result_and_commits_nothing() {
    let h = Harness::start(30, 4);
    let audit = h.audit_head();
    let inv = h.inventory();
    let out = h.run(
        &[],
        &[
            ("GITHUB_ACTIONS", "true"),
            ("INPUT_MODE", "all"),
            ("INPUT_SHARD", "2/2"),
            ("INPUT_CONFIG", inv.to_str().unwrap()),
            ("GITHUB_WORKSPACE", h.dir.path().to_str().unwrap()),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let result = common::read_json(&h.path("priority-sync-results/shard-2-of-2.json"));
    assert_eq!(result["shard"]["index"], 2);
    assert_eq!(h.audit_head(), audit);
}
