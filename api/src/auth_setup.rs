//! Token keys and settings from configuration.

use persistence::Backend;

use crate::auth::keys::KeySet;
use crate::auth::token::{TokenSettings, Tokens};
use crate::config::AuthArgs;
use crate::startup::StartupError;

/// Clock skew tolerated on `exp`, `nbf` and `iat`, set explicitly.
pub const LEEWAY_SECONDS: u64 = 30;

/// The signing key from its file, plus the extra verification keys; without a key file, a
/// generated key, but only on SQLite (a local demo), and said so in the log.
pub fn tokens(args: &AuthArgs, backend: Backend) -> Result<Tokens, StartupError> {
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
        None if backend == Backend::Sqlite => {
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
                "PostgreSQL needs --jwt-signing-key-file (REINTEGRATION_JWT_SIGNING_KEY_FILE): a generated key is \
                 allowed only for a local SQLite demo"
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
