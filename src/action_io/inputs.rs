//! The action's inputs, read from `INPUT_*` and the runner's `GITHUB_*` variables with real
//! validation: a bad value is an error naming the input, never a silent default.
//! `INPUTS` is the single list that `action.yml` must agree with (a test checks both ways).

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

/// Reads one input. The runner names it `INPUT_<NAME>` upper-cased with spaces as `_`, keeping
/// hyphens, and passes every declared input (`force_repos`) with its default. A hyphenated
/// form (`force-repos`) can only come from the workflow's `with:`, so it wins when present.
pub fn raw_input(env: &Env, name: &str) -> Result<Option<String>, InputError> {
    let upper = name.to_ascii_uppercase().replace(' ', "_");
    let declared = format!("INPUT_{}", upper.replace('-', "_"));
    let hyphenated = format!("INPUT_{}", upper.replace('_', "-"));
    let value = |key: &str| {
        env.get(key)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    Ok(value(&hyphenated).or_else(|| value(&declared)))
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
        let mut errors = Vec::new();
        let mut get = |name: &str| -> Option<String> {
            raw_input(env, name).unwrap_or_else(|e| {
                errors.push(e);
                None
            })
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
                if let Err(e) = parse_mode(&mode) {
                    errors.push(err("mode", format!("{e}, plan or report")));
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
            return Err(errors);
        }
        Ok(Self {
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
        })
    }

    /// Values to hide from logs (`::add-mask::`), each non-empty.
    pub fn secrets(&self) -> Vec<String> {
        let mut out = Vec::new();
        for t in [&self.token, &self.audit_token].into_iter().flatten() {
            out.push(t.0.clone());
        }
        if let Some(app) = &self.app {
            out.push(app.private_key.clone());
        }
        if let Some(w) = &self.webhook_url {
            out.push(w.0.clone());
        }
        out
    }
}

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
                .unwrap_or("https://api.github.com"),
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
        assert_eq!(i.secrets(), ["ghp_fleet", "ghs_workflow"]);
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
