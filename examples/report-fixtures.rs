//! Renders every report of the fixture runs into a directory, for looking at them in a browser
//! and for `scripts/check-dashboard.sh`: `cargo run --example report-fixtures -- OUT_DIR`.
//!
//! Writes `OUT_DIR/<fixture>/` with the artifacts and `job-summary.md`, one folder per fixture.

use std::path::PathBuf;

use priority_sync::report::{self, fixtures, ReportOptions};
use priority_sync::state::SyncState;

fn main() -> anyhow::Result<()> {
    let out: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("demo-out"));
    let cases = [
        (
            "source-example",
            fixtures::source_example(),
            fixtures::source_example_state(),
        ),
        ("empty", fixtures::empty_fleet(), SyncState::default()),
        (
            "all-green",
            fixtures::all_green(),
            fixtures::all_green_state(),
        ),
        ("dry-run", fixtures::dry_run(), SyncState::default()),
        ("hostile", fixtures::hostile(), SyncState::default()),
        (
            "large",
            fixtures::large(10_000),
            fixtures::large_state(10_000),
        ),
    ];
    for (name, run, state) in cases {
        let dir = out.join(name);
        std::fs::create_dir_all(&dir)?;
        let rendered = report::render_all(
            &run,
            &state,
            fixtures::generated_at(),
            &ReportOptions::default(),
        )?;
        std::fs::write(dir.join("job-summary.md"), &rendered.job_summary)?;
        for a in &rendered.artifacts {
            std::fs::write(dir.join(a.file_name), &a.contents)?;
        }
        println!("{}", dir.display());
    }
    Ok(())
}
