//! The HTTP side: a hyper 1 server on 127.0.0.1 and the request pipeline every exchange
//! goes through (routing, faults, authentication, rate limits, conditional requests,
//! logging) before a REST or GraphQL handler answers it.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};

use crate::auth::{AppKey, AuthState, Caller, RateInfo};
use crate::faults::{FaultAction, FaultState};
use crate::fleet::Fleet;
use crate::git::Store;
use crate::log::{Kind, LogEntry, LogState};
use crate::model::World;
use crate::util::{fnv64, parse_query, rfc3339, wall_now};

/// GitHub's documentation link used in error bodies.
pub const DOCS: &str = "https://docs.github.com/rest";

/// Everything the server shares between connections.
pub struct Shared {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// REST base (`base`, or `base/api/v3` in GHES layout).
    pub api: String,
    /// Serve the GitHub Enterprise Server layout.
    pub ghes: bool,
    /// Metadata.
    pub world: Mutex<World>,
    /// Git object stores.
    pub store: Store,
    /// Generated ground truth.
    pub fleet: Fleet,
    /// Tokens and limits.
    pub auth: Mutex<AuthState>,
    /// Faults.
    pub faults: Mutex<FaultState>,
    /// Log and counters.
    pub log: Mutex<LogState>,
    /// The sandbox clock's origin: (wall instant, sandbox seconds at that instant).
    pub clock: (Instant, i64),
    /// The GitHub App, when app auth is enabled.
    pub app: Option<AppKey>,
    /// Sequence for request ids.
    pub seq: std::sync::atomic::AtomicU64,
}

/// A request, as the handlers see it.
pub struct Req {
    /// Upper-case method.
    pub method: String,
    /// Path without the GHES prefix, percent-encoded as received.
    pub path: String,
    /// Raw query string.
    pub query_string: String,
    /// Decoded query pairs.
    pub query: Vec<(String, String)>,
    /// Lower-case header names and values.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
    /// Parsed JSON body (None when empty or not JSON).
    pub json: Option<Value>,
    /// Set when the request asked for something the sandbox does not implement.
    pub unexpected: std::sync::atomic::AtomicBool,
}

impl Req {
    /// A query parameter.
    pub fn q(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Records that this request asked for a route or GraphQL field (`line`) the sandbox does
    /// not implement: in the unexpected list, and marked in its log entry.
    pub fn mark_unexpected(&self, sh: &Shared, line: String) {
        self.unexpected
            .store(true, std::sync::atomic::Ordering::Relaxed);
        sh.log().unexpected_route(line);
    }

    /// Path with query, as logged.
    pub fn path_with_query(&self) -> String {
        if self.query_string.is_empty() {
            self.path.clone()
        } else {
            format!("{}?{}", self.path, self.query_string)
        }
    }
}

/// A response before transport.
pub struct Resp {
    /// Status.
    pub status: u16,
    /// JSON body (None = empty body).
    pub json: Option<Value>,
    /// Pre-serialized body (GraphQL keeps field order); takes precedence over `json`.
    pub text: Option<String>,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
}

impl Resp {
    /// A JSON answer.
    pub fn json(status: u16, v: Value) -> Resp {
        Resp {
            status,
            json: Some(v),
            text: None,
            headers: Vec::new(),
        }
    }

    /// An empty answer (204, 304).
    pub fn empty(status: u16) -> Resp {
        Resp {
            status,
            json: None,
            text: None,
            headers: Vec::new(),
        }
    }

    /// GitHub's error body: `{"message", "documentation_url", "status"}`.
    pub fn error(status: u16, message: &str) -> Resp {
        Resp::json(
            status,
            json!({"message": message, "documentation_url": DOCS, "status": status.to_string()}),
        )
    }

    /// 404 Not Found.
    pub fn not_found() -> Resp {
        Resp::error(404, "Not Found")
    }

    /// 422 Validation Failed with GitHub's `errors` list.
    pub fn validation(errors: Value) -> Resp {
        Resp::json(
            422,
            json!({"message": "Validation Failed", "errors": errors, "documentation_url": DOCS, "status": "422"}),
        )
    }

    /// Adds a header.
    pub fn with_header(mut self, k: &str, v: impl Into<String>) -> Resp {
        self.headers.push((k.to_string(), v.into()));
        self
    }
}

/// What the pipeline decided.
pub enum Outcome {
    /// Answer after `delay`.
    Answer(Resp, Duration),
    /// Close the connection without answering (after `delay`).
    Drop(Duration),
}

/// Per-request context handed to handlers.
pub struct Ctx<'a> {
    /// Shared state.
    pub sh: &'a Shared,
    /// The caller.
    pub caller: Caller,
    /// The request.
    pub req: &'a Req,
}

impl Shared {
    /// Sandbox time now (Unix seconds): the generation "now" plus wall time since start.
    pub fn now(&self) -> i64 {
        self.clock.1 + self.clock.0.elapsed().as_secs() as i64
    }

    /// Locks the world.
    pub fn world(&self) -> std::sync::MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Locks auth state.
    pub fn auth(&self) -> std::sync::MutexGuard<'_, AuthState> {
        self.auth.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Locks the log.
    pub fn log(&self) -> std::sync::MutexGuard<'_, LogState> {
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs one request through the whole pipeline.
    pub fn process(
        &self,
        method: &str,
        full_path: &str,
        query_string: &str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> Outcome {
        let json_body: Option<Value> = if body.is_empty() {
            None
        } else {
            serde_json::from_slice(&body).ok()
        };
        // GHES layout: REST under /api/v3, GraphQL at /api/graphql.
        let (path, known_prefix) = if self.ghes {
            if full_path == "/api/graphql" {
                ("/graphql".to_string(), true)
            } else if let Some(p) = full_path.strip_prefix("/api/v3") {
                (
                    if p.is_empty() {
                        "/".into()
                    } else {
                        p.to_string()
                    },
                    p != "/graphql",
                )
            } else {
                (full_path.to_string(), false)
            }
        } else {
            (full_path.to_string(), true)
        };
        let req = Req {
            method: method.to_ascii_uppercase(),
            path,
            query_string: query_string.to_string(),
            query: parse_query(query_string),
            headers,
            body,
            json: json_body,
            unexpected: Default::default(),
        };
        let route = if known_prefix {
            crate::rest::route(&req.method, &req.path)
        } else {
            None
        };
        let kind = match &route {
            Some(crate::rest::Route::Graphql) => Kind::Graphql,
            Some(crate::rest::Route::Compare { .. }) => Kind::Compare,
            _ if req.method != "GET" && req.method != "HEAD" => Kind::Write,
            _ => Kind::Other,
        };
        let Some(route) = route else {
            req.mark_unexpected(self, format!("{} {}", req.method, req.path_with_query()));
            let resp = Resp::json(
                404,
                json!({"message": "Not Found", "documentation_url": DOCS, "status": "404"}),
            );
            return self.finish(&req, kind, None, resp, Duration::ZERO);
        };
        // Faults come first: a flaky network does not care who you are.
        let (delay, held_back, fault) = self
            .faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .decide(&req.method, &req.path_with_query(), &req.body);
        if held_back {
            self.log().counters.delayed += 1;
        }
        match fault {
            Some(FaultAction::Drop) => {
                let mut log = self.log();
                log.counters.dropped += 1;
                log.record(LogEntry {
                    method: req.method.clone(),
                    path: req.path_with_query(),
                    status: 0,
                    request: req.json.clone(),
                    response: None,
                    kind,
                    unexpected: req.unexpected.load(std::sync::atomic::Ordering::Relaxed),
                });
                return Outcome::Drop(delay);
            }
            Some(FaultAction::Status(s)) => {
                self.log().counters.injected_errors += 1;
                let msg = match s {
                    502 => "Server Error",
                    503 => "Service Unavailable",
                    504 => "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists.",
                    _ => "Server Error",
                };
                return self.finish(&req, kind, None, Resp::error(s, msg), delay);
            }
            _ => {}
        }
        // Authentication.
        let caller = match self.authenticate(&req, &route) {
            Ok(c) => c,
            Err(resp) => return self.finish(&req, kind, None, resp, delay),
        };
        if let Some(FaultAction::SecondaryLimit {
            status,
            retry_after,
        }) = fault
        {
            self.log().counters.rate_limited += 1;
            return self.finish(
                &req,
                kind,
                Some(&caller),
                secondary_limit(status, retry_after, self.request_id()),
                delay,
            );
        }
        let is_app_route = matches!(
            route,
            crate::rest::Route::AccessTokens { .. } | crate::rest::Route::Installation { .. }
        );
        // Primary limit (GraphQL charges by query cost inside its handler).
        let mut charged = None;
        if !matches!(
            route,
            crate::rest::Route::Graphql | crate::rest::Route::RateLimit
        ) && !is_app_route
        {
            match self.auth().charge(&caller, "core", 1) {
                Ok(info) => charged = Some(info),
                Err(info) => {
                    self.log().counters.rate_limited += 1;
                    let msg = format!(
                        "API rate limit exceeded for user ID {}. If you reach out to GitHub Support for help, please include the request ID {}.",
                        caller.user_id(),
                        self.request_id()
                    );
                    let resp = rate_headers(Resp::error(403, &msg), &info);
                    return self.finish(&req, kind, Some(&caller), resp, delay);
                }
            }
        }
        // Content creation: 80 per minute per token.
        if kind == Kind::Write && !is_app_route && caller.token.is_some() {
            if let Err(wait) = self.auth().content_request(&caller) {
                self.log().counters.rate_limited += 1;
                let resp = secondary_limit(403, wait, self.request_id());
                let resp = match charged {
                    Some(info) => rate_headers(resp, &info),
                    None => resp,
                };
                return self.finish(&req, kind, Some(&caller), resp, delay);
            }
        }
        let ctx = Ctx {
            sh: self,
            caller: caller.clone(),
            req: &req,
        };
        let mut resp = crate::rest::dispatch(&ctx, route);
        // Conditional requests.
        if req.method == "GET" && resp.status == 200 {
            let body = resp_body(&resp);
            let etag = format!("W/\"{:016x}\"", fnv64(&[body.as_bytes()]));
            if req
                .header("if-none-match")
                .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
            {
                if let Some(info) = charged {
                    self.auth().refund(&caller, "core", 1);
                    charged = Some(RateInfo {
                        remaining: info.remaining + 1,
                        used: info.used.saturating_sub(1),
                        ..info
                    });
                }
                self.log().counters.not_modified += 1;
                resp = Resp::empty(304).with_header("etag", etag);
            } else {
                resp.headers.push(("etag".into(), etag));
            }
        }
        if let Some(info) = charged {
            resp = rate_headers(resp, &info);
        }
        self.finish(&req, kind, Some(&caller), resp, delay)
    }

    fn authenticate(&self, req: &Req, route: &crate::rest::Route) -> Result<Caller, Resp> {
        let header = req.header("authorization").unwrap_or("");
        let token = header
            .strip_prefix("token ")
            .or_else(|| header.strip_prefix("Bearer "))
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim);
        let is_jwt = token.is_some_and(|t| t.starts_with("eyJ") && t.matches('.').count() == 2);
        let app_route = matches!(
            route,
            crate::rest::Route::AccessTokens { .. } | crate::rest::Route::Installation { .. }
        );
        if app_route {
            let Some(app) = &self.app else {
                return Err(Resp::error(404, "Not Found"));
            };
            if !is_jwt {
                return Err(Resp::error(401, "A JSON web token could not be decoded"));
            }
            return match app.verify(token.unwrap_or("")) {
                Ok(()) => Ok(Caller { token: None }),
                Err(m) => Err(Resp::error(401, &m)),
            };
        }
        match token {
            None | Some("") => Ok(Caller { token: None }),
            Some(t) => {
                let mut auth = self.auth();
                if !auth.take_use(t) {
                    drop(auth);
                    self.log().counters.revoked += 1;
                    return Err(Resp::error(401, "Bad credentials"));
                }
                match auth.resolve(t) {
                    Some(spec) => Ok(Caller { token: Some(spec) }),
                    None => Err(Resp::error(401, "Bad credentials")),
                }
            }
        }
    }

    /// A fresh request id (`x-github-request-id`).
    pub fn request_id(&self) -> String {
        let n = self.seq.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        format!(
            "5A4D:{:04X}:{:06X}:{:06X}:{:08X}",
            n % 0xffff,
            n,
            n * 7 % 0xffffff,
            wall_now() as u32
        )
    }

    fn finish(
        &self,
        req: &Req,
        kind: Kind,
        caller: Option<&Caller>,
        mut resp: Resp,
        delay: Duration,
    ) -> Outcome {
        resp.headers
            .push(("x-github-request-id".into(), self.request_id()));
        resp.headers
            .push(("x-github-api-version-selected".into(), "2022-11-28".into()));
        resp.headers.push((
            "x-github-media-type".into(),
            "github.v3; format=json".into(),
        ));
        if let Some(scopes) = caller
            .and_then(|c| c.token.as_ref())
            .and_then(|t| t.scopes())
        {
            resp.headers.push(("x-oauth-scopes".into(), scopes));
            resp.headers
                .push(("x-accepted-oauth-scopes".into(), "repo".into()));
        }
        let response = match (&resp.text, &resp.json) {
            (Some(t), _) => serde_json::from_str(t).ok(),
            (None, j) => j.clone(),
        };
        self.log().record(LogEntry {
            method: req.method.clone(),
            path: req.path_with_query(),
            status: resp.status,
            request: req.json.clone(),
            response,
            kind,
            unexpected: req.unexpected.load(std::sync::atomic::Ordering::Relaxed),
        });
        Outcome::Answer(resp, delay)
    }
}

/// Serialized body of a response.
pub fn resp_body(r: &Resp) -> String {
    match (&r.text, &r.json) {
        (Some(t), _) => t.clone(),
        (None, Some(j)) => j.to_string(),
        (None, None) => String::new(),
    }
}

/// Adds the `x-ratelimit-*` headers.
pub fn rate_headers(r: Resp, i: &RateInfo) -> Resp {
    r.with_header("x-ratelimit-limit", i.limit.to_string())
        .with_header("x-ratelimit-remaining", i.remaining.to_string())
        .with_header("x-ratelimit-used", i.used.to_string())
        .with_header("x-ratelimit-reset", i.reset.to_string())
        .with_header("x-ratelimit-resource", i.resource)
}

/// GitHub's secondary-rate-limit refusal.
pub fn secondary_limit(status: u16, retry_after: u64, request_id: String) -> Resp {
    Resp::json(
        status,
        json!({
            "message": format!("You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID {request_id}."),
            "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
            "status": status.to_string(),
        }),
    )
    .with_header("retry-after", retry_after.to_string())
}

/// Why a connection is being dropped (hyper closes it when the service fails).
#[derive(Debug)]
pub struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for Dropped {}

async fn serve_one(
    sh: Arc<Shared>,
    req: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<Full<Bytes>>, Dropped> {
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(b) => b.to_bytes().to_vec(),
        Err(_) => return Err(Dropped),
    };
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    let method = parts.method.as_str().to_string();
    let sh2 = sh.clone();
    let outcome =
        tokio::task::spawn_blocking(move || sh2.process(&method, &path, &query, headers, body))
            .await
            .map_err(|_| Dropped)?;
    match outcome {
        Outcome::Drop(d) => {
            if !d.is_zero() {
                tokio::time::sleep(d).await;
            }
            Err(Dropped)
        }
        Outcome::Answer(resp, d) => {
            if !d.is_zero() {
                tokio::time::sleep(d).await;
            }
            let body = resp_body(&resp);
            let mut b = hyper::Response::builder().status(resp.status);
            if !body.is_empty() {
                b = b.header("content-type", "application/json; charset=utf-8");
            }
            b = b.header("date", http_date(wall_now()));
            for (k, v) in &resp.headers {
                b = b.header(k.as_str(), v.as_str());
            }
            Ok(b.body(Full::new(Bytes::from(body))).unwrap_or_else(|_| {
                hyper::Response::new(Full::new(Bytes::from_static(
                    b"{\"message\":\"Server Error\"}",
                )))
            }))
        }
    }
}

fn http_date(secs: i64) -> String {
    // RFC 7231 IMF-fixdate.
    let s = rfc3339(secs);
    let days = secs.div_euclid(86_400);
    let wd = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let mon = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][s[5..7].parse::<usize>().unwrap_or(1) - 1];
    format!("{wd}, {} {mon} {} {} GMT", &s[8..10], &s[0..4], &s[11..19])
}

/// Accepts connections until `stop` fires.
pub async fn run(
    listener: tokio::net::TcpListener,
    sh: Arc<Shared>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let sh = sh.clone();
                tokio::spawn(async move {
                    let svc = service_fn(move |req| serve_one(sh.clone(), req));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), svc)
                        .await;
                });
            }
        }
    }
}

/// Binds the listener (so the port is known before the fleet is served).
pub fn bind(addr: SocketAddr) -> std::io::Result<std::net::TcpListener> {
    let l = std::net::TcpListener::bind(addr)?;
    l.set_nonblocking(true)?;
    Ok(l)
}
