//! `Repository` fields: its scalars, owner and parent, `defaultBranchRef` and `ref`,
//! `object(expression:)`, `pullRequest`/`pullRequests` (states, head and base, order; a new
//! pull request only after `Behaviour::list_lag_ms`),
//! `vulnerabilityAlerts` (`FORBIDDEN` without Dependabot read), `repositoryTopics` and
//! `autoMergeAllowed`.

use std::time::Duration;

use git2::Oid;
use serde_json::{json, Value};

use super::document::Fld;
use super::exec::{Exec, Resolution, Resolved};
use super::objects::Obj;
use super::out::{s, Out};
use crate::git::{self, store_ref, PathObject};
use crate::model::Repo;
use crate::util::{node_id, rfc3339};

impl Exec<'_, '_> {
    /// A field of repository `i`.
    pub(super) fn repo_field(&mut self, i: usize, f: &Fld) -> Resolution {
        use Resolved::*;
        let sh = self.ctx.sh;
        let w = sh.world();
        let r = w.repos[i].clone();
        let org = w.account(&r.owner).org;
        let role = w.role(i, &sh.fleet.audit_repo).to_string();
        let forks = w.repos.iter().filter(|x| x.parent == Some(i)).count();
        drop(w);
        let full = r.full_name();
        let branch_oid = |b: &str| -> Option<Oid> {
            sh.store
                .with(r.net, |g| {
                    Ok(git::read_ref(g, &store_ref(r.id, &format!("heads/{b}"))))
                })
                .ok()
                .flatten()
        };
        Ok(match f.name.as_str() {
            "id" => Leaf(s(node_id("Repository", r.id))),
            "databaseId" => Leaf(Out::Int(r.id as i64)),
            "name" => Leaf(s(r.name.clone())),
            "nameWithOwner" => Leaf(s(full)),
            "description" => Leaf(s(r.description.clone())),
            "isArchived" => Leaf(Out::Bool(r.archived)),
            "isFork" => Leaf(Out::Bool(r.parent.is_some())),
            "isPrivate" => Leaf(Out::Bool(r.private)),
            "isDisabled" => Leaf(Out::Bool(false)),
            "isEmpty" => Leaf(Out::Bool(false)),
            "hasIssuesEnabled" => Leaf(Out::Bool(true)),
            "autoMergeAllowed" => Leaf(Out::Bool(r.auto_merge_allowed)),
            "visibility" => Leaf(s(if r.private { "PRIVATE" } else { "PUBLIC" })),
            "forkCount" => Leaf(Out::Int(forks as i64)),
            "stargazerCount" => Leaf(Out::Int(0)),
            "pushedAt" => Leaf(s(rfc3339(r.pushed_at))),
            "createdAt" => Leaf(s(rfc3339(r.created_at))),
            "updatedAt" => Leaf(s(rfc3339(r.updated_at))),
            "url" => Leaf(s(format!("{}/{}", sh.base, r.full_name()))),
            "owner" => One(Obj::Account {
                login: r.owner.clone(),
                org,
            }),
            "parent" => match r.parent {
                Some(p) => One(Obj::Repo(p)),
                None => Null,
            },
            "defaultBranchRef" => match branch_oid(&r.default_branch) {
                Some(oid) => One(Obj::Ref {
                    repo: i,
                    prefix: "refs/heads/".into(),
                    name: r.default_branch.clone(),
                    oid,
                }),
                None => Null,
            },
            "ref" => return self.ref_field(i, &r, f),
            // The user's role, "null if authenticated as a GitHub App" (schema.graphql).
            "viewerPermission" => match &self.ctx.caller.token {
                Some(t) if t.kind != crate::auth::TokenKind::App => Leaf(s(role)),
                _ => Null,
            },
            "pullRequest" => {
                let number = self.arg(f, "number").and_then(|v| v.as_u64()).unwrap_or(0);
                let exists = r.pulls.iter().any(|p| p.number == number);
                if exists {
                    One(Obj::Pull { repo: i, number })
                } else {
                    Null
                }
            }
            "object" => self.object_field(i, &r, f),
            "pullRequests" => return self.pull_requests_field(i, &r, f),
            "vulnerabilityAlerts" => return self.alerts_field(&r, f),
            "repositoryTopics" => return self.topics_field(i, &r, f),
            "refs" => return self.refs_field(i, &r, f),
            _ => Null,
        })
    }

    /// `ref(qualifiedName:)`: a branch or tag of the repository, or null.
    fn ref_field(&self, i: usize, r: &Repo, f: &Fld) -> Resolution {
        use Resolved::*;
        let sh = self.ctx.sh;
        Ok({
            let q = self
                .arg(f, "qualifiedName")
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let (prefix, short) = if let Some(rest) = q.strip_prefix("refs/heads/") {
                ("refs/heads/", rest.to_string())
            } else if let Some(rest) = q.strip_prefix("refs/tags/") {
                ("refs/tags/", rest.to_string())
            } else {
                ("refs/heads/", q.clone())
            };
            let kind = if prefix == "refs/tags/" {
                "tags"
            } else {
                "heads"
            };
            let oid = sh
                .store
                .with(r.net, |g| {
                    Ok(git::read_ref(
                        g,
                        &store_ref(r.id, &format!("{kind}/{short}")),
                    ))
                })
                .ok()
                .flatten();
            match oid {
                Some(oid) => One(Obj::Ref {
                    repo: i,
                    prefix: prefix.into(),
                    name: short,
                    oid,
                }),
                None => Null,
            }
        })
    }

    /// `object(expression:)`: `rev` or `rev:path` (rev: branch, tag or full sha; empty or
    /// `HEAD`: the default branch), as a commit, tree or blob.
    fn object_field(&self, i: usize, r: &Repo, f: &Fld) -> Resolved {
        use Resolved::*;
        let sh = self.ctx.sh;
        let expr = self
            .arg(f, "expression")
            .or_else(|| self.arg(f, "oid"))
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let (rev, path) = match expr.split_once(':') {
            Some((a, b)) => (a.to_string(), Some(b.to_string())),
            None => (expr.clone(), None),
        };
        let rev = if rev.is_empty() || rev == "HEAD" {
            r.default_branch.clone()
        } else {
            rev
        };
        let found = sh.store.with(r.net, |g| {
            let tip = git::read_ref(g, &store_ref(r.id, &format!("heads/{rev}")))
                .or_else(|| git::read_ref(g, &store_ref(r.id, &format!("tags/{rev}"))))
                .or_else(|| {
                    Oid::from_str(&rev)
                        .ok()
                        .filter(|o| rev.len() == 40 && g.find_object(*o, None).is_ok())
                });
            let Some(tip) = tip else { return Ok(None) };
            match &path {
                None => Ok(Some(match g.find_object(tip, None)?.kind() {
                    Some(git2::ObjectType::Tree) => Obj::Tree {
                        repo: i,
                        oid: tip,
                        prefix: String::new(),
                    },
                    Some(git2::ObjectType::Blob) => Obj::Blob { repo: i, oid: tip },
                    _ => Obj::Commit { repo: i, oid: tip },
                })),
                Some(p) => Ok(git::read_path(g, tip, p)?.map(|o| match o {
                    PathObject::Dir(oid, _) => Obj::Tree {
                        repo: i,
                        oid,
                        prefix: if p.trim_matches('/').is_empty() {
                            String::new()
                        } else {
                            format!("{}/", p.trim_matches('/'))
                        },
                    },
                    PathObject::File(oid, _, _) => Obj::Blob { repo: i, oid },
                })),
            }
        });
        match found {
            Ok(Some(o)) => One(o),
            _ => Null,
        }
    }

    /// `pullRequests(states:, headRefName:, baseRefName:, orderBy:)`, paginated.
    fn pull_requests_field(&self, i: usize, r: &Repo, f: &Fld) -> Resolution {
        let states: Vec<String> = self
            .arg(f, "states")
            .map(|v| match v {
                Value::Array(a) => a
                    .iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect(),
                Value::String(x) => vec![x],
                _ => Vec::new(),
            })
            .unwrap_or_default();
        let head = self
            .arg(f, "headRefName")
            .and_then(|v| v.as_str().map(str::to_string));
        let base = self
            .arg(f, "baseRefName")
            .and_then(|v| v.as_str().map(str::to_string));
        let order = self.arg(f, "orderBy");
        // A new pull request is missing from connections for a while (Behaviour::list_lag_ms).
        let lag = Duration::from_millis(self.ctx.sh.behaviour.list_lag_ms);
        let listed: Vec<bool> = {
            let w = self.ctx.sh.world();
            r.pulls.iter().map(|p| w.pull_listed(p.id, lag)).collect()
        };
        let mut pulls: Vec<_> = r
            .pulls
            .iter()
            .zip(listed)
            .filter(|(_, listed)| *listed)
            .map(|(p, _)| p)
            .filter(|p| {
                states.is_empty()
                    || states
                        .iter()
                        .any(|st| (st == "OPEN" && p.open) || (st == "CLOSED" && !p.open))
            })
            .filter(|p| head.as_ref().is_none_or(|h| &p.head_ref == h))
            .filter(|p| base.as_ref().is_none_or(|b| &p.base_ref == b))
            .collect();
        let by_updated = order.as_ref().is_some_and(|o| o["field"] == "UPDATED_AT");
        pulls.sort_by_key(|p| {
            if by_updated {
                (p.updated_at, p.number)
            } else {
                (p.created_at, p.number)
            }
        });
        if order.as_ref().is_some_and(|o| o["direction"] == "DESC") {
            pulls.reverse();
        }
        let all = pulls
            .iter()
            .map(|p| Obj::Pull {
                repo: i,
                number: p.number,
            })
            .collect();
        self.page(f, all)
    }

    /// `vulnerabilityAlerts(states:)`, paginated; `FORBIDDEN` for a token without
    /// Dependabot read.
    fn alerts_field(&self, r: &Repo, f: &Fld) -> Resolution {
        let t = self.ctx.caller.token.as_ref();
        if let Some(t) = t.filter(|t| !t.dependabot) {
            return Err((
                Some("FORBIDDEN"),
                t.not_accessible().to_string(),
                Some(json!({"saml_failure": false})),
            ));
        }
        let states: Vec<String> = self
            .arg(f, "states")
            .and_then(|v| v.as_array().cloned())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_ascii_lowercase))
                    .collect()
            })
            .unwrap_or_default();
        let all = r
            .alerts
            .iter()
            .filter(|a| states.is_empty() || states.contains(&a.state))
            .map(|a| Obj::Alert {
                id: node_id(
                    "RepositoryVulnerabilityAlert",
                    format!("{}:{}", r.id, a.number),
                ),
                number: a.number,
                state: a.state.clone(),
                created: a.created_at,
                manifest: a.manifest.clone(),
            })
            .collect();
        self.page(f, all)
    }

    /// `refs(refPrefix:, query:, first:, after:, orderBy:)`: the repository's branches
    /// (`refs/heads/`) or tags (`refs/tags/`), paginated; by name unless `orderBy` says
    /// `TAG_COMMIT_DATE` ("Order refs by underlying commit date if the ref prefix is
    /// refs/tags/", schema.graphql `RefOrderField`), then the name.
    fn refs_field(&self, i: usize, r: &Repo, f: &Fld) -> Resolution {
        let prefix = self
            .arg(f, "refPrefix")
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let kind = match prefix.as_str() {
            "refs/heads/" => "heads/",
            "refs/tags/" => "tags/",
            _ => return self.page(f, Vec::new()),
        };
        let order = self.arg(f, "orderBy");
        let by_date = kind == "tags/"
            && order
                .as_ref()
                .is_some_and(|o| o["field"] == "TAG_COMMIT_DATE");
        let desc = order.as_ref().is_some_and(|o| o["direction"] == "DESC");
        let mut refs = self
            .ctx
            .sh
            .store
            .with(r.net, |g| {
                let mut out = Vec::new();
                for (name, oid) in git::list_refs(g, &store_ref(r.id, kind))? {
                    let when = g
                        .find_object(oid, None)
                        .and_then(|o| o.peel_to_commit())
                        .map(|c| c.time().seconds())
                        .unwrap_or(0);
                    out.push((if by_date { when } else { 0 }, name, oid));
                }
                Ok(out)
            })
            .map_err(|e| (None, e.to_string(), None))?;
        // `query`: "Filters refs with query on name" (schema.graphql); GitHub matches part of
        // the name, not a pattern: asking `SENG-25` also answers `SENG-251`
        // (osowskit/atlassian-github-app-addon#72), so callers match the names themselves.
        if let Some(q) = self
            .arg(f, "query")
            .and_then(|v| v.as_str().map(str::to_string))
        {
            refs.retain(|(_, name, _)| name.contains(q.as_str()));
        }
        refs.sort();
        if desc {
            refs.reverse();
        }
        let all = refs
            .into_iter()
            .map(|(_, name, oid)| Obj::Ref {
                repo: i,
                prefix: prefix.clone(),
                name,
                oid,
            })
            .collect();
        self.page(f, all)
    }

    /// `repositoryTopics`, paginated.
    fn topics_field(&self, i: usize, r: &Repo, f: &Fld) -> Resolution {
        let all = r
            .topics
            .iter()
            .map(|t| Obj::RepoTopic {
                repo: i,
                name: t.clone(),
            })
            .collect();
        self.page(f, all)
    }
}
