//! The pre-flight's decisions, as pure functions over what GitHub said: the token's kind,
//! what each repository needs, what the token can do there, and the fix for each gap (in the
//! words of the setting to change). No client, no clock: unit-tested with literal data.

use std::collections::BTreeMap;

use crate::config::RepoSpec;
use crate::github::{RepoMeta, RepoPermission, TokenProbe};
use crate::repo_name::RepoName;

/// What kind of credentials the run has. Told from the token's prefix (GitHub's documented
/// prefixes: `ghp_` classic, `github_pat_` fine-grained, `ghs_` installation) and the headers
/// of one answer; the token itself is never kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// `ghp_` (or any token whose answers carry `x-oauth-scopes`): scopes say what it may do.
    Classic,
    /// `github_pat_`: GitHub does not show its permissions through the API.
    FineGrained,
    /// `ghs_` passed as a token: an App installation token made elsewhere.
    Installation,
    /// `ghs_` of a workflow: reaches only the repository that runs the workflow.
    WorkflowToken,
    /// `app_id` + private key: priority-sync mints installation tokens, whose answers list
    /// their permissions.
    App,
    /// A prefix GitHub does not document and no scopes header.
    Unknown,
}

impl TokenKind {
    pub fn label(self) -> &'static str {
        match self {
            TokenKind::Classic => "classic personal access token",
            TokenKind::FineGrained => "fine-grained personal access token",
            TokenKind::Installation => "GitHub App installation token",
            TokenKind::WorkflowToken => "the workflow's GITHUB_TOKEN",
            TokenKind::App => "GitHub App (installation tokens minted per owner)",
            TokenKind::Unknown => "unknown kind of token",
        }
    }
}

/// A workflow's `GITHUB_TOKEN` may make 1,000 REST requests an hour per repository on
/// github.com ("Rate limits for the REST API"); an App installation starts at 5,000.
pub const WORKFLOW_TOKEN_HOURLY_LIMIT: u64 = 1000;

/// The kind of a token (`None`: App credentials). `is_workflow_token`: the caller knows it is
/// the workflow's own token (it equals `GITHUB_TOKEN` on the runner). A `ghs_` token whose
/// answers allow 1,000 requests an hour is a `GITHUB_TOKEN` too.
pub fn token_kind(
    token: Option<&str>,
    probe: Option<&TokenProbe>,
    is_workflow_token: bool,
) -> TokenKind {
    let Some(token) = token else {
        return TokenKind::App;
    };
    let scopes = probe.and_then(|p| p.scopes.as_ref()).is_some();
    if token.starts_with("github_pat_") {
        TokenKind::FineGrained
    } else if token.starts_with("ghs_") {
        let limit = probe.and_then(|p| p.rate_limit);
        if is_workflow_token || limit == Some(WORKFLOW_TOKEN_HOURLY_LIMIT) {
            TokenKind::WorkflowToken
        } else {
            TokenKind::Installation
        }
    } else if token.starts_with("ghp_") || scopes {
        TokenKind::Classic
    } else {
        TokenKind::Unknown
    }
}

/// On the runner: the `token` input is the workflow's own token when it equals the runner's
/// `GITHUB_TOKEN`, or is an installation token equal to `audit_token` (whose default is the
/// workflow's token).
pub fn is_workflow_token(token: &str, env_token: Option<&str>, audit_token: Option<&str>) -> bool {
    env_token.map(str::trim) == Some(token)
        || (token.starts_with("ghs_") && audit_token == Some(token))
}

/// A classic token's scopes from `x-oauth-scopes` (`repo, workflow`).
pub fn scopes(header: Option<&str>) -> Option<Vec<String>> {
    header.map(|h| {
        h.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    })
}

/// What the token is, for every repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenFacts {
    pub kind: TokenKind,
    /// `x-oauth-scopes` split (classic tokens only).
    pub scopes: Option<Vec<String>>,
    /// `github-authentication-token-expiration` as sent.
    pub expiration: Option<String>,
    /// `x-ratelimit-limit`.
    pub rate_limit: Option<u64>,
    /// The repository whose workflow runs (`GITHUB_REPOSITORY`): the only one a
    /// `GITHUB_TOKEN` reaches.
    pub workflow_repo: Option<RepoName>,
}

impl TokenFacts {
    fn has_scope(&self, scope: &str) -> bool {
        self.scopes
            .as_ref()
            .is_some_and(|s| s.iter().any(|x| x == scope))
    }
}

/// One thing a repository may need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Need {
    Reachable,
    Contents,
    PullRequests,
    Workflows,
    Dependabot,
    Upstream,
    SameNetwork,
    AutoMerge,
}

impl Need {
    pub const ALL: [Need; 8] = [
        Need::Reachable,
        Need::Contents,
        Need::PullRequests,
        Need::Workflows,
        Need::Dependabot,
        Need::Upstream,
        Need::SameNetwork,
        Need::AutoMerge,
    ];

    /// The column heading.
    pub fn heading(self) -> &'static str {
        match self {
            Need::Reachable => "reachable",
            Need::Contents => "contents",
            Need::PullRequests => "pull requests",
            Need::Workflows => "workflows",
            Need::Dependabot => "Dependabot alerts",
            Need::Upstream => "upstream",
            Need::SameNetwork => "same network",
            Need::AutoMerge => "auto-merge",
        }
    }
}

/// The answer for one need of one repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Possible (or true).
    Yes,
    /// Needed and not possible: the run would fail or lose something here.
    Missing { why: String, fix: String },
    /// Needed, and GitHub does not say: to verify by hand.
    Unknown { why: String },
    /// Not needed by this inventory (or the repository could not be read); the observation,
    /// if any, is information only.
    Info(Option<String>),
}

impl Verdict {
    pub fn is_missing(&self) -> bool {
        matches!(self, Verdict::Missing { .. })
    }
}

/// One repository's findings, in [`Need::ALL`] order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoCheck {
    pub repo: RepoName,
    pub verdicts: Vec<(Need, Verdict)>,
}

impl RepoCheck {
    pub fn verdict(&self, need: Need) -> Option<&Verdict> {
        self.verdicts
            .iter()
            .find(|(n, _)| *n == need)
            .map(|(_, v)| v)
    }

    pub fn ok(&self) -> bool {
        !self.verdicts.iter().any(|(_, v)| v.is_missing())
    }
}

/// What the metadata batch said about one repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seen {
    Found(Box<RepoMeta>),
    /// Not found, or not visible to this token (GitHub answers both alike).
    NotFound,
    /// Its batch failed (rate limit, network): nothing is known.
    Unread(String),
}

/// An App installation's permissions for one repository's owner (`contents: write`, …).
pub type AppPermissions = BTreeMap<String, String>;

/// The permissions of an access-token answer, as level names by permission.
pub fn app_permissions(value: Option<&serde_json::Value>) -> Option<AppPermissions> {
    let map = value?.as_object()?;
    Some(
        map.iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
            .collect(),
    )
}

/// Everything needed to judge one repository.
pub struct RepoInput<'a> {
    pub spec: &'a RepoSpec,
    pub seen: &'a Seen,
    /// App credentials: the installation's permissions for its owner, when a token was minted.
    pub app: Option<&'a AppPermissions>,
    /// The inventory asks for auto-merge (`pull_requests.auto_merge`).
    pub wants_auto_merge: bool,
}

/// Judges one repository: every need, what is missing, the fix.
pub fn assess(token: &TokenFacts, input: &RepoInput<'_>) -> RepoCheck {
    let repo = input.spec.repo.clone();
    let meta = match input.seen {
        Seen::Found(m) => m,
        Seen::NotFound => return unreachable_repo(token, input.spec, None),
        Seen::Unread(why) => return unreachable_repo(token, input.spec, Some(why)),
    };
    let mut verdicts = vec![(Need::Reachable, reachable(input.spec, meta))];
    let write = |perm: &str, label: &str| write_verdict(token, &repo, meta, input.app, perm, label);
    verdicts.push((Need::Contents, write("contents", "Contents")));
    verdicts.push((Need::PullRequests, write("pull_requests", "Pull requests")));
    verdicts.push((
        Need::Workflows,
        if meta.has_workflows {
            workflows_verdict(token, &repo, meta, input.app)
        } else {
            Verdict::Info(Some("no .github/workflows: not needed".into()))
        },
    ));
    verdicts.push((Need::Dependabot, dependabot(token, input.spec, meta)));
    let (upstream, network) = upstream_verdicts(input.spec, meta);
    verdicts.push((Need::Upstream, upstream));
    verdicts.push((Need::SameNetwork, network));
    verdicts.push((Need::AutoMerge, auto_merge(input.wants_auto_merge, meta)));
    RepoCheck { repo, verdicts }
}

fn unreachable_repo(token: &TokenFacts, spec: &RepoSpec, unread: Option<&String>) -> RepoCheck {
    let repo = &spec.repo;
    let reach = match unread {
        // Not known is not possible: the check cannot vouch for it.
        Some(why) => Verdict::Missing {
            why: format!("could not be read this time: {why}"),
            fix: "run the check again (GitHub did not answer for these repositories)".into(),
        },
        None => Verdict::Missing {
            why: "not found, or not visible to this token".into(),
            fix: format!(
                "{} {repo}, or correct its name in the inventory",
                grant_access(token.kind)
            ),
        },
    };
    let mut verdicts = vec![(Need::Reachable, reach)];
    verdicts.extend(Need::ALL[1..].iter().map(|n| (*n, Verdict::Info(None))));
    RepoCheck {
        repo: repo.clone(),
        verdicts,
    }
}

/// How to give this kind of token access to a repository (the start of a sentence).
fn grant_access(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::FineGrained => "add to the fine-grained token's repository access",
        TokenKind::App | TokenKind::Installation => "install the GitHub App on",
        TokenKind::WorkflowToken => {
            "use a fine-grained token or a GitHub App (a GITHUB_TOKEN reaches only its own repository) for"
        }
        TokenKind::Classic | TokenKind::Unknown => {
            "give the token's user access (a collaborator with the Write role) to"
        }
    }
}

fn reachable(spec: &RepoSpec, meta: &RepoMeta) -> Verdict {
    if meta.archived {
        return Verdict::Missing {
            why: "archived: GitHub refuses every write".into(),
            fix: format!(
                "unarchive {} (Settings → General → Danger Zone), or remove it from the inventory",
                spec.repo
            ),
        };
    }
    if meta.branch.is_none() {
        let branch = spec.branch.as_deref().unwrap_or("the default branch");
        return Verdict::Missing {
            why: format!("branch {branch} does not exist"),
            fix: format!(
                "correct `branch:` of {} in the inventory (or create the branch)",
                spec.repo
            ),
        };
    }
    Verdict::Yes
}

/// Contents or pull requests write (`perm` as an App's permission name, `label` as the
/// fine-grained token's settings page spells it).
fn write_verdict(
    token: &TokenFacts,
    repo: &RepoName,
    meta: &RepoMeta,
    app: Option<&AppPermissions>,
    perm: &str,
    label: &str,
) -> Verdict {
    if let Some(role) = meta.viewer_permission.filter(|r| !r.can_push()) {
        return role_missing(repo, role);
    }
    match token.kind {
        TokenKind::Classic if token.has_scope("repo") => Verdict::Yes,
        TokenKind::Classic if token.has_scope("public_repo") => Verdict::Unknown {
            why: "the `public_repo` scope writes public repositories only".into(),
        },
        TokenKind::Classic => Verdict::Missing {
            why: "the classic token has no `repo` scope".into(),
            fix: "add the `repo` scope to the classic token (Settings → Developer settings → Personal access tokens → Tokens (classic))".into(),
        },
        TokenKind::FineGrained => Verdict::Unknown {
            why: format!("GitHub does not show a fine-grained token's permissions: make sure it has {label}: Read and write on {repo}"),
        },
        TokenKind::WorkflowToken => workflow_token_write(token, repo, perm),
        TokenKind::App | TokenKind::Installation => app_level(app, perm, label, "write", repo),
        TokenKind::Unknown => Verdict::Unknown {
            why: format!("the kind of token is unknown: make sure it may write {label} on {repo}"),
        },
    }
}

fn role_missing(repo: &RepoName, role: RepoPermission) -> Verdict {
    Verdict::Missing {
        why: format!("the token's user has the {} role, which cannot push", role.as_str()),
        fix: format!("ask an admin of {repo} to give the token's user the Write role (or use a token of a user who has it)"),
    }
}

fn workflow_token_write(token: &TokenFacts, repo: &RepoName, perm: &str) -> Verdict {
    if token.workflow_repo.as_ref() == Some(repo) {
        Verdict::Unknown {
            why: format!(
                "a GITHUB_TOKEN writes here only with `permissions: {}: write` in the workflow",
                perm.replace('_', "-")
            ),
        }
    } else {
        Verdict::Missing {
            why: match &token.workflow_repo {
                Some(own) => format!("a GITHUB_TOKEN writes only to its own repository, {own}"),
                None => "a GITHUB_TOKEN writes only to the repository of its workflow".into(),
            },
            fix: format!("use a fine-grained token or a GitHub App with Contents, Pull requests and Workflows: Read and write on {repo} (the `token` input, or `app_id` + `app_private_key`)"),
        }
    }
}

/// An App installation's level for `perm`, against `need` (`read` or `write`).
fn app_level(
    app: Option<&AppPermissions>,
    perm: &str,
    label: &str,
    need: &str,
    repo: &RepoName,
) -> Verdict {
    let Some(app) = app else {
        return Verdict::Unknown {
            why: format!("the installation's permissions were not listed: make sure it has {label}: {need} on {repo}"),
        };
    };
    let level = app.get(perm).map(String::as_str);
    let enough = match need {
        "write" => level == Some("write") || level == Some("admin"),
        _ => level.is_some(),
    };
    if enough {
        Verdict::Yes
    } else {
        Verdict::Missing {
            why: format!(
                "the installation has {label}: {}",
                level.unwrap_or("no access")
            ),
            fix: format!("give the GitHub App {label}: {} (App settings → Permissions & events), then accept the new permissions in {}'s installation", if need == "write" { "Read and write" } else { "Read-only" }, repo.owner()),
        }
    }
}

fn workflows_verdict(
    token: &TokenFacts,
    repo: &RepoName,
    meta: &RepoMeta,
    app: Option<&AppPermissions>,
) -> Verdict {
    if let Some(role) = meta.viewer_permission.filter(|r| !r.can_push()) {
        return role_missing(repo, role);
    }
    match token.kind {
        TokenKind::Classic if token.has_scope("workflow") => Verdict::Yes,
        TokenKind::Classic => Verdict::Missing {
            why: "the classic token has no `workflow` scope: GitHub refuses a sync that changes .github/workflows".into(),
            fix: "add the `workflow` scope to the classic token (Settings → Developer settings → Personal access tokens → Tokens (classic))".into(),
        },
        TokenKind::FineGrained => Verdict::Unknown {
            why: format!("GitHub does not show a fine-grained token's permissions: make sure it has Workflows: Read and write on {repo}"),
        },
        TokenKind::WorkflowToken => Verdict::Missing {
            why: "a GITHUB_TOKEN can never change .github/workflows".into(),
            fix: format!("use a fine-grained token or a GitHub App with Workflows: Read and write on {repo}"),
        },
        TokenKind::App | TokenKind::Installation => app_level(app, "workflows", "Workflows", "write", repo),
        TokenKind::Unknown => Verdict::Unknown {
            why: format!("the kind of token is unknown: make sure it may change workflows on {repo}"),
        },
    }
}

/// Dependabot alerts are read (for the security boost and top12's alert phase) when the
/// repository's `security_alerts` weight is not 0; the metadata batch says whether they could
/// be read (`vulnerabilityAlerts` answered, or `FORBIDDEN`).
fn dependabot(token: &TokenFacts, spec: &RepoSpec, meta: &RepoMeta) -> Verdict {
    let needed = spec.weights.security_alerts != 0;
    match (meta.security_alerts, needed) {
        (Some(n), true) => {
            let _ = n;
            Verdict::Yes
        }
        (Some(_), false) => Verdict::Info(Some("readable (not needed: weight 0)".into())),
        (None, false) => Verdict::Info(Some("unreadable (not needed: weight 0)".into())),
        (None, true) => Verdict::Missing {
            why: "GitHub refused to show its Dependabot alerts to this token".into(),
            fix: match token.kind {
                TokenKind::Classic => "add the `security_events` scope to the classic token (with `repo` for private repositories)".into(),
                TokenKind::FineGrained => format!("give the fine-grained token Dependabot alerts: Read-only on {}", spec.repo),
                TokenKind::App | TokenKind::Installation => format!("give the GitHub App Dependabot alerts: Read-only, then accept the new permissions in {}'s installation", spec.repo.owner()),
                TokenKind::WorkflowToken => "use a fine-grained token or a GitHub App with Dependabot alerts: Read-only (a GITHUB_TOKEN cannot read them)".into(),
                TokenKind::Unknown => format!("let the token read Dependabot alerts of {}", spec.repo),
            },
        },
    }
}

/// The upstream: found, and in the fork's network (an explicit upstream outside it cannot be
/// compared or fast-forwarded to).
fn upstream_verdicts(spec: &RepoSpec, meta: &RepoMeta) -> (Verdict, Verdict) {
    let Some((name, head)) = &meta.upstream else {
        let up = match &spec.upstream {
            Some(u) => Verdict::Missing {
                why: format!("upstream {} not found, or not visible to this token", u.repo),
                fix: format!(
                    "correct `upstream:` of {} in the inventory, or give the token read access to {}",
                    spec.repo, u.repo
                ),
            },
            None => Verdict::Missing {
                why: "not a fork, and the inventory names no upstream".into(),
                fix: format!(
                    "add `upstream: owner/name` to {} in the inventory",
                    spec.repo
                ),
            },
        };
        return (up, Verdict::Info(None));
    };
    let up = if head.is_none() {
        let branch = spec
            .upstream
            .as_ref()
            .and_then(|u| u.branch.as_deref())
            .unwrap_or("its default branch");
        Verdict::Missing {
            why: format!("{name} has no branch {branch}"),
            fix: format!(
                "correct the upstream branch of {} in the inventory",
                spec.repo
            ),
        }
    } else {
        Verdict::Yes
    };
    let network = match (spec.upstream.is_some(), meta.same_network) {
        (false, _) | (true, Some(true)) => Verdict::Yes,
        (true, Some(false)) => Verdict::Missing {
            why: format!("{name} is in another fork network: GitHub cannot compare or fast-forward across networks"),
            fix: format!(
                "set `upstream:` of {} to a repository of its own fork network (its parent, or a fork of the same root)",
                spec.repo
            ),
        },
        (true, None) => Verdict::Unknown {
            why: format!("could not tell whether {name} is in {}'s fork network (a chain of forks deeper than GraphQL's read)", spec.repo),
        },
    };
    (up, network)
}

fn auto_merge(wanted: bool, meta: &RepoMeta) -> Verdict {
    match (meta.auto_merge_allowed, wanted) {
        (Some(true), true) => Verdict::Yes,
        (Some(false), true) => Verdict::Missing {
            why: "the repository does not allow auto-merge".into(),
            fix: format!(
                "turn on \"Allow auto-merge\" in {}'s Settings → General → Pull Requests",
                meta.repo
            ),
        },
        (None, true) => Verdict::Unknown {
            why: "GitHub did not say whether auto-merge is allowed".into(),
        },
        (Some(a), false) => {
            Verdict::Info(Some(if a { "allowed" } else { "not allowed" }.to_string()))
        }
        (None, false) => Verdict::Info(None),
    }
}

/// One fix and the repositories that need it, in inventory order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub text: String,
    pub repos: Vec<RepoName>,
}

/// The fixes of all repositories, one per distinct text, in the order they first appear.
pub fn fixes(checks: &[RepoCheck]) -> Vec<Fix> {
    let mut out: Vec<Fix> = Vec::new();
    for c in checks {
        for (_, v) in &c.verdicts {
            if let Verdict::Missing { fix, .. } = v {
                match out.iter_mut().find(|f| &f.text == fix) {
                    Some(f) if !f.repos.contains(&c.repo) => f.repos.push(c.repo.clone()),
                    Some(_) => {}
                    None => out.push(Fix {
                        text: fix.clone(),
                        repos: vec![c.repo.clone()],
                    }),
                }
            }
        }
    }
    out
}

/// What the token's expiry means on `now` (both as GitHub writes them: `2026-01-08 07:00:00
/// UTC`): days left, or `None` when it cannot be read.
pub fn days_left(expiration: &str, now: chrono::DateTime<chrono::Utc>) -> Option<i64> {
    let at = chrono::NaiveDateTime::parse_from_str(
        expiration.trim().trim_end_matches("UTC").trim(),
        "%Y-%m-%d %H:%M:%S",
    )
    .ok()?
    .and_utc();
    Some((at - now).num_days())
}

/// A token expiring within this many days is a warning in the report.
pub const EXPIRY_WARNING_DAYS: i64 = 14;
