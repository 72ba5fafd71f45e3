//! GitHub behaviour settings (`SandboxConfig::behaviour`): each takes effect where its
//! behaviour happens. Their defaults are GitHub's documented values (cited in
//! `src/behaviour.rs`), which the other suites assert: files over 1 MB and REST pagination in
//! `rest.rs`, GraphQL pagination in `graphql.rs`.

mod common;

use common::{small, start, Client};
use github_sandbox::{Behaviour, SandboxConfig};
use serde_json::json;

#[test]
fn defaults_are_github_and_the_sandbox_reports_its_settings() {
    let sb = start("behaviour_defaults", small(12), true);
    assert_eq!(sb.behaviour(), &Behaviour::default());
    assert_eq!(
        sb.behaviour().contents_inline_max,
        github_sandbox::rest::CONTENTS_INLINE_MAX
    );
}

#[test]
fn settings_take_effect_in_rest_and_graphql() {
    let behaviour = Behaviour {
        contents_inline_max: 8,
        compare_commits_per_page: 2,
        compare_files_max: 1,
        list_per_page_default: 2,
        list_per_page_max: 3,
        graphql_page_max: 1,
        ..Behaviour::default()
    };
    let sb = start(
        "behaviour_settings",
        SandboxConfig {
            behaviour: behaviour.clone(),
            ..small(12)
        },
        true,
    );
    assert_eq!(sb.behaviour(), &behaviour);
    let c = Client::for_sb(&sb);

    // Contents: LICENSE ("MIT License\n", 12 bytes) is over 8 bytes: no bytes inline.
    let f = c.get("/repos/heyns1000/omnigrid/contents/LICENSE");
    assert_eq!(f.status, 200);
    assert_eq!(
        (f.json["size"].clone(), f.json["content"].clone()),
        (json!(12), json!(""))
    );
    assert_eq!(f.json["encoding"], "none");

    // Lists: 4 default labels, 2 a page by default, `per_page` capped at 3.
    let l = c.get("/repos/heyns1000/omnigrid/labels");
    assert_eq!(l.json.as_array().unwrap().len(), 2);
    assert!(l.header("link").unwrap().contains("page=2>; rel=\"last\""));
    let l = c.get("/repos/heyns1000/omnigrid/labels?per_page=50");
    assert_eq!(l.json.as_array().unwrap().len(), 3);

    // Compare: hotstack is 25 commits behind, over 3 files; 2 commits a page, 1 file listed.
    let cmp = c.get("/repos/heyns1000/hotstack/compare/main...omnigrid-labs:hotstack:main");
    assert_eq!(cmp.status, 200);
    assert_eq!(cmp.json["ahead_by"], 25);
    assert_eq!(cmp.json["commits"].as_array().unwrap().len(), 2);
    assert_eq!(cmp.json["files"].as_array().unwrap().len(), 1);
    assert!(cmp.header("link").unwrap().contains("rel=\"next\""));

    // GraphQL: a page of 2 records is more than the 1 allowed.
    let q = "query { repository(owner: \"heyns1000\", name: \"omnigrid\") { repositoryTopics(first: 2) { totalCount } } }";
    let g = c.graphql(&sb.graphql_url(), q, json!({}));
    assert_eq!(g.json["errors"][0]["type"], "EXCESSIVE_PAGINATION");
    assert!(g.json["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("exceeds the `first` limit of 1 records"));
    sb.assert_no_unexpected_routes();
}
