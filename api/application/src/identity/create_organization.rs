//! Register an implementing NGO.

use domain::message::Message;
use domain::organization::OrganizationKind;
use persistence::WriteTx;
use persistence::repo::organizations::{NewOrganization, OrganizationRecord};

use super::{OrganizationDetails, name_taken};
use crate::ActionError;

/// Another organisation has this name (organisation names are unique).
pub(crate) fn organization_name_taken() -> Message {
    Message::new("ამ სახელით ორგანიზაცია უკვე არსებობს", "An organisation with this name already exists")
}

/// Creates an active NGO (R13: audited). The ministry exists once: [`super::ensure_ministry`].
pub fn create_organization(
    tx: &mut WriteTx<'_>,
    details: OrganizationDetails,
) -> Result<OrganizationRecord, ActionError> {
    let (changes, regions) = details.into_changes()?;
    persistence::repo::organizations::create(tx, NewOrganization { kind: OrganizationKind::Ngo, changes, regions })
        .map_err(|e| name_taken(e, organization_name_taken()))
}
