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
//!
//! Layout: `scenarios` (gather, in-sync, baseline) and `run` (the run and the warm gather)
//! measure through `measure` (sandbox, child process, counts) and judge through `checks`;
//! `report` runs them all and builds the JSON; `baseline` and `http` are the baseline worker
//! and its client.

mod baseline;
mod branches;
mod checks;
mod http;
mod measure;
mod report;
mod run;
mod scenarios;
mod tags;

use std::path::PathBuf;
use std::process::ExitCode;

use serde_json::{json, Value};

/// Generation time of every fleet: 2026-01-01T07:00:00Z (reproducible shas).
pub const NOW: i64 = 1_767_250_800;
/// priority-sync's default write pacing (`limits.writes_per_minute`).
pub const DEFAULT_WRITES_PER_MINUTE: u32 = 60;
/// GitHub's content-creation limit per minute.
pub const GITHUB_CONTENT_LIMIT: u32 = 80;
/// priority-sync's default GraphQL batch (`limits.graphql_batch`).
pub const GRAPHQL_BATCH: usize = 50;

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
  --tags K                 also the `tags` scenario: K tags in every upstream, `tags: true`,
                           two runs (creating them, then finding them in place)
  --branches K             also the `branches` scenario: K branches on every fork (the
                           default and K-1 release/*), a gather without and with them, a run
  --keep DIR               keep each scenario's files (inventory, logs, reports) in DIR

Prints one JSON object on stdout; progress on stderr. Exit status 1 when a check fails,
2 on bad usage or when a scenario cannot run.";

#[derive(Debug, Clone)]
pub struct Args {
    pub repos: usize,
    pub latency_ms: u64,
    pub mode: String,
    pub seed: u64,
    pub priority_sync: PathBuf,
    pub writes_per_minute: Option<u32>,
    pub needs_writes: Option<f64>,
    pub skip_run: bool,
    pub skip_baseline: bool,
    pub baseline_sample: Option<usize>,
    pub keep: Option<PathBuf>,
    /// Tags per upstream for the `tags` scenario (None: no such scenario).
    pub tags: Option<usize>,
    /// Branches per fork for the `branches` scenario (None: no such scenario).
    pub branches: Option<usize>,
}

fn default_binary() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(|d| d.join("priority-sync")))
        .filter(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from("priority-sync"))
}

/// The options, or None when help was asked for (`--help`, `-h`).
fn parse_args(args: &[String]) -> Result<Option<Args>, String> {
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
        tags: None,
        branches: None,
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
            "--tags" => a.tags = Some(num(flag, val()?)?).filter(|k| *k > 0),
            "--branches" => a.branches = Some(num(flag, val()?)?).filter(|k| *k > 1),
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    a.repos = repos.ok_or("--repos is required")?;
    if a.repos == 0 {
        return Err("--repos must be at least 1".into());
    }
    a.latency_ms = latency.ok_or("--latency-ms is required")?;
    a.priority_sync = binary.unwrap_or_else(default_binary);
    Ok(Some(a))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("baseline-worker") => return baseline::baseline_worker(&args[1..]),
        Some("measure-child") => return measure::measure_child(&args[1..]),
        _ => {}
    }
    let a = match parse_args(&args) {
        Ok(Some(a)) => a,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("fleet-bench: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match report::bench(&a) {
        Ok(report) => {
            let text = serde_json::to_string_pretty(&report).expect("JSON serialises");
            // What is printed must read back with every field the documentation promises.
            if let Err(e) = report::validate_report(&text) {
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

pub fn progress(msg: &str) {
    eprintln!("fleet-bench: {msg}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::gather_bound;

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
        .unwrap()
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
    fn help_is_asked_for_with_either_flag_anywhere() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(parse_args(&s(&["--help"])).unwrap().is_none());
        assert!(parse_args(&s(&["-h"])).unwrap().is_none());
        assert!(parse_args(&s(&["--repos", "3", "--help"]))
            .unwrap()
            .is_none());
        assert!(parse_args(&s(&["--repos", "3", "--latency-ms", "0"]))
            .unwrap()
            .is_some());
    }
}
