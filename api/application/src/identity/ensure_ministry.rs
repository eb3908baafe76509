//! The ministry's organisation, created on a fresh database by the tools that need it
//! (`admin create`, the demo loader, the seeder).

use domain::organization::OrganizationKind;
use persistence::models::identity::OrganizationChanges;
use persistence::repo::organizations::{self, NewOrganization};
use persistence::{Visibility, WriteTx};

use crate::ActionError;
use crate::OrganizationId;

/// The ministry's name in Georgian (PROGRAM.md "What the program is").
pub const MINISTRY_KA: &str =
    "საქართველოს ოკუპირებული ტერიტორიებიდან იძულებით გადაადგილებულ პირთა, განსახლებისა და ლტოლვილთა სამინისტრო";
/// The ministry's name in English.
pub const MINISTRY_EN: &str =
    "Ministry of Internally Displaced Persons from the Occupied Territories, Accommodation and Refugees of Georgia";

/// The ministry's organisation id, creating the organisation (R13: audited) when there is none.
pub fn ensure_ministry(tx: &mut WriteTx<'_>) -> Result<OrganizationId, ActionError> {
    let page = organizations::list(tx.read(), &Visibility::All, None, None, 10_000)?;
    for record in &page.items {
        if record.organization.kind == OrganizationKind::Ministry {
            return Ok(OrganizationId::from(record.organization.id.as_str()));
        }
    }
    let created = organizations::create(
        tx,
        NewOrganization {
            kind: OrganizationKind::Ministry,
            changes: OrganizationChanges {
                name_ka: MINISTRY_KA.to_owned(),
                name_en: MINISTRY_EN.to_owned(),
                legal_form: "ministry".to_owned(),
                contact_email: Some("reintegration@mra.gov.ge".to_owned()),
                contact_phone: Some("+995 32 243 11 00".to_owned()),
                address: Some("15a Tamarashvili St., 0177 Tbilisi".to_owned()),
            },
            regions: Vec::new(),
        },
    )?;
    Ok(OrganizationId::from(created.organization.id))
}
