//! `sync-state.json` (SPEC §7): what survives between runs, and how two racing runs' states merge
//! without losing either's entries.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::Oid;
use crate::mode::Mode;
use crate::outcome::Status;

/// Current version of the state file's layout.
pub const STATE_SCHEMA_VERSION: u32 = 1;

/// How many past runs the state keeps (for velocity, ETA and the dashboard's history chart).
pub const MAX_RUN_HISTORY: usize = 200;

/// The whole state file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncState {
    pub schema_version: u32,
    /// Keyed by lower-cased `owner/name` so spelling changes do not fork an entry; a repository
    /// listing several branches (`branches:`) has one entry per branch instead, keyed
    /// `owner/name:branch`.
    pub repos: BTreeMap<String, RepoState>,
    /// Past runs, oldest first, at most [`MAX_RUN_HISTORY`].
    pub runs: Vec<RunRecord>,
}

/// What is remembered about one repository.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepoState {
    /// Display spelling of `owner/name`.
    pub repo: String,
    /// Last time a run saw it contain its upstream (status `synced` or `up_to_date`).
    pub last_in_sync_at: Option<DateTime<Utc>>,
    /// Last time a run fast-forwarded it.
    pub last_synced_at: Option<DateTime<Utc>>,
    /// Last time any run looked at it.
    pub last_seen_at: Option<DateTime<Utc>>,
    pub last_status: Option<Status>,
    /// Open pull requests counted at `last_seen_at` (for `new_prs`).
    pub open_prs: u32,
    /// The sync PR this tool opened and that was open at `last_seen_at`, if any.
    pub sync_pr: Option<u64>,
    /// The last compare of the branch with its upstream. A compare depends only on the two
    /// commits, so while both heads are unchanged it is reused instead of asked again. One
    /// that does not read (a head that is not an object id) is forgotten, not an error: the
    /// next compare replaces it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "forget_unreadable"
    )]
    pub compared: Option<Compared>,
}

/// A remembered compare, or `None` when it does not read as one.
fn forget_unreadable<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Compared>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(v.and_then(|v| serde_json::from_value(v).ok()))
}

/// A remembered compare of two commits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Compared {
    pub head: Oid,
    pub upstream_head: Oid,
    pub behind: u32,
    pub ahead: u32,
    pub oldest_missing: Option<DateTime<Utc>>,
    pub touches_workflows: bool,
    /// GitHub could not compare them (the upstream is outside the fork network).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unreachable: bool,
}

/// One past run, as the history chart and the velocity/ETA figures need it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRecord {
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub mode: Mode,
    pub dry_run: bool,
    pub total: u32,
    /// Count of repositories per status (snake_case status names).
    pub counts: BTreeMap<Status, u32>,
    /// Repositories fast-forwarded by this run.
    pub synced: u32,
    pub sync_percentage: f64,
}

use chrono::Duration;

use crate::outcome::RunReport;

impl SyncState {
    /// An empty state at the current schema version.
    pub fn empty() -> Self {
        Self {
            schema_version: STATE_SCHEMA_VERSION,
            ..Self::default()
        }
    }

    /// Parses a state file; a file from a newer schema is refused rather than misread.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let state: SyncState = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if state.schema_version > STATE_SCHEMA_VERSION {
            return Err(format!(
                "schema_version {} is newer than this priority-sync understands ({STATE_SCHEMA_VERSION}); upgrade the action",
                state.schema_version
            ));
        }
        Ok(state)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("state serializes") + "\n"
    }

    /// The state after `report`: every repository the run looked at is updated, and the run is
    /// appended to the history. `open_prs` gives each repository's open-PR count as gathered.
    pub fn after_run(&self, report: &RunReport, open_prs: &BTreeMap<String, u32>) -> SyncState {
        let mut next = self.clone();
        next.schema_version = STATE_SCHEMA_VERSION;
        if report.dry_run {
            return next;
        }
        let now = report.finished_at;
        for r in &report.repos {
            // One entry per unit: `owner/name` for a repository's one branch (as always),
            // `owner/name:branch` for each of several branches (a branch name cannot hold `:`).
            let key = r.unit().key();
            let e = next.repos.entry(key.clone()).or_default();
            e.repo = r.repo.to_string();
            e.last_seen_at = Some(now);
            e.last_status = Some(r.status);
            if r.status.in_sync() {
                e.last_in_sync_at = Some(now);
            }
            if r.status == Status::Synced {
                e.last_synced_at = Some(now);
            }
            if let Some(n) = open_prs.get(&key).or_else(|| open_prs.get(&r.repo.key())) {
                e.open_prs = *n;
            }
            e.sync_pr = match r.status {
                Status::PrOpen => r.pull_request.as_ref().map(|p| p.number).or(e.sync_pr),
                s if s.in_sync() => None,
                _ => e.sync_pr,
            };
        }
        next.runs.push(RunRecord::of(report));
        next.trim_history();
        next
    }

    /// Remembers this run's compares (keyed by lower-cased `owner/name`).
    pub fn remember_compares(&mut self, compared: &BTreeMap<String, Compared>) {
        for (key, c) in compared {
            if let Some(e) = self.repos.get_mut(key) {
                e.compared = Some(c.clone());
            }
        }
    }

    fn trim_history(&mut self) {
        self.runs.sort_by_key(|r| (r.started_at, r.finished_at));
        self.runs
            .dedup_by(|a, b| a.started_at == b.started_at && a.finished_at == b.finished_at);
        if self.runs.len() > MAX_RUN_HISTORY {
            let extra = self.runs.len() - MAX_RUN_HISTORY;
            self.runs.drain(..extra);
        }
    }

    /// Merges two states written by racing runs: for each repository the entry seen last wins
    /// (ties: the one with the later sync facts), and the run histories are united. Neither
    /// side's entries are lost.
    pub fn merge(&self, other: &SyncState) -> SyncState {
        let mut out = self.clone();
        out.schema_version = STATE_SCHEMA_VERSION;
        for (key, theirs) in &other.repos {
            match out.repos.get(key) {
                Some(ours) if newer(ours, theirs) => {}
                _ => {
                    out.repos.insert(key.clone(), theirs.clone());
                }
            }
        }
        // Facts that only move forward survive whichever entry won.
        for (key, theirs) in &other.repos {
            if let Some(e) = out.repos.get_mut(key) {
                e.last_in_sync_at = e.last_in_sync_at.max(theirs.last_in_sync_at);
                e.last_synced_at = e.last_synced_at.max(theirs.last_synced_at);
            }
        }
        for (key, ours) in &self.repos {
            if let Some(e) = out.repos.get_mut(key) {
                e.last_in_sync_at = e.last_in_sync_at.max(ours.last_in_sync_at);
                e.last_synced_at = e.last_synced_at.max(ours.last_synced_at);
            }
        }
        out.runs.extend(other.runs.iter().cloned());
        out.trim_history();
        out
    }

    /// Runs that finished within `window` before `now`, oldest first.
    pub fn recent_runs(
        &self,
        now: DateTime<Utc>,
        window: Duration,
    ) -> impl Iterator<Item = &RunRecord> {
        self.runs
            .iter()
            .filter(move |r| r.finished_at <= now && now - r.finished_at <= window)
    }
}

impl RunRecord {
    /// The history entry for a run: its times, mode and count per status.
    pub fn of(run: &RunReport) -> RunRecord {
        let mut counts = BTreeMap::new();
        for status in Status::ALL {
            let n = run.count(status) as u32;
            if n > 0 {
                counts.insert(status, n);
            }
        }
        RunRecord {
            started_at: run.started_at,
            finished_at: run.finished_at,
            mode: run.mode.mode,
            dry_run: run.dry_run,
            total: run.repos.len() as u32,
            synced: run.count(Status::Synced) as u32,
            counts,
            sync_percentage: run.sync_percentage(),
        }
    }
}

fn newer(ours: &RepoState, theirs: &RepoState) -> bool {
    (ours.last_seen_at, ours.last_in_sync_at) >= (theirs.last_seen_at, theirs.last_in_sync_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decision::Action;
    use crate::mode::{ModeChoice, ModeSource};
    use crate::outcome::{PullRef, RepoOutcome};
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, h, 0, 0).unwrap()
    }

    fn outcome(name: &str, status: Status) -> RepoOutcome {
        RepoOutcome {
            repo: name.parse().unwrap(),
            branch: None,
            phase: None,
            rank: None,
            score: 0,
            tier: 0,
            reasons: vec![],
            action: Action::None,
            status,
            detail: String::new(),
            commits_behind: 0,
            commits_ahead: 0,
            security_alerts: 0,
            pull_request: (status == Status::PrOpen).then(|| PullRef {
                number: 7,
                url: "u".into(),
                title: "t".into(),
                created: true,
                conflicted: false,
            }),
            error: None,
            tags: None,
        }
    }

    fn report(h: u32, repos: Vec<RepoOutcome>) -> RunReport {
        RunReport {
            started_at: at(h),
            finished_at: at(h) + Duration::minutes(5),
            mode: ModeChoice {
                mode: crate::mode::Mode::All,
                source: ModeSource::Input,
            },
            dry_run: false,
            repository: None,
            server_url: "https://github.com".into(),
            repos,
            warnings: vec![],
            requests: BTreeMap::new(),
            rate_limit_remaining: None,
        }
    }

    #[test]
    fn each_of_several_branches_has_an_entry_of_its_own() {
        let branch = |b: &str, status| {
            let mut o = outcome("A/app", status);
            o.branch = Some(crate::ids::BranchName::parse(b).unwrap());
            o
        };
        let r = report(
            1,
            vec![
                branch("main", Status::Synced),
                branch("release/2.0", Status::PrOpen),
                outcome("a/other", Status::UpToDate),
            ],
        );
        let s = SyncState::empty().after_run(&r, &BTreeMap::from([("a/app".to_string(), 4)]));
        let keys: Vec<&str> = s.repos.keys().map(String::as_str).collect();
        assert_eq!(keys, ["a/app:main", "a/app:release/2.0", "a/other"]);
        assert_eq!(s.repos["a/app:release/2.0"].sync_pr, Some(7));
        assert_eq!(s.repos["a/app:main"].sync_pr, None);
        assert_eq!(s.repos["a/app:main"].last_synced_at, Some(r.finished_at));
        // The repository's open pull requests, on each of its entries.
        assert_eq!(s.repos["a/app:main"].open_prs, 4);
    }

    #[test]
    fn a_run_updates_entries_and_history() {
        let r = report(
            1,
            vec![
                outcome("a/x", Status::Synced),
                outcome("a/y", Status::PrOpen),
                outcome("a/z", Status::Failed),
            ],
        );
        let s = SyncState::empty().after_run(&r, &BTreeMap::from([("a/y".to_string(), 3)]));
        let x = &s.repos["a/x"];
        assert_eq!(x.last_in_sync_at, Some(r.finished_at));
        assert_eq!(x.last_synced_at, Some(r.finished_at));
        assert_eq!(s.repos["a/y"].sync_pr, Some(7));
        assert_eq!(s.repos["a/y"].open_prs, 3);
        assert_eq!(s.repos["a/z"].last_in_sync_at, None);
        assert_eq!(s.runs.len(), 1);
        assert_eq!(s.runs[0].synced, 1);
        assert_eq!(s.runs[0].counts[&Status::Failed], 1);
        // A later failure keeps the last in-sync time.
        let r2 = report(3, vec![outcome("a/x", Status::Failed)]);
        let s2 = s.after_run(&r2, &BTreeMap::new());
        assert_eq!(s2.repos["a/x"].last_in_sync_at, Some(r.finished_at));
        assert_eq!(s2.repos["a/x"].last_status, Some(Status::Failed));
    }

    #[test]
    fn dry_runs_leave_state_alone() {
        let mut r = report(1, vec![outcome("a/x", Status::Pending)]);
        r.dry_run = true;
        assert_eq!(
            SyncState::empty().after_run(&r, &BTreeMap::new()),
            SyncState::empty()
        );
    }

    #[test]
    fn racing_states_merge_without_losing_entries() {
        let base = SyncState::empty().after_run(
            &report(1, vec![outcome("a/x", Status::UpToDate)]),
            &BTreeMap::new(),
        );
        // Run A saw a/x and a/y; run B (racing, from the same base) saw a/x later and a/z.
        let a = base.after_run(
            &report(
                2,
                vec![
                    outcome("a/x", Status::Failed),
                    outcome("a/y", Status::Synced),
                ],
            ),
            &BTreeMap::new(),
        );
        let b = base.after_run(
            &report(
                3,
                vec![
                    outcome("a/x", Status::Synced),
                    outcome("a/z", Status::PrOpen),
                ],
            ),
            &BTreeMap::new(),
        );
        for merged in [a.merge(&b), b.merge(&a)] {
            assert_eq!(merged.repos.len(), 3);
            assert_eq!(
                merged.repos["a/x"].last_status,
                Some(Status::Synced),
                "the later observation wins"
            );
            assert!(merged.repos.contains_key("a/y"));
            assert!(merged.repos.contains_key("a/z"));
            assert_eq!(merged.runs.len(), 3, "base run once, plus both racing runs");
            assert!(merged
                .runs
                .windows(2)
                .all(|w| w[0].started_at <= w[1].started_at));
        }
    }

    #[test]
    fn history_is_capped() {
        let mut s = SyncState::empty();
        for i in 0..(MAX_RUN_HISTORY + 20) {
            let mut r = report(0, vec![]);
            r.started_at = at(0) + Duration::hours(i as i64);
            r.finished_at = r.started_at + Duration::minutes(1);
            s = s.after_run(&r, &BTreeMap::new());
        }
        assert_eq!(s.runs.len(), MAX_RUN_HISTORY);
        assert_eq!(s.runs[0].started_at, at(0) + Duration::hours(20));
    }

    #[test]
    fn newer_schema_is_refused() {
        let text = r#"{"schema_version": 99, "repos": {}, "runs": []}"#;
        assert!(SyncState::from_json(text).unwrap_err().contains("newer"));
        let s = SyncState::from_json(&SyncState::empty().to_json()).unwrap();
        assert_eq!(s, SyncState::empty());
    }

    #[test]
    fn a_remembered_compare_that_does_not_read_is_forgotten_not_fatal() {
        let good = "a".repeat(40);
        let text = format!(
            r#"{{"schema_version": 1, "runs": [], "repos": {{
                "o/bad": {{"repo": "o/bad", "last_in_sync_at": null, "last_synced_at": null,
                    "last_seen_at": null, "last_status": "pr_open", "open_prs": 1, "sync_pr": 4,
                    "compared": {{"head": "aaaaaa\u00e9\n::set-output name=x::y", "upstream_head": "{good}",
                                 "behind": 3, "ahead": 0, "oldest_missing": null, "touches_workflows": false}}}},
                "o/good": {{"repo": "o/good", "last_in_sync_at": null, "last_synced_at": null,
                    "last_seen_at": null, "last_status": "synced", "open_prs": 0, "sync_pr": null,
                    "compared": {{"head": "{good}", "upstream_head": "{good}",
                                 "behind": 0, "ahead": 0, "oldest_missing": null, "touches_workflows": false}}}}
            }}}}"#
        );
        let s = SyncState::from_json(&text).unwrap();
        let bad = &s.repos["o/bad"];
        assert_eq!(bad.compared, None, "forgotten");
        assert_eq!(bad.sync_pr, Some(4), "the rest of the entry is kept");
        assert_eq!(s.repos["o/good"].compared.as_ref().unwrap().head, good);
    }
}
