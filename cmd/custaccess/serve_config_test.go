package main

import (
	"io"
	"net/netip"
	"slices"
	"testing"

	"github.com/custaccess/custaccess/server/auth"
)

// TestIdentityProviderSettings: each --idp-* flag, and its CUSTACCESS_IDP_* variable, reaches
// its own field of the server's IdentityProvider and no other, every other field keeping
// its default; a flag bound to the wrong field fails its row.
func TestIdentityProviderSettings(t *testing.T) {
	const jwksURL = "https://idp.example.com/jwks"
	defaults := auth.IdentityProvider{
		JWKSURL: jwksURL, SubjectClaim: "sub", KindClaim: "principal_type", UserKind: "user", ClientKind: "client", ScopeClaim: "scope",
	}
	for _, row := range []struct {
		flag, env string
		field     func(*auth.IdentityProvider) *string
	}{
		{"jwks-url", "CUSTACCESS_JWKS_URL", func(p *auth.IdentityProvider) *string { return &p.JWKSURL }},
		{"idp-issuer", "CUSTACCESS_IDP_ISSUER", func(p *auth.IdentityProvider) *string { return &p.Issuer }},
		{"idp-audience", "CUSTACCESS_IDP_AUDIENCE", func(p *auth.IdentityProvider) *string { return &p.Audience }},
		{"idp-subject-claim", "CUSTACCESS_IDP_SUBJECT_CLAIM", func(p *auth.IdentityProvider) *string { return &p.SubjectClaim }},
		{"idp-client-subject-claim", "CUSTACCESS_IDP_CLIENT_SUBJECT_CLAIM", func(p *auth.IdentityProvider) *string { return &p.ClientSubjectClaim }},
		{"idp-kind-claim", "CUSTACCESS_IDP_KIND_CLAIM", func(p *auth.IdentityProvider) *string { return &p.KindClaim }},
		{"idp-user-kind", "CUSTACCESS_IDP_USER_KIND", func(p *auth.IdentityProvider) *string { return &p.UserKind }},
		{"idp-client-kind", "CUSTACCESS_IDP_CLIENT_KIND", func(p *auth.IdentityProvider) *string { return &p.ClientKind }},
		{"idp-customer-kind", "CUSTACCESS_IDP_CUSTOMER_KIND", func(p *auth.IdentityProvider) *string { return &p.CustomerKind }},
		{"idp-customer-subject-claim", "CUSTACCESS_IDP_CUSTOMER_SUBJECT_CLAIM", func(p *auth.IdentityProvider) *string { return &p.CustomerSubjectClaim }},
		{"idp-scope-claim", "CUSTACCESS_IDP_SCOPE_CLAIM", func(p *auth.IdentityProvider) *string { return &p.ScopeClaim }},
		{"idp-token-type", "CUSTACCESS_IDP_TOKEN_TYPE", func(p *auth.IdentityProvider) *string { return &p.TokenType }},
	} {
		value := "https://value-of-" + row.flag // a URL, so that it also fits the JWKS URL
		want := defaults
		*row.field(&want) = value
		for _, via := range []string{"flag", "environment"} {
			t.Run(row.flag+" by "+via, func(t *testing.T) {
				args := []string{"--jwks-url", jwksURL}
				if via == "flag" {
					args = append(args, "--"+row.flag, value)
				} else {
					t.Setenv(row.env, value)
					if row.flag == "jwks-url" {
						args = nil // the flag would beat the variable
					}
				}
				_, cfg := newFlags("serve", io.Discard)
				settings := registerServeFlags(cfg)
				if err := cfg.parse(args); err != nil {
					t.Fatal(err)
				}
				got := settings.serverConfig().IdentityProvider
				if got == nil {
					t.Fatal("no identity provider configured")
				}
				if *got != want {
					t.Errorf("%s %s set\n got %+v\nwant %+v", via, row.flag, *got, want)
				}
			})
		}
	}
}

// TestProxySettings: --public-url and --trusted-proxies, and their variables, reach the
// server's Config, the URL in its canonical form.
func TestProxySettings(t *testing.T) {
	for _, via := range []string{"flag", "environment"} {
		t.Run(via, func(t *testing.T) {
			var args []string
			if via == "flag" {
				args = []string{"--public-url", "https://crm.example.com/", "--trusted-proxies", "10.0.0.0/8, 192.0.2.7"}
			} else {
				t.Setenv("CUSTACCESS_PUBLIC_URL", "https://crm.example.com/")
				t.Setenv("CUSTACCESS_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7")
			}
			_, cfg := newFlags("serve", io.Discard)
			settings := registerServeFlags(cfg)
			if err := cfg.parse(args); err != nil {
				t.Fatal(err)
			}
			got := settings.serverConfig()
			if got.PublicURL != "https://crm.example.com" {
				t.Errorf("public URL %q", got.PublicURL)
			}
			want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32")}
			if !slices.Equal(got.TrustedProxies, want) {
				t.Errorf("trusted proxies %v, want %v", got.TrustedProxies, want)
			}
		})
	}
}
