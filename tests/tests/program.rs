#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Public program information (S6): the service catalogue, the eligibility criteria and the
//! regions (R4, R6), and the reference data behind them (R13).

use persistence::repo::audit;
use serde_json::Value;
use tests::{TestApp, has_mkhedruli, header, json};

/// PROGRAM.md S1–S6: every service type code with its service line.
const SERVICES: [(&str, &str); 8] = [
    ("medical_diagnostics", "S1"),
    ("emergency_medical_care", "S1"),
    ("medication", "S1"),
    ("psychosocial_rehabilitation", "S2"),
    ("social_project", "S3"),
    ("vocational_referral", "S4"),
    ("temporary_shelter", "S5"),
    ("information", "S6"),
];

/// PROGRAM.md R4: the 13 first-level regions (GE-TSK is the system's code for Tskhinvali).
const REGIONS: [&str; 13] = [
    "GE-TB", "GE-AJ", "GE-GU", "GE-IM", "GE-KA", "GE-KK", "GE-MM", "GE-RL", "GE-SZ", "GE-SJ", "GE-SK", "GE-AB",
    "GE-TSK",
];

fn sorted(mut items: Vec<String>) -> Vec<String> {
    items.sort();
    items
}

fn codes_where(regions: &[Value], flag: &str) -> Vec<String> {
    sorted(regions.iter().filter(|r| r[flag] == true).map(|r| r["code"].as_str().unwrap().to_owned()).collect())
}

fn assert_bilingual(text: &Value, what: &str) {
    let ka = text["ka"].as_str().unwrap_or_default();
    let en = text["en"].as_str().unwrap_or_default();
    assert!(has_mkhedruli(ka), "{what}: Georgian text is not Mkhedruli: {text}");
    assert!(!en.trim().is_empty() && !has_mkhedruli(en), "{what}: English text: {text}");
}

#[tokio::test]
async fn s6_program_is_public_and_lists_the_eight_services_with_their_lines() {
    let app = TestApp::spawn().await;
    // No Authorization header: the program information is public (S6).
    let response = app.get("/api/v1/program").await;
    assert_eq!(response.status(), 200);
    assert!(header(&response, "content-type").starts_with("application/json"));
    let program = json(response).await;

    let services = program["services"].as_array().unwrap();
    let served: Vec<(String, String)> = services
        .iter()
        .map(|s| (s["code"].as_str().unwrap().to_owned(), s["category"].as_str().unwrap().to_owned()))
        .collect();
    let mut expected: Vec<(String, String)> =
        SERVICES.iter().map(|(c, s)| ((*c).to_owned(), (*s).to_owned())).collect();
    let mut served_sorted = served.clone();
    served_sorted.sort();
    expected.sort();
    assert_eq!(served_sorted, expected, "service codes and categories");
    for service in services {
        let code = service["code"].as_str().unwrap();
        assert_bilingual(&service["name"], code);
        assert_bilingual(&service["description"], code);
    }
    assert_bilingual(&program["name"], "program name");
}

#[tokio::test]
async fn s6_program_lists_eligibility_criteria_r1_to_r5_in_order() {
    let app = TestApp::spawn().await;
    let program = json(app.get("/api/v1/program").await).await;
    let criteria = program["eligibility_criteria"].as_array().unwrap();
    let rules: Vec<&str> = criteria.iter().map(|c| c["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["R1", "R2", "R3", "R4", "R5"]);
    for criterion in criteria {
        let rule = criterion["rule"].as_str().unwrap();
        assert_bilingual(&criterion["title"], rule);
        assert_bilingual(&criterion["text"], rule);
    }
    assert_eq!(program["contact"]["email"], "reintegration@mra.gov.ge");
}

#[tokio::test]
async fn r4_regions_are_the_thirteen_with_abkhazia_and_tskhinvali_occupied() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/v1/regions").await;
    assert_eq!(response.status(), 200);
    let body = json(response).await;
    let regions = body["items"].as_array().unwrap();
    let codes = sorted(regions.iter().map(|r| r["code"].as_str().unwrap().to_owned()).collect());
    assert_eq!(codes, sorted(REGIONS.iter().map(|c| (*c).to_owned()).collect()));
    assert_eq!(codes_where(regions, "occupied"), ["GE-AB", "GE-TSK"]);
    for region in regions {
        assert_bilingual(&region["name"], region["code"].as_str().unwrap());
        assert!(region["occupied"].is_boolean() && region["shelter_covered"].is_boolean(), "{region}");
    }
}

#[tokio::test]
async fn r6_shelter_is_covered_only_in_tbilisi_kvemo_kartli_and_mtskheta_mtianeti() {
    let app = TestApp::spawn().await;
    let body = json(app.get("/api/v1/regions").await).await;
    let regions = body["items"].as_array().unwrap();
    assert_eq!(codes_where(regions, "shelter_covered"), ["GE-KK", "GE-MM", "GE-TB"]);
}

#[tokio::test]
async fn r4_georgian_region_names_round_trip_byte_for_byte() {
    let app = TestApp::spawn().await;
    let bytes = app.get("/api/v1/regions").await.bytes().await.unwrap();
    let body: Value = serde_json::from_slice(&bytes).unwrap();
    let name_of =
        |code: &str| body["items"].as_array().unwrap().iter().find(|r| r["code"] == code).unwrap()["name"].clone();
    // The same strings as domain/src/region.rs, written here independently.
    let expected = [
        ("GE-KK", "ქვემო ქართლი", "Kvemo Kartli"),
        ("GE-TB", "თბილისი", "Tbilisi"),
        ("GE-MM", "მცხეთა-მთიანეთი", "Mtskheta-Mtianeti"),
        ("GE-RL", "რაჭა-ლეჩხუმი და ქვემო სვანეთი", "Racha-Lechkhumi and Kvemo Svaneti"),
        ("GE-TSK", "ცხინვალის რეგიონი", "Tskhinvali region"),
    ];
    for (code, ka, en) in expected {
        let name = name_of(code);
        assert_eq!(name["ka"].as_str().unwrap().as_bytes(), ka.as_bytes(), "{code}");
        assert_eq!(name["en"], en, "{code}");
    }
    // UTF-8 on the wire, not \u escapes: the raw body holds the Georgian bytes.
    let raw = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(raw.contains("ქვემო ქართლი"), "the body escapes Georgian text");
    for region in domain::region::RegionCode::ALL {
        assert_eq!(name_of(region.code())["ka"], region.name_ka(), "{region}");
    }
}

#[tokio::test]
async fn r13_reference_data_is_loaded_once_and_audited_as_system_creates() {
    let app = TestApp::spawn().await;
    let expected_events = i64::try_from(REGIONS.len() + SERVICES.len()).unwrap();
    {
        let mut conn = app.database.connect();
        // At least one event per region and service type (other start-up data may add more).
        assert!(audit::count(&mut conn).unwrap() >= expected_events, "fewer events than reference rows");
        let mut check = |entity_type: &str, id: &str| {
            let events = audit::for_entity(&mut conn, entity_type, id).unwrap();
            assert_eq!(events.len(), 1, "{entity_type} {id}: {events:?}");
            let event = &events[0];
            assert_eq!(event.action, "create", "{entity_type} {id}");
            assert_eq!(event.actor_kind, "system", "{entity_type} {id}");
            assert!(event.actor_id.is_none() && event.organization_id.is_none(), "{event:?}");
            assert!(event.before.is_none(), "a create has no before: {event:?}");
            let after: Value = serde_json::from_str(event.after.as_deref().unwrap()).unwrap();
            assert_eq!(after["code"], id, "{event:?}");
        };
        for code in REGIONS {
            check("region", code);
        }
        for (code, _) in SERVICES {
            check("service_type", code);
        }
    }

    // A second start on the same database loads nothing again and still serves.
    let events_after_first_start = audit::count(&mut app.database.connect()).unwrap();
    let database = app.stop().await;
    let args = tests::serve_args(database.url());
    let app = TestApp::start(database, &args).await;
    assert_eq!(
        audit::count(&mut app.database.connect()).unwrap(),
        events_after_first_start,
        "second start added events"
    );
    let body = json(app.get("/api/v1/regions").await).await;
    assert_eq!(body["items"].as_array().unwrap().len(), REGIONS.len());
    let program = json(app.get("/api/v1/program").await).await;
    assert_eq!(program["services"].as_array().unwrap().len(), SERVICES.len());
}
