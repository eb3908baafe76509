//! `serve --demo`: the 2017 program as demo data — the ministry, the five implementing NGOs of
//! PROGRAM.md, the 2017 budget of 590,000.00 GEL awarded to them as grants, one user per role, a
//! manager per NGO and one API client per NGO — and the year's work, done through the actions the
//! API runs: returns recorded at the airport, persons registered, cases opened and decided, and
//! services S1–S4 in every state, each step by the principal who would take it, on its 2017 day.
//! Credentials are printed to stdout, clearly marked. Refused against a database that holds real
//! data; on a demo database it only prints fresh credentials.

use std::collections::HashMap;

use application::arrivals::record_arrival::record_arrival;
use application::arrivals::{ArrivalDetails, ArrivalDraft};
use application::cases::decide_eligibility::decide_eligibility;
use application::cases::open_case::{OpenCase, open_case};
use application::grants::award_grant::{AwardGrant, award_grant};
use application::grants::create_program_year::create_program_year;
use application::identity::OrganizationDetails;
use application::identity::create_client::{CreateClient, create_client};
use application::identity::create_organization::create_organization;
use application::identity::create_user::{CreateUser, create_user};
use application::identity::ensure_ministry::ensure_ministry;
use application::identity::rotate_client_secret::{SecretOverlap, rotate_client_secret};
use application::persons::register_person::register_person;
use application::persons::{PersonDetails, PersonDraft};
use application::services::approve_service::approve_service;
use application::services::approve_supplement::approve_supplement;
use application::services::cancel_service::cancel_service;
use application::services::deliver_service::{DeliverService, deliver_service};
use application::services::reject_service::reject_service;
use application::services::request_service::{RequestService, request_service};
use application::shelter::book_stay::{BookStay, book_stay};
use application::shelter::cancel_stay::cancel_stay;
use application::shelter::check_out_stay::{CheckOut, check_out_stay};
use application::{
    ActionError, ArrivalId, CaseId, ClientId, OrganizationId, PersonId, Principal, PrincipalKind, ServiceId,
};
use chrono::NaiveDate;
use domain::case::{CaseStatus, CountryCode, PointOfArrival};
use domain::eligibility::LegalStatus;
use domain::message::Message;
use domain::money::Tetri;
use domain::period::DatePeriod;
use domain::person::{Consent, ConsentScope, GeorgianName, LatinName, Sex};
use domain::person_id::{PersonalNumber, ResidencePermitNumber};
use domain::program::{PROGRAM_BUDGET_2017_GEL, implementing_organizations_2017};
use domain::region::RegionCode;
use domain::role::Role;
use domain::service::{ConditionCategory, ServiceStatus, ServiceType, is_icd10_code};
use persistence::repo::services::{
    Details, MedicalDetails, PsychosocialDetails, SocialProjectDetails, VocationalDetails,
};
use persistence::repo::{clients, organizations, users};
use persistence::{Actor, DbConnection, Pool, Visibility, WriteTx, in_write_transaction};

use crate::auth::password;
use crate::startup::StartupError;

/// Every demo username starts with this, so a demo database is recognisable.
pub const DEMO_PREFIX: &str = "demo-";

/// Where each demo NGO works (an illustration, not the ministry's records).
const NGO_REGIONS: [&[&str]; 5] =
    [&["GE-TB", "GE-IM", "GE-KK"], &["GE-SJ"], &["GE-TB", "GE-SZ"], &["GE-AJ", "GE-GU"], &["GE-KA"]];

/// How the demo splits the 2017 budget of 590,000 GEL among the five NGOs (an illustration, not
/// the ministry's records; the README states it): the whole budget, to the tetri.
const GRANTS_2017_GEL: [u64; 5] = [140_000, 110_000, 120_000, 120_000, 100_000];

struct Credential {
    what: String,
    login: String,
    secret: String,
}

fn error(e: impl std::fmt::Display) -> StartupError {
    StartupError::Demo(e.to_string())
}

/// An action's error: the store's as it is (an outage stays an outage), the others as text.
fn action_error(e: ActionError) -> StartupError {
    match e {
        ActionError::Store(store) => StartupError::Database(store),
        other => error(other),
    }
}

fn secret() -> Result<String, StartupError> {
    crate::secret::random_secret().map_err(error)
}

pub fn load(pool: &Pool) -> Result<(), StartupError> {
    let mut conn = pool.get()?;
    let page = users::list(&mut conn, &Visibility::All, &Default::default(), None, 10_000)?;
    let credentials = if page.items.is_empty() {
        if !organizations::list(&mut conn, &Visibility::All, None, None, 1)?.items.is_empty() {
            return Err(error("the database already holds organisations: refusing to load demo data into it"));
        }
        // One transaction: a demo that fails half-way leaves nothing behind (a restart would
        // otherwise take the half for a whole demo and only renew its credentials).
        in_write_transaction(&mut conn, &Actor::System, None, |tx| {
            let program = load_program(tx)?;
            record_the_year(tx.read(), &program.officer, &program.staff)?;
            Ok::<_, StartupError>(program.credentials)
        })?
    } else if page.items.iter().all(|u| u.username.starts_with(DEMO_PREFIX)) {
        in_write_transaction(&mut conn, &Actor::System, None, |tx| renew_credentials(tx, &page.items))?
    } else {
        return Err(error("the database holds real users: refusing to load demo data into it"));
    };
    print(&credentials);
    Ok(())
}

fn organization(tx: &mut WriteTx<'_>, name: &Message, regions: &[&str]) -> Result<OrganizationId, StartupError> {
    let regions = regions.iter().map(|r| RegionCode::parse(r)).collect::<Result<Vec<_>, _>>().map_err(error)?;
    let details = OrganizationDetails {
        name_ka: name.ka.clone(),
        name_en: name.en.clone(),
        legal_form: "non-entrepreneurial non-commercial legal entity (demo)".to_owned(),
        contact_email: None,
        contact_phone: None,
        address: None,
        regions,
    };
    Ok(create_organization(tx, details).map_err(action_error)?.organization.id.into())
}

/// Who acts for an NGO in the demo year: one principal registers people and requests services,
/// another decides them (R12: never the requester).
struct Staff {
    requester: Principal,
    decider: Principal,
}

/// What the system set up: the credentials to print, and who works in the demo year.
struct Program {
    credentials: Vec<Credential>,
    /// The ministry's officer at the airport.
    officer: Principal,
    /// Per NGO, in the program page's order.
    staff: Vec<Staff>,
}

/// How a demo account is listed: its role, and for NGO staff their NGO.
fn user_label(role: Role, ngo: Option<&str>) -> String {
    match ngo {
        Some(ngo) => format!("user ({}) of {ngo}", role.as_str()),
        None => format!("user ({})", role.as_str()),
    }
}

/// A demo user `demo-{name}` with a fresh password (listed in `credentials`), as a principal.
fn demo_user(
    tx: &mut WriteTx<'_>,
    credentials: &mut Vec<Credential>,
    (role, name): (Role, &str),
    (organization_id, ngo): (&OrganizationId, Option<&str>),
) -> Result<Principal, StartupError> {
    let password = secret()?;
    let command = CreateUser {
        username: format!("{DEMO_PREFIX}{name}"),
        full_name: format!("Demo {}", role.as_str()),
        role,
        organization_id: organization_id.clone(),
        password_hash: password::hash(&password).map_err(error)?,
    };
    let user = create_user(tx, command).map_err(action_error)?;
    credentials.push(Credential { what: user_label(role, ngo), login: user.username, secret: password });
    Ok(Principal { kind: PrincipalKind::User, id: user.id, role: user.role, organization_id: user.organization_id })
}

fn load_program(tx: &mut WriteTx<'_>) -> Result<Program, StartupError> {
    let ministry = ensure_ministry(tx).map_err(action_error)?;
    let budget = Tetri::from_gel(PROGRAM_BUDGET_2017_GEL).ok_or_else(|| error("budget overflow"))?;
    create_program_year(tx, 2017, budget).map_err(action_error)?;

    let mut ngos = Vec::new();
    for ((name, regions), gel) in implementing_organizations_2017().iter().zip(NGO_REGIONS).zip(GRANTS_2017_GEL) {
        let id = organization(tx, name, regions)?;
        let award = AwardGrant {
            program_year: 2017,
            organization_id: id.as_str().to_owned(),
            amount: Tetri::from_gel(gel).ok_or_else(|| error("grant overflow"))?,
            period_start: day("2017-03-01")?,
            period_end: day("2017-12-31")?,
            reference: Some(format!("MRA/2017/RG-{:02}", ngos.len() + 1)),
            ceilings: Vec::new(),
        };
        award_grant(tx, award).map_err(action_error)?;
        ngos.push((id, name.en.clone()));
    }
    let mut credentials = Vec::new();
    let c = &mut credentials;
    let [(first, first_name), others @ ..] = ngos.as_slice() else { return Err(error("no NGO")) };
    demo_user(tx, c, (Role::Admin, "admin"), (&ministry, None))?;
    let officer = demo_user(tx, c, (Role::MinistryOfficer, "officer"), (&ministry, None))?;
    demo_user(tx, c, (Role::Auditor, "auditor"), (&ministry, None))?;
    let mut deciders = vec![demo_user(tx, c, (Role::NgoManager, "manager"), (first, Some(first_name)))?];
    let caseworker = demo_user(tx, c, (Role::NgoCaseworker, "caseworker"), (first, Some(first_name)))?;
    for (i, (id, name)) in others.iter().enumerate() {
        deciders.push(demo_user(tx, c, (Role::NgoManager, &format!("manager-{}", i + 2)), (id, Some(name)))?);
    }
    let mut systems = Vec::new();
    for (i, (organization_id, name)) in ngos.iter().enumerate() {
        let client_secret = secret()?;
        let command = CreateClient {
            organization_id: organization_id.clone(),
            name: format!("{name} case-management system (demo)"),
            role: Role::NgoManager,
            client_id: format!("{DEMO_PREFIX}ngo-{}", i + 1),
            secret_hash: password::hash(&client_secret).map_err(error)?,
        };
        let client = create_client(tx, command).map_err(action_error)?;
        credentials.push(Credential {
            what: format!("client of {name}"),
            login: client.client_id,
            secret: client_secret,
        });
        systems.push(Principal {
            kind: PrincipalKind::Client,
            id: client.id,
            role: client.role,
            organization_id: client.organization_id,
        });
    }
    // The first NGO's caseworker does its casework; the other NGOs' systems do theirs. Each
    // NGO's manager decides.
    let requesters = std::iter::once(caseworker).chain(systems.into_iter().skip(1));
    let staff = requesters.zip(deciders).map(|(requester, decider)| Staff { requester, decider }).collect();
    Ok(Program { credentials, officer, staff })
}

fn day(text: &str) -> Result<NaiveDate, StartupError> {
    text.parse().map_err(|e| error(format!("demo date {text:?}: {e}")))
}

/// Runs one step as `who` in a transaction of its own, as its request would — a savepoint of the
/// demo's transaction — so the audit trail names who did it (R13).
fn act<T>(
    conn: &mut DbConnection,
    who: &Principal,
    what: &str,
    step: impl FnOnce(&mut WriteTx<'_>) -> Result<T, ActionError>,
) -> Result<T, StartupError> {
    in_write_transaction(conn, &who.actor(), None, step).map_err(|e| match e {
        ActionError::Store(store) => StartupError::Database(store),
        other => error(format!("{what}: {other:?}")),
    })
}

// ---------------------------------------------------------------------------------------------
// The year 2017: who came back, who registered them, and what the program paid for. Names,
// numbers and stories are invented; the NGOs and the rules are the program's.

/// Who recorded a return: the ministry's officer at the point of arrival, or the NGO itself.
#[derive(Clone, Copy)]
enum RecordedBy {
    Ministry,
    Ngo,
}

/// The number R1 identifies a person by.
enum Number {
    Personal(&'static str),
    Permit(&'static str),
}

/// What a person consented to (R14), and the details recorded with that consent.
struct Consented {
    scope: ConsentScope,
    /// First and last name in Georgian script, then in Latin letters.
    names: [&'static str; 4],
    born: &'static str,
    sex: Sex,
    locality: &'static str,
}

/// A return of the demo year and its registration with an NGO, on the day it happened.
struct Returnee {
    /// How the services below name the person.
    key: &'static str,
    /// The NGO registering the person (0–4, in the program page's order).
    ngo: usize,
    number: Number,
    region: &'static str,
    /// `None`: no consent, so only what eligibility needs (R14).
    consent: Option<Consented>,
    recorded_by: RecordedBy,
    point: PointOfArrival,
    returned: &'static str,
    countries: &'static [&'static str],
    /// R2a.
    irregular: &'static [(&'static str, &'static str)],
    /// R2b, R2c: applied for asylum, held it.
    asylum: (bool, bool),
    /// A medical need seen at the point of arrival (R11: medical detail).
    medical_notes: Option<&'static str>,
    registered: &'static str,
    /// The decision the data leads to; checked, so the demo shows what it says it shows.
    eligible: bool,
}

const RETURNEES: [Returnee; 15] = [
    // Public Defender (Tbilisi, Imereti, Kvemo Kartli).
    Returnee {
        key: "beridze",
        ngo: 0,
        number: Number::Personal("01017000101"),
        region: "GE-TB",
        consent: Some(Consented {
            scope: ConsentScope::ProgramServicesAndMedical,
            names: ["ნინო", "ბერიძე", "Nino", "Beridze"],
            born: "1979-04-12",
            sex: Sex::Female,
            locality: "Tbilisi, Gldani",
        }),
        recorded_by: RecordedBy::Ministry,
        point: PointOfArrival::TbilisiAirport,
        returned: "2017-02-14",
        countries: &["GR"],
        irregular: &[("2014-06-01", "2017-02-14")],
        asylum: (false, false),
        medical_notes: Some("Insulin-dependent diabetes; insulin left for about two weeks"),
        registered: "2017-03-06",
        eligible: true,
    },
    Returnee {
        key: "kapanadze",
        ngo: 0,
        number: Number::Personal("01017000102"),
        region: "GE-KK",
        consent: Some(Consented {
            scope: ConsentScope::ProgramServices,
            names: ["გიორგი", "კაპანაძე", "Giorgi", "Kapanadze"],
            born: "1986-09-30",
            sex: Sex::Male,
            locality: "Rustavi",
        }),
        recorded_by: RecordedBy::Ministry,
        point: PointOfArrival::TbilisiAirport,
        returned: "2017-03-22",
        countries: &["DE"],
        irregular: &[("2016-05-10", "2017-03-22")],
        asylum: (true, false),
        medical_notes: None,
        registered: "2017-04-03",
        eligible: true,
    },
    Returnee {
        key: "no-consent-imereti",
        ngo: 0,
        number: Number::Personal("01017000103"),
        region: "GE-IM",
        consent: None,
        recorded_by: RecordedBy::Ngo,
        point: PointOfArrival::LandBorder,
        returned: "2017-05-02",
        countries: &["TR"],
        irregular: &[("2015-03-01", "2017-05-02")],
        asylum: (false, false),
        medical_notes: None,
        registered: "2017-05-15",
        eligible: true,
    },
    // "Tolerant" (Samtskhe-Javakheti).
    Returnee {
        key: "gelashvili",
        ngo: 1,
        number: Number::Personal("01017000104"),
        region: "GE-SJ",
        consent: Some(Consented {
            scope: ConsentScope::ProgramServicesAndMedical,
            names: ["მარიამ", "გელაშვილი", "Mariam", "Gelashvili"],
            born: "1991-01-17",
            sex: Sex::Female,
            locality: "Akhaltsikhe",
        }),
        recorded_by: RecordedBy::Ministry,
        point: PointOfArrival::KutaisiAirport,
        returned: "2017-03-09",
        countries: &["IT"],
        irregular: &[("2013-11-20", "2017-03-09")],
        asylum: (false, false),
        medical_notes: None,
        registered: "2017-03-20",
        eligible: true,
    },
    Returnee {
        key: "maisuradze",
        ngo: 1,
        number: Number::Personal("01017000105"),
        region: "GE-SJ",
        consent: Some(Consented {
            scope: ConsentScope::ProgramServices,
            names: ["დავით", "მაისურაძე", "Davit", "Maisuradze"],
            born: "1975-06-02",
            sex: Sex::Male,
            locality: "Borjomi",
        }),
        recorded_by: RecordedBy::Ngo,
        point: PointOfArrival::LandBorder,
        returned: "2017-04-11",
        countries: &["TR"],
        irregular: &[("2015-02-01", "2017-04-11")],
        asylum: (false, false),
        medical_notes: None,
        registered: "2017-04-18",
        eligible: true,
    },
    // Not eligible, and told why: eight months abroad without a legal basis, no asylum (R2).
    Returnee {
        key: "chanturia",
        ngo: 1,
        number: Number::Personal("01017000106"),
        region: "GE-SJ",
        consent: Some(Consented {
            scope: ConsentScope::ProgramServices,
            names: ["ლაშა", "ჭანტურია", "Lasha", "Chanturia"],
            born: "1993-11-05",
            sex: Sex::Male,
            locality: "Akhalkalaki",
        }),
        recorded_by: RecordedBy::Ngo,
        point: PointOfArrival::LandBorder,
        returned: "2017-06-07",
        countries: &["TR"],
        irregular: &[("2016-10-01", "2017-06-07")],
        asylum: (false, false),
        medical_notes: None,
        registered: "2017-06-19",
        eligible: false,
    },
    // "Abkhazintercont" (Tbilisi, Samegrelo-Zemo Svaneti).
    Returnee {
        key: "todua",
        ngo: 2,
        number: Number::Personal("01017000107"),
        region: "GE-SZ",
        consent: Some(Consented {
            scope: ConsentScope::ProgramServices,
            names: ["ანა", "თოდუა", "Ana", "Todua"],
            born: "1983-08-21",
            sex: Sex::Female,
            locality: "Zugdidi",
        }),
        recorded_by: RecordedBy::Ministry,
        point: PointOfArrival::KutaisiAirport,
        returned: "2017-04-26",
        countries: &["FR"],
        irregular: &[],
        asylum: (true, false),
        medical_notes: None,
        registered: "2017-05-08",
        eligible: true,
    },
    Returnee {
        key: "japaridze",
        ngo: 2,
        number: Number::Personal("01017000108"),
        region: "GE-TB",
        consent: Some(Consented {
            scope: ConsentScope::ProgramServices,
            names: ["ლევან", "ჯაფარიძე", "Levan", "Japaridze"],
            born: "1980-02-28",
            sex: Sex::Male,
            locality: "Tbilisi, Saburtalo",
        }),
        recorded_by: RecordedBy::Ngo,
        point: PointOfArrival::TbilisiAirport,
        returned: "2017-01-30",
        countries: &["PL"],
        irregular: &[("2015-08-15", "2017-01-30")],
        asylum: (false, false),
        medical_notes: None,
        registered: "2017-03-02",
        eligible: true,
    },
    Returnee {
        key: "shengelia",
        ngo: 2,
        number: Number::Personal("01017000109"),
        region: "GE-SZ",
        consent: Some(Consented {
            scope: ConsentScope::ProgramServices,
            names: ["სალომე", "შენგელია", "Salome", "Shengelia"],
            born: "1995-12-03",
            sex: Sex::Female,
            locality: "Senaki",
        }),
        recorded_by: RecordedBy::Ministry,
        point: PointOfArrival::KutaisiAirport,
        returned: "2017-07-12",
        countries: &["GR"],
        irregular: &[("2016-02-01", "2017-07-12")],
        asylum: (false, false),
        medical_notes: None,
        registered: "2017-07-24",
        eligible: true,
    },
    // The Batumi rehabilitation centre (Adjara, Guria).
    Returnee {
        key: "nozadze",
        ngo: 3,
        number: Number::Personal("01017000110"),
        region: "GE-AJ",
        consent: Some(Consented {
            scope: ConsentScope::ProgramServices,
            names: ["ირაკლი", "ნოზაძე", "Irakli", "Nozadze"],
            born: "1972-05-19",
            sex: Sex::Male,
            locality: "Batumi",
        }),
        recorded_by: RecordedBy::Ministry,
        point: PointOfArrival::BatumiAirport,
        returned: "2017-03-15",
        countries: &["TR"],
        irregular: &[("2014-09-01", "2017-03-15")],
        asylum: (false, false),
        medical_notes: None,
        registered: "2017-03-27",
        eligible: true,
    },
    Returnee {
        key: "tsertsvadze",
        ngo: 3,
        number: Number::Personal("01017000111"),
        region: "GE-GU",
        consent: Some(Consented {
            scope: ConsentScope::ProgramServicesAndMedical,
            names: ["ეკატერინე", "ცერცვაძე", "Ekaterine", "Tsertsvadze"],
            born: "1968-10-08",
            sex: Sex::Female,
            locality: "Ozurgeti",
        }),
        recorded_by: RecordedBy::Ngo,
        point: PointOfArrival::LandBorder,
        returned: "2017-05-29",
        countries: &["TR"],
        irregular: &[("2015-05-05", "2017-05-29")],
        asylum: (false, false),
        medical_notes: None,
        registered: "2017-06-05",
        eligible: true,
    },
    // A stateless person with a Georgian permanent residence permit (R1), who held protection in
    // Greece (R2c), without consent (R14).
    Returnee {
        key: "no-consent-stateless",
        ngo: 3,
        number: Number::Permit("RP2017004512"),
        region: "GE-AJ",
        consent: None,
        recorded_by: RecordedBy::Ngo,
        point: PointOfArrival::SeaPort,
        returned: "2017-08-03",
        countries: &["GR"],
        irregular: &[],
        asylum: (true, true),
        medical_notes: None,
        registered: "2017-08-14",
        eligible: true,
    },
    // The Kakheti Regional Development Foundation (Kakheti).
    Returnee {
        key: "bakradze",
        ngo: 4,
        number: Number::Personal("01017000113"),
        region: "GE-KA",
        consent: Some(Consented {
            scope: ConsentScope::ProgramServices,
            names: ["ნიკოლოზ", "ბაქრაძე", "Nikoloz", "Bakradze"],
            born: "1977-07-25",
            sex: Sex::Male,
            locality: "Telavi",
        }),
        recorded_by: RecordedBy::Ministry,
        point: PointOfArrival::TbilisiAirport,
        returned: "2017-02-20",
        countries: &["ES"],
        irregular: &[("2012-04-01", "2017-02-20")],
        asylum: (false, false),
        medical_notes: None,
        registered: "2017-03-13",
        eligible: true,
    },
    Returnee {
        key: "kavtaradze",
        ngo: 4,
        number: Number::Personal("01017000114"),
        region: "GE-KA",
        consent: Some(Consented {
            scope: ConsentScope::ProgramServicesAndMedical,
            names: ["ქეთევან", "ქავთარაძე", "Ketevan", "Kavtaradze"],
            born: "1964-03-14",
            sex: Sex::Female,
            locality: "Gurjaani",
        }),
        recorded_by: RecordedBy::Ngo,
        point: PointOfArrival::TbilisiAirport,
        returned: "2017-04-04",
        countries: &["IT"],
        irregular: &[("2013-01-15", "2017-04-04")],
        asylum: (false, false),
        medical_notes: None,
        registered: "2017-04-12",
        eligible: true,
    },
    Returnee {
        key: "khutsishvili",
        ngo: 4,
        number: Number::Personal("01017000115"),
        region: "GE-KA",
        consent: Some(Consented {
            scope: ConsentScope::ProgramServices,
            names: ["ზურაბ", "ხუციშვილი", "Zurab", "Khutsishvili"],
            born: "1989-01-29",
            sex: Sex::Male,
            locality: "Sagarejo",
        }),
        recorded_by: RecordedBy::Ministry,
        point: PointOfArrival::TbilisiAirport,
        returned: "2017-05-17",
        countries: &["DE"],
        irregular: &[("2016-08-01", "2017-05-17")],
        asylum: (true, false),
        medical_notes: None,
        registered: "2017-05-30",
        eligible: true,
    },
];

/// A service's details, as the demo writes them.
enum Detail {
    Medical {
        category: ConditionCategory,
        icd10: &'static str,
        notes: &'static str,
        provider: &'static str,
    },
    Psychosocial {
        sessions: i32,
    },
    SocialProject {
        title: &'static str,
        sector: &'static str,
        description: &'static str,
    },
    Vocational {
        education: &'static str,
        skills: &'static str,
        interests: &'static str,
        directions: &'static [&'static str],
        informed_on: Option<&'static str>,
    },
}

/// What happened to a requested service, in order, each on its day.
enum Step {
    /// The NGO's manager approves, for the requested amount (`None`) or less (R10, R12).
    Approve(&'static str, Option<u64>),
    /// The manager rejects, with the reason.
    Reject(&'static str, &'static str),
    /// The manager approves a cost above the approval, before the delivery (R10, R12).
    Supplement(&'static str, u64),
    /// Delivered by the requester on the day, at its actual cost, with its document.
    Deliver(&'static str, u64, &'static str),
    /// Withdrawn by the requester while requested, or cancelled by the manager once approved.
    Cancel(&'static str),
}

/// A service requested by an NGO on a returnee's case.
struct DemoService {
    /// The returnee's key.
    returnee: &'static str,
    service_type: ServiceType,
    requested_tetri: u64,
    requested_on: &'static str,
    reference: &'static str,
    detail: Detail,
    steps: &'static [Step],
}

/// Every status, every type S1–S4, each NGO's grant charged: delivered below the approval
/// (`beridze`, `nozadze`), after a supplementary approval (`gelashvili`), at the approval;
/// approved for less than requested (`maisuradze`); rejected; withdrawn while requested and
/// cancelled once approved (`japaridze`, whose approval goes back to the grant).
const SERVICES: [DemoService; 15] = [
    DemoService {
        returnee: "beridze",
        service_type: ServiceType::Medication,
        requested_tetri: 45_000,
        requested_on: "2017-03-06",
        reference: "PD/2017/MED-0012",
        detail: Detail::Medical {
            category: ConditionCategory::Chronic,
            icd10: "E11.9",
            notes: "Type 2 diabetes: insulin glargine and test strips for three months",
            provider: "Aversi pharmacy, Gldani",
        },
        steps: &[Step::Approve("2017-03-07", None), Step::Deliver("2017-06-05", 41_250, "PD/2017/INV-0112")],
    },
    DemoService {
        returnee: "beridze",
        service_type: ServiceType::VocationalReferral,
        requested_tetri: 0,
        requested_on: "2017-03-20",
        reference: "PD/2017/VOC-0004",
        detail: Detail::Vocational {
            education: "Secondary school",
            skills: "Care of the elderly at home in Athens for two years; cooking; Greek",
            interests: "Home care, work in a clinic",
            directions: &["Nursing assistant", "Home care for the elderly"],
            informed_on: Some("2017-03-20"),
        },
        steps: &[Step::Approve("2017-03-21", None), Step::Deliver("2017-04-10", 0, "SSA referral 2017/04/118")],
    },
    DemoService {
        returnee: "kapanadze",
        service_type: ServiceType::PsychosocialRehabilitation,
        requested_tetri: 80_000,
        requested_on: "2017-04-05",
        reference: "PD/2017/PSY-0021",
        detail: Detail::Psychosocial { sessions: 10 },
        steps: &[Step::Approve("2017-04-07", None)],
    },
    DemoService {
        returnee: "no-consent-imereti",
        service_type: ServiceType::SocialProject,
        requested_tetri: 300_000,
        requested_on: "2017-05-22",
        reference: "PD/2017/SP-0009",
        detail: Detail::SocialProject {
            title: "Mobile phone repair kiosk",
            sector: "services",
            description: "A kiosk at the central market of Kutaisi: tools, spare parts and three months' rent.",
        },
        steps: &[Step::Reject(
            "2017-05-29",
            "Four repair shops already work at the proposed site; to be resubmitted with a market study",
        )],
    },
    DemoService {
        returnee: "gelashvili",
        service_type: ServiceType::EmergencyMedicalCare,
        requested_tetri: 180_000,
        requested_on: "2017-03-21",
        reference: "TOL/2017/MED-0003",
        detail: Detail::Medical {
            category: ConditionCategory::Acute,
            icd10: "K35.8",
            notes: "Acute appendicitis: appendectomy; two more days in hospital after a wound infection",
            provider: "Akhaltsikhe regional hospital",
        },
        steps: &[
            Step::Approve("2017-03-21", None),
            Step::Supplement("2017-03-30", 24_500),
            Step::Deliver("2017-03-30", 204_500, "TOL/2017/INV-0031"),
        ],
    },
    DemoService {
        returnee: "maisuradze",
        service_type: ServiceType::SocialProject,
        requested_tetri: 450_000,
        requested_on: "2017-04-20",
        reference: "TOL/2017/SP-0002",
        detail: Detail::SocialProject {
            title: "Greenhouse for early vegetables",
            sector: "agriculture",
            description: "A 200 m² polycarbonate greenhouse near Borjomi for early tomatoes and cucumbers, sold \
                          to the town's restaurants.",
        },
        steps: &[Step::Approve("2017-04-28", Some(400_000))],
    },
    DemoService {
        returnee: "todua",
        service_type: ServiceType::PsychosocialRehabilitation,
        requested_tetri: 64_000,
        requested_on: "2017-05-10",
        reference: "AIC/2017/PSY-0007",
        detail: Detail::Psychosocial { sessions: 8 },
        steps: &[Step::Approve("2017-05-12", None), Step::Deliver("2017-07-14", 64_000, "AIC/2017/INV-0040")],
    },
    DemoService {
        returnee: "japaridze",
        service_type: ServiceType::SocialProject,
        requested_tetri: 500_000,
        requested_on: "2017-03-06",
        reference: "AIC/2017/SP-0001",
        detail: Detail::SocialProject {
            title: "Car repair workshop",
            sector: "services",
            description: "Diagnostic equipment and tools for a two-bay workshop in Saburtalo, with one employee.",
        },
        steps: &[
            Step::Approve("2017-03-15", None),
            Step::Cancel("The beneficiary left Georgia again before the equipment was bought"),
        ],
    },
    DemoService {
        returnee: "shengelia",
        service_type: ServiceType::VocationalReferral,
        requested_tetri: 0,
        requested_on: "2017-07-26",
        reference: "AIC/2017/VOC-0011",
        detail: Detail::Vocational {
            education: "Vocational college, two years (accounting)",
            skills: "Hairdressing in Thessaloniki for a year; basic accounting",
            interests: "Her own beauty salon",
            directions: &["Hairdressing", "Small business management"],
            informed_on: None,
        },
        steps: &[],
    },
    DemoService {
        returnee: "nozadze",
        service_type: ServiceType::PsychosocialRehabilitation,
        requested_tetri: 96_000,
        requested_on: "2017-03-29",
        reference: "BRC/2017/PSY-0014",
        detail: Detail::Psychosocial { sessions: 12 },
        steps: &[Step::Approve("2017-03-31", None), Step::Deliver("2017-07-20", 90_000, "BRC/2017/INV-0052")],
    },
    DemoService {
        returnee: "tsertsvadze",
        service_type: ServiceType::MedicalDiagnostics,
        requested_tetri: 35_000,
        requested_on: "2017-06-07",
        reference: "BRC/2017/MED-0019",
        detail: Detail::Medical {
            category: ConditionCategory::Chronic,
            icd10: "J45.9",
            notes: "Asthma: spirometry and a pulmonologist's consultation",
            provider: "Ozurgeti medical centre",
        },
        steps: &[Step::Cancel("Covered by the state Universal Healthcare Programme")],
    },
    DemoService {
        returnee: "no-consent-stateless",
        service_type: ServiceType::PsychosocialRehabilitation,
        requested_tetri: 48_000,
        requested_on: "2017-08-16",
        reference: "BRC/2017/PSY-0023",
        detail: Detail::Psychosocial { sessions: 6 },
        steps: &[],
    },
    DemoService {
        returnee: "bakradze",
        service_type: ServiceType::SocialProject,
        requested_tetri: 600_000,
        requested_on: "2017-03-15",
        reference: "KRDF/2017/SP-0003",
        detail: Detail::SocialProject {
            title: "Beekeeping: twenty hives",
            sector: "agriculture",
            description: "Twenty hives with bee colonies, an extractor and jars; honey sold at the Telavi market.",
        },
        steps: &[Step::Approve("2017-03-24", None), Step::Deliver("2017-05-10", 600_000, "KRDF/2017/INV-0017")],
    },
    DemoService {
        returnee: "kavtaradze",
        service_type: ServiceType::Medication,
        requested_tetri: 28_000,
        requested_on: "2017-04-13",
        reference: "KRDF/2017/MED-0006",
        detail: Detail::Medical {
            category: ConditionCategory::Chronic,
            icd10: "I10",
            notes: "Arterial hypertension: medicines for six months",
            provider: "PSP pharmacy, Gurjaani",
        },
        steps: &[Step::Reject(
            "2017-04-18",
            "Covered by the state programme for medicines of chronic diseases; referred there",
        )],
    },
    DemoService {
        returnee: "khutsishvili",
        service_type: ServiceType::VocationalReferral,
        requested_tetri: 15_000,
        requested_on: "2017-06-01",
        reference: "KRDF/2017/VOC-0008",
        detail: Detail::Vocational {
            education: "Vocational school (welding)",
            skills: "Welding (MIG/MAG) on building sites in Germany; German B1",
            interests: "Welding, metal structures",
            directions: &["Welder (certified)", "Metal structures assembly"],
            informed_on: Some("2017-06-01"),
        },
        steps: &[Step::Approve("2017-06-02", None)],
    },
];

/// How a demo stay ended.
enum StayEnd {
    /// Still booked.
    Booked,
    /// Checked out early, on this morning (the nights not used freed, R7).
    CheckedOut(&'static str),
    /// Cancelled.
    Cancelled(&'static str),
}

/// A shelter stay right after a return seen at the airport (S5), in each covered region (R6).
struct DemoStay {
    returnee: &'static str,
    region: RegionCode,
    shelter: &'static str,
    check_in: &'static str,
    check_out: &'static str,
    /// Direction N0100, in GEL.
    cost_gel: u64,
    end: StayEnd,
}

const SHELTER: [DemoStay; 5] = [
    DemoStay {
        returnee: "beridze",
        region: RegionCode::Tbilisi,
        shelter: "თბილისის სატრანზიტო თავშესაფარი, გლდანი",
        check_in: "2017-02-14",
        check_out: "2017-02-17",
        cost_gel: 150,
        end: StayEnd::CheckedOut("2017-02-16"),
    },
    DemoStay {
        returnee: "gelashvili",
        region: RegionCode::KvemoKartli,
        shelter: "რუსთავის დროებითი საცხოვრისი",
        check_in: "2017-03-10",
        check_out: "2017-03-14",
        cost_gel: 200,
        end: StayEnd::Booked,
    },
    DemoStay {
        returnee: "nozadze",
        region: RegionCode::MtskhetaMtianeti,
        shelter: "მცხეთის სოციალური სახლი",
        check_in: "2017-03-15",
        check_out: "2017-03-17",
        cost_gel: 100,
        end: StayEnd::Booked,
    },
    // A longer stay is a new one, from the first one's check-out morning (R7: 4 nights in all).
    DemoStay {
        returnee: "nozadze",
        region: RegionCode::MtskhetaMtianeti,
        shelter: "მცხეთის სოციალური სახლი",
        check_in: "2017-03-17",
        check_out: "2017-03-19",
        cost_gel: 100,
        end: StayEnd::Booked,
    },
    DemoStay {
        returnee: "bakradze",
        region: RegionCode::Tbilisi,
        shelter: "თბილისის სატრანზიტო თავშესაფარი, გლდანი",
        check_in: "2017-02-21",
        check_out: "2017-02-23",
        cost_gel: 100,
        end: StayEnd::Cancelled("Family met the person at the airport"),
    },
];

/// A stay booked by the airport's officer, and its end.
fn shelter(
    conn: &mut DbConnection,
    officer: &Principal,
    arrival_id: &ArrivalId,
    stay: &DemoStay,
) -> Result<(), StartupError> {
    let command = BookStay {
        arrival_id: arrival_id.clone(),
        region: stay.region,
        shelter_name: stay.shelter.to_owned(),
        check_in: day(stay.check_in)?,
        check_out: day(stay.check_out)?,
        cost: Tetri::from_gel(stay.cost_gel).ok_or_else(|| error("shelter cost overflow"))?,
    };
    let booked = act(conn, officer, "book a shelter stay", |tx| book_stay(tx, officer, command))?;
    match stay.end {
        StayEnd::Booked => {}
        StayEnd::CheckedOut(on) => {
            let command = CheckOut { on: day(on)?, cost: None };
            act(conn, officer, "check a stay out", |tx| {
                check_out_stay(tx, officer, &booked.id, booked.version, command)
            })?;
        }
        StayEnd::Cancelled(reason) => {
            act(conn, officer, "cancel a stay", |tx| {
                cancel_stay(tx, officer, &booked.id, booked.version, reason.to_owned())
            })?;
        }
    }
    Ok(())
}

/// The demo year's work, step by step, each by its principal on its day.
fn record_the_year(conn: &mut DbConnection, officer: &Principal, staff: &[Staff]) -> Result<(), StartupError> {
    let mut cases = HashMap::new();
    let mut arrivals = HashMap::new();
    for returnee in &RETURNEES {
        let ngo = staff.get(returnee.ngo).ok_or_else(|| error(format!("no demo NGO {}", returnee.ngo)))?;
        let (case_id, arrival_id) = register(conn, officer, &ngo.requester, returnee)?;
        cases.insert(returnee.key, (case_id, ngo));
        arrivals.insert(returnee.key, arrival_id);
    }
    for stay in &SHELTER {
        let arrival_id =
            arrivals.get(stay.returnee).ok_or_else(|| error(format!("no demo returnee {}", stay.returnee)))?;
        shelter(conn, officer, arrival_id, stay)?;
    }
    for service in &SERVICES {
        let (case_id, ngo) =
            cases.get(service.returnee).ok_or_else(|| error(format!("no demo returnee {}", service.returnee)))?;
        provide(conn, ngo, case_id, service)?;
    }
    Ok(())
}

/// The return recorded (by the airport's officer or the NGO, on the day), the person registered,
/// the case opened and decided (by the NGO, on the day of the registration).
fn register(
    conn: &mut DbConnection,
    officer: &Principal,
    ngo: &Principal,
    returnee: &Returnee,
) -> Result<(CaseId, ArrivalId), StartupError> {
    let registered = day(returnee.registered)?;
    let recorder = match returnee.recorded_by {
        RecordedBy::Ministry => officer,
        RecordedBy::Ngo => ngo,
    };
    let details = arrival_details(returnee)?;
    let arrival = act(conn, recorder, "record an arrival", |tx| record_arrival(tx, recorder, details))?;
    let details = person_details(returnee)?;
    let person = act(conn, ngo, "register a person", |tx| register_person(tx, ngo, details))?;
    let arrival_id = ArrivalId::from(arrival.arrival.id);
    let command = OpenCase {
        person_id: PersonId::from(person.id),
        arrival_id: arrival_id.clone(),
        registration_date: registered,
    };
    let case = act(conn, ngo, "open a case", |tx| open_case(tx, ngo, command, registered))?;
    let case_id = CaseId::from(case.id);
    let decided =
        act(conn, ngo, "decide eligibility", |tx| decide_eligibility(tx, ngo, &case_id, case.version, registered))?;
    let expected = if returnee.eligible { CaseStatus::Eligible } else { CaseStatus::NotEligible };
    if decided.case.status != expected {
        return Err(error(format!(
            "the demo case of {} was decided {}, not {}",
            returnee.key,
            decided.case.status.as_str(),
            expected.as_str()
        )));
    }
    Ok((case_id, arrival_id))
}

fn arrival_details(returnee: &Returnee) -> Result<ArrivalDetails, StartupError> {
    let returned = day(returnee.returned)?;
    let bad = |what: &str, value: &str| error(format!("demo {what} {value:?} of {}", returnee.key));
    let personal_number = match returnee.number {
        Number::Personal(number) => Some(PersonalNumber::parse(number).map_err(|_| bad("personal number", number))?),
        Number::Permit(_) => None,
    };
    let countries = returnee
        .countries
        .iter()
        .map(|c| CountryCode::parse(c).ok_or_else(|| bad("country", c)))
        .collect::<Result<Vec<_>, _>>()?;
    let irregular_periods = returnee
        .irregular
        .iter()
        .map(|(start, end)| DatePeriod::new(day(start)?, day(end)?).map_err(|_| bad("period", start)))
        .collect::<Result<Vec<_>, _>>()?;
    let draft = ArrivalDraft {
        personal_number,
        arrival_date: Some(returned),
        point_of_arrival: Some(returnee.point),
        countries,
        irregular_periods,
        asylum_applied: Some(returnee.asylum.0),
        asylum_held: Some(returnee.asylum.1),
        // R8: a shelter need is recorded at the point of arrival by the ministry's officer.
        need_shelter: matches!(returnee.recorded_by, RecordedBy::Ministry)
            && SHELTER.iter().any(|stay| stay.returnee == returnee.key),
        need_medical: Some(returnee.medical_notes.is_some()),
        medical_notes: returnee.medical_notes.map(str::to_owned),
        other_needs: None,
    };
    ArrivalDetails::parse(draft, Vec::new(), returned).map_err(|e| error(format!("{}: {e:?}", returnee.key)))
}

fn person_details(returnee: &Returnee) -> Result<PersonDetails, StartupError> {
    let registered = day(returnee.registered)?;
    let bad = |what: &str, value: &str| error(format!("demo {what} {value:?} of {}", returnee.key));
    let mut draft = PersonDraft {
        residence_region: Some(RegionCode::parse(returnee.region).map_err(|_| bad("region", returnee.region))?),
        ..PersonDraft::default()
    };
    match returnee.number {
        Number::Personal(number) => {
            draft.legal_status = Some(LegalStatus::Citizen);
            draft.personal_number = Some(PersonalNumber::parse(number).map_err(|_| bad("personal number", number))?);
        }
        Number::Permit(number) => {
            draft.legal_status = Some(LegalStatus::StatelessPermanentResident);
            draft.residence_permit_number =
                Some(ResidencePermitNumber::parse(number).map_err(|_| bad("permit number", number))?);
        }
    }
    if let Some(consented) = &returnee.consent {
        let [first_ka, last_ka, first_lat, last_lat] = consented.names;
        let georgian = |name: &str| GeorgianName::parse(name).map_err(|_| bad("name", name));
        let latin = |name: &str| LatinName::parse(name).map_err(|_| bad("name", name));
        draft.first_name_ka = Some(georgian(first_ka)?);
        draft.last_name_ka = Some(georgian(last_ka)?);
        draft.first_name_lat = Some(latin(first_lat)?);
        draft.last_name_lat = Some(latin(last_lat)?);
        draft.date_of_birth = Some(day(consented.born)?);
        draft.sex = Some(consented.sex);
        draft.residence_locality = Some(consented.locality.to_owned());
        // R14: consent recorded on the day of the registration.
        draft.consent = Some(
            Consent::new(registered, consented.scope, registered).map_err(|_| bad("consent", returnee.registered))?,
        );
    }
    PersonDetails::parse(draft, Vec::new(), registered).map_err(|e| error(format!("{}: {e:?}", returnee.key)))
}

fn details(detail: &Detail) -> Result<Details, StartupError> {
    Ok(match *detail {
        Detail::Medical { category, icd10, notes, provider } => {
            // The API refuses a malformed code at its edge; the demo holds itself to the same.
            if !is_icd10_code(icd10) {
                return Err(error(format!("demo ICD-10 code {icd10:?}")));
            }
            Details::Medical(MedicalDetails {
                service_id: String::new(),
                condition_category: category,
                icd10_code: Some(icd10.to_owned()),
                notes: Some(notes.to_owned()),
                provider: Some(provider.to_owned()),
            })
        }
        Detail::Psychosocial { sessions } => {
            Details::Psychosocial(PsychosocialDetails { service_id: String::new(), planned_sessions: sessions })
        }
        Detail::SocialProject { title, sector, description } => Details::SocialProject(SocialProjectDetails {
            service_id: String::new(),
            title: title.to_owned(),
            sector: sector.to_owned(),
            business_description: description.to_owned(),
        }),
        Detail::Vocational { education, skills, interests, directions, informed_on } => {
            Details::Vocational(VocationalDetails {
                education: Some(education.to_owned()),
                skills: skills.to_owned(),
                interests: interests.to_owned(),
                proposed_directions: directions.iter().map(|d| (*d).to_owned()).collect(),
                division_informed_on: informed_on.map(day).transpose()?,
                // Its place in the division's feed is taken when it is stored.
                feed_position: 0,
            })
        }
    })
}

/// The service requested by the NGO's requester, then taken through its steps: decisions by the
/// NGO's manager (R12), deliveries by the requester, a cancellation by whoever may make it.
fn provide(conn: &mut DbConnection, ngo: &Staff, case_id: &CaseId, service: &DemoService) -> Result<(), StartupError> {
    let (requester, decider) = (&ngo.requester, &ngo.decider);
    let requested_on = day(service.requested_on)?;
    let command = RequestService {
        case_id: case_id.clone(),
        service_type: service.service_type,
        requested_amount: Tetri::new(service.requested_tetri),
        reference: Some(service.reference.to_owned()),
        details: Some(details(&service.detail)?),
    };
    let mut record =
        act(conn, requester, "request a service", |tx| request_service(tx, requester, command, requested_on))?;
    for step in service.steps {
        let id = ServiceId::from(record.service.id.as_str());
        let version = record.service.version;
        record = match *step {
            Step::Approve(on, amount) => {
                let on = day(on)?;
                act(conn, decider, "approve", |tx| {
                    approve_service(tx, decider, &id, version, amount.map(Tetri::new), on)
                })?
            }
            Step::Reject(on, reason) => {
                let on = day(on)?;
                act(conn, decider, "reject", |tx| reject_service(tx, decider, &id, version, reason.to_owned(), on))?
            }
            Step::Supplement(on, tetri) => {
                let on = day(on)?;
                act(conn, decider, "supplement", |tx| {
                    approve_supplement(tx, decider, &id, version, Tetri::new(tetri), on)
                })?
            }
            Step::Deliver(on, cost, reference) => {
                let on = day(on)?;
                let delivery = DeliverService {
                    delivered_on: on,
                    actual_amount: Tetri::new(cost),
                    reference: Some(reference.to_owned()),
                };
                act(conn, requester, "deliver", |tx| deliver_service(tx, requester, &id, version, delivery, on))?
            }
            Step::Cancel(reason) => {
                // A caseworker withdraws a request; only a manager cancels an approval.
                let who = if record.service.status == ServiceStatus::Requested { requester } else { decider };
                act(conn, who, "cancel", |tx| cancel_service(tx, who, &id, version, reason.to_owned()))?
            }
        };
    }
    Ok(())
}

/// A restarted demo: the old passwords were only printed, so hand out new ones. No action fits
/// the users' (nobody chose these passwords, nobody need change them): they are renewed straight
/// in `persistence`; a client's secret is rotated by its action, with no overlap.
fn renew_credentials(
    tx: &mut WriteTx<'_>,
    people: &[persistence::models::identity::User],
) -> Result<Vec<Credential>, StartupError> {
    let organizations = organizations::list(tx.read(), &Visibility::All, None, None, 10_000)?;
    let names: HashMap<_, _> =
        organizations.items.iter().map(|o| (o.organization.id.as_str(), o.organization.name_en.as_str())).collect();
    let mut credentials = Vec::new();
    for user in people {
        let password = secret()?;
        users::set_password(tx, &user.id, user.version, password::hash(&password).map_err(error)?, false)?;
        let ngo = user.role.belongs_to_ngo().then(|| names.get(user.organization_id.as_str()).copied()).flatten();
        credentials.push(Credential {
            what: user_label(user.role, ngo),
            login: user.username.clone(),
            secret: password,
        });
    }
    let all = clients::list(tx.read(), &Visibility::All, None, None, 10_000)?;
    for client in all.items.iter().filter(|c| c.client_id.starts_with(DEMO_PREFIX)) {
        let client_secret = secret()?;
        let hash = password::hash(&client_secret).map_err(error)?;
        rotate_client_secret(
            tx,
            &ClientId::from(client.id.as_str()),
            client.version,
            hash,
            SecretOverlap(chrono::Duration::zero()),
        )
        .map_err(action_error)?;
        credentials.push(Credential {
            what: format!("client {}", client.name),
            login: client.client_id.clone(),
            secret: client_secret,
        });
    }
    Ok(credentials)
}

fn print(credentials: &[Credential]) {
    println!("==================== DEMO DATA — NOT FOR REAL USE ====================");
    println!("2017 program: the ministry, five NGOs, budget 590,000.00 GEL, awarded as grants; the year's");
    println!("returns, cases, eligibility decisions and services S1–S4 in every state.");
    println!("Log in at /docs/ (Authorize, password flow) or POST /api/v1/auth/token.");
    for c in credentials {
        println!("  {:<70} {:<20} {}", c.what, c.login, c.secret);
    }
    println!("These credentials are printed once; restart with --demo for new ones.");
    println!("=======================================================================");
}
