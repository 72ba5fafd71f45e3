//! One run, end to end: choose the mode, read state, gather, plan, apply, report, publish.
//! The command line and the action entrypoint both come here; only `apply` and `publish`
//! write, and a dry run stops writing after the plan.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::action_io::log::Group;
use crate::apply::{apply, ApplyContext};
use crate::artifacts::dashboard_url;
use crate::clock::Clock;
use crate::config::Inventory;
use crate::gather::{gather, Gathered};
use crate::github::{GhError, GitHub};
use crate::mode::{choose, ModeRequest};
use crate::notify::{alert_text, Notifier};
use crate::outcome::RunReport;
use crate::plan::{build_plan, resolve_force, Plan};
use crate::publish::{publish, read_state, PublishTarget, Published, STATE_FILE};
use crate::repo_name::RepoName;
use crate::report::ReportOptions;
use crate::shard::{merge_results, result_id, RunResult, Shard, RESULT_SCHEMA_VERSION};
use crate::state::SyncState;

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

/// Branch the artifacts go to: `artifacts.branch`, else the workflow's branch.
fn artifacts_branch(inv: &Inventory, git_ref: Option<&str>) -> Result<String, RunError> {
    if let Some(b) = &inv.artifacts.branch {
        return Ok(b.clone());
    }
    match git_ref.and_then(|r| r.strip_prefix("refs/heads/")) {
        Some(b) => Ok(b.to_string()),
        None => Err(RunError::Usage(format!(
            "cannot tell which branch to commit the audit artifacts to (GITHUB_REF is `{}`)\n      fix: set `artifacts.branch` in the inventory, or `commit_artifacts: false`",
            git_ref.unwrap_or("unset")
        ))),
    }
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
    let started_at = clock.now();
    let inv = Arc::new(match &s.shard {
        Some(shard) => shard.slice(&s.inventory),
        None => s.inventory.clone(),
    });
    if let Some(shard) = &s.shard {
        log::info!(
            "shard {shard}: {} of {} repositories",
            inv.len(),
            s.inventory.len()
        );
    }
    let merging = s.merge.is_some();

    // Everything that can be wrong with the input is checked before the first request.
    let selection = choose(
        &ModeRequest {
            mode: s.mode.as_deref(),
            force: s.force.clone(),
            event_name: s.event_name.as_deref(),
            event: s.event.as_ref(),
        },
        &inv.schedules,
    )
    .map_err(|e| RunError::Usage(e.to_string()))?;
    let force = resolve_force(&inv, &selection.force).map_err(|errs| {
        RunError::Usage(format!(
            "force_repos: {}\n      fix: use names from the inventory (owner/name, or the name alone when it is unique)",
            errs.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")
        ))
    })?;
    for w in &selection.warnings {
        log::warn!("{w}");
    }
    log::info!(
        "mode {}: {}",
        selection.choice.mode,
        selection.choice.explain()
    );
    let target = match (&s.repository, s.commit && !s.dry_run && s.shard.is_none()) {
        (Some(repo), true) => Some(PublishTarget {
            repo: repo.clone(),
            branch: artifacts_branch(&inv, s.git_ref.as_deref())?,
            dir: inv.artifacts.dir.clone(),
        }),
        _ => None,
    };

    // State: from the repository the artifacts live in, else from the local directory.
    let state = {
        let _g = Group::start("Read state");
        match (&s.repository, &target) {
            (Some(repo), _) => {
                let t = target.clone().unwrap_or_else(|| PublishTarget {
                    repo: repo.clone(),
                    branch: artifacts_branch(&inv, s.git_ref.as_deref()).unwrap_or_default(),
                    dir: inv.artifacts.dir.clone(),
                });
                if t.branch.is_empty() {
                    SyncState::empty()
                } else {
                    match read_state(audit.as_ref(), &t, None).await {
                        Ok(st) => st,
                        Err(crate::publish::PublishError::GitHub(e)) if e.is_fatal() => {
                            return Err(RunError::Credentials(e.to_string()))
                        }
                        Err(e) => return Err(RunError::Failed(e.to_string())),
                    }
                }
            }
            (None, _) => read_local_state(&s.local_dir)?,
        }
    };
    log::info!(
        "state: {} repositories, {} past runs",
        state.repos.len(),
        state.runs.len()
    );

    let gathered = {
        let _g = Group::start(&format!("Gather {} repositories", inv.len()));
        gather(gh.clone(), &inv, &state, started_at)
            .await
            .map_err(|e| match e {
                GhError::Unauthorized(m) => RunError::Credentials(m),
                e => RunError::Failed(format!("gathering failed: {e}")),
            })?
    };
    if let Some(why) = fleet_unreadable(inv.len(), &gathered) {
        return Err(RunError::Failed(why));
    }
    for w in &gathered.warnings {
        log::warn!("{w}");
    }
    if gathered.compares_avoided > 0 {
        log::info!(
            "{} fork{} found plainly behind by the batched ancestry query (no compare needed)",
            gathered.compares_avoided,
            if gathered.compares_avoided == 1 {
                ""
            } else {
                "s"
            }
        );
    }
    if gathered.compares_reused > 0 {
        log::info!(
            "{} compare{} reused from the state (neither head moved)",
            gathered.compares_reused,
            if gathered.compares_reused == 1 {
                ""
            } else {
                "s"
            }
        );
    }

    let mut plan = build_plan(
        &inv,
        &gathered.facts,
        &gathered.live,
        selection.choice.clone(),
        &force,
    );
    plan.warnings
        .splice(0..0, selection.warnings.iter().cloned());
    plan.warnings.extend(gathered.warnings.iter().cloned());
    {
        let _g = Group::start("Plan");
        for line in plan.to_table().lines() {
            log::info!("{line}");
        }
    }

    let ctx = Arc::new(ApplyContext::new(
        gh.clone(),
        inv.clone(),
        &gathered,
        s.dry_run,
    ));
    let outcomes = if merging {
        // Report mode writes nothing to the fleet (the jobs did): this is the fleet-wide view.
        crate::apply::unplanned_outcomes(
            plan.in_order().map(|(_, p)| p).chain(plan.unplanned.iter()),
            "not handled by this run's jobs",
        )
    } else {
        let _g = Group::start(if s.dry_run {
            "Dry run (nothing is written)"
        } else {
            "Sync"
        });
        apply(ctx.clone(), &plan).await
    };
    let stats = gh.stats();
    if stats.retries > 0 {
        log::info!(
            "{} request{} retried (server errors, dropped connections, timeouts or rate limits)",
            stats.retries,
            if stats.retries == 1 { " was" } else { "s were" }
        );
    }
    let mut warnings = plan.warnings.clone();
    if let Some(why) = ctx.stop_reason() {
        warnings.push(format!("stopped starting new work: {why}"));
    }
    let report = RunReport {
        started_at,
        finished_at: clock.now(),
        mode: selection.choice.clone(),
        dry_run: s.dry_run,
        repository: s.repository.as_ref().map(|r| r.to_string()),
        server_url: s.server_url.clone(),
        repos: outcomes,
        warnings,
        requests: BTreeMap::from([
            ("graphql".to_string(), stats.graphql),
            ("compare".to_string(), stats.compare),
            ("writes".to_string(), stats.writes),
            ("other".to_string(), stats.other),
        ]),
        rate_limit_remaining: stats.rate_limit_remaining,
    };
    if ctx.credentials_failed() {
        return Err(RunError::Credentials(ctx.stop_reason().unwrap_or_default()));
    }

    let mut open_prs: BTreeMap<String, u32> = gathered
        .facts
        .iter()
        .map(|(r, f)| (r.key(), f.open_prs))
        .collect();
    let report = match &s.merge {
        Some(results) => {
            let (mut merged, notes) = merge_results(report, results);
            for n in &notes {
                log::warn!("{n}");
            }
            if let Some(first) = results.first() {
                merged.mode = first.report.mode.clone();
            }
            for r in results {
                open_prs.extend(r.open_prs.iter().map(|(k, v)| (k.clone(), *v)));
            }
            merged
        }
        None => report,
    };
    if let (Some(dir), false) = (&s.results_dir, merging) {
        let id = match &s.shard {
            Some(shard) => shard.result_id(),
            None => result_id(report.mode.mode.as_str(), &force),
        };
        let result = RunResult {
            schema_version: RESULT_SCHEMA_VERSION,
            id: id.clone(),
            shard: s.shard,
            report: report.clone(),
            open_prs: open_prs.clone(),
        };
        let text = serde_json::to_string_pretty(&result).expect("result serializes") + "\n";
        write_local(dir, &[(format!("{id}.json"), text)])
            .map_err(|e| RunError::Failed(format!("cannot write the run's result file: {e}")))?;
        log::info!("result file: {}", dir.join(format!("{id}.json")).display());
    }
    let mut run_state = state.after_run(&report, &open_prs);
    if !report.dry_run {
        run_state.remember_compares(&gathered.compared);
    }
    let now = report.finished_at;
    let options = ReportOptions {
        artifacts_dir: inv.artifacts.dir.clone(),
        badge_link: target
            .as_ref()
            .map(|t| dashboard_url(&s.server_url, &t.repo.to_string(), &t.branch, &t.dir)),
        ..ReportOptions::default()
    };
    let render = |st: &SyncState| crate::artifacts::render(&report, st, now, &options);

    let mut published = None;
    let mut publish_error = None;
    let mut final_state = run_state.clone();
    let target = match target {
        Some(t) if ctx.read_only() => {
            log::warn!(
                "the token cannot write, so the audit artifacts were not committed to {}; they are in {}",
                t.repo,
                s.local_dir.display()
            );
            None
        }
        t => t,
    };
    if let Some(t) = &target {
        let _g = Group::start(&format!(
            "Commit audit artifacts to {}@{}",
            t.repo, t.branch
        ));
        let message = format!(
            "priority-sync: {} run — {} synced, {} PRs, {} failed ({}% in sync)",
            report.mode.mode,
            report.count(crate::outcome::Status::Synced),
            report.count(crate::outcome::Status::PrOpen),
            report.count(crate::outcome::Status::Failed),
            report.sync_percentage()
        );
        match publish(audit.as_ref(), t, &run_state, &message, &render).await {
            Ok(p) => {
                log::info!(
                    "committed {} ({} attempt{})",
                    p.commit,
                    p.attempts,
                    if p.attempts == 1 { "" } else { "s" }
                );
                final_state = p.state.clone();
                published = Some(p);
            }
            Err(e) => {
                log::error!("the audit artifacts were not committed: {e}");
                publish_error = Some(e.to_string());
            }
        }
    }
    let (mut files, summary) = match &published {
        Some(p) => (p.files.clone(), p.summary.clone()),
        None => {
            let r = render(&final_state).map_err(RunError::Failed)?;
            let mut f = r.files;
            f.push((STATE_FILE.to_string(), final_state.to_json()));
            (f, r.summary)
        }
    };
    files.sort();
    if let Err(e) = write_local(&s.local_dir, &files) {
        log::warn!("{e}");
    }

    // A job that leaves its result to a report job (a shard, a fan-out job) does not alert:
    // the report job alerts once for the whole run.
    let leaves_result = s.results_dir.is_some() && !merging;
    if !s.dry_run && !leaves_result {
        if let (Some(n), Some(text)) = (notifier, alert_text(&report)) {
            if let Err(e) = n.send(&text).await {
                log::warn!("failure alert not sent: {e}");
            }
        }
    }
    Ok(RunOutput {
        plan,
        report,
        state: final_state,
        files,
        summary,
        published,
        publish_error,
    })
}

fn read_local_state(dir: &std::path::Path) -> Result<SyncState, RunError> {
    let path = dir.join(STATE_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => SyncState::from_json(&text).map_err(|e| {
            RunError::Usage(format!(
                "{} is not a priority-sync state file ({e}); fix or delete it",
                path.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(SyncState::empty()),
        Err(e) => Err(RunError::Failed(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}

fn write_local(dir: &std::path::Path, files: &[(String, String)]) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for (name, content) in files {
        let path = dir.join(name);
        std::fs::write(&path, content)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// `{"include": [{"repo": …, "position": 1}, …]}`: one matrix job per Top 12 repository.
pub fn top_matrix<'a>(top: impl Iterator<Item = &'a RepoName>) -> serde_json::Value {
    serde_json::json!({
        "include": top
            .enumerate()
            .map(|(i, r)| serde_json::json!({ "repo": r.to_string(), "position": i + 1 }))
            .collect::<Vec<_>>()
    })
}

/// The names of the step outputs of SPEC §6, in the order `step_outputs` writes them. The one
/// list `action.yml`'s `outputs` must agree with (tests/action_metadata.rs checks both ways).
pub const OUTPUT_NAMES: &[&str; 11] = &[
    "mode",
    "synced",
    "pr_open",
    "up_to_date",
    "failed",
    "skipped",
    "inaccessible",
    "pending",
    "sync_percentage",
    "report",
    "matrix",
];

/// The step outputs of SPEC §6: `OUTPUT_NAMES` paired with their values.
pub fn step_outputs(out: &RunOutput, report_path: &str) -> Vec<(&'static str, String)> {
    use crate::outcome::Status::*;
    let r = &out.report;
    let matrix = top_matrix(
        out.plan
            .phases
            .iter()
            .filter(|p| p.name == crate::plan::PhaseName::Top)
            .flat_map(|p| p.repos.iter().map(|r| &r.repo)),
    );
    // One value per name, in `OUTPUT_NAMES` order (the array length is checked by the compiler).
    let values: [String; 11] = [
        r.mode.mode.to_string(),
        r.count(Synced).to_string(),
        r.count(PrOpen).to_string(),
        r.count(UpToDate).to_string(),
        r.count(Failed).to_string(),
        r.count(Skipped).to_string(),
        r.count(Inaccessible).to_string(),
        r.count(Pending).to_string(),
        format!("{:.1}", r.sync_percentage()),
        report_path.to_string(),
        matrix.to_string(),
    ];
    OUTPUT_NAMES.iter().copied().zip(values).collect()
}

/// When not one repository of a non-empty fleet could be read (and not for lack of budget),
/// the run cannot have done anything useful: a wrong `GITHUB_API_URL`/`GITHUB_GRAPHQL_URL`, a
/// network outage or a GitHub incident. Reporting the whole fleet as `failed` and exiting 0
/// would hide that; this says why the run could not complete.
fn fleet_unreadable(fleet: usize, gathered: &Gathered) -> Option<String> {
    if fleet == 0 || gathered.errors.len() < fleet || !gathered.deferred.is_empty() {
        return None;
    }
    let (repo, why) = gathered.errors.iter().next()?;
    Some(format!(
        "not one of the {fleet} repositories could be read (the first, {repo}: {why}); check \
         GITHUB_API_URL and GITHUB_GRAPHQL_URL (Enterprise Server: https://HOST/api/v3 and \
         https://HOST/api/graphql) and the runner's network; nothing was written"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> RepoName {
        s.parse().unwrap()
    }

    #[test]
    fn a_fleet_none_of_which_could_be_read_cannot_complete() {
        let mut g = Gathered::default();
        g.errors.insert(
            name("o/a"),
            "metadata: GitHub answered 404: Not Found".into(),
        );
        g.errors.insert(
            name("o/b"),
            "metadata: GitHub answered 404: Not Found".into(),
        );
        let why = fleet_unreadable(2, &g).expect("the run cannot complete");
        assert!(
            why.contains("not one of the 2 repositories could be read"),
            "{why}"
        );
        assert!(why.contains("o/a: metadata: GitHub answered 404"), "{why}");
        assert!(why.contains("GITHUB_GRAPHQL_URL"), "{why}");
    }

    #[test]
    fn one_readable_repository_or_a_rate_limit_lets_the_run_complete() {
        let mut g = Gathered::default();
        g.errors.insert(name("o/a"), "network: reset".into());
        // One of two unread: per-repository failures are reported, the run completes.
        assert_eq!(fleet_unreadable(2, &g), None);
        // All unread, but one of them for lack of budget: those wait for the next run.
        g.errors.insert(name("o/b"), "network: reset".into());
        assert!(fleet_unreadable(2, &g).is_some());
        g.deferred.insert(name("o/c"), "rate limited".into());
        assert_eq!(fleet_unreadable(3, &g), None);
        // An empty fleet is not a failure.
        assert_eq!(fleet_unreadable(0, &Gathered::default()), None);
    }
}
