//! Tokens, limits and faults over plain HTTP: 401, 403 by permission, primary exhaustion,
//! secondary limits (403/429 + retry-after), the 80/minute content-creation limit, injected
//! 5xx (reproducible by seed), dropped connections, latency, and unexpected routes. These
//! provoke statuses GitHub's REST description does not list, so they log "off-description".

mod common;

use std::time::{Duration, Instant};

use common::{small, start, Client};
use github_sandbox::{FaultAction, FaultRule, Faults, SandboxConfig};
use serde_json::json;

#[test]
fn bad_token_read_only_and_dependabot_permissions() {
    let sb = start("auth", small(15), false);
    let c = Client::for_sb(&sb);
    let bad = c.with_token("ghp_nope").get("/repos/heyns1000/omnigrid");
    assert_eq!(bad.status, 401);
    assert_eq!(bad.json["message"], "Bad credentials");
    let ro = c.with_token(&sb.token_named("read-only").unwrap());
    assert_eq!(ro.get("/repos/heyns1000/omnigrid").status, 200);
    let w = ro.post(
        "/repos/heyns1000/omnigrid/merge-upstream",
        json!({"branch": "main"}),
    );
    assert_eq!(w.status, 403);
    assert_eq!(
        w.json["message"],
        "Resource not accessible by personal access token"
    );
    let nd = c.with_token(&sb.token_named("no-dependabot").unwrap());
    let a = nd.get("/repos/heyns1000/pulse-engine/dependabot/alerts?state=open");
    assert_eq!(a.status, 403);
    assert_eq!(
        a.json["message"],
        "Resource not accessible by personal access token"
    );
    assert!(sb.set_archived("heyns1000/omnigrid", true));
    let r = c.post(
        "/repos/heyns1000/omnigrid/merge-upstream",
        json!({"branch": "main"}),
    );
    assert_eq!(r.status, 403);
    assert_eq!(
        r.json["message"],
        "Repository was archived so is read-only."
    );
    // GraphQL needs authentication
    let anon = Client {
        token: None,
        ..Client::for_sb(&sb)
    };
    assert_eq!(
        anon.graphql(&sb.graphql_url(), "{ viewer { login } }", json!({}))
            .status,
        401
    );
    sb.assert_no_unexpected_routes();
}

#[test]
fn primary_limit_headers_and_exhaustion() {
    let mut cfg = small(15);
    for t in cfg.tokens.iter_mut() {
        t.core_limit = 5;
    }
    let sb = start("primary_limit", cfg, false);
    let c = Client::for_sb(&sb);
    let mut last = 0;
    for i in 0..5 {
        let r = c.get("/repos/heyns1000/omnigrid");
        assert_eq!(r.status, 200);
        assert_eq!(r.header("x-ratelimit-limit"), Some("5"));
        assert_eq!(
            r.header("x-ratelimit-used"),
            Some((i + 1).to_string().as_str())
        );
        assert_eq!(r.header("x-ratelimit-resource"), Some("core"));
        last = r.header("x-ratelimit-remaining").unwrap().parse().unwrap();
    }
    assert_eq!(last, 0);
    let r = c.get("/repos/heyns1000/omnigrid");
    assert_eq!(r.status, 403);
    assert_eq!(r.header("x-ratelimit-remaining"), Some("0"));
    assert!(r.json["message"]
        .as_str()
        .unwrap()
        .starts_with("API rate limit exceeded"));
    let reset: i64 = r.header("x-ratelimit-reset").unwrap().parse().unwrap();
    assert!(reset > github_sandbox::util::wall_now());
    // other tokens have their own window
    assert_eq!(
        c.with_token(&sb.token_named("read-only").unwrap())
            .get("/repos/heyns1000/omnigrid")
            .status,
        200
    );
}

#[test]
fn secondary_limits_403_and_429_with_retry_after() {
    let sb = start("secondary", small(15), false);
    let c = Client::for_sb(&sb);
    sb.add_fault_rule(FaultRule::on(
        "GET",
        "/repos/heyns1000/omnigrid",
        1,
        FaultAction::SecondaryLimit {
            status: 429,
            retry_after: 7,
        },
    ));
    sb.add_fault_rule(FaultRule::on(
        "POST",
        "/graphql",
        1,
        FaultAction::SecondaryLimit {
            status: 403,
            retry_after: 3,
        },
    ));
    let r = c.get("/repos/heyns1000/omnigrid");
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("7"));
    assert!(r.json["message"]
        .as_str()
        .unwrap()
        .starts_with("You have exceeded a secondary rate limit"));
    assert_eq!(
        c.get("/repos/heyns1000/omnigrid").status,
        200,
        "rule applied once"
    );
    let g = c.graphql(&sb.graphql_url(), "{ viewer { login } }", json!({}));
    assert_eq!(g.status, 403);
    assert_eq!(g.header("retry-after"), Some("3"));
    // a fraction of requests, seeded
    sb.set_faults(Faults {
        secondary_rate: 1.0,
        secondary_status: 429,
        retry_after: 1,
        ..Faults::default()
    });
    assert_eq!(c.get("/rate_limit").status, 429);
    sb.set_faults(Faults::default());
    assert_eq!(c.get("/rate_limit").status, 200);
}

#[test]
fn content_creation_limit_is_80_per_minute() {
    let sb = start("content_limit", small(15), false);
    let c = Client::for_sb(&sb);
    let repo = sb.repository();
    for i in 0..80 {
        let r = c.post(
            &format!("/repos/{repo}/git/blobs"),
            json!({"content": format!("blob {i}")}),
        );
        assert_eq!(r.status, 201, "request {i}");
    }
    let r = c.post(
        &format!("/repos/{repo}/git/blobs"),
        json!({"content": "one too many"}),
    );
    assert_eq!(r.status, 403);
    assert!(r.json["message"]
        .as_str()
        .unwrap()
        .contains("secondary rate limit"));
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait));
    // reads are not content creation
    assert_eq!(c.get(&format!("/repos/{repo}")).status, 200);
    // the limit is per token
    let other = c.with_token(&sb.token_named("no-workflow").unwrap());
    assert_eq!(
        other
            .post(&format!("/repos/{repo}/git/blobs"), json!({"content": "x"}))
            .status,
        201
    );
}

fn statuses(sb: &github_sandbox::Sandbox, n: usize) -> Vec<u16> {
    let c = Client::for_sb(sb);
    (0..n)
        .map(|i| {
            c.try_send(
                "GET",
                &format!("/repos/heyns1000/omnigrid/branches/main?i={i}"),
                None,
                &[],
            )
            .map(|a| a.status)
            .unwrap_or(0)
        })
        .collect()
}

#[test]
fn injected_errors_are_reproducible_by_seed() {
    let faults = Faults {
        error_rate: 0.3,
        error_status: 502,
        seed: 42,
        ..Faults::default()
    };
    let a = start(
        "faults_a",
        SandboxConfig {
            faults: faults.clone(),
            ..small(12)
        },
        false,
    );
    let b = start(
        "faults_b",
        SandboxConfig {
            faults: faults.clone(),
            ..small(12)
        },
        false,
    );
    let (sa, sb_) = (statuses(&a, 60), statuses(&b, 60));
    assert_eq!(sa, sb_, "same seed, same faults");
    let errors = sa.iter().filter(|s| **s == 502).count();
    assert!((8..=30).contains(&errors), "about 30% of 60: {errors}");
    assert_eq!(a.counters().injected_errors as usize, errors);
    let c = start(
        "faults_c",
        SandboxConfig {
            faults: Faults { seed: 43, ..faults },
            ..small(12)
        },
        false,
    );
    assert_ne!(statuses(&c, 60), sa, "another seed, other faults");
    // changed at run time
    a.set_faults(Faults::default());
    assert!(statuses(&a, 10).iter().all(|s| *s == 200));
}

#[test]
fn a_rest_requests_fate_ignores_its_body_a_graphql_requests_does_not() {
    let cfg = || SandboxConfig {
        faults: Faults {
            error_rate: 0.5,
            seed: 9,
            ..Faults::default()
        },
        ..small(12)
    };
    let (sb, other) = (
        start("fault_key_a", cfg(), false),
        start("fault_key_b", cfg(), false),
    );
    // The same REST paths with bodies that differ (as audit artifacts with timestamps do)
    // meet the same faults as with one body.
    let fates = |sb: &github_sandbox::Sandbox, stamp: bool| -> Vec<bool> {
        let c = Client::for_sb(sb);
        (0..12)
            .map(|i| {
                let content = if stamp {
                    format!("at {i}")
                } else {
                    "same".into()
                };
                c.try_send(
                    "POST",
                    &format!("/repos/heyns1000/fleet-control/git/blobs?k={}", i % 3),
                    Some(&json!({"content": content})),
                    &[],
                )
                .is_ok_and(|a| a.status == 502)
            })
            .collect()
    };
    let a = fates(&sb, true);
    assert_eq!(a, fates(&other, false), "REST bodies do not change fates");
    assert!(a.contains(&true) && a.contains(&false), "{a:?}");
    // GraphQL (always `POST /graphql`): the body is the operation, so one operation sent 20
    // times meets other faults than 20 different operations sent once each.
    let graphql = |sb: &github_sandbox::Sandbox, distinct: bool| -> Vec<bool> {
        let c = Client::for_sb(sb);
        (0..20)
            .map(|i| {
                let name = if distinct { i } else { 0 };
                let q = format!("query Q{name} {{ viewer {{ login }} }}");
                c.graphql(&sb.graphql_url(), &q, json!({})).status == 502
            })
            .collect()
    };
    assert_ne!(graphql(&sb, false), graphql(&other, true));
}

#[test]
fn a_token_revoked_after_k_requests_answers_401() {
    let sb = start("revoke", small(12), false);
    let c = Client::for_sb(&sb);
    sb.revoke_token_after(&sb.token(), 3);
    let statuses: Vec<u16> = (0..5)
        .map(|_| c.get("/repos/heyns1000/omnigrid").status)
        .collect();
    assert_eq!(statuses, [200, 200, 200, 401, 401]);
    assert_eq!(
        c.get("/repos/heyns1000/omnigrid").json["message"],
        "Bad credentials"
    );
    assert_eq!(sb.counters().revoked, 3);
    // Other tokens are unaffected.
    let ro = c.with_token(&sb.token_named("read-only").unwrap());
    assert_eq!(ro.get("/repos/heyns1000/omnigrid").status, 200);
}

#[test]
fn dropped_connections_and_latency() {
    let sb = start("drops", small(12), false);
    let c = Client::for_sb(&sb);
    sb.add_fault_rule(FaultRule::on(
        "GET",
        "/repos/heyns1000/omnigrid",
        2,
        FaultAction::Drop,
    ));
    assert!(c
        .try_send("GET", "/repos/heyns1000/omnigrid", None, &[])
        .is_err());
    assert!(c
        .try_send("GET", "/repos/heyns1000/omnigrid", None, &[])
        .is_err());
    assert_eq!(c.get("/repos/heyns1000/omnigrid").status, 200);
    assert_eq!(sb.counters().dropped, 2);
    sb.set_faults(Faults {
        latency: Duration::from_millis(150),
        ..Faults::default()
    });
    let t = Instant::now();
    assert_eq!(c.get("/rate_limit").status, 200);
    assert!(t.elapsed() >= Duration::from_millis(150));
    sb.set_faults(Faults {
        drop_rate: 1.0,
        ..Faults::default()
    });
    assert!(c.try_send("GET", "/rate_limit", None, &[]).is_err());
}

#[test]
fn unexpected_routes_are_404_and_recorded() {
    let sb = start("unexpected", small(12), false);
    let c = Client::for_sb(&sb);
    let r = c.get("/repos/heyns1000/omnigrid/issues");
    assert_eq!(r.status, 404);
    assert_eq!(r.json["message"], "Not Found");
    assert_eq!(
        c.send(
            "PUT",
            "/repos/heyns1000/omnigrid/contents/x",
            Some(&json!({}))
        )
        .status,
        404
    );
    assert_eq!(
        sb.unexpected_routes(),
        vec![
            "GET /repos/heyns1000/omnigrid/issues".to_string(),
            "PUT /repos/heyns1000/omnigrid/contents/x".to_string()
        ]
    );
    assert_eq!(sb.counters().unexpected, 2);
    // Their log entries are marked (the JSONL form too); the others are not.
    let marked: Vec<(String, bool)> = sb
        .log_entries()
        .iter()
        .map(|e| (e.path.clone(), e.to_json()["unexpected"] == json!(true)))
        .collect();
    assert_eq!(
        marked,
        vec![
            ("/repos/heyns1000/omnigrid/issues".to_string(), true),
            ("/repos/heyns1000/omnigrid/contents/x".to_string(), true),
        ]
    );
    assert_eq!(c.get("/repos/heyns1000/omnigrid").status, 200);
    assert_eq!(sb.log_entries()[2].to_json().get("unexpected"), None);
    // Clearing the log midway forgets entries and counters, never the unexpected routes.
    sb.clear_log();
    assert_eq!(sb.counters().unexpected, 0);
    assert!(sb.log_entries().is_empty());
    assert_eq!(sb.unexpected_routes().len(), 2);
    // A GraphQL field the sandbox does not serve is one too.
    let g = c.graphql(
        &sb.graphql_url(),
        "{ repository(owner: \"heyns1000\", name: \"omnigrid\") { homepageUrl } }",
        json!({}),
    );
    assert_eq!(g.status, 200);
    assert!(g.json["errors"].is_array(), "{}", g.json);
    assert_eq!(
        sb.unexpected_routes()[2],
        "POST /graphql field Repository.homepageUrl"
    );
    assert_eq!(sb.log_entries()[0].to_json()["unexpected"], json!(true));
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        sb.assert_no_unexpected_routes()
    }));
    assert!(caught.is_err());
}

/// The `serve` binary has nobody asserting on it: it says each unexpected route on stderr as it
/// happens and marks its `--log` entry.
#[test]
fn serve_prints_unexpected_routes_and_marks_them_in_the_log() {
    use std::io::{BufRead as _, Read as _};
    /// Our own child, killed (by its handle) however the test ends.
    struct Served(std::process::Child);
    impl Drop for Served {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let dir = std::env::temp_dir().join(format!("sandbox-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("exchanges.jsonl");
    let mut served = Served(
        std::process::Command::new(env!("CARGO_BIN_EXE_github-sandbox"))
            .args(["serve", "--repos", "12", "--seed", "7"])
            .args(["--now", "2026-01-01T07:00:00Z"])
            .arg("--log")
            .arg(&log)
            .arg("--data-dir")
            .arg(dir.join("data"))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("github-sandbox starts"),
    );
    let mut first = String::new();
    std::io::BufReader::new(served.0.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let info: serde_json::Value = serde_json::from_str(&first).expect("one JSON line");
    let c = Client::new(
        info["api_url"].as_str().unwrap(),
        info["token"].as_str().unwrap(),
    );
    assert_eq!(c.get("/repos/heyns1000/omnigrid").status, 200);
    assert_eq!(c.get("/repos/heyns1000/omnigrid/issues").status, 404);
    let mut stderr_pipe = served.0.stderr.take().unwrap();
    drop(served);
    let mut stderr = String::new();
    stderr_pipe.read_to_string(&mut stderr).unwrap();
    assert!(
        stderr.contains("github-sandbox: unexpected route: GET /repos/heyns1000/omnigrid/issues"),
        "stderr: {stderr}"
    );
    assert_eq!(stderr.matches("unexpected route").count(), 1, "{stderr}");
    let marked: Vec<bool> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["unexpected"] == json!(true))
        .collect();
    assert_eq!(marked, vec![false, true]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn refusals_on_one_repositorys_writes_only() {
    let sb = start("refusal_rule", small(12), false);
    let c = Client::for_sb(&sb);
    // An App installed with read-only access to one repository answers every write there
    // 403 "Resource not accessible by integration"; its reads and other repositories work.
    sb.add_fault_rule(FaultRule::writes(
        "/repos/heyns1000/omnigrid/",
        None,
        FaultAction::Error {
            status: 403,
            message: "Resource not accessible by integration".into(),
        },
    ));
    let sha = sb.branch_sha("heyns1000/omnigrid", "main").unwrap();
    let refused = c.post(
        "/repos/heyns1000/omnigrid/git/refs",
        json!({"ref": "refs/heads/x", "sha": sha}),
    );
    assert_eq!(refused.status, 403);
    assert_eq!(
        refused.json["message"],
        "Resource not accessible by integration"
    );
    assert_eq!(refused.json["status"], "403");
    assert_eq!(
        c.get("/repos/heyns1000/omnigrid/git/ref/heads/main").status,
        200
    );
    // GraphQL is a POST but not a write: untouched.
    let q = c.graphql(
        &sb.graphql_url(),
        "query { repository(owner: \"heyns1000\", name: \"omnigrid\") { nameWithOwner } }",
        json!({}),
    );
    assert_eq!(q.status, 200);
    let other = sb.branch_sha("heyns1000/codenest", "main").unwrap();
    let made = c.post(
        "/repos/heyns1000/codenest/git/refs",
        json!({"ref": "refs/heads/x", "sha": other}),
    );
    assert_eq!(made.status, 201);
    assert_eq!(sb.counters().injected_errors, 1);
}

#[test]
fn a_hostile_proxy_rewrites_one_value_of_an_answer() {
    let sb = start("rewrite_rule", small(12), false);
    let c = Client::for_sb(&sb);
    let hostile = json!("aaaaaa\u{e9}\n::set-output name=mode::all");
    sb.add_fault_rule(FaultRule::on(
        "GET",
        "/repos/heyns1000/omnigrid/git/ref/heads/main",
        1,
        FaultAction::Rewrite {
            pointer: "/object/sha".into(),
            value: hostile.clone(),
        },
    ));
    sb.add_fault_rule(
        FaultRule::on(
            "POST",
            "/graphql",
            1,
            FaultAction::Rewrite {
                pointer: "/data/r0/defaultBranchRef/target/oid".into(),
                value: hostile.clone(),
            },
        )
        .with_body("RewriteMe"),
    );
    let a = c.get("/repos/heyns1000/omnigrid/git/ref/heads/main");
    assert_eq!(a.status, 200);
    assert_eq!(a.json["object"]["sha"], hostile);
    assert_eq!(a.json["ref"], "refs/heads/main", "the rest is untouched");
    // Once only.
    let b = c.get("/repos/heyns1000/omnigrid/git/ref/heads/main");
    assert_eq!(
        b.json["object"]["sha"].as_str(),
        sb.branch_sha("heyns1000/omnigrid", "main").as_deref()
    );
    let q = "query RewriteMe { r0: repository(owner: \"heyns1000\", name: \"omnigrid\") { nameWithOwner defaultBranchRef { name target { oid } } } }";
    let g = c.graphql(&sb.graphql_url(), q, json!({}));
    assert_eq!(
        g.json["data"]["r0"]["defaultBranchRef"]["target"]["oid"],
        hostile
    );
    assert_eq!(g.json["data"]["r0"]["nameWithOwner"], "heyns1000/omnigrid");
    // A pointer the answer does not have leaves it as it is.
    sb.add_fault_rule(FaultRule::on(
        "GET",
        "/rate_limit",
        1,
        FaultAction::Rewrite {
            pointer: "/no/such/field".into(),
            value: json!(1),
        },
    ));
    assert!(c.get("/rate_limit").json["resources"].is_object());
    assert_eq!(sb.counters().rewritten, 2);
}
