//! Failure alerts to a Slack-compatible webhook (`{"text": …}`): one message per run that had
//! failures, naming each repository and why. Never carries a token.

use async_trait::async_trait;
use serde_json::json;

use crate::outcome::{RunReport, Status};

/// Where alerts go.
#[async_trait]
pub trait Notifier: Send + Sync {
    async fn send(&self, text: &str) -> Result<(), String>;
}

/// A Slack-compatible incoming webhook.
pub struct Webhook {
    url: String,
    octo: octocrab::Octocrab,
}

impl Webhook {
    pub fn new(url: &str) -> Result<Self, String> {
        let origin =
            crate::github::url::origin_of(url).ok_or("the webhook URL is not an http(s) URL")?;
        let octo = octocrab::Octocrab::builder()
            .base_uri(origin)
            .map_err(|e| e.to_string())?
            .set_read_timeout(Some(std::time::Duration::from_secs(15)))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Self {
            url: url.to_string(),
            octo,
        })
    }
}

#[async_trait]
impl Notifier for Webhook {
    async fn send(&self, text: &str) -> Result<(), String> {
        let body = json!({ "text": text });
        let resp = self
            .octo
            ._post(self.url.as_str(), Some(&body))
            .await
            .map_err(|e| format!("webhook not reachable: {e}"))?;
        if resp.status().is_success() {
            Ok(())
        } else {
            // Do not echo the URL: it is a secret.
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
        let why = r.error.as_deref().unwrap_or(&r.detail);
        text.push_str(&format!(
            "\n• {}: {}",
            r.repo,
            why.chars().take(200).collect::<String>()
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
