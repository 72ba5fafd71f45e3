//! One request to GitHub, sent with care: GitHub's headers and a bearer token, a deadline
//! for the whole exchange and a size cap on the answer (reading both in `body`),
//! retries of 5xx and dropped connections with jittered backoff, waits for `retry-after` and
//! `x-ratelimit-reset` (primary, secondary and GraphQL limits, `RATE_LIMIT` or the older
//! `RATE_LIMITED`), writes paced under GitHub's content-creation limits (80 a minute, never
//! more than 500 an hour, none after a secondary-limit refusal without `retry-after`), every
//! endpoint kept under GitHub's points a minute, a cap on requests in flight, and counts of
//! what was sent. A GraphQL timeout is not sent again as it was: the caller splits it. A
//! redirect (a renamed repository) is followed once, only on the API's own host
//! (`answers::redirect`).
//! It knows nothing of routes or credentials: callers pass the URL and the token.

use std::sync::Mutex;
use std::time::Duration;

use chrono::Utc;
use http::{HeaderMap, Method, StatusCode};
use octocrab::Octocrab;
use serde_json::{json, Value};
use tokio::sync::Semaphore;

use super::answers::{self, Redirect};
use super::body::{self, BodyError};
use super::pacing::{
    backoff, endpoint_of, EndpointPacer, HourlyWrites, Pacer, GITHUB_ENDPOINT_POINTS_PER_MINUTE,
    GITHUB_WRITES_PER_HOUR,
};
use super::url::{origin_of, path_of};
use super::{GhError, RequestStats, TokenRights};

/// What a request is, for pacing (writes) and the counts by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Graphql,
    Compare,
    Write,
    Other,
}

/// A final answer: its status and its JSON body (`null` when empty; a non-JSON body becomes
/// `{"message": <its first 300 bytes>}`).
pub(super) struct Answer {
    pub status: StatusCode,
    pub body: Value,
}

impl Answer {
    /// GitHub's `message` with the `errors` details, short, on one line, safe to log.
    pub fn message(&self) -> String {
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

    /// The typed error for a failed answer.
    pub fn error(&self) -> GhError {
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

/// How long to keep trying.
#[derive(Debug, Clone, Copy)]
pub(super) struct RetryPolicy {
    /// Attempts after the first for retryable failures.
    pub max_retries: u32,
    /// First backoff step for 5xx and dropped connections.
    pub backoff_base: Duration,
    /// Longest single wait for a rate limit; longer → give up (work stays pending).
    pub max_wait: Duration,
    /// Per-request read/write timeout (the whole exchange, the answer's body included, gets
    /// twice that).
    pub timeout: Duration,
}

/// Sends requests: one HTTP stack, the in-flight cap, the pacers and the counts.
pub(super) struct Transport {
    octo: Octocrab,
    /// The API's origin: the only host a redirect is followed to (the token goes along).
    origin: String,
    sem: Semaphore,
    pacer: Pacer,
    endpoints: EndpointPacer,
    hourly: HourlyWrites,
    /// Set when GitHub refused a write under a secondary limit without saying for how long:
    /// content creation may stay blocked for up to an hour, so no write is sent again.
    writes_blocked: Mutex<Option<String>>,
    policy: RetryPolicy,
    stats: Mutex<RequestStats>,
    /// The `x-oauth-scopes` of the last answer (`Some(None)`: it had none).
    scopes: Mutex<Option<Option<String>>>,
}

enum Retry {
    No,
    After(Duration, String),
    /// A rate limit not worth waiting for: give up at once.
    Stop(String),
}

impl Transport {
    /// An HTTP stack for the host of `api_url`.
    pub fn new(
        api_url: &str,
        max_inflight: usize,
        writes_per_minute: u32,
        policy: RetryPolicy,
    ) -> Result<Self, GhError> {
        let origin = origin_of(api_url)
            .ok_or_else(|| GhError::Decode(format!("`{api_url}` is not an http(s) URL")))?;
        // octocrab gets only the origin: its base-URI layer would prefix a base path onto
        // absolute URLs (breaking Enterprise Server's /api/graphql), so full URLs are built by
        // the callers.
        let octo = Octocrab::builder()
            .base_uri(origin.clone())
            .map_err(|e| GhError::Decode(e.to_string()))?
            .set_connect_timeout(Some(Duration::from_secs(10)))
            .set_read_timeout(Some(policy.timeout))
            .set_write_timeout(Some(policy.timeout))
            .build()
            .map_err(|e| {
                GhError::Transport(format!(
                    "cannot set up HTTPS ({e}); the system's CA certificates are used: install them, or point SSL_CERT_FILE at a PEM bundle (e.g. your Enterprise Server's CA)"
                ))
            })?;
        Ok(Self {
            octo,
            origin,
            sem: Semaphore::new(max_inflight.max(1)),
            pacer: Pacer::per_minute(writes_per_minute),
            endpoints: EndpointPacer::new(GITHUB_ENDPOINT_POINTS_PER_MINUTE),
            hourly: HourlyWrites::default(),
            writes_blocked: Mutex::new(None),
            policy,
            stats: Mutex::new(RequestStats::default()),
            scopes: Mutex::new(None),
        })
    }

    /// Points a minute GitHub allows one REST endpoint here (900 on github.com; an
    /// Enterprise Server's administrator may set another): requests are paced under it.
    pub fn with_endpoint_limit(mut self, points_per_minute: u32) -> Self {
        self.endpoints = EndpointPacer::new(points_per_minute);
        self
    }

    /// Request counts so far.
    pub fn stats(&self) -> RequestStats {
        self.stats_mut().clone()
    }

    /// What the token may do as its answers' `x-oauth-scopes` tell (classic tokens only).
    pub fn scope_rights(&self) -> TokenRights {
        match &*self.scopes.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(header) => TokenRights::from_scopes(header.as_deref()),
            None => TokenRights::default(),
        }
    }

    fn note_scopes(&self, headers: &HeaderMap) {
        let header = headers
            .get("x-oauth-scopes")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        *self.scopes.lock().unwrap_or_else(|e| e.into_inner()) = Some(header);
    }

    /// Keeps the lowest GraphQL points left that an answer reported.
    pub fn note_graphql_remaining(&self, remaining: u64) {
        let mut s = self.stats_mut();
        s.rate_limit_remaining = Some(
            s.rate_limit_remaining
                .map_or(remaining, |r| r.min(remaining)),
        );
    }

    fn stats_mut(&self) -> std::sync::MutexGuard<'_, RequestStats> {
        self.stats.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends one request with retries; returns the final answer (any status), or an error when
    /// the network failed every time or a rate limit would take longer than `max_wait`.
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
        kind: Kind,
        token: &str,
    ) -> Result<Answer, GhError> {
        let mut attempt = 0u32;
        // Where the request goes: its URL, or where one redirect on the same host moved it.
        let mut target = url.to_string();
        let mut redirected = false;
        loop {
            let result = {
                let (endpoint, points) = endpoint_of(method.as_str(), &target);
                let _permit = self.paced(&endpoint, points, kind).await?;
                self.count(kind, attempt > 0);
                self.send_once(&method, &target, body, token).await
            };
            if let Ok((headers, answer)) = &result {
                let location = headers
                    .get(http::header::LOCATION)
                    .and_then(|v| v.to_str().ok());
                let status = answer.status.as_u16();
                match answers::redirect(&method, status, location, &self.origin, redirected) {
                    None => {}
                    Some(Redirect::Follow(next)) => {
                        log::debug!(
                            "{method} {}: moved ({status}) to {}; following once",
                            path_of(&target),
                            path_of(&next)
                        );
                        target = next;
                        redirected = true;
                        continue;
                    }
                    Some(Redirect::Refuse(why)) => return Err(GhError::Status(status, why)),
                }
            }
            let wait = match &result {
                // An answer over the size cap would be as large the next time.
                Err(GhError::Decode(_)) => Retry::No,
                Err(e) => Retry::After(
                    backoff(self.policy.backoff_base, attempt, Duration::from_secs(30)),
                    e.to_string(),
                ),
                Ok((headers, answer)) => {
                    self.note_scopes(headers);
                    self.retry_decision(headers, answer, attempt, kind)
                }
            };
            match wait {
                Retry::No => return result.map(|(_, a)| a),
                Retry::Stop(why) => return give_up(result, Duration::ZERO, why),
                Retry::After(d, why)
                    if attempt < self.policy.max_retries && d <= self.policy.max_wait =>
                {
                    log::debug!(
                        "{method} {}: {why}; retrying in {:.1}s",
                        path_of(&target),
                        d.as_secs_f64()
                    );
                    tokio::time::sleep(d).await;
                    attempt += 1;
                }
                Retry::After(d, why) => return give_up(result, d, why),
            }
        }
    }

    /// Waits for this request's turn and holds one of the in-flight places for it: a write
    /// waits for its slot under the per-minute pace and must fit GitHub's hourly 500 (and
    /// no write goes after a blocking refusal); every request waits until its endpoint has
    /// room for its points, without holding a place meanwhile.
    async fn paced(
        &self,
        endpoint: &str,
        points: u32,
        kind: Kind,
    ) -> Result<tokio::sync::SemaphorePermit<'_>, GhError> {
        if kind == Kind::Write {
            self.check_writes_allowed()?;
            self.hourly.take(GITHUB_WRITES_PER_HOUR).map_err(|n| {
                GhError::Budget(format!(
                    "{n} content-creating requests sent in the last hour, GitHub's limit is {GITHUB_WRITES_PER_HOUR}"
                ))
            })?;
        }
        loop {
            let permit = self
                .sem
                .acquire()
                .await
                .map_err(|e| GhError::Transport(e.to_string()))?;
            if kind == Kind::Write {
                self.pacer.wait().await;
                self.check_writes_allowed()?;
            }
            match self.endpoints.try_take(endpoint, points) {
                Ok(()) => return Ok(permit),
                Err(at) => {
                    drop(permit);
                    log::debug!(
                        "{endpoint}: GitHub's points a minute for it are spent; waiting {:.1}s",
                        at.saturating_duration_since(tokio::time::Instant::now())
                            .as_secs_f64()
                    );
                    tokio::time::sleep_until(at).await;
                }
            }
        }
    }

    /// `Err` once GitHub blocked content creation for this run.
    fn check_writes_allowed(&self) -> Result<(), GhError> {
        let blocked = self
            .writes_blocked
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        match &*blocked {
            Some(why) => Err(GhError::RateLimited(why.clone())),
            None => Ok(()),
        }
    }

    fn block_writes(&self, why: &str) {
        let mut blocked = self
            .writes_blocked
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if blocked.is_none() {
            log::warn!("no more writes this run: {why}");
            *blocked = Some(why.to_string());
        }
    }

    fn count(&self, kind: Kind, retry: bool) {
        let mut s = self.stats_mut();
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
            self.stats_mut().rate_limit_remaining = Some(rem);
        }
    }

    /// Whether (and after how long) to send an answered request again.
    fn retry_decision(&self, headers: &HeaderMap, a: &Answer, attempt: u32, kind: Kind) -> Retry {
        self.note_rate(headers);
        let code = a.status.as_u16();
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
            if kind == Kind::Write {
                // Content creation is blocked for an unknown time (GitHub's hourly window
                // re-trips an hour later): no write of this run waits for it.
                let why = "GitHub refused a write under a secondary rate limit without saying for how long (content creation may stay blocked for up to an hour); the rest waits for the next run";
                self.block_writes(why);
                return Retry::Stop(why.into());
            }
            return Retry::After(
                backoff(Duration::from_secs(60), attempt, Duration::from_secs(600)),
                "secondary rate limit (403)".into(),
            );
        }
        if is_graphql_rate_limited(a) {
            let d = until_reset().unwrap_or(Duration::from_secs(60));
            return Retry::After(d, "GraphQL rate limit".into());
        }
        if kind == Kind::Graphql && is_timeout(a) {
            // Timeouts cost primary points (GitHub changelog 2025-07-21): the same document
            // is not sent again; the caller splits it.
            return Retry::No;
        }
        if answers::diff_unavailable(code, &a.body) && attempt >= 1 {
            // GitHub cannot compute this diff; the same range fails the same way again.
            return Retry::No;
        }
        if matches!(code, 500 | 502 | 503 | 504) {
            return Retry::After(
                backoff(self.policy.backoff_base, attempt, Duration::from_secs(30)),
                format!("server error {code}"),
            );
        }
        Retry::No
    }

    /// One HTTP exchange, with a deadline of twice the read/write timeout for the whole of it
    /// (headers and body) and the answer's size capped ([`body::cap_for`]).
    async fn send_once(
        &self,
        method: &Method,
        url: &str,
        body: Option<&Value>,
        token: &str,
    ) -> Result<(HeaderMap, Answer), GhError> {
        // Marked sensitive so no layer below prints it.
        let mut authorization = http::HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|e| GhError::Transport(e.to_string()))?;
        authorization.set_sensitive(true);
        let builder = http::Request::builder()
            .method(method.clone())
            .uri(url)
            .header(http::header::AUTHORIZATION, authorization)
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
        let deadline = tokio::time::Instant::now() + self.policy.timeout * 2;
        let resp = match tokio::time::timeout_at(deadline, fut).await {
            Err(_) => return Err(GhError::Transport("timed out".into())),
            Ok(Err(e)) => return Err(GhError::Transport(transport_message(&e))),
            Ok(Ok(r)) => r,
        };
        let (parts, body) = resp.into_parts();
        let declared = header_u64(&parts.headers, "content-length");
        let bytes = body::read_within(body, declared, body::cap_for(url), deadline)
            .await
            .map_err(|e| match e {
                BodyError::TooLarge { .. } => GhError::Decode(e.message()),
                _ => GhError::Transport(e.message()),
            })?;
        let json = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                json!({ "message": String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).to_string() })
            })
        };
        Ok((
            parts.headers,
            Answer {
                status: parts.status,
                body: json,
            },
        ))
    }
}

/// The outcome when no retry is left or the wait is too long: a rate limit becomes
/// [`GhError::RateLimited`] (work stays pending), any other answer is returned as it is.
fn give_up(
    result: Result<(HeaderMap, Answer), GhError>,
    wait: Duration,
    why: String,
) -> Result<Answer, GhError> {
    match result {
        Ok((_, a))
            if a.status.as_u16() == 403
                || a.status.as_u16() == 429
                || is_graphql_rate_limited(&a) =>
        {
            Err(GhError::RateLimited(format!(
                "{why} (would wait {}s)",
                wait.as_secs()
            )))
        }
        Ok((_, a)) => Ok(a),
        Err(e) => Err(e),
    }
}

/// GraphQL reports its rate limit in a 200 answer: `"type": "RATE_LIMIT"` (with `"code":
/// "graphql_rate_limit"`, GitHub's current form) or `"RATE_LIMITED"` (the older one), whatever
/// `x-ratelimit-remaining` says (it may be more than 0 when the query costs more than is
/// left), or an error naming a secondary rate limit.
pub(super) fn is_graphql_rate_limited(a: &Answer) -> bool {
    a.status == StatusCode::OK
        && a.body
            .get("errors")
            .and_then(Value::as_array)
            .is_some_and(|errs| errs.iter().any(super::graphql::is_rate_limit_error))
}

/// GitHub's answer to a GraphQL document that ran past its 10 s: 502 or 504 saying it could
/// not respond in time (or, in older answers, that it may be the result of a timeout).
pub(super) fn is_timeout(a: &Answer) -> bool {
    let m = a.message().to_ascii_lowercase();
    matches!(a.status.as_u16(), 502 | 504)
        && (m.contains("in time") || m.contains("timeout") || m.contains("timed out"))
}

fn header_u64(h: &HeaderMap, name: &str) -> Option<u64> {
    h.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// An error with its chain of causes, on one line.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: Value) -> Answer {
        Answer {
            status: StatusCode::from_u16(status).unwrap(),
            body,
        }
    }

    #[test]
    fn graphql_rate_limits_in_both_forms_whatever_remains() {
        // GitHub's current form (recorded 2026, yanyongyu/githubkit#271) and the older one.
        let current = json!({"errors": [{"type": "RATE_LIMIT", "code": "graphql_rate_limit",
            "message": "API rate limit already exceeded for user ID 1."}]});
        let old = json!({"errors": [{"type": "RATE_LIMITED", "message": "API rate limit exceeded for user ID 1."}]});
        let secondary = json!({"errors": [{"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}]});
        for body in [current, old, secondary] {
            assert!(is_graphql_rate_limited(&answer(200, body)));
        }
        let other = json!({"data": {"r0": null}, "errors": [{"type": "NOT_FOUND", "path": ["r0"], "message": "Could not resolve"}]});
        assert!(!is_graphql_rate_limited(&answer(200, other)));
    }

    #[test]
    fn githubs_timeout_answers_are_told_from_other_server_errors() {
        let timeout = json!({"message": "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists."});
        assert!(is_timeout(&answer(504, timeout.clone())));
        assert!(is_timeout(&answer(502, timeout.clone())));
        // The 2021 form (recorded): 502 with data null.
        let older = json!({"data": null, "errors": [{"message": "Something went wrong while executing your query. This may be the result of a timeout, or it could be a GitHub bug."}]});
        assert!(is_timeout(&answer(502, older)));
        assert!(!is_timeout(&answer(
            502,
            json!({"message": "Server Error"})
        )));
        assert!(!is_timeout(&answer(200, timeout)));
    }
}
