package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/custaccess/custaccess/store"
	"github.com/custaccess/custaccess/store/storetest"
)

// oracleFixtureText is the example of the oracle: section and a user's privileges.
const oracleFixtureText = `
oracle:
  lookups:
    ORA_SVC_CSS_REL_TYPE_CD:
      - {code: ORA_CSS_USER, meaning: User}
      - {code: ORA_CSS_ACC_ADMIN, meaning: Account Administrator}
    ORA_SVC_CSS_REQ_TYPE_CD:
      - {code: B2B, meaning: Business to business}
  accounts:
    - {partyId: 300100000000001, name: Acme Corp, partyNumber: CDRM_1001}
  contacts:
    - {partyId: 300100000000101, name: Pat Doe, partyNumber: CDRM_2001, email: pat@example.com, accounts: [300100000000001]}
  selfServiceUsers:
    - {userId: 100, loginId: pat@example.com, contactPartyId: 300100000000101}
  registrations:
    - {registrationId: 5001, userId: 100, accountPartyId: 300100000000001, requestTypeCd: B2B}
users:
  - login: css-admin
    privileges: [SVC_MANAGE_SELF_SERVICE_ROLES_PRIV]   # needed to create, change and remove roles
`

// oracleState reads back what the Oracle tests look at: css-admin's privileges, user 100's
// login and accounts, and the lookup codes named.
func oracleState(t *testing.T, s *store.Store, codes ...store.OracleLookupKey) (privileges []string, user *store.OracleSelfServiceUser, accounts []int64, lookups map[store.OracleLookupKey]store.OracleLookup) {
	t.Helper()
	err := s.View(context.Background(), func(tx *store.Tx) (err error) {
		if privileges, err = tx.OraclePrivilegesOf("css-admin"); err != nil {
			return err
		}
		if user, accounts, err = tx.OracleSelfServiceUserOf(100); err != nil {
			return err
		}
		lookups, err = tx.OracleLookups(codes)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return privileges, user, accounts, lookups
}

func TestOracleFixtureIsIdempotentAndAddsUp(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		for range 2 {
			if err := load(t, s, oracleFixtureText); err != nil {
				t.Fatal(err)
			}
		}
		user := store.OracleLookupKey{LookupType: store.LookupRelationshipType, Code: "ORA_CSS_USER"}
		privileges, pat, accounts, lookups := oracleState(t, s, user)
		if !slices.Equal(privileges, []string{"SVC_MANAGE_SELF_SERVICE_ROLES_PRIV"}) || pat.LoginID != "pat@example.com" ||
			!slices.Equal(accounts, []int64{300100000000001}) || !lookups[user].Enabled || lookups[user].Meaning != "User" {
			t.Fatalf("after the issue's file: %v %+v %v %+v", privileges, pat, accounts, lookups)
		}
		// A second file refers to what the first stored, disables a code, replaces the
		// contact's accounts and css-admin's privileges.
		if err := load(t, s, `
oracle:
  lookups:
    ORA_SVC_CSS_REL_TYPE_CD: [{code: ORA_CSS_USER, meaning: Portal user, enabled: false}]
  accounts: [{partyId: 300100000000002, name: Globex, partyNumber: CDRM_1002}]
  contacts:
    - {partyId: 300100000000101, name: Pat Doe, partyNumber: CDRM_2001, accounts: [300100000000002, 300100000000001]}
  selfServiceUsers: [{userId: 100, loginId: pat.doe@example.com, contactPartyId: 300100000000101}]
  registrations: [{registrationId: 5002, userId: 100, accountPartyId: 300100000000002, requestTypeCd: B2B}]
users:
  - {login: css-admin, privileges: [SVC_VIEW_SELF_SERVICE_ROLES_PRIV, SVC_DELETE_LAST_ACCOUNT_ADMIN_ROLE_PRIV]}
`); err != nil {
			t.Fatal(err)
		}
		privileges, pat, accounts, lookups = oracleState(t, s, user)
		slices.Sort(privileges)
		if !slices.Equal(privileges, []string{"SVC_DELETE_LAST_ACCOUNT_ADMIN_ROLE_PRIV", "SVC_VIEW_SELF_SERVICE_ROLES_PRIV"}) ||
			pat.LoginID != "pat.doe@example.com" || !slices.Equal(accounts, []int64{300100000000001, 300100000000002}) ||
			lookups[user].Enabled || lookups[user].Meaning != "Portal user" {
			t.Fatalf("after the second file: %v %+v %v %+v", privileges, pat, accounts, lookups)
		}
		// Another user's privileges leave css-admin's alone.
		if err := load(t, s, `users: [{login: css-other, privileges: [SVC_MANAGE_SELF_SERVICE_ROLES_PRIV]}]`); err != nil {
			t.Fatal(err)
		}
		if privileges, _, _, _ = oracleState(t, s); len(privileges) != 2 {
			t.Errorf("css-admin's privileges %v after another user's", privileges)
		}
		// A user listed without privileges has none left, as with actions.
		if err := load(t, s, `users: [{login: css-admin}]`); err != nil {
			t.Fatal(err)
		}
		if privileges, _, _, _ = oracleState(t, s); len(privileges) != 0 {
			t.Errorf("privileges %v, want none", privileges)
		}
	})
}

// A lookup code listed again without enabled keeps its state, whatever its meaning becomes;
// a new code without it is enabled; enabled, when given, sets the state.
func TestOracleFixtureLookupStateIsKeptUnlessStated(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		user := store.OracleLookupKey{LookupType: store.LookupRelationshipType, Code: "ORA_CSS_USER"}
		admin := store.OracleLookupKey{LookupType: store.LookupRelationshipType, Code: "ORA_CSS_ACC_ADMIN"}
		partner := store.OracleLookupKey{LookupType: store.LookupRelationshipType, Code: "ZZ_PARTNER"}
		state := func() map[store.OracleLookupKey]store.OracleLookup {
			_, _, _, lookups := oracleState(t, s, user, admin, partner)
			return lookups
		}
		for _, step := range []struct {
			text                 string
			user, admin, partner bool
			userMeaning          string
		}{
			{oracleFixtureText, true, true, false, "User"},
			{`oracle: {lookups: {ORA_SVC_CSS_REL_TYPE_CD: [{code: ORA_CSS_USER, meaning: User, enabled: false}]}}`, false, true, false, "User"},
			{`oracle: {lookups: {ORA_SVC_CSS_REL_TYPE_CD: [{code: ORA_CSS_USER, meaning: Portal user}, {code: ORA_CSS_ACC_ADMIN, meaning: Administrator}, {code: ZZ_PARTNER, meaning: Partner}]}}`,
				false, true, true, "Portal user"},
			{`oracle: {lookups: {ORA_SVC_CSS_REL_TYPE_CD: [{code: ORA_CSS_USER, meaning: Portal user, enabled: true}, {code: ZZ_PARTNER, meaning: Partner, enabled: false}]}}`,
				true, true, false, "Portal user"},
		} {
			if err := load(t, s, step.text); err != nil {
				t.Fatal(err)
			}
			lookups := state()
			if lookups[user].Enabled != step.user || lookups[admin].Enabled != step.admin || lookups[partner].Enabled != step.partner ||
				lookups[user].Meaning != step.userMeaning {
				t.Fatalf("after %s: %+v", step.text, lookups)
			}
		}
	})
}

func TestBrokenOracleFixtureChangesNothing(t *testing.T) {
	for _, tc := range []struct{ name, text, wantErr string }{
		{"unknown lookup type", `oracle: {lookups: {ORA_FOO: [{code: X, meaning: Y}]}}`, "oracle.lookups.ORA_FOO: unknown lookup type"},
		{"lookup code missing", `oracle: {lookups: {ORA_SVC_CSS_REL_TYPE_CD: [{meaning: Y}]}}`, "oracle.lookups.ORA_SVC_CSS_REL_TYPE_CD[0].code: required"},
		{"lookup meaning too long", `oracle: {lookups: {ORA_SVC_CSS_REL_TYPE_CD: [{code: X, meaning: ` + strings.Repeat("m", 81) + `}]}}`,
			"oracle.lookups.ORA_SVC_CSS_REL_TYPE_CD[0].meaning: 81 characters, at most 80"},
		{"request type code too long", `oracle: {lookups: {ORA_SVC_CSS_REQ_TYPE_CD: [{code: ` + strings.Repeat("C", 31) + `, meaning: Y}]}}`,
			"oracle.lookups.ORA_SVC_CSS_REQ_TYPE_CD[0].code: 31 characters, at most 30"},
		{"duplicate lookup code", `oracle: {lookups: {ORA_SVC_CSS_REQ_TYPE_CD: [{code: B2C, meaning: A}, {code: B2C, meaning: B}]}}`,
			"oracle.lookups.ORA_SVC_CSS_REQ_TYPE_CD[1]: duplicates oracle.lookups.ORA_SVC_CSS_REQ_TYPE_CD[0]"},
		{"account id not positive", `oracle: {accounts: [{partyId: 0, name: X, partyNumber: N}]}`, "oracle.accounts[0].partyId: must be a positive integer"},
		{"account without party number", `oracle: {accounts: [{partyId: 9, name: X}]}`, "oracle.accounts[0].partyNumber: required"},
		{"account party number too long", `oracle: {accounts: [{partyId: 9, name: X, partyNumber: ` + strings.Repeat("9", 31) + `}]}`,
			"oracle.accounts[0].partyNumber: 31 characters, at most 30"},
		{"contact email too long", `oracle: {contacts: [{partyId: 9, name: X, partyNumber: N, email: ` + strings.Repeat("e", 321) + `}]}`,
			"oracle.contacts[0].email: 321 characters, at most 320"},
		{"contact of an account that does not exist", `
oracle:
  accounts: [{partyId: 300100000000009, name: Nine, partyNumber: CDRM_9}]
  contacts:
    - {partyId: 300100000000109, name: A, partyNumber: C1, accounts: [300100000000001, 300100000000009]}
    - {partyId: 300100000000110, name: B, partyNumber: C2, accounts: [42]}`, "oracle.contacts[1].accounts[0]: account 42 does not exist"},
		{"self-service user of a contact that does not exist", `oracle: {selfServiceUsers: [{userId: 200, loginId: x, contactPartyId: 9}]}`,
			"oracle.selfServiceUsers[0].contactPartyId: contact 9 does not exist"},
		{"self-service user without login", `oracle: {selfServiceUsers: [{userId: 200, contactPartyId: 300100000000101}]}`,
			"oracle.selfServiceUsers[0].loginId: required"},
		{"duplicate self-service user", `oracle: {selfServiceUsers: [{userId: 200, loginId: a, contactPartyId: 300100000000101}, {userId: 200, loginId: b, contactPartyId: 300100000000101}]}`,
			"oracle.selfServiceUsers[1]: duplicates oracle.selfServiceUsers[0]"},
		{"registration of a user that does not exist", `oracle: {registrations: [{registrationId: 6000, userId: 7, accountPartyId: 300100000000001, requestTypeCd: B2B}]}`,
			"oracle.registrations[0].userId: self-service user 7 does not exist"},
		{"registration on an account that does not exist", `oracle: {registrations: [{registrationId: 6000, userId: 100, accountPartyId: 8, requestTypeCd: B2B}]}`,
			"oracle.registrations[0].accountPartyId: account 8 does not exist"},
		{"registration of a request type that is no code", `oracle: {registrations: [{registrationId: 6000, userId: 100, accountPartyId: 300100000000001, requestTypeCd: B2G}]}`,
			`oracle.registrations[0].requestTypeCd: "B2G" is not a code of lookup ORA_SVC_CSS_REQ_TYPE_CD`},
		{"empty privilege", `users: [{login: carol, privileges: [SVC_VIEW_SELF_SERVICE_ROLES_PRIV, " "]}]`, "users[0].privileges[1]: must not be empty"},
		{"unknown privilege", `users: [{login: carol, privileges: [SVC_VIEW_SELF_SERVICE_ROLES_PRIV]}, {login: dave, privileges: [SVC_MANAGE_EVERYTHING]}]`,
			`users[1].privileges[0]: "SVC_MANAGE_EVERYTHING" is not an Oracle privilege (use SVC_MANAGE_SELF_SERVICE_ROLES_PRIV, SVC_VIEW_SELF_SERVICE_ROLES_PRIV, SVC_DELETE_LAST_ACCOUNT_ADMIN_ROLE_PRIV)`},
		{"privilege in lower case", `users: [{login: carol, privileges: [svc_view_self_service_roles_priv]}]`,
			`users[0].privileges[0]: "svc_view_self_service_roles_priv" is not an Oracle privilege`},
		{"unknown field", `oracle: {accounts: [{partyId: 9, name: X, partyNumber: N, colour: red}]}`, "field colour not found"},
		{"self-service user's createdBy too long", `oracle: {selfServiceUsers: [{userId: 200, loginId: a, contactPartyId: 300100000000101, createdBy: ` + strings.Repeat("c", 65) + `}]}`,
			"oracle.selfServiceUsers[0].createdBy: 65 characters, at most 64"},
		{"self-service user's lastUpdatedBy too long", `oracle: {selfServiceUsers: [{userId: 200, loginId: a, contactPartyId: 300100000000101, lastUpdatedBy: ` + strings.Repeat("c", 65) + `}]}`,
			"oracle.selfServiceUsers[0].lastUpdatedBy: 65 characters, at most 64"},
		{"self-service user last updated before its creation", `oracle: {selfServiceUsers: [{userId: 200, loginId: a, contactPartyId: 300100000000101, creationDate: 2026-01-02T00:00:00Z, lastUpdateDate: 2026-01-01T00:00:00Z}]}`,
			"oracle.selfServiceUsers[0]: lastUpdateDate 2026-01-01T00:00:00Z is before creationDate 2026-01-02T00:00:00Z"},
		{"self-service user's creation stated after its stored last update", `oracle: {selfServiceUsers: [{userId: 100, loginId: pat@example.com, contactPartyId: 300100000000101, creationDate: 2999-01-01T00:00:00Z}]}`,
			"oracle.selfServiceUsers[0]: lastUpdateDate"},
		{"self-service user's creationDate not a time", `oracle: {selfServiceUsers: [{userId: 200, loginId: a, contactPartyId: 300100000000101, creationDate: yesterday}]}`,
			`oracle.selfServiceUsers[0].creationDate: "yesterday" is not an RFC 3339 date-time`},
		{"self-service user's lastUpdateDate a date only", `oracle: {selfServiceUsers: [{userId: 200, loginId: a, contactPartyId: 300100000000101, lastUpdateDate: 2026-01-01}]}`,
			`oracle.selfServiceUsers[0].lastUpdateDate: "2026-01-01" is not an RFC 3339 date-time`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.ForEach(t, func(t *testing.T, s *store.Store) {
				if err := load(t, s, oracleFixtureText); err != nil {
					t.Fatal(err)
				}
				err := load(t, s, tc.text)
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				privileges, pat, accounts, _ := oracleState(t, s)
				if !slices.Equal(privileges, []string{"SVC_MANAGE_SELF_SERVICE_ROLES_PRIV"}) || pat.LoginID != "pat@example.com" || len(accounts) != 1 {
					t.Errorf("a broken file changed the data: %v %+v %v", privileges, pat, accounts)
				}
				var rows int64
				for _, model := range []any{&store.OracleAccount{}, &store.OracleContact{}, &store.OracleSelfServiceUser{}, &store.OracleRegistration{}, &store.OracleLookup{}} {
					var n int64
					if err := store.GormForTests(s).Model(model).Count(&n).Error; err != nil {
						t.Fatal(err)
					}
					rows += n
				}
				if rows != 7 {
					t.Errorf("%d Oracle rows, want the first file's 7", rows)
				}
			})
		})
	}
}

// TestOracleFixtureUserWhoColumns: a user the seed adds is created and last updated by SEED
// at load time unless the file states otherwise; reloading a user keeps its Who columns
// (also a role write's stamp) unless the file states them or changes the user's login or
// contact, which stamps SEED at load time; creation is never moved by a change.
func TestOracleFixtureUserWhoColumns(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		user := func() store.OracleSelfServiceUser {
			t.Helper()
			_, u, _, _ := oracleState(t, s)
			return *u
		}
		// PostgreSQL keeps microseconds.
		before := time.Now().Truncate(time.Microsecond)
		if err := load(t, s, oracleFixtureText); err != nil {
			t.Fatal(err)
		}
		added := user()
		if added.CreatedBy != store.OracleSeedActor || added.LastUpdatedBy != store.OracleSeedActor ||
			added.CreationDate.Before(before) || added.CreationDate.After(time.Now()) || !added.LastUpdateDate.Equal(added.CreationDate) {
			t.Fatalf("added: %+v", added)
		}
		// A role write stamps the user; the seed's reload of the unchanged user keeps it.
		written := time.Now().UTC().Add(time.Minute).Truncate(time.Microsecond)
		err := s.Transaction(ctx, func(tx *store.Tx) error {
			return tx.InsertOracleRole(&store.OracleSelfServiceRole{UserID: 100, AccountPartyID: 300100000000001, RelationshipTypeCd: "ORA_CSS_USER",
				StartDate: written, CreatedBy: "css-admin", CreationDate: written, LastUpdatedBy: "css-admin", LastUpdateDate: written, LastUpdateLogin: "L", RowVersion: 1})
		})
		if err != nil {
			t.Fatal(err)
		}
		stamped := added
		stamped.LastUpdatedBy, stamped.LastUpdateDate = "css-admin", written
		at := func(s string) time.Time {
			parsed, err := time.Parse(time.RFC3339, s)
			if err != nil {
				t.Fatal(err)
			}
			return parsed
		}
		for _, step := range []struct {
			name, users string
			// want makes the expected user from the one before and the load's time window.
			want func(was store.OracleSelfServiceUser, from, to time.Time) store.OracleSelfServiceUser
		}{
			{"unchanged", `{userId: 100, loginId: pat@example.com, contactPartyId: 300100000000101}`,
				func(was store.OracleSelfServiceUser, _, _ time.Time) store.OracleSelfServiceUser { return was }},
			{"a new login", `{userId: 100, loginId: pat.doe@example.com, contactPartyId: 300100000000101}`,
				func(was store.OracleSelfServiceUser, from, _ time.Time) store.OracleSelfServiceUser {
					was.LoginID, was.LastUpdatedBy, was.LastUpdateDate = "pat.doe@example.com", store.OracleSeedActor, from
					return was
				}},
			{"creation stated", `{userId: 100, loginId: pat.doe@example.com, contactPartyId: 300100000000101, createdBy: import, creationDate: "2026-01-01T10:00:00+01:00"}`,
				func(was store.OracleSelfServiceUser, _, _ time.Time) store.OracleSelfServiceUser {
					was.CreatedBy, was.CreationDate = "import", at("2026-01-01T09:00:00Z")
					return was
				}},
			{"last update stated", `{userId: 100, loginId: pat.doe@example.com, contactPartyId: 300100000000101, lastUpdatedBy: css-admin, lastUpdateDate: 2026-01-02T00:00:00Z}`,
				func(was store.OracleSelfServiceUser, _, _ time.Time) store.OracleSelfServiceUser {
					was.LastUpdatedBy, was.LastUpdateDate = "css-admin", at("2026-01-02T00:00:00Z")
					return was
				}},
		} {
			was := user()
			if step.name == "unchanged" && (was.LastUpdatedBy != stamped.LastUpdatedBy || !was.LastUpdateDate.Equal(stamped.LastUpdateDate)) {
				t.Fatalf("the role write left the user %+v", was)
			}
			from := time.Now().Truncate(time.Microsecond)
			if err := load(t, s, "oracle: {selfServiceUsers: ["+step.users+"]}"); err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			to := time.Now()
			got, want := user(), step.want(was, from, to)
			if want.LastUpdateDate.Equal(from) { // stamped at load time: within the load
				if got.LastUpdateDate.Before(from) || got.LastUpdateDate.After(to) {
					t.Errorf("%s: last updated %s, want within %s … %s", step.name, got.LastUpdateDate, from, to)
				}
				want.LastUpdateDate = got.LastUpdateDate
			}
			if got.LoginID != want.LoginID || got.CreatedBy != want.CreatedBy || !got.CreationDate.Equal(want.CreationDate) ||
				got.LastUpdatedBy != want.LastUpdatedBy || !got.LastUpdateDate.Equal(want.LastUpdateDate) {
				t.Errorf("%s:\n got %+v\nwant %+v", step.name, got, want)
			}
		}
		// A new user stating only its creation was last updated then, by its creator.
		if err := load(t, s, `oracle: {selfServiceUsers: [{userId: 101, loginId: sam, contactPartyId: 300100000000101, createdBy: import, creationDate: 2025-12-31T23:00:00Z}]}`); err != nil {
			t.Fatal(err)
		}
		var sam store.OracleSelfServiceUser
		if err := store.GormForTests(s).Take(&sam, "user_id = ?", 101).Error; err != nil {
			t.Fatal(err)
		}
		if sam.CreatedBy != "import" || sam.LastUpdatedBy != "import" || !sam.CreationDate.Equal(at("2025-12-31T23:00:00Z")) || !sam.LastUpdateDate.Equal(sam.CreationDate) {
			t.Errorf("new user stating its creation: %+v", sam)
		}
	})
}
