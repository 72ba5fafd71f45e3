//! Labels: a repository's labels (list, create) and an issue's or pull request's labels
//! (`POST …/issues/{n}/labels` creates the labels that do not exist yet).

use serde_json::{json, Value};

use super::shapes;
use super::support::{body, find_repo, missing_field, need_write, page_resp, paginate_list, R};
use crate::exchange::{Ctx, Resp};
use crate::model::Label;

pub(crate) fn list_labels(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    let w = ctx.sh.world();
    let items: Vec<Value> = w.repos[rr.idx]
        .labels
        .iter()
        .map(|l| shapes::label(ctx.sh, &rr.full, l))
        .collect();
    drop(w);
    let (page, link) = paginate_list(ctx, items);
    Ok(page_resp(200, page, link))
}

pub(crate) fn create_label(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    need_write(ctx, &rr)?;
    let b = body(ctx)?;
    let name = b["name"]
        .as_str()
        .ok_or_else(|| missing_field("Label", "name"))?
        .to_string();
    let color = b["color"]
        .as_str()
        .unwrap_or("ededed")
        .trim_start_matches('#')
        .to_string();
    if color.len() != 6 || !color.bytes().all(|c| c.is_ascii_hexdigit()) {
        return Err(Resp::validation(
            json!([{"resource": "Label", "code": "invalid", "field": "color"}]),
        ));
    }
    let mut w = ctx.sh.world();
    if w.repos[rr.idx]
        .labels
        .iter()
        .any(|l| l.name.eq_ignore_ascii_case(&name))
    {
        return Err(Resp::validation(
            json!([{"resource": "Label", "code": "already_exists", "field": "name"}]),
        ));
    }
    let l = Label {
        id: w.fresh_id(),
        name,
        color,
        description: b["description"].as_str().map(str::to_string),
        default: false,
    };
    let v = shapes::label(ctx.sh, &rr.full, &l);
    w.repos[rr.idx].labels.push(l);
    Ok(Resp::json(201, v))
}

pub(crate) fn issue_labels(ctx: &Ctx<'_>, o: &str, r: &str, n: u64) -> R {
    let rr = find_repo(ctx, o, r)?;
    if ctx.req.method == "POST" {
        need_write(ctx, &rr)?;
        let b = body(ctx)?;
        let list = match b {
            Value::Array(a) => a.clone(),
            v => v["labels"].as_array().cloned().unwrap_or_default(),
        };
        let names: Vec<String> = list
            .iter()
            .filter_map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .or_else(|| x["name"].as_str().map(str::to_string))
            })
            .collect();
        if names.is_empty() {
            return Err(Resp::validation(
                json!([{"resource": "Label", "code": "missing_field", "field": "labels"}]),
            ));
        }
        let mut w = ctx.sh.world();
        if !w.repos[rr.idx].pulls.iter().any(|p| p.number == n) {
            return Err(Resp::not_found());
        }
        for name in names {
            let existing = w.repos[rr.idx]
                .labels
                .iter()
                .find(|l| l.name.eq_ignore_ascii_case(&name))
                .map(|l| l.name.clone());
            let canonical = match existing {
                Some(c) => c,
                None => {
                    let id = w.fresh_id();
                    w.repos[rr.idx].labels.push(Label {
                        id,
                        name: name.clone(),
                        color: "ededed".into(),
                        description: None,
                        default: false,
                    });
                    name
                }
            };
            let now = ctx.sh.now();
            let p = w.repos[rr.idx]
                .pulls
                .iter_mut()
                .find(|p| p.number == n)
                .expect("checked");
            if !p.labels.contains(&canonical) {
                p.labels.push(canonical);
                p.updated_at = now;
            }
        }
    }
    let w = ctx.sh.world();
    let repo = &w.repos[rr.idx];
    let p = repo
        .pulls
        .iter()
        .find(|p| p.number == n)
        .ok_or_else(Resp::not_found)?;
    let items: Vec<Value> = p
        .labels
        .iter()
        .filter_map(|name| repo.labels.iter().find(|l| &l.name == name))
        .map(|l| shapes::label(ctx.sh, &rr.full, l))
        .collect();
    Ok(Resp::json(200, Value::Array(items)))
}
