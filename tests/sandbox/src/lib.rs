//! A local GitHub backed by real git repositories, for priority-sync's tests, benchmarks and
//! demo: REST and GraphQL on 127.0.0.1 with GitHub's paths, status codes, headers and JSON
//! shapes, a deterministic fleet of forks in every state, tokens with limited permissions,
//! rate limits, fault injection and a request log.
//!
//! ```no_run
//! use github_sandbox::{Sandbox, SandboxConfig};
//! let sb = Sandbox::start(SandboxConfig { repos: 30, seed: 7, ..SandboxConfig::default() }).unwrap();
//! let omnigrid = sb.fleet().get("heyns1000/omnigrid").unwrap();
//! println!("{} is {} behind; API at {}", omnigrid.full_name, omnigrid.behind, sb.api_url());
//! sb.assert_no_unexpected_routes();
//! ```
//!
//! Layout, from the bottom up: `util`, `model` (GitHub's metadata), `git` (real git stores),
//! `fleet` (the generated fleet), `auth` (tokens), `limits` (rate-limit accounting),
//! `behaviour` (GitHub behaviour settings), `propagation` (new commits reaching a network late),
//! `faults`, `log`; `state` (the live sandbox they make up), `merging` (auto-merge, required checks and merges) and
//! `exchange` (a request and its answer);
//! the handlers, `rest` (one module per resource) and `graphql`; `server` (route table,
//! request pipeline, HTTP; `hooks`, world changes on cue); and on top `config` and `sandbox` (the `Sandbox` handle).

#![recursion_limit = "256"]

pub mod auth;
pub mod behaviour;
pub mod config;
pub mod exchange;
pub mod faults;
pub mod fleet;
pub mod git;
pub mod graphql;
pub mod hooks;
pub mod limits;
pub mod log;
pub mod merging;
pub mod model;
pub mod propagation;
pub mod rest;
pub mod sandbox;
pub mod server;
pub mod state;
pub mod util;

pub use auth::{TokenKind, TokenSpec};
pub use behaviour::{Behaviour, WorkflowRefusal};
pub use config::{AppInfo, SandboxConfig, SandboxError};
pub use faults::{FaultAction, FaultRule, Faults};
pub use fleet::{Category, Fleet, FleetRepo};
pub use log::{Counters, Kind, LogEntry};
pub use sandbox::{PullInfo, Sandbox};
