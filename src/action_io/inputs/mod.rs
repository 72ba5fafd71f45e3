//! The action's inputs, read from `INPUT_*` and the runner's `GITHUB_*` variables with real
//! validation: a bad value is an error naming the input, never a silent default.
//!
//! - [`declared`]: `INPUTS` (the single list `action.yml` must agree with; a test checks both
//!   ways) and reading each input as the runner passes it;
//! - [`validate`]: checking the values;
//! - [`secrets`]: tokens and keys, masked first and never printed;
//! - [`runner`]: the runner's context (`GITHUB_*`).

mod declared;
mod runner;
mod secrets;
#[cfg(test)]
mod tests;
mod validate;

use std::path::PathBuf;

use crate::action_io::env::Env;
use crate::mode::{parse_mode, split_list};
use crate::repo_name::printable;

use declared::RawInputs;
pub use declared::{input_warnings, raw_input, spec, InputSpec, INPUTS};
pub use runner::{graphql_url_for, Runner};
pub use secrets::{raw_secrets, AppCredentials, Secret, SECRET_VARS};
pub use validate::{
    parse_bool, shard_misuse, ShardSpelling, ACTION_SPELLING, CLI_SPELLING,
    TIME_BUDGET_DEFAULT_MINUTES, TIME_BUDGET_MAX_MINUTES,
};

/// What the action does this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Sync (modes auto, top12, urgent, all, force).
    Sync,
    /// `mode: plan`: emit the `matrix` for a fan-out and stop (no API calls).
    Plan,
    /// `mode: report`: merge the fan-out jobs' result files and commit once.
    Report,
    /// `mode: check`: the pre-flight (reads only; the job summary lists what is missing).
    Check,
}

/// Everything the action was given, validated.
#[derive(Debug, Clone)]
pub struct ActionInputs {
    /// Raw mode (`auto`, `top12`, …), already known to parse.
    pub mode: String,
    pub operation: Operation,
    /// `shard: i/n`: sync only this slice of the fleet and leave a result file.
    pub shard: Option<crate::shard::Shard>,
    /// `shards: N`: the `matrix` of `mode: plan` lists N shards (else the Top 12).
    pub shards: Option<u32>,
    /// Where result files are written (fan-out jobs) and read (`mode: report`).
    pub results_dir: PathBuf,
    pub force_repos: Vec<String>,
    pub token: Option<Secret>,
    /// Token for the workflow's own repository (state and audit commit); `None` = `token`.
    pub audit_token: Option<Secret>,
    pub config: PathBuf,
    pub dry_run: bool,
    pub app: Option<AppCredentials>,
    pub artifacts_dir: Option<String>,
    pub commit_artifacts: bool,
    pub webhook_url: Option<Secret>,
    /// `time_budget_minutes`: how long gather and apply may take.
    pub time_budget: std::time::Duration,
    pub runner: Runner,
}

/// One bad input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("input `{input}`: {message}")]
pub struct InputError {
    pub input: String,
    pub message: String,
}

pub(super) fn err(input: &str, message: impl Into<String>) -> InputError {
    InputError {
        input: input.to_string(),
        message: message.into(),
    }
}

impl ActionInputs {
    /// Reads and validates every input; all problems are returned together.
    pub fn from_env(env: &Env) -> Result<Self, Vec<InputError>> {
        Self::read(env).0
    }

    /// `from_env`, plus the names of every input it read (through `raw_input`, so only
    /// names in `INPUTS`): a test compares them with `INPUTS` both ways.
    fn read(
        env: &Env,
    ) -> (
        Result<Self, Vec<InputError>>,
        std::collections::BTreeSet<&'static str>,
    ) {
        let mut errors = Vec::new();
        let mut raw = RawInputs::read(env, &mut errors);
        let read = std::mem::take(&mut raw.read);
        let inputs = Self::validate(raw, env, &mut errors);
        if !errors.is_empty() {
            return (Err(errors), read);
        }
        (Ok(inputs), read)
    }

    /// The inputs from their raw values; every problem in `errors`, in the order of the
    /// inputs (the values returned then do not matter).
    fn validate(raw: RawInputs, env: &Env, errors: &mut Vec<InputError>) -> Self {
        let operation = operation(&raw.mode, errors);
        let shard = raw.shard.and_then(|v| {
            v.parse::<crate::shard::Shard>()
                .map_err(|e| errors.push(err("shard", e)))
                .ok()
        });
        let shards = raw.shards.and_then(|v| shards(&v, errors));
        let results_dir = raw.results_dir;
        if results_dir.starts_with('/') || results_dir.split('/').any(|s| s == "..") {
            errors.push(err(
                "results_dir",
                format!(
                    "`{}` must be a relative path in the workspace",
                    printable(&results_dir)
                ),
            ));
        }
        let force_repos = raw
            .force_repos
            .as_deref()
            .map(split_list)
            .unwrap_or_default();
        if shard.is_some() {
            if let Some(message) = shard_misuse(&raw.mode, !force_repos.is_empty(), ACTION_SPELLING)
            {
                errors.push(err("shard", message));
            }
        }
        if force_repos.len() > crate::plan::MAX_FORCE {
            errors.push(err(
                "force_repos",
                format!(
                    "{} names given; at most {} are accepted",
                    force_repos.len(),
                    crate::plan::MAX_FORCE
                ),
            ));
        }
        let dry_run = flag("dry_run", raw.dry_run, false, errors);
        let commit_artifacts = flag("commit_artifacts", raw.commit_artifacts, true, errors);
        let app = secrets::app_credentials(raw.app_id, raw.app_private_key, errors);
        if let Some(dir) = &raw.artifacts_dir {
            artifacts_dir(dir, errors);
        }
        if let Some(url) = &raw.webhook_url {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                // Never echo the value: it is a secret.
                errors.push(err("webhook_url", "not an http(s) URL"));
            }
        }
        let time_budget = time_budget(raw.time_budget_minutes.as_deref(), errors);
        let runner = Runner::from_env(env).unwrap_or_else(|mut es| {
            errors.append(&mut es);
            Runner::default()
        });
        Self {
            mode: raw.mode,
            operation,
            shard,
            shards,
            results_dir: PathBuf::from(results_dir),
            force_repos,
            token: raw.token.map(Secret),
            audit_token: raw.audit_token.map(Secret),
            config: PathBuf::from(raw.config),
            dry_run,
            app,
            artifacts_dir: raw.artifacts_dir,
            commit_artifacts,
            webhook_url: raw.webhook_url.map(Secret),
            time_budget,
            runner,
        }
    }
}

/// `plan`, `report` and `check` are operations of their own; any other mode must parse.
fn operation(mode: &str, errors: &mut Vec<InputError>) -> Operation {
    match mode.trim().to_ascii_lowercase().as_str() {
        "plan" => Operation::Plan,
        "report" => Operation::Report,
        "check" => Operation::Check,
        _ => {
            match parse_mode(mode) {
                Err(crate::mode::ModeError::Unknown(v)) => errors.push(err(
                    "mode",
                    format!("unknown mode `{v}`: use auto, top12, urgent, all, plan, report or check (to sync only named repositories, list them in force_repos)"),
                )),
                Err(e) => errors.push(err("mode", e.to_string())),
                Ok(_) => {}
            }
            Operation::Sync
        }
    }
}

/// `shards: N`, 1 to `MAX_SHARDS`.
fn shards(value: &str, errors: &mut Vec<InputError>) -> Option<u32> {
    match value.trim().parse::<u32>() {
        Ok(n) if (1..=crate::shard::MAX_SHARDS).contains(&n) => Some(n),
        _ => {
            errors.push(err(
                "shards",
                format!(
                    "`{}` is not a number of shards (1-{})",
                    printable(value),
                    crate::shard::MAX_SHARDS
                ),
            ));
            None
        }
    }
}

/// A boolean input, `default` when unset.
fn flag(name: &str, value: Option<String>, default: bool, errors: &mut Vec<InputError>) -> bool {
    match value {
        Some(v) => parse_bool(name, &v).unwrap_or_else(|e| {
            errors.push(e);
            default
        }),
        None => default,
    }
}

/// `artifacts_dir`: a relative path inside the repository.
fn artifacts_dir(dir: &str, errors: &mut Vec<InputError>) {
    let ok = !dir.starts_with('/')
        && !dir.chars().any(char::is_control)
        && dir.split('/').all(|s| s != "..");
    if !ok {
        errors.push(err(
            "artifacts_dir",
            format!(
                "`{}` must be a relative path inside the repository",
                printable(dir)
            ),
        ));
    }
}

/// `time_budget_minutes`: a whole number of minutes, 1 to a self-hosted runner's 5-day job
/// limit; the default when unset.
fn time_budget(value: Option<&str>, errors: &mut Vec<InputError>) -> std::time::Duration {
    use validate::{
        TIME_BUDGET_DEFAULT_MINUTES as DEFAULT_MINUTES, TIME_BUDGET_MAX_MINUTES as MAX_MINUTES,
    };
    let minutes = match value {
        None => DEFAULT_MINUTES,
        Some(v) => match v.trim().parse::<u64>() {
            Ok(n) if (1..=MAX_MINUTES).contains(&n) => n,
            _ => {
                errors.push(err(
                    "time_budget_minutes",
                    format!(
                        "`{}` is not a number of minutes (1-{MAX_MINUTES}); the default is {DEFAULT_MINUTES}",
                        printable(v)
                    ),
                ));
                DEFAULT_MINUTES
            }
        },
    };
    std::time::Duration::from_secs(minutes * 60)
}
