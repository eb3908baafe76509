//! Password hashing (Argon2id at OWASP's minimum parameters or above) and the password policy.
//!
//! Hashing is deliberately slow and memory-hungry (19 MiB per hash), so it must never run on an
//! async worker: [`HashingPool`] runs it on the blocking thread pool and lets only a few run at
//! once, so a flood of logins cannot starve other requests. Hashes are never returned by any
//! endpoint; they only go to and from the database.

use std::collections::HashSet;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use domain::message::Message;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Shortest accepted password, in characters.
pub const MIN_LENGTH: usize = 12;
/// Longest accepted password, in characters (bounds the cost of hashing).
pub const MAX_LENGTH: usize = 128;

/// Argon2 memory cost in KiB (19 MiB, OWASP's minimum for Argon2id).
pub const M_COST_KIB: u32 = 19 * 1024;
/// Argon2 iterations.
pub const T_COST: u32 = 2;
/// Argon2 parallelism.
pub const P_COST: u32 = 1;

/// Stored hashes with parameters above these are refused rather than computed: verifying one
/// could take seconds and gigabytes.
const MAX_M_COST_KIB: u32 = 256 * 1024;
const MAX_T_COST: u32 = 16;
const MAX_P_COST: u32 = 16;

/// A hash of a random password with the current parameters, verified against for unknown
/// usernames so that they take as long as known ones. A test checks its parameters.
const DUMMY_PHC: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$ozu1WVv68qA1p5DohBmHCQ$w9dcmA0aQ8VqthKgSgpSnbgLjX60ai/iCLNLwcmr+YU";

/// The common-password list: the 10,000 most frequent passwords of at least 8 characters from
/// zxcvbn's frequency lists (MIT), lowercase, one per line; `#` starts a comment line.
static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("common-passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// The stored hash is not a PHC string of a supported Argon2 hash with sane parameters.
    #[error("the stored password hash is malformed or unsupported")]
    MalformedHash,
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error("the operating system's random number generator failed")]
    Random,
    /// Too many hashes are queued; the caller should answer 503 (with Retry-After) or 429.
    #[error("too many password hashes in progress")]
    Busy,
    /// The blocking task was cancelled or panicked.
    #[error("the password hashing task did not complete")]
    Task,
}

/// The Argon2id hasher: m = 19456 KiB, t = 2, p = 1, version 0x13.
pub fn hasher() -> Argon2<'static> {
    // These values are within argon2's limits, so `Params::new` cannot fail; its default is the same.
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password with a fresh random salt; returns the PHC string
/// (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`).
pub fn hash(password: &str) -> Result<String, PasswordError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|_| PasswordError::Random)?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| PasswordError::Hashing(e.to_string()))?;
    let hash = hasher().hash_password(password.as_bytes(), &salt).map_err(|e| PasswordError::Hashing(e.to_string()))?;
    Ok(hash.to_string())
}

/// Checks a password against a stored PHC hash in constant time. A wrong password is `Ok(false)`;
/// a malformed or unsupported stored hash is an error.
pub fn verify(password: &str, phc: &str) -> Result<bool, PasswordError> {
    let parsed = parse_supported(phc)?;
    match hasher().verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::Password) => Ok(false),
        Err(e) => Err(PasswordError::Hashing(e.to_string())),
    }
}

/// Whether a stored hash should be replaced (after a successful login) because it is not
/// Argon2id v0x13 at the current parameters or above. A malformed hash also needs replacing.
pub fn needs_rehash(phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return true;
    };
    if parsed.algorithm != Algorithm::Argon2id.ident() || parsed.version != Some(Version::V0x13.into()) {
        return true;
    }
    let Ok(params) = Params::try_from(&parsed) else {
        return true;
    };
    params.m_cost() < M_COST_KIB || params.t_cost() < T_COST || params.p_cost() < P_COST
}

/// Burns as much time as a real [`verify`] (against a fixed hash with the current parameters),
/// for logins with an unknown username, so timing does not reveal which usernames exist.
pub fn dummy_verify(password: &str) {
    let _ = verify(password, DUMMY_PHC);
}

/// Parses a stored hash and refuses anything we would not have written or cannot verify safely.
fn parse_supported(phc: &str) -> Result<PasswordHash<'_>, PasswordError> {
    let parsed = PasswordHash::new(phc).map_err(|_| PasswordError::MalformedHash)?;
    Algorithm::try_from(parsed.algorithm).map_err(|_| PasswordError::MalformedHash)?;
    if parsed.salt.is_none() || parsed.hash.is_none() {
        return Err(PasswordError::MalformedHash);
    }
    let params = Params::try_from(&parsed).map_err(|_| PasswordError::MalformedHash)?;
    if params.m_cost() > MAX_M_COST_KIB || params.t_cost() > MAX_T_COST || params.p_cost() > MAX_P_COST {
        return Err(PasswordError::MalformedHash);
    }
    Ok(parsed)
}

/// Runs hashing on the blocking thread pool, at most `limit` at a time. Cheap to clone.
#[derive(Debug, Clone)]
pub struct HashingPool {
    permits: Arc<Semaphore>,
    limit: usize,
    max_wait: Duration,
}

impl Default for HashingPool {
    fn default() -> Self {
        Self::new(Self::default_limit())
    }
}

impl HashingPool {
    /// How long a request waits for a free slot before giving up with [`PasswordError::Busy`].
    pub const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(10);

    /// At most `limit` hashes at a time (at least 1).
    pub fn new(limit: usize) -> Self {
        let limit = limit.max(1);
        Self { permits: Arc::new(Semaphore::new(limit)), limit, max_wait: Self::DEFAULT_MAX_WAIT }
    }

    /// Twice the available parallelism, at least 2.
    pub fn default_limit() -> usize {
        std::thread::available_parallelism().map_or(1, usize::from).saturating_mul(2).max(2)
    }

    /// Changes how long a request may wait for a free slot.
    pub fn with_max_wait(mut self, max_wait: Duration) -> Self {
        self.max_wait = max_wait;
        self
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Slots free right now.
    pub fn available(&self) -> usize {
        self.permits.available_permits()
    }

    /// [`hash`] off the async workers, holding a slot.
    pub async fn hash_limited(&self, password: String) -> Result<String, PasswordError> {
        self.run(move || hash(&password)).await?
    }

    /// [`verify`] off the async workers, holding a slot.
    pub async fn verify_limited(&self, password: String, phc: String) -> Result<bool, PasswordError> {
        self.run(move || verify(&password, &phc)).await?
    }

    /// [`dummy_verify`] off the async workers, holding a slot.
    pub async fn dummy_verify_limited(&self, password: String) -> Result<(), PasswordError> {
        self.run(move || dummy_verify(&password)).await
    }

    async fn run<T, F>(&self, work: F) -> Result<T, PasswordError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let permit = self.acquire().await?;
        // The permit moves into the closure: it is released when the hashing is done, even if
        // the request that started it has gone away meanwhile.
        actix_web::web::block(move || {
            let result = work();
            drop(permit);
            result
        })
        .await
        .map_err(|_| PasswordError::Task)
    }

    async fn acquire(&self) -> Result<OwnedSemaphorePermit, PasswordError> {
        match tokio::time::timeout(self.max_wait, Arc::clone(&self.permits).acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            // Timed out, or the semaphore was closed (never done here).
            Ok(Err(_)) | Err(_) => Err(PasswordError::Busy),
        }
    }
}

/// A way a new password breaks the policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyViolation {
    TooShort,
    TooLong,
    TooCommon,
    ContainsUsername,
}

impl PolicyViolation {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooShort => "password_too_short",
            Self::TooLong => "password_too_long",
            Self::TooCommon => "password_too_common",
            Self::ContainsUsername => "password_contains_username",
        }
    }

    /// Human-readable explanation in Georgian and English.
    pub fn message(&self) -> Message {
        match self {
            Self::TooShort => Message::new(
                format!("პაროლი უნდა შედგებოდეს მინიმუმ {MIN_LENGTH} სიმბოლოსგან."),
                format!("The password must be at least {MIN_LENGTH} characters long."),
            ),
            Self::TooLong => Message::new(
                format!("პაროლი არ უნდა აღემატებოდეს {MAX_LENGTH} სიმბოლოს."),
                format!("The password must be at most {MAX_LENGTH} characters long."),
            ),
            Self::TooCommon => Message::new(
                "ეს პაროლი ძალიან გავრცელებულია და ადვილად გამოსაცნობია; აირჩიეთ სხვა.",
                "This password is too common and easy to guess; choose another one.",
            ),
            Self::ContainsUsername => Message::new(
                "პაროლი არ უნდა შეიცავდეს მომხმარებლის სახელს.",
                "The password must not contain the username.",
            ),
        }
    }
}

/// Checks a new password against the policy: length in characters, the common-password list
/// (case-insensitive) and the username (case-insensitive, when it has 3 or more characters).
/// Returns every violation found.
pub fn check_policy(password: &str, username: &str) -> Result<(), Vec<PolicyViolation>> {
    let mut violations = Vec::new();
    let length = password.chars().count();
    if length < MIN_LENGTH {
        violations.push(PolicyViolation::TooShort);
    }
    if length > MAX_LENGTH {
        violations.push(PolicyViolation::TooLong);
    }
    let lowered = password.to_lowercase();
    if COMMON_PASSWORDS.contains(lowered.as_str()) {
        violations.push(PolicyViolation::TooCommon);
    }
    let username = username.trim().to_lowercase();
    if username.chars().count() >= 3 && lowered.contains(&username) {
        violations.push(PolicyViolation::ContainsUsername);
    }
    if violations.is_empty() { Ok(()) } else { Err(violations) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_hash_has_owasp_parameters() {
        let phc = hash("correct horse battery staple").unwrap();
        let parsed = PasswordHash::new(&phc).unwrap();
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        assert_eq!(parsed.version, Some(19));
        assert_eq!(parsed.params.get_decimal("m"), Some(19456));
        assert_eq!(parsed.params.get_decimal("t"), Some(2));
        assert_eq!(parsed.params.get_decimal("p"), Some(1));
        assert!(parsed.salt.unwrap().as_str().len() >= 22, "at least 16 bytes of salt");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(!needs_rehash(&phc));
    }

    #[test]
    fn the_hasher_uses_owasp_parameters() {
        let params = hasher().params().clone();
        assert_eq!((params.m_cost(), params.t_cost(), params.p_cost()), (19456, 2, 1));
        assert!(params.m_cost() >= 19 * 1024 && params.t_cost() >= 2 && params.p_cost() >= 1);
    }

    #[test]
    fn hash_and_verify_round_trip() {
        for password in ["correct horse battery staple", "ჩემი საიდუმლო პაროლი 2025", "Ünïcödé — пароль 🔑"]
        {
            let phc = hash(password).unwrap();
            assert!(verify(password, &phc).unwrap(), "{password}");
            assert!(!verify(&format!("{password}x"), &phc).unwrap());
        }
    }

    #[test]
    fn salts_differ() {
        assert_ne!(hash("same password here").unwrap(), hash("same password here").unwrap());
    }

    #[test]
    fn a_wrong_password_is_false() {
        let phc = hash("ჩემი საიდუმლო პაროლი").unwrap();
        assert!(!verify("ჩემი საიდუმლო პაროლ", &phc).unwrap());
        assert!(!verify("", &phc).unwrap());
        assert!(!verify("CORRECT HORSE BATTERY STAPLE", &hash("correct horse battery staple").unwrap()).unwrap());
    }

    #[test]
    fn a_malformed_hash_is_an_error() {
        let good = hash("correct horse battery staple").unwrap();
        let without_hash = good.rsplit_once('$').unwrap().0.to_owned();
        let cases = [
            String::new(),
            "not a hash".to_owned(),
            "$argon2id$".to_owned(),
            without_hash,
            "$2b$12$abcdefghijklmnopqrstuu5Ojw4bM5nZKq1rkC7zd6Gk0V9w0SE6a".to_owned(),
            good.replace("argon2id", "scrypt"),
            good.replace("m=19456", "m=4194304"),
            good.replace("t=2", "t=1000"),
        ];
        for phc in cases {
            assert!(matches!(verify("correct horse battery staple", &phc), Err(PasswordError::MalformedHash)), "{phc}");
        }
    }

    #[test]
    fn weaker_hashes_need_rehash() {
        let weak = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8192, 1, 1, None).unwrap());
        let salt = SaltString::encode_b64(&[7u8; 16]).unwrap();
        let phc = weak.hash_password(b"correct horse battery staple", &salt).unwrap().to_string();
        assert!(verify("correct horse battery staple", &phc).unwrap(), "old hashes still verify");
        assert!(needs_rehash(&phc));
        let argon2i = Argon2::new(Algorithm::Argon2i, Version::V0x13, Params::default());
        let phc = argon2i.hash_password(b"correct horse battery staple", &salt).unwrap().to_string();
        assert!(needs_rehash(&phc));
        assert!(needs_rehash("garbage"));
    }

    #[test]
    fn the_dummy_hash_costs_as_much_as_a_real_one() {
        let dummy = PasswordHash::new(DUMMY_PHC).unwrap();
        let real_phc = hash("correct horse battery staple").unwrap();
        let real = PasswordHash::new(&real_phc).unwrap();
        assert_eq!(dummy.algorithm, real.algorithm);
        assert_eq!(dummy.version, real.version);
        assert_eq!(dummy.params, real.params);
        assert!(!needs_rehash(DUMMY_PHC));
        assert!(parse_supported(DUMMY_PHC).is_ok());
        dummy_verify("whoever@example.org");
    }

    #[test]
    fn policy_length_boundaries() {
        let user = "nino";
        assert_eq!(check_policy(&"x7Qz".repeat(3)[..11], user), Err(vec![PolicyViolation::TooShort]));
        assert_eq!(check_policy(&"x7Qz".repeat(3), user), Ok(()));
        assert_eq!(check_policy(&"x7Qz".repeat(32), user), Ok(()));
        assert_eq!(check_policy(&format!("{}a", "x7Qz".repeat(32)), user), Err(vec![PolicyViolation::TooLong]));
        // Characters, not bytes: 12 Georgian letters are 36 bytes but 12 characters.
        assert_eq!(check_policy("აბგდევზთიკლმ", user), Ok(()));
        assert_eq!(check_policy("აბგდევზთიკლ", user), Err(vec![PolicyViolation::TooShort]));
        assert_eq!(check_policy(&"ჯ".repeat(128), user), Ok(()));
        assert_eq!(check_policy(&"ჯ".repeat(129), user), Err(vec![PolicyViolation::TooLong]));
        assert_eq!(check_policy("", user), Err(vec![PolicyViolation::TooShort]));
    }

    #[test]
    fn common_passwords_are_refused() {
        assert_eq!(check_policy("password1234", "nino"), Err(vec![PolicyViolation::TooCommon]));
        assert_eq!(check_policy("PassWord1234", "nino"), Err(vec![PolicyViolation::TooCommon]));
        assert_eq!(check_policy("qwertyuiop123", "nino"), Err(vec![PolicyViolation::TooCommon]));
        assert_eq!(check_policy("password", "nino"), Err(vec![PolicyViolation::TooShort, PolicyViolation::TooCommon]));
        assert!(COMMON_PASSWORDS.len() >= 9_000);
        assert!(!COMMON_PASSWORDS.iter().any(|p| p.starts_with('#')));
        assert!(COMMON_PASSWORDS.iter().all(|p| *p == p.to_lowercase()));
    }

    #[test]
    fn the_username_inside_the_password_is_refused() {
        assert_eq!(check_policy("my-Nino.Beridze-2025!", "nino.beridze"), Err(vec![PolicyViolation::ContainsUsername]));
        assert_eq!(check_policy("  ნინო ბერიძე 2025 წელი ", "ნინო"), Err(vec![PolicyViolation::ContainsUsername]));
        assert_eq!(check_policy("a long passphrase of mine", "al"), Ok(()), "very short usernames are not matched");
        assert_eq!(check_policy("a long passphrase of mine", ""), Ok(()));
    }

    #[test]
    fn violations_have_codes_and_bilingual_messages() {
        let all = [
            (PolicyViolation::TooShort, "password_too_short"),
            (PolicyViolation::TooLong, "password_too_long"),
            (PolicyViolation::TooCommon, "password_too_common"),
            (PolicyViolation::ContainsUsername, "password_contains_username"),
        ];
        for (violation, code) in all {
            assert_eq!(violation.code(), code);
            let message = violation.message();
            assert!(!message.ka.is_empty() && !message.en.is_empty());
            assert!(message.ka.chars().any(|c| ('\u{10D0}'..='\u{10FF}').contains(&c)), "{}", message.ka);
        }
        assert!(PolicyViolation::TooShort.message().en.contains("12"));
    }

    #[actix_web::test]
    async fn the_pool_hashes_and_verifies_off_the_workers() {
        let pool = HashingPool::new(2);
        assert_eq!(pool.limit(), 2);
        let phc = pool.hash_limited("ჩემი საიდუმლო პაროლი".to_owned()).await.unwrap();
        assert!(pool.verify_limited("ჩემი საიდუმლო პაროლი".to_owned(), phc.clone()).await.unwrap());
        assert!(!pool.verify_limited("wrong password!".to_owned(), phc).await.unwrap());
        assert!(matches!(
            pool.verify_limited("x".to_owned(), "bad".to_owned()).await,
            Err(PasswordError::MalformedHash)
        ));
        pool.dummy_verify_limited("nobody".to_owned()).await.unwrap();
        assert_eq!(pool.available(), 2, "every permit is returned");
    }

    #[actix_web::test]
    async fn the_pool_limits_concurrency_and_reports_busy() {
        let pool = HashingPool::new(1).with_max_wait(Duration::from_millis(1));
        // Hold the only slot, as a long-running hash would.
        let held = Arc::clone(&pool.permits).acquire_owned().await.unwrap();
        assert_eq!(pool.available(), 0);
        assert!(matches!(pool.hash_limited("correct horse battery staple".to_owned()).await, Err(PasswordError::Busy)));
        drop(held);
        assert!(pool.hash_limited("correct horse battery staple".to_owned()).await.is_ok());
    }

    #[actix_web::test]
    async fn concurrent_requests_queue_for_a_slot() {
        let pool = HashingPool::new(2);
        let phc = hash("correct horse battery staple").unwrap();
        let tasks: Vec<_> = (0..5)
            .map(|_| {
                let pool = pool.clone();
                let phc = phc.clone();
                actix_web::rt::spawn(async move {
                    pool.verify_limited("correct horse battery staple".to_owned(), phc).await
                })
            })
            .collect();
        for task in tasks {
            assert!(task.await.unwrap().unwrap());
        }
        assert_eq!(pool.available(), 2);
    }

    #[test]
    fn the_default_limit_is_at_least_two() {
        assert!(HashingPool::default_limit() >= 2);
        assert_eq!(HashingPool::default().limit(), HashingPool::default_limit());
        assert_eq!(HashingPool::new(0).limit(), 1);
    }
}
