//! Test and benchmark knobs (`PRIORITY_SYNC_WRITES_PER_MINUTE`, `_TIMEOUT_MS`, `_BACKOFF_MS`,
//! `_PROPAGATION_WAIT_MS`, `_TIME_BUDGET_MS`):
//! checked like inputs, so a bad value stops the run instead of being ignored, and the write
//! pace can exceed GitHub's 80 a minute only against a server that is not github.com.

use super::env::Env;
pub use crate::config::GITHUB_WRITES_PER_MINUTE;
use crate::repo_name::printable;

/// github.com's REST API; any other `GITHUB_API_URL` is a stand-in or an Enterprise Server.
pub const GITHUB_COM_API: &str = "https://api.github.com";

/// The knobs that were set; `None` leaves the inventory's or the client's value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Knobs {
    /// `PRIORITY_SYNC_WRITES_PER_MINUTE`: the write pace, over the inventory's.
    pub writes_per_minute: Option<u32>,
    /// `PRIORITY_SYNC_TIMEOUT_MS`: one request's timeout.
    pub timeout_ms: Option<u64>,
    /// `PRIORITY_SYNC_BACKOFF_MS`: the first retry's wait.
    pub backoff_ms: Option<u64>,
    /// `PRIORITY_SYNC_TIME_BUDGET_MS`: the run's time budget, finer than the input's minutes.
    pub time_budget_ms: Option<u64>,
    /// `PRIORITY_SYNC_PROPAGATION_WAIT_MS`: how long, in all, a ref write answered 404 is sent
    /// again while new upstream commits reach the fork (at most 10 s).
    pub propagation_wait_ms: Option<u64>,
    /// Said once at the start (a pace over GitHub's limit against another server).
    pub warnings: Vec<String>,
}

/// A whole number in `min..=max`, or an error naming the variable.
fn number(env: &Env, var: &str, what: &str, min: u64, max: u64) -> Result<Option<u64>, String> {
    let Some(raw) = env.non_empty(var) else {
        return Ok(None);
    };
    match raw.trim().parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => Err(format!(
            "{var}: `{}` is not {what} ({min}-{max}); it is a test and benchmark knob, unset it for normal runs",
            printable(raw.trim())
        )),
    }
}

impl Knobs {
    /// The run's time budget: `PRIORITY_SYNC_TIME_BUDGET_MS` when set, else `configured`
    /// (the input or the flag).
    pub fn time_budget(&self, configured: std::time::Duration) -> std::time::Duration {
        self.time_budget_ms
            .map_or(configured, std::time::Duration::from_millis)
    }

    /// Reads the knobs; every bad value is an error. `api_url` is the REST base in use
    /// (`GITHUB_API_URL` or github.com's).
    pub fn from_env(env: &Env, api_url: &str) -> Result<Self, Vec<String>> {
        let mut errors = Vec::new();
        let mut take = |r: Result<Option<u64>, String>| {
            r.unwrap_or_else(|e| {
                errors.push(e);
                None
            })
        };
        let writes = take(number(
            env,
            "PRIORITY_SYNC_WRITES_PER_MINUTE",
            "a number of writes a minute",
            1,
            1_000_000,
        ));
        let timeout_ms = take(number(
            env,
            "PRIORITY_SYNC_TIMEOUT_MS",
            "a number of milliseconds",
            1,
            3_600_000,
        ));
        let backoff_ms = take(number(
            env,
            "PRIORITY_SYNC_BACKOFF_MS",
            "a number of milliseconds",
            0,
            3_600_000,
        ));
        let time_budget_ms = take(number(
            env,
            "PRIORITY_SYNC_TIME_BUDGET_MS",
            "a number of milliseconds",
            1,
            super::inputs::TIME_BUDGET_MAX_MINUTES * 60_000,
        ));
        let propagation_wait_ms = take(number(
            env,
            "PRIORITY_SYNC_PROPAGATION_WAIT_MS",
            "a number of milliseconds",
            0,
            10_000,
        ));
        let mut warnings = Vec::new();
        let writes_per_minute = writes.map(|n| n as u32);
        if let Some(n) = writes_per_minute.filter(|n| *n > GITHUB_WRITES_PER_MINUTE) {
            if api_url.trim_end_matches('/') == GITHUB_COM_API {
                errors.push(format!(
                    "PRIORITY_SYNC_WRITES_PER_MINUTE: {n} is over GitHub's limit of {GITHUB_WRITES_PER_MINUTE} content-creating requests a minute; a pace above it is only for a local stand-in (GITHUB_API_URL not {GITHUB_COM_API})"
                ));
            } else {
                warnings.push(format!(
                    "PRIORITY_SYNC_WRITES_PER_MINUTE={n}: writes are paced over GitHub's {GITHUB_WRITES_PER_MINUTE} a minute, for the server at {}; a real GitHub would refuse them",
                    printable(api_url)
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            writes_per_minute,
            timeout_ms,
            backoff_ms,
            time_budget_ms,
            propagation_wait_ms,
            warnings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn knobs(pairs: &[(&str, &str)], api: &str) -> Result<Knobs, Vec<String>> {
        Knobs::from_env(&Env::from_pairs(pairs.iter().copied()), api)
    }

    #[test]
    fn unset_knobs_change_nothing() {
        assert_eq!(knobs(&[], GITHUB_COM_API).unwrap(), Knobs::default());
    }

    #[test]
    fn good_values_are_read() {
        let k = knobs(
            &[
                ("PRIORITY_SYNC_WRITES_PER_MINUTE", "30"),
                ("PRIORITY_SYNC_TIMEOUT_MS", " 400 "),
                ("PRIORITY_SYNC_BACKOFF_MS", "0"),
                ("PRIORITY_SYNC_TIME_BUDGET_MS", "2500"),
            ],
            GITHUB_COM_API,
        )
        .unwrap();
        assert_eq!(k.time_budget_ms, Some(2500));
        assert_eq!(k.writes_per_minute, Some(30));
        assert_eq!(k.timeout_ms, Some(400));
        assert_eq!(k.backoff_ms, Some(0));
        assert!(k.warnings.is_empty());
    }

    #[test]
    fn non_numbers_and_out_of_range_values_are_errors_naming_the_variable() {
        let e = knobs(
            &[
                ("PRIORITY_SYNC_WRITES_PER_MINUTE", "fast"),
                ("PRIORITY_SYNC_TIMEOUT_MS", "0"),
                ("PRIORITY_SYNC_BACKOFF_MS", "-5"),
            ],
            "http://127.0.0.1:4000",
        )
        .unwrap_err();
        assert_eq!(e.len(), 3, "{e:?}");
        assert!(e[0].starts_with("PRIORITY_SYNC_WRITES_PER_MINUTE: `fast` is not a number"));
        assert!(e[1].starts_with("PRIORITY_SYNC_TIMEOUT_MS: `0` is not a number"));
        assert!(e[2].starts_with("PRIORITY_SYNC_BACKOFF_MS: `-5` is not a number"));
    }

    #[test]
    fn over_80_writes_a_minute_is_refused_on_github_com_and_warned_elsewhere() {
        let pace = [("PRIORITY_SYNC_WRITES_PER_MINUTE", "60000")];
        let e = knobs(&pace, "https://api.github.com/").unwrap_err();
        assert!(e[0].contains("over GitHub's limit of 80"), "{e:?}");
        let k = knobs(&pace, "http://127.0.0.1:4000").unwrap();
        assert_eq!(k.writes_per_minute, Some(60000));
        assert_eq!(k.warnings.len(), 1);
        assert!(k.warnings[0].contains("127.0.0.1:4000"), "{:?}", k.warnings);
        // At or under the limit: no word about it, wherever the API is.
        let k = knobs(&[("PRIORITY_SYNC_WRITES_PER_MINUTE", "80")], GITHUB_COM_API).unwrap();
        assert_eq!(k.writes_per_minute, Some(80));
        assert!(k.warnings.is_empty());
    }
}
