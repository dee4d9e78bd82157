package auth

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"

	"github.com/custaccess/custaccess/server/internal/untrusted"
)

// What every verifier refuses beyond golang-jwt's checks, once the signature holds.

// refuseCriticalHeader refuses a token whose header has crit: it names extensions that
// must be understood (RFC 7515 §4.1.11), and this service understands none.
func refuseCriticalHeader(token *jwt.Token) error {
	if _, present := token.Header["crit"]; present {
		return errors.New("token has a crit header: its extensions are not understood")
	}
	return nil
}

// checkClaimsText refuses a token whose payload is not UTF-8 (RFC 7519 §7.2, which
// encoding/json would hide by writing U+FFFD), whose exp, nbf or iat is not a JSON number
// (a NumericDate, RFC 7519 §2; golang-jwt also reads a numeric string), or whose claims the
// service reads (subject, kind, scope, issuer) break the text rule.
func checkClaimsText(raw string, claims *Claims) error {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return errors.New("token is not a JWS compact serialization")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return errors.New("token payload is not base64url")
	}
	if !utf8.Valid(payload) {
		return errors.New("token payload is not UTF-8")
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(payload, &members); err != nil {
		return fmt.Errorf("token payload: %w", err)
	}
	for _, name := range []string{"exp", "nbf", "iat"} {
		if value, present := members[name]; present && !isJSONNumber(value) {
			return fmt.Errorf("claim %s is not a NumericDate (a JSON number)", name)
		}
	}
	for name, value := range map[string]string{"sub": claims.Subject, "principal_type": string(claims.Kind), "scope": claims.Scope, "iss": claims.Issuer, "azp": claims.AuthorizedParty} {
		if fault := untrusted.TextFault(value); fault != "" {
			return fmt.Errorf("claim %s: %s", name, fault)
		}
	}
	return nil
}

func isJSONNumber(value json.RawMessage) bool {
	s := strings.TrimSpace(string(value))
	return s != "" && (s[0] == '-' || (s[0] >= '0' && s[0] <= '9'))
}
