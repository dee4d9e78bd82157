// Every operation of the served APIs through the SDK, against the real binary, with the
// error responses decoded into the vendors' error types.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createCustaccessClient, type AdfError, type AuditEvent, type Problem, type ReltioError, type WSError } from "../src/index.js";
import { startService, type Service } from "./service.js";

let service: Service;

before(async () => {
  service = await startService();
});

after(async () => {
  await service?.stop();
});

describe("eGain customer grants", () => {
  it("creates, lists and removes grants, and reports errors as WSError", async () => {
    const alice = createCustaccessClient({ baseUrl: service.baseUrl, token: service.token("--user", "alice") });

    const created = await alice.POST("/core/customermgr/v3/customer/grant", {
      body: { grantsOn: { customer: [{ id: "1000" }] }, grantsTo: { customer: [{ id: "1002" }, { id: "1020" }] } },
    });
    assert.equal(created.response.status, 201);
    assert.equal(created.response.headers.get("Location"), "/core/customermgr/v3/customer/1000/grants");

    const listed = await alice.GET("/core/customermgr/v3/customer/{id}/grants", { params: { path: { id: "1000" } } });
    assert.equal(listed.response.status, 200);
    assert.deepEqual(listed.data?.grantsTo?.customer.map((c) => c.customerName), ["John Doe", "Mary Major"]);

    const deleted = await alice.DELETE("/core/customermgr/v3/customer/{id}/grantedcustomer/{grantedcustomerid}", {
      params: { path: { id: "1000", grantedcustomerid: "1002" } },
    });
    assert.equal(deleted.response.status, 204);

    const again = await alice.DELETE("/core/customermgr/v3/customer/{id}/grantedcustomer/{grantedcustomerid}", {
      params: { path: { id: "1000", grantedcustomerid: "1002" } },
    });
    const notFound: WSError | undefined = again.error;
    assert.equal(again.response.status, 404);
    assert.equal(notFound?.code, "404-102");

    const refused = await alice.POST("/core/customermgr/v3/customer/grant", {
      body: { grantsOn: { customer: [{ id: "1000" }] }, grantsTo: { customer: [{ id: "1500" }] } },
    });
    assert.equal(refused.response.status, 400);
    assert.equal(refused.error?.code, "400-303");

    const anonymous = createCustaccessClient({ baseUrl: service.baseUrl });
    const unauthorized = await anonymous.GET("/core/customermgr/v3/customer/{id}/grants", { params: { path: { id: "1000" } } });
    assert.equal(unauthorized.response.status, 401);
    assert.equal(unauthorized.error?.code, "401-104");
  });
});

describe("eGain customers", () => {
  it("reads a customer, and a signed-in customer reads only its own grants", async () => {
    const alice = createCustaccessClient({ baseUrl: service.baseUrl, token: service.token("--user", "alice") });
    const customer = await alice.GET("/core/customermgr/v3/customer/{id}", { params: { path: { id: "1000" } } });
    assert.equal(customer.response.status, 200);
    assert.deepEqual(customer.data, {
      id: "1000",
      customerName: "Jane Roe",
      type: "individual",
      department: { id: "10", name: "Retail" },
      link: [{ rel: "self", href: "/core/customermgr/v3/customer/1000" }],
    });
    const unknown = await alice.GET("/core/customermgr/v3/customer/{id}", { params: { path: { id: "9999" } } });
    assert.equal(unknown.response.status, 403);
    assert.equal(unknown.error?.code, "403-197");

    const created = await alice.POST("/core/customermgr/v3/customer/grant", {
      body: { grantsOn: { customer: [{ id: "1000" }] }, grantsTo: { customer: [{ id: "1002" }] } },
    });
    assert.equal(created.response.status, 201);

    // Demo customer 1002 may sign in (canSignIn: true).
    const john = createCustaccessClient({ baseUrl: service.baseUrl, token: service.token("--customer", "1002") });
    const own = await john.GET("/core/customermgr/v3/customer/grants");
    assert.equal(own.response.status, 200);
    assert.deepEqual(own.data?.grantsOn?.customer.map((c) => c.id), ["1000"]);
    assert.equal(own.data?.grantsOn?.customer[0]?.link[0]?.href, "/core/customermgr/v3/customer/1000");

    const other = await john.GET("/core/customermgr/v3/customer/{id}/grants", { params: { path: { id: "1002" } } });
    const refused: WSError | undefined = other.error;
    assert.equal(other.response.status, 403);
    assert.equal(refused?.code, "403-105");

    const removed = await alice.DELETE("/core/customermgr/v3/customer/{id}/grantedcustomer/{grantedcustomerid}", {
      params: { path: { id: "1000", grantedcustomerid: "1002" } },
    });
    assert.equal(removed.response.status, 204);
    const none = await john.GET("/core/customermgr/v3/customer/grants");
    assert.equal(none.response.status, 204);
  });
});

describe("Reltio customer roles", () => {
  it("manages roles and permissions, and reports errors as Reltio errors", async () => {
    const admin = createCustaccessClient({ baseUrl: service.baseUrl, token: service.token("--user", "reltio-admin") });
    const customer = { customerId: "TestCustomer" };

    const added = await admin.POST("/oauth/customers/{customerId}/roles", {
      params: { path: customer },
      body: ["CUST01_DS", "CUST01_PM"],
    });
    assert.deepEqual(added.data, ["CUST01_DS", "CUST01_PM"]);

    const assigned = await admin.POST("/oauth/customers/{customerId}/roles/permissions", {
      params: { path: customer },
      body: [
        {
          roleName: "ROLE_RIQ_DEV",
          servicePermissions: [
            {
              id: "Auth",
              resourcePermissions: [
                { id: "globalRoles", allowedPrivileges: ["READ"] },
                { id: "customer", allowedPrivileges: ["READ", "DELETE", "CREATE", "UPDATE"] },
              ],
            },
          ],
        },
      ],
    });
    assert.equal(assigned.response.status, 200);
    assert.deepEqual(assigned.data?.[0]?.servicePermissions[0]?.resourcePermissions[1]?.allowedPrivileges, [
      "READ",
      "DELETE",
      "CREATE",
      "UPDATE",
    ]);

    const replaced = await admin.PUT("/oauth/customers/{customerId}/roles/permissions/{roleName}", {
      params: { path: { ...customer, roleName: "CUST01_PM" } },
      body: {
        roleName: "CUST01_PM",
        roleScope: "customer",
        servicePermissions: [{ id: "riq", resourcePermissions: [{ id: "artifacts", allowedPrivileges: ["EXECUTE"] }] }],
      },
    });
    assert.equal(replaced.data?.roleName, "CUST01_PM");
    assert.equal(replaced.data?.roleScope, "customer");

    const listed = await admin.GET("/oauth/customers/{customerId}/roles/permissions", { params: { path: customer } });
    assert.ok(listed.data?.some((r) => r.roleName === "ROLE_USER"));

    const kept = await admin.PUT("/oauth/customers/{customerId}/roles", {
      params: { path: customer },
      body: ["CUST01_DS", "ROLE_RIQ_DEV"],
    });
    assert.equal(kept.response.status, 200);
    const names = await admin.GET("/oauth/customers/{customerId}/roles", { params: { path: customer } });
    assert.deepEqual(names.data, ["CUST01_DS", "ROLE_RIQ_DEV"]);

    const missing = await admin.PUT("/oauth/customers/{customerId}/roles/permissions/{roleName}", {
      params: { path: { ...customer, roleName: "CUST01_PM" } },
      body: { servicePermissions: [] },
    });
    const notFound: ReltioError | undefined = missing.error;
    assert.equal(missing.response.status, 404);
    assert.equal(notFound?.errorCode, 40402);

    const outsider = createCustaccessClient({ baseUrl: service.baseUrl, token: service.token("--user", "other-admin") });
    const denied = await outsider.GET("/oauth/customers/{customerId}/roles", { params: { path: customer } });
    assert.equal(denied.response.status, 403);
    assert.equal(denied.error?.errorCode, 40301);

    // One role: read it, remove its permissions, remove it; system roles are read-only.
    const oneRole = "/oauth/customers/{customerId}/roles/permissions/{roleName}" as const;
    const riqDev = { params: { path: { ...customer, roleName: "ROLE_RIQ_DEV" } } };
    const before = await admin.GET(oneRole, riqDev);
    assert.equal(before.data?.roleName, "ROLE_RIQ_DEV");
    assert.ok((before.data?.servicePermissions.length ?? 0) > 0);
    const system = await admin.GET("/oauth/roles/permissions/{roleName}", { params: { path: { roleName: "ROLE_USER" } } });
    assert.equal(system.data?.roleName, "ROLE_USER");
    assert.equal(system.data?.roleScope, undefined);
    const cleared = await admin.DELETE(oneRole, riqDev);
    assert.deepEqual(cleared.data, { status: "success" });
    const after = await admin.GET(oneRole, riqDev);
    assert.deepEqual(after.data, { roleName: "ROLE_RIQ_DEV", roleScope: "customer", servicePermissions: [] });
    const systemRole = await admin.DELETE(oneRole, { params: { path: { ...customer, roleName: "ROLE_USER" } } });
    assert.equal(systemRole.response.status, 400);
    assert.equal(systemRole.error?.errorCode, 40015);
    const removed = await admin.DELETE("/oauth/customers/{customerId}/roles/{roleName}", {
      params: { path: { ...customer, roleName: "CUST01_DS" } },
    });
    assert.deepEqual(removed.data, { status: "success" });
    const left = await admin.GET("/oauth/customers/{customerId}/roles", { params: { path: customer } });
    assert.deepEqual(left.data, ["ROLE_RIQ_DEV"]);
  });
});

describe("Oracle self-service roles", () => {
  it("creates, lists, reads, changes and removes roles, and reports ADF errors", async () => {
    const admin = createCustaccessClient({ baseUrl: service.baseUrl, token: service.token("--user", "css-admin") });
    const roles = "/crmRestApi/resources/11.13.18.05/customerSelfServiceUsers/{UserId}/child/SelfServiceRoles" as const;
    const role = "/crmRestApi/resources/11.13.18.05/customerSelfServiceUsers/{UserId}/child/SelfServiceRoles/{RoleId}" as const;
    const header = { "REST-Framework-Version": 4 };

    const admins = await admin.POST(roles, {
      params: { path: { UserId: 100 }, header },
      body: { RelationshipTypeCd: "ORA_CSS_ACC_ADMIN" },
    });
    assert.equal(admins.response.status, 201);
    const adminRoleId = admins.data?.RoleId;
    assert.ok(adminRoleId);

    const users = await admin.POST(roles, {
      params: { path: { UserId: 100 }, header },
      body: { RelationshipTypeCd: "ORA_CSS_USER" },
    });
    assert.equal(users.response.status, 201);
    const userRoleId = users.data?.RoleId;
    assert.ok(userRoleId);

    const upserted = await admin.POST(roles, {
      params: { path: { UserId: 100 }, header: { ...header, "Upsert-Mode": true } },
      body: { RelationshipTypeCd: "ORA_CSS_USER", RequestTypeCd: "B2C" },
    });
    assert.equal(upserted.response.status, 200);
    assert.equal(upserted.data?.RequestTypeCd, "B2C");

    const page = await admin.GET(roles, { params: { path: { UserId: 100 }, header, query: { totalResults: true } } });
    assert.equal(page.data?.count, 2);
    assert.equal(page.data?.totalResults, 2);

    const one = await admin.GET(role, { params: { path: { UserId: 100, RoleId: adminRoleId }, header } });
    assert.equal(one.data?.RelationshipTypeCd, "ORA_CSS_ACC_ADMIN");

    // ETags: If-None-Match with the current tag is 304; a stale If-Match is 412.
    const etag = one.response.headers.get("ETag");
    assert.ok(etag);
    const unchanged = await admin.GET(role, { params: { path: { UserId: 100, RoleId: adminRoleId }, header: { ...header, "If-None-Match": etag } } });
    assert.equal(unchanged.response.status, 304);
    const stale = await admin.PATCH(role, {
      params: { path: { UserId: 100, RoleId: userRoleId }, header: { ...header, "If-Match": '"0-0"' } },
      body: { RelationshipTypeCd: "ORA_CSS_ACC_MANAGER" },
    });
    assert.equal(stale.response.status, 412);

    const changed = await admin.PATCH(role, {
      params: { path: { UserId: 100, RoleId: userRoleId }, header: { ...header, "If-Match": "*" } },
      body: { RelationshipTypeCd: "ORA_CSS_ACC_MANAGER" },
    });
    assert.equal(changed.data?.RelationshipTypeCd, "ORA_CSS_ACC_MANAGER");

    // The parent resource, read-only, and the describe documents.
    const usersPage = await admin.GET("/crmRestApi/resources/11.13.18.05/customerSelfServiceUsers", {
      params: { header, query: { expand: "SelfServiceRoles" } },
    });
    assert.equal(usersPage.response.status, 200);
    assert.ok(usersPage.data?.items[0]?.SelfServiceRoles);
    const pat = await admin.GET("/crmRestApi/resources/11.13.18.05/customerSelfServiceUsers/{UserId}", { params: { path: { UserId: 100 }, header } });
    assert.equal(pat.data?.UserId, 100);
    // The user row's Who columns: created by the seed, last updated by the PATCH above.
    assert.equal(pat.data?.CreatedBy, "SEED");
    assert.ok(pat.data?.CreationDate);
    assert.equal(pat.data?.LastUpdatedBy, "css-admin");
    assert.equal(pat.data?.LastUpdateDate, changed.data?.LastUpdateDate);
    // The user's ETag: If-None-Match with it answers 304.
    const userTag = pat.response.headers.get("ETag") ?? "";
    const userUnchanged = await admin.GET("/crmRestApi/resources/11.13.18.05/customerSelfServiceUsers/{UserId}", {
      params: { path: { UserId: 100 }, header: { ...header, "If-None-Match": userTag } },
    });
    assert.equal(userUnchanged.response.status, 304);
    const described = await admin.GET("/crmRestApi/resources/11.13.18.05/customerSelfServiceUsers/{UserId}/child/SelfServiceRoles/describe", {
      params: { path: { UserId: 100 }, header },
    });
    assert.ok((described.data?.Resources["SelfServiceRoles"]?.attributes?.length ?? 0) > 0);
    const describedUsers = await admin.GET("/crmRestApi/resources/11.13.18.05/customerSelfServiceUsers/describe", { params: { header } });
    assert.ok(describedUsers.data?.Resources["customerSelfServiceUsers"]?.children?.["SelfServiceRoles"]);
    // The version root's describe, minimal: the top-level resources with titles and links.
    const root = await admin.GET("/crmRestApi/resources/11.13.18.05/describe", { params: { header, query: { metadataMode: "minimal" } } });
    assert.equal(root.data?.Resources["fndStaticLookups"]?.title, "Lookup");
    assert.equal(root.data?.Resources["customerSelfServiceUsers"]?.attributes, undefined);
    const lookupsDescribed = await admin.GET("/crmRestApi/resources/11.13.18.05/fndStaticLookups/describe", { params: { header } });
    assert.equal(lookupsDescribed.data?.Resources["fndStaticLookups"]?.attributes?.length, 4);
    // The list of values of RelationshipTypeCd: describe names it, the lookup resource lists it.
    const relationshipType = described.data?.Resources["SelfServiceRoles"]?.attributes?.find((a) => a.name === "RelationshipTypeCd");
    assert.equal(relationshipType?.lov?.childRef, "RelationshipTypeCdLOV");
    const lookups = await admin.GET("/crmRestApi/resources/11.13.18.05/fndStaticLookups", {
      params: { header, query: { finder: "LookupTypeFinder;LookupType=ORA_SVC_CSS_REQ_TYPE_CD" } },
    });
    assert.equal(lookups.response.status, 200);
    assert.deepEqual(lookups.data?.items.map((l) => l.LookupCode), ["B2B", "B2C"]);

    // A batch: every part through the service, in one transaction.
    const batch = await admin.POST("/crmRestApi/resources/11.13.18.05", {
      params: { header },
      headers: { "Content-Type": "application/vnd.oracle.adf.batch+json" },
      body: { parts: [{ id: "read", path: "/customerSelfServiceUsers/100", operation: "get" }] },
    });
    assert.equal(batch.response.status, 200);
    assert.equal(batch.data?.parts[0]?.payload?.["UserId"], 100);
    // A part's precondition: a stale ifMatch fails the whole batch with 412 naming the part.
    const staleBatch = await admin.POST("/crmRestApi/resources/11.13.18.05", {
      params: { header },
      headers: { "Content-Type": "application/vnd.oracle.adf.batch+json" },
      body: { parts: [{ id: "stale", path: `/customerSelfServiceUsers/100/child/SelfServiceRoles/${userRoleId}`, operation: "delete", ifMatch: '"0-0"' }] },
    });
    assert.equal(staleBatch.response.status, 412);
    assert.ok(JSON.stringify(staleBatch.error).includes("parts[0]"));

    const removed = await admin.DELETE(role, { params: { path: { UserId: 100, RoleId: userRoleId }, header } });
    assert.equal(removed.response.status, 204);

    // The role history, from the audit trail: the removal is its newest entry, at once.
    const history = "/crmRestApi/resources/11.13.18.05/customerSelfServiceUsers/{UserId}/child/SelfServiceRolesHistory" as const;
    const entries = await admin.GET(history, {
      params: { path: { UserId: 100 }, header, query: { orderBy: "HistoryId:desc", totalResults: true } },
    });
    assert.equal(entries.response.status, 200);
    const newest = entries.data?.items[0];
    assert.equal(newest?.ActionCode, "ENDED");
    assert.equal(newest?.RoleId, userRoleId);
    assert.ok((entries.data?.totalResults ?? 0) >= 5);
    assert.ok(newest?.HistoryId);
    const entry = await admin.GET(`${history}/{HistoryId}`, {
      params: { path: { UserId: 100, HistoryId: newest.HistoryId }, header },
    });
    assert.equal(entry.data?.HistoryId, newest.HistoryId);
    assert.ok(entry.data?.EndDate);
    // The history embedded in its user: the collection's first page, oldest first.
    const expanded = await admin.GET("/crmRestApi/resources/11.13.18.05/customerSelfServiceUsers/{UserId}", {
      params: { path: { UserId: 100 }, header, query: { expand: "SelfServiceRoles,SelfServiceRolesHistory" } },
    });
    assert.equal(expanded.response.status, 200);
    assert.ok(expanded.data?.SelfServiceRoles);
    const embedded = expanded.data?.SelfServiceRolesHistory;
    assert.equal(embedded?.count, Math.min(entries.data?.totalResults ?? 0, 25));
    assert.ok(embedded?.hasMore || embedded?.items[embedded.items.length - 1]?.HistoryId === newest.HistoryId);

    const last = await admin.DELETE(role, { params: { path: { UserId: 100, RoleId: adminRoleId }, header } });
    assert.equal(last.response.status, 400);
    // With REST-Framework-Version 4 the error is ADF's JSON body, not the text of versions 1-3.
    assert.ok(typeof last.error === "object" && last.error !== null);
    const refusal: AdfError = last.error;
    assert.equal(refusal.status, "400");
    assert.ok(refusal["o:errorDetails"][0]?.detail);
  });
});

describe("OAuth2 token endpoint", () => {
  it("issues a client-credentials token the APIs accept, and refuses a wrong secret", async () => {
    const anonymous = createCustaccessClient({ baseUrl: service.baseUrl });
    const form = { bodySerializer: (body: Record<string, string | undefined>) => new URLSearchParams(body as Record<string, string>), headers: { "Content-Type": "application/x-www-form-urlencoded" } };
    const issued = await anonymous.POST("/oauth/token", {
      body: { grant_type: "client_credentials", client_id: "crm-sync", client_secret: "crm-sync-demo-secret" },
      ...form,
    });
    assert.equal(issued.response.status, 200);
    const token = issued.data?.access_token;
    assert.ok(token);

    const client = createCustaccessClient({ baseUrl: service.baseUrl, token });
    const grants = await client.GET("/core/customermgr/v3/customer/{id}/grants", { params: { path: { id: "1020" } } });
    assert.ok([200, 204].includes(grants.response.status));

    const refused = await anonymous.POST("/oauth/token", {
      body: { grant_type: "client_credentials", client_id: "crm-sync", client_secret: "wrong-secret-wrong" },
      ...form,
    });
    assert.equal(refused.response.status, 401);
    assert.equal(refused.error?.error, "invalid_client");
  });
});

describe("Audit trail", () => {
  it("lists the writes' events to the auditor, exports them as NDJSON, and refuses others as problem details", async () => {
    // A write of its own, so the test does not depend on the order of the others.
    const alice = createCustaccessClient({ baseUrl: service.baseUrl, token: service.token("--user", "alice") });
    const created = await alice.POST("/core/customermgr/v3/customer/grant", {
      body: { grantsOn: { customer: [{ id: "1020" }] }, grantsTo: { customer: [{ id: "1002" }] } },
    });
    assert.ok([201].includes(created.response.status));

    const auditor = createCustaccessClient({ baseUrl: service.baseUrl, token: service.token("--user", "auditor") });
    const listed = await auditor.GET("/audit/v1/events", { params: { query: { api: "egain", target: "1020" } }, parseAs: "json" });
    assert.equal(listed.response.status, 200);
    // The operation answers JSON or NDJSON (a string); without Accept it is a JSON page.
    const page = listed.data as Exclude<typeof listed.data, string | undefined>;
    const events: AuditEvent[] = page.items;
    assert.ok(events.some((e) => e.operationId === "createCustomerGrants" && e.actor.id === "alice"));
    assert.match(events[0]?.hash ?? "", /^[0-9a-f]{64}$/);

    const exported = await fetch(`${service.baseUrl}/audit/v1/events?api=egain`, {
      headers: { Authorization: `Bearer ${service.token("--user", "auditor")}`, Accept: "application/x-ndjson" },
    });
    assert.equal(exported.status, 200);
    assert.equal(exported.headers.get("Content-Type"), "application/x-ndjson");
    const lines = (await exported.text()).trim().split("\n").map((line) => JSON.parse(line) as AuditEvent);
    assert.ok(lines.length >= events.length);
    assert.ok(lines.every((e, i) => i === 0 || e.seq > (lines[i - 1]?.seq ?? 0)));

    const refused = await alice.GET("/audit/v1/events", {});
    const problem: Problem | undefined = refused.error;
    assert.equal(refused.response.status, 403);
    assert.equal(refused.response.headers.get("Content-Type"), "application/problem+json");
    assert.equal(problem?.status, 403);
  });
});
