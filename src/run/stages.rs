//! The middle of the run: gather the fleet's facts, plan from them (a value that can be
//! printed), and apply the plan — or, in report mode, take the fleet-wide view without writing.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::budget::TimeBudget;
use super::setup::Prepared;
use super::{RunError, RunSettings};
use crate::action_io::log::Group;
use crate::apply::{apply, sync_tags, unplanned_outcomes, ApplyContext};
use crate::clock::Clock;
use crate::gather::{gather, renamed_to, Gathered};
use crate::github::{GhError, GitHub, RequestStats};
use crate::outcome::RepoOutcome;
use crate::plan::{build_plan, Plan};
use crate::repo_name::RepoName;
use crate::state::SyncState;

/// Reads the fleet. Fails the run only when nothing useful can follow: the credentials were
/// rejected, or not one repository could be read.
pub(super) async fn gather_fleet(
    gh: Arc<dyn GitHub>,
    run: &Prepared,
    state: &SyncState,
) -> Result<Gathered, RunError> {
    let gathered = {
        let _g = Group::start(&format!("Gather {} repositories", run.inv.len()));
        gather(gh, &run.inv, state, run.started_at)
            .await
            .map_err(|e| match e {
                GhError::Unauthorized(m) => RunError::Credentials(m),
                e => RunError::Failed(format!("gathering failed: {e}")),
            })?
    };
    if let Some(why) = fleet_unreadable(run.inv.len(), &gathered) {
        return Err(RunError::Failed(why));
    }
    for w in &gathered.warnings {
        log::warn!("{w}");
    }
    if gathered.compares_avoided > 0 {
        log::info!(
            "{} fork{} found plainly behind by the batched ancestry query (no compare needed)",
            gathered.compares_avoided,
            plural(gathered.compares_avoided as u64, "", "s")
        );
    }
    if gathered.compares_reused > 0 {
        log::info!(
            "{} compare{} reused from the state (neither head moved)",
            gathered.compares_reused,
            plural(gathered.compares_reused as u64, "", "s")
        );
    }
    Ok(gathered)
}

fn plural(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
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

/// The plan from the gathered facts, with the run's warnings (mode selection first, then the
/// plan's own, then gather's), printed to the log.
pub(super) fn plan(run: &Prepared, gathered: &Gathered) -> Plan {
    let mut plan = build_plan(
        &run.inv,
        &gathered.facts,
        &gathered.live,
        run.selection.choice.clone(),
        &run.force,
    );
    plan.expand_branches(&run.inv.rules, &gathered.branch_facts());
    plan.warnings
        .splice(0..0, run.selection.warnings.iter().cloned());
    plan.warnings.extend(gathered.warnings.iter().cloned());
    let _g = Group::start("Plan");
    for line in plan.to_table().lines() {
        log::info!("{line}");
    }
    plan
}

/// What apply left: every repository's outcome and how the writing went.
pub(super) struct Applied {
    pub outcomes: Vec<RepoOutcome>,
    /// The requests the run made, gather's included.
    pub stats: RequestStats,
    pub finished_at: DateTime<Utc>,
    /// Why new work stopped, if it did.
    pub stop_reason: Option<String>,
    /// The credentials were rejected while writing: the run fails.
    pub credentials_failed: bool,
    /// The token turned out not to be allowed to write: the run only reported.
    pub read_only: bool,
}

/// Applies the plan (a dry run writes nothing); in report mode, the fleet-wide view of a run
/// whose jobs did the writing.
pub(super) async fn apply_plan(
    gh: Arc<dyn GitHub>,
    s: &RunSettings,
    run: &Prepared,
    gathered: &Gathered,
    plan: &Plan,
    clock: &dyn Clock,
    budget: &TimeBudget,
) -> Applied {
    let mut ctx = ApplyContext::new(gh.clone(), run.inv.clone(), gathered, s.dry_run);
    ctx.propagation_wait = s.propagation_wait;
    let ctx = Arc::new(ctx);
    // Once the time budget is spent, no new repository is started (they stay `pending`).
    let _budget = budget.when_spent({
        let ctx = ctx.clone();
        move |why| ctx.stop_new_work(why)
    });
    let mut outcomes = if run.merging {
        // Report mode writes nothing to the fleet (the jobs did): this is the fleet-wide view.
        unplanned_outcomes(
            plan.in_order().map(|(_, p)| p).chain(plan.unplanned.iter()),
            "not handled by this run's jobs",
        )
    } else {
        let _g = Group::start(if s.dry_run {
            "Dry run (nothing is written)"
        } else {
            "Sync"
        });
        let mut outcomes = apply(ctx.clone(), plan).await;
        sync_tags(&ctx, &mut outcomes).await;
        outcomes
    };
    note_renamed(&mut outcomes, &gathered.renamed);
    let stats = gh.stats();
    if stats.retries > 0 {
        log::info!(
            "{} request{} retried (server errors, dropped connections, timeouts or rate limits)",
            stats.retries,
            plural(stats.retries, " was", "s were")
        );
    }
    Applied {
        outcomes,
        stats,
        finished_at: clock.now(),
        stop_reason: ctx.stop_reason(),
        credentials_failed: ctx.credentials_failed(),
        read_only: ctx.read_only(),
    }
}

/// A renamed repository's outcome says so, whatever else happened to it: "renamed to X:
/// update the inventory".
fn note_renamed(outcomes: &mut [RepoOutcome], renamed: &BTreeMap<RepoName, RepoName>) {
    for o in outcomes {
        if let Some(new) = renamed.get(&o.repo) {
            let note = format!("{}: update the inventory", renamed_to(new));
            o.detail = if o.detail.is_empty() {
                note
            } else {
                format!("{}; {note}", o.detail)
            };
        }
    }
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
    fn a_renamed_repository_s_outcome_says_so() {
        let outcome = |repo: &str| RepoOutcome {
            repo: name(repo),
            branch: None,
            phase: None,
            rank: None,
            score: 0,
            tier: 0,
            reasons: Vec::new(),
            action: crate::decision::Action::None,
            status: crate::decision::Status::UpToDate,
            detail: String::new(),
            commits_behind: 0,
            commits_ahead: 0,
            security_alerts: 0,
            pull_request: None,
            error: None,
            tags: None,
        };
        let mut outcomes = vec![outcome("me/old"), outcome("me/kept")];
        outcomes[0].detail = "fast-forwarded 3 commits".into();
        let renamed = BTreeMap::from([(name("me/old"), name("me/new"))]);
        note_renamed(&mut outcomes, &renamed);
        assert_eq!(
            outcomes[0].detail,
            "fast-forwarded 3 commits; renamed to me/new: update the inventory"
        );
        assert_eq!(outcomes[1].detail, "");
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
