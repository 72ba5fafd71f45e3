//! The plan: which repositories a run handles, in which phases and order, and what it will do.
//! It is a value that can be printed; a dry run stops after it.

use serde::{Deserialize, Serialize};

/// The phases of SPEC §4, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhaseName {
    /// The fixed priority list, one at a time, in list order.
    Top,
    /// Every repository with open security alerts.
    Critical,
    /// The next batch of the urgency ranking.
    Urgent,
    /// Everything else (mode `all`).
    Rest,
    /// The repositories named by `force_repos`.
    Force,
}

impl PhaseName {
    pub fn as_str(self) -> &'static str {
        match self {
            PhaseName::Top => "top",
            PhaseName::Critical => "critical",
            PhaseName::Urgent => "urgent",
            PhaseName::Rest => "rest",
            PhaseName::Force => "force",
        }
    }
}
