//! `action.yml` and the binary agree: every input declared is one the binary reads (`INPUTS`)
//! and every input read is declared, with the same default; secrets say so; the outputs are
//! exactly the ones `step_outputs` writes (`OUTPUT_NAMES`); the action runs the prebuilt image
//! of exactly this version (`v` + the crate's version), never a moving tag.
//!
//! The checks live in `problems()`, which the tests at the bottom also feed broken metadata so
//! that a check that can never fail would be noticed.

use std::collections::BTreeSet;

use priority_sync::action_io::inputs::InputSpec;
use priority_sync::action_io::{ActionInputs, Env, INPUTS};
use priority_sync::run::OUTPUT_NAMES;
use serde_yaml::Value;

const ACTION_YML: &str = include_str!("../action.yml");
const IMAGE_PREFIX: &str = "docker://ghcr.io/omnigrid/priority-sync:";
/// The image tag this build must run: the release workflow pushes `v` + Cargo.toml's version.
const IMAGE_TAG: &str = concat!("v", env!("CARGO_PKG_VERSION"));
const MODES: [&str; 7] = ["auto", "top12", "urgent", "all", "plan", "report", "check"];

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn mapping<'a>(doc: &'a Value, key: &str, problems: &mut Vec<String>) -> Vec<(String, &'a Value)> {
    match doc.get(key) {
        Some(Value::Mapping(m)) => m
            .iter()
            .filter_map(|(k, v)| match k.as_str() {
                Some(name) => Some((name.to_string(), v)),
                None => {
                    problems.push(format!("{key}: a key is not a string: {k:?}"));
                    None
                }
            })
            .collect(),
        _ => {
            problems.push(format!("`{key}` is missing or not a mapping"));
            Vec::new()
        }
    }
}

/// Every disagreement between an action.yml text and the binary's lists, in words.
fn problems(yaml: &str, inputs: &[InputSpec], outputs: &[&str]) -> Vec<String> {
    let mut problems = Vec::new();
    let doc: Value = match serde_yaml::from_str(yaml) {
        Ok(v) => v,
        Err(e) => return vec![format!("action.yml does not parse: {e}")],
    };
    for key in ["name", "description"] {
        if str_of(&doc, key).is_none_or(|s| s.trim().is_empty()) {
            problems.push(format!("`{key}` is missing"));
        }
    }
    let branding = doc.get("branding");
    for key in ["icon", "color"] {
        if branding
            .and_then(|b| str_of(b, key))
            .is_none_or(|s| s.is_empty())
        {
            problems.push(format!("branding.{key} is missing"));
        }
    }

    // Inputs, both ways.
    let declared = mapping(&doc, "inputs", &mut problems);
    let declared_names: BTreeSet<&str> = declared.iter().map(|(n, _)| n.as_str()).collect();
    let read_names: BTreeSet<&str> = inputs.iter().map(|i| i.name).collect();
    for name in declared_names.difference(&read_names) {
        problems.push(format!(
            "input `{name}` is declared in action.yml but the binary never reads it (not in INPUTS)"
        ));
    }
    for name in read_names.difference(&declared_names) {
        problems.push(format!(
            "input `{name}` is read by the binary (INPUTS) but not declared in action.yml"
        ));
    }
    for (name, decl) in &declared {
        let Some(spec) = inputs.iter().find(|i| i.name == name) else {
            continue;
        };
        let description = str_of(decl, "description").unwrap_or("");
        if description.trim().is_empty() {
            problems.push(format!("input `{name}` has no description"));
        }
        let default = match decl.get("default") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                problems.push(format!(
                    "input `{name}`: default {other:?} is not a string; quote it"
                ));
                continue;
            }
        };
        if default != spec.default {
            problems.push(format!(
                "input `{name}`: action.yml's default is `{default}`, the binary's is `{}`",
                spec.default
            ));
        }
        let says_secret = description.to_ascii_lowercase().contains("secret");
        if spec.secret && !says_secret {
            problems.push(format!(
                "input `{name}` holds a secret but its description does not say so"
            ));
        }
        if !spec.secret && description.trim_start().starts_with("Secret.") {
            problems.push(format!(
                "input `{name}` is described as a secret but the binary does not mask it (INPUTS says secret: false)"
            ));
        }
        if matches!(spec.default, "true" | "false") && !description.contains("true or false") {
            problems.push(format!(
                "input `{name}` is a boolean; its description must say `true or false`"
            ));
        }
        if decl.get("required").and_then(Value::as_bool) == Some(true) {
            problems.push(format!(
                "input `{name}` is required, but every input has a default"
            ));
        }
    }
    if let Some((_, mode)) = declared.iter().find(|(n, _)| n == "mode") {
        let description = str_of(mode, "description").unwrap_or("");
        for m in MODES {
            if !description.contains(m) {
                problems.push(format!(
                    "input `mode`: its description does not list the allowed value `{m}`"
                ));
            }
        }
    }

    // Outputs, both ways and in order.
    let declared_out = mapping(&doc, "outputs", &mut problems);
    let out_names: Vec<&str> = declared_out.iter().map(|(n, _)| n.as_str()).collect();
    let out_set: BTreeSet<&str> = out_names.iter().copied().collect();
    let written: BTreeSet<&str> = outputs.iter().copied().collect();
    for name in out_set.difference(&written) {
        problems.push(format!(
            "output `{name}` is declared in action.yml but the binary never writes it"
        ));
    }
    for name in written.difference(&out_set) {
        problems.push(format!(
            "output `{name}` is written by the binary but not declared in action.yml"
        ));
    }
    for (name, decl) in &declared_out {
        if str_of(decl, "description").is_none_or(|d| d.trim().is_empty()) {
            problems.push(format!("output `{name}` has no description"));
        }
    }

    // A Docker action on the prebuilt image.
    let runs = doc.get("runs");
    if runs.and_then(|r| str_of(r, "using")) != Some("docker") {
        problems.push("runs.using must be `docker`".into());
    }
    match runs.and_then(|r| str_of(r, "image")) {
        Some(image) if image.starts_with(IMAGE_PREFIX) && image.len() > IMAGE_PREFIX.len() => {
            let tag = &image[IMAGE_PREFIX.len()..];
            if tag != IMAGE_TAG {
                problems.push(format!(
                    "runs.image is pinned to `{tag}`, but this is version {}: it must be `{IMAGE_PREFIX}{IMAGE_TAG}` (a moving tag such as `v1` would not pin the binary)",
                    env!("CARGO_PKG_VERSION")
                ));
            }
        }
        other => problems.push(format!(
            "runs.image must be the prebuilt `{IMAGE_PREFIX}{IMAGE_TAG}`, not {other:?}"
        )),
    }
    problems
}

#[test]
fn action_yml_agrees_with_the_binary() {
    let found = problems(ACTION_YML, INPUTS, OUTPUT_NAMES);
    assert!(
        found.is_empty(),
        "action.yml disagrees with the binary:\n  {}",
        found.join("\n  ")
    );
}

#[test]
fn token_defaults_to_the_workflow_token_and_is_a_secret() {
    let token = INPUTS
        .iter()
        .find(|i| i.name == "token")
        .expect("token input");
    assert_eq!(token.default, "${{ github.token }}");
    assert!(token.secret);
}

#[test]
fn every_mode_listed_in_action_yml_is_accepted_by_the_binary() {
    // Through the same input reader the action entrypoint uses.
    let read = |m: &str| ActionInputs::from_env(&Env::from_pairs([("INPUT_MODE", m)]));
    for m in MODES {
        assert!(read(m).is_ok(), "{m}");
    }
    let errors = read("fastest").unwrap_err();
    assert_eq!(errors[0].input, "mode");
}

// The checks themselves: broken metadata must be reported.

fn mutated(from: &str, to: &str) -> Vec<String> {
    assert!(ACTION_YML.contains(from), "fixture text not found: {from}");
    problems(&ACTION_YML.replacen(from, to, 1), INPUTS, OUTPUT_NAMES)
}

fn reports(found: &[String], needle: &str) -> bool {
    found.iter().any(|p| p.contains(needle))
}

#[test]
fn an_undeclared_or_unread_input_is_reported() {
    let found = mutated("\n  dry_run:\n", "\n  dry_runs:\n");
    assert!(
        reports(
            &found,
            "`dry_runs` is declared in action.yml but the binary never reads it"
        ),
        "{found:?}"
    );
    assert!(
        reports(
            &found,
            "`dry_run` is read by the binary (INPUTS) but not declared"
        ),
        "{found:?}"
    );
}

#[test]
fn a_wrong_default_is_reported() {
    let found = mutated("default: \"auto\"", "default: \"all\"");
    assert!(
        reports(&found, "input `mode`: action.yml's default is `all`"),
        "{found:?}"
    );
    let found = mutated("default: \"${{ github.token }}\"", "default: \"\"");
    assert!(reports(&found, "input `token`: action.yml's default is ``"));
    let found = mutated("default: \"false\"", "default: false");
    assert!(reports(&found, "is not a string; quote it"), "{found:?}");
}

#[test]
fn a_secret_described_as_ordinary_is_reported() {
    let mut inputs = INPUTS.to_vec();
    for i in &mut inputs {
        if i.name == "config" {
            i.secret = true;
        }
    }
    let found = problems(ACTION_YML, &inputs, OUTPUT_NAMES);
    assert!(
        reports(
            &found,
            "input `config` holds a secret but its description does not say so"
        ),
        "{found:?}"
    );
    for i in &mut inputs {
        if i.name == "webhook_url" {
            i.secret = false;
        }
    }
    let found = problems(ACTION_YML, &inputs, OUTPUT_NAMES);
    assert!(reports(
        &found,
        "input `webhook_url` is described as a secret"
    ));
}

#[test]
fn an_output_mismatch_is_reported_both_ways() {
    let mut outputs = OUTPUT_NAMES.to_vec();
    outputs.retain(|o| *o != "matrix");
    outputs.push("eta_hours");
    let found = problems(ACTION_YML, INPUTS, &outputs);
    assert!(
        reports(
            &found,
            "output `matrix` is declared in action.yml but the binary never writes it"
        ),
        "{found:?}"
    );
    assert!(
        reports(
            &found,
            "output `eta_hours` is written by the binary but not declared"
        ),
        "{found:?}"
    );
}

fn image_line() -> String {
    format!("image: \"{IMAGE_PREFIX}{IMAGE_TAG}\"")
}

#[test]
fn a_dockerfile_action_is_reported() {
    let found = mutated(&image_line(), "image: \"Dockerfile\"");
    assert!(
        reports(&found, "runs.image must be the prebuilt"),
        "{found:?}"
    );
}

#[test]
fn the_image_tag_is_the_crate_version() {
    let doc: Value = serde_yaml::from_str(ACTION_YML).unwrap();
    let image = doc["runs"]["image"].as_str().expect("runs.image");
    assert_eq!(
        image,
        format!("{IMAGE_PREFIX}v{}", env!("CARGO_PKG_VERSION")),
        "action.yml's image must be this version's own tag"
    );
    // A moving major tag, or another version, is reported.
    for tag in ["v1", "latest", "v0.9.0"] {
        let found = mutated(&image_line(), &format!("image: \"{IMAGE_PREFIX}{tag}\""));
        assert!(
            reports(&found, &format!("runs.image is pinned to `{tag}`")),
            "{tag}: {found:?}"
        );
    }
}

#[test]
fn the_readme_tables_list_every_input_and_output() {
    let readme = include_str!("../README.md");
    let table = |heading: &str| -> Vec<String> {
        readme
            .split(heading)
            .nth(1)
            .unwrap_or_else(|| panic!("README has no `{heading}` section"))
            .lines()
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .skip(2)
            .filter_map(|l| {
                let cell = l.split('|').nth(1)?.trim();
                Some(cell.trim_matches('`').to_string())
            })
            .collect()
    };
    let inputs: Vec<&str> = INPUTS.iter().map(|i| i.name).collect();
    assert_eq!(
        table("## Inputs"),
        inputs,
        "README inputs table vs INPUTS (same order)"
    );
    assert_eq!(
        table("## Outputs"),
        OUTPUT_NAMES.to_vec(),
        "README outputs table vs OUTPUT_NAMES"
    );
}

#[test]
fn the_readme_mode_row_and_the_cli_name_every_mode() {
    let readme = include_str!("../README.md");
    let row = readme
        .lines()
        .find(|l| l.starts_with("| `mode` | `auto` |"))
        .expect("README's inputs table has a `mode` row");
    for m in MODES {
        assert!(
            row.contains(&format!("`{m}`")),
            "README's mode row does not list `{m}`"
        );
    }
    // The pre-flight is a mode of the action and a subcommand of the command line.
    assert!(priority_sync::cli::subcommand_names().contains(&"check".to_string()));
    assert!(readme.contains("priority-sync check --config FILE"));
}
