//! Everything that talks to the GitHub Actions runner: inputs from `INPUT_*` (and the test
//! knobs from `PRIORITY_SYNC_*`), step outputs and the job summary in their files, secret
//! masking, log groups and annotations. ghactions-core's own input and output helpers are not used (they
//! turn bad values into defaults and write outputs without a multi-line delimiter); its logger
//! setup is.

pub mod annotations;
pub mod env;
pub mod inputs;
pub mod knobs;
pub mod log;
pub mod outputs;

pub use env::Env;
pub use inputs::{ActionInputs, InputError, INPUTS};
pub use knobs::Knobs;
pub use outputs::{append_summary, write_outputs, OutputError, SUMMARY_LIMIT};
