//! The `priority-sync` binary: parses the command line (or the action's inputs), runs, and maps
//! failures to exit codes: 0 completed, 2 bad input or configuration (nothing was done),
//! 1 the run could not complete (credentials, network, audit commit).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use priority_sync::action_io::inputs::{Operation, Runner};
use priority_sync::action_io::{self, ActionInputs, Env, Knobs};
use priority_sync::cli::{Cli, Command, Format};
use priority_sync::clock::SystemClock;
use priority_sync::config::{self, Inventory};
use priority_sync::github::client::Credentials;
use priority_sync::github::{Client, ClientConfig, GitHub};
use priority_sync::mode::split_list;
use priority_sync::notify::{Notifier, Webhook};
use priority_sync::run::{execute, step_outputs, RunError, RunSettings};
use priority_sync::{facts, gather, offline, state};

const EXIT_USAGE: u8 = 2;

/// How a command failed, which decides the exit code.
enum Failure {
    Usage(String),
    Run(String),
}

impl From<RunError> for Failure {
    fn from(e: RunError) -> Self {
        match e {
            RunError::Usage(m) => Failure::Usage(m),
            e => Failure::Run(e.to_string()),
        }
    }
}

fn main() -> ExitCode {
    // A panic message may quote text from an answer: one neutral line, never a raw one.
    priority_sync::contain::install_panic_hook();
    let env = Env::from_process();
    let in_actions = env.in_actions();
    // Before anything is parsed, validated or printed: a run that fails on a bad input still
    // hides every secret it was given.
    if in_actions {
        let secrets = action_io::inputs::raw_secrets(&env);
        action_io::log::mask_all(secrets.iter().map(String::as_str));
    }
    let cli = Cli::parse();
    action_io::log::init(in_actions);
    action_io::log::install_panic_hook();
    let result = match cli.command {
        Some(Command::Plan {
            snapshot,
            config,
            mode,
            force,
            format,
        }) => plan(&env, &snapshot, &config, &mode, force.as_deref(), format),
        Some(Command::Snapshot { out, config }) => {
            runtime().and_then(|rt| rt.block_on(snapshot(&env, &out, &config)))
        }
        Some(Command::Run {
            config,
            mode,
            force,
            dry_run,
            artifacts_dir,
            no_commit,
            shard,
            results_dir,
            time_budget_minutes,
        }) => runtime().and_then(|rt| {
            rt.block_on(cli_run(
                &env,
                CliRun {
                    config,
                    mode: Some(mode),
                    force,
                    dry_run,
                    artifacts_dir,
                    no_commit,
                    shard,
                    results_dir,
                    merge_from: None,
                    time_budget: minutes(time_budget_minutes),
                },
            ))
        }),
        Some(Command::Report {
            config,
            results_dir,
            artifacts_dir,
            no_commit,
            time_budget_minutes,
        }) => runtime().and_then(|rt| {
            rt.block_on(cli_run(
                &env,
                CliRun {
                    config,
                    mode: Some("all".into()),
                    force: None,
                    dry_run: false,
                    artifacts_dir,
                    no_commit,
                    shard: None,
                    results_dir: None,
                    merge_from: Some(results_dir),
                    time_budget: minutes(time_budget_minutes),
                },
            ))
        }),
        None if in_actions => runtime().and_then(|rt| rt.block_on(action(&env))),
        None => {
            eprintln!(
                "priority-sync: give a subcommand ({}); see --help",
                priority_sync::cli::subcommand_names().join(", ")
            );
            return ExitCode::from(EXIT_USAGE);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(e)) => {
            action_io::log::fatal(&e, in_actions);
            ExitCode::from(EXIT_USAGE)
        }
        Err(Failure::Run(e)) => {
            action_io::log::fatal(&e, in_actions);
            ExitCode::FAILURE
        }
    }
}

fn minutes(n: u64) -> Duration {
    Duration::from_secs(n * 60)
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Run(format!("cannot start the async runtime: {e}")))
}

/// Reads the inventory. On the runner, each problem is also an error annotation on its line
/// of the file (the readable error follows as the run's failure).
fn load_inventory(env: &Env, path: &Path) -> Result<Inventory, Failure> {
    config::load_file(path).map_err(|e| {
        if env.in_actions() {
            let workspace = env.non_empty("GITHUB_WORKSPACE").map(Path::new);
            action_io::annotations::print_config_annotations(&e, workspace);
        }
        Failure::Usage(e.to_string())
    })
}

/// The command line's inventory: its problems in the command line's words (`--config`, not the
/// action's `config` input; nothing is synced by any subcommand that fails here).
fn load_cli_inventory(env: &Env, path: &Path) -> Result<Inventory, Failure> {
    config::load_file(path).map_err(|e| {
        if env.in_actions() {
            let workspace = env.non_empty("GITHUB_WORKSPACE").map(Path::new);
            action_io::annotations::print_config_annotations(&e, workspace);
        }
        let mut text = format!(
            "{} has {}; nothing was done:\n",
            e.file,
            priority_sync::plural::count(e.problems.len() as u64, "problem", "problems")
        );
        for p in &e.problems {
            let at = match p.line {
                Some(line) => format!("{}:{line}", e.file),
                None => e.file.clone(),
            };
            if p.path.is_empty() {
                text.push_str(&format!("  {at}: {}\n", p.message));
            } else {
                text.push_str(&format!("  {at}: {}: {}\n", p.path, p.message));
            }
            if let Some(hint) = &p.hint {
                let hint = hint.replace("the `config` input", "--config");
                text.push_str(&format!("      fix: {hint}\n"));
            }
        }
        Failure::Usage(text.trim_end().to_string())
    })
}

fn plan(
    env: &Env,
    snapshot: &Path,
    config_path: &Path,
    mode: &str,
    force: Option<&str>,
    format: Format,
) -> Result<(), Failure> {
    let inv = load_cli_inventory(env, config_path)?;
    let snap = offline::load_snapshot(snapshot).map_err(|e| Failure::Usage(e.to_string()))?;
    let plan = offline::plan_offline(&inv, &snap, mode, force)
        .map_err(|e| Failure::Usage(format!("{e:#}")))?;
    // The plan quotes the snapshot and the inventory: printed in a workflow step, no line of
    // it may read as a workflow command. JSON keeps its data exact (`#` as `\u0023`).
    let text = match format {
        Format::Json => (serde_json::to_string_pretty(&plan.to_json())
            .map_err(|e| Failure::Run(e.to_string()))?
            + "\n")
            .replace("##[", "#\\u0023["),
        Format::Text => action_io::log::neutralise(&plan.to_text()),
    };
    print_stdout(&text)
}

/// Writes to stdout without `println!`'s panic on a closed pipe: `priority-sync plan | head`
/// ends quietly (exit 0) when the reader has seen enough.
fn print_stdout(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Run(format!("cannot write to stdout: {e}"))),
    }
}

/// The runner's `GITHUB_*` context, read once (the event payload is a file).
fn runner(env: &Env) -> Result<Runner, Failure> {
    Runner::from_env(env).map_err(|errs| {
        Failure::Usage(
            errs.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        )
    })
}

/// The test and benchmark knobs (`PRIORITY_SYNC_*`), checked before any request: a bad value
/// is a usage error (exit 2); a pace over GitHub's limit against another server is a warning.
fn knobs(env: &Env, runner: &Runner) -> Result<Knobs, Failure> {
    let knobs =
        Knobs::from_env(env, &runner.api_url).map_err(|errs| Failure::Usage(errs.join("\n")))?;
    for w in &knobs.warnings {
        log::warn!("{w}");
    }
    Ok(knobs)
}

/// How long a ref write answered 404 is sent again while new upstream commits reach a fork.
fn propagation_wait(knobs: &Knobs) -> std::time::Duration {
    knobs.propagation_wait_ms.map_or(
        priority_sync::apply::DEFAULT_PROPAGATION_WAIT,
        std::time::Duration::from_millis,
    )
}

/// A client for the runner's API URLs, with the inventory's limits and the test knobs.
fn client(
    env: &Env,
    runner: &Runner,
    inv: &Inventory,
    knobs: &Knobs,
    credentials: Credentials,
) -> Result<Arc<dyn GitHub>, Failure> {
    let mut cfg = ClientConfig::new(&runner.api_url, &runner.graphql_url, credentials);
    cfg.max_inflight = inv.limits.max_inflight_requests;
    cfg.writes_per_minute = inv.limits.writes_per_minute;
    cfg.endpoint_points_per_minute = inv.limits.endpoint_points_per_minute;
    // Test knobs for local GitHub stand-ins (the sandbox); never needed against github.com.
    if let Some(ms) = knobs.backoff_ms {
        cfg.backoff_base = std::time::Duration::from_millis(ms);
    }
    if let Some(ms) = knobs.timeout_ms {
        cfg.timeout = std::time::Duration::from_millis(ms);
    }
    if let Some(n) = knobs.writes_per_minute {
        cfg.writes_per_minute = n;
    }
    let in_actions = env.in_actions();
    let c = Client::new(cfg)
        .map_err(|e| Failure::Usage(format!("GITHUB_API_URL: {e}")))?
        .on_secret(move |s| {
            if in_actions {
                action_io::log::mask(s)
            }
        });
    Ok(Arc::new(c))
}

fn token_from_env(env: &Env) -> Result<Credentials, Failure> {
    env.non_empty("GITHUB_TOKEN")
        .map(|t| Credentials::Token(t.trim().to_string()))
        .ok_or_else(|| Failure::Usage("no token: set GITHUB_TOKEN (a token that can read the fleet, and write to it unless --dry-run)".into()))
}

async fn snapshot(env: &Env, out: &Path, config_path: &Path) -> Result<(), Failure> {
    let inv = load_cli_inventory(env, config_path)?;
    let runner = runner(env)?;
    let knobs = knobs(env, &runner)?;
    let gh = client(env, &runner, &inv, &knobs, token_from_env(env)?)?;
    let now = chrono::Utc::now();
    let g = gather::gather(gh.clone(), &inv, &state::SyncState::empty(), now)
        .await
        .map_err(|e| Failure::Run(format!("gathering failed: {e}")))?;
    for w in &g.warnings {
        log::warn!("{w}");
    }
    let snap = facts::Snapshot {
        taken_at: now,
        repos: inv
            .all()
            .filter_map(|s| g.facts.get(&s.repo).cloned())
            .collect(),
    };
    let text = serde_json::to_string_pretty(&snap).map_err(|e| Failure::Run(e.to_string()))? + "\n";
    std::fs::write(out, text)
        .map_err(|e| Failure::Run(format!("cannot write {}: {e}", out.display())))?;
    let s = gh.stats();
    log::info!(
        "wrote {} ({} repositories; {} GraphQL + {} compare requests)",
        out.display(),
        snap.repos.len(),
        s.graphql,
        s.compare
    );
    Ok(())
}

/// The command line's `run` and `report`.
struct CliRun {
    config: PathBuf,
    mode: Option<String>,
    force: Option<String>,
    dry_run: bool,
    artifacts_dir: Option<PathBuf>,
    no_commit: bool,
    shard: Option<String>,
    results_dir: Option<PathBuf>,
    /// `report`: the folder of result files to merge.
    merge_from: Option<PathBuf>,
    /// `--time-budget-minutes`.
    time_budget: Duration,
}

fn read_results(dir: &Path) -> Result<Vec<priority_sync::shard::RunResult>, Failure> {
    let results =
        priority_sync::shard::read_results(dir).map_err(|e| Failure::Usage(e.to_string()))?;
    log::info!(
        "merging {} result file(s) from {}",
        results.len(),
        dir.display()
    );
    Ok(results)
}

async fn cli_run(env: &Env, a: CliRun) -> Result<(), Failure> {
    let inv = load_cli_inventory(env, &a.config)?;
    let runner = runner(env)?;
    let knobs = knobs(env, &runner)?;
    let shard = a
        .shard
        .as_deref()
        .map(str::parse::<priority_sync::shard::Shard>)
        .transpose()
        .map_err(|e| Failure::Usage(format!("--shard: {e}")))?;
    if shard.is_some() {
        let mode = a.mode.as_deref().unwrap_or("auto");
        let misuse = action_io::inputs::shard_misuse(
            mode,
            a.force
                .as_deref()
                .is_some_and(|f| !split_list(f).is_empty()),
            action_io::inputs::CLI_SPELLING,
        );
        if let Some(m) = misuse {
            return Err(Failure::Usage(format!("--shard {m}")));
        }
    }
    let merge = a.merge_from.as_deref().map(read_results).transpose()?;
    let gh = client(env, &runner, &inv, &knobs, token_from_env(env)?)?;
    let audit = match env.non_empty("PRIORITY_SYNC_AUDIT_TOKEN") {
        Some(t) => client(
            env,
            &runner,
            &inv,
            &knobs,
            Credentials::Token(t.trim().to_string()),
        )?,
        None => gh.clone(),
    };
    let local_dir = a
        .artifacts_dir
        .unwrap_or_else(|| PathBuf::from(&inv.artifacts.dir));
    let webhook = env.non_empty(&inv.notify.webhook_env).map(str::to_string);
    let results_dir = a
        .results_dir
        .or_else(|| shard.map(|_| PathBuf::from("priority-sync-results")));
    let settings = RunSettings {
        mode: a.mode,
        force: a.force.as_deref().map(split_list).unwrap_or_default(),
        event_name: runner.event_name.clone(),
        event: runner.event.clone(),
        dry_run: a.dry_run,
        local_dir,
        commit: !a.no_commit && inv.artifacts.commit,
        repository: runner.repository.clone(),
        git_ref: runner.git_ref.clone(),
        server_url: runner.server_url.clone(),
        inventory: inv,
        shard,
        results_dir,
        merge,
        time_budget: knobs.time_budget(a.time_budget),
        workspace: None,
        propagation_wait: propagation_wait(&knobs),
    };
    finish(gh, audit, settings, webhook, &runner, &knobs).await
}

async fn action(env: &Env) -> Result<(), Failure> {
    let inputs = ActionInputs::from_env(env).map_err(|errs| {
        Failure::Usage(format!(
            "the action's inputs have {} problem{}; nothing was synced:\n{}",
            errs.len(),
            if errs.len() == 1 { "" } else { "s" },
            errs.iter()
                .map(|e| format!("  {e}"))
                .collect::<Vec<_>>()
                .join("\n")
        ))
    })?;
    // The secrets were masked first thing, in `main`.
    for w in action_io::inputs::input_warnings(env) {
        log::warn!("{w}");
    }
    let knobs = knobs(env, &inputs.runner)?;
    let mut inv = load_inventory(env, &inputs.config)?;
    if let Some(dir) = &inputs.artifacts_dir {
        inv.artifacts.dir = dir.trim_end_matches('/').to_string();
    }
    let workspace = inputs
        .runner
        .workspace
        .clone()
        .unwrap_or_else(|| PathBuf::from("."));
    if inputs.operation == Operation::Plan {
        return plan_matrix(&inv, inputs.shards, &inputs.runner);
    }
    let results_dir = workspace.join(&inputs.results_dir);
    let merge = match inputs.operation {
        Operation::Report => Some(read_results(&results_dir)?),
        _ => None,
    };
    let credentials = match (&inputs.app, &inputs.token) {
        (Some(app), _) => Credentials::App { app_id: app.app_id, private_key: app.private_key.clone() },
        (None, Some(t)) => Credentials::Token(t.0.clone()),
        (None, None) => {
            return Err(Failure::Usage(
                "no credentials: set the `token` input (a PAT or App token that can reach the fleet) or `app_id` + `app_private_key`".into(),
            ))
        }
    };
    if let Some(w) = env.non_empty(&inv.notify.webhook_env) {
        action_io::log::mask(w);
    }
    if let Some(w) = inputs.workflow_token_warning(env, inv.all().map(|s| &s.repo)) {
        log::warn!("{w}");
    }
    let gh = client(env, &inputs.runner, &inv, &knobs, credentials)?;
    // The workflow's own repository is reached with `audit_token` (GITHUB_TOKEN by default).
    let audit = match &inputs.audit_token {
        Some(t) => client(
            env,
            &inputs.runner,
            &inv,
            &knobs,
            Credentials::Token(t.0.clone()),
        )?,
        None => gh.clone(),
    };
    let webhook = inputs
        .webhook_url
        .as_ref()
        .map(|w| w.0.clone())
        .or_else(|| env.non_empty(&inv.notify.webhook_env).map(str::to_string));
    let runner = inputs.runner.clone();
    let local_dir = runner
        .workspace
        .clone()
        .unwrap_or_else(|| PathBuf::from("."))
        .join(&inv.artifacts.dir);
    let fan_out_job = inputs.shard.is_some() || !inputs.commit_artifacts;
    let settings = RunSettings {
        mode: Some(if merge.is_some() {
            "all".to_string()
        } else {
            inputs.mode.clone()
        }),
        force: inputs.force_repos.clone(),
        event_name: runner.event_name.clone(),
        event: runner.event.clone(),
        dry_run: inputs.dry_run,
        local_dir,
        commit: inputs.commit_artifacts && inv.artifacts.commit,
        repository: runner.repository.clone(),
        git_ref: runner.git_ref.clone(),
        server_url: runner.server_url.clone(),
        inventory: inv,
        shard: inputs.shard,
        // Fan-out jobs (shards, or runs that leave the commit to a report job) leave a result.
        results_dir: (fan_out_job && merge.is_none()).then_some(results_dir),
        merge,
        time_budget: knobs.time_budget(inputs.time_budget),
        // The container's files go into the runner's workspace: inside it, and its owner's.
        workspace: runner.workspace.clone(),
        propagation_wait: propagation_wait(&knobs),
    };
    finish(gh, audit, settings, webhook, &runner, &knobs).await
}

/// `mode: plan`: the `matrix` output for a fan-out — N shards, or the Top 12 one per job.
/// Needs no token and makes no API call.
fn plan_matrix(
    inv: &Inventory,
    shards: Option<u32>,
    runner: &action_io::inputs::Runner,
) -> Result<(), Failure> {
    let matrix = match shards {
        Some(n) if n >= 2 => priority_sync::shard::shard_matrix(n),
        _ => priority_sync::run::top_matrix(inv.top.iter().map(|s| &s.repo)),
    };
    let jobs = matrix["include"].as_array().map_or(0, Vec::len);
    log::info!("matrix of {jobs} jobs: {matrix}");
    if let Some(path) = &runner.output_file {
        action_io::write_outputs(
            path,
            &[("mode", "plan".into()), ("matrix", matrix.to_string())],
        )
        .map_err(|e| Failure::Run(e.to_string()))?;
    }
    if let Some(path) = &runner.summary_file {
        let md = format!("## priority-sync plan\n\nA fan-out of **{jobs}** job(s): `{matrix}`\n");
        action_io::append_summary(path, &md).map_err(|e| Failure::Run(e.to_string()))?;
    }
    Ok(())
}

/// Runs, then writes step outputs and the job summary when the runner provides their files.
async fn finish(
    gh: Arc<dyn GitHub>,
    audit: Arc<dyn GitHub>,
    settings: RunSettings,
    webhook: Option<String>,
    runner: &action_io::inputs::Runner,
    knobs: &Knobs,
) -> Result<(), Failure> {
    // One request's timeout knob shortens the webhook's deadline too (tests).
    let deadline = knobs.timeout_ms.map_or(
        priority_sync::notify::WEBHOOK_DEADLINE,
        Duration::from_millis,
    );
    let notifier: Option<Box<dyn Notifier>> = match webhook {
        Some(url) => match Webhook::new(&url, deadline) {
            Ok(w) => Some(Box::new(w)),
            Err(e) => return Err(Failure::Usage(format!("webhook: {e}"))),
        },
        None => None,
    };
    let local_dir = settings.local_dir.clone();
    let out = execute(gh, audit, &SystemClock, settings, notifier.as_deref()).await?;
    let report_path = workspace_relative(
        &local_dir.join("sync-progress.json"),
        runner.workspace.as_deref(),
    );
    if let Some(path) = &runner.output_file {
        let outputs = step_outputs(&out, &report_path.display().to_string());
        action_io::write_outputs(path, &outputs).map_err(|e| Failure::Run(e.to_string()))?;
    }
    if let Some(path) = &runner.summary_file {
        action_io::append_summary(path, &out.summary).map_err(|e| Failure::Run(e.to_string()))?;
    }
    let r = &out.report;
    {
        use priority_sync::outcome::Status;
        // The job summary's words and order: in sync, PR open, pending, skipped, inaccessible,
        // failed.
        log::info!(
            "done: {:.1}% in sync ({} synced, {} up to date), {} PR open, {} pending, {} skipped, {} inaccessible, {} failed",
            r.sync_percentage(),
            r.count(Status::Synced),
            r.count(Status::UpToDate),
            r.count(Status::PrOpen),
            r.count(Status::Pending),
            r.count(Status::Skipped),
            r.count(Status::Inaccessible),
            r.count(Status::Failed),
        );
    }
    match out.publish_error {
        Some(e) => Err(Failure::Run(format!(
            "the run completed but its audit artifacts were not committed: {e}"
        ))),
        None => Ok(()),
    }
}

/// `path` relative to the workspace when it lies inside it (the `report` output: a Docker
/// action's `/github/workspace/…` is not a path later steps on the host can open), else as is.
fn workspace_relative(path: &Path, workspace: Option<&Path>) -> PathBuf {
    workspace
        .and_then(|w| path.strip_prefix(w).ok())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| path.to_path_buf())
}
