#![allow(clippy::unwrap_used, clippy::expect_used)]
//! R10 under load: 50 approvals fired at the same moment at a grant that pays for exactly 10.
//! The charge and its check are one conditional statement in the database, so exactly 10 pass,
//! 40 are `grant_exceeded` with nothing left, the grant's running total equals the sum of its
//! services to the tetri, and each success has exactly one audit event (R13) — 20 times over,
//! with the approvals split between two API nodes serving the one database.

use diesel::prelude::*;
use persistence::schema::{audit_events, grants, services};
use tests::identity::text;
use tests::services::medication;
use tests::{RaceRequest, TestApp, race, serve_args, start_server};

const ROUNDS: u64 = 20;
const RACERS: usize = 50;
const PRICE: i64 = 1_000;
const PAID_FOR: usize = 10;

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn r10_fifty_simultaneous_approvals_never_overspend_a_grant_that_pays_for_ten() {
    let app = TestApp::spawn_for_races().await;
    // A second API node on the same database: the check and the charge hold across nodes.
    let mut args = serve_args(app.database.url());
    args.workers = Some(4);
    args.database.db_pool_size = 8;
    let (second_node, second) = start_server(&args).await;
    let admin = app.admin().await;
    let airport = app.user(&admin, domain::role::Role::MinistryOfficer, &admin.organization_id).await;
    for round in 0..ROUNDS {
        // A fresh NGO each round: a grant is one per NGO and year.
        let ngo = app.ngo(&admin, &format!("Racing NGO {round}")).await;
        let grant = app.grant_this_year(&admin, &ngo.id, 1_000_000_000, PRICE * PAID_FOR as i64).await;
        let grant_id = text(&grant, "id");
        let case_id = app.eligible_case(&airport, &ngo, round + 1).await;
        let mut requests = Vec::new();
        for racer in 0..RACERS {
            let (service, tag) = app.request_service(&ngo.caseworker.token, &case_id, &medication(PRICE)).await;
            let node = if racer % 2 == 0 { "" } else { second_node.as_str() };
            requests.push(RaceRequest {
                token: ngo.manager.token.clone(),
                path: format!("{node}/api/v1/services/{}/approve", text(&service, "id")),
                body: tests::services::as_requested(&service),
                headers: vec![("If-Match".to_owned(), tag)],
            });
        }
        let answers = race(&app, requests).await;
        let approved: Vec<String> = answers.iter().filter(|a| a.status == 200).map(|a| text(&a.body, "id")).collect();
        let refused: Vec<_> = answers.iter().filter(|a| a.status != 200).collect();
        assert_eq!(approved.len(), PAID_FOR, "round {round}: {:?}", refused.first().map(|a| &a.body));
        for answer in &refused {
            assert_eq!((answer.status, answer.body["code"].as_str()), (409, Some("grant_exceeded")), "{}", answer.body);
            assert_eq!(answer.body["remaining_tetri"], 0, "round {round}: exact to the tetri: {}", answer.body);
        }
        let balance = app.grant_balance(&ngo.manager.token, &grant_id).await;
        assert_eq!(
            (balance["approved_tetri"].as_i64(), balance["remaining_tetri"].as_i64()),
            (Some(PRICE * PAID_FOR as i64), Some(0))
        );

        let mut conn = app.database.connect();
        let committed: i64 = grants::table.find(&grant_id).select(grants::committed_tetri).first(&mut conn).unwrap();
        let charged: Vec<Option<i64>> = services::table
            .filter(services::grant_id.eq(&grant_id))
            .select(services::approved_amount_tetri)
            .load(&mut conn)
            .unwrap();
        assert_eq!(charged.len(), PAID_FOR, "round {round}");
        assert_eq!(
            committed,
            charged.iter().map(|a| a.unwrap()).sum::<i64>(),
            "round {round}: running total vs services"
        );
        // R13: each success exactly one `approve` event; the refusals none.
        let mut events: Vec<String> = audit_events::table
            .filter(audit_events::entity_type.eq("service"))
            .filter(audit_events::action.eq("approve"))
            .filter(audit_events::organization_id.eq(&ngo.id))
            .select(audit_events::entity_id)
            .load(&mut conn)
            .unwrap();
        events.sort();
        let mut expected = approved.clone();
        expected.sort();
        assert_eq!(events, expected, "round {round}: one approve event per success");
    }
    second.stop(true).await;
}
