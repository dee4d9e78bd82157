-- Oracle's Who columns of the self-service user row (SVC_SELF_SERVICE_USERS: CREATED_BY,
-- CREATION_DATE, LAST_UPDATED_BY, LAST_UPDATE_DATE). Oracle's user row holds data
-- denormalized from its roles, so every write of one of the user's roles stamps the user's
-- LAST_UPDATE_DATE and LAST_UPDATED_BY in the same transaction; the seed file sets them
-- when it adds or changes a user.
-- SQLite adds a NOT NULL column only with a constant default: the defaults below are
-- placeholders the backfill overwrites, and the service always writes all four columns.
ALTER TABLE oracle_self_service_users ADD COLUMN created_by TEXT NOT NULL DEFAULT 'SEED';
ALTER TABLE oracle_self_service_users ADD COLUMN creation_date DATETIME NOT NULL DEFAULT '1970-01-01T00:00:00Z';
ALTER TABLE oracle_self_service_users ADD COLUMN last_updated_by TEXT NOT NULL DEFAULT 'SEED';
ALTER TABLE oracle_self_service_users ADD COLUMN last_update_date DATETIME NOT NULL DEFAULT '1970-01-01T00:00:00Z';
-- Existing users: created with their earliest role and by its creator, last updated with
-- their latest role change and by its writer; users without roles by the seed (SEED) at
-- the time of this migration.
UPDATE oracle_self_service_users SET
    created_by = COALESCE((SELECT r.created_by FROM oracle_self_service_roles AS r
                            WHERE r.user_id = oracle_self_service_users.user_id
                            ORDER BY unixepoch(r.creation_date, 'subsec'), r.role_id LIMIT 1), 'SEED'),
    creation_date = COALESCE((SELECT r.creation_date FROM oracle_self_service_roles AS r
                               WHERE r.user_id = oracle_self_service_users.user_id
                               ORDER BY unixepoch(r.creation_date, 'subsec'), r.role_id LIMIT 1),
                             strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    last_updated_by = COALESCE((SELECT r.last_updated_by FROM oracle_self_service_roles AS r
                                 WHERE r.user_id = oracle_self_service_users.user_id
                                 ORDER BY unixepoch(r.last_update_date, 'subsec') DESC, r.role_id DESC LIMIT 1), 'SEED'),
    last_update_date = COALESCE((SELECT r.last_update_date FROM oracle_self_service_roles AS r
                                  WHERE r.user_id = oracle_self_service_users.user_id
                                  ORDER BY unixepoch(r.last_update_date, 'subsec') DESC, r.role_id DESC LIMIT 1),
                                strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
