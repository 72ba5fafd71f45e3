//! The `tags` scenario (`--tags K`): every fork brought in sync with its upstream, K tags
//! pushed to each upstream (every other one annotated), `tags: true` for the whole fleet, then
//! `priority-sync run --mode all` twice: the first creates the forks' missing tags, the second
//! finds them in place. Measured: the requests of each run, the GraphQL requests that read tags
//! (`query TagPages`), the tag writes, a third run without `tags:` for what the tags add to a
//! run (`requests_added_in_place`: the second run's requests less the third's), and a check that tags are read in batches (at most one
//! request per 50 repositories per page of 100 tags) and never over REST.

use std::collections::BTreeSet;

use github_sandbox::{Category, LogEntry, Sandbox};
use serde_json::{json, Value};

use crate::checks::{check, check_no_unexpected_routes, Check};
use crate::measure::{measured, round, start_sandbox_logged, Scratch};
use crate::scenarios::sync_run;
use crate::{progress, Args, GITHUB_CONTENT_LIMIT, GRAPHQL_BATCH};

/// (GraphQL requests reading tags, REST requests reading tags, tag writes) in `log`.
fn tag_requests(log: &[LogEntry]) -> (u64, u64, u64) {
    let mut out = (0, 0, 0);
    for e in log {
        let query = e
            .request
            .as_ref()
            .and_then(|r| r["query"].as_str())
            .unwrap_or_default();
        if e.path.starts_with("/graphql") && query.starts_with("query TagPages") {
            out.0 += 1;
        } else if e.method == "GET"
            && (e.path.contains("/git/refs/tags") || e.path.contains("/tags"))
        {
            out.1 += 1;
        } else if e.method == "POST"
            && e.path.ends_with("/git/refs")
            && e.request
                .as_ref()
                .and_then(|r| r["ref"].as_str())
                .is_some_and(|r| r.starts_with("refs/tags/"))
        {
            out.2 += 1;
        }
    }
    out
}

/// Pushes `k` tags (`v0.1`, `v0.2`, …; every other one annotated) to every upstream of the
/// fleet; returns the upstreams and the tags pushed.
fn push_tags(sb: &Sandbox, k: usize) -> (BTreeSet<String>, usize) {
    let upstreams: BTreeSet<String> = sb
        .fleet()
        .repos
        .iter()
        .filter(|r| r.exists && !r.archived && r.category != Category::ForeignUpstream)
        .filter_map(|r| r.parent.clone())
        .collect();
    let mut pushed = 0;
    for up in &upstreams {
        let Some(head) = sb.default_branch(up).and_then(|b| sb.branch_sha(up, &b)) else {
            continue;
        };
        for i in 1..=k {
            let message = format!("Release 0.{i}");
            let annotated = (i % 2 == 0).then_some(message.as_str());
            if sb
                .push_tag(up, &format!("v0.{i}"), &head, annotated)
                .is_some()
            {
                pushed += 1;
            }
        }
    }
    (upstreams, pushed)
}

pub fn tags_scenario(a: &Args, k: usize, checks: &mut Vec<Check>) -> Result<Value, String> {
    let w = a
        .writes_per_minute
        .unwrap_or(crate::DEFAULT_WRITES_PER_MINUTE);
    progress(&format!(
        "tags: {k} tags per upstream, tags: true, priority-sync run --mode all twice at {w} writes/min"
    ));
    let sb = start_sandbox_logged(a, GITHUB_CONTENT_LIMIT.max(w), 1_000_000)?;
    let dir = Scratch::new(a, "tags")?;
    let names: Vec<String> = sb
        .fleet()
        .repos
        .iter()
        .map(|r| r.full_name.clone())
        .collect();
    for n in &names {
        sb.sync_branch_to_upstream(n);
    }
    let (upstreams, pushed) = push_tags(&sb, k);
    let inventory = format!("{}tags: true\n", sb.inventory_yaml());
    std::fs::write(dir.path.join("inventory.yml"), inventory).map_err(|e| e.to_string())?;
    // The annotated tag objects are new: let them reach the forks, as they would have by a
    // scheduled run.
    std::thread::sleep(std::time::Duration::from_millis(
        sb.behaviour().propagation_ms + 100,
    ));

    let mut out = serde_json::Map::new();
    let mut reads = Vec::new();
    for (round_name, name) in [
        ("first", "tags-first"),
        ("again", "tags-again"),
        ("without_tags", "tags-off"),
    ] {
        if round_name == "without_tags" {
            // The same fleet and state without `tags:`: what the tags added to a run.
            std::fs::write(dir.path.join("inventory.yml"), sb.inventory_yaml())
                .map_err(|e| e.to_string())?;
        }
        sb.clear_log();
        let mut a2 = a.clone();
        a2.mode = "all".into();
        let r = sync_run(&a2, &sb, &dir, &["--artifacts-dir", "audit-out"], name)?;
        let c = sb.counters();
        let (graphql, rest, writes) = tag_requests(&sb.log_entries());
        let progress_json: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path.join("audit-out/sync-progress.json"))
                .map_err(|e| e.to_string())?,
        )
        .map_err(|e| e.to_string())?;
        let totals = progress_json.get("tags").cloned().unwrap_or(Value::Null);
        let mut m = measured(&c, a.repos, r.wall, r.peak_rss_kb);
        m.insert("tag_graphql_requests".into(), json!(graphql));
        m.insert("tag_rest_reads".into(), json!(rest));
        m.insert("tag_writes".into(), json!(writes));
        m.insert(
            "tag_graphql_per_104_repos".into(),
            json!(round(graphql as f64 * 104.0 / a.repos as f64, 2)),
        );
        m.insert("tags".into(), totals);
        reads.push((round_name, graphql, rest));
        progress(&format!(
            "tags ({round_name}): {} requests, {graphql} GraphQL reading tags, {writes} tag writes",
            c.total
        ));
        check_no_unexpected_routes(checks, &sb, &format!("tags_{round_name}"));
        out.insert(round_name.into(), Value::Object(m));
    }
    let sides = 2 * names.len();
    let pages = k.div_ceil(100).max(1);
    let bound = (pages * sides.div_ceil(GRAPHQL_BATCH)) as u64;
    for (round_name, graphql, rest) in reads.into_iter().filter(|r| r.0 != "without_tags") {
        check(
            checks,
            &format!("tags_read_batched_{round_name}"),
            graphql <= bound && rest == 0,
            format!("{graphql} GraphQL requests read tags (bound {bound}: {pages} page(s) × {sides} sides / {GRAPHQL_BATCH}), {rest} REST reads"),
        );
    }
    let created = out["first"]["tags"]["created"].as_u64().unwrap_or(0);
    let again = out["again"]["tag_writes"].as_u64().unwrap_or(u64::MAX);
    check(
        checks,
        "tags_created_once",
        created > 0 && again == 0,
        format!("{created} tags created by the first run, {again} tag writes by the second"),
    );
    let total = |r: &str| out[r]["requests_total"].as_u64().unwrap_or(0) as i64;
    let added = total("again") - total("without_tags");
    out.insert("requests_added_in_place".into(), json!(added));
    out.insert("tags_per_upstream".into(), json!(k));
    out.insert("upstreams".into(), json!(upstreams.len()));
    out.insert("tags_pushed".into(), json!(pushed));
    // The scenario's own top-level figures: the first run's.
    for key in [
        "requests_total",
        "requests_by_kind",
        "requests_per_repo",
        "wall_s",
        "peak_rss_mb",
    ] {
        let v = out["first"][key].clone();
        out.insert(key.into(), v);
    }
    Ok(Value::Object(out))
}
