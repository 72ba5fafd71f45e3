//! Renders every report of the fixture runs into a directory, for looking at them in a browser
//! and for `scripts/check-dashboard.sh`: `cargo run --example report-fixtures -- OUT_DIR`.
//!
//! Writes `OUT_DIR/<fixture>/` with the artifacts and `job-summary.md`, one folder per fixture.
//! The fixtures (test data, not part of the library) are planned and applied by the product's
//! own code against an in-memory GitHub: see `tests/report_fixtures/`.

use std::path::PathBuf;

use priority_sync::report::{self, ReportOptions};

#[path = "../tests/report_fixtures/mod.rs"]
mod fixtures;

fn main() -> anyhow::Result<()> {
    let out: PathBuf = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("demo-out"));
    for (name, built, state) in fixtures::all() {
        let dir = out.join(name);
        std::fs::create_dir_all(&dir)?;
        let rendered = report::render_all(
            &built.run,
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
