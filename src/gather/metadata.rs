//! The metadata batches: one GraphQL request per batch of repositories (per App installation,
//! sized by GitHub's node and cost rules), all in flight at once (the client caps
//! concurrency), with the hub manifest read in the first batch whose installation can reach
//! it.

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::task::JoinSet;

use super::batches;
use crate::config::{BranchSpec, Inventory, RepoSpec};
use crate::contain::contained;
use crate::github::{graphql, BranchAsk, GhError, GitHub, RepoMeta, RepoQuery};
use crate::repo_name::RepoName;
use crate::state::SyncState;

/// What the metadata batches answered.
pub struct Metadata {
    /// Per repository: its metadata, `None` when it does not exist or cannot be seen, or why
    /// its batch failed.
    pub repos: BTreeMap<RepoName, Result<Option<RepoMeta>, GhError>>,
    /// The hub manifest's text, when one was asked for and found.
    pub manifest: Option<String>,
}

/// Sends every metadata batch. Only bad credentials fail the whole read.
pub(super) async fn read(
    gh: Arc<dyn GitHub>,
    inv: &Inventory,
    state: &SyncState,
    specs: &[RepoSpec],
    batch: usize,
) -> Result<Metadata, GhError> {
    let queries: Vec<RepoQuery> = specs
        .iter()
        .map(|s| RepoQuery {
            repo: s.repo.clone(),
            branch: s.branch.clone(),
            upstream: s
                .upstream
                .as_ref()
                .map(|u| (u.repo.clone(), u.branch.clone())),
            sync_pr: state.repos.get(&s.repo.key()).and_then(|p| p.sync_pr),
            branches: s.branches.iter().map(branch_ask).collect(),
            branch_sync_prs: if s.branches.is_empty() {
                Vec::new()
            } else {
                branch_sync_prs(state, &s.repo)
            },
        })
        .collect();
    let manifest = inv.hub.manifest.clone();
    let mut set = JoinSet::new();
    let chunks = batches(gh.as_ref(), queries, |q| &q.repo, batch, graphql::demands);
    // The hub manifest rides along in the first batch that can read it: one of its owner's
    // batch key (with App auth, a batch's token reaches one installation only), else a request
    // of its own.
    let manifest_chunk = manifest.as_ref().and_then(|m| {
        let key = gh.batch_key(&m.repo);
        chunks
            .iter()
            .position(|c| c.first().is_some_and(|q| gh.batch_key(&q.repo) == key))
    });
    if let (Some(m), None) = (&manifest, manifest_chunk) {
        let gh = gh.clone();
        let m = m.clone();
        set.spawn(async move {
            let r =
                contained(async move { gh.metadata(&[], Some((&m.repo, m.path.as_str()))).await })
                    .await;
            (
                true,
                Vec::new(),
                r.unwrap_or_else(|why| Err(GhError::Decode(why))),
            )
        });
    }
    for (i, chunk) in chunks.into_iter().enumerate() {
        let gh = gh.clone();
        let with_file = manifest_chunk == Some(i);
        let file = manifest.clone().filter(|_| with_file);
        set.spawn(async move {
            let queries = chunk.clone();
            let r = contained(async move {
                gh.metadata(&queries, file.as_ref().map(|m| (&m.repo, m.path.as_str())))
                    .await
            })
            .await;
            // A panic reading the batch costs its repositories only.
            (
                with_file,
                chunk,
                r.unwrap_or_else(|why| Err(GhError::Decode(why))),
            )
        });
    }
    let mut out = Metadata {
        repos: BTreeMap::new(),
        manifest: None,
    };
    while let Some(joined) = set.join_next().await {
        let (with_file, chunk, result) = joined.map_err(|e| GhError::Transport(e.to_string()))?;
        match result {
            Ok(b) => {
                if with_file {
                    out.manifest = b.file;
                }
                for (q, r) in chunk.iter().zip(b.repos) {
                    out.repos.insert(q.repo.clone(), r);
                }
            }
            Err(e) if e.is_fatal() => return Err(e),
            Err(e) => {
                for q in &chunk {
                    out.repos.insert(q.repo.clone(), Err(e.clone()));
                }
            }
        }
    }
    Ok(out)
}

/// How the metadata batch reads one item of `branches:`: a name on both sides, a glob as a
/// listing of the branches holding its longest literal part (GitHub's `refs(query:)`
/// filters by part of the name; the glob is matched on the answer).
fn branch_ask(b: &BranchSpec) -> BranchAsk {
    if b.is_glob() {
        let query = b
            .name
            .split('*')
            .max_by_key(|part| part.len())
            .unwrap_or_default()
            .to_string();
        BranchAsk::Listed { query }
    } else {
        BranchAsk::Named {
            fork: b.name.clone(),
            upstream: b.upstream_of(&b.name).to_string(),
        }
    }
}

/// The sync pull requests the state remembers for the branches of `repo` (entries keyed
/// `owner/name:branch`).
fn branch_sync_prs(state: &SyncState, repo: &RepoName) -> Vec<u64> {
    let prefix = format!("{}:", repo.key());
    state
        .repos
        .range(prefix.clone()..)
        .take_while(|(k, _)| k.starts_with(&prefix))
        .filter_map(|(_, e)| e.sync_pr)
        .collect()
}
