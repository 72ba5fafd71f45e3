//! Gather: the live facts about every repository of the fleet, in as few requests as GitHub
//! allows — one GraphQL query per batch of repositories, a second one per batch of forks whose
//! head differs from their upstream's (it settles the plainly-behind ones), and a REST compare
//! only for the rest (diverged or far behind).
//!
//! The stages, each a value for the next:
//! - [`metadata`]: the metadata batches, with the hub manifest riding along;
//! - [`heads`]: each repository's facts from its metadata, and where its heads stand (equal,
//!   a compare remembered, one for the ancestry query, one only a compare can settle);
//! - [`compare`]: the batched ancestry lookups and the REST compares;
//! - [`estimate`]: compares GitHub could not compute, bounded from the commit histories;
//! - [`fold`]: the answers folded into the facts and the compares remembered;
//! - [`branches`]: a repository's `branches:` resolved against both sides' branches (one unit
//!   of work each, asked in the same batches), and the repository's counts taken from its
//!   most-behind branch.
//!
//! A repository renamed since the inventory was written is found under its old name (GraphQL
//! follows renames) and reported under [`Gathered::renamed`].

mod branches;
mod compare;
mod estimate;
mod fold;
mod heads;
mod metadata;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::config::{Inventory, RepoSpec};
use crate::decision::LiveFacts;
use crate::facts::RepoFacts;
use crate::github::query_cost::{self, Demand};
use crate::github::{GhError, GitHub, PullInfo};
use crate::ids::{BranchName, Oid};
use crate::plan::BranchFacts;
use crate::repo_name::RepoName;
use crate::state::{Compared, SyncState};
use crate::unit::Unit;

pub use metadata::Metadata;

/// What apply needs to move one repository: its branch and the upstream's, with their heads
/// (validated where GitHub's answer was read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub branch: BranchName,
    pub head: Oid,
    pub upstream: RepoName,
    pub upstream_branch: BranchName,
    pub upstream_head: Oid,
}

/// Everything gathered.
#[derive(Debug, Clone, Default)]
pub struct Gathered {
    pub facts: BTreeMap<RepoName, RepoFacts>,
    pub live: BTreeMap<RepoName, LiveFacts>,
    pub targets: BTreeMap<RepoName, Target>,
    /// Repositories whose facts could not be read (the run reports them as failed).
    pub errors: BTreeMap<RepoName, String>,
    /// Repositories whose facts could not be read because a rate limit or the request budget
    /// ran out ([`GhError::is_out_of_budget`]): they wait for the next run (`pending`).
    pub deferred: BTreeMap<RepoName, String>,
    pub warnings: Vec<String>,
    /// Repositories the hub manifest lists.
    pub hub: BTreeSet<RepoName>,
    /// The sync pull request each repository had at the last run, as it is now.
    pub sync_pulls: BTreeMap<RepoName, PullInfo>,
    /// Repositories the token's user may not push to (GraphQL `viewerPermission` READ or
    /// TRIAGE), with why and what to do: nothing is written there.
    pub cannot_write: BTreeMap<RepoName, String>,
    /// Repositories whose metadata says "Allow auto-merge" is off (`autoMergeAllowed: false`):
    /// auto-merge is not asked for there, so GitHub is not sent a write it would refuse.
    pub auto_merge_disallowed: BTreeSet<RepoName>,
    /// Every compare this run used, fresh or remembered (lower-cased `owner/name`).
    pub compared: BTreeMap<String, Compared>,
    /// How many compares were answered from the state instead of the API.
    pub compares_reused: usize,
    /// How many compares the batched ancestry query made unnecessary.
    pub compares_avoided: usize,
    /// Repositories GitHub answers under another name than the inventory's (renamed or
    /// transferred): inventory name → current name. REST requests under the old name are
    /// redirected, and followed on the API's host.
    pub renamed: BTreeMap<RepoName, RepoName>,
    /// Repositories (or branches) whose compare GitHub could not compute: their counts are
    /// lower bounds from the commit histories (why, for the warnings).
    pub estimated: BTreeMap<Unit, String>,
    /// The branches of each repository listing several (`branches:`), in the listed order.
    pub branches: BTreeMap<RepoName, Vec<BranchGathered>>,
}

/// One branch of a repository listing several (`branches:`), as gathered: what planning
/// needs of it, and what apply needs besides.
#[derive(Debug, Clone, PartialEq)]
pub struct BranchGathered {
    /// The branch, its facts (the repository's, with this branch's commits behind and ahead
    /// and days since its last sync), live facts, and why it cannot be synced or that it is
    /// created.
    pub unit: BranchFacts,
    /// Its heads, once settled (or equal). For a branch only the upstream has, the upstream's
    /// head on both sides (it is created there; it has no head of its own yet).
    pub target: Option<Target>,
    /// Its sync pull request at the last run, as it is now.
    pub sync_pull: Option<PullInfo>,
}

/// Reads the whole fleet. Only errors that make every later request pointless (bad
/// credentials) are returned as `Err`; everything else is per repository.
pub async fn gather(
    gh: Arc<dyn GitHub>,
    inv: &Inventory,
    state: &SyncState,
    now: DateTime<Utc>,
) -> Result<Gathered, GhError> {
    let specs: Vec<RepoSpec> = inv.all().cloned().collect();
    let batch = inv.limits.graphql_batch.max(1);
    let meta = metadata::read(gh.clone(), inv, state, &specs, batch).await?;
    let mut out = Gathered::default();
    out.read_manifest(inv, meta.manifest);
    let queue = heads::classify(&specs, meta.repos, inv, state, &mut out);
    let settled = compare::settle(gh.clone(), queue.ask, queue.compare, batch).await?;
    out.compares_avoided += settled.avoided;
    let settled = estimate::bound_unavailable(gh, settled.answers, batch, &mut out).await?;
    let answers = queue.ready.into_iter().chain(settled);
    out.fold(answers, state, now)?;
    out.sum_up_branches();
    out.rename_warnings();
    out.estimate_warnings();
    out.budget_warnings(queue.alerts_unreadable);
    Ok(out)
}

/// Only the metadata batches, for the whole inventory: one GraphQL request per batch and
/// nothing else (what `priority-sync check` reads; no state, so no remembered pull request is
/// asked for). Only bad credentials fail it; anything else is per repository.
pub async fn read_metadata(gh: Arc<dyn GitHub>, inv: &Inventory) -> Result<Metadata, GhError> {
    let specs: Vec<RepoSpec> = inv.all().cloned().collect();
    let batch = inv.limits.graphql_batch.max(1);
    metadata::read(gh, inv, &SyncState::empty(), &specs, batch).await
}

impl Gathered {
    /// Records why a repository's facts could not be read: out of budget → deferred to the
    /// next run, anything else → an error.
    fn unread(&mut self, repo: RepoName, what: &str, e: &GhError) {
        let why = format!("{what}: {e}");
        if e.is_out_of_budget() {
            self.deferred.insert(repo, why);
        } else {
            self.errors.insert(repo, why);
        }
    }

    /// One warning per renamed repository: the inventory should name it as GitHub does now.
    fn rename_warnings(&mut self) {
        let lines: Vec<String> = self
            .renamed
            .iter()
            .map(|(old, new)| rename_warning(old, new))
            .collect();
        self.warnings.extend(lines);
    }

    /// The hub manifest's names, or a warning when it was not found or is not a list.
    fn read_manifest(&mut self, inv: &Inventory, text: Option<String>) {
        let Some(m) = &inv.hub.manifest else {
            return;
        };
        match text {
            Some(text) => match parse_manifest(&text) {
                Ok(names) => self.hub = names,
                Err(e) => self.warnings.push(format!(
                    "hub manifest {}:{} is not a list of owner/name ({e}); hub bonuses use `hub.repos` only",
                    m.repo, m.path
                )),
            },
            None => self.warnings.push(format!(
                "hub manifest {}:{} was not found; hub bonuses use `hub.repos` only",
                m.repo, m.path
            )),
        }
    }

    /// The run-level warnings about what could not be read: repositories left for the next run
    /// for lack of budget, and security alerts the token cannot read.
    fn budget_warnings(&mut self, alerts_unreadable: usize) {
        if !self.deferred.is_empty() {
            let n = self.deferred.len();
            self.warnings.push(format!(
                "{n} repositor{} could not be read for lack of API budget (rate limit); {} wait{} for the next run",
                if n == 1 { "y" } else { "ies" },
                if n == 1 { "it" } else { "they" },
                if n == 1 { "s" } else { "" },
            ));
        }
        if alerts_unreadable > 0 {
            self.warnings.push(format!(
                "security alerts could not be read for {alerts_unreadable} repositor{} (the token lacks Dependabot alerts read); their scores leave alerts out",
                if alerts_unreadable == 1 { "y" } else { "ies" }
            ));
        }
    }
}

/// What a repository renamed since the inventory was written is reported as.
pub fn rename_warning(old: &RepoName, new: &RepoName) -> String {
    format!("{old} was {}: update the inventory", renamed_to(new))
}

/// "renamed to NEW", as a renamed repository's outcome says it.
pub fn renamed_to(new: &RepoName) -> String {
    format!("renamed to {new}")
}

/// GraphQL batches of at most `size` (`limits.graphql_batch`), each within GitHub's node
/// and time rules by what its items ask (`demand`, see [`query_cost::batch_sizes`]):
/// repositories that cannot share a request (different App installations,
/// [`GitHub::batch_key`]) go to different ones.
fn batches<T>(
    gh: &dyn GitHub,
    items: Vec<T>,
    repo: impl Fn(&T) -> &RepoName,
    size: usize,
    demand: impl Fn(&[T]) -> Vec<Demand>,
) -> Vec<Vec<T>> {
    let mut groups: BTreeMap<String, Vec<T>> = BTreeMap::new();
    for item in items {
        groups
            .entry(gh.batch_key(repo(&item)))
            .or_default()
            .push(item);
    }
    let mut out = Vec::new();
    for group in groups.into_values() {
        let sizes = query_cost::batch_sizes(&demand(&group), size);
        let mut it = group.into_iter();
        for n in sizes {
            out.push(it.by_ref().take(n).collect());
        }
    }
    out
}

/// A hub manifest: a JSON or YAML list of `owner/name`.
pub fn parse_manifest(text: &str) -> Result<BTreeSet<RepoName>, String> {
    let value = crate::yaml::parse(text).map_err(|e| e.message)?;
    let list = value.as_sequence().ok_or("not a list")?;
    list.iter()
        .map(|v| {
            v.as_str()
                .ok_or_else(|| "an entry is not a string".to_string())
                .and_then(|s| s.parse::<RepoName>().map_err(|e| e.to_string()))
        })
        .collect()
}
