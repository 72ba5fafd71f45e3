//! Tags, after the branches: the upstream tags each repository's `tags:` asks for are read
//! (a page of 100 tags per repository in batched GraphQL requests, further pages only for the
//! repositories that have more), compared with the fork's ([`crate::tags::plan`], pure), and
//! the missing ones created in the fork at the same object, in processing order. Each write
//! is paced by the transport and budgeted like every other ([`ApplyContext::may_start`]: the
//! hourly write budget, GitHub's 500 content-creating requests an hour with the audit commit's
//! room kept, the API reserve, the run's time budget). An existing tag is never moved or
//! deleted: one at another object is a conflict in the outcome. A tag object that has not
//! reached the fork yet (404) is sent again with the same short waits as a branch, then left
//! pending for the next run.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::Ordering;

use super::not_found::propagation_waits;
use super::ApplyContext;
use crate::config::TagPolicy;
use crate::decision::Status;
use crate::github::query_cost::batch_sizes;
use crate::github::{tag_query, GhError, GitHub, RefUpdate, TagAsk};
use crate::outcome::RepoOutcome;
use crate::repo_name::RepoName;
use crate::tags::{plan, TagLists, TagOutcome, TagPlan, TagRef, MAX_TAGS};

/// One repository's tags as read: its tags (newest first) and whether there were more than
/// [`MAX_TAGS`], or why they could not be read.
type Read = Result<(Vec<TagRef>, bool), String>;

/// Reads, plans and creates the tags of the repositories in `outcomes` that ask for them, and
/// records each one's [`TagOutcome`] on it.
pub async fn sync_tags(ctx: &ApplyContext, outcomes: &mut [RepoOutcome]) {
    // A repository listing several branches has its tags dealt with once, on the first of
    // its branches' outcomes that may take them.
    let mut seen: BTreeSet<RepoName> = BTreeSet::new();
    let wanted: Vec<(usize, RepoName, TagPolicy)> = outcomes
        .iter()
        .enumerate()
        .filter_map(|(i, o)| Some((i, o.repo.clone(), wants_tags(ctx, o)?)))
        .filter(|(_, repo, _)| seen.insert(repo.clone()))
        .collect();
    if wanted.is_empty() {
        return;
    }
    let mut sides: BTreeSet<RepoName> = BTreeSet::new();
    for (_, repo, _) in &wanted {
        sides.insert(repo.clone());
        if let Some(up) = ctx.upstream_of(repo) {
            sides.insert(up.clone());
        }
    }
    let read = read_tags(ctx, sides).await;
    let mut waiting_for: Option<String> = None;
    for (i, repo, policy) in wanted {
        let Some(upstream) = ctx.upstream_of(&repo) else {
            continue;
        };
        let lists = match (&read[upstream], &read[&repo]) {
            (Ok(up), Ok(fork)) => TagLists {
                upstream: up.0.clone(),
                fork: fork.0.clone(),
                truncated: up.1 || fork.1,
            },
            (Err(e), _) | (_, Err(e)) => {
                outcomes[i].tags = Some(TagOutcome {
                    error: Some(format!("tags could not be read: {e}")),
                    ..TagOutcome::default()
                });
                continue;
            }
        };
        let p = plan(&policy, &lists);
        let outcome = if ctx.dry_run {
            let n = p.create.len() as u64;
            TagOutcome::waiting(
                &p,
                &format!(
                    "dry run: would create {}",
                    crate::plural::count(n, "tag", "tags")
                ),
            )
        } else if let Some(why) = &waiting_for {
            TagOutcome::waiting(&p, why)
        } else {
            let o = create(ctx, &repo, &p).await;
            if o.pending > 0 && ctx.stop_reason().is_some() {
                waiting_for = ctx.stop_reason();
            }
            o
        };
        let mut outcome = outcome;
        if lists.truncated {
            let more = format!("more than {MAX_TAGS} tags: only the newest were compared");
            outcome.note = Some(match outcome.note.take() {
                Some(n) => format!("{n}; {more}"),
                None => more,
            });
        }
        if outcome.created > 0 || !outcome.conflicts.is_empty() || outcome.error.is_some() {
            log::info!("{repo}: {}", outcome.describe());
        }
        outcomes[i].tags = Some(outcome);
    }
}

/// The repository's tag policy when this run deals with its tags: the run reached it (a phase),
/// it asks for tags, it was read, and its upstream is known.
fn wants_tags(ctx: &ApplyContext, o: &RepoOutcome) -> Option<TagPolicy> {
    let policy = ctx.inv.get(&o.repo)?.tags.clone();
    let unread =
        ctx.gather_errors.contains_key(&o.repo) || ctx.gather_deferred.contains_key(&o.repo);
    let usable = !matches!(
        o.status,
        Status::Failed | Status::Inaccessible | Status::Skipped
    );
    (o.phase.is_some() && policy.is_on() && !unread && usable && ctx.upstream_of(&o.repo).is_some())
        .then_some(policy)
}

/// Reads every repository's tags: first pages in batches sized by GitHub's cost rules
/// (`limits.graphql_batch` at most), then next pages only for those that have more.
async fn read_tags(ctx: &ApplyContext, repos: BTreeSet<RepoName>) -> BTreeMap<RepoName, Read> {
    let mut got: BTreeMap<RepoName, Read> = BTreeMap::new();
    let mut asks: Vec<TagAsk> = repos
        .into_iter()
        .map(|repo| {
            got.insert(repo.clone(), Ok((Vec::new(), false)));
            TagAsk { repo, after: None }
        })
        .collect();
    let per_repo = tag_query::demand();
    while !asks.is_empty() {
        let mut next = Vec::new();
        let sizes = batch_sizes(&vec![per_repo; asks.len()], ctx.inv.limits.graphql_batch);
        let mut rest = asks.as_slice();
        for n in sizes {
            let (chunk, tail) = rest.split_at(n);
            rest = tail;
            let pages = match ctx.gh.tags(chunk).await {
                Ok(p) => p,
                Err(e) => {
                    if e.is_fatal() {
                        ctx.fatal.store(true, Ordering::SeqCst);
                        ctx.stop(format!("credentials rejected: {e}"));
                    }
                    chunk.iter().map(|_| Err(e.clone())).collect()
                }
            };
            for (ask, page) in chunk.iter().zip(pages) {
                let entry = got
                    .get_mut(&ask.repo)
                    .expect("asked repositories are listed");
                let Ok((tags, truncated)) = entry else {
                    continue;
                };
                match page {
                    Ok(p) => {
                        tags.extend(p.tags);
                        match p.next {
                            Some(after) if tags.len() < MAX_TAGS => next.push(TagAsk {
                                repo: ask.repo.clone(),
                                after: Some(after),
                            }),
                            Some(_) => *truncated = true,
                            None => {}
                        }
                    }
                    Err(e) => *entry = Err(e.to_string()),
                }
            }
        }
        asks = next;
    }
    got
}

/// Creates the plan's missing tags in `repo`, each only while the budget allows.
async fn create(ctx: &ApplyContext, repo: &RepoName, p: &TagPlan) -> TagOutcome {
    let mut o = TagOutcome::waiting(p, "");
    o.note = None;
    for (k, tag) in p.create.iter().enumerate() {
        if let Err(why) = ctx.may_start() {
            o.note = Some(why);
            return o;
        }
        match create_one(ctx.gh.as_ref(), ctx, repo, tag).await {
            Ok(Created::Done) => {
                ctx.note_written();
                o.created += 1;
                o.pending -= 1;
            }
            Ok(Created::Later(why)) => {
                o.note.get_or_insert(why);
            }
            Err(e) => {
                if e.is_fatal() {
                    ctx.fatal.store(true, Ordering::SeqCst);
                    ctx.stop(format!("credentials rejected: {e}"));
                } else if e.is_out_of_budget() {
                    ctx.stop(format!("rate limit: {e}"));
                    o.note = Some(format!("rate limited; the next run creates the rest ({e})"));
                    return o;
                }
                log::warn!("{repo}: creating tag {} failed: {e}", tag.name);
                o.error = Some(format!(
                    "creating tag {} failed: {e}; {} left for the next run",
                    tag.name,
                    crate::plural::count((p.create.len() - k) as u64, "tag", "tags")
                ));
                return o;
            }
        }
    }
    o
}

/// How one tag write ended, when GitHub answered.
enum Created {
    Done,
    /// Not created this run, with why (the next run tries again).
    Later(String),
}

/// `POST …/git/refs` for one tag, sent again with short waits while its object reaches the
/// fork (404), like a branch ([`propagation_waits`]).
async fn create_one(
    gh: &dyn GitHub,
    ctx: &ApplyContext,
    repo: &RepoName,
    tag: &TagRef,
) -> Result<Created, GhError> {
    let mut waits = propagation_waits(ctx.propagation_wait).into_iter();
    loop {
        match gh.create_tag(repo, &tag.name, &tag.object).await? {
            RefUpdate::Done => return Ok(Created::Done),
            RefUpdate::AlreadyExists => {
                return Ok(Created::Later(
                    "a tag appeared in the fork during the run: compared again next run".into(),
                ))
            }
            RefUpdate::NotFound => match waits.next() {
                Some(wait) => tokio::time::sleep(wait).await,
                None => {
                    return Ok(Created::Later(
                        "the upstream's tag objects have not reached the fork yet (GitHub answered 404): the next run creates them".into(),
                    ))
                }
            },
            RefUpdate::WorkflowRefused(m) => return Err(GhError::Forbidden(m)),
            RefUpdate::NotFastForward => {
                return Err(GhError::Unprocessable("GitHub refused the tag".into()))
            }
        }
    }
}
