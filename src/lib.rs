//! priority-sync: keeps a fleet of forks in sync with their upstreams, most important first.
//!
//! The run is a pipeline: gather facts → plan (pure) → apply (the only writer) → report →
//! publish. Everything that decides is a pure function of data and an injected clock.

pub mod clock;
pub mod decision;
pub mod facts;
pub mod mode;
pub mod outcome;
pub mod plan;
pub mod repo_name;
pub mod report;
pub mod state;
