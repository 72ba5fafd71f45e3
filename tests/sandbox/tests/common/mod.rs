//! Shared helpers for the sandbox's integration tests: start a sandbox (logging to
//! `$SANDBOX_LOG_DIR` when set, so `check-api.sh` can validate every exchange) and a tiny
//! blocking HTTP client.
#![allow(dead_code)]

use std::path::PathBuf;

use github_sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;

/// A fixed generation time, so shas are reproducible.
pub const NOW: i64 = 1_767_250_800; // 2026-01-01T07:00:00Z

/// Starts a sandbox for test `name`. `conformant` tests log to `$SANDBOX_LOG_DIR/NAME.jsonl`
/// (checked against GitHub's REST description); tests that provoke statuses the description
/// does not document (401, 429, injected 5xx, dropped connections) log under `off-description/`.
pub fn start(name: &str, cfg: SandboxConfig, conformant: bool) -> Sandbox {
    let mut cfg = SandboxConfig {
        now: cfg.now.or(Some(NOW)),
        ..cfg
    };
    if let Ok(dir) = std::env::var("SANDBOX_LOG_DIR") {
        let mut p = PathBuf::from(dir);
        if !conformant {
            p = p.join("off-description");
        }
        std::fs::create_dir_all(&p).unwrap();
        cfg.log_path = Some(p.join(format!("{name}.jsonl")));
    }
    Sandbox::start(cfg).expect("sandbox starts")
}

/// A small fleet config.
pub fn small(repos: usize) -> SandboxConfig {
    SandboxConfig {
        repos,
        seed: 7,
        ..SandboxConfig::default()
    }
}

/// An answer.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub json: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A blocking client bound to one base URL and token.
pub struct Client {
    pub base: String,
    pub token: Option<String>,
    pub agent: ureq::Agent,
}

impl Client {
    pub fn new(base: &str, token: &str) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // Redirects (renamed repositories) are asserted, not followed.
            .max_redirects(0)
            .build()
            .into();
        Client {
            base: base.to_string(),
            token: Some(token.to_string()),
            agent,
        }
    }

    pub fn for_sb(sb: &Sandbox) -> Client {
        Client::new(&sb.api_url(), &sb.token())
    }

    pub fn with_token(&self, token: &str) -> Client {
        Client::new(&self.base, token)
    }

    /// Sends a request; Err when the connection failed (dropped).
    pub fn try_send(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        extra: &[(&str, &str)],
    ) -> Result<Answer, String> {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{}", self.base, path)
        };
        let mut b = ureq::http::Request::builder().method(method).uri(&url);
        if let Some(t) = &self.token {
            b = b.header("Authorization", format!("token {t}"));
        }
        b = b.header("Accept", "application/vnd.github+json");
        for (k, v) in extra {
            b = b.header(*k, *v);
        }
        let res = match body {
            Some(v) => self.agent.run(
                b.header("Content-Type", "application/json")
                    .body(v.to_string())
                    .unwrap(),
            ),
            None => self.agent.run(b.body(()).unwrap()),
        };
        let mut resp = res.map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let text = resp.body_mut().read_to_string().unwrap_or_default();
        let json = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Ok(Answer {
            status,
            headers,
            json,
        })
    }

    pub fn send(&self, method: &str, path: &str, body: Option<&Value>) -> Answer {
        self.try_send(method, path, body, &[])
            .expect("request answered")
    }

    pub fn get(&self, path: &str) -> Answer {
        self.send("GET", path, None)
    }

    pub fn post(&self, path: &str, body: Value) -> Answer {
        self.send("POST", path, Some(&body))
    }

    pub fn patch(&self, path: &str, body: Value) -> Answer {
        self.send("PATCH", path, Some(&body))
    }

    pub fn delete(&self, path: &str) -> Answer {
        self.send("DELETE", path, None)
    }

    /// POSTs a GraphQL query to `url`.
    pub fn graphql(&self, url: &str, query: &str, variables: Value) -> Answer {
        self.send(
            "POST",
            url,
            Some(&serde_json::json!({"query": query, "variables": variables})),
        )
    }
}

/// `git rev-list --count A..B` with the git CLI, against a repo's network store.
pub fn rev_list_count(sb: &Sandbox, repo: &str, range_base: &str, range_head: &str) -> usize {
    let dir = sb.git_dir(repo).unwrap();
    let out = std::process::Command::new("git")
        .arg("--git-dir")
        .arg(&dir)
        .args([
            "rev-list",
            "--count",
            &format!("{range_base}..{range_head}"),
        ])
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git rev-list failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}
