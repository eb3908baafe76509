#![allow(clippy::unwrap_used, clippy::expect_used)]
//! What the schema itself refuses, on both backends, whatever code writes to it: the audit trail
//! is append-only (R13), budgets are not negative (R9), a person is stored once (R5), a shelter
//! stay is at most 4 nights (R7), no principal decides a service it requested (R12), a grant is
//! never overspent nor a delivery paid beyond its approval (R10), and foreign
//! keys hold (also on SQLite).

use diesel::RunQueryDsl;
use diesel::result::{DatabaseErrorKind, Error};
use persistence::DbConnection;
use persistence::repo::audit;
use tests::TestApp;

const AT: &str = "'2017-01-01 00:00:00'";

fn run(conn: &mut DbConnection, sql: &str) -> Result<usize, Error> {
    diesel::sql_query(sql).execute(conn)
}

fn assert_refused(result: Result<usize, Error>, kind: &str, what: &str) -> String {
    match result {
        Ok(rows) => panic!("{what} was accepted ({rows} rows)"),
        Err(Error::DatabaseError(found, info)) => {
            let found = match found {
                DatabaseErrorKind::UniqueViolation => "unique",
                DatabaseErrorKind::ForeignKeyViolation => "foreign_key",
                DatabaseErrorKind::CheckViolation => "check",
                _ => "other",
            };
            assert_eq!(found, kind, "{what}: {}", info.message());
            info.message().to_owned()
        }
        Err(other) => panic!("{what} failed, but not as a refusal by the database: {other}"),
    }
}

fn insert_organization(conn: &mut DbConnection, id: &str, name: &str) {
    let sql = format!(
        "INSERT INTO organizations (id, kind, name_ka, name_en, legal_form, created_at, updated_at) \
         VALUES ('{id}', 'ngo', 'ორგანიზაცია {name}', '{name}', 'non_commercial', {AT}, {AT})"
    );
    assert_eq!(run(conn, &sql).unwrap(), 1);
}

fn insert_arrival(conn: &mut DbConnection, id: &str, organization_id: &str) {
    let sql = format!(
        "INSERT INTO arrivals (id, arrival_date, point_of_arrival, need_shelter, organization_id, created_at, updated_at) \
         VALUES ('{id}', '2017-03-01', 'tbilisi_airport', TRUE, '{organization_id}', {AT}, {AT})"
    );
    assert_eq!(run(conn, &sql).unwrap(), 1);
}

fn person_sql(id: &str, personal_number: &str, organization_id: &str) -> String {
    format!(
        "INSERT INTO persons (id, legal_status, personal_number, organization_id, created_at, updated_at) \
         VALUES ('{id}', 'citizen', '{personal_number}', '{organization_id}', {AT}, {AT})"
    )
}

fn shelter_sql(id: &str, arrival_id: &str, check_in: &str, check_out: &str) -> String {
    format!(
        "INSERT INTO shelter_stays (id, arrival_id, region_code, shelter_name, check_in, check_out, planned_check_out, \
         program_year, organization_id, created_at, updated_at) \
         VALUES ('{id}', '{arrival_id}', 'GE-TB', 'თავშესაფარი', '{check_in}', '{check_out}', '{check_out}', 2017, \
         COALESCE((SELECT organization_id FROM arrivals WHERE id = '{arrival_id}'), 'org-1'), {AT}, {AT})"
    )
}

#[tokio::test]
async fn r13_the_audit_trail_cannot_be_updated_or_deleted() {
    let app = TestApp::spawn().await;
    let mut conn = app.database.connect();
    let before = audit::count(&mut conn).unwrap();
    assert!(before > 0, "the reference data left no audit events to tamper with");
    let first = audit::for_entity(&mut conn, "region", "GE-TB").unwrap();
    assert_eq!(first.len(), 1);

    let update = run(&mut conn, "UPDATE audit_events SET action = 'tampered' WHERE entity_id = 'GE-TB'");
    let message = assert_refused(update, "other", "an UPDATE of audit_events");
    assert!(message.contains("append-only"), "{message}");
    let delete = run(&mut conn, "DELETE FROM audit_events");
    let message = assert_refused(delete, "other", "a DELETE from audit_events");
    assert!(message.contains("append-only"), "{message}");

    assert_eq!(audit::count(&mut conn).unwrap(), before, "events disappeared");
    let after = audit::for_entity(&mut conn, "region", "GE-TB").unwrap();
    assert_eq!((after.len(), after[0].action.as_str(), after[0].seq), (1, "create", first[0].seq));

    // Appending stays possible.
    let append = format!(
        "INSERT INTO audit_events (id, occurred_at, actor_kind, action, entity_type, entity_id) \
         VALUES ('test-event', {AT}, 'system', 'create', 'test', 'x')"
    );
    assert_eq!(run(&mut conn, &append).unwrap(), 1);
    assert_eq!(audit::count(&mut conn).unwrap(), before + 1);
}

#[tokio::test]
async fn r9_a_negative_budget_is_refused_by_the_schema() {
    let app = TestApp::spawn().await;
    let mut conn = app.database.connect();
    let insert = |year: i32, tetri: i64| {
        format!(
            "INSERT INTO program_years (year, budget_tetri, created_at, updated_at) VALUES ({year}, {tetri}, {AT}, {AT})"
        )
    };
    assert_refused(run(&mut conn, &insert(2017, -1)), "check", "a budget of -1 tetri");
    // 590,000.00 GEL in tetri (PROGRAM.md R9) is fine, and so is zero.
    assert_eq!(run(&mut conn, &insert(2017, 59_000_000)).unwrap(), 1);
    assert_eq!(run(&mut conn, &insert(2018, 0)).unwrap(), 1);
    let update = run(&mut conn, "UPDATE program_years SET budget_tetri = -100 WHERE year = 2017");
    assert_refused(update, "check", "lowering a budget below zero");
}

#[tokio::test]
async fn r5_a_second_person_with_the_same_personal_number_is_refused() {
    let app = TestApp::spawn().await;
    let mut conn = app.database.connect();
    insert_organization(&mut conn, "org-1", "NGO One");
    insert_organization(&mut conn, "org-2", "NGO Two");
    assert_eq!(run(&mut conn, &person_sql("person-1", "01001012345", "org-1")).unwrap(), 1);
    // Typed in again by another NGO: the same person, never a second one.
    let again = run(&mut conn, &person_sql("person-2", "01001012345", "org-2"));
    assert_refused(again, "unique", "a second person with personal number 01001012345");
    // A different number is a different person.
    assert_eq!(run(&mut conn, &person_sql("person-3", "01001012346", "org-2")).unwrap(), 1);
}

#[tokio::test]
async fn r7_a_shelter_stay_of_five_nights_is_refused_and_four_accepted() {
    let app = TestApp::spawn().await;
    let mut conn = app.database.connect();
    insert_organization(&mut conn, "ministry", "Ministry");
    insert_arrival(&mut conn, "arrival-1", "ministry");

    let five = run(&mut conn, &shelter_sql("stay-5", "arrival-1", "2017-03-01", "2017-03-06"));
    assert_refused(five, "check", "a 5-night shelter stay");
    let none = run(&mut conn, &shelter_sql("stay-0", "arrival-1", "2017-03-01", "2017-03-01"));
    assert_refused(none, "check", "a 0-night shelter stay");
    // Across a month end: 2017-02-27 to 2017-03-04 is 5 nights (2017 is not a leap year).
    let five = run(&mut conn, &shelter_sql("stay-5b", "arrival-1", "2017-02-27", "2017-03-04"));
    assert_refused(five, "check", "a 5-night shelter stay across February's end");

    assert_eq!(run(&mut conn, &shelter_sql("stay-4", "arrival-1", "2017-03-01", "2017-03-05")).unwrap(), 1);

    // The return's running total of nights (R7 across stays) is within 0–4.
    assert_eq!(run(&mut conn, "UPDATE arrivals SET shelter_nights = 4 WHERE id = 'arrival-1'").unwrap(), 1);
    let five = run(&mut conn, "UPDATE arrivals SET shelter_nights = 5 WHERE id = 'arrival-1'");
    assert_refused(five, "check", "a return holding 5 nights of shelter");
    let negative = run(&mut conn, "UPDATE arrivals SET shelter_nights = -1 WHERE id = 'arrival-1'");
    assert_refused(negative, "check", "a return holding fewer than no nights");
}

fn service_sql(id: &str, requested_by: (&str, &str), decided_by: Option<(&str, &str)>) -> String {
    let column = |kind: &str, of: &str| format!("{of}_by_{kind}_id");
    let (decided_columns, decided_values) = match decided_by {
        Some((kind, who)) => (format!(", {}, decided_at", column(kind, "decided")), format!(", '{who}', {AT}")),
        None => (String::new(), String::new()),
    };
    format!(
        "INSERT INTO services (id, case_id, organization_id, service_type, status, requested_at, requested_on, \
         approved_amount_tetri, decided_on, created_at, updated_at, {}{decided_columns}) \
         VALUES ('{id}', 'case-1', 'org-1', 'medication', 'approved', {AT}, '2017-03-02', 0, '2017-03-02', {AT}, {AT}, '{}'{decided_values})",
        column(requested_by.0, "requested"),
        requested_by.1,
    )
}

#[tokio::test]
async fn r12_no_principal_person_or_system_decides_a_service_it_requested() {
    let app = TestApp::spawn().await;
    let mut conn = app.database.connect();
    insert_organization(&mut conn, "org-1", "NGO One");
    for (user, system) in [("user-1", "client-1"), ("user-2", "client-2")] {
        let sql = format!(
            "INSERT INTO users (id, organization_id, username, full_name, role, password_hash, created_at, updated_at) \
             VALUES ('{user}', 'org-1', '{user}', 'Worker', 'ngo_manager', 'x', {AT}, {AT})"
        );
        assert_eq!(run(&mut conn, &sql).unwrap(), 1);
        let sql = format!(
            "INSERT INTO api_clients (id, organization_id, client_id, name, role, secret_hash, created_at, updated_at) \
             VALUES ('{system}', 'org-1', 'ngo-{system}', 'Case system', 'ngo_manager', 'x', {AT}, {AT})"
        );
        assert_eq!(run(&mut conn, &sql).unwrap(), 1);
    }
    assert_eq!(run(&mut conn, &person_sql("person-1", "01001012345", "org-1")).unwrap(), 1);
    insert_arrival(&mut conn, "arrival-1", "org-1");
    let case = format!(
        "INSERT INTO cases (id, person_id, arrival_id, organization_id, registration_date, arrival_date, status, \
         created_at, updated_at) \
         VALUES ('case-1', 'person-1', 'arrival-1', 'org-1', '2017-03-02', '2017-03-01', 'eligible', {AT}, {AT})"
    );
    assert_eq!(run(&mut conn, &case).unwrap(), 1);

    // R12: the requester never decides, whether a person or an NGO system.
    let own = run(&mut conn, &service_sql("s-1", ("user", "user-1"), Some(("user", "user-1"))));
    assert_refused(own, "check", "a user approving their own request");
    let own = run(&mut conn, &service_sql("s-2", ("client", "client-1"), Some(("client", "client-1"))));
    assert_refused(own, "check", "an NGO system approving its own request");
    // Every request names who made it, and one principal at most decides.
    let nobody = format!(
        "INSERT INTO services (id, case_id, organization_id, service_type, status, requested_at, requested_on, created_at, updated_at) \
         VALUES ('s-3', 'case-1', 'org-1', 'medication', 'requested', {AT}, '2017-03-02', {AT}, {AT})"
    );
    assert_refused(run(&mut conn, &nobody), "check", "a service requested by nobody");
    let both = format!(
        "INSERT INTO services (id, case_id, organization_id, service_type, status, requested_at, requested_on, \
         approved_amount_tetri, decided_on, created_at, updated_at, requested_by_user_id, decided_by_user_id, decided_by_client_id) \
         VALUES ('s-4', 'case-1', 'org-1', 'medication', 'approved', {AT}, '2017-03-02', 0, '2017-03-02', {AT}, {AT}, 'user-1', 'user-2', 'client-2')"
    );
    assert_refused(run(&mut conn, &both), "check", "a service decided by a user and a system at once");

    // Four eyes: another person, another system, or a person after a system (and back).
    for (id, requested, decided) in [
        ("s-5", ("user", "user-1"), ("user", "user-2")),
        ("s-6", ("client", "client-1"), ("client", "client-2")),
        ("s-7", ("client", "client-1"), ("user", "user-1")),
        ("s-8", ("user", "user-1"), ("client", "client-1")),
    ] {
        assert_eq!(run(&mut conn, &service_sql(id, requested, Some(decided))).unwrap(), 1, "{id}");
    }
    assert_eq!(run(&mut conn, &service_sql("s-9", ("client", "client-1"), None)).unwrap(), 1, "not yet decided");
}

/// R10: the database itself refuses a grant's running total below zero or beyond the grant, an
/// approval above the request, a delivery above the approval with its supplements, and a
/// supplement approved by the service's requester (R12).
#[tokio::test]
async fn r10_the_schema_refuses_an_overspent_grant_and_a_delivery_beyond_its_approval() {
    let app = TestApp::spawn().await;
    let mut conn = app.database.connect();
    insert_organization(&mut conn, "org-1", "NGO One");
    let setup = [
        format!(
            "INSERT INTO program_years (year, budget_tetri, created_at, updated_at) VALUES (2017, 100000, {AT}, {AT})"
        ),
        format!(
            "INSERT INTO grants (id, program_year, organization_id, amount_tetri, period_start, period_end, created_at, updated_at) \
             VALUES ('grant-1', 2017, 'org-1', 1000, '2017-01-01', '2017-12-31', {AT}, {AT})"
        ),
        format!(
            "INSERT INTO users (id, organization_id, username, full_name, role, password_hash, created_at, updated_at) \
             VALUES ('user-1', 'org-1', 'user-1', 'Worker', 'ngo_manager', 'x', {AT}, {AT})"
        ),
        person_sql("person-1", "01001012345", "org-1"),
    ];
    for sql in &setup {
        assert_eq!(run(&mut conn, sql).unwrap(), 1, "{sql}");
    }
    insert_arrival(&mut conn, "arrival-1", "org-1");
    let case = format!(
        "INSERT INTO cases (id, person_id, arrival_id, organization_id, registration_date, arrival_date, status, \
         created_at, updated_at) \
         VALUES ('case-1', 'person-1', 'arrival-1', 'org-1', '2017-03-02', '2017-03-01', 'eligible', {AT}, {AT})"
    );
    assert_eq!(run(&mut conn, &case).unwrap(), 1);

    assert_eq!(
        run(&mut conn, "UPDATE grants SET committed_tetri = 1000 WHERE id = 'grant-1'").unwrap(),
        1,
        "the last tetri"
    );
    let over = run(&mut conn, "UPDATE grants SET committed_tetri = 1001 WHERE id = 'grant-1'");
    assert_refused(over, "check", "a grant committed one tetri beyond its amount");
    let negative = run(&mut conn, "UPDATE grants SET committed_tetri = -1 WHERE id = 'grant-1'");
    assert_refused(negative, "check", "a grant's running total below zero");

    let service = |id: &str,
                   status: &str,
                   requested: i64,
                   approved: i64,
                   supplement: i64,
                   delivered: &str,
                   extra: (&str, &str)| {
        format!(
            "INSERT INTO services (id, case_id, organization_id, service_type, grant_id, status, requested_amount_tetri, \
             approved_amount_tetri, supplementary_tetri, delivered_amount_tetri, delivered_on, requested_by_user_id, \
             requested_at, requested_on, decided_on, created_at, updated_at{}) \
             VALUES ('{id}', 'case-1', 'org-1', 'medication', 'grant-1', '{status}', {requested}, {approved}, {supplement}, \
             {delivered}, '2017-04-01', 'user-1', {AT}, '2017-03-02', '2017-03-03', {AT}, {AT}{})",
            extra.0, extra.1
        )
    };
    let none = ("", "");
    let above = run(&mut conn, &service("s-1", "approved", 500, 501, 0, "NULL", none));
    assert_refused(above, "check", "an approval above the request");
    let beyond = run(&mut conn, &service("s-2", "delivered", 500, 500, 100, "601", none));
    assert_refused(beyond, "check", "a delivery above the approval with its supplements");
    let own =
        run(&mut conn, &service("s-3", "approved", 500, 500, 100, "NULL", (", supplemented_by_user_id", ", 'user-1'")));
    assert_refused(own, "check", "a supplement approved by the requester (R12)");
    let unpaid = format!(
        "INSERT INTO services (id, case_id, organization_id, service_type, status, requested_amount_tetri, approved_amount_tetri, \
         requested_by_user_id, requested_at, requested_on, decided_on, created_at, updated_at) \
         VALUES ('s-4', 'case-1', 'org-1', 'medication', 'approved', 500, 500, 'user-1', {AT}, '2017-03-02', '2017-03-03', {AT}, {AT})"
    );
    assert_refused(run(&mut conn, &unpaid), "check", "an approval of money charged to no grant");
    assert_eq!(
        run(&mut conn, &service("s-5", "delivered", 500, 500, 100, "600", none)).unwrap(),
        1,
        "to the last tetri"
    );
}

#[tokio::test]
async fn foreign_keys_are_enforced_on_every_backend() {
    let app = TestApp::spawn().await;
    let mut conn = app.database.connect();
    insert_organization(&mut conn, "org-1", "NGO One");
    insert_arrival(&mut conn, "arrival-1", "org-1");
    let case = |person_id: &str| {
        format!(
            "INSERT INTO cases (id, person_id, arrival_id, organization_id, registration_date, status, arrival_date, created_at, updated_at) \
             VALUES ('case-{person_id}', '{person_id}', 'arrival-1', 'org-1', '2017-05-10', 'open', '2017-03-01', {AT}, {AT})"
        )
    };
    assert_refused(run(&mut conn, &case("no-such-person")), "foreign_key", "a case of a missing person");

    let stay = run(&mut conn, &shelter_sql("stay-1", "no-such-arrival", "2017-03-01", "2017-03-02"));
    assert_refused(stay, "foreign_key", "a shelter stay of a missing arrival");

    // With the person in place the same case is accepted.
    assert_eq!(run(&mut conn, &person_sql("person-1", "01001012345", "org-1")).unwrap(), 1);
    assert_eq!(run(&mut conn, &case("person-1")).unwrap(), 1);
}
