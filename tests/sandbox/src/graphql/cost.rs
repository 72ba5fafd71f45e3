//! GitHub's GraphQL cost model, query limits and rate limit, all read from the document
//! before anything runs: its requests (one per connection per parent; cost = requests / 100,
//! rounded, at least 1) and nodes (`first`/`last` times parents, `Commit.history` included,
//! as `rateLimit { nodeCount }` reports them); connections that list `nodes` or `edges`
//! without `first`/`last` (`MISSING_PAGINATION_BOUNDARIES`); the node limit
//! (`MAX_NODE_LIMIT_EXCEEDED`); the charge to the caller's `graphql` window (an exhausted
//! window answers `RATE_LIMIT` with HTTP 200); and the time a document takes under the
//! sandbox's model, past GitHub's 10 s answered as GitHub's timeout. Plus the `rateLimit`
//! object.

use std::time::Duration;

use graphql_parser::query::{Selection, TypeCondition};
use serde_json::{json, Value};

use super::document::{Fld, Sel};
use super::exec::{Exec, Resolved};
use super::out::{s, Out};
use super::schema::{field_type, is_leaf, t_for_children};
use crate::behaviour::{Behaviour, GRAPHQL_TIMEOUT_MESSAGE};
use crate::exchange::{rate_headers, Resp, HOLD_HEADER};
use crate::util::rfc3339;

/// What a document asks of GitHub, from the document alone.
#[derive(Debug, Default)]
pub(super) struct Demand {
    /// Connections fetched, one per parent (GitHub's cost is this / 100).
    pub(super) requests: u64,
    /// Nodes asked for: each connection's `first`/`last` times its parents.
    pub(super) nodes: u64,
    /// `MISSING_PAGINATION_BOUNDARIES` errors, in document order.
    pub(super) unbounded: Vec<Value>,
}

impl Demand {
    /// GitHub's cost: requests / 100, rounded, at least 1.
    pub(super) fn cost(&self) -> u32 {
        ((self.requests as f64 / 100.0).round() as u32).max(1)
    }

    /// The sandbox's model of the time the document takes (µs).
    pub(super) fn micros(&self, b: &Behaviour) -> u64 {
        self.nodes.saturating_mul(b.graphql_us_per_node)
            + self.requests.saturating_mul(b.graphql_us_per_request)
    }
}

/// `1234567` as `1,234,567` (GitHub's wording of node counts).
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl<'c> Exec<'c, '_> {
    /// Walks `sel` (of type `ty`, under `mult` parents) and adds what it asks for.
    fn demand_of(&self, sel: &'c Sel, ty: &str, mult: u64, path: &mut Vec<String>, d: &mut Demand) {
        for item in &sel.items {
            match item {
                Selection::Field(f) => {
                    if !self.included(&f.directives) {
                        continue;
                    }
                    let Some(t) = field_type(ty, &f.name) else {
                        continue;
                    };
                    if is_leaf(t) {
                        continue;
                    }
                    path.push(f.alias.clone().unwrap_or_else(|| f.name.clone()));
                    let mut child = mult;
                    if t.ends_with("Connection") {
                        let n = self.int_arg(f, "first").or_else(|| self.int_arg(f, "last"));
                        if n.is_none() && self.lists_items(&f.selection_set, t) {
                            d.unbounded.push(json!({
                                "type": "MISSING_PAGINATION_BOUNDARIES",
                                "path": path.clone(),
                                "locations": [{"line": f.position.line, "column": f.position.column}],
                                "message": format!("You must provide a `first` or `last` value to properly paginate the `{}` connection.", f.name),
                            }));
                        }
                        let n = n.unwrap_or(0).max(0) as u64;
                        d.requests += mult;
                        d.nodes += mult * n;
                        child = mult * n.max(1);
                    }
                    self.demand_of(&f.selection_set, t_for_children(t), child, path, d);
                    path.pop();
                }
                Selection::InlineFragment(i) => {
                    if !self.included(&i.directives) {
                        continue;
                    }
                    let t = match &i.type_condition {
                        Some(TypeCondition::On(t)) => t.as_str(),
                        None => ty,
                    };
                    self.demand_of(&i.selection_set, t, mult, path, d);
                }
                Selection::FragmentSpread(fs) => {
                    if !self.included(&fs.directives) {
                        continue;
                    }
                    if let Some((t, set)) = self.fragments.get(&fs.fragment_name) {
                        let (t, set): (String, &'c Sel) = (t.clone(), set);
                        self.demand_of(set, &t, mult, path, d);
                    }
                }
            }
        }
    }

    /// Does a connection's selection list its items (`nodes` or `edges`)?
    fn lists_items(&self, sel: &'c Sel, ty: &str) -> bool {
        let mut fields: Vec<(String, Vec<&'c Fld>)> = Vec::new();
        self.collect(sel, ty, &mut fields);
        fields
            .iter()
            .flat_map(|(_, fs)| fs)
            .any(|f| f.name == "nodes" || f.name == "edges")
    }

    /// What the operation asks for.
    pub(super) fn demand(&self, sel: &'c Sel, root: &str) -> Demand {
        let mut d = Demand::default();
        self.demand_of(sel, root, 1, &mut Vec::new(), &mut d);
        d
    }

    /// GitHub's query limits, before anything runs or is charged: connections without
    /// bounds (`data: null` and one error each) and the node limit (no `data`).
    pub(super) fn query_limits(&self, d: &Demand) -> Result<(), Resp> {
        let b = &self.ctx.sh.behaviour;
        if b.graphql_pagination_bounds && !d.unbounded.is_empty() {
            return Err(Resp::json(
                200,
                json!({"data": null, "errors": d.unbounded}),
            ));
        }
        if b.graphql_node_limit > 0 && d.nodes > b.graphql_node_limit {
            return Err(Resp::json(
                200,
                json!({"errors": [{"type": "MAX_NODE_LIMIT_EXCEEDED", "message": format!(
                    "This query requests up to {} possible nodes which exceeds the maximum limit of {}.",
                    thousands(d.nodes),
                    thousands(b.graphql_node_limit)
                )}]}),
            ));
        }
        Ok(())
    }

    /// Charges the document's cost; `Err` is GitHub's rate-limit answer. On success the
    /// window is kept for `rateLimit` and the answer's headers.
    pub(super) fn charge(&mut self, d: &Demand) -> Result<(), Resp> {
        let ctx = self.ctx;
        self.cost = d.cost();
        self.nodes = d.nodes;
        let charged = ctx.sh.limits().charge(&ctx.caller, "graphql", self.cost);
        match charged {
            Ok(info) => {
                self.rate = Some(info);
                Ok(())
            }
            Err(i) => {
                ctx.sh.log().counters.rate_limited += 1;
                let user = ctx.caller.user_id();
                let error = if ctx.sh.behaviour.graphql_rate_limit_legacy {
                    json!({"type": "RATE_LIMITED", "message": format!("API rate limit exceeded for user ID {user}.")})
                } else {
                    json!({"type": "RATE_LIMIT", "code": "graphql_rate_limit", "message": format!("API rate limit already exceeded for user ID {user}.")})
                };
                Err(rate_headers(
                    Resp::json(200, json!({ "errors": [error] })),
                    &i,
                ))
            }
        }
    }

    /// GitHub's timeout: a document the model says runs past `graphql_timeout_ms` is cut
    /// off. It was charged (since 2025-07-21 timeouts count against the primary limit)
    /// unless `graphql_timeouts_charged` is off, which gives the points back.
    pub(super) fn time_limit(&mut self, d: &Demand) -> Result<(), Resp> {
        let ctx = self.ctx;
        let b = &ctx.sh.behaviour;
        if b.graphql_timeout_ms == 0 || d.micros(b) <= b.graphql_timeout_ms * 1000 {
            return Ok(());
        }
        ctx.sh.log().counters.graphql_timeouts += 1;
        if !b.graphql_timeouts_charged {
            ctx.sh.limits().refund(&ctx.caller, "graphql", self.cost);
        }
        let info = ctx.sh.limits().peek(&ctx.caller, "graphql");
        let resp = Resp::json(
            b.graphql_timeout_status,
            json!({ "message": GRAPHQL_TIMEOUT_MESSAGE }),
        )
        .with_header(
            HOLD_HEADER,
            Duration::from_millis(b.graphql_timeout_answer_ms)
                .as_millis()
                .to_string(),
        );
        Err(rate_headers(resp, &info))
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

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn node_counts_are_worded_with_thousands_separators() {
        assert_eq!(thousands(2_010_050), "2,010,050");
        assert_eq!(thousands(500_000), "500,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
    }
}
