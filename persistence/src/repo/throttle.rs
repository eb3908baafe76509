//! Failed-login throttling, kept in the database so that it holds when several API nodes share
//! one PostgreSQL. This is operational state, not program data: it is not audited (failed logins
//! are logged instead).
//!
//! Each key has its own limit (the caller decides which keys an attempt counts against, #8.6),
//! and the addresses an account has logged in from are remembered, so that failures spread over
//! many addresses can lock the account for strangers without locking out its owner.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::schema::{login_known_addresses, login_throttle};
use crate::{DbConnection, StoreError};

#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    /// Failures within `window` before an account is locked for one address; other keys allow
    /// a multiple of it (see the API's login throttling).
    pub max_failures: i32,
    pub window: Duration,
    /// The first lock; each further failure while over the limit doubles it, up to `max_lock`.
    pub base_lock: Duration,
    pub max_lock: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            window: Duration::minutes(15),
            base_lock: Duration::seconds(60),
            max_lock: Duration::hours(1),
        }
    }
}

/// The latest `locked_until` among `keys` that is still in the future.
pub fn locked_until(
    conn: &mut DbConnection,
    keys: &[String],
    now: NaiveDateTime,
) -> Result<Option<NaiveDateTime>, StoreError> {
    let until: Option<Option<NaiveDateTime>> = login_throttle::table
        .filter(login_throttle::throttle_key.eq_any(keys))
        .filter(login_throttle::locked_until.gt(now))
        .select(login_throttle::locked_until)
        .order(login_throttle::locked_until.desc())
        .first(conn)
        .optional()?;
    Ok(until.flatten())
}

/// Counts one failure against `key` (atomically, also under concurrent attempts) and locks the
/// key once it has `limit` failures within the policy's window. Returns the lock's end when it
/// is locked now.
pub fn record_failure(
    conn: &mut DbConnection,
    key: &str,
    limit: i32,
    now: NaiveDateTime,
    policy: &ThrottlePolicy,
) -> Result<Option<NaiveDateTime>, StoreError> {
    conn.transaction(|conn| {
        // A quiet window forgets old failures (unless a lock is still running).
        diesel::update(
            login_throttle::table
                .filter(login_throttle::throttle_key.eq(key))
                .filter(login_throttle::first_failure_at.lt(now - policy.window))
                .filter(login_throttle::locked_until.is_null().or(login_throttle::locked_until.lt(now))),
        )
        .set((login_throttle::failures.eq(0), login_throttle::first_failure_at.eq(now)))
        .execute(conn)?;
        let updated = diesel::update(login_throttle::table.filter(login_throttle::throttle_key.eq(key)))
            .set((login_throttle::failures.eq(login_throttle::failures + 1), login_throttle::updated_at.eq(now)))
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(login_throttle::table)
                .values((
                    login_throttle::throttle_key.eq(key),
                    login_throttle::failures.eq(1),
                    login_throttle::first_failure_at.eq(now),
                    login_throttle::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        let failures: i32 = login_throttle::table
            .filter(login_throttle::throttle_key.eq(key))
            .select(login_throttle::failures)
            .first(conn)?;
        let limit = limit.max(1);
        if failures < limit {
            return Ok(None);
        }
        let doublings = u32::try_from(failures - limit).unwrap_or(u32::MAX).min(16);
        let lock = (policy.base_lock * 2_i32.pow(doublings)).min(policy.max_lock);
        let until = now + lock;
        diesel::update(login_throttle::table.filter(login_throttle::throttle_key.eq(key)))
            .set(login_throttle::locked_until.eq(until))
            .execute(conn)?;
        Ok(Some(until))
    })
}

/// A successful login forgets the failures of `keys`.
pub fn clear(conn: &mut DbConnection, keys: &[String]) -> Result<(), StoreError> {
    diesel::delete(login_throttle::table.filter(login_throttle::throttle_key.eq_any(keys))).execute(conn)?;
    Ok(())
}

/// Whether `account` has logged in from `address` before.
pub fn is_known_address(conn: &mut DbConnection, account: &str, address: &str) -> Result<bool, StoreError> {
    let found: Option<String> = login_known_addresses::table
        .find((account, address))
        .select(login_known_addresses::address)
        .first(conn)
        .optional()?;
    Ok(found.is_some())
}

/// Remembers that `account` logged in from `address` (at `now`).
pub fn remember_address(
    conn: &mut DbConnection,
    account: &str,
    address: &str,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let updated = diesel::update(login_known_addresses::table.find((account, address)))
        .set(login_known_addresses::last_success_at.eq(now))
        .execute(conn)?;
    if updated == 0 {
        let inserted = diesel::insert_into(login_known_addresses::table)
            .values((
                login_known_addresses::account_key.eq(account),
                login_known_addresses::address.eq(address),
                login_known_addresses::last_success_at.eq(now),
            ))
            .execute(conn);
        match inserted.map_err(StoreError::from) {
            // Two first logins at once from one address: the other one remembered it.
            Ok(_) | Err(StoreError::Conflict(_)) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(())
}
