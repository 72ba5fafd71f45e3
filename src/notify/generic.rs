//! `notify.format: generic`: one JSON object for a receiver of your own (a chat bridge, an
//! incident tool, a serverless function). Its fields are documented in the README ("Failure
//! alerts") and pinned by the test below: `source`, `version`, `text`, `mode`, `dry_run`,
//! `run_repository`, `started_at`, `finished_at`, `sync_percentage`, `counts`,
//! `needs_attention` (the failed repositories, then those whose sync PR has conflicts) and
//! `needs_attention_total`. Texts are plain (JSON-escaped only, control characters made
//! spaces): the receiver escapes them for wherever it shows them.

use serde_json::{json, Map, Value};

use super::{cut, one_line, Alert};
use crate::outcome::Status;

/// The payload's version: a field renamed or removed makes it 2.
pub(super) const VERSION: u64 = 1;

/// At most this many entries in `needs_attention` (`needs_attention_total` counts them all).
pub(super) const MAX_ENTRIES: usize = 100;

/// GitHub's error text is cut to this many characters.
const REASON_CHARS: usize = 1000;

fn plain(text: &str, n: usize) -> String {
    one_line(&cut(text, n))
}

/// The repositories a person must look at: each failure with its reason, then each sync PR
/// GitHub cannot merge cleanly.
fn needs_attention(alert: &Alert) -> Vec<Value> {
    let failed = alert.failed.iter().map(|f| {
        json!({
            "repository": f.repo,
            "status": Status::Failed.as_str(),
            "reason": plain(&f.reason, REASON_CHARS),
        })
    });
    let conflicts = alert.report.repos.iter().filter_map(|r| {
        let pr = r.pull_request.as_ref().filter(|p| p.conflicted)?;
        Some(json!({
            "repository": r.unit().to_string(),
            "status": r.status.as_str(),
            "reason": format!("sync PR #{} has conflicts", pr.number),
            "pull_request": plain(&pr.url, 500),
        }))
    });
    failed.chain(conflicts).collect()
}

pub(super) fn payload(alert: &Alert) -> Value {
    let r = alert.report;
    let mut counts = Map::new();
    counts.insert("total".into(), json!(r.repos.len()));
    for s in [
        Status::Synced,
        Status::UpToDate,
        Status::PrOpen,
        Status::Pending,
        Status::Skipped,
        Status::Inaccessible,
        Status::Failed,
    ] {
        counts.insert(s.as_str().into(), json!(r.count(s)));
    }
    let attention = needs_attention(alert);
    let total = attention.len();
    let secs = chrono::SecondsFormat::Secs;
    json!({
        "source": "priority-sync",
        "version": VERSION,
        "text": alert.headline(),
        "mode": r.mode.mode.as_str(),
        "dry_run": r.dry_run,
        "run_repository": alert.run_in(),
        "started_at": r.started_at.to_rfc3339_opts(secs, true),
        "finished_at": r.finished_at.to_rfc3339_opts(secs, true),
        "sync_percentage": r.sync_percentage(),
        "counts": counts,
        "needs_attention": attention.into_iter().take(MAX_ENTRIES).collect::<Vec<_>>(),
        "needs_attention_total": total,
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_report::{report, HOSTILE};
    use super::*;

    /// The documented shape, field by field (README, "Failure alerts").
    #[test]
    fn the_payload_is_the_documented_object() {
        let r = report(2, "GitHub answered 502", Some("o/hub"));
        let p = payload(&Alert::of(&r).unwrap());
        assert_eq!(
            p,
            json!({
                "source": "priority-sync",
                "version": 1,
                "text": "priority-sync (all mode): 2 repositories failed to sync",
                "mode": "all",
                "dry_run": false,
                "run_repository": "o/hub",
                "started_at": "2026-01-01T07:00:00Z",
                "finished_at": "2026-01-01T07:04:12Z",
                "sync_percentage": r.sync_percentage(),
                "counts": { "total": 5, "synced": 1, "up_to_date": 1, "pr_open": 1,
                            "pending": 0, "skipped": 0, "inaccessible": 0, "failed": 2 },
                "needs_attention": [
                    { "repository": "o/r0", "status": "failed", "reason": "GitHub answered 502" },
                    { "repository": "o/r1", "status": "failed", "reason": "GitHub answered 502" },
                    { "repository": "o/conflict", "status": "pr_open",
                      "reason": "sync PR #7 has conflicts",
                      "pull_request": "https://github.com/o/conflict/pull/7" },
                ],
                "needs_attention_total": 3,
            })
        );
    }

    /// Hostile text arrives as the same characters (JSON escapes them; the receiver escapes
    /// for its own sink), minus control characters, and round-trips through a JSON parser.
    #[test]
    fn hostile_text_is_plain_json() {
        let r = report(1, HOSTILE, Some("o/\u{1b}[2Jhub"));
        let p = payload(&Alert::of(&r).unwrap());
        let back: Value = serde_json::from_str(&p.to_string()).unwrap();
        assert_eq!(back, p);
        let reason = p["needs_attention"][0]["reason"].as_str().unwrap();
        assert_eq!(reason, HOSTILE.replace(['\u{1b}', '\n'], " "));
        assert_eq!(p["run_repository"], "o/ [2Jhub");
    }

    /// Huge texts and fleets: reasons cut, at most 100 entries, all of them counted.
    #[test]
    fn very_long_text_and_many_failures_are_bounded() {
        let r = report(250, &"x".repeat(50_000), None);
        let p = payload(&Alert::of(&r).unwrap());
        let list = p["needs_attention"].as_array().unwrap();
        assert_eq!(list.len(), MAX_ENTRIES);
        assert_eq!(p["needs_attention_total"], 251);
        assert_eq!(p["counts"]["failed"], 250);
        let reason = list[0]["reason"].as_str().unwrap();
        assert_eq!(reason.chars().count(), REASON_CHARS + 1, "cut, with `…`");
        assert!(p.to_string().len() < 200_000);
    }
}
