//! The runtime objects a query walks (`Obj`: repositories, refs, commits, pull requests,
//! connections…), their GraphQL type names, and field resolution: dispatch to the per-type
//! modules (`repository`, `git_objects`, `pulls`, `connection`, `cost` for `rateLimit`) and
//! the small objects resolved here (`Query`, accounts, labels, alerts, topics).

use git2::Oid;

use super::connection::connection_field;
use super::document::Fld;
use super::exec::{Exec, Resolution, Resolved};
use super::out::{s, Out};
use crate::util::{node_id, rfc3339};

/// A runtime object.
#[derive(Clone)]
pub(super) enum Obj {
    Query,
    Mutation,
    /// `EnablePullRequestAutoMergePayload`: the pull request and the mutation's client id.
    AutoMergePayload {
        repo: usize,
        number: u64,
        client_id: Option<String>,
    },
    /// A pull request's `AutoMergeRequest`.
    AutoMergeRequest {
        repo: usize,
        number: u64,
    },
    RateLimit,
    Repo(usize),
    Account {
        login: String,
        org: bool,
    },
    Ref {
        repo: usize,
        prefix: String,
        name: String,
        oid: Oid,
    },
    Commit {
        repo: usize,
        oid: Oid,
    },
    /// An annotated tag's object.
    Tag {
        repo: usize,
        oid: Oid,
    },
    Tree {
        repo: usize,
        oid: Oid,
        prefix: String,
    },
    Entry {
        name: String,
        path: String,
        kind: &'static str,
        mode: i64,
        oid: Oid,
    },
    Blob {
        repo: usize,
        oid: Oid,
    },
    Conn {
        items: Vec<Obj>,
        total: usize,
        start: usize,
        has_next: bool,
    },
    Edge {
        cursor: String,
        node: Box<Obj>,
    },
    PageInfo {
        has_next: bool,
        has_prev: bool,
        start: Option<String>,
        end: Option<String>,
    },
    Pull {
        repo: usize,
        number: u64,
    },
    Label {
        id: u64,
        name: String,
        color: String,
        description: Option<String>,
    },
    Alert {
        id: String,
        number: u64,
        state: String,
        created: i64,
        manifest: String,
    },
    RepoTopic {
        repo: usize,
        name: String,
    },
    Topic(String),
}

pub(super) fn typename(o: &Obj) -> &'static str {
    match o {
        Obj::Query => "Query",
        Obj::Mutation => "Mutation",
        Obj::AutoMergePayload { .. } => "EnablePullRequestAutoMergePayload",
        Obj::AutoMergeRequest { .. } => "AutoMergeRequest",
        Obj::RateLimit => "RateLimit",
        Obj::Repo(_) => "Repository",
        Obj::Account { org: true, .. } => "Organization",
        Obj::Account { .. } => "User",
        Obj::Ref { .. } => "Ref",
        Obj::Commit { .. } => "Commit",
        Obj::Tag { .. } => "Tag",
        Obj::Tree { .. } => "Tree",
        Obj::Entry { .. } => "TreeEntry",
        Obj::Blob { .. } => "Blob",
        Obj::Conn { .. } => "Connection",
        Obj::Edge { .. } => "PullRequestEdge",
        Obj::PageInfo { .. } => "PageInfo",
        Obj::Pull { .. } => "PullRequest",
        Obj::Label { .. } => "Label",
        Obj::Alert { .. } => "RepositoryVulnerabilityAlert",
        Obj::RepoTopic { .. } => "RepositoryTopic",
        Obj::Topic(_) => "Topic",
    }
}

impl Exec<'_, '_> {
    /// Resolves field `f` of `obj`.
    pub(super) fn resolve(&mut self, obj: &Obj, f: &Fld) -> Resolution {
        let name = f.name.as_str();
        match obj {
            Obj::Query => self.query_field(f),
            Obj::Mutation => self.mutation_field(f),
            Obj::AutoMergePayload { .. } | Obj::AutoMergeRequest { .. } => {
                Ok(self.auto_merge_field(obj, name))
            }
            Obj::RateLimit => Ok(self.rate_limit_field(name)),
            Obj::Repo(i) => self.repo_field(*i, f),
            Obj::Ref { .. }
            | Obj::Commit { .. }
            | Obj::Tag { .. }
            | Obj::Tree { .. }
            | Obj::Entry { .. }
            | Obj::Blob { .. } => self.git_field(obj, f),
            Obj::Conn { .. } | Obj::Edge { .. } | Obj::PageInfo { .. } => {
                Ok(connection_field(obj, name))
            }
            Obj::Pull { repo, number } => self.pull_field(*repo, *number, f),
            Obj::Account { .. }
            | Obj::Label { .. }
            | Obj::Alert { .. }
            | Obj::RepoTopic { .. }
            | Obj::Topic(_) => Ok(self.plain_field(obj, name)),
        }
    }

    /// A field of `Query`: `rateLimit`, `viewer`, `repository(owner:, name:)`.
    fn query_field(&self, f: &Fld) -> Resolution {
        use Resolved::*;
        let sh = self.ctx.sh;
        let name = f.name.as_str();
        Ok(match name {
            "rateLimit" => One(Obj::RateLimit),
            "viewer" => {
                let login = self
                    .ctx
                    .caller
                    .token
                    .as_ref()
                    .map(|t| t.login.clone())
                    .unwrap_or_default();
                One(Obj::Account { login, org: false })
            }
            "repository" => {
                let owner = self
                    .arg(f, "owner")
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                let rname = self
                    .arg(f, "name")
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                // Old names resolve to the renamed repository unless `followRenames: false`
                // (the argument's default is true in GitHub's schema).
                let follow = self.arg(f, "followRenames").and_then(|v| v.as_bool()) != Some(false);
                let found = {
                    let w = sh.world();
                    w.find(&owner, &rname)
                        .or_else(|| follow.then(|| w.find_former(&owner, &rname)).flatten())
                };
                match found {
                    Some(i) => One(Obj::Repo(i)),
                    None => {
                        return Err((Some("NOT_FOUND"), format!("Could not resolve to a Repository with the name '{owner}/{rname}'."), None));
                    }
                }
            }
            _ => Null,
        })
    }

    /// A field of an account, a label, an alert or a topic.
    fn plain_field(&self, obj: &Obj, name: &str) -> Resolved {
        use Resolved::*;
        let sh = self.ctx.sh;
        match obj {
            Obj::Account { login, org } => {
                let a = sh.world().account(login);
                Leaf(match name {
                    "login" => s(a.login.clone()),
                    "id" => s(node_id(if *org { "Organization" } else { "User" }, a.id)),
                    "databaseId" => Out::Int(a.id as i64),
                    "url" => s(format!("{}/{}", sh.base, a.login)),
                    "avatarUrl" => s(format!("{}/avatars/{}", sh.base, a.login)),
                    _ => Out::Null,
                })
            }
            Obj::Label {
                id,
                name: n,
                color,
                description,
            } => Leaf(match name {
                "id" => s(node_id("Label", id)),
                "name" => s(n.clone()),
                "color" => s(color.clone()),
                "description" => description.clone().map(s).unwrap_or(Out::Null),
                _ => Out::Null,
            }),
            Obj::Alert {
                id,
                number,
                state,
                created,
                manifest,
            } => Leaf(match name {
                "id" => s(id.clone()),
                "number" => Out::Int(*number as i64),
                "state" => s(state.to_ascii_uppercase()),
                "createdAt" => s(rfc3339(*created)),
                "vulnerableManifestPath" => s(manifest.clone()),
                _ => Out::Null,
            }),
            Obj::RepoTopic { repo, name: n } => match name {
                "id" => Leaf(s(node_id("RepositoryTopic", format!("{repo}:{n}")))),
                "url" => Leaf(s(format!("{}/topics/{n}", sh.base))),
                "topic" => One(Obj::Topic(n.clone())),
                _ => Null,
            },
            Obj::Topic(n) => Leaf(match name {
                "id" => s(node_id("Topic", n)),
                "name" => s(n.clone()),
                _ => Out::Null,
            }),
            _ => Null,
        }
    }
}
