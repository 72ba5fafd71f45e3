//! The end of the run: the report (this run's outcomes, or the fan-out jobs' merged over the
//! fleet-wide view, and the result file a job leaves for the report job), the state it leads
//! to, the publication (audit commit and local files) and the failure alert.

use std::collections::BTreeMap;
use std::path::Path;

use super::local::write_files as write_local;
use super::setup::Prepared;
use super::stages::Applied;
use super::{RunError, RunSettings};
use crate::action_io::log::Group;
use crate::artifacts::dashboard_url;
use crate::decision::Status;
use crate::gather::Gathered;
use crate::github::GitHub;
use crate::notify::{alert_payload, Notifier};
use crate::outcome::RunReport;
use crate::plan::Plan;
use crate::publish::{PublishTarget, Published, STATE_FILE};
use crate::report::ReportOptions;
use crate::shard::{merge_results, result_id, RunResult, RESULT_SCHEMA_VERSION};
use crate::state::SyncState;

/// The run's report and the open pull request counts the state keeps (`owner/name` → count).
pub(super) struct Reported {
    pub report: RunReport,
    pub open_prs: BTreeMap<String, u32>,
    /// The token could not write: the audit artifacts are not committed either.
    pub read_only: bool,
}

/// The report of the run: this run's outcomes, or in report mode the fan-out jobs' results
/// merged over the fleet-wide view; then the result file a fan-out job leaves.
pub(super) fn build_report(
    s: &RunSettings,
    run: &Prepared,
    plan: &Plan,
    gathered: &Gathered,
    applied: Applied,
) -> Result<Reported, RunError> {
    let mut warnings = plan.warnings.clone();
    if let Some(why) = &applied.stop_reason {
        warnings.push(format!("stopped starting new work: {why}"));
    }
    let stats = applied.stats;
    let report = RunReport {
        started_at: run.started_at,
        finished_at: applied.finished_at,
        mode: run.selection.choice.clone(),
        dry_run: s.dry_run,
        repository: s.repository.as_ref().map(|r| r.to_string()),
        server_url: s.server_url.clone(),
        repos: applied.outcomes,
        warnings,
        requests: BTreeMap::from([
            ("graphql".to_string(), stats.graphql),
            ("compare".to_string(), stats.compare),
            ("writes".to_string(), stats.writes),
            ("other".to_string(), stats.other),
        ]),
        rate_limit_remaining: stats.rate_limit_remaining,
    };
    if applied.credentials_failed {
        return Err(RunError::Credentials(
            applied.stop_reason.unwrap_or_default(),
        ));
    }
    let open_prs: BTreeMap<String, u32> = gathered
        .facts
        .iter()
        .map(|(r, f)| (r.key(), f.open_prs))
        .collect();
    let reported = Reported {
        report,
        open_prs,
        read_only: applied.read_only,
    };
    match &s.merge {
        Some(results) => Ok(merge(reported, results)),
        None => {
            if let Some(dir) = &s.results_dir {
                write_result_file(dir, s, run, &reported)?;
            }
            Ok(reported)
        }
    }
}

/// Report mode: the fan-out jobs' results over this run's fleet-wide view, in the jobs' mode.
fn merge(mut reported: Reported, results: &[RunResult]) -> Reported {
    let (mut merged, notes) = merge_results(reported.report, results);
    for n in &notes {
        log::warn!("{n}");
    }
    if let Some(first) = results.first() {
        merged.mode = first.report.mode.clone();
    }
    for r in results {
        reported
            .open_prs
            .extend(r.open_prs.iter().map(|(k, v)| (k.clone(), *v)));
    }
    reported.report = merged;
    reported
}

/// The result file a fan-out job (a shard, or a run that leaves the commit to a report job)
/// leaves for the report job: `<id>.json` in `dir`.
fn write_result_file(
    dir: &Path,
    s: &RunSettings,
    run: &Prepared,
    reported: &Reported,
) -> Result<(), RunError> {
    let id = match &s.shard {
        Some(shard) => shard.result_id(),
        None => result_id(reported.report.mode.mode.as_str(), &run.force),
    };
    let result = RunResult {
        schema_version: RESULT_SCHEMA_VERSION,
        id: id.clone(),
        shard: s.shard,
        report: reported.report.clone(),
        open_prs: reported.open_prs.clone(),
    };
    let text = serde_json::to_string_pretty(&result).expect("result serializes") + "\n";
    write_local(dir, &[(format!("{id}.json"), text)], s.workspace.as_deref())
        .map_err(|e| RunError::Failed(format!("cannot write the run's result file: {e}")))?;
    log::info!("result file: {}", dir.join(format!("{id}.json")).display());
    Ok(())
}

/// The state this run leads to: the last one with this run's outcomes and, unless it was a
/// dry run, the compares it used.
pub(super) fn state_after(state: &SyncState, r: &Reported, gathered: &Gathered) -> SyncState {
    let mut next = state.after_run(&r.report, &r.open_prs);
    if !r.report.dry_run {
        next.remember_compares(&gathered.compared);
    }
    next
}

/// What the publication left: the state as committed (or this run's, when nothing was), the
/// artifact files, the job summary, and the commit or why it failed.
pub(super) struct Publication {
    pub state: SyncState,
    pub files: Vec<(String, String)>,
    pub summary: String,
    pub published: Option<Published>,
    /// The run completed but the audit commit failed.
    pub error: Option<String>,
}

/// Commits the audit artifacts (when the run has a target and the token may write), then
/// writes them to the local directory.
pub(super) async fn publish(
    audit: &dyn GitHub,
    s: &RunSettings,
    run: &Prepared,
    r: &Reported,
    state: SyncState,
) -> Result<Publication, RunError> {
    let report = &r.report;
    let options = ReportOptions {
        artifacts_dir: run.inv.artifacts.dir.clone(),
        badge_link: run
            .target
            .as_ref()
            .map(|t| dashboard_url(&s.server_url, &t.repo.to_string(), &t.branch, &t.dir)),
        ..ReportOptions::default()
    };
    let now = report.finished_at;
    let render = |st: &SyncState| crate::artifacts::render(report, st, now, &options);
    let target = match &run.target {
        Some(t) if r.read_only => {
            log::warn!(
                "the token cannot write, so the audit artifacts were not committed to {}; they are in {}",
                t.repo,
                s.local_dir.display()
            );
            None
        }
        t => t.as_ref(),
    };
    let mut out = Publication {
        state: state.clone(),
        files: Vec::new(),
        summary: String::new(),
        published: None,
        error: None,
    };
    if let Some(t) = target {
        match commit(audit, t, report, &state, &render).await {
            Ok(p) => {
                out.state = p.state.clone();
                out.published = Some(p);
            }
            Err(e) => out.error = Some(e),
        }
    }
    let (mut files, summary) = match &out.published {
        Some(p) => (p.files.clone(), p.summary.clone()),
        None => {
            let r = render(&out.state).map_err(RunError::Failed)?;
            let mut f = r.files;
            f.push((STATE_FILE.to_string(), out.state.to_json()));
            (f, r.summary)
        }
    };
    files.sort();
    if let Err(e) = write_local(&s.local_dir, &files, s.workspace.as_deref()) {
        log::warn!("{e}");
    }
    out.files = files;
    out.summary = summary;
    Ok(out)
}

/// The audit commit: one per run, retried by `publish` when the branch moved meanwhile.
async fn commit(
    audit: &dyn GitHub,
    t: &PublishTarget,
    report: &RunReport,
    state: &SyncState,
    render: &(dyn Fn(&SyncState) -> Result<crate::artifacts::RunFiles, String> + Send + Sync),
) -> Result<Published, String> {
    let _g = Group::start(&format!(
        "Commit audit artifacts to {}@{}",
        t.repo, t.branch
    ));
    let message = audit_message(report);
    match crate::publish::publish(audit, t, state, &message, render).await {
        Ok(p) => {
            log::info!(
                "committed {} ({} attempt{})",
                p.commit,
                p.attempts,
                if p.attempts == 1 { "" } else { "s" }
            );
            Ok(p)
        }
        Err(e) => {
            log::error!("the audit artifacts were not committed: {e}");
            Err(e.to_string())
        }
    }
}

/// Sends the failure alert, if there is one to send. A dry run does not alert, nor does a job
/// that leaves its result to a report job (a shard, a fan-out job): the report job alerts once
/// for the whole run.
pub(super) async fn alert(notifier: Option<&dyn Notifier>, s: &RunSettings, report: &RunReport) {
    let leaves_result = s.results_dir.is_some() && s.merge.is_none();
    if s.dry_run || leaves_result {
        return;
    }
    let format = s.inventory.notify.format;
    if let (Some(n), Some(payload)) = (notifier, alert_payload(report, format)) {
        if let Err(e) = n.send(&payload).await {
            log::warn!("failure alert not sent: {e}");
        }
    }
}

/// The audit commit's message: the mode and the counts, with the same labels as the summary
/// (a failure and an inaccessible repository are counted apart).
fn audit_message(report: &RunReport) -> String {
    let n = |s: Status| report.count(s) as u64;
    format!(
        "priority-sync: {} run — {} synced, {}, {} failed, {} inaccessible ({}% in sync)",
        report.mode.mode,
        n(Status::Synced),
        crate::plural::count(n(Status::PrOpen), "sync PR", "sync PRs"),
        n(Status::Failed),
        n(Status::Inaccessible),
        report.sync_percentage()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report with one repository per status given.
    fn report(statuses: &[&str]) -> RunReport {
        let repos: Vec<serde_json::Value> = statuses
            .iter()
            .enumerate()
            .map(|(i, status)| {
                serde_json::json!({
                    "repo": format!("o/r{i}"), "phase": null, "rank": null, "score": 0,
                    "tier": 0, "reasons": [], "action": "none", "status": status,
                    "detail": "", "commits_behind": 0, "commits_ahead": 0,
                    "security_alerts": 0, "pull_request": null, "error": null
                })
            })
            .collect();
        serde_json::from_value(serde_json::json!({
            "started_at": "2026-01-01T00:00:00Z", "finished_at": "2026-01-01T00:05:00Z",
            "mode": {"mode": "all", "source": "input"}, "dry_run": false,
            "repository": null, "server_url": "https://github.com", "repos": repos,
            "warnings": [], "requests": {}, "rate_limit_remaining": null
        }))
        .expect("a report")
    }

    #[test]
    fn the_audit_message_counts_failures_and_inaccessible_repositories_apart() {
        let r = report(&[
            "synced",
            "pr_open",
            "inaccessible",
            "inaccessible",
            "up_to_date",
        ]);
        assert_eq!(
            audit_message(&r),
            "priority-sync: all run — 1 synced, 1 sync PR, 0 failed, 2 inaccessible (40% in sync)"
        );
        let r = report(&["pr_open", "pr_open", "failed"]);
        assert!(
            audit_message(&r).contains("— 0 synced, 2 sync PRs, 1 failed, 0 inaccessible"),
            "{}",
            audit_message(&r)
        );
    }
}
