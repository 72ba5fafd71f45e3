//! GitHub's rate limits, accounted per token: the primary hourly windows (`core` REST calls,
//! `graphql` points), the content-creation limits (80 per minute, 500 per hour) and the
//! points per minute per REST endpoint (900; a GET 1 point, a write 5), and which REST
//! request they refuse, as data. The request pipeline (`server::pipeline`) applies
//! `check_rest` to every REST request and words the refusal; GraphQL charges its query cost
//! itself (`graphql::cost`).

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use crate::auth::Caller;
use crate::util::wall_now;

/// One resource's usage window.
#[derive(Clone, Copy, Debug)]
pub struct RateInfo {
    /// Limit for the window.
    pub limit: u32,
    /// Remaining.
    pub remaining: u32,
    /// Used.
    pub used: u32,
    /// Window end (Unix seconds, wall clock).
    pub reset: i64,
    /// `core` or `graphql`.
    pub resource: &'static str,
}

/// Why the REST limits refuse a request.
#[derive(Clone, Copy, Debug)]
pub enum Refusal {
    /// The primary hourly window is spent (GitHub: 403 "API rate limit exceeded").
    Primary(RateInfo),
    /// Too many content-creating requests this minute (GitHub: a secondary rate limit).
    ContentCreation {
        /// Seconds until the oldest counted request leaves the window (`retry-after`).
        retry_after: u64,
        /// The primary window, when this request was charged to it.
        charged: Option<RateInfo>,
    },
    /// Too many content-creating requests this hour (GitHub: a secondary rate limit).
    ContentPerHour {
        /// Seconds until the oldest counted request leaves the window.
        retry_after: u64,
        /// The primary window, when this request was charged to it.
        charged: Option<RateInfo>,
    },
    /// Too many points this minute on one REST endpoint (GitHub: a secondary rate limit).
    EndpointPoints {
        /// Seconds until the window has room for this request (`retry-after`).
        retry_after: u64,
        /// The primary window, when this request was charged to it.
        charged: Option<RateInfo>,
    },
}

/// A REST request as the limits see it.
#[derive(Clone, Copy, Debug)]
pub struct RestRequest<'a> {
    /// Free of the primary limit (GraphQL, `GET /rate_limit`, the App routes).
    pub free: bool,
    /// Counts against the content-creation limits.
    pub content_creating: bool,
    /// The endpoint: method and route template (`GET /repos/{owner}/{repo}/compare/{basehead}`).
    pub endpoint: &'a str,
    /// Its points for the per-endpoint limit (GitHub: GET/HEAD/OPTIONS 1, other methods 5).
    pub points: u32,
}

/// Amounts spent within a sliding window (`span`), oldest first.
#[derive(Default)]
struct Window {
    spent: VecDeque<(Instant, u32)>,
    total: u32,
}

impl Window {
    fn prune(&mut self, now: Instant, span: Duration) {
        while let Some(&(t, n)) = self.spent.front() {
            if now.duration_since(t) < span {
                break;
            }
            self.spent.pop_front();
            self.total -= n;
        }
    }

    /// `Err(seconds)` until `amount` more fits under `limit` (at least 1).
    fn room(&mut self, now: Instant, span: Duration, limit: u32, amount: u32) -> Result<(), u64> {
        self.prune(now, span);
        if self.total + amount <= limit {
            return Ok(());
        }
        let mut freed = 0;
        for &(t, n) in &self.spent {
            freed += n;
            if self.total - freed + amount <= limit {
                let left = span.saturating_sub(now.duration_since(t));
                return Err(left.as_secs_f64().ceil().max(1.0) as u64);
            }
        }
        Err(span.as_secs().max(1))
    }

    fn add(&mut self, now: Instant, amount: u32) {
        self.spent.push_back((now, amount));
        self.total += amount;
    }
}

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

/// Usage windows per token: primary (per hour), content creation (per minute and per hour)
/// and points per REST endpoint (per minute).
pub struct LimitState {
    usage: HashMap<(String, &'static str), (i64, u32)>,
    content: HashMap<String, Window>,
    content_hour: HashMap<String, Window>,
    endpoints: HashMap<(String, String), Window>,
    /// Content-creating requests allowed per minute per token.
    pub content_limit: u32,
    /// Content-creating requests allowed per hour per token (0 = no limit).
    pub content_per_hour: u32,
    /// Points allowed per minute per token on one REST endpoint (0 = no limit).
    pub endpoint_points: u32,
}

impl LimitState {
    /// With the given content-creation limit (per token per minute); the hourly content and
    /// per-endpoint limits are off until set (`with_rest_limits`).
    pub fn new(content_limit: u32) -> LimitState {
        LimitState {
            usage: HashMap::new(),
            content: HashMap::new(),
            content_hour: HashMap::new(),
            endpoints: HashMap::new(),
            content_limit,
            content_per_hour: 0,
            endpoint_points: 0,
        }
    }

    /// Sets the points per minute per endpoint and the content-creating requests per hour
    /// (0 = no limit).
    pub fn with_rest_limits(mut self, endpoint_points: u32, content_per_hour: u32) -> Self {
        self.endpoint_points = endpoint_points;
        self.content_per_hour = content_per_hour;
        self
    }

    /// The REST limits for one request: charges one call to the `core` window unless the
    /// request is `free`, then checks the endpoint's points and, when it is content-creating,
    /// the content windows; a request refused by a secondary limit counts in none of them.
    /// Returns the charged window.
    pub fn check_rest(
        &mut self,
        caller: &Caller,
        r: RestRequest<'_>,
    ) -> Result<Option<RateInfo>, Refusal> {
        let charged = if r.free {
            None
        } else {
            Some(self.charge(caller, "core", 1).map_err(Refusal::Primary)?)
        };
        let now = Instant::now();
        let key = caller.key();
        let endpoint = (key.clone(), r.endpoint.to_string());
        if self.endpoint_points > 0 && !r.free {
            let w = self.endpoints.entry(endpoint.clone()).or_default();
            if let Err(retry_after) = w.room(now, MINUTE, self.endpoint_points, r.points) {
                return Err(Refusal::EndpointPoints {
                    retry_after,
                    charged,
                });
            }
        }
        if r.content_creating {
            let w = self.content.entry(key.clone()).or_default();
            if let Err(retry_after) = w.room(now, MINUTE, self.content_limit, 1) {
                return Err(Refusal::ContentCreation {
                    retry_after,
                    charged,
                });
            }
            if self.content_per_hour > 0 {
                let w = self.content_hour.entry(key.clone()).or_default();
                if let Err(retry_after) = w.room(now, HOUR, self.content_per_hour, 1) {
                    return Err(Refusal::ContentPerHour {
                        retry_after,
                        charged,
                    });
                }
                w.add(now, 1);
            }
            self.content.entry(key).or_default().add(now, 1);
        }
        if self.endpoint_points > 0 && !r.free {
            self.endpoints
                .entry(endpoint)
                .or_default()
                .add(now, r.points);
        }
        Ok(charged)
    }

    fn limit_of(&self, caller: &Caller, resource: &'static str) -> u32 {
        match (&caller.token, resource) {
            (None, "graphql") => 0,
            (None, _) => 60,
            (Some(t), "graphql") => t.graphql_limit,
            (Some(t), _) => t.core_limit,
        }
    }

    /// Current window without charging.
    pub fn peek(&mut self, caller: &Caller, resource: &'static str) -> RateInfo {
        self.charge(caller, resource, 0).unwrap_or_else(|i| i)
    }

    /// Charges `cost`; `Err` (with what remains, less than `cost`) when the window cannot
    /// pay for it.
    pub fn charge(
        &mut self,
        caller: &Caller,
        resource: &'static str,
        cost: u32,
    ) -> Result<RateInfo, RateInfo> {
        let limit = self.limit_of(caller, resource);
        let now = wall_now();
        let w = self
            .usage
            .entry((caller.key(), resource))
            .or_insert((now + 3600, 0));
        if w.0 <= now {
            *w = (now + 3600, 0);
        }
        if cost > 0 && w.1 + cost > limit {
            // What is left may be more than 0 but less than the cost (GitHub's GraphQL
            // answers show it: release-drafter/release-drafter#1018 recorded 4 remaining).
            return Err(RateInfo {
                limit,
                remaining: limit.saturating_sub(w.1),
                used: w.1.min(limit),
                reset: w.0,
                resource,
            });
        }
        w.1 += cost;
        Ok(RateInfo {
            limit,
            remaining: limit.saturating_sub(w.1),
            used: w.1,
            reset: w.0,
            resource,
        })
    }

    /// Gives back `cost` (a conditional request answered 304 is free).
    pub fn refund(&mut self, caller: &Caller, resource: &'static str, cost: u32) {
        if let Some(w) = self.usage.get_mut(&(caller.key(), resource)) {
            w.1 = w.1.saturating_sub(cost);
        }
    }

    /// Sets the used count of a window (tests: "pretend 4,999 calls were made").
    pub fn set_used(&mut self, key: &str, resource: &'static str, used: u32) {
        let now = wall_now();
        let w = self
            .usage
            .entry((key.to_string(), resource))
            .or_insert((now + 3600, 0));
        w.1 = used;
    }
}
