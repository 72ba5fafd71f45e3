//! The supported part of GitHub's GraphQL schema: each field's output type, which types are
//! leaves, and which fragment conditions apply to which concrete types. A field missing here
//! fails validation as GitHub's `undefinedField` (and is recorded as an unexpected route).

/// Output type of `ty.field` in the supported subset (named type; lists are implied by the
/// resolver). None = not supported.
pub(super) fn field_type(ty: &str, f: &str) -> Option<&'static str> {
    Some(match (ty, f) {
        ("Query", "repository") => "Repository",
        ("Query", "rateLimit") => "RateLimit",
        ("Query", "viewer") => "User",
        ("Mutation", "enablePullRequestAutoMerge") => "EnablePullRequestAutoMergePayload",
        ("EnablePullRequestAutoMergePayload", "pullRequest") => "PullRequest",
        ("EnablePullRequestAutoMergePayload", "actor") => "Actor",
        ("EnablePullRequestAutoMergePayload", "clientMutationId") => "String",
        ("AutoMergeRequest", "mergeMethod") => "PullRequestMergeMethod",
        ("AutoMergeRequest", "enabledAt") => "DateTime",
        ("AutoMergeRequest", "enabledBy") => "Actor",
        ("AutoMergeRequest", "pullRequest") => "PullRequest",
        ("AutoMergeRequest", "authorEmail" | "commitBody" | "commitHeadline") => "String",
        ("RateLimit", "cost" | "limit" | "remaining" | "used" | "nodeCount") => "Int",
        ("RateLimit", "resetAt") => "DateTime",
        ("Repository", "id") => "ID",
        ("Repository", "databaseId" | "forkCount" | "stargazerCount") => "Int",
        ("Repository", "name" | "nameWithOwner" | "description") => "String",
        (
            "Repository",
            "isArchived" | "isFork" | "isPrivate" | "isDisabled" | "isEmpty" | "hasIssuesEnabled"
            | "autoMergeAllowed",
        ) => "Boolean",
        ("Repository", "pushedAt" | "createdAt" | "updatedAt") => "DateTime",
        ("Repository", "url") => "URI",
        ("Repository", "visibility") => "RepositoryVisibility",
        ("Repository", "viewerPermission") => "RepositoryPermission",
        ("Repository", "owner") => "RepositoryOwner",
        ("Repository", "defaultBranchRef" | "ref") => "Ref",
        ("Repository", "parent") => "Repository",
        ("Repository", "object") => "GitObject",
        ("Repository", "pullRequests") => "PullRequestConnection",
        ("Repository", "pullRequest") => "PullRequest",
        ("Repository", "vulnerabilityAlerts") => "RepositoryVulnerabilityAlertConnection",
        ("Repository", "repositoryTopics") => "RepositoryTopicConnection",
        ("Repository", "refs") => "RefConnection",
        ("RefConnection", "totalCount") => "Int",
        ("RefConnection", "pageInfo") => "PageInfo",
        ("RefConnection", "nodes") => "Ref",
        ("Tag", "name") => "String",
        ("Tag", "message") => "String",
        ("Tag", "target") => "GitObject",
        ("User" | "Organization" | "RepositoryOwner", "login") => "String",
        ("User" | "Organization" | "RepositoryOwner", "id") => "ID",
        ("User" | "Organization" | "RepositoryOwner" | "Actor", "url" | "avatarUrl") => "URI",
        ("User" | "Organization", "databaseId") => "Int",
        ("Actor", "login") => "String",
        ("Ref", "id") => "ID",
        ("Ref", "name" | "prefix") => "String",
        ("Ref", "target") => "GitObject",
        ("Commit" | "Tree" | "Blob" | "Tag" | "GitObject", "oid") => "GitObjectID",
        ("Commit" | "Tree" | "Blob" | "Tag" | "GitObject", "abbreviatedOid") => "String",
        ("Commit" | "Tree" | "Blob" | "Tag" | "GitObject", "id") => "ID",
        ("Commit", "committedDate" | "authoredDate") => "DateTime",
        ("Commit", "message" | "messageHeadline") => "String",
        ("Commit", "url") => "URI",
        ("Commit", "history") => "CommitHistoryConnection",
        ("CommitHistoryConnection", "totalCount") => "Int",
        ("CommitHistoryConnection", "pageInfo") => "PageInfo",
        ("CommitHistoryConnection", "nodes") => "Commit",
        ("Tree", "entries") => "TreeEntry",
        ("TreeEntry", "name" | "path" | "type") => "String",
        ("TreeEntry", "mode") => "Int",
        ("TreeEntry", "oid") => "GitObjectID",
        ("Blob", "text") => "String",
        ("Blob", "byteSize") => "Int",
        ("Blob", "isBinary" | "isTruncated") => "Boolean",
        (
            "PullRequestConnection"
            | "LabelConnection"
            | "RepositoryVulnerabilityAlertConnection"
            | "RepositoryTopicConnection",
            "totalCount",
        ) => "Int",
        (
            "PullRequestConnection"
            | "LabelConnection"
            | "RepositoryVulnerabilityAlertConnection"
            | "RepositoryTopicConnection",
            "pageInfo",
        ) => "PageInfo",
        ("PullRequestConnection", "nodes") => "PullRequest",
        ("PullRequestConnection", "edges") => "PullRequestEdge",
        ("PullRequestEdge", "cursor") => "String",
        ("PullRequestEdge", "node") => "PullRequest",
        ("LabelConnection", "nodes") => "Label",
        ("RepositoryVulnerabilityAlertConnection", "nodes") => "RepositoryVulnerabilityAlert",
        ("RepositoryTopicConnection", "nodes") => "RepositoryTopic",
        ("PageInfo", "hasNextPage" | "hasPreviousPage") => "Boolean",
        ("PageInfo", "startCursor" | "endCursor") => "String",
        ("PullRequest", "id") => "ID",
        ("PullRequest", "number") => "Int",
        ("PullRequest", "url" | "permalink") => "URI",
        ("PullRequest", "title" | "body" | "headRefName" | "baseRefName") => "String",
        ("PullRequest", "state") => "PullRequestState",
        ("PullRequest", "headRefOid" | "baseRefOid") => "GitObjectID",
        ("PullRequest", "isDraft" | "closed" | "merged") => "Boolean",
        ("PullRequest", "createdAt" | "updatedAt" | "mergedAt" | "closedAt") => "DateTime",
        ("PullRequest", "autoMergeRequest") => "AutoMergeRequest",
        ("PullRequest", "author") => "Actor",
        ("PullRequest", "labels") => "LabelConnection",
        ("PullRequest", "headRepository" | "baseRepository") => "Repository",
        ("PullRequest", "mergeable") => "MergeableState",
        ("PullRequest", "mergeStateStatus") => "MergeStateStatus",
        ("Label", "id") => "ID",
        ("Label", "name" | "color" | "description") => "String",
        ("RepositoryVulnerabilityAlert", "id") => "ID",
        ("RepositoryVulnerabilityAlert", "number") => "Int",
        ("RepositoryVulnerabilityAlert", "state") => "RepositoryVulnerabilityAlertState",
        ("RepositoryVulnerabilityAlert", "createdAt") => "DateTime",
        ("RepositoryVulnerabilityAlert", "vulnerableManifestPath") => "String",
        ("RepositoryTopic", "id") => "ID",
        ("RepositoryTopic", "url") => "URI",
        ("RepositoryTopic", "topic") => "Topic",
        ("Topic", "id" | "name") => "String",
        _ => return None,
    })
}

/// Whether `ty.f` may be null (its type in GitHub's schema has no `!`). Every other field
/// of the supported subset is non-null: a null there (a field error) makes its parent null,
/// up to the nearest nullable field (GraphQL specification, "Handling Field Errors").
pub(super) fn nullable(ty: &str, f: &str) -> bool {
    matches!(
        (ty, f),
        ("Query", "repository" | "rateLimit")
            | (
                "Repository",
                "databaseId"
                    | "description"
                    | "pushedAt"
                    | "defaultBranchRef"
                    | "ref"
                    | "parent"
                    | "object"
                    | "pullRequest"
                    | "vulnerabilityAlerts"
                    // "null if authenticated as an GitHub App" (schema.graphql).
                    | "viewerPermission"
                    | "refs"
            )
            | ("Tag", "message")
            | ("User" | "Organization", "databaseId")
            | ("Ref", "target")
            | ("Tree", "entries")
            | ("TreeEntry", "path")
            | ("Blob", "text" | "isBinary")
            | (_, "nodes" | "edges")
            | ("PullRequestEdge", "node")
            | ("PageInfo", "startCursor" | "endCursor")
            | (
                "PullRequest",
                "author" | "labels" | "headRepository" | "baseRepository"
            )
            | ("PullRequest", "autoMergeRequest" | "mergedAt" | "closedAt")
            | ("Mutation", "enablePullRequestAutoMerge")
            | (
                "EnablePullRequestAutoMergePayload",
                "actor" | "clientMutationId" | "pullRequest"
            )
            | (
                "AutoMergeRequest",
                "authorEmail" | "commitBody" | "commitHeadline" | "enabledAt" | "enabledBy"
            )
            | ("Label", "description")
    )
}

/// Whether the items of list field `ty.f` may be null (`[X]`); `Tree.entries` is
/// `[TreeEntry!]`.
pub(super) fn nullable_items(ty: &str, f: &str) -> bool {
    !matches!((ty, f), ("Tree", "entries"))
}

pub(super) fn is_leaf(t: &str) -> bool {
    matches!(
        t,
        "Int"
            | "String"
            | "Boolean"
            | "ID"
            | "URI"
            | "DateTime"
            | "GitObjectID"
            | "RepositoryVisibility"
            | "RepositoryPermission"
            | "PullRequestState"
            | "MergeableState"
            | "MergeStateStatus"
            | "PullRequestMergeMethod"
            | "RepositoryVulnerabilityAlertState"
    )
}

/// Does a fragment on `cond` apply to an object of concrete type `concrete`?
pub(super) fn applies(cond: &str, concrete: &str) -> bool {
    cond == concrete
        || matches!(
            (cond, concrete),
            ("Node", _)
                | (
                    "RepositoryOwner" | "Actor" | "UniformResourceLocatable",
                    "User" | "Organization"
                )
                | ("GitObject", "Commit" | "Tree" | "Blob" | "Tag")
                | (
                    "UniformResourceLocatable",
                    "Commit" | "Repository" | "PullRequest"
                )
                | ("RepositoryInfo", "Repository")
        )
}

/// Types a fragment condition on `cond` may narrow to when the parent is `parent`.
pub(super) fn possible(parent: &str) -> &'static [&'static str] {
    match parent {
        "RepositoryOwner" => &["User", "Organization"],
        "Actor" => &["User", "Organization"],
        "GitObject" => &["Commit", "Tree", "Blob", "Tag"],
        _ => &[],
    }
}

/// The type whose fields a selection under a field of type `t` selects.
pub(super) fn t_for_children(t: &str) -> &str {
    t
}
