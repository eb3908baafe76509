//! The seed's services S1–S4 on its eligible cases, in every state, each walked through the
//! lifecycle the actions allow: requested by the NGO's caseworker, approved or rejected by its
//! manager (R12), the approval charged to the NGO's grant for the year of the approval while it
//! has room (R10, else rejected for want of money), sometimes supplemented, then delivered (a
//! cost below the approval gives the rest back) or cancelled (giving all of it back).

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use domain::service::{ConditionCategory, ServiceStatus, ServiceType};
use persistence::repo::services::{
    Details, MedicalDetails, PsychosocialDetails, Service, ServiceRecord, SocialProjectDetails, VocationalDetails,
};

use super::Rng;

/// The seed's two principals in one NGO (R12: the requester never decides).
#[derive(Debug, Clone)]
pub(super) struct Staff {
    /// Requests services (`ngo_caseworker`).
    pub caseworker: String,
    /// Approves, rejects and supplements them (`ngo_manager`).
    pub manager: String,
}

/// What the services hold at the end, per NGO (its index), program year and type, in tetri.
pub(super) type Demand = HashMap<(usize, i32, ServiceType), i64>;

/// One grant as the seeder sees it: when it runs, and what is left of it and of its ceilings.
#[derive(Debug, Clone)]
pub(super) struct GrantRoom {
    pub id: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub remaining: i64,
    pub ceilings: HashMap<ServiceType, i64>,
}

/// Where approvals are charged. Planning (the sample run) charges everything and records the
/// demand; funded (the real run) charges a grant only while it has room, as R10's conditional
/// UPDATE will when the batch is written.
pub(super) enum Ledger {
    Planning(Demand),
    Funded(HashMap<(usize, i32), GrantRoom>),
}

impl Ledger {
    /// Charges `amount` for a `service_type` approval on `on` to the NGO's grant for that year;
    /// the grant's id, or `None` when there is none running that day or it has no room.
    fn charge(&mut self, organization: usize, on: NaiveDate, service_type: ServiceType, amount: i64) -> Option<String> {
        match self {
            Ledger::Planning(demand) => {
                *demand.entry((organization, on.year(), service_type)).or_default() += amount;
                Some(String::new())
            }
            Ledger::Funded(grants) => {
                let grant = grants.get_mut(&(organization, on.year()))?;
                let ceiling = grant.ceilings.get(&service_type).copied().unwrap_or(i64::MAX);
                if on < grant.period_start || on > grant.period_end || amount > grant.remaining || amount > ceiling {
                    return None;
                }
                grant.remaining -= amount;
                if let Some(room) = grant.ceilings.get_mut(&service_type) {
                    *room -= amount;
                }
                Some(grant.id.clone())
            }
        }
    }

    /// Gives `amount` back to the grant an approval on `approved_on` was charged to.
    fn release(&mut self, organization: usize, approved_on: NaiveDate, service_type: ServiceType, amount: i64) {
        match self {
            Ledger::Planning(demand) => {
                *demand.entry((organization, approved_on.year(), service_type)).or_default() -= amount;
            }
            Ledger::Funded(grants) => {
                if let Some(grant) = grants.get_mut(&(organization, approved_on.year())) {
                    grant.remaining += amount;
                    if let Some(room) = grant.ceilings.get_mut(&service_type) {
                        *room += amount;
                    }
                }
            }
        }
    }
}

/// What the seed's services are made with: the NGOs' staff, today, and the load's timestamp.
pub(super) struct Context<'a> {
    pub staff: &'a [Staff],
    pub today: NaiveDate,
    pub now: NaiveDateTime,
}

/// The types requested on cases, by weight (out of 100).
const TYPES: [(ServiceType, u64); 6] = [
    (ServiceType::MedicalDiagnostics, 14),
    (ServiceType::EmergencyMedicalCare, 6),
    (ServiceType::Medication, 20),
    (ServiceType::PsychosocialRehabilitation, 18),
    (ServiceType::SocialProject, 14),
    (ServiceType::VocationalReferral, 28),
];

/// Where a service's lifecycle ends, by weight (out of 100).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Requested,
    Approved,
    Rejected,
    Delivered,
    CancelledWhileRequested,
    CancelledAfterApproval,
}

const FATES: [(Fate, u64); 6] = [
    (Fate::Requested, 10),
    (Fate::Approved, 20),
    (Fate::Rejected, 10),
    (Fate::Delivered, 46),
    (Fate::CancelledWhileRequested, 6),
    (Fate::CancelledAfterApproval, 8),
];

fn weighted<T: Copy>(rng: &mut Rng, items: &[(T, u64)]) -> T {
    let mut roll = rng.next() % items.iter().map(|(_, w)| w).sum::<u64>().max(1);
    for (item, weight) in items {
        if roll < *weight {
            return *item;
        }
        roll -= weight;
    }
    items[0].0
}

/// A whole number of GEL between `low` and `high` GEL, in tetri.
fn gel(rng: &mut Rng, low: u64, high: u64) -> i64 {
    i64::try_from((low + rng.next() % (high - low + 1)) * 100).unwrap_or(0)
}

/// `from` plus up to `days` days, never after today.
fn later(rng: &mut Rng, from: NaiveDate, days: usize, today: NaiveDate) -> NaiveDate {
    (from + Duration::days(i64::try_from(rng.below(days + 1)).unwrap_or(0))).min(today)
}

/// A time in office hours (Tbilisi, UTC+4) on `day`, in UTC.
fn at(rng: &mut Rng, day: NaiveDate) -> NaiveDateTime {
    let seconds = 5 * 3600 + rng.below(9 * 3600);
    day.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::seconds(i64::try_from(seconds).unwrap_or(0))
}

const ICD10: [&str; 10] = ["E11.9", "I10", "J45.9", "F43.1", "K29.7", "M54.5", "C50.9", "N18.5", "B18.2", "F32.1"];
const PROVIDERS: [&str; 5] = [
    "Aversi pharmacy, Rustavi",
    "PSP pharmacy, Tbilisi",
    "Tbilisi State Medical University clinic",
    "Batumi Referral Hospital",
    "Kutaisi Regional Hospital",
];
const MEDICAL_NOTES: [&str; 4] = [
    "ინსულინი სამი თვით",
    "Follow-up examination in six weeks",
    "გადაუდებელი ჰოსპიტალიზაცია",
    "Medicines for three months",
];
/// (sector, title, business description) of small income projects.
const PROJECTS: [(&str, &str, &str); 6] = [
    ("agriculture", "Greenhouse vegetables", "A 200 m² greenhouse for tomatoes and cucumbers sold at the local market"),
    ("beekeeping", "Family apiary", "Twenty hives and an extractor; honey sold to shops in the region"),
    ("tailoring", "სამკერვალო სახელოსნო", "Two sewing machines; repairs and school uniforms made to order"),
    ("car repair", "Tyre and wheel service", "A roadside tyre fitting and balancing station"),
    ("bakery", "თონის პური", "A tone oven for traditional bread, delivered to nearby villages"),
    ("tourism", "Guest house rooms", "Two rooms renovated for hikers, listed on booking platforms"),
];
const SKILLS: [&str; 5] =
    ["Driving licence B, basic Italian", "Construction work abroad", "Care of the elderly", "Cooking", "Welding"];
const INTERESTS: [&str; 4] = ["Working with people", "Technical work", "Own small business", "Agriculture"];
const DIRECTIONS: [&str; 6] = ["welder", "electrician", "cook", "caregiver", "hairdresser", "accountant"];
const EDUCATION: [&str; 3] = ["secondary school", "vocational college", "incomplete higher education"];
const REJECTIONS: [&str; 3] =
    ["Covered by the state health programme", "Not supported by the assessment", "The beneficiary withdrew"];
const CANCELLATIONS: [&str; 3] = ["The beneficiary moved abroad again", "Requested twice", "The provider closed"];

/// A request of `service_type`: its amount and details.
fn request(rng: &mut Rng, service_type: ServiceType, requested_on: NaiveDate, today: NaiveDate) -> (i64, Details) {
    let medical = |rng: &mut Rng, low, high| {
        let details = MedicalDetails {
            service_id: String::new(),
            condition_category: *rng.pick(&ConditionCategory::ALL),
            icd10_code: rng.chance(60).then(|| (*rng.pick(&ICD10)).to_owned()),
            notes: rng.chance(40).then(|| (*rng.pick(&MEDICAL_NOTES)).to_owned()),
            provider: rng.chance(70).then(|| (*rng.pick(&PROVIDERS)).to_owned()),
        };
        (gel(rng, low, high), Details::Medical(details))
    };
    match service_type {
        ServiceType::MedicalDiagnostics => medical(rng, 80, 600),
        ServiceType::EmergencyMedicalCare => medical(rng, 300, 4_000),
        ServiceType::PsychosocialRehabilitation => {
            let sessions = 4 + rng.below(21);
            let amount = gel(rng, 30, 60) * i64::try_from(sessions).unwrap_or(1);
            let planned_sessions = i32::try_from(sessions).unwrap_or(4);
            (amount, Details::Psychosocial(PsychosocialDetails { service_id: String::new(), planned_sessions }))
        }
        ServiceType::SocialProject => {
            let (sector, title, description) = *rng.pick(&PROJECTS);
            let details = SocialProjectDetails {
                service_id: String::new(),
                title: title.to_owned(),
                sector: sector.to_owned(),
                business_description: description.to_owned(),
            };
            (gel(rng, 15, 50) * 100, Details::SocialProject(details))
        }
        ServiceType::VocationalReferral => {
            // S4 costs the grant nothing unless a cost is recorded.
            let amount = if rng.chance(15) { gel(rng, 150, 600) } else { 0 };
            let mut directions = vec![(*rng.pick(&DIRECTIONS)).to_owned()];
            if rng.chance(40) {
                directions.push((*rng.pick(&DIRECTIONS)).to_owned());
                directions.dedup();
            }
            let details = VocationalDetails {
                education: rng.chance(60).then(|| (*rng.pick(&EDUCATION)).to_owned()),
                skills: (*rng.pick(&SKILLS)).to_owned(),
                interests: (*rng.pick(&INTERESTS)).to_owned(),
                proposed_directions: directions,
                division_informed_on: rng.chance(70).then(|| later(rng, requested_on, 10, today)),
                feed_position: 0, // taken when the batch is written
            };
            (amount, Details::Vocational(details))
        }
        // Medication, and the types never requested on a case (not drawn).
        _ => medical(rng, 30, 500),
    }
}

/// One service for `case_id` of the NGO `organization` (its index in the staff list), requested
/// on `requested_on`, walked to its fate.
pub(super) fn service(
    rng: &mut Rng,
    context: &Context<'_>,
    ledger: &mut Ledger,
    (organization, organization_id): (usize, &str),
    case_id: &str,
    requested_on: NaiveDate,
) -> ServiceRecord {
    let Context { staff, today, now } = *context;
    let staff = &staff[organization];
    let service_type = weighted(rng, &TYPES);
    let (requested, details) = request(rng, service_type, requested_on, today);
    let mut service = Service {
        id: persistence::new_id(),
        case_id: case_id.to_owned(),
        organization_id: organization_id.to_owned(),
        service_type,
        grant_id: None,
        status: ServiceStatus::Requested,
        requested_amount_tetri: requested,
        approved_amount_tetri: None,
        supplementary_tetri: 0,
        delivered_amount_tetri: None,
        requested_by_user_id: Some(staff.caseworker.clone()),
        requested_by_client_id: None,
        requested_at: at(rng, requested_on),
        requested_on,
        reference: rng.chance(40).then(|| format!("REQ-{}-{:06}", requested_on.year(), rng.below(1_000_000))),
        decided_by_user_id: None,
        decided_by_client_id: None,
        decided_at: None,
        decided_on: None,
        supplemented_by_user_id: None,
        supplemented_by_client_id: None,
        delivered_on: None,
        delivery_reference: None,
        closed_reason: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let fate = weighted(rng, &FATES);
    let decided_on = later(rng, requested_on, 21, today);
    let decide = |service: &mut Service, status: ServiceStatus, rng: &mut Rng| {
        service.status = status;
        service.decided_by_user_id = Some(staff.manager.clone());
        service.decided_at = Some(at(rng, decided_on));
        service.decided_on = Some(decided_on);
        service.version += 1;
    };
    match fate {
        Fate::Requested => {}
        Fate::CancelledWhileRequested => {
            service.status = ServiceStatus::Cancelled;
            service.closed_reason = Some((*rng.pick(&CANCELLATIONS)).to_owned());
            service.version += 1;
        }
        Fate::Rejected => {
            decide(&mut service, ServiceStatus::Rejected, rng);
            service.closed_reason = Some((*rng.pick(&REJECTIONS)).to_owned());
        }
        Fate::Approved | Fate::Delivered | Fate::CancelledAfterApproval => {
            let approved = if rng.chance(15) { requested / 100 * (80 + rng.below(20) as i64) } else { requested };
            let grant_id = match approved {
                0 => None,
                _ => match ledger.charge(organization, decided_on, service_type, approved) {
                    Some(grant_id) => Some(grant_id),
                    None => {
                        // R10: no grant running that day, or no room left: the manager rejects it.
                        decide(&mut service, ServiceStatus::Rejected, rng);
                        service.closed_reason = Some(format!("No grant money left for {} (R10)", decided_on.year()));
                        return ServiceRecord { service, details };
                    }
                },
            };
            decide(&mut service, ServiceStatus::Approved, rng);
            service.grant_id = grant_id;
            service.approved_amount_tetri = Some(approved);
            if approved > 0 && fate != Fate::CancelledAfterApproval && rng.chance(6) {
                // A supplementary approval of a cost above the approval, by the manager (R10, R12).
                let extra = (approved / 100 * (5 + rng.below(16) as i64)).max(1);
                if ledger.charge(organization, decided_on, service_type, extra).is_some() {
                    service.supplementary_tetri = extra;
                    service.supplemented_by_user_id = Some(staff.manager.clone());
                    service.version += 1;
                }
            }
            let held = approved + service.supplementary_tetri;
            match fate {
                Fate::Delivered => {
                    let actual = if service.supplementary_tetri > 0 {
                        held - rng.below(usize::try_from(service.supplementary_tetri / 2).unwrap_or(0) + 1) as i64
                    } else if rng.chance(30) {
                        held - held / 100 * rng.below(10) as i64
                    } else {
                        held
                    };
                    ledger.release(organization, decided_on, service_type, held - actual);
                    service.status = ServiceStatus::Delivered;
                    service.delivered_amount_tetri = Some(actual);
                    service.delivered_on = Some(later(rng, decided_on, 90, today));
                    service.delivery_reference =
                        rng.chance(50).then(|| format!("INV-{}-{:05}", decided_on.year(), rng.below(100_000)));
                    service.version += 1;
                }
                Fate::CancelledAfterApproval => {
                    ledger.release(organization, decided_on, service_type, held);
                    service.status = ServiceStatus::Cancelled;
                    service.closed_reason = Some((*rng.pick(&CANCELLATIONS)).to_owned());
                    service.version += 1;
                }
                _ => {}
            }
        }
    }
    ServiceRecord { service, details }
}
