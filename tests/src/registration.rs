//! The registration workflow for tests: the airport (a ministry officer), NGOs with their staff,
//! and helpers that record arrivals, register persons and cases and decide eligibility over
//! HTTP, asserting that each step succeeds.

use domain::role::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::identity::{Login, etag, text};
use crate::{TestApp, header, json};

/// An NGO with a caseworker and a manager.
#[derive(Debug, Clone)]
pub struct Ngo {
    pub id: String,
    pub name_en: String,
    pub name_ka: String,
    pub caseworker: Login,
    pub manager: Login,
}

/// The people of a registration test: the administrator, the airport and two NGOs.
#[derive(Debug, Clone)]
pub struct World {
    pub admin: Login,
    /// A ministry officer at the airport.
    pub airport: Login,
    pub auditor: Login,
    pub ngo_a: Ngo,
    pub ngo_b: Ngo,
}

impl TestApp {
    /// Creates an NGO named `name_en` with a caseworker and a manager.
    pub async fn ngo(&self, admin: &Login, name_en: &str) -> Ngo {
        let created = self.create_ngo(admin, name_en).await;
        let id = text(&created, "id");
        Ngo {
            name_en: text(&created, "name_en"),
            name_ka: text(&created, "name_ka"),
            caseworker: self.user(admin, Role::NgoCaseworker, &id).await,
            manager: self.user(admin, Role::NgoManager, &id).await,
            id,
        }
    }

    /// The administrator, a ministry officer, an auditor and two NGOs.
    pub async fn world(&self) -> World {
        let admin = self.admin().await;
        let airport = self.user(&admin, Role::MinistryOfficer, &admin.organization_id).await;
        let auditor = self.user(&admin, Role::Auditor, &admin.organization_id).await;
        let ngo_a = self.ngo(&admin, "Tolerant").await;
        let ngo_b = self.ngo(&admin, "Abkhazintercont").await;
        World { admin, airport, auditor, ngo_a, ngo_b }
    }

    /// Any request with optional token, JSON body and extra headers.
    pub async fn send_with(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut request = self.client.request(method.clone(), self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// `POST` that must answer 201; returns the body and the `ETag`.
    pub async fn create(&self, path: &str, token: &str, body: &Value) -> (Value, String) {
        let response = self.send(Method::POST, path, Some(token), Some(body)).await;
        let status = response.status().as_u16();
        let tag = etag(&response);
        let answer = json(response).await;
        assert_eq!(status, 201, "POST {path} {body} answered {answer}");
        (answer, tag)
    }

    /// `GET` that must answer 200; returns the body and the `ETag`.
    pub async fn read(&self, path: &str, token: &str) -> (Value, String) {
        let response = self.send(Method::GET, path, Some(token), None).await;
        let status = response.status().as_u16();
        let tag = etag(&response);
        let answer = json(response).await;
        assert_eq!(status, 200, "GET {path} answered {answer}");
        (answer, tag)
    }

    pub async fn create_arrival(&self, token: &str, body: &Value) -> Value {
        self.create("/api/v1/arrivals", token, body).await.0
    }

    pub async fn create_person(&self, token: &str, body: &Value) -> Value {
        self.create("/api/v1/persons", token, body).await.0
    }

    /// Registers a case; returns it and its `ETag`.
    pub async fn create_case(
        &self,
        token: &str,
        person_id: &str,
        arrival_id: &str,
        registered: &str,
    ) -> (Value, String) {
        let body = json!({ "person_id": person_id, "arrival_id": arrival_id, "registration_date": registered });
        self.create("/api/v1/cases", token, &body).await
    }

    /// `POST /api/v1/cases/{id}/eligibility` with `If-Match`.
    pub async fn decide_raw(&self, token: &str, case_id: &str, if_match: Option<&str>) -> reqwest::Response {
        let headers: Vec<(&str, &str)> = if_match.map(|tag| vec![("If-Match", tag)]).unwrap_or_default();
        self.send_with(Method::POST, &format!("/api/v1/cases/{case_id}/eligibility"), Some(token), None, &headers).await
    }

    /// Decides a case (must answer 201 with the recorded decision and its `Location`); returns
    /// `{decision, case}` — the case read back after it — and the case's new `ETag`.
    pub async fn decide(&self, token: &str, case_id: &str, if_match: &str) -> (Value, String) {
        let response = self.decide_raw(token, case_id, Some(if_match)).await;
        let status = response.status().as_u16();
        let location = header(&response, "location");
        let decision = json(response).await;
        assert_eq!(status, 201, "deciding {case_id} answered {decision}");
        let id = decision["id"].as_str().unwrap_or_default();
        assert_eq!(location, format!("/api/v1/cases/{case_id}/eligibility/{id}"));
        let (case, tag) = self.read(&format!("/api/v1/cases/{case_id}"), token).await;
        assert_eq!(decision["case_status"], case["status"], "the decision names the status it moved the case to");
        (json!({ "decision": decision, "case": case }), tag)
    }

    /// Every case the token may see for the query (`?…` without `limit`/`cursor`), all pages.
    pub async fn all_cases(&self, token: &str, query: &str, limit: usize) -> Vec<Value> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        let separator = if query.is_empty() { "" } else { "&" };
        for _ in 0..10_000 {
            let mut path = format!("/api/v1/cases?{query}{separator}limit={limit}");
            if let Some(cursor) = &cursor {
                path.push_str(&format!("&cursor={cursor}"));
            }
            let (page, _) = self.read(&path, token).await;
            let page_items = page["items"].as_array().unwrap_or_else(|| panic!("no items in {page}"));
            assert!(page_items.len() <= limit, "{path} gave {} items", page_items.len());
            items.extend(page_items.iter().cloned());
            match page["next_cursor"].as_str() {
                Some(next) => {
                    assert!(!page_items.is_empty(), "an empty page with a next cursor: {path}");
                    cursor = Some(next.to_owned());
                }
                None => return items,
            }
        }
        panic!("paging {query} never ended")
    }
}

/// An 11-digit personal number made from `n`.
pub fn personal_number(n: u64) -> String {
    format!("{:011}", 10_000_000_000 + n % 10_000_000_000)
}

/// An arrival at Tbilisi airport on `date` with the given irregular periods (`[start, end)`),
/// asylum neither applied for nor held.
pub fn arrival(number: Option<&str>, date: &str, periods: &[(&str, &str)], shelter: bool) -> Value {
    json!({
        "personal_number": number,
        "arrival_date": date,
        "point_of_arrival": "tbilisi_airport",
        "countries": ["IT", "DE"],
        "irregular_periods": periods.iter().map(|(start, end)| json!({ "start": start, "end": end })).collect::<Vec<_>>(),
        "asylum_applied": false,
        "asylum_held": false,
        "needs": { "shelter": shelter, "medical": false, "other": null },
    })
}

/// The minimum a person may be registered with without consent (R14).
pub fn minimal_person(number: &str, region: &str) -> Value {
    json!({ "legal_status": "citizen", "personal_number": number, "residence_region": region })
}

/// A citizen with consent, names in both scripts and a phone number.
pub fn full_person(number: &str, region: &str) -> Value {
    json!({
        "legal_status": "citizen",
        "personal_number": number,
        "first_name_ka": "ნინო",
        "last_name_ka": "ბერიძე",
        "first_name_lat": "Nino",
        "last_name_lat": "Beridze",
        "date_of_birth": "1985-04-12",
        "sex": "female",
        "phone": "555 12 34 56",
        "residence_region": region,
        "residence_locality": "Rustavi",
        "consent": { "date": "2017-03-02", "scope": "program_services" },
    })
}

/// The rule `id` of a decision (panics when absent).
pub fn rule<'a>(decision: &'a Value, id: &str) -> &'a Value {
    decision["rules"]
        .as_array()
        .and_then(|rules| rules.iter().find(|r| r["rule"] == id))
        .unwrap_or_else(|| panic!("no {id} in {decision}"))
}

/// The rule ids of a decision, in order.
pub fn rule_ids(decision: &Value) -> Vec<String> {
    decision["rules"].as_array().map(|rules| rules.iter().map(|r| text(r, "rule")).collect()).unwrap_or_default()
}

/// The `(field, code)` pairs of a validation problem, sorted.
pub fn field_errors(problem: &Value) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = problem["errors"]
        .as_array()
        .map(|errors| errors.iter().map(|e| (text(e, "field"), text(e, "code"))).collect())
        .unwrap_or_default();
    pairs.sort();
    pairs
}

/// Sorted `(field, code)` pairs from literals.
pub fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = expected.iter().map(|(f, c)| ((*f).to_owned(), (*c).to_owned())).collect();
    pairs.sort();
    pairs
}

/// A registered citizen with an arrival and an open case: the ids and the case's `ETag`.
#[derive(Debug, Clone)]
pub struct Registered {
    pub person_id: String,
    pub arrival_id: String,
    pub case_id: String,
    pub case_etag: String,
}

impl TestApp {
    /// Records `arrival_body` as `recorder`, registers `person_body` and a case on `registered` as
    /// `ngo`'s caseworker.
    pub async fn register(
        &self,
        recorder: &Login,
        ngo: &Ngo,
        arrival_body: &Value,
        person_body: &Value,
        registered: &str,
    ) -> Registered {
        let arrival = self.create_arrival(&recorder.token, arrival_body).await;
        let person = self.create_person(&ngo.caseworker.token, person_body).await;
        let (case, case_etag) =
            self.create_case(&ngo.caseworker.token, &text(&person, "id"), &text(&arrival, "id"), registered).await;
        Registered {
            person_id: text(&person, "id"),
            arrival_id: text(&arrival, "id"),
            case_id: text(&case, "id"),
            case_etag,
        }
    }
}
