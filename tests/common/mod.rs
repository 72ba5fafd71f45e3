//! Shared helpers for the end-to-end tests: a sandbox fleet, a scratch directory with its
//! inventory, and the real `priority-sync` binary run against them.

#![allow(dead_code)]

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
        cmd.output().expect("run priority-sync")
    }

    /// `priority-sync run --config inventory.yml <args>`, asserting success.
    pub fn sync(&self, args: &[&str]) -> Output {
        let inv = self.inventory();
        let mut all = vec![
            "run",
            "--config",
            inv.to_str().unwrap(),
            "--artifacts-dir",
            "audit-out",
        ];
        all.extend_from_slice(args);
        let out = self.run(&all, &[]);
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
                    head: format!("{:040x}", i * 2 + 1),
                    upstream_head: format!("{:040x}", i * 2 + 2),
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
