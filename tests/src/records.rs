//! Records made straight through `persistence`, for action-level tests (no HTTP server): a
//! migrated database of its own, NGOs with a user each, persons and arrivals as rows.

use application::{ActionError, Principal, PrincipalKind};
use chrono::NaiveDate;
use domain::organization::OrganizationKind;
use domain::role::Role;
use persistence::models::identity::OrganizationChanges;
use persistence::models::registration::{Arrival, IrregularPeriod, Person};
use persistence::repo::arrivals::ArrivalRecord;
use persistence::repo::organizations::NewOrganization;
use persistence::repo::users::NewUser;
use persistence::{Actor, DatabaseUrl, Pool, PoolConfig, WriteTx, in_write_transaction, new_id, now_utc};

use crate::TestDatabase;

/// A migrated database with its reference data, and a pool on it.
pub struct Store {
    pub pool: Pool,
    // Dropped last: removes the database.
    _database: TestDatabase,
}

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
}

impl Store {
    pub fn new() -> Self {
        let database = TestDatabase::create();
        let url = DatabaseUrl::parse(&database.url()).unwrap_or_else(|e| panic!("{e}"));
        let pool = Pool::new(&url, &PoolConfig::default());
        api::startup::prepare_database(&pool).unwrap_or_else(|e| panic!("prepare: {e}"));
        Self { pool, _database: database }
    }

    /// Runs `work` as `principal` in one write transaction, as a handler would.
    pub fn act<T>(
        &self,
        principal: &Principal,
        work: impl FnOnce(&mut WriteTx<'_>) -> Result<T, ActionError>,
    ) -> Result<T, ActionError> {
        let mut conn = self.pool.get().unwrap_or_else(|e| panic!("{e}"));
        in_write_transaction(&mut conn, &principal.actor(), None, work)
    }

    fn system<T>(&self, work: impl FnOnce(&mut WriteTx<'_>) -> Result<T, persistence::StoreError>) -> T {
        let mut conn = self.pool.get().unwrap_or_else(|e| panic!("{e}"));
        in_write_transaction(&mut conn, &Actor::System, None, work).unwrap_or_else(|e| panic!("{e}"))
    }

    /// An organisation of `kind` with one user of `role`, as the acting principal.
    fn organization_with_user(&self, kind: OrganizationKind, name: (&str, &str), role: Role) -> Principal {
        self.system(|tx| {
            let organization = persistence::repo::organizations::create(
                tx,
                NewOrganization {
                    kind,
                    changes: OrganizationChanges {
                        name_ka: name.0.to_owned(),
                        name_en: name.1.to_owned(),
                        legal_form: kind.as_str().to_owned(),
                        contact_email: None,
                        contact_phone: None,
                        address: None,
                    },
                    regions: Vec::new(),
                },
            )?;
            let user = persistence::repo::users::create(
                tx,
                NewUser {
                    organization_id: organization.organization.id.clone(),
                    username: format!("{}-{}", role.as_str(), new_id()),
                    full_name: format!("A {}", role.as_str()),
                    role,
                    password_hash: "not a hash: nobody logs in here".to_owned(),
                    must_change_password: false,
                },
            )?;
            Ok(Principal {
                kind: PrincipalKind::User,
                id: user.id,
                role,
                organization_id: organization.organization.id,
            })
        })
    }

    /// An NGO named `name` and a caseworker of it, as the acting principal.
    pub fn ngo(&self, name: &str) -> Principal {
        self.organization_with_user(OrganizationKind::Ngo, (&format!("{name} (ka)"), name), Role::NgoCaseworker)
    }

    /// A citizen registered by `ngo`, living in `region` (R4).
    pub fn person(&self, ngo: &Principal, personal_number: &str, region: &str) -> Person {
        let now = now_utc();
        let person = Person {
            id: new_id(),
            legal_status: domain::eligibility::LegalStatus::Citizen,
            personal_number: Some(personal_number.to_owned()),
            residence_permit_number: None,
            first_name_ka: None,
            last_name_ka: None,
            first_name_lat: None,
            last_name_lat: None,
            date_of_birth: None,
            sex: None,
            phone_e164: None,
            residence_region: Some(region.to_owned()),
            residence_locality: None,
            consent_date: None,
            consent_scope: None,
            organization_id: ngo.organization_id.clone(),
            version: 1,
            created_at: now,
            updated_at: now,
            search_name: String::new(),
        };
        self.system(|tx| persistence::repo::persons::create(tx, person))
    }

    /// A return of the holder of `personal_number` on `date`, recorded by `ngo`, with the
    /// irregular periods (`start`, exclusive `end`) of the stay abroad (R2a).
    pub fn arrival(
        &self,
        ngo: &Principal,
        personal_number: &str,
        date: &str,
        periods: &[(&str, &str)],
    ) -> ArrivalRecord {
        let now = now_utc();
        let id = new_id();
        let arrival = Arrival {
            id: id.clone(),
            person_id: None,
            personal_number: Some(personal_number.to_owned()),
            arrival_date: self::date(date),
            point_of_arrival: "tbilisi_airport".to_owned(),
            countries: "[\"DE\"]".to_owned(),
            asylum_applied: Some(false),
            asylum_held: Some(false),
            need_shelter: false,
            need_medical: false,
            need_other: None,
            need_medical_notes: None,
            recorded_by_user_id: None,
            organization_id: ngo.organization_id.clone(),
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let periods = periods
            .iter()
            .map(|(start, end)| IrregularPeriod {
                id: new_id(),
                arrival_id: id.clone(),
                start_date: self::date(start),
                end_date: self::date(end),
            })
            .collect();
        self.system(|tx| persistence::repo::arrivals::create(tx, ArrivalRecord::new(arrival, periods)))
    }
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

impl Store {
    /// The ministry, with an officer at the airport as the acting principal (arrivals, R8).
    pub fn ministry(&self) -> Principal {
        self.organization_with_user(OrganizationKind::Ministry, ("სამინისტრო", "Ministry"), Role::MinistryOfficer)
    }
}

/// For the identity actions (#9): the ministry's administrator and reads on a connection.
impl Store {
    /// An administrator of the ministry (created with the ministry if missing), as the acting
    /// principal of the administrator's actions.
    pub fn admin(&self) -> Principal {
        let mut conn = self.pool.get().unwrap_or_else(|e| panic!("{e}"));
        in_write_transaction(&mut conn, &Actor::System, None, |tx| {
            let organization_id = application::identity::ensure_ministry::ensure_ministry(tx)?;
            let user = application::identity::create_user::create_user(
                tx,
                application::identity::create_user::CreateUser {
                    username: format!("admin-{}", new_id()),
                    full_name: "Administrator".to_owned(),
                    role: Role::Admin,
                    organization_id: organization_id.clone(),
                    password_hash: "not a hash: nobody logs in here".to_owned(),
                },
            )?;
            Ok::<_, ActionError>(Principal {
                kind: PrincipalKind::User,
                id: user.id,
                role: Role::Admin,
                organization_id: organization_id.into_string(),
            })
        })
        .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Runs a read on a pooled connection.
    pub fn read<T>(&self, work: impl FnOnce(&mut persistence::DbConnection) -> T) -> T {
        let mut conn = self.pool.get().unwrap_or_else(|e| panic!("{e}"));
        work(&mut conn)
    }
}
