//! What a sync pull request says: its title, its body (which carries [`PR_MARKER`], the mark
//! of a pull request this tool opened) and the labels it should carry.

use super::ApplyContext;
use crate::gather::Target;
use crate::ids::Oid;
use crate::plan::PlannedRepo;

/// Marks pull requests this tool opened; it never touches others.
pub const PR_MARKER: &str = "<!-- priority-sync:sync-pr -->";

pub(super) fn pr_title(t: &Target, behind: u32) -> String {
    format!(
        "Sync {} with {}:{} ({} commit{})",
        t.branch,
        t.upstream,
        t.upstream_branch,
        behind,
        if behind == 1 { "" } else { "s" }
    )
}

pub(super) fn pr_body(p: &PlannedRepo, t: &Target, why: &str, via_upstream: bool) -> String {
    let mut b = format!(
        "{PR_MARKER}\nThis pull request brings `{}` up to date with `{}:{}`.\n\n| | |\n|---|---|\n| upstream commits missing | {} |\n| own commits on `{}` | {} |\n| why a pull request | {} |\n| upstream head | `{}` |\n",
        t.branch,
        t.upstream,
        t.upstream_branch,
        p.facts.commits_behind,
        t.branch,
        p.facts.commits_ahead,
        why.replace('|', "\\|"),
        t.upstream_head
    );
    if p.facts.security_alerts > 0 {
        b.push_str(&format!(
            "\n**{} open security alert{}**: merging this soon is recommended.\n",
            p.facts.security_alerts,
            if p.facts.security_alerts == 1 {
                ""
            } else {
                "s"
            }
        ));
    }
    if via_upstream {
        b.push_str("\nThis pull request comes straight from the upstream branch (the sync branch could not take the update: the token could not write its workflow files, or GitHub had not made the new upstream commits available in the fork yet), so it follows upstream by itself.\n");
    }
    b.push_str("\nOpened by priority-sync. It is kept up to date while upstream moves, never duplicated; merge it to sync. If it is closed unmerged, the next run opens a new one.\n");
    b
}

/// The upstream head a sync PR's body records (its `| upstream head | `…` |` row): what
/// priority-sync last set the sync branch to. `None` when the body has no such row, or the
/// row holds no object id.
pub(super) fn recorded_head(body: &str) -> Option<Oid> {
    body.lines()
        .find_map(|l| l.strip_prefix("| upstream head | `"))
        .and_then(|rest| rest.strip_suffix("` |"))
        .and_then(|oid| oid.parse().ok())
}

/// The labels a sync PR should carry: the sync labels, the urgent ones for security alerts,
/// the conflict ones when it cannot merge cleanly.
pub(super) fn wanted_labels(ctx: &ApplyContext, p: &PlannedRepo, conflicted: bool) -> Vec<String> {
    let prs = &ctx.inv.pull_requests;
    let mut wanted: Vec<String> = prs.labels.clone();
    if p.facts.security_alerts > 0 {
        wanted.extend(prs.urgent_labels.iter().cloned());
    }
    if conflicted {
        wanted.extend(prs.conflict_labels.iter().cloned());
    }
    wanted
}

/// The wanted labels a PR does not have yet, each once.
pub(super) fn missing_labels(wanted: &[String], have: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in wanted {
        if !have.iter().any(|h| h.eq_ignore_ascii_case(l)) && !out.contains(l) {
            out.push(l.clone());
        }
    }
    out
}
