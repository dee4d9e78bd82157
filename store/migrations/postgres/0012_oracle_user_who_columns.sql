-- Oracle's Who columns of the self-service user row (SVC_SELF_SERVICE_USERS: CREATED_BY,
-- CREATION_DATE, LAST_UPDATED_BY, LAST_UPDATE_DATE). Oracle's user row holds data
-- denormalized from its roles, so every write of one of the user's roles stamps the user's
-- LAST_UPDATE_DATE and LAST_UPDATED_BY in the same transaction; the seed file sets them
-- when it adds or changes a user.
ALTER TABLE oracle_self_service_users
    ADD COLUMN created_by TEXT NOT NULL DEFAULT 'SEED',
    ADD COLUMN creation_date TIMESTAMPTZ NOT NULL DEFAULT now(),
    ADD COLUMN last_updated_by TEXT NOT NULL DEFAULT 'SEED',
    ADD COLUMN last_update_date TIMESTAMPTZ NOT NULL DEFAULT now();
-- Existing users: created with their earliest role and by its creator, last updated with
-- their latest role change and by its writer; users without roles by the seed (SEED) at
-- the time of this migration (the defaults above).
UPDATE oracle_self_service_users AS u SET
    created_by = first.created_by, creation_date = first.creation_date
FROM (SELECT DISTINCT ON (user_id) user_id, created_by, creation_date
        FROM oracle_self_service_roles ORDER BY user_id, creation_date, role_id) AS first
WHERE first.user_id = u.user_id;
UPDATE oracle_self_service_users AS u SET
    last_updated_by = latest.last_updated_by, last_update_date = latest.last_update_date
FROM (SELECT DISTINCT ON (user_id) user_id, last_updated_by, last_update_date
        FROM oracle_self_service_roles ORDER BY user_id, last_update_date DESC, role_id DESC) AS latest
WHERE latest.user_id = u.user_id;
-- From now on every write names them.
ALTER TABLE oracle_self_service_users
    ALTER COLUMN created_by DROP DEFAULT,
    ALTER COLUMN creation_date DROP DEFAULT,
    ALTER COLUMN last_updated_by DROP DEFAULT,
    ALTER COLUMN last_update_date DROP DEFAULT;
