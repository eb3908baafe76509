#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The person and arrival actions without an HTTP server (#9): register a person (R5, R14),
//! correct a person, record an arrival (R5, R11, #8.11), correct it (#8.10), read it (R11). Run
//! on SQLite and, with `TEST_DATABASE=postgres`, on PostgreSQL.

use application::arrivals::correct_arrival::{CorrectArrival, correct_arrival};
use application::arrivals::read_arrival::read_arrival;
use application::arrivals::record_arrival::record_arrival;
use application::arrivals::{ArrivalDetails, ArrivalDraft};
use application::cases::open_case::{OpenCase, open_case};
use application::persons::correct_person::{CorrectPerson, correct_person};
use application::persons::register_person::register_person;
use application::persons::{PersonDetails, PersonDraft};
use application::{ActionError, Principal, Refusal, RefusalCode};
use chrono::NaiveDate;
use domain::case::PointOfArrival;
use domain::eligibility::LegalStatus;
use domain::period::DatePeriod;
use domain::person::{Consent, ConsentScope, GeorgianName};
use domain::person_id::{PersonalNumber, ResidencePermitNumber};
use domain::region::RegionCode;
use persistence::models::registration::Person;
use persistence::repo::arrivals::ArrivalRecord;
use persistence::{StoreError, Visibility};
use tests::records::Store;

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// Today for every test: later than every date used, within R3's year of the 2017 returns.
const TODAY: &str = "2017-06-01";

fn citizen(number: &str) -> PersonDraft {
    PersonDraft {
        legal_status: Some(LegalStatus::Citizen),
        personal_number: Some(PersonalNumber::parse(number).unwrap()),
        residence_region: Some(RegionCode::parse("GE-KK").unwrap()),
        ..PersonDraft::default()
    }
}

fn details(draft: PersonDraft) -> PersonDetails {
    PersonDetails::parse(draft, Vec::new(), day(TODAY)).unwrap()
}

fn register(store: &Store, ngo: &Principal, draft: PersonDraft) -> Result<Person, ActionError> {
    let details = PersonDetails::parse(draft, Vec::new(), day(TODAY))?;
    store.act(ngo, |tx| register_person(tx, ngo, details))
}

/// A return on `date` of the holder of `number`, after 781 days abroad irregularly (R2a).
fn airport(number: Option<&str>, date: &str) -> ArrivalDraft {
    ArrivalDraft {
        personal_number: number.map(|n| PersonalNumber::parse(n).unwrap()),
        arrival_date: Some(day(date)),
        point_of_arrival: Some(PointOfArrival::TbilisiAirport),
        irregular_periods: vec![DatePeriod::new(day("2015-01-10"), day("2017-03-01")).unwrap()],
        asylum_applied: Some(false),
        asylum_held: Some(false),
        ..ArrivalDraft::default()
    }
}

fn arrival_details(draft: ArrivalDraft) -> ArrivalDetails {
    ArrivalDetails::parse(draft, Vec::new(), day(TODAY)).unwrap()
}

fn record(store: &Store, by: &Principal, draft: ArrivalDraft) -> Result<ArrivalRecord, ActionError> {
    let details = ArrivalDetails::parse(draft, Vec::new(), day(TODAY))?;
    store.act(by, |tx| record_arrival(tx, by, details))
}

fn refusal(result: Result<impl std::fmt::Debug, ActionError>) -> Refusal {
    match result {
        Err(ActionError::Refused(refusal)) => refusal,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn invalid(result: Result<impl std::fmt::Debug, ActionError>) -> Vec<(String, &'static str)> {
    match result {
        Err(ActionError::Invalid(fields)) => {
            let mut found: Vec<(String, &'static str)> = fields.into_iter().map(|f| (f.field, f.code)).collect();
            found.sort();
            found
        }
        other => panic!("expected invalid fields, got {other:?}"),
    }
}

fn arrival_seen_by_all(store: &Store, id: &str) -> ArrivalRecord {
    let mut conn = store.pool.get().unwrap();
    persistence::repo::arrivals::get(&mut conn, &Visibility::All, id).unwrap()
}

// Persons ------------------------------------------------------------------------------------

#[test]
fn registering_a_person_holds_them_with_the_ngo_and_links_the_airports_arrivals() {
    let store = Store::new();
    let (ministry, ngo) = (store.ministry(), store.ngo("NGO A"));
    let at_airport = record(&store, &ministry, airport(Some("01001012345"), "2017-03-01")).unwrap();
    assert_eq!(at_airport.arrival.person_id, None, "nobody holds the number yet");

    let person = register(&store, &ngo, citizen("01001012345")).unwrap();
    assert_eq!((person.organization_id.as_str(), person.version), (ngo.organization_id.as_str(), 1));
    assert_eq!((person.legal_status.as_str(), person.residence_region.as_deref()), ("citizen", Some("GE-KK")));
    let linked = arrival_seen_by_all(&store, &at_airport.arrival.id);
    assert_eq!(linked.arrival.person_id.as_deref(), Some(person.id.as_str()), "R8: linked by number");
}

#[test]
fn r5_a_number_already_held_is_refused_naming_the_ngo_and_the_record_only_to_its_holder() {
    let store = Store::new();
    let (ngo_a, ngo_b) = (store.ngo("NGO A"), store.ngo("NGO B"));
    let person = register(&store, &ngo_a, citizen("01001012345")).unwrap();

    let theirs = refusal(register(&store, &ngo_b, citizen("01001012345")));
    assert_eq!(theirs.code, RefusalCode::DuplicatePerson);
    assert_eq!(theirs.extra["registered_by"]["en"], "NGO A");
    assert_eq!(theirs.extra["registered_by"]["ka"], "NGO A (ka)");
    assert!(!theirs.extra.contains_key("person_id"), "R11: another NGO's record is not revealed");

    let own = refusal(register(&store, &ngo_a, citizen("01001012345")));
    assert_eq!(own.code, RefusalCode::DuplicatePerson);
    assert_eq!(own.extra["person_id"], person.id.as_str());
}

#[test]
fn r14_without_consent_only_what_eligibility_needs_is_accepted() {
    let store = Store::new();
    let ngo = store.ngo("NGO A");
    let named = PersonDraft {
        first_name_ka: Some(GeorgianName::parse("ნინო").unwrap()),
        date_of_birth: Some(day("1985-04-12")),
        ..citizen("01001012345")
    };
    assert_eq!(
        invalid(register(&store, &ngo, named.clone())),
        [("date_of_birth".to_owned(), "consent_required"), ("first_name_ka".to_owned(), "consent_required")]
    );
    let consent = Consent::new(day("2017-03-02"), ConsentScope::ProgramServices, day(TODAY)).unwrap();
    let person = register(&store, &ngo, PersonDraft { consent: Some(consent), ..named }).unwrap();
    assert_eq!(person.first_name_ka.as_deref(), Some("ნინო"));
    assert_eq!(
        (person.consent_date, person.consent_scope.as_deref()),
        (Some(day("2017-03-02")), Some("program_services"))
    );
    // The minimum for eligibility needs no consent.
    register(&store, &ngo, citizen("02002023456")).unwrap();
}

#[test]
fn r1_each_legal_status_is_identified_by_its_own_number_only() {
    let permit = || Some(ResidencePermitNumber::parse("AB123456").unwrap());
    // #9.5: a permit number with `other` is invalid input, as in the dry run and a decision.
    let other = PersonDraft {
        legal_status: Some(LegalStatus::Other),
        residence_permit_number: permit(),
        ..PersonDraft::default()
    };
    let result = PersonDetails::parse(other, Vec::new(), day(TODAY));
    assert_eq!(invalid(result), [("residence_permit_number".to_owned(), "identifier_does_not_match_legal_status")]);
    let stateless =
        PersonDraft { legal_status: Some(LegalStatus::StatelessPermanentResident), ..PersonDraft::default() };
    let result = PersonDetails::parse(stateless.clone(), Vec::new(), day(TODAY));
    assert_eq!(invalid(result), [("residence_permit_number".to_owned(), "required")]);
    assert!(
        PersonDetails::parse(PersonDraft { residence_permit_number: permit(), ..stateless }, Vec::new(), day(TODAY))
            .is_ok()
    );
    let result = PersonDetails::parse(PersonDraft::default(), Vec::new(), day(TODAY));
    assert_eq!(invalid(result), [("legal_status".to_owned(), "required")]);
}

#[test]
fn correcting_a_person_keeps_r5_and_links_the_arrivals_of_a_corrected_number() {
    let store = Store::new();
    let (ministry, ngo_a, ngo_b) = (store.ministry(), store.ngo("NGO A"), store.ngo("NGO B"));
    let person = register(&store, &ngo_a, citizen("01001012345")).unwrap();
    register(&store, &ngo_b, citizen("02002023456")).unwrap();
    let correct = |by: &Principal, number: &str, version: i32| {
        let command = CorrectPerson {
            person_id: person.id.as_str().into(),
            expected_version: version.into(),
            details: details(citizen(number)),
        };
        store.act(by, |tx| correct_person(tx, by, command))
    };

    // R5: the number of NGO B's person is refused, naming NGO B.
    let taken = refusal(correct(&ngo_a, "02002023456", 1));
    assert_eq!((taken.code, &taken.extra["registered_by"]["en"]), (RefusalCode::DuplicatePerson, &"NGO B".into()));
    // R11: NGO B does not find NGO A's person; a stale version is refused.
    assert!(matches!(correct(&ngo_b, "03003034567", 1), Err(ActionError::Store(StoreError::NotFound))));
    let stale = correct(&ngo_a, "03003034567", 5);
    assert!(matches!(stale, Err(ActionError::Store(StoreError::StaleVersion { current: 1 }))), "{stale:?}");

    // #8.10: the airport's arrival under the corrected number belongs to the person now.
    let at_airport = record(&store, &ministry, airport(Some("03003034567"), "2017-03-01")).unwrap();
    let corrected = correct(&ngo_a, "03003034567", 1).unwrap();
    assert_eq!((corrected.personal_number.as_deref(), corrected.version), (Some("03003034567"), 2));
    let linked = arrival_seen_by_all(&store, &at_airport.arrival.id);
    assert_eq!(linked.arrival.person_id.as_deref(), Some(person.id.as_str()));
}

// Arrivals -----------------------------------------------------------------------------------

#[test]
fn recording_an_arrival_links_the_person_and_r11_names_only_the_ngo_to_others() {
    let store = Store::new();
    let (ministry, ngo_a, ngo_b) = (store.ministry(), store.ngo("NGO A"), store.ngo("NGO B"));
    let at_airport = record(&store, &ministry, airport(Some("01001012345"), "2017-03-01")).unwrap();
    assert_eq!(at_airport.arrival.recorded_by_user_id.as_deref(), Some(ministry.id.as_str()));
    let person = register(&store, &ngo_a, citizen("01001012345")).unwrap();

    // The holder's later return links to the person; another NGO's is `duplicate_person`.
    let later = record(&store, &ngo_a, airport(Some("01001012345"), "2017-04-01")).unwrap();
    assert_eq!(later.arrival.person_id.as_deref(), Some(person.id.as_str()));
    let elsewhere = refusal(record(&store, &ngo_b, airport(Some("01001012345"), "2017-05-01")));
    assert_eq!(elsewhere.code, RefusalCode::DuplicatePerson);
    assert_eq!(elsewhere.extra["registered_by"]["en"], "NGO A");

    // R11: the airport's arrival, once its person is held, names only the holder to NGO B.
    let mut conn = store.pool.get().unwrap();
    let read = read_arrival(&mut conn, &ngo_b, &at_airport.arrival.id.as_str().into());
    let refused = refusal(read);
    assert_eq!(
        (refused.code, &refused.extra["registered_by"]["en"]),
        (RefusalCode::RegisteredElsewhere, &"NGO A".into())
    );
    assert!(read_arrival(&mut conn, &ngo_a, &at_airport.arrival.id.as_str().into()).is_ok());
    // NGO A's own record of the later return was never the shared intake: simply not found.
    let unseen = read_arrival(&mut conn, &ngo_b, &later.arrival.id.as_str().into());
    assert!(matches!(unseen, Err(ActionError::Store(StoreError::NotFound))), "{unseen:?}");
}

#[test]
fn r5_a_second_record_of_the_same_return_is_a_duplicate_arrival() {
    let store = Store::new();
    let (ministry, ngo) = (store.ministry(), store.ngo("NGO A"));
    let first = record(&store, &ministry, airport(Some("01001012345"), "2017-03-01")).unwrap();

    let again = refusal(record(&store, &ministry, airport(Some("01001012345"), "2017-03-01")));
    assert_eq!(again.code, RefusalCode::DuplicateArrival);
    assert_eq!(again.extra["arrival_id"], first.arrival.id.as_str());
    // By person too, once the number is held: the NGO's own record of the return is refused.
    register(&store, &ngo, citizen("01001012345")).unwrap();
    let by_ngo = refusal(record(&store, &ngo, airport(Some("01001012345"), "2017-03-01")));
    assert_eq!(by_ngo.code, RefusalCode::DuplicateArrival);
    // Another return of the same person is a new record.
    record(&store, &ministry, airport(Some("01001012345"), "2017-04-01")).unwrap();
}

#[test]
fn an_arrival_holds_together_r2a_periods_end_by_the_return_and_the_return_is_not_in_the_future() {
    let mut draft = airport(None, "2017-03-01");
    draft.irregular_periods.push(DatePeriod::new(day("2017-02-01"), day("2017-03-02")).unwrap());
    draft.need_medical = Some(false);
    draft.medical_notes = Some("insulin".to_owned());
    let result = ArrivalDetails::parse(draft, Vec::new(), day(TODAY));
    assert_eq!(
        invalid(result),
        [
            ("irregular_periods[1].end".to_owned(), "period_ends_after_return"),
            ("needs.medical".to_owned(), "contradicts_medical_notes")
        ]
    );
    let result = ArrivalDetails::parse(airport(None, "2017-06-02"), Vec::new(), day(TODAY));
    assert_eq!(invalid(result), [("arrival_date".to_owned(), "return_in_future")]);
}

#[test]
fn correcting_an_arrival_is_refused_when_it_would_break_its_person_or_its_case() {
    let store = Store::new();
    let (ministry, ngo_a, ngo_b) = (store.ministry(), store.ngo("NGO A"), store.ngo("NGO B"));
    let person = register(&store, &ngo_a, citizen("01001012345")).unwrap();
    let arrival = record(&store, &ngo_a, airport(Some("01001012345"), "2017-03-01")).unwrap();
    let case = OpenCase {
        person_id: person.id.as_str().into(),
        arrival_id: arrival.arrival.id.as_str().into(),
        registration_date: day("2017-05-10"),
    };
    let case = store.act(&ngo_a, |tx| open_case(tx, &ngo_a, case, day(TODAY))).unwrap();
    let correct = |by: &Principal, draft: ArrivalDraft, version: i32| {
        let command = CorrectArrival {
            arrival_id: arrival.arrival.id.as_str().into(),
            expected_version: version.into(),
            details: arrival_details(draft),
        };
        store.act(by, |tx| correct_arrival(tx, by, command))
    };
    let version = arrival_seen_by_all(&store, &arrival.arrival.id).arrival.version;

    // The number of a linked arrival follows its person.
    let relinked = refusal(correct(&ngo_a, airport(Some("02002023456"), "2017-03-01"), version));
    assert_eq!(
        (relinked.code, &relinked.extra["person_id"]),
        (RefusalCode::ArrivalLinkedToPerson, &person.id.as_str().into())
    );
    // #8.10: a return moved after the case's registration would strand the case.
    let stranding = refusal(correct(&ngo_a, airport(Some("01001012345"), "2017-05-20"), version));
    assert_eq!(stranding.code, RefusalCode::ArrivalHasCase);
    assert_eq!(stranding.extra["case_id"], case.id.as_str());
    assert_eq!(stranding.extra["registration_date"], "2017-05-10");
    // Only the recorder (or the ministry) changes it; a stale version is refused.
    assert!(matches!(
        correct(&ngo_b, airport(Some("01001012345"), "2017-03-01"), version),
        Err(ActionError::Store(StoreError::NotFound))
    ));
    let stale = correct(&ngo_a, airport(Some("01001012345"), "2017-03-01"), version + 5);
    assert!(matches!(stale, Err(ActionError::Store(StoreError::StaleVersion { .. }))), "{stale:?}");

    // A correction that keeps the case decidable goes through, and keeps the link.
    let mut shelter = airport(Some("01001012345"), "2017-03-02");
    shelter.need_shelter = true;
    let corrected = correct(&ngo_a, shelter, version).unwrap();
    assert_eq!((corrected.arrival.arrival_date, corrected.arrival.need_shelter), (day("2017-03-02"), true));
    assert_eq!(corrected.arrival.person_id.as_deref(), Some(person.id.as_str()));
    assert_eq!(corrected.arrival.version, version + 1);

    // Visible is not writable: an NGO reads the airport's unlinked arrivals but does not change them.
    let at_airport = record(&store, &ministry, airport(None, "2017-03-01")).unwrap();
    let command = CorrectArrival {
        arrival_id: at_airport.arrival.id.as_str().into(),
        expected_version: 1.into(),
        details: arrival_details(airport(None, "2017-03-01")),
    };
    let forbidden = store.act(&ngo_b, |tx| correct_arrival(tx, &ngo_b, command));
    assert!(matches!(forbidden, Err(ActionError::Forbidden)), "{forbidden:?}");
}
