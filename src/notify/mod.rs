//! Failure alerts to a webhook: one message per run that had failures, naming each repository
//! and why, in the shape `notify.format` names (Slack, a Teams workflow, Discord, or a generic
//! JSON object). Never carries a token. Text from outside (repository names, GitHub's error
//! messages) is made inert for each format by its own module, every payload stays within its
//! receiver's documented limits, and the webhook gets a short deadline so a slow receiver
//! cannot hold the run.

mod discord;
mod generic;
mod slack;
mod teams;

use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;

use crate::config::NotifyFormat;
use crate::outcome::{RunReport, Status};

pub use slack::slack_escape;

/// The longest the webhook may take to answer, connection and whole answer included: the
/// alert is sent after the audit commit, and a receiver that accepts and then drips its answer
/// must not hold the run (and its outputs and summary) for longer than this.
pub const WEBHOOK_DEADLINE: Duration = Duration::from_secs(10);

/// U+2060 WORD JOINER: keeps `@` from starting a mention (and `{{` from starting an Adaptive
/// Card date function), invisibly.
const JOINER: char = '\u{2060}';

/// A chat message names at most this many failed repositories (the rest are counted).
const MAX_LISTED: usize = 20;

/// GitHub's error text is cut to this many characters in a chat message (before escaping, so
/// an escape is never cut).
const REASON_CHARS: usize = 200;

/// Where alerts go.
#[async_trait]
pub trait Notifier: Send + Sync {
    /// Posts one JSON payload.
    async fn send(&self, payload: &Value) -> Result<(), String>;
}

/// An incoming webhook: the payload is POSTed as `application/json`.
pub struct Webhook {
    url: String,
    octo: octocrab::Octocrab,
    /// The whole exchange's deadline ([`WEBHOOK_DEADLINE`] unless shortened).
    deadline: Duration,
}

impl Webhook {
    /// A webhook answering within `deadline` (at most [`WEBHOOK_DEADLINE`]).
    pub fn new(url: &str, deadline: Duration) -> Result<Self, String> {
        let deadline = deadline.min(WEBHOOK_DEADLINE);
        let origin =
            crate::github::url::origin_of(url).ok_or("the webhook URL is not an http(s) URL")?;
        let octo = octocrab::Octocrab::builder()
            .base_uri(origin)
            .map_err(|e| e.to_string())?
            .set_connect_timeout(Some(deadline))
            .set_read_timeout(Some(deadline))
            .set_write_timeout(Some(deadline))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            url: url.to_string(),
            octo,
            deadline,
        })
    }
}

#[async_trait]
impl Notifier for Webhook {
    async fn send(&self, payload: &Value) -> Result<(), String> {
        // The read timeout is per read: a receiver dripping its answer a byte at a time would
        // never trip it. The deadline covers the whole exchange. octocrab sends a body as
        // `content-type: application/json`, which every format's receiver expects.
        let post = self.octo._post(self.url.as_str(), Some(payload));
        let resp = match tokio::time::timeout(self.deadline, post).await {
            Err(_) => {
                return Err(format!(
                    "the webhook did not answer within {}s",
                    self.deadline.as_secs_f64()
                ))
            }
            // Do not echo the URL: it is a secret.
            Ok(Err(e)) => return Err(format!("webhook not reachable: {e}")),
            Ok(Ok(resp)) => resp,
        };
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(format!("webhook answered {}", resp.status()))
        }
    }
}

/// One failed repository, as GitHub's answer left it (not yet escaped).
#[derive(Debug, Clone, PartialEq)]
pub struct Failed {
    pub repo: String,
    pub reason: String,
}

/// What one run's alert says, before any format shapes it. Texts are raw: each format
/// escapes them for its receiver.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert<'a> {
    pub report: &'a RunReport,
    /// Every failed repository, in the report's order.
    pub failed: Vec<Failed>,
}

impl<'a> Alert<'a> {
    /// The alert for a run, or `None` when nothing failed (the only trigger: one alert per
    /// run, never one per repository).
    pub fn of(report: &'a RunReport) -> Option<Self> {
        let failed: Vec<Failed> = report
            .repos
            .iter()
            .filter(|r| r.status == Status::Failed)
            .map(|r| Failed {
                repo: r.unit().to_string(),
                reason: r.error.clone().unwrap_or_else(|| r.detail.clone()),
            })
            .collect();
        (!failed.is_empty()).then_some(Self { report, failed })
    }

    /// "priority-sync (all mode): 3 repositories failed to sync", raw.
    fn headline(&self) -> String {
        format!(
            "priority-sync ({} mode): {} failed to sync",
            self.report.mode.mode,
            crate::plural::count(self.failed.len() as u64, "repository", "repositories")
        )
    }

    /// The workflow's repository (`GITHUB_REPOSITORY`, from the environment), on one line and
    /// cut to 200 characters, raw.
    fn run_in(&self) -> Option<String> {
        self.report
            .repository
            .as_deref()
            .map(|r| one_line(&cut(r, 200)))
    }

    /// The run's counts in the job summary's words, with the share in sync.
    fn counts_line(&self) -> String {
        let r = self.report;
        format!(
            "{:.1}% in sync: {} synced, {} up to date, {}, {} pending, {} skipped, {} inaccessible, {} failed",
            r.sync_percentage(),
            r.count(Status::Synced),
            r.count(Status::UpToDate),
            crate::plural::count(r.count(Status::PrOpen) as u64, "PR open", "PRs open"),
            r.count(Status::Pending),
            r.count(Status::Skipped),
            r.count(Status::Inaccessible),
            r.count(Status::Failed),
        )
    }

    /// "… and 3 more (see the job summary)".
    fn more_line(hidden: usize) -> String {
        format!("… and {hidden} more (see the job summary)")
    }
}

/// Text from outside on one line: control characters (line breaks, terminal escapes) become
/// spaces, so no format's line-start syntax (a Markdown heading, a quote, a list) can begin
/// inside it.
fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The first `n` characters of `text`, with `…` when it was longer.
fn cut(text: &str, n: usize) -> String {
    let mut out: String = text.chars().take(n).collect();
    if text.chars().nth(n).is_some() {
        out.push('…');
    }
    out
}

/// The Slack alert text for a run, or `None` when nothing failed.
pub fn alert_text(report: &RunReport) -> Option<String> {
    Alert::of(report).map(|a| slack::text(&a))
}

/// The webhook payload for a run in `format`, or `None` when nothing failed.
pub fn alert_payload(report: &RunReport, format: NotifyFormat) -> Option<Value> {
    let alert = Alert::of(report)?;
    Some(match format {
        NotifyFormat::Slack => slack::payload(&alert),
        NotifyFormat::Teams => teams::payload(&alert),
        NotifyFormat::Discord => discord::payload(&alert),
        NotifyFormat::Generic => generic::payload(&alert),
    })
}

#[cfg(test)]
pub(crate) mod test_report {
    //! Reports with failures for the formats' tests, hostile text included.

    use crate::outcome::RunReport;

    /// Mentions, links and Markdown in the syntaxes the four receivers know, line breaks that
    /// would start a heading and a quote, and a terminal escape: under the 200 characters a
    /// chat message keeps of a reason, so all of it reaches the payload.
    pub const HOSTILE: &str = "<!channel> @everyone <@U024BE7LH>\n# Heading\n> quote \
        [Click](https://evil.example) <https://evil.example|Click> **b** _i_ `c` ||s|| \
        {{DATE(2017-02-14T06:08:00Z, SHORT)}} <at>Jane</at> a & b \u{1b}[31m";

    /// A run in `all` mode (workflow repository `run_in`) with `n` failed repositories, each
    /// failing with `reason`, plus one synced, one up to date and one whose sync PR has
    /// conflicts.
    pub fn report(n: usize, reason: &str, run_in: Option<&str>) -> RunReport {
        let mut conflict = repo("o/conflict", "pr_open", None);
        conflict["pull_request"] = serde_json::json!({
            "number": 7, "url": "https://github.com/o/conflict/pull/7",
            "title": "Sync with upstream", "created": false, "conflicted": true,
        });
        let mut repos = vec![
            repo("o/ok", "synced", None),
            repo("o/same", "up_to_date", None),
            conflict,
        ];
        for i in 0..n {
            repos.push(repo(&format!("o/r{i}"), "failed", Some(reason)));
        }
        serde_json::from_value(serde_json::json!({
            "started_at": "2026-01-01T07:00:00Z",
            "finished_at": "2026-01-01T07:04:12Z",
            "mode": { "mode": "all", "source": "input" },
            "dry_run": false,
            "repository": run_in,
            "server_url": "https://github.com",
            "repos": repos,
            "warnings": [],
            "requests": {},
            "rate_limit_remaining": null,
        }))
        .unwrap()
    }

    fn repo(name: &str, status: &str, error: Option<&str>) -> serde_json::Value {
        serde_json::json!({
            "repo": name, "phase": "rest", "rank": 1, "score": 0, "tier": 0, "reasons": [],
            "action": "none", "status": status, "detail": "", "commits_behind": 0,
            "commits_ahead": 0, "security_alerts": 0, "pull_request": null, "error": error,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::test_report::*;
    use super::*;

    #[test]
    fn nothing_failed_sends_nothing_in_any_format() {
        let r = report(0, "", None);
        for f in NotifyFormat::ALL {
            assert_eq!(alert_payload(&r, f), None, "{f:?}");
        }
    }

    #[test]
    fn every_format_makes_one_payload_naming_the_failures() {
        let r = report(2, "GitHub answered 502", Some("o/hub"));
        for f in NotifyFormat::ALL {
            let p = alert_payload(&r, f).unwrap();
            let s = p.to_string();
            assert!(s.contains("o/r0") && s.contains("o/r1"), "{f:?}: {s}");
            assert!(s.contains("GitHub answered 502"), "{f:?}: {s}");
        }
    }

    /// A JSON value's shape: its keys and the kinds of its leaves (an array by its first item).
    fn shape(v: &Value) -> Value {
        match v {
            Value::Object(o) => {
                Value::Object(o.iter().map(|(k, v)| (k.clone(), shape(v))).collect())
            }
            Value::Array(a) => Value::Array(a.first().map(shape).into_iter().collect()),
            Value::String(_) => "string".into(),
            Value::Number(_) => "number".into(),
            Value::Bool(_) => "bool".into(),
            Value::Null => Value::Null,
        }
    }

    /// The README's example of each format has the shape priority-sync sends.
    #[test]
    fn the_readme_examples_have_the_payloads_shape() {
        let readme = include_str!("../../README.md");
        let section = &readme[readme.find("## Failure alerts").expect("the section")..];
        let r = report(2, "GitHub answered 502", Some("acme/fleet-ops"));
        for f in NotifyFormat::ALL {
            let intro = format!("\n`{}`", f.as_str());
            let at = section
                .find(&intro)
                .unwrap_or_else(|| panic!("no {f:?} example"));
            let block = &section[at..];
            let start = block.find("```json\n").unwrap() + "```json\n".len();
            let end = start + block[start..].find("```").unwrap();
            let example: Value = serde_json::from_str(&block[start..end])
                .unwrap_or_else(|e| panic!("{f:?}: the example is not JSON: {e}"));
            let sent = alert_payload(&r, f).unwrap();
            assert_eq!(shape(&example), shape(&sent), "{f:?}");
        }
    }

    /// `GITHUB_REPOSITORY` comes from the environment: a huge one is cut, so every format
    /// stays within its limit and still names the failure.
    #[test]
    fn a_huge_workflow_repository_is_cut_in_every_format() {
        let r = report(1, "GitHub answered 502", Some(&"<@U1>\n".repeat(10_000)));
        let a = Alert::of(&r).unwrap();
        assert_eq!(a.run_in().unwrap().chars().count(), 201);
        assert!(slack::text(&a).chars().count() < slack::TEXT_LIMIT);
        assert!(teams::payload(&a).to_string().len() <= teams::PAYLOAD_BYTES);
        let c = discord::content(&a);
        assert!(c.encode_utf16().count() <= discord::CONTENT_LIMIT);
        assert!(c.contains("GitHub answered 502"), "{c}");
        for f in NotifyFormat::ALL {
            let p = alert_payload(&r, f).unwrap().to_string();
            assert!(p.contains("o/r0") && p.len() < 10_000, "{f:?}: {}", p.len());
        }
    }

    #[test]
    fn one_line_and_cut() {
        assert_eq!(one_line("a\nb\u{1b}c"), "a b c");
        assert_eq!(cut("abcdef", 3), "abc…");
        assert_eq!(cut("abc", 3), "abc");
        assert_eq!(cut("ééé", 2), "éé…");
    }
}
