//! GitHub's rough edges on ref writes, modelled by default: a new upstream commit reaches its
//! forks late (ref writes there answer 404 until it has; merge-upstream works at once), a ref
//! write needing the workflow permission answers 404 where merge-upstream answers 422 with
//! GitHub's wording, and a person's push can be made to land just before a given request.
//! These tests provoke 404s GitHub's API description does not list: they log off-description.

mod common;

use std::time::Duration;

use common::{small, start, Client};
use github_sandbox::{Behaviour, SandboxConfig, TokenKind, TokenSpec, WorkflowRefusal};
use serde_json::json;

/// A 3-commits-behind fork of `omnigrid-labs/omnigrid` in the small fleet.
const FORK: &str = "heyns1000/omnigrid";
const UPSTREAM: &str = "omnigrid-labs/omnigrid";

fn not_found(docs_anchor: &str) -> serde_json::Value {
    json!({
        "message": "Not Found",
        "documentation_url": format!("https://docs.github.com/rest/git/refs#{docs_anchor}"),
        "status": "404",
    })
}

/// cli/cli#4907 (recorded): `gh repo sync` → `PATCH …/git/refs/heads/master` answered 404 while
/// a GET of the same ref answered 200; cli/cli#4942: "a new commit from upstream is not yet
/// available in the fork". Creating a ref in a fork at such a commit answers Not Found too
/// (microsoft/winget-create#233, #235; googleapis/code-suggester#335). The body is GitHub's
/// 404 with the operation's link (cli/cli#7574 recorded it before `status` was added).
#[test]
fn a_new_upstream_commit_reaches_its_forks_late() {
    let sb = start("propagation_late", small(20), false);
    assert_eq!(sb.behaviour().propagation_ms, 1000, "on by default");
    let c = Client::for_sb(&sb);
    let up = sb.advance_upstream(FORK, 1, false).unwrap();

    let patch = c.patch(
        &format!("/repos/{FORK}/git/refs/heads/main"),
        json!({"sha": up, "force": false}),
    );
    assert_eq!(
        (patch.status, patch.json),
        (404, not_found("update-a-reference"))
    );
    let create = c.post(
        &format!("/repos/{FORK}/git/refs"),
        json!({"ref": "refs/heads/priority-sync/main", "sha": up}),
    );
    assert_eq!(
        (create.status, create.json),
        (404, not_found("create-a-reference"))
    );
    // The ref itself reads fine, and the upstream can use its own commit at once.
    assert_eq!(
        c.get(&format!("/repos/{FORK}/git/ref/heads/main")).status,
        200
    );
    let own = c.post(
        &format!("/repos/{UPSTREAM}/git/refs"),
        json!({"ref": "refs/heads/release", "sha": up}),
    );
    assert_eq!(own.status, 201, "{}", own.json);

    // A second later it has arrived.
    std::thread::sleep(Duration::from_millis(1100));
    let patch = c.patch(
        &format!("/repos/{FORK}/git/refs/heads/main"),
        json!({"sha": up, "force": false}),
    );
    assert_eq!(patch.status, 200, "{}", patch.json);
    assert_eq!(sb.branch_sha(FORK, "main").unwrap(), up);
}

/// cli/cli#4942: `merge-upstream` works where the ref update answered 404, and GitHub fetches
/// the upstream into the fork (winget-create#580/#581 moved to it for that reason). A commit
/// marked never to propagate waits for exactly that, however old it gets.
#[test]
fn merge_upstream_works_at_once_and_brings_a_commit_that_never_propagates() {
    let sb = start(
        "propagation_never",
        SandboxConfig {
            behaviour: Behaviour {
                propagation_ms: 20,
                ..Behaviour::default()
            },
            ..small(20)
        },
        false,
    );
    let c = Client::for_sb(&sb);
    let seeded = sb.branch_sha(UPSTREAM, "main").unwrap();
    assert!(
        !sb.never_propagate(&seeded),
        "generated commits are everywhere"
    );
    let up = sb.advance_upstream(FORK, 2, false).unwrap();
    assert!(sb.never_propagate(&up));
    std::thread::sleep(Duration::from_millis(60));

    // The tip waits; its parent, as old and not held back, has arrived.
    let tip = c.patch(
        &format!("/repos/{FORK}/git/refs/heads/main"),
        json!({"sha": up, "force": false}),
    );
    assert_eq!(tip.status, 404, "{}", tip.json);
    let parent = c.get(&format!("/repos/{UPSTREAM}/git/commits/{up}")).json["parents"][0]["sha"]
        .as_str()
        .unwrap()
        .to_string();
    let on_parent = c.post(
        &format!("/repos/{FORK}/git/refs"),
        json!({"ref": "refs/heads/halfway", "sha": parent}),
    );
    assert_eq!(on_parent.status, 201, "{}", on_parent.json);

    let m = c.post(
        &format!("/repos/{FORK}/merge-upstream"),
        json!({"branch": "main"}),
    );
    assert_eq!(m.status, 200, "{}", m.json);
    assert_eq!(m.json["merge_type"], "fast-forward");
    assert_eq!(sb.branch_sha(FORK, "main").unwrap(), up);
    // From then on the fork can use it like any other commit.
    let again = c.post(
        &format!("/repos/{FORK}/git/refs"),
        json!({"ref": "refs/heads/priority-sync/main", "sha": up}),
    );
    assert_eq!(again.status, 201, "{}", again.json);
}

/// `--propagation-ms 0` / `propagation_ms: 0` restores the old kindness: usable at once.
#[test]
fn propagation_0_makes_new_commits_usable_at_once() {
    let sb = start(
        "propagation_off",
        SandboxConfig {
            behaviour: Behaviour {
                propagation_ms: 0,
                ..Behaviour::default()
            },
            ..small(20)
        },
        true,
    );
    let c = Client::for_sb(&sb);
    let up = sb.advance_upstream(FORK, 1, false).unwrap();
    let patch = c.patch(
        &format!("/repos/{FORK}/git/refs/heads/main"),
        json!({"sha": up, "force": false}),
    );
    assert_eq!(patch.status, 200, "{}", patch.json);
}

/// A classic token without the `workflow` scope (cli/cli#7574, 2023, recorded: `PATCH
/// git/refs` → 404 Not Found) and an App installation token without `workflows` (cli/cli#10573
/// and #10574, 2025: refs still 404) are refused with 404 on ref writes; `merge-upstream`
/// answers 422 naming the workflow, worded by token kind (cli/cli#7612: "refusing to allow an
/// OAuth App to create or update workflow `…` without `workflow` scope"; cli/cli#10574:
/// "refusing to allow a GitHub App … without `workflows` permission"), with its link and
/// `"status": "422"`.
#[test]
fn workflow_refusals_are_404_on_refs_and_422_on_merge_upstream() {
    let sb = start(
        "workflow_refusal",
        SandboxConfig {
            github_app: true,
            ..small(20)
        },
        false,
    );
    let fork = "Fruitful-Global-Planet/FruitfulPlanetChange";
    assert!(sb.fleet().get(fork).unwrap().upstream_touches_workflows);
    let up = sb
        .branch_sha("fruitful-upstream/FruitfulPlanetChange", "main")
        .unwrap();
    let classic = Client::for_sb(&sb).with_token(&sb.token_named("no-workflow").unwrap());
    let r = classic.patch(
        &format!("/repos/{fork}/git/refs/heads/main"),
        json!({"sha": up, "force": false}),
    );
    assert_eq!((r.status, r.json), (404, not_found("update-a-reference")));
    // A new ref is judged against the default branch.
    let r = classic.post(
        &format!("/repos/{fork}/git/refs"),
        json!({"ref": "refs/heads/priority-sync/main", "sha": up}),
    );
    assert_eq!((r.status, r.json), (404, not_found("create-a-reference")));
    let docs = "https://docs.github.com/rest/branches/branches#sync-a-fork-branch-with-the-upstream-repository";
    let r = classic.post(
        &format!("/repos/{fork}/merge-upstream"),
        json!({"branch": "main"}),
    );
    assert_eq!(
        (r.status, r.json),
        (
            422,
            json!({
                "message": "refusing to allow an OAuth App to create or update workflow `.github/workflows/ci.yml` without `workflow` scope",
                "documentation_url": docs,
                "status": "422",
            })
        )
    );

    // An installation token asked without `workflows`.
    let app = sb.app().unwrap();
    let now = github_sandbox::util::wall_now();
    let jwt = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
        &json!({"iat": now - 60, "exp": now + 540, "iss": app.app_id}),
        &jsonwebtoken::EncodingKey::from_rsa_pem(app.private_key_pem.as_bytes()).unwrap(),
    )
    .unwrap();
    let minted = Client {
        token: None,
        ..Client::for_sb(&sb)
    }
    .try_send(
        "POST",
        &format!("/app/installations/{}/access_tokens", app.installation_id),
        Some(&json!({"permissions": {"contents": "write", "pull_requests": "write"}})),
        &[("Authorization", &format!("Bearer {jwt}"))],
    )
    .unwrap();
    assert_eq!(minted.status, 201, "{}", minted.json);
    assert!(minted.json["permissions"].get("workflows").is_none());
    let ghs = Client::for_sb(&sb).with_token(minted.json["token"].as_str().unwrap());
    let r = ghs.patch(
        &format!("/repos/{fork}/git/refs/heads/main"),
        json!({"sha": up, "force": false}),
    );
    assert_eq!(r.status, 404, "{}", r.json);
    let r = ghs.post(
        &format!("/repos/{fork}/merge-upstream"),
        json!({"branch": "main"}),
    );
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json["message"],
        "refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission"
    );

    // Updates that leave workflows alone are fine for the same tokens.
    let plain = sb.branch_sha(UPSTREAM, "main").unwrap();
    let r = classic.patch(
        &format!("/repos/{FORK}/git/refs/heads/main"),
        json!({"sha": plain}),
    );
    assert_eq!(r.status, 200, "{}", r.json);
    // And the full token may.
    let r = Client::for_sb(&sb).post(
        &format!("/repos/{fork}/merge-upstream"),
        json!({"branch": "main"}),
    );
    assert_eq!(r.status, 200, "{}", r.json);
    sb.assert_no_unexpected_routes();
}

/// `workflow_refusal: Explicit` (`--workflow-refusal explicit`) keeps the sandbox's earlier
/// 422 on refs, naming the workflow, for tests that want the reason spelled out. A
/// fine-grained token's wording is not on record (see `TokenSpec::workflow_refusal`).
#[test]
fn the_explicit_workflow_refusal_names_the_workflow_on_refs() {
    let mut cfg = SandboxConfig {
        behaviour: Behaviour {
            workflow_refusal: WorkflowRefusal::Explicit,
            ..Behaviour::default()
        },
        ..small(20)
    };
    cfg.tokens.push(TokenSpec {
        workflow: false,
        kind: TokenKind::FineGrained,
        ..TokenSpec::full(
            "fine-no-workflow",
            "github_pat_sandboxNoWorkflow0000000000000",
        )
    });
    let sb = start("workflow_refusal_explicit", cfg, true);
    let fork = "Fruitful-Global-Planet/FruitfulPlanetChange";
    let up = sb
        .branch_sha("fruitful-upstream/FruitfulPlanetChange", "main")
        .unwrap();
    let c = Client::for_sb(&sb).with_token(&sb.token_named("fine-no-workflow").unwrap());
    let r = c.patch(
        &format!("/repos/{fork}/git/refs/heads/main"),
        json!({"sha": up}),
    );
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json["message"],
        "refusing to allow a Personal Access Token to create or update workflow `.github/workflows/ci.yml` without `workflow` scope"
    );
    assert_eq!(
        r.json["documentation_url"],
        "https://docs.github.com/rest/git/refs#update-a-reference"
    );
}

/// `push_before`: a person's push lands right before the sandbox answers the request a test
/// names, so the race between a client's read and its write is hit every time.
#[test]
fn a_push_lands_on_cue_before_the_named_request() {
    let sb = start("push_on_cue", small(20), true);
    let c = Client::for_sb(&sb);
    let before = sb.branch_sha(FORK, "main").unwrap();
    let up = sb.branch_sha(UPSTREAM, "main").unwrap();
    sb.push_before(
        "PATCH",
        &format!("/repos/{FORK}/git/refs/heads/main"),
        FORK,
        "main",
    );
    assert_eq!(sb.pushed_on_cue(), vec![None]);
    let r = c.patch(
        &format!("/repos/{FORK}/git/refs/heads/main"),
        json!({"sha": up, "force": false}),
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.json["message"], "Update is not a fast forward");
    let pushed = sb.pushed_on_cue()[0].clone().expect("pushed");
    assert_eq!(sb.branch_sha(FORK, "main").unwrap(), pushed);
    assert!(sb.is_ancestor(FORK, &before, &pushed));
    // Once only: the next PATCH meets no new push.
    let again = c.patch(
        &format!("/repos/{FORK}/git/refs/heads/main"),
        json!({"sha": pushed, "force": false}),
    );
    assert_eq!(again.status, 200, "{}", again.json);
}

/// `serve` takes the settings as flags: `--workflow-refusal explicit` answers refs with the
/// explicit 422; a bad value of either flag exits 2 saying which.
#[test]
fn serve_takes_the_propagation_and_workflow_refusal_flags() {
    use std::io::BufRead as _;
    /// Our own child, killed (by its handle) however the test ends.
    struct Served(std::process::Child);
    impl Drop for Served {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let sandbox = env!("CARGO_BIN_EXE_github-sandbox");
    for (flag, value) in [("--propagation-ms", "soon"), ("--workflow-refusal", "422")] {
        let out = std::process::Command::new(sandbox)
            .args(["serve", flag, value])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag} {value}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(flag),
            "{flag}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let dir = std::env::temp_dir().join(format!("sandbox-serve-refs-{}", std::process::id()));
    let mut served = Served(
        std::process::Command::new(sandbox)
            .args(["serve", "--repos", "20", "--seed", "7"])
            .args(["--now", "2026-01-01T07:00:00Z"])
            .args(["--propagation-ms", "0", "--workflow-refusal", "explicit"])
            .arg("--data-dir")
            .arg(dir.join("data"))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("github-sandbox starts"),
    );
    let mut first = String::new();
    std::io::BufReader::new(served.0.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let info: serde_json::Value = serde_json::from_str(&first).expect("one JSON line");
    let api = info["api_url"].as_str().unwrap();
    let full = Client::new(api, info["token"].as_str().unwrap());
    let limited = Client::new(api, info["tokens"]["no-workflow"].as_str().unwrap());
    let fork = "Fruitful-Global-Planet/FruitfulPlanetChange";
    let up = full.get("/repos/fruitful-upstream/FruitfulPlanetChange/git/ref/heads/main");
    let r = limited.patch(
        &format!("/repos/{fork}/git/refs/heads/main"),
        json!({"sha": up.json["object"]["sha"]}),
    );
    assert_eq!(r.status, 422, "{}", r.json);
    assert!(r.json["message"]
        .as_str()
        .unwrap()
        .contains("without `workflow` scope"));
    drop(served);
    let _ = std::fs::remove_dir_all(&dir);
}
