//! Hostile and random input for the inventory and event parsers: they must never panic, never
//! accept garbage, and always answer with a bounded, printable error. The kept corpus lives in
//! tests/corpus; proptest keeps any failing case it finds in proptest-regressions/.

use std::collections::BTreeMap;
use std::path::PathBuf;

use priority_sync::action_io::inputs::Runner;
use priority_sync::action_io::Env;
use priority_sync::config::{default_schedules, parse_inventory};
use priority_sync::mode::{choose, ModeRequest, ModeSource};
use proptest::prelude::*;

/// A folder of the kept corpus, wherever the tests are started from.
fn corpus(dir: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(dir)
}

fn check_error_text(text: &str) {
    assert!(text.len() < 64 * 1024, "error text of {} bytes", text.len());
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "control character in: {text:?}"
    );
}

#[test]
fn inventory_corpus_never_panics_and_errors_are_printable() {
    let mut seen = 0;
    for entry in std::fs::read_dir(corpus("inventory")).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let start = std::time::Instant::now();
        match parse_inventory(&text, "inv.yml") {
            Ok(inv) => {
                // Whatever loads is well formed.
                assert!(!inv.is_empty(), "{}", path.display());
            }
            Err(e) => {
                assert!(!e.problems.is_empty());
                check_error_text(&e.to_string());
            }
        }
        assert!(
            start.elapsed().as_secs() < 20,
            "{} took too long",
            path.display()
        );
        seen += 1;
    }
    assert!(seen >= 10, "the corpus went missing");
}

#[test]
fn hostile_names_in_the_corpus_are_refused() {
    for name in [
        "path-traversal.yml",
        "html.yml",
        "control-chars.yml",
        "wrong-types.json",
        "overflow.yml",
        "billion-laughs.yml",
    ] {
        let text = std::fs::read_to_string(corpus("inventory").join(name)).unwrap();
        assert!(
            parse_inventory(&text, name).is_err(),
            "{name} must not load"
        );
    }
}

#[test]
fn event_corpus_never_panics() {
    for entry in std::fs::read_dir(corpus("events")).unwrap() {
        let path = entry.unwrap().path();
        for event_name in ["schedule", "workflow_dispatch", "push"] {
            let env = Env::from_pairs([
                ("GITHUB_EVENT_PATH", path.to_str().unwrap()),
                ("GITHUB_EVENT_NAME", event_name),
            ]);
            match Runner::from_env(&env) {
                Err(errs) => errs.iter().for_each(|e| check_error_text(&e.to_string())),
                Ok(r) => {
                    let sel = choose(
                        &ModeRequest {
                            event_name: r.event_name.as_deref(),
                            event: r.event.as_ref(),
                            ..Default::default()
                        },
                        &default_schedules(),
                    );
                    match sel {
                        Ok(s) => {
                            for w in &s.warnings {
                                check_error_text(w);
                                assert!(w.len() < 2048, "{} bytes", w.len());
                            }
                            if let ModeSource::UnknownSchedule { cron } = &s.choice.source {
                                check_error_text(cron);
                            }
                        }
                        Err(e) => check_error_text(&e.to_string()),
                    }
                }
            }
        }
    }
}

fn yamlish() -> impl Strategy<Value = String> {
    // Text made of YAML's structural characters, names and noise.
    let atom = prop_oneof![
        Just("top:".to_string()),
        Just("repositories:".to_string()),
        Just("weights:".to_string()),
        Just("\n".to_string()),
        Just("\n  - ".to_string()),
        Just("  ".to_string()),
        Just("repo: ".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just(",".to_string()),
        Just(": ".to_string()),
        Just("&a ".to_string()),
        Just("*a".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("#".to_string()),
        Just("---\n".to_string()),
        "[a-z]{1,8}/[a-z.-]{1,8}",
        "[a-z_]{1,12}",
        "-?[0-9]{1,20}",
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(atom, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn random_inventories_never_panic(text in yamlish()) {
        match parse_inventory(&text, "inv.yml") {
            Ok(inv) => prop_assert!(!inv.is_empty()),
            Err(e) => {
                prop_assert!(!e.problems.is_empty());
                check_error_text(&e.to_string());
            }
        }
    }

    /// N valid repositories with K broken ones at known places: exactly K problems, each at
    /// its line, and nothing loads.
    #[test]
    fn every_injected_fault_is_found_at_its_line(
        names in prop::collection::btree_set("[a-z]{3,10}", 1..30),
        faults in prop::collection::btree_map(0usize..30, 0u8..4, 0..6),
    ) {
        let mut text = String::from("repositories:\n");
        let mut line = 1;
        let mut broken = Vec::new();
        for (i, n) in names.iter().enumerate() {
            line += 1;
            match faults.get(&i) {
                None => text += &format!("  - fleet/{n}\n"),
                Some(0) => {
                    text += &format!("  - {n}\n");
                    broken.push(line);
                }
                Some(1) => {
                    text += &format!("  - repo: fleet/{n}\n    brnch: x\n");
                    line += 1;
                    broken.push(line);
                }
                Some(2) => {
                    text += &format!("  - fleet/{n}/extra\n");
                    broken.push(line);
                }
                _ => {
                    text += &format!("  - \"fleet/{n} x\"\n");
                    broken.push(line);
                }
            }
        }
        let result = parse_inventory(&text, "inv.yml");
        if broken.is_empty() {
            prop_assert_eq!(result.unwrap().repositories.len(), names.len());
        } else {
            let err = result.unwrap_err();
            let lines: Vec<usize> = err.problems.iter().map(|p| p.line.unwrap()).collect();
            prop_assert_eq!(lines, broken);
        }
    }

    #[test]
    fn random_event_payloads_never_panic(
        key in prop_oneof![Just("schedule".to_string()), Just("inputs".to_string()), "[a-z]{1,6}"],
        value in arb_json(),
        event_name in prop_oneof![Just("schedule".to_string()), Just("workflow_dispatch".to_string()), Just("push".to_string())],
    ) {
        let mut obj = serde_json::Map::new();
        obj.insert(key, value);
        let ev = serde_json::Value::Object(obj);
        let schedules: BTreeMap<String, _> = default_schedules();
        let req = ModeRequest { event_name: Some(event_name.as_str()), event: Some(&ev), ..Default::default() };
        if let Ok(sel) = choose(&req, &schedules) {
            if let ModeSource::Schedule { cron } = &sel.choice.source {
                prop_assert!(schedules.contains_key(cron));
            }
        }
    }
}

fn arb_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(|n| serde_json::json!(n)),
        ".{0,40}".prop_map(serde_json::Value::String),
        prop_oneof![
            Just("0 */2 * * *"),
            Just("0 2 * * 0"),
            Just("all"),
            Just("force")
        ]
        .prop_map(|s| serde_json::Value::String(s.to_string())),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("mode".to_string()),
                    Just("force_repos".to_string()),
                    "[a-z]{1,5}"
                ],
                inner,
                0..4
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}
