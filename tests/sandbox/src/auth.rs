//! Tokens and permissions: who may do what, how GitHub words a refusal, tokens revoked
//! mid-run, and the GitHub App the sandbox plays (JWTs, installation tokens). The rate
//! limits those tokens spend are accounted in `limits`.

use std::collections::HashMap;

use crate::util::wall_now;

/// How a token was issued; decides GitHub's wording of refusals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// Classic personal access token (`ghp_…`): scopes, `x-oauth-scopes` header.
    Classic,
    /// Fine-grained personal access token (`github_pat_…`).
    FineGrained,
    /// GitHub App installation token (`ghs_…`).
    App,
}

/// A token the sandbox accepts, with its permissions and limits.
#[derive(Clone, Debug)]
pub struct TokenSpec {
    /// The secret.
    pub token: String,
    /// Short name tests use to ask for it (`full`, `no-workflow`, …).
    pub name: String,
    /// Login of the user (or bot) it acts as.
    pub login: String,
    /// Issuer kind.
    pub kind: TokenKind,
    /// May write (refs, pulls, labels, git data, merge-upstream).
    pub write: bool,
    /// May create or update files under `.github/workflows/`.
    pub workflow: bool,
    /// May read Dependabot alerts.
    pub dependabot: bool,
    /// Primary REST limit per hour.
    pub core_limit: u32,
    /// GraphQL points per hour.
    pub graphql_limit: u32,
    /// Expiry (Unix seconds): installation tokens (an hour), and personal access tokens made
    /// with an expiration, whose answers then say when in `github-authentication-token-expiration`.
    pub expires_at: Option<i64>,
    /// The only repositories (`owner/name`) this token may write, when it is limited to some:
    /// a workflow's `GITHUB_TOKEN` (its own repository), an installation token for selected
    /// repositories. Public repositories elsewhere stay readable, as for any token.
    pub repositories: Option<Vec<String>>,
}

impl TokenSpec {
    /// A token with every permission and GitHub's default limits.
    pub fn full(name: &str, token: &str) -> TokenSpec {
        TokenSpec {
            token: token.to_string(),
            name: name.to_string(),
            login: "heyns1000".to_string(),
            kind: TokenKind::Classic,
            write: true,
            workflow: true,
            dependabot: true,
            core_limit: 5000,
            graphql_limit: 5000,
            expires_at: None,
            repositories: None,
        }
    }

    /// A classic token made with an expiration `days` from now (wall clock): every scope, and
    /// its answers carry `github-authentication-token-expiration`.
    pub fn expiring(name: &str, token: &str, days: i64) -> TokenSpec {
        TokenSpec {
            expires_at: Some(wall_now() + days * 86_400),
            ..TokenSpec::full(name, token)
        }
    }

    /// A workflow's `GITHUB_TOKEN`: an installation token of the GitHub Actions app (`ghs_`)
    /// that writes only to `repo`, cannot read Dependabot alerts nor write workflow files, and
    /// has 1,000 requests an hour ("Rate limits for the REST API": `GITHUB_TOKEN`, 1,000 per
    /// repository per hour).
    pub fn workflow_token(name: &str, token: &str, repo: &str) -> TokenSpec {
        TokenSpec {
            login: "github-actions[bot]".into(),
            kind: TokenKind::App,
            workflow: false,
            dependabot: false,
            core_limit: 1000,
            graphql_limit: 1000,
            repositories: Some(vec![repo.to_string()]),
            ..TokenSpec::full(name, token)
        }
    }

    /// Whether this token may write to `repo` (`owner/name`) as far as its repository list
    /// goes (its permissions are checked separately).
    pub fn reaches(&self, repo: &str) -> bool {
        self.repositories
            .as_ref()
            .is_none_or(|list| list.iter().any(|r| r.eq_ignore_ascii_case(repo)))
    }

    /// The `github-authentication-token-expiration` header of a personal access token made
    /// with an expiration: `2022-08-14 08:15:54 UTC`, as GitHub sends it (recorded answers:
    /// osunyorg/admin#418, github/gh-aw#20097; GitHub changelog 2021-07-26, "Expiration
    /// options for personal access tokens"). Installation tokens send none: their expiry is in
    /// the answer that made them.
    pub fn expiration_header(&self) -> Option<String> {
        if self.kind == TokenKind::App {
            return None;
        }
        let at = crate::util::rfc3339(self.expires_at?);
        Some(format!(
            "{} UTC",
            at.trim_end_matches('Z').replacen('T', " ", 1)
        ))
    }

    /// The sandbox's default token set: `full`, `no-workflow`, `no-dependabot`, `read-only`,
    /// and the shapes `priority-sync check` tells apart: `read-only-classic` (a classic token
    /// with no scope), `expiring` (a classic token expiring in 7 days) and `workflow-token` (a
    /// `GITHUB_TOKEN` of the audit repository).
    pub fn defaults() -> Vec<TokenSpec> {
        vec![
            TokenSpec::full("full", "ghp_sandboxFull000000000000000000000000"),
            TokenSpec {
                workflow: false,
                ..TokenSpec::full("no-workflow", "ghp_sandboxNoWorkflow0000000000000000000")
            },
            TokenSpec {
                dependabot: false,
                kind: TokenKind::FineGrained,
                ..TokenSpec::full(
                    "no-dependabot",
                    "github_pat_sandboxNoDependabot000000000000",
                )
            },
            TokenSpec {
                write: false,
                workflow: false,
                kind: TokenKind::FineGrained,
                ..TokenSpec::full("read-only", "github_pat_sandboxReadOnly00000000000000000")
            },
            TokenSpec {
                write: false,
                workflow: false,
                dependabot: false,
                ..TokenSpec::full(
                    "read-only-classic",
                    "ghp_sandboxReadOnlyClassic0000000000000",
                )
            },
            TokenSpec::expiring("expiring", "ghp_sandboxExpiring000000000000000000000", 7),
            TokenSpec::workflow_token(
                "workflow-token",
                "ghs_sandboxWorkflowToken0000000000000000",
                crate::fleet::AUDIT_REPO,
            ),
        ]
    }

    /// GitHub's 403 wording for a permission this token lacks.
    pub fn not_accessible(&self) -> &'static str {
        match self.kind {
            TokenKind::App => "Resource not accessible by integration",
            _ => "Resource not accessible by personal access token",
        }
    }

    /// GitHub's 422 wording when `merge-upstream` (or, with `WorkflowRefusal::Explicit`, a
    /// ref write) would change a workflow without permission. Recorded answers of the API:
    /// a classic token is "an OAuth App" lacking the `workflow` scope (cli/cli#7612, 2023;
    /// fernandotonon/QtMeshEditor#1065 with a classic PAT), an App installation token "a
    /// GitHub App" lacking the `workflows` permission (cli/cli#10574, 2025). No recorded API
    /// answer for a fine-grained token was found: it gets the wording `git push` uses for
    /// personal access tokens (kbrashears5/github-action-file-sync#18), which clients match
    /// on "workflow" like the others.
    pub fn workflow_refusal(&self, path: &str) -> String {
        match self.kind {
            TokenKind::App => format!(
                "refusing to allow a GitHub App to create or update workflow `{path}` without `workflows` permission"
            ),
            TokenKind::Classic => format!(
                "refusing to allow an OAuth App to create or update workflow `{path}` without `workflow` scope"
            ),
            TokenKind::FineGrained => format!(
                "refusing to allow a Personal Access Token to create or update workflow `{path}` without `workflow` scope"
            ),
        }
    }

    /// The `x-oauth-scopes` header a classic token carries: `repo` when it may write (a
    /// classic token without it reads public repositories only, and its header is empty).
    pub fn scopes(&self) -> Option<String> {
        if self.kind != TokenKind::Classic {
            return None;
        }
        let mut s = Vec::new();
        if self.write {
            s.push("repo");
        }
        if self.workflow {
            s.push("workflow");
        }
        if self.dependabot {
            s.push("security_events");
        }
        Some(s.join(", "))
    }
}

/// Who is calling.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The token, or None for anonymous calls.
    pub token: Option<TokenSpec>,
}

impl Caller {
    /// Key for rate-limit accounting.
    pub fn key(&self) -> String {
        self.token
            .as_ref()
            .map(|t| t.token.clone())
            .unwrap_or_else(|| "anonymous".into())
    }

    /// Numeric user id for messages.
    pub fn user_id(&self) -> u64 {
        self.token
            .as_ref()
            .map(|t| 1_000_000 + crate::util::fnv64(&[t.login.as_bytes()]) % 1_000_000)
            .unwrap_or(0)
    }
}

/// Tokens and their revocation counters.
pub struct AuthState {
    tokens: HashMap<String, TokenSpec>,
    /// Requests a token may still make before it is revoked (`revoke_after`).
    uses_left: HashMap<String, u64>,
}

impl AuthState {
    /// With the given tokens.
    pub fn new(tokens: &[TokenSpec]) -> AuthState {
        AuthState {
            tokens: tokens
                .iter()
                .map(|t| (t.token.clone(), t.clone()))
                .collect(),
            uses_left: HashMap::new(),
        }
    }

    /// Revokes `token` once it has made `requests` more authenticated requests.
    pub fn revoke_after(&mut self, token: &str, requests: u64) {
        self.uses_left.insert(token.to_string(), requests);
    }

    /// Counts one request made with `token`; false once the token is revoked.
    pub fn take_use(&mut self, token: &str) -> bool {
        match self.uses_left.get_mut(token) {
            None => true,
            Some(0) => false,
            Some(n) => {
                *n -= 1;
                true
            }
        }
    }

    /// Registers (or replaces) a token.
    pub fn add(&mut self, t: TokenSpec) {
        self.tokens.insert(t.token.clone(), t);
    }

    /// Looks a token up by its short name.
    pub fn by_name(&self, name: &str) -> Option<&TokenSpec> {
        self.tokens.values().find(|t| t.name == name)
    }

    /// Resolves a bearer token; None means Bad credentials (unknown or expired).
    pub fn resolve(&self, token: &str) -> Option<TokenSpec> {
        match self.tokens.get(token) {
            Some(t) if t.expires_at.is_none_or(|e| e > wall_now()) => Some(t.clone()),
            _ => None,
        }
    }
}

/// The GitHub App the sandbox plays, when app auth is enabled.
pub struct AppKey {
    /// App id (the JWT's `iss`).
    pub app_id: u64,
    /// The single installation's id.
    pub installation_id: u64,
    /// PEM (PKCS#1) of the private key clients sign JWTs with.
    pub private_key_pem: String,
    /// Where the PEM was written.
    pub key_path: std::path::PathBuf,
    decoding: jsonwebtoken::DecodingKey,
}

impl AppKey {
    /// Generates a 2048-bit RSA key and writes it to `dir/app-private-key.pem`.
    pub fn generate(
        app_id: u64,
        installation_id: u64,
        dir: &std::path::Path,
    ) -> Result<AppKey, String> {
        use rsa::pkcs1::{EncodeRsaPrivateKey, EncodeRsaPublicKey};
        let mut rng = rand_core::OsRng;
        let key = rsa::RsaPrivateKey::new(&mut rng, 2048).map_err(|e| e.to_string())?;
        let pem = key
            .to_pkcs1_pem(rsa::pkcs1::LineEnding::LF)
            .map_err(|e| e.to_string())?
            .to_string();
        let public = key
            .to_public_key()
            .to_pkcs1_pem(rsa::pkcs1::LineEnding::LF)
            .map_err(|e| e.to_string())?;
        let decoding = jsonwebtoken::DecodingKey::from_rsa_pem(public.as_bytes())
            .map_err(|e| e.to_string())?;
        let key_path = dir.join("app-private-key.pem");
        std::fs::write(&key_path, &pem).map_err(|e| e.to_string())?;
        Ok(AppKey {
            app_id,
            installation_id,
            private_key_pem: pem,
            key_path,
            decoding,
        })
    }

    /// Verifies an app JWT (RS256 signature, `iss`, `exp` at most 10 minutes ahead).
    pub fn verify(&self, jwt: &str) -> Result<(), String> {
        let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        v.validate_aud = false;
        v.leeway = 60;
        v.set_required_spec_claims(&["exp"]);
        let data = jsonwebtoken::decode::<serde_json::Value>(jwt, &self.decoding, &v)
            .map_err(|e| format!("A JSON web token could not be decoded ({e})"))?;
        let c = data.claims;
        let iss_ok = match &c["iss"] {
            serde_json::Value::Number(n) => n.as_u64() == Some(self.app_id),
            serde_json::Value::String(s) => s == &self.app_id.to_string(),
            _ => false,
        };
        if !iss_ok {
            return Err("'Issuer' claim ('iss') must be an Integer".into());
        }
        let exp = c["exp"].as_i64().unwrap_or(0);
        if exp > wall_now() + 600 + 60 {
            return Err("'Expiration time' claim ('exp') is too far in the future".into());
        }
        Ok(())
    }
}
