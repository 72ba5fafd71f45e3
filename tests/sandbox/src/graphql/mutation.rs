//! `Mutation` fields: `enablePullRequestAutoMerge(input: {pullRequestId, mergeMethod})`
//! (GitHub's schema: `EnablePullRequestAutoMergeInput`, `mergeMethod` defaulting to `MERGE`),
//! carried out by `merging::enable`, which refuses it as GitHub does; its payload
//! (`pullRequest`, `actor`, `clientMutationId`) and a pull request's `AutoMergeRequest`.
//! A refusal is a field error (`data.enablePullRequestAutoMerge: null` with an `errors` entry
//! whose path names it), as recorded from GitHub (see `merging`).

use serde_json::Value;

use super::document::Fld;
use super::exec::{Exec, Resolution, Resolved};
use super::objects::Obj;
use super::out::{s, Out};
use crate::merging;
use crate::util::rfc3339;

/// GraphQL's `PullRequestMergeMethod` values.
const METHODS: [&str; 3] = ["MERGE", "SQUASH", "REBASE"];

impl Exec<'_, '_> {
    /// A field of `Mutation`.
    pub(super) fn mutation_field(&mut self, f: &Fld) -> Resolution {
        match f.name.as_str() {
            "enablePullRequestAutoMerge" => self.enable_auto_merge(f),
            _ => Ok(Resolved::Null),
        }
    }

    fn enable_auto_merge(&mut self, f: &Fld) -> Resolution {
        let input = self.arg(f, "input").unwrap_or(Value::Null);
        let text = |k: &str| input.get(k).and_then(Value::as_str).map(str::to_string);
        let id = text("pullRequestId").unwrap_or_default();
        let method = text("mergeMethod").unwrap_or_else(|| "MERGE".into());
        if !METHODS.contains(&method.as_str()) {
            return Err((
                None,
                format!("Argument 'mergeMethod' on InputObject 'EnablePullRequestAutoMergeInput' has an invalid value ({method}). Expected type 'PullRequestMergeMethod'."),
                None,
            ));
        }
        let sh = self.ctx.sh;
        let Some((repo, number)) = merging::pull_by_node_id(sh, &id) else {
            return Err((
                Some("NOT_FOUND"),
                format!("Could not resolve to a node with the global id of '{id}'."),
                None,
            ));
        };
        let Some(token) = self.ctx.caller.token.as_ref() else {
            return Err((Some("FORBIDDEN"), "Requires authentication".into(), None));
        };
        let archived = sh.world().repos[repo].archived;
        if !token.write || archived {
            return Err((Some("FORBIDDEN"), token.not_accessible().to_string(), None));
        }
        merging::enable(sh, repo, number, &method, &token.login)
            .map_err(|(ty, m)| (Some(ty), m, None))?;
        Ok(Resolved::One(Obj::AutoMergePayload {
            repo,
            number,
            client_id: text("clientMutationId"),
        }))
    }

    /// A field of an `EnablePullRequestAutoMergePayload` or an `AutoMergeRequest`.
    pub(super) fn auto_merge_field(&self, obj: &Obj, name: &str) -> Resolved {
        use Resolved::*;
        match obj {
            Obj::AutoMergePayload {
                repo,
                number,
                client_id,
            } => match name {
                "pullRequest" => One(Obj::Pull {
                    repo: *repo,
                    number: *number,
                }),
                "clientMutationId" => client_id.clone().map(|c| Leaf(s(c))).unwrap_or(Null),
                "actor" => match self.ctx.caller.token.as_ref() {
                    Some(t) => One(Obj::Account {
                        login: t.login.clone(),
                        org: false,
                    }),
                    None => Null,
                },
                _ => Null,
            },
            Obj::AutoMergeRequest { repo, number } => {
                let auto = {
                    let w = self.ctx.sh.world();
                    w.repos[*repo]
                        .pulls
                        .iter()
                        .find(|p| p.number == *number)
                        .and_then(|p| p.merge.auto_merge.clone())
                };
                let Some(a) = auto else { return Null };
                match name {
                    "mergeMethod" => Leaf(s(a.method)),
                    "enabledAt" => Leaf(s(rfc3339(a.enabled_at))),
                    "enabledBy" => One(Obj::Account {
                        login: a.enabled_by,
                        org: false,
                    }),
                    "pullRequest" => One(Obj::Pull {
                        repo: *repo,
                        number: *number,
                    }),
                    "authorEmail" | "commitBody" | "commitHeadline" => Leaf(Out::Null),
                    _ => Null,
                }
            }
            _ => Null,
        }
    }
}
