//! The command line at its edges, on the real binary: a reader that closes the pipe early
//! (`priority-sync plan … | head`) ends the run quietly, and `--shard` refuses a mode whose
//! quotas would be taken once per shard.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_priority-sync"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd
}

/// An inventory and a snapshot of `n` repositories: a plan far larger than a pipe's buffer.
fn big_fleet(dir: &std::path::Path, n: usize) -> (PathBuf, PathBuf) {
    let repos: Vec<String> = (0..n).map(|i| format!("acme/repo-{i}")).collect();
    let inventory = dir.join("inventory.yml");
    let mut yaml = String::from("repositories:\n");
    for r in &repos {
        yaml.push_str(&format!("  - {r}\n"));
    }
    std::fs::write(&inventory, yaml).unwrap();
    let facts: Vec<serde_json::Value> = repos
        .iter()
        .enumerate()
        .map(|(i, r)| {
            serde_json::json!({
                "repo": r, "accessible": true, "archived": false,
                "commits_behind": i % 7, "commits_ahead": 0, "days_since_last_sync": i % 40,
                "open_prs": 0, "new_prs": 0, "security_alerts": 0,
                "connected": false, "has_workflows": false
            })
        })
        .collect();
    let snapshot = dir.join("snapshot.json");
    let doc = serde_json::json!({"taken_at": "2026-01-01T07:00:00Z", "repos": facts});
    std::fs::write(&snapshot, doc.to_string()).unwrap();
    (inventory, snapshot)
}

#[test]
fn plan_into_a_pipe_closed_early_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let (inventory, snapshot) = big_fleet(dir.path(), 3000);
    for format in ["text", "json"] {
        let mut child = bin()
            .args(["plan", "--mode", "all", "--format", format])
            .arg("--snapshot")
            .arg(&snapshot)
            .arg("--config")
            .arg(&inventory)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start priority-sync");
        // Read a little, as `head -c 100` does, then close our end while the plan (hundreds
        // of KB, more than the pipe holds) is still being written.
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 100];
        stdout.read_exact(&mut first).unwrap();
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{format}: {stderr}");
        assert!(!stderr.contains("panicked"), "{format}: {stderr}");
        assert!(
            stderr.trim().is_empty(),
            "{format}: nothing on stderr: {stderr}"
        );
    }
}

#[test]
fn shard_on_the_command_line_needs_mode_all() {
    let inventory = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/priority-sync.yml");
    for args in [
        vec!["--mode", "urgent"],
        vec![],
        vec!["--mode", "all", "--force", "codenest"],
    ] {
        let out = bin()
            .args(["run", "--shard", "1/2"])
            .arg("--config")
            .arg(&inventory)
            .args(&args)
            // An address nothing listens on: the run must stop before any request.
            .env("GITHUB_API_URL", "http://127.0.0.1:9")
            .env("GITHUB_TOKEN", "ghp_unused")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("--shard "), "{args:?}: {stderr}");
        let why = if args.contains(&"--force") {
            "cannot be combined with --force"
        } else {
            "needs `--mode all`"
        };
        assert!(stderr.contains(why), "{args:?}: {stderr}");
    }
}
