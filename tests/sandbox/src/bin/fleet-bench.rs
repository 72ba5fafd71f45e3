//! `fleet-bench`: priority-sync's speed and request counts against the sandbox fleet, next to
//! the per-repository REST approach of the source's script, from one invocation.
//!
//! Every scenario runs on a fresh in-process sandbox with the same seed (so the same fleet)
//! and a fixed latency per request:
//! - `gather`: `priority-sync snapshot` (read-only: batched GraphQL + compares);
//! - `in_sync`: the same fleet with every fork brought to its upstream head first, then
//!   `priority-sync snapshot` (what a converged fleet costs per run);
//! - `run`: `priority-sync run --mode M` with the real write pacing (or `--writes-per-minute`);
//! - `baseline`: per repository, sequentially, GET repository, compare with its parent, list
//!   open pulls, list workflows (a child process of this binary, so its peak RSS is its own).
//!
//! Requests are counted by the sandbox, by kind. One JSON object goes to stdout; progress to
//! stderr. The exit status is non-zero when a correctness check fails (facts that disagree
//! with the fleet's real git state, a gather above the request model's bound, a failed run).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use github_sandbox::util::percent_encode;
use github_sandbox::{Category, Counters, Faults, Sandbox, SandboxConfig, TokenSpec};
use serde_json::{json, Value};

/// Generation time of every fleet: 2026-01-01T07:00:00Z (reproducible shas).
const NOW: i64 = 1_767_250_800;
/// priority-sync's default write pacing (`limits.writes_per_minute`).
const DEFAULT_WRITES_PER_MINUTE: u32 = 60;
/// GitHub's content-creation limit per minute.
const GITHUB_CONTENT_LIMIT: u32 = 80;
/// priority-sync's default GraphQL batch (`limits.graphql_batch`).
const GRAPHQL_BATCH: usize = 50;

const USAGE: &str = "usage: fleet-bench --repos N --latency-ms L [options]

  --repos N                fleet size (inventory entries)
  --latency-ms L           latency the sandbox adds to every request
  --mode M                 priority-sync run mode (default all)
  --seed S                 fleet seed (default 1)
  --priority-sync PATH     the binary to measure (default: next to fleet-bench, else PATH)
  --writes-per-minute W    pace writes at W/min (default: priority-sync's own pacing, 60/min)
  --needs-writes PCT       before the run, bring forks in sync (from the end of the
                           inventory) until about PCT % of the fleet needs a write
  --skip-run               measure gather, in-sync and baseline only
  --skip-baseline          leave the baseline out (no speedup_wall / request_ratio)
  --baseline-sample K      baseline over the first K repositories only, scaled to N
  --keep DIR               keep each scenario's files (inventory, logs, reports) in DIR

Prints one JSON object on stdout; progress on stderr. Exit status 1 when a check fails,
2 on bad usage or when a scenario cannot run.";

#[derive(Debug, Clone)]
struct Args {
    repos: usize,
    latency_ms: u64,
    mode: String,
    seed: u64,
    priority_sync: PathBuf,
    writes_per_minute: Option<u32>,
    needs_writes: Option<f64>,
    skip_run: bool,
    skip_baseline: bool,
    baseline_sample: Option<usize>,
    keep: Option<PathBuf>,
}

fn default_binary() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join("priority-sync")))
        .filter(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from("priority-sync"))
}

fn parse_args(args: &[String]) -> Result<Args, String> {
    let mut a = Args {
        repos: 0,
        latency_ms: 0,
        mode: "all".into(),
        seed: 1,
        priority_sync: PathBuf::new(),
        writes_per_minute: None,
        needs_writes: None,
        skip_run: false,
        skip_baseline: false,
        baseline_sample: None,
        keep: None,
    };
    let (mut repos, mut latency, mut binary) = (None, None, None);
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut val = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        fn num<T: std::str::FromStr>(flag: &str, v: String) -> Result<T, String> {
            v.parse().map_err(|_| format!("{flag}: bad value {v:?}"))
        }
        match flag.as_str() {
            "--repos" => repos = Some(num::<usize>(flag, val()?)?),
            "--latency-ms" => latency = Some(num::<u64>(flag, val()?)?),
            "--mode" => a.mode = val()?,
            "--seed" => a.seed = num(flag, val()?)?,
            "--priority-sync" => {
                // The measured program runs in a scratch directory: a relative path must not
                // be resolved there.
                let p = PathBuf::from(val()?);
                binary = Some(if p.components().count() > 1 {
                    std::path::absolute(&p).map_err(|e| format!("--priority-sync: {e}"))?
                } else {
                    p
                });
            }
            "--writes-per-minute" => {
                let w: u32 = num(flag, val()?)?;
                if w == 0 {
                    return Err("--writes-per-minute must be at least 1".into());
                }
                a.writes_per_minute = Some(w);
            }
            "--needs-writes" => {
                let p: f64 = num(flag, val()?)?;
                if !(0.0..=100.0).contains(&p) {
                    return Err("--needs-writes is a percentage (0-100)".into());
                }
                a.needs_writes = Some(p);
            }
            "--skip-run" => a.skip_run = true,
            "--skip-baseline" => a.skip_baseline = true,
            "--baseline-sample" => a.baseline_sample = Some(num(flag, val()?)?),
            "--keep" => a.keep = Some(PathBuf::from(val()?)),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    a.repos = repos.ok_or("--repos is required")?;
    if a.repos == 0 {
        return Err("--repos must be at least 1".into());
    }
    a.latency_ms = latency.ok_or("--latency-ms is required")?;
    a.priority_sync = binary.unwrap_or_else(default_binary);
    Ok(a)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("baseline-worker") => return baseline_worker(&args[1..]),
        Some("measure-child") => return measure_child(&args[1..]),
        _ => {}
    }
    let a = match parse_args(&args) {
        Ok(a) => a,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("fleet-bench: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match bench(&a) {
        Ok(report) => {
            let text = serde_json::to_string_pretty(&report).expect("JSON serialises");
            // What is printed must read back with every field the documentation promises.
            if let Err(e) = validate_report(&text) {
                eprintln!("fleet-bench: malformed report: {e}");
                println!("{text}");
                return ExitCode::from(2);
            }
            println!("{text}");
            let failed: Vec<&Value> = report["checks"]
                .as_array()
                .map(|c| c.iter().filter(|c| c["ok"] != json!(true)).collect())
                .unwrap_or_default();
            if failed.is_empty() {
                progress(&format!(
                    "all {} checks passed",
                    report["checks"].as_array().map_or(0, Vec::len)
                ));
                ExitCode::SUCCESS
            } else {
                for c in failed {
                    eprintln!(
                        "fleet-bench: CHECK FAILED {}: {}",
                        c["name"].as_str().unwrap_or("?"),
                        c["detail"].as_str().unwrap_or("")
                    );
                }
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("fleet-bench: {e}");
            ExitCode::from(2)
        }
    }
}

fn progress(msg: &str) {
    eprintln!("fleet-bench: {msg}");
}

// ------------------------------------------------------------------------------ scenarios

/// A sandbox for one scenario: the fleet, the latency, and limits raised so that request
/// budgets never interfere with what is measured (the report shows what each scenario would
/// spend of GitHub's hourly budgets instead).
fn start_sandbox(a: &Args, content_limit: u32) -> Result<Sandbox, String> {
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
struct Scratch {
    path: PathBuf,
    remove: bool,
}

impl Scratch {
    fn new(a: &Args, name: &str) -> Result<Scratch, String> {
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
struct ChildRun {
    code: i32,
    wall: Duration,
    peak_rss_kb: i64,
}

/// Runs `exe args` in `dir` with exactly `env` (plus PATH), stdout and stderr to files.
///
/// A child's `ru_maxrss` also counts the memory of the process it was started from (Linux
/// records the pre-`exec` image's high-water mark), and this process hosts the sandbox. So the
/// program is started by a small launcher (`fleet-bench measure-child`, ~3 MB) that waits for
/// it with `wait4` and reports its exit status, wall time and peak RSS.
fn run_child(
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
fn measure_child(args: &[String]) -> ExitCode {
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

fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// The environment `priority-sync` needs to reach the sandbox.
fn sync_env(sb: &Sandbox, writes_per_minute: Option<u32>) -> Vec<(String, String)> {
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

fn kinds(c: &Counters) -> Value {
    json!({ "graphql": c.graphql, "compare": c.compare, "writes": c.writes, "other": c.other })
}

fn round(x: f64, places: i32) -> f64 {
    let m = 10f64.powi(places);
    (x * m).round() / m
}

/// The common fields of one measured scenario.
fn measured(
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
    m
}

/// GitHub's hourly budgets this many requests would use (REST: one per request; GraphQL:
/// the points the sandbox charged, read from the free `GET /rate_limit`).
fn budget(sb: &Sandbox) -> Value {
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

struct Check {
    name: String,
    ok: bool,
    detail: String,
}

/// A scenario's sandbox was asked for nothing it does not implement (a route GitHub may not
/// have, or one the sandbox lacks): either way its numbers would not be GitHub's.
fn check_no_unexpected_routes(checks: &mut Vec<Check>, sb: &Sandbox, scenario: &str) {
    let u = sb.unexpected_routes();
    check(
        checks,
        &format!("{scenario}_no_unexpected_routes"),
        u.is_empty(),
        if u.is_empty() {
            "none".into()
        } else {
            u.join(", ")
        },
    );
}

fn check(checks: &mut Vec<Check>, name: &str, ok: bool, detail: String) {
    if !ok {
        progress(&format!("check {name} FAILED: {detail}"));
    }
    checks.push(Check {
        name: name.to_string(),
        ok,
        detail,
    });
}

/// The upstream a fleet entry follows (explicit or its parent), and that upstream's head.
fn upstream_head(sb: &Sandbox, r: &github_sandbox::FleetRepo) -> Option<String> {
    let up = match &r.inventory_upstream {
        Some(u) => u.split(':').next()?.to_string(),
        None => r.parent.clone()?,
    };
    sb.branch_sha(&up, &r.upstream_branch)
}

/// Repositories whose branch head differs from their upstream's head (the compares the model
/// allows), from the sandbox's real git.
fn differing_heads(sb: &Sandbox) -> usize {
    sb.fleet()
        .repos
        .iter()
        .filter(|r| r.exists)
        .filter(|r| match upstream_head(sb, r) {
            Some(up) => sb.branch_sha(&r.full_name, &r.branch) != Some(up),
            None => false,
        })
        .count()
}

/// The gather's request bound: one GraphQL request per batch plus one compare per head that
/// differs from its upstream's.
fn gather_bound(repos: usize, differing: usize) -> u64 {
    (repos.div_ceil(GRAPHQL_BATCH) + differing) as u64
}

/// `priority-sync snapshot` on `sb`; returns the scenario's JSON and the snapshot.
fn snapshot(
    a: &Args,
    sb: &Sandbox,
    dir: &Scratch,
    name: &str,
) -> Result<(serde_json::Map<String, Value>, Value), String> {
    std::fs::write(dir.path.join("inventory.yml"), sb.inventory_yaml())
        .map_err(|e| e.to_string())?;
    sb.clear_log();
    let args: Vec<String> = [
        "snapshot",
        "--out",
        "snapshot.json",
        "--config",
        "inventory.yml",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let r = run_child(
        &a.priority_sync,
        &args,
        &sync_env(sb, None),
        &dir.path,
        name,
    )?;
    let c = sb.counters();
    if r.code != 0 {
        return Err(format!(
            "priority-sync snapshot exited {}:\n{}",
            r.code,
            tail(&dir.path.join(format!("{name}.stderr")), 20)
        ));
    }
    let snap: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path.join("snapshot.json")).map_err(|e| e.to_string())?,
    )
    .map_err(|e| format!("snapshot.json: {e}"))?;
    let mut m = measured(&c, a.repos, r.wall, r.peak_rss_kb);
    m.insert("budget".into(), budget(sb));
    Ok((m, snap))
}

fn gather_scenario(a: &Args, checks: &mut Vec<Check>) -> Result<Value, String> {
    progress("gather: priority-sync snapshot");
    let sb = start_sandbox(a, GITHUB_CONTENT_LIMIT)?;
    let dir = Scratch::new(a, "gather")?;
    let differing = differing_heads(&sb);
    let (mut m, snap) = snapshot(a, &sb, &dir, "snapshot")?;
    let total = m["requests_total"].as_u64().unwrap_or(u64::MAX);
    let bound = gather_bound(a.repos, differing);
    let graphql = m["requests_by_kind"]["graphql"]
        .as_u64()
        .unwrap_or(u64::MAX);
    let compare = m["requests_by_kind"]["compare"]
        .as_u64()
        .unwrap_or(u64::MAX);
    m.insert("heads_differing".into(), json!(differing));
    m.insert("model_bound".into(), json!(bound));
    check(
        checks,
        "gather_within_model",
        total <= bound
            && graphql <= (a.repos.div_ceil(GRAPHQL_BATCH) + differing.div_ceil(GRAPHQL_BATCH)) as u64
            && compare <= differing as u64,
        format!(
            "{total} requests ({graphql} GraphQL, {compare} compare) vs bound {bound} = {} GraphQL batches + {differing} differing heads; GraphQL at most {} metadata + {} ancestry batches",
            a.repos.div_ceil(GRAPHQL_BATCH),
            a.repos.div_ceil(GRAPHQL_BATCH),
            differing.div_ceil(GRAPHQL_BATCH)
        ),
    );
    // The differing heads the batched ancestry query settled (plainly behind): no compare.
    m.insert(
        "compares_avoided".into(),
        json!(differing.saturating_sub(compare as usize)),
    );
    check_facts(&sb, &snap, checks);
    check_no_unexpected_routes(checks, &sb, "gather");
    progress(&format!(
        "gather: {total} requests in {} s, peak RSS {} MB",
        m["wall_s"], m["peak_rss_mb"]
    ));
    Ok(Value::Object(m))
}

/// The snapshot's facts against the generated fleet's ground truth.
fn check_facts(sb: &Sandbox, snap: &Value, checks: &mut Vec<Check>) {
    let by_name: BTreeMap<String, &Value> = snap["repos"]
        .as_array()
        .map(|l| {
            l.iter()
                .filter_map(|r| Some((r["repo"].as_str()?.to_ascii_lowercase(), r)))
                .collect()
        })
        .unwrap_or_default();
    let fleet = &sb.fleet().repos;
    check(
        checks,
        "snapshot_covers_fleet",
        by_name.len() == fleet.len(),
        format!("{} of {} repositories", by_name.len(), fleet.len()),
    );
    let mut wrong = Vec::new();
    for r in fleet {
        let Some(s) = by_name.get(&r.full_name.to_ascii_lowercase()) else {
            continue;
        };
        let mut expect = vec![("accessible", json!(r.exists))];
        if r.exists {
            expect.push(("archived", json!(r.archived)));
            expect.push(("has_workflows", json!(r.has_workflows)));
            if r.category != Category::ForeignUpstream {
                expect.push(("commits_behind", json!(r.behind)));
                expect.push(("commits_ahead", json!(r.ahead)));
                expect.push(("security_alerts", json!(r.security_alerts)));
            }
        }
        for (k, v) in expect {
            if s[k] != v {
                wrong.push(format!("{} {k}: {} (fleet: {v})", r.full_name, s[k]));
            }
        }
    }
    check(
        checks,
        "snapshot_matches_git",
        wrong.is_empty(),
        if wrong.is_empty() {
            "accessible, archived, workflows, behind, ahead, alerts agree with the fleet".into()
        } else {
            format!(
                "{} disagreements, e.g. {}",
                wrong.len(),
                wrong[..wrong.len().min(5)].join("; ")
            )
        },
    );
}

fn in_sync_scenario(a: &Args, checks: &mut Vec<Check>) -> Result<Value, String> {
    progress("in_sync: every fork brought to its upstream head, then priority-sync snapshot");
    let sb = start_sandbox(a, GITHUB_CONTENT_LIMIT)?;
    let dir = Scratch::new(a, "in-sync")?;
    let names: Vec<String> = sb
        .fleet()
        .repos
        .iter()
        .map(|r| r.full_name.clone())
        .collect();
    let moved = names
        .iter()
        .filter(|n| sb.sync_branch_to_upstream(n).is_some())
        .count();
    let differing = differing_heads(&sb);
    let (mut m, _) = snapshot(a, &sb, &dir, "snapshot-in-sync")?;
    let total = m["requests_total"].as_u64().unwrap_or(u64::MAX);
    let bound = gather_bound(a.repos, differing);
    let per_104 = total as f64 * 104.0 / a.repos as f64;
    m.insert("forks_moved".into(), json!(moved));
    m.insert("heads_differing".into(), json!(differing));
    m.insert("model_bound".into(), json!(bound));
    m.insert("requests_per_104_repos".into(), json!(round(per_104, 2)));
    check(
        checks,
        "in_sync_within_model",
        total <= bound,
        format!("{total} requests vs bound {bound} ({differing} heads still differ: upstreams outside the network)"),
    );
    check_no_unexpected_routes(checks, &sb, "in_sync");
    progress(&format!(
        "in_sync: {total} requests ({per_104:.2} per 104 repositories) in {} s",
        m["wall_s"]
    ));
    Ok(Value::Object(m))
}

/// `priority-sync run --config inventory.yml --mode M <extra>` in `dir`, measured; an error
/// with the tail of its log when it does not succeed.
fn sync_run(
    a: &Args,
    sb: &Sandbox,
    dir: &Scratch,
    extra: &[&str],
    name: &str,
) -> Result<ChildRun, String> {
    let mut args: Vec<String> = [
        "run",
        "--config",
        "inventory.yml",
        "--mode",
        a.mode.as_str(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    let r = run_child(
        &a.priority_sync,
        &args,
        &sync_env(sb, a.writes_per_minute),
        &dir.path,
        name,
    )?;
    if r.code != 0 {
        return Err(format!(
            "priority-sync {} exited {}:\n{}",
            args.join(" "),
            r.code,
            tail(&dir.path.join(format!("{name}.stderr")), 20)
        ));
    }
    Ok(r)
}

fn run_scenario(a: &Args, checks: &mut Vec<Check>) -> Result<Value, String> {
    let w = a.writes_per_minute.unwrap_or(DEFAULT_WRITES_PER_MINUTE);
    progress(&format!(
        "run: priority-sync run --mode {} at {w} writes/min",
        a.mode
    ));
    // GitHub's content limit (80/min), unless the test knob asks for faster pacing than it
    // allows. (`max(80, 2W)` would let a 60/min run be served at up to 120/min.)
    let limit = if w > GITHUB_CONTENT_LIMIT {
        w.saturating_mul(2)
    } else {
        GITHUB_CONTENT_LIMIT
    };
    let sb = start_sandbox(a, limit)?;
    let dir = Scratch::new(a, "run")?;
    std::fs::write(dir.path.join("inventory.yml"), sb.inventory_yaml())
        .map_err(|e| e.to_string())?;

    // Which repositories need a write: reachable upstream, not archived, behind.
    let fleet = sb.fleet().clone();
    let needs = |r: &github_sandbox::FleetRepo| {
        r.exists && !r.archived && r.category != Category::ForeignUpstream && r.behind > 0
    };
    let mut needing: Vec<&github_sandbox::FleetRepo> =
        fleet.repos.iter().filter(|r| needs(r)).collect();
    let natural = needing.len();
    let mut converged = 0;
    if let Some(pct) = a.needs_writes {
        let goal = (pct / 100.0 * a.repos as f64).round() as usize;
        // From the end of the inventory, so the Top 12 and the source's examples stay as
        // documented.
        while needing.len() > goal {
            let Some(r) = needing.pop() else { break };
            if sb.sync_branch_to_upstream(&r.full_name).is_some() {
                converged += 1;
            } else {
                return Err(format!("cannot bring {} in sync", r.full_name));
            }
        }
    }
    let expected = needing.len();
    let audit = sb.repository();
    let audit_branch = sb.default_branch(&audit).unwrap_or_else(|| "main".into());
    let audit_before = sb.branch_sha(&audit, &audit_branch);

    sb.clear_log();
    let r = sync_run(a, &sb, &dir, &["--artifacts-dir", "audit-out"], "run")?;
    let c = sb.counters();
    let mut m = measured(&c, a.repos, r.wall, r.peak_rss_kb);
    let floor = c.writes.saturating_sub(1) as f64 * 60.0 / f64::from(w);
    let wall = r.wall.as_secs_f64();
    m.insert("writes_per_minute".into(), json!(w));
    m.insert("pacing_floor_s".into(), json!(round(floor, 3)));
    m.insert("overhead_s".into(), json!(round(wall - floor, 3)));
    m.insert(
        "overhead_pct".into(),
        if floor > 0.0 {
            json!(round((wall - floor) / floor * 100.0, 2))
        } else {
            Value::Null
        },
    );
    m.insert("budget".into(), budget(&sb));

    // Outcomes from the run's own report, checked against what the fleet needed.
    let progress_json: Value =
        std::fs::read_to_string(dir.path.join("audit-out/sync-progress.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null);
    let list = progress_json
        .get("repos")
        .cloned()
        .unwrap_or(progress_json.clone());
    let mut statuses = BTreeMap::<String, u64>::new();
    // Left for the next run once the hourly write budget is spent: not expected to move yet.
    let mut pending = std::collections::BTreeSet::<String>::new();
    for e in list.as_array().map(Vec::as_slice).unwrap_or_default() {
        if e["status"] == "pending" {
            if let Some(name) = e["repo"].as_str() {
                pending.insert(name.to_ascii_lowercase());
            }
        }
        *statuses
            .entry(e["status"].as_str().unwrap_or("?").to_string())
            .or_default() += 1;
    }
    let count = |s: &str| statuses.get(s).copied().unwrap_or(0);
    m.insert("statuses".into(), json!(statuses));
    m.insert("repos_needing_writes".into(), json!(expected));
    m.insert(
        "share_needing_writes_pct".into(),
        json!(round(expected as f64 * 100.0 / a.repos as f64, 1)),
    );
    m.insert("forks_brought_in_sync_first".into(), json!(converged));
    m.insert("natural_needing_writes".into(), json!(natural));
    check(
        checks,
        "run_no_failures",
        count("failed") == 0 && statuses.values().sum::<u64>() == a.repos as u64,
        format!("{statuses:?}"),
    );
    check(
        checks,
        "run_handles_every_repo_needing_writes",
        count("synced") + count("pr_open") + count("pending") == expected as u64,
        format!(
            "synced {} + pr_open {} + pending {} vs {expected} needing writes",
            count("synced"),
            count("pr_open"),
            count("pending")
        ),
    );
    let audit_after = sb.branch_sha(&audit, &audit_branch);
    let audit_commits = match (&audit_before, &audit_after) {
        (Some(b), Some(af)) => sb.count_between(&audit, b, af),
        _ => 0,
    };
    check(
        checks,
        "run_one_audit_commit",
        audit_commits == 1,
        format!("{audit_commits} commits on {audit}@{audit_branch}"),
    );
    let mut wrong = Vec::new();
    for r in &fleet.repos {
        if needs(r) && r.ahead == 0 && r.behind <= 10 && a.mode == "all" {
            let now = sb.branch_sha(&r.full_name, &r.branch);
            if now != upstream_head(&sb, r)
                && needing.iter().any(|n| n.full_name == r.full_name)
                && !pending.contains(&r.full_name.to_ascii_lowercase())
            {
                wrong.push(r.full_name.clone());
            }
        }
    }
    if a.mode == "all" {
        check(
            checks,
            "run_fast_forwards_reach_upstream",
            wrong.is_empty(),
            if wrong.is_empty() {
                format!(
                    "every fast-forwardable branch equals its upstream head ({} pending for the next run)",
                    pending.len()
                )
            } else {
                format!("not at their upstream head: {}", wrong.join(", "))
            },
        );
    }
    progress(&format!(
        "run: {} requests ({} writes) in {wall:.1} s; pacing floor {floor:.1} s; overhead {:.1} s",
        c.total,
        c.writes,
        wall - floor
    ));

    // The next scheduled run's gather: the state this run committed, and about 10 % of the
    // upstreams moved since. A dry run reads the state and gathers; nothing else.
    let goal = (a.repos / 10).max(1);
    let mut moved = 0;
    for r in fleet.repos.iter().filter(|r| {
        needs(r)
            || (r.exists && !r.archived && r.behind == 0 && r.category != Category::ForeignUpstream)
    }) {
        if moved == goal {
            break;
        }
        if sb.advance_upstream(&r.full_name, 1, false).is_some() {
            moved += 1;
        }
    }
    sb.clear_log();
    let warm_run = sync_run(
        a,
        &sb,
        &dir,
        &["--dry-run", "--artifacts-dir", "warm-out"],
        "warm",
    )?;
    let cw = sb.counters();
    let mut warm = measured(&cw, a.repos, warm_run.wall, warm_run.peak_rss_kb);
    warm.insert("upstreams_moved".into(), json!(moved));
    // The state read: its contents answer, and its blob once the file is over GitHub's 1 MB
    // (about 2,000 repositories), which that answer leaves out.
    let state_bytes = sb
        .file_text(&audit, &audit_branch, "audit/sync-state.json")
        .map_or(0, |t| t.len());
    let state_reads = 1 + u64::from(state_bytes > github_sandbox::rest::CONTENTS_INLINE_MAX);
    let bound = gather_bound(a.repos, moved) + state_reads;
    warm.insert("model_bound".into(), json!(bound));
    warm.insert("state_bytes".into(), json!(state_bytes));
    check(
        checks,
        "warm_gather_within_model",
        cw.writes == 0 && cw.total <= bound,
        format!(
            "{} requests ({} GraphQL, {} compare, {} other) vs bound {bound} = GraphQL batches + {moved} moved upstreams + {state_reads} for the state ({state_bytes} bytes)",
            cw.total, cw.graphql, cw.compare, cw.other
        ),
    );
    progress(&format!(
        "warm gather: {} requests after {moved} upstreams moved, in {:.2} s",
        cw.total,
        warm_run.wall.as_secs_f64()
    ));
    m.insert("warm_gather".into(), Value::Object(warm));
    check_no_unexpected_routes(checks, &sb, "run");
    Ok(Value::Object(m))
}

fn baseline_scenario(a: &Args, gather_snapshot_agrees: &mut Vec<Check>) -> Result<Value, String> {
    let sample = a.baseline_sample.unwrap_or(a.repos).min(a.repos).max(1);
    progress(&format!(
        "baseline: per repository, sequentially: repository, compare, pulls, workflows ({sample} repositories)"
    ));
    let sb = start_sandbox(a, GITHUB_CONTENT_LIMIT)?;
    let dir = Scratch::new(a, "baseline")?;
    let list: Vec<String> = sb
        .fleet()
        .repos
        .iter()
        .take(sample)
        .map(|r| r.full_name.clone())
        .collect();
    std::fs::write(dir.path.join("repos.txt"), list.join("\n") + "\n")
        .map_err(|e| e.to_string())?;
    sb.clear_log();
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let args: Vec<String> = vec![
        "baseline-worker".into(),
        sb.api_url(),
        sb.token(),
        "repos.txt".into(),
        "baseline.json".into(),
    ];
    let r = run_child(&exe, &args, &[], &dir.path, "baseline")?;
    let c = sb.counters();
    if r.code != 0 {
        return Err(format!(
            "the baseline exited {}:\n{}",
            r.code,
            tail(&dir.path.join("baseline.stderr"), 20)
        ));
    }
    let found: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path.join("baseline.json")).map_err(|e| e.to_string())?,
    )
    .map_err(|e| format!("baseline.json: {e}"))?;
    // The baseline must see the same fleet: its compare numbers against the ground truth.
    let mut wrong = Vec::new();
    for r in sb.fleet().repos.iter().take(sample) {
        if !r.exists || r.category == Category::ForeignUpstream || r.inventory_upstream.is_some() {
            continue;
        }
        let f = &found[r.full_name.as_str()];
        if f["behind"] != json!(r.behind) || f["ahead"] != json!(r.ahead) {
            wrong.push(format!("{}: {} / {}", r.full_name, f["behind"], f["ahead"]));
        }
    }
    check(
        gather_snapshot_agrees,
        "baseline_matches_git",
        wrong.is_empty(),
        if wrong.is_empty() {
            "the baseline's behind/ahead agree with the fleet".into()
        } else {
            format!(
                "{} disagreements, e.g. {}",
                wrong.len(),
                wrong[..wrong.len().min(5)].join("; ")
            )
        },
    );
    check_no_unexpected_routes(gather_snapshot_agrees, &sb, "baseline");
    let mut m = measured(&c, sample, r.wall, r.peak_rss_kb);
    if sample < a.repos {
        // Scale requests and time to the whole fleet (the work is per repository).
        let k = a.repos as f64 / sample as f64;
        let scaled = |v: u64| (v as f64 * k).round() as u64;
        let scaled_c = Counters {
            total: scaled(c.total),
            graphql: scaled(c.graphql),
            compare: scaled(c.compare),
            writes: scaled(c.writes),
            other: scaled(c.other),
            ..c
        };
        let mut s = measured(&scaled_c, a.repos, r.wall.mul_f64(k), r.peak_rss_kb);
        s.insert("sampled_repos".into(), json!(sample));
        s.insert("measured".into(), Value::Object(m));
        s.insert("extrapolated".into(), json!(true));
        m = s;
    } else {
        m.insert("extrapolated".into(), json!(false));
    }
    m.insert("budget".into(), budget(&sb));
    progress(&format!(
        "baseline: {} requests in {} s{}",
        m["requests_total"],
        m["wall_s"],
        if sample < a.repos {
            " (scaled from the sample)"
        } else {
            ""
        }
    ));
    Ok(Value::Object(m))
}

fn bench(a: &Args) -> Result<Value, String> {
    if !a.priority_sync.is_file() && a.priority_sync.components().count() > 1 {
        return Err(format!("{} does not exist", a.priority_sync.display()));
    }
    if let Some(k) = &a.keep {
        std::fs::create_dir_all(k).map_err(|e| format!("{}: {e}", k.display()))?;
    }
    let t0 = Instant::now();
    let mut checks = Vec::new();
    let gather = gather_scenario(a, &mut checks)?;
    let in_sync = in_sync_scenario(a, &mut checks)?;
    let run = if a.skip_run {
        None
    } else {
        Some(run_scenario(a, &mut checks)?)
    };
    let baseline = if a.skip_baseline {
        None
    } else {
        Some(baseline_scenario(a, &mut checks)?)
    };

    // Top level: priority-sync's full run in `mode`, or its gather with --skip-run.
    let top = run.as_ref().unwrap_or(&gather);
    let mut out = serde_json::Map::new();
    out.insert("repos".into(), json!(a.repos));
    out.insert("mode".into(), json!(a.mode));
    out.insert(
        "measured".into(),
        json!(if run.is_some() { "run" } else { "gather" }),
    );
    for k in [
        "requests_total",
        "requests_by_kind",
        "requests_per_repo",
        "wall_s",
        "peak_rss_mb",
    ] {
        out.insert(k.into(), top[k].clone());
    }
    out.insert("latency_ms".into(), json!(a.latency_ms));
    out.insert("seed".into(), json!(a.seed));
    out.insert("gather".into(), gather.clone());
    out.insert("in_sync".into(), in_sync);
    out.insert("run".into(), run.clone().unwrap_or(Value::Null));
    match &baseline {
        Some(b) => {
            let ratio = |k: &str| {
                let (x, y) = (
                    b[k].as_f64().unwrap_or(0.0),
                    gather[k].as_f64().unwrap_or(0.0),
                );
                if y > 0.0 {
                    json!(round(x / y, 2))
                } else {
                    Value::Null
                }
            };
            out.insert("speedup_wall".into(), ratio("wall_s"));
            out.insert("request_ratio".into(), ratio("requests_total"));
            // The same against a scheduled run's gather (state from the previous run).
            let warm = run
                .as_ref()
                .and_then(|r| r["warm_gather"]["requests_total"].as_f64())
                .filter(|w| *w > 0.0);
            out.insert(
                "request_ratio_warm".into(),
                match (warm, b["requests_total"].as_f64()) {
                    (Some(w), Some(x)) => json!(round(x / w, 2)),
                    _ => Value::Null,
                },
            );
            out.insert("baseline".into(), b.clone());
        }
        None => {
            out.insert("speedup_wall".into(), Value::Null);
            out.insert("request_ratio".into(), Value::Null);
            out.insert("request_ratio_warm".into(), Value::Null);
            out.insert("baseline".into(), Value::Null);
        }
    }
    out.insert(
        "checks".into(),
        Value::Array(
            checks
                .iter()
                .map(|c| json!({ "name": c.name, "ok": c.ok, "detail": c.detail }))
                .collect(),
        ),
    );
    out.insert("ok".into(), json!(checks.iter().all(|c| c.ok)));
    out.insert(
        "machine".into(),
        json!({
            "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            "os": std::env::consts::OS,
            "arch": std::env::consts::ARCH,
        }),
    );
    out.insert(
        "bench_wall_s".into(),
        json!(round(t0.elapsed().as_secs_f64(), 1)),
    );
    Ok(Value::Object(out))
}

/// Every documented field is there with the right type.
fn validate_report(text: &str) -> Result<(), String> {
    let v: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    fn scenario(v: &Value, at: &str) -> Result<(), String> {
        for k in [
            "requests_total",
            "requests_per_repo",
            "wall_s",
            "peak_rss_mb",
        ] {
            if !v[k].is_number() {
                return Err(format!("{at}.{k} is not a number"));
            }
        }
        for k in ["graphql", "compare", "writes", "other"] {
            if !v["requests_by_kind"][k].is_u64() {
                return Err(format!("{at}.requests_by_kind.{k} is not a count"));
            }
        }
        let sum: u64 = ["graphql", "compare", "writes", "other"]
            .iter()
            .filter_map(|k| v["requests_by_kind"][k].as_u64())
            .sum();
        if v["requests_total"].as_u64() != Some(sum) && v["extrapolated"] != json!(true) {
            return Err(format!(
                "{at}: requests_by_kind does not add up to requests_total"
            ));
        }
        Ok(())
    }
    if !v["repos"].is_u64() || !v["mode"].is_string() || !v["ok"].is_boolean() {
        return Err("repos, mode or ok missing".into());
    }
    scenario(&v, "(top)")?;
    scenario(&v["gather"], "gather")?;
    scenario(&v["in_sync"], "in_sync")?;
    if !v["run"].is_null() {
        scenario(&v["run"], "run")?;
        for k in ["pacing_floor_s", "overhead_s", "writes_per_minute"] {
            if !v["run"][k].is_number() {
                return Err(format!("run.{k} is not a number"));
            }
        }
    }
    if !v["baseline"].is_null() {
        scenario(&v["baseline"], "baseline")?;
        for k in ["speedup_wall", "request_ratio"] {
            if !v[k].is_number() {
                return Err(format!("{k} is not a number"));
            }
        }
    }
    if !v["checks"].is_array() {
        return Err("checks is not a list".into());
    }
    Ok(())
}

// ------------------------------------------------------------------------------ baseline

/// `fleet-bench baseline-worker API_URL TOKEN REPOS_FILE OUT_FILE`: what the source's script
/// does for metadata, per repository and one request at a time.
fn baseline_worker(args: &[String]) -> ExitCode {
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

fn baseline(api: &str, token: &str, repos: &Path) -> Result<Value, String> {
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

// ------------------------------------------------------------------------------ HTTP/1.1

/// A minimal keep-alive HTTP/1.1 client for plain `http://` (the sandbox): GET only.
struct Http {
    host: String,
    base_path: String,
    token: String,
    conn: Option<BufReader<TcpStream>>,
}

impl Http {
    fn new(api: &str, token: &str) -> Result<Http, String> {
        let rest = api
            .strip_prefix("http://")
            .ok_or_else(|| format!("{api}: only http:// is supported"))?;
        let (host, path) = match rest.find('/') {
            Some(i) => (&rest[..i], rest[i..].trim_end_matches('/')),
            None => (rest, ""),
        };
        Ok(Http {
            host: host.to_string(),
            base_path: path.to_string(),
            token: token.to_string(),
            conn: None,
        })
    }

    fn get(&mut self, path: &str) -> Result<(u16, Vec<u8>), String> {
        // A kept-alive connection the server closed meanwhile gets one fresh attempt.
        let mut last = String::new();
        for _ in 0..2 {
            match self.try_get(path) {
                Ok(r) => return Ok(r),
                Err(e) => {
                    self.conn = None;
                    last = e.to_string();
                }
            }
        }
        Err(format!("GET {path}: {last}"))
    }

    fn try_get(&mut self, path: &str) -> std::io::Result<(u16, Vec<u8>)> {
        if self.conn.is_none() {
            let s = TcpStream::connect(&self.host)?;
            s.set_nodelay(true)?;
            s.set_read_timeout(Some(Duration::from_secs(60)))?;
            self.conn = Some(BufReader::new(s));
        }
        let conn = self.conn.as_mut().expect("connected");
        write!(
            conn.get_mut(),
            "GET {}{path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nAccept: application/vnd.github+json\r\nUser-Agent: fleet-bench-baseline\r\n\r\n",
            self.base_path, self.host, self.token
        )?;
        conn.get_mut().flush()?;
        let (status, body, close) = read_response(conn)?;
        if close {
            self.conn = None;
        }
        Ok((status, body))
    }
}

fn bad(msg: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, msg.to_string())
}

/// Reads one response: status, body (content-length or chunked) and whether the server will
/// close the connection.
fn read_response<R: BufRead>(r: &mut R) -> std::io::Result<(u16, Vec<u8>, bool)> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Err(bad("connection closed"));
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad("bad status line"))?;
    let (mut length, mut chunked, mut close) = (None, false, false);
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 {
            return Err(bad("headers cut short"));
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_ascii_lowercase());
            match k.as_str() {
                "content-length" => length = v.parse::<usize>().ok(),
                "transfer-encoding" => chunked = v.contains("chunked"),
                "connection" => close = v == "close",
                _ => {}
            }
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            line.clear();
            r.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|_| bad("bad chunk size"))?;
            if size == 0 {
                // Trailers, then the blank line.
                loop {
                    line.clear();
                    if r.read_line(&mut line)? == 0 || line.trim_end().is_empty() {
                        break;
                    }
                }
                break;
            }
            let start = body.len();
            body.resize(start + size, 0);
            r.read_exact(&mut body[start..])?;
            line.clear();
            r.read_line(&mut line)?;
        }
    } else if let Some(n) = length {
        body.resize(n, 0);
        r.read_exact(&mut body)?;
    } else if status != 204 && status != 304 {
        r.read_to_end(&mut body)?;
        close = true;
    }
    Ok((status, body, close))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_with_length_chunks_and_close() {
        let mut r = BufReader::new(
            &b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n"[..],
        );
        assert_eq!(read_response(&mut r).unwrap(), (200, b"{}".to_vec(), false));
        assert_eq!(
            read_response(&mut r).unwrap(),
            (404, b"abcde".to_vec(), false)
        );
        let mut r = BufReader::new(&b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nrest"[..]);
        assert_eq!(
            read_response(&mut r).unwrap(),
            (200, b"rest".to_vec(), true)
        );
        assert!(read_response(&mut BufReader::new(&b""[..])).is_err());
    }

    #[test]
    fn arguments_and_the_model_bound() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let a = parse_args(&s(&[
            "--repos",
            "30",
            "--latency-ms",
            "0",
            "--writes-per-minute",
            "6000",
        ]))
        .unwrap();
        assert_eq!((a.repos, a.latency_ms, a.mode.as_str()), (30, 0, "all"));
        assert_eq!(a.writes_per_minute, Some(6000));
        assert!(parse_args(&s(&["--latency-ms", "5"])).is_err());
        assert!(parse_args(&s(&["--repos", "3", "--latency-ms", "5", "--bogus"])).is_err());
        assert!(parse_args(&s(&[
            "--repos",
            "3",
            "--latency-ms",
            "5",
            "--needs-writes",
            "130"
        ]))
        .is_err());
        assert_eq!(gather_bound(104, 0), 3);
        assert_eq!(gather_bound(10_000, 7_000), 7_200);
    }

    #[test]
    fn reports_are_validated() {
        let s = json!({ "requests_total": 3, "requests_per_repo": 0.03, "wall_s": 1.0, "peak_rss_mb": 9.0,
            "requests_by_kind": { "graphql": 3, "compare": 0, "writes": 0, "other": 0 } });
        let mut v = s.clone();
        v["repos"] = json!(104);
        v["mode"] = json!("all");
        v["ok"] = json!(true);
        v["gather"] = s.clone();
        v["in_sync"] = s.clone();
        v["run"] = Value::Null;
        v["baseline"] = Value::Null;
        v["checks"] = json!([]);
        assert!(validate_report(&v.to_string()).is_ok());
        v["gather"]["requests_total"] = json!(4);
        assert!(validate_report(&v.to_string())
            .unwrap_err()
            .contains("add up"));
        assert!(validate_report("{").is_err());
    }
}
