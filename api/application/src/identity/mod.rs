//! Identity and administration: the organisations of the program, the people who log in and
//! the NGO systems (API clients).
//!
//! - [`create_organization`], [`update_organization`], [`set_organization_active`],
//!   [`ensure_ministry`]: the ministry and the implementing NGOs.
//! - [`create_user`], [`update_user`], [`set_user_active`], [`reset_password`],
//!   [`change_own_password`]: people and their passwords.
//! - [`create_client`], [`rotate_client_secret`], [`revoke_client`]: NGO systems.
//!
//! Who may run the administrator's actions is declared where the routes are registered (only
//! `admin`); the tools (`admin create`, the demo loader, the seeder) run them as the system.
//! These actions therefore take no principal: the audit trail (R13) records the actor of the
//! transaction they run in. Only [`change_own_password`] acts on the principal itself.
//!
//! Hashing a password or a secret is slow CPU work that the caller does (the HTTP layer on its
//! bounded hashing pool): the actions take and store hashes, never a password. A write that may
//! end someone's tokens (a deactivation, a role change, a new password, a revocation) moves the
//! principal's token generation on in `persistence` (#8.4).

pub mod change_own_password;
pub mod create_client;
pub mod create_organization;
pub mod create_user;
pub mod ensure_ministry;
pub mod reset_password;
pub mod revoke_client;
pub mod rotate_client_secret;
pub mod set_organization_active;
pub mod set_user_active;
pub mod update_organization;
pub mod update_user;

use domain::codes;
use domain::message::{FieldError, Message};
use domain::region::RegionCode;
use domain::role::Role;
use persistence::models::identity::OrganizationChanges;
use persistence::{DbConnection, StoreError, Visibility};

use crate::error::FieldErrors;
use crate::{ActionError, ExpectedVersion, Refusal, RefusalCode};

/// What an administrator writes about an organisation (create and full update).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationDetails {
    /// The name in Georgian script.
    pub name_ka: String,
    /// The name in English.
    pub name_en: String,
    /// E.g. "non-entrepreneurial non-commercial legal entity".
    pub legal_form: String,
    /// An e-mail address to reach it.
    pub contact_email: Option<String>,
    /// A telephone number to reach it.
    pub contact_phone: Option<String>,
    /// Its postal address.
    pub address: Option<String>,
    /// The regions it works in; R4: none occupied.
    pub regions: Vec<RegionCode>,
}

/// The refusal of a change that would end the caller's own access (`what` it would do).
pub(crate) fn self_lockout(what: Message) -> ActionError {
    ActionError::Refused(Refusal::new(RefusalCode::SelfLockout, what))
}

/// R4: the program does not cover the occupied territories, so no organisation works there.
/// The HTTP layer reports this with the request's other field errors.
pub fn region_error(field: impl Into<String>, region: RegionCode) -> Option<FieldError> {
    region.is_occupied().then(|| {
        FieldError::new(
            field,
            codes::REGION_NOT_COVERED,
            Message::new(
                "ოკუპირებულ ტერიტორიას პროგრამა არ მოიცავს (R4)",
                "The program does not cover the occupied territories (R4)",
            ),
        )
    })
}

impl OrganizationDetails {
    /// The stored fields and the region codes (sorted, each once), or R4's field errors.
    fn into_changes(self) -> Result<(OrganizationChanges, Vec<String>), ActionError> {
        let mut errors = FieldErrors::default();
        for (i, region) in self.regions.iter().enumerate() {
            if let Some(error) = region_error(format!("regions[{i}]"), *region) {
                errors.push(error);
            }
        }
        errors.finish()?;
        let mut regions: Vec<String> = self.regions.iter().map(|r| r.code().to_owned()).collect();
        regions.sort();
        regions.dedup();
        let changes = OrganizationChanges {
            name_ka: self.name_ka,
            name_en: self.name_en,
            legal_form: self.legal_form,
            contact_email: self.contact_email,
            contact_phone: self.contact_phone,
            address: self.address,
        };
        Ok((changes, regions))
    }
}

/// NGO roles belong to an NGO, the others to the ministry (PROGRAM.md "Roles").
pub(crate) fn check_role_fits_organization(
    conn: &mut DbConnection,
    role: Role,
    organization_id: &str,
) -> Result<(), ActionError> {
    let organization = match persistence::repo::organizations::get(conn, &Visibility::All, organization_id) {
        Err(StoreError::NotFound) => {
            return Err(ActionError::field(
                "organization_id",
                codes::UNKNOWN_ORGANIZATION,
                Message::new("ორგანიზაცია ვერ მოიძებნა", "No such organisation"),
            ));
        }
        other => other?,
    };
    if organization.organization.kind.holds(role) {
        Ok(())
    } else {
        Err(ActionError::field(
            "role",
            codes::ROLE_DOES_NOT_FIT_ORGANIZATION,
            Message::new(
                "NGO-ს როლები ეკუთვნის NGO-ს, დანარჩენი - სამინისტროს",
                "NGO roles belong to an NGO, the other roles to the ministry",
            ),
        ))
    }
}

/// A unique name (an organisation's, a username) the database found taken: a refusal that says
/// which, instead of a bare conflict.
pub(crate) fn name_taken(error: StoreError, message: Message) -> ActionError {
    match error {
        StoreError::Conflict(_) => Refusal::new(RefusalCode::NameTaken, message).into(),
        other => other.into(),
    }
}

/// The version to guard a change of the user `id` with: the one `If-Match` named, or with
/// `If-Match: *` the one the user is at now.
pub(crate) fn user_version(conn: &mut DbConnection, id: &str, expected: ExpectedVersion) -> Result<i32, ActionError> {
    match expected {
        ExpectedVersion::Exactly(version) => Ok(version),
        ExpectedVersion::Any => Ok(persistence::repo::users::get(conn, &Visibility::All, id)?.version),
    }
}

/// [`user_version`] for an organisation.
pub(crate) fn organization_version(
    conn: &mut DbConnection,
    id: &str,
    expected: ExpectedVersion,
) -> Result<i32, ActionError> {
    match expected {
        ExpectedVersion::Exactly(version) => Ok(version),
        ExpectedVersion::Any => {
            Ok(persistence::repo::organizations::get(conn, &Visibility::All, id)?.organization.version)
        }
    }
}

/// [`user_version`] for an API client.
pub(crate) fn client_version(conn: &mut DbConnection, id: &str, expected: ExpectedVersion) -> Result<i32, ActionError> {
    match expected {
        ExpectedVersion::Exactly(version) => Ok(version),
        ExpectedVersion::Any => Ok(persistence::repo::clients::get(conn, &Visibility::All, id)?.version),
    }
}
