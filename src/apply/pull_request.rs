//! The sync pull request: opened, or the open one brought up to date; at most one per
//! repository, and never anyone else's.
//!
//! The sync PR comes from `priority-sync/<branch>`, or straight from the upstream branch when
//! the token cannot write the update's workflow changes to the sync branch, or when GitHub has
//! not made the new upstream commits available in the fork (its ref writes answer 404 until
//! then: see `ref_write`), so no repository waits or fails for that. Only a PR carrying
//! [`PR_MARKER`] is this tool's. Its open PR on either head is kept and brought up to date, and
//! at most one stays open: one that can no longer be kept current is closed once its
//! replacement is open. A PR without the marker is never moved, edited or closed; when it sits
//! on our sync branch the repository is `skipped`, saying so.

use super::hands_off;
use super::pr_text::{missing_labels, pr_body, pr_title, recorded_head, wanted_labels, PR_MARKER};
use super::pull_lag::{self, CreateRefusal, Listed};
use super::ref_write::{write_ref, Written};
use super::rewrite::{self, AfterRefusal};
use super::ApplyContext;
use crate::decision::{Action, Status};
use crate::gather::Target;
use crate::github::{GhError, NewPull, PullInfo};
use crate::ids::Oid;
use crate::outcome::{PullRef, RepoOutcome};
use crate::plan::PlannedRepo;
use crate::repo_name::RepoName;

/// The two heads a sync PR can come from.
struct Heads {
    /// `<prefix><branch>` in the fork.
    sync_branch: String,
    /// `owner:<sync_branch>`.
    sync: String,
    /// `upstream-owner:<upstream branch>`.
    upstream: String,
}

/// Which of our open PRs to keep, whether the PR comes from the upstream branch, and which of
/// ours to close (with why) once the kept or new one is current.
struct Route {
    keep: Option<PullInfo>,
    via_upstream: bool,
    stale: Option<(PullInfo, &'static str)>,
    /// The body's paragraph on an upstream rewrite the sync branch was moved past (this run's,
    /// or carried from the kept PR).
    rewrite: Option<String>,
}

/// Why the sync PR cannot be brought up to date by this run.
enum Blocked {
    /// A pull request that is not ours is in the way (`skipped`).
    NotOurs(String),
    /// Upstream rewrote its history under a sync branch a person added to (`failed`): why,
    /// and the sync PR on that branch.
    NeedsPerson(String, Option<Box<PullInfo>>),
}

/// Opens the sync PR, or brings the open one up to date. `why` overrides the plan's reason.
pub(super) async fn pull_request(
    ctx: &ApplyContext,
    p: &PlannedRepo,
    t: &Target,
    mut o: RepoOutcome,
    why: Option<String>,
) -> Result<RepoOutcome, GhError> {
    let why = why.unwrap_or_else(|| p.why.clone());
    o.action = Action::PullRequest;
    let sync_branch = format!("{}{}", ctx.inv.pull_requests.branch_prefix, t.branch);
    let heads = Heads {
        sync: format!("{}:{}", p.repo.owner(), sync_branch),
        upstream: format!("{}:{}", t.upstream.owner(), t.upstream_branch),
        sync_branch,
    };

    // Nothing to do when last run's sync PR is already current: no request at all.
    // Nothing to do when last run's sync PR is already current but auto-merge, when wanted and
    // not on yet.
    if let Some(pr) = current_sync_pr(ctx, p, t, &why) {
        let mut o = already_current(o, pr, &why);
        let conflicted = o.pull_request.as_ref().is_some_and(|r| r.conflicted)
            || ctx.live.get(&p.unit()).is_some_and(|l| l.conflicted);
        if !conflicted {
            let mut notes = Vec::new();
            hands_off::auto_merge(ctx, p, pr, &mut notes).await;
            for n in notes {
                o.detail.push_str("; ");
                o.detail.push_str(&n);
            }
        }
        return Ok(o);
    }

    let mut notes = Vec::new();
    let route = match route(ctx, p, t, &heads, &mut notes).await? {
        Ok(route) => route,
        Err(Blocked::NotOurs(why)) => return Ok(skipped(o, why)),
        Err(Blocked::NeedsPerson(why, pr)) => return Ok(needs_person(o, why, pr)),
    };
    let head = if route.via_upstream {
        &heads.upstream
    } else {
        &heads.sync
    };
    let title = pr_title(t, p.facts.commits_behind);
    let body = rewrite::with_paragraph(
        pr_body(p, t, &why, route.via_upstream),
        route.rewrite.as_deref(),
    );
    let (pr, created) = match route.keep {
        Some(pr) => (pr, false),
        None => match open(ctx, p, t, head, &title, &body).await? {
            Opened::New(pr) => (pr, true),
            Opened::Adopted(pr) => (pr, false),
            Opened::NothingToMerge => {
                o.status = Status::UpToDate;
                o.detail = "nothing to merge: the branch already contains upstream".into();
                return Ok(o);
            }
            Opened::NotListedYet => return Ok(not_listed_yet(o, head, &t.branch)),
            Opened::Theirs(pr) => {
                return Ok(skipped(
                    o,
                    format!(
                        "an open pull request (#{}) from {head} was not opened by priority-sync; left alone",
                        pr.number
                    ),
                ))
            }
        },
    };
    if !created && (pr.title != title || pr.body != body) {
        ctx.gh
            .update_pull_body(&p.repo, pr.number, &title, &body)
            .await?;
    }

    // One sync PR per repository: ours that can no longer be kept current goes, now that its
    // replacement is open (closed without a comment; its branch is left as it is).
    if let Some((old, reason)) = route.stale.filter(|(old, _)| old.number != pr.number) {
        ctx.gh.close_pull(&p.repo, old.number).await?;
        notes.push(format!("closed #{} ({reason})", old.number));
    }
    let (merge, newly_conflicted) = label(ctx, p, &pr, created).await?;
    let conflicted = merge == Mergeable::Conflicts;
    let prs = &ctx.inv.pull_requests;
    if hands_off::ask_people(prs.reviewers_on, created, newly_conflicted) {
        hands_off::ask(ctx, p, pr.number, &mut notes).await;
    }
    if merge == Mergeable::Clean {
        hands_off::auto_merge(ctx, p, &pr, &mut notes).await;
    }

    o.status = Status::PrOpen;
    o.pull_request = Some(PullRef {
        number: pr.number,
        url: pr.url.clone(),
        title,
        created,
        conflicted,
    });
    let verb = if created { "opened" } else { "updated" };
    let mut detail = format!("sync PR {verb}: {why}");
    // A note that only repeats the reason (why the PR comes from the upstream branch) goes.
    notes.retain(|n| !why.contains(n.trim_start_matches("from the upstream branch: ")));
    match merge {
        Mergeable::Conflicts => detail.push_str("; conflicts with the branch"),
        Mergeable::NotComputed => detail.push_str(
            "; GitHub had not computed whether it merges cleanly yet (a conflict is labelled by a later run)",
        ),
        Mergeable::Clean => {}
    }
    for n in notes {
        detail.push_str("; ");
        detail.push_str(&n);
    }
    o.detail = detail;
    Ok(o)
}

/// The outcome when last run's sync PR needs nothing.
fn already_current(mut o: RepoOutcome, pr: &PullInfo, why: &str) -> RepoOutcome {
    o.status = Status::PrOpen;
    o.pull_request = Some(PullRef {
        number: pr.number,
        url: pr.url.clone(),
        title: pr.title.clone(),
        created: false,
        conflicted: pr.mergeable == Some(false),
    });
    o.detail = format!("sync PR up to date: {why}");
    if pr.mergeable == Some(false) {
        o.detail.push_str("; conflicts with the branch");
    }
    o
}

/// Upstream rewrote its history under a sync branch a person added to: `failed`, so that it
/// alerts, saying what the person must do.
fn needs_person(mut o: RepoOutcome, why: String, pr: Option<Box<PullInfo>>) -> RepoOutcome {
    log::warn!("{}: {why}", o.repo);
    o.status = Status::Failed;
    o.detail = match &pr {
        Some(pr) => format!(
            "sync PR #{} needs a person: upstream rewrote its history",
            pr.number
        ),
        None => "the sync branch needs a person: upstream rewrote its history".into(),
    };
    o.pull_request = pr.map(|pr| PullRef {
        number: pr.number,
        url: pr.url,
        title: pr.title,
        created: false,
        conflicted: false,
    });
    o.error = Some(why);
    o
}

/// GitHub refused a second sync PR for `head` but its lists do not show the first yet: the
/// next run adopts it (`pending`, never a second PR).
fn not_listed_yet(mut o: RepoOutcome, head: &str, base: &str) -> RepoOutcome {
    o.status = Status::Pending;
    o.detail = format!(
        "GitHub says a pull request from {head} into {base} already exists but does not list it yet; the next run adopts it"
    );
    o
}

/// Someone else's PR is in the way: the repository is `skipped`, saying why.
fn skipped(mut o: RepoOutcome, why: String) -> RepoOutcome {
    o.status = Status::Skipped;
    o.error = Some(why.clone());
    o.detail = why;
    o
}

/// Looks up the open PRs on both heads (GitHub allows one per head and base; both looked up
/// together), moves the sync branch when it is to be used, and decides the route. `Err` with
/// the reason when a PR that is not ours is in the way.
async fn route(
    ctx: &ApplyContext,
    p: &PlannedRepo,
    t: &Target,
    heads: &Heads,
    notes: &mut Vec<String>,
) -> Result<Result<Route, Blocked>, GhError> {
    let (on_sync, on_up) = tokio::try_join!(
        ctx.gh.open_pulls(&p.repo, &heads.sync, &t.branch),
        ctx.gh.open_pulls(&p.repo, &heads.upstream, &t.branch),
    )?;
    let (ours_sync, theirs_sync) = split_ours(on_sync);
    let (ours_up, theirs_up) = split_ours(on_up);
    // A list can miss a PR opened moments ago (GitHub's reads lag its writes); last run's,
    // read by number in the metadata batch, is found all the same.
    let remembered = |head_repo: &RepoName, head_ref: &str| {
        pull_lag::remembered(&ctx.sync_pulls, &p.unit(), head_repo, head_ref, &t.branch)
    };
    let ours_sync = ours_sync.or_else(|| remembered(&p.repo, &heads.sync_branch));
    let ours_up = ours_up.or_else(|| remembered(&t.upstream, &t.upstream_branch));
    let route = match (ours_sync, ours_up) {
        (Some(on_sync), on_up) => {
            let recorded = recorded_head(&on_sync.body);
            let carried = rewrite::carried_paragraph(&on_sync.body).map(str::to_string);
            match move_sync_branch(ctx, p, t, &heads.sync_branch, recorded.as_ref()).await? {
                Moved::Refused(note) => {
                    notes.push(note);
                    Route {
                        keep: on_up,
                        via_upstream: true,
                        stale: Some((
                            on_sync,
                            "its branch cannot take the update's workflow changes with this token",
                        )),
                        rewrite: None,
                    }
                }
                Moved::NotReached(note) => {
                    notes.push(note);
                    Route {
                        keep: on_up,
                        via_upstream: true,
                        stale: Some((
                            on_sync,
                            "its branch cannot reach the new upstream commits yet",
                        )),
                        rewrite: None,
                    }
                }
                Moved::NeedsPerson(why) => {
                    return Ok(Err(Blocked::NeedsPerson(why, Some(Box::new(on_sync)))))
                }
                moved => {
                    let rewrite = moved_note(&moved, t, &heads.sync_branch, notes).or(carried);
                    Route {
                        keep: Some(on_sync),
                        via_upstream: false,
                        stale: on_up.map(|pr| (pr, "a second sync PR, from the upstream branch")),
                        rewrite,
                    }
                }
            }
        }
        // Ours from the upstream branch follows upstream by itself: kept as it is.
        (None, Some(on_up)) => Route {
            keep: Some(on_up),
            via_upstream: true,
            stale: None,
            rewrite: None,
        },
        (None, None) => {
            if let Some(pr) = theirs_sync {
                return Ok(Err(Blocked::NotOurs(format!(
                    "an open pull request (#{}) from {} was not opened by priority-sync; close it or rename its branch",
                    pr.number, heads.sync_branch
                ))));
            }
            let (via_upstream, rewrite) =
                match new_pr_from_upstream(ctx, p, t, &heads.sync_branch, notes).await? {
                    Ok(found) => found,
                    Err(blocked) => return Ok(Err(blocked)),
                };
            Route {
                keep: None,
                via_upstream,
                stale: None,
                rewrite,
            }
        }
    };
    if route.keep.is_none() && route.via_upstream {
        if let Some(pr) = theirs_up {
            return Ok(Err(Blocked::NotOurs(format!(
                "an open pull request (#{}) from {} was not opened by priority-sync; left alone",
                pr.number, heads.upstream
            ))));
        }
    }
    Ok(Ok(route))
}

/// The note on how the sync branch moved (diverged: left as is; reset past an upstream
/// rewrite), and for a reset the paragraph the PR body carries from now on.
fn moved_note(
    moved: &Moved,
    t: &Target,
    sync_branch: &str,
    notes: &mut Vec<String>,
) -> Option<String> {
    match moved {
        Moved::Diverged => {
            notes.push(diverged_note(sync_branch));
            None
        }
        Moved::Reset { from } => {
            notes.push(format!(
                "upstream rewrote its history: {sync_branch} held only what priority-sync put there and was moved from {} to {}",
                from.short(),
                t.upstream_head.short()
            ));
            Some(rewrite::rewrite_paragraph(from, &t.upstream_head))
        }
        _ => None,
    }
}

/// For a new PR: whether it comes from the upstream branch (the token cannot write the
/// update's workflow changes to the sync branch), after moving the sync branch otherwise, and
/// the body's paragraph when the branch was moved past an upstream rewrite. What priority-sync
/// last set the branch to is recorded in its last sync PR's body (read in the metadata batch).
async fn new_pr_from_upstream(
    ctx: &ApplyContext,
    p: &PlannedRepo,
    t: &Target,
    sync_branch: &str,
    notes: &mut Vec<String>,
) -> Result<Result<(bool, Option<String>), Blocked>, GhError> {
    if ctx.workflows_refused() && ctx.touches_workflows(&p.unit()) {
        return Ok(Ok((true, None)));
    }
    let recorded = ctx
        .sync_pulls
        .get(&p.unit())
        .filter(|pr| pr.body.contains(PR_MARKER))
        .and_then(|pr| recorded_head(&pr.body));
    Ok(Ok(
        match move_sync_branch(ctx, p, t, sync_branch, recorded.as_ref()).await? {
            Moved::Refused(note) | Moved::NotReached(note) => {
                notes.push(note);
                (true, None)
            }
            Moved::NeedsPerson(why) => return Ok(Err(Blocked::NeedsPerson(why, None))),
            moved => (false, moved_note(&moved, t, sync_branch, notes)),
        },
    ))
}

/// What came of opening the sync PR.
enum Opened {
    /// Opened now.
    New(PullInfo),
    /// GitHub said ours already exists (a retried create that had succeeded, or one a lagging
    /// list missed): adopted.
    Adopted(PullInfo),
    /// GitHub says there is nothing to merge.
    NothingToMerge,
    /// GitHub says one exists, but its lists still do not show it.
    NotListedYet,
    /// GitHub says one exists, and it is someone else's.
    Theirs(PullInfo),
}

/// Opens the PR from `head` (reviewers are asked after its labels, when wanted). When GitHub answers that one already
/// exists, waits for the lists to show it ([`pull_lag::listed_after_refusal`]) and adopts it.
async fn open(
    ctx: &ApplyContext,
    p: &PlannedRepo,
    t: &Target,
    head: &str,
    title: &str,
    body: &str,
) -> Result<Opened, GhError> {
    let prs = &ctx.inv.pull_requests;
    let new = NewPull {
        title: title.to_string(),
        head: head.to_string(),
        base: t.branch.to_string(),
        body: body.to_string(),
        draft: prs.draft,
    };
    match ctx.gh.create_pull(&p.repo, &new).await {
        Ok(pr) => Ok(Opened::New(pr)),
        Err(GhError::Unprocessable(m)) => match pull_lag::create_refusal(&m) {
            CreateRefusal::AlreadyExists => {
                let listed =
                    pull_lag::listed_after_refusal(ctx.gh.as_ref(), &p.repo, head, &t.branch)
                        .await?;
                Ok(match listed {
                    Listed::Ours(pr) => Opened::Adopted(pr),
                    Listed::Theirs(pr) => Opened::Theirs(pr),
                    Listed::NotYet => Opened::NotListedYet,
                })
            }
            CreateRefusal::NothingToMerge => Ok(Opened::NothingToMerge),
            CreateRefusal::Other => Err(GhError::Unprocessable(m)),
        },
        Err(e) => Err(e),
    }
}

/// Whether the sync PR merges cleanly, as far as is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mergeable {
    Clean,
    Conflicts,
    /// GitHub was still computing it after the bounded re-reads.
    NotComputed,
}

/// Adds the labels the PR lacks: always the sync labels; urgent ones for security alerts;
/// conflict ones when GitHub says the PR cannot merge cleanly (or an earlier attempt found
/// the merge conflicts). GitHub computes that in the background, so it is read again within a
/// few seconds ([`pull_lag::mergeability`]) when the fork has commits of its own (without
/// them the merge is a fast-forward and cannot conflict); still unknown, no conflict label is
/// added and a later run (which reads it again) labels it.
///
/// Also says whether the PR was found conflicting for the first time (it lacked a conflict
/// label, or is new), for reviewers asked only on a conflict.
async fn label(
    ctx: &ApplyContext,
    p: &PlannedRepo,
    pr: &PullInfo,
    created: bool,
) -> Result<(Mergeable, bool), GhError> {
    let mut merge = if ctx.live.get(&p.unit()).is_some_and(|l| l.conflicted) {
        Mergeable::Conflicts
    } else {
        Mergeable::Clean
    };
    if p.facts.commits_ahead > 0 && merge == Mergeable::Clean {
        let (known, waits) = if created {
            (pr.mergeable, &pull_lag::MERGEABLE_WAITS_CREATED[..])
        } else {
            (None, &pull_lag::MERGEABLE_WAITS_KEPT[..])
        };
        merge = match pull_lag::mergeability(ctx.gh.as_ref(), &p.repo, pr.number, known, waits)
            .await?
        {
            Some(true) => Mergeable::Clean,
            Some(false) => Mergeable::Conflicts,
            None => Mergeable::NotComputed,
        };
    }
    let conflicted = merge == Mergeable::Conflicts;
    let missing = missing_labels(&wanted_labels(ctx, p, conflicted), &pr.labels);
    if !missing.is_empty() {
        ctx.gh.add_labels(&p.repo, pr.number, &missing).await?;
    }
    let conflict_labels = &ctx.inv.pull_requests.conflict_labels;
    let newly_conflicted =
        conflicted && (created || missing.iter().any(|l| conflict_labels.contains(l)));
    Ok((merge, newly_conflicted))
}

/// The remembered sync PR, read in the metadata batch, when it needs nothing: ours (marked),
/// open into the branch, from our sync branch or the upstream branch, at the upstream head,
/// with the text we would write and every label it should have.
pub(super) fn current_sync_pr<'a>(
    ctx: &'a ApplyContext,
    p: &PlannedRepo,
    t: &Target,
    why: &str,
) -> Option<&'a PullInfo> {
    let pr = ctx.sync_pulls.get(&p.unit())?;
    if !pr.body.contains(PR_MARKER) {
        // Not ours (any more): the full path decides what to do.
        return None;
    }
    let sync_branch = format!("{}{}", ctx.inv.pull_requests.branch_prefix, t.branch);
    let head_repo = pr.head_repo.as_deref().unwrap_or_default();
    let own_branch =
        pr.head_ref == sync_branch && head_repo.eq_ignore_ascii_case(&p.repo.to_string());
    let from_upstream =
        pr.head_ref == t.upstream_branch && head_repo.eq_ignore_ascii_case(&t.upstream.to_string());
    let body = rewrite::with_paragraph(
        pr_body(p, t, why, from_upstream),
        rewrite::carried_paragraph(&pr.body),
    );
    let text_current = pr.title == pr_title(t, p.facts.commits_behind) && pr.body == body;
    let conflicted =
        pr.mergeable == Some(false) || ctx.live.get(&p.unit()).is_some_and(|l| l.conflicted);
    let ok = pr.open
        && pr.base_ref == t.branch
        && (own_branch || from_upstream)
        && pr.head_sha.as_deref() == Some(t.upstream_head.as_str())
        && text_current
        && (p.facts.commits_ahead == 0 || pr.mergeable.is_some())
        && missing_labels(&wanted_labels(ctx, p, conflicted), &pr.labels).is_empty();
    ok.then_some(pr)
}

/// This tool's PR (it carries [`PR_MARKER`]) and someone else's, among the open PRs of one
/// head into one base (GitHub allows one of those).
fn split_ours(open: Vec<PullInfo>) -> (Option<PullInfo>, Option<PullInfo>) {
    let (ours, theirs): (Vec<PullInfo>, Vec<PullInfo>) =
        open.into_iter().partition(|pr| pr.body.contains(PR_MARKER));
    (ours.into_iter().next(), theirs.into_iter().next())
}

/// What became of the sync branch.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Moved {
    /// At the upstream head.
    Done,
    /// It has commits that are not from upstream: left as is.
    Diverged,
    /// The update changes workflow files and the token may not write them (the note says
    /// which permission to add).
    Refused(String),
    /// GitHub has not made the new upstream commits available in the fork, or its 404 may
    /// also be a workflow refusal (the note says which).
    NotReached(String),
    /// Upstream rewrote its history; the branch held only what priority-sync put there and
    /// was moved (forced) from `from` to the upstream head.
    Reset { from: Oid },
    /// Upstream rewrote its history under commits a person added: left alone; why.
    NeedsPerson(String),
}

/// Moves (or creates) the sync branch to the upstream head without forcing. A 404 is sent
/// again while the new upstream commits reach the fork ([`write_ref`]); what it cannot settle
/// makes the PR come from the upstream branch, which needs no ref in the fork. Only when the
/// update is refused and the branch is provably priority-sync's own past an upstream rewrite
/// (it is at `recorded`, the head priority-sync last set it to) is it forced ([`rewrite`]).
async fn move_sync_branch(
    ctx: &ApplyContext,
    p: &PlannedRepo,
    t: &Target,
    sync_branch: &str,
    recorded: Option<&Oid>,
) -> Result<Moved, GhError> {
    let gh = &ctx.gh;
    if ctx.touches_workflows(&p.unit()) && ctx.cannot_write_workflows(&p.repo).await {
        return Ok(Moved::Refused(refused_note(ctx, p).await));
    }
    if let Some(why) = ctx.known_not_reached(&p.unit()) {
        // The fast-forward just found the new commits missing from the fork: no second wait.
        return Ok(Moved::NotReached(format!(
            "from the upstream branch: {why}"
        )));
    }
    let update = || gh.update_ref(&p.repo, sync_branch, &t.upstream_head, false);
    let head = gh.branch_head(&p.repo, sync_branch).await?;
    let moved = match &head {
        None => {
            let create = || gh.create_ref(&p.repo, sync_branch, &t.upstream_head);
            match write_ref(ctx, p, "sync branch create", create).await? {
                Written::AlreadyExists => write_ref(ctx, p, "sync branch update", update).await?,
                w => w,
            }
        }
        Some(sha) if *sha == t.upstream_head => return Ok(Moved::Done),
        Some(_) => write_ref(ctx, p, "sync branch update", update).await?,
    };
    if moved == Written::Done {
        // The token can write: a refusal later in this run is about one repository.
        ctx.note_written();
    }
    Ok(match moved {
        Written::Done | Written::AlreadyExists => Moved::Done,
        Written::NotFastForward => match &head {
            Some(head) => {
                match rewrite::after_refusal(ctx, p, t, sync_branch, head, recorded).await? {
                    AfterRefusal::Reset { from } => {
                        ctx.note_written();
                        Moved::Reset { from }
                    }
                    AfterRefusal::NeedsPerson(why) => Moved::NeedsPerson(why),
                    AfterRefusal::Diverged => Moved::Diverged,
                    AfterRefusal::WorkflowRefused(msg) => workflows_refused(ctx, p, &msg).await,
                    AfterRefusal::NotFound => not_reached(ctx, sync_branch),
                }
            }
            None => Moved::Diverged,
        },
        Written::WorkflowRefused(msg) => workflows_refused(ctx, p, &msg).await,
        Written::NotReached => not_reached(ctx, sync_branch),
        Written::WorkflowOrNotReached => Moved::NotReached(format!(
            "from the upstream branch: GitHub answered 404 Not Found on {sync_branch}: the token may lack the workflow permission ({}), or the new upstream commits have not reached the fork yet",
            super::not_found::workflow_permission(ctx.gh.token_rights(&p.repo).await.kind)
        )),
    })
}

/// The new upstream commits did not reach the fork within the waits.
fn not_reached(ctx: &ApplyContext, sync_branch: &str) -> Moved {
    Moved::NotReached(format!(
        "from the upstream branch: GitHub had not made the new upstream commits available in the fork after {} s (404 Not Found on {sync_branch})",
        ctx.propagation_wait.as_secs_f32()
    ))
}

/// The token may not write the update's workflow changes: remembered for later repositories.
async fn workflows_refused(ctx: &ApplyContext, p: &PlannedRepo, msg: &str) -> Moved {
    ctx.refuse_workflows();
    log::warn!("{}: {msg}", p.repo);
    Moved::Refused(refused_note(ctx, p).await)
}

/// Why the PR comes from the upstream branch when the token cannot write workflows.
async fn refused_note(ctx: &ApplyContext, p: &PlannedRepo) -> String {
    format!(
        "from the upstream branch: {}",
        ctx.workflow_reason(&p.repo).await
    )
}

fn diverged_note(sync_branch: &str) -> String {
    format!(
        "{sync_branch} has commits that are not from upstream (a conflict resolution?); left as is"
    )
}
