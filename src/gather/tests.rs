//! Gather with GitHub App installations per owner: the hub manifest is read with the
//! installation that can reach it.

use super::*;
use crate::github::{
    AncestryAsk, Comparison, MergeUpstream, MetaBatch, NewPull, RefUpdate, RepoQuery, RequestStats,
    TreeFile,
};
use std::sync::Mutex;

use crate::ids::Oid;

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
    async fn open_pulls(&self, _: &RepoName, _: &str, _: &str) -> Result<Vec<PullInfo>, GhError> {
        unreachable!("gather does not write")
    }
    async fn pull(&self, _: &RepoName, _: u64) -> Result<Option<PullInfo>, GhError> {
        unreachable!()
    }
    async fn branch_head(&self, _: &RepoName, _: &str) -> Result<Option<Oid>, GhError> {
        unreachable!()
    }
    async fn commit_tree(&self, _: &RepoName, _: &str) -> Result<Option<Oid>, GhError> {
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
    async fn add_assignees(&self, _: &RepoName, _: u64, _: &[String]) -> Result<(), GhError> {
        unreachable!()
    }
    async fn enable_auto_merge(
        &self,
        _: &RepoName,
        _: &str,
        _: crate::config::MergeMethod,
    ) -> Result<crate::github::AutoMergeAnswer, GhError> {
        unreachable!()
    }
    async fn create_tree(&self, _: &RepoName, _: &str, _: &[TreeFile]) -> Result<Oid, GhError> {
        unreachable!()
    }
    async fn create_commit(
        &self,
        _: &RepoName,
        _: &str,
        _: &str,
        _: &[Oid],
    ) -> Result<Oid, GhError> {
        unreachable!()
    }
    async fn merge_upstream(
        &self,
        _repo: &RepoName,
        _branch: &str,
    ) -> Result<MergeUpstream, GhError> {
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
        let text =
            format!("repositories: [alpha/a1, alpha/a2, zeta/z1]\nhub:\n  manifest: {manifest}\n");
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
        let want: BTreeSet<RepoName> = ["alpha/a1", "zeta/z1"].map(|r| r.parse().unwrap()).into();
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
