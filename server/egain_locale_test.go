package server

import (
	"net/http"
	"strings"
	"testing"

	"golang.org/x/text/language"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/store"
)

// TestAcceptLanguageBoundedWork: whatever the header, negotiation does bounded work before
// validation, authentication and rate limiting: a header over 1024 bytes is not parsed (and
// is no preference, not a 406), at most 32 entries are read, and language.Parse never sees a
// range of more than 16 subtags, so its time quadratic in variants stays small.
func TestAcceptLanguageBoundedWork(t *testing.T) {
	var calls, worst int
	saved := parseLanguageTag
	parseLanguageTag = func(s string) (language.Tag, error) {
		calls++
		worst = max(worst, strings.Count(s, "-")+1)
		return saved(s)
	}
	t.Cleanup(func() { parseLanguageTag = saved })

	for _, tc := range []struct {
		name, header, want string
		refused            bool // no entry is well-formed
	}{
		{"1 MB of entries", strings.Repeat("fr-CA, ", 1<<20/7), "en-US", false},
		{"100k variants", "de" + strings.Repeat("-1996a", 100_000), "en-US", false},
		{"1024 bytes of variants", "de" + strings.Repeat("-1996a", 170), "en-US", true},
		{"1024 bytes of entries", strings.Repeat("xx-Yyyy-ZZ-1996a, ", 1024/19), "en-US", false},
		{"1024 bytes of malformed entries", strings.Repeat("!,", 512), "en-US", true},
		{"one entry with 16 subtags", "de" + strings.Repeat("-1996a", 15), "de-DE", false},
		{"one entry with 17 subtags, then it", "de" + strings.Repeat("-1996a", 16) + ", it", "it-IT", false},
	} {
		calls, worst = 0, 0
		if got := egainLocales[negotiateLocale(tc.header)]; got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
		if err := validAcceptLanguage(tc.header); (err != nil) != tc.refused {
			t.Errorf("%s: refused %v, want %v", tc.name, err, tc.refused)
		}
		if calls > 2*maxWeightedListElements || worst > maxLanguageSubtags {
			t.Errorf("%s: %d calls of language.Parse, up to %d subtags", tc.name, calls, worst)
		}
	}
	// Over 1024 bytes: no preference, not refused.
	if err := validAcceptLanguage(strings.Repeat("!", 2000)); err != nil {
		t.Errorf("a header over 1024 bytes is refused: %v", err)
	}
	// Nothing is even joined or split for a header over the limit.
	h := http.Header{"Accept-Language": {strings.Repeat("fr-CA, ", 1<<20/7)}, "Accept": {strings.Repeat("application/xml, ", 1<<20/17)}}
	if allocs := testing.AllocsPerRun(10, func() { egainPreferencesFrom(h) }); allocs > 4 {
		t.Errorf("negotiating 1 MB headers allocates %v times", allocs)
	}
}

// BenchmarkNegotiateLongHeaders: go test -run '^$' -bench NegotiateLongHeaders ./server/
func BenchmarkNegotiateLongHeaders(b *testing.B) {
	for name, h := range map[string]http.Header{
		"1MB":          {"Accept-Language": {strings.Repeat("fr-CA, ", 1<<20/7)}, "Accept": {strings.Repeat("application/xml, ", 1<<20/17)}},
		"100kVariants": {"Accept-Language": {"de" + strings.Repeat("-1996a", 100_000)}},
		"1024Bytes":    {"Accept-Language": {strings.Repeat("xx-Yyyy-ZZ-1996a, ", 1024/19)}, "Accept": {strings.Repeat("text/html;q=0.5, ", 1024/17)}},
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				egainPreferencesFrom(h)
			}
		})
	}
}

func TestNegotiateLocale(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   string
	}{
		{"", "en-US"},
		{"*", "en-US"},
		{"fr-CA", "fr-CA"},
		{"fr", "fr-FR"},
		{"fr-CH", "fr-FR"},
		{"FR-be", "fr-FR"},
		{"pt", "pt-BR"},
		{"pt-AO", "pt-PT"},
		{"es-MX", "es-ES"},
		{"de-AT", "de-DE"},
		{"sv-FI", "sv-SE"},
		{"zh", "zh-CN"},
		{"zh-Hans-CN", "zh-CN"},
		{"ja", "ja-JP"},
		{"ko", "ko-KR"},
		{"nb", "da-DK"},
		{"en_US", "en-US"},
		{"pt_PT", "pt-PT"},
		{"zh-TW", "en-US"},     // only a weak match: the default
		{"xx-YY", "en-US"},     // well-formed, unknown
		{"x-private", "en-US"}, // well-formed, matches nothing
		{"de;q=0.5, it;q=0.8", "it-IT"},
		{"de;q=0.5, it;q=0.5", "de-DE"}, // header order on a tie
		{"xx, nl;q=0.1", "nl-NL"},
		{"zh-TW, ko;q=0.5", "ko-KR"},
		{"de;q=0, es", "es-ES"},
		{"de;q=0", "en-US"},
		{"*;q=0.1, ru", "ru-RU"},
		{"ru;q=0.5, *", "en-US"},
		// One bad entry does not discard the others.
		{"en-US;q=2, ja", "ja-JP"},
		{"fr_;x=1, sv", "sv-SE"},
		{"!!, da;q=0.3", "da-DK"},
		{"toolongsubtag, ko", "ko-KR"},
		{"de;q=0.1234, pt-PT;q=0.9", "pt-PT"},
		{"de;q=1.001, it", "it-IT"},
		{" , , es-ES ,", "es-ES"},
		// q=0 excludes the locales the entry names, unless a more specific entry names them.
		{"fr-FR;q=0, fr", "fr-CA"},
		{"fr;q=0, fr-CA", "fr-CA"},
		{"fr;q=0, fr-FR;q=0.5, fr-CA;q=0.1", "fr-FR"},
		{"fr;q=0, fr-CH", "en-US"},
		{"pt;q=0, pt-PT;q=0.5, pt", "pt-PT"},
		{"de;q=0, DE", "en-US"},
		{"*;q=0, de-AT", "de-DE"},
		{"en;q=0, *", "es-ES"},
		{"fr-CH;q=0, fr", "fr-FR"},
		// Quoted strings and parameters: a language range takes none but its weight.
		{`de;x="a, it", nl;q=0.5`, "nl-NL"},
	} {
		if got := egainLocales[negotiateLocale(tc.header)]; got != tc.want {
			t.Errorf("Accept-Language %q: %s, want %s", tc.header, got, tc.want)
		}
		if err := validAcceptLanguage(tc.header); err != nil {
			t.Errorf("Accept-Language %q refused: %v", tc.header, err)
		}
	}
	for _, header := range []string{"en-US;q=2", ";q=1", "fr_;x=1", "!!", "en US", "de;q=", "de;q=0.5;x=1", "*-US", "a-b_c-", "1abc"} {
		if err := validAcceptLanguage(header); err == nil {
			t.Errorf("Accept-Language %q has no well-formed entry but passes", header)
		}
	}
}

// TestErrorMessagesInEveryLocale asks for the same error in each of the 15 locales through
// the stack: the code never changes, Content-Language names the locale, and the messages
// are the locale's own.
func TestErrorMessagesInEveryLocale(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newHarness(t, dialect)
		token := h.userToken("viewer")
		english := map[string]string{}
		for _, locale := range egainLocales {
			for _, mediaType := range []string{jsonType, xmlType} {
				r := post(token, grantBody("1000", "1002"))
				r.headers = map[string]string{"Accept-Language": locale, "X-egain-error-message": "yes", "Accept": mediaType}
				rec := h.do(r)
				body := wsError(t, rec, 403, "403-178")
				if got := rec.Header().Get("Content-Language"); got != locale {
					t.Errorf("%s: Content-Language %s", locale, got)
				}
				if !strings.Contains(body.DeveloperMessage, "'Edit Customer'") || !strings.Contains(*body.UserMessage, "'Edit Customer'") {
					t.Errorf("%s: messages lost the action: %q, %q", locale, body.DeveloperMessage, *body.UserMessage)
				}
				if locale == "en-US" {
					english["developer"], english["user"] = body.DeveloperMessage, *body.UserMessage
				} else if body.DeveloperMessage == english["developer"] || *body.UserMessage == english["user"] {
					t.Errorf("%s: messages in English: %q, %q", locale, body.DeveloperMessage, *body.UserMessage)
				}
			}
		}
	})
}

func TestAcceptLanguageThroughTheStack(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newHarness(t, dialect)
		token := h.userToken("agent")
		withLanguage := func(r request, value string) request {
			if r.headers == nil {
				r.headers = map[string]string{}
			}
			r.headers["Accept-Language"] = value
			return r
		}

		// Successes say which locale was used too.
		for _, tc := range []struct {
			r      request
			status int
		}{
			{withLanguage(post(token, grantBody("1000", "1002")), "fr-CH, en;q=0.5"), 201},
			{withLanguage(get(token, grantsPath("1000")), "fr-CH, en;q=0.5"), 200},
			{withLanguage(request{method: http.MethodDelete, path: grantedCustomerPath("1000", "1002"), token: token}, "fr-CH, en;q=0.5"), 204},
		} {
			rec := h.do(tc.r)
			if rec.Code != tc.status || rec.Header().Get("Content-Language") != "fr-FR" {
				t.Errorf("%s %s: %d with Content-Language %q, want %d with fr-FR", tc.r.method, tc.r.path, rec.Code, rec.Header().Get("Content-Language"), tc.status)
			}
		}

		// A header without one well-formed entry: 406-100 in en-US, in the format asked for.
		r := withLanguage(get(token, grantsPath("1000")), "en-US;q=2, fr_;x=1")
		r.headers["Accept"] = xmlType
		rec := h.do(r)
		body := wsError(t, rec, 406, "406-100")
		if rec.Header().Get("Content-Type") != xmlType || rec.Header().Get("Content-Language") != "en-US" {
			t.Errorf("406-100 in %s, %s", rec.Header().Get("Content-Type"), rec.Header().Get("Content-Language"))
		}
		if got := detailValues(body, "Accept-Language"); len(got) != 1 || got[0] != "en-US;q=2, fr_;x=1" {
			t.Errorf("details %v", got)
		}

		// Plural forms through the stack: the 75-limit in Russian.
		h2 := newHarness(t, dialect, manyCustomers(5000, 80))
		client := h2.clientToken("crm-sync")
		if rec := h2.do(post(client, grantBody("1000", idRange(5000, 75)...))); rec.Code != 201 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		r = withLanguage(post(client, grantBody("1000", "5075")), "ru")
		r.headers["X-egain-error-message"] = "yes"
		body = wsError(t, h2.do(r), 400, "400-306")
		if want := "не более 75 клиентов; сейчас их 75, запрос добавляет 1."; !strings.Contains(body.DeveloperMessage, want) {
			t.Errorf("developerMessage %q, want it to contain %q", body.DeveloperMessage, want)
		}
		if want := "Разрешения на одного клиента могут иметь не более 75 клиентов."; *body.UserMessage != want {
			t.Errorf("userMessage %q, want %q", *body.UserMessage, want)
		}
	})
}

func TestLocalizedReasons(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newHarness(t, dialect)
		r := post(h.userToken("agent"), grantBody("1000", idRange(5000, 76)...))
		r.headers = map[string]string{"Accept-Language": "de-DE"}
		body := wsError(t, h.do(r), 400, "400-152")
		if want := "Ungültiger Wert für das Attribut 'grantsTo.customer' im Anfragetext: höchstens 75 Einträge sind zulässig."; body.DeveloperMessage != want {
			t.Errorf("developerMessage %q, want %q", body.DeveloperMessage, want)
		}
		r = postAs(xmlType, h.userToken("agent"), `<!DOCTYPE grants>`+xmlGrantBody("1000", "1002"))
		r.headers["Accept-Language"] = "ja"
		body = wsError(t, h.do(r), 400, "400-202")
		if want := "リクエスト本文の形式が正しくありません: 文書型宣言とエンティティは受け付けません。"; body.DeveloperMessage != want {
			t.Errorf("developerMessage %q, want %q", body.DeveloperMessage, want)
		}
	})
}

// TestPluralsFollowTheListedIDs: messages that list ids take the plural form of how many
// they list, in each language's categories (Russian: 21 one, 22 few, 25 many).
func TestPluralsFollowTheListedIDs(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := newHarness(t, dialect)
		token := h.userToken("agent")
		ask := func(r request, locale string) gen.WSError {
			r.headers = map[string]string{"Accept-Language": locale, "X-egain-error-message": "yes"}
			rec := h.do(r)
			if rec.Code < 400 {
				t.Fatalf("status %d", rec.Code)
			}
			return decodeWSError(t, rec)
		}
		for _, tc := range []struct {
			locale string
			ids    []string
			want   string
		}{
			{"en-US", idRange(9000, 1), "1 customer not found: '9000'."},
			{"en-US", idRange(9000, 2), "2 customers not found: '9000, 9001'."},
			{"de-DE", idRange(9000, 1), "1 Kunde nicht gefunden: '9000'."},
			{"de-DE", idRange(9000, 3), "3 Kunden nicht gefunden: "},
			{"fr-FR", idRange(9000, 1), "1 client introuvable : '9000'."},
			{"fr-FR", idRange(9000, 2), "2 clients introuvables : "},
			{"ru-RU", idRange(9000, 21), "21 клиент не найден: "},
			{"ru-RU", idRange(9000, 22), "22 клиента не найдены: "},
			{"ru-RU", idRange(9000, 25), "25 клиентов не найдено: "},
			{"ja-JP", idRange(9000, 2), "2 人の顧客が見つかりません: "},
		} {
			body := ask(post(token, grantBody("1000", tc.ids...)), tc.locale)
			if body.Code != "400-301" || !strings.HasPrefix(body.DeveloperMessage, tc.want) {
				t.Errorf("%s, %d ids: %s %q, want it to start with %q", tc.locale, len(tc.ids), body.Code, body.DeveloperMessage, tc.want)
			}
		}
		// The other messages that list ids.
		for _, tc := range []struct {
			r      request
			locale string
			want   string
		}{
			{request{method: http.MethodDelete, path: grantedCustomerPath("8888", "9999"), token: token}, "en-US", "2 ids in the URI path not found: '8888, 9999'."},
			{request{method: http.MethodDelete, path: grantedCustomerPath("1000", "9999"), token: token}, "it-IT", "1 ID nel percorso dell'URI non trovato: '9999'."},
			{get(h.userToken("homebody"), grantsPath("2000")), "en-US", "Not authorized: 1 customer is outside the user's home and foreign departments: '2000'."},
			{post(token, grantBody("1000", "1500")), "es-ES", "1 cliente no es un cliente individual: '1500'; "},
		} {
			if body := ask(tc.r, tc.locale); !strings.HasPrefix(body.DeveloperMessage, tc.want) {
				t.Errorf("%s %s in %s: %q, want it to start with %q", tc.r.method, tc.r.path, tc.locale, body.DeveloperMessage, tc.want)
			}
		}
	})
}
