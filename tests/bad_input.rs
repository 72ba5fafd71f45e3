//! Bad input, end to end: the real binary started as the runner starts the action (inputs as
//! `INPUT_*`, the event payload in `GITHUB_EVENT_PATH`, files for outputs and the summary,
//! the workspace) against a running sandbox, with every hostile inventory of
//! tests/corpus/inventory, every hostile event of tests/corpus/events and hostile inputs.
//! Each must be refused before anything happens: exit 2, not one request in the sandbox's
//! log, no file created in the workspace, nothing written to `GITHUB_OUTPUT` or the job
//! summary, and an error annotation that names the problem, printed on lines of their own
//! (control characters escaped, so no value can become a workflow command).
//!
//! Three hostile payloads are not refused, by SPEC §4: a `schedule` event whose cron is not in
//! `schedules` warns and runs `top12`. For those the run goes on; the test asserts the
//! warning is escaped and bounded and that nothing reaches the step outputs.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::{Harness, RunnerStep};

fn corpus(kind: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(kind)
        .join(name)
}

/// One start of the action: the runner's files, what it printed, and what it left behind.
struct Step {
    out: Output,
    output_file: String,
    summary_file: String,
    /// Files the step created in the workspace (relative paths).
    created: BTreeSet<String>,
}

impl Step {
    fn logs(&self) -> String {
        format!(
            "{}{}",
            String::from_utf8_lossy(&self.out.stdout),
            String::from_utf8_lossy(&self.out.stderr)
        )
    }
}

fn list(dir: &Path, base: &Path, out: &mut BTreeSet<String>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        out.insert(p.strip_prefix(base).unwrap().display().to_string());
        if p.is_dir() {
            list(&p, base, out);
        }
    }
}

/// A fresh workspace as a checkout leaves it: the inventory in `.github/priority-sync.yml`.
fn workspace(h: &Harness) -> PathBuf {
    let ws = h.path("workspace");
    let _ = std::fs::remove_dir_all(&ws);
    std::fs::create_dir_all(ws.join(".github")).unwrap();
    std::fs::write(ws.join(".github/priority-sync.yml"), h.sb.inventory_yaml()).unwrap();
    ws
}

fn workspace_files(ws: &Path) -> BTreeSet<String> {
    let mut files = BTreeSet::new();
    list(ws, ws, &mut files);
    files
}

/// Starts the action with `event_name` / `event_path` and the inputs in `with` (over the
/// defaults). The runner creates the output and summary files empty before the step.
fn start(h: &Harness, event_name: &str, event_path: &Path, with: &[(&str, String)]) -> Step {
    let ws = workspace(h);
    let files_before = workspace_files(&ws);
    let runner_dir = h.path("runner");
    std::fs::create_dir_all(&runner_dir).unwrap();
    let output_file = runner_dir.join("set_output");
    let summary_file = runner_dir.join("step_summary");
    std::fs::write(&output_file, "").unwrap();
    std::fs::write(&summary_file, "").unwrap();
    let mut cmd = h.action_command(
        Path::new(env!("CARGO_BIN_EXE_priority-sync")),
        &RunnerStep {
            workspace: &ws,
            event_name,
            event_path,
            output_file: &output_file,
            summary_file: &summary_file,
        },
    );
    for (k, v) in with {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("start the action");
    let summary = std::fs::read_to_string(&summary_file).unwrap();
    // No line of the logs or the summary runs a workflow command that came from outside text.
    h.check_output("the action", &out, true);
    h.check_text("the job summary", &summary, false);
    Step {
        out,
        output_file: std::fs::read_to_string(&output_file).unwrap(),
        summary_file: summary,
        created: workspace_files(&ws)
            .difference(&files_before)
            .cloned()
            .collect(),
    }
}

/// One hostile case: what is wrong, how the action is started, and what the error must say.
struct Case {
    what: String,
    event_name: &'static str,
    /// The event payload (None: `{}`, or `{"inputs": {}}` for `workflow_dispatch`).
    event: Option<PathBuf>,
    with: Vec<(&'static str, String)>,
    /// Substrings the error must contain (it names the problem).
    says: Vec<&'static str>,
}

fn inventory_case(file: &str, says: &[&'static str]) -> Case {
    Case {
        what: format!("inventory {file}"),
        event_name: "push",
        event: None,
        with: vec![(
            "INPUT_CONFIG",
            corpus("inventory", file).display().to_string(),
        )],
        says: says.to_vec(),
    }
}

fn event_case(file: &str, event_name: &'static str, says: &[&'static str]) -> Case {
    Case {
        what: format!("{event_name} event {file}"),
        event_name,
        event: Some(corpus("events", file)),
        with: vec![],
        says: says.to_vec(),
    }
}

fn input_case(what: &str, with: &[(&'static str, &str)], says: &[&'static str]) -> Case {
    Case {
        what: what.to_string(),
        event_name: "workflow_dispatch",
        event: None,
        with: with.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        says: says.to_vec(),
    }
}

/// Workflow commands the action prints; a line starting `::` with anything else came from data.
const COMMANDS: &[&str] = &[
    "::error ",
    "::warning",
    "::notice",
    "::debug::",
    "::group::",
    "::endgroup::",
    "::add-mask::",
];

/// Problems with what the action printed: a stray workflow command, a raw control character.
fn log_problems(logs: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in logs.lines() {
        if line.starts_with("::") && !COMMANDS.iter().any(|c| line.starts_with(c)) {
            found.push(format!("a workflow command from data: {line:?}"));
        }
    }
    if let Some(c) = logs.chars().find(|c| c.is_control() && *c != '\n') {
        found.push(format!("a raw control character {c:?} in the logs"));
    }
    found
}

/// Every hostile inventory of the corpus except `huge.yml` (checked separately below).
fn cases() -> Vec<Case> {
    let two_thousand = (0..2000)
        .map(|i| format!("heyns1000/repo-{i}"))
        .collect::<Vec<_>>()
        .join(",");
    vec![
        inventory_case("alias-loop.yml", &["alias-loop.yml:1", "recursion limit exceeded"]),
        inventory_case("billion-laughs.yml", &["repetition limit exceeded"]),
        inventory_case(
            "binary.yml",
            &["did not contain valid UTF-8", "save it as UTF-8 text"],
        ),
        inventory_case(
            "control-chars.yml",
            &[
                "control-chars.yml:2",
                "owner `a\\u{0}b` is not a valid GitHub account name",
                "control-chars.yml:3",
                "`b\\u{1b}[31m` is not valid",
            ],
        ),
        inventory_case(
            "duplicate-key.yml",
            &["duplicate-key.yml:2", "`top` is given twice in the same map (first on line 1)"],
        ),
        inventory_case(
            "html.yml",
            &["html.yml:2", "`<img src=x onerror=alert(1)>` is not a valid GitHub account name"],
        ),
        inventory_case("multi-doc.yml", &["more than one document"]),
        inventory_case(
            "overflow.yml",
            &["overflow.yml:4", "commits_behind", "-99999999999999999999"],
        ),
        inventory_case(
            "path-traversal.yml",
            &["path-traversal.yml:2", "`../../etc/passwd` is not of the form owner/name"],
        ),
        inventory_case(
            "wrong-types.json",
            &["6 problems", "repositories[3].repo: invalid type: integer `5`"],
        ),
        event_case(
            "dispatch-hostile.json",
            "workflow_dispatch",
            &["`../../etc` is not in the inventory", "`<b>x</b>` is not in the inventory"],
        ),
        event_case(
            "dispatch-object.json",
            "workflow_dispatch",
            &["`workflow_dispatch` event payload is not what GitHub sends: input `mode` is not a string"],
        ),
        event_case("not-object.json", "schedule", &["GITHUB_EVENT_PATH", "not a JSON object"]),
        event_case(
            "schedule-array.json",
            "schedule",
            &["`schedule` event payload is not what GitHub sends: `schedule` is not a cron string"],
        ),
        input_case(
            "mode=fast",
            &[("INPUT_MODE", "fast")],
            &["input `mode`: unknown mode `fast`"],
        ),
        input_case(
            "dry_run=maybe",
            &[("INPUT_DRY_RUN", "maybe")],
            &["input `dry_run`: `maybe` is not a boolean; use true or false"],
        ),
        input_case(
            "force_repos with ../",
            &[("INPUT_FORCE_REPOS", "../../etc/passwd, heyns1000/../omnigrid")],
            &[
                "`../../etc/passwd` is not in the inventory",
                "`heyns1000/../omnigrid` is not in the inventory",
            ],
        ),
        input_case(
            "force_repos with control characters",
            &[(
                "INPUT_FORCE_REPOS",
                "heyns1000/omni\u{1b}[31mgrid\n::set-output name=x::y",
            )],
            &["`heyns1000/omni\\u{1b}[31mgrid` is not in the inventory"],
        ),
        input_case(
            "mode with a workflow command",
            &[("INPUT_MODE", "top12\n::set-output name=mode::all")],
            &["unknown mode `top12\\n::set-output name=mode::all`"],
        ),
        input_case(
            "force_repos with HTML",
            &[("INPUT_FORCE_REPOS", "<img src=x onerror=alert(1)>")],
            &["`<img src=x onerror=alert(1)>` is not in the inventory"],
        ),
        input_case(
            "2,000 force_repos names",
            &[("INPUT_FORCE_REPOS", &two_thousand)],
            &["input `force_repos`: 2000 names given; at most 1000 are accepted"],
        ),
        input_case(
            "artifacts_dir outside the repository",
            &[("INPUT_ARTIFACTS_DIR", "../../outside")],
            &["input `artifacts_dir`: `../../outside` must be a relative path"],
        ),
        input_case(
            "shard 9/4",
            &[("INPUT_SHARD", "9/4")],
            &["input `shard`"],
        ),
    ]
}

#[test]
fn hostile_input_is_refused_before_any_request() {
    let h = Harness::start(20, 3);
    let push_event = h.path("push-event.json");
    std::fs::write(&push_event, "{}").unwrap();
    let dispatch_event = h.path("dispatch-event.json");
    std::fs::write(&dispatch_event, r#"{"inputs": {}}"#).unwrap();
    let audit = h.audit_head();
    let cases = cases();
    let mut failures = Vec::new();
    for c in &cases {
        h.sb.clear_log();
        let event = c.event.clone().unwrap_or_else(|| {
            if c.event_name == "workflow_dispatch" {
                dispatch_event.clone()
            } else {
                push_event.clone()
            }
        });
        let step = start(&h, c.event_name, &event, &c.with);
        let logs = step.logs();
        let mut wrong = Vec::new();
        if step.out.status.code() != Some(2) {
            wrong.push(format!("exit {:?}, not 2", step.out.status.code()));
        }
        let requests = h.sb.log_entries();
        if !requests.is_empty() || h.sb.counters().total > 0 {
            wrong.push(format!("{} requests were sent", requests.len()));
        }
        if !step.created.is_empty() {
            wrong.push(format!(
                "files created in the workspace: {:?}",
                step.created
            ));
        }
        if !step.output_file.is_empty() {
            wrong.push(format!("GITHUB_OUTPUT written: {:?}", step.output_file));
        }
        if !step.summary_file.is_empty() {
            wrong.push("a job summary was written".into());
        }
        // One error annotation says why the run was refused; a bad inventory's problems are
        // also annotations on their lines of the file (`::error file=…`), one per problem the
        // error lists, and no more.
        let (on_file, error): (Vec<&str>, Vec<&str>) = logs
            .lines()
            .filter(|l| l.starts_with("::error "))
            .partition(|l| l.starts_with("::error file="));
        if error.len() != 1 {
            wrong.push(format!("{} error annotations, not 1", error.len()));
        }
        let problems = error
            .first()
            .and_then(|e| {
                e.split(" problem")
                    .next()?
                    .rsplit_once(" has ")?
                    .1
                    .parse()
                    .ok()
            })
            .unwrap_or(0usize);
        if on_file.len() != problems {
            wrong.push(format!(
                "{} annotations on the inventory for {problems} problems",
                on_file.len()
            ));
        }
        for s in &c.says {
            if !error.iter().any(|l| l.contains(s)) {
                wrong.push(format!("the error does not say {s:?}"));
            }
        }
        wrong.extend(log_problems(&logs));
        if !wrong.is_empty() {
            failures.push(format!("{}:\n  {}\n{logs}", c.what, wrong.join("\n  ")));
        }
    }
    assert_eq!(h.audit_head(), audit, "nothing was committed");
    assert!(
        failures.is_empty(),
        "{} of {} hostile cases were not refused cleanly:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
    eprintln!(
        "BAD INPUT {} hostile cases refused with exit 2; requests sent 0; files created 0; outputs written 0",
        cases.len()
    );
}

/// `huge.yml` is 20,000 well-formed entries: not hostile, only big. It loads (no inventory
/// size limit exists) in well under a second and plans without a request.
#[test]
fn a_huge_inventory_loads_quickly_and_plans_without_requests() {
    let h = Harness::start(5, 3);
    let push_event = h.path("push-event.json");
    std::fs::write(&push_event, "{}").unwrap();
    h.sb.clear_log();
    let started = std::time::Instant::now();
    let step = start(
        &h,
        "push",
        &push_event,
        &[
            (
                "INPUT_CONFIG",
                corpus("inventory", "huge.yml").display().to_string(),
            ),
            ("INPUT_MODE", "plan".into()),
            ("INPUT_SHARDS", "8".into()),
        ],
    );
    assert_eq!(step.out.status.code(), Some(0), "{}", step.logs());
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
    assert!(h.sb.log_entries().is_empty(), "plan sent requests");
    let outputs = common::parse_outputs(&step.output_file);
    assert_eq!(outputs.keys().collect::<Vec<_>>(), ["matrix", "mode"]);
    assert!(step.created.is_empty(), "{:?}", step.created);
}

/// A `schedule` payload whose cron is not in `schedules` runs `top12` with a warning (SPEC §4),
/// even when the "cron" is 100 kB, carries a workflow command after a newline, or is a legacy
/// `##[set-output …]` command: the warning is one escaped, bounded line, no line of the logs
/// would run a command (checked by the runner's own syntax in `start`), and nothing reaches
/// the step outputs but the documented ones.
#[test]
fn hostile_crons_warn_escaped_and_run_top12() {
    let h = Harness::start(20, 3);
    for file in [
        "schedule-injection.json",
        "huge-cron.json",
        // The runner's legacy `##[cmd]` form, which it reads anywhere in a line: the cron
        // lands on the `mode …` info line (issue 13, finding 6).
        "schedule-legacy-command.json",
    ] {
        h.sb.clear_log();
        let step = start(
            &h,
            "schedule",
            &corpus("events", file),
            &[("INPUT_DRY_RUN", "true".into())],
        );
        let logs = step.logs();
        assert_eq!(step.out.status.code(), Some(0), "{file}: {logs}");
        let warnings: Vec<&str> = logs
            .lines()
            .filter(|l| l.contains("is not in `schedules`; running top12"))
            .collect();
        assert_eq!(warnings.len(), 1, "{file}: {logs}");
        assert!(
            warnings[0].starts_with("::warning"),
            "{file}: {}",
            warnings[0]
        );
        assert!(
            warnings[0].len() < 2048,
            "{file}: {} bytes",
            warnings[0].len()
        );
        assert_eq!(log_problems(&logs), Vec::<String>::new(), "{file}");
        let outputs = common::parse_outputs(&step.output_file);
        for k in outputs.keys() {
            assert!(
                priority_sync::run::OUTPUT_NAMES.contains(&k.as_str()),
                "{file}: output `{k}` from data"
            );
        }
        assert_eq!(outputs["mode"], "top12", "{file}");
        // The summary names the cron on the line that says why (its newline did not break
        // out), escaped and cut short.
        let why = step
            .summary_file
            .lines()
            .find(|l| l.contains("because the schedule"))
            .unwrap_or_else(|| panic!("{file}: {}", step.summary_file));
        assert!(
            why.contains("is not in <code>schedules</code>"),
            "{file}: {why}"
        );
        assert!(why.len() < 2048, "{file}: {} bytes", why.len());
        let log = h.sb.log_entries();
        assert!(!log.is_empty(), "{file}: the run went on");
        assert!(
            log.iter()
                .all(|e| e.method == "GET" || e.path.ends_with("/graphql")),
            "{file}: a dry run wrote"
        );
    }
}

// ---------------------------------------------------------- the workflow-command checker

use common::workflow_commands::{
    assert_no_outside_commands, outside_commands, runner_commands, Form, OURS,
};

/// The checker every end-to-end test applies to its output can fail: fed known command
/// lines, it finds each form the runner executes, where the runner finds it.
#[test]
fn the_workflow_command_checker_finds_known_command_lines() {
    let text = "plain\n::set-output name=x::y\r  \t::add-mask::s\r\nmode: the schedule `##[set-output name=mode;]all`\n::warning::a ##[set-env name=A;]b\nx ::error::not at the start\n##[group]legacy group\n::unknown::ignored\n::Set-Env name=A::b";
    let found: Vec<(usize, Form, String)> = runner_commands(text)
        .into_iter()
        .map(|c| (c.line, c.form, c.name))
        .collect();
    let want = [
        (2, Form::Current, "set-output"),
        (3, Form::Current, "add-mask"),
        (4, Form::Legacy, "set-output"),
        // The `::` form parsed, so the runner does not look for a legacy one in that line.
        (5, Form::Current, "warning"),
        (7, Form::Legacy, "group"),
        (9, Form::Current, "set-env"),
    ]
    .map(|(l, f, n)| (l, f, n.to_string()));
    assert_eq!(found, want);
    // From outside text: every legacy one, and any command priority-sync does not print.
    let outside: Vec<usize> = outside_commands(text, OURS)
        .iter()
        .map(|c| c.line)
        .collect();
    assert_eq!(outside, [2, 4, 7, 9]);
    // Off the runner priority-sync prints no command at all: each one came from outside.
    assert_eq!(outside_commands(text, &[]).len(), 6);
}

#[test]
fn neutralised_text_is_not_a_workflow_command() {
    let j = '\u{2060}';
    let text = format!(":{j}:set-output name=x::y\nthe schedule `##{j}[set-output name=mode;]all`");
    assert!(runner_commands(&text).is_empty());
    assert!(runner_commands("## [x] ::a:: #[set-output]\n  ::nothing").is_empty());
}

#[test]
#[should_panic(expected = "line(s) a runner would execute from outside text")]
fn the_workflow_command_checker_fails_on_an_injected_line() {
    assert_no_outside_commands("a hostile log", "ok\nx ##[add-path]/tmp/evil", true);
}
