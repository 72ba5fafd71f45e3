//! Command-line arguments: `run`, `plan`, `snapshot`, and the action entrypoint when no
//! subcommand is given on the runner.

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
    Json,
    Text,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Plan fully offline from a saved snapshot (the simulation mode); writes nothing.
    Plan {
        /// Snapshot JSON (`priority-sync snapshot --out FILE`, or hand-written).
        #[arg(long)]
        snapshot: PathBuf,
        /// Inventory (YAML or JSON).
        #[arg(long, default_value = crate::config::DEFAULT_PATH)]
        config: PathBuf,
        /// auto (= top12 offline), top12, urgent, all or force.
        #[arg(long, default_value = "auto")]
        mode: String,
        /// Repositories to force, comma-separated; short names resolve against the inventory.
        #[arg(long, value_name = "A,B")]
        force: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Gather live metadata for the whole fleet into a snapshot file (read-only).
    Snapshot {
        #[arg(long)]
        out: PathBuf,
        #[arg(long, default_value = crate::config::DEFAULT_PATH)]
        config: PathBuf,
    },
    /// Sync the fleet against the GitHub API (GITHUB_API_URL, token from GITHUB_TOKEN).
    Run {
        #[arg(long, default_value = crate::config::DEFAULT_PATH)]
        config: PathBuf,
        /// auto, top12, urgent, all or force. `auto` chooses from the event.
        #[arg(long, default_value = "auto")]
        mode: String,
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
    },
    /// Merge the result files of sharded or fanned-out runs, report and commit once.
    Report {
        #[arg(long, default_value = crate::config::DEFAULT_PATH)]
        config: PathBuf,
        /// Folder holding the jobs' result files (searched recursively).
        #[arg(long, default_value = "priority-sync-results")]
        results_dir: PathBuf,
        /// Where to write the audit artifacts locally (default: the inventory's `artifacts.dir`).
        #[arg(long)]
        artifacts_dir: Option<PathBuf>,
        #[arg(long)]
        no_commit: bool,
    },
}
