//! Reports: the files people read after a run, rendered as pure functions of the run's outcome,
//! the sync state after the run and an injected generation time.
//!
//! - [`job_summary`] renders the markdown for `GITHUB_STEP_SUMMARY`, budgeted under GitHub's
//!   1 MiB limit;
//! - [`dashboard_html`] renders `speed-dashboard.html`, one self-contained page (no script, no
//!   network);
//! - [`badge_svg`] renders `sync-status-badge.svg`;
//! - [`SpeedMetrics`] is `speed-metrics.json` (the source's nine keys);
//! - [`sync_progress_json`] and [`urgency_ranking_json`] render every repository's result and
//!   the ranking, versioned by [`REPORT_SCHEMA_VERSION`].
//!
//! [`render_all`] renders all of them, so the publish step does not need to know the list.
//! Every piece of outside text goes through the template engine's auto-escape (HTML, SVG) or
//! the markdown escape (job summary); nothing is concatenated into markup by hand.

mod badge;
mod dashboard;
mod engine;
pub mod escape;
mod json;
pub mod metrics;
mod summary;
mod view;

use chrono::{DateTime, Utc};

pub use badge::{badge_color, badge_svg, BadgeColor};
pub use dashboard::dashboard_html;
pub use json::{sync_progress_json, urgency_ranking_json, REPORT_SCHEMA_VERSION};
pub use metrics::SpeedMetrics;
pub use summary::{job_summary, SUMMARY_LIMIT_BYTES};

use crate::outcome::RunReport;
use crate::state::SyncState;

/// `speed-metrics.json`
pub const SPEED_METRICS_FILE: &str = "speed-metrics.json";
/// `speed-dashboard.html`
pub const DASHBOARD_FILE: &str = "speed-dashboard.html";
/// `sync-status-badge.svg`
pub const BADGE_FILE: &str = "sync-status-badge.svg";
/// `sync-progress.json`
pub const SYNC_PROGRESS_FILE: &str = "sync-progress.json";
/// `urgency-ranking.json`
pub const URGENCY_RANKING_FILE: &str = "urgency-ranking.json";

/// Small settings the reports need from the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportOptions {
    /// Where the artifacts are committed (`artifacts.dir`), named in the summary.
    pub artifacts_dir: String,
    /// Where the badge links to (e.g. the dashboard's URL); no link when `None` or not http(s).
    pub badge_link: Option<String>,
    /// Byte budget of the job summary; defaults to [`SUMMARY_LIMIT_BYTES`].
    pub summary_limit: usize,
}

impl Default for ReportOptions {
    fn default() -> Self {
        Self {
            artifacts_dir: "audit".to_string(),
            badge_link: None,
            summary_limit: SUMMARY_LIMIT_BYTES,
        }
    }
}

/// A report template failed to render (a bug in a template, never bad data).
#[derive(Debug, thiserror::Error)]
#[error("rendering {report}: {source:#}")]
pub struct ReportError {
    pub report: &'static str,
    #[source]
    pub source: minijinja::Error,
}

/// One file for `artifacts.dir`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// File name inside `artifacts.dir` (no directory part).
    pub file_name: &'static str,
    pub contents: String,
}

/// Everything a run reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Markdown for `GITHUB_STEP_SUMMARY`.
    pub job_summary: String,
    /// The files for `artifacts.dir`, in a fixed order.
    pub artifacts: Vec<Artifact>,
}

/// Renders the job summary and every artifact of one run.
///
/// `state` is the sync state after this run (its history may or may not already hold this run;
/// the reports add it when it does not). `generated_at` comes from the run's clock.
pub fn render_all(
    run: &RunReport,
    state: &SyncState,
    generated_at: DateTime<Utc>,
    options: &ReportOptions,
) -> Result<Rendered, ReportError> {
    let metrics = SpeedMetrics::compute(run, state, generated_at);
    let artifacts = vec![
        Artifact {
            file_name: SPEED_METRICS_FILE,
            contents: metrics.to_json(),
        },
        Artifact {
            file_name: DASHBOARD_FILE,
            contents: dashboard_html(run, state, generated_at)?,
        },
        Artifact {
            file_name: BADGE_FILE,
            contents: badge_svg(metrics.sync_percentage, options.badge_link.as_deref())?,
        },
        Artifact {
            file_name: SYNC_PROGRESS_FILE,
            contents: sync_progress_json(run, generated_at),
        },
        Artifact {
            file_name: URGENCY_RANKING_FILE,
            contents: urgency_ranking_json(run, generated_at),
        },
    ];
    Ok(Rendered {
        job_summary: job_summary(run, state, generated_at, options)?,
        artifacts,
    })
}
