//! One exchange as the handlers see it: the request (`Req`), the answer before transport
//! (`Resp`, with GitHub's error bodies and rate-limit headers), what the pipeline decided
//! (`Outcome`) and the context handed to every REST and GraphQL handler (`Ctx`).

use std::time::Duration;

use serde_json::{json, Value};

use crate::auth::Caller;
use crate::limits::RateInfo;
use crate::state::Shared;

/// A header a handler sets to have its answer held back this many milliseconds (GraphQL's
/// timeout answers after GitHub's 10 s); the pipeline removes it before answering.
pub const HOLD_HEADER: &str = "x-sandbox-hold-ms";

/// GitHub's documentation link used in error bodies.
pub const DOCS: &str = "https://docs.github.com/rest";

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
    /// Set when a hostile-proxy rule rewrote its answer (`FaultAction::Rewrite`).
    pub rewritten: std::sync::atomic::AtomicBool,
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
    /// Answer after `delay`, sent slowly (a drip fault).
    Paced(Box<Resp>, Duration, Pace),
    /// Answer 200 with a streamed JSON body of this many bytes (after `delay`).
    Huge(u64, Duration),
}

/// How slowly an answer is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pace {
    /// The body one byte every so often, the headers at once.
    Body(Duration),
    /// Everything, the status line first, one byte every so often.
    Whole(Duration),
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

/// Where GitHub's secondary-limit refusals point.
const SECONDARY_DOCS: &str =
    "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits";

/// GitHub's secondary-rate-limit refusal (recorded 2023-12, github-changelog-generator#993).
pub fn secondary_limit(status: u16, retry_after: u64, request_id: String) -> Resp {
    Resp::json(
        status,
        json!({
            "message": format!("You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID {request_id}."),
            "documentation_url": SECONDARY_DOCS,
            "status": status.to_string(),
        }),
    )
    .with_header("retry-after", retry_after.to_string())
}

/// GitHub's refusal of content creation under a secondary limit (recorded 2022-12 to 2023-06:
/// peter-evans/create-pull-request#855), with `retry-after` when given. Its
/// `documentation_url` was not captured; the secondary-limit one stands in.
pub fn content_creation_limit(retry_after: Option<u64>) -> Resp {
    let resp = Resp::json(
        403,
        json!({
            "message": "You have exceeded a secondary rate limit and have been temporarily blocked from content creation. Please retry your request again later.",
            "documentation_url": SECONDARY_DOCS,
            "status": "403",
        }),
    );
    match retry_after {
        Some(s) => resp.with_header("retry-after", s.to_string()),
        None => resp,
    }
}
