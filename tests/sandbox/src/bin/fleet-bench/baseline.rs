//! `fleet-bench baseline-worker`: what the source's script does for metadata, per
//! repository and one request at a time (repository, compare with its parent, open pulls,
//! workflows), over a keep-alive HTTP/1.1 connection.

use std::path::Path;
use std::process::ExitCode;

use github_sandbox::util::percent_encode;
use serde_json::{json, Value};

use crate::http::Http;

/// `fleet-bench baseline-worker API_URL TOKEN REPOS_FILE OUT_FILE`: what the source's script
/// does for metadata, per repository and one request at a time.
pub fn baseline_worker(args: &[String]) -> ExitCode {
    let [api, token, repos, out] = args else {
        eprintln!("usage: fleet-bench baseline-worker API_URL TOKEN REPOS_FILE OUT_FILE");
        return ExitCode::from(2);
    };
    match baseline(api, token, Path::new(repos)) {
        Ok(found) => match std::fs::write(out, found.to_string()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("baseline: {out}: {e}");
                ExitCode::from(2)
            }
        },
        Err(e) => {
            eprintln!("baseline: {e}");
            ExitCode::from(2)
        }
    }
}

pub fn baseline(api: &str, token: &str, repos: &Path) -> Result<Value, String> {
    let list = std::fs::read_to_string(repos).map_err(|e| format!("{}: {e}", repos.display()))?;
    let mut http = Http::new(api, token)?;
    let mut found = serde_json::Map::new();
    for full in list.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (status, body) = http.get(&format!("/repos/{full}"))?;
        if status != 200 {
            found.insert(full.into(), json!({ "status": status }));
            continue;
        }
        let repo: Value = serde_json::from_slice(&body).map_err(|e| format!("{full}: {e}"))?;
        let branch = repo["default_branch"]
            .as_str()
            .unwrap_or("main")
            .to_string();
        let mut entry = json!({ "status": status, "archived": repo["archived"] });
        if let Some(parent) = repo["parent"]["full_name"].as_str() {
            let (po, pn) = parent.split_once('/').unwrap_or((parent, ""));
            let pb = repo["parent"]["default_branch"].as_str().unwrap_or(&branch);
            let (s, body) = http.get(&format!(
                "/repos/{full}/compare/{}...{po}:{pn}:{}",
                percent_encode(&branch, true),
                percent_encode(pb, true)
            ))?;
            if s == 200 {
                let c: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                entry["behind"] = c["ahead_by"].clone();
                entry["ahead"] = c["behind_by"].clone();
            }
        }
        let (_, body) = http.get(&format!("/repos/{full}/pulls?state=open"))?;
        let pulls: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        entry["open_prs"] = json!(pulls.as_array().map_or(0, Vec::len));
        let (_, body) = http.get(&format!("/repos/{full}/actions/workflows"))?;
        let wf: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        entry["workflows"] = wf["total_count"].clone();
        found.insert(full.into(), entry);
    }
    Ok(Value::Object(found))
}
