//! The inputs that hold secrets: tokens and the App's key never print themselves, every secret
//! value in the environment is listed for masking before anything is validated, the App
//! credentials are checked without echoing them, and a warning says when the fleet token is the
//! workflow's own `GITHUB_TOKEN`.

use super::declared::input_vars;
use super::{err, ActionInputs, InputError, INPUTS};
use crate::action_io::env::Env;
use crate::repo_name::{printable, RepoName};

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

/// The App credentials, when both parts are given and valid; every problem in `errors`, and
/// neither value echoed.
pub(super) fn app_credentials(
    app_id: Option<String>,
    app_key: Option<String>,
    errors: &mut Vec<InputError>,
) -> Option<AppCredentials> {
    match (app_id, app_key) {
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
    }
}

impl ActionInputs {
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
