//! Issue 13, findings 1, 2 and 5: one refusal, one bad answer or one rewritten upstream never
//! sinks the run. Each test reproduces the finding against the sandbox (a refusal rule, a
//! hostile proxy rewriting an answer, an upstream force push) and checks the outcome a user
//! wants: that repository alone is `failed` (or moved, when it is priority-sync's own sync
//! branch), it alerts, every other repository is synced as usual, and the run still reports and
//! commits its audit artifacts.

mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Output;
use std::sync::{Arc, Mutex};

use common::{progress_in, sync_prs, Harness};
use github_sandbox::{Category, FaultAction, FaultRule, FleetRepo, LogEntry};
use serde_json::{json, Value};

const REPOS: usize = 60;
const SEED: u64 = 11;

/// GitHub's refusal when an App installation (or fine-grained token) may read a repository but
/// not write it: 403 with this message (the wording `TokenSpec::not_accessible` gives App
/// tokens; recorded for fine-grained tokens as "…by personal access token").
const REFUSED: &str = "Resource not accessible by integration";

/// An object id as a hostile proxy might send it: not hex, a multi-byte character where a
/// short sha would cut, and a workflow command on its own line.
const HOSTILE_OID: &str = "aaaaaa\u{e9}\n::set-output name=mode::all\n";

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A one-route HTTP server that records request bodies, standing in for Slack.
fn webhook() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = got.clone();
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            loop {
                let n = s.read(&mut chunk).unwrap_or(0);
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
                let t = String::from_utf8_lossy(&buf).to_string();
                let Some(i) = t.find("\r\n\r\n") else {
                    continue;
                };
                let len = t[..i]
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                    })
                    .unwrap_or(0);
                if buf.len() >= i + 4 + len {
                    let body = String::from_utf8_lossy(&buf[i + 4..i + 4 + len]).to_string();
                    sink.lock().unwrap().push(body);
                    break;
                }
            }
            let _ =
                s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
        }
    });
    (format!("http://{addr}/services/hook"), got)
}

/// A REST write (GraphQL queries are POSTs too, but read).
fn is_write(e: &LogEntry) -> bool {
    e.method != "GET" && !e.path.ends_with("/graphql")
}

/// `METHOD path` of every write to `repo` in the log.
fn writes_to(h: &Harness, repo: &str) -> Vec<String> {
    let prefix = format!("/repos/{repo}/");
    h.sb.log_entries()
        .into_iter()
        .filter(|e| is_write(e) && e.path.starts_with(&prefix))
        .map(|e| format!("{} {}", e.method, e.path))
        .collect()
}

/// The action as the runner starts it (`GITHUB_ACTIONS=true`, outputs and summary files),
/// in `mode`, alerting to `hook`. Returns the output and the workspace.
fn run_action(h: &Harness, mode: &str, hook: &str) -> (Output, std::path::PathBuf) {
    let ws = h.path("ws");
    std::fs::create_dir_all(&ws).unwrap();
    let inv = h.inventory();
    let out = h.run(
        &[],
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_TOKEN", ""),
            ("INPUT_TOKEN", &h.token),
            ("INPUT_WEBHOOK_URL", hook),
            ("INPUT_MODE", mode),
            ("INPUT_CONFIG", inv.to_str().unwrap()),
            ("GITHUB_WORKSPACE", ws.to_str().unwrap()),
            ("GITHUB_OUTPUT", h.path("outputs").to_str().unwrap()),
            ("GITHUB_STEP_SUMMARY", h.path("summary").to_str().unwrap()),
        ],
    );
    (out, ws)
}

fn alerts_after(alerts: &Arc<Mutex<Vec<String>>>) -> Vec<String> {
    std::thread::sleep(std::time::Duration::from_millis(200));
    alerts.lock().unwrap().clone()
}

/// Every repository but `except` ended as a fault-free run leaves it: nothing pending or
/// failed, every fast-forwardable one synced.
fn the_rest_synced(progress: &BTreeMap<String, Value>, fleet: &[FleetRepo], except: &str) {
    assert_eq!(progress.len(), fleet.len(), "every repository is reported");
    for r in fleet.iter().filter(|r| r.full_name != except) {
        let st = progress[&r.full_name.to_ascii_lowercase()]["status"]
            .as_str()
            .unwrap();
        assert!(
            !matches!(st, "pending" | "failed"),
            "{}: {st}: {}",
            r.full_name,
            progress[&r.full_name.to_ascii_lowercase()]
        );
        let ff = r.exists
            && !r.archived
            && r.ahead == 0
            && (1..=10).contains(&r.behind)
            && r.category == Category::Behind;
        if ff {
            assert_eq!(st, "synced", "{}", r.full_name);
        }
    }
}

/// Prints the scenario's figures for docs/reliability.md: faults injected (refusals and
/// rewritten answers the sandbox counted, or `changes` made to the world), runs of the real
/// binary, repositories whose outcome was checked.
fn figures(name: &str, h: &Harness, changes: u64, runs: u32) {
    let c = h.sb.counters();
    eprintln!(
        "CONTAIN {name}: faults injected {}, runs {runs}, repositories checked {}",
        c.injected_errors + c.rewritten + changes,
        h.sb.fleet().repos.len()
    );
}

// ------------------------------------------------------------------ finding 1

#[test]
fn a_refusal_on_one_repository_fails_only_that_repository() {
    let mut h = Harness::start(REPOS, SEED);
    h.provokes_faults = true;
    let fleet = h.sb.fleet().repos.clone();
    let first = fleet.iter().find(|r| r.top).unwrap().full_name.clone();
    // The App may read the first Top 12 repository but not write it (its installation was
    // given read-only access there, or an organisation policy says so).
    h.sb.add_fault_rule(FaultRule::writes(
        &format!("/repos/{first}/"),
        None,
        FaultAction::Error {
            status: 403,
            message: REFUSED.into(),
        },
    ));
    let audit_before = h.audit_head();
    let (hook, alerts) = webhook();
    let (out, ws) = run_action(&h, "all", &hook);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        !t.contains("reporting only"),
        "one refusal is not a read-only token: {t}"
    );
    let progress = progress_in(&ws.join("audit"));
    let mine = &progress[&first.to_ascii_lowercase()];
    assert_eq!(mine["status"], "failed", "{mine}");
    let err = mine["error"].as_str().unwrap();
    assert!(err.contains(REFUSED), "{err}");
    assert!(
        err.contains("Contents") && err.contains("read and write"),
        "names the permission to add: {err}"
    );
    the_rest_synced(&progress, &fleet, &first);
    // It alerts, naming the repository.
    let alerts = alerts_after(&alerts);
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert!(alerts[0].contains(&first), "{}", alerts[0]);
    // The audit commit (its own token) still happens.
    assert_ne!(
        h.audit_head(),
        audit_before,
        "the audit artifacts are committed"
    );
    assert_eq!(h.committed_state().runs.len(), 1);
    figures("403 on one repository's writes", &h, 0, 1);
}

#[test]
fn a_repository_the_user_may_only_read_is_never_written() {
    let mut h = Harness::start(REPOS, SEED);
    h.provokes_faults = true;
    let fleet = h.sb.fleet().repos.clone();
    let first = fleet.iter().find(|r| r.top).unwrap();
    assert!(first.behind > 0, "{first:?} needs a sync");
    let first = first.full_name.clone();
    // The token's user was given read access only (GraphQL `viewerPermission: READ`).
    h.sb.set_viewer_permission(&first, Some("READ"));
    let (hook, alerts) = webhook();
    let (out, ws) = run_action(&h, "all", &hook);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert_eq!(
        writes_to(&h, &first),
        Vec::<String>::new(),
        "not one write to {first}"
    );
    let progress = progress_in(&ws.join("audit"));
    let mine = &progress[&first.to_ascii_lowercase()];
    assert_eq!(mine["status"], "failed", "{mine}");
    let err = mine["error"].as_str().unwrap();
    assert!(
        err.contains("READ") && err.contains("write access"),
        "{err}"
    );
    the_rest_synced(&progress, &fleet, &first);
    assert_eq!(alerts_after(&alerts).len(), 1);
    figures("a repository the user may only read", &h, 1, 1);
}

// ------------------------------------------------------------------ finding 2

/// The alias a repository has in its metadata batch (`r<i>`, batches of 50 in inventory
/// order), and a text only that batch's request carries (its name variable).
fn metadata_alias(h: &Harness, repo: &str) -> (String, String) {
    let fleet = &h.sb.fleet().repos;
    let p = fleet.iter().position(|r| r.full_name == repo).unwrap();
    let i = p % 50;
    let name = repo.split_once('/').unwrap().1;
    (format!("r{i}"), format!("\"n{i}\":\"{name}\""))
}

/// A rule rewriting `repo`'s branch head in its metadata answer.
fn hostile_head(h: &Harness, repo: &str) -> FaultRule {
    let (alias, only) = metadata_alias(h, repo);
    FaultRule::on(
        "POST",
        "/graphql",
        10,
        FaultAction::Rewrite {
            pointer: format!("/data/{alias}/defaultBranchRef/target/oid"),
            value: json!(HOSTILE_OID),
        },
    )
    .with_body(&only)
}

/// No line of the output, the outputs file or the summary is a workflow command that came
/// from the answer, and the malformed id itself never reaches them.
fn no_injected_commands(h: &Harness, out: &Output) {
    let files = [h.path("outputs"), h.path("summary")];
    let mut texts = vec![("stdout/stderr".to_string(), text(out))];
    for f in files {
        texts.push((
            f.display().to_string(),
            std::fs::read_to_string(&f).unwrap_or_default(),
        ));
    }
    for (what, t) in texts {
        assert!(
            !t.contains("set-output"),
            "{what} carries the hostile text:\n{t}"
        );
    }
}

#[test]
fn a_malformed_head_oid_fails_only_its_repository() {
    let mut h = Harness::start(REPOS, SEED);
    h.provokes_faults = true;
    let fleet = h.sb.fleet().repos.clone();
    let first = fleet.iter().find(|r| r.top).unwrap().full_name.clone();
    h.sb.add_fault_rule(hostile_head(&h, &first));
    let audit_before = h.audit_head();
    let (hook, alerts) = webhook();
    let (out, ws) = run_action(&h, "all", &hook);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "no panic, no exit 101: {t}");
    assert!(
        h.sb.counters().rewritten > 0,
        "the proxy rewrote the answer"
    );
    no_injected_commands(&h, &out);
    // Outputs, summary and audit commit are all there.
    let outputs = std::fs::read_to_string(h.path("outputs")).unwrap();
    assert!(outputs.contains("failed<<"), "{outputs}");
    assert!(!std::fs::read_to_string(h.path("summary"))
        .unwrap()
        .is_empty());
    assert_ne!(h.audit_head(), audit_before);
    let progress = progress_in(&ws.join("audit"));
    let mine = &progress[&first.to_ascii_lowercase()];
    assert_eq!(mine["status"], "failed", "{mine}");
    let err = mine["error"].as_str().unwrap();
    assert!(err.contains("malformed object id"), "{err}");
    assert_eq!(
        writes_to(&h, &first),
        Vec::<String>::new(),
        "nothing written on a bad answer"
    );
    the_rest_synced(&progress, &fleet, &first);
    assert_eq!(alerts_after(&alerts).len(), 1);
    figures("a malformed head oid (top phase)", &h, 0, 1);
}

#[test]
fn a_malformed_oid_in_a_concurrent_phase_still_reports_every_repository() {
    let mut h = Harness::start(REPOS, SEED);
    h.provokes_faults = true;
    let fleet = h.sb.fleet().repos.clone();
    // A fork past the Top 12 that fast-forwards (synced in a concurrent phase).
    let victim = fleet
        .iter()
        .find(|r| !r.top && r.category == Category::Behind && r.exists && !r.archived)
        .unwrap()
        .full_name
        .clone();
    h.sb.add_fault_rule(hostile_head(&h, &victim));
    let (hook, _alerts) = webhook();
    let (out, ws) = run_action(&h, "all", &hook);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    let progress = progress_in(&ws.join("audit"));
    assert_eq!(progress.len(), REPOS, "every repository is reported: {t}");
    no_injected_commands(&h, &out);
    assert_eq!(
        progress[&victim.to_ascii_lowercase()]["status"],
        "failed",
        "{t}"
    );
    the_rest_synced(&progress, &fleet, &victim);
    figures("a malformed head oid (concurrent phase)", &h, 0, 1);
}

// ------------------------------------------------------------------ finding 5

/// A fork whose sync goes through a pull request (far behind, no commits of its own).
fn far_behind(h: &Harness) -> FleetRepo {
    h.sb.fleet()
        .repos
        .iter()
        .find(|r| {
            r.category == Category::FarBehind && r.exists && !r.archived && r.ahead == 0 && !r.top
        })
        .expect("a far-behind fork")
        .clone()
}

/// Upstream rewrites its history as when purging a leaked secret: its last commit is replaced
/// by a new one (a force push), so its old head is gone from the branch.
fn rewrite_upstream(h: &Harness, r: &FleetRepo) -> (String, String) {
    let up = r.parent.clone().unwrap();
    let old = h.sb.branch_sha(&up, &r.upstream_branch).unwrap();
    let out = std::process::Command::new("git")
        .arg("--git-dir")
        .arg(h.sb.git_dir(&up).unwrap())
        .args(["rev-parse", &format!("{old}^")])
        .output()
        .expect("git runs");
    assert!(out.status.success(), "{out:?}");
    let base = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(h.sb.set_branch(&up, &r.upstream_branch, &base));
    h.sb.push_commit(
        &up,
        &r.upstream_branch,
        "NOTICE.md",
        "history rewritten: a leaked secret was purged\n",
        "purge a leaked secret",
    )
    .map(|new| (old, new))
    .unwrap()
}

/// Every ref update in the log: (path, force).
fn ref_updates(h: &Harness) -> Vec<(String, bool)> {
    h.sb.log_entries()
        .into_iter()
        .filter(|e| e.method == "PATCH" && e.path.contains("/git/refs/"))
        .map(|e| {
            let force = e
                .request
                .as_ref()
                .and_then(|b| b["force"].as_bool())
                .unwrap_or(false);
            (e.path, force)
        })
        .collect()
}

#[test]
fn upstream_rewriting_history_moves_only_our_own_sync_branch() {
    let h = Harness::start(REPOS, SEED);
    let r = far_behind(&h);
    let sync_branch = format!("priority-sync/{}", r.branch);
    h.sync(&["--mode", "all"]);
    let prs = sync_prs(&h.sb, &r);
    assert_eq!(prs.len(), 1);
    let (old, new) = rewrite_upstream(&h, &r);
    assert_eq!(prs[0].head_sha.as_deref(), Some(old.as_str()));
    assert!(
        !h.sb.is_ancestor(&r.full_name, &old, &new),
        "old head purged"
    );
    h.sb.clear_log();

    h.sync(&["--mode", "all"]);
    // The sync branch is at the new upstream head; the purged commit is no longer offered.
    assert_eq!(
        h.sb.branch_sha(&r.full_name, &sync_branch).as_deref(),
        Some(new.as_str())
    );
    let prs = sync_prs(&h.sb, &r);
    assert_eq!(prs.len(), 1, "the same PR, kept");
    assert_eq!(prs[0].head_sha.as_deref(), Some(new.as_str()));
    let body = prs[0].body.clone().unwrap_or_default();
    assert!(body.contains(&new), "{body}");
    assert!(
        body.contains("rewrote its history"),
        "the PR says so: {body}"
    );
    let progress = h.progress();
    let mine = &progress[&r.full_name.to_ascii_lowercase()];
    assert_eq!(mine["status"], "pr_open", "{mine}");
    assert!(
        mine["detail"]
            .as_str()
            .unwrap()
            .contains("rewrote its history"),
        "{mine}"
    );
    // The request log: exactly one forced ref update, on that sync branch; none elsewhere.
    let forced: Vec<_> = ref_updates(&h).into_iter().filter(|(_, f)| *f).collect();
    assert_eq!(
        forced,
        vec![(
            format!("/repos/{}/git/refs/heads/{sync_branch}", r.full_name),
            true
        )]
    );
    // A third run has nothing left to do for it.
    h.sb.clear_log();
    h.sync(&["--mode", "all"]);
    assert!(writes_to(&h, &r.full_name).is_empty());
    figures("upstream rewrote history (our sync branch)", &h, 1, 3);
}

#[test]
fn a_sync_branch_with_a_persons_commits_is_left_for_a_person() {
    let h = Harness::start(REPOS, SEED);
    let r = far_behind(&h);
    let sync_branch = format!("priority-sync/{}", r.branch);
    h.sync(&["--mode", "all"]);
    // A person adds a commit to the sync branch (a fix before merging), then upstream purges.
    let theirs =
        h.sb.push_commit(
            &r.full_name,
            &sync_branch,
            "FIX.md",
            "a person's fix\n",
            "fix before merging",
        )
        .unwrap();
    rewrite_upstream(&h, &r);
    h.sb.clear_log();

    h.sync(&["--mode", "all"]);
    assert_eq!(
        h.sb.branch_sha(&r.full_name, &sync_branch).as_deref(),
        Some(theirs.as_str()),
        "the person's commit is kept"
    );
    let progress = h.progress();
    let mine = &progress[&r.full_name.to_ascii_lowercase()];
    assert_eq!(mine["status"], "failed", "{mine}");
    let err = mine["error"].as_str().unwrap();
    assert!(
        err.contains("rewrote its history") && err.contains("needs a person"),
        "{err}"
    );
    // No forced update anywhere.
    assert!(
        ref_updates(&h).iter().all(|(_, f)| !f),
        "{:?}",
        ref_updates(&h)
    );
    assert!(Path::new(&h.path("audit-out")).exists());
    figures("upstream rewrote history (a person's commits)", &h, 2, 2);
}
