//! The audit artifact files of a run (rendered from the run's report and the state).

use chrono::{DateTime, Utc};

use crate::outcome::RunReport;
use crate::state::SyncState;

/// Every artifact file (name, contents) except `sync-state.json`, which publish adds.
pub fn render(
    report: &RunReport,
    _state: &SyncState,
    _now: DateTime<Utc>,
) -> Vec<(String, String)> {
    vec![(
        "sync-progress.json".to_string(),
        serde_json::to_string_pretty(&report.repos).expect("serializes") + "\n",
    )]
}

/// The job summary markdown.
pub fn summary(report: &RunReport) -> String {
    format!(
        "## priority-sync: {}\n\n{}\n",
        report.mode.mode,
        report.mode.explain()
    )
}
