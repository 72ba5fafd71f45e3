//! Measuring one scenario: its in-process sandbox (the fleet, the latency, primary budgets
//! raised, GitHub's secondary and GraphQL limits as the sandbox's defaults have them),
//! a scratch directory, the measured child process (wall time and its own peak RSS, through
//! the `measure-child` launcher), the environment priority-sync needs, and the request
//! counts and budgets a scenario reports.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use github_sandbox::{Counters, Faults, Sandbox, SandboxConfig, TokenSpec};
use serde_json::{json, Value};

use crate::http::Http;
use crate::{progress, Args, NOW};

/// A sandbox for one scenario: the fleet, the latency, and the primary limits raised so that
/// hourly budgets never interfere with what is measured (the report shows what each scenario
/// would spend of them instead). GitHub's secondary limits (points per endpoint, content per
/// minute and hour) and GraphQL's query limits and timeout stay as the sandbox's defaults:
/// each scenario counts what it ran into.
pub fn start_sandbox(a: &Args, content_limit: u32) -> Result<Sandbox, String> {
    let tokens = TokenSpec::defaults()
        .into_iter()
        .map(|mut t| {
            t.core_limit = 1_000_000_000;
            t.graphql_limit = 1_000_000_000;
            t
        })
        .collect();
    let t0 = Instant::now();
    let sb = Sandbox::start(SandboxConfig {
        repos: a.repos,
        seed: a.seed,
        now: Some(NOW),
        tokens,
        faults: Faults {
            latency: Duration::from_millis(a.latency_ms),
            ..Faults::default()
        },
        content_limit_per_minute: content_limit,
        log_capacity: 0,
        ..SandboxConfig::default()
    })
    .map_err(|e| format!("the sandbox did not start: {e}"))?;
    progress(&format!(
        "sandbox up: {} repositories, {} ms latency ({:.1} s)",
        a.repos,
        a.latency_ms,
        t0.elapsed().as_secs_f64()
    ));
    Ok(sb)
}

/// A scratch directory for one scenario (kept under `--keep`).
pub struct Scratch {
    pub path: PathBuf,
    remove: bool,
}

impl Scratch {
    pub fn new(a: &Args, name: &str) -> Result<Scratch, String> {
        let (path, remove) = match &a.keep {
            Some(dir) => (dir.join(name), false),
            None => (
                std::env::temp_dir().join(format!("fleet-bench-{}-{name}", std::process::id())),
                true,
            ),
        };
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Scratch { path, remove })
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if self.remove {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// What a child process did.
pub struct ChildRun {
    pub code: i32,
    pub wall: Duration,
    pub peak_rss_kb: i64,
}

/// Runs `exe args` in `dir` with exactly `env` (plus PATH), stdout and stderr to files.
///
/// A child's `ru_maxrss` also counts the memory of the process it was started from (Linux
/// records the pre-`exec` image's high-water mark), and this process hosts the sandbox. So the
/// program is started by a small launcher (`fleet-bench measure-child`, ~3 MB) that waits for
/// it with `wait4` and reports its exit status, wall time and peak RSS.
pub fn run_child(
    exe: &Path,
    args: &[String],
    env: &[(String, String)],
    dir: &Path,
    name: &str,
) -> Result<ChildRun, String> {
    let out =
        std::fs::File::create(dir.join(format!("{name}.stdout"))).map_err(|e| e.to_string())?;
    let err =
        std::fs::File::create(dir.join(format!("{name}.stderr"))).map_err(|e| e.to_string())?;
    let result = dir.join(format!("{name}.rusage.json"));
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut cmd = Command::new(me);
    cmd.arg("measure-child")
        .arg(&result)
        .arg(exe)
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let status = cmd
        .status()
        .map_err(|e| format!("cannot start the launcher for {}: {e}", exe.display()))?;
    let text = std::fs::read_to_string(&result).map_err(|e| {
        format!(
            "the launcher for {} left no result ({status}): {e}",
            exe.display()
        )
    })?;
    let v: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", result.display()))?;
    Ok(ChildRun {
        code: v["code"].as_i64().unwrap_or(-1) as i32,
        wall: Duration::from_secs_f64(v["wall_s"].as_f64().unwrap_or(0.0)),
        peak_rss_kb: v["maxrss_kb"].as_i64().unwrap_or(0),
    })
}

/// `fleet-bench measure-child RESULT PROGRAM ARGS…`: runs PROGRAM (same environment, working
/// directory and standard streams), then writes `{"code","wall_s","maxrss_kb"}` to RESULT.
pub fn measure_child(args: &[String]) -> ExitCode {
    let [result, program, rest @ ..] = args else {
        eprintln!("usage: fleet-bench measure-child RESULT PROGRAM [ARGS…]");
        return ExitCode::from(2);
    };
    let t0 = Instant::now();
    let child = match Command::new(program).args(rest).spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("fleet-bench: cannot start {program}: {e}");
            return ExitCode::from(2);
        }
    };
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data, and `pid` is our own child, reaped exactly once here.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = loop {
        // SAFETY: valid pointers to locals; see above.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r == -1 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        break r;
    };
    let wall = t0.elapsed();
    drop(child);
    if reaped != pid {
        eprintln!(
            "fleet-bench: wait4 failed: {}",
            std::io::Error::last_os_error()
        );
        return ExitCode::from(2);
    }
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -libc::WTERMSIG(status)
    };
    let v = json!({ "code": code, "wall_s": wall.as_secs_f64(), "maxrss_kb": usage.ru_maxrss });
    match std::fs::write(result, v.to_string()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fleet-bench: {result}: {e}");
            ExitCode::from(2)
        }
    }
}

pub fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// The environment `priority-sync` needs to reach the sandbox.
pub fn sync_env(sb: &Sandbox, writes_per_minute: Option<u32>) -> Vec<(String, String)> {
    let branch = sb
        .default_branch(&sb.repository())
        .unwrap_or_else(|| "main".into());
    let mut env = vec![
        ("GITHUB_API_URL".to_string(), sb.api_url()),
        ("GITHUB_GRAPHQL_URL".to_string(), sb.graphql_url()),
        ("GITHUB_TOKEN".to_string(), sb.token()),
        ("GITHUB_REPOSITORY".to_string(), sb.repository()),
        ("GITHUB_REF".to_string(), format!("refs/heads/{branch}")),
        (
            "GITHUB_SERVER_URL".to_string(),
            "https://github.example".to_string(),
        ),
    ];
    if let Some(w) = writes_per_minute {
        env.push(("PRIORITY_SYNC_WRITES_PER_MINUTE".into(), w.to_string()));
    }
    env
}

pub fn kinds(c: &Counters) -> Value {
    json!({ "graphql": c.graphql, "compare": c.compare, "writes": c.writes, "other": c.other })
}

pub fn round(x: f64, places: i32) -> f64 {
    let m = 10f64.powi(places);
    (x * m).round() / m
}

/// The common fields of one measured scenario.
pub fn measured(
    c: &Counters,
    repos: usize,
    wall: Duration,
    rss_kb: i64,
) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("requests_total".into(), json!(c.total));
    m.insert("requests_by_kind".into(), kinds(c));
    m.insert(
        "requests_per_repo".into(),
        json!(round(c.total as f64 / repos.max(1) as f64, 4)),
    );
    m.insert("wall_s".into(), json!(round(wall.as_secs_f64(), 3)));
    m.insert(
        "peak_rss_mb".into(),
        json!(round(rss_kb as f64 / 1024.0, 1)),
    );
    // GitHub's limits on by default in the sandbox: what the program ran into, and how fast
    // it compared (GitHub allows one endpoint 900 points, 900 compares, a minute).
    m.insert("secondary_limit_answers".into(), json!(c.secondary_limited));
    m.insert("graphql_timeouts".into(), json!(c.graphql_timeouts));
    let minutes = wall.as_secs_f64() / 60.0;
    m.insert(
        "compares_per_minute".into(),
        if minutes > 0.0 {
            json!(round(c.compare as f64 / minutes, 1))
        } else {
            Value::Null
        },
    );
    m.insert("compares_peak_minute".into(), json!(c.compares_peak_minute));
    m
}

/// GitHub's hourly budgets this many requests would use (REST: one per request; GraphQL:
/// the points the sandbox charged, read from the free `GET /rate_limit`).
pub fn budget(sb: &Sandbox) -> Value {
    let mut http = match Http::new(&sb.api_url(), &sb.token()) {
        Ok(h) => h,
        Err(e) => return json!({ "error": e }),
    };
    match http.get("/rate_limit") {
        Ok((200, body)) => {
            let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            json!({
                "rest_used": v["resources"]["core"]["used"],
                "graphql_points_used": v["resources"]["graphql"]["used"],
            })
        }
        Ok((s, _)) => json!({ "error": format!("GET /rate_limit answered {s}") }),
        Err(e) => json!({ "error": e }),
    }
}
