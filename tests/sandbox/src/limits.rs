//! GitHub's rate limits, accounted per token: the primary hourly windows (`core` REST calls,
//! `graphql` points) and the content-creation limit (80 per minute), and which REST request
//! they refuse, as data. The request pipeline (`server::pipeline`) applies `check_rest` to
//! every REST request and words the refusal; GraphQL charges its query cost itself
//! (`graphql::cost`). Further REST limits (points per endpoint, content per hour) belong here.

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
}

/// Usage windows per token: primary (per hour) and content creation (per minute).
pub struct LimitState {
    usage: HashMap<(String, &'static str), (i64, u32)>,
    content: HashMap<String, VecDeque<Instant>>,
    /// Content-creating requests allowed per minute per token.
    pub content_limit: u32,
}

impl LimitState {
    /// With the given content-creation limit (per token per minute).
    pub fn new(content_limit: u32) -> LimitState {
        LimitState {
            usage: HashMap::new(),
            content: HashMap::new(),
            content_limit,
        }
    }

    /// The REST limits for one request: charges one call to the `core` window unless the
    /// request is `free` (GraphQL, `GET /rate_limit`, the App routes), then counts it against
    /// the content-creation window when it is `content_creating`. Returns the charged window.
    pub fn check_rest(
        &mut self,
        caller: &Caller,
        free: bool,
        content_creating: bool,
    ) -> Result<Option<RateInfo>, Refusal> {
        let charged = if free {
            None
        } else {
            Some(self.charge(caller, "core", 1).map_err(Refusal::Primary)?)
        };
        if content_creating {
            if let Err(retry_after) = self.content_request(caller) {
                return Err(Refusal::ContentCreation {
                    retry_after,
                    charged,
                });
            }
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

    /// Charges `cost`; `Err` (with remaining 0) when the window cannot pay for it.
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
            return Err(RateInfo {
                limit,
                remaining: 0,
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

    /// Records a content-creating request; `Err(seconds)` when over the per-minute limit.
    pub fn content_request(&mut self, caller: &Caller) -> Result<(), u64> {
        let q = self.content.entry(caller.key()).or_default();
        let now = Instant::now();
        while q
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(60))
        {
            q.pop_front();
        }
        if q.len() as u32 >= self.content_limit {
            let oldest = *q.front().expect("non-empty when at limit");
            let wait = 60u64
                .saturating_sub(now.duration_since(oldest).as_secs())
                .max(1);
            return Err(wait);
        }
        q.push_back(now);
        Ok(())
    }
}
