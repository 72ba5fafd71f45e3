//! Apply in a dry run: the real path (`apply` over a built plan) says what it would do and
//! why, and sends no request at all.

use std::collections::BTreeMap;

use super::*;
use crate::config::parse_inventory;
use crate::facts::RepoFacts;
use crate::github::{
    AncestryAsk, Comparison, MergeUpstream, MetaBatch, NewPull, RefUpdate, RepoQuery, RequestStats,
    TreeFile,
};
use crate::ids::Oid;
use crate::mode::{Mode, ModeChoice, ModeSource};
use crate::plan::build_plan;

/// A GitHub that fails the test on any request: a dry run must not send one.
struct NoRequests;

#[async_trait::async_trait]
impl GitHub for NoRequests {
    async fn metadata(
        &self,
        _: &[RepoQuery],
        _: Option<(&RepoName, &str)>,
    ) -> Result<MetaBatch, GhError> {
        unreachable!("a dry run reads nothing in apply")
    }
    async fn ancestry(&self, _: &[AncestryAsk]) -> Result<Vec<Option<Comparison>>, GhError> {
        unreachable!()
    }
    async fn compare(
        &self,
        _: &RepoName,
        _: &str,
        _: &RepoName,
        _: &str,
    ) -> Result<Option<Comparison>, GhError> {
        unreachable!()
    }
    async fn open_pulls(&self, _: &RepoName, _: &str, _: &str) -> Result<Vec<PullInfo>, GhError> {
        unreachable!("a dry run looks up no pull request")
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
        unreachable!()
    }
    async fn update_ref(
        &self,
        _: &RepoName,
        _: &str,
        _: &str,
        _: bool,
    ) -> Result<RefUpdate, GhError> {
        unreachable!("a dry run writes nothing")
    }
    async fn create_ref(&self, _: &RepoName, _: &str, _: &str) -> Result<RefUpdate, GhError> {
        unreachable!("a dry run writes nothing")
    }
    async fn create_pull(&self, _: &RepoName, _: &NewPull) -> Result<PullInfo, GhError> {
        unreachable!("a dry run writes nothing")
    }
    async fn update_pull_body(
        &self,
        _: &RepoName,
        _: u64,
        _: &str,
        _: &str,
    ) -> Result<(), GhError> {
        unreachable!("a dry run writes nothing")
    }
    async fn close_pull(&self, _: &RepoName, _: u64) -> Result<(), GhError> {
        unreachable!("a dry run writes nothing")
    }
    async fn add_labels(&self, _: &RepoName, _: u64, _: &[String]) -> Result<(), GhError> {
        unreachable!("a dry run writes nothing")
    }
    async fn request_reviewers(
        &self,
        _: &RepoName,
        _: u64,
        _: &[String],
        _: &[String],
    ) -> Result<(), GhError> {
        unreachable!("a dry run writes nothing")
    }
    async fn add_assignees(&self, _: &RepoName, _: u64, _: &[String]) -> Result<(), GhError> {
        unreachable!("a dry run writes nothing")
    }
    async fn enable_auto_merge(
        &self,
        _: &RepoName,
        _: &str,
        _: crate::config::MergeMethod,
    ) -> Result<crate::github::AutoMergeAnswer, GhError> {
        unreachable!("a dry run writes nothing")
    }
    async fn create_tree(&self, _: &RepoName, _: &str, _: &[TreeFile]) -> Result<Oid, GhError> {
        unreachable!("a dry run writes nothing")
    }
    async fn create_commit(
        &self,
        _: &RepoName,
        _: &str,
        _: &str,
        _: &[Oid],
    ) -> Result<Oid, GhError> {
        unreachable!("a dry run writes nothing")
    }
    async fn merge_upstream(
        &self,
        _repo: &RepoName,
        _branch: &str,
    ) -> Result<MergeUpstream, GhError> {
        unreachable!("a dry run writes nothing")
    }
    fn stats(&self) -> RequestStats {
        RequestStats::default()
    }
}

fn name(s: &str) -> RepoName {
    s.parse().unwrap()
}

/// An object id made of one hex digit.
fn oid(digit: char) -> Oid {
    digit.to_string().repeat(40).parse().unwrap()
}

fn target(head: Oid, upstream_head: Oid) -> Target {
    Target {
        branch: "main".parse().unwrap(),
        head,
        upstream: name("up/x"),
        upstream_branch: "main".parse().unwrap(),
        upstream_head,
    }
}

/// The dry run's detail for each repository of a small fleet: 3 behind (a fast-forward),
/// 1 behind, 25 behind (over `rules.pr_over_commits`), diverged (4 behind, 2 ahead), and one
/// with last run's sync PR still open.
async fn dry_run_details() -> BTreeMap<String, (Status, String)> {
    let inv = parse_inventory(
        "repositories: [o/three, o/one, o/far, o/diverged, o/reopen, o/current, o/same]\n",
        "t",
    )
    .unwrap();
    let mut gathered = Gathered::default();
    for (repo, behind, ahead) in [
        ("o/three", 3, 0),
        ("o/one", 1, 0),
        ("o/far", 25, 0),
        ("o/diverged", 4, 2),
        ("o/reopen", 30, 0),
        ("o/current", 12, 0),
        ("o/same", 0, 0),
    ] {
        let mut f = RepoFacts::unknown(name(repo));
        f.accessible = true;
        f.commits_behind = behind;
        f.commits_ahead = ahead;
        gathered.facts.insert(name(repo), f);
        gathered.live.insert(name(repo), LiveFacts::offline());
        gathered
            .targets
            .insert(name(repo), target(oid('a'), oid('b')));
    }
    gathered.sync_pulls.insert(
        name("o/reopen"),
        PullInfo {
            number: 12,
            url: "https://github.com/o/reopen/pull/12".into(),
            title: "Sync main with up/x:main (29 commits)".into(),
            head_ref: "priority-sync/main".into(),
            head_repo: Some("o/reopen".into()),
            base_ref: "main".into(),
            body: format!("{PR_MARKER}\nolder text"),
            labels: vec![],
            mergeable: Some(true),
            head_sha: Some(oid('0')),
            open: true,
            node_id: String::new(),
            merged: false,
            auto_merge: false,
        },
    );
    let inv = Arc::new(inv);
    // o/current's sync PR is as a real run would leave it: at the upstream head, its text and
    // labels current.
    let plan_current = build_plan(
        &inv,
        &gathered.facts,
        &gathered.live,
        ModeChoice {
            mode: Mode::All,
            source: ModeSource::Input,
        },
        &[],
    );
    let (_, current) = plan_current
        .in_order()
        .find(|(_, p)| p.repo == name("o/current"))
        .unwrap();
    let t = &gathered.targets[&name("o/current")];
    gathered.sync_pulls.insert(
        name("o/current"),
        PullInfo {
            number: 7,
            url: "https://github.com/o/current/pull/7".into(),
            title: pr_text::pr_title(t, 12),
            head_ref: "priority-sync/main".into(),
            head_repo: Some("o/current".into()),
            base_ref: "main".into(),
            body: pr_text::pr_body(current, t, &current.why, false),
            labels: vec!["priority-sync".into()],
            mergeable: Some(true),
            head_sha: Some(t.upstream_head.clone()),
            open: true,
            node_id: String::new(),
            merged: false,
            auto_merge: false,
        },
    );
    let plan = build_plan(
        &inv,
        &gathered.facts,
        &gathered.live,
        ModeChoice {
            mode: Mode::All,
            source: ModeSource::Input,
        },
        &[],
    );
    let ctx = Arc::new(ApplyContext::new(
        Arc::new(NoRequests),
        inv.clone(),
        &gathered,
        true,
    ));
    apply(ctx, &plan)
        .await
        .into_iter()
        .map(|o| (o.repo.to_string(), (o.status, o.detail)))
        .collect()
}

#[tokio::test]
async fn a_dry_run_says_what_it_would_do_and_why() {
    let got = dry_run_details().await;
    let pending = |d: &str| (Status::Pending, d.to_string());
    assert_eq!(
        got["o/three"],
        pending("dry run: would fast-forward 3 commits")
    );
    assert_eq!(
        got["o/one"],
        pending("dry run: would fast-forward 1 commit")
    );
    assert_eq!(
        got["o/far"],
        pending("dry run: would open a sync PR (25 behind, more than 10: rules.pr_over_commits)")
    );
    assert_eq!(
        got["o/diverged"],
        pending("dry run: would open a sync PR (diverged: 4 behind, 2 own commits ahead)")
    );
    assert_eq!(
        got["o/reopen"],
        pending(
            "dry run: would update sync PR #12 (30 behind, more than 10: rules.pr_over_commits)"
        )
    );
    assert_eq!(
        got["o/current"],
        pending("dry run: sync PR #7 is already current (12 behind, more than 10: rules.pr_over_commits)")
    );
    // Nothing to do is said as it is, not as something a dry run skipped.
    assert_eq!(got["o/same"], (Status::UpToDate, "up to date".to_string()));
    // No detail is the bare reason behind "would" (the wording this replaced).
    for (repo, (_, detail)) in &got {
        assert!(
            !detail.starts_with("dry run: would diverged"),
            "{repo}: {detail}"
        );
        assert!(!detail.contains("would 25 behind"), "{repo}: {detail}");
    }
}

#[test]
fn a_reason_in_parentheses_loses_its_own() {
    assert_eq!(
        aside("25 behind, more than 10 (rules.pr_over_commits)"),
        "25 behind, more than 10: rules.pr_over_commits"
    );
    assert_eq!(
        aside("diverged: 4 behind, 2 own commits ahead"),
        "diverged: 4 behind, 2 own commits ahead"
    );
    assert_eq!(aside("odd (a (b))"), "odd (a (b))");
}

/// A real run against a GitHub whose every request panics (`NoRequests`): each repository
/// that needed a write is `failed` saying so, the others keep their outcome, and every one of
/// them is reported, in the top phase (one at a time) and in the concurrent ones.
#[tokio::test]
async fn a_panic_in_a_repositorys_work_is_that_repositorys_failure() {
    let inv = parse_inventory(
        "top: [o/top-ff]\nrepositories: [o/three, o/far, o/same, o/one]\n",
        "t",
    )
    .unwrap();
    let mut gathered = Gathered::default();
    for (repo, behind) in [
        ("o/top-ff", 2),
        ("o/three", 3),
        ("o/far", 25),
        ("o/same", 0),
        ("o/one", 1),
    ] {
        let mut f = RepoFacts::unknown(name(repo));
        f.accessible = true;
        f.commits_behind = behind;
        gathered.facts.insert(name(repo), f);
        gathered.live.insert(name(repo), LiveFacts::offline());
        gathered
            .targets
            .insert(name(repo), target(oid('a'), oid('b')));
    }
    let inv = Arc::new(inv);
    let plan = build_plan(
        &inv,
        &gathered.facts,
        &gathered.live,
        ModeChoice {
            mode: Mode::All,
            source: ModeSource::Input,
        },
        &[],
    );
    let ctx = Arc::new(ApplyContext::new(
        Arc::new(NoRequests),
        inv.clone(),
        &gathered,
        false,
    ));
    let got: BTreeMap<String, RepoOutcome> = apply(ctx, &plan)
        .await
        .into_iter()
        .map(|o| (o.repo.to_string(), o))
        .collect();
    assert_eq!(got.len(), 5, "every repository is reported: {got:#?}");
    for repo in ["o/top-ff", "o/three", "o/far", "o/one"] {
        let o = &got[repo];
        assert_eq!(o.status, Status::Failed, "{repo}: {o:?}");
        let err = o.error.as_deref().unwrap();
        assert!(err.starts_with("internal error"), "{repo}: {err}");
    }
    assert_eq!(got["o/same"].status, Status::UpToDate);
}

#[test]
fn a_repository_starts_only_while_the_run_and_its_audit_commit_fit_500_writes() {
    use super::room_for_one_more;
    // Defaults: 440 writes with 3 others running (4 at once): 440 + 4 × 12 + 9 = 497.
    assert!(room_for_one_more(440, 3));
    assert!(!room_for_one_more(450, 3));
    assert!(room_for_one_more(0, 0));
    // 479 made, nothing running: one more sync (12) and the audit commit (9) is 500.
    assert!(room_for_one_more(479, 0));
    assert!(!room_for_one_more(480, 0));
    // Many at once (limits.concurrency 64): 41 syncs and the audit commit could be 501.
    assert!(room_for_one_more(0, 39));
    assert!(!room_for_one_more(0, 40));
}
