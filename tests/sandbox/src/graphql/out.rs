//! What an executed query answers: `Out`, a JSON value that keeps field order (GitHub
//! answers in query order), merging of repeated response keys, and field errors (`GErr`) in
//! GitHub's shape.

use graphql_parser::Pos;
use serde_json::{json, Value};

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

pub(super) fn s(v: impl Into<String>) -> Out {
    Out::Str(v.into())
}

pub(super) struct GErr {
    pub(super) ty: Option<&'static str>,
    pub(super) message: String,
    pub(super) path: Vec<Value>,
    pub(super) loc: Pos,
    pub(super) extensions: Option<Value>,
}

impl GErr {
    pub(super) fn to_out(&self) -> Value {
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

pub(super) fn json_to_out(v: &Value) -> Out {
    match v {
        Value::Null => Out::Null,
        Value::Bool(b) => Out::Bool(*b),
        Value::Number(n) => Out::Int(n.as_i64().unwrap_or(0)),
        Value::String(x) => s(x.clone()),
        Value::Array(a) => Out::List(a.iter().map(json_to_out).collect()),
        Value::Object(o) => Out::Obj(o.iter().map(|(k, v)| (k.clone(), json_to_out(v))).collect()),
    }
}

pub(super) fn merge_out(into: &mut Out, v: Out) {
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
