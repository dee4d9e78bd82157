-- Oracle Fusion self-service roles: users' Oracle privileges, lookups, accounts, contacts,
-- self-service users, their registrations, and their roles.
CREATE TABLE oracle_user_privileges (
    user_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    privilege TEXT NOT NULL,
    PRIMARY KEY (user_id, privilege)
);

CREATE TABLE oracle_lookups (
    lookup_type TEXT NOT NULL,
    code        TEXT NOT NULL,
    meaning     TEXT NOT NULL,
    enabled     BOOLEAN NOT NULL,
    PRIMARY KEY (lookup_type, code)
);

CREATE TABLE oracle_accounts (
    party_id     INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    party_number TEXT NOT NULL
);

CREATE TABLE oracle_contacts (
    party_id     INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    party_number TEXT NOT NULL,
    email        TEXT
);

CREATE TABLE oracle_contact_accounts (
    contact_party_id INTEGER NOT NULL REFERENCES oracle_contacts (party_id),
    account_party_id INTEGER NOT NULL REFERENCES oracle_accounts (party_id),
    PRIMARY KEY (contact_party_id, account_party_id)
);

CREATE TABLE oracle_self_service_users (
    user_id          INTEGER PRIMARY KEY,
    login_id         TEXT NOT NULL,
    contact_party_id INTEGER NOT NULL REFERENCES oracle_contacts (party_id)
);

CREATE TABLE oracle_registrations (
    registration_id  INTEGER PRIMARY KEY,
    user_id          INTEGER NOT NULL REFERENCES oracle_self_service_users (user_id),
    account_party_id INTEGER NOT NULL REFERENCES oracle_accounts (party_id),
    request_type_cd  TEXT NOT NULL
);

CREATE INDEX oracle_registrations_user_account ON oracle_registrations (user_id, account_party_id);

CREATE TABLE oracle_self_service_roles (
    role_id              INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id              INTEGER NOT NULL REFERENCES oracle_self_service_users (user_id),
    account_party_id     INTEGER NOT NULL REFERENCES oracle_accounts (party_id),
    relationship_type_cd TEXT NOT NULL,
    request_type_cd      TEXT,
    registration_id      INTEGER REFERENCES oracle_registrations (registration_id),
    start_date           DATETIME NOT NULL,
    end_date             DATETIME,
    created_by           TEXT NOT NULL,
    creation_date        DATETIME NOT NULL,
    last_updated_by      TEXT NOT NULL,
    last_update_date     DATETIME NOT NULL,
    last_update_login    TEXT NOT NULL
);

-- At most one active role per user, account and relationship type, whatever the concurrency.
CREATE UNIQUE INDEX oracle_self_service_roles_one_active
    ON oracle_self_service_roles (user_id, account_party_id, relationship_type_cd) WHERE end_date IS NULL;
-- Counts an account's active administrators.
CREATE INDEX oracle_self_service_roles_active_by_account
    ON oracle_self_service_roles (account_party_id, relationship_type_cd) WHERE end_date IS NULL;
-- Serves a user's roles in RoleId order.
CREATE INDEX oracle_self_service_roles_user ON oracle_self_service_roles (user_id, role_id);
