//! The real GitHub client, assembled: a [`Transport`] (retries, limits, pacing, deadlines,
//! counts), an [`Auth`] (token or GitHub App installation tokens) and the [`Endpoints`]
//! (any API base: github.com, Enterprise Server, the local sandbox). Its [`GitHub`] methods
//! hand each call to the module that knows the route: `graphql_post`, `reads`, `writes`.

use std::time::Duration;

use async_trait::async_trait;
use http::Method;
use serde_json::Value;

use super::auth::Auth;
pub use super::auth::Credentials;
use super::transport::{Answer, Kind, RetryPolicy, Transport};
use super::url::Endpoints;
use super::*;
use crate::ids::{Oid, TagName};

/// Settings of a [`Client`].
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// REST base, e.g. `https://api.github.com` or `https://ghe.corp/api/v3`.
    pub api_url: String,
    /// GraphQL endpoint, e.g. `https://api.github.com/graphql` or `https://ghe.corp/api/graphql`.
    pub graphql_url: String,
    pub credentials: Credentials,
    pub max_inflight: usize,
    pub writes_per_minute: u32,
    /// Points a minute GitHub allows one REST endpoint (900 on github.com).
    pub endpoint_points_per_minute: u32,
    /// Attempts after the first for retryable failures.
    pub max_retries: u32,
    /// First backoff step for 5xx and dropped connections.
    pub backoff_base: Duration,
    /// Longest single wait for a rate limit; longer → give up (work stays pending).
    pub max_wait: Duration,
    /// Per-request timeout.
    pub timeout: Duration,
}

impl ClientConfig {
    pub fn new(api_url: &str, graphql_url: &str, credentials: Credentials) -> Self {
        Self {
            api_url: api_url.trim_end_matches('/').to_string(),
            graphql_url: graphql_url.to_string(),
            credentials,
            max_inflight: 8,
            writes_per_minute: 60,
            endpoint_points_per_minute: 900,
            max_retries: 4,
            backoff_base: Duration::from_millis(500),
            max_wait: Duration::from_secs(120),
            timeout: Duration::from_secs(30),
        }
    }
}

/// The real client.
pub struct Client {
    pub(super) transport: Transport,
    pub(super) endpoints: Endpoints,
    auth: Auth,
}

impl Client {
    pub fn new(cfg: ClientConfig) -> Result<Self, GhError> {
        let policy = RetryPolicy {
            max_retries: cfg.max_retries,
            backoff_base: cfg.backoff_base,
            max_wait: cfg.max_wait,
            timeout: cfg.timeout,
        };
        let transport = Transport::new(
            &cfg.api_url,
            cfg.max_inflight,
            cfg.writes_per_minute,
            policy,
        )?
        .with_endpoint_limit(cfg.endpoint_points_per_minute);
        Ok(Self {
            transport,
            endpoints: Endpoints {
                api: cfg.api_url,
                graphql: cfg.graphql_url,
            },
            auth: Auth::new(cfg.credentials),
        })
    }

    /// Registers a callback for secrets created at run time (installation tokens).
    pub fn on_secret(mut self, f: impl Fn(&str) + Send + Sync + 'static) -> Self {
        self.auth.set_on_secret(Box::new(f));
        self
    }

    /// Token for requests about `repo` (and every repository of its owner).
    pub(super) async fn token_for(&self, repo: &RepoName) -> Result<String, GhError> {
        self.auth
            .token_for(&self.transport, &self.endpoints, repo)
            .await
    }

    /// The token, when the credentials are one (not an App).
    pub(super) fn plain_token(&self) -> Option<&str> {
        self.auth.plain_token()
    }

    /// One REST request about `repo` (its token, a path under the REST base); any status.
    pub(super) async fn rest(
        &self,
        method: Method,
        repo: &RepoName,
        path: &str,
        body: Option<&Value>,
        kind: Kind,
    ) -> Result<Answer, GhError> {
        let token = self.token_for(repo).await?;
        self.transport
            .send(method, &self.endpoints.rest(path), body, kind, &token)
            .await
    }
}

#[async_trait]
impl GitHub for Client {
    async fn metadata(
        &self,
        queries: &[RepoQuery],
        file: Option<(&RepoName, &str)>,
    ) -> Result<MetaBatch, GhError> {
        graphql_post::metadata(self, queries, file).await
    }

    async fn ancestry(&self, asks: &[AncestryAsk]) -> Result<Vec<Option<Comparison>>, GhError> {
        graphql_post::ancestry(self, asks).await
    }

    async fn history_sizes(
        &self,
        asks: &[AncestryAsk],
    ) -> Result<Vec<Option<(u64, u64)>>, GhError> {
        graphql_post::history_sizes(self, asks).await
    }

    async fn tags(&self, asks: &[TagAsk]) -> Result<Vec<Result<TagPage, GhError>>, GhError> {
        graphql_post::tags(self, asks).await
    }

    async fn compare(
        &self,
        repo: &RepoName,
        branch: &str,
        upstream: &RepoName,
        upstream_branch: &str,
    ) -> Result<Option<Comparison>, GhError> {
        reads::compare(self, repo, branch, upstream, upstream_branch).await
    }

    async fn open_pulls(
        &self,
        repo: &RepoName,
        head: &str,
        base: &str,
    ) -> Result<Vec<PullInfo>, GhError> {
        reads::open_pulls(self, repo, head, base).await
    }

    async fn pull(&self, repo: &RepoName, number: u64) -> Result<Option<PullInfo>, GhError> {
        reads::pull(self, repo, number).await
    }

    async fn branch_head(&self, repo: &RepoName, branch: &str) -> Result<Option<Oid>, GhError> {
        reads::branch_head(self, repo, branch).await
    }

    async fn commit_tree(&self, repo: &RepoName, sha: &str) -> Result<Option<Oid>, GhError> {
        reads::commit_tree(self, repo, sha).await
    }

    async fn file(
        &self,
        repo: &RepoName,
        path: &str,
        git_ref: Option<&str>,
    ) -> Result<Option<Vec<u8>>, GhError> {
        reads::file(self, repo, path, git_ref).await
    }

    async fn token_probe(&self) -> Result<Option<TokenProbe>, GhError> {
        reads::token_probe(self).await
    }

    async fn update_ref(
        &self,
        repo: &RepoName,
        branch: &str,
        sha: &str,
        force: bool,
    ) -> Result<RefUpdate, GhError> {
        writes::update_ref(self, repo, branch, sha, force).await
    }

    async fn create_ref(
        &self,
        repo: &RepoName,
        branch: &str,
        sha: &str,
    ) -> Result<RefUpdate, GhError> {
        writes::create_ref(self, repo, branch, sha).await
    }

    async fn create_tag(
        &self,
        repo: &RepoName,
        name: &TagName,
        object: &Oid,
    ) -> Result<RefUpdate, GhError> {
        writes::create_tag(self, repo, name, object).await
    }

    async fn create_pull(&self, repo: &RepoName, pull: &NewPull) -> Result<PullInfo, GhError> {
        writes::create_pull(self, repo, pull).await
    }

    async fn update_pull_body(
        &self,
        repo: &RepoName,
        number: u64,
        title: &str,
        body: &str,
    ) -> Result<(), GhError> {
        writes::update_pull_body(self, repo, number, title, body).await
    }

    async fn close_pull(&self, repo: &RepoName, number: u64) -> Result<(), GhError> {
        writes::close_pull(self, repo, number).await
    }

    async fn add_labels(
        &self,
        repo: &RepoName,
        number: u64,
        labels: &[String],
    ) -> Result<(), GhError> {
        writes::add_labels(self, repo, number, labels).await
    }

    async fn request_reviewers(
        &self,
        repo: &RepoName,
        number: u64,
        users: &[String],
        teams: &[String],
    ) -> Result<(), GhError> {
        writes::request_reviewers(self, repo, number, users, teams).await
    }

    async fn add_assignees(
        &self,
        repo: &RepoName,
        number: u64,
        logins: &[String],
    ) -> Result<(), GhError> {
        writes::add_assignees(self, repo, number, logins).await
    }

    async fn enable_auto_merge(
        &self,
        repo: &RepoName,
        pull_id: &str,
        method: crate::config::MergeMethod,
    ) -> Result<AutoMergeAnswer, GhError> {
        mutations::enable_auto_merge(self, repo, pull_id, method).await
    }

    async fn create_tree(
        &self,
        repo: &RepoName,
        base_tree: &str,
        files: &[TreeFile],
    ) -> Result<Oid, GhError> {
        writes::create_tree(self, repo, base_tree, files).await
    }

    async fn create_commit(
        &self,
        repo: &RepoName,
        message: &str,
        tree: &str,
        parents: &[Oid],
    ) -> Result<Oid, GhError> {
        writes::create_commit(self, repo, message, tree, parents).await
    }

    async fn merge_upstream(
        &self,
        repo: &RepoName,
        branch: &str,
    ) -> Result<MergeUpstream, GhError> {
        writes::merge_upstream(self, repo, branch).await
    }

    fn stats(&self) -> RequestStats {
        self.transport.stats()
    }

    async fn token_rights(&self, repo: &RepoName) -> TokenRights {
        // An App's installation token says in its own answer; any other token in the
        // `x-oauth-scopes` of every answer (only classic tokens carry it).
        match self.auth.app_rights(repo).await {
            Some(rights) => rights,
            None => self.transport.scope_rights(),
        }
    }

    async fn installation_permissions(&self, repo: &RepoName) -> Option<Value> {
        self.auth.installation_permissions(repo).await
    }

    fn write_refusal(&self, repo: &RepoName) -> Option<String> {
        self.auth.write_refusal(repo)
    }

    fn batch_key(&self, repo: &RepoName) -> String {
        // An installation token reaches one installation: batch by owner.
        self.auth.batch_key(repo)
    }
}
