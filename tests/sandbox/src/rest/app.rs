//! The GitHub App routes: `GET …/installation` and `POST /app/installations/{id}/access_tokens`
//! (installation tokens, narrowed to the permissions asked for, expiring after an hour).
//! Both are authenticated by the app's JWT in the pipeline.

use serde_json::{json, Value};

use super::shapes;
use super::support::{find_repo, R};
use crate::exchange::{Ctx, Resp};
use crate::util::rfc3339;

pub(crate) fn app_permissions(ctx: &Ctx<'_>) -> Value {
    let _ = ctx;
    json!({"contents": "write", "pull_requests": "write", "issues": "write", "metadata": "read", "workflows": "write", "vulnerability_alerts": "read", "actions": "read"})
}

pub(crate) fn installation(ctx: &Ctx<'_>, o: &str, r: &str) -> R {
    let rr = find_repo(ctx, o, r)?;
    let app = ctx.sh.app.as_ref().ok_or_else(Resp::not_found)?;
    let w = ctx.sh.world();
    let account = shapes::user(ctx.sh, &w.account(&rr.owner));
    let id = app.installation_id;
    Ok(Resp::json(
        200,
        json!({
            "id": id, "app_id": app.app_id, "app_slug": "priority-sync-sandbox", "target_id": account["id"],
            "target_type": account["type"], "account": account, "single_file_name": null,
            "repository_selection": "all",
            "access_tokens_url": format!("{}/app/installations/{id}/access_tokens", ctx.sh.api),
            "repositories_url": format!("{}/installation/repositories", ctx.sh.api),
            "html_url": format!("{}/settings/installations/{id}", ctx.sh.base),
            "events": ["push", "pull_request"], "permissions": app_permissions(ctx),
            "created_at": rfc3339(ctx.sh.fleet.now - 86_400 * 30), "updated_at": rfc3339(ctx.sh.fleet.now - 86_400),
            "suspended_by": null, "suspended_at": null,
        }),
    ))
}

pub(crate) fn access_token(ctx: &Ctx<'_>, id: u64) -> R {
    let app = ctx.sh.app.as_ref().ok_or_else(Resp::not_found)?;
    if id != app.installation_id {
        return Err(Resp::not_found());
    }
    let granted = app_permissions(ctx);
    let mut perms = granted.clone();
    if let Some(req) = ctx
        .req
        .json
        .as_ref()
        .and_then(|b| b.get("permissions"))
        .and_then(Value::as_object)
    {
        let mut narrowed = serde_json::Map::new();
        for (k, v) in req {
            let have = granted[k.as_str()].as_str();
            let ok = matches!(
                (have, v.as_str()),
                (Some("write"), Some("read" | "write")) | (Some("read"), Some("read"))
            );
            if !ok {
                return Err(Resp::error(
                    422,
                    &format!(
                        "The permissions requested are not granted to this installation. ({k})"
                    ),
                ));
            }
            narrowed.insert(k.clone(), v.clone());
        }
        narrowed.insert("metadata".into(), json!("read"));
        perms = Value::Object(narrowed);
    }
    let n = ctx
        .sh
        .seq
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let token = format!(
        "ghs_sandbox{:029}",
        n * 7919 + crate::util::wall_now() as u64 % 100_000
    );
    let expires = crate::util::wall_now() + 3600;
    let spec = crate::auth::TokenSpec {
        token: token.clone(),
        name: format!("installation-{n}"),
        login: "priority-sync-sandbox[bot]".into(),
        kind: crate::auth::TokenKind::App,
        write: perms["contents"] == "write" || perms["pull_requests"] == "write",
        workflow: perms["workflows"] == "write",
        dependabot: perms["vulnerability_alerts"].is_string(),
        core_limit: 5000,
        graphql_limit: 5000,
        expires_at: Some(expires),
        repositories: None,
    };
    ctx.sh.auth().add(spec);
    Ok(Resp::json(
        201,
        json!({"token": token, "expires_at": rfc3339(expires), "permissions": perms, "repository_selection": "all"}),
    ))
}
