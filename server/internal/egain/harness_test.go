package egain_test

import (
	"net/http"
	"net/http/httptest"

	"github.com/custaccess/custaccess/server/internal/egain"
	"github.com/custaccess/custaccess/server/internal/servertest"
)

// The request bodies the tests of package egain build too (bodies_test.go).
const egainNamespace = egain.Namespace

var (
	xmlGrantBody = egain.XMLGrantBody
	xmlGrants    = egain.XMLGrants
)

// serve sends a request built by hand (repeated header lines, say) into the stack, with the
// checks of Harness.Do.
func serve(h *servertest.Harness, req *http.Request) *httptest.ResponseRecorder {
	h.T.Helper()
	rec := httptest.NewRecorder()
	h.E.ServeHTTP(rec, req)
	servertest.CheckEgainResponse(h.T, req, rec)
	return rec
}
