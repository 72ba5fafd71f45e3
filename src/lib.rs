//! priority-sync: keeps a fleet of forks in sync with their upstreams, most important first.
//!
//! The run is a pipeline: gather facts → plan (pure) → apply (the only writer) → report →
//! publish. Everything that decides is a pure function of data and an injected clock.

pub mod action_io;
pub mod apply;
pub mod artifacts;
pub mod check;
pub mod cli;
pub mod clock;
pub mod config;
pub mod contain;
pub mod cron;
pub mod decision;
pub mod facts;
pub mod gather;
pub mod github;
pub mod ids;
pub mod mode;
pub mod notify;
pub mod offline;
pub mod outcome;
pub mod plan;
pub mod plural;
pub mod publish;
pub mod repo_name;
pub mod report;
pub mod run;
pub mod shard;
pub mod state;
pub mod tags;
#[cfg(test)]
mod testing;
pub mod unit;
pub mod urgency;
pub mod yaml;
