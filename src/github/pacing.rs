//! Request pacing under GitHub's secondary limits: content-creating requests spaced under the
//! per-minute limit and counted against the hourly one, points per endpoint kept under the
//! per-minute limit of each (a sliding window per method and route), and jittered
//! exponential backoff for retries.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// GitHub's limit on content-creating requests a minute: the inventory's cap on
/// `limits.writes_per_minute`, and the test knob's on github.com.
pub const GITHUB_WRITES_PER_MINUTE: u32 = 80;

/// GitHub's limit on content-creating requests an hour ("no more than 500
/// content-generating requests per hour", GitHub's docs, "Rate limits for the REST API").
/// One client never sends more within an hour, whatever the inventory says.
pub const GITHUB_WRITES_PER_HOUR: usize = 500;

/// GitHub's limit on points a minute for one REST endpoint ("No more than 900 points per
/// minute are allowed for REST API endpoints"); a GET is 1 point, a write 5.
pub const GITHUB_ENDPOINT_POINTS_PER_MINUTE: u32 = 900;

/// GitHub's limit on points a minute for the GraphQL endpoint (2,000; a query is 1 point).
pub const GITHUB_GRAPHQL_POINTS_PER_MINUTE: u32 = 2_000;

/// The share of a per-minute limit the client spends: the rest is the margin for clocks
/// and latency (GitHub counts when a request arrives, the client when it leaves).
pub const ENDPOINT_SHARE_PERCENT: u32 = 90;

/// How long a request stays in the client's window: GitHub's minute plus a grace for a
/// request that reaches GitHub later than it left (a slow connection, a busy runner), so a
/// window GitHub sees never holds more than the client's.
pub const ENDPOINT_WINDOW: Duration = Duration::from_secs(62);

/// The endpoint a request counts against for GitHub's per-endpoint limit, and its points:
/// the method and the route, with the repository and everything after the resource left
/// out (`GET /repos/{owner}/{repo}/compare`, `PATCH /repos/{owner}/{repo}/git/refs`,
/// `POST /graphql`). This groups at least as coarsely as GitHub's route templates do (a
/// pull request and the list of them share one), so keeping each group under the limit
/// keeps every template under it.
pub fn endpoint_of(method: &str, url: &str) -> (String, u32) {
    let path = url
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or(url);
    let path = path.split(['?', '#']).next().unwrap_or("");
    let path = path.strip_prefix("/api/v3").unwrap_or(path);
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let method = method.to_ascii_uppercase();
    let key = match segs.as_slice() {
        ["graphql"] | ["api", "graphql"] => format!("{method} /graphql"),
        ["repos", _, _, "git", kind, ..] => {
            format!("{method} /repos/{{owner}}/{{repo}}/git/{kind}")
        }
        ["repos", _, _, resource, ..] => format!("{method} /repos/{{owner}}/{{repo}}/{resource}"),
        ["repos", ..] => format!("{method} /repos/{{owner}}/{{repo}}"),
        [first, ..] => format!("{method} /{first}"),
        [] => format!("{method} /"),
    };
    let points = match method.as_str() {
        "GET" | "HEAD" | "OPTIONS" => 1,
        // A GraphQL query is 1 point (a mutation 5; priority-sync sends none).
        _ if segs.last() == Some(&"graphql") => 1,
        _ => 5,
    };
    (key, points)
}

/// Points spent per endpoint in the last minute, as sent; a request waits until its
/// endpoint has room under its share of GitHub's limit.
#[derive(Debug)]
pub struct EndpointPacer {
    rest_budget: u32,
    graphql_budget: u32,
    spent: std::sync::Mutex<HashMap<String, VecDeque<(Instant, u32)>>>,
}

impl EndpointPacer {
    /// Paces REST endpoints at `ENDPOINT_SHARE_PERCENT` of `rest_limit` points a minute
    /// (GitHub: 900) and the GraphQL endpoint at that share of GitHub's 2,000.
    pub fn new(rest_limit: u32) -> Self {
        let share = |l: u32| (l * ENDPOINT_SHARE_PERCENT / 100).max(1);
        Self {
            rest_budget: share(rest_limit.max(1)),
            graphql_budget: share(GITHUB_GRAPHQL_POINTS_PER_MINUTE),
            spent: std::sync::Mutex::new(HashMap::new()),
        }
    }

    /// Takes `points` on `endpoint` now when they fit, else says when to ask again.
    pub fn try_take(&self, endpoint: &str, points: u32) -> Result<(), Instant> {
        self.try_take_at(endpoint, points, Instant::now())
    }

    fn try_take_at(&self, endpoint: &str, points: u32, now: Instant) -> Result<(), Instant> {
        let budget = if endpoint.ends_with(" /graphql") {
            self.graphql_budget
        } else {
            self.rest_budget
        };
        let minute = ENDPOINT_WINDOW;
        let mut spent = self.spent.lock().unwrap_or_else(|e| e.into_inner());
        let q = spent.entry(endpoint.to_string()).or_default();
        while q
            .front()
            .is_some_and(|(t, _)| now.duration_since(*t) >= minute)
        {
            q.pop_front();
        }
        let total: u32 = q.iter().map(|(_, p)| p).sum();
        if total + points <= budget || q.is_empty() {
            q.push_back((now, points));
            return Ok(());
        }
        // The earliest moment enough of the oldest requests have left the window.
        let mut left = total;
        for (t, p) in q.iter() {
            left -= p;
            if left + points <= budget {
                return Err(*t + minute);
            }
        }
        Err(now + minute)
    }
}

/// Content-creating requests sent in the last hour; refuses the one past GitHub's 500.
#[derive(Debug, Default)]
pub struct HourlyWrites {
    sent: std::sync::Mutex<VecDeque<Instant>>,
}

impl HourlyWrites {
    /// Counts one more write unless `limit` were sent in the last hour (then `Err` with
    /// how many).
    pub fn take(&self, limit: usize) -> Result<(), usize> {
        self.take_at(limit, Instant::now())
    }

    fn take_at(&self, limit: usize, now: Instant) -> Result<(), usize> {
        let mut q = self.sent.lock().unwrap_or_else(|e| e.into_inner());
        while q
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(3600))
        {
            q.pop_front();
        }
        if q.len() >= limit {
            return Err(q.len());
        }
        q.push_back(now);
        Ok(())
    }
}

/// Spaces writes at least `interval` apart, in the order they ask.
#[derive(Debug)]
pub struct Pacer {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl Pacer {
    pub fn per_minute(n: u32) -> Self {
        Self {
            interval: Duration::from_secs(60) / n.max(1),
            next: Mutex::new(None),
        }
    }

    /// Waits for this caller's slot.
    pub async fn wait(&self) {
        let wait_until = {
            let mut next = self.next.lock().await;
            let now = Instant::now();
            let slot = match *next {
                Some(t) if t > now => t,
                _ => now,
            };
            *next = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(wait_until).await;
    }
}

/// A random number in `0..n` (not cryptographic; for jitter only).
pub fn random_below(n: u64) -> u64 {
    if n == 0 {
        return 0;
    }
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(n);
    h.finish() % n
}

/// Backoff before retry `attempt` (0-based): `base · 2^attempt`, capped, with full jitter on
/// the upper half so concurrent clients spread out.
pub fn backoff(base: Duration, attempt: u32, cap: Duration) -> Duration {
    let exp = base.saturating_mul(1u32 << attempt.min(16)).min(cap);
    let half = exp / 2;
    half + Duration::from_millis(random_below(half.as_millis() as u64 + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_within_bounds() {
        let base = Duration::from_millis(100);
        let cap = Duration::from_secs(5);
        for attempt in 0..10 {
            let full = base.saturating_mul(1 << attempt).min(cap);
            let b = backoff(base, attempt, cap);
            assert!(
                b >= full / 2 && b <= full,
                "attempt {attempt}: {b:?} vs {full:?}"
            );
        }
    }

    #[test]
    fn endpoints_group_by_method_and_route() {
        let e = |m: &str, u: &str| endpoint_of(m, u);
        let compare = e(
            "GET",
            "https://api.github.com/repos/a/b/compare/main...up:main?per_page=1",
        );
        assert_eq!(compare, ("GET /repos/{owner}/{repo}/compare".into(), 1));
        // Another repository, Enterprise Server's prefix: the same endpoint.
        assert_eq!(
            e("GET", "https://ghe.corp/api/v3/repos/x/y/compare/a...b").0,
            compare.0
        );
        assert_eq!(
            e(
                "PATCH",
                "http://127.0.0.1:9/repos/a/b/git/refs/heads/feature/x"
            ),
            ("PATCH /repos/{owner}/{repo}/git/refs".into(), 5)
        );
        assert_eq!(
            e("POST", "http://127.0.0.1:9/repos/a/b/git/refs").0,
            "POST /repos/{owner}/{repo}/git/refs"
        );
        // A pull request and the list share a group (coarser than GitHub: safe).
        assert_eq!(
            e("GET", "http://h/repos/a/b/pulls/7").0,
            e("GET", "http://h/repos/a/b/pulls?head=a:x").0
        );
        assert_ne!(
            e("GET", "http://h/repos/a/b/pulls").0,
            e("POST", "http://h/repos/a/b/pulls").0
        );
        assert_eq!(
            e("POST", "https://api.github.com/graphql"),
            ("POST /graphql".into(), 1)
        );
        assert_eq!(
            e("POST", "https://ghe.corp/api/graphql"),
            ("POST /graphql".into(), 1)
        );
    }

    #[test]
    fn an_endpoint_spends_its_share_of_900_points_a_minute() {
        let p = EndpointPacer::new(GITHUB_ENDPOINT_POINTS_PER_MINUTE);
        let t0 = Instant::now();
        // 810 GETs (90 % of 900) fit in the same instant; the 811th waits until the first
        // has left the window.
        for i in 0..810 {
            assert_eq!(p.try_take_at("GET /c", 1, t0), Ok(()), "{i}");
        }
        assert_eq!(
            p.try_take_at("GET /c", 1, t0 + Duration::from_secs(10)),
            Err(t0 + ENDPOINT_WINDOW)
        );
        assert!(ENDPOINT_WINDOW > Duration::from_secs(60));
        // Other endpoints have their own windows; a write is 5 points.
        for _ in 0..162 {
            assert!(p.try_take_at("PATCH /r", 5, t0).is_ok());
        }
        assert!(p.try_take_at("PATCH /r", 5, t0).is_err());
        // A minute (and the grace) later the window is free again.
        assert!(p.try_take_at("GET /c", 1, t0 + ENDPOINT_WINDOW).is_ok());
        // The GraphQL endpoint has GitHub's 2,000 (1,800 spent).
        for _ in 0..1800 {
            assert!(p.try_take_at("POST /graphql", 1, t0).is_ok());
        }
        assert!(p.try_take_at("POST /graphql", 1, t0).is_err());
    }

    #[test]
    fn a_small_limit_waits_for_exactly_the_points_it_needs() {
        let p = EndpointPacer::new(20); // 18 points a minute
        let t0 = Instant::now();
        for s in 0..3 {
            assert!(p
                .try_take_at("POST /w", 5, t0 + Duration::from_secs(s))
                .is_ok());
        }
        // 15 spent: a 5-point write needs the first to leave (at 60 s and the grace).
        assert_eq!(
            p.try_take_at("POST /w", 5, t0 + Duration::from_secs(5)),
            Err(t0 + ENDPOINT_WINDOW)
        );
        assert!(p.try_take_at("GET /w", 1, t0).is_ok(), "another endpoint");
    }

    #[test]
    fn writes_stop_at_500_an_hour() {
        let w = HourlyWrites::default();
        let t0 = Instant::now();
        for _ in 0..GITHUB_WRITES_PER_HOUR {
            assert!(w.take_at(GITHUB_WRITES_PER_HOUR, t0).is_ok());
        }
        assert_eq!(w.take_at(GITHUB_WRITES_PER_HOUR, t0), Err(500));
        assert_eq!(
            w.take_at(GITHUB_WRITES_PER_HOUR, t0 + Duration::from_secs(3599)),
            Err(500)
        );
        assert!(w
            .take_at(GITHUB_WRITES_PER_HOUR, t0 + Duration::from_secs(3600))
            .is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn pacer_spaces_writes() {
        let p = Pacer::per_minute(60);
        let start = Instant::now();
        for _ in 0..4 {
            p.wait().await;
        }
        // First immediately, then one per second.
        assert_eq!(Instant::now() - start, Duration::from_secs(3));
    }
}
