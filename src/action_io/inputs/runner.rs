//! The runner's context (`GITHUB_*`): the event and its payload, the workflow's repository and
//! ref, the API and web URLs (checked, GraphQL derived for Enterprise Server), and the files
//! the step outputs and the job summary go to.

use std::path::PathBuf;

use super::{err, InputError};
use crate::action_io::env::Env;
use crate::repo_name::{printable, RepoName};

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
                .unwrap_or(crate::action_io::knobs::GITHUB_COM_API),
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
