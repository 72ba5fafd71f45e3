//! GitHub App authentication: a JWT signed with the sandbox app's key gets the installation
//! and an installation token; bad JWTs are refused.

mod common;

use common::{small, start, Client};
use github_sandbox::SandboxConfig;
use serde_json::json;

fn jwt(pem: &str, iss: serde_json::Value, exp_in: i64) -> String {
    let now = github_sandbox::util::wall_now();
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap();
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
        &json!({"iat": now - 60, "exp": now + exp_in, "iss": iss}),
        &key,
    )
    .unwrap()
}

#[test]
fn installation_token_flow() {
    let sb = start(
        "app",
        SandboxConfig {
            github_app: true,
            ..small(12)
        },
        true,
    );
    let app = sb.app().unwrap();
    assert!(app.key_path.exists());
    let token = jwt(&app.private_key_pem, json!(app.app_id), 540);
    let c = Client::new(&sb.api_url(), "");
    let with_jwt = |t: &str| {
        Client {
            token: None,
            ..Client::new(&sb.api_url(), "")
        }
        .try_send(
            "GET",
            "/repos/heyns1000/omnigrid/installation",
            None,
            &[("Authorization", &format!("Bearer {t}"))],
        )
        .unwrap()
    };
    let inst = with_jwt(&token);
    assert_eq!(inst.status, 200, "{}", inst.json);
    assert_eq!(inst.json["id"], app.installation_id);
    let at = Client { token: None, ..c }
        .try_send(
            "POST",
            &format!("/app/installations/{}/access_tokens", app.installation_id),
            Some(&json!({})),
            &[("Authorization", &format!("Bearer {token}"))],
        )
        .unwrap();
    assert_eq!(at.status, 201, "{}", at.json);
    let ghs = at.json["token"].as_str().unwrap();
    assert!(ghs.starts_with("ghs_"));
    let user = Client::new(&sb.api_url(), ghs);
    assert_eq!(user.get("/repos/heyns1000/omnigrid").status, 200);
    assert_eq!(
        user.post(
            "/repos/heyns1000/vaultmesh/merge-upstream",
            json!({"branch": "main"})
        )
        .status,
        200
    );
    // "Will return null if authenticated as an GitHub App" (schema.graphql, viewerPermission).
    let q = user.graphql(
        &sb.graphql_url(),
        "query { repository(owner: \"heyns1000\", name: \"omnigrid\") { viewerPermission } }",
        json!({}),
    );
    assert_eq!(
        q.json["data"]["repository"]["viewerPermission"],
        json!(null)
    );
    sb.assert_no_unexpected_routes();
}

#[test]
fn bad_jwts_are_refused() {
    let sb = start(
        "app_bad",
        SandboxConfig {
            github_app: true,
            ..small(12)
        },
        false,
    );
    let app = sb.app().unwrap();
    let other_key = {
        use rsa::pkcs1::EncodeRsaPrivateKey;
        let k = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).unwrap();
        k.to_pkcs1_pem(rsa::pkcs1::LineEnding::LF)
            .unwrap()
            .to_string()
    };
    let c = Client {
        token: None,
        ..Client::new(&sb.api_url(), "")
    };
    let path = format!("/app/installations/{}/access_tokens", app.installation_id);
    for (t, why) in [
        (jwt(&other_key, json!(app.app_id), 540), "wrong key"),
        (jwt(&app.private_key_pem, json!(1), 540), "wrong issuer"),
        (
            jwt(&app.private_key_pem, json!(app.app_id), 3600),
            "too long",
        ),
    ] {
        let r = c
            .try_send(
                "POST",
                &path,
                Some(&json!({})),
                &[("Authorization", &format!("Bearer {t}"))],
            )
            .unwrap();
        assert_eq!(r.status, 401, "{why}: {}", r.json);
    }
}
