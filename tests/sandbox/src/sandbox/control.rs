//! Steering a running sandbox: its GitHub behaviour settings (`behaviour`, `settle_pulls`),
//! faults (`set_faults`, `add_fault_rule`), rate limits and tokens (`set_rate_used`,
//! `revoke_token_after`, `add_token`), and the request log (`log_entries`, `counters`,
//! `unexpected_routes`).

use super::Sandbox;
use crate::auth::TokenSpec;
use crate::behaviour::Behaviour;
use crate::faults::{FaultRule, Faults};
use crate::log::{Counters, LogEntry};

impl Sandbox {
    /// The GitHub behaviour settings this sandbox was started with.
    pub fn behaviour(&self) -> &Behaviour {
        &self.shared.behaviour
    }

    /// Lets GitHub catch up on pull requests: every mergeability job finishes and every new
    /// pull request is listed, as if `mergeable_ms` and `list_lag_ms` had passed (a test of
    /// "known by the next run" without waiting for them).
    pub fn settle_pulls(&self) {
        self.shared.world().settle_pulls();
    }

    /// Replaces the fault settings (takes effect on the next request).
    pub fn set_faults(&self, f: Faults) {
        let mut st = self.shared.faults.lock().unwrap_or_else(|e| e.into_inner());
        st.faults = f;
    }

    /// Current fault settings (targeted rules show their remaining counts).
    pub fn faults(&self) -> Faults {
        self.shared
            .faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .faults
            .clone()
    }

    /// Adds a targeted fault rule.
    pub fn add_fault_rule(&self, rule: FaultRule) {
        self.shared
            .faults
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .faults
            .rules
            .push(rule);
    }

    /// Sets how much of a token's hourly window is used (`resource`: `core` or `graphql`),
    /// e.g. to reach exhaustion quickly.
    pub fn set_rate_used(&self, token: &str, resource: &str, used: u32) {
        let res: &'static str = if resource == "graphql" {
            "graphql"
        } else {
            "core"
        };
        self.shared.limits().set_used(token, res, used);
    }

    /// Revokes `token` after `requests` more authenticated requests: from then on every
    /// request with it is answered 401 "Bad credentials", as a token that expires or is
    /// revoked in the middle of a run. Counted in `counters().revoked`.
    pub fn revoke_token_after(&self, token: &str, requests: u64) {
        self.shared.auth().revoke_after(token, requests);
    }

    /// Registers another token.
    pub fn add_token(&self, t: TokenSpec) {
        self.shared.auth().add(t);
    }

    // ---------------------------------------------------------------- log

    /// Exchanges kept in memory, oldest first.
    pub fn log_entries(&self) -> Vec<LogEntry> {
        self.shared.log().entries()
    }

    /// Requests to routes (or GraphQL fields) the sandbox does not implement.
    pub fn unexpected_routes(&self) -> Vec<String> {
        self.shared.log().unexpected.clone()
    }

    /// Panics, listing them, if any request hit an unimplemented route.
    pub fn assert_no_unexpected_routes(&self) {
        let u = self.unexpected_routes();
        assert!(
            u.is_empty(),
            "the sandbox was asked for routes it does not implement:\n  {}",
            u.join("\n  ")
        );
    }

    /// Counters by kind.
    pub fn counters(&self) -> Counters {
        self.shared.log().counters
    }

    /// Forgets in-memory log entries and counters; unexpected routes are kept, so
    /// [`Sandbox::assert_no_unexpected_routes`] covers the sandbox's whole life.
    pub fn clear_log(&self) {
        self.shared.log().clear();
    }
}
