//! The `branches` scenario (`--branches K`): every fork of the fleet (with an upstream in its
//! network) gets K-1 release branches (`release/1` …) on both sides, the fork's at its default
//! branch's head and the upstream's at its own (so each is as far behind, and as diverged, as
//! the default branch), and the inventory lists `branches: [<default>, "release/*"]` for each.
//! Measured on the same fleet: a first gather (`priority-sync snapshot`) without and with the
//! branches, then `priority-sync run --mode all` with them. Checked: the branches add no REST
//! read to the gather (they ride in the metadata batch as GraphQL aliases), at most as many
//! GraphQL requests again as without, and every branch has an outcome of its own.

use github_sandbox::{Category, FleetRepo, LogEntry, Sandbox};
use serde_json::{json, Value};

use crate::checks::{check, check_no_secondary_limits, check_no_unexpected_routes, Check};
use crate::measure::{measured, start_sandbox_logged, Scratch};
use crate::scenarios::{snapshot_of, sync_run};
use crate::{progress, Args, GITHUB_CONTENT_LIMIT};

/// A fork whose branches the scenario lists: it exists, is not archived, and its upstream is
/// in its network.
fn listed(r: &FleetRepo) -> bool {
    r.exists && !r.archived && r.parent.is_some() && r.category != Category::ForeignUpstream
}

/// One inventory entry: with `branches:` for a listed fork, else as the fleet lists it.
fn entry(r: &FleetRepo, branches: bool) -> String {
    let mut y = format!("  - repo: {}\n", r.full_name);
    if branches {
        y.push_str(&format!(
            "    branches:\n      - name: {}\n        upstream: {}\n      - \"release/*\"\n",
            r.branch, r.upstream_branch
        ));
        if let Some(u) = &r.inventory_upstream {
            let repo = u.split(':').next().unwrap_or(u);
            y.push_str(&format!("    upstream: {repo}\n"));
        }
    } else {
        if r.listed_as_map {
            y.push_str(&format!("    branch: {}\n", r.branch));
        }
        if let Some(u) = &r.inventory_upstream {
            y.push_str(&format!("    upstream: {u}\n"));
        }
    }
    y
}

/// The fleet's inventory with `branches:` on every listed fork.
fn inventory(sb: &Sandbox) -> String {
    let repos = &sb.fleet().repos;
    let mut y = String::from("top:\n");
    for r in repos.iter().filter(|r| r.top) {
        y.push_str(&entry(r, listed(r)));
    }
    y.push_str("repositories:\n");
    for r in repos.iter().filter(|r| !r.top) {
        y.push_str(&entry(r, listed(r)));
    }
    y
}

/// Creates `release/1` … `release/{k-1}` on both sides of every listed fork; returns how many
/// forks got them.
fn push_branches(sb: &Sandbox, k: usize) -> usize {
    let mut forks = 0;
    for r in sb.fleet().repos.iter().filter(|r| listed(r)) {
        let up = r.parent.as_deref().unwrap_or_default();
        let (Some(fork_head), Some(up_head)) = (
            sb.branch_sha(&r.full_name, &r.branch),
            sb.branch_sha(up, &r.upstream_branch),
        ) else {
            continue;
        };
        for i in 1..k {
            let name = format!("release/{i}");
            sb.create_branch(up, &name, &up_head);
            sb.create_branch(&r.full_name, &name, &fork_head);
        }
        forks += 1;
    }
    forks
}

/// GraphQL requests in `log` by operation name (`RepoMetadata`, `Ancestry`, …).
fn graphql_by_operation(log: &[LogEntry]) -> Value {
    let mut by: std::collections::BTreeMap<String, u64> = Default::default();
    for e in log.iter().filter(|e| e.path.starts_with("/graphql")) {
        let query = e
            .request
            .as_ref()
            .and_then(|r| r["query"].as_str())
            .unwrap_or_default();
        let name = query
            .strip_prefix("query ")
            .and_then(|q| q.split(|c: char| !c.is_alphanumeric()).next())
            .unwrap_or("other");
        *by.entry(name.to_string()).or_default() += 1;
    }
    json!(by)
}

/// REST reads of a listed branch (`GET …/branches…`, `GET …/git/ref/heads/release/…`).
fn rest_branch_reads(log: &[LogEntry]) -> usize {
    log.iter()
        .filter(|e| e.method == "GET")
        .filter(|e| e.path.contains("/branches") || e.path.contains("/git/ref/heads/release/"))
        .count()
}

pub fn branches_scenario(a: &Args, k: usize, checks: &mut Vec<Check>) -> Result<Value, String> {
    progress(&format!(
        "branches: {k} branches per fork (the default and {} release/*), gather without and with them, then a run",
        k - 1
    ));
    // The request log is kept: the checks read which requests the gather made.
    let w = a
        .writes_per_minute
        .unwrap_or(crate::DEFAULT_WRITES_PER_MINUTE);
    let sb = start_sandbox_logged(a, GITHUB_CONTENT_LIMIT.max(w), 1_000_000)?;
    let dir = Scratch::new(a, "branches")?;
    let forks = push_branches(&sb, k);
    let (mut plain, _) = snapshot_of(a, &sb, &dir, "snapshot-plain", &sb.inventory_yaml())?;
    plain.insert(
        "graphql_by_operation".into(),
        graphql_by_operation(&sb.log_entries()),
    );
    let (mut with, _) = snapshot_of(a, &sb, &dir, "snapshot-branches", &inventory(&sb))?;
    with.insert(
        "graphql_by_operation".into(),
        graphql_by_operation(&sb.log_entries()),
    );
    let gather_rest = rest_branch_reads(&sb.log_entries());
    check_no_unexpected_routes(checks, &sb, "branches_gather");
    check_no_secondary_limits(checks, &sb.counters(), "branches_gather");
    let kind = |m: &serde_json::Map<String, Value>, k: &str| {
        m["requests_by_kind"][k].as_u64().unwrap_or(u64::MAX)
    };
    let (g0, g1) = (kind(&plain, "graphql"), kind(&with, "graphql"));
    let metadata = with["graphql_by_operation"]["RepoMetadata"]
        .as_u64()
        .unwrap_or(0);
    check(
        checks,
        "branches_gathered_in_batches",
        metadata > 0 && gather_rest == 0 && g1 <= 2 * g0,
        format!(
            "{} branches on {forks} forks: {g1} GraphQL requests (without branches {g0}), {} compares (without {}), {gather_rest} REST reads of a branch",
            forks * k,
            kind(&with, "compare"),
            kind(&plain, "compare")
        ),
    );
    with.insert("without_branches".into(), Value::Object(plain));

    // The run: every branch decided, synced or PR'd, and reported on its own.
    std::fs::write(dir.path.join("inventory.yml"), inventory(&sb)).map_err(|e| e.to_string())?;
    sb.clear_log();
    let mut a2 = a.clone();
    a2.mode = "all".into();
    let r = sync_run(
        &a2,
        &sb,
        &dir,
        &["--artifacts-dir", "audit-out"],
        "run-branches",
    )?;
    let c = sb.counters();
    let progress_json: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path.join("audit-out/sync-progress.json"))
            .map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let results = progress_json["repos"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let per_branch = results.iter().filter(|r| r["branch"].is_string()).count();
    check(
        checks,
        "branches_reported_on_their_own",
        per_branch == forks * k,
        format!("{per_branch} results with a branch, for {forks} forks × {k} branches"),
    );
    check_no_unexpected_routes(checks, &sb, "branches_run");
    let mut run = measured(&c, a.repos, r.wall, r.peak_rss_kb);
    run.insert("results".into(), json!(results.len()));
    run.insert("results_with_a_branch".into(), json!(per_branch));
    run.insert("counts".into(), progress_json["counts"].clone());
    progress(&format!(
        "branches: gather {} requests ({} without branches), run {} requests for {} results",
        with["requests_total"],
        with["without_branches"]["requests_total"],
        c.total,
        results.len()
    ));
    let mut out = serde_json::Map::new();
    out.insert("branches_per_fork".into(), json!(k));
    out.insert("forks_with_branches".into(), json!(forks));
    out.insert("gather".into(), Value::Object(with));
    out.insert("run".into(), Value::Object(run));
    Ok(Value::Object(out))
}
