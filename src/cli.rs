//! Command-line arguments: `run`, `plan`, `snapshot`, `check`, `report`, and the action entrypoint when
//! no subcommand is given on the runner. Every option says what it does in `--help`.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "priority-sync",
    version,
    about = "Keep a fleet of forks in sync with their upstreams, most important first.",
    long_about = "Keep a fleet of forks in sync with their upstreams, most important first.\n\n\
With no subcommand and GITHUB_ACTIONS=true it runs as the GitHub Action, reading its inputs \
from INPUT_* variables."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The plan JSON (phases, repositories, scores, actions).
    Json,
    /// A readable table per phase.
    Text,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Plan fully offline from a saved snapshot (the simulation mode); writes nothing.
    Plan {
        /// Snapshot JSON (`priority-sync snapshot --out FILE`, or hand-written).
        #[arg(long)]
        snapshot: PathBuf,
        /// The inventory: which repositories, the Top 12, rules (YAML or JSON).
        #[arg(long, default_value = crate::config::DEFAULT_PATH)]
        config: PathBuf,
        /// auto, top12, urgent or all (offline, auto is top12: there is no event to read).
        #[arg(long, default_value = "auto")]
        mode: String,
        /// Plan only these repositories, in this order, comma-separated; short names resolve
        /// against the inventory.
        #[arg(long, value_name = "A,B")]
        force: Option<String>,
        /// How to print the plan.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Gather live metadata for the whole fleet into a snapshot file (read-only).
    Snapshot {
        /// The snapshot file to write (JSON; `plan --snapshot` reads it).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// The inventory: which repositories, the Top 12, rules (YAML or JSON).
        #[arg(long, default_value = crate::config::DEFAULT_PATH)]
        config: PathBuf,
    },
    /// Sync the fleet against the GitHub API (GITHUB_API_URL, token from GITHUB_TOKEN).
    Run {
        /// The inventory: which repositories, the Top 12, rules (YAML or JSON).
        #[arg(long, default_value = crate::config::DEFAULT_PATH)]
        config: PathBuf,
        /// auto, top12, urgent or all; `auto` chooses from the event (GITHUB_EVENT_NAME and
        /// its payload), else top12.
        #[arg(long, default_value = "auto")]
        mode: String,
        /// Sync only these repositories, in this order, comma-separated; short names resolve
        /// against the inventory.
        #[arg(long, value_name = "A,B")]
        force: Option<String>,
        /// Compute and report everything, write nothing to any repository.
        #[arg(long)]
        dry_run: bool,
        /// Where to write the audit artifacts locally (default: the inventory's `artifacts.dir`).
        #[arg(long)]
        artifacts_dir: Option<PathBuf>,
        /// Do not commit the audit artifacts to the workflow's repository.
        #[arg(long)]
        no_commit: bool,
        /// Sync only this stable slice of the fleet (`i/n`); writes a result file, never commits.
        #[arg(long, value_name = "I/N")]
        shard: Option<String>,
        /// Where to write this run's result file (for `report`).
        #[arg(long)]
        results_dir: Option<PathBuf>,
        /// Minutes gathering and syncing may take; past them the rest is pending (with the
        /// reason) and the run still reports and commits.
        #[arg(long, value_name = "MINUTES", default_value_t = crate::action_io::inputs::TIME_BUDGET_DEFAULT_MINUTES,
              value_parser = clap::value_parser!(u64).range(1..=crate::action_io::inputs::TIME_BUDGET_MAX_MINUTES))]
        time_budget_minutes: u64,
    },
    /// Pre-flight: what the token can do on every repository of the inventory, and the fixes
    /// (reads only; exit 0 when everything the inventory asks for is possible, else 1).
    Check {
        /// The inventory: which repositories, the Top 12, rules (YAML or JSON).
        #[arg(long, default_value = crate::config::DEFAULT_PATH)]
        config: PathBuf,
    },
    /// Merge the result files of sharded or fanned-out runs, report and commit once.
    Report {
        /// The inventory: which repositories, the Top 12, rules (YAML or JSON).
        #[arg(long, default_value = crate::config::DEFAULT_PATH)]
        config: PathBuf,
        /// Folder holding the jobs' result files (searched recursively).
        #[arg(long, default_value = "priority-sync-results")]
        results_dir: PathBuf,
        /// Where to write the audit artifacts locally (default: the inventory's `artifacts.dir`).
        #[arg(long)]
        artifacts_dir: Option<PathBuf>,
        /// Do not commit the audit artifacts to the workflow's repository.
        #[arg(long)]
        no_commit: bool,
        /// Minutes reading the fleet may take; past them the rest is pending (with the reason)
        /// and the report is still written and committed.
        #[arg(long, value_name = "MINUTES", default_value_t = crate::action_io::inputs::TIME_BUDGET_DEFAULT_MINUTES,
              value_parser = clap::value_parser!(u64).range(1..=crate::action_io::inputs::TIME_BUDGET_MAX_MINUTES))]
        time_budget_minutes: u64,
    },
}

/// The subcommands' names, in the order `--help` lists them.
pub fn subcommand_names() -> Vec<String> {
    use clap::CommandFactory;
    Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn every_option_says_what_it_does() {
        for sub in Cli::command().get_subcommands() {
            for arg in sub.get_arguments() {
                let id = arg.get_id().as_str();
                if id == "help" {
                    continue;
                }
                assert!(
                    arg.get_help()
                        .is_some_and(|h| !h.to_string().trim().is_empty()),
                    "`{} --{id}` has no description",
                    sub.get_name()
                );
            }
        }
    }

    #[test]
    fn the_subcommands_are_all_named() {
        assert_eq!(
            subcommand_names(),
            ["plan", "snapshot", "run", "check", "report"]
        );
    }

    #[test]
    fn mode_help_lists_the_modes_and_not_force() {
        for sub in ["plan", "run"] {
            let cmd = Cli::command();
            let c = cmd.find_subcommand(sub).unwrap();
            let mode = c.get_arguments().find(|a| a.get_id() == "mode").unwrap();
            let help = mode.get_help().unwrap().to_string();
            assert!(help.contains("top12, urgent or all"), "{help}");
            assert!(!help.contains("force"), "{sub} --mode: {help}");
        }
    }
}
