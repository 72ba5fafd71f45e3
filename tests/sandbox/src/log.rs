//! The request log: every exchange as one JSONL line in the format
//! the project's `tools/api-check` reads, an in-memory copy for tests, counters by kind, and
//! the list of unexpected routes (requests the sandbox does not implement) that tests assert
//! is empty.

use std::collections::VecDeque;
use std::io::Write as _;

use serde_json::{json, Value};

/// What kind of request an exchange was, for counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `POST /graphql`.
    Graphql,
    /// `GET …/compare/…`.
    Compare,
    /// Any REST write (POST, PATCH, PUT, DELETE).
    Write,
    /// Everything else.
    Other,
}

/// One logged exchange.
#[derive(Clone, Debug)]
pub struct LogEntry {
    /// HTTP method.
    pub method: String,
    /// Path with query, as GitHub.com would see it (no `/api/v3` prefix).
    pub path: String,
    /// Status answered; 0 when the connection was dropped.
    pub status: u16,
    /// Request JSON body.
    pub request: Option<Value>,
    /// Response JSON body.
    pub response: Option<Value>,
    /// Kind.
    pub kind: Kind,
    /// The request asked for a route or GraphQL field the sandbox does not implement.
    pub unexpected: bool,
    /// A provoked answer GitHub's API description cannot judge (`"huge-body"`: a 200 whose
    /// body was streamed, not logged); `documented-exchanges.py` sets these aside by name.
    pub fault: Option<&'static str>,
    /// A hostile-proxy rule rewrote the answer (it is not GitHub's).
    pub rewritten: bool,
}

impl LogEntry {
    /// The JSONL form; an unexpected request also carries `"unexpected": true`, a rewritten
    /// answer `"rewritten": true`.
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "request": self.request,
            "response": self.response,
        });
        if self.unexpected {
            v["unexpected"] = json!(true);
        }
        if let Some(f) = self.fault {
            v["fault"] = json!(f);
        }
        if self.rewritten {
            v["rewritten"] = json!(true);
        }
        v
    }
}

/// Counters by kind and outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// All requests.
    pub total: u64,
    /// GraphQL requests.
    pub graphql: u64,
    /// Compare requests.
    pub compare: u64,
    /// REST writes.
    pub writes: u64,
    /// Other REST requests.
    pub other: u64,
    /// Answers refused for a primary or secondary rate limit.
    pub rate_limited: u64,
    /// Of those, the secondary limits: points per endpoint, content creation per minute or
    /// hour, and injected secondary-limit faults.
    pub secondary_limited: u64,
    /// GraphQL documents cut off by the timeout (`Behaviour::graphql_timeout_ms`).
    pub graphql_timeouts: u64,
    /// The most compare requests let through within any 60 seconds, counted when they
    /// arrive as the per-endpoint limit counts them (GitHub allows one endpoint 900 points a
    /// minute).
    pub compares_peak_minute: u64,
    /// Injected 5xx answers.
    pub injected_errors: u64,
    /// Dropped connections.
    pub dropped: u64,
    /// Requests held back by a targeted delay rule (`FaultAction::Delay`).
    pub delayed: u64,
    /// Answers sent a byte at a time (`FaultAction::DripBody`, `FaultAction::DripHeaders`).
    pub dripped: u64,
    /// Huge streamed answers started (`FaultAction::HugeBody`).
    pub huge: u64,
    /// Bytes of huge answers actually sent: the client stopped reading at its cap when this
    /// stays near the cap.
    pub huge_bytes_sent: u64,
    /// Answers replaced by a targeted `FaultAction::Answer`.
    pub replaced: u64,
    /// Requests refused with 401 because their token was revoked mid-run
    /// (`Sandbox::revoke_token_after`).
    pub revoked: u64,
    /// 304 answers.
    pub not_modified: u64,
    /// Answers a hostile-proxy rule rewrote (`FaultAction::Rewrite`).
    pub rewritten: u64,
    /// Requests to unimplemented routes.
    pub unexpected: u64,
}

/// Log sinks and counters.
pub struct LogState {
    file: Option<std::io::BufWriter<std::fs::File>>,
    mem: VecDeque<LogEntry>,
    cap: usize,
    /// Unexpected routes, as `METHOD path`; kept for the sandbox's whole life.
    pub unexpected: Vec<String>,
    /// Counters.
    pub counters: Counters,
    /// Also print each unexpected route to stderr as it happens (the `serve` binary).
    pub echo_unexpected: bool,
    /// When the compares of the last 60 seconds were answered.
    compares_last_minute: VecDeque<std::time::Instant>,
}

impl LogState {
    /// Logs to `path` (appending) when given; keeps the last `cap` entries in memory.
    pub fn new(path: Option<&std::path::Path>, cap: usize) -> std::io::Result<LogState> {
        let file = match path {
            Some(p) => Some(std::io::BufWriter::new(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)?,
            )),
            None => None,
        };
        Ok(LogState {
            file,
            mem: VecDeque::new(),
            cap,
            unexpected: Vec::new(),
            counters: Counters::default(),
            echo_unexpected: false,
            compares_last_minute: VecDeque::new(),
        })
    }

    /// Records a request for a route (`METHOD path`) or GraphQL field the sandbox does not
    /// implement.
    pub fn unexpected_route(&mut self, line: String) {
        if self.echo_unexpected {
            eprintln!("github-sandbox: unexpected route: {line}");
        }
        self.unexpected.push(line);
        self.counters.unexpected += 1;
    }

    /// Counts a compare the REST limits let through, when they did (GitHub counts a
    /// request's points when it arrives): for `compares_peak_minute`.
    pub fn compare_admitted(&mut self) {
        let now = std::time::Instant::now();
        let q = &mut self.compares_last_minute;
        while q
            .front()
            .is_some_and(|t| now.duration_since(*t) >= std::time::Duration::from_secs(60))
        {
            q.pop_front();
        }
        q.push_back(now);
        let c = &mut self.counters;
        c.compares_peak_minute = c.compares_peak_minute.max(q.len() as u64);
    }

    /// Records one exchange.
    pub fn record(&mut self, e: LogEntry) {
        let c = &mut self.counters;
        c.total += 1;
        match e.kind {
            Kind::Graphql => c.graphql += 1,
            Kind::Compare => c.compare += 1,
            Kind::Write => c.writes += 1,
            Kind::Other => c.other += 1,
        }
        if let Some(f) = self.file.as_mut() {
            let _ = writeln!(f, "{}", e.to_json());
            let _ = f.flush();
        }
        if self.cap > 0 {
            if self.mem.len() == self.cap {
                self.mem.pop_front();
            }
            self.mem.push_back(e);
        }
    }

    /// The entries kept in memory, oldest first.
    pub fn entries(&self) -> Vec<LogEntry> {
        self.mem.iter().cloned().collect()
    }

    /// Forgets in-memory entries and counters. The file and the unexpected routes are kept:
    /// a test that clears the log midway still fails for a route asked before.
    pub fn clear(&mut self) {
        self.mem.clear();
        self.counters = Counters::default();
        self.compares_last_minute.clear();
    }
}
