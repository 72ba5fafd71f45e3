//! Tags: which of the upstream's tags a fork lacks and which differ there, as a pure function
//! of both sides' tag lists and the repository's `tags:` setting ([`plan`]), and what a run did
//! about them ([`TagOutcome`]). A tag is compared by the object its ref points at: the tag
//! object of an annotated tag, the commit of a lightweight one; creating the missing one at that
//! same object keeps an annotated tag annotated. A tag the fork has at another object is a
//! conflict: never moved, never deleted, reported with both objects.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::config::TagPolicy;
use crate::ids::{Oid, TagName};
use crate::plural::count;

/// How a tag was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TagKind {
    /// The ref points at a commit.
    Lightweight,
    /// The ref points at a tag object (with its tagger and message), which points at the
    /// commit.
    Annotated,
}

impl TagKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TagKind::Lightweight => "lightweight",
            TagKind::Annotated => "annotated",
        }
    }
}

/// One tag as GitHub lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRef {
    pub name: TagName,
    /// What the ref points at: the tag object (annotated) or the commit (lightweight).
    pub object: Oid,
    pub kind: TagKind,
    /// What an annotated tag's object points at (usually a commit); `None` when not said.
    pub target: Option<Oid>,
}

impl TagRef {
    /// The object and how it was made, as a report shows them.
    pub fn seen(&self) -> TagSeen {
        TagSeen {
            object: self.object.clone(),
            kind: self.kind,
        }
    }
}

/// A tag's object as one side has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagSeen {
    pub object: Oid,
    pub kind: TagKind,
}

impl TagSeen {
    /// `annotated 1a2b3c4` / `lightweight 5d6e7f8`.
    pub fn describe(&self) -> String {
        format!("{} {}", self.kind.as_str(), self.object.short())
    }
}

/// A tag both sides have, at different objects: left for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagConflict {
    pub name: TagName,
    pub upstream: TagSeen,
    pub fork: TagSeen,
}

/// Both sides' tags, as the gather read them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagLists {
    pub upstream: Vec<TagRef>,
    pub fork: Vec<TagRef>,
    /// A side had more tags than the gather reads ([`MAX_TAGS`]): only the newest were
    /// compared.
    pub truncated: bool,
}

/// Most tags read per side of a repository (newest first): past this, the rest are not
/// compared (and the outcome says so).
pub const MAX_TAGS: usize = 5_000;

/// What to do with one repository's tags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagPlan {
    /// Upstream tags the fork lacks, by name.
    pub create: Vec<TagRef>,
    /// Tags the fork has at another object, by name.
    pub conflicts: Vec<TagConflict>,
    /// Wanted tags the fork already has at the same object.
    pub in_place: u32,
}

/// The upstream tags `policy` wants, each missing from the fork (create), there at the same
/// object (in place) or at another (a conflict). Tags only the fork has are none of this
/// plan's business.
pub fn plan(policy: &TagPolicy, lists: &TagLists) -> TagPlan {
    let fork: BTreeMap<&TagName, &TagRef> = lists.fork.iter().map(|t| (&t.name, t)).collect();
    let mut upstream: BTreeMap<&TagName, &TagRef> = BTreeMap::new();
    for t in lists.upstream.iter().filter(|t| policy.wants(&t.name)) {
        upstream.entry(&t.name).or_insert(t);
    }
    let mut out = TagPlan::default();
    for (name, up) in upstream {
        match fork.get(name) {
            None => out.create.push(up.clone()),
            Some(f) if f.object == up.object => out.in_place += 1,
            Some(f) => out.conflicts.push(TagConflict {
                name: name.clone(),
                upstream: up.seen(),
                fork: f.seen(),
            }),
        }
    }
    out
}

/// What a run did with one repository's tags.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagOutcome {
    /// Tags created in the fork by this run.
    pub created: u32,
    /// Wanted tags the fork lacks that this run did not create (no budget, a dry run, not in
    /// this run's phases, the object not in the fork yet): the next runs create them.
    pub pending: u32,
    /// Wanted tags the fork already had at the same object.
    pub in_place: u32,
    /// Tags the fork has at another object: never moved or deleted.
    pub conflicts: Vec<TagConflict>,
    /// Why tags are pending, when some are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// A tag write or read that failed (its tags are pending).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl TagOutcome {
    /// The outcome before anything is written: every tag to create is pending, for `why`.
    pub fn waiting(plan: &TagPlan, why: &str) -> TagOutcome {
        let pending = plan.create.len() as u32;
        TagOutcome {
            pending,
            in_place: plan.in_place,
            conflicts: plan.conflicts.clone(),
            note: (pending > 0).then(|| why.to_string()),
            ..TagOutcome::default()
        }
    }

    /// `2 tags created, 1 conflicting tag, 3 tags pending`; `4 tags in place` when there is
    /// nothing else to say.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.created > 0 {
            parts.push(format!("{} created", count(self.created, "tag", "tags")));
        }
        if !self.conflicts.is_empty() {
            let n = self.conflicts.len() as u64;
            parts.push(count(n, "conflicting tag", "conflicting tags"));
        }
        if self.pending > 0 {
            parts.push(format!("{} pending", count(self.pending, "tag", "tags")));
        }
        if parts.is_empty() {
            return format!("{} in place", count(self.in_place, "tag", "tags"));
        }
        parts.join(", ")
    }
}

/// The fleet's tag counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct TagTotals {
    /// Repositories whose tags were compared.
    pub repos: u64,
    pub created: u64,
    pub conflicting: u64,
    pub pending: u64,
    pub in_place: u64,
    /// Repositories whose tags hit an error.
    pub errors: u64,
}

impl TagTotals {
    pub fn of<'a>(outcomes: impl IntoIterator<Item = &'a TagOutcome>) -> TagTotals {
        let mut t = TagTotals::default();
        for o in outcomes {
            t.repos += 1;
            t.created += u64::from(o.created);
            t.conflicting += o.conflicts.len() as u64;
            t.pending += u64::from(o.pending);
            t.in_place += u64::from(o.in_place);
            t.errors += u64::from(o.error.is_some());
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TagPattern;

    fn oid(c: char) -> Oid {
        Oid::parse(&c.to_string().repeat(40)).unwrap()
    }

    fn tag(name: &str, object: char, kind: TagKind) -> TagRef {
        TagRef {
            name: TagName::parse(name).unwrap(),
            object: oid(object),
            kind,
            target: None,
        }
    }

    use TagKind::{Annotated, Lightweight};

    #[test]
    fn missing_tags_are_created_equal_ones_left_and_different_ones_conflict() {
        let lists = TagLists {
            upstream: vec![
                tag("v1.0", 'a', Annotated),
                tag("v1.1", 'b', Lightweight),
                tag("v2.0", 'c', Annotated),
                tag("v2.1", 'd', Annotated),
            ],
            fork: vec![
                tag("v1.0", 'a', Annotated),
                tag("v2.0", 'e', Lightweight),
                tag("fork-only", 'f', Lightweight),
            ],
            truncated: false,
        };
        let p = plan(&TagPolicy::All, &lists);
        let names: Vec<&str> = p.create.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["v1.1", "v2.1"]);
        assert_eq!(p.create[1].kind, Annotated, "created at the tag object");
        assert_eq!(p.create[1].object, oid('d'));
        assert_eq!(p.in_place, 1);
        assert_eq!(
            p.conflicts,
            [TagConflict {
                name: TagName::parse("v2.0").unwrap(),
                upstream: TagSeen {
                    object: oid('c'),
                    kind: Annotated
                },
                fork: TagSeen {
                    object: oid('e'),
                    kind: Lightweight
                },
            }]
        );
        assert_eq!(p.conflicts[0].fork.describe(), "lightweight eeeeeee");
    }

    #[test]
    fn the_same_commit_as_a_lightweight_tag_is_still_another_object() {
        // Upstream's annotated v3 (tag object a → commit c) against the fork's lightweight v3
        // at c: different objects, so a conflict a person settles.
        let mut up = tag("v3", 'a', Annotated);
        up.target = Some(oid('c'));
        let lists = TagLists {
            upstream: vec![up],
            fork: vec![tag("v3", 'c', Lightweight)],
            truncated: false,
        };
        assert_eq!(plan(&TagPolicy::All, &lists).conflicts.len(), 1);
    }

    #[test]
    fn patterns_choose_the_upstream_tags() {
        let lists = TagLists {
            upstream: vec![
                tag("v1", 'a', Lightweight),
                tag("release-1", 'b', Lightweight),
                tag("nightly", 'c', Lightweight),
            ],
            fork: vec![tag("nightly", 'd', Lightweight)],
            truncated: false,
        };
        let policy = TagPolicy::Only(vec![
            TagPattern::parse("v*").unwrap(),
            TagPattern::parse("release-*").unwrap(),
        ]);
        let p = plan(&policy, &lists);
        assert_eq!(p.create.len(), 2);
        assert!(
            p.conflicts.is_empty(),
            "an unwanted tag is nobody's conflict"
        );
        assert_eq!(plan(&TagPolicy::Off, &lists), TagPlan::default());
    }

    #[test]
    fn outcomes_read_with_their_nouns() {
        let p = TagPlan {
            create: vec![tag("v1", 'a', Lightweight)],
            conflicts: vec![],
            in_place: 2,
        };
        let w = TagOutcome::waiting(&p, "dry run");
        assert_eq!((w.pending, w.in_place), (1, 2));
        assert_eq!(w.describe(), "1 tag pending");
        assert_eq!(w.note.as_deref(), Some("dry run"));
        let done = TagOutcome {
            created: 2,
            in_place: 2,
            ..TagOutcome::default()
        };
        assert_eq!(done.describe(), "2 tags created");
        assert_eq!(
            TagOutcome {
                in_place: 1,
                ..TagOutcome::default()
            }
            .describe(),
            "1 tag in place"
        );
        let t = TagTotals::of([&w, &done]);
        assert_eq!((t.repos, t.created, t.pending, t.in_place), (2, 2, 1, 4));
    }
}
