#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The Migration and Repatriation Division's feed of vocational referrals (S4): a poller that
//! follows the cursor sees every referral exactly once, in a stable order, even while referrals
//! are committed concurrently and some transactions are held open; the CSV is UTF-8 with a
//! byte-order mark that Python's `csv` module reads back with the Georgian intact.

use std::collections::BTreeSet;
use std::time::Duration;

use application::services::request_service::{RequestService, request_service};
use application::{CaseId, Principal, PrincipalKind};
use domain::money::Tetri;
use domain::role::Role;
use domain::service::ServiceType;
use persistence::repo::services::{Details, VocationalDetails};
use persistence::{DatabaseUrl, Pool, PoolConfig, in_write_transaction};
use reqwest::Method;
use serde_json::{Value, json};
use tests::identity::text;
use tests::registration::{World, arrival, full_person, personal_number};
use tests::{TestApp, assert_problem, json};

const FEED: &str = "/api/v1/referrals/vocational";

fn referral(directions: &[&str]) -> Value {
    json!({
        "service_type": "vocational_referral",
        "vocational": {
            "education": "საშუალო სკოლა",
            "skills": "მძღოლი, \"B\" კატეგორია",
            "interests": "Welding, construction",
            "proposed_directions": directions,
            "division_informed_on": "2017-04-03",
        },
    })
}

/// An eligible case of NGO A for a consenting person named in both scripts.
async fn eligible_named_case(app: &TestApp, world: &World, n: u64) -> String {
    let number = personal_number(n);
    let body = arrival(Some(&number), "2017-03-01", &[("2015-01-10", "2017-03-01")], false);
    let registered =
        app.register(&world.airport, &world.ngo_a, &body, &full_person(&number, "GE-KK"), "2017-04-01").await;
    let (result, _) = app.decide(&world.ngo_a.caseworker.token, &registered.case_id, &registered.case_etag).await;
    assert_eq!(result["case"]["status"], "eligible");
    registered.case_id
}

/// Every page of the feed after `cursor` (none: from the start), and the cursor to poll with next.
async fn poll(app: &TestApp, token: &str, cursor: Option<&str>, limit: usize) -> (Vec<Value>, String) {
    let mut items = Vec::new();
    let mut cursor = cursor.map(str::to_owned);
    loop {
        let query = match &cursor {
            Some(after) => format!("{FEED}?limit={limit}&after={after}"),
            None => format!("{FEED}?limit={limit}"),
        };
        let response = app.send(Method::GET, &query, Some(token), None).await;
        assert_eq!(response.status().as_u16(), 200, "{query}");
        let page = json(response).await;
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        cursor = Some(text(&page, "next_cursor"));
        if page["more"] != true {
            return (items, cursor.unwrap());
        }
    }
}

#[tokio::test]
async fn s4_the_feed_gives_each_referral_once_in_order_with_the_person_and_the_ngo_and_only_to_the_division() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let case_id = eligible_named_case(&app, &world, 1).await;
    let cw = world.ngo_a.caseworker.token.as_str();
    let mut requested = Vec::new();
    for i in 0..5 {
        let (service, _) = app.request_service(cw, &case_id, &referral(&["შედუღება", &format!("Direction {i}")])).await;
        requested.push(text(&service, "id"));
    }
    // Other services are not referrals.
    app.grant_this_year(&world.admin, &world.ngo_a.id, 59_000_000, 1_000).await;
    app.request_service(cw, &case_id, &tests::services::psychosocial(1)).await;

    let division = world.airport.token.as_str();
    let (items, cursor) = poll(&app, division, None, 2).await;
    let ids: Vec<String> = items.iter().map(|i| text(i, "service_id")).collect();
    assert_eq!(ids, requested, "each referral once, in order, across pages of two");
    let positions: Vec<i64> = items.iter().map(|i| i["position"].as_i64().unwrap()).collect();
    assert_eq!(positions, [1, 2, 3, 4, 5], "gapless positions");
    let first = &items[0];
    assert_eq!(first["person"]["first_name_ka"], "ნინო");
    assert_eq!(first["person"]["last_name_lat"], "Beridze");
    assert_eq!(first["organization"]["name_en"], world.ngo_a.name_en.as_str());
    assert_eq!(first["proposed_directions"], json!(["შედუღება", "Direction 0"]));
    assert_eq!(
        (first["status"].as_str(), first["division_informed_on"].as_str()),
        (Some("requested"), Some("2017-04-03"))
    );
    // Polling again with the last cursor: nothing new, the same cursor back; then one more.
    let (again, same) = poll(&app, division, Some(&cursor), 2).await;
    assert!(again.is_empty());
    assert_eq!(same, cursor);
    let (service, _) = app.request_service(cw, &case_id, &referral(&["Tailoring"])).await;
    let (next, _) = poll(&app, division, Some(&cursor), 2).await;
    assert_eq!(next.iter().map(|i| text(i, "service_id")).collect::<Vec<_>>(), [text(&service, "id")]);
    // The division's only: NGOs, auditors and administrators get 403; a cursor not handed out is 422.
    for token in [cw, world.auditor.token.as_str(), world.admin.token.as_str()] {
        assert_problem(app.send(Method::GET, FEED, Some(token), None).await, 403, "forbidden").await;
    }
    let problem = assert_problem(
        app.send(Method::GET, &format!("{FEED}?after=nonsense"), Some(division), None).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "after");
}

#[tokio::test]
async fn s4_the_csv_is_utf8_with_a_byte_order_mark_and_python_reads_the_georgian_back() {
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let case_id = eligible_named_case(&app, &world, 1).await;
    let (service, _) = app
        .request_service(&world.ngo_a.caseworker.token, &case_id, &referral(&["=cmd|' /C calc'!A0", "შედუღება"]))
        .await;
    let response = app.send_with(Method::GET, FEED, Some(&world.airport.token), None, &[("Accept", "text/csv")]).await;
    assert_eq!(response.status().as_u16(), 200);
    assert!(tests::header(&response, "content-type").starts_with("text/csv"));
    let next = tests::header(&response, "x-next-cursor");
    assert!(!next.is_empty());
    let bytes = response.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "a UTF-8 byte-order mark");
    let dir = std::env::temp_dir().join(format!("feed-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("feed.csv");
    std::fs::write(&file, &bytes).unwrap();
    let script = r#"
import csv, json, sys
with open(sys.argv[1], newline="", encoding="utf-8-sig") as f:
    rows = list(csv.DictReader(f))
print(json.dumps(rows, ensure_ascii=False))
"#;
    let output = std::process::Command::new("python3").arg("-c").arg(script).arg(&file).output().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let rows: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    assert_eq!(row["service_id"], text(&service, "id").as_str());
    assert_eq!(row["first_name_ka"], "ნინო");
    assert_eq!(row["last_name_ka"], "ბერიძე");
    assert_eq!(row["education"], "საშუალო სკოლა");
    assert_eq!(row["skills"], "მძღოლი, \"B\" კატეგორია", "commas and quotes survive");
    assert_eq!(row["organization_ka"], world.ngo_a.name_ka.as_str());
    assert_eq!(row["proposed_directions"], "'=cmd|' /C calc'!A0; შედუღება", "a formula stays text");
    assert_eq!(row["position"], "1");
}

/// Commits referrals from several writers at once through the action layer on the test's
/// database — some holding their transaction open for a while after taking a position — while
/// a poller follows the cursor over HTTP: at the end it has seen every committed referral exactly
/// once, and never one out of order.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn s4_a_poller_sees_every_referral_exactly_once_while_writers_commit_concurrently() {
    const WRITERS: usize = 4;
    const EACH: usize = 8;
    let app = TestApp::spawn().await;
    let world = app.world().await;
    let case_id = eligible_named_case(&app, &world, 1).await;
    let caseworker = Principal {
        kind: PrincipalKind::User,
        id: world.ngo_a.caseworker.id.clone(),
        role: Role::NgoCaseworker,
        organization_id: world.ngo_a.id.clone(),
    };
    let url = DatabaseUrl::parse(&app.database.url()).unwrap();
    let pool = Pool::new(&url, &PoolConfig::default());
    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let (pool, caseworker, case_id) = (pool.clone(), caseworker.clone(), case_id.clone());
            std::thread::spawn(move || {
                let mut made = Vec::new();
                for i in 0..EACH {
                    let mut conn = pool.get().unwrap();
                    let id = in_write_transaction(&mut conn, &caseworker.actor(), None, |tx| {
                        let command = RequestService {
                            case_id: CaseId::from(case_id.as_str()),
                            service_type: ServiceType::VocationalReferral,
                            requested_amount: Tetri::ZERO,
                            reference: None,
                            details: Some(Details::Vocational(VocationalDetails {
                                education: None,
                                skills: format!("skills {writer}-{i}"),
                                interests: "Cooking".to_owned(),
                                proposed_directions: vec!["Cook".to_owned()],
                                division_informed_on: None,
                                feed_position: 0,
                            })),
                        };
                        let today = chrono::NaiveDate::from_ymd_opt(2017, 5, 1).unwrap();
                        let service = request_service(tx, &caseworker, command, today)?;
                        // Every third transaction stays open after taking its position.
                        if (writer + i) % 3 == 0 {
                            std::thread::sleep(Duration::from_millis(150));
                        }
                        Ok::<_, application::ActionError>(service.service.id)
                    })
                    .unwrap();
                    made.push(id);
                }
                made
            })
        })
        .collect();

    let division = world.airport.token.clone();
    let mut seen: Vec<String> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut last_position = 0;
    let total = WRITERS * EACH;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while seen.len() < total {
        assert!(std::time::Instant::now() < deadline, "the poller saw {} of {total}", seen.len());
        let (items, next) = poll(&app, &division, cursor.as_deref(), 3).await;
        for item in &items {
            let position = item["position"].as_i64().unwrap();
            assert_eq!(position, last_position + 1, "positions arrive in order without gaps");
            last_position = position;
            seen.push(text(item, "service_id"));
        }
        cursor = Some(next);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut made = BTreeSet::new();
    for writer in writers {
        made.extend(writer.join().unwrap());
    }
    let unique: BTreeSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "no referral twice");
    assert_eq!(unique, made, "every committed referral seen");
    let (after, _) = poll(&app, &division, cursor.as_deref(), 3).await;
    assert!(after.is_empty(), "nothing more after all were seen");
}
