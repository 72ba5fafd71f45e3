use super::*;

fn parse(text: &str) -> Result<Inventory, ConfigError> {
    parse_inventory(text, "inv.yml")
}

fn problems(text: &str) -> Vec<Problem> {
    parse(text).expect_err("expected an error").problems
}

fn only(text: &str) -> Problem {
    let mut p = problems(text);
    assert_eq!(p.len(), 1, "{p:#?}");
    p.remove(0)
}

#[test]
fn minimal_inventory_gets_the_source_defaults() {
    let inv = parse("top:\n  - heyns1000/omnigrid\nrepositories:\n  - heyns1000/learning-mesh\n")
        .unwrap();
    assert_eq!(inv.top.len(), 1);
    assert_eq!(
        inv.repositories[0].repo.to_string(),
        "heyns1000/learning-mesh"
    );
    let w = inv.weights;
    assert_eq!(
        (
            w.commits_behind,
            w.days_since_last_sync,
            w.open_prs,
            w.security_alerts,
            w.connected,
            w.has_workflows,
            w.stale,
            w.new_prs
        ),
        (10, 5, 3, 50, 20, 10, 50, 10)
    );
    assert_eq!(inv.rules.pr_over_commits, 10);
    assert_eq!(inv.rules.stale_after_days, 30);
    assert_eq!(inv.rules.urgent_over_commits, 50);
    assert_eq!((inv.batches.urgent, inv.batches.all_urgent), (10, 20));
    assert_eq!(inv.schedules.get("0 */2 * * *"), Some(&Mode::Top12));
    assert_eq!(inv.schedules.get("0 */6 * * *"), Some(&Mode::Urgent));
    assert_eq!(inv.schedules.get("0 2 * * 0"), Some(&Mode::All));
    assert_eq!(inv.artifacts.dir, "audit");
    assert!(inv.artifacts.commit);
    assert_eq!(inv.pull_requests.branch_prefix, "priority-sync/");
    assert_eq!(inv.limits.writes_per_minute, 60);
    assert_eq!(inv.limits.writes_per_hour, 450);
}

#[test]
fn the_sources_json_shape_loads() {
    let json =
        r#"{"repositories": ["heyns1000/omnigrid", {"repo": "heyns1000/zoho", "branch": "dev"}]}"#;
    let inv = parse(json).unwrap();
    assert!(inv.top.is_empty());
    assert_eq!(inv.repositories.len(), 2);
    assert_eq!(inv.repositories[1].branch.as_deref(), Some("dev"));
}

#[test]
fn per_repo_settings_and_weight_overrides() {
    let inv = parse(
        "repositories:\n  - repo: a/b\n    upstream: up/b:release\n    connected: true\n    weights:\n      commits_behind: 20\nweights:\n  open_prs: 4\n",
    )
    .unwrap();
    let s = &inv.repositories[0];
    assert_eq!(s.upstream.as_ref().unwrap().repo.to_string(), "up/b");
    assert_eq!(
        s.upstream.as_ref().unwrap().branch.as_deref(),
        Some("release")
    );
    assert_eq!(s.connected, Some(true));
    assert_eq!(s.weights.commits_behind, 20);
    // Global overrides still apply to fields the repository does not override.
    assert_eq!(s.weights.open_prs, 4);
    assert_eq!(inv.weights.commits_behind, 10);
}

#[test]
fn unknown_top_level_key_suggests_the_right_one() {
    let p = only("top:\n  - a/b\nrepositoies:\n  - c/d\n");
    assert_eq!(p.line, Some(3));
    assert_eq!(p.message, "unknown key `repositoies`");
    assert_eq!(p.hint.as_deref(), Some("did you mean `repositories`?"));
}

#[test]
fn unknown_key_in_a_repository_entry() {
    let p = only("repositories:\n  - repo: a/b\n    brnach: dev\n");
    assert_eq!(p.path, "repositories[0].brnach");
    assert_eq!(p.line, Some(3));
    assert!(p.hint.unwrap().starts_with("did you mean `branch`?"));
}

#[test]
fn unknown_key_in_a_section() {
    let p = only("repositories: [a/b]\nweights:\n  comits_behind: 3\n");
    assert_eq!(p.path, "weights.comits_behind");
    assert_eq!(p.line, Some(3));
    assert!(p.hint.unwrap().contains("`commits_behind`"));
}

#[test]
fn malformed_names_are_reported_with_a_fix() {
    let p = only("repositories:\n  - omnigrid\n");
    assert_eq!(p.line, Some(2));
    assert!(p.message.contains("owner/name"), "{}", p.message);
    assert_eq!(p.hint.as_deref(), Some("write the full name, `owner/name`"));
    let p = only("repositories:\n  - repo: ../etc/passwd\n");
    assert_eq!(p.path, "repositories[0].repo");
}

#[test]
fn duplicates_name_the_first_listing() {
    let p = only("top:\n  - a/b\nrepositories:\n  - c/d\n  - A/B\n");
    assert_eq!(p.path, "repositories[1]");
    assert_eq!(p.line, Some(5));
    assert!(p.message.contains("top[0] (line 2)"), "{}", p.message);
    assert!(p.hint.unwrap().contains("remove it from `repositories`"));
    let p = only("repositories:\n  - c/d\n  - c/d\n");
    assert_eq!(p.hint.as_deref(), Some("list each repository once"));
}

#[test]
fn bad_weights() {
    let p = only("repositories: [a/b]\nweights:\n  open_prs: -3\n");
    assert_eq!(p.path, "weights.open_prs");
    assert!(p.message.contains("-3"));
    let p = only("repositories: [a/b]\nweights:\n  open_prs: lots\n");
    assert_eq!(p.path, "weights.open_prs");
    assert_eq!(p.hint.as_deref(), Some("write a whole number"));
    let p = only("repositories:\n  - repo: a/b\n    weights: {security_alerts: 5000000}\n");
    assert_eq!(p.path, "repositories[0].weights.security_alerts");
}

#[test]
fn bad_branch_and_upstream() {
    let errs = problems("repositories:\n  - repo: a/b\n    branch: 'feat..x'\n  - repo: c/d\n    upstream: 'nope'\n  - repo: e/f\n    upstream: 'u/f:bad branch'\n");
    let paths: Vec<&str> = errs.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "repositories[0].branch",
            "repositories[1].upstream",
            "repositories[2].upstream"
        ]
    );
    assert_eq!(errs[0].line, Some(3));
    assert_eq!(errs[1].line, Some(5));
}

#[test]
fn schedules_are_checked_and_normalised() {
    let inv = parse("repositories: [a/b]\nschedules:\n  '0  */4 * * *': urgent\n").unwrap();
    assert_eq!(inv.schedules.get("0 */4 * * *"), Some(&Mode::Urgent));
    // Defaults are kept next to the user's entries.
    assert_eq!(inv.schedules.len(), 4);
    let errs = problems("repositories: [a/b]\nschedules:\n  'every hour': all\n  '0 1 * * *': fast\n  '0 3 * * *': all\n  '0  3 * * *': top12\n");
    assert_eq!(errs.len(), 3, "{errs:#?}");
    assert!(errs[0].message.contains("five-field"));
    assert!(errs.iter().any(|e| e.message == "unknown mode `fast`"));
    assert!(errs.iter().any(|e| e.message.contains("same cron")));
}

#[test]
fn limits_respect_githubs_write_limit() {
    let p = only("repositories: [a/b]\nlimits:\n  writes_per_minute: 100\n");
    assert_eq!(p.path, "limits.writes_per_minute");
    assert!(p.hint.unwrap().contains("80"));
    let p = only("repositories: [a/b]\nlimits:\n  graphql_batch: 0\n");
    assert_eq!(p.path, "limits.graphql_batch");
}

#[test]
fn artifacts_dir_must_stay_inside_the_repository() {
    for bad in ["../x", "/etc", "a/../../b", ""] {
        let p = only(&format!(
            "repositories: [a/b]\nartifacts:\n  dir: '{bad}'\n"
        ));
        assert_eq!(p.path, "artifacts.dir", "{bad}");
    }
    let inv =
        parse("repositories: [a/b]\nartifacts:\n  dir: reports/sync/\n  commit: false\n").unwrap();
    assert_eq!(inv.artifacts.dir, "reports/sync");
    assert!(!inv.artifacts.commit);
}

#[test]
fn a_webhook_url_in_the_config_is_not_echoed() {
    let secret = "https://hooks.slack.com/services/T000/B000/XXXX";
    let err = parse(&format!(
        "repositories: [a/b]\nnotify:\n  webhook_env: '{secret}'\n"
    ))
    .unwrap_err();
    let text = err.to_string();
    assert!(!text.contains("hooks.slack.com"), "{text}");
    assert!(text.contains("not the URL"), "{text}");
}

#[test]
fn hub_manifest_and_repos() {
    let inv = parse("repositories: [a/b]\nhub:\n  repos: [a/b]\n  manifest: heyns1000/codenest:/hub/connected.json\n").unwrap();
    let m = inv.hub.manifest.unwrap();
    assert_eq!(m.repo.to_string(), "heyns1000/codenest");
    assert_eq!(m.path, "hub/connected.json");
    let p = only("repositories: [a/b]\nhub:\n  manifest: codenest\n");
    assert_eq!(p.path, "hub.manifest");
}

#[test]
fn pull_request_settings() {
    let p = only("repositories: [a/b]\npull_requests:\n  reviewers: ['@alice']\n");
    assert_eq!(p.path, "pull_requests.reviewers[0]");
    let p = only("repositories: [a/b]\npull_requests:\n  branch_prefix: 'sync me/'\n");
    assert_eq!(p.path, "pull_requests.branch_prefix");
    let p = only("repositories: [a/b]\npull_requests:\n  labels: ['']\n");
    assert_eq!(p.path, "pull_requests.labels[0]");
}

#[test]
fn every_problem_is_reported_at_once_in_line_order() {
    let text = "\
top:
  - heyns1000/omnigrid
  - codenest
repositories:
  - heyns1000/omnigrid
  - repo: a/b
    colour: blue
weights:
  open_prs: -1
limits:
  concurrency: 0
extra: 1
";
    let err = parse(text).unwrap_err();
    let lines: Vec<Option<usize>> = err.problems.iter().map(|p| p.line).collect();
    assert_eq!(err.problems.len(), 6, "{err}");
    assert_eq!(
        lines,
        vec![Some(3), Some(5), Some(7), Some(9), Some(11), Some(12)]
    );
    let text = err.to_string();
    assert!(
        text.starts_with("inv.yml has 6 problems; nothing was synced:"),
        "{text}"
    );
    assert!(text.contains("inv.yml:3: top[1]:"), "{text}");
    assert!(text.contains("fix: "), "{text}");
}

#[test]
fn empty_wrong_shape_and_syntax_errors() {
    assert_eq!(only("").message, "the inventory is empty");
    assert!(only("- a/b\n").message.contains("must be a map"));
    assert_eq!(
        only("top: []\n").message,
        "the inventory lists no repositories"
    );
    assert!(only("repositories: a/b\n")
        .message
        .contains("must be a list"));
    let p = only("top:\n  - a/b\n  bad: [\n");
    assert!(
        p.message.starts_with("not valid YAML or JSON"),
        "{}",
        p.message
    );
    assert!(p.line.is_some());
}

#[test]
fn hostile_input_is_shown_escaped() {
    let p = only("repositories:\n  - \"a\\e[31m/b\"\n");
    assert!(p.message.contains("\\u{1b}"), "{}", p.message);
    let long = "x".repeat(5000);
    let p = only(&format!("repositories:\n  - {long}/y\n"));
    assert!(p.message.len() < 300, "{}", p.message.len());
}

#[test]
fn resolves_short_names() {
    let inv = parse("top: [heyns1000/codenest]\nrepositories: [heyns1000/zoho, other/zoho, heyns1000/toynest]\n").unwrap();
    assert_eq!(
        inv.resolve("codenest").unwrap().to_string(),
        "heyns1000/codenest"
    );
    assert_eq!(
        inv.resolve(" TOYNEST ").unwrap().to_string(),
        "heyns1000/toynest"
    );
    assert_eq!(inv.resolve("other/zoho").unwrap().to_string(), "other/zoho");
    assert_eq!(
        inv.resolve("nope"),
        Err(ResolveError::Unknown("nope".into()))
    );
    assert_eq!(
        inv.resolve("x/zoho"),
        Err(ResolveError::Unknown("x/zoho".into()))
    );
    match inv.resolve("zoho") {
        Err(ResolveError::Ambiguous { candidates, .. }) => {
            assert_eq!(candidates, ["heyns1000/zoho", "other/zoho"])
        }
        other => panic!("{other:?}"),
    }
}
