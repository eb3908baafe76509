#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The case actions without an HTTP server (#9): open a case (R5), decide its eligibility
//! (R1–R5) and the case status after each outcome, close it. Run on SQLite and, with
//! `TEST_DATABASE=postgres`, on PostgreSQL.

use application::cases::close_case::close_case;
use application::cases::decide_eligibility::decide_eligibility;
use application::cases::open_case::{OpenCase, open_case};
use application::{ActionError, CaseId, Principal, RefusalCode};
use chrono::NaiveDate;
use persistence::StoreError;
use persistence::models::registration::Case;
use tests::records::Store;

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// Today for every test: later than every date used, within R3's year of the 2017 returns.
const TODAY: &str = "2017-06-01";

fn open(
    store: &Store,
    ngo: &Principal,
    person_id: &str,
    arrival_id: &str,
    registered: &str,
) -> Result<Case, ActionError> {
    let command =
        OpenCase { person_id: person_id.into(), arrival_id: arrival_id.into(), registration_date: day(registered) };
    store.act(ngo, |tx| open_case(tx, ngo, command, day(TODAY)))
}

fn refusal_code(result: Result<impl std::fmt::Debug, ActionError>) -> RefusalCode {
    match result {
        Err(ActionError::Refused(refusal)) => refusal.code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// R2a: more than 365 days abroad irregularly before a return on 2017-03-01.
const LONG_STAY: [(&str, &str); 1] = [("2015-01-10", "2017-03-01")];

#[test]
fn opening_a_case_registers_the_return_with_the_ngo_and_links_the_arrival() {
    let store = Store::new();
    let ngo = store.ngo("NGO A");
    let person = store.person(&ngo, "01001012345", "GE-KK");
    let arrival = store.arrival(&ngo, "01001012345", "2017-03-01", &LONG_STAY);

    let case = open(&store, &ngo, &person.id, &arrival.arrival.id, "2017-05-10").unwrap();
    assert_eq!((case.status.as_str(), case.version), ("open", 1));
    assert_eq!(case.organization_id, ngo.organization_id);
    let mut conn = store.pool.get().unwrap();
    let linked =
        persistence::repo::arrivals::get(&mut conn, &persistence::Visibility::All, &arrival.arrival.id).unwrap();
    assert_eq!(linked.arrival.person_id.as_deref(), Some(person.id.as_str()));
}

#[test]
fn r5_a_second_live_case_for_the_same_return_is_refused_until_the_first_is_closed() {
    let store = Store::new();
    let ngo = store.ngo("NGO A");
    let person = store.person(&ngo, "01001012345", "GE-KK");
    let arrival = store.arrival(&ngo, "01001012345", "2017-03-01", &LONG_STAY);
    let first = open(&store, &ngo, &person.id, &arrival.arrival.id, "2017-05-10").unwrap();

    match open(&store, &ngo, &person.id, &arrival.arrival.id, "2017-05-11") {
        Err(ActionError::Refused(refusal)) => {
            assert_eq!(refusal.code, RefusalCode::DuplicateCase);
            assert_eq!(refusal.extra["case_id"], first.id.as_str(), "the NGO sees its own case");
            assert_eq!(refusal.extra["registered_by"]["en"], "NGO A");
        }
        other => panic!("R5 let a second live case through: {other:?}"),
    }
    // R5 counts live cases: once the first is closed, the return may be registered again.
    store
        .act(&ngo, |tx| {
            close_case(tx, &ngo, &CaseId::from(first.id.as_str()), 1, "moved abroad".to_owned(), day(TODAY))
        })
        .unwrap();
    let second = open(&store, &ngo, &person.id, &arrival.arrival.id, "2017-05-12").unwrap();
    assert_ne!(second.id, first.id);
}

#[test]
fn opening_a_case_reports_every_invalid_field_at_once() {
    let store = Store::new();
    let ngo = store.ngo("NGO A");
    let other_ngo = store.ngo("NGO B");
    let theirs = store.person(&other_ngo, "01001012345", "GE-KK");
    let arrival = store.arrival(&ngo, "02002023456", "2017-03-01", &LONG_STAY);

    // A person another NGO holds is unknown to this one (R11), and the date is in the future.
    match open(&store, &ngo, &theirs.id, &arrival.arrival.id, "2017-06-02") {
        Err(ActionError::Invalid(fields)) => {
            let mut found: Vec<(&str, &str)> = fields.iter().map(|f| (f.field.as_str(), f.code)).collect();
            found.sort_unstable();
            assert_eq!(found, [("person_id", "unknown_reference"), ("registration_date", "registration_in_future")]);
        }
        other => panic!("{other:?}"),
    }
    let mine = store.person(&ngo, "02002023456", "GE-KK");
    match open(&store, &ngo, &mine.id, &arrival.arrival.id, "2017-02-28") {
        Err(ActionError::Invalid(fields)) => {
            assert_eq!(fields.iter().map(|f| f.code).collect::<Vec<_>>(), ["registration_before_return"]);
        }
        other => panic!("{other:?}"),
    }
}

/// Opens a case for a fresh person of `ngo` whose return on 2017-03-01 had `periods` abroad
/// and the given asylum answers, and decides it.
fn decided(
    store: &Store,
    ngo: &Principal,
    number: &str,
    periods: &[(&str, &str)],
    asylum: Option<bool>,
) -> application::cases::decide_eligibility::Decided {
    let person = store.person(ngo, number, "GE-KK");
    let arrival = store.arrival(ngo, number, "2017-03-01", periods);
    if asylum.is_none() {
        let mut conn = store.pool.get().unwrap();
        use diesel::prelude::*;
        use persistence::schema::arrivals;
        diesel::update(arrivals::table.find(&arrival.arrival.id))
            .set((arrivals::asylum_applied.eq(None::<bool>), arrivals::asylum_held.eq(None::<bool>)))
            .execute(&mut conn)
            .unwrap();
    }
    let case = open(store, ngo, &person.id, &arrival.arrival.id, "2017-05-10").unwrap();
    store.act(ngo, |tx| decide_eligibility(tx, ngo, &CaseId::from(case.id.as_str()), case.version, day(TODAY))).unwrap()
}

#[test]
fn a_decision_moves_the_case_by_its_outcome_and_records_who_decided_on_what() {
    let store = Store::new();
    let ngo = store.ngo("NGO A");

    // R2a met (781 days), R1, R3, R4 and R5 pass: eligible.
    let eligible = decided(&store, &ngo, "01001012345", &LONG_STAY, Some(false));
    assert_eq!(eligible.decision.outcome.as_str(), "eligible");
    assert_eq!((eligible.case.status.as_str(), eligible.case.version), ("eligible", 2));
    assert_eq!(eligible.decision.decided_by_user_id.as_deref(), Some(ngo.id.as_str()));
    assert_eq!(eligible.decision.decided_on, day("2017-05-10"), "decided on the registration date");
    let rules: serde_json::Value = serde_json::from_str(&eligible.decision.rules).unwrap();
    let names: Vec<&str> = rules.as_array().unwrap().iter().map(|r| r["rule"].as_str().unwrap()).collect();
    assert_eq!(names, ["R1", "R2", "R3", "R4", "R5"]);
    assert_eq!(rules[1]["facts"]["irregular_days"], 781);
    let input: serde_json::Value = serde_json::from_str(&eligible.decision.input).unwrap();
    assert_eq!(input["return_date"], "2017-03-01");
    assert_eq!(input["irregular_periods"][0]["start"], "2015-01-10");

    // R2 fails: 100 days abroad, no asylum: not eligible.
    let not_eligible = decided(&store, &ngo, "02002023456", &[("2016-11-21", "2017-03-01")], Some(false));
    assert_eq!(not_eligible.decision.outcome.as_str(), "not_eligible");
    assert_eq!(not_eligible.case.status.as_str(), "not_eligible");

    // R2 not yet known (short stay, asylum unanswered): undetermined, and the case stays open.
    let undetermined = decided(&store, &ngo, "03003034567", &[("2016-11-21", "2017-03-01")], None);
    assert_eq!(undetermined.decision.outcome.as_str(), "undetermined");
    assert_eq!((undetermined.case.status.as_str(), undetermined.case.version), ("open", 2));
}

#[test]
fn a_closed_case_takes_no_decision_and_a_stale_version_is_refused() {
    let store = Store::new();
    let ngo = store.ngo("NGO A");
    let person = store.person(&ngo, "01001012345", "GE-KK");
    let arrival = store.arrival(&ngo, "01001012345", "2017-03-01", &LONG_STAY);
    let case = open(&store, &ngo, &person.id, &arrival.arrival.id, "2017-05-10").unwrap();

    let stale = store.act(&ngo, |tx| decide_eligibility(tx, &ngo, &CaseId::from(case.id.as_str()), 7, day(TODAY)));
    assert!(matches!(stale, Err(ActionError::Store(StoreError::StaleVersion { current: 1 }))), "{stale:?}");

    let closed = store
        .act(&ngo, |tx| close_case(tx, &ngo, &CaseId::from(case.id.as_str()), 1, "withdrew".to_owned(), day(TODAY)))
        .unwrap();
    assert_eq!((closed.status.as_str(), closed.closed_on), ("closed", Some(day(TODAY))));
    let decision =
        store.act(&ngo, |tx| decide_eligibility(tx, &ngo, &CaseId::from(case.id.as_str()), closed.version, day(TODAY)));
    assert_eq!(refusal_code(decision), RefusalCode::CaseClosed);
    let again = store.act(&ngo, |tx| {
        close_case(tx, &ngo, &CaseId::from(case.id.as_str()), closed.version, "again".to_owned(), day(TODAY))
    });
    assert_eq!(refusal_code(again), RefusalCode::CaseClosed);
}

#[test]
fn another_ngos_case_is_not_found_for_every_case_action() {
    let store = Store::new();
    let ngo = store.ngo("NGO A");
    let stranger = store.ngo("NGO B");
    let person = store.person(&ngo, "01001012345", "GE-KK");
    let arrival = store.arrival(&ngo, "01001012345", "2017-03-01", &LONG_STAY);
    let case = open(&store, &ngo, &person.id, &arrival.arrival.id, "2017-05-10").unwrap();

    let decide =
        store.act(&stranger, |tx| decide_eligibility(tx, &stranger, &CaseId::from(case.id.as_str()), 1, day(TODAY)));
    assert!(matches!(decide, Err(ActionError::Store(StoreError::NotFound))), "{decide:?}");
    let close = store
        .act(&stranger, |tx| close_case(tx, &stranger, &CaseId::from(case.id.as_str()), 1, "x".to_owned(), day(TODAY)));
    assert!(matches!(close, Err(ActionError::Store(StoreError::NotFound))), "{close:?}");
}
