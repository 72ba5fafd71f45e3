//! Which mode a run uses and why: explicit input, the `schedule` cron, or `workflow_dispatch`.

use serde::{Deserialize, Serialize};

/// What a run syncs (SPEC §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The Top 12 in order, then every repository with open security alerts.
    Top12,
    /// `top12` plus the next `batches.urgent` repositories of the ranking.
    Urgent,
    /// Everything: top, critical, the next `batches.all_urgent`, then the rest.
    All,
    /// Only the repositories named in `force_repos`, in the given order.
    Force,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Top12 => "top12",
            Mode::Urgent => "urgent",
            Mode::All => "all",
            Mode::Force => "force",
        }
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the mode came from, for the summary's "mode and why".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum ModeSource {
    /// The `mode` input or `--mode` flag named it.
    Input,
    /// `force_repos` / `--force` was given.
    ForceRepos,
    /// A `schedule` event whose cron is mapped in `schedules`.
    Schedule { cron: String },
    /// A `schedule` event whose cron is not in `schedules`: fell back to `top12`.
    UnknownSchedule { cron: String },
    /// `workflow_dispatch` with its `mode` input.
    Dispatch,
    /// Nothing chose a mode: the default (`top12`).
    Default,
}

/// The chosen mode with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModeChoice {
    pub mode: Mode,
    #[serde(flatten)]
    pub source: ModeSource,
}

impl ModeChoice {
    /// One sentence for logs and the job summary.
    pub fn explain(&self) -> String {
        match &self.source {
            ModeSource::Input => format!("`{}` was given as the mode input", self.mode),
            ModeSource::ForceRepos => "`force_repos` named the repositories".to_string(),
            ModeSource::Schedule { cron } => {
                format!("the schedule `{cron}` maps to `{}`", self.mode)
            }
            ModeSource::UnknownSchedule { cron } => format!(
                "the schedule `{cron}` is not in `schedules`, so the run fell back to `{}`",
                self.mode
            ),
            ModeSource::Dispatch => format!("manual dispatch chose `{}`", self.mode),
            ModeSource::Default => format!("no mode was given; default `{}`", self.mode),
        }
    }
}

use std::collections::BTreeMap;

use crate::cron::normalize as normalize_cron;
use crate::repo_name::printable;

/// Why no mode could be chosen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModeError {
    #[error(
        "unknown mode `{0}`: use auto, top12, urgent or all (to sync only named repositories, name them with --force or force_repos)"
    )]
    Unknown(String),
    #[error("mode `force` needs `force_repos` (comma-separated repository names)")]
    ForceWithoutRepos,
    #[error("the `{0}` event payload is not what GitHub sends: {1}")]
    BadEvent(String, String),
}

/// Parses a mode name; `auto` and empty mean "choose for me".
pub fn parse_mode(text: &str) -> Result<Option<Mode>, ModeError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" | "auto" => Ok(None),
        "top12" => Ok(Some(Mode::Top12)),
        "urgent" => Ok(Some(Mode::Urgent)),
        "all" => Ok(Some(Mode::All)),
        "force" => Ok(Some(Mode::Force)),
        _ => Err(ModeError::Unknown(printable(text.trim()))),
    }
}

/// Splits a `force_repos` value: commas or newlines, trimmed, empty items dropped.
pub fn split_list(text: &str) -> Vec<String> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Everything mode selection looks at.
#[derive(Debug, Clone, Default)]
pub struct ModeRequest<'a> {
    /// The `mode` input / `--mode` (may be `auto`).
    pub mode: Option<&'a str>,
    /// The `force_repos` input / `--force`, already split.
    pub force: Vec<String>,
    /// `GITHUB_EVENT_NAME`.
    pub event_name: Option<&'a str>,
    /// The parsed `GITHUB_EVENT_PATH` payload.
    pub event: Option<&'a serde_json::Value>,
}

/// The chosen mode, the repositories to force (if any) and warnings for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub choice: ModeChoice,
    pub force: Vec<String>,
    pub warnings: Vec<String>,
}

/// SPEC §4: `force_repos` → force; an explicit mode wins; on `schedule` the payload's cron is
/// looked up in `schedules` (unknown → warn, `top12`); on `workflow_dispatch` its `mode` input;
/// otherwise `top12`.
pub fn choose(
    req: &ModeRequest<'_>,
    schedules: &BTreeMap<String, Mode>,
) -> Result<Selection, ModeError> {
    let explicit = match req.mode {
        Some(m) => parse_mode(m)?,
        None => None,
    };
    let dispatch = Dispatch::of(req)?;
    let mut warnings = Vec::new();
    let (force, force_from_dispatch) = match req.force.is_empty() {
        false => (req.force.clone(), false),
        true => {
            let listed = dispatch.string("force_repos")?.map(|l| split_list(&l));
            let listed = listed.unwrap_or_default();
            let from_dispatch = !listed.is_empty();
            (listed, from_dispatch)
        }
    };
    if !force.is_empty() {
        if let Some(m) = explicit.filter(|m| *m != Mode::Force) {
            warnings.push(format!(
                "both mode `{m}` and force_repos were given; force_repos wins"
            ));
        }
        let source = if force_from_dispatch {
            ModeSource::Dispatch
        } else {
            ModeSource::ForceRepos
        };
        return Ok(Selection {
            choice: ModeChoice {
                mode: Mode::Force,
                source,
            },
            force,
            warnings,
        });
    }
    let choice = match explicit {
        Some(Mode::Force) => return Err(ModeError::ForceWithoutRepos),
        Some(mode) => ModeChoice {
            mode,
            source: ModeSource::Input,
        },
        None => match req.event_name {
            Some("schedule") => scheduled(req.event, schedules, &mut warnings)?,
            Some("workflow_dispatch") => dispatch.mode()?,
            _ => ModeChoice {
                mode: Mode::Top12,
                source: ModeSource::Default,
            },
        },
    };
    Ok(Selection {
        choice,
        force,
        warnings,
    })
}

/// The `inputs` of a `workflow_dispatch` payload (none for other events).
struct Dispatch<'a> {
    inputs: Option<&'a serde_json::Map<String, serde_json::Value>>,
}

impl<'a> Dispatch<'a> {
    fn of(req: &ModeRequest<'a>) -> Result<Self, ModeError> {
        let inputs = match (req.event_name, req.event.map(|ev| ev.get("inputs"))) {
            (Some("workflow_dispatch"), Some(Some(serde_json::Value::Object(map)))) => Some(map),
            (Some("workflow_dispatch"), Some(Some(serde_json::Value::Null) | None) | None) => None,
            (Some("workflow_dispatch"), Some(Some(_))) => {
                return Err(ModeError::BadEvent(
                    "workflow_dispatch".into(),
                    "`inputs` is not an object".into(),
                ))
            }
            _ => None,
        };
        Ok(Self { inputs })
    }

    /// A string input, `None` when it is not there.
    fn string(&self, key: &str) -> Result<Option<String>, ModeError> {
        match self.inputs.and_then(|m| m.get(key)) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(ModeError::BadEvent(
                "workflow_dispatch".into(),
                format!("input `{key}` is not a string"),
            )),
        }
    }

    /// The mode the dispatch chose (`auto` or none: the default).
    fn mode(&self) -> Result<ModeChoice, ModeError> {
        let chosen = match self.string("mode")? {
            Some(m) => parse_mode(&m)?,
            None => None,
        };
        Ok(match chosen {
            Some(Mode::Force) => return Err(ModeError::ForceWithoutRepos),
            Some(mode) => ModeChoice {
                mode,
                source: ModeSource::Dispatch,
            },
            None => ModeChoice {
                mode: Mode::Top12,
                source: ModeSource::Default,
            },
        })
    }
}

/// The mode a `schedule` event's cron maps to; an unknown or missing cron warns and runs
/// `top12`.
fn scheduled(
    event: Option<&serde_json::Value>,
    schedules: &BTreeMap<String, Mode>,
    warnings: &mut Vec<String>,
) -> Result<ModeChoice, ModeError> {
    let cron = match event.map(|ev| ev.get("schedule")) {
        Some(Some(serde_json::Value::String(c))) => c.clone(),
        Some(Some(serde_json::Value::Null)) | Some(None) | None => {
            warnings.push("a schedule event without its cron string; running top12".to_string());
            return Ok(ModeChoice {
                mode: Mode::Top12,
                source: ModeSource::UnknownSchedule {
                    cron: String::new(),
                },
            });
        }
        Some(Some(_)) => {
            return Err(ModeError::BadEvent(
                "schedule".into(),
                "`schedule` is not a cron string".into(),
            ))
        }
    };
    let normal = normalize_cron(&cron);
    if let Some(mode) = schedules.get(&normal) {
        return Ok(ModeChoice {
            mode: *mode,
            source: ModeSource::Schedule { cron: normal },
        });
    }
    warnings.push(format!(
        "schedule `{}` is not in `schedules`; running top12. Add it to the inventory's `schedules:` to choose its mode",
        printable(&cron)
    ));
    Ok(ModeChoice {
        mode: Mode::Top12,
        source: ModeSource::UnknownSchedule {
            cron: printable(&normal),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_mode_lists_the_modes_and_points_to_force_repos() {
        let e = parse_mode("fast").unwrap_err().to_string();
        assert!(
            e.starts_with("unknown mode `fast`: use auto, top12, urgent or all"),
            "{e}"
        );
        assert!(
            !e.contains("all or force"),
            "force is not a mode to choose: {e}"
        );
    }
    use crate::config::default_schedules;
    use serde_json::json;

    fn pick(req: ModeRequest<'_>) -> Result<Selection, ModeError> {
        choose(&req, &default_schedules())
    }

    fn scheduled(cron: &str) -> Selection {
        let ev = json!({ "schedule": cron });
        pick(ModeRequest {
            mode: Some("auto"),
            event_name: Some("schedule"),
            event: Some(&ev),
            ..Default::default()
        })
        .unwrap()
    }

    #[test]
    fn each_default_cron_maps_to_its_mode() {
        assert_eq!(scheduled("0 */2 * * *").choice.mode, Mode::Top12);
        assert_eq!(scheduled("0 */6 * * *").choice.mode, Mode::Urgent);
        let weekly = scheduled("0 2 * * 0");
        assert_eq!(weekly.choice.mode, Mode::All);
        assert_eq!(
            weekly.choice.source,
            ModeSource::Schedule {
                cron: "0 2 * * 0".into()
            }
        );
        assert!(weekly.warnings.is_empty());
        // Whitespace differences do not matter.
        assert_eq!(scheduled(" 0  */6 * *  * ").choice.mode, Mode::Urgent);
    }

    #[test]
    fn overlapping_crons_each_keep_their_own_mode() {
        // Sunday 02:00 UTC fires both `0 */2 * * *` and `0 2 * * 0`; GitHub sends one event per
        // cron, each naming its own schedule, so the mode depends on the payload, not the time.
        let both = ["0 */2 * * *", "0 2 * * 0"].map(|c| scheduled(c).choice.mode);
        assert_eq!(both, [Mode::Top12, Mode::All]);
    }

    #[test]
    fn an_unknown_cron_warns_and_falls_back_to_top12() {
        let s = scheduled("15 4 * * *");
        assert_eq!(s.choice.mode, Mode::Top12);
        assert!(matches!(
            s.choice.source,
            ModeSource::UnknownSchedule { .. }
        ));
        assert_eq!(s.warnings.len(), 1);
        assert!(s.warnings[0].contains("15 4 * * *"));
        assert!(s.choice.explain().contains("fell back"));
    }

    #[test]
    fn schedules_from_the_inventory_are_used() {
        let mut schedules = default_schedules();
        schedules.insert("30 1 * * *".into(), Mode::All);
        let ev = json!({ "schedule": "30 1 * * *" });
        let s = choose(
            &ModeRequest {
                event_name: Some("schedule"),
                event: Some(&ev),
                ..Default::default()
            },
            &schedules,
        )
        .unwrap();
        assert_eq!(s.choice.mode, Mode::All);
    }

    #[test]
    fn explicit_mode_wins_over_the_event() {
        let ev = json!({ "schedule": "0 2 * * 0" });
        let s = pick(ModeRequest {
            mode: Some("urgent"),
            event_name: Some("schedule"),
            event: Some(&ev),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            s.choice,
            ModeChoice {
                mode: Mode::Urgent,
                source: ModeSource::Input
            }
        );
    }

    #[test]
    fn dispatch_inputs_choose_the_mode_and_force_list() {
        let ev = json!({ "inputs": { "mode": "all", "force_repos": "" } });
        let s = pick(ModeRequest {
            mode: Some("auto"),
            event_name: Some("workflow_dispatch"),
            event: Some(&ev),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            s.choice,
            ModeChoice {
                mode: Mode::All,
                source: ModeSource::Dispatch
            }
        );
        let ev =
            json!({ "inputs": { "mode": "top12", "force_repos": "omnigrid, codenest ,hotstack" } });
        let s = pick(ModeRequest {
            event_name: Some("workflow_dispatch"),
            event: Some(&ev),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(s.choice.mode, Mode::Force);
        assert_eq!(s.force, ["omnigrid", "codenest", "hotstack"]);
    }

    #[test]
    fn force_repos_wins_and_says_so() {
        let s = pick(ModeRequest {
            mode: Some("all"),
            force: vec!["omnigrid".into()],
            ..Default::default()
        })
        .unwrap();
        assert_eq!(s.choice.mode, Mode::Force);
        assert_eq!(s.choice.source, ModeSource::ForceRepos);
        assert_eq!(s.warnings.len(), 1);
    }

    #[test]
    fn bad_modes_and_payloads_are_errors() {
        assert_eq!(
            pick(ModeRequest {
                mode: Some("fast"),
                ..Default::default()
            }),
            Err(ModeError::Unknown("fast".into()))
        );
        assert_eq!(
            pick(ModeRequest {
                mode: Some("force"),
                ..Default::default()
            }),
            Err(ModeError::ForceWithoutRepos)
        );
        let ev = json!({ "schedule": 5 });
        assert!(matches!(
            pick(ModeRequest {
                event_name: Some("schedule"),
                event: Some(&ev),
                ..Default::default()
            }),
            Err(ModeError::BadEvent(..))
        ));
        let ev = json!({ "inputs": ["all"] });
        assert!(matches!(
            pick(ModeRequest {
                event_name: Some("workflow_dispatch"),
                event: Some(&ev),
                ..Default::default()
            }),
            Err(ModeError::BadEvent(..))
        ));
    }

    #[test]
    fn no_event_and_no_mode_is_top12_by_default() {
        let s = pick(ModeRequest {
            event_name: Some("push"),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(
            s.choice,
            ModeChoice {
                mode: Mode::Top12,
                source: ModeSource::Default
            }
        );
    }

    #[test]
    fn split_list_trims_and_drops_empties() {
        assert_eq!(split_list(" a, b ,,\nc\n"), ["a", "b", "c"]);
        assert!(split_list("  ").is_empty());
    }
}
