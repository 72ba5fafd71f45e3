//! Request pacing: content-creating requests spaced under GitHub's per-minute limit, and
//! jittered exponential backoff for retries.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// GitHub's limit on content-creating requests a minute: the inventory's cap on
/// `limits.writes_per_minute`, and the test knob's on github.com.
pub const GITHUB_WRITES_PER_MINUTE: u32 = 80;

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
