//! Authentication building blocks: signing keys, access tokens and password hashing.
//!
//! - [`address`]: the client's address behind trusted proxies, for login throttling.
//! - [`cache`]: verified tokens and principal states remembered on this node.
//! - [`keys`]: the Ed25519 key set tokens are signed and verified with (rotation by `kid`).
//! - [`token`]: issuing and strictly verifying short-lived JWTs.
//! - [`password`]: Argon2id hashing off the async workers, and the password policy.

pub mod address;
pub mod cache;
pub mod keys;
pub mod password;
pub mod token;

pub use keys::{KeyError, KeySet};
pub use password::{HashingPool, PasswordError, PolicyViolation};
pub use token::{Claims, Generations, IssuedToken, TokenError, TokenSettings, Tokens};
