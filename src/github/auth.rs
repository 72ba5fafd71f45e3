//! Credentials: a token used as given, or a GitHub App. For an App, a JWT (RS256, signed with
//! `ring` from the App's PEM key, PKCS#1 or PKCS#8) is exchanged per repository owner for an
//! installation token, which is cached until 5 minutes before it expires and shown to a
//! callback first so the runner can mask it.

use std::collections::HashMap;

use base64::Engine as _;
use chrono::{DateTime, Utc};
use http::Method;
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use serde_json::{json, Value};

use super::transport::{Kind, Transport};
use super::url::{repo_path, Endpoints};
use super::{GhError, TokenRights};
use crate::repo_name::RepoName;

/// How to authenticate.
#[derive(Clone)]
pub enum Credentials {
    /// A PAT, an installation token or `GITHUB_TOKEN`.
    Token(String),
    /// A GitHub App: installation tokens are minted per repository owner.
    App { app_id: u64, private_key: String },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Token(_) => f.write_str("Token(***)"),
            Credentials::App { app_id, .. } => write!(f, "App({app_id}, ***)"),
        }
    }
}

struct AppToken {
    token: String,
    expires: DateTime<Utc>,
    /// What its answer said it may do (`permissions.workflows`).
    rights: TokenRights,
    /// The installation's permissions as the access-token answer lists them.
    permissions: Value,
}

/// The credentials, the installation tokens minted so far (by owner), and who to tell of them.
pub(super) struct Auth {
    credentials: Credentials,
    installations: tokio::sync::Mutex<HashMap<String, AppToken>>,
    /// Why an owner's installation cannot write, from its token's permissions (by owner).
    cannot_write: std::sync::Mutex<HashMap<String, String>>,
    /// Called with each new secret (minted installation tokens) so the runner can mask it.
    on_secret: Box<dyn Fn(&str) + Send + Sync>,
}

impl Auth {
    pub fn new(credentials: Credentials) -> Self {
        Self {
            credentials,
            installations: tokio::sync::Mutex::new(HashMap::new()),
            cannot_write: std::sync::Mutex::new(HashMap::new()),
            on_secret: Box::new(|_| {}),
        }
    }

    pub fn set_on_secret(&mut self, f: Box<dyn Fn(&str) + Send + Sync>) {
        self.on_secret = f;
    }

    /// Repositories one token reaches share a key: one installation is one owner.
    pub fn batch_key(&self, repo: &RepoName) -> String {
        match self.credentials {
            Credentials::App { .. } => repo.owner().to_ascii_lowercase(),
            Credentials::Token(_) => String::new(),
        }
    }

    /// For App credentials, what the installation token for `repo`'s owner may do (`None`:
    /// not an App, or no token minted for that owner yet).
    pub async fn app_rights(&self, repo: &RepoName) -> Option<TokenRights> {
        if !matches!(self.credentials, Credentials::App { .. }) {
            return None;
        }
        let cache = self.installations.lock().await;
        cache
            .get(&repo.owner().to_ascii_lowercase())
            .map(|t| t.rights)
    }

    /// The token, when the credentials are one (not an App).
    pub fn plain_token(&self) -> Option<&str> {
        match &self.credentials {
            Credentials::Token(t) => Some(t),
            Credentials::App { .. } => None,
        }
    }

    /// For App credentials, the `permissions` the access-token answer for `repo`'s owner
    /// listed (`None`: not an App, or no token minted for that owner yet).
    pub async fn installation_permissions(&self, repo: &RepoName) -> Option<Value> {
        let cache = self.installations.lock().await;
        cache
            .get(&repo.owner().to_ascii_lowercase())
            .map(|t| t.permissions.clone())
    }

    /// Token for requests about `repo` (and every repository of its owner).
    pub async fn token_for(
        &self,
        transport: &Transport,
        endpoints: &Endpoints,
        repo: &RepoName,
    ) -> Result<String, GhError> {
        let (app_id, private_key) = match &self.credentials {
            Credentials::Token(t) => return Ok(t.clone()),
            Credentials::App {
                app_id,
                private_key,
            } => (*app_id, private_key),
        };
        let key = repo.owner().to_ascii_lowercase();
        let mut cache = self.installations.lock().await;
        if let Some(t) = cache.get(&key) {
            if t.expires - Utc::now() > chrono::Duration::minutes(5) {
                return Ok(t.token.clone());
            }
        }
        let minted =
            mint_installation_token(transport, endpoints, app_id, private_key, repo).await?;
        (self.on_secret)(&minted.token);
        let token = minted.token.clone();
        let refusal = installation_cannot_write(&minted.permissions, repo.owner());
        let mut refusals = self.cannot_write.lock().unwrap_or_else(|e| e.into_inner());
        match refusal {
            Some(why) => refusals.insert(key.clone(), why),
            None => refusals.remove(&key),
        };
        drop(refusals);
        cache.insert(key, minted);
        Ok(token)
    }

    /// Why the credentials cannot write to `repo`, when its owner's installation token said so.
    pub fn write_refusal(&self, repo: &RepoName) -> Option<String> {
        let key = repo.owner().to_ascii_lowercase();
        self.cannot_write
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            .cloned()
    }
}

/// Why an installation whose token answer lists `permissions` cannot write to its owner's
/// repositories: moving a branch needs `contents: write` ("Create an installation access
/// token for an app": the answer's `permissions`, which lists only what was granted). `None`
/// when it can, or when the answer has no permissions at all.
pub(super) fn installation_cannot_write(permissions: &Value, owner: &str) -> Option<String> {
    let granted = permissions.as_object()?;
    let level = granted
        .get("contents")
        .and_then(Value::as_str)
        .unwrap_or("none");
    if level == "write" {
        return None;
    }
    Some(format!(
        "the GitHub App's installation on `{owner}` has `contents: {level}` (its access token says so), so it cannot write there; grant the App Contents: read and write (and Pull requests: read and write) in its settings and accept the new permissions on the installation"
    ))
}

/// App JWT → the installation that covers `repo` → an installation token for it.
async fn mint_installation_token(
    transport: &Transport,
    endpoints: &Endpoints,
    app_id: u64,
    private_key: &str,
    repo: &RepoName,
) -> Result<AppToken, GhError> {
    let jwt = app_jwt(app_id, private_key, Utc::now().timestamp())?;
    let url = endpoints.rest(&format!("{}/installation", repo_path(repo)));
    let a = transport
        .send(Method::GET, &url, None, Kind::Other, &jwt)
        .await?;
    let id = match a.status.as_u16() {
        200..=299 => a.body.get("id").and_then(Value::as_u64),
        404 => None,
        _ => return Err(a.error()),
    }
    .ok_or_else(|| {
        GhError::Forbidden(format!(
            "the GitHub App {app_id} is not installed on `{}` (or not on {repo}); install it there with contents, pull requests and workflows permissions",
            repo.owner()
        ))
    })?;
    let url = endpoints.rest(&format!("/app/installations/{id}/access_tokens"));
    let a = transport
        .send(Method::POST, &url, Some(&json!({})), Kind::Write, &jwt)
        .await?;
    if !a.status.is_success() {
        return Err(a.error());
    }
    let token = a
        .body
        .get("token")
        .and_then(Value::as_str)
        .ok_or_else(|| GhError::Decode("installation token answer without `token`".into()))?
        .to_string();
    let expires = a
        .body
        .get("expires_at")
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| Utc::now() + chrono::Duration::minutes(55));
    let rights = TokenRights::from_installation(a.body.get("permissions"));
    let permissions = a.body.get("permissions").cloned().unwrap_or(Value::Null);
    Ok(AppToken {
        token,
        expires,
        rights,
        permissions,
    })
}

/// The App's JWT at `now` (Unix seconds), as GitHub's "Generating a JSON Web Token (JWT) for a
/// GitHub App" asks: RS256; `iat` 60 s in the past against clock drift; `exp` 9 minutes ahead
/// (GitHub refuses more than 10); `iss` the App's id. Base64url without padding.
pub(super) fn app_jwt(app_id: u64, private_key_pem: &str, now: i64) -> Result<String, GhError> {
    let key = signing_key(private_key_pem).map_err(|why| {
        GhError::Unauthorized(format!(
            "the input `app_private_key` is not a usable GitHub App private key: {why}; paste the whole .pem file from the App's settings (\"Generate a private key\"), from `-----BEGIN RSA PRIVATE KEY-----` to the END line, into the secret"
        ))
    })?;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let header = b64(br#"{"alg":"RS256","typ":"JWT"}"#);
    let claims = json!({ "iat": now - 60, "exp": now + 9 * 60, "iss": app_id });
    let claims = b64(claims.to_string().as_bytes());
    let signing_input = format!("{header}.{claims}");
    let mut signature = vec![0; key.public().modulus_len()];
    key.sign(
        &RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        signing_input.as_bytes(),
        &mut signature,
    )
    .map_err(|_| GhError::Unauthorized("cannot sign the App JWT with `app_private_key`".into()))?;
    Ok(format!("{signing_input}.{}", b64(&signature)))
}

/// The RSA key of a PEM text: `RSA PRIVATE KEY` (PKCS#1, what GitHub hands out) or
/// `PRIVATE KEY` (PKCS#8, after `openssl pkcs8`). The error says what is wrong.
fn signing_key(pem: &str) -> Result<RsaKeyPair, String> {
    // A secret pasted into one line often carries literal `\n`.
    let pem = pem.replace("\\n", "\n");
    let (label, body) = pem_block(&pem)?;
    if body.contains(':') {
        return Err("the key is encrypted (it has `Proc-Type`/`DEK-Info` lines); GitHub's App keys are not: generate a new key in the App's settings".into());
    }
    let der = base64::engine::general_purpose::STANDARD
        .decode(body.split_whitespace().collect::<String>())
        .map_err(|_| {
            "the text between the BEGIN and END lines is not base64; was it cut or edited?"
        })?;
    let parsed = match label {
        "RSA PRIVATE KEY" => RsaKeyPair::from_der(&der),
        "PRIVATE KEY" => RsaKeyPair::from_pkcs8(&der),
        "ENCRYPTED PRIVATE KEY" => {
            return Err("the key is encrypted with a passphrase; GitHub's App keys are not: generate a new key in the App's settings".into())
        }
        other => {
            return Err(format!(
                "a `{other}` block is not a GitHub App key (RSA: `BEGIN RSA PRIVATE KEY` or `BEGIN PRIVATE KEY`)"
            ))
        }
    };
    parsed.map_err(|e| format!("the `{label}` block is not an RSA key of 2048 to 4096 bits ({e})"))
}

/// The label and body of the first PEM block (`-----BEGIN {label}-----` … `-----END {label}-----`).
fn pem_block(pem: &str) -> Result<(&str, &str), String> {
    const NO_BLOCK: &str =
        "no `-----BEGIN RSA PRIVATE KEY-----` … `-----END RSA PRIVATE KEY-----` block";
    let start = pem.find("-----BEGIN ").ok_or(NO_BLOCK)? + "-----BEGIN ".len();
    let label_len = pem[start..].find("-----").ok_or(NO_BLOCK)?;
    let label = &pem[start..start + label_len];
    // Only a real label is named in errors: with its dashes missing, it would run on into the key.
    if label.len() > 40 || !label.bytes().all(|b| b.is_ascii_uppercase() || b == b' ') {
        return Err(NO_BLOCK.into());
    }
    let body_start = start + label_len + "-----".len();
    let end = format!("-----END {label}-----");
    let body_len = pem[body_start..].find(&end).ok_or_else(|| {
        format!("the `-----BEGIN {label}-----` block has no `{end}` line; the key was cut short")
    })?;
    Ok((label, &pem[body_start..body_start + body_len]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::{UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
    use std::sync::OnceLock;

    /// A 2048-bit App key (PKCS#1 PEM), made once per test run by the sandbox, which also
    /// checks JWTs with an independent implementation (`jsonwebtoken`).
    fn app() -> &'static github_sandbox::auth::AppKey {
        static KEY: OnceLock<github_sandbox::auth::AppKey> = OnceLock::new();
        KEY.get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            github_sandbox::auth::AppKey::generate(4242, 1, dir.path()).unwrap()
        })
    }

    fn b64_decode(part: &str) -> Vec<u8> {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .unwrap_or_else(|e| panic!("{part:?} is not base64url without padding: {e}"))
    }

    /// DER of the PKCS#1 key inside a PEM, and the same key as PKCS#8 (`PrivateKeyInfo`:
    /// version 0, the rsaEncryption algorithm with NULL parameters, the PKCS#1 key as an
    /// OCTET STRING), built by hand.
    fn pkcs8_pem(pkcs1_pem: &str) -> String {
        let (_, body) = pem_block(pkcs1_pem).unwrap();
        let pkcs1 = base64::engine::general_purpose::STANDARD
            .decode(body.split_whitespace().collect::<String>())
            .unwrap();
        fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
            let mut out = vec![tag];
            let n = content.len();
            if n < 0x80 {
                out.push(n as u8);
            } else {
                let bytes: Vec<u8> = n
                    .to_be_bytes()
                    .into_iter()
                    .skip_while(|b| *b == 0)
                    .collect();
                out.push(0x80 | bytes.len() as u8);
                out.extend(bytes);
            }
            out.extend(content);
            out
        }
        // OID 1.2.840.113549.1.1.1 (rsaEncryption), then NULL.
        let algorithm = tlv(
            0x30,
            &[
                &[
                    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
                ][..],
                &[0x05, 0x00],
            ]
            .concat(),
        );
        let info = tlv(
            0x30,
            &[&[0x02, 0x01, 0x00][..], &algorithm, &tlv(0x04, &pkcs1)].concat(),
        );
        let b64 = base64::engine::general_purpose::STANDARD.encode(info);
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            lines.join("\n")
        )
    }

    /// Checks `jwt` against the key's public half with ring and returns its claims.
    fn verified_claims(jwt: &str, pem: &str) -> Value {
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3, "{jwt}");
        let public = signing_key(pem).unwrap().public().as_ref().to_vec();
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, public)
            .verify(
                format!("{}.{}", parts[0], parts[1]).as_bytes(),
                &b64_decode(parts[2]),
            )
            .expect("the signature verifies with the public key");
        let header: Value = serde_json::from_slice(&b64_decode(parts[0])).unwrap();
        assert_eq!(header, json!({"alg": "RS256", "typ": "JWT"}));
        serde_json::from_slice(&b64_decode(parts[1])).unwrap()
    }

    #[test]
    fn an_installation_without_contents_write_cannot_write() {
        // The access-token answer's `permissions`, as GitHub's docs show them.
        let full = json!({"contents": "write", "pull_requests": "write", "metadata": "read"});
        assert_eq!(installation_cannot_write(&full, "acme"), None);
        let read = json!({"contents": "read", "pull_requests": "write", "metadata": "read"});
        let why = installation_cannot_write(&read, "acme").unwrap();
        assert!(
            why.contains("`acme`") && why.contains("`contents: read`"),
            "{why}"
        );
        assert!(why.contains("Contents: read and write"), "{why}");
        // Only what was granted is listed: no `contents` at all is no access to it.
        let none = json!({"metadata": "read", "issues": "write"});
        let why = installation_cannot_write(&none, "acme").unwrap();
        assert!(why.contains("`contents: none`"), "{why}");
        // No permissions in the answer: nothing is known.
        assert_eq!(installation_cannot_write(&Value::Null, "acme"), None);
    }

    #[test]
    fn jwt_from_a_pkcs1_key_verifies_and_has_githubs_claims() {
        let now = 1_700_000_000;
        let jwt = app_jwt(4242, &app().private_key_pem, now).unwrap();
        let claims = verified_claims(&jwt, &app().private_key_pem);
        assert_eq!(
            claims,
            json!({"iat": now - 60, "exp": now + 540, "iss": 4242})
        );
        assert!(claims["exp"].as_i64().unwrap() <= now + 600);
        assert!(!jwt.contains('=') && !jwt.contains('+') && !jwt.contains('/'));
    }

    #[test]
    fn the_sandbox_accepts_the_jwt_and_refuses_a_tampered_one() {
        let now = Utc::now().timestamp();
        let jwt = app_jwt(4242, &app().private_key_pem, now).unwrap();
        app().verify(&jwt).expect("jsonwebtoken accepts our JWT");
        // The claims of a later JWT under this one's signature.
        let later = app_jwt(4242, &app().private_key_pem, now + 1).unwrap();
        let [header, _, signature] = jwt.split('.').collect::<Vec<_>>()[..] else {
            panic!("{jwt}")
        };
        let forged = format!("{header}.{}.{signature}", later.split('.').nth(1).unwrap());
        assert!(app().verify(&forged).is_err());
    }

    #[test]
    fn pkcs8_keys_sign_the_same_as_pkcs1() {
        let pkcs8 = pkcs8_pem(&app().private_key_pem);
        assert!(pkcs8.starts_with("-----BEGIN PRIVATE KEY-----"));
        let now = Utc::now().timestamp();
        let jwt = app_jwt(4242, &pkcs8, now).unwrap();
        verified_claims(&jwt, &app().private_key_pem);
        app()
            .verify(&jwt)
            .expect("the sandbox accepts a JWT from the PKCS#8 key");
        // RSASSA-PKCS1-v1_5 is deterministic: the same key signs the same bytes.
        assert_eq!(jwt, app_jwt(4242, &app().private_key_pem, now).unwrap());
    }

    #[test]
    fn keys_pasted_with_literal_newlines_or_crlf_still_work() {
        let pem = &app().private_key_pem;
        for form in [pem.replace('\n', "\\n"), pem.replace('\n', "\r\n")] {
            let jwt = app_jwt(4242, &form, 1_700_000_000).unwrap();
            verified_claims(&jwt, pem);
        }
    }

    #[test]
    fn bad_keys_name_the_input_and_the_fix() {
        let pem = &app().private_key_pem;
        let cut = &pem[..pem.len() / 2];
        let garbled = pem.replacen("MII", "M*I", 1);
        let cases: Vec<(String, &str)> = vec![
            ("ghp_notakey".into(), "no `-----BEGIN RSA PRIVATE KEY-----`"),
            (cut.into(), "has no `-----END RSA PRIVATE KEY-----` line"),
            (
                pem.replacen("KEY-----", "KEY", 1),
                "no `-----BEGIN RSA PRIVATE KEY-----`",
            ),
            (garbled, "not base64"),
            (
                "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n".into(),
                "is not an RSA key",
            ),
            (
                "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n".into(),
                "`EC PRIVATE KEY` block is not a GitHub App key",
            ),
            (
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n".into(),
                "encrypted with a passphrase",
            ),
            (
                "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n".into(),
                "the key is encrypted",
            ),
        ];
        for (key, why) in cases {
            let err = app_jwt(4242, &key, 1_700_000_000).unwrap_err();
            let GhError::Unauthorized(m) = &err else {
                panic!("{err:?}: a bad key stops the run as a credentials error")
            };
            assert!(m.contains("`app_private_key`"), "{m}");
            assert!(m.contains(why), "{why:?} not in {m}");
            assert!(m.contains("paste the whole .pem file"), "{m}");
            assert!(
                !m.contains(&pem[40..80]),
                "the key never appears in the error"
            );
        }
    }
}
