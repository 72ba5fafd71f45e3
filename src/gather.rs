//! Gather: the live facts about every repository of the fleet, in as few requests as GitHub
//! allows — one GraphQL query per batch of repositories, and a REST compare only where the
//! branch head differs from its upstream's.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::task::JoinSet;

use crate::config::{Inventory, RepoSpec};
use crate::decision::{LiveFacts, UpstreamReach};
use crate::facts::RepoFacts;
use crate::github::{Comparison, GhError, GitHub, PullInfo, RepoMeta, RepoQuery};
use crate::repo_name::RepoName;
use crate::state::{Compared, SyncState};
use crate::urgency::days_since_last_sync;

/// What apply needs to move one repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub branch: String,
    pub head: String,
    pub upstream: RepoName,
    pub upstream_branch: String,
    pub upstream_head: String,
}

/// Everything gathered.
#[derive(Debug, Clone, Default)]
pub struct Gathered {
    pub facts: BTreeMap<RepoName, RepoFacts>,
    pub live: BTreeMap<RepoName, LiveFacts>,
    pub targets: BTreeMap<RepoName, Target>,
    /// Repositories whose facts could not be read (the run reports them as failed).
    pub errors: BTreeMap<RepoName, String>,
    pub warnings: Vec<String>,
    /// Repositories the hub manifest lists.
    pub hub: BTreeSet<RepoName>,
    /// The sync pull request each repository had at the last run, as it is now.
    pub sync_pulls: BTreeMap<RepoName, PullInfo>,
    /// Every compare this run used, fresh or remembered (lower-cased `owner/name`).
    pub compared: BTreeMap<String, Compared>,
    /// How many compares were answered from the state instead of the API.
    pub compares_reused: usize,
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
        })
        .collect();

    // Metadata batches, all in flight at once (the client caps concurrency).
    let batch = inv.limits.graphql_batch.max(1);
    let manifest = inv.hub.manifest.clone();
    let mut set = JoinSet::new();
    let mut groups: BTreeMap<String, Vec<RepoQuery>> = BTreeMap::new();
    for q in &queries {
        groups
            .entry(gh.batch_key(&q.repo))
            .or_default()
            .push(q.clone());
    }
    let chunks: Vec<Vec<RepoQuery>> = groups
        .values()
        .flat_map(|g| g.chunks(batch).map(<[RepoQuery]>::to_vec))
        .collect();
    for (i, chunk) in chunks.into_iter().enumerate() {
        let gh = gh.clone();
        let file = if i == 0 { manifest.clone() } else { None };
        set.spawn(async move {
            let r = gh
                .metadata(&chunk, file.as_ref().map(|m| (&m.repo, m.path.as_str())))
                .await;
            (i, chunk, r)
        });
    }
    if queries.is_empty() {
        if let Some(m) = &manifest {
            let gh = gh.clone();
            let m = m.clone();
            set.spawn(async move {
                let r = gh.metadata(&[], Some((&m.repo, m.path.as_str()))).await;
                (0, Vec::new(), r)
            });
        }
    }
    let mut metas: BTreeMap<RepoName, Result<Option<RepoMeta>, GhError>> = BTreeMap::new();
    let mut out = Gathered::default();
    let mut manifest_text = None;
    while let Some(joined) = set.join_next().await {
        let (i, chunk, result) = joined.map_err(|e| GhError::Transport(e.to_string()))?;
        match result {
            Ok(b) => {
                if i == 0 {
                    manifest_text = b.file;
                }
                for (q, r) in chunk.iter().zip(b.repos) {
                    metas.insert(q.repo.clone(), r);
                }
            }
            Err(e) if e.is_fatal() => return Err(e),
            Err(e) => {
                for q in &chunk {
                    metas.insert(q.repo.clone(), Err(e.clone()));
                }
            }
        }
    }
    if let Some(m) = &manifest {
        match manifest_text {
            Some(text) => match parse_manifest(&text) {
                Ok(names) => out.hub = names,
                Err(e) => out.warnings.push(format!(
                    "hub manifest {}:{} is not a list of owner/name ({e}); hub bonuses use `hub.repos` only",
                    m.repo, m.path
                )),
            },
            None => out.warnings.push(format!(
                "hub manifest {}:{} was not found; hub bonuses use `hub.repos` only",
                m.repo, m.path
            )),
        }
    }

    // Compares, only where the heads differ and the pair was not compared before.
    let mut compares = JoinSet::new();
    let mut ready = Vec::new();
    let mut alerts_unreadable = 0;
    for spec in &specs {
        let meta = match metas.remove(&spec.repo) {
            Some(Ok(Some(m))) => m,
            Some(Ok(None)) | None => {
                out.facts
                    .insert(spec.repo.clone(), RepoFacts::unknown(spec.repo.clone()));
                continue;
            }
            Some(Err(e)) => {
                out.errors
                    .insert(spec.repo.clone(), format!("could not read metadata: {e}"));
                out.facts
                    .insert(spec.repo.clone(), RepoFacts::unknown(spec.repo.clone()));
                continue;
            }
        };
        let prev = state.repos.get(&spec.repo.key());
        // Our own open sync PR is not "development activity": it does not raise urgency.
        let own_pr = meta.sync_pull.as_ref().is_some_and(|p| p.open) as u32;
        if let Some(p) = meta.sync_pull.clone() {
            out.sync_pulls.insert(spec.repo.clone(), p);
        }
        let open_prs = meta.open_prs.saturating_sub(own_pr);
        let connected = spec
            .connected
            .unwrap_or_else(|| inv.hub.repos.contains(&spec.repo) || out.hub.contains(&spec.repo));
        if meta.security_alerts.is_none() {
            alerts_unreadable += 1;
        }
        let facts = RepoFacts {
            repo: spec.repo.clone(),
            accessible: true,
            archived: meta.archived,
            commits_behind: 0,
            commits_ahead: 0,
            days_since_last_sync: 0,
            open_prs,
            new_prs: prev.map_or(0, |p| open_prs.saturating_sub(p.open_prs)),
            security_alerts: meta.security_alerts.unwrap_or(0),
            connected,
            has_workflows: meta.has_workflows,
        };
        let mut live = LiveFacts {
            can_write_workflows: true,
            ..LiveFacts::default()
        };
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
        let upstream = match (&meta.upstream, &spec.upstream) {
            // Their parent chains end at different roots: no compare can be made.
            (Some((up, Some(up_head))), _) if meta.same_network == Some(false) => {
                live.upstream = UpstreamReach::OutsideNetwork(format!("{up}:{}", up_head.name));
                None
            }
            (Some((up, Some(up_head))), _) => Some((up.clone(), up_head.clone())),
            (Some((up, None)), Some(_))
            | (None, Some(crate::config::Upstream { repo: up, .. })) => {
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
        };
        if let Some((up, up_head)) = upstream {
            let target = Target {
                branch: head.name.clone(),
                head: head.oid.clone(),
                upstream: up.clone(),
                upstream_branch: up_head.name.clone(),
                upstream_head: up_head.oid.clone(),
            };
            let remembered = prev
                .and_then(|p| p.compared.as_ref())
                .filter(|c| c.head == head.oid && c.upstream_head == up_head.oid);
            if head.oid == up_head.oid {
                // Identical heads: in sync (days since sync stays 0), nothing to compare.
                out.targets.insert(spec.repo.clone(), target);
            } else if let Some(c) = remembered {
                // Neither head moved since the last compare: its answer still holds.
                out.compares_reused += 1;
                let answer = (!c.unreachable).then(|| comparison_of(c));
                ready.push((spec.repo.clone(), target, Ok(answer)));
            } else {
                let gh = gh.clone();
                let repo = spec.repo.clone();
                compares.spawn(async move {
                    let r = gh
                        .compare(
                            &repo,
                            &target.branch,
                            &target.upstream,
                            &target.upstream_branch,
                        )
                        .await;
                    (repo, target, r)
                });
            }
        }
        out.live.insert(spec.repo.clone(), live);
        out.facts.insert(spec.repo.clone(), facts);
    }
    let mut answered = Vec::new();
    while let Some(joined) = compares.join_next().await {
        answered.push(joined.map_err(|e| GhError::Transport(e.to_string()))?);
    }
    for (repo, target, result) in ready.into_iter().chain(answered) {
        let last_in_sync = state.repos.get(&repo.key()).and_then(|p| p.last_in_sync_at);
        match result {
            Ok(Some(c)) => {
                if let Some(f) = out.facts.get_mut(&repo) {
                    f.commits_behind = c.behind;
                    f.commits_ahead = c.ahead;
                    f.days_since_last_sync =
                        days_since_last_sync(now, c.behind == 0, last_in_sync, c.oldest_missing);
                }
                if let Some(l) = out.live.get_mut(&repo) {
                    l.touches_workflows = c.touches_workflows;
                }
                out.compared.insert(
                    repo.key(),
                    Compared {
                        head: target.head.clone(),
                        upstream_head: target.upstream_head.clone(),
                        behind: c.behind,
                        ahead: c.ahead,
                        oldest_missing: c.oldest_missing,
                        touches_workflows: c.touches_workflows,
                        unreachable: false,
                    },
                );
                out.targets.insert(repo, target);
            }
            Ok(None) => {
                out.compared.insert(
                    repo.key(),
                    Compared {
                        head: target.head.clone(),
                        upstream_head: target.upstream_head.clone(),
                        behind: 0,
                        ahead: 0,
                        oldest_missing: None,
                        touches_workflows: false,
                        unreachable: true,
                    },
                );
                if let Some(l) = out.live.get_mut(&repo) {
                    l.upstream = UpstreamReach::OutsideNetwork(format!(
                        "{}:{}",
                        target.upstream, target.upstream_branch
                    ));
                }
            }
            Err(e) if e.is_fatal() => return Err(e),
            Err(e) => {
                out.errors
                    .insert(repo, format!("could not compare with upstream: {e}"));
            }
        }
    }
    if alerts_unreadable > 0 {
        out.warnings.push(format!(
            "security alerts could not be read for {alerts_unreadable} repositor{} (the token lacks Dependabot alerts read); their scores leave alerts out",
            if alerts_unreadable == 1 { "y" } else { "ies" }
        ));
    }
    Ok(out)
}

fn comparison_of(c: &Compared) -> Comparison {
    Comparison {
        behind: c.behind,
        ahead: c.ahead,
        oldest_missing: c.oldest_missing,
        touches_workflows: c.touches_workflows,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_in_json_and_yaml() {
        let j = parse_manifest(r#"["heyns1000/omnigrid", "heyns1000/zoho"]"#).unwrap();
        assert_eq!(j.len(), 2);
        let y = parse_manifest("- heyns1000/omnigrid\n- heyns1000/zoho\n").unwrap();
        assert_eq!(j, y);
        assert!(parse_manifest("{a: 1}").is_err());
        assert!(parse_manifest("[\"not a name\"]").is_err());
    }
}
