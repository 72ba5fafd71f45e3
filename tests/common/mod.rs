//! Shared helpers for the end-to-end tests: a sandbox fleet, a scratch directory with its
//! inventory, and the real `priority-sync` binary run against them.

#![allow(dead_code)]

pub mod workflow_commands;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use github_sandbox::{Sandbox, SandboxConfig};
use priority_sync::state::SyncState;

/// Fixed generation time so fleets (and their shas) are reproducible: 2026-01-01T07:00:00Z.
pub const NOW: i64 = 1_767_250_800;

pub struct Harness {
    pub sb: Sandbox,
    pub dir: tempfile::TempDir,
    pub log: PathBuf,
    /// Token the runs use (the sandbox's full-permission token unless a test changes it).
    pub token: String,
    /// This test provokes answers GitHub's API description does not list (injected 5xx,
    /// drops, 401s): its log is kept apart for CI's API check.
    pub provokes_faults: bool,
    /// Lines of output checked for workflow commands from outside text (every run through
    /// [`Harness::run`], plus what tests pass to [`Harness::check_output`]).
    pub lines_checked: std::sync::atomic::AtomicUsize,
}

impl Harness {
    pub fn start(repos: usize, seed: u64) -> Self {
        Self::start_with(Self::config(repos, seed))
    }

    /// The tests' usual sandbox settings.
    pub fn config(repos: usize, seed: u64) -> SandboxConfig {
        SandboxConfig {
            repos,
            seed,
            now: Some(NOW),
            // Tests pace writes fast (PRIORITY_SYNC_WRITES_PER_MINUTE); the content-creation
            // limit itself is exercised by the fault tests.
            content_limit_per_minute: 100_000,
            ..SandboxConfig::default()
        }
    }

    pub fn start_with(mut cfg: SandboxConfig) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = dir.path().join("requests.jsonl");
        if cfg.log_path.is_none() {
            cfg.log_path = Some(log.clone());
        }
        let log = cfg.log_path.clone().unwrap();
        let sb = Sandbox::start(cfg).expect("sandbox starts");
        std::fs::write(dir.path().join("inventory.yml"), sb.inventory_yaml()).unwrap();
        let token = sb.token();
        Harness {
            sb,
            dir,
            log,
            token,
            provokes_faults: false,
            lines_checked: Default::default(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn inventory(&self) -> PathBuf {
        self.path("inventory.yml")
    }

    /// The environment a run needs to reach the sandbox.
    pub fn env(&self, token: &str) -> Vec<(String, String)> {
        vec![
            ("GITHUB_API_URL".into(), self.sb.api_url()),
            ("GITHUB_GRAPHQL_URL".into(), self.sb.graphql_url()),
            ("GITHUB_TOKEN".into(), token.to_string()),
            ("GITHUB_REPOSITORY".into(), self.sb.repository()),
            (
                "GITHUB_REF".into(),
                format!("refs/heads/{}", self.audit_branch()),
            ),
            ("GITHUB_SERVER_URL".into(), "https://github.example".into()),
            ("PRIORITY_SYNC_BACKOFF_MS".into(), "20".into()),
            ("PRIORITY_SYNC_WRITES_PER_MINUTE".into(), "60000".into()),
        ]
    }

    pub fn audit_branch(&self) -> String {
        self.sb
            .default_branch(&self.sb.repository())
            .unwrap_or_else(|| "main".into())
    }

    /// Runs `priority-sync <args>` with the sandbox environment.
    pub fn run(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_priority-sync"));
        cmd.args(args).current_dir(self.dir.path()).env_clear();
        cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
        for (k, v) in self.env(&self.token) {
            cmd.env(k, v);
        }
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("run priority-sync");
        let on_runner = extra_env
            .iter()
            .any(|(k, v)| *k == "GITHUB_ACTIONS" && *v == "true");
        self.check_output(
            &format!("priority-sync {}", args.join(" ")),
            &out,
            on_runner,
        );
        out
    }

    /// Asserts that no line of a run's stdout or stderr would run a workflow command that
    /// came from outside text (see [`workflow_commands`]); counts the lines checked.
    pub fn check_output(&self, what: &str, out: &Output, on_runner: bool) {
        for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            self.check_text(
                &format!("{what} ({stream})"),
                &String::from_utf8_lossy(bytes),
                on_runner,
            );
        }
    }

    /// [`Harness::check_output`] for one text (a job summary: never a command of ours).
    pub fn check_text(&self, what: &str, text: &str, on_runner: bool) {
        let n = workflow_commands::assert_no_outside_commands(what, text, on_runner);
        self.lines_checked
            .fetch_add(n, std::sync::atomic::Ordering::Relaxed);
    }

    /// Lines checked so far.
    pub fn lines_checked(&self) -> usize {
        self.lines_checked
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// `priority-sync run --config inventory.yml <args>`, asserting success.
    pub fn sync(&self, args: &[&str]) -> Output {
        self.sync_env(args, &[])
    }

    /// [`Harness::sync`] with the job summary written to a file of its own (emptied first):
    /// the run's output and this run's summary.
    pub fn sync_with_summary(&self, args: &[&str]) -> (Output, String) {
        let summary = self.path("summary.md");
        let _ = std::fs::remove_file(&summary);
        let out = self.sync_env(args, &[("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())]);
        (out, std::fs::read_to_string(&summary).unwrap_or_default())
    }

    /// `priority-sync run` on the harness's inventory, writing to `audit-out`, with `args` and
    /// `extra_env`; it must succeed.
    fn sync_env(&self, args: &[&str], extra_env: &[(&str, &str)]) -> Output {
        let inv = self.inventory();
        let mut all = vec![
            "run",
            "--config",
            inv.to_str().unwrap(),
            "--artifacts-dir",
            "audit-out",
        ];
        all.extend_from_slice(args);
        let out = self.run(&all, extra_env);
        assert!(
            out.status.success(),
            "priority-sync failed ({:?}):\n{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Every repository's result from the run's `sync-progress.json`, by `owner/name`.
    pub fn progress(&self) -> std::collections::BTreeMap<String, serde_json::Value> {
        progress_in(&self.path("audit-out"))
    }

    pub fn audit_head(&self) -> String {
        self.sb
            .branch_sha(&self.sb.repository(), &self.audit_branch())
            .unwrap()
    }

    /// The state committed on the audit branch's head.
    pub fn committed_state(&self) -> SyncState {
        let text = self
            .sb
            .file_text(
                &self.sb.repository(),
                &self.audit_head(),
                "audit/sync-state.json",
            )
            .expect("a committed state");
        SyncState::from_json(&text).expect("a valid state")
    }

    /// Commits `state` as `audit/sync-state.json` on the audit branch (as an earlier run would
    /// have).
    pub fn commit_state(&self, state: &SyncState) {
        self.sb
            .push_commit(
                &self.sb.repository(),
                &self.audit_branch(),
                "audit/sync-state.json",
                &state.to_json(),
                "audit: an earlier run's state",
            )
            .expect("the audit branch exists");
    }
}

/// How many repositories [`large_state`] remembers besides the fleet: enough for a state over
/// GitHub's 1 MB contents limit (about 490 bytes each).
pub const LARGE_STATE_EXTRA: usize = 2_400;

/// The state a long-lived fleet accumulates: `extra` repositories no longer in the inventory
/// (`retired-org/fork-NNNNN`, each with a remembered compare), `fleet` entries last seen a month
/// ago with a fast-forward then, and three past runs before that.
pub fn large_state(fleet: &[String], extra: usize) -> SyncState {
    use priority_sync::mode::Mode;
    use priority_sync::outcome::Status;
    use priority_sync::state::{Compared, RepoState, RunRecord};
    // Runs stamp the wall clock: a month before it, whatever the date.
    let month_ago = chrono::Utc::now() - chrono::Duration::days(30);
    let mut state = SyncState::empty();
    for i in 0..extra {
        let repo = format!("Retired-Org/fork-{i:05}");
        state.repos.insert(
            repo.to_ascii_lowercase(),
            RepoState {
                repo,
                last_in_sync_at: Some(month_ago),
                last_synced_at: None,
                last_seen_at: Some(month_ago),
                last_status: Some(Status::UpToDate),
                open_prs: (i % 4) as u32,
                sync_pr: None,
                compared: Some(Compared {
                    head: format!("{:040x}", i * 2 + 1).parse().unwrap(),
                    upstream_head: format!("{:040x}", i * 2 + 2).parse().unwrap(),
                    behind: 0,
                    ahead: 0,
                    oldest_missing: None,
                    touches_workflows: false,
                    unreachable: false,
                }),
            },
        );
    }
    for repo in fleet {
        state.repos.insert(
            repo.to_ascii_lowercase(),
            RepoState {
                repo: repo.clone(),
                last_in_sync_at: Some(month_ago),
                last_synced_at: Some(month_ago),
                last_seen_at: Some(month_ago),
                last_status: Some(Status::Synced),
                ..RepoState::default()
            },
        );
    }
    for day in [3, 2, 1] {
        let started_at = month_ago - chrono::Duration::days(day);
        state.runs.push(RunRecord {
            started_at,
            finished_at: started_at + chrono::Duration::minutes(2),
            mode: Mode::All,
            dry_run: false,
            total: fleet.len() as u32,
            counts: BTreeMap::from([(Status::UpToDate, fleet.len() as u32)]),
            synced: 0,
            sync_percentage: 100.0,
        });
    }
    state
}

impl Drop for Harness {
    /// Keeps the request log for `.ci/run`'s check against GitHub's API description, then fails
    /// the test if anything in it asked the sandbox for a route (or GraphQL field) it does not
    /// implement: every test that uses the harness asserts it, whatever else it checks.
    fn drop(&mut self) {
        if let Ok(dir) = std::env::var("PRIORITY_SYNC_E2E_LOG_DIR") {
            let dir = if self.provokes_faults {
                Path::new(&dir).join("faults")
            } else {
                PathBuf::from(dir)
            };
            let _ = std::fs::create_dir_all(&dir);
            let name = format!(
                "{}-{}.jsonl",
                std::thread::current()
                    .name()
                    .unwrap_or("test")
                    .replace("::", "-"),
                std::process::id()
            );
            let _ = std::fs::copy(&self.log, Path::new(&dir).join(name));
        }
        // Not while the test is already failing: a second panic would abort the run and hide
        // the first message.
        if !std::thread::panicking() {
            self.sb.assert_no_unexpected_routes();
            assert_no_forced_update_outside_sync_branches(&self.sb);
            if self.lines_checked() > 0 {
                eprintln!(
                    "WORKFLOW-COMMANDS {}: {} output lines checked, 0 a runner would execute from outside text",
                    std::thread::current().name().unwrap_or("test"),
                    self.lines_checked()
                );
            }
        }
    }
}

/// The only forced ref update priority-sync may make is of its own sync branch
/// (`priority-sync/…`, past an upstream rewrite): every test's request log is checked for any
/// other (a user's branch, the audit branch).
pub fn assert_no_forced_update_outside_sync_branches(sb: &Sandbox) {
    for e in sb.log_entries() {
        let forced = e
            .request
            .as_ref()
            .is_some_and(|b| b["force"].as_bool() == Some(true));
        if e.method == "PATCH" && forced {
            let branch = e.path.split("/git/refs/heads/").nth(1).unwrap_or("");
            assert!(
                branch.starts_with("priority-sync/"),
                "a forced update outside priority-sync's sync branches: {} {}",
                e.method,
                e.path
            );
        }
    }
}

pub fn read_json(p: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap()
}

/// Reads `sync-progress.json` in `dir` into a map by repository (lower-cased `owner/name`).
pub fn progress_in(dir: &Path) -> std::collections::BTreeMap<String, serde_json::Value> {
    let v = read_json(&dir.join("sync-progress.json"));
    let list = v.get("repos").cloned().unwrap_or(v);
    list.as_array()
        .expect("a list of repositories")
        .iter()
        .map(|r| (r["repo"].as_str().unwrap().to_ascii_lowercase(), r.clone()))
        .collect()
}

use github_sandbox::{Category, FleetRepo};
use std::collections::BTreeMap;

/// The first fork of the fleet that exists, is not archived, follows its parent (no upstream
/// in the inventory) and is in one of `categories`.
pub fn plain_fork(sb: &Sandbox, categories: &[Category]) -> FleetRepo {
    sb.fleet()
        .repos
        .iter()
        .find(|r| {
            r.exists
                && !r.archived
                && r.parent.is_some()
                && r.inventory_upstream.is_none()
                && categories.contains(&r.category)
        })
        .cloned()
        .expect("a plain fork in the fleet")
}

pub fn upstream_head(sb: &Sandbox, r: &FleetRepo) -> Option<String> {
    if r.category == Category::ForeignUpstream || !r.exists {
        return None;
    }
    let parent = r.parent.as_ref()?;
    sb.branch_sha(parent, &r.upstream_branch)
}

/// Open PRs from the repository's own sync branch.
pub fn sync_prs(sb: &Sandbox, r: &FleetRepo) -> Vec<github_sandbox::PullInfo> {
    let branch = format!("priority-sync/{}", r.branch);
    sb.open_pulls(&r.full_name)
        .into_iter()
        .filter(|p| p.head_ref == branch)
        .collect()
}

pub fn status(progress: &BTreeMap<String, serde_json::Value>, repo: &str) -> String {
    progress[&repo.to_ascii_lowercase()]["status"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Branch heads of every fleet repository, to compare before and after a run.
pub fn heads(sb: &Sandbox) -> BTreeMap<String, Option<String>> {
    sb.fleet()
        .repos
        .iter()
        .map(|r| (r.full_name.clone(), sb.branch_sha(&r.full_name, &r.branch)))
        .collect()
}

/// After a full-token `all` run (or all shards of one): checks each repository's real git
/// state and PRs against the fleet's ground truth, and its reported status.
pub fn assert_fleet_after_all_mode(
    h: &Harness,
    before: &BTreeMap<String, Option<String>>,
    progress: &BTreeMap<String, serde_json::Value>,
) {
    let sb = &h.sb;
    let fleet = sb.fleet().clone();
    assert_eq!(
        progress.len(),
        fleet.repos.len(),
        "every repository is reported"
    );
    let mut checked = BTreeMap::<&str, usize>::new();
    for r in &fleet.repos {
        let now = sb.branch_sha(&r.full_name, &r.branch);
        let was = before[&r.full_name].clone();
        let st = status(progress, &r.full_name);
        let up = upstream_head(sb, r);
        match r.category {
            Category::Missing => {
                assert_eq!(st, "inaccessible", "{}", r.full_name);
            }
            Category::Archived => {
                assert_eq!(now, was, "{} archived: untouched", r.full_name);
                assert_eq!(st, "skipped", "{}", r.full_name);
                assert!(sync_prs(sb, r).is_empty());
            }
            Category::ForeignUpstream => {
                assert_eq!(now, was, "{}", r.full_name);
                assert_eq!(st, "skipped", "{}", r.full_name);
            }
            _ if r.behind == 0 => {
                assert_eq!(now, was, "{}", r.full_name);
                assert_eq!(st, "up_to_date", "{}", r.full_name);
            }
            _ if r.ahead == 0 && r.behind <= 10 => {
                // Fast-forwardable within the threshold: now equals its upstream.
                assert_eq!(now, up, "{} should be fast-forwarded", r.full_name);
                assert_eq!(st, "synced", "{}", r.full_name);
            }
            _ => {
                // Diverged, conflicting or far behind: the branch keeps its own commits (it is
                // not touched at all), and exactly one sync PR is open.
                assert_eq!(now, was, "{} must not be rewritten", r.full_name);
                let prs = sync_prs(sb, r);
                assert_eq!(prs.len(), 1, "{}: one sync PR, got {prs:?}", r.full_name);
                let pr = &prs[0];
                assert_eq!(pr.base, r.branch);
                assert_eq!(
                    pr.head_sha, up,
                    "{}: sync branch at the upstream head",
                    r.full_name
                );
                assert!(
                    pr.labels.iter().any(|l| l == "priority-sync"),
                    "{}: {:?}",
                    r.full_name,
                    pr.labels
                );
                if r.conflicts {
                    assert!(
                        pr.labels.iter().any(|l| l == "sync-conflict"),
                        "{}: {:?}",
                        r.full_name,
                        pr.labels
                    );
                }
                if r.security_alerts > 0 {
                    for l in ["urgent", "security"] {
                        assert!(
                            pr.labels.iter().any(|x| x == l),
                            "{}: {:?}",
                            r.full_name,
                            pr.labels
                        );
                    }
                }
                assert_eq!(st, "pr_open", "{}", r.full_name);
            }
        }
        *checked.entry(r.category.as_str()).or_default() += 1;
    }
    // The fleet really has every kind of repository.
    for c in [
        "in_sync",
        "behind",
        "far_behind",
        "diverged",
        "conflicting",
        "archived",
        "missing",
    ] {
        assert!(
            checked.get(c).copied().unwrap_or(0) > 0,
            "no {c} repository in the fleet: {checked:?}"
        );
    }
}

/// Parses a `GITHUB_OUTPUT` file (`name<<DELIMITER`, value lines, `DELIMITER`) as the runner does.
pub fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(l) = lines.next() {
        let (name, delim) = l.split_once("<<").expect("heredoc syntax");
        let mut v = Vec::new();
        for l in lines.by_ref() {
            if l == delim {
                break;
            }
            v.push(l);
        }
        map.insert(name.to_string(), v.join("\n"));
    }
    map
}

/// Every input of action.yml with its default, as the runner passes them (`INPUT_<NAME>`; a
/// default of `${{ github.token }}` becomes `token`).
pub fn default_inputs(token: &str) -> Vec<(String, String)> {
    let doc: serde_yaml::Value = serde_yaml::from_str(include_str!("../../action.yml")).unwrap();
    doc["inputs"]
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let default = v["default"].as_str().unwrap_or("");
            let value = if default.contains("${{ github.token }}") {
                token
            } else {
                default
            };
            (
                format!("INPUT_{}", k.as_str().unwrap().to_uppercase()),
                value.to_string(),
            )
        })
        .collect()
}

/// The runner's side of one step of the action: the workspace it starts in, the event and
/// the files it hands over for outputs and the job summary.
pub struct RunnerStep<'a> {
    pub workspace: &'a Path,
    pub event_name: &'a str,
    pub event_path: &'a Path,
    pub output_file: &'a Path,
    pub summary_file: &'a Path,
}

impl Harness {
    /// `binary` started as the runner starts a Docker action's entrypoint against the
    /// sandbox: no arguments, in the workspace, a clean environment with every declared input
    /// at its default and the runner's `GITHUB_*` context. The caller adds the step's `with:`.
    pub fn action_command(&self, binary: &Path, step: &RunnerStep) -> Command {
        let mut cmd = Command::new(binary);
        cmd.current_dir(step.workspace).env_clear();
        cmd.envs(default_inputs(&self.sb.token()));
        for (k, v) in [
            ("GITHUB_ACTIONS", "true"),
            ("CI", "true"),
            ("HOME", "/github/home"),
            ("GITHUB_EVENT_NAME", step.event_name),
            ("GITHUB_EVENT_PATH", step.event_path.to_str().unwrap()),
            ("GITHUB_OUTPUT", step.output_file.to_str().unwrap()),
            ("GITHUB_STEP_SUMMARY", step.summary_file.to_str().unwrap()),
            ("GITHUB_WORKSPACE", step.workspace.to_str().unwrap()),
            ("GITHUB_REPOSITORY", &self.sb.repository()),
            ("GITHUB_REF", &format!("refs/heads/{}", self.audit_branch())),
            ("GITHUB_API_URL", &self.sb.api_url()),
            ("GITHUB_SERVER_URL", "https://github.example"),
            ("RUNNER_OS", "Linux"),
            ("PRIORITY_SYNC_WRITES_PER_MINUTE", "60000"),
        ] {
            cmd.env(k, v);
        }
        cmd
    }
}

impl Harness {
    /// Runs the action entrypoint authenticated as the sandbox's GitHub App (no token at all).
    pub fn run_as_app(&self, mode: &str, extra: &[(&str, &str)]) -> Output {
        let app = self.sb.app().expect("the sandbox plays a GitHub App");
        let id = app.app_id.to_string();
        let inv = self.inventory();
        let mut env: Vec<(&str, &str)> = vec![
            ("GITHUB_TOKEN", ""),
            ("GITHUB_ACTIONS", "true"),
            ("INPUT_CONFIG", inv.to_str().unwrap()),
            ("INPUT_MODE", mode),
            ("INPUT_APP_ID", &id),
            ("INPUT_APP_PRIVATE_KEY", &app.private_key_pem),
            ("GITHUB_WORKSPACE", self.dir.path().to_str().unwrap()),
        ];
        env.extend_from_slice(extra);
        self.run(&[], &env)
    }
}

// ------------------------------------------------------------------ convergence checks

/// What a run leaves, per repository: compared with a fault-free reference run of the same
/// fleet to tell whether a faulted run (and its clean rerun) recovered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoEnd {
    pub head: Option<String>,
    pub sync_prs: usize,
    pub sync_pr_head: Option<String>,
    /// Open PRs straight from the upstream branch (the no-workflow-permission fallback).
    pub upstream_prs: usize,
    /// `in_sync` for synced/up_to_date (a rerun reports a fast-forwarded repository as
    /// up to date), else the status.
    pub status: String,
}

/// Every fleet repository's [`RepoEnd`], from the sandbox and the last run's progress file.
pub fn end_state(h: &Harness) -> BTreeMap<String, RepoEnd> {
    let progress = h.progress();
    h.sb.fleet()
        .repos
        .iter()
        .map(|r| {
            let prs = sync_prs(&h.sb, r);
            let upstream_prs = r
                .parent
                .as_ref()
                .map(|p| {
                    let owner = p.split('/').next().unwrap();
                    h.sb.open_pulls(&r.full_name)
                        .iter()
                        .filter(|x| x.head == format!("{owner}:{}", r.upstream_branch))
                        .count()
                })
                .unwrap_or(0);
            let st = progress[&r.full_name.to_ascii_lowercase()]["status"]
                .as_str()
                .unwrap();
            let status = if st == "synced" || st == "up_to_date" {
                "in_sync"
            } else {
                st
            };
            (
                r.full_name.clone(),
                RepoEnd {
                    head: h.sb.branch_sha(&r.full_name, &r.branch),
                    sync_prs: prs.len(),
                    sync_pr_head: prs.first().and_then(|p| p.head_sha.clone()),
                    upstream_prs,
                    status: status.to_string(),
                },
            )
        })
        .collect()
}

/// Every branch head of every repository (fleet, upstreams, audit).
pub fn all_refs(sb: &Sandbox) -> BTreeMap<(String, String), String> {
    let mut repos: Vec<String> = sb
        .fleet()
        .repos
        .iter()
        .map(|r| r.full_name.clone())
        .collect();
    repos.extend(sb.fleet().repos.iter().filter_map(|r| r.parent.clone()));
    repos.push(sb.repository());
    repos.sort();
    repos.dedup();
    let mut out = BTreeMap::new();
    for r in repos {
        for b in sb.branches(&r) {
            if let Some(sha) = sb.branch_sha(&r, &b) {
                out.insert((r.clone(), b), sha);
            }
        }
    }
    out
}

/// How much a convergence check looked at.
#[derive(Debug, Default, Clone, Copy)]
pub struct Checked {
    pub repos: usize,
    pub branches: usize,
}

/// After a clean rerun (the caller runs it): every repository ends as in `reference`, except
/// those in `expected` (repositories the scenario legitimately changed, with their own
/// expected end); no repository has two sync PRs; no commit is lost on any branch of
/// `before` (every old head is an ancestor of the head now).
pub fn assert_converged(
    name: &str,
    h: &Harness,
    reference: &BTreeMap<String, RepoEnd>,
    expected: &BTreeMap<String, RepoEnd>,
    before: &BTreeMap<(String, String), String>,
) -> Checked {
    let end = end_state(h);
    assert_eq!(end.len(), reference.len(), "{name}: fleet size");
    for (repo, want) in reference {
        let want = expected.get(repo).unwrap_or(want);
        assert_eq!(
            &end[repo], want,
            "{name}: {repo} differs from its expected end (the fault-free run unless the scenario changed it)"
        );
    }
    for repo in expected.keys() {
        assert!(
            reference.contains_key(repo),
            "{name}: {repo} not in the fleet"
        );
    }
    assert_no_duplicate_sync_prs(name, h);
    Checked {
        repos: end.len(),
        branches: assert_no_commit_lost(name, h, before),
    }
}

/// No repository of the fleet has two open sync PRs.
pub fn assert_no_duplicate_sync_prs(name: &str, h: &Harness) {
    for r in &h.sb.fleet().repos {
        assert!(
            sync_prs(&h.sb, r).len() <= 1,
            "{name}: duplicate sync PRs on {}",
            r.full_name
        );
    }
}

/// No commit lost on any branch of `before`: every old head is an ancestor of the head now.
/// Returns how many branches it checked.
pub fn assert_no_commit_lost(
    name: &str,
    h: &Harness,
    before: &BTreeMap<(String, String), String>,
) -> usize {
    for ((repo, branch), old) in before {
        let now =
            h.sb.branch_sha(repo, branch)
                .unwrap_or_else(|| panic!("{name}: {repo}@{branch} vanished"));
        assert!(
            h.sb.is_ancestor(repo, old, &now),
            "{name}: {repo}@{branch} lost {old}"
        );
    }
    before.len()
}

// ------------------------------------------------------------------ seeded state

/// A `sync-state.json` committed to the audit repository before a run, holding facts no run
/// of the suite would write again: an old history entry, an entry for a repository that left
/// the inventory, and old last-in-sync / last-synced dates on fleet repositories.
pub struct SeededState {
    /// The seeded run history entry.
    pub old_run: serde_json::Value,
    /// Entries that must come back exactly as seeded (lower-cased `owner/name` → entry): the
    /// retired repository, and fleet repositories that never end in sync.
    pub exact: BTreeMap<String, serde_json::Value>,
    /// Fleet repositories that end in sync: their seeded `last_synced_at` must survive (a
    /// rerun reports them up to date, which does not touch it) and `last_in_sync_at` may
    /// only move forward.
    pub in_sync: BTreeMap<String, serde_json::Value>,
}

const OLD_IN_SYNC: &str = "2025-10-01T06:00:00Z";
const OLD_SYNCED: &str = "2025-09-01T06:00:00Z";

fn seeded_entry(repo: &str, status: &str) -> serde_json::Value {
    serde_json::json!({
        "repo": repo,
        "last_in_sync_at": OLD_IN_SYNC,
        "last_synced_at": OLD_SYNCED,
        "last_seen_at": "2025-10-02T06:00:00Z",
        "last_status": status,
        "open_prs": 0,
        "sync_pr": null,
    })
}

/// Commits a prior state to the audit repository (before the runs of a scenario).
pub fn seed_state(h: &Harness) -> SeededState {
    let fleet = h.sb.fleet();
    let pick = |what: &str, f: &dyn Fn(&FleetRepo) -> bool| -> String {
        fleet
            .repos
            .iter()
            .find(|r| f(r))
            .unwrap_or_else(|| panic!("the fleet has no {what} repository"))
            .full_name
            .clone()
    };
    // Never in sync at the end: diverged (a sync PR) and missing (inaccessible).
    let diverged = pick("diverged", &|r| {
        r.category == Category::Diverged && r.exists && !r.archived
    });
    let missing = pick("missing", &|r| r.category == Category::Missing);
    let in_sync = pick("in-sync", &|r| {
        r.category == Category::InSync && r.exists && !r.archived
    });
    let old_run = serde_json::json!({
        "started_at": "2025-06-01T06:00:00Z",
        "finished_at": "2025-06-01T06:04:00Z",
        "mode": "all",
        "dry_run": false,
        "total": 57,
        "counts": {"synced": 5, "pr_open": 9, "up_to_date": 40, "inaccessible": 3},
        "synced": 5,
        "sync_percentage": 78.9,
    });
    let mut exact = BTreeMap::new();
    exact.insert(
        "heyns1000/retired-fork".to_string(),
        seeded_entry("heyns1000/retired-fork", "up_to_date"),
    );
    exact.insert(
        diverged.to_ascii_lowercase(),
        seeded_entry(&diverged, "pr_open"),
    );
    exact.insert(
        missing.to_ascii_lowercase(),
        seeded_entry(&missing, "inaccessible"),
    );
    let mut in_sync_map = BTreeMap::new();
    in_sync_map.insert(
        in_sync.to_ascii_lowercase(),
        seeded_entry(&in_sync, "up_to_date"),
    );
    let mut repos = serde_json::Map::new();
    for (k, v) in exact.iter().chain(in_sync_map.iter()) {
        repos.insert(k.clone(), v.clone());
    }
    let state = serde_json::json!({
        "schema_version": 1,
        "repos": repos,
        "runs": [old_run.clone()],
    });
    h.sb.push_commit(
        &h.sb.repository(),
        &h.audit_branch(),
        "audit/sync-state.json",
        &(serde_json::to_string_pretty(&state).unwrap() + "\n"),
        "priority-sync: state of an earlier run",
    )
    .expect("seed the state");
    SeededState {
        old_run,
        exact: exact
            .into_iter()
            .map(|(k, v)| {
                // A run keeps what it does not see. Of what it sees it updates what it
                // observed (last seen, status, open PRs, sync PR, compare), never the old
                // in-sync facts of a repository that is not in sync now.
                if k == "heyns1000/retired-fork" {
                    return (k, v);
                }
                let kept = serde_json::json!({
                    "last_in_sync_at": v["last_in_sync_at"],
                    "last_synced_at": v["last_synced_at"],
                });
                (k, kept)
            })
            .collect(),
        in_sync: in_sync_map,
    }
}

/// The committed state at the audit branch's head.
pub fn committed_state(h: &Harness) -> serde_json::Value {
    let text =
        h.sb.file_text(&h.sb.repository(), &h.audit_head(), "audit/sync-state.json")
            .expect("a committed sync-state.json");
    serde_json::from_str(&text).unwrap()
}

/// The seeded entries and history survived whatever ran since `seed_state`; returns the
/// number of facts checked.
pub fn assert_state_kept(name: &str, h: &Harness, seeded: &SeededState) -> usize {
    let state = committed_state(h);
    let repos = state["repos"].as_object().unwrap();
    let mut checked = 0;
    let runs = state["runs"].as_array().unwrap();
    assert!(
        runs.contains(&seeded.old_run),
        "{name}: the old history entry was lost: {runs:#?}"
    );
    checked += 1;
    for (key, want) in &seeded.exact {
        let got = repos
            .get(key)
            .unwrap_or_else(|| panic!("{name}: state lost {key}"));
        for (field, v) in want.as_object().unwrap() {
            assert_eq!(
                &got[field], v,
                "{name}: {key}.{field} changed (seeded {v}, now {})",
                got[field]
            );
            checked += 1;
        }
    }
    for (key, seeded_entry) in &seeded.in_sync {
        let got = repos
            .get(key)
            .unwrap_or_else(|| panic!("{name}: state lost {key}"));
        assert_eq!(
            got["last_synced_at"], seeded_entry["last_synced_at"],
            "{name}: {key}.last_synced_at changed"
        );
        let at = |v: &serde_json::Value| {
            chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap()
        };
        assert!(
            at(&got["last_in_sync_at"]) >= at(&seeded_entry["last_in_sync_at"]),
            "{name}: {key}.last_in_sync_at went back"
        );
        checked += 2;
    }
    checked
}
