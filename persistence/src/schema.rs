//! The portable diesel schema, written for both backends (migrations/sqlite and migrations/postgres
//! create the same tables with the same column types as seen through diesel).

diesel::table! {
    regions (code) {
        code -> Text,
        name_ka -> Text,
        name_en -> Text,
        occupied -> Bool,
        shelter_covered -> Bool,
        sort_order -> Integer,
    }
}

diesel::table! {
    service_types (code) {
        code -> Text,
        category -> Text,
        name_ka -> Text,
        name_en -> Text,
        description_ka -> Text,
        description_en -> Text,
        requestable_on_case -> Bool,
        costs_grant_by_default -> Bool,
        sort_order -> Integer,
    }
}

diesel::table! {
    organizations (id) {
        id -> Text,
        kind -> Text,
        name_ka -> Text,
        name_en -> Text,
        legal_form -> Text,
        contact_email -> Nullable<Text>,
        contact_phone -> Nullable<Text>,
        address -> Nullable<Text>,
        active -> Bool,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        token_generation -> Integer,
    }
}

diesel::table! {
    organization_regions (organization_id, region_code) {
        organization_id -> Text,
        region_code -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        organization_id -> Text,
        username -> Text,
        full_name -> Text,
        role -> Text,
        password_hash -> Text,
        active -> Bool,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        must_change_password -> Bool,
        token_generation -> Integer,
    }
}

diesel::table! {
    api_clients (id) {
        id -> Text,
        organization_id -> Text,
        client_id -> Text,
        name -> Text,
        role -> Text,
        secret_hash -> Text,
        previous_secret_hash -> Nullable<Text>,
        previous_secret_valid_until -> Nullable<Timestamp>,
        active -> Bool,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        token_generation -> Integer,
    }
}

diesel::table! {
    program_years (year) {
        year -> Integer,
        budget_tetri -> BigInt,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        granted_tetri -> BigInt,
        shelter_allocation_tetri -> Nullable<BigInt>,
        shelter_spent_tetri -> BigInt,
    }
}

diesel::table! {
    grant_ceilings (grant_id, service_type) {
        grant_id -> Text,
        service_type -> Text,
        amount_tetri -> BigInt,
        committed_tetri -> BigInt,
    }
}

diesel::table! {
    grants (id) {
        id -> Text,
        program_year -> Integer,
        organization_id -> Text,
        amount_tetri -> BigInt,
        reference -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        period_start -> Date,
        period_end -> Date,
        committed_tetri -> BigInt,
    }
}

diesel::table! {
    persons (id) {
        id -> Text,
        legal_status -> Text,
        personal_number -> Nullable<Text>,
        residence_permit_number -> Nullable<Text>,
        first_name_ka -> Nullable<Text>,
        last_name_ka -> Nullable<Text>,
        first_name_lat -> Nullable<Text>,
        last_name_lat -> Nullable<Text>,
        date_of_birth -> Nullable<Date>,
        sex -> Nullable<Text>,
        phone_e164 -> Nullable<Text>,
        residence_region -> Nullable<Text>,
        residence_locality -> Nullable<Text>,
        consent_date -> Nullable<Date>,
        consent_scope -> Nullable<Text>,
        organization_id -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        search_name -> Text,
    }
}

diesel::table! {
    arrivals (id) {
        id -> Text,
        person_id -> Nullable<Text>,
        personal_number -> Nullable<Text>,
        arrival_date -> Date,
        point_of_arrival -> Text,
        countries -> Text,
        asylum_applied -> Nullable<Bool>,
        asylum_held -> Nullable<Bool>,
        need_shelter -> Bool,
        need_medical -> Bool,
        need_other -> Nullable<Text>,
        need_medical_notes -> Nullable<Text>,
        recorded_by_user_id -> Nullable<Text>,
        organization_id -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        shelter_nights -> Integer,
    }
}

diesel::table! {
    arrival_irregular_periods (id) {
        id -> Text,
        arrival_id -> Text,
        start_date -> Date,
        end_date -> Date,
    }
}

diesel::table! {
    cases (id) {
        id -> Text,
        person_id -> Text,
        arrival_id -> Text,
        organization_id -> Text,
        registration_date -> Date,
        status -> Text,
        close_reason -> Nullable<Text>,
        closed_on -> Nullable<Date>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        residence_region -> Nullable<Text>,
        personal_number -> Nullable<Text>,
        search_name -> Text,
        arrival_date -> Date,
        need_shelter -> Bool,
    }
}

diesel::table! {
    eligibility_decisions (id) {
        id -> Text,
        case_id -> Text,
        decided_on -> Date,
        outcome -> Text,
        rules_version -> Text,
        rules -> Text,
        input -> Text,
        decided_by_user_id -> Nullable<Text>,
        created_at -> Timestamp,
        decided_by_client_id -> Nullable<Text>,
    }
}

diesel::table! {
    services (id) {
        id -> Text,
        case_id -> Text,
        service_type -> Text,
        grant_id -> Nullable<Text>,
        status -> Text,
        requested_amount_tetri -> BigInt,
        approved_amount_tetri -> Nullable<BigInt>,
        delivered_amount_tetri -> Nullable<BigInt>,
        requested_by_user_id -> Nullable<Text>,
        requested_at -> Timestamp,
        decided_by_user_id -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        delivered_on -> Nullable<Date>,
        closed_reason -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        requested_by_client_id -> Nullable<Text>,
        decided_by_client_id -> Nullable<Text>,
        organization_id -> Text,
        requested_on -> Date,
        reference -> Nullable<Text>,
        decided_on -> Nullable<Date>,
        supplementary_tetri -> BigInt,
        supplemented_by_user_id -> Nullable<Text>,
        supplemented_by_client_id -> Nullable<Text>,
        delivery_reference -> Nullable<Text>,
    }
}

diesel::table! {
    service_medical_details (service_id) {
        service_id -> Text,
        condition_category -> Text,
        icd10_code -> Nullable<Text>,
        notes -> Nullable<Text>,
        provider -> Nullable<Text>,
    }
}

diesel::table! {
    service_psychosocial_details (service_id) {
        service_id -> Text,
        planned_sessions -> Integer,
    }
}

diesel::table! {
    service_social_project_details (service_id) {
        service_id -> Text,
        title -> Text,
        sector -> Text,
        business_description -> Text,
    }
}

diesel::table! {
    service_vocational_details (service_id) {
        service_id -> Text,
        skills -> Text,
        interests -> Text,
        proposed_directions -> Text,
        education -> Nullable<Text>,
        division_informed_on -> Nullable<Date>,
        feed_position -> BigInt,
    }
}

diesel::table! {
    feed_counters (feed) {
        feed -> Text,
        last_position -> BigInt,
    }
}

diesel::table! {
    shelter_stays (id) {
        id -> Text,
        arrival_id -> Text,
        grant_id -> Nullable<Text>,
        region_code -> Text,
        shelter_name -> Text,
        check_in -> Date,
        check_out -> Date,
        cost_tetri -> BigInt,
        recorded_by_user_id -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        status -> Text,
        program_year -> Integer,
        planned_check_out -> Date,
        organization_id -> Text,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    audit_events (seq) {
        seq -> BigInt,
        id -> Text,
        occurred_at -> Timestamp,
        actor_kind -> Text,
        actor_id -> Nullable<Text>,
        organization_id -> Nullable<Text>,
        request_id -> Nullable<Text>,
        action -> Text,
        entity_type -> Text,
        entity_id -> Text,
        before -> Nullable<Text>,
        after -> Nullable<Text>,
        client_request_id -> Nullable<Text>,
        chain_seq -> Nullable<BigInt>,
        content_digest -> Nullable<Text>,
        canonical -> Nullable<Text>,
        hash -> Nullable<Text>,
        redacted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_chain_head (id) {
        id -> Integer,
        seq -> BigInt,
        hash -> Text,
    }
}

diesel::table! {
    idempotency_keys (principal, idempotency_key) {
        principal -> Text,
        idempotency_key -> Text,
        request_method -> Text,
        request_path -> Text,
        request_hash -> Text,
        response_status -> Nullable<Integer>,
        response_body -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    login_known_addresses (account_key, address) {
        account_key -> Text,
        address -> Text,
        last_success_at -> Timestamp,
    }
}

diesel::table! {
    login_throttle (throttle_key) {
        throttle_key -> Text,
        failures -> Integer,
        first_failure_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(organization_regions -> organizations (organization_id));
diesel::joinable!(organization_regions -> regions (region_code));
diesel::joinable!(users -> organizations (organization_id));
diesel::joinable!(api_clients -> organizations (organization_id));
diesel::joinable!(grants -> organizations (organization_id));
diesel::joinable!(grant_ceilings -> grants (grant_id));
diesel::joinable!(grant_ceilings -> service_types (service_type));
diesel::joinable!(grants -> program_years (program_year));
diesel::joinable!(persons -> organizations (organization_id));
diesel::joinable!(persons -> regions (residence_region));
diesel::joinable!(arrivals -> persons (person_id));
diesel::joinable!(arrival_irregular_periods -> arrivals (arrival_id));
diesel::joinable!(cases -> persons (person_id));
diesel::joinable!(cases -> arrivals (arrival_id));
diesel::joinable!(cases -> organizations (organization_id));
diesel::joinable!(eligibility_decisions -> cases (case_id));
diesel::joinable!(services -> cases (case_id));
diesel::joinable!(services -> grants (grant_id));
diesel::joinable!(services -> service_types (service_type));
diesel::joinable!(service_medical_details -> services (service_id));
diesel::joinable!(service_social_project_details -> services (service_id));
diesel::joinable!(service_psychosocial_details -> services (service_id));
diesel::joinable!(service_vocational_details -> services (service_id));
diesel::joinable!(shelter_stays -> arrivals (arrival_id));
diesel::joinable!(shelter_stays -> grants (grant_id));
diesel::joinable!(shelter_stays -> regions (region_code));

diesel::allow_tables_to_appear_in_same_query!(
    grant_ceilings,
    regions,
    service_types,
    organizations,
    organization_regions,
    users,
    api_clients,
    program_years,
    grants,
    persons,
    arrivals,
    arrival_irregular_periods,
    cases,
    eligibility_decisions,
    services,
    service_medical_details,
    service_psychosocial_details,
    service_social_project_details,
    service_vocational_details,
    shelter_stays,
    feed_counters,
    audit_events,
    audit_chain_head,
    idempotency_keys,
    login_throttle,
);
