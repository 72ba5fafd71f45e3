//! The dashboard's tiles: the fleet's figures at a glance (statuses, what needs a person,
//! tags), each with its tone.

use serde::Serialize;

use super::super::view::{eta, not_enough_history, percent, rate, thousands, View};
use super::count_text;
use crate::outcome::Status;

#[derive(Serialize)]
pub(super) struct Tile {
    pub(super) key: &'static str,
    pub(super) label: &'static str,
    pub(super) value: String,
    pub(super) unit: &'static str,
    pub(super) caption: String,
    /// `good`, `warn`, `bad` or `` (neutral): colours the tile's accent.
    pub(super) tone: &'static str,
}

pub(super) fn tone_for_percent(p: f64) -> &'static str {
    match super::super::badge_color(p) {
        super::super::BadgeColor::Green => "good",
        super::super::BadgeColor::Yellow => "warn",
        super::super::BadgeColor::Red => "bad",
    }
}

pub(super) fn tiles(view: &View) -> Vec<Tile> {
    let mut out = status_tiles(view);
    out.extend(tag_tiles(view));
    out
}

pub(super) fn status_tiles(view: &View) -> Vec<Tile> {
    let m = &view.metrics;
    let failed = view.count(Status::Failed);
    let inaccessible = view.count(Status::Inaccessible);
    let conflicts = view.conflicts().len();
    let review = view.count(Status::PrOpen);
    let pending = view.count(Status::Pending);
    let no_estimate = not_enough_history(&view.velocity);
    vec![
        Tile {
            key: "in_sync",
            label: "In sync",
            value: thousands(m.synced_today),
            unit: "",
            caption: format!(
                "of {} ({}%): {} synced by this run, {} up to date",
                thousands(m.total_repos),
                percent(m.sync_percentage),
                thousands(view.count(Status::Synced) as u64),
                thousands(view.count(Status::UpToDate) as u64)
            ),
            tone: tone_for_percent(m.sync_percentage),
        },
        Tile {
            key: "conflicts",
            label: "Conflicts",
            value: thousands(conflicts as u64),
            unit: "",
            caption: if conflicts == 0 {
                "no sync PR has conflicts".to_string()
            } else {
                format!(
                    "{} GitHub cannot merge; resolve by hand",
                    crate::plural::noun(conflicts as u64, "sync PR", "sync PRs")
                )
            },
            tone: if conflicts == 0 { "good" } else { "bad" },
        },
        Tile {
            key: "review",
            label: "To review",
            value: thousands(review as u64),
            unit: "",
            caption: if review == 0 {
                "no sync PR waits for a review".to_string()
            } else if conflicts > 0 {
                format!(
                    "{} waiting for a person to merge; {} with conflicts",
                    crate::plural::noun(review as u64, "sync PR", "sync PRs"),
                    thousands(conflicts as u64)
                )
            } else {
                format!(
                    "{} waiting for a person to merge",
                    crate::plural::noun(review as u64, "sync PR", "sync PRs")
                )
            },
            tone: if review == 0 { "good" } else { "" },
        },
        Tile {
            key: "failed",
            label: "Failed or inaccessible",
            value: thousands((failed + inaccessible) as u64),
            unit: "",
            caption: format!(
                "{} failed, {} inaccessible",
                thousands(failed as u64),
                thousands(inaccessible as u64)
            ),
            tone: if failed + inaccessible == 0 {
                "good"
            } else {
                "bad"
            },
        },
        Tile {
            key: "pending",
            label: "Pending",
            value: thousands(pending as u64),
            unit: "",
            caption: if pending == 0 {
                "nothing left for the next runs".to_string()
            } else if no_estimate.is_some() {
                format!(
                    "{} the next runs sync by themselves; no ETA: not enough history yet",
                    crate::plural::noun(pending as u64, "repository", "repositories")
                )
            } else if m.eta_unknown() {
                format!(
                    "{} the next runs sync by themselves; no ETA: no progress in 7 days",
                    crate::plural::noun(pending as u64, "repository", "repositories")
                )
            } else {
                format!(
                    "{} the next runs sync by themselves; ETA {} at {} repos/h",
                    crate::plural::noun(pending as u64, "repository", "repositories"),
                    eta(m),
                    rate(m.sync_velocity)
                )
            },
            tone: if pending == 0 { "good" } else { "" },
        },
        Tile {
            key: "behind",
            label: "Behind upstream",
            value: thousands(view.behind_repos as u64),
            unit: "",
            caption: format!(
                "{}, {} behind",
                crate::plural::noun(view.behind_repos as u64, "repository", "repositories"),
                count_text(view.behind_commits as usize, "commit", "commits")
            ),
            tone: if view.behind_repos == 0 { "good" } else { "" },
        },
    ]
}

/// The tag tiles, when some repository asks for tags: created, and conflicting (a person
/// compares them; priority-sync never moves a tag).
pub(super) fn tag_tiles(view: &View) -> Vec<Tile> {
    let Some(t) = view.run.tag_totals() else {
        return Vec::new();
    };
    vec![
        Tile {
            key: "tags_created",
            label: "Tags created",
            value: thousands(t.created),
            unit: "",
            caption: format!(
                "in the forks of {}; {} pending",
                crate::plural::count(t.repos, "repository", "repositories"),
                thousands(t.pending)
            ),
            tone: "",
        },
        Tile {
            key: "tag_conflicts",
            label: "Tag conflicts",
            value: thousands(t.conflicting),
            unit: "",
            caption: if t.conflicting == 0 {
                "no fork tag differs from its upstream's".to_string()
            } else {
                "fork tags at another object than upstream's: never moved, compare them".to_string()
            },
            tone: if t.conflicting == 0 { "good" } else { "warn" },
        },
    ]
}
