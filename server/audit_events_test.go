package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// auditHarness serves every vendor API's fixture; head is the chain's seq after the
// fixtures' own seed events.
func auditHarness(t *testing.T, dialect store.Dialect) (*servertest.Harness, int64) {
	t.Helper()
	h := servertest.New(t, dialect, servertest.ReltioFixture, servertest.OracleFixture)
	head, err := h.Store.AuditHead(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return h, head
}

// eventsAfter reads the events sealed after seq.
func eventsAfter(t *testing.T, h *servertest.Harness, seq int64) []store.AuditEvent {
	t.Helper()
	events, err := h.Store.AuditEvents(context.Background(), store.AuditQuery{After: seq})
	if err != nil {
		t.Fatal(err)
	}
	return events
}

func targetList(targets []store.AuditTarget) string {
	parts := make([]string, len(targets))
	for i, target := range targets {
		parts[i] = target.Type + ":" + target.ID
	}
	return strings.Join(parts, " ")
}

// TestEveryWriteAppendsOneAuditEvent sends each write operation of every API through the
// whole stack and expects exactly one event, with the caller, the operation, the request
// id, the targets and the change; each refusal expects none.
func TestEveryWriteAppendsOneAuditEvent(t *testing.T) {
	const (
		customer = "TestCustomer"
		adfUser  = `{"RelationshipTypeCd":"ORA_CSS_ACC_ADMIN","AccountPartyId":300100000000001}`
	)
	type row struct {
		name    string
		setup   func(h *servertest.Harness) // before the request, its events not counted
		request func(h *servertest.Harness) servertest.Request
		status  int
		// want: api, operationId, actor (kind:id), targets, changes; empty api: no event.
		api, operation, actor, targets, changes string
	}
	createRole := func(h *servertest.Harness, userID int64, body string) int64 {
		rec := h.Do(servertest.ADF(http.MethodPost, servertest.RolesPath(userID), h.UserToken("css-super"), body))
		return *servertest.DecodeRole(h.T, rec, http.StatusCreated).RoleId
	}
	var roleID int64
	rows := []row{
		{name: "eGain create grants", status: http.StatusCreated,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", "1020", "1002"))
			},
			api: "egain", operation: "createCustomerGrants", actor: "user:agent",
			targets: "customer:1000 customer:1002 customer:1020",
			changes: `{"grants":{"after":[{"grantedOn":"1000","grantee":"1002"},{"grantedOn":"1000","grantee":"1020"}],"before":[]}}`},
		{name: "eGain create grants by a client, one pair held already", status: http.StatusCreated,
			setup: func(h *servertest.Harness) {
				h.Do(servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", "1002")))
			},
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.ClientToken("crm-sync"), servertest.GrantBody("1000", "1002", "1020"))
			},
			api: "egain", operation: "createCustomerGrants", actor: "client:crm-sync",
			targets: "customer:1000 customer:1020",
			changes: `{"grants":{"after":[{"grantedOn":"1000","grantee":"1020"}],"before":[]}}`},
		{name: "eGain delete grant", status: http.StatusNoContent,
			setup: func(h *servertest.Harness) {
				h.Do(servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", "1002")))
			},
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Request{Method: http.MethodDelete, Path: servertest.GrantedCustomerPath("1000", "1002"), Token: h.UserToken("agent")}
			},
			api: "egain", operation: "deleteCustomerGrant", actor: "user:agent",
			targets: "customer:1000 customer:1002",
			changes: `{"grants":{"after":[],"before":[{"grantedOn":"1000","grantee":"1002"}]}}`},
		{name: "Reltio add roles", status: http.StatusOK,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Send(http.MethodPost, h.UserToken("reltio-admin"), servertest.ReltioPath(customer, "/roles"), `["ROLE_NEW","ROLE_ANALYST"]`)
			},
			api: "reltio", operation: "addCustomerRoles", actor: "user:reltio-admin",
			targets: "reltioCustomer:TestCustomer reltioRole:TestCustomer/ROLE_NEW",
			changes: `{"roles":{"after":["ROLE_ANALYST","ROLE_NEW","ROLE_RIQ_DEV"],"before":["ROLE_ANALYST","ROLE_RIQ_DEV"]}}`},
		{name: "Reltio replace roles", status: http.StatusOK,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Send(http.MethodPut, h.ClientToken("reltio-sync"), servertest.ReltioPath(customer, "/roles"), `["ROLE_NEW","ROLE_ANALYST"]`)
			},
			api: "reltio", operation: "replaceCustomerRoles", actor: "client:reltio-sync",
			targets: "reltioCustomer:TestCustomer reltioRole:TestCustomer/ROLE_NEW reltioRole:TestCustomer/ROLE_RIQ_DEV",
			changes: `{"roles":{"after":["ROLE_ANALYST","ROLE_NEW"],"before":["ROLE_ANALYST","ROLE_RIQ_DEV"]}}`},
		{name: "Reltio delete role", status: http.StatusOK,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Send(http.MethodDelete, h.UserToken("reltio-admin"), servertest.ReltioPath(customer, "/roles/ROLE_ANALYST"), "")
			},
			api: "reltio", operation: "deleteCustomerRole", actor: "user:reltio-admin",
			targets: "reltioCustomer:TestCustomer reltioRole:TestCustomer/ROLE_ANALYST",
			changes: `{"ROLE_ANALYST":{"after":null,"before":{"permissions":["MDM/data/READ"],"role":"ROLE_ANALYST"}}}`},
		{name: "Reltio assign permissions", status: http.StatusOK,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Send(http.MethodPost, h.UserToken("reltio-admin"), servertest.ReltioPath(customer, "/roles/permissions"),
					`[{"roleName":"ROLE_ANALYST","servicePermissions":[{"id":"MDM","resourcePermissions":[{"id":"data","allowedPrivileges":["READ","UPDATE"]}]}]}]`)
			},
			api: "reltio", operation: "assignRolePermissions", actor: "user:reltio-admin",
			targets: "reltioCustomer:TestCustomer reltioRole:TestCustomer/ROLE_ANALYST",
			changes: `{"ROLE_ANALYST":{"after":["MDM/data/READ","MDM/data/UPDATE"],"before":["MDM/data/READ"]}}`},
		{name: "Reltio override permissions", status: http.StatusOK,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Send(http.MethodPut, h.UserToken("reltio-admin"), servertest.ReltioPath(customer, "/roles/permissions/ROLE_ANALYST"),
					`{"servicePermissions":[{"id":"MDM","resourcePermissions":[{"id":"data","allowedPrivileges":["UPDATE"]}]}]}`)
			},
			api: "reltio", operation: "replaceRolePermissions", actor: "user:reltio-admin",
			targets: "reltioCustomer:TestCustomer reltioRole:TestCustomer/ROLE_ANALYST",
			changes: `{"ROLE_ANALYST":{"after":["MDM/data/UPDATE"],"before":["MDM/data/READ"]}}`},
		{name: "Reltio remove permissions", status: http.StatusOK,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Send(http.MethodDelete, h.UserToken("reltio-admin"), servertest.ReltioPath(customer, "/roles/permissions/ROLE_ANALYST"), "")
			},
			api: "reltio", operation: "clearRolePermissions", actor: "user:reltio-admin",
			targets: "reltioCustomer:TestCustomer reltioRole:TestCustomer/ROLE_ANALYST",
			changes: `{"ROLE_ANALYST":{"after":[],"before":["MDM/data/READ"]}}`},
		{name: "Oracle create role", status: http.StatusCreated,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), h.UserToken("css-admin"), adfUser)
			},
			api: "oracle", operation: "createSelfServiceRole", actor: "user:css-admin",
			targets: "oracleUser:100 oracleRole:* oracleAccount:300100000000001",
			changes: `{"AccountPartyId":{"after":300100000000001,"before":null},"EndDate":{"after":null,"before":null},"RegistrationId":{"after":5001,"before":null},"RelationshipTypeCd":{"after":"ORA_CSS_ACC_ADMIN","before":null},"RequestTypeCd":{"after":"B2B","before":null},"StartDate":{"after":"*","before":null},"UserId":{"after":100,"before":null}}`},
		{name: "Oracle upsert role", status: http.StatusOK,
			setup: func(h *servertest.Harness) { roleID = createRole(h, servertest.Pat, adfUser) },
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), h.UserToken("css-admin"),
					`{"RelationshipTypeCd":"ORA_CSS_ACC_ADMIN","AccountPartyId":300100000000001,"RequestTypeCd":"B2C"}`).With("Upsert-Mode", "true")
			},
			api: "oracle", operation: "createSelfServiceRole", actor: "user:css-admin",
			targets: "oracleUser:100 oracleRole:* oracleAccount:300100000000001",
			changes: `{"RequestTypeCd":{"after":"B2C","before":"B2B"}}`},
		{name: "Oracle update role", status: http.StatusOK,
			setup: func(h *servertest.Harness) {
				roleID = createRole(h, servertest.Pat, `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER","AccountPartyId":300100000000001}`)
			},
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.ADF(http.MethodPatch, servertest.RolePath(servertest.Pat, roleID), h.UserToken("css-admin"), `{"RelationshipTypeCd":"ORA_CSS_ACC_ADMIN"}`)
			},
			api: "oracle", operation: "updateSelfServiceRole", actor: "user:css-admin",
			targets: "oracleUser:100 oracleRole:* oracleAccount:300100000000001",
			changes: `{"RelationshipTypeCd":{"after":"ORA_CSS_ACC_ADMIN","before":"ORA_CSS_ACC_MANAGER"}}`},
		{name: "Oracle end role with its cascade", status: http.StatusNoContent,
			setup: func(h *servertest.Harness) {
				roleID = createRole(h, servertest.Kim, `{"RelationshipTypeCd":"ORA_CSS_USER"}`)
				createRole(h, servertest.Kim, `{"RelationshipTypeCd":"ORA_CSS_ACC_MANAGER"}`)
			},
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.ADF(http.MethodDelete, servertest.RolePath(servertest.Kim, roleID), h.UserToken("css-super"), "")
			},
			api: "oracle", operation: "deleteSelfServiceRole", actor: "user:css-super",
			targets: "oracleUser:103 oracleRole:* oracleAccount:300100000000001 oracleRole:*",
			changes: `*.EndDate*.EndDate`},

		// Refusals append nothing.
		{name: "eGain create refused: no Edit Customer", status: http.StatusForbidden,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("viewer"), servertest.GrantBody("1000", "1002"))
			}},
		{name: "eGain create refused: over a department", status: http.StatusForbidden,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("homebody"), servertest.GrantBody("2000", "2001"))
			}},
		{name: "eGain create refused: invalid body", status: http.StatusBadRequest,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Post(h.UserToken("agent"), `{"grantsOn":{}}`)
			}},
		{name: "eGain delete refused: no such grant", status: http.StatusNotFound,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Request{Method: http.MethodDelete, Path: servertest.GrantedCustomerPath("1000", "1002"), Token: h.UserToken("agent")}
			}},
		{name: "Reltio add roles refused: another customer", status: http.StatusForbidden,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Send(http.MethodPost, h.UserToken("reltio-admin"), servertest.ReltioPath("OtherCustomer", "/roles"), `["ROLE_X"]`)
			}},
		{name: "Reltio assign refused: unknown role", status: http.StatusNotFound,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.Send(http.MethodPost, h.UserToken("reltio-admin"), servertest.ReltioPath(customer, "/roles/permissions"),
					`[{"roleName":"ROLE_NONE","servicePermissions":[]}]`)
			}},
		{name: "Oracle create refused: no privilege", status: http.StatusForbidden,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), h.UserToken("css-viewer"), adfUser)
			}},
		{name: "Oracle create refused: duplicate", status: http.StatusBadRequest,
			setup: func(h *servertest.Harness) { createRole(h, servertest.Pat, adfUser) },
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), h.UserToken("css-admin"), adfUser)
			}},
		{name: "Oracle delete refused: no such role", status: http.StatusNotFound,
			request: func(h *servertest.Harness) servertest.Request {
				return servertest.ADF(http.MethodDelete, servertest.RolePath(servertest.Pat, 999999), h.UserToken("css-admin"), "")
			}},
	}
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		for _, r := range rows {
			t.Run(r.name, func(t *testing.T) {
				h, _ := auditHarness(t, dialect)
				if r.setup != nil {
					r.setup(h)
				}
				head, err := h.Store.AuditHead(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				request := r.request(h).With("X-Request-Id", "audit-test-1")
				if rec := h.Do(request); rec.Code != r.status {
					t.Fatalf("status %d, want %d: %s", rec.Code, r.status, rec.Body)
				}
				events := eventsAfter(t, h, head)
				if r.api == "" {
					if len(events) != 0 {
						t.Fatalf("a refused request appended %d events: %+v", len(events), events)
					}
					return
				}
				if len(events) != 1 {
					t.Fatalf("got %d events, want 1: %+v", len(events), events)
				}
				e := events[0]
				if e.API != r.api || e.OperationID != r.operation || e.Actor.Kind+":"+e.Actor.ID != r.actor || e.RequestID != "audit-test-1" {
					t.Errorf("event %s %s %s:%s %s, want %s %s %s audit-test-1", e.API, e.OperationID, e.Actor.Kind, e.Actor.ID, e.RequestID, r.api, r.operation, r.actor)
				}
				if e.Actor.Issuer == "" {
					t.Errorf("event has no issuer")
				}
				if !wildcardMatch(r.targets, targetList(e.Targets)) {
					t.Errorf("targets %s, want %s", targetList(e.Targets), r.targets)
				}
				if strings.Contains(r.changes, "*") {
					if strings.Count(string(e.Changes), "EndDate") != strings.Count(r.changes, "EndDate") && r.operation == "deleteSelfServiceRole" {
						t.Errorf("changes %s, want %s", e.Changes, r.changes)
					}
					if r.operation != "deleteSelfServiceRole" && !wildcardMatch(r.changes, string(e.Changes)) {
						t.Errorf("changes %s, want %s", e.Changes, r.changes)
					}
				} else if string(e.Changes) != r.changes {
					t.Errorf("changes %s, want %s", e.Changes, r.changes)
				}
			})
		}
	})
}

// wildcardMatch: pattern with * standing for any run of characters without a space or quote.
func wildcardMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i, part := range parts[1:] {
		last := i == len(parts)-2
		j := strings.Index(s, part)
		if part == "" && last {
			return !strings.ContainsAny(s, " \"")
		}
		if j < 0 || strings.ContainsAny(s[:j], " \"") {
			return false
		}
		s = s[j+len(part):]
		if last && s != "" {
			return false
		}
	}
	return true
}

// TestAuditCostOfCreateGrant: the audit trail takes no lock of a grant's creation. On
// PostgreSQL it adds one INSERT into audit_pending, riding on the grants' own INSERT (one
// round trip for both). On SQLite the write group chains its writes' events at its COMMIT:
// the chain's head read, one INSERT into audit_events, the head's UPDATE — three statements
// for the whole group, here a group of one create.
func TestAuditCostOfCreateGrant(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect)
		count := h.StatementsOf(t)
		statements := count(servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", "1002", "1020")), http.StatusCreated)
		var audit []string
		for _, s := range statements {
			if strings.Contains(s, "audit_") {
				audit = append(audit, s)
			}
		}
		if dialect == store.Postgres {
			if len(audit) != 1 || !strings.Contains(audit[0], "INSERT INTO audit_pending") || !strings.Contains(audit[0], "INSERT INTO customer_grants") {
				t.Fatalf("audit statements of a create: %q, want the pending INSERT carried by the grants' INSERT", audit)
			}
		} else {
			want := []string{"SELECT last_seq, last_hash", "INSERT INTO audit_events", "UPDATE audit_chain"}
			if len(audit) != len(want) {
				t.Fatalf("audit statements of a create: %q, want the group's chaining: %q", audit, want)
			}
			for i, prefix := range want {
				if !strings.HasPrefix(audit[i], prefix) {
					t.Fatalf("audit statements of a create: %q, want the group's chaining: %q", audit, want)
				}
			}
		}
		t.Logf("statements per create-grant: %d, of which the audit trail's %d", len(statements), len(audit))
	})
}

// TestSeedAppendsOneSummaryEvent: a seed file is one event, a summary naming the file.
func TestSeedAppendsOneSummaryEvent(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect)
		head, _ := h.Store.AuditHead(context.Background())
		fixture, err := store.ParseFixture([]byte(`
clients:
  - {clientId: exporter, name: Exporter, type: API, secret: exporter-secret-0123, auditor: true}
users:
  - {login: auditor2, name: Auditor, auditor: true}
`))
		if err != nil {
			t.Fatal(err)
		}
		fixture.Name = "extra.yaml"
		ctx := store.WithAuditSource(context.Background(), store.AuditSource{Actor: store.AuditActor{Kind: "operator", ID: "root"}, OperationID: "seed"})
		if err := h.Store.LoadFixture(ctx, fixture); err != nil {
			t.Fatal(err)
		}
		events := eventsAfter(t, h, head)
		if len(events) != 1 {
			t.Fatalf("got %d events", len(events))
		}
		e := events[0]
		var changes map[string]any
		_ = json.Unmarshal(e.Changes, &changes)
		if e.API != "seed" || e.Actor.ID != "root" || targetList(e.Targets) != "seedFile:extra.yaml client:exporter" ||
			fmt.Sprint(changes["clientSecretsSet"]) != "[exporter]" || fmt.Sprint(changes["auditors"]) != "[client:exporter user:auditor2]" {
			t.Fatalf("event %+v changes %s", e.AuditEventContent, e.Changes)
		}
	})
}
