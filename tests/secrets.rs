//! Secrets never leak: with a token and a webhook URL, a run that has a failure (so the
//! webhook fires) must not print either anywhere except the runner's `::add-mask::` lines,
//! which come first; not in the summary, the outputs, the artifacts, the result files, the
//! alert itself, or any request or response body the sandbox saw. The same holds for a
//! sharded run: each shard job's result file, outputs and summary, and the `report` job that
//! merges them.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use common::Harness;
use github_sandbox::{FaultAction, FaultRule};

/// A one-route HTTP server that records request bodies, standing in for Slack.
fn webhook() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = got.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut s = stream;
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            // Read headers, then the body by content-length.
            loop {
                let n = s.read(&mut chunk).unwrap_or(0);
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf).to_string();
                if let Some(i) = text.find("\r\n\r\n") {
                    let len = text[..i]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if buf.len() >= i + 4 + len {
                        sink.lock()
                            .unwrap()
                            .push(String::from_utf8_lossy(&buf[i + 4..i + 4 + len]).to_string());
                        break;
                    }
                }
            }
            let _ =
                s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
        }
    });
    (
        format!("http://{addr}/services/T0SECRET/B0SECRET/xoxSECRETwebhookpath"),
        got,
    )
}

fn scan_dir(dir: &std::path::Path, needles: &[&str], found: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            scan_dir(&p, needles, found);
        } else if let Ok(bytes) = std::fs::read(&p) {
            let text = String::from_utf8_lossy(&bytes);
            scan_text(&p.display().to_string(), &text, needles, found);
        }
    }
}

/// Records where any of `needles` occurs in `text`.
fn scan_text(what: &str, text: &str, needles: &[&str], found: &mut Vec<String>) {
    for n in needles {
        if text.contains(n) {
            found.push(format!("{what} contains a secret"));
        }
    }
}

/// The masks come first (`masks` must be among the first lines of stdout); after them, no
/// secret appears in stdout or stderr.
fn scan_output(
    what: &str,
    out: &std::process::Output,
    masks: &[&str],
    needles: &[&str],
    found: &mut Vec<String>,
) {
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let mut lines = stdout.lines();
    let first: Vec<&str> = lines.by_ref().take(masks.len()).collect();
    for m in masks {
        assert!(
            first.contains(&format!("::add-mask::{m}").as_str()),
            "{what}: not masked first: {first:?}"
        );
    }
    scan_text(
        &format!("{what} stdout"),
        &lines.collect::<Vec<_>>().join("\n"),
        needles,
        found,
    );
    scan_text(
        &format!("{what} stderr"),
        &String::from_utf8_lossy(&out.stderr),
        needles,
        found,
    );
}

/// Every request and response body the sandbox saw; returns how many it scanned.
fn scan_bodies(h: &Harness, needles: &[&str], found: &mut Vec<String>) -> usize {
    let entries = h.sb.log_entries();
    assert!(!entries.is_empty());
    for e in &entries {
        for body in [&e.request, &e.response].into_iter().flatten() {
            scan_text(
                &format!("{} {} body", e.method, e.path),
                &body.to_string(),
                needles,
                found,
            );
        }
    }
    entries.len() * 2
}

/// A top repository to fast-forward whose ref updates keep failing (so the run alerts).
fn failing_victim(h: &Harness) -> String {
    let victim =
        h.sb.fleet()
            .repos
            .iter()
            .find(|r| {
                r.exists && !r.archived && r.behind > 0 && r.behind <= 10 && r.ahead == 0 && r.top
            })
            .expect("a top repository to fast-forward")
            .full_name
            .clone();
    h.sb.add_fault_rule(FaultRule::on(
        "PATCH",
        &format!("/repos/{victim}/git/refs"),
        100,
        FaultAction::Status(502),
    ));
    victim
}

#[test]
fn token_and_webhook_never_leak() {
    let mut h = Harness::start(40, 8);
    h.provokes_faults = true;
    let (hook, alerts) = webhook();
    let token = h.token.clone();
    // One repository's writes keep failing, so the run reports a failure and alerts.
    let victim = failing_victim(&h);

    let ws = h.path("ws");
    std::fs::create_dir_all(&ws).unwrap();
    let outputs = h.path("outputs");
    let summary = h.path("summary");
    let inv = h.inventory();
    let out = h.run(
        &[],
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_TOKEN", ""),
            ("INPUT_TOKEN", &token),
            ("INPUT_WEBHOOK_URL", &hook),
            ("INPUT_MODE", "top12"),
            ("INPUT_CONFIG", inv.to_str().unwrap()),
            ("GITHUB_WORKSPACE", ws.to_str().unwrap()),
            ("GITHUB_OUTPUT", outputs.to_str().unwrap()),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let needles = [token.as_str(), hook.as_str(), "xoxSECRETwebhookpath"];
    let mut found = Vec::new();
    // Masked first: the mask lines come before any other output.
    scan_output("the run", &out, &[&token, &hook], &needles, &mut found);
    for f in [&outputs, &summary] {
        let text = std::fs::read_to_string(f).unwrap();
        scan_text(&f.display().to_string(), &text, &needles, &mut found);
    }
    h.check_text(
        "the job summary",
        &std::fs::read_to_string(&summary).unwrap(),
        false,
    );
    scan_dir(&ws, &needles, &mut found);
    scan_dir(&h.path("audit-out"), &needles, &mut found);
    // Every body the sandbox saw, both ways.
    let bodies = scan_bodies(&h, &needles, &mut found);
    // The alert went out, names the failure, and carries no secret.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let alerts = alerts.lock().unwrap().clone();
    assert_eq!(alerts.len(), 1, "one alert per run with failures");
    assert!(alerts[0].contains(&victim), "{}", alerts[0]);
    scan_text("the alert", &alerts[0], &needles, &mut found);
    assert!(found.is_empty(), "secrets leaked: {found:#?}");
    eprintln!(
        "SECRETS scanned: stdout, stderr, outputs, summary, {} workspace files, the alert, {bodies} request/response bodies; leaked 0",
        std::fs::read_dir(ws.join("audit")).map(|d| d.count()).unwrap_or(0),
    );
}

#[test]
fn shard_jobs_and_the_report_job_never_leak() {
    let mut h = Harness::start(40, 8);
    h.provokes_faults = true;
    let (hook, alerts) = webhook();
    let token = h.token.clone();
    let victim = failing_victim(&h);
    let needles = [token.as_str(), hook.as_str(), "xoxSECRETwebhookpath"];
    let ws = h.path("ws");
    std::fs::create_dir_all(&ws).unwrap();
    let inv = h.inventory();
    let mut found = Vec::new();
    let mut files = 0;
    // Two shard jobs of an `all` run, then the report job, as a matrix workflow runs them in
    // one workspace (the result files are handed over as artifacts).
    let jobs = [("all", "1/2"), ("all", "2/2"), ("report", "")];
    for (i, (mode, shard)) in jobs.iter().enumerate() {
        let outputs = h.path(&format!("outputs-{i}"));
        let summary = h.path(&format!("summary-{i}"));
        let out = h.run(
            &[],
            &[
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_TOKEN", ""),
                ("INPUT_TOKEN", &token),
                ("INPUT_WEBHOOK_URL", &hook),
                ("INPUT_MODE", mode),
                ("INPUT_SHARD", shard),
                ("INPUT_CONFIG", inv.to_str().unwrap()),
                ("GITHUB_WORKSPACE", ws.to_str().unwrap()),
                ("GITHUB_OUTPUT", outputs.to_str().unwrap()),
                ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
            ],
        );
        let what = if shard.is_empty() {
            "report job".to_string()
        } else {
            format!("shard {shard}")
        };
        assert!(
            out.status.success(),
            "{what}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        scan_output(&what, &out, &[&token, &hook], &needles, &mut found);
        h.check_text(
            &format!("{what}'s summary"),
            &std::fs::read_to_string(&summary).unwrap_or_default(),
            false,
        );
        for f in [&outputs, &summary] {
            let text = std::fs::read_to_string(f).unwrap();
            assert!(!text.is_empty(), "{what}: {} is empty", f.display());
            scan_text(&f.display().to_string(), &text, &needles, &mut found);
            files += 1;
        }
    }
    // The shard result files exist (so they were scanned) and name the failure.
    let results = ws.join("priority-sync-results");
    for i in 1..=2 {
        let text = std::fs::read_to_string(results.join(format!("shard-{i}-of-2.json")))
            .unwrap_or_else(|e| panic!("shard {i}'s result file: {e}"));
        assert!(text.contains("\"repo\""), "shard {i}: {text}");
    }
    let merged = std::fs::read_to_string(ws.join("audit/sync-progress.json")).unwrap();
    assert!(merged.contains(&victim), "the report merged the failure");
    for dir in [&results, &ws.join("audit")] {
        files += std::fs::read_dir(dir).unwrap().count();
        scan_dir(dir, &needles, &mut found);
    }
    let bodies = scan_bodies(&h, &needles, &mut found);
    // One alert for the whole run, from the report job (the shard that met the failure
    // leaves it to the report); it names the failure and carries no secret.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let alerts = alerts.lock().unwrap().clone();
    assert_eq!(alerts.len(), 1, "one alert per run: {alerts:#?}");
    assert!(alerts[0].contains(&victim), "{alerts:?}");
    for a in &alerts {
        scan_text("an alert", a, &needles, &mut found);
    }
    assert!(found.is_empty(), "secrets leaked: {found:#?}");
    eprintln!(
        "SECRETS scanned (2 shard jobs + report): stdout, stderr, {files} output/summary/result/artifact files, {} alerts, {bodies} request/response bodies; leaked 0",
        alerts.len()
    );
}

/// Finding 7 (issue 13): GitHub's error text goes into the alert, and Slack reads `<…>` as a
/// link or a mention (`<!channel>`, `<@U…>`, `<https://evil.example|Click>` shows "Click"
/// and opens evil.example) and a bare `@everyone` as a mention under its legacy parsing and on
/// Slack-compatible servers. One repository's ref update is refused with such a message: the
/// alert names the failure, shows the text, and none of it forms a link or a mention.
#[test]
fn hostile_error_text_never_forms_a_link_or_a_mention_in_the_alert() {
    let mut h = Harness::start(40, 8);
    h.provokes_faults = true;
    let (hook, alerts) = webhook();
    let victim =
        h.sb.fleet()
            .repos
            .iter()
            .find(|r| {
                r.exists && !r.archived && r.behind > 0 && r.behind <= 10 && r.ahead == 0 && r.top
            })
            .expect("a top repository to fast-forward")
            .full_name
            .clone();
    let hostile = "<!channel> @everyone @here <https://evil.example|Click> <@U024BE7LH> a & b";
    h.sb.add_fault_rule(FaultRule::on(
        "PATCH",
        &format!("/repos/{victim}/git/refs"),
        100,
        FaultAction::Answer {
            status: 422,
            body: serde_json::json!({
                "message": "Reference update failed",
                // GitHub's validation-error shape (`code` is required); a custom message.
                "errors": [{ "resource": "Reference", "field": "sha", "code": "custom", "message": hostile }],
                "documentation_url": "https://docs.github.com/rest/git/refs#update-a-reference",
                "status": "422",
            }),
        },
    ));
    let inv = h.inventory();
    let out = h.run(
        &[
            "run",
            "--config",
            inv.to_str().unwrap(),
            "--mode",
            "top12",
            "--artifacts-dir",
            "audit-out",
        ],
        &[("PRIORITY_SYNC_WEBHOOK_URL", &hook)],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::thread::sleep(std::time::Duration::from_millis(200));
    let alerts = alerts.lock().unwrap().clone();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let payload: serde_json::Value = serde_json::from_str(&alerts[0]).unwrap();
    let text = payload["text"].as_str().expect("a Slack `text`");
    assert!(text.contains(&victim), "{text}");
    // The text is shown, escaped as Slack's formatting rules require ...
    assert!(
        text.contains("&lt;!channel&gt;") && text.contains("&lt;https://evil.example|Click&gt;"),
        "{text}"
    );
    // ... and forms nothing: Slack's links and mentions all need `<`, and `&` only starts an
    // escape Slack decodes for display.
    assert!(!text.contains(['<', '>']), "a link or mention: {text}");
    for (i, _) in text.match_indices('&') {
        let rest = &text[i..];
        assert!(
            ["&amp;", "&lt;", "&gt;"]
                .iter()
                .any(|e| rest.starts_with(e)),
            "a bare `&` at {i}: {text}"
        );
    }
    for mention in ["@everyone", "@here", "@channel"] {
        assert!(!text.contains(mention), "{mention} in {text}");
    }
}
