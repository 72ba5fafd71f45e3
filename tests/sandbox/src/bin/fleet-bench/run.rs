//! The `run` scenario: `priority-sync run --mode M` with real write pacing on a fleet where
//! about `--needs-writes` % need a write, checked against what the fleet needed (no failures,
//! every such repository handled, one audit commit, fast-forwards at their upstream head),
//! then the next scheduled run's gather (`warm_gather`) after about 10 % of upstreams moved.

use std::collections::{BTreeMap, BTreeSet};

use github_sandbox::{Category, Fleet, FleetRepo, Sandbox};
use serde_json::{json, Value};

use crate::checks::{
    check, check_no_secondary_limits, check_no_unexpected_routes, gather_bound, upstream_head,
    Check,
};
use crate::measure::{budget, measured, round, start_sandbox, Scratch};
use crate::scenarios::sync_run;
use crate::{progress, Args, DEFAULT_WRITES_PER_MINUTE, GITHUB_CONTENT_LIMIT};

/// Does a fleet entry need a write: reachable upstream, not archived, behind?
fn needs_write(r: &FleetRepo) -> bool {
    r.exists && !r.archived && r.category != Category::ForeignUpstream && r.behind > 0
}

/// The fleet as the run meets it.
struct Prepared {
    sb: Sandbox,
    dir: Scratch,
    /// Ground truth as generated (before any fork was brought in sync).
    fleet: Fleet,
    /// Repositories that still need a write.
    needing: BTreeSet<String>,
    /// How many needed one as generated.
    natural: usize,
    /// How many were brought in sync first.
    converged: usize,
}

pub fn run_scenario(a: &Args, checks: &mut Vec<Check>) -> Result<Value, String> {
    let w = a.writes_per_minute.unwrap_or(DEFAULT_WRITES_PER_MINUTE);
    progress(&format!(
        "run: priority-sync run --mode {} at {w} writes/min",
        a.mode
    ));
    let p = prepare(a, w)?;
    let sb = &p.sb;
    let audit = sb.repository();
    let audit_branch = sb.default_branch(&audit).unwrap_or_else(|| "main".into());
    let audit_before = sb.branch_sha(&audit, &audit_branch);

    sb.clear_log();
    let r = sync_run(a, sb, &p.dir, &["--artifacts-dir", "audit-out"], "run")?;
    let c = sb.counters();
    let mut m = measured(&c, a.repos, r.wall, r.peak_rss_kb);
    let floor = c.writes.saturating_sub(1) as f64 * 60.0 / f64::from(w);
    let wall = r.wall.as_secs_f64();
    m.insert("writes_per_minute".into(), json!(w));
    m.insert("pacing_floor_s".into(), json!(round(floor, 3)));
    m.insert("overhead_s".into(), json!(round(wall - floor, 3)));
    m.insert(
        "overhead_pct".into(),
        if floor > 0.0 {
            json!(round((wall - floor) / floor * 100.0, 2))
        } else {
            Value::Null
        },
    );
    m.insert("budget".into(), budget(sb));
    check_outcomes(a, &p, &mut m, checks);
    let audit_after = sb.branch_sha(&audit, &audit_branch);
    let audit_commits = match (&audit_before, &audit_after) {
        (Some(b), Some(af)) => sb.count_between(&audit, b, af),
        _ => 0,
    };
    check(
        checks,
        "run_one_audit_commit",
        audit_commits == 1,
        format!("{audit_commits} commits on {audit}@{audit_branch}"),
    );
    check_fast_forwards(a, &p, checks);
    check_no_secondary_limits(checks, &c, "run");
    progress(&format!(
        "run: {} requests ({} writes) in {wall:.1} s; pacing floor {floor:.1} s; overhead {:.1} s",
        c.total,
        c.writes,
        wall - floor
    ));
    let warm = warm_gather(a, &p, (&audit, &audit_branch), checks)?;
    m.insert("warm_gather".into(), Value::Object(warm));
    check_no_unexpected_routes(checks, sb, "run");
    Ok(Value::Object(m))
}

/// A sandbox whose content limit lets `w` writes a minute through, the inventory written,
/// and forks brought in sync (from the end of the inventory) until about `--needs-writes` %
/// of the fleet needs a write.
fn prepare(a: &Args, w: u32) -> Result<Prepared, String> {
    // GitHub's content limit (80/min), unless the test knob asks for faster pacing than it
    // allows. (`max(80, 2W)` would let a 60/min run be served at up to 120/min.)
    let limit = if w > GITHUB_CONTENT_LIMIT {
        w.saturating_mul(2)
    } else {
        GITHUB_CONTENT_LIMIT
    };
    let sb = start_sandbox(a, limit)?;
    let dir = Scratch::new(a, "run")?;
    std::fs::write(dir.path.join("inventory.yml"), sb.inventory_yaml())
        .map_err(|e| e.to_string())?;
    let fleet = sb.fleet().clone();
    let mut needing: Vec<&FleetRepo> = fleet.repos.iter().filter(|r| needs_write(r)).collect();
    let natural = needing.len();
    let mut converged = 0;
    if let Some(pct) = a.needs_writes {
        let goal = (pct / 100.0 * a.repos as f64).round() as usize;
        // From the end of the inventory, so the Top 12 and the source's examples stay as
        // documented.
        while needing.len() > goal {
            let Some(r) = needing.pop() else { break };
            if sb.sync_branch_to_upstream(&r.full_name).is_some() {
                converged += 1;
            } else {
                return Err(format!("cannot bring {} in sync", r.full_name));
            }
        }
    }
    let needing = needing.iter().map(|r| r.full_name.clone()).collect();
    Ok(Prepared {
        sb,
        dir,
        fleet,
        needing,
        natural,
        converged,
    })
}

/// Repositories the run left `pending` (the hourly write budget was spent), lower-case.
fn pending(list: &Value) -> BTreeSet<String> {
    list.as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|e| e["status"] == "pending")
        .filter_map(|e| e["repo"].as_str())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// The run's own report (`sync-progress.json`), as its list of repositories.
fn progress_list(p: &Prepared) -> Value {
    let progress_json: Value =
        std::fs::read_to_string(p.dir.path.join("audit-out/sync-progress.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null);
    progress_json
        .get("repos")
        .cloned()
        .unwrap_or(progress_json.clone())
}

/// Outcomes from the run's own report, checked against what the fleet needed.
fn check_outcomes(
    a: &Args,
    p: &Prepared,
    m: &mut serde_json::Map<String, Value>,
    checks: &mut Vec<Check>,
) {
    let list = progress_list(p);
    let mut statuses = BTreeMap::<String, u64>::new();
    for e in list.as_array().map(Vec::as_slice).unwrap_or_default() {
        *statuses
            .entry(e["status"].as_str().unwrap_or("?").to_string())
            .or_default() += 1;
    }
    let count = |s: &str| statuses.get(s).copied().unwrap_or(0);
    let expected = p.needing.len();
    m.insert("statuses".into(), json!(statuses));
    m.insert("repos_needing_writes".into(), json!(expected));
    m.insert(
        "share_needing_writes_pct".into(),
        json!(round(expected as f64 * 100.0 / a.repos as f64, 1)),
    );
    m.insert("forks_brought_in_sync_first".into(), json!(p.converged));
    m.insert("natural_needing_writes".into(), json!(p.natural));
    check(
        checks,
        "run_no_failures",
        count("failed") == 0 && statuses.values().sum::<u64>() == a.repos as u64,
        format!("{statuses:?}"),
    );
    check(
        checks,
        "run_handles_every_repo_needing_writes",
        count("synced") + count("pr_open") + count("pending") == expected as u64,
        format!(
            "synced {} + pr_open {} + pending {} vs {expected} needing writes",
            count("synced"),
            count("pr_open"),
            count("pending")
        ),
    );
}

/// In `all` mode every fast-forwardable branch that needed a write is at its upstream head,
/// unless it was left `pending` for the next run.
fn check_fast_forwards(a: &Args, p: &Prepared, checks: &mut Vec<Check>) {
    if a.mode != "all" {
        return;
    }
    let pending = pending(&progress_list(p));
    let mut wrong = Vec::new();
    for r in &p.fleet.repos {
        if needs_write(r) && r.ahead == 0 && r.behind <= 10 {
            let now = p.sb.branch_sha(&r.full_name, &r.branch);
            if now != upstream_head(&p.sb, r)
                && p.needing.contains(&r.full_name)
                && !pending.contains(&r.full_name.to_ascii_lowercase())
            {
                wrong.push(r.full_name.clone());
            }
        }
    }
    check(
        checks,
        "run_fast_forwards_reach_upstream",
        wrong.is_empty(),
        if wrong.is_empty() {
            format!(
                "every fast-forwardable branch equals its upstream head ({} pending for the next run)",
                pending.len()
            )
        } else {
            format!("not at their upstream head: {}", wrong.join(", "))
        },
    );
}

/// The next scheduled run's gather: the state this run committed, and about 10 % of the
/// upstreams moved since. A dry run reads the state and gathers; nothing else.
fn warm_gather(
    a: &Args,
    p: &Prepared,
    (audit, audit_branch): (&str, &str),
    checks: &mut Vec<Check>,
) -> Result<serde_json::Map<String, Value>, String> {
    let sb = &p.sb;
    let goal = (a.repos / 10).max(1);
    let mut moved = 0;
    for r in p.fleet.repos.iter().filter(|r| {
        needs_write(r)
            || (r.exists && !r.archived && r.behind == 0 && r.category != Category::ForeignUpstream)
    }) {
        if moved == goal {
            break;
        }
        if sb.advance_upstream(&r.full_name, 1, false).is_some() {
            moved += 1;
        }
    }
    sb.clear_log();
    let warm_run = sync_run(
        a,
        sb,
        &p.dir,
        &["--dry-run", "--artifacts-dir", "warm-out"],
        "warm",
    )?;
    let cw = sb.counters();
    let mut warm = measured(&cw, a.repos, warm_run.wall, warm_run.peak_rss_kb);
    warm.insert("upstreams_moved".into(), json!(moved));
    check_no_secondary_limits(checks, &cw, "warm_gather");
    // The state read: its contents answer, and its blob once the file is over GitHub's 1 MB
    // (about 2,000 repositories), which that answer leaves out.
    let state_bytes = sb
        .file_text(audit, audit_branch, "audit/sync-state.json")
        .map_or(0, |t| t.len());
    let state_reads = 1 + u64::from(state_bytes > sb.behaviour().contents_inline_max);
    let bound = gather_bound(a.repos, moved) + state_reads;
    warm.insert("model_bound".into(), json!(bound));
    warm.insert("state_bytes".into(), json!(state_bytes));
    check(
        checks,
        "warm_gather_within_model",
        cw.writes == 0 && cw.total <= bound,
        format!(
            "{} requests ({} GraphQL, {} compare, {} other) vs bound {bound} = GraphQL batches + {moved} moved upstreams + {state_reads} for the state ({state_bytes} bytes)",
            cw.total, cw.graphql, cw.compare, cw.other
        ),
    );
    progress(&format!(
        "warm gather: {} requests after {moved} upstreams moved, in {:.2} s",
        cw.total,
        warm_run.wall.as_secs_f64()
    ));
    Ok(warm)
}
