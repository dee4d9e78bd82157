package auth_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/custaccess/custaccess/server/auth"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/server/internal/untrusted"
	"github.com/custaccess/custaccess/store"
)

// hugeValue is far longer than any log line should be.
func hugeValue(letter string) string { return strings.Repeat(letter, 50_000) }

// forgedToken is a token with any header and claims and a signature nobody made: what a
// caller without keys sends.
func forgedToken(t *testing.T, header, claims map[string]any) string {
	t.Helper()
	segment := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return segment(header) + "." + segment(claims) + "." + base64.RawURLEncoding.EncodeToString([]byte("forged"))
}

// TestRefusedTokensLogBoundedReasons: a token refused for a huge header or claim value
// writes a log line of bounded size, whose reason still shows the value's start.
func TestRefusedTokensLogBoundedReasons(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		idp := auth.NewTestIdentityProvider(t)
		provider := idp.Config()
		provider.TokenType = "at+jwt"
		h, logs := loggedIdentityProviderHarness(t, dialect, provider)
		providerSigned := func(claims jwt.MapClaims) string {
			token := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
			token.Header["kid"], token.Header["typ"] = "rsa-1", "at+jwt"
			signed, err := token.SignedString(auth.TestRSAKeys()[0])
			if err != nil {
				t.Fatal(err)
			}
			return signed
		}
		builtInSigned := func(claims jwt.MapClaims) string {
			signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(servertest.Secret)
			if err != nil {
				t.Fatal(err)
			}
			return signed
		}
		claims := auth.ValidClaims("agent", "core.customermgr.read")
		with := func(key string, value any) jwt.MapClaims {
			changed := jwt.MapClaims{}
			for k, v := range claims {
				changed[k] = v
			}
			changed[key] = value
			return changed
		}
		hugeNumber := json.Number("1" + hugeValue("0"))
		// quotedStart is how a reason quotes a huge value: its start, and its length.
		quotedStart := func(letter string) string {
			return `"` + strings.Repeat(letter, untrusted.MaxQuotedLength) + `"…(50000 bytes)`
		}

		for _, tc := range []struct {
			name, token string
			// shows is what the reason must say, naming the value.
			shows string
		}{
			{"typ", forgedToken(t, map[string]any{"alg": "RS256", "kid": "rsa-1", "typ": hugeValue("t")}, claims),
				"token type " + quotedStart("t") + `, want "at+jwt"`},
			// Cut between whole characters, counted as characters.
			{"typ of three-byte characters", forgedToken(t, map[string]any{"alg": "RS256", "kid": "rsa-1", "typ": hugeValue("€")}, claims),
				`token type "` + strings.Repeat("€", untrusted.MaxQuotedLength) + `"…(150000 bytes), want "at+jwt"`},
			{"kid", forgedToken(t, map[string]any{"alg": "RS256", "kid": hugeValue("k"), "typ": "at+jwt"}, claims),
				"key id " + quotedStart("k") + ": " + auth.ErrUnknownKey.Error()},
			{"provider's claim that is not a number", forgedToken(t, map[string]any{"alg": "RS256", "kid": "rsa-1", "typ": "at+jwt"}, with("exp", hugeNumber)),
				"could not JSON decode claim: json: cannot unmarshal number 1000"},
			{"provider's kind claim", providerSigned(with("principal_type", hugeValue("p"))),
				"claim principal_type " + quotedStart("p") + " names neither a user, a client nor a customer"},
			{"built-in claim that is not a number", forgedToken(t, map[string]any{"alg": "HS256"}, with("exp", hugeNumber)),
				"could not JSON decode claim: json: cannot unmarshal number 1000"},
			{"built-in kind claim", builtInSigned(jwt.MapClaims{"iss": auth.TokenIssuer, "sub": "agent", "exp": claims["exp"], "iat": claims["iat"],
				"principal_type": hugeValue("p")}), "principal_type " + quotedStart("p") + " is neither user, client nor customer"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				logs.Reset()
				servertest.WSError(t, h.Do(servertest.Get(tc.token, servertest.GrantsPath("1000"))), http.StatusUnauthorized, "401-101")
				text := logs.String()
				lines := servertest.LinesWithMessage(servertest.LogLines(t, logs), "request")
				if len(lines) != 1 {
					t.Fatalf("%d request lines", len(lines))
				}
				if len(text) > 2048 {
					t.Fatalf("the refusal wrote %d bytes of log, want at most 2 KB", len(text))
				}
				if reason, _ := lines[0]["reason"].(string); !strings.Contains(reason, tc.shows) {
					t.Errorf("reason %q does not say %q", reason, tc.shows)
				}
			})
		}
	})
}
