//! The words of the inventory and the checks of names inside it: the keys each section takes
//! (and the closest one to a typo), branch names by git's rules, paths that stay inside the
//! repository.

/// The top-level keys.
pub(super) const TOP_KEYS: &[&str] = &[
    "top",
    "repositories",
    "hub",
    "weights",
    "rules",
    "batches",
    "schedules",
    "pull_requests",
    "artifacts",
    "notify",
    "limits",
    "tags",
];

pub(super) const WEIGHT_KEYS: &[&str] = &[
    "commits_behind",
    "days_since_last_sync",
    "open_prs",
    "security_alerts",
    "connected",
    "has_workflows",
    "stale",
    "new_prs",
];

pub(super) const REPO_KEYS: &[&str] = &[
    "repo",
    "branch",
    "branches",
    "upstream",
    "connected",
    "weights",
    "tags",
    "reviewers",
];
pub(super) const BRANCH_KEYS: &[&str] = &["name", "upstream"];
pub(super) const HUB_KEYS: &[&str] = &["repos", "manifest"];
pub(super) const RULES_KEYS: &[&str] =
    &["pr_over_commits", "stale_after_days", "urgent_over_commits"];
pub(super) const BATCHES_KEYS: &[&str] = &["urgent", "all_urgent"];
pub(super) const PULL_REQUESTS_KEYS: &[&str] = &[
    "branch_prefix",
    "labels",
    "conflict_labels",
    "urgent_labels",
    "reviewers",
    "team_reviewers",
    "draft",
    "auto_merge",
    "reviewers_on",
    "assignees",
];
pub(super) const ARTIFACTS_KEYS: &[&str] = &["dir", "commit", "branch"];
pub(super) const NOTIFY_KEYS: &[&str] = &["webhook_env", "format"];
pub(super) const LIMITS_KEYS: &[&str] = &[
    "concurrency",
    "max_inflight_requests",
    "writes_per_minute",
    "writes_per_hour",
    "graphql_batch",
    "endpoint_points_per_minute",
    "reserve_requests",
];

/// The largest weight a term may have.
pub(super) const MAX_WEIGHT: i64 = 1_000_000;

pub(super) fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ if b.starts_with('[') => format!("{a}{b}"),
        _ => format!("{a}.{b}"),
    }
}

/// Git's ref-name rules, as far as a branch name needs them.
pub fn valid_branch(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && !name.starts_with(['-', '/', '.'])
        && !name.ends_with(['/', '.'])
        && !name.ends_with(".lock")
        && !name.contains("..")
        && !name.contains("//")
        && !name.contains("@{")
        && name != "@"
        && !name
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || "~^:?*[\\".contains(c))
}

/// A relative path that stays inside the repository.
pub(super) fn valid_rel_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.chars().any(|c| c.is_control() || c == '\\')
        && path
            .split('/')
            .all(|seg| !seg.is_empty() && seg != ".." && seg != ".")
}

/// The known key closest to `word` (Levenshtein distance, `strsim`), if it is plausibly a typo
/// of it: at most 2 edits, or a quarter of the key's length for long keys.
pub(super) fn closest<'a>(word: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::levenshtein(word, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min()
        .map(|(_, k)| k)
}
