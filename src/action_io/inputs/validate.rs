//! Checking each input's value: a bad one is an error naming the input, never a silent
//! default. Shared with the command line: `shard_misuse` (a shard goes only with `mode: all`).

use super::{err, InputError};
use crate::repo_name::printable;

/// The default `time_budget_minutes` (and `--time-budget-minutes`): the strategy's longest
/// time target (the weekly full sync, under 90 minutes), under the two-hour cadence of the
/// top12 schedule and far under a hosted job's 6-hour limit.
pub const TIME_BUDGET_DEFAULT_MINUTES: u64 = 90;

/// The most `time_budget_minutes` accepts: a self-hosted runner's 5-day job limit.
pub const TIME_BUDGET_MAX_MINUTES: u64 = 7_200;

/// `true`/`false` as the YAML 1.2 core schema spells them (as `@actions/core` accepts).
pub fn parse_bool(name: &str, value: &str) -> Result<bool, InputError> {
    match value.trim() {
        "true" | "True" | "TRUE" => Ok(true),
        "false" | "False" | "FALSE" => Ok(false),
        other => Err(err(
            name,
            format!("`{}` is not a boolean; use true or false", printable(other)),
        )),
    }
}

/// Why `shard` cannot go with this mode, if it cannot. Each shard runs the mode over its own
/// slice of the fleet, so only `all` (everything) adds up across shards: `top12` or `urgent`
/// would take their critical and next-10 quotas once per shard (n shards, 10 x n urgent
/// repositories), `auto` may pick either, and a forced list is not the fleet. Shared by the
/// action's `shard` input and the command line's `--shard`.
/// `spelling` names the two settings as the user wrote them: the action's inputs
/// ([`ACTION_SPELLING`]) or the command line's flags ([`CLI_SPELLING`]).
pub fn shard_misuse(mode: &str, force: bool, spelling: ShardSpelling) -> Option<String> {
    let ShardSpelling {
        mode_all,
        force_repos,
    } = spelling;
    let mode = mode.trim().to_ascii_lowercase();
    if force {
        return Some(format!("cannot be combined with {force_repos}: a shard is a slice of the whole fleet; leave {force_repos} empty (or drop the shard)"));
    }
    (mode != "all").then(|| {
        format!(
            "needs `{mode_all}`, not `{}`: each shard runs its mode over its own slice of the fleet, so only `all` adds up across shards (top12 or urgent would take their quotas once per shard)",
            printable(&mode)
        )
    })
}

/// How [`shard_misuse`] names the mode `all` and the forced list.
#[derive(Debug, Clone, Copy)]
pub struct ShardSpelling {
    pub mode_all: &'static str,
    pub force_repos: &'static str,
}

/// The action's inputs: `mode: all`, `force_repos`.
pub const ACTION_SPELLING: ShardSpelling = ShardSpelling {
    mode_all: "mode: all",
    force_repos: "force_repos",
};

/// The command line's flags: `--mode all`, `--force`.
pub const CLI_SPELLING: ShardSpelling = ShardSpelling {
    mode_all: "--mode all",
    force_repos: "--force",
};
