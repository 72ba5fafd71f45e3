//! `sync-state.json` (SPEC §7): what survives between runs, and how two racing runs' states merge
//! without losing either's entries.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
    /// Keyed by lower-cased `owner/name` so spelling changes do not fork an entry.
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
