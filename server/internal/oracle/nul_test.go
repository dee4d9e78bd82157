package oracle_test

import (
	"net/http"
	"testing"

	"github.com/custaccess/custaccess/server/internal/servertest"
)

// A NUL character cannot be stored by PostgreSQL: it is refused with a 400 in the API's own
// shape, before any query, on every database — here on Oracle's free-text values, naming
// the attribute that holds it.
func TestNULCharactersAreRefused(t *testing.T) {
	admin := func(h *harness) string { return h.UserToken("css-admin") }
	runOracleCases(t, nil, []oracleCase{
		{name: "in a body string", status: http.StatusBadRequest, code: "ADF_REST_INVALID_ATTRIBUTE", path: "LoginId",
			request: func(h *harness) servertest.Request {
				return servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), admin(h), `{"RelationshipTypeCd":"ORA_CSS_USER","LoginId":"pat\u0000@example.com"}`)
			}},
		{name: "in a query parameter", status: http.StatusBadRequest, code: "ADF_REST_INVALID_PARAMETER", path: "q",
			request: func(h *harness) servertest.Request {
				return servertest.ADF(http.MethodGet, servertest.RolesPath(servertest.Pat)+"?q=RelationshipTypeCd=ORA%00", admin(h), "")
			}},
		{name: "an escaped backslash before u0000 is text", status: http.StatusBadRequest, code: "SVC_CSS_LOGIN_MISMATCH", path: "LoginId",
			request: func(h *harness) servertest.Request {
				return servertest.ADF(http.MethodPost, servertest.RolesPath(servertest.Pat), admin(h), `{"RelationshipTypeCd":"ORA_CSS_USER","LoginId":"pat\\u0000"}`)
			}},
	})
}
