//! Tags as GitHub serves them: `Repository.refs(refPrefix: "refs/tags/")` lists a
//! repository's tags with their targets (a `Commit` for a lightweight tag, a `Tag` object
//! for an annotated one, schema.graphql `Ref.target: GitObject!`, `Tag.target`), ordered
//! by name or by the commit they point at (`RefOrderField.TAG_COMMIT_DATE`); `POST
//! …/git/refs` creates `refs/tags/…` in a fork at the upstream's tag object, which keeps the
//! tag annotated (docs.github.com, REST "Create a tag object": "create the tag object, and
//! then create the refs/tags/[tag] reference"), and a new tag object reaches the fork late
//! like a new commit (404 until it has).

mod common;

use std::time::Duration;

use common::{small, start, Client};
use github_sandbox::{Behaviour, SandboxConfig};
use serde_json::json;

const FORK: &str = "heyns1000/omnigrid";
const UPSTREAM: &str = "omnigrid-labs/omnigrid";

const TAGS: &str = r#"query Tags($o: String!, $n: String!, $after: String) {
  repository(owner: $o, name: $n) {
    tags: refs(refPrefix: "refs/tags/", first: 2, after: $after, orderBy: {field: TAG_COMMIT_DATE, direction: DESC}) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { name target { __typename oid ... on Tag { name message target { __typename oid } } } }
    }
  }
}"#;

#[test]
fn tags_are_listed_with_their_objects_and_created_in_forks_at_the_same_object() {
    let cfg = SandboxConfig {
        behaviour: Behaviour {
            propagation_ms: 0,
            ..Behaviour::default()
        },
        ..small(20)
    };
    let sb = start("tags_listed", cfg, true);
    let c = Client::for_sb(&sb);
    let head = sb.branch_sha(UPSTREAM, "main").unwrap();
    let light = sb.push_tag(UPSTREAM, "v1.0", &head, None).unwrap();
    assert_eq!(light, head, "a lightweight tag's ref is the commit");
    let annotated = sb
        .push_tag(UPSTREAM, "v1.1", &head, Some("Release 1.1"))
        .unwrap();
    assert_ne!(annotated, head);
    assert!(sb.is_tag_object(UPSTREAM, &annotated));
    sb.push_tag(UPSTREAM, "v0.9", &head, None).unwrap();
    assert!(
        sb.push_tag(UPSTREAM, "v1.0", &head, None).is_none(),
        "exists"
    );

    let (o, n) = UPSTREAM.split_once('/').unwrap();
    let r = c.graphql(&sb.graphql_url(), TAGS, json!({"o": o, "n": n}));
    assert_eq!(r.status, 200, "{}", r.json);
    let tags = &r.json["data"]["repository"]["tags"];
    assert_eq!(tags["totalCount"], 3);
    assert_eq!(tags["pageInfo"]["hasNextPage"], true);
    let nodes = tags["nodes"].as_array().unwrap();
    // Same commit date: by name, descending.
    assert_eq!(nodes[0]["name"], "v1.1");
    assert_eq!(nodes[0]["target"]["__typename"], "Tag");
    assert_eq!(nodes[0]["target"]["oid"], annotated.as_str());
    assert_eq!(nodes[0]["target"]["message"], "Release 1.1");
    assert_eq!(nodes[0]["target"]["target"]["__typename"], "Commit");
    assert_eq!(nodes[0]["target"]["target"]["oid"], head.as_str());
    assert_eq!(nodes[1]["name"], "v1.0");
    assert_eq!(nodes[1]["target"]["__typename"], "Commit");
    let after = tags["pageInfo"]["endCursor"].as_str().unwrap();
    let r2 = c.graphql(
        &sb.graphql_url(),
        TAGS,
        json!({"o": o, "n": n, "after": after}),
    );
    let rest = &r2.json["data"]["repository"]["tags"];
    assert_eq!(rest["nodes"][0]["name"], "v0.9");
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);

    // The fork gets the annotated tag at the same tag object: still annotated.
    let made = c.post(
        &format!("/repos/{FORK}/git/refs"),
        json!({"ref": "refs/tags/v1.1", "sha": annotated}),
    );
    assert_eq!(made.status, 201, "{}", made.json);
    assert_eq!(made.json["object"]["type"], "tag");
    assert_eq!(
        sb.tag_sha(FORK, "v1.1").as_deref(),
        Some(annotated.as_str())
    );
    assert!(sb.is_tag_object(FORK, &annotated));
    // Creating it again: "Reference already exists" (422), nothing moved.
    let again = c.post(
        &format!("/repos/{FORK}/git/refs"),
        json!({"ref": "refs/tags/v1.1", "sha": head}),
    );
    assert_eq!(again.status, 422);
    assert_eq!(again.json["message"], "Reference already exists");
    assert_eq!(
        sb.tag_sha(FORK, "v1.1").as_deref(),
        Some(annotated.as_str())
    );
    // A branch cannot point at a tag object.
    let branch = c.post(
        &format!("/repos/{FORK}/git/refs"),
        json!({"ref": "refs/heads/x", "sha": annotated}),
    );
    assert_eq!(branch.status, 422);
}

/// Like a new commit (cli/cli#4907), a new tag object made upstream is not usable in the fork
/// at once: the ref write answers 404 until it has propagated (`Behaviour::propagation_ms`).
#[test]
fn a_new_tag_object_reaches_the_fork_late() {
    let sb = start("tags_late", small(20), false);
    let c = Client::for_sb(&sb);
    let head = sb.branch_sha(UPSTREAM, "main").unwrap();
    let annotated = sb.push_tag(UPSTREAM, "v2.0", &head, Some("2.0")).unwrap();
    let early = c.post(
        &format!("/repos/{FORK}/git/refs"),
        json!({"ref": "refs/tags/v2.0", "sha": annotated}),
    );
    assert_eq!(early.status, 404);
    std::thread::sleep(Duration::from_millis(sb.behaviour().propagation_ms + 100));
    let later = c.post(
        &format!("/repos/{FORK}/git/refs"),
        json!({"ref": "refs/tags/v2.0", "sha": annotated}),
    );
    assert_eq!(later.status, 201, "{}", later.json);
}
