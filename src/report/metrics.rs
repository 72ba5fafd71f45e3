//! `speed-metrics.json` and the numbers behind it: the fleet's counts, sync percentage,
//! velocity and ETA, each defined once here (and in `docs/metrics.md`) and derived only from
//! the run and the run history in state.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::{Deserialize, Serialize, Serializer};

use crate::outcome::{RunReport, Status};
use crate::state::{RunRecord, SyncState};

/// How far back the run history is read for the velocity.
pub const VELOCITY_WINDOW_DAYS: i64 = 7;

/// The shortest span the velocity divides by, so one short run does not extrapolate its burst of
/// fast-forwards to an hourly rate it never sustained.
pub const MIN_VELOCITY_HOURS: f64 = 1.0;

/// `eta_hours` when no estimate is possible: work is left but the history is too short (see
/// [`Velocity::enough_history`]) or no progress was measured in the window. The field stays a
/// number so existing parsers keep working.
pub const ETA_UNKNOWN: f64 = -1.0;

/// An estimate needs at least this many runs in the velocity window...
pub const MIN_HISTORY_RUNS: usize = 3;

/// ...spanning at least this many hours: one burst of fast-forwards is not a pace.
pub const MIN_HISTORY_HOURS: f64 = 24.0;

/// The contents of `speed-metrics.json`: exactly the source document's nine keys, in its order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpeedMetrics {
    /// Every repository of the fleet (the run's `repos`).
    pub total_repos: u64,
    /// Repositories that contain their upstream after this run (`synced` or `up_to_date`).
    pub synced_today: u64,
    /// Repositories with a sync pull request open (`pr_open`).
    pub in_progress: u64,
    /// Repositories neither in sync, nor in progress, nor failed (`pending`, `skipped`).
    pub pending: u64,
    /// Repositories the run could not sync (`failed`, `inaccessible`).
    pub failed: u64,
    /// `100 · synced_today / total_repos`, one decimal; `100.0` for an empty fleet.
    pub sync_percentage: f64,
    /// Repositories brought into sync per hour over the last [`VELOCITY_WINDOW_DAYS`] days of
    /// runs, two decimals; see [`Velocity`].
    pub sync_velocity: f64,
    /// Hours until the `pending`-status repositories (the work the tool does by itself in its
    /// next runs) are in sync at the published `sync_velocity`, one decimal; `0.0` when none is
    /// left; [`ETA_UNKNOWN`] when the history is too short or the velocity is 0. Sync pull
    /// requests wait for a person and are not part of it.
    pub eta_hours: f64,
    /// When this run finished (RFC 3339, UTC, whole seconds).
    #[serde(serialize_with = "rfc3339_seconds")]
    pub last_sync: DateTime<Utc>,
}

fn rfc3339_seconds<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// How the velocity was measured, for the dashboard's captions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Velocity {
    /// Repositories per hour (unrounded).
    pub per_hour: f64,
    /// Repositories brought into sync in the window.
    pub gained: u64,
    /// Runs in the window.
    pub runs: usize,
    /// Hours the window spans (at least [`MIN_VELOCITY_HOURS`] when there is a run).
    pub hours: f64,
}

impl SpeedMetrics {
    /// Computes the metrics of `run`, with the velocity from `state`'s run history (plus this
    /// run when the history does not have it yet) as seen at `now`.
    pub fn compute(run: &RunReport, state: &SyncState, now: DateTime<Utc>) -> Self {
        let velocity = velocity(&history(run, state), now);
        Self::with_velocity(run, &velocity)
    }

    pub(crate) fn with_velocity(run: &RunReport, velocity: &Velocity) -> Self {
        let total = run.repos.len() as u64;
        let count = |s: Status| run.count(s) as u64;
        let synced_today = count(Status::Synced) + count(Status::UpToDate);
        let in_progress = count(Status::PrOpen);
        let failed = count(Status::Failed) + count(Status::Inaccessible);
        let pending = total - synced_today - in_progress - failed;
        let remaining = count(Status::Pending);
        // The ETA uses the published (rounded) velocity, so readers can recompute it.
        let sync_velocity = round_to(velocity.per_hour, 2);
        let eta_hours = match velocity.enough_history() {
            true => eta_hours(remaining, sync_velocity),
            false if remaining == 0 => 0.0,
            false => ETA_UNKNOWN,
        };
        Self {
            total_repos: total,
            synced_today,
            in_progress,
            pending,
            failed,
            sync_percentage: run.sync_percentage(),
            sync_velocity,
            eta_hours,
            last_sync: run.finished_at,
        }
    }

    /// The file's contents: pretty-printed JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("plain struct serializes");
        s.push('\n');
        s
    }

    /// True when `eta_hours` is the "cannot be estimated" marker.
    pub fn eta_unknown(&self) -> bool {
        self.eta_hours < 0.0
    }
}

impl Velocity {
    /// True when the window holds enough runs over enough time to extrapolate from
    /// ([`MIN_HISTORY_RUNS`] over [`MIN_HISTORY_HOURS`]).
    pub fn enough_history(&self) -> bool {
        self.runs >= MIN_HISTORY_RUNS && self.hours >= MIN_HISTORY_HOURS
    }
}

/// Hours to bring `remaining` repositories into sync at `per_hour`.
pub fn eta_hours(remaining: u64, per_hour: f64) -> f64 {
    if remaining == 0 {
        0.0
    } else if per_hour > 0.0 {
        round_to(remaining as f64 / per_hour, 1)
    } else {
        ETA_UNKNOWN
    }
}

fn round_to(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

/// This run as a history record (what the state keeps per run).
pub fn run_record(run: &RunReport) -> RunRecord {
    RunRecord::of(run)
}

/// The run history oldest first, ending with this run: `state.runs`, plus this run's record when
/// the state does not hold it yet (matched by start time).
pub fn history(run: &RunReport, state: &SyncState) -> Vec<RunRecord> {
    let mut runs = state.runs.clone();
    if !runs.iter().any(|r| r.started_at == run.started_at) {
        runs.push(run_record(run));
    }
    runs.sort_by_key(|r| (r.finished_at, r.started_at));
    runs
}

fn in_sync(r: &RunRecord) -> i64 {
    let get = |s| i64::from(r.counts.get(&s).copied().unwrap_or(0));
    get(Status::Synced) + get(Status::UpToDate)
}

/// Repositories brought into sync per hour, from run records (oldest first).
///
/// The window holds the runs that finished in the [`VELOCITY_WINDOW_DAYS`] days up to `now`.
/// A run's gain is the larger of the repositories it fast-forwarded and the net increase of the
/// in-sync count since the run before it (which also catches sync pull requests merged between
/// runs); the first run ever gains only what it fast-forwarded, so a fleet that was already in
/// sync is not counted as progress. The span runs from the end of the run before the window
/// (or the start of the first run) to the end of the last one, and is at least
/// [`MIN_VELOCITY_HOURS`].
pub fn velocity(history: &[RunRecord], now: DateTime<Utc>) -> Velocity {
    let window_start = now - Duration::days(VELOCITY_WINDOW_DAYS);
    let first = history
        .iter()
        .position(|r| r.finished_at > window_start && r.finished_at <= now);
    let Some(first) = first else {
        return Velocity {
            per_hour: 0.0,
            gained: 0,
            runs: 0,
            hours: 0.0,
        };
    };
    let window: Vec<(usize, &RunRecord)> = history
        .iter()
        .enumerate()
        .skip(first)
        .filter(|(_, r)| r.finished_at <= now)
        .collect();
    let mut gained: u64 = 0;
    for &(i, r) in &window {
        let synced = i64::from(r.synced);
        let gain = match i.checked_sub(1).map(|p| &history[p]) {
            Some(prev) => synced.max(in_sync(r) - in_sync(prev)),
            None => synced,
        };
        gained += gain.max(0) as u64;
    }
    let start = match first.checked_sub(1).map(|p| &history[p]) {
        Some(prev) => prev.finished_at.max(window_start),
        None => history[first].started_at,
    };
    let end = window.last().map(|(_, r)| r.finished_at).unwrap_or(now);
    let hours = ((end - start).num_seconds() as f64 / 3600.0).max(MIN_VELOCITY_HOURS);
    Velocity {
        per_hour: gained as f64 / hours,
        gained,
        runs: window.len(),
        hours,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mode::Mode;
    use chrono::TimeZone;

    fn at(h: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::hours(h)
    }

    fn rec(start_h: i64, in_sync: u32, synced: u32, total: u32) -> RunRecord {
        let mut counts = std::collections::BTreeMap::new();
        counts.insert(Status::UpToDate, in_sync - synced);
        if synced > 0 {
            counts.insert(Status::Synced, synced);
        }
        counts.insert(Status::Pending, total - in_sync);
        RunRecord {
            started_at: at(start_h),
            finished_at: at(start_h) + Duration::minutes(10),
            mode: Mode::Top12,
            dry_run: false,
            total,
            counts,
            synced,
            sync_percentage: 0.0,
        }
    }

    #[test]
    fn velocity_counts_fast_forwards_and_merged_prs_over_the_window() {
        // Every 2 h: 10 in sync, then 14 (4 fast-forwarded), then 20 (2 fast-forwarded, 4 PRs
        // merged meanwhile), then 19 (1 fast-forwarded, 2 fell behind).
        let h = vec![
            rec(0, 10, 0, 50),
            rec(2, 14, 4, 50),
            rec(4, 20, 2, 50),
            rec(6, 19, 1, 50),
        ];
        let v = velocity(&h, at(7));
        // First run ever: gain 0 (fleet already in sync is not progress); then 4, 6, 1.
        assert_eq!(v.gained, 11);
        assert_eq!(v.runs, 4);
        // From the start of the first run (0 h) to the end of the last (6 h 10 min).
        assert!((v.hours - (6.0 + 10.0 / 60.0)).abs() < 1e-9, "{}", v.hours);
        assert!((v.per_hour - 11.0 / v.hours).abs() < 1e-9);
    }

    #[test]
    fn velocity_ignores_runs_older_than_the_window_but_uses_the_last_one_as_baseline() {
        let h = vec![rec(0, 10, 10, 50), rec(24 * 10, 20, 4, 50)];
        let v = velocity(&h, at(24 * 10 + 1));
        assert_eq!(v.runs, 1);
        assert_eq!(
            v.gained, 10,
            "net +10 since the previous run beats 4 fast-forwards"
        );
        // The span starts at the window's start, not 10 days back.
        assert!(
            (v.hours - (24.0 * 7.0 - 1.0 + 10.0 / 60.0)).abs() < 1e-6,
            "{}",
            v.hours
        );
    }

    #[test]
    fn one_short_run_is_spread_over_at_least_an_hour() {
        let v = velocity(&[rec(0, 18, 18, 104)], at(1));
        assert_eq!(v.gained, 18);
        assert_eq!(v.hours, MIN_VELOCITY_HOURS);
        assert_eq!(v.per_hour, 18.0);
    }

    #[test]
    fn no_runs_in_the_window_means_zero_velocity() {
        let v = velocity(&[rec(0, 18, 18, 104)], at(24 * 8));
        assert_eq!((v.per_hour, v.runs, v.gained), (0.0, 0, 0));
        assert_eq!(velocity(&[], at(0)).per_hour, 0.0);
    }

    #[test]
    fn one_short_run_is_not_enough_history_for_an_estimate() {
        // The demo's first run: 31 fast-forwards in 12 seconds.
        let v = velocity(&[rec(0, 31, 31, 104)], at(1));
        assert!(!v.enough_history());
        // Three runs within an hour are not enough either; four over a day are.
        let h: Vec<_> = (0..3).map(|k| rec(k, 31, 1, 104)).collect();
        assert!(!velocity(&h, at(4)).enough_history());
        let h: Vec<_> = (0..4).map(|k| rec(8 * k, 31, 1, 104)).collect();
        assert!(velocity(&h, at(25)).enough_history());
    }

    #[test]
    fn eta_conventions() {
        assert_eq!(eta_hours(0, 0.0), 0.0);
        assert_eq!(eta_hours(0, 5.0), 0.0);
        assert_eq!(eta_hours(86, 0.0), ETA_UNKNOWN);
        assert_eq!(eta_hours(86, 19.0), 4.5);
    }
}
