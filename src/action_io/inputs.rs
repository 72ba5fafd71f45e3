//! The action's inputs, read from `INPUT_*` and the runner's `GITHUB_*` variables with real
//! validation: a bad value is an error naming the input, never a silent default.
//! `INPUTS` is the single list that `action.yml` must agree with (a test checks both ways).

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::env::Env;
use crate::mode::{parse_mode, split_list};
use crate::repo_name::{printable, RepoName};

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
];

/// What the action does this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Sync (modes auto, top12, urgent, all, force).
    Sync,
    /// `mode: plan`: emit the `matrix` for a fan-out and stop (no API calls).
    Plan,
    /// `mode: report`: merge the fan-out jobs' result files and commit once.
    Report,
}

/// GitHub App credentials.
#[derive(Clone)]
pub struct AppCredentials {
    pub app_id: u64,
    pub private_key: String,
}

impl std::fmt::Debug for AppCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppCredentials")
            .field("app_id", &self.app_id)
            .field("private_key", &"***")
            .finish()
    }
}

/// A token that never prints itself.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
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
    pub runner: Runner,
}

/// The runner's context (`GITHUB_*`).
#[derive(Debug, Clone, Default)]
pub struct Runner {
    pub event_name: Option<String>,
    pub event: Option<serde_json::Value>,
    /// `GITHUB_REPOSITORY`: where audit artifacts are committed.
    pub repository: Option<RepoName>,
    /// `GITHUB_REF` (e.g. `refs/heads/main`).
    pub git_ref: Option<String>,
    pub workspace: Option<PathBuf>,
    pub api_url: String,
    pub graphql_url: String,
    pub server_url: String,
    pub output_file: Option<PathBuf>,
    pub summary_file: Option<PathBuf>,
}

/// One bad input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("input `{input}`: {message}")]
pub struct InputError {
    pub input: String,
    pub message: String,
}

fn err(input: &str, message: impl Into<String>) -> InputError {
    InputError {
        input: input.to_string(),
        message: message.into(),
    }
}

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
fn input_vars(name: &str) -> (String, String) {
    let upper = name.to_ascii_uppercase().replace(' ', "_");
    (
        format!("INPUT_{}", upper.replace('-', "_")),
        format!("INPUT_{}", upper.replace('_', "-")),
    )
}

/// Variables outside `INPUTS` that hold secrets and are read: the token fallback of the
/// action and the command line, the command line's audit token, and the default webhook
/// variable (an inventory naming another one has it masked once the inventory is read).
pub const SECRET_VARS: &[&str] = &[
    "GITHUB_TOKEN",
    "PRIORITY_SYNC_AUDIT_TOKEN",
    "PRIORITY_SYNC_WEBHOOK_URL",
];

/// Every secret value in the environment, raw and unvalidated, one entry per line to mask:
/// the secret inputs (declared and hyphenated spellings, and a PEM key's lines once its
/// literal `\n` are read as newlines) and `SECRET_VARS`. The entrypoint masks these before
/// it validates or prints anything, so even a run that fails on a bad input hides them.
pub fn raw_secrets(env: &Env) -> Vec<String> {
    let mut keys = Vec::new();
    for i in INPUTS.iter().filter(|i| i.secret) {
        let (declared, hyphenated) = input_vars(i.name);
        keys.push(hyphenated);
        keys.push(declared);
    }
    keys.extend(SECRET_VARS.iter().map(|k| k.to_string()));
    let mut out: Vec<String> = Vec::new();
    for value in keys.iter().filter_map(|k| env.get(k)) {
        for form in [value.to_string(), value.replace("\\n", "\n")] {
            for line in form.lines().map(str::trim).filter(|l| !l.is_empty()) {
                if !out.iter().any(|o| o == line) {
                    out.push(line.to_string());
                }
            }
        }
    }
    out
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

impl ActionInputs {
    /// Reads and validates every input; all problems are returned together.
    pub fn from_env(env: &Env) -> Result<Self, Vec<InputError>> {
        Self::read(env).0
    }

    /// `from_env`, plus the names of every input it read (through `raw_input`, so only
    /// names in `INPUTS`): a test compares them with `INPUTS` both ways.
    fn read(env: &Env) -> (Result<Self, Vec<InputError>>, BTreeSet<&'static str>) {
        let mut errors = Vec::new();
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
        let mode = get("mode").unwrap_or_else(|| "auto".into());
        let force_raw = get("force_repos");
        let token = get("token").or_else(|| env.non_empty("GITHUB_TOKEN").map(str::to_string));
        let audit_token = get("audit_token");
        let config = get("config").unwrap_or_else(|| crate::config::DEFAULT_PATH.into());
        let dry_run = get("dry_run");
        let app_id = get("app_id");
        let app_key = get("app_private_key");
        let artifacts_dir = get("artifacts_dir");
        let commit_artifacts = get("commit_artifacts");
        let webhook_url = get("webhook_url");
        let shard = get("shard");
        let shards = get("shards");
        let results_dir = get("results_dir").unwrap_or_else(|| "priority-sync-results".into());

        let operation = match mode.trim().to_ascii_lowercase().as_str() {
            "plan" => Operation::Plan,
            "report" => Operation::Report,
            _ => {
                match parse_mode(&mode) {
                    Err(crate::mode::ModeError::Unknown(v)) => errors.push(err(
                        "mode",
                        format!("unknown mode `{v}`: use auto, top12, urgent, all, plan or report (to sync only named repositories, list them in force_repos)"),
                    )),
                    Err(e) => errors.push(err("mode", e.to_string())),
                    Ok(_) => {}
                }
                Operation::Sync
            }
        };
        let shard = shard.and_then(|v| {
            v.parse::<crate::shard::Shard>()
                .map_err(|e| errors.push(err("shard", e)))
                .ok()
        });
        let shards = shards.and_then(|v| match v.trim().parse::<u32>() {
            Ok(n) if (1..=crate::shard::MAX_SHARDS).contains(&n) => Some(n),
            _ => {
                errors.push(err(
                    "shards",
                    format!(
                        "`{}` is not a number of shards (1-{})",
                        printable(&v),
                        crate::shard::MAX_SHARDS
                    ),
                ));
                None
            }
        });
        if results_dir.starts_with('/') || results_dir.split('/').any(|s| s == "..") {
            errors.push(err(
                "results_dir",
                format!(
                    "`{}` must be a relative path in the workspace",
                    printable(&results_dir)
                ),
            ));
        }
        let force_repos = force_raw.as_deref().map(split_list).unwrap_or_default();
        if shard.is_some() {
            if let Some(message) = shard_misuse(&mode, !force_repos.is_empty(), ACTION_SPELLING) {
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
        let dry_run = match dry_run {
            Some(v) => parse_bool("dry_run", &v).unwrap_or_else(|e| {
                errors.push(e);
                false
            }),
            None => false,
        };
        let commit_artifacts = match commit_artifacts {
            Some(v) => parse_bool("commit_artifacts", &v).unwrap_or_else(|e| {
                errors.push(e);
                true
            }),
            None => true,
        };
        let app = match (app_id, app_key) {
            (None, None) => None,
            (Some(_), None) => {
                errors.push(err("app_private_key", "app_id is set but app_private_key is empty; pass the App's private key (PEM) from a secret"));
                None
            }
            (None, Some(_)) => {
                errors.push(err(
                    "app_id",
                    "app_private_key is set but app_id is empty; pass the App's numeric id",
                ));
                None
            }
            (Some(id), Some(key)) => {
                let id = match id.parse::<u64>() {
                    Ok(n) if n > 0 => Some(n),
                    _ => {
                        errors.push(err(
                            "app_id",
                            format!(
                                "`{}` is not a GitHub App id (a positive number)",
                                printable(&id)
                            ),
                        ));
                        None
                    }
                };
                // Secrets pasted into one line often carry literal `\n`.
                let key = key.replace("\\n", "\n");
                if !key.contains("-----BEGIN") || !key.contains("PRIVATE KEY-----") {
                    errors.push(err("app_private_key", "not a PEM private key (expected `-----BEGIN RSA PRIVATE KEY-----`); paste the .pem file's whole contents into the secret"));
                }
                id.map(|app_id| AppCredentials {
                    app_id,
                    private_key: key,
                })
            }
        };
        if let Some(dir) = &artifacts_dir {
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
        if let Some(url) = &webhook_url {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                // Never echo the value: it is a secret.
                errors.push(err("webhook_url", "not an http(s) URL"));
            }
        }
        let runner = match Runner::from_env(env) {
            Ok(r) => r,
            Err(mut es) => {
                errors.append(&mut es);
                Runner::default()
            }
        };
        if !errors.is_empty() {
            return (Err(errors), read);
        }
        let inputs = Self {
            mode,
            operation,
            shard,
            shards,
            results_dir: PathBuf::from(results_dir),
            force_repos,
            token: token.map(Secret),
            audit_token: audit_token.map(Secret),
            config: PathBuf::from(config),
            dry_run,
            app,
            artifacts_dir,
            commit_artifacts,
            webhook_url: webhook_url.map(Secret),
            runner,
        };
        (Ok(inputs), read)
    }

    /// A warning when the fleet token is the workflow's own `GITHUB_TOKEN`, which reaches only
    /// the workflow's repository, and the fleet has other repositories. Said only when that
    /// is certain enough: no App is used, the workflow's repository is known, and the token
    /// either equals the `GITHUB_TOKEN` variable or equals `audit_token` (whose default is the
    /// workflow's token) and is an installation token (`ghs_`), as a `token` left at its
    /// default is. A PAT given to both inputs is not a `ghs_` token, so it is not flagged.
    pub fn workflow_token_warning<'a>(
        &self,
        env: &Env,
        fleet: impl IntoIterator<Item = &'a RepoName>,
    ) -> Option<String> {
        if self.app.is_some() {
            return None;
        }
        let token = self.token.as_ref()?.0.as_str();
        let repo = self.runner.repository.as_ref()?;
        let is_env_token = env.non_empty("GITHUB_TOKEN").map(str::trim) == Some(token);
        let is_default_token = token.starts_with("ghs_")
            && self.audit_token.as_ref().map(|t| t.0.as_str()) == Some(token);
        let reaches_beyond = fleet.into_iter().any(|r| r != repo);
        ((is_env_token || is_default_token) && reaches_beyond).then(|| {
            format!(
                "token is the workflow's GITHUB_TOKEN: it reaches only {repo}; give a PAT or App (see README Tokens)"
            )
        })
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

/// Default GraphQL endpoint for a REST base: `…/api/v3` (Enterprise Server) → `…/api/graphql`,
/// anything else → `<base>/graphql`.
pub fn graphql_url_for(api_url: &str) -> String {
    let base = api_url.trim_end_matches('/');
    match base.strip_suffix("/api/v3") {
        Some(host) => format!("{host}/api/graphql"),
        None => format!("{base}/graphql"),
    }
}

fn check_url(name: &str, url: &str) -> Result<String, InputError> {
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(url.trim_end_matches('/').to_string())
    } else {
        Err(err(
            name,
            format!("`{}` is not an http(s) URL", printable(url)),
        ))
    }
}

impl Runner {
    pub fn from_env(env: &Env) -> Result<Self, Vec<InputError>> {
        let mut errors = Vec::new();
        let api_url = check_url(
            "GITHUB_API_URL",
            env.non_empty("GITHUB_API_URL")
                .unwrap_or(super::knobs::GITHUB_COM_API),
        )
        .unwrap_or_else(|e| {
            errors.push(e);
            String::new()
        });
        let graphql_url = match env.non_empty("GITHUB_GRAPHQL_URL") {
            Some(u) => check_url("GITHUB_GRAPHQL_URL", u).unwrap_or_else(|e| {
                errors.push(e);
                String::new()
            }),
            None => graphql_url_for(&api_url),
        };
        let server_url = check_url(
            "GITHUB_SERVER_URL",
            env.non_empty("GITHUB_SERVER_URL")
                .unwrap_or("https://github.com"),
        )
        .unwrap_or_else(|e| {
            errors.push(e);
            String::new()
        });
        let repository = match env.non_empty("GITHUB_REPOSITORY") {
            Some(r) => match r.parse::<RepoName>() {
                Ok(r) => Some(r),
                Err(e) => {
                    errors.push(err("GITHUB_REPOSITORY", e.to_string()));
                    None
                }
            },
            None => None,
        };
        let event_name = env.non_empty("GITHUB_EVENT_NAME").map(str::to_string);
        let event = match env.non_empty("GITHUB_EVENT_PATH") {
            Some(path) => {
                match std::fs::read(path) {
                    Ok(bytes) if bytes.len() > 25 * 1024 * 1024 => {
                        errors.push(err("GITHUB_EVENT_PATH", "the event payload is larger than 25 MiB; GitHub never sends one that big"));
                        None
                    }
                    Ok(bytes) => match serde_json::from_slice::<serde_json::Value>(&bytes) {
                        Ok(v) if v.is_object() => Some(v),
                        Ok(_) => {
                            errors.push(err(
                                "GITHUB_EVENT_PATH",
                                "the event payload is not a JSON object",
                            ));
                            None
                        }
                        Err(e) => {
                            errors.push(err(
                                "GITHUB_EVENT_PATH",
                                format!("the event payload is not valid JSON: {e}"),
                            ));
                            None
                        }
                    },
                    Err(e) => {
                        errors.push(err(
                            "GITHUB_EVENT_PATH",
                            format!("cannot read {}: {e}", printable(path)),
                        ));
                        None
                    }
                }
            }
            None => None,
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            event_name,
            event,
            repository,
            git_ref: env.non_empty("GITHUB_REF").map(str::to_string),
            workspace: env.non_empty("GITHUB_WORKSPACE").map(PathBuf::from),
            api_url,
            graphql_url,
            server_url,
            output_file: env.non_empty("GITHUB_OUTPUT").map(PathBuf::from),
            summary_file: env.non_empty("GITHUB_STEP_SUMMARY").map(PathBuf::from),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        Env::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn defaults_when_nothing_is_set() {
        let i = ActionInputs::from_env(&env(&[])).unwrap();
        assert_eq!(i.mode, "auto");
        assert!(i.force_repos.is_empty());
        assert!(!i.dry_run);
        assert!(i.commit_artifacts);
        assert_eq!(i.config, PathBuf::from(".github/priority-sync.yml"));
        assert_eq!(i.runner.api_url, "https://api.github.com");
        assert_eq!(i.runner.graphql_url, "https://api.github.com/graphql");
        assert!(i.token.is_none());
    }

    #[test]
    fn reads_values_and_trims_lists() {
        let i = ActionInputs::from_env(&env(&[
            ("INPUT_MODE", "urgent"),
            ("INPUT_FORCE_REPOS", " omnigrid, codenest ,, "),
            ("INPUT_DRY_RUN", "TRUE"),
            ("INPUT_TOKEN", "ghp_x"),
            ("GITHUB_API_URL", "https://ghe.example.com/api/v3/"),
        ]))
        .unwrap();
        assert_eq!(i.mode, "urgent");
        assert_eq!(i.force_repos, ["omnigrid", "codenest"]);
        assert!(i.dry_run);
        assert_eq!(i.token, Some(Secret("ghp_x".into())));
        assert_eq!(i.runner.api_url, "https://ghe.example.com/api/v3");
        assert_eq!(i.runner.graphql_url, "https://ghe.example.com/api/graphql");
    }

    #[test]
    fn hyphen_and_underscore_forms_are_both_read() {
        let i = ActionInputs::from_env(&env(&[
            ("INPUT_FORCE-REPOS", "zoho"),
            ("INPUT_DRY-RUN", "true"),
        ]))
        .unwrap();
        assert_eq!(i.force_repos, ["zoho"]);
        assert!(i.dry_run);
        // The runner also passes the declared input with its default: the explicit form wins.
        let e = env(&[
            ("INPUT_DRY-RUN", "true"),
            ("INPUT_DRY_RUN", "false"),
            ("INPUT_COLOUR", "x"),
        ]);
        assert!(ActionInputs::from_env(&e).unwrap().dry_run);
        let w = input_warnings(&e);
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w
            .iter()
            .any(|w| w.contains("`dry-run` was read as `dry_run`")));
        assert!(w.iter().any(|w| w.contains("`colour` is not an input")));
    }

    #[test]
    fn the_audit_token_is_read_and_masked() {
        let i = ActionInputs::from_env(&env(&[
            ("INPUT_TOKEN", "ghp_fleet"),
            ("INPUT_AUDIT_TOKEN", "ghs_workflow"),
        ]))
        .unwrap();
        assert_eq!(i.audit_token, Some(Secret("ghs_workflow".into())));
        assert!(!format!("{i:?}").contains("ghs_workflow"));
    }

    #[test]
    fn github_token_env_is_the_fallback() {
        let i = ActionInputs::from_env(&env(&[("GITHUB_TOKEN", "ghs_env")])).unwrap();
        assert_eq!(i.token, Some(Secret("ghs_env".into())));
        let i = ActionInputs::from_env(&env(&[
            ("GITHUB_TOKEN", "ghs_env"),
            ("INPUT_TOKEN", "ghp_input"),
        ]))
        .unwrap();
        assert_eq!(i.token, Some(Secret("ghp_input".into())));
    }

    #[test]
    fn every_bad_value_is_an_error_naming_its_input() {
        let errors = ActionInputs::from_env(&env(&[
            ("INPUT_MODE", "fast"),
            ("INPUT_DRY_RUN", "maybe"),
            ("INPUT_COMMIT_ARTIFACTS", "yes"),
            ("INPUT_APP_ID", "abc"),
            ("INPUT_APP_PRIVATE_KEY", "not a key"),
            ("INPUT_ARTIFACTS_DIR", "../../etc"),
            ("INPUT_WEBHOOK_URL", "ftp://secret-hook"),
            ("GITHUB_API_URL", "not a url"),
            ("GITHUB_REPOSITORY", "no-slash"),
        ]))
        .unwrap_err();
        let names: Vec<&str> = errors.iter().map(|e| e.input.as_str()).collect();
        assert_eq!(
            names,
            [
                "mode",
                "dry_run",
                "commit_artifacts",
                "app_id",
                "app_private_key",
                "artifacts_dir",
                "webhook_url",
                "GITHUB_API_URL",
                "GITHUB_REPOSITORY"
            ]
        );
        assert_eq!(
            errors[1].to_string(),
            "input `dry_run`: `maybe` is not a boolean; use true or false"
        );
        assert!(!errors.iter().any(|e| e.to_string().contains("secret-hook")));
    }

    #[test]
    fn app_credentials_need_both_parts() {
        let e = ActionInputs::from_env(&env(&[("INPUT_APP_ID", "12")])).unwrap_err();
        assert_eq!(e[0].input, "app_private_key");
        let key = "-----BEGIN RSA PRIVATE KEY-----\\nabc\\n-----END RSA PRIVATE KEY-----";
        let i = ActionInputs::from_env(&env(&[
            ("INPUT_APP_ID", "12"),
            ("INPUT_APP_PRIVATE_KEY", key),
        ]))
        .unwrap();
        let app = i.app.as_ref().unwrap();
        assert_eq!(app.app_id, 12);
        assert!(app.private_key.contains("\nabc\n"));
        assert!(
            !format!("{i:?}").contains("abc"),
            "Debug must not print the key"
        );
    }

    #[test]
    fn huge_force_lists_are_refused() {
        let list = vec!["a/b"; 2000].join(",");
        let e = ActionInputs::from_env(&env(&[("INPUT_FORCE_REPOS", &list)])).unwrap_err();
        assert_eq!(e[0].input, "force_repos");
    }

    #[test]
    fn event_payload_errors_are_clear() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("event.json");
        std::fs::write(&bad, "{not json").unwrap();
        let e =
            Runner::from_env(&env(&[("GITHUB_EVENT_PATH", bad.to_str().unwrap())])).unwrap_err();
        assert!(e[0].message.contains("not valid JSON"), "{}", e[0]);
        std::fs::write(&bad, "[1,2]").unwrap();
        let e =
            Runner::from_env(&env(&[("GITHUB_EVENT_PATH", bad.to_str().unwrap())])).unwrap_err();
        assert!(e[0].message.contains("not a JSON object"));
        let e = Runner::from_env(&env(&[("GITHUB_EVENT_PATH", "/nonexistent/event.json")]))
            .unwrap_err();
        assert!(e[0].message.contains("cannot read"));
        std::fs::write(&bad, r#"{"schedule": "0 */6 * * *"}"#).unwrap();
        let r = Runner::from_env(&env(&[
            ("GITHUB_EVENT_PATH", bad.to_str().unwrap()),
            ("GITHUB_EVENT_NAME", "schedule"),
        ]))
        .unwrap();
        assert_eq!(r.event.unwrap()["schedule"], "0 */6 * * *");
    }

    /// A value for every input that validates, with the shard (which needs `mode: all`).
    fn every_input_set() -> Vec<(String, String)> {
        INPUTS
            .iter()
            .map(|i| {
                let value = match i.name {
                    "mode" => "all",
                    "token" | "audit_token" => "ghp_x",
                    "dry_run" | "commit_artifacts" => "true",
                    "app_id" => "12",
                    "app_private_key" => {
                        "-----BEGIN RSA PRIVATE KEY-----\\nk\\n-----END RSA PRIVATE KEY-----"
                    }
                    "webhook_url" => "https://hooks.example/x",
                    "shard" => "1/2",
                    "shards" => "2",
                    "force_repos" => "",
                    _ => "some-dir",
                };
                let (declared, _) = input_vars(i.name);
                (declared, value.to_string())
            })
            .collect()
    }

    #[test]
    fn from_env_reads_exactly_the_declared_inputs() {
        let declared: BTreeSet<&str> = INPUTS.iter().map(|i| i.name).collect();
        for pairs in [Vec::new(), every_input_set()] {
            let (result, read) = ActionInputs::read(&Env::from_pairs(pairs));
            assert!(result.is_ok(), "{result:?}");
            let not_read: Vec<_> = declared.difference(&read).collect();
            let not_declared: Vec<_> = read.difference(&declared).collect();
            assert!(not_read.is_empty(), "declared but never read: {not_read:?}");
            assert!(
                not_declared.is_empty(),
                "read but not in INPUTS: {not_declared:?}"
            );
        }
    }

    #[test]
    fn an_undeclared_input_cannot_be_read() {
        let e = env(&[("INPUT_COLOUR", "blue"), ("INPUT_MODE", "all")]);
        let refused = raw_input(&e, "colour").unwrap_err();
        assert_eq!(refused.input, "colour");
        assert!(refused.message.contains("not in INPUTS"), "{refused}");
        assert_eq!(raw_input(&e, "mode").unwrap().as_deref(), Some("all"));
    }

    #[test]
    fn raw_secrets_cover_every_spelling_before_validation() {
        let e = env(&[
            ("INPUT_TOKEN", "ghp_fleet"),
            ("INPUT_AUDIT-TOKEN", "ghs_audit"),
            (
                "INPUT_APP_PRIVATE_KEY",
                "-----BEGIN KEY-----\\nline1\\nline2\\n-----END KEY-----",
            ),
            ("INPUT_WEBHOOK_URL", "not a url at all"),
            ("GITHUB_TOKEN", "ghs_env"),
            ("INPUT_SHARD", "9/4"),
            ("INPUT_CONFIG", "not-a-secret.yml"),
        ]);
        // The inputs do not validate (the shard, the webhook), yet every secret is listed.
        assert!(ActionInputs::from_env(&e).is_err());
        let s = raw_secrets(&e);
        for want in [
            "ghp_fleet",
            "ghs_audit",
            "line1",
            "line2",
            "not a url at all",
            "ghs_env",
        ] {
            assert!(s.iter().any(|v| v == want), "{want} missing from {s:?}");
        }
        assert!(!s.iter().any(|v| v.contains("not-a-secret") || v == "9/4"));
        assert!(s.iter().all(|v| !v.contains('\n')), "{s:?}");
    }

    #[test]
    fn shard_goes_only_with_mode_all() {
        let read = |pairs: &[(&str, &str)]| ActionInputs::from_env(&env(pairs));
        let ok = read(&[("INPUT_MODE", "all"), ("INPUT_SHARD", "2/4")]).unwrap();
        assert_eq!(ok.shard.map(|s| s.to_string()).as_deref(), Some("2/4"));
        for mode in ["urgent", "top12", "auto", "plan", "report"] {
            let e = read(&[("INPUT_MODE", mode), ("INPUT_SHARD", "2/4")]).unwrap_err();
            assert_eq!(e.len(), 1, "{e:?}");
            assert_eq!(e[0].input, "shard");
            assert!(
                e[0].message
                    .contains(&format!("needs `mode: all`, not `{mode}`")),
                "{}",
                e[0]
            );
        }
        // The default mode is auto: a shard alone is refused too.
        assert!(read(&[("INPUT_SHARD", "1/2")]).is_err());
        let e = read(&[
            ("INPUT_MODE", "all"),
            ("INPUT_SHARD", "1/2"),
            ("INPUT_FORCE_REPOS", "codenest"),
        ])
        .unwrap_err();
        assert!(e[0].message.contains("force_repos"), "{}", e[0]);
    }

    #[test]
    fn the_workflow_token_as_fleet_token_is_warned_about_only_when_certain() {
        let fleet: Vec<RepoName> = ["acme/control", "acme/fork-1"]
            .iter()
            .map(|r| r.parse().unwrap())
            .collect();
        let warn = |pairs: &[(&str, &str)], fleet: &[RepoName]| {
            let mut all = vec![("GITHUB_REPOSITORY", "acme/control")];
            all.extend_from_slice(pairs);
            ActionInputs::from_env(&env(&all))
                .unwrap()
                .workflow_token_warning(&env(&all), fleet.iter())
        };
        // `token` left at its default: equal to audit_token's default, an installation token.
        let w = warn(
            &[("INPUT_TOKEN", "ghs_wf"), ("INPUT_AUDIT_TOKEN", "ghs_wf")],
            &fleet,
        )
        .expect("a warning");
        assert_eq!(
            w,
            "token is the workflow's GITHUB_TOKEN: it reaches only acme/control; give a PAT or App (see README Tokens)"
        );
        // Passed through the GITHUB_TOKEN variable.
        assert!(warn(&[("INPUT_TOKEN", "tok"), ("GITHUB_TOKEN", "tok")], &fleet).is_some());
        // Not said: a PAT, even given to both inputs; an App token beside the default
        // audit_token; an App; a fleet that is only the workflow's repository.
        assert!(warn(
            &[("INPUT_TOKEN", "ghp_pat"), ("INPUT_AUDIT_TOKEN", "ghp_pat")],
            &fleet
        )
        .is_none());
        assert!(warn(
            &[("INPUT_TOKEN", "ghs_app"), ("INPUT_AUDIT_TOKEN", "ghs_wf")],
            &fleet
        )
        .is_none());
        let key = "-----BEGIN RSA PRIVATE KEY-----\\nk\\n-----END RSA PRIVATE KEY-----";
        assert!(warn(
            &[
                ("INPUT_TOKEN", "ghs_wf"),
                ("INPUT_AUDIT_TOKEN", "ghs_wf"),
                ("INPUT_APP_ID", "3"),
                ("INPUT_APP_PRIVATE_KEY", key),
            ],
            &fleet
        )
        .is_none());
        assert!(warn(
            &[("INPUT_TOKEN", "ghs_wf"), ("INPUT_AUDIT_TOKEN", "ghs_wf")],
            &fleet[..1]
        )
        .is_none());
    }

    #[test]
    fn graphql_url_is_derived_for_enterprise_server() {
        assert_eq!(
            graphql_url_for("https://api.github.com"),
            "https://api.github.com/graphql"
        );
        assert_eq!(
            graphql_url_for("https://ghe.corp/api/v3"),
            "https://ghe.corp/api/graphql"
        );
        assert_eq!(
            graphql_url_for("http://127.0.0.1:4000/"),
            "http://127.0.0.1:4000/graphql"
        );
    }
}
