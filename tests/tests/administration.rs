#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Administration of organisations, users and API clients: optimistic concurrency with
//! `If-Match`/`ETag` (API.md "Writes that are safe to retry"), R4 on an NGO's regions, R11
//! isolation between NGOs (404, never 403, for a hidden record), the password policy, Argon2id
//! parameters of stored hashes, no hash in any response, and R13's audit trail.

use domain::role::Role;
use persistence::repo::{audit, clients, users};
use reqwest::Method;
use serde_json::{Value, json};
use tests::identity::{Login, PASSWORD, etag, text};
use tests::{TestApp, assert_problem, header, json};

const ORGS: &str = "/api/v1/organizations";
const USERS: &str = "/api/v1/users";
const CLIENTS: &str = "/api/v1/clients";

fn organization(name_en: &str, regions: Value) -> Value {
    json!({
        "name_ka": format!("ორგანიზაცია {name_en}"),
        "name_en": name_en,
        "legal_form": "non-entrepreneurial non-commercial legal entity",
        "contact_email": "office@example.ge",
        "regions": regions,
    })
}

fn new_user(username: &str, role: &str, organization_id: &str, password: &str) -> Value {
    json!({
        "username": username, "full_name": "Nino Beridze", "role": role,
        "organization_id": organization_id, "password": password,
    })
}

/// The field error codes of a 422 `validation_failed`, as (field, code).
async fn field_errors(response: reqwest::Response) -> Vec<(String, String)> {
    let problem = assert_problem(response, 422, "validation_failed").await;
    problem["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {problem}"))
        .iter()
        .map(|e| (text(e, "field"), text(e, "code")))
        .collect()
}

fn ids(list: &Value) -> Vec<String> {
    list["items"].as_array().unwrap().iter().map(|item| text(item, "id")).collect()
}

#[tokio::test]
async fn organisations_are_created_read_listed_updated_and_deactivated_under_if_match() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let created = app
        .send(Method::POST, ORGS, Some(&admin.token), Some(&organization("Tolerant", json!(["GE-SJ", "GE-TB"]))))
        .await;
    assert_eq!(created.status().as_u16(), 201);
    assert_eq!(etag(&created), "\"1\"");
    let created = json(created).await;
    assert_eq!(created["kind"], "ngo");
    assert_eq!(created["version"], 1);
    assert_eq!(created["active"], true);
    assert_eq!(created["regions"], json!(["GE-SJ", "GE-TB"]));
    let id = text(&created, "id");
    let path = format!("{ORGS}/{id}");

    let read = app.send(Method::GET, &path, Some(&admin.token), None).await;
    assert_eq!(etag(&read), "\"1\"");
    assert_eq!(json(read).await["name_en"], "Tolerant");
    let list = json(app.send(Method::GET, ORGS, Some(&admin.token), None).await).await;
    assert!(ids(&list).contains(&id), "{list}");
    assert!(ids(&list).contains(&admin.organization_id), "the ministry is listed too");

    let change = organization("Tolerant Association", json!(["GE-SJ"]));
    assert_problem(
        app.send_if_match(Method::PUT, &path, Some(&admin.token), Some(&change), None).await,
        428,
        "precondition_required",
    )
    .await;
    for stale in ["\"0\"", "\"7\""] {
        assert_problem(
            app.send_if_match(Method::PUT, &path, Some(&admin.token), Some(&change), Some(stale)).await,
            412,
            "version_conflict",
        )
        .await;
    }
    let updated = app.send_if_match(Method::PUT, &path, Some(&admin.token), Some(&change), Some("\"1\"")).await;
    assert_eq!(updated.status().as_u16(), 200);
    assert_eq!(etag(&updated), "\"2\"");
    let updated = json(updated).await;
    assert_eq!((updated["version"].clone(), updated["name_en"].clone()), (json!(2), json!("Tolerant Association")));
    assert_eq!(updated["regions"], json!(["GE-SJ"]));
    // The lost update: a second writer still holding version 1.
    assert_problem(
        app.send_if_match(
            Method::PUT,
            &path,
            Some(&admin.token),
            Some(&organization("Lost", json!(["GE-TB"]))),
            Some("\"1\""),
        )
        .await,
        412,
        "version_conflict",
    )
    .await;
    assert_eq!(
        json(app.send(Method::GET, &path, Some(&admin.token), None).await).await["name_en"],
        "Tolerant Association"
    );

    assert_problem(
        app.send_if_match(Method::POST, &format!("{path}/deactivate"), Some(&admin.token), None, None).await,
        428,
        "precondition_required",
    )
    .await;
    let off =
        app.send_if_match(Method::POST, &format!("{path}/deactivate"), Some(&admin.token), None, Some("\"2\"")).await;
    assert_eq!(etag(&off), "\"3\"");
    assert_eq!(json(off).await["active"], false);
    let inactive = json(app.send(Method::GET, &format!("{ORGS}?active=false"), Some(&admin.token), None).await).await;
    assert_eq!(ids(&inactive), vec![id.clone()]);
    let on =
        app.send_if_match(Method::POST, &format!("{path}/activate"), Some(&admin.token), None, Some("\"3\"")).await;
    assert_eq!(json(on).await["active"], true);
}

#[tokio::test]
async fn a_duplicate_name_is_a_conflict_and_an_occupied_region_is_refused_r4() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    app.create_ngo(&admin, "Abkhazintercont").await;
    let duplicate = app
        .send(Method::POST, ORGS, Some(&admin.token), Some(&organization("Abkhazintercont", json!(["GE-TB"]))))
        .await;
    assert_problem(duplicate, 409, "conflict").await;

    // R4: Abkhazia (GE-AB) and the Tskhinvali region (GE-TSK) are not covered.
    let occupied = app
        .send(
            Method::POST,
            ORGS,
            Some(&admin.token),
            Some(&organization("Occupied", json!(["GE-TB", "GE-AB", "GE-TSK"]))),
        )
        .await;
    let errors = field_errors(occupied).await;
    assert!(errors.contains(&("regions[1]".to_owned(), "region_not_covered".to_owned())), "{errors:?}");
    assert!(errors.contains(&("regions[2]".to_owned(), "region_not_covered".to_owned())), "{errors:?}");
    // Every failing field at once.
    let mut bad = organization("X", json!(["GE-XX"]));
    bad["legal_form"] = json!("");
    let errors = field_errors(app.send(Method::POST, ORGS, Some(&admin.token), Some(&bad)).await).await;
    let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
    for field in ["name_en", "legal_form", "regions[0]"] {
        assert!(fields.contains(&field), "{field} missing from {errors:?}");
    }
}

#[tokio::test]
async fn ngo_staff_and_systems_see_only_their_own_ngo_and_a_hidden_record_is_a_404_like_a_missing_one_r11() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ngo_a = text(&app.create_ngo(&admin, "NGO A").await, "id");
    let ngo_b = text(&app.create_ngo(&admin, "NGO B").await, "id");
    let manager = app.user(&admin, Role::NgoManager, &ngo_a).await;
    let caseworker = app.user(&admin, Role::NgoCaseworker, &ngo_a).await;
    let officer = app.user(&admin, Role::MinistryOfficer, &admin.organization_id).await;
    let user_of_b = app.user(&admin, Role::NgoManager, &ngo_b).await;
    let client = app.create_client(&admin, &ngo_a, "ngo_manager").await;
    let system = app.client_token(&text(&client, "client_id"), &text(&client, "client_secret")).await;
    let missing = uuid::Uuid::now_v7().to_string();

    // A problem without its request id, to compare two answers.
    let shape = |response: reqwest::Response| async move {
        let status = response.status().as_u16();
        let mut body = json(response).await;
        body.as_object_mut().unwrap().remove("request_id");
        (status, body)
    };

    for (who, token) in [("manager", &manager.token), ("caseworker", &caseworker.token), ("system", &system)] {
        let list = app.send(Method::GET, ORGS, Some(token), None).await;
        assert_eq!(list.status().as_u16(), 200, "{who}");
        assert_eq!(ids(&json(list).await), vec![ngo_a.clone()], "{who} lists another organisation");
        let own = app.send(Method::GET, &format!("{ORGS}/{ngo_a}"), Some(token), None).await;
        assert_eq!(own.status().as_u16(), 200, "{who}");

        let hidden = shape(app.send(Method::GET, &format!("{ORGS}/{ngo_b}"), Some(token), None).await).await;
        let absent = shape(app.send(Method::GET, &format!("{ORGS}/{missing}"), Some(token), None).await).await;
        assert_eq!(hidden.0, 404, "{who}: {hidden:?}");
        assert_eq!(hidden, absent, "{who} can tell that NGO B exists");
        let ministry =
            shape(app.send(Method::GET, &format!("{ORGS}/{}", admin.organization_id), Some(token), None).await).await;
        assert_eq!(ministry, absent, "{who} sees the ministry");

        // Changing another NGO: the role check comes first and is the same for one's own NGO
        // and for one that does not exist, so it reveals nothing about B.
        let body = organization("Taken over", json!(["GE-TB"]));
        let mut answers = Vec::new();
        for id in [&ngo_b, &ngo_a, &missing] {
            let response =
                app.send_if_match(Method::PUT, &format!("{ORGS}/{id}"), Some(token), Some(&body), Some("\"1\"")).await;
            answers.push(shape(response).await);
        }
        assert_eq!(answers[0].0, 403, "{who}");
        assert_eq!(answers[0].1["code"], "forbidden");
        assert!(answers.iter().all(|a| *a == answers[0]), "{who}: {answers:?}");
        let deactivate_b = app
            .send_if_match(Method::POST, &format!("{ORGS}/{ngo_b}/deactivate"), Some(token), None, Some("\"1\""))
            .await;
        assert_problem(deactivate_b, 403, "forbidden").await;
    }

    // Users: an NGO manager (and the NGO's system) list and read their own NGO's users only.
    for (who, token) in [("manager", &manager.token), ("system", &system)] {
        let list = json(app.send(Method::GET, USERS, Some(token), None).await).await;
        let items = list["items"].as_array().unwrap();
        assert!(!items.is_empty(), "{who}");
        assert!(items.iter().all(|u| u["organization_id"] == ngo_a.as_str()), "{who} lists others: {list}");
        assert!(ids(&list).contains(&caseworker.id), "{who}");
        let asked_for_b =
            json(app.send(Method::GET, &format!("{USERS}?organization_id={ngo_b}"), Some(token), None).await).await;
        assert_eq!(ids(&asked_for_b), Vec::<String>::new(), "{who} filtered to B");

        let hidden = shape(app.send(Method::GET, &format!("{USERS}/{}", user_of_b.id), Some(token), None).await).await;
        let absent = shape(app.send(Method::GET, &format!("{USERS}/{missing}"), Some(token), None).await).await;
        assert_eq!(hidden.0, 404, "{who}");
        assert_eq!(hidden, absent, "{who} can tell that B's user exists");
        let own = app.send(Method::GET, &format!("{USERS}/{}", caseworker.id), Some(token), None).await;
        assert_eq!(own.status().as_u16(), 200, "{who}");
    }
    // The ministry's staff see every organisation (R11).
    let all = json(app.send(Method::GET, ORGS, Some(&officer.token), None).await).await;
    for id in [&ngo_a, &ngo_b, &admin.organization_id] {
        assert!(ids(&all).contains(id), "the officer does not see {id}");
    }
    // B's own manager is just as blind to A.
    let from_b =
        shape(app.send(Method::GET, &format!("{USERS}/{}", manager.id), Some(&user_of_b.token), None).await).await;
    assert_eq!(from_b.0, 404);
}

#[tokio::test]
async fn the_password_policy_reports_every_violation_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ngo = text(&app.create_ngo(&admin, "NGO A").await, "id");
    let create = |body: Value| {
        let app = &app;
        let token = admin.token.clone();
        async move { app.send(Method::POST, USERS, Some(&token), Some(&body)).await }
    };
    let codes = |errors: Vec<(String, String)>| -> Vec<String> {
        errors.into_iter().filter(|(field, _)| field == "password").map(|(_, code)| code).collect()
    };

    let short = codes(field_errors(create(new_user("nino2", "ngo_caseworker", &ngo, "Tbilisi-201")).await).await);
    assert_eq!(short, vec!["password_too_short"]);
    let common = codes(field_errors(create(new_user("nino3", "ngo_caseworker", &ngo, "password1234")).await).await);
    assert_eq!(common, vec!["password_too_common"]);
    let common = codes(field_errors(create(new_user("nino4", "ngo_caseworker", &ngo, "PASSWORD1234")).await).await);
    assert_eq!(common, vec!["password_too_common"], "case-insensitively");
    let named = codes(
        field_errors(create(new_user("ninoberidze", "ngo_caseworker", &ngo, "I am NinoBeridze of Tbilisi")).await)
            .await,
    );
    assert_eq!(named, vec!["password_contains_username"]);
    // Short, common and containing the username, plus an unknown role: every error at once.
    let errors = field_errors(create(new_user("pass", "chief", &ngo, "password1")).await).await;
    let password_codes = codes(errors.clone());
    for code in ["password_too_short", "password_too_common", "password_contains_username"] {
        assert!(password_codes.contains(&code.to_owned()), "{code} missing from {errors:?}");
    }
    assert!(errors.contains(&("role".to_owned(), "unknown_role".to_owned())), "{errors:?}");
    let too_long = codes(field_errors(create(new_user("nino5", "ngo_caseworker", &ngo, &"x".repeat(129))).await).await);
    assert!(too_long.contains(&"password_too_long".to_owned()), "{too_long:?}");
}

#[tokio::test]
async fn roles_fit_their_organisation_and_usernames_are_unique_case_insensitively() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ngo = text(&app.create_ngo(&admin, "NGO A").await, "id");
    for (role, organization_id) in [
        ("ngo_caseworker", admin.organization_id.as_str()),
        ("ngo_manager", admin.organization_id.as_str()),
        ("admin", ngo.as_str()),
        ("auditor", ngo.as_str()),
    ] {
        let response = app
            .send(
                Method::POST,
                USERS,
                Some(&admin.token),
                Some(&new_user("misplaced", role, organization_id, PASSWORD)),
            )
            .await;
        let errors = field_errors(response).await;
        assert_eq!(errors, vec![("role".to_owned(), "role_does_not_fit_organization".to_owned())], "{role}");
    }
    let unknown_org = app
        .send(
            Method::POST,
            USERS,
            Some(&admin.token),
            Some(&new_user("nowhere", "ngo_caseworker", &uuid::Uuid::now_v7().to_string(), PASSWORD)),
        )
        .await;
    assert_eq!(
        field_errors(unknown_org).await,
        vec![("organization_id".to_owned(), "unknown_organization".to_owned())]
    );

    let created = app
        .send(
            Method::POST,
            USERS,
            Some(&admin.token),
            Some(&new_user("Nino.Beridze", "ngo_caseworker", &ngo, PASSWORD)),
        )
        .await;
    assert_eq!(created.status().as_u16(), 201);
    let created = json(created).await;
    assert_eq!(created["username"], "nino.beridze", "stored lower-case");
    let again = app
        .send(Method::POST, USERS, Some(&admin.token), Some(&new_user("NINO.BERIDZE", "ngo_manager", &ngo, PASSWORD)))
        .await;
    assert_problem(again, 409, "conflict").await;
    app.login("Nino.Beridze", PASSWORD).await;

    // An update may not move a role out of its organisation's kind either.
    let path = format!("{USERS}/{}", text(&created, "id"));
    let promoted = app
        .send_if_match(
            Method::PUT,
            &path,
            Some(&admin.token),
            Some(&json!({ "full_name": "Nino", "role": "admin" })),
            Some("\"1\""),
        )
        .await;
    assert_eq!(field_errors(promoted).await, vec![("role".to_owned(), "role_does_not_fit_organization".to_owned())]);
}

#[tokio::test]
async fn stored_hashes_are_argon2id_at_m_19456_t_2_p_1() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ngo = text(&app.create_ngo(&admin, "NGO A").await, "id");
    let created = app
        .send(Method::POST, USERS, Some(&admin.token), Some(&new_user("nino", "ngo_caseworker", &ngo, PASSWORD)))
        .await;
    assert_eq!(created.status().as_u16(), 201);
    let client = app.create_client(&admin, &ngo, "ngo_manager").await;

    let mut conn = app.database.connect();
    let (user, organization_active, _) = users::find_for_login(&mut conn, "nino").unwrap().unwrap();
    assert!(organization_active);
    let (stored_client, _, _) = clients::find_by_client_id(&mut conn, &text(&client, "client_id")).unwrap().unwrap();
    for (what, phc) in
        [("user password", user.password_hash.as_str()), ("client secret", stored_client.secret_hash.as_str())]
    {
        // $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>
        let fields: Vec<&str> = phc.split('$').collect();
        assert_eq!(fields.len(), 6, "{what}: {phc}");
        assert_eq!(fields[1], "argon2id", "{what}");
        assert_eq!(fields[2], "v=19", "{what}");
        let params: Vec<(&str, u32)> = fields[3]
            .split(',')
            .map(|kv| {
                let (k, v) = kv.split_once('=').unwrap();
                (k, v.parse().unwrap())
            })
            .collect();
        assert_eq!(params, vec![("m", 19_456), ("t", 2), ("p", 1)], "{what}");
        assert!(fields[4].len() >= 22, "{what}: a salt of at least 16 bytes: {}", fields[4]);
        assert_eq!(fields[5].len(), 43, "{what}: a 32-byte hash");
        assert!(!phc.contains(PASSWORD) && !phc.contains(&text(&client, "client_secret")));
    }
    // The administrator has the same password: a fresh salt makes a different hash.
    let other = users::find_for_login(&mut conn, "root-admin").unwrap().unwrap().0;
    assert_ne!(user.password_hash, other.password_hash);
}

#[tokio::test]
async fn no_response_of_the_users_or_clients_endpoints_carries_a_hash() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ngo = text(&app.create_ngo(&admin, "NGO A").await, "id");
    let manager = app.user(&admin, Role::NgoManager, &ngo).await;
    let auditor = app.user(&admin, Role::Auditor, &admin.organization_id).await;
    let mut bodies: Vec<(String, String)> = Vec::new();
    let mut record = |what: String, body: String| bodies.push((what, body));

    let user_path = format!("{USERS}/{}", manager.id);
    let client = app.create_client(&admin, &ngo, "ngo_caseworker").await;
    record("POST /clients".into(), client.to_string());
    let client_path = format!("{CLIENTS}/{}", text(&client, "id"));
    let steps: Vec<(Method, String, Option<Value>, bool, &str)> = vec![
        (Method::POST, USERS.into(), Some(new_user("giorgi", "ngo_caseworker", &ngo, PASSWORD)), false, "admin"),
        (Method::GET, USERS.into(), None, false, "admin"),
        (Method::GET, USERS.into(), None, false, "auditor"),
        (Method::GET, USERS.into(), None, false, "manager"),
        (Method::GET, user_path.clone(), None, false, "admin"),
        (Method::GET, format!("{USERS}/me"), None, false, "manager"),
        (Method::PUT, user_path.clone(), Some(json!({ "full_name": "Renamed", "role": "ngo_manager" })), true, "admin"),
        (Method::POST, format!("{user_path}/deactivate"), None, true, "admin"),
        (Method::POST, format!("{user_path}/activate"), None, true, "admin"),
        (Method::POST, format!("{user_path}/password-reset"), None, true, "admin"),
        (Method::GET, CLIENTS.into(), None, false, "admin"),
        (Method::GET, CLIENTS.into(), None, false, "auditor"),
        (Method::GET, client_path.clone(), None, false, "admin"),
        (Method::POST, format!("{client_path}/rotate-secret"), None, true, "admin"),
        (Method::GET, client_path.clone(), None, false, "auditor"),
        (Method::POST, format!("{client_path}/revoke"), None, true, "admin"),
        (Method::GET, format!("{CLIENTS}?organization_id={ngo}"), None, false, "admin"),
    ];
    for (method, path, body, conditional, who) in steps {
        let token = match who {
            "admin" => &admin.token,
            "auditor" => &auditor.token,
            _ => &manager.token,
        };
        let resource = path.trim_end_matches("/deactivate").trim_end_matches("/activate");
        let resource = resource.trim_end_matches("/password-reset").trim_end_matches("/rotate-secret");
        let resource = resource.trim_end_matches("/revoke").to_owned();
        let tag = if conditional { Some(app.current_etag(&resource, &admin.token).await) } else { None };
        let response = app.send_if_match(method.clone(), &path, Some(token), body.as_ref(), tag.as_deref()).await;
        let status = response.status().as_u16();
        assert!(status < 300, "{method} {path} as {who}: {status}");
        record(format!("{method} {path}"), response.text().await.unwrap());
    }
    for (what, body) in &bodies {
        for secret in ["$argon2", "password_hash", "secret_hash", "previous_secret"] {
            let leak =
                body.contains(secret) && !(secret == "previous_secret" && body.contains("previous_secret_valid_until"));
            assert!(!leak, "{what} carries {secret}: {body}");
        }
    }
    assert!(bodies.len() >= 18);
    // The audit trail keeps no hash either (R13 records before and after of every change).
    let mut conn = app.database.connect();
    for (kind, id) in [("user", manager.id.as_str()), ("api_client", text(&client, "id").as_str())] {
        let events = audit::for_entity(&mut conn, kind, id).unwrap();
        assert!(!events.is_empty(), "{kind}");
        for event in events {
            let stored = format!("{:?} {:?}", event.before, event.after);
            assert!(!stored.contains("$argon2") && !stored.contains("_hash"), "{kind} {}: {stored}", event.action);
        }
    }
}

#[tokio::test]
async fn a_user_changes_their_password_and_an_admin_reset_forces_a_change() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let ngo = text(&app.create_ngo(&admin, "NGO A").await, "id");
    let created = app
        .send(Method::POST, USERS, Some(&admin.token), Some(&new_user("nino", "ngo_caseworker", &ngo, PASSWORD)))
        .await;
    let user_id = text(&json(created).await, "id");
    let token = app.login("nino", PASSWORD).await;
    let change = |current: &str, new: &str| json!({ "current_password": current, "new_password": new });
    const NEW: &str = "a brand new passphrase for 2018";

    let wrong = app
        .send(Method::POST, &format!("{USERS}/me/password"), Some(&token), Some(&change("not my password", NEW)))
        .await;
    assert_eq!(field_errors(wrong).await, vec![("current_password".to_owned(), "wrong_password".to_owned())]);
    let weak =
        app.send(Method::POST, &format!("{USERS}/me/password"), Some(&token), Some(&change(PASSWORD, "short"))).await;
    assert_eq!(field_errors(weak).await, vec![("new_password".to_owned(), "password_too_short".to_owned())]);
    let named = app
        .send(
            Method::POST,
            &format!("{USERS}/me/password"),
            Some(&token),
            Some(&change(PASSWORD, "nino nino nino nino")),
        )
        .await;
    assert_eq!(field_errors(named).await, vec![("new_password".to_owned(), "password_contains_username".to_owned())]);
    let done =
        app.send(Method::POST, &format!("{USERS}/me/password"), Some(&token), Some(&change(PASSWORD, NEW))).await;
    assert_eq!(done.status().as_u16(), 204);
    assert_eq!(app.password_grant("nino", PASSWORD).await.status().as_u16(), 400, "the old password still works");
    app.login("nino", NEW).await;

    // The administrator's reset: If-Match, a temporary password shown once, a forced change.
    let path = format!("{USERS}/{user_id}");
    assert_problem(
        app.send_if_match(Method::POST, &format!("{path}/password-reset"), Some(&admin.token), None, None).await,
        428,
        "precondition_required",
    )
    .await;
    let tag = app.current_etag(&path, &admin.token).await;
    let reset =
        app.send_if_match(Method::POST, &format!("{path}/password-reset"), Some(&admin.token), None, Some(&tag)).await;
    assert_eq!(reset.status().as_u16(), 200);
    assert_eq!(header(&reset, "cache-control"), "no-store");
    let reset = json(reset).await;
    let temporary = text(&reset, "temporary_password");
    assert!(temporary.len() >= 12, "{reset}");
    assert_eq!(reset["user"]["must_change_password"], true);
    assert_eq!(app.password_grant("nino", NEW).await.status().as_u16(), 400, "the reset password still works");
    let token = app.login("nino", &temporary).await;
    let me = json(app.send(Method::GET, &format!("{USERS}/me"), Some(&token), None).await).await;
    assert_eq!(me["must_change_password"], true);
    const CHOSEN: &str = "chosen after the reset 2019";
    let done =
        app.send(Method::POST, &format!("{USERS}/me/password"), Some(&token), Some(&change(&temporary, CHOSEN))).await;
    assert_eq!(done.status().as_u16(), 204);
    // The change ends the sessions of the old password: log in again with the chosen one.
    let token = app.login("nino", CHOSEN).await;
    let me = json(app.send(Method::GET, &format!("{USERS}/me"), Some(&token), None).await).await;
    assert_eq!(me["must_change_password"], false);
}

#[tokio::test]
async fn every_change_to_a_user_an_organisation_or_a_client_is_in_the_audit_trail_r13() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let organization = app.create_ngo(&admin, "NGO A").await;
    let ngo = text(&organization, "id");
    let created = app
        .send(Method::POST, USERS, Some(&admin.token), Some(&new_user("nino", "ngo_caseworker", &ngo, PASSWORD)))
        .await;
    let user_id = text(&json(created).await, "id");
    let path = format!("{USERS}/{user_id}");
    let mut version = 1;
    for (method, action, body) in [
        (Method::PUT, path.clone(), Some(json!({ "full_name": "Nino Beridze-Kapanadze", "role": "ngo_manager" }))),
        (Method::POST, format!("{path}/deactivate"), None),
        (Method::POST, format!("{path}/activate"), None),
        (Method::POST, format!("{path}/password-reset"), None),
    ] {
        let response = app
            .send_if_match(method, &action, Some(&admin.token), body.as_ref(), Some(&format!("\"{version}\"")))
            .await;
        assert_eq!(response.status().as_u16(), 200, "{action}");
        version += 1;
    }
    let token = app
        .login("nino", &{
            // The reset's temporary password is unknown here; reset again to read it.
            let reset = app
                .send_if_match(
                    Method::POST,
                    &format!("{path}/password-reset"),
                    Some(&admin.token),
                    None,
                    Some(&format!("\"{version}\"")),
                )
                .await;
            text(&json(reset).await, "temporary_password")
        })
        .await;
    let changed = app
        .send(
            Method::POST,
            &format!("{USERS}/me/password"),
            Some(&token),
            Some(&json!({ "current_password": "x", "new_password": "y" })),
        )
        .await;
    assert_eq!(changed.status().as_u16(), 422, "a refused change is not a change");

    let client = app.create_client(&admin, &ngo, "ngo_manager").await;
    let client_path = format!("{CLIENTS}/{}", text(&client, "id"));
    for action in ["rotate-secret", "revoke"] {
        let tag = app.current_etag(&client_path, &admin.token).await;
        let response = app
            .send_if_match(Method::POST, &format!("{client_path}/{action}"), Some(&admin.token), None, Some(&tag))
            .await;
        assert_eq!(response.status().as_u16(), 200, "{action}");
    }
    let org_path = format!("{ORGS}/{ngo}");
    let updated = app
        .send_if_match(
            Method::PUT,
            &org_path,
            Some(&admin.token),
            Some(&organization_body_from(&organization)),
            Some("\"1\""),
        )
        .await;
    assert_eq!(updated.status().as_u16(), 200);

    let mut conn = app.database.connect();
    for (kind, id, expected) in [
        (
            "user",
            user_id.as_str(),
            vec!["create", "update", "deactivate", "activate", "password_reset", "password_reset"],
        ),
        ("api_client", text(&client, "id").as_str(), vec!["create", "rotate_secret", "revoke"]),
        ("organization", ngo.as_str(), vec!["create", "update"]),
    ] {
        let events = audit::for_entity(&mut conn, kind, id).unwrap();
        let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, expected, "{kind}");
        for event in &events {
            assert_eq!(event.actor_kind, "user", "{kind} {}", event.action);
            assert_eq!(event.actor_id.as_deref(), Some(admin.id.as_str()), "{kind} {}", event.action);
            assert_eq!(
                event.organization_id.as_deref(),
                Some(admin.organization_id.as_str()),
                "{kind} {}",
                event.action
            );
            assert!(event.request_id.as_deref().is_some_and(|r| !r.is_empty()), "{kind} {}", event.action);
            assert!(event.after.is_some(), "{kind} {}", event.action);
        }
        for event in events.iter().skip(1) {
            assert!(event.before.is_some(), "{kind} {}: a change records what was before", event.action);
        }
    }
    let events = audit::for_entity(&mut conn, "user", &user_id).unwrap();
    let update = &events[1];
    assert!(update.before.as_deref().unwrap().contains("Nino Beridze\""), "{:?}", update.before);
    assert!(update.after.as_deref().unwrap().contains("Nino Beridze-Kapanadze"), "{:?}", update.after);
}

fn organization_body_from(organization: &Value) -> Value {
    json!({
        "name_ka": organization["name_ka"],
        "name_en": format!("{} (renamed)", text(organization, "name_en")),
        "legal_form": organization["legal_form"],
        "regions": organization["regions"],
    })
}

#[tokio::test]
async fn an_admin_may_not_hand_out_a_client_to_the_ministry_or_with_a_role_beyond_an_ngos() {
    let app = TestApp::spawn().await;
    let admin: Login = app.admin().await;
    let ngo = text(&app.create_ngo(&admin, "NGO A").await, "id");
    let to_ministry = app
        .send(
            Method::POST,
            CLIENTS,
            Some(&admin.token),
            Some(&json!({ "organization_id": admin.organization_id, "name": "Ministry system" })),
        )
        .await;
    assert_eq!(
        field_errors(to_ministry).await,
        vec![("organization_id".to_owned(), "unknown_organization".to_owned())]
    );
    let as_admin = app
        .send(
            Method::POST,
            CLIENTS,
            Some(&admin.token),
            Some(&json!({ "organization_id": ngo, "name": "Root system", "role": "admin" })),
        )
        .await;
    assert_eq!(field_errors(as_admin).await, vec![("role".to_owned(), "unknown_role".to_owned())]);
    let default = app
        .send(
            Method::POST,
            CLIENTS,
            Some(&admin.token),
            Some(&json!({ "organization_id": ngo, "name": "Case system" })),
        )
        .await;
    assert_eq!(default.status().as_u16(), 201);
    let default = json(default).await;
    assert_eq!(default["role"], "ngo_caseworker", "the least right by default");
    assert!(text(&default, "client_id").starts_with("ngo-"));
}

#[tokio::test]
async fn an_administrator_cannot_lock_themselves_out_but_another_administrator_can() {
    // #10: found by fuzzing with an administrator's token: deactivating one's own account or
    // organisation (the ministry), resetting one's own password or changing one's own role ended
    // the caller's access mid-session. Each is now `409 self_lockout` and changes nothing.
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let me = format!("/api/v1/users/{}", admin.id);
    let ministry = format!("/api/v1/organizations/{}", admin.organization_id);
    let demote = json!({ "full_name": "Demoted", "role": "auditor" });
    let attempts = [
        (Method::POST, format!("{me}/deactivate"), None),
        (Method::POST, format!("{me}/password-reset"), None),
        (Method::PUT, me.clone(), Some(demote.clone())),
        (Method::POST, format!("{ministry}/deactivate"), None),
    ];
    for (method, path, body) in attempts {
        let answer = app.send_if_match(method.clone(), &path, Some(&admin.token), body.as_ref(), Some("*")).await;
        let problem = assert_problem(answer, 409, "self_lockout").await;
        assert!(!problem["detail"].as_str().unwrap_or_default().is_empty(), "{method} {path}: {problem}");
    }
    let (mine, _) = (json(app.send(Method::GET, &me, Some(&admin.token), None).await).await, ());
    assert_eq!(
        (mine["active"].clone(), mine["role"].clone(), mine["version"].clone()),
        (json!(true), json!("admin"), json!(1))
    );
    // A new name alone is no lockout; another administrator may demote this one.
    let renamed = json!({ "full_name": "Renamed Admin", "role": "admin" });
    let answer = app.send_if_match(Method::PUT, &me, Some(&admin.token), Some(&renamed), Some("*")).await;
    assert_eq!(answer.status().as_u16(), 200);
    let other = app.user(&admin, Role::Admin, &admin.organization_id).await;
    let answer = app.send_if_match(Method::PUT, &me, Some(&other.token), Some(&demote), Some("*")).await;
    assert_eq!(answer.status().as_u16(), 200);
}
