//! The `priority-sync` binary: parses the command line, runs, and maps failures to exit codes
//! (0 completed, 2 bad input or configuration, 1 the run could not complete).

use std::process::ExitCode;

use clap::Parser;
use priority_sync::action_io::{self, Env};
use priority_sync::cli::{Cli, Command, Format};
use priority_sync::{config, offline};

/// Bad input or configuration: nothing was done.
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env = Env::from_process();
    action_io::log::init(env.in_actions());
    let result = match cli.command {
        Some(Command::Plan {
            snapshot,
            config,
            mode,
            force,
            format,
        }) => plan(&snapshot, &config, &mode, force.as_deref(), format),
        Some(Command::Snapshot { .. }) | Some(Command::Run { .. }) => {
            Err(Failure::Run(anyhow::anyhow!("live runs are not built yet")))
        }
        None if env.in_actions() => Err(Failure::Run(anyhow::anyhow!(
            "the action entrypoint is not built yet"
        ))),
        None => {
            eprintln!("priority-sync: give a subcommand (run, plan, snapshot); see --help");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(e)) => {
            action_io::log::fatal(&format!("{e:#}"), env.in_actions());
            ExitCode::from(EXIT_USAGE)
        }
        Err(Failure::Run(e)) => {
            action_io::log::fatal(&format!("{e:#}"), env.in_actions());
            ExitCode::FAILURE
        }
    }
}

/// How a command failed, which decides the exit code.
enum Failure {
    Usage(anyhow::Error),
    Run(anyhow::Error),
}

fn plan(
    snapshot: &std::path::Path,
    config_path: &std::path::Path,
    mode: &str,
    force: Option<&str>,
    format: Format,
) -> Result<(), Failure> {
    let inv = config::load_file(config_path).map_err(|e| Failure::Usage(e.into()))?;
    let snap = offline::load_snapshot(snapshot).map_err(|e| Failure::Usage(e.into()))?;
    let plan = offline::plan_offline(&inv, &snap, mode, force).map_err(Failure::Usage)?;
    match format {
        Format::Json => {
            let json = serde_json::to_string_pretty(&plan.to_json())
                .map_err(|e| Failure::Run(e.into()))?;
            println!("{json}");
        }
        Format::Text => print!("{}", plan.to_text()),
    }
    Ok(())
}
