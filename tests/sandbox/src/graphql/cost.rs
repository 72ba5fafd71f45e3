//! GitHub's GraphQL cost model and rate limit: a query's cost (connections × parents / 100,
//! at least 1) and node count, charged to the caller's `graphql` window before execution
//! (an exhausted window answers `RATE_LIMITED` with HTTP 200), and the `rateLimit` object.

use graphql_parser::query::Selection;
use serde_json::json;

use super::document::{Fld, Sel};
use super::exec::{Exec, Resolved};
use super::out::{s, Out};
use super::schema::{field_type, is_leaf, t_for_children};
use crate::exchange::{rate_headers, Resp};
use crate::util::rfc3339;

impl<'c> Exec<'c, '_> {
    /// GitHub's cost model: every connection costs one request per parent node; cost is
    /// requests / 100 (rounded, at least 1); nodes are `first`/`last` times parents.
    fn cost_of(&self, sel: &'c Sel, ty: &str, mult: u64) -> (u64, u64) {
        let (mut req, mut nodes) = (0, 0);
        let mut fields = Vec::new();
        self.collect_all(sel, &mut fields);
        for f in fields {
            let Some(t) = field_type(ty, &f.name) else {
                continue;
            };
            if is_leaf(t) {
                continue;
            }
            let mut child = mult;
            if t.ends_with("Connection") {
                let n = self
                    .int_arg(f, "first")
                    .or_else(|| self.int_arg(f, "last"))
                    .unwrap_or(0)
                    .max(0) as u64;
                req += mult;
                nodes += mult * n;
                child = mult * n.max(1);
            }
            let (r, n) = self.cost_of(&f.selection_set, t_for_children(t), child);
            req += r;
            nodes += n;
        }
        (req, nodes)
    }

    fn collect_all(&self, sel: &'c Sel, out: &mut Vec<&'c Fld>) {
        for item in &sel.items {
            match item {
                Selection::Field(f) => out.push(f),
                Selection::InlineFragment(i) => self.collect_all(&i.selection_set, out),
                Selection::FragmentSpread(fs) => {
                    if let Some((_, set)) = self.fragments.get(&fs.fragment_name) {
                        let set: &'c Sel = set;
                        self.collect_all(set, out);
                    }
                }
            }
        }
    }

    /// Costs `sel` and charges it; `Err` is GitHub's `RATE_LIMITED` answer. On success the
    /// window is kept for `rateLimit` and the answer's headers.
    pub(super) fn charge(&mut self, sel: &'c Sel, root: &str) -> Result<(), Resp> {
        let ctx = self.ctx;
        let (requests, nodes) = self.cost_of(sel, root, 1);
        self.cost = ((requests as f64 / 100.0).round() as u32).max(1);
        self.nodes = nodes;
        let charged = ctx.sh.limits().charge(&ctx.caller, "graphql", self.cost);
        match charged {
            Ok(info) => {
                self.rate = Some(info);
                Ok(())
            }
            Err(i) => {
                ctx.sh.log().counters.rate_limited += 1;
                let resp = Resp::json(
                    200,
                    json!({"errors": [{"type": "RATE_LIMITED", "code": "graphql_rate_limit", "message": format!("API rate limit already exceeded for user ID {}.", ctx.caller.user_id())}]}),
                );
                Err(rate_headers(resp, &i))
            }
        }
    }

    /// A field of the `rateLimit` object.
    pub(super) fn rate_limit_field(&self, name: &str) -> Resolved {
        let r = self.rate.expect("charged before execution");
        Resolved::Leaf(match name {
            "cost" => Out::Int(i64::from(self.cost)),
            "limit" => Out::Int(i64::from(r.limit)),
            "remaining" => Out::Int(i64::from(r.remaining)),
            "used" => Out::Int(i64::from(r.used)),
            "nodeCount" => Out::Int(self.nodes as i64),
            "resetAt" => s(rfc3339(r.reset)),
            _ => Out::Null,
        })
    }
}
