package auth_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// skewCase is a token whose times are off by skew from the verifier's clock in one claim.
type skewCase struct {
	name string
	// claim is exp, iat or nbf; skew is how far it lies from now (negative: in the past).
	claim string
	skew  time.Duration
	// refusal is the verifier's reason when the token is refused; "" when it is accepted.
	refusal string
}

// skewCases straddle tokenLeeway (30 s): 10 s off is within it, 45 s off is not.
var skewCases = []skewCase{
	{"expired 10 s ago", "exp", -10 * time.Second, ""},
	{"expired 45 s ago", "exp", -45 * time.Second, "token is expired"},
	{"issued 10 s ahead", "iat", 10 * time.Second, ""},
	{"issued 45 s ahead", "iat", 45 * time.Second, "token used before issued"},
	{"valid from 10 s ahead", "nbf", 10 * time.Second, ""},
	{"valid from 45 s ahead", "nbf", 45 * time.Second, "token is not valid yet"},
}

// skewedTimes are the iat, nbf and exp of a token valid for an hour around now, with the
// case's claim alone moved by its skew.
func skewedTimes(now time.Time, tc skewCase) (iat, nbf, exp time.Time) {
	iat, nbf, exp = now.Add(-time.Minute), now.Add(-time.Minute), now.Add(time.Hour)
	switch tc.claim {
	case "exp":
		exp = now.Add(tc.skew)
	case "iat":
		iat = now.Add(tc.skew)
	case "nbf":
		nbf = now.Add(tc.skew)
	}
	return iat, nbf, exp
}

// TestClockSkewIsAllowed: both kinds of token are accepted up to tokenLeeway past their
// expiry or before their iat and nbf, and refused beyond it, with 401-101 for the reason
// the case names (read from the request's log line, so that another check cannot stand in).
func TestClockSkewIsAllowed(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		idp := auth.NewTestIdentityProvider(t)
		h, logs := loggedIdentityProviderHarness(t, dialect, idp.Config())
		// The built-in verifier's clock stands still, so the margins are exact.
		builtInNow := time.Now().Truncate(time.Second)
		h.Tokens.SetClock(func() time.Time { return builtInNow })
		builtIn := func(tc skewCase) string {
			iat, nbf, exp := skewedTimes(builtInNow, tc)
			claims := auth.Claims{Kind: auth.PrincipalUser, Scope: "core.customermgr.read", RegisteredClaims: jwt.RegisteredClaims{
				Issuer: auth.TokenIssuer, Subject: "agent",
				IssuedAt: jwt.NewNumericDate(iat), NotBefore: jwt.NewNumericDate(nbf), ExpiresAt: jwt.NewNumericDate(exp),
			}}
			signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(servertest.Secret)
			if err != nil {
				t.Fatal(err)
			}
			return signed
		}
		// The provider's verifier reads the system clock: a case takes far less than the
		// 15 s between its skew and the leeway.
		external := func(tc skewCase) string {
			iat, nbf, exp := skewedTimes(time.Now(), tc)
			claims := auth.ValidClaims("agent", "core.customermgr.read")
			claims["iat"], claims["nbf"], claims["exp"] = iat.Unix(), nbf.Unix(), exp.Unix()
			return idp.Sign("rsa-1", claims)
		}

		for kind, sign := range map[string]func(skewCase) string{"built-in": builtIn, "provider": external} {
			for _, tc := range skewCases {
				t.Run(kind+"/"+tc.name, func(t *testing.T) {
					logs.Reset()
					rec := h.Do(servertest.Get(sign(tc), servertest.GrantsPath("1000")))
					if tc.refusal == "" {
						if rec.Code != http.StatusNoContent {
							t.Fatalf("%d %s, want 204; log %s", rec.Code, rec.Body, logs.String())
						}
						return
					}
					servertest.WSError(t, rec, http.StatusUnauthorized, "401-101")
					lines := servertest.LinesWithMessage(servertest.LogLines(t, logs), "request")
					if len(lines) != 1 {
						t.Fatalf("%d request lines", len(lines))
					}
					if reason, _ := lines[0]["reason"].(string); !strings.Contains(reason, tc.refusal) {
						t.Errorf("refused because %q, want %q", reason, tc.refusal)
					}
				})
			}
		}
	})
}
