//! The request pipeline every exchange goes through, in GitHub's order: the route (an
//! unknown one is answered 404 and recorded; `moved` resolves repositories named by id or by
//! a former name), faults (a flaky network does not care who you are), authentication,
//! secondary-limit and refusal faults, the REST rate limits (`limits`), the handler, a hostile
//! proxy's rewrite of the answer (`FaultAction::Rewrite`), conditional requests (`etag`, 304),
//! then the common headers and the log entry.

use std::time::Duration;

use serde_json::Value;

use super::moved;
use super::routes::{self, Route};
use crate::auth::Caller;
use crate::exchange::{
    content_creation_limit, rate_headers, resp_body, secondary_limit, Ctx, Outcome, Pace, Req,
    Resp, HOLD_HEADER,
};
use crate::faults::FaultAction;
use crate::limits::{RateInfo, Refusal, RestRequest};
use crate::log::{Kind, LogEntry};
use crate::state::Shared;
use crate::util::{fnv64, parse_query};

/// Runs one request through the whole pipeline.
pub fn process(
    sh: &Shared,
    method: &str,
    full_path: &str,
    query_string: &str,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
) -> Outcome {
    let (req, known_prefix) = request(sh, method, full_path, query_string, headers, body);
    let routed = known_prefix.then(|| moved::routed(sh, &req));
    let route = routed
        .as_ref()
        .and_then(|r| routes::route(&req.method, &r.path));
    let kind = kind_of(&req, route.as_ref());
    let Some(route) = route else {
        req.mark_unexpected(sh, format!("{} {}", req.method, req.path_with_query()));
        return finish(sh, &req, kind, None, Resp::not_found(), Duration::ZERO);
    };
    let (delay, fault) = match faults(sh, &req, kind) {
        Ok(decided) => decided,
        Err(outcome) => return outcome,
    };
    let pace = match fault {
        Some(FaultAction::DripBody { every }) => Some(Pace::Body(every)),
        Some(FaultAction::DripHeaders { every }) => Some(Pace::Whole(every)),
        _ => None,
    };
    let redirect = routed.and_then(|r| r.redirect);
    match (answer(sh, &req, route, kind, delay, fault, redirect), pace) {
        (Outcome::Answer(resp, delay), Some(pace)) => Outcome::Paced(Box::new(resp), delay, pace),
        (outcome, _) => outcome,
    }
}

/// The answer past the faults decided before authentication: authentication, a secondary
/// limit fault, the REST limits, the handler (or a former name's `redirect`), conditional
/// requests.
fn answer(
    sh: &Shared,
    req: &Req,
    route: Route,
    kind: Kind,
    delay: Duration,
    fault: Option<FaultAction>,
    redirect: Option<Resp>,
) -> Outcome {
    let caller = match authenticate(sh, req, &route) {
        Ok(c) => c,
        Err(resp) => return finish(sh, req, kind, None, resp, delay),
    };
    if let Some(FaultAction::SecondaryLimit {
        status,
        retry_after,
    }) = fault
    {
        let mut log = sh.log();
        log.counters.rate_limited += 1;
        log.counters.secondary_limited += 1;
        drop(log);
        let resp = secondary_limit(status, retry_after, sh.request_id());
        return finish(sh, req, kind, Some(&caller), resp, delay);
    }
    if let Some(FaultAction::Error { status, message }) = &fault {
        sh.log().counters.injected_errors += 1;
        let resp = Resp::error(*status, message);
        return finish(sh, req, kind, Some(&caller), resp, delay);
    }
    let charged = match rest_limits(sh, req, &caller, &route, kind) {
        Ok(charged) => charged,
        Err(resp) => return finish(sh, req, kind, Some(&caller), resp, delay),
    };
    if kind == Kind::Compare {
        sh.log().compare_admitted();
    }
    let ctx = Ctx {
        sh,
        caller: caller.clone(),
        req,
    };
    crate::hooks::before_answer(sh, req);
    // A former name is answered with GitHub's redirect (charged like any request), before the
    // handler; error bodies name their operation's documentation.
    let docs = route.docs_url(&req.method);
    let mut resp = match redirect {
        Some(redirect) => redirect,
        None => routes::with_docs(routes::dispatch(&ctx, route), docs),
    };
    if let Some(FaultAction::Rewrite { pointer, value }) = &fault {
        resp = rewrite(sh, req, resp, pointer, value);
    }
    let (mut resp, charged) = conditional(sh, req, &caller, resp, charged);
    if let Some(info) = charged {
        resp = rate_headers(resp, &info);
    }
    finish(sh, req, kind, Some(&caller), resp, delay)
}

/// The request as handlers see it, and whether its path is under the layout's API prefix
/// (GHES: REST under `/api/v3`, GraphQL at `/api/graphql`).
fn request(
    sh: &Shared,
    method: &str,
    full_path: &str,
    query_string: &str,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
) -> (Req, bool) {
    let json_body: Option<Value> = if body.is_empty() {
        None
    } else {
        serde_json::from_slice(&body).ok()
    };
    let (path, known_prefix) = if sh.ghes {
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
        rewritten: Default::default(),
    };
    (req, known_prefix)
}

/// The counter an exchange counts under.
fn kind_of(req: &Req, route: Option<&Route>) -> Kind {
    match route {
        Some(Route::Graphql) => Kind::Graphql,
        Some(Route::Compare { .. }) => Kind::Compare,
        _ if req.method != "GET" && req.method != "HEAD" => Kind::Write,
        _ => Kind::Other,
    }
}

/// Decides the request's faults: the delay to answer after and a fault still to apply
/// (a secondary limit, once the caller is known), or the outcome when the fault is the
/// answer (a dropped connection, an injected 5xx).
fn faults(sh: &Shared, req: &Req, kind: Kind) -> Result<(Duration, Option<FaultAction>), Outcome> {
    let (delay, held_back, fault) =
        sh.faults()
            .decide(&req.method, &req.path_with_query(), &req.body);
    if held_back {
        sh.log().counters.delayed += 1;
    }
    match fault {
        Some(FaultAction::Drop) => {
            let mut log = sh.log();
            log.counters.dropped += 1;
            log.record(LogEntry {
                method: req.method.clone(),
                path: req.path_with_query(),
                status: 0,
                request: req.json.clone(),
                response: None,
                kind,
                unexpected: req.unexpected.load(std::sync::atomic::Ordering::Relaxed),
                fault: None,
                rewritten: false,
            });
            Err(Outcome::Drop(delay))
        }
        Some(FaultAction::Answer { status, body }) => {
            sh.log().counters.replaced += 1;
            Err(finish(sh, req, kind, None, Resp::json(status, body), delay))
        }
        Some(FaultAction::HugeBody { bytes }) => {
            let mut log = sh.log();
            log.counters.huge += 1;
            log.record(LogEntry {
                method: req.method.clone(),
                path: req.path_with_query(),
                status: 200,
                request: req.json.clone(),
                response: None,
                kind,
                unexpected: req.unexpected.load(std::sync::atomic::Ordering::Relaxed),
                fault: Some("huge-body"),
                rewritten: false,
            });
            Err(Outcome::Huge(bytes, delay))
        }
        Some(FaultAction::DripBody { .. } | FaultAction::DripHeaders { .. }) => {
            sh.log().counters.dripped += 1;
            Ok((delay, fault))
        }
        Some(FaultAction::Status(s)) => {
            sh.log().counters.injected_errors += 1;
            let msg = match s {
                502 => "Server Error",
                503 => "Service Unavailable",
                504 => "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists.",
                _ => "Server Error",
            };
            Err(finish(sh, req, kind, None, Resp::error(s, msg), delay))
        }
        other => Ok((delay, other)),
    }
}

/// A hostile proxy's work ([`FaultAction::Rewrite`]): the value at `pointer` in the answer
/// replaced by `value`, when the answer has one there.
fn rewrite(sh: &Shared, req: &Req, mut resp: Resp, pointer: &str, value: &Value) -> Resp {
    let mut body = match (&resp.text, &resp.json) {
        (Some(t), _) => match serde_json::from_str::<Value>(t) {
            Ok(v) => v,
            Err(_) => return resp,
        },
        (None, Some(j)) => j.clone(),
        (None, None) => return resp,
    };
    let Some(slot) = body.pointer_mut(pointer) else {
        return resp;
    };
    *slot = value.clone();
    sh.log().counters.rewritten += 1;
    req.rewritten
        .store(true, std::sync::atomic::Ordering::Relaxed);
    resp.text = None;
    resp.json = Some(body);
    resp
}

/// The GitHub App's own routes: authenticated by the app's JWT, free of rate limits.
fn is_app_route(route: &Route) -> bool {
    matches!(
        route,
        Route::AccessTokens { .. } | Route::Installation { .. }
    )
}

fn authenticate(sh: &Shared, req: &Req, route: &Route) -> Result<Caller, Resp> {
    let header = req.header("authorization").unwrap_or("");
    let token = header
        .strip_prefix("token ")
        .or_else(|| header.strip_prefix("Bearer "))
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim);
    let is_jwt = token.is_some_and(|t| t.starts_with("eyJ") && t.matches('.').count() == 2);
    if is_app_route(route) {
        let Some(app) = &sh.app else {
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
            let mut auth = sh.auth();
            if !auth.take_use(t) {
                drop(auth);
                sh.log().counters.revoked += 1;
                return Err(Resp::error(401, "Bad credentials"));
            }
            match auth.resolve(t) {
                Some(spec) => Ok(Caller { token: Some(spec) }),
                None => Err(Resp::error(401, "Bad credentials")),
            }
        }
    }
}

/// The REST rate limits (`limits::LimitState::check_rest`), worded as GitHub words a
/// refusal. GraphQL charges by query cost inside its handler; `GET /rate_limit` and the App
/// routes are free. A secondary-limit refusal keeps the primary window's headers (its
/// remaining is not 0: recorded, nf-core/tools#970, KnpLabs/php-github-api#1072).
fn rest_limits(
    sh: &Shared,
    req: &Req,
    caller: &Caller,
    route: &Route,
    kind: Kind,
) -> Result<Option<RateInfo>, Resp> {
    let app = is_app_route(route);
    let endpoint = format!("{} {}", req.method, route.template());
    let request = RestRequest {
        free: matches!(route, Route::Graphql | Route::RateLimit) || app,
        content_creating: kind == Kind::Write && !app && caller.token.is_some(),
        endpoint: &endpoint,
        points: match req.method.as_str() {
            "GET" | "HEAD" | "OPTIONS" => 1,
            _ => 5,
        },
    };
    let refusal = match sh.limits().check_rest(caller, request) {
        Ok(charged) => return Ok(charged),
        Err(refusal) => refusal,
    };
    let mut log = sh.log();
    log.counters.rate_limited += 1;
    if !matches!(refusal, Refusal::Primary(_)) {
        log.counters.secondary_limited += 1;
    }
    drop(log);
    let with_primary = |resp: Resp, charged: Option<RateInfo>| match charged {
        Some(info) => rate_headers(resp, &info),
        None => resp,
    };
    Err(match refusal {
        Refusal::Primary(info) => {
            let msg = format!(
                "API rate limit exceeded for user ID {}. If you reach out to GitHub Support for help, please include the request ID {}.",
                caller.user_id(),
                sh.request_id()
            );
            rate_headers(Resp::error(403, &msg), &info)
        }
        Refusal::EndpointPoints {
            retry_after,
            charged,
        } => with_primary(secondary_limit(403, retry_after, sh.request_id()), charged),
        Refusal::ContentCreation {
            retry_after,
            charged,
        } => with_primary(content_creation_limit(Some(retry_after)), charged),
        Refusal::ContentPerHour {
            retry_after,
            charged,
        } => {
            let retry_after = sh
                .behaviour
                .content_per_hour_retry_after
                .then_some(retry_after);
            with_primary(content_creation_limit(retry_after), charged)
        }
    })
}

/// Conditional requests: a GET answered 200 carries a weak `etag`; `If-None-Match` with it
/// answers 304, which costs no rate limit (the charge is given back). A write answered with a
/// body (200, 201) carries one too, as GitHub's do (recorded: octokit/fixtures `git-refs`,
/// `add-labels-to-issue`, `rename-repository`).
fn conditional(
    sh: &Shared,
    req: &Req,
    caller: &Caller,
    mut resp: Resp,
    mut charged: Option<RateInfo>,
) -> (Resp, Option<RateInfo>) {
    let body = resp_body(&resp);
    let etag = format!("W/\"{:016x}\"", fnv64(&[body.as_bytes()]));
    if req.method != "GET" || resp.status != 200 {
        let write = req.method != "GET" && req.path != "/graphql";
        if write && matches!(resp.status, 200 | 201) && !body.is_empty() {
            resp.headers.push(("etag".into(), etag));
        }
        return (resp, charged);
    }
    if req
        .header("if-none-match")
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        if let Some(info) = charged {
            sh.limits().refund(caller, "core", 1);
            charged = Some(RateInfo {
                remaining: info.remaining + 1,
                used: info.used.saturating_sub(1),
                ..info
            });
        }
        sh.log().counters.not_modified += 1;
        resp = Resp::empty(304).with_header("etag", etag);
    } else {
        resp.headers.push(("etag".into(), etag));
    }
    (resp, charged)
}

/// Adds the headers every answer carries and logs the exchange.
fn finish(
    sh: &Shared,
    req: &Req,
    kind: Kind,
    caller: Option<&Caller>,
    mut resp: Resp,
    delay: Duration,
) -> Outcome {
    let mut delay = delay;
    if let Some(i) = resp.headers.iter().position(|(k, _)| k == HOLD_HEADER) {
        let (_, ms) = resp.headers.remove(i);
        delay += Duration::from_millis(ms.parse().unwrap_or(0));
    }
    resp.headers
        .push(("x-github-request-id".into(), sh.request_id()));
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
    if let Some(expiry) = caller
        .and_then(|c| c.token.as_ref())
        .and_then(|t| t.expiration_header())
    {
        resp.headers
            .push(("github-authentication-token-expiration".into(), expiry));
    }
    let response = match (&resp.text, &resp.json) {
        (Some(t), _) => serde_json::from_str(t).ok(),
        (None, j) => j.clone(),
    };
    sh.log().record(LogEntry {
        method: req.method.clone(),
        path: req.path_with_query(),
        status: resp.status,
        request: req.json.clone(),
        response,
        kind,
        unexpected: req.unexpected.load(std::sync::atomic::Ordering::Relaxed),
        fault: None,
        rewritten: req.rewritten.load(std::sync::atomic::Ordering::Relaxed),
    });
    Outcome::Answer(resp, delay)
}
