//! Gather: the live facts about every repository of the fleet, in as few requests as GitHub
//! allows — one GraphQL query per batch of repositories, a second one per batch of forks whose
//! head differs from their upstream's (it settles the plainly-behind ones), and a REST compare
//! only for the rest (diverged or far behind).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::task::JoinSet;

use crate::config::{is_connected, Inventory, RepoSpec};
use crate::decision::{LiveFacts, UpstreamReach};
use crate::facts::RepoFacts;
use crate::github::{
    ancestry, AncestryAsk, Comparison, GhError, GitHub, PullInfo, RepoMeta, RepoQuery,
};
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
    /// Repositories whose facts could not be read because a rate limit or the request budget
    /// ran out ([`GhError::is_out_of_budget`]): they wait for the next run (`pending`).
    pub deferred: BTreeMap<RepoName, String>,
    pub warnings: Vec<String>,
    /// Repositories the hub manifest lists.
    pub hub: BTreeSet<RepoName>,
    /// The sync pull request each repository had at the last run, as it is now.
    pub sync_pulls: BTreeMap<RepoName, PullInfo>,
    /// Every compare this run used, fresh or remembered (lower-cased `owner/name`).
    pub compared: BTreeMap<String, Compared>,
    /// How many compares were answered from the state instead of the API.
    pub compares_reused: usize,
    /// How many compares the batched ancestry query made unnecessary.
    pub compares_avoided: usize,
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
    let chunks = batches(gh.as_ref(), queries, |q| &q.repo, batch);
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
            let r = gh.metadata(&[], Some((&m.repo, m.path.as_str()))).await;
            (true, Vec::new(), r)
        });
    }
    for (i, chunk) in chunks.into_iter().enumerate() {
        let gh = gh.clone();
        let with_file = manifest_chunk == Some(i);
        let file = manifest.clone().filter(|_| with_file);
        set.spawn(async move {
            let r = gh
                .metadata(&chunk, file.as_ref().map(|m| (&m.repo, m.path.as_str())))
                .await;
            (with_file, chunk, r)
        });
    }
    let mut metas: BTreeMap<RepoName, Result<Option<RepoMeta>, GhError>> = BTreeMap::new();
    let mut out = Gathered::default();
    let mut manifest_text = None;
    while let Some(joined) = set.join_next().await {
        let (with_file, chunk, result) = joined.map_err(|e| GhError::Transport(e.to_string()))?;
        match result {
            Ok(b) => {
                if with_file {
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
    let mut unknown: Vec<(RepoName, Target)> = Vec::new();
    let mut to_compare: Vec<(RepoName, Target)> = Vec::new();
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
                out.unread(spec.repo.clone(), "could not read metadata", &e);
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
        let connected = is_connected(spec, &inv.hub, &out.hub, false);
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
            } else if prev
                .and_then(|p| p.compared.as_ref())
                .is_some_and(|c| c.head == head.oid && !plainly_behind(c))
            {
                // The branch has not moved and was not plainly behind last time (diverged, far
                // behind or outside the network): the ancestry query cannot settle it.
                to_compare.push((spec.repo.clone(), target));
            } else {
                unknown.push((spec.repo.clone(), target));
            }
        }
        out.live.insert(spec.repo.clone(), live);
        out.facts.insert(spec.repo.clone(), facts);
    }

    // Heads that differ: one GraphQL request per batch settles every fork that is plainly
    // behind; the rest (diverged, far behind, or the batch failed) go to the REST compare.
    let spawn_compare = |set: &mut JoinSet<_>, repo: RepoName, target: Target| {
        let gh = gh.clone();
        set.spawn(async move {
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
    };
    // Those the ancestry query cannot settle start at once, alongside it.
    for (repo, target) in to_compare {
        spawn_compare(&mut compares, repo, target);
    }
    let mut lookups = JoinSet::new();
    for chunk in batches(gh.as_ref(), unknown, |u| &u.0, batch) {
        let gh = gh.clone();
        lookups.spawn(async move {
            let asks: Vec<AncestryAsk> = chunk
                .iter()
                .map(|(repo, t)| AncestryAsk {
                    repo: repo.clone(),
                    head: t.head.clone(),
                    upstream: t.upstream.clone(),
                    upstream_head: t.upstream_head.clone(),
                })
                .collect();
            let r = gh.ancestry(&asks).await;
            (chunk, r)
        });
    }
    while let Some(joined) = lookups.join_next().await {
        let (chunk, result) = joined.map_err(|e| GhError::Transport(e.to_string()))?;
        let answers = match result {
            Ok(a) => a,
            Err(e) if e.is_fatal() => return Err(e),
            // Not worth failing anyone for: the compares below answer the same question.
            Err(_) => Vec::new(),
        };
        for (i, (repo, target)) in chunk.into_iter().enumerate() {
            if let Some(Some(c)) = answers.get(i) {
                out.compares_avoided += 1;
                ready.push((repo, target, Ok(Some(c.clone()))));
            } else {
                spawn_compare(&mut compares, repo, target);
            }
        }
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
            Err(e) => out.unread(repo, "could not compare with upstream", &e),
        }
    }
    if !out.deferred.is_empty() {
        out.warnings.push(format!(
            "{} repositor{} could not be read for lack of API budget (rate limit); {} wait{} for the next run",
            out.deferred.len(),
            if out.deferred.len() == 1 { "y" } else { "ies" },
            if out.deferred.len() == 1 { "it" } else { "they" },
            if out.deferred.len() == 1 { "s" } else { "" },
        ));
    }
    if alerts_unreadable > 0 {
        out.warnings.push(format!(
            "security alerts could not be read for {alerts_unreadable} repositor{} (the token lacks Dependabot alerts read); their scores leave alerts out",
            if alerts_unreadable == 1 { "y" } else { "ies" }
        ));
    }
    Ok(out)
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
}

/// GraphQL batches of at most `size`: repositories that cannot share a request (different
/// App installations, [`GitHub::batch_key`]) go to different ones.
fn batches<T>(
    gh: &dyn GitHub,
    items: Vec<T>,
    repo: impl Fn(&T) -> &RepoName,
    size: usize,
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
        let mut it = group.into_iter().peekable();
        while it.peek().is_some() {
            out.push(it.by_ref().take(size).collect());
        }
    }
    out
}

/// Could the ancestry query have answered this compare: the branch was behind, not ahead,
/// and close enough to be among the upstream's latest commits.
fn plainly_behind(c: &Compared) -> bool {
    !c.unreachable && c.ahead == 0 && (c.behind as usize) < ancestry::DEPTH
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
    use crate::github::{MetaBatch, NewPull, RefUpdate, RequestStats, TreeFile};
    use std::sync::Mutex;

    /// GitHub App auth in miniature: one installation per owner, and a metadata request
    /// reaches only the installation of its batch (the file it asks for comes back only from
    /// there). Records the file requests.
    struct PerOwnerInstallations {
        manifest: (RepoName, String),
        file_reads: Mutex<Vec<(String, bool)>>,
    }

    #[async_trait::async_trait]
    impl GitHub for PerOwnerInstallations {
        async fn metadata(
            &self,
            queries: &[RepoQuery],
            file: Option<(&RepoName, &str)>,
        ) -> Result<MetaBatch, GhError> {
            let owner = match (queries.first(), file) {
                (Some(q), _) => self.batch_key(&q.repo),
                (None, Some((r, _))) => self.batch_key(r),
                (None, None) => return Ok(MetaBatch::default()),
            };
            assert!(
                queries.iter().all(|q| self.batch_key(&q.repo) == owner),
                "one batch mixes installations"
            );
            let file = file.and_then(|(repo, path)| {
                let reachable = self.batch_key(repo) == owner;
                self.file_reads
                    .lock()
                    .unwrap()
                    .push((owner.clone(), reachable));
                (reachable && *repo == self.manifest.0 && path == self.manifest.1)
                    .then(|| r#"["alpha/a1", "zeta/z1"]"#.to_string())
            });
            Ok(MetaBatch {
                repos: queries.iter().map(|_| Ok(None)).collect(),
                file,
            })
        }
        async fn ancestry(&self, _: &[AncestryAsk]) -> Result<Vec<Option<Comparison>>, GhError> {
            unreachable!("nothing to compare")
        }
        async fn compare(
            &self,
            _: &RepoName,
            _: &str,
            _: &RepoName,
            _: &str,
        ) -> Result<Option<Comparison>, GhError> {
            unreachable!("nothing to compare")
        }
        async fn open_pulls(
            &self,
            _: &RepoName,
            _: &str,
            _: &str,
        ) -> Result<Vec<PullInfo>, GhError> {
            unreachable!("gather does not write")
        }
        async fn pull(&self, _: &RepoName, _: u64) -> Result<Option<PullInfo>, GhError> {
            unreachable!()
        }
        async fn branch_head(&self, _: &RepoName, _: &str) -> Result<Option<String>, GhError> {
            unreachable!()
        }
        async fn commit_tree(&self, _: &RepoName, _: &str) -> Result<Option<String>, GhError> {
            unreachable!()
        }
        async fn file(
            &self,
            _: &RepoName,
            _: &str,
            _: Option<&str>,
        ) -> Result<Option<Vec<u8>>, GhError> {
            unreachable!("the manifest is read inside the GraphQL request")
        }
        async fn update_ref(
            &self,
            _: &RepoName,
            _: &str,
            _: &str,
            _: bool,
        ) -> Result<RefUpdate, GhError> {
            unreachable!()
        }
        async fn create_ref(&self, _: &RepoName, _: &str, _: &str) -> Result<RefUpdate, GhError> {
            unreachable!()
        }
        async fn create_pull(&self, _: &RepoName, _: &NewPull) -> Result<PullInfo, GhError> {
            unreachable!()
        }
        async fn update_pull_body(
            &self,
            _: &RepoName,
            _: u64,
            _: &str,
            _: &str,
        ) -> Result<(), GhError> {
            unreachable!()
        }
        async fn close_pull(&self, _: &RepoName, _: u64) -> Result<(), GhError> {
            unreachable!()
        }
        async fn add_labels(&self, _: &RepoName, _: u64, _: &[String]) -> Result<(), GhError> {
            unreachable!()
        }
        async fn request_reviewers(
            &self,
            _: &RepoName,
            _: u64,
            _: &[String],
            _: &[String],
        ) -> Result<(), GhError> {
            unreachable!()
        }
        async fn create_tree(
            &self,
            _: &RepoName,
            _: &str,
            _: &[TreeFile],
        ) -> Result<String, GhError> {
            unreachable!()
        }
        async fn create_commit(
            &self,
            _: &RepoName,
            _: &str,
            _: &str,
            _: &[String],
        ) -> Result<String, GhError> {
            unreachable!()
        }
        fn stats(&self) -> RequestStats {
            RequestStats::default()
        }
        fn batch_key(&self, repo: &RepoName) -> String {
            repo.owner().to_ascii_lowercase()
        }
    }

    #[tokio::test]
    async fn the_hub_manifest_is_read_with_the_installation_of_its_owner() {
        // In one of the fleet's installations (not the first batch), and in an installation
        // with no repository of the fleet.
        for manifest in ["zeta/hub:connected.json", "hubs/control:connected.json"] {
            let text = format!(
                "repositories: [alpha/a1, alpha/a2, zeta/z1]\nhub:\n  manifest: {manifest}\n"
            );
            let inv = crate::config::parse_inventory(&text, "t").unwrap();
            let m = inv.hub.manifest.clone().unwrap();
            let gh = Arc::new(PerOwnerInstallations {
                manifest: (m.repo.clone(), m.path.clone()),
                file_reads: Mutex::new(Vec::new()),
            });
            let out = gather(gh.clone(), &inv, &SyncState::empty(), Utc::now())
                .await
                .unwrap();
            assert!(
                !out.warnings.iter().any(|w| w.contains("manifest")),
                "{manifest}: {:?}",
                out.warnings
            );
            let want: BTreeSet<RepoName> =
                ["alpha/a1", "zeta/z1"].map(|r| r.parse().unwrap()).into();
            assert_eq!(out.hub, want, "{manifest}");
            let reads = gh.file_reads.lock().unwrap().clone();
            assert_eq!(reads, [(m.repo.owner().to_string(), true)], "{manifest}");
        }
    }

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
