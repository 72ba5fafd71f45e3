//! The benchmark as a whole: every scenario in turn on its own sandbox, then the one JSON
//! report (top level: priority-sync's run, or its gather with `--skip-run`; each scenario;
//! the comparison with the baseline; the checks), validated before it is printed.

use std::time::Instant;

use serde_json::{json, Value};

use crate::checks::Check;
use crate::measure::round;
use crate::run::run_scenario;
use crate::scenarios::{baseline_scenario, gather_scenario, in_sync_scenario};
use crate::Args;

/// What the scenarios measured (`run` and `baseline` unless skipped).
struct Measured {
    /// The `tags` scenario (`--tags K`), when asked for.
    tags: Option<Value>,
    /// The `branches` scenario (`--branches K`), when asked for.
    branches: Option<Value>,
    gather: Value,
    in_sync: Value,
    run: Option<Value>,
    baseline: Option<Value>,
}

/// Runs every scenario and builds the report.
pub fn bench(a: &Args) -> Result<Value, String> {
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

    let tags = match a.tags {
        Some(k) => Some(crate::tags::tags_scenario(a, k, &mut checks)?),
        None => None,
    };
    let branches = match a.branches {
        Some(k) => Some(crate::branches::branches_scenario(a, k, &mut checks)?),
        None => None,
    };
    let m = Measured {
        gather,
        in_sync,
        run,
        baseline,
        tags,
        branches,
    };
    Ok(report(a, &m, &checks, t0))
}

/// The report's JSON.
fn report(a: &Args, m: &Measured, checks: &[Check], t0: Instant) -> Value {
    let (gather, run) = (&m.gather, &m.run);
    // Top level: priority-sync's full run in `mode`, or its gather with --skip-run.
    let top = run.as_ref().unwrap_or(gather);
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
    out.insert("in_sync".into(), m.in_sync.clone());
    out.insert("run".into(), run.clone().unwrap_or(Value::Null));
    out.insert("tags".into(), m.tags.clone().unwrap_or(Value::Null));
    out.insert("branches".into(), m.branches.clone().unwrap_or(Value::Null));
    compare_with_baseline(&mut out, gather, run.as_ref(), m.baseline.as_ref());
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
    Value::Object(out)
}

/// `speedup_wall`, `request_ratio` (first gather) and `request_ratio_warm` (a scheduled
/// run's gather) against the baseline, and the baseline itself; null without one.
fn compare_with_baseline(
    out: &mut serde_json::Map<String, Value>,
    gather: &Value,
    run: Option<&Value>,
    baseline: Option<&Value>,
) {
    match baseline {
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
}

/// Every documented field is there with the right type.
pub fn validate_report(text: &str) -> Result<(), String> {
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
    if !v["tags"].is_null() {
        scenario(&v["tags"], "tags")?;
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
