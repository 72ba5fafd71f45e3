//! The binaries' command lines: `--help` and `-h` print the usage on stdout and exit 0
//! (`github-sandbox`, `github-sandbox serve`, `fleet-bench`) without starting anything; an
//! unknown option or command exits 2 and says which.

use std::process::{Command, Output};

fn sandbox(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_github-sandbox"))
        .args(args)
        .output()
        .expect("github-sandbox runs")
}

fn bench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fleet-bench"))
        .args(args)
        .output()
        .expect("fleet-bench runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Asked for help: exit 0, the whole usage on stdout, nothing on stderr.
fn assert_help(out: &Output, usage_start: &str, mentions: &str) {
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(stdout.starts_with(usage_start), "stdout: {stdout}");
    assert!(stdout.contains(mentions), "stdout: {stdout}");
    assert_eq!(stderr, "");
}

#[test]
fn help_for_the_sandbox_and_for_serve_exits_0() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["serve", "--help"],
        &["serve", "-h"],
        &["serve", "--repos", "3", "--help"],
    ] {
        let out = sandbox(args);
        // The usage, not a started sandbox's JSON line.
        assert_help(&out, "usage: github-sandbox serve", "--content-limit N");
        assert!(!text(&out.stdout).contains("api_url"), "{args:?}");
    }
}

#[test]
fn unknown_options_and_commands_exit_2_and_say_which() {
    let out = sandbox(&["serve", "--bogus"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown option --bogus"));
    let out = sandbox(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown command frobnicate"));
    let out = sandbox(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).starts_with("usage: github-sandbox serve"));
    assert_eq!(text(&out.stdout), "");
}

#[test]
fn serve_takes_the_pull_request_timings_and_refuses_bad_ones() {
    let help = text(&sandbox(&["serve", "--help"]).stdout);
    assert!(help.contains("--mergeable-ms MS"), "{help}");
    assert!(help.contains("--list-lag-ms MS"), "{help}");
    for flag in ["--mergeable-ms", "--list-lag-ms"] {
        let out = sandbox(&["serve", flag, "soon"]);
        assert_eq!(out.status.code(), Some(2), "{flag}");
        assert!(
            text(&out.stderr).contains(&format!("{flag}: bad value \"soon\"")),
            "{}",
            text(&out.stderr)
        );
    }
}

#[test]
fn fleet_bench_help_exits_0_and_bad_arguments_exit_2() {
    for args in [&["--help"][..], &["-h"], &["--repos", "3", "--help"]] {
        assert_help(&bench(args), "usage: fleet-bench", "--needs-writes PCT");
    }
    let out = bench(&["--repos", "3", "--latency-ms", "0", "--bogus"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown argument \"--bogus\""));
}

#[test]
fn serve_names_githubs_limits_and_checks_the_timeout_status() {
    let out = sandbox(&["serve", "--help"]);
    for flag in [
        "--endpoint-points N",
        "--content-per-hour N",
        "--graphql-node-limit N",
        "--graphql-timeout-ms N",
        "--graphql-rate-limit-legacy",
    ] {
        assert!(text(&out.stdout).contains(flag), "{flag}");
    }
    // GitHub's timeout is 502 or 504: anything else is a usage error, before starting.
    let out = sandbox(&["serve", "--graphql-timeout-status", "500"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("GitHub answers 502 or 504, not 500"));
    assert_eq!(text(&out.stdout), "");
}
