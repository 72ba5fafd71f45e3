//! All GitHub access goes through the [`GitHub`] trait: reads and writes, with "not found"
//! returned as `None` and every other failure as a typed [`GhError`] that callers branch on.
//! The real client ([`Client`]) is split by concern: `transport` (one request with retries,
//! limits, pacing, deadlines, counts; redirects followed once on the API's host), `answers`
//! (answers that need more than a status: redirects, diffs GitHub cannot compute), `auth`
//! (token or GitHub App), `url` (endpoints and encoding), `graphql_post` (the batched GraphQL
//! reads, built by `graphql`, `ancestry` and `history`, sized by `query_cost`), `reads` and
//! `writes` (REST routes);
//! `client` assembles them. Tests run it against the sandbox.

pub mod ancestry;
mod answers;
mod auth;
mod body;
pub mod client;
pub mod graphql;
mod graphql_post;
pub mod history;
pub mod mutations;
mod pacing;
pub mod query_cost;
mod reads;
pub mod tag_query;
mod transport;
pub mod url;
mod writes;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{BranchName, Oid, TagName};
use crate::repo_name::RepoName;

pub use ancestry::AncestryAsk;
pub use client::{Client, ClientConfig, Credentials};
pub use pacing::{GITHUB_WRITES_PER_HOUR, GITHUB_WRITES_PER_MINUTE};
pub use tag_query::{TagAsk, TagPage};

/// What went wrong talking to GitHub, in the terms callers decide on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GhError {
    #[error("bad credentials (401): {0}")]
    Unauthorized(String),
    #[error("forbidden (403): {0}")]
    Forbidden(String),
    #[error("rate limited: {0}")]
    RateLimited(String),
    #[error("not possible (422): {0}")]
    Unprocessable(String),
    #[error("conflict (409): {0}")]
    Conflict(String),
    #[error("GitHub answered {0}: {1}")]
    Status(u16, String),
    #[error("network: {0}")]
    Transport(String),
    #[error("unexpected response: {0}")]
    Decode(String),
    #[error("request budget exhausted: {0}")]
    Budget(String),
    /// GitHub cannot compute a compare's diff (too large); asking again does not help.
    #[error("GitHub cannot compute this comparison: {0}")]
    DiffUnavailable(String),
}

impl GhError {
    /// An answer holding a value that is not the identifier it should be (`what` names the
    /// field); the value itself is described, never repeated.
    pub fn malformed(what: &str, e: crate::ids::IdError) -> GhError {
        GhError::Decode(format!("{what} in GitHub's answer is {e}"))
    }

    /// Worth stopping the whole run for (every later request would fail the same way).
    pub fn is_fatal(&self) -> bool {
        matches!(self, GhError::Unauthorized(_))
    }

    /// The run should stop starting new work and leave it `pending`.
    pub fn is_out_of_budget(&self) -> bool {
        matches!(self, GhError::RateLimited(_) | GhError::Budget(_))
    }
}

/// One repository to look up in a metadata batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoQuery {
    pub repo: RepoName,
    /// The branch to sync, when not the default branch.
    pub branch: Option<String>,
    /// An explicit upstream (repository and optional branch), when not the parent.
    pub upstream: Option<(RepoName, Option<String>)>,
    /// The sync pull request the state remembers, to read in the same request.
    pub sync_pr: Option<u64>,
    /// A repository listing several branches (`branches:`): what to read of them on both
    /// sides, fork and upstream, as aliases of the same request.
    pub branches: Vec<BranchAsk>,
    /// The sync pull requests the state remembers for those branches.
    pub branch_sync_prs: Vec<u64>,
}

/// One item of a repository's `branches:`, as the metadata batch reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BranchAsk {
    /// A branch by name on each side (`ref(qualifiedName:)`): the fork's and the upstream's.
    Named { fork: String, upstream: String },
    /// Branches whose names hold `query` on each side (`refs(refPrefix: "refs/heads/",
    /// query:)`, at most [`BRANCH_LISTING`]): GitHub's `query` filters by part of the name
    /// (osowskit/atlassian-github-app-addon#72: asking `SENG-25` also answers `SENG-251`),
    /// so the glob itself is matched by the caller.
    Listed { query: String },
}

/// Most branches one `refs(query:)` listing reads (GitHub's `first` maximum).
pub const BRANCH_LISTING: usize = 100;

/// What the metadata batch read of a repository's `branches:`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BranchHeads {
    /// Every branch found in the fork (by name or in a listing).
    pub fork: Vec<BranchHead>,
    /// Every branch found in the upstream.
    pub upstream: Vec<BranchHead>,
    /// Listings that held more branches than were read (their `query`, and how many).
    pub truncated: Vec<(String, u64)>,
    /// The remembered sync pull requests of those branches, as they are now.
    pub pulls: Vec<PullInfo>,
}

/// A branch head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchHead {
    pub name: BranchName,
    pub oid: Oid,
}

/// GitHub's answer to turning on auto-merge for a pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AutoMergeAnswer {
    /// On: GitHub merges it once the base branch's required checks pass.
    Enabled,
    /// The repository does not allow auto-merge (its setting is off): GitHub's message.
    NotAllowed(String),
    /// Refused for another reason (nothing left to wait for, a permission): GitHub's message.
    Refused(String),
}

/// An open pull request found on a sync branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullInfo {
    pub number: u64,
    pub url: String,
    pub title: String,
    pub head_ref: String,
    /// `owner/name` of the head repository (None when it was deleted).
    pub head_repo: Option<String>,
    pub base_ref: String,
    pub body: String,
    pub labels: Vec<String>,
    /// `Some(false)` when GitHub says it cannot merge cleanly; `None` while unknown.
    pub mergeable: Option<bool>,
    /// The head commit (`None` when the answer did not say).
    pub head_sha: Option<Oid>,
    pub open: bool,
    /// GitHub's global id (GraphQL `id`, REST `node_id`), which mutations name it by; empty
    /// when the answer did not say.
    #[serde(default)]
    pub node_id: String,
    /// Merged (a merged pull request is also closed).
    #[serde(default)]
    pub merged: bool,
    /// GitHub's auto-merge is on (GraphQL `autoMergeRequest`, REST `auto_merge`).
    #[serde(default)]
    pub auto_merge: bool,
}

/// The user's role on a repository as GraphQL's `Repository.viewerPermission` reports it
/// (null for an App's installation token). It is the user's, not the token's: a token may be
/// narrower, so only a role that cannot push settles anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepoPermission {
    Admin,
    Maintain,
    Write,
    Triage,
    Read,
}

impl RepoPermission {
    /// GraphQL's `RepositoryPermission` value, `None` for anything else.
    pub fn parse(s: &str) -> Option<RepoPermission> {
        Some(match s {
            "ADMIN" => RepoPermission::Admin,
            "MAINTAIN" => RepoPermission::Maintain,
            "WRITE" => RepoPermission::Write,
            "TRIAGE" => RepoPermission::Triage,
            "READ" => RepoPermission::Read,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RepoPermission::Admin => "ADMIN",
            RepoPermission::Maintain => "MAINTAIN",
            RepoPermission::Write => "WRITE",
            RepoPermission::Triage => "TRIAGE",
            RepoPermission::Read => "READ",
        }
    }

    /// ADMIN, MAINTAIN and WRITE may push; TRIAGE and READ may not (schema.graphql).
    pub fn can_push(self) -> bool {
        matches!(
            self,
            RepoPermission::Admin | RepoPermission::Maintain | RepoPermission::Write
        )
    }
}

/// What one metadata lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoMeta {
    pub repo: RepoName,
    pub archived: bool,
    pub is_fork: bool,
    pub pushed_at: Option<DateTime<Utc>>,
    /// The branch to sync (default branch unless one was asked for); `None` if it is missing.
    pub branch: Option<BranchHead>,
    pub default_branch: Option<BranchName>,
    /// The upstream repository and its branch head (parent, or the explicit upstream).
    pub upstream: Option<(RepoName, Option<BranchHead>)>,
    pub open_prs: u32,
    /// `None` when the token cannot read Dependabot alerts.
    pub security_alerts: Option<u32>,
    pub has_workflows: bool,
    pub topics: Vec<String>,
    /// The remembered sync pull request, as it is now (any state).
    pub sync_pull: Option<PullInfo>,
    /// For an explicit upstream: whether both are in one fork network (`None`: unknown).
    pub same_network: Option<bool>,
    /// The user's role there (`None` for an App's token, or when not said).
    pub viewer_permission: Option<RepoPermission>,
    /// The repository's "Allow auto-merge" setting (GraphQL `autoMergeAllowed`; `None` when
    /// the answer did not say).
    pub auto_merge_allowed: Option<bool>,
    /// What was read of `branches:`, when the repository lists several.
    pub branch_heads: Option<BranchHeads>,
}

/// The result for one repository of a metadata batch: `None` = not found / no access.
pub type MetaResult = Result<Option<RepoMeta>, GhError>;

/// What a metadata batch returns: one result per query, in order, and extras.
#[derive(Debug, Clone, Default)]
pub struct MetaBatch {
    pub repos: Vec<MetaResult>,
    /// The requested file's text (hub manifest), if one was asked for and exists.
    pub file: Option<String>,
}

/// REST compare of a fork's branch with its upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// Upstream commits the branch lacks.
    pub behind: u32,
    /// The branch's own commits the upstream lacks.
    pub ahead: u32,
    /// Commit date of the oldest upstream commit the branch lacks.
    pub oldest_missing: Option<DateTime<Utc>>,
    /// The missing upstream changes touch `.github/workflows/`.
    pub touches_workflows: bool,
}

/// Outcome of moving a ref.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefUpdate {
    Done,
    /// `force: false` and it would not be a fast-forward.
    NotFastForward,
    /// Refused because the new commits change workflow files and the token lacks that right.
    WorkflowRefused(String),
    /// Creating a ref that already exists.
    AlreadyExists,
    /// 404 Not Found on a repository the gather could read: GitHub says this both when the new
    /// commit has not reached the fork yet (cli/cli#4907) and when the token may not write the
    /// update's workflow changes (cli/cli#7574); the caller tells them apart.
    NotFound,
}

/// What GitHub's `merge-upstream` did to a fork's branch, or why it did not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeUpstream {
    /// `merge_type: fast-forward`: the branch now points at the upstream's head.
    FastForward,
    /// `merge_type: none`: the branch was not behind the upstream.
    NotBehind,
    /// `merge_type: merge`: GitHub made a merge commit on the branch.
    Merged,
    /// 409: the branch and the upstream conflict.
    Conflict(String),
    /// Refused (422: e.g. a workflow change the token may not make; 404: unavailable), with
    /// the status and GitHub's message.
    Refused(u16, String),
}

/// How the token was issued, as far as GitHub's answers tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenKind {
    /// A classic personal access token or OAuth token: its answers carry `x-oauth-scopes`.
    Classic,
    /// A GitHub App's installation token, minted by this run.
    App,
    /// No scopes header: a fine-grained personal access token, `GITHUB_TOKEN`, or an
    /// installation token passed as a token; or nothing answered yet.
    #[default]
    Unknown,
}

/// Whether the token may create or update files under `.github/workflows/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WorkflowRight {
    Granted,
    Missing,
    /// GitHub does not say (a fine-grained token's permissions are not in its answers).
    #[default]
    Unknown,
}

/// What the credentials are known to allow, from GitHub's own answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TokenRights {
    pub kind: TokenKind,
    pub workflows: WorkflowRight,
}

impl TokenRights {
    /// From a classic token's `x-oauth-scopes` header (`None`: the answer had none, so the
    /// token is not a classic one): its scopes include `workflow` or not.
    pub fn from_scopes(header: Option<&str>) -> Self {
        let Some(scopes) = header else {
            return Self::default();
        };
        let granted = scopes.split(',').any(|s| s.trim() == "workflow");
        Self {
            kind: TokenKind::Classic,
            workflows: if granted {
                WorkflowRight::Granted
            } else {
                WorkflowRight::Missing
            },
        }
    }

    /// From the `permissions` of an App installation token's answer
    /// (`POST /app/installations/{id}/access_tokens`): `workflows: write` or not; `None` when
    /// the answer listed no permissions.
    pub fn from_installation(permissions: Option<&serde_json::Value>) -> Self {
        let workflows = match permissions.and_then(|p| p.as_object()) {
            None => WorkflowRight::Unknown,
            Some(p) if p.get("workflows").and_then(|w| w.as_str()) == Some("write") => {
                WorkflowRight::Granted
            }
            Some(_) => WorkflowRight::Missing,
        };
        Self {
            kind: TokenKind::App,
            workflows,
        }
    }
}

/// What one answer's headers say about the credentials: a classic token's scopes, a token's
/// expiry and its hourly limit are only in headers, never in a body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenProbe {
    /// The answer's status (200; 404 on an Enterprise Server whose rate limiting is off).
    pub status: u16,
    /// `x-oauth-scopes` as sent: `Some` (possibly empty) for classic and OAuth tokens only.
    pub scopes: Option<String>,
    /// `github-authentication-token-expiration` as sent, for a token made with an expiration.
    pub expiration: Option<String>,
    /// `x-ratelimit-limit`: the token's requests an hour.
    pub rate_limit: Option<u64>,
}

/// A new pull request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewPull {
    pub title: String,
    /// `branch` in the same repository, or `owner:branch` in another of the network.
    pub head: String,
    pub base: String,
    pub body: String,
    pub draft: bool,
}

/// An entry of a Git tree to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeFile {
    pub path: String,
    pub content: String,
}

/// Request counts of one client, by kind, for reports and benchmarks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RequestStats {
    pub graphql: u64,
    pub compare: u64,
    pub writes: u64,
    pub other: u64,
    pub retries: u64,
    pub rate_limit_remaining: Option<u64>,
}

impl RequestStats {
    pub fn total(&self) -> u64 {
        self.graphql + self.compare + self.writes + self.other
    }
}

/// Everything priority-sync asks of GitHub, in four groups: the batched GraphQL reads, the
/// REST reads, the REST writes, and bookkeeping. A new call goes into its group here, and in
/// the [`Client`] into `graphql_post.rs`, `reads.rs` or `writes.rs`.
#[async_trait]
pub trait GitHub: Send + Sync {
    // ---- batched reads (GraphQL) ----

    /// Metadata for up to 100 repositories in one GraphQL request; optionally also reads one
    /// file (`owner/name`, path) in the same request.
    async fn metadata(
        &self,
        queries: &[RepoQuery],
        file: Option<(&RepoName, &str)>,
    ) -> Result<MetaBatch, GhError>;

    /// For forks whose head differs from their upstream's, in one GraphQL request: per ask,
    /// the comparison when the fork's head is among the upstream head's latest commits (plainly
    /// behind), `None` when a [`GitHub::compare`] must decide.
    async fn ancestry(&self, asks: &[AncestryAsk]) -> Result<Vec<Option<Comparison>>, GhError>;

    /// For forks whose compare GitHub could not compute ([`GhError::DiffUnavailable`]), in one
    /// GraphQL request: per ask, how many commits the upstream head's and the fork head's
    /// histories hold (`None` when either cannot be read). The default knows nothing.
    async fn history_sizes(
        &self,
        asks: &[AncestryAsk],
    ) -> Result<Vec<Option<(u64, u64)>>, GhError> {
        Ok(vec![None; asks.len()])
    }

    /// A page of tags of each repository asked, in one GraphQL request per batch: per ask,
    /// its page, or why it could not be read. The default reads nothing (every ask fails).
    async fn tags(&self, asks: &[TagAsk]) -> Result<Vec<Result<TagPage, GhError>>, GhError> {
        Ok(asks
            .iter()
            .map(|_| {
                Err(GhError::Status(
                    501,
                    "tags are not read by this client".into(),
                ))
            })
            .collect())
    }

    // ---- reads (REST) ----

    /// Compares `repo`'s `branch` with `upstream`'s `upstream_branch` (same fork network).
    /// `None` when either side is not found or they are not in one network;
    /// [`GhError::DiffUnavailable`] when GitHub cannot compute it (a range too large to diff).
    async fn compare(
        &self,
        repo: &RepoName,
        branch: &str,
        upstream: &RepoName,
        upstream_branch: &str,
    ) -> Result<Option<Comparison>, GhError>;

    /// Open pull requests with this head (`owner:branch`) into `base`.
    async fn open_pulls(
        &self,
        repo: &RepoName,
        head: &str,
        base: &str,
    ) -> Result<Vec<PullInfo>, GhError>;

    /// One pull request (to read `mergeable`).
    async fn pull(&self, repo: &RepoName, number: u64) -> Result<Option<PullInfo>, GhError>;

    /// A branch's head commit, `None` if the branch does not exist.
    async fn branch_head(&self, repo: &RepoName, branch: &str) -> Result<Option<Oid>, GhError>;

    /// The tree of a commit.
    async fn commit_tree(&self, repo: &RepoName, sha: &str) -> Result<Option<Oid>, GhError>;

    /// A file's bytes at a ref (default branch when `None`).
    async fn file(
        &self,
        repo: &RepoName,
        path: &str,
        git_ref: Option<&str>,
    ) -> Result<Option<Vec<u8>>, GhError>;

    /// `GET /rate_limit` (free of the primary limit) for what its headers say about the token
    /// ([`TokenProbe`]). `None` for App credentials, whose tokens priority-sync mints (their
    /// permissions come with them: [`GitHub::installation_permissions`]). The default knows
    /// nothing.
    async fn token_probe(&self) -> Result<Option<TokenProbe>, GhError> {
        Ok(None)
    }

    // ---- writes (REST, paced) ----

    async fn update_ref(
        &self,
        repo: &RepoName,
        branch: &str,
        sha: &str,
        force: bool,
    ) -> Result<RefUpdate, GhError>;

    async fn create_ref(
        &self,
        repo: &RepoName,
        branch: &str,
        sha: &str,
    ) -> Result<RefUpdate, GhError>;

    /// Creates tag `name` in `repo` at `object` (`POST …/git/refs` with `refs/tags/<name>`):
    /// an annotated tag's object keeps it annotated. `AlreadyExists` when the fork has the
    /// tag; `NotFound` while the object has not reached the fork. The default writes nothing.
    async fn create_tag(
        &self,
        _repo: &RepoName,
        _name: &TagName,
        _object: &Oid,
    ) -> Result<RefUpdate, GhError> {
        Err(GhError::Status(
            501,
            "tags are not written by this client".into(),
        ))
    }

    async fn create_pull(&self, repo: &RepoName, pull: &NewPull) -> Result<PullInfo, GhError>;

    async fn update_pull_body(
        &self,
        repo: &RepoName,
        number: u64,
        title: &str,
        body: &str,
    ) -> Result<(), GhError>;

    /// Closes a pull request (state only: no comment).
    async fn close_pull(&self, repo: &RepoName, number: u64) -> Result<(), GhError>;

    async fn add_labels(
        &self,
        repo: &RepoName,
        number: u64,
        labels: &[String],
    ) -> Result<(), GhError>;

    async fn request_reviewers(
        &self,
        repo: &RepoName,
        number: u64,
        users: &[String],
        teams: &[String],
    ) -> Result<(), GhError>;

    /// `POST …/issues/{n}/assignees`: assigns users to a pull request (through the issue it
    /// also is). GitHub adds up to 10 and silently ignores users it cannot assign.
    async fn add_assignees(
        &self,
        repo: &RepoName,
        number: u64,
        logins: &[String],
    ) -> Result<(), GhError>;

    /// Writes files on top of `base_tree` and returns the new tree (blobs inline).
    async fn create_tree(
        &self,
        repo: &RepoName,
        base_tree: &str,
        files: &[TreeFile],
    ) -> Result<Oid, GhError>;

    async fn create_commit(
        &self,
        repo: &RepoName,
        message: &str,
        tree: &str,
        parents: &[Oid],
    ) -> Result<Oid, GhError>;

    /// `POST …/merge-upstream` for `branch`: GitHub brings the parent's branch into it, by
    /// fast-forward when it can and otherwise by a merge commit; it also brings the upstream's
    /// new commits into the fork. Only called under the guard of `apply::not_found`.
    async fn merge_upstream(&self, repo: &RepoName, branch: &str)
        -> Result<MergeUpstream, GhError>;

    // ---- writes (GraphQL mutations, paced like REST writes) ----

    /// `enablePullRequestAutoMerge` for the pull request with global id `pull_id`: GitHub
    /// merges it by `method` once its base branch's required checks pass. A refusal is an
    /// answer ([`AutoMergeAnswer`]), not an error.
    async fn enable_auto_merge(
        &self,
        repo: &RepoName,
        pull_id: &str,
        method: crate::config::MergeMethod,
    ) -> Result<AutoMergeAnswer, GhError>;

    // ---- bookkeeping ----

    /// Request counts so far.
    fn stats(&self) -> RequestStats;

    /// What the credentials used for `repo` are known to allow (from GitHub's answers so far).
    async fn token_rights(&self, _repo: &RepoName) -> TokenRights {
        TokenRights::default()
    }

    /// For App credentials, the `permissions` the access-token answer for `repo`'s owner
    /// listed (`None`: not an App, or no token minted for that owner yet). The default knows
    /// nothing.
    async fn installation_permissions(&self, _repo: &RepoName) -> Option<serde_json::Value> {
        None
    }

    /// Why the credentials cannot write to `repo`, when what GitHub said about them settles it
    /// before any write (an App installation granted `contents: read`). The default knows
    /// nothing.
    fn write_refusal(&self, _repo: &RepoName) -> Option<String> {
        None
    }

    /// Repositories with different keys cannot share a metadata request (e.g. different App
    /// installations). The default puts everything in one group.
    fn batch_key(&self, _repo: &RepoName) -> String {
        String::new()
    }
}
