//! `serve --demo`: the 2017 program as demo data — the ministry, the five implementing NGOs of
//! PROGRAM.md, the 2017 budget of 590,000.00 GEL, one user per role and one API client per
//! NGO — with credentials printed to stdout, clearly marked. Refused against a database that
//! holds real data; on a demo database it only prints fresh credentials.

use domain::message::Message;
use domain::money::Tetri;
use domain::program::{PROGRAM_BUDGET_2017_GEL, implementing_organizations_2017};
use domain::role::Role;
use persistence::models::identity::OrganizationChanges;
use persistence::repo::{clients, organizations, program_years, users};
use persistence::{Actor, Pool, Visibility, WriteTx, in_write_transaction};

use crate::auth::password;
use crate::startup::StartupError;

/// Every demo username starts with this, so a demo database is recognisable.
pub const DEMO_PREFIX: &str = "demo-";

pub const MINISTRY_KA: &str =
    "საქართველოს ოკუპირებული ტერიტორიებიდან იძულებით გადაადგილებულ პირთა, განსახლებისა და ლტოლვილთა სამინისტრო";
pub const MINISTRY_EN: &str =
    "Ministry of Internally Displaced Persons from the Occupied Territories, Accommodation and Refugees of Georgia";

/// Where each demo NGO works (an illustration, not the ministry's records).
const NGO_REGIONS: [&[&str]; 5] =
    [&["GE-TB", "GE-IM", "GE-KK"], &["GE-SJ"], &["GE-TB", "GE-SZ"], &["GE-AJ", "GE-GU"], &["GE-KA"]];

struct Credential {
    what: String,
    login: String,
    secret: String,
}

fn error(e: impl std::fmt::Display) -> StartupError {
    StartupError::Demo(e.to_string())
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

fn organization(
    tx: &mut WriteTx<'_>,
    kind: &'static str,
    name: &Message,
    regions: &[&str],
) -> Result<String, StartupError> {
    let record = organizations::create(
        tx,
        organizations::NewOrganization {
            kind,
            changes: OrganizationChanges {
                name_ka: name.ka.clone(),
                name_en: name.en.clone(),
                legal_form: "non-entrepreneurial non-commercial legal entity (demo)".to_owned(),
                contact_email: None,
                contact_phone: None,
                address: None,
            },
            regions: regions.iter().map(|r| (*r).to_owned()).collect(),
        },
    )?;
    Ok(record.organization.id)
}

fn load_program(tx: &mut WriteTx<'_>) -> Result<Vec<Credential>, StartupError> {
    let ministry = crate::bootstrap::ensure_ministry(tx)?;
    let budget = Tetri::from_gel(PROGRAM_BUDGET_2017_GEL).ok_or_else(|| error("budget overflow"))?;
    program_years::create(tx, 2017, budget)?;

    let mut ngos = Vec::new();
    for (name, regions) in implementing_organizations_2017().iter().zip(NGO_REGIONS) {
        ngos.push((organization(tx, "ngo", name, regions)?, name.en.clone()));
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
        let user = users::create(
            tx,
            users::NewUser {
                organization_id: organization_id.clone(),
                username: format!("{DEMO_PREFIX}{name}"),
                full_name: format!("Demo {}", role.as_str()),
                role: role.as_str().to_owned(),
                password_hash: password::hash(&password).map_err(error)?,
                must_change_password: false,
            },
        )?;
        credentials.push(Credential {
            what: format!("user ({})", role.as_str()),
            login: user.username,
            secret: password,
        });
    }
    for (i, (organization_id, name)) in ngos.iter().enumerate() {
        let client_secret = secret()?;
        let client = clients::create(
            tx,
            clients::NewClient {
                organization_id: organization_id.clone(),
                client_id: format!("{DEMO_PREFIX}ngo-{}", i + 1),
                name: format!("{name} case-management system (demo)"),
                role: Role::NgoManager.as_str().to_owned(),
                secret_hash: password::hash(&client_secret).map_err(error)?,
            },
        )?;
        credentials.push(Credential {
            what: format!("client of {name}"),
            login: client.client_id,
            secret: client_secret,
        });
    }
    Ok(credentials)
}

/// A restarted demo: the old passwords were only printed, so hand out new ones.
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
        clients::rotate_secret(tx, &client.id, client.version, hash, persistence::now_utc())?;
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
