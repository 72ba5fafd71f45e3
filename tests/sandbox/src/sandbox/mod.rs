//! `Sandbox`, the handle tests hold: it generates the fleet, starts the server on its own
//! thread and runtime, says where and who (URLs, tokens, the fleet), and stops everything
//! on drop. Reading real state is `inspect`, changing the world `change`, repository merge
//! settings and CI `merges`, steering faults, limits and the log `control`.

mod change;
mod control;
mod inspect;
mod merges;

pub use inspect::PullInfo;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::config::{AppInfo, SandboxConfig, SandboxError};
use crate::fleet::{self, Fleet};
use crate::state::Shared;
use crate::{auth, faults, git, limits, log, server, util};

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

/// The live state for `cfg`: the generated fleet behind a server at `addr`, and the default
/// token (the first configured).
fn shared_state(
    cfg: &SandboxConfig,
    data_dir: &Path,
    addr: SocketAddr,
    now: i64,
) -> Result<(Shared, String), SandboxError> {
    let gen = fleet::generate(&fleet::GenParams {
        repos: cfg.repos,
        seed: cfg.seed,
        now,
        dir: &data_dir.join("networks"),
        threads: cfg.gen_threads,
    })?;
    let app = if cfg.github_app {
        Some(auth::AppKey::generate(424_242, 1_000_001, data_dir).map_err(SandboxError::Other)?)
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
    let shared = Shared {
        base,
        api,
        ghes: cfg.ghes,
        world: Mutex::new(gen.world),
        store: git::Store::new(gen.net_paths),
        fleet: gen.fleet,
        auth: Mutex::new(auth::AuthState::new(&cfg.tokens)),
        limits: Mutex::new(
            limits::LimitState::new(cfg.content_limit_per_minute).with_rest_limits(
                cfg.behaviour.endpoint_points_per_minute,
                cfg.behaviour.content_per_hour,
            ),
        ),
        faults: Mutex::new(faults::FaultState::new(cfg.faults.clone())),
        behaviour: cfg.behaviour.clone(),
        log: Mutex::new({
            let mut log = log::LogState::new(cfg.log_path.as_deref(), cfg.log_capacity)?;
            log.echo_unexpected = cfg.echo_unexpected;
            log
        }),
        clock: (Instant::now(), now),
        app,
        seq: AtomicU64::new(1),
        propagation: Mutex::new(Default::default()),
        hooks: Mutex::new(Vec::new()),
    };
    Ok((shared, default_token))
}

/// Serves `listener` on its own thread with a tokio runtime of `workers` threads, until the
/// returned sender fires.
fn spawn_server(
    listener: std::net::TcpListener,
    sh: Arc<Shared>,
    workers: usize,
) -> Result<
    (
        tokio::sync::oneshot::Sender<()>,
        std::thread::JoinHandle<()>,
    ),
    SandboxError,
> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let workers = workers.max(1);
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
    Ok((tx, thread))
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
        let (shared, default_token) = shared_state(&cfg, &data_dir, addr, now)?;
        let shared = Arc::new(shared);
        let (tx, thread) = spawn_server(listener, shared.clone(), cfg.worker_threads)?;
        let sb = Sandbox {
            shared,
            addr,
            stop: Some(tx),
            thread: Some(thread),
            data_dir,
            owns_dir,
            default_token,
            startup: t0.elapsed(),
        };
        for (repo, new_name) in &cfg.renames {
            sb.rename(repo, new_name).map_err(SandboxError::Other)?;
        }
        Ok(sb)
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
