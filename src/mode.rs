//! Which mode a run uses and why: explicit input, the `schedule` cron, or `workflow_dispatch`.

use serde::{Deserialize, Serialize};

/// What a run syncs (SPEC §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The Top 12 in order, then every repository with open security alerts.
    Top12,
    /// `top12` plus the next `batches.urgent` repositories of the ranking.
    Urgent,
    /// Everything: top, critical, the next `batches.all_urgent`, then the rest.
    All,
    /// Only the repositories named in `force_repos`, in the given order.
    Force,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Top12 => "top12",
            Mode::Urgent => "urgent",
            Mode::All => "all",
            Mode::Force => "force",
        }
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the mode came from, for the summary's "mode and why".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum ModeSource {
    /// The `mode` input or `--mode` flag named it.
    Input,
    /// `force_repos` / `--force` was given.
    ForceRepos,
    /// A `schedule` event whose cron is mapped in `schedules`.
    Schedule { cron: String },
    /// A `schedule` event whose cron is not in `schedules`: fell back to `top12`.
    UnknownSchedule { cron: String },
    /// `workflow_dispatch` with its `mode` input.
    Dispatch,
    /// Nothing chose a mode: the default (`top12`).
    Default,
}

/// The chosen mode with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeChoice {
    pub mode: Mode,
    #[serde(flatten)]
    pub source: ModeSource,
}

impl ModeChoice {
    /// One sentence for logs and the job summary.
    pub fn explain(&self) -> String {
        match &self.source {
            ModeSource::Input => format!("`{}` was given as the mode input", self.mode),
            ModeSource::ForceRepos => "`force_repos` named the repositories".to_string(),
            ModeSource::Schedule { cron } => {
                format!("the schedule `{cron}` maps to `{}`", self.mode)
            }
            ModeSource::UnknownSchedule { cron } => format!(
                "the schedule `{cron}` is not in `schedules`, so the run fell back to `{}`",
                self.mode
            ),
            ModeSource::Dispatch => format!("manual dispatch chose `{}`", self.mode),
            ModeSource::Default => format!("no mode was given; default `{}`", self.mode),
        }
    }
}
