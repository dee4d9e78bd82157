package egain_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/custaccess/custaccess/server/internal/servertest"
	"github.com/custaccess/custaccess/store/storetest"
)

// BenchmarkEgainFormats compares JSON and XML through the whole stack:
//
//	go test -run '^$' -bench Egain -benchmem ./server/internal/egain/
func BenchmarkEgainFormats(b *testing.B) {
	for _, dialect := range storetest.Dialects(b) {
		h, token := benchmarkHarness(b, dialect)
		for _, format := range []struct {
			mediaType string
			create    string
		}{
			{jsonType, servertest.GrantBody("5000", servertest.IDRange(5001, 75)...)},
			{xmlType, xmlGrantBody("5000", servertest.IDRange(5001, 75)...)},
		} {
			name := string(dialect) + "/" + strings.TrimPrefix(format.mediaType, "application/")
			b.Run(name+"/create-75-existing", func(b *testing.B) {
				servertest.BenchmarkRequest(b, h, postAs(format.mediaType, token, format.create), http.StatusCreated)
			})
			b.Run(name+"/list-75", func(b *testing.B) {
				r := servertest.Get(token, servertest.GrantsPath("5000"))
				r.Headers = map[string]string{"Accept": format.mediaType}
				servertest.BenchmarkRequest(b, h, r, http.StatusOK)
			})
		}
	}
}
