//! The live sandbox every request works on: GitHub's metadata (`World`), the git stores,
//! the generated fleet, tokens, rate-limit windows, faults, GitHub behaviour settings, the
//! log and the clock, shared by the server's connections and the `Sandbox` handle.

use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use crate::auth::{AppKey, AuthState};
use crate::behaviour::Behaviour;
use crate::faults::FaultState;
use crate::fleet::Fleet;
use crate::git::{self, store_ref, Store};
use crate::hooks::PushOnCue;
use crate::limits::LimitState;
use crate::log::LogState;
use crate::model::World;
use crate::propagation::Propagation;
use crate::util::wall_now;

/// Everything the server shares between connections.
pub struct Shared {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// REST base (`base`, or `base/api/v3` in GHES layout).
    pub api: String,
    /// Serve the GitHub Enterprise Server layout.
    pub ghes: bool,
    /// Metadata.
    pub world: Mutex<World>,
    /// Git object stores.
    pub store: Store,
    /// Generated ground truth.
    pub fleet: Fleet,
    /// Tokens.
    pub auth: Mutex<AuthState>,
    /// Rate-limit windows.
    pub limits: Mutex<LimitState>,
    /// Faults.
    pub faults: Mutex<FaultState>,
    /// GitHub behaviour settings.
    pub behaviour: Behaviour,
    /// Log and counters.
    pub log: Mutex<LogState>,
    /// The sandbox clock's origin: (wall instant, sandbox seconds at that instant).
    pub clock: (Instant, i64),
    /// The GitHub App, when app auth is enabled.
    pub app: Option<AppKey>,
    /// Sequence for request ids.
    pub seq: AtomicU64,
    /// Which new commits each repository can use yet (`Behaviour::propagation_ms`).
    pub propagation: Mutex<Propagation>,
    /// Changes made on cue before a matching request is answered (`Sandbox::push_before`).
    pub hooks: Mutex<Vec<PushOnCue>>,
}

impl Shared {
    /// Sandbox time now (Unix seconds): the generation "now" plus wall time since start.
    pub fn now(&self) -> i64 {
        self.clock.1 + self.clock.0.elapsed().as_secs() as i64
    }

    /// Locks the world.
    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Locks the tokens.
    pub fn auth(&self) -> MutexGuard<'_, AuthState> {
        self.auth.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Locks the rate-limit windows.
    pub fn limits(&self) -> MutexGuard<'_, LimitState> {
        self.limits.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Locks the fault state.
    pub fn faults(&self) -> MutexGuard<'_, FaultState> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Locks the log.
    pub fn log(&self) -> MutexGuard<'_, LogState> {
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Locks the commits still on their way through their networks.
    pub fn propagation(&self) -> MutexGuard<'_, Propagation> {
        self.propagation.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Locks the test hooks.
    pub fn hooks(&self) -> MutexGuard<'_, Vec<PushOnCue>> {
        self.hooks.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A push as a person makes it: commits `content` to `path` on `repo`'s `branch`, marks
    /// the repository pushed and the commit new in its network. Returns the new sha, or None
    /// when the repository or the branch does not exist.
    pub fn push_file(
        &self,
        repo: &str,
        branch: &str,
        path: &str,
        content: &str,
        message: &str,
    ) -> Option<String> {
        let (idx, id, net) = {
            let w = self.world();
            let i = w.find_full(repo)?;
            (i, w.repos[i].id, w.repos[i].net)
        };
        let now = self.now();
        let out = self.store.with(net, |g| {
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
        self.propagation().made(net, id, c);
        self.world().repos[idx].pushed_at = now;
        Some(c.to_string())
    }

    /// A fresh request id (`x-github-request-id`).
    pub fn request_id(&self) -> String {
        let n = self.seq.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!(
            "5A4D:{:04X}:{:06X}:{:06X}:{:08X}",
            n % 0xffff,
            n,
            n * 7 % 0xffffff,
            wall_now() as u32
        )
    }
}
