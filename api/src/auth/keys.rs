//! Ed25519 (JWS `alg` EdDSA) signing and verification keys.
//!
//! The signing key comes from configuration as a PKCS#8 PEM (`openssl genpkey -algorithm ed25519`).
//! Verification keys are chosen by `kid` from this set only — never from `jku`/`x5u`/`jwk` headers.
//! Several verification keys may be accepted at once, so a key can be rotated: the previous key's
//! public half stays in `extra_verification` until every token it signed has expired.
//!
//! How jsonwebtoken 10 expects its Ed25519 input (read from its source, `rust_crypto` backend):
//! - `EncodingKey::from_ed_der` takes the **PKCS#8 DER** private key (the signer calls
//!   `SigningKey::from_pkcs8_der`); `from_ed_pem` takes the PKCS#8 PEM and stores its DER.
//! - `DecodingKey::from_ed_der` takes the **raw 32-byte** public key, not SPKI DER, despite the name
//!   (the verifier does `VerifyingKey::from_bytes(&bytes[..32])`, which panics on shorter input);
//!   `from_ed_pem` extracts those 32 bytes from an SPKI PEM; `from_ed_components` takes them as
//!   base64url (the JWK `x`).
//!
//! So every key is parsed and checked with ed25519-dalek first, and only well-formed material
//! (PKCS#8 DER, or exactly 32 public-key bytes) is handed to jsonwebtoken.

use std::collections::HashMap;
use std::fmt;

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{SigningKey, VerifyingKey};
use jsonwebtoken::{DecodingKey, EncodingKey};

/// Why a key set could not be built. Messages never contain key material.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the signing key is not a PKCS#8 PEM Ed25519 private key")]
    InvalidPrivateKey,
    #[error("verification key `{kid}` is not an SPKI PEM Ed25519 public key")]
    InvalidPublicKey { kid: String },
    #[error("a key id (kid) is empty")]
    EmptyKid,
    #[error("key id (kid) `{0}` is used more than once")]
    DuplicateKid(String),
    #[error("the operating system's random number generator failed")]
    Random,
    #[error("could not encode a key")]
    Encoding,
}

/// The signing key (kid + private key) and every accepted verification key, by kid.
pub struct KeySet {
    signing_kid: String,
    encoding_key: EncodingKey,
    verification: HashMap<String, DecodingKey>,
}

impl KeySet {
    /// Builds the key set from configuration.
    ///
    /// `signing_private_pem` is a PKCS#8 PEM Ed25519 private key (`-----BEGIN PRIVATE KEY-----`);
    /// its public half is accepted for verification under `signing_kid`. Each of
    /// `extra_verification` is `(kid, SPKI PEM public key)` (`-----BEGIN PUBLIC KEY-----`), e.g.
    /// the previous signing key during a rotation. Empty or duplicate kids are errors.
    pub fn from_pem(
        signing_kid: &str,
        signing_private_pem: &str,
        extra_verification: &[(String, String)],
    ) -> Result<KeySet, KeyError> {
        let signing_key =
            SigningKey::from_pkcs8_pem(signing_private_pem.trim()).map_err(|_| KeyError::InvalidPrivateKey)?;
        let mut extra = Vec::with_capacity(extra_verification.len());
        for (kid, pem) in extra_verification {
            let key = VerifyingKey::from_public_key_pem(pem.trim())
                .map_err(|_| KeyError::InvalidPublicKey { kid: kid.clone() })?;
            extra.push((kid.as_str(), key));
        }
        Self::from_keys(signing_kid, &signing_key, &extra)
    }

    /// A fresh random key with kid `ephemeral-<8 hex chars>`, accepted only by this process.
    ///
    /// For a local SQLite demo only; the caller must log that an ephemeral key is in use
    /// (tokens stop verifying when the process restarts).
    pub fn generate_ephemeral() -> Result<KeySet, KeyError> {
        let signing_key = random_signing_key()?;
        let mut id = [0u8; 4];
        getrandom::fill(&mut id).map_err(|_| KeyError::Random)?;
        let kid = format!("ephemeral-{}", hex(&id));
        Self::from_keys(&kid, &signing_key, &[])
    }

    fn from_keys(
        signing_kid: &str,
        signing_key: &SigningKey,
        extra_verification: &[(&str, VerifyingKey)],
    ) -> Result<KeySet, KeyError> {
        check_kid(signing_kid)?;
        let der = signing_key.to_pkcs8_der().map_err(|_| KeyError::Encoding)?;
        let encoding_key = EncodingKey::from_ed_der(der.as_bytes());

        let mut verification = HashMap::with_capacity(1 + extra_verification.len());
        verification.insert(signing_kid.to_owned(), decoding_key_of(&signing_key.verifying_key()));
        for (kid, key) in extra_verification {
            check_kid(kid)?;
            if verification.insert((*kid).to_owned(), decoding_key_of(key)).is_some() {
                return Err(KeyError::DuplicateKid((*kid).to_owned()));
            }
        }
        Ok(KeySet { signing_kid: signing_kid.to_owned(), encoding_key, verification })
    }

    /// The kid put in the header of every token this set signs.
    pub fn signing_kid(&self) -> &str {
        &self.signing_kid
    }

    /// The private key tokens are signed with.
    pub fn encoding_key(&self) -> &EncodingKey {
        &self.encoding_key
    }

    /// The verification key for a kid, if that kid is accepted.
    pub fn decoding_key(&self, kid: &str) -> Option<&DecodingKey> {
        self.verification.get(kid)
    }

    /// Every accepted kid, sorted.
    pub fn verification_kids(&self) -> Vec<&str> {
        let mut kids: Vec<&str> = self.verification.keys().map(String::as_str).collect();
        kids.sort_unstable();
        kids
    }
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySet")
            .field("signing_kid", &self.signing_kid)
            .field("verification_kids", &self.verification_kids())
            .finish_non_exhaustive()
    }
}

/// The PKCS#8 PEM of a new random Ed25519 private key (what `openssl genpkey -algorithm ed25519` writes).
pub fn generate_private_pem() -> Result<String, KeyError> {
    let key = random_signing_key()?;
    let pem = key.to_pkcs8_pem(LineEnding::LF).map_err(|_| KeyError::Encoding)?;
    Ok(pem.as_str().to_owned())
}

/// The SPKI PEM public key of a PKCS#8 PEM Ed25519 private key (what `openssl pkey -pubout` writes).
pub fn public_pem_of(private_pem: &str) -> Result<String, KeyError> {
    let key = SigningKey::from_pkcs8_pem(private_pem.trim()).map_err(|_| KeyError::InvalidPrivateKey)?;
    key.verifying_key().to_public_key_pem(LineEnding::LF).map_err(|_| KeyError::Encoding)
}

fn random_signing_key() -> Result<SigningKey, KeyError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|_| KeyError::Random)?;
    let key = SigningKey::from_bytes(&seed);
    seed.fill(0);
    Ok(key)
}

/// jsonwebtoken's Ed25519 `DecodingKey` holds the raw 32-byte public key.
fn decoding_key_of(key: &VerifyingKey) -> DecodingKey {
    DecodingKey::from_ed_der(key.as_bytes())
}

fn check_kid(kid: &str) -> Result<(), KeyError> {
    if kid.trim().is_empty() { Err(KeyError::EmptyKid) } else { Ok(()) }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // A test-only key pair, generated with `openssl genpkey -algorithm ed25519` and
    // `openssl pkey -pubout`; it is used nowhere else.
    const OPENSSL_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIANMpXwRQgkQdxEPwivgl9jhpd1SR7pmVpJllBspXYhZ
-----END PRIVATE KEY-----
";
    const OPENSSL_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAkL9zgabQ99LFYQjUgJZga8SagUyFEtifjefKR1Z/EJc=
-----END PUBLIC KEY-----
";

    #[test]
    fn generated_pem_round_trips_and_matches_openssl_shape() {
        let private = generate_private_pem().unwrap();
        assert!(private.starts_with("-----BEGIN PRIVATE KEY-----"));
        let public = public_pem_of(&private).unwrap();
        assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"));
        let keys = KeySet::from_pem("k1", &private, &[]).unwrap();
        assert_eq!(keys.signing_kid(), "k1");
        assert!(keys.decoding_key("k1").is_some());
        assert!(keys.decoding_key("k2").is_none());
    }

    #[test]
    fn openssl_keys_load() {
        let public = public_pem_of(OPENSSL_PRIVATE).unwrap();
        assert_eq!(public, OPENSSL_PUBLIC);
        let keys = KeySet::from_pem("ops-2025", OPENSSL_PRIVATE, &[("old".into(), public)]);
        // Same public key under two kids is allowed (only the kids must differ).
        let keys = keys.unwrap();
        // What jsonwebtoken would build from the same PEM is what we build (raw 32 bytes).
        let theirs = DecodingKey::from_ed_pem(OPENSSL_PUBLIC.as_bytes()).unwrap();
        assert_eq!(keys.decoding_key("ops-2025").unwrap().as_bytes(), theirs.as_bytes());
        assert_eq!(theirs.as_bytes().len(), 32);
        assert!(EncodingKey::from_ed_pem(OPENSSL_PRIVATE.as_bytes()).is_ok());
    }

    #[test]
    fn extra_keys_are_accepted_by_kid() {
        let old = generate_private_pem().unwrap();
        let new = generate_private_pem().unwrap();
        let keys = KeySet::from_pem("new", &new, &[("old".into(), public_pem_of(&old).unwrap())]).unwrap();
        assert_eq!(keys.verification_kids(), vec!["new", "old"]);
    }

    #[test]
    fn empty_and_duplicate_kids_are_errors() {
        let pem = generate_private_pem().unwrap();
        let public = public_pem_of(&pem).unwrap();
        assert!(matches!(KeySet::from_pem("", &pem, &[]), Err(KeyError::EmptyKid)));
        assert!(matches!(KeySet::from_pem("  ", &pem, &[]), Err(KeyError::EmptyKid)));
        assert!(matches!(KeySet::from_pem("a", &pem, &[(String::new(), public.clone())]), Err(KeyError::EmptyKid)));
        assert!(matches!(KeySet::from_pem("a", &pem, &[("a".into(), public.clone())]), Err(KeyError::DuplicateKid(_))));
        assert!(matches!(
            KeySet::from_pem("a", &pem, &[("b".into(), public.clone()), ("b".into(), public)]),
            Err(KeyError::DuplicateKid(_))
        ));
    }

    #[test]
    fn wrong_key_formats_are_errors() {
        let pem = generate_private_pem().unwrap();
        let public = public_pem_of(&pem).unwrap();
        assert!(matches!(KeySet::from_pem("a", &public, &[]), Err(KeyError::InvalidPrivateKey)));
        assert!(matches!(KeySet::from_pem("a", "not a key", &[]), Err(KeyError::InvalidPrivateKey)));
        assert!(matches!(
            KeySet::from_pem("a", &pem, &[("b".into(), pem.clone())]),
            Err(KeyError::InvalidPublicKey { .. })
        ));
        assert!(public_pem_of("garbage").is_err());
    }

    #[test]
    fn ephemeral_key_has_ephemeral_kid() {
        let keys = KeySet::generate_ephemeral().unwrap();
        let kid = keys.signing_kid();
        let suffix = kid.strip_prefix("ephemeral-").unwrap();
        assert_eq!(suffix.len(), 8);
        assert!(suffix.chars().all(|c| c.is_ascii_hexdigit()));
        assert!(keys.decoding_key(kid).is_some());
    }

    #[test]
    fn debug_shows_only_kids() {
        let pem = generate_private_pem().unwrap();
        let keys = KeySet::from_pem("visible-kid", &pem, &[]).unwrap();
        let debug = format!("{keys:?}");
        assert!(debug.contains("visible-kid"));
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        assert!(!debug.contains(&body));
        assert!(!debug.contains("content"));
    }
}
