//! What authentication remembers on one node, so that a request does not pay an Ed25519
//! verification and a database read each time the same token comes back.
//!
//! - A verified token is remembered by its exact text until its `exp`: the same bytes verify the
//!   same way until then, so this changes no answer.
//! - The state of a user or client (active, role, organisation, token generations, a pending
//!   password change) is remembered for `principal_ttl` (default 1 s). A deactivation, revocation, role or password
//!   change made through this node forgets everything at once ([`AuthCache::forget_principals`]);
//!   made through another node, it takes effect here within `principal_ttl`. A TTL of zero
//!   asks the database on every request.
//!
//! Both maps are bounded: when full they are emptied, which costs one verification or read per
//! live token and is never wrong.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use persistence::repo::principals::PrincipalState;

use super::Claims;

/// Entries per map (a token is ≈ 0.5 KB): at most a few MB of memory.
const MAX_ENTRIES: usize = 10_000;

/// What the database said of a principal (`None`: no such principal), when, and under which
/// [`AuthCache::generation`].
type Remembered = (Option<PrincipalState>, Instant, u64);

#[derive(Debug)]
pub struct AuthCache {
    principal_ttl: Duration,
    /// Bumped by every identity change on this node; older principal entries are stale.
    generation: AtomicU64,
    tokens: RwLock<HashMap<Box<str>, Arc<Claims>>>,
    principals: RwLock<HashMap<String, Remembered>>,
}

impl AuthCache {
    pub fn new(principal_ttl: Duration) -> Self {
        Self { principal_ttl, generation: AtomicU64::new(0), tokens: RwLock::default(), principals: RwLock::default() }
    }

    /// The claims of `token` if it was verified before and has not expired at `now` (Unix seconds).
    pub fn verified(&self, token: &str, now: i64) -> Option<Arc<Claims>> {
        let tokens = self.tokens.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        tokens.get(token).filter(|claims| claims.exp > now).cloned()
    }

    pub fn remember_verified(&self, token: &str, claims: Arc<Claims>) {
        let mut tokens = self.tokens.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        if tokens.len() >= MAX_ENTRIES {
            tokens.clear();
        }
        tokens.insert(token.into(), claims);
    }

    /// The remembered state of `subject` (`None` inside means: no such principal), if fresh.
    pub fn principal(&self, subject: &str) -> Option<Option<PrincipalState>> {
        if self.principal_ttl.is_zero() {
            return None;
        }
        let principals = self.principals.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        let (state, at, generation) = principals.get(subject)?;
        let fresh = at.elapsed() < self.principal_ttl && *generation == self.generation.load(Ordering::Acquire);
        fresh.then(|| state.clone())
    }

    /// Remembers what the database said of `subject`; `generation` is [`Self::generation`] read
    /// before the database was asked, so a change made meanwhile is not hidden.
    pub fn remember_principal(&self, subject: &str, state: Option<PrincipalState>, generation: u64) {
        if self.principal_ttl.is_zero() {
            return;
        }
        let mut principals = self.principals.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        if principals.len() >= MAX_ENTRIES {
            principals.clear();
        }
        principals.insert(subject.to_owned(), (state, Instant::now(), generation));
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// After a change to users, clients or organisations on this node: every principal is read
    /// from the database again.
    pub fn forget_principals(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> Arc<Claims> {
        Arc::new(Claims {
            sub: "user:1".into(),
            role: "auditor".into(),
            org: "o".into(),
            iss: "i".into(),
            aud: "a".into(),
            iat: 0,
            nbf: 0,
            exp,
            jti: "j".into(),
            generation: 0,
            organization_generation: 0,
        })
    }

    fn state() -> PrincipalState {
        PrincipalState {
            role: domain::role::Role::Auditor,
            organization_id: "o".into(),
            organization_kind: domain::organization::OrganizationKind::Ministry,
            active: true,
            generation: 0,
            organization_generation: 0,
            must_change_password: false,
        }
    }

    #[test]
    fn a_verified_token_is_remembered_until_it_expires() {
        let cache = AuthCache::new(Duration::from_secs(1));
        cache.remember_verified("t", claims(100));
        assert!(cache.verified("t", 99).is_some());
        assert!(cache.verified("t", 100).is_none(), "expired at exp");
        assert!(cache.verified("other", 50).is_none());
    }

    #[test]
    fn an_identity_change_on_this_node_forgets_every_principal() {
        let cache = AuthCache::new(Duration::from_secs(60));
        cache.remember_principal("user:1", Some(state()), cache.generation());
        assert_eq!(cache.principal("user:1"), Some(Some(state())));
        cache.forget_principals();
        assert_eq!(cache.principal("user:1"), None);
    }

    #[test]
    fn a_read_that_raced_a_change_is_not_trusted() {
        let cache = AuthCache::new(Duration::from_secs(60));
        let before = cache.generation();
        cache.forget_principals(); // a deactivation commits while the read is under way
        cache.remember_principal("user:1", Some(state()), before);
        assert_eq!(cache.principal("user:1"), None);
    }

    #[test]
    fn principals_expire_after_the_ttl_and_a_zero_ttl_remembers_nothing() {
        let cache = AuthCache::new(Duration::from_millis(20));
        cache.remember_principal("user:1", None, cache.generation());
        assert_eq!(cache.principal("user:1"), Some(None));
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(cache.principal("user:1"), None);
        let off = AuthCache::new(Duration::ZERO);
        off.remember_principal("user:1", None, off.generation());
        assert_eq!(off.principal("user:1"), None);
    }
}
