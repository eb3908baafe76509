#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `GET /api/v1/cases` over several thousand cases: keyset paging sorted by (registration date,
//! id), every filter, NGO scoping (R11), and every bad parameter listed at once (API.md "Shape",
//! "Errors").
//!
//! The cases are written straight through the persistence layer (one transaction per few hundred
//! rows); everything is then read over HTTP and compared with what was written.

use persistence::models::registration::{Arrival, Case, CaseCopies, Person};
use persistence::repo::arrivals::ArrivalRecord;
use persistence::{Actor, StoreError, in_write_transaction};
use reqwest::Method;
use tests::identity::text;
use tests::registration::{World, arrival, field_errors, full_person, pairs, personal_number};
use tests::{TestApp, assert_problem, civil_date};

const CASES: usize = 2500;
const PER_TRANSACTION: usize = 300;
/// 2017-01-01 as days since 1970-01-01.
const FIRST_DAY: i64 = 17_167;

const REGIONS: [&str; 13] = [
    "GE-TB", "GE-AJ", "GE-GU", "GE-IM", "GE-KA", "GE-KK", "GE-MM", "GE-RL", "GE-SZ", "GE-SJ", "GE-SK", "GE-AB",
    "GE-TSK",
];
const STATUSES: [&str; 4] = ["open", "eligible", "not_eligible", "closed"];
const FIRST_NAMES: [(&str, &str); 5] =
    [("ნინო", "Nino"), ("გიორგი", "Giorgi"), ("თამარ", "Tamar"), ("დავით", "Davit"), ("ეკა", "Eka")];
const LAST_NAMES: [(&str, &str); 7] = [
    ("ბერიძე", "Beridze"),
    ("კაპანაძე", "Kapanadze"),
    ("გელაშვილი", "Gelashvili"),
    ("მაისურაძე", "Maisuradze"),
    ("ლომიძე", "Lomidze"),
    ("ჯავახიშვილი", "Javakhishvili"),
    ("ხარაიშვილი", "Kharaishvili"),
];

/// A date (`YYYY-MM-DD`) as the type a row field wants, without naming the date crate.
macro_rules! date {
    ($text:expr) => {
        serde_json::from_value(serde_json::Value::String($text.clone())).unwrap()
    };
}

/// What was written for one case: everything the list shows and filters on.
#[derive(Debug, Clone)]
struct Expected {
    id: String,
    organization_id: String,
    region: Option<&'static str>,
    status: &'static str,
    registered: String,
    arrived: String,
    shelter: bool,
    number: String,
    search_name: String,
}

/// Writes `count` cases with varied data for the NGOs in `ngos`, arrivals recorded by the
/// ministry or the NGO; returns what was written.
fn seed(mut conn: persistence::DbConnection, ministry: &str, ngos: &[String], count: usize) -> Vec<Expected> {
    let mut written = Vec::with_capacity(count);
    for chunk in (0..count).collect::<Vec<_>>().chunks(PER_TRANSACTION) {
        let batch = in_write_transaction(&mut conn, &Actor::System, None, |tx| {
            let mut batch = Vec::with_capacity(chunk.len());
            for &i in chunk {
                let n = i64::try_from(i).unwrap();
                let organization_id = ngos[(i * 7 + i / 5) % ngos.len()].clone();
                let region = (i % 17 != 0).then(|| REGIONS[(i * 5 + i / 13) % REGIONS.len()]);
                let status = STATUSES[(i / 3 + i % 5) % STATUSES.len()];
                // Many cases share a registration date: the id breaks the tie.
                let registered = civil_date(FIRST_DAY + (n * 37) % 600);
                let arrived = civil_date(FIRST_DAY + (n * 37) % 600 - (n * 13) % 200);
                let shelter = i % 3 == 0;
                let number = personal_number(u64::try_from(i).unwrap() + 500);
                let names: [Option<String>; 4] = if i % 11 == 0 {
                    [None, None, None, None]
                } else {
                    let (first_ka, first_lat) = FIRST_NAMES[i % FIRST_NAMES.len()];
                    let (last_ka, last_lat) = LAST_NAMES[(i / 2) % LAST_NAMES.len()];
                    [Some(first_ka.into()), Some(last_ka.into()), Some(first_lat.into()), Some(last_lat.into())]
                };
                let search_name = Person::search_name_of(&[&names[0], &names[1], &names[2], &names[3]]);
                let consent = names[0].as_ref().map(|_| "2017-01-01".to_owned());
                let now = persistence::now_utc();
                let [first_name_ka, last_name_ka, first_name_lat, last_name_lat] = names;
                let person = persistence::repo::persons::create(
                    tx,
                    Person {
                        id: persistence::new_id(),
                        legal_status: domain::eligibility::LegalStatus::Citizen,
                        personal_number: Some(number.clone()),
                        residence_permit_number: None,
                        first_name_ka,
                        last_name_ka,
                        first_name_lat,
                        last_name_lat,
                        date_of_birth: None,
                        sex: None,
                        phone_e164: None,
                        residence_region: region.map(str::to_owned),
                        residence_locality: None,
                        consent_scope: consent.as_ref().map(|_| "program_services".to_owned()),
                        consent_date: consent.as_ref().map(|d| date!(d)),
                        organization_id: organization_id.clone(),
                        version: 1,
                        created_at: now,
                        updated_at: now,
                        search_name: search_name.clone(),
                    },
                )?;
                let arrival = persistence::repo::arrivals::create(
                    tx,
                    ArrivalRecord::new(
                        Arrival {
                            id: persistence::new_id(),
                            person_id: Some(person.id.clone()),
                            personal_number: Some(number.clone()),
                            arrival_date: date!(arrived),
                            point_of_arrival: "tbilisi_airport".into(),
                            countries: "[\"IT\"]".into(),
                            asylum_applied: Some(false),
                            asylum_held: Some(i % 2 == 0),
                            need_shelter: shelter,
                            need_medical: false,
                            need_other: None,
                            need_medical_notes: None,
                            recorded_by_user_id: None,
                            organization_id: if i % 2 == 0 { ministry.to_owned() } else { organization_id.clone() },
                            version: 1,
                            created_at: now,
                            updated_at: now,
                        },
                        Vec::new(),
                    ),
                )?;
                let closed = status == "closed";
                let copies = CaseCopies::of(&person, &arrival.arrival);
                let case = persistence::repo::cases::create(
                    tx,
                    Case {
                        id: persistence::new_id(),
                        person_id: person.id,
                        arrival_id: arrival.arrival.id,
                        organization_id: organization_id.clone(),
                        registration_date: date!(registered),
                        status: domain::case::CaseStatus::parse(status).unwrap(),
                        close_reason: closed.then(|| "services completed".to_owned()),
                        closed_on: closed.then(|| date!(registered)),
                        version: 1,
                        created_at: now,
                        updated_at: now,
                        copies,
                    },
                )?;
                batch.push(Expected {
                    id: case.id,
                    organization_id,
                    region,
                    status,
                    registered,
                    arrived,
                    shelter,
                    number,
                    search_name,
                });
            }
            Ok::<_, StoreError>(batch)
        })
        .unwrap();
        written.extend(batch);
    }
    written
}

/// The ids of `rows` that pass `keep`, in the list's order: (registration date, id).
fn expected_ids(rows: &[Expected], keep: impl Fn(&Expected) -> bool) -> Vec<String> {
    let mut kept: Vec<&Expected> = rows.iter().filter(|r| keep(r)).collect();
    kept.sort_by(|a, b| (&a.registered, &a.id).cmp(&(&b.registered, &b.id)));
    kept.into_iter().map(|r| r.id.clone()).collect()
}

fn ids(items: &[serde_json::Value]) -> Vec<String> {
    items.iter().map(|i| text(i, "id")).collect()
}

/// Seeds three NGOs' cases and returns the world, the NGO ids and what was written.
async fn seeded(app: &TestApp, count: usize) -> (World, Vec<String>, Vec<Expected>) {
    let world = app.world().await;
    let third = text(&app.create_ngo(&world.admin, "Public Defender").await, "id");
    let ngos = vec![world.ngo_a.id.clone(), world.ngo_b.id.clone(), third];
    let started = std::time::Instant::now();
    // Off the runtime, so the client's idle connections to the server are kept up meanwhile.
    let (conn, ministry, owners) = (app.database.connect(), world.admin.organization_id.clone(), ngos.clone());
    let rows = tokio::task::spawn_blocking(move || seed(conn, &ministry, &owners, count)).await.unwrap();
    eprintln!("seeded {} cases in {:?}", rows.len(), started.elapsed());
    (world, ngos, rows)
}

#[tokio::test]
async fn paging_by_100_gives_every_case_once_sorted_by_registration_date_and_id() {
    let app = TestApp::spawn().await;
    let (world, _, rows) = seeded(&app, CASES).await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(cursor) => format!("/api/v1/cases?limit=100&cursor={cursor}"),
            None => "/api/v1/cases?limit=100".to_owned(),
        };
        let (page, _) = app.read(&path, &world.auditor.token).await;
        pages += 1;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 100);
        seen.extend(items.iter().map(|i| (text(i, "registration_date"), text(i, "id"))));
        match page["next_cursor"].as_str() {
            Some(next) => {
                assert_eq!(items.len(), 100, "only the last page is short");
                cursor = Some(next.to_owned());
            }
            None => break,
        }
        assert!(pages <= CASES / 100 + 1, "paging does not end");
    }
    assert_eq!(pages, CASES.div_ceil(100), "no empty page at the end");
    assert_eq!(seen.len(), CASES);
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted, "sorted by (registration_date, id)");
    let seen_ids: Vec<String> = seen.into_iter().map(|(_, id)| id).collect();
    assert_eq!(seen_ids, expected_ids(&rows, |_| true), "every case exactly once");
}

#[tokio::test]
async fn every_filter_returns_exactly_the_matching_cases() {
    let app = TestApp::spawn().await;
    let (world, ngos, rows) = seeded(&app, 1500).await;
    let some_number = rows[1234].number.clone();
    type Keep = Box<dyn Fn(&Expected) -> bool>;
    let ngo_b = ngos[1].clone();
    let one_day = rows[77].arrived.clone();
    let filters: Vec<(String, Keep)> = vec![
        (format!("organization_id={ngo_b}"), Box::new(move |r| r.organization_id == ngo_b)),
        ("region=GE-KK".into(), Box::new(|r| r.region == Some("GE-KK"))),
        ("region=GE-TSK".into(), Box::new(|r| r.region == Some("GE-TSK"))),
        ("status=closed".into(), Box::new(|r| r.status == "closed")),
        ("status=not_eligible".into(), Box::new(|r| r.status == "not_eligible")),
        (
            "registered_from=2017-06-01&registered_to=2017-08-31".into(),
            Box::new(|r| r.registered.as_str() >= "2017-06-01" && r.registered.as_str() <= "2017-08-31"),
        ),
        ("registered_from=2018-05-01".into(), Box::new(|r| r.registered.as_str() >= "2018-05-01")),
        ("arrived_to=2017-01-31".into(), Box::new(|r| r.arrived.as_str() <= "2017-01-31")),
        (format!("arrived_from={one_day}&arrived_to={one_day}"), Box::new(move |r| r.arrived == one_day)),
        ("need_shelter=true".into(), Box::new(|r| r.shelter)),
        ("need_shelter=false".into(), Box::new(|r| !r.shelter)),
        (format!("personal_number={some_number}"), Box::new(move |r| r.number == some_number)),
        ("name=beri".into(), Box::new(|r| r.search_name.contains("beri"))),
        ("name=SHVILI".into(), Box::new(|r| r.search_name.contains("shvili"))),
        ("name=ბერი".into(), Box::new(|r| r.search_name.contains("ბერი"))),
        ("name=ძე".into(), Box::new(|r| r.search_name.contains("ძე"))),
        (
            "region=GE-TB&status=open&need_shelter=true".into(),
            Box::new(|r| r.region == Some("GE-TB") && r.status == "open" && r.shelter),
        ),
    ];
    for (query, keep) in &filters {
        let expected = expected_ids(&rows, keep);
        assert!(!expected.is_empty() && expected.len() < rows.len(), "{query} should select some: {}", expected.len());
        let found = app.all_cases(&world.airport.token, query, 500).await;
        assert_eq!(ids(&found), expected, "?{query}");
    }
    // What the rows show is what was written.
    let one = app.all_cases(&world.airport.token, &format!("personal_number={}", rows[1234].number), 10).await;
    assert_eq!(one[0]["registration_date"], rows[1234].registered.as_str());
    assert_eq!(one[0]["arrival_date"], rows[1234].arrived.as_str());
    assert_eq!(one[0]["status"], rows[1234].status);
    assert_eq!(one[0]["need_shelter"], rows[1234].shelter);
}

#[tokio::test]
async fn r11_an_ngo_caseworker_sees_only_its_ngos_cases() {
    let app = TestApp::spawn().await;
    let (world, ngos, rows) = seeded(&app, 300).await;
    let own = app.all_cases(&world.ngo_a.caseworker.token, "", 100).await;
    assert_eq!(ids(&own), expected_ids(&rows, |r| r.organization_id == ngos[0]));
    // Asking for another NGO's cases finds none of them.
    let other = app.all_cases(&world.ngo_a.caseworker.token, &format!("organization_id={}", ngos[1]), 100).await;
    assert!(other.is_empty(), "{other:?}");
    let foreign = rows.iter().find(|r| r.organization_id == ngos[1]).unwrap();
    let response = app
        .send(Method::GET, &format!("/api/v1/cases/{}", foreign.id), Some(&world.ngo_a.caseworker.token), None)
        .await;
    assert_problem(response, 404, "not_found").await;
}

#[tokio::test]
async fn invalid_list_parameters_are_all_listed_at_once() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let path = "/api/v1/cases?status=bogus&region=GE-XX&registered_from=2017-13-01&arrived_to=2017-02-30&limit=0&cursor=garbage";
    let response = app.send(Method::GET, path, Some(&world.airport.token), None).await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(
        field_errors(&problem),
        pairs(&[
            ("status", "unknown_status"),
            ("region", "unknown_region"),
            ("registered_from", "invalid_date"),
            ("arrived_to", "invalid_date"),
            ("limit", "invalid_limit"),
            ("cursor", "invalid_cursor"),
        ]),
        "{problem}"
    );
    for path in ["/api/v1/cases?limit=501", "/api/v1/cases?limit=ten"] {
        let response = app.send(Method::GET, path, Some(&world.airport.token), None).await;
        let problem = assert_problem(response, 422, "validation_failed").await;
        assert_eq!(field_errors(&problem), pairs(&[("limit", "invalid_limit")]), "{path}");
    }
}

/// The list filters on copies of the person's and the arrival's data (migration 000005): a
/// correction to either is what the list filters on from then on.
#[tokio::test]
async fn the_list_filters_follow_corrections_to_the_person_and_the_arrival() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let number = personal_number(4242);
    let token = world.ngo_a.caseworker.token.clone();
    let registered = app
        .register(
            &world.airport,
            &world.ngo_a,
            &arrival(Some(&number), "2017-03-01", &[("2015-01-10", "2017-03-01")], false),
            &full_person(&number, "GE-KK"),
            "2017-05-10",
        )
        .await;
    let found = |query: &'static str| {
        let (app, token) = (&app, &token);
        async move { ids(&app.all_cases(token, query, 10).await) }
    };
    let case = vec![registered.case_id.clone()];
    assert_eq!(found("region=GE-KK&name=beridze&need_shelter=false&arrived_to=2017-03-01").await, case);

    let mut person = full_person(&number, "GE-IM");
    person["last_name_lat"] = "Kapanadze".into();
    person["last_name_ka"] = "კაპანაძე".into();
    let path = format!("/api/v1/persons/{}", registered.person_id);
    let tag = app.current_etag(&path, &token).await;
    let response = app.send_if_match(Method::PUT, &path, Some(&token), Some(&person), Some(&tag)).await;
    assert_eq!(response.status().as_u16(), 200, "{}", response.text().await.unwrap());
    let path = format!("/api/v1/arrivals/{}", registered.arrival_id);
    let tag = app.current_etag(&path, &world.airport.token).await;
    let corrected = arrival(Some(&number), "2017-02-27", &[("2015-01-10", "2017-02-27")], true);
    let response =
        app.send_if_match(Method::PUT, &path, Some(&world.airport.token), Some(&corrected), Some(&tag)).await;
    assert_eq!(response.status().as_u16(), 200, "{}", response.text().await.unwrap());

    assert!(found("region=GE-KK").await.is_empty());
    assert!(found("name=beridze").await.is_empty());
    assert!(found("need_shelter=false").await.is_empty());
    assert_eq!(found("region=GE-IM&name=kapana&need_shelter=true&arrived_to=2017-02-27").await, case);
    assert_eq!(found("name=კაპანაძე").await, case);
    let listed = app.all_cases(&token, "", 10).await;
    assert_eq!(listed[0]["arrival_date"], "2017-02-27");
    assert_eq!(listed[0]["residence_region"], "GE-IM");
    assert_eq!(listed[0]["last_name_lat"], "Kapanadze");
}
