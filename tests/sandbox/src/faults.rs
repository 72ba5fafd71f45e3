//! Fault and latency injection, seeded and reproducible: a request's fate depends only on
//! the seed, the request itself and how many times that same request was seen before, so a
//! concurrent client gets the same faults whatever the interleaving. A REST request is known
//! by its method and path (with query), not its body: bodies carry the client's clock (audit
//! artifacts, commit trees), which would make a fault land or not from one run to the next.
//! A GraphQL request (always `POST /graphql`) is known by its body, the operation itself.

use std::collections::HashMap;
use std::time::Duration;

use crate::util::{fnv64, unit_of};

/// What to do to a request instead of (or before) answering it normally.
#[derive(Clone, Debug, PartialEq)]
pub enum FaultAction {
    /// Answer with this 5xx status and GitHub's error body.
    Status(u16),
    /// Close the connection without answering.
    Drop,
    /// Answer with a secondary-rate-limit refusal (403 or 429) carrying `retry-after`.
    SecondaryLimit {
        /// 403 or 429.
        status: u16,
        /// Seconds in `retry-after`.
        retry_after: u64,
    },
    /// Add this much latency, then answer normally.
    Delay(Duration),
    /// Answer normally, but send the body one byte every `every` (status line and headers at
    /// once): each read is quick, the whole answer endless. A per-read timeout never fires.
    DripBody {
        /// Pause between two bytes.
        every: Duration,
    },
    /// Accept the request, then send the whole answer, status line and headers included, one
    /// byte every `every`: a server that never finishes its headers.
    DripHeaders {
        /// Pause between two bytes.
        every: Duration,
    },
    /// Answer 200 with a JSON body of `bytes` bytes, streamed without a `content-length` and
    /// generated as it is sent (the sandbox never holds it): an answer too big to buffer.
    HugeBody {
        /// How many bytes the body has.
        bytes: u64,
    },
    /// Answer with this status and JSON body instead of the handler's (e.g. an error whose
    /// message carries hostile text).
    Answer {
        /// The status.
        status: u16,
        /// The body.
        body: serde_json::Value,
    },
    /// Answer with this status and GitHub's error body carrying `message` instead of the
    /// handler's answer: a refusal the real server gives for reasons the sandbox does not
    /// model (an organisation policy, an App installed with read-only access to one
    /// repository), e.g. 403 "Resource not accessible by integration".
    Error {
        /// The status (403, 404, 422…).
        status: u16,
        /// GitHub's `message`.
        message: String,
    },
    /// A hostile proxy: the request is answered normally, then the JSON value at `pointer`
    /// (RFC 6901, e.g. `/data/r0/defaultBranchRef/target/oid` or `/object/sha`) in the answer
    /// is replaced with `value`. An answer without that pointer passes unchanged.
    Rewrite {
        /// Where in the answer (JSON pointer).
        pointer: String,
        /// What to put there.
        value: serde_json::Value,
    },
}

/// The `method` of a rule that matches every REST write ([`FaultRule::writes`]).
pub const WRITES: &str = "WRITES";

/// A targeted fault: applies to matching requests, `times` times (None = always).
#[derive(Clone, Debug)]
pub struct FaultRule {
    /// Method to match (None = any; [`WRITES`] = any REST write).
    pub method: Option<String>,
    /// Substring of the path (with query) to match (None = any).
    pub path_contains: Option<String>,
    /// Substring of the request body to match (None = any), e.g. one GraphQL operation.
    pub body_contains: Option<String>,
    /// How many more matching requests it applies to (None = unlimited).
    pub times: Option<u32>,
    /// What happens.
    pub action: FaultAction,
}

impl FaultRule {
    /// Matches every request, unlimited.
    pub fn always(action: FaultAction) -> FaultRule {
        FaultRule {
            method: None,
            path_contains: None,
            body_contains: None,
            times: None,
            action,
        }
    }

    /// Matches `method` requests whose path contains `path`, `times` times.
    pub fn on(method: &str, path: &str, times: u32, action: FaultAction) -> FaultRule {
        FaultRule {
            method: Some(method.to_ascii_uppercase()),
            path_contains: Some(path.to_string()),
            body_contains: None,
            times: Some(times),
            action,
        }
    }

    /// Matches write requests (`POST`, `PATCH`, `PUT`, `DELETE`, GraphQL excepted) whose
    /// path contains `path`, `times` times (None = unlimited).
    pub fn writes(path: &str, times: Option<u32>, action: FaultAction) -> FaultRule {
        FaultRule {
            method: Some(WRITES.to_string()),
            path_contains: Some(path.to_string()),
            body_contains: None,
            times,
            action,
        }
    }

    /// Narrows the rule to requests whose body contains `text` (e.g. `"query Ancestry"`).
    pub fn with_body(mut self, text: &str) -> FaultRule {
        self.body_contains = Some(text.to_string());
        self
    }
}

/// Fault settings; all rates are fractions in `[0, 1]` of requests.
#[derive(Clone, Debug)]
pub struct Faults {
    /// Fixed latency added to every answered request.
    pub latency: Duration,
    /// Fraction answered with `error_status`.
    pub error_rate: f64,
    /// Status for `error_rate` (500, 502, 503…).
    pub error_status: u16,
    /// Fraction whose connection is dropped without an answer.
    pub drop_rate: f64,
    /// Fraction answered with a secondary rate limit.
    pub secondary_rate: f64,
    /// Status for `secondary_rate` answers (403 or 429).
    pub secondary_status: u16,
    /// `retry-after` seconds for secondary-limit answers.
    pub retry_after: u64,
    /// Seed of the fault decisions.
    pub seed: u64,
    /// Targeted rules, checked first, in order.
    pub rules: Vec<FaultRule>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            latency: Duration::ZERO,
            error_rate: 0.0,
            error_status: 502,
            drop_rate: 0.0,
            secondary_rate: 0.0,
            secondary_status: 403,
            retry_after: 60,
            seed: 0,
            rules: Vec::new(),
        }
    }
}

/// Live fault state: the settings and how often each request was seen.
#[derive(Default)]
pub struct FaultState {
    /// Current settings.
    pub faults: Faults,
    seen: HashMap<u64, u64>,
}

impl FaultState {
    /// Starts with the given settings.
    pub fn new(faults: Faults) -> FaultState {
        FaultState {
            faults,
            seen: HashMap::new(),
        }
    }

    /// Decides the fate of one request. Returns the extra delay (latency plus any targeted
    /// delay), whether a targeted delay rule held it back, and the action, if any.
    pub fn decide(
        &mut self,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> (Duration, bool, Option<FaultAction>) {
        let f = &mut self.faults;
        let mut delay = f.latency;
        let mut held_back = false;
        for rule in f.rules.iter_mut() {
            if rule.times == Some(0) {
                continue;
            }
            let method_matches = |m: &str| match m {
                WRITES => !matches!(method, "GET" | "HEAD") && path != "/graphql",
                m => m.eq_ignore_ascii_case(method),
            };
            if rule.method.as_deref().is_some_and(|m| !method_matches(m)) {
                continue;
            }
            if rule
                .path_contains
                .as_deref()
                .is_some_and(|p| !path.contains(p))
            {
                continue;
            }
            if rule
                .body_contains
                .as_deref()
                .is_some_and(|b| !String::from_utf8_lossy(body).contains(b))
            {
                continue;
            }
            if let Some(t) = rule.times.as_mut() {
                *t -= 1;
            }
            match &rule.action {
                FaultAction::Delay(d) => {
                    delay += *d;
                    held_back = true;
                }
                a => return (delay, held_back, Some(a.clone())),
            }
        }
        if f.error_rate <= 0.0 && f.drop_rate <= 0.0 && f.secondary_rate <= 0.0 {
            return (delay, held_back, None);
        }
        let identity: &[u8] = if path == "/graphql" { body } else { &[] };
        let key = fnv64(&[method.as_bytes(), path.as_bytes(), identity]);
        let n = self.seen.entry(key).or_insert(0);
        *n += 1;
        let u = unit_of(fnv64(&[
            &f.seed.to_le_bytes(),
            &key.to_le_bytes(),
            &n.to_le_bytes(),
        ]));
        let action = if u < f.drop_rate {
            Some(FaultAction::Drop)
        } else if u < f.drop_rate + f.error_rate {
            Some(FaultAction::Status(f.error_status))
        } else if u < f.drop_rate + f.error_rate + f.secondary_rate {
            Some(FaultAction::SecondaryLimit {
                status: f.secondary_status,
                retry_after: f.retry_after,
            })
        } else {
            None
        };
        (delay, held_back, action)
    }
}
