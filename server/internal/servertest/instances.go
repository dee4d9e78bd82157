package servertest

import (
	"io"
	"log/slog"

	"github.com/custaccess/custaccess/server"
	"github.com/custaccess/custaccess/store/storetest"
)

// AnotherInstance is a second server on h's database, with a pool of its own, as a second
// instance behind a load balancer is; it shares only the database and the token secret.
func (h *Harness) AnotherInstance() *Harness {
	h.T.Helper()
	s := storetest.OpenWith(h.T, h.Database)
	e, err := server.New(server.Config{Store: s, Tokens: h.Tokens, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		h.T.Fatal(err)
	}
	return &Harness{T: h.T, E: e, Store: s, Tokens: h.Tokens, Database: h.Database}
}
