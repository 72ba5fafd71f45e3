//! `GET /rate_limit`: the caller's windows, free of charge as on GitHub.

use serde_json::json;

use super::support::R;
use crate::exchange::{rate_headers, Ctx, Resp};

pub(crate) fn rate_limit(ctx: &Ctx<'_>) -> R {
    let mut a = ctx.sh.limits();
    let core = a.peek(&ctx.caller, "core");
    let gql = a.peek(&ctx.caller, "graphql");
    drop(a);
    let rl = |i: &crate::limits::RateInfo| json!({"limit": i.limit, "remaining": i.remaining, "reset": i.reset, "used": i.used, "resource": i.resource});
    let fixed = |limit: u32, res: &str| json!({"limit": limit, "remaining": limit, "reset": core.reset, "used": 0, "resource": res});
    let v = json!({
        "resources": {
            "core": rl(&core), "graphql": rl(&gql), "search": fixed(30, "search"),
            "code_search": fixed(10, "code_search"), "integration_manifest": fixed(5000, "integration_manifest"),
        },
        "rate": rl(&core),
    });
    Ok(rate_headers(Resp::json(200, v), &core))
}
