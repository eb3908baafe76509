#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The identity actions without an HTTP server (#9): organisations, users and their passwords,
//! NGO systems. A change that must end a principal's tokens moves its token generation on
//! (#8.4), and every refusal is the one the HTTP layer maps. Run on SQLite and, with
//! `TEST_DATABASE=postgres`, on PostgreSQL.

use application::identity::OrganizationDetails;
use application::identity::change_own_password::{ChangeOwnPassword, change_own_password};
use application::identity::create_client::{CreateClient, create_client};
use application::identity::create_organization::create_organization;
use application::identity::create_user::{CreateUser, create_user};
use application::identity::ensure_ministry::ensure_ministry;
use application::identity::reset_password::reset_password;
use application::identity::revoke_client::revoke_client;
use application::identity::rotate_client_secret::{SecretOverlap, rotate_client_secret};
use application::identity::set_organization_active::set_organization_active;
use application::identity::set_user_active::set_user_active;
use application::identity::update_organization::update_organization;
use application::identity::update_user::{UpdateUser, update_user};
use application::{ActionError, Principal, PrincipalKind, RefusalCode};
use domain::region::RegionCode;
use domain::role::Role;
use persistence::models::identity::{ApiClient, User};
use persistence::repo::organizations::OrganizationRecord;
use persistence::{StoreError, Visibility};
use tests::records::Store;

fn details(name_en: &str, regions: &[RegionCode]) -> OrganizationDetails {
    OrganizationDetails {
        name_ka: format!("{name_en} (ka)"),
        name_en: name_en.to_owned(),
        legal_form: "non-entrepreneurial non-commercial legal entity".to_owned(),
        contact_email: None,
        contact_phone: None,
        address: None,
        regions: regions.to_vec(),
    }
}

fn new_ngo(store: &Store, admin: &Principal, name_en: &str) -> OrganizationRecord {
    store.act(admin, |tx| create_organization(tx, details(name_en, &[RegionCode::Tbilisi]))).unwrap()
}

fn new_user(username: &str, role: Role, organization_id: &str) -> CreateUser {
    CreateUser {
        username: username.to_owned(),
        full_name: "Nino Beridze".to_owned(),
        role,
        organization_id: organization_id.into(),
        password_hash: "hash-1".to_owned(),
    }
}

fn new_client(organization_id: &str, role: Role) -> CreateClient {
    CreateClient {
        organization_id: organization_id.into(),
        name: "Case system".to_owned(),
        role,
        client_id: format!("ngo-{}", persistence::new_id()),
        secret_hash: "secret-hash-1".to_owned(),
    }
}

fn field_errors(result: Result<impl std::fmt::Debug, ActionError>) -> Vec<(String, &'static str)> {
    match result {
        Err(ActionError::Invalid(fields)) => fields.into_iter().map(|f| (f.field, f.code)).collect(),
        other => panic!("expected invalid fields, got {other:?}"),
    }
}

fn refusal_code(result: Result<impl std::fmt::Debug, ActionError>) -> RefusalCode {
    match result {
        Err(ActionError::Refused(refusal)) => refusal.code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn stored_user(store: &Store, id: &str) -> User {
    store.read(|conn| persistence::repo::users::get(conn, &Visibility::All, id)).unwrap()
}

fn stored_client(store: &Store, id: &str) -> ApiClient {
    store.read(|conn| persistence::repo::clients::get(conn, &Visibility::All, id)).unwrap()
}

fn audit_actions(store: &Store, entity_type: &str, id: &str) -> Vec<String> {
    let events = store.read(|conn| persistence::repo::audit::for_entity(conn, entity_type, id)).unwrap();
    events.into_iter().map(|e| e.action).collect()
}

#[test]
fn the_ministry_exists_once_and_an_organisation_is_created_as_an_ngo() {
    let store = Store::new();
    let admin = store.admin();
    let again = store.act(&admin, ensure_ministry).unwrap();
    assert_eq!(again.as_str(), admin.organization_id, "ensure_ministry finds the ministry it created");

    let ngo = store
        .act(&admin, |tx| {
            create_organization(
                tx,
                details("NGO A", &[RegionCode::KvemoKartli, RegionCode::Tbilisi, RegionCode::Tbilisi]),
            )
        })
        .unwrap();
    assert_eq!(ngo.organization.kind.as_str(), "ngo");
    assert_eq!(ngo.regions, ["GE-KK", "GE-TB"], "sorted, each once");
    assert_eq!(audit_actions(&store, "organization", &ngo.organization.id), ["create"]);
}

#[test]
fn r4_an_organisation_may_not_work_in_the_occupied_territories() {
    let store = Store::new();
    let admin = store.admin();
    let occupied = store.act(&admin, |tx| {
        create_organization(tx, details("NGO A", &[RegionCode::Tbilisi, RegionCode::Abkhazia, RegionCode::Tskhinvali]))
    });
    assert_eq!(
        field_errors(occupied),
        [("regions[1]".to_owned(), "region_not_covered"), ("regions[2]".to_owned(), "region_not_covered")]
    );
    let ngo = new_ngo(&store, &admin, "NGO A");
    let update = store.act(&admin, |tx| {
        update_organization(tx, &ngo.organization.id.as_str().into(), 1, details("NGO A", &[RegionCode::Abkhazia]))
    });
    assert_eq!(field_errors(update), [("regions[0]".to_owned(), "region_not_covered")]);
}

#[test]
fn an_organisation_name_is_taken_once_on_create_and_on_update() {
    let store = Store::new();
    let admin = store.admin();
    new_ngo(&store, &admin, "NGO A");
    let b = new_ngo(&store, &admin, "NGO B");
    let twice = store.act(&admin, |tx| create_organization(tx, details("NGO A", &[])));
    assert_eq!(refusal_code(twice), RefusalCode::NameTaken);
    let renamed =
        store.act(&admin, |tx| update_organization(tx, &b.organization.id.as_str().into(), 1, details("NGO A", &[])));
    assert_eq!(refusal_code(renamed), RefusalCode::NameTaken);
    let stale =
        store.act(&admin, |tx| update_organization(tx, &b.organization.id.as_str().into(), 7, details("NGO C", &[])));
    assert!(matches!(stale, Err(ActionError::Store(StoreError::StaleVersion { current: 1 }))), "{stale:?}");
}

#[test]
fn deactivating_an_organisation_ends_its_tokens_for_good_and_reactivation_does_not_revive_them() {
    let store = Store::new();
    let admin = store.admin();
    let ngo = new_ngo(&store, &admin, "NGO A");
    let id = ngo.organization.id.clone();
    let off = store.act(&admin, |tx| set_organization_active(tx, &admin, &id.as_str().into(), 1, false)).unwrap();
    assert!(!off.organization.active);
    assert_eq!((off.organization.version, off.organization.token_generation), (2, 1));
    let on = store.act(&admin, |tx| set_organization_active(tx, &admin, &id.as_str().into(), 2, true)).unwrap();
    assert!(on.organization.active);
    assert_eq!((on.organization.version, on.organization.token_generation), (3, 1));
    assert_eq!(audit_actions(&store, "organization", &id), ["create", "deactivate", "activate"]);
}

#[test]
fn roles_fit_their_organisation_and_usernames_are_unique_whatever_their_case() {
    let store = Store::new();
    let admin = store.admin();
    let ngo = new_ngo(&store, &admin, "NGO A").organization.id;
    let ministry = admin.organization_id.clone();
    for (role, organization_id) in
        [(Role::NgoCaseworker, &ministry), (Role::NgoManager, &ministry), (Role::Admin, &ngo), (Role::Auditor, &ngo)]
    {
        let misplaced = store.act(&admin, |tx| create_user(tx, new_user("misplaced", role, organization_id)));
        assert_eq!(field_errors(misplaced), [("role".to_owned(), "role_does_not_fit_organization")], "{role}");
    }
    let nowhere = store.act(&admin, |tx| create_user(tx, new_user("nowhere", Role::NgoCaseworker, "no-such-id")));
    assert_eq!(field_errors(nowhere), [("organization_id".to_owned(), "unknown_organization")]);
    let bad_name = store.act(&admin, |tx| create_user(tx, new_user("nino beridze", Role::NgoCaseworker, &ngo)));
    assert_eq!(field_errors(bad_name), [("username".to_owned(), "invalid_username")]);

    let nino = store.act(&admin, |tx| create_user(tx, new_user("Nino.Beridze", Role::NgoCaseworker, &ngo))).unwrap();
    assert_eq!((nino.username.as_str(), nino.must_change_password, nino.active), ("nino.beridze", false, true));
    let again = store.act(&admin, |tx| create_user(tx, new_user("NINO.BERIDZE", Role::NgoManager, &ngo)));
    assert_eq!(refusal_code(again), RefusalCode::NameTaken);

    let promoted = store.act(&admin, |tx| {
        update_user(
            tx,
            &admin,
            &nino.id.as_str().into(),
            1,
            UpdateUser { full_name: "Nino".to_owned(), role: Role::Admin },
        )
    });
    assert_eq!(field_errors(promoted), [("role".to_owned(), "role_does_not_fit_organization")]);
}

#[test]
fn a_role_change_ends_the_users_tokens_and_a_new_name_alone_does_not() {
    let store = Store::new();
    let admin = store.admin();
    let ngo = new_ngo(&store, &admin, "NGO A").organization.id;
    let user = store.act(&admin, |tx| create_user(tx, new_user("nino", Role::NgoCaseworker, &ngo))).unwrap();
    let renamed = store
        .act(&admin, |tx| {
            update_user(
                tx,
                &admin,
                &user.id.as_str().into(),
                1,
                UpdateUser { full_name: "Nino B.".to_owned(), role: Role::NgoCaseworker },
            )
        })
        .unwrap();
    assert_eq!((renamed.full_name.as_str(), renamed.version, renamed.token_generation), ("Nino B.", 2, 0));
    let promoted = store
        .act(&admin, |tx| {
            update_user(
                tx,
                &admin,
                &user.id.as_str().into(),
                2,
                UpdateUser { full_name: "Nino B.".to_owned(), role: Role::NgoManager },
            )
        })
        .unwrap();
    assert_eq!((promoted.role.as_str(), promoted.version, promoted.token_generation), ("ngo_manager", 3, 1));
    assert_eq!(stored_user(&store, &user.id), promoted);
}

#[test]
fn deactivation_then_activation_keeps_the_old_tokens_dead() {
    let store = Store::new();
    let admin = store.admin();
    let ngo = new_ngo(&store, &admin, "NGO A").organization.id;
    let user = store.act(&admin, |tx| create_user(tx, new_user("nino", Role::NgoCaseworker, &ngo))).unwrap();
    let off = store.act(&admin, |tx| set_user_active(tx, &admin, &user.id.as_str().into(), 1, false)).unwrap();
    assert_eq!((off.active, off.version, off.token_generation), (false, 2, 1));
    let stale = store.act(&admin, |tx| set_user_active(tx, &admin, &user.id.as_str().into(), 1, true));
    assert!(matches!(stale, Err(ActionError::Store(StoreError::StaleVersion { current: 2 }))), "{stale:?}");
    let on = store.act(&admin, |tx| set_user_active(tx, &admin, &user.id.as_str().into(), 2, true)).unwrap();
    assert_eq!((on.active, on.version, on.token_generation), (true, 3, 1));
    assert_eq!(audit_actions(&store, "user", &user.id), ["create", "deactivate", "activate"]);
}

#[test]
fn a_reset_password_must_be_changed_and_the_owners_change_clears_that() {
    let store = Store::new();
    let admin = store.admin();
    let ngo = new_ngo(&store, &admin, "NGO A").organization.id;
    let user = store.act(&admin, |tx| create_user(tx, new_user("nino", Role::NgoCaseworker, &ngo))).unwrap();
    let reset = store
        .act(&admin, |tx| reset_password(tx, &admin, &user.id.as_str().into(), 1, "temporary-hash".to_owned()))
        .unwrap();
    assert_eq!((reset.must_change_password, reset.token_generation, reset.version), (true, 1, 2));
    assert_eq!(reset.password_hash, "temporary-hash");

    let nino =
        Principal { kind: PrincipalKind::User, id: user.id.clone(), role: Role::NgoCaseworker, organization_id: ngo };
    let command = ChangeOwnPassword { expected_version: 2, password_hash: "own-hash".to_owned() };
    let changed = store.act(&nino, |tx| change_own_password(tx, &nino, command)).unwrap();
    assert_eq!((changed.must_change_password, changed.token_generation, changed.version), (false, 2, 3));
    assert_eq!(stored_user(&store, &user.id).password_hash, "own-hash");
    assert_eq!(audit_actions(&store, "user", &user.id), ["create", "password_reset", "password_change"]);
}

#[test]
fn an_ngo_system_has_no_password_of_its_own_to_change() {
    let store = Store::new();
    let admin = store.admin();
    let ngo = new_ngo(&store, &admin, "NGO A").organization.id;
    let client = store.act(&admin, |tx| create_client(tx, new_client(&ngo, Role::NgoManager))).unwrap();
    let system = Principal { kind: PrincipalKind::Client, id: client.id, role: Role::NgoManager, organization_id: ngo };
    let command = ChangeOwnPassword { expected_version: 1, password_hash: "hash".to_owned() };
    let result = store.act(&system, |tx| change_own_password(tx, &system, command));
    assert!(matches!(result, Err(ActionError::Store(StoreError::NotFound))), "{result:?}");
}

#[test]
fn clients_belong_to_an_ngo_and_act_with_an_ngo_role() {
    let store = Store::new();
    let admin = store.admin();
    let ngo = new_ngo(&store, &admin, "NGO A").organization.id;
    let to_ministry = store.act(&admin, |tx| create_client(tx, new_client(&admin.organization_id, Role::NgoManager)));
    assert_eq!(field_errors(to_ministry), [("organization_id".to_owned(), "unknown_organization")]);
    let as_admin = store.act(&admin, |tx| create_client(tx, new_client(&ngo, Role::Admin)));
    assert_eq!(field_errors(as_admin), [("role".to_owned(), "unknown_role")]);
    let client = store.act(&admin, |tx| create_client(tx, new_client(&ngo, Role::NgoCaseworker))).unwrap();
    assert_eq!((client.role.as_str(), client.active, client.version), ("ngo_caseworker", true, 1));
    assert_eq!(audit_actions(&store, "api_client", &client.id), ["create"]);
}

#[test]
fn a_rotation_keeps_the_previous_secret_for_the_overlap_and_a_revocation_ends_everything() {
    let store = Store::new();
    let admin = store.admin();
    let ngo = new_ngo(&store, &admin, "NGO A").organization.id;
    let client = store.act(&admin, |tx| create_client(tx, new_client(&ngo, Role::NgoManager))).unwrap();

    let before = persistence::now_utc();
    let overlap = SecretOverlap(chrono::Duration::hours(24));
    let rotated = store
        .act(&admin, |tx| rotate_client_secret(tx, &client.id.as_str().into(), 1, "secret-hash-2".to_owned(), overlap))
        .unwrap();
    let after = persistence::now_utc();
    assert_eq!(rotated.secret_hash, "secret-hash-2");
    assert_eq!(rotated.previous_secret_hash.as_deref(), Some("secret-hash-1"));
    let until = rotated.previous_secret_valid_until.unwrap();
    assert!(until >= before + overlap.0 && until <= after + overlap.0, "{until}");
    assert_eq!((rotated.version, rotated.token_generation), (2, 0), "live tokens survive a rotation");
    assert_eq!(stored_client(&store, &client.id), rotated);

    let revoked = store.act(&admin, |tx| revoke_client(tx, &client.id.as_str().into(), 2)).unwrap();
    assert!(!revoked.active);
    assert_eq!((revoked.previous_secret_hash, revoked.previous_secret_valid_until), (None, None));
    assert_eq!((revoked.version, revoked.token_generation), (3, 1));
    assert_eq!(audit_actions(&store, "api_client", &client.id), ["create", "rotate_secret", "revoke"]);
}
