//! The files a run leaves: the reports rendered for this run and state, as (name, contents)
//! pairs for the local directory and the audit commit, plus the job summary.

use chrono::{DateTime, Utc};

use crate::outcome::RunReport;
use crate::report::{render_all, ReportOptions};
use crate::state::SyncState;

/// Everything rendered for one run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFiles {
    /// Artifact files (name, contents), without `sync-state.json` (publish adds it).
    pub files: Vec<(String, String)>,
    /// The job summary markdown.
    pub summary: String,
}

/// Renders the run's reports. Fails only on a template bug.
pub fn render(
    report: &RunReport,
    state: &SyncState,
    now: DateTime<Utc>,
    options: &ReportOptions,
) -> Result<RunFiles, String> {
    let r = render_all(report, state, now, options).map_err(|e| e.to_string())?;
    Ok(RunFiles {
        files: r
            .artifacts
            .into_iter()
            .map(|a| (a.file_name.to_string(), a.contents))
            .collect(),
        summary: r.job_summary,
    })
}

/// Where the badge should link: the committed dashboard, when the run commits one.
pub fn dashboard_url(server_url: &str, repo: &str, branch: &str, dir: &str) -> String {
    format!(
        "{}/{repo}/blob/{branch}/{dir}/{}",
        server_url.trim_end_matches('/'),
        crate::report::DASHBOARD_FILE
    )
}
