//! A small but real GraphQL executor for the part of GitHub's schema priority-sync queries:
//! documents are parsed (variables, aliases, named and inline fragments, `@include`/`@skip`,
//! `__typename`; `document`), validated against the supported subset (`schema`), held to
//! GitHub's query limits, costed, charged and timed like GitHub (`cost`), and executed
//! (`exec`) with per-field partial errors exactly as GitHub words them, a null in a non-null
//! field propagating to the nearest nullable parent as the GraphQL specification says. Field resolvers live per type: `objects` (dispatch and small
//! objects), `repository`, `git_objects`, `pulls`, `connection` (pagination), `mutation`
//! (`enablePullRequestAutoMerge` and its payload).

mod connection;
mod cost;
mod document;
mod exec;
mod git_objects;
mod mutation;
mod objects;
mod out;
mod pulls;
mod repository;
mod schema;

use serde_json::{json, Value};

use crate::exchange::{rate_headers, Ctx, Resp};
use document::{errors_only, Doc};
use exec::Exec;
use objects::Obj;
use out::{json_to_out, GErr, Out};

/// Answers `POST /graphql`.
pub fn handle(ctx: &Ctx<'_>) -> Resp {
    if ctx.caller.token.is_none() {
        return Resp::json(
            401,
            json!({"message": "This endpoint requires you to be authenticated.", "documentation_url": "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql"}),
        );
    }
    let Some(body) = ctx.req.json.as_ref() else {
        return Resp::error(400, "Problems parsing JSON");
    };
    let doc: Doc = match document::parse(body) {
        Ok(d) => d,
        Err(resp) => return resp,
    };
    let op = match document::operation(ctx, &doc, body) {
        Ok(op) => op,
        Err(resp) => return resp,
    };
    let mut ex = Exec {
        ctx,
        fragments: op.fragments,
        variables: op.variables,
        errors: Vec::new(),
        cost: 1,
        nodes: 0,
        rate: None,
    };
    // Validate against the supported subset first: an unknown field fails the whole document.
    let problems = validate(&ex, op.sel, op.root);
    if !problems.is_empty() {
        return errors_only(problems);
    }
    // GitHub's query limits and cost, from the document alone, before anything runs.
    let demand = ex.demand(op.sel, op.root);
    if let Err(resp) = ex.query_limits(&demand) {
        return resp;
    }
    if let Err(resp) = ex.charge(&demand) {
        return resp;
    }
    if let Err(resp) = ex.time_limit(&demand) {
        return resp;
    }
    let root = if op.root == "Mutation" {
        Obj::Mutation
    } else {
        Obj::Query
    };
    let data = ex.selection(&root, op.root, op.sel, &mut Vec::new());
    let mut top = vec![("data".to_string(), data)];
    if !ex.errors.is_empty() {
        let errs: Vec<Value> = ex.errors.iter().map(GErr::to_out).collect();
        let errs: Out = json_to_out(&Value::Array(errs));
        top.push(("errors".to_string(), errs));
    }
    let text = serde_json::to_string(&Out::Obj(top)).unwrap_or_default();
    let resp = Resp {
        status: 200,
        json: None,
        text: Some(text),
        headers: Vec::new(),
    };
    match &ex.rate {
        Some(info) => rate_headers(resp, info),
        None => resp,
    }
}

/// GitHub's `undefinedField` problems of the document, each unknown field recorded as an
/// unexpected route (`POST /graphql field Type.field`).
fn validate<'c>(ex: &Exec<'c, '_>, sel: &'c document::Sel, root: &str) -> Vec<Value> {
    let mut problems = Vec::new();
    let top = root.to_ascii_lowercase();
    ex.validate(sel, root, &mut vec![top], &mut problems);
    for p in &problems {
        if let Some(f) = p["extensions"]["fieldName"].as_str() {
            ex.ctx.req.mark_unexpected(
                ex.ctx.sh,
                format!(
                    "POST /graphql field {}.{}",
                    p["extensions"]["typeName"].as_str().unwrap_or("?"),
                    f
                ),
            );
        }
    }
    problems
}
