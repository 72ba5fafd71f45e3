//! Run histories (`sync-state.json`'s runs) for the fixture fleets: velocity, ETA and the
//! history chart are computed from them.

use std::collections::BTreeMap;

use chrono::Utc;
use chrono::{DateTime, Duration};
use priority_sync::mode::Mode;
use priority_sync::outcome::Status;
use priority_sync::state::{RepoState, RunRecord, SyncState, STATE_SCHEMA_VERSION};

use super::{finished_at, Lcg, TOP_12};

/// A week of six-hourly runs before the source example, for velocity, ETA and the history chart.
pub fn source_example_state() -> SyncState {
    let mut runs = Vec::new();
    let end = finished_at() - Duration::hours(6);
    let mut in_sync: u32 = 9;
    let mut rng = Lcg(6);
    for k in (0..28).rev() {
        let finished = end - Duration::hours(6 * k);
        let synced = 1 + rng.next(4);
        let drift = rng.next(3);
        in_sync = (in_sync + synced).saturating_sub(drift).clamp(6, 20);
        runs.push(record(finished, Mode::Urgent, 104, in_sync, synced, 3, 0));
    }
    SyncState {
        schema_version: STATE_SCHEMA_VERSION,
        repos: BTreeMap::new(),
        runs,
    }
}

/// A history record with the given counts (the rest pending).
pub fn record(
    finished: DateTime<Utc>,
    mode: Mode,
    total: u32,
    in_sync: u32,
    synced: u32,
    pr_open: u32,
    failed: u32,
) -> RunRecord {
    let mut counts = BTreeMap::new();
    let up_to_date = in_sync.saturating_sub(synced);
    for (s, n) in [
        (Status::Synced, synced.min(in_sync)),
        (Status::UpToDate, up_to_date),
        (Status::PrOpen, pr_open),
        (Status::Failed, failed),
        (
            Status::Pending,
            total.saturating_sub(in_sync + pr_open + failed),
        ),
    ] {
        if n > 0 {
            counts.insert(s, n);
        }
    }
    RunRecord {
        started_at: finished - Duration::minutes(4),
        finished_at: finished,
        mode,
        dry_run: false,
        total,
        counts,
        synced: synced.min(in_sync),
        sync_percentage: if total == 0 {
            100.0
        } else {
            (1000.0 * f64::from(in_sync) / f64::from(total)).round() / 10.0
        },
    }
}

/// History for the all-green fleet: a day of runs climbing to 100 %.
pub fn all_green_state() -> SyncState {
    let runs = (0..12)
        .map(|k| {
            let in_sync = (20 + 2 * k).min(32);
            record(
                finished_at() - Duration::hours(2 * (12 - k as i64)),
                Mode::Top12,
                32,
                in_sync,
                2,
                0,
                0,
            )
        })
        .collect();
    let mut repos = BTreeMap::new();
    for r in TOP_12 {
        repos.insert(
            r.to_ascii_lowercase(),
            RepoState {
                repo: r.to_string(),
                last_in_sync_at: Some(finished_at()),
                last_seen_at: Some(finished_at()),
                last_status: Some(Status::UpToDate),
                ..RepoState::default()
            },
        );
    }
    SyncState {
        schema_version: STATE_SCHEMA_VERSION,
        repos,
        runs,
    }
}

/// 200 runs of history for the large fleet.
pub fn large_state(n: u32) -> SyncState {
    let runs = (0..200)
        .map(|k| {
            let in_sync = n * 60 / 100 + k * n / 1000;
            record(
                finished_at() - Duration::hours(2 * (200 - i64::from(k))),
                if k % 12 == 0 { Mode::All } else { Mode::Top12 },
                n,
                in_sync.min(n),
                40,
                300,
                100,
            )
        })
        .collect();
    SyncState {
        schema_version: STATE_SCHEMA_VERSION,
        repos: BTreeMap::new(),
        runs,
    }
}
