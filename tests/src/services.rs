//! Services for tests: grants for this (Tbilisi) year, eligible cases, and the service lifecycle
//! over HTTP.

use chrono::Datelike;
use reqwest::Method;
use serde_json::{Value, json};

use crate::identity::{Login, etag, text};
use crate::registration::{Ngo, arrival, minimal_person, personal_number};
use crate::{TestApp, header, json};

/// Today in Tbilisi (UTC+4 all year), as the server dates approvals.
pub fn tbilisi_today() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(4)).date_naive()
}

/// The program year of an approval made today.
pub fn this_year() -> i32 {
    tbilisi_today().year()
}

/// A medication request for `amount` tetri, with a diagnosis and notes (R11).
pub fn medication(amount: i64) -> Value {
    json!({
        "service_type": "medication",
        "requested_amount_tetri": amount,
        "medical": {
            "condition_category": "chronic",
            "icd10_code": "E11.9",
            "notes": "ინსულინი სამი თვით",
            "provider": "Aversi pharmacy, Rustavi",
        },
    })
}

/// A psycho-social rehabilitation request for `amount` tetri.
pub fn psychosocial(amount: i64) -> Value {
    json!({ "service_type": "psychosocial_rehabilitation", "requested_amount_tetri": amount, "psychosocial": { "planned_sessions": 8 } })
}

/// An approval of what `service` requests.
pub fn as_requested(service: &Value) -> Value {
    json!({ "approved_amount_tetri": service["requested_amount_tetri"] })
}

impl TestApp {
    /// Opens this year with a budget of `budget` (if not open yet) and awards `ngo_id` a grant of
    /// `amount` running all year; returns the grant.
    pub async fn grant_this_year(&self, admin: &Login, ngo_id: &str, budget: i64, amount: i64) -> Value {
        let year = this_year();
        let opened = self
            .send(
                Method::POST,
                "/api/v1/program-years",
                Some(&admin.token),
                Some(&json!({ "year": year, "budget_tetri": budget })),
            )
            .await;
        assert!([201, 409].contains(&opened.status().as_u16()), "opening {year}: {}", json(opened).await);
        let body = json!({
            "program_year": year,
            "organization_id": ngo_id,
            "amount_tetri": amount,
            "period_start": format!("{year}-01-01"),
            "period_end": format!("{year}-12-31"),
        });
        let response = self.send(Method::POST, "/api/v1/grants", Some(&admin.token), Some(&body)).await;
        let status = response.status().as_u16();
        let grant = json(response).await;
        assert_eq!(status, 201, "awarding {body} answered {grant}");
        grant
    }

    /// An eligible case of `ngo` (a citizen returned 2017-03-01 after 781 days of irregular stay,
    /// registered 2017-04-01); `n` makes the personal number unique. Returns the case id.
    pub async fn eligible_case(&self, airport: &Login, ngo: &Ngo, n: u64) -> String {
        let number = personal_number(n);
        let arrival_body = arrival(Some(&number), "2017-03-01", &[("2015-01-10", "2017-03-01")], false);
        let registered =
            self.register(airport, ngo, &arrival_body, &minimal_person(&number, "GE-TB"), "2017-04-01").await;
        let (result, _) = self.decide(&ngo.caseworker.token, &registered.case_id, &registered.case_etag).await;
        assert_eq!(result["case"]["status"], "eligible", "{result}");
        registered.case_id
    }

    /// `POST /api/v1/cases/{case_id}/services`.
    pub async fn request_service_raw(&self, token: &str, case_id: &str, body: &Value) -> reqwest::Response {
        self.send(Method::POST, &format!("/api/v1/cases/{case_id}/services"), Some(token), Some(body)).await
    }

    /// Requests a service (must answer 201 with its `Location` and `ETag`); returns it and its ETag.
    pub async fn request_service(&self, token: &str, case_id: &str, body: &Value) -> (Value, String) {
        let response = self.request_service_raw(token, case_id, body).await;
        let status = response.status().as_u16();
        let (location, tag) = (header(&response, "location"), etag(&response));
        let service = json(response).await;
        assert_eq!(status, 201, "requesting {body} answered {service}");
        assert_eq!(location, format!("/api/v1/services/{}", text(&service, "id")));
        assert_eq!(tag, format!("\"{}\"", service["version"]));
        (service, tag)
    }

    /// `POST /api/v1/services/{id}/{step}` with `If-Match`.
    pub async fn service_step(
        &self,
        token: &str,
        service_id: &str,
        step: &str,
        body: &Value,
        if_match: &str,
    ) -> reqwest::Response {
        let path = format!("/api/v1/services/{service_id}/{step}");
        self.send_if_match(Method::POST, &path, Some(token), Some(body), Some(if_match)).await
    }

    /// A step that must succeed (200 with the new `ETag`); returns the service and its ETag.
    pub async fn service_step_ok(
        &self,
        token: &str,
        service_id: &str,
        step: &str,
        body: &Value,
        if_match: &str,
    ) -> (Value, String) {
        let response = self.service_step(token, service_id, step, body, if_match).await;
        let status = response.status().as_u16();
        let tag = etag(&response);
        let service = json(response).await;
        assert_eq!(status, 200, "{step} {service_id} answered {service}");
        assert_eq!(tag, format!("\"{}\"", service["version"]));
        (service, tag)
    }

    /// A grant's balance, read as `token`.
    pub async fn grant_balance(&self, token: &str, grant_id: &str) -> Value {
        let response = self.send(Method::GET, &format!("/api/v1/grants/{grant_id}"), Some(token), None).await;
        assert_eq!(response.status().as_u16(), 200, "GET grant {grant_id}");
        json(response).await["balance"].clone()
    }
}
