//! Renamed repositories (issue 12, item 6), modelled on the recorded exchanges of
//! octokit/fixtures `rename-repository` (api.github.com, 2022-07-19; committed under
//! `recordings/octokit-fixtures/`): a GET under the old name answers **301**, a PATCH **307**,
//! both with `Location: {api}/repositories/{id}` and the body `{"message": "Moved
//! Permanently", "url": <location>, "documentation_url":
//! "https://docs.github.com/v3/#http-redirects"}`, charged like any request; repeating the
//! request at `Location` succeeds. GraphQL resolves the old name to the renamed repository
//! (`Query.repository(followRenames: Boolean = true)` in GitHub's schema).
//!
//! These exchanges are off GitHub's REST description (it documents 301 on a few operations
//! only, and no `/repositories/{id}` path): they log under `off-description/`, where
//! `documented-exchanges.py` sets them aside by name.

mod common;

use common::{small, start, Client};
use github_sandbox::server::moved::REDIRECT_DOCS;
use github_sandbox::{Behaviour, Sandbox, SandboxConfig};
use serde_json::json;

fn renamed(name: &str, renames: &[(&str, &str)], behaviour: Behaviour) -> github_sandbox::Sandbox {
    start(
        name,
        SandboxConfig {
            renames: renames
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            behaviour,
            ..small(12)
        },
        false,
    )
}

fn remaining(a: &common::Answer) -> u64 {
    a.header("x-ratelimit-remaining")
        .expect("rate-limit headers on every REST answer")
        .parse()
        .unwrap()
}

#[test]
fn a_renamed_repository_redirects_its_old_name() {
    let sb = renamed(
        "renames_redirect",
        &[("heyns1000/omnigrid", "omnigrid-next")],
        Behaviour::default(),
    );
    let c = Client::for_sb(&sb);
    let new = c.get("/repos/heyns1000/omnigrid-next");
    assert_eq!(new.status, 200);
    assert_eq!(new.json["full_name"], "heyns1000/omnigrid-next");
    let id = new.json["id"].as_u64().unwrap();
    let by_id = format!("{}/repositories/{id}", sb.api_url());

    // GET under the old name: 301, the recorded body, charged, no etag.
    let moved = c.get("/repos/heyns1000/omnigrid");
    assert_eq!(moved.status, 301);
    assert_eq!(moved.header("location"), Some(by_id.as_str()));
    assert_eq!(
        moved.json,
        json!({"message": "Moved Permanently", "url": by_id, "documentation_url": REDIRECT_DOCS})
    );
    assert!(moved.header("etag").is_none());
    let followed = c.get(&by_id);
    assert_eq!(followed.status, 200);
    assert_eq!(followed.json["full_name"], "heyns1000/omnigrid-next");
    assert_eq!(
        remaining(&followed),
        remaining(&moved) - 1,
        "the redirect is charged"
    );

    // Deeper paths keep their rest and their query in `Location`.
    let cmp = c.get("/repos/heyns1000/omnigrid/compare/main...omnigrid-labs:main?per_page=1");
    assert_eq!(cmp.status, 301);
    let loc = cmp.header("location").unwrap().to_string();
    assert_eq!(
        loc,
        format!("{by_id}/compare/main...omnigrid-labs:main?per_page=1")
    );
    let cmp = c.get(&loc);
    assert_eq!(cmp.status, 200);
    assert_eq!(cmp.json["ahead_by"], 3);

    // Any other method: 307 with the same body, nothing changed until it is repeated there.
    let before = sb.branch_sha("heyns1000/omnigrid-next", "main").unwrap();
    let target = sb.branch_sha("omnigrid-labs/omnigrid", "main").unwrap();
    let body = json!({"sha": target, "force": false});
    let put = c.patch(
        "/repos/heyns1000/omnigrid/git/refs/heads/main",
        body.clone(),
    );
    assert_eq!(put.status, 307);
    let loc = put.header("location").unwrap().to_string();
    assert_eq!(loc, format!("{by_id}/git/refs/heads/main"));
    assert_eq!(put.json["message"], "Moved Permanently");
    assert_eq!(put.json["url"], loc.as_str());
    assert_eq!(
        sb.branch_sha("heyns1000/omnigrid-next", "main").unwrap(),
        before
    );
    let put = c.patch(&loc, body);
    assert_eq!(put.status, 200, "{}", put.json);
    assert_eq!(put.json["object"]["sha"], target.as_str());
    assert_eq!(
        sb.branch_sha("heyns1000/omnigrid-next", "main").unwrap(),
        target
    );
    let pr = c.post(
        "/repos/heyns1000/omnigrid/pulls",
        json!({"title": "t", "head": "omnigrid-labs:main", "base": "main"}),
    );
    assert_eq!(pr.status, 307);

    // An id no repository has: GitHub's 404, not an unexpected route.
    assert_eq!(c.get("/repositories/999999999").status, 404);
    sb.assert_no_unexpected_routes();
}

#[test]
fn graphql_follows_renames_unless_asked_not_to() {
    let sb = renamed(
        "renames_graphql",
        &[("heyns1000/hotstack", "hotstack-2")],
        Behaviour::default(),
    );
    let c = Client::for_sb(&sb);
    let q = "query($follow: Boolean = true) { repository(owner: \"heyns1000\", name: \"hotstack\", followRenames: $follow) { nameWithOwner } }";
    let g = c.graphql(&sb.graphql_url(), q, json!({}));
    assert_eq!(
        g.json["data"]["repository"]["nameWithOwner"],
        "heyns1000/hotstack-2"
    );
    let g = c.graphql(&sb.graphql_url(), q, json!({"follow": false}));
    assert_eq!(g.json["errors"][0]["type"], "NOT_FOUND", "{}", g.json);
    sb.assert_no_unexpected_routes();
}

#[test]
fn the_kind_setting_serves_old_names_and_the_library_renames() {
    let sb = renamed(
        "renames_kind",
        &[],
        Behaviour {
            redirect_renamed: false,
            ..Behaviour::default()
        },
    );
    let c = Client::for_sb(&sb);
    assert!(sb.rename("heyns1000/vaultmesh", "vaultmesh-2").is_ok());
    let old = c.get("/repos/heyns1000/vaultmesh");
    assert_eq!(old.status, 200);
    assert_eq!(old.json["full_name"], "heyns1000/vaultmesh-2");
    // The library takes either name; a taken or malformed name, or an unknown repository, errs.
    assert_eq!(
        sb.branch_sha("heyns1000/vaultmesh", "main"),
        sb.branch_sha("heyns1000/vaultmesh-2", "main")
    );
    assert!(sb
        .rename("heyns1000/vaultmesh-2", "heyns1000/codenest")
        .is_err());
    assert!(sb.rename("heyns1000/no-such-repo", "x").is_err());
    assert!(sb.rename("heyns1000/vaultmesh-2", "a/b/c").is_err());
    // A transfer moves the owner too.
    assert!(sb
        .rename("heyns1000/vaultmesh-2", "new-owner/vaultmesh")
        .is_ok());
    assert_eq!(
        c.get("/repos/heyns1000/vaultmesh").json["full_name"],
        "new-owner/vaultmesh"
    );
    sb.assert_no_unexpected_routes();
}

#[test]
fn a_start_with_a_bad_rename_says_why() {
    let err = match Sandbox::start(SandboxConfig {
        renames: vec![("nobody/nothing".into(), "x".into())],
        ..small(12)
    }) {
        Ok(_) => panic!("a rename of an unknown repository must fail the start"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("nobody/nothing"), "{err}");
}

/// `serve --rename OLD=NEW --compare-fail-over N`: the served sandbox redirects the old name
/// and refuses large compares; a malformed `--rename` exits 2 and says what it expects.
#[test]
fn serve_flags_rename_and_size_compares() {
    use std::io::BufRead as _;
    let bin = env!("CARGO_BIN_EXE_github-sandbox");
    let bad = std::process::Command::new(bin)
        .args(["serve", "--repos", "12", "--rename", "omnigrid"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("expected OLD=NEW"));

    let mut child = std::process::Command::new(bin)
        .args([
            "serve",
            "--repos",
            "12",
            "--now",
            "2026-01-01T07:00:00Z",
            "--rename",
            "heyns1000/omnigrid=omnigrid-next",
            "--compare-fail-over",
            "20",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info: serde_json::Value = serde_json::from_str(&line).unwrap();
    let c = Client::new(
        info["api_url"].as_str().unwrap(),
        info["token"].as_str().unwrap(),
    );
    let moved = c.get("/repos/heyns1000/omnigrid");
    let big = c.get("/repos/heyns1000/hotstack/compare/main...omnigrid-labs:main");
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(moved.status, 301);
    assert!(moved.header("location").unwrap().contains("/repositories/"));
    assert_eq!(big.status, 500);
    assert_eq!(big.json["errors"][0]["code"], "not_available");
}
