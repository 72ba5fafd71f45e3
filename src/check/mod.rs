//! `priority-sync check`: a pre-flight that writes nothing. It reads the token's headers once
//! (`GET /rate_limit`, free of the primary limit) and the inventory's metadata batches (the
//! GraphQL requests a run starts with: role, auto-merge, parent and network, Dependabot
//! alerts), then judges with the pure functions of [`decide`] and renders with [`render`].

pub mod decide;
pub mod render;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::config::Inventory;
use crate::github::{GhError, GitHub, RequestStats};
use crate::repo_name::RepoName;
use decide::{RepoCheck, RepoInput, Seen, TokenFacts};

/// What the caller knows about the credentials (the token itself is only looked at for its
/// prefix and never kept).
pub struct Credentials<'a> {
    /// The token, or `None` for App credentials.
    pub token: Option<&'a str>,
    /// The token is the runner's own `GITHUB_TOKEN`.
    pub is_workflow_token: bool,
    /// `GITHUB_REPOSITORY`: the repository a `GITHUB_TOKEN` reaches.
    pub workflow_repo: Option<RepoName>,
}

/// The whole pre-flight: the token, each repository in inventory order, the fixes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckReport {
    pub token: TokenFacts,
    /// Why the credentials were refused outright (401), when they were.
    pub refused: Option<String>,
    pub repos: Vec<RepoCheck>,
    pub fixes: Vec<decide::Fix>,
    /// Days until the token expires, when GitHub said.
    pub days_left: Option<i64>,
    /// The inventory asks for auto-merge.
    pub wants_auto_merge: bool,
    /// Requests the check made.
    pub requests: RequestStats,
}

impl CheckReport {
    /// Everything the inventory asks for is possible: exit 0.
    pub fn ok(&self) -> bool {
        self.refused.is_none() && self.repos.iter().all(RepoCheck::ok)
    }

    /// Why the step fails (exit 1), in one line; `None` when everything is possible.
    pub fn failure(&self) -> Option<String> {
        if self.ok() {
            return None;
        }
        Some(match &self.refused {
            Some(_) => "the check could not start: GitHub refused the token".into(),
            None => format!(
                "the check found what the inventory needs and the token cannot do: {} listed above",
                crate::plural::count(self.fixes.len() as u64, "fix", "fixes")
            ),
        })
    }
}

/// Reads what the check needs and judges it. Only the reads of [`GitHub::token_probe`],
/// [`GitHub::metadata`] (through the gather's batches) and, for an App, its installation
/// tokens; never a write.
pub async fn check(
    gh: Arc<dyn GitHub>,
    inv: &Inventory,
    creds: Credentials<'_>,
    now: DateTime<Utc>,
) -> CheckReport {
    let probe = gh.token_probe().await;
    let (probe, mut refused) = match probe {
        Ok(p) => (p, None),
        Err(GhError::Unauthorized(m)) => (None, Some(m)),
        Err(_) => (None, None),
    };
    let kind = decide::token_kind(creds.token, probe.as_ref(), creds.is_workflow_token);
    let token = TokenFacts {
        kind,
        scopes: decide::scopes(probe.as_ref().and_then(|p| p.scopes.as_deref())),
        expiration: probe.as_ref().and_then(|p| p.expiration.clone()),
        rate_limit: probe.as_ref().and_then(|p| p.rate_limit),
        workflow_repo: creds.workflow_repo,
    };
    // Auto-merge is needed only where the inventory asks for it (`pull_requests.auto_merge`);
    // otherwise the repository's setting is reported as information.
    let wants_auto_merge = inv.pull_requests.auto_merge.is_some();
    let mut repos = Vec::new();
    if refused.is_none() {
        match crate::gather::read_metadata(gh.clone(), inv).await {
            Err(GhError::Unauthorized(m)) => refused = Some(m),
            Err(e) => {
                let why = e.to_string();
                for spec in inv.all() {
                    repos.push(
                        judge(
                            &gh,
                            &token,
                            spec,
                            &Seen::Unread(why.clone()),
                            wants_auto_merge,
                        )
                        .await,
                    );
                }
            }
            Ok(meta) => {
                for spec in inv.all() {
                    let seen = match meta.repos.get(&spec.repo) {
                        Some(Ok(Some(m))) => Seen::Found(Box::new(m.clone())),
                        Some(Ok(None)) => Seen::NotFound,
                        Some(Err(e)) => Seen::Unread(e.to_string()),
                        None => Seen::Unread("not read".into()),
                    };
                    repos.push(judge(&gh, &token, spec, &seen, wants_auto_merge).await);
                }
            }
        }
    }
    let fixes = decide::fixes(&repos);
    CheckReport {
        days_left: token
            .expiration
            .as_deref()
            .and_then(|e| decide::days_left(e, now)),
        token,
        refused,
        repos,
        fixes,
        wants_auto_merge,
        requests: gh.stats(),
    }
}

async fn judge(
    gh: &Arc<dyn GitHub>,
    token: &TokenFacts,
    spec: &crate::config::RepoSpec,
    seen: &Seen,
    wants_auto_merge: bool,
) -> RepoCheck {
    let app = match token.kind {
        decide::TokenKind::App => {
            decide::app_permissions(gh.installation_permissions(&spec.repo).await.as_ref())
        }
        _ => None,
    };
    decide::assess(
        token,
        &RepoInput {
            spec,
            seen,
            app: app.as_ref(),
            wants_auto_merge,
        },
    )
}
