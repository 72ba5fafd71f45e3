//! Who may write where. A refused write is that repository's failure, naming the permission to
//! add; the token is taken for one that cannot write at all only on evidence about the token:
//! what GitHub said about it before any write (an App installation's permissions, the user's
//! role per repository), or refusals of its access on several repositories, across owners,
//! while nothing was written. One refusal never silences the fleet.
//!
//! The decisions here are pure: which refusals speak about the token ([`speaks_for_token`]),
//! what a refusal asks the user to do ([`refusal_fix`]) and when refusals add up to a token
//! that cannot write ([`token_cannot_write`]).

use std::collections::BTreeSet;

use crate::repo_name::RepoName;

/// How many repositories' refusals it takes, at most, to say the token cannot write (fewer when
/// fewer repositories need a write).
pub(super) const REFUSALS_FOR_READ_ONLY: usize = 3;

/// Whether a 403's message says the credentials lack access, which repeated across the fleet
/// is evidence about the token. An archived repository, a single sign-on requirement or an
/// Actions setting on pull requests speaks about one repository or one kind of write only.
pub(super) fn speaks_for_token(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("resource not accessible by")
        || m.contains("must have push access")
        || (m.contains("permission to") && m.contains("denied"))
}

/// What to do about a refused write to `repo`, from GitHub's message.
pub(super) fn refusal_fix(message: &str, repo: &RepoName) -> String {
    let m = message.to_ascii_lowercase();
    if m.contains("archived") {
        format!(
            "{repo} is archived, so it is read-only: unarchive it, or remove it from the inventory"
        )
    } else if m.contains("saml") || m.contains("single sign-on") {
        format!(
            "the organisation `{}` enforces SAML single sign-on: authorize the token for it (Settings → Tokens → Configure SSO)",
            repo.owner()
        )
    } else if m.contains("not permitted to create or approve pull requests") {
        format!(
            "allow GitHub Actions to create pull requests in `{}` (Settings → Actions → General → Workflow permissions), or use a token of your own",
            repo.owner()
        )
    } else if m.contains("by integration") {
        format!(
            "give the GitHub App's installation (or GITHUB_TOKEN's `permissions:`) Contents: read and write and Pull requests: read and write on {repo}"
        )
    } else {
        format!(
            "give the token Contents: read and write and Pull requests: read and write on {repo} (a classic token: the `repo` scope and write access to it)"
        )
    }
}

/// Whether refusals of the token's access on the repositories in `refused` say the token
/// cannot write at all: nothing was written in this run, several repositories refused (three,
/// or every one that needed a write when fewer did, and never fewer than two), and they span
/// two owners when the writes planned do.
pub(super) fn token_cannot_write(
    refused: &BTreeSet<RepoName>,
    wrote: bool,
    planned_writes: usize,
    planned_owners: usize,
) -> bool {
    let owners: BTreeSet<String> = refused
        .iter()
        .map(|r| r.owner().to_ascii_lowercase())
        .collect();
    let enough = REFUSALS_FOR_READ_ONLY.min(planned_writes).max(2);
    !wrote && refused.len() >= enough && owners.len() >= planned_owners.clamp(1, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(names: &[&str]) -> BTreeSet<RepoName> {
        names.iter().map(|n| n.parse().unwrap()).collect()
    }

    #[test]
    fn one_refusal_is_never_the_token() {
        let one = set(&["a/x"]);
        assert!(!token_cannot_write(&one, false, 60, 2));
        assert!(
            !token_cannot_write(&one, false, 1, 1),
            "even when it is the only write"
        );
    }

    #[test]
    fn refusals_across_repositories_and_owners_are() {
        // Three repositories of one owner, while the fleet has two: an owner's policy, not
        // the token.
        let one_owner = set(&["a/x", "a/y", "a/z"]);
        assert!(!token_cannot_write(&one_owner, false, 60, 2));
        // ... unless the fleet has only that owner.
        assert!(token_cannot_write(&one_owner, false, 60, 1));
        let two_owners = set(&["a/x", "a/y", "b/z"]);
        assert!(token_cannot_write(&two_owners, false, 60, 2));
        assert!(token_cannot_write(&two_owners, false, 60, 5));
        // A write went through in this run: the token can write; these are per repository.
        assert!(!token_cannot_write(&two_owners, true, 60, 2));
        // Fewer repositories need a write: all of them (at least two) refusing is enough.
        assert!(token_cannot_write(&set(&["a/x", "b/y"]), false, 2, 2));
        assert!(!token_cannot_write(&set(&["a/x", "b/y"]), false, 60, 2));
    }

    #[test]
    fn only_access_refusals_speak_for_the_token() {
        // GitHub's wordings (recorded for fine-grained tokens; the App's wording is its twin).
        assert!(speaks_for_token("Resource not accessible by integration"));
        assert!(speaks_for_token(
            "Resource not accessible by personal access token"
        ));
        assert!(speaks_for_token("Must have push access to repository"));
        assert!(!speaks_for_token(
            "Repository was archived so is read-only."
        ));
        assert!(!speaks_for_token(
            "Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization."
        ));
        assert!(!speaks_for_token(
            "GitHub Actions is not permitted to create or approve pull requests."
        ));
    }

    #[test]
    fn each_refusal_names_what_to_add() {
        let repo: RepoName = "acme/app".parse().unwrap();
        let app = refusal_fix("Resource not accessible by integration", &repo);
        assert!(
            app.contains("Contents: read and write") && app.contains("acme/app"),
            "{app}"
        );
        let pat = refusal_fix("Resource not accessible by personal access token", &repo);
        assert!(pat.contains("`repo` scope"), "{pat}");
        let archived = refusal_fix("Repository was archived so is read-only.", &repo);
        assert!(archived.contains("unarchive"), "{archived}");
        let sso = refusal_fix(
            "Resource protected by organization SAML enforcement.",
            &repo,
        );
        assert!(sso.contains("authorize the token"), "{sso}");
        let actions = refusal_fix(
            "GitHub Actions is not permitted to create or approve pull requests.",
            &repo,
        );
        assert!(actions.contains("Workflow permissions"), "{actions}");
    }
}
