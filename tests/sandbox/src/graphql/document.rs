//! Reading a GraphQL request: the body's `query` parsed (graphql-parser), its fragments,
//! the operation to run (`operationName`; a query or a mutation, subscriptions are refused),
//! and its variables with their defaults, checked for required values as GitHub checks them.

use std::collections::HashMap;

use graphql_parser::query::{
    Definition, Field, OperationDefinition, SelectionSet, TypeCondition, Value as GValue,
    VariableDefinition,
};
use serde_json::{json, Value};

use crate::exchange::{Ctx, Resp};

/// A parsed document.
pub(super) type Doc = graphql_parser::query::Document<'static, String>;
/// A selection set.
pub(super) type Sel = SelectionSet<'static, String>;
/// A field.
pub(super) type Fld = Field<'static, String>;
/// Fragments by name: (type condition, selection).
pub(super) type Fragments<'d> = HashMap<String, (String, &'d Sel)>;

/// The operation a request runs.
pub(super) struct Operation<'d> {
    /// Its root type: `Query` or `Mutation`.
    pub(super) root: &'static str,
    /// Its selection.
    pub(super) sel: &'d Sel,
    /// The document's fragments.
    pub(super) fragments: Fragments<'d>,
    /// Variables with their values (given, else defaults).
    pub(super) variables: HashMap<String, Value>,
}

/// An answer with only `errors` (HTTP 200, as GitHub answers a document it cannot run).
pub(super) fn errors_only(errors: Vec<Value>) -> Resp {
    Resp::json(200, json!({"errors": errors}))
}

/// Parses the body's `query`; `Err` is the answer to give instead.
pub(super) fn parse(body: &Value) -> Result<Doc, Resp> {
    let Some(query) = body["query"].as_str() else {
        return Err(errors_only(vec![
            json!({"message": "A query attribute must be specified and must be a string."}),
        ]));
    };
    match graphql_parser::parse_query::<String>(query) {
        Ok(d) => Ok(d.into_static()),
        Err(e) => {
            let msg = e.to_string();
            Err(errors_only(vec![
                json!({"message": format!("Parse error: {}", msg.trim())}),
            ]))
        }
    }
}

/// The operation to run and its variables; `Err` is the answer to give instead.
pub(super) fn operation<'d>(
    ctx: &Ctx<'_>,
    doc: &'d Doc,
    body: &Value,
) -> Result<Operation<'d>, Resp> {
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
        Some(n) => ops.iter().find(|o| match o {
            OperationDefinition::Query(q) => q.name.as_deref() == Some(n),
            OperationDefinition::Mutation(m) => m.name.as_deref() == Some(n),
            _ => false,
        }),
        None if ops.len() == 1 => ops.first(),
        None => None,
    };
    let Some(op) = op else {
        return Err(errors_only(vec![
            json!({"message": "An operation name is required when the document has several operations."}),
        ]));
    };
    let _ = ctx;
    let (root, sel, var_defs) = match op {
        OperationDefinition::Query(q) => {
            ("Query", &q.selection_set, q.variable_definitions.as_slice())
        }
        OperationDefinition::SelectionSet(s) => ("Query", s, &[][..]),
        OperationDefinition::Mutation(m) => (
            "Mutation",
            &m.selection_set,
            m.variable_definitions.as_slice(),
        ),
        OperationDefinition::Subscription(_) => {
            return Err(errors_only(vec![
                json!({"message": "Subscriptions are not supported."}),
            ]));
        }
    };
    Ok(Operation {
        root,
        sel,
        fragments,
        variables: variables(var_defs, &vars)?,
    })
}

/// The operation's variables: given values, else defaults; a required one missing is
/// GitHub's "was provided invalid value".
fn variables(
    var_defs: &[VariableDefinition<'static, String>],
    vars: &serde_json::Map<String, Value>,
) -> Result<HashMap<String, Value>, Resp> {
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
                return Err(errors_only(vec![json!({
                    "extensions": {"value": null, "problems": [{"path": [], "explanation": "Expected value to not be null"}]},
                    "locations": [{"line": vd.position.line, "column": vd.position.column}],
                    "message": format!("Variable ${} of type {} was provided invalid value", vd.name, vd.var_type),
                })]));
            }
            Some(v) => {
                variables.insert(vd.name.clone(), v);
            }
            None => {}
        }
    }
    Ok(variables)
}

/// An argument or default value as JSON, variables substituted.
pub(super) fn to_json(v: &GValue<'static, String>, vars: &HashMap<String, Value>) -> Value {
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
