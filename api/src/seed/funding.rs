//! Who the seed's services are requested and decided by, and the money they are paid from: two
//! users per NGO (R12) and, for each year the services are approved in, the program year and one
//! grant per NGO, sized to what the services will hold and within the year's budget (R9) — all
//! made through the actions, as an administrator would.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use application::grants::award_grant::{AwardGrant, award_grant};
use application::grants::create_program_year::create_program_year;
use application::identity::create_user::{CreateUser, create_user};
use chrono::NaiveDate;
use domain::money::Tetri;
use domain::role::Role;
use domain::service::ServiceType;
use persistence::repo::{grants, program_years, users};
use persistence::{Actor, Pool, StoreError, in_write_transaction};

use super::SeedError;
use super::services::{Demand, GrantRoom, Staff};

/// Grants are sized to the sample's demand scaled to the run, with this much headroom (the
/// sample's error, and NGOs the random split favoured),
const HEADROOM: f64 = 1.1;
/// plus this much (tetri; 10,000 GEL): while a service is walked through its lifecycle it may
/// briefly hold more (its approval and supplement) than it holds at the end (its delivered cost).
const MARGIN: i64 = 1_000_000;
/// Grants are whole thousands of GEL, budgets whole hundred thousands.
const GRANT_UNIT: i64 = 100_000;
const BUDGET_UNIT: i64 = 10_000_000;
/// The one type the seed's grants cap (a ceiling, R10): small income projects.
const CAPPED: ServiceType = ServiceType::SocialProject;

fn tetri(value: i64) -> Result<Tetri, SeedError> {
    Tetri::try_from(value).map_err(|_| SeedError::Other(format!("{value} tetri is negative")))
}

fn round_up(value: f64, unit: i64) -> i64 {
    let units = (value / unit as f64).ceil().max(0.0) as i64;
    units.saturating_mul(unit)
}

/// The NGOs' caseworker and manager for the seed (`seed-caseworker-<ngo>`, `seed-manager-<ngo>`),
/// created through the identity action where absent, with a random password nobody is told:
/// they exist to be named as requester and decider, not to log in.
pub(super) fn staff(pool: &Pool, organizations: &[String]) -> Result<Vec<Staff>, SeedError> {
    let mut conn = pool.get()?;
    in_write_transaction(&mut conn, &Actor::System, None, |tx| {
        let mut staff = Vec::new();
        for organization in organizations {
            let mut one = |role: Role, name: &str| -> Result<String, SeedError> {
                let username = format!("seed-{name}-{}", organization.replace('-', ""));
                if let Some((user, _, _)) = users::find_for_login(tx.read(), &username)? {
                    return Ok(user.id);
                }
                let secret = crate::secret::random_secret().map_err(|e| SeedError::Other(e.to_string()))?;
                let password_hash =
                    crate::auth::password::hash(&secret).map_err(|e| SeedError::Other(e.to_string()))?;
                let command = CreateUser {
                    username,
                    full_name: format!("Synthetic {}", role.as_str()),
                    role,
                    organization_id: organization.as_str().into(),
                    password_hash,
                };
                Ok(create_user(tx, command)?.id)
            };
            staff.push(Staff {
                caseworker: one(Role::NgoCaseworker, "caseworker")?,
                manager: one(Role::NgoManager, "manager")?,
            });
        }
        Ok(staff)
    })
}

/// Opens each year `demand` names, where absent, with a budget that holds its grants, and awards
/// each NGO that has none for the year a grant of its share (never beyond what the year has
/// left: R9, checked by the action), capping small income projects. `scale`: the run's cases per
/// case of the sample. Returns every grant of the NGOs, with what is left of it and its
/// ceilings, by (NGO, year).
pub(super) fn fund(
    pool: &Pool,
    organizations: &[String],
    demand: &Demand,
    scale: f64,
) -> Result<HashMap<(usize, i32), GrantRoom>, SeedError> {
    let share = |of: &dyn Fn(ServiceType) -> bool| {
        let mut per_ngo = BTreeMap::<(usize, i32), i64>::new();
        let mut per_year = BTreeMap::<i32, i64>::new();
        for (&(organization, year, service_type), &tetri) in demand {
            if of(service_type) {
                *per_ngo.entry((organization, year)).or_default() += tetri;
                *per_year.entry(year).or_default() += tetri;
            }
        }
        // An NGO's own sample, or its even share of the year's when that is more: the run's
        // cases spread evenly over the NGOs, the sample's only roughly.
        move |organization: usize, year: i32| {
            let own = per_ngo.get(&(organization, year)).copied().unwrap_or(0) as f64;
            let even = per_year.get(&year).copied().unwrap_or(0) as f64 / organizations.len().max(1) as f64;
            round_up(own.max(even) * scale * HEADROOM + MARGIN as f64, GRANT_UNIT)
        }
    };
    let wanted = share(&|_| true);
    let capped = share(&|service_type| service_type == CAPPED);
    let years: BTreeSet<i32> = demand.keys().map(|&(_, year, _)| year).collect();
    let mut conn = pool.get()?;
    in_write_transaction(&mut conn, &Actor::System, None, |tx| {
        let (existing, _) = grants::of_organizations(tx.read(), organizations)?;
        for &year in &years {
            let needed: Vec<usize> = (0..organizations.len())
                .filter(|&i| !existing.iter().any(|g| g.program_year == year && g.organization_id == organizations[i]))
                .collect();
            let mut open = match program_years::get(tx.read(), year) {
                Ok(open) => open,
                Err(StoreError::NotFound) => {
                    let budget = round_up(needed.iter().map(|&i| wanted(i, year) as f64).sum(), BUDGET_UNIT);
                    create_program_year(tx, year, tetri(budget)?)?
                }
                Err(other) => return Err(other.into()),
            };
            for i in needed {
                let amount = wanted(i, year).min(open.budget_tetri - open.granted_tetri);
                if amount < GRANT_UNIT {
                    continue; // the year's budget is spent: this NGO's approvals that year are refused (R10)
                }
                let date = |month, day| {
                    NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| SeedError::Other(format!("no {year}")))
                };
                award_grant(
                    tx,
                    AwardGrant {
                        program_year: year,
                        organization_id: organizations[i].clone(),
                        amount: tetri(amount)?,
                        period_start: date(1, 1)?,
                        period_end: date(12, 31)?,
                        reference: Some(format!("SEED/{year}/{:02}", i + 1)),
                        ceilings: vec![(CAPPED, tetri(capped(i, year).min(amount))?)],
                    },
                )?;
                open = program_years::get(tx.read(), year)?;
            }
        }
        Ok::<_, SeedError>(())
    })?;
    let (all, ceilings) = grants::of_organizations(&mut conn, organizations)?;
    let mut rooms = HashMap::new();
    for grant in all {
        let Some(organization) = organizations.iter().position(|o| *o == grant.organization_id) else { continue };
        let ceilings = ceilings
            .iter()
            .filter(|c| c.grant_id == grant.id)
            .filter_map(|c| Some((ServiceType::parse(&c.service_type)?, c.amount_tetri - c.committed_tetri)))
            .collect();
        let room = GrantRoom {
            remaining: grant.amount_tetri - grant.committed_tetri,
            period_start: grant.period_start,
            period_end: grant.period_end,
            ceilings,
            id: grant.id,
        };
        rooms.insert((organization, grant.program_year), room);
    }
    Ok(rooms)
}
