//! Real git underneath the sandbox: one bare repository per fork network (the network's
//! shared object store), each GitHub repository's refs under `refs/sandbox/<repo id>/…`.
//! Everything the API says about commits (ahead/behind, merges, conflicts) is computed here
//! with libgit2, so it is a fact about real commits. This module holds the stores; `refs`,
//! `history`, `diff` and `trees` work inside one store, `pack` writes a generated fleet.

mod diff;
mod history;
mod pack;
mod refs;
mod trees;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use git2::Repository;

pub use diff::{
    diff_files, first_workflow_change, merge, workflow_change_between, FileChange, Merge,
    WORKFLOW_DIR,
};
pub use history::{
    commit_info, commits_between, count_between, history, is_ancestor, merge_base, signature,
    write_commit, CommitInfo,
};
pub use pack::{generate, Gen, Snapshot};
pub use refs::{delete_ref, list_refs, read_ref, write_ref, RefWrite};
pub use trees::{build_tree, list_tree, read_path, NewTreeEntry, PathObject, TreeItem};

/// Where a repository's refs live inside its network store: `refs/sandbox/<id>/<rest>`,
/// `rest` being GitHub's ref without `refs/` (`heads/main`, `tags/v1`).
pub fn store_ref(repo_id: u64, rest: &str) -> String {
    format!("refs/sandbox/{repo_id}/{rest}")
}

/// The on-disk object stores of every fork network.
pub struct Store {
    nets: Vec<NetStore>,
    /// Networks with an open repository handle, least recently opened first; at most
    /// `MAX_OPEN` stay open so a 10,000-repo fleet does not keep 10,000 handles.
    open: Mutex<std::collections::VecDeque<usize>>,
}

/// How many network repositories stay open at once.
pub const MAX_OPEN: usize = 512;

/// One fork network's bare repository, opened lazily and kept open.
pub struct NetStore {
    path: PathBuf,
    repo: Mutex<Option<Repository>>,
}

/// Errors from the git layer, already phrased for API answers.
#[derive(Debug)]
pub enum GitError {
    /// libgit2 failed.
    Git(git2::Error),
    /// An object that should exist does not.
    Missing(String),
}

impl From<git2::Error> for GitError {
    fn from(e: git2::Error) -> Self {
        GitError::Git(e)
    }
}

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GitError::Git(e) => write!(f, "git: {}", e.message()),
            GitError::Missing(s) => write!(f, "missing: {s}"),
        }
    }
}

impl std::error::Error for GitError {}

/// Result alias for the git layer.
pub type GResult<T> = Result<T, GitError>;

impl Store {
    /// A store over already-generated network directories (index = network id).
    pub fn new(paths: Vec<PathBuf>) -> Store {
        Store {
            nets: paths
                .into_iter()
                .map(|path| NetStore {
                    path,
                    repo: Mutex::new(None),
                })
                .collect(),
            open: Mutex::new(std::collections::VecDeque::new()),
        }
    }

    /// The bare repository directory of network `net` (for the git CLI).
    pub fn path(&self, net: usize) -> &Path {
        &self.nets[net].path
    }

    /// Runs `f` with network `net`'s repository, holding its lock (git writes are serialized
    /// per network, as GitHub serializes pushes to one repository).
    pub fn with<R>(&self, net: usize, f: impl FnOnce(&Repository) -> GResult<R>) -> GResult<R> {
        let ns = &self.nets[net];
        let mut guard = ns.repo.lock().unwrap_or_else(|e| e.into_inner());
        if guard.is_none() {
            *guard = Some(Repository::open_bare(&ns.path)?);
            let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
            open.push_back(net);
            // Close the oldest handles; one that is busy right now stays open for now.
            let mut tries = open.len().saturating_sub(MAX_OPEN);
            while open.len() > MAX_OPEN && tries > 0 {
                tries -= 1;
                let Some(old) = open.pop_front() else { break };
                if old == net {
                    open.push_back(old);
                    continue;
                }
                match self.nets[old].repo.try_lock() {
                    Ok(mut g) => *g = None,
                    Err(_) => open.push_back(old),
                }
            }
        }
        f(guard.as_ref().expect("opened above"))
    }
}
