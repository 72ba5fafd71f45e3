//! The real GitHub client: REST and GraphQL over octocrab's HTTP stack, against any API base
//! (github.com, Enterprise Server, the local sandbox). It authenticates each request itself
//! (token, or GitHub App installation tokens per owner), retries 5xx and dropped connections
//! with jittered backoff, honours `retry-after` and `x-ratelimit-reset`, paces writes under
//! GitHub's content-creation limit, caps requests in flight, and counts what it sends.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use http::{HeaderMap, Method, StatusCode};
use http_body_util::BodyExt;
use octocrab::Octocrab;
use serde_json::{json, Value};
use tokio::sync::Semaphore;

use super::pacing::{backoff, Pacer};
use super::*;

/// How to authenticate.
#[derive(Clone)]
pub enum Credentials {
    /// A PAT, an installation token or `GITHUB_TOKEN`.
    Token(String),
    /// A GitHub App: installation tokens are minted per repository owner.
    App { app_id: u64, private_key: String },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Token(_) => f.write_str("Token(***)"),
            Credentials::App { app_id, .. } => write!(f, "App({app_id}, ***)"),
        }
    }
}

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
            max_retries: 4,
            backoff_base: Duration::from_millis(500),
            max_wait: Duration::from_secs(120),
            timeout: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Graphql,
    Compare,
    Write,
    Other,
}

/// An answer with its status and headers.
struct Answer {
    status: StatusCode,
    body: Value,
}

impl Answer {
    fn message(&self) -> String {
        let msg = self
            .body
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let details: Vec<String> = self
            .body
            .get("errors")
            .and_then(Value::as_array)
            .map(|errs| {
                errs.iter()
                    .filter_map(|e| {
                        e.get("message")
                            .and_then(Value::as_str)
                            .map(str::to_string)
                            .or_else(|| e.as_str().map(str::to_string))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let text = if details.is_empty() {
            msg
        } else {
            format!("{msg}: {}", details.join("; "))
        };
        // Bodies come from the network: keep them short and on one line.
        crate::action_io::log::sanitize(&text.chars().take(300).collect::<String>())
    }

    fn error(&self) -> GhError {
        let m = self.message();
        match self.status.as_u16() {
            401 => GhError::Unauthorized(m),
            403 => GhError::Forbidden(m),
            409 => GhError::Conflict(m),
            422 => GhError::Unprocessable(m),
            429 => GhError::RateLimited(m),
            s => GhError::Status(s, m),
        }
    }
}

struct AppToken {
    token: String,
    expires: DateTime<Utc>,
}

/// The real client.
pub struct Client {
    octo: Octocrab,
    cfg: ClientConfig,
    sem: Semaphore,
    pacer: Pacer,
    stats: Mutex<RequestStats>,
    app_tokens: tokio::sync::Mutex<HashMap<String, AppToken>>,
    /// Called with each new secret (minted installation tokens) so the runner can mask it.
    on_secret: Box<dyn Fn(&str) + Send + Sync>,
}

impl Client {
    pub fn new(cfg: ClientConfig) -> Result<Self, GhError> {
        let origin = origin_of(&cfg.api_url)
            .ok_or_else(|| GhError::Decode(format!("`{}` is not an http(s) URL", cfg.api_url)))?;
        // octocrab gets only the origin: its base-URI layer would prefix a base path onto
        // absolute URLs (breaking Enterprise Server's /api/graphql), so full URLs are built here.
        let octo = Octocrab::builder()
            .base_uri(origin)
            .map_err(|e| GhError::Decode(e.to_string()))?
            .set_connect_timeout(Some(Duration::from_secs(10)))
            .set_read_timeout(Some(cfg.timeout))
            .set_write_timeout(Some(cfg.timeout))
            .build()
            .map_err(|e| {
                GhError::Transport(format!(
                    "cannot set up HTTPS ({e}); the system's CA certificates are used: install them, or point SSL_CERT_FILE at a PEM bundle (e.g. your Enterprise Server's CA)"
                ))
            })?;
        Ok(Self {
            octo,
            sem: Semaphore::new(cfg.max_inflight.max(1)),
            pacer: Pacer::per_minute(cfg.writes_per_minute),
            stats: Mutex::new(RequestStats::default()),
            app_tokens: tokio::sync::Mutex::new(HashMap::new()),
            on_secret: Box::new(|_| {}),
            cfg,
        })
    }

    /// Registers a callback for secrets created at run time (installation tokens).
    pub fn on_secret(mut self, f: impl Fn(&str) + Send + Sync + 'static) -> Self {
        self.on_secret = Box::new(f);
        self
    }

    /// Posts one GraphQL document with the token for `repo` (and its owner) and returns the
    /// answer; the points left, when the query asks for them, are kept for the budget check.
    async fn post_graphql(
        &self,
        repo: &RepoName,
        q: graphql::BatchQuery,
    ) -> Result<Value, GhError> {
        let token = self.token_for(repo).await?;
        let body = json!({ "query": q.query, "variables": q.variables });
        let a = self
            .send_raw(
                Method::POST,
                &self.cfg.graphql_url,
                Some(&body),
                Kind::Graphql,
                &token,
            )
            .await?;
        if !a.status.is_success() {
            return Err(a.error());
        }
        if let Some(rem) = graphql::rate_remaining(&a.body) {
            let mut s = self.stats.lock().unwrap_or_else(|e| e.into_inner());
            s.rate_limit_remaining = Some(s.rate_limit_remaining.map_or(rem, |r| r.min(rem)));
        }
        Ok(a.body)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.cfg.api_url)
    }

    /// Token for requests about `repo` (and every repository of its owner).
    async fn token_for(&self, repo: &RepoName) -> Result<String, GhError> {
        match &self.cfg.credentials {
            Credentials::Token(t) => Ok(t.clone()),
            Credentials::App {
                app_id,
                private_key,
            } => {
                let key = repo.owner().to_ascii_lowercase();
                let mut cache = self.app_tokens.lock().await;
                if let Some(t) = cache.get(&key) {
                    if t.expires - Utc::now() > chrono::Duration::minutes(5) {
                        return Ok(t.token.clone());
                    }
                }
                let minted = self
                    .mint_installation_token(*app_id, private_key, repo)
                    .await?;
                (self.on_secret)(&minted.token);
                let token = minted.token.clone();
                cache.insert(key, minted);
                Ok(token)
            }
        }
    }

    /// App JWT → the installation that covers `repo` → an installation token for it.
    async fn mint_installation_token(
        &self,
        app_id: u64,
        private_key: &str,
        repo: &RepoName,
    ) -> Result<AppToken, GhError> {
        let key = octocrab::jsonwebtoken::EncodingKey::from_rsa_pem(private_key.as_bytes())
            .map_err(|e| {
                GhError::Unauthorized(format!(
                    "the GitHub App private key is not a valid RSA PEM key: {e}"
                ))
            })?;
        let jwt = octocrab::auth::create_jwt(app_id.into(), &key)
            .map_err(|e| GhError::Unauthorized(format!("cannot sign the App JWT: {e}")))?;
        let a = self
            .send_raw(
                Method::GET,
                &self.url(&format!("{}/installation", repo_path(repo))),
                None,
                Kind::Other,
                &jwt,
            )
            .await?;
        let id = match a.status.as_u16() {
            200..=299 => a.body.get("id").and_then(Value::as_u64),
            404 => None,
            _ => return Err(a.error()),
        }
        .ok_or_else(|| {
            GhError::Forbidden(format!(
                "the GitHub App {app_id} is not installed on `{}` (or not on {repo}); install it there with contents, pull requests and workflows permissions",
                repo.owner()
            ))
        })?;
        let a = self
            .send_raw(
                Method::POST,
                &self.url(&format!("/app/installations/{id}/access_tokens")),
                Some(&json!({})),
                Kind::Write,
                &jwt,
            )
            .await?;
        if !a.status.is_success() {
            return Err(a.error());
        }
        let token = a
            .body
            .get("token")
            .and_then(Value::as_str)
            .ok_or_else(|| GhError::Decode("installation token answer without `token`".into()))?
            .to_string();
        let expires = a
            .body
            .get("expires_at")
            .and_then(Value::as_str)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| Utc::now() + chrono::Duration::minutes(55));
        Ok(AppToken { token, expires })
    }

    fn count(&self, kind: Kind, retry: bool) {
        let mut s = self.stats.lock().unwrap_or_else(|e| e.into_inner());
        match kind {
            Kind::Graphql => s.graphql += 1,
            Kind::Compare => s.compare += 1,
            Kind::Write => s.writes += 1,
            Kind::Other => s.other += 1,
        }
        if retry {
            s.retries += 1;
        }
    }

    fn note_rate(&self, headers: &HeaderMap) {
        if let Some(rem) = header_u64(headers, "x-ratelimit-remaining") {
            let mut s = self.stats.lock().unwrap_or_else(|e| e.into_inner());
            s.rate_limit_remaining = Some(rem);
        }
    }

    /// Sends one request with retries; returns the final answer (any status).
    async fn send_raw(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
        kind: Kind,
        token: &str,
    ) -> Result<Answer, GhError> {
        let mut attempt = 0u32;
        loop {
            let result = {
                let _permit = self
                    .sem
                    .acquire()
                    .await
                    .map_err(|e| GhError::Transport(e.to_string()))?;
                if kind == Kind::Write {
                    self.pacer.wait().await;
                }
                self.count(kind, attempt > 0);
                self.send_once(&method, url, body, token).await
            };
            let wait = match &result {
                Err(e) => Retry::After(
                    backoff(self.cfg.backoff_base, attempt, Duration::from_secs(30)),
                    e.to_string(),
                ),
                Ok((status, headers, answer)) => {
                    self.retry_decision(*status, headers, answer, attempt)
                }
            };
            match wait {
                Retry::No => return result.map(|(_, _, a)| a),
                Retry::After(d, why)
                    if attempt < self.cfg.max_retries && d <= self.cfg.max_wait =>
                {
                    log::debug!(
                        "{method} {}: {why}; retrying in {:.1}s",
                        path_of(url),
                        d.as_secs_f64()
                    );
                    tokio::time::sleep(d).await;
                    attempt += 1;
                }
                Retry::After(d, why) => {
                    return match result {
                        Ok((_, _, a))
                            if a.status.as_u16() == 403
                                || a.status.as_u16() == 429
                                || is_graphql_rate_limited(&a) =>
                        {
                            Err(GhError::RateLimited(format!(
                                "{why} (would wait {}s)",
                                d.as_secs()
                            )))
                        }
                        Ok((_, _, a)) => Ok(a),
                        Err(e) => Err(e),
                    }
                }
            }
        }
    }

    fn retry_decision(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        a: &Answer,
        attempt: u32,
    ) -> Retry {
        self.note_rate(headers);
        let code = status.as_u16();
        let retry_after = header_u64(headers, "retry-after").map(Duration::from_secs);
        let until_reset = || {
            header_u64(headers, "x-ratelimit-reset").map(|reset| {
                let now = Utc::now().timestamp().max(0) as u64;
                Duration::from_secs(reset.saturating_sub(now) + 1)
            })
        };
        if code == 429 || (code == 403 && retry_after.is_some()) {
            let d = retry_after.or_else(until_reset).unwrap_or_else(|| {
                backoff(Duration::from_secs(60), attempt, Duration::from_secs(600))
            });
            return Retry::After(d, format!("secondary rate limit ({code})"));
        }
        if code == 403 && header_u64(headers, "x-ratelimit-remaining") == Some(0) {
            let d = until_reset().unwrap_or(Duration::from_secs(60));
            return Retry::After(d, "primary rate limit exhausted".into());
        }
        if code == 403
            && a.message()
                .to_ascii_lowercase()
                .contains("secondary rate limit")
        {
            return Retry::After(
                backoff(Duration::from_secs(60), attempt, Duration::from_secs(600)),
                "secondary rate limit (403)".into(),
            );
        }
        if is_graphql_rate_limited(a) {
            let d = until_reset().unwrap_or(Duration::from_secs(60));
            return Retry::After(d, "GraphQL rate limit".into());
        }
        if matches!(code, 500 | 502 | 503 | 504) {
            return Retry::After(
                backoff(self.cfg.backoff_base, attempt, Duration::from_secs(30)),
                format!("server error {code}"),
            );
        }
        Retry::No
    }

    async fn send_once(
        &self,
        method: &Method,
        url: &str,
        body: Option<&Value>,
        token: &str,
    ) -> Result<(StatusCode, HeaderMap, Answer), GhError> {
        let builder = http::Request::builder()
            .method(method.clone())
            .uri(url)
            .header(http::header::AUTHORIZATION, format!("Bearer {token}"))
            .header(http::header::ACCEPT, "application/vnd.github+json")
            .header("x-github-api-version", "2022-11-28")
            .header(
                http::header::USER_AGENT,
                concat!("priority-sync/", env!("CARGO_PKG_VERSION")),
            );
        let req = self
            .octo
            .build_request(builder, body)
            .map_err(|e| GhError::Transport(e.to_string()))?;
        let fut = self.octo.execute(req);
        let resp = match tokio::time::timeout(self.cfg.timeout * 2, fut).await {
            Err(_) => return Err(GhError::Transport("timed out".into())),
            Ok(Err(e)) => return Err(GhError::Transport(transport_message(&e))),
            Ok(Ok(r)) => r,
        };
        let (parts, body) = resp.into_parts();
        let bytes = body
            .collect()
            .await
            .map_err(|e| GhError::Transport(transport_message(&e)))?
            .to_bytes();
        let json = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                json!({ "message": String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).to_string() })
            })
        };
        Ok((
            parts.status,
            parts.headers,
            Answer {
                status: parts.status,
                body: json,
            },
        ))
    }

    async fn request(
        &self,
        method: Method,
        repo: &RepoName,
        path: &str,
        body: Option<&Value>,
        kind: Kind,
    ) -> Result<Answer, GhError> {
        let token = self.token_for(repo).await?;
        self.send_raw(method, &self.url(path), body, kind, &token)
            .await
    }

    /// GET that maps 404 to `None` and other failures to errors.
    async fn get(&self, repo: &RepoName, path: &str, kind: Kind) -> Result<Option<Value>, GhError> {
        let a = self.request(Method::GET, repo, path, None, kind).await?;
        match a.status.as_u16() {
            200..=299 => Ok(Some(a.body)),
            404 => Ok(None),
            _ => Err(a.error()),
        }
    }

    async fn write(
        &self,
        method: Method,
        repo: &RepoName,
        path: &str,
        body: &Value,
    ) -> Result<Value, GhError> {
        let a = self
            .request(method, repo, path, Some(body), Kind::Write)
            .await?;
        if a.status.is_success() {
            Ok(a.body)
        } else {
            Err(a.error())
        }
    }

    /// Ref writes: 422 is an answer here (not a fast-forward, workflow refused, exists).
    async fn ref_write(
        &self,
        method: Method,
        repo: &RepoName,
        path: &str,
        body: &Value,
    ) -> Result<RefUpdate, GhError> {
        let a = self
            .request(method, repo, path, Some(body), Kind::Write)
            .await?;
        if a.status.is_success() {
            return Ok(RefUpdate::Done);
        }
        let m = a.message();
        let lower = m.to_ascii_lowercase();
        match a.status.as_u16() {
            422 | 403 if lower.contains("workflow") => Ok(RefUpdate::WorkflowRefused(m)),
            422 if lower.contains("not a fast forward") || lower.contains("not a fast-forward") => {
                Ok(RefUpdate::NotFastForward)
            }
            422 if lower.contains("already exists") => Ok(RefUpdate::AlreadyExists),
            _ => Err(a.error()),
        }
    }
}

enum Retry {
    No,
    After(Duration, String),
}

fn is_graphql_rate_limited(a: &Answer) -> bool {
    a.status == StatusCode::OK
        && a.body
            .get("errors")
            .and_then(Value::as_array)
            .is_some_and(|errs| {
                errs.iter()
                    .any(|e| e.get("type").and_then(Value::as_str) == Some("RATE_LIMITED"))
            })
}

fn header_u64(h: &HeaderMap, name: &str) -> Option<u64> {
    h.get(name)?.to_str().ok()?.trim().parse().ok()
}

fn transport_message(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
    }
    msg
}

fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let host = rest.split('/').next()?;
    (!host.is_empty()).then(|| format!("{scheme}://{host}"))
}

fn path_of(url: &str) -> &str {
    url.split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or(url)
}

/// Percent-encodes a path segment (branch names keep their `/`).
fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// What a contents answer holds for a file.
#[derive(Debug, PartialEq, Eq)]
enum FileBody {
    /// The bytes, decoded.
    Inline(Vec<u8>),
    /// Only the blob's sha: files over 1 MB come with `content: ""` and `encoding: "none"`.
    Blob(String),
}

/// Reads a `GET …/contents/{path}` answer (`path` only names it in errors).
fn file_body(v: &Value, path: &str) -> Result<FileBody, GhError> {
    if v.get("type").and_then(Value::as_str) != Some("file") {
        return Err(GhError::Decode(format!("{path} is not a file")));
    }
    let content = v.get("content").and_then(Value::as_str).unwrap_or("");
    let encoding = v.get("encoding").and_then(Value::as_str).unwrap_or("");
    let size = v.get("size").and_then(Value::as_u64).unwrap_or(0);
    if encoding == "none" || (content.is_empty() && size > 0) {
        return v
            .get("sha")
            .and_then(Value::as_str)
            .map(|s| FileBody::Blob(s.to_string()))
            .ok_or_else(|| GhError::Decode(format!("{path}: no content and no blob sha")));
    }
    decode_base64(content, path).map(FileBody::Inline)
}

/// Reads a `GET …/git/blobs/{file_sha}` answer (base64 by default).
fn blob_bytes(v: &Value, path: &str) -> Result<Vec<u8>, GhError> {
    let content = v
        .get("content")
        .and_then(Value::as_str)
        .ok_or_else(|| GhError::Decode(format!("{path}: blob answer without content")))?;
    match v.get("encoding").and_then(Value::as_str) {
        Some("base64") => decode_base64(content, path),
        Some("utf-8" | "utf8") => Ok(content.as_bytes().to_vec()),
        other => Err(GhError::Decode(format!(
            "{path}: blob in an unknown encoding {other:?}"
        ))),
    }
}

/// GitHub wraps base64 at 60 columns.
fn decode_base64(content: &str, path: &str) -> Result<Vec<u8>, GhError> {
    let clean: String = content.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(clean)
        .map_err(|e| GhError::Decode(format!("{path}: bad base64: {e}")))
}

fn repo_path(repo: &RepoName) -> String {
    format!("/repos/{}/{}", enc(repo.owner()), enc(repo.name()))
}

fn pull_info(v: &Value) -> Option<PullInfo> {
    Some(PullInfo {
        number: v.get("number")?.as_u64()?,
        url: v.get("html_url")?.as_str()?.to_string(),
        title: v
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        head_ref: v.get("head")?.get("ref")?.as_str()?.to_string(),
        head_repo: v
            .get("head")?
            .get("repo")
            .and_then(|r| r.get("full_name"))
            .and_then(Value::as_str)
            .map(str::to_string),
        base_ref: v.get("base")?.get("ref")?.as_str()?.to_string(),
        body: v
            .get("body")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        labels: graphql::label_names(v.get("labels")),
        mergeable: v.get("mergeable").and_then(Value::as_bool),
        head_sha: v
            .get("head")?
            .get("sha")
            .and_then(Value::as_str)
            .map(str::to_string),
        open: v.get("state").and_then(Value::as_str) == Some("open"),
    })
}

#[async_trait]
impl GitHub for Client {
    async fn metadata(
        &self,
        queries: &[RepoQuery],
        file: Option<(&RepoName, &str)>,
    ) -> Result<MetaBatch, GhError> {
        let Some(first) = queries.first().map(|q| &q.repo).or(file.map(|(r, _)| r)) else {
            return Ok(MetaBatch::default());
        };
        let answer = self
            .post_graphql(first, graphql::build(queries, file))
            .await?;
        graphql::parse(queries, &answer)
    }

    async fn ancestry(&self, asks: &[AncestryAsk]) -> Result<Vec<Option<Comparison>>, GhError> {
        let Some(first) = asks.first() else {
            return Ok(Vec::new());
        };
        let answer = self
            .post_graphql(&first.repo, ancestry::build(asks))
            .await?;
        ancestry::parse(asks, &answer)
    }

    async fn compare(
        &self,
        repo: &RepoName,
        branch: &str,
        upstream: &RepoName,
        upstream_branch: &str,
    ) -> Result<Option<Comparison>, GhError> {
        // base = the fork's branch, head = the upstream: `ahead_by` is what the fork lacks.
        let head = if upstream.name().eq_ignore_ascii_case(repo.name()) {
            format!("{}:{}", enc(upstream.owner()), enc(upstream_branch))
        } else {
            format!(
                "{}:{}:{}",
                enc(upstream.owner()),
                enc(upstream.name()),
                enc(upstream_branch)
            )
        };
        let path = format!(
            "{}/compare/{}...{head}?per_page=1",
            repo_path(repo),
            enc(branch)
        );
        let Some(v) = self.get(repo, &path, Kind::Compare).await? else {
            return Ok(None);
        };
        let n = |k: &str| {
            v.get(k)
                .and_then(Value::as_u64)
                .unwrap_or(0)
                .min(u32::MAX as u64) as u32
        };
        let oldest_missing = v
            .get("commits")
            .and_then(Value::as_array)
            .and_then(|c| c.first())
            .and_then(|c| c.get("commit"))
            .and_then(|c| c.get("committer").or_else(|| c.get("author")))
            .and_then(|p| p.get("date"))
            .and_then(Value::as_str)
            .and_then(|s| s.parse().ok());
        let touches_workflows = v
            .get("files")
            .and_then(Value::as_array)
            .is_some_and(|files| {
                files.iter().any(|f| {
                    ["filename", "previous_filename"].iter().any(|k| {
                        f.get(*k)
                            .and_then(Value::as_str)
                            .is_some_and(|p| p.starts_with(".github/workflows/"))
                    })
                })
            });
        Ok(Some(Comparison {
            behind: n("ahead_by"),
            ahead: n("behind_by"),
            oldest_missing,
            touches_workflows,
        }))
    }

    async fn open_pulls(
        &self,
        repo: &RepoName,
        head: &str,
        base: &str,
    ) -> Result<Vec<PullInfo>, GhError> {
        let path = format!(
            "{}/pulls?state=open&head={}&base={}&per_page=100",
            repo_path(repo),
            enc(head).replace('/', "%2F"),
            enc(base).replace('/', "%2F")
        );
        Ok(self
            .get(repo, &path, Kind::Other)
            .await?
            .and_then(|v| {
                v.as_array()
                    .map(|a| a.iter().filter_map(pull_info).collect())
            })
            .unwrap_or_default())
    }

    async fn pull(&self, repo: &RepoName, number: u64) -> Result<Option<PullInfo>, GhError> {
        let path = format!("{}/pulls/{number}", repo_path(repo));
        Ok(self
            .get(repo, &path, Kind::Other)
            .await?
            .as_ref()
            .and_then(pull_info))
    }

    async fn branch_head(&self, repo: &RepoName, branch: &str) -> Result<Option<String>, GhError> {
        let path = format!("{}/git/ref/heads/{}", repo_path(repo), enc(branch));
        Ok(self
            .get(repo, &path, Kind::Other)
            .await?
            .and_then(|v| v.get("object")?.get("sha")?.as_str().map(str::to_string)))
    }

    async fn commit_tree(&self, repo: &RepoName, sha: &str) -> Result<Option<String>, GhError> {
        let path = format!("{}/git/commits/{}", repo_path(repo), enc(sha));
        Ok(self
            .get(repo, &path, Kind::Other)
            .await?
            .and_then(|v| v.get("tree")?.get("sha")?.as_str().map(str::to_string)))
    }

    async fn file(
        &self,
        repo: &RepoName,
        path: &str,
        git_ref: Option<&str>,
    ) -> Result<Option<Vec<u8>>, GhError> {
        let mut p = format!("{}/contents/{}", repo_path(repo), enc(path));
        if let Some(r) = git_ref {
            p.push_str(&format!("?ref={}", enc(r).replace('/', "%2F")));
        }
        let Some(v) = self.get(repo, &p, Kind::Other).await? else {
            return Ok(None);
        };
        match file_body(&v, path)? {
            FileBody::Inline(bytes) => Ok(Some(bytes)),
            // Over 1 MB the contents answer leaves the bytes out; the Git Data API serves the
            // blob itself (up to 100 MB).
            FileBody::Blob(sha) => {
                let bp = format!("{}/git/blobs/{}", repo_path(repo), enc(&sha));
                let Some(b) = self.get(repo, &bp, Kind::Other).await? else {
                    return Err(GhError::Decode(format!(
                        "{path}: blob {sha} named by the contents answer was not found"
                    )));
                };
                blob_bytes(&b, path).map(Some)
            }
        }
    }

    async fn update_ref(
        &self,
        repo: &RepoName,
        branch: &str,
        sha: &str,
        force: bool,
    ) -> Result<RefUpdate, GhError> {
        let path = format!("{}/git/refs/heads/{}", repo_path(repo), enc(branch));
        self.ref_write(
            Method::PATCH,
            repo,
            &path,
            &json!({ "sha": sha, "force": force }),
        )
        .await
    }

    async fn create_ref(
        &self,
        repo: &RepoName,
        branch: &str,
        sha: &str,
    ) -> Result<RefUpdate, GhError> {
        let path = format!("{}/git/refs", repo_path(repo));
        self.ref_write(
            Method::POST,
            repo,
            &path,
            &json!({ "ref": format!("refs/heads/{branch}"), "sha": sha }),
        )
        .await
    }

    async fn create_pull(&self, repo: &RepoName, pull: &NewPull) -> Result<PullInfo, GhError> {
        let path = format!("{}/pulls", repo_path(repo));
        let body = json!({
            "title": pull.title, "head": pull.head, "base": pull.base,
            "body": pull.body, "draft": pull.draft, "maintainer_can_modify": false
        });
        let v = self.write(Method::POST, repo, &path, &body).await?;
        pull_info(&v)
            .ok_or_else(|| GhError::Decode("pull request answer without number/url".into()))
    }

    async fn update_pull_body(
        &self,
        repo: &RepoName,
        number: u64,
        title: &str,
        body: &str,
    ) -> Result<(), GhError> {
        let path = format!("{}/pulls/{number}", repo_path(repo));
        self.write(
            Method::PATCH,
            repo,
            &path,
            &json!({ "title": title, "body": body }),
        )
        .await
        .map(|_| ())
    }

    async fn close_pull(&self, repo: &RepoName, number: u64) -> Result<(), GhError> {
        let path = format!("{}/pulls/{number}", repo_path(repo));
        self.write(Method::PATCH, repo, &path, &json!({ "state": "closed" }))
            .await
            .map(|_| ())
    }

    async fn add_labels(
        &self,
        repo: &RepoName,
        number: u64,
        labels: &[String],
    ) -> Result<(), GhError> {
        if labels.is_empty() {
            return Ok(());
        }
        let path = format!("{}/issues/{number}/labels", repo_path(repo));
        self.write(Method::POST, repo, &path, &json!({ "labels": labels }))
            .await
            .map(|_| ())
    }

    async fn request_reviewers(
        &self,
        repo: &RepoName,
        number: u64,
        users: &[String],
        teams: &[String],
    ) -> Result<(), GhError> {
        if users.is_empty() && teams.is_empty() {
            return Ok(());
        }
        let path = format!("{}/pulls/{number}/requested_reviewers", repo_path(repo));
        self.write(
            Method::POST,
            repo,
            &path,
            &json!({ "reviewers": users, "team_reviewers": teams }),
        )
        .await
        .map(|_| ())
    }

    async fn create_tree(
        &self,
        repo: &RepoName,
        base_tree: &str,
        files: &[TreeFile],
    ) -> Result<String, GhError> {
        let path = format!("{}/git/trees", repo_path(repo));
        let tree: Vec<Value> = files
            .iter()
            .map(|f| json!({ "path": f.path, "mode": "100644", "type": "blob", "content": f.content }))
            .collect();
        let v = self
            .write(
                Method::POST,
                repo,
                &path,
                &json!({ "base_tree": base_tree, "tree": tree }),
            )
            .await?;
        v.get("sha")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| GhError::Decode("tree answer without sha".into()))
    }

    async fn create_commit(
        &self,
        repo: &RepoName,
        message: &str,
        tree: &str,
        parents: &[String],
    ) -> Result<String, GhError> {
        let path = format!("{}/git/commits", repo_path(repo));
        let v = self
            .write(
                Method::POST,
                repo,
                &path,
                &json!({ "message": message, "tree": tree, "parents": parents }),
            )
            .await?;
        v.get("sha")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| GhError::Decode("commit answer without sha".into()))
    }

    fn stats(&self) -> RequestStats {
        self.stats.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn batch_key(&self, repo: &RepoName) -> String {
        match self.cfg.credentials {
            // An installation token reaches one installation: batch by owner.
            Credentials::App { .. } => repo.owner().to_ascii_lowercase(),
            Credentials::Token(_) => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_and_paths() {
        assert_eq!(
            origin_of("https://ghe.corp/api/v3").as_deref(),
            Some("https://ghe.corp")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:4000").as_deref(),
            Some("http://127.0.0.1:4000")
        );
        assert_eq!(origin_of("ftp://x"), None);
        assert_eq!(
            path_of("https://ghe.corp/api/v3/repos/a/b"),
            "/api/v3/repos/a/b"
        );
    }

    #[test]
    fn small_files_are_inline_large_ones_name_their_blob() {
        let small = json!({"type": "file", "size": 3, "sha": "abc", "encoding": "base64",
                           "content": "aGk\nK\n"});
        assert_eq!(
            file_body(&small, "f").unwrap(),
            FileBody::Inline(b"hi\n".to_vec())
        );
        // GitHub's answer for a file between 1 and 100 MB.
        let large = json!({"type": "file", "size": 2_000_000, "sha": "b10b", "encoding": "none",
                           "content": ""});
        assert_eq!(
            file_body(&large, "f").unwrap(),
            FileBody::Blob("b10b".into())
        );
        let empty = json!({"type": "file", "size": 0, "sha": "e", "encoding": "base64",
                           "content": ""});
        assert_eq!(file_body(&empty, "f").unwrap(), FileBody::Inline(vec![]));
        let dir = json!([{"type": "file", "name": "x"}]);
        assert!(matches!(file_body(&dir, "d"), Err(GhError::Decode(_))));
        let no_sha = json!({"type": "file", "size": 5, "encoding": "none", "content": ""});
        assert!(matches!(file_body(&no_sha, "f"), Err(GhError::Decode(_))));
    }

    #[test]
    fn blobs_decode_base64_and_refuse_unknown_encodings() {
        let b = json!({"sha": "b", "size": 2, "encoding": "base64", "content": "aGk=\n"});
        assert_eq!(blob_bytes(&b, "f").unwrap(), b"hi".to_vec());
        let u = json!({"sha": "b", "size": 2, "encoding": "utf-8", "content": "hi"});
        assert_eq!(blob_bytes(&u, "f").unwrap(), b"hi".to_vec());
        let x = json!({"sha": "b", "size": 2, "encoding": "none", "content": ""});
        assert!(matches!(blob_bytes(&x, "f"), Err(GhError::Decode(_))));
    }

    #[test]
    fn encoding_keeps_branch_slashes() {
        assert_eq!(enc("priority-sync/main"), "priority-sync/main");
        assert_eq!(enc("a b#c"), "a%20b%23c");
    }
}
