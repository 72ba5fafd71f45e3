//! The action's inputs: defaults, spellings, every bad value an error naming its input,
//! secrets never printed, the runner's context.

use std::collections::BTreeSet;

use super::declared::input_vars;
use super::*;
use crate::repo_name::RepoName;

fn env(pairs: &[(&str, &str)]) -> Env {
    Env::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
}

#[test]
fn defaults_when_nothing_is_set() {
    let i = ActionInputs::from_env(&env(&[])).unwrap();
    assert_eq!(i.mode, "auto");
    assert!(i.force_repos.is_empty());
    assert!(!i.dry_run);
    assert!(i.commit_artifacts);
    assert_eq!(i.config, PathBuf::from(".github/priority-sync.yml"));
    assert_eq!(i.runner.api_url, "https://api.github.com");
    assert_eq!(i.runner.graphql_url, "https://api.github.com/graphql");
    assert!(i.token.is_none());
    assert_eq!(i.time_budget, std::time::Duration::from_secs(90 * 60));
}

#[test]
fn the_time_budget_is_whole_minutes_within_a_runners_limits() {
    let budget = |v: &str| ActionInputs::from_env(&env(&[("INPUT_TIME_BUDGET_MINUTES", v)]));
    assert_eq!(
        budget(" 15 ").unwrap().time_budget,
        std::time::Duration::from_secs(15 * 60)
    );
    for bad in ["0", "7201", "1.5", "an hour", "-3"] {
        let e = budget(bad).unwrap_err();
        assert_eq!(e.len(), 1, "{bad}: {e:?}");
        assert_eq!(e[0].input, "time_budget_minutes");
        assert!(
            e[0].message.contains("is not a number of minutes (1-7200)"),
            "{bad}: {}",
            e[0].message
        );
    }
}

#[test]
fn reads_values_and_trims_lists() {
    let i = ActionInputs::from_env(&env(&[
        ("INPUT_MODE", "urgent"),
        ("INPUT_FORCE_REPOS", " omnigrid, codenest ,, "),
        ("INPUT_DRY_RUN", "TRUE"),
        ("INPUT_TOKEN", "ghp_x"),
        ("GITHUB_API_URL", "https://ghe.example.com/api/v3/"),
    ]))
    .unwrap();
    assert_eq!(i.mode, "urgent");
    assert_eq!(i.force_repos, ["omnigrid", "codenest"]);
    assert!(i.dry_run);
    assert_eq!(i.token, Some(Secret("ghp_x".into())));
    assert_eq!(i.runner.api_url, "https://ghe.example.com/api/v3");
    assert_eq!(i.runner.graphql_url, "https://ghe.example.com/api/graphql");
}

#[test]
fn hyphen_and_underscore_forms_are_both_read() {
    let i = ActionInputs::from_env(&env(&[
        ("INPUT_FORCE-REPOS", "zoho"),
        ("INPUT_DRY-RUN", "true"),
    ]))
    .unwrap();
    assert_eq!(i.force_repos, ["zoho"]);
    assert!(i.dry_run);
    // The runner also passes the declared input with its default: the explicit form wins.
    let e = env(&[
        ("INPUT_DRY-RUN", "true"),
        ("INPUT_DRY_RUN", "false"),
        ("INPUT_COLOUR", "x"),
    ]);
    assert!(ActionInputs::from_env(&e).unwrap().dry_run);
    let w = input_warnings(&e);
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(w
        .iter()
        .any(|w| w.contains("`dry-run` was read as `dry_run`")));
    assert!(w.iter().any(|w| w.contains("`colour` is not an input")));
}

#[test]
fn the_audit_token_is_read_and_masked() {
    let i = ActionInputs::from_env(&env(&[
        ("INPUT_TOKEN", "ghp_fleet"),
        ("INPUT_AUDIT_TOKEN", "ghs_workflow"),
    ]))
    .unwrap();
    assert_eq!(i.audit_token, Some(Secret("ghs_workflow".into())));
    assert!(!format!("{i:?}").contains("ghs_workflow"));
}

#[test]
fn github_token_env_is_the_fallback() {
    let i = ActionInputs::from_env(&env(&[("GITHUB_TOKEN", "ghs_env")])).unwrap();
    assert_eq!(i.token, Some(Secret("ghs_env".into())));
    let i = ActionInputs::from_env(&env(&[
        ("GITHUB_TOKEN", "ghs_env"),
        ("INPUT_TOKEN", "ghp_input"),
    ]))
    .unwrap();
    assert_eq!(i.token, Some(Secret("ghp_input".into())));
}

#[test]
fn every_bad_value_is_an_error_naming_its_input() {
    let errors = ActionInputs::from_env(&env(&[
        ("INPUT_MODE", "fast"),
        ("INPUT_DRY_RUN", "maybe"),
        ("INPUT_COMMIT_ARTIFACTS", "yes"),
        ("INPUT_APP_ID", "abc"),
        ("INPUT_APP_PRIVATE_KEY", "not a key"),
        ("INPUT_ARTIFACTS_DIR", "../../etc"),
        ("INPUT_WEBHOOK_URL", "ftp://secret-hook"),
        ("GITHUB_API_URL", "not a url"),
        ("GITHUB_REPOSITORY", "no-slash"),
    ]))
    .unwrap_err();
    let names: Vec<&str> = errors.iter().map(|e| e.input.as_str()).collect();
    assert_eq!(
        names,
        [
            "mode",
            "dry_run",
            "commit_artifacts",
            "app_id",
            "app_private_key",
            "artifacts_dir",
            "webhook_url",
            "GITHUB_API_URL",
            "GITHUB_REPOSITORY"
        ]
    );
    assert_eq!(
        errors[1].to_string(),
        "input `dry_run`: `maybe` is not a boolean; use true or false"
    );
    assert!(!errors.iter().any(|e| e.to_string().contains("secret-hook")));
}

#[test]
fn app_credentials_need_both_parts() {
    let e = ActionInputs::from_env(&env(&[("INPUT_APP_ID", "12")])).unwrap_err();
    assert_eq!(e[0].input, "app_private_key");
    let key = "-----BEGIN RSA PRIVATE KEY-----\\nabc\\n-----END RSA PRIVATE KEY-----";
    let i = ActionInputs::from_env(&env(&[
        ("INPUT_APP_ID", "12"),
        ("INPUT_APP_PRIVATE_KEY", key),
    ]))
    .unwrap();
    let app = i.app.as_ref().unwrap();
    assert_eq!(app.app_id, 12);
    assert!(app.private_key.contains("\nabc\n"));
    assert!(
        !format!("{i:?}").contains("abc"),
        "Debug must not print the key"
    );
}

#[test]
fn huge_force_lists_are_refused() {
    let list = vec!["a/b"; 2000].join(",");
    let e = ActionInputs::from_env(&env(&[("INPUT_FORCE_REPOS", &list)])).unwrap_err();
    assert_eq!(e[0].input, "force_repos");
}

#[test]
fn event_payload_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("event.json");
    std::fs::write(&bad, "{not json").unwrap();
    let e = Runner::from_env(&env(&[("GITHUB_EVENT_PATH", bad.to_str().unwrap())])).unwrap_err();
    assert!(e[0].message.contains("not valid JSON"), "{}", e[0]);
    std::fs::write(&bad, "[1,2]").unwrap();
    let e = Runner::from_env(&env(&[("GITHUB_EVENT_PATH", bad.to_str().unwrap())])).unwrap_err();
    assert!(e[0].message.contains("not a JSON object"));
    let e =
        Runner::from_env(&env(&[("GITHUB_EVENT_PATH", "/nonexistent/event.json")])).unwrap_err();
    assert!(e[0].message.contains("cannot read"));
    std::fs::write(&bad, r#"{"schedule": "0 */6 * * *"}"#).unwrap();
    let r = Runner::from_env(&env(&[
        ("GITHUB_EVENT_PATH", bad.to_str().unwrap()),
        ("GITHUB_EVENT_NAME", "schedule"),
    ]))
    .unwrap();
    assert_eq!(r.event.unwrap()["schedule"], "0 */6 * * *");
}

/// A value for every input that validates, with the shard (which needs `mode: all`).
fn every_input_set() -> Vec<(String, String)> {
    INPUTS
        .iter()
        .map(|i| {
            let value = match i.name {
                "mode" => "all",
                "token" | "audit_token" => "ghp_x",
                "dry_run" | "commit_artifacts" => "true",
                "app_id" => "12",
                "app_private_key" => {
                    "-----BEGIN RSA PRIVATE KEY-----\\nk\\n-----END RSA PRIVATE KEY-----"
                }
                "webhook_url" => "https://hooks.example/x",
                "shard" => "1/2",
                "shards" => "2",
                "force_repos" => "",
                "time_budget_minutes" => "30",
                _ => "some-dir",
            };
            let (declared, _) = input_vars(i.name);
            (declared, value.to_string())
        })
        .collect()
}

#[test]
fn from_env_reads_exactly_the_declared_inputs() {
    let declared: BTreeSet<&str> = INPUTS.iter().map(|i| i.name).collect();
    for pairs in [Vec::new(), every_input_set()] {
        let (result, read) = ActionInputs::read(&Env::from_pairs(pairs));
        assert!(result.is_ok(), "{result:?}");
        let not_read: Vec<_> = declared.difference(&read).collect();
        let not_declared: Vec<_> = read.difference(&declared).collect();
        assert!(not_read.is_empty(), "declared but never read: {not_read:?}");
        assert!(
            not_declared.is_empty(),
            "read but not in INPUTS: {not_declared:?}"
        );
    }
}

#[test]
fn an_undeclared_input_cannot_be_read() {
    let e = env(&[("INPUT_COLOUR", "blue"), ("INPUT_MODE", "all")]);
    let refused = raw_input(&e, "colour").unwrap_err();
    assert_eq!(refused.input, "colour");
    assert!(refused.message.contains("not in INPUTS"), "{refused}");
    assert_eq!(raw_input(&e, "mode").unwrap().as_deref(), Some("all"));
}

#[test]
fn raw_secrets_cover_every_spelling_before_validation() {
    let e = env(&[
        ("INPUT_TOKEN", "ghp_fleet"),
        ("INPUT_AUDIT-TOKEN", "ghs_audit"),
        (
            "INPUT_APP_PRIVATE_KEY",
            "-----BEGIN KEY-----\\nline1\\nline2\\n-----END KEY-----",
        ),
        ("INPUT_WEBHOOK_URL", "not a url at all"),
        ("GITHUB_TOKEN", "ghs_env"),
        ("INPUT_SHARD", "9/4"),
        ("INPUT_CONFIG", "not-a-secret.yml"),
    ]);
    // The inputs do not validate (the shard, the webhook), yet every secret is listed.
    assert!(ActionInputs::from_env(&e).is_err());
    let s = raw_secrets(&e);
    for want in [
        "ghp_fleet",
        "ghs_audit",
        "line1",
        "line2",
        "not a url at all",
        "ghs_env",
    ] {
        assert!(s.iter().any(|v| v == want), "{want} missing from {s:?}");
    }
    assert!(!s.iter().any(|v| v.contains("not-a-secret") || v == "9/4"));
    assert!(s.iter().all(|v| !v.contains('\n')), "{s:?}");
}

#[test]
fn shard_goes_only_with_mode_all() {
    let read = |pairs: &[(&str, &str)]| ActionInputs::from_env(&env(pairs));
    let ok = read(&[("INPUT_MODE", "all"), ("INPUT_SHARD", "2/4")]).unwrap();
    assert_eq!(ok.shard.map(|s| s.to_string()).as_deref(), Some("2/4"));
    for mode in ["urgent", "top12", "auto", "plan", "report"] {
        let e = read(&[("INPUT_MODE", mode), ("INPUT_SHARD", "2/4")]).unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].input, "shard");
        assert!(
            e[0].message
                .contains(&format!("needs `mode: all`, not `{mode}`")),
            "{}",
            e[0]
        );
    }
    // The default mode is auto: a shard alone is refused too.
    assert!(read(&[("INPUT_SHARD", "1/2")]).is_err());
    let e = read(&[
        ("INPUT_MODE", "all"),
        ("INPUT_SHARD", "1/2"),
        ("INPUT_FORCE_REPOS", "codenest"),
    ])
    .unwrap_err();
    assert!(e[0].message.contains("force_repos"), "{}", e[0]);
}

#[test]
fn the_workflow_token_as_fleet_token_is_warned_about_only_when_certain() {
    let fleet: Vec<RepoName> = ["acme/control", "acme/fork-1"]
        .iter()
        .map(|r| r.parse().unwrap())
        .collect();
    let warn = |pairs: &[(&str, &str)], fleet: &[RepoName]| {
        let mut all = vec![("GITHUB_REPOSITORY", "acme/control")];
        all.extend_from_slice(pairs);
        ActionInputs::from_env(&env(&all))
            .unwrap()
            .workflow_token_warning(&env(&all), fleet.iter())
    };
    // `token` left at its default: equal to audit_token's default, an installation token.
    let w = warn(
        &[("INPUT_TOKEN", "ghs_wf"), ("INPUT_AUDIT_TOKEN", "ghs_wf")],
        &fleet,
    )
    .expect("a warning");
    assert_eq!(
        w,
        "token is the workflow's GITHUB_TOKEN: it reaches only acme/control; give a PAT or App (see README Tokens)"
    );
    // Passed through the GITHUB_TOKEN variable.
    assert!(warn(&[("INPUT_TOKEN", "tok"), ("GITHUB_TOKEN", "tok")], &fleet).is_some());
    // Not said: a PAT, even given to both inputs; an App token beside the default
    // audit_token; an App; a fleet that is only the workflow's repository.
    assert!(warn(
        &[("INPUT_TOKEN", "ghp_pat"), ("INPUT_AUDIT_TOKEN", "ghp_pat")],
        &fleet
    )
    .is_none());
    assert!(warn(
        &[("INPUT_TOKEN", "ghs_app"), ("INPUT_AUDIT_TOKEN", "ghs_wf")],
        &fleet
    )
    .is_none());
    let key = "-----BEGIN RSA PRIVATE KEY-----\\nk\\n-----END RSA PRIVATE KEY-----";
    assert!(warn(
        &[
            ("INPUT_TOKEN", "ghs_wf"),
            ("INPUT_AUDIT_TOKEN", "ghs_wf"),
            ("INPUT_APP_ID", "3"),
            ("INPUT_APP_PRIVATE_KEY", key),
        ],
        &fleet
    )
    .is_none());
    assert!(warn(
        &[("INPUT_TOKEN", "ghs_wf"), ("INPUT_AUDIT_TOKEN", "ghs_wf")],
        &fleet[..1]
    )
    .is_none());
}

#[test]
fn graphql_url_is_derived_for_enterprise_server() {
    assert_eq!(
        graphql_url_for("https://api.github.com"),
        "https://api.github.com/graphql"
    );
    assert_eq!(
        graphql_url_for("https://ghe.corp/api/v3"),
        "https://ghe.corp/api/graphql"
    );
    assert_eq!(
        graphql_url_for("http://127.0.0.1:4000/"),
        "http://127.0.0.1:4000/graphql"
    );
}
