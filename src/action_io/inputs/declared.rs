//! Reading the inputs as the runner passes them: `INPUTS`, the one list `action.yml` must
//! agree with (a test checks both ways), each input's variables (`INPUT_FORCE_REPOS`, and the
//! hyphenated `INPUT_FORCE-REPOS`), and warnings about variables that are not inputs.

use std::collections::BTreeSet;

use super::{err, InputError};
use crate::action_io::env::Env;
use crate::repo_name::printable;

/// One input of `action.yml`.
#[derive(Debug, Clone, Copy)]
pub struct InputSpec {
    pub name: &'static str,
    /// The default `action.yml` declares (empty: none). `token`'s is an expression.
    pub default: &'static str,
    /// Holds a secret: masked in logs as soon as it is read.
    pub secret: bool,
}

const fn input(name: &'static str, default: &'static str, secret: bool) -> InputSpec {
    InputSpec {
        name,
        default,
        secret,
    }
}

/// Every input the action declares and reads.
pub const INPUTS: &[InputSpec] = &[
    input("mode", "auto", false),
    input("force_repos", "", false),
    input("token", "${{ github.token }}", true),
    input("audit_token", "${{ github.token }}", true),
    input("config", ".github/priority-sync.yml", false),
    input("dry_run", "false", false),
    input("app_id", "", false),
    input("app_private_key", "", true),
    input("artifacts_dir", "", false),
    input("commit_artifacts", "true", false),
    input("webhook_url", "", true),
    input("shard", "", false),
    input("shards", "", false),
    input("results_dir", "priority-sync-results", false),
    input("time_budget_minutes", "90", false),
];

/// The spec of a declared input, `None` for a name `action.yml` does not declare.
pub fn spec(name: &str) -> Option<&'static InputSpec> {
    INPUTS.iter().find(|i| i.name == name)
}

/// Reads one input. The runner names it `INPUT_<NAME>` upper-cased with spaces as `_`, keeping
/// hyphens, and passes every declared input (`force_repos`) with its default. A hyphenated
/// form (`force-repos`) can only come from the workflow's `with:`, so it wins when present.
///
/// Only names in `INPUTS` can be read: any other name is an error, so an input the binary
/// reads but `action.yml` does not declare cannot slip past tests/action_metadata.rs.
pub fn raw_input(env: &Env, name: &str) -> Result<Option<String>, InputError> {
    if spec(name).is_none() {
        return Err(err(
            name,
            "the binary reads an input that action.yml does not declare (not in INPUTS)",
        ));
    }
    let (declared, hyphenated) = input_vars(name);
    let value = |key: &str| {
        env.get(key)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    Ok(value(&hyphenated).or_else(|| value(&declared)))
}

/// The two variables an input can arrive in: `INPUT_FORCE_REPOS` and `INPUT_FORCE-REPOS`.
pub(super) fn input_vars(name: &str) -> (String, String) {
    let upper = name.to_ascii_uppercase().replace(' ', "_");
    (
        format!("INPUT_{}", upper.replace('-', "_")),
        format!("INPUT_{}", upper.replace('_', "-")),
    )
}

/// Warnings about `INPUT_*` variables: hyphenated spellings of declared inputs (used, but
/// better written as declared) and inputs this action does not have (ignored).
pub fn input_warnings(env: &Env) -> Vec<String> {
    let mut out = Vec::new();
    for (key, _) in env.iter().filter(|(k, _)| k.starts_with("INPUT_")) {
        let raw = &key["INPUT_".len()..];
        let normal = raw.to_ascii_lowercase().replace('-', "_");
        let known = INPUTS.iter().any(|i| i.name == normal);
        if !known {
            out.push(format!(
                "`{}` is not an input of priority-sync; it was ignored",
                printable(&raw.to_ascii_lowercase())
            ));
        } else if raw.contains('-') {
            out.push(format!(
                "input `{}` was read as `{normal}`; write `{normal}` in the workflow's `with:`",
                raw.to_ascii_lowercase()
            ));
        }
    }
    out
}

/// Every input's value as given (trimmed, empty as unset), read through [`raw_input`], and
/// the names read, which a test compares with `INPUTS` both ways.
#[derive(Debug, Default)]
pub(super) struct RawInputs {
    pub mode: String,
    pub force_repos: Option<String>,
    /// `token`, else the `GITHUB_TOKEN` variable.
    pub token: Option<String>,
    pub audit_token: Option<String>,
    pub config: String,
    pub dry_run: Option<String>,
    pub app_id: Option<String>,
    pub app_private_key: Option<String>,
    pub artifacts_dir: Option<String>,
    pub commit_artifacts: Option<String>,
    pub webhook_url: Option<String>,
    pub shard: Option<String>,
    pub shards: Option<String>,
    pub results_dir: String,
    pub time_budget_minutes: Option<String>,
    pub read: BTreeSet<&'static str>,
}

impl RawInputs {
    pub(super) fn read(env: &Env, errors: &mut Vec<InputError>) -> Self {
        let mut read = BTreeSet::new();
        let mut get = |name: &str| -> Option<String> {
            match raw_input(env, name) {
                Ok(v) => {
                    read.extend(spec(name).map(|s| s.name));
                    v
                }
                Err(e) => {
                    // A programming error: fail loudly in tests, as an input error otherwise.
                    if cfg!(debug_assertions) {
                        panic!("{e}");
                    }
                    errors.push(e);
                    None
                }
            }
        };
        let mut raw = Self {
            mode: get("mode").unwrap_or_else(|| "auto".into()),
            force_repos: get("force_repos"),
            token: get("token").or_else(|| env.non_empty("GITHUB_TOKEN").map(str::to_string)),
            audit_token: get("audit_token"),
            config: get("config").unwrap_or_else(|| crate::config::DEFAULT_PATH.into()),
            dry_run: get("dry_run"),
            app_id: get("app_id"),
            app_private_key: get("app_private_key"),
            artifacts_dir: get("artifacts_dir"),
            commit_artifacts: get("commit_artifacts"),
            webhook_url: get("webhook_url"),
            shard: get("shard"),
            shards: get("shards"),
            results_dir: get("results_dir").unwrap_or_else(|| "priority-sync-results".into()),
            time_budget_minutes: get("time_budget_minutes"),
            read: BTreeSet::new(),
        };
        raw.read = read;
        raw
    }
}
