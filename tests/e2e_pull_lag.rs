//! Pull requests right after a write, end to end against the sandbox's GitHub defaults:
//! `mergeable` is null while GitHub computes it (GitHub's description of GET pull; the
//! sandbox's `mergeable_ms`), and a new pull request is missing from lists while a second
//! create for it answers 422 "A pull request already exists" (reads lag writes:
//! prose/prose#148, vsoch/pull-request-action#86; the sandbox's `list_lag_ms`).
//!
//! What a user wants: never a wrong conflict label or status while GitHub has not computed
//! mergeability, the conflict labelled once it has (the same run, or the next); and runs back
//! to back never open a second sync PR, whether or not the state remembers the first.
//!
//! Some tests lengthen one timing (`mergeable_ms`, `list_lag_ms`) to place a run inside or
//! outside GitHub's lag on purpose, whatever the machine's speed; each says why.

mod common;

use common::{status, sync_prs, Harness};
use github_sandbox::{Behaviour, LogEntry, SandboxConfig};
use serde_json::Value;

/// Fixed forks of the generated fleet (tests/sandbox/src/fleet/plan.rs).
const CONFLICTING: &str = "heyns1000/payment-gateway-hub";
const DIVERGED: &str = "heyns1000/buildnest";
const FAR_BEHIND: &str = "heyns1000/data-warehouse";

fn harness(behaviour: Behaviour) -> Harness {
    Harness::start_with(SandboxConfig {
        behaviour,
        ..Harness::config(20, 3)
    })
}

fn progress_of(h: &Harness, repo: &str) -> Value {
    h.progress()[&repo.to_ascii_lowercase()].clone()
}

fn labels(h: &Harness, repo: &str) -> Vec<String> {
    let r = h.sb.fleet().get(repo).unwrap().clone();
    let prs = sync_prs(&h.sb, &r);
    assert_eq!(prs.len(), 1, "{repo}: one sync PR, got {prs:?}");
    prs[0].labels.clone()
}

fn requests<'a>(log: &'a [LogEntry], method: &str, path: &str) -> Vec<&'a LogEntry> {
    log.iter()
        .filter(|e| e.method == method && e.path.split('?').next() == Some(path))
        .collect()
}

/// The PR a run opened in `repo`, and how many times it read it back by number.
fn created_and_reads(h: &Harness, repo: &str) -> (u64, Value, usize) {
    let log = h.sb.log_entries();
    let created = requests(&log, "POST", &format!("/repos/{repo}/pulls"));
    assert_eq!(created.len(), 1, "{repo}: one create");
    let answer = created[0].response.clone().unwrap();
    let n = answer["number"].as_u64().unwrap();
    let reads = requests(&log, "GET", &format!("/repos/{repo}/pulls/{n}")).len();
    (n, answer["mergeable"].clone(), reads)
}

#[test]
fn a_conflict_github_computes_moments_later_is_labelled_in_the_same_run() {
    // GitHub's defaults: mergeability is known a second after the PR is opened.
    let h = harness(Behaviour::default());
    h.sync(&["--force", &format!("{CONFLICTING},{DIVERGED}")]);

    // The create answered null; the run read it again and labelled the conflict.
    let (_, at_create, reads) = created_and_reads(&h, CONFLICTING);
    assert_eq!(
        at_create,
        Value::Null,
        "GitHub had not computed it when created"
    );
    assert!(reads >= 1, "read again once computed");
    assert!(labels(&h, CONFLICTING).contains(&"sync-conflict".to_string()));
    let p = progress_of(&h, CONFLICTING);
    assert_eq!(p["status"], "pr_open", "{p}");
    assert_eq!(p["pull_request"]["conflicted"], true, "{p}");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("conflicts with the branch"),
        "{p}"
    );

    // The clean one: read again too, never labelled as conflicting, nothing left unknown.
    let (_, at_create, _) = created_and_reads(&h, DIVERGED);
    assert_eq!(at_create, Value::Null);
    assert!(!labels(&h, DIVERGED).contains(&"sync-conflict".to_string()));
    let p = progress_of(&h, DIVERGED);
    assert_eq!(p["pull_request"]["conflicted"], false, "{p}");
    let detail = p["detail"].as_str().unwrap();
    assert!(
        !detail.contains("conflicts") && !detail.contains("not computed"),
        "{p}"
    );
}

#[test]
fn a_conflict_github_computes_only_later_is_labelled_by_the_next_run() {
    // GitHub still computing after the run's few seconds of re-reads (60 s here, so no
    // machine's speed decides it): the first run must not guess.
    let h = harness(Behaviour {
        mergeable_ms: 60_000,
        ..Behaviour::default()
    });
    let both = format!("{CONFLICTING},{DIVERGED}");
    h.sync(&["--force", &both]);
    let (number, _, reads) = created_and_reads(&h, CONFLICTING);
    assert_eq!(
        reads, 2,
        "read again twice, within a few seconds, then left"
    );
    for repo in [CONFLICTING, DIVERGED] {
        assert!(
            !labels(&h, repo).contains(&"sync-conflict".to_string()),
            "{repo}"
        );
        let p = progress_of(&h, repo);
        assert_eq!(p["status"], "pr_open", "{p}");
        assert_eq!(p["pull_request"]["conflicted"], false, "{p}");
        let detail = p["detail"].as_str().unwrap();
        assert!(
            detail.contains("GitHub had not computed whether it merges cleanly yet"),
            "{p}"
        );
        assert!(!detail.contains("conflicts with the branch"), "{p}");
    }

    // GitHub has computed it: the next run labels the conflict on the same PR.
    h.sb.settle_pulls();
    h.sb.clear_log();
    h.sync(&["--force", &both]);
    assert!(labels(&h, CONFLICTING).contains(&"sync-conflict".to_string()));
    let r = h.sb.fleet().get(CONFLICTING).unwrap().clone();
    assert_eq!(sync_prs(&h.sb, &r)[0].number, number);
    let p = progress_of(&h, CONFLICTING);
    assert_eq!(p["pull_request"]["conflicted"], true, "{p}");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("conflicts with the branch"),
        "{p}"
    );
    assert!(!labels(&h, DIVERGED).contains(&"sync-conflict".to_string()));
    let log = h.sb.log_entries();
    assert!(requests(&log, "POST", &format!("/repos/{CONFLICTING}/pulls")).is_empty());
}

#[test]
fn a_run_inside_the_list_lag_updates_the_remembered_sync_pr() {
    // The state remembers last run's sync PR; lists miss it for a minute here (longer than
    // any two runs take), so the second run is inside GitHub's lag for certain.
    let h = harness(Behaviour {
        list_lag_ms: 60_000,
        ..Behaviour::default()
    });
    let r = h.sb.fleet().get(FAR_BEHIND).unwrap().clone();
    h.sync(&["--force", FAR_BEHIND]);
    let first = sync_prs(&h.sb, &r);
    assert_eq!(first.len(), 1);
    assert_eq!(
        h.committed_state().repos[&FAR_BEHIND.to_ascii_lowercase()].sync_pr,
        Some(first[0].number)
    );

    // Upstream moves on: the PR must be brought up to date, not opened again.
    let up = h.sb.advance_upstream(FAR_BEHIND, 2, false).unwrap();
    h.sb.clear_log();
    h.sync(&["--force", FAR_BEHIND]);
    let log = h.sb.log_entries();
    let listed = requests(&log, "GET", &format!("/repos/{FAR_BEHIND}/pulls"));
    assert!(!listed.is_empty());
    assert!(
        listed
            .iter()
            .all(|e| e.response.as_ref().unwrap().as_array().unwrap().is_empty()),
        "the lists did not show it"
    );
    assert!(requests(&log, "POST", &format!("/repos/{FAR_BEHIND}/pulls")).is_empty());
    let now = sync_prs(&h.sb, &r);
    assert_eq!(now.len(), 1, "{now:?}");
    assert_eq!(now[0].number, first[0].number);
    assert_eq!(now[0].head_sha.as_deref(), Some(up.as_str()));
    assert_ne!(now[0].title, first[0].title, "brought up to date");
    let p = progress_of(&h, FAR_BEHIND);
    assert_eq!(p["status"], "pr_open", "{p}");
    assert!(
        p["detail"].as_str().unwrap().starts_with("sync PR updated"),
        "{p}"
    );
}

#[test]
fn without_a_state_a_second_create_is_refused_and_the_listed_pr_adopted() {
    // Nothing committed, so the second run does not know the first's PR. Lists miss it for
    // 8 s here: the second run's create comes inside that for certain, and its re-lists
    // (at 0, 1, 3, 7 and 15 s) outlast it.
    let h = harness(Behaviour {
        list_lag_ms: 8_000,
        ..Behaviour::default()
    });
    let r = h.sb.fleet().get(FAR_BEHIND).unwrap().clone();
    h.sync(&["--force", FAR_BEHIND, "--no-commit"]);
    let first = sync_prs(&h.sb, &r);
    assert_eq!(first.len(), 1);

    h.sb.clear_log();
    h.sync(&["--force", FAR_BEHIND, "--no-commit"]);
    let log = h.sb.log_entries();
    let creates = requests(&log, "POST", &format!("/repos/{FAR_BEHIND}/pulls"));
    assert_eq!(creates.len(), 1);
    assert_eq!(creates[0].status, 422, "GitHub refused a second PR");
    assert_eq!(sync_prs(&h.sb, &r).len(), 1, "never a second PR");
    let p = progress_of(&h, FAR_BEHIND);
    assert_eq!(p["status"], "pr_open", "{p}");
    assert_eq!(p["pull_request"]["number"], first[0].number, "{p}");
    assert_eq!(p["pull_request"]["created"], false, "adopted, {p}");
}

#[test]
fn a_pr_github_will_not_list_for_long_is_pending_then_adopted() {
    // Lists miss the PR for a minute, past the second run's 15 s of re-lists.
    let h = harness(Behaviour {
        list_lag_ms: 60_000,
        ..Behaviour::default()
    });
    let r = h.sb.fleet().get(FAR_BEHIND).unwrap().clone();
    h.sync(&["--force", FAR_BEHIND, "--no-commit"]);
    let first = sync_prs(&h.sb, &r)[0].number;

    h.sb.clear_log();
    h.sync(&["--force", FAR_BEHIND, "--no-commit"]);
    let log = h.sb.log_entries();
    let lists = requests(&log, "GET", &format!("/repos/{FAR_BEHIND}/pulls"));
    // Two at the start (the sync branch and the upstream branch), five after the 422.
    assert_eq!(lists.len(), 7, "re-listed a bounded number of times");
    assert_eq!(sync_prs(&h.sb, &r).len(), 1, "never a second PR");
    assert_eq!(status(&h.progress(), FAR_BEHIND), "pending");
    let p = progress_of(&h, FAR_BEHIND);
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.contains("already exists but does not list it yet; the next run adopts it"),
        "{p}"
    );
    assert!(p["error"].is_null(), "not an error: {p}");

    // GitHub lists it now: the next run adopts it.
    h.sb.settle_pulls();
    h.sync(&["--force", FAR_BEHIND, "--no-commit"]);
    let p = progress_of(&h, FAR_BEHIND);
    assert_eq!(p["status"], "pr_open", "{p}");
    assert_eq!(p["pull_request"]["number"], first, "{p}");
    assert_eq!(sync_prs(&h.sb, &r).len(), 1);
}
