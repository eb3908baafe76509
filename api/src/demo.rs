//! `serve --demo`: the 2017 program as demo data — the ministry, the five implementing NGOs of
//! PROGRAM.md, the 2017 budget of 590,000.00 GEL awarded to them as grants, one user per role and
//! one API client per NGO — with credentials printed to stdout, clearly marked. Refused against a database that
//! holds real data; on a demo database it only prints fresh credentials.

use application::ActionError;
use application::grants::award_grant::{AwardGrant, award_grant};
use application::grants::create_program_year::create_program_year;
use application::identity::OrganizationDetails;
use application::identity::create_client::{CreateClient, create_client};
use application::identity::create_organization::create_organization;
use application::identity::create_user::{CreateUser, create_user};
use application::identity::ensure_ministry::ensure_ministry;
use application::identity::rotate_client_secret::{SecretOverlap, rotate_client_secret};
use application::{ClientId, OrganizationId};
use domain::message::Message;
use domain::money::Tetri;
use domain::program::{PROGRAM_BUDGET_2017_GEL, implementing_organizations_2017};
use domain::region::RegionCode;
use domain::role::Role;
use persistence::repo::{clients, organizations, users};
use persistence::{Actor, Pool, Visibility, WriteTx, in_write_transaction};

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
        in_write_transaction(&mut conn, &Actor::System, None, load_program)?
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

fn load_program(tx: &mut WriteTx<'_>) -> Result<Vec<Credential>, StartupError> {
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
            period_start: chrono::NaiveDate::from_ymd_opt(2017, 3, 1).ok_or_else(|| error("date"))?,
            period_end: chrono::NaiveDate::from_ymd_opt(2017, 12, 31).ok_or_else(|| error("date"))?,
            reference: Some(format!("MRA/2017/RG-{:02}", ngos.len() + 1)),
            ceilings: Vec::new(),
        };
        award_grant(tx, award).map_err(action_error)?;
        ngos.push((id, name.en.clone()));
    }
    let mut credentials = Vec::new();
    let first_ngo = ngos.first().map(|(id, _)| id.clone()).ok_or_else(|| error("no NGO"))?;
    let people = [
        (Role::Admin, "admin", &ministry),
        (Role::MinistryOfficer, "officer", &ministry),
        (Role::Auditor, "auditor", &ministry),
        (Role::NgoManager, "manager", &first_ngo),
        (Role::NgoCaseworker, "caseworker", &first_ngo),
    ];
    for (role, name, organization_id) in people {
        let password = secret()?;
        let command = CreateUser {
            username: format!("{DEMO_PREFIX}{name}"),
            full_name: format!("Demo {}", role.as_str()),
            role,
            organization_id: organization_id.clone(),
            password_hash: password::hash(&password).map_err(error)?,
        };
        let user = create_user(tx, command).map_err(action_error)?;
        credentials.push(Credential {
            what: format!("user ({})", role.as_str()),
            login: user.username,
            secret: password,
        });
    }
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
    }
    Ok(credentials)
}

/// A restarted demo: the old passwords were only printed, so hand out new ones. No action fits
/// the users' (nobody chose these passwords, nobody need change them): they are renewed straight
/// in `persistence`; a client's secret is rotated by its action, with no overlap.
fn renew_credentials(
    tx: &mut WriteTx<'_>,
    people: &[persistence::models::identity::User],
) -> Result<Vec<Credential>, StartupError> {
    let mut credentials = Vec::new();
    for user in people {
        let password = secret()?;
        users::set_password(tx, &user.id, user.version, password::hash(&password).map_err(error)?, false)?;
        credentials.push(Credential {
            what: format!("user ({})", user.role),
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
    println!("2017 program: the ministry, five NGOs, budget 590,000.00 GEL.");
    println!("Log in at /docs/ (Authorize, password flow) or POST /api/v1/auth/token.");
    for c in credentials {
        println!("  {:<70} {:<20} {}", c.what, c.login, c.secret);
    }
    println!("These credentials are printed once; restart with --demo for new ones.");
    println!("=======================================================================");
}
