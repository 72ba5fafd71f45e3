//! Each repository's facts from its metadata, and where its heads stand: equal (in sync,
//! nothing to ask), a compare the state remembers (neither head moved), one for the batched
//! ancestry query, or one only a REST compare can settle.

use std::collections::BTreeMap;

use super::compare::{comparison_of, settleable, Answer};
use super::{Gathered, Target};
use crate::config::{is_connected, Inventory, RepoSpec, Upstream};
use crate::decision::{LiveFacts, UpstreamReach};
use crate::facts::RepoFacts;
use crate::github::{BranchHead, GhError, RepoMeta};
use crate::repo_name::RepoName;
use crate::state::{RepoState, SyncState};
use crate::unit::Unit;

/// The heads still to settle, and what is already known.
pub(super) struct Queue {
    /// Answers known without a request (remembered compares).
    pub ready: Vec<Answer>,
    /// Heads that differ, for the batched ancestry query.
    pub ask: Vec<(Unit, Target)>,
    /// Heads the ancestry query cannot settle (the branch has not moved and was not plainly
    /// behind last time): straight to the compare.
    pub compare: Vec<(Unit, Target)>,
    /// Repositories whose security alerts the token could not read.
    pub alerts_unreadable: usize,
}

/// Records each repository's facts, live facts and errors in `out`, and queues its heads.
pub(super) fn classify(
    specs: &[RepoSpec],
    mut metas: BTreeMap<RepoName, Result<Option<RepoMeta>, GhError>>,
    inv: &Inventory,
    state: &SyncState,
    out: &mut Gathered,
) -> Queue {
    let mut queue = Queue {
        ready: Vec::new(),
        ask: Vec::new(),
        compare: Vec::new(),
        alerts_unreadable: 0,
    };
    for spec in specs {
        let meta = match metas.remove(&spec.repo) {
            Some(Ok(Some(m))) => m,
            Some(Ok(None)) | None => {
                out.facts
                    .insert(spec.repo.clone(), RepoFacts::unknown(spec.repo.clone()));
                continue;
            }
            Some(Err(e)) => {
                out.unread(spec.repo.clone(), "could not read metadata", &e);
                out.facts
                    .insert(spec.repo.clone(), RepoFacts::unknown(spec.repo.clone()));
                continue;
            }
        };
        note_renames(spec, &meta, out);
        let prev = state.repos.get(&spec.repo.key());
        if meta.security_alerts.is_none() {
            queue.alerts_unreadable += 1;
        }
        if let Some(p) = meta.sync_pull.clone() {
            out.sync_pulls.insert(spec.repo.clone(), p);
        }
        if meta.auto_merge_allowed == Some(false) {
            out.auto_merge_disallowed.insert(spec.repo.clone());
        }
        if let Some(role) = meta.viewer_permission.filter(|r| !r.can_push()) {
            out.cannot_write
                .insert(spec.repo.clone(), role_refusal(&spec.repo, role.as_str()));
        }
        let facts = facts_of(spec, &meta, prev, inv, out);
        let Some(head) = meta.branch.clone() else {
            let which = spec
                .branch
                .clone()
                .unwrap_or_else(|| "the default branch".into());
            out.errors
                .insert(spec.repo.clone(), format!("branch {which} not found"));
            out.facts.insert(spec.repo.clone(), facts);
            continue;
        };
        let mut live = LiveFacts {
            can_write_workflows: true,
            ..LiveFacts::default()
        };
        if !spec.branches.is_empty() {
            // Each listed branch is a unit of its own; the default branch is not synced.
            let up = upstream_of(spec, &meta, &mut live).map(|(up, _)| up);
            let units = super::branches::resolve(spec, &meta, up, &facts, &live, out);
            for (unit, target) in units {
                let prev = state.repos.get(&unit.key());
                queue_heads(unit, target, prev, &mut queue, out);
            }
            out.live.insert(spec.repo.clone(), live);
            out.facts.insert(spec.repo.clone(), facts);
            continue;
        }
        if let Some((up, up_head)) = upstream_of(spec, &meta, &mut live) {
            let target = Target {
                branch: head.name.clone(),
                head: head.oid.clone(),
                upstream: up,
                upstream_branch: up_head.name.clone(),
                upstream_head: up_head.oid.clone(),
            };
            queue_heads(
                Unit::whole(spec.repo.clone()),
                target,
                prev,
                &mut queue,
                out,
            );
        }
        out.live.insert(spec.repo.clone(), live);
        out.facts.insert(spec.repo.clone(), facts);
    }
    queue
}

/// A repository or explicit upstream GitHub answers under another name than the inventory's
/// (GraphQL's `repository` follows renames): recorded, with a warning for the upstream.
fn note_renames(spec: &RepoSpec, meta: &RepoMeta, out: &mut Gathered) {
    if meta.repo != spec.repo {
        out.renamed.insert(spec.repo.clone(), meta.repo.clone());
    }
    if let (Some(Upstream { repo: asked, .. }), Some((now, _))) = (&spec.upstream, &meta.upstream) {
        if asked != now {
            out.warnings.push(format!(
                "the upstream of {}: {}",
                spec.repo,
                super::rename_warning(asked, now)
            ));
        }
    }
}

/// Why nothing is written to a repository where the token's user has a role that cannot push.
fn role_refusal(repo: &RepoName, role: &str) -> String {
    format!(
        "the token's user has {role} access to {repo} (GraphQL viewerPermission), which cannot push, so nothing was written there; ask an admin of `{}` for write access, or remove it from the inventory",
        repo.owner()
    )
}

/// A readable repository's facts before any compare (0 behind, 0 ahead, in sync).
fn facts_of(
    spec: &RepoSpec,
    meta: &RepoMeta,
    prev: Option<&RepoState>,
    inv: &Inventory,
    out: &Gathered,
) -> RepoFacts {
    // Our own open sync PR is not "development activity": it does not raise urgency.
    let own_pr = meta.sync_pull.as_ref().is_some_and(|p| p.open) as u32;
    let open_prs = meta.open_prs.saturating_sub(own_pr);
    RepoFacts {
        repo: spec.repo.clone(),
        accessible: true,
        archived: meta.archived,
        commits_behind: 0,
        commits_ahead: 0,
        days_since_last_sync: 0,
        open_prs,
        new_prs: prev.map_or(0, |p| open_prs.saturating_sub(p.open_prs)),
        security_alerts: meta.security_alerts.unwrap_or(0),
        connected: is_connected(spec, &inv.hub, &out.hub, false),
        has_workflows: meta.has_workflows,
    }
}

/// The upstream and its head, when a compare can be made; otherwise why not, in `live`.
fn upstream_of(
    spec: &RepoSpec,
    meta: &RepoMeta,
    live: &mut LiveFacts,
) -> Option<(RepoName, BranchHead)> {
    match (&meta.upstream, &spec.upstream) {
        // Their parent chains end at different roots: no compare can be made.
        (Some((up, Some(up_head))), _) if meta.same_network == Some(false) => {
            live.upstream = UpstreamReach::OutsideNetwork(format!("{up}:{}", up_head.name));
            None
        }
        (Some((up, Some(up_head))), _) => Some((up.clone(), up_head.clone())),
        (Some((up, None)), Some(_)) | (None, Some(Upstream { repo: up, .. })) => {
            let msg = format!("{up} (or its branch) cannot be read");
            live.upstream = UpstreamReach::OutsideNetwork(msg);
            None
        }
        (Some((_, None)), None) => {
            live.upstream = UpstreamReach::OutsideNetwork("the parent's default branch".into());
            None
        }
        (None, None) => {
            live.upstream = UpstreamReach::None;
            None
        }
    }
}

/// Where a pair of heads goes: nowhere when they are equal, a remembered answer when neither
/// moved, the compare when the ancestry query cannot settle it, else the ancestry query.
fn queue_heads(
    repo: Unit,
    target: Target,
    prev: Option<&RepoState>,
    queue: &mut Queue,
    out: &mut Gathered,
) {
    let last = prev.and_then(|p| p.compared.as_ref());
    let remembered =
        last.filter(|c| c.head == target.head && c.upstream_head == target.upstream_head);
    if target.head == target.upstream_head {
        // Identical heads: in sync (days since sync stays 0), nothing to compare.
        out.set_target(&repo, target);
    } else if let Some(c) = remembered {
        // Neither head moved since the last compare: its answer still holds.
        out.compares_reused += 1;
        let answer = (!c.unreachable).then(|| comparison_of(c));
        queue.ready.push((repo, target, Ok(answer)));
    } else if last.is_some_and(|c| c.head == target.head && !settleable(c)) {
        // The branch has not moved and was out of the ancestry query's reach last time (far
        // behind, many own commits, or outside the network): it cannot settle it now.
        queue.compare.push((repo, target));
    } else {
        queue.ask.push((repo, target));
    }
}
