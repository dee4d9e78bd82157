-- Authorization of the Reltio API by held privileges: a principal may do what the
-- privileges of its roles allow. System roles' privileges are catalogue data; here is where
-- each applies. reach: 'everywhere' (ROLE_ADMIN) or 'own customer' (the customer of the
-- principal holding it). scopable: holding <name>_<customerId> (ROLE_ADMIN_CUSTOMER_<id>)
-- gives the role's privileges within that customer. Customer-specific roles have neither:
-- they apply within their own customer, to its principals.
ALTER TABLE reltio_roles ADD COLUMN reach TEXT CHECK (reach IN ('everywhere', 'own customer'));
ALTER TABLE reltio_roles ADD COLUMN scopable BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE reltio_roles SET reach = 'own customer' WHERE customer_id IS NULL;
UPDATE reltio_roles SET reach = 'everywhere' WHERE customer_id IS NULL AND name = 'ROLE_ADMIN';
UPDATE reltio_roles SET scopable = TRUE WHERE customer_id IS NULL AND name = 'ROLE_ADMIN_CUSTOMER';

-- ROLE_ADMIN_USER manages a customer's users, groups, roles and clients (Reltio's
-- "ROLE_ADMIN_USER Access permissions"); its privileges on services outside this catalogue
-- (console.uimodeler, MDM.config.physical, recommender.*) are left out.
INSERT INTO reltio_roles (customer_id, name, reach) VALUES (NULL, 'ROLE_ADMIN_USER', 'own customer');

INSERT INTO reltio_role_permissions (role_id, service_id, resource_id, privilege)
SELECT id, p.service_id, p.resource_id, p.privilege FROM reltio_roles, (
    SELECT 'Auth' AS service_id, 'customer.clients' AS resource_id, 'CREATE' AS privilege
    UNION ALL SELECT 'Auth', 'customer.clients', 'READ'
    UNION ALL SELECT 'Auth', 'customer.clients', 'UPDATE'
    UNION ALL SELECT 'Auth', 'customer.clients', 'DELETE'
    UNION ALL SELECT 'Auth', 'customer.groups', 'CREATE'
    UNION ALL SELECT 'Auth', 'customer.groups', 'READ'
    UNION ALL SELECT 'Auth', 'customer.groups', 'UPDATE'
    UNION ALL SELECT 'Auth', 'customer.groups', 'DELETE'
    UNION ALL SELECT 'Auth', 'customer.roles', 'CREATE'
    UNION ALL SELECT 'Auth', 'customer.roles', 'READ'
    UNION ALL SELECT 'Auth', 'customer.roles', 'UPDATE'
    UNION ALL SELECT 'Auth', 'customer.roles', 'DELETE'
    UNION ALL SELECT 'Auth', 'customer.user', 'CREATE'
    UNION ALL SELECT 'Auth', 'customer.user', 'READ'
    UNION ALL SELECT 'Auth', 'customer.user', 'UPDATE'
    UNION ALL SELECT 'Auth', 'customer.user', 'DELETE'
    UNION ALL SELECT 'Auth', 'monitoring', 'READ'
    UNION ALL SELECT 'Auth', 'globalRoles', 'READ'
    UNION ALL SELECT 'Auth', 'reltioServices', 'READ'
) AS p
WHERE reltio_roles.customer_id IS NULL AND reltio_roles.name = 'ROLE_ADMIN_USER';

-- ROLE_ADMIN_CUSTOMER is "full admin-level access for all customer tenants and all user
-- management operations" and holds ROLE_ADMIN_TENANT on each of the customer's tenants
-- (Reltio's "ROLE_ADMIN_CUSTOMER Access permissions"): besides what 0002 gave it, it holds
-- every privilege of Auth's customer resources, the audit log and monitoring, and every
-- privilege of the other services in this catalogue — and so may assign them (a caller may
-- assign only privileges it holds).
INSERT INTO reltio_role_permissions (role_id, service_id, resource_id, privilege)
SELECT r.id, p.service_id, p.resource_id, p.privilege
FROM reltio_roles AS r, reltio_resource_privileges AS p
WHERE r.customer_id IS NULL AND r.name = 'ROLE_ADMIN_CUSTOMER'
  AND (p.service_id IN ('MDM', 'config', 'console', 'riq')
       OR (p.service_id = 'Auth' AND (p.resource_id IN ('customer', 'monitoring', 'audit.export') OR p.resource_id LIKE 'customer.%')))
  AND NOT EXISTS (SELECT 1 FROM reltio_role_permissions AS held
                  WHERE held.role_id = r.id AND held.service_id = p.service_id
                    AND held.resource_id = p.resource_id AND held.privilege = p.privilege)
ORDER BY p.service_id, p.resource_id, p.privilege;
