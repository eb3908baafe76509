ALTER TABLE service_vocational_details DROP COLUMN division_informed_on, DROP COLUMN education;
DROP TABLE service_psychosocial_details;
ALTER TABLE service_medical_details DROP COLUMN provider;
DROP INDEX services_status_idx;
DROP INDEX services_organization_idx;
ALTER TABLE services
    DROP CONSTRAINT services_four_eyes_supplement,
    DROP CONSTRAINT services_one_supplementer,
    DROP CONSTRAINT services_paid_from_a_grant,
    DROP CONSTRAINT services_delivery_recorded,
    DROP CONSTRAINT services_approval_recorded,
    DROP CONSTRAINT services_delivered_within_approval,
    DROP CONSTRAINT services_approved_within_requested,
    DROP CONSTRAINT services_supplementary,
    DROP COLUMN delivery_reference,
    DROP COLUMN supplemented_by_client_id,
    DROP COLUMN supplemented_by_user_id,
    DROP COLUMN supplementary_tetri,
    DROP COLUMN decided_on,
    DROP COLUMN reference,
    DROP COLUMN requested_on,
    DROP COLUMN organization_id;
ALTER TABLE grants DROP CONSTRAINT grants_committed_within_amount, DROP COLUMN committed_tetri;
