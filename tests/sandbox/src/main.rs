//! The `github-sandbox` binary: starts a sandbox, prints one JSON line describing it
//! (`api_url`, `graphql_url`, `token`, `repository`, …) and serves until killed.

use std::process::ExitCode;
use std::time::Duration;

use github_sandbox::{Faults, Sandbox, SandboxConfig, WorkflowRefusal};

const USAGE: &str = "usage: github-sandbox serve [options]
       github-sandbox --help

  --addr ADDR            address to bind (default 127.0.0.1:0)
  --repos N              fleet size (default 104)
  --seed S               seed of the fleet and of faults (default 1)
  --now RFC3339          generation time (default: now); fix it for reproducible shas
  --ghes                 GitHub Enterprise Server layout (/api/v3, /api/graphql)
  --log FILE             append every exchange as JSONL
  --inventory-out FILE   write the matching priority-sync inventory (YAML)
  --data-dir DIR         where git stores go (default: /dev/shm or the temp dir)
  --github-app           play a GitHub App (prints app_id, installation_id, private_key_path)
  --latency-ms L         fixed latency per request
  --error-rate F         fraction of requests answered 5xx
  --error-status S       status for --error-rate (default 502)
  --drop-rate F          fraction of connections dropped without an answer
  --secondary-rate F     fraction answered with a secondary rate limit
  --secondary-status S   403 or 429 (default 403)
  --retry-after SECS     retry-after of secondary-limit answers (default 60)
  --fault-seed S         seed of fault decisions (default: --seed)
  --rate-limit N         primary REST limit per token per hour (default 5000)
  --graphql-limit N      GraphQL points per token per hour (default 5000)
  --content-limit N      content-creating requests per token per minute (default 80)

 GitHub's limits (defaults: GitHub's; 0 turns a limit off):
  --endpoint-points N    points per token per minute on one REST endpoint, a GET 1 and a
                         write 5 (default 900)
  --content-per-hour N   content-creating requests per token per hour (default 500)
  --hourly-retry-after   send retry-after with the hourly content refusal (GitHub: not
                         reliably)
  --graphql-node-limit N nodes one GraphQL document may ask for (default 500000)
  --graphql-unbounded-ok let connections list nodes/edges without first/last
  --graphql-timeout-ms N GraphQL time limit under the sandbox's model (default 10000)
  --graphql-us-per-node N      the model's time per node asked for (default 900)
  --graphql-us-per-request N   the model's time per connection per parent (default 10000)
  --graphql-timeout-status S   502 or 504 (default 504)
  --graphql-timeout-answer-ms N  wait before the timeout answer (default 10000)
  --graphql-timeouts-free      timeouts cost no points (GitHub before 2025-07-21)
  --graphql-rate-limit-legacy  answer GraphQL rate limits with type RATE_LIMITED
  --rename OLD=NEW       rename repository OLD (owner/name) to NEW (a name, or owner/name)
                         after generation; repeatable. The inventory keeps OLD
  --rename-redirect on|off
                         REST under a former name answers 301 (GET/HEAD) or 307 with
                         Location /repositories/{id}/... as GitHub does (default on); off
                         serves the old name directly
  --compare-fail-over N  a compare of more than N commits answers GitHub's 500 (its diff
                         is \"temporarily unavailable\"; default 3000, 0 = never)
  --propagation-ms MS    a commit made while serving reaches the other repositories of its
                         fork network MS later; ref writes there answer 404 until then
                         (default 1000; 0 = at once)
  --workflow-refusal R   ref writes needing the workflow permission answer `not-found` (404,
                         as GitHub; the default) or `explicit` (422 naming the workflow)
  --mergeable-ms MS      a PR's mergeable stays null/UNKNOWN this long after it is opened
                         or its head or base moves (default 1000; 0 = at once)
  --list-lag-ms MS       a new PR is missing from pull lists this long (default 1000; 0 =
                         listed at once)
  -h, --help             print this help and exit

Prints one JSON line on stdout, then serves until killed. Each request for a route (or
GraphQL field) it does not implement is answered like GitHub (404, or a GraphQL error),
printed to stderr as `github-sandbox: unexpected route: METHOD path`, and marked
`\"unexpected\": true` in the --log entry.";

/// What `serve` was asked for.
struct Options {
    cfg: SandboxConfig,
    inventory_out: Option<String>,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let is_help = |a: &String| a == "--help" || a == "-h";
    match args.first().map(String::as_str) {
        Some("serve") => {}
        Some(_) if args.iter().any(is_help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        None => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
        Some(other) => {
            eprintln!("github-sandbox: unknown command {other}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    let result = match parse_serve(&args[1..]) {
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Some(opts)) => serve(opts),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("github-sandbox: {e}");
            ExitCode::from(2)
        }
    }
}

/// `serve`'s options, or None when help was asked for (`--help`, `-h`).
fn parse_serve(args: &[String]) -> Result<Option<Options>, String> {
    let mut cfg = SandboxConfig {
        // Nobody asserts on a served sandbox: say it as it happens.
        echo_unexpected: true,
        ..SandboxConfig::default()
    };
    let mut faults = Faults::default();
    let mut fault_seed = None;
    let mut inventory_out = None;
    let (mut rate_limit, mut graphql_limit) = (None, None);
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
            "--addr" => cfg.addr = num(flag, val()?)?,
            "--repos" => cfg.repos = num(flag, val()?)?,
            "--seed" => cfg.seed = num(flag, val()?)?,
            "--now" => {
                let v = val()?;
                cfg.now = Some(
                    github_sandbox::util::parse_rfc3339(&v)
                        .ok_or(format!("--now: bad time {v:?}"))?,
                );
            }
            "--ghes" => cfg.ghes = true,
            "--github-app" => cfg.github_app = true,
            "--log" => cfg.log_path = Some(val()?.into()),
            "--inventory-out" => inventory_out = Some(val()?),
            "--data-dir" => cfg.data_dir = Some(val()?.into()),
            "--latency-ms" => faults.latency = Duration::from_millis(num(flag, val()?)?),
            "--error-rate" => faults.error_rate = num(flag, val()?)?,
            "--error-status" => faults.error_status = num(flag, val()?)?,
            "--drop-rate" => faults.drop_rate = num(flag, val()?)?,
            "--secondary-rate" => faults.secondary_rate = num(flag, val()?)?,
            "--secondary-status" => faults.secondary_status = num(flag, val()?)?,
            "--retry-after" => faults.retry_after = num(flag, val()?)?,
            "--fault-seed" => fault_seed = Some(num(flag, val()?)?),
            "--rate-limit" => rate_limit = Some(num::<u32>(flag, val()?)?),
            "--graphql-limit" => graphql_limit = Some(num::<u32>(flag, val()?)?),
            "--content-limit" => cfg.content_limit_per_minute = num(flag, val()?)?,
            "--endpoint-points" => cfg.behaviour.endpoint_points_per_minute = num(flag, val()?)?,
            "--content-per-hour" => cfg.behaviour.content_per_hour = num(flag, val()?)?,
            "--hourly-retry-after" => cfg.behaviour.content_per_hour_retry_after = true,
            "--graphql-node-limit" => cfg.behaviour.graphql_node_limit = num(flag, val()?)?,
            "--graphql-unbounded-ok" => cfg.behaviour.graphql_pagination_bounds = false,
            "--graphql-timeout-ms" => cfg.behaviour.graphql_timeout_ms = num(flag, val()?)?,
            "--graphql-us-per-node" => cfg.behaviour.graphql_us_per_node = num(flag, val()?)?,
            "--graphql-us-per-request" => cfg.behaviour.graphql_us_per_request = num(flag, val()?)?,
            "--graphql-timeout-status" => {
                let s: u16 = num(flag, val()?)?;
                if s != 502 && s != 504 {
                    return Err(format!("{flag}: GitHub answers 502 or 504, not {s}"));
                }
                cfg.behaviour.graphql_timeout_status = s;
            }
            "--graphql-timeout-answer-ms" => {
                cfg.behaviour.graphql_timeout_answer_ms = num(flag, val()?)?
            }
            "--graphql-timeouts-free" => cfg.behaviour.graphql_timeouts_charged = false,
            "--graphql-rate-limit-legacy" => cfg.behaviour.graphql_rate_limit_legacy = true,
            "--rename" => {
                let v = val()?;
                let (old, new) = v
                    .split_once('=')
                    .filter(|(o, n)| o.contains('/') && !n.is_empty())
                    .ok_or(format!(
                        "--rename: expected OLD=NEW (owner/name=new-name), got {v:?}"
                    ))?;
                cfg.renames.push((old.to_string(), new.to_string()));
            }
            "--rename-redirect" => {
                cfg.behaviour.redirect_renamed = match val()?.as_str() {
                    "on" => true,
                    "off" => false,
                    v => return Err(format!("--rename-redirect: expected on or off, got {v:?}")),
                }
            }
            "--compare-fail-over" => cfg.behaviour.compare_fail_over = num(flag, val()?)?,
            "--propagation-ms" => cfg.behaviour.propagation_ms = num(flag, val()?)?,
            "--workflow-refusal" => {
                cfg.behaviour.workflow_refusal = match val()?.as_str() {
                    "not-found" => WorkflowRefusal::NotFound,
                    "explicit" => WorkflowRefusal::Explicit,
                    v => return Err(format!("{flag}: {v:?} is not `not-found` or `explicit`")),
                }
            }
            "--mergeable-ms" => cfg.behaviour.mergeable_ms = num(flag, val()?)?,
            "--list-lag-ms" => cfg.behaviour.list_lag_ms = num(flag, val()?)?,
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown option {other}\n\n{USAGE}")),
        }
    }
    faults.seed = fault_seed.unwrap_or(cfg.seed);
    cfg.faults = faults;
    for t in cfg.tokens.iter_mut() {
        if let Some(l) = rate_limit {
            t.core_limit = l;
        }
        if let Some(l) = graphql_limit {
            t.graphql_limit = l;
        }
    }
    Ok(Some(Options { cfg, inventory_out }))
}

/// Starts the sandbox, prints its JSON line and serves until SIGTERM/SIGINT.
fn serve(opts: Options) -> Result<(), String> {
    let Options { cfg, inventory_out } = opts;
    let sb = Sandbox::start(cfg).map_err(|e| e.to_string())?;
    if let Some(path) = &inventory_out {
        std::fs::write(path, sb.inventory_yaml()).map_err(|e| format!("{path}: {e}"))?;
    }
    let mut tokens = serde_json::Map::new();
    for name in [
        "full",
        "no-workflow",
        "no-dependabot",
        "read-only",
        "read-only-classic",
        "expiring",
        "workflow-token",
    ] {
        if let Some(t) = sb.token_named(name) {
            tokens.insert(name.to_string(), t.into());
        }
    }
    let mut line = serde_json::json!({
        "api_url": sb.api_url(),
        "graphql_url": sb.graphql_url(),
        "token": sb.token(),
        "repository": sb.repository(),
        "tokens": tokens,
        "repos": sb.fleet().repos.len(),
        "seed": sb.fleet().seed,
        "now": github_sandbox::util::rfc3339(sb.fleet().now),
        "startup_ms": sb.startup_time().as_millis() as u64,
    });
    if let Some(p) = &inventory_out {
        line["inventory"] = p.clone().into();
    }
    if let Some(app) = sb.app() {
        line["app_id"] = app.app_id.into();
        line["installation_id"] = app.installation_id.into();
        line["private_key_path"] = app.key_path.display().to_string().into();
    }
    println!("{line}");
    use std::io::Write as _;
    let _ = std::io::stdout().flush();
    // Serve until SIGTERM/SIGINT, then stop cleanly so the data directory is removed.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending::<()>().await } } => {}
        }
    });
    sb.shutdown();
    Ok(())
}
