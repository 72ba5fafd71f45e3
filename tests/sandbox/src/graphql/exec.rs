//! Execution: the executor's state (`Exec`), directives (`@include`/`@skip`), field
//! collection over fragments, validation against the supported schema, and the walk that
//! resolves each selected field (`objects` and the per-type modules) into ordered output,
//! recording per-field errors as GitHub does (partial data, `errors` alongside).

use std::collections::HashMap;

use graphql_parser::query::{Selection, TypeCondition};
use serde_json::{json, Value};

use super::document::{to_json, Fld, Fragments, Sel};
use super::objects::{typename, Obj};
use super::out::{merge_out, s, GErr, Out};
use super::schema::{applies, field_type, is_leaf, nullable, nullable_items, possible};
use crate::exchange::Ctx;
use crate::limits::RateInfo;

/// A field that could not be resolved: (GitHub's error `type`, message, `extensions`).
pub(super) type FieldError = (Option<&'static str>, String, Option<Value>);
/// What resolving one field gives.
pub(super) type Resolution = Result<Resolved, FieldError>;

/// One execution of one operation.
pub(super) struct Exec<'c, 'a> {
    pub(super) ctx: &'c Ctx<'a>,
    pub(super) fragments: Fragments<'c>,
    pub(super) variables: HashMap<String, Value>,
    pub(super) errors: Vec<GErr>,
    pub(super) cost: u32,
    pub(super) nodes: u64,
    pub(super) rate: Option<RateInfo>,
}

/// A resolved field: a leaf value, one object, a list of objects, or null.
pub(super) enum Resolved {
    Leaf(Out),
    One(Obj),
    Many(Vec<Obj>),
    Null,
}

impl<'c> Exec<'c, '_> {
    pub(super) fn included(
        &self,
        directives: &[graphql_parser::query::Directive<'static, String>],
    ) -> bool {
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
    pub(super) fn collect(&self, sel: &'c Sel, ty: &str, out: &mut Vec<(String, Vec<&'c Fld>)>) {
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

    pub(super) fn validate(
        &self,
        sel: &'c Sel,
        ty: &str,
        path: &mut Vec<String>,
        problems: &mut Vec<Value>,
    ) {
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

    pub(super) fn int_arg(&self, f: &Fld, name: &str) -> Option<i64> {
        self.arg(f, name).and_then(|v| v.as_i64())
    }

    pub(super) fn arg(&self, f: &Fld, name: &str) -> Option<Value> {
        f.arguments
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| to_json(v, &self.variables))
            .filter(|v| !v.is_null())
    }

    pub(super) fn selection(
        &mut self,
        obj: &Obj,
        ty_hint: &str,
        sel: &'c Sel,
        path: &mut Vec<Value>,
    ) -> Out {
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
            let errors_before = self.errors.len();
            let v = match self.resolve(obj, f) {
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
                    let null_item = items.iter().any(|i| matches!(i, Out::Null));
                    if null_item && !nullable_items(&concrete, &f.name) {
                        Out::Null
                    } else {
                        Out::List(items)
                    }
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
            if matches!(v, Out::Null) && !nullable(&concrete, &f.name) {
                // A null where the schema allows none: this object is null instead (and so
                // on up to a nullable field), reported once, where it happened.
                if self.errors.len() == errors_before {
                    self.errors.push(GErr {
                        ty: None,
                        message: format!(
                            "Cannot return null for non-nullable field {concrete}.{}.",
                            f.name
                        ),
                        path: path.clone(),
                        loc: f.position,
                        extensions: None,
                    });
                }
                path.pop();
                return Out::Null;
            }
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
            match self.selection(o, t, set, path) {
                Out::Obj(fields) => {
                    for (k, v) in fields {
                        match merged.iter_mut().find(|(mk, _)| *mk == k) {
                            Some((_, mv)) => merge_out(mv, v),
                            None => merged.push((k, v)),
                        }
                    }
                }
                // A non-null field of one part was null: the whole object is.
                _ => return Out::Null,
            }
        }
        Out::Obj(merged)
    }
}

pub(super) fn merged_selection<'c>(fs: &[&'c Fld]) -> Vec<&'c Sel> {
    fs.iter().map(|f| &f.selection_set).collect()
}
