-- Reltio customer-specific roles and their permissions, and the catalog they draw on.
-- The catalog (services, resources, the privileges each resource allows, system roles) is
-- data: this migration seeds Reltio's published Auth catalog and a representative set for
-- other services (their resource lists are not published in full); seed files extend it.
CREATE TABLE reltio_services (
    id TEXT PRIMARY KEY
);

CREATE TABLE reltio_resources (
    service_id TEXT NOT NULL REFERENCES reltio_services (id),
    id         TEXT NOT NULL,
    PRIMARY KEY (service_id, id)
);

CREATE TABLE reltio_resource_privileges (
    service_id  TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    privilege   TEXT NOT NULL CHECK (privilege IN ('CREATE', 'READ', 'UPDATE', 'DELETE', 'EXECUTE')),
    PRIMARY KEY (service_id, resource_id, privilege),
    FOREIGN KEY (service_id, resource_id) REFERENCES reltio_resources (service_id, id)
);

CREATE TABLE reltio_customers (
    id TEXT PRIMARY KEY
);

-- A role with no customer is a system role of the catalog.
CREATE TABLE reltio_roles (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id TEXT REFERENCES reltio_customers (id),
    name        TEXT NOT NULL
);
CREATE UNIQUE INDEX reltio_roles_customer_name ON reltio_roles (customer_id, name) WHERE customer_id IS NOT NULL;
CREATE UNIQUE INDEX reltio_roles_system_name ON reltio_roles (name) WHERE customer_id IS NULL;

-- The id orders a role's permissions by first assignment.
CREATE TABLE reltio_role_permissions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    role_id     INTEGER NOT NULL REFERENCES reltio_roles (id) ON DELETE CASCADE,
    service_id  TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    privilege   TEXT NOT NULL,
    UNIQUE (role_id, service_id, resource_id, privilege),
    FOREIGN KEY (service_id, resource_id, privilege) REFERENCES reltio_resource_privileges (service_id, resource_id, privilege)
);

-- Principals' Reltio identity: the customer they belong to and their Reltio roles
-- (ROLE_ADMIN, ROLE_ADMIN_CUSTOMER, ROLE_ADMIN_CUSTOMER_<customerId>, ...).
ALTER TABLE users ADD COLUMN reltio_customer TEXT REFERENCES reltio_customers (id);
ALTER TABLE clients ADD COLUMN reltio_customer TEXT REFERENCES reltio_customers (id);

CREATE TABLE user_reltio_roles (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    TEXT NOT NULL,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE client_reltio_roles (
    client_id INTEGER NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    role      TEXT NOT NULL,
    PRIMARY KEY (client_id, role)
);

INSERT INTO reltio_services (id) VALUES
    ('Auth'),
    ('MDM'),
    ('config'),
    ('console'),
    ('riq');

INSERT INTO reltio_resources (service_id, id) VALUES
    ('Auth', 'globalRoles'),
    ('Auth', 'globalRoles.userRoles'),
    ('Auth', 'globalRoles.permissions'),
    ('Auth', 'globalRoles.clientRoles'),
    ('Auth', 'reltioServices'),
    ('Auth', 'monitoring'),
    ('Auth', 'customer'),
    ('Auth', 'customer.shield'),
    ('Auth', 'customer.roles'),
    ('Auth', 'customer.groups'),
    ('Auth', 'customer.user'),
    ('Auth', 'customer.user.tenants'),
    ('Auth', 'customer.user.profile'),
    ('Auth', 'customer.user.roles'),
    ('Auth', 'customer.SSO'),
    ('Auth', 'customer.clients'),
    ('Auth', 'customer.user.groups'),
    ('Auth', 'audit.export'),
    ('MDM', 'data'),
    ('MDM', 'data.merge'),
    ('MDM', 'metadata'),
    ('config', 'tenant'),
    ('config', 'businessModel'),
    ('console', 'dashboard'),
    ('console', 'workflow'),
    ('riq', 'artifacts');

INSERT INTO reltio_resource_privileges (service_id, resource_id, privilege) VALUES
    ('Auth', 'globalRoles', 'READ'),
    ('Auth', 'globalRoles.userRoles', 'READ'),
    ('Auth', 'globalRoles.permissions', 'READ'),
    ('Auth', 'globalRoles.clientRoles', 'READ'),
    ('Auth', 'reltioServices', 'READ'),
    ('Auth', 'monitoring', 'READ'),
    ('Auth', 'customer', 'CREATE'),
    ('Auth', 'customer', 'READ'),
    ('Auth', 'customer', 'UPDATE'),
    ('Auth', 'customer', 'DELETE'),
    ('Auth', 'customer.shield', 'CREATE'),
    ('Auth', 'customer.shield', 'READ'),
    ('Auth', 'customer.shield', 'UPDATE'),
    ('Auth', 'customer.shield', 'DELETE'),
    ('Auth', 'customer.roles', 'CREATE'),
    ('Auth', 'customer.roles', 'READ'),
    ('Auth', 'customer.roles', 'UPDATE'),
    ('Auth', 'customer.roles', 'DELETE'),
    ('Auth', 'customer.groups', 'CREATE'),
    ('Auth', 'customer.groups', 'READ'),
    ('Auth', 'customer.groups', 'UPDATE'),
    ('Auth', 'customer.groups', 'DELETE'),
    ('Auth', 'customer.user', 'CREATE'),
    ('Auth', 'customer.user', 'READ'),
    ('Auth', 'customer.user', 'UPDATE'),
    ('Auth', 'customer.user', 'DELETE'),
    ('Auth', 'customer.user.tenants', 'CREATE'),
    ('Auth', 'customer.user.tenants', 'READ'),
    ('Auth', 'customer.user.tenants', 'UPDATE'),
    ('Auth', 'customer.user.tenants', 'DELETE'),
    ('Auth', 'customer.user.profile', 'CREATE'),
    ('Auth', 'customer.user.profile', 'READ'),
    ('Auth', 'customer.user.profile', 'UPDATE'),
    ('Auth', 'customer.user.profile', 'DELETE'),
    ('Auth', 'customer.user.roles', 'CREATE'),
    ('Auth', 'customer.user.roles', 'READ'),
    ('Auth', 'customer.user.roles', 'UPDATE'),
    ('Auth', 'customer.user.roles', 'DELETE'),
    ('Auth', 'customer.SSO', 'CREATE'),
    ('Auth', 'customer.SSO', 'READ'),
    ('Auth', 'customer.SSO', 'UPDATE'),
    ('Auth', 'customer.SSO', 'DELETE'),
    ('Auth', 'customer.clients', 'CREATE'),
    ('Auth', 'customer.clients', 'READ'),
    ('Auth', 'customer.clients', 'UPDATE'),
    ('Auth', 'customer.clients', 'DELETE'),
    ('Auth', 'customer.user.groups', 'READ'),
    ('Auth', 'customer.user.groups', 'UPDATE'),
    ('Auth', 'audit.export', 'READ'),
    ('Auth', 'audit.export', 'EXECUTE'),
    ('MDM', 'data', 'CREATE'),
    ('MDM', 'data', 'READ'),
    ('MDM', 'data', 'UPDATE'),
    ('MDM', 'data', 'DELETE'),
    ('MDM', 'data.merge', 'READ'),
    ('MDM', 'data.merge', 'EXECUTE'),
    ('MDM', 'metadata', 'READ'),
    ('MDM', 'metadata', 'UPDATE'),
    ('config', 'tenant', 'READ'),
    ('config', 'tenant', 'UPDATE'),
    ('config', 'businessModel', 'CREATE'),
    ('config', 'businessModel', 'READ'),
    ('config', 'businessModel', 'UPDATE'),
    ('config', 'businessModel', 'DELETE'),
    ('console', 'dashboard', 'READ'),
    ('console', 'workflow', 'READ'),
    ('console', 'workflow', 'EXECUTE'),
    ('riq', 'artifacts', 'READ'),
    ('riq', 'artifacts', 'EXECUTE'),
    ('riq', 'artifacts', 'DELETE'),
    ('riq', 'artifacts', 'CREATE'),
    ('riq', 'artifacts', 'UPDATE');

INSERT INTO reltio_roles (customer_id, name) VALUES
    (NULL, 'ROLE_ADMIN'),
    (NULL, 'ROLE_ADMIN_CUSTOMER'),
    (NULL, 'ROLE_USER');

INSERT INTO reltio_role_permissions (role_id, service_id, resource_id, privilege)
SELECT id, p.service_id, p.resource_id, p.privilege FROM reltio_roles, (
    SELECT 'Auth' AS service_id, 'globalRoles' AS resource_id, 'READ' AS privilege
    UNION ALL SELECT 'Auth', 'globalRoles.userRoles', 'READ'
    UNION ALL SELECT 'Auth', 'globalRoles.permissions', 'READ'
    UNION ALL SELECT 'Auth', 'globalRoles.clientRoles', 'READ'
    UNION ALL SELECT 'Auth', 'reltioServices', 'READ'
    UNION ALL SELECT 'Auth', 'monitoring', 'READ'
    UNION ALL SELECT 'Auth', 'customer', 'CREATE'
    UNION ALL SELECT 'Auth', 'customer', 'READ'
    UNION ALL SELECT 'Auth', 'customer', 'UPDATE'
    UNION ALL SELECT 'Auth', 'customer', 'DELETE'
    UNION ALL SELECT 'Auth', 'customer.shield', 'CREATE'
    UNION ALL SELECT 'Auth', 'customer.shield', 'READ'
    UNION ALL SELECT 'Auth', 'customer.shield', 'UPDATE'
    UNION ALL SELECT 'Auth', 'customer.shield', 'DELETE'
    UNION ALL SELECT 'Auth', 'customer.roles', 'CREATE'
    UNION ALL SELECT 'Auth', 'customer.roles', 'READ'
    UNION ALL SELECT 'Auth', 'customer.roles', 'UPDATE'
    UNION ALL SELECT 'Auth', 'customer.roles', 'DELETE'
    UNION ALL SELECT 'Auth', 'customer.groups', 'CREATE'
    UNION ALL SELECT 'Auth', 'customer.groups', 'READ'
    UNION ALL SELECT 'Auth', 'customer.groups', 'UPDATE'
    UNION ALL SELECT 'Auth', 'customer.groups', 'DELETE'
    UNION ALL SELECT 'Auth', 'customer.user', 'CREATE'
    UNION ALL SELECT 'Auth', 'customer.user', 'READ'
    UNION ALL SELECT 'Auth', 'customer.user', 'UPDATE'
    UNION ALL SELECT 'Auth', 'customer.user', 'DELETE'
    UNION ALL SELECT 'Auth', 'customer.user.tenants', 'CREATE'
    UNION ALL SELECT 'Auth', 'customer.user.tenants', 'READ'
    UNION ALL SELECT 'Auth', 'customer.user.tenants', 'UPDATE'
    UNION ALL SELECT 'Auth', 'customer.user.tenants', 'DELETE'
    UNION ALL SELECT 'Auth', 'customer.user.profile', 'CREATE'
    UNION ALL SELECT 'Auth', 'customer.user.profile', 'READ'
    UNION ALL SELECT 'Auth', 'customer.user.profile', 'UPDATE'
    UNION ALL SELECT 'Auth', 'customer.user.profile', 'DELETE'
    UNION ALL SELECT 'Auth', 'customer.user.roles', 'CREATE'
    UNION ALL SELECT 'Auth', 'customer.user.roles', 'READ'
    UNION ALL SELECT 'Auth', 'customer.user.roles', 'UPDATE'
    UNION ALL SELECT 'Auth', 'customer.user.roles', 'DELETE'
    UNION ALL SELECT 'Auth', 'customer.SSO', 'CREATE'
    UNION ALL SELECT 'Auth', 'customer.SSO', 'READ'
    UNION ALL SELECT 'Auth', 'customer.SSO', 'UPDATE'
    UNION ALL SELECT 'Auth', 'customer.SSO', 'DELETE'
    UNION ALL SELECT 'Auth', 'customer.clients', 'CREATE'
    UNION ALL SELECT 'Auth', 'customer.clients', 'READ'
    UNION ALL SELECT 'Auth', 'customer.clients', 'UPDATE'
    UNION ALL SELECT 'Auth', 'customer.clients', 'DELETE'
    UNION ALL SELECT 'Auth', 'customer.user.groups', 'READ'
    UNION ALL SELECT 'Auth', 'customer.user.groups', 'UPDATE'
    UNION ALL SELECT 'Auth', 'audit.export', 'READ'
    UNION ALL SELECT 'Auth', 'audit.export', 'EXECUTE'
) AS p
WHERE reltio_roles.customer_id IS NULL AND reltio_roles.name = 'ROLE_ADMIN';

INSERT INTO reltio_role_permissions (role_id, service_id, resource_id, privilege)
SELECT id, p.service_id, p.resource_id, p.privilege FROM reltio_roles, (
    SELECT 'Auth' AS service_id, 'customer' AS resource_id, 'CREATE' AS privilege
    UNION ALL SELECT 'Auth', 'customer', 'READ'
    UNION ALL SELECT 'Auth', 'customer', 'UPDATE'
    UNION ALL SELECT 'Auth', 'customer', 'DELETE'
    UNION ALL SELECT 'Auth', 'customer.roles', 'CREATE'
    UNION ALL SELECT 'Auth', 'customer.roles', 'READ'
    UNION ALL SELECT 'Auth', 'customer.roles', 'UPDATE'
    UNION ALL SELECT 'Auth', 'customer.roles', 'DELETE'
    UNION ALL SELECT 'Auth', 'customer.groups', 'CREATE'
    UNION ALL SELECT 'Auth', 'customer.groups', 'READ'
    UNION ALL SELECT 'Auth', 'customer.groups', 'UPDATE'
    UNION ALL SELECT 'Auth', 'customer.groups', 'DELETE'
    UNION ALL SELECT 'Auth', 'customer.user', 'CREATE'
    UNION ALL SELECT 'Auth', 'customer.user', 'READ'
    UNION ALL SELECT 'Auth', 'customer.user', 'UPDATE'
    UNION ALL SELECT 'Auth', 'customer.user', 'DELETE'
    UNION ALL SELECT 'Auth', 'customer.user.roles', 'CREATE'
    UNION ALL SELECT 'Auth', 'customer.user.roles', 'READ'
    UNION ALL SELECT 'Auth', 'customer.user.roles', 'UPDATE'
    UNION ALL SELECT 'Auth', 'customer.user.roles', 'DELETE'
    UNION ALL SELECT 'Auth', 'customer.clients', 'CREATE'
    UNION ALL SELECT 'Auth', 'customer.clients', 'READ'
    UNION ALL SELECT 'Auth', 'customer.clients', 'UPDATE'
    UNION ALL SELECT 'Auth', 'customer.clients', 'DELETE'
    UNION ALL SELECT 'Auth', 'globalRoles', 'READ'
    UNION ALL SELECT 'Auth', 'reltioServices', 'READ'
) AS p
WHERE reltio_roles.customer_id IS NULL AND reltio_roles.name = 'ROLE_ADMIN_CUSTOMER';

INSERT INTO reltio_role_permissions (role_id, service_id, resource_id, privilege)
SELECT id, p.service_id, p.resource_id, p.privilege FROM reltio_roles, (
    SELECT 'MDM' AS service_id, 'data' AS resource_id, 'READ' AS privilege
    UNION ALL SELECT 'MDM', 'metadata', 'READ'
    UNION ALL SELECT 'console', 'dashboard', 'READ'
) AS p
WHERE reltio_roles.customer_id IS NULL AND reltio_roles.name = 'ROLE_USER';
