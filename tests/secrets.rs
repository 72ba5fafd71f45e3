//! Secrets never leak: with a token and a webhook URL, a run that has a failure (so the
//! webhook fires) must not print either anywhere except the runner's `::add-mask::` lines,
//! which come first; not in the summary, the outputs, the artifacts, the result files, the
//! alert itself, or any request or response body the sandbox saw.

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
            for n in needles {
                if text.contains(n) {
                    found.push(format!("{} contains a secret", p.display()));
                }
            }
        }
    }
}

#[test]
fn token_and_webhook_never_leak() {
    let mut h = Harness::start(40, 8);
    h.provokes_faults = true;
    let (hook, alerts) = webhook();
    let token = h.token.clone();
    // One repository's writes keep failing, so the run reports a failure and alerts.
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
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let needles = [token.as_str(), hook.as_str(), "xoxSECRETwebhookpath"];

    // Masked first: the mask lines come before any other output.
    let mut lines = stdout.lines();
    let first_two: Vec<&str> = lines.by_ref().take(2).collect();
    assert!(
        first_two.contains(&format!("::add-mask::{token}").as_str()),
        "{first_two:?}"
    );
    assert!(
        first_two.contains(&format!("::add-mask::{hook}").as_str()),
        "{first_two:?}"
    );
    let mut found = Vec::new();
    for (what, text) in [
        ("stdout", lines.collect::<Vec<_>>().join("\n")),
        ("stderr", stderr),
    ] {
        for n in needles {
            if text.contains(n) {
                found.push(format!("{what} contains a secret"));
            }
        }
    }
    for f in [&outputs, &summary] {
        let text = std::fs::read_to_string(f).unwrap();
        for n in needles {
            if text.contains(n) {
                found.push(format!("{} contains a secret", f.display()));
            }
        }
    }
    scan_dir(&ws, &needles, &mut found);
    scan_dir(&h.path("audit-out"), &needles, &mut found);
    // Every body the sandbox saw, both ways.
    let entries = h.sb.log_entries();
    assert!(!entries.is_empty());
    for e in &entries {
        for body in [&e.request, &e.response].into_iter().flatten() {
            let text = body.to_string();
            for n in needles {
                if text.contains(n) {
                    found.push(format!("{} {} body contains a secret", e.method, e.path));
                }
            }
        }
    }
    // The alert went out, names the failure, and carries no secret.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let alerts = alerts.lock().unwrap().clone();
    assert_eq!(alerts.len(), 1, "one alert per run with failures");
    assert!(alerts[0].contains(&victim), "{}", alerts[0]);
    for n in needles {
        if alerts[0].contains(n) {
            found.push("the alert contains a secret".into());
        }
    }
    assert!(found.is_empty(), "secrets leaked: {found:#?}");
    eprintln!(
        "SECRETS scanned: stdout, stderr, outputs, summary, {} workspace files, the alert, {} request/response bodies; leaked 0",
        std::fs::read_dir(ws.join("audit")).map(|d| d.count()).unwrap_or(0),
        entries.len() * 2
    );
}
