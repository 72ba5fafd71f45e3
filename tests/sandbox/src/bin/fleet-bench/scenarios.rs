//! The read-only scenarios and the baseline: `gather` (a first `priority-sync snapshot`),
//! `in_sync` (the same on a converged fleet), and `baseline` (the per-repository REST
//! approach, in a child process); plus running priority-sync against a scenario's sandbox.

use github_sandbox::{Category, Counters, Sandbox};
use serde_json::{json, Value};

use crate::checks::{
    check, check_facts, check_no_secondary_limits, check_no_unexpected_routes, differing_heads,
    gather_bound, Check,
};
use crate::measure::{
    budget, measured, round, run_child, start_sandbox, sync_env, tail, ChildRun, Scratch,
};
use crate::{progress, Args, GITHUB_CONTENT_LIMIT, GRAPHQL_BATCH};

/// `priority-sync snapshot` on `sb`; returns the scenario's JSON and the snapshot.
pub fn snapshot(
    a: &Args,
    sb: &Sandbox,
    dir: &Scratch,
    name: &str,
) -> Result<(serde_json::Map<String, Value>, Value), String> {
    snapshot_of(a, sb, dir, name, &sb.inventory_yaml())
}

/// [`snapshot`] with the inventory `inventory`.
pub fn snapshot_of(
    a: &Args,
    sb: &Sandbox,
    dir: &Scratch,
    name: &str,
    inventory: &str,
) -> Result<(serde_json::Map<String, Value>, Value), String> {
    std::fs::write(dir.path.join("inventory.yml"), inventory).map_err(|e| e.to_string())?;
    sb.clear_log();
    let args: Vec<String> = [
        "snapshot",
        "--out",
        "snapshot.json",
        "--config",
        "inventory.yml",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let r = run_child(
        &a.priority_sync,
        &args,
        &sync_env(sb, None),
        &dir.path,
        name,
    )?;
    let c = sb.counters();
    if r.code != 0 {
        return Err(format!(
            "priority-sync snapshot exited {}:\n{}",
            r.code,
            tail(&dir.path.join(format!("{name}.stderr")), 20)
        ));
    }
    let snap: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path.join("snapshot.json")).map_err(|e| e.to_string())?,
    )
    .map_err(|e| format!("snapshot.json: {e}"))?;
    let mut m = measured(&c, a.repos, r.wall, r.peak_rss_kb);
    m.insert("budget".into(), budget(sb));
    Ok((m, snap))
}

pub fn gather_scenario(a: &Args, checks: &mut Vec<Check>) -> Result<Value, String> {
    progress("gather: priority-sync snapshot");
    let sb = start_sandbox(a, GITHUB_CONTENT_LIMIT)?;
    let dir = Scratch::new(a, "gather")?;
    let differing = differing_heads(&sb);
    let (mut m, snap) = snapshot(a, &sb, &dir, "snapshot")?;
    let total = m["requests_total"].as_u64().unwrap_or(u64::MAX);
    let bound = gather_bound(a.repos, differing);
    let graphql = m["requests_by_kind"]["graphql"]
        .as_u64()
        .unwrap_or(u64::MAX);
    let compare = m["requests_by_kind"]["compare"]
        .as_u64()
        .unwrap_or(u64::MAX);
    m.insert("heads_differing".into(), json!(differing));
    m.insert("model_bound".into(), json!(bound));
    check(
        checks,
        "gather_within_model",
        total <= bound
            && graphql <= (a.repos.div_ceil(GRAPHQL_BATCH) + differing.div_ceil(GRAPHQL_BATCH)) as u64
            && compare <= differing as u64,
        format!(
            "{total} requests ({graphql} GraphQL, {compare} compare) vs bound {bound} = {} GraphQL batches + {differing} differing heads; GraphQL at most {} metadata + {} ancestry batches",
            a.repos.div_ceil(GRAPHQL_BATCH),
            a.repos.div_ceil(GRAPHQL_BATCH),
            differing.div_ceil(GRAPHQL_BATCH)
        ),
    );
    // The differing heads the batched ancestry query settled (plainly behind): no compare.
    m.insert(
        "compares_avoided".into(),
        json!(differing.saturating_sub(compare as usize)),
    );
    check_facts(&sb, &snap, checks);
    check_no_unexpected_routes(checks, &sb, "gather");
    check_no_secondary_limits(checks, &sb.counters(), "gather");
    progress(&format!(
        "gather: {total} requests in {} s, peak RSS {} MB",
        m["wall_s"], m["peak_rss_mb"]
    ));
    Ok(Value::Object(m))
}

pub fn in_sync_scenario(a: &Args, checks: &mut Vec<Check>) -> Result<Value, String> {
    progress("in_sync: every fork brought to its upstream head, then priority-sync snapshot");
    let sb = start_sandbox(a, GITHUB_CONTENT_LIMIT)?;
    let dir = Scratch::new(a, "in-sync")?;
    let names: Vec<String> = sb
        .fleet()
        .repos
        .iter()
        .map(|r| r.full_name.clone())
        .collect();
    let moved = names
        .iter()
        .filter(|n| sb.sync_branch_to_upstream(n).is_some())
        .count();
    let differing = differing_heads(&sb);
    let (mut m, _) = snapshot(a, &sb, &dir, "snapshot-in-sync")?;
    let total = m["requests_total"].as_u64().unwrap_or(u64::MAX);
    let bound = gather_bound(a.repos, differing);
    let per_104 = total as f64 * 104.0 / a.repos as f64;
    m.insert("forks_moved".into(), json!(moved));
    m.insert("heads_differing".into(), json!(differing));
    m.insert("model_bound".into(), json!(bound));
    m.insert("requests_per_104_repos".into(), json!(round(per_104, 2)));
    check(
        checks,
        "in_sync_within_model",
        total <= bound,
        format!("{total} requests vs bound {bound} ({differing} heads still differ: upstreams outside the network)"),
    );
    check_no_unexpected_routes(checks, &sb, "in_sync");
    check_no_secondary_limits(checks, &sb.counters(), "in_sync");
    progress(&format!(
        "in_sync: {total} requests ({per_104:.2} per 104 repositories) in {} s",
        m["wall_s"]
    ));
    Ok(Value::Object(m))
}

/// `priority-sync run --config inventory.yml --mode M <extra>` in `dir`, measured; an error
/// with the tail of its log when it does not succeed.
pub fn sync_run(
    a: &Args,
    sb: &Sandbox,
    dir: &Scratch,
    extra: &[&str],
    name: &str,
) -> Result<ChildRun, String> {
    let mut args: Vec<String> = [
        "run",
        "--config",
        "inventory.yml",
        "--mode",
        a.mode.as_str(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    let r = run_child(
        &a.priority_sync,
        &args,
        &sync_env(sb, a.writes_per_minute),
        &dir.path,
        name,
    )?;
    if r.code != 0 {
        return Err(format!(
            "priority-sync {} exited {}:\n{}",
            args.join(" "),
            r.code,
            tail(&dir.path.join(format!("{name}.stderr")), 20)
        ));
    }
    Ok(r)
}

pub fn baseline_scenario(
    a: &Args,
    gather_snapshot_agrees: &mut Vec<Check>,
) -> Result<Value, String> {
    let sample = a.baseline_sample.unwrap_or(a.repos).min(a.repos).max(1);
    progress(&format!(
        "baseline: per repository, sequentially: repository, compare, pulls, workflows ({sample} repositories)"
    ));
    let sb = start_sandbox(a, GITHUB_CONTENT_LIMIT)?;
    let dir = Scratch::new(a, "baseline")?;
    let list: Vec<String> = sb
        .fleet()
        .repos
        .iter()
        .take(sample)
        .map(|r| r.full_name.clone())
        .collect();
    std::fs::write(dir.path.join("repos.txt"), list.join("\n") + "\n")
        .map_err(|e| e.to_string())?;
    sb.clear_log();
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let args: Vec<String> = vec![
        "baseline-worker".into(),
        sb.api_url(),
        sb.token(),
        "repos.txt".into(),
        "baseline.json".into(),
    ];
    let r = run_child(&exe, &args, &[], &dir.path, "baseline")?;
    let c = sb.counters();
    if r.code != 0 {
        return Err(format!(
            "the baseline exited {}:\n{}",
            r.code,
            tail(&dir.path.join("baseline.stderr"), 20)
        ));
    }
    let found: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path.join("baseline.json")).map_err(|e| e.to_string())?,
    )
    .map_err(|e| format!("baseline.json: {e}"))?;
    // The baseline must see the same fleet: its compare numbers against the ground truth.
    let mut wrong = Vec::new();
    for r in sb.fleet().repos.iter().take(sample) {
        if !r.exists || r.category == Category::ForeignUpstream || r.inventory_upstream.is_some() {
            continue;
        }
        let f = &found[r.full_name.as_str()];
        if f["behind"] != json!(r.behind) || f["ahead"] != json!(r.ahead) {
            wrong.push(format!("{}: {} / {}", r.full_name, f["behind"], f["ahead"]));
        }
    }
    check(
        gather_snapshot_agrees,
        "baseline_matches_git",
        wrong.is_empty(),
        if wrong.is_empty() {
            "the baseline's behind/ahead agree with the fleet".into()
        } else {
            format!(
                "{} disagreements, e.g. {}",
                wrong.len(),
                wrong[..wrong.len().min(5)].join("; ")
            )
        },
    );
    check_no_unexpected_routes(gather_snapshot_agrees, &sb, "baseline");
    let mut m = measured(&c, sample, r.wall, r.peak_rss_kb);
    if sample < a.repos {
        // Scale requests and time to the whole fleet (the work is per repository).
        let k = a.repos as f64 / sample as f64;
        let scaled = |v: u64| (v as f64 * k).round() as u64;
        let scaled_c = Counters {
            total: scaled(c.total),
            graphql: scaled(c.graphql),
            compare: scaled(c.compare),
            writes: scaled(c.writes),
            other: scaled(c.other),
            ..c
        };
        let mut s = measured(&scaled_c, a.repos, r.wall.mul_f64(k), r.peak_rss_kb);
        s.insert("sampled_repos".into(), json!(sample));
        s.insert("measured".into(), Value::Object(m));
        s.insert("extrapolated".into(), json!(true));
        m = s;
    } else {
        m.insert("extrapolated".into(), json!(false));
    }
    m.insert("budget".into(), budget(&sb));
    progress(&format!(
        "baseline: {} requests in {} s{}",
        m["requests_total"],
        m["wall_s"],
        if sample < a.repos {
            " (scaled from the sample)"
        } else {
            ""
        }
    ));
    Ok(Value::Object(m))
}
