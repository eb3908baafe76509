//! Token keys and settings from configuration.

use persistence::Backend;

use crate::auth::keys::KeySet;
use crate::auth::token::{TokenSettings, Tokens};
use crate::config::AuthArgs;
use crate::startup::StartupError;

/// Clock skew tolerated on `exp`, `nbf` and `iat`, set explicitly.
pub const LEEWAY_SECONDS: u64 = 30;

/// The signing key from its file, plus the extra verification keys; without a key file, a
/// generated key, but only for a local demo (SQLite, on a loopback address), said so in the log.
pub fn tokens(args: &AuthArgs, backend: Backend, listen: std::net::SocketAddr) -> Result<Tokens, StartupError> {
    let keys = match &args.jwt_signing_key_file {
        Some(path) => {
            let pem = std::fs::read_to_string(path)
                .map_err(|e| StartupError::Keys(format!("cannot read {}: {e}", path.display())))?;
            let mut extra = Vec::new();
            for entry in &args.jwt_verify_keys {
                let (kid, file) = entry
                    .split_once('=')
                    .ok_or_else(|| StartupError::Keys(format!("`{entry}` is not kid=path/to/public.pem")))?;
                let public = std::fs::read_to_string(file)
                    .map_err(|e| StartupError::Keys(format!("cannot read {file}: {e}")))?;
                extra.push((kid.trim().to_owned(), public));
            }
            KeySet::from_pem(&args.jwt_signing_kid, &pem, &extra).map_err(|e| StartupError::Keys(e.to_string()))?
        }
        None if backend == Backend::Sqlite && listen.ip().is_loopback() => {
            let keys = KeySet::generate_ephemeral().map_err(|e| StartupError::Keys(e.to_string()))?;
            tracing::warn!(
                kid = keys.signing_kid(),
                "no --jwt-signing-key-file: generated a signing key for this run (local SQLite demo only; \
                 tokens die with the process)"
            );
            keys
        }
        None => {
            return Err(StartupError::Keys(
                "set --jwt-signing-key-file (REINTEGRATION_JWT_SIGNING_KEY_FILE): a generated key is allowed only \
                 for a local SQLite demo (SQLite, listening on a loopback address)"
                    .to_owned(),
            ));
        }
    };
    Ok(Tokens::new(
        keys,
        TokenSettings {
            issuer: args.jwt_issuer.clone(),
            audience: args.jwt_audience.clone(),
            ttl: std::time::Duration::from_secs(args.token_ttl.max(1)),
            leeway_seconds: LEEWAY_SECONDS,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> AuthArgs {
        AuthArgs {
            jwt_signing_key_file: None,
            jwt_signing_kid: "primary".into(),
            jwt_verify_keys: Vec::new(),
            jwt_issuer: "reintegration".into(),
            jwt_audience: "reintegration-api".into(),
            token_ttl: 900,
            login_max_failures: 5,
            trusted_proxies: Vec::new(),
            login_lockout_seconds: 60,
            rate_limit_per_minute: 0,
            principal_cache_seconds: 1,
            client_secret_overlap_hours: 24,
        }
    }

    #[test]
    fn a_generated_key_only_for_a_local_sqlite_demo() {
        let local = "127.0.0.1:8080".parse().unwrap();
        let public = "0.0.0.0:8080".parse().unwrap();
        assert!(tokens(&args(), Backend::Sqlite, local).is_ok());
        assert!(matches!(tokens(&args(), Backend::Sqlite, public), Err(StartupError::Keys(_))));
        assert!(matches!(tokens(&args(), Backend::Postgres, local), Err(StartupError::Keys(_))));
    }

    #[test]
    fn a_configured_key_signs_and_old_keys_still_verify() {
        let dir = std::env::temp_dir().join(format!("reintegration-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (new_key, old_key) = (dir.join("new.pem"), dir.join("old.pem"));
        std::fs::write(&new_key, crate::auth::keys::generate_private_pem().unwrap()).unwrap();
        let old_private = crate::auth::keys::generate_private_pem().unwrap();
        std::fs::write(&old_key, crate::auth::keys::public_pem_of(&old_private).unwrap()).unwrap();
        let mut configured = args();
        configured.jwt_signing_key_file = Some(new_key);
        configured.jwt_signing_kid = "2026-11".into();
        configured.jwt_verify_keys = vec![format!("2026-05={}", old_key.display())];
        let tokens = tokens(&configured, Backend::Postgres, "0.0.0.0:8080".parse().unwrap()).unwrap();
        assert_eq!(tokens.keys().signing_kid(), "2026-11");
        assert!(tokens.keys().decoding_key("2026-05").is_some(), "the rotated-out key still verifies");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
