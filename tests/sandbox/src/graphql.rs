//! A small but real GraphQL executor for the part of GitHub's schema priority-sync queries:
//! documents are parsed (variables, aliases, named and inline fragments, `@include`/`@skip`,
//! `__typename`), validated against the supported subset, costed like GitHub (`rateLimit`),
//! and executed with per-field partial errors exactly as GitHub words them.

use std::collections::HashMap;

use git2::Oid;
use graphql_parser::query::{
    Definition, Field, OperationDefinition, Selection, SelectionSet, TypeCondition, Value as GValue,
};
use graphql_parser::Pos;
use serde_json::{json, Value};

use crate::git::{self, store_ref, Merge, PathObject};
use crate::server::{rate_headers, Ctx, Resp};
use crate::shapes::node_id;
use crate::util::{base64, base64_decode, rfc3339};

type Doc = graphql_parser::query::Document<'static, String>;
type Sel = SelectionSet<'static, String>;
type Fld = Field<'static, String>;

/// An output value that keeps field order (GitHub answers in query order).
#[derive(Clone, Debug)]
pub enum Out {
    /// null
    Null,
    /// boolean
    Bool(bool),
    /// integer
    Int(i64),
    /// string
    Str(String),
    /// list
    List(Vec<Out>),
    /// object, in order
    Obj(Vec<(String, Out)>),
}

impl serde::Serialize for Out {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            Out::Null => s.serialize_unit(),
            Out::Bool(b) => s.serialize_bool(*b),
            Out::Int(i) => s.serialize_i64(*i),
            Out::Str(v) => s.serialize_str(v),
            Out::List(l) => {
                let mut q = s.serialize_seq(Some(l.len()))?;
                for x in l {
                    q.serialize_element(x)?;
                }
                q.end()
            }
            Out::Obj(o) => {
                let mut m = s.serialize_map(Some(o.len()))?;
                for (k, v) in o {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
        }
    }
}

fn s(v: impl Into<String>) -> Out {
    Out::Str(v.into())
}

// ------------------------------------------------------------------ the supported schema

/// Output type of `ty.field` in the supported subset (named type; lists are implied by the
/// resolver). None = not supported.
fn field_type(ty: &str, f: &str) -> Option<&'static str> {
    Some(match (ty, f) {
        ("Query", "repository") => "Repository",
        ("Query", "rateLimit") => "RateLimit",
        ("Query", "viewer") => "User",
        ("RateLimit", "cost" | "limit" | "remaining" | "used" | "nodeCount") => "Int",
        ("RateLimit", "resetAt") => "DateTime",
        ("Repository", "id") => "ID",
        ("Repository", "databaseId" | "forkCount" | "stargazerCount") => "Int",
        ("Repository", "name" | "nameWithOwner" | "description") => "String",
        (
            "Repository",
            "isArchived" | "isFork" | "isPrivate" | "isDisabled" | "isEmpty" | "hasIssuesEnabled",
        ) => "Boolean",
        ("Repository", "pushedAt" | "createdAt" | "updatedAt") => "DateTime",
        ("Repository", "url") => "URI",
        ("Repository", "visibility") => "RepositoryVisibility",
        ("Repository", "owner") => "RepositoryOwner",
        ("Repository", "defaultBranchRef" | "ref") => "Ref",
        ("Repository", "parent") => "Repository",
        ("Repository", "object") => "GitObject",
        ("Repository", "pullRequests") => "PullRequestConnection",
        ("Repository", "pullRequest") => "PullRequest",
        ("Repository", "vulnerabilityAlerts") => "RepositoryVulnerabilityAlertConnection",
        ("Repository", "repositoryTopics") => "RepositoryTopicConnection",
        ("User" | "Organization" | "RepositoryOwner", "login") => "String",
        ("User" | "Organization" | "RepositoryOwner", "id") => "ID",
        ("User" | "Organization" | "RepositoryOwner" | "Actor", "url" | "avatarUrl") => "URI",
        ("User" | "Organization", "databaseId") => "Int",
        ("Actor", "login") => "String",
        ("Ref", "id") => "ID",
        ("Ref", "name" | "prefix") => "String",
        ("Ref", "target") => "GitObject",
        ("Commit" | "Tree" | "Blob" | "GitObject", "oid") => "GitObjectID",
        ("Commit" | "Tree" | "Blob" | "GitObject", "abbreviatedOid") => "String",
        ("Commit" | "Tree" | "Blob" | "GitObject", "id") => "ID",
        ("Commit", "committedDate" | "authoredDate") => "DateTime",
        ("Commit", "message" | "messageHeadline") => "String",
        ("Commit", "url") => "URI",
        ("Commit", "history") => "CommitHistoryConnection",
        ("CommitHistoryConnection", "totalCount") => "Int",
        ("CommitHistoryConnection", "pageInfo") => "PageInfo",
        ("CommitHistoryConnection", "nodes") => "Commit",
        ("Tree", "entries") => "TreeEntry",
        ("TreeEntry", "name" | "path" | "type") => "String",
        ("TreeEntry", "mode") => "Int",
        ("TreeEntry", "oid") => "GitObjectID",
        ("Blob", "text") => "String",
        ("Blob", "byteSize") => "Int",
        ("Blob", "isBinary" | "isTruncated") => "Boolean",
        (
            "PullRequestConnection"
            | "LabelConnection"
            | "RepositoryVulnerabilityAlertConnection"
            | "RepositoryTopicConnection",
            "totalCount",
        ) => "Int",
        (
            "PullRequestConnection"
            | "LabelConnection"
            | "RepositoryVulnerabilityAlertConnection"
            | "RepositoryTopicConnection",
            "pageInfo",
        ) => "PageInfo",
        ("PullRequestConnection", "nodes") => "PullRequest",
        ("PullRequestConnection", "edges") => "PullRequestEdge",
        ("PullRequestEdge", "cursor") => "String",
        ("PullRequestEdge", "node") => "PullRequest",
        ("LabelConnection", "nodes") => "Label",
        ("RepositoryVulnerabilityAlertConnection", "nodes") => "RepositoryVulnerabilityAlert",
        ("RepositoryTopicConnection", "nodes") => "RepositoryTopic",
        ("PageInfo", "hasNextPage" | "hasPreviousPage") => "Boolean",
        ("PageInfo", "startCursor" | "endCursor") => "String",
        ("PullRequest", "id") => "ID",
        ("PullRequest", "number") => "Int",
        ("PullRequest", "url" | "permalink") => "URI",
        ("PullRequest", "title" | "body" | "headRefName" | "baseRefName") => "String",
        ("PullRequest", "state") => "PullRequestState",
        ("PullRequest", "headRefOid" | "baseRefOid") => "GitObjectID",
        ("PullRequest", "isDraft" | "closed" | "merged") => "Boolean",
        ("PullRequest", "createdAt" | "updatedAt") => "DateTime",
        ("PullRequest", "author") => "Actor",
        ("PullRequest", "labels") => "LabelConnection",
        ("PullRequest", "headRepository" | "baseRepository") => "Repository",
        ("PullRequest", "mergeable") => "MergeableState",
        ("Label", "id") => "ID",
        ("Label", "name" | "color" | "description") => "String",
        ("RepositoryVulnerabilityAlert", "id") => "ID",
        ("RepositoryVulnerabilityAlert", "number") => "Int",
        ("RepositoryVulnerabilityAlert", "state") => "RepositoryVulnerabilityAlertState",
        ("RepositoryVulnerabilityAlert", "createdAt") => "DateTime",
        ("RepositoryVulnerabilityAlert", "vulnerableManifestPath") => "String",
        ("RepositoryTopic", "id") => "ID",
        ("RepositoryTopic", "url") => "URI",
        ("RepositoryTopic", "topic") => "Topic",
        ("Topic", "id" | "name") => "String",
        _ => return None,
    })
}

fn is_leaf(t: &str) -> bool {
    matches!(
        t,
        "Int"
            | "String"
            | "Boolean"
            | "ID"
            | "URI"
            | "DateTime"
            | "GitObjectID"
            | "RepositoryVisibility"
            | "PullRequestState"
            | "MergeableState"
            | "RepositoryVulnerabilityAlertState"
    )
}

/// Does a fragment on `cond` apply to an object of concrete type `concrete`?
fn applies(cond: &str, concrete: &str) -> bool {
    cond == concrete
        || matches!(
            (cond, concrete),
            ("Node", _)
                | (
                    "RepositoryOwner" | "Actor" | "UniformResourceLocatable",
                    "User" | "Organization"
                )
                | ("GitObject", "Commit" | "Tree" | "Blob")
                | (
                    "UniformResourceLocatable",
                    "Commit" | "Repository" | "PullRequest"
                )
                | ("RepositoryInfo", "Repository")
        )
}

/// Types a fragment condition on `cond` may narrow to when the parent is `parent`.
fn possible(parent: &str) -> &'static [&'static str] {
    match parent {
        "RepositoryOwner" => &["User", "Organization"],
        "Actor" => &["User", "Organization"],
        "GitObject" => &["Commit", "Tree", "Blob"],
        _ => &[],
    }
}

// ------------------------------------------------------------------ entry point

struct GErr {
    ty: Option<&'static str>,
    message: String,
    path: Vec<Value>,
    loc: Pos,
    extensions: Option<Value>,
}

impl GErr {
    fn to_out(&self) -> Value {
        let mut v = serde_json::Map::new();
        if let Some(t) = self.ty {
            v.insert("type".into(), json!(t));
        }
        if !self.path.is_empty() {
            v.insert("path".into(), Value::Array(self.path.clone()));
        }
        if let Some(e) = &self.extensions {
            v.insert("extensions".into(), e.clone());
        }
        v.insert(
            "locations".into(),
            json!([{"line": self.loc.line, "column": self.loc.column}]),
        );
        v.insert("message".into(), json!(self.message));
        Value::Object(v)
    }
}

fn errors_only(errors: Vec<Value>) -> Resp {
    Resp::json(200, json!({"errors": errors}))
}

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
    let Some(query) = body["query"].as_str() else {
        return errors_only(vec![
            json!({"message": "A query attribute must be specified and must be a string."}),
        ]);
    };
    let doc: Doc = match graphql_parser::parse_query::<String>(query) {
        Ok(d) => d.into_static(),
        Err(e) => {
            let msg = e.to_string();
            return errors_only(vec![
                json!({"message": format!("Parse error: {}", msg.trim())}),
            ]);
        }
    };
    let vars = body["variables"].as_object().cloned().unwrap_or_default();
    let op_name = body["operationName"].as_str();
    let mut fragments = HashMap::new();
    let mut ops = Vec::new();
    for d in &doc.definitions {
        match d {
            Definition::Fragment(f) => {
                let TypeCondition::On(t) = &f.type_condition;
                fragments.insert(f.name.clone(), (t.clone(), &f.selection_set));
            }
            Definition::Operation(o) => ops.push(o),
        }
    }
    let op = match op_name {
        Some(n) => ops
            .iter()
            .find(|o| matches!(o, OperationDefinition::Query(q) if q.name.as_deref() == Some(n))),
        None if ops.len() == 1 => ops.first(),
        None => None,
    };
    let Some(op) = op else {
        return errors_only(vec![
            json!({"message": "An operation name is required when the document has several operations."}),
        ]);
    };
    let (sel, var_defs) = match op {
        OperationDefinition::Query(q) => (&q.selection_set, q.variable_definitions.as_slice()),
        OperationDefinition::SelectionSet(s) => (s, &[][..]),
        OperationDefinition::Mutation(m) => {
            let line = format!(
                "POST /graphql mutation {}",
                m.name.clone().unwrap_or_default()
            );
            record_unexpected(ctx, line);
            return errors_only(vec![
                json!({"message": "The sandbox implements no GraphQL mutations.", "locations": [{"line": m.position.line, "column": m.position.column}]}),
            ]);
        }
        OperationDefinition::Subscription(_) => {
            return errors_only(vec![json!({"message": "Subscriptions are not supported."})]);
        }
    };
    let mut variables: HashMap<String, Value> = HashMap::new();
    for vd in var_defs {
        let v = vars.get(&vd.name).cloned().or_else(|| {
            vd.default_value
                .as_ref()
                .map(|d| to_json(d, &HashMap::new()))
        });
        let required = matches!(vd.var_type, graphql_parser::query::Type::NonNullType(_));
        match v {
            Some(Value::Null) | None if required => {
                return errors_only(vec![json!({
                    "extensions": {"value": null, "problems": [{"path": [], "explanation": "Expected value to not be null"}]},
                    "locations": [{"line": vd.position.line, "column": vd.position.column}],
                    "message": format!("Variable ${} of type {} was provided invalid value", vd.name, vd.var_type),
                })]);
            }
            Some(v) => {
                variables.insert(vd.name.clone(), v);
            }
            None => {}
        }
    }
    let ex = Exec {
        ctx,
        fragments,
        variables,
        errors: Vec::new(),
        cost: 1,
        nodes: 0,
        rate: None,
    };
    let mut ex = ex;
    // Validate against the supported subset first: an unknown field fails the whole document.
    let mut problems = Vec::new();
    ex.validate(sel, "Query", &mut vec!["query".to_string()], &mut problems);
    if !problems.is_empty() {
        for p in &problems {
            if let Some(f) = p["extensions"]["fieldName"].as_str() {
                record_unexpected(
                    ctx,
                    format!(
                        "POST /graphql field {}.{}",
                        p["extensions"]["typeName"].as_str().unwrap_or("?"),
                        f
                    ),
                );
            }
        }
        return errors_only(problems);
    }
    let (requests, nodes) = ex.cost_of(sel, "Query", 1);
    ex.cost = ((requests as f64 / 100.0).round() as u32).max(1);
    ex.nodes = nodes;
    let charged = ctx.sh.auth().charge(&ctx.caller, "graphql", ex.cost);
    let info = match charged {
        Ok(i) => i,
        Err(i) => {
            ctx.sh.log().counters.rate_limited += 1;
            let resp = Resp::json(
                200,
                json!({"errors": [{"type": "RATE_LIMITED", "code": "graphql_rate_limit", "message": format!("API rate limit already exceeded for user ID {}.", ctx.caller.user_id())}]}),
            );
            return rate_headers(resp, &i);
        }
    };
    ex.rate = Some(info);
    let data = ex.selection(&Obj::Query, "Query", sel, &mut Vec::new());
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
    rate_headers(resp, &info)
}

fn record_unexpected(ctx: &Ctx<'_>, line: String) {
    ctx.req.mark_unexpected(ctx.sh, line);
}

fn json_to_out(v: &Value) -> Out {
    match v {
        Value::Null => Out::Null,
        Value::Bool(b) => Out::Bool(*b),
        Value::Number(n) => Out::Int(n.as_i64().unwrap_or(0)),
        Value::String(x) => s(x.clone()),
        Value::Array(a) => Out::List(a.iter().map(json_to_out).collect()),
        Value::Object(o) => Out::Obj(o.iter().map(|(k, v)| (k.clone(), json_to_out(v))).collect()),
    }
}

fn to_json(v: &GValue<'static, String>, vars: &HashMap<String, Value>) -> Value {
    match v {
        GValue::Variable(n) => vars.get(n).cloned().unwrap_or(Value::Null),
        GValue::Int(i) => json!(i.as_i64().unwrap_or(0)),
        GValue::Float(f) => json!(f),
        GValue::String(x) => json!(x),
        GValue::Boolean(b) => json!(b),
        GValue::Null => Value::Null,
        GValue::Enum(e) => json!(e),
        GValue::List(l) => Value::Array(l.iter().map(|x| to_json(x, vars)).collect()),
        GValue::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), to_json(x, vars)))
                .collect(),
        ),
    }
}

// ------------------------------------------------------------------ runtime objects

#[derive(Clone)]
enum Obj {
    Query,
    RateLimit,
    Repo(usize),
    Account {
        login: String,
        org: bool,
    },
    Ref {
        repo: usize,
        prefix: String,
        name: String,
        oid: Oid,
    },
    Commit {
        repo: usize,
        oid: Oid,
    },
    Tree {
        repo: usize,
        oid: Oid,
        prefix: String,
    },
    Entry {
        name: String,
        path: String,
        kind: &'static str,
        mode: i64,
        oid: Oid,
    },
    Blob {
        repo: usize,
        oid: Oid,
    },
    Conn {
        items: Vec<Obj>,
        total: usize,
        start: usize,
        has_next: bool,
    },
    Edge {
        cursor: String,
        node: Box<Obj>,
    },
    PageInfo {
        has_next: bool,
        has_prev: bool,
        start: Option<String>,
        end: Option<String>,
    },
    Pull {
        repo: usize,
        number: u64,
    },
    Label {
        id: u64,
        name: String,
        color: String,
        description: Option<String>,
    },
    Alert {
        id: String,
        number: u64,
        state: String,
        created: i64,
        manifest: String,
    },
    RepoTopic {
        repo: usize,
        name: String,
    },
    Topic(String),
}

fn typename(o: &Obj) -> &'static str {
    match o {
        Obj::Query => "Query",
        Obj::RateLimit => "RateLimit",
        Obj::Repo(_) => "Repository",
        Obj::Account { org: true, .. } => "Organization",
        Obj::Account { .. } => "User",
        Obj::Ref { .. } => "Ref",
        Obj::Commit { .. } => "Commit",
        Obj::Tree { .. } => "Tree",
        Obj::Entry { .. } => "TreeEntry",
        Obj::Blob { .. } => "Blob",
        Obj::Conn { .. } => "Connection",
        Obj::Edge { .. } => "PullRequestEdge",
        Obj::PageInfo { .. } => "PageInfo",
        Obj::Pull { .. } => "PullRequest",
        Obj::Label { .. } => "Label",
        Obj::Alert { .. } => "RepositoryVulnerabilityAlert",
        Obj::RepoTopic { .. } => "RepositoryTopic",
        Obj::Topic(_) => "Topic",
    }
}

fn cursor(i: usize) -> String {
    base64(format!("cursor:v2:{}", i + 1).as_bytes())
}

fn uncursor(c: &str) -> Option<usize> {
    let raw = String::from_utf8(base64_decode(c)?).ok()?;
    raw.rsplit(':').next()?.parse().ok()
}

struct Exec<'c, 'a> {
    ctx: &'c Ctx<'a>,
    fragments: HashMap<String, (String, &'c Sel)>,
    variables: HashMap<String, Value>,
    errors: Vec<GErr>,
    cost: u32,
    nodes: u64,
    rate: Option<crate::auth::RateInfo>,
}

enum Resolved {
    Leaf(Out),
    One(Obj),
    Many(Vec<Obj>),
    Null,
}

impl<'c> Exec<'c, '_> {
    fn included(&self, directives: &[graphql_parser::query::Directive<'static, String>]) -> bool {
        for d in directives {
            let cond = d
                .arguments
                .iter()
                .find(|(k, _)| k == "if")
                .map(|(_, v)| to_json(v, &self.variables).as_bool().unwrap_or(false));
            match (d.name.as_str(), cond) {
                ("skip", Some(true)) => return false,
                ("include", Some(false)) => return false,
                _ => {}
            }
        }
        true
    }

    /// Fields of `sel` that apply to concrete type `ty`, grouped by response key, in order.
    fn collect(&self, sel: &'c Sel, ty: &str, out: &mut Vec<(String, Vec<&'c Fld>)>) {
        for item in &sel.items {
            match item {
                Selection::Field(f) => {
                    if !self.included(&f.directives) {
                        continue;
                    }
                    let key = f.alias.clone().unwrap_or_else(|| f.name.clone());
                    match out.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, v)) => v.push(f),
                        None => out.push((key, vec![f])),
                    }
                }
                Selection::InlineFragment(i) => {
                    if !self.included(&i.directives) {
                        continue;
                    }
                    let ok = match &i.type_condition {
                        None => true,
                        Some(TypeCondition::On(t)) => applies(t, ty),
                    };
                    if ok {
                        self.collect(&i.selection_set, ty, out);
                    }
                }
                Selection::FragmentSpread(fs) => {
                    if !self.included(&fs.directives) {
                        continue;
                    }
                    if let Some((t, set)) = self.fragments.get(&fs.fragment_name) {
                        if applies(t, ty) {
                            let set: &'c Sel = set;
                            self.collect(set, ty, out);
                        }
                    }
                }
            }
        }
    }

    fn validate(&self, sel: &'c Sel, ty: &str, path: &mut Vec<String>, problems: &mut Vec<Value>) {
        for item in &sel.items {
            match item {
                Selection::Field(f) => {
                    if f.name == "__typename" {
                        continue;
                    }
                    let Some(t) = field_type(ty, &f.name) else {
                        let mut p: Vec<Value> = path.iter().map(|x| json!(x)).collect();
                        p.push(json!(f.alias.clone().unwrap_or_else(|| f.name.clone())));
                        problems.push(json!({
                            "path": p,
                            "extensions": {"code": "undefinedField", "typeName": ty, "fieldName": f.name},
                            "locations": [{"line": f.position.line, "column": f.position.column}],
                            "message": format!("Field '{}' doesn't exist on type '{}'", f.name, ty),
                        }));
                        continue;
                    };
                    if !is_leaf(t) {
                        path.push(f.alias.clone().unwrap_or_else(|| f.name.clone()));
                        self.validate(&f.selection_set, t, path, problems);
                        path.pop();
                    }
                }
                Selection::InlineFragment(i) => {
                    let t = match &i.type_condition {
                        Some(TypeCondition::On(t)) => t.as_str(),
                        None => ty,
                    };
                    let narrowed = if t == ty || possible(ty).contains(&t) || applies(t, ty) {
                        t
                    } else {
                        ty
                    };
                    path.push(format!("... on {t}"));
                    self.validate(&i.selection_set, narrowed, path, problems);
                    path.pop();
                }
                Selection::FragmentSpread(fs) => {
                    if let Some((t, set)) = self.fragments.get(&fs.fragment_name) {
                        let t = t.clone();
                        let set: &'c Sel = set;
                        self.validate(set, &t, path, problems);
                    } else {
                        problems.push(json!({"message": format!("Fragment {} was used, but not defined", fs.fragment_name), "locations": [{"line": fs.position.line, "column": fs.position.column}]}));
                    }
                }
            }
        }
    }

    fn int_arg(&self, f: &Fld, name: &str) -> Option<i64> {
        self.arg(f, name).and_then(|v| v.as_i64())
    }

    fn arg(&self, f: &Fld, name: &str) -> Option<Value> {
        f.arguments
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| to_json(v, &self.variables))
            .filter(|v| !v.is_null())
    }

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

    fn selection(&mut self, obj: &Obj, ty_hint: &str, sel: &'c Sel, path: &mut Vec<Value>) -> Out {
        let concrete = match obj {
            Obj::Conn { .. } => ty_hint.to_string(),
            o => typename(o).to_string(),
        };
        let mut fields = Vec::new();
        self.collect(sel, &concrete, &mut fields);
        let mut out = Vec::with_capacity(fields.len());
        for (key, fs) in fields {
            let f = fs[0];
            if f.name == "__typename" {
                out.push((key, s(concrete.clone())));
                continue;
            }
            let Some(t) = field_type(&concrete, &f.name) else {
                out.push((key, Out::Null));
                continue;
            };
            path.push(json!(key));
            let v = match self.resolve(obj, f, &concrete) {
                Ok(Resolved::Leaf(v)) => v,
                Ok(Resolved::Null) => Out::Null,
                Ok(Resolved::One(o)) => {
                    let sub = merged_selection(&fs);
                    self.sub(&o, t, &sub, path)
                }
                Ok(Resolved::Many(list)) => {
                    let sub = merged_selection(&fs);
                    let mut items = Vec::with_capacity(list.len());
                    for (i, o) in list.iter().enumerate() {
                        path.push(json!(i));
                        items.push(self.sub(o, t, &sub, path));
                        path.pop();
                    }
                    Out::List(items)
                }
                Err((ty, message, extensions)) => {
                    self.errors.push(GErr {
                        ty,
                        message,
                        path: path.clone(),
                        loc: f.position,
                        extensions,
                    });
                    Out::Null
                }
            };
            path.pop();
            out.push((key, v));
        }
        Out::Obj(out)
    }

    fn sub(&mut self, o: &Obj, t: &str, sub: &[&'c Sel], path: &mut Vec<Value>) -> Out {
        if sub.len() == 1 {
            return self.selection(o, t, sub[0], path);
        }
        // Same response key selected several times: merge their sub-selections in order.
        let mut merged: Vec<(String, Out)> = Vec::new();
        for set in sub {
            if let Out::Obj(fields) = self.selection(o, t, set, path) {
                for (k, v) in fields {
                    match merged.iter_mut().find(|(mk, _)| *mk == k) {
                        Some((_, mv)) => merge_out(mv, v),
                        None => merged.push((k, v)),
                    }
                }
            }
        }
        Out::Obj(merged)
    }

    fn resolve(
        &mut self,
        obj: &Obj,
        f: &Fld,
        ty: &str,
    ) -> Result<Resolved, (Option<&'static str>, String, Option<Value>)> {
        use Resolved::*;
        let sh = self.ctx.sh;
        let name = f.name.as_str();
        Ok(match obj {
            Obj::Query => match name {
                "rateLimit" => One(Obj::RateLimit),
                "viewer" => {
                    let login = self
                        .ctx
                        .caller
                        .token
                        .as_ref()
                        .map(|t| t.login.clone())
                        .unwrap_or_default();
                    One(Obj::Account { login, org: false })
                }
                "repository" => {
                    let owner = self
                        .arg(f, "owner")
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default();
                    let rname = self
                        .arg(f, "name")
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default();
                    match sh.world().find(&owner, &rname) {
                        Some(i) => One(Obj::Repo(i)),
                        None => {
                            return Err((Some("NOT_FOUND"), format!("Could not resolve to a Repository with the name '{owner}/{rname}'."), None));
                        }
                    }
                }
                _ => Null,
            },
            Obj::RateLimit => {
                let r = self.rate.expect("charged before execution");
                Leaf(match name {
                    "cost" => Out::Int(i64::from(self.cost)),
                    "limit" => Out::Int(i64::from(r.limit)),
                    "remaining" => Out::Int(i64::from(r.remaining)),
                    "used" => Out::Int(i64::from(r.used)),
                    "nodeCount" => Out::Int(self.nodes as i64),
                    "resetAt" => s(rfc3339(r.reset)),
                    _ => Out::Null,
                })
            }
            Obj::Repo(i) => return self.repo_field(*i, f),
            Obj::Account { login, org } => {
                let a = sh.world().account(login);
                Leaf(match name {
                    "login" => s(a.login.clone()),
                    "id" => s(node_id(if *org { "Organization" } else { "User" }, a.id)),
                    "databaseId" => Out::Int(a.id as i64),
                    "url" => s(format!("{}/{}", sh.base, a.login)),
                    "avatarUrl" => s(format!("{}/avatars/{}", sh.base, a.login)),
                    _ => Out::Null,
                })
            }
            Obj::Ref {
                repo,
                prefix,
                name: rname,
                oid,
            } => match name {
                "id" => Leaf(s(node_id("Ref", format!("{repo}:{prefix}{rname}")))),
                "name" => Leaf(s(rname.clone())),
                "prefix" => Leaf(s(prefix.clone())),
                "target" => One(Obj::Commit {
                    repo: *repo,
                    oid: *oid,
                }),
                _ => Null,
            },
            Obj::Commit { repo, oid } if name == "history" => {
                // `git log` order from this commit; `path`, `since`, `until` and `author`
                // filters are not served (the action does not send them).
                if ["path", "since", "until", "author"]
                    .iter()
                    .any(|a| self.arg(f, a).is_some())
                {
                    return Err((
                        None,
                        "the sandbox serves Commit.history without filters only".into(),
                        None,
                    ));
                }
                let net = sh.world().repos[*repo].net;
                let all = sh
                    .store
                    .with(net, |r| git::history(r, *oid))
                    .map_err(|e| (None, e.to_string(), None))?;
                let repo = *repo;
                return self.page(
                    f,
                    all.into_iter()
                        .map(|oid| Obj::Commit { repo, oid })
                        .collect(),
                );
            }
            Obj::Commit { repo, oid } => {
                let net = sh.world().repos[*repo].net;
                let full = sh.world().repos[*repo].full_name();
                let info = sh
                    .store
                    .with(net, |r| git::commit_info(r, *oid))
                    .map_err(|e| (None, e.to_string(), None))?;
                Leaf(match name {
                    "oid" => s(oid.to_string()),
                    "abbreviatedOid" => s(oid.to_string()[..7].to_string()),
                    "id" => s(node_id("Commit", oid)),
                    "committedDate" => s(rfc3339(info.committer.2)),
                    "authoredDate" => s(rfc3339(info.author.2)),
                    "message" => s(info.message.trim_end().to_string()),
                    "messageHeadline" => s(info.message.lines().next().unwrap_or("").to_string()),
                    "url" => s(format!("{}/{full}/commit/{oid}", sh.base)),
                    _ => Out::Null,
                })
            }
            Obj::Tree { repo, oid, prefix } => match name {
                "oid" => Leaf(s(oid.to_string())),
                "abbreviatedOid" => Leaf(s(oid.to_string()[..7].to_string())),
                "id" => Leaf(s(node_id("Tree", oid))),
                "entries" => {
                    let net = sh.world().repos[*repo].net;
                    let items = sh
                        .store
                        .with(net, |r| git::list_tree(r, *oid, false))
                        .map_err(|e| (None, e.to_string(), None))?;
                    Many(
                        items
                            .into_iter()
                            .map(|it| Obj::Entry {
                                path: format!("{prefix}{}", it.name),
                                name: it.name,
                                kind: it.kind,
                                mode: i64::from_str_radix(&it.mode, 8).unwrap_or(0),
                                oid: it.oid,
                            })
                            .collect(),
                    )
                }
                _ => Null,
            },
            Obj::Entry {
                name: n,
                path,
                kind,
                mode,
                oid,
            } => Leaf(match name {
                "name" => s(n.clone()),
                "path" => s(path.clone()),
                "type" => s(*kind),
                "mode" => Out::Int(*mode),
                "oid" => s(oid.to_string()),
                _ => Out::Null,
            }),
            Obj::Blob { repo, oid } => {
                let net = sh.world().repos[*repo].net;
                let data = sh
                    .store
                    .with(net, |r| Ok(r.find_blob(*oid)?.content().to_vec()))
                    .map_err(|e| (None, e.to_string(), None))?;
                let binary = data.contains(&0);
                Leaf(match name {
                    "oid" => s(oid.to_string()),
                    "abbreviatedOid" => s(oid.to_string()[..7].to_string()),
                    "id" => s(node_id("Blob", oid)),
                    "text" if binary => Out::Null,
                    "text" => s(String::from_utf8_lossy(&data).into_owned()),
                    "byteSize" => Out::Int(data.len() as i64),
                    "isBinary" => Out::Bool(binary),
                    "isTruncated" => Out::Bool(false),
                    _ => Out::Null,
                })
            }
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
                _ => {
                    let _ = ty;
                    Null
                }
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
            Obj::Pull { repo, number } => return self.pull_field(*repo, *number, f),
            Obj::Label {
                id,
                name: n,
                color,
                description,
            } => Leaf(match name {
                "id" => s(node_id("Label", id)),
                "name" => s(n.clone()),
                "color" => s(color.clone()),
                "description" => description.clone().map(s).unwrap_or(Out::Null),
                _ => Out::Null,
            }),
            Obj::Alert {
                id,
                number,
                state,
                created,
                manifest,
            } => Leaf(match name {
                "id" => s(id.clone()),
                "number" => Out::Int(*number as i64),
                "state" => s(state.to_ascii_uppercase()),
                "createdAt" => s(rfc3339(*created)),
                "vulnerableManifestPath" => s(manifest.clone()),
                _ => Out::Null,
            }),
            Obj::RepoTopic { repo, name: n } => match name {
                "id" => Leaf(s(node_id("RepositoryTopic", format!("{repo}:{n}")))),
                "url" => Leaf(s(format!("{}/topics/{n}", sh.base))),
                "topic" => One(Obj::Topic(n.clone())),
                _ => Null,
            },
            Obj::Topic(n) => Leaf(match name {
                "id" => s(node_id("Topic", n)),
                "name" => s(n.clone()),
                _ => Out::Null,
            }),
        })
    }

    fn page(
        &self,
        f: &Fld,
        all: Vec<Obj>,
    ) -> Result<Resolved, (Option<&'static str>, String, Option<Value>)> {
        let total = all.len();
        let first = self.int_arg(f, "first");
        let last = self.int_arg(f, "last");
        for n in [first, last].into_iter().flatten() {
            if !(0..=100).contains(&n) {
                return Err((
                    Some("EXCESSIVE_PAGINATION"),
                    format!("Requesting {n} records on the `{}` connection exceeds the `first` limit of 100 records.", f.name),
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

    fn repo_field(
        &mut self,
        i: usize,
        f: &Fld,
    ) -> Result<Resolved, (Option<&'static str>, String, Option<Value>)> {
        use Resolved::*;
        let sh = self.ctx.sh;
        let w = sh.world();
        let r = w.repos[i].clone();
        let org = w.account(&r.owner).org;
        let forks = w.repos.iter().filter(|x| x.parent == Some(i)).count();
        drop(w);
        let full = r.full_name();
        let branch_oid = |b: &str| -> Option<Oid> {
            sh.store
                .with(r.net, |g| {
                    Ok(git::read_ref(g, &store_ref(r.id, &format!("heads/{b}"))))
                })
                .ok()
                .flatten()
        };
        Ok(match f.name.as_str() {
            "id" => Leaf(s(node_id("Repository", r.id))),
            "databaseId" => Leaf(Out::Int(r.id as i64)),
            "name" => Leaf(s(r.name.clone())),
            "nameWithOwner" => Leaf(s(full)),
            "description" => Leaf(s(r.description.clone())),
            "isArchived" => Leaf(Out::Bool(r.archived)),
            "isFork" => Leaf(Out::Bool(r.parent.is_some())),
            "isPrivate" => Leaf(Out::Bool(r.private)),
            "isDisabled" => Leaf(Out::Bool(false)),
            "isEmpty" => Leaf(Out::Bool(false)),
            "hasIssuesEnabled" => Leaf(Out::Bool(true)),
            "visibility" => Leaf(s(if r.private { "PRIVATE" } else { "PUBLIC" })),
            "forkCount" => Leaf(Out::Int(forks as i64)),
            "stargazerCount" => Leaf(Out::Int(0)),
            "pushedAt" => Leaf(s(rfc3339(r.pushed_at))),
            "createdAt" => Leaf(s(rfc3339(r.created_at))),
            "updatedAt" => Leaf(s(rfc3339(r.updated_at))),
            "url" => Leaf(s(format!("{}/{}", sh.base, r.full_name()))),
            "owner" => One(Obj::Account {
                login: r.owner.clone(),
                org,
            }),
            "parent" => match r.parent {
                Some(p) => One(Obj::Repo(p)),
                None => Null,
            },
            "defaultBranchRef" => match branch_oid(&r.default_branch) {
                Some(oid) => One(Obj::Ref {
                    repo: i,
                    prefix: "refs/heads/".into(),
                    name: r.default_branch.clone(),
                    oid,
                }),
                None => Null,
            },
            "ref" => {
                let q = self
                    .arg(f, "qualifiedName")
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                let (prefix, short) = if let Some(rest) = q.strip_prefix("refs/heads/") {
                    ("refs/heads/", rest.to_string())
                } else if let Some(rest) = q.strip_prefix("refs/tags/") {
                    ("refs/tags/", rest.to_string())
                } else {
                    ("refs/heads/", q.clone())
                };
                let kind = if prefix == "refs/tags/" {
                    "tags"
                } else {
                    "heads"
                };
                let oid = sh
                    .store
                    .with(r.net, |g| {
                        Ok(git::read_ref(
                            g,
                            &store_ref(r.id, &format!("{kind}/{short}")),
                        ))
                    })
                    .ok()
                    .flatten();
                match oid {
                    Some(oid) => One(Obj::Ref {
                        repo: i,
                        prefix: prefix.into(),
                        name: short,
                        oid,
                    }),
                    None => Null,
                }
            }
            "pullRequest" => {
                let number = self.arg(f, "number").and_then(|v| v.as_u64()).unwrap_or(0);
                let exists = r.pulls.iter().any(|p| p.number == number);
                if exists {
                    One(Obj::Pull { repo: i, number })
                } else {
                    Null
                }
            }
            "object" => {
                let expr = self
                    .arg(f, "expression")
                    .or_else(|| self.arg(f, "oid"))
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                let (rev, path) = match expr.split_once(':') {
                    Some((a, b)) => (a.to_string(), Some(b.to_string())),
                    None => (expr.clone(), None),
                };
                let rev = if rev.is_empty() || rev == "HEAD" {
                    r.default_branch.clone()
                } else {
                    rev
                };
                let found = sh.store.with(r.net, |g| {
                    let tip = git::read_ref(g, &store_ref(r.id, &format!("heads/{rev}")))
                        .or_else(|| git::read_ref(g, &store_ref(r.id, &format!("tags/{rev}"))))
                        .or_else(|| {
                            Oid::from_str(&rev)
                                .ok()
                                .filter(|o| rev.len() == 40 && g.find_object(*o, None).is_ok())
                        });
                    let Some(tip) = tip else { return Ok(None) };
                    match &path {
                        None => Ok(Some(match g.find_object(tip, None)?.kind() {
                            Some(git2::ObjectType::Tree) => Obj::Tree {
                                repo: i,
                                oid: tip,
                                prefix: String::new(),
                            },
                            Some(git2::ObjectType::Blob) => Obj::Blob { repo: i, oid: tip },
                            _ => Obj::Commit { repo: i, oid: tip },
                        })),
                        Some(p) => Ok(git::read_path(g, tip, p)?.map(|o| match o {
                            PathObject::Dir(oid, _) => Obj::Tree {
                                repo: i,
                                oid,
                                prefix: if p.trim_matches('/').is_empty() {
                                    String::new()
                                } else {
                                    format!("{}/", p.trim_matches('/'))
                                },
                            },
                            PathObject::File(oid, _, _) => Obj::Blob { repo: i, oid },
                        })),
                    }
                });
                match found {
                    Ok(Some(o)) => One(o),
                    _ => Null,
                }
            }
            "pullRequests" => {
                let states: Vec<String> = self
                    .arg(f, "states")
                    .map(|v| match v {
                        Value::Array(a) => a
                            .iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .collect(),
                        Value::String(x) => vec![x],
                        _ => Vec::new(),
                    })
                    .unwrap_or_default();
                let head = self
                    .arg(f, "headRefName")
                    .and_then(|v| v.as_str().map(str::to_string));
                let base = self
                    .arg(f, "baseRefName")
                    .and_then(|v| v.as_str().map(str::to_string));
                let order = self.arg(f, "orderBy");
                let mut pulls: Vec<_> = r
                    .pulls
                    .iter()
                    .filter(|p| {
                        states.is_empty()
                            || states
                                .iter()
                                .any(|st| (st == "OPEN" && p.open) || (st == "CLOSED" && !p.open))
                    })
                    .filter(|p| head.as_ref().is_none_or(|h| &p.head_ref == h))
                    .filter(|p| base.as_ref().is_none_or(|b| &p.base_ref == b))
                    .collect();
                let by_updated = order.as_ref().is_some_and(|o| o["field"] == "UPDATED_AT");
                pulls.sort_by_key(|p| {
                    if by_updated {
                        (p.updated_at, p.number)
                    } else {
                        (p.created_at, p.number)
                    }
                });
                if order.as_ref().is_some_and(|o| o["direction"] == "DESC") {
                    pulls.reverse();
                }
                let all = pulls
                    .iter()
                    .map(|p| Obj::Pull {
                        repo: i,
                        number: p.number,
                    })
                    .collect();
                return self.page(f, all);
            }
            "vulnerabilityAlerts" => {
                let t = self.ctx.caller.token.as_ref();
                if let Some(t) = t.filter(|t| !t.dependabot) {
                    return Err((
                        Some("FORBIDDEN"),
                        t.not_accessible().to_string(),
                        Some(json!({"saml_failure": false})),
                    ));
                }
                let states: Vec<String> = self
                    .arg(f, "states")
                    .and_then(|v| v.as_array().cloned())
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_str().map(str::to_ascii_lowercase))
                            .collect()
                    })
                    .unwrap_or_default();
                let all = r
                    .alerts
                    .iter()
                    .filter(|a| states.is_empty() || states.contains(&a.state))
                    .map(|a| Obj::Alert {
                        id: node_id(
                            "RepositoryVulnerabilityAlert",
                            format!("{}:{}", r.id, a.number),
                        ),
                        number: a.number,
                        state: a.state.clone(),
                        created: a.created_at,
                        manifest: a.manifest.clone(),
                    })
                    .collect();
                return self.page(f, all);
            }
            "repositoryTopics" => {
                let all = r
                    .topics
                    .iter()
                    .map(|t| Obj::RepoTopic {
                        repo: i,
                        name: t.clone(),
                    })
                    .collect();
                return self.page(f, all);
            }
            _ => Null,
        })
    }

    fn pull_field(
        &mut self,
        i: usize,
        number: u64,
        f: &Fld,
    ) -> Result<Resolved, (Option<&'static str>, String, Option<Value>)> {
        use Resolved::*;
        let sh = self.ctx.sh;
        let (p, base, head_repo) = {
            let w = sh.world();
            let base = w.repos[i].clone();
            let p = base
                .pulls
                .iter()
                .find(|p| p.number == number)
                .cloned()
                .ok_or((None, "pull request vanished".to_string(), None))?;
            let head = w.repos[p.head_repo].clone();
            (p, base, head)
        };
        let tip = |repo_id: u64, b: &str| -> Option<Oid> {
            sh.store
                .with(base.net, |g| {
                    Ok(git::read_ref(g, &store_ref(repo_id, &format!("heads/{b}"))))
                })
                .ok()
                .flatten()
        };
        let url = format!("{}/{}/pull/{}", sh.base, base.full_name(), p.number);
        Ok(match f.name.as_str() {
            "id" => Leaf(s(node_id("PullRequest", p.id))),
            "number" => Leaf(Out::Int(p.number as i64)),
            "url" | "permalink" => Leaf(s(url)),
            "title" => Leaf(s(p.title.clone())),
            "body" => Leaf(s(p.body.clone().unwrap_or_default())),
            "state" => Leaf(s(if p.open { "OPEN" } else { "CLOSED" })),
            "closed" => Leaf(Out::Bool(!p.open)),
            "merged" => Leaf(Out::Bool(false)),
            "isDraft" => Leaf(Out::Bool(p.draft)),
            "headRefName" => Leaf(s(p.head_ref.clone())),
            "baseRefName" => Leaf(s(p.base_ref.clone())),
            "headRefOid" => Leaf(s(tip(head_repo.id, &p.head_ref)
                .map(|o| o.to_string())
                .unwrap_or_else(|| "0".repeat(40)))),
            "baseRefOid" => Leaf(s(tip(base.id, &p.base_ref)
                .map(|o| o.to_string())
                .unwrap_or_else(|| "0".repeat(40)))),
            "createdAt" => Leaf(s(rfc3339(p.created_at))),
            "updatedAt" => Leaf(s(rfc3339(p.updated_at))),
            "author" => One(Obj::Account {
                login: p.user.clone(),
                org: false,
            }),
            "headRepository" => One(Obj::Repo(p.head_repo)),
            "baseRepository" => One(Obj::Repo(i)),
            "mergeable" => {
                let m = match (tip(base.id, &p.base_ref), tip(head_repo.id, &p.head_ref)) {
                    (Some(b), Some(h)) => sh
                        .store
                        .with(base.net, |g| git::merge(g, b, h))
                        .ok()
                        .map(|m| matches!(m, Merge::Clean(_))),
                    _ => None,
                };
                Leaf(s(match m {
                    Some(true) => "MERGEABLE",
                    Some(false) => "CONFLICTING",
                    None => "UNKNOWN",
                }))
            }
            "labels" => {
                let all = p
                    .labels
                    .iter()
                    .filter_map(|n| base.labels.iter().find(|l| &l.name == n))
                    .map(|l| Obj::Label {
                        id: l.id,
                        name: l.name.clone(),
                        color: l.color.clone(),
                        description: l.description.clone(),
                    })
                    .collect();
                return self.page(f, all);
            }
            _ => Null,
        })
    }
}

fn t_for_children(t: &str) -> &str {
    t
}

fn merged_selection<'c>(fs: &[&'c Fld]) -> Vec<&'c Sel> {
    fs.iter().map(|f| &f.selection_set).collect()
}

fn merge_out(into: &mut Out, v: Out) {
    match (into, v) {
        (Out::Obj(a), Out::Obj(b)) => {
            for (k, v) in b {
                match a.iter_mut().find(|(ak, _)| *ak == k) {
                    Some((_, av)) => merge_out(av, v),
                    None => a.push((k, v)),
                }
            }
        }
        (Out::List(a), Out::List(b)) => {
            for (x, y) in a.iter_mut().zip(b) {
                merge_out(x, y);
            }
        }
        (slot, v) => *slot = v,
    }
}
