package auth_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// signHS256 signs header and payload, both as written (so that they may hold what a JSON
// encoder would not write), with the harness's secret.
func signHS256(header, payload string) string {
	enc := base64.RawURLEncoding
	signingInput := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	mac := hmac.New(sha256.New, servertest.Secret)
	mac.Write([]byte(signingInput))
	return signingInput + "." + enc.EncodeToString(mac.Sum(nil))
}

// TestBuiltInTokensWithMalformedClaimsAreRefused: validly signed tokens whose claims are
// not what RFC 7519 and RFC 7515 allow, or hold text the service cannot store (invalid
// UTF-8, NUL, control characters in the claims it reads), are invalid tokens: 401 in
// each API's shape on every database, never a 500 from PostgreSQL.
func TestBuiltInTokensWithMalformedClaimsAreRefused(t *testing.T) {
	now := time.Now().Unix()
	iat, exp := strconv.FormatInt(now, 10), strconv.FormatInt(now+3600, 10)
	const header = `{"alg":"HS256","typ":"JWT"}`
	payload := func(sub, extra string) string {
		return `{"iss":"custaccess","sub":"` + sub + `","principal_type":"user","scope":"core.customermgr.read reltio.roles.read","iat":` + iat + `,"exp":` + exp + extra + `}`
	}
	tokens := map[string]string{
		"exp as a numeric string":            signHS256(header, `{"iss":"custaccess","sub":"agent","principal_type":"user","scope":"core.customermgr.read","iat":`+iat+`,"exp":"`+exp+`"}`),
		"iat as a numeric string":            signHS256(header, `{"iss":"custaccess","sub":"agent","principal_type":"user","scope":"core.customermgr.read","iat":"`+iat+`","exp":`+exp+`}`),
		"a crit header":                      signHS256(`{"alg":"HS256","typ":"JWT","crit":["exp"]}`, payload("agent", "")),
		"sub with NUL":                       signHS256(header, payload(`agent\u0000`, "")),
		"sub with a control":                 signHS256(header, payload(`agent\u0007`, "")),
		"sub with invalid UTF-8":             signHS256(header, payload("agent\xff", "")),
		"scope with invalid UTF-8":           signHS256(header, `{"iss":"custaccess","sub":"agent","principal_type":"user","scope":"core.customermgr.read \xc0\xaf","iat":`+iat+`,"exp":`+exp+`}`),
		"an unread claim with invalid UTF-8": signHS256(header, payload("agent", `,"note":"\xed\xa0\x80"`)),
	}
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect, servertest.ReltioFixture, servertest.OracleFixture)
		// The control: the same construction, well-formed, is accepted.
		if rec := h.Do(servertest.Get(signHS256(header, payload("agent", "")), servertest.GrantsPath("1000"))); rec.Code >= 300 {
			t.Fatalf("well-formed token: %d %s", rec.Code, rec.Body)
		}
		for name, token := range tokens {
			t.Run(name, func(t *testing.T) {
				if _, err := h.Tokens.Parse(token); err == nil {
					t.Error("Tokens.Parse accepted it")
				}
				servertest.WSError(t, h.Do(servertest.Get(token, servertest.GrantsPath("1000"))), 401, "401-101")
				servertest.ReltioErr(t, h.Do(servertest.Get(token, servertest.ReltioPath("TestCustomer", "/roles"))), 401, 40102)
				servertest.ADFErrorOf(t, h.Do(servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Pat), token, "")), 401, "ADF_REST_INVALID_TOKEN")
			})
		}
	})
}
