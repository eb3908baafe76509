//! `reintegration seed --cases N`: realistic synthetic registrations for benchmarks and
//! demos — persons with Georgian and Latin names in every region, their arrivals with
//! irregular periods and needs, cases, explained decisions for most of them, and on the eligible
//! cases services S1–S4 in every state, paid from grants (see [`services`] and [`funding`]) —
//! from a fixed random seed (the same N and seed give the same data), in batches through
//! `persistence`.

mod funding;
mod services;

use chrono::{Duration, NaiveDate};
use domain::case::CaseStatus;
use domain::eligibility::LegalStatus;
use domain::region::RegionCode;
use persistence::models::registration::{Arrival, Case, CaseCopies, IrregularPeriod, Person};
use persistence::repo::bulk::{self, Batch};
use persistence::repo::{organizations, users};
use persistence::{Actor, Pool, StoreError, Visibility, in_write_transaction, new_id, now_utc};

use application::cases::decide_eligibility::evaluate;
use application::identity::OrganizationDetails;
use application::identity::create_organization::create_organization;
use application::identity::ensure_ministry::ensure_ministry;
use domain::organization::OrganizationKind;

use self::services::{Context, Ledger, Staff};

/// Cases per transaction.
const BATCH: usize = 5_000;
/// Services per eligible case: 1 to this many, evenly (about 5.5 on average, so that the run
/// has about three per case: a little over half the cases are decided eligible).
const MOST_SERVICES: usize = 10;
/// The grants are sized from this many first cases of the run, made without writing (the
/// whole run when it is no longer).
const SAMPLE: u64 = 20_000;

/// xorshift64*: small, fast and reproducible; not for secrets.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const FIRST_NAMES: [(&str, &str); 16] = [
    ("ნინო", "Nino"),
    ("გიორგი", "Giorgi"),
    ("მარიამ", "Mariam"),
    ("დავით", "Davit"),
    ("ანა", "Ana"),
    ("ლევან", "Levan"),
    ("თამარ", "Tamar"),
    ("ირაკლი", "Irakli"),
    ("ეკატერინე", "Ekaterine"),
    ("ნიკოლოზ", "Nikoloz"),
    ("ქეთევან", "Ketevan"),
    ("ზურაბ", "Zurab"),
    ("სალომე", "Salome"),
    ("ლაშა", "Lasha"),
    ("მაკა", "Maka"),
    ("ვახტანგ", "Vakhtang"),
];
const LAST_NAMES: [(&str, &str); 16] = [
    ("ბერიძე", "Beridze"),
    ("კაპანაძე", "Kapanadze"),
    ("გელაშვილი", "Gelashvili"),
    ("მაისურაძე", "Maisuradze"),
    ("ლომიძე", "Lomidze"),
    ("ჯაფარიძე", "Japaridze"),
    ("ხუციშვილი", "Khutsishvili"),
    ("ნოზაძე", "Nozadze"),
    ("ცერცვაძე", "Tsertsvadze"),
    ("ბაქრაძე", "Bakradze"),
    ("ქავთარაძე", "Kavtaradze"),
    ("ღლონტი", "Ghlonti"),
    ("შენგელია", "Shengelia"),
    ("ჭანტურია", "Chanturia"),
    ("თოდუა", "Todua"),
    ("ფიფია", "Pipia"),
];
const COUNTRIES: [&str; 8] = ["IT", "GR", "DE", "ES", "FR", "TR", "PL", "AT"];
const POINTS: [&str; 5] = ["tbilisi_airport", "kutaisi_airport", "batumi_airport", "land_border", "sea_port"];

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Other(String),
}

impl From<application::ActionError> for SeedError {
    fn from(error: application::ActionError) -> Self {
        SeedError::Other(error.to_string())
    }
}

/// The NGOs to spread cases over: the existing ones, or five created here.
fn organizations_for_seed(pool: &Pool) -> Result<Vec<String>, SeedError> {
    let mut conn = pool.get()?;
    let mut existing = Vec::new();
    for record in organizations::list(&mut conn, &Visibility::All, Some(true), None, 10_000)?.items {
        if record.organization.kind == OrganizationKind::Ngo {
            existing.push(record.organization.id);
        }
    }
    if !existing.is_empty() {
        return Ok(existing);
    }
    in_write_transaction(&mut conn, &Actor::System, None, |tx| {
        ensure_ministry(tx)?;
        let mut ids = Vec::new();
        for (i, name) in domain::program::implementing_organizations_2017().iter().enumerate() {
            let details = OrganizationDetails {
                name_ka: format!("{} (სინთეზური {})", name.ka, i + 1),
                name_en: format!("{} (synthetic {})", name.en, i + 1),
                legal_form: "non-entrepreneurial non-commercial legal entity".to_owned(),
                contact_email: None,
                contact_phone: None,
                address: None,
                regions: vec![RegionCode::Tbilisi],
            };
            ids.push(create_organization(tx, details)?.organization.id);
        }
        Ok::<_, SeedError>(ids)
    })
}

fn day(rng: &mut Rng, from: NaiveDate, span_days: i64) -> NaiveDate {
    from + Duration::days(i64::try_from(rng.below(usize::try_from(span_days).unwrap_or(1))).unwrap_or(0))
}

/// One synthetic registration: person, arrival with periods, case, (mostly) a decision and,
/// once decided eligible, services.
fn registration(maker: &mut Maker, index: u64, organization: usize, batch: &mut Batch) -> Result<(), SeedError> {
    let (today, organization_id) = (maker.today, maker.organizations[organization].clone());
    let organization_id = organization_id.as_str();
    let rng = &mut maker.rng;
    let now = now_utc();
    let (first_ka, first_lat) = *rng.pick(&FIRST_NAMES);
    let (last_ka, last_lat) = *rng.pick(&LAST_NAMES);
    let region = if rng.chance(2) {
        *rng.pick(&[RegionCode::Abkhazia, RegionCode::Tskhinvali])
    } else {
        RegionCode::ALL[rng.below(11)]
    };
    let citizen = !rng.chance(3);
    let names =
        [Some(first_ka.to_owned()), Some(last_ka.to_owned()), Some(first_lat.to_owned()), Some(last_lat.to_owned())];
    let person = Person {
        id: new_id(),
        legal_status: if citizen { LegalStatus::Citizen } else { LegalStatus::StatelessPermanentResident },
        personal_number: citizen.then(|| format!("{:011}", 10_000_000_000 + index)),
        residence_permit_number: (!citizen).then(|| format!("SP{:010}", index)),
        search_name: Person::search_name_of(&[&names[0], &names[1], &names[2], &names[3]]),
        first_name_ka: names[0].clone(),
        last_name_ka: names[1].clone(),
        first_name_lat: names[2].clone(),
        last_name_lat: names[3].clone(),
        date_of_birth: Some(day(rng, NaiveDate::from_ymd_opt(1960, 1, 1).unwrap_or(today), 40 * 365)),
        sex: Some(if rng.chance(50) { "female" } else { "male" }.to_owned()),
        phone_e164: Some(format!("+9955{:08}", rng.below(100_000_000))),
        residence_region: Some(region.code().to_owned()),
        residence_locality: None,
        consent_date: None,
        consent_scope: None,
        organization_id: organization_id.to_owned(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let person = Person { consent_date: Some(today), consent_scope: Some("program_services".to_owned()), ..person };
    let return_date = day(rng, NaiveDate::from_ymd_opt(2015, 1, 1).unwrap_or(today), 3 * 365);
    let arrival = Arrival {
        id: new_id(),
        person_id: Some(person.id.clone()),
        personal_number: person.personal_number.clone(),
        arrival_date: return_date,
        point_of_arrival: (*rng.pick(&POINTS)).to_owned(),
        countries: format!("[\"{}\"]", rng.pick(&COUNTRIES)),
        asylum_applied: Some(rng.chance(15)),
        asylum_held: Some(rng.chance(5)),
        need_shelter: rng.chance(20),
        need_medical: rng.chance(25),
        need_other: None,
        need_medical_notes: None,
        recorded_by_user_id: None,
        organization_id: organization_id.to_owned(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let start = return_date - Duration::days(200 + i64::try_from(rng.below(900)).unwrap_or(0));
    let period =
        IrregularPeriod { id: new_id(), arrival_id: arrival.id.clone(), start_date: start, end_date: return_date };
    let registration_date = (return_date + Duration::days(i64::try_from(rng.below(400)).unwrap_or(0))).min(today);
    let mut case = Case {
        id: new_id(),
        person_id: person.id.clone(),
        arrival_id: arrival.id.clone(),
        organization_id: organization_id.to_owned(),
        registration_date,
        status: domain::case::CaseStatus::Open,
        close_reason: None,
        closed_on: None,
        version: 1,
        created_at: now,
        updated_at: now,
        copies: CaseCopies::of(&person, &arrival),
    };
    if rng.chance(75) {
        // The decide-eligibility action's own evaluation, stored in bulk rather than one
        // transaction per case, decided within two weeks of the registration.
        let decided_on = (registration_date + Duration::days(i64::try_from(rng.below(15)).unwrap_or(0))).min(today);
        let arrival_record = persistence::repo::arrivals::ArrivalRecord::new(arrival.clone(), vec![period.clone()]);
        let evaluation = evaluate(&person, &arrival_record, &case, None, decided_on)?;
        batch.decisions.push(evaluation.record(&case.id, None, now)?);
        case.status = evaluation.next_status;
        case.version = 2;
        if case.status == CaseStatus::Eligible {
            // Services are requested for an eligible, open case: from its decision on.
            let context = Context { staff: &maker.staff, today, now };
            for _ in 0..=maker.rng.below(MOST_SERVICES) {
                let requested_on = day(&mut maker.rng, decided_on, 365).min(today);
                let service = services::service(
                    &mut maker.rng,
                    &context,
                    &mut maker.ledger,
                    (organization, organization_id),
                    &case.id,
                    requested_on,
                );
                batch.services.push(service);
            }
        }
    }
    batch.persons.push(person);
    batch.arrivals.push(arrival);
    batch.periods.push(period);
    batch.cases.push(case);
    Ok(())
}

/// Makes the batches: one random sequence, the NGOs, their staff, and the grants the services'
/// approvals are charged to.
struct Maker {
    rng: Rng,
    organizations: Vec<String>,
    staff: Vec<Staff>,
    ledger: Ledger,
    today: NaiveDate,
    /// Personal numbers start after this.
    offset: u64,
    made: u64,
}

impl Maker {
    fn new(
        seed: u64,
        organizations: Vec<String>,
        staff: Vec<Staff>,
        ledger: Ledger,
        today: NaiveDate,
        offset: u64,
    ) -> Self {
        let rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        Maker { rng, organizations, staff, ledger, today, offset, made: 0 }
    }

    /// The next `size` registrations.
    fn batch(&mut self, size: u64) -> Result<Batch, SeedError> {
        let mut batch = Batch::default();
        for i in 0..size {
            let organization = self.rng.below(self.organizations.len());
            registration(self, self.offset + self.made + i, organization, &mut batch)?;
        }
        self.made += size;
        Ok(batch)
    }
}

/// Adds `cases` synthetic registrations with their services, reporting progress on stderr.
/// Personal numbers start after those already seeded, so seeding twice adds rather than
/// collides. First the NGOs' seed staff, then the money: the run's first cases are made without
/// writing (the same seed gives the same cases), and what their services hold of each NGO's
/// grant per year, scaled to the run, sizes the grants awarded for it (R9). Then one thread
/// makes the batches (names, dates, decisions, services) while this one writes the previous
/// batch.
pub fn seed(pool: &Pool, cases: u64, seed: u64) -> Result<(), SeedError> {
    let organizations = organizations_for_seed(pool)?;
    let offset = {
        let mut conn = pool.get()?;
        users::any(&mut conn)?;
        persistence::repo::persons::count(&mut conn)?
    };
    let today = application::clock::today_in_tbilisi();
    let started = std::time::Instant::now();
    let staff = funding::staff(pool, &organizations)?;
    let sample = cases.min(SAMPLE);
    let mut planner =
        Maker::new(seed, organizations.clone(), staff.clone(), Ledger::Planning(Default::default()), today, offset);
    while planner.made < sample {
        planner.batch((sample - planner.made).min(BATCH as u64))?;
    }
    let Ledger::Planning(demand) = planner.ledger else {
        return Err(SeedError::Other("the planner charged real grants".to_owned()));
    };
    let grants = funding::fund(pool, &organizations, &demand, cases as f64 / sample.max(1) as f64)?;
    let mut maker = Maker::new(seed, organizations, staff, Ledger::Funded(grants), today, offset);
    let (batches, received) = std::sync::mpsc::sync_channel::<Batch>(2);
    let maker = std::thread::spawn(move || -> Result<(), SeedError> {
        while maker.made < cases {
            let batch = maker.batch((cases - maker.made).min(BATCH as u64))?;
            if batches.send(batch).is_err() {
                break; // the writer stopped on an error, which it reports
            }
        }
        Ok(())
    });
    let mut progress = Progress::new(cases);
    let mut conn = pool.get()?;
    let mut services = 0;
    for batch in received {
        in_write_transaction(&mut conn, &Actor::System, None, |tx| bulk::insert(tx, &batch))?;
        services += batch.services.len();
        progress.advance(batch.cases.len() as u64, started.elapsed().as_secs_f64());
    }
    maker.join().map_err(|_| SeedError::Other("the batch maker panicked".to_owned()))??;
    let written = started.elapsed().as_secs_f64();
    bulk::analyze(&mut conn)?;
    let total = started.elapsed().as_secs_f64();
    eprintln!(
        "seeded {cases} cases and {services} services in {total:.1} s (the planner's statistics: {:.1} s)",
        total - written
    );
    Ok(())
}

/// A progress bar on stderr: redrawn in place on a terminal, a line per tenth otherwise.
struct Progress {
    total: u64,
    done: u64,
    terminal: bool,
    last_tenth: u64,
}

impl Progress {
    fn new(total: u64) -> Self {
        use std::io::IsTerminal;
        Self { total: total.max(1), done: 0, terminal: std::io::stderr().is_terminal(), last_tenth: 0 }
    }

    fn advance(&mut self, by: u64, elapsed_seconds: f64) {
        self.done += by;
        let share = self.done as f64 / self.total as f64;
        let rate = self.done as f64 / elapsed_seconds.max(1e-9);
        let left = (self.total - self.done.min(self.total)) as f64 / rate.max(1e-9);
        let filled = (share * 30.0).round() as usize;
        let line = format!(
            "[{}{}] {:>3.0}% {}/{} cases, {:.0}/s, {:.0} s left",
            "#".repeat(filled),
            ".".repeat(30 - filled.min(30)),
            share * 100.0,
            self.done,
            self.total,
            rate,
            left
        );
        let tenth = self.done * 10 / self.total;
        if self.terminal {
            eprint!("\r{line}");
            if self.done >= self.total {
                eprintln!();
            }
        } else if tenth > self.last_tenth {
            self.last_tenth = tenth;
            eprintln!("{line}");
        }
    }
}
