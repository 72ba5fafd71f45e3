//! Failure alerts to a Slack-compatible webhook (`{"text": …}`): one message per run that had
//! failures, naming each repository and why. Never carries a token. Text from outside (error
//! messages from GitHub) is escaped by Slack's rules so it never forms a link or a mention,
//! and the webhook gets a short deadline so a slow receiver cannot hold the run.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::json;

use crate::outcome::{RunReport, Status};

/// The longest the webhook may take to answer, connection and whole answer included: the
/// alert is sent after the audit commit, and a receiver that accepts and then drips its answer
/// must not hold the run (and its outputs and summary) for longer than this.
pub const WEBHOOK_DEADLINE: Duration = Duration::from_secs(10);

/// U+2060 WORD JOINER: keeps `@` from starting a mention, invisibly.
const JOINER: char = '\u{2060}';

/// Makes text from outside inert in a Slack message. Slack's formatting rules ("Escaping
/// text", docs.slack.dev/messaging/formatting-message-text) reserve `&`, `<` and `>` (links
/// `<url|label>`, mentions `<@U…>`, `<!channel>`, `<!everyone>`): they become `&amp;`,
/// `&lt;` and `&gt;`, which Slack shows as the characters. A bare `@everyone`, `@channel` or
/// `@here` is a mention to Slack's legacy `link_names` parsing and to Slack-compatible servers
/// (Mattermost, Discord's `/slack` endpoint): `@` gets an invisible word joiner after it.
pub fn slack_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' => {
                out.push('@');
                out.push(JOINER);
            }
            c => out.push(c),
        }
    }
    out
}

/// Where alerts go.
#[async_trait]
pub trait Notifier: Send + Sync {
    async fn send(&self, text: &str) -> Result<(), String>;
}

/// A Slack-compatible incoming webhook.
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
    async fn send(&self, text: &str) -> Result<(), String> {
        let body = json!({ "text": text });
        // The read timeout is per read: a receiver dripping its answer a byte at a time would
        // never trip it. The deadline covers the whole exchange.
        let post = self.octo._post(self.url.as_str(), Some(&body));
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

/// The alert text for a run, or `None` when nothing failed.
pub fn alert_text(report: &RunReport) -> Option<String> {
    let failed: Vec<_> = report
        .repos
        .iter()
        .filter(|r| r.status == Status::Failed)
        .collect();
    if failed.is_empty() {
        return None;
    }
    let mut text = format!(
        ":x: priority-sync ({} mode): {} failed to sync",
        report.mode.mode,
        crate::plural::count(failed.len() as u64, "repository", "repositories")
    );
    if let Some(repo) = &report.repository {
        text.push_str(&format!(" — run in {repo}"));
    }
    for r in failed.iter().take(20) {
        // GitHub's error text: cut, then escaped (never cut inside an escape).
        let why = r.error.as_deref().unwrap_or(&r.detail);
        text.push_str(&format!(
            "\n• {}: {}",
            slack_escape(&r.repo.to_string()),
            slack_escape(&why.chars().take(200).collect::<String>())
        ));
    }
    if failed.len() > 20 {
        text.push_str(&format!(
            "\n… and {} more (see the job summary)",
            failed.len() - 20
        ));
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_escape_leaves_no_link_or_mention() {
        let j = JOINER;
        assert_eq!(
            slack_escape("<!channel> @everyone <https://evil.example|Click> a&b"),
            format!("&lt;!channel&gt; @{j}everyone &lt;https://evil.example|Click&gt; a&amp;b")
        );
        assert_eq!(slack_escape("plain text: 502"), "plain text: 502");
    }
}
