//! A bad inventory on the runner: besides the readable error, each problem is an `::error`
//! annotation on its line of the file (path relative to the workspace), and a key from the file
//! cannot inject a second workflow command. On a terminal the output has no workflow commands.

use std::process::{Command, Output};

const BAD: &str = "top:\n  - a/b\nrepositoies:\n  - c/d\nschedules:\n  '0 2 * * 8': all\n\"x\\n::warning::pwned,line=1\": 1\n";

#[allow(dead_code)]
#[path = "common/workflow_commands.rs"]
mod workflow_commands;

fn run(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_priority-sync"));
    cmd.args(args).current_dir(dir).env_clear();
    cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run priority-sync");
    // No line a runner would execute came from the file (priority-sync's own annotations
    // are allowed on the runner).
    let on_runner = env.contains(&("GITHUB_ACTIONS", "true"));
    for bytes in [&out.stdout, &out.stderr] {
        workflow_commands::assert_no_outside_commands(
            &format!("priority-sync {args:?}"),
            &String::from_utf8_lossy(bytes),
            on_runner,
        );
    }
    out
}

#[test]
fn the_action_annotates_each_problem_on_its_line() {
    let ws = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(ws.path().join(".github")).unwrap();
    std::fs::write(ws.path().join(".github/priority-sync.yml"), BAD).unwrap();
    let config = ws.path().join(".github/priority-sync.yml");
    let out = run(
        ws.path(),
        &[],
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_WORKSPACE", ws.path().to_str().unwrap()),
            ("INPUT_CONFIG", config.to_str().unwrap()),
            ("INPUT_TOKEN", "ghp_not_used"),
        ],
    );
    assert_eq!(out.status.code(), Some(2), "a configuration error exits 2");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let annotations: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("::error file="))
        .collect();
    assert_eq!(annotations.len(), 3, "{stdout}");
    let at = |line: u32| format!("::error file=.github/priority-sync.yml,line={line},title=");
    assert!(annotations[0].starts_with(&at(3)), "{}", annotations[0]);
    assert!(annotations[0].contains("did you mean `repositories`?"));
    assert!(annotations[1].starts_with(&at(6)), "{}", annotations[1]);
    assert!(annotations[1].contains("day of the week `8`"));
    assert!(annotations[2].starts_with(&at(7)), "{}", annotations[2]);
    // The hostile key: no line of output starts a command it wrote.
    assert!(
        !stdout.lines().any(|l| l.starts_with("::warning")),
        "{stdout}"
    );
    // The readable error is still there, as the run's failure.
    assert!(
        stdout.contains("::error title=priority-sync::") && stdout.contains("has 3 problems"),
        "{stdout}"
    );
}

#[test]
fn a_terminal_gets_the_readable_error_only() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("inv.yml"), BAD).unwrap();
    std::fs::write(
        dir.path().join("snap.json"),
        r#"{"taken_at": "2026-01-01T00:00:00Z", "repos": []}"#,
    )
    .unwrap();
    let out = run(
        dir.path(),
        &["plan", "--snapshot", "snap.json", "--config", "inv.yml"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("::error"), "{all}");
    assert!(all.contains("inv.yml:3: repositoies: unknown key"), "{all}");
}
