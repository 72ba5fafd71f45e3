//! How a sandbox starts (`SandboxConfig`: fleet, address, layout, tokens, faults, GitHub
//! behaviour settings, limits, log, data directory), why it may not (`SandboxError`), and the GitHub App it plays
//! (`AppInfo`).

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::auth::TokenSpec;
use crate::behaviour::Behaviour;
use crate::faults::Faults;
use crate::git::GitError;

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
    /// How the sandbox's GitHub behaves where GitHub has a number or a choice (default:
    /// GitHub's documented values).
    pub behaviour: Behaviour,
    /// Repositories renamed once the fleet is generated: (`owner/name` now, new name — a bare
    /// name keeps the owner, `owner/name` also moves it). The inventory keeps the old names,
    /// as a user's would; see `Behaviour::redirect_renamed` and `Sandbox::rename`.
    pub renames: Vec<(String, String)>,
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
            behaviour: Behaviour::default(),
            renames: Vec::new(),
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
