//! The step outputs of SPEC §6, and the `matrix` of a fan-out over the Top 12.

use super::RunOutput;
use crate::decision::Status::*;
use crate::plan::PhaseName;
use crate::repo_name::RepoName;

/// `{"include": [{"repo": …, "position": 1}, …]}`: one matrix job per Top 12 repository.
pub fn top_matrix<'a>(top: impl Iterator<Item = &'a RepoName>) -> serde_json::Value {
    serde_json::json!({
        "include": top
            .enumerate()
            .map(|(i, r)| serde_json::json!({ "repo": r.to_string(), "position": i + 1 }))
            .collect::<Vec<_>>()
    })
}

/// The names of the step outputs of SPEC §6, in the order `step_outputs` writes them. The one
/// list `action.yml`'s `outputs` must agree with (tests/action_metadata.rs checks both ways).
pub const OUTPUT_NAMES: &[&str; 11] = &[
    "mode",
    "synced",
    "pr_open",
    "up_to_date",
    "failed",
    "skipped",
    "inaccessible",
    "pending",
    "sync_percentage",
    "report",
    "matrix",
];

/// The step outputs of SPEC §6: `OUTPUT_NAMES` paired with their values.
pub fn step_outputs(out: &RunOutput, report_path: &str) -> Vec<(&'static str, String)> {
    let r = &out.report;
    let mut seen = std::collections::BTreeSet::new();
    let matrix = top_matrix(
        out.plan
            .phases
            .iter()
            .filter(|p| p.name == PhaseName::Top)
            .flat_map(|p| p.repos.iter().map(|r| &r.repo))
            // A repository listing several branches is one job (its branches share a place).
            .filter(|repo| seen.insert(*repo)),
    );
    // One value per name, in `OUTPUT_NAMES` order (the array length is checked by the compiler).
    let values: [String; 11] = [
        r.mode.mode.to_string(),
        r.count(Synced).to_string(),
        r.count(PrOpen).to_string(),
        r.count(UpToDate).to_string(),
        r.count(Failed).to_string(),
        r.count(Skipped).to_string(),
        r.count(Inaccessible).to_string(),
        r.count(Pending).to_string(),
        format!("{:.1}", r.sync_percentage()),
        report_path.to_string(),
        matrix.to_string(),
    ];
    OUTPUT_NAMES.iter().copied().zip(values).collect()
}
