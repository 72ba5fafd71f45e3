//! Issue 14, item 6: failure alerts beyond Slack (`notify.format`). For each format a run
//! against the sandbox where two repositories fail, with GitHub's error text hostile (mentions,
//! links, Markdown, an Adaptive Card date function, line breaks), sends exactly one POST to a
//! local receiver, as `application/json`, in that format's shape, naming both failures with
//! the hostile text made inert. The receiver answers as the real one does (Slack 200 "ok", a
//! Teams workflow 202 Accepted, Discord 204 No Content): each counts as delivered.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use common::Harness;
use github_sandbox::{FaultAction, FaultRule};
use serde_json::{json, Value};

/// GitHub's text on a refused ref update, as a hostile proxy or a crafted upstream could make
/// it: every receiver's mention and link syntax, Markdown, a date function, line breaks.
const HOSTILE: &str = "<!channel> @everyone <@U024BE7LH>\n# Heading\n> quote [Click](https://evil.example) **b** {{DATE(2017-02-14T06:08:00Z, SHORT)}} <at>Jane</at>";

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    request_line: String,
    content_type: Option<String>,
    body: String,
}

/// A receiver on 127.0.0.1:0 recording every request, answering `answer` (a status line and
/// headers, no body unless given).
fn receiver(answer: &'static str) -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = got.clone();
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            loop {
                let n = s.read(&mut chunk).unwrap_or(0);
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
                let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                    continue;
                };
                let head = String::from_utf8_lossy(&buf[..i]).to_string();
                let header = |name: &str| {
                    head.lines().skip(1).find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.trim()
                            .eq_ignore_ascii_case(name)
                            .then(|| v.trim().to_string())
                    })
                };
                let len: usize = header("content-length")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                if buf.len() >= i + 4 + len {
                    sink.lock().unwrap().push(Received {
                        request_line: head.lines().next().unwrap_or("").to_string(),
                        content_type: header("content-type"),
                        body: String::from_utf8_lossy(&buf[i + 4..i + 4 + len]).to_string(),
                    });
                    break;
                }
            }
            let _ = s.write_all(answer.as_bytes());
        }
    });
    (format!("http://{addr}/hooks/priority-sync"), got)
}

/// A run in `format` where two Top 12 repositories have their ref update refused with
/// [`HOSTILE`]: the one request the receiver got, the two repositories, and the run's output.
fn run_with_failures(format: &str, answer: &'static str) -> (Received, [String; 2], String) {
    let mut h = Harness::start(40, 8);
    h.provokes_faults = true;
    let victims: Vec<String> =
        h.sb.fleet()
            .repos
            .iter()
            .filter(|r| {
                r.exists && !r.archived && r.behind > 0 && r.behind <= 10 && r.ahead == 0 && r.top
            })
            .take(2)
            .map(|r| r.full_name.clone())
            .collect();
    assert_eq!(victims.len(), 2, "two Top 12 repositories to fast-forward");
    for v in &victims {
        h.sb.add_fault_rule(FaultRule::on(
            "PATCH",
            &format!("/repos/{v}/git/refs"),
            100,
            FaultAction::Answer {
                status: 422,
                body: json!({
                    "message": "Reference update failed",
                    // GitHub's validation-error shape (`code` is required); a custom message.
                    "errors": [{ "resource": "Reference", "field": "sha", "code": "custom", "message": HOSTILE }],
                    "documentation_url": "https://docs.github.com/rest/git/refs#update-a-reference",
                    "status": "422",
                }),
            },
        ));
    }
    let inv = h.inventory();
    let mut yaml = std::fs::read_to_string(&inv).unwrap();
    yaml.push_str(&format!("notify:\n  format: {format}\n"));
    std::fs::write(&inv, yaml).unwrap();
    let (hook, got) = receiver(answer);
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
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(!text.contains("failure alert not sent"), "{text}");
    let progress = common::progress_in(&h.path("audit-out"));
    for v in &victims {
        assert_eq!(progress[&v.to_ascii_lowercase()]["status"], "failed", "{v}");
    }
    // The alert was sent before the binary exited; the receiver thread records it first.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let got = got.lock().unwrap().clone();
    assert_eq!(
        got.len(),
        1,
        "one alert per run, never one per repository: {got:#?}"
    );
    let r = got[0].clone();
    assert_eq!(r.request_line, "POST /hooks/priority-sync HTTP/1.1");
    assert_eq!(r.content_type.as_deref(), Some("application/json"), "{r:?}");
    (r, [victims[0].clone(), victims[1].clone()], text)
}

fn payload(r: &Received) -> Value {
    serde_json::from_str(&r.body).expect("the body is JSON")
}

#[test]
fn slack_gets_one_escaped_text() {
    let (r, victims, _) = run_with_failures(
        "slack",
        "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
    );
    let p = payload(&r);
    let text = p["text"].as_str().expect("a Slack `text`");
    for v in &victims {
        assert!(text.contains(v.as_str()), "{text}");
    }
    assert!(text.contains("&lt;!channel&gt;"), "{text}");
    assert!(!text.contains(['<', '>']), "a link or mention: {text}");
    assert!(!text.contains("@everyone"), "{text}");
}

#[test]
fn teams_gets_one_adaptive_card_with_plain_text_runs() {
    let (r, victims, _) = run_with_failures(
        "teams",
        "HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
    );
    let p = payload(&r);
    assert_eq!(p["type"], "message");
    let att = &p["attachments"][0];
    assert_eq!(
        att["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(att["content"]["type"], "AdaptiveCard");
    assert_eq!(att["content"]["version"], "1.2");
    let body = att["content"]["body"].as_array().unwrap();
    // Every element is a RichTextBlock of TextRuns: no Markdown anywhere.
    let mut runs = Vec::new();
    for b in body {
        assert_eq!(b["type"], "RichTextBlock", "{b}");
        for i in b["inlines"].as_array().unwrap() {
            assert_eq!(i["type"], "TextRun", "{i}");
            runs.push(i["text"].as_str().unwrap().to_string());
        }
    }
    for v in &victims {
        let at = runs
            .iter()
            .position(|t| t == v)
            .expect("the repository's run");
        let reason = &runs[at + 1];
        assert!(reason.contains("[Click](https://evil.example)"), "{reason}");
        assert!(reason.contains("{\u{2060}{DATE("), "{reason}");
        assert!(!reason.contains(['\n', '\r']), "{reason:?}");
    }
    assert!(
        !r.body.contains("msteams"),
        "no mention entities: {}",
        r.body
    );
}

#[test]
fn discord_gets_one_message_that_pings_nobody() {
    let (r, victims, _) = run_with_failures(
        "discord",
        "HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n",
    );
    let p = payload(&r);
    assert_eq!(p["allowed_mentions"], json!({ "parse": [] }));
    assert_eq!(p["flags"], 4, "SUPPRESS_EMBEDS");
    let c = p["content"].as_str().unwrap();
    assert!(c.encode_utf16().count() <= 2000, "{c}");
    for v in &victims {
        // `_` and `-` in a name are escaped; the name is still there, bold.
        let shown = v.replace('-', "\\-").replace('_', "\\_");
        assert!(c.contains(&format!("• **{shown}**: ")), "{c}");
    }
    assert!(c.contains("\\[Click\\]\\(https\\://evil.example\\)"), "{c}");
    assert!(c.contains("\\<!channel\\>"), "{c}");
    assert!(!c.contains("@everyone"), "{c}");
    // Headline, counts, one line per failure: no heading or quote started by GitHub's text.
    assert_eq!(c.lines().count(), 4, "{c}");
}

#[test]
fn generic_gets_the_documented_object() {
    let (r, victims, _) = run_with_failures(
        "generic",
        "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
    );
    let p = payload(&r);
    assert_eq!(p["source"], "priority-sync");
    assert_eq!(p["version"], 1);
    assert_eq!(p["mode"], "top12");
    assert_eq!(p["counts"]["failed"], 2);
    assert_eq!(p["counts"]["total"], 40);
    let list = p["needs_attention"].as_array().unwrap();
    let failed: Vec<&Value> = list.iter().filter(|e| e["status"] == "failed").collect();
    assert_eq!(failed.len(), 2, "{p:#}");
    for v in &victims {
        let e = failed
            .iter()
            .find(|e| e["repository"] == v.as_str())
            .expect("each failure listed");
        let reason = e["reason"].as_str().unwrap();
        // The same characters (the receiver escapes for its sink), on one line.
        for piece in [
            "<!channel> @everyone <@U024BE7LH>",
            "[Click](https://evil.example) **b** {{DATE(2017-02-14T06:08:00Z, SHORT)}} <at>Jane</at>",
        ] {
            assert!(reason.contains(piece), "{piece} in {reason}");
        }
        assert!(!reason.chars().any(char::is_control), "{reason:?}");
    }
    assert_eq!(p["needs_attention_total"], list.len());
}
