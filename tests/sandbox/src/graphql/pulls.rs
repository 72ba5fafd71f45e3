//! `PullRequest` fields: number, title, body, state, head and base (names and current oids
//! from git), author, repositories, `mergeable` and `mergeStateStatus` (a real merge of base
//! and head, `UNKNOWN` until `Behaviour::mergeable_ms` has passed), labels, and whether it was
//! merged (`merged`, `mergedAt`, state `MERGED`) or will be (`autoMergeRequest`).

use std::time::Duration;

use git2::Oid;

use super::document::Fld;
use super::exec::{Exec, Resolution, Resolved};
use super::objects::Obj;
use super::out::{s, Out};
use crate::git::{self, store_ref, Merge};
use crate::util::{node_id, rfc3339};

impl Exec<'_, '_> {
    /// A field of pull request `number` in repository `i`.
    pub(super) fn pull_field(&mut self, i: usize, number: u64, f: &Fld) -> Resolution {
        use Resolved::*;
        let sh = self.ctx.sh;
        let (p, base, head_repo) = {
            let w = sh.world();
            let base = w.repos[i].clone();
            let p = base
                .pulls
                .iter()
                .find(|p| p.number == number)
                .cloned()
                .ok_or((None, "pull request vanished".to_string(), None))?;
            let head = w.repos[p.head_repo].clone();
            (p, base, head)
        };
        let tip = |repo_id: u64, b: &str| -> Option<Oid> {
            sh.store
                .with(base.net, |g| {
                    Ok(git::read_ref(g, &store_ref(repo_id, &format!("heads/{b}"))))
                })
                .ok()
                .flatten()
        };
        let url = format!("{}/{}/pull/{}", sh.base, base.full_name(), p.number);
        Ok(match f.name.as_str() {
            "id" => Leaf(s(node_id("PullRequest", p.id))),
            "number" => Leaf(Out::Int(p.number as i64)),
            "url" | "permalink" => Leaf(s(url)),
            "title" => Leaf(s(p.title.clone())),
            "body" => Leaf(s(p.body.clone().unwrap_or_default())),
            "state" => Leaf(s(match (p.open, p.merge.merged_at) {
                (true, _) => "OPEN",
                (false, Some(_)) => "MERGED",
                (false, None) => "CLOSED",
            })),
            "closed" => Leaf(Out::Bool(!p.open)),
            "merged" => Leaf(Out::Bool(p.merge.merged_at.is_some())),
            "mergedAt" => p.merge.merged_at.map_or(Null, |t| Leaf(s(rfc3339(t)))),
            "closedAt" => p.closed_at.map_or(Null, |t| Leaf(s(rfc3339(t)))),
            "autoMergeRequest" => match p.merge.auto_merge {
                Some(_) => One(Obj::AutoMergeRequest { repo: i, number }),
                None => Null,
            },
            "isDraft" => Leaf(Out::Bool(p.draft)),
            "headRefName" => Leaf(s(p.head_ref.clone())),
            "baseRefName" => Leaf(s(p.base_ref.clone())),
            "headRefOid" => Leaf(s(tip(head_repo.id, &p.head_ref)
                .map(|o| o.to_string())
                .unwrap_or_else(|| "0".repeat(40)))),
            "baseRefOid" => Leaf(s(tip(base.id, &p.base_ref)
                .map(|o| o.to_string())
                .unwrap_or_else(|| "0".repeat(40)))),
            "createdAt" => Leaf(s(rfc3339(p.created_at))),
            "updatedAt" => Leaf(s(rfc3339(p.updated_at))),
            "author" => One(Obj::Account {
                login: p.user.clone(),
                org: false,
            }),
            "headRepository" => One(Obj::Repo(p.head_repo)),
            "baseRepository" => One(Obj::Repo(i)),
            "mergeable" | "mergeStateStatus" => {
                let (b, h) = (tip(base.id, &p.base_ref), tip(head_repo.id, &p.head_ref));
                let tips = (b.map(|o| o.to_string()), h.map(|o| o.to_string()));
                let took = Duration::from_millis(sh.behaviour.mergeable_ms);
                // UNKNOWN while GitHub's job computes it (Behaviour::mergeable_ms).
                let known = sh.world().pull_mergeability_known(p.id, tips, took);
                let m = match (b, h) {
                    (Some(b), Some(h)) if known => sh
                        .store
                        .with(base.net, |g| git::merge(g, b, h))
                        .ok()
                        .map(|m| matches!(m, Merge::Clean(_))),
                    _ => None,
                };
                Leaf(s(match (f.name.as_str(), m) {
                    ("mergeable", Some(true)) => "MERGEABLE",
                    ("mergeable", Some(false)) => "CONFLICTING",
                    (_, Some(true)) => "CLEAN",
                    (_, Some(false)) => "DIRTY",
                    (_, None) => "UNKNOWN",
                }))
            }
            "labels" => {
                let all = p
                    .labels
                    .iter()
                    .filter_map(|n| base.labels.iter().find(|l| &l.name == n))
                    .map(|l| Obj::Label {
                        id: l.id,
                        name: l.name.clone(),
                        color: l.color.clone(),
                        description: l.description.clone(),
                    })
                    .collect();
                self.page(f, all)?
            }
            _ => Null,
        })
    }
}
