//! The inventory as written by the user: serde shapes with `deny_unknown_fields`, one per
//! section, before any validation. Every field is optional here; defaults live in `mod.rs`.

use std::collections::BTreeMap;

use serde::Deserialize;

/// A repository given as a map (`repo:` plus optional settings).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRepo {
    pub repo: String,
    pub branch: Option<String>,
    /// `branches:`: a list of names, globs or `{name, upstream}` maps, checked item by item in
    /// `branches.rs` so that every bad item is reported on its own line.
    pub branches: Option<crate::yaml::Value>,
    pub upstream: Option<String>,
    pub connected: Option<bool>,
    pub weights: Option<RawWeights>,
    /// `true`, `false` or a list of patterns; checked in `tags.rs`.
    pub tags: Option<crate::yaml::Value>,
    pub reviewers: Option<Vec<String>>,
}

/// One item of `branches:` written as a map.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBranch {
    pub name: String,
    pub upstream: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWeights {
    pub commits_behind: Option<i64>,
    pub days_since_last_sync: Option<i64>,
    pub open_prs: Option<i64>,
    pub security_alerts: Option<i64>,
    pub connected: Option<i64>,
    pub has_workflows: Option<i64>,
    pub stale: Option<i64>,
    pub new_prs: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHub {
    #[serde(default)]
    pub repos: Vec<String>,
    pub manifest: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRules {
    pub pr_over_commits: Option<i64>,
    pub stale_after_days: Option<i64>,
    pub urgent_over_commits: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBatches {
    pub urgent: Option<i64>,
    pub all_urgent: Option<i64>,
}

/// `schedules:` maps a cron string to a mode name.
pub type RawSchedules = BTreeMap<String, String>;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPullRequests {
    pub branch_prefix: Option<String>,
    pub labels: Option<Vec<String>>,
    pub conflict_labels: Option<Vec<String>>,
    pub urgent_labels: Option<Vec<String>>,
    pub reviewers: Option<Vec<String>>,
    pub team_reviewers: Option<Vec<String>>,
    pub draft: Option<bool>,
    pub auto_merge: Option<String>,
    pub reviewers_on: Option<String>,
    pub assignees: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArtifacts {
    pub dir: Option<String>,
    pub commit: Option<bool>,
    pub branch: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNotify {
    pub webhook_env: Option<String>,
    pub format: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLimits {
    pub concurrency: Option<i64>,
    pub max_inflight_requests: Option<i64>,
    pub writes_per_minute: Option<i64>,
    pub writes_per_hour: Option<i64>,
    pub graphql_batch: Option<i64>,
    pub endpoint_points_per_minute: Option<i64>,
    pub reserve_requests: Option<i64>,
}
