package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/custaccess/custaccess/gen/client"
	"github.com/custaccess/custaccess/store/storetest"
)

// binaryDir holds the binary built by buildBinary, removed by TestMain.
var binaryDir string

// buildBinary builds the real custaccess binary once per test run.
var buildBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "custaccess-e2e-")
	if err != nil {
		return "", err
	}
	binaryDir = dir
	bin := filepath.Join(dir, "custaccess")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", &buildError{string(out)}
	}
	return bin, nil
})

type buildError struct{ output string }

func (e *buildError) Error() string { return "go build: " + e.output }

// runningService is the real binary serving on a free loopback port.
type runningService struct {
	bin  string
	args []string // --data-dir and --database-url
	url  string
}

// startService seeds a fresh database with the demo file and starts `custaccess serve`,
// stopping it with SIGTERM when the test ends.
func startService(t *testing.T, args []string) *runningService {
	t.Helper()
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, append([]string{"seed"}, append(args, "demo.yaml")...)...).CombinedOutput(); err != nil {
		t.Fatalf("seed: %v %s", err, out)
	}
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--drain-delay", "0s"}, args...)...)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve exited with %v after SIGTERM", err)
			}
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("serve did not stop within 20s of SIGTERM")
		}
	})
	addr := make(chan string, 1)
	go func() {
		scanner := bufio.NewScanner(stderr)
		for scanner.Scan() {
			var line struct{ Msg, Addr string }
			if json.Unmarshal(scanner.Bytes(), &line) == nil && line.Msg == "listening" {
				addr <- line.Addr
				break
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	select {
	case a := <-addr:
		return &runningService{bin: bin, args: args, url: "http://" + a}
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not start listening within 60s")
	}
	return nil
}

// client returns an SDK client authenticated as the user or client (kind "--user"/"--client").
func (s *runningService) client(t *testing.T, kind, subject string) *client.ClientWithResponses {
	t.Helper()
	token := ""
	if subject != "" {
		out, err := exec.Command(s.bin, append([]string{"token", kind, subject}, s.args...)...).Output()
		if err != nil {
			t.Fatalf("token %s %s: %v", kind, subject, err)
		}
		token = strings.TrimSpace(string(out))
	}
	c, err := client.NewClientWithResponses(s.url, client.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestSDKEndToEnd drives every operation of the served APIs through the generated Go SDK
// against the real binary, error responses included.
func TestSDKEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	for _, dialect := range storetest.Dialects(t) {
		t.Run(string(dialect), func(t *testing.T) {
			// A token secret, as in production: serve refuses PostgreSQL without one.
			service := startService(t, append(dbArgs(t, dialect), "--token-secret", "sdk-end-to-end-token-secret-0123456789"))
			t.Run("eGain grants", func(t *testing.T) { egainThroughSDK(t, service) })
			t.Run("eGain customers", func(t *testing.T) { egainCustomersThroughSDK(t, service) })
			t.Run("Reltio customer roles", func(t *testing.T) { reltioThroughSDK(t, service) })
			t.Run("Oracle self-service roles", func(t *testing.T) { oracleThroughSDK(t, service) })
			t.Run("OAuth2 token endpoint", func(t *testing.T) { tokenEndpointThroughSDK(t, service) })
			t.Run("Audit trail", func(t *testing.T) { auditThroughSDK(t, service) })
		})
	}
}

func expectStatus(t *testing.T, what string, got, want int) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: status %d, want %d", what, got, want)
	}
}

func egainThroughSDK(t *testing.T, s *runningService) {
	ctx := context.Background()
	alice := s.client(t, "--user", "alice")
	grants := client.Grants{}
	grants.GrantsOn.Customer = []client.CustomerReference{{Id: "1000"}}
	grants.GrantsTo.Customer = []client.CustomerReference{{Id: "1002"}, {Id: "1020"}}

	created, err := alice.CreateCustomerGrantsWithResponse(ctx, nil, grants)
	if err != nil {
		t.Fatal(err)
	}
	expectStatus(t, "create", created.StatusCode(), http.StatusCreated)
	if loc := created.HTTPResponse.Header.Get("Location"); loc != "/core/customermgr/v3/customer/1000/grants" {
		t.Errorf("Location %q", loc)
	}

	listed, err := alice.ListCustomerGrantsWithResponse(ctx, "1000", nil)
	if err != nil {
		t.Fatal(err)
	}
	expectStatus(t, "list", listed.StatusCode(), http.StatusOK)
	if listed.JSON200 == nil || listed.JSON200.GrantsTo == nil || len(listed.JSON200.GrantsTo.Customer) != 2 ||
		listed.JSON200.GrantsTo.Customer[0].CustomerName != "John Doe" {
		t.Fatalf("list: %s", listed.Body)
	}

	// The same operation in eGain's XML binding.
	xmlGrants := `<grants xmlns="http://bindings.egain.com/ws/model/v12/gen/interaction/customer">` +
		`<grantsOn><customer id="1000"/></grantsOn><grantsTo><customer id="1030"/></grantsTo></grants>`
	createdXML, err := alice.CreateCustomerGrantsWithBodyWithResponse(ctx, nil, "application/xml", strings.NewReader(xmlGrants))
	if err != nil {
		t.Fatal(err)
	}
	expectStatus(t, "create in XML", createdXML.StatusCode(), http.StatusCreated)

	deleted, err := alice.DeleteCustomerGrantWithResponse(ctx, "1000", "1002", nil)
	if err != nil {
		t.Fatal(err)
	}
	expectStatus(t, "delete", deleted.StatusCode(), http.StatusNoContent)

	// Errors decode into eGain's WSError.
	deleted, err = alice.DeleteCustomerGrantWithResponse(ctx, "1000", "1002", nil)
	if err != nil {
		t.Fatal(err)
	}
	if deleted.JSON404 == nil || deleted.JSON404.Code != "404-102" {
		t.Fatalf("delete again: %d %s", deleted.StatusCode(), deleted.Body)
	}
	grants.GrantsTo.Customer = []client.CustomerReference{{Id: "1500"}}
	refused, err := alice.CreateCustomerGrantsWithResponse(ctx, nil, grants)
	if err != nil {
		t.Fatal(err)
	}
	if refused.JSON400 == nil || refused.JSON400.Code != "400-303" {
		t.Fatalf("organization grantee: %d %s", refused.StatusCode(), refused.Body)
	}
	anonymous, err := s.client(t, "", "").ListCustomerGrantsWithResponse(ctx, "1000", nil)
	if err != nil {
		t.Fatal(err)
	}
	if anonymous.JSON401 == nil || anonymous.JSON401.Code != "401-104" {
		t.Fatalf("no token: %d %s", anonymous.StatusCode(), anonymous.Body)
	}
	bob := s.client(t, "--user", "bob")
	forbidden, err := bob.DeleteCustomerGrantWithResponse(ctx, "1000", "1020", nil)
	if err != nil {
		t.Fatal(err)
	}
	if forbidden.JSON403 == nil || forbidden.JSON403.Code != "403-178" {
		t.Fatalf("bob deletes: %d %s", forbidden.StatusCode(), forbidden.Body)
	}
}

// egainCustomersThroughSDK reads a customer, and demo customer 1002 (canSignIn: true) its
// own grants, which are all a customer's token reaches.
func egainCustomersThroughSDK(t *testing.T, s *runningService) {
	ctx := context.Background()
	alice := s.client(t, "--user", "alice")
	customer, err := alice.GetCustomerWithResponse(ctx, "1000", nil)
	if err != nil {
		t.Fatal(err)
	}
	expectStatus(t, "get customer", customer.StatusCode(), http.StatusOK)
	if c := customer.JSON200; c == nil || c.CustomerName != "Jane Roe" || c.Type != client.Individual || c.Department == nil ||
		c.Department.Name != "Retail" || len(c.Link) != 1 || c.Link[0].Href != "/core/customermgr/v3/customer/1000" {
		t.Fatalf("customer 1000: %s", customer.Body)
	}
	unknown, err := alice.GetCustomerWithResponse(ctx, "9999", nil)
	if err != nil {
		t.Fatal(err)
	}
	if unknown.JSON403 == nil || unknown.JSON403.Code != "403-197" {
		t.Fatalf("unknown customer: %d %s", unknown.StatusCode(), unknown.Body)
	}

	john := s.client(t, "--customer", "1002")
	none, err := john.GetCustomerGrantsContextWithResponse(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	expectStatus(t, "own grants, none", none.StatusCode(), http.StatusNoContent)
	grants := client.Grants{}
	grants.GrantsOn.Customer = []client.CustomerReference{{Id: "1000"}}
	grants.GrantsTo.Customer = []client.CustomerReference{{Id: "1002"}}
	created, err := alice.CreateCustomerGrantsWithResponse(ctx, nil, grants)
	if err != nil {
		t.Fatal(err)
	}
	expectStatus(t, "create", created.StatusCode(), http.StatusCreated)
	own, err := john.GetCustomerGrantsContextWithResponse(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	expectStatus(t, "own grants", own.StatusCode(), http.StatusOK)
	if own.JSON200 == nil || own.JSON200.GrantsOn == nil || len(own.JSON200.GrantsOn.Customer) != 1 || own.JSON200.GrantsOn.Customer[0].Id != "1000" {
		t.Fatalf("own grants: %s", own.Body)
	}
	other, err := john.ListCustomerGrantsWithResponse(ctx, "1002", nil)
	if err != nil {
		t.Fatal(err)
	}
	if other.JSON403 == nil || other.JSON403.Code != "403-105" {
		t.Fatalf("customer lists by id: %d %s", other.StatusCode(), other.Body)
	}
	removed, err := alice.DeleteCustomerGrantWithResponse(ctx, "1000", "1002", nil)
	if err != nil {
		t.Fatal(err)
	}
	expectStatus(t, "delete", removed.StatusCode(), http.StatusNoContent)
}

func reltioThroughSDK(t *testing.T, s *runningService) {
	ctx := context.Background()
	admin := s.client(t, "--user", "reltio-admin")
	const customer = "TestCustomer"

	added, err := admin.AddCustomerRolesWithResponse(ctx, customer, client.RoleNames{"CUST01_DS", "CUST01_PM"})
	if err != nil {
		t.Fatal(err)
	}
	expectStatus(t, "add roles", added.StatusCode(), http.StatusOK)

	assigned, err := admin.AssignRolePermissionsWithResponse(ctx, customer, []client.RolePermissions{{
		RoleName: "CUST01_DS",
		ServicePermissions: []client.ServicePermission{{Id: "Auth", ResourcePermissions: []client.ResourcePermission{
			{Id: "customer", AllowedPrivileges: []client.Privilege{client.READ, client.UPDATE}},
		}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	expectStatus(t, "assign", assigned.StatusCode(), http.StatusOK)
	if assigned.JSON200 == nil || len(*assigned.JSON200) != 1 {
		t.Fatalf("assign: %s", assigned.Body)
	}

	replaced, err := admin.ReplaceRolePermissionsWithResponse(ctx, customer, "CUST01_PM", client.RolePermissionsUpdate{
		ServicePermissions: []client.ServicePermission{{Id: "riq", ResourcePermissions: []client.ResourcePermission{
			{Id: "artifacts", AllowedPrivileges: []client.Privilege{client.EXECUTE}},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if replaced.JSON200 == nil || replaced.JSON200.RoleName != "CUST01_PM" {
		t.Fatalf("replace permissions: %d %s", replaced.StatusCode(), replaced.Body)
	}

	listed, err := admin.ListRolePermissionsWithResponse(ctx, customer)
	if err != nil {
		t.Fatal(err)
	}
	if listed.JSON200 == nil || len(*listed.JSON200) < 4 {
		t.Fatalf("list permissions: %d %s", listed.StatusCode(), listed.Body)
	}

	kept, err := admin.ReplaceCustomerRolesWithResponse(ctx, customer, client.RoleNamesReplacement{"CUST01_DS", "ROLE_RIQ_DEV"})
	if err != nil {
		t.Fatal(err)
	}
	expectStatus(t, "replace roles", kept.StatusCode(), http.StatusOK)
	names, err := admin.ListCustomerRolesWithResponse(ctx, customer)
	if err != nil {
		t.Fatal(err)
	}
	if names.JSON200 == nil || strings.Join(*names.JSON200, ",") != "CUST01_DS,ROLE_RIQ_DEV" {
		t.Fatalf("roles: %s", names.Body)
	}

	// Errors decode into Reltio's error type.
	missing, err := admin.ReplaceRolePermissionsWithResponse(ctx, customer, "CUST01_PM", client.RolePermissionsUpdate{ServicePermissions: []client.ServicePermission{}})
	if err != nil {
		t.Fatal(err)
	}
	if missing.JSON404 == nil || missing.JSON404.ErrorCode != 40402 {
		t.Fatalf("dropped role: %d %s", missing.StatusCode(), missing.Body)
	}
	outsider, err := s.client(t, "--user", "other-admin").ListCustomerRolesWithResponse(ctx, customer)
	if err != nil {
		t.Fatal(err)
	}
	if outsider.JSON403 == nil || outsider.JSON403.ErrorCode != 40301 {
		t.Fatalf("other customer's admin: %d %s", outsider.StatusCode(), outsider.Body)
	}
	bad, err := admin.AssignRolePermissionsWithResponse(ctx, customer, []client.RolePermissions{{
		RoleName: "CUST01_DS",
		ServicePermissions: []client.ServicePermission{{Id: "Auth", ResourcePermissions: []client.ResourcePermission{
			{Id: "globalRoles", AllowedPrivileges: []client.Privilege{client.DELETE}},
		}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if bad.JSON400 == nil || bad.JSON400.ErrorCode != 40012 {
		t.Fatalf("privilege not allowed: %d %s", bad.StatusCode(), bad.Body)
	}

	// One role: read it, remove its permissions, remove it; system roles are read-only.
	system, err := admin.GetSystemRolePermissionsWithResponse(ctx, "ROLE_USER")
	if err != nil {
		t.Fatal(err)
	}
	if system.JSON200 == nil || system.JSON200.RoleName != "ROLE_USER" {
		t.Fatalf("system role: %d %s", system.StatusCode(), system.Body)
	}
	cleared, err := admin.ClearRolePermissionsWithResponse(ctx, customer, "CUST01_DS")
	if err != nil {
		t.Fatal(err)
	}
	if cleared.JSON200 == nil || cleared.JSON200.Status != client.Success {
		t.Fatalf("clear permissions: %d %s", cleared.StatusCode(), cleared.Body)
	}
	one, err := admin.GetRolePermissionsWithResponse(ctx, customer, "CUST01_DS")
	if err != nil {
		t.Fatal(err)
	}
	if one.JSON200 == nil || len(one.JSON200.ServicePermissions) != 0 {
		t.Fatalf("one role: %d %s", one.StatusCode(), one.Body)
	}
	readOnly, err := admin.DeleteCustomerRoleWithResponse(ctx, customer, "ROLE_USER")
	if err != nil {
		t.Fatal(err)
	}
	if readOnly.JSON400 == nil || readOnly.JSON400.ErrorCode != 40015 {
		t.Fatalf("remove a system role: %d %s", readOnly.StatusCode(), readOnly.Body)
	}
	removed, err := admin.DeleteCustomerRoleWithResponse(ctx, customer, "CUST01_DS")
	if err != nil {
		t.Fatal(err)
	}
	if removed.JSON200 == nil || removed.JSON200.Status != client.Success {
		t.Fatalf("remove a role: %d %s", removed.StatusCode(), removed.Body)
	}
}

func oracleThroughSDK(t *testing.T, s *runningService) {
	ctx := context.Background()
	admin := s.client(t, "--user", "css-admin")
	const user = 100 // the demo's self-service user, Pat Doe of Acme Corp
	version := 4     // JSON errors (application/vnd.oracle.adf.error+json)
	text := func(v string) *string { return &v }

	created, err := admin.CreateSelfServiceRoleWithResponse(ctx, user, &client.CreateSelfServiceRoleParams{RESTFrameworkVersion: &version},
		client.SelfServiceRoleCreate{RelationshipTypeCd: text("ORA_CSS_ACC_ADMIN")})
	if err != nil {
		t.Fatal(err)
	}
	role := created.ApplicationvndOracleAdfResourceitemJSON201
	if created.StatusCode() != http.StatusCreated || role == nil || role.RoleId == nil || created.HTTPResponse.Header.Get("Location") == "" {
		t.Fatalf("create: %d %s", created.StatusCode(), created.Body)
	}
	if got := created.HTTPResponse.Header.Get("REST-Framework-Version"); got != "4" {
		t.Errorf("REST-Framework-Version %q", got)
	}
	userRole, err := admin.CreateSelfServiceRoleWithApplicationVndOracleAdfResourceitemPlusJSONBodyWithResponse(ctx, user,
		&client.CreateSelfServiceRoleParams{RESTFrameworkVersion: &version},
		client.CreateSelfServiceRoleApplicationVndOracleAdfResourceitemPlusJSONRequestBody{RelationshipTypeCd: text("ORA_CSS_USER")})
	if err != nil {
		t.Fatal(err)
	}
	expectStatus(t, "create as an ADF resource item", userRole.StatusCode(), http.StatusCreated)

	// The same active role again is refused; with Upsert-Mode it is updated (200).
	again, err := admin.CreateSelfServiceRoleWithResponse(ctx, user, &client.CreateSelfServiceRoleParams{RESTFrameworkVersion: &version},
		client.SelfServiceRoleCreate{RelationshipTypeCd: text("ORA_CSS_USER")})
	if err != nil {
		t.Fatal(err)
	}
	if again.ApplicationvndOracleAdfErrorJSON400 == nil || len(again.ApplicationvndOracleAdfErrorJSON400.OErrorDetails) == 0 {
		t.Fatalf("duplicate: %d %s", again.StatusCode(), again.Body)
	}
	upsert := true
	upserted, err := admin.CreateSelfServiceRoleWithResponse(ctx, user, &client.CreateSelfServiceRoleParams{RESTFrameworkVersion: &version, UpsertMode: &upsert},
		client.SelfServiceRoleCreate{RelationshipTypeCd: text("ORA_CSS_USER"), RequestTypeCd: text("B2C")})
	if err != nil {
		t.Fatal(err)
	}
	expectStatus(t, "upsert", upserted.StatusCode(), http.StatusOK)

	listed, err := admin.ListSelfServiceRolesWithResponse(ctx, user, &client.ListSelfServiceRolesParams{RESTFrameworkVersion: &version})
	if err != nil {
		t.Fatal(err)
	}
	page := listed.ApplicationvndOracleAdfResourcecollectionJSON200
	if page == nil || page.Count != 2 || page.HasMore {
		t.Fatalf("list: %d %s", listed.StatusCode(), listed.Body)
	}
	got, err := admin.GetSelfServiceRoleWithResponse(ctx, user, *role.RoleId, &client.GetSelfServiceRoleParams{RESTFrameworkVersion: &version})
	if err != nil {
		t.Fatal(err)
	}
	expectStatus(t, "get", got.StatusCode(), http.StatusOK)

	etag := got.HTTPResponse.Header.Get("ETag")
	if etag == "" {
		t.Fatal("get: no ETag")
	}
	unchanged, err := admin.GetSelfServiceRoleWithResponse(ctx, user, *role.RoleId, &client.GetSelfServiceRoleParams{RESTFrameworkVersion: &version, IfNoneMatch: &etag})
	if err != nil {
		t.Fatal(err)
	}
	expectStatus(t, "get with If-None-Match", unchanged.StatusCode(), http.StatusNotModified)

	userRoleID := *userRole.ApplicationvndOracleAdfResourceitemJSON201.RoleId
	stale := `"0-0"`
	refused, err := admin.UpdateSelfServiceRoleWithResponse(ctx, user, userRoleID, &client.UpdateSelfServiceRoleParams{RESTFrameworkVersion: &version, IfMatch: &stale},
		client.SelfServiceRoleUpdate{RelationshipTypeCd: text("ORA_CSS_ACC_MANAGER")})
	if err != nil {
		t.Fatal(err)
	}
	if refused.ApplicationvndOracleAdfErrorJSON412 == nil || refused.ApplicationvndOracleAdfErrorJSON412.OErrorDetails[0].OErrorCode != "JBO-25014" {
		t.Fatalf("stale If-Match: %d %s", refused.StatusCode(), refused.Body)
	}
	star := "*"
	changed, err := admin.UpdateSelfServiceRoleWithResponse(ctx, user, userRoleID, &client.UpdateSelfServiceRoleParams{RESTFrameworkVersion: &version, IfMatch: &star},
		client.SelfServiceRoleUpdate{RelationshipTypeCd: text("ORA_CSS_ACC_MANAGER")})
	if err != nil {
		t.Fatal(err)
	}
	expectStatus(t, "patch", changed.StatusCode(), http.StatusOK)

	// The parent resource, read-only, with the roles expanded; the describe documents.
	expand := "SelfServiceRoles"
	users, err := admin.ListSelfServiceUsersWithResponse(ctx, &client.ListSelfServiceUsersParams{RESTFrameworkVersion: &version, Expand: &expand})
	if err != nil {
		t.Fatal(err)
	}
	if page := users.ApplicationvndOracleAdfResourcecollectionJSON200; page == nil || page.Count == 0 || page.Items[0].SelfServiceRoles == nil {
		t.Fatalf("users: %d %s", users.StatusCode(), users.Body)
	}
	pat, err := admin.GetSelfServiceUserWithResponse(ctx, user, &client.GetSelfServiceUserParams{RESTFrameworkVersion: &version})
	if err != nil {
		t.Fatal(err)
	}
	if pat.ApplicationvndOracleAdfResourceitemJSON200 == nil || *pat.ApplicationvndOracleAdfResourceitemJSON200.UserId != user {
		t.Fatalf("user: %d %s", pat.StatusCode(), pat.Body)
	}
	// The user row's Who columns: created by the seed, last updated by the PATCH above.
	if u, role := pat.ApplicationvndOracleAdfResourceitemJSON200, changed.ApplicationvndOracleAdfResourceitemJSON200; role == nil ||
		u.CreatedBy == nil || *u.CreatedBy != "SEED" || u.CreationDate == nil || u.LastUpdatedBy == nil || *u.LastUpdatedBy != "css-admin" ||
		u.LastUpdateDate == nil || role.LastUpdateDate == nil || *u.LastUpdateDate != *role.LastUpdateDate {
		t.Fatalf("user's Who columns: %s (the PATCH: %s)", pat.Body, changed.Body)
	}
	// The user's ETag: If-None-Match with it answers 304.
	userTag := pat.HTTPResponse.Header.Get("ETag")
	userUnchanged, err := admin.GetSelfServiceUserWithResponse(ctx, user, &client.GetSelfServiceUserParams{RESTFrameworkVersion: &version, IfNoneMatch: &userTag})
	if err != nil {
		t.Fatal(err)
	}
	if userTag == "" || userUnchanged.StatusCode() != http.StatusNotModified {
		t.Fatalf("user with If-None-Match %q: %d %s", userTag, userUnchanged.StatusCode(), userUnchanged.Body)
	}
	described, err := admin.DescribeSelfServiceRolesWithResponse(ctx, user, &client.DescribeSelfServiceRolesParams{RESTFrameworkVersion: &version})
	if err != nil {
		t.Fatal(err)
	}
	if d := described.ApplicationvndOracleAdfDescriptionJSON200; d == nil || len(d.Resources["SelfServiceRoles"].Attributes) == 0 {
		t.Fatalf("describe roles: %d %s", described.StatusCode(), described.Body)
	}
	describedUsers, err := admin.DescribeSelfServiceUsersWithResponse(ctx, &client.DescribeSelfServiceUsersParams{RESTFrameworkVersion: &version})
	if err != nil {
		t.Fatal(err)
	}
	if d := describedUsers.ApplicationvndOracleAdfDescriptionJSON200; d == nil || d.Resources["customerSelfServiceUsers"].Children == nil {
		t.Fatalf("describe users: %d %s", describedUsers.StatusCode(), describedUsers.Body)
	}
	// The version root's describe, minimal: the top-level resources with titles and links.
	minimal := client.MetadataModeMinimal
	root, err := admin.DescribeResourcesWithResponse(ctx, &client.DescribeResourcesParams{RESTFrameworkVersion: &version, MetadataMode: &minimal})
	if err != nil {
		t.Fatal(err)
	}
	if d := root.ApplicationvndOracleAdfDescriptionJSON200; d == nil || d.Resources["fndStaticLookups"].Title != "Lookup" || d.Resources["customerSelfServiceUsers"].Attributes != nil {
		t.Fatalf("describe the version root: %d %s", root.StatusCode(), root.Body)
	}
	lookupsDescribed, err := admin.DescribeStaticLookupsWithResponse(ctx, &client.DescribeStaticLookupsParams{RESTFrameworkVersion: &version})
	if err != nil {
		t.Fatal(err)
	}
	if d := lookupsDescribed.ApplicationvndOracleAdfDescriptionJSON200; d == nil || len(d.Resources["fndStaticLookups"].Attributes) != 4 {
		t.Fatalf("describe the lookups: %d %s", lookupsDescribed.StatusCode(), lookupsDescribed.Body)
	}
	// The list of values of RelationshipTypeCd: describe names it, the lookup resource lists it.
	var lov *client.AdfListOfValues
	for _, a := range described.ApplicationvndOracleAdfDescriptionJSON200.Resources["SelfServiceRoles"].Attributes {
		if a.Name == "RelationshipTypeCd" {
			lov = a.Lov
		}
	}
	if lov == nil || lov.ChildRef != "RelationshipTypeCdLOV" {
		t.Fatalf("describe roles: RelationshipTypeCd has no lov: %s", described.Body)
	}
	finder := "LookupTypeFinder;LookupType=ORA_SVC_CSS_REL_TYPE_CD"
	lookups, err := admin.ListStaticLookupsWithResponse(ctx, &client.ListStaticLookupsParams{RESTFrameworkVersion: &version, Finder: &finder})
	if err != nil {
		t.Fatal(err)
	}
	if page := lookups.ApplicationvndOracleAdfResourcecollectionJSON200; page == nil || page.Count == 0 || page.Items[0].LookupType != "ORA_SVC_CSS_REL_TYPE_CD" {
		t.Fatalf("lookups: %d %s", lookups.StatusCode(), lookups.Body)
	}

	// A batch: all parts in one transaction; the failing part is named and nothing applied.
	payload := map[string]any{"RelationshipTypeCd": "ORA_CSS_ACC_MANAGER"}
	batch, err := admin.ExecuteBatchWithApplicationVndOracleAdfBatchPlusJSONBodyWithResponse(ctx, &client.ExecuteBatchParams{RESTFrameworkVersion: &version},
		client.AdfBatchRequest{Parts: []client.AdfBatchPart{
			{Id: "read", Path: "/customerSelfServiceUsers/100", Operation: client.AdfBatchPartOperationGet},
			{Id: "again", Path: "/customerSelfServiceUsers/100/child/SelfServiceRoles", Operation: client.AdfBatchPartOperationCreate, Payload: &payload},
		}})
	if err != nil {
		t.Fatal(err)
	}
	if b := batch.ApplicationvndOracleAdfErrorJSON400; b == nil || *b.OErrorDetails[0].OErrorPath != "parts[1]" {
		t.Fatalf("batch with a duplicate role: %d %s", batch.StatusCode(), batch.Body)
	}
	batch, err = admin.ExecuteBatchWithApplicationVndOracleAdfBatchPlusJSONBodyWithResponse(ctx, &client.ExecuteBatchParams{RESTFrameworkVersion: &version},
		client.AdfBatchRequest{Parts: []client.AdfBatchPart{{Id: "read", Path: "/customerSelfServiceUsers/100", Operation: client.AdfBatchPartOperationGet}}})
	if err != nil {
		t.Fatal(err)
	}
	if b := batch.ApplicationvndOracleAdfBatchJSON200; b == nil || len(b.Parts) != 1 || b.Parts[0].Payload == nil {
		t.Fatalf("batch: %d %s", batch.StatusCode(), batch.Body)
	}
	// A part's precondition: a stale ifMatch fails the whole batch with 412 naming the part.
	staleTag := `"0-0"`
	batch, err = admin.ExecuteBatchWithApplicationVndOracleAdfBatchPlusJSONBodyWithResponse(ctx, &client.ExecuteBatchParams{RESTFrameworkVersion: &version},
		client.AdfBatchRequest{Parts: []client.AdfBatchPart{{Id: "stale", Path: "/customerSelfServiceUsers/" + strconv.FormatInt(user, 10) + "/child/SelfServiceRoles/" + strconv.FormatInt(userRoleID, 10),
			Operation: client.AdfBatchPartOperationDelete, IfMatch: &staleTag}}})
	if err != nil {
		t.Fatal(err)
	}
	if b := batch.ApplicationvndOracleAdfErrorJSON412; b == nil || *b.OErrorDetails[0].OErrorPath != "parts[0]" {
		t.Fatalf("batch with a stale ifMatch: %d %s", batch.StatusCode(), batch.Body)
	}
	removed, err := admin.DeleteSelfServiceRoleWithResponse(ctx, user, userRoleID, &client.DeleteSelfServiceRoleParams{RESTFrameworkVersion: &version})
	if err != nil {
		t.Fatal(err)
	}
	expectStatus(t, "delete", removed.StatusCode(), http.StatusNoContent)

	// The role history, from the audit trail: the removal is its last entry, at once.
	total, newest := true, "HistoryId:desc"
	history, err := admin.ListSelfServiceRolesHistoryWithResponse(ctx, user, &client.ListSelfServiceRolesHistoryParams{RESTFrameworkVersion: &version, TotalResults: &total, OrderBy: &newest})
	if err != nil {
		t.Fatal(err)
	}
	entries := history.ApplicationvndOracleAdfResourcecollectionJSON200
	if entries == nil || entries.Count == 0 || *entries.Items[0].ActionCode != "ENDED" || *entries.Items[0].RoleId != userRoleID || *entries.TotalResults < 3 {
		t.Fatalf("history: %d %s", history.StatusCode(), history.Body)
	}
	entry, err := admin.GetSelfServiceRoleHistoryWithResponse(ctx, user, *entries.Items[0].HistoryId, &client.GetSelfServiceRoleHistoryParams{RESTFrameworkVersion: &version})
	if err != nil {
		t.Fatal(err)
	}
	if e := entry.ApplicationvndOracleAdfResourceitemJSON200; e == nil || *e.HistoryId != *entries.Items[0].HistoryId || e.EndDate == nil {
		t.Fatalf("history entry: %d %s", entry.StatusCode(), entry.Body)
	}
	// The history embedded in its user: the collection's first page, oldest first.
	both := "SelfServiceRoles,SelfServiceRolesHistory"
	expanded, err := admin.GetSelfServiceUserWithResponse(ctx, user, &client.GetSelfServiceUserParams{RESTFrameworkVersion: &version, Expand: &both})
	if err != nil {
		t.Fatal(err)
	}
	if u := expanded.ApplicationvndOracleAdfResourceitemJSON200; u == nil || u.SelfServiceRoles == nil || u.SelfServiceRolesHistory == nil ||
		int64(u.SelfServiceRolesHistory.Count) != min(*entries.TotalResults, 25) ||
		*u.SelfServiceRolesHistory.Items[u.SelfServiceRolesHistory.Count-1].HistoryId != *entries.Items[0].HistoryId && !u.SelfServiceRolesHistory.HasMore {
		t.Fatalf("user with its history expanded: %d %s", expanded.StatusCode(), expanded.Body)
	}

	// The account's last administrator stays: an ADF error the SDK decodes.
	last, err := admin.DeleteSelfServiceRoleWithResponse(ctx, user, *role.RoleId, &client.DeleteSelfServiceRoleParams{RESTFrameworkVersion: &version})
	if err != nil {
		t.Fatal(err)
	}
	if last.ApplicationvndOracleAdfErrorJSON400 == nil || last.ApplicationvndOracleAdfErrorJSON400.Status != "400" {
		t.Fatalf("last administrator: %d %s", last.StatusCode(), last.Body)
	}
	outsider, err := s.client(t, "--user", "alice").GetSelfServiceRoleWithResponse(ctx, user, *role.RoleId, &client.GetSelfServiceRoleParams{RESTFrameworkVersion: &version})
	if err != nil {
		t.Fatal(err)
	}
	if outsider.ApplicationvndOracleAdfErrorJSON403 == nil {
		t.Fatalf("user without Oracle privileges: %d %s", outsider.StatusCode(), outsider.Body)
	}
}

// tokenEndpointThroughSDK obtains a token with the client-credentials grant and uses it.
func tokenEndpointThroughSDK(t *testing.T, s *runningService) {
	ctx := context.Background()
	anonymous := s.client(t, "", "")
	text := func(v string) *string { return &v }
	issued, err := anonymous.IssueTokenWithFormdataBodyWithResponse(ctx, client.IssueTokenFormdataRequestBody{
		GrantType: "client_credentials", ClientId: text("crm-sync"), ClientSecret: text("crm-sync-demo-secret"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if issued.JSON200 == nil || issued.JSON200.AccessToken == "" {
		t.Fatalf("token: %d %s", issued.StatusCode(), issued.Body)
	}
	token := issued.JSON200.AccessToken
	withToken, err := client.NewClientWithResponses(s.url, client.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+token)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	listed, err := withToken.ListCustomerGrantsWithResponse(ctx, "1020", nil)
	if err != nil {
		t.Fatal(err)
	}
	if listed.StatusCode() != http.StatusOK && listed.StatusCode() != http.StatusNoContent {
		t.Fatalf("grants with the issued token: %d %s", listed.StatusCode(), listed.Body)
	}
	refused, err := anonymous.IssueTokenWithFormdataBodyWithResponse(ctx, client.IssueTokenFormdataRequestBody{
		GrantType: "client_credentials", ClientId: text("crm-sync"), ClientSecret: text("wrong-secret-wrong"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if refused.JSON401 == nil || refused.JSON401.Error != "invalid_client" {
		t.Fatalf("wrong secret: %d %s", refused.StatusCode(), refused.Body)
	}
}

func TestMain(m *testing.M) {
	serveIfSubprocess()
	code := m.Run()
	if binaryDir != "" {
		_ = os.RemoveAll(binaryDir)
	}
	os.Exit(code)
}

// auditThroughSDK reads the events of the writes above as the demo's auditor, a page at a
// time and as NDJSON, and is refused as a user who is not one.
func auditThroughSDK(t *testing.T, s *runningService) {
	ctx := context.Background()
	auditor := s.client(t, "--user", "auditor")
	api, limit := client.ListAuditEventsParamsApi("egain"), 1
	listed, err := auditor.ListAuditEventsWithResponse(ctx, &client.ListAuditEventsParams{Api: &api, Limit: &limit})
	if err != nil {
		t.Fatal(err)
	}
	expectStatus(t, "list audit events", listed.StatusCode(), http.StatusOK)
	if listed.JSON200 == nil || len(listed.JSON200.Items) != 1 || listed.JSON200.Next == nil {
		t.Fatalf("list audit events: %s", listed.Body)
	}
	first := listed.JSON200.Items[0]
	if first.OperationId != "createCustomerGrants" || first.Actor.Id != "alice" || len(first.Hash) != 64 {
		t.Fatalf("first eGain event: %+v", first)
	}
	exported, err := auditor.ListAuditEvents(ctx, &client.ListAuditEventsParams{Api: &api}, func(_ context.Context, r *http.Request) error {
		r.Header.Set("Accept", "application/x-ndjson")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	defer exported.Body.Close()
	if exported.StatusCode != http.StatusOK || exported.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("export: %d %s", exported.StatusCode, exported.Header.Get("Content-Type"))
	}
	lines := 0
	scanner := bufio.NewScanner(exported.Body)
	for scanner.Scan() {
		var event client.AuditEvent
		if err := json.Unmarshal(scanner.Bytes(), &event); err != nil || event.Api != "egain" {
			t.Fatalf("export line %q: %v", scanner.Text(), err)
		}
		lines++
	}
	if lines < 3 { // create, create in XML, delete
		t.Fatalf("export: %d eGain events", lines)
	}
	refused, err := s.client(t, "--user", "alice").ListAuditEventsWithResponse(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	// alice's token from `custaccess token` does not hold audit.read: she is no auditor.
	if refused.ApplicationproblemJSON403 == nil || refused.ApplicationproblemJSON403.Status != http.StatusForbidden {
		t.Fatalf("alice reading the audit trail: %d %s", refused.StatusCode(), refused.Body)
	}
}
