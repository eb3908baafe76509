//! Issuing and verifying short-lived access tokens: JWS-signed JWTs, alg EdDSA (Ed25519).
//!
//! Verification is strict and fails closed. Before jsonwebtoken sees a token, its header is read
//! here: `alg` must be `EdDSA` (so `none` and HS256-with-the-public-key never reach a verifier),
//! `kid` must name a key of our own [`KeySet`], and a token carrying `jku`, `jwk`, `x5u`, `x5c` or
//! `crit` is rejected outright (we never fetch or trust keys named by the token itself). Then
//! `jsonwebtoken::decode` checks the signature and `exp`/`nbf`/`iss`/`aud`/`sub` with an explicit
//! leeway, [`Claims`] is deserialized with exact types, and `iat` and `sub` are checked here.
//!
//! Every failure is a [`TokenError`] whose variant says why (for logs), while
//! [`TokenError::public_message`] is the same for all of them: a client learns nothing from it.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::keys::KeySet;

/// What a client is told about any rejected token.
pub const PUBLIC_MESSAGE: &str = "invalid or expired token";

/// Longer tokens are rejected before any parsing; ours are a few hundred bytes.
const MAX_TOKEN_LEN: usize = 8 * 1024;

/// Header parameters that would make us trust keys or semantics named by the token itself.
const FORBIDDEN_HEADERS: [&str; 5] = ["jku", "jwk", "x5u", "x5c", "crit"];

/// The claims of an access token. All are required, with exactly these types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// `user:<uuid>` or `client:<uuid>`.
    pub sub: String,
    pub role: String,
    pub org: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    /// The user's or client's token generation when the token was issued (#8.4).
    #[serde(rename = "gen")]
    pub generation: i64,
    /// The organisation's token generation when the token was issued.
    #[serde(rename = "ogen")]
    pub organization_generation: i64,
}

/// The token generations of a principal and of its organisation. Revoking a principal's tokens
/// (deactivation, revocation, a password change or reset, a role change) adds one to its
/// generation, deactivating an organisation to the organisation's: a token is good only while
/// both still match, whatever the clock says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Generations {
    pub principal: i32,
    pub organization: i32,
}

/// Issuer, audience, lifetime and clock leeway of access tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenSettings {
    pub issuer: String,
    pub audience: String,
    /// Lifetime of an access token (default 15 minutes).
    pub ttl: Duration,
    /// Clock skew tolerated on `exp`, `nbf` and `iat` (default 30 seconds).
    pub leeway_seconds: u64,
}

impl Default for TokenSettings {
    fn default() -> Self {
        Self {
            issuer: "reintegration-api".to_owned(),
            audience: "reintegration-api".to_owned(),
            ttl: Duration::from_secs(15 * 60),
            leeway_seconds: 30,
        }
    }
}

/// A freshly issued access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuedToken {
    pub access_token: String,
    /// Seconds until the token expires.
    pub expires_in: u64,
    pub jti: String,
}

/// Why a token was not issued or not accepted. The variants are for logs only; clients get
/// [`TokenError::public_message`], which is the same whatever the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token expired")]
    Expired,
    #[error("token not yet valid")]
    NotYetValid,
    #[error("token signature does not verify")]
    BadSignature,
    #[error("token header has no kid")]
    MissingKid,
    #[error("token kid is not one of our verification keys")]
    UnknownKid,
    #[error("token algorithm is not EdDSA")]
    WrongAlgorithm,
    #[error("token header carries the forbidden parameter `{0}`")]
    ForbiddenHeader(&'static str),
    #[error("token is malformed")]
    Malformed,
    #[error("token claims are invalid: {0}")]
    InvalidClaims(String),
    #[error("could not sign a token: {0}")]
    Signing(String),
}

impl TokenError {
    /// The only thing a client is told, whatever the reason: nothing that helps an attacker.
    pub fn public_message(&self) -> &'static str {
        PUBLIC_MESSAGE
    }
}

/// Issues and verifies access tokens with one [`KeySet`] and one set of [`TokenSettings`].
#[derive(Debug)]
pub struct Tokens {
    keys: KeySet,
    settings: TokenSettings,
}

impl Tokens {
    pub fn new(keys: KeySet, settings: TokenSettings) -> Self {
        Self { keys, settings }
    }

    pub fn keys(&self) -> &KeySet {
        &self.keys
    }

    pub fn settings(&self) -> &TokenSettings {
        &self.settings
    }

    /// Signs a token for `sub` (`user:<uuid>` or `client:<uuid>`) at its current `generations`,
    /// valid from `now` for the TTL.
    pub fn issue(
        &self,
        sub: &str,
        role: &str,
        org: &str,
        generations: Generations,
        now: DateTime<Utc>,
    ) -> Result<IssuedToken, TokenError> {
        if !is_valid_subject(sub) {
            return Err(TokenError::InvalidClaims("sub must be user:<uuid> or client:<uuid>".to_owned()));
        }
        let ttl = self.settings.ttl.as_secs();
        let ttl_i64 = i64::try_from(ttl).map_err(|_| TokenError::Signing("ttl too large".to_owned()))?;
        if ttl == 0 {
            return Err(TokenError::Signing("ttl must be at least one second".to_owned()));
        }
        let iat = now.timestamp();
        let exp = iat.checked_add(ttl_i64).ok_or_else(|| TokenError::Signing("exp overflows".to_owned()))?;
        let jti = Uuid::now_v7().to_string();
        let claims = Claims {
            sub: sub.to_owned(),
            role: role.to_owned(),
            org: org.to_owned(),
            iss: self.settings.issuer.clone(),
            aud: self.settings.audience.clone(),
            iat,
            nbf: iat,
            exp,
            jti: jti.clone(),
            generation: i64::from(generations.principal),
            organization_generation: i64::from(generations.organization),
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.keys.signing_kid().to_owned());
        let access_token = jsonwebtoken::encode(&header, &claims, self.keys.encoding_key())
            .map_err(|e| TokenError::Signing(e.to_string()))?;
        Ok(IssuedToken { access_token, expires_in: ttl, jti })
    }

    /// Verifies a token's header, signature and claims; returns the claims if all is well.
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let kid = check_header(token)?;
        let key = self.keys.decoding_key(&kid).ok_or(TokenError::UnknownKid)?;

        let leeway = self.settings.leeway_seconds;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.algorithms = vec![Algorithm::EdDSA];
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.validate_aud = true;
        validation.leeway = leeway;
        validation.reject_tokens_expiring_in_less_than = 0;
        validation.set_issuer(&[&self.settings.issuer]);
        validation.set_audience(&[&self.settings.audience]);

        let claims = jsonwebtoken::decode::<Claims>(token, key, &validation).map_err(map_jwt_error)?.claims;

        let leeway = i64::try_from(leeway).unwrap_or(i64::MAX);
        if claims.iat > Utc::now().timestamp().saturating_add(leeway) {
            return Err(TokenError::InvalidClaims("iat is in the future".to_owned()));
        }
        if !is_valid_subject(&claims.sub) {
            return Err(TokenError::InvalidClaims("sub is not user:<uuid> or client:<uuid>".to_owned()));
        }
        Ok(claims)
    }
}

/// A signed checkpoint of the audit chain (#13): its length and head hash when signed, as the
/// claims of a JWS signed with the token key (`typ: audit-checkpoint+jwt`, which no access-token
/// check accepts, so a checkpoint is never a token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointClaims {
    pub iss: String,
    /// The chain's length (the last event's place) when signed.
    pub chain_seq: i64,
    /// That event's hash.
    pub chain_hash: String,
    pub iat: i64,
}

/// The JOSE `typ` of a checkpoint.
pub const CHECKPOINT_TYP: &str = "audit-checkpoint+jwt";

impl Tokens {
    /// Signs the chain's head as a checkpoint.
    pub fn sign_checkpoint(&self, chain_seq: i64, chain_hash: &str, now: i64) -> Result<String, TokenError> {
        let claims = CheckpointClaims {
            iss: self.settings.issuer.clone(),
            chain_seq,
            chain_hash: chain_hash.to_owned(),
            iat: now,
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.keys.signing_kid().to_owned());
        header.typ = Some(CHECKPOINT_TYP.to_owned());
        jsonwebtoken::encode(&header, &claims, self.keys.encoding_key()).map_err(|e| TokenError::Signing(e.to_string()))
    }

    /// Verifies a checkpoint this server (or a key it still accepts) signed.
    pub fn verify_checkpoint(&self, checkpoint: &str) -> Result<CheckpointClaims, TokenError> {
        if checkpoint.is_empty() || checkpoint.len() > MAX_TOKEN_LEN {
            return Err(TokenError::Malformed);
        }
        let header = jsonwebtoken::decode_header(checkpoint).map_err(|_| TokenError::Malformed)?;
        if header.alg != Algorithm::EdDSA || header.typ.as_deref() != Some(CHECKPOINT_TYP) {
            return Err(TokenError::Malformed);
        }
        let key = header.kid.as_deref().and_then(|kid| self.keys.decoding_key(kid)).ok_or(TokenError::UnknownKid)?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.algorithms = vec![Algorithm::EdDSA];
        validation.set_required_spec_claims(&["iss"]);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.set_issuer(&[&self.settings.issuer]);
        Ok(jsonwebtoken::decode::<CheckpointClaims>(checkpoint, key, &validation).map_err(map_jwt_error)?.claims)
    }
}

/// Reads the JOSE header ourselves, before any verification: the shape of the token, `alg`,
/// forbidden parameters and `typ`. Returns the kid.
fn check_header(token: &str) -> Result<String, TokenError> {
    if token.is_empty() || token.len() > MAX_TOKEN_LEN {
        return Err(TokenError::Malformed);
    }
    let mut parts = token.split('.');
    let (Some(header), Some(_payload), Some(_signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };
    let header = URL_SAFE_NO_PAD.decode(header).map_err(|_| TokenError::Malformed)?;
    let header: Map<String, Value> = serde_json::from_slice(&header).map_err(|_| TokenError::Malformed)?;

    for name in FORBIDDEN_HEADERS {
        if header.contains_key(name) {
            return Err(TokenError::ForbiddenHeader(name));
        }
    }
    match header.get("alg") {
        Some(Value::String(alg)) if alg == "EdDSA" => {}
        _ => return Err(TokenError::WrongAlgorithm),
    }
    match header.get("typ") {
        None => {}
        Some(Value::String(typ)) if typ.eq_ignore_ascii_case("JWT") => {}
        Some(_) => return Err(TokenError::Malformed),
    }
    match header.get("kid") {
        Some(Value::String(kid)) => Ok(kid.clone()),
        None => Err(TokenError::MissingKid),
        Some(_) => Err(TokenError::UnknownKid),
    }
}

fn map_jwt_error(error: jsonwebtoken::errors::Error) -> TokenError {
    match error.kind() {
        ErrorKind::ExpiredSignature => TokenError::Expired,
        ErrorKind::ImmatureSignature => TokenError::NotYetValid,
        ErrorKind::InvalidSignature => TokenError::BadSignature,
        ErrorKind::InvalidAlgorithm | ErrorKind::MissingAlgorithm | ErrorKind::InvalidAlgorithmName => {
            TokenError::WrongAlgorithm
        }
        ErrorKind::InvalidAudience => TokenError::InvalidClaims("wrong aud".to_owned()),
        ErrorKind::InvalidIssuer => TokenError::InvalidClaims("wrong iss".to_owned()),
        ErrorKind::InvalidSubject => TokenError::InvalidClaims("wrong sub".to_owned()),
        ErrorKind::MissingRequiredClaim(claim) => TokenError::InvalidClaims(format!("missing {claim}")),
        ErrorKind::InvalidClaimFormat(claim) => TokenError::InvalidClaims(format!("{claim} has the wrong type")),
        // The claims did not deserialize into `Claims`: a missing claim or one of the wrong type.
        ErrorKind::Json(_) => TokenError::InvalidClaims("claims do not have the expected names and types".to_owned()),
        _ => TokenError::Malformed,
    }
}

/// `user:<uuid>` or `client:<uuid>`, the UUID in its canonical hyphenated lowercase form.
fn is_valid_subject(sub: &str) -> bool {
    let Some(id) = sub.strip_prefix("user:").or_else(|| sub.strip_prefix("client:")) else {
        return false;
    };
    Uuid::try_parse(id).is_ok_and(|uuid| uuid.hyphenated().to_string() == id)
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;
    use ed25519_dalek::pkcs8::DecodePrivateKey;
    use ed25519_dalek::{Signer, SigningKey};
    use jsonwebtoken::EncodingKey;
    use serde_json::json;

    use super::*;
    use crate::auth::keys::{generate_private_pem, public_pem_of};

    const KID: &str = "k-2025";
    const SUB: &str = "user:0196b3a4-7f1e-7c3a-9d2b-4e5f6a7b8c9d";

    struct Fixture {
        tokens: Tokens,
        private_pem: String,
        signing: SigningKey,
    }

    fn fixture() -> Fixture {
        let private_pem = generate_private_pem().unwrap();
        let keys = KeySet::from_pem(KID, &private_pem, &[]).unwrap();
        let signing = SigningKey::from_pkcs8_pem(&private_pem).unwrap();
        Fixture { tokens: Tokens::new(keys, TokenSettings::default()), private_pem, signing }
    }

    fn b64(bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// A token built by hand: any header, any claims, signed with any Ed25519 key.
    fn forge(header: &Value, claims: &Value, key: &SigningKey) -> String {
        let message = format!("{}.{}", b64(header.to_string().as_bytes()), b64(claims.to_string().as_bytes()));
        let signature = key.sign(message.as_bytes());
        format!("{message}.{}", b64(&signature.to_bytes()))
    }

    fn header() -> Value {
        json!({ "alg": "EdDSA", "typ": "JWT", "kid": KID })
    }

    fn claims() -> Value {
        let now = Utc::now().timestamp();
        json!({
            "sub": SUB, "role": "case_worker", "org": "org-1",
            "iss": "reintegration-api", "aud": "reintegration-api",
            "iat": now, "nbf": now, "exp": now + 900, "jti": Uuid::now_v7().to_string(), "gen": 0, "ogen": 0,
        })
    }

    fn with(mut value: Value, key: &str, new: Value) -> Value {
        value[key] = new;
        value
    }

    fn without(mut value: Value, key: &str) -> Value {
        if let Some(map) = value.as_object_mut() {
            map.remove(key);
        }
        value
    }

    fn assert_rejected(f: &Fixture, token: &str) -> TokenError {
        let err = f.tokens.verify(token).unwrap_err();
        assert_eq!(err.public_message(), PUBLIC_MESSAGE);
        err
    }

    #[test]
    fn a_valid_token_verifies() {
        let f = fixture();
        let now = Utc::now();
        let issued = f.tokens.issue(SUB, "case_worker", "org-1", Generations::default(), now).unwrap();
        assert_eq!(issued.expires_in, 900);
        let claims = f.tokens.verify(&issued.access_token).unwrap();
        assert_eq!(claims.sub, SUB);
        assert_eq!(claims.role, "case_worker");
        assert_eq!(claims.org, "org-1");
        assert_eq!(claims.iss, "reintegration-api");
        assert_eq!(claims.aud, "reintegration-api");
        assert_eq!(claims.iat, now.timestamp());
        assert_eq!(claims.nbf, now.timestamp());
        assert_eq!(claims.exp, now.timestamp() + 900);
        assert_eq!(claims.jti, issued.jti);
        assert_eq!(Uuid::parse_str(&claims.jti).unwrap().get_version_num(), 7);

        let header = jsonwebtoken::decode_header(&issued.access_token).unwrap();
        assert_eq!(header.alg, Algorithm::EdDSA);
        assert_eq!(header.typ.as_deref(), Some("JWT"));
        assert_eq!(header.kid.as_deref(), Some(KID));
    }

    #[test]
    fn client_subjects_verify_and_bad_subjects_are_not_issued() {
        let f = fixture();
        let sub = "client:0196b3a4-7f1e-7c3a-9d2b-4e5f6a7b8c9d";
        let issued = f.tokens.issue(sub, "service", "org-1", Generations::default(), Utc::now()).unwrap();
        assert_eq!(f.tokens.verify(&issued.access_token).unwrap().sub, sub);
        for bad in ["", "user:", "admin", "user:not-a-uuid", "group:0196b3a4-7f1e-7c3a-9d2b-4e5f6a7b8c9d"] {
            assert!(
                matches!(
                    f.tokens.issue(bad, "r", "o", Generations::default(), Utc::now()),
                    Err(TokenError::InvalidClaims(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_hand_built_valid_token_verifies() {
        // The forging helper itself produces acceptable tokens, so the rejections below are real.
        let f = fixture();
        assert!(f.tokens.verify(&forge(&header(), &claims(), &f.signing)).is_ok());
    }

    #[test]
    fn expired_beyond_leeway_is_rejected() {
        let f = fixture();
        let issued_at = Utc::now() - TimeDelta::minutes(15) - TimeDelta::seconds(60);
        let token = f.tokens.issue(SUB, "r", "o", Generations::default(), issued_at).unwrap().access_token;
        assert_eq!(assert_rejected(&f, &token), TokenError::Expired);
    }

    #[test]
    fn expired_within_leeway_is_accepted() {
        let f = fixture();
        let issued_at = Utc::now() - TimeDelta::minutes(15) - TimeDelta::seconds(10);
        let token = f.tokens.issue(SUB, "r", "o", Generations::default(), issued_at).unwrap().access_token;
        assert!(f.tokens.verify(&token).is_ok());
    }

    #[test]
    fn not_yet_valid_is_rejected() {
        let f = fixture();
        let token = f
            .tokens
            .issue(SUB, "r", "o", Generations::default(), Utc::now() + TimeDelta::minutes(5))
            .unwrap()
            .access_token;
        assert_eq!(assert_rejected(&f, &token), TokenError::NotYetValid);

        let nbf = Utc::now().timestamp() + 300;
        let token = forge(&header(), &with(claims(), "nbf", json!(nbf)), &f.signing);
        assert_eq!(assert_rejected(&f, &token), TokenError::NotYetValid);
    }

    #[test]
    fn iat_in_the_future_is_rejected() {
        let f = fixture();
        let iat = Utc::now().timestamp() + 300;
        let token = forge(&header(), &with(claims(), "iat", json!(iat)), &f.signing);
        assert!(matches!(assert_rejected(&f, &token), TokenError::InvalidClaims(_)));
    }

    #[test]
    fn wrong_signature_is_rejected() {
        let f = fixture();
        let other = SigningKey::from_pkcs8_pem(&generate_private_pem().unwrap()).unwrap();
        let token = forge(&header(), &claims(), &other);
        assert_eq!(assert_rejected(&f, &token), TokenError::BadSignature);

        // A genuine token whose payload was altered after signing.
        let genuine =
            f.tokens.issue(SUB, "case_worker", "org-1", Generations::default(), Utc::now()).unwrap().access_token;
        let parts: Vec<&str> = genuine.split('.').collect();
        let tampered_claims = with(claims(), "role", json!("admin"));
        let tampered = format!("{}.{}.{}", parts[0], b64(tampered_claims.to_string().as_bytes()), parts[2]);
        assert_eq!(assert_rejected(&f, &tampered), TokenError::BadSignature);
    }

    #[test]
    fn alg_none_is_rejected() {
        let f = fixture();
        let header = json!({ "alg": "none", "typ": "JWT", "kid": KID });
        let token = format!("{}.{}.", b64(header.to_string().as_bytes()), b64(claims().to_string().as_bytes()));
        assert_eq!(assert_rejected(&f, &token), TokenError::WrongAlgorithm);
        for alg in ["None", "NONE", "nOnE"] {
            let header = json!({ "alg": alg, "typ": "JWT", "kid": KID });
            let token = format!("{}.{}.", b64(header.to_string().as_bytes()), b64(claims().to_string().as_bytes()));
            assert_eq!(assert_rejected(&f, &token), TokenError::WrongAlgorithm);
        }
        // Missing alg altogether.
        let token = forge(&without(self::header(), "alg"), &claims(), &f.signing);
        assert_eq!(assert_rejected(&f, &token), TokenError::WrongAlgorithm);
    }

    #[test]
    fn hs256_signed_with_the_public_key_is_rejected() {
        let f = fixture();
        let public_pem = public_pem_of(&f.private_pem).unwrap();
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(KID.to_owned());
        for secret in [public_pem.as_bytes(), f.signing.verifying_key().as_bytes().as_slice()] {
            let token = jsonwebtoken::encode(&header, &claims(), &EncodingKey::from_secret(secret)).unwrap();
            assert_eq!(assert_rejected(&f, &token), TokenError::WrongAlgorithm);
        }
    }

    #[test]
    fn unknown_and_missing_kid_are_rejected() {
        let f = fixture();
        let token = forge(&with(header(), "kid", json!("someone-else")), &claims(), &f.signing);
        assert_eq!(assert_rejected(&f, &token), TokenError::UnknownKid);
        let token = forge(&with(header(), "kid", json!(7)), &claims(), &f.signing);
        assert_eq!(assert_rejected(&f, &token), TokenError::UnknownKid);
        let token = forge(&without(header(), "kid"), &claims(), &f.signing);
        assert_eq!(assert_rejected(&f, &token), TokenError::MissingKid);
    }

    #[test]
    fn key_bearing_headers_are_rejected() {
        let f = fixture();
        let x = b64(f.signing.verifying_key().as_bytes());
        let cases = [
            ("jku", json!("https://attacker.example/jwks.json")),
            ("jwk", json!({ "kty": "OKP", "crv": "Ed25519", "x": x })),
            ("x5u", json!("https://attacker.example/cert.pem")),
            ("x5c", json!(["MIIB"])),
            ("crit", json!(["exp"])),
        ];
        for (name, value) in cases {
            // Even correctly signed by our own key: the header alone is enough to refuse it.
            let token = forge(&with(header(), name, value), &claims(), &f.signing);
            assert_eq!(assert_rejected(&f, &token), TokenError::ForbiddenHeader(name), "{name}");
        }
    }

    #[test]
    fn audience_and_issuer_are_required_and_checked() {
        let f = fixture();
        let cases = [
            without(claims(), "aud"),
            with(claims(), "aud", json!("another-api")),
            with(claims(), "aud", json!(["another-api"])),
            without(claims(), "iss"),
            with(claims(), "iss", json!("https://attacker.example")),
        ];
        for claims in cases {
            let token = forge(&header(), &claims, &f.signing);
            assert!(matches!(assert_rejected(&f, &token), TokenError::InvalidClaims(_)), "{claims}");
        }
    }

    #[test]
    fn claims_of_the_wrong_type_are_rejected() {
        let f = fixture();
        let cases = [
            with(claims(), "exp", json!("9999999999")),
            with(claims(), "nbf", json!("0")),
            with(claims(), "iat", json!("0")),
            with(claims(), "role", json!(42)),
            with(claims(), "org", json!(null)),
            with(claims(), "sub", json!(["user:0196b3a4-7f1e-7c3a-9d2b-4e5f6a7b8c9d"])),
            with(claims(), "exp", json!(9.9e9)),
            with(claims(), "exp", json!(-1)),
        ];
        for claims in cases {
            let token = forge(&header(), &claims, &f.signing);
            assert!(matches!(assert_rejected(&f, &token), TokenError::InvalidClaims(_)), "{claims}");
        }
    }

    #[test]
    fn missing_claims_are_rejected() {
        let f = fixture();
        for name in ["sub", "role", "org", "iat", "nbf", "exp", "jti", "gen", "ogen"] {
            let token = forge(&header(), &without(claims(), name), &f.signing);
            assert!(matches!(assert_rejected(&f, &token), TokenError::InvalidClaims(_)), "{name}");
        }
    }

    #[test]
    fn a_malformed_subject_is_rejected() {
        let f = fixture();
        let token = forge(&header(), &with(claims(), "sub", json!("admin")), &f.signing);
        assert!(matches!(assert_rejected(&f, &token), TokenError::InvalidClaims(_)));
    }

    #[test]
    fn malformed_tokens_are_rejected() {
        let f = fixture();
        let genuine = f.tokens.issue(SUB, "r", "o", Generations::default(), Utc::now()).unwrap().access_token;
        let too_long = format!("{genuine}{}", "A".repeat(MAX_TOKEN_LEN));
        let not_json = format!("{}.{}.{}", b64(b"not json"), b64(b"{}"), b64(b"sig"));
        let garbage_claims = format!("{}.{}.{}", b64(header().to_string().as_bytes()), "%%%", b64(b"sig"));
        let cases = [
            "",
            "abc",
            "a.b",
            "a.b.c",
            "!!!.@@@.###",
            "eyJ.eyJ.sig",
            "...",
            &format!("{genuine}.extra"),
            &format!("Bearer {genuine}"),
            &too_long,
            &not_json,
            &garbage_claims,
        ];
        for token in cases {
            let err = assert_rejected(&f, token);
            assert!(
                matches!(err, TokenError::Malformed | TokenError::BadSignature | TokenError::InvalidClaims(_)),
                "{token}: {err:?}"
            );
        }
    }

    #[test]
    fn rotation_accepts_the_old_key_only_while_it_is_listed() {
        let old_pem = generate_private_pem().unwrap();
        let new_pem = generate_private_pem().unwrap();
        let old = Tokens::new(KeySet::from_pem("old", &old_pem, &[]).unwrap(), TokenSettings::default());
        let token = old.issue(SUB, "r", "o", Generations::default(), Utc::now()).unwrap().access_token;

        let extra = vec![("old".to_owned(), public_pem_of(&old_pem).unwrap())];
        let rotating = Tokens::new(KeySet::from_pem("new", &new_pem, &extra).unwrap(), TokenSettings::default());
        assert_eq!(rotating.verify(&token).unwrap().sub, SUB);
        let fresh = rotating.issue(SUB, "r", "o", Generations::default(), Utc::now()).unwrap().access_token;
        assert_eq!(jsonwebtoken::decode_header(&fresh).unwrap().kid.as_deref(), Some("new"));
        assert!(rotating.verify(&fresh).is_ok());

        let rotated = Tokens::new(KeySet::from_pem("new", &new_pem, &[]).unwrap(), TokenSettings::default());
        assert_eq!(rotated.verify(&token).unwrap_err(), TokenError::UnknownKid);
        assert!(rotated.verify(&fresh).is_ok());
    }

    #[test]
    fn the_public_message_is_the_same_for_every_reason() {
        let all = [
            TokenError::Expired,
            TokenError::NotYetValid,
            TokenError::BadSignature,
            TokenError::MissingKid,
            TokenError::UnknownKid,
            TokenError::WrongAlgorithm,
            TokenError::ForbiddenHeader("jku"),
            TokenError::Malformed,
            TokenError::InvalidClaims("x".to_owned()),
            TokenError::Signing("x".to_owned()),
        ];
        for err in all {
            assert_eq!(err.public_message(), "invalid or expired token");
        }
    }

    #[test]
    fn settings_are_explicit() {
        let settings = TokenSettings::default();
        assert_eq!(settings.ttl, Duration::from_secs(900));
        assert_eq!(settings.leeway_seconds, 30);
    }
}
