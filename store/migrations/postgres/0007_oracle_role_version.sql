-- A version per self-service role, bumped by every write of the role: its ETag and its
-- links' changeIndicator are made of it, and If-Match compares against it.
ALTER TABLE oracle_self_service_roles ADD COLUMN row_version BIGINT NOT NULL DEFAULT 1;
