//! The benchmark's correctness checks: each a named pass or failure with its detail, the
//! request model's bound for a gather, and the facts a snapshot must share with the fleet's
//! real git state.

use std::collections::BTreeMap;

use github_sandbox::{Category, Counters, FleetRepo, Sandbox};
use serde_json::{json, Value};

use crate::{progress, GRAPHQL_BATCH};

pub struct Check {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

/// A scenario's sandbox was asked for nothing it does not implement (a route GitHub may not
/// have, or one the sandbox lacks): either way its numbers would not be GitHub's.
pub fn check_no_unexpected_routes(checks: &mut Vec<Check>, sb: &Sandbox, scenario: &str) {
    let u = sb.unexpected_routes();
    check(
        checks,
        &format!("{scenario}_no_unexpected_routes"),
        u.is_empty(),
        if u.is_empty() {
            "none".into()
        } else {
            u.join(", ")
        },
    );
}

/// A scenario ran into none of GitHub's secondary limits or GraphQL timeouts (the sandbox
/// enforces them by default): priority-sync paces itself under them.
pub fn check_no_secondary_limits(checks: &mut Vec<Check>, c: &Counters, scenario: &str) {
    check(
        checks,
        &format!("{scenario}_no_secondary_limits"),
        c.secondary_limited == 0 && c.graphql_timeouts == 0,
        format!(
            "{} secondary-limit answers, {} GraphQL timeouts",
            c.secondary_limited, c.graphql_timeouts
        ),
    );
}

pub fn check(checks: &mut Vec<Check>, name: &str, ok: bool, detail: String) {
    if !ok {
        progress(&format!("check {name} FAILED: {detail}"));
    }
    checks.push(Check {
        name: name.to_string(),
        ok,
        detail,
    });
}

/// The upstream a fleet entry follows (explicit or its parent), and that upstream's head.
pub fn upstream_head(sb: &Sandbox, r: &FleetRepo) -> Option<String> {
    let up = match &r.inventory_upstream {
        Some(u) => u.split(':').next()?.to_string(),
        None => r.parent.clone()?,
    };
    sb.branch_sha(&up, &r.upstream_branch)
}

/// Repositories whose branch head differs from their upstream's head (the compares the model
/// allows), from the sandbox's real git.
pub fn differing_heads(sb: &Sandbox) -> usize {
    sb.fleet()
        .repos
        .iter()
        .filter(|r| r.exists)
        .filter(|r| match upstream_head(sb, r) {
            Some(up) => sb.branch_sha(&r.full_name, &r.branch) != Some(up),
            None => false,
        })
        .count()
}

/// The gather's request bound: one GraphQL request per batch plus one compare per head that
/// differs from its upstream's.
pub fn gather_bound(repos: usize, differing: usize) -> u64 {
    (repos.div_ceil(GRAPHQL_BATCH) + differing) as u64
}

/// The snapshot's facts against the generated fleet's ground truth.
pub fn check_facts(sb: &Sandbox, snap: &Value, checks: &mut Vec<Check>) {
    let by_name: BTreeMap<String, &Value> = snap["repos"]
        .as_array()
        .map(|l| {
            l.iter()
                .filter_map(|r| Some((r["repo"].as_str()?.to_ascii_lowercase(), r)))
                .collect()
        })
        .unwrap_or_default();
    let fleet = &sb.fleet().repos;
    check(
        checks,
        "snapshot_covers_fleet",
        by_name.len() == fleet.len(),
        format!("{} of {} repositories", by_name.len(), fleet.len()),
    );
    let mut wrong = Vec::new();
    for r in fleet {
        let Some(s) = by_name.get(&r.full_name.to_ascii_lowercase()) else {
            continue;
        };
        let mut expect = vec![("accessible", json!(r.exists))];
        if r.exists {
            expect.push(("archived", json!(r.archived)));
            expect.push(("has_workflows", json!(r.has_workflows)));
            if r.category != Category::ForeignUpstream {
                expect.push(("commits_behind", json!(r.behind)));
                expect.push(("commits_ahead", json!(r.ahead)));
                expect.push(("security_alerts", json!(r.security_alerts)));
            }
        }
        for (k, v) in expect {
            if s[k] != v {
                wrong.push(format!("{} {k}: {} (fleet: {v})", r.full_name, s[k]));
            }
        }
    }
    check(
        checks,
        "snapshot_matches_git",
        wrong.is_empty(),
        if wrong.is_empty() {
            "accessible, archived, workflows, behind, ahead, alerts agree with the fleet".into()
        } else {
            format!(
                "{} disagreements, e.g. {}",
                wrong.len(),
                wrong[..wrong.len().min(5)].join("; ")
            )
        },
    );
}
