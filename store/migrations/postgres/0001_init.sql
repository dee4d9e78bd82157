-- eGain reference data (departments, customers, principals) and customer grants.
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE departments (
    id   BIGINT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE customers (
    id            BIGINT PRIMARY KEY CHECK (id > 0),
    name          TEXT NOT NULL,
    type          TEXT NOT NULL CHECK (type IN ('individual', 'organization')),
    department_id BIGINT REFERENCES departments (id)
);

CREATE TABLE users (
    id                 BIGSERIAL PRIMARY KEY,
    login              TEXT NOT NULL UNIQUE,
    name               TEXT NOT NULL,
    home_department_id BIGINT REFERENCES departments (id)
);

CREATE TABLE user_actions (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    action  TEXT NOT NULL,
    PRIMARY KEY (user_id, action)
);

CREATE TABLE user_foreign_departments (
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    department_id BIGINT NOT NULL REFERENCES departments (id),
    PRIMARY KEY (user_id, department_id)
);

CREATE TABLE clients (
    id        BIGSERIAL PRIMARY KEY,
    client_id TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    type      TEXT NOT NULL
);

CREATE TABLE customer_grants (
    granted_on_id BIGINT NOT NULL REFERENCES customers (id),
    grantee_id    BIGINT NOT NULL REFERENCES customers (id),
    created_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (granted_on_id, grantee_id),
    CHECK (granted_on_id <> grantee_id)
);

-- The primary key serves lookups by granted-on customer; this one serves lookups by grantee.
CREATE INDEX customer_grants_grantee ON customer_grants (grantee_id);
