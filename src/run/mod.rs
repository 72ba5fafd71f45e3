//! One run, end to end, as the pipeline the README promises: prepare (mode, forced list,
//! publish target) → read state → gather → plan → apply (or, in report mode, the fleet-wide
//! view) → build the report (merging fan-out results, writing the result file) → publish (audit
//! commit and local files) → alert. The command line and the action entrypoint both come here.
//! Only apply and publish write to GitHub; a dry run stops writing after the plan.
//!
//! - [`setup`]: everything checked before the first request, and the state read;
//! - [`budget`]: the run's time budget, which bounds gather and apply;
//! - [`local`]: writing files into the workspace (never through a symlink);
//! - [`stages`]: gather, plan and apply, each a value for the next;
//! - [`finish`]: the report, the publication and the alert;
//! - [`outputs`]: the step outputs of SPEC §6.

pub mod budget;
mod finish;
pub mod local;
mod outputs;
mod setup;
mod stages;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::Clock;
use crate::config::Inventory;
use crate::github::GitHub;
use crate::notify::Notifier;
use crate::outcome::RunReport;
use crate::plan::Plan;
use crate::publish::Published;
use crate::repo_name::RepoName;
use crate::shard::{RunResult, Shard};
use crate::state::SyncState;

pub use outputs::{step_outputs, top_matrix, OUTPUT_NAMES};

/// What a run was asked to do.
#[derive(Debug, Clone)]
pub struct RunSettings {
    pub inventory: Inventory,
    /// `auto`, `top12`, … (`None` = auto).
    pub mode: Option<String>,
    pub force: Vec<String>,
    pub event_name: Option<String>,
    pub event: Option<serde_json::Value>,
    pub dry_run: bool,
    /// Local directory the artifacts are written to.
    pub local_dir: PathBuf,
    /// Commit the artifacts to `repository` (ignored without one, and in dry runs).
    pub commit: bool,
    /// The workflow's repository (`GITHUB_REPOSITORY`).
    pub repository: Option<RepoName>,
    /// `GITHUB_REF`.
    pub git_ref: Option<String>,
    pub server_url: String,
    /// Only this slice of the fleet; a shard never commits (the report job does).
    pub shard: Option<Shard>,
    /// Write this run's result file here (for a later `report`).
    pub results_dir: Option<PathBuf>,
    /// Report mode: merge these fan-out results over a read-only view of the whole fleet,
    /// then commit once.
    pub merge: Option<Vec<RunResult>>,
    /// How long gather and apply may take (`time_budget_minutes`); past it the rest is
    /// `pending` and the run still reports and commits.
    pub time_budget: Duration,
    /// The action's workspace (`GITHUB_WORKSPACE`): local files must stay inside it and get
    /// its owner. `None` on the command line.
    pub workspace: Option<PathBuf>,
    /// How long, in all, a ref write answered 404 is sent again while new upstream commits
    /// reach the fork (`apply::DEFAULT_PROPAGATION_WAIT` unless a test knob says otherwise).
    pub propagation_wait: std::time::Duration,
}

/// Why a run did not complete.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Bad input: nothing was done.
    #[error("{0}")]
    Usage(String),
    /// The token was rejected.
    #[error("GitHub rejected the credentials: {0}\n      fix: check the `token` input (or the App id and key), that it has not expired, and that it can read the fleet's repositories")]
    Credentials(String),
    #[error("{0}")]
    Failed(String),
}

/// Everything a completed run produced.
#[derive(Debug)]
pub struct RunOutput {
    pub plan: Plan,
    pub report: RunReport,
    /// State after the run (as committed, when it was).
    pub state: SyncState,
    /// Artifact files written locally (name, contents).
    pub files: Vec<(String, String)>,
    /// The job summary markdown.
    pub summary: String,
    pub published: Option<Published>,
    /// The run completed but the audit commit failed (reported, exit status 1).
    pub publish_error: Option<String>,
}

/// Runs once.
/// `gh` reaches the fleet; `audit` the workflow's own repository (state and audit commit).
pub async fn execute(
    gh: Arc<dyn GitHub>,
    audit: Arc<dyn GitHub>,
    clock: &dyn Clock,
    s: RunSettings,
    notifier: Option<&dyn Notifier>,
) -> Result<RunOutput, RunError> {
    let run = setup::prepare(&s, clock.now())?;
    let budget = budget::TimeBudget::start(s.time_budget);
    let state = setup::read_state(audit.as_ref(), &s, &run).await?;
    // Gather and apply reach the fleet within the budget; the audit commit does not.
    let fleet = budget.guard(gh);
    let gathered = stages::gather_fleet(fleet.clone(), &run, &state).await?;
    let plan = stages::plan(&run, &gathered);
    let applied = stages::apply_plan(fleet, &s, &run, &gathered, &plan, clock, &budget).await;
    let report = finish::build_report(&s, &run, &plan, &gathered, applied)?;
    let state = finish::state_after(&state, &report, &gathered);
    let publication = finish::publish(audit.as_ref(), &s, &run, &report, state).await?;
    finish::alert(notifier, &s, &report.report).await;
    Ok(RunOutput {
        plan,
        report: report.report,
        state: publication.state,
        files: publication.files,
        summary: publication.summary,
        published: publication.published,
        publish_error: publication.error,
    })
}
