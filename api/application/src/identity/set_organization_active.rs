//! Deactivate or reactivate an organisation.

use persistence::WriteTx;
use persistence::repo::organizations::OrganizationRecord;

use super::organization_version;
use domain::message::Message;

use crate::ExpectedVersion;
use crate::OrganizationId;
use crate::{ActionError, Principal};

/// Deactivates (`active = false`) or reactivates the organisation `id` at `expected_version`.
/// Its data stays; while it is inactive its users and clients cannot log in, and a deactivation
/// ends their live tokens for good, reactivated or not (#8.4). Never the caller's own
/// organisation (`SelfLockout`: the ministry cannot switch itself off). R13: audited.
pub fn set_organization_active(
    tx: &mut WriteTx<'_>,
    principal: &Principal,
    id: &OrganizationId,
    expected_version: impl Into<ExpectedVersion>,
    active: bool,
) -> Result<OrganizationRecord, ActionError> {
    let id = id.as_str();
    if !active && principal.organization_id == id {
        return Err(super::self_lockout(Message::new(
            "საკუთარი ორგანიზაციის გათიშვა შეუძლებელია",
            "You cannot deactivate your own organisation (its users, you too, could no longer log in)",
        )));
    }
    let expected_version = organization_version(tx.read(), id, expected_version.into())?;
    Ok(persistence::repo::organizations::set_active(tx, id, expected_version, active)?)
}
