//! Connections and pagination: slicing a list by `first`/`last`/`after` (GitHub allows at
//! most 100 records a page, `Behaviour::graphql_page_max`; `EXCESSIVE_PAGINATION` past it,
//! `INVALID_PAGINATION` below 0),
//! opaque cursors, and the fields of a connection, its edges and its `pageInfo`.

use super::document::Fld;
use super::exec::{Exec, Resolution, Resolved};
use super::objects::Obj;
use super::out::{s, Out};
use crate::util::{base64, base64_decode};

pub(super) fn cursor(i: usize) -> String {
    base64(format!("cursor:v2:{}", i + 1).as_bytes())
}

pub(super) fn uncursor(c: &str) -> Option<usize> {
    let raw = String::from_utf8(base64_decode(c)?).ok()?;
    raw.rsplit(':').next()?.parse().ok()
}

impl Exec<'_, '_> {
    /// One page of `all` as the connection `f` asks for it.
    pub(super) fn page(&self, f: &Fld, all: Vec<Obj>) -> Resolution {
        let total = all.len();
        let max = self.ctx.sh.behaviour.graphql_page_max;
        let first = self.int_arg(f, "first");
        let last = self.int_arg(f, "last");
        for (arg, n) in [("first", first), ("last", last)] {
            let Some(n) = n else { continue };
            if n < 0 {
                // Recorded (sourcegraph/sourcegraph-public-snapshot#3329, 2019): GitHub takes
                // 0 (an empty page) and refuses a negative value so.
                return Err((
                    Some("INVALID_PAGINATION"),
                    format!("`{arg}` on the connection cannot be less than zero."),
                    None,
                ));
            }
            if n > max {
                return Err((
                    Some("EXCESSIVE_PAGINATION"),
                    format!("Requesting {n} records on the `{}` connection exceeds the `first` limit of {max} records.", f.name),
                    None,
                ));
            }
        }
        let start = self
            .arg(f, "after")
            .and_then(|v| v.as_str().and_then(uncursor))
            .unwrap_or(0)
            .min(total);
        let rest: Vec<Obj> = all.into_iter().skip(start).collect();
        let (items, start, has_next) = match (first, last) {
            (Some(n), _) => {
                let n = n as usize;
                (
                    rest.iter().take(n).cloned().collect::<Vec<_>>(),
                    start,
                    rest.len() > n,
                )
            }
            (None, Some(n)) => {
                let n = (n as usize).min(rest.len());
                let skip = rest.len() - n;
                (rest.into_iter().skip(skip).collect(), start + skip, false)
            }
            (None, None) => (Vec::new(), start, !rest.is_empty()),
        };
        Ok(Resolved::One(Obj::Conn {
            items,
            total,
            start,
            has_next,
        }))
    }
}

/// A field of a connection, an edge or a `pageInfo`.
pub(super) fn connection_field(obj: &Obj, name: &str) -> Resolved {
    use Resolved::*;
    match obj {
        Obj::Conn {
            items,
            total,
            start,
            has_next,
        } => match name {
            "totalCount" => Leaf(Out::Int(*total as i64)),
            "nodes" => Many(items.clone()),
            "edges" => Many(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, o)| Obj::Edge {
                        cursor: cursor(start + i),
                        node: Box::new(o.clone()),
                    })
                    .collect(),
            ),
            "pageInfo" => One(Obj::PageInfo {
                has_next: *has_next,
                has_prev: *start > 0,
                start: (!items.is_empty()).then(|| cursor(*start)),
                end: (!items.is_empty()).then(|| cursor(start + items.len() - 1)),
            }),
            _ => Null,
        },
        Obj::Edge { cursor: c, node } => match name {
            "cursor" => Leaf(s(c.clone())),
            "node" => One((**node).clone()),
            _ => Null,
        },
        Obj::PageInfo {
            has_next,
            has_prev,
            start,
            end,
        } => Leaf(match name {
            "hasNextPage" => Out::Bool(*has_next),
            "hasPreviousPage" => Out::Bool(*has_prev),
            "startCursor" => start.clone().map(s).unwrap_or(Out::Null),
            "endCursor" => end.clone().map(s).unwrap_or(Out::Null),
            _ => Out::Null,
        }),
        _ => Null,
    }
}
