//! `reintegration seed`: synthetic registrations from a fixed random seed, through the project's
//! own persistence code, on both backends.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel::prelude::*;
use persistence::schema::{arrivals, cases, eligibility_decisions, persons};
use persistence::{DatabaseUrl, Pool, PoolConfig};
use tests::TestDatabase;

/// (personal number, Latin first name, registration date, status) of every seeded case.
type Seeded = Vec<(Option<String>, Option<String>, chrono::NaiveDate, String)>;

fn seeded(cases_wanted: u64, seed: u64) -> (TestDatabase, Seeded) {
    let database = TestDatabase::create();
    let pool = Pool::new(&DatabaseUrl::parse(&database.url()).unwrap(), &PoolConfig::default());
    api::startup::prepare_database(&pool).unwrap();
    api::seed::seed(&pool, cases_wanted, seed).unwrap();
    let mut conn = database.connect();
    let rows = cases::table
        .inner_join(persons::table)
        .select((persons::personal_number, persons::first_name_lat, cases::registration_date, cases::status))
        .order(persons::personal_number.asc())
        .load(&mut conn)
        .unwrap();
    (database, rows)
}

#[test]
fn the_same_seed_gives_the_same_registrations_and_decisions_follow_the_rules() {
    let (database, first) = seeded(300, 7);
    let (_, again) = seeded(300, 7);
    let (_, other) = seeded(300, 8);
    assert_eq!(first.len(), 300);
    assert_eq!(first, again, "a fixed seed reproduces the data");
    assert_ne!(first, other, "another seed gives other data");

    let mut conn = database.connect();
    let decided: i64 = eligibility_decisions::table.count().get_result(&mut conn).unwrap();
    assert!((150..=280).contains(&decided), "about three in four cases are decided: {decided}");
    // Every decided case's status is its decision's outcome (undetermined leaves it open).
    let mismatched: i64 = cases::table
        .inner_join(eligibility_decisions::table)
        .filter(cases::status.ne(eligibility_decisions::outcome))
        .filter(eligibility_decisions::outcome.ne("undetermined"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(mismatched, 0);
    // Names in both scripts, all in the search column.
    let searchable: i64 =
        persons::table.filter(persons::search_name.like("%ძე%")).count().get_result(&mut conn).unwrap();
    assert!(searchable > 0);
    // The case list's copies (migration 000005) are the person's and the arrival's data.
    let copies_differ: i64 = cases::table
        .inner_join(persons::table)
        .inner_join(arrivals::table)
        .filter(
            cases::search_name
                .ne(persons::search_name)
                .or(cases::residence_region.ne(persons::residence_region))
                .or(cases::personal_number.ne(persons::personal_number))
                .or(cases::arrival_date.ne(arrivals::arrival_date))
                .or(cases::need_shelter.ne(arrivals::need_shelter)),
        )
        .count()
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(copies_differ, 0);
}
