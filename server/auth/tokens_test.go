package auth_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/custaccess/custaccess/server/auth"
)

// TestVerifiedTokenIsCheckedAgainstTheClock: a token met again is not decoded again, but its
// times are checked again: refused once past its expiry and the leeway, accepted while
// within them, and each answer's claims are the caller's own.
func TestVerifiedTokenIsCheckedAgainstTheClock(t *testing.T) {
	tokens, err := auth.NewTokens([]byte(strings.Repeat("s", 32)))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Truncate(time.Second)
	tokens.SetClock(func() time.Time { return now })
	raw, err := tokens.Issue(auth.PrincipalClient, "load", []string{"core.customermgr.write"}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	first, err := tokens.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	first.Subject = "changed by its caller"
	cases := []struct {
		name    string
		at      time.Duration // from the token's issue
		refusal string        // "" when accepted
	}{
		{"again at once", 0, ""},
		{"within the leeway past expiry", time.Minute + 20*time.Second, ""},
		{"past expiry and the leeway", time.Minute + 31*time.Second, "token is expired"},
		{"before issue, beyond the leeway", -31 * time.Second, "token used before issued"},
		{"before issue, within the leeway", -20 * time.Second, ""},
	}
	issued := now
	for _, c := range cases {
		now = issued.Add(c.at)
		claims, err := tokens.Parse(raw)
		switch {
		case c.refusal == "" && err != nil:
			t.Errorf("%s: refused: %v", c.name, err)
		case c.refusal == "" && claims.Subject != "load":
			t.Errorf("%s: subject %q, want load (a caller's change kept)", c.name, claims.Subject)
		case c.refusal != "" && (err == nil || !strings.Contains(err.Error(), c.refusal)):
			t.Errorf("%s: error %v, want %q", c.name, err, c.refusal)
		}
		if err == nil {
			claims.Subject = "changed by its caller"
		}
	}
}

// TestVerifiedTokensAreBounded: however many tokens are verified, a Tokens remembers at most
// MaxVerifiedTokens, and a token it forgot is verified again.
func TestVerifiedTokensAreBounded(t *testing.T) {
	tokens, err := auth.NewTokens([]byte(strings.Repeat("s", 32)))
	if err != nil {
		t.Fatal(err)
	}
	var first string
	for i := range auth.MaxVerifiedTokens + 10 {
		raw, err := tokens.Issue(auth.PrincipalUser, fmt.Sprintf("user-%d", i), nil, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = raw
		}
		if _, err := tokens.Parse(raw); err != nil {
			t.Fatal(err)
		}
		if n := auth.VerifiedTokensForTests(tokens); n > auth.MaxVerifiedTokens {
			t.Fatalf("after %d tokens it remembers %d", i+1, n)
		}
	}
	if claims, err := tokens.Parse(first); err != nil || claims.Subject != "user-0" {
		t.Fatalf("the first token again: %+v, %v", claims, err)
	}
}
