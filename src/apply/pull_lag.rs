//! GitHub's pull request lags, waited out within bounds: `mergeable` is null while a
//! background job computes it (GitHub's description of GET pull), and a pull request opened
//! moments ago can be missing from lists while a second create for it answers 422 "A pull
//! request already exists" (GitHub's reads lag its writes: prose/prose#148,
//! vsoch/pull-request-action#86). Neither ever becomes a wrong label or a second pull request.

use std::collections::BTreeMap;
use std::time::Duration;

use super::pr_text::PR_MARKER;
use crate::github::{GhError, GitHub, PullInfo};
use crate::repo_name::RepoName;
use crate::unit::Unit;

const fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// Waits before each read of a pull request's mergeability after this run created it (its
/// create answer was the first read): 3 s in all, 2 reads at most.
pub(super) const MERGEABLE_WAITS_CREATED: [Duration; 2] = [secs(1), secs(2)];
/// The same for a pull request this run kept (a list answer has no `mergeable`): a read at
/// once, then as after a create; 3 reads at most.
pub(super) const MERGEABLE_WAITS_KEPT: [Duration; 3] = [secs(0), secs(1), secs(2)];
/// Waits before each list after a create answered "already exists" while lists did not show
/// the pull request: 15 s in all, 5 lists at most.
pub(super) const RELIST_WAITS: [Duration; 5] = [secs(0), secs(1), secs(2), secs(4), secs(8)];

/// Why GitHub refused to create a pull request, from its 422 message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CreateRefusal {
    /// "A pull request already exists for owner:branch." — one is open for that head and base.
    AlreadyExists,
    /// "No commits between base and head": nothing to merge.
    NothingToMerge,
    /// Anything else.
    Other,
}

/// Classifies a 422 answer to a pull request create (its message and `errors` messages, as
/// [`GhError::Unprocessable`] carries them).
pub(super) fn create_refusal(message: &str) -> CreateRefusal {
    let m = message.to_ascii_lowercase();
    if m.contains("a pull request already exists") {
        CreateRefusal::AlreadyExists
    } else if m.contains("no commits between") {
        CreateRefusal::NothingToMerge
    } else {
        CreateRefusal::Other
    }
}

/// A pull request's mergeability once GitHub has computed it: `Some(false)` when it
/// conflicts, `None` when it was still not computed after the waits (`waits`:
/// [`MERGEABLE_WAITS_CREATED`] or [`MERGEABLE_WAITS_KEPT`]). `known` is what an earlier
/// answer already said (a create answers `mergeable` too).
pub(super) async fn mergeability(
    gh: &dyn GitHub,
    repo: &RepoName,
    number: u64,
    known: Option<bool>,
    waits: &[Duration],
) -> Result<Option<bool>, GhError> {
    if known.is_some() {
        return Ok(known);
    }
    for wait in waits {
        tokio::time::sleep(*wait).await;
        match gh.pull(repo, number).await? {
            Some(pr) if pr.mergeable.is_some() => return Ok(pr.mergeable),
            Some(_) => {}
            // Gone (deleted with its repository?): nothing to wait for.
            None => return Ok(None),
        }
    }
    Ok(None)
}

/// What the lists show for a head after GitHub said a pull request from it already exists.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Listed {
    /// Ours (it carries [`PR_MARKER`]): adopt it.
    Ours(PullInfo),
    /// Someone else's: left alone.
    Theirs(PullInfo),
    /// Still not listed after [`RELIST_WAITS`].
    NotYet,
}

/// Lists the open pull requests from `head` into `base` until the one GitHub says exists
/// shows up, waiting [`RELIST_WAITS`] before each list.
pub(super) async fn listed_after_refusal(
    gh: &dyn GitHub,
    repo: &RepoName,
    head: &str,
    base: &str,
) -> Result<Listed, GhError> {
    for wait in RELIST_WAITS {
        tokio::time::sleep(wait).await;
        let open = gh.open_pulls(repo, head, base).await?;
        let (ours, theirs): (Vec<_>, Vec<_>) =
            open.into_iter().partition(|pr| pr.body.contains(PR_MARKER));
        if let Some(pr) = ours.into_iter().next() {
            return Ok(Listed::Ours(pr));
        }
        if let Some(pr) = theirs.into_iter().next() {
            return Ok(Listed::Theirs(pr));
        }
    }
    Ok(Listed::NotYet)
}

/// Last run's sync pull request, as the metadata batch read it by number (which sees a new
/// pull request at once), when it is ours, open, into `base` and from `head_repo`'s
/// `head_ref`: a list that missed it (lagging) still finds it here.
pub(super) fn remembered(
    sync_pulls: &BTreeMap<Unit, PullInfo>,
    repo: &Unit,
    head_repo: &RepoName,
    head_ref: &str,
    base: &str,
) -> Option<PullInfo> {
    let pr = sync_pulls.get(repo)?;
    let from_head = pr.head_ref == head_ref
        && pr
            .head_repo
            .as_deref()
            .is_some_and(|r| r.eq_ignore_ascii_case(&head_repo.to_string()));
    (pr.open && pr.base_ref == base && from_head && pr.body.contains(PR_MARKER)).then(|| pr.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Scripted;

    #[test]
    fn create_refusals_are_told_apart_by_githubs_recorded_messages() {
        // As the client reports a 422: "message: errors[].message" (gm3dmo/the-power#175,
        // google/go-github#1441, and a recorded "No commits between" log).
        let cases = [
            (
                "Validation Failed: A pull request already exists for yoyodyne-corporation:new_branch.",
                CreateRefusal::AlreadyExists,
            ),
            (
                "Validation Failed: No commits between main and changeset-release/main",
                CreateRefusal::NothingToMerge,
            ),
            ("Validation Failed", CreateRefusal::Other),
            (
                "Validation Failed: Reference already exists",
                CreateRefusal::Other,
            ),
        ];
        for (m, want) in cases {
            assert_eq!(create_refusal(m), want, "{m}");
        }
    }

    fn pr(head_repo: &str, head_ref: &str, base: &str, body: &str, open: bool) -> PullInfo {
        PullInfo {
            number: 7,
            url: "https://github.example/o/r/pull/7".into(),
            title: "Sync main".into(),
            head_ref: head_ref.into(),
            head_repo: Some(head_repo.into()),
            base_ref: base.into(),
            body: body.into(),
            labels: vec![],
            mergeable: None,
            head_sha: None,
            open,
            node_id: String::new(),
            merged: false,
            auto_merge: false,
        }
    }

    #[test]
    fn the_remembered_pull_request_stands_in_only_for_ours_from_that_head_into_that_base() {
        let repo: RepoName = "heyns1000/hotstack".parse().unwrap();
        let up: RepoName = "omnigrid-labs/hotstack".parse().unwrap();
        let ours = format!("text\n{PR_MARKER}");
        let unit = Unit::whole(repo.clone());
        let with = |p: PullInfo| BTreeMap::from([(unit.clone(), p)]);
        let sync = "priority-sync/main";

        let kept = with(pr("Heyns1000/hotstack", sync, "main", &ours, true));
        assert_eq!(
            remembered(&kept, &unit, &repo, sync, "main").map(|p| p.number),
            Some(7)
        );
        // Another head, another head repository, another base: not this one.
        assert_eq!(remembered(&kept, &unit, &up, "main", "main"), None);
        assert_eq!(remembered(&kept, &unit, &up, sync, "main"), None);
        assert_eq!(remembered(&kept, &unit, &repo, sync, "develop"), None);
        // Closed, someone else's, or nothing remembered: none.
        let closed = with(pr("heyns1000/hotstack", sync, "main", &ours, false));
        assert_eq!(remembered(&closed, &unit, &repo, sync, "main"), None);
        let theirs = with(pr("heyns1000/hotstack", sync, "main", "mine", true));
        assert_eq!(remembered(&theirs, &unit, &repo, sync, "main"), None);
        assert_eq!(
            remembered(&BTreeMap::new(), &unit, &repo, sync, "main"),
            None
        );
        // From the upstream branch.
        let from_up = with(pr("omnigrid-labs/hotstack", "main", "main", &ours, true));
        assert!(remembered(&from_up, &unit, &up, "main", "main").is_some());
    }

    fn with_mergeable(m: Option<bool>) -> Option<PullInfo> {
        let mut p = pr("o/r", "priority-sync/main", "main", PR_MARKER, true);
        p.mergeable = m;
        Some(p)
    }

    #[tokio::test(start_paused = true)]
    async fn mergeability_is_read_again_until_github_has_computed_it() {
        let repo: RepoName = "o/r".parse().unwrap();
        // Created: its create answered null; read after 1 s (null), after 3 s (conflicts).
        let gh = Scripted::new();
        gh.pulls
            .lock()
            .unwrap()
            .extend([with_mergeable(None), with_mergeable(Some(false))]);
        let m = mergeability(&gh, &repo, 7, None, &MERGEABLE_WAITS_CREATED).await;
        assert_eq!(m.unwrap(), Some(false));
        assert_eq!(gh.times("pull"), [secs(1), secs(3)]);

        // Kept: read at once, and no more once it is known.
        let gh = Scripted::new();
        gh.pulls
            .lock()
            .unwrap()
            .push_back(with_mergeable(Some(true)));
        let m = mergeability(&gh, &repo, 7, None, &MERGEABLE_WAITS_KEPT).await;
        assert_eq!(m.unwrap(), Some(true));
        assert_eq!(gh.times("pull"), [secs(0)]);

        // Still null after the last wait: not computed, said so (None), 3 s in all.
        let gh = Scripted::new();
        gh.pulls
            .lock()
            .unwrap()
            .extend((0..3).map(|_| with_mergeable(None)));
        let m = mergeability(&gh, &repo, 7, None, &MERGEABLE_WAITS_KEPT).await;
        assert_eq!(m.unwrap(), None);
        assert_eq!(gh.times("pull"), [secs(0), secs(1), secs(3)]);

        // Already known from the create's answer: no read at all.
        let gh = Scripted::new();
        let m = mergeability(&gh, &repo, 7, Some(true), &MERGEABLE_WAITS_CREATED).await;
        assert_eq!(m.unwrap(), Some(true));
        assert!(gh.times("pull").is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn after_already_exists_the_lists_are_read_again_until_they_show_it() {
        let repo: RepoName = "o/r".parse().unwrap();
        let ours = pr("o/r", "priority-sync/main", "main", PR_MARKER, true);
        let gh = Scripted::new();
        gh.lists
            .lock()
            .unwrap()
            .extend([vec![], vec![], vec![ours.clone()]]);
        let l = listed_after_refusal(&gh, &repo, "o:priority-sync/main", "main").await;
        assert_eq!(l.unwrap(), Listed::Ours(ours));
        assert_eq!(gh.times("open_pulls"), [secs(0), secs(1), secs(3)]);

        // Someone else's shows up: theirs, left alone.
        let theirs = pr("o/r", "priority-sync/main", "main", "by hand", true);
        let gh = Scripted::new();
        gh.lists.lock().unwrap().push_back(vec![theirs.clone()]);
        let l = listed_after_refusal(&gh, &repo, "o:priority-sync/main", "main").await;
        assert_eq!(l.unwrap(), Listed::Theirs(theirs));

        // Never listed within 15 s: not yet, after 5 lists.
        let gh = Scripted::new();
        gh.lists.lock().unwrap().extend((0..5).map(|_| vec![]));
        let l = listed_after_refusal(&gh, &repo, "o:priority-sync/main", "main").await;
        assert_eq!(l.unwrap(), Listed::NotYet);
        assert_eq!(
            gh.times("open_pulls"),
            [secs(0), secs(1), secs(3), secs(7), secs(15)]
        );
    }
}
