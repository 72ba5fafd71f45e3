//! The runner's contract for a Docker container action, exercised on the built binary against
//! the sandbox: the runner starts the image's entrypoint with no arguments, in the workspace,
//! with `GITHUB_ACTIONS=true`, every input declared in action.yml as `INPUT_<NAME>` (its
//! default when the workflow gave none, hyphenated names as written), the event payload in
//! `GITHUB_EVENT_PATH`, and files for outputs and the job summary.
//!
//! `PRIORITY_SYNC_BIN` runs another build of the binary (CI points it at the one inside the
//! container image).

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Output;

use common::{Harness, RunnerStep};

fn binary() -> PathBuf {
    std::env::var_os("PRIORITY_SYNC_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_priority-sync")))
}

struct Step {
    out: Output,
    outputs: BTreeMap<String, String>,
    summary: String,
}

fn run_step(h: &Harness, event_name: &str, event: &str, with: &[(&str, &str)]) -> Step {
    run_step_in(h, |_| {}, event_name, event, with)
}

/// [`run_step`] in a workspace `checkout` prepares first (as a checkout could leave it).
fn run_step_in(
    h: &Harness,
    checkout: impl FnOnce(&std::path::Path),
    event_name: &str,
    event: &str,
    with: &[(&str, &str)],
) -> Step {
    let ws = h.path("workspace");
    std::fs::create_dir_all(ws.join(".github")).unwrap();
    std::fs::write(ws.join(".github/priority-sync.yml"), h.sb.inventory_yaml()).unwrap();
    checkout(&ws);
    let runner_dir = h.path("runner");
    std::fs::create_dir_all(&runner_dir).unwrap();
    let event_path = runner_dir.join("event.json");
    std::fs::write(&event_path, event).unwrap();
    let output_file = runner_dir.join("set_output");
    let summary_file = runner_dir.join("step_summary");
    let _ = std::fs::remove_file(&output_file);
    let _ = std::fs::remove_file(&summary_file);

    let mut cmd = h.action_command(
        &binary(),
        &RunnerStep {
            workspace: &ws,
            event_name,
            event_path: &event_path,
            output_file: &output_file,
            summary_file: &summary_file,
        },
    );
    for (k, v) in with {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("start the action");
    let text = std::fs::read_to_string(&output_file).unwrap_or_default();
    let outputs = common::parse_outputs(&text);
    let summary = std::fs::read_to_string(&summary_file).unwrap_or_default();
    // No line of the logs or the summary runs a workflow command that came from outside text.
    h.check_output("the action", &out, true);
    h.check_text("the job summary", &summary, false);
    Step {
        out,
        outputs,
        summary,
    }
}

/// Decodes `&#NN;` and the common named character references, as GitHub's renderer does.
fn decode_entities(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let end = tail.find(';').filter(|e| *e < 12);
        let decoded = end.and_then(|e| {
            let ent = &tail[1..e];
            let c = match ent {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                _ => ent
                    .strip_prefix('#')
                    .and_then(|n| n.parse::<u32>().ok())
                    .and_then(char::from_u32),
            }?;
            Some((c, e + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out + rest
}

fn logs(s: &Step) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&s.out.stdout),
        String::from_utf8_lossy(&s.out.stderr)
    )
}

#[test]
fn a_scheduled_run_as_the_runner_starts_it() {
    let h = Harness::start(104, 1);
    let audit = h.audit_head();
    let step = run_step(&h, "schedule", r#"{"schedule": "0 */6 * * *"}"#, &[]);
    assert_eq!(step.out.status.code(), Some(0), "{}", logs(&step));

    // Outputs: all of them, consistent with the committed report.
    for name in priority_sync::run::OUTPUT_NAMES {
        assert!(
            step.outputs.contains_key(*name),
            "output {name} missing: {:?}",
            step.outputs
        );
    }
    assert_eq!(step.outputs["mode"], "urgent");
    let progress = common::progress_in(&h.path("workspace/audit"));
    let count = |s: &str| {
        progress
            .values()
            .filter(|r| r["status"] == s)
            .count()
            .to_string()
    };
    for s in [
        "synced",
        "pr_open",
        "up_to_date",
        "failed",
        "skipped",
        "inaccessible",
        "pending",
    ] {
        assert_eq!(step.outputs[s], count(s), "output {s}");
    }
    // Relative to the workspace: the container's `/github/workspace/…` is no path a later
    // step on the host can open (actions/runner#1282).
    assert_eq!(step.outputs["report"], "audit/sync-progress.json");
    let matrix: serde_json::Value = serde_json::from_str(&step.outputs["matrix"]).unwrap();
    assert_eq!(matrix["include"].as_array().unwrap().len(), 12);

    // The job summary says which mode and why, and links the sync PRs.
    assert!(step.summary.contains("urgent"), "{}", step.summary);
    assert!(
        decode_entities(&step.summary).contains("0 */6 * * *"),
        "the summary names the cron: {}",
        step.summary
    );
    assert!(step.summary.contains("/pull/"), "the summary links PRs");
    // Workflow commands: groups, no stray command lines from data.
    let out = logs(&step);
    assert!(out.contains("::group::"));
    assert!(out.contains("::add-mask::"), "the token is masked first");

    // One audit commit to the workflow's repository; artifacts in the workspace too.
    assert_eq!(
        h.sb.count_between(&h.sb.repository(), &audit, &h.audit_head()),
        1
    );
    for f in [
        "speed-metrics.json",
        "speed-dashboard.html",
        "sync-status-badge.svg",
        "sync-progress.json",
        "urgency-ranking.json",
        "sync-state.json",
    ] {
        assert!(h.path("workspace/audit").join(f).is_file(), "{f}");
    }
}

#[test]
fn hyphenated_inputs_from_with_are_honoured() {
    let h = Harness::start(40, 2);
    let step = run_step(
        &h,
        "workflow_dispatch",
        r#"{"inputs": {}}"#,
        &[
            ("INPUT_FORCE-REPOS", "codenest, heyns1000/omnigrid"),
            ("INPUT_DRY-RUN", "true"),
        ],
    );
    assert_eq!(step.out.status.code(), Some(0), "{}", logs(&step));
    assert_eq!(step.outputs["mode"], "force");
    assert!(logs(&step).contains("input `dry-run` was read as `dry_run`"));
    let entries = h.sb.log_entries();
    assert!(
        entries
            .iter()
            .all(|e| e.method == "GET" || e.path.ends_with("/graphql")),
        "dry-run wrote"
    );
}

#[test]
fn bad_inputs_fail_before_any_request_with_exit_2() {
    let h = Harness::start(20, 3);
    h.sb.clear_log();
    let step = run_step(
        &h,
        "push",
        "{}",
        &[("INPUT_DRY_RUN", "maybe"), ("INPUT_MODE", "fast")],
    );
    assert_eq!(step.out.status.code(), Some(2), "{}", logs(&step));
    let out = logs(&step);
    assert!(out.contains("::error"), "an error annotation: {out}");
    assert!(
        out.contains("input `dry_run`: `maybe` is not a boolean"),
        "{out}"
    );
    assert!(out.contains("input `mode`: unknown mode `fast`"), "{out}");
    assert!(h.sb.log_entries().is_empty(), "no request was sent");
    assert!(
        step.outputs.is_empty(),
        "no outputs for a run that did not happen"
    );
}

#[test]
fn secrets_are_masked_before_a_bad_input_fails_the_run() {
    let h = Harness::start(6, 5);
    h.sb.clear_log();
    let token = "ghp_maskMe0123456789abcdefghijklmnopqrstu";
    let key_lines = [
        "MIIEowIBAAKCAQEAmaskedKeyLineOne",
        "c2Vjb25kTWFza2VkS2V5TGluZQ==",
    ];
    let key = format!(
        "-----BEGIN RSA PRIVATE KEY-----\\n{}\\n{}\\n-----END RSA PRIVATE KEY-----",
        key_lines[0], key_lines[1]
    );
    let hook = "https://hooks.example/services/T0/B0/maskedHookSecret";
    let step = run_step(
        &h,
        "push",
        "{}",
        &[
            ("INPUT_SHARD", "9/4"),
            ("INPUT_TOKEN", token),
            (
                "INPUT_AUDIT-TOKEN",
                "ghs_auditMaskedToo0123456789abcdefghijk",
            ),
            ("INPUT_APP_ID", "7"),
            ("INPUT_APP_PRIVATE_KEY", &key),
            ("INPUT_WEBHOOK_URL", hook),
        ],
    );
    assert_eq!(step.out.status.code(), Some(2), "{}", logs(&step));
    let stdout = String::from_utf8_lossy(&step.out.stdout);
    assert!(
        stdout.contains("input `shard`"),
        "the bad input is reported: {stdout}"
    );
    // The mask commands come first, before the error or any other line.
    let lines: Vec<&str> = stdout.lines().collect();
    let masks = lines
        .iter()
        .take_while(|l| l.starts_with("::add-mask::"))
        .count();
    assert!(masks >= 5, "stdout starts with the mask commands: {stdout}");
    let masked: Vec<&str> = lines[..masks]
        .iter()
        .map(|l| &l["::add-mask::".len()..])
        .collect();
    let secrets = [
        token,
        "ghs_auditMaskedToo0123456789abcdefghijk",
        key_lines[0],
        key_lines[1],
        hook,
    ];
    for s in secrets {
        assert!(masked.contains(&s), "{s} is masked first: {masked:?}");
        // Nowhere else, on either stream.
        let unmasked = lines[masks..].iter().filter(|l| l.contains(s)).count();
        assert_eq!(unmasked, 0, "{s} printed after its mask: {stdout}");
        assert!(
            !String::from_utf8_lossy(&step.out.stderr).contains(s),
            "{s} on stderr"
        );
    }
    assert!(h.sb.log_entries().is_empty(), "no request was sent");
}

#[test]
fn a_bad_test_knob_fails_before_any_request_with_exit_2() {
    let h = Harness::start(6, 6);
    h.sb.clear_log();
    let step = run_step(&h, "push", "{}", &[("PRIORITY_SYNC_TIMEOUT_MS", "2s")]);
    assert_eq!(step.out.status.code(), Some(2), "{}", logs(&step));
    assert!(
        logs(&step).contains("PRIORITY_SYNC_TIMEOUT_MS: `2s` is not a number of milliseconds"),
        "{}",
        logs(&step)
    );
    assert!(h.sb.log_entries().is_empty(), "no request was sent");
    // A pace over GitHub's 80 a minute is taken against the sandbox, with a warning.
    let step = run_step(&h, "push", "{}", &[("INPUT_DRY_RUN", "true")]);
    assert_eq!(step.out.status.code(), Some(0), "{}", logs(&step));
    assert!(
        logs(&step).contains("::warning::PRIORITY_SYNC_WRITES_PER_MINUTE=60000"),
        "{}",
        logs(&step)
    );
}

/// Finding 9 (issue 13): a checkout may hold a symlink where an artifact goes. The run writes
/// the artifact in its place and never through it: the file it pointed at, outside the
/// workspace, is untouched.
#[cfg(unix)]
#[test]
fn artifacts_are_never_written_through_a_symlink() {
    let h = Harness::start(12, 9);
    let outside = h.path("outside-the-workspace");
    std::fs::create_dir_all(&outside).unwrap();
    let victim = outside.join("victim.txt");
    std::fs::write(&victim, "precious\n").unwrap();
    let step = run_step_in(
        &h,
        |ws| {
            std::fs::create_dir_all(ws.join("audit")).unwrap();
            std::os::unix::fs::symlink(&victim, ws.join("audit/speed-metrics.json")).unwrap();
        },
        "push",
        "{}",
        &[("INPUT_DRY_RUN", "true")],
    );
    assert_eq!(step.out.status.code(), Some(0), "{}", logs(&step));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
    let written = h.path("workspace/audit/speed-metrics.json");
    let meta = std::fs::symlink_metadata(&written).unwrap();
    assert!(meta.is_file(), "the symlink was replaced by the artifact");
    assert!(std::fs::read_to_string(&written).unwrap().starts_with('{'));
}

/// Finding 9: an artifacts directory that resolves outside the workspace (a symlink named
/// like it in the checkout) is refused before anything happens: a clear error, exit 2, not a
/// request, nothing written there.
#[cfg(unix)]
#[test]
fn an_artifacts_directory_outside_the_workspace_is_refused() {
    let h = Harness::start(12, 9);
    let outside = h.path("outside-the-workspace");
    std::fs::create_dir_all(&outside).unwrap();
    h.sb.clear_log();
    let step = run_step_in(
        &h,
        |ws| std::os::unix::fs::symlink(&outside, ws.join("audit")).unwrap(),
        "push",
        "{}",
        &[],
    );
    let out = logs(&step);
    assert_eq!(step.out.status.code(), Some(2), "{out}");
    assert!(out.contains("::error"), "{out}");
    assert!(out.contains("artifacts_dir"), "{out}");
    assert!(out.contains("outside the workspace"), "{out}");
    assert_eq!(
        std::fs::read_dir(&outside).unwrap().count(),
        0,
        "written outside"
    );
    assert!(h.sb.log_entries().is_empty(), "no request was sent");
    assert!(step.outputs.is_empty(), "no outputs");
}

/// The Docker-action convention (actions/runner#434): the container runs as root, and files
/// it leaves in the workspace would be root's, which later steps of a self-hosted runner's
/// user cannot change or delete. What the run creates gets the workspace's owner.
#[cfg(unix)]
#[test]
fn files_the_action_creates_belong_to_the_workspaces_owner() {
    use std::os::unix::fs::MetadataExt;
    let h = Harness::start(12, 9);
    let (uid, gid) = (1001, 1002);
    let step = run_step_in(
        &h,
        |ws| {
            if std::os::unix::fs::chown(ws, Some(uid), Some(gid)).is_err() {
                eprintln!("not root: the ownership below cannot be exercised here");
            }
        },
        "push",
        "{}",
        &[("INPUT_COMMIT_ARTIFACTS", "false")],
    );
    assert_eq!(step.out.status.code(), Some(0), "{}", logs(&step));
    let ws = h.path("workspace");
    if std::fs::metadata(&ws).unwrap().uid() != uid {
        return; // not root: the chown above failed, and so would the action's
    }
    // The artifacts and the fan-out result file, and the folders made for them.
    let mut created = vec![ws.join("audit"), ws.join("priority-sync-results")];
    for dir in created.clone() {
        created.extend(std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()));
    }
    assert!(created.len() >= 8, "{created:?}");
    for p in &created {
        let m = std::fs::symlink_metadata(p).unwrap();
        assert_eq!(
            (m.uid(), m.gid()),
            (uid, gid),
            "{} is not the workspace owner's",
            p.display()
        );
    }
}
