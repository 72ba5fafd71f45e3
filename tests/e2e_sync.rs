//! End to end: the real binary against the sandbox's 104-repository fleet, then checks of the
//! sandbox's git state (not the program's own report): fast-forwards equal their upstream,
//! diverged forks keep their commits, one sync PR per repository with the right labels,
//! archived and missing repositories untouched, one audit commit per run, dry runs read-only.

mod common;

use std::collections::BTreeMap;

use serde_json::Value;

use common::{progress_in, Harness};
use common::{status, sync_prs};
use github_sandbox::Category;
use priority_sync::github::ancestry;

#[test]
fn all_mode_syncs_the_fleet_and_a_second_run_converges() {
    let h = Harness::start(104, 1);
    let sb = &h.sb;
    let fleet = sb.fleet().clone();
    let before: BTreeMap<String, Option<String>> = fleet
        .repos
        .iter()
        .map(|r| (r.full_name.clone(), sb.branch_sha(&r.full_name, &r.branch)))
        .collect();
    let audit_before = h.audit_head();

    h.sync(&["--mode", "all"]);
    let progress = h.progress();
    assert_eq!(progress.len(), 104, "every repository is reported");

    common::assert_fleet_after_all_mode(&h, &before, &progress);
    // An upstream outside the fork network is recognised from the parent chains: never compared.
    let log = sb.log_entries();
    for r in fleet
        .repos
        .iter()
        .filter(|r| r.category == Category::ForeignUpstream)
    {
        let compare = format!("/repos/{}/compare/", r.full_name);
        assert!(
            !log.iter().any(|e| e.path.starts_with(&compare)),
            "{} compared",
            r.full_name
        );
    }
    // A fork plainly behind, or diverged by a few commits of its own (within the ancestry
    // query's depths), is settled without a compare, with the counts the fleet was built with;
    // a fork further behind is compared.
    let compared = |r: &github_sandbox::FleetRepo| {
        let compare = format!("/repos/{}/compare/", r.full_name);
        log.iter().any(|e| e.path.starts_with(&compare))
    };
    let live = || {
        fleet
            .repos
            .iter()
            .filter(|r| r.exists && !r.archived && r.category != Category::ForeignUpstream)
    };
    let within = |r: &&github_sandbox::FleetRepo| {
        (1..ancestry::DEPTH as u32).contains(&r.behind) && (r.ahead as usize) < ancestry::FORK_DEPTH
    };
    let plain: Vec<_> = live().filter(within).filter(|r| r.ahead == 0).collect();
    let diverged: Vec<_> = live().filter(within).filter(|r| r.ahead > 0).collect();
    let far: Vec<_> = live()
        .filter(|r| r.behind as usize >= ancestry::DEPTH)
        .collect();
    assert!(plain.len() > 30 && diverged.len() > 5 && !far.is_empty());
    for r in plain.iter().chain(&diverged) {
        assert!(
            !compared(r),
            "{} ({} behind, {} ahead) compared",
            r.full_name,
            r.behind,
            r.ahead
        );
    }
    for r in &diverged {
        let detail = progress[&r.full_name.to_ascii_lowercase()]["detail"].to_string();
        let own = priority_sync::plural::count(r.ahead, "own commit", "own commits");
        assert!(
            detail.contains(&format!("{} behind, {own} ahead", r.behind)),
            "{}: {detail}",
            r.full_name
        );
    }
    for r in far {
        assert!(
            compared(r),
            "{} ({} behind) not compared",
            r.full_name,
            r.behind
        );
    }

    // One audit commit on top of the old head, with the artifacts in it.
    let audit_after = h.audit_head();
    assert_ne!(audit_after, audit_before);
    assert_eq!(
        sb.count_between(&sb.repository(), &audit_before, &audit_after),
        1
    );
    for f in ["sync-state.json", "sync-progress.json"] {
        assert!(
            sb.file_text(&sb.repository(), &audit_after, &format!("audit/{f}"))
                .is_some(),
            "audit/{f} committed"
        );
    }

    // Second run after upstream moved for one far-behind repository.
    let far = fleet
        .repos
        .iter()
        .find(|r| r.category == Category::FarBehind && r.exists && !r.archived && r.behind < 90)
        .expect("a far-behind repository");
    let pr_counts: BTreeMap<String, usize> = fleet
        .repos
        .iter()
        .filter(|r| r.exists)
        .map(|r| (r.full_name.clone(), sb.open_pulls(&r.full_name).len()))
        .collect();
    let new_up = sb.advance_upstream(&far.full_name, 2, false).unwrap();
    // And for a diverged one, whose own branch stays where it was.
    let div = fleet
        .repos
        .iter()
        .find(|r| r.category == Category::Diverged && r.exists && !r.archived && !r.top)
        .expect("a diverged repository");
    let div_up = sb.advance_upstream(&div.full_name, 1, false).unwrap();

    sb.clear_log();
    h.sync(&["--mode", "all"]);
    // A sync PR that is already current costs nothing but its share of the metadata batch
    // (and the compare): no PR, label or ref request.
    let log = sb.log_entries();
    let mut current = 0;
    for r in fleet
        .repos
        .iter()
        .filter(|r| r.exists && r.full_name != far.full_name && r.full_name != div.full_name)
    {
        if sync_prs(sb, r).is_empty() {
            continue;
        }
        current += 1;
        let prefix = format!("/repos/{}/", r.full_name);
        let extra: Vec<_> = log
            .iter()
            .filter(|e| e.path.starts_with(&prefix) && !e.path.contains("/compare/"))
            .map(|e| format!("{} {}", e.method, e.path))
            .collect();
        assert!(extra.is_empty(), "{}: {extra:?}", r.full_name);
    }
    assert!(current > 10, "sync PRs checked: {current}");
    // Compares are reused while neither head moves: only the repositories whose upstream moved
    // are looked at again, both in one batched ancestry query (the plainly-behind one and the
    // diverged one, whose few own commits are within its reach): no compare at all.
    let compared: Vec<&str> = log
        .iter()
        .filter(|e| e.path.contains("/compare/"))
        .map(|e| e.path.as_str())
        .collect();
    assert!(compared.is_empty(), "{compared:?}");
    let ancestry: Vec<&Value> = log
        .iter()
        .filter_map(|e| e.request.as_ref())
        .filter(|r| {
            r["query"]
                .as_str()
                .is_some_and(|q| q.starts_with("query Ancestry"))
        })
        .collect();
    assert_eq!(ancestry.len(), 1);
    let vars = &ancestry[0]["variables"];
    let mut asked: Vec<String> = (0..2)
        .map(|i| {
            format!(
                "{}/{}",
                vars[format!("fo{i}")].as_str().unwrap(),
                vars[format!("fn{i}")].as_str().unwrap()
            )
        })
        .collect();
    asked.sort();
    let mut want = vec![far.full_name.clone(), div.full_name.clone()];
    want.sort();
    assert_eq!(asked, want);
    assert!(vars.get("fo2").is_none(), "two forks asked about");
    for r in fleet.repos.iter().filter(|r| r.exists) {
        assert_eq!(
            sb.open_pulls(&r.full_name).len(),
            pr_counts[&r.full_name],
            "{}: the second run opens no new PR",
            r.full_name
        );
    }
    for (r, up) in [(far, &new_up), (div, &div_up)] {
        let prs = sync_prs(sb, r);
        assert_eq!(prs.len(), 1, "{}", r.full_name);
        assert_eq!(
            prs[0].head_sha.as_deref(),
            Some(up.as_str()),
            "{}: sync branch follows upstream",
            r.full_name
        );
    }
    let progress = h.progress();
    assert_eq!(status(&progress, &far.full_name), "pr_open");
    assert_eq!(
        sb.count_between(&sb.repository(), &audit_after, &h.audit_head()),
        1,
        "one audit commit per run"
    );
    // Nothing needs a fast-forward any more.
    assert!(progress.values().all(|r| r["status"] != "synced"));
    sb.assert_no_unexpected_routes();
}

#[test]
fn dry_run_sends_only_reads_and_changes_nothing() {
    let h = Harness::start(40, 7);
    let sb = &h.sb;
    let before: Vec<Option<String>> = sb
        .fleet()
        .repos
        .iter()
        .map(|r| sb.branch_sha(&r.full_name, &r.branch))
        .collect();
    let audit = h.audit_head();
    sb.clear_log();
    h.sync(&["--mode", "all", "--dry-run"]);
    let entries = sb.log_entries();
    assert!(!entries.is_empty());
    for e in &entries {
        let read = e.method == "GET" || (e.method == "POST" && e.path.ends_with("/graphql"));
        assert!(read, "dry run wrote: {} {}", e.method, e.path);
    }
    let after: Vec<Option<String>> = sb
        .fleet()
        .repos
        .iter()
        .map(|r| sb.branch_sha(&r.full_name, &r.branch))
        .collect();
    assert_eq!(before, after);
    assert_eq!(h.audit_head(), audit, "no audit commit in a dry run");
    // The report still says what would happen.
    let progress = h.progress();
    assert!(progress.values().any(|r| r["status"] == "pending"
        && r["detail"]
            .as_str()
            .unwrap_or("")
            .starts_with("dry run: would")));
}

/// Runs the binary as the action entrypoint (no subcommand, `GITHUB_ACTIONS=true`).
fn action(
    h: &Harness,
    env: &[(&str, &str)],
) -> (
    BTreeMap<String, String>,
    BTreeMap<String, serde_json::Value>,
) {
    let outputs = h.path("outputs.txt");
    let summary = h.path("summary.md");
    let _ = std::fs::remove_file(&outputs);
    let inv = h.inventory();
    let mut all: Vec<(&str, &str)> = vec![
        ("GITHUB_ACTIONS", "true"),
        ("INPUT_CONFIG", inv.to_str().unwrap()),
        ("INPUT_DRY_RUN", "true"),
        ("GITHUB_OUTPUT", outputs.to_str().unwrap()),
        ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ("GITHUB_WORKSPACE", h.dir.path().to_str().unwrap()),
    ];
    all.extend_from_slice(env);
    let out = h.run(&[], &all);
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&outputs).unwrap();
    (
        common::parse_outputs(&text),
        progress_in(&h.dir.path().join("audit")),
    )
}

fn phases(progress: &BTreeMap<String, serde_json::Value>) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for r in progress.values() {
        if let Some(p) = r["phase"].as_str() {
            *m.entry(p.to_string()).or_default() += 1;
        }
    }
    m
}

#[test]
fn mode_comes_from_schedule_dispatch_and_force_repos() {
    let h = Harness::start(60, 3);
    let event = h.path("event.json");

    std::fs::write(&event, r#"{"schedule": "0 */6 * * *"}"#).unwrap();
    let (out, progress) = action(
        &h,
        &[
            ("GITHUB_EVENT_NAME", "schedule"),
            ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
        ],
    );
    assert_eq!(out["mode"], "urgent");
    let ph = phases(&progress);
    assert_eq!(ph["top"], 12);
    assert!(
        ph.get("urgent").copied().unwrap_or(0) <= 10 && ph.get("urgent").copied().unwrap_or(0) > 0,
        "{ph:?}"
    );
    assert!(!ph.contains_key("rest"));

    std::fs::write(&event, r#"{"schedule": "0 */2 * * *"}"#).unwrap();
    let (out, progress) = action(
        &h,
        &[
            ("GITHUB_EVENT_NAME", "schedule"),
            ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
        ],
    );
    assert_eq!(out["mode"], "top12");
    assert!(!phases(&progress).contains_key("urgent"));

    std::fs::write(&event, r#"{"inputs": {"mode": "all", "force_repos": ""}}"#).unwrap();
    let (out, progress) = action(
        &h,
        &[
            ("GITHUB_EVENT_NAME", "workflow_dispatch"),
            ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
        ],
    );
    assert_eq!(out["mode"], "all");
    let ph = phases(&progress);
    assert_eq!(
        ph.values().sum::<usize>(),
        60,
        "mode all covers the fleet: {ph:?}"
    );

    let (out, progress) = action(&h, &[("INPUT_FORCE-REPOS", "omnigrid, heyns1000/codenest")]);
    assert_eq!(out["mode"], "force");
    assert_eq!(
        phases(&progress),
        BTreeMap::from([("force".to_string(), 2)])
    );
    for name in priority_sync::run::OUTPUT_NAMES {
        assert!(out.contains_key(*name), "output {name} missing");
    }
    let matrix: serde_json::Value = serde_json::from_str(&out["matrix"]).unwrap();
    assert!(matrix["include"].is_array());
}

#[test]
fn the_hourly_write_budget_leaves_the_rest_pending() {
    let h = Harness::start(60, 4);
    let inv = format!("{}\nlimits:\n  writes_per_hour: 8\n", h.sb.inventory_yaml());
    std::fs::write(h.inventory(), inv).unwrap();
    let out = h.sync(&["--mode", "all"]);
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("the hourly write budget"), "{text}");
    let writes_before_audit = h
        .sb
        .log_entries()
        .iter()
        .filter(|e| {
            e.method != "GET" && !e.path.ends_with("/graphql") && !e.path.contains("fleet-control")
        })
        .count();
    // Repositories already started finish (at most `concurrency` of them, a few writes each).
    assert!(
        (8..8 + 4 * 4).contains(&writes_before_audit),
        "{writes_before_audit} writes"
    );
    let progress = h.progress();
    let pending: Vec<_> = progress
        .values()
        .filter(|r| r["status"] == "pending")
        .collect();
    assert!(!pending.is_empty());
    assert!(pending.iter().all(|r| r["detail"]
        .as_str()
        .unwrap()
        .contains("hourly write budget")));
}

#[test]
fn a_state_over_1_mb_is_read_through_the_blobs_api_and_merged() {
    let h = Harness::start(20, 5);
    let sb = &h.sb;
    let fleet: Vec<String> = sb
        .fleet()
        .repos
        .iter()
        .map(|r| r.full_name.clone())
        .collect();
    let earlier = common::large_state(&fleet, common::LARGE_STATE_EXTRA);
    let size = earlier.to_json().len();
    assert!(size > 1024 * 1024, "the state is {size} bytes");
    h.commit_state(&earlier);
    let audit = sb.repository();
    let contents = format!("/repos/{audit}/contents/audit/sync-state.json");
    let blobs = format!("/repos/{audit}/git/blobs/");

    let mut prev = earlier.clone();
    for run in 1..=2 {
        sb.clear_log();
        h.sync(&["--mode", "all"]);
        // GitHub leaves a file over 1 MB out of the contents answer: each read (at the start, and
        // again on the head the audit commit goes onto) fetched the blob it names.
        let log = sb.log_entries();
        let answers: Vec<&Value> = log
            .iter()
            .filter(|e| e.path.starts_with(&contents))
            .map(|e| e.response.as_ref().expect("an answer"))
            .collect();
        assert_eq!(answers.len(), 2, "run {run}");
        for a in &answers {
            assert_eq!(a["encoding"], "none", "run {run}");
            assert!(a["size"].as_u64().unwrap() > 1024 * 1024);
        }
        let blob_reads: Vec<&str> = log
            .iter()
            .filter(|e| e.method == "GET" && e.path.starts_with(&blobs))
            .map(|e| e.path.trim_start_matches(&blobs))
            .collect();
        let named: Vec<&str> = answers.iter().map(|a| a["sha"].as_str().unwrap()).collect();
        assert_eq!(blob_reads, named, "run {run}");

        // Merged, nothing lost: the retired repositories as they were, the fleet's entries
        // updated with their earlier facts kept, one more run in the history.
        let after = h.committed_state();
        assert!(after.to_json().len() > 1024 * 1024);
        assert_eq!(after.repos.len(), earlier.repos.len(), "run {run}");
        for (key, e) in earlier
            .repos
            .iter()
            .filter(|(k, _)| k.starts_with("retired-org/"))
        {
            assert_eq!(&after.repos[key], e, "run {run}: {key}");
        }
        let progress = h.progress();
        assert_eq!(progress.len(), fleet.len());
        let mut kept = 0;
        for (key, r) in &progress {
            let (was, now) = (&prev.repos[key], &after.repos[key]);
            assert!(now.last_seen_at > was.last_seen_at, "run {run}: {key}");
            if r["status"] == "up_to_date" {
                // Not fast-forwarded by this run: the last fast-forward is remembered.
                assert!(was.last_synced_at.is_some());
                assert_eq!(now.last_synced_at, was.last_synced_at, "run {run}: {key}");
                assert!(
                    now.last_in_sync_at > was.last_in_sync_at,
                    "run {run}: {key}"
                );
                kept += 1;
            }
        }
        assert!(
            kept > 3,
            "run {run}: up-to-date repositories checked: {kept}"
        );
        assert_eq!(after.runs.len(), earlier.runs.len() + run, "run {run}");
        assert_eq!(after.runs[..earlier.runs.len()], earlier.runs[..]);
        prev = after;
    }
}

/// The harness itself fails a test whose run asked the sandbox for something it does not
/// implement, even when the test asserts nothing about it.
#[test]
#[should_panic(expected = "the sandbox was asked for routes it does not implement")]
fn the_harness_fails_a_test_that_asked_for_an_unimplemented_route() {
    let mut h = Harness::start(5, 1);
    // Its log holds a 404 GitHub's description does not list: kept with the fault runs'.
    h.provokes_faults = true;
    let wrong = format!("{}/graphql-v2", h.sb.api_url());
    let inv = h.inventory();
    let out = h.run(
        &["run", "--config", inv.to_str().unwrap(), "--dry-run"],
        &[("GITHUB_GRAPHQL_URL", &wrong)],
    );
    // Not one repository could be read: the run could not complete (exit 1), and says where
    // to look.
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("not one of the 5 repositories could be read")
            && err.contains("GITHUB_GRAPHQL_URL"),
        "{err}"
    );
    assert_eq!(
        h.sb.unexpected_routes(),
        vec!["POST /graphql-v2".to_string()]
    );
}

#[test]
fn only_sync_prs_carrying_the_marker_are_ours() {
    let h = Harness::start(30, 6);
    let sb = &h.sb;
    // Ours: hotstack's open sync PR was opened by an earlier run (it carries the marker).
    let ours = sb.fleet().get("heyns1000/hotstack").unwrap().clone();
    assert!(ours.has_sync_pr && ours.behind > 10);
    let ours_pr = sync_prs(sb, &ours).pop().unwrap();
    // Someone else's: a person synced celestial-payroll by hand on a branch that happens to be
    // called priority-sync/main and opened a PR from it, without the marker; upstream moved on.
    let theirs = sb
        .fleet()
        .get("heyns1000/celestial-payroll")
        .unwrap()
        .clone();
    assert!(theirs.exists && theirs.ahead == 0 && theirs.behind > 10 && !theirs.has_sync_pr);
    let branch = format!("priority-sync/{}", theirs.branch);
    let up = common::upstream_head(sb, &theirs).unwrap();
    assert!(sb.create_branch(&theirs.full_name, &branch, &up));
    let number = sb
        .open_pull(
            &theirs.full_name,
            &branch,
            &theirs.branch,
            "Catch up with upstream (by hand)",
            "I am reviewing these upstream changes myself.",
            "a-maintainer",
        )
        .unwrap();
    sb.advance_upstream(&theirs.full_name, 2, false).unwrap();
    let theirs_before = sb.open_pulls(&theirs.full_name);

    sb.clear_log();
    h.sync(&[
        "--force",
        &format!("{},{}", ours.full_name, theirs.full_name),
    ]);
    let progress = h.progress();

    // Ours is brought up to date: branch at the upstream head, text rewritten, still one.
    let prs = sync_prs(sb, &ours);
    assert_eq!(prs.len(), 1, "{prs:?}");
    assert_eq!(prs[0].number, ours_pr.number);
    assert_eq!(prs[0].head_sha, common::upstream_head(sb, &ours));
    assert_ne!(prs[0].title, ours_pr.title, "title rewritten");
    assert!(prs[0]
        .body
        .as_deref()
        .unwrap()
        .contains("This pull request brings"));
    assert_eq!(status(&progress, &ours.full_name), "pr_open");

    // Theirs is untouched: branch, title, body, labels; no PR of ours beside it; nothing
    // written to the repository at all.
    assert_eq!(
        sb.branch_sha(&theirs.full_name, &branch).as_deref(),
        Some(up.as_str())
    );
    assert_eq!(sb.open_pulls(&theirs.full_name), theirs_before);
    let writes: Vec<_> = sb
        .log_entries()
        .into_iter()
        .filter(|e| {
            e.method != "GET" && e.path.starts_with(&format!("/repos/{}/", theirs.full_name))
        })
        .map(|e| format!("{} {}", e.method, e.path))
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
    let p = &progress[&theirs.full_name.to_ascii_lowercase()];
    assert_eq!(p["status"], "skipped", "{p}");
    let why = p["detail"].as_str().unwrap();
    assert!(
        why.contains(&format!(
            "an open pull request (#{number}) from {branch} was not opened by priority-sync; close it or rename its branch"
        )),
        "{why}"
    );
}

/// The fleet repository (index in `order`) each REST request apply made is about, in the order
/// the sandbox handled them; gather's compares, GraphQL and the audit repository left out.
fn apply_sequence(h: &Harness, order: &[String]) -> Vec<(usize, String)> {
    h.sb.log_entries()
        .into_iter()
        .filter(|e| e.path.starts_with("/repos/") && !e.path.contains("/compare/"))
        .filter_map(|e| {
            let mut segs = e.path.trim_start_matches("/repos/").split('/');
            let repo = format!("{}/{}", segs.next()?, segs.next()?);
            let i = order.iter().position(|r| r.eq_ignore_ascii_case(&repo))?;
            Some((i, format!("{} {}", e.method, e.path)))
        })
        .collect()
}

/// Every repository's requests form one block, and the blocks come in `order`: one
/// repository at a time, in that order. Returns the repositories that were written to.
fn assert_one_at_a_time_in_order(seq: &[(usize, String)], order: &[String]) -> Vec<String> {
    for w in seq.windows(2) {
        assert!(
            w[0].0 <= w[1].0,
            "{} ({}) after {} ({}): not one at a time in list order\n{seq:#?}",
            w[1].1,
            order[w[1].0],
            w[0].1,
            order[w[0].0]
        );
    }
    let mut written: Vec<String> = seq
        .iter()
        .filter(|(_, call)| !call.starts_with("GET "))
        .map(|(i, _)| order[*i].clone())
        .collect();
    written.dedup();
    written
}

#[test]
fn top_and_force_write_one_repository_at_a_time_in_the_given_order() {
    use github_sandbox::{fleet::TOP12, FaultAction, FaultRule};
    let h = Harness::start(30, 8);
    let fleet = h.sb.fleet().clone();
    // Each repository's first write is slowed down: were two repositories worked on at once,
    // the other's requests would land in between.
    let slow = |repos: &[String]| {
        for r in repos {
            for m in ["PATCH", "POST"] {
                h.sb.add_fault_rule(FaultRule::on(
                    m,
                    &format!("/repos/{r}/"),
                    1,
                    FaultAction::Delay(std::time::Duration::from_millis(150)),
                ));
            }
        }
    };

    // force: three repositories needing writes, in an order that is neither alphabetical nor
    // by rank or inventory position.
    let mut forced: Vec<String> = fleet
        .repos
        .iter()
        .filter(|r| {
            !r.top
                && r.exists
                && !r.archived
                && r.behind > 0
                && r.category != Category::ForeignUpstream
        })
        .map(|r| r.full_name.clone())
        .take(3)
        .collect();
    assert_eq!(forced.len(), 3);
    forced.sort();
    forced.swap(0, 1);
    forced.reverse();
    slow(&forced);
    h.sb.clear_log();
    h.sync(&["--force", &forced.join(",")]);
    let seq = apply_sequence(&h, &forced);
    let written = assert_one_at_a_time_in_order(&seq, &forced);
    assert_eq!(written, forced, "every forced repository written, in order");

    // top: the Top 12 listed backwards (not the generator's order, not alphabetical).
    let top: Vec<String> = TOP12.iter().rev().map(|s| s.to_string()).collect();
    let inv = h.sb.inventory_yaml();
    let (head, rest) = inv.split_once("top:").unwrap();
    let (_, rest) = rest.split_once("repositories:").unwrap();
    let mut listed = format!("{head}top:\n");
    for r in &top {
        listed.push_str(&format!("  - {r}\n"));
    }
    listed.push_str("repositories:");
    listed.push_str(rest);
    std::fs::write(h.inventory(), listed).unwrap();
    slow(&top);
    h.sb.clear_log();
    h.sync(&["--mode", "all"]);
    let all: Vec<String> = top
        .iter()
        .cloned()
        .chain(
            fleet
                .repos
                .iter()
                .filter(|r| !r.top)
                .map(|r| r.full_name.clone()),
        )
        .collect();
    let seq = apply_sequence(&h, &all);
    // The top phase ends before any later phase starts.
    let first_later = seq.iter().position(|(i, _)| *i >= top.len());
    let last_top = seq.iter().rposition(|(i, _)| *i < top.len()).unwrap();
    assert!(
        first_later.is_none_or(|f| f > last_top),
        "a later phase started before the top phase ended"
    );
    let top_seq: Vec<_> = seq.into_iter().filter(|(i, _)| *i < top.len()).collect();
    let written = assert_one_at_a_time_in_order(&top_seq, &top);
    let expected: Vec<String> = top
        .iter()
        .filter(|r| {
            let f = fleet.get(r).unwrap();
            f.exists && !f.archived && f.behind > 0 && f.category != Category::ForeignUpstream
        })
        .cloned()
        .collect();
    assert!(expected.len() >= 6, "{expected:?}");
    assert_eq!(
        written, expected,
        "every top repository needing a sync written, in list order"
    );
}
