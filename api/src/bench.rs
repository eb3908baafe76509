//! `reintegration bench-baseline`: a bare actix-web JSON endpoint in this same binary, the
//! baseline `bench/run.sh` compares the API's throughput with (same runtime, same serde).

use std::net::SocketAddr;

use actix_web::{App, HttpResponse, HttpServer, web};

async fn echo(body: web::Json<serde_json::Value>) -> HttpResponse {
    HttpResponse::Ok().json(body.into_inner())
}

/// Serves `POST /echo` (JSON in, the same JSON out) until stopped.
pub fn serve_baseline(listen: SocketAddr) -> std::io::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(|| App::new().route("/echo", web::post().to(echo))).bind(listen)?.run().await
    })
}

/// `reintegration bench-raw-registrations`: the baseline of "create person + case". For
/// `seconds`, `connections` threads each write registrations as the API does, in the same three
/// transactions with the same rows, but as raw SQL on their own connection: no HTTP, JSON,
/// token, validation or pool. Per registration:
/// 1. an arrival with one irregular period, its idempotency key (claimed, then completed with the
///    response) and its audit event;
/// 2. a person, its idempotency key and audit event, linking the arrival to the person (with
///    its own audit event);
/// 3. a case with the copies of migration 000005, its idempotency key and audit event.
///
/// Returns registrations per second. Personal numbers start at 9 × 10¹⁰ + `run` × 10⁸.
pub fn raw_registrations(
    url: &persistence::DatabaseUrl,
    organization_id: &str,
    seconds: u64,
    connections: usize,
    run: u64,
) -> Result<f64, Box<dyn std::error::Error + Send + Sync>> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    let started = std::time::Instant::now();
    let threads: Vec<_> = (0..connections)
        .map(|thread| {
            let (url, organization_id) = (url.clone(), organization_id.to_owned());
            std::thread::spawn(move || -> Result<u64, String> {
                let mut conn = url.connect().map_err(|e| e.to_string())?;
                let mut done = 0_u64;
                while std::time::Instant::now() < deadline {
                    let number = 90_000_000_000 + run * 100_000_000 + (thread as u64) * 1_000_000 + done;
                    for statements in registration_sql(&organization_id, number) {
                        persistence::repo::bulk::raw_transaction(&mut conn, &statements).map_err(|e| e.to_string())?;
                    }
                    done += 1;
                }
                Ok(done)
            })
        })
        .collect();
    let mut total = 0;
    for thread in threads {
        total += thread.join().map_err(|_| "a benchmark thread panicked")??;
    }
    Ok(total as f64 / started.elapsed().as_secs_f64())
}

/// The statements of one registration's three transactions (values are generated here, never
/// from input, so literals are safe).
fn registration_sql(organization: &str, number: u64) -> [Vec<String>; 3] {
    let now = persistence::now_utc().format("%Y-%m-%d %H:%M:%S%.6f");
    let (arrival, period, person, case) =
        (persistence::new_id(), persistence::new_id(), persistence::new_id(), persistence::new_id());
    let principal = format!("client:{organization}");
    let key = |what: &str, path: &str| {
        [
            format!(
                "INSERT INTO idempotency_keys (principal, idempotency_key, request_method, request_path, request_hash, created_at) \
                 VALUES ('{principal}', '{what}-{number}', 'POST', '{path}', '{}', '{now}')",
                "0".repeat(64)
            ),
            format!(
                "UPDATE idempotency_keys SET response_status = 201, response_body = '{}' \
                 WHERE principal = '{principal}' AND idempotency_key = '{what}-{number}'",
                format_args!("{{\"id\":\"{arrival}\",\"padding\":\"{}\"}}", "x".repeat(400))
            ),
        ]
    };
    let audit = |action: &str, entity: &str, id: &str| {
        format!(
            "INSERT INTO audit_events (id, occurred_at, actor_kind, actor_id, organization_id, request_id, action, entity_type, entity_id, before, after) \
             VALUES ('{}', '{now}', 'client', '{organization}', '{organization}', '{}', '{action}', '{entity}', '{id}', NULL, '{}')",
            persistence::new_id(),
            persistence::new_id(),
            format_args!("{{\"id\":\"{id}\",\"padding\":\"{}\"}}", "x".repeat(300))
        )
    };
    let [claim, complete] = key("arrival", "/api/v1/arrivals");
    let arrivals = vec![
        claim,
        format!(
            "INSERT INTO arrivals (id, person_id, personal_number, arrival_date, point_of_arrival, countries, asylum_applied, asylum_held, \
             need_shelter, need_medical, need_other, recorded_by_user_id, organization_id, version, created_at, updated_at) \
             VALUES ('{arrival}', NULL, '{number:011}', '2017-03-01', 'tbilisi_airport', '[\"IT\"]', FALSE, FALSE, TRUE, FALSE, NULL, NULL, \
             '{organization}', 1, '{now}', '{now}')"
        ),
        format!(
            "INSERT INTO arrival_irregular_periods (id, arrival_id, start_date, end_date) \
             VALUES ('{period}', '{arrival}', '2015-01-10', '2017-03-01')"
        ),
        audit("create", "arrival", &arrival),
        complete,
    ];
    let [claim, complete] = key("person", "/api/v1/persons");
    let persons = vec![
        claim,
        format!(
            "INSERT INTO persons (id, legal_status, personal_number, residence_permit_number, first_name_ka, last_name_ka, first_name_lat, \
             last_name_lat, date_of_birth, sex, phone_e164, residence_region, residence_locality, consent_date, consent_scope, organization_id, \
             version, created_at, updated_at, search_name) \
             VALUES ('{person}', 'citizen', '{number:011}', NULL, 'ნინო', 'ბერიძე', 'Nino', 'Beridze', '1985-04-12', 'female', '+995555123456', \
             'GE-KK', 'Rustavi', '2017-03-02', 'program_services', '{organization}', 1, '{now}', '{now}', 'ნინო ბერიძე nino beridze')"
        ),
        audit("create", "person", &person),
        format!(
            "UPDATE arrivals SET person_id = '{person}', version = 2 WHERE personal_number = '{number:011}' AND person_id IS NULL"
        ),
        audit("link_person", "arrival", &arrival),
        complete,
    ];
    let [claim, complete] = key("case", "/api/v1/cases");
    let cases = vec![
        claim,
        format!(
            "INSERT INTO cases (id, person_id, arrival_id, organization_id, registration_date, status, close_reason, closed_on, version, \
             created_at, updated_at, residence_region, personal_number, search_name, arrival_date, need_shelter) \
             VALUES ('{case}', '{person}', '{arrival}', '{organization}', '2017-05-10', 'open', NULL, NULL, 1, '{now}', '{now}', 'GE-KK', \
             '{number:011}', 'ნინო ბერიძე nino beridze', '2017-03-01', TRUE)"
        ),
        audit("create", "case", &case),
        complete,
    ];
    [arrivals, persons, cases]
}

/// `reintegration bench-request-services`: `count` services requested on one eligible case
/// through the request action, as its caseworker `requested_by_user_id` (the principal an
/// approval must not be by, R12), each `amount_tetri` (S2, eight sessions), in transactions of
/// 1,000 with an audit event each (R13). Returns their ids in the order requested: the distinct
/// services the approval benchmark approves, one each.
pub fn request_services(
    pool: &persistence::Pool,
    case_id: &str,
    requested_by_user_id: &str,
    count: usize,
    amount_tetri: u64,
) -> Result<Vec<String>, Box<dyn std::error::Error + Send + Sync>> {
    use application::services::request_service::{RequestService, request_service};
    use persistence::repo::services::{Details, PsychosocialDetails};

    let mut conn = pool.get()?;
    let user = persistence::repo::users::get(&mut conn, &persistence::Visibility::All, requested_by_user_id)?;
    let principal = application::Principal {
        kind: application::PrincipalKind::User,
        id: user.id,
        role: user.role,
        organization_id: user.organization_id,
    };
    let today = application::clock::today_in_tbilisi();
    let mut ids = Vec::with_capacity(count);
    while ids.len() < count {
        let chunk = (count - ids.len()).min(1_000);
        let made = persistence::in_write_transaction(&mut conn, &principal.actor(), None, |tx| {
            (0..chunk)
                .map(|_| {
                    let command = RequestService {
                        case_id: case_id.into(),
                        service_type: domain::service::ServiceType::PsychosocialRehabilitation,
                        requested_amount: domain::money::Tetri::new(amount_tetri),
                        reference: None,
                        details: Some(Details::Psychosocial(PsychosocialDetails {
                            service_id: String::new(),
                            planned_sessions: 8,
                        })),
                    };
                    Ok(request_service(tx, &principal, command, today)?.service.id)
                })
                .collect::<Result<Vec<_>, application::ActionError>>()
        })?;
        ids.extend(made);
    }
    Ok(ids)
}

/// What the raw approvals came to.
#[derive(Debug, Clone, Copy)]
pub struct RawApprovals {
    /// Approvals committed per second.
    pub per_second: f64,
    /// Approvals refused because the grant had no room left (rolled back, not counted above).
    pub grant_exceeded: u64,
    /// Whether a connection ran out of services before the time was up (all stopped then).
    pub ran_out: bool,
}

/// `reintegration bench-raw-approvals`: the baseline of `POST /services/{id}/approve` on one hot
/// grant. For `seconds`, `connections` threads each approve their share of `services` (distinct,
/// requested, each for `amount_tetri`) in one transaction per approval, as raw SQL on their own
/// connection — no HTTP, JSON, token, reads, validation or pool: the service's guarded UPDATE to
/// approved, R10's conditional UPDATE of the grant's committed total (the row lock every approval
/// on the grant queues on; no room: roll back and count), in the order the approve action runs
/// them, and its audit event with a before and an after of the API's size, appended to the audit
/// chain at the end as every write transaction's are (#13: the chain head's row lock, which every
/// write queues on).
pub fn raw_approvals(
    url: &persistence::DatabaseUrl,
    approval: &RawApproval,
    services: Vec<String>,
    seconds: u64,
    connections: usize,
) -> Result<RawApprovals, Box<dyn std::error::Error + Send + Sync>> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    let started = std::time::Instant::now();
    let services = std::sync::Arc::new(services);
    // The first connection to run out of services stops them all, so that the rate is of a
    // time when every connection was approving.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let threads: Vec<_> = (0..connections)
        .map(|thread| {
            let (url, approval, services, stop) = (url.clone(), approval.clone(), services.clone(), stop.clone());
            std::thread::spawn(move || -> Result<(u64, u64, bool), String> {
                let mut conn = url.connect().map_err(|e| e.to_string())?;
                let (mut approved, mut exceeded) = (0_u64, 0_u64);
                let mut mine = services.iter().skip(thread).step_by(connections);
                while std::time::Instant::now() < deadline && !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let Some(service_id) = mine.next() else {
                        stop.store(true, std::sync::atomic::Ordering::Relaxed);
                        return Ok((approved, exceeded, true));
                    };
                    let (statements, event) = approval.sql(service_id);
                    let actor = persistence::Actor::User {
                        user_id: approval.decided_by_user_id.clone(),
                        organization_id: approval.organization_id.clone(),
                    };
                    match persistence::repo::bulk::raw_audited_transaction(&mut conn, &actor, &statements, 1, event) {
                        Ok(true) => approved += 1,
                        Ok(false) => exceeded += 1,
                        Err(e) => return Err(e.to_string()),
                    }
                }
                Ok((approved, exceeded, false))
            })
        })
        .collect();
    let (mut approved, mut grant_exceeded, mut ran_out) = (0, 0, false);
    for thread in threads {
        let (a, e, out) = thread.join().map_err(|_| "a benchmark thread panicked")??;
        (approved, grant_exceeded, ran_out) = (approved + a, grant_exceeded + e, ran_out || out);
    }
    Ok(RawApprovals { per_second: approved as f64 / started.elapsed().as_secs_f64(), grant_exceeded, ran_out })
}

/// Who approves what in the raw approvals: the hot grant, the manager, and the amount of each.
#[derive(Debug, Clone)]
pub struct RawApproval {
    pub grant_id: String,
    pub organization_id: String,
    pub decided_by_user_id: String,
    pub amount_tetri: u64,
}

impl RawApproval {
    /// One approval's statements (values are generated here or by our own commands, never from
    /// input, so literals are safe) in the approve action's order — the service's guarded UPDATE,
    /// then the grant's conditional charge (the second: it must change a row) — and its audit
    /// event, with a before and an after of the API's size (≈ 1 KB each), chained at the end.
    fn sql(&self, service_id: &str) -> (Vec<String>, persistence::AuditEntry) {
        let RawApproval { grant_id, decided_by_user_id, amount_tetri, .. } = self;
        let now = persistence::now_utc().format("%Y-%m-%d %H:%M:%S%.6f");
        let today = application::clock::today_in_tbilisi();
        let statements = vec![
            format!(
                "UPDATE services SET status = 'approved', grant_id = '{grant_id}', approved_amount_tetri = {amount_tetri}, \
                 decided_by_user_id = '{decided_by_user_id}', decided_by_client_id = NULL, decided_at = '{now}', \
                 decided_on = '{today}', version = version + 1, updated_at = '{now}' \
                 WHERE id = '{service_id}' AND version = 1"
            ),
            format!(
                "UPDATE grants SET committed_tetri = committed_tetri + {amount_tetri} \
                 WHERE id = '{grant_id}' AND committed_tetri + {amount_tetri} <= amount_tetri"
            ),
        ];
        let state =
            |status: &str| serde_json::json!({ "id": service_id, "status": status, "padding": "x".repeat(900) });
        let event = persistence::AuditEntry {
            action: "approve",
            entity_type: "service",
            entity_id: service_id.to_owned(),
            before: Some(state("requested")),
            after: Some(state("approved")),
        };
        (statements, event)
    }
}
