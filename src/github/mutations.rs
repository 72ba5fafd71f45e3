//! GraphQL mutations on the wire: `enablePullRequestAutoMerge` (document in
//! `graphql/enable_auto_merge.graphql`), posted as a write (paced, counted against GitHub's
//! content-creation limits like a REST write), and its answer read as what GitHub decided.

use http::Method;
use serde_json::{json, Value};

use super::client::Client;
use super::transport::Kind;
use super::{AutoMergeAnswer, GhError};
use crate::config::MergeMethod;
use crate::repo_name::RepoName;

/// The `enablePullRequestAutoMerge` document.
pub const ENABLE_AUTO_MERGE: &str = include_str!("graphql/enable_auto_merge.graphql");

/// See [`super::GitHub::enable_auto_merge`].
pub(super) async fn enable_auto_merge(
    c: &Client,
    repo: &RepoName,
    pull_id: &str,
    method: MergeMethod,
) -> Result<AutoMergeAnswer, GhError> {
    let token = c.token_for(repo).await?;
    let body = json!({
        "query": ENABLE_AUTO_MERGE,
        "variables": {"pullRequestId": pull_id, "mergeMethod": method.graphql()},
    });
    let a = c
        .transport
        .send(
            Method::POST,
            &c.endpoints.graphql,
            Some(&body),
            Kind::Write,
            &token,
        )
        .await?;
    if !a.status.is_success() {
        return Err(a.error());
    }
    auto_merge_answer(&a.body)
}

/// What GitHub decided: auto-merge on; the repository does not allow it (GitHub's message,
/// e.g. `Auto merge is not allowed for this repository`, which `gh` shows as `GraphQL: Auto
/// merge is not allowed for this repository (enablePullRequestAutoMerge)`); or another
/// refusal (`Pull request Pull request is in clean status` when there is nothing left to wait
/// for, a permission, a closed pull request), with GitHub's message.
pub fn auto_merge_answer(body: &Value) -> Result<AutoMergeAnswer, GhError> {
    let data = &body["data"]["enablePullRequestAutoMerge"];
    if data.is_object() {
        return Ok(AutoMergeAnswer::Enabled);
    }
    let Some(first) = body["errors"].as_array().and_then(|e| e.first()) else {
        return Err(GhError::Decode(
            "enablePullRequestAutoMerge: neither data nor errors in GitHub's answer".into(),
        ));
    };
    let message = super::graphql::error_message(first);
    let lower = message.to_ascii_lowercase();
    if lower.contains("auto merge is not allowed") || lower.contains("auto-merge is not allowed") {
        return Ok(AutoMergeAnswer::NotAllowed(message));
    }
    Ok(AutoMergeAnswer::Refused(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(message: &str) -> Value {
        json!({"data": {"enablePullRequestAutoMerge": null}, "errors": [{
            "type": "UNPROCESSABLE", "path": ["enablePullRequestAutoMerge"],
            "locations": [{"line": 2, "column": 3}], "message": message}]})
    }

    #[test]
    fn github_s_answers_read_as_what_it_decided() {
        let on = json!({"data": {"enablePullRequestAutoMerge": {"pullRequest": {
            "number": 4, "autoMergeRequest": {"mergeMethod": "MERGE"}}}}});
        assert_eq!(auto_merge_answer(&on).unwrap(), AutoMergeAnswer::Enabled);
        // The wording `gh` shows from api.github.com (indexable-inc/index#2948, 2026).
        let m = "Auto merge is not allowed for this repository";
        assert_eq!(
            auto_merge_answer(&refusal(m)).unwrap(),
            AutoMergeAnswer::NotAllowed(m.into())
        );
        // Recorded from api.github.com (BeWe11/workshop-uncool-mlops; rjwalters/loom#3379).
        let m = "Pull request Pull request is in clean status";
        assert_eq!(
            auto_merge_answer(&refusal(m)).unwrap(),
            AutoMergeAnswer::Refused(m.into())
        );
        assert!(auto_merge_answer(&json!({"data": null})).is_err());
    }

    #[test]
    fn the_document_asks_for_the_method_and_names_the_pull_request_by_id() {
        assert!(ENABLE_AUTO_MERGE.contains("mutation EnableAutoMerge($pullRequestId: ID!"));
        assert!(ENABLE_AUTO_MERGE.contains("mergeMethod: $mergeMethod"));
    }
}
