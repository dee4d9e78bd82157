package store

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// referenceCanonicalAuditJSON is the canonical JSON by its definition: everything decoded,
// and written again by encoding/json, whose maps come out with their keys sorted.
func referenceCanonicalAuditJSON(t *testing.T, c AuditEventContent) []byte {
	t.Helper()
	var changes any
	decoder := json.NewDecoder(bytes.NewReader(c.Changes))
	decoder.UseNumber()
	if err := decoder.Decode(&changes); err != nil {
		t.Fatal(err)
	}
	targets := make([]any, len(c.Targets))
	for i, target := range c.Targets {
		targets[i] = map[string]any{"type": target.Type, "id": target.ID}
	}
	canonical, err := json.Marshal(map[string]any{
		"time": c.Time.UTC().Format(auditTimeLayout), "api": c.API, "operationId": c.OperationID,
		"actor":     map[string]any{"kind": c.Actor.Kind, "id": c.Actor.ID, "issuer": c.Actor.Issuer, "client": c.Actor.Client},
		"requestId": c.RequestID, "targets": targets, "changes": changes,
	})
	if err != nil {
		t.Fatal(err)
	}
	return canonical
}

// TestCanonicalAuditJSON: the field-by-field canonical JSON is the definition's, byte for
// byte, whether the changes are taken as they are or decoded and re-encoded.
func TestCanonicalAuditJSON(t *testing.T) {
	at := time.Date(2026, 12, 7, 12, 0, 0, 123456000, time.FixedZone("x", 3600))
	for _, tc := range []struct {
		name    string
		changes string
		asIs    bool // plainSortedJSON takes it as it is
	}{
		{"a grant", `{"grants":{"after":[{"grantedOn":"1","grantee":"2"}],"before":[]}}`, true},
		{"keys out of order", `{"grants":{"before":[],"after":[{"grantee":"2","grantedOn":"1"}]}}`, false},
		{"repeated key", `{"a":1,"a":2}`, false},
		{"nested out of order", `{"a":{"z":1,"b":[{"y":true,"x":null}]},"b":2}`, false},
		{"numbers as written", `{"n":[1.50,-0,1e6,12345678901234567890]}`, true},
		{"spaces", `{ "a" : 1 }`, false},
		{"space in a string", `{"a":"x y"}`, true},
		{"escapes", `{"a":"quote \" backslash \\ tab \t"}`, false},
		{"html", `{"a":"<b>&amp;</b>"}`, false},
		{"unicode", `{"a":"Zoë – 東京","b":"\u2028"}`, false},
		{"escaped html", `{"a":"\u003cb\u003e"}`, false},
		{"key prefix order", `{"ab":1,"abc":2,"b":3}`, true},
		{"not an object", `["b","a"]`, true},
		{"empty", `{}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := plainSortedJSON([]byte(tc.changes)); got != tc.asIs {
				t.Errorf("plainSortedJSON = %v, want %v", got, tc.asIs)
			}
			c := AuditEventContent{
				Time: at, API: "egain", OperationID: "op<&>", RequestID: "r\"1",
				Actor:   AuditActor{Kind: "user", ID: "zoë", Issuer: "https://idp", Client: ""},
				Targets: []AuditTarget{{Type: "customer", ID: "1"}, {Type: "customer", ID: "\u2028"}},
				Changes: json.RawMessage(tc.changes),
			}
			got, err := canonicalAuditJSON(c)
			if err != nil {
				t.Fatal(err)
			}
			if want := referenceCanonicalAuditJSON(t, c); !bytes.Equal(got, want) {
				t.Fatalf("canonical JSON\n got %s\nwant %s", got, want)
			}
		})
	}
	for _, bad := range []string{`{"a":1} {"b":2}`, `{"a":1}x`, `{"a":`, ``} {
		if _, err := canonicalAuditJSON(AuditEventContent{Changes: json.RawMessage(bad)}); err == nil {
			t.Errorf("changes %q: no error", bad)
		}
	}
}

// TestHandWrittenAuditJSON compares the JSON the write path writes by hand with what
// encoding/json writes for the same values, byte for byte: strings plain and needing
// escapes, the stored targets column, and eGain's grants-created changes.
func TestHandWrittenAuditJSON(t *testing.T) {
	for _, s := range []string{"", "123", "client-1", "a\"b", `back\slash`, "<&>", "tab\there", "é", "\u2028", "\x7f", "\x00"} {
		want, _ := json.Marshal(s)
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	}
	for _, targets := range [][]AuditTarget{{}, {{Type: AuditTargetCustomer, ID: "1"}},
		{{Type: AuditTargetOracleUser, ID: "100"}, {Type: "odd\"type", ID: "<id>"}}} {
		want, _ := json.Marshal(targets)
		if got := appendStoredAuditTargets(nil, targets); !bytes.Equal(got, want) {
			t.Errorf("appendStoredAuditTargets(%v) = %s, want %s", targets, got, want)
		}
	}
	for _, grantees := range [][]int64{{}, {2}, {2, 30, 400}} {
		grants := make([]auditGrant, len(grantees))
		targets := make([]AuditTarget, len(grantees))
		for i, id := range grantees {
			grants[i] = auditGrant{GrantedOn: "1001", Grantee: formatAuditID(id)}
			targets[i] = AuditTarget{Type: AuditTargetCustomer, ID: formatAuditID(id)}
		}
		want, _ := json.Marshal(map[string]auditChange{"grants": {Before: []auditGrant{}, After: grants}})
		got := grantsCreatedChanges("1001", targets)
		if !bytes.Equal(got, want) {
			t.Errorf("grantsCreatedChanges(%v) = %s, want %s", grantees, got, want)
		}
		if !plainSortedJSON(got) { // appendAudit takes them as canonical
			t.Errorf("grantsCreatedChanges(%v) = %s, not in canonical form", grantees, got)
		}
	}
}
