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
    assert_eq!(inv.limits.endpoint_points_per_minute, 900);
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
fn notify_format_defaults_to_slack_and_takes_each_format() {
    let inv = parse("repositories: [a/b]\n").unwrap();
    assert_eq!(inv.notify.format, NotifyFormat::Slack);
    for f in NotifyFormat::ALL {
        let inv = parse(&format!(
            "repositories: [a/b]\nnotify:\n  format: {}\n",
            f.as_str()
        ))
        .unwrap();
        assert_eq!(inv.notify.format, f);
        assert_eq!(inv.notify.webhook_env, "PRIORITY_SYNC_WEBHOOK_URL");
    }
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
fn hands_off_merges_and_people_when_needed() {
    let d = parse("repositories: [a/b]\n").unwrap();
    assert_eq!(d.pull_requests.auto_merge, None);
    assert_eq!(
        d.pull_requests.reviewers_on,
        ReviewersOn::Always,
        "today's behaviour"
    );
    assert!(d.pull_requests.assignees.is_empty());
    let inv = parse(
        "top:\n  - repo: a/b\n    reviewers: [carol]\nrepositories: [c/d]\npull_requests:\n  auto_merge: merge\n  reviewers_on: conflict\n  assignees: [alice, bob]\n",
    )
    .unwrap();
    assert_eq!(inv.pull_requests.auto_merge, Some(MergeMethod::Merge));
    assert_eq!(inv.pull_requests.reviewers_on, ReviewersOn::Conflict);
    assert_eq!(inv.pull_requests.assignees, ["alice", "bob"]);
    assert_eq!(inv.top[0].reviewers, ["carol"]);
    assert!(inv.repositories[0].reviewers.is_empty());
    for (name, m) in MergeMethod::ALL {
        assert_eq!(m.graphql(), name.to_ascii_uppercase());
    }
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

/// Where a config error case comes from.
enum Given {
    Yaml(&'static str),
    /// An inventory path that cannot be read.
    Unreadable,
}

/// One expected problem: path, line, a fragment of the message and a fragment of the hint.
struct Expect {
    given: Given,
    path: &'static str,
    line: Option<usize>,
    message: &'static str,
    hint: &'static str,
}

#[test]
fn every_error_path_names_its_place_and_a_fix() {
    use Given::*;
    let e = |given, path, line, message, hint| Expect {
        given,
        path,
        line,
        message,
        hint,
    };
    let cases = [
        e(Yaml("repositories: [a/b]\n1: x\n"), "", Some(2), "top-level key `1` is not a name", "valid top-level keys: top, repositories"),
        e(Yaml("repositories: [a/b]\ntrue: x\n"), "", Some(2), "top-level key `true` is not a name", "valid top-level keys"),
        e(Yaml("repositories:\n  - a/b\n  - [c, d]\n"), "repositories[1]", Some(3), "expected `owner/name` or a map with `repo:`", "write `- owner/name`"),
        e(Yaml("top:\n  - 42\n"), "top[0]", Some(2), "expected `owner/name` or a map with `repo:`", "`- repo: owner/name`"),
        e(Yaml("repositories:\n  - a/b\n  - branch: dev\n"), "repositories[1]", Some(3), "missing field `repo`", "add `repo: owner/name`"),
        e(Yaml("repositories:\n  - repo: a/b\n    connected: yes please\n"), "repositories[0].connected", Some(3), "expected a boolean", "write true or false"),
        e(Yaml("repositories:\n  - repo: a/b\n    connected: 1\n"), "repositories[0].connected", Some(3), "expected a boolean", "write true or false"),
        e(Yaml("repositories: [a/b]\nrules:\n  pr_over_commits: -1\n"), "rules.pr_over_commits", Some(3), "-1 is out of range (0..=100000)", "fast-forward at most this many commits"),
        e(Yaml("repositories: [a/b]\nrules:\n  stale_after_days: 0\n"), "rules.stale_after_days", Some(3), "0 is out of range (1..=3650)", "days without a sync"),
        e(Yaml("repositories: [a/b]\nrules:\n  urgent_over_commits: 2000000\n"), "rules.urgent_over_commits", Some(3), "2000000 is out of range (0..=1000000)", "tier 1"),
        e(Yaml("repositories: [a/b]\nrules:\n  stale_after_days: soon\n"), "rules.stale_after_days", Some(3), "invalid type: string", "write a whole number"),
        e(Yaml("repositories: [a/b]\nbatches:\n  urgent: -1\n"), "batches.urgent", Some(3), "-1 is out of range (0..=100000)", "mode `urgent`"),
        e(Yaml("repositories: [a/b]\nbatches:\n  all_urgent: 100001\n"), "batches.all_urgent", Some(3), "100001 is out of range", "mode `all`"),
        e(Yaml("repositories: [a/b]\nhub:\n  repos: [a/b, nope]\n"), "hub.repos[1]", Some(3), "`nope` is not of the form owner/name", "write the full name, `owner/name`"),
        e(Yaml("repositories: [a/b]\nhub:\n  - a/b\n  - not a name\n"), "hub[1]", Some(4), "`not a name` is not of the form owner/name", "write the full name"),
        e(Yaml("repositories: [a/b]\nhub: 5\n"), "hub", Some(2), "expected a map", "valid keys here: repos, manifest"),
        e(Yaml("repositories: [a/b]\nartifacts:\n  branch: 'audit..log'\n"), "artifacts.branch", Some(3), "`audit..log` is not a valid branch name", "cannot be empty, contain spaces, `..`"),
        e(Yaml("repositories: [a/b]\nnotify:\n  webhook_env: 'MY-HOOK'\n"), "notify.webhook_env", Some(3), "not an environment variable name", "letters, digits and `_`"),
        e(Yaml("repositories: [a/b]\nnotify:\n  webhook_env: '1HOOK'\n"), "notify.webhook_env", Some(3), "not an environment variable name", "letters, digits and `_`"),
        e(Yaml("repositories: [a/b]\nnotify:\n  webhook_env: HOOK\n  format: teems\n"), "notify.format", Some(4), "`teems` is not a notification format", "did you mean `teams`? (formats: slack, teams, discord, generic)"),
        e(Yaml("repositories: [a/b]\nnotify:\n  format: Discord\n"), "notify.format", Some(3), "`Discord` is not a notification format", "did you mean `discord`?"),
        e(Yaml("repositories: [a/b]\nnotify:\n  format: email\n"), "notify.format", Some(3), "`email` is not a notification format", "write one of: slack, teams, discord, generic"),
        e(Yaml("repositories: [a/b]\nnotify:\n  fromat: teams\n"), "notify.fromat", Some(3), "unknown key `fromat`", "did you mean `format`?"),
        e(Yaml("repositories: [a/b]\npull_requests:\n  labels: [ok, 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx']\n"), "pull_requests.labels[1]", Some(3), "is not a valid label", "1-50 characters"),
        e(Yaml("repositories: [a/b]\npull_requests:\n  urgent_labels: [\"bad\\tlabel\"]\n"), "pull_requests.urgent_labels[0]", Some(3), "`bad\\tlabel` is not a valid label", "no control characters"),
        e(Yaml("repositories: [a/b]\npull_requests:\n  team_reviewers: ['my-org/core']\n"), "pull_requests.team_reviewers[0]", Some(3), "`my-org/core` is not a GitHub login or team slug", "the slug without the org"),
        e(Yaml("repositories: [a/b]\npull_requests:\n  auto_merge: fast-forward\n"), "pull_requests.auto_merge", Some(3), "`fast-forward` is not one of `merge`, `squash`, `rebase`", "write one of `merge`, `squash`, `rebase`"),
        e(Yaml("repositories: [a/b]\npull_requests:\n  reviewers_on: conflicts\n"), "pull_requests.reviewers_on", Some(3), "`conflicts` is not one of `always`, `conflict`", "write one of `always`, `conflict`"),
        e(Yaml("repositories: [a/b]\npull_requests:\n  draft: true\n  auto_merge: merge\n"), "pull_requests.auto_merge", Some(4), "GitHub does not auto-merge a draft", "remove `draft: true`, or `auto_merge`"),
        e(Yaml("repositories: [a/b]\npull_requests:\n  auto_merge: squash\n"), "pull_requests.auto_merge", Some(3), "`squash` writes new commits in place of upstream's", "write `auto_merge: merge`"),
        e(Yaml("repositories: [a/b]\npull_requests:\n  auto_merge: rebase\n"), "pull_requests.auto_merge", Some(3), "every later run would open a sync PR again", "write `auto_merge: merge`"),
        e(Yaml("repositories: [a/b]\npull_requests:\n  assignees: ['@alice']\n"), "pull_requests.assignees[0]", Some(3), "`@alice` is not a GitHub login or team slug", "write the login without `@`"),
        e(Yaml("repositories:\n  - repo: a/b\n    reviewers: [ok, 'no body']\n"), "repositories[0].reviewers[1]", Some(3), "`no body` is not a GitHub login or team slug", "write the login without `@`"),
        e(Yaml("repositories: [a/b]\nlimits:\n  writes_per_hour: 501\n"), "limits.writes_per_hour", Some(3), "501 is out of range (1..=500)", "at most 500 content-creating requests per hour"),
        e(Yaml("repositories: [a/b]\nlimits:\n  writes_per_hour: 0\n"), "limits.writes_per_hour", Some(3), "0 is out of range (1..=500)", "per hour"),
        e(Yaml("repositories: [a/b]\nlimits:\n  max_inflight_requests: 101\n"), "limits.max_inflight_requests", Some(3), "101 is out of range (1..=100)", "~100 concurrent requests"),
        e(Yaml("repositories: [a/b]\nlimits:\n  endpoint_points_per_minute: 0\n"), "limits.endpoint_points_per_minute", Some(3), "0 is out of range (1..=1000000)", "900 on github.com"),
        e(Yaml("repositories: [a/b]\nlimits:\n  reserve_requests: -5\n"), "limits.reserve_requests", Some(3), "-5 is out of range (0..=1000000)", "kept in reserve"),
        e(Yaml("repositories: [a/b]\nweights:\n  open_prs: 1\n  stale: 2\n  open_prs: 3\n"), "weights.open_prs", Some(5), "`open_prs` is given twice in the same map (first on line 3)", "keep one of them"),
        e(Yaml("repositories:\n  - repo: a/b\n    branch: x\n    branch: y\n"), "repositories[0].branch", Some(4), "`branch` is given twice in the same map (first on line 3)", "keep one of them"),
        e(Yaml("repositories: [a/b]\nlimits: {}\nrepositories: [c/d]\n"), "repositories", Some(3), "`repositories` is given twice in the same map (first on line 1)", "keep one of them"),
        e(Unreadable, "", None, "cannot read the inventory", "point the `config` input at it"),
    ];
    let dir = tempfile::tempdir().unwrap();
    for case in cases {
        let err = match case.given {
            Yaml(text) => parse(text).expect_err(text),
            Unreadable => load_file(&dir.path().join("missing.yml")).unwrap_err(),
        };
        let what = match case.given {
            Yaml(text) => text.to_string(),
            Unreadable => "an unreadable file".to_string(),
        };
        assert_eq!(err.problems.len(), 1, "{what}: {err}");
        let p = &err.problems[0];
        assert_eq!(p.path, case.path, "{what}: {err}");
        assert_eq!(p.line, case.line, "{what}: {err}");
        assert!(p.message.contains(case.message), "{what}: {err}");
        let hint = p
            .hint
            .as_deref()
            .unwrap_or_else(|| panic!("{what}: no hint in {err}"));
        assert!(hint.contains(case.hint), "{what}: {err}");
        // The rendered error carries the same place and the fix.
        let text = err.to_string();
        assert!(text.contains(&format!("fix: {hint}")), "{text}");
    }
}

#[test]
fn hub_as_a_plain_list_or_a_map() {
    let inv = parse("repositories: [a/b, c/d]\nhub: [a/b, Owner/Hub-Repo]\n").unwrap();
    let names: Vec<String> = inv.hub.repos.iter().map(|r| r.to_string()).collect();
    assert_eq!(names, ["a/b", "Owner/Hub-Repo"]);
    assert_eq!(inv.hub.manifest, None);
    let inv = parse("repositories: [a/b]\nhub:\n  - a/b\n").unwrap();
    assert_eq!(inv.hub.repos.len(), 1);
    let inv =
        parse("repositories: [a/b]\nhub:\n  repos: [c/d]\n  manifest: o/hub:list.yml\n").unwrap();
    assert_eq!(inv.hub.repos[0].to_string(), "c/d");
    assert_eq!(inv.hub.manifest.unwrap().path, "list.yml");
    // The JSON shape works too.
    let inv = parse(r#"{"repositories": ["a/b"], "hub": ["a/b"]}"#).unwrap();
    assert_eq!(inv.hub.repos[0].to_string(), "a/b");
    // A list item that is not a name is reported at its own place.
    let p = only("repositories: [a/b]\nhub: [a/b, {repo: c/d}]\n");
    assert_eq!(p.path, "hub[1]");
    assert!(p.message.contains("expected a string"), "{}", p.message);
}

#[test]
fn connected_is_the_override_then_hub_then_the_fallback() {
    let inv = parse(
        "repositories:\n  - a/on\n  - repo: a/off\n    connected: false\n  - a/in-manifest\n  - a/none\nhub: [A/ON, a/off]\n",
    )
    .unwrap();
    let manifest: std::collections::BTreeSet<RepoName> = ["a/in-manifest".parse().unwrap()].into();
    let got = |name: &str, otherwise: bool| {
        let spec = inv.get(&name.parse().unwrap()).unwrap();
        is_connected(spec, &inv.hub, &manifest, otherwise)
    };
    // Hub membership ignores case, like every repository name.
    assert!(got("a/on", false));
    // The repository's own `connected: false` beats the hub list.
    assert!(!got("a/off", true));
    assert!(got("a/in-manifest", false));
    assert!(!got("a/none", false));
    assert!(got("a/none", true));
}

/// Each cron of `schedules` is checked field by field as GitHub Actions reads it (GitHub Docs,
/// "Events that trigger workflows" → `schedule`: minute 0-59, hour 0-23, day of the month
/// 1-31, month 1-12 or JAN-DEC, day of the week 0-6 or SUN-SAT; see `src/cron.rs`), and a bad
/// one is reported on its line, naming the field, the value and what the field takes.
#[test]
fn schedule_crons_are_checked_field_by_field_on_their_line() {
    let cases: &[(&str, &[&str])] = &[
        ("61 2 * * *", &["minute `61`", "0-59"]),
        ("0 24 * * *", &["hour `24`", "0-23"]),
        ("0 2 32 * *", &["day of the month `32`", "1-31"]),
        ("0 2 * 13 *", &["month `13`", "1-12 or JAN-DEC"]),
        ("0 2 * * 8", &["day of the week `8`", "0-6 or SUN-SAT"]),
        ("0 2 * * 7", &["day of the week `7`", "0-6"]),
        ("*/0 2 * * *", &["minute `*/0`", "step `0`"]),
        ("0 9-5 * * *", &["hour `9-5`", "backwards"]),
    ];
    for (cron, words) in cases {
        let text =
            format!("repositories: [a/b]\nschedules:\n  '0 3 * * *': all\n  '{cron}': urgent\n");
        let p = only(&text);
        assert_eq!(p.line, Some(4), "{cron}: {p:?}");
        assert_eq!(p.path, format!("schedules.{cron}"));
        for w in *words {
            assert!(p.message.contains(w), "{cron}: `{w}` not in {}", p.message);
        }
        let hint = p.hint.unwrap();
        assert!(hint.contains("on.schedule[].cron"), "{cron}: {hint}");
    }
    // What GitHub accepts loads, names and steps included.
    let inv = parse(
        "repositories: [a/b]\nschedules:\n  '*/15 0-23/2 1,15 JAN-jun MON-FRI': urgent\n  '59 23 31 12 6': all\n",
    )
    .unwrap();
    assert_eq!(
        inv.schedules.get("*/15 0-23/2 1,15 JAN-jun MON-FRI"),
        Some(&Mode::Urgent)
    );
}

#[test]
fn tags_are_fleet_wide_and_an_entry_replaces_them() {
    let inv = parse(
        "tags: [\"v*\", release-*]\ntop:\n  - a/one\n  - repo: a/two\n    tags: false\nrepositories:\n  - repo: a/three\n    tags: true\n  - repo: a/four\n    tags: [\"nightly-?\"]\n",
    )
    .unwrap();
    assert_eq!(inv.tags.describe(), "[v*, release-*]");
    let by = |n: &str| inv.all().find(|s| s.repo.name() == n).unwrap().tags.clone();
    assert_eq!(
        by("one"),
        inv.tags,
        "an entry without `tags:` takes the fleet's"
    );
    assert_eq!(by("two"), TagPolicy::Off);
    assert_eq!(by("three"), TagPolicy::All);
    assert!(by("four").wants("nightly-7") && !by("four").wants("v1"));
    // Without `tags:` anywhere, no tags.
    let plain = parse("repositories:\n  - a/b\n").unwrap();
    assert_eq!(plain.tags, TagPolicy::Off);
    assert_eq!(plain.repositories[0].tags, TagPolicy::Off);
}

#[test]
fn bad_tags_are_reported_with_their_line_and_a_fix() {
    let p = only("repositories:\n  - repo: a/b\n    tags: yes\n");
    assert_eq!(p.line, Some(3));
    assert_eq!(p.path, "repositories[0].tags");
    assert!(
        p.message.contains("`yes` is not true, false or a list"),
        "{p:?}"
    );
    assert!(p.hint.as_deref().unwrap().contains("[\"yes\"]"), "{p:?}");

    let p = only("tags:\n  - v*\n  - \"v[0-9]*\"\nrepositories:\n  - a/b\n");
    assert_eq!((p.line, p.path.as_str()), (Some(3), "tags[1]"));
    assert!(p.message.contains("character classes"), "{p:?}");

    let p = only("tags: []\nrepositories:\n  - a/b\n");
    assert_eq!(p.line, Some(1));
    assert!(p.hint.as_deref().unwrap().contains("tags: false"), "{p:?}");

    let p = only("tags: {v: 1}\nrepositories:\n  - a/b\n");
    assert!(p.message.contains("true, false or a list"), "{p:?}");

    // A hostile pattern is shown escaped, never raw.
    let p = only("repositories:\n  - repo: a/b\n    tags: [\"v*\\n::warning::x\"]\n");
    assert_eq!(p.path, "repositories[0].tags[0]");
    assert!(
        !p.message.contains('\n') && p.message.contains("no tag git accepts"),
        "{p:?}"
    );

    // Every problem at once.
    let all = problems("tags: 3\nrepositories:\n  - repo: a/b\n    tags: [\"a..b\", 7]\n");
    assert_eq!(all.len(), 3, "{all:#?}");
}
