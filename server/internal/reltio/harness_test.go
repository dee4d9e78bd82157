package reltio_test

import (
	"net/http"
	"testing"

	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store"
)

func newReltioHarness(t testing.TB, dialect store.Dialect, extra ...string) *servertest.Harness {
	return servertest.New(t, dialect, append([]string{servertest.ReltioFixture}, extra...)...)
}

// customerRoleNames reads GET .../roles as the platform administrator.
func customerRoleNames(h *servertest.Harness, customer string) string {
	h.T.Helper()
	rec := h.Do(servertest.Get(h.UserToken("platform-admin"), servertest.ReltioPath(customer, "/roles")))
	if rec.Code != http.StatusOK {
		h.T.Fatalf("list roles: %d %s", rec.Code, rec.Body)
	}
	return servertest.CompactJSON(h.T, rec.Body.String())
}
