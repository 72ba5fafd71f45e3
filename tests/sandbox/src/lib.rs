//! A local GitHub backed by real git repositories, for priority-sync's tests, benchmarks and
//! demo: REST and GraphQL on 127.0.0.1 with GitHub's paths, status codes, headers and JSON
//! shapes, a deterministic fleet of forks in every state, tokens with limited permissions,
//! rate limits, fault injection and a request log.
//!
//! ```no_run
//! use github_sandbox::{Sandbox, SandboxConfig};
//! let sb = Sandbox::start(SandboxConfig { repos: 30, seed: 7, ..SandboxConfig::default() }).unwrap();
//! let omnigrid = sb.fleet().get("heyns1000/omnigrid").unwrap();
//! println!("{} is {} behind; API at {}", omnigrid.full_name, omnigrid.behind, sb.api_url());
//! sb.assert_no_unexpected_routes();
//! ```

#![recursion_limit = "256"]

pub mod auth;
pub mod faults;
pub mod fleet;
pub mod git;
pub mod graphql;
pub mod log;
pub mod model;
pub mod rest;
pub mod server;
pub mod shapes;
pub mod util;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub use auth::{TokenKind, TokenSpec};
pub use faults::{FaultAction, FaultRule, Faults};
pub use fleet::{Category, Fleet, FleetRepo};
pub use log::{Counters, Kind, LogEntry};

use git::{store_ref, GitError};
use server::Shared;

/// How to start a sandbox. `SandboxConfig::default()` is the 104-repo fleet, seed 1.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// Fleet size: inventory entries (Top 12 + the source's examples + generated ones).
    pub repos: usize,
    /// Seed of everything random (fleet, faults).
    pub seed: u64,
    /// Generation "now" (Unix seconds); None = wall clock. Fix it for reproducible shas.
    pub now: Option<i64>,
    /// Address to bind (port 0 = any free port).
    pub addr: SocketAddr,
    /// Serve the GitHub Enterprise Server layout (REST under `/api/v3`, GraphQL at `/api/graphql`).
    pub ghes: bool,
    /// Accepted tokens (default: `TokenSpec::defaults()`).
    pub tokens: Vec<TokenSpec>,
    /// Faults and latency at start (changeable later with `Sandbox::set_faults`).
    pub faults: Faults,
    /// Content-creating requests allowed per token per minute (GitHub: 80).
    pub content_limit_per_minute: u32,
    /// Append every exchange as JSONL to this file.
    pub log_path: Option<PathBuf>,
    /// How many exchanges to keep in memory for `log_entries` (0 = none).
    pub log_capacity: usize,
    /// Where the git stores go (default: a fresh directory under /dev/shm, else the temp dir;
    /// removed on drop).
    pub data_dir: Option<PathBuf>,
    /// Play a GitHub App (generates an RSA key at start; see `Sandbox::app`).
    pub github_app: bool,
    /// Threads used to write the fleet's git histories.
    pub gen_threads: usize,
    /// Tokio worker threads serving requests.
    pub worker_threads: usize,
    /// Print each unexpected route to stderr as it is asked (the `serve` binary does).
    pub echo_unexpected: bool,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            repos: 104,
            seed: 1,
            now: None,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            ghes: false,
            tokens: TokenSpec::defaults(),
            faults: Faults::default(),
            content_limit_per_minute: 80,
            log_path: None,
            log_capacity: 100_000,
            data_dir: None,
            github_app: false,
            gen_threads: 2,
            worker_threads: 2,
            echo_unexpected: false,
        }
    }
}

/// Why a sandbox could not start.
#[derive(Debug)]
pub enum SandboxError {
    /// File system or socket error.
    Io(std::io::Error),
    /// Git error while generating the fleet.
    Git(GitError),
    /// Anything else.
    Other(String),
}

impl std::fmt::Display for SandboxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SandboxError::Io(e) => write!(f, "io: {e}"),
            SandboxError::Git(e) => write!(f, "{e}"),
            SandboxError::Other(s) => f.write_str(s),
        }
    }
}

impl std::error::Error for SandboxError {}

impl From<std::io::Error> for SandboxError {
    fn from(e: std::io::Error) -> Self {
        SandboxError::Io(e)
    }
}

impl From<GitError> for SandboxError {
    fn from(e: GitError) -> Self {
        SandboxError::Git(e)
    }
}

/// The GitHub App the sandbox plays (when `github_app` is on).
#[derive(Clone, Debug)]
pub struct AppInfo {
    /// App id: the JWT's `iss`.
    pub app_id: u64,
    /// Installation id covering every repository.
    pub installation_id: u64,
    /// RSA private key (PKCS#1 PEM) to sign JWTs with.
    pub private_key_pem: String,
    /// File holding the same PEM.
    pub key_path: PathBuf,
}

/// A pull request as tests see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PullInfo {
    /// Number.
    pub number: u64,
    /// Title.
    pub title: String,
    /// Body.
    pub body: Option<String>,
    /// `owner:branch` of the head.
    pub head: String,
    /// Head branch name.
    pub head_ref: String,
    /// Base branch name.
    pub base: String,
    /// Current head sha (None if the branch is gone).
    pub head_sha: Option<String>,
    /// Label names.
    pub labels: Vec<String>,
    /// Requested reviewers.
    pub reviewers: Vec<String>,
    /// Author login.
    pub user: String,
    /// Open.
    pub open: bool,
}

static INSTANCE: AtomicU64 = AtomicU64::new(0);

/// A running sandbox. Dropping it stops the server and removes its data directory.
pub struct Sandbox {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    data_dir: PathBuf,
    owns_dir: bool,
    default_token: String,
    startup: std::time::Duration,
}

fn default_data_dir() -> PathBuf {
    let n = INSTANCE.fetch_add(1, Ordering::Relaxed);
    let name = format!("github-sandbox-{}-{n}", std::process::id());
    let shm = Path::new("/dev/shm");
    let writable = shm.is_dir()
        && std::fs::metadata(shm)
            .map(|m| !m.permissions().readonly())
            .unwrap_or(false)
        && std::fs::create_dir_all(shm.join(&name)).is_ok();
    if writable {
        shm.join(name)
    } else {
        std::env::temp_dir().join(name)
    }
}

impl Sandbox {
    /// Generates the fleet, binds the server and starts serving on a background thread.
    /// Works from synchronous tests and from inside an async runtime alike.
    pub fn start(cfg: SandboxConfig) -> Result<Sandbox, SandboxError> {
        let t0 = Instant::now();
        let (data_dir, owns_dir) = match &cfg.data_dir {
            Some(d) => (d.clone(), false),
            None => (default_data_dir(), true),
        };
        std::fs::create_dir_all(&data_dir)?;
        let now = cfg.now.unwrap_or_else(util::wall_now);
        let listener = server::bind(cfg.addr)?;
        let addr = listener.local_addr()?;
        let gen = fleet::generate(&fleet::GenParams {
            repos: cfg.repos,
            seed: cfg.seed,
            now,
            dir: &data_dir.join("networks"),
            threads: cfg.gen_threads,
        })?;
        let app = if cfg.github_app {
            Some(
                auth::AppKey::generate(424_242, 1_000_001, &data_dir)
                    .map_err(SandboxError::Other)?,
            )
        } else {
            None
        };
        let base = format!("http://{addr}");
        let api = if cfg.ghes {
            format!("{base}/api/v3")
        } else {
            base.clone()
        };
        let default_token = cfg
            .tokens
            .first()
            .map(|t| t.token.clone())
            .ok_or_else(|| SandboxError::Other("at least one token is needed".into()))?;
        let shared = Arc::new(Shared {
            base,
            api,
            ghes: cfg.ghes,
            world: Mutex::new(gen.world),
            store: git::Store::new(gen.net_paths),
            fleet: gen.fleet,
            auth: Mutex::new(auth::AuthState::new(
                &cfg.tokens,
                cfg.content_limit_per_minute,
            )),
            faults: Mutex::new(faults::FaultState::new(cfg.faults.clone())),
            log: Mutex::new({
                let mut log = log::LogState::new(cfg.log_path.as_deref(), cfg.log_capacity)?;
                log.echo_unexpected = cfg.echo_unexpected;
                log
            }),
            clock: (Instant::now(), now),
            app,
            seq: AtomicU64::new(1),
        });
        let (tx, rx) = tokio::sync::oneshot::channel();
        let sh = shared.clone();
        let workers = cfg.worker_threads.max(1);
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<(), String>>();
        let thread = std::thread::Builder::new()
            .name("github-sandbox".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(workers)
                    .max_blocking_threads(64)
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e.to_string()));
                        return;
                    }
                };
                rt.block_on(async move {
                    match tokio::net::TcpListener::from_std(listener) {
                        Ok(l) => {
                            let _ = ready_tx.send(Ok(()));
                            server::run(l, sh, rx).await;
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e.to_string()));
                        }
                    }
                });
                rt.shutdown_timeout(std::time::Duration::from_secs(1));
            })?;
        ready_rx
            .recv()
            .map_err(|e| SandboxError::Other(e.to_string()))?
            .map_err(SandboxError::Other)?;
        Ok(Sandbox {
            shared,
            addr,
            stop: Some(tx),
            thread: Some(thread),
            data_dir,
            owns_dir,
            default_token,
            startup: t0.elapsed(),
        })
    }

    // ---------------------------------------------------------------- where and who

    /// REST base URL (`http://127.0.0.1:PORT`, or `…/api/v3` in GHES layout).
    pub fn api_url(&self) -> String {
        self.shared.api.clone()
    }

    /// GraphQL endpoint (`…/graphql`, or `…/api/graphql` in GHES layout).
    pub fn graphql_url(&self) -> String {
        if self.shared.ghes {
            format!("{}/api/graphql", self.shared.base)
        } else {
            format!("{}/graphql", self.shared.base)
        }
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The token with every permission.
    pub fn token(&self) -> String {
        self.default_token.clone()
    }

    /// A token by short name: `full`, `no-workflow`, `no-dependabot`, `read-only` (or any
    /// name given in `SandboxConfig::tokens`).
    pub fn token_named(&self, name: &str) -> Option<String> {
        self.shared.auth().by_name(name).map(|t| t.token.clone())
    }

    /// The audit repository (`heyns1000/fleet-control`) that holds the inventory and receives
    /// the artifacts.
    pub fn repository(&self) -> String {
        self.shared.fleet.audit_repo.clone()
    }

    /// The priority-sync inventory (YAML) matching the fleet.
    pub fn inventory_yaml(&self) -> String {
        self.shared.fleet.inventory_yaml.clone()
    }

    /// Ground truth of the generated fleet.
    pub fn fleet(&self) -> &Fleet {
        &self.shared.fleet
    }

    /// The GitHub App, when enabled.
    pub fn app(&self) -> Option<AppInfo> {
        self.shared.app.as_ref().map(|a| AppInfo {
            app_id: a.app_id,
            installation_id: a.installation_id,
            private_key_pem: a.private_key_pem.clone(),
            key_path: a.key_path.clone(),
        })
    }

    /// How long `start` took (generation included).
    pub fn startup_time(&self) -> std::time::Duration {
        self.startup
    }

    /// The sandbox clock (Unix seconds): generation "now" plus time since start.
    pub fn now(&self) -> i64 {
        self.shared.now()
    }

    // ---------------------------------------------------------------- real git state

    fn locate(&self, repo: &str) -> Option<(usize, u64, usize)> {
        let w = self.shared.world();
        let i = w.find_full(repo)?;
        Some((i, w.repos[i].id, w.repos[i].net))
    }

    /// Does the repository exist?
    pub fn exists(&self, repo: &str) -> bool {
        self.locate(repo).is_some()
    }

    /// Default branch of a repository.
    pub fn default_branch(&self, repo: &str) -> Option<String> {
        let w = self.shared.world();
        w.find_full(repo).map(|i| w.repos[i].default_branch.clone())
    }

    /// The parent (`owner/name`) of a fork.
    pub fn parent(&self, repo: &str) -> Option<String> {
        let w = self.shared.world();
        let i = w.find_full(repo)?;
        w.repos[i].parent.map(|p| w.repos[p].full_name())
    }

    /// Head sha of a branch.
    pub fn branch_sha(&self, repo: &str, branch: &str) -> Option<String> {
        let (_, id, net) = self.locate(repo)?;
        self.shared
            .store
            .with(net, |g| {
                Ok(git::read_ref(g, &store_ref(id, &format!("heads/{branch}"))))
            })
            .ok()
            .flatten()
            .map(|o| o.to_string())
    }

    /// Branch names of a repository.
    pub fn branches(&self, repo: &str) -> Vec<String> {
        let Some((_, id, net)) = self.locate(repo) else {
            return Vec::new();
        };
        self.shared
            .store
            .with(net, |g| git::list_refs(g, &store_ref(id, "heads/")))
            .map(|v| v.into_iter().map(|(n, _)| n).collect())
            .unwrap_or_default()
    }

    /// Is `ancestor` reachable from `tip` (both shas in `repo`'s network)?
    pub fn is_ancestor(&self, repo: &str, ancestor: &str, tip: &str) -> bool {
        let Some((_, _, net)) = self.locate(repo) else {
            return false;
        };
        let (Ok(a), Ok(t)) = (git2::Oid::from_str(ancestor), git2::Oid::from_str(tip)) else {
            return false;
        };
        self.shared
            .store
            .with(net, |g| git::is_ancestor(g, a, t))
            .unwrap_or(false)
    }

    /// `git rev-list --count base..head` in `repo`'s network.
    pub fn count_between(&self, repo: &str, base: &str, head: &str) -> usize {
        let Some((_, _, net)) = self.locate(repo) else {
            return 0;
        };
        let (Ok(b), Ok(h)) = (git2::Oid::from_str(base), git2::Oid::from_str(head)) else {
            return 0;
        };
        self.shared
            .store
            .with(net, |g| git::count_between(g, &[b], h))
            .unwrap_or(0)
    }

    /// (behind, ahead) of a fork's branch against its parent's same-named branch (or the
    /// parent's default branch), from real git.
    pub fn behind_ahead(&self, fork: &str, branch: &str) -> Option<(usize, usize)> {
        let parent = self.parent(fork)?;
        let mine = self.branch_sha(fork, branch)?;
        let theirs = self
            .branch_sha(&parent, branch)
            .or_else(|| self.branch_sha(&parent, &self.default_branch(&parent)?))?;
        Some((
            self.count_between(fork, &mine, &theirs),
            self.count_between(fork, &theirs, &mine),
        ))
    }

    /// Pull requests of a repository (open and closed), as tests want to see them.
    pub fn pulls(&self, repo: &str) -> Vec<PullInfo> {
        let (list, net) = {
            let w = self.shared.world();
            let Some(i) = w.find_full(repo) else {
                return Vec::new();
            };
            let list: Vec<(model::Pull, String, u64)> = w.repos[i]
                .pulls
                .iter()
                .map(|p| {
                    (
                        p.clone(),
                        w.repos[p.head_repo].owner.clone(),
                        w.repos[p.head_repo].id,
                    )
                })
                .collect();
            (list, w.repos[i].net)
        };
        list.into_iter()
            .map(|(p, owner, hid)| {
                let head_sha = self
                    .shared
                    .store
                    .with(net, |g| {
                        Ok(git::read_ref(
                            g,
                            &store_ref(hid, &format!("heads/{}", p.head_ref)),
                        ))
                    })
                    .ok()
                    .flatten()
                    .map(|o| o.to_string());
                PullInfo {
                    number: p.number,
                    title: p.title,
                    body: p.body,
                    head: format!("{owner}:{}", p.head_ref),
                    head_ref: p.head_ref,
                    base: p.base_ref,
                    head_sha,
                    labels: p.labels,
                    reviewers: p.reviewers,
                    user: p.user,
                    open: p.open,
                }
            })
            .collect()
    }

    /// Open pull requests of a repository.
    pub fn open_pulls(&self, repo: &str) -> Vec<PullInfo> {
        self.pulls(repo).into_iter().filter(|p| p.open).collect()
    }

    /// A file's bytes at a branch, tag or sha.
    pub fn file_at(&self, repo: &str, git_ref: &str, path: &str) -> Option<Vec<u8>> {
        let (_, id, net) = self.locate(repo)?;
        self.shared
            .store
            .with(net, |g| {
                let tip = git::read_ref(g, &store_ref(id, &format!("heads/{git_ref}")))
                    .or_else(|| git2::Oid::from_str(git_ref).ok());
                let Some(tip) = tip else { return Ok(None) };
                Ok(match git::read_path(g, tip, path)? {
                    Some(git::PathObject::File(_, _, data)) => Some(data),
                    _ => None,
                })
            })
            .ok()
            .flatten()
    }

    /// A file's text at a branch, tag or sha.
    pub fn file_text(&self, repo: &str, git_ref: &str, path: &str) -> Option<String> {
        self.file_at(repo, git_ref, path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    /// The bare repository holding `repo`'s network (for the git CLI).
    pub fn git_dir(&self, repo: &str) -> Option<PathBuf> {
        let (_, _, net) = self.locate(repo)?;
        Some(self.shared.store.path(net).to_path_buf())
    }

    /// The full ref name of `repo`'s branch inside its network store
    /// (`refs/sandbox/<id>/heads/<branch>`), for the git CLI.
    pub fn store_ref(&self, repo: &str, branch: &str) -> Option<String> {
        let (_, id, _) = self.locate(repo)?;
        Some(store_ref(id, &format!("heads/{branch}")))
    }

    // ---------------------------------------------------------------- mutations

    /// Commits `content` to `path` on `repo`'s `branch` (a push); returns the new sha.
    pub fn push_commit(
        &self,
        repo: &str,
        branch: &str,
        path: &str,
        content: &str,
        message: &str,
    ) -> Option<String> {
        let (idx, id, net) = self.locate(repo)?;
        let now = self.shared.now();
        let out = self.shared.store.with(net, |g| {
            let name = store_ref(id, &format!("heads/{branch}"));
            let Some(old) = git::read_ref(g, &name) else {
                return Ok(None);
            };
            let blob = g.blob(content.as_bytes())?;
            let base_tree = g.find_commit(old)?.tree_id();
            let tree = git::build_tree(
                g,
                Some(base_tree),
                &[git::NewTreeEntry {
                    path: path.to_string(),
                    mode: 0o100644,
                    oid: Some(blob),
                }],
            )?;
            let sig = git::signature("Upstream Maintainer", "maintainer@upstream.example", now)?;
            let c = git::write_commit(g, tree, &[old], message, &sig, &sig)?;
            git::write_ref(g, &name, c, Some(old))?;
            Ok(Some(c))
        });
        let c = out.ok().flatten()?;
        let mut w = self.shared.world();
        w.repos[idx].pushed_at = now;
        Some(c.to_string())
    }

    /// Points `repo`'s existing `branch` at `sha` (a force push; `sha` must be in the repository's
    /// network, e.g. its upstream's head). Returns false when the repository, the branch or the
    /// commit does not exist there.
    pub fn set_branch(&self, repo: &str, branch: &str, sha: &str) -> bool {
        self.push_branch(repo, branch, sha, true)
    }

    /// Creates `branch` in `repo` at `sha` (a push of a new branch; `sha` must be in the
    /// repository's network). Returns false when the branch exists already or the repository
    /// or the commit does not.
    pub fn create_branch(&self, repo: &str, branch: &str, sha: &str) -> bool {
        self.push_branch(repo, branch, sha, false)
    }

    /// A push of `sha` to `branch`: over the branch as it is when `existing` (which must then
    /// exist), else as a new branch (which must not). Marks the repository pushed.
    fn push_branch(&self, repo: &str, branch: &str, sha: &str, existing: bool) -> bool {
        let Some((idx, id, net)) = self.locate(repo) else {
            return false;
        };
        let Ok(new) = git2::Oid::from_str(sha) else {
            return false;
        };
        let done = self.shared.store.with(net, |g| {
            let name = store_ref(id, &format!("heads/{branch}"));
            let expected = match (existing, git::read_ref(g, &name)) {
                (true, None) => return Ok(false),
                (true, old) => old,
                (false, _) => None,
            };
            if g.find_commit(new).is_err() {
                return Ok(false);
            }
            Ok(matches!(
                git::write_ref(g, &name, new, expected)?,
                git::RefWrite::Done
            ))
        });
        if !matches!(done, Ok(true)) {
            return false;
        }
        let now = self.shared.now();
        self.shared.world().repos[idx].pushed_at = now;
        true
    }

    /// Opens a pull request in `repo` from its own branch `head` into `base`, as `user` (a
    /// person, not priority-sync). Returns its number, or None when the repository or either
    /// branch does not exist.
    pub fn open_pull(
        &self,
        repo: &str,
        head: &str,
        base: &str,
        title: &str,
        body: &str,
        user: &str,
    ) -> Option<u64> {
        self.branch_sha(repo, head)?;
        self.branch_sha(repo, base)?;
        let now = self.shared.now();
        let mut w = self.shared.world();
        let idx = w.find_full(repo)?;
        w.ensure_account(user, false);
        let id = w.fresh_id();
        let r = &mut w.repos[idx];
        let number = r.next_number;
        r.next_number += 1;
        r.pulls.push(model::Pull {
            number,
            id,
            head_repo: idx,
            head_ref: head.to_string(),
            base_ref: base.to_string(),
            title: title.to_string(),
            body: Some(body.to_string()),
            open: true,
            user: user.to_string(),
            labels: Vec::new(),
            reviewers: Vec::new(),
            draft: false,
            maintainer_can_modify: true,
            created_at: now,
            updated_at: now,
            closed_at: None,
        });
        Some(number)
    }

    /// Brings `fork`'s synced branch to its upstream's head (parent, or the upstream the
    /// inventory names when it is in the same network), as if it had been synced. Returns the
    /// new head, or None when the upstream cannot be reached from the fork's network.
    pub fn sync_branch_to_upstream(&self, fork: &str) -> Option<String> {
        let r = self.fleet().get(fork)?;
        if !r.exists || r.category == Category::ForeignUpstream {
            return None;
        }
        let upstream = match &r.inventory_upstream {
            Some(u) => u.split(':').next()?.to_string(),
            None => r.parent.clone()?,
        };
        let sha = self.branch_sha(&upstream, &r.upstream_branch)?;
        let (branch, full) = (r.branch.clone(), r.full_name.clone());
        self.set_branch(&full, &branch, &sha).then_some(sha)
    }

    /// Adds `n` commits to the upstream (parent) of `fork`, on the branch the fork follows;
    /// one of them changes `.github/workflows/ci.yml` when `touch_workflows`. Returns the new
    /// upstream head.
    pub fn advance_upstream(&self, fork: &str, n: usize, touch_workflows: bool) -> Option<String> {
        let parent = self.parent(fork)?;
        let branch = self.default_branch(&parent)?;
        let mut last = None;
        for k in 0..n {
            let stamp = self.shared.seq.fetch_add(1, Ordering::Relaxed);
            last = if touch_workflows && k + 1 == n {
                self.push_commit(
                    &parent,
                    &branch,
                    ".github/workflows/ci.yml",
                    &format!("name: CI\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo {stamp}\n"),
                    "ci: update workflow",
                )
            } else {
                self.push_commit(
                    &parent,
                    &branch,
                    "CHANGELOG.md",
                    &format!("upstream change {stamp}\n"),
                    &format!("Upstream change {stamp}"),
                )
            };
        }
        last
    }

    /// Makes `fork` conflict with its upstream: both change the same line of
    /// `config/settings.toml` differently. Returns (fork head, upstream head).
    pub fn make_conflict(&self, fork: &str) -> Option<(String, String)> {
        let parent = self.parent(fork)?;
        let fb = self.default_branch(fork)?;
        let pb = self.default_branch(&parent)?;
        let stamp = self.shared.seq.fetch_add(1, Ordering::Relaxed);
        let a = self.push_commit(
            fork,
            &fb,
            "config/settings.toml",
            &format!("[app]\nmode = \"fork-{stamp}\"\n"),
            "config: fork tweak",
        )?;
        let b = self.push_commit(
            &parent,
            &pb,
            "config/settings.toml",
            &format!("[app]\nmode = \"upstream-{stamp}\"\n"),
            "config: upstream tweak",
        )?;
        Some((a, b))
    }

    /// Archives or unarchives a repository.
    pub fn set_archived(&self, repo: &str, archived: bool) -> bool {
        let mut w = self.shared.world();
        match w.find_full(repo) {
            Some(i) => {
                w.repos[i].archived = archived;
                true
            }
            None => false,
        }
    }

    // ---------------------------------------------------------------- faults, limits

    /// Replaces the fault settings (takes effect on the next request).
    pub fn set_faults(&self, f: Faults) {
        let mut st = self.shared.faults.lock().unwrap_or_else(|e| e.into_inner());
        st.faults = f;
    }

    /// Current fault settings (targeted rules show their remaining counts).
    pub fn faults(&self) -> Faults {
        self.shared
            .faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .faults
            .clone()
    }

    /// Adds a targeted fault rule.
    pub fn add_fault_rule(&self, rule: FaultRule) {
        self.shared
            .faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .faults
            .rules
            .push(rule);
    }

    /// Sets how much of a token's hourly window is used (`resource`: `core` or `graphql`),
    /// e.g. to reach exhaustion quickly.
    pub fn set_rate_used(&self, token: &str, resource: &str, used: u32) {
        let res: &'static str = if resource == "graphql" {
            "graphql"
        } else {
            "core"
        };
        self.shared.auth().set_used(token, res, used);
    }

    /// Revokes `token` after `requests` more authenticated requests: from then on every
    /// request with it is answered 401 "Bad credentials", as a token that expires or is
    /// revoked in the middle of a run. Counted in `counters().revoked`.
    pub fn revoke_token_after(&self, token: &str, requests: u64) {
        self.shared.auth().revoke_after(token, requests);
    }

    /// Registers another token.
    pub fn add_token(&self, t: TokenSpec) {
        self.shared.auth().add(t);
    }

    // ---------------------------------------------------------------- log

    /// Exchanges kept in memory, oldest first.
    pub fn log_entries(&self) -> Vec<LogEntry> {
        self.shared.log().entries()
    }

    /// Requests to routes (or GraphQL fields) the sandbox does not implement.
    pub fn unexpected_routes(&self) -> Vec<String> {
        self.shared.log().unexpected.clone()
    }

    /// Panics, listing them, if any request hit an unimplemented route.
    pub fn assert_no_unexpected_routes(&self) {
        let u = self.unexpected_routes();
        assert!(
            u.is_empty(),
            "the sandbox was asked for routes it does not implement:\n  {}",
            u.join("\n  ")
        );
    }

    /// Counters by kind.
    pub fn counters(&self) -> Counters {
        self.shared.log().counters
    }

    /// Forgets in-memory log entries and counters; unexpected routes are kept, so
    /// [`Sandbox::assert_no_unexpected_routes`] covers the sandbox's whole life.
    pub fn clear_log(&self) {
        self.shared.log().clear();
    }

    /// Stops the server (also done on drop).
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if self.owns_dir {
            let _ = std::fs::remove_dir_all(&self.data_dir);
            self.owns_dir = false;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.stop_now();
    }
}
