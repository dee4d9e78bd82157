package egain_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/gen"
	"github.com/custaccess/custaccess/server/internal/egain"
	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

// TestErrorMessagesInEveryLocale asks for the same error in each of the 15 locales through
// the stack: the code never changes, Content-Language names the locale, and the messages
// are the locale's own.
func TestErrorMessagesInEveryLocale(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect)
		token := h.UserToken("viewer")
		english := map[string]string{}
		for _, locale := range egain.Locales() {
			for _, mediaType := range []string{jsonType, xmlType} {
				r := servertest.Post(token, servertest.GrantBody("1000", "1002"))
				r.Headers = map[string]string{"Accept-Language": locale, "X-egain-error-message": "yes", "Accept": mediaType}
				rec := h.Do(r)
				body := servertest.WSError(t, rec, 403, "403-178")
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
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect)
		token := h.UserToken("agent")
		withLanguage := func(r servertest.Request, value string) servertest.Request {
			if r.Headers == nil {
				r.Headers = map[string]string{}
			}
			r.Headers["Accept-Language"] = value
			return r
		}

		// Successes say which locale was used too.
		for _, tc := range []struct {
			r      servertest.Request
			status int
		}{
			{withLanguage(servertest.Post(token, servertest.GrantBody("1000", "1002")), "fr-CH, en;q=0.5"), 201},
			{withLanguage(servertest.Get(token, servertest.GrantsPath("1000")), "fr-CH, en;q=0.5"), 200},
			{withLanguage(servertest.Request{Method: http.MethodDelete, Path: servertest.GrantedCustomerPath("1000", "1002"), Token: token}, "fr-CH, en;q=0.5"), 204},
		} {
			rec := h.Do(tc.r)
			if rec.Code != tc.status || rec.Header().Get("Content-Language") != "fr-FR" {
				t.Errorf("%s %s: %d with Content-Language %q, want %d with fr-FR", tc.r.Method, tc.r.Path, rec.Code, rec.Header().Get("Content-Language"), tc.status)
			}
		}

		// A header without one well-formed entry: 406-100 in en-US, in the format asked for.
		r := withLanguage(servertest.Get(token, servertest.GrantsPath("1000")), "en-US;q=2, fr_;x=1")
		r.Headers["Accept"] = xmlType
		rec := h.Do(r)
		body := servertest.WSError(t, rec, 406, "406-100")
		if rec.Header().Get("Content-Type") != xmlType || rec.Header().Get("Content-Language") != "en-US" {
			t.Errorf("406-100 in %s, %s", rec.Header().Get("Content-Type"), rec.Header().Get("Content-Language"))
		}
		if got := servertest.DetailValues(body, "Accept-Language"); len(got) != 1 || got[0] != "en-US;q=2, fr_;x=1" {
			t.Errorf("details %v", got)
		}

		// Plural forms through the stack: the 75-limit in Russian.
		h2 := servertest.New(t, dialect, servertest.ManyCustomers(5000, 80))
		client := h2.ClientToken("crm-sync")
		if rec := h2.Do(servertest.Post(client, servertest.GrantBody("1000", servertest.IDRange(5000, 75)...))); rec.Code != 201 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		r = withLanguage(servertest.Post(client, servertest.GrantBody("1000", "5075")), "ru")
		r.Headers["X-egain-error-message"] = "yes"
		body = servertest.WSError(t, h2.Do(r), 400, "400-306")
		if want := "не более 75 клиентов; сейчас их 75, запрос добавляет 1."; !strings.Contains(body.DeveloperMessage, want) {
			t.Errorf("developerMessage %q, want it to contain %q", body.DeveloperMessage, want)
		}
		if want := "Разрешения на одного клиента могут иметь не более 75 клиентов."; *body.UserMessage != want {
			t.Errorf("userMessage %q, want %q", *body.UserMessage, want)
		}
	})
}

func TestLocalizedReasons(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect)
		r := servertest.Post(h.UserToken("agent"), servertest.GrantBody("1000", servertest.IDRange(5000, 76)...))
		r.Headers = map[string]string{"Accept-Language": "de-DE"}
		body := servertest.WSError(t, h.Do(r), 400, "400-152")
		if want := "Ungültiger Wert für das Attribut 'grantsTo.customer' im Anfragetext: höchstens 75 Einträge sind zulässig."; body.DeveloperMessage != want {
			t.Errorf("developerMessage %q, want %q", body.DeveloperMessage, want)
		}
		r = postAs(xmlType, h.UserToken("agent"), `<!DOCTYPE grants>`+xmlGrantBody("1000", "1002"))
		r.Headers["Accept-Language"] = "ja"
		body = servertest.WSError(t, h.Do(r), 400, "400-202")
		if want := "リクエスト本文の形式が正しくありません: 文書型宣言とエンティティは受け付けません。"; body.DeveloperMessage != want {
			t.Errorf("developerMessage %q, want %q", body.DeveloperMessage, want)
		}
	})
}

// TestPluralsFollowTheListedIDs: messages that list ids take the plural form of how many
// they list, in each language's categories (Russian: 21 one, 22 few, 25 many).
func TestPluralsFollowTheListedIDs(t *testing.T) {
	servertest.ForEachDialect(t, func(t *testing.T, dialect store.Dialect) {
		h := servertest.New(t, dialect)
		// A client application is told which customers do not exist; a user of departments
		// is not (TestDepartmentRuleDoesNotRevealExistence).
		token := h.ClientToken("crm-sync")
		ask := func(r servertest.Request, locale string) gen.WSError {
			r.Headers = map[string]string{"Accept-Language": locale, "X-egain-error-message": "yes"}
			rec := h.Do(r)
			if rec.Code < 400 {
				t.Fatalf("status %d", rec.Code)
			}
			return servertest.DecodeWSError(t, rec)
		}
		for _, tc := range []struct {
			locale string
			ids    []string
			want   string
		}{
			{"en-US", servertest.IDRange(9000, 1), "1 customer not found: '9000'."},
			{"en-US", servertest.IDRange(9000, 2), "2 customers not found: '9000, 9001'."},
			{"de-DE", servertest.IDRange(9000, 1), "1 Kunde nicht gefunden: '9000'."},
			{"de-DE", servertest.IDRange(9000, 3), "3 Kunden nicht gefunden: "},
			{"fr-FR", servertest.IDRange(9000, 1), "1 client introuvable : '9000'."},
			{"fr-FR", servertest.IDRange(9000, 2), "2 clients introuvables : "},
			{"ru-RU", servertest.IDRange(9000, 21), "21 клиент не найден: "},
			{"ru-RU", servertest.IDRange(9000, 22), "22 клиента не найдены: "},
			{"ru-RU", servertest.IDRange(9000, 25), "25 клиентов не найдено: "},
			{"ja-JP", servertest.IDRange(9000, 2), "2 人の顧客が見つかりません: "},
		} {
			body := ask(servertest.Post(token, servertest.GrantBody("1000", tc.ids...)), tc.locale)
			if body.Code != "400-301" || !strings.HasPrefix(body.DeveloperMessage, tc.want) {
				t.Errorf("%s, %d ids: %s %q, want it to start with %q", tc.locale, len(tc.ids), body.Code, body.DeveloperMessage, tc.want)
			}
		}
		// The other messages that list ids.
		for _, tc := range []struct {
			r      servertest.Request
			locale string
			want   string
		}{
			{servertest.Request{Method: http.MethodDelete, Path: servertest.GrantedCustomerPath("8888", "9999"), Token: token}, "en-US", "2 ids in the URI path not found: '8888, 9999'."},
			{servertest.Request{Method: http.MethodDelete, Path: servertest.GrantedCustomerPath("1000", "9999"), Token: token}, "it-IT", "1 ID nel percorso dell'URI non trovato: '9999'."},
			{servertest.Get(h.UserToken("homebody"), servertest.GrantsPath("2000")), "en-US", "Not authorized: 1 customer is outside the user's home and foreign departments: '2000'."},
			{servertest.Post(token, servertest.GrantBody("1000", "1500")), "es-ES", "1 cliente no es un cliente individual: '1500'; "},
		} {
			if body := ask(tc.r, tc.locale); !strings.HasPrefix(body.DeveloperMessage, tc.want) {
				t.Errorf("%s %s in %s: %q, want it to start with %q", tc.r.Method, tc.r.Path, tc.locale, body.DeveloperMessage, tc.want)
			}
		}
	})
}
